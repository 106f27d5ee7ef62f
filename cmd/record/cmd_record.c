/*
 * `mmtriage record`: options, the capture directory, and the order in
 * which the recording is set up and taken down. Every step that changes
 * the machine (the instance, a tracefs mount) is undone by rec_close on
 * every way out; a fatal signal removes the instance from its handler.
 */
#include "cmd/cmd.h"
#include "cmd/record/record.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The buffer per CPU unless --buffer-kb: seconds of 100,000 events/s on one CPU. */
#define DEFAULT_BUFFER_KB 8192ul
/* All CPUs' buffers together take at most this share of MemTotal. */
#define BUFFER_SHARE_OF_RAM 64

static unsigned long mem_total_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long kb = 0;
	char line[128];

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "MemTotal:", 9)) {
			kb = strtoul(line + 9, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return kb;
}

static unsigned long default_buffer_kb(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	unsigned long cap = mem_total_kb() / BUFFER_SHARE_OF_RAM / (unsigned long)(cpus > 0 ? cpus : 1);

	if (cap && cap < DEFAULT_BUFFER_KB)
		return cap < 1024 ? 1024 : cap;
	return DEFAULT_BUFFER_KB;
}

/* mmtriage-capture-HOST-20261122T101500, HOST reduced to safe characters. */
static char *default_out(void)
{
	char host[64] = "", stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	struct mmt_sb sb = MMT_SB_INIT;

	gethostname(host, sizeof(host) - 1);
	for (char *p = host; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			*p = '_';
	(void)gmtime_r(&now, &tm);	/* the current time fits */
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	mmt_sb_addf(&sb, "mmtriage-capture-%s-%s", host[0] ? host : "host", stamp);
	return mmt_sb_detach(&sb);
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = d != NULL;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	if (d)
		closedir(d);
	errno = EEXIST;
	return empty;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	return remove(path);
}

/* A capture that failed before it began is removed: it holds nothing yet. */
static void remove_out(const char *out)
{
	nftw(out, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The capture directory: new, or empty. Mode 0700: it holds kernel addresses. */
static int make_out(const char *out, char *why, size_t n)
{
	struct statvfs sv;

	if (mkdir(out, 0700) < 0 && (errno != EEXIST || !dir_is_empty(out))) {
		snprintf(why, n, "%s: %s", out,
			 errno == EEXIST || errno == ENOTEMPTY
				 ? "exists and is not empty; give another -o"
				 : strerror(errno));
		return -1;
	}
	if (statvfs(out, &sv) == 0 && (uint64_t)sv.f_bavail * sv.f_frsize < (96ull << 20)) {
		snprintf(why, n, "%s: only %llu MiB free; recording stops when 64 MiB are left",
			 out, (unsigned long long)((uint64_t)sv.f_bavail * sv.f_frsize >> 20));
		rmdir(out);
		return -1;
	}
	return 0;
}

static int parse_seconds(const char *opt, const char *s, double min, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !isfinite(v) || v < min)
		return mmt_usage_error("record", "%s wants seconds >= %g, not '%s'", opt, min, s);
	*out = v;
	return 0;
}

static int parse_kb(const char *s, unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end || v < 64 || v > (16ul << 20))
		return mmt_usage_error("record", "--buffer-kb wants 64 to 16777216, not '%s'", s);
	*out = v;
	return 0;
}

static bool kernel_has(const char *system, const char *event)
{
	return rec_event_exists("/sys/kernel/tracing", system, event);
}

static int list_presets(void)
{
	struct stat sb;
	bool readable = stat("/sys/kernel/tracing/events", &sb) == 0;

	rec_presets_list(stdout, readable ? kernel_has : NULL);
	return MMT_EXIT_OK;
}

enum { OPT_EVENTS = 256, OPT_STACK, OPT_INTERVAL, OPT_BUFFER, OPT_DURATION, OPT_LIST };

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "stack", required_argument, NULL, OPT_STACK },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "buffer-kb", required_argument, NULL, OPT_BUFFER },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct rec_opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "+o:qh", long_opts, NULL)) != -1) {
		int rc = 0;

		switch (c) {
		case 'o': o->out = optarg; break;
		case 'q': o->quiet = true; break;
		case 'h': return mmt_print_usage("record");
		case OPT_LIST: return list_presets();
		case OPT_EVENTS: o->events = optarg; break;
		case OPT_STACK: o->stack = optarg; break;
		case OPT_DURATION: rc = parse_seconds("--duration", optarg, 0.1, &o->duration); break;
		case OPT_INTERVAL: rc = parse_seconds("--interval", optarg, 0.1, &o->interval); break;
		case OPT_BUFFER: rc = parse_kb(optarg, &o->buffer_kb); break;
		default: return MMT_EXIT_USAGE;
		}
		if (rc)
			return rc;
	}
	if (optind < argc)
		o->command = argv + optind;
	return -1;
}

