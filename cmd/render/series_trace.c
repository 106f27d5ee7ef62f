/*
 * Charts from trace events, read from the per-type tables (never the
 * `events` view) one trace source at a time:
 *   - reclaim: tasks inside direct reclaim and memory-cgroup reclaim, a
 *     level from the begin/end pairs per task, in one pass over only those
 *     event types in id order (ids grow with time within a source);
 *   - kswapd: nodes whose kswapd is awake, from kswapd_wake/kswapd_sleep
 *     per node the same way; else pages kswapd scanned per second
 *     (lru_shrink_inactive of the kswapd tasks), counted in SQL;
 *   - ipi: IPIs per second per CPU, counted per bucket in SQL: the IPIs
 *     each CPU took (irq_vectors *_entry, ipi_entry), else the targets of
 *     the IPIs sent (ipi_send_cpu, ipi_send_cpumask, ipi_raise), each IPI
 *     once per target CPU.
 * Buckets are computed on the trace's own nanoseconds (the bucket's bounds
 * moved to the trace's clock), so that no row needs its common time.
 */
#include "analyzers/analyzer.h"
#include "cmd/render/series_int.h"
#include "core/cpumask.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CPUS 8192

static const struct sr_spec reclaim = { "reclaim", "Direct reclaim", "tasks", "trace", RM_STEPS };
static const struct sr_spec kswapd_awake = { "kswapd", "kswapd", "nodes awake", "trace",
					     RM_STEPS };
static const struct sr_spec kswapd_scan = { "kswapd", "kswapd", "pages/s", "trace", RM_LINES };
static const struct sr_spec ipi = { "ipi", "IPIs per CPU", "IPIs/s", "trace", RM_LINES };

static const char sql_sources[] =
	"SELECT t.source_id, ifnull(s.t_offset, 0), s.kind = 'trace_dat', t.first_ns, t.last_ns "
	"FROM trace_sources t JOIN sources s ON s.id = t.source_id "
	"WHERE t.first_ns IS NOT NULL AND t.last_ns IS NOT NULL ORDER BY t.source_id";

struct trace_src {
	int64_t id, first_ns, last_ns;
	double offset;			/* common time = ns / 1e9 + offset */
	bool dat;			/* trace.dat: masks as decimal words, lowest first */
};

static double src_time(const struct trace_src *src, int64_t ns)
{
	return (double)ns / 1e9 + src->offset;
}

/* ---- levels: tasks in reclaim, nodes awake ---- */

/* The keys (pids, nodes) inside; few at a time, so a plain array. */
struct inside {
	int64_t *key;
	size_t n, cap;
};

static bool inside_set(struct inside *in, int64_t key, bool enter)
{
	for (size_t i = 0; i < in->n; i++) {
		if (in->key[i] != key)
			continue;
		if (!enter)
			in->key[i] = in->key[--in->n];
		return !enter;
	}
	if (!enter)
		return false;
	xgrow((void **)&in->key, &in->cap, in->n + 1, sizeof(*in->key));
	in->key[in->n++] = key;
	return true;
}

/*
 * One level over a source: the rows of the begin and end tables by id,
 * each (id, ns, key); the level is how many keys are between a begin and
 * their end. An end without its begin (the trace started inside) is left
 * out; a begin without its end holds until the trace's last event.
 */
