/*
 * The /proc series of `mmtriage record` (snap.h): at every interval, each
 * series file gets a time line and the /proc file's content, in the
 * layout samples/recipes/common.sh writes (docs/capture.md). This runs
 * every second on a machine short of memory, so the /proc files and the
 * series files stay open between samples, one buffer serves every file
 * (grown once to the largest, then reused), and each sample of a file is
 * one read loop and one write.
 */
#include "cmd/record/snap.h"
#include "core/io.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const series_names[] = {
	"meminfo", "vmstat", "zoneinfo", "buddyinfo", "pagetypeinfo", "slabinfo",
	"interrupts", "swaps", "pressure/memory", "pressure/io", "pressure/cpu",
	"pressure/irq",
};
#define NSERIES (sizeof(series_names) / sizeof(series_names[0]))
/* The first buffer holds every file of most machines; a file past BUF_MAX is dropped. */
#define BUF_START (256u << 10)
#define BUF_MAX (64u << 20)

struct series {
	const char *name;
	int in;			/* the /proc file, read again from its start each time */
	int out;		/* DIR/proc/<name>, appended to */
	char *out_path;
};

struct rec_snap {
	struct series series[NSERIES];
	size_t nseries;
	char *buf;		/* the time line, then the file's content */
	size_t cap;
	uint64_t samples, bytes;
	char *unreadable[NSERIES + 1];
	size_t nunreadable;
};

static char *path_of(const char *a, const char *b)
{
	char *s = xmalloc(strlen(a) + strlen(b) + 2);

	sprintf(s, "%s/%s", a, b);
	return s;
}

static int make_dir(const char *path, struct mmt_err *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return mmt_err_at(err, NULL, 0, "%s: cannot create: %s", path, strerror(errno));
	return 0;
}

static void note_unreadable(struct rec_snap *s, const char *name, int errnum)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "proc/%s: %s", name, strerror(errnum));
	s->unreadable[s->nunreadable++] = xstrdup(msg);
}

/*
 * The kernel's PSI files are series when they exist: a kernel without PSI
 * is named once ("proc/pressure"), and a PSI file it does not have (irq
 * needs IRQ time accounting) is no loss worth naming.
 */
static bool has_psi(struct rec_snap *s, const char *proc_root)
{
	char *dir = path_of(proc_root, "pressure");
	struct stat sb;
	bool found = stat(dir, &sb) == 0;

	if (!found)
		note_unreadable(s, "pressure", errno);
	free(dir);
	return found;
}

static int make_pressure_dir(const char *out_dir, struct mmt_err *err)
{
	char *path = path_of(out_dir, "pressure");
	int rc = make_dir(path, err);

	free(path);
	return rc;
}

/* Opens the /proc file and its series file; -1 only when the latter fails. */
static int open_series(struct rec_snap *s, const char *name, const char *proc_root,
		       const char *out_dir, struct mmt_err *err)
{
	struct series *se = &s->series[s->nseries];
	char *in_path = path_of(proc_root, name);
	int in = open(in_path, O_RDONLY | O_CLOEXEC);
	bool pressure = !strncmp(name, "pressure/", 9);

	free(in_path);
	if (in < 0) {
		if (!pressure || errno != ENOENT)
			note_unreadable(s, name, errno);
		return 0;
	}
	if (pressure && make_pressure_dir(out_dir, err) < 0) {
		close(in);
		return -1;
	}
	se->out_path = path_of(out_dir, name);
	se->out = open(se->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (se->out < 0) {
		mmt_err_at(err, NULL, 0, "%s: cannot create: %s", se->out_path, strerror(errno));
		free(se->out_path);
		close(in);
		return -1;
	}
	se->name = name;
	se->in = in;
	s->nseries++;
	return 0;
}

static int open_all(struct rec_snap *s, const char *proc_root, const char *out_dir,
		    struct mmt_err *err)
{
	int psi = -1;		/* known at the first PSI file, named in its place */

	for (size_t i = 0; i < NSERIES; i++) {
		const char *name = series_names[i];

		if (!strncmp(name, "pressure/", 9) && psi < 0)
			psi = has_psi(s, proc_root);
		if (!strncmp(name, "pressure/", 9) && !psi)
			continue;
		if (open_series(s, name, proc_root, out_dir, err) < 0)
			return -1;
	}
	return 0;
}

struct rec_snap *rec_snap_open(const char *dir, const char *proc_root, struct mmt_err *err)
{
	struct rec_snap *s = xcalloc(1, sizeof(*s));
	char *out_dir = path_of(dir, "proc");
	int rc = make_dir(dir, err);

	if (rc == 0)
		rc = make_dir(out_dir, err);
	if (rc == 0)
		rc = open_all(s, proc_root, out_dir, err);
	free(out_dir);
	if (rc < 0) {
		rec_snap_close(s);
		return NULL;
	}
	s->cap = BUF_START;
	s->buf = xmalloc(s->cap);
	return s;
}

/* "SECONDS.NANOSECONDS\n", as `date +%s.%N` prints it. */
static size_t time_line(double wall, char *out, size_t cap)
{
	double sec = floor(wall);
	long nsec = lround((wall - sec) * 1e9);

	if (nsec >= 1000000000L) {
		sec += 1;
		nsec -= 1000000000L;
	}
	return (size_t)snprintf(out, cap, "%lld.%09ld\n", (long long)sec, nsec);
}

/*
 * Reads the whole file after the len bytes already in the buffer; returns
 * the new length, or -1 with errno (EFBIG past BUF_MAX).
 */
static ssize_t read_whole(struct rec_snap *s, int fd, size_t len)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	for (;;) {
		ssize_t got;

		if (len == s->cap) {
			if (s->cap >= BUF_MAX) {
				errno = EFBIG;
				return -1;
			}
			s->cap *= 2;
			s->buf = xrealloc(s->buf, s->cap);
		}
		got = read(fd, s->buf + len, s->cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			return (ssize_t)len;
		len += (size_t)got;
	}
}

/* A file that fails to read is named and not read again. */
static void drop_input(struct rec_snap *s, struct series *se)
{
	note_unreadable(s, se->name, errno);
	close(se->in);
	se->in = -1;
}

int rec_snap_take(struct rec_snap *s, double wall, struct mmt_err *err)
{
	char stamp[48];
	size_t n = time_line(wall, stamp, sizeof(stamp));

	for (size_t i = 0; i < s->nseries; i++) {
		struct series *se = &s->series[i];
		ssize_t len;

		if (se->in < 0)
			continue;
		memcpy(s->buf, stamp, n);
		len = read_whole(s, se->in, n);
		if (len < 0) {
			drop_input(s, se);
			continue;
		}
		if (mmt_write_all(se->out, s->buf, (size_t)len) < 0)
			return mmt_err_at(err, NULL, 0, "%s: cannot write: %s", se->out_path,
					  strerror(errno));
		s->bytes += (uint64_t)len;
	}
	s->samples++;
	return 0;
}

uint64_t rec_snap_samples(const struct rec_snap *s)
{
	return s->samples;
}

uint64_t rec_snap_bytes(const struct rec_snap *s)
{
	return s->bytes;
}

const char *rec_snap_unreadable(const struct rec_snap *s, size_t i)
{
	return i < s->nunreadable ? s->unreadable[i] : NULL;
}

void rec_snap_close(struct rec_snap *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nseries; i++) {
		if (s->series[i].in >= 0)
			close(s->series[i].in);
		close(s->series[i].out);
		free(s->series[i].out_path);
	}
	for (size_t i = 0; i < s->nunreadable; i++)
		free(s->unreadable[i]);
	free(s->buf);
	free(s);
}
