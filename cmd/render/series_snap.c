/*
 * Charts from snapshot series: /proc/meminfo (and `free`, crash `kmem -i`),
 * /proc/pressure/memory, /proc/vmstat and /proc/interrupts. Each is one
 * query aggregated per bucket (sr_query); the counters' rates are computed
 * over only the rows they need, since the generic views compute them for
 * every counter of every sample.
 */
#include "cmd/render/series_int.h"

#include <string.h>

static const struct sr_spec memory = { "memory", "Free memory", "MiB", "/proc/meminfo", RM_LINES };
static const struct sr_spec writeback = { "writeback", "Dirty and writeback", "MiB",
					  "/proc/meminfo", RM_LINES };
static const struct sr_spec slab = { "slab", "Slab", "MiB", "/proc/meminfo", RM_LINES };
static const struct sr_spec swap = { "swap", "Swap used", "MiB", "/proc/meminfo", RM_LINES };
static const struct sr_spec psi = { "psi", "Memory pressure (PSI)", "%",
				    "/proc/pressure/memory", RM_LINES };
static const struct sr_spec allocstall = { "reclaim", "Direct reclaim", "stalls/s",
					   "/proc/vmstat", RM_LINES };
static const struct sr_spec kswapd = { "kswapd", "kswapd", "pages/s", "/proc/vmstat", RM_LINES };
static const struct sr_spec ipi = { "ipi", "IPIs per CPU", "IPIs/s", "/proc/interrupts", RM_LINES };
static const struct sr_spec cpus = { "cpus", "CPUs online", "CPUs", "/proc/interrupts", RM_STEPS };

/* Two meminfo values as MiB, in the order named. */
#define MEMINFO_PAIR(a, b)                                                                  \
	"SELECT CASE key WHEN '" a "' THEN 0 ELSE 1 END AS k, key AS name, ts, "            \
	"kb / 1024.0 AS v FROM meminfo WHERE key IN ('" a "', '" b "')"

static const char sql_memory[] = MEMINFO_PAIR("MemFree", "MemAvailable");
static const char sql_writeback[] = MEMINFO_PAIR("Dirty", "Writeback");
static const char sql_slab[] = MEMINFO_PAIR("SReclaimable", "SUnreclaim");
static const char sql_slab_total[] =
	"SELECT 0 AS k, key AS name, ts, kb / 1024.0 AS v FROM meminfo WHERE key = 'Slab'";

/* Swap used where the sample has swap: SwapTotal - SwapFree of the same sample. */
static const char sql_swap[] =
	"SELECT 0 AS k, 'swap used' AS name, s.ts, (t.value - f.value) / 1024.0 AS v "
	"FROM snapshots s "
	"JOIN state_values t ON t.snapshot_id = s.id "
	"  AND t.key_id = (SELECT id FROM state_keys WHERE name = 'SwapTotal') "
	"JOIN state_values f ON f.snapshot_id = s.id "
	"  AND f.key_id = (SELECT id FROM state_keys WHERE name = 'SwapFree') "
	"WHERE s.kind IN ('meminfo', 'free', 'crash_kmem_i') AND t.value > 0";

/* microseconds stalled per second / 1e4 = percent; avg10 for a first sample. */
static const char sql_psi[] =
	"SELECT CASE kind WHEN 'some' THEN 0 ELSE 1 END AS k, 'memory ' || kind AS name, ts, "
	"coalesce(rate / 1e4, avg10) AS v FROM psi WHERE resource = 'memory'";

/*
 * Rates per second of the vmstat counters named by `keys` (a WHERE term on
 * sk.name), summed per sample under the series name `name`.
 */
#define VMSTAT_RATE(order, name, keys)                                                     \
	"SELECT " order " AS k, " name " AS name, ts, sum(r) AS v FROM ("                 \
	"SELECT s.id AS sid, s.ts, CASE WHEN lag(v.value) OVER w <= v.value "              \
	"  AND s.ts > lag(s.ts) OVER w THEN (v.value - lag(v.value) OVER w) "             \
	"  / (s.ts - lag(s.ts) OVER w) END AS r "                                          \
	"FROM snapshots s JOIN state_values v ON v.snapshot_id = s.id "                     \
	"WHERE s.kind = 'vmstat' AND v.key_id IN (SELECT id FROM state_keys sk WHERE "     \
	keys ") WINDOW w AS (PARTITION BY s.series, v.key_id ORDER BY s.ts, s.seq)) "      \
	"GROUP BY sid"

