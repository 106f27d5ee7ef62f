/*
 * What the chart loaders of series.c (the axis, marks and windows),
 * series_snap.c (snapshot views) and series_trace.c (trace events) share.
 */
#ifndef MMT_SERIES_INT_H
#define MMT_SERIES_INT_H

#include "cmd/render/series.h"

/* A chart as a loader declares it. */
struct sr_spec {
	const char *id, *title, *unit, *source;
	enum rm_chart_style style;
};

/* A loader's view of the charts being filled. */
struct sr_load {
	struct mmt_store *st;
	struct rm_charts *c;
	struct mmt_err *err;
	double lo, hi;			/* the axis asked for; the data's span when lo >= hi */
};

/* The chart with id, NULL when there is none yet. */
struct rm_chart *sr_find(struct rm_charts *c, const char *id);
/* The chart with id, added when missing. */
struct rm_chart *sr_chart(struct sr_load *l, const struct sr_spec *spec);
/* The series of that name, added (empty, in the order asked) when missing. */
struct rm_series *sr_series(struct sr_load *l, struct rm_chart *ch, const char *name);
/* Widens bucket b of s to take in lo..hi. */
void sr_put(struct rm_series *s, size_t b, double lo, double hi);
/* The bucket of time t, or -1 when t is off the axis. */
long sr_bucket(const struct rm_charts *c, double t);
/* Whether the database has a table or view of that name. */
bool sr_has(struct sr_load *l, const char *name);

/* The total of a chart (rm_chart.total), added when missing. */
struct rm_series *sr_total(struct sr_load *l, struct rm_chart *ch);

/*
 * Runs `inner`, a SELECT of the columns k (order of the series), name, ts
 * and v, aggregated per series and bucket by SQLite (least and greatest
 * v), into the series of chart spec (made only when a row comes); with
 * total, into the chart's total instead, and only if the chart exists.
 */
int sr_query(struct sr_load *l, const struct sr_spec *spec, const char *inner, bool total);

/*
 * A level that steps at given times (tasks in reclaim, nodes awake), fed
 * in time order: sr_level_set at each change, sr_level_end at the last
 * time it is known to hold.
 */
struct sr_level {
	const struct rm_charts *c;
	struct rm_series *s;
	double t, v;			/* last change */
	bool started;
};
void sr_level_set(struct sr_level *lv, double t, double v);
void sr_level_end(struct sr_level *lv, double t);

int sr_load_snapshots(struct sr_load *l);
int sr_load_trace(struct sr_load *l);

#endif