static int level_pass(struct sr_load *l, const struct trace_src *src, const struct sr_spec *spec,
		      const char *name, const char *begin, const char *end, const char *key)
{
	char *sql = sqlite3_mprintf(
		"SELECT id, common_ts_ns, %s, 1 FROM \"%w\" WHERE common_source = ?1 UNION ALL "
		"SELECT id, common_ts_ns, %s, 0 FROM \"%w\" WHERE common_source = ?1 ORDER BY 1",
		key, begin, key, end);
	sqlite3_stmt *s = sql ? mmt_store_prepare(l->st, sql, l->err) : NULL;
	struct sr_level lv = { .c = l->c };
	struct inside in = { 0 };
	int rc;

	sqlite3_free(sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, src->id);
	while ((rc = mmt_store_step(l->st, s, l->err)) > 0) {
		/* The series starts with the source's first event of the pair: none, no series. */
		if (!lv.s) {
			lv.s = sr_series(l, sr_chart(l, spec), name);
			sr_level_set(&lv, src_time(src, src->first_ns), 0);
		}
		if (inside_set(&in, sqlite3_column_int64(s, 2), sqlite3_column_int(s, 3)))
			sr_level_set(&lv, src_time(src, sqlite3_column_int64(s, 1)), (double)in.n);
	}
	if (lv.s)
		sr_level_end(&lv, src_time(src, src->last_ns));
	sqlite3_finalize(s);
	free(in.key);
	return rc;
}

/* A level series when the trace recorded both event types of the pair. */
static int level_chart(struct sr_load *l, const struct trace_src *src, const struct sr_spec *spec,
		       const char *name, const char *begin, const char *end, const char *key)
{
	char tb[128], te[128];

	if (!mmt_event_table(l->st, NULL, begin, tb, sizeof(tb)) ||
	    !mmt_event_table(l->st, NULL, end, te, sizeof(te)) ||
	    !mmt_has_columns(l->st, tb, key) || !mmt_has_columns(l->st, te, key))
		return 0;
	return level_pass(l, src, spec, name, tb, te, key);
}

/* ---- counts per bucket ---- */

/* Events per CPU and bucket of one source, summed over the event types counted. */
struct grid {
	double *n;			/* n[cpu * buckets + b] */
	size_t ncpus, buckets;
	size_t events;
};

static void grid_add(struct grid *g, int64_t cpu, int64_t b, double n)
{
	size_t old = g->ncpus;

	if (cpu < 0 || cpu >= MAX_CPUS || b < 0 || (size_t)b >= g->buckets)
		return;
	if ((size_t)cpu >= g->ncpus) {
		g->ncpus = (size_t)cpu + 1;
		g->n = xrealloc(g->n, g->ncpus * g->buckets * sizeof(*g->n));
		memset(g->n + old * g->buckets, 0, (g->ncpus - old) * g->buckets * sizeof(*g->n));
	}
	g->n[(size_t)cpu * g->buckets + (size_t)b] += n;
	g->events += (size_t)n;
}

/* One bucket's IPIs to every CPU of a mask (core/cpumask.h). */
struct mask_add {
	struct grid *g;
	int64_t b;
	double n;
};

static void mask_cpu(void *ctx, int64_t cpu)
{
	struct mask_add *m = ctx;

	grid_add(m->g, cpu, m->b, m->n);
}

static void grid_add_mask(struct grid *g, bool dat, const char *mask, int64_t b, double n)
{
	struct mask_add m = { g, b, n };

	mmt_cpumask_each(mask, dat, mask_cpu, &m);
}

/*
 * An event type to count per bucket and CPU: its name, the CPU column (or
 * mask column, or a constant), what an event counts for (1, or a field)
 * and an extra WHERE term.
 */
struct counted {
	const char *view, *what;
	bool mask;
	const char *value, *where;
};

/*
 * The statement over the events of table tbl: rows of (CPU, bucket,
 * count). Masks are added up per mask and bucket by SQLite, since each
 * distinct mask is decoded once; other events come one row each, counted
 * here: a GROUP BY over millions of events sorts them all, which takes
 * three times as long as reading them.
 */
