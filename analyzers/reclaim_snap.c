/*
 * Reclaim seen in snapshots and logs: reclaim_stall from vmstat
 * (allocstall_*, pgscan/pgsteal_direct) and memory PSI, and from the
 * kernel's "page allocation stalls for" reports; kswapd_idle and
 * reclaim_no_progress from vmstat rates between samples.
 */
#include "analyzers/reclaim.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct psi_sample {
	double ts, some, full;	/* percent of time stalled; NAN unknown */
	int64_t source;
};

static const char sql_psi[] =
	"SELECT source, ts, max(CASE kind WHEN 'some' THEN ifnull(rate / 1e4, avg10) END), "
	"max(CASE kind WHEN 'full' THEN ifnull(rate / 1e4, avg10) END) "
	"FROM psi WHERE resource = 'memory' AND ts IS NOT NULL GROUP BY source, ts "
	"ORDER BY ts";

static int load_psi(struct mmt_store *st, struct psi_sample **out, size_t *n,
		    struct mmt_err *err)
{
	sqlite3_stmt *q;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!rc_has_rows(st, "SELECT count(*) FROM psi_values WHERE resource = 'memory'"))
		return 0;
	q = mmt_store_stmt(st, sql_psi, err);
	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct psi_sample *p;

		xgrow((void **)out, &cap, *n + 1, sizeof(**out));
		p = &(*out)[(*n)++];
		p->source = sqlite3_column_int64(q, 0);
		p->ts = sqlite3_column_double(q, 1);
		p->some = mmt_col_null(q, 2) ? NAN : sqlite3_column_double(q, 2);
		p->full = mmt_col_null(q, 3) ? NAN : sqlite3_column_double(q, 3);
	}
	return rc;
}

/* What the snapshots say of reclaim, gathered in one pass each. */
struct snap_stall {
	size_t direct, memcg_only, alloc_hot, some_hot, full_hot;
	const struct rc_vm *peak_alloc, *first, *last;
	const struct psi_sample *peak_some, *peak_full;
	double t_first, t_last;
	bool has_t;
};

static void span(struct snap_stall *s, double ts)
{
	if (!s->has_t || ts < s->t_first)
		s->t_first = ts;
	if (!s->has_t || ts > s->t_last)
		s->t_last = ts;
	s->has_t = true;
}

static void scan_vmstat(const struct rc_vmstat *vm, struct snap_stall *s)
{
	double hot = mmt_threshold("reclaim.allocstall_rate");

	for (size_t i = 0; i < vm->n; i++) {
		const struct rc_vm *v = &vm->v[i];
		bool direct = v->allocstall > 0 || v->scan_direct > 0;
		bool memcg = !direct && v->scan_all > 0 && !(v->scan_kswapd > 0);

		if (!direct && !memcg)
			continue;
		s->direct += direct;
		s->memcg_only += memcg;
		if (v->allocstall >= hot)
			s->alloc_hot++;
		if (direct && (!s->peak_alloc || v->allocstall > s->peak_alloc->allocstall))
			s->peak_alloc = v;
		if (!s->first)
			s->first = v;
		s->last = v;
		span(s, v->ts);
	}
}

static void scan_psi(const struct psi_sample *p, size_t n, struct snap_stall *s)
{
	double some = mmt_threshold("reclaim.psi_some_pct");
	double full = mmt_threshold("reclaim.psi_full_pct");

	for (size_t i = 0; i < n; i++) {
		if (p[i].some >= some) {
			s->some_hot++;
			span(s, p[i].ts);
		}
		if (p[i].full >= full)
			s->full_hot++;
		if (!isnan(p[i].some) && (!s->peak_some || p[i].some > s->peak_some->some))
			s->peak_some = &p[i];
		if (!isnan(p[i].full) && (!s->peak_full || p[i].full > s->peak_full->full))
			s->peak_full = &p[i];
	}
}

/* Two samples or more over a threshold; one suffices when there is only one. */
static bool sustained(size_t hot, size_t samples)
{
	return hot >= 2 || (hot == 1 && samples == 1);
}

/*
 * PSI measures what matters, the time tasks lost; allocstall rates only say
 * that reclaim ran. Where PSI was sampled, a high allocstall rate with PSI
 * low (huge-page faults reclaiming cheaply, say) stays information.
 */
static const char *snap_severity(const struct snap_stall *s, size_t npsi, int *score)
{
	if (sustained(s->full_hot, npsi)) {
		*score = 700;
		return "critical";
	}
	if (sustained(s->some_hot, npsi) || (s->alloc_hot >= 2 && !npsi)) {
		*score = 450;
		return "warning";
	}
	*score = 120;
	return "info";
}

