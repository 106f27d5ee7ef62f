/*
 * oom_kill from traces (oom:mark_victim, with oom:reclaim_retry_zone as the
 * allocator's account of the retries before it) and from the vmstat
 * oom_kill counter. A kill the log already reported (the allocs analyzer's
 * oom_kill finding of the same victim, or whose time covers the counter's
 * step) gets this evidence added; the others make one finding here.
 * Also reclaim_stall from "page allocation stalls for Nms" log reports.
 */
#include "analyzers/reclaim.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_log_finding_of_pid[] =
	"SELECT f.id FROM findings f JOIN finding_subjects s ON s.finding_id = f.id "
	"WHERE f.analyzer = 'allocs' AND f.kind = 'oom_kill' AND s.type = 'task' "
	"AND s.pid = ? ORDER BY f.id LIMIT 1";
/* Times under 10^8 s are since boot: not comparable with snapshot times. */
static const char sql_log_finding_at[] =
	"SELECT id FROM findings WHERE analyzer = 'allocs' AND kind = 'oom_kill' "
	"AND ((t_start >= 1e8 AND t_start <= ?2 AND t_end >= ?1) OR "
	"((t_start IS NULL OR t_start < 1e8) AND "
	"(SELECT count(*) FROM findings WHERE analyzer = 'allocs' AND kind = 'oom_kill') = 1)) "
	"ORDER BY id LIMIT 1";

/* Kills not in the log, gathered for a finding of their own. */
struct own_kills {
	struct rc_ev ev;
	struct mmt_finding f;
	size_t trace_kills, counter_kills;
	struct mmt_sb victims;
};

static int own_finding(struct mmt_store *st, struct own_kills *o, struct mmt_err *err)
{
	if (o->ev.finding)
		return 0;
	mmt_finding_init(&o->f, RC_ANALYZER, "oom_kill", "warning");
	snprintf(o->f.title, sizeof(o->f.title), "OOM kill");
	o->ev.st = st;
	o->ev.finding = mmt_finding_add(st, &o->f, err);
	return o->ev.finding < 0 ? -1 : 0;
}

static int64_t log_finding(struct mmt_store *st, const char *sql, int64_t a, double t0,
			   double t1)
{
	struct mmt_err err;
	sqlite3_stmt *q = mmt_store_stmt(st, sql, &err);

	if (!q)
		return 0;
	if (sql == sql_log_finding_of_pid) {
		mmt_bind_int(q, 1, a);
	} else {
		sqlite3_bind_double(q, 1, t0);
		sqlite3_bind_double(q, 2, t1);
	}
	return mmt_store_step(st, q, &err) > 0 ? sqlite3_column_int64(q, 0) : 0;
}

static int add_to_log_finding(struct mmt_store *st, int64_t finding, const char *kind,
			      int64_t source, int64_t event, double ts, const char *text,
			      struct mmt_err *err)
{
	struct rc_ev ev = { st, finding, rc_next_evidence_idx(st, finding) };

	return rc_evidence(&ev, kind, source, event, ts, true, err, "%s", text);
}

static int trace_victims(struct mmt_store *st, struct own_kills *o, struct mmt_err *err)
{
	char tbl[128], sql[512], text[256];
	sqlite3_stmt *q;
	int rc;

	if (!mmt_event_table(st, "oom", "mark_victim", tbl, sizeof(tbl)) ||
	    !mmt_has_columns(st, tbl, "pid"))
		return 0;
	snprintf(sql, sizeof(sql), "SELECT e.id, e.common_ts_ns / 1e9 + ifnull(s.t_offset, 0), "
		 "e.common_source, e.pid, %s FROM \"%s\" e JOIN sources s ON "
		 "s.id = e.common_source ORDER BY e.id",
		 mmt_has_columns(st, tbl, "comm") ? "e.comm" : "''", tbl);
	q = mmt_store_prepare(st, sql, err);
	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		int64_t pid = sqlite3_column_int64(q, 3);
		int64_t log = log_finding(st, sql_log_finding_of_pid, pid, 0, 0);
		const char *comm = mmt_col_text(q, 4);

		snprintf(text, sizeof(text), "oom:mark_victim pid %lld%s%s", (long long)pid,
			 comm[0] ? " " : "", comm);
		if (log) {
			rc = add_to_log_finding(st, log, "event", sqlite3_column_int64(q, 2),
						sqlite3_column_int64(q, 0),
						sqlite3_column_double(q, 1), text, err);
		} else if ((rc = own_finding(st, o, err)) == 0) {
			o->trace_kills++;
			mmt_finding_time(&o->f, sqlite3_column_double(q, 1));
			mmt_sb_addf(&o->victims, "%s%s:%lld", o->victims.len ? ", " : "",
				    comm[0] ? comm : "pid", (long long)pid);
			rc = mmt_finding_subject(st, o->ev.finding, "task", pid, true, comm, err);
			if (rc == 0)
				rc = rc_evidence(&o->ev, "event", sqlite3_column_int64(q, 2),
						 sqlite3_column_int64(q, 0),
						 sqlite3_column_double(q, 1), true, err, "%s", text);
		}
		if (rc < 0)
			break;
	}
	sqlite3_finalize(q);
	return rc;
}

