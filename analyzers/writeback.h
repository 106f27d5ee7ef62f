/*
 * The writeback analyzer's pieces (writeback.c joins them): windows in
 * which pages under writeback stopped draining, found in snapshot series
 * (writeback_series.c), in block-layer trace events (writeback_trace.c)
 * and in blocked tasks of the kernel log (writeback_tasks.c).
 */
#ifndef MMT_ANALYZERS_WRITEBACK_H
#define MMT_ANALYZERS_WRITEBACK_H

#include "analyzers/analyzer.h"

/* Where a window was seen; the order is that of their weight as evidence. */
enum wb_origin {
	WB_VMSTAT,		/* nr_writeback held while nr_written stood still */
	WB_BLOCK,		/* block requests issued and not completed */
	WB_MEMINFO,		/* Writeback flat (no vmstat series to say more) */
	WB_LOG,			/* a task waiting for writeback, reported by the kernel */
	WB_SINGLE,		/* one snapshot with much under writeback */
	WB_NORIGINS
};

/* One window of one source. Figures are kB for snapshots, requests for blocks. */
struct wb_window {
	enum wb_origin origin;
	double t_start, t_end;		/* first and last moment seen stalled */
	bool recovered;
	double t_recovered;		/* first moment it drained again */
	int64_t source_id;
	char device[40];		/* block device or bdi, "" when the source does not say */
	int64_t at_start, at_end, peak, at_recovery;
	double t_peak;
	int64_t dirty_start, dirty_end;	/* kB, -1 when unknown */
	int64_t drained;		/* pages completed in the window (vmstat), -1 unknown */
	int64_t event_first, event_last;	/* block: oldest issue, the completion; 0 none */
};

struct wb_windows {
	struct wb_window *v;
	size_t n, cap;
};

struct wb_window *wb_window_new(struct wb_windows *ws, enum wb_origin origin);

/* A task the kernel log shows waiting on the path of writeback. */
struct wb_waiter {
	int64_t report, source, line_start, task_line, pid, blocked_secs;
	bool hung, has_pid;
	double t;			/* common timeline: when it was reported */
	char comm[64], cls[32], site[96], workqueue[64];
};

struct wb_waiters {
	struct wb_waiter *v;
	size_t n, cap;
};

/* Stalls in /proc/vmstat and /proc/meminfo series (and lone snapshots). */
int wb_find_series(struct mmt_store *st, struct wb_windows *out, struct mmt_err *err);
/* Block requests that stayed in flight, per device, from block_rq_* events. */
int wb_find_block(struct mmt_store *st, struct wb_windows *out, struct mmt_err *err);
/* Tasks blocked in writeback-related waits; writeback_wait ones also become WB_LOG windows. */
int wb_load_waiters(struct mmt_store *st, struct wb_waiters *out, struct wb_windows *ws,
		    struct mmt_err *err);
/* "loop1" for 7:1, "sda2" for 8:2; "MAJ:MIN" for majors handed out at run time. */
void wb_device_name(unsigned major, unsigned minor, char *out, size_t n);
/* A bdi or device as a trace prints it ("7:1", "7,1") to a name as above. */
void wb_device_text(const char *text, char *out, size_t n);

#endif
