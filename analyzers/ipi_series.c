/*
 * Function-call IPIs per second per CPU, as series of points in time.
 *
 * From /proc/interrupts: the x86 CAL line (function calls; it counts the
 * TLB shootdowns too, which TLB repeats) or the lines other architectures
 * describe as "Function call interrupts" / "Single function call
 * interrupts" (arm, arm64); the rate between consecutive samples per CPU.
 * A CPU missing from a sample was offline.
 *
 * From traces, per second and CPU, counted in SQL on the per-type tables:
 * the function calls each CPU ran (irq_vectors:call_function_entry and
 * call_function_single_entry, ipi:ipi_entry with a function-call reason),
 * else, when the trace has none of those, the targets of the IPIs sent
 * with a callback (ipi:ipi_send_cpu's cpu, every CPU of
 * ipi:ipi_send_cpumask's mask). Reschedule IPIs are not counted: they are
 * the scheduler's ordinary traffic and carry no function.
 */
#include "analyzers/ipi.h"
#include "analyzers/replay_state.h"
#include "core/cpumask.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CPUS 4096
/*
 * Cells (seconds x CPUs) of a trace's dense grid of IPI counts: 256 MB of
 * doubles, an hour of a 4096-CPU machine or a day of a 388-CPU one. A trace
 * whose events span more (two events 115 days apart, a clock jump) is not
 * counted: its grid would take hundreds of GB.
 */
#define IPI_GRID_MAX_CELLS (32u << 20)

static const char sql_irq_cpus[] =
	"SELECT s.source_id, s.series, max(i.cpu) FROM snapshots s "
	"JOIN irq_counts i ON i.snapshot_id = s.id "
	"WHERE s.kind = 'interrupts' AND s.ts IS NOT NULL AND i.cpu IS NOT NULL "
	"GROUP BY 1, 2 ORDER BY 1, 2";

/* Role of each row: F function calls, T TLB shootdowns, R reschedule. */
static const char sql_irq_rows[] =
	"WITH k AS (SELECT DISTINCT sk.id, CASE "
	"  WHEN sk.name = 'TLB' THEN 'T' "
	"  WHEN sk.name = 'RES' OR d.description LIKE 'Rescheduling interrupts%' THEN 'R' "
	"  ELSE 'F' END AS role "
	"  FROM state_keys sk LEFT JOIN irq_descriptions d ON d.key_id = sk.id "
	"  WHERE sk.name IN ('CAL', 'TLB', 'RES') "
	"     OR d.description LIKE 'Function call interrupts%' "
	"     OR d.description LIKE 'Single function call interrupts%' "
	"     OR d.description LIKE 'Rescheduling interrupts%') "
	"SELECT s.id, s.ts, i.cpu, i.count, k.role FROM snapshots s "
	"JOIN irq_counts i ON i.snapshot_id = s.id JOIN k ON k.id = i.key_id "
	"WHERE s.kind = 'interrupts' AND s.source_id = ?1 AND s.series = ?2 "
	"AND s.ts IS NOT NULL AND i.cpu IS NOT NULL ORDER BY s.ts, s.seq, s.id";


static void series_grow(struct ipi_series *s, size_t *cap, bool with_context)
{
	size_t old = *cap, row = (size_t)s->ncpus * sizeof(double);

	if (s->n < *cap)
		return;
	*cap = old ? old * 2 : 256;
	s->t = xrealloc(s->t, *cap * sizeof(double));
	s->rate = xrealloc(s->rate, *cap * row);
	if (with_context) {
		s->tlb = xrealloc(s->tlb, *cap * row);
		s->res = xrealloc(s->res, *cap * row);
	}
}

static struct ipi_series *set_add(struct ipi_series_set *set)
{
	set->s = xrealloc(set->s, (set->n + 1) * sizeof(*set->s));
	memset(&set->s[set->n], 0, sizeof(*set->s));
	return &set->s[set->n++];
}

/* The typical spacing of points: their median gap. */
static double median_gap(const double *t, size_t n)
{
	double *gaps, m;

	if (n < 2)
		return 1;
	gaps = xmalloc((n - 1) * sizeof(double));
	for (size_t i = 1; i < n; i++)
		gaps[i - 1] = t[i] - t[i - 1];
	mmt_sort_doubles(gaps, n - 1);
	m = gaps[(n - 1) / 2];
	free(gaps);
	return m > 0 ? m : 1;
}

