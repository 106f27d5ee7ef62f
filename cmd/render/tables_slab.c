/*
 * Slab caches at the worst moment: for each machine (a tree, or the files
 * ingested alone taken together, as the slab view does), the largest
 * caches of one slab sample with what SLUB merged into each.
 *
 * The worst moment is the meminfo sample with the least MemAvailable
 * (MemFree before 3.14), the definition docs/sql.md gives: the slab sample
 * nearest to it in time is shown. Without timed meminfo samples (a crash
 * session, a slabinfo alone) it is the sample where slab peaked. The
 * series is the machine's longest, slabinfo before slabtop before crash
 * `kmem -s`, as the slab analyzer chooses. A machine with only a copy of
 * /sys/kernel/slab gets that; a store without any slab sample gets the
 * largest "Unreclaimable slab info:" table its OOM reports print
 * (tables_oom.c).
 */
#include "cmd/render/tables.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MERGED_LISTED 6		/* caches named in a merge group */

/* Each machine's slab series, the one to show first; a series by one of its samples. */
static const char sql_series[] =
	"SELECT ifnull(src.tree_id, 0), min(sn.id), sn.kind, count(*) "
	"FROM snapshots sn JOIN sources src ON src.id = sn.source_id "
	"WHERE sn.kind IN ('slabinfo', 'slabtop', 'crash_kmem_s') AND EXISTS (SELECT 1 "
	"FROM slab_caches c WHERE c.snapshot_id = sn.id AND c.bytes > 0) GROUP BY 1, sn.series, 3 "
	"ORDER BY 1, 4 DESC, CASE sn.kind WHEN 'slabinfo' THEN 0 WHEN 'slabtop' THEN 1 "
	"ELSE 2 END, 2";
/* Copies of /sys/kernel/slab, the largest of each machine first. */
static const char sql_sysfs[] =
	"SELECT ifnull(so.tree_id, 0), a.source_id, sum((a.slabs << a.\"order\") * 4096) "
	"FROM slab_attrs a JOIN sources so ON so.id = a.source_id "
	"GROUP BY a.source_id HAVING sum(a.slabs) > 0 ORDER BY 1, 3 DESC, 2";
/* (CROSS JOIN keeps SQLite from scanning every value for the key.) */
static const char sql_worst[] =
	"SELECT ms.ts, v.value, k.name FROM snapshots ms JOIN sources so ON so.id = ms.source_id "
	"CROSS JOIN state_values v ON v.snapshot_id = ms.id JOIN state_keys k ON k.id = v.key_id "
	"WHERE ms.kind IN ('meminfo', 'free') AND ms.ts IS NOT NULL "
	"AND ifnull(so.tree_id, 0) = ?1 AND k.name IN ('MemAvailable', 'MemFree') "
	"ORDER BY k.name = 'MemAvailable' DESC, v.value, ms.ts LIMIT 1";
static const char sql_samples[] =
	"SELECT sn.id, sn.ts, sum(c.bytes), sn.source_id "
	"FROM snapshots sn JOIN sources src ON src.id = sn.source_id "
	"JOIN slab_caches c ON c.snapshot_id = sn.id "
	"WHERE sn.kind = ?2 AND sn.series = (SELECT series FROM snapshots WHERE id = ?3) "
	"AND ifnull(src.tree_id, 0) = ?1 "
	"GROUP BY sn.id ORDER BY sn.ts, sn.seq, sn.id";
/* MemTotal as the slab view takes it: a tree's, or the one all lone files agree on. */
static const char sql_memtotal[] =
	"SELECT CASE WHEN ?1 != 0 OR min(v.value) = max(v.value) THEN max(v.value) END "
	"FROM snapshots ms JOIN sources so ON so.id = ms.source_id "
	"CROSS JOIN state_values v ON v.snapshot_id = ms.id "
	"WHERE ms.kind IN ('meminfo', 'crash_kmem_i') AND ifnull(so.tree_id, 0) = ?1 "
	"AND v.key_id = (SELECT id FROM state_keys WHERE name = 'MemTotal')";
static const char sql_listing[] =
	"SELECT EXISTS (SELECT 1 FROM slab_aliases a JOIN sources so ON so.id = a.source_id "
	"WHERE ifnull(so.tree_id, 0) = ?1) OR EXISTS (SELECT 1 FROM slab_attrs a "
	"JOIN sources so ON so.id = a.source_id WHERE ifnull(so.tree_id, 0) = ?1)";
