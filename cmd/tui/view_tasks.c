/*
 * Tasks: the blocked tasks of the kernel logs (the blocked_tasks view) as
 * a tree, wait class > wait site > task, each with how many tasks it
 * holds; a task opens to its stack, innermost frame first, with the wait
 * site and the culprit marked and the unwinder's '?' frames dimmed. A task
 * reported again and again is one task: its last report speaks for it.
 *
 * When the database holds a trace, a second part says what the traced
 * tasks were doing at the time cursor (tasks_at.c): running, runnable, in
 * D, in reclaim, each since when. It follows the cursor.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmd/tui/tasks_at.h"
#include "cmd/tui/tui.h"
#include "core/xalloc.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

/*
 * One row a task (pid and name) and wait site, from its last report; the
 * classes with the most tasks first, then their sites by tasks, then the
 * tasks blocked longest.
 */
static const char sql_tasks[] =
	"WITH t AS (SELECT b.wait_class AS cls, ifnull(b.wait_site, '?') AS site, "
	"ifnull(b.pid, -b.id) AS k, b.pid, ifnull(b.comm, '') AS comm, max(b.id), count(*) AS n, "
	"ifnull(b.state, '') AS state, b.blocked_secs AS secs, ifnull(b.culprit, '') AS culprit, "
	"b.stack_id, b.source_id, b.line, b.t + ifnull(s.t_offset, 0) AS ts "
	"FROM blocked_tasks b JOIN sources s ON s.id = b.source_id GROUP BY 1, 2, 3, 5), "
	"c AS (SELECT cls, count(*) AS cn FROM (SELECT DISTINCT cls, k, comm FROM t) GROUP BY cls), "
	"si AS (SELECT cls, site, count(*) AS sn FROM t GROUP BY 1, 2) "
	"SELECT t.cls, t.site, t.pid, t.comm, t.n, t.state, t.secs, t.culprit, t.stack_id, "
	"t.source_id, t.line, t.ts, c.cn FROM t JOIN c USING (cls) JOIN si USING (cls, site) "
	"ORDER BY c.cn DESC, t.cls, si.sn DESC, t.site, t.secs IS NULL, t.secs DESC, t.pid, t.comm";
static const char sql_frames[] =
	"SELECT symbol, offset, size, module, reliable, context, inlined, src FROM frames "
	"WHERE stack_id = ? ORDER BY idx";

struct frame {
	char *symbol, *module, *context, *src;
	int64_t offset, size;
	bool has_offset, has_size, reliable, inlined;
};

struct btask {
	char *comm, *state, *culprit;
	int64_t pid, secs, stack, source, line, reports;
	bool has_pid, has_secs, has_stack, has_t, expanded, loaded;
	double t;
	struct frame *frames;
	size_t nframes;
	size_t site;			/* index in sites */
};

/* A class (its children are sites) or a site (its children are tasks). */
struct group {
	char *name;
	size_t first, n;		/* children */
	int64_t tasks;
	bool expanded;
	size_t parent;			/* a site's class */
};

enum row_kind { RK_CLASS, RK_SITE, RK_TASK, RK_FRAME, RK_AT, RK_ATGROUP, RK_ATTASK, RK_NOTE };

struct row {
	uint8_t kind;
	int32_t a;			/* the class, site, task, group */
	int64_t b;			/* a frame, an item of a group; a note's depth */
};

struct tasks_view {
	struct btask *tasks;
	struct group *classes, *sites;
	size_t ntasks, nclasses, nsites;
	int64_t reports;
	struct tasks_at at;
	bool at_open, group_open[AT_NGROUPS];
	struct row *rows;
	size_t nrows, cap;
	int64_t sel, first;
	int page;
};

static const char *const tasks_help[] = {
	"Up Down j k\tselect a row",
	"Enter\topen or close a class, site or task (a task opens to its stack)",
	"Right l, Left h\topen; close (or go to the parent)",
	"L\tthe selected task's report in the Log",
	"w\tput the time cursor at the selected task's report",
	"a\tgo to the tasks at the time cursor (a database with a trace)",
	NULL,
};

