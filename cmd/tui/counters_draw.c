/*
 * Charts of the Counters view. A chart is h rows of cells; a cell holds 2x4
 * braille dots on a UTF-8 terminal (a bucket per dot column, 4h levels),
 * else one ASCII character of three levels ('_', '-', '\'', and '|' where
 * the line climbs or falls through the cell). Between two samples a value
 * holds, as it did on the machine until the next sample said otherwise;
 * before the first and after the last sample the chart is blank. The scale
 * starts at zero unless the series stay in the upper half of their range
 * (free memory, slab), where a zero would flatten them.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmd/tui/counters.h"
#include "core/escape.h"
#include "core/strbuf.h"
#include "core/utc.h"
#include "core/xalloc.h"

#include <curses.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DRAWN 4		/* series drawn in one chart; with more, their total */

static const enum tui_style series_style[MAX_DRAWN] = {
	TS_CHART, TS_CHART2, TS_CHART3, TS_CHART4,
};

/* A series over the window's dot columns. */
struct colv {
	double lo, hi;
	bool has;
};

/* The cells of one chart: braille dots or ASCII levels, and whose they are. */
struct grid {
	uint8_t *bits;
	signed char *owner;		/* index of the series drawn last, -1 none */
	int w, h, per;			/* columns, rows, levels per cell */
};

static size_t dot_cols(const struct ct_axis *a)
{
	return (size_t)a->width * (size_t)a->dots;
}

/* The window's buckets of s, a value holding from its sample to the next. */
static void columns(const struct ct_axis *a, const struct rm_series *s, struct colv *out)
{
	size_t n = dot_cols(a), last = 0;
	bool have = false;
	double held = 0;

	for (size_t b = 0; b < s->n; b++)
		if (s->has[b])
			last = b;
	for (size_t b = a->off < s->n ? a->off : s->n; b-- > 0;) {
		if (s->has[b]) {
			held = s->hi[b];
			have = true;
			break;
		}
	}
	for (size_t x = 0; x < n; x++) {
		size_t b = a->off + x;

		out[x].has = false;
		if (b >= s->n)
			continue;
		if (s->has[b]) {
			out[x] = (struct colv){ s->lo[b], s->hi[b], true };
			held = s->hi[b];
			have = true;
		} else if (have && b < last) {
			out[x] = (struct colv){ held, held, true };
		}
	}
}

/* The least and greatest value shown; false when the window has none. */
static bool extent(struct colv *const *cv, size_t ns, size_t n, double *lo, double *hi)
{
	bool any = false;

	for (size_t i = 0; i < ns; i++) {
		for (size_t x = 0; x < n; x++) {
			if (!cv[i][x].has)
				continue;
			if (!any || cv[i][x].lo < *lo)
				*lo = cv[i][x].lo;
			if (!any || cv[i][x].hi > *hi)
				*hi = cv[i][x].hi;
			any = true;
		}
	}
	return any;
}

/* The plot's bottom and top: from zero, unless the values stay in their upper half. */
static void scale(double min, double max, double *lo, double *hi)
{
	*lo = min > max / 2 && min < max ? min : fmin(min, 0);
	*hi = max > *lo ? max : *lo + 1;
}

static int level(double v, double lo, double hi, int levels)
{
	long r = lround((v - lo) / (hi - lo) * (levels - 1));

	return r < 0 ? 0 : r >= levels ? levels - 1 : (int)r;
}

static void set_dot(struct grid *g, int dots, size_t x, int r, int series)
{
	static const uint8_t braille[2][4] = { { 0x01, 0x02, 0x04, 0x40 },
					       { 0x08, 0x10, 0x20, 0x80 } };
	int cx = (int)(x / (size_t)dots), cy = g->h - 1 - r / g->per;
	int i = cy * g->w + cx;

	if (cx >= g->w || cy < 0)
		return;
	if (dots == 2)
		g->bits[i] |= braille[x % 2][g->per - 1 - r % g->per];
	else
		g->bits[i] |= (uint8_t)(1u << (r % g->per));
	g->owner[i] = (signed char)series;
}

