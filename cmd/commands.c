/*
 * The table of commands with their usage texts, and the helpers every
 * command shares: printing errors, opening the store, progress, signals.
 */
#include "cmd/cmd.h"
#include "analyzers/analyzer.h"
#include "core/escape.h"
#include "parsers/parser.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const struct mmt_cmd mmt_cmds[] = {
	{ "ingest", "read logs and other evidence into the database",
	  "usage: mmtriage ingest [-d DB] [--as KIND] [--kernel RELEASE] [--force]\n"
	  "                       [--lenient] [--vmlinux PATH] PATH...\n"
	  "\n"
	  "Reads each file (directories are walked) into the database, one\n"
	  "transaction per file: a file that fails, Ctrl-C or a kill leaves the\n"
	  "database as it was. Each file's format is recognised from its content;\n"
	  "--as names it instead. Content already ingested is skipped unless\n"
	  "--force. Another process writing the database (an ingest, an analysis)\n"
	  "is waited for; readers (sql, report, tui) may read it meanwhile.\n"
	  "\n"
	  "A sosreport (directory, .tar.xz, .tar.gz) or a capture directory is\n"
	  "read as one unit: the files that matter are found by their paths, and\n"
	  "the account says which were ingested and which were missing. A\n"
	  "/sys/kernel/slab directory (or a copy) gives SLUB's cache merges.\n"
	  "A crash dump (ELF or kdump-compressed vmcore) is read with the crash\n"
	  "utility given the kernel's debug vmlinux (its log, tasks and their\n"
	  "backtraces, memory and slab counters), or without one with\n"
	  "makedumpfile (the kernel log alone).\n"
	  "Snapshot files may hold many samples (separated by `date` lines or by\n"
	  "their header repeating); copies named file.1, file.2 or with a time in\n"
	  "their name form one series.\n"
	  "\n"
	  "  -d, --db PATH     database (default ./mmtriage.db, or $MMTRIAGE_DB)\n"
	  "      --as KIND     parse every file as KIND (see below)\n"
	  "      --kernel RELEASE  the kernel release, for logs that never print it\n"
	  "                    (bare GFP masks are decoded with its bit layout)\n"
	  "      --vmlinux PATH  the debug vmlinux of a vmcore's kernel (Debian:\n"
	  "                    /usr/lib/debug/boot/vmlinux-RELEASE, linux-image-*-dbg)\n"
	  "      --force       ingest again content that is already there\n"
	  "      --lenient     store bytes that are not UTF-8 text as \\xNN instead\n"
	  "                    of refusing the file\n"
	  "  -q, --quiet       say nothing about files that were ingested\n"
	  "\n"
	  "Kinds:\n%KINDS%"
	  "\n"
	  "Examples:\n"
	  "  mmtriage ingest vmcore-dmesg.txt\n"
	  "  mmtriage ingest --vmlinux /usr/lib/debug/boot/vmlinux-6.1.0-50-cloud-amd64 vmcore\n"
	  "  mmtriage ingest -d case42.db sosreport-host.tar.xz journal.txt\n"
	  "  mmtriage ingest -d case42.db capture/ /sys/kernel/slab\n"
	  "  mmtriage ingest --as kernel_log console.capture\n",
	  cmd_ingest },
	{ "analyze", "classify stacks, group findings and diagnose the hang",
	  "usage: mmtriage analyze [-d DB] [--set NAME=VALUE]... | --thresholds\n"
	  "\n"
	  "Runs every analyzer over the database and writes findings and the\n"
	  "diagnosis, replacing those of an earlier run.\n"
	  "\n"
	  "  -d, --db PATH     database (default ./mmtriage.db, or $MMTRIAGE_DB)\n"
	  "  --set NAME=VALUE  change a threshold for this run (docs/findings.md)\n"
	  "  --thresholds      list every threshold, its default and meaning\n"
	  "\n"
	  "Analyzers:\n%ANALYZERS%"
	  "\n"
	  "Example:\n"
	  "  mmtriage ingest dmesg.txt && mmtriage analyze && mmtriage report\n",
	  cmd_analyze },
	{ "report", "say which hang this is, with the evidence",
	  "usage: mmtriage report [-d DB] [-f FORMAT] [-o FILE] [--brief] [--color=WHEN]\n"
	  "                       [PATH...]\n"
	  "\n"
	  "With paths, ingests them first (into a temporary database unless -d is\n"
	  "given), analyzes, and reports; without, reports on the database.\n"
	  "\n"
	  "  -d, --db PATH       database (default ./mmtriage.db, or $MMTRIAGE_DB)\n"
	  "  -f, --format FMT    text (default), markdown, email, json or html\n"
	  "  -o, --output FILE   write there instead of standard output\n"
	  "      --brief         the verdict and the top findings in under 15 lines,\n"
	  "                      for a ticket's first comment (text, markdown, email)\n"
	  "      --color=WHEN    colour in the text format: auto (default: on a\n"
	  "                      terminal, unless NO_COLOR is set or TERM=dumb),\n"
	  "                      always, never\n"
	  "      --as KIND       as for ingest: parse the files as KIND\n"
	  "      --kernel REL    as for ingest: the release when the logs show none\n"
	  "      --vmlinux PATH  as for ingest: the debug vmlinux of a vmcore\n"
	  "      --lenient       as for ingest\n"
	  "      --set N=V       as for analyze: change a threshold\n"
	  "\n"
	  "Formats: text is for a terminal, with sparklines of memory, reclaim, IPIs\n"
	  "and CPUs over time (Unicode blocks in a UTF-8 locale, else ASCII);\n"
	  "markdown pastes into GitHub, GitLab and Bugzilla; email is plain text\n"
	  "within 80 columns for mailing lists; json follows the contract in\n"
	  "docs/json.md; html is one self-contained page with charts of memory,\n"
	  "reclaim and IPIs over time, to attach to a bug.\n"
	  "\n"
	  "Examples:\n"
	  "  mmtriage report vmcore-dmesg.txt\n"
	  "  mmtriage report -f markdown -o hang.md /var/log/kern.log\n"
	  "  mmtriage report -f html -o hang.html sosreport-host.tar.xz\n"
	  "  mmtriage report --brief -f markdown -d case42.db\n"
	  "  mmtriage report -d case42.db -f json | jq .diagnosis\n",
	  cmd_report },
	{ "sql", "query the database (read-only)",
	  "usage: mmtriage sql [-d DB] [--csv | --json] QUERY\n"
	  "\n"
	  "Runs a read-only SQL query and prints an aligned table (or CSV, or a\n"
	  "JSON array of objects). `mmtriage schema` documents every table.\n"
	  "\n"
	  "  -d, --db PATH     database (default ./mmtriage.db, or $MMTRIAGE_DB)\n"
	  "      --csv         comma-separated values with a header line\n"
	  "      --json        a JSON array of objects\n"
	  "\n"
	  "Examples:\n"
	  "  mmtriage sql 'SELECT kind, count(*) FROM reports GROUP BY kind'\n"
	  "  mmtriage sql --csv 'SELECT pid, comm, wait_class FROM tasks'\n",
	  cmd_sql },
	{ "replay", "print trace events in time order, or the traced machine's state at a time",
	  "usage: mmtriage replay [-d DB] [--from T] [--to T] [--filter EXPR]\n"
	  "       mmtriage replay [-d DB] --at T [--source N]\n"
	  "\n"
	  "Prints the events of every ingested trace (trace.dat, ftrace text,\n"
	  "perf script) in time order, one line each: task-pid [cpu] time: event:\n"
	  "fields. Times are seconds on the common timeline (the `ts` of the\n"
	  "events view). EXPR is an SQL condition over the columns of the events\n"
	  "view: id, ts, cpu, pid, comm, system, name, source.\n"
	  "\n"
	  "With --at T it prints instead the state of the traced machine at T,\n"
	  "rebuilt from the events of each trace that covers T: what each CPU ran,\n"
	  "each task's state (running, runnable, D, S, other) and since when, who\n"
	  "was in direct, memcg reclaim or compaction, kswapd and kcompactd per\n"
	  "node, block I/O and writeback in flight, IPIs per CPU over the second\n"
	  "before T, and the meminfo snapshot nearest T. The first --at on a trace\n"
	  "stores checkpoints of the state in the database, so DB must then be\n"
	  "writable (a read-only one is answered, more slowly, without them).\n"
	  "\n"
	  "  -d, --db PATH     database (default ./mmtriage.db, or $MMTRIAGE_DB)\n"
	  "      --from T      only events at or after T\n"
	  "      --to T        only events at or before T\n"
	  "      --filter EXPR only events for which EXPR holds\n"
	  "      --at T        the machine's state at T instead of events\n"
	  "      --source N    with --at: only the trace of source N\n"
	  "\n"
	  "Examples:\n"
	  "  mmtriage replay -d case.db --filter \"name LIKE 'mm_vmscan_%'\"\n"
	  "  mmtriage replay --from 7285.38 --to 7285.39 --filter 'cpu = 1'\n"
	  "  mmtriage replay -d case.db --at 7285.385 --source 2\n",
	  cmd_replay },
	{ "tui", "browse a database: findings, tasks, events, log, counters, slabs",
	  "usage: mmtriage tui [-d DB] [--lenient] [--as KIND] [--kernel REL]\n"
	  "                    [--vmlinux PATH] [PATH...]\n"
	  "\n"
	  "A terminal browser of the database. With paths, ingests them first (into\n"
	  "the database, as `mmtriage ingest` does) and analyzes. Views, switched\n"
	  "with Tab or the number keys: Findings, Tasks, Events, Log, Counters, Slabs.\n"
	  "A time cursor that every time-based view follows moves with < > (1 s),\n"
	  "[ ] (1 ms), { } (findings); space plays it. ? lists every key.\n"
	  "Honours NO_COLOR; works in 80x24, on UTF-8 and ASCII terminals.\n"
	  "\n"
	  "  -d, --db PATH     database (default ./mmtriage.db, or $MMTRIAGE_DB)\n"
	  "      --lenient, --as KIND, --kernel REL, --vmlinux PATH   as for ingest\n"
	  "\n"
	  "Examples:\n"
	  "  mmtriage tui -d case.db\n"
	  "  mmtriage tui -d case.db capture.tar.xz\n",
	  cmd_tui },
	{ "record", "record a live machine's memory-pressure evidence into a capture",
	  "usage: mmtriage record [-o OUT] [--duration S] [--events PRESET|LIST]\n"
	  "                       [--stack EVENTS] [--interval S] [--buffer-kb N]\n"
	  "                       [-q] [-- COMMAND ARGS...]\n"
	  "       mmtriage record --list\n"
	  "\n"
	  "Records, as root, into the capture directory OUT (docs/capture.md): the\n"
	  "trace events of a preset with kernel stacks on chosen events, in its own\n"
	  "tracefs instance (the top-level buffer and other instances are not\n"
	  "touched), as trace.dat (trace-cmd reads it too); /proc snapshots at the\n"
	  "interval; /sys/kernel/slab; the kernel log. All on the trace's clock.\n"
	  "It stops when COMMAND exits, after --duration, or on Ctrl-C or SIGTERM,\n"
	  "keeping what was captured; the instance is removed on every way out.\n"
	  "At the end it says what it cost: events lost, its CPU time, bytes.\n"
	  "\n"
	  "  -o, --output OUT    capture directory, new or empty (default\n"
	  "                      ./mmtriage-capture-HOST-TIME)\n"
	  "      --duration S    stop after S seconds (default: when stopped)\n"
	  "      --events LIST   presets, system or system:event, comma-separated;\n"
	  "                      -ITEM removes (default mm-hang; see --list)\n"
	  "      --stack EVENTS  kernel stacks on these system:event instead of the\n"
	  "                      presets' choice; none for no stacks\n"
	  "      --interval S    seconds between snapshots (default 1)\n"
	  "      --buffer-kb N   ring buffer per CPU (default 8192, less when all CPUs'\n"
	  "                      buffers would pass 1/64 of memory)\n"
	  "      --list          the presets, their events, and which this kernel lacks\n"
	  "  -q, --quiet         say only what went wrong\n"
	  "\n"
	  "My machine hangs under memory pressure, what do I capture?\n"
	  "  mmtriage record -o cap --duration 600    (or: -- ./reproducer)\n"
	  "  mmtriage report cap\n"
	  "\n"
	  "Examples:\n"
	  "  mmtriage record -o cap -- stress-ng --vm 4 --timeout 60\n"
	  "  mmtriage record --events mm-light --duration 3600 -o long\n"
	  "  mmtriage record --events reclaim,-vmscan:mm_vmscan_lru_isolate -o cap\n",
	  cmd_record },
	{ "schema", "print the database schema, with a comment on every column",
	  "usage: mmtriage schema\n"
	  "\n"
	  "Prints the schema files compiled into this binary, in migration order.\n"
	  "\n"
	  "Example:\n"
	  "  mmtriage schema | less\n",
	  cmd_schema },
	{ "gfp", "decode a GFP mask",
	  "usage: mmtriage gfp [--kernel RELEASE] MASK\n"
	  "       mmtriage gfp --layouts\n"
	  "\n"
	  "Prints the flags of MASK and the allocation context they imply (atomic,\n"
	  "nowait, noio, nofs or full reclaim). A bare mask needs the kernel\n"
	  "release, since the bits moved between releases; a mask written with\n"
	  "names, 0x400dc0(GFP_KERNEL|__GFP_ZERO), is taken as written.\n"
	  "\n"
	  "  -k, --kernel RELEASE   the release that printed the mask (e.g. 3.13.0-24)\n"
	  "      --layouts          list the bit layouts and the releases they cover\n"
	  "\n"
	  "Examples:\n"
	  "  mmtriage gfp --kernel 3.13.0 0x8250\n"
	  "  mmtriage gfp '0x100cca(GFP_HIGHUSER_MOVABLE)'\n",
	  cmd_gfp },
	{ "help", "show help for a command",
	  "usage: mmtriage help [COMMAND]\n"
	  "\n"
	  "Example:\n"
	  "  mmtriage help report\n",
	  cmd_help },
	{ NULL, NULL, NULL, NULL },
};

