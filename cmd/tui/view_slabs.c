/*
 * Slabs: the slab caches of the sample nearest the time cursor, from the
 * series the report's slab table shows (tables_slab.c: the longest of the
 * database, or a copy of /sys/kernel/slab), with each cache's change since
 * the previous sample. The table sorts by bytes, objects, object size, name
 * or growth; a cache SLUB merged with others opens into the caches that
 * share its kmem_cache; a cache named by a slab finding is marked in the
 * finding's colour, and e shows that finding.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmd/render/tables.h"
#include "cmd/tui/tui.h"
#include "core/xalloc.h"

#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum slab_sort { SORT_BYTES, SORT_OBJECTS, SORT_OBJSIZE, SORT_NAME, SORT_GROWTH, SORT_N };

static const char *const sort_names[SORT_N] = { "bytes", "objects", "objsize", "name",
						 "growth" };

struct slab_row {
	char *name;
	int64_t active, num, objsize;	/* -1: not known */
	double bytes, delta;
	bool has_delta;
	double key;			/* the sort's, ascending */
	int dir;			/* 1, or -1 when names sort backwards */
};

struct slab_sample {
	int64_t id;
	double ts, total;
	bool has_ts;
};

/* A line of the table: a cache, or (alias >= 0) one cache merged with it. */
struct slab_line {
	size_t row;
	int64_t alias;
};

struct slab_group {
	char *name;
	struct tables_group g;
};

struct slabs_view {
	struct tables_slab_set set;
	bool have_set, listing;
	int64_t memtotal_kb;
	struct slab_sample *samples;
	size_t nsamples, cur;
	struct slab_row *rows;
	size_t nrows;
	struct slab_line *lines;
	size_t nlines, lcap;
	int64_t sel, first;
	enum slab_sort sort;
	bool reverse;
	char **open;			/* caches whose merge group is shown */
	size_t nopen, ocap;
	struct slab_group *groups;	/* looked up so far */
	size_t ngroups, gcap;
	char search[128];
};

static const char *const slabs_help[] = {
	"Up Down j k\tselect a cache",
	"s, S\tsort by the next column (bytes, objects, objsize, name, growth); reverse",
	"Enter Right l\tshow the caches SLUB merged with the selected one",
	"Left h\thide them",
	"e\tshow the finding that names the selected cache",
	"/, n, N\tsearch cache names; next, previous match",
	"< > t\tthe time cursor picks the sample: the one nearest it",
	NULL,
};

/* The rows of one sample with their bytes in the previous one (?2, 0: none). */
static const char sql_rows[] =
	"SELECT c.cache, c.active_objs, c.num_objs, c.objsize, c.bytes, "
	"(SELECT sum(p.bytes) FROM slab_caches p WHERE p.snapshot_id = ?2 AND p.cache = c.cache) "
	"FROM slab_caches c WHERE c.snapshot_id = ?1";
static const char sql_rows_sysfs[] =
	"SELECT cache, objects, NULL, object_size, (slabs << \"order\") * 4096, NULL "
	"FROM slab_attrs WHERE source_id = ?1";

/* "1955.1 MiB": four digits at most before the point, so that growth reads well. */
static void size_str(double bytes, bool sign, char *out, size_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	const char *s = !sign ? "" : bytes < 0 ? "-" : "+";
	double v = fabs(bytes);
	size_t u = 0;

	if (sign && bytes == 0) {
		snprintf(out, n, "0");
		return;
	}
	if (v < 1024) {
		snprintf(out, n, "%s%.0f B", s, v);
		return;
	}
	for (v /= 1024; v >= 10240 && u + 1 < sizeof(units) / sizeof(units[0]); u++)
		v /= 1024;
	snprintf(out, n, "%s%.1f %s", s, v, units[u]);
}

static void rows_free(struct slabs_view *v)
{
	for (size_t i = 0; i < v->nrows; i++)
		free(v->rows[i].name);
	free(v->rows);
	v->rows = NULL;
	v->nrows = 0;
}

static void groups_free(struct slabs_view *v)
{
	for (size_t i = 0; i < v->ngroups; i++) {
		free(v->groups[i].name);
		tables_group_free(&v->groups[i].g);
	}
	v->ngroups = 0;
}