/* One series as a line: each column's range, joined to the column before. */
static void plot(struct grid *g, const struct ct_axis *a, const struct colv *cv, double lo,
		 double hi, int series)
{
	int levels = g->h * g->per, pa = -1, pb = -1;

	for (size_t x = 0; x < dot_cols(a); x++) {
		int ra, rb, from, to;

		if (!cv[x].has) {
			pa = -1;
			continue;
		}
		ra = level(cv[x].lo, lo, hi, levels);
		rb = level(cv[x].hi, lo, hi, levels);
		from = pa >= 0 && pb < ra ? pb + 1 : ra;
		to = pa >= 0 && pa > rb ? pa - 1 : rb;
		for (int r = from; r <= to; r++)
			set_dot(g, a->dots, x, r, series);
		pa = ra;
		pb = rb;
	}
}

/* The text of a cell: a braille character, or an ASCII level. */
static void cell_text(const struct grid *g, int i, bool utf8, char out[5])
{
	static const char ascii[8] = { ' ', '_', '-', '|', '\'', '|', '|', '|' };
	unsigned b = g->bits[i];

	if (!utf8) {
		out[0] = ascii[b & 7];
		out[1] = '\0';
		return;
	}
	out[0] = (char)0xe2;
	out[1] = (char)(0xa0 | (b >> 6));
	out[2] = (char)(0x80 | (b & 0x3f));
	out[3] = '\0';
}

static void draw_grid(struct tui *t, const struct ct_axis *a, const struct grid *g, int y)
{
	for (int r = 0; r < g->h; r++) {
		for (int x = 0; x < g->w; x++) {
			int i = r * g->w + x;
			bool cur = x == a->cursor_col;
			enum tui_style s = g->owner[i] >= 0 ? series_style[g->owner[i]] : TS_NORMAL;
			char cell[5];

			if (!g->bits[i] && !cur)
				continue;
			if (g->bits[i])
				cell_text(g, i, t->utf8, cell);
			else
				snprintf(cell, sizeof(cell), "%s", t->utf8 ? "\u2502" : ":");
			/* Without colours, bold dots hardly show: the cursor's are reversed. */
			if (cur)
				s = g->bits[i] && !t->colours ? TS_SELECTED : TS_CURSOR;
			tui_text(t, y + r, CT_GUTTER + x, 1, cell, s);
		}
	}
}

/* "19.2G", "182M", "3.8k", "45%": a value in the gutter's few columns. */
static void compact(double v, const char *unit, char *out, size_t n)
{
	double a = fabs(v);

	if (!strcmp(unit, "MiB"))
		snprintf(out, n, a >= 1024 ? "%.1fG" : a >= 100 || v == 0 ? "%.0fM" : "%.1fM",
			 a >= 1024 ? v / 1024 : v);
	else if (!strcmp(unit, "%"))
		snprintf(out, n, a >= 10 || v == 0 ? "%.0f%%" : "%.1f%%", v);
	else if (a >= 1e6)
		snprintf(out, n, "%.1fM", v / 1e6);
	else if (a >= 1e4)
		snprintf(out, n, "%.0fk", v / 1e3);
	else if (a >= 1e3)
		snprintf(out, n, "%.1fk", v / 1e3);
	else
		snprintf(out, n, a >= 10 || v == floor(v) ? "%.0f" : "%.1f", v);
}

static void gutter(struct tui *t, const struct rm_chart *ch, int y, int h, double lo, double hi)
{
	char top[16], bottom[16];

	compact(hi, ch->unit, top, sizeof(top));
	compact(lo, ch->unit, bottom, sizeof(bottom));
	tui_text(t, y, CT_GUTTER - 1 - (int)strlen(top), (int)strlen(top), top, TS_DIM);
	tui_text(t, y + h - 1, CT_GUTTER - 1 - (int)strlen(bottom), (int)strlen(bottom), bottom,
		 TS_DIM);
}

