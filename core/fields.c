/* Fields and strict numbers; see fields.h. */
#include "core/fields.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

size_t mmt_fields_split(const char *s, size_t n, struct mmt_field *f, size_t max)
{
	size_t count = 0, i = 0;

	while (i < n) {
		size_t start;

		while (i < n && is_blank(s[i]))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && !is_blank(s[i]))
			i++;
		if (count < max) {
			f[count].s = s + start;
			f[count].n = i - start;
		}
		count++;
	}
	return count;
}

bool mmt_is_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int mmt_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return MMT_NUM_BAD;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9)
			return MMT_NUM_BAD;
		if (v > (UINT64_MAX - d) / 10)
			return MMT_NUM_OVERFLOW;
		v = v * 10 + d;
	}
	*out = v;
	return MMT_NUM_OK;
}

int mmt_parse_i64(const char *s, size_t n, int64_t *out)
{
	bool neg = n > 0 && s[0] == '-';
	uint64_t v;
	int rc = mmt_parse_u64(s + neg, n - neg, &v);

	if (rc != MMT_NUM_OK)
		return rc;
	if (v > (uint64_t)INT64_MAX + neg)
		return MMT_NUM_OVERFLOW;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return MMT_NUM_OK;
}

int mmt_parse_double(const char *s, size_t n, double *out)
{
	char buf[64];
	char *end;
	size_t i = 0;
	bool digit = false;

	if (n == 0 || n >= sizeof(buf))
		return MMT_NUM_BAD;
	if (s[0] == '-' || s[0] == '+')
		i++;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digit = true;
		else if (s[i] != '.')
			return MMT_NUM_BAD;
	}
	if (!digit)
		return MMT_NUM_BAD;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod(buf, &end);
	if (*end || !isfinite(*out))
		return MMT_NUM_OVERFLOW;
	return MMT_NUM_OK;
}

static double unit_factor(char c)
{
	switch (c | 0x20) {
	case 'k': return 1024.0;
	case 'm': return 1024.0 * 1024;
	case 'g': return 1024.0 * 1024 * 1024;
	case 't': return 1024.0 * 1024 * 1024 * 1024;
	default: return 0;
	}
}

int mmt_parse_size(const char *s, size_t n, double *bytes)
{
	double factor = 1, v;
	int rc;

	/* "GB", "KiB", "K", "Gi", "512B": the letter before B/iB gives the power. */
	if (n > 1 && (s[n - 1] | 0x20) == 'b')
		n--;
	if (n > 1 && s[n - 1] == 'i')
		n--;
	if (n > 1 && unit_factor(s[n - 1]) > 1) {
		factor = unit_factor(s[n - 1]);
		n--;
	}
	rc = mmt_parse_double(s, n, &v);
	if (rc == MMT_NUM_OK)
		*bytes = v * factor;
	return rc;
}

int mmt_field_number_error(struct mmt_err *err, const char *path, long line, int rc,
			   const struct mmt_field *f, const char *what)
{
	int shown = (int)(f->n > 40 ? 40 : f->n);

	if (rc == MMT_NUM_OVERFLOW)
		return mmt_err_at(err, path, line, "%s '%.*s' does not fit in 64 bits", what,
				  shown, f->s);
	return mmt_err_at(err, path, line, "%s '%.*s' is not a number", what, shown, f->s);
}

int mmt_field_u64(struct mmt_err *err, const char *path, long line,
		  const struct mmt_field *f, const char *what, uint64_t *out)
{
	int rc = mmt_parse_u64(f->s, f->n, out);

	if (rc == MMT_NUM_OK && *out > (uint64_t)INT64_MAX)
		rc = MMT_NUM_OVERFLOW;
	return rc == MMT_NUM_OK ? 0 : mmt_field_number_error(err, path, line, rc, f, what);
}
