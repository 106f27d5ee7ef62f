/*
 * Writeback stalls in traces: block requests issued to a device and not
 * completed. One pass over block_rq_issue, block_rq_complete and
 * block_rq_requeue in id order (a merge of rowid scans of their tables,
 * no sort) keeps per device the requests in flight and the last moment
 * it made progress (a completion, or the first issue to an idle device);
 * a device with requests in flight and no progress for
 * writeback.stall_secs is a window, recovered by the completion that ends
 * it, or still open at the end of the trace. Requests are matched by
 * their first sector when the events carry it: a request issued again
 * without a recorded requeue (a traced kernel does that, and a trace may
 * leave block_rq_requeue out) counts once, and a completion of a request
 * issued before the trace began takes nothing away. The set of sectors in
 * flight is emptied whenever the device drains, so it stays small.
 */
#include "analyzers/replay_state.h"
#include "analyzers/writeback.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RQ_ISSUE, RQ_COMPLETE, RQ_REQUEUE };

static const char *const rq_events[] = { "block_rq_issue", "block_rq_complete",
					 "block_rq_requeue" };

struct trace_src {
	int64_t id, last_ns;
	double offset;
	bool completes;		/* the trace recorded completions at all */
};

struct dev_state {
	int64_t source, inflight, at_progress, peak, oldest_event;
	double progress;		/* last completion, or the first issue when idle */
	struct mmt_rmap pending;	/* first sector -> 1 while in flight */
	char name[40];
};

struct block_pass {
	struct trace_src *src;
	size_t nsrc;
	struct dev_state *dev;
	size_t ndev, devcap;
	double stall;
};

/* The UNION ALL of the tables that exist; "" when none does. */
static void build_query(struct mmt_store *st, struct mmt_sb *sql)
{
	for (int k = RQ_ISSUE; k <= RQ_REQUEUE; k++) {
		const char *col;
		char tbl[128];

		if (!mmt_event_table(st, "block", rq_events[k], tbl, sizeof(tbl)))
			continue;
		col = mmt_has_columns(st, tbl, "dev") ? "dev" :
		      mmt_has_columns(st, tbl, "info") ? "info" : NULL;
		if (!col)
			continue;
		mmt_sb_addf(sql, "%sSELECT id, common_source, common_ts_ns, %d, \"%s\", %s "
			    "FROM \"%s\"", mmt_sb_str(sql)[0] ? " UNION ALL " : "", k, col,
			    mmt_has_columns(st, tbl, "sector") ? "sector" : "NULL", tbl);
	}
	if (mmt_sb_str(sql)[0])
		mmt_sb_adds(sql, " ORDER BY 1");
}

static int load_sources(struct mmt_store *st, struct block_pass *bp, struct mmt_err *err)
{
	struct mmt_replay_source *srcs;
	size_t n;

	if (mmt_replay_sources(st, 0, &srcs, &n, err) < 0)
		return -1;
	bp->src = xcalloc(n ? n : 1, sizeof(*bp->src));
	for (size_t i = 0; i < n; i++) {
		bp->src[i].id = srcs[i].id;
		bp->src[i].offset = srcs[i].t_offset;
		bp->src[i].last_ns = srcs[i].last_ns;
	}
	bp->nsrc = n;
	free(srcs);
	return 0;
}

static struct trace_src *source_of(struct block_pass *bp, int64_t source)
{
	static struct trace_src none;

	for (size_t i = 0; i < bp->nsrc; i++)
		if (bp->src[i].id == source)
			return &bp->src[i];
	memset(&none, 0, sizeof(none));
	return &none;
}

/* The device of a row: dev_t as a number, "7,1" as text, or a text trace's info. */
static void row_device(sqlite3_stmt *q, char *out, size_t n)
{
	if (sqlite3_column_type(q, 4) == SQLITE_INTEGER) {
		int64_t dev = sqlite3_column_int64(q, 4);

		wb_device_name((unsigned)(dev >> 20), (unsigned)(dev & 0xfffff), out, n);
		return;
	}
	wb_device_text(mmt_col_text(q, 4), out, n);
}

static struct dev_state *device(struct block_pass *bp, int64_t source, const char *name)
{
	struct dev_state *d;

	for (size_t i = 0; i < bp->ndev; i++)
		if (bp->dev[i].source == source && !strcmp(bp->dev[i].name, name))
			return &bp->dev[i];
	xgrow((void **)&bp->dev, &bp->devcap, bp->ndev + 1, sizeof(*d));
	d = &bp->dev[bp->ndev++];
	memset(d, 0, sizeof(*d));
	d->source = source;
	snprintf(d->name, sizeof(d->name), "%s", name);
	return d;
}