/* The series a chart draws: all of them, or their total when they are too many. */
static size_t drawn(const struct rm_chart *ch, const struct rm_series **out)
{
	size_t n = ch->nseries < MAX_DRAWN ? ch->nseries : MAX_DRAWN;

	if (ch->nseries > MAX_DRAWN && ch->total) {
		out[0] = ch->total;
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = &ch->series[i];
	return n;
}

/*
 * The value of s at the cursor: its bucket's, or the nearest bucket's with
 * a sample (the earlier on a tie); false when s has none loaded.
 */
static bool value_at(const struct rm_charts *c, const struct rm_series *s, double ts,
		     double *lo, double *hi)
{
	long n = (long)s->n, b = (long)floor((ts - c->t0) / c->step);

	b = b < 0 ? 0 : b >= n ? n - 1 : b;
	for (long d = 0; d < n; d++) {
		const long at[2] = { b - d, b + d };

		for (int k = 0; k < 2; k++) {
			if (at[k] < 0 || at[k] >= n || !s->has[at[k]])
				continue;
			*lo = s->lo[at[k]];
			*hi = s->hi[at[k]];
			return true;
		}
	}
	return false;
}

/* "182 MiB", or "18.8..19.0 GiB" when the cursor's bucket holds several values. */
static void value_text(const struct rm_chart *ch, const struct rm_series *s,
		       const struct tui *t, const struct ct_axis *a, char *out, size_t n)
{
	char x[32], y[32];
	double lo, hi;
	const char *ux, *uy;

	if (!t->has_cursor || !value_at(a->c, s, t->cursor, &lo, &hi)) {
		snprintf(out, n, "-");
		return;
	}
	rm_value_text(lo, ch->unit, x, sizeof(x));
	rm_value_text(hi, ch->unit, y, sizeof(y));
	ux = strrchr(x, ' ');
	uy = strrchr(y, ' ');
	if (!strcmp(x, y))
		snprintf(out, n, "%s", x);
	else if (ux && uy && !strcmp(ux, uy))
		snprintf(out, n, "%.*s..%s", (int)(ux - x), x, y);
	else
		snprintf(out, n, "%s..%s", x, y);
}

/* Characters (not bytes) of UTF-8 text: the columns it takes, near enough for a label. */
static int text_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Writes text at *x (escaped when untrusted, as tui_put does) and moves *x past it. */
static void seg(struct tui *t, int y, int *x, int end, const char *text, enum tui_style s,
		bool untrusted)
{
	struct mmt_sb sb = MMT_SB_INIT;

	if (*x >= end)
		return;
	if (untrusted) {
		mmt_esc_term(&sb, text, strlen(text));
		text = mmt_sb_str(&sb);
	}
	tui_text(t, y, *x, end - *x, text, s);
	*x += text_cols(text);
	mmt_sb_free(&sb);
}

/* With more series than drawn: the two greatest at the cursor, "CPU3 1234 IPIs/s". */
static void busiest(struct tui *t, const struct ct_axis *a, const struct rm_chart *ch, int y,
		    int *x, int end)
{
	size_t top[2] = { SIZE_MAX, SIZE_MAX };
	double best[2] = { 0, 0 }, lo, hi;

	for (size_t i = 0; i < ch->nseries && t->has_cursor; i++) {
		if (!value_at(a->c, &ch->series[i], t->cursor, &lo, &hi))
			continue;
		if (top[0] == SIZE_MAX || hi > best[0]) {
			top[1] = top[0];
			best[1] = best[0];
			top[0] = i;
			best[0] = hi;
		} else if (top[1] == SIZE_MAX || hi > best[1]) {
			top[1] = i;
			best[1] = hi;
		}
	}
	seg(t, y, x, end, "  busiest", TS_DIM, false);
	for (int k = 0; k < 2 && top[k] != SIZE_MAX; k++) {
		char v[48];

		rm_value_text(best[k], ch->unit, v, sizeof(v));
		seg(t, y, x, end, " ", TS_NORMAL, false);
		seg(t, y, x, end, ch->series[top[k]].name, TS_NORMAL, true);
		seg(t, y, x, end, " ", TS_NORMAL, false);
		seg(t, y, x, end, v, TS_NORMAL, false);
	}
}

static void label(struct tui *t, const struct ct_axis *a, const struct rm_chart *ch,
		  const struct rm_series *const *ds, size_t nd, int y, int cols, bool selected,
		  const double range[2])
{
	char title[160], v[64], lo[32], hi[32];
	int x = 0;

	snprintf(title, sizeof(title), "%s %s, %s", selected ? ">" : " ", ch->title, ch->unit);
	seg(t, y, &x, cols, title, selected ? TS_SELECTED : TS_HEADER, false);
	for (size_t i = 0; i < nd; i++) {
		value_text(ch, ds[i], t, a, v, sizeof(v));
		seg(t, y, &x, cols, "  ", TS_NORMAL, false);
		seg(t, y, &x, cols, ds[i]->name, series_style[i], true);
		seg(t, y, &x, cols, " ", TS_NORMAL, false);
		seg(t, y, &x, cols, v, TS_NORMAL, false);
	}
	if (ch->nseries > nd && ch->total && nd == 1 && ds[0] == ch->total)
		busiest(t, a, ch, y, &x, cols);
	else if (ch->nseries > nd)
		seg(t, y, &x, cols, "  (more not drawn)", TS_DIM, false);
	if (!range)
		return;
	rm_value_text(range[0], ch->unit, lo, sizeof(lo));
	rm_value_text(range[1], ch->unit, hi, sizeof(hi));
	snprintf(v, sizeof(v), "  min %s  max %s", lo, hi);
	/* Whole or not at all: a cut "max 2" would mislead. */
	if (x + (int)strlen(v) <= cols)
		seg(t, y, &x, cols, v, TS_DIM, false);
}

void ct_chart(struct tui *t, const struct ct_axis *a, const struct rm_chart *ch, int y, int h,
	      bool selected, int cols)
{
	const struct rm_series *ds[MAX_DRAWN];
	struct colv *cv[MAX_DRAWN];
	size_t nd = drawn(ch, ds), n = dot_cols(a);
	struct grid g = { .w = a->width, .h = h, .per = a->dots == 2 ? 4 : 3 };
	double range[2] = { 0, 0 }, lo, hi;
	bool any;

	for (size_t i = 0; i < nd; i++) {
		cv[i] = xcalloc(n, sizeof(*cv[i]));
		columns(a, ds[i], cv[i]);
	}
	any = extent(cv, nd, n, &range[0], &range[1]);
	label(t, a, ch, ds, nd, y, cols, selected, any ? range : NULL);
	g.bits = xcalloc((size_t)g.w * (size_t)g.h, 1);
	g.owner = xmalloc((size_t)g.w * (size_t)g.h);
	memset(g.owner, -1, (size_t)g.w * (size_t)g.h);
	scale(range[0], range[1], &lo, &hi);
	for (size_t i = 0; i < nd; i++)
		plot(&g, a, cv[i], lo, hi, (int)i);
	draw_grid(t, a, &g, y + 1);
	if (any)
		gutter(t, ch, y + 1, h, lo, hi);
	else
		tui_text(t, y + 1 + (h - 1) / 2, CT_GUTTER, a->width, "no samples in this window",
			 TS_DIM);
	for (size_t i = 0; i < nd; i++)
		free(cv[i]);
	free(g.bits);
	free(g.owner);
}

/* A time with `decimals` digits: "01:04:39.5" on a wall clock, "9475.20" since boot. */
static void time_text(const struct tui *t, double ts, int decimals, char *out, size_t n)
{
	double r = round(ts * pow(10, decimals)) / pow(10, decimals);
	struct tm tm;
	size_t len;

	if (!t->wall || !mmt_utc(r, &tm)) {
		snprintf(out, n, "%.*f", decimals, r);
		return;
	}
	len = strftime(out, n, "%H:%M:%S", &tm);
	if (decimals > 0 && len < n)
		snprintf(out + len, n - len, ".%0*ld", decimals,
			 lround((r - floor(r)) * pow(10, decimals)));
}

/* Decimals that tell columns col seconds apart. */
static int decimals_for(double col)
{
	int d = col >= 1 ? 0 : (int)ceil(-log10(col));

	return d > 6 ? 6 : d;
}

/* "1.2 s", "146 ms", "250 us": a short span. */
static void span_text(double s, char *out, size_t n)
{
	if (s >= 1)
		snprintf(out, n, s >= 100 ? "%.0f s" : "%.3g s", s);
	else if (s >= 1e-3)
		snprintf(out, n, "%.3g ms", s * 1e3);
	else
		snprintf(out, n, "%.3g us", s * 1e6);
}

/* The report whose column is the cursor's or next to it, or NULL. */
static const struct rm_mark *mark_at_cursor(const struct ct_axis *a)
{
	for (size_t i = 0; i < a->c->nmarks && a->cursor_col >= 0; i++) {
		double col = floor((a->c->marks[i].t - a->v0) / a->col);

		if (fabs(col - a->cursor_col) <= 1)
			return &a->c->marks[i];
	}
	return NULL;
}

void ct_header(struct tui *t, const struct ct_axis *a, int y, int cols, double zoom)
{
	const struct rm_mark *mk = mark_at_cursor(a);
	int d = decimals_for(a->col);
	char from[32], to[32], span[32], col[32], head[200];
	int x = 0;

	time_text(t, a->v0, d, from, sizeof(from));
	time_text(t, a->v0 + a->col * a->width, d, to, sizeof(to));
	span_text(a->col * a->width, span, sizeof(span));
	span_text(a->col, col, sizeof(col));
	snprintf(head, sizeof(head), "%s to %s%s (%s), %s a column", from, to,
		 t->wall ? " UTC" : " s", span, col);
	seg(t, y, &x, cols, head, TS_NORMAL, false);
	if (zoom > 1.01) {
		snprintf(head, sizeof(head), ", zoom %.0fx", zoom);
		seg(t, y, &x, cols, head, TS_NORMAL, false);
	}
	if (!mk)
		return;
	time_text(t, mk->t, d, from, sizeof(from));
	snprintf(head, sizeof(head), " at %s", from);
	seg(t, y, &x, cols, "   ! ", TS_CRITICAL, false);
	seg(t, y, &x, cols, mk->label, TS_CRITICAL, true);
	/* The time whole or not at all: the label says which report it is. */
	if (x + (int)strlen(head) <= cols)
		seg(t, y, &x, cols, head, TS_CRITICAL, false);
}

void ct_marks(struct tui *t, const struct ct_axis *a, int y)
{
	if (a->c->nmarks)
		tui_text(t, y, 0, CT_GUTTER - 1, "reports", TS_DIM);
	for (size_t i = 0; i < a->c->nmarks; i++) {
		double col = floor((a->c->marks[i].t - a->v0) / a->col);

		if (col >= 0 && col < a->width)
			tui_text(t, y, CT_GUTTER + (int)col, 1, "!", TS_CRITICAL);
	}
	if (a->cursor_col >= 0)
		tui_text(t, y, CT_GUTTER + a->cursor_col, 1, t->utf8 ? "\u25bc" : "v", TS_CURSOR);
}

/* The step between ticks: 1, 2 or 5 times a power of ten seconds, or minutes and hours. */
static double tick_step(double least)
{
	static const double long_steps[] = { 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
					     7200, 21600, 43200, 86400 };

	if (least > 10) {
		for (size_t i = 0; i < sizeof(long_steps) / sizeof(long_steps[0]); i++)
			if (long_steps[i] >= least)
				return long_steps[i];
		return ceil(least / 86400) * 86400;
	}
	/* Powers counted in integers: a NaN least would otherwise never be reached. */
	for (int e = -7; e < 308; e++)
		for (int m = 1; m <= 5; m += m == 1 ? 1 : 3)
			if (m * pow(10, e) >= least)
				return m * pow(10, e);
	return least;
}

void ct_time_axis(struct tui *t, const struct ct_axis *a, int y)
{
	double span = a->col * a->width, step;
	int d, next = 0;
	char text[32];

	time_text(t, a->v0, decimals_for(a->col), text, sizeof(text));
	step = tick_step(a->col * ((int)strlen(text) + 3));
	d = decimals_for(step);
	/* Counted, not stepped: at 10^19 s, ts + step can be ts again. */
	for (int i = 0; i <= a->width; i++) {
		double ts = ceil(a->v0 / step) * step + i * step;
		int col = (int)floor((ts - a->v0) / a->col + 1e-9);
		int len;

		if (ts > a->v0 + span)
			break;
		time_text(t, ts, d, text, sizeof(text));
		len = (int)strlen(text);
		if (col < next || col + len > a->width)
			continue;
		tui_text(t, y, CT_GUTTER + col, len, text, TS_DIM);
		next = col + len + 2;
	}
}
