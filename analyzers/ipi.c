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
 * interrupts the storm without ending it), form a window; a window lasting
 * ipi.min_secs whose hottest CPU averages the threshold over it is a storm.
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
	{ "ipi.min_secs", 20, "s", "IPI storm: shortest storm" },
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

/* Per-CPU means over the window; false when no CPU averages the threshold. */
static bool window_measure(struct ipi_window *w, const struct ipi_hotplug_set *hp)
{
	const struct ipi_series *s = w->s;
	double sum_hit = 0, tlb = 0, res = 0;
	size_t ctx = 0;

	w->nhit = 0;
	w->peak = -1;
	for (int c = 0; c < s->ncpus; c++) {
		double sum = 0;
		size_t n = 0;

		for (size_t i = w->i0; i <= w->i1; i++) {
			double v = rate_at(s, i, c);

			if (v < 0 || !measured(w, i, hp))
				continue;
			sum += v;
			n++;
			if (v > w->peak) {
				w->peak = v;
				w->peak_i = i;
				w->peak_cpu = c;
			}
			if (s->tlb) {
				tlb += s->tlb[i * (size_t)s->ncpus + (size_t)c];
				res += s->res[i * (size_t)s->ncpus + (size_t)c];
				ctx++;
			}
		}
		if (n == 0 || sum / (double)n < w->thr)
			continue;
		if (w->nhit < MAX_HIT_NAMES)
			w->hit[w->nhit] = c;
		w->nhit++;
		sum_hit += sum / (double)n;
	}
	if (w->nhit == 0)
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

/* The windows of a series at threshold thr (proto holds the baseline fields). */
static void find_windows(const struct ipi_series *s, const struct ipi_window *proto,
			 const struct ipi_rule *r, const struct ipi_hotplug_set *hp, bool measure,
			 struct ipi_windows *out)
{
	size_t i = 0;

	while (i < s->n) {
		struct ipi_window w = *proto;
		size_t last;

		if (!point_hot(s, i, proto->thr)) {
			i++;
			continue;
		}
		w.i0 = last = i;
		for (size_t j = i + 1; j < s->n; j++)
			if (point_hot(s, j, proto->thr)) {
				if (!bridged(s, last, j, r, hp))
					break;
				last = j;
			}
		w.i1 = last;
		w.t0 = s->t[w.i0];
		w.t1 = s->t[w.i1] + s->interval;
		i = last + 1;
		if (w.t1 - w.t0 + 1e-6 < r->min_secs)
			continue;
		if (measure && !window_measure(&w, hp))
			continue;
		windows_add(out, &w);
	}
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

static void series_windows(const struct ipi_series *s, const struct ipi_rule *r,
			   const struct ipi_hotplug_set *hp, struct ipi_windows *out)
{
	struct ipi_window proto = { .s = s, .thr = r->floor };
	struct ipi_windows floor_w = { 0 };

	find_windows(s, &proto, r, hp, false, &floor_w);
	baseline_of(s, &floor_w, r, &proto);
	free(floor_w.w);
	find_windows(s, &proto, r, hp, true, out);
}

/* Windows of different sources that overlap (within max_gap) are one storm. */
static int cmp_window(const void *a, const void *b)
{
	const struct ipi_window *x = a, *y = b;

	return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

static int cluster_windows(struct ipi_windows *ws, double max_gap)
{
	int clusters = 0;
	double end = 0;

	if (ws->n == 0)
		return 0;
	qsort(ws->w, ws->n, sizeof(*ws->w), cmp_window);
	for (size_t i = 0; i < ws->n; i++) {
		if (i == 0 || ws->w[i].t0 > end + max_gap) {
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
	for (size_t i = 0; i < set.n; i++)
		series_windows(&set.s[i], &r, &hp, &ws);
	clusters = cluster_windows(&ws, r.max_gap);
	for (int c = 0; c < clusters && rc == 0; c++)
		rc = ipi_storm_finding(st, &ws, c, &r, &hp, err);
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
