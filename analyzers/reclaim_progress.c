/*
 * reclaim_no_progress: reclaim scanning pages and freeing (almost) none,
 * per second of a trace (mm_vmscan_lru_shrink_inactive's nr_scanned and
 * nr_reclaimed) or per interval between vmstat samples (pgscan and
 * pgsteal rates); the longest run of such seconds is the window.
 * kswapd_idle: global direct reclaim while kswapd sleeps, from vmstat
 * (allocstall rising, pgscan_kswapd flat) and traces (reclaim_trace.c).
 */
#include "analyzers/reclaim.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct prog_pt {
	double t, dt, scanned, reclaimed;	/* pages in the interval */
	int64_t source, event_id;
};

struct prog_window {
	size_t first, last, windows;
	double secs, scanned, reclaimed;
};

static bool no_progress(const struct prog_pt *p)
{
	double per_s = p->dt > 0 ? p->scanned / p->dt : p->scanned;

	return per_s >= mmt_threshold("reclaim.no_progress_min_scan") &&
	       100 * p->reclaimed < mmt_threshold("reclaim.no_progress_pct") * p->scanned;
}

/* The longest run of intervals without progress (a gap in time ends a run). */
static void longest_window(const struct prog_pt *p, size_t n, struct prog_window *w)
{
	struct prog_window cur = { 0 };
	bool in = false;

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i <= n; i++) {
		bool bad = i < n && no_progress(&p[i]);
		bool joined = in && bad && p[i].source == p[i - 1].source &&
			      p[i].t - p[i - 1].t <= 1.5 * p[i].dt + 1e-9;

		if (in && !joined) {
			if (cur.secs > w->secs)
				*w = cur;
			w->windows++;
			in = false;
		}
		if (!bad)
			continue;
		if (!in) {
			memset(&cur, 0, sizeof(cur));
			cur.first = i;
			in = true;
		}
		cur.last = i;
		cur.secs += p[i].dt;
		cur.scanned += p[i].scanned;
		cur.reclaimed += p[i].reclaimed;
	}
}

static int report_window(struct mmt_store *st, const struct prog_pt *p,
			 const struct prog_window *w, const char *from, double confidence,
			 struct mmt_err *err)
{
	double warn = mmt_threshold("reclaim.no_progress_secs");
	double crit = mmt_threshold("reclaim.no_progress_critical_secs");
	const struct prog_pt *a = &p[w->first], *b = &p[w->last];
	const char *sev = w->secs >= crit ? "critical" : w->secs >= warn ? "warning" : "info";
	struct rc_ev ev = { st, 0, 0 };
	struct mmt_finding f;
	char t0[64];
	int rc;

	mmt_time_str(a->t - a->dt, t0, sizeof(t0));
	mmt_finding_init(&f, RC_ANALYZER, "reclaim_no_progress", sev);
	snprintf(f.title, sizeof(f.title), "Reclaim without progress for %.0f s: %.0f pages "
		 "scanned, %.0f reclaimed (%s)", w->secs, w->scanned, w->reclaimed, from);
	mmt_sb_addf(&f.summary, "From %s, for %.1f s, reclaim scanned %.0f pages and "
		    "reclaimed %.0f (%.2f%%; below %.1f%% counts as no progress), as %s show. "
		    "%zu such window%s in all; this is the longest.", t0, w->secs, w->scanned,
		    w->reclaimed, w->scanned > 0 ? 100 * w->reclaimed / w->scanned : 0.0,
		    mmt_threshold("reclaim.no_progress_pct"), from, w->windows,
		    w->windows == 1 ? "" : "s");
	mmt_sb_adds(&f.summary, " Reclaim that scans without freeing finds pages it cannot "
		    "evict: anonymous memory with swap full or absent, dirty or writeback "
		    "pages it may not write (NOFS/NOIO), pinned or mlocked pages. It ends in "
		    "an OOM kill or a livelock. Next: check swap_exhausted, Dirty and "
		    "Writeback in meminfo, and the reclaimers' GFP contexts (reclaim_stall).");
	f.t_start = a->t - a->dt;
	f.t_end = b->t;
	f.has_t = true;
	f.score = !strcmp(sev, "critical") ? 800 : !strcmp(sev, "warning") ? 500 : 150;
	f.confidence = confidence;
	ev.finding = mmt_finding_add(st, &f, err);
	mmt_finding_free(&f);
	if (ev.finding < 0)
		return -1;
	rc = rc_evidence(&ev, a->event_id ? "event" : "sample", a->source, a->event_id, a->t,
			 true, err, "window starts: %.0f scanned, %.0f reclaimed in %.1f s",
			 a->scanned, a->reclaimed, a->dt);
	if (rc == 0 && b != a)
		rc = rc_evidence(&ev, b->event_id ? "event" : "sample", b->source, b->event_id,
				 b->t, true, err, "window ends: %.0f scanned, %.0f reclaimed in "
				 "%.1f s", b->scanned, b->reclaimed, b->dt);
	return rc;
}

