/*
 * Memory reclaim: how long tasks stall in direct and memory-cgroup
 * reclaim (traces, vmstat, PSI, log reports), whether kswapd is asleep
 * while tasks reclaim globally, whether reclaim frees what it scans,
 * which shrinkers scan and free nothing, whether swap is full, and OOM
 * kills that traces and vmstat counters show. This file holds the
 * thresholds, the driver and the helpers the reclaim_*.c files share.
 */
#include "analyzers/reclaim.h"
#include "analyzers/replay_state.h"
#include "core/gfp.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct mmt_threshold reclaim_thresholds[] = {
	{ "reclaim.stall_ms", 100, "ms", "p99 of traced reclaim episodes above which "
	  "reclaim_stall is a warning" },
	{ "reclaim.stall_critical_ms", 1000, "ms", "p99 of traced reclaim episodes (or "
	  "one still open at the trace's end) above which reclaim_stall is critical" },
	{ "reclaim.stall_share_pct", 30, "%", "share of the trace one task spent in "
	  "reclaim above which reclaim_stall is a warning" },
	{ "reclaim.stall_share_critical_pct", 60, "%", "the same share for critical" },
	{ "reclaim.psi_some_pct", 10, "%", "memory PSI 'some' (per sample, or avg10) "
	  "over two samples or more above which reclaim_stall is a warning" },
	{ "reclaim.psi_full_pct", 10, "%", "memory PSI 'full' over two samples or more "
	  "above which reclaim_stall is critical" },
	{ "reclaim.allocstall_rate", 10, "/s", "global direct reclaim entries "
	  "(allocstall_*) per second over two samples or more for a warning" },
	{ "reclaim.kswapd_idle_episodes", 10, "count", "global direct reclaim episodes "
	  "begun while every kswapd slept for kswapd_idle to be a warning" },
	{ "reclaim.kswapd_idle_secs", 10, "s", "time global direct reclaim ran with "
	  "pgscan_kswapd flat for kswapd_idle to be a warning" },
	{ "reclaim.no_progress_pct", 1, "%", "pages reclaimed per page scanned below "
	  "which a second (or sample) of reclaim made no progress" },
	{ "reclaim.no_progress_min_scan", 1024, "pages", "pages scanned in a second "
	  "(or per second between samples) for it to count at all" },
	{ "reclaim.no_progress_secs", 2, "s", "length of a window without progress "
	  "for reclaim_no_progress to be a warning" },
	{ "reclaim.no_progress_critical_secs", 10, "s", "the same for critical" },
	{ "reclaim.no_progress_episodes", 16, "count", "reclaim episodes of one task in a row "
	  "that reclaim nothing for a reclaim_no_progress finding; 16 is MAX_RECLAIM_RETRIES, "
	  "the kernel's own count of rounds without progress before it calls the OOM killer" },
	{ "reclaim.no_progress_oom_secs", 5, "s", "how soon after such a run an OOM kill "
	  "(oom:mark_victim, an oom_kill finding) counts as its outcome" },
	{ "reclaim.livelock_secs", 10, "s", "length of a group of reclaim runs without "
	  "progress (reclaim.no_progress_episodes) that makes it a livelock" },
	{ "reclaim.livelock_min_tasks", 2, "count", "tasks such a group must hold to be a "
	  "livelock" },
	{ "reclaim.shrinker_min_scan", 10000, "objects", "objects a shrinker must "
	  "scan (or be asked to scan) before shrinker_ineffective is considered" },
	{ "reclaim.shrinker_freed_pct", 5, "%", "freed per scanned below which a "
	  "shrinker is ineffective" },
	{ "reclaim.swap_free_pct", 2, "%", "SwapFree of SwapTotal (or a device's free "
	  "space) at or below which swap counts as exhausted" },
	{ "reclaim.swap_low_pct", 10, "%", "SwapFree of SwapTotal at or below which a "
	  "sample followed by an OOM kill counts as exhausted" },
	{ "reclaim.swap_oom_secs", 5, "s", "how soon after such a sample the OOM kill "
	  "must come" },
	{ NULL, 0, NULL, NULL },
};

int rc_evidence(struct rc_ev *ev, const char *kind, int64_t source, int64_t event_id,
		double ts, bool has_ts, struct mmt_err *err, const char *fmt, ...)
{
	struct mmt_evidence e = { .kind = kind, .source_id = source, .event_id = event_id,
				  .ts = ts, .has_ts = has_ts };
	char text[512];
	va_list ap;

	if (ev->idx >= RC_EVIDENCE)
		return 0;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	e.text = text;
	return mmt_finding_evidence(ev->st, ev->finding, ev->idx++, &e, err);
}

static const char sql_next_idx[] =
	"SELECT ifnull(max(idx) + 1, 0) FROM finding_evidence WHERE finding_id = ?";

