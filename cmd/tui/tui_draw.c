/*
 * Drawing for the TUI: styles that fit the terminal (256 colours, 8, or
 * none when NO_COLOR asks or the terminal has none), and text that is safe
 * to draw: untrusted text is escaped first (control characters and bytes
 * that are not UTF-8 become \xNN) and, on a terminal that is not UTF-8,
 * every other non-ASCII character is shown as '?', so that column counts
 * hold and nothing from the input reaches the terminal as a sequence.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmd/tui/tui.h"
#include "core/escape.h"
#include "core/strbuf.h"
#include "core/utc.h"

#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

/* Colour pairs of each style: foreground, background (-1: the terminal's). */
static const struct {
	short fg, bg;
	attr_t mono;		/* the attribute without colour */
	attr_t extra;		/* added with colour too */
} styles[TS_NSTYLES] = {
	[TS_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[TS_TITLE] = { COLOR_WHITE, COLOR_BLUE, A_REVERSE, A_BOLD },
	[TS_BAR] = { COLOR_BLACK, COLOR_CYAN, A_REVERSE, A_NORMAL },
	[TS_SELECTED] = { COLOR_BLACK, COLOR_YELLOW, A_REVERSE, A_NORMAL },
	[TS_DIM] = { COLOR_BLUE, -1, A_DIM, A_NORMAL },
	[TS_CRITICAL] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[TS_WARNING] = { COLOR_YELLOW, -1, A_BOLD, A_NORMAL },
	[TS_INFO] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[TS_HEADER] = { -1, -1, A_BOLD | A_UNDERLINE, A_BOLD },
	[TS_MATCH] = { COLOR_BLACK, COLOR_GREEN, A_STANDOUT, A_NORMAL },
	[TS_CURSOR] = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
	[TS_CHART] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[TS_CHART2] = { COLOR_RED, -1, A_NORMAL, A_NORMAL },
	[TS_CHART3] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[TS_CHART4] = { COLOR_YELLOW, -1, A_NORMAL, A_NORMAL },
};

void tui_init_styles(struct tui *t)
{
	if (!t->colours)
		return;
	start_color();
	use_default_colors();
	for (int s = 1; s < TS_NSTYLES; s++)
		init_pair((short)s, styles[s].fg, styles[s].bg);
}

int tui_attr(const struct tui *t, enum tui_style s)
{
	if (!t->colours)
		return (int)styles[s].mono;
	return s == TS_NORMAL ? (int)A_NORMAL : (int)(COLOR_PAIR(s) | styles[s].extra);
}

/* Writes s (valid UTF-8) at (y, x) within width columns; returns the columns used. */
static int put_utf8(const struct tui *t, int y, int x, int width, const char *s)
{
	mbstate_t ps;
	int used = 0;

	memset(&ps, 0, sizeof(ps));
	move(y, x);
	while (*s && used < width) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
		int w;

		if (n == 0 || n == (size_t)-1 || n == (size_t)-2)
			break;
		w = wcwidth(wc);
		if (!t->utf8 && (wc > 0x7e || w != 1)) {
			wc = L'?';
			w = 1;
		}
		if (w < 0 || used + w > width)
			break;
		addnwstr(&wc, 1);
		used += w;
		s += n;
	}
	return used;
}

static int put_styled(struct tui *t, int y, int x, int width, const char *s,
		      enum tui_style st, bool pad)
{
	int used;

	if (width <= 0)
		return 0;
	attrset(tui_attr(t, st));
	used = put_utf8(t, y, x, width, s);
	if (pad)
		for (; used < width; used++)
			addch(' ');
	attrset(A_NORMAL);
	return used;
}

int tui_put(struct tui *t, int y, int x, int width, const char *text, enum tui_style s,
	    bool pad)
{
	struct mmt_sb sb = MMT_SB_INIT;
	int used;

	mmt_esc_term(&sb, text, strlen(text));
	used = put_styled(t, y, x, width, mmt_sb_str(&sb), s, pad);
	mmt_sb_free(&sb);
	return used;
}

int tui_text(struct tui *t, int y, int x, int width, const char *text, enum tui_style s)
{
	return put_styled(t, y, x, width, text, s, false);
}

void tui_status(struct tui *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->status, sizeof(t->status), fmt, ap);
	va_end(ap);
}

void tui_time(const struct tui *t, double ts, char *out, size_t n)
{
	struct tm tm;
	char hms[16];

	if (!t->wall || !mmt_utc(ts, &tm)) {
		snprintf(out, n, "%.6f", ts);
		return;
	}
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(out, n, "%s.%06d", hms, (int)((ts - floor(ts)) * 1e6));
}

/*
 * A rule across the screen: a box-drawing character on a UTF-8 terminal,
 * written as text rather than through the alternate character set, which
 * terminal multiplexers and screen captures show as 'q'.
 */
void tui_hline(struct tui *t, int y, int cols)
{
	attrset(A_NORMAL);
	move(y, 0);
	for (int x = 0; x < cols; x++)
		addstr(t->utf8 ? "\u2500" : "-");
}

enum tui_style tui_severity_style(const char *severity)
{
	if (!strcmp(severity, "critical"))
		return TS_CRITICAL;
	return !strcmp(severity, "warning") ? TS_WARNING : TS_INFO;
}
