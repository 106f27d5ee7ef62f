/*
 * A growable NUL-terminated byte string. The struct owns buf; release it
 * with mmt_sb_free(). An empty strbuf needs no allocation (MMT_SB_INIT).
 */
#ifndef MMT_STRBUF_H
#define MMT_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct mmt_sb {
	char *buf;
	size_t len;
	size_t cap;
};

#define MMT_SB_INIT { NULL, 0, 0 }

void mmt_sb_add(struct mmt_sb *sb, const char *s, size_t n);
void mmt_sb_adds(struct mmt_sb *sb, const char *s);
void mmt_sb_addc(struct mmt_sb *sb, char c);
void mmt_sb_addf(struct mmt_sb *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mmt_sb_vaddf(struct mmt_sb *sb, const char *fmt, va_list ap);
void mmt_sb_reset(struct mmt_sb *sb);
/* Always a valid C string, "" when nothing was added. */
const char *mmt_sb_str(const struct mmt_sb *sb);
/* Hands the buffer to the caller (who frees it) and resets sb. */
char *mmt_sb_detach(struct mmt_sb *sb);
void mmt_sb_free(struct mmt_sb *sb);

#endif