/* The caches merged with name; NULL when the merges are not known. */
static const struct tables_group *group_of(struct tui *t, struct slabs_view *v,
					   const char *name)
{
	struct mmt_err err = { 0 };
	struct slab_group *g;

	if (!v->listing)
		return NULL;
	for (size_t i = 0; i < v->ngroups; i++)
		if (!strcmp(v->groups[i].name, name))
			return &v->groups[i].g;
	xgrow((void **)&v->groups, &v->gcap, v->ngroups + 1, sizeof(*v->groups));
	g = &v->groups[v->ngroups++];
	g->name = xstrdup(name);
	if (tables_merge_group(t->st, v->set.machine, name, &g->g, &err) < 0)
		tui_status(t, "%s", err.msg);
	return &g->g;
}

static bool is_open(const struct slabs_view *v, const char *name)
{
	for (size_t i = 0; i < v->nopen; i++)
		if (!strcmp(v->open[i], name))
			return true;
	return false;
}

static void set_open(struct slabs_view *v, const char *name, bool open)
{
	for (size_t i = 0; i < v->nopen; i++) {
		if (strcmp(v->open[i], name))
			continue;
		if (!open) {
			free(v->open[i]);
			v->open[i] = v->open[--v->nopen];
		}
		return;
	}
	if (!open)
		return;
	xgrow((void **)&v->open, &v->ocap, v->nopen + 1, sizeof(*v->open));
	v->open[v->nopen++] = xstrdup(name);
}

static int severity_rank(const char *sev)
{
	return !strcmp(sev, "critical") ? 2 : !strcmp(sev, "warning") ? 1 : 0;
}

/* The most severe slab finding that names the cache (the first ranked of equals). */
static const struct rm_finding *hazard_of(const struct tui *t, const char *name)
{
	const struct rm_finding *best = NULL;

	for (size_t i = 0; i < t->m.nfindings; i++) {
		const struct rm_finding *f = &t->m.findings[i];

		if (strcmp(f->kind, "slab_merge_hazard") && strcmp(f->kind, "slab_dominance"))
			continue;
		for (size_t j = 0; j < f->nsubjects; j++) {
			const struct rm_subject *s = &f->subjects[j];

			if (strcmp(s->type, "cache") || !s->name || strcmp(s->name, name))
				continue;
			if (!best || severity_rank(f->severity) > severity_rank(best->severity))
				best = f;
			break;
		}
	}
	return best;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct slab_row *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->dir > 0 ? strcmp(a->name, b->name) : strcmp(b->name, a->name);
}

/* Sort keys ascending: the largest first unless reversed; names A to Z. */
static void sort_rows(struct slabs_view *v)
{
	int sign = v->reverse ? 1 : -1;

	for (size_t i = 0; i < v->nrows; i++) {
		struct slab_row *r = &v->rows[i];

		r->dir = v->sort == SORT_NAME && v->reverse ? -1 : 1;
		switch (v->sort) {
		case SORT_BYTES: r->key = sign * r->bytes; break;
		case SORT_OBJECTS: r->key = sign * (double)r->active; break;
		case SORT_OBJSIZE: r->key = sign * (double)r->objsize; break;
		case SORT_NAME: r->key = 0; break;
		case SORT_GROWTH: r->key = sign * (r->has_delta ? r->delta : 0); break;
		case SORT_N: break;
		}
	}
	qsort(v->rows, v->nrows, sizeof(*v->rows), cmp_rows);
}

/* The cache a line shows (its row's, should the group have changed under it). */
static const char *line_name(struct tui *t, struct slabs_view *v, const struct slab_line *l)
{
	const char *name = v->rows[l->row].name;
	const struct tables_group *g;

	if (l->alias < 0 || !(g = group_of(t, v, name)) || (size_t)l->alias >= g->n)
		return name;
	return g->alias[l->alias];
}

