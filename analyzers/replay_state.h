/*
 * The traced machine's state at a time T, reconstructed from the events of
 * one trace source: what each task was doing (running on a CPU, runnable,
 * sleeping, in D), who was in reclaim or compaction, whether kswapd and
 * kcompactd were awake per node, which block requests and writeback work
 * were in flight. `mmtriage replay --at T` prints it (cmd/replay_at.c).
 *
 * replay_state.c is the state machine: events go in, in id order (which
 * is time order within a source), and change the state; replay_util.c
 * holds the rest of the state (arrays, the pid map, names, the dump).
 * replay_stream.c reads the stateful events of a source from their ev_*
 * tables as one ordered stream. replay_build.c builds the checkpoints of
 * the state (schema 004-replay.sql; rows in replay_checkpoint.c) and the
 * names tasks had (trace_tasks, replay_tasks.c), and answers "the state at
 * T" from the checkpoint at or before T plus the events after it.
 * replay_ipis.c counts IPIs over a window. None of these print;
 * replay_at.c is the command that does.
 */
#ifndef MMT_REPLAY_STATE_H
#define MMT_REPLAY_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/store.h"
#include "core/strbuf.h"

/* Bumped whenever the machine changes what it makes of events: old checkpoints are rebuilt. */
#define MMT_REPLAY_VERSION 1
/* since_ns of a state that held from before the trace began. */
#define MMT_REPLAY_BEFORE INT64_MIN

enum mmt_rtask_state {
	MMT_RT_RUNNING,			/* on cpu */
	MMT_RT_RUNNABLE,		/* preempted, yielded or woken, waiting for a CPU */
	MMT_RT_SLEEPING,		/* S: interruptible sleep */
	MMT_RT_BLOCKED,			/* D: uninterruptible sleep */
	MMT_RT_ASLEEP,			/* S or D: woken later in the trace, not seen sleeping */
	MMT_RT_OTHER,			/* T, t, Z, X, I, P...: as printed, in other[] */
	MMT_RT_GONE,			/* exited */
};

enum mmt_reclaim_kind {
	MMT_RC_DIRECT,			/* mm_vmscan_direct_reclaim_begin/_end */
	MMT_RC_MEMCG,			/* mm_vmscan_memcg_reclaim_begin/_end */
	MMT_RC_SOFTLIMIT,		/* mm_vmscan_memcg_softlimit_reclaim_begin/_end */
	MMT_RC_COMPACTION,		/* mm_compaction_begin/_end */
	MMT_RC_KINDS,
};

enum mmt_daemon_kind { MMT_DAEMON_KSWAPD, MMT_DAEMON_KCOMPACTD, MMT_DAEMON_KINDS };

struct mmt_rtask {
	int32_t pid;
	int32_t cpu;			/* running on, or last ran on; -1 unknown */
	int64_t since_ns;		/* MMT_REPLAY_BEFORE: before the trace */
	uint8_t state;			/* enum mmt_rtask_state */
	char other[8];			/* MMT_RT_OTHER: the state as printed ("Z", "T", "I") */
	char comm[17];			/* the name the state's own events last gave it, "" if none */
};

struct mmt_rcpu {
	int32_t pid;			/* 0 idle, -1 unknown (no switch seen yet) */
	int64_t since_ns;
	int64_t seen_ns;		/* its first event, INT64_MAX before it */
};

struct mmt_rreclaim {
	int32_t pid;
	uint8_t kind;			/* enum mmt_reclaim_kind */
	bool has_order, gfp_is_text, has_gfp;
	int32_t order;
	int64_t since_ns;
	int64_t gfp;			/* the mask, when !gfp_is_text */
	char gfp_text[160];		/* names as a text trace printed them */
};

struct mmt_rdaemon {
	uint8_t kind;			/* enum mmt_daemon_kind */
	bool awake, has_order;
	int32_t nid, order;
	int64_t since_ns;
};

struct mmt_rio {
	char dev[24];			/* "8,0" */
	char rwbs[12];
	int64_t sector, nr_sector, issue_ns;
	bool has_nr;
};

