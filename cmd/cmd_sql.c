/*
 * `mmtriage sql`: one read-only query, printed as an aligned table, CSV or
 * JSON. The database is opened read-only and statements that would write
 * are refused before they run. Cell text is escaped: it comes from logs.
 */
#include "cmd/cmd.h"
#include "core/escape.h"
#include "core/xalloc.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH_SAMPLE 1000	/* rows read before column widths are fixed */
#define MAX_WIDTH 80		/* wider cells are cut in the table view */

enum out_format { OUT_TABLE, OUT_CSV, OUT_JSON };

static char *cell(sqlite3_stmt *s, int i)
{
	struct mmt_sb sb = MMT_SB_INIT;
	const char *t;

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return xstrdup("NULL");
	t = mmt_col_text(s, i);
	mmt_esc_term(&sb, t, (size_t)sqlite3_column_bytes(s, i));
	return mmt_sb_detach(&sb);
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void print_padded(const char *s, size_t w, bool last)
{
	size_t sw = width(s);

	if (sw > w) {
		size_t cols = 0, i = 0;

		for (; s[i] && cols < w - 1; i++)
			cols += ((unsigned char)s[i] & 0xc0) != 0x80;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		printf("%.*s~", (int)i, s);
		sw = w;
	} else {
		fputs(s, stdout);
	}
	if (!last)
		printf("%*s  ", (int)(w - sw), "");
}

struct table {
	int ncol;
	size_t *w;
	char **rows;	/* buffered cells, ncol per row */
	size_t nrows, cap;
};

static void table_row(struct table *t, char **cells)
{
	for (int i = 0; i < t->ncol; i++)
		print_padded(cells[i], t->w[i], i == t->ncol - 1);
	fputc('\n', stdout);
}

static void table_flush(struct table *t)
{
	for (size_t r = 0; r < t->nrows; r++) {
		table_row(t, t->rows + r * (size_t)t->ncol);
		for (int i = 0; i < t->ncol; i++)
			free(t->rows[r * (size_t)t->ncol + i]);
	}
	t->nrows = 0;
}

static void table_header(struct table *t, sqlite3_stmt *s)
{
	char **names = xcalloc((size_t)t->ncol, sizeof(*names));

	for (int i = 0; i < t->ncol; i++)
		names[i] = (char *)sqlite3_column_name(s, i);
	table_row(t, names);
	for (int i = 0; i < t->ncol; i++) {
		for (size_t k = 0; k < t->w[i]; k++)
			fputc('-', stdout);
		fputs(i == t->ncol - 1 ? "\n" : "  ", stdout);
	}
	free(names);
}

static void table_add(struct table *t, sqlite3_stmt *s, bool fixed)
{
	char **cells = xcalloc((size_t)t->ncol, sizeof(*cells));

	for (int i = 0; i < t->ncol; i++) {
		cells[i] = cell(s, i);
		if (!fixed && width(cells[i]) > t->w[i])
			t->w[i] = width(cells[i]) < MAX_WIDTH ? width(cells[i]) : MAX_WIDTH;
	}
	if (fixed) {
		table_row(t, cells);
		for (int i = 0; i < t->ncol; i++)
			free(cells[i]);
	} else {
		xgrow((void **)&t->rows, &t->cap, (t->nrows + 1) * (size_t)t->ncol,
		      sizeof(char *));
		memcpy(t->rows + t->nrows * (size_t)t->ncol, cells,
		       (size_t)t->ncol * sizeof(char *));
		t->nrows++;
	}
	free(cells);
}

/* The first rows fix the column widths; later ones are printed as they come. */
static int print_table(struct mmt_store *st, sqlite3_stmt *s, struct mmt_err *err)
{
	struct table t = { 0 };
	size_t seen = 0;
	int rc;

	t.ncol = sqlite3_column_count(s);
	t.w = xcalloc((size_t)t.ncol + 1, sizeof(*t.w));
	for (int i = 0; i < t.ncol; i++)
		t.w[i] = width(sqlite3_column_name(s, i));
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		table_add(&t, s, seen >= WIDTH_SAMPLE);
		if (++seen == WIDTH_SAMPLE) {
			table_header(&t, s);
			table_flush(&t);
		}
	}
	if (seen < WIDTH_SAMPLE && t.ncol > 0) {
		table_header(&t, s);
		table_flush(&t);
	}
	if (rc == 0)
		printf("(%zu row%s)\n", seen, seen == 1 ? "" : "s");
	free(t.rows);
	free(t.w);
	return rc;
}

