/* Growable strings for building SQL-free text: titles, summaries, output. */
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(struct mmt_sb *sb, size_t extra)
{
	xgrow((void **)&sb->buf, &sb->cap, sb->len + extra + 1, 1);
}

void mmt_sb_add(struct mmt_sb *sb, const char *s, size_t n)
{
	reserve(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void mmt_sb_adds(struct mmt_sb *sb, const char *s)
{
	mmt_sb_add(sb, s, strlen(s));
}

void mmt_sb_addc(struct mmt_sb *sb, char c)
{
	mmt_sb_add(sb, &c, 1);
}

void mmt_sb_vaddf(struct mmt_sb *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	reserve(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void mmt_sb_addf(struct mmt_sb *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mmt_sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void mmt_sb_reset(struct mmt_sb *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

const char *mmt_sb_str(const struct mmt_sb *sb)
{
	return sb->buf ? sb->buf : "";
}

char *mmt_sb_detach(struct mmt_sb *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");

	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void mmt_sb_free(struct mmt_sb *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}
