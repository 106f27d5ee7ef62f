/*
 * crash `kmem -i` and `kmem -s`/`-S` (see crash.c for how sections are
 * found).
 *
 * `kmem -i` prints pages and a rounded size per row:
 *                  PAGES        TOTAL      PERCENTAGE
 *     TOTAL MEM  1974231       7.5 GB         ----
 *          FREE   208962     816.3 MB   10% of TOTAL MEM
 * Values are stored in kB under /proc/meminfo's names where one means the
 * same, so that the meminfo view shows them.
 *
 * `kmem -s` prints one summary row per cache; `-S` (and `kmem ADDRESS`)
 * adds each cache's slabs and objects below its row, which are skipped.
 * Newer crash puts NAME last, older crash second:
 *     CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME
 *     CACHE            NAME                 OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE
 * so the header says where each column is; names may hold blanks.
 */
#include "parsers/crash.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char sql_insert_cache[] =
	"INSERT INTO slab_caches (snapshot_id, cache, active_objs, num_objs, objsize, "
	"num_slabs, pagesperslab, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

/* kmem -i labels and the names their kB are stored under. */
static const struct {
	const char *label;
	const char *key;
} kmem_i_keys[] = {
	{ "TOTAL MEM", "MemTotal" },
	{ "FREE", "MemFree" },
	{ "USED", "crash.used" },
	{ "SHARED", "Shmem" },		/* the nearest meminfo name */
	{ "BUFFERS", "Buffers" },
	{ "CACHED", "Cached" },
	{ "SLAB", "Slab" },
	{ "TOTAL HUGE", "crash.huge_total_kb" },
	{ "HUGE FREE", "crash.huge_free_kb" },
	{ "TOTAL SWAP", "SwapTotal" },
	{ "SWAP USED", "crash.swap_used" },
	{ "SWAP FREE", "SwapFree" },
	{ "COMMIT LIMIT", "CommitLimit" },
	{ "COMMITTED", "Committed_AS" },
};

/* ---- kmem -i ---- */

bool crash_kmem_i_header(const struct mmt_field *f, size_t nf)
{
	if (nf < 2 || nf > 3 || !mmt_field_is(&f[0], "PAGES"))
		return false;
	for (size_t i = 1; i < nf; i++)
		if (!mmt_field_is(&f[i], "TOTAL") && !mmt_field_is(&f[i], "PERCENTAGE"))
			return false;
	return true;
}

static bool label_word(const struct mmt_field *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->s[i] < 'A' || f->s[i] > 'Z')
			return false;
	return f->n > 0;
}

/* The label's words joined by one blank; the number of words, 0 if none. */
static size_t read_label(const struct mmt_field *f, size_t nf, char *out, size_t size)
{
	size_t p = 0, len = 0;

	for (; p < nf && label_word(&f[p]); p++) {
		if (len + f[p].n + 2 > size)
			return 0;
		if (p)
			out[len++] = ' ';
		memcpy(out + len, f[p].s, f[p].n);
		len += f[p].n;
	}
	out[len] = '\0';
	return p;
}

/* A label crash may add: "crash." and the label in lower case, '_' for blanks. */
static const char *key_for(const char *label, char *buf, size_t size)
{
	for (size_t k = 0; k < sizeof(kmem_i_keys) / sizeof(kmem_i_keys[0]); k++)
		if (!strcmp(kmem_i_keys[k].label, label))
			return kmem_i_keys[k].key;
	snprintf(buf, size, "crash.%s", label);
	for (size_t i = 6; buf[i]; i++)
		buf[i] = (char)(buf[i] == ' ' ? '_' : buf[i] - 'A' + 'a');
	return buf;
}

/*
 * TOTAL MEM shows pages and bytes, so it tells the page size even where
 * nothing else does (64 KiB pages on ppc64 or arm64). Sizes are rounded to
 * one decimal (within 5%); page sizes are powers of two apart.
 */
