/*
 * swap_exhausted: swap full (meminfo SwapFree, /proc/swaps per device, the
 * "Free swap" line of OOM and allocation-failure reports), with whether
 * swap-out stopped and an OOM followed. oom_kill: victims a trace shows
 * (oom:mark_victim) and kills the vmstat oom_kill counter counts; added to
 * the allocs analyzer's oom_kill finding of the same kill when there is
 * one, a finding of their own otherwise. reclaim_stall from the kernel's
 * "page allocation stalls for Nms" reports.
 */
#include "analyzers/reclaim.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_swap_meminfo[] =
	"SELECT source, ts, max(CASE key WHEN 'SwapTotal' THEN kb END), "
	"max(CASE key WHEN 'SwapFree' THEN kb END) FROM meminfo "
	"WHERE key IN ('SwapTotal', 'SwapFree') AND ts IS NOT NULL "
	"GROUP BY source, ts ORDER BY ts";
static const char sql_swap_devices[] =
	"SELECT source, ts, sum(size_kb), sum(size_kb - used_kb) FROM swaps "
	"WHERE ts IS NOT NULL GROUP BY source, ts ORDER BY ts";
static const char sql_full_devices[] =
	"SELECT filename, max(size_kb), max(used_kb) FROM swaps WHERE ts BETWEEN ? AND ? "
	"AND size_kb > 0 AND 100.0 * (size_kb - used_kb) <= ? * size_kb GROUP BY filename";
static const char sql_swap_reports[] =
	"SELECT r.id, r.t + ifnull(s.t_offset, 0), r.source_id, r.line_start, tot.value, "
	"fr.value, r.kind FROM reports r JOIN sources s ON s.id = r.source_id "
	"JOIN mem_counters fr ON fr.report_id = r.id AND fr.name = 'swap_free' "
	"AND fr.node IS NULL "
	"JOIN mem_counters tot ON tot.report_id = r.id AND tot.name = 'swap_total' "
	"AND tot.node IS NULL "
	"WHERE tot.value > 0 AND 100.0 * fr.value <= ? * tot.value ORDER BY r.t";

/*
 * Whether an OOM kill (a report, or a step of vmstat's counter) follows t
 * within secs: the kernel's own word that reclaim found nothing left.
 */
static const char sql_oom_follows[] =
	"SELECT EXISTS (SELECT 1 FROM reports WHERE kind = 'oom_kill' AND "
	MMT_REPORT_TS("") " > ?1 AND " MMT_REPORT_TS("") " <= ?1 + ?2) OR EXISTS ("
	"SELECT 1 FROM vmstat WHERE key = 'oom_kill' AND rate > 0 AND ts > ?1 AND ts <= ?1 + ?2)";

struct swap_window {
	int64_t source;
	double t_first, t_last, t_before, total_kb, free_kb;
	size_t samples, reports;
	bool has_t, has_before;
};

static void widen(struct swap_window *w, double t)
{
	if (!w->has_t || t < w->t_first)
		w->t_first = t;
	if (!w->has_t || t > w->t_last)
		w->t_last = t;
	w->has_t = true;
}

/*
 * Samples are seconds apart and swap can fill in less: a sample that is
 * merely low counts as exhausted when an OOM kill follows it closely.
 */
static int low_before_oom(struct mmt_store *st, double t, double total, double free_kb,
			  struct mmt_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if (100 * free_kb > mmt_threshold("reclaim.swap_low_pct") * total)
		return 0;
	if (!(q = mmt_store_stmt(st, sql_oom_follows, err)))
		return -1;
	sqlite3_bind_double(q, 1, t);
	sqlite3_bind_double(q, 2, mmt_threshold("reclaim.swap_oom_secs"));
	rc = mmt_store_step(st, q, err);
	rc = rc > 0 ? sqlite3_column_int(q, 0) != 0 : rc;
	sqlite3_reset(q);
	return rc;
}

