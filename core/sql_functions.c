/*
 * SQL functions every connection has, so that queries read numbers the way
 * the kernel printed them:
 *
 *   gfp_flags(mask [, kernel])    "GFP_NOFS|__GFP_NOWARN|..." for a bare mask,
 *                                 decoded with the bit layout of that release;
 *                                 names as text traces print them pass through
 *   gfp_context(mask [, kernel])  'atomic', 'nowait', 'noio', 'nofs', 'full'
 *
 * Without a kernel argument, the release the database's sources show is
 * used when they all show the same one (one machine); otherwise the result
 * is NULL rather than a guess.
 */
#include "core/sql_functions.h"
#include "core/gfp.h"

#include <string.h>

static const char sql_one_kernel[] =
	"SELECT CASE WHEN count(DISTINCT kernel) = 1 THEN max(kernel) END "
	"FROM sources WHERE kernel IS NOT NULL";

/* The kernel argument, or the one release of the database; NULL if neither. */
static const char *kernel_of(sqlite3_context *ctx, int argc, sqlite3_value **argv,
			     char *buf, size_t cap)
{
	sqlite3_stmt *q;
	const unsigned char *k = NULL;

	if (argc > 1)
		return (const char *)sqlite3_value_text(argv[1]);
	if (sqlite3_prepare_v2(sqlite3_context_db_handle(ctx), sql_one_kernel, -1, &q,
			       NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_step(q) == SQLITE_ROW)
		k = sqlite3_column_text(q, 0);
	if (k) {
		strncpy(buf, (const char *)k, cap - 1);
		buf[cap - 1] = '\0';
	}
	sqlite3_finalize(q);
	return k ? buf : NULL;
}

static bool decode(sqlite3_context *ctx, int argc, sqlite3_value **argv,
		   struct mmt_gfp_decoded *d)
{
	char buf[128];
	const char *kernel;

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return false;
	kernel = kernel_of(ctx, argc, argv, buf, sizeof(buf));
	mmt_gfp_decode((uint64_t)sqlite3_value_int64(argv[0]), kernel, d);
	return d->known || d->flags[0];
}

/* Text traces print the names already: they pass through. */
static bool printed_names(sqlite3_value *v)
{
	return sqlite3_value_type(v) == SQLITE_TEXT &&
	       sqlite3_value_numeric_type(v) == SQLITE_TEXT;
}

static void gfp_flags_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct mmt_gfp_decoded d;

	if (printed_names(argv[0]))
		sqlite3_result_value(ctx, argv[0]);
	else if (decode(ctx, argc, argv, &d) && d.flags[0])
		sqlite3_result_text(ctx, d.flags, -1, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(ctx);
}

static void gfp_context_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct mmt_gfp_decoded d;
	bool names = printed_names(argv[0]);
	const char *name;

	if (names)
		mmt_gfp_from_names(0, (const char *)sqlite3_value_text(argv[0]), &d);
	if ((names || decode(ctx, argc, argv, &d)) && d.known &&
	    (name = mmt_gfp_context_name(d.context)))
		sqlite3_result_text(ctx, name, -1, SQLITE_STATIC);
	else
		sqlite3_result_null(ctx);
}

int mmt_sql_functions_register(sqlite3 *db)
{
	static const struct {
		const char *name;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {
		{ "gfp_flags", gfp_flags_fn },
		{ "gfp_context", gfp_context_fn },
	};

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		for (int argc = 1; argc <= 2; argc++)
			if (sqlite3_create_function(db, fns[i].name, argc,
						    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
						    fns[i].fn, NULL, NULL) != SQLITE_OK)
				return -1;
	return 0;
}
