/*
 * Unix seconds as a UTC calendar time, refusing what a four-digit year
 * cannot show: beyond it a cast to time_t may overflow (undefined) and
 * gmtime_r fails, leaving the struct tm unset.
 */
#include "core/utc.h"

#include <math.h>

bool mmt_utc(double t, struct tm *tm)
{
	time_t secs;

	if (!(t >= MMT_UTC_MIN && t < MMT_UTC_END))
		return false;
	secs = (time_t)floor(t);
	return gmtime_r(&secs, tm) != NULL;
}
