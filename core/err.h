/*
 * Errors of library code. Functions below cmd/ never print: they return a
 * negative value and fill a struct mmt_err, which cmd/ prints as
 * "mmtriage: PATH:LINE: message".
 */
#ifndef MMT_ERR_H
#define MMT_ERR_H

#include <stdarg.h>

struct mmt_err {
	const char *path;	/* input the error is about, or NULL */
	long line;		/* 1-based line in path, or 0 */
	char msg[512];
};

/* Sets the message (printf-style); always returns -1. */
int mmt_err_set(struct mmt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, naming a place in an input. */
int mmt_err_at(struct mmt_err *err, const char *path, long line,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same with a va_list, for functions that report on behalf of a caller. */
int mmt_err_vat(struct mmt_err *err, const char *path, long line, const char *fmt,
		va_list ap) __attribute__((format(printf, 4, 0)));
void mmt_err_clear(struct mmt_err *err);

#endif
