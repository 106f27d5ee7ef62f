/*
 * Slab caches: which ones hold memory when it is scarcest (slab_dominance)
 * and which caches the I/O path allocates from share their slabs with
 * unrelated users because SLUB merged them (slab_merge_hazard, PRIMER
 * class 1). Both work with whatever the store holds: slabinfo, slabtop or
 * crash `kmem -s` samples (one or a series), /sys/kernel/slab copies or
 * `slabinfo -a`, meminfo, OOM reports that print "Unreclaimable slab
 * info:", allocation failures, blocked tasks and kmem trace events.
 *
 * A "machine" is a tree (capture, sosreport) or, for files ingested alone,
 * all of them together (the convention of the slab view's share column):
 * samples, aliases and meminfo are related only within one machine.
 */
#include "analyzers/analyzer.h"
#include "analyzers/slab_critical.h"
#include "core/fields.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024.0 * 1024.0)
#define MAX_TOP 20		/* caches a dominance finding can name */
#define PAGE_BYTES 4096.0	/* sysfs gives slab orders, not the page size */

static const struct mmt_threshold slab_thresholds[] = {
	{ "slab.cache_share_pct", 30, "%", "one cache holding this share of memory in use "
	  "(MemTotal - MemFree) at the slab peak, and growing, warns" },
	{ "slab.total_share_pct", 50, "%", "all slab caches holding this share of memory in "
	  "use at their peak, and growing, warn" },
	{ "slab.growth_mib_per_s", 1, "MiB/s", "growth from the first sample to the peak "
	  "that counts as growing" },
	{ "slab.growth_min_mib", 256, "MiB", "growth from the first sample to the peak "
	  "that counts as growing (both must hold)" },
	{ "slab.pressure_available_pct", 10, "%", "MemAvailable under this share of "
	  "MemTotal is memory pressure" },
	{ "slab.unreclaimable_share_pct", 30, "%", "SUnreclaim holding this share of memory "
	  "in use under pressure warns" },
	{ "slab.static_share_pct", 50, "%", "with a single sample (growth unknown), slab "
	  "holding this share of MemTotal warns" },
	{ "slab.top_caches", 5, "count", "caches a dominance finding names" },
	{ "slab.merge_growth_mib", 64, "MiB", "a merged group's cache growing by this much "
	  "(first sample to peak) grows sharply" },
	{ "slab.merge_growth_ratio", 2, "ratio", "... and to at least this multiple of its "
	  "first size" },
	{ "slab.merge_share_pct", 5, "%", "a merged group's cache holding this share of "
	  "MemTotal dominates memory" },
	{ "slab.writeback_high_mib", 64, "MiB", "meminfo Writeback (or writeback in a "
	  "Mem-Info dump) at or above this is high" },
	{ "slab.writeback_stall_secs", 30, "s", "Writeback high in consecutive samples for "
	  "this long is a write-back stall" },
	{ NULL, 0, NULL, NULL },
};

/* ---------------------------------------------------------------- memory */

/* meminfo figures of one machine at one moment, in kB; 0 when absent. */
/* A meminfo sample (or crash's kmem -i, which has no MemAvailable or
   SReclaimable): a value it does not show is -1. */
struct mem_moment {
	bool has;
	double ts;
	int64_t source, total, free, avail, sreclaim, sunreclaim, slab;
};

static const char sql_mem_nearest[] =
	"SELECT ms.id, ms.ts, ms.source_id FROM snapshots ms "
	"JOIN sources so ON so.id = ms.source_id "
	"WHERE ms.kind IN ('meminfo', 'crash_kmem_i') AND ifnull(so.tree_id, 0) = ?1 "
	"ORDER BY CASE WHEN ?2 IS NULL OR ms.ts IS NULL THEN -ms.seq ELSE abs(ms.ts - ?2) END, "
	"ms.id DESC LIMIT 1";
static const char sql_mem_values[] =
	"SELECT k.name, v.value FROM state_values v JOIN state_keys k ON k.id = v.key_id "
	"WHERE v.snapshot_id = ? AND k.name IN ('MemTotal', 'MemFree', 'MemAvailable', "
	"'SReclaimable', 'SUnreclaim', 'Slab')";

static void mem_set(struct mem_moment *m, const char *key, int64_t kb)
{
	if (!strcmp(key, "MemTotal"))
		m->total = kb;
	else if (!strcmp(key, "MemFree"))
		m->free = kb;
	else if (!strcmp(key, "MemAvailable"))
		m->avail = kb;
	else if (!strcmp(key, "SReclaimable"))
		m->sreclaim = kb;
	else if (!strcmp(key, "SUnreclaim"))
		m->sunreclaim = kb;
	else if (!strcmp(key, "Slab"))
		m->slab = kb;
}

/* The meminfo sample of the machine nearest to ts (the last one if ts is unknown). */
static int mem_at(struct mmt_store *st, int64_t machine, double ts, bool has_ts,
		  struct mem_moment *m, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_mem_nearest, err);
	int64_t snap;
	int rc;

	memset(m, 0, sizeof(*m));
	m->avail = m->sreclaim = m->sunreclaim = m->slab = -1;
	if (!s)
		return -1;
	mmt_bind_int(s, 1, machine);
	mmt_bind_double_opt(s, 2, ts, has_ts);
	rc = mmt_store_step(st, s, err);
	if (rc <= 0)
		return rc;
	snap = sqlite3_column_int64(s, 0);
	m->ts = sqlite3_column_double(s, 1);
	m->source = sqlite3_column_int64(s, 2);
	sqlite3_reset(s);
	if (!(s = mmt_store_stmt(st, sql_mem_values, err)))
		return -1;
	mmt_bind_int(s, 1, snap);
	while ((rc = mmt_store_step(st, s, err)) > 0)
		mem_set(m, mmt_col_text(s, 0), sqlite3_column_int64(s, 1));
	m->has = rc == 0 && m->total > 0;
	return rc;
}

static double in_use_kb(const struct mem_moment *m)
{
	return m->total > m->free ? (double)(m->total - m->free) : 0;
}

static double pct(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0;
}

static bool under_pressure(const struct mem_moment *m)
{
	return m->has && m->avail > 0 &&
	       pct((double)m->avail, (double)m->total) < mmt_threshold("slab.pressure_available_pct");
}

static void describe_memory(const struct mem_moment *m, struct mmt_sb *sb)
{
	if (!m->has) {
		mmt_sb_adds(sb, " No meminfo of this machine: its share of memory is unknown.");
		return;
	}
	mmt_sb_addf(sb, " Memory then: MemTotal %.0f MiB, in use (MemTotal - MemFree) %.0f MiB",
		    m->total / 1024.0, in_use_kb(m) / 1024.0);
	if (m->avail >= 0)
		mmt_sb_addf(sb, ", MemAvailable %.0f MiB (%.1f%%)", m->avail / 1024.0,
			    pct((double)m->avail, (double)m->total));
	if (m->slab >= 0)
		mmt_sb_addf(sb, ", Slab %.0f MiB", m->slab / 1024.0);
	if (m->sreclaim >= 0 && m->sunreclaim >= 0)
		mmt_sb_addf(sb, " = SReclaimable %.0f MiB + SUnreclaim %.0f MiB (%.1f%% and "
			    "%.1f%% of memory in use)", m->sreclaim / 1024.0, m->sunreclaim / 1024.0,
			    pct((double)m->sreclaim, in_use_kb(m)),
			    pct((double)m->sunreclaim, in_use_kb(m)));
	mmt_sb_adds(sb, ".");
}

/* --------------------------------------------------------- I/O pressure */

/*
 * Signs that the I/O path is starved, anywhere in the store: allocation
 * failures whose stack runs through the block, SCSI, dm, NFS or swap-out
 * code; tasks blocked in mempool_alloc; Writeback high.
 */