static int resolve_events(struct recorder *r)
{
	char why[256];

	if (rec_events_parse(r->o.events, &r->set, why, sizeof(why)) < 0 ||
	    (r->o.stack && rec_stack_parse(r->o.stack, &r->set, why, sizeof(why)) < 0))
		return mmt_usage_error("record", "%s", why);
	return 0;
}

static void on_fatal(int sig)
{
	/* Async-signal-safe: open, write, close, close_range and rmdir only. */
	rec_tracer_emergency_stop();	/* NOLINT(bugprone-signal-handler) */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* SIGINT, SIGTERM, SIGHUP and SIGCHLD arrive through a signalfd. */
static int catch_signals(struct recorder *r)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &r->old_mask);
	r->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], on_fatal);
	return r->sigfd < 0 ? -1 : 0;
}

/* "mmtriage record: " what, then text, which names paths: escaped. */
static void say(const char *what, const char *text)
{
	fputs("mmtriage record: ", stderr);
	fputs(what, stderr);
	mmt_fputs_safe(text, stderr);
	fputc('\n', stderr);
}

static int start_command(struct recorder *r, char *why, size_t n)
{
	r->child = fork();
	if (r->child < 0) {
		snprintf(why, n, "cannot start %s: %s", r->o.command[0], strerror(errno));
		return -1;
	}
	if (r->child == 0) {
		sigprocmask(SIG_SETMASK, &r->old_mask, NULL);
		signal(SIGPIPE, SIG_DFL);
		/*
		 * libtracefs opens the raw buffers without O_CLOEXEC: a child
		 * of the command outliving it would keep the instance busy.
		 */
		syscall(SYS_close_range, 3u, ~0u, 0u);
		execvp(r->o.command[0], r->o.command);
		snprintf(why, n, "%s: %s", r->o.command[0], strerror(errno));
		say("cannot run ", why);
		_exit(127);
	}
	return 0;
}

static int open_samplers(struct recorder *r, char *why, size_t n)
{
	struct mmt_err err = { 0 };

	r->snap = rec_snap_open(r->o.out, "/proc", &err);
	if (!r->snap || rec_copy_slab(r->o.out, "/sys/kernel/slab", &r->snap_bytes, &err) < 0) {
		snprintf(why, n, "%s", err.msg);
		return -1;
	}
	r->kmsg = rec_kmsg_open(r->o.out, "/dev/kmsg", &err);
	if (!r->kmsg && !r->o.quiet)
		say("no kernel log: ", err.msg);
	for (size_t i = 0; rec_snap_unreadable(r->snap, i); i++)
		if (!r->o.quiet)
			say("not sampled: ", rec_snap_unreadable(r->snap, i));
	return 0;
}

/* Everything up to the moment tracing is switched on. */
static int set_up(struct recorder *r, char *why, size_t n)
{
	if (rec_tracefs_ready(&r->tr, why, n) < 0 || make_out(r->o.out, why, n) < 0)
		return -1;
	r->out_made = true;
	rec_remove_stale(stderr);
	if (rec_tracer_open(&r->tr, r->o.out, r->o.buffer_kb, why, n) < 0 ||
	    rec_tracer_calibrate(&r->tr, &r->clk, why, n) < 0 ||
	    rec_tracer_set_on(&r->tr, false) < 0)
		return -1;
	if (!rec_tracer_enable(&r->tr, &r->set, stderr)) {
		snprintf(why, n, "none of the events asked for exists in this kernel");
		return -1;
	}
	rec_scan_tasks(r);
	if (rec_write_info(r, false, why, n) < 0 || open_samplers(r, why, n) < 0)
		return -1;
	return 0;
}

static void say_start(const struct recorder *r)
{
	if (r->o.quiet)
		return;
	fprintf(stderr, "mmtriage record: %zu events (%zu with kernel stacks) on %d CPUs, "
		"%lu KiB per CPU, snapshots every %g s, into ", r->tr.nenabled, r->tr.nstacks,
		r->tr.ncpus, r->o.buffer_kb, r->o.interval);
	mmt_fputs_safe(r->o.out, stderr);
	if (r->o.command)
		fputs("; until the command exits", stderr);
	else if (r->o.duration > 0)
		fprintf(stderr, "; for %g s", r->o.duration);
	fputs("; Ctrl-C stops\n", stderr);
}

