/* Figures the analyzers compute over samples and events. */
#include "analyzers/analyzer.h"

#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void mmt_sort_doubles(double *v, size_t n)
{
	/* An empty array may be NULL, which qsort may not be given. */
	if (n)
		qsort(v, n, sizeof(*v), cmp_double);
}