static const char sql_top_sample[] =
	"SELECT cache, bytes, active_objs, objsize FROM slab_caches "
	"WHERE snapshot_id = ?1 AND bytes > 0 ORDER BY bytes DESC, cache LIMIT ?2";
static const char sql_top_sysfs[] =
	"SELECT cache, (slabs << \"order\") * 4096, objects, object_size FROM slab_attrs "
	"WHERE source_id = ?1 AND slabs > 0 ORDER BY 2 DESC, cache LIMIT ?2";
/*
 * The caches sharing one kmem_cache with ?2: slabinfo names a merged cache
 * after one of its users, sysfs links every user to it (or ?2 is the
 * merged cache itself, as sysfs and older kernels name it).
 */
static const char sql_merged[] =
	"SELECT DISTINCT b.cache, b.alias FROM slab_aliases b "
	"JOIN sources so ON so.id = b.source_id "
	"WHERE ifnull(so.tree_id, 0) = ?1 AND b.alias != ?2 AND (b.cache = ?2 OR b.cache IN "
	"(SELECT a.cache FROM slab_aliases a JOIN sources s2 ON s2.id = a.source_id "
	"WHERE ifnull(s2.tree_id, 0) = ?1 AND a.alias = ?2)) ORDER BY b.cache, b.alias";
static const char sql_source_name[] =
	"SELECT s.path, tf.path FROM sources s LEFT JOIN tree_files tf "
	"ON tf.tree_id = s.tree_id AND tf.source_id = s.id WHERE s.id = ?1 LIMIT 1";
/* One machine's table: which sample, and what to say about it. */
struct moment {
	int64_t machine, snapshot, source;	/* snapshot 0: a /sys/kernel/slab copy */
	int64_t series;				/* a sample of the series shown */
	char kind[16];
	size_t samples;
	double ts, total, peak, peak_ts;
	bool has_ts, peak_elsewhere;
	bool by_memory;				/* the least MemAvailable chose it */
	double worst_ts, worst_kb;
	char worst_key[16];
	int64_t memtotal_kb;			/* 0: unknown */
	bool listing;				/* SLUB's merges are known */
};

struct moments {
	struct moment *v;
	size_t n;
};

/* A set for the machine of the row's first column; NULL if it has one. */
static struct tables_slab_set *set_new(struct tables_slab_set **v, size_t *n, size_t *cap,
				       sqlite3_stmt *s)
{
	int64_t machine = sqlite3_column_int64(s, 0);
	struct tables_slab_set *set;

	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].machine == machine)
			return NULL;
	xgrow((void **)v, cap, *n + 1, sizeof(**v));
	set = &(*v)[(*n)++];
	memset(set, 0, sizeof(*set));
	set->machine = machine;
	return set;
}

int tables_slab_sets(struct mmt_store *st, struct tables_slab_set **v, size_t *n,
		     struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_series, err);
	struct tables_slab_set *set;
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (!s)
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0)
		if ((set = set_new(v, n, &cap, s))) {
			set->series = sqlite3_column_int64(s, 1);
			snprintf(set->kind, sizeof(set->kind), "%s", mmt_col_text(s, 2));
			set->samples = sqlite3_column_int64(s, 3);
		}
	if (rc < 0 || !(s = mmt_store_stmt(st, sql_sysfs, err)))
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0)
		if ((set = set_new(v, n, &cap, s))) {
			set->source = sqlite3_column_int64(s, 1);
			set->total = sqlite3_column_double(s, 2);
			set->samples = 1;
		}
	return rc;
}

/* The series to show of each machine, then the sysfs copies of machines without one. */
static int find_moments(struct mmt_store *st, struct moments *all, struct mmt_err *err)
{
	struct tables_slab_set *sets;
	size_t n;

	if (tables_slab_sets(st, &sets, &n, err) < 0) {
		free(sets);
		return -1;
	}
	all->v = xcalloc(n ? n : 1, sizeof(*all->v));
	all->n = n;
	for (size_t i = 0; i < n; i++) {
		struct moment *m = &all->v[i];

		m->machine = sets[i].machine;
		m->series = sets[i].series;
		memcpy(m->kind, sets[i].kind, sizeof(m->kind));
		m->source = sets[i].source;
		m->total = sets[i].total;
		m->samples = sets[i].series ? 0 : 1;
	}
	free(sets);
	return 0;
}

