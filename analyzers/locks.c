/*
 * Lockdep reports. A dependency chain or a held-lock list that goes
 * through fs_reclaim (how lockdep models memory reclaim since 4.14), or a
 * lock-state report naming RECLAIM_FS (how it did before), is the mark of
 * lock recursion through reclaim: a lock held while allocating with
 * __GFP_FS is also taken by reclaim. Those are reclaim_recursion findings.
 * Subjects: the task each report names, the lock it was taking and the
 * locks of the dependency chain.
 */
#include "analyzers/waits.h"

#include <stdio.h>
#include <string.h>

#define EVIDENCE_REPORTS 4

static const char sql_lockdep[] =
	"SELECT r.id, r.source_id, r.line_start, " MMT_REPORT_TS("r.") ", ifnull(r.culprit, ''), "
	"r.title, "
	"ifnull(r.detail, ''), "
	"(SELECT count(*) FROM lock_chain c WHERE c.report_id = r.id "
	" AND c.lock LIKE '%fs_reclaim%') + "
	"(SELECT count(*) FROM held_locks h WHERE h.report_id = r.id "
	" AND h.lock LIKE '%fs_reclaim%') + (ifnull(r.detail, '') LIKE '%fs_reclaim%') + "
	"EXISTS (SELECT 1 FROM log_lines l WHERE l.report_id = r.id "
	" AND l.text LIKE '%RECLAIM_FS%'), "
	"r.title || '|' || ifnull(r.culprit, ''), r.pid, ifnull(r.comm, '') "
	"FROM reports r WHERE r.kind = 'lockdep' ORDER BY 9, r.t, r.id";

static const char sql_chain[] =
	"SELECT DISTINCT lock FROM lock_chain WHERE report_id = ? ORDER BY lock";

enum { C_ID, C_SOURCE, C_LINE, C_T, C_CULPRIT, C_TITLE, C_DETAIL, C_RECLAIM, C_KEY, C_PID,
       C_COMM };

struct lock_group {
	char title[256], culprit[160], lock[160];
	bool reclaim;
};

static int begin(struct mmt_store *st, sqlite3_stmt *row, struct mmt_group *g,
		 struct mmt_err *err)
{
	struct lock_group *lg = g->ctx;
	struct mmt_finding f;

	memset(lg, 0, sizeof(*lg));
	snprintf(lg->title, sizeof(lg->title), "%s", mmt_col_text(row, C_TITLE));
	snprintf(lg->culprit, sizeof(lg->culprit), "%s", mmt_col_text(row, C_CULPRIT));
	snprintf(lg->lock, sizeof(lg->lock), "%s", mmt_col_text(row, C_DETAIL));
	mmt_finding_init(&f, "locks", "lockdep", "warning");
	snprintf(f.title, sizeof(f.title), "lockdep");
	g->finding = mmt_finding_add(st, &f, err);
	return g->finding < 0 ? -1 : 0;
}

/* The reporting task, the lock it was taking and the chain's locks. */
static int subjects(struct mmt_store *st, sqlite3_stmt *row, int64_t finding,
		    struct mmt_err *err)
{
	const char *comm = mmt_col_text(row, C_COMM), *lock = mmt_col_text(row, C_DETAIL);
	sqlite3_stmt *q;
	int rc;

	if ((comm[0] || !mmt_col_null(row, C_PID)) &&
	    mmt_finding_subject(st, finding, "task", sqlite3_column_int64(row, C_PID),
				!mmt_col_null(row, C_PID), comm, err) < 0)
		return -1;
	if (lock[0] && mmt_finding_subject(st, finding, "lock", 0, false, lock, err) < 0)
		return -1;
	q = mmt_store_stmt(st, sql_chain, err);
	if (!q)
		return -1;
	mmt_bind_int(q, 1, sqlite3_column_int64(row, C_ID));
	while ((rc = mmt_store_step(st, q, err)) > 0)
		if (mmt_finding_subject(st, finding, "lock", 0, false, mmt_col_text(q, 0), err) < 0) {
			rc = -1;
			break;
		}
	sqlite3_reset(q);
	return rc < 0 ? -1 : 0;
}

static int add(struct mmt_store *st, sqlite3_stmt *row, struct mmt_group *g,
	       struct mmt_err *err)
{
	struct lock_group *lg = g->ctx;
	int64_t report = sqlite3_column_int64(row, C_ID);

	lg->reclaim |= sqlite3_column_int(row, C_RECLAIM) > 0;
	if (mmt_finding_report(st, g->finding, report, err) < 0 ||
	    subjects(st, row, g->finding, err) < 0)
		return -1;
	if (g->count >= EVIDENCE_REPORTS)
		return 0;
	return mmt_finding_line(st, g->finding, g->evidence++,
				sqlite3_column_int64(row, C_SOURCE),
				sqlite3_column_int64(row, C_LINE), report, err);
}

static int end(struct mmt_store *st, sqlite3_stmt *row, struct mmt_group *g,
	       struct mmt_err *err)
{
	struct lock_group *lg = g->ctx;
	struct mmt_finding f;
	int rc;

	(void)row;
	mmt_finding_init(&f, "locks", lg->reclaim ? "reclaim_recursion" : "lockdep",
			 lg->reclaim ? "critical" : "warning");
	snprintf(f.title, sizeof(f.title), "%s%.160s%s%.60s", lg->reclaim ?
		 "reclaim recursion: " : "", lg->title,
		 lg->culprit[0] ? " in " : "", lg->culprit);
	mmt_sb_addf(&f.summary, "Lockdep reported \"%s\"", lg->title);
	if (g->count > 1)
		mmt_sb_addf(&f.summary, " %zu times", g->count);
	if (lg->lock[0])
		mmt_sb_addf(&f.summary, " for lock %s", lg->lock);
	if (lg->culprit[0])
		mmt_sb_addf(&f.summary, ", taken in %s", lg->culprit);
	mmt_sb_adds(&f.summary, ".");
	if (lg->reclaim)
		mmt_sb_adds(&f.summary, " The report goes through reclaim (fs_reclaim, or "
			    "RECLAIM_FS on older kernels): a lock is held "
			    "across an allocation that may enter filesystem reclaim, and "
			    "reclaim takes it too. Allocate with GFP_NOFS or inside "
			    "memalloc_nofs_save() while holding it.");
	f.t_start = g->t_first;
	f.t_end = g->t_last;
	f.has_t = g->has_t;
	f.score = (lg->reclaim ? 950 : 250) + (int)g->count;
	/* The kind is known once every report of the group was seen. */
	f.confidence = lg->reclaim ? 0.8 : -1;
	rc = mmt_finding_complete(st, g->finding, &f, err) < 0 ? -1 : 0;
	mmt_finding_free(&f);
	return rc;
}

static int run(struct mmt_store *st, struct mmt_err *err)
{
	struct lock_group lg;

	return mmt_group_rows(st, sql_lockdep, C_KEY, C_T, begin, add, end, &lg, err);
}

const struct mmt_analyzer mmt_analyzer_locks = {
	.name = "locks",
	.help = "lockdep reports, and lock recursion through reclaim (fs_reclaim)",
	.run = run,
};
