/*
 * /proc/zoneinfo, /proc/buddyinfo and /proc/pagetypeinfo: the state of
 * each memory zone, once or as series (parsers/series.h).
 *
 * zoneinfo goes to zone_values, per node and zone (zone NULL for the
 * "per-node stats" block of 4.8+ kernels); buddyinfo and the free lists of
 * pagetypeinfo go to free_areas; pagetypeinfo's block counts per
 * migratetype to zone_values (blocks_<type>), its page block order and
 * size to state_values. Every layout from 2.6 to 6.x is read: the 2.6
 * "scanned 0 (a: 0 i: 0)", the colon names of old kernels
 * ("all_unreclaimable:"), the ">100000" of capped free lists.
 */
#include "parsers/series.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define FIELDS_MAX 48		/* Node, zone, type and the order or type columns */
#define ZONE_NAME_MAX 32
#define TYPES_MAX 16		/* migratetypes of the block tables */

static const char sql_insert_free_area[] =
	"INSERT INTO free_areas (snapshot_id, node, zone, migratetype, \"order\", count, capped) "
	"VALUES (?, ?, ?, ?, ?, ?, ?)";

static int bad_line(struct mmt_series *sr, const char *what, const char *s, size_t n)
{
	return mmt_series_fail(sr, "not a %s line: '%.*s'", what, (int)(n > 80 ? 80 : n), s);
}

static bool starts_with(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	return n >= k && !memcmp(s, lit, k);
}

static size_t trim_right(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

/* "Node" "0," "zone" "DMA" (or "DMA," in pagetypeinfo): node and zone name. */
static int node_zone(struct mmt_series *sr, const struct mmt_field *f, int *node,
		     char zone[ZONE_NAME_MAX])
{
	struct mmt_field num = f[1], name = f[3];
	uint64_t v;

	*node = -1;
	zone[0] = '\0';
	if (!mmt_field_is(&f[0], "Node") || !mmt_field_is(&f[2], "zone") || num.n < 2 ||
	    num.s[num.n - 1] != ',')
		return mmt_series_fail(sr, "expected 'Node N, zone NAME'");
	num.n--;
	if (mmt_series_u64(sr, &num, "node", &v) < 0)
		return -1;
	if (v > INT_MAX)
		return mmt_series_fail(sr, "node %llu is out of range", (unsigned long long)v);
	if (name.n && name.s[name.n - 1] == ',')
		name.n--;
	if (name.n == 0 || name.n >= ZONE_NAME_MAX)
		return mmt_series_fail(sr, "bad zone name '%.*s'", (int)(f[3].n > 40 ? 40 : f[3].n),
				       f[3].s);
	memcpy(zone, name.s, name.n);
	zone[name.n] = '\0';
	*node = (int)v;
	return 0;
}

/* One row of free_areas; type NULL for buddyinfo. */
static int store_free_area(struct mmt_series *sr, int node, const char *zone,
			   const struct mmt_field *type, int order, int64_t count, bool capped)
{
	sqlite3_stmt *s = mmt_series_stmt(sr, sql_insert_free_area, true);

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, mmt_series_snapshot(sr));
	sqlite3_bind_int(s, 2, node);
	mmt_bind_text(s, 3, zone);
	if (type)
		mmt_bind_textn(s, 4, type->s, type->n);
	else
		sqlite3_bind_null(s, 4);
	sqlite3_bind_int(s, 5, order);
	sqlite3_bind_int64(s, 6, count);
	sqlite3_bind_int(s, 7, capped);
	return mmt_series_run(sr, s);
}

/* ---- zoneinfo ------------------------------------------------------------ */

struct zoneinfo_state {
	int node;
	char zone[ZONE_NAME_MAX];
	bool have_zone;		/* a Node line opened a zone in this sample */
	bool have_free;		/* the zone printed its "pages free" */
	long zone_line;
	bool node_stats;	/* inside "per-node stats": values of the node, zone NULL */
	bool pagesets;		/* inside the per-CPU pagesets, which are skipped */
	bool warned_unnamed;	/* the file's first value without a name was reported */
};

