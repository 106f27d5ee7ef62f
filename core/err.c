/* Filling struct mmt_err: the one way library code reports a failure. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

int mmt_err_set(struct mmt_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int mmt_err_vat(struct mmt_err *err, const char *path, long line, const char *fmt,
		va_list ap)
{
	if (!err)
		return -1;
	err->path = path;
	err->line = line;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -1;
}

int mmt_err_at(struct mmt_err *err, const char *path, long line,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mmt_err_vat(err, path, line, fmt, ap);
	va_end(ap);
	return -1;
}

void mmt_err_clear(struct mmt_err *err)
{
	err->path = NULL;
	err->line = 0;
	err->msg[0] = '\0';
}
