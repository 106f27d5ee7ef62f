/*
 * The recorder's own tracefs instance: created with the events of a
 * preset, read per CPU as raw pages into files while it records, and
 * removed on every way out, so that nothing of the machine's tracing
 * (the top-level buffer, other users' instances) is touched.
 */
#ifndef MMT_RECORD_TRACER_H
#define MMT_RECORD_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd/record/presets.h"

/* One event enabled in the instance, by name. */
struct rec_enabled {
	char system[64];
	char event[96];
};

struct rec_tracer {
	struct tracefs_instance *inst;
	char name[64];			/* "mmtriage-PID" */
	char tracing_dir[256];
	bool mounted_here;		/* tracefs was mounted by the recorder: unmount at the end */
	int ncpus;
	struct tracefs_cpu **tcpu;
	int *raw_fd;			/* OUT/.cpuN.raw */
	uint64_t *raw_bytes;
	struct rec_enabled *enabled;	/* every event enabled, system by system */
	size_t nenabled;
	size_t nstacks;			/* events with a stack trigger */
	bool on;
};

/*
 * Makes sure tracefs is mounted (mounting it at /sys/kernel/tracing when
 * root, and noting it so that rec_tracer_close unmounts it). Returns 0, or
 * -1 with why filled, saying what to do.
 */
int rec_tracefs_ready(struct rec_tracer *t, char *why, size_t n);
/*
 * Removes instances named mmtriage-PID whose recorder no longer runs
 * (killed before it could clean up), naming each on log.
 */
void rec_remove_stale(FILE *log);
/*
 * Creates the instance with buffer_kb per CPU and the local clock, and
 * opens each CPU's raw buffer into dir/.cpuN.raw. Returns 0, or -1 with
 * why filled (the instance is removed again).
 */
int rec_tracer_open(struct rec_tracer *t, const char *dir, unsigned long buffer_kb,
		    char *why, size_t n);
/*
 * Enables the set's events, their filters and stack triggers. An event
 * this kernel lacks, or a filter it refuses, is named on log and skipped.
 * Returns the number of events enabled (0 is an error for the caller).
 */
size_t rec_tracer_enable(struct rec_tracer *t, const struct rec_event_set *set, FILE *log);
int rec_tracer_set_on(struct rec_tracer *t, bool on);
/*
 * Moves the pages filled so far into the raw files (final: also the last,
 * partly filled pages). Returns bytes moved, or -1 on a write error
 * (errno kept).
 */
int64_t rec_tracer_drain(struct rec_tracer *t, bool final);
/* The instance's text of per_cpu/cpuN/stats (malloc'd, NULL when unreadable). */
char *rec_tracer_stats_text(struct rec_tracer *t, int cpu);
/*
 * The events a CPU's stats text says were lost: overwritten (overrun),
 * refused with the buffer full (dropped events), lost to nested writes
 * (commit overrun).
 */
uint64_t rec_stats_lost(const char *text);
/* True when tracefs at tracing_dir has the system (event "*") or event. */
bool rec_event_exists(const char *tracing_dir, const char *system, const char *event);
/* Closes the raw files and readers, removes the instance, unmounts what it mounted. */
void rec_tracer_close(struct rec_tracer *t);
/*
 * For a fatal signal: stops the instance and removes it using only
 * async-signal-safe calls.
 */
void rec_tracer_emergency_stop(void);

/*
 * The local trace clock against CLOCK_MONOTONIC and CLOCK_REALTIME at one
 * instant, measured by a trace_marker write read back from the instance.
 */
struct rec_clock {
	double local;			/* the trace clock (global), seconds */
	double mono;			/* CLOCK_MONOTONIC, seconds */
	double wall;			/* CLOCK_REALTIME, seconds */
	double uncertainty;		/* half the time the marker write took */
};

int rec_tracer_calibrate(struct rec_tracer *t, struct rec_clock *c, char *why, size_t n);

#endif
