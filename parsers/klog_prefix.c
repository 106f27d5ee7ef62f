/*
 * What precedes a kernel message in the logs users bring: printk
 * timestamps "[  12.345678]" and callers "[ T123]", printk levels "<4>",
 * dmesg -T "[Sat Nov 21 20:51:00 2026]", ISO times, syslog and journal
 * headers ("Aug  1 07:47:29 host kernel: "), and mail quotes ("> ").
 * Also sniffing: which of these a file uses, and whether a mail client
 * wrapped its lines.
 */
#include "parsers/klog.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* German abbreviations, as dmesg -T prints them in a de_DE locale. */
static const char *const months_de[] = {
	"Jan", "Feb", "M\xc3\xa4r", "Apr", "Mai", "Jun",
	"Jul", "Aug", "Sep", "Okt", "Nov", "Dez",
};

/* Month number of the name at s, or -1; *len receives the name's length. */
static int month_named(const char *s, size_t n, size_t *len)
{
	for (int m = 0; m < 12; m++) {
		size_t l = strlen(months_de[m]);

		if (n >= 3 && !memcmp(s, months[m], 3)) {
			*len = 3;
			return m;
		}
		if (n >= l && !memcmp(s, months_de[m], l)) {
			*len = l;
			return m;
		}
	}
	return -1;
}

static int month_index(const char *s, size_t n)
{
	size_t len;

	return n >= 3 ? month_named(s, n, &len) : -1;
}

static bool digits(const char *s, size_t n, size_t i, size_t count)
{
	if (i + count > n)
		return false;
	for (size_t k = 0; k < count; k++)
		if (!isdigit((unsigned char)s[i + k]))
			return false;
	return true;
}

static int num(const char *s, size_t i, size_t count)
{
	int v = 0;

	for (size_t k = 0; k < count; k++)
		v = v * 10 + (s[i + k] - '0');
	return v;
}

/*
 * "[  12.345678]" at s[i]: returns the index after ']' or 0. At the start
 * of a line the '[' may be missing: copy and paste often loses it.
 */
/*
 * Digits from s[*j] as an integer: at most 18 are kept (more would
 * overflow; no printk clock prints that many), *ndigits says how many.
 */
static uint64_t stamp_digits(const char *s, size_t n, size_t *j, int *ndigits)
{
	uint64_t v = 0;

	for (*ndigits = 0; *j < n && isdigit((unsigned char)s[*j]); (*j)++)
		if (*ndigits < 18) {
			v = v * 10 + (uint64_t)(s[*j] - '0');
			(*ndigits)++;
		}
	return v;
}

/* The fraction is read as an integer and divided once: exact, and cheap. */
static size_t mono_stamp(const char *s, size_t n, size_t i, double *t)
{
	static const double pow10[19] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
		1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
	};
	size_t j = i + 1;
	uint64_t whole, frac;
	int nwhole, nfrac;

	if (i == 0 && n > 0 && s[0] == ' ')
		j = 0;
	else if (i >= n || s[i] != '[')
		return 0;
	while (j < n && s[j] == ' ')
		j++;
	whole = stamp_digits(s, n, &j, &nwhole);
	if (!nwhole || j >= n || s[j] != '.')
		return 0;
	j++;
	frac = stamp_digits(s, n, &j, &nfrac);
	if (!nfrac || j >= n || s[j] != ']')
		return 0;
	*t = (double)whole + (double)frac / pow10[nfrac];
	return j + 1;
}

/* "[ T123]" or "[C1]" right after a timestamp. */
static size_t caller_id(const char *s, size_t n, size_t i, struct kline *kl)
{
	size_t j = i + 1, start;

	if (i >= n || s[i] != '[')
		return 0;
	while (j < n && s[j] == ' ')
		j++;
	if (j >= n || (s[j] != 'T' && s[j] != 'C'))
		return 0;
	start = j++;
	while (j < n && isdigit((unsigned char)s[j]))
		j++;
	if (j == start + 1 || j >= n || s[j] != ']')
		return 0;
	kcopy(kl->caller, sizeof(kl->caller), s + start, j - start);
	return j + 1;
}

static double wall_seconds(int year, int mon, int day, int h, int m, int sec)
{
	struct tm tm = { 0 };

	tm.tm_year = year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	return (double)timegm(&tm);
}