static void add_window(struct wb_windows *out, const struct dev_state *d, double end,
		       bool recovered, int64_t event)
{
	struct wb_window *w = wb_window_new(out, WB_BLOCK);

	w->source_id = d->source;
	w->t_start = d->progress;
	w->t_end = w->t_peak = end;
	w->recovered = recovered;
	w->t_recovered = end;
	snprintf(w->device, sizeof(w->device), "%s", d->name);
	w->at_start = d->at_progress;
	w->at_end = d->inflight;
	w->at_recovery = recovered ? d->inflight - 1 : d->inflight;
	w->peak = d->peak;
	w->dirty_start = w->dirty_end = w->drained = -1;
	w->event_first = d->oldest_event;
	w->event_last = recovered ? event : 0;
}

/*
 * Marks the row's request in flight (1) or done (0); false when that
 * changes nothing: an issue of a request already in flight, a completion
 * of one never seen issued. Rows without a sector always count.
 */
static bool track(struct dev_state *d, sqlite3_stmt *q, int64_t state)
{
	int64_t sector = sqlite3_column_int64(q, 5), was = 0;

	if (sqlite3_column_type(q, 5) != SQLITE_INTEGER)
		return true;
	mmt_rmap_get(&d->pending, sector, &was);
	if (was == state)
		return false;
	mmt_rmap_put(&d->pending, sector, state);
	return true;
}

static void on_row(struct block_pass *bp, sqlite3_stmt *q, struct wb_windows *out)
{
	int64_t id = sqlite3_column_int64(q, 0), source = sqlite3_column_int64(q, 1);
	struct trace_src *src = source_of(bp, source);
	double ts = (double)sqlite3_column_int64(q, 2) / 1e9 + src->offset;
	int kind = sqlite3_column_int(q, 3);
	struct dev_state *d;
	char name[40];

	row_device(q, name, sizeof(name));
	if (!name[0])
		return;
	d = device(bp, source, name);
	if (kind == RQ_ISSUE) {
		if (!track(d, q, 1))
			return;
		if (d->inflight == 0) {
			d->progress = ts;
			d->at_progress = 0;
			d->oldest_event = id;
		}
		if (++d->inflight > d->peak)
			d->peak = d->inflight;
		return;
	}
	src->completes = true;
	if (d->inflight > 0 && ts - d->progress >= bp->stall)
		add_window(out, d, ts, true, id);
	d->progress = ts;
	if (d->inflight > 0 && track(d, q, 0))
		d->inflight--;
	if (d->inflight == 0)
		mmt_rmap_free(&d->pending);
	d->at_progress = d->peak = d->inflight;
	d->oldest_event = 0;
}

static void trace_end(struct block_pass *bp, struct wb_windows *out)
{
	for (size_t i = 0; i < bp->ndev; i++) {
		struct dev_state *d = &bp->dev[i];

		for (size_t s = 0; s < bp->nsrc; s++) {
			double end = (double)bp->src[s].last_ns / 1e9 + bp->src[s].offset;

			/* a trace of issues alone cannot tell a stall */
			if (bp->src[s].id == d->source && bp->src[s].completes &&
			    d->inflight > 0 && end - d->progress >= bp->stall)
				add_window(out, d, end, false, 0);
		}
	}
}

int wb_find_block(struct mmt_store *st, struct wb_windows *out, struct mmt_err *err)
{
	struct block_pass bp = { .stall = mmt_threshold("writeback.stall_secs") };
	struct mmt_sb sql = { 0 };
	sqlite3_stmt *q = NULL;
	int rc = 0;

	build_query(st, &sql);
	if (!mmt_sb_str(&sql)[0])
		goto done;
	rc = load_sources(st, &bp, err);
	q = rc < 0 ? NULL : mmt_store_prepare(st, mmt_sb_str(&sql), err);
	if (!q) {
		rc = -1;
		goto done;
	}
	while ((rc = mmt_store_step(st, q, err)) > 0)
		on_row(&bp, q, out);
	if (rc == 0)
		trace_end(&bp, out);
done:
	sqlite3_finalize(q);
	mmt_sb_free(&sql);
	free(bp.src);
	for (size_t i = 0; i < bp.ndev; i++)
		mmt_rmap_free(&bp.dev[i].pending);
	free(bp.dev);
	return rc < 0 ? -1 : 0;
}