/*
 * Which zoneinfo items are counters: the vmstat items it prints (nr_*,
 * numa_*, workingset_*, pg*) as the vmstat parser classes them, since the
 * two share state_keys; the zone's own lines (free, min, managed,
 * protection_N, start_pfn, ...) are gauges.
 */
static bool zone_item_is_counter(const char *s, size_t n)
{
	if (starts_with(s, n, "nr_") || starts_with(s, n, "numa_") ||
	    starts_with(s, n, "workingset_") || starts_with(s, n, "pg"))
		return mmt_vmstat_is_counter(s, n);
	return false;
}

static int zone_value(struct mmt_series *sr, struct zoneinfo_state *zs, const char *name,
		      size_t n, int64_t v)
{
	return mmt_series_zone_value(sr, zs->node, zs->node_stats ? NULL : zs->zone, name, n,
				     zone_item_is_counter(name, n), v);
}

/*
 * The per-CPU pagesets ("cpu: 0", "count: 12", "high: 186", "batch: 31",
 * "high_min:", "high_max:", "vm stats threshold: 8", 2.6's "cpu: 0 pcp: 1")
 * are skipped: they are per-CPU cache sizes, tuning rather than state, and
 * would multiply the rows by the number of CPUs.
 */
static bool pageset_line(const struct mmt_field *f, size_t nf)
{
	static const char *const names[] = {
		"cpu:", "count:", "high:", "batch:", "high_min:", "high_max:", NULL,
	};

	if (nf >= 3 && mmt_field_is(&f[0], "vm") && mmt_field_is(&f[1], "stats"))
		return true;
	for (size_t i = 0; names[i]; i++)
		if (mmt_field_is(&f[0], names[i]))
			return true;
	return false;
}

static int zone_start(struct mmt_series *sr, struct zoneinfo_state *zs,
		      const struct mmt_field *f, size_t nf, const char *s, size_t n)
{
	if (nf != 4)
		return bad_line(sr, "zoneinfo zone", s, n);
	if (zs->have_zone && !zs->have_free)
		return mmt_series_fail(sr, "zone %s of node %d (line %ld) has no 'pages free' line",
				       zs->zone, zs->node, zs->zone_line);
	if (node_zone(sr, f, &zs->node, zs->zone) < 0)
		return -1;
	zs->have_zone = true;
	zs->have_free = false;
	zs->zone_line = mmt_series_lineno(sr);
	zs->node_stats = zs->pagesets = false;
	return 0;
}

/* "protection: (0, 2815, 23900, 23900)": protection_0 .. protection_N. */
static int zone_protection(struct mmt_series *sr, struct zoneinfo_state *zs,
			   const struct mmt_field *f, size_t nf)
{
	if (nf < 2 || nf > FIELDS_MAX || f[1].s[0] != '(' ||
	    f[nf - 1].s[f[nf - 1].n - 1] != ')')
		return mmt_series_fail(sr, "the protection list is not '(N, N, ...)'");
	for (size_t i = 1; i < nf; i++) {
		struct mmt_field num = f[i];
		char name[32];
		int64_t v;

		if (i == 1) {
			num.s++;
			num.n--;
		}
		if (num.n && num.s[num.n - 1] == (i == nf - 1 ? ')' : ','))
			num.n--;
		else
			return mmt_series_fail(sr, "the protection list is not '(N, N, ...)'");
		if (mmt_series_i64(sr, &num, "protection", &v) < 0)
			return -1;
		snprintf(name, sizeof(name), "protection_%zu", i - 1);
		if (zone_value(sr, zs, name, strlen(name), v) < 0)
			return -1;
	}
	return 0;
}