/* ------------------------------------------------------------------ loading */

static char *col_dup(sqlite3_stmt *q, int i)
{
	return xstrdup(mmt_col_text(q, i));
}

static struct group *add_group(struct group **v, size_t *n, const char *name, size_t first)
{
	struct group *g;

	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	g = &(*v)[(*n)++];
	memset(g, 0, sizeof(*g));
	g->name = xstrdup(name);
	g->first = first;
	g->expanded = true;
	return g;
}

static void read_task(struct tasks_view *v, sqlite3_stmt *q)
{
	struct btask *k;

	v->tasks = xrealloc(v->tasks, (v->ntasks + 1) * sizeof(*k));
	k = &v->tasks[v->ntasks++];
	memset(k, 0, sizeof(*k));
	k->has_pid = !mmt_col_null(q, 2);
	k->pid = sqlite3_column_int64(q, 2);
	k->comm = col_dup(q, 3);
	k->reports = sqlite3_column_int64(q, 4);
	k->state = col_dup(q, 5);
	k->has_secs = !mmt_col_null(q, 6);
	k->secs = sqlite3_column_int64(q, 6);
	k->culprit = col_dup(q, 7);
	k->has_stack = !mmt_col_null(q, 8);
	k->stack = sqlite3_column_int64(q, 8);
	k->source = sqlite3_column_int64(q, 9);
	k->line = sqlite3_column_int64(q, 10);
	k->has_t = !mmt_col_null(q, 11);
	k->t = sqlite3_column_double(q, 11);
	v->reports += k->reports;
}

/* Each row opens a class or a site when its own differs from the last one's. */
static void place_task(struct tasks_view *v, sqlite3_stmt *q)
{
	const char *cls = mmt_col_text(q, 0), *site = mmt_col_text(q, 1);
	bool new_class = !v->nclasses || strcmp(v->classes[v->nclasses - 1].name, cls);
	struct group *c, *s;

	if (new_class) {
		c = add_group(&v->classes, &v->nclasses, cls, v->nsites);
		c->tasks = sqlite3_column_int64(q, 12);
	}
	c = &v->classes[v->nclasses - 1];
	if (new_class || strcmp(v->sites[v->nsites - 1].name, site)) {
		s = add_group(&v->sites, &v->nsites, site, v->ntasks);
		s->parent = v->nclasses - 1;
		c->n++;
	}
	s = &v->sites[v->nsites - 1];
	read_task(v, q);
	v->tasks[v->ntasks - 1].site = v->nsites - 1;
	s->n++;
	s->tasks++;
}

static int load_tasks(struct tui *t, struct tasks_view *v)
{
	struct mmt_err err = { 0 };
	sqlite3_stmt *q = mmt_store_stmt(t->st, sql_tasks, &err);
	int rc = -1;

	while (q && (rc = mmt_store_step(t->st, q, &err)) > 0)
		place_task(v, q);
	if (q)
		sqlite3_reset(q);
	if (rc < 0)
		tui_status(t, "Tasks: %s", err.msg);
	return rc;
}

static void load_frames(struct tui *t, struct btask *k)
{
	struct mmt_err err = { 0 };
	sqlite3_stmt *q;

	k->loaded = true;
	if (!k->has_stack || !(q = mmt_store_stmt(t->st, sql_frames, &err)))
		return;
	mmt_bind_int(q, 1, k->stack);
	while (mmt_store_step(t->st, q, &err) > 0) {
		struct frame *f;

		k->frames = xrealloc(k->frames, (k->nframes + 1) * sizeof(*f));
		f = &k->frames[k->nframes++];
		f->symbol = col_dup(q, 0);
		f->has_offset = !mmt_col_null(q, 1);
		f->offset = sqlite3_column_int64(q, 1);
		f->has_size = !mmt_col_null(q, 2);
		f->size = sqlite3_column_int64(q, 2);
		f->module = mmt_col_null(q, 3) ? NULL : col_dup(q, 3);
		f->reliable = sqlite3_column_int(q, 4) != 0;
		f->context = mmt_col_null(q, 5) ? NULL : col_dup(q, 5);
		f->inlined = sqlite3_column_int(q, 6) != 0;
		f->src = mmt_col_null(q, 7) ? NULL : col_dup(q, 7);
	}
	sqlite3_reset(q);
}

