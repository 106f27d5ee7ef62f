/*
 * Times of snapshots and the names of series: see series_time.c.
 */
#ifndef MMT_SERIES_TIME_H
#define MMT_SERIES_TIME_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A line that is only a time, as capture loops print between samples:
 * `date +%s[.%N]`, `date` ("Sat Nov 21 22:26:41 UTC 2026"), `date -Is`,
 * `date --rfc-3339=ns`, `date -R`. *ts is Unix seconds; *zone_known is
 * false when `date` printed a zone abbreviation other than UTC/GMT (the
 * time is then taken as UTC).
 */
bool mmt_time_line(const char *s, size_t n, double *ts, bool *zone_known);
/* A time in a file name ("vmstat.20261121T102030", "meminfo-1795300001"). */
bool mmt_time_in_name(const char *name, double *ts);
/*
 * The series a file belongs to: its path with each run of digits of the
 * file's own name (a time or a copy number) written as '#'.
 */
void mmt_series_name(const char *path, char *out, size_t cap);

#endif