static int scan_samples(struct mmt_store *st, struct swap_window *w, struct mmt_err *err)
{
	double pct = mmt_threshold("reclaim.swap_free_pct");
	bool meminfo = rc_has_rows(st, "SELECT count(*) FROM meminfo WHERE key = 'SwapTotal' "
				   "AND kb > 0 AND ts IS NOT NULL");
	sqlite3_stmt *q = mmt_store_stmt(st, meminfo ? sql_swap_meminfo : sql_swap_devices, err);
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		double total = sqlite3_column_double(q, 2), free_kb = sqlite3_column_double(q, 3);
		double t = sqlite3_column_double(q, 1);

		int low;

		if (total <= 0 || mmt_col_null(q, 3))
			continue;
		low = 100 * free_kb > pct * total ? low_before_oom(st, t, total, free_kb, err) : 1;
		if (low < 0)
			return -1;
		if (!low) {
			if (!w->samples) {
				w->t_before = t;
				w->has_before = true;
			}
			continue;
		}
		if (!w->samples++) {
			w->source = sqlite3_column_int64(q, 0);
			w->total_kb = total;
			w->free_kb = free_kb;
		}
		widen(w, t);
	}
	return rc;
}

static int add_devices(struct mmt_store *st, int64_t id, const struct swap_window *w,
		       struct mmt_sb *names, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_full_devices, err);
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_double(q, 1, w->t_first);
	sqlite3_bind_double(q, 2, w->t_last);
	sqlite3_bind_double(q, 3, mmt_threshold("reclaim.swap_free_pct"));
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		if (names)
			mmt_sb_addf(names, "%s%s (%lld of %lld kB used)", names->len ? ", " : "",
				    mmt_col_text(q, 0), (long long)sqlite3_column_int64(q, 2),
				    (long long)sqlite3_column_int64(q, 1));
		else if (mmt_finding_subject(st, id, "device", 0, false, mmt_col_text(q, 0),
					     err) < 0)
			return -1;
	}
	return rc;
}

/* Swap-out before the window and in it: swapping that stopped because swap is full. */
static void swapout_rates(const struct rc_vmstat *vm, const struct swap_window *w,
			  double *before, double *during, double *scan)
{
	size_t nb = 0, nd = 0;

	*before = *during = *scan = 0;
	for (size_t i = 0; i < vm->n; i++) {
		const struct rc_vm *v = &vm->v[i];

		if (isnan(v->pswpout))
			continue;
		if (v->ts < w->t_first && v->ts >= w->t_first - 30) {
			*before += v->pswpout;
			nb++;
		} else if (v->ts >= w->t_first && v->ts <= w->t_last) {
			*during += v->pswpout;
			*scan += isnan(rc_vm_scanned(v)) ? 0 : rc_vm_scanned(v);
			nd++;
		}
	}
	*before = nb ? *before / (double)nb : NAN;
	*during = nd ? *during / (double)nd : NAN;
	*scan = nd ? *scan / (double)nd : NAN;
}

static bool oom_near(struct mmt_store *st, const struct rc_vmstat *vm,
		     const struct swap_window *w)
{
	sqlite3_stmt *q;
	struct mmt_err err;
	bool near = false;

	for (size_t i = 1; i < vm->n; i++)
		if (vm->v[i].has_oom && vm->v[i - 1].has_oom && vm->v[i].source == vm->v[i - 1].source &&
		    vm->v[i].oom_kill > vm->v[i - 1].oom_kill && vm->v[i].ts >= w->t_first &&
		    vm->v[i].ts <= w->t_last + 60)
			return true;
	q = mmt_store_prepare(st, "SELECT 1 FROM findings WHERE kind = 'oom_kill' AND "
			      "t_end >= ? AND t_start <= ? + 60", &err);
	if (!q)
		return false;
	sqlite3_bind_double(q, 1, w->t_first);
	sqlite3_bind_double(q, 2, w->t_last);
	near = mmt_store_step(st, q, &err) > 0;
	sqlite3_finalize(q);
	return near || w->reports > 0;
}