/* Counters of one sample, per role and CPU; -1 where the CPU is absent. */
struct irq_sample {
	int64_t id;
	double ts;
	int64_t *count[3];	/* F, T, R */
};

static int role_index(const char *role)
{
	return *role == 'T' ? 1 : *role == 'R' ? 2 : 0;
}

static void sample_reset(struct irq_sample *x, int ncpus)
{
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < ncpus; c++)
			x->count[r][c] = -1;
}

/* Appends the point from prev to cur: the rate per CPU present in both. */
static void add_point(struct ipi_series *s, size_t *cap, const struct irq_sample *prev,
		      const struct irq_sample *cur)
{
	double dt = cur->ts - prev->ts;
	double *out[3];

	if (dt <= 0)
		return;
	series_grow(s, cap, true);
	out[0] = &s->rate[s->n * (size_t)s->ncpus];
	out[1] = &s->tlb[s->n * (size_t)s->ncpus];
	out[2] = &s->res[s->n * (size_t)s->ncpus];
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < s->ncpus; c++) {
			int64_t a = prev->count[r][c], b = cur->count[r][c];

			/* Absent now: offline. Absent before: back online, no rate yet. */
			out[r][c] = b < 0 ? -1 : (a < 0 || b < a) ? 0 : (double)(b - a) / dt;
		}
	s->t[s->n++] = prev->ts;
}

static int load_irq_series(struct mmt_store *st, struct ipi_series *s, const char *series,
			   struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_irq_rows, err);
	struct irq_sample x[2];
	size_t cap = 0;
	int cur = 0, rc;
	bool have = false, have_prev = false;

	if (!q)
		return -1;
	for (int k = 0; k < 2; k++)
		for (int r = 0; r < 3; r++)
			x[k].count[r] = xmalloc((size_t)s->ncpus * sizeof(int64_t));
	sample_reset(&x[0], s->ncpus);
	mmt_bind_int(q, 1, s->source);
	mmt_bind_text(q, 2, series);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		int64_t id = sqlite3_column_int64(q, 0);
		int cpu = sqlite3_column_int(q, 2);
		int r = role_index(mmt_col_text(q, 4));

		if (have && id != x[cur].id) {
			if (have_prev)
				add_point(s, &cap, &x[!cur], &x[cur]);
			have_prev = true;
			cur = !cur;
			sample_reset(&x[cur], s->ncpus);
		}
		have = true;
		x[cur].id = id;
		x[cur].ts = sqlite3_column_double(q, 1);
		if (cpu >= 0 && cpu < s->ncpus)
			x[cur].count[r][cpu] = (x[cur].count[r][cpu] < 0 ? 0 : x[cur].count[r][cpu]) +
					       sqlite3_column_int64(q, 3);
	}
	if (rc == 0 && have && have_prev)
		add_point(s, &cap, &x[!cur], &x[cur]);
	sqlite3_finalize(q);
	for (int k = 0; k < 2; k++)
		for (int r = 0; r < 3; r++)
			free(x[k].count[r]);
	s->interval = median_gap(s->t, s->n);
	return rc < 0 ? -1 : 0;
}

static int load_snapshot_series(struct mmt_store *st, struct ipi_series_set *set,
				struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_irq_cpus, err);
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct ipi_series *s = set_add(set);

		s->source = sqlite3_column_int64(q, 0);
		s->ncpus = sqlite3_column_int(q, 2) + 1;
		if (s->ncpus > MAX_CPUS)
			s->ncpus = MAX_CPUS;
		snprintf(s->what, sizeof(s->what), "/proc/interrupts function-call IPIs");
		if (load_irq_series(st, s, mmt_col_text(q, 1), err) < 0) {
			rc = -1;
			break;
		}
		if (s->n == 0) {
			free(s->t);
			free(s->rate);
			free(s->tlb);
			free(s->res);
			set->n--;
		}
	}
	sqlite3_finalize(q);
	return rc;
}

/* A trace source being counted: a dense grid of seconds by CPUs. */
struct trace_grid {
	int64_t source, first_sec, nsec;
	int ncpus;
	double t_offset;
	bool dat;
	double *count;
	size_t events;
};

static void grid_add(struct trace_grid *g, int64_t sec, int64_t cpu, double n)
{
	if (sec < g->first_sec || sec >= g->first_sec + g->nsec || cpu < 0 || cpu >= g->ncpus)
		return;
	g->count[(size_t)(sec - g->first_sec) * (size_t)g->ncpus + (size_t)cpu] += n;
	g->events += (size_t)n;
}

