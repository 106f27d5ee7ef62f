/*
 * The recording loop and its end. One thread: every 100 ms the CPUs'
 * filled pages are spliced to their files (a 8 MiB per-CPU buffer holds
 * seconds of the heaviest load, so the loop can be late without losing
 * anything), snapshots are taken at the interval, the kernel log is read
 * as it arrives, and signals and the workload's exit come through a
 * signalfd, so that nothing runs in a signal handler.
 */
#include "cmd/cmd.h"
#include "cmd/record/record.h"
#include "core/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <tracefs.h>
#include <unistd.h>

#define DRAIN_EVERY 0.1
/* Space kept free on the capture's filesystem, beyond what trace.dat needs. */
#define SPACE_RESERVE (64ull << 20)

double rec_mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double rec_wall_now(const struct recorder *r)
{
	return r->clk.wall + (rec_mono_now() - r->clk.mono);
}

double rec_cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static uint64_t largest_raw(const struct recorder *r)
{
	uint64_t big = 0;

	for (int cpu = 0; cpu < r->tr.ncpus; cpu++)
		if (r->tr.raw_bytes[cpu] > big)
			big = r->tr.raw_bytes[cpu];
	return big;
}

/* Assembling trace.dat copies one CPU's pages at a time: that much must stay free. */
static bool space_left(const struct recorder *r)
{
	struct statvfs sv;

	if (statvfs(r->o.out, &sv) < 0)
		return true;
	return (uint64_t)sv.f_bavail * sv.f_frsize > SPACE_RESERVE + largest_raw(r) + (8u << 20);
}

static void on_signal(struct recorder *r)
{
	struct signalfd_siginfo si;

	while (read(r->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			int status;

			if (r->child > 0 && waitpid(r->child, &status, WNOHANG) == r->child) {
				r->child_done = true;
				r->child_status = status;
				if (!r->stopped_by)
					r->stopped_by = "command";
			}
			continue;
		}
		if (!r->stopped_by)
			r->stopped_by = si.ssi_signo == SIGINT ? "SIGINT"
				      : si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGHUP";
		/* The workload is the recorder's: it stops with it. */
		if (r->child > 0 && !r->child_done)
			kill(r->child, (int)si.ssi_signo);
	}
}

static uint64_t lost_now(struct recorder *r)
{
	uint64_t lost = 0;

	for (int cpu = 0; cpu < r->tr.ncpus; cpu++) {
		char *text = rec_tracer_stats_text(&r->tr, cpu);

		if (text)
			lost += rec_stats_lost(text);
		free(text);
	}
	return lost;
}

static uint64_t raw_total(const struct recorder *r)
{
	uint64_t sum = 0;

	for (int cpu = 0; cpu < r->tr.ncpus; cpu++)
		sum += r->tr.raw_bytes[cpu];
	return sum;
}

static void show_progress(struct recorder *r, double now)
{
	uint64_t lost = lost_now(r);

	fprintf(stderr, "\rrecording %.0f s: %.1f MB of trace, %llu snapshots, %llu lost%s\033[K",
		now - r->t0_mono, raw_total(r) / 1e6,
		(unsigned long long)rec_snap_samples(r->snap), (unsigned long long)lost,
		lost ? " (see --buffer-kb)" : "");
	fflush(stderr);
}

static int take_snapshot(struct recorder *r, char *why, size_t n)
{
	struct mmt_err err = { 0 };

	if (rec_snap_take(r->snap, rec_wall_now(r), &err) < 0) {
		snprintf(why, n, "%s", err.msg);
		return -1;
	}
	return 0;
}

static int pump_kmsg(struct recorder *r, char *why, size_t n)
{
	struct mmt_err err = { 0 };

	if (r->kmsg && rec_kmsg_pump(r->kmsg, &err) < 0) {
		snprintf(why, n, "%s", err.msg);
		return -1;
	}
	return 0;
}