static const char sql_allocstall[] =
	VMSTAT_RATE("0", "'allocstall'", "sk.name LIKE 'allocstall%'");
static const char sql_kswapd[] =
	VMSTAT_RATE("0", "'pgscan_kswapd'", "sk.name = 'pgscan_kswapd'")
	" UNION ALL "
	VMSTAT_RATE("1", "'pgsteal_kswapd'", "sk.name = 'pgsteal_kswapd'");

/*
 * IPIs per second per CPU from /proc/interrupts: the rows ipi_series.c
 * reads as function calls and reschedules (x86 CAL counts TLB shootdowns
 * too, so TLB is not added again), summed per sample and `per` (the CPU,
 * or nothing for the total over the CPUs).
 */
#define IPI_RATES(k, name, per)                                                            \
	"WITH k AS (SELECT DISTINCT sk.id FROM state_keys sk "                              \
	"  LEFT JOIN irq_descriptions d ON d.key_id = sk.id "                               \
	"  WHERE sk.name IN ('CAL', 'RES') "                                                \
	"     OR d.description LIKE 'Function call interrupts%' "                           \
	"     OR d.description LIKE 'Single function call interrupts%' "                    \
	"     OR d.description LIKE 'Rescheduling interrupts%') "                           \
	"SELECT " k " AS k, " name " AS name, ts, sum(r) AS v FROM ("                      \
	"SELECT s.id AS sid, s.ts, i.cpu, CASE WHEN lag(i.count) OVER w <= i.count "        \
	"  AND s.ts > lag(s.ts) OVER w THEN (i.count - lag(i.count) OVER w) "              \
	"  / (s.ts - lag(s.ts) OVER w) END AS r "                                           \
	"FROM snapshots s JOIN irq_counts i ON i.snapshot_id = s.id "                       \
	"WHERE s.kind = 'interrupts' AND i.cpu IS NOT NULL AND i.key_id IN k "              \
	"WINDOW w AS (PARTITION BY s.series, i.key_id, i.cpu ORDER BY s.ts, s.seq)) "       \
	"GROUP BY sid" per

static const char sql_ipi[] = IPI_RATES("cpu", "'CPU' || cpu", ", cpu");
static const char sql_ipi_total[] = IPI_RATES("0", "'all CPUs'", "");

/* An offline CPU has no column in /proc/interrupts: the CPUs of a sample are online. */
static const char sql_cpus[] =
	"SELECT 0 AS k, 'online' AS name, s.ts, count(DISTINCT i.cpu) AS v "
	"FROM snapshots s JOIN irq_counts i ON i.snapshot_id = s.id "
	"WHERE s.kind = 'interrupts' AND i.cpu IS NOT NULL GROUP BY s.id";

static const char sql_has_kind[] = "SELECT 1 FROM snapshots WHERE kind = ? LIMIT 1";

static bool has_kind(struct sr_load *l, const char *kind)
{
	sqlite3_stmt *s = mmt_store_stmt(l->st, sql_has_kind, l->err);

	if (!s)
		return false;
	mmt_bind_text(s, 1, kind);
	return mmt_store_step(l->st, s, l->err) > 0;
}

/* The trace's chart of the same id, read first, says more (who, when exactly). */
static int query_unless_traced(struct sr_load *l, const struct sr_spec *spec, const char *sql)
{
	return sr_find(l->c, spec->id) ? 0 : sr_query(l, spec, sql, false);
}

int sr_load_snapshots(struct sr_load *l)
{
	if (sr_query(l, &memory, sql_memory, false) < 0 ||
	    sr_query(l, &writeback, sql_writeback, false) < 0 ||
	    sr_query(l, &slab, sql_slab, false) < 0 ||
	    sr_query(l, &slab, sql_slab_total, true) < 0 ||
	    sr_query(l, &swap, sql_swap, false) < 0)
		return -1;
	if (has_kind(l, "psi") && sr_query(l, &psi, sql_psi, false) < 0)
		return -1;
	if (has_kind(l, "vmstat") && (query_unless_traced(l, &allocstall, sql_allocstall) < 0 ||
				      query_unless_traced(l, &kswapd, sql_kswapd) < 0))
		return -1;
	if (has_kind(l, "interrupts") && !sr_find(l->c, ipi.id) &&
	    (sr_query(l, &ipi, sql_ipi, false) < 0 || sr_query(l, &ipi, sql_ipi_total, true) < 0))
		return -1;
	if (has_kind(l, "interrupts") && sr_query(l, &cpus, sql_cpus, false) < 0)
		return -1;
	return 0;
}