/* One second's IPIs to every CPU of a mask (core/cpumask.h). */
struct mask_add {
	struct trace_grid *g;
	int64_t sec;
	double n;
};

static void mask_cpu(void *ctx, int64_t cpu)
{
	struct mask_add *m = ctx;

	grid_add(m->g, m->sec, cpu, m->n);
}

static void grid_add_mask(struct trace_grid *g, int64_t sec, const char *mask, double n)
{
	struct mask_add m = { g, sec, n };

	mmt_cpumask_each(mask, g->dat, mask_cpu, &m);
}

/* Adds per (second, CPU) counts of one query: columns source, sec, cpu or mask, n. */
static int grid_count(struct mmt_store *st, struct trace_grid *g, const char *sql, bool mask,
		      struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql, err);
	int rc;

	if (!q)
		return -1;
	mmt_bind_int(q, 1, g->source);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		int64_t sec = sqlite3_column_int64(q, 0);
		double n = sqlite3_column_double(q, 2);

		if (mask)
			grid_add_mask(g, sec, mmt_col_text(q, 1), n);
		else
			grid_add(g, sec, sqlite3_column_int64(q, 1), n);
	}
	sqlite3_finalize(q);
	return rc;
}

/* The function-call IPIs each CPU ran; *what names the events used. */
static int count_received(struct mmt_store *st, struct trace_grid *g, char *what, size_t n,
			  struct mmt_err *err)
{
	static const char *const views[] = { "call_function_single_entry",
					     "call_function_entry", "ipi_entry" };
	char tbl[128];

	what[0] = '\0';
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		bool entry = i == 2;
		char *sql;
		size_t before = g->events;
		int rc;

		if (!mmt_event_table(st, NULL, views[i], tbl, sizeof(tbl)))
			continue;
		if (entry && !mmt_has_columns(st, tbl, "reason"))
			continue;
		sql = sqlite3_mprintf("SELECT common_ts_ns / 1000000000, common_cpu, count(*) "
				      "FROM \"%w\" WHERE common_source = ?1 %s GROUP BY 1, 2", tbl,
				      entry ? "AND (reason LIKE 'Function call%' OR reason LIKE "
					      "'Single function call%')" : "");
		rc = grid_count(st, g, sql, false, err);
		sqlite3_free(sql);
		if (rc < 0)
			return -1;
		if (g->events > before)
			snprintf(what + strlen(what), n - strlen(what), "%s%s", what[0] ? " + " : "",
				 views[i]);
	}
	return 0;
}

/* The targets of IPIs sent with a callback (function calls, not reschedules). */
static int count_sent(struct mmt_store *st, struct trace_grid *g, char *what, size_t n,
		      struct mmt_err *err)
{
	static const char has_callback[] =
		"ifnull(callback, 0) NOT IN (0, '0', '(nil)', '(null)', '')";
	char tbl[128];

	what[0] = '\0';
	for (int mask = 0; mask < 2; mask++) {
		const char *view = mask ? "ipi_send_cpumask" : "ipi_send_cpu";
		size_t before = g->events;
		char *sql;
		int rc;

		if (!mmt_event_table(st, NULL, view, tbl, sizeof(tbl)) ||
		    !mmt_has_columns(st, tbl, "callback") ||
		    !mmt_has_columns(st, tbl, mask ? "cpumask" : "cpu"))
			continue;
		sql = sqlite3_mprintf("SELECT common_ts_ns / 1000000000, %s, count(*) FROM \"%w\" "
				      "WHERE common_source = ?1 AND %s GROUP BY 1, 2",
				      mask ? "cpumask" : "cpu", tbl, has_callback);
		rc = grid_count(st, g, sql, mask, err);
		sqlite3_free(sql);
		if (rc < 0)
			return -1;
		if (g->events > before)
			snprintf(what + strlen(what), n - strlen(what), "%s%s targets",
				 what[0] ? " + " : "", view);
	}
	return 0;
}