int rc_next_evidence_idx(struct mmt_store *st, int64_t finding)
{
	struct mmt_err err;
	sqlite3_stmt *q = mmt_store_stmt(st, sql_next_idx, &err);

	if (!q)
		return 0;
	mmt_bind_int(q, 1, finding);
	return mmt_store_step(st, q, &err) > 0 ? sqlite3_column_int(q, 0) : 0;
}

bool rc_has_rows(struct mmt_store *st, const char *sql)
{
	return mmt_store_query_int(st, sql) > 0;
}

static const char sql_only_kernel[] =
	"SELECT CASE WHEN count(DISTINCT kernel) = 1 THEN max(kernel) END "
	"FROM sources WHERE kernel IS NOT NULL";

/* The kernel of a trace that names none: the one kernel the sources name. */
static void only_kernel(struct mmt_store *st, char *out, size_t n)
{
	struct mmt_err err = { 0 };
	sqlite3_stmt *q = mmt_store_stmt(st, sql_only_kernel, &err);

	if (q && mmt_store_step(st, q, &err) > 0)
		snprintf(out, n, "%s", mmt_col_text(q, 0));
}

int rc_traces_load(struct mmt_store *st, struct rc_traces *t, struct mmt_err *err)
{
	struct mmt_replay_source *srcs;
	size_t n;

	memset(t, 0, sizeof(*t));
	if (mmt_replay_sources(st, 0, &srcs, &n, err) < 0)
		return -1;
	t->src = xcalloc(n ? n : 1, sizeof(*t->src));
	for (size_t i = 0; i < n; i++) {
		struct rc_trace_src *s = &t->src[i];

		s->id = srcs[i].id;
		s->offset = srcs[i].t_offset;
		s->t_first = (double)srcs[i].first_ns / 1e9 + s->offset;
		s->t_last = (double)srcs[i].last_ns / 1e9 + s->offset;
		snprintf(s->kernel, sizeof(s->kernel), "%s", srcs[i].kernel);
		if (!s->kernel[0])
			only_kernel(st, s->kernel, sizeof(s->kernel));
	}
	t->n = n;
	free(srcs);
	return 0;
}

const struct rc_trace_src *rc_trace_src(const struct rc_traces *t, int64_t id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->src[i].id == id)
			return &t->src[i];
	return NULL;
}

void rc_traces_free(struct rc_traces *t)
{
	free(t->src);
	memset(t, 0, sizeof(*t));
}

static const char sql_comm[] = "SELECT comm FROM trace_comms WHERE id = ?";

void rc_comm(struct mmt_store *st, int64_t comm_id, char *out, size_t n)
{
	struct mmt_err err;
	sqlite3_stmt *q = mmt_store_stmt(st, sql_comm, &err);

	snprintf(out, n, "?");
	if (!q)
		return;
	mmt_bind_int(q, 1, comm_id);
	if (mmt_store_step(st, q, &err) > 0 && mmt_col_text(q, 0)[0])
		snprintf(out, n, "%s", mmt_col_text(q, 0));
}

/*
 * Per vmstat sample, the rates the detectors need. Zone-split counters of
 * old kernels (pgscan_direct_normal, ...) add up; pgscan_anon/_file (5.8+)
 * count every reclaimer, memory-cgroup reclaim included, while
 * pgscan_direct/_kswapd count global reclaim only on kernels that have them.
 */
static const char sql_vmstat[] =
	"SELECT source, ts, "
	"sum(CASE WHEN key LIKE 'allocstall%' THEN rate END), "
	"sum(CASE WHEN key LIKE 'pgscan_direct%' AND key <> 'pgscan_direct_throttle' "
	"THEN rate END), "
	"sum(CASE WHEN key LIKE 'pgsteal_direct%' THEN rate END), "
	"sum(CASE WHEN key LIKE 'pgscan_kswapd%' THEN rate END), "
	"sum(CASE WHEN key LIKE 'pgsteal_kswapd%' THEN rate END), "
	"sum(CASE WHEN key IN ('pgscan_anon', 'pgscan_file') THEN rate END), "
	"sum(CASE WHEN key IN ('pgsteal_anon', 'pgsteal_file') THEN rate END), "
	"max(CASE WHEN key = 'pswpout' THEN rate END), "
	"max(CASE WHEN key = 'pswpin' THEN rate END), "
	"max(CASE WHEN key = 'oom_kill' THEN value END), "
	"max(CASE WHEN key = 'pageoutrun' THEN rate END) "
	"FROM vmstat WHERE ts IS NOT NULL AND (key LIKE 'allocstall%' OR key LIKE 'pgscan%' "
	"OR key LIKE 'pgsteal%' OR key IN ('pswpout', 'pswpin', 'oom_kill', 'pageoutrun')) "
	"GROUP BY source, ts ORDER BY source, ts";

static double col_rate(sqlite3_stmt *q, int i)
{
	return mmt_col_null(q, i) ? NAN : sqlite3_column_double(q, i);
}

