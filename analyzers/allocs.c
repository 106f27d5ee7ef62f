/*
 * Memory allocation reports: failures and stalls of the page allocator,
 * filesystems retrying allocations they may not fail ("possible memory
 * allocation deadlock"), and OOM kills. Repeats are grouped, with their
 * count, cadence and the GFP context the mask implies (decoded with the
 * kernel release the log shows when the mask was printed bare).
 */
#include "analyzers/analyzer.h"
#include "core/gfp.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVIDENCE_REPORTS 6

static const char sql_allocs[] =
	"SELECT id, kind, source_id, line_start, " MMT_REPORT_TS("") ", ifnull(comm, ''), gfp_mask, "
	"gfp_names, alloc_order, kernel, ifnull(culprit, ''), ifnull(detail, ''), "
	"kind || '|' || ifnull(culprit, '') || '|' || ifnull(detail, '') "
	"FROM reports WHERE kind IN ('alloc_failure', 'alloc_stall', 'fs_alloc_retry') "
	"ORDER BY kind, ifnull(culprit, ''), ifnull(detail, ''), t, id";

static const char sql_ooms[] =
	"SELECT r.id, r.kind, r.source_id, r.line_start, " MMT_REPORT_TS("r.") ", ifnull(r.comm, ''), "
	"r.gfp_mask, r.gfp_names, r.alloc_order, r.kernel, ifnull(r.culprit, ''), "
	"ifnull(o.memcg, ''), ifnull(o.memcg, '') || '|' || ifnull(o.constraint_kind, ''), "
	"o.pid, ifnull(o.comm, ''), o.anon_rss_kb, o.line, ifnull(o.constraint_kind, '') "
	"FROM reports r LEFT JOIN oom_kills o ON o.report_id = r.id "
	"WHERE r.kind = 'oom_kill' ORDER BY 13, r.t, r.id";

enum { C_ID, C_KIND, C_SOURCE, C_LINE, C_T, C_COMM, C_MASK, C_NAMES, C_ORDER,
       C_KERNEL, C_CULPRIT, C_DETAIL, C_KEY };

/* Facts of a group's first report, kept for its title and summary. */
struct alloc_group {
	char kind[24], comm[64], culprit[160], mask[24], names[256];
	char context[16], flags[512], victims[512], memcg[128], constraint[32];
	int order;
	bool has_order, has_mask;
	size_t victims_named;
	int64_t anon_kb;
};

static void decode_gfp(sqlite3_stmt *row, struct alloc_group *a)
{
	struct mmt_gfp_decoded d;
	uint64_t mask;

	a->has_mask = !mmt_col_null(row, C_MASK);
	if (!a->has_mask)
		return;
	snprintf(a->mask, sizeof(a->mask), "%s", mmt_col_text(row, C_MASK));
	mask = strtoull(a->mask, NULL, 16);
	if (!mmt_col_null(row, C_NAMES)) {
		snprintf(a->names, sizeof(a->names), "%s", mmt_col_text(row, C_NAMES));
		mmt_gfp_from_names(mask, a->names, &d);
	} else {
		mmt_gfp_decode(mask, mmt_col_null(row, C_KERNEL) ? NULL :
			       mmt_col_text(row, C_KERNEL), &d);
	}
	snprintf(a->flags, sizeof(a->flags), "%s", d.known ? d.flags : "");
	snprintf(a->context, sizeof(a->context), "%s",
		 mmt_gfp_context_name(d.context) ? mmt_gfp_context_name(d.context) : "");
}

static int begin(struct mmt_store *st, sqlite3_stmt *row, struct mmt_group *g,
		 struct mmt_err *err)
{
	struct alloc_group *a = g->ctx;
	struct mmt_finding f;

	memset(a, 0, sizeof(*a));
	snprintf(a->kind, sizeof(a->kind), "%s", mmt_col_text(row, C_KIND));
	snprintf(a->comm, sizeof(a->comm), "%s", mmt_col_text(row, C_COMM));
	snprintf(a->culprit, sizeof(a->culprit), "%s", mmt_col_text(row, C_CULPRIT));
	a->has_order = !mmt_col_null(row, C_ORDER);
	a->order = sqlite3_column_int(row, C_ORDER);
	decode_gfp(row, a);
	mmt_finding_init(&f, "allocs", a->kind, "warning");
	snprintf(f.title, sizeof(f.title), "%s", a->kind);
	g->finding = mmt_finding_add(st, &f, err);
	return g->finding < 0 ? -1 : 0;
}

