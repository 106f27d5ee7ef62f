/*
 * Scanners over a range [p, e) of a log line, shared by the parsers of
 * stack text (frame.c, marker.c, lockdep.c). Inline: they run on every
 * byte of every line that might be a frame.
 */
#ifndef MMT_SCAN_H
#define MMT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline bool scan_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline const char *scan_skip_blanks(const char *p, const char *e)
{
	while (p < e && scan_is_blank(*p))
		p++;
	return p;
}

static inline bool scan_has_prefix(const char *p, const char *e, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(e - p) >= n && memcmp(p, lit, n) == 0;
}

/* The value of a hex digit, -1 for any other byte. */
static inline int scan_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

#endif
