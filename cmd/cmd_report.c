/*
 * `mmtriage report`: ingest the given files (into a temporary database
 * unless -d is given), analyze, and write the report in the chosen format.
 */
#include "cmd/cmd.h"
#include "analyzers/analyzer.h"
#include "cmd/render/render.h"
#include "core/tmp.h"
#include "parsers/ingest.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Analyses made before giving up on a database that changes after each. */
#define ANALYZE_TRIES 5

struct report_opts {
	const char *db, *format, *output;
	struct rm_opts render;
	struct mmt_ingest_opts ingest;
	bool temporary;
	struct mmt_tmp tmp;
	char db_path[4200];
};

/*
 * A private database in a temporary directory of its own, removed
 * afterwards with the files SQLite makes beside it (core/tmp.h: a killed
 * report's is removed by the next one).
 */
static int make_temporary(struct report_opts *o)
{
	struct mmt_err err = { 0 };

	if (mmt_tmp_make(&o->tmp, "report", &err) < 0) {
		mmt_print_err(&err);
		return -1;
	}
	snprintf(o->db_path, sizeof(o->db_path), "%s/report.db", o->tmp.path);
	o->db = o->db_path;
	o->temporary = true;
	return 0;
}

static void remove_temporary(struct report_opts *o)
{
	if (o->temporary)
		mmt_tmp_remove(&o->tmp);
}

/*
 * The analysis, then a read transaction that starts where the analysis
 * ended, for the model and the rendering: the report is the analysis of
 * exactly the data it shows, though another process may be ingesting into
 * the database. PRAGMA data_version changes when another connection
 * commits: read in the analysis's transaction and again in the read one,
 * it tells whether anything came between, and then the analysis is done
 * again. Rendering holds only a read snapshot, which stops no writer (WAL),
 * so a slow reader of the output (a pager) keeps no ingest waiting.
 */
static int analyze_then_read(struct mmt_store *st, struct mmt_err *err)
{
	for (int tries = 0; tries < ANALYZE_TRIES; tries++) {
		int64_t analyzed, now;

		if (mmt_store_begin(st, err) < 0)
			return -1;
		if (mmt_analyze(st, err) < 0) {
			mmt_store_rollback(st);
			return -1;
		}
		analyzed = mmt_store_query_int(st, "PRAGMA data_version");
		if (mmt_store_commit(st, err) < 0 || mmt_store_begin_read(st, err) < 0)
			return -1;
		now = mmt_store_query_int(st, "PRAGMA data_version");
		if (now == analyzed)
			return 0;
		mmt_store_rollback(st);
	}
	return mmt_err_set(err, "the database changed after each of %d analyses; "
			   "report again when the ingest is over", ANALYZE_TRIES);
}

static int write_report(struct mmt_store *st, const struct report_opts *o)
{
	const struct mmt_renderer *r = mmt_renderer_find(o->format);
	struct mmt_err err = { 0 };
	struct rm_model m;
	FILE *out = stdout;
	int rc = MMT_EXIT_OK;

	if (analyze_then_read(st, &err) < 0) {
		mmt_print_err(&err);
		return MMT_EXIT_FAIL;
	}
	if (rm_load(st, &m, &err) < 0) {
		mmt_print_err(&err);
		mmt_store_rollback(st);
		return MMT_EXIT_FAIL;
	}
	if (o->output && !(out = fopen(o->output, "w"))) {
		mmt_err_at(&err, o->output, 0, "cannot write: %s", strerror(errno));
		mmt_print_err(&err);
		rm_free(&m);
		mmt_store_rollback(st);
		return MMT_EXIT_FAIL;
	}
	if (r->render(st, &m, &o->render, out, &err) < 0) {
		mmt_print_err(&err);
		rc = MMT_EXIT_FAIL;
	}
	mmt_store_rollback(st);
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
		mmt_err_at(&err, o->output ? o->output : "standard output", 0,
			   "write error: %s", strerror(errno));
		mmt_print_err(&err);
		rc = MMT_EXIT_FAIL;
	}
	rm_free(&m);
	return rc;
}

/* --color=WHEN, as git and ls spell it. */
static int parse_color(const char *when, enum rm_color *out)
{
	if (!strcmp(when, "auto"))
		*out = RM_COLOR_AUTO;
	else if (!strcmp(when, "always"))
		*out = RM_COLOR_ALWAYS;
	else if (!strcmp(when, "never"))
		*out = RM_COLOR_NEVER;
	else
		return -1;
	return 0;
}

static int parse_opts(int argc, char **argv, struct report_opts *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' }, { "lenient", no_argument, NULL, 'L' },
		{ "as", required_argument, NULL, 'a' }, { "kernel", required_argument, NULL, 'k' },
		{ "vmlinux", required_argument, NULL, 'V' },
		{ "set", required_argument, NULL, 's' }, { "brief", no_argument, NULL, 'b' },
		{ "color", required_argument, NULL, 'c' }, { "colour", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct mmt_err err = { 0 };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'f': o->format = optarg; break;
		case 'o': o->output = optarg; break;
		case 'b': o->render.brief = true; break;
		case 'c':
			if (parse_color(optarg, &o->render.color) < 0) {
				mmt_usage_error("report", "--color takes auto, always or never");
				return -2;
			}
			break;
		case 'L': o->ingest.lenient = true; break;
		case 'a': o->ingest.as = optarg; break;
		case 'k': o->ingest.kernel = optarg; break;
		case 'V': o->ingest.vmlinux = optarg; break;
		case 's':
			if (mmt_threshold_override(optarg, &err) < 0) {
				mmt_usage_error("report", "%s", err.msg);
				return -2;
			}
			break;
		case 'h': mmt_print_usage("report"); return -1;
		default: mmt_usage_error("report", "unknown option"); return -2;
		}
	}
	if (o->ingest.as && !mmt_parser_find(o->ingest.as)) {
		mmt_usage_error("report", "no parser for kind '%s'", o->ingest.as);
		return -2;
	}
	if (!mmt_renderer_find(o->format)) {
		mmt_usage_error("report", "no format '%s' (text, markdown, email, json, html)",
				o->format);
		return -2;
	}
	if (o->render.brief && !mmt_renderer_find(o->format)->can_brief) {
		mmt_usage_error("report", "--brief is for the text, markdown and email formats");
		return -2;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o = { .format = "text" };
	int rc = parse_opts(argc, argv, &o), ingest_rc = MMT_EXIT_OK;
	struct mmt_store *st;

	if (rc < 0)
		return rc == -1 ? MMT_EXIT_OK : MMT_EXIT_USAGE;
	if (!o.db && optind < argc && make_temporary(&o) < 0)
		return MMT_EXIT_FAIL;
	if (!o.db)
		o.db = mmt_default_db();
	st = mmt_open_store(o.db, o.temporary ? MMT_STORE_SCRATCH : 0);
	if (!st) {
		remove_temporary(&o);
		return MMT_EXIT_FAIL;
	}
	if (optind < argc)
		ingest_rc = mmt_run_ingest(st, argv + optind, argc - optind, &o.ingest, true);
	if (ingest_rc == MMT_EXIT_INTERRUPTED ||
	    (ingest_rc && mmt_store_query_int(st, "SELECT count(*) FROM sources") <= 0))
		rc = ingest_rc;
	else
		rc = write_report(st, &o);
	mmt_store_close(st);
	remove_temporary(&o);
	return rc ? rc : ingest_rc;
}