struct mmt_rwb {
	char bdi[40];			/* "8:0" */
	int32_t depth;
	int64_t since_ns;
};

/* A growable array: items of size bytes. */
struct mmt_rvec {
	void *v;
	size_t n, cap;
};

/* An int64 -> int64 hash map (open addressing). */
struct mmt_rmap {
	int64_t *keys, *vals;
	uint8_t *used;
	size_t cap, n;
};

struct mmt_replay_state {
	int64_t source;
	int64_t event_id;		/* the last event applied */
	int64_t ts_ns;			/* its time */
	bool modern_states;		/* prev_state bits of Linux 4.14 and later */
	bool wakeups_traced;		/* the trace records wakeups, of new tasks too (sched_wakeup_new
					   or sched_process_fork): a task first seen switched in was
					   runnable before */
	struct mmt_rvec tasks;		/* struct mmt_rtask, exited ones included */
	struct mmt_rmap task_at;	/* pid -> index in tasks */
	struct mmt_rvec cpus;		/* struct mmt_rcpu by CPU number */
	struct mmt_rvec reclaim;	/* struct mmt_rreclaim */
	struct mmt_rvec daemons;	/* struct mmt_rdaemon */
	struct mmt_rvec io;		/* struct mmt_rio */
	struct mmt_rvec wb;		/* struct mmt_rwb */
	/*
	 * Set by the caller to learn, the first time the machine meets a task
	 * or a CPU, what it was doing before (replay_first_* of the schema).
	 */
	void (*first_task)(void *ctx, int32_t pid, int64_t ts_ns, uint8_t state, int32_t cpu);
	void (*first_cpu)(void *ctx, int32_t cpu, int32_t pid, int64_t ts_ns, int64_t seen_ns);
	void *first_ctx;
};

/* The kinds of events the machine takes (replay_stream.c reads them). */
enum mmt_rkind {
	MMT_RK_SWITCH, MMT_RK_WAKEUP, MMT_RK_WAKEUP_NEW, MMT_RK_WAKING, MMT_RK_EXIT,
	MMT_RK_FORK, MMT_RK_RENAME,
	MMT_RK_DIRECT_BEGIN, MMT_RK_DIRECT_END, MMT_RK_MEMCG_BEGIN, MMT_RK_MEMCG_END,
	MMT_RK_SOFT_BEGIN, MMT_RK_SOFT_END, MMT_RK_COMPACT_BEGIN, MMT_RK_COMPACT_END,
	MMT_RK_KSWAPD_WAKE, MMT_RK_KSWAPD_SLEEP, MMT_RK_KCOMPACTD_WAKE, MMT_RK_KCOMPACTD_SLEEP,
	MMT_RK_RQ_ISSUE, MMT_RK_RQ_COMPLETE, MMT_RK_RQ_REQUEUE,
	MMT_RK_WB_START, MMT_RK_WB_WRITTEN,
	MMT_RK_KINDS,
};

/*
 * One event, its fields reduced to what the machine needs (see the table
 * of replay_stream.c for which field is which per kind). Texts are valid
 * until the stream moves on.
 */
struct mmt_revent {
	int64_t id, ts_ns;
	int32_t cpu, pid;		/* common_cpu, common_pid */
	int kind;			/* enum mmt_rkind */
	int64_t a, b;
	bool has_a, has_b;
	bool v_is_text, has_v;		/* v: a field stored as INTEGER or TEXT */
	int64_t vi;
	const char *vs;
	const char *s1, *s2;		/* "" when absent */
};