/* The lines: every cache, each open one followed by the caches merged with it. */
static void build_lines(struct tui *t, struct slabs_view *v)
{
	v->nlines = 0;
	for (size_t i = 0; i < v->nrows; i++) {
		const struct tables_group *g = NULL;
		size_t n = 0;

		if (is_open(v, v->rows[i].name) && (g = group_of(t, v, v->rows[i].name)))
			n = g->n;
		xgrow((void **)&v->lines, &v->lcap, v->nlines + n + 1, sizeof(*v->lines));
		v->lines[v->nlines++] = (struct slab_line){ i, -1 };
		for (size_t a = 0; a < n; a++)
			v->lines[v->nlines++] = (struct slab_line){ i, (int64_t)a };
	}
}

/* The selected line's cache and the cache it is listed under, to find them again. */
struct slab_place {
	char *name, *parent;
};

static struct slab_place place_get(struct tui *t, struct slabs_view *v)
{
	struct slab_place p = { NULL, NULL };

	if (v->sel >= 0 && (size_t)v->sel < v->nlines) {
		const struct slab_line *l = &v->lines[v->sel];

		p.name = xstrdup(line_name(t, v, l));
		p.parent = xstrdup(v->rows[l->row].name);
	}
	return p;
}

/* Sorts and rebuilds the lines, with the selection on the place it was (freed). */
static void relayout(struct tui *t, struct slabs_view *v, struct slab_place p)
{
	sort_rows(v);
	build_lines(t, v);
	for (size_t i = 0; p.name && i < v->nlines; i++) {

		if (!strcmp(line_name(t, v, &v->lines[i]), p.name) &&
		    !strcmp(v->rows[v->lines[i].row].name, p.parent)) {
			v->sel = (int64_t)i;
			break;
		}
	}
	if (v->sel >= (int64_t)v->nlines)
		v->sel = v->nlines ? (int64_t)v->nlines - 1 : 0;
	free(p.name);
	free(p.parent);
}

static void row_read(sqlite3_stmt *s, struct slab_row *r, bool has_prev)
{
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(mmt_col_text(s, 0));
	r->active = mmt_col_null(s, 1) ? -1 : sqlite3_column_int64(s, 1);
	r->num = mmt_col_null(s, 2) ? -1 : sqlite3_column_int64(s, 2);
	r->objsize = mmt_col_null(s, 3) ? -1 : sqlite3_column_int64(s, 3);
	r->bytes = sqlite3_column_double(s, 4);
	/* A cache the previous sample did not have grew from nothing. */
	r->has_delta = has_prev;
	r->delta = r->bytes - sqlite3_column_double(s, 5);
}

/* The caches of the current sample (or of the sysfs copy). */
static int load_rows(struct tui *t, struct slabs_view *v, struct mmt_err *err)
{
	bool sysfs = !v->set.series, has_prev = !sysfs && v->cur > 0;
	sqlite3_stmt *s = mmt_store_stmt(t->st, sysfs ? sql_rows_sysfs : sql_rows, err);
	struct slab_place place = place_get(t, v);
	size_t cap = 0;
	int rc;

	rows_free(v);
	v->nlines = 0;
	if (!s) {
		relayout(t, v, place);
		return -1;
	}
	mmt_bind_int(s, 1, sysfs ? v->set.source : v->samples[v->cur].id);
	if (has_prev)
		mmt_bind_int(s, 2, v->samples[v->cur - 1].id);
	while ((rc = mmt_store_step(t->st, s, err)) > 0) {
		xgrow((void **)&v->rows, &cap, v->nrows + 1, sizeof(*v->rows));
		row_read(s, &v->rows[v->nrows++], has_prev);
	}
	relayout(t, v, place);
	return rc;
}

/* The series' samples, in time order. */
static int load_samples(struct tui *t, struct slabs_view *v, struct mmt_err *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	v->nsamples = 0;
	if (!v->set.series)
		return 0;
	s = tables_slab_samples(t->st, v->set.machine, v->set.kind, v->set.series, err);
	if (!s)
		return -1;
	while ((rc = mmt_store_step(t->st, s, err)) > 0) {
		struct slab_sample *p;

		xgrow((void **)&v->samples, &cap, v->nsamples + 1, sizeof(*v->samples));
		p = &v->samples[v->nsamples++];
		p->id = sqlite3_column_int64(s, 0);
		p->has_ts = !mmt_col_null(s, 1);
		p->ts = sqlite3_column_double(s, 1);
		p->total = sqlite3_column_double(s, 2);
	}
	return rc;
}

