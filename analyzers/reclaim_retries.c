/*
 * reclaim_no_progress from reclaim episodes: a task whose reclaim episodes
 * (direct reclaim, memory-cgroup limit reclaim, soft-limit reclaim: the
 * _begin/_end trace events paired per task, fed by the pass reclaim_stall.c
 * makes over the first two, and by a pass of its own otherwise) reclaim
 * nothing, one after the other, reclaim.no_progress_episodes times or
 * more. The kernel counts the same thing per task: the page allocator
 * (should_reclaim_retry) and a memory cgroup's charge (try_charge_memcg)
 * give up after MAX_RECLAIM_RETRIES (16) rounds of reclaim without
 * progress and call the OOM killer. Runs of several tasks that overlap in
 * time are one finding; whether an OOM kill followed (oom:mark_victim, an
 * oom_kill finding) says whether the kernel resolved it.
 */
#include "analyzers/reclaim.h"
#include "core/strmap.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FINDINGS 8		/* groups of runs reported, the strongest */
#define TASKS_NAMED 8		/* tasks of a group named as subjects */

static const struct retry_kind {
	const char *begin, *end, *label;
} kinds[RC_NKINDS] = {
	[RC_DIRECT] = { "mm_vmscan_direct_reclaim_begin", "mm_vmscan_direct_reclaim_end",
			"direct reclaim" },
	[RC_MEMCG] = { "mm_vmscan_memcg_reclaim_begin", "mm_vmscan_memcg_reclaim_end",
		       "memcg reclaim" },
	[RC_SOFTLIMIT] = { "mm_vmscan_memcg_softlimit_reclaim_begin",
			   "mm_vmscan_memcg_softlimit_reclaim_end", "memcg soft-limit reclaim" },
};
#define NKINDS RC_NKINDS

/* A task's episodes without progress, one after the other. */
struct zero_run {
	int64_t source, pid, comm_id;
	int64_t first_begin, last_end;	/* event ids */
	size_t n;
	double t0, t1;			/* first begin, last end */
	enum rc_reclaim_kind kind;
	enum { RUN_GOING, RUN_RECOVERED, RUN_STOPPED, RUN_AT_END } outcome;
};

struct rc_retries {
	const struct rc_traces *tr;
	struct mmt_strmap index;	/* "source:pid" -> task + 1, of the kind being fed */
	struct zero_run *task, *last;	/* last: the task of the previous episode */
	size_t ntask, task_cap;
	struct zero_run *runs;		/* finished runs of the threshold's length */
	size_t nruns, runs_cap;
	size_t min;
	enum rc_reclaim_kind kind;
	bool fed[RC_NKINDS];
};

struct rc_retries *rc_retries_new(const struct rc_traces *tr)
{
	struct rc_retries *r = xcalloc(1, sizeof(*r));

	r->tr = tr;
	r->min = (size_t)fmax(1, mmt_threshold("reclaim.no_progress_episodes"));
	return r;
}

void rc_retries_free(struct rc_retries *r)
{
	if (!r)
		return;
	free(r->task);
	free(r->runs);
	mmt_strmap_free(&r->index);
	free(r);
}

/* The map's key of a task: 32 hex digits, written without printf (millions of episodes). */
static void task_key(int64_t source, int64_t pid, char key[32])
{
	static const char hex[] = "0123456789abcdef";
	const uint64_t v[2] = { (uint64_t)source, (uint64_t)pid };

	for (int i = 0; i < 32; i++)
		key[i] = hex[(v[i / 16] >> (4 * (15 - i % 16))) & 15];
}

/* The task's run; the same task's episodes mostly follow each other. */
static struct zero_run *task_run(struct rc_retries *a, const struct rc_episode *e)
{
	char key[32];
	int64_t i;

