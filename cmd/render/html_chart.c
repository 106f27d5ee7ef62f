/*
 * The charts of the HTML report, as inline SVG: one time axis for all of
 * them, so that a reader's eye can go straight down from a spike in one to
 * the same moment in the others. Each series arrives cut into one bucket
 * per pixel (series.h) and each bucket is drawn as a vertical stroke from
 * its least to its greatest value, which keeps every spike however long the
 * capture. Reports (hung task, allocation failure, OOM kill) are vertical
 * marks and the findings' windows shaded bands, with their titles as SVG
 * tooltips, which need no script.
 */
#include "cmd/render/html.h"
#include "core/utc.h"

#include <math.h>
#include <string.h>
#include <time.h>

#define SVG_W 960
#define PAD_L 72		/* room for the y axis' tick labels and unit */
#define PLOT_W HTML_PLOT_WIDTH
#define PLOT_H 110
#define PAD_T 8
#define PAD_B 32		/* room for the time axis' labels */
#define LANE_H 18		/* one finding's row in the timeline */
#define LANES_MAX 15		/* findings drawn in the timeline */
/*
 * Ticks are counted rather than stepped to: at 10^19 s, t + 1 s is t again,
 * and a loop adding the step would never end. No axis wants more than this.
 */
#define TICKS_MAX 64

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
};
#define PALETTE_N (sizeof(palette) / sizeof(palette[0]))

/* The time axis shared by every chart. */
struct taxis {
	double t0, t1;
	bool wall;
};

static double x_of(const struct taxis *a, double t)
{
	return PAD_L + (t - a->t0) / (a->t1 - a->t0) * PLOT_W;
}

/* 1, 2 or 5 times a power of ten, at least v: tick steps people read easily. */
static double nice_ceil(double v)
{
	static const double steps[] = { 1, 2, 5, 10 };
	double p;

	if (v <= 0)
		return 1;
	p = pow(10, floor(log10(v)));
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i] * p >= v * (1 - 1e-9))
			return steps[i] * p;
	return 10 * p;
}

/* A value axis: about four ticks of a readable step over [0, max]. */
struct vaxis {
	double step, top;
};

static struct vaxis value_axis(double max, bool whole)
{
	struct vaxis v;

	if (max <= 0)
		max = whole ? 1 : 0.9;
	v.step = nice_ceil(max / 4);
	if (whole && v.step < 1)
		v.step = 1;
	v.top = v.step * ceil(max * 1.02 / v.step);
	return v;
}

/* Seconds, minutes and hours in the steps clocks are read in. */
static double time_step(double v)
{
	static const double clock[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
					 3600, 7200, 10800, 21600, 43200, 86400 };

	for (size_t i = 0; v >= 1 && i < sizeof(clock) / sizeof(clock[0]); i++)
		if (clock[i] >= v)
			return clock[i];
	return nice_ceil(v);
}

static const char *sev_colour(const char *severity)
{
	if (!strcmp(severity, "critical"))
		return "#d62728";
	return !strcmp(severity, "warning") ? "#e6a000" : "#7f7f7f";
}

static const char *mark_colour(const char *kind)
{
	if (!strcmp(kind, "oom_kill"))
		return "#b2182b";
	if (!strcmp(kind, "hung_task"))
		return "#7b3294";
	return !strcmp(kind, "alloc_failure") ? "#e66101" : "#4d4d4d";
}

/* The number of a finding in the list of findings, 0 when not there. */
static int finding_number(const struct rm_model *m, int64_t id)
{
	for (size_t i = 0; i < m->nfindings; i++)
		if (m->findings[i].id == id)
			return (int)i + 1;
	return 0;
}

static void time_label(const struct taxis *a, double t, char *out, size_t n)
{
	struct tm tm;

	if (!a->wall || !mmt_utc(t, &tm)) {
		snprintf(out, n, "%g", round(t * 1000) / 1000);
		return;
	}
	strftime(out, n, "%H:%M:%S", &tm);
}