const struct mmt_cmd *mmt_cmd_find(const char *name)
{
	for (const struct mmt_cmd *c = mmt_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void mmt_fputs_safe(const char *s, FILE *out)
{
	struct mmt_sb sb = MMT_SB_INIT;

	mmt_esc_term(&sb, s, strlen(s));
	fputs(mmt_sb_str(&sb), out);
	mmt_sb_free(&sb);
}

void mmt_print_err(const struct mmt_err *err)
{
	mmt_progress_done();
	fputs("mmtriage: ", stderr);
	if (err->path) {
		mmt_fputs_safe(err->path, stderr);
		if (err->line > 0)
			fprintf(stderr, ":%ld", err->line);
		fputs(": ", stderr);
	}
	mmt_fputs_safe(err->msg[0] ? err->msg : "error", stderr);
	fputc('\n', stderr);
}

void mmt_warn_hook(void *ctx, const char *path, long line, const char *msg)
{
	(void)ctx;
	mmt_progress_done();
	fputs("mmtriage: warning: ", stderr);
	mmt_fputs_safe(path, stderr);
	if (line > 0)
		fprintf(stderr, ":%ld", line);
	fputs(": ", stderr);
	mmt_fputs_safe(msg, stderr);
	fputc('\n', stderr);
}

/* Prints a usage text, filling the lists that come from the tables. */
static void print_usage_text(const char *text, FILE *out);

int mmt_print_usage(const char *cmd)
{
	const struct mmt_cmd *c = mmt_cmd_find(cmd);

	if (c)
		print_usage_text(c->usage, stdout);
	return MMT_EXIT_OK;
}

int mmt_usage_error(const char *cmd, const char *fmt, ...)
{
	const struct mmt_cmd *c = mmt_cmd_find(cmd);
	struct mmt_sb msg = MMT_SB_INIT;
	va_list ap;

	/* The message quotes arguments: file names, kinds, values, any bytes. */
	va_start(ap, fmt);
	mmt_sb_vaddf(&msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "mmtriage %s: ", cmd);
	mmt_fputs_safe(mmt_sb_str(&msg), stderr);
	fputc('\n', stderr);
	mmt_sb_free(&msg);
	if (c) {
		const char *end = strchr(c->usage, '\n');

		fprintf(stderr, "%.*s\n", end ? (int)(end - c->usage) : (int)strlen(c->usage),
			c->usage);
		fprintf(stderr, "See 'mmtriage help %s'.\n", cmd);
	}
	return MMT_EXIT_USAGE;
}

const char *mmt_default_db(void)
{
	const char *env = getenv("MMTRIAGE_DB");

	return env && env[0] ? env : "mmtriage.db";
}

/*
 * A command that writes waits for another process's write transaction
 * however long it lasts (an ingest holds one per file or tree: minutes for
 * a large trace), rather than failing with "database is locked" after a
 * fixed time. It says so once, after the first second; Ctrl-C stops the
 * wait (commands that catch it give up at once; the others end).
 */
static bool wait_for_writer(void *ctx, const char *path, double waited)
{
	static bool said;

	(void)ctx;
	if (!said && waited >= 1) {
		mmt_progress_done();
		fputs("mmtriage: ", stderr);
		mmt_fputs_safe(path, stderr);
		fputs(": another process is writing this database; waiting for it to "
		      "finish (Ctrl-C to stop)\n", stderr);
		said = true;
	}
	return !mmt_interrupted();
}

struct mmt_store *mmt_open_store(const char *path, unsigned flags)
{
	struct mmt_store *st;
	struct mmt_err err = { 0 };

	mmt_store_default_wait(wait_for_writer, NULL);
	if (mmt_store_open(&st, path, flags, &err) < 0) {
		mmt_print_err(&err);
		return NULL;
	}
	return st;
}

static void on_signal(int sig)
{
	(void)sig;
	mmt_request_interrupt();
	/* A second Ctrl-C ends the process at once; SQLite's journal keeps the file whole. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

void mmt_catch_interrupts(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static bool progress_shown;

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* ", 12.3 MB/s, 40 s left" once a second of the file has been read. */
static void print_rate(uint64_t done, uint64_t total, double elapsed)
{
	double rate = elapsed > 0 ? (double)done / elapsed : 0;

	if (elapsed < 1 || rate <= 0)
		return;
	fprintf(stderr, ", %.1f MB/s", rate / 1e6);
	if (total > done)
		fprintf(stderr, ", %.0f s left", (double)(total - done) / rate);
}

void mmt_progress(void *ctx, const char *path, uint64_t done, uint64_t total)
{
	static struct timespec last, start;
	static const char *file;
	struct timespec now;

	(void)ctx;
	if (!isatty(STDERR_FILENO))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* A new file (or the first call) restarts the clock of the rate. */
	if (path != file || done == 0) {
		file = path;
		start = now;
	}
	if (progress_shown && seconds_between(&last, &now) < 0.2)
		return;
	last = now;
	fputs("\r\033[K", stderr);
	mmt_fputs_safe(path ? path : "", stderr);
	fprintf(stderr, ": %3.0f%% (%.1f of %.1f MB", total ? 100.0 * (double)done / (double)total : 0,
		(double)done / 1e6, (double)total / 1e6);
	print_rate(done, total, seconds_between(&start, &now));
	fputc(')', stderr);
	progress_shown = true;
}

void mmt_progress_done(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		progress_shown = false;
	}
}

static void list_kinds(FILE *out)
{
	for (size_t i = 0; mmt_parsers[i]; i++)
		fprintf(out, "  %-14s %s\n", mmt_parsers[i]->name, mmt_parsers[i]->help);
}

static void list_analyzers(FILE *out)
{
	for (size_t i = 0; mmt_analyzers[i]; i++)
		fprintf(out, "  %-14s %s\n", mmt_analyzers[i]->name, mmt_analyzers[i]->help);
}

static void print_usage_text(const char *text, FILE *out)
{
	const char *p;

	while ((p = strchr(text, '%'))) {
		fwrite(text, 1, (size_t)(p - text), out);
		if (!strncmp(p, "%KINDS%", 7)) {
			list_kinds(out);
			text = p + 7;
		} else if (!strncmp(p, "%ANALYZERS%", 11)) {
			list_analyzers(out);
			text = p + 11;
		} else {
			fputc('%', out);
			text = p + 1;
		}
	}
	fputs(text, out);
}
