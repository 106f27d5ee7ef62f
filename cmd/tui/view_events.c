/*
 * Events: every event of every trace, one line each (time, CPU, task,
 * event, fields), the selected one's fields in full below. Only the rows
 * on the screen are read (events_query.h): a page, the next rows after the
 * last shown, the rows before the first, the first after a time. The
 * selection moves the time cursor and follows it; `f` filters, `/`
 * searches as the user types and n/N find the next and previous match.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmd/tui/events_query.h"
#include "cmd/tui/tui.h"
#include "core/xalloc.h"

#include <curses.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DETAIL_LINES 2		/* the selected event's fields */
#define CHROME 5		/* header, column titles, separator, details */

struct events_view {
	struct evq *q;
	struct evq_row *page;		/* the rows shown, height of them at most */
	int n, sel, height;
	bool seek;			/* the cursor moved: select the first event after it */
	bool moving;			/* the selection is moving the cursor: no seek */
	double at;			/* the cursor the selection stands for */
	bool has_at;
	char filter[256], search[128];
	bool no_match;			/* the search found nothing after the selection */
	bool stopped;			/* a key stopped the search of the last edit */
	struct evq_key origin;		/* the selection when the search began */
};

static const char *const events_help[] = {
	"Up Down j k\tselect an event (the time cursor follows)",
	"PgUp PgDn b ^F\ta page back, forward",
	"Home End g G\tthe first, last event",
	"f\tfilter: NAME or PREFIX* and/or cpu=N pid=N comm=NAME, or an SQL",
	"\texpression (with a NAME first, over its fields: NAME order>0)",
	"/\tsearch task, event and fields as you type; n N next, previous",
	"Enter\tthe selected task in Tasks",
	"\ta search, or anything that takes over a second, stops at any key",
	NULL,
};

static int list_height(const struct tui *t)
{
	int h = t->rows - 3 - CHROME;

	return h < 1 ? 1 : h;
}

static void free_rows(struct evq_row *rows, int n)
{
	for (int i = 0; i < n; i++)
		evq_row_free(&rows[i]);
}

static void set_page(struct events_view *v, struct evq_row *rows, int n, int sel)
{
	free_rows(v->page, v->n);
	free(v->page);
	v->page = rows;
	v->n = n;
	v->sel = n == 0 ? 0 : sel < 0 ? 0 : sel >= n ? n - 1 : sel;
}

/* Rows read backwards, put in time order. */
static void reverse(struct evq_row *rows, int n)
{
	for (int i = 0; i < n / 2; i++) {
		struct evq_row r = rows[i];

		rows[i] = rows[n - 1 - i];
		rows[n - 1 - i] = r;
	}
}

static void error_status(struct tui *t, const struct mmt_err *err)
{
	if (!strcmp(err->msg, "stopped"))
		tui_status(t, "Stopped.");
	else
		tui_status(t, "%s", err->msg);
}

/* The selection moved: the cursor goes to its event, without a seek back. */
static void selected(struct tui *t, struct events_view *v)
{
	if (!v->n)
		return;
	v->moving = true;
	tui_set_cursor(t, v->page[v->sel].key.ts);
	v->moving = false;
	v->seek = false;
	v->at = t->cursor;
	v->has_at = true;
}

/*
 * The page from key on (the rows before it too when the end is near), the
 * first row at or after key selected; NULL key: the first page.
 */
static bool page_at(struct tui *t, struct events_view *v, const struct evq_key *key,
		    bool inclusive)
{
	int h = v->height, got, back = 0;
	struct evq_row *after = xcalloc((size_t)h, sizeof(*after));
	struct evq_row *rows = xcalloc((size_t)h, sizeof(*rows));
	struct mmt_err err = { 0 };

	got = evq_fetch(v->q, key, inclusive, 1, false, h, after, &err);
	if (got >= 0 && got < h)
		back = evq_fetch(v->q, got ? &after[0].key : key, false, -1, false, h - got, rows,
				 &err);
	if (got < 0 || back < 0) {
		free_rows(after, got < 0 ? 0 : got);
		free(after);
		free(rows);
		error_status(t, &err);
		return false;
	}
	reverse(rows, back);
	memcpy(rows + back, after, (size_t)got * sizeof(*rows));
	free(after);
	set_page(v, rows, back + got, got ? back : back - 1);
	return true;
}

