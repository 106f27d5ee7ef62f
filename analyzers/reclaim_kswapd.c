/*
 * kswapd_idle from a trace: global direct reclaim episodes that begin
 * while every kswapd the trace has seen is asleep, and of those, the ones
 * with no mm_vmscan_wakeup_kswapd since it went to sleep (kswapd was not
 * even woken: a GFP mask without __GFP_KSWAPD_RECLAIM, or a node kswapd
 * gave up on). Memory-cgroup reclaim never wakes kswapd by design and is
 * not read here; nor, for the severity, are allocations whose GFP mask does
 * not ask for kswapd (huge-page faults with defrag=always): they reclaim
 * by themselves by design.
 */
#include "analyzers/reclaim.h"
#include "core/gfp.h"

#include <stdio.h>
#include <string.h>

#define MAX_NODES 64

enum { EV_SLEEP, EV_WAKE, EV_WAKEUP, EV_DIRECT };

struct kswapd_state {
	signed char asleep[MAX_NODES];	/* -1 unknown, 0 awake, 1 asleep */
	bool woken[MAX_NODES];		/* a wakeup_kswapd since it slept */
	size_t idle, unwoken, direct;
	size_t by_design;		/* idle episodes whose mask does not wake kswapd */
	struct { int64_t mask; bool text, nokswapd; char names[128]; } last_mask;
	int64_t first_id, last_id, first_source, pid;
	double t_first, t_last;
	int64_t comm_id, source;
};

static const struct {
	const char *name, *nid;
	int what;
} inputs[] = {
	{ "mm_vmscan_kswapd_sleep", "nid", EV_SLEEP },
	{ "mm_vmscan_kswapd_wake", "nid", EV_WAKE },
	{ "mm_vmscan_wakeup_kswapd", "nid", EV_WAKEUP },
	{ "mm_vmscan_direct_reclaim_begin", "0", EV_DIRECT },
};

/* The merged stream of the four types, or 0 without direct reclaim or kswapd's. */
static int build_sql(struct mmt_store *st, char *sql, size_t n)
{
	size_t len = 0, arms = 0;
	bool direct = false, kswapd = false;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		char tbl[128];

		if (!mmt_event_table(st, "vmscan", inputs[i].name, tbl, sizeof(tbl)) ||
		    (inputs[i].what != EV_DIRECT && !mmt_has_columns(st, tbl, "nid")))
			continue;
		direct |= inputs[i].what == EV_DIRECT;
		kswapd |= inputs[i].what == EV_SLEEP || inputs[i].what == EV_WAKE;
		len += (size_t)snprintf(sql + len, n - len, "%sSELECT id, common_source, "
					"common_ts_ns, %d, %s, common_pid, common_comm_id, %s "
					"FROM \"%s\"", arms++ ? " UNION ALL " : "", inputs[i].what,
					inputs[i].nid, inputs[i].what == EV_DIRECT &&
					mmt_has_columns(st, tbl, "gfp_flags") ? "gfp_flags" : "NULL",
					tbl);
	}
	snprintf(sql + len, n - len, " ORDER BY 1");
	return direct && kswapd;
}

/*
 * Whether the episode's GFP mask (column 7: a number, or names as text
 * traces print it) lacks __GFP_KSWAPD_RECLAIM. The last mask is kept:
 * episodes come in runs of one mask, and there may be millions.
 */
static bool mask_skips_kswapd(struct kswapd_state *k, sqlite3_stmt *q, const char *kernel)
{
	struct mmt_gfp_decoded d;
	bool text = sqlite3_column_type(q, 7) == SQLITE_TEXT;
	int64_t mask = sqlite3_column_int64(q, 7);
	const char *names = text ? mmt_col_text(q, 7) : "";

	if (mmt_col_null(q, 7))
		return false;
	if (k->last_mask.text == text && (text ? !strcmp(k->last_mask.names, names) :
					  k->last_mask.mask == mask))
		return k->last_mask.nokswapd;
	k->last_mask.text = text;
	k->last_mask.mask = mask;
	snprintf(k->last_mask.names, sizeof(k->last_mask.names), "%s", names);
	k->last_mask.nokswapd = rc_gfp_column(q, 7, kernel, &d) && d.direct_reclaim && !d.kswapd;
	return k->last_mask.nokswapd;
}

/* Every node kswapd was seen on is asleep (and at least one was seen). */
static bool all_asleep(const struct kswapd_state *k, bool *unwoken)
{
	bool seen = false;

	*unwoken = true;
	for (int i = 0; i < MAX_NODES; i++) {
		if (k->asleep[i] < 0)
			continue;
		if (!k->asleep[i])
			return false;
		seen = true;
		*unwoken &= !k->woken[i];
	}
	return seen;
}

