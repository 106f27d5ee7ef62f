/*
 * Blocked tasks by wait class and allocation failures by GFP context, as
 * tables of the full human report, with the helpers every table of
 * tables.h shares. Both read grouped rows (a task, or a task with one mask
 * and order) so that a log repeating the same report a thousand times
 * costs a thousand rows to SQLite, not to the report.
 */
#include "cmd/render/tables.h"
#include "core/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define TASKS_LISTED 4		/* comm:pid named in a cell; the rest counted */
#define SITES_LISTED 3		/* wait sites, masks */

/* ------------------------------------------------------------ helpers */

/*
 * Names counted in the order they first came: tasks, wait sites, masks.
 * Found by a linear search: the queries group rows already, so a table
 * holds few names per cell and at most one per distinct task.
 */
struct tally {
	struct tally_item { char *key; int64_t n; } *v;
	size_t n, cap;
};

void tbl_row(struct tbl *t)
{
	xgrow((void **)&t->cells, &t->cap, (t->n + 1) * t->ncol, sizeof(char *));
	for (size_t c = 0; c < t->ncol; c++)
		t->cells[t->n * t->ncol + c] = NULL;
	t->n++;
}

void tbl_set(struct tbl *t, size_t col, const char *fmt, ...)
{
	struct mmt_sb sb = MMT_SB_INIT;
	char **cell = &t->cells[(t->n - 1) * t->ncol + col];
	va_list ap;

	va_start(ap, fmt);
	mmt_sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(*cell);
	*cell = xstrdup(mmt_sb_str(&sb));
	mmt_sb_free(&sb);
}

void tbl_free(struct tbl *t)
{
	for (size_t i = 0; i < t->n * t->ncol; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n = t->cap = 0;
}

int tbl_emit(struct tbl *t, struct doc *d, const char *heading, const char *const *head, int rc)
{
	for (size_t i = 0; i < t->n * t->ncol; i++)
		if (!t->cells[i])
			t->cells[i] = xstrdup("");
	if (rc == 0 && t->n && heading)
		d->ops->heading(d, heading);
	if (rc == 0 && t->n)
		d->ops->table(d, head, t->ncol, t->cells, t->n);
	tbl_free(t);
	return rc;
}

static void tally_add(struct tally *t, const char *key, int64_t n)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].key, key)) {
			t->v[i].n += n;
			return;
		}
	xgrow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v));
	t->v[t->n].key = xstrdup(key);
	t->v[t->n++].n = n;
}

static void more(size_t shown, size_t all, struct mmt_sb *out)
{
	if (all > shown)
		mmt_sb_addf(out, " and %zu more", all - shown);
}

static void tally_first(const struct tally *t, size_t k, struct mmt_sb *out)
{
	for (size_t i = 0; i < t->n && i < k; i++)
		mmt_sb_addf(out, "%s%s", i ? ", " : "", t->v[i].key);
	more(k, t->n, out);
}

/* The largest count not yet taken (the first of equals), marked in taken. */
static size_t next_top(const struct tally *t, bool *taken)
{
	size_t best = t->n;

	for (size_t i = 0; i < t->n; i++)
		if (!taken[i] && (best == t->n || t->v[i].n > t->v[best].n))
			best = i;
	taken[best] = true;
	return best;
}

static void tally_top(const struct tally *t, size_t k, struct mmt_sb *out)
{
	bool *taken = xcalloc(t->n + 1, sizeof(bool));

	for (size_t i = 0; i < t->n && i < k; i++) {
		size_t b = next_top(t, taken);

		mmt_sb_addf(out, "%s%s %lld", i ? ", " : "", t->v[b].key, (long long)t->v[b].n);
	}
	more(k, t->n, out);
	free(taken);
}

static void tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* A cell from a tally: its k largest counts (top), else its first k names. */
static void tbl_tally(struct tbl *t, size_t col, const struct tally *ta, size_t k, bool top)
{
	struct mmt_sb sb = MMT_SB_INIT;

	if (top)
		tally_top(ta, k, &sb);
	else
		tally_first(ta, k, &sb);
	tbl_set(t, col, "%s", mmt_sb_str(&sb));
	mmt_sb_free(&sb);
}