static sqlite3_stmt *count_stmt(struct sr_load *l, const struct trace_src *src, const char *tbl,
				const struct counted *what)
{
	const struct rm_charts *c = l->c;
	char *sql = sqlite3_mprintf(
		what->mask ? "SELECT %s, CAST((common_ts_ns - ?2) / ?3 AS INTEGER), total(%s) "
			     "FROM \"%w\" WHERE common_source = ?1 AND common_ts_ns BETWEEN ?2 AND ?4 "
			     "%s GROUP BY 1, 2"
			   : "SELECT %s, CAST((common_ts_ns - ?2) / ?3 AS INTEGER), %s "
			     "FROM \"%w\" WHERE common_source = ?1 AND common_ts_ns BETWEEN ?2 AND ?4 "
			     "%s",
		what->what, what->value, tbl, what->where);
	sqlite3_stmt *s = sql ? mmt_store_prepare(l->st, sql, l->err) : NULL;

	sqlite3_free(sql);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, src->id);
	sqlite3_bind_double(s, 2, (c->t0 - src->offset) * 1e9);
	sqlite3_bind_double(s, 3, c->step * 1e9);
	sqlite3_bind_double(s, 4, (c->t1 - src->offset) * 1e9);
	return s;
}

/* Counts the events of table tbl, as `what` says, into g. */
static int grid_count(struct sr_load *l, const struct trace_src *src, struct grid *g,
		      const char *tbl, const struct counted *what)
{
	sqlite3_stmt *s = count_stmt(l, src, tbl, what);
	int rc;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(l->st, s, l->err)) > 0) {
		int64_t b = sqlite3_column_int64(s, 1);
		double n = sqlite3_column_double(s, 2);

		/* The end of the axis belongs to the last bucket. */
		if (b == (int64_t)g->buckets)
			b--;
		if (what->mask)
			grid_add_mask(g, src->dat, mmt_col_text(s, 0), b, n);
		else
			grid_add(g, sqlite3_column_int64(s, 0), b, n);
	}
	sqlite3_finalize(s);
	return rc;
}

/* Each IPI taken, on the CPU that took it. */
static const struct counted ipi_taken[] = {
	{ "call_function_entry", "common_cpu", false, "1", "" },
	{ "call_function_single_entry", "common_cpu", false, "1", "" },
	{ "reschedule_entry", "common_cpu", false, "1", "" },
	{ "ipi_entry", "common_cpu", false, "1", "" },
};
/* Each IPI sent, once per target. */
static const struct counted ipi_sent[] = {
	{ "ipi_send_cpu", "cpu", false, "1", "" },
	{ "ipi_send_cpumask", "cpumask", true, "1", "" },
	{ "ipi_raise", "target_cpus", true, "1", "" },
};

static int grid_count_all(struct sr_load *l, const struct trace_src *src, struct grid *g,
			  const struct counted *list, size_t n)
{
	char tbl[128];

	for (size_t i = 0; i < n; i++) {
		if (!mmt_event_table(l->st, NULL, list[i].view, tbl, sizeof(tbl)) ||
		    !mmt_has_columns(l->st, tbl, list[i].what))
			continue;
		if (grid_count(l, src, g, tbl, &list[i]) < 0)
			return -1;
	}
	return 0;
}

/* The counts of all CPUs per second, as the chart's total. */
static void grid_total(struct sr_load *l, struct rm_chart *ch, const struct grid *g, long b0,
		       long b1)
{
	struct rm_series *se = sr_total(l, ch);

	for (long b = b0; b <= b1; b++) {
		double sum = 0;

		for (size_t cpu = 0; cpu < g->ncpus; cpu++)
			sum += g->n[cpu * g->buckets + (size_t)b];
		sr_put(se, (size_t)b, sum / l->c->step, sum / l->c->step);
	}
}

/*
 * The grid's counts per second into one series per CPU ("CPU0", ...) or,
 * with name, its CPU 0 into that series. Buckets of the trace's span with
 * no event had none: 0, not unknown.
 */
