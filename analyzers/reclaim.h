/*
 * The reclaim analyzer's parts, shared between its files: how long tasks
 * stall in reclaim, whether kswapd helps, whether reclaim makes progress,
 * which shrinkers free nothing, whether swap is full, and OOM kills seen
 * in traces and counters rather than in the log.
 */
#ifndef MMT_RECLAIM_H
#define MMT_RECLAIM_H

#include "analyzers/analyzer.h"

#define RC_ANALYZER "reclaim"
#define RC_EVIDENCE 12		/* evidence rows per finding, at most */

/* Appends evidence rows to one finding, counting their index. */
struct rc_ev {
	struct mmt_store *st;
	int64_t finding;
	int idx;
};

int rc_evidence(struct rc_ev *ev, const char *kind, int64_t source, int64_t event_id,
		double ts, bool has_ts, struct mmt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
/* The next free evidence index of a finding another analyzer wrote. */
int rc_next_evidence_idx(struct mmt_store *st, int64_t finding);

bool rc_has_rows(struct mmt_store *st, const char *sql);

/* Trace sources: the offset onto the common timeline and where each ends. */
struct rc_trace_src {
	int64_t id;
	double offset, t_first, t_last;
	char kernel[64];
};
struct rc_traces {
	struct rc_trace_src *src;
	size_t n;
};
int rc_traces_load(struct mmt_store *st, struct rc_traces *t, struct mmt_err *err);
const struct rc_trace_src *rc_trace_src(const struct rc_traces *t, int64_t id);
void rc_traces_free(struct rc_traces *t);
/* The name of a trace_comms id. */
void rc_comm(struct mmt_store *st, int64_t comm_id, char *out, size_t n);

/*
 * Begin/end pairs of one trace event pair (direct reclaim, memcg reclaim,
 * shrinker calls), matched per task in one pass over both tables in id
 * order. Begins still open when the trace ends come last, open = true and
 * t1 the end of their trace.
 */
struct rc_episode {
	int64_t source, pid, comm_id, begin_id, end_id;
	double t0, t1;
	int64_t b[3], e[3];	/* the extra columns of the begin and end events */
	int key;		/* interned text key of the begin (a shrinker name), -1 */
	bool open;
};
struct rc_pair_spec {
	const char *system, *begin, *end;	/* event names */
	const char *bcols, *ecols;		/* three SQL expressions each */
	const char *key;			/* a text expression of the begin, or NULL */
	const char *bneed, *eneed;		/* columns they read: "a,b" */
};
struct rc_keys {
	char **name;
	size_t n, cap;
};
typedef int (*rc_pair_fn)(const struct rc_episode *ep, void *ctx, struct mmt_err *err);
/*
 * Returns 0 when either table or a needed column is missing (nothing
 * called), 1 after pairing, -1 on error.
 */
int rc_pairs(struct mmt_store *st, const struct rc_traces *tr, const struct rc_pair_spec *spec,
	     struct rc_keys *keys, rc_pair_fn fn, void *ctx, struct mmt_err *err);
void rc_keys_free(struct rc_keys *k);

/* Snapshot rates per vmstat sample (NAN when the counter is absent). */
struct rc_vm {
	int64_t source;
	double ts;
	double allocstall, scan_direct, steal_direct, scan_kswapd, steal_kswapd;
	double scan_all, steal_all, pswpout, pswpin;
	double pageoutrun;	/* kswapd's balance runs: it ran, even scanning slab only */
	int64_t oom_kill;
	bool has_oom;
};
struct rc_vmstat {
	struct rc_vm *v;
	size_t n;
};
int rc_vmstat_load(struct mmt_store *st, struct rc_vmstat *vm, struct mmt_err *err);
void rc_vmstat_free(struct rc_vmstat *vm);
/* Pages scanned and reclaimed per second, by any reclaimer, when known. */
double rc_vm_scanned(const struct rc_vm *v);
double rc_vm_stolen(const struct rc_vm *v);

/* Nearest-rank percentile of sorted values (0 when there are none). */
double rc_percentile(const double *sorted, size_t n, double p);
const char *rc_gfp_context(uint64_t mask, const char *kernel, char *flags, size_t n);
struct mmt_gfp_decoded;
/*
 * A gfp_flags column of a trace event: the names text traces print, else a
 * number decoded with the layout of the trace's kernel. False when NULL or
 * not decodable.
 */
bool rc_gfp_column(sqlite3_stmt *q, int col, const char *kernel, struct mmt_gfp_decoded *d);

/*
 * Runs of reclaim episodes without progress (reclaim_retries.c), fed per
 * kind with the episodes in the order they ended: direct and memcg
 * reclaim by the pass rc_trace_stalls makes (one pass serves both
 * detectors), a kind nothing fed by a pass of its own in
 * rc_retry_progress, which then writes the findings.
 */
enum rc_reclaim_kind { RC_DIRECT, RC_MEMCG, RC_SOFTLIMIT, RC_NKINDS };

/*
 * A group of runs without progress, as reclaim_livelock.c judges it: long
 * and of several tasks, it is a livelock (reclaim.livelock_* thresholds).
 */
#define RC_LOOP_TASKS 8
struct rc_loop {
	double t0, t1;
	size_t episodes, tasks;
	int64_t source, first_event, last_event;
	const char *kernel;
	bool oom;
	struct { int64_t pid; char comm[64]; } task[RC_LOOP_TASKS];
	size_t ntask;
};
int rc_livelock_check(struct mmt_store *st, const struct rc_loop *l, struct mmt_err *err);
struct rc_retries;
struct rc_retries *rc_retries_new(const struct rc_traces *tr);
void rc_retries_begin_kind(struct rc_retries *r, enum rc_reclaim_kind kind);
int rc_retries_episode(const struct rc_episode *e, void *ctx, struct mmt_err *err);
void rc_retries_end_kind(struct rc_retries *r);
void rc_retries_free(struct rc_retries *r);

/* The detectors, in the order run() calls them. */
int rc_trace_stalls(struct mmt_store *st, const struct rc_traces *tr, struct rc_retries *retries,
		    struct mmt_err *err);
int rc_snapshot_stalls(struct mmt_store *st, const struct rc_vmstat *vm, struct mmt_err *err);
int rc_log_stalls(struct mmt_store *st, struct mmt_err *err);
int rc_kswapd_trace(struct mmt_store *st, const struct rc_traces *tr, struct mmt_err *err);
int rc_kswapd_vmstat(struct mmt_store *st, const struct rc_vmstat *vm, struct mmt_err *err);
int rc_lru_progress(struct mmt_store *st, const struct rc_traces *tr, struct mmt_err *err);
int rc_retry_progress(struct mmt_store *st, struct rc_retries *a, struct mmt_err *err);
int rc_vmstat_progress(struct mmt_store *st, const struct rc_vmstat *vm, struct mmt_err *err);
int rc_shrinkers(struct mmt_store *st, const struct rc_traces *tr, struct mmt_err *err);
int rc_swap(struct mmt_store *st, const struct rc_vmstat *vm, struct mmt_err *err);
int rc_ooms(struct mmt_store *st, const struct rc_vmstat *vm, struct mmt_err *err);

#endif
