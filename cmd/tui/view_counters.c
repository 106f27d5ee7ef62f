/*
 * Counters: the series of the database (free memory, Dirty and Writeback,
 * slab, swap, PSI, reclaim, kswapd, IPIs per CPU, CPUs online) as charts
 * over time, a few rows high each and several to a screen. The time
 * cursor is a column across every chart, and each chart's label gives its
 * series' values at the cursor; a row above the charts marks the reports
 * (hung tasks, OOM kills) on the same axis. z and Z zoom in and out around
 * the cursor.
 *
 * The charts come from rm_charts_load_range, bucketed by SQLite: one
 * bucket per dot column, over the window shown and up to one window more
 * on each side, so that the cursor can pan a little without a reload and a
 * value that holds from before the window is known.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmd/tui/counters.h"
#include "core/xalloc.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_COL_S 1e-5		/* the narrowest column a zoom goes to, seconds */
#define MIN_WIDTH 16		/* plot columns below which no chart is drawn */

struct counters_view {
	struct rm_charts c;		/* the window and up to a window each side */
	bool loaded;			/* c holds the window at width and dots */
	bool failed;			/* the last load failed: wait for R */
	int width;			/* columns of the plots */
	int dots;			/* buckets per column: 2 braille dots, 1 ASCII */
	double v0, span;		/* the window shown; span 0: not set up yet */
	size_t off;			/* c's bucket at v0 */
	int64_t sel, first;		/* the selected chart, the first shown */
	int page;			/* charts on a screen */
	const char *want;		/* the id of the chart a jump asked for */
};

static const char *const counters_help[] = {
	"Up Down j k\tselect a chart",
	"PgUp PgDn\ta screen of charts up, down",
	"Home End g G\tthe first, the last chart",
	"h l Left Right\ttime cursor back, forward one column",
	"z Z\tzoom in around the time cursor (half the span), zoom out",
	NULL,
};

static void *counters_open(struct tui *t)
{
	(void)t;
	return xcalloc(1, sizeof(struct counters_view));
}

static void counters_close(void *vp)
{
	struct counters_view *v = vp;

	rm_charts_free(&v->c);
	free(v);
}

/* Loads the window [v0, v0 + span] with as much of a window on each side as the data has. */
static void load(struct tui *t, struct counters_view *v)
{
	size_t n = (size_t)v->width * (size_t)v->dots;
	double bs = v->span / (double)n;
	double before = floor((v->v0 - t->t0) / bs + 1e-6);
	double after = ceil((t->t1 - v->v0 - v->span) / bs - 1e-6);
	size_t left = before <= 0 ? 0 : before >= (double)n ? n : (size_t)before;
	size_t right = after <= 0 ? 0 : after >= (double)n ? n : (size_t)after;
	double l0 = v->v0 - (double)left * bs;
	struct mmt_err err = { 0 };

	rm_charts_free(&v->c);
	if (rm_charts_load_range(t->st, &t->m, left + n + right, l0,
				 l0 + (double)(left + n + right) * bs, &v->c, &err) < 0) {
		tui_status(t, "Counters: %s", err.msg);
		v->failed = true;
		return;
	}
	v->off = left;
	v->loaded = true;
}

/*
 * Puts the window at v0, kept inside the data; the loaded buckets serve
 * when they cover it (the window then starts at a bucket's edge).
 */
static void window_at(struct tui *t, struct counters_view *v, double v0)
{
	size_t n = (size_t)v->width * (size_t)v->dots;

	v0 = v0 > t->t1 - v->span ? t->t1 - v->span : v0;
	v0 = v0 < t->t0 ? t->t0 : v0;
	if (v->loaded) {
		double b = round((v0 - v->c.t0) / v->c.step);

		if (b >= 0 && b + (double)n <= (double)v->c.buckets) {
			v->off = (size_t)b;
			v->v0 = v->c.t0 + b * v->c.step;
			return;
		}
	}
	v->v0 = v0;
	v->loaded = false;
}

/* The window follows the time cursor when it leaves it: the cursor to its middle. */
static void follow(struct tui *t, struct counters_view *v)
{
	if (!v->span || !t->has_cursor)
		return;
	if (t->cursor < v->v0 || t->cursor > v->v0 + v->span)
		window_at(t, v, t->cursor - v->span / 2);
}

