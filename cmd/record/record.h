/*
 * `mmtriage record`: the recording as a whole (cmd_record.c sets it up,
 * record_loop.c runs and ends it, record_info.c writes what it knows about
 * the machine and itself).
 */
#ifndef MMT_RECORD_RECORD_H
#define MMT_RECORD_RECORD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "cmd/record/presets.h"
#include "cmd/record/snap.h"
#include "cmd/record/tdat_write.h"
#include "cmd/record/tracer.h"
#include "core/strbuf.h"

struct rec_opts {
	const char *out;		/* capture directory */
	double duration;		/* seconds; 0: until stopped */
	double interval;		/* seconds between snapshots */
	unsigned long buffer_kb;	/* per CPU */
	const char *events;		/* --events as given */
	const char *stack;		/* --stack as given, or NULL */
	char **command;			/* NULL-terminated argv, or NULL */
	bool quiet;
};

struct recorder {
	struct rec_opts o;
	struct rec_event_set set;
	struct rec_tracer tr;
	struct rec_clock clk;
	struct rec_snap *snap;
	struct rec_kmsg *kmsg;
	struct mmt_sb cmdlines;		/* "PID COMM" of tasks seen in /proc */
	int sigfd;
	sigset_t old_mask;
	pid_t child;
	int child_status;		/* wait status, valid once child_done */
	bool child_done;
	const char *stopped_by;		/* "duration", "command", "SIGINT", ... */
	double t0_mono;			/* when tracing was switched on */
	double t1_mono;			/* when it was switched off */
	double cpu_setup;		/* the recorder's CPU seconds before tracing on */
	double cpu_recording;		/* while recording */
	double cpu_finish;		/* after: the last pages, trace.dat */
	double cpu_total;
	uint64_t lost;			/* per-CPU overrun + dropped, all CPUs */
	uint64_t *lost_cpu;
	struct rec_tdat_counts counts;
	uint64_t snap_bytes;		/* /sys/kernel/slab copies */
	bool progress;			/* a progress line on stderr (a terminal) */
	bool out_made;			/* the capture directory is the recorder's */
	bool write_failed;		/* the trace could not be written (a full disk) */
};

/* The wall time (on the trace's timeline) of CLOCK_MONOTONIC now. */
double rec_wall_now(const struct recorder *r);
double rec_mono_now(void);
/* The recorder's CPU time so far (user and system), seconds. */
double rec_cpu_seconds(void);

/* Runs the recording until it stops, then writes trace.dat; 0 or -1. */
int rec_run(struct recorder *r);
/* Stops tracing and writes every remaining part of the capture. */
int rec_finish(struct recorder *r);

/* capture.info: written at the start, rewritten with the outcome at the end. */
int rec_write_info(const struct recorder *r, bool final, char *why, size_t n);
/* Appends "PID COMM" of every task in /proc to r->cmdlines. */
void rec_scan_tasks(struct recorder *r);
/* "Linux HOST RELEASE MACHINE" for the trace. */
void rec_uname(char *buf, size_t n);

#endif