static int add(struct mmt_store *st, sqlite3_stmt *row, struct mmt_group *g,
	       struct mmt_err *err)
{
	int64_t report = sqlite3_column_int64(row, C_ID);

	if (mmt_finding_report(st, g->finding, report, err) < 0)
		return -1;
	if (g->count >= EVIDENCE_REPORTS)
		return 0;
	return mmt_finding_line(st, g->finding, g->evidence++,
				sqlite3_column_int64(row, C_SOURCE),
				sqlite3_column_int64(row, C_LINE), report, err);
}

static void describe_gfp(const struct alloc_group *a, struct mmt_sb *sb)
{
	if (!a->has_mask)
		return;
	mmt_sb_addf(sb, " with mode %s", a->mask);
	if (a->names[0] || a->flags[0])
		mmt_sb_addf(sb, " (%s)", a->names[0] ? a->names : a->flags);
	if (a->context[0])
		mmt_sb_addf(sb, ", a%s %s context", a->context[0] == 'a' ? "n" : "", a->context);
	else
		mmt_sb_adds(sb, ", whose flags this kernel release does not tell");
}

/* What a repeated failure in this context means for a hang. */
static void implication(const struct alloc_group *a, size_t count, struct mmt_sb *sb)
{
	bool atomic = !strcmp(a->context, "atomic") || !strcmp(a->context, "nowait");

	if (!strcmp(a->kind, "fs_alloc_retry"))
		mmt_sb_adds(sb, " The filesystem retries an allocation it may not fail. "
			    "Where reclaim may not call into filesystems (NOFS) and most "
			    "memory sits in filesystem caches, such a loop never ends: a "
			    "reclaim livelock.");
	else if (atomic && count >= 3)
		mmt_sb_adds(sb, " An atomic allocation cannot reclaim; failing again and "
			    "again means the reserves it draws on stay empty. If it is on "
			    "the I/O completion path, writeback stalls behind it.");
	else if (!strcmp(a->kind, "alloc_stall"))
		mmt_sb_adds(sb, " The allocator has been looping in reclaim for this "
			    "long without satisfying the request.");
}

static int end(struct mmt_store *st, sqlite3_stmt *row, struct mmt_group *g,
	       struct mmt_err *err)
{
	struct alloc_group *a = g->ctx;
	struct mmt_finding f;
	const char *what = !strcmp(a->kind, "alloc_stall") ? "page allocation stall" :
			   !strcmp(a->kind, "fs_alloc_retry") ? "possible memory allocation deadlock" :
			   "page allocation failure";
	int rc;

	(void)row;
	mmt_finding_init(&f, "allocs", a->kind, g->count >= 3 ? "critical" : "warning");
	snprintf(f.title, sizeof(f.title), "%zu %s%s%s%s%s%s%s", g->count, what,
		 g->count > 1 ? "s" : "", a->culprit[0] ? " in " : "", a->culprit,
		 a->context[0] ? " (" : "", a->context, a->context[0] ? ")" : "");
	mmt_sb_addf(&f.summary, "%zu report%s of %s", g->count, g->count > 1 ? "s" : "", what);
	if (a->has_order)
		mmt_sb_addf(&f.summary, " of order %d", a->order);
	describe_gfp(a, &f.summary);
	if (a->comm[0])
		mmt_sb_addf(&f.summary, "; the first by %s", a->comm);
	if (a->culprit[0])
		mmt_sb_addf(&f.summary, ", allocating in %s", a->culprit);
	if (g->count > 1 && g->has_t) {
		mmt_sb_adds(&f.summary, ", repeated ");
		mmt_group_cadence(g, &f.summary);
	}
	mmt_sb_adds(&f.summary, ".");
	implication(a, g->count, &f.summary);
	f.t_start = g->t_first;
	f.t_end = g->t_last;
	f.has_t = g->has_t;
	f.score = (int)(g->count >= 3 ? 800 : 300) + (int)g->count;
	rc = mmt_finding_complete(st, g->finding, &f, err);
	mmt_finding_free(&f);
	return rc;
}

