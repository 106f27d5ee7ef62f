/*
 * What a capture says about the machine and the recording: capture.info
 * (docs/capture.md, docs/record.md) and the task names the trace carries.
 */
#include "cmd/record/record.h"
#include "core/xalloc.h"
#include "mmt_version.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* The first line of a small file, without its newline; "" when unreadable. */
static void first_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f && fgets(buf, (int)n, f))
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

static long long boot_time(void)
{
	FILE *f = fopen("/proc/stat", "re");
	char line[256];
	long long btime = 0;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "btime ", 6)) {
			btime = strtoll(line + 6, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return btime;
}

/* A value on one line: control characters (a newline in a command) as '?'. */
static void put_value(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s=", key);
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
	fputc('\n', f);
}

static void put_command(FILE *f, char **argv)
{
	struct mmt_sb sb = MMT_SB_INIT;

	for (size_t i = 0; argv && argv[i]; i++)
		mmt_sb_addf(&sb, "%s%s", i ? " " : "", argv[i]);
	if (sb.len)
		put_value(f, "command", sb.buf);
	mmt_sb_free(&sb);
}

static void put_machine(FILE *f)
{
	struct utsname u;
	char boot_id[64];

	if (uname(&u) == 0) {
		put_value(f, "hostname", u.nodename);
		put_value(f, "kernel", u.release);
	}
	first_line("/proc/sys/kernel/random/boot_id", boot_id, sizeof(boot_id));
	put_value(f, "boot_id", boot_id);
	fprintf(f, "btime=%lld\n", boot_time());
	fprintf(f, "page_size=%ld\n", sysconf(_SC_PAGESIZE));
	fprintf(f, "cpus=%d\n", (int)sysconf(_SC_NPROCESSORS_CONF));
}

static void put_start(FILE *f, const struct recorder *r)
{
	fprintf(f, "started=%.6f\n", r->clk.wall);
	fprintf(f, "uptime_at_start=%.9f\n", r->clk.local);
	fprintf(f, "clock_offset=%.9f\n", r->clk.wall - r->clk.local);
	fprintf(f, "clock_uncertainty_us=%.1f\n", r->clk.uncertainty * 1e6);
	fprintf(f, "trace_clock=global\n");
	fprintf(f, "interval=%g\n", r->o.interval);
	fprintf(f, "recorder=mmtriage %s\n", MMT_VERSION);
	put_value(f, "events", r->o.events);
	fprintf(f, "events_enabled=%zu\n", r->tr.nenabled);
	fprintf(f, "stacks_on=%zu\n", r->tr.nstacks);
	fprintf(f, "buffer_kb=%lu\n", r->o.buffer_kb);
	put_command(f, r->o.command);
}

static void put_outcome(FILE *f, const struct recorder *r)
{
	fprintf(f, "duration_s=%.3f\n", r->t1_mono - r->t0_mono);
	put_value(f, "stopped_by", r->stopped_by ? r->stopped_by : "error");
	if (r->child_done && WIFEXITED(r->child_status))
		fprintf(f, "workload_status=%d\n", WEXITSTATUS(r->child_status));
	else if (r->child_done && WIFSIGNALED(r->child_status))
		fprintf(f, "workload_signal=%d\n", WTERMSIG(r->child_status));
	fprintf(f, "events_recorded=%llu\n", (unsigned long long)r->counts.events);
	fprintf(f, "events_lost=%llu\n", (unsigned long long)r->lost);
	fprintf(f, "events_lost_per_cpu=");
	for (int cpu = 0; cpu < r->tr.ncpus; cpu++)
		fprintf(f, "%s%llu", cpu ? "," : "",
			(unsigned long long)(r->lost_cpu ? r->lost_cpu[cpu] : 0));
	fputc('\n', f);
	fprintf(f, "snapshots=%llu\n", (unsigned long long)(r->snap ? rec_snap_samples(r->snap) : 0));
	fprintf(f, "kmsg_records=%llu\n", (unsigned long long)(r->kmsg ? rec_kmsg_records(r->kmsg) : 0));
	fprintf(f, "kmsg_lost=%llu\n", (unsigned long long)(r->kmsg ? rec_kmsg_lost(r->kmsg) : 0));
	fprintf(f, "recorder_cpu_s=%.3f\n", r->cpu_recording);
	fprintf(f, "recorder_cpu_pct=%.2f\n",
		r->t1_mono > r->t0_mono ? 100 * r->cpu_recording / (r->t1_mono - r->t0_mono) : 0);
	fprintf(f, "setup_cpu_s=%.3f\n", r->cpu_setup);
	fprintf(f, "finish_cpu_s=%.3f\n", r->cpu_finish);
}

int rec_write_info(const struct recorder *r, bool final, char *why, size_t n)
{
	char path[4096], tmp[4096];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/capture.info", r->o.out);
	snprintf(tmp, sizeof(tmp), "%s/.capture.info.tmp", r->o.out);
	f = fopen(tmp, "we");
	if (!f) {
		snprintf(why, n, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	fputs("format=mmtriage-capture 1\n", f);
	put_machine(f);
	put_start(f, r);
	if (final)
		put_outcome(f, r);
	rc = ferror(f) | fclose(f);
	if (rc || rename(tmp, path) < 0) {
		snprintf(why, n, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Adds "PID COMM" for every thread of a process. */
static void scan_threads(struct recorder *r, const char *pid)
{
	char dir[64];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "/proc/%s/task", pid);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		char path[128], comm[64];

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
		first_line(path, comm, sizeof(comm));
		if (comm[0])
			mmt_sb_addf(&r->cmdlines, "%s %s\n", e->d_name, comm);
	}
	if (d)
		closedir(d);
}

void rec_scan_tasks(struct recorder *r)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
			scan_threads(r, e->d_name);
	if (d)
		closedir(d);
}

void rec_uname(char *buf, size_t n)
{
	struct utsname u;

	if (uname(&u) < 0)
		snprintf(buf, n, "Linux");
	else
		snprintf(buf, n, "%s %s %s %s", u.sysname, u.nodename, u.release, u.machine);
}