static void free_data(struct tasks_view *v)
{
	for (size_t i = 0; i < v->ntasks; i++) {
		struct btask *k = &v->tasks[i];

		for (size_t f = 0; f < k->nframes; f++) {
			free(k->frames[f].symbol);
			free(k->frames[f].module);
			free(k->frames[f].context);
			free(k->frames[f].src);
		}
		free(k->frames);
		free(k->comm);
		free(k->state);
		free(k->culprit);
	}
	for (size_t i = 0; i < v->nclasses; i++)
		free(v->classes[i].name);
	for (size_t i = 0; i < v->nsites; i++)
		free(v->sites[i].name);
	free(v->tasks);
	free(v->classes);
	free(v->sites);
	v->tasks = NULL;
	v->classes = v->sites = NULL;
	v->ntasks = v->nclasses = v->nsites = 0;
	v->reports = 0;
}

/* --------------------------------------------------------------------- rows */

static void push(struct tasks_view *v, enum row_kind kind, size_t a, int64_t b)
{
	if (v->nrows == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->rows = xrealloc(v->rows, v->cap * sizeof(*v->rows));
	}
	v->rows[v->nrows++] = (struct row){ (uint8_t)kind, (int32_t)a, b };
}

static void task_rows(struct tasks_view *v, size_t site)
{
	const struct group *s = &v->sites[site];

	for (size_t k = s->first; k < s->first + s->n; k++) {
		push(v, RK_TASK, k, 0);
		if (v->tasks[k].expanded)
			for (size_t f = 0; f < v->tasks[k].nframes; f++)
				push(v, RK_FRAME, k, (int64_t)f);
	}
}

static void at_rows(struct tasks_view *v)
{
	push(v, RK_AT, 0, 0);
	if (!v->at_open)
		return;
	if (v->at.note[0])
		push(v, RK_NOTE, 1, 1);
	for (int g = 0; g < AT_NGROUPS; g++) {
		if (v->at.note[0] && !v->at.n[g])
			continue;
		push(v, RK_ATGROUP, (size_t)g, 0);
		for (size_t i = 0; v->group_open[g] && i < v->at.n[g]; i++)
			push(v, RK_ATTASK, (size_t)g, (int64_t)i);
	}
}

/* The rows the tree shows, open branches included. */
static void make_rows(struct tasks_view *v)
{
	v->nrows = 0;
	if (!v->ntasks)
		push(v, RK_NOTE, 0, 0);
	for (size_t c = 0; c < v->nclasses; c++) {
		const struct group *g = &v->classes[c];

		push(v, RK_CLASS, c, 0);
		for (size_t s = g->first; g->expanded && s < g->first + g->n; s++) {
			push(v, RK_SITE, s, 0);
			if (v->sites[s].expanded)
				task_rows(v, s);
		}
	}
	if (v->at.nsrc)
		at_rows(v);
	if (v->sel >= (int64_t)v->nrows)
		v->sel = (int64_t)v->nrows - 1;
}

static int depth(const struct row *r)
{
	switch (r->kind) {
	case RK_CLASS: case RK_AT: return 0;
	case RK_SITE: case RK_ATGROUP: return 1;
	case RK_TASK: case RK_ATTASK: return 2;
	case RK_FRAME: return 3;
	default: return (int)r->b;
	}
}

/* ------------------------------------------------------------------ drawing */