struct io_pressure {
	int64_t failures, atomic_failures, fail_report, fail_source, fail_line;
	double fail_t0, fail_t1;
	bool fail_has_t;
	int64_t mempool, mp_report, mp_source, mp_line;
	double mp_t0, mp_t1;
	bool mp_has_t;
	double wb_kb, wb_t0, wb_t1, wb_report_kb;	/* the longest high Writeback run */
	bool wb_stall;
	int64_t wb_source;
};

#define IO_FRAME "(f.symbol GLOB '*scsi*' OR f.symbol GLOB 'blk_*' OR " \
	"f.symbol GLOB '*submit_bio*' OR f.symbol GLOB 'bio_*' OR f.symbol GLOB 'bvec_*' OR " \
	"f.symbol GLOB 'sg_alloc_table*' OR f.symbol GLOB 'sg_pool_alloc*' OR " \
	"f.symbol GLOB 'mempool_alloc*' OR f.symbol GLOB 'dm_*' OR f.symbol GLOB 'nfs_*' OR " \
	"f.symbol GLOB 'rpc_*' OR f.symbol GLOB 'xprt_*' OR f.symbol GLOB 'nbd_*' OR " \
	"f.symbol GLOB '*iscsi*' OR f.symbol GLOB '*swap_writepage*' OR " \
	"f.symbol GLOB 'swap_writeout*' OR f.symbol GLOB 'end_swap_bio*' OR " \
	"f.symbol GLOB 'ata_*' OR f.symbol GLOB 'virtblk_*' OR f.symbol GLOB 'nvme_*')"

static const char sql_io_failures[] =
	"SELECT count(*), sum(ctx IN ('atomic', 'nowait')), min(t), max(t), "
	"min(id), min(source_id), min(line_start) "
	"FROM (SELECT r.id, r.source_id, r.line_start, r.t + ifnull(s.t_offset, 0) AS t, "
	"gfp_context(r.gfp_mask, r.kernel) AS ctx "
	"FROM reports r JOIN sources s ON s.id = r.source_id "
	"WHERE r.kind = 'alloc_failure' AND EXISTS (SELECT 1 FROM frames f "
	"WHERE f.stack_id = r.stack_id AND " IO_FRAME ") ORDER BY r.t, r.id)";
static const char sql_mempool[] =
	"SELECT count(*), min(b.t + ifnull(s.t_offset, 0)), max(b.t + ifnull(s.t_offset, 0)), "
	"min(b.report_id), min(b.source_id), min(b.line) "
	"FROM blocked_tasks b JOIN sources s ON s.id = b.source_id WHERE b.wait_class = 'mempool'";
/*
 * The longest run of consecutive meminfo samples of one series with
 * Writeback at or above ?1 kB (gaps and islands): a stall, not a burst.
 */
static const char sql_writeback[] =
	"WITH w AS (SELECT s.series, s.source_id AS source, s.ts, v.value AS kb, "
	"row_number() OVER (PARTITION BY s.series ORDER BY s.ts, s.seq) - "
	"row_number() OVER (PARTITION BY s.series, v.value >= ?1 ORDER BY s.ts, s.seq) AS isl "
	"FROM state_values v JOIN snapshots s ON s.id = v.snapshot_id "
	"WHERE v.key_id = (SELECT id FROM state_keys WHERE name = 'Writeback') "
	"AND s.kind = 'meminfo' AND s.ts IS NOT NULL) "
	"SELECT max(ts) - min(ts), max(kb), min(ts), max(ts), min(source) FROM w "
	"WHERE kb >= ?1 GROUP BY series, isl ORDER BY 1 DESC LIMIT 1";
/* Writeback in the Mem-Info dumps of allocation failures and OOM kills. */
static const char sql_writeback_reports[] =
	"SELECT max(m.value) * 4 FROM mem_counters m JOIN reports r ON r.id = m.report_id "
	"WHERE r.kind IN ('alloc_failure', 'oom_kill') AND m.name = 'writeback' "
	"AND m.node IS NULL AND m.unit = 'pages'";

static int io_pressure_read(struct mmt_store *st, struct io_pressure *p, struct mmt_err *err)
{
	sqlite3_stmt *s;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!(s = mmt_store_stmt(st, sql_io_failures, err)) || mmt_store_step(st, s, err) < 0)
		return -1;
	p->failures = sqlite3_column_int64(s, 0);
	p->atomic_failures = sqlite3_column_int64(s, 1);
	p->fail_has_t = !mmt_col_null(s, 2);
	p->fail_t0 = sqlite3_column_double(s, 2);
	p->fail_t1 = sqlite3_column_double(s, 3);
	p->fail_report = sqlite3_column_int64(s, 4);
	p->fail_source = sqlite3_column_int64(s, 5);
	p->fail_line = sqlite3_column_int64(s, 6);
	sqlite3_reset(s);
	if (!(s = mmt_store_stmt(st, sql_mempool, err)) || mmt_store_step(st, s, err) < 0)
		return -1;
	p->mempool = sqlite3_column_int64(s, 0);
	p->mp_has_t = !mmt_col_null(s, 1);
	p->mp_t0 = sqlite3_column_double(s, 1);
	p->mp_t1 = sqlite3_column_double(s, 2);
	p->mp_report = sqlite3_column_int64(s, 3);
	p->mp_source = sqlite3_column_int64(s, 4);
	p->mp_line = sqlite3_column_int64(s, 5);
	sqlite3_reset(s);
	if (!(s = mmt_store_stmt(st, sql_writeback, err)))
		return -1;
	sqlite3_bind_double(s, 1, mmt_threshold("slab.writeback_high_mib") * 1024.0);
	if ((rc = mmt_store_step(st, s, err)) < 0)
		return -1;
	if (rc > 0) {
		p->wb_stall = sqlite3_column_double(s, 0) >= mmt_threshold("slab.writeback_stall_secs");
		p->wb_kb = sqlite3_column_double(s, 1);
		p->wb_t0 = sqlite3_column_double(s, 2);
		p->wb_t1 = sqlite3_column_double(s, 3);
		p->wb_source = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	if (!(s = mmt_store_stmt(st, sql_writeback_reports, err)) || mmt_store_step(st, s, err) < 0)
		return -1;
	p->wb_report_kb = sqlite3_column_double(s, 0);
	sqlite3_reset(s);
	return 0;
}

/* Writeback high in a failure's Mem-Info dump: the failure held pages under I/O. */
static bool writeback_at_failure(const struct io_pressure *p)
{
	return p->wb_report_kb / 1024.0 >= mmt_threshold("slab.writeback_high_mib");
}

/* ------------------------------------------------------- merge hazards */

/* One real cache of one alias listing with the caches merged into it. */
struct merge_group {
	int64_t source, machine;
	char real[128];
	char **members;
	size_t n, cap;
	size_t ncrit;
	/* from slab_attrs */
	bool has_attrs;
	int64_t object_size, slab_size, order, objects, slabs;
	/* from slab samples: the real cache over time */
	size_t samples, listed;		/* samples; caches of the group slabinfo lists */
	char listed_as[128], top_member[128];
	double first_b, peak_b, last_b, first_ts, peak_ts, last_ts, top_member_b;
	bool has_ts;
	/* from kmem trace events */
	struct mmt_sb callers;
	int64_t trace_events;
	double trace_t0, trace_t1;
};

struct merge_set {
	struct merge_group *g;
	size_t n, cap;
};

static const char sql_aliases[] =
	"SELECT a.source_id, ifnull(so.tree_id, 0), a.cache, a.alias FROM slab_aliases a "
	"JOIN sources so ON so.id = a.source_id ORDER BY a.source_id, a.cache, a.alias";

static void group_add_member(struct merge_group *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->members[i], name))
			return;
	xgrow((void **)&g->members, &g->cap, g->n + 1, sizeof(char *));
	g->members[g->n++] = xstrdup(name);
	if (mmt_slab_critical_match(name))
		g->ncrit++;
}