/* "nr_free_pages 3840", "managed  3840", "start_pfn:  1", "scanned  0 (a: 0 i: 0)". */
static int zone_item(struct mmt_series *sr, struct zoneinfo_state *zs,
		     const struct mmt_field *f, size_t nf, const char *s, size_t n)
{
	struct mmt_field name = f[0];
	int64_t v;

	/*
	 * Some kernels print a per-node value with an empty name (RHEL 8.0's
	 * 4.18.0-80 does, after nr_written): nothing can tell what it is.
	 */
	if (nf == 1 && mmt_parse_i64(f[0].s, f[0].n, &v) == MMT_NUM_OK) {
		if (!zs->warned_unnamed)
			mmt_series_warn(sr, "a value without a name is skipped");
		zs->warned_unnamed = true;
		return 0;
	}
	if (nf < 2 || (nf > 2 && f[2].s[0] != '('))
		return bad_line(sr, "zoneinfo", s, n);
	if (name.s[name.n - 1] == ':')
		name.n--;
	if (name.n == 0)
		return bad_line(sr, "zoneinfo", s, n);
	if (mmt_series_i64(sr, &f[1], "value", &v) < 0)
		return -1;
	return zone_value(sr, zs, name.s, name.n, v);
}

static int zoneinfo_line(struct mmt_series *sr, void *state, const char *s, size_t n)
{
	struct zoneinfo_state *zs = state;
	struct mmt_field f[FIELDS_MAX];
	size_t nf = mmt_fields_split(s, n, f, FIELDS_MAX);
	int64_t v;

	if (nf == 0)
		return 0;
	if (mmt_field_is(&f[0], "Node"))
		return zone_start(sr, zs, f, nf, s, n);
	if (!zs->have_zone)
		return mmt_series_fail(sr, "a zoneinfo sample must start with 'Node N, zone NAME'");
	if (zs->pagesets && pageset_line(f, nf))
		return 0;
	zs->pagesets = false;
	if (nf == 2 && mmt_field_is(&f[0], "per-node") && mmt_field_is(&f[1], "stats")) {
		zs->node_stats = true;
		return 0;
	}
	if (nf == 1 && mmt_field_is(&f[0], "pagesets")) {
		zs->pagesets = true;
		return 0;
	}
	if (mmt_field_is(&f[0], "pages") && nf >= 2 && mmt_field_is(&f[1], "free")) {
		if (nf != 3)
			return bad_line(sr, "zoneinfo", s, n);
		zs->node_stats = false;
		zs->have_free = true;
		if (mmt_series_i64(sr, &f[2], "pages free", &v) < 0)
			return -1;
		return zone_value(sr, zs, "free", 4, v);
	}
	if (mmt_field_is(&f[0], "protection:"))
		return zone_protection(sr, zs, f, nf);
	return zone_item(sr, zs, f, nf, s, n);
}

static int zoneinfo_end(struct mmt_series *sr, void *state)
{
	struct zoneinfo_state *zs = state;
	bool complete = zs->have_free;

	zs->have_zone = false;
	if (!complete)
		return mmt_series_fail(sr, "zone %s of node %d (line %ld) has no 'pages free' line",
				       zs->zone, zs->node, zs->zone_line);
	return 0;
}

/* A sample starts where its first line, "Node 0, zone      DMA", comes again. */
static bool same_line(const char *s, size_t n, const char *first, size_t firstn)
{
	n = trim_right(s, n);
	firstn = trim_right(first, firstn);
	return n == firstn && !memcmp(s, first, n);
}

static const struct mmt_series_format zoneinfo_format = {
	.kind = "zoneinfo",
	.starts_sample = same_line,
	.line = zoneinfo_line,
	.end_sample = zoneinfo_end,
	.state_size = sizeof(struct zoneinfo_state),
};

/* The first line of the head, without the series' date lines. */
static const char *first_line(const char *head, size_t len, size_t *n, size_t *rest)
{
	const char *p = mmt_series_skip_preamble(head, len, rest);
	const char *nl = memchr(p, '\n', *rest);

	*n = nl ? (size_t)(nl - p) : *rest;
	return p;
}

