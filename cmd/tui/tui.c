/*
 * The TUI's frame: the screen's lines around the current view, the keys
 * every view shares (views, help, back, quit, refresh, the time cursor and
 * play), and the main loop, which waits for a key, or for the next tick
 * while the cursor plays.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmd/tui/tui.h"
#include "cmd/render/series.h"
#include "cmd/tui/events_query.h"

#include <curses.h>
#include <sqlite3.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TICK_MS 100		/* the cursor's step while it plays */
#define BACK_MAX 32		/* jumps remembered for q/Esc */
#define EVENT_STEP_ROWS 64	/* events read past those at the cursor's own time */
#define WRITE_WAIT_S 3		/* how long a write waits for another process's */

static enum tui_view_id back_stack[BACK_MAX];
static int back_depth;

static const char *const global_help[] = {
	"Tab, Shift-Tab\tnext, previous view",
	"1-6\tFindings, Tasks, Events, Log, Counters, Slabs",
	"q, Esc\tback from a jump; q in the first view quits",
	"?\tthis help",
	"R\tre-read the database (rows a running ingest added)",
	"< >\ttime cursor back, forward 1 s",
	"[ ]\ttime cursor back, forward 1 ms",
	", .\ttime cursor to the previous, next trace event",
	"{ }\ttime cursor to the previous, next finding's window",
	"space\tplay or pause the time cursor",
	"+ -\tplay faster, slower",
	"t\tput the time cursor at a time (seconds, or HH:MM:SS on a wall clock)",
	NULL,
};

static void *view_state(struct tui *t, enum tui_view_id v)
{
	if (!t->state[v] && tui_views[v] && tui_views[v]->open)
		t->state[v] = tui_views[v]->open(t);
	return t->state[v];
}

static void view_label(const struct tui *t, int v, bool brief, char *buf, size_t n)
{
	if (v == (int)t->view)
		snprintf(buf, n, "[%d %s]", v + 1, tui_views[v]->name);
	else if (brief)
		snprintf(buf, n, " %d ", v + 1);
	else
		snprintf(buf, n, " %d %s ", v + 1, tui_views[v]->name);
}

/* The views' labels from column 0 (numbers only but the current one's when brief); their width. */
static int view_labels(struct tui *t, bool brief, bool draw)
{
	char buf[64];
	int x = 0;

	for (int v = 0; v < TUI_NVIEWS; v++) {
		if (!tui_views[v])
			continue;
		view_label(t, v, brief, buf, sizeof(buf));
		if (draw)
			tui_text(t, 0, x, t->cols - x, buf, TS_TITLE);
		x += (int)strlen(buf) + 1;
	}
	return x;
}

/* The views and the cursor; on a narrow terminal the other views by number only. */
static void title_line(struct tui *t)
{
	char cur[40] = "-", buf[64];
	int x, w;

	if (t->has_cursor)
		tui_time(t, t->cursor, cur, sizeof(cur));
	snprintf(buf, sizeof(buf), " %s %s", t->playing ? "play" : "cursor", cur);
	w = (int)strlen(buf);
	attrset(tui_attr(t, TS_TITLE));
	mvhline(0, 0, ' ', t->cols);
	x = view_labels(t, view_labels(t, false, false) + w >= t->cols, true);
	if (x + w < t->cols)
		tui_text(t, 0, t->cols - w - 1, w, buf, TS_TITLE);
	attrset(A_NORMAL);
}

static void bottom_lines(struct tui *t)
{
	const char *bar = tui_views[t->view]->bar;

	attrset(tui_attr(t, TS_BAR));
	mvhline(t->rows - 2, 0, ' ', t->cols);
	tui_text(t, t->rows - 2, 0, t->cols, bar, TS_BAR);
	attrset(A_NORMAL);
	move(t->rows - 1, 0);
	clrtoeol();
	tui_put(t, t->rows - 1, 0, t->cols, t->status, TS_NORMAL, false);
}

static void draw(struct tui *t)
{
	void *v = view_state(t, t->view);

	erase();
	getmaxyx(stdscr, t->rows, t->cols);
	title_line(t);
	if (v && t->rows > 3)
		tui_views[t->view]->draw(t, v, 1, t->rows - 3, t->cols);
	bottom_lines(t);
	refresh();
}