/* Milliseconds until the nearest of the loop's deadlines. */
static int wait_ms(double now, double next_drain, double next_snap, double end)
{
	double soonest = next_drain < next_snap ? next_drain : next_snap;

	if (end > 0 && end < soonest)
		soonest = end;
	return soonest <= now ? 0 : (int)((soonest - now) * 1000) + 1;
}

static int drain(struct recorder *r, bool final, char *why, size_t n)
{
	if (rec_tracer_drain(&r->tr, final) < 0) {
		r->write_failed = true;
		snprintf(why, n, "%s: writing the trace: %s", r->o.out, strerror(errno));
		return -1;
	}
	return 0;
}

/* One turn of the loop: what is due now. */
static int turn(struct recorder *r, double now, double *next_drain, double *next_snap,
		double *next_check, char *why, size_t n)
{
	if (now >= *next_drain) {
		if (drain(r, false, why, n) < 0)
			return -1;
		*next_drain = now + DRAIN_EVERY;
	}
	if (now >= *next_snap) {
		if (take_snapshot(r, why, n) < 0)
			return -1;
		*next_snap += r->o.interval;
		if (*next_snap <= now)
			*next_snap = now + r->o.interval;
	}
	if (now >= *next_check) {
		if (!space_left(r) && !r->stopped_by)
			r->stopped_by = "disk_space";
		if (r->progress)
			show_progress(r, now);
		*next_check = now + 1;
	}
	return 0;
}

int rec_run(struct recorder *r)
{
	double now = rec_mono_now();
	double end = r->o.duration > 0 ? r->t0_mono + r->o.duration : 0;
	double next_drain = now + DRAIN_EVERY, next_snap = now;
	double next_check = now + 1;
	char why[512];

	while (!r->stopped_by) {
		struct pollfd pf[2] = { { r->sigfd, POLLIN, 0 },
					{ r->kmsg ? rec_kmsg_fd(r->kmsg) : -1, POLLIN, 0 } };
		int ready = poll(pf, 2, wait_ms(now, next_drain, next_snap, end));

		if (ready < 0 && errno != EINTR)
			break;
		if (pf[0].revents & POLLIN)
			on_signal(r);
		if ((pf[1].revents & (POLLIN | POLLERR | POLLPRI)) &&
		    pump_kmsg(r, why, sizeof(why)) < 0)
			goto failed;
		now = rec_mono_now();
		if (end > 0 && now >= end && !r->stopped_by)
			r->stopped_by = "duration";
		if (turn(r, now, &next_drain, &next_snap, &next_check, why, sizeof(why)) < 0)
			goto failed;
	}
	return 0;
failed:
	r->stopped_by = "error";
	fputs("mmtriage record: ", stderr);
	mmt_fputs_safe(why, stderr);
	fputc('\n', stderr);
	return -1;
}

static void collect_lost(struct recorder *r, char **stats)
{
	r->lost_cpu = xcalloc((size_t)r->tr.ncpus, sizeof(*r->lost_cpu));
	r->lost = 0;
	for (int cpu = 0; cpu < r->tr.ncpus; cpu++) {
		stats[cpu] = rec_tracer_stats_text(&r->tr, cpu);
		r->lost_cpu[cpu] = stats[cpu] ? rec_stats_lost(stats[cpu]) : 0;
		r->lost += r->lost_cpu[cpu];
	}
}

static char **raw_paths(const struct recorder *r)
{
	char **paths = xcalloc((size_t)r->tr.ncpus, sizeof(*paths));

	for (int cpu = 0; cpu < r->tr.ncpus; cpu++) {
		struct mmt_sb sb = MMT_SB_INIT;

		mmt_sb_addf(&sb, "%s/.cpu%d.raw", r->o.out, cpu);
		paths[cpu] = mmt_sb_detach(&sb);
	}
	return paths;
}