/* "Node 0, zone DMA" followed by nothing (zoneinfo) or by counts (buddyinfo). */
static size_t node_zone_fields(const char *s, size_t n)
{
	struct mmt_field f[4];
	size_t nf = mmt_fields_split(s, n, f, 4);

	if (nf < 4 || !mmt_field_is(&f[0], "Node") || !mmt_field_is(&f[2], "zone") ||
	    f[1].n < 2 || f[1].s[f[1].n - 1] != ',')
		return 0;
	return nf;
}

static int zoneinfo_probe(const char *head, size_t len)
{
	size_t n, rest;
	const char *p = first_line(head, len, &n, &rest);

	if (node_zone_fields(p, n) != 4 || n == rest)
		return 0;
	p += n + 1;
	rest -= n + 1;
	while (rest && (*p == ' ' || *p == '\t')) {
		p++;
		rest--;
	}
	return starts_with(p, rest, "pages free") || starts_with(p, rest, "per-node stats")
		? 95 : 0;
}

static int zoneinfo_parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	return mmt_series_parse(&zoneinfo_format, in, st, err);
}

const struct mmt_parser mmt_parser_zoneinfo = {
	.name = "zoneinfo",
	.help = "/proc/zoneinfo, once or as a series",
	.probe = zoneinfo_probe,
	.parse = zoneinfo_parse,
	.hashes_input = true,
	.named_samples = true,
};

/* ---- buddyinfo ----------------------------------------------------------- */

struct buddyinfo_state {
	size_t orders;		/* columns of the sample's first line, 0 before it */
};

/* "Node 0, zone   Normal   1764   2424    301 ...": free blocks of order 0, 1, ... */
static int buddyinfo_line(struct mmt_series *sr, void *state, const char *s, size_t n)
{
	struct buddyinfo_state *bs = state;
	struct mmt_field f[FIELDS_MAX];
	size_t nf = mmt_fields_split(s, n, f, FIELDS_MAX);
	char zone[ZONE_NAME_MAX];
	int node;

	if (nf < 5 || nf > FIELDS_MAX || !mmt_field_is(&f[0], "Node"))
		return bad_line(sr, "buddyinfo", s, n);
	if (node_zone(sr, f, &node, zone) < 0)
		return -1;
	if (!bs->orders)
		bs->orders = nf - 4;
	else if (nf - 4 != bs->orders)
		return mmt_series_fail(sr, "%zu free counts where the first line of the sample "
				       "has %zu", nf - 4, bs->orders);
	for (size_t i = 4; i < nf; i++) {
		uint64_t v;

		if (mmt_series_u64(sr, &f[i], "free count", &v) < 0 ||
		    store_free_area(sr, node, zone, NULL, (int)(i - 4), (int64_t)v, false) < 0)
			return -1;
	}
	return 0;
}

static int buddyinfo_end(struct mmt_series *sr, void *state)
{
	struct buddyinfo_state *bs = state;

	bs->orders = 0;
	return 0;
}

/* Node and zone of the sample's first line come again (the counts differ). */
static bool buddyinfo_starts(const char *s, size_t n, const char *first, size_t firstn)
{
	struct mmt_field a[4], b[4];

	if (mmt_fields_split(s, n, a, 4) < 4 || mmt_fields_split(first, firstn, b, 4) < 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (a[i].n != b[i].n || memcmp(a[i].s, b[i].s, a[i].n))
			return false;
	return true;
}

static const struct mmt_series_format buddyinfo_format = {
	.kind = "buddyinfo",
	.starts_sample = buddyinfo_starts,
	.line = buddyinfo_line,
	.end_sample = buddyinfo_end,
	.state_size = sizeof(struct buddyinfo_state),
};

static int buddyinfo_probe(const char *head, size_t len)
{
	size_t n, rest;
	const char *p = first_line(head, len, &n, &rest);
	struct mmt_field f[FIELDS_MAX];
	size_t nf = mmt_fields_split(p, n, f, FIELDS_MAX);
	uint64_t v;

	if (node_zone_fields(p, n) < 5 || nf > FIELDS_MAX)
		return 0;
	for (size_t i = 4; i < nf; i++)
		if (mmt_parse_u64(f[i].s, f[i].n, &v) != MMT_NUM_OK)
			return 0;
	return 90;
}

static int buddyinfo_parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	return mmt_series_parse(&buddyinfo_format, in, st, err);
}

