/*
 * reclaim_stall from traces: direct reclaim (global: the zone watermarks
 * were hit) and memory-cgroup limit reclaim, each its own finding, with the
 * latency distribution of their episodes, the tasks that stalled longest
 * and the GFP contexts they reclaimed in. Episodes still open when the
 * trace ends count with the time they had run by then: a task that never
 * leaves reclaim is the hang.
 */
#include "analyzers/reclaim.h"
#include "core/gfp.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP_TASKS 5
#define TOP_EPISODES 4
#define MAX_MASKS 32

struct task_acc {
	int64_t source, pid, comm_id;
	size_t n;
	double total, max;
};

struct mask_acc {
	uint64_t mask;
	int key;		/* the names a text trace printed, or -1 */
	size_t n;
	double total, max;
};

struct stall_acc {
	const struct rc_traces *tr;
	struct rc_retries *retries;	/* fed the same episodes (reclaim_retries.c) */
	struct rc_keys keys;
	double *dur;
	size_t n, cap;
	struct task_acc *task;
	size_t ntask, task_cap;
	int32_t *index;		/* hash of (source, pid) -> task + 1 */
	size_t index_cap;
	struct mask_acc mask[MAX_MASKS];
	size_t nmask;
	struct rc_episode top[TOP_EPISODES];	/* the longest, longest first */
	size_t ntop, zero, open;
	double total, t_first, t_last, open_longest;
	int64_t source;
};

struct reclaim_kind {
	const char *begin, *end, *label, *noun;
	enum rc_reclaim_kind kind;
};

static const struct reclaim_kind kinds[] = {
	{ "mm_vmscan_direct_reclaim_begin", "mm_vmscan_direct_reclaim_end",
	  "direct reclaim", "global direct reclaim", RC_DIRECT },
	{ "mm_vmscan_memcg_reclaim_begin", "mm_vmscan_memcg_reclaim_end",
	  "memcg reclaim", "memory-cgroup limit reclaim", RC_MEMCG },
};

static size_t index_slot(const struct stall_acc *a, int64_t source, int64_t pid)
{
	uint64_t h = (((uint64_t)source << 40) ^ (uint64_t)pid) * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(h >> 20) & (a->index_cap - 1);

	while (a->index[i]) {
		const struct task_acc *t = &a->task[a->index[i] - 1];

		if (t->pid == pid && t->source == source)
			break;
		i = (i + 1) & (a->index_cap - 1);
	}
	return i;
}

static void index_rebuild(struct stall_acc *a)
{
	free(a->index);
	a->index_cap = a->index_cap ? a->index_cap * 2 : 256;
	a->index = xcalloc(a->index_cap, sizeof(*a->index));
	for (size_t k = 0; k < a->ntask; k++)
		a->index[index_slot(a, a->task[k].source, a->task[k].pid)] = (int32_t)k + 1;
}

static struct task_acc *task_of(struct stall_acc *a, const struct rc_episode *e)
{
	size_t i;

	if ((a->ntask + 1) * 2 > a->index_cap)
		index_rebuild(a);
	i = index_slot(a, e->source, e->pid);
	if (!a->index[i]) {
		xgrow((void **)&a->task, &a->task_cap, a->ntask + 1, sizeof(*a->task));
		memset(&a->task[a->ntask], 0, sizeof(*a->task));
		a->task[a->ntask].source = e->source;
		a->task[a->ntask].pid = e->pid;
		a->task[a->ntask].comm_id = e->comm_id;
		a->index[i] = (int32_t)++a->ntask;
	}
	return &a->task[a->index[i] - 1];
}

static void note_mask(struct stall_acc *a, uint64_t mask, int key, double d)
{
	size_t i;

	for (i = 0; i < a->nmask && (a->mask[i].mask != mask || a->mask[i].key != key); i++)
		;
	if (i == a->nmask) {
		if (a->nmask == MAX_MASKS)
			return;
		memset(&a->mask[a->nmask++], 0, sizeof(a->mask[0]));
		a->mask[i].mask = mask;
		a->mask[i].key = key;
	}
	a->mask[i].n++;
	a->mask[i].total += d;
	if (d > a->mask[i].max)
		a->mask[i].max = d;
}

