/* CPU masks of trace events (cpumask.h). */
#include "core/cpumask.h"

#include <stddef.h>
#include <stdlib.h>

void mmt_cpumask_each(const char *mask, bool dat, void (*fn)(void *ctx, int64_t cpu),
		      void *ctx)
{
	size_t groups = 1;
	const char *p = mask;

	for (const char *c = mask; *c; c++)
		groups += *c == ',';
	for (size_t word = 0; *p; word++) {
		char *end;
		unsigned long long w = strtoull(p, &end, dat ? 10 : 16);
		int bits = dat ? 64 : 32;
		int64_t base = dat ? (int64_t)word * 64 : (int64_t)(groups - 1 - word) * 32;

		for (int b = 0; b < bits; b++)
			if (w & (1ull << b))
				fn(ctx, base + b);
		if (end == p)
			break;
		p = *end == ',' ? end + 1 : end;
	}
}
