/*
 * Reading text inputs line by line in bounded memory, and refusing what is
 * not text: a NUL byte, invalid UTF-8 or a line over MMT_LINE_MAX bytes
 * stops the read with an error naming the line, unless the reader is
 * lenient, in which case such bytes are written as \xNN and the line is cut.
 * Line numbers count '\n' like editors do; trailing CRs are dropped.
 */
#ifndef MMT_LINES_H
#define MMT_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/sha256.h"
#include "core/strbuf.h"

#define MMT_LINE_MAX (1u << 20)		/* no kernel prints a line near this long */
/*
 * Lenient mode cuts a line at MMT_LINE_MAX and skips the rest of it; it
 * skips at most this much: 64 MiB without a newline is a disk image or the
 * hole of a sparse file, whose end may be hundreds of GB away.
 */
#define MMT_LINE_SKIP_MAX (64u << 20)
#define MMT_LINES_LENIENT 1u

struct mmt_lines {
	int fd;
	const char *path;		/* for messages; not owned */
	unsigned flags;
	char *buf;
	size_t cap;
	size_t start, end;		/* unread bytes are buf[start..end) */
	long lineno;			/* number of the line last returned */
	uint64_t consumed;		/* bytes of the file returned so far */
	bool eof;
	bool last_unterminated;		/* the last line returned had no '\n' */
	long repaired;			/* lines changed in lenient mode */
	struct mmt_sha256 *hash;	/* when set, every byte read is fed to it */
	struct mmt_sb fixed;		/* lenient mode's repaired line */
};

/* Reads from fd (not closed here). */
void mmt_lines_init(struct mmt_lines *lr, int fd, const char *path, unsigned flags);
/*
 * Returns 1 with the line and its length set (valid until the next call; not
 * NUL-terminated), 0 at end of file, -1 on a read error or refused input.
 */
int mmt_lines_next(struct mmt_lines *lr, const char **line, size_t *len,
		   struct mmt_err *err);
void mmt_lines_free(struct mmt_lines *lr);

/*
 * Index of the first byte of s[0..n) that is not valid UTF-8 (NUL counts as
 * invalid), or n when all is valid.
 */
size_t mmt_utf8_invalid_at(const char *s, size_t n);

#endif
