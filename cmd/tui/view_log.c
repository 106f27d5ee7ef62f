/*
 * Log: the kernel-log lines of every log in the database, one log after
 * another under a header line, read a screen at a time (log_store.c).
 * Reports stand out: their first line coloured by kind, their other lines
 * folded under it ("[+N lines]") until Enter or 'o' opens them. '/'
 * searches the store from the selection, n and N go on.
 *
 * The view and the time cursor follow each other: the cursor moving selects
 * the first line at or after it, and selecting a line with a time moves
 * the cursor there.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmd/tui/log_store.h"
#include "cmd/tui/tui.h"
#include "cmd/render/render.h"
#include "core/xalloc.h"

#include <curses.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_MAX 512		/* rows a screen can show */

struct log_view {
	struct log_store ls;
	struct log_pos top, sel;
	struct log_pos shown[PAGE_MAX];
	int page, nshown;
	bool moving;			/* the view moves the cursor: not to be followed back */
	char search[128];
};

static const char *const log_help[] = {
	"Up Down j k\tselect a line (the time cursor follows lines with a time)",
	"PgUp PgDn Home End\tby pages, to the first or last line",
	"Enter o\topen or fold the report of the selected line",
	"/\tsearch the lines for a text (case ignored; empty: the last again); n next, N previous",
	"T\tthe task of the selected report in Tasks",
	NULL,
};

/* ------------------------------------------------------------------ drawing */

/*
 * Whether a log's times are on the cursor's timeline: a log on its own
 * clock (seconds since a boot nobody gave) is not, when other sources are
 * on the wall clock; then its lines neither follow nor move the cursor.
 */
static bool on_timeline(const struct tui *t, const struct log_source *s)
{
	return !t->wall || s->has_offset || !strcmp(s->clock, "wall");
}

static enum tui_style kind_style(const char *kind)
{
	static const char *const critical[] = {
		"hung_task", "oom_kill", "panic", "oops", "bug", "hard_lockup", "soft_lockup",
		"rcu_stall", "kasan", "kfence", "lockdep", NULL,
	};
	static const char *const warning[] = {
		"alloc_failure", "warning", "fs_alloc_retry", "kmsan", "kcsan", "ubsan",
		"memory_leak", NULL,
	};

	for (const char *const *k = critical; *k; k++)
		if (!strcmp(kind, *k))
			return TS_CRITICAL;
	for (const char *const *k = warning; *k; k++)
		if (!strcmp(kind, *k))
			return TS_WARNING;
	return TS_INFO;
}