static void note_top(struct stall_acc *a, const struct rc_episode *e, double d)
{
	size_t i = a->ntop < TOP_EPISODES ? a->ntop++ : TOP_EPISODES - 1;

	if (i == TOP_EPISODES - 1 && a->ntop == TOP_EPISODES &&
	    a->top[i].t1 - a->top[i].t0 >= d)
		return;
	a->top[i] = *e;
	for (; i > 0 && a->top[i - 1].t1 - a->top[i - 1].t0 < d; i--) {
		struct rc_episode t = a->top[i - 1];

		a->top[i - 1] = a->top[i];
		a->top[i] = t;
	}
}

static int on_episode(const struct rc_episode *e, void *ctx, struct mmt_err *err)
{
	struct stall_acc *a = ctx;
	double d = e->t1 - e->t0;
	struct task_acc *t;

	if (d < 0)
		d = 0;
	xgrow((void **)&a->dur, &a->cap, a->n + 1, sizeof(*a->dur));
	a->dur[a->n++] = d;
	a->total += d;
	if (!a->n || a->n == 1 || e->t0 < a->t_first)
		a->t_first = e->t0;
	if (a->n == 1 || e->t1 > a->t_last)
		a->t_last = e->t1;
	a->source = e->source;
	if (e->open) {
		a->open++;
		if (d > a->open_longest)
			a->open_longest = d;
	} else if (e->e[0] <= 0) {
		a->zero++;
	}
	t = task_of(a, e);
	t->n++;
	t->total += d;
	if (d > t->max)
		t->max = d;
	note_mask(a, (uint64_t)e->b[0], e->key, d);
	note_top(a, e, d);
	return rc_retries_episode(e, a->retries, err);
}

static int cmp_task_total(const void *x, const void *y)
{
	const struct task_acc *a = x, *b = y;

	return a->total > b->total ? -1 : a->total < b->total;
}

/* The span of the traces that held these episodes: the wall time they cover. */
static double trace_span(const struct rc_traces *tr)
{
	double span = 0;

	for (size_t i = 0; i < tr->n; i++)
		span += tr->src[i].t_last - tr->src[i].t_first;
	return span;
}

struct stall_verdict {
	double p50, p90, p99, max, share;
	const char *severity;
	int score;
};

static void judge(const struct stall_acc *a, double span, struct stall_verdict *v)
{
	double warn = mmt_threshold("reclaim.stall_ms") / 1000;
	double crit = mmt_threshold("reclaim.stall_critical_ms") / 1000;
	double share_warn = mmt_threshold("reclaim.stall_share_pct");
	double share_crit = mmt_threshold("reclaim.stall_share_critical_pct");

	v->p50 = rc_percentile(a->dur, a->n, 50);
	v->p90 = rc_percentile(a->dur, a->n, 90);
	v->p99 = rc_percentile(a->dur, a->n, 99);
	v->max = a->dur[a->n - 1];
	v->share = span > 0 ? 100 * a->task[0].total / span : 0;
	if (v->share > 100)
		v->share = 100;
	if (v->p99 >= crit || a->open_longest >= crit || v->share >= share_crit) {
		v->severity = "critical";
		v->score = 750;
	} else if (v->p99 >= warn || v->share >= share_warn) {
		v->severity = "warning";
		v->score = 450;
	} else {
		v->severity = "info";
		v->score = 150;
	}
}

/* Text traces print the flags' names: the context comes from them. */
static const char *names_context(const char *names, char *flags, size_t n)
{
	struct mmt_gfp_decoded d;

	snprintf(flags, n, "%s", names);
	if (mmt_gfp_from_names(0, names, &d) < 0 || !d.known)
		return "unknown";
	return mmt_gfp_context_name(d.context) ? mmt_gfp_context_name(d.context) : "unknown";
}

static void describe_masks(struct mmt_store *st, const struct stall_acc *a,
			   const char *kernel, struct mmt_sb *sb, size_t *restricted)
{
	(void)st;
	*restricted = 0;
	mmt_sb_adds(sb, " GFP contexts:");
	for (size_t i = 0; i < a->nmask; i++) {
		char flags[512];
		const char *ctx = a->mask[i].key >= 0 ?
				  names_context(a->keys.name[a->mask[i].key], flags, sizeof(flags)) :
				  rc_gfp_context(a->mask[i].mask, kernel, flags, sizeof(flags));

		if (!strcmp(ctx, "nofs") || !strcmp(ctx, "noio"))
			*restricted += a->mask[i].n;
		mmt_sb_addf(sb, "%s %s (%s) %zu episode%s, %.1f ms in all, longest %.2f ms",
			    i ? ";" : "", ctx, flags[0] ? flags : "mask not decodable",
			    a->mask[i].n, a->mask[i].n == 1 ? "" : "s",
			    a->mask[i].total * 1000, a->mask[i].max * 1000);
		if (i == 5 && a->nmask > 6) {
			mmt_sb_addf(sb, "; and %zu more masks", a->nmask - 6);
			break;
		}
	}
	mmt_sb_adds(sb, ".");
}