/* "HH:MM:SS" at s[i]. */
static bool clock_time(const char *s, size_t n, size_t i, int *h, int *m, int *sec)
{
	if (!digits(s, n, i, 2) || i + 8 > n || s[i + 2] != ':' ||
	    !digits(s, n, i + 3, 2) || s[i + 5] != ':' || !digits(s, n, i + 6, 2))
		return false;
	*h = num(s, i, 2);
	*m = num(s, i + 3, 2);
	*sec = num(s, i + 6, 2);
	return true;
}

/* dmesg -T: "[Sat Nov 21 20:51:00 2026]", weekday and month maybe localised ("Di"). */
static size_t human_stamp(const char *s, size_t n, size_t i, double *t)
{
	size_t j = i + 1, ml;
	int mon, day, h, m, sec;

	if (i >= n || s[i] != '[')
		return 0;
	while (j < n && j - i < 12 && isalpha((unsigned char)s[j]))
		j++;
	if (j == i + 1 || j >= n || s[j] != ' ')
		return 0;
	j++;
	mon = month_named(s + j, n - j, &ml);
	if (mon < 0 || j + ml >= n || s[j + ml] != ' ')
		return 0;
	j += ml + 1;
	if (j < n && s[j] == ' ')
		j++;
	day = 0;
	while (j < n && isdigit((unsigned char)s[j]) && day < 100)	/* stops a long run */
		day = day * 10 + (s[j++] - '0');
	if (day < 1 || day > 31 || j >= n || s[j] != ' ' ||
	    !clock_time(s, n, j + 1, &h, &m, &sec))
		return 0;
	j += 9;
	if (j + 6 > n || s[j] != ' ' || !digits(s, n, j + 1, 4) || s[j + 5] != ']')
		return 0;
	*t = wall_seconds(num(s, j + 1, 4), mon, day, h, m, sec);
	return j + 6;
}

/* Fraction ".123456" or ",123456" at s[*i]; advances. */
static double fraction(const char *s, size_t n, size_t *i)
{
	double f = 0, scale = 0.1;

	if (*i >= n || (s[*i] != '.' && s[*i] != ','))
		return 0;
	for ((*i)++; *i < n && isdigit((unsigned char)s[*i]); (*i)++) {
		f += (s[*i] - '0') * scale;
		scale /= 10;
	}
	return f;
}

/* Zone "Z", "+00:00", "+0000" at s[*i]: seconds east of UTC; advances. */
static int zone_offset(const char *s, size_t n, size_t *i)
{
	int sign, hh, mm = 0;
	size_t j = *i;

	if (j < n && s[j] == 'Z') {
		(*i)++;
		return 0;
	}
	if (j >= n || (s[j] != '+' && s[j] != '-') || !digits(s, n, j + 1, 2))
		return 0;
	sign = s[j] == '-' ? -1 : 1;
	hh = num(s, j + 1, 2);
	j += 3;
	if (j < n && s[j] == ':')
		j++;
	if (digits(s, n, j, 2)) {
		mm = num(s, j, 2);
		j += 2;
	}
	*i = j;
	return sign * (hh * 3600 + mm * 60);
}

/* ISO 8601 "2026-11-21T20:51:00,123456+00:00" at s[i]. */
static size_t iso_stamp(const char *s, size_t n, size_t i, double *t)
{
	int h, m, sec;
	size_t j = i + 19;
	double frac;

	if (!digits(s, n, i, 4) || i + 19 > n || s[i + 4] != '-' ||
	    !digits(s, n, i + 5, 2) || s[i + 7] != '-' || !digits(s, n, i + 8, 2) ||
	    (s[i + 10] != 'T' && s[i + 10] != ' ') ||
	    !clock_time(s, n, i + 11, &h, &m, &sec))
		return 0;
	frac = fraction(s, n, &j);
	*t = wall_seconds(num(s, i, 4), num(s, i + 5, 2) - 1, num(s, i + 8, 2),
			  h, m, sec) + frac - zone_offset(s, n, &j);
	return j;
}

/*
 * Classic syslog "Aug  1 07:47:29" (optionally with a fraction). It has no
 * year: times are taken in year 2000, which keeps order and differences
 * within a log (a leap year, so that Feb 29 exists).
 */