static const char *marker(const struct tui *t, bool open)
{
	if (t->utf8)
		return open ? "\xe2\x96\xbe " : "\xe2\x96\xb8 ";	/* ▾ ▸ */
	return open ? "- " : "+ ";
}

static void class_row(struct tui *t, struct tui_line *l, const struct group *g, bool site)
{
	tui_line_text(l, marker(t, g->expanded), TS_DIM);
	tui_line_put(l, g->name, site ? TS_INFO : TS_HEADER);
	tui_line_textf(l, TS_NORMAL, " (%lld)", (long long)g->tasks);
}

static void task_row(struct tui *t, struct tui_line *l, const struct btask *k)
{
	char when[40];

	tui_line_text(l, marker(t, k->expanded), TS_DIM);
	tui_line_put(l, k->comm[0] ? k->comm : "?", TS_NORMAL);
	if (k->has_pid)
		tui_line_textf(l, TS_NORMAL, ":%lld", (long long)k->pid);
	if (k->state[0]) {
		tui_line_text(l, "  ", TS_NORMAL);
		tui_line_put(l, k->state, !strcmp(k->state, "D") ? TS_CRITICAL : TS_NORMAL);
	}
	if (k->has_secs)
		tui_line_textf(l, TS_NORMAL, "  blocked %lld s", (long long)k->secs);
	if (k->culprit[0]) {
		tui_line_text(l, "  culprit ", TS_DIM);
		tui_line_put(l, k->culprit, TS_WARNING);
	}
	tui_line_textf(l, TS_DIM, "  %lld report%s", (long long)k->reports,
		       k->reports == 1 ? "" : "s");
	if (k->has_t) {
		tui_time(t, k->t, when, sizeof(when));
		tui_line_textf(l, TS_DIM, ", last at %s", when);
	}
}

/* The first reliable frame of a function: where the site or the culprit is marked. */
static int64_t frame_of(const struct btask *k, const char *fn)
{
	for (size_t f = 0; fn[0] && f < k->nframes; f++)
		if (k->frames[f].reliable && !strcmp(k->frames[f].symbol, fn))
			return (int64_t)f;
	return -1;
}

static void frame_row(struct tui *t, struct tui_line *l, const struct tasks_view *v,
		      const struct btask *k, int64_t i)
{
	const struct frame *f = &k->frames[i];
	const char *arrow = t->utf8 ? "  \xe2\x86\x90 " : "  <- ";	/* ← */
	bool is_site = frame_of(k, v->sites[k->site].name) == i;
	bool is_culprit = frame_of(k, k->culprit) == i;
	enum tui_style s = !f->reliable ? TS_DIM : is_site ? TS_MATCH : is_culprit ? TS_WARNING
			   : TS_NORMAL;

	tui_line_textf(l, TS_DIM, "#%-3lld", (long long)i);
	if (!f->reliable)
		tui_line_text(l, "? ", TS_DIM);
	tui_line_put(l, f->symbol, s);
	if (f->has_offset)
		tui_line_textf(l, f->reliable ? TS_NORMAL : TS_DIM, "+%#llx", (long long)f->offset);
	if (f->has_offset && f->has_size)
		tui_line_textf(l, f->reliable ? TS_NORMAL : TS_DIM, "/%#llx", (long long)f->size);
	if (f->module) {
		tui_line_text(l, " [", TS_DIM);
		tui_line_put(l, f->module, TS_DIM);
		tui_line_text(l, "]", TS_DIM);
	}
	if (f->inlined)
		tui_line_text(l, " [inline]", TS_DIM);
	if (f->context && strcmp(f->context, "task")) {
		tui_line_text(l, " <", TS_INFO);
		tui_line_put(l, f->context, TS_INFO);
		tui_line_text(l, ">", TS_INFO);
	}
	if (f->src) {
		tui_line_text(l, " ", TS_DIM);
		tui_line_put(l, f->src, TS_DIM);
	}
	if (is_site || is_culprit)
		tui_line_textf(l, is_site ? TS_MATCH : TS_WARNING, "%s%s", arrow,
			       is_site && is_culprit ? "wait site, culprit" :
			       is_site ? "wait site" : "culprit");
}

