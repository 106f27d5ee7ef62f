/*
 * `mmtriage replay`: the events of every ingested trace in time order, one
 * line each in the layout of `trace-cmd report` (task-pid [cpu] time:
 * event: fields), with the fields read back from the event's own table
 * and GFP masks named as the recording kernel names them.
 * Times are those of the events view: seconds on the common timeline.
 * With --at T it prints instead the machine's state at T, reconstructed
 * from the events (cmd/replay_at.c).
 */
#include "cmd/cmd.h"
#include "analyzers/replay_state.h"
#include "core/escape.h"
#include "core/gfp.h"
#include "core/strbuf.h"
#include "core/strmap.h"
#include "core/xalloc.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The filter sees the columns of the events view alone. */
static const char sql_events[] =
	"SELECT e.id, e.ts, e.cpu, e.pid, e.comm, e.name, t.tbl, src.kernel "
	"FROM (SELECT * FROM events WHERE (?1 IS NULL OR ts >= ?1) AND "
	"(?2 IS NULL OR ts <= ?2) AND (%s)) e "
	"JOIN trace_types t ON t.system = e.system AND t.name = e.name "
	"JOIN sources src ON src.id = e.source ORDER BY e.ts, e.id";
static const char sql_hex_fields[] =
	"SELECT f.name FROM trace_fields f JOIN trace_types t ON t.id = f.type_id "
	"WHERE t.tbl = ? AND f.ctype LIKE '%*%'";

struct replay {
	struct mmt_store *st;
	struct mmt_strmap tables;	/* table -> index in fields */
	sqlite3_stmt **fields;		/* "SELECT * FROM tbl WHERE id = ?" per table */
	struct mmt_strmap *hex;		/* per table: columns printed in hex (pointers) */
	size_t n, cap;
	struct mmt_sb line;
	int64_t printed;
};

struct replay_opts {
	const char *db;
	const char *filter;
	double from, to, at;
	bool has_from, has_to, has_at;
	int64_t source;
};

/* Pointer fields, printed in hex as trace-cmd does. */
static void load_hex_columns(struct replay *r, const char *tbl, struct mmt_strmap *hex)
{
	sqlite3_stmt *q = mmt_store_prepare(r->st, sql_hex_fields, NULL);

	if (!q)
		return;
	mmt_bind_text(q, 1, tbl);
	while (sqlite3_step(q) == SQLITE_ROW)
		mmt_strmap_put(hex, mmt_col_text(q, 0), strlen(mmt_col_text(q, 0)), 1);
	sqlite3_finalize(q);
}

/* The statement reading one event's fields from its table. */
static sqlite3_stmt *fields_stmt(struct replay *r, const char *tbl, size_t *idx,
				 struct mmt_err *err)
{
	int64_t at;
	char *sql;

	if (mmt_strmap_get(&r->tables, tbl, strlen(tbl), &at)) {
		*idx = (size_t)at;
		return r->fields[at];
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->fields = xrealloc(r->fields, r->cap * sizeof(*r->fields));
		r->hex = xrealloc(r->hex, r->cap * sizeof(*r->hex));
	}
	sql = sqlite3_mprintf("SELECT * FROM \"%w\" WHERE id = ?", tbl);
	r->fields[r->n] = mmt_store_prepare(r->st, sql, err);
	sqlite3_free(sql);
	if (!r->fields[r->n])
		return NULL;
	memset(&r->hex[r->n], 0, sizeof(r->hex[r->n]));
	load_hex_columns(r, tbl, &r->hex[r->n]);
	mmt_strmap_put(&r->tables, tbl, strlen(tbl), (int64_t)r->n);
	*idx = r->n;
	return r->fields[r->n++];
}

/* GFP masks as the kernel that recorded them names them. */
static bool add_gfp(struct replay *r, sqlite3_stmt *q, int col, const char *kernel)
{
	const char *name = sqlite3_column_name(q, col);
	struct mmt_gfp_decoded d;
	size_t n = strlen(name);

	if (sqlite3_column_type(q, col) != SQLITE_INTEGER ||
	    !((n >= 9 && !strcmp(name + n - 9, "gfp_flags")) ||
	      (n >= 8 && !strcmp(name + n - 8, "gfp_mask"))))
		return false;
	mmt_gfp_decode((uint64_t)sqlite3_column_int64(q, col), kernel, &d);
	if (!d.flags[0])
		return false;
	mmt_sb_adds(&r->line, d.flags);
	return true;
}

static void add_value(struct replay *r, sqlite3_stmt *q, int col, bool hex,
		      const char *kernel)
{
	const char *t;

	if (add_gfp(r, q, col, kernel))
		return;
	if (sqlite3_column_type(q, col) == SQLITE_INTEGER) {
		mmt_sb_addf(&r->line, hex ? "0x%llx" : "%lld",
			    (long long)sqlite3_column_int64(q, col));
		return;
	}
	t = mmt_col_text(q, col);
	mmt_esc_term(&r->line, t, strlen(t));
}

/* " name=value" for every field of the event but the common ones. */
static int add_fields(struct replay *r, const char *tbl, int64_t id, const char *kernel,
		      struct mmt_err *err)
{
	size_t idx;
	sqlite3_stmt *q = fields_stmt(r, tbl, &idx, err);
	int rc;