/* Ticks and labels of the time axis under a plot whose bottom is at y. */
static void time_axis(FILE *out, const struct taxis *a, double y)
{
	double step = time_step((a->t1 - a->t0) / 8);
	char label[32];

	/* A clock time reads best at whole seconds. */
	if (a->wall && step < 1)
		step = 1;
	fprintf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n",
		PAD_L, y, PAD_L + PLOT_W, y);
	for (int i = 0; i < TICKS_MAX; i++) {
		double t = ceil(a->t0 / step) * step + i * step, x = x_of(a, t);

		if (t > a->t1 + step * 1e-9)
			break;
		time_label(a, t, label, sizeof(label));
		/* Labels at the ends stay inside the picture. */
		fprintf(out, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\"/><text class=\"tick-label\" x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"%s\">%s</text>\n", x, y, x, y + 4, x, y + 15,
			x > SVG_W - 40 ? "end" : "middle", label);
	}
	fprintf(out, "<text class=\"axis-label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">"
		"%s</text>\n", PAD_L + PLOT_W, y + 28, a->wall ? "time (UTC)" : "time (s)");
}

/* Reports as vertical marks, those within a pixel of each other as one. */
static void marks(FILE *out, const struct rm_charts *c, const struct taxis *a, double top,
		  double bottom, struct mmt_sb *sb)
{
	for (size_t i = 0; i < c->nmarks;) {
		size_t j = i + 1;
		double x = x_of(a, c->marks[i].t);

		while (j < c->nmarks && !strcmp(c->marks[j].kind, c->marks[i].kind) &&
		       x_of(a, c->marks[j].t) - x < 1)
			j++;
		fprintf(out, "<line class=\"mark\" stroke=\"%s\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" y2=\"%.1f\"><title>", mark_colour(c->marks[i].kind), x, top,
			x, bottom);
		if (j - i > 1)
			fprintf(out, "%zu reports from ", j - i);
		fprintf(out, "%s</title></line>\n", html_esc(sb, c->marks[i].label));
		i = j;
	}
}

/* Finding windows at warning and above, shaded behind a chart's lines. */
static void windows(FILE *out, const struct rm_charts *c, const struct rm_model *m,
		    const struct taxis *a, double top, double height, struct mmt_sb *sb)
{
	for (size_t i = 0; i < c->nwindows; i++) {
		const struct rm_window *w = &c->windows[i];
		double x0 = x_of(a, w->t0), x1 = x_of(a, w->t1);

		if (!strcmp(w->severity, "info"))
			continue;
		fprintf(out, "<rect class=\"window\" fill=\"%s\" x=\"%.1f\" y=\"%.1f\" "
			"width=\"%.1f\" height=\"%.1f\"><title>[%d] ", sev_colour(w->severity),
			x0, top, x1 - x0 < 2 ? 2 : x1 - x0, height,
			finding_number(m, w->finding));
		fprintf(out, "%s</title></rect>\n", html_esc(sb, w->title));
	}
}

/* The greatest value of a chart, and the unit its values are shown in. */
static double chart_max(const struct rm_chart *ch)
{
	double max = 0;

	for (size_t s = 0; s < ch->nseries; s++)
		for (size_t i = 0; i < ch->series[s].n; i++)
			if (ch->series[s].has[i] && ch->series[s].hi[i] > max)
				max = ch->series[s].hi[i];
	return max;
}

/* Large MiB figures read better in GiB. */
static double unit_scale(const struct rm_chart *ch, double max, const char **unit)
{
	*unit = ch->unit;
	if (!strcmp(ch->unit, "MiB") && max >= 4096) {
		*unit = "GiB";
		return 1.0 / 1024;
	}
	return 1;
}

static void y_axis(FILE *out, struct vaxis v, const char *unit, struct mmt_sb *sb)
{
	for (int i = 0; i < TICKS_MAX && i * v.step <= v.top * (1 + 1e-9); i++) {
		double t = i * v.step, y = PAD_T + PLOT_H - PLOT_H * t / v.top;

		fprintf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			"<text class=\"tick-label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g"
			"</text>\n", PAD_L, y, PAD_L + PLOT_W, y, PAD_L - 6, y + 4,
			round(t * 1e6) / 1e6);
	}
	fprintf(out, "<text class=\"axis-label\" transform=\"translate(14 %d) rotate(-90)\" "
		"text-anchor=\"middle\">%s</text>\n", PAD_T + PLOT_H / 2, html_esc(sb, unit));
}

