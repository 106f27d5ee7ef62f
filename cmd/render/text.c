/*
 * The text report, for a terminal: headings, wrapped paragraphs, aligned
 * tables, sparklines of the main time series; colour on a terminal.
 */
#include "cmd/render/doc.h"
#include "core/utc.h"
#include "core/xalloc.h"

#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define TEXT_WIDTH 100
/* The columns of a sparkline line besides the cells: indent, label, gaps, figures. */
#define LABEL_WIDTH 15
#define STATS_WIDTH 42
#define CELLS_MIN 16
#define CELLS_MAX 60

/* The text report's own state around the shared struct doc. */
struct text_doc {
	struct doc d;			/* first: the ops get &d */
	bool colour;			/* SGR sequences around severities and headings */
	bool utf8;			/* block elements for the sparklines */
};

static const struct text_doc *text_of(const struct doc *d)
{
	return (const struct text_doc *)d;
}

/* SGR sequences: written only by this file, never taken from the input. */
#define SGR_BOLD "\033[1m"
#define SGR_RED "\033[31m"
#define SGR_YELLOW "\033[33m"
#define SGR_CYAN "\033[36m"
#define SGR_RESET "\033[0m"

static void put_styled(const struct doc *d, const char *sgr, const char *text)
{
	if (text_of(d)->colour)
		fprintf(d->out, "%s%s%s", sgr, text, SGR_RESET);
	else
		fputs(text, d->out);
}

static void title(struct doc *d, const char *text)
{
	doc_escape(d, text);
	put_styled(d, SGR_BOLD, d->sb.buf ? d->sb.buf : "");
	fputc('\n', d->out);
}

static void heading(struct doc *d, const char *text)
{
	fputc('\n', d->out);
	doc_escape(d, text);
	put_styled(d, SGR_BOLD, d->sb.buf ? d->sb.buf : "");
	fputc('\n', d->out);
	for (size_t i = strlen(text); i > 0; i--)
		fputc('-', d->out);
	fputc('\n', d->out);
}

static void para(struct doc *d, const char *text)
{
	doc_escape(d, text);
	doc_wrap(d->out, d->sb.buf ? d->sb.buf : "", d->width, "    ", "    ");
}

static const char *severity_sgr(const char *sev)
{
	if (!strcmp(sev, "critical"))
		return SGR_RED;
	if (!strcmp(sev, "warning"))
		return SGR_YELLOW;
	return SGR_CYAN;
}

static void item(struct doc *d, int n, const char *severity, const char *text)
{
	char sev[16];
	size_t i;

	for (i = 0; severity[i] && i + 1 < sizeof(sev); i++)
		sev[i] = (char)(severity[i] >= 'a' && severity[i] <= 'z' ? severity[i] - 32
									   : severity[i]);
	sev[i] = '\0';
	/* The word is ours (upper-cased from a fixed set), but escape it like any field. */
	doc_escape(d, sev);
	fprintf(d->out, "\n[%d] ", n);
	put_styled(d, severity_sgr(severity), d->sb.buf ? d->sb.buf : "");
	fprintf(d->out, "%*s ", (int)(i < 8 ? 8 - i : 0), "");
	doc_escape(d, text);
	fprintf(d->out, "%s\n", d->sb.buf ? d->sb.buf : "");
}

static void field(struct doc *d, const char *label, const char *text)
{
	char first[64];

	snprintf(first, sizeof(first), "    %s: ", label);
	doc_escape(d, text);
	doc_wrap(d->out, d->sb.buf ? d->sb.buf : "", d->width, "        ", first);
}

static void evidence_begin(struct doc *d)
{
	fprintf(d->out, "    evidence:\n");
}

static void evidence(struct doc *d, const char *where, const char *text)
{
	doc_escape(d, where);
	fprintf(d->out, "      %s  ", d->sb.buf ? d->sb.buf : "");
	doc_escape(d, text);
	fprintf(d->out, "%s\n", d->sb.buf ? d->sb.buf : "");
}