/* "0.150 s" */
static void add_duration(char *out, size_t n, double secs)
{
	if (secs < 1e-3)
		snprintf(out, n, "%.1f us", secs * 1e6);
	else if (secs < 1)
		snprintf(out, n, "%.3f ms", secs * 1e3);
	else
		snprintf(out, n, "%.3f s", secs);
}

static void at_head_row(struct tui *t, struct tui_line *l, const struct tasks_view *v)
{
	char when[40];

	tui_time(t, v->at.at, when, sizeof(when));
	tui_line_text(l, marker(t, v->at_open), TS_DIM);
	tui_line_textf(l, TS_HEADER, "At the cursor %s", when);
	if (!v->at.note[0])
		tui_line_textf(l, TS_NORMAL, ": %zu running, %zu runnable, %zu in D, %zu in reclaim",
			       v->at.n[AT_RUNNING], v->at.n[AT_RUNNABLE], v->at.n[AT_BLOCKED],
			       v->at.n[AT_RECLAIM]);
}

static void at_task_row(struct tui *t, struct tui_line *l, int g,
			const struct tasks_at_item *it, double at)
{
	char when[40], dur[32];

	tui_line_put(l, it->name[0] ? it->name : "<...>", TS_NORMAL);
	tui_line_textf(l, TS_NORMAL, ":%d", it->pid);
	if (it->cpu >= 0 && g == AT_RUNNING)
		tui_line_textf(l, TS_NORMAL, " on CPU %d", it->cpu);
	else if (it->cpu >= 0 && g == AT_RUNNABLE)
		tui_line_textf(l, TS_NORMAL, " on CPU %d's queue", it->cpu);
	if (it->what[0])
		tui_line_textf(l, TS_WARNING, " [%s]", it->what);
	if (it->before) {
		tui_line_text(l, "  since before the trace", TS_DIM);
		return;
	}
	tui_time(t, it->since, when, sizeof(when));
	add_duration(dur, sizeof(dur), at - it->since);
	tui_line_textf(l, TS_DIM, "  since %s (%s)", when, dur);
}

static void draw_row(struct tui *t, struct tasks_view *v, const struct row *r, int y, int cols,
		     bool sel)
{
	static const int indent[] = { 0, 2, 4, 8 };
	struct tui_line l;

	tui_line_start(&l, t, y, 0, cols, sel);
	l.x = indent[depth(r) > 3 ? 3 : depth(r)];
	switch (r->kind) {
	case RK_CLASS: class_row(t, &l, &v->classes[r->a], false); break;
	case RK_SITE: class_row(t, &l, &v->sites[r->a], true); break;
	case RK_TASK: task_row(t, &l, &v->tasks[r->a]); break;
	case RK_FRAME: frame_row(t, &l, v, &v->tasks[r->a], r->b); break;
	case RK_AT: at_head_row(t, &l, v); break;
	case RK_ATGROUP:
		tui_line_text(&l, marker(t, v->group_open[r->a]), TS_DIM);
		tui_line_textf(&l, TS_INFO, "%s (%zu)", tasks_at_label(r->a), v->at.n[r->a]);
		break;
	case RK_ATTASK:
		l.x += 2;
		at_task_row(t, &l, r->a, &v->at.items[r->a][r->b], v->at.at);
		break;
	case RK_NOTE:
		tui_line_text(&l, r->a ? v->at.note : "No blocked tasks in the kernel logs.", TS_DIM);
		break;
	}
}

static void select_row(struct tasks_view *v, enum row_kind kind, int64_t a, int64_t b);

/*
 * The tasks at the cursor, remade when it moved; a selected task of them
 * stays selected while it is still in its group.
 */
