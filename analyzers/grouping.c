/*
 * Grouping report rows into findings without holding them in memory: the
 * query orders rows by a key, and a group ends where the key changes.
 */
#include "analyzers/analyzer.h"

#include <stdio.h>
#include <string.h>

static const char sql_complete[] =
	"UPDATE findings SET severity = ?, title = ?, summary = ?, t_start = ?, "
	"t_end = ?, score = ?, kind = ?, confidence = ? WHERE id = ?";

static void track_time(struct mmt_group *g, sqlite3_stmt *row, int t_col)
{
	double t, gap;

	if (t_col < 0 || mmt_col_null(row, t_col))
		return;
	t = sqlite3_column_double(row, t_col);
	if (g->has_t) {
		gap = t - g->t_last;
		if (g->count == 1 || gap < g->gap_min)
			g->gap_min = gap;
		if (g->count == 1 || gap > g->gap_max)
			g->gap_max = gap;
	} else {
		g->t_first = t;
	}
	g->t_last = t;
	g->has_t = true;
}

int mmt_group_rows(struct mmt_store *st, const char *sql, int key_col, int t_col,
		   mmt_group_fn begin, mmt_group_fn add, mmt_group_fn end, void *ctx,
		   struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql, err);
	struct mmt_group g;
	bool open = false;
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		const char *key = mmt_col_text(q, key_col);

		if (open && strcmp(key, g.first_key) != 0) {
			open = false;
			if (end(st, q, &g, err) < 0)
				break;
		}
		if (!open) {
			memset(&g, 0, sizeof(g));
			g.ctx = ctx;
			snprintf(g.first_key, sizeof(g.first_key), "%s", key);
			open = true;
			if (begin(st, q, &g, err) < 0)
				break;
		}
		track_time(&g, q, t_col);
		if (add(st, q, &g, err) < 0)
			break;
		g.count++;
	}
	if (rc > 0)
		rc = -1;
	if (open && rc == 0 && end(st, NULL, &g, err) < 0)
		rc = -1;
	sqlite3_finalize(q);
	return rc;
}

void mmt_group_cadence(const struct mmt_group *g, struct mmt_sb *sb)
{
	double every;

	if (g->count < 2 || !g->has_t)
		return;
	every = (g->t_last - g->t_first) / (double)(g->count - 1);
	mmt_sb_addf(sb, "about every %.1f s", every);
	if (g->gap_max - g->gap_min > 0.5)
		mmt_sb_addf(sb, " (%.1f to %.1f s apart)", g->gap_min, g->gap_max);
}

int mmt_finding_complete(struct mmt_store *st, int64_t id, const struct mmt_finding *f,
			 struct mmt_err *err)
{
	sqlite3_stmt *u = mmt_store_stmt(st, sql_complete, err);

	if (!u)
		return -1;
	mmt_bind_text(u, 1, f->severity);
	mmt_bind_text(u, 2, f->title);
	mmt_bind_text(u, 3, mmt_sb_str(&f->summary));
	mmt_bind_double_opt(u, 4, f->t_start, f->has_t);
	mmt_bind_double_opt(u, 5, f->t_end, f->has_t);
	mmt_bind_int(u, 6, f->score);
	mmt_bind_text(u, 7, f->kind);
	mmt_bind_double_opt(u, 8, f->confidence > 1 ? 1 : f->confidence, f->confidence >= 0);
	mmt_bind_int(u, 9, id);
	return mmt_store_run(st, u, err);
}