static size_t syslog_stamp(const char *s, size_t n, size_t i, double *t)
{
	int mon = month_index(s + i, n - i), day, h, m, sec;
	size_t j = i + 4;
	double frac;

	if (mon < 0 || i + 15 > n || s[i + 3] != ' ')
		return 0;
	if (s[j] == ' ')
		j++;
	if (!isdigit((unsigned char)s[j]))
		return 0;
	day = s[j++] - '0';
	if (isdigit((unsigned char)s[j]))
		day = day * 10 + (s[j++] - '0');
	if (j >= n || s[j] != ' ' || !clock_time(s, n, j + 1, &h, &m, &sec))
		return 0;
	j += 9;
	frac = fraction(s, n, &j);
	*t = wall_seconds(2000, mon, day, h, m, sec) + frac;
	return j;
}

/* Length of a token of s[i..) made of non-space bytes. */
static size_t token(const char *s, size_t n, size_t i)
{
	size_t j = i;

	while (j < n && s[j] != ' ')
		j++;
	return j - i;
}

/*
 * After a syslog or journal time: "host ident[pid]: " or "host kernel: ".
 * Returns the index of the message, or 0 when it is not such a header.
 */
static size_t host_ident(const char *s, size_t n, size_t i, struct kline *kl)
{
	size_t hl, il, j;

	if (i >= n || s[i] != ' ')
		return 0;
	i++;
	hl = token(s, n, i);
	if (!hl || s[i + hl - 1] == ':' || i + hl >= n)
		return 0;
	j = i + hl + 1;
	il = token(s, n, j);
	if (il < 2 || s[j + il - 1] != ':')
		return 0;
	if (il == 7 && !memcmp(s + j, "kernel:", 7)) {
		kl->foreign = false;
	} else {
		size_t name = il - 1;
		const char *br = memchr(s + j, '[', name);

		if (br)
			name = (size_t)(br - (s + j));
		for (size_t k = 0; k < name; k++)
			if (!isalnum((unsigned char)s[j + k]) && !strchr("-_./@", s[j + k]))
				return 0;
		kl->foreign = true;
		kcopy(kl->origin, sizeof(kl->origin), s + j, name);
	}
	j += il;
	return j < n && s[j] == ' ' ? j + 1 : j;
}

/* "<4>" printk level (or a syslog priority, whose low bits are the level). */
static size_t level_prefix(const char *s, size_t n, size_t i, struct kline *kl)
{
	size_t j = i + 1;
	int v = 0;

	if (i >= n || s[i] != '<' || j >= n || !isdigit((unsigned char)s[j]))
		return 0;
	while (j < n && isdigit((unsigned char)s[j]) && j - i < 4)
		v = v * 10 + (s[j++] - '0');
	if (j >= n || s[j] != '>')
		return 0;
	kl->level = v & 7;
	return j + 1;
}

/*
 * A /dev/kmsg record, as `cat /dev/kmsg` saves it: "PRI,SEQ,USEC,FLAGS;text"
 * (the kernel writes control bytes in text as \xNN). Returns the index of
 * the text, or 0.
 */
static size_t devkmsg_record(const char *s, size_t n, struct kline *kl, double *t)
{
	size_t i = 0;
	int64_t v[3] = { 0 };

	for (int field = 0; field < 3; field++) {
		size_t start = i;

		/* 18 digits: more would overflow (USEC is 31,000 years at 18). */
		while (i < n && isdigit((unsigned char)s[i]) && i - start < 18)
			v[field] = v[field] * 10 + (s[i++] - '0');
		if (i == start || i >= n || s[i] != ',')
			return 0;
		i++;
	}
	while (i < n && s[i] != ';' && s[i] != ' ' && i < 40)
		i++;
	if (i >= n || s[i] != ';')
		return 0;
	kl->level = (int)(v[0] & 7);
	*t = (double)v[2] / 1e6;
	return i + 1;
}

static size_t mail_quote(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == '>') {
		i++;
		if (i < n && s[i] == ' ')
			i++;
	}
	return i;
}

/* A printk timestamp (and caller) at s[i]; the one space after it is part of it. */
static size_t kernel_stamp(const char *s, size_t n, size_t i, struct kline *kl,
			   double *t)
{
	size_t j = mono_stamp(s, n, i, t), c;

	if (!j)
		return 0;
	c = caller_id(s, n, j, kl);
	if (c)
		j = c;
	return j < n && s[j] == ' ' ? j + 1 : j;
}