static void evidence_end(struct doc *d)
{
	(void)d;
}

static void table(struct doc *d, const char *const *head, size_t ncol,
		  char *const *cells, size_t nrows)
{
	doc_plain_table(d, head, ncol, cells, nrows, d->table_width, "  ");
}

/* ---- the "Over time" section ---- */

/*
 * The lines it shows, in order, each the first series of its chart that
 * the database has (NULL: the chart's total); `low` lines say when the
 * least value was (free memory, CPUs online), the others when the greatest was.
 */
struct spark_row {
	const char *chart, *series, *label;
	bool low;
};

static const struct spark_row spark_rows[] = {
	{ "memory", "MemFree", "free memory", true },
	{ "writeback", "Dirty", "dirty", false },
	{ "writeback", "Writeback", "writeback", false },
	{ "slab", NULL, "slab", false },
	{ "swap", "swap used", "swap used", false },
	{ "psi", "memory some", "PSI memory some", false },
	{ "reclaim", "tasks in direct reclaim", "direct reclaim", false },
	{ "reclaim", "tasks in memcg reclaim", "memcg reclaim", false },
	{ "reclaim", "allocstall", "direct reclaim", false },
	{ "kswapd", "kswapd awake", "kswapd", false },
	{ "kswapd", "pages scanned by kswapd", "kswapd", false },
	{ "kswapd", "pgscan_kswapd", "kswapd", false },
	{ "ipi", NULL, "IPIs, all CPUs", false },
	{ "cpus", "online", "CPUs online", true },
};

static const struct rm_series *find_series(const struct rm_charts *c, const struct spark_row *r,
					   const struct rm_chart **chart)
{
	for (size_t i = 0; i < c->ncharts; i++) {
		const struct rm_chart *ch = &c->charts[i];

		if (strcmp(ch->id, r->chart) != 0)
			continue;
		*chart = ch;
		if (!r->series)
			return ch->total ? ch->total : ch->nseries == 1 ? &ch->series[0] : NULL;
		for (size_t j = 0; j < ch->nseries; j++)
			if (!strcmp(ch->series[j].name, r->series))
				return &ch->series[j];
	}
	return NULL;
}