static struct merge_group *group_new(struct merge_set *set, int64_t source, int64_t machine,
				     const char *real)
{
	struct merge_group *g;

	xgrow((void **)&set->g, &set->cap, set->n + 1, sizeof(*set->g));
	g = &set->g[set->n++];
	memset(g, 0, sizeof(*g));
	g->source = source;
	g->machine = machine;
	snprintf(g->real, sizeof(g->real), "%s", real);
	/* A real cache with a name of its own (kmalloc-256 on older kernels) is a user too. */
	if (real[0] != ':')
		group_add_member(g, real);
	return g;
}

static void set_free(struct merge_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		for (size_t j = 0; j < set->g[i].n; j++)
			free(set->g[i].members[j]);
		free(set->g[i].members);
		mmt_sb_free(&set->g[i].callers);
	}
	free(set->g);
	memset(set, 0, sizeof(*set));
}

/* Groups where an I/O-path cache shares its slabs with at least one other user. */
static int load_hazards(struct mmt_store *st, struct merge_set *set, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_aliases, err);
	struct merge_group *cur = NULL;
	int rc;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		int64_t source = sqlite3_column_int64(s, 0);
		const char *real = mmt_col_text(s, 2);

		if (!cur || cur->source != source || strcmp(cur->real, real))
			cur = group_new(set, source, sqlite3_column_int64(s, 1), real);
		group_add_member(cur, mmt_col_text(s, 3));
	}
	if (rc < 0)
		return -1;
	/* Keep the hazards only: drop groups without a critical cache or without another user. */
	size_t kept = 0;
	for (size_t i = 0; i < set->n; i++) {
		struct merge_group *g = &set->g[i];

		if (g->ncrit > 0 && g->ncrit < g->n) {
			set->g[kept++] = *g;
			continue;
		}
		for (size_t j = 0; j < g->n; j++)
			free(g->members[j]);
		free(g->members);
	}
	set->n = kept;
	return 0;
}

static const char sql_attrs[] =
	"SELECT object_size, slab_size, \"order\", objects, slabs FROM slab_attrs "
	"WHERE source_id = ? AND cache = ?";

static int read_attrs(struct mmt_store *st, struct merge_group *g, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_attrs, err);
	int rc;

	if (!s)
		return -1;
	mmt_bind_int(s, 1, g->source);
	mmt_bind_text(s, 2, g->real);
	rc = mmt_store_step(st, s, err);
	if (rc > 0) {
		g->has_attrs = true;
		g->object_size = sqlite3_column_int64(s, 0);
		g->slab_size = sqlite3_column_int64(s, 1);
		g->order = sqlite3_column_int64(s, 2);
		g->objects = sqlite3_column_int64(s, 3);
		g->slabs = sqlite3_column_int64(s, 4);
		sqlite3_reset(s);
	}
	return rc < 0 ? -1 : 0;
}

/* The members of every hazard group, for set-based joins with samples and events. */
static int fill_members(struct mmt_store *st, const struct merge_set *set, struct mmt_err *err)
{
	static const char sql_ins[] =
		"INSERT INTO temp.slab_members (grp, machine, name) VALUES (?, ?, ?)";

	if (mmt_store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS slab_members (grp INTEGER, "
			   "machine INTEGER, name TEXT); DELETE FROM temp.slab_members; "
			   "CREATE INDEX IF NOT EXISTS temp.slab_members_name ON "
			   "slab_members(name, machine)", err) < 0)
		return -1;
	for (size_t i = 0; i < set->n; i++)
		for (size_t j = 0; j < set->g[i].n; j++) {
			sqlite3_stmt *s = mmt_store_stmt(st, sql_ins, err);

			if (!s)
				return -1;
			mmt_bind_int(s, 1, (int64_t)i);
			mmt_bind_int(s, 2, set->g[i].machine);
			mmt_bind_text(s, 3, set->g[i].members[j]);
			if (mmt_store_run(st, s, err) < 0)
				return -1;
		}
	return 0;
}

/*
 * Every sample of every member slabinfo lists, in one pass: under SLUB the
 * real cache appears once, named after one member; under SLAB (or
 * slab_nomerge) each member has its own row.
 */
static const char sql_member_samples[] =
	"SELECT m.grp, c.cache, sn.ts, c.bytes FROM snapshots sn "
	"JOIN sources src ON src.id = sn.source_id "
	"JOIN slab_caches c ON c.snapshot_id = sn.id "
	"JOIN temp.slab_members m ON m.name = c.cache AND m.machine = ifnull(src.tree_id, 0) "
	"WHERE sn.kind IN ('slabinfo', 'slabtop', 'crash_kmem_s') "
	"ORDER BY m.grp, sn.ts, sn.seq, sn.id, c.cache";

/* Sums the members of one sample (rows of one grp and ts arrive together). */
struct sample_acc {
	int64_t grp;
	double ts, bytes;
	bool has_ts, open;
};

static void sample_close(struct merge_set *set, struct sample_acc *a)
{
	struct merge_group *g;

	if (!a->open)
		return;
	g = &set->g[a->grp];
	if (!g->samples) {
		g->first_b = a->bytes;
		g->first_ts = a->ts;
		g->has_ts = a->has_ts;
	}
	if (!g->samples || a->bytes > g->peak_b) {
		g->peak_b = a->bytes;
		g->peak_ts = a->ts;
	}
	g->last_b = a->bytes;
	g->last_ts = a->ts;
	g->samples++;
	a->open = false;
}

static void note_member(struct merge_group *g, const char *cache, double bytes)
{
	if (!g->listed_as[0] || !strcmp(g->listed_as, cache))
		snprintf(g->listed_as, sizeof(g->listed_as), "%s", cache);
	else
		g->listed = 2;
	if (!g->listed)
		g->listed = 1;
	if (bytes >= g->top_member_b) {
		g->top_member_b = bytes;
		snprintf(g->top_member, sizeof(g->top_member), "%s", cache);
	}
}

static int read_samples(struct mmt_store *st, struct merge_set *set, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_member_samples, err);
	struct sample_acc a = { 0 };
	int rc;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		int64_t grp = sqlite3_column_int64(s, 0);
		bool has_ts = !mmt_col_null(s, 2);
		double ts = sqlite3_column_double(s, 2);

		if (a.open && (a.grp != grp || a.has_ts != has_ts || a.ts != ts))
			sample_close(set, &a);
		if (!a.open)
			a = (struct sample_acc){ .grp = grp, .ts = ts, .has_ts = has_ts, .open = true };
		a.bytes += sqlite3_column_double(s, 3);
		note_member(&set->g[grp], mmt_col_text(s, 1), sqlite3_column_double(s, 3));
	}
	sample_close(set, &a);
	return rc;
}

/*
 * kmem_cache_alloc events name their cache (kernels from 6.0 print it):
 * who allocated from each hazard group, by call site, in one pass.
 */
static int read_callers(struct mmt_store *st, struct merge_set *set, struct mmt_err *err)
{
	char sql[640];
	const char *site = "NULL";
	sqlite3_stmt *s;
	int rc, named = mmt_has_column(st, "kmem_cache_alloc", "name", err);
	int sym = named > 0 ? mmt_has_column(st, "kmem_cache_alloc", "call_site_sym", err) : 0;
	int addr = named > 0 ? mmt_has_column(st, "kmem_cache_alloc", "call_site", err) : 0;

	if (named < 0 || sym < 0 || addr < 0)
		return -1;
	if (!named)
		return 0;
	if (sym)
		site = "e.call_site_sym";
	else if (addr)
		site = "e.call_site";
	snprintf(sql, sizeof(sql),
		 "SELECT m.grp, ifnull(%s, '?'), count(*), min(e.ts), max(e.ts), e.name "
		 "FROM kmem_cache_alloc e JOIN temp.slab_members m ON m.name = e.name "
		 "GROUP BY m.grp, e.name, 2 ORDER BY m.grp, 3 DESC", site);
	if (!(s = mmt_store_prepare(st, sql, err)))
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		struct merge_group *g = &set->g[sqlite3_column_int64(s, 0)];
		int64_t n = sqlite3_column_int64(s, 2);

		if (!g->trace_events || sqlite3_column_double(s, 3) < g->trace_t0)
			g->trace_t0 = sqlite3_column_double(s, 3);
		if (sqlite3_column_double(s, 4) > g->trace_t1)
			g->trace_t1 = sqlite3_column_double(s, 4);
		if (g->callers.len < 200)
			mmt_sb_addf(&g->callers, "%s%s from %s %lld", g->callers.len ? ", " : "",
				    mmt_col_text(s, 5), mmt_col_text(s, 1), (long long)n);
		g->trace_events += n;
	}
	sqlite3_finalize(s);
	return rc < 0 ? -1 : 0;
}