	if (a->last && a->last->pid == e->pid && a->last->source == e->source)
		return a->last;
	task_key(e->source, e->pid, key);
	if (!mmt_strmap_get(&a->index, key, sizeof(key), &i)) {
		xgrow((void **)&a->task, &a->task_cap, a->ntask + 1, sizeof(*a->task));
		memset(&a->task[a->ntask], 0, sizeof(*a->task));
		a->task[a->ntask].source = e->source;
		a->task[a->ntask].pid = e->pid;
		mmt_strmap_put(&a->index, key, sizeof(key), i = (int64_t)++a->ntask);
	}
	return a->last = &a->task[i - 1];
}

static void keep_run(struct rc_retries *a, struct zero_run *r)
{
	if (r->n < a->min)
		return;
	xgrow((void **)&a->runs, &a->runs_cap, a->nruns + 1, sizeof(*a->runs));
	a->runs[a->nruns++] = *r;
}

/*
 * How a run no later episode of its task ended: the task was in reclaim
 * when the trace stopped, or the trace stopped too soon after it to tell
 * (reclaim.no_progress_oom_secs); else the task stopped reclaiming (it
 * got its memory, gave up, or was killed).
 */
static void last_outcome(struct rc_retries *a, struct zero_run *r)
{
	const struct rc_trace_src *s = rc_trace_src(a->tr, r->source);

	if (r->outcome == RUN_GOING)
		r->outcome = s && s->t_last - r->t1 < mmt_threshold("reclaim.no_progress_oom_secs") ?
			     RUN_AT_END : RUN_STOPPED;
	keep_run(a, r);
}

void rc_retries_begin_kind(struct rc_retries *r, enum rc_reclaim_kind kind)
{
	r->kind = kind;
	r->ntask = 0;
	r->last = NULL;
}

void rc_retries_end_kind(struct rc_retries *r)
{
	for (size_t i = 0; i < r->ntask; i++)
		last_outcome(r, &r->task[i]);
	r->ntask = 0;
	r->last = NULL;
	mmt_strmap_free(&r->index);
}

/* Episodes come per kind in the order they ended; those still open last. */
int rc_retries_episode(const struct rc_episode *e, void *ctx, struct mmt_err *err)
{
	struct rc_retries *a = ctx;
	struct zero_run *r;

	(void)err;
	a->fed[a->kind] = true;
	r = task_run(a, e);
	if (e->open) {
		r->outcome = RUN_AT_END;
		return 0;
	}
	if (e->e[0] > 0) {
		r->outcome = RUN_RECOVERED;
		keep_run(a, r);
		r->n = 0;
		r->outcome = RUN_GOING;
		return 0;
	}
	if (r->n++ == 0) {
		r->comm_id = e->comm_id;
		r->first_begin = e->begin_id;
		r->t0 = e->t0;
		r->kind = a->kind;
	}
	r->last_end = e->end_id;
	r->t1 = e->t1;
	return 0;
}

/* A pass of its own over a kind no other detector has read. */
static int own_pass(struct mmt_store *st, struct rc_retries *a, enum rc_reclaim_kind kind,
		    struct mmt_err *err)
{
	struct rc_pair_spec spec = { "vmscan", kinds[kind].begin, kinds[kind].end, "0, 0, 0",
				     "nr_reclaimed, 0, 0", NULL, "common_pid", "nr_reclaimed" };
	int rc;

	rc_retries_begin_kind(a, kind);
	rc = rc_pairs(st, a->tr, &spec, NULL, rc_retries_episode, a, err);
	rc_retries_end_kind(a);
	return rc < 0 ? -1 : 0;
}

/* Runs that overlap in time, and what followed them. */
struct run_group {
	size_t first, n;		/* runs[first .. first + n) */
	size_t episodes, tasks, longest;
	double t0, t1;
	bool kinds[NKINDS], unended, recovered;
	/* the OOM kill that followed, if any */
	bool oom;
	double oom_ts;
	int64_t oom_source, oom_event, oom_pid, oom_finding;
	char oom_comm[64];
};

