/*
 * The time series of a report (series.h): the shared time axis, the report
 * marks and finding windows, and the bucket arithmetic the chart loaders
 * of series_snap.c and series_trace.c share. Every value is aggregated per
 * bucket by SQLite (or, for levels, by one pass over the few event types
 * that change them), so that the work and the result grow with the number
 * of buckets, not with the capture.
 */
#include "cmd/render/series_int.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Times under this are seconds since boot, over it Unix seconds. */
#define WALL_MIN 1e8
/* Marks and windows this far (a share of the data's span) outside it widen the axis. */
#define NEAR 0.1

/* The reports worth a mark: the ones that say a task or the machine hung or died. */
static const char sql_marks[] =
	"SELECT r.t + ifnull(s.t_offset, 0), r.kind, ifnull(r.comm, ''), r.pid "
	"FROM reports r JOIN sources s ON s.id = r.source_id "
	"WHERE r.t IS NOT NULL AND r.kind IN ('hung_task', 'alloc_failure', 'oom_kill', "
	"'soft_lockup', 'hard_lockup', 'rcu_stall', 'lockdep', 'panic', 'fs_alloc_retry') "
	"ORDER BY 1, r.id";
/* The snapshots the charts read, per source: their clocks may differ. */
static const char sql_snap_span[] =
	"SELECT min(ts), max(ts) FROM snapshots WHERE ts IS NOT NULL AND kind IN "
	"('meminfo', 'free', 'crash_kmem_i', 'vmstat', 'psi', 'interrupts') "
	"GROUP BY source_id";
static const char sql_trace_span[] =
	"SELECT t.first_ns / 1e9 + ifnull(s.t_offset, 0), t.last_ns / 1e9 + ifnull(s.t_offset, 0) "
	"FROM trace_sources t JOIN sources s ON s.id = t.source_id "
	"WHERE t.first_ns IS NOT NULL AND t.last_ns IS NOT NULL";
static const char sql_has[] =
	"SELECT 1 FROM sqlite_master WHERE name = ? AND type IN ('table', 'view')";

bool sr_has(struct sr_load *l, const char *name)
{
	sqlite3_stmt *s = mmt_store_stmt(l->st, sql_has, l->err);

	if (!s)
		return false;
	mmt_bind_text(s, 1, name);
	return mmt_store_step(l->st, s, l->err) > 0;
}

struct rm_chart *sr_find(struct rm_charts *c, const char *id)
{
	for (size_t i = 0; i < c->ncharts; i++)
		if (!strcmp(c->charts[i].id, id))
			return &c->charts[i];
	return NULL;
}

struct rm_chart *sr_chart(struct sr_load *l, const struct sr_spec *spec)
{
	struct rm_charts *c = l->c;
	struct rm_chart *ch = sr_find(c, spec->id);

	if (ch)
		return ch;
	c->charts = xrealloc(c->charts, (c->ncharts + 1) * sizeof(*c->charts));
	ch = &c->charts[c->ncharts++];
	memset(ch, 0, sizeof(*ch));
	ch->id = xstrdup(spec->id);
	ch->title = xstrdup(spec->title);
	ch->unit = xstrdup(spec->unit);
	ch->source = xstrdup(spec->source);
	ch->style = spec->style;
	return ch;
}

static void series_init(struct rm_series *s, const char *name, size_t n)
{
	s->name = xstrdup(name);
	s->lo = xcalloc(n, sizeof(*s->lo));
	s->hi = xcalloc(n, sizeof(*s->hi));
	s->has = xcalloc(n, sizeof(*s->has));
	s->n = n;
}

struct rm_series *sr_series(struct sr_load *l, struct rm_chart *ch, const char *name)
{
	for (size_t i = 0; i < ch->nseries; i++)
		if (!strcmp(ch->series[i].name, name))
			return &ch->series[i];
	ch->series = xrealloc(ch->series, (ch->nseries + 1) * sizeof(*ch->series));
	series_init(&ch->series[ch->nseries], name, l->c->buckets);
	return &ch->series[ch->nseries++];
}

struct rm_series *sr_total(struct sr_load *l, struct rm_chart *ch)
{
	if (!ch->total) {
		ch->total = xcalloc(1, sizeof(*ch->total));
		series_init(ch->total, "total", l->c->buckets);
	}
	return ch->total;
}

void sr_put(struct rm_series *s, size_t b, double lo, double hi)
{
	if (b >= s->n || !isfinite(lo) || !isfinite(hi))
		return;
	if (!s->has[b]) {
		s->lo[b] = lo;
		s->hi[b] = hi;
		s->has[b] = true;
		return;
	}
	if (lo < s->lo[b])
		s->lo[b] = lo;
	if (hi > s->hi[b])
		s->hi[b] = hi;
}