static void csv_field(const char *v)
{
	if (!strpbrk(v, ",\"\r\n")) {
		fputs(v, stdout);
		return;
	}
	fputc('"', stdout);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', stdout);
		fputc(*v, stdout);
	}
	fputc('"', stdout);
}

static int print_csv(struct mmt_store *st, sqlite3_stmt *s, struct mmt_err *err)
{
	int n = sqlite3_column_count(s), rc;

	for (int i = 0; i < n; i++) {
		csv_field(sqlite3_column_name(s, i));
		fputc(i == n - 1 ? '\n' : ',', stdout);
	}
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		for (int i = 0; i < n; i++) {
			char *c = sqlite3_column_type(s, i) == SQLITE_NULL ? xstrdup("") : cell(s, i);

			csv_field(c);
			free(c);
			fputc(i == n - 1 ? '\n' : ',', stdout);
		}
	}
	return rc;
}

static void json_value(sqlite3_stmt *s, int i, struct mmt_sb *sb)
{
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL:
		mmt_sb_adds(sb, "null");
		break;
	case SQLITE_INTEGER:
		mmt_sb_addf(sb, "%lld", (long long)sqlite3_column_int64(s, i));
		break;
	case SQLITE_FLOAT:
		mmt_sb_addf(sb, "%.17g", sqlite3_column_double(s, i));
		break;
	default:
		mmt_sb_addc(sb, '"');
		mmt_esc_json(sb, mmt_col_text(s, i), (size_t)sqlite3_column_bytes(s, i));
		mmt_sb_addc(sb, '"');
	}
}

static int print_json(struct mmt_store *st, sqlite3_stmt *s, struct mmt_err *err)
{
	int n = sqlite3_column_count(s), rc;
	struct mmt_sb sb = MMT_SB_INIT;
	bool first = true;

	fputs("[", stdout);
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		mmt_sb_reset(&sb);
		mmt_sb_adds(&sb, first ? "\n  {" : ",\n  {");
		for (int i = 0; i < n; i++) {
			const char *name = sqlite3_column_name(s, i);

			mmt_sb_adds(&sb, i ? ", \"" : "\"");
			mmt_esc_json(&sb, name, strlen(name));
			mmt_sb_adds(&sb, "\": ");
			json_value(s, i, &sb);
		}
		mmt_sb_addc(&sb, '}');
		fputs(mmt_sb_str(&sb), stdout);
		first = false;
	}
	fputs(first ? "]\n" : "\n]\n", stdout);
	mmt_sb_free(&sb);
	return rc;
}

static int run_query(struct mmt_store *st, const char *sql, enum out_format f)
{
	struct mmt_err err = { 0 };
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	int rc;

	if (sqlite3_prepare_v2(mmt_store_handle(st), sql, -1, &s, &tail) != SQLITE_OK || !s) {
		mmt_err_set(&err, "SQL: %s", s ? "" : sqlite3_errmsg(mmt_store_handle(st)));
		mmt_print_err(&err);
		return MMT_EXIT_FAIL;
	}
	if (tail && tail[strspn(tail, " \t\r\n;")]) {
		sqlite3_finalize(s);
		return mmt_usage_error("sql", "one statement at a time");
	}
	if (!sqlite3_stmt_readonly(s)) {
		sqlite3_finalize(s);
		mmt_err_set(&err, "SQL: the database is read-only here; only queries run");
		mmt_print_err(&err);
		return MMT_EXIT_FAIL;
	}
	rc = f == OUT_CSV ? print_csv(st, s, &err) : f == OUT_JSON ? print_json(st, s, &err)
							     : print_table(st, s, &err);
	sqlite3_finalize(s);
	if (rc < 0) {
		mmt_print_err(&err);
		return MMT_EXIT_FAIL;
	}
	return MMT_EXIT_OK;
}

int cmd_sql(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = mmt_default_db();
	enum out_format f = OUT_TABLE;
	struct mmt_store *st;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'c': f = OUT_CSV; break;
		case 'j': f = OUT_JSON; break;
		case 'h': return mmt_print_usage("sql");
		default: return mmt_usage_error("sql", "unknown option");
		}
	}
	if (optind != argc - 1)
		return mmt_usage_error("sql", optind >= argc ? "no query given" :
				       "give the query as one argument (quote it)");
	st = mmt_open_store(db, MMT_STORE_READONLY);
	if (!st)
		return MMT_EXIT_FAIL;
	rc = run_query(st, argv[optind], f);
	mmt_store_close(st);
	return rc;
}