static int cmp_run_start(const void *x, const void *y)
{
	const struct zero_run *a = x, *b = y;

	return a->t0 < b->t0 ? -1 : a->t0 > b->t0;
}

static int cmp_task(const void *x, const void *y)
{
	const int64_t *a = x, *b = y;

	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

/* The distinct tasks of a group's runs (a task may have several). */
static size_t count_tasks(const struct run_group *g, const struct zero_run *runs)
{
	int64_t *key = xmalloc(g->n * 2 * sizeof(*key));
	size_t n = 0;

	for (size_t i = 0; i < g->n; i++) {
		key[2 * i] = runs[g->first + i].source;
		key[2 * i + 1] = runs[g->first + i].pid;
	}
	qsort(key, g->n, 2 * sizeof(*key), cmp_task);
	for (size_t i = 0; i < g->n; i++)
		n += i == 0 || cmp_task(&key[2 * i], &key[2 * (i - 1)]) != 0;
	free(key);
	return n;
}

static void group_add(struct run_group *g, const struct zero_run *runs, size_t i)
{
	const struct zero_run *r = &runs[i];

	if (g->n++ == 0) {
		g->first = i;
		g->t0 = r->t0;
		g->t1 = r->t1;
	}
	g->t1 = fmax(g->t1, r->t1);
	g->episodes += r->n;
	g->longest = r->n > g->longest ? r->n : g->longest;
	g->kinds[r->kind] = true;
	g->unended |= r->outcome == RUN_AT_END;
	g->recovered |= r->outcome == RUN_RECOVERED;
}

static size_t group_runs(struct zero_run *runs, size_t n, struct run_group **out)
{
	size_t ng = 0, cap = 0;

	*out = NULL;
	if (n)
		qsort(runs, n, sizeof(*runs), cmp_run_start);
	for (size_t i = 0; i < n; i++) {
		if (ng == 0 || runs[i].t0 > (*out)[ng - 1].t1) {
			xgrow((void **)out, &cap, ng + 1, sizeof(**out));
			memset(&(*out)[ng++], 0, sizeof(**out));
		}
		group_add(&(*out)[ng - 1], runs, i);
	}
	for (size_t i = 0; i < ng; i++)
		(*out)[i].tasks = count_tasks(&(*out)[i], runs);
	return ng;
}

static const char sql_victim[] =
	"SELECT e.id, e.common_source, e.common_ts_ns / 1e9 + ifnull(s.t_offset, 0) AS t, "
	"e.pid, %s FROM \"%s\" e JOIN sources s ON s.id = e.common_source "
	"WHERE t BETWEEN ?1 AND ?2 ORDER BY t LIMIT 1";
static const char sql_oom_finding[] =
	"SELECT id, t_start FROM findings WHERE kind = 'oom_kill' AND t_start BETWEEN ?1 AND ?2 "
	"ORDER BY t_start LIMIT 1";

/* The first oom:mark_victim from the group's start to `until`. */
static int find_victim(struct mmt_store *st, sqlite3_stmt *q, struct run_group *g, double until,
		       struct mmt_err *err)
{
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_double(q, 1, g->t0);
	sqlite3_bind_double(q, 2, until);
	if ((rc = mmt_store_step(st, q, err)) > 0) {
		g->oom = true;
		g->oom_event = sqlite3_column_int64(q, 0);
		g->oom_source = sqlite3_column_int64(q, 1);
		g->oom_ts = sqlite3_column_double(q, 2);
		g->oom_pid = sqlite3_column_int64(q, 3);
		snprintf(g->oom_comm, sizeof(g->oom_comm), "%s", mmt_col_text(q, 4));
	}
	return rc < 0 ? -1 : 0;
}

/* Else an oom_kill finding (of the log, of the counters) whose time falls there. */
static int find_oom_finding(struct mmt_store *st, struct run_group *g, double until,
			    struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_oom_finding, err);
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_double(q, 1, g->t0);
	sqlite3_bind_double(q, 2, until);
	if ((rc = mmt_store_step(st, q, err)) > 0) {
		g->oom_finding = sqlite3_column_int64(q, 0);
		g->oom_ts = sqlite3_column_double(q, 1);
		g->oom = true;
		sqlite3_reset(q);
	}
	return rc < 0 ? -1 : 0;
}