long sr_bucket(const struct rm_charts *c, double t)
{
	long b;

	if (!c->buckets || t < c->t0 || t > c->t1)
		return -1;
	b = (long)((t - c->t0) / c->step);
	return b >= (long)c->buckets ? (long)c->buckets - 1 : b;
}

/*
 * The aggregate over the loader's inner query. The bucket is computed the
 * same way as sr_bucket, so that SQL and C place a time alike.
 */
int sr_query(struct sr_load *l, const struct sr_spec *spec, const char *inner, bool total)
{
	struct rm_charts *c = l->c;
	char *sql = sqlite3_mprintf(
		"SELECT k, name, min(CAST((ts - ?1) / ?2 AS INTEGER), ?4 - 1) AS b, min(v), max(v) "
		"FROM (%s) WHERE ts >= ?1 AND ts <= ?3 AND v IS NOT NULL "
		"GROUP BY k, name, b ORDER BY k, name, b", inner);
	sqlite3_stmt *s = sql ? mmt_store_prepare(l->st, sql, l->err) : NULL;
	struct rm_chart *ch = total ? sr_find(c, spec->id) : NULL;
	struct rm_series *se = ch ? sr_total(l, ch) : NULL;
	int rc;

	sqlite3_free(sql);
	if (!s)
		return -1;
	if (total && !ch) {
		sqlite3_finalize(s);
		return 0;
	}
	sqlite3_bind_double(s, 1, c->t0);
	sqlite3_bind_double(s, 2, c->step);
	sqlite3_bind_double(s, 3, c->t1);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)c->buckets);
	while ((rc = mmt_store_step(l->st, s, l->err)) > 0) {
		const char *name = mmt_col_text(s, 1);

		if (!ch)
			ch = sr_chart(l, spec);
		if (!se || (!total && strcmp(se->name, name) != 0))
			se = sr_series(l, ch, name);
		sr_put(se, (size_t)sqlite3_column_int64(s, 2), sqlite3_column_double(s, 3),
		       sqlite3_column_double(s, 4));
	}
	sqlite3_finalize(s);
	return rc;
}

/* A level holds from its last change until the next: every bucket between gets it. */
static void level_span(struct sr_level *lv, double t)
{
	long a = sr_bucket(lv->c, lv->t < lv->c->t0 ? lv->c->t0 : lv->t);
	long b = sr_bucket(lv->c, t > lv->c->t1 ? lv->c->t1 : t);

	if (a < 0 || b < 0)
		return;
	for (long i = a; i <= b; i++)
		sr_put(lv->s, (size_t)i, lv->v, lv->v);
}

void sr_level_set(struct sr_level *lv, double t, double v)
{
	if (lv->started)
		level_span(lv, t);
	lv->t = t;
	lv->v = v;
	lv->started = true;
	level_span(lv, t);
}

void sr_level_end(struct sr_level *lv, double t)
{
	if (lv->started && t >= lv->t)
		level_span(lv, t);
	lv->started = false;
}

/* Spans of time, per clock: [0] seconds since boot, [1] Unix seconds. */
struct spans {
	double lo[2], hi[2];
	bool any[2];
};

static void span_add(struct spans *sp, double a, double b)
{
	int w = a >= WALL_MIN;

	if (b < a)
		b = a;
	if (!sp->any[w] || a < sp->lo[w])
		sp->lo[w] = a;
	if (!sp->any[w] || b > sp->hi[w])
		sp->hi[w] = b;
	sp->any[w] = true;
}

static int span_query(struct sr_load *l, const char *sql, struct spans *sp)
{
	sqlite3_stmt *s = mmt_store_stmt(l->st, sql, l->err);
	int rc;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(l->st, s, l->err)) > 0)
		if (!mmt_col_null(s, 0))
			span_add(sp, sqlite3_column_double(s, 0), sqlite3_column_double(s, 1));
	return rc;
}