int rc_vmstat_load(struct mmt_store *st, struct rc_vmstat *vm, struct mmt_err *err)
{
	sqlite3_stmt *q;
	size_t cap = 0;
	int rc;

	memset(vm, 0, sizeof(*vm));
	if (!rc_has_rows(st, "SELECT count(*) FROM snapshots WHERE kind = 'vmstat' "
			 "AND ts IS NOT NULL"))
		return 0;
	q = mmt_store_stmt(st, sql_vmstat, err);
	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct rc_vm *v;

		xgrow((void **)&vm->v, &cap, vm->n + 1, sizeof(*vm->v));
		v = &vm->v[vm->n++];
		v->source = sqlite3_column_int64(q, 0);
		v->ts = sqlite3_column_double(q, 1);
		v->allocstall = col_rate(q, 2);
		v->scan_direct = col_rate(q, 3);
		v->steal_direct = col_rate(q, 4);
		v->scan_kswapd = col_rate(q, 5);
		v->steal_kswapd = col_rate(q, 6);
		v->scan_all = col_rate(q, 7);
		v->steal_all = col_rate(q, 8);
		v->pswpout = col_rate(q, 9);
		v->pswpin = col_rate(q, 10);
		v->has_oom = !mmt_col_null(q, 11);
		v->oom_kill = sqlite3_column_int64(q, 11);
		v->pageoutrun = col_rate(q, 12);
	}
	return rc;
}

void rc_vmstat_free(struct rc_vmstat *vm)
{
	free(vm->v);
	memset(vm, 0, sizeof(*vm));
}

static double sum_known(double a, double b)
{
	if (isnan(a))
		return b;
	return isnan(b) ? a : a + b;
}

double rc_vm_scanned(const struct rc_vm *v)
{
	return isnan(v->scan_all) ? sum_known(v->scan_direct, v->scan_kswapd) : v->scan_all;
}

double rc_vm_stolen(const struct rc_vm *v)
{
	return isnan(v->steal_all) ? sum_known(v->steal_direct, v->steal_kswapd) : v->steal_all;
}

/* Nearest-rank percentile of sorted values. */
double rc_percentile(const double *sorted, size_t n, double p)
{
	size_t rank;

	if (!n)
		return 0;
	rank = (size_t)ceil(p / 100.0 * (double)n);
	return sorted[rank ? rank - 1 : 0];
}

/* "nofs", "full", ... of a traced mask (decoded as that kernel lays bits out). */
const char *rc_gfp_context(uint64_t mask, const char *kernel, char *flags, size_t n)
{
	struct mmt_gfp_decoded d;

	mmt_gfp_decode(mask, kernel && kernel[0] ? kernel : NULL, &d);
	if (flags)
		snprintf(flags, n, "%s", d.flags[0] ? d.flags : "");
	return d.known && mmt_gfp_context_name(d.context) ?
	       mmt_gfp_context_name(d.context) : "unknown";
}

bool rc_gfp_column(sqlite3_stmt *q, int col, const char *kernel, struct mmt_gfp_decoded *d)
{
	if (mmt_col_null(q, col))
		return false;
	if (sqlite3_column_type(q, col) == SQLITE_TEXT) {
		if (mmt_gfp_from_names(0, mmt_col_text(q, col), d) < 0)
			return false;
	} else if (mmt_gfp_decode((uint64_t)sqlite3_column_int64(q, col),
				  kernel && kernel[0] ? kernel : NULL, d) < 0) {
		return false;
	}
	return d->known;
}

static int run(struct mmt_store *st, struct mmt_err *err)
{
	struct rc_traces tr;
	struct rc_vmstat vm;
	struct rc_retries *retries;
	int rc = -1;

	if (rc_traces_load(st, &tr, err) < 0)
		return -1;
	retries = rc_retries_new(&tr);
	if (rc_vmstat_load(st, &vm, err) < 0)
		goto out;
	if (rc_trace_stalls(st, &tr, retries, err) < 0 || rc_snapshot_stalls(st, &vm, err) < 0 ||
	    rc_log_stalls(st, err) < 0 || rc_kswapd_trace(st, &tr, err) < 0 ||
	    rc_kswapd_vmstat(st, &vm, err) < 0 || rc_lru_progress(st, &tr, err) < 0 ||
	    rc_retry_progress(st, retries, err) < 0 ||
	    rc_vmstat_progress(st, &vm, err) < 0 || rc_shrinkers(st, &tr, err) < 0 ||
	    rc_swap(st, &vm, err) < 0 || rc_ooms(st, &vm, err) < 0)
		goto out;
	rc = 0;
out:
	rc_retries_free(retries);
	rc_vmstat_free(&vm);
	rc_traces_free(&tr);
	return rc;
}

const struct mmt_analyzer mmt_analyzer_reclaim = {
	.name = "reclaim",
	.help = "reclaim stalls, kswapd asleep, reclaim without progress, idle shrinkers, "
		"full swap, OOM kills in traces and counters",
	.run = run,
	.thresholds = reclaim_thresholds,
};
