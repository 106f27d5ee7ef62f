/*
 * Times of snapshots: the `date` lines capture loops print between
 * samples, and the times file names carry ("vmstat.20261121T102030",
 * "meminfo-1795300001.5"). Times without a zone are taken as UTC, the zone
 * `date` prints in on servers and the one capture tools use in names.
 */
#include "parsers/series_time.h"
#include "core/fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static bool digits(const char *s, size_t n)
{
	return mmt_is_digits(s, n);
}

static int num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* "1795300001" or "1795300001.198800342": seconds since the epoch (2001 on). */
static bool epoch_time(const char *s, size_t n, double *ts)
{
	size_t i = 0;
	char buf[40];

	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i < 9 || i > 11)
		return false;
	if (i < n && (s[i] != '.' || !digits(s + i + 1, n - i - 1)))
		return false;
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*ts = strtod(buf, NULL);
	return true;
}

static bool valid_tm(const struct tm *tm)
{
	return tm->tm_year >= 70 && tm->tm_year < 1100 && tm->tm_mon >= 0 &&
	       tm->tm_mon < 12 && tm->tm_mday >= 1 && tm->tm_mday <= 31 &&
	       tm->tm_hour < 24 && tm->tm_min < 60 && tm->tm_sec <= 60;
}

/* ".123456789" or ",123" after the seconds. */
static double fraction(const char *s, size_t n, size_t *used)
{
	size_t i = 1;
	double f = 0, scale = 0.1;

	*used = 0;
	if (n < 2 || (s[0] != '.' && s[0] != ',') || s[1] < '0' || s[1] > '9')
		return 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		f += (s[i] - '0') * scale;
		scale /= 10;
	}
	*used = i;
	return f;
}

/* "Z", "+00:00", "+0000", "-05:00": seconds east of UTC; false when absent. */
static bool zone_offset(const char *s, size_t n, long *east, size_t *used)
{
	int sign;

	*used = 0;
	if (n >= 1 && s[0] == 'Z') {
		*east = 0;
		*used = 1;
		return true;
	}
	if (n < 5 || (s[0] != '+' && s[0] != '-'))
		return false;
	sign = s[0] == '-' ? -1 : 1;
	if (digits(s + 1, 2) && s[3] == ':' && n >= 6 && digits(s + 4, 2)) {
		*east = sign * (num(s + 1, 2) * 3600L + num(s + 4, 2) * 60L);
		*used = 6;
		return true;
	}
	if (digits(s + 1, 4)) {
		*east = sign * (num(s + 1, 2) * 3600L + num(s + 3, 2) * 60L);
		*used = 5;
		return true;
	}
	return false;
}

/*
 * "2026-11-21T22:26:41", "2026-11-21 22:26:41.5+00:00", "20261121T222641",
 * "2026-11-21_22-26-41": *used is how much was read.
 */
static bool iso_time(const char *s, size_t n, double *ts, size_t *used)
{
	struct tm tm = { 0 };
	size_t i, fu = 0, zu = 0;
	long east = 0;
	double frac;
	bool dashed = n >= 19 && s[4] == '-' && s[7] == '-';

	if (dashed) {
		if (!digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2) ||
		    (s[10] != 'T' && s[10] != ' ' && s[10] != '_') || !digits(s + 11, 2) ||
		    (s[13] != ':' && s[13] != '-') || !digits(s + 14, 2) ||
		    s[16] != s[13] || !digits(s + 17, 2))
			return false;
		tm.tm_year = num(s, 4) - 1900;
		tm.tm_mon = num(s + 5, 2) - 1;
		tm.tm_mday = num(s + 8, 2);
		tm.tm_hour = num(s + 11, 2);
		tm.tm_min = num(s + 14, 2);
		tm.tm_sec = num(s + 17, 2);
		i = 19;
	} else {
		if (n < 15 || !digits(s, 8) || (s[8] != 'T' && s[8] != '-' && s[8] != '_') ||
		    !digits(s + 9, 6))
			return false;
		tm.tm_year = num(s, 4) - 1900;
		tm.tm_mon = num(s + 4, 2) - 1;
		tm.tm_mday = num(s + 6, 2);
		tm.tm_hour = num(s + 9, 2);
		tm.tm_min = num(s + 11, 2);
		tm.tm_sec = num(s + 13, 2);
		i = 15;
	}
	if (!valid_tm(&tm))
		return false;
	frac = fraction(s + i, n - i, &fu);
	i += fu;
	if (zone_offset(s + i, n - i, &east, &zu))
		i += zu;
	*ts = (double)timegm(&tm) - east + frac;
	*used = i;
	return true;
}

static int month_index(const char *s)
{
	for (int m = 0; m < 12; m++)
		if (!strncmp(s, months[m], 3))
			return m;
	return -1;
}

