/*
 * The parser interface. A parser recognises its format from the first
 * bytes of a file (probe) and streams the file's facts into the store
 * (parse), inside the transaction the ingest driver opened for that file.
 * Adding a format is one file with a struct mmt_parser and one line in the
 * table of parsers.c.
 */
#ifndef MMT_PARSER_H
#define MMT_PARSER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/store.h"

struct mmt_sha256;

#define MMT_HEAD_MAX ((size_t)64 * 1024)	/* bytes a probe sees */
#define MMT_INPUT_LENIENT 1u		/* repair bad bytes instead of refusing */

struct mmt_input {
	const char *path;		/* as given; used in messages and stored */
	int fd;				/* open, positioned at offset 0 */
	uint64_t size;
	const char *head;		/* first bytes of the file, NUL-terminated */
	size_t head_len;
	int64_t source_id;		/* row of sources the facts belong to */
	unsigned flags;
	const char *kernel_hint;	/* release to assume when the input shows none, or NULL */
	/* Set when the file is part of a tree (a sosreport, a capture directory): */
	int64_t tree_id;		/* trees.id, or 0 */
	int64_t page_size;		/* bytes, 0 when the tree does not say */
	double mtime;			/* the file's modification time, Unix seconds */
	double tree_time;		/* when the tree was collected, Unix seconds, 0 if unknown */
	/*
	 * When set, the parser feeds every byte it reads from fd to it (see
	 * mmt_parser.hashes_input): ingest then reads the file only once.
	 */
	struct mmt_sha256 *hash;
	/* Filled by the parser: */
	int64_t records;		/* rows written (what "records" means is the parser's) */
	int64_t reports;		/* reports found, for kernel logs */
	const char *clock;		/* 'monotonic', 'wall' or NULL */
	const char *format;		/* variant, e.g. 'dmesg -T' */
	char kernel[64];		/* kernel release the input shows, "" if none */
	/* Hooks of the caller (may be NULL): */
	void (*warn)(void *ctx, const char *path, long line, const char *msg);
	void (*progress)(void *ctx, const char *path, uint64_t done, uint64_t total);
	void *hook_ctx;
};

struct mmt_parser {
	const char *name;		/* kind stored in sources.kind, and --as KIND */
	const char *help;		/* one line for `mmtriage help ingest` */
	/* Confidence 0..100 that head (len bytes, NUL-terminated) is this format. */
	int (*probe)(const char *head, size_t len);
	int (*parse)(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err);
	/* parse() reads fd from its start, in order, and honours in->hash. */
	bool hashes_input;
	/*
	 * The file's name is part of its identity: a copy of a /proc file
	 * taken at another time (vmstat.1, vmstat.2) is another sample even
	 * when its content is the same, so the hash covers the name too.
	 */
	bool named_samples;
	/* --lenient (MMT_INPUT_LENIENT) changes what parse() does: it reads text lines. */
	bool lenient;
};

extern const struct mmt_parser *const mmt_parsers[];

const struct mmt_parser *mmt_parser_find(const char *name);
/* Best parser for head, or NULL when none is confident enough. */
const struct mmt_parser *mmt_parser_sniff(const char *head, size_t len);

/* Parsers call these: */
void mmt_input_warn(struct mmt_input *in, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void mmt_input_vwarn(struct mmt_input *in, long line, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
void mmt_input_progress(struct mmt_input *in, uint64_t done);
/* True once the user asked to stop (SIGINT/SIGTERM); parsers then fail. */
bool mmt_interrupted(void);
void mmt_request_interrupt(void);

#endif