static uint64_t tree_bytes;

static int add_size(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	if (type == FTW_F)
		tree_bytes += (uint64_t)sb->st_size;
	return 0;
}

/* What the capture holds on disk, every file counted. */
static uint64_t dir_bytes(const char *dir)
{
	tree_bytes = 0;
	nftw(dir, add_size, 16, FTW_PHYS);
	return tree_bytes;
}

static void say_cost(const struct recorder *r)
{
	double secs = r->t1_mono - r->t0_mono;
	uint64_t bytes = dir_bytes(r->o.out);

	if (r->o.quiet && !r->lost)
		return;
	fprintf(stderr, "mmtriage record: stopped by %s after %.1f s\n",
		r->stopped_by ? r->stopped_by : "error", secs);
	fprintf(stderr, "  events: %llu recorded, %llu lost\n",
		(unsigned long long)r->counts.events, (unsigned long long)r->lost);
	fprintf(stderr, "  snapshots: %llu; kernel log: %llu records, %llu lost\n",
		(unsigned long long)rec_snap_samples(r->snap),
		(unsigned long long)rec_kmsg_records(r->kmsg),
		(unsigned long long)rec_kmsg_lost(r->kmsg));
	fprintf(stderr, "  recorder CPU: %.2f s while recording (%.1f%% of one core); "
		"%.2f s to set up, %.2f s to finish\n", r->cpu_recording,
		secs > 0 ? 100 * r->cpu_recording / secs : 0, r->cpu_setup, r->cpu_finish);
	fprintf(stderr, "  written: %llu bytes (trace.dat %llu)\n", (unsigned long long)bytes,
		(unsigned long long)r->counts.bytes);
	if (r->lost)
		fprintf(stderr, "mmtriage record: warning: %llu events were lost: the buffers "
			"filled faster than they were read; try --buffer-kb %lu or fewer events "
			"(--events mm-light)\n", (unsigned long long)r->lost, r->o.buffer_kb * 4);
	if (r->child_done && WIFEXITED(r->child_status) && WEXITSTATUS(r->child_status))
		fprintf(stderr, "mmtriage record: the command exited with status %d\n",
			WEXITSTATUS(r->child_status));
}

static void rec_close(struct recorder *r)
{
	rec_tracer_close(&r->tr);
	rec_snap_close(r->snap);
	rec_kmsg_close(r->kmsg);
	rec_event_set_free(&r->set);
	mmt_sb_free(&r->cmdlines);
	free(r->lost_cpu);
	if (r->sigfd >= 0)
		close(r->sigfd);
	sigprocmask(SIG_SETMASK, &r->old_mask, NULL);
}

static int record(struct recorder *r)
{
	char why[512] = "";
	int rc;

	if (catch_signals(r) < 0 || set_up(r, why, sizeof(why)) < 0)
		goto failed;
	say_start(r);
	r->t0_mono = rec_mono_now();
	r->cpu_setup = rec_cpu_seconds();
	if (rec_tracer_set_on(&r->tr, true) < 0) {
		snprintf(why, sizeof(why), "cannot switch tracing on: %s", strerror(errno));
		goto failed;
	}
	if (r->o.command && start_command(r, why, sizeof(why)) < 0) {
		fputs("mmtriage record: ", stderr);
		mmt_fputs_safe(why, stderr);
		fputc('\n', stderr);
		r->stopped_by = "error";
	}
	rc = rec_run(r) | (r->child <= 0 && r->o.command);

	rc |= rec_finish(r);
	say_cost(r);
	return rc ? MMT_EXIT_FAIL : MMT_EXIT_OK;
failed:
	fputs("mmtriage record: ", stderr);
	mmt_fputs_safe(why[0] ? why : strerror(errno), stderr);
	fputc('\n', stderr);
	if (r->out_made)
		remove_out(r->o.out);
	return MMT_EXIT_FAIL;
}

int cmd_record(int argc, char **argv)
{
	struct recorder r = { .sigfd = -1 };
	char *out = NULL;
	int rc;

	r.o.interval = 1;
	r.o.events = rec_default_preset;
	r.o.buffer_kb = default_buffer_kb();
	rc = parse_args(argc, argv, &r.o);
	if (rc >= 0)
		return rc;
	if (!r.o.out)
		r.o.out = out = default_out();
	r.progress = !r.o.quiet && isatty(STDERR_FILENO);
	rc = resolve_events(&r);
	if (!rc)
		rc = record(&r);
	rec_close(&r);
	free(out);
	return rc;
}