static int64_t machine_memtotal_kb(struct mmt_store *st, int64_t machine, struct mmt_err *err)
{
	struct mem_moment m;

	if (mem_at(st, machine, 0, false, &m, err) < 0)
		return -1;
	return m.has ? m.total : 0;
}

/* Why a group is more than a structural fact: growth, size, or I/O starvation. */
struct hazard_verdict {
	bool grows, dominates, failures, mempool, writeback, writeback_at_failure;
	double share_pct;
};

static void judge_group(const struct merge_group *g, int64_t memtotal_kb,
			const struct io_pressure *p, struct hazard_verdict *v)
{
	double grew = g->peak_b - g->first_b;

	memset(v, 0, sizeof(*v));
	v->grows = g->samples > 1 && grew / MIB >= mmt_threshold("slab.merge_growth_mib") &&
		   g->peak_b >= mmt_threshold("slab.merge_growth_ratio") * g->first_b;
	v->share_pct = memtotal_kb > 0 ? pct(g->peak_b / 1024.0, (double)memtotal_kb) : 0;
	v->dominates = g->samples && v->share_pct >= mmt_threshold("slab.merge_share_pct");
	v->failures = p->failures > 0;
	v->mempool = p->mempool > 0;
	v->writeback = p->wb_stall;
	v->writeback_at_failure = v->failures && writeback_at_failure(p);
}

static const char *hazard_severity(const struct hazard_verdict *v)
{
	bool starving = v->failures && (v->mempool || v->writeback || v->writeback_at_failure);

	if (starving)
		return "critical";
	if (v->grows || v->dominates || v->failures || v->mempool || v->writeback)
		return "warning";
	return "info";
}

static void list_members(const struct merge_group *g, bool critical, struct mmt_sb *sb)
{
	size_t k = 0;

	for (size_t i = 0; i < g->n; i++)
		if ((mmt_slab_critical_match(g->members[i]) != NULL) == critical)
			mmt_sb_addf(sb, "%s%s", k++ ? ", " : "", g->members[i]);
}

static void describe_group(const struct merge_group *g, struct mmt_sb *sb)
{
	mmt_sb_adds(sb, "SLUB merged ");
	list_members(g, true, sb);
	mmt_sb_addf(sb, " (the I/O path allocates from %s) into the cache %s with ",
		    g->ncrit > 1 ? "them" : "it", g->real);
	list_members(g, false, sb);
	mmt_sb_adds(sb, ", which have nothing to do with I/O: they draw on the same slabs.");
	for (size_t i = 0; i < g->n; i++) {
		const struct mmt_slab_critical *c = mmt_slab_critical_match(g->members[i]);

		if (c)
			mmt_sb_addf(sb, " %s: %s.", g->members[i], c->reason);
	}
	if (g->has_attrs)
		mmt_sb_addf(sb, " %s: objects of %lld B in slots of %lld B, slabs of order %lld; "
			    "%lld objects in %lld slabs (%.1f MiB) when the alias listing was taken.",
			    g->real, (long long)g->object_size, (long long)g->slab_size,
			    (long long)g->order, (long long)g->objects, (long long)g->slabs,
			    (double)g->slabs * (PAGE_BYTES * (double)(1LL << g->order)) / MIB);
}

static void describe_usage(const struct merge_group *g, const struct hazard_verdict *v,
			   struct mmt_sb *sb)
{
	if (g->samples) {
		mmt_sb_addf(sb, " slabinfo lists the group as %s%s: %.1f MiB at the first of "
			    "%zu samples, %.1f MiB at its peak (%.2f%% of MemTotal), %.1f MiB at "
			    "the last.", g->listed > 1 ? "several caches, the largest " : "",
			    g->listed > 1 ? g->top_member : g->listed_as, g->first_b / MIB,
			    g->samples, g->peak_b / MIB, v->share_pct, g->last_b / MIB);
		if (g->listed <= 1)
			mmt_sb_adds(sb, " Under SLUB slabinfo shows only the merged total, so it "
				    "cannot say which member holds the objects.");
	} else {
		mmt_sb_adds(sb, " No slabinfo sample of this machine shows how the cache grew.");
	}
	if (g->trace_events)
		mmt_sb_addf(sb, " kmem_cache_alloc events into the group by call site: %s.",
			    mmt_sb_str(&g->callers));
	else
		mmt_sb_adds(sb, " A trace of kmem:kmem_cache_alloc (kernels from 6.0 name the "
			    "cache) would tell which user takes the objects.");
}

static void describe_pressure(const struct hazard_verdict *v, const struct io_pressure *p,
			      struct mmt_sb *sb)
{
	if (v->grows)
		mmt_sb_adds(sb, " The merged cache grew sharply: its other users can take "
			    "the free objects the I/O path needs.");
	if (v->dominates)
		mmt_sb_adds(sb, " The merged cache holds a large share of memory.");
	if (v->failures)
		mmt_sb_addf(sb, " %lld page allocation failure%s (%lld atomic) ran through the "
			    "block, SCSI, NFS or swap-out code.", (long long)p->failures,
			    p->failures > 1 ? "s" : "", (long long)p->atomic_failures);
	if (v->mempool)
		mmt_sb_addf(sb, " %lld blocked task%s wait%s in mempool_alloc.",
			    (long long)p->mempool, p->mempool > 1 ? "s" : "",
			    p->mempool > 1 ? "" : "s");
	if (v->writeback)
		mmt_sb_addf(sb, " Writeback stayed at or above slab.writeback_high_mib for "
			    "%.0f s, up to %.0f MiB: write-back stalled.", p->wb_t1 - p->wb_t0,
			    p->wb_kb / 1024.0);
	if (v->writeback_at_failure)
		mmt_sb_addf(sb, " The failures' Mem-Info shows %.0f MiB under writeback.",
			    p->wb_report_kb / 1024.0);
	if (!strcmp(hazard_severity(v), "info"))
		mmt_sb_adds(sb, " Nothing in the data shows pressure on the group: this is "
			    "a latent hazard, not a cause.");
	mmt_sb_adds(sb, " Fixes: boot with slab_nomerge (or slub_nomerge on old kernels) to "
		    "give every cache its own slabs; in the kernel, create the cache with "
		    "SLAB_NO_MERGE (6.5+), a constructor or a usercopy region, which all prevent "
		    "merging; keep a mempool reserve for the allocation the I/O path must not fail.");
}

static int group_evidence(struct mmt_store *st, int64_t id, const struct merge_group *g,
			  const struct hazard_verdict *v, const struct io_pressure *p,
			  struct mmt_err *err)
{
	char text[384];
	int idx = 0;
	struct mmt_evidence e = { .kind = "summary", .source_id = g->source, .text = text };