/* The first event at or after the cursor. */
static void seek_cursor(struct tui *t, struct events_view *v)
{
	struct evq_key key = { .ts = t->cursor, .id = INT64_MIN, .source = 0 };

	v->seek = false;
	v->at = t->cursor;
	v->has_at = t->has_cursor;
	page_at(t, v, t->has_cursor ? &key : NULL, true);
}

static void last_page(struct tui *t, struct events_view *v)
{
	struct evq_row *rows = xcalloc((size_t)v->height, sizeof(*rows));
	struct mmt_err err = { 0 };
	int got = evq_fetch(v->q, NULL, false, -1, false, v->height, rows, &err);

	if (got < 0) {
		free(rows);
		error_status(t, &err);
		return;
	}
	reverse(rows, got);
	set_page(v, rows, got, got - 1);
}

/* Moves by k rows (k < 0: back), reading what the page does not hold. */
static void move_by(struct tui *t, struct events_view *v, int k)
{
	int dir = k < 0 ? -1 : 1, want = k < 0 ? -k : k, got;
	struct evq_row *more, *rows;
	struct mmt_err err = { 0 };

	if (!v->n)
		return;
	if (v->sel + k >= 0 && v->sel + k < v->n && want == 1) {
		v->sel += k;
		return;
	}
	more = xcalloc((size_t)want, sizeof(*more));
	got = evq_fetch(v->q, &v->page[dir > 0 ? v->n - 1 : 0].key, false, dir, false, want,
			more, &err);
	if (got < 0) {
		free(more);
		error_status(t, &err);
		return;
	}
	/* The page moves by the rows found; the selection keeps its line. */
	rows = xcalloc((size_t)v->height, sizeof(*rows));
	if (dir > 0) {
		int keep = v->n - got < 0 ? 0 : v->n - got;

		free_rows(v->page, v->n - keep);
		memcpy(rows, v->page + v->n - keep, (size_t)keep * sizeof(*rows));
		memcpy(rows + keep, more, (size_t)got * sizeof(*rows));
		v->n = 0;
		set_page(v, rows, keep + got, got < want ? keep + got - 1 : v->sel);
	} else {
		int keep = v->n - got < 0 ? 0 : v->n - got;

		reverse(more, got);
		memcpy(rows, more, (size_t)got * sizeof(*rows));
		free_rows(v->page + keep, v->n - keep);
		memcpy(rows + got, v->page, (size_t)keep * sizeof(*rows));
		v->n = 0;
		set_page(v, rows, keep + got, got < want ? 0 : v->sel);
	}
	free(more);
}

/* A key waiting on the terminal stops a long query: the user moved on. */
static bool key_waiting(void *ctx)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };

	(void)ctx;
	return poll(&p, 1, 0) > 0;
}

static void *events_open(struct tui *t)
{
	const char *path = sqlite3_db_filename(mmt_store_handle(t->st), "main");
	struct events_view *v;
	struct mmt_err err = { 0 };
	struct evq *q;

	if (!path || !*path) {
		tui_status(t, "Events: the database is not a file.");
		return NULL;
	}
	if (!(q = evq_open(path, &err))) {
		tui_status(t, "Events: %s", err.msg);
		return NULL;
	}
	v = xcalloc(1, sizeof(*v));
	v->q = q;
	v->height = list_height(t);
	v->seek = true;
	evq_on_progress(q, key_waiting, v);
	return v;
}

static void events_close(void *vp)
{
	struct events_view *v = vp;

	set_page(v, NULL, 0, 0);
	evq_close(v->q);
	free(v);
}

/* Column widths: time, task and event; the fields take the rest. */
struct columns {
	int time, task, event, fields;
};

static struct columns columns(struct tui *t, struct events_view *v, int cols)
{
	struct columns c = { .time = 8, .task = cols >= 100 ? 24 : 18 };
	char buf[40];
	int n, longest = 5;
	const struct evq_type *types = evq_types(v->q, &n);

	if (v->n) {
		tui_time(t, v->page[0].key.ts, buf, sizeof(buf));
		c.time = (int)strlen(buf) > c.time ? (int)strlen(buf) : c.time;
	}
	for (int i = 0; i < n; i++)
		longest = (int)strlen(types[i].name) > longest ? (int)strlen(types[i].name) : longest;
	c.event = longest < (cols >= 100 ? 30 : 20) ? longest : cols >= 100 ? 30 : 20;
	c.fields = cols - (c.time + 1 + 3 + 1 + c.task + 1 + c.event + 1);
	return c;
}

