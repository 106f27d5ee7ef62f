/*
 * Tests of the SQL functions every connection has (core/sql_functions.c):
 * gfp_flags and gfp_context decode a bare mask with the layout of the
 * release given, or of the one release the database's sources show. The
 * expected names are those kernels printed for the same masks (see
 * test_gfp.c for their sources): 0xcc0 is GFP_KERNEL on 6.x, 0x8250 is
 * GFP_NOFS|__GFP_NOWARN|__GFP_ZERO on 3.13.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/store.h"

static struct mmt_store *open_memory(void)
{
	struct mmt_store *st;
	struct mmt_err err = { 0 };

	assert_int_equal(mmt_store_open(&st, NULL, MMT_STORE_MEMORY, &err), 0);
	return st;
}

/* The first column of the one row of sql, as text ("NULL" for NULL). */
static void one_text(struct mmt_store *st, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *s;
	const unsigned char *t;

	assert_int_equal(sqlite3_prepare_v2(mmt_store_handle(st), sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	t = sqlite3_column_text(s, 0);
	strncpy(out, t ? (const char *)t : "NULL", n - 1);
	out[n - 1] = '\0';
	sqlite3_finalize(s);
}

static void expect(struct mmt_store *st, const char *sql, const char *want)
{
	char got[512];

	one_text(st, sql, got, sizeof(got));
	assert_string_equal(got, want);
}

static void add_source(struct mmt_store *st, const char *sha, const char *kernel)
{
	char *sql = sqlite3_mprintf("INSERT INTO sources (path, kind, sha256, size, kernel, "
				    "ingested_at) VALUES ('x', 'kernel_log', %Q, 0, %Q, 'now')",
				    sha, kernel);
	struct mmt_err err = { 0 };

	assert_int_equal(mmt_store_exec(st, sql, &err), 0);
	sqlite3_free(sql);
}

static void test_with_release(void **state)
{
	struct mmt_store *st = open_memory();

	expect(st, "SELECT gfp_flags(0xcc0, '6.1.0')", "GFP_KERNEL");
	expect(st, "SELECT gfp_context(0xcc0, '6.1.0')", "full");
	expect(st, "SELECT gfp_flags(0x8250, '3.13.0')", "GFP_NOFS|__GFP_NOWARN|__GFP_ZERO");
	expect(st, "SELECT gfp_context(0x8250, '3.13.0')", "nofs");
	expect(st, "SELECT gfp_flags(NULL, '6.1.0')", "NULL");
	/* As text traces print them: names pass through, the context follows them. */
	expect(st, "SELECT gfp_flags('GFP_NOFS|__GFP_NOWARN')", "GFP_NOFS|__GFP_NOWARN");
	expect(st, "SELECT gfp_context('GFP_NOFS|__GFP_NOWARN')", "nofs");
	mmt_store_close(st);
}

/* One release in the database: it is used; two: no guess. */
static void test_release_of_database(void **state)
{
	struct mmt_store *st = open_memory();

	expect(st, "SELECT gfp_flags(0xcc0)", "NULL");
	add_source(st, "a", "6.18.44-fc-v769");
	expect(st, "SELECT gfp_flags(0xcc0)", "GFP_KERNEL");
	add_source(st, "b", "3.13.0-24-generic");
	expect(st, "SELECT gfp_context(0x8250)", "NULL");
	mmt_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_with_release),
		cmocka_unit_test(test_release_of_database),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