/* The sample nearest the cursor (the earlier of two as near); the peak without times. */
static size_t nearest(const struct tui *t, const struct slabs_view *v)
{
	size_t best = 0;
	bool timed = false;

	for (size_t i = 0; i < v->nsamples; i++) {
		const struct slab_sample *p = &v->samples[i];

		if (!p->has_ts || !t->has_cursor)
			continue;
		if (!timed || fabs(p->ts - t->cursor) < fabs(v->samples[best].ts - t->cursor))
			best = i;
		timed = true;
	}
	for (size_t i = 0; !timed && i < v->nsamples; i++)
		if (v->samples[i].total > v->samples[best].total)
			best = i;
	return best;
}

/* The series to show: the longest of any machine, a series before a sysfs copy. */
static int choose_set(struct tui *t, struct slabs_view *v, struct mmt_err *err)
{
	struct tables_slab_set *sets;
	size_t n, best = 0;
	int rc = tables_slab_sets(t->st, &sets, &n, err);

	for (size_t i = 1; rc == 0 && i < n; i++)
		if (sets[i].samples > sets[best].samples ||
		    (sets[i].samples == sets[best].samples && sets[i].series && !sets[best].series))
			best = i;
	v->have_set = rc == 0 && n > 0;
	if (v->have_set)
		v->set = sets[best];
	free(sets);
	if (rc < 0 || !v->have_set)
		return rc;
	if (tables_memtotal(t->st, v->set.machine, &v->memtotal_kb, err) < 0)
		return -1;
	return tables_listing(t->st, v->set.machine, &v->listing, err);
}

/* Reads everything (again): the series, its samples, the one nearest the cursor. */
static int load(struct tui *t, struct slabs_view *v, struct mmt_err *err)
{
	groups_free(v);
	if (choose_set(t, v, err) < 0 || !v->have_set || load_samples(t, v, err) < 0)
		return v->have_set ? -1 : 0;
	v->cur = nearest(t, v);
	return load_rows(t, v, err);
}

static void slabs_close(void *vp)
{
	struct slabs_view *v = vp;

	rows_free(v);
	groups_free(v);
	for (size_t i = 0; i < v->nopen; i++)
		free(v->open[i]);
	free(v->open);
	free(v->groups);
	free(v->lines);
	free(v->samples);
	free(v);
}

static void *slabs_open(struct tui *t)
{
	struct slabs_view *v = xcalloc(1, sizeof(*v));
	struct mmt_err err = { 0 };

	if (load(t, v, &err) < 0) {
		tui_status(t, "Slabs: %s", err.msg);
		slabs_close(v);
		return NULL;
	}
	return v;
}

static void slabs_cursor(struct tui *t, void *vp)
{
	struct slabs_view *v = vp;
	struct mmt_err err = { 0 };
	size_t cur = nearest(t, v);

	if (!v->nsamples || cur == v->cur)
		return;
	v->cur = cur;
	if (load_rows(t, v, &err) < 0)
		tui_status(t, "Slabs: %s", err.msg);
}

static void slabs_reload(struct tui *t, void *vp)
{
	struct mmt_err err = { 0 };

	if (load(t, vp, &err) < 0)
		tui_status(t, "Slabs: %s", err.msg);
}

/* Column widths after the marks and the name: active, objs, objsize, bytes, share, change. */
static const int col_w[] = { 10, 10, 8, 11, 7, 12 };
#define MARK_W 3
#define NAME_MAX_W 40

static int name_width(int cols)
{
	int w = cols - MARK_W;

	for (size_t i = 0; i < sizeof(col_w) / sizeof(col_w[0]); i++)
		w -= col_w[i];
	return w > NAME_MAX_W ? NAME_MAX_W : w < 8 ? 8 : w;
}

