/*
 * The recorder's tracefs instance (tracer.h). Only files under
 * instances/mmtriage-PID are written; the top level is read (formats,
 * kallsyms) but never changed.
 */
#include "cmd/record/tracer.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <kbuffer.h>
#include <mntent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <tracefs.h>
#include <unistd.h>

#define DEFAULT_TRACING "/sys/kernel/tracing"

/* What a fatal signal handler needs, prepared in advance. */
static char emergency_on_path[512];
static char emergency_dir[512];

/* The tracefs mount point from /proc/self/mounts, or "" when none. */
static void find_tracefs(char *out, size_t n)
{
	FILE *f = setmntent("/proc/self/mounts", "r");
	struct mntent *m;

	out[0] = '\0';
	while (f && (m = getmntent(f)))
		if (!strcmp(m->mnt_type, "tracefs")) {
			snprintf(out, n, "%s", m->mnt_dir);
			if (!strcmp(m->mnt_dir, DEFAULT_TRACING))
				break;
		}
	if (f)
		endmntent(f);
}

int rec_tracefs_ready(struct rec_tracer *t, char *why, size_t n)
{
	find_tracefs(t->tracing_dir, sizeof(t->tracing_dir));
	if (!t->tracing_dir[0]) {
		if (geteuid() != 0) {
			snprintf(why, n, "tracefs is not mounted; as root: mount -t tracefs nodev %s",
				 DEFAULT_TRACING);
			return -1;
		}
		if (mount("nodev", DEFAULT_TRACING, "tracefs", 0, NULL) < 0) {
			snprintf(why, n, "tracefs is not mounted and mounting it at %s failed: %s",
				 DEFAULT_TRACING, strerror(errno));
			return -1;
		}
		t->mounted_here = true;
		snprintf(t->tracing_dir, sizeof(t->tracing_dir), "%s", DEFAULT_TRACING);
	}
	if (access(t->tracing_dir, W_OK) < 0 ||
	    access(t->tracing_dir, R_OK | X_OK) < 0) {
		snprintf(why, n, "%s: %s; recording needs root (or write access to tracefs)",
			 t->tracing_dir, strerror(errno));
		return -1;
	}
	tracefs_set_tracing_dir(t->tracing_dir);
	return 0;
}

/* An instance name "mmtriage-PID": its PID, or 0. */
static pid_t recorder_pid(const char *name)
{
	char *end;
	long pid;

	if (strncmp(name, "mmtriage-", 9))
		return 0;
	pid = strtol(name + 9, &end, 10);
	return *end || pid <= 0 ? 0 : (pid_t)pid;
}

