/*
 * The HTML report: one self-contained page (inline style, inline SVG, no
 * script, nothing fetched) that a bug tracker can take as an attachment and
 * any browser opens. It says what the text report says, in the same order,
 * with the time series drawn as charts (html_chart.c) and the long parts
 * (whole stacks, many evidence lines) folded into <details>, which needs no
 * script to open.
 */
#include "cmd/render/doc.h"
#include "cmd/render/html.h"
#include "core/escape.h"
#include "mmt_version.h"

#include <string.h>

#define EVIDENCE_SHOWN 12	/* evidence lines shown before the rest are folded */

/* The page's state around the doc operations: what is open and must close. */
struct html {
	struct doc d;		/* first, so that the operations can find the rest */
	const struct rm_model *m;
	bool in_section, in_item;
	size_t evidence_rows;
};

static struct html *H(struct doc *d)
{
	return (struct html *)d;
}

const char *html_esc(struct mmt_sb *sb, const char *s)
{
	mmt_sb_reset(sb);
	mmt_esc_html(sb, s, strlen(s));
	return mmt_sb_str(sb);
}

static const char *esc(struct doc *d, const char *s)
{
	return html_esc(&d->sb, s);
}

static void close_item(struct doc *d)
{
	if (H(d)->in_item)
		fputs("</div>\n", d->out);
	H(d)->in_item = false;
}

static void close_section(struct doc *d)
{
	close_item(d);
	if (H(d)->in_section)
		fputs("</section>\n", d->out);
	H(d)->in_section = false;
}

static void title(struct doc *d, const char *text)
{
	fprintf(d->out, "<header><h1>%s</h1></header>\n", esc(d, text));
}

/* "Findings (3)" -> "findings": a stable anchor for links into the page. */
static void anchor_of(const char *text, char *out, size_t n)
{
	size_t k = 0;

	for (const char *p = text; *p && k + 1 < n; p++) {
		if (*p >= 'A' && *p <= 'Z')
			out[k++] = (char)(*p + 32);
		else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			out[k++] = *p;
		else if (*p == ' ' && k && out[k - 1] != '-')
			out[k++] = '-';
		else if (*p == '(' || *p == ':')
			break;
	}
	while (k && out[k - 1] == '-')
		k--;
	out[k] = '\0';
}

static void heading(struct doc *d, const char *text)
{
	char id[48];

	close_section(d);
	anchor_of(text, id, sizeof(id));
	fprintf(d->out, "<section id=\"%s\">\n<h2>%s</h2>\n", id, esc(d, text));
	H(d)->in_section = true;
}

static void para(struct doc *d, const char *text)
{
	fprintf(d->out, "<p>%s</p>\n", esc(d, text));
}

