/* Trace events' fields as text, in C and as SQL (see event_fields.h). */
#include "cmd/event_fields.h"
#include "core/escape.h"
#include "core/gfp.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char sql_hex_fields[] =
	"SELECT f.name FROM trace_fields f JOIN trace_types t ON t.id = f.type_id "
	"WHERE t.tbl = ? AND f.ctype LIKE '%*%'";

struct mmt_evfields_table {
	sqlite3_stmt *row;		/* "SELECT * FROM tbl WHERE id = ?" */
	struct mmt_strmap hex;		/* columns printed in hex (pointers) */
};

void mmt_evfields_init(struct mmt_evfields *f, struct mmt_store *st)
{
	memset(f, 0, sizeof(*f));
	f->st = st;
}

void mmt_evfields_free(struct mmt_evfields *f)
{
	for (size_t i = 0; i < f->n; i++) {
		sqlite3_finalize(f->tables[i].row);
		mmt_strmap_free(&f->tables[i].hex);
	}
	free(f->tables);
	mmt_strmap_free(&f->index);
	memset(f, 0, sizeof(*f));
}

/* Pointer fields, printed in hex as trace-cmd does. */
static void load_hex_columns(struct mmt_evfields *f, const char *tbl, struct mmt_strmap *hex)
{
	sqlite3_stmt *q = mmt_store_prepare(f->st, sql_hex_fields, NULL);

	if (!q)
		return;
	mmt_bind_text(q, 1, tbl);
	while (sqlite3_step(q) == SQLITE_ROW)
		mmt_strmap_put(hex, mmt_col_text(q, 0), strlen(mmt_col_text(q, 0)), 1);
	sqlite3_finalize(q);
}

/* What is known of table tbl, read the first time it is asked for. */
static struct mmt_evfields_table *table(struct mmt_evfields *f, const char *tbl,
					struct mmt_err *err)
{
	struct mmt_evfields_table *t;
	int64_t at;
	char *sql;

	if (mmt_strmap_get(&f->index, tbl, strlen(tbl), &at))
		return &f->tables[at];
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 32;
		f->tables = xrealloc(f->tables, f->cap * sizeof(*f->tables));
	}
	t = &f->tables[f->n];
	memset(t, 0, sizeof(*t));
	sql = sqlite3_mprintf("SELECT * FROM \"%w\" WHERE id = ?", tbl);
	t->row = mmt_store_prepare(f->st, sql, err);
	sqlite3_free(sql);
	if (!t->row)
		return NULL;
	load_hex_columns(f, tbl, &t->hex);
	mmt_strmap_put(&f->index, tbl, strlen(tbl), (int64_t)f->n++);
	return t;
}

/* The event's own fields: not the id nor the common columns. */
static bool is_field(const char *name)
{
	return strcmp(name, "id") && strncmp(name, "common_", 7);
}

static bool is_gfp(const char *name)
{
	size_t n = strlen(name);

	return (n >= 9 && !strcmp(name + n - 9, "gfp_flags")) ||
	       (n >= 8 && !strcmp(name + n - 8, "gfp_mask"));
}

/* GFP masks as the kernel that recorded them names them. */
static bool add_gfp(struct mmt_sb *out, sqlite3_stmt *q, int col, const char *kernel)
{
	struct mmt_gfp_decoded d;

	if (sqlite3_column_type(q, col) != SQLITE_INTEGER || !is_gfp(sqlite3_column_name(q, col)))
		return false;
	mmt_gfp_decode((uint64_t)sqlite3_column_int64(q, col), kernel, &d);
	if (!d.flags[0])
		return false;
	mmt_sb_adds(out, d.flags);
	return true;
}

static void add_value(struct mmt_sb *out, sqlite3_stmt *q, int col, bool hex, const char *kernel)
{
	const char *t;

	if (add_gfp(out, q, col, kernel))
		return;
	if (sqlite3_column_type(q, col) == SQLITE_INTEGER) {
		mmt_sb_addf(out, hex ? "0x%llx" : "%lld", (long long)sqlite3_column_int64(q, col));
		return;
	}
	t = mmt_col_text(q, col);
	mmt_esc_term(out, t, strlen(t));
}

int mmt_evfields_add(struct mmt_evfields *f, const char *tbl, int64_t id, const char *kernel,
		     struct mmt_sb *out, struct mmt_err *err)
{
	struct mmt_evfields_table *t = table(f, tbl, err);
	sqlite3_stmt *q;
	int rc;

	if (!t)
		return -1;
	q = t->row;
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	for (int c = 0; rc == SQLITE_ROW && c < sqlite3_column_count(q); c++) {
		const char *name = sqlite3_column_name(q, c);
		int64_t is_hex = 0;

		if (!is_field(name) || sqlite3_column_type(q, c) == SQLITE_NULL)
			continue;
		mmt_strmap_get(&t->hex, name, strlen(name), &is_hex);
		mmt_sb_addf(out, " %s=", name);
		add_value(out, q, c, is_hex, kernel);
	}
	sqlite3_reset(q);
	return 0;
}

/* The SQL of one field's value as add_value() prints it (unescaped). */
static char *value_sql(const char *alias, const char *name, bool hex, const char *kernel_sql)
{
	char *col = sqlite3_mprintf("%s.\"%w\"", alias, name), *v;

	if (is_gfp(name))
		v = sqlite3_mprintf("CASE WHEN typeof(%s) = 'integer' THEN "
				    "ifnull(gfp_flags(%s, %s), %s) ELSE %s END",
				    col, col, kernel_sql, col, col);
	else if (hex)
		v = sqlite3_mprintf("CASE WHEN typeof(%s) = 'integer' THEN "
				    "printf('0x%%x', %s) ELSE %s END", col, col, col);
	else
		v = sqlite3_mprintf("%s", col);
	sqlite3_free(col);
	return v;
}

int mmt_evfields_sql(struct mmt_evfields *f, const char *tbl, const char *alias,
		     const char *kernel_sql, struct mmt_sb *out, struct mmt_err *err)
{
	struct mmt_evfields_table *t = table(f, tbl, err);
	bool any = false;

	if (!t)
		return -1;
	for (int c = 0; c < sqlite3_column_count(t->row); c++) {
		const char *name = sqlite3_column_name(t->row, c);
		int64_t hex = 0;
		char *v, *piece;

		if (!is_field(name))
			continue;
		mmt_strmap_get(&t->hex, name, strlen(name), &hex);
		v = value_sql(alias, name, hex, kernel_sql);
		/* NULL fields are left out, as in the text. */
		piece = sqlite3_mprintf("%sifnull(' %q=' || %s, '')", any ? " || " : "", name, v);
		mmt_sb_adds(out, piece);
		sqlite3_free(piece);
		sqlite3_free(v);
		any = true;
	}
	if (!any)
		mmt_sb_adds(out, "''");
	return 0;
}