/* For each group, an OOM kill from its start to reclaim.no_progress_oom_secs after its end. */
static int find_ooms(struct mmt_store *st, struct run_group *g, size_t ng, struct mmt_err *err)
{
	double secs = mmt_threshold("reclaim.no_progress_oom_secs");
	sqlite3_stmt *victims = NULL;
	char tbl[128], sql[512];
	int rc = 0;

	if (ng && mmt_event_table(st, "oom", "mark_victim", tbl, sizeof(tbl)) &&
	    mmt_has_columns(st, tbl, "pid")) {
		snprintf(sql, sizeof(sql), sql_victim,
			 mmt_has_columns(st, tbl, "comm") ? "e.comm" : "''", tbl);
		if (!(victims = mmt_store_prepare(st, sql, err)))
			return -1;
	}
	for (size_t i = 0; i < ng && rc == 0; i++) {
		if (victims)
			rc = find_victim(st, victims, &g[i], g[i].t1 + secs, err);
		if (rc == 0 && !g[i].oom)
			rc = find_oom_finding(st, &g[i], g[i].t1 + secs, err);
	}
	sqlite3_finalize(victims);
	return rc;
}

/* An OOM kill first, then the most episodes. */
static int cmp_group(const void *x, const void *y)
{
	const struct run_group *a = x, *b = y;

	if (a->oom != b->oom)
		return a->oom ? -1 : 1;
	return a->episodes > b->episodes ? -1 : a->episodes < b->episodes;
}

struct verdict {
	const char *severity;
	int score;
	double confidence;
};

/*
 * Critical when reclaim failed for no_progress_critical_secs; a warning
 * when an OOM kill followed, when it failed for no_progress_secs, or when
 * a task was still failing as its trace ended; else (a short run, after
 * which the task reclaimed pages again) info.
 */
static void judge(const struct run_group *g, struct verdict *v)
{
	double secs = g->t1 - g->t0;

	v->confidence = g->oom ? 0.9 : 0.75;
	if (secs >= mmt_threshold("reclaim.no_progress_critical_secs")) {
		v->severity = "critical";
		v->score = 800;
	} else if (g->oom || g->unended || secs >= mmt_threshold("reclaim.no_progress_secs")) {
		v->severity = "warning";
		v->score = g->oom ? 550 : 600;
	} else {
		v->severity = "info";
		v->score = 150;
	}
}

static void kind_list(const struct run_group *g, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t k = 0; k < NKINDS; k++)
		if (g->kinds[k])
			len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%s",
						len ? " and " : "", kinds[k].label);
}

static const char *const outcome_words[] = {
	[RUN_GOING] = "", [RUN_RECOVERED] = "then it reclaimed pages again",
	[RUN_STOPPED] = "then it reclaimed no more",
	[RUN_AT_END] = "still without progress when the trace ended",
};