const struct mmt_parser mmt_parser_buddyinfo = {
	.name = "buddyinfo",
	.help = "/proc/buddyinfo, once or as a series",
	.probe = buddyinfo_probe,
	.parse = buddyinfo_parse,
	.hashes_input = true,
	.named_samples = true,
};

/* ---- pagetypeinfo -------------------------------------------------------- */

struct pagetype_state {
	size_t orders;		/* columns of the free-list table, 0 before its header */
	size_t types;		/* columns of the block table, 0 before its header */
	char keys[TYPES_MAX][48];	/* "blocks_Unmovable", "mixed_blocks_CMA" */
	size_t keylen[TYPES_MAX];
};

/* "Page block order: 9", "Pages per block:  512". */
static int pagetype_setting(struct mmt_series *sr, const struct mmt_field *f, size_t nf,
			    const char *key, const char *s, size_t n)
{
	uint64_t v;

	if (nf != 4)
		return bad_line(sr, "pagetypeinfo", s, n);
	if (mmt_series_u64(sr, &f[3], key, &v) < 0)
		return -1;
	return mmt_series_value(sr, key, strlen(key), false, (int64_t)v);
}

/* "Free pages count per migrate type at order       0      1 ...": orders 0..N-1. */
static int free_list_header(struct mmt_series *sr, struct pagetype_state *ps,
			    const struct mmt_field *f, size_t nf, const char *s, size_t n)
{
	if (nf < 9 || nf > FIELDS_MAX || !mmt_field_is(&f[7], "order"))
		return bad_line(sr, "pagetypeinfo header", s, n);
	for (size_t i = 8; i < nf; i++) {
		uint64_t v;

		if (mmt_series_u64(sr, &f[i], "order", &v) < 0)
			return -1;
		if (v != i - 8)
			return mmt_series_fail(sr, "order %llu where %zu was expected",
					       (unsigned long long)v, i - 8);
	}
	ps->orders = nf - 8;
	return 0;
}

/* "Node    0, zone      DMA, type    Unmovable      0 ... >100000 ...". */
static int free_list_row(struct mmt_series *sr, struct pagetype_state *ps,
			 const struct mmt_field *f, size_t nf)
{
	char zone[ZONE_NAME_MAX];
	int node;

	if (!ps->orders)
		return mmt_series_fail(sr, "a free list before the 'Free pages count' header");
	if (node_zone(sr, f, &node, zone) < 0)
		return -1;
	if (nf - 6 != ps->orders)
		return mmt_series_fail(sr, "%zu free counts where the header has %zu orders",
				       nf - 6, ps->orders);
	for (size_t i = 6; i < nf; i++) {
		/* Since 5.6 the kernel stops counting a list at 100000: ">100000". */
		struct mmt_field num = f[i];
		bool capped = num.s[0] == '>';
		uint64_t v;

		num.s += capped;
		num.n -= capped;
		if (mmt_series_u64(sr, &num, "free count", &v) < 0 ||
		    store_free_area(sr, node, zone, &f[5], (int)(i - 6), (int64_t)v, capped) < 0)
			return -1;
	}
	return 0;
}

/*
 * "Number of blocks type     Unmovable      Movable ...", and with page_owner
 * "Number of mixed blocks    Unmovable ...": the keys of the rows below.
 */
static int block_header(struct mmt_series *sr, struct pagetype_state *ps,
			const struct mmt_field *f, size_t nf, const char *s, size_t n)
{
	bool mixed = nf >= 4 && mmt_field_is(&f[2], "mixed") && mmt_field_is(&f[3], "blocks");
	bool blocks = nf >= 4 && mmt_field_is(&f[2], "blocks") && mmt_field_is(&f[3], "type");

	if ((!mixed && !blocks) || nf < 5 || !mmt_field_is(&f[1], "of"))
		return bad_line(sr, "pagetypeinfo header", s, n);
	if (nf - 4 > TYPES_MAX)
		return mmt_series_fail(sr, "more than %d migratetypes", TYPES_MAX);
	for (size_t i = 4; i < nf; i++) {
		int k = snprintf(ps->keys[i - 4], sizeof(ps->keys[0]), "%s%.*s",
				 mixed ? "mixed_blocks_" : "blocks_", (int)f[i].n, f[i].s);

		if (k < 0 || (size_t)k >= sizeof(ps->keys[0]))
			return mmt_series_fail(sr, "migratetype name too long");
		ps->keylen[i - 4] = (size_t)k;
	}
	ps->types = nf - 4;
	return 0;
}