static int counter_kills(struct mmt_store *st, const struct rc_vmstat *vm,
			 struct own_kills *o, struct mmt_err *err)
{
	char text[160];

	for (size_t i = 1; i < vm->n; i++) {
		const struct rc_vm *a = &vm->v[i - 1], *b = &vm->v[i];
		int64_t log;
		int rc;

		if (!a->has_oom || !b->has_oom || a->source != b->source ||
		    b->oom_kill <= a->oom_kill)
			continue;
		snprintf(text, sizeof(text), "vmstat oom_kill %lld -> %lld",
			 (long long)a->oom_kill, (long long)b->oom_kill);
		log = log_finding(st, sql_log_finding_at, 0, a->ts - 1, b->ts + 1);
		if (log) {
			rc = add_to_log_finding(st, log, "sample", b->source, 0, b->ts, text, err);
		} else if ((rc = own_finding(st, o, err)) == 0) {
			o->counter_kills += (size_t)(b->oom_kill - a->oom_kill);
			mmt_finding_time(&o->f, b->ts);
			rc = rc_evidence(&o->ev, "sample", b->source, 0, b->ts, true, err, "%s",
					 text);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int complete_own(struct mmt_store *st, struct own_kills *o, struct mmt_err *err)
{
	size_t kills = o->trace_kills > o->counter_kills ? o->trace_kills : o->counter_kills;
	char t0[64];
	int rc;

	mmt_time_str(o->f.t_start, t0, sizeof(t0));
	o->f.severity = kills >= 3 ? "critical" : "warning";
	snprintf(o->f.title, sizeof(o->f.title), "%zu OOM kill%s seen in %s", kills,
		 kills == 1 ? "" : "s", o->trace_kills ? "the trace" : "vmstat counters");
	mmt_sb_addf(&o->f.summary, "The OOM killer ran from %s: ", t0);
	if (o->trace_kills)
		mmt_sb_addf(&o->f.summary, "the trace marks %zu victim%s (%s)", o->trace_kills,
			    o->trace_kills == 1 ? "" : "s", mmt_sb_str(&o->victims));
	if (o->trace_kills && o->counter_kills)
		mmt_sb_adds(&o->f.summary, " and ");
	if (o->counter_kills)
		mmt_sb_addf(&o->f.summary, "the oom_kill counter of vmstat rose by %zu",
			    o->counter_kills);
	mmt_sb_adds(&o->f.summary, ". No kernel log in the database reports these kills "
		    "(or its times cannot be matched): add the log (dmesg, journalctl -k) for "
		    "the victim, the invoking task, its GFP mask and the memory state.");
	o->f.confidence = o->trace_kills ? 0.95 : 0.8;
	o->f.score = 600 + (int)kills;
	rc = mmt_finding_complete(st, o->ev.finding, &o->f, err);
	mmt_finding_free(&o->f);
	return rc;
}

int rc_ooms(struct mmt_store *st, const struct rc_vmstat *vm, struct mmt_err *err)
{
	struct own_kills o = { 0 };
	int rc;

	rc = trace_victims(st, &o, err);
	if (rc == 0)
		rc = counter_kills(st, vm, &o, err);
	if (rc == 0 && o.ev.finding)
		rc = complete_own(st, &o, err);
	else if (o.ev.finding)
		mmt_finding_free(&o.f);
	mmt_sb_free(&o.victims);
	return rc;
}

/* "page allocation stalls for 10012ms, order:0, mode:..." */
static const char sql_stall_reports[] =
	"SELECT r.id, r.t + ifnull(s.t_offset, 0), r.source_id, r.line_start, r.title, "
	"ifnull(r.comm, ''), r.pid, ifnull(r.gfp_names, r.gfp_mask) FROM reports r "
	"JOIN sources s ON s.id = r.source_id WHERE r.kind = 'alloc_stall' ORDER BY r.t, r.id";

struct log_stalls {
	double *ms;
	size_t n, cap;
	double t_first, t_last;
	struct rc_ev ev;
};

static double stall_ms(const char *title)
{
	const char *p = strstr(title, "stalls for ");

	return p ? strtod(p + strlen("stalls for "), NULL) : 0;
}

static int read_stalls(struct mmt_store *st, struct log_stalls *l, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_stall_reports, err);
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		int64_t report = sqlite3_column_int64(q, 0);

		xgrow((void **)&l->ms, &l->cap, l->n + 1, sizeof(*l->ms));
		l->ms[l->n++] = stall_ms(mmt_col_text(q, 4));
		if (mmt_finding_report(st, l->ev.finding, report, err) < 0 ||
		    mmt_finding_subject(st, l->ev.finding, "task", sqlite3_column_int64(q, 6),
					!mmt_col_null(q, 6), mmt_col_text(q, 5), err) < 0)
			return -1;
		if (l->ev.idx < 6 && mmt_finding_line(st, l->ev.finding, l->ev.idx++,
						      sqlite3_column_int64(q, 2),
						      sqlite3_column_int64(q, 3), report, err) < 0)
			return -1;
		if (l->n == 1)
			l->t_first = sqlite3_column_double(q, 1);
		l->t_last = sqlite3_column_double(q, 1);
	}
	return rc;
}

int rc_log_stalls(struct mmt_store *st, struct mmt_err *err)
{
	struct log_stalls l = { .ev = { st, 0, 0 } };
	struct mmt_finding f;
	bool crit;
	int rc;

	if (!rc_has_rows(st, "SELECT count(*) FROM reports WHERE kind = 'alloc_stall'"))
		return 0;
	mmt_finding_init(&f, RC_ANALYZER, "reclaim_stall", "warning");
	snprintf(f.title, sizeof(f.title), "page allocation stalls");
	l.ev.finding = mmt_finding_add(st, &f, err);
	if (l.ev.finding < 0 || read_stalls(st, &l, err) < 0) {
		free(l.ms);
		return -1;
	}
	if (!l.n)	/* every report has its source: cannot be, but l.ms[l.n - 1] below */
		return 0;
	mmt_sort_doubles(l.ms, l.n);
	crit = l.n >= 3 || l.ms[l.n - 1] >= 10 * mmt_threshold("reclaim.stall_critical_ms");
	f.severity = crit ? "critical" : "warning";
	snprintf(f.title, sizeof(f.title), "%zu page allocation stall%s reported, up to %.0f s",
		 l.n, l.n == 1 ? "" : "s", l.ms[l.n - 1] / 1000);
	mmt_sb_addf(&f.summary, "The kernel reported %zu allocation%s stuck in the page "
		    "allocator's reclaim loop (\"page allocation stalls for\", printed after "
		    "10 s and every 10 s after, on kernels 4.9 to 4.14): median %.0f ms, "
		    "longest %.0f ms. Each report is a task that reclaimed for that long "
		    "without getting its page. Next: the stall's GFP mode (NOFS/NOIO), "
		    "whether swap is full, and the tasks' stacks.", l.n, l.n == 1 ? "" : "s",
		    rc_percentile(l.ms, l.n, 50), l.ms[l.n - 1]);
	mmt_finding_time(&f, l.t_first);
	mmt_finding_time(&f, l.t_last);
	f.score = crit ? 760 : 480;
	f.confidence = 0.9;
	rc = mmt_finding_complete(st, l.ev.finding, &f, err);
	mmt_finding_free(&f);
	free(l.ms);
	return rc;
}