static void header(struct tui *t, struct slabs_view *v, int y, int cols)
{
	const struct slab_sample *p = v->nsamples ? &v->samples[v->cur] : NULL;
	double total = p ? p->total : v->set.total;
	struct mmt_sb sb = MMT_SB_INIT;
	char when[40] = "time unknown", size[32];

	if (p && p->has_ts)
		tui_time(t, p->ts, when, sizeof(when));
	if (p)
		mmt_sb_addf(&sb, "%s sample %zu of %zu at %s: ", v->set.kind, v->cur + 1,
			    v->nsamples, when);
	else
		mmt_sb_adds(&sb, "/sys/kernel/slab copy, time unknown: ");
	size_str(total, false, size, sizeof(size));
	mmt_sb_addf(&sb, "slab %s", size);
	if (p && v->cur > 0) {
		size_str(total - v->samples[v->cur - 1].total, true, size, sizeof(size));
		mmt_sb_addf(&sb, " (%s)", size);
	}
	if (v->memtotal_kb > 0) {
		tables_share(total, 1024.0 * (double)v->memtotal_kb, size, sizeof(size));
		mmt_sb_addf(&sb, ", %s of MemTotal", size);
	}
	mmt_sb_addf(&sb, ", %zu caches", v->nrows);
	tui_text(t, y, 0, cols, mmt_sb_str(&sb), TS_HEADER);
	mmt_sb_free(&sb);
}

/* Where the sort's column is: -1 the name, else an index of col_w. */
static const int sort_col[SORT_N] = { 3, 0, 2, -1, 5 };

/* A column's head, right-aligned; the sorted one with an arrow the way values go down. */
static void column_head(struct tui *t, struct slabs_view *v, int y, int x, int w,
			const char *label, bool sorted, bool left)
{
	bool down = (v->sort != SORT_NAME) != v->reverse;
	const char *arrow = t->utf8 ? (down ? "\u25bc" : "\u25b2") : (down ? "v" : "^");
	int len = (int)strlen(label) + (sorted ? 2 : 0);
	char buf[64];

	snprintf(buf, sizeof(buf), "%*s%s%s%s", left ? 0 : w - len > 0 ? w - len : 0, "", label,
		 sorted ? " " : "", sorted ? arrow : "");
	tui_text(t, y, x, w, buf, TS_HEADER);
}

static void column_heads(struct tui *t, struct slabs_view *v, int y, int cols)
{
	static const char *const heads[] = { "active", "objs", "objsize", "bytes", "share",
					     "change" };
	int x = MARK_W + name_width(cols);

	attrset(tui_attr(t, TS_HEADER));
	mvhline(y, 0, ' ', cols);
	column_head(t, v, y, MARK_W, x - MARK_W, "cache", sort_col[v->sort] < 0, true);
	for (int c = 0; c < (int)(sizeof(heads) / sizeof(heads[0])) && x + col_w[c] <= cols; c++) {
		column_head(t, v, y, x, col_w[c], heads[c], sort_col[v->sort] == c, false);
		x += col_w[c];
	}
	attrset(A_NORMAL);
}

static void count_str(int64_t n, char *out, size_t len)
{
	if (n < 0)
		snprintf(out, len, "-");
	else
		tables_count(n, out, len);
}

/* The figures of a cache, right-aligned in their columns from x. */
static void figures(struct tui *t, struct slabs_view *v, const struct slab_row *r, int y,
		    int x, int cols, enum tui_style s)
{
	char cell[6][32];

	count_str(r->active, cell[0], sizeof(cell[0]));
	count_str(r->num, cell[1], sizeof(cell[1]));
	if (r->objsize < 0)
		snprintf(cell[2], sizeof(cell[2]), "-");
	else
		snprintf(cell[2], sizeof(cell[2]), "%lld", (long long)r->objsize);
	size_str(r->bytes, false, cell[3], sizeof(cell[3]));
	snprintf(cell[4], sizeof(cell[4]), "-");
	if (v->memtotal_kb > 0)
		tables_share(r->bytes, 1024.0 * (double)v->memtotal_kb, cell[4], sizeof(cell[4]));
	snprintf(cell[5], sizeof(cell[5]), "-");
	if (r->has_delta)
		size_str(r->delta, true, cell[5], sizeof(cell[5]));
	for (int c = 0; c < 6 && x + col_w[c] <= cols; c++) {
		char buf[48];

		snprintf(buf, sizeof(buf), "%*s", col_w[c], cell[c]);
		tui_text(t, y, x, col_w[c], buf, s);
		x += col_w[c];
	}
}