static void header(struct tui *t, struct events_view *v, int y, int cols)
{
	struct tui_line l;
	int traces;
	int64_t total = evq_total(v->q, &traces);

	tui_line_start(&l, t, y, 0, cols, false);
	tui_line_textf(&l, TS_HEADER, "Events: %lld in %d trace%s", (long long)total, traces,
		       traces == 1 ? "" : "s");
	if (v->filter[0]) {
		tui_line_text(&l, "  filter: ", TS_NORMAL);
		tui_line_put(&l, v->filter, TS_WARNING);
	}
	if (v->search[0]) {
		tui_line_text(&l, "  search: ", TS_NORMAL);
		tui_line_put(&l, v->search, TS_MATCH);
		if (v->no_match)
			tui_line_text(&l, " (no match after the selection)", TS_DIM);
	}
}

static void column_titles(struct tui *t, const struct columns *c, int y, int cols)
{
	int x = c->time + 1 + 4 + c->task + 1 + c->event + 1;

	tui_text(t, y, 0, c->time, "TIME", TS_HEADER);
	tui_text(t, y, c->time + 1, 3, "CPU", TS_HEADER);
	tui_text(t, y, c->time + 5, c->task, "TASK", TS_HEADER);
	tui_text(t, y, c->time + 5 + c->task + 1, c->event, "EVENT", TS_HEADER);
	tui_text(t, y, x, cols - x, "FIELDS", TS_HEADER);
}

/* "comm:pid" as the trace shows them ("<...>" for a task it does not name). */
static void task_text(const struct evq_row *r, char *buf, size_t n)
{
	if (r->pid < 0)
		snprintf(buf, n, "%s", r->comm ? r->comm : "-");
	else
		snprintf(buf, n, "%s:%lld", r->comm ? r->comm : "<...>", (long long)r->pid);
}

static void event_row(struct tui *t, struct events_view *v, struct evq_row *r, const struct columns *c,
		      int y, int cols, bool sel)
{
	enum tui_style s = sel ? TS_SELECTED : TS_NORMAL;
	char buf[320];
	int n, x = 0;
	const struct evq_type *types = evq_types(v->q, &n);

	if (sel) {
		attrset(tui_attr(t, TS_SELECTED));
		mvhline(y, 0, ' ', cols);
	}
	tui_time(t, r->key.ts, buf, sizeof(buf));
	tui_text(t, y, x, c->time, buf, sel ? s : TS_DIM);
	snprintf(buf, sizeof(buf), r->cpu < 0 ? "  -" : "%3lld", (long long)r->cpu);
	tui_text(t, y, x += c->time + 1, 3, buf, s);
	task_text(r, buf, sizeof(buf));
	tui_put(t, y, x += 4, c->task, buf, s, false);
	tui_put(t, y, x += c->task + 1, c->event, r->type < n ? types[r->type].name : "?",
		sel ? s : TS_INFO, false);
	x += c->event + 1;
	if (c->fields > 0)
		tui_put(t, y, x, c->fields, evq_fields(v->q, r) + 1, s, false);
	attrset(A_NORMAL);
}

/* The bytes of s that fill width columns, cut between characters. */
static size_t fit(const char *s, int width)
{
	size_t i = 0;

	for (int used = 0; s[i] && used < width; used++)
		for (i++; ((unsigned char)s[i] & 0xc0) == 0x80; i++)
			;
	return i;
}

/* The selected event's identity on the separator, its fields in full below. */
static void details(struct tui *t, struct events_view *v, int y, int rows, int cols)
{
	struct evq_row *r = &v->page[v->sel];
	const char *f = evq_fields(v->q, r);
	char buf[160], when[40];

	tui_hline(t, y, cols);
	tui_time(t, r->key.ts, when, sizeof(when));
	snprintf(buf, sizeof(buf), " event #%lld, source %lld, %s ", (long long)r->key.id,
		 (long long)r->key.source, when);
	tui_text(t, y, 2, cols - 2, buf, TS_DIM);
	while (*f == ' ')
		f++;
	for (int i = 1; i <= rows && *f; i++) {
		size_t n = fit(f, cols);
		char *line = xstrndup(f, n);

		tui_put(t, y + i, 0, cols, line, TS_NORMAL, false);
		free(line);
		f += n;
	}
}

