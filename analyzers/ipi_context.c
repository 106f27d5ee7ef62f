/*
 * What happened around an IPI storm: CPU hotplug (cpuhp:* events of
 * traces, grouped into operations; CPUs missing from /proc/interrupts
 * samples) and reclaim (direct and memcg reclaim episodes of traces, the
 * page scan rate of vmstat samples).
 */
#include "analyzers/ipi.h"
#include "core/xalloc.h"

#include <string.h>

/* cpuhp events further apart than this belong to different operations. */
#define HOTPLUG_OP_GAP_NS 500000000LL

static void hotplug_add(struct ipi_hotplug_set *set, const struct ipi_hotplug *h)
{
	set->h = xrealloc(set->h, (set->n + 1) * sizeof(*set->h));
	set->h[set->n++] = *h;
}

/*
 * The cpuhp events of all three tables as one query: one operation emits
 * enter, multi_enter and exit events interleaved, and must fold into one.
 * NULL when the trace has none of them.
 */
static char *cpuhp_sql(struct mmt_store *st)
{
	static const char *const views[] = { "cpuhp_enter", "cpuhp_multi_enter", "cpuhp_exit" };
	char *sql = NULL;

	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		char tbl[128], *next;

		if (!mmt_event_table(st, NULL, views[i], tbl, sizeof(tbl)))
			continue;
		next = sqlite3_mprintf("%s%sSELECT id, common_source, common_ts_ns, %s AS cpu "
				       "FROM \"%w\"", sql ? sql : "", sql ? " UNION ALL " : "",
				       mmt_has_columns(st, tbl, "cpu") ? "cpu" : "-1", tbl);
		sqlite3_free(sql);
		sql = next;
	}
	if (!sql)
		return NULL;
	return sqlite3_mprintf(
		"SELECT e.id, e.common_source, e.common_ts_ns, e.cpu, ifnull(s.t_offset, 0) "
		"FROM (%z) e JOIN sources s ON s.id = e.common_source "
		"ORDER BY e.common_source, e.common_ts_ns, e.id", sql);
}

/* The cpuhp events, in time order per source, folded into operations. */
static int load_cpuhp(struct mmt_store *st, struct ipi_hotplug_set *set, struct mmt_err *err)
{
	char *sql = cpuhp_sql(st);
	sqlite3_stmt *q;
	struct ipi_hotplug cur = { 0 };
	int64_t last_ns = 0;
	bool open = false;
	int rc;

	if (!sql)
		return 0;
	q = mmt_store_prepare(st, sql, err);
	sqlite3_free(sql);
	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		int64_t source = sqlite3_column_int64(q, 1), ns = sqlite3_column_int64(q, 2);
		int cpu = sqlite3_column_int(q, 3);
		double t = (double)ns / 1e9 + sqlite3_column_double(q, 4);

		if (open && (source != cur.source || ns - last_ns > HOTPLUG_OP_GAP_NS ||
			     cpu != cur.cpu)) {
			hotplug_add(set, &cur);
			open = false;
		}
		if (!open) {
			memset(&cur, 0, sizeof(cur));
			cur.t0 = t;
			cur.cpu = cpu;
			cur.source = source;
			cur.event_id = sqlite3_column_int64(q, 0);
			cur.trace = true;
			open = true;
		}
		cur.t1 = t;
		cur.events++;
		last_ns = ns;
	}
	if (rc == 0 && open)
		hotplug_add(set, &cur);
	sqlite3_finalize(q);
	return rc;
}

/* Spans of /proc/interrupts samples that lack a CPU's column. */
static void load_offline_spans(const struct ipi_series *s, struct ipi_hotplug_set *set)
{
	for (int c = 0; c < s->ncpus; c++) {
		struct ipi_hotplug h = { .cpu = c, .source = s->source };
		bool open = false;

		for (size_t i = 0; i <= s->n; i++) {
			bool off = i < s->n && s->rate[i * (size_t)s->ncpus + (size_t)c] < 0;

			if (off && !open) {
				h.t0 = s->t[i];
				open = true;
			}
			if (off)
				h.t1 = s->t[i] + s->interval;
			if (!off && open) {
				hotplug_add(set, &h);
				open = false;
			}
		}
	}
}