static int stale_one(const char *name, void *ctx)
{
	pid_t pid = recorder_pid(name);
	struct tracefs_instance *inst;

	if (!pid || pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
		return 0;
	inst = tracefs_instance_alloc(NULL, name);
	if (inst && tracefs_instance_destroy(inst) == 0)
		fprintf((FILE *)ctx, "mmtriage record: removed instance %s, left by a recorder "
			"that was killed\n", name);
	tracefs_instance_free(inst);
	return 0;
}

void rec_remove_stale(FILE *log)
{
	tracefs_instances_walk(stale_one, log);
}

static int open_raw_files(struct rec_tracer *t, const char *dir, char *why, size_t n)
{
	t->tcpu = xcalloc((size_t)t->ncpus, sizeof(*t->tcpu));
	t->raw_fd = xcalloc((size_t)t->ncpus, sizeof(*t->raw_fd));
	t->raw_bytes = xcalloc((size_t)t->ncpus, sizeof(*t->raw_bytes));
	for (int cpu = 0; cpu < t->ncpus; cpu++)
		t->raw_fd[cpu] = -1;
	for (int cpu = 0; cpu < t->ncpus; cpu++) {
		char path[4096];

		t->tcpu[cpu] = tracefs_cpu_open(t->inst, cpu, true);
		if (!t->tcpu[cpu]) {
			snprintf(why, n, "cannot read the buffer of CPU %d: %s", cpu, strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "%s/.cpu%d.raw", dir, cpu);
		t->raw_fd[cpu] = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (t->raw_fd[cpu] < 0) {
			snprintf(why, n, "%s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void prepare_emergency(struct rec_tracer *t)
{
	char *dir = tracefs_instance_get_dir(t->inst);

	if (!dir || !strstr(dir, "/instances/")) {
		free(dir);
		return;
	}
	snprintf(emergency_dir, sizeof(emergency_dir), "%s", dir);
	snprintf(emergency_on_path, sizeof(emergency_on_path), "%s/tracing_on", dir);
	free(dir);
}

int rec_tracer_open(struct rec_tracer *t, const char *dir, unsigned long buffer_kb,
		    char *why, size_t n)
{
	snprintf(t->name, sizeof(t->name), "mmtriage-%d", (int)getpid());
	t->ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	t->inst = tracefs_instance_create(t->name);
	if (!t->inst) {
		snprintf(why, n, "cannot create the tracefs instance %s: %s", t->name,
			 strerror(errno));
		return -1;
	}
	prepare_emergency(t);
	/*
	 * printk stamps the log with local_clock(), which is the "global"
	 * trace clock; "local" is sched_clock() without local_clock()'s
	 * offset, and was 21 ms away from the log here.
	 */
	if (tracefs_instance_file_write(t->inst, "trace_clock", "global") < 0) {
		snprintf(why, n, "cannot set the global trace clock: %s", strerror(errno));
		return -1;
	}
	if (tracefs_instance_set_buffer_size(t->inst, buffer_kb, -1) < 0) {
		snprintf(why, n, "cannot size the buffers to %lu KiB per CPU: %s", buffer_kb,
			 strerror(errno));
		return -1;
	}
	return open_raw_files(t, dir, why, n);
}

bool rec_event_exists(const char *tracing_dir, const char *system, const char *event)
{
	char path[512];
	struct stat sb;

	if (!strcmp(event, "*"))
		snprintf(path, sizeof(path), "%s/events/%s", tracing_dir, system);
	else
		snprintf(path, sizeof(path), "%s/events/%s/%s", tracing_dir, system, event);
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static void note_enabled(struct rec_tracer *t, const char *system, const char *event)
{
	for (size_t i = 0; i < t->nenabled; i++)
		if (!strcmp(t->enabled[i].system, system) && !strcmp(t->enabled[i].event, event))
			return;
	t->enabled = xrealloc(t->enabled, (t->nenabled + 1) * sizeof(*t->enabled));
	snprintf(t->enabled[t->nenabled].system, sizeof(t->enabled[0].system), "%s", system);
	snprintf(t->enabled[t->nenabled].event, sizeof(t->enabled[0].event), "%s", event);
	t->nenabled++;
}

/* Notes every event of a system that is enabled ("*"), or the one event. */
static void note_system(struct rec_tracer *t, const char *system, const char *event)
{
	char **events;

	if (strcmp(event, "*")) {
		note_enabled(t, system, event);
		return;
	}
	events = tracefs_system_events(t->tracing_dir, system);
	for (int i = 0; events && events[i]; i++)
		note_enabled(t, system, events[i]);
	tracefs_list_free(events);
}

static int enable_one(struct rec_tracer *t, const struct rec_event *e)
{
	char file[256];

	if (strcmp(e->event, "*"))
		return tracefs_event_file_write(t->inst, e->system, e->event, "enable", "1");
	snprintf(file, sizeof(file), "events/%s/enable", e->system);
	return tracefs_instance_file_write(t->inst, file, "1");
}

static void set_filter(struct rec_tracer *t, const struct rec_event *e, FILE *log)
{
	char name[200];

	if (!e->filter[0] || strcmp(e->event, "*") == 0)
		return;
	if (tracefs_event_file_write(t->inst, e->system, e->event, "filter", e->filter) < 0)
		fprintf(log, "mmtriage record: %s: this kernel refuses the filter '%s' (%s); "
			"recording every hit\n", rec_event_name(e, name, sizeof(name)), e->filter,
			strerror(errno));
}

static void set_stack(struct rec_tracer *t, const struct rec_event *e, FILE *log)
{
	char trigger[200], name[200];

	if (!e->stack || !strcmp(e->event, "*"))
		return;
	snprintf(trigger, sizeof(trigger), "stacktrace%s%s", e->stack_filter[0] ? " if " : "",
		 e->stack_filter);
	if (tracefs_event_file_write(t->inst, e->system, e->event, "trigger", trigger) < 0 &&
	    (!e->stack_filter[0] ||
	     tracefs_event_file_write(t->inst, e->system, e->event, "trigger", "stacktrace") < 0)) {
		fprintf(log, "mmtriage record: %s: no kernel stacks (%s)\n",
			rec_event_name(e, name, sizeof(name)), strerror(errno));
		return;
	}
	t->nstacks++;
}

size_t rec_tracer_enable(struct rec_tracer *t, const struct rec_event_set *set, FILE *log)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct rec_event *e = &set->ev[i];
		char name[200];

		rec_event_name(e, name, sizeof(name));
		if (!rec_event_exists(t->tracing_dir, e->system, e->event)) {
			fprintf(log, "mmtriage record: this kernel has no event %s; skipped\n", name);
			continue;
		}
		if (enable_one(t, e) < 0) {
			fprintf(log, "mmtriage record: cannot enable %s: %s; skipped\n", name,
				strerror(errno));
			continue;
		}
		note_system(t, e->system, e->event);
		set_filter(t, e, log);
		set_stack(t, e, log);
	}
	return t->nenabled;
}

int rec_tracer_set_on(struct rec_tracer *t, bool on)
{
	int rc = on ? tracefs_trace_on(t->inst) : tracefs_trace_off(t->inst);

	if (rc == 0)
		t->on = on;
	return rc;
}

/* Moves what CPU cpu has ready; -1 on a write error. */
static int64_t drain_cpu(struct rec_tracer *t, int cpu, bool final)
{
	int64_t moved = 0;

	for (;;) {
		int got = tracefs_cpu_write(t->tcpu[cpu], t->raw_fd[cpu], true);

		if (got > 0) {
			moved += got;
			continue;
		}
		if (got < 0 && errno != EAGAIN && errno != EINTR && errno != 0)
			return -1;
		break;
	}
	if (final) {
		int got = tracefs_cpu_flush_write(t->tcpu[cpu], t->raw_fd[cpu]);

		if (got < 0 && errno != EAGAIN && errno != 0)
			return -1;
		if (got > 0)
			moved += got;
	}
	t->raw_bytes[cpu] += (uint64_t)moved;
	return moved;
}

int64_t rec_tracer_drain(struct rec_tracer *t, bool final)
{
	int64_t total = 0;

	for (int cpu = 0; cpu < t->ncpus; cpu++) {
		int64_t moved;

		errno = 0;
		moved = drain_cpu(t, cpu, final);
		if (moved < 0)
			return -1;
		total += moved;
	}
	return total;
}

char *rec_tracer_stats_text(struct rec_tracer *t, int cpu)
{
	char file[64];

	snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", cpu);
	return tracefs_instance_file_read(t->inst, file, NULL);
}

static uint64_t stat_value(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

uint64_t rec_stats_lost(const char *text)
{
	return stat_value(text, "\noverrun: ") + stat_value(text, "commit overrun: ") +
	       stat_value(text, "dropped events: ");
}

void rec_tracer_close(struct rec_tracer *t)
{
	if (t->inst) {
		if (t->on)
			rec_tracer_set_on(t, false);
		for (int cpu = 0; t->tcpu && cpu < t->ncpus; cpu++)
			if (t->tcpu[cpu])
				tracefs_cpu_close(t->tcpu[cpu]);
		if (tracefs_instance_destroy(t->inst) < 0)
			fprintf(stderr, "mmtriage record: cannot remove the instance %s: %s\n",
				t->name, strerror(errno));
		tracefs_instance_free(t->inst);
		t->inst = NULL;
		emergency_dir[0] = '\0';
	}
	for (int cpu = 0; t->raw_fd && cpu < t->ncpus; cpu++)
		if (t->raw_fd[cpu] >= 0)
			close(t->raw_fd[cpu]);
	if (t->mounted_here && umount(t->tracing_dir) == 0)
		t->mounted_here = false;
	free(t->tcpu);
	free(t->raw_fd);
	free(t->raw_bytes);
	free(t->enabled);
	t->tcpu = NULL;
	t->raw_fd = NULL;
	t->raw_bytes = NULL;
	t->enabled = NULL;
}

void rec_tracer_emergency_stop(void)
{
	int fd;

	if (!emergency_dir[0])
		return;
	fd = open(emergency_on_path, O_WRONLY);
	if (fd >= 0) {
		(void)!write(fd, "0", 1);
		close(fd);
	}
	/* The instance stays busy while any of its files is open. */
	syscall(SYS_close_range, 3u, ~0u, 0u);
	rmdir(emergency_dir);
}

/* ---- the clock ---- */

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The time stamp of the first event in the buffers (the marker), or -1. */
static double first_event_ts(struct rec_tracer *t)
{
	int size = tracefs_cpu_read_size(t->tcpu[0]);
	void *page = xcalloc(1, size > 0 ? (size_t)size : 4096);
	struct kbuffer *kb = kbuffer_alloc(sizeof(long) == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4,
					   KBUFFER_ENDIAN_LITTLE);
	double found = -1;

	for (int cpu = 0; cpu < t->ncpus && found < 0; cpu++) {
		unsigned long long ts;

		if (tracefs_cpu_flush(t->tcpu[cpu], page) <= 0 ||
		    kbuffer_load_subbuffer(kb, page) < 0)
			continue;
		if (kbuffer_read_event(kb, &ts))
			found = (double)ts / 1e9;
	}
	kbuffer_free(kb);
	free(page);
	return found;
}

static int calibrate_once(struct rec_tracer *t, struct rec_clock *c)
{
	double m0, w0, m1;
	int rc;

	m0 = clock_s(CLOCK_MONOTONIC);
	w0 = clock_s(CLOCK_REALTIME);
	rc = tracefs_printf(t->inst, "mmtriage record: clock\n");
	m1 = clock_s(CLOCK_MONOTONIC);
	if (rc < 0)
		return -1;
	c->local = first_event_ts(t);
	if (c->local < 0)
		return -1;
	c->mono = (m0 + m1) / 2;
	c->wall = w0 + (c->mono - m0);
	c->uncertainty = (m1 - m0) / 2;
	return 0;
}

int rec_tracer_calibrate(struct rec_tracer *t, struct rec_clock *c, char *why, size_t n)
{
	struct rec_clock best = { 0 }, one;
	bool have = false;

	if (tracefs_print_init(t->inst) < 0) {
		snprintf(why, n, "cannot open the instance's trace_marker: %s", strerror(errno));
		return -1;
	}
	/* The write whose time is known best, of a few. */
	for (int i = 0; i < 5; i++)
		if (calibrate_once(t, &one) == 0 && (!have || one.uncertainty < best.uncertainty)) {
			best = one;
			have = true;
		}
	tracefs_print_close(t->inst);
	if (!have) {
		snprintf(why, n, "cannot read back a trace_marker write: the trace clock is "
			 "unknown");
		return -1;
	}
	*c = best;
	return 0;
}
