/*
 * A bounded-memory line reader with the input checks every text parser
 * shares. Lines are handed out in place from a buffer that starts small and
 * doubles for long lines, up to room for MMT_LINE_MAX and a read, so memory
 * stays bounded whatever the file's size.
 */
#include "core/lines.h"
#include "core/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK (1u << 20)
/* Most files are read whole through the first buffer: 64 KiB is as fast as more. */
#define FIRST_CAP (64u << 10)
#define LAST_CAP (MMT_LINE_MAX + READ_CHUNK + 1)

void mmt_lines_init(struct mmt_lines *lr, int fd, const char *path, unsigned flags)
{
	memset(lr, 0, sizeof(*lr));
	lr->fd = fd;
	lr->path = path;
	lr->flags = flags;
	lr->cap = FIRST_CAP;
	lr->buf = xmalloc(lr->cap);
}

void mmt_lines_free(struct mmt_lines *lr)
{
	free(lr->buf);
	lr->buf = NULL;
	mmt_sb_free(&lr->fixed);
}

/* Length of a valid UTF-8 sequence starting at s, or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

size_t mmt_utf8_invalid_at(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		/* Kernel logs are almost all ASCII: skip 8 bytes at a time. */
		if (i + 8 <= n) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080ull) &&
			    !((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull)) {
				i += 8;
				continue;
			}
		}
		size_t len = utf8_seq(s + i, n - i);

		if (!len)
			return i;
		i += len;
	}
	return n;
}

/* Lenient mode: copy the line with each bad byte written as \xNN. */
static void repair(struct mmt_lines *lr, const char **line, size_t *len)
{
	const unsigned char *s = (const unsigned char *)*line;
	size_t n = *len < MMT_LINE_MAX ? *len : MMT_LINE_MAX;
	size_t i = 0;

	mmt_sb_reset(&lr->fixed);
	while (i < n) {
		size_t ok = mmt_utf8_invalid_at((const char *)s + i, n - i);

		mmt_sb_add(&lr->fixed, (const char *)s + i, ok);
		i += ok;
		if (i < n) {
			mmt_sb_addf(&lr->fixed, "\\x%02x", s[i]);
			i++;
		}
	}
	lr->repaired++;
	*line = lr->fixed.buf ? lr->fixed.buf : "";
	*len = lr->fixed.len;
}

static int check_line(struct mmt_lines *lr, const char **line, size_t *len,
		      struct mmt_err *err)
{
	size_t bad = mmt_utf8_invalid_at(*line, *len);
	bool lenient = lr->flags & MMT_LINES_LENIENT;

	if (bad == *len && *len <= MMT_LINE_MAX)
		return 0;
	if (lenient) {
		repair(lr, line, len);
		return 0;
	}
	/* A run of NULs (a hole of a sparse file) is said as such, not as a long line. */
	if (bad < *len && (*line)[bad] == '\0')
		return mmt_err_at(err, lr->path, lr->lineno,
				  "NUL byte at column %zu; binary data in a text input "
				  "(--lenient writes such bytes as \\x00 and goes on)", bad + 1);
	if (*len > MMT_LINE_MAX)
		return mmt_err_at(err, lr->path, lr->lineno,
				  "line is longer than %u bytes; this is not a log "
				  "(--lenient cuts such lines)", MMT_LINE_MAX);
	return mmt_err_at(err, lr->path, lr->lineno,
			  "invalid UTF-8 byte 0x%02x at column %zu (--lenient writes "
			  "such bytes as \\xNN and goes on)",
			  (unsigned char)(*line)[bad], bad + 1);
}

/*
 * Doubles the buffer when unread bytes (a line without its end yet) fill
 * half of it. At LAST_CAP a line over MMT_LINE_MAX is cut before a read,
 * so a read always has room.
 */
