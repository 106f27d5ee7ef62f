/* Shared by the views: the prompt line and the keys and scrolling of lists. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmd/tui/tui.h"

#include <curses.h>
#include <string.h>

bool tui_prompt(struct tui *t, const char *label, char *buf, size_t n)
{
	return tui_prompt_live(t, label, buf, n, NULL, NULL);
}

bool tui_prompt_live(struct tui *t, const char *label, char *buf, size_t n,
		     void (*changed)(struct tui *t, void *ctx, const char *buf), void *ctx)
{
	size_t len = strlen(buf);
	int ch;

	curs_set(1);
	timeout(-1);
	for (;;) {
		move(t->rows - 1, 0);
		clrtoeol();
		tui_text(t, t->rows - 1, 0, t->cols, label, TS_HEADER);
		tui_put(t, t->rows - 1, (int)strlen(label), t->cols - (int)strlen(label) - 1, buf,
			TS_NORMAL, false);
		refresh();
		ch = getch();
		if (ch == 27) {
			curs_set(0);
			return false;
		}
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
			break;
		if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && len > 0)
			buf[--len] = '\0';
		else if (ch >= 32 && ch < 127 && len + 1 < n) {
			buf[len++] = (char)ch;
			buf[len] = '\0';
		} else
			continue;
		if (changed)
			changed(t, ctx, buf);
	}
	curs_set(0);
	return true;
}

bool tui_list_key(int ch, int64_t *sel, int64_t n, int page)
{
	switch (ch) {
	case KEY_UP: case 'k': (*sel)--; break;
	case KEY_DOWN: case 'j': (*sel)++; break;
	case KEY_PPAGE: case 'b': *sel -= page; break;
	case KEY_NPAGE: case 'f' - 'a' + 1: *sel += page; break;
	case KEY_HOME: case 'g': *sel = 0; break;
	case KEY_END: case 'G': *sel = n - 1; break;
	default: return false;
	}
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	return true;
}

void tui_list_scroll(int64_t sel, int64_t *first, int rows)
{
	if (sel < *first)
		*first = sel;
	if (rows > 0 && sel >= *first + rows)
		*first = sel - rows + 1;
	if (*first < 0)
		*first = 0;
}