static void take_page_size(struct crash *c, uint64_t pages, const struct mmt_field *f,
			   size_t nf)
{
	static const int64_t sizes[] = { 4096, 8192, 16384, 65536 };
	char buf[64];
	double bytes;

	if (nf < 2 || pages == 0 || f[0].n + f[1].n >= sizeof(buf))
		return;
	memcpy(buf, f[0].s, f[0].n);
	memcpy(buf + f[0].n, f[1].s, f[1].n);
	if (mmt_parse_size(buf, f[0].n + f[1].n, &bytes) != MMT_NUM_OK)
		return;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (fabs(bytes / (double)pages / (double)sizes[i] - 1) > 0.1 ||
		    sizes[i] == c->page_size)
			continue;
		mmt_input_warn(c->in, c->lineno, "page size taken as %lld bytes: kmem -i "
			       "shows TOTAL MEM as %llu pages and %.*s %.*s",
			       (long long)sizes[i], (unsigned long long)pages,
			       (int)f[0].n, f[0].s, (int)f[1].n, f[1].s);
		c->page_size = sizes[i];
	}
}

int crash_kmem_i_line(struct crash *c, const struct mmt_field *f, size_t nf)
{
	char label[48], buf[64];
	size_t p;
	uint64_t pages;

	if (nf > CRASH_MAX_FIELDS)
		return 0;
	/* crash's complaints ("kmem: ...") may come between rows. */
	if (mmt_field_is(&f[0], "kmem:"))
		return 1;
	p = read_label(f, nf, label, sizeof(label));
	if (p == 0 || p == nf || !crash_digits(&f[p]))
		return 0;
	if (crash_u64(c, &f[p], "kmem -i PAGES", &pages) < 0)
		return -1;
	if (!strcmp(label, "TOTAL MEM"))
		take_page_size(c, pages, f + p + 1, nf - p - 1);
	if (pages > (uint64_t)INT64_MAX / (uint64_t)c->page_size)
		return crash_fail(c, "kmem -i %s: %llu pages do not fit in 64 bits as bytes",
				  label, (unsigned long long)pages);
	if (crash_snapshot(c, "crash_kmem_i") < 0)
		return -1;
	return crash_value(c, key_for(label, buf, sizeof(buf)),
			   (int64_t)(pages * (uint64_t)c->page_size / 1024)) < 0 ? -1 : 1;
}

/* ---- kmem -s, -S ---- */

static const struct crash_colname kmem_s_names[] = {
	{ "CACHE", CRASH_COL_CACHE }, { "NAME", CRASH_COL_NAME },
	{ "OBJSIZE", CRASH_COL_OBJSIZE }, { "ALLOCATED", CRASH_COL_ALLOCATED },
	{ "TOTAL", CRASH_COL_TOTAL }, { "SLABS", CRASH_COL_SLABS },
	{ "SSIZE", CRASH_COL_SSIZE }, { NULL, CRASH_COL_OTHER },
};

static const enum crash_col kmem_s_required[] = {
	CRASH_COL_CACHE, CRASH_COL_NAME, CRASH_COL_OBJSIZE, CRASH_COL_ALLOCATED,
	CRASH_COL_TOTAL, CRASH_COL_SLABS, CRASH_COL_SSIZE, CRASH_COL_OTHER,
};

/* Loose on purpose: a header that lost a column is named in an error. */
bool crash_kmem_s_header(const struct mmt_field *f, size_t nf)
{
	if (nf < 2 || !mmt_field_is(&f[0], "CACHE"))
		return false;
	for (size_t i = 1; i < nf; i++)
		if (mmt_field_is(&f[i], "OBJSIZE") || mmt_field_is(&f[i], "ALLOCATED") ||
		    mmt_field_is(&f[i], "SSIZE"))
			return true;
	return false;
}

int crash_kmem_s_begin(struct crash *c, const struct mmt_field *f, size_t nf)
{
	return crash_table_read(c, f, nf, kmem_s_names, kmem_s_required, CRASH_COL_NAME,
				"kmem -s");
}

/* "8k": SSIZE, in KiB. */
static bool slab_size_field(const struct mmt_field *f)
{
	struct mmt_field digits = { f->s, f->n - 1 };

	return f->n >= 2 && f->s[f->n - 1] == 'k' && crash_digits(&digits);
}