static void make_room(struct mmt_lines *lr)
{
	if (lr->end * 2 < lr->cap || lr->cap >= LAST_CAP)
		return;
	lr->cap = lr->cap * 2 > LAST_CAP ? LAST_CAP : lr->cap * 2;
	lr->buf = xrealloc(lr->buf, lr->cap);
}

/* Reads more input after moving unread bytes to the front. */
static int fill(struct mmt_lines *lr, struct mmt_err *err)
{
	ssize_t got;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	make_room(lr);
	do {
		got = read(lr->fd, lr->buf + lr->end, lr->cap - 1 - lr->end);
	} while (got < 0 && errno == EINTR);
	if (got < 0)
		return mmt_err_at(err, lr->path, lr->lineno + 1, "read error: %s",
				  strerror(errno));
	if (got == 0)
		lr->eof = true;
	if (lr->hash)
		mmt_sha256_update(lr->hash, lr->buf + lr->end, (size_t)got);
	lr->end += (size_t)got;
	return 0;
}

/* Hands out buf[start..start+n) as a line and consumes `used` bytes. */
static void take(struct mmt_lines *lr, const char **line, size_t *len,
		 size_t n, size_t used)
{
	const char *p = lr->buf + lr->start;

	while (n > 0 && p[n - 1] == '\r')
		n--;
	*line = p;
	*len = n;
	lr->start += used;
	lr->consumed += used;
	lr->lineno++;
}

/*
 * Lenient mode met an overlong line: keep its first MMT_LINE_MAX bytes
 * (repaired into lr->fixed, since the buffer is about to be reused) and
 * discard the rest of it, up to MMT_LINE_SKIP_MAX bytes.
 */
static int skip_rest(struct mmt_lines *lr, const char **line, size_t *len,
		     struct mmt_err *err)
{
	uint64_t length = *len;

	repair(lr, line, len);
	for (;;) {
		char *nl;

		lr->start = lr->end = 0;
		if (lr->eof)
			return 1;
		if (fill(lr, err) < 0)
			return -1;
		nl = memchr(lr->buf, '\n', lr->end);
		length += nl ? (size_t)(nl - lr->buf) : lr->end;
		if (length > (uint64_t)MMT_LINE_MAX + MMT_LINE_SKIP_MAX)
			return mmt_err_at(err, lr->path, lr->lineno,
					  "line runs on for more than %u bytes past the %u kept "
					  "(MMT_LINE_SKIP_MAX): not text, even cut",
					  MMT_LINE_SKIP_MAX, MMT_LINE_MAX);
		if (nl) {
			size_t used = (size_t)(nl - lr->buf) + 1;

			lr->start = used;
			lr->consumed += used;
			return 1;
		}
		lr->consumed += lr->end;
	}
}

int mmt_lines_next(struct mmt_lines *lr, const char **line, size_t *len,
		   struct mmt_err *err)
{
	for (;;) {
		size_t avail = lr->end - lr->start;
		char *nl = memchr(lr->buf + lr->start, '\n', avail);

		if (nl) {
			size_t n = (size_t)(nl - (lr->buf + lr->start));

			take(lr, line, len, n, n + 1);
			lr->last_unterminated = false;
			return check_line(lr, line, len, err) < 0 ? -1 : 1;
		}
		if (avail > MMT_LINE_MAX || (lr->eof && avail > 0)) {
			/* An overlong line, or the last line without '\n'. */
			bool too_long = avail > MMT_LINE_MAX;

			take(lr, line, len, avail, avail);
			lr->last_unterminated = !too_long;
			if (too_long && !(lr->flags & MMT_LINES_LENIENT)) {
				*len = MMT_LINE_MAX + 1;
				return check_line(lr, line, len, err) < 0 ? -1 : 1;
			}
			if (too_long)
				return skip_rest(lr, line, len, err);
			return check_line(lr, line, len, err) < 0 ? -1 : 1;
		}
		if (lr->eof)
			return 0;
		if (fill(lr, err) < 0)
			return -1;
	}
}