/* One series as a path: each bucket a stroke from its least to its greatest value. */
/* A series of one sample has no line to draw: a dot that can be seen. */
static void lone_point(FILE *out, const struct rm_series *s, double scale, double vmax,
		       const char *colour)
{
	size_t at = 0, present = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->has[i] && present++ == 0)
			at = i;
	if (present != 1)
		return;
	fprintf(out, "<circle class=\"point\" fill=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n",
		colour, PAD_L + (at + 0.5) * PLOT_W / (double)s->n,
		PAD_T + PLOT_H - s->hi[at] * scale / vmax * PLOT_H);
}

static void series_path(FILE *out, const struct rm_chart *ch, const struct rm_series *s,
			double scale, double vmax, const char *colour)
{
	bool first = true;

	fprintf(out, "<path class=\"series\" stroke=\"%s\" d=\"", colour);
	for (size_t i = 0; i < s->n; i++) {
		double x, ylo, yhi;

		if (!s->has[i])
			continue;
		x = PAD_L + (i + 0.5) * PLOT_W / (double)s->n;
		ylo = PAD_T + PLOT_H - s->lo[i] * scale / vmax * PLOT_H;
		yhi = PAD_T + PLOT_H - s->hi[i] * scale / vmax * PLOT_H;
		if (first)
			fprintf(out, "M%.1f %.1f", x, ylo);
		else if (ch->style == RM_STEPS)
			fprintf(out, "H%.1fV%.1f", x, ylo);
		else
			fprintf(out, "L%.1f %.1f", x, ylo);
		/* Always on the first: a lone sample still shows, as a round cap. */
		if (fabs(yhi - ylo) >= 0.5 || first)
			fprintf(out, "V%.1f", yhi);
		first = false;
	}
	fputs("\"/>\n", out);
	lone_point(out, s, scale, vmax, colour);
}

static void legend(FILE *out, const struct rm_chart *ch, struct mmt_sb *sb)
{
	for (size_t s = 0; s < ch->nseries; s++) {
		fprintf(out, "<span class=\"key\"><span class=\"swatch\" style=\"background:%s\">"
			"</span>", palette[s % PALETTE_N]);
		fprintf(out, "%s</span>", html_esc(sb, ch->series[s].name));
	}
}