void tables_bytes(double bytes, char *out, size_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(out, n, "%.0f B", bytes);
		return;
	}
	for (v = bytes / 1024; v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0]); u++)
		v /= 1024;
	snprintf(out, n, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void tables_count(int64_t v, char *out, size_t n)
{
	char digits[32];
	size_t len, o = 0;

	snprintf(digits, sizeof(digits), "%lld", (long long)v);
	len = strlen(digits);
	for (size_t i = 0; i < len && o + 2 < n; i++) {
		if (i && digits[i - 1] != '-' && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* ------------------------------------------------ blocked tasks by wait class */

/*
 * One row a task and wait class (a task reported again and again is one
 * task), the classes with the most tasks first: the wait site and culprit
 * of its longest-blocked report, its first time.
 */
static const char sql_blocked[] =
	"SELECT b.wait_class, b.pid, ifnull(b.comm, ''), max(b.blocked_secs), "
	"ifnull(b.wait_site, ''), ifnull(b.culprit, ''), "
	"min(b.t + ifnull(s.t_offset, 0)) AS first "
	"FROM blocked_tasks b JOIN sources s ON s.id = b.source_id "
	"GROUP BY b.wait_class, b.pid, b.comm "
	"ORDER BY count(*) OVER (PARTITION BY b.wait_class) DESC, b.wait_class, first, b.pid";

enum { BT_CLASS, BT_TASKS, BT_LONGEST, BT_WHERE, BT_WHO, BT_COLS };

struct wait_group {
	char cls[32];
	struct tally tasks, sites, culprits;
	int64_t longest;
	bool has_longest;
};

static void wait_group_row(struct tbl *t, struct wait_group *g)
{
	struct mmt_sb sb = MMT_SB_INIT;

	tbl_row(t);
	tbl_set(t, BT_CLASS, "%s", g->cls);
	tbl_set(t, BT_TASKS, "%zu", g->tasks.n);
	if (g->has_longest)
		tbl_set(t, BT_LONGEST, "%lld s", (long long)g->longest);
	else
		tbl_set(t, BT_LONGEST, "-");
	tally_top(&g->sites, SITES_LISTED, &sb);
	if (g->culprits.n)
		mmt_sb_adds(&sb, "; from ");
	tally_top(&g->culprits, SITES_LISTED, &sb);
	tbl_set(t, BT_WHERE, "%s", mmt_sb_str(&sb));
	mmt_sb_free(&sb);
	tbl_tally(t, BT_WHO, &g->tasks, TASKS_LISTED, false);
	tally_free(&g->tasks);
	tally_free(&g->sites);
	tally_free(&g->culprits);
}

/* The site a task sleeps at, and the culprit when it names another function. */
static void wait_group_add(struct wait_group *g, sqlite3_stmt *s)
{
	const char *site = mmt_col_text(s, 4), *culprit = mmt_col_text(s, 5);
	char task[128];

	snprintf(task, sizeof(task), mmt_col_null(s, 1) ? "%s" : "%s:%lld",
		 mmt_col_text(s, 2), (long long)sqlite3_column_int64(s, 1));
	tally_add(&g->tasks, task, 1);
	tally_add(&g->sites, site[0] ? site : "?", 1);
	if (culprit[0] && strcmp(site, culprit))
		tally_add(&g->culprits, culprit, 1);
	if (!mmt_col_null(s, 3) && (!g->has_longest || sqlite3_column_int64(s, 3) > g->longest)) {
		g->longest = sqlite3_column_int64(s, 3);
		g->has_longest = true;
	}
}

static int blocked_tasks(struct mmt_store *st, struct doc *d, struct mmt_err *err)
{
	static const char *const head[BT_COLS] = { "wait class", "tasks", "longest blocked",
						   "waits at (tasks)", "comm:pid" };
	sqlite3_stmt *s = mmt_store_stmt(st, sql_blocked, err);
	struct tbl t = { .ncol = BT_COLS };
	struct wait_group g = { 0 };
	int rc;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		const char *cls = mmt_col_text(s, 0);

		if (g.tasks.n && strcmp(g.cls, cls))
			wait_group_row(&t, &g);
		if (!g.tasks.n) {
			memset(&g, 0, sizeof(g));
			snprintf(g.cls, sizeof(g.cls), "%s", cls);
		}
		wait_group_add(&g, s);
	}
	if (g.tasks.n)
		wait_group_row(&t, &g);
	return tbl_emit(&t, d, "Blocked tasks by wait class", head, rc);
}

/* -------------------------------------------- allocation failures by GFP context */

/* One row a task, mask, order and source, in the order they first failed. */
static const char sql_allocs[] =
	"SELECT r.kind, r.pid, ifnull(r.comm, ''), r.gfp_mask, r.gfp_names, "
	"ifnull(r.kernel, ''), r.alloc_order, count(*), "
	"min(r.t + ifnull(s.t_offset, 0)) AS first, max(r.t + ifnull(s.t_offset, 0)), "
	"r.source_id FROM reports r JOIN sources s ON s.id = r.source_id "
	"WHERE r.kind IN ('alloc_failure', 'alloc_stall') "
	"GROUP BY r.kind, r.pid, r.comm, r.gfp_mask, r.gfp_names, r.kernel, r.alloc_order, "
	"r.source_id ORDER BY first IS NULL, first, min(r.id)";

/* The contexts in the order of the table: the most constrained first. */
static const char *const contexts[] = { "atomic", "nowait", "noio", "nofs", "full", NULL };
#define NCONTEXTS (sizeof(contexts) / sizeof(contexts[0]))

enum { AF_CONTEXT, AF_REPORTS, AF_ORDERS, AF_FIRST, AF_LAST, AF_MASKS, AF_TASKS, AF_COLS };

struct alloc_group {
	int64_t failures, stalls;
	uint64_t orders;		/* bit N: order N seen */
	bool order_unknown, has_t;
	double t0, t1;
	const struct rm_source *src0, *src1;
	struct tally masks, tasks;
};

static size_t context_index(const char *ctx)
{
	for (size_t i = 0; ctx && i + 1 < NCONTEXTS; i++)
		if (!strcmp(contexts[i], ctx))
			return i;
	return NCONTEXTS - 1;
}

static void alloc_times(struct alloc_group *g, sqlite3_stmt *s, const struct rm_source *src)
{
	double t0 = sqlite3_column_double(s, 8), t1 = sqlite3_column_double(s, 9);

	if (mmt_col_null(s, 8))
		return;
	if (!g->has_t || t0 < g->t0)
		g->t0 = t0, g->src0 = src;
	if (!g->has_t || t1 > g->t1)
		g->t1 = t1, g->src1 = src;
	g->has_t = true;
}

static void alloc_add(struct alloc_group *groups, const struct rm_model *m, sqlite3_stmt *s)
{
	char flags[512], key[600], task[128];
	const char *mask = mmt_col_null(s, 3) ? NULL : mmt_col_text(s, 3);
	const char *ctx = rm_gfp_decode(mask, mmt_col_null(s, 4) ? NULL : mmt_col_text(s, 4),
					mmt_col_text(s, 5), flags, sizeof(flags));
	struct alloc_group *g = &groups[context_index(ctx)];
	int64_t n = sqlite3_column_int64(s, 7), order = sqlite3_column_int64(s, 6);

	if (!strcmp(mmt_col_text(s, 0), "alloc_stall"))
		g->stalls += n;
	else
		g->failures += n;
	if (mmt_col_null(s, 6) || order < 0 || order > 63)
		g->order_unknown = true;
	else
		g->orders |= 1ull << order;
	snprintf(key, sizeof(key), "%s%s%s", mask ? mask : "no mask", flags[0] ? " " : "", flags);
	tally_add(&g->masks, key, n);
	snprintf(task, sizeof(task), mmt_col_null(s, 1) ? "%s" : "%s:%lld",
		 mmt_col_text(s, 2)[0] ? mmt_col_text(s, 2) : "?",
		 (long long)sqlite3_column_int64(s, 1));
	tally_add(&g->tasks, task, n);
	alloc_times(g, s, rm_source_by_id(m, sqlite3_column_int64(s, 10)));
}

static void alloc_orders(const struct alloc_group *g, struct mmt_sb *sb)
{
	for (int o = 0; o < 64; o++)
		if (g->orders & (1ull << o))
			mmt_sb_addf(sb, "%s%d", sb->len ? ", " : "", o);
	if (g->order_unknown)
		mmt_sb_addf(sb, "%s?", sb->len ? ", " : "");
}

static void alloc_row(struct tbl *t, const char *ctx, struct alloc_group *g)
{
	struct mmt_sb sb = MMT_SB_INIT;
	char when[48];

	tbl_row(t);
	tbl_set(t, AF_CONTEXT, "%s", ctx ? ctx : "unknown");
	if (g->stalls)
		tbl_set(t, AF_REPORTS, "%lld (%lld stall%s)", (long long)g->failures + g->stalls,
			(long long)g->stalls, g->stalls > 1 ? "s" : "");
	else
		tbl_set(t, AF_REPORTS, "%lld", (long long)g->failures);
	alloc_orders(g, &sb);
	tbl_set(t, AF_ORDERS, "%s", mmt_sb_str(&sb));
	mmt_sb_free(&sb);
	rm_time(g->src0, g->t0, g->has_t, when, sizeof(when));
	tbl_set(t, AF_FIRST, "%s", when[0] ? when : "-");
	rm_time(g->src1, g->t1, g->has_t, when, sizeof(when));
	tbl_set(t, AF_LAST, "%s", when[0] ? when : "-");
	tbl_tally(t, AF_MASKS, &g->masks, SITES_LISTED, true);
	tbl_tally(t, AF_TASKS, &g->tasks, TASKS_LISTED, false);
}

static int alloc_failures(struct mmt_store *st, const struct rm_model *m, struct doc *d,
			  struct mmt_err *err)
{
	static const char *const head[AF_COLS] = { "GFP context", "reports", "orders", "first",
						   "last", "masks (reports)", "comm:pid" };
	sqlite3_stmt *s = mmt_store_stmt(st, sql_allocs, err);
	struct alloc_group groups[NCONTEXTS] = { 0 };
	struct tbl t = { .ncol = AF_COLS };
	int rc;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0)
		alloc_add(groups, m, s);
	for (size_t i = 0; i < NCONTEXTS; i++) {
		if (rc == 0 && groups[i].failures + groups[i].stalls)
			alloc_row(&t, contexts[i], &groups[i]);
		tally_free(&groups[i].masks);
		tally_free(&groups[i].tasks);
	}
	return tbl_emit(&t, d, "Allocation failures by GFP context", head, rc);
}

int doc_tables(struct mmt_store *st, const struct rm_model *m, struct doc *d,
	       struct mmt_err *err)
{
	if (tables_slab(st, m, d, err) < 0 || blocked_tasks(st, d, err) < 0)
		return -1;
	return alloc_failures(st, m, d, err);
}