static void summarize(struct mmt_store *st, const struct run_group *g,
		      const struct zero_run *runs, size_t ngroups, struct mmt_sb *sb)
{
	char t0[64], what[128], comm[64], pid_str[24];

	snprintf(pid_str, sizeof(pid_str), "%lld", (long long)g->oom_pid);
	mmt_time_str(g->t0, t0, sizeof(t0));
	kind_list(g, what, sizeof(what));
	mmt_sb_addf(sb, "From %s, for %.3f s, %zu %s episode%s of %zu task%s reclaimed no "
		    "page at all (nr_reclaimed = 0), one after the other: at least %.0f in a row "
		    "per task (reclaim.no_progress_episodes), %zu for the longest. Tasks:", t0,
		    g->t1 - g->t0, g->episodes, what, g->episodes == 1 ? "" : "s", g->tasks,
		    g->tasks == 1 ? "" : "s", mmt_threshold("reclaim.no_progress_episodes"),
		    g->longest);
	for (size_t i = g->first; i < g->first + g->n && i < g->first + TASKS_NAMED; i++) {
		rc_comm(st, runs[i].comm_id, comm, sizeof(comm));
		mmt_sb_addf(sb, "%s %s:%lld %zu episodes (%s)", i > g->first ? "," : "", comm,
			    (long long)runs[i].pid, runs[i].n, outcome_words[runs[i].outcome]);
	}
	mmt_sb_adds(sb, ". The kernel gives up after MAX_RECLAIM_RETRIES (16) such rounds (in "
		    "should_reclaim_retry for the page allocator, in try_charge_memcg for a "
		    "memory cgroup's charge) and calls the OOM killer.");
	if (g->oom)
		mmt_sb_addf(sb, " It did: an OOM kill %s%s%s%s %.1f ms after the run began.",
			    g->oom_event ? "chose " : "followed", g->oom_comm,
			    g->oom_event ? ":" : "", g->oom_event ? pid_str : "",
			    (g->oom_ts - g->t0) * 1000);
	else
		mmt_sb_addf(sb, " No OOM kill followed within %.0f s "
			    "(reclaim.no_progress_oom_secs): %s.",
			    mmt_threshold("reclaim.no_progress_oom_secs"), g->unended ?
			    "reclaim was still failing when the trace ended, the mark of a "
			    "livelock (an allocation that may not fail or may not OOM, NOFS/NOIO "
			    "contexts that cannot reach the reclaimable memory)" : g->recovered ?
			    "reclaim made progress again afterwards" :
			    "the tasks stopped reclaiming (their allocations were met or failed, "
			    "or they exited)");
	mmt_sb_adds(sb, " Reclaim that frees nothing finds only pages it cannot evict: "
		    "anonymous memory with swap full or absent, dirty or writeback pages, "
		    "pinned or mlocked pages. Next: check swap_exhausted, Dirty and Writeback "
		    "in meminfo, and the reclaimers' GFP contexts (reclaim_stall).");
	if (ngroups > MAX_FINDINGS)
		mmt_sb_addf(sb, " %zu such groups of runs in all; the %d strongest are reported.",
			    ngroups, MAX_FINDINGS);
}

static int episode_evidence(struct rc_ev *ev, struct mmt_store *st, const struct zero_run *r,
			    bool first, struct mmt_err *err)
{
	char comm[64];

	rc_comm(st, r->comm_id, comm, sizeof(comm));
	return rc_evidence(ev, "event", r->source, first ? r->first_begin : r->last_end,
			   first ? r->t0 : r->t1, true, err, "%s %s episode without progress: "
			   "%s-%lld, %s", first ? "first" : "last", kinds[r->kind].label, comm,
			   (long long)r->pid, first ? kinds[r->kind].begin : kinds[r->kind].end);
}

static const struct zero_run *last_ending(const struct run_group *g, const struct zero_run *r)
{
	const struct zero_run *last = &r[g->first];

	for (size_t i = g->first; i < g->first + g->n; i++)
		if (r[i].t1 > last->t1)
			last = &r[i];
	return last;
}

