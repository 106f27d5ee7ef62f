/*
 * Whitespace-separated fields and exact numbers, for the table-like text
 * of /proc files, slabtop, free and the crash utility. Numbers are parsed
 * strictly: a value that does not fit 64 bits is an error, never a wrap.
 */
#ifndef MMT_FIELDS_H
#define MMT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct mmt_field {
	const char *s;
	size_t n;
};

#define MMT_NUM_OK 0
#define MMT_NUM_BAD (-1)		/* not a number */
#define MMT_NUM_OVERFLOW (-2)		/* does not fit */

/*
 * Splits s[0..n) at runs of blanks into at most max fields; returns the
 * number of fields there are (which may exceed max: only max are filled).
 */
size_t mmt_fields_split(const char *s, size_t n, struct mmt_field *f, size_t max);

/* True for one or more decimal digits and nothing else. */
bool mmt_is_digits(const char *s, size_t n);

int mmt_parse_u64(const char *s, size_t n, uint64_t *out);
int mmt_parse_i64(const char *s, size_t n, int64_t *out);
/* A decimal with optional fraction and sign ("12.5", "-0.01"). */
int mmt_parse_double(const char *s, size_t n, double *out);
/*
 * A size with an optional unit suffix as slabtop, free -h and crash print
 * ("11675968K", "1.19K", "7.5 GB" pieces): *bytes is the value in bytes.
 * unit is the suffix ('\0' for none); K, M, G, T are powers of 1024.
 */
int mmt_parse_size(const char *s, size_t n, double *bytes);

/*
 * The error for a field that failed mmt_parse_u64/i64 with rc, as every
 * parser words it ("value '123x' is not a number"); returns -1.
 */
int mmt_field_number_error(struct mmt_err *err, const char *path, long line, int rc,
			   const struct mmt_field *f, const char *what);
/* mmt_parse_u64 within INT64_MAX (SQLite integers are signed), or that error. */
int mmt_field_u64(struct mmt_err *err, const char *path, long line,
		  const struct mmt_field *f, const char *what, uint64_t *out);

static inline bool mmt_field_is(const struct mmt_field *f, const char *lit)
{
	size_t i = 0;

	/* A field may hold a NUL byte (a probe sees raw bytes): lit ends first. */
	for (; i < f->n; i++)
		if (lit[i] == '\0' || lit[i] != f->s[i])
			return false;
	return lit[i] == '\0';
}

#endif