static int add_subjects_and_evidence(struct mmt_store *st, int64_t id,
				     const struct stall_acc *a, const struct reclaim_kind *k,
				     const struct stall_verdict *v, struct mmt_err *err)
{
	struct rc_ev ev = { st, id, 0 };
	char comm[64];

	if (rc_evidence(&ev, "summary", a->source, 0, a->t_first, true, err,
			"%s: %zu episodes, p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms, "
			"%.1f ms in all", k->label, a->n, v->p50 * 1000, v->p90 * 1000,
			v->p99 * 1000, v->max * 1000, a->total * 1000) < 0)
		return -1;
	for (size_t i = 0; i < a->ntask && i < TOP_TASKS; i++) {
		rc_comm(st, a->task[i].comm_id, comm, sizeof(comm));
		if (mmt_finding_subject(st, id, "task", a->task[i].pid, true, comm, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < a->ntop; i++) {
		const struct rc_episode *e = &a->top[i];

		rc_comm(st, e->comm_id, comm, sizeof(comm));
		if (rc_evidence(&ev, "event", e->source, e->begin_id, e->t0, true, err,
				"%s-%lld began %s (order %lld, gfp_flags 0x%llx) and %s %.3f ms "
				"later%s", comm, (long long)e->pid, k->begin, (long long)e->b[1],
				(unsigned long long)e->b[0], e->open ? "was still in it" : "ended",
				(e->t1 - e->t0) * 1000,
				e->open ? " when the trace ended" : "") < 0)
			return -1;
	}
	return 0;
}

static const char sql_throttled[] =
	"SELECT count(*), ifnull(sum(usec_delayed), 0) / 1000.0, "
	"sum(reason & 1), sum(reason & 4 <> 0) FROM mm_vmscan_throttled";

/* Reclaim throttled (mm_vmscan_throttled): on writeback (1), no progress (4). */
static void describe_throttling(struct mmt_store *st, struct mmt_sb *sb)
{
	struct mmt_err err;
	sqlite3_stmt *q;
	char tbl[128];

	if (!mmt_event_table(st, "vmscan", "mm_vmscan_throttled", tbl, sizeof(tbl)))
		return;
	q = mmt_store_prepare(st, sql_throttled, &err);
	if (q && mmt_store_step(st, q, &err) > 0 && sqlite3_column_int64(q, 0) > 0)
		mmt_sb_addf(sb, " Reclaim was throttled %lld times (%.1f ms delayed in all; "
			    "%lld waiting for writeback, %lld for lack of progress).",
			    (long long)sqlite3_column_int64(q, 0), sqlite3_column_double(q, 1),
			    (long long)sqlite3_column_int64(q, 2),
			    (long long)sqlite3_column_int64(q, 3));
	sqlite3_finalize(q);
}

static void summarize(struct mmt_store *st, const struct stall_acc *a,
		      const struct reclaim_kind *k, const struct stall_verdict *v,
		      double span, const char *kernel, struct mmt_finding *f)
{
	size_t restricted;
	char comm[64];

	mmt_sb_addf(&f->summary, "%zu %s episode%s over %.1f s of trace: p50 %.2f ms, "
		    "p90 %.2f ms, p99 %.2f ms, longest %.2f ms; %.1f ms stalled in all.",
		    a->n, k->noun, a->n == 1 ? "" : "s", span, v->p50 * 1000,
		    v->p90 * 1000, v->p99 * 1000, v->max * 1000, a->total * 1000);
	if (a->open)
		mmt_sb_addf(&f->summary, " %zu task%s still reclaimed when the trace ended, "
			    "the longest for %.2f s.", a->open, a->open == 1 ? "" : "s",
			    a->open_longest);
	mmt_sb_adds(&f->summary, " Tasks by time stalled:");
	for (size_t i = 0; i < a->ntask && i < TOP_TASKS; i++) {
		rc_comm(st, a->task[i].comm_id, comm, sizeof(comm));
		mmt_sb_addf(&f->summary, "%s %s:%lld %.1f ms in %zu episodes (longest %.2f ms)",
			    i ? "," : "", comm, (long long)a->task[i].pid,
			    a->task[i].total * 1000, a->task[i].n, a->task[i].max * 1000);
	}
	mmt_sb_addf(&f->summary, "; the first spent %.0f%% of the trace in reclaim.",
		    v->share);
	describe_masks(st, a, kernel, &f->summary, &restricted);
	if (restricted)
		mmt_sb_addf(&f->summary, " %zu episode%s reclaimed in a NOFS/NOIO context: "
			    "such reclaim may not call filesystem shrinkers or start I/O, and "
			    "loops when most reclaimable memory needs them.", restricted,
			    restricted == 1 ? "" : "s");
	describe_throttling(st, &f->summary);
	if (a->zero)
		mmt_sb_addf(&f->summary, " %zu episode%s ended having reclaimed nothing.",
			    a->zero, a->zero == 1 ? "" : "s");
	if (k->kind == RC_MEMCG)
		mmt_sb_adds(&f->summary, " This is reclaim at a memory cgroup's limit: it "
			    "stalls the cgroup's tasks, not the machine, and short stalls are "
			    "how a small cgroup keeps within its limit.");
	if (strcmp(v->severity, "info"))
		mmt_sb_adds(&f->summary, " Next: see which memory the reclaimers cannot free "
			    "(reclaim_no_progress, shrinker_ineffective, swap_exhausted), and the "
			    "stacks of the longest reclaimers (record with -e vmscan and a "
			    "kernel_stack trigger).");
}

static int report_kind(struct mmt_store *st, const struct rc_traces *tr,
		       struct stall_acc *a, const struct reclaim_kind *k, struct mmt_err *err)
{
	const struct rc_trace_src *src = rc_trace_src(tr, a->source);
	const char *kernel = src ? src->kernel : NULL;
	double span = trace_span(tr);
	struct stall_verdict v;
	struct mmt_finding f;
	int64_t id;
	int rc;

	mmt_sort_doubles(a->dur, a->n);
	if (a->ntask)
		qsort(a->task, a->ntask, sizeof(*a->task), cmp_task_total);
	judge(a, span, &v);
	mmt_finding_init(&f, RC_ANALYZER, "reclaim_stall", v.severity);
	snprintf(f.title, sizeof(f.title), "%s: %zu episodes, p99 %.1f ms, longest %.1f ms%s",
		 k->label, a->n, v.p99 * 1000, v.max * 1000,
		 a->open_longest * 1000 >= mmt_threshold("reclaim.stall_ms") ?
		 ", still reclaiming at the end" : "");
	summarize(st, a, k, &v, span, kernel, &f);
	mmt_finding_time(&f, a->t_first);
	mmt_finding_time(&f, a->t_last);
	f.score = v.score;
	f.confidence = 0.9;
	id = mmt_finding_add(st, &f, err);
	rc = id < 0 ? -1 : add_subjects_and_evidence(st, id, a, k, &v, err);
	mmt_finding_free(&f);
	return rc;
}

static void acc_free(struct stall_acc *a)
{
	free(a->dur);
	free(a->task);
	free(a->index);
	rc_keys_free(&a->keys);
}

int rc_trace_stalls(struct mmt_store *st, const struct rc_traces *tr, struct rc_retries *retries,
		    struct mmt_err *err)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct rc_pair_spec spec = { "vmscan", kinds[i].begin, kinds[i].end,
					     "gfp_flags, \"order\", 0", "nr_reclaimed, 0, 0",
					     "CASE typeof(gfp_flags) WHEN 'text' THEN gfp_flags END",
					     "gfp_flags,order", "nr_reclaimed" };
		struct stall_acc a = { .tr = tr, .retries = retries };
		int rc;

		rc_retries_begin_kind(retries, kinds[i].kind);
		rc = rc_pairs(st, tr, &spec, &a.keys, on_episode, &a, err);
		rc_retries_end_kind(retries);

		if (rc > 0 && a.n)
			rc = report_kind(st, tr, &a, &kinds[i], err);
		acc_free(&a);
		if (rc < 0)
			return -1;
	}
	return 0;
}