	if (!q)
		return -1;
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	for (int c = 0; rc == SQLITE_ROW && c < sqlite3_column_count(q); c++) {
		const char *name = sqlite3_column_name(q, c);
		int64_t is_hex = 0;

		if (!strcmp(name, "id") || !strncmp(name, "common_", 7) ||
		    sqlite3_column_type(q, c) == SQLITE_NULL)
			continue;
		mmt_strmap_get(&r->hex[idx], name, strlen(name), &is_hex);
		mmt_sb_addf(&r->line, " %s=", name);
		add_value(r, q, c, is_hex, kernel);
	}
	sqlite3_reset(q);
	return 0;
}

/* "           sleep-4044    [001]  7285.381554: mm_page_alloc:        page=..." */
static int print_event(struct replay *r, sqlite3_stmt *e, struct mmt_err *err)
{
	const char *comm = sqlite3_column_type(e, 4) == SQLITE_NULL ? "<...>" : mmt_col_text(e, 4);
	struct mmt_sb task = MMT_SB_INIT;

	mmt_sb_reset(&r->line);
	mmt_esc_term(&task, comm, strlen(comm));
	mmt_sb_addf(&r->line, "%16s-%-7lld [%03d] %.6f: %s:", mmt_sb_str(&task),
		    (long long)sqlite3_column_int64(e, 3), sqlite3_column_int(e, 2),
		    sqlite3_column_double(e, 1), mmt_col_text(e, 5));
	mmt_sb_free(&task);
	for (size_t w = strlen(mmt_col_text(e, 5)) + 1; w < 21; w++)
		mmt_sb_addc(&r->line, ' ');
	if (add_fields(r, mmt_col_text(e, 6), sqlite3_column_int64(e, 0),
		       (const char *)sqlite3_column_text(e, 7), err) < 0)
		return -1;
	mmt_sb_addc(&r->line, '\n');
	fwrite(r->line.buf, 1, r->line.len, stdout);
	r->printed++;
	return 0;
}

static int replay_events(struct replay *r, const struct replay_opts *o, struct mmt_err *err)
{
	char *sql = sqlite3_mprintf(sql_events, o->filter ? o->filter : "1");
	sqlite3_stmt *e = mmt_store_prepare(r->st, sql, err);
	int rc = 0;

	sqlite3_free(sql);
	if (!e)
		return -1;
	mmt_bind_double_opt(e, 1, o->from, o->has_from);
	mmt_bind_double_opt(e, 2, o->to, o->has_to);
	while (rc == 0 && (rc = mmt_store_step(r->st, e, err)) > 0)
		rc = print_event(r, e, err);
	sqlite3_finalize(e);
	return rc;
}

static void replay_free(struct replay *r)
{
	for (size_t i = 0; i < r->n; i++) {
		sqlite3_finalize(r->fields[i]);
		mmt_strmap_free(&r->hex[i]);
	}
	free(r->fields);
	free(r->hex);
	mmt_strmap_free(&r->tables);
	mmt_sb_free(&r->line);
}

static bool parse_time(const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	return end != s && !*end && isfinite(*out);
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' }, { "filter", required_argument, NULL, 'F' },
		{ "at", required_argument, NULL, 'a' }, { "source", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct replay_opts o = { .db = mmt_default_db() };
	struct mmt_replay_at_opts at = { 0 };
	char *end;
	struct replay r = { 0 };
	struct mmt_err err = { 0 };
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.db = optarg; break;
		case 'f': o.has_from = parse_time(optarg, &o.from); break;
		case 't': o.has_to = parse_time(optarg, &o.to); break;
		case 'F': o.filter = optarg; break;
		case 'a': o.has_at = parse_time(optarg, &o.at); break;
		case 's':
			o.source = strtoll(optarg, &end, 10);
			if (end == optarg || *end || o.source <= 0)
				return mmt_usage_error("replay", "'%s' is not a source id", optarg);
			break;
		case 'h': return mmt_print_usage("replay");
		default: return mmt_usage_error("replay", "unknown option");
		}
		if ((c == 'f' && !o.has_from) || (c == 't' && !o.has_to) || (c == 'a' && !o.has_at))
			return mmt_usage_error("replay", "'%s' is not a time in seconds", optarg);
	}
	if (optind != argc)
		return mmt_usage_error("replay", "unexpected argument '%s'", argv[optind]);
	if (o.has_at && (o.has_from || o.has_to || o.filter))
		return mmt_usage_error("replay", "--at does not go with --from, --to or --filter");
	if (o.source && !o.has_at)
		return mmt_usage_error("replay", "--source goes with --at");
	if (o.has_at) {
		at.db = o.db;
		at.t = o.at;
		at.source = o.source;
		return mmt_replay_at_command(&at);
	}
	r.st = mmt_open_store(o.db, MMT_STORE_READONLY);
	if (!r.st)
		return MMT_EXIT_FAIL;
	rc = replay_events(&r, &o, &err);
	if (rc < 0)
		mmt_print_err(&err);
	replay_free(&r);
	mmt_store_close(r.st);
	return rc < 0 ? MMT_EXIT_FAIL : MMT_EXIT_OK;
}
