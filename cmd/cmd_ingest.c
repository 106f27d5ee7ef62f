/* `mmtriage ingest`: read files into the database and say what each was. */
#include "cmd/cmd.h"
#include "parsers/ingest.h"

#include <getopt.h>
#include <string.h>

struct ingest_report {
	bool quiet;
	int taken;		/* ingested, or already there */
	int failed;
	bool interrupted;
};

/* What a state or trace source's records are. */
static const char *records_unit(const char *kind)
{
	if (!strcmp(kind, "slab_aliases"))
		return "caches and aliases";
	if (!strcmp(kind, "trace_dat") || !strcmp(kind, "trace_text") ||
	    !strcmp(kind, "perf_script"))
		return "events";
	return "samples";
}

static void say(void *ctx, const char *path, const struct mmt_ingest_result *r,
		const struct mmt_err *err)
{
	struct ingest_report *ir = ctx;

	mmt_progress_done();
	switch (r->status) {
	case MMT_INGESTED:
		ir->taken++;
		if (ir->quiet)
			break;
		mmt_fputs_safe(path, stdout);
		printf(": %s (%s): ", r->kind, r->format ? r->format : "-");
		if (!strcmp(r->kind, "kernel_log") || !strcmp(r->kind, "crash"))
			printf("%lld lines, %lld reports\n", (long long)r->records,
			       (long long)r->reports);
		else
			printf("%lld %s\n", (long long)r->records, records_unit(r->kind));
		break;
	case MMT_INGEST_DUPLICATE:
		ir->taken++;
		if (ir->quiet)
			break;
		mmt_fputs_safe(path, stdout);
		printf(": already ingested as source %lld (use --force to ingest it again)\n",
		       (long long)r->source_id);
		break;
	case MMT_INGEST_SKIPPED:
		fputs("mmtriage: ", stderr);
		mmt_fputs_safe(path, stderr);
		fputs(": skipped: ", stderr);
		mmt_fputs_safe(r->why, stderr);
		fputc('\n', stderr);
		break;
	case MMT_INGEST_INTERRUPTED:
		ir->interrupted = true;
		mmt_print_err(err);
		break;
	case MMT_INGEST_FAILED:
		ir->failed++;
		mmt_print_err(err);
		break;
	}
}

/* The account of a tree: what was found, what was missing. */
static void say_tree(void *ctx, const struct mmt_tree_summary *t)
{
	struct ingest_report *ir = ctx;

	if (t->already) {
		ir->taken++;
		if (ir->quiet)
			return;
		mmt_fputs_safe(t->path, stdout);
		printf(": %s already ingested (use --force to ingest it again)\n", t->kind);
		return;
	}
	if (ir->quiet)
		return;
	mmt_fputs_safe(t->path, stdout);
	printf(": %s (tree %lld): %d files ingested, %d already there, %d skipped, %d failed",
	       t->kind, (long long)t->tree_id, t->ingested, t->duplicates, t->skipped,
	       t->failed);
	if (t->missing[0]) {
		fputs("; missing: ", stdout);
		mmt_fputs_safe(t->missing, stdout);
	}
	putchar('\n');
}

/*
 * Files that fail are named and the others still ingested; the exit status
 * is 1 when any failed or when nothing at all could be taken.
 */
int mmt_run_ingest(struct mmt_store *st, char **paths, int n,
		   const struct mmt_ingest_opts *opts, bool quiet)
{
	struct ingest_report ir = { quiet, 0, 0, false };
	struct mmt_ingest_opts o = *opts;
	int failed;

	o.warn = mmt_warn_hook;
	o.progress = mmt_progress;
	o.tree_done = say_tree;
	mmt_catch_interrupts();
	mmt_ingest_paths(st, paths, n, &o, say, &ir, &failed);
	mmt_progress_done();
	if (ir.interrupted)
		return MMT_EXIT_INTERRUPTED;
	if (ir.failed || !ir.taken) {
		if (!ir.taken && !ir.failed)
			fputs("mmtriage: nothing was ingested\n", stderr);
		return MMT_EXIT_FAIL;
	}
	return MMT_EXIT_OK;
}

int cmd_ingest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "as", required_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'F' }, { "lenient", no_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "vmlinux", required_argument, NULL, 'V' }, { NULL, 0, NULL, 0 },
	};
	const char *db = mmt_default_db();
	struct mmt_ingest_opts o = { 0 };
	bool quiet = false;
	struct mmt_store *st;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'a': o.as = optarg; break;
		case 'F': o.force = true; break;
		case 'L': o.lenient = true; break;
		case 'k': o.kernel = optarg; break;
		case 'V': o.vmlinux = optarg; break;
		case 'q': quiet = true; break;
		case 'h': return mmt_print_usage("ingest");
		default: return mmt_usage_error("ingest", "unknown option");
		}
	}
	if (optind >= argc)
		return mmt_usage_error("ingest", "no file to ingest");
	if (o.as && !mmt_parser_find(o.as))
		return mmt_usage_error("ingest", "no parser for kind '%s'", o.as);
	st = mmt_open_store(db, 0);
	if (!st)
		return MMT_EXIT_FAIL;
	rc = mmt_run_ingest(st, argv + optind, argc - optind, &o, quiet);
	mmt_store_close(st);
	return rc;
}