	snprintf(text, sizeof(text), "%s: %zu caches merged, %zu on the I/O path", g->real,
		 g->n, g->ncrit);
	if (mmt_finding_evidence(st, id, idx++, &e, err) < 0)
		return -1;
	if (g->samples) {
		e = (struct mmt_evidence){ .kind = "sample", .ts = g->first_ts,
					   .has_ts = g->has_ts, .text = text };
		snprintf(text, sizeof(text), "%s first sample: %.1f MiB", g->listed_as,
			 g->first_b / MIB);
		if (mmt_finding_evidence(st, id, idx++, &e, err) < 0)
			return -1;
		e.ts = g->peak_ts;
		snprintf(text, sizeof(text), "%s peak: %.1f MiB", g->listed_as, g->peak_b / MIB);
		if (mmt_finding_evidence(st, id, idx++, &e, err) < 0)
			return -1;
	}
	if (v->failures && mmt_finding_line(st, id, idx++, p->fail_source, p->fail_line,
					    p->fail_report, err) < 0)
		return -1;
	if (v->mempool && mmt_finding_line(st, id, idx++, p->mp_source, p->mp_line,
					   p->mp_report, err) < 0)
		return -1;
	if (v->writeback) {
		e = (struct mmt_evidence){ .kind = "sample", .source_id = p->wb_source,
					   .ts = p->wb_t0, .has_ts = true, .text = text };
		snprintf(text, sizeof(text), "Writeback >= %.0f MiB from here", 
			 mmt_threshold("slab.writeback_high_mib"));
		if (mmt_finding_evidence(st, id, idx++, &e, err) < 0)
			return -1;
		e.ts = p->wb_t1;
		snprintf(text, sizeof(text), "... to here (%.0f s), peak %.0f kB",
			 p->wb_t1 - p->wb_t0, p->wb_kb);
		if (mmt_finding_evidence(st, id, idx++, &e, err) < 0)
			return -1;
	}
	return 0;
}

static void hazard_times(const struct merge_group *g, const struct hazard_verdict *v,
			 const struct io_pressure *p, struct mmt_finding *f)
{
	if (g->samples && g->has_ts) {
		mmt_finding_time(f, g->first_ts);
		mmt_finding_time(f, g->peak_ts);
	}
	if (g->trace_events) {
		mmt_finding_time(f, g->trace_t0);
		mmt_finding_time(f, g->trace_t1);
	}
	if (v->failures && p->fail_has_t) {
		mmt_finding_time(f, p->fail_t0);
		mmt_finding_time(f, p->fail_t1);
	}
	if (v->mempool && p->mp_has_t) {
		mmt_finding_time(f, p->mp_t0);
		mmt_finding_time(f, p->mp_t1);
	}
	if (v->writeback) {
		mmt_finding_time(f, p->wb_t0);
		mmt_finding_time(f, p->wb_t1);
	}
}

static int emit_hazard(struct mmt_store *st, const struct merge_group *g,
		       const struct io_pressure *p, struct mmt_err *err)
{
	struct hazard_verdict v;
	struct mmt_finding f;
	struct mmt_sb crit = MMT_SB_INIT, other = MMT_SB_INIT;
	int64_t memtotal = machine_memtotal_kb(st, g->machine, err), id;
	int rc = -1;

	if (memtotal < 0)
		return -1;
	judge_group(g, memtotal, p, &v);
	mmt_finding_init(&f, "slab", "slab_merge_hazard", hazard_severity(&v));
	list_members(g, true, &crit);
	list_members(g, false, &other);
	snprintf(f.title, sizeof(f.title), "%s share%s slab cache %s with %s", mmt_sb_str(&crit),
		 g->ncrit > 1 ? "" : "s", g->real, mmt_sb_str(&other));
	describe_group(g, &f.summary);
	describe_usage(g, &v, &f.summary);
	describe_pressure(&v, p, &f.summary);
	hazard_times(g, &v, p, &f);
	f.confidence = !strcmp(f.severity, "info") ? 0.9 : !strcmp(f.severity, "warning") ? 0.5 : 0.75;
	f.score = !strcmp(f.severity, "info") ? 120 : !strcmp(f.severity, "warning") ? 450 : 850;
	if ((id = mmt_finding_add(st, &f, err)) < 0 ||
	    mmt_finding_subject(st, id, "cache", 0, false, g->real, err) < 0)
		goto out;
	for (size_t i = 0; i < g->n; i++)
		if (mmt_finding_subject(st, id, "cache", 0, false, g->members[i], err) < 0)
			goto out;
	rc = group_evidence(st, id, g, &v, p, err);
out:
	mmt_sb_free(&crit);
	mmt_sb_free(&other);
	mmt_finding_free(&f);
	return rc;
}

static int merge_hazards(struct mmt_store *st, const struct io_pressure *p, struct mmt_err *err)
{
	struct merge_set set = { 0 };
	int rc = -1;

	if (load_hazards(st, &set, err) < 0)
		goto out;
	if (!set.n) {
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < set.n; i++)
		if (read_attrs(st, &set.g[i], err) < 0)
			goto out;
	if (fill_members(st, &set, err) < 0 || read_samples(st, &set, err) < 0 ||
	    read_callers(st, &set, err) < 0)
		goto out;
	for (size_t i = 0; i < set.n; i++)
		if (emit_hazard(st, &set.g[i], p, err) < 0)
			goto out;
	rc = 0;
out:
	set_free(&set);
	return rc;
}

/* ------------------------------------------------------------ dominance */

/* One series of slab samples (a slabinfo file or series, a crash session). */
struct slab_series {
	int64_t machine, source;
	int kind_rank;		/* slabinfo 0, slabtop 1, crash 2: the order of preference */
	char series[256];
	size_t samples;
	int64_t first_snap, peak_snap;
	double first_total, peak_total, first_ts, peak_ts;
	bool has_ts;
};

struct top_cache {
	char name[128];
	double bytes, first_bytes;
	int64_t objsize, active, num;
	int reclaim;		/* 1, 0, -1 unknown */
	bool by_name;
};

static const char sql_totals[] =
	"SELECT ifnull(src.tree_id, 0), sn.series, sn.id, sn.ts, sum(c.bytes), sn.source_id, "
	"sn.kind "
	"FROM snapshots sn JOIN sources src ON src.id = sn.source_id "
	"JOIN slab_caches c ON c.snapshot_id = sn.id "
	"WHERE sn.kind IN ('slabinfo', 'slabtop', 'crash_kmem_s') "
	"GROUP BY sn.id ORDER BY 1, 2, sn.ts, sn.seq, sn.id";
static const char sql_top[] =
	"SELECT c.cache, c.bytes, c.objsize, c.active_objs, c.num_objs, f.bytes "
	"FROM slab_caches c LEFT JOIN slab_caches f ON f.snapshot_id = ?2 AND f.cache = c.cache "
	"WHERE c.snapshot_id = ?1 AND c.bytes > 0 ORDER BY c.bytes DESC LIMIT ?3";
static const char sql_reclaim[] =
	"SELECT a.reclaim_account FROM slab_attrs a JOIN sources so ON so.id = a.source_id "
	"WHERE ifnull(so.tree_id, 0) = ?1 AND a.reclaim_account IS NOT NULL AND (a.cache = ?2 "
	"OR a.cache IN (SELECT l.cache FROM slab_aliases l WHERE l.source_id = a.source_id "
	"AND l.alias = ?2)) LIMIT 1";

/* Caches the kernel creates with SLAB_RECLAIM_ACCOUNT, when no sysfs copy says. */
static int reclaim_by_name(const char *cache)
{
	size_t n = strlen(cache);
	static const char *const names[] = { "dentry", "radix_tree_node", "buffer_head",
					     "xfs_inode", "mbcache", NULL };

	for (size_t i = 0; names[i]; i++)
		if (!strcmp(cache, names[i]))
			return 1;
	return n > 11 && !strcmp(cache + n - 11, "inode_cache") ? 1 : -1;
}

static int cache_reclaim(struct mmt_store *st, int64_t machine, struct top_cache *c,
			 struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_reclaim, err);
	int rc;

	if (!s)
		return -1;
	mmt_bind_int(s, 1, machine);
	mmt_bind_text(s, 2, c->name);
	rc = mmt_store_step(st, s, err);
	if (rc > 0) {
		c->reclaim = sqlite3_column_int(s, 0) ? 1 : 0;
		sqlite3_reset(s);
	} else if (rc == 0) {
		c->reclaim = reclaim_by_name(c->name);
		c->by_name = c->reclaim >= 0;
	}
	return rc < 0 ? -1 : 0;
}