/* Per second of each trace, from the LRU shrinking events. */
static int lru_points(struct mmt_store *st, const struct rc_traces *tr, const char *tbl,
		      struct prog_pt **out, size_t *n, struct mmt_err *err)
{
	char sql[256];
	sqlite3_stmt *q;
	size_t cap = 0;
	struct prog_pt *cur = NULL;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT common_source, common_ts_ns, nr_scanned, "
		 "nr_reclaimed, id FROM \"%s\" ORDER BY id", tbl);
	q = mmt_store_prepare(st, sql, err);
	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		int64_t source = sqlite3_column_int64(q, 0);
		const struct rc_trace_src *s = rc_trace_src(tr, source);
		double t = sqlite3_column_double(q, 1) / 1e9 + (s ? s->offset : 0);
		double sec = floor(t) + 1;

		if (!cur || cur->source != source || cur->t != sec) {
			xgrow((void **)out, &cap, *n + 1, sizeof(**out));
			cur = &(*out)[(*n)++];
			memset(cur, 0, sizeof(*cur));
			cur->t = sec;
			cur->dt = 1;
			cur->source = source;
			cur->event_id = sqlite3_column_int64(q, 4);
		}
		cur->scanned += (double)sqlite3_column_int64(q, 2);
		cur->reclaimed += (double)sqlite3_column_int64(q, 3);
	}
	sqlite3_finalize(q);
	return rc;
}

int rc_lru_progress(struct mmt_store *st, const struct rc_traces *tr, struct mmt_err *err)
{
	struct prog_pt *p = NULL;
	struct prog_window w;
	char tbl[128];
	size_t n = 0;
	int rc = 0;

	if (!mmt_event_table(st, "vmscan", "mm_vmscan_lru_shrink_inactive", tbl, sizeof(tbl)) ||
	    !mmt_has_columns(st, tbl, "nr_scanned,nr_reclaimed"))
		return 0;
	if (lru_points(st, tr, tbl, &p, &n, err) < 0) {
		free(p);
		return -1;
	}
	longest_window(p, n, &w);
	if (w.secs > 0)
		rc = report_window(st, p, &w, "mm_vmscan_lru_shrink_inactive events", 0.85, err);
	free(p);
	return rc;
}

int rc_vmstat_progress(struct mmt_store *st, const struct rc_vmstat *vm, struct mmt_err *err)
{
	struct prog_pt *p = xcalloc(vm->n ? vm->n : 1, sizeof(*p));
	struct prog_window w;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 1; i < vm->n; i++) {
		const struct rc_vm *v = &vm->v[i];
		double dt = v->ts - vm->v[i - 1].ts;

		if (v->source != vm->v[i - 1].source || dt <= 0 || isnan(rc_vm_scanned(v)))
			continue;
		p[n].t = v->ts;
		p[n].dt = dt;
		p[n].source = v->source;
		p[n].scanned = rc_vm_scanned(v) * dt;
		p[n].reclaimed = isnan(rc_vm_stolen(v)) ? 0 : rc_vm_stolen(v) * dt;
		n++;
	}
	longest_window(p, n, &w);
	if (w.secs > 0)
		rc = report_window(st, p, &w, "vmstat pgscan and pgsteal rates", 0.7, err);
	free(p);
	return rc;
}

/*
 * Samples with global direct reclaim (allocstall) while pgscan_kswapd is
 * flat and kswapd ran no balance pass (pageoutrun): a kswapd that scans
 * only slab moves pageoutrun but not pgscan_kswapd.
 */
int rc_kswapd_vmstat(struct mmt_store *st, const struct rc_vmstat *vm, struct mmt_err *err)
{
	const struct rc_vm *first = NULL, *last = NULL;
	double secs = 0, stalls = 0;
	size_t samples = 0;
	struct mmt_finding f;
	struct rc_ev ev = { st, 0, 0 };
	char t0[64];
	int rc;

	for (size_t i = 1; i < vm->n; i++) {
		const struct rc_vm *v = &vm->v[i];
		double dt = v->ts - vm->v[i - 1].ts;

		if (v->source != vm->v[i - 1].source || !(v->allocstall > 0) ||
		    isnan(v->scan_kswapd) || v->scan_kswapd > 0 || v->pageoutrun > 0)
			continue;
		first = first ? first : v;
		last = v;
		samples++;
		secs += dt;
		stalls += v->allocstall * dt;
	}
	if (!samples)
		return 0;
	mmt_time_str(first->ts, t0, sizeof(t0));
	mmt_finding_init(&f, RC_ANALYZER, "kswapd_idle",
			 secs >= mmt_threshold("reclaim.kswapd_idle_secs") ? "warning" : "info");
	snprintf(f.title, sizeof(f.title), "Direct reclaim without kswapd for %.0f s "
		 "(vmstat)", secs);
	mmt_sb_addf(&f.summary, "In %zu sample interval%s (%.0f s in all, from %s) tasks "
		    "entered global direct reclaim %.0f times (allocstall_*) while "
		    "neither pgscan_kswapd nor pageoutrun moved: kswapd was asleep or not woken. The "
		    "allocator wakes kswapd before reclaiming directly unless the GFP mask "
		    "lacks __GFP_KSWAPD_RECLAIM or kswapd gave up on the node (16 runs "
		    "without progress); memory-cgroup limit reclaim is not counted here. "
		    "Next: a trace of mm_vmscan_kswapd_sleep/_wake and "
		    "mm_vmscan_wakeup_kswapd shows which.", samples, samples == 1 ? "" : "s",
		    secs, t0, stalls);
	mmt_finding_time(&f, first->ts);
	mmt_finding_time(&f, last->ts);
	f.score = secs >= mmt_threshold("reclaim.kswapd_idle_secs") ? 550 : 150;
	f.confidence = 0.6;
	ev.finding = mmt_finding_add(st, &f, err);
	mmt_finding_free(&f);
	if (ev.finding < 0)
		return -1;
	rc = rc_evidence(&ev, "sample", first->source, 0, first->ts, true, err,
			 "allocstall %.1f/s, pgscan_kswapd 0/s", first->allocstall);
	if (rc == 0 && last != first)
		rc = rc_evidence(&ev, "sample", last->source, 0, last->ts, true, err,
				 "allocstall %.1f/s, pgscan_kswapd 0/s", last->allocstall);
	return rc;
}
