/*
 * `mmtriage tui [-d DB] [PATH...]`: with paths, ingest them into the
 * database (as `mmtriage ingest` would) and analyze; then browse it.
 */
#include "cmd/cmd.h"
#include "analyzers/analyzer.h"
#include "cmd/tui/tui.h"
#include "parsers/ingest.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

static int parse_opts(int argc, char **argv, const char **db, struct mmt_ingest_opts *in)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "lenient", no_argument, NULL, 'L' },
		{ "as", required_argument, NULL, 'a' }, { "kernel", required_argument, NULL, 'k' },
		{ "vmlinux", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': *db = optarg; break;
		case 'L': in->lenient = true; break;
		case 'a': in->as = optarg; break;
		case 'k': in->kernel = optarg; break;
		case 'V': in->vmlinux = optarg; break;
		case 'h': mmt_print_usage("tui"); return -1;
		default: mmt_usage_error("tui", "unknown option"); return -2;
		}
	}
	if (in->as && !mmt_parser_find(in->as)) {
		mmt_usage_error("tui", "no parser for kind '%s'", in->as);
		return -2;
	}
	return 0;
}

/* New paths, or a database never analyzed: the analysis the browser starts from. */
static int analyze_if_needed(struct mmt_store *st, bool ingested)
{
	struct mmt_err err = { 0 };

	if (!ingested && mmt_store_query_int(st, "SELECT count(*) FROM diagnosis") > 0)
		return 0;
	if (mmt_analyze(st, &err) < 0) {
		mmt_print_err(&err);
		return -1;
	}
	return 0;
}

int cmd_tui(int argc, char **argv)
{
	struct mmt_ingest_opts in = { 0 };
	struct mmt_err err = { 0 };
	struct tui t = { 0 };
	const char *db = NULL;
	int rc = parse_opts(argc, argv, &db, &in);

	if (rc < 0)
		return rc == -1 ? MMT_EXIT_OK : MMT_EXIT_USAGE;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "mmtriage tui: needs a terminal; `mmtriage report` writes to "
			"files and pipes\n");
		return MMT_EXIT_USAGE;
	}
	t.st = mmt_open_store(db ? db : mmt_default_db(), 0);
	if (!t.st)
		return MMT_EXIT_FAIL;
	if (optind < argc)
		rc = mmt_run_ingest(t.st, argv + optind, argc - optind, &in, true);
	if (rc == MMT_EXIT_INTERRUPTED || analyze_if_needed(t.st, optind < argc) < 0) {
		mmt_store_close(t.st);
		return rc ? rc : MMT_EXIT_FAIL;
	}
	if (tui_run(&t, &err) < 0) {
		mmt_print_err(&err);
		rc = MMT_EXIT_FAIL;
	}
	mmt_store_close(t.st);
	return rc;
}