/* Whether text holds what, ASCII case ignored (as SQL's LIKE). */
static bool holds(const char *text, const char *what)
{
	size_t n = strlen(what);

	if (!n)
		return false;
	for (; *text; text++) {
		size_t i = 0;

		while (i < n && text[i] && tolower((unsigned char)text[i]) ==
					    tolower((unsigned char)what[i]))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

static void header_row(struct tui *t, struct log_view *v, size_t s, int y, int cols, bool sel)
{
	const struct log_source *src = &v->ls.src[s];
	struct tui_line l;

	tui_line_start(&l, t, y, 0, cols, sel);
	tui_line_text(&l, t->utf8 ? "\xe2\x94\x80\xe2\x94\x80 " : "-- ", TS_HEADER);	/* ── */
	tui_line_put(&l, rm_basename(src->path), TS_HEADER);
	tui_line_textf(&l, TS_DIM, "  source %lld, %lld lines", (long long)src->id,
		       (long long)src->hi - src->lo + 1);
	if (src->format[0]) {
		tui_line_text(&l, ", ", TS_DIM);
		tui_line_put(&l, src->format, TS_DIM);
	}
	if (src->clock[0]) {
		tui_line_text(&l, ", clock ", TS_DIM);
		tui_line_put(&l, src->clock, TS_DIM);
	}
	if (src->nreports)
		tui_line_textf(&l, TS_DIM, ", %zu reports", src->nreports);
}

/* "▸ " on a folded report's first line, "▾ " on an open one's, "│ " on its other lines. */
static const char *fold_mark(const struct tui *t, const struct log_report *r, int64_t line)
{
	if (!r)
		return "  ";
	if (line == r->start)
		return r->open ? (t->utf8 ? "\xe2\x96\xbe " : "- ") : (t->utf8 ? "\xe2\x96\xb8 " : "+ ");
	return t->utf8 ? "\xe2\x94\x82 " : "| ";
}

static void line_row(struct tui *t, struct log_view *v, struct log_pos p, int y, int cols,
		     bool sel)
{
	struct log_row r;
	struct log_report *rep;
	struct tui_line l;
	char when[40] = "", fold[40] = "";
	enum tui_style s = TS_NORMAL;

	if (!log_row(&v->ls, p.id, &r))
		return;
	rep = log_report_at(&v->ls, p.src, r.line);
	if (r.has_t && on_timeline(t, &v->ls.src[p.src]))
		tui_time(t, r.t, when, sizeof(when));
	else if (r.has_t)
		snprintf(when, sizeof(when), "%.6f", r.t);
	tui_line_start(&l, t, y, 0, cols, sel);
	tui_line_text(&l, fold_mark(t, rep, r.line), TS_DIM);
	tui_line_textf(&l, TS_DIM, "%6lld ", (long long)r.line);
	tui_line_textf(&l, TS_DIM, "%15s ", when);
	if (r.origin[0]) {
		tui_line_put(&l, r.origin, TS_INFO);
		tui_line_text(&l, ": ", TS_INFO);
	}
	if (rep && r.line == rep->start) {
		s = kind_style(rep->kind);
		if (!rep->open)
			snprintf(fold, sizeof(fold), " [+%lld lines]",
				 (long long)log_report_hidden(&v->ls, p.src, rep));
	}
	if (holds(r.text, v->search))
		s = TS_MATCH;
	l.end -= (int)strlen(fold);
	tui_line_put(&l, r.text, s);
	l.end += (int)strlen(fold);
	tui_line_text(&l, fold, TS_DIM);
}

/* The places from top that fill the screen. */
static void walk(struct log_view *v)
{
	struct log_pos p = v->top;

	v->nshown = 0;
	if (!v->ls.nsrc)
		return;
	do
		v->shown[v->nshown++] = p;
	while (v->nshown < v->page && log_next(&v->ls, &p));
}

/* top moves so that the selection is on the screen. */
static void keep_visible(struct log_view *v)
{
	walk(v);
	for (int i = 0; i < v->nshown; i++)
		if (!log_pos_cmp(v->shown[i], v->sel))
			return;
	if (log_pos_cmp(v->sel, v->top) < 0) {
		v->top = v->sel;
	} else {
		v->top = v->sel;
		for (int i = 1; i < v->page && log_prev(&v->ls, &v->top); i++)
			;
	}
	walk(v);
}

/* The selection a third down the screen: after a jump, a search, the cursor. */
static void centre(struct log_view *v)
{
	v->top = v->sel;
	for (int i = 0; i < v->page / 3 && log_prev(&v->ls, &v->top); i++)
		;
	walk(v);
}

static void log_draw(struct tui *t, void *vp, int top, int rows, int cols)
{
	struct log_view *v = vp;

	if (!v->ls.nsrc) {
		tui_text(t, top, 0, cols, "No kernel log in the database.", TS_DIM);
		return;
	}
	v->page = rows > PAGE_MAX ? PAGE_MAX : rows;
	keep_visible(v);
	for (int i = 0; i < v->nshown; i++) {
		bool sel = !log_pos_cmp(v->shown[i], v->sel);

		if (v->shown[i].id)
			line_row(t, v, v->shown[i], top + i, cols, sel);
		else
			header_row(t, v, v->shown[i].src, top + i, cols, sel);
	}
}

/* --------------------------------------------------------------------- keys */

/* The selected line's time becomes the cursor's. */
static void moved(struct tui *t, struct log_view *v)
{
	struct log_row r;

	if (!v->sel.id || !on_timeline(t, &v->ls.src[v->sel.src]) ||
	    !log_row(&v->ls, v->sel.id, &r) || !r.has_t)
		return;
	v->moving = true;
	tui_set_cursor(t, r.t);
	v->moving = false;
}

static void step(struct log_view *v, int n)
{
	for (; n > 0 && log_next(&v->ls, &v->sel); n--)
		;
	for (; n < 0 && log_prev(&v->ls, &v->sel); n++)
		;
}

static bool move_key(struct tui *t, struct log_view *v, int ch)
{
	int page = v->page > 2 ? v->page - 1 : 1;

	switch (ch) {
	case KEY_UP: case 'k': step(v, -1); break;
	case KEY_DOWN: case 'j': step(v, 1); break;
	case KEY_PPAGE: case 'b': step(v, -page); break;
	case KEY_NPAGE: case 'f' - 'a' + 1: step(v, page); break;
	case KEY_HOME: case 'g': v->sel = log_first(); break;
	case KEY_END: case 'G': v->sel = log_last(&v->ls); break;
	default: return false;
	}
	moved(t, v);
	return true;
}

static void toggle(struct tui *t, struct log_view *v)
{
	struct log_row r;
	struct log_report *rep;

	if (!v->sel.id || !log_row(&v->ls, v->sel.id, &r) ||
	    !(rep = log_report_at(&v->ls, v->sel.src, r.line))) {
		tui_status(t, "This line is not part of a report.");
		return;
	}
	rep->open = !rep->open;
	v->sel = log_shown(&v->ls, v->sel);
}

/* Selects line id, opening the report that folds it away. */
static void select_id(struct log_view *v, int64_t id)
{
	size_t s = log_source_of(&v->ls, id);
	struct log_row r;
	struct log_report *rep;

	if (s >= v->ls.nsrc)
		return;
	if (log_row(&v->ls, id, &r) && (rep = log_report_at(&v->ls, s, r.line)) &&
	    r.line > rep->start)
		rep->open = true;
	v->sel = (struct log_pos){ s, id };
	centre(v);
}

static void search(struct tui *t, struct log_view *v, int dir)
{
	int64_t from = v->sel.id ? v->sel.id : v->ls.src[v->sel.src].lo - 1, found;

	if (!v->search[0]) {
		tui_status(t, "No search yet: / searches.");
		return;
	}
	if (log_search(&v->ls, from, dir, v->search, &found)) {
		select_id(v, found);
	} else if (log_search(&v->ls, dir > 0 ? 0 : INT64_MAX, dir, v->search, &found)) {
		select_id(v, found);
		tui_status(t, "Search went on from the %s.", dir > 0 ? "first line" : "last line");
	} else {
		tui_status(t, "No line holds \"%s\".", v->search);
		return;
	}
	moved(t, v);
}

/* A new text to search for; an empty one searches again for the last. */
static void new_search(struct tui *t, struct log_view *v)
{
	char what[sizeof(v->search)] = "";

	if (!tui_prompt(t, "search: ", what, sizeof(what)))
		return;
	if (what[0])
		memcpy(v->search, what, sizeof(what));
	search(t, v, 1);
}

/* Tasks, at the task the selected report is about. */
static void to_task(struct tui *t, struct log_view *v)
{
	static const char sql_pid[] = "SELECT pid FROM reports WHERE id = ? AND pid IS NOT NULL";
	struct tui_target to = { .view = TUI_TASKS, .pid = -1 };
	struct log_row r;
	struct log_report *rep;

	if (v->sel.id && log_row(&v->ls, v->sel.id, &r) &&
	    (rep = log_report_at(&v->ls, v->sel.src, r.line))) {
		sqlite3_stmt *q = mmt_store_stmt(t->st, sql_pid, NULL);

		if (q) {
			mmt_bind_int(q, 1, rep->id);
			if (sqlite3_step(q) == SQLITE_ROW)
				to.pid = sqlite3_column_int64(q, 0);
			sqlite3_reset(q);
		}
	}
	if (to.pid < 0)
		tui_status(t, "The selected line is not in a report about a task.");
	else
		tui_goto(t, &to);
}

static bool log_key(struct tui *t, void *vp, int ch)
{
	struct log_view *v = vp;

	if (!v->ls.nsrc)
		return false;
	if (move_key(t, v, ch))
		return true;
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER: case 'o': toggle(t, v); return true;
	case '/': new_search(t, v); return true;
	case 'n': search(t, v, 1); return true;
	case 'N': search(t, v, -1); return true;
	case 'T': to_task(t, v); return true;
	}
	return false;
}

/* ---------------------------------------------------------------- the view */

/* The first line at or after the cursor: in the selected log, else in another. */
static void follow(struct tui *t, struct log_view *v)
{
	int64_t id;

	for (size_t i = 0; i < v->ls.nsrc; i++) {
		size_t s = (v->sel.src + i) % v->ls.nsrc;

		if (on_timeline(t, &v->ls.src[s]) && log_at_time(&v->ls, s, t->cursor, &id)) {
			v->sel = log_shown(&v->ls, (struct log_pos){ s, id });
			centre(v);
			return;
		}
	}
}

static void log_cursor(struct tui *t, void *vp)
{
	struct log_view *v = vp;

	if (!v->moving && v->ls.nsrc)
		follow(t, v);
}

static void log_jump(struct tui *t, void *vp, const struct tui_target *to)
{
	struct log_view *v = vp;

	for (size_t s = 0; s < v->ls.nsrc; s++) {
		int64_t id;

		if (v->ls.src[s].id != to->source)
			continue;
		id = log_line_id(&v->ls, s, to->line);
		if (id <= v->ls.src[s].hi) {
			select_id(v, id);
			return;
		}
	}
	tui_status(t, "No line %lld in source %lld.", (long long)to->line, (long long)to->source);
}

static void *log_open(struct tui *t)
{
	struct log_view *v = xcalloc(1, sizeof(*v));
	struct mmt_err err = { 0 };

	if (log_store_open(&v->ls, t->st, &err) < 0) {
		tui_status(t, "Log: %s", err.msg);
		log_store_free(&v->ls);
		free(v);
		return NULL;
	}
	v->page = t->rows > 3 ? t->rows - 3 : 1;
	/* A cursor someone moved is where the log opens; else at its first line. */
	if (t->has_cursor && t->cursor > t->t0)
		follow(t, v);
	return v;
}

static void log_close(void *vp)
{
	struct log_view *v = vp;

	log_store_free(&v->ls);
	free(v);
}

/* New logs of a running ingest; the selection stays on its line. */
static void log_reload(struct tui *t, void *vp)
{
	struct log_view *v = vp;
	struct mmt_err err = { 0 };
	int64_t id = v->sel.id;

	log_store_free(&v->ls);
	if (log_store_open(&v->ls, t->st, &err) < 0)
		tui_status(t, "Log: %s", err.msg);
	v->top = v->sel = log_first();
	if (id && log_source_of(&v->ls, id) < v->ls.nsrc)
		select_id(v, id);
}

const struct tui_view_ops tui_view_log = {
	.name = "Log",
	.bar = "Enter/o fold  / search  n N next prev  T task  Tab views  < > cursor  ? help  q quit",
	.help = log_help,
	.open = log_open,
	.draw = log_draw,
	.key = log_key,
	.cursor = log_cursor,
	.jump = log_jump,
	.reload = log_reload,
	.close = log_close,
};