static void item(struct doc *d, int n, const char *severity, const char *text)
{
	char sev[16];

	close_item(d);
	snprintf(sev, sizeof(sev), "%s", severity);
	for (char *p = sev; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	/* severity is ours (critical, warning, info), safe as a class name */
	fprintf(d->out, "<div class=\"finding sev-%s\" id=\"finding-%d\">\n"
		"<h3><span class=\"n\">[%d]</span> <span class=\"sev\">%s</span> %s</h3>\n",
		severity, n, n, sev, esc(d, text));
	H(d)->in_item = true;
}

static void field(struct doc *d, const char *label, const char *text)
{
	fprintf(d->out, "<div class=\"field\"><span class=\"label\">%s:</span> ", esc(d, label));
	fprintf(d->out, "%s</div>\n", esc(d, text));
}

static void evidence_begin(struct doc *d)
{
	H(d)->evidence_rows = 0;
	fputs("<table class=\"evidence\"><caption>evidence</caption><tbody>\n", d->out);
}

static void evidence(struct doc *d, const char *where, const char *text)
{
	/* The first lines say enough; the rest stay one click away. */
	if (H(d)->evidence_rows++ == EVIDENCE_SHOWN)
		fputs("</tbody></table>\n<details class=\"more\"><summary>more evidence</summary>"
		      "<table class=\"evidence\"><tbody>\n", d->out);
	fprintf(d->out, "<tr><td class=\"where\">%s</td>", esc(d, where));
	fprintf(d->out, "<td><code>%s</code></td></tr>\n", esc(d, text));
}

static void evidence_end(struct doc *d)
{
	fputs("</tbody></table>\n", d->out);
	if (H(d)->evidence_rows > EVIDENCE_SHOWN)
		fputs("</details>\n", d->out);
}

static void table(struct doc *d, const char *const *head, size_t ncol,
		  char *const *cells, size_t nrows)
{
	fputs("<div class=\"scroll\"><table class=\"data\"><thead><tr>", d->out);
	for (size_t c = 0; c < ncol; c++)
		fprintf(d->out, "<th>%s</th>", esc(d, head[c]));
	fputs("</tr></thead><tbody>\n", d->out);
	for (size_t r = 0; r < nrows; r++) {
		fputs("<tr>", d->out);
		for (size_t c = 0; c < ncol; c++)
			fprintf(d->out, "<td>%s</td>", esc(d, cells[r * ncol + c]));
		fputs("</tr>\n", d->out);
	}
	fputs("</tbody></table></div>\n", d->out);
}

static void stack(struct doc *d, const char *label, const struct rm_frame *f, size_t n,
		  const bool *matters)
{
	size_t folded = 0;

	fprintf(d->out, "<details class=\"stack\"><summary>%s", esc(d, label));
	for (size_t i = 0; i < n; i++)
		if (matters[i])
			fprintf(d->out, " <code>%s</code>", esc(d, f[i].symbol));
		else
			folded++;
	fprintf(d->out, " <span class=\"dim\">(%zu frames; %zu more)</span></summary><pre>", n,
		folded);
	for (size_t i = 0; i < n; i++) {
		fprintf(d->out, "%s%s", f[i].reliable ? "" : "? ", esc(d, f[i].symbol));
		if (f[i].has_offset)
			fprintf(d->out, "+0x%llx", (unsigned long long)f[i].offset);
		if (f[i].module && f[i].module[0])
			fprintf(d->out, " [%s]", esc(d, f[i].module));
		fputc('\n', d->out);
	}
	fputs("</pre></details>\n", d->out);
}

static void charts(struct doc *d, const struct rm_charts *c)
{
	close_section(d);
	fputs("<section id=\"over-time\">\n<h2>Over time</h2>\n", d->out);
	H(d)->in_section = true;
	html_charts(d->out, c, H(d)->m, &d->sb);
}

static const struct doc_ops html_ops = {
	.title = title, .heading = heading, .para = para, .item = item,
	.field = field, .evidence_begin = evidence_begin, .evidence = evidence,
	.evidence_end = evidence_end, .table = table, .charts = charts, .stack = stack,
};

static void page_head(FILE *out, const struct rm_model *m, struct mmt_sb *sb)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"mmtriage " MMT_VERSION "\">\n", out);
	fprintf(out, "<title>mmtriage report: %s</title>\n",
		html_esc(sb, m->hang_class ? m->hang_class : "no hang class"));
	fprintf(out, "<style>\n%s</style>\n</head>\n<body>\n", html_style());
}

static int render(struct mmt_store *st, const struct rm_model *m, const struct rm_opts *o,
		  FILE *out, struct mmt_err *err)
{
	struct html h = { .d = { .out = out, .ops = &html_ops, .sb = MMT_SB_INIT,
				 .brief = o->brief, .chart_buckets = HTML_PLOT_WIDTH },
			  .m = m };
	int rc;

	page_head(out, m, &h.d.sb);
	rc = doc_render(st, m, &h.d, err);
	close_section(&h.d);
	fputs("<footer>mmtriage " MMT_VERSION "</footer>\n</body>\n</html>\n", out);
	mmt_sb_free(&h.d.sb);
	return rc;
}

const struct mmt_renderer mmt_render_html = { "html", false, render };
