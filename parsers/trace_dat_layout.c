/*
 * Reading the layout of a trace.dat (trace_dat_layout.h), following
 * trace-cmd's format descriptions trace-cmd.dat.v6(5) and
 * trace-cmd.dat.v7(5): the header and its metadata (skipped over, only
 * their extent is checked), the options (CPU count, trace clock, one
 * BUFFER option per buffer in version 7 and per instance in version 6),
 * the per-CPU data tables, and for compressed data the chunk tables.
 * What is checked is that every piece lies inside the file, and where it
 * does not, how much of it does; and that no page of events says it holds
 * more than a page (the pages of compressed data are unpacked for that).
 */
#include "parsers/trace_dat_layout.h"
#include "core/xalloc.h"

#include <zlib.h>
#include <zstd.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A cursor over the file; every read is checked against its size. */
struct rd {
	int fd;
	uint64_t size, pos;
	bool big;
	char *why;
	size_t n;
};

static int fail(struct rd *r, uint64_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct rd *r, uint64_t at, const char *fmt, ...)
{
	int k = snprintf(r->why, r->n, "offset 0x%llx: ", (unsigned long long)at);
	va_list ap;

	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < r->n)
		vsnprintf(r->why + k, r->n - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

int tdat_read_at(int fd, void *buf, size_t len, uint64_t at)
{
	size_t have = 0;

	while (have < len) {
		ssize_t got = pread(fd, (char *)buf + have, len - have, (off_t)(at + have));

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		have += (size_t)got;
	}
	return 0;
}

/* The file ended: inside what was being read, or before it began. */
static int ended(struct rd *r, const char *what)
{
	if (r->pos >= r->size)
		return fail(r, r->pos, "%s lies past the end of the file (0x%llx bytes)", what,
			    (unsigned long long)r->size);
	return fail(r, r->pos, "the file ends inside %s", what);
}

static int rd_bytes(struct rd *r, void *buf, size_t len, const char *what)
{
	if (r->pos > r->size || len > r->size - r->pos)
		return ended(r, what);
	if (tdat_read_at(r->fd, buf, len, r->pos) < 0)
		return fail(r, r->pos, "cannot read %s: %s", what, strerror(errno));
	r->pos += len;
	return 0;
}

uint64_t tdat_decode(const unsigned char *b, int len, bool big)
{
	uint64_t v = 0;

	for (int i = 0; i < len; i++)
		v |= (uint64_t)b[big ? len - 1 - i : i] << (8 * i);
	return v;
}

static int rd_num(struct rd *r, int len, uint64_t *v, const char *what)
{
	unsigned char b[8] = { 0 };

	if (rd_bytes(r, b, (size_t)len, what) < 0)
		return -1;
	*v = tdat_decode(b, len, r->big);
	return 0;
}

static int rd_skip(struct rd *r, uint64_t len, const char *what)
{
	if (r->pos > r->size || len > r->size - r->pos)
		return ended(r, what);
	r->pos += len;
	return 0;
}

/* A NUL-terminated string of at most cap - 1 bytes. */
static int rd_str(struct rd *r, char *out, size_t cap, const char *what)
{
	uint64_t start = r->pos;

	for (size_t i = 0;; i++) {
		char c = '\0';

		if (rd_bytes(r, &c, 1, what) < 0)
			return -1;
		if (i + 1 < cap)
			out[i] = c;
		if (!c)
			break;
		if (i > 4096)
			return fail(r, start, "%s is not terminated", what);
	}
	out[cap - 1] = '\0';
	return 0;
}

/* A size-prefixed blob (4 or 8 bytes of size), skipped. */
static int rd_blob(struct rd *r, int size_len, const char *what)
{
	uint64_t len;

	return rd_num(r, size_len, &len, what) < 0 ? -1 : rd_skip(r, len, what);
}

void tdat_note_damage(struct tdat_layout *lay, uint64_t at, const char *fmt, ...)
{
	char *note;
	va_list ap;
	int k;

	lay->cut = true;
	lay->damage = xrealloc(lay->damage, (lay->ndamage + 1) * sizeof(*lay->damage));
	note = lay->damage[lay->ndamage++];
	k = snprintf(note, sizeof(*lay->damage), "offset 0x%llx: ", (unsigned long long)at);
	va_start(ap, fmt);
	vsnprintf(note + k, sizeof(*lay->damage) - (size_t)k, fmt, ap);
	va_end(ap);
}

/* "[local] global counter ...": the clock in brackets. */
static void selected_clock(const char *text, size_t len, char *out, size_t cap)
{
	const char *open = memchr(text, '[', len), *close;

	out[0] = '\0';
	if (!open)
		return;
	close = memchr(open, ']', len - (size_t)(open - text));
	if (close && (size_t)(close - open - 1) < cap)
		snprintf(out, cap, "%.*s", (int)(close - open - 1), open + 1);
}

struct tdat_buffer *tdat_add_buffer(struct tdat_layout *lay, const char *name)
{
	struct tdat_buffer *b;

	lay->buffers = xrealloc(lay->buffers, (lay->nbuffers + 1) * sizeof(*lay->buffers));
	b = &lay->buffers[lay->nbuffers++];
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->described = true;
	return b;
}

struct tdat_cpu *tdat_add_cpu(struct tdat_buffer *b)
{
	b->cpus = xrealloc(b->cpus, (b->ncpus + 1) * sizeof(*b->cpus));
	memset(&b->cpus[b->ncpus], 0, sizeof(b->cpus[0]));
	return &b->cpus[b->ncpus++];
}

uint64_t tdat_page_commit(const struct tdat_layout *lay, const unsigned char *header)
{
	const uint64_t commit_mask = (1u << 27) - 1;	/* the rest are flags */

	return tdat_decode(header + 8, lay->long_size, lay->big_endian) & commit_mask;
}

bool tdat_page_overfull(const struct tdat_layout *lay, const unsigned char *header)
{
	return tdat_page_commit(lay, header) > lay->page_size - TDAT_PAGE_HEADER(lay);
}

/*
 * The pages of c the file holds whose header says they hold more than a
 * page: libtraceevent's kbuffer believes the header and reads that far
 * past the page (a crash, or other memory taken for events). Noted as
 * damage; the repaired copy (tdat_repair) empties them.
 */
static void check_page_headers(int fd, struct tdat_layout *lay, struct tdat_buffer *b,
			       struct tdat_cpu *c)
{
	uint64_t bad = 0, first = 0;
	unsigned char h[16];

	for (uint64_t at = c->offset; at + lay->page_size <= c->offset + c->present;
	     at += lay->page_size) {
		if (tdat_read_at(fd, h, TDAT_PAGE_HEADER(lay), at) < 0)
			break;
		if (tdat_page_overfull(lay, h) && bad++ == 0)
			first = at;
	}
	if (bad)
		tdat_note_damage(lay, first, "CPU %d%s%s: %llu of its pages say they hold more "
				 "than a page holds; they were left out", c->cpu,
				 b->name[0] ? " of instance " : "", b->name,
				 (unsigned long long)bad);
}

/* Uncompressed CPU data: the whole pages of it the file holds. */
static void check_pages(int fd, struct tdat_layout *lay, struct tdat_buffer *b,
			struct tdat_cpu *c)
{
	uint64_t avail = c->offset < lay->file_size ? lay->file_size - c->offset : 0;

	c->present = c->unpacked = c->size;
	if (c->size && c->offset % lay->page_size) {
		/* trace-cmd aligns it; where pages start is not known otherwise */
		c->present = c->unpacked = 0;
		tdat_note_damage(lay, c->offset, "the data of CPU %d%s%s does not start at a "
				 "multiple of the page size; all %llu bytes left out", c->cpu,
				 b->name[0] ? " of instance " : "", b->name,
				 (unsigned long long)c->size);
		return;
	}
	if (c->size > avail) {
		c->present = c->unpacked = avail / lay->page_size * lay->page_size;
		tdat_note_damage(lay, c->offset + c->present, "the file ends inside the data of "
				 "CPU %d%s%s; %llu of its %llu bytes are missing", c->cpu,
				 b->name[0] ? " of instance " : "", b->name,
				 (unsigned long long)(c->size - c->present),
				 (unsigned long long)c->size);
	}
	check_page_headers(fd, lay, b, c);
}

/*
 * Whether the chunk's bytes (n of them at src) unpack to exactly size
 * bytes at dst: 1 yes, 0 no, -1 when the compression is not one this
 * build knows (libtracecmd 3.1.6 knows the same two).
 */
static int unpack(const struct tdat_layout *lay, const void *src, size_t n, void *dst,
		  size_t size)
{
	if (!strcmp(lay->compression, "zstd")) {
		size_t got = ZSTD_decompress(dst, size, src, n);

		return !ZSTD_isError(got) && got == size;
	}
	if (!strcmp(lay->compression, "zlib")) {
		uLongf got = size;

		return uncompress(dst, &got, src, n) == Z_OK && got == size;
	}
	return -1;
}

/*
 * Why the chunk whose data (csize bytes) is at `at` cannot be handed to
 * libtracecmd, or NULL. Its pages are unpacked and checked as those of
 * uncompressed data are (tdat_page_overfull): libtraceevent's kbuffer
 * would read past a page that says it holds more, here past the chunk.
 */
static const char *chunk_fault(int fd, const struct tdat_layout *lay, uint64_t at,
			       uint64_t csize, uint64_t usize)
{
	const char *fault = NULL;
	unsigned char *src, *dst;
	int unpacked = 0;

	if (csize > TDAT_CHUNK_MAX || usize > TDAT_CHUNK_MAX)
		return "it is larger than TDAT_CHUNK_MAX (64 MiB)";
	src = xmalloc((size_t)csize);
	dst = xmalloc((size_t)usize);
	if (tdat_read_at(fd, src, (size_t)csize, at) < 0)
		fault = "it cannot be read";
	else if ((unpacked = unpack(lay, src, (size_t)csize, dst, (size_t)usize)) == 0)
		fault = "it does not decompress to the size it gives";
	for (uint64_t pg = 0; unpacked > 0 && !fault && pg < usize; pg += lay->page_size)
		if (tdat_page_overfull(lay, dst + pg))
			fault = "a page in it says it holds more than a page";
	free(src);
	free(dst);
	return fault;
}

/*
 * Compressed CPU data: a chunk count, then chunks (compressed size,
 * uncompressed size, data); the size the file gives counts the chunks, not
 * the count before them. Keeps the chunks that lie whole in the file, up
 * to the first one whose pages cannot be handed to libtracecmd.
 */
static void check_chunks(struct rd *r, struct tdat_layout *lay, struct tdat_buffer *b,
			 struct tdat_cpu *c)
{
	uint64_t end = c->offset + 4 + c->size, count, p;
	const char *fault = NULL;
	unsigned char h[8];

	if (end > lay->file_size || end < c->offset)
		end = lay->file_size;
	c->chunks_at = c->offset;
	c->present = 0;
	if (!c->size || c->offset + 4 > end || tdat_read_at(r->fd, h, 4, c->offset) < 0) {
		if (c->size)
			tdat_note_damage(lay, c->offset, "the data of CPU %d%s%s is missing", c->cpu,
				    b->name[0] ? " of instance " : "", b->name);
		return;
	}
	count = tdat_decode(h, 4, lay->big_endian);
	c->chunks = count;
	for (p = c->offset + 4; c->chunks_kept < count; c->chunks_kept++) {
		uint64_t csize, usize;

		if (p + 8 > end || tdat_read_at(r->fd, h, 8, p) < 0)
			break;
		csize = tdat_decode(h, 4, lay->big_endian);
		usize = tdat_decode(h + 4, 4, lay->big_endian);
		if (!csize || !usize || usize % lay->page_size || p + 8 + csize > end)
			break;
		if ((fault = chunk_fault(r->fd, lay, p + 8, csize, usize)))
			break;
		p += 8 + csize;
		c->unpacked += usize;
	}
	if (c->chunks_kept)
		c->present = p - c->offset - 4;
	if (fault)
		tdat_note_damage(lay, p, "CPU %d%s%s: chunk %llu of %llu: %s; it and the chunks "
				 "after it were left out", c->cpu, b->name[0] ? " of instance " : "",
				 b->name, (unsigned long long)c->chunks_kept + 1,
				 (unsigned long long)count, fault);
	else if (c->chunks_kept < count)
		tdat_note_damage(lay, p, "the compressed data of CPU %d%s%s ends after %llu of its "
			    "%llu chunks", c->cpu, b->name[0] ? " of instance " : "", b->name,
			    (unsigned long long)c->chunks_kept, (unsigned long long)count);
}

static void check_cpu(struct rd *r, struct tdat_layout *lay, struct tdat_buffer *b,
		      struct tdat_cpu *c)
{
	if (lay->compressed)
		check_chunks(r, lay, b, c);
	else
		check_pages(r->fd, lay, b, c);
}

/* The UNAME option: uname(2) of the traced machine, as one line. */
static void read_uname(struct rd *r, struct tdat_layout *lay, uint64_t size)
{
	uint64_t at = r->pos;

	if (size && size < sizeof(lay->uname) &&
	    rd_bytes(r, lay->uname, (size_t)size, "the options") == 0)
		lay->uname[size - 1] = '\0';
	else
		lay->uname[0] = '\0';
	r->why[0] = '\0';
	r->pos = at;
}

/* ---- version 6 ---- */

/* The metadata between the initial format and the CPU count. */
static int skip_metadata_v6(struct rd *r)
{
	char magic[13];
	uint64_t count, systems;

	if (rd_bytes(r, magic, 12, "the header page") < 0 || memcmp(magic, "header_page", 12))
		return r->why[0] ? -1 : fail(r, r->pos - 12, "no header_page");
	if (rd_blob(r, 8, "the header page") < 0 ||
	    rd_bytes(r, magic, 13, "the header event") < 0)
		return -1;
	if (memcmp(magic, "header_event", 13))
		return fail(r, r->pos - 13, "no header_event");
	if (rd_blob(r, 8, "the header event") < 0 ||
	    rd_num(r, 4, &count, "the ftrace formats") < 0)
		return -1;
	for (uint64_t i = 0; i < count; i++)
		if (rd_blob(r, 8, "the ftrace formats") < 0)
			return -1;
	if (rd_num(r, 4, &systems, "the event formats") < 0)
		return -1;
	for (uint64_t s = 0; s < systems; s++) {
		char name[256];

		if (rd_str(r, name, sizeof(name), "the event formats") < 0 ||
		    rd_num(r, 4, &count, "the event formats") < 0)
			return -1;
		for (uint64_t i = 0; i < count; i++)
			if (rd_blob(r, 8, "the event formats") < 0)
				return -1;
	}
	return rd_blob(r, 4, "kallsyms") < 0 || rd_blob(r, 4, "the printk formats") < 0 ||
	       rd_blob(r, 8, "the saved command lines") < 0 ? -1 : 0;
}

/* An instance's table, found through its BUFFER option. */
struct v6_instance {
	uint64_t offset;
	char name[128];
};

static int options_v6(struct rd *r, struct tdat_layout *lay, bool *has_clock,
		      struct v6_instance **inst, size_t *ninst)
{
	for (;;) {
		uint64_t id, size, start;

		if (rd_num(r, 2, &id, "the options") < 0)
			return -1;
		if (id == TDAT_OPT_DONE)
			return 0;
		if (rd_num(r, 4, &size, "the options") < 0)
			return -1;
		start = r->pos;
		if (id == TDAT_OPT_TRACECLOCK)
			*has_clock = true;
		if (id == TDAT_OPT_UNAME)
			read_uname(r, lay, size);
		if (id == TDAT_OPT_BUFFER_TEXT)
			return fail(r, start, "a latency trace (text): not supported");
		if (id == TDAT_OPT_BUFFER) {
			*inst = xrealloc(*inst, (*ninst + 1) * sizeof(**inst));
			if (rd_num(r, 8, &(*inst)[*ninst].offset, "an option") < 0 ||
			    rd_str(r, (*inst)[*ninst].name, sizeof((*inst)[0].name),
				   "an option") < 0)
				return -1;
			(*ninst)++;
		}
		r->pos = start;
		if (rd_skip(r, size, "the options") < 0)
			return -1;
	}
}

/* "flyrecord\0" and one (offset, size) per CPU, then the clock if saved. */
static int cpu_table_v6(struct rd *r, struct tdat_layout *lay, struct tdat_buffer *b,
			bool has_clock)
{
	char mark[10];

	b->section = r->pos;
	if (rd_bytes(r, mark, 10, "the CPU data table") < 0)
		return -1;
	if (!memcmp(mark, "latency", 7))
		return fail(r, b->section, "a latency trace (text): not supported");
	if (memcmp(mark, "flyrecord", 10))
		return fail(r, b->section, "no flyrecord CPU data table");
	for (int i = 0; i < lay->cpus; i++) {
		struct tdat_cpu *c = tdat_add_cpu(b);

		c->cpu = i;
		if (rd_num(r, 8, &c->offset, "the CPU data table") < 0 ||
		    rd_num(r, 8, &c->size, "the CPU data table") < 0)
			return -1;
		c->size_at = r->pos - 8;
	}
	if (has_clock) {
		uint64_t len;
		char text[256];

		if (rd_num(r, 8, &len, "the trace clock") == 0 && len < sizeof(text) &&
		    rd_bytes(r, text, (size_t)len, "the trace clock") == 0)
			selected_clock(text, (size_t)len, b->clock, sizeof(b->clock));
		r->why[0] = '\0';	/* libtracecmd reads a lost clock as 'local' */
	}
	return 0;
}

static int scan_v6(struct rd *r, struct tdat_layout *lay)
{
	struct v6_instance *inst = NULL;
	size_t ninst = 0;
	bool has_clock = false;
	uint64_t cpus;
	char mark[10];
	int rc = -1;

	if (skip_metadata_v6(r) < 0 || rd_num(r, 4, &cpus, "the CPU count") < 0)
		goto out;
	if (!cpus || cpus > TDAT_MAX_CPUS) {
		fail(r, r->pos - 4, "implausible CPU count %llu (TDAT_MAX_CPUS is %u)",
		     (unsigned long long)cpus, TDAT_MAX_CPUS);
		goto out;
	}
	lay->cpus = (int)cpus;
	if (rd_bytes(r, mark, 10, "the options") < 0)
		goto out;
	if (!memcmp(mark, "options  ", 10) && options_v6(r, lay, &has_clock, &inst, &ninst) < 0)
		goto out;
	if (memcmp(mark, "options  ", 10))
		r->pos -= 10;
	if (cpu_table_v6(r, lay, tdat_add_buffer(lay, ""), has_clock) < 0)
		goto out;
	snprintf(lay->clock, sizeof(lay->clock), "%s", lay->buffers[0].clock);
	for (size_t i = 0; i < ninst; i++) {
		struct tdat_buffer *b = tdat_add_buffer(lay, inst[i].name);

		r->pos = inst[i].offset;
		if (cpu_table_v6(r, lay, b, has_clock) < 0) {
			/* Its table is gone: the instance is, too. */
			tdat_note_damage(lay, inst[i].offset, "the CPU data table of instance %s is "
				    "missing", inst[i].name);
			b->ncpus = 0;
			r->why[0] = '\0';
		}
	}
	rc = 0;
out:
	free(inst);
	return rc;
}

/* ---- version 7 ---- */

static int section_at(struct rd *r, uint64_t at, struct tdat_section *s, const char *what)
{
	uint64_t strid;

	r->pos = at;
	s->at = at;
	return rd_num(r, 2, &s->id, what) < 0 || rd_num(r, 2, &s->flags, what) < 0 ||
	       rd_num(r, 4, &strid, what) < 0 || rd_num(r, 8, &s->size, what) < 0 ? -1 : 0;
}

/* A metadata section an option points to must lie in the file. */
static int check_section(struct rd *r, uint64_t at, const char *what)
{
	struct tdat_section s;

	if (section_at(r, at, &s, what) < 0)
		return -1;
	return rd_skip(r, s.size, what);
}

/* BUFFER: offset, name, clock, [page size,] CPU count, (cpu, offset, size)... */
static int buffer_option(struct rd *r, struct tdat_layout *lay, uint64_t end)
{
	uint64_t offset, cpus, rest, v;
	char name[128], clock[32];
	struct tdat_buffer *b;

	if (rd_num(r, 8, &offset, "a buffer option") < 0 ||
	    rd_str(r, name, sizeof(name), "a buffer option") < 0 ||
	    rd_str(r, clock, sizeof(clock), "a buffer option") < 0)
		return -1;
	rest = end > r->pos ? end - r->pos : 0;
	/* trace-cmd 3.1 added the page size; the option's size tells. */
	if (rd_num(r, 4, &cpus, "a buffer option") < 0)
		return -1;
	if (rest != 4 + cpus * TDAT_CPU_ENTRY &&
	    (rd_num(r, 4, &cpus, "a buffer option") < 0 || rest != 8 + cpus * TDAT_CPU_ENTRY))
		return fail(r, r->pos, "a buffer option of %llu bytes does not hold its CPUs",
			    (unsigned long long)rest);
	b = tdat_add_buffer(lay, name);
	snprintf(b->clock, sizeof(b->clock), "%s", clock);
	b->section = offset;
	for (uint64_t i = 0; i < cpus; i++) {
		struct tdat_cpu *c = tdat_add_cpu(b);

		if (rd_num(r, 4, &v, "a buffer option") < 0 ||
		    rd_num(r, 8, &c->offset, "a buffer option") < 0 ||
		    rd_num(r, 8, &c->size, "a buffer option") < 0)
			return -1;
		if (v >= TDAT_MAX_CPUS)
			return fail(r, r->pos - 20, "implausible CPU %llu in buffer '%s' "
				    "(TDAT_MAX_CPUS is %u)", (unsigned long long)v, name,
				    TDAT_MAX_CPUS);
		c->cpu = (int)v;
		c->size_at = r->pos - 8;
	}
	if (!name[0])
		snprintf(lay->clock, sizeof(lay->clock), "%s", clock);
	return 0;
}

/* The options of one section; *next receives the next section's offset. */
static int options_v7(struct rd *r, struct tdat_layout *lay, const struct tdat_section *s,
		      uint64_t *next)
{
	uint64_t end = s->at + TDAT_SEC_HEADER + s->size;

	*next = 0;
	r->pos = s->at + TDAT_SEC_HEADER;
	while (r->pos < end) {
		uint64_t id, size, start, v;

		if (rd_num(r, 2, &id, "the options") < 0 || rd_num(r, 4, &size, "the options") < 0)
			return -1;
		start = r->pos;
		if (id == TDAT_OPT_DONE) {
			lay->done_at = start;
			return rd_num(r, 8, next, "the options");
		}
		if (id == TDAT_OPT_BUFFER && buffer_option(r, lay, start + size) < 0)
			return -1;
		if (id == TDAT_OPT_BUFFER_TEXT)
			return fail(r, start, "a latency trace (text): not supported");
		if (id == TDAT_OPT_CPUCOUNT && rd_num(r, 4, &v, "the options") == 0) {
			if (!v || v > TDAT_MAX_CPUS)
				return fail(r, start, "implausible CPU count %llu (TDAT_MAX_CPUS "
					    "is %u)", (unsigned long long)v, TDAT_MAX_CPUS);
			lay->cpus = (int)v;
		}
		if (id == TDAT_OPT_UNAME)
			read_uname(r, lay, size);
		if (id == TDAT_OPT_TRACECLOCK && !lay->clock[0] && size < 512) {
			char text[512];

			if (rd_bytes(r, text, (size_t)size, "the options") < 0)
				return -1;
			selected_clock(text, (size_t)size, lay->clock, sizeof(lay->clock));
		}
		if (id >= TDAT_OPT_HEADER_INFO && id <= TDAT_OPT_CMDLINES &&
		    (rd_num(r, 8, &v, "the options") < 0 ||
		     check_section(r, v, "the trace's metadata") < 0))
			return -1;
		r->pos = start;
		if (rd_skip(r, size, "the options") < 0)
			return -1;
	}
	return fail(r, s->at, "an options section without its end");
}

/* The chain of options sections; the first must be readable. */
static int options_chain_v7(struct rd *r, struct tdat_layout *lay, uint64_t first)
{
	uint64_t at = first;

	for (int k = 0; at; k++) {
		struct tdat_section s;

		if (k > 1024)
			return fail(r, at, "the options sections loop");
		if (section_at(r, at, &s, "the options") < 0 ||
		    (s.id != TDAT_OPT_DONE && fail(r, at, "not an options section") < 0) ||
		    (s.flags & TDAT_SEC_COMPRESSED &&
		     fail(r, at, "compressed options: not supported") < 0) ||
		    options_v7(r, lay, &s, &at) < 0) {
			if (!k)
				return -1;
			/* Lost with the end of the file: the buffers they described. */
			lay->buffer_table_at = s.at;
			tdat_note_damage(lay, s.at, "the file ends before its buffer table");
			r->why[0] = '\0';
			return 0;
		}
	}
	return 0;
}

static int scan_v7(struct rd *r, struct tdat_layout *lay)
{
	char version[32];

	if (rd_str(r, lay->compression, sizeof(lay->compression), "the compression") < 0 ||
	    rd_str(r, version, sizeof(version), "the compression") < 0 ||
	    rd_num(r, 8, &lay->first_options, "the options offset") < 0)
		return -1;
	lay->compressed = strcmp(lay->compression, "none") != 0;
	return options_chain_v7(r, lay, lay->first_options);
}

/* ---- both ---- */

static int initial_format(struct rd *r, struct tdat_layout *lay)
{
	char magic[TDAT_MAGIC_LEN], version[16];
	unsigned char b[2] = { 0 };
	uint64_t page;

	if (rd_bytes(r, magic, TDAT_MAGIC_LEN, "the magic") < 0 ||
	    memcmp(magic, TDAT_MAGIC, TDAT_MAGIC_LEN))
		return fail(r, 0, "not a trace-cmd trace.dat");
	if (rd_str(r, version, sizeof(version), "the version") < 0)
		return -1;
	lay->version = !strcmp(version, "6") ? 6 : !strcmp(version, "7") ? 7 : 0;
	if (!lay->version)
		return fail(r, TDAT_MAGIC_LEN, "trace.dat version %s: only 6 and 7 are known",
			    version);
	if (rd_bytes(r, b, 2, "the initial format") < 0)
		return -1;
	lay->big_endian = b[0] != 0;
	r->big = lay->big_endian;
	lay->long_size = b[1];
	if (rd_num(r, 4, &page, "the page size") < 0)
		return -1;
	if ((lay->long_size != 4 && lay->long_size != 8) || page < 512 || page > (1u << 24) ||
	    (page & (page - 1)))
		return fail(r, r->pos - 6, "implausible long size %d or page size %llu",
			    lay->long_size, (unsigned long long)page);
	lay->page_size = (uint32_t)page;
	return 0;
}

void tdat_layout_free(struct tdat_layout *lay)
{
	for (size_t i = 0; i < lay->nbuffers; i++)
		free(lay->buffers[i].cpus);
	free(lay->buffers);
	free(lay->damage);
	memset(lay, 0, sizeof(*lay));
}

int tdat_scan(int fd, uint64_t size, struct tdat_layout *lay, char *why, size_t n)
{
	struct rd r = { .fd = fd, .size = size, .why = why, .n = n };

	memset(lay, 0, sizeof(*lay));
	lay->cpus = -1;
	lay->file_size = size;
	why[0] = '\0';
	if (initial_format(&r, lay) < 0 ||
	    (lay->version == 6 ? scan_v6(&r, lay) : scan_v7(&r, lay)) < 0) {
		tdat_layout_free(lay);
		return -1;
	}
	if (lay->version == 7 && lay->buffer_table_at)
		tdat_find_lost_buffers(fd, lay);
	for (size_t i = 0; i < lay->nbuffers; i++)
		for (size_t k = 0; k < lay->buffers[i].ncpus; k++)
			check_cpu(&r, lay, &lay->buffers[i], &lay->buffers[i].cpus[k]);
	return 0;
}

int tdat_section_at(int fd, const struct tdat_layout *lay, uint64_t at, struct tdat_section *s)
{
	char why[160];
	struct rd r = { .fd = fd, .size = lay->file_size, .big = lay->big_endian, .why = why,
			.n = sizeof(why) };

	return section_at(&r, at, s, "a section");
}

bool tdat_whole(const struct tdat_layout *lay)
{
	return !lay->cut;
}
