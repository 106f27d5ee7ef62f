/*
 * Unix seconds as a UTC calendar time, for the dates reports and the TUI
 * print. Times come from inputs (a kernel log can stamp a line 10^17 s after
 * boot), so they are checked before they become a time_t and a struct tm.
 */
#ifndef MMT_UTC_H
#define MMT_UTC_H

#include <stdbool.h>
#include <time.h>

/* The first second of year 1 and of year 10000. */
#define MMT_UTC_MIN (-62135596800.0)
#define MMT_UTC_END 253402300800.0

/*
 * Fills *tm with the second t falls in; false for NaN and for times outside
 * years 1 to 9999, which callers print as seconds instead.
 */
bool mmt_utc(double t, struct tm *tm);

#endif