static void events_draw(struct tui *t, void *vp, int top, int rows, int cols)
{
	struct events_view *v = vp;
	struct columns c;
	int h = rows - CHROME < 1 ? 1 : rows - CHROME;

	if (h != v->height) {
		struct evq_key first = v->n ? v->page[0].key : (struct evq_key){ 0 };
		int sel = v->sel;

		v->height = h;
		if (v->n && page_at(t, v, &first, true))
			v->sel = sel < v->n ? sel : v->n - 1;
	}
	if (v->seek)
		seek_cursor(t, v);
	header(t, v, top, cols);
	if (!v->n) {
		tui_text(t, top + 2, 0, cols, v->filter[0] ? "No event passes the filter." :
			 "No trace events in this database.", TS_DIM);
		return;
	}
	c = columns(t, v, cols);
	column_titles(t, &c, top + 1, cols);
	for (int i = 0; i < v->n && i < h; i++)
		event_row(t, v, &v->page[i], &c, top + 2 + i, cols, i == v->sel);
	details(t, v, top + 2 + h, DETAIL_LINES, cols);
}

/* Said before a query that may scan far, on the status line at once. */
static void busy(struct tui *t)
{
	move(t->rows - 1, 0);
	clrtoeol();
	tui_text(t, t->rows - 1, 0, t->cols, "Searching... (any key stops)", TS_DIM);
	refresh();
}

/* The page again from the selected event (or the next one the filter keeps). */
static void refill(struct tui *t, struct events_view *v)
{
	struct evq_key at = v->n ? v->page[v->sel].key : (struct evq_key){ 0 };

	page_at(t, v, v->n ? &at : NULL, true);
}

static void prompt_filter(struct tui *t, struct events_view *v)
{
	char buf[sizeof(v->filter)];
	struct mmt_err err = { 0 };

	snprintf(buf, sizeof(buf), "%s", v->filter);
	if (!tui_prompt(t, "filter: ", buf, sizeof(buf)))
		return;
	if (evq_set_filter(v->q, buf, &err) < 0) {
		tui_status(t, "%s", err.msg);
		return;
	}
	snprintf(v->filter, sizeof(v->filter), "%s", buf);
	busy(t);
	refill(t, v);
	tui_status(t, v->filter[0] ? "Filter: %s" : "No filter.", v->filter);
	selected(t, v);
}

/*
 * The next match after (dir > 0) or before key, brought on the page: 1, or
 * 0 when there is none, -1 when the query failed or was stopped (err).
 */
static int find(struct tui *t, struct events_view *v, const struct evq_key *key, int dir,
		struct mmt_err *err)
{
	struct evq_row r;
	int got = evq_fetch(v->q, key, false, dir, true, 1, &r, err);

	v->no_match = got == 0;
	if (got <= 0)
		return got;
	for (int i = 0; i < v->n; i++) {
		if (v->page[i].key.id == r.key.id && v->page[i].key.source == r.key.source) {
			v->sel = i;
			evq_row_free(&r);
			return 1;
		}
	}
	page_at(t, v, &r.key, true);
	evq_row_free(&r);
	return 1;
}

/* Draws the view again while the search prompt is open. */
static void redraw(struct tui *t, struct events_view *v)
{
	for (int y = 1; y < t->rows - 2; y++) {
		move(y, 0);
		clrtoeol();
	}
	events_draw(t, v, 1, t->rows - 3, t->cols);
}

/*
 * Each edit of the search: the first match after where the search began.
 * A search stopped by the next key is left to the search that key starts.
 */
static void search_changed(struct tui *t, void *ctx, const char *text)
{
	struct events_view *v = ctx;
	struct mmt_err err = { 0 };
	int rc = 0;

	snprintf(v->search, sizeof(v->search), "%s", text);
	evq_set_search(v->q, text);
	v->no_match = false;
	if (text[0])
		rc = find(t, v, &v->origin, 1, &err);
	v->stopped = rc < 0 && !strcmp(err.msg, "stopped");
	if (rc < 0 && !v->stopped)
		error_status(t, &err);
	if (rc == 0)
		page_at(t, v, &v->origin, true);
	redraw(t, v);
}

static void search(struct tui *t, struct events_view *v)
{
	char buf[sizeof(v->search)] = "", old[sizeof(v->search)];

	if (!v->n)
		return;
	snprintf(old, sizeof(old), "%s", v->search);
	v->origin = v->page[v->sel].key;
	if (!tui_prompt_live(t, "/", buf, sizeof(buf), search_changed, v)) {
		/* Cancelled: back where it began, with the search it had. */
		snprintf(v->search, sizeof(v->search), "%s", old);
		evq_set_search(v->q, old);
		v->no_match = false;
		page_at(t, v, &v->origin, true);
		return;
	}
	/* Enter may have stopped the search of the last edit: it runs to its end. */
	if (v->stopped) {
		struct mmt_err err = { 0 };

		busy(t);
		if (find(t, v, &v->origin, 1, &err) < 0)
			error_status(t, &err);
	}
	if (v->no_match)
		tui_status(t, "No match for %s after the selection.", v->search);
	selected(t, v);
}