static int read_top(struct mmt_store *st, const struct slab_series *ser, struct top_cache *top,
		    size_t *n, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_top, err);
	size_t want = (size_t)mmt_threshold("slab.top_caches");
	int rc;

	*n = 0;
	if (!s)
		return -1;
	if (want > MAX_TOP)
		want = MAX_TOP;
	if (want < 1)
		want = 1;
	mmt_bind_int(s, 1, ser->peak_snap);
	mmt_bind_int(s, 2, ser->first_snap);
	mmt_bind_int(s, 3, (int64_t)want);
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		struct top_cache *c = &top[(*n)++];

		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", mmt_col_text(s, 0));
		c->bytes = sqlite3_column_double(s, 1);
		c->objsize = sqlite3_column_int64(s, 2);
		c->active = sqlite3_column_int64(s, 3);
		c->num = sqlite3_column_int64(s, 4);
		c->first_bytes = mmt_col_null(s, 5) ? 0 : sqlite3_column_double(s, 5);
	}
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (cache_reclaim(st, ser->machine, &top[i], err) < 0)
			return -1;
	return 0;
}

static double rate_mib_s(double from, double to, double seconds)
{
	return seconds > 0 ? (to - from) / MIB / seconds : 0;
}

/* The reasons a dominance finding warns, with the figures that passed. */
struct dominance_verdict {
	bool cache_grows, total_grows, unreclaimable, static_share;
	double cache_share, total_share, cache_rate, total_rate;
};

static bool growing(double from, double to, double rate)
{
	return (to - from) / MIB >= mmt_threshold("slab.growth_min_mib") &&
	       rate >= mmt_threshold("slab.growth_mib_per_s");
}

static void judge_dominance(const struct slab_series *ser, const struct top_cache *top,
			    size_t ntop, const struct mem_moment *m, struct dominance_verdict *v)
{
	double secs = ser->has_ts ? ser->peak_ts - ser->first_ts : 0;
	double in_use = in_use_kb(m) * 1024.0;

	memset(v, 0, sizeof(*v));
	v->total_share = pct(ser->peak_total, in_use);
	v->total_rate = rate_mib_s(ser->first_total, ser->peak_total, secs);
	if (ntop) {
		v->cache_share = pct(top[0].bytes, in_use);
		v->cache_rate = rate_mib_s(top[0].first_bytes, top[0].bytes, secs);
	}
	if (!m->has)
		return;
	v->cache_grows = ntop && ser->samples > 1 &&
			 v->cache_share >= mmt_threshold("slab.cache_share_pct") &&
			 growing(top[0].first_bytes, top[0].bytes, v->cache_rate);
	v->total_grows = ser->samples > 1 &&
			 v->total_share >= mmt_threshold("slab.total_share_pct") &&
			 growing(ser->first_total, ser->peak_total, v->total_rate);
	v->unreclaimable = under_pressure(m) &&
			   pct((double)m->sunreclaim, in_use_kb(m)) >=
			   mmt_threshold("slab.unreclaimable_share_pct");
	v->static_share = ser->samples == 1 &&
			  pct(ser->peak_total / 1024.0, (double)m->total) >=
			  mmt_threshold("slab.static_share_pct");
}

static bool dominance_warns(const struct dominance_verdict *v)
{
	return v->cache_grows || v->total_grows || v->unreclaimable || v->static_share;
}

static void describe_top(const struct slab_series *ser, const struct top_cache *top,
			 size_t ntop, const struct mem_moment *m, struct mmt_sb *sb)
{
	double secs = ser->has_ts ? ser->peak_ts - ser->first_ts : 0;

	mmt_sb_adds(sb, " Largest caches then:");
	for (size_t i = 0; i < ntop; i++) {
		const struct top_cache *c = &top[i];

		mmt_sb_addf(sb, "%s %s %.1f MiB (%lld of %lld objects of %lld B", i ? ";" : "",
			    c->name, c->bytes / MIB, (long long)c->active, (long long)c->num,
			    (long long)c->objsize);
		if (m->has)
			mmt_sb_addf(sb, ", %.1f%% of memory in use", pct(c->bytes / 1024.0, in_use_kb(m)));
		mmt_sb_addf(sb, ", %s%s", c->reclaim > 0 ? "reclaimable" : c->reclaim == 0 ?
			    "unreclaimable" : "reclaimability unknown", c->by_name ? " by its name" : "");
		if (ser->samples > 1)
			mmt_sb_addf(sb, ", %+.1f MiB since the first sample, %.2f MiB/s",
				    (c->bytes - c->first_bytes) / MIB,
				    rate_mib_s(c->first_bytes, c->bytes, secs));
		mmt_sb_adds(sb, ")");
	}
	mmt_sb_adds(sb, ".");
}

static void describe_verdict(const struct dominance_verdict *v, const struct top_cache *top,
			     const struct mem_moment *m, struct mmt_sb *sb)
{
	if (v->cache_grows)
		mmt_sb_addf(sb, " %s alone holds %.1f%% of memory in use and grew %.2f MiB/s "
			    "(slab.cache_share_pct, slab.growth_mib_per_s).", top[0].name,
			    v->cache_share, v->cache_rate);
	if (v->total_grows)
		mmt_sb_addf(sb, " Slab holds %.1f%% of memory in use and grew %.2f MiB/s "
			    "(slab.total_share_pct).", v->total_share, v->total_rate);
	if (v->unreclaimable)
		mmt_sb_addf(sb, " Under pressure (MemAvailable %.1f%% of MemTotal), unreclaimable "
			    "slab holds %.1f%% of memory in use: reclaim cannot free it.",
			    pct((double)m->avail, (double)m->total),
			    pct((double)m->sunreclaim, in_use_kb(m)));
	if (v->static_share)
		mmt_sb_adds(sb, " With one sample, growth is unknown, but slab holds more than "
			    "slab.static_share_pct of MemTotal.");
	if (dominance_warns(v))
		mmt_sb_adds(sb, " Next: if the cache is reclaimable, check whether reclaim "
			    "reaches it (GFP_NOFS allocators cannot shrink filesystem caches, "
			    "PRIMER class 2: look for allocation retries and for vfs_cache_pressure); "
			    "if it is not, find who allocates (kmem:kmem_cache_alloc by call_site, "
			    "/sys/kernel/slab/CACHE/alloc_calls with slub_debug=U) and whether it is "
			    "a leak (kmemleak).");
	else
		mmt_sb_adds(sb, " Ordinary for this machine: no cache holds a large and growing "
			    "share of memory.");
}

static int dominance_evidence(struct mmt_store *st, int64_t id, const struct slab_series *ser,
			      const struct top_cache *top, size_t ntop,
			      const struct mem_moment *m, struct mmt_err *err)
{
	char text[256];
	int idx = 0;
	struct mmt_evidence e = { .kind = "sample", .source_id = ser->source,
				  .ts = ser->first_ts, .has_ts = ser->has_ts, .text = text };

	if (ser->samples > 1) {
		snprintf(text, sizeof(text), "slab total at the first sample: %.1f MiB",
			 ser->first_total / MIB);
		if (mmt_finding_evidence(st, id, idx++, &e, err) < 0)
			return -1;
	}
	e.ts = ser->peak_ts;
	snprintf(text, sizeof(text), "slab total at its peak: %.1f MiB", ser->peak_total / MIB);
	if (mmt_finding_evidence(st, id, idx++, &e, err) < 0)
		return -1;
	for (size_t i = 0; i < ntop && i < 5; i++) {
		snprintf(text, sizeof(text), "%s: %.1f MiB", top[i].name, top[i].bytes / MIB);
		if (mmt_finding_evidence(st, id, idx++, &e, err) < 0)
			return -1;
	}
	if (m->has && m->avail >= 0 && m->sreclaim >= 0 && m->sunreclaim >= 0) {
		e = (struct mmt_evidence){ .kind = "sample", .source_id = m->source, .ts = m->ts,
					   .has_ts = m->ts != 0, .text = text };
		snprintf(text, sizeof(text), "MemAvailable %lld kB, SReclaimable %lld kB, "
			 "SUnreclaim %lld kB", (long long)m->avail, (long long)m->sreclaim,
			 (long long)m->sunreclaim);
		if (mmt_finding_evidence(st, id, idx++, &e, err) < 0)
			return -1;
	}
	return 0;
}