/* replay_state.c (the machine) and replay_util.c (the rest of the state). */
void mmt_replay_state_init(struct mmt_replay_state *s, int64_t source);
void mmt_replay_state_free(struct mmt_replay_state *s);
/* Applies one event (events in id order). */
void mmt_replay_apply(struct mmt_replay_state *s, const struct mmt_revent *e);
/* dst becomes a copy of src (without its first_* hooks); dst need not be initialised. */
void mmt_replay_state_copy(struct mmt_replay_state *dst, const struct mmt_replay_state *src);
/* The task of pid, NULL if never seen. */
struct mmt_rtask *mmt_replay_task(struct mmt_replay_state *s, int32_t pid);
/* Adds (or finds) a task; its state is set by the caller. */
struct mmt_rtask *mmt_replay_task_add(struct mmt_replay_state *s, int32_t pid);
struct mmt_rcpu *mmt_replay_cpu(struct mmt_replay_state *s, int32_t cpu);
void *mmt_rvec_push(struct mmt_rvec *v, size_t size);
/* Removes item i (of size bytes) by moving the last one into its place. */
void mmt_rvec_drop(struct mmt_rvec *v, size_t size, size_t i);
/* "running", "runnable", "S", "D", "asleep", other[] or "gone". */
const char *mmt_replay_state_name(const struct mmt_rtask *t);
/* The reverse for stored states; false when name is not a state. */
bool mmt_replay_state_parse(const char *name, struct mmt_rtask *t);
const char *mmt_replay_reclaim_name(int kind);	/* "direct", "memcg", ... */
const char *mmt_replay_daemon_name(int kind);	/* "kswapd", "kcompactd" */
int mmt_replay_reclaim_kind(const char *name);	/* -1 when unknown */
int mmt_replay_daemon_kind(const char *name);
/* The whole state as sorted text, one line per item: for tests and comparisons. */
void mmt_replay_state_dump(const struct mmt_replay_state *s, struct mmt_sb *out);

bool mmt_rmap_get(const struct mmt_rmap *m, int64_t key, int64_t *val);
void mmt_rmap_put(struct mmt_rmap *m, int64_t key, int64_t val);
void mmt_rmap_free(struct mmt_rmap *m);

/* replay_stream.c: the stateful events of a source in id order. */
struct mmt_rstream;
/*
 * The events of source with ids in (after, upto], or NULL with err filled.
 * A source without any stateful type gives an empty stream.
 */
struct mmt_rstream *mmt_rstream_open(struct mmt_store *st, int64_t source, int64_t after,
				     int64_t upto, struct mmt_err *err);
/* 1 with *e filled, 0 at the end, -1 on error. */
int mmt_rstream_next(struct mmt_rstream *r, struct mmt_revent *e, struct mmt_err *err);
void mmt_rstream_close(struct mmt_rstream *r);
/* How many events such a stream gives; -1 on error. */
int64_t mmt_rstream_count(struct mmt_store *st, int64_t source, int64_t after, int64_t upto,
			  struct mmt_err *err);

/*
 * replay_tasks.c: the names tasks had (trace_tasks). Names are observed
 * feed by feed (one table scan, or the stream of stateful events), each
 * feed in time order; runs of one pid with one name are merged at the end.
 */
struct mmt_rnames;
struct mmt_rnames *mmt_rnames_new(struct mmt_store *st, struct mmt_err *err);
void mmt_rnames_free(struct mmt_rnames *n);
/* Starts a feed: observations of other feeds no longer extend its runs. */
void mmt_rnames_feed(struct mmt_rnames *n);
/* pid had the name at ts (ignored for pid <= 0, empty names and "<...>"). */
void mmt_rnames_seen(struct mmt_rnames *n, int64_t pid, const char *comm, int64_t ts_ns);
/* What the fields of a stateful event say of names. */
void mmt_rnames_event(struct mmt_rnames *n, const struct mmt_revent *e);
/* Every event's common_pid and common_comm of the source, table by table. */
int mmt_rnames_scan(struct mmt_rnames *n, struct mmt_store *st, int64_t source,
		    int64_t first_id, int64_t last_id, struct mmt_err *err);
/*
 * Writes the merged runs into trace_tasks; common_timely: common_comm is the
 * name at each event's time (perf script), else it only names pids that no
 * field names.
 */
int mmt_rnames_write(struct mmt_rnames *n, struct mmt_store *st, int64_t source,
		     bool common_timely, struct mmt_err *err);