static void snap_summary(const struct snap_stall *s, struct mmt_sb *sb)
{
	char t[64];

	if (s->direct) {
		mmt_sb_addf(sb, "Global direct reclaim in %zu sample interval%s", s->direct,
			    s->direct == 1 ? "" : "s");
		if (s->peak_alloc && !isnan(s->peak_alloc->allocstall)) {
			mmt_time_str(s->peak_alloc->ts, t, sizeof(t));
			mmt_sb_addf(sb, ", at most %.1f allocstalls/s (%s), scanning %.0f and "
				    "reclaiming %.0f pages/s directly", s->peak_alloc->allocstall,
				    t, isnan(s->peak_alloc->scan_direct) ? 0 : s->peak_alloc->scan_direct,
				    isnan(s->peak_alloc->steal_direct) ? 0 :
				    s->peak_alloc->steal_direct);
		}
		mmt_sb_adds(sb, ". ");
	}
	if (s->memcg_only)
		mmt_sb_addf(sb, "Reclaim by memory cgroups at their limits in %zu sample "
			    "interval%s (pgscan_anon/_file rise while pgscan_direct and "
			    "pgscan_kswapd stay flat). ", s->memcg_only,
			    s->memcg_only == 1 ? "" : "s");
	if (s->peak_some)
		mmt_sb_addf(sb, "Memory PSI: 'some' peaked at %.1f%%", s->peak_some->some);
	if (s->peak_full)
		mmt_sb_addf(sb, ", 'full' at %.1f%%", s->peak_full->full);
	if (s->peak_some)
		mmt_sb_addf(sb, " of the time (%zu sample%s at or above %.0f%% some, %zu at or "
			    "above %.0f%% full). ", s->some_hot, s->some_hot == 1 ? "" : "s",
			    mmt_threshold("reclaim.psi_some_pct"), s->full_hot,
			    mmt_threshold("reclaim.psi_full_pct"));
	if (s->full_hot >= 2)
		mmt_sb_adds(sb, "'full' means every non-idle task waited for memory at once: "
			    "the machine stalls. ");
	mmt_sb_adds(sb, "Snapshots give rates, not which tasks stalled or for how long: "
		    "a trace of vmscan events (mmtriage record) would name them.");
}

static int snap_evidence(struct mmt_store *st, int64_t id, const struct snap_stall *s,
			 struct mmt_err *err)
{
	struct rc_ev ev = { st, id, 0 };

	if (s->first && rc_evidence(&ev, "sample", s->first->source, 0, s->first->ts, true,
				    err, "first reclaim: allocstall %.1f/s, pgscan %.0f/s, "
				    "pgsteal %.0f/s", isnan(s->first->allocstall) ? 0 :
				    s->first->allocstall, rc_vm_scanned(s->first),
				    rc_vm_stolen(s->first)) < 0)
		return -1;
	if (s->peak_alloc && s->peak_alloc != s->first &&
	    rc_evidence(&ev, "sample", s->peak_alloc->source, 0, s->peak_alloc->ts, true, err,
			"peak: allocstall %.1f/s, pgscan_direct %.0f/s, pgsteal_direct %.0f/s",
			s->peak_alloc->allocstall, s->peak_alloc->scan_direct,
			s->peak_alloc->steal_direct) < 0)
		return -1;
	if (s->peak_some && rc_evidence(&ev, "sample", s->peak_some->source, 0,
					s->peak_some->ts, true, err,
					"memory PSI some %.2f%%", s->peak_some->some) < 0)
		return -1;
	if (s->peak_full && rc_evidence(&ev, "sample", s->peak_full->source, 0,
					s->peak_full->ts, true, err,
					"memory PSI full %.2f%%", s->peak_full->full) < 0)
		return -1;
	if (s->last && s->last != s->first &&
	    rc_evidence(&ev, "sample", s->last->source, 0, s->last->ts, true, err,
			"last reclaim: pgscan %.0f/s, pgsteal %.0f/s", rc_vm_scanned(s->last),
			rc_vm_stolen(s->last)) < 0)
		return -1;
	return 0;
}

int rc_snapshot_stalls(struct mmt_store *st, const struct rc_vmstat *vm, struct mmt_err *err)
{
	struct snap_stall s = { 0 };
	struct psi_sample *psi;
	struct mmt_finding f;
	size_t npsi;
	int64_t id;
	int score, rc;

	if (load_psi(st, &psi, &npsi, err) < 0)
		return -1;
	scan_vmstat(vm, &s);
	scan_psi(psi, npsi, &s);
	if (!s.direct && !s.memcg_only && !s.some_hot) {
		free(psi);
		return 0;
	}
	mmt_finding_init(&f, RC_ANALYZER, "reclaim_stall", snap_severity(&s, npsi, &score));
	snprintf(f.title, sizeof(f.title), "Reclaim in snapshots: %zu intervals of direct "
		 "reclaim, %zu of cgroup reclaim, memory PSI some up to %.1f%%", s.direct,
		 s.memcg_only, s.peak_some ? s.peak_some->some : 0.0);
	snap_summary(&s, &f.summary);
	f.t_start = s.t_first;
	f.t_end = s.t_last;
	f.has_t = s.has_t;
	f.score = score;
	f.confidence = 0.7;
	id = mmt_finding_add(st, &f, err);
	rc = id < 0 ? -1 : snap_evidence(st, id, &s, err);
	mmt_finding_free(&f);
	free(psi);
	return rc;
}
