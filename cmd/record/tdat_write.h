/*
 * Writes what the recorder captured as a trace-cmd trace.dat, version 6
 * (trace-cmd.dat.v6(5)), so that `trace-cmd report` and every tool built
 * on libtracecmd read it, as `mmtriage ingest` does. Version 6 because it
 * is the one without compression, which makes the file a header followed
 * by the raw pages exactly as the kernel wrote them.
 */
#ifndef MMT_RECORD_TDAT_WRITE_H
#define MMT_RECORD_TDAT_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "cmd/record/tracer.h"

struct rec_tdat_in {
	const char *tracing_dir;		/* formats, printk formats, saved_cmdlines */
	const char *kallsyms;			/* normally /proc/kallsyms */
	const struct rec_enabled *enabled;	/* the events whose formats go in */
	size_t nenabled;
	int ncpus;
	char *const *raw_paths;			/* each CPU's raw pages */
	char *const *cpustats;			/* each CPU's stats text, or NULL */
	const char *clock_text;			/* the instance's trace_clock file */
	const char *extra_cmdlines;		/* "PID COMM\n" lines of tasks seen in /proc */
	const char *uname;			/* "Linux HOST RELEASE MACHINE" */
};

/* What the pages hold, counted while they are copied. */
struct rec_tdat_counts {
	uint64_t events;			/* records, kernel stacks included */
	uint64_t pages;
	uint64_t pages_after_loss;		/* pages the kernel marked as following lost events */
	uint64_t lost_counted;			/* events those pages say were lost, when they say */
	uint64_t first_ns, last_ns;		/* on the trace clock; 0 when empty */
	uint64_t bytes;				/* size of the file */
};

/* Returns 0, or -1 with why filled; a failed write removes the file. */
int rec_tdat_write(const char *path, const struct rec_tdat_in *in, struct rec_tdat_counts *c,
		   char *why, size_t n);

#endif