/* A summary row has the header's shape; anything else is -S detail. */
static bool summary_row(const struct crash *c, const struct mmt_field *col)
{
	for (size_t i = 0; i < c->table.ncols; i++) {
		switch (c->table.col[i]) {
		case CRASH_COL_CACHE:
			if (!crash_hex(&col[i]))
				return false;
			break;
		case CRASH_COL_OBJSIZE: case CRASH_COL_ALLOCATED:
		case CRASH_COL_TOTAL: case CRASH_COL_SLABS:
			if (!crash_digits(&col[i]))
				return false;
			break;
		case CRASH_COL_SSIZE:
			if (!slab_size_field(&col[i]))
				return false;
			break;
		default:
			break;
		}
	}
	return true;
}

struct cache_row {
	struct mmt_field name;
	uint64_t objsize, allocated, total, slabs, ssize_kb;
};

/* Where a numeric column of a row goes, and its name for messages. */
static uint64_t *number_slot(struct cache_row *r, enum crash_col col, const char **what)
{
	switch (col) {
	case CRASH_COL_OBJSIZE: *what = "kmem -s OBJSIZE"; return &r->objsize;
	case CRASH_COL_ALLOCATED: *what = "kmem -s ALLOCATED"; return &r->allocated;
	case CRASH_COL_TOTAL: *what = "kmem -s TOTAL"; return &r->total;
	case CRASH_COL_SLABS: *what = "kmem -s SLABS"; return &r->slabs;
	case CRASH_COL_SSIZE: *what = "kmem -s SSIZE"; return &r->ssize_kb;
	default: return NULL;
	}
}

static int read_cache_row(struct crash *c, const struct mmt_field *col, struct cache_row *r)
{
	for (size_t i = 0; i < c->table.ncols; i++) {
		struct mmt_field f = col[i];
		const char *what;
		uint64_t *slot = number_slot(r, c->table.col[i], &what);

		if (c->table.col[i] == CRASH_COL_NAME)
			r->name = f;
		if (!slot)
			continue;
		if (c->table.col[i] == CRASH_COL_SSIZE)
			f.n--;		/* the 'k' */
		if (crash_u64(c, &f, what, slot) < 0)
			return -1;
	}
	return 0;
}

static int store_cache(struct crash *c, const struct cache_row *r)
{
	uint64_t ssize = r->ssize_kb * 1024, ps = (uint64_t)c->page_size;
	sqlite3_stmt *s;

	if (r->ssize_kb > (uint64_t)INT64_MAX / 1024 ||
	    (r->slabs && ssize > (uint64_t)INT64_MAX / r->slabs))
		return crash_fail(c, "kmem -s %.*s: %llu slabs of %lluk do not fit in 64 bits",
				  (int)r->name.n, r->name.s, (unsigned long long)r->slabs,
				  (unsigned long long)r->ssize_kb);
	if (crash_snapshot(c, "crash_kmem_s") < 0)
		return -1;
	s = mmt_store_stmt(c->st, sql_insert_cache, c->err);
	if (!s)
		return -1;
	mmt_bind_int(s, 1, c->snapshot);
	mmt_bind_textn(s, 2, r->name.s, r->name.n);
	mmt_bind_int(s, 3, (int64_t)r->allocated);
	mmt_bind_int(s, 4, (int64_t)r->total);
	mmt_bind_int(s, 5, (int64_t)r->objsize);
	mmt_bind_int(s, 6, (int64_t)r->slabs);
	/* A slab is 2^order pages; a size that is not says the page size is unknown. */
	mmt_bind_int_opt(s, 7, (int64_t)(ssize / ps), ssize && ssize % ps == 0);
	mmt_bind_int(s, 8, (int64_t)(r->slabs * ssize));
	return mmt_store_run(c->st, s, c->err);
}

int crash_kmem_s_line(struct crash *c, const struct mmt_field *f, size_t nf)
{
	struct mmt_field col[CRASH_MAX_COLS];
	struct cache_row r = { { NULL, 0 }, 0, 0, 0, 0, 0 };

	if (!crash_table_row(c, f, nf, col) || !summary_row(c, col))
		return 1;
	if (read_cache_row(c, col, &r) < 0 || store_cache(c, &r) < 0)
		return -1;
	return 1;
}