/* The grid as a series, over the CPUs that took or were sent an IPI. */
static void grid_to_series(const struct trace_grid *g, struct ipi_series *s)
{
	int used = 1;

	for (size_t i = 0; i < (size_t)g->nsec * (size_t)g->ncpus; i++)
		if (g->count[i] > 0 && (int)(i % (size_t)g->ncpus) + 1 > used)
			used = (int)(i % (size_t)g->ncpus) + 1;
	s->source = g->source;
	s->trace = true;
	s->ncpus = used;
	s->n = (size_t)g->nsec;
	s->interval = 1;
	s->t_offset = g->t_offset;
	s->t = xmalloc(s->n * sizeof(double));
	s->rate = xmalloc(s->n * (size_t)used * sizeof(double));
	for (size_t i = 0; i < s->n; i++) {
		s->t[i] = (double)(g->first_sec + (int64_t)i) + g->t_offset;
		memcpy(&s->rate[i * (size_t)used], &g->count[i * (size_t)g->ncpus],
		       (size_t)used * sizeof(double));
	}
}

/* Whether the source holds an event of a type the IPI counts read. */
static bool has_ipi_events(struct mmt_store *st, int64_t source)
{
	static const char *const views[] = { "call_function_single_entry", "call_function_entry",
					     "ipi_entry", "ipi_send_cpu", "ipi_send_cpumask" };
	char tbl[128];

	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		char *sql;
		int64_t found;

		if (!mmt_event_table(st, NULL, views[i], tbl, sizeof(tbl)))
			continue;
		sql = sqlite3_mprintf("SELECT count(*) FROM (SELECT 1 FROM \"%w\" WHERE "
				      "common_source = %lld LIMIT 1)", tbl, (long long)source);
		found = mmt_store_query_int(st, sql);
		sqlite3_free(sql);
		if (found > 0)
			return true;
	}
	return false;
}

static int note_uncounted(struct ipi_series_set *set, const struct trace_grid *g,
			  bool cpus_known)
{
	set->uncounted = xrealloc(set->uncounted, (set->nuncounted + 1) * sizeof(*set->uncounted));
	set->uncounted[set->nuncounted++] = (struct ipi_uncounted){
		.source = g->source, .secs = g->nsec, .cpus = g->ncpus, .cpus_known = cpus_known,
	};
	return 0;
}

static int load_trace_source(struct mmt_store *st, const struct mmt_replay_source *src,
			     struct ipi_series_set *set, struct mmt_err *err)
{
	struct trace_grid g = { 0 };
	char what[96];

	if (src->last_id < src->first_id)
		return 0;
	g.source = src->id;
	g.ncpus = src->cpus;
	if (g.ncpus <= 0 || g.ncpus > MAX_CPUS)
		g.ncpus = g.ncpus <= 0 ? 256 : MAX_CPUS;
	g.first_sec = src->first_ns / 1000000000;
	g.nsec = src->last_ns / 1000000000 - g.first_sec + 1;
	g.t_offset = src->t_offset;
	g.dat = !strcmp(src->kind, "trace_dat");
	if (g.nsec <= 0)
		return 0;
	if ((uint64_t)g.nsec * (uint64_t)g.ncpus > IPI_GRID_MAX_CELLS)
		return has_ipi_events(st, src->id) ? note_uncounted(set, &g, src->cpus > 0) : 0;
	g.count = xcalloc((size_t)g.nsec * (size_t)g.ncpus, sizeof(double));
	if (count_received(st, &g, what, sizeof(what), err) < 0 ||
	    (g.events == 0 && count_sent(st, &g, what, sizeof(what), err) < 0)) {
		free(g.count);
		return -1;
	}
	if (g.events > 0) {
		struct ipi_series *s = set_add(set);

		grid_to_series(&g, s);
		snprintf(s->what, sizeof(s->what), "%s", what);
	}
	free(g.count);
	return 0;
}

static int load_trace_series(struct mmt_store *st, struct ipi_series_set *set,
			     struct mmt_err *err)
{
	struct mmt_replay_source *srcs;
	size_t n;
	int rc = 0;

	if (mmt_replay_sources(st, 0, &srcs, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = load_trace_source(st, &srcs[i], set, err);
	free(srcs);
	return rc;
}

int ipi_series_load(struct mmt_store *st, struct ipi_series_set *out, struct mmt_err *err)
{
	memset(out, 0, sizeof(*out));
	if (load_snapshot_series(st, out, err) < 0 || load_trace_series(st, out, err) < 0) {
		ipi_series_free(out);
		return -1;
	}
	return 0;
}

void ipi_series_free(struct ipi_series_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->s[i].t);
		free(set->s[i].rate);
		free(set->s[i].tlb);
		free(set->s[i].res);
	}
	free(set->s);
	free(set->uncounted);
	memset(set, 0, sizeof(*set));
}