static void dominance_title(const struct slab_series *ser, const struct top_cache *top,
			    size_t ntop, const struct mem_moment *m, char *out, size_t n)
{
	char when[64] = "";
	int len;

	if (ser->has_ts)
		mmt_time_str(ser->peak_ts, when, sizeof(when));
	len = snprintf(out, n, "Slab %s %.0f MiB%s%s", ser->samples > 1 ? "peaked at" : "held",
		       ser->peak_total / MIB, when[0] ? " at " : "", when);
	if (m->has && len > 0 && (size_t)len < n)
		len += snprintf(out + len, n - (size_t)len, " (%.1f%% of memory in use)",
				pct(ser->peak_total / 1024.0, in_use_kb(m)));
	if (ntop && len > 0 && (size_t)len < n)
		snprintf(out + len, n - (size_t)len, "; largest %s %.0f MiB", top[0].name,
			 top[0].bytes / MIB);
}

static int emit_dominance(struct mmt_store *st, const struct slab_series *ser,
			  struct mmt_err *err)
{
	struct top_cache top[MAX_TOP];
	struct dominance_verdict v;
	struct mem_moment m;
	struct mmt_finding f;
	size_t ntop;
	int64_t id;
	int rc = -1;

	if (read_top(st, ser, top, &ntop, err) < 0 ||
	    mem_at(st, ser->machine, ser->peak_ts, ser->has_ts, &m, err) < 0)
		return -1;
	judge_dominance(ser, top, ntop, &m, &v);
	mmt_finding_init(&f, "slab", "slab_dominance", dominance_warns(&v) ? "warning" : "info");
	dominance_title(ser, top, ntop, &m, f.title, sizeof(f.title));
	mmt_sb_addf(&f.summary, "In %s (%zu sample%s), slab caches held %.1f MiB at the sample "
		    "where their total peaked", ser->series, ser->samples,
		    ser->samples > 1 ? "s" : "", ser->peak_total / MIB);
	if (ser->samples > 1)
		mmt_sb_addf(&f.summary, ", up from %.1f MiB at the first (%.2f MiB/s)",
			    ser->first_total / MIB, v.total_rate);
	mmt_sb_adds(&f.summary, ".");
	describe_memory(&m, &f.summary);
	describe_top(ser, top, ntop, &m, &f.summary);
	describe_verdict(&v, top, &m, &f.summary);
	if (ser->has_ts) {
		mmt_finding_time(&f, ser->first_ts);
		mmt_finding_time(&f, ser->peak_ts);
	}
	f.confidence = m.has ? 0.8 : 0.5;
	f.score = dominance_warns(&v) ? 400 : 60;
	if ((id = mmt_finding_add(st, &f, err)) < 0)
		goto out;
	for (size_t i = 0; i < ntop; i++)
		if (mmt_finding_subject(st, id, "cache", 0, false, top[i].name, err) < 0)
			goto out;
	rc = dominance_evidence(st, id, ser, top, ntop, &m, err);
out:
	mmt_finding_free(&f);
	return rc;
}

static void series_add(struct slab_series *ser, sqlite3_stmt *s)
{
	bool has_ts = !mmt_col_null(s, 3);
	double ts = sqlite3_column_double(s, 3), total = sqlite3_column_double(s, 4);

	if (!ser->samples) {
		ser->first_snap = ser->peak_snap = sqlite3_column_int64(s, 2);
		ser->first_total = ser->peak_total = total;
		ser->first_ts = ser->peak_ts = ts;
		ser->has_ts = has_ts;
	} else if (total > ser->peak_total) {
		ser->peak_snap = sqlite3_column_int64(s, 2);
		ser->peak_total = total;
		ser->peak_ts = ts;
	}
	ser->has_ts = ser->has_ts && has_ts;
	ser->samples++;
}

static int kind_rank(const char *kind)
{
	return !strcmp(kind, "slabinfo") ? 0 : !strcmp(kind, "slabtop") ? 1 : 2;
}

/*
 * One finding per machine: a sosreport holds both slabinfo and slabtop of
 * the same moment. The longest series wins, then slabinfo (exact sizes),
 * then slabtop, then crash.
 */
static bool best_of_machine(const struct slab_series *all, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++) {
		if (j == i || all[j].machine != all[i].machine)
			continue;
		if (all[j].samples > all[i].samples ||
		    (all[j].samples == all[i].samples &&
		     (all[j].kind_rank < all[i].kind_rank ||
		      (j < i && all[j].kind_rank == all[i].kind_rank))))
			return false;
	}
	return true;
}

static int dominance_series(struct mmt_store *st, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_totals, err);
	struct slab_series *all = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		int64_t machine = sqlite3_column_int64(s, 0);
		const char *series = mmt_col_text(s, 1);

		if (!n || all[n - 1].machine != machine || strcmp(all[n - 1].series, series)) {
			xgrow((void **)&all, &cap, n + 1, sizeof(*all));
			memset(&all[n], 0, sizeof(*all));
			all[n].machine = machine;
			all[n].source = sqlite3_column_int64(s, 5);
			all[n].kind_rank = kind_rank(mmt_col_text(s, 6));
			snprintf(all[n].series, sizeof(all[n].series), "%s", series);
			n++;
		}
		series_add(&all[n - 1], s);
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (best_of_machine(all, n, i) && emit_dominance(st, &all[i], err) < 0)
			rc = -1;
	free(all);
	return rc;
}

/* ------------------------------------------- OOM "Unreclaimable slab info" */

/*
 * The kernel prints "Unreclaimable slab info:" in a global OOM report only
 * when unreclaimable slab exceeds the pages on the LRU lists
 * (should_dump_unreclaim_slab()): unreclaimable slab dominated memory at
 * the kill. Lines: "Name  Used  Total", then "cache 29KB 32KB" per cache.
 */
static const char sql_oom_lines[] =
	"SELECT r.id, r.source_id, r.t + ifnull(s.t_offset, 0), l.line, l.text "
	"FROM reports r JOIN sources s ON s.id = r.source_id "
	"JOIN log_lines l ON l.report_id = r.id WHERE r.kind = 'oom_kill' "
	"ORDER BY r.source_id, r.id, l.line";
static const char sql_oom_counters[] =
	"SELECT sum(CASE name WHEN 'slab_unreclaimable' THEN value END), "
	"sum(CASE name WHEN 'pages_ram' THEN value END) FROM mem_counters "
	"WHERE report_id = ? AND node IS NULL";

struct oom_table {
	int64_t report, source, header_line;
	double t;
	bool has_t, in_table;
	size_t n;
	struct top_cache top[MAX_TOP];
	double total_kb;
};

/*
 * The tables of one source's OOM reports, as one finding: a machine that
 * OOMs again and again with slab dominating prints the same table each
 * time. The table of the largest total speaks for them; every report is
 * evidence, up to OOM_EVIDENCE.
 */
#define OOM_EVIDENCE 6
struct oom_set {
	struct oom_table worst;
	size_t count;
	int64_t source, report[OOM_EVIDENCE], header_line[OOM_EVIDENCE];
	double t0, t1;
	bool has_t;
};