static void next_match(struct tui *t, struct events_view *v, int dir)
{
	struct mmt_err err = { 0 };
	int rc;

	if (!v->search[0]) {
		tui_status(t, "No search: / starts one.");
		return;
	}
	if (!v->n)
		return;
	busy(t);
	rc = find(t, v, &v->page[v->sel].key, dir, &err);
	if (rc > 0)
		selected(t, v);
	else if (rc < 0)
		error_status(t, &err);
	else
		tui_status(t, "No match for %s %s the selection.", v->search,
			   dir > 0 ? "after" : "before");
}

static void task(struct tui *t, struct events_view *v)
{
	const struct evq_row *r = &v->page[v->sel];
	struct tui_target to = { .view = TUI_TASKS, .pid = r->pid, .ts = r->key.ts,
				 .has_ts = true };

	if (!tui_views[TUI_TASKS] || r->pid < 0)
		tui_status(t, "No task to show.");
	else
		tui_goto(t, &to);
}

/* Keys that move the selection. */
static bool move_key(struct tui *t, struct events_view *v, int ch)
{
	switch (ch) {
	case KEY_UP: case 'k': move_by(t, v, -1); break;
	case KEY_DOWN: case 'j': move_by(t, v, 1); break;
	case KEY_PPAGE: case 'b': move_by(t, v, -v->height); break;
	case KEY_NPAGE: case 'f' - 'a' + 1: move_by(t, v, v->height); break;
	case KEY_HOME: case 'g': page_at(t, v, NULL, true); break;
	case KEY_END: case 'G': last_page(t, v); break;
	default: return false;
	}
	selected(t, v);
	return true;
}

static bool events_key(struct tui *t, void *vp, int ch)
{
	struct events_view *v = vp;

	if (move_key(t, v, ch))
		return true;
	switch (ch) {
	case 'f': prompt_filter(t, v); return true;
	case '/': search(t, v); return true;
	case 'n': next_match(t, v, 1); return true;
	case 'N': next_match(t, v, -1); return true;
	case '\n': case '\r': case KEY_ENTER:
		if (v->n)
			task(t, v);
		return true;
	}
	return false;
}

static void events_cursor(struct tui *t, void *vp)
{
	struct events_view *v = vp;

	/* Only a cursor that moved from where the selection put it: a jump
	 * elsewhere and back, or R, leave the selection where it was. */
	if (!v->moving && !(v->has_at && t->cursor == v->at))
		v->seek = true;
}

static void events_jump(struct tui *t, void *vp, const struct tui_target *to)
{
	struct events_view *v = vp;
	struct evq_key key;
	struct mmt_err err = { 0 };

	if (to->event <= 0)
		return;
	if (!evq_find(v->q, to->event, &key)) {
		tui_status(t, "No event #%lld in this database.", (long long)to->event);
		return;
	}
	page_at(t, v, &key, true);
	if (!v->n || v->page[v->sel].key.id != to->event) {
		/* The filter hides it: shown without one. */
		evq_set_filter(v->q, "", &err);
		v->filter[0] = '\0';
		page_at(t, v, &key, true);
		tui_status(t, "Filter cleared to show event #%lld.", (long long)to->event);
	}
	selected(t, v);
}

static void events_reload(struct tui *t, void *vp)
{
	struct events_view *v = vp;
	struct mmt_err err = { 0 };

	if (evq_reload(v->q, &err) < 0 || evq_set_filter(v->q, v->filter, &err) < 0) {
		tui_status(t, "Events: %s", err.msg);
		v->filter[0] = '\0';
	}
	evq_set_search(v->q, v->search);
	refill(t, v);
}

const struct tui_view_ops tui_view_events = {
	.name = "Events",
	.bar = "f filter  / search  n N match  PgUp PgDn  Home End  Enter task  ? help  q quit",
	.help = events_help,
	.open = events_open,
	.draw = events_draw,
	.key = events_key,
	.cursor = events_cursor,
	.jump = events_jump,
	.reload = events_reload,
	.close = events_close,
};