static int load_marks(struct sr_load *l)
{
	sqlite3_stmt *s = mmt_store_stmt(l->st, sql_marks, l->err);
	struct rm_charts *c = l->c;
	size_t cap = 0;
	int rc;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(l->st, s, l->err)) > 0) {
		struct rm_mark *mk;
		const char *comm = mmt_col_text(s, 2);
		char *label;

		if (mmt_col_null(s, 3))
			label = *comm ? sqlite3_mprintf("%s %s", mmt_col_text(s, 1), comm)
				      : sqlite3_mprintf("%s", mmt_col_text(s, 1));
		else
			label = sqlite3_mprintf("%s %s:%lld", mmt_col_text(s, 1), comm,
						(long long)sqlite3_column_int64(s, 3));
		xgrow((void **)&c->marks, &cap, c->nmarks + 1, sizeof(*mk));
		mk = &c->marks[c->nmarks++];
		mk->t = sqlite3_column_double(s, 0);
		mk->kind = xstrdup(mmt_col_text(s, 1));
		mk->label = xstrdup(label ? label : "");
		sqlite3_free(label);
	}
	return rc;
}

static void load_windows(struct rm_charts *c, const struct rm_model *m)
{
	c->windows = xcalloc(m->nfindings ? m->nfindings : 1, sizeof(*c->windows));
	for (size_t i = 0; i < m->nfindings; i++) {
		const struct rm_finding *f = &m->findings[i];
		struct rm_window *w;

		if (!f->has_t)
			continue;
		w = &c->windows[c->nwindows++];
		w->t0 = f->t_start;
		w->t1 = f->t_end > f->t_start ? f->t_end : f->t_start;
		w->finding = f->id;
		w->severity = xstrdup(f->severity);
		w->title = xstrdup(f->title);
	}
}

/*
 * Marks and windows near the data widen the axis: a capture may stop at
 * the OOM kill it was waiting for. Far ones (a kernel log keeps reports
 * from hours before the capture) would squeeze the data into a few
 * buckets, and those on another clock cannot be placed: both are left out.
 */
static void widen(const struct rm_charts *c, struct spans *sp, int w)
{
	/*
	 * Data of one moment (a sosreport, a crash dump's kmem -i) has no span
	 * of its own to squeeze: the reports on its clock make the axis.
	 */
	double near = sp->hi[w] > sp->lo[w] ? (sp->hi[w] - sp->lo[w]) * NEAR : HUGE_VAL;
	double lo = sp->lo[w] - near, hi = sp->hi[w] + near;

	for (size_t i = 0; i < c->nmarks; i++)
		if (c->marks[i].t >= lo && c->marks[i].t <= hi)
			span_add(sp, c->marks[i].t, c->marks[i].t);
	for (size_t i = 0; i < c->nwindows; i++)
		if (c->windows[i].t0 >= lo && c->windows[i].t1 <= hi)
			span_add(sp, c->windows[i].t0, c->windows[i].t1);
}

/* Drops the marks off the axis and the windows that miss it, and cuts the others to it. */
static void drop_off_axis(struct rm_charts *c)
{
	size_t k = 0;

	for (size_t i = 0; i < c->nmarks; i++) {
		if (c->marks[i].t >= c->t0 && c->marks[i].t <= c->t1) {
			c->marks[k++] = c->marks[i];
			continue;
		}
		free(c->marks[i].kind);
		free(c->marks[i].label);
	}
	c->nmarks = k;
	k = 0;
	for (size_t i = 0; i < c->nwindows; i++) {
		struct rm_window *w = &c->windows[i];

		if (w->t1 >= c->t0 && w->t0 <= c->t1) {
			w->t0 = w->t0 < c->t0 ? c->t0 : w->t0;
			w->t1 = w->t1 > c->t1 ? c->t1 : w->t1;
			c->windows[k++] = *w;
			continue;
		}
		free(w->severity);
		free(w->title);
	}
	c->nwindows = k;
}

/*
 * The axis: the span of the series (on the wall clock when any is: a
 * capture's snapshots always are), widened by the marks and windows near
 * it; without series, the span of the marks and windows.
 */
static int axis(struct sr_load *l, const struct rm_model *m)
{
	struct rm_charts *c = l->c;
	struct spans sp = { 0 };
	int w;

	if (span_query(l, sql_snap_span, &sp) < 0 ||
	    (sr_has(l, "trace_sources") && span_query(l, sql_trace_span, &sp) < 0) ||
	    load_marks(l) < 0)
		return -1;
	load_windows(c, m);
	if (sp.any[0] || sp.any[1]) {
		w = sp.any[1] ? 1 : 0;
		widen(c, &sp, w);
	} else {
		for (size_t i = 0; i < c->nmarks; i++)
			span_add(&sp, c->marks[i].t, c->marks[i].t);
		for (size_t i = 0; i < c->nwindows; i++)
			span_add(&sp, c->windows[i].t0, c->windows[i].t1);
		w = sp.any[1] ? 1 : 0;
	}
	if (!sp.any[w])
		return 0;
	c->wall = w == 1;
	c->t0 = sp.lo[w];
	c->t1 = sp.hi[w] > sp.lo[w] ? sp.hi[w] : sp.lo[w] + 1;
	if (l->hi > l->lo) {
		c->t0 = l->lo;
		c->t1 = l->hi;
	}
	c->step = (c->t1 - c->t0) / (double)c->buckets;
	drop_off_axis(c);
	return 1;
}

