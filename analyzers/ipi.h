/*
 * The ipi analyzer's parts: per-CPU function-call IPI rates over time
 * (ipi_series.c, from /proc/interrupts samples and from trace events),
 * what sent them (ipi_causes.c), what else happened meanwhile (hotplug,
 * reclaim: ipi_context.c), and the storm rule and findings (ipi.c).
 */
#ifndef MMT_IPI_H
#define MMT_IPI_H

#include "analyzers/analyzer.h"

/*
 * Function-call IPIs per second per CPU of one source, at points in time:
 * a /proc/interrupts sample (the rate since the previous one) or a second
 * of a trace. rate[i * ncpus + cpu] < 0: the CPU was offline (absent from
 * the sample).
 */
struct ipi_series {
	int64_t source;
	bool trace;
	char what[96];		/* "/proc/interrupts CAL", "call_function_single_entry" */
	int ncpus;
	size_t n;
	double *t;		/* common timeline, the end of the interval */
	double *rate;
	double *tlb, *res;	/* same shape, snapshots only (NULL otherwise) */
	double interval;	/* typical spacing of points, s */
	double t_offset;	/* traces: common time = ns / 1e9 + t_offset */
};

/*
 * A trace whose IPIs were not counted: its seconds times its CPUs pass
 * IPI_GRID_MAX_CELLS (ipi_series.c), which a clock jump does.
 */
struct ipi_uncounted {
	int64_t source;
	int64_t secs;
	int cpus;		/* the grid's: the trace's, or a guess when it does not say */
	bool cpus_known;
};

struct ipi_series_set {
	struct ipi_series *s;
	size_t n;
	struct ipi_uncounted *uncounted;
	size_t nuncounted;
};

int ipi_series_load(struct mmt_store *st, struct ipi_series_set *out, struct mmt_err *err);
void ipi_series_free(struct ipi_series_set *set);

/* A time when a CPU was going offline/online or absent. */
struct ipi_hotplug {
	double t0, t1;
	int cpu;		/* -1: unknown */
	int64_t source, event_id;	/* event_id 0 for snapshot gaps */
	bool trace;
	size_t events;		/* cpuhp events in the span (traces) */
};

struct ipi_hotplug_set {
	struct ipi_hotplug *h;
	size_t n;
};

int ipi_hotplug_load(struct mmt_store *st, const struct ipi_series_set *series,
		     struct ipi_hotplug_set *out, struct mmt_err *err);

/* Reclaim in [t0, t1]: traced episodes and the scan rate of vmstat. */
struct ipi_reclaim {
	int64_t episodes;	/* direct/memcg reclaim begin events */
	char kind[48];		/* the most frequent one's event name */
	int64_t kind_events;
	double pgscan_rate;	/* pages/s, mean of vmstat samples; < 0: no samples */
	double t_first;		/* first episode */
	int64_t first_event;
};

int ipi_reclaim_in(struct mmt_store *st, double t0, double t1, struct ipi_reclaim *out,
		   struct mmt_err *err);

/* What sent the IPIs of a window of a trace. */
#define IPI_TOP_CAUSES 4
struct ipi_cause {
	char label[96];		/* "membarrier", "allocator drain", ... */
	const char *words;	/* what it means */
	char symbol[96];	/* the symbol that named it */
	char path[160];		/* "callsite -> callback" as recorded */
	int64_t count, example_event;
	bool drain;		/* drain_all_pages / lru_add_drain_all */
};

struct ipi_causes {
	struct ipi_cause top[IPI_TOP_CAUSES];
	size_t ntop;
	int64_t total;		/* send events in the window */
	bool from_stacks, from_csd;
	bool sampled;		/* counted over slices of a large window */
};

int ipi_causes_in(struct mmt_store *st, int64_t source, int64_t ns0, int64_t ns1,
		  struct ipi_causes *out, struct mmt_err *err);
/*
 * What sent most of the IPIs of points [i0, i1] of a series, when one
 * sender has half of them or more: a trace's top sending path, or for
 * /proc/interrupts samples whether TLB shootdowns are the bulk of the
 * function calls. "" when unknown or mixed.
 */
int ipi_run_sender(struct mmt_store *st, const struct ipi_series *s, size_t i0, size_t i1,
		   char *out, size_t n, struct mmt_err *err);

/* The thresholds of a run (docs/findings/ipi.md). */
struct ipi_rule {
	double factor, floor, min_secs, short_secs, short_rate, max_gap, extreme, long_secs;
	double drain_share;
};

#define MAX_HIT_NAMES 16

/* A window of one series. */
struct ipi_window {
	const struct ipi_series *s;
	size_t i0, i1;			/* first and last hot point */
	double t0, t1;			/* common timeline */
	double baseline, thr;
	bool baseline_known;
	size_t baseline_samples;
	double storm_rate;		/* mean over the CPUs hit of their mean rate */
	double peak;
	size_t peak_i;
	int peak_cpu;
	int nhit;
	int hit[MAX_HIT_NAMES];
	double tlb_rate, res_rate;	/* snapshots: per CPU hit, mean */
	bool short_storm;		/* shorter than ipi.short_secs */
	int cluster;
};

struct ipi_windows {
	struct ipi_window *w;
	size_t n;
};

/* Writes the finding of cluster c of ws (windows sorted by start). */
/* An info finding saying that the IPIs of a trace were not looked at, and why. */
int ipi_uncounted_finding(struct mmt_store *st, const struct ipi_uncounted *u,
			  struct mmt_err *err);
int ipi_storm_finding(struct mmt_store *st, const struct ipi_windows *ws, int c,
		      const struct ipi_rule *r, const struct ipi_hotplug_set *hp,
		      struct mmt_err *err);


#endif
