/*
 * The trace.dat writer (tdat_write.h). The header is built in memory (its
 * largest part is kallsyms, a few MB), then each CPU's raw pages follow it
 * at page-aligned offsets, copied in the kernel where it can.
 */
#include "cmd/record/tdat_write.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <kbuffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Option ids of trace-cmd's format. */
enum { OPT_DONE = 0, OPT_CPUSTAT = 2, OPT_TRACECLOCK = 4, OPT_UNAME = 5 };

/* Little-endian numbers: the format is written in the recording machine's order. */
static void put_num(struct mmt_sb *sb, uint64_t v, int len)
{
	unsigned char b[8];

	for (int i = 0; i < len; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	mmt_sb_add(sb, (const char *)b, (size_t)len);
}

static bool little_endian(void)
{
	const uint16_t one = 1;

	return *(const unsigned char *)&one == 1;
}

/* The whole of a file whose size stat does not give (/proc, tracefs). */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct mmt_sb sb = MMT_SB_INIT;
	char chunk[65536];
	ssize_t got;

	*len = 0;
	if (fd < 0)
		return NULL;
	while ((got = read(fd, chunk, sizeof(chunk))) > 0 || (got < 0 && errno == EINTR))
		if (got > 0)
			mmt_sb_add(&sb, chunk, (size_t)got);
	close(fd);
	*len = sb.len;
	return sb.buf ? sb.buf : xstrdup("");
}

/* A size-prefixed copy of a file (size_len 4 or 8 bytes); missing reads as empty. */
static void put_file(struct mmt_sb *sb, const char *path, int size_len)
{
	size_t len;
	char *text = slurp(path, &len);

	put_num(sb, len, size_len);
	mmt_sb_add(sb, text ? text : "", len);
	free(text);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every ftrace/ format: kernel_stack and print among them. */
static void put_ftrace_formats(struct mmt_sb *sb, const char *tracing_dir)
{
	char dir[512], path[1024];
	char **names = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/events/ftrace", tracing_dir);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s/format", dir, e->d_name);
		if (e->d_name[0] != '.' && access(path, R_OK) == 0) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	}
	if (d)
		closedir(d);
	if (n)	/* qsort's array may not be NULL, even empty */
		qsort(names, n, sizeof(*names), name_cmp);
	put_num(sb, n, 4);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s/format", dir, names[i]);
		put_file(sb, path, 8);
		free(names[i]);
	}
	free(names);
}

/* The systems of the enabled events, each once, in first-seen order. */
static size_t distinct_systems(const struct rec_tdat_in *in, const char **sys)
{
	size_t n = 0;

	for (size_t i = 0; i < in->nenabled; i++) {
		size_t k = 0;

		while (k < n && strcmp(sys[k], in->enabled[i].system))
			k++;
		if (k == n)
			sys[n++] = in->enabled[i].system;
	}
	return n;
}

static void put_event_formats(struct mmt_sb *sb, const struct rec_tdat_in *in)
{
	const char **sys = xcalloc(in->nenabled + 1, sizeof(*sys));
	size_t nsys = distinct_systems(in, sys);

	put_num(sb, nsys, 4);
	for (size_t s = 0; s < nsys; s++) {
		uint32_t count = 0;

		mmt_sb_add(sb, sys[s], strlen(sys[s]) + 1);
		for (size_t i = 0; i < in->nenabled; i++)
			count += !strcmp(in->enabled[i].system, sys[s]);
		put_num(sb, count, 4);
		for (size_t i = 0; i < in->nenabled; i++) {
			char path[1024];

			if (strcmp(in->enabled[i].system, sys[s]))
				continue;
			snprintf(path, sizeof(path), "%s/events/%s/%s/format", in->tracing_dir,
				 sys[s], in->enabled[i].event);
			put_file(sb, path, 8);
		}
	}
	free(sys);
}