/* Whether charts can be drawn cols wide: set up and loaded as the screen asks. */
static bool prepare(struct tui *t, struct counters_view *v, int cols)
{
	int width = cols - CT_GUTTER, dots = t->utf8 ? 2 : 1;

	if (!t->has_span || width < MIN_WIDTH)
		return false;
	if (!v->span) {
		v->span = t->t1 - t->t0;
		v->v0 = t->t0;
	}
	if (width != v->width || dots != v->dots) {
		v->width = width;
		v->dots = dots;
		v->loaded = false;
	}
	if (!v->loaded && !v->failed)
		load(t, v);
	return v->loaded;
}

static struct ct_axis axis_of(const struct tui *t, const struct counters_view *v)
{
	struct ct_axis a = { .c = &v->c, .off = v->off, .width = v->width, .dots = v->dots,
			     .v0 = v->v0, .col = v->span / v->width, .cursor_col = -1 };

	if (t->has_cursor && t->cursor >= v->v0 && t->cursor <= v->v0 + v->span) {
		a.cursor_col = (int)floor((t->cursor - v->v0) / a.col);
		a.cursor_col = a.cursor_col >= v->width ? v->width - 1 : a.cursor_col;
	}
	return a;
}

/* Rows of each chart's plot: 4 when the screen has room, fewer on a small one. */
static int plot_rows(int rows)
{
	int h = rows >= 30 ? 4 : rows >= 14 ? 3 : 2;
	int n = rows / (h + 1);

	return n > 0 ? rows / n - 1 : 1;
}

static void no_series(struct tui *t, int y, int rows, int cols)
{
	static const char *const lines[] = {
		"No counters in this database: no /proc snapshots and no trace events to chart.",
		"",
		"Series come from a capture directory (repeated samples of /proc/meminfo,",
		"vmstat, pressure/memory, interrupts: docs/capture.md) or a trace (trace.dat",
		"or trace-cmd report text, with vmscan and IPI events). Add one with",
		"  mmtriage ingest -d DB PATH",
	};

	for (int i = 0; i < rows && i < (int)(sizeof(lines) / sizeof(lines[0])); i++)
		tui_text(t, y + i, 1, cols - 1, lines[i], i ? TS_NORMAL : TS_HEADER);
}

/* The chart whose series the text names first ("SwapFree 10392 kB ..."), or NULL. */
static const char *chart_named(const char *text)
{
	static const struct { const char *word, *chart; } words[] = {
		{ "Swap", "swap" }, { "swap", "swap" }, { "PSI", "psi" }, { "Dirty", "writeback" },
		{ "Writeback", "writeback" }, { "MemFree", "memory" }, { "MemAvailable", "memory" },
		{ "SReclaimable", "slab" }, { "SUnreclaim", "slab" }, { "Slab", "slab" },
		{ "allocstall", "reclaim" }, { "pgscan", "reclaim" }, { "kswapd", "kswapd" },
		{ "IPI", "ipi" }, { "hotplug", "cpus" }, { "offline", "cpus" },
	};
	const char *best = NULL, *chart = NULL;

	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		const char *at = strstr(text, words[w].word);

		if (at && (!best || at < best)) {
			best = at;
			chart = words[w].chart;
		}
	}
	return chart;
}

/*
 * The chart a finding's sample at the jump's time speaks of ("memory PSI
 * some 1.13%"): the first such evidence row that names one; NULL if none.
 */
static const char *chart_of_sample(const struct tui *t, double ts)
{
	for (size_t f = 0; f < t->m.nfindings; f++) {
		for (size_t e = 0; e < t->m.findings[f].nevidence; e++) {
			const struct rm_evidence *ev = &t->m.findings[f].evidence[e];
			const char *chart;

			if (!ev->has_ts || fabs(ev->ts - ts) > 1e-6 || strcmp(ev->kind, "sample") != 0)
				continue;
			chart = chart_named(ev->text);
			if (chart)
				return chart;
		}
	}
	return NULL;
}

