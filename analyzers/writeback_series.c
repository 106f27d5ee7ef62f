/*
 * Writeback stalls in snapshot series. /proc/vmstat says it best: pages
 * under writeback (nr_writeback) and pages whose writeback completed
 * (nr_written, a counter); a stall is nr_writeback held above the floor
 * while nr_written grows by less than writeback.drain_pct of it per
 * second. /proc/meminfo alone has only the level (Writeback): a stall is
 * a level above the floor that never falls writeback.flat_pct below its
 * highest point, which a drained backlog always does. Meminfo windows are
 * dropped where a vmstat series covers the same time, since a steady
 * stream of I/O also holds the level. A series of one sample says only
 * that much was under writeback at one moment.
 */
#include "analyzers/writeback.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_KB 4	/* vmstat counts pages; 4 KiB on the machines we see */

static const char sql_series[] =
	"SELECT s.series, s.source_id, s.ts, "
	"max(CASE WHEN k.name IN ('nr_writeback', 'Writeback') THEN v.value END), "
	"max(CASE WHEN k.name IN ('nr_dirty', 'Dirty') THEN v.value END), "
	"max(CASE WHEN k.name = 'nr_written' THEN v.value END) "
	"FROM snapshots s JOIN state_values v ON v.snapshot_id = s.id "
	"JOIN state_keys k ON k.id = v.key_id "
	"WHERE s.kind = ?1 AND k.name IN ('nr_writeback', 'Writeback', 'nr_dirty', 'Dirty', "
	"'nr_written') GROUP BY s.id ORDER BY s.series, s.ts, s.seq";

struct sample {
	bool has_ts, has_wb, has_dirty, has_written;
	double ts;
	int64_t source, wb_kb, dirty_kb, written;
};

/* A series being read: its previous sample and the run of stalled samples. */
struct series {
	char name[512];
	size_t samples;
	struct sample prev, first;
	bool open;
	struct wb_window run;
	int64_t written_at_start;
	bool vmstat;
};

struct span {
	double from, to;
};

struct spans {
	struct span *v;
	size_t n, cap;
};

static void read_sample(sqlite3_stmt *q, bool vmstat, struct sample *s)
{
	int scale = vmstat ? PAGE_KB : 1;

	memset(s, 0, sizeof(*s));
	s->source = sqlite3_column_int64(q, 1);
	s->has_ts = !mmt_col_null(q, 2);
	s->ts = sqlite3_column_double(q, 2);
	s->has_wb = !mmt_col_null(q, 3);
	s->wb_kb = sqlite3_column_int64(q, 3) * scale;
	s->has_dirty = !mmt_col_null(q, 4);
	s->dirty_kb = sqlite3_column_int64(q, 4) * scale;
	s->has_written = !mmt_col_null(q, 5);
	s->written = sqlite3_column_int64(q, 5);
}

/* Whether the interval from p to s drained nothing worth the name. */
static bool stalled(const struct series *sr, const struct sample *p, const struct sample *s)
{
	double min_kb = mmt_threshold("writeback.min_kb"), dt = s->ts - p->ts;

	if (!s->has_wb || !p->has_wb || !s->has_ts || !p->has_ts || dt <= 0 ||
	    s->wb_kb < min_kb)
		return false;
	if (sr->vmstat) {
		double rate, pending = (double)p->wb_kb / PAGE_KB;

		if (!s->has_written || !p->has_written || s->written < p->written)
			return false;
		rate = (double)(s->written - p->written) / dt;
		return rate < mmt_threshold("writeback.drain_pct") / 100 * pending;
	}
	{
		int64_t top = sr->open ? sr->run.peak : p->wb_kb;

		if (s->wb_kb > top)
			top = s->wb_kb;
		return s->wb_kb >= (1 - mmt_threshold("writeback.flat_pct") / 100) * (double)top;
	}
}

static void open_run(struct series *sr, const struct sample *p, const struct sample *s)
{
	const struct sample *from = p->wb_kb >= mmt_threshold("writeback.min_kb") ? p : s;
	struct wb_window *w = &sr->run;

	memset(w, 0, sizeof(*w));
	w->origin = sr->vmstat ? WB_VMSTAT : WB_MEMINFO;
	w->source_id = from->source;
	w->t_start = w->t_peak = from->ts;
	w->at_start = w->peak = from->wb_kb;
	w->dirty_start = from->has_dirty ? from->dirty_kb : -1;
	w->drained = -1;
	sr->written_at_start = from->written;
	sr->open = true;
}