static void put_cmdlines(struct mmt_sb *sb, const struct rec_tdat_in *in)
{
	char path[512];
	size_t len;
	char *saved;
	const char *extra = in->extra_cmdlines ? in->extra_cmdlines : "";

	snprintf(path, sizeof(path), "%s/saved_cmdlines", in->tracing_dir);
	saved = slurp(path, &len);
	put_num(sb, len + strlen(extra), 8);
	mmt_sb_add(sb, saved ? saved : "", len);
	mmt_sb_adds(sb, extra);
	free(saved);
}

static void put_option(struct mmt_sb *sb, int id, const char *data, size_t len)
{
	put_num(sb, (uint64_t)id, 2);
	put_num(sb, len, 4);
	mmt_sb_add(sb, data, len);
}

static void put_options(struct mmt_sb *sb, const struct rec_tdat_in *in)
{
	mmt_sb_add(sb, "options  ", 10);
	put_option(sb, OPT_TRACECLOCK, "", 0);
	if (in->uname)
		put_option(sb, OPT_UNAME, in->uname, strlen(in->uname) + 1);
	for (int cpu = 0; in->cpustats && cpu < in->ncpus; cpu++) {
		struct mmt_sb s = MMT_SB_INIT;

		if (!in->cpustats[cpu])
			continue;
		mmt_sb_addf(&s, "CPU: %d\n%s", cpu, in->cpustats[cpu]);
		put_option(sb, OPT_CPUSTAT, s.buf, s.len + 1);
		mmt_sb_free(&s);
	}
	put_num(sb, OPT_DONE, 2);
}

/* Everything before the CPU table. */
static void put_header(struct mmt_sb *sb, const struct rec_tdat_in *in, uint32_t page)
{
	char path[512];

	mmt_sb_add(sb, "\027\010\104tracing6", 11);
	mmt_sb_addc(sb, '\0');
	mmt_sb_addc(sb, little_endian() ? 0 : 1);
	mmt_sb_addc(sb, (char)sizeof(long));
	put_num(sb, page, 4);
	mmt_sb_add(sb, "header_page", 12);
	snprintf(path, sizeof(path), "%s/events/header_page", in->tracing_dir);
	put_file(sb, path, 8);
	mmt_sb_add(sb, "header_event", 13);
	snprintf(path, sizeof(path), "%s/events/header_event", in->tracing_dir);
	put_file(sb, path, 8);
	put_ftrace_formats(sb, in->tracing_dir);
	put_event_formats(sb, in);
	put_file(sb, in->kallsyms, 4);
	snprintf(path, sizeof(path), "%s/printk_formats", in->tracing_dir);
	put_file(sb, path, 4);
	put_cmdlines(sb, in);
	put_num(sb, (uint64_t)in->ncpus, 4);
	put_options(sb, in);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static uint64_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* The CPU table: where each CPU's pages will lie, then the clock. */
static void put_cpu_table(struct mmt_sb *sb, const struct rec_tdat_in *in, uint32_t page,
			  uint64_t *offsets, uint64_t *sizes)
{
	size_t clock_len = in->clock_text ? strlen(in->clock_text) : 0;
	uint64_t at = sb->len + 10 + 16 * (uint64_t)in->ncpus + 8 + clock_len;

	mmt_sb_add(sb, "flyrecord", 10);
	for (int cpu = 0; cpu < in->ncpus; cpu++) {
		sizes[cpu] = file_size(in->raw_paths[cpu]) / page * page;
		offsets[cpu] = align_up(at, page);
		at = offsets[cpu] + sizes[cpu];
		put_num(sb, offsets[cpu], 8);
		put_num(sb, sizes[cpu], 8);
	}
	put_num(sb, clock_len, 8);
	mmt_sb_add(sb, in->clock_text ? in->clock_text : "", clock_len);
}

static int write_all(int fd, const void *buf, size_t len, uint64_t at)
{
	while (len) {
		ssize_t put = pwrite(fd, buf, len, (off_t)at);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -1;
		buf = (const char *)buf + put;
		len -= (size_t)put;
		at += (uint64_t)put;
	}
	return 0;
}

/* Counts the events of a page of the trace. */
static void count_page(struct kbuffer *kb, void *pg, struct rec_tdat_counts *c)
{
	unsigned long long ts;
	int missed;

	if (kbuffer_load_subbuffer(kb, pg) < 0)
		return;
	c->pages++;
	missed = kbuffer_missed_events(kb);
	if (missed) {
		c->pages_after_loss++;
		if (missed > 0)
			c->lost_counted += (uint64_t)missed;
	}
	for (void *ev = kbuffer_read_event(kb, &ts); ev; ev = kbuffer_next_event(kb, &ts)) {
		c->events++;
		if (!c->first_ns || ts < c->first_ns)
			c->first_ns = ts;
		if (ts > c->last_ns)
			c->last_ns = ts;
	}
}

/* Copies size bytes of one CPU's pages to offset at, counting their events. */
static int copy_cpu(int out, const char *raw, uint64_t at, uint64_t size, uint32_t page,
		    struct kbuffer *kb, struct rec_tdat_counts *c)
{
	int in = open(raw, O_RDONLY | O_CLOEXEC);
	size_t chunk_len = 256 * (size_t)page;
	char *chunk = xmalloc(chunk_len);
	uint64_t done = 0;
	int rc = in < 0 ? -1 : 0;

	while (!rc && done < size) {
		size_t want = size - done < chunk_len ? (size_t)(size - done) : chunk_len;
		ssize_t got = pread(in, chunk, want, (off_t)done);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || (size_t)got % page) {
			rc = -1;
			break;
		}
		for (size_t p = 0; p < (size_t)got; p += page)
			count_page(kb, chunk + p, c);
		rc = write_all(out, chunk, (size_t)got, at + done);
		done += (uint64_t)got;
	}
	free(chunk);
	if (in >= 0)
		close(in);
	return rc;
}