static bool parse_oom_row(const char *text, struct top_cache *c)
{
	char name[128], u[24], t[24];
	int64_t used, total;

	/* Digits as words, then exact numbers: %lld cannot say that one overflowed. */
	if (sscanf(text, "%127s %23[0-9]KB %23[0-9]KB", name, u, t) != 3 ||
	    mmt_parse_i64(u, strlen(u), &used) || mmt_parse_i64(t, strlen(t), &total))
		return false;
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->bytes = (double)total * 1024.0;
	c->first_bytes = (double)used * 1024.0;	/* "Used": objects in use */
	c->reclaim = 0;
	return true;
}

/* Keeps the largest rows of the table, by Total. */
static void oom_table_add(struct oom_table *o, const struct top_cache *c)
{
	size_t want = (size_t)mmt_threshold("slab.top_caches"), i;

	if (want > MAX_TOP)
		want = MAX_TOP;
	o->total_kb += c->bytes / 1024.0;
	if (o->n < want)
		o->top[o->n++] = *c;
	else if (o->n && c->bytes > o->top[o->n - 1].bytes)
		o->top[o->n - 1] = *c;
	else
		return;
	for (i = o->n - 1; i > 0 && o->top[i].bytes > o->top[i - 1].bytes; i--) {
		struct top_cache tmp = o->top[i];

		o->top[i] = o->top[i - 1];
		o->top[i - 1] = tmp;
	}
}

static int emit_oom_table(struct mmt_store *st, const struct oom_set *set, struct mmt_err *err)
{
	const struct oom_table *o = &set->worst;
	char kills[32] = "an OOM kill";
	sqlite3_stmt *s = mmt_store_stmt(st, sql_oom_counters, err);
	struct mmt_finding f;
	int64_t unrecl = 0, ram = 0, id;
	int rc = -1;

	if (!s)
		return -1;
	mmt_bind_int(s, 1, o->report);
	if (mmt_store_step(st, s, err) < 0)
		return -1;
	unrecl = sqlite3_column_int64(s, 0);
	ram = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	mmt_finding_init(&f, "slab", "slab_dominance", "warning");
	if (set->count > 1)
		snprintf(kills, sizeof(kills), "%zu OOM kills", set->count);
	snprintf(f.title, sizeof(f.title), "Unreclaimable slab exceeded user memory at %s%s%s "
		 "%.0f MiB", kills, o->n ? "; largest " : "", o->n ? o->top[0].name : "",
		 o->n ? o->top[0].bytes / MIB : 0);
	mmt_sb_addf(&f.summary, "%s lists unreclaimable slab caches, which the kernel does "
		    "only when unreclaimable slab exceeds the pages on the LRU lists: the kill "
		    "could not have freed what filled memory. Figures from the report with the "
		    "largest table:", set->count > 1 ? "Each of these OOM reports" :
		    "The OOM report");
	if (unrecl)
		mmt_sb_addf(&f.summary, " slab_unreclaimable: %.1f MiB", unrecl * PAGE_BYTES / MIB);
	if (unrecl && ram)
		mmt_sb_addf(&f.summary, " of %.1f MiB RAM (%.1f%%)", ram * PAGE_BYTES / MIB,
			    pct((double)unrecl, (double)ram));
	mmt_sb_addf(&f.summary, "%s The listed caches total %.1f MiB; the largest:",
		    unrecl ? "." : "", o->total_kb / 1024.0);
	for (size_t i = 0; i < o->n; i++)
		mmt_sb_addf(&f.summary, "%s %s %.1f MiB (%.1f MiB used)", i ? "," : "",
			    o->top[i].name, o->top[i].bytes / MIB, o->top[i].first_bytes / MIB);
	mmt_sb_adds(&f.summary, ". Next: find who allocates from the largest (kmemleak, "
		    "kmem:kmem_cache_alloc by call_site, slub_debug=U alloc_calls); a cache that "
		    "only grows is a leak.");
	if (set->has_t) {
		mmt_finding_time(&f, set->t0);
		mmt_finding_time(&f, set->t1);
	}
	f.confidence = 0.9;
	f.score = 420;
	if ((id = mmt_finding_add(st, &f, err)) < 0)
		goto out;
	for (size_t i = 0; i < set->count && i < OOM_EVIDENCE; i++)
		if (mmt_finding_report(st, id, set->report[i], err) < 0 ||
		    mmt_finding_line(st, id, (int)i, set->source, set->header_line[i],
				     set->report[i], err) < 0)
			goto out;
	for (size_t i = 0; i < o->n; i++)
		if (mmt_finding_subject(st, id, "cache", 0, false, o->top[i].name, err) < 0)
			goto out;
	rc = 0;
out:
	mmt_finding_free(&f);
	return rc;
}

/* A finished report's table into the set of its source (emitting the previous source's). */
static int oom_set_add(struct mmt_store *st, struct oom_set *set, const struct oom_table *o,
		       struct mmt_err *err)
{
	if (!o->header_line)
		return 0;
	if (set->count && set->source != o->source) {
		if (emit_oom_table(st, set, err) < 0)
			return -1;
		memset(set, 0, sizeof(*set));
	}
	if (!set->count || o->total_kb > set->worst.total_kb)
		set->worst = *o;
	if (set->count < OOM_EVIDENCE) {
		set->report[set->count] = o->report;
		set->header_line[set->count] = o->header_line;
	}
	if (o->has_t) {
		set->t0 = set->has_t ? fmin(set->t0, o->t) : o->t;
		set->t1 = set->has_t ? fmax(set->t1, o->t) : o->t;
		set->has_t = true;
	}
	set->source = o->source;
	set->count++;
	return 0;
}

static int oom_step(struct mmt_store *st, struct oom_set *set, struct oom_table *o,
		    sqlite3_stmt *s, struct mmt_err *err)
{
	int64_t report = sqlite3_column_int64(s, 0);
	const char *text = mmt_col_text(s, 4);
	struct top_cache c;

	if (o->report != report) {
		if (oom_set_add(st, set, o, err) < 0)
			return -1;
		memset(o, 0, sizeof(*o));
		o->report = report;
		o->source = sqlite3_column_int64(s, 1);
		o->has_t = !mmt_col_null(s, 2);
		o->t = sqlite3_column_double(s, 2);
	}
	if (strstr(text, "Unreclaimable slab info:")) {
		o->header_line = sqlite3_column_int64(s, 3);
		o->in_table = true;
	} else if (o->in_table && !strncmp(text, "Name ", 5)) {
		return 0;
	} else if (o->in_table && parse_oom_row(text, &c)) {
		oom_table_add(o, &c);
	} else {
		o->in_table = false;
	}
	return 0;
}

static int dominance_oom(struct mmt_store *st, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_oom_lines, err);
	struct oom_table *o = xcalloc(1, sizeof(*o));
	struct oom_set *set = xcalloc(1, sizeof(*set));
	int rc;

	if (!s) {
		free(o);
		free(set);
		return -1;
	}
	while ((rc = mmt_store_step(st, s, err)) > 0)
		if (oom_step(st, set, o, s, err) < 0) {
			sqlite3_reset(s);
			rc = -1;
			break;
		}
	if (rc == 0 && (oom_set_add(st, set, o, err) < 0 ||
			(set->count && emit_oom_table(st, set, err) < 0)))
		rc = -1;
	free(o);
	free(set);
	return rc;
}

/* ------------------------------------------------------------------ run */

static int run(struct mmt_store *st, struct mmt_err *err)
{
	struct io_pressure p;

	if (io_pressure_read(st, &p, err) < 0 || merge_hazards(st, &p, err) < 0)
		return -1;
	if (dominance_series(st, err) < 0)
		return -1;
	return dominance_oom(st, err);
}

const struct mmt_analyzer mmt_analyzer_slab = {
	.name = "slab",
	.help = "slab caches that dominate memory, and I/O-path caches SLUB merged with "
		"unrelated users",
	.run = run,
	.thresholds = slab_thresholds,
};