static int add_evidence(struct mmt_store *st, int64_t id, const struct run_group *g,
			const struct zero_run *runs, struct mmt_err *err)
{
	struct rc_ev ev = { st, id, 0 };
	char comm[64];

	if (episode_evidence(&ev, st, &runs[g->first], true, err) < 0 ||
	    episode_evidence(&ev, st, last_ending(g, runs), false, err) < 0 ||
	    rc_evidence(&ev, "summary", runs[g->first].source, 0, g->t0, true, err,
			"%zu episodes without progress of %zu task%s, %zu in a row at most",
			g->episodes, g->tasks, g->tasks == 1 ? "" : "s", g->longest) < 0)
		return -1;
	if (g->oom && g->oom_event &&
	    rc_evidence(&ev, "event", g->oom_source, g->oom_event, g->oom_ts, true, err,
			"OOM kill: oom:mark_victim pid %lld %s", (long long)g->oom_pid,
			g->oom_comm) < 0)
		return -1;
	if (g->oom && !g->oom_event &&
	    rc_evidence(&ev, "summary", 0, 0, g->oom_ts, true, err, "OOM kill: oom_kill "
			"finding %lld", (long long)g->oom_finding) < 0)
		return -1;
	for (size_t i = g->first; i < g->first + g->n && i < g->first + TASKS_NAMED; i++) {
		rc_comm(st, runs[i].comm_id, comm, sizeof(comm));
		if (mmt_finding_subject(st, id, "task", runs[i].pid, true, comm, err) < 0)
			return -1;
	}
	return 0;
}

static int report_group(struct mmt_store *st, const struct run_group *g,
			const struct zero_run *runs, size_t ngroups, struct mmt_err *err)
{
	struct verdict v;
	struct mmt_finding f;
	char comm[64];
	int64_t id;

	judge(g, &v);
	rc_comm(st, runs[g->first].comm_id, comm, sizeof(comm));
	mmt_finding_init(&f, RC_ANALYZER, "reclaim_no_progress", v.severity);
	snprintf(f.title, sizeof(f.title), "Reclaim without progress: %zu %s episode%s in a row "
		 "freed nothing (%s%s)%s", g->longest, kinds[runs[g->first].kind].label,
		 g->longest == 1 ? "" : "s", comm, g->tasks > 1 ? " and others" : "",
		 g->oom ? ", then an OOM kill" : "");
	summarize(st, g, runs, ngroups, &f.summary);
	mmt_finding_time(&f, g->t0);
	mmt_finding_time(&f, g->t1);
	f.score = v.score;
	f.confidence = v.confidence;
	id = mmt_finding_add(st, &f, err);
	mmt_finding_free(&f);
	return id < 0 ? -1 : add_evidence(st, id, g, runs, err);
}

static int check_livelock(struct mmt_store *st, const struct rc_retries *a,
			  const struct run_group *g, struct mmt_err *err)
{
	const struct zero_run *runs = a->runs;
	const struct rc_trace_src *src = rc_trace_src(a->tr, runs[g->first].source);
	struct rc_loop l = { .t0 = g->t0, .t1 = g->t1, .episodes = g->episodes,
			     .tasks = g->tasks, .source = runs[g->first].source,
			     .first_event = runs[g->first].first_begin,
			     .last_event = last_ending(g, runs)->last_end,
			     .kernel = src ? src->kernel : NULL, .oom = g->oom };

	for (size_t i = g->first; i < g->first + g->n && l.ntask < RC_LOOP_TASKS; i++) {
		l.task[l.ntask].pid = runs[i].pid;
		rc_comm(st, runs[i].comm_id, l.task[l.ntask].comm, sizeof(l.task[0].comm));
		l.ntask++;
	}
	return rc_livelock_check(st, &l, err);
}

int rc_retry_progress(struct mmt_store *st, struct rc_retries *a, struct mmt_err *err)
{
	struct run_group *g = NULL;
	size_t ng = 0;
	int rc = 0;

	for (int k = 0; k < RC_NKINDS && rc == 0; k++)
		if (!a->fed[k])
			rc = own_pass(st, a, (enum rc_reclaim_kind)k, err);
	if (rc == 0) {
		ng = group_runs(a->runs, a->nruns, &g);
		rc = find_ooms(st, g, ng, err);
	}
	if (rc == 0 && ng)
		qsort(g, ng, sizeof(*g), cmp_group);
	for (size_t i = 0; i < ng && i < MAX_FINDINGS && rc == 0; i++) {
		rc = report_group(st, &g[i], a->runs, ng, err);
		if (rc == 0)
			rc = check_livelock(st, a, &g[i], err);
	}
	free(g);
	return rc;
}
