/*
 * livelock from a trace: tasks looping in reclaim. A group of runs of
 * reclaim episodes without progress (reclaim_retries.c) that lasts
 * reclaim.livelock_secs or more and holds reclaim.livelock_min_tasks tasks
 * or more is not a moment before an OOM kill: the allocator sends those
 * tasks round again and again (should_reclaim_retry), each round frees
 * nothing, and no OOM kill ends it. The usual reason is a restricted
 * context: a GFP_NOFS/NOIO allocation may not reach the filesystem caches
 * that hold the memory, and the OOM killer does not run for it. The
 * allocator's own retries (oom:reclaim_retry_zone, with no_progress_loops)
 * and the GFP masks of the direct reclaims in the window are the evidence.
 */
#include "analyzers/reclaim.h"
#include "core/gfp.h"

#include <stdio.h>

struct loop_facts {
	int64_t retries, retry_tasks, max_loops, retry_event, retry_source;
	double retry_ts;
	int64_t episodes, restricted;
};

static const char sql_retries[] =
	"SELECT count(*), count(DISTINCT e.common_pid), max(e.no_progress_loops), min(e.id), "
	"min(e.common_source), min(e.common_ts_ns / 1e9 + ifnull(s.t_offset, 0)) "
	"FROM \"%w\" e JOIN sources s ON s.id = e.common_source "
	"WHERE e.common_ts_ns / 1e9 + ifnull(s.t_offset, 0) BETWEEN ?1 AND ?2";

/*
 * A query (fmt, with %w for the table) over one event's table, bound to the
 * loop's window. *q NULL and 0 when the trace lacks the event or column.
 */
static int window_query(struct mmt_store *st, const char *system, const char *event,
			const char *column, const char *fmt, const struct rc_loop *l,
			sqlite3_stmt **q, struct mmt_err *err)
{
	char tbl[128], *sql;

	*q = NULL;
	if (!mmt_event_table(st, system, event, tbl, sizeof(tbl)) ||
	    !mmt_has_columns(st, tbl, column))
		return 0;
	sql = sqlite3_mprintf(fmt, tbl);
	*q = mmt_store_prepare(st, sql, err);
	sqlite3_free(sql);
	if (!*q)
		return -1;
	sqlite3_bind_double(*q, 1, l->t0);
	sqlite3_bind_double(*q, 2, l->t1);
	return 0;
}

/* The allocator's retries in the window: oom:reclaim_retry_zone. */
static int read_retries(struct mmt_store *st, const struct rc_loop *l, struct loop_facts *f,
			struct mmt_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if (window_query(st, "oom", "reclaim_retry_zone", "no_progress_loops", sql_retries, l,
			 &q, err) < 0)
		return -1;
	if (!q)
		return 0;
	if ((rc = mmt_store_step(st, q, err)) > 0) {
		f->retries = sqlite3_column_int64(q, 0);
		f->retry_tasks = sqlite3_column_int64(q, 1);
		f->max_loops = sqlite3_column_int64(q, 2);
		f->retry_event = sqlite3_column_int64(q, 3);
		f->retry_source = sqlite3_column_int64(q, 4);
		f->retry_ts = sqlite3_column_double(q, 5);
	}
	sqlite3_finalize(q);
	return rc < 0 ? -1 : 0;
}

static const char sql_masks[] =
	"SELECT e.gfp_flags, count(*) FROM \"%w\" e JOIN sources s ON s.id = e.common_source "
	"WHERE e.common_ts_ns / 1e9 + ifnull(s.t_offset, 0) BETWEEN ?1 AND ?2 GROUP BY 1";

/* Whether the mask of column 0 forbids filesystem calls or I/O. */
static bool restricted(sqlite3_stmt *q, const char *kernel)
{
	struct mmt_gfp_decoded d;

	return rc_gfp_column(q, 0, kernel, &d) &&
	       (d.context == MMT_GFP_CTX_NOFS || d.context == MMT_GFP_CTX_NOIO);
}

/* The direct reclaims that began in the window, and how many were NOFS/NOIO. */
static int read_masks(struct mmt_store *st, const struct rc_loop *l, struct loop_facts *f,
		      struct mmt_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if (window_query(st, "vmscan", "mm_vmscan_direct_reclaim_begin", "gfp_flags", sql_masks,
			 l, &q, err) < 0)
		return -1;
	if (!q)
		return 0;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		f->episodes += sqlite3_column_int64(q, 1);
		if (restricted(q, l->kernel))
			f->restricted += sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	return rc < 0 ? -1 : 0;
}