static void grid_to_series(struct sr_load *l, const struct trace_src *src, const struct grid *g,
			   const struct sr_spec *spec, const char *name)
{
	/* A zoomed axis may start after the trace's first event or end before its last. */
	double first = src_time(src, src->first_ns), last = src_time(src, src->last_ns);
	long b0 = sr_bucket(l->c, first < l->c->t0 ? l->c->t0 : first);
	long b1 = sr_bucket(l->c, last > l->c->t1 ? l->c->t1 : last);
	struct rm_chart *ch = NULL;

	for (size_t cpu = 0; cpu < g->ncpus && b0 >= 0 && b1 >= b0; cpu++) {
		const double *n = g->n + cpu * g->buckets;
		struct rm_series *se;
		char cpuname[32];
		bool any = false;

		for (size_t b = 0; b < g->buckets && !any; b++)
			any = n[b] > 0;
		if (!any)
			continue;
		snprintf(cpuname, sizeof(cpuname), "CPU%zu", cpu);
		if (!ch)
			ch = sr_chart(l, spec);
		se = sr_series(l, ch, name ? name : cpuname);
		for (long b = b0; b <= b1; b++)
			sr_put(se, (size_t)b, n[b] / l->c->step, n[b] / l->c->step);
	}
	if (ch && !name)
		grid_total(l, ch, g, b0, b1);
}

static int ipi_chart(struct sr_load *l, const struct trace_src *src)
{
	struct grid g = { .buckets = l->c->buckets };
	int rc;

	rc = grid_count_all(l, src, &g, ipi_taken, sizeof(ipi_taken) / sizeof(ipi_taken[0]));
	if (rc == 0 && g.events == 0)
		rc = grid_count_all(l, src, &g, ipi_sent, sizeof(ipi_sent) / sizeof(ipi_sent[0]));
	if (rc == 0)
		grid_to_series(l, src, &g, &ipi, NULL);
	free(g.n);
	return rc;
}

/* Pages kswapd scanned per second: the shrink_inactive events of the kswapd tasks. */
static const struct counted kswapd_scanned = {
	"mm_vmscan_lru_shrink_inactive", "0", false, "ifnull(nr_scanned, 0)",
	"AND common_comm_id IN (SELECT id FROM trace_comms WHERE comm LIKE 'kswapd%')",
};

static int kswapd_scan_chart(struct sr_load *l, const struct trace_src *src)
{
	struct grid g = { .buckets = l->c->buckets };
	char tbl[128];
	int rc;

	if (!mmt_event_table(l->st, NULL, kswapd_scanned.view, tbl, sizeof(tbl)) ||
	    !mmt_has_columns(l->st, tbl, "nr_scanned"))
		return 0;
	rc = grid_count(l, src, &g, tbl, &kswapd_scanned);
	if (rc == 0)
		grid_to_series(l, src, &g, &kswapd_scan, "pages scanned by kswapd");
	free(g.n);
	return rc;
}

static int load_source(struct sr_load *l, const struct trace_src *src)
{
	if (level_chart(l, src, &reclaim, "tasks in direct reclaim",
			"mm_vmscan_direct_reclaim_begin", "mm_vmscan_direct_reclaim_end",
			"common_pid") < 0 ||
	    level_chart(l, src, &reclaim, "tasks in memcg reclaim",
			"mm_vmscan_memcg_reclaim_begin", "mm_vmscan_memcg_reclaim_end",
			"common_pid") < 0 ||
	    level_chart(l, src, &kswapd_awake, "kswapd awake", "mm_vmscan_kswapd_wake",
			"mm_vmscan_kswapd_sleep", "nid") < 0)
		return -1;
	/* Whether kswapd ran says more than what it scanned; the scans when the trace has no wake-ups. */
	if ((!sr_find(l->c, "kswapd") && kswapd_scan_chart(l, src) < 0) || ipi_chart(l, src) < 0)
		return -1;
	return 0;
}

int sr_load_trace(struct sr_load *l)
{
	sqlite3_stmt *s;
	int rc;

	if (!sr_has(l, "trace_sources"))
		return 0;
	s = mmt_store_prepare(l->st, sql_sources, l->err);
	if (!s)
		return -1;
	while ((rc = mmt_store_step(l->st, s, l->err)) > 0) {
		struct trace_src src = {
			.id = sqlite3_column_int64(s, 0), .offset = sqlite3_column_double(s, 1),
			.dat = sqlite3_column_int(s, 2), .first_ns = sqlite3_column_int64(s, 3),
			.last_ns = sqlite3_column_int64(s, 4),
		};

		if (load_source(l, &src) < 0) {
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc;
}