/* The marks: a finding's '!' in its colour, and the merge group's open/closed mark. */
static void marks(struct tui *t, struct slabs_view *v, const char *name, bool child,
		  bool last, int y, enum tui_style s)
{
	const struct rm_finding *f = hazard_of(t, name);
	const struct tables_group *g = child ? NULL : group_of(t, v, name);
	const char *tree = "";

	if (f)
		tui_text(t, y, 0, 1, "!", s == TS_SELECTED ? s : tui_severity_style(f->severity));
	if (child)
		tree = t->utf8 ? (last ? "\u2514" : "\u251c") : (last ? "`" : "|");
	else if (g && g->n)
		tree = is_open(v, name) ? (t->utf8 ? "\u25be" : "-") : (t->utf8 ? "\u25b8" : "+");
	tui_text(t, y, child ? MARK_W : 1, 1, tree, s == TS_SELECTED ? s : TS_DIM);
}

static void line_draw(struct tui *t, struct slabs_view *v, size_t i, int y, int cols)
{
	const struct slab_line *l = &v->lines[i];
	const struct slab_row *r = &v->rows[l->row];
	enum tui_style s = (int64_t)i == v->sel ? TS_SELECTED : TS_NORMAL;
	int nw = name_width(cols);

	attrset(tui_attr(t, s));
	mvhline(y, 0, ' ', cols);
	if (l->alias < 0) {
		marks(t, v, r->name, false, false, y, s);
		tui_put(t, y, MARK_W, nw - 1, r->name, s, false);
		figures(t, v, r, y, MARK_W + nw, cols, s);
	} else {
		const struct tables_group *g = group_of(t, v, r->name);
		const char *name = line_name(t, v, l);
		bool last = i + 1 >= v->nlines || v->lines[i + 1].alias < 0;
		struct mmt_sb what = MMT_SB_INIT;

		marks(t, v, name, true, last, y, s);
		tui_put(t, y, MARK_W + 2, nw - 3, name, s, false);
		mmt_sb_addf(&what, "shares kmem_cache %s", g && g->real ? g->real : "?");
		tui_put(t, y, MARK_W + nw, cols - MARK_W - nw, mmt_sb_str(&what),
			s == TS_SELECTED ? s : TS_DIM, false);
		mmt_sb_free(&what);
	}
	attrset(A_NORMAL);
}

/* Below the table: the selected cache's merge group and the finding that names it. */
static void details(struct tui *t, struct slabs_view *v, int y, int cols)
{
	const char *name = line_name(t, v, &v->lines[v->sel]);
	const struct rm_finding *f = hazard_of(t, name);
	struct mmt_sb sb = MMT_SB_INIT;
	struct mmt_err err = { 0 };

	mmt_sb_addf(&sb, "%s: ", name);
	if (!v->listing) {
		mmt_sb_adds(&sb, "SLUB's merges are not known (no /sys/kernel/slab copy)");
	} else {
		mmt_sb_adds(&sb, "merged with ");
		if (tables_merged_with(t->st, v->set.machine, name, &sb, &err) < 0)
			tui_status(t, "Slabs: %s", err.msg);
	}
	tui_put(t, y, 0, cols, mmt_sb_str(&sb), TS_NORMAL, false);
	mmt_sb_free(&sb);
	if (!f) {
		tui_text(t, y + 1, 0, cols, "No finding names this cache.", TS_DIM);
		return;
	}
	mmt_sb_addf(&sb, "! %s finding (e shows it): %s", f->severity, f->title);
	tui_put(t, y + 1, 0, cols, mmt_sb_str(&sb), tui_severity_style(f->severity), false);
	mmt_sb_free(&sb);
}