static void extend_run(struct series *sr, const struct sample *s)
{
	struct wb_window *w = &sr->run;

	w->t_end = s->ts;
	w->at_end = s->wb_kb;
	w->dirty_end = s->has_dirty ? s->dirty_kb : -1;
	if (s->wb_kb > w->peak) {
		w->peak = s->wb_kb;
		w->t_peak = s->ts;
	}
	if (sr->vmstat && s->has_written)
		w->drained = s->written - sr->written_at_start;
}

static void close_run(struct series *sr, const struct sample *next, struct wb_windows *out)
{
	struct wb_window *w = &sr->run;

	sr->open = false;
	if (w->t_end - w->t_start < mmt_threshold("writeback.stall_secs"))
		return;
	if (next) {
		w->recovered = true;
		w->t_recovered = next->ts;
		w->at_recovery = next->wb_kb;
	}
	*wb_window_new(out, w->origin) = *w;
}

static void series_end(struct series *sr, struct wb_windows *out, struct spans *cover)
{
	if (sr->open)
		close_run(sr, NULL, out);
	if (sr->samples == 1 && sr->first.has_wb &&
	    sr->first.wb_kb >= mmt_threshold("writeback.min_kb")) {
		struct wb_window *w = wb_window_new(out, WB_SINGLE);

		w->source_id = sr->first.source;
		w->t_start = w->t_end = w->t_peak = sr->first.has_ts ? sr->first.ts : 0;
		w->at_start = w->at_end = w->peak = sr->first.wb_kb;
		w->dirty_start = w->dirty_end = sr->first.has_dirty ? sr->first.dirty_kb : -1;
		w->drained = -1;
	}
	if (cover && sr->samples > 1 && sr->first.has_ts && sr->prev.has_ts) {
		struct span *c;

		xgrow((void **)&cover->v, &cover->cap, cover->n + 1, sizeof(*c));
		c = &cover->v[cover->n++];
		c->from = sr->first.ts;
		c->to = sr->prev.ts;
	}
}

static void add_sample(struct series *sr, const struct sample *s, struct wb_windows *out)
{
	if (sr->samples++ == 0) {
		sr->first = sr->prev = *s;
		return;
	}
	if (stalled(sr, &sr->prev, s)) {
		if (!sr->open)
			open_run(sr, &sr->prev, s);
		extend_run(sr, s);
	} else if (sr->open && s->has_ts) {
		close_run(sr, s, out);
	}
	if (s->has_ts)
		sr->prev = *s;
}

static int scan_kind(struct mmt_store *st, const char *kind, struct wb_windows *out,
		     struct spans *cover, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_series, err);
	struct series sr;
	bool any = false;
	int rc;

	if (!q)
		return -1;
	mmt_bind_text(q, 1, kind);
	memset(&sr, 0, sizeof(sr));
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct sample s;

		if (any && strcmp(sr.name, mmt_col_text(q, 0))) {
			series_end(&sr, out, cover);
			memset(&sr, 0, sizeof(sr));
		}
		any = true;
		snprintf(sr.name, sizeof(sr.name), "%s", mmt_col_text(q, 0));
		sr.vmstat = !strcmp(kind, "vmstat");
		read_sample(q, sr.vmstat, &s);
		add_sample(&sr, &s, out);
	}
	if (rc == 0 && any)
		series_end(&sr, out, cover);
	return rc;
}

static bool covered(const struct spans *cover, const struct wb_window *w)
{
	for (size_t i = 0; i < cover->n; i++)
		if (cover->v[i].from <= w->t_start && cover->v[i].to >= w->t_end)
			return true;
	return false;
}

int wb_find_series(struct mmt_store *st, struct wb_windows *out, struct mmt_err *err)
{
	struct spans cover = { 0 };
	size_t from = out->n, keep;
	int rc = scan_kind(st, "vmstat", out, &cover, err);

	if (rc < 0)
		goto done;
	/* vmstat's lone snapshots repeat meminfo's: keep its series windows only. */
	for (size_t i = keep = from; i < out->n; i++)
		if (out->v[i].origin != WB_SINGLE)
			out->v[keep++] = out->v[i];
	out->n = keep;
	from = out->n;
	rc = scan_kind(st, "meminfo", out, NULL, err);
	for (size_t i = keep = from; rc == 0 && i < out->n; i++)
		if (out->v[i].origin != WB_MEMINFO || !covered(&cover, &out->v[i]))
			out->v[keep++] = out->v[i];
	if (rc == 0)
		out->n = keep;
done:
	free(cover.v);
	return rc;
}