/* The help screen: every shared key, then the view's own; any key closes it. */
static void help(struct tui *t)
{
	const char *const *lists[2] = { global_help, tui_views[t->view]->help };
	int y = 1;

	erase();
	tui_text(t, 0, 0, t->cols, "Keys (any key closes this)", TS_TITLE);
	for (int l = 0; l < 2; l++) {
		for (const char *const *h = lists[l]; h && *h && y < t->rows - 1; h++, y++) {
			const char *tab = strchr(*h, '\t');
			char key[32];

			snprintf(key, sizeof(key), "%.*s", tab ? (int)(tab - *h) : 0, *h);
			tui_text(t, y, 2, 18, key, TS_HEADER);
			tui_text(t, y, 22, t->cols - 22, tab ? tab + 1 : *h, TS_NORMAL);
		}
		y++;
	}
	refresh();
	timeout(-1);
	getch();
}

void tui_set_cursor(struct tui *t, double ts)
{
	if (t->has_span)
		ts = ts < t->t0 ? t->t0 : ts > t->t1 ? t->t1 : ts;
	t->cursor = ts;
	t->has_cursor = true;
	for (int v = 0; v < TUI_NVIEWS; v++)
		if (t->state[v] && tui_views[v]->cursor)
			tui_views[v]->cursor(t, t->state[v]);
}

void tui_goto(struct tui *t, const struct tui_target *to)
{
	void *v;

	if (!tui_views[to->view])
		return;
	if (back_depth < BACK_MAX)
		back_stack[back_depth++] = t->view;
	t->view = to->view;
	if (to->has_ts)
		tui_set_cursor(t, to->ts);
	v = view_state(t, to->view);
	if (v && tui_views[to->view]->jump)
		tui_views[to->view]->jump(t, v, to);
}

/* The finding window that starts after (dir > 0) or before the cursor. */
static void step_finding(struct tui *t, int dir)
{
	const struct rm_finding *best = NULL;

	for (size_t i = 0; i < t->m.nfindings; i++) {
		const struct rm_finding *f = &t->m.findings[i];

		if (!f->has_t || (dir > 0 ? f->t_start <= t->cursor + 1e-9
					  : f->t_start >= t->cursor - 1e-9))
			continue;
		if (!best || (dir > 0 ? f->t_start < best->t_start : f->t_start > best->t_start))
			best = f;
	}
	if (best)
		tui_set_cursor(t, best->t_start);
	else
		tui_status(t, "No finding's window %s the cursor.", dir > 0 ? "after" : "before");
}

/* The time of the nearest event after (dir > 0) or before the cursor, of every trace. */
static bool event_near(struct tui *t, int dir, double *ts)
{
	const char *path = sqlite3_db_filename(mmt_store_handle(t->st), "main");
	struct evq_key at = { .ts = t->cursor, .source = 0 };
	struct evq_row rows[EVENT_STEP_ROWS];
	struct mmt_err err = { 0 };
	bool found = false;
	int n;

	if (!t->events && path && *path)
		t->events = evq_open(path, &err);
	if (!t->events)
		return false;
	/* Events at the cursor's own time come first after a bare time: skip them. */
	n = evq_fetch(t->events, &at, false, dir, false, EVENT_STEP_ROWS, rows, &err);
	for (int i = 0; i < n; i++) {
		if (!found && (dir < 0 || rows[i].key.ts > t->cursor)) {
			*ts = rows[i].key.ts;
			found = true;
		}
		evq_row_free(&rows[i]);
	}
	return found;
}

static void step_event(struct tui *t, int dir)
{
	double ts;

	if (event_near(t, dir, &ts))
		tui_set_cursor(t, ts);
	else
		tui_status(t, "No event %s the cursor.", dir > 0 ? "after" : "before");
}

/*
 * "HH:MM:SS[.frac]" as seconds, summed in doubles: typed hours of 10^9 made
 * an int overflow when they were multiplied by 3600.
 */