static int worst_memory(struct mmt_store *st, struct moment *m, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_worst, err);
	int rc;

	if (!s)
		return -1;
	mmt_bind_int(s, 1, m->machine);
	if ((rc = mmt_store_step(st, s, err)) <= 0)
		return rc;
	m->by_memory = true;
	m->worst_ts = sqlite3_column_double(s, 0);
	m->worst_kb = sqlite3_column_double(s, 1);
	snprintf(m->worst_key, sizeof(m->worst_key), "%s", mmt_col_text(s, 2));
	sqlite3_reset(s);
	return 0;
}

/* A slab sample: its id, source, time and total. */
struct pick {
	int64_t snapshot, source;
	double ts, total;
	bool has_ts;
};

static void pick_read(sqlite3_stmt *s, struct pick *p)
{
	p->snapshot = sqlite3_column_int64(s, 0);
	p->has_ts = !mmt_col_null(s, 1);
	p->ts = sqlite3_column_double(s, 1);
	p->total = sqlite3_column_double(s, 2);
	p->source = sqlite3_column_int64(s, 3);
}

static void moment_take(struct moment *m, const struct pick *p)
{
	m->snapshot = p->snapshot;
	m->source = p->source;
	m->ts = p->ts;
	m->has_ts = p->has_ts;
	m->total = p->total;
}

/*
 * The sample nearest the worst moment (the first of equals), or the peak
 * (the first of equals) when there is no worst moment or a sample has no
 * time to be near it by.
 */
static int choose_sample(struct mmt_store *st, struct moment *m, struct mmt_err *err)
{
	struct pick cur, peak = { 0 }, near = { 0 };
	bool untimed = false, near_set = false;
	sqlite3_stmt *s;
	int rc;

	if (worst_memory(st, m, err) < 0 ||
	    !(s = tables_slab_samples(st, m->machine, m->kind, m->series, err)))
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		pick_read(s, &cur);
		if (!m->samples++ || cur.total > peak.total)
			peak = cur;
		untimed |= !cur.has_ts;
		if (cur.has_ts && (!near_set || fabs(cur.ts - m->worst_ts) <
					       fabs(near.ts - m->worst_ts)))
			near = cur, near_set = true;
	}
	m->by_memory = m->by_memory && !untimed && near_set;
	moment_take(m, m->by_memory ? &near : &peak);
	m->peak = peak.total;
	m->peak_ts = peak.ts;
	/* A peak within 1% is the same moment for the reader. */
	m->peak_elsewhere = m->by_memory && peak.total > near.total * 1.01;
	return rc;
}

sqlite3_stmt *tables_slab_samples(struct mmt_store *st, int64_t machine, const char *kind,
				  int64_t series, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_samples, err);

	if (s) {
		mmt_bind_int(s, 1, machine);
		mmt_bind_text(s, 2, kind);
		mmt_bind_int(s, 3, series);
	}
	return s;
}

/* The one integer a query of a machine (?1) answers. */
static int machine_int(struct mmt_store *st, const char *sql, int64_t machine, int64_t *v,
		       struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql, err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, machine);
	if (mmt_store_step(st, s, err) < 0)
		return -1;
	*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int tables_memtotal(struct mmt_store *st, int64_t machine, int64_t *kb, struct mmt_err *err)
{
	return machine_int(st, sql_memtotal, machine, kb, err);
}

static int machine_facts(struct mmt_store *st, struct moment *m, struct mmt_err *err)
{
	if (tables_memtotal(st, m->machine, &m->memtotal_kb, err) < 0)
		return -1;
	return tables_listing(st, m->machine, &m->listing, err);
}

int tables_listing(struct mmt_store *st, int64_t machine, bool *listing, struct mmt_err *err)
{
	int64_t v;

	if (machine_int(st, sql_listing, machine, &v, err) < 0)
		return -1;
	*listing = v != 0;
	return 0;
}

