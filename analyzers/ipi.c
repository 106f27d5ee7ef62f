/*
 * IPI storms: windows where function-call IPIs per second per CPU rise far
 * above the recording's own baseline and above an absolute floor, for long
 * enough to matter; with what sent them, the CPUs hit, and whether CPU
 * hotplug or reclaim ran meanwhile (PRIMER class 5: allocator drains by
 * IPI while a hotplug operation holds or waits for the hotplug lock).
 *
 * The rule, per series of points (ipi_series.c): a point is hot when some
 * online CPU's rate reaches the threshold; hot points closer than
 * ipi.max_gap_secs, or separated only by points during a CPU hotplug
 * operation or absence (a CPU taken offline cannot be sent IPIs, which
 * interrupts the storm without ending it), form a window, unless the
 * rate fell under the threshold between them and the senders on the two
 * sides differ (one storm ending as another begins). A window lasting
 * ipi.min_secs is a storm when a CPU sustains the threshold over it
 * (averages it and reaches it in half of the points); one shorter than
 * ipi.short_secs must sustain ipi.short_rate_per_cpu (ordinary work makes
 * bursts of seconds).
 * The threshold is max(ipi.min_rate_per_cpu, ipi.baseline_factor x
 * baseline), the baseline being the median per-CPU rate outside the
 * windows the floor alone finds (the recording's quiet part). Windows of
 * several sources (a trace and /proc/interrupts samples) that overlap are
 * one storm. docs/findings/ipi.md has the rest.
 */
#include "analyzers/ipi.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct mmt_threshold ipi_thresholds[] = {
	{ "ipi.baseline_factor", 5, "ratio", "IPI storm: per-CPU function-call IPI rate over "
	  "the recording's median outside storms" },
	{ "ipi.min_rate_per_cpu", 200, "/s", "IPI storm: function-call IPIs per second on a "
	  "CPU below which nothing is a storm" },
	{ "ipi.min_secs", 5, "s", "IPI storm: shortest storm" },
	{ "ipi.short_secs", 20, "s", "IPI storm: a storm shorter than this must sustain "
	  "ipi.short_rate_per_cpu on a CPU" },
	{ "ipi.short_rate_per_cpu", 1000, "/s", "IPI storm: function-call IPIs per second a "
	  "storm shorter than ipi.short_secs must sustain on a CPU (average it and reach it "
	  "in half of the storm's points)" },
	{ "ipi.max_gap_secs", 3, "s", "IPI storm: quiet time within one storm" },
	{ "ipi.extreme_rate_per_cpu", 5000, "/s", "IPI storm: rate that with ipi.long_secs "
	  "makes a storm critical by itself" },
	{ "ipi.long_secs", 60, "s", "IPI storm: duration that with ipi.extreme_rate_per_cpu "
	  "makes a storm critical by itself" },
	{ "ipi.drain_share", 10, "%", "IPI storm: share of the IPIs from allocator/LRU drains "
	  "that counts as draining" },
	{ NULL, 0, NULL, NULL }
};

static void rule_read(struct ipi_rule *r)
{
	r->factor = mmt_threshold("ipi.baseline_factor");
	r->floor = mmt_threshold("ipi.min_rate_per_cpu");
	r->min_secs = mmt_threshold("ipi.min_secs");
	r->short_secs = mmt_threshold("ipi.short_secs");
	r->short_rate = mmt_threshold("ipi.short_rate_per_cpu");
	r->max_gap = mmt_threshold("ipi.max_gap_secs");
	r->extreme = mmt_threshold("ipi.extreme_rate_per_cpu");
	r->long_secs = mmt_threshold("ipi.long_secs");
	r->drain_share = mmt_threshold("ipi.drain_share");
}

static double rate_at(const struct ipi_series *s, size_t i, int c)
{
	return s->rate[i * (size_t)s->ncpus + (size_t)c];
}

static bool point_hot(const struct ipi_series *s, size_t i, double thr)
{
	for (int c = 0; c < s->ncpus; c++)
		if (rate_at(s, i, c) >= thr)
			return true;
	return false;
}

static bool during_hotplug(const struct ipi_hotplug_set *hp, double t0, double t1)
{
	for (size_t k = 0; k < hp->n; k++)
		if (hp->h[k].t0 <= t1 && hp->h[k].t1 >= t0)
			return true;
	return false;
}

/*
 * Whether the quiet points between hot points a and b keep them in one
 * window: their time outside CPU hotplug is at most max_gap.
 */
static bool bridged(const struct ipi_series *s, size_t a, size_t b, const struct ipi_rule *r,
		    const struct ipi_hotplug_set *hp)
{
	double quiet = 0;

	if (s->t[b] - (s->t[a] + s->interval) <= r->max_gap + 1e-6)
		return true;
	for (size_t i = a + 1; i < b && quiet <= r->max_gap + 1e-6; i++) {
		double end = i + 1 < s->n ? s->t[i + 1] : s->t[i] + s->interval;

		if (!during_hotplug(hp, s->t[i], end))
			quiet += end - s->t[i];
	}
	return quiet <= r->max_gap + 1e-6;
}

