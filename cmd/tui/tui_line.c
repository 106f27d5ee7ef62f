/*
 * A screen line made of pieces in several styles (a task's name, its
 * state, the culprit highlighted): each piece starts where the last one
 * ended, so untrusted text of any width never overwrites what follows.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmd/tui/tui.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>

void tui_line_start(struct tui_line *l, struct tui *t, int y, int x, int end, bool selected)
{
	l->t = t;
	l->y = y;
	l->x = x;
	l->end = end;
	l->selected = selected;
	attrset(tui_attr(t, selected ? TS_SELECTED : TS_NORMAL));
	if (end > x)
		mvhline(y, x, ' ', end - x);
	attrset(A_NORMAL);
}

static enum tui_style style(const struct tui_line *l, enum tui_style s)
{
	return l->selected ? TS_SELECTED : s;
}

void tui_line_put(struct tui_line *l, const char *text, enum tui_style s)
{
	if (l->x < l->end)
		l->x += tui_put(l->t, l->y, l->x, l->end - l->x, text, style(l, s), false);
}

void tui_line_text(struct tui_line *l, const char *text, enum tui_style s)
{
	if (l->x < l->end)
		l->x += tui_text(l->t, l->y, l->x, l->end - l->x, text, style(l, s));
}

void tui_line_textf(struct tui_line *l, enum tui_style s, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tui_line_text(l, buf, s);
}