/* "proc/slabinfo of capture-slab-xfs" for a file of a tree, else the file's name. */
static int source_name(struct mmt_store *st, int64_t source, struct mmt_sb *out,
		       struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_source_name, err);
	const char *path, *inner;
	size_t plen, ilen;
	int rc;

	if (!s)
		return -1;
	mmt_bind_int(s, 1, source);
	if ((rc = mmt_store_step(st, s, err)) <= 0)
		return rc;
	path = mmt_col_text(s, 0);
	inner = mmt_col_text(s, 1);
	plen = strlen(path);
	ilen = strlen(inner);
	if (ilen && plen > ilen + 1 && path[plen - ilen - 1] == '/' &&
	    !strcmp(path + plen - ilen, inner)) {
		char *tree = xstrdup(path);

		tree[plen - ilen - 1] = '\0';
		mmt_sb_addf(out, "%s of %s", inner, rm_basename(tree));
		free(tree);
	} else {
		mmt_sb_adds(out, rm_basename(path));
	}
	sqlite3_reset(s);
	return 0;
}

/* "1.2%", "<0.1%": part over whole. */
void tables_share(double part, double whole, char *out, size_t n)
{
	double pct = 100.0 * part / whole;

	snprintf(out, n, pct > 0 && pct < 0.05 ? "<0.1%%" : "%.1f%%", pct);
}

/* A time after the caption's first: its time of day alone when on the same date. */
static void later_time(double first, double t, char *out, size_t n)
{
	char a[48];

	rm_time(NULL, first, true, a, sizeof(a));
	rm_time(NULL, t, true, out, n);
	if (strlen(a) == 19 && strlen(out) == 19 && !strncmp(a, out, 11))
		memmove(out, out + 11, 9);
}

/* Why this sample: the worst moment, the peak, or the only one. */
static void caption_why(const struct moment *m, struct mmt_sb *sb)
{
	char when[48], size[32];

	if (!m->snapshot) {
		mmt_sb_addf(sb, " (slabs x 2^order x %.0f-byte pages), at a time not recorded.",
			    TABLES_PAGE_BYTES);
	} else if (m->samples == 1) {
		mmt_sb_adds(sb, ", the only slab sample.");
	} else if (!m->by_memory) {
		mmt_sb_addf(sb, ", the peak of %zu samples.", m->samples);
	} else {
		tables_bytes(m->worst_kb * 1024.0, size, sizeof(size));
		later_time(m->ts, m->worst_ts, when, sizeof(when));
		mmt_sb_addf(sb, ". This is the slab sample (of %zu) nearest the least %s, %s at %s",
			    m->samples, m->worst_key, size, when);
		if (!m->peak_elsewhere) {
			mmt_sb_adds(sb, m->peak > m->total ? ", within 1% of slab's peak." :
				    ", and slab's peak.");
			return;
		}
		tables_bytes(m->peak, size, sizeof(size));
		later_time(m->ts, m->peak_ts, when, sizeof(when));
		mmt_sb_addf(sb, "; slab peaked at %s at %s.", size, when);
	}
}

/* What the sample is and why it was chosen, above its table. */
static int caption(struct mmt_store *st, const struct moment *m, struct doc *d,
		   struct mmt_err *err)
{
	struct mmt_sb sb = MMT_SB_INIT;
	char when[48], size[32], pct[16];

	rm_time(NULL, m->ts, m->has_ts, when, sizeof(when));
	if (when[0])
		mmt_sb_addf(&sb, "At %s, ", when);
	if (source_name(st, m->source, &sb, err) < 0) {
		mmt_sb_free(&sb);
		return -1;
	}
	if (!m->snapshot)
		mmt_sb_adds(&sb, ", a copy of /sys/kernel/slab");
	tables_bytes(m->total, size, sizeof(size));
	mmt_sb_addf(&sb, ": slab %s", size);
	if (m->memtotal_kb > 0) {
		tables_share(m->total, 1024.0 * (double)m->memtotal_kb, pct, sizeof(pct));
		mmt_sb_addf(&sb, ", %s of MemTotal", pct);
	}
	caption_why(m, &sb);
	d->ops->para(d, mmt_sb_str(&sb));
	mmt_sb_free(&sb);
	return 0;
}