static void follow_cursor(struct tui *t, struct tasks_view *v)
{
	struct row old = v->rows[v->sel];
	int32_t pid = old.kind == RK_ATTASK ? v->at.items[old.a][old.b].pid : 0;

	if (!tasks_at_update(&v->at, t))
		return;
	make_rows(v);
	if (old.kind != RK_ATTASK) {
		select_row(v, (enum row_kind)old.kind, old.a, old.b);
		return;
	}
	select_row(v, RK_ATGROUP, old.a, 0);
	for (size_t i = 0; i < v->at.n[old.a]; i++)
		if (v->at.items[old.a][i].pid == pid)
			select_row(v, RK_ATTASK, old.a, (int64_t)i);
}

static void tasks_draw(struct tui *t, void *vp, int top, int rows, int cols)
{
	struct tasks_view *v = vp;
	char head[160];

	follow_cursor(t, v);
	snprintf(head, sizeof(head), "Blocked tasks: %zu in %zu wait class%s, from %lld report%s",
		 v->ntasks, v->nclasses, v->nclasses == 1 ? "" : "es", (long long)v->reports,
		 v->reports == 1 ? "" : "s");
	tui_text(t, top, 0, cols, head, TS_HEADER);
	v->page = rows - 1;
	tui_list_scroll(v->sel, &v->first, v->page);
	for (int i = 0; i < v->page && v->first + i < (int64_t)v->nrows; i++)
		draw_row(t, v, &v->rows[v->first + i], top + 1 + i, cols, v->first + i == v->sel);
}

/* --------------------------------------------------------------------- keys */

/* The open flag a row folds, NULL for rows that do not fold. */
static bool *fold_of(struct tui *t, struct tasks_view *v, const struct row *r)
{
	switch (r->kind) {
	case RK_CLASS: return &v->classes[r->a].expanded;
	case RK_SITE: return &v->sites[r->a].expanded;
	case RK_TASK:
		if (!v->tasks[r->a].loaded)
			load_frames(t, &v->tasks[r->a]);
		return &v->tasks[r->a].expanded;
	case RK_AT: return &v->at_open;
	case RK_ATGROUP: return &v->group_open[r->a];
	default: return NULL;
	}
}

/* Opens (1), closes (0) or toggles (-1) the selected row; Left on a closed row goes up. */
static void fold(struct tui *t, struct tasks_view *v, int how)
{
	const struct row *r = &v->rows[v->sel];
	bool *open = fold_of(t, v, r);

	if (how == 0 && (!open || !*open)) {
		for (int64_t i = v->sel - 1; i >= 0; i--)
			if (depth(&v->rows[i]) < depth(r)) {
				v->sel = i;
				break;
			}
		return;
	}
	if (!open)
		return;
	*open = how < 0 ? !*open : how > 0;
	if (r->kind == RK_TASK && *open && !v->tasks[r->a].nframes)
		tui_status(t, "No stack was printed for this task.");
	make_rows(v);
}

static const struct btask *selected_task(struct tui *t, struct tasks_view *v)
{
	const struct row *r = &v->rows[v->sel];

	if (r->kind == RK_TASK || r->kind == RK_FRAME)
		return &v->tasks[r->a];
	tui_status(t, "Select a blocked task first.");
	return NULL;
}

static void to_log(struct tui *t, struct tasks_view *v)
{
	const struct btask *k = selected_task(t, v);
	struct tui_target to = { .view = TUI_LOG, .pid = -1 };

	if (!k)
		return;
	to.source = k->source;
	to.line = k->line;
	to.ts = k->t;
	to.has_ts = k->has_t;
	tui_goto(t, &to);
}

static void select_row(struct tasks_view *v, enum row_kind kind, int64_t a, int64_t b)
{
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i].kind == kind && v->rows[i].a == a && v->rows[i].b == b) {
			v->sel = (int64_t)i;
			return;
		}
}