/* "Node 0, zone      DMA            1            7 ...": blocks per migratetype. */
static int block_row(struct mmt_series *sr, struct pagetype_state *ps,
		     const struct mmt_field *f, size_t nf)
{
	char zone[ZONE_NAME_MAX];
	int node;

	if (!ps->types)
		return mmt_series_fail(sr, "a block count before the 'Number of blocks' header");
	if (node_zone(sr, f, &node, zone) < 0)
		return -1;
	if (nf - 4 != ps->types)
		return mmt_series_fail(sr, "%zu block counts where the header has %zu types",
				       nf - 4, ps->types);
	for (size_t i = 4; i < nf; i++) {
		uint64_t v;

		if (mmt_series_u64(sr, &f[i], "block count", &v) < 0 ||
		    mmt_series_zone_value(sr, node, zone, ps->keys[i - 4], ps->keylen[i - 4],
					  false, (int64_t)v) < 0)
			return -1;
	}
	return 0;
}

static int pagetype_line(struct mmt_series *sr, void *state, const char *s, size_t n)
{
	struct pagetype_state *ps = state;
	struct mmt_field f[FIELDS_MAX];
	size_t nf = mmt_fields_split(s, n, f, FIELDS_MAX);

	if (nf > FIELDS_MAX)
		return bad_line(sr, "pagetypeinfo", s, n);
	if (starts_with(s, n, "Page block order:"))
		return pagetype_setting(sr, f, nf, "pageblock_order", s, n);
	if (starts_with(s, n, "Pages per block:"))
		return pagetype_setting(sr, f, nf, "pages_per_block", s, n);
	if (starts_with(s, n, "Free pages count per migrate type"))
		return free_list_header(sr, ps, f, nf, s, n);
	if (starts_with(s, n, "Number of "))
		return block_header(sr, ps, f, nf, s, n);
	if (nf >= 5 && mmt_field_is(&f[0], "Node")) {
		if (mmt_field_is(&f[4], "type"))
			return nf >= 7 ? free_list_row(sr, ps, f, nf)
				       : bad_line(sr, "pagetypeinfo", s, n);
		return block_row(sr, ps, f, nf);
	}
	return bad_line(sr, "pagetypeinfo", s, n);
}

static int pagetype_end(struct mmt_series *sr, void *state)
{
	struct pagetype_state *ps = state;

	ps->orders = ps->types = 0;
	return 0;
}

static bool pagetype_starts(const char *s, size_t n, const char *first, size_t firstn)
{
	return starts_with(s, n, "Page block order:");
}

static const struct mmt_series_format pagetype_format = {
	.kind = "pagetypeinfo",
	.starts_sample = pagetype_starts,
	.line = pagetype_line,
	.end_sample = pagetype_end,
	.state_size = sizeof(struct pagetype_state),
};

static int pagetype_probe(const char *head, size_t len)
{
	size_t n;
	const char *p = mmt_series_skip_preamble(head, len, &n);

	return starts_with(p, n, "Page block order:") ? 95 : 0;
}

static int pagetype_parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	return mmt_series_parse(&pagetype_format, in, st, err);
}

const struct mmt_parser mmt_parser_pagetypeinfo = {
	.name = "pagetypeinfo",
	.help = "/proc/pagetypeinfo, once or as a series",
	.probe = pagetype_probe,
	.parse = pagetype_parse,
	.hashes_input = true,
	.named_samples = true,
};