/* "HH:MM:SS" into tm. */
static bool clock_time(const char *s, struct tm *tm)
{
	if (!digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) || s[5] != ':' ||
	    !digits(s + 6, 2))
		return false;
	tm->tm_hour = num(s, 2);
	tm->tm_min = num(s + 3, 2);
	tm->tm_sec = num(s + 6, 2);
	return true;
}

/* tm's clock time on the given day, east seconds ahead of UTC, as Unix time. */
/*
 * A day of the month or a year as date prints them (1 to 4 digits), read
 * from a word rather than by %d: a year of -2147483648 made year - 1900
 * overflow.
 */
static bool date_number(const char *word, int *out)
{
	size_t n = strlen(word);
	int64_t v;

	if (n < 1 || n > 4 || mmt_parse_i64(word, n, &v) != MMT_NUM_OK || v < 0)
		return false;
	*out = (int)v;
	return true;
}

static bool calendar_time(struct tm *tm, int year, int mon, int mday, long east, double *ts)
{
	tm->tm_year = year - 1900;
	tm->tm_mon = mon;
	tm->tm_mday = mday;
	if (!valid_tm(tm))
		return false;
	*ts = (double)timegm(tm) - east;
	return true;
}

/* `date` in the C locale: "Sat Nov 21 22:26:41 UTC 2026". */
static bool date_default(const char *s, size_t n, double *ts, bool *utc)
{
	char buf[64];
	char dow[8], mon[8], day[8], hms[16], zone[16], yr[8];
	int mday, year, m;
	struct tm tm = { 0 };

	/* Most lines are not times: look at the shape before scanning. */
	if (n < 24 || n >= sizeof(buf) || s[3] != ' ' || s[7] != ' ' ||
	    s[0] < 'A' || s[0] > 'Z')
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (sscanf(buf, "%3s %3s %7s %8s %15s %7s", dow, mon, day, hms, zone, yr) != 6 ||
	    !date_number(day, &mday) || !date_number(yr, &year) ||
	    (m = month_index(mon)) < 0 || !clock_time(hms, &tm))
		return false;
	*utc = !strcmp(zone, "UTC") || !strcmp(zone, "GMT");
	return calendar_time(&tm, year, m, mday, 0, ts);
}

/* `date -R`: "Sat, 21 Nov 2026 22:26:41 +0000". */
static bool date_rfc2822(const char *s, size_t n, double *ts)
{
	char buf[64], day[8], mon[8], yr[8], hms[16], zone[8];
	int mday, year, m;
	long east;
	size_t zu;
	struct tm tm = { 0 };

	if (n >= sizeof(buf) || n < 5 || s[3] != ',')
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (sscanf(buf + 4, "%7s %3s %7s %8s %7s", day, mon, yr, hms, zone) != 5 ||
	    !date_number(day, &mday) || !date_number(yr, &year) ||
	    (m = month_index(mon)) < 0 || !clock_time(hms, &tm) ||
	    !zone_offset(zone, strlen(zone), &east, &zu))
		return false;
	return calendar_time(&tm, year, m, mday, east, ts);
}

bool mmt_time_line(const char *s, size_t n, double *ts, bool *zone_known)
{
	size_t used;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*zone_known = true;
	if (epoch_time(s, n, ts))
		return true;
	if (iso_time(s, n, ts, &used) && used == n)
		return true;
	if (date_rfc2822(s, n, ts))
		return true;
	return date_default(s, n, ts, zone_known);
}

bool mmt_time_in_name(const char *name, double *ts)
{
	size_t n = strlen(name), used;

	for (size_t i = 0; i < n; i++) {
		if (name[i] < '0' || name[i] > '9' || (i > 0 && name[i - 1] >= '0' &&
							name[i - 1] <= '9'))
			continue;
		if (iso_time(name + i, n - i, ts, &used))
			return true;
		size_t j = i;
		while (j < n && ((name[j] >= '0' && name[j] <= '9') || name[j] == '.'))
			j++;
		while (j > i && name[j - 1] == '.')
			j--;
		if (epoch_time(name + i, j - i, ts))
			return true;
	}
	return false;
}

void mmt_series_name(const char *path, char *out, size_t cap)
{
	const char *base = strrchr(path, '/');
	size_t keep, o = 0;
	bool in_digits = false;

	/* Copies are told apart by the digits of the file's own name. */
	keep = base ? (size_t)(base - path) + 1 : 0;
	if (keep >= cap)
		keep = cap - 1;
	memcpy(out, path, keep);
	o = keep;
	for (const char *p = path + keep; *p && o + 1 < cap; p++) {
		bool d = (*p >= '0' && *p <= '9') ||
			 (in_digits && strchr(".:-_TZ", *p) && p[1] >= '0' && p[1] <= '9');
		if (d) {
			if (!in_digits)
				out[o++] = '#';
			in_digits = true;
			continue;
		}
		in_digits = false;
		out[o++] = *p;
	}
	out[o] = '\0';
}
