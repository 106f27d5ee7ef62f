/*
 * The layout of a trace-cmd trace.dat file (versions 6 and 7), read
 * without libtracecmd: where each buffer's per-CPU data lies, what the
 * header says of the trace (CPUs, clock, compression), and whether the
 * file is whole.
 *
 * Why: libtracecmd 3.1.6 refuses a file whose CPU data runs past its end
 * (printing to stdout), crashes in tracecmd_close() on a cut version 6
 * file, and loses the whole trace of a cut version 7 file (whose buffer
 * table is written last). Knowing the layout first, the parser hands
 * libtracecmd only files it can read: the file itself when it is whole,
 * or a repaired copy (tdat_repair) that describes only the data present.
 */
#ifndef MMT_TRACE_DAT_LAYOUT_H
#define MMT_TRACE_DAT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TDAT_MAGIC "\027\010\104tracing"
#define TDAT_MAGIC_LEN 10

/* Option and section ids, and sizes, of the format. */
enum {
	TDAT_OPT_DONE = 0,
	TDAT_OPT_BUFFER = 3,		/* also the id of a flyrecord section */
	TDAT_OPT_TRACECLOCK = 4,
	TDAT_OPT_UNAME = 5,
	TDAT_OPT_CPUCOUNT = 8,
	TDAT_OPT_HEADER_INFO = 16,
	TDAT_OPT_CMDLINES = 21,
	TDAT_OPT_BUFFER_TEXT = 22,
	TDAT_SEC_COMPRESSED = 1,	/* section flag */
	TDAT_SEC_HEADER = 16,		/* id 2, flags 2, string 4, size 8 */
	TDAT_CPU_ENTRY = 20,		/* cpu 4, offset 8, size 8 */
};

/*
 * CPUs a trace.dat may have: the parser keeps state for every CPU of every
 * buffer, so a header saying two billion would ask for hundreds of GB.
 * Linux's NR_CPUS is at most 8192 (x86 MAXSMP); this leaves room.
 */
#define TDAT_MAX_CPUS 65536u

/*
 * Bytes of a compressed chunk, packed or unpacked, that are unpacked to be
 * checked: trace-cmd writes chunks of a few pages; libtracecmd would
 * allocate what a larger one says.
 */
#define TDAT_CHUNK_MAX (64u << 20)

/* One CPU's data in one buffer. */
struct tdat_cpu {
	int cpu;			/* CPU id (an index when the buffer's cpus_unknown) */
	uint64_t offset, size;		/* in the file; size as the file describes it */
	uint64_t present;		/* bytes of it the file holds, in whole units (pages
					 * or chunks); what a repaired copy describes */
	bool dropped;			/* left out: libtracecmd could not read the file with it */
	uint64_t size_at;		/* where its size is written (0: in no table) */
	uint64_t chunks;		/* compressed: chunks described, and kept */
	uint64_t chunks_kept;
	uint64_t chunks_at;		/* compressed: where the chunk count is written */
	uint64_t unpacked;		/* bytes of trace pages in what is present */
};

/* A buffer: the top-level one ("") or an instance (trace-cmd record -B). */
struct tdat_buffer {
	char name[128];
	char clock[32];			/* "" when the file does not say */
	uint64_t section;		/* v7: its flyrecord section; v6: its CPU table */
	bool described;			/* false: found again, its table was lost */
	bool cpus_unknown;		/* found again, but which CPU is which is not known */
	size_t ncpus;
	struct tdat_cpu *cpus;
};

struct tdat_layout {
	int version;			/* 6 or 7 */
	bool big_endian;
	int long_size;
	uint32_t page_size;
	bool compressed;		/* v7 with a compression other than "none" */
	char compression[32];
	int cpus;			/* CPUs of the traced machine, -1 if unknown */
	char clock[32];			/* the top buffer's trace clock, "" if unknown */
	char uname[256];		/* "Linux host 6.1.0-9-amd64 x86_64", "" if not saved */
	uint64_t file_size;
	size_t nbuffers;
	struct tdat_buffer *buffers;
	uint64_t first_options;		/* v7: the first options section */
	/* Damage: */
	bool cut;			/* data or tables end past the end of the file */
	uint64_t buffer_table_at;	/* v7: where the buffer table was expected (0: found) */
	uint64_t done_at;		/* v7: the last readable options DONE's next-offset field */
	char (*damage)[256];		/* each damage seen: "offset 0x..: what" */
	size_t ndamage;
};

/*
 * Reads the layout of the file on fd (size bytes). Returns 0, or -1 when
 * its header cannot be read, with why filled ("offset 0x..: ...").
 */
int tdat_scan(int fd, uint64_t size, struct tdat_layout *lay, char *why, size_t n);
void tdat_layout_free(struct tdat_layout *lay);
/* True when libtracecmd can read the file as it is. */
bool tdat_whole(const struct tdat_layout *lay);
/*
 * A private copy of the file that describes only the data of each CPU
 * given by its present bytes: CPU data cut short to its whole pages or
 * chunks, buffers whose table was lost described again. Returns a
 * readable fd positioned at 0, or -1 (why filled).
 */
int tdat_repair(int fd, struct tdat_layout *lay, char *why, size_t n);
/* A page's header: its timestamp (8 bytes), then its commit (a long). */
#define TDAT_PAGE_HEADER(lay) (8u + (unsigned)(lay)->long_size)
/* The bytes of events a page's header (at header) says it holds: its commit, without flags. */
uint64_t tdat_page_commit(const struct tdat_layout *lay, const unsigned char *header);
/* Whether that is more than a page has room for. */
bool tdat_page_overfull(const struct tdat_layout *lay, const unsigned char *header);
/*
 * Uncompressed data: the offset of the last page of c's data whose header
 * says it holds events (looking back at most 64 pages), 0 if none.
 */
uint64_t tdat_last_data_page(int fd, const struct tdat_layout *lay, const struct tdat_cpu *c);
/*
 * libtracecmd 3.1.6's tracecmd_close() leaves its mappings of the CPU
 * data of an uncompressed file behind: once every handle of the file
 * (device dev, inode ino) is closed, nothing points into them any more,
 * and this unmaps them (their pages would otherwise stay resident).
 */
void tdat_unmap_left(dev_t dev, ino_t ino);

/* Shared by trace_dat_layout.c and trace_dat_repair.c: */
struct tdat_section {
	uint64_t at;
	uint64_t id, flags, size;
};

int tdat_read_at(int fd, void *buf, size_t len, uint64_t at);
uint64_t tdat_decode(const unsigned char *b, int len, bool big);
int tdat_section_at(int fd, const struct tdat_layout *lay, uint64_t at, struct tdat_section *s);
struct tdat_buffer *tdat_add_buffer(struct tdat_layout *lay, const char *name);
struct tdat_cpu *tdat_add_cpu(struct tdat_buffer *b);
void tdat_note_damage(struct tdat_layout *lay, uint64_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Version 7 without its buffer table: the compressed buffers, found again. */
void tdat_find_lost_buffers(int fd, struct tdat_layout *lay);

#endif
