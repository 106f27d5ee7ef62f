/*
 * The drawing of the Counters view (counters_draw.c): charts on the
 * window of time the view shows, a column per step of the window, with the
 * time cursor's column marked in each.
 */
#ifndef MMT_TUI_COUNTERS_H
#define MMT_TUI_COUNTERS_H

#include "cmd/render/series.h"
#include "cmd/tui/tui.h"

#define CT_GUTTER 8		/* the scale's column left of the plots */

/* The window of time on screen, and where it lies in the loaded buckets. */
struct ct_axis {
	const struct rm_charts *c;
	size_t off;			/* c's bucket at the window's first dot column */
	int width;			/* plot columns */
	int dots;			/* buckets (dot columns) per column: 2 braille, 1 ASCII */
	double v0, col;			/* the window's start; seconds a column */
	int cursor_col;			/* the time cursor's column, -1 off the window */
};

/* The window's span, the column's time, the zoom, the report at the cursor. */
void ct_header(struct tui *t, const struct ct_axis *a, int y, int cols, double zoom);
/* '!' at the columns of reports (hung task, OOM kill ...), the cursor's column marked. */
void ct_marks(struct tui *t, const struct ct_axis *a, int y);
/* A label line (title, each series' value at the cursor, min, max) and h rows of plot. */
void ct_chart(struct tui *t, const struct ct_axis *a, const struct rm_chart *ch, int y, int h,
	      bool selected, int cols);
/* Times under the plots at round steps. */
void ct_time_axis(struct tui *t, const struct ct_axis *a, int y);

#endif