static void swap_summary(const struct swap_window *w, const char *devices, double before,
			 double during, double scan, bool oom, struct mmt_sb *sb)
{
	char t0[64], t1[64];

	mmt_time_str(w->t_first, t0, sizeof(t0));
	mmt_time_str(w->t_last, t1, sizeof(t1));
	if (w->samples)
		mmt_sb_addf(sb, "Swap was full from %s to %s (%zu sample%s; SwapFree %.0f of "
			    "%.0f kB at the first).", t0, t1, w->samples, w->samples == 1 ? "" : "s",
			    w->free_kb, w->total_kb);
	if (w->reports)
		mmt_sb_addf(sb, "%s%zu OOM or allocation-failure report%s printed Free swap at "
			    "or near 0.", w->samples ? " " : "", w->reports, w->reports == 1 ? "" : "s");
	if (devices[0])
		mmt_sb_addf(sb, " Full devices: %s.", devices);
	if (!isnan(before) && !isnan(during))
		mmt_sb_addf(sb, " Swap-out ran at %.0f pages/s before and %.0f pages/s while "
			    "full%s.", before, during, !isnan(scan) && scan > 0 ?
			    ", while reclaim kept scanning" : "");
	mmt_sb_adds(sb, " With swap full, anonymous memory cannot be reclaimed: reclaim "
		    "only scans the page cache, and once that is gone it makes no progress.");
	if (oom)
		mmt_sb_adds(sb, " An OOM kill followed.");
	mmt_sb_adds(sb, " Next: which tasks or cgroups hold the anonymous memory (the OOM "
		    "task table, memory.stat), and whether swap (or a zram device's disksize) "
		    "is sized for the load.");
}

static int scan_reports(struct mmt_store *st, struct swap_window *w, int64_t finding,
			struct rc_ev *ev, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_swap_reports, err);
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_double(q, 1, mmt_threshold("reclaim.swap_free_pct"));
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		if (!finding) {
			w->reports++;
			if (!mmt_col_null(q, 1))
				widen(w, sqlite3_column_double(q, 1));
			continue;
		}
		if (mmt_finding_report(st, finding, sqlite3_column_int64(q, 0), err) < 0)
			return -1;
		if (ev->idx < RC_EVIDENCE &&
		    mmt_finding_frame_line(st, finding, ev->idx, sqlite3_column_int64(q, 0),
					   sqlite3_column_int64(q, 3), "Free swap", err) < 0)
			return -1;
		ev->idx = rc_next_evidence_idx(st, finding);
	}
	return rc;
}

int rc_swap(struct mmt_store *st, const struct rc_vmstat *vm, struct mmt_err *err)
{
	struct swap_window w = { 0 };
	struct mmt_sb devices = { 0 };
	struct rc_ev ev = { st, 0, 0 };
	double before, during, scan;
	struct mmt_finding f;
	bool oom;
	int rc = -1;

	if (scan_samples(st, &w, err) < 0 || scan_reports(st, &w, 0, &ev, err) < 0)
		return -1;
	if (!w.samples && !w.reports)
		return 0;
	if (w.samples && add_devices(st, 0, &w, &devices, err) < 0)
		goto out;
	swapout_rates(vm, &w, &before, &during, &scan);
	oom = oom_near(st, vm, &w);
	mmt_finding_init(&f, RC_ANALYZER, "swap_exhausted", oom ? "critical" : "warning");
	snprintf(f.title, sizeof(f.title), "Swap exhausted%s%s%s", devices.len ? " (" : "",
		 devices.len ? mmt_sb_str(&devices) : "", devices.len ? ")" : "");
	swap_summary(&w, mmt_sb_str(&devices), before, during, scan, oom, &f.summary);
	f.t_start = w.t_first;
	f.t_end = w.t_last;
	f.has_t = w.has_t;
	f.score = oom ? 650 : 450;
	f.confidence = w.samples ? 0.9 : 0.8;
	ev.finding = mmt_finding_add(st, &f, err);
	mmt_finding_free(&f);
	if (ev.finding < 0 || (w.samples && add_devices(st, ev.finding, &w, NULL, err) < 0))
		goto out;
	if (w.has_before && rc_evidence(&ev, "sample", w.source, 0, w.t_before, true, err,
					"last sample with swap free") < 0)
		goto out;
	if (w.samples && rc_evidence(&ev, "sample", w.source, 0, w.t_first, true, err,
				     "SwapFree %.0f kB of SwapTotal %.0f kB", w.free_kb,
				     w.total_kb) < 0)
		goto out;
	rc = scan_reports(st, &w, ev.finding, &ev, err);
out:
	mmt_sb_free(&devices);
	return rc;
}