static int copy_pages(int out, const struct rec_tdat_in *in, const uint64_t *offsets,
		      const uint64_t *sizes, uint32_t page, struct rec_tdat_counts *c)
{
	struct kbuffer *kb = kbuffer_alloc(sizeof(long) == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4,
					   little_endian() ? KBUFFER_ENDIAN_LITTLE
							   : KBUFFER_ENDIAN_BIG);
	int rc = 0;

	for (int cpu = 0; cpu < in->ncpus && !rc; cpu++)
		rc = copy_cpu(out, in->raw_paths[cpu], offsets[cpu], sizes[cpu], page, kb, c);
	kbuffer_free(kb);
	return rc;
}

int rec_tdat_write(const char *path, const struct rec_tdat_in *in, struct rec_tdat_counts *c,
		   char *why, size_t n)
{
	uint32_t page = (uint32_t)sysconf(_SC_PAGESIZE);
	uint64_t *offsets = xcalloc((size_t)in->ncpus, sizeof(*offsets));
	uint64_t *sizes = xcalloc((size_t)in->ncpus, sizeof(*sizes));
	struct mmt_sb sb = MMT_SB_INIT;
	int fd, rc;

	memset(c, 0, sizeof(*c));
	put_header(&sb, in, page);
	put_cpu_table(&sb, in, page, offsets, sizes);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	rc = fd < 0 ? -1 : write_all(fd, sb.buf, sb.len, 0);
	if (!rc)
		rc = copy_pages(fd, in, offsets, sizes, page, c);
	if (!rc && in->ncpus)
		rc = ftruncate(fd, (off_t)(offsets[in->ncpus - 1] + sizes[in->ncpus - 1]));
	if (rc)
		snprintf(why, n, "%s: %s", path, strerror(errno));
	if (fd >= 0 && close(fd) < 0 && !rc) {
		snprintf(why, n, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc)
		unlink(path);
	c->bytes = rc ? 0 : file_size(path);
	mmt_sb_free(&sb);
	free(offsets);
	free(sizes);
	return rc;
}
