/*
 * The time series a report draws: memory, reclaim, IPIs and CPUs over the
 * capture, on the common timeline (the `ts` of the snapshot and event views;
 * report times plus their source's t_offset), cut into as many buckets as
 * the chart has pixels, so that a report's size does not grow with the
 * capture. The HTML report draws them as SVG charts, the text report as
 * sparklines.
 */
#ifndef MMT_SERIES_H
#define MMT_SERIES_H

#include "cmd/render/render.h"

/* One line of a chart. Bucket i covers [t0 + i*step, t0 + (i+1)*step). */
struct rm_series {
	char *name;			/* "MemFree", "CPU1", "tasks in direct reclaim" */
	double *lo, *hi;		/* least and greatest value in each bucket */
	bool *has;			/* false where no sample fell in the bucket */
	size_t n;			/* buckets (the same for every series) */
};

enum rm_chart_style {
	RM_LINES,			/* values sampled over time: free memory, PSI */
	RM_STEPS,			/* levels that hold until they change: CPUs online */
};

struct rm_chart {
	char *id;			/* stable: "memory", "writeback", "slab", "swap",
					   "psi", "reclaim", "kswapd", "ipi", "cpus" */
	char *title;			/* "Free memory" */
	char *unit;			/* of the y axis: "MiB", "%", "tasks", "IPIs/s", "CPUs" */
	char *source;			/* where it comes from: "/proc/meminfo", "trace" */
	enum rm_chart_style style;
	struct rm_series *series;
	size_t nseries;
	/*
	 * The series added up per sample, for a one-line summary (named
	 * "total"): meminfo's Slab for slab, all CPUs for ipi; NULL for the
	 * other charts. Not one of `series`, which a chart draws.
	 */
	struct rm_series *total;
};

/* A report on the timeline: a hung task, an allocation failure, an OOM kill. */
struct rm_mark {
	double t;
	char *kind;			/* reports.kind */
	char *label;			/* "hung_task sh:1234", untrusted */
};

/* A finding's time window. */
struct rm_window {
	double t0, t1;
	int64_t finding;		/* findings.id */
	char *severity, *title;		/* title untrusted */
};

struct rm_charts {
	double t0, t1;			/* the shared time axis, common timeline */
	double step;			/* seconds per bucket */
	size_t buckets;
	bool wall;			/* t0 is Unix seconds (else seconds since boot) */
	struct rm_chart *charts;	/* only the charts with data */
	size_t ncharts;
	struct rm_mark *marks;		/* in time order */
	size_t nmarks;
	struct rm_window *windows;	/* of the findings with a time, strongest first */
	size_t nwindows;
};

/*
 * Loads every chart the database has data for, each cut into `buckets`
 * buckets over one time axis that spans them all. An empty result (no
 * charts, no marks) is not an error.
 */
int rm_charts_load(struct mmt_store *st, const struct rm_model *m, size_t buckets,
		   struct rm_charts *c, struct mmt_err *err);
/*
 * The same over the axis [t0, t1] (common timeline) instead of the data's
 * span: a zoomed view's window; only the clock (wall) comes from the data.
 */
int rm_charts_load_range(struct mmt_store *st, const struct rm_model *m, size_t buckets,
			 double t0, double t1, struct rm_charts *c, struct mmt_err *err);
void rm_charts_free(struct rm_charts *c);

/* "1.9 GiB", "182 MiB", "6.0%", "3866 IPIs/s", "12k pages/s", "2 tasks": v in unit. */
void rm_value_text(double v, const char *unit, char *out, size_t n);

#endif