int ipi_hotplug_load(struct mmt_store *st, const struct ipi_series_set *series,
		     struct ipi_hotplug_set *out, struct mmt_err *err)
{
	memset(out, 0, sizeof(*out));
	if (load_cpuhp(st, out, err) < 0)
		return -1;
	for (size_t i = 0; i < series->n; i++)
		if (!series->s[i].trace)
			load_offline_spans(&series->s[i], out);
	return 0;
}

/*
 * Pages scanned per second: pgscan_anon + pgscan_file (5.8+) count every
 * reclaimer, memory-cgroup limit reclaim included; pgscan_kswapd/_direct/
 * _khugepaged/_proactive, all older kernels have, count global reclaim only.
 */
static const char sql_pgscan[] =
	"SELECT avg(r), count(*) FROM (SELECT source, ts, coalesce("
	"sum(CASE WHEN key IN ('pgscan_anon', 'pgscan_file') THEN rate END), "
	"sum(CASE WHEN key NOT IN ('pgscan_anon', 'pgscan_file') THEN rate END)) AS r "
	"FROM vmstat WHERE key IN ('pgscan_kswapd', 'pgscan_direct', 'pgscan_khugepaged', "
	"'pgscan_proactive', 'pgscan_anon', 'pgscan_file') AND ts BETWEEN ?1 AND ?2 "
	"AND rate IS NOT NULL GROUP BY 1, 2)";

static int reclaim_events(struct mmt_store *st, const char *view, double t0, double t1,
			  struct ipi_reclaim *out, struct mmt_err *err)
{
	char *sql;
	sqlite3_stmt *q;
	int rc;

	if (!mmt_has_table(st, view))
		return 0;
	sql = sqlite3_mprintf("SELECT count(*), min(ts), min(id) FROM \"%w\" "
			      "WHERE ts BETWEEN ?1 AND ?2", view);
	q = mmt_store_prepare(st, sql, err);
	sqlite3_free(sql);
	if (!q)
		return -1;
	sqlite3_bind_double(q, 1, t0);
	sqlite3_bind_double(q, 2, t1);
	rc = mmt_store_step(st, q, err);
	if (rc > 0 && sqlite3_column_int64(q, 0) > 0) {
		int64_t n = sqlite3_column_int64(q, 0);
		double first = sqlite3_column_double(q, 1);

		if (n > out->kind_events) {
			snprintf(out->kind, sizeof(out->kind), "%s", view);
			out->kind_events = n;
		}
		if (!out->episodes || first < out->t_first) {
			out->t_first = first;
			out->first_event = sqlite3_column_int64(q, 2);
		}
		out->episodes += n;
	}
	sqlite3_finalize(q);
	return rc < 0 ? -1 : 0;
}

int ipi_reclaim_in(struct mmt_store *st, double t0, double t1, struct ipi_reclaim *out,
		   struct mmt_err *err)
{
	static const char *const views[] = { "mm_vmscan_direct_reclaim_begin",
					     "mm_vmscan_memcg_reclaim_begin",
					     "mm_vmscan_memcg_softlimit_reclaim_begin" };
	sqlite3_stmt *q;
	int rc;

	memset(out, 0, sizeof(*out));
	out->pgscan_rate = -1;
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		if (reclaim_events(st, views[i], t0, t1, out, err) < 0)
			return -1;
	q = mmt_store_stmt(st, sql_pgscan, err);
	if (!q)
		return -1;
	sqlite3_bind_double(q, 1, t0);
	sqlite3_bind_double(q, 2, t1);
	rc = mmt_store_step(st, q, err);
	if (rc > 0 && sqlite3_column_int64(q, 1) > 0)
		out->pgscan_rate = sqlite3_column_double(q, 0);
	if (rc > 0)
		sqlite3_reset(q);
	return rc < 0 ? -1 : 0;
}