/* A time on the axis, rounded: "01:04:39" (UTC), with tenths when a bucket is shorter than 1 s. */
static void axis_time(const struct rm_charts *c, double t, char *out, size_t n)
{
	bool tenths = c->step < 1;
	double r = tenths ? floor(t * 10 + 0.5) / 10 : floor(t + 0.5);
	struct tm tm;
	size_t len;

	if (!c->wall || !mmt_utc(r, &tm)) {
		snprintf(out, n, tenths ? "%.2f s" : "%.0f s", t);
		return;
	}
	len = strftime(out, n, c->t1 - c->t0 >= 86400 ? "%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
	if (tenths && len < n)
		snprintf(out + len, n - len, ".%d", (int)floor((r - floor(r)) * 10 + 0.5) % 10);
}

/* Least and greatest value and the bucket of the one asked for; false when empty. */
static bool series_range(const struct rm_series *s, bool low, double *lo, double *hi, size_t *at)
{
	bool any = false;

	for (size_t b = 0; b < s->n; b++) {
		if (!s->has[b])
			continue;
		if (!any || s->lo[b] < *lo) {
			*lo = s->lo[b];
			if (low)
				*at = b;
		}
		if (!any || s->hi[b] > *hi) {
			*hi = s->hi[b];
			if (!low)
				*at = b;
		}
		any = true;
	}
	return any;
}

/*
 * One cell per bucket: the bucket's least value on low lines (dips
 * matter), else its greatest. A bucket between two samples that no sample
 * fell in (buckets shorter than the sampling interval) repeats the cell
 * before it; before the first and after the last sample, cells are blank.
 */
static void sparkline(const struct doc *d, const struct rm_series *s, bool low, double lo,
		      double hi)
{
	static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[] = ".:-=+*#%@";
	bool utf8 = text_of(d)->utf8;
	int levels = utf8 ? 8 : (int)sizeof(ascii) - 1, k = -1;
	size_t last = 0;

	for (size_t b = 0; b < s->n; b++)
		if (s->has[b])
			last = b;
	for (size_t b = 0; b < s->n; b++) {
		double v = low ? s->lo[b] : s->hi[b];

		if (s->has[b]) {
			k = hi > lo ? (int)lround((v - lo) / (hi - lo) * (levels - 1)) : 0;
			k = k < 0 ? 0 : k >= levels ? levels - 1 : k;
		}
		if (k < 0 || b > last)
			fputc(' ', d->out);
		else if (utf8)
			fputs(blocks[k], d->out);
		else
			fputc(ascii[k], d->out);
	}
}

static void spark_line(const struct doc *d, const struct rm_charts *c, const struct spark_row *r,
		       const struct rm_chart *ch, const struct rm_series *s)
{
	char a[32], b[32], when[32];
	double lo = 0, hi = 0;
	size_t at = 0;

	if (!series_range(s, r->low, &lo, &hi, &at))
		return;
	rm_value_text(lo, ch->unit, a, sizeof(a));
	rm_value_text(hi, ch->unit, b, sizeof(b));
	axis_time(c, c->t0 + ((double)at + 0.5) * c->step, when, sizeof(when));
	fprintf(d->out, "  %-*s ", LABEL_WIDTH, r->label);
	sparkline(d, s, r->low, lo, hi);
	if (r->low)
		fprintf(d->out, "  min %s at %s, max %s\n", a, when, b);
	else
		fprintf(d->out, "  min %s, max %s at %s\n", a, b, when);
}

/* Whether every mark's "label at time" fits in room columns, separated by ", ". */
static bool marks_fit(struct doc *d, const struct rm_charts *c, size_t room)
{
	char when[32];
	size_t used = 0;

	for (size_t i = 0; i < c->nmarks; i++) {
		axis_time(c, c->marks[i].t, when, sizeof(when));
		doc_escape(d, c->marks[i].label);
		used += (i ? 2 : 0) + strlen(d->sb.buf ? d->sb.buf : "") + 4 + strlen(when);
	}
	return used <= room;
}

/* "9 hung_task, 1 oom_kill from 01:12:50": the kinds in order of their first mark. */
static void marks_counted(struct doc *d, const struct rm_charts *c)
{
	char when[32];

	for (size_t i = 0; i < c->nmarks; i++) {
		size_t n = 0;
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(c->marks[j].kind, c->marks[i].kind);
		if (seen)
			continue;
		for (size_t j = i; j < c->nmarks; j++)
			n += !strcmp(c->marks[j].kind, c->marks[i].kind);
		doc_escape(d, c->marks[i].kind);
		fprintf(d->out, "%s%zu %s", i ? ", " : "", n, d->sb.buf ? d->sb.buf : "");
	}
	axis_time(c, c->marks[0].t, when, sizeof(when));
	fprintf(d->out, " from %s", when);
}

/* '!' under the columns where a report (hung task, OOM kill, ...) happened, and what they were. */
static void marks_line(struct doc *d, const struct rm_charts *c)
{
	size_t used = 2 + LABEL_WIDTH + 1 + c->buckets + 2;
	char *cols = xmalloc(c->buckets + 1), when[32];

	memset(cols, ' ', c->buckets);
	cols[c->buckets] = '\0';
	for (size_t i = 0; i < c->nmarks; i++) {
		double b = floor((c->marks[i].t - c->t0) / c->step);

		if (b >= 0)
			cols[b < (double)c->buckets ? (size_t)b : c->buckets - 1] = '!';
	}
	fprintf(d->out, "  %-*s ", LABEL_WIDTH, "reports");
	put_styled(d, SGR_RED, cols);
	fputs("  ", d->out);
	/* Each report when they fit beside the columns, else how many of each kind. */
	if (marks_fit(d, c, d->width > used ? d->width - used : 0)) {
		for (size_t i = 0; i < c->nmarks; i++) {
			axis_time(c, c->marks[i].t, when, sizeof(when));
			doc_escape(d, c->marks[i].label);
			fprintf(d->out, "%s%s at %s", i ? ", " : "", d->sb.buf ? d->sb.buf : "", when);
		}
	} else {
		marks_counted(d, c);
	}
	fputc('\n', d->out);
	free(cols);
}

static void charts(struct doc *d, const struct rm_charts *c)
{
	char a[32], b[32], step[32], head[160];
	bool any = false;

	if (!c->ncharts)
		return;
	axis_time(c, c->t0, a, sizeof(a));
	axis_time(c, c->t1, b, sizeof(b));
	heading(d, "Over time");
	if (c->step < 0.1)
		snprintf(step, sizeof(step), "%.0f ms", c->step * 1000);
	else
		snprintf(step, sizeof(step), "%.*f s", c->step < 10 ? 1 : 0, c->step);
	snprintf(head, sizeof(head), "%s to %s%s (%.0f s), one column per %s.", a, b,
		 c->wall ? " UTC" : "", c->t1 - c->t0, step);
	para(d, head);
	for (size_t i = 0; i < sizeof(spark_rows) / sizeof(spark_rows[0]); i++) {
		const struct spark_row *r = &spark_rows[i];
		const struct rm_chart *ch = NULL;
		const struct rm_series *s = find_series(c, r, &ch);

		/* Rows of one label are alternatives (a trace's chart or vmstat's): one exists. */
		if (!s)
			continue;
		spark_line(d, c, r, ch, s);
		any = true;
	}
	if (any && c->nmarks)
		marks_line(d, c);
}

static const struct doc_ops text_ops = {
	.title = title, .heading = heading, .para = para, .item = item,
	.field = field, .evidence_begin = evidence_begin, .evidence = evidence,
	.evidence_end = evidence_end, .table = table, .charts = charts,
};

/* Whether the user's locale writes UTF-8, without leaving the process's locale changed. */
static bool locale_utf8(void)
{
	const char *now = setlocale(LC_CTYPE, NULL);
	char *saved = xstrdup(now ? now : "C");
	bool utf8 = false;

	if (setlocale(LC_CTYPE, ""))
		utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	setlocale(LC_CTYPE, saved);
	free(saved);
	return utf8;
}

/* https://no-color.org: NO_COLOR set and not empty turns colour off, as TERM=dumb does. */
static bool want_colour(const struct rm_opts *o, const FILE *out)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (o->color != RM_COLOR_AUTO)
		return o->color == RM_COLOR_ALWAYS;
	if (out != stdout || !isatty(STDOUT_FILENO))
		return false;
	return !(no && *no) && !(term && !strcmp(term, "dumb"));
}

static int render(struct mmt_store *st, const struct rm_model *m, const struct rm_opts *o,
		  FILE *out, struct mmt_err *err)
{
	struct text_doc t = {
		.d = { .out = out, .ops = &text_ops, .width = TEXT_WIDTH, .sb = MMT_SB_INIT,
		       .brief = o->brief },
		.colour = want_colour(o, out),
		.utf8 = locale_utf8(),
	};
	size_t room = TEXT_WIDTH;
	struct winsize ws;

	/* On a terminal, fit its width; in a file, keep table cells whole. */
	if (out == stdout && isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) {
		t.d.table_width = ws.ws_col;
		if (ws.ws_col < TEXT_WIDTH)
			t.d.width = ws.ws_col;
		room = ws.ws_col;
	}
	room = room > 3 + LABEL_WIDTH + STATS_WIDTH ? room - 3 - LABEL_WIDTH - STATS_WIDTH : 0;
	t.d.chart_buckets = room < CELLS_MIN ? CELLS_MIN : room > CELLS_MAX ? CELLS_MAX : room;
	return doc_render(st, m, &t.d, err);
}

const struct mmt_renderer mmt_render_text = { "text", true, render };