static void slabs_draw(struct tui *t, void *vp, int top, int rows, int cols)
{
	struct slabs_view *v = vp;
	int list = rows - 5;

	if (!v->have_set) {
		tui_text(t, top, 0, cols, "No slab samples (slabinfo, slabtop, crash kmem -s) and "
			 "no copy of /sys/kernel/slab in this database.", TS_DIM);
		return;
	}
	header(t, v, top, cols);
	column_heads(t, v, top + 1, cols);
	tui_list_scroll(v->sel, &v->first, list);
	for (int i = 0; i < list && v->first + i < (int64_t)v->nlines; i++)
		line_draw(t, v, (size_t)(v->first + i), top + 2 + i, cols);
	if (!v->nlines)
		return;
	tui_hline(t, top + rows - 3, cols);
	details(t, v, top + rows - 2, cols);
}

/* The next line (dir 1 or -1) after the selection whose name holds the search text. */
static void search_step(struct tui *t, struct slabs_view *v, int dir)
{
	for (size_t k = 1; v->search[0] && k <= v->nlines; k++) {
		size_t i = (size_t)((v->sel + dir * (int64_t)k) % (int64_t)v->nlines +
				    (int64_t)v->nlines) % v->nlines;

		if (strstr(line_name(t, v, &v->lines[i]), v->search)) {
			v->sel = (int64_t)i;
			return;
		}
	}
	tui_status(t, "No cache name holds \"%s\".", v->search);
}

/* Enter/Right opens a cache's merge group, Left closes it (from the cache or a member). */
static void open_key(struct tui *t, struct slabs_view *v, bool open)
{
	const struct slab_line *l = &v->lines[v->sel];
	const char *name = v->rows[l->row].name;
	const struct tables_group *g = group_of(t, v, name);

	if (open && l->alias < 0 && !(g && g->n)) {
		tui_status(t, v->listing ? "No other cache shares this one's kmem_cache." :
			   "SLUB's merges are not known: no /sys/kernel/slab copy.");
		return;
	}
	if (open == is_open(v, name) || (open && l->alias >= 0))
		return;
	if (!open)
		v->sel -= l->alias + 1;
	set_open(v, name, open);
	relayout(t, v, place_get(t, v));
}

static void finding_key(struct tui *t, struct slabs_view *v)
{
	const struct rm_finding *f = hazard_of(t, line_name(t, v, &v->lines[v->sel]));
	struct tui_target to = { .view = TUI_FINDINGS, .pid = -1 };

	if (!f) {
		tui_status(t, "No finding names this cache.");
		return;
	}
	to.finding = f->id;
	tui_goto(t, &to);
}

static bool slabs_key(struct tui *t, void *vp, int ch)
{
	struct slabs_view *v = vp;

	if (!v->nlines)
		return false;
	if (tui_list_key(ch, &v->sel, (int64_t)v->nlines, 10))
		return true;
	switch (ch) {
	case 's': case 'S':
		if (ch == 's')
			v->sort = (v->sort + 1) % SORT_N;
		else
			v->reverse = !v->reverse;
		/* A new order is read from its top. */
		v->sel = 0;
		relayout(t, v, (struct slab_place){ NULL, NULL });
		tui_status(t, "Sorted by %s%s.", sort_names[v->sort], v->reverse ? ", reversed" : "");
		return true;
	case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT: case 'l':
		open_key(t, v, true);
		return true;
	case KEY_LEFT: case 'h':
		open_key(t, v, false);
		return true;
	case 'e':
		finding_key(t, v);
		return true;
	case '/':
		if (tui_prompt(t, "search cache: ", v->search, sizeof(v->search)))
			search_step(t, v, 1);
		return true;
	case 'n': case 'N':
		search_step(t, v, ch == 'n' ? 1 : -1);
		return true;
	}
	return false;
}

const struct tui_view_ops tui_view_slabs = {
	.name = "Slabs",
	.bar = "s sort  S reverse  Enter/Left merges  e finding  / search  < > cursor  ? help",
	.help = slabs_help,
	.open = slabs_open,
	.draw = slabs_draw,
	.key = slabs_key,
	.cursor = slabs_cursor,
	.reload = slabs_reload,
	.close = slabs_close,
};