/* replay_build.c: checkpoints and the state at T. */
struct mmt_replay_source {
	int64_t id;
	int64_t first_id, last_id;	/* its event ids */
	int64_t first_ns, last_ns;	/* its first and last event, trace clock */
	double t_offset;		/* seconds to the common timeline (0 when unknown) */
	bool has_offset;
	int64_t lost;			/* events the kernel said it lost, -1 when it said nothing */
	char path[512], kind[32], clock[32], kernel[128];
	int cpus;
};
/* The trace sources, in id order (all, or the one asked for); n 0 when none. */
int mmt_replay_sources(struct mmt_store *st, int64_t only, struct mmt_replay_source **out,
		       size_t *n, struct mmt_err *err);
/* Whether the source holds any event of the named type (sched_switch, ...). */
bool mmt_replay_source_has(struct mmt_store *st, const struct mmt_replay_source *src,
			   const char *name);
/* 1 when the checkpoints of source are built by this version, 0 when not, -1 on error. */
int mmt_replay_built(struct mmt_store *st, int64_t source, struct mmt_err *err);
/*
 * (Re)builds the checkpoints, replay_first_* and trace_tasks of a source,
 * in one transaction: a checkpoint every `every` stateful events (0: an
 * interval that keeps a question under a few milliseconds of replay).
 */
int mmt_replay_build(struct mmt_store *st, const struct mmt_replay_source *src, int64_t every,
		     struct mmt_err *err);
/*
 * The state at t_ns (trace clock): every event at or before it applied,
 * plus what tasks and CPUs first seen later were doing before. From the
 * checkpoints when use_checkpoints (they must be built), else by replaying
 * the whole trace (a read-only database without them). s is initialised here.
 */
int mmt_replay_at(struct mmt_store *st, const struct mmt_replay_source *src, int64_t t_ns,
		  bool use_checkpoints, struct mmt_replay_state *s, struct mmt_err *err);
/* replay_checkpoint.c: the state after s->event_id as a checkpoint of s->source. */
int mmt_replay_cp_write(struct mmt_store *st, const struct mmt_replay_state *s,
			struct mmt_err *err);
/*
 * Loads into s (initialised) the checkpoint at or before t_ns, if any;
 * *upto: the event of the next checkpoint, or the source's last.
 */
int mmt_replay_cp_load(struct mmt_store *st, const struct mmt_replay_source *src, int64_t t_ns,
		       struct mmt_replay_state *s, int64_t *upto, struct mmt_err *err);
/* T in seconds on the common timeline, as nanoseconds on the source's clock. */
int64_t mmt_replay_ns(const struct mmt_replay_source *src, double t);
/* The reverse. */
double mmt_replay_seconds(const struct mmt_replay_source *src, int64_t ns);
/* The name pid had at t_ns per trace_tasks; false when the table has none for it. */
bool mmt_replay_task_name(struct mmt_store *st, int64_t source, int32_t pid, int64_t t_ns,
			  char *out, size_t n);

/* IPIs over a window, per CPU: what replay --at prints. */
struct mmt_replay_ipis {
	bool have_send, have_cfs;	/* the trace records ipi_send_cpu[mask], call_function_single_entry */
	int64_t *sent_to;		/* per target CPU: ipi_send_cpu/_cpumask */
	int64_t *received;		/* per CPU: call_function_single_entry */
	int ncpus;
};
int mmt_replay_count_ipis(struct mmt_store *st, const struct mmt_replay_source *src,
			  int64_t from_ns, int64_t to_ns, struct mmt_replay_ipis *out,
			  struct mmt_err *err);
void mmt_replay_ipis_free(struct mmt_replay_ipis *p);

/* replay_at.c (prints): `mmtriage replay --at T`. */
struct mmt_replay_at_opts {
	const char *db;
	double t;
	int64_t source;			/* 0: every trace */
};
int mmt_replay_at_command(const struct mmt_replay_at_opts *o);

/* The first id of tbl in [lo, hi] whose event is at or after ns, or hi + 1. */
int64_t mmt_trace_first_id_at(struct mmt_store *st, const char *tbl, int64_t lo, int64_t hi,
			      int64_t ns, struct mmt_err *err);

#endif
