/* Parts of the HTML report (html.c): the page's style and its charts. */
#ifndef MMT_HTML_H
#define MMT_HTML_H

#include "cmd/render/render.h"
#include "cmd/render/series.h"

/* Pixels across a chart's plot area: one bucket of each series per pixel. */
#define HTML_PLOT_WIDTH 880

/* s escaped for HTML text and attribute values, in sb. */
const char *html_esc(struct mmt_sb *sb, const char *s);
/* The page's style sheet. */
const char *html_style(void);
/* Every chart of c as inline SVG on one time axis, with marks and finding windows. */
void html_charts(FILE *out, const struct rm_charts *c, const struct rm_model *m,
		 struct mmt_sb *sb);

#endif