static void chart(FILE *out, const struct rm_chart *ch, const struct rm_charts *c,
		  const struct rm_model *m, const struct taxis *a, struct mmt_sb *sb)
{
	const char *unit;
	double max = chart_max(ch), scale = unit_scale(ch, max, &unit);
	/* Counts of things (CPUs, tasks) have no fractions to tick. */
	struct vaxis v = value_axis(max * scale, ch->style == RM_STEPS ||
				    !strcmp(unit, "tasks") || !strcmp(unit, "CPUs"));

	fprintf(out, "<figure class=\"chart\" id=\"chart-%s\"><figcaption><b>",
		html_esc(sb, ch->id));
	fprintf(out, "%s</b> ", html_esc(sb, ch->title));
	fprintf(out, "<span class=\"dim\">(%s, ", html_esc(sb, unit));
	fprintf(out, "from %s)</span> ", html_esc(sb, ch->source));
	legend(out, ch, sb);
	fprintf(out, "</figcaption>\n<svg class=\"plot\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"", SVG_W, PAD_T + PLOT_H + PAD_B);
	fprintf(out, "%s over time\">\n", html_esc(sb, ch->title));
	windows(out, c, m, a, PAD_T, PLOT_H, sb);
	y_axis(out, v, unit, sb);
	marks(out, c, a, PAD_T, PAD_T + PLOT_H, sb);
	for (size_t s = 0; s < ch->nseries; s++)
		series_path(out, ch, &ch->series[s], scale, v.top, palette[s % PALETTE_N]);
	time_axis(out, a, PAD_T + PLOT_H);
	fputs("</svg></figure>\n", out);
}

static void lane(FILE *out, const struct rm_window *w, const struct rm_model *m,
		 const struct taxis *a, double y, struct mmt_sb *sb)
{
	double x0 = x_of(a, w->t0), x1 = x_of(a, w->t1);
	int n = finding_number(m, w->finding);

	fprintf(out, "<a href=\"#finding-%d\"><text class=\"lane-label\" x=\"%d\" y=\"%.1f\" "
		"text-anchor=\"end\">[%d]</text><rect class=\"bar\" fill=\"%s\" x=\"%.1f\" "
		"y=\"%.1f\" width=\"%.1f\" height=\"%d\"><title>[%d] ", n, PAD_L - 6, y + 12, n,
		sev_colour(w->severity), x0, y + 3, x1 - x0 < 3 ? 3 : x1 - x0, LANE_H - 6, n);
	fprintf(out, "%s</title></rect></a>\n", html_esc(sb, w->title));
}

/* The findings' windows, one row each, over the reports' marks. */
static void timeline(FILE *out, const struct rm_charts *c, const struct rm_model *m,
		     const struct taxis *a, struct mmt_sb *sb)
{
	size_t lanes = c->nwindows < LANES_MAX ? c->nwindows : LANES_MAX;
	double bottom = PAD_T + LANE_H * (lanes + (c->nmarks ? 1 : 0));

	fprintf(out, "<figure class=\"chart\" id=\"chart-timeline\"><figcaption><b>Findings "
		"and reports</b> <span class=\"dim\">(each finding's time window; a mark per "
		"report, pointing to it shows which)</span></figcaption>\n<svg class=\"plot\" "
		"viewBox=\"0 0 %d %.0f\" role=\"img\" aria-label=\"findings over time\">\n",
		SVG_W, bottom + PAD_B);
	for (size_t i = 0; i < lanes; i++)
		lane(out, &c->windows[i], m, a, PAD_T + LANE_H * (double)i, sb);
	if (c->nmarks) {
		double y = PAD_T + LANE_H * (double)lanes;

		fprintf(out, "<text class=\"lane-label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">"
			"reports</text>\n", PAD_L - 6, y + 12);
		marks(out, c, a, y + 2, y + LANE_H - 2, sb);
	}
	time_axis(out, a, bottom);
	fputs("</svg></figure>\n", out);
}

static void mark_key(FILE *out)
{
	static const char *const kinds[] = { "hung_task", "alloc_failure", "oom_kill", "other" };

	fputs("<p class=\"dim\">Marks: ", out);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		fprintf(out, "<span class=\"key\"><span class=\"swatch\" style=\"background:%s\">"
			"</span>%s</span>", mark_colour(kinds[i]), kinds[i]);
	fputs(" Shaded: the windows of critical (red) and warning (amber) findings.</p>\n",
	      out);
}

static void axis_note(FILE *out, const struct rm_charts *c, const struct taxis *a)
{
	char from[40], to[40];
	struct tm tm;

	if (!a->wall)
		snprintf(from, sizeof(from), "%.3f s after boot", a->t0);
	else if (mmt_utc(a->t0, &tm))
		strftime(from, sizeof(from), "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(from, sizeof(from), "%.3f s", a->t0);
	snprintf(to, sizeof(to), "%.1f s", a->t1 - a->t0);
	fprintf(out, "<p>One time axis for every chart: %s onwards, %s. ", from, to);
	if (c->ncharts)
		fprintf(out, "Each pixel column shows the least and greatest value sampled in "
			"its %.3g s.", c->step);
	fputs("</p>\n", out);
}

void html_charts(FILE *out, const struct rm_charts *c, const struct rm_model *m,
		 struct mmt_sb *sb)
{
	struct taxis a = { c->t0, c->t1, c->wall };

	if (!c->ncharts && !c->nmarks && !c->nwindows) {
		fputs("<p>No time series: the sources hold no timed reports, /proc snapshots "
		      "or trace. A capture directory (docs/capture.md) or a trace gives "
		      "charts here.</p>\n", out);
		return;
	}
	/* A second around one time; far from 0, what a double can tell apart. */
	if (!(a.t1 > a.t0)) {
		a.t0 -= 0.5;
		a.t1 = fmax(a.t0 + 1, nextafter(a.t0, INFINITY));
	}
	axis_note(out, c, &a);
	timeline(out, c, m, &a, sb);
	for (size_t i = 0; i < c->ncharts; i++)
		chart(out, &c->charts[i], c, m, &a, sb);
	if (!c->ncharts)
		fputs("<p>No memory, reclaim or IPI series: the sources hold no /proc "
		      "snapshots or trace, only the reports above.</p>\n", out);
	mark_key(out);
}