/* Points of [i0, i1] that measure the storm: hot, or quiet outside hotplug. */
static bool measured(const struct ipi_window *w, size_t i, const struct ipi_hotplug_set *hp)
{
	const struct ipi_series *s = w->s;

	return point_hot(s, i, w->thr) || !during_hotplug(hp, s->t[i], s->t[i] + s->interval);
}

/* One CPU over a window's measured points. */
struct cpu_measure {
	double sum, tlb, res;
	size_t n, ctx, reached;		/* points; with TLB/RES counts; at the rate needed */
};

static void measure_cpu(struct ipi_window *w, int c, double need,
			const struct ipi_hotplug_set *hp, struct cpu_measure *m)
{
	const struct ipi_series *s = w->s;

	memset(m, 0, sizeof(*m));
	for (size_t i = w->i0; i <= w->i1; i++) {
		double v = rate_at(s, i, c);

		if (v < 0 || !measured(w, i, hp))
			continue;
		m->sum += v;
		m->n++;
		m->reached += v >= need;
		if (v > w->peak) {
			w->peak = v;
			w->peak_i = i;
			w->peak_cpu = c;
		}
		if (s->tlb) {
			m->tlb += s->tlb[i * (size_t)s->ncpus + (size_t)c];
			m->res += s->res[i * (size_t)s->ncpus + (size_t)c];
			m->ctx++;
		}
	}
}

/*
 * Per-CPU means over the window. It is a storm when some CPU sustains the
 * rate needed (the threshold, or for a window shorter than ipi.short_secs
 * ipi.short_rate_per_cpu): it averages that rate and reaches it in half of
 * the window's points or more, so that one spike does not make a storm of
 * a few quiet seconds around it. The CPUs hit average the threshold.
 */
static bool window_measure(struct ipi_window *w, const struct ipi_rule *r,
			   const struct ipi_hotplug_set *hp)
{
	const struct ipi_series *s = w->s;
	double sum_hit = 0, tlb = 0, res = 0, need;
	size_t ctx = 0;
	bool sustained = false;

	w->short_storm = w->t1 - w->t0 + 1e-6 < r->short_secs;
	need = w->short_storm ? fmax(w->thr, r->short_rate) : w->thr;
	w->nhit = 0;
	w->peak = -1;
	for (int c = 0; c < s->ncpus; c++) {
		struct cpu_measure m;

		measure_cpu(w, c, need, hp, &m);
		tlb += m.tlb;
		res += m.res;
		ctx += m.ctx;
		if (m.n == 0 || m.sum / (double)m.n < w->thr)
			continue;
		sustained |= m.sum / (double)m.n >= need && 2 * m.reached >= m.n;
		if (w->nhit < MAX_HIT_NAMES)
			w->hit[w->nhit] = c;
		w->nhit++;
		sum_hit += m.sum / (double)m.n;
	}
	if (!sustained)
		return false;
	w->storm_rate = sum_hit / w->nhit;
	w->tlb_rate = ctx ? tlb / (double)ctx : -1;
	w->res_rate = ctx ? res / (double)ctx : -1;
	return true;
}

static void windows_add(struct ipi_windows *ws, const struct ipi_window *w)
{
	ws->w = xrealloc(ws->w, (ws->n + 1) * sizeof(*ws->w));
	ws->w[ws->n++] = *w;
}

/* What a window search needs besides the series: the store, for the senders. */
struct ipi_scan {
	struct mmt_store *st;
	const struct ipi_rule *r;
	const struct ipi_hotplug_set *hp;
	struct mmt_err *err;
};

/* The last point of the run of hot points that starts at i. */
static size_t run_end(const struct ipi_series *s, size_t i, double thr)
{
	while (i + 1 < s->n && point_hot(s, i + 1, thr))
		i++;
	return i;
}

/*
 * Whether the runs of hot points [a0, a1] and [b0, ...] have different
 * senders: then the quiet time between them ends one storm and the next
 * begins, however short it is. 1 yes, 0 no or unknown, -1 error.
 */
static int senders_differ(const struct ipi_scan *sc, const struct ipi_series *s, size_t a0,
			  size_t a1, size_t b0, double thr)
{
	char a[96], b[96];

	if (ipi_run_sender(sc->st, s, a0, a1, a, sizeof(a), sc->err) < 0 ||
	    ipi_run_sender(sc->st, s, b0, run_end(s, b0, thr), b, sizeof(b), sc->err) < 0)
		return -1;
	return a[0] && b[0] && strcmp(a, b) != 0;
}

/*
 * The windows of a series at threshold proto->thr (proto holds the baseline
 * fields); with measure, storms only, each split where its sender changes.
 */