/* Selects the chart a jump asked for, once the charts are loaded. */
static void select_wanted(struct counters_view *v)
{
	for (size_t c = 0; v->want && c < v->c.ncharts; c++)
		if (!strcmp(v->c.charts[c].id, v->want))
			v->sel = (int64_t)c;
	v->want = NULL;
}

static void counters_draw(struct tui *t, void *vp, int top, int rows, int cols)
{
	struct counters_view *v = vp;
	struct ct_axis a;
	int h, y;

	if (!prepare(t, v, cols)) {
		if (v->failed)
			tui_text(t, top, 1, cols - 1, "The charts could not be read (R tries again).",
				 TS_WARNING);
		else if (t->has_span)
			tui_text(t, top, 1, cols - 1, "The terminal is too narrow for charts.", TS_DIM);
		else
			no_series(t, top, rows, cols);
		return;
	}
	if (!v->c.ncharts) {
		no_series(t, top, rows, cols);
		return;
	}
	select_wanted(v);
	a = axis_of(t, v);
	ct_header(t, &a, top, cols, (t->t1 - t->t0) / v->span);
	ct_marks(t, &a, top + 1);
	h = plot_rows(rows - 3);
	v->page = (rows - 3) / (h + 1);
	v->page = v->page < 1 ? 1 : v->page;
	tui_list_scroll(v->sel, &v->first, v->page);
	y = top + 2;
	for (int64_t i = v->first; i < v->first + v->page && i < (int64_t)v->c.ncharts; i++) {
		ct_chart(t, &a, &v->c.charts[i], y, h, i == v->sel, cols);
		y += h + 1;
	}
	ct_time_axis(t, &a, y);
}

/* Zooms by `by` (0.5 in, 2 out) around the time cursor. */
static void zoom(struct tui *t, struct counters_view *v, double by)
{
	double full = t->t1 - t->t0, span = v->span * by, least = v->width * MIN_COL_S;
	double centre = t->has_cursor ? t->cursor : v->v0 + v->span / 2;

	span = span > full ? full : span < least ? least : span;
	if (span == v->span) {
		tui_status(t, by < 1 ? "Zoomed in as far as it goes." : "The whole data is shown.");
		return;
	}
	v->span = span;
	v->loaded = false;
	window_at(t, v, centre - span / 2);
}

/* The time cursor one column left (dir -1) or right, to the column's middle. */
static void step_column(struct tui *t, struct counters_view *v, int dir)
{
	struct ct_axis a = axis_of(t, v);
	double col = a.cursor_col < 0 ? floor((t->cursor - v->v0) / a.col) : a.cursor_col;

	tui_set_cursor(t, v->v0 + (col + dir + 0.5) * a.col);
}

static bool counters_key(struct tui *t, void *vp, int ch)
{
	struct counters_view *v = vp;

	if (!v->loaded || !v->c.ncharts)
		return false;
	if (tui_list_key(ch, &v->sel, (int64_t)v->c.ncharts, v->page))
		return true;
	switch (ch) {
	case 'z': zoom(t, v, 0.5); return true;
	case 'Z': zoom(t, v, 2); return true;
	case 'h': case KEY_LEFT: step_column(t, v, -1); return true;
	case 'l': case KEY_RIGHT: step_column(t, v, 1); return true;
	}
	return false;
}

static void counters_cursor(struct tui *t, void *vp)
{
	follow(t, vp);
}

static void counters_jump(struct tui *t, void *vp, const struct tui_target *to)
{
	struct counters_view *v = vp;

	follow(t, v);
	v->want = to->has_ts ? chart_of_sample(t, to->ts) : NULL;
}

static void counters_reload(struct tui *t, void *vp)
{
	struct counters_view *v = vp;

	(void)t;
	v->loaded = false;
	v->failed = false;
}

const struct tui_view_ops tui_view_counters = {
	.name = "Counters",
	.bar = "j k chart  PgUp PgDn page  h l column  z Z zoom  < > 1 s  t time  ? help  q quit",
	.help = counters_help,
	.open = counters_open,
	.draw = counters_draw,
	.key = counters_key,
	.cursor = counters_cursor,
	.jump = counters_jump,
	.reload = counters_reload,
	.close = counters_close,
};
