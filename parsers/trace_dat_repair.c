/*
 * Repairing a damaged trace.dat (trace_dat_layout.h): finding again the
 * buffers of a version 7 file whose buffer table was lost with its end,
 * and writing a private copy of the file that describes only the data it
 * holds, which libtracecmd then reads as a whole file; and unmapping what
 * libtracecmd leaves mapped when it closes a file.
 */
#include "parsers/trace_dat_layout.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void encode(unsigned char *b, int len, bool big, uint64_t v)
{
	for (int i = 0; i < len; i++)
		b[big ? len - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static uint64_t page_align(const struct tdat_layout *lay, uint64_t at)
{
	return (at + lay->page_size - 1) / lay->page_size * lay->page_size;
}

static bool described_at(const struct tdat_layout *lay, uint64_t section)
{
	for (size_t i = 0; i < lay->nbuffers; i++)
		if (lay->buffers[i].section == section)
			return true;
	return false;
}

/*
 * The end of the compressed CPU data at p: after its last chunk that lies
 * whole before end (the file's), or 0 when p holds no chunk table that
 * fits in the section (which ends at limit).
 */
static uint64_t chunks_end(int fd, const struct tdat_layout *lay, uint64_t p,
			   uint64_t end, uint64_t limit)
{
	unsigned char h[8];
	uint64_t count;

	if (p + 4 > end || tdat_read_at(fd, h, 4, p) < 0)
		return 0;
	count = tdat_decode(h, 4, lay->big_endian);
	if (!count || count > (limit - p) / 8)
		return 0;
	for (p += 4; count--; ) {
		uint64_t csize, usize;

		if (p + 8 > end || tdat_read_at(fd, h, 8, p) < 0)
			return p;
		csize = tdat_decode(h, 4, lay->big_endian);
		usize = tdat_decode(h + 4, 4, lay->big_endian);
		if (!csize || !usize || usize % lay->page_size || p + 8 + csize > end)
			return p;
		p += 8 + csize;
	}
	return p;
}

static bool has_top(const struct tdat_layout *lay)
{
	for (size_t i = 0; i < lay->nbuffers; i++)
		if (!lay->buffers[i].name[0])
			return true;
	return false;
}

/*
 * The CPU data of a flyrecord section whose buffer option was lost:
 * compressed data tells its own length (its chunk table), and each CPU's
 * starts at the page after the previous one's. Which CPU each is can only
 * be told when all CPUs have data.
 */
static void rebuild_buffer(int fd, struct tdat_layout *lay, const struct tdat_section *s)
{
	uint64_t limit = s->at + TDAT_SEC_HEADER + s->size, end = limit;
	uint64_t p = page_align(lay, s->at + TDAT_SEC_HEADER);
	char name[32];
	struct tdat_buffer *b;

	/* trace-cmd writes the top buffer's data first; instances lose their names. */
	snprintf(name, sizeof(name), "lost-%zu", lay->nbuffers);
	b = tdat_add_buffer(lay, has_top(lay) ? name : "");
	b->section = s->at;
	b->described = false;
	snprintf(b->clock, sizeof(b->clock), "%s", lay->clock);
	if (end > lay->file_size)
		end = lay->file_size;
	while (p < end) {
		uint64_t e = chunks_end(fd, lay, p, end, limit);
		struct tdat_cpu *c;

		if (!e)
			break;
		c = tdat_add_cpu(b);
		c->cpu = (int)b->ncpus - 1;
		c->offset = p;
		/* A CPU cut short keeps the rest of the section as its size. */
		c->size = (e < end ? e : end) - p - 4;
		p = page_align(lay, e);
	}
	b->cpus_unknown = (int)b->ncpus != lay->cpus;
}

/*
 * The file ended before its buffer table: the flyrecord sections that
 * follow the first options section are found by walking the sections.
 */
void tdat_find_lost_buffers(int fd, struct tdat_layout *lay)
{
	uint64_t at = lay->first_options;

	for (int k = 0; k < 4096 && at + TDAT_SEC_HEADER <= lay->file_size; k++) {
		struct tdat_section s;

		if (tdat_section_at(fd, lay, at, &s) < 0 || s.size > UINT64_MAX / 2)
			break;
		if (s.id == TDAT_OPT_BUFFER && !described_at(lay, at)) {
			if (lay->compressed)
				rebuild_buffer(fd, lay, &s);
			else
				tdat_note_damage(lay, at, "an uncompressed buffer whose table was "
					    "lost: its CPUs cannot be told apart");
		}
		at += TDAT_SEC_HEADER + s.size;
	}
}


uint64_t tdat_last_data_page(int fd, const struct tdat_layout *lay, const struct tdat_cpu *c)
{
	uint64_t pages = c->present / lay->page_size;

	for (uint64_t i = pages; i-- > 0 && pages - i <= 64; ) {
		uint64_t at = c->offset + i * lay->page_size;
		unsigned char h[16];

		if (tdat_read_at(fd, h, TDAT_PAGE_HEADER(lay), at) < 0)
			return 0;
		if (tdat_page_commit(lay, h))
			return at;
	}
	return 0;
}

/*
 * Whether a line of /proc/self/maps ("from-to perms offset major:minor
 * inode path") is a read-only private mapping of the file, and where.
 */
static bool maps_file(const char *line, dev_t dev, ino_t ino, uintptr_t *from, uintptr_t *to)
{
	unsigned long a, b, off, inode;
	unsigned maj, min;
	char perms[8];

	/* NOLINTNEXTLINE(cert-err34-c): /proc/self/maps, written by the kernel */
	if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &a, &b, perms, &off, &maj, &min,
		   &inode) != 7)
		return false;
	if (inode != (unsigned long)ino || makedev(maj, min) != dev || strcmp(perms, "r--p") ||
	    a >= b)
		return false;
	*from = a;
	*to = b;
	return true;
}