static void set_time(struct kline *kl, double t, enum klog_clock have,
		     enum klog_clock want)
{
	if (have == want || want == KCLOCK_NONE) {
		kl->t = t;
		kl->has_t = true;
	}
}

/* Wall-clock headers: ISO, syslog; then host/ident and maybe a printk stamp. */
/*
 * Classic syslog times are always followed by "host ident:"; ISO times
 * only in syslog files (KDEC_HOSTS), not in dmesg --time-format iso.
 */
static size_t wall_header(const char *s, size_t n, size_t i, enum klog_clock clock,
			  unsigned flags, struct kline *kl)
{
	double t, mono;
	bool iso = isdigit((unsigned char)s[i]);
	size_t j = iso ? iso_stamp(s, n, i, &t) : syslog_stamp(s, n, i, &t);
	size_t k;

	if (!j)
		return 0;
	kl->has_prefix = true;
	set_time(kl, t, KCLOCK_WALL, clock);
	k = iso && !(flags & KDEC_HOSTS) ? 0 : host_ident(s, n, j, kl);
	if (!k)
		return j < n && s[j] == ' ' ? j + 1 : j;
	if (!kl->foreign) {
		size_t m = kernel_stamp(s, n, k, kl, &mono);

		if (m) {
			set_time(kl, mono, KCLOCK_MONO, clock);
			k = m;
		}
	}
	return k;
}

/* "[ 12.3] host kernel: msg": journalctl -o short-monotonic. */
/*
 * "[ 12.3] host kernel: msg" (journalctl -o short-monotonic). In files
 * sniffed as such (KDEC_JOURNAL) other programs' lines are taken apart too.
 */
static size_t journal_after_stamp(const char *s, size_t n, size_t j, unsigned flags,
				  struct kline *kl)
{
	size_t hl = token(s, n, j), k;

	if ((flags & KDEC_JOURNAL) && j > 0 && (k = host_ident(s, n, j - 1, kl)))
		return k;
	if (!hl || j + hl + 8 > n || memcmp(s + j + hl, " kernel: ", 8) != 0)
		return j;
	for (k = j; k < j + hl; k++)
		if (s[k] == ':' || s[k] == '[')
			return j;
	k = j + hl + 8;
	return k < n && s[k] == ' ' ? k + 1 : k;
}

void klog_decode(const char *s, size_t n, enum klog_clock clock, unsigned flags,
		 struct kline *kl)
{
	size_t i, j;
	double t;

	memset(kl, 0, sizeof(*kl));
	kl->level = -1;
	kl->raw_len = n;
	i = s[0] == '>' ? mail_quote(s, n) : 0;
	j = level_prefix(s, n, i, kl);
	if (j) {
		i = j;
		kl->has_prefix = true;
	}
	/* A /dev/kmsg record, or a kernel stamp whose '[' was lost. */
	if (i == 0 && n > 8 &&
	    ((isdigit((unsigned char)s[0]) && (j = devkmsg_record(s, n, kl, &t))) ||
	     (s[0] == ' ' && (j = kernel_stamp(s, n, 0, kl, &t))))) {
		kl->has_prefix = true;
		set_time(kl, t, KCLOCK_MONO, clock);
		i = j;
	} else if (i < n && s[i] == '[') {
		if ((j = kernel_stamp(s, n, i, kl, &t))) {
			kl->has_prefix = true;
			set_time(kl, t, KCLOCK_MONO, clock);
			i = journal_after_stamp(s, n, j, flags, kl);
		} else if ((j = human_stamp(s, n, i, &t))) {
			kl->has_prefix = true;
			set_time(kl, t, KCLOCK_WALL, clock);
			i = j < n && s[j] == ' ' ? j + 1 : j;
		}
	} else if (i < n && (isdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))) {
		j = wall_header(s, n, i, clock, flags, kl);
		if (j)
			i = j;
	}
	kl->text = s + i;
	kl->len = n - i;
}

size_t klog_embedded_timestamp(const char *s, size_t n, size_t from)
{
	for (size_t i = from; i + 4 < n; i++) {
		const char *p = memchr(s + i, '[', n - i);
		double t;

		if (!p)
			return 0;
		i = (size_t)(p - s);
		if (i > 0 && mono_stamp(s, n, i, &t))
			return i;
	}
	return 0;
}