int tables_merge_group(struct mmt_store *st, int64_t machine, const char *cache,
		       struct tables_group *g, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_merged, err);
	size_t cap = 0;
	int rc;

	memset(g, 0, sizeof(*g));
	if (!s)
		return -1;
	mmt_bind_int(s, 1, machine);
	mmt_bind_text(s, 2, cache);
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		if (!g->real)
			g->real = xstrdup(mmt_col_text(s, 0));
		xgrow((void **)&g->alias, &cap, g->n + 1, sizeof(*g->alias));
		g->alias[g->n++] = xstrdup(mmt_col_text(s, 1));
	}
	return rc;
}

void tables_group_free(struct tables_group *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->alias[i]);
	free(g->alias);
	free(g->real);
	memset(g, 0, sizeof(*g));
}

/* "ext4_fc_dentry_update (:a-0000104)", "none". */
int tables_merged_with(struct mmt_store *st, int64_t machine, const char *cache,
		       struct mmt_sb *out, struct mmt_err *err)
{
	struct tables_group g;
	int rc = tables_merge_group(st, machine, cache, &g, err);

	for (size_t i = 0; i < g.n && i < MERGED_LISTED; i++)
		mmt_sb_addf(out, "%s%s", i ? ", " : "", g.alias[i]);
	if (g.n > MERGED_LISTED)
		mmt_sb_addf(out, " and %zu more", g.n - MERGED_LISTED);
	if (g.real && strcmp(g.real, cache))
		mmt_sb_addf(out, " (%s)", g.real);
	if (!g.n)
		mmt_sb_adds(out, "none");
	tables_group_free(&g);
	return rc;
}

/* The largest caches of the sample (or sysfs copy), one row each. */
static int slab_rows(struct mmt_store *st, const struct moment *m, struct tbl *t,
		     struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, m->snapshot ? sql_top_sample : sql_top_sysfs, err);
	char size[32], n[32];
	int rc;

	if (!s)
		return -1;
	mmt_bind_int(s, 1, m->snapshot ? m->snapshot : m->source);
	mmt_bind_int(s, 2, TABLES_SLAB_ROWS);
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		struct mmt_sb group = MMT_SB_INIT;
		size_t c = 0;

		tbl_row(t);
		tbl_set(t, c++, "%s", mmt_col_text(s, 0));
		tables_bytes(sqlite3_column_double(s, 1), size, sizeof(size));
		tbl_set(t, c++, "%s", size);
		tables_count(sqlite3_column_int64(s, 2), n, sizeof(n));
		tbl_set(t, c++, "%s", mmt_col_null(s, 2) ? "-" : n);
		tbl_set(t, c++, mmt_col_null(s, 3) ? "-" : "%lld B",
			(long long)sqlite3_column_int64(s, 3));
		if (m->memtotal_kb > 0) {
			tables_share(sqlite3_column_double(s, 1), 1024.0 * (double)m->memtotal_kb,
				     size, sizeof(size));
			tbl_set(t, c++, "%s", size);
		}
		if (m->listing &&
		    tables_merged_with(st, m->machine, mmt_col_text(s, 0), &group, err) < 0)
			rc = -1;
		if (m->listing)
			tbl_set(t, c++, "%s", mmt_sb_str(&group));
		mmt_sb_free(&group);
		if (rc < 0)
			break;
	}
	return rc;
}

static int moment_table(struct mmt_store *st, struct moment *m, struct doc *d,
			struct mmt_err *err)
{
	const char *head[6] = { "cache", "size", "objects", "object size" };
	struct tbl t = { .ncol = 4 };
	int rc;

	if ((m->kind[0] && choose_sample(st, m, err) < 0) || machine_facts(st, m, err) < 0)
		return -1;
	if (m->memtotal_kb > 0)
		head[t.ncol++] = "of MemTotal";
	if (m->listing)
		head[t.ncol++] = "merged with";
	if (caption(st, m, d, err) < 0)
		return -1;
	rc = slab_rows(st, m, &t, err);
	return tbl_emit(&t, d, NULL, head, rc);
}

int tables_slab(struct mmt_store *st, const struct rm_model *rm, struct doc *d,
		struct mmt_err *err)
{
	struct moments all = { 0 };
	int rc = find_moments(st, &all, err);

	for (size_t i = 0; rc == 0 && i < all.n; i++) {
		if (i == 0)
			d->ops->heading(d, "Slab caches at the worst moment");
		rc = moment_table(st, &all.v[i], d, err);
	}
	if (rc == 0 && !all.n)
		rc = tables_slab_oom(st, rm, d, err);
	free(all.v);
	return rc;
}