static bool clock_secs(const char *s, double *out)
{
	const char *p = s;
	char *end;
	double part[3];

	for (int i = 0; i < 3; i++) {
		part[i] = i < 2 ? (double)strtol(p, &end, 10) : strtod(p, &end);
		if (end == p || (i < 2 && *end != ':'))
			return false;
		p = end + 1;
	}
	*out = part[0] * 3600 + part[1] * 60 + part[2];
	return true;
}

/* "12.5", or "HH:MM:SS[.frac]" on the day of the data's start. */
static bool parse_time(const struct tui *t, const char *s, double *out)
{
	double secs;
	char *end;

	if (t->wall && clock_secs(s, &secs)) {
		*out = floor(t->t0 / 86400) * 86400 + secs;
		return true;
	}
	*out = strtod(s, &end);
	return end != s && !*end;
}

static void prompt_time(struct tui *t)
{
	char buf[64] = "";
	double ts;

	if (!tui_prompt(t, "time: ", buf, sizeof(buf)))
		return;
	if (parse_time(t, buf, &ts))
		tui_set_cursor(t, ts);
	else
		tui_status(t, "Not a time: %s", buf);
}

static int load_span(struct tui *t, struct mmt_err *err);

/*
 * The findings and the span of the data from one snapshot of the database:
 * a concurrent ingest's commit cannot fall between them.
 */
static int load_model(struct tui *t, struct rm_model *m, struct mmt_err *err)
{
	int rc;

	if (mmt_store_begin_read(t->st, err) < 0)
		return -1;
	rc = rm_load(t->st, m, err);
	if (rc == 0 && load_span(t, err) < 0) {
		rm_free(m);
		rc = -1;
	}
	mmt_store_rollback(t->st);
	return rc;
}

/* New rows of a concurrent ingest: the findings, the data's span, every open view. */
static void reload(struct tui *t)
{
	struct mmt_err err = { 0 };
	struct rm_model m;
	double cursor = t->cursor;
	bool had = t->has_cursor;

	/* Views leave statements part-way, on the snapshot they began with. */
	mmt_store_end_reads(t->st);
	if (load_model(t, &m, &err) < 0 || (t->events && evq_reload(t->events, &err) < 0)) {
		tui_status(t, "Cannot re-read the database: %s", err.msg);
		return;
	}
	/* Views look findings up in t->m when they draw; none keeps a pointer. */
	rm_free(&t->m);
	t->m = m;
	if (had)
		tui_set_cursor(t, cursor);
	for (int v = 0; v < TUI_NVIEWS; v++)
		if (t->state[v] && tui_views[v]->reload)
			tui_views[v]->reload(t, t->state[v]);
	tui_status(t, "Re-read the database.");
}

static void switch_view(struct tui *t, int dir)
{
	int v = (int)t->view;

	do
		v = (v + dir + TUI_NVIEWS) % TUI_NVIEWS;
	while (!tui_views[v]);
	t->view = (enum tui_view_id)v;
	back_depth = 0;
}

/* Keys of the time cursor; true when ch was one. */
static bool cursor_key(struct tui *t, int ch)
{
	static const struct { int ch; double by; } steps[] = {
		{ '<', -1 }, { '>', 1 }, { '[', -0.001 }, { ']', 0.001 },
	};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (ch == steps[i].ch) {
			tui_set_cursor(t, (t->has_cursor ? t->cursor : t->t0) + steps[i].by);
			return true;
		}
	}
	switch (ch) {
	case ',': step_event(t, -1); return true;
	case '.': step_event(t, 1); return true;
	case '{': step_finding(t, -1); return true;
	case '}': step_finding(t, 1); return true;
	case ' ': t->playing = !t->playing && t->has_span; return true;
	case '+': t->speed *= 2; tui_status(t, "Play at %gx.", t->speed); return true;
	case '-': t->speed /= 2; tui_status(t, "Play at %gx.", t->speed); return true;
	case 't': prompt_time(t); return true;
	}
	return false;
}