/* Charts in the order a reader goes through them: memory, then reclaim, then CPUs. */
static int chart_rank(const char *id)
{
	static const char *const order[] = { "memory", "writeback", "slab", "swap", "psi",
					     "reclaim", "kswapd", "ipi", "cpus" };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (!strcmp(order[i], id))
			return (int)i;
	return (int)(sizeof(order) / sizeof(order[0]));
}

static int chart_cmp(const void *a, const void *b)
{
	return chart_rank(((const struct rm_chart *)a)->id) -
	       chart_rank(((const struct rm_chart *)b)->id);
}

static void sort_charts(struct rm_charts *c)
{
	if (c->ncharts > 1)
		qsort(c->charts, c->ncharts, sizeof(*c->charts), chart_cmp);
}

int rm_charts_load(struct mmt_store *st, const struct rm_model *m, size_t buckets,
		   struct rm_charts *c, struct mmt_err *err)
{
	return rm_charts_load_range(st, m, buckets, 0, 0, c, err);
}

int rm_charts_load_range(struct mmt_store *st, const struct rm_model *m, size_t buckets,
			 double t0, double t1, struct rm_charts *c, struct mmt_err *err)
{
	struct sr_load l = { st, c, err, t0, t1 };
	int rc;

	memset(c, 0, sizeof(*c));
	c->buckets = buckets ? buckets : 1;
	rc = axis(&l, m);
	if (rc > 0)
		rc = sr_load_trace(&l) < 0 || sr_load_snapshots(&l) < 0 ? -1 : 0;
	if (rc == 0)
		sort_charts(c);
	if (rc < 0) {
		rm_charts_free(c);
		return -1;
	}
	return 0;
}

/* "1.9 GiB", "182 MiB", "6.0%", "3866 IPIs/s", "12k pages/s", "2 tasks". */
void rm_value_text(double v, const char *unit, char *out, size_t n)
{
	double a = fabs(v);

	if (!strcmp(unit, "MiB")) {
		if (a >= 1024)
			snprintf(out, n, "%.1f GiB", v / 1024);
		else
			snprintf(out, n, a >= 100 || v == 0 ? "%.0f MiB" : a >= 1 ? "%.1f MiB"
										 : "%.2f MiB", v);
	} else if (!strcmp(unit, "%")) {
		snprintf(out, n, "%.1f%%", v);
	} else if (a >= 1e6) {
		snprintf(out, n, "%.1fM %s", v / 1e6, unit);
	} else if (a >= 1e4) {
		snprintf(out, n, "%.0fk %s", v / 1e3, unit);
	} else if (v == 1 && (!strcmp(unit, "tasks") || !strcmp(unit, "CPUs"))) {
		snprintf(out, n, "1 %.*s", (int)strlen(unit) - 1, unit);
	} else if (v == 1 && !strcmp(unit, "nodes awake")) {
		snprintf(out, n, "1 node awake");
	} else {
		snprintf(out, n, a >= 10 || v == floor(v) ? "%.0f %s" : "%.1f %s", v, unit);
	}
}

static void free_series(struct rm_series *s)
{
	free(s->name);
	free(s->lo);
	free(s->hi);
	free(s->has);
}

static void free_chart(struct rm_chart *ch)
{
	for (size_t i = 0; i < ch->nseries; i++)
		free_series(&ch->series[i]);
	free(ch->series);
	if (ch->total)
		free_series(ch->total);
	free(ch->total);
	free(ch->id);
	free(ch->title);
	free(ch->unit);
	free(ch->source);
}

void rm_charts_free(struct rm_charts *c)
{
	for (size_t i = 0; i < c->ncharts; i++)
		free_chart(&c->charts[i]);
	free(c->charts);
	for (size_t i = 0; i < c->nmarks; i++) {
		free(c->marks[i].kind);
		free(c->marks[i].label);
	}
	free(c->marks);
	for (size_t i = 0; i < c->nwindows; i++) {
		free(c->windows[i].severity);
		free(c->windows[i].title);
	}
	free(c->windows);
	memset(c, 0, sizeof(*c));
}