void tdat_unmap_left(dev_t dev, ino_t ino)
{
	FILE *f = fopen("/proc/self/maps", "re");
	uintptr_t (*ranges)[2] = NULL;
	size_t n = 0;
	char line[512];
	bool line_start = true;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		uintptr_t from, to;

		/* Only at the start of a line: a long path comes in pieces. */
		if (line_start && maps_file(line, dev, ino, &from, &to)) {
			ranges = xrealloc(ranges, (n + 1) * sizeof(*ranges));
			ranges[n][0] = from;
			ranges[n++][1] = to;
		}
		line_start = strchr(line, '\n') != NULL;
	}
	fclose(f);
	/* Not while /proc/self/maps is read; its addresses are integers. */
	for (size_t i = 0; i < n; i++)
		munmap((void *)ranges[i][0], /* NOLINT(performance-no-int-to-ptr) */
		       ranges[i][1] - ranges[i][0]);
	free(ranges);
}

/* ---- repair ---- */

/* A file nobody else sees, for the repaired copy: unnamed in TMPDIR. */
static int private_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/mmtriage-trace-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static int copy_file(int from, int to, uint64_t size)
{
	char *buf = NULL;
	uint64_t done = 0;
	int rc = 0;

	while (done < size) {
		ssize_t got = copy_file_range(from, &(off_t){ (off_t)done }, to,
					      &(off_t){ (off_t)done }, size - done, 0);

		if (got <= 0)
			break;
		done += (uint64_t)got;
	}
	while (done < size && rc == 0) {	/* no copy_file_range here: by hand */
		size_t len = size - done < (1u << 20) ? (size_t)(size - done) : (1u << 20);

		if (!buf)
			buf = xmalloc(1u << 20);
		if (tdat_read_at(from, buf, len, done) < 0 ||
		    pwrite(to, buf, len, (off_t)done) != (ssize_t)len)
			rc = -1;
		done += len;
	}
	free(buf);
	return rc;
}

static int put_num(int fd, uint64_t at, int len, bool big, uint64_t v)
{
	unsigned char b[8];

	encode(b, len, big, v);
	return pwrite(fd, b, (size_t)len, (off_t)at) == len ? 0 : -1;
}

/*
 * Uncompressed data: each page whose header says it holds more than a
 * page (tdat_page_overfull) made empty, its commit 0, as a page the
 * kernel never wrote to.
 */
static int empty_overfull_pages(int out, const struct tdat_layout *lay, const struct tdat_cpu *c)
{
	unsigned char h[16];

	for (uint64_t at = c->offset; at + lay->page_size <= c->offset + c->present;
	     at += lay->page_size) {
		if (tdat_read_at(out, h, TDAT_PAGE_HEADER(lay), at) < 0)
			return -1;
		if (tdat_page_overfull(lay, h) &&
		    put_num(out, at + 8, lay->long_size, lay->big_endian, 0) < 0)
			return -1;
	}
	return 0;
}

