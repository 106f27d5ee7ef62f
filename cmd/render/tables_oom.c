/*
 * The slab table of a store without slab samples: a global OOM report lists
 * unreclaimable slab caches ("Name Used Total", then "cache 29KB 32KB")
 * when they exceed the pages on the LRU lists. The report whose list adds
 * up to the most speaks for the others, as in the slab analyzer's finding.
 */
#include "cmd/render/tables.h"
#include "core/fields.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char sql_oom_lines[] =
	"SELECT r.id, r.source_id, r.t + ifnull(s.t_offset, 0), l.line, l.text "
	"FROM reports r JOIN sources s ON s.id = r.source_id "
	"JOIN log_lines l ON l.report_id = r.id WHERE r.kind = 'oom_kill' ORDER BY r.id, l.line";
static const char sql_machine_of[] = "SELECT ifnull(tree_id, 0) FROM sources WHERE id = ?1";
static const char sql_oom_ram[] =
	"SELECT sum(CASE name WHEN 'slab_unreclaimable' THEN value END), "
	"sum(CASE name WHEN 'pages_ram' THEN value END) FROM mem_counters "
	"WHERE report_id = ?1 AND node IS NULL AND unit = 'pages'";

struct oom_cache {
	char name[128];
	double used, total;
};

struct oom_table {
	int64_t report, source, line;
	double t, sum;
	bool has_t, open;
	struct oom_cache *v;
	size_t n, cap;
};

struct oom_pick {
	struct oom_table cur, best;
	size_t tables;
};

static bool oom_row(const char *text, struct oom_cache *c)
{
	char u[24], t[24];
	int64_t used, total;

	/* Digits as words, then exact numbers: %lld cannot say that one overflowed. */
	if (sscanf(text, "%127s %23[0-9]KB %23[0-9]KB", c->name, u, t) != 3 ||
	    mmt_parse_i64(u, strlen(u), &used) || mmt_parse_i64(t, strlen(t), &total))
		return false;
	c->used = (double)used * 1024.0;
	c->total = (double)total * 1024.0;
	return true;
}

/* The report read so far is done: it becomes the best if its table is larger. */
static void oom_close(struct oom_pick *p)
{
	struct oom_table *c = &p->cur;

	if (c->line) {
		p->tables++;
		if (!p->best.line || c->sum > p->best.sum) {
			struct oom_table old = p->best;

			p->best = *c;
			*c = old;
		}
	}
	c->n = 0;
	c->line = 0;
	c->sum = 0;
	c->open = false;
}

static void oom_line(struct oom_pick *p, sqlite3_stmt *s)
{
	struct oom_table *c = &p->cur;
	const char *text = mmt_col_text(s, 4);
	struct oom_cache row;

	if (c->report != sqlite3_column_int64(s, 0)) {
		oom_close(p);
		c->report = sqlite3_column_int64(s, 0);
		c->source = sqlite3_column_int64(s, 1);
		c->has_t = !mmt_col_null(s, 2);
		c->t = sqlite3_column_double(s, 2);
	}
	if (strstr(text, "Unreclaimable slab info:")) {
		c->line = sqlite3_column_int64(s, 3);
		c->open = true;
	} else if (c->open && oom_row(text, &row)) {
		xgrow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
		c->v[c->n++] = row;
		c->sum += row.total;
	} else if (strncmp(text, "Name ", 5)) {
		c->open = false;
	}
}

static int oom_bigger(const void *a, const void *b)
{
	const struct oom_cache *x = a, *y = b;

	return x->total < y->total ? 1 : x->total > y->total ? -1 : strcmp(x->name, y->name);
}

static int oom_caption(struct mmt_store *st, const struct rm_model *m, const struct oom_pick *p,
		       struct doc *d, int64_t *ram_pages, struct mmt_err *err)
{
	const struct oom_table *b = &p->best;
	const struct rm_source *src = rm_source_by_id(m, b->source);
	sqlite3_stmt *s = mmt_store_stmt(st, sql_oom_ram, err);
	struct mmt_sb sb = MMT_SB_INIT;
	char when[48], size[32];