static void summarize(const struct rc_loop *l, const struct loop_facts *f, struct mmt_sb *sb)
{
	char t0[64];

	mmt_time_str(l->t0, t0, sizeof(t0));
	mmt_sb_addf(sb, "From %s, for %.1f s, %zu tasks reclaimed in a loop: %zu reclaim "
		    "episodes of theirs freed no page, at least %.0f in a row per task. ", t0,
		    l->t1 - l->t0, l->tasks, l->episodes,
		    mmt_threshold("reclaim.no_progress_episodes"));
	if (f->retries)
		mmt_sb_addf(sb, "The page allocator retried %lld times meanwhile "
			    "(oom:reclaim_retry_zone, %lld tasks, no_progress_loops up to %lld): "
			    "the allocations neither succeeded nor failed. ", (long long)f->retries,
			    (long long)f->retry_tasks, (long long)f->max_loops);
	if (f->episodes)
		mmt_sb_addf(sb, "%lld of the %lld direct reclaims that began in the window ran "
			    "in a NOFS or NOIO context, which may not enter filesystems or start "
			    "I/O: the filesystem caches and dirty pages that hold the memory are "
			    "out of their reach, and the OOM killer does not run for them. ",
			    (long long)f->restricted, (long long)f->episodes);
	mmt_sb_addf(sb, "%s Next: see what holds the memory (slab_dominance, swap_exhausted, "
		    "Dirty and Writeback in meminfo) and whether kswapd, which reclaims without "
		    "those restrictions, was awake (kswapd_idle); the stacks of the looping "
		    "tasks (sysrq-t, or a trace with kernel stacks on "
		    "mm_vmscan_direct_reclaim_begin) name the allocating code.",
		    l->oom ? "An OOM kill came during or after it (see reclaim_no_progress)." :
		    "No OOM kill ended it.");
}

static int evidence(struct mmt_store *st, int64_t id, const struct rc_loop *l,
		    const struct loop_facts *f, struct mmt_err *err)
{
	struct rc_ev ev = { st, id, 0 };

	if (rc_evidence(&ev, "event", l->source, l->first_event, l->t0, true, err,
			"first reclaim episode without progress (%s)", l->task[0].comm) < 0 ||
	    rc_evidence(&ev, "event", l->source, l->last_event, l->t1, true, err,
			"last reclaim episode without progress") < 0)
		return -1;
	if (f->retries &&
	    rc_evidence(&ev, "event", f->retry_source, f->retry_event, f->retry_ts, true, err,
			"allocator retries: %lld oom:reclaim_retry_zone events, no_progress_loops "
			"up to %lld", (long long)f->retries, (long long)f->max_loops) < 0)
		return -1;
	if (f->episodes &&
	    rc_evidence(&ev, "summary", l->source, 0, l->t0, true, err,
			"%lld of %lld direct reclaims NOFS/NOIO", (long long)f->restricted,
			(long long)f->episodes) < 0)
		return -1;
	for (size_t i = 0; i < l->ntask; i++)
		if (mmt_finding_subject(st, id, "task", l->task[i].pid, true, l->task[i].comm,
					err) < 0)
			return -1;
	return 0;
}

int rc_livelock_check(struct mmt_store *st, const struct rc_loop *l, struct mmt_err *err)
{
	struct loop_facts f = { 0 };
	struct mmt_finding fi;
	int64_t id;

	if (l->t1 - l->t0 < mmt_threshold("reclaim.livelock_secs") ||
	    (double)l->tasks < mmt_threshold("reclaim.livelock_min_tasks"))
		return 0;
	if (read_retries(st, l, &f, err) < 0 || read_masks(st, l, &f, err) < 0)
		return -1;
	mmt_finding_init(&fi, RC_ANALYZER, "livelock", "critical");
	snprintf(fi.title, sizeof(fi.title), "Reclaim livelock: %zu tasks looped in reclaim for "
		 "%.1f s, %zu episodes freed nothing%s", l->tasks, l->t1 - l->t0, l->episodes,
		 f.episodes && 2 * f.restricted > f.episodes ? " (NOFS/NOIO)" : "");
	summarize(l, &f, &fi.summary);
	mmt_finding_time(&fi, l->t0);
	mmt_finding_time(&fi, l->t1);
	fi.score = 870;
	/* Retries show the allocator looping; restricted masks say why it cannot end. */
	fi.confidence = 0.6 + (f.retries ? 0.1 : 0) + (2 * f.restricted > f.episodes ? 0.1 : 0);
	id = mmt_finding_add(st, &fi, err);
	mmt_finding_free(&fi);
	return id < 0 ? -1 : evidence(st, id, l, &f, err);
}