static void global_key(struct tui *t, int ch)
{
	if (ch >= '1' && ch < '1' + TUI_NVIEWS && tui_views[ch - '1']) {
		t->view = (enum tui_view_id)(ch - '1');
		back_depth = 0;
	} else if (ch == '\t') {
		switch_view(t, 1);
	} else if (ch == KEY_BTAB) {
		switch_view(t, -1);
	} else if (ch == 'q' || ch == 27) {
		if (back_depth)
			t->view = back_stack[--back_depth];
		else if (ch == 'q')
			t->quit = true;
	} else if (ch == '?') {
		help(t);
	} else if (ch == 'R') {
		reload(t);
	} else if (!cursor_key(t, ch) && ch != KEY_RESIZE && ch != ERR) {
		tui_status(t, "No key %s here: ? lists them.", keyname(ch) ? keyname(ch) : "?");
	}
}

/* While playing, the cursor moves speed seconds of data per second. */
static void tick(struct tui *t)
{
	if (!t->playing)
		return;
	if (t->cursor >= t->t1) {
		t->playing = false;
		tui_status(t, "The end of the data.");
		return;
	}
	tui_set_cursor(t, t->cursor + t->speed * TICK_MS / 1000.0);
}

static void loop(struct tui *t)
{
	while (!t->quit) {
		void *v;
		int ch;

		draw(t);
		timeout(t->playing ? TICK_MS : -1);
		ch = getch();
		if (ch == ERR) {
			tick(t);
			continue;
		}
		t->status[0] = '\0';
		v = view_state(t, t->view);
		if (v && tui_views[t->view]->key && tui_views[t->view]->key(t, v, ch))
			continue;
		global_key(t, ch);
	}
}

/* The span of the data (snapshots and traces) for the time cursor. */
static int load_span(struct tui *t, struct mmt_err *err)
{
	struct rm_charts c;

	if (rm_charts_load(t->st, &t->m, 2, &c, err) < 0)
		return -1;
	t->has_span = c.t1 > c.t0;
	t->t0 = c.t0;
	t->t1 = c.t1;
	t->wall = c.wall;
	rm_charts_free(&c);
	if (t->has_span)
		tui_set_cursor(t, t->t0);
	return 0;
}

/*
 * The browser's only writes are the replay checkpoints of a trace, which
 * it can do without (it replays from the trace's start, or says why not):
 * while another process writes the database (an ingest's transaction may
 * last minutes), it waits a few seconds, saying so, rather than freeze the
 * screen. Reads never wait for a writer (WAL).
 */
static bool wait_in_browser(void *ctx, const char *path, double waited)
{
	struct tui *t = ctx;
	const char *msg = "Waiting for another process writing the database...";

	(void)path;
	if (waited >= WRITE_WAIT_S)
		return false;
	if (waited < 0.5)
		return true;
	move(t->rows - 1, 0);
	clrtoeol();
	tui_text(t, t->rows - 1, 0, t->cols, msg, TS_NORMAL);
	refresh();
	return true;
}

static void terminal_abilities(struct tui *t)
{
	const char *no_color = getenv("NO_COLOR");

	t->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	t->colours = 0;
	if (!(no_color && no_color[0]) && has_colors())
		t->colours = COLORS >= 256 ? 256 : 8;
}

int tui_run(struct tui *t, struct mmt_err *err)
{
	/* Characters only: numbers keep the C locale's decimal point. */
	setlocale(LC_CTYPE, "");
	t->speed = 1;
	if (load_model(t, &t->m, err) < 0)
		return -1;
	if (!initscr())
		return mmt_err_set(err, "tui: cannot set up the terminal");
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* Home and End as tmux and screen send them, whatever TERM says. */
	define_key("\033[1~", KEY_HOME);
	define_key("\033[4~", KEY_END);
	set_escdelay(25);
	curs_set(0);
	terminal_abilities(t);
	tui_init_styles(t);
	/* Messages on stderr would land on the screen: the browser's own wait. */
	mmt_store_set_wait(t->st, wait_in_browser, t);
	mmt_store_default_wait(wait_in_browser, t);
	loop(t);
	endwin();
	for (int v = 0; v < TUI_NVIEWS; v++)
		if (t->state[v] && tui_views[v]->close)
			tui_views[v]->close(t->state[v]);
	if (t->events)
		evq_close(t->events);
	rm_free(&t->m);
	return 0;
}