	if (!s)
		return -1;
	mmt_bind_int(s, 1, b->report);
	if (mmt_store_step(st, s, err) < 0)
		return -1;
	*ram_pages = sqlite3_column_int64(s, 1);
	rm_time(src, b->t, b->has_t, when, sizeof(when));
	tables_bytes(b->sum, size, sizeof(size));
	mmt_sb_addf(&sb, "No slab samples; the OOM report %s%s%s(%s:%lld) lists unreclaimable "
		    "slab: %s in %zu caches", when[0] ? "at " : "", when, when[0] ? " " : "",
		    src ? rm_basename(src->path) : "?", (long long)b->line, size, b->n);
	if (p->tables > 1)
		mmt_sb_addf(&sb, ", the largest such list of %zu OOM reports", p->tables);
	if (!mmt_col_null(s, 0) && *ram_pages > 0) {
		tables_bytes(sqlite3_column_double(s, 0) * TABLES_PAGE_BYTES, size, sizeof(size));
		mmt_sb_addf(&sb, "; slab_unreclaimable %s", size);
		tables_bytes((double)*ram_pages * TABLES_PAGE_BYTES, size, sizeof(size));
		mmt_sb_addf(&sb, " of %s RAM", size);
	}
	mmt_sb_adds(&sb, ".");
	sqlite3_reset(s);
	d->ops->heading(d, "Slab caches at the worst moment");
	d->ops->para(d, mmt_sb_str(&sb));
	mmt_sb_free(&sb);
	return 0;
}

static int machine_of(struct mmt_store *st, int64_t source, int64_t *machine,
		      struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_machine_of, err);
	int rc;

	if (!s)
		return -1;
	mmt_bind_int(s, 1, source);
	if ((rc = mmt_store_step(st, s, err)) > 0)
		*machine = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc < 0 ? -1 : 0;
}

static int oom_rows(struct mmt_store *st, const struct oom_table *b, int64_t ram_pages,
		    int64_t machine, bool listing, struct tbl *t, struct mmt_err *err)
{
	char size[32];

	for (size_t i = 0; i < b->n && i < TABLES_SLAB_ROWS; i++) {
		struct mmt_sb group = MMT_SB_INIT;
		size_t c = 0;
		int rc = 0;

		tbl_row(t);
		tbl_set(t, c++, "%s", b->v[i].name);
		tables_bytes(b->v[i].total, size, sizeof(size));
		tbl_set(t, c++, "%s", size);
		tables_bytes(b->v[i].used, size, sizeof(size));
		tbl_set(t, c++, "%s", size);
		if (ram_pages > 0) {
			tables_share(b->v[i].total, (double)ram_pages * TABLES_PAGE_BYTES, size,
				     sizeof(size));
			tbl_set(t, c++, "%s", size);
		}
		if (listing)
			rc = tables_merged_with(st, machine, b->v[i].name, &group, err);
		if (listing && rc == 0)
			tbl_set(t, c++, "%s", mmt_sb_str(&group));
		mmt_sb_free(&group);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int tables_slab_oom(struct mmt_store *st, const struct rm_model *m, struct doc *d,
		    struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_oom_lines, err);
	const char *head[5] = { "cache", "size", "in use" };
	struct oom_pick p = { 0 };
	struct tbl t = { .ncol = 3 };
	int64_t ram = 0, machine = 0;
	bool listing = false;
	int rc;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0)
		oom_line(&p, s);
	oom_close(&p);
	if (rc == 0 && p.best.n) {
		qsort(p.best.v, p.best.n, sizeof(*p.best.v), oom_bigger);
		rc = oom_caption(st, m, &p, d, &ram, err);
	}
	if (rc == 0 && p.best.n && (machine_of(st, p.best.source, &machine, err) < 0 ||
				    tables_listing(st, machine, &listing, err) < 0))
		rc = -1;
	if (ram > 0)
		head[t.ncol++] = "of RAM";
	if (listing)
		head[t.ncol++] = "merged with";
	if (rc == 0 && p.best.n)
		rc = oom_rows(st, &p.best, ram, machine, listing, &t, err);
	free(p.cur.v);
	free(p.best.v);
	return tbl_emit(&t, d, NULL, head, rc);
}