/* OOM kills: the victims named in the group's summary. */
static int add_oom(struct mmt_store *st, sqlite3_stmt *row, struct mmt_group *g,
		   struct mmt_err *err)
{
	struct alloc_group *a = g->ctx;

	if (g->count == 0) {
		snprintf(a->memcg, sizeof(a->memcg), "%s", mmt_col_text(row, 11));
		snprintf(a->constraint, sizeof(a->constraint), "%s", mmt_col_text(row, 17));
	}
	if (add(st, row, g, err) < 0)
		return -1;
	if (!mmt_col_null(row, 13)) {
		if (a->victims_named < 5)
			snprintf(a->victims + strlen(a->victims),
				 sizeof(a->victims) - strlen(a->victims), "%s%s:%lld",
				 a->victims_named ? ", " : "", mmt_col_text(row, 14),
				 (long long)sqlite3_column_int64(row, 13));
		a->victims_named++;
		a->anon_kb += sqlite3_column_int64(row, 15);
		if (mmt_finding_subject(st, g->finding, "task", sqlite3_column_int64(row, 13),
					true, mmt_col_text(row, 14), err) < 0)
			return -1;
		if (g->count < EVIDENCE_REPORTS &&
		    mmt_finding_line(st, g->finding, g->evidence++,
				     sqlite3_column_int64(row, C_SOURCE),
				     sqlite3_column_int64(row, 16),
				     sqlite3_column_int64(row, C_ID), err) < 0)
			return -1;
	}
	return 0;
}

static int end_oom(struct mmt_store *st, sqlite3_stmt *row, struct mmt_group *g,
		   struct mmt_err *err)
{
	struct alloc_group *a = g->ctx;
	struct mmt_finding f;
	int rc;

	(void)row;
	mmt_finding_init(&f, "allocs", "oom_kill", g->count >= 3 ? "critical" : "warning");
	snprintf(f.title, sizeof(f.title), "%zu OOM kill%s%s%s", g->count,
		 g->count > 1 ? "s" : "", a->memcg[0] ? " in memory cgroup " : "",
		 a->memcg);
	mmt_sb_addf(&f.summary, "The OOM killer ran %zu time%s", g->count,
		    g->count > 1 ? "s" : "");
	if (a->memcg[0] || !strcmp(a->constraint, "CONSTRAINT_MEMCG"))
		mmt_sb_addf(&f.summary, " because memory cgroup %s reached its limit",
			    a->memcg[0] ? a->memcg : "(unnamed)");
	if (a->comm[0])
		mmt_sb_addf(&f.summary, "; first invoked by %s", a->comm);
	if (a->culprit[0])
		mmt_sb_addf(&f.summary, " allocating in %s", a->culprit);
	describe_gfp(a, &f.summary);
	mmt_sb_adds(&f.summary, ".");
	if (a->victims_named)
		mmt_sb_addf(&f.summary, " Killed: %s%s (%lld MB of anonymous memory in all).",
			    a->victims, a->victims_named > 5 ? " and more" : "",
			    (long long)(a->anon_kb / 1024));
	f.t_start = g->t_first;
	f.t_end = g->t_last;
	f.has_t = g->has_t;
	f.score = 600 + (int)g->count;
	rc = mmt_finding_complete(st, g->finding, &f, err);
	mmt_finding_free(&f);
	return rc;
}

static int run(struct mmt_store *st, struct mmt_err *err)
{
	struct alloc_group a;

	if (mmt_group_rows(st, sql_allocs, C_KEY, C_T, begin, add, end, &a, err) < 0)
		return -1;
	return mmt_group_rows(st, sql_ooms, 12, C_T, begin, add_oom, end_oom, &a, err);
}

const struct mmt_analyzer mmt_analyzer_allocs = {
	.name = "allocs",
	.help = "allocation failures and stalls, filesystem allocation retries, OOM kills",
	.run = run,
};