/* Each CPU described as the data the file holds, and holding no overfull page. */
static int patch_cpus(int out, struct tdat_layout *lay)
{
	for (size_t i = 0; i < lay->nbuffers; i++) {
		struct tdat_buffer *b = &lay->buffers[i];

		for (size_t k = 0; k < b->ncpus; k++) {
			struct tdat_cpu *c = &b->cpus[k];

			if (lay->compressed && c->chunks_kept < c->chunks && c->present &&
			    put_num(out, c->chunks_at, 4, lay->big_endian, c->chunks_kept) < 0)
				return -1;
			if (c->present != c->size && c->size_at &&
			    put_num(out, c->size_at, 8, lay->big_endian, c->present) < 0)
				return -1;
			if (!lay->compressed && empty_overfull_pages(out, lay, c) < 0)
				return -1;
		}
	}
	return 0;
}

static void add_num(unsigned char **p, int len, bool big, uint64_t v)
{
	encode(*p, len, big, v);
	*p += len;
}

/* One BUFFER option (the 3.1 form, with the page size) for buffer b. */
static size_t buffer_option_bytes(const struct tdat_layout *lay, const struct tdat_buffer *b,
				  unsigned char *out)
{
	unsigned char *p = out + 6;
	bool big = lay->big_endian;

	add_num(&p, 8, big, b->section);
	memcpy(p, b->name, strlen(b->name) + 1);
	p += strlen(b->name) + 1;
	memcpy(p, b->clock[0] ? b->clock : "local", strlen(b->clock[0] ? b->clock : "local") + 1);
	p += strlen((char *)p) + 1;
	add_num(&p, 4, big, lay->page_size);
	add_num(&p, 4, big, b->ncpus);
	for (size_t k = 0; k < b->ncpus; k++) {
		add_num(&p, 4, big, (uint64_t)b->cpus[k].cpu);
		add_num(&p, 8, big, b->cpus[k].offset);
		add_num(&p, 8, big, b->cpus[k].present);
	}
	encode(out, 2, big, TDAT_OPT_BUFFER);
	encode(out + 2, 4, big, (uint64_t)(p - out - 6));
	return (size_t)(p - out);
}

/*
 * The buffers found again (find_lost_buffers) described in a new options
 * section at the end of the copy, which the last options section read
 * now points to.
 */
static int append_buffer_table(int out, struct tdat_layout *lay)
{
	size_t cap = TDAT_SEC_HEADER + 6 + 8, len = TDAT_SEC_HEADER;
	uint64_t at = (lay->file_size + 7) / 8 * 8;
	unsigned char *sec, *p;
	int rc;

	for (size_t i = 0; i < lay->nbuffers; i++)
		cap += 6 + 8 + sizeof(lay->buffers[i].name) + sizeof(lay->buffers[i].clock) + 8 +
		       lay->buffers[i].ncpus * TDAT_CPU_ENTRY;
	sec = xcalloc(1, cap);
	for (size_t i = 0; i < lay->nbuffers; i++)
		if (!lay->buffers[i].described && lay->buffers[i].ncpus)
			len += buffer_option_bytes(lay, &lay->buffers[i], sec + len);
	p = sec + len;
	add_num(&p, 2, lay->big_endian, TDAT_OPT_DONE);
	add_num(&p, 4, lay->big_endian, 8);
	add_num(&p, 8, lay->big_endian, 0);
	len = (size_t)(p - sec);
	p = sec;
	add_num(&p, 2, lay->big_endian, TDAT_OPT_DONE);	/* an options section */
	add_num(&p, 2, lay->big_endian, 0);
	add_num(&p, 4, lay->big_endian, 0);
	add_num(&p, 8, lay->big_endian, len - TDAT_SEC_HEADER);
	rc = pwrite(out, sec, len, (off_t)at) == (ssize_t)len &&
	     put_num(out, lay->done_at, 8, lay->big_endian, at) == 0 ? 0 : -1;
	free(sec);
	return rc;
}

int tdat_repair(int fd, struct tdat_layout *lay, char *why, size_t n)
{
	int out = private_file();

	if (out < 0) {
		snprintf(why, n, "cannot make a repaired copy: %s", strerror(errno));
		return -1;
	}
	if (copy_file(fd, out, lay->file_size) < 0 || patch_cpus(out, lay) < 0 ||
	    (lay->version == 7 && lay->buffer_table_at && lay->done_at &&
	     append_buffer_table(out, lay) < 0) ||
	    lseek(out, 0, SEEK_SET) < 0) {
		snprintf(why, n, "cannot write a repaired copy: %s", strerror(errno));
		close(out);
		return -1;
	}
	return out;
}