static void free_list(char **list, int n)
{
	for (int i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
}

static char *read_clock_text(struct rec_tracer *t)
{
	char *text = tracefs_instance_file_read(t->inst, "trace_clock", NULL);

	return text ? text : xstrdup("[local]\n");
}

static int write_trace(struct recorder *r, char **stats, char *why, size_t n)
{
	char **raws = raw_paths(r);
	char uname_line[512], path[4096];
	char *clock_text = read_clock_text(&r->tr);
	struct rec_tdat_in in = {
		.tracing_dir = r->tr.tracing_dir, .kallsyms = "/proc/kallsyms",
		.enabled = r->tr.enabled, .nenabled = r->tr.nenabled, .ncpus = r->tr.ncpus,
		.raw_paths = raws, .cpustats = stats, .clock_text = clock_text,
		.extra_cmdlines = mmt_sb_str(&r->cmdlines), .uname = uname_line,
	};
	int rc;

	rec_uname(uname_line, sizeof(uname_line));
	snprintf(path, sizeof(path), "%s/trace.dat", r->o.out);
	rc = rec_tdat_write(path, &in, &r->counts, why, n);
	for (int cpu = 0; cpu < r->tr.ncpus; cpu++)
		unlink(raws[cpu]);
	free(clock_text);
	free_list(raws, r->tr.ncpus);
	return rc;
}

/* The samplers' last word: a final snapshot, the log, caches created meanwhile. */
static int finish_samplers(struct recorder *r, char *why, size_t n)
{
	struct mmt_err err = { 0 };

	if (take_snapshot(r, why, n) < 0 || pump_kmsg(r, why, n) < 0)
		return -1;
	if (rec_copy_slab(r->o.out, "/sys/kernel/slab", &r->snap_bytes, &err) < 0) {
		snprintf(why, n, "%s", err.msg);
		return -1;
	}
	return 0;
}

/*
 * A command still running when the recording ends (by --duration, the
 * disk, an error) is the recorder's: it gets SIGTERM and a moment to exit.
 */
static void stop_command(struct recorder *r)
{
	if (r->child <= 0 || r->child_done)
		return;
	kill(r->child, SIGTERM);
	for (int i = 0; i < 200 && !r->child_done; i++) {
		int status;

		if (waitpid(r->child, &status, WNOHANG) == r->child) {
			r->child_done = true;
			r->child_status = status;
			break;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);	/* 10 ms */
	}
}

/*
 * The trace could not be written (rec_run said why): its pages are of no
 * use without the header, so they go; capture.info says what happened,
 * if there is room for it.
 */
static int give_up(struct recorder *r, char **stats)
{
	char why[512];
	char **raws = raw_paths(r);

	collect_lost(r, stats);
	for (int cpu = 0; cpu < r->tr.ncpus; cpu++)
		unlink(raws[cpu]);
	free_list(raws, r->tr.ncpus);
	free_list(stats, r->tr.ncpus);
	r->cpu_total = rec_cpu_seconds();
	rec_write_info(r, true, why, sizeof(why));
	return -1;
}

int rec_finish(struct recorder *r)
{
	char **stats = xcalloc((size_t)r->tr.ncpus, sizeof(*stats));
	char why[512] = "";
	int rc;

	rec_tracer_set_on(&r->tr, false);
	r->t1_mono = rec_mono_now();
	r->cpu_recording = rec_cpu_seconds() - r->cpu_setup;
	stop_command(r);
	if (r->write_failed)
		return give_up(r, stats);
	rc = drain(r, true, why, sizeof(why));
	if (r->progress)
		fputs("\r\033[K", stderr);
	collect_lost(r, stats);
	if (!rc)
		rc = finish_samplers(r, why, sizeof(why));
	rec_scan_tasks(r);
	if (!rc)
		rc = write_trace(r, stats, why, sizeof(why));
	r->cpu_total = rec_cpu_seconds();
	r->cpu_finish = r->cpu_total - r->cpu_setup - r->cpu_recording;
	if (!rc)
		rc = rec_write_info(r, true, why, sizeof(why));
	if (rc) {
		fputs("mmtriage record: ", stderr);
		mmt_fputs_safe(why, stderr);
		fputc('\n', stderr);
	}
	free_list(stats, r->tr.ncpus);
	return rc;
}