static int find_windows(const struct ipi_scan *sc, const struct ipi_series *s,
			const struct ipi_window *proto, bool measure, struct ipi_windows *out)
{
	const struct ipi_rule *r = sc->r;
	size_t i = 0;

	while (i < s->n) {
		struct ipi_window w = *proto;
		size_t last, run0;

		if (!point_hot(s, i, proto->thr)) {
			i++;
			continue;
		}
		w.i0 = last = run0 = i;
		for (size_t j = i + 1; j < s->n; j++) {
			int differ = 0;

			if (!point_hot(s, j, proto->thr))
				continue;
			if (!bridged(s, last, j, r, sc->hp))
				break;
			if (measure && j > last + 1)
				differ = senders_differ(sc, s, run0, last, j, proto->thr);
			if (differ < 0)
				return -1;
			if (differ)
				break;
			if (j > last + 1)
				run0 = j;
			last = j;
		}
		w.i1 = last;
		w.t0 = s->t[w.i0];
		w.t1 = s->t[w.i1] + s->interval;
		i = last + 1;
		if (w.t1 - w.t0 + 1e-6 < r->min_secs)
			continue;
		if (measure && !window_measure(&w, r, sc->hp))
			continue;
		windows_add(out, &w);
	}
	return 0;
}

/* The median per-CPU rate outside the floor's windows: the quiet part. */
static void baseline_of(const struct ipi_series *s, const struct ipi_windows *floor_w,
			const struct ipi_rule *r, struct ipi_window *proto)
{
	double *v = xmalloc(s->n * (size_t)s->ncpus * sizeof(double));
	size_t n = 0, points = 0, k = 0;

	for (size_t i = 0; i < s->n; i++) {
		while (k < floor_w->n && floor_w->w[k].i1 < i)
			k++;
		if (k < floor_w->n && floor_w->w[k].i0 <= i)
			continue;
		points++;
		for (int c = 0; c < s->ncpus; c++)
			if (rate_at(s, i, c) >= 0)
				v[n++] = rate_at(s, i, c);
	}
	proto->baseline_samples = n;
	proto->baseline_known = n > 0 && (double)points * s->interval >= r->min_secs;
	if (proto->baseline_known) {
		mmt_sort_doubles(v, n);
		proto->baseline = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	} else {
		proto->baseline = r->floor;
	}
	proto->thr = fmax(r->floor, r->factor * proto->baseline);
	free(v);
}

static int series_windows(const struct ipi_scan *sc, const struct ipi_series *s,
			  struct ipi_windows *out)
{
	struct ipi_window proto = { .s = s, .thr = sc->r->floor };
	struct ipi_windows floor_w = { 0 };
	int rc;

	rc = find_windows(sc, s, &proto, false, &floor_w);
	if (rc == 0)
		baseline_of(s, &floor_w, sc->r, &proto);
	free(floor_w.w);
	return rc < 0 ? -1 : find_windows(sc, s, &proto, true, out);
}

/*
 * Windows of different sources that overlap are one storm. Overlap, not
 * nearness: the windows of one source are already apart by more than
 * ipi.max_gap_secs or have different senders, and a storm that follows
 * another closely must stay a storm of its own.
 */
static int cmp_window(const void *a, const void *b)
{
	const struct ipi_window *x = a, *y = b;

	return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

static int cluster_windows(struct ipi_windows *ws)
{
	int clusters = 0;
	double end = 0;

	if (ws->n == 0)
		return 0;
	qsort(ws->w, ws->n, sizeof(*ws->w), cmp_window);
	for (size_t i = 0; i < ws->n; i++) {
		if (i == 0 || ws->w[i].t0 >= end) {
			clusters++;
			end = ws->w[i].t1;
		}
		ws->w[i].cluster = clusters - 1;
		end = fmax(end, ws->w[i].t1);
	}
	return clusters;
}

static int run(struct mmt_store *st, struct mmt_err *err)
{
	struct ipi_series_set set;
	struct ipi_hotplug_set hp = { 0 };
	struct ipi_windows ws = { 0 };
	struct ipi_rule r;
	int clusters, rc = 0;

	rule_read(&r);
	if (ipi_series_load(st, &set, err) < 0)
		return -1;
	if (set.n && ipi_hotplug_load(st, &set, &hp, err) < 0) {
		ipi_series_free(&set);
		return -1;
	}
	for (size_t i = 0; i < set.n && rc == 0; i++) {
		struct ipi_scan sc = { st, &r, &hp, err };

		rc = series_windows(&sc, &set.s[i], &ws);
	}
	clusters = rc < 0 ? 0 : cluster_windows(&ws);
	for (int c = 0; c < clusters && rc == 0; c++)
		rc = ipi_storm_finding(st, &ws, c, &r, &hp, err);
	for (size_t i = 0; i < set.nuncounted && rc == 0; i++)
		rc = ipi_uncounted_finding(st, &set.uncounted[i], err);
	free(ws.w);
	free(hp.h);
	ipi_series_free(&set);
	return rc;
}

const struct mmt_analyzer mmt_analyzer_ipi = {
	.name = "ipi",
	.help = "IPI storms against the recording's baseline, their senders, and overlap "
		"with CPU hotplug and reclaim (ipi_storm findings)",
	.run = run,
	.thresholds = ipi_thresholds,
};