static bool tasks_key(struct tui *t, void *vp, int ch)
{
	struct tasks_view *v = vp;
	const struct btask *k;

	if (!v->nrows)
		return false;
	if (tui_list_key(ch, &v->sel, (int64_t)v->nrows, v->page > 1 ? v->page - 1 : 1))
		return true;
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER: fold(t, v, -1); return true;
	case KEY_RIGHT: case 'l': fold(t, v, 1); return true;
	case KEY_LEFT: case 'h': fold(t, v, 0); return true;
	case 'L': to_log(t, v); return true;
	case 'w':
		if ((k = selected_task(t, v)) && k->has_t)
			tui_set_cursor(t, k->t);
		return true;
	case 'a':
		if (!v->at.nsrc) {
			tui_status(t, "The database holds no trace.");
			return true;
		}
		select_row(v, RK_AT, 0, 0);
		v->first = v->sel;
		return true;
	}
	return false;
}

/* ---------------------------------------------------------------- the view */

static bool jump_blocked(struct tasks_view *v, int64_t pid)
{
	for (size_t i = 0; i < v->ntasks; i++) {
		const struct btask *k = &v->tasks[i];

		if (!k->has_pid || k->pid != pid)
			continue;
		v->sites[k->site].expanded = true;
		v->classes[v->sites[k->site].parent].expanded = true;
		make_rows(v);
		select_row(v, RK_TASK, (int64_t)i, 0);
		return true;
	}
	return false;
}

static bool jump_traced(struct tasks_view *v, int64_t pid)
{
	for (int g = 0; g < AT_NGROUPS; g++)
		for (size_t i = 0; i < v->at.n[g]; i++) {
			if (v->at.items[g][i].pid != pid)
				continue;
			v->at_open = v->group_open[g] = true;
			make_rows(v);
			select_row(v, RK_ATTASK, g, (int64_t)i);
			return true;
		}
	return false;
}

static void tasks_jump(struct tui *t, void *vp, const struct tui_target *to)
{
	struct tasks_view *v = vp;

	if (to->pid < 0)
		return;
	follow_cursor(t, v);
	if (!jump_blocked(v, to->pid) && !jump_traced(v, to->pid))
		tui_status(t, "No blocked or traced task has pid %lld.", (long long)to->pid);
}

static void tasks_cursor(struct tui *t, void *vp)
{
	struct tasks_view *v = vp;

	(void)t;
	v->at.dirty = true;
}

static void *tasks_open(struct tui *t)
{
	struct tasks_view *v = xcalloc(1, sizeof(*v));
	struct mmt_err err = { 0 };

	if (load_tasks(t, v) < 0 || tasks_at_open(&v->at, t->st, &err) < 0) {
		if (err.msg[0])
			tui_status(t, "Tasks: %s", err.msg);
		free_data(v);
		free(v);
		return NULL;
	}
	v->at_open = true;
	for (int g = 0; g < AT_NGROUPS; g++)
		v->group_open[g] = true;
	make_rows(v);
	return v;
}

static void tasks_close(void *vp)
{
	struct tasks_view *v = vp;

	free_data(v);
	tasks_at_free(&v->at);
	free(v->rows);
	free(v);
}

static void tasks_reload(struct tui *t, void *vp)
{
	struct tasks_view *v = vp;
	struct mmt_err err = { 0 };

	free_data(v);
	tasks_at_free(&v->at);
	if (load_tasks(t, v) < 0 || tasks_at_open(&v->at, t->st, &err) < 0)
		tui_status(t, "Tasks: %s", err.msg[0] ? err.msg : "cannot re-read");
	make_rows(v);
}

const struct tui_view_ops tui_view_tasks = {
	.name = "Tasks",
	.bar = "Enter open/close  Right/Left  L log  w cursor to report  a at cursor  Tab views  ? help",
	.help = tasks_help,
	.open = tasks_open,
	.draw = tasks_draw,
	.key = tasks_key,
	.cursor = tasks_cursor,
	.jump = tasks_jump,
	.reload = tasks_reload,
	.close = tasks_close,
};
