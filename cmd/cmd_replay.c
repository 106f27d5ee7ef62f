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
#include "cmd/event_fields.h"
#include "core/escape.h"
#include "core/strbuf.h"

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

struct replay {
	struct mmt_store *st;
	struct mmt_evfields fields;
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
	if (mmt_evfields_add(&r->fields, mmt_col_text(e, 6), sqlite3_column_int64(e, 0),
			     (const char *)sqlite3_column_text(e, 7), &r->line, err) < 0)
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
	mmt_evfields_free(&r->fields);
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
	mmt_evfields_init(&r.fields, r.st);
	rc = replay_events(&r, &o, &err);
	if (rc < 0)
		mmt_print_err(&err);
	replay_free(&r);
	mmt_store_close(r.st);
	return rc < 0 ? MMT_EXIT_FAIL : MMT_EXIT_OK;
}
