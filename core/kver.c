/*
 * Kernel release strings reduced to major.minor.patch. Only the leading
 * "N.N" or "N.N.N" counts: distribution and build suffixes ("-24-generic",
 * "+", "-rc5", ".el6.x86_64", "-syzkaller-00016-g...") say nothing about
 * which GFP layout or log format a kernel uses, so they are ignored. A
 * string that does not start with two dot-separated numbers is rejected
 * rather than guessed at.
 */
#include "core/kver.h"

#include <stddef.h>

/* Longer runs of digits are not kernel version fields, and would overflow. */
#define MAX_FIELD_DIGITS 6

/* Reads a decimal field at *s; returns -1 unless it has 1..6 digits. */
static int read_field(const char **s, int *out)
{
	const char *p = *s;
	int v = 0, n = 0;

	while (*p >= '0' && *p <= '9') {
		if (++n > MAX_FIELD_DIGITS)
			return -1;
		v = v * 10 + (*p - '0');
		p++;
	}
	if (n == 0)
		return -1;
	*s = p;
	*out = v;
	return 0;
}

int mmt_kver_parse(const char *s, struct mmt_kver *v)
{
	struct mmt_kver k = { 0, 0, 0 };

	if (!s || !v)
		return -1;
	if (read_field(&s, &k.major) < 0 || *s != '.')
		return -1;
	s++;
	if (read_field(&s, &k.minor) < 0)
		return -1;
	/* "3.10-rc1" and "2.6" have no patch level: it is 0. */
	if (s[0] == '.' && s[1] >= '0' && s[1] <= '9') {
		s++;
		if (read_field(&s, &k.patch) < 0)
			return -1;
	}
	*v = k;
	return 0;
}

int mmt_kver_cmp(const struct mmt_kver *a, const struct mmt_kver *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}