static void step(struct kswapd_state *k, sqlite3_stmt *q, const struct rc_traces *tr)
{
	int what = sqlite3_column_int(q, 3);
	int64_t nid = sqlite3_column_int64(q, 4);
	const struct rc_trace_src *s;
	bool unwoken;

	if (sqlite3_column_int64(q, 1) != k->source) {
		/* Another trace: what kswapd did in the last one says nothing here. */
		k->source = sqlite3_column_int64(q, 1);
		memset(k->asleep, -1, sizeof(k->asleep));
		memset(k->woken, 0, sizeof(k->woken));
	}
	if (what != EV_DIRECT && (nid < 0 || nid >= MAX_NODES))
		return;
	if (what == EV_SLEEP) {
		k->asleep[nid] = 1;
		k->woken[nid] = false;
	} else if (what == EV_WAKE) {
		k->asleep[nid] = 0;
	} else if (what == EV_WAKEUP) {
		k->woken[nid] = true;
	} else {
		k->direct++;
		if (!all_asleep(k, &unwoken))
			return;
		s = rc_trace_src(tr, sqlite3_column_int64(q, 1));
		k->t_last = sqlite3_column_double(q, 2) / 1e9 + (s ? s->offset : 0);
		k->last_id = sqlite3_column_int64(q, 0);
		if (!k->idle++) {
			k->t_first = k->t_last;
			k->first_id = k->last_id;
			k->first_source = sqlite3_column_int64(q, 1);
			k->pid = sqlite3_column_int64(q, 5);
			k->comm_id = sqlite3_column_int64(q, 6);
		}
		k->unwoken += unwoken;
		k->by_design += unwoken && mask_skips_kswapd(k, q, s ? s->kernel : NULL);
	}
}

static int report(struct mmt_store *st, struct kswapd_state *k, struct mmt_err *err)
{
	bool warn = (double)(k->idle - k->by_design) >=
		    mmt_threshold("reclaim.kswapd_idle_episodes");
	struct rc_ev ev = { st, 0, 0 };
	struct mmt_finding f;
	char comm[64];
	int rc;

	rc_comm(st, k->comm_id, comm, sizeof(comm));
	mmt_finding_init(&f, RC_ANALYZER, "kswapd_idle", warn ? "warning" : "info");
	snprintf(f.title, sizeof(f.title), "%zu direct reclaim episodes began with kswapd "
		 "asleep (%zu with kswapd never woken)", k->idle, k->unwoken);
	mmt_sb_addf(&f.summary, "Of %zu global direct reclaim episodes in the trace, %zu "
		    "began while every kswapd the trace saw was asleep; in %zu of them no "
		    "mm_vmscan_wakeup_kswapd had fired since it went to sleep. The first by "
		    "%s:%lld. The allocator wakes kswapd before it reclaims directly, unless "
		    "the GFP mask lacks __GFP_KSWAPD_RECLAIM or kswapd gave up on the node "
		    "after 16 runs without progress (it then leaves the node to direct "
		    "reclaim). Without kswapd, reclaim happens only in the restricted "
		    "contexts of the allocating tasks (NOFS, NOIO), which may never free "
		    "filesystem memory. Next: look at kswapd's last mm_vmscan_kswapd_sleep "
		    "and whether its reclaim freed anything before it slept.", k->direct,
		    k->idle, k->unwoken, comm, (long long)k->pid);
	if (k->by_design)
		mmt_sb_addf(&f.summary, " %zu of the episodes without a wake-up came from "
			    "allocations whose GFP mask does not ask for kswapd (such as "
			    "GFP_TRANSHUGE, huge-page faults with defrag=always): they reclaim by "
			    "themselves by design, and only the %zu others count towards a "
			    "warning (reclaim.kswapd_idle_episodes).", k->by_design,
			    k->idle - k->by_design);
	mmt_finding_time(&f, k->t_first);
	mmt_finding_time(&f, k->t_last);
	f.score = warn ? 600 : 150;
	f.confidence = 0.8;
	ev.finding = mmt_finding_add(st, &f, err);
	mmt_finding_free(&f);
	if (ev.finding < 0 || mmt_finding_subject(st, ev.finding, "task", k->pid, true, comm,
						  err) < 0)
		return -1;
	rc = rc_evidence(&ev, "event", k->first_source, k->first_id, k->t_first, true, err,
			 "%s:%lld began direct reclaim with kswapd asleep", comm,
			 (long long)k->pid);
	if (rc == 0 && k->last_id != k->first_id)
		rc = rc_evidence(&ev, "event", k->first_source, k->last_id, k->t_last, true, err,
				 "the last direct reclaim begun with kswapd asleep");
	return rc;
}

int rc_kswapd_trace(struct mmt_store *st, const struct rc_traces *tr, struct mmt_err *err)
{
	struct kswapd_state k;
	char sql[2048];
	sqlite3_stmt *q;
	int rc;

	if (!build_sql(st, sql, sizeof(sql)))
		return 0;
	memset(&k, 0, sizeof(k));
	memset(k.asleep, -1, sizeof(k.asleep));
	q = mmt_store_prepare(st, sql, err);
	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0)
		step(&k, q, tr);
	sqlite3_finalize(q);
	if (rc < 0)
		return -1;
	return k.idle ? report(st, &k, err) : 0;
}
