/*
 * CPU masks as traces store them (ipi_send_cpumask's cpumask, ipi_raise's
 * target_cpus): trace.dat as decimal unsigned longs, lowest CPUs first;
 * text traces as the kernel's %*pb, 32-bit hex groups, highest first.
 */
#ifndef MMT_CPUMASK_H
#define MMT_CPUMASK_H

#include <stdbool.h>
#include <stdint.h>

/* Calls fn for every CPU set in mask; dat says which of the two forms it is. */
void mmt_cpumask_each(const char *mask, bool dat, void (*fn)(void *ctx, int64_t cpu),
		      void *ctx);

#endif
