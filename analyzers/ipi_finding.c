/*
 * The ipi_storm finding of one storm: its window, the rate per CPU against
 * the baseline, the CPUs hit, the sending paths (traces), the overlap with
 * CPU hotplug and reclaim, severity and confidence, evidence, and advice.
 */
#include "analyzers/ipi.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define HOTPLUG_CPUS 64

/* What overlapped the storm. */
struct overlap {
	size_t ops;			/* hotplug operations or absences */
	bool cpus[HOTPLUG_CPUS];
	const struct ipi_hotplug *first;
	struct ipi_reclaim reclaim;
	bool drains;
	double drain_share;
};

struct storm {
	const struct ipi_window *main, *other;	/* main: a trace window when there is one */
	double t0, t1;
	struct ipi_causes causes;
	bool have_causes;
	struct overlap ov;
};

static void pick_windows(const struct ipi_windows *ws, int c, struct storm *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < ws->n; i++) {
		const struct ipi_window *w = &ws->w[i];

		if (w->cluster != c)
			continue;
		if (!s->main) {
			s->t0 = w->t0;
			s->t1 = w->t1;
		}
		s->t0 = fmin(s->t0, w->t0);
		s->t1 = fmax(s->t1, w->t1);
		if (!s->main || (w->s->trace && !s->main->s->trace) ||
		    (w->s->trace == s->main->s->trace && w->storm_rate > s->main->storm_rate)) {
			if (s->main && s->main->s->source != w->s->source)
				s->other = s->main;
			s->main = w;
		} else if (!s->other && w->s->source != s->main->s->source) {
			s->other = w;
		}
	}
}

/*
 * Hotplug during the storm, give or take one point of its series (a storm
 * measured in whole seconds or samples); not within ipi.max_gap_secs, which
 * would lend a storm the hotplug of its neighbour.
 */
static void hotplug_overlap(const struct ipi_hotplug_set *hp, struct storm *s)
{
	double slack = s->main->s->interval;

	for (size_t k = 0; k < hp->n; k++) {
		const struct ipi_hotplug *h = &hp->h[k];

		if (h->t0 > s->t1 + slack || h->t1 < s->t0 - slack)
			continue;
		s->ov.ops++;
		if (h->cpu >= 0 && h->cpu < HOTPLUG_CPUS)
			s->ov.cpus[h->cpu] = true;
		if (!s->ov.first || h->t0 < s->ov.first->t0)
			s->ov.first = h;
	}
}

static void cpu_list(const bool *cpus, size_t n, char *out, size_t outsz)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t c = 0; c < n && len + 8 < outsz; c++)
		if (cpus[c])
			len += (size_t)snprintf(out + len, outsz - len, "%s%zu", len ? ", " : "", c);
}

static void hit_list(const struct ipi_window *w, char *out, size_t outsz)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < w->nhit && i < MAX_HIT_NAMES && len + 12 < outsz; i++)
		len += (size_t)snprintf(out + len, outsz - len, "%sCPU%d", i ? ", " : "", w->hit[i]);
	if (w->nhit > MAX_HIT_NAMES)
		snprintf(out + len, outsz - len, " and %d more", w->nhit - MAX_HIT_NAMES);
}

static int gather(struct mmt_store *st, const struct ipi_rule *r,
		  const struct ipi_hotplug_set *hp, struct storm *s, struct mmt_err *err)
{
	const struct ipi_window *m = s->main;

	hotplug_overlap(hp, s);
	if (ipi_reclaim_in(st, s->t0, s->t1, &s->ov.reclaim, err) < 0)
		return -1;
	if (m->s->trace) {
		int64_t ns0 = (int64_t)((m->t0 - m->s->t_offset) * 1e9);
		int64_t ns1 = (int64_t)((m->t1 - m->s->t_offset) * 1e9);

		if (ipi_causes_in(st, m->s->source, ns0, ns1, &s->causes, err) < 0)
			return -1;
		s->have_causes = s->causes.total > 0;
	}
	for (size_t i = 0; i < s->causes.ntop; i++)
		if (s->causes.top[i].drain)
			s->ov.drain_share += 100.0 * (double)s->causes.top[i].count /
					     (double)s->causes.total;
	s->ov.drains = s->have_causes && s->ov.drain_share >= r->drain_share;
	return 0;
}

static void summarize_causes(const struct storm *s, struct mmt_sb *sb)
{
	const struct ipi_causes *c = &s->causes;

	if (!s->have_causes) {
		mmt_sb_adds(sb, s->main->s->trace ? " The trace holds no IPI send events with a "
			    "callback in the window, so the senders are unknown." :
			    " /proc/interrupts counts IPIs but cannot say who sent them.");
		return;
	}
	mmt_sb_addf(sb, " Sending paths (%lld %s %s the window%s):",
		    (long long)c->total, c->from_csd ? "csd_queue_cpu events" : "IPI sends",
		    c->sampled ? "sampled evenly over" : "in",
		    c->from_stacks ? ", named with their kernel stacks" : "");
	for (size_t i = 0; i < c->ntop; i++)
		mmt_sb_addf(sb, "%s %s %.0f%% (%s)", i ? ";" : "", c->top[i].label,
			    100.0 * (double)c->top[i].count / (double)c->total, c->top[i].path);
	mmt_sb_addf(sb, ". The largest, %s, is %s.", c->top[0].label, c->top[0].words);
}

static void summarize_overlap(const struct storm *s, struct mmt_sb *sb)
{
	char cpus[256], t[64];

	if (s->ov.ops) {
		cpu_list(s->ov.cpus, HOTPLUG_CPUS, cpus, sizeof(cpus));
		mmt_time_str(s->ov.first->t0, t, sizeof(t));
		mmt_sb_addf(sb, " CPU hotplug ran during the storm: %zu operation%s or "
			    "absence%s%s%s, the first at %s%s.", s->ov.ops, s->ov.ops > 1 ? "s" : "",
			    s->ov.ops > 1 ? "s" : "", cpus[0] ? " of CPU " : "", cpus, t,
			    s->ov.first->trace ? " (cpuhp events)" :
			    " (the CPU's column missing from /proc/interrupts)");
	} else {
		mmt_sb_adds(sb, " No CPU hotplug is seen during the storm.");
	}
	if (s->ov.reclaim.episodes)
		mmt_sb_addf(sb, " Reclaim ran meanwhile: %lld episodes (mostly %s).",
			    (long long)s->ov.reclaim.episodes, s->ov.reclaim.kind);
	if (s->ov.reclaim.pgscan_rate >= 0.5)
		mmt_sb_addf(sb, " vmstat scanned %.0f pages/s on average in the window.",
			    s->ov.reclaim.pgscan_rate);
	else if (s->ov.reclaim.pgscan_rate >= 0)
		mmt_sb_adds(sb, " vmstat shows no page scanning in the window.");
	if (s->ov.drains)
		mmt_sb_addf(sb, " Allocator/LRU drains sent %.0f%% of the IPIs.", s->ov.drain_share);
}

static void advise(const struct storm *s, struct mmt_sb *sb)
{
	const char *top = s->have_causes ? s->causes.top[0].label : "";

	mmt_sb_adds(sb, " Next: ");
	if (s->ov.drains && s->ov.ops)
		mmt_sb_adds(sb, "drains by IPI while CPUs go on- and offline is the allocator/"
			    "hotplug pattern that deadlocks when a drain holds cpus_read_lock while "
			    "hotplug waits on kthreadd: look for tasks blocked in cpus_read_lock, "
			    "cpu_hotplug_begin/cpus_write_lock or kthread_create (a SysRq-w dump), "
			    "and for the allocation failures or direct reclaim that drive the drains; ");
	else if (s->ov.drains)
		mmt_sb_adds(sb, "find what drives the drains (direct reclaim, compaction, "
			    "page isolation, mlock/migration loops) in the stacks of the send events; ");
	if (!strcmp(top, "membarrier"))
		mmt_sb_adds(sb, "find the process calling membarrier (common_comm of the send "
			    "events) and whether it can batch or use a registered, cheaper command; ");
	else if (!strcmp(top, "TLB shootdown"))
		mmt_sb_adds(sb, "find what changes page tables so often (munmap/mprotect loops, "
			    "NUMA balancing, compaction or reclaim unmapping pages); ");
	if (!s->have_causes)
		mmt_sb_adds(sb, "record the storm with `trace-cmd record -e ipi -e csd -e "
			    "irq_vectors:call_function_single_entry -e cpuhp -T` (kernel stacks) to "
			    "name the sender; ");
	if (!s->ov.ops)
		mmt_sb_adds(sb, "record cpuhp:* too if CPUs may go on- or offline; ");
	mmt_sb_adds(sb, "compare with the hung tasks and reclaim findings of the same time.");
}

static double confidence_of(const struct storm *s)
{
	const struct ipi_window *m = s->main;
	double c = m->baseline_known ? 0.75 : 0.55;

	if (m->storm_rate >= 2 * m->thr)
		c += 0.1;
	if (s->other)
		c += 0.05;
	if (s->have_causes && strcmp(s->causes.top[0].label, "other"))
		c += 0.05;
	return c;
}

static const char *severity_of(const struct storm *s, const struct ipi_rule *r)
{
	if (s->ov.ops && s->ov.drains)
		return "critical";
	if (s->main->storm_rate >= r->extreme && s->t1 - s->t0 >= r->long_secs)
		return "critical";
	return "warning";
}

static void describe(const struct storm *s, const struct ipi_rule *r, struct mmt_finding *f)
{
	const struct ipi_window *m = s->main;
	char hits[256], t0[64], base[64];

	hit_list(m, hits, sizeof(hits));
	mmt_time_str(s->t0, t0, sizeof(t0));
	if (m->baseline_known)
		snprintf(base, sizeof(base), "baseline %.0f/s", m->baseline);
	else
		snprintf(base, sizeof(base), "no quiet baseline");
	snprintf(f->title, sizeof(f->title), "IPI storm: %.0f function-call IPIs/s per CPU on "
		 "%s for %.0f s (%s)%s%s", m->storm_rate, hits, s->t1 - s->t0, base,
		 s->have_causes ? ", mostly " : "", s->have_causes ? s->causes.top[0].label : "");
	mmt_sb_addf(&f->summary, "From %s for %.0f s, %s took %.0f function-call IPIs per "
		    "second on average (peak %.0f/s on CPU%d), ", t0, s->t1 - s->t0, hits,
		    m->storm_rate, m->peak, m->peak_cpu);
	if (m->baseline_known)
		mmt_sb_addf(&f->summary, "%.0f times the recording's baseline of %.1f/s per CPU "
			    "(median outside storms) and above the threshold of %.0f/s", m->storm_rate /
			    fmax(m->baseline, 0.1), m->baseline, m->thr);
	else
		mmt_sb_addf(&f->summary, "above %.0f/s; the recording has no quiet part to take a "
			    "baseline from, so the threshold is ipi.baseline_factor x "
			    "ipi.min_rate_per_cpu", m->thr);
	mmt_sb_addf(&f->summary, " (%s).", m->s->what);
	if (m->short_storm)
		mmt_sb_addf(&f->summary, " Shorter than ipi.short_secs (%.0f s), it counts as a "
			    "storm because a CPU sustained ipi.short_rate_per_cpu (%.0f/s): it "
			    "averaged that rate and reached it in half of the storm's points or "
			    "more.", r->short_secs, r->short_rate);
	if (m->tlb_rate >= 0)
		mmt_sb_addf(&f->summary, " Meanwhile per CPU: %.0f TLB shootdowns/s (counted "
			    "within the function calls) and %.0f reschedule IPIs/s.", m->tlb_rate,
			    m->res_rate);
	if (s->other)
		mmt_sb_addf(&f->summary, " %s of source %lld agrees: %.0f/s per CPU.",
			    s->other->s->what, (long long)s->other->s->source, s->other->storm_rate);
	summarize_causes(s, &f->summary);
	summarize_overlap(s, &f->summary);
	advise(s, &f->summary);
	f->t_start = s->t0;
	f->t_end = s->t1;
	f->has_t = true;
	f->severity = severity_of(s, r);
	f->confidence = confidence_of(s);
	f->score = !strcmp(f->severity, "critical") ? 850 :
		   400 + (int)fmin(150, 20 * m->storm_rate / m->thr);
}

static int evidence_point(struct mmt_store *st, int64_t id, int idx, const struct ipi_window *w,
			  size_t i, const char *what, struct mmt_err *err)
{
	const struct ipi_series *s = w->s;
	char text[512];
	size_t len;
	struct mmt_evidence e = { .kind = s->trace ? "summary" : "sample", .source_id = s->source,
				  .ts = s->trace ? s->t[i] : s->t[i] + s->interval,
				  .has_ts = true, .text = text };

	len = (size_t)snprintf(text, sizeof(text), "%s: function-call IPIs/s", what);
	for (int c = 0; c < s->ncpus && len + 32 < sizeof(text); c++) {
		double v = s->rate[i * (size_t)s->ncpus + (size_t)c];

		len += (size_t)(v < 0 ? snprintf(text + len, sizeof(text) - len, " CPU%d offline", c)
			  : snprintf(text + len, sizeof(text) - len, " CPU%d %.0f", c, v));
	}
	return mmt_finding_evidence(st, id, idx, &e, err);
}

static int evidence_rows(struct mmt_store *st, int64_t id, const struct storm *s,
			 struct mmt_err *err)
{
	const struct ipi_window *m = s->main;
	char text[512];
	int idx = 0;
	struct mmt_evidence e = { .kind = "summary", .source_id = m->s->source, .text = text };

	snprintf(text, sizeof(text), "baseline %.1f/s per CPU (median of %zu CPU-points outside "
		 "storms%s), threshold %.0f/s", m->baseline, m->baseline_samples,
		 m->baseline_known ? "" : "; too few: the floor is used", m->thr);
	if (mmt_finding_evidence(st, id, idx++, &e, err) < 0 ||
	    evidence_point(st, id, idx++, m, m->i0, "first", err) < 0 ||
	    evidence_point(st, id, idx++, m, m->peak_i, "peak", err) < 0 ||
	    evidence_point(st, id, idx++, m, m->i1, "last", err) < 0)
		return -1;
	for (size_t i = 0; i < s->causes.ntop && i < 3; i++) {
		const struct ipi_cause *c = &s->causes.top[i];
		struct mmt_evidence ev = { .kind = "event", .source_id = m->s->source,
					   .event_id = c->example_event, .text = text };

		snprintf(text, sizeof(text), "%s: %lld IPIs (%s)", c->label, (long long)c->count,
			 c->path);
		if (mmt_finding_evidence(st, id, idx++, &ev, err) < 0)
			return -1;
	}
	if (s->ov.first) {
		const struct ipi_hotplug *h = s->ov.first;
		struct mmt_evidence ev = { .kind = h->trace ? "event" : "sample",
					   .source_id = h->source, .event_id = h->event_id,
					   .ts = h->t0, .has_ts = true, .text = text };

		if (h->trace)
			snprintf(text, sizeof(text), "CPU hotplug: %zu cpuhp events for CPU%d over "
				 "%.3f s", h->events, h->cpu, h->t1 - h->t0);
		else
			snprintf(text, sizeof(text), "CPU hotplug: CPU%d absent from /proc/interrupts "
				 "for %.0f s", h->cpu, h->t1 - h->t0);
		if (mmt_finding_evidence(st, id, idx++, &ev, err) < 0)
			return -1;
	}
	if (s->ov.reclaim.episodes) {
		struct mmt_evidence ev = { .kind = "event", .event_id = s->ov.reclaim.first_event,
					   .ts = s->ov.reclaim.t_first, .has_ts = true, .text = text };

		snprintf(text, sizeof(text), "reclaim: %lld episodes in the window, first %s",
			 (long long)s->ov.reclaim.episodes, s->ov.reclaim.kind);
		if (mmt_finding_evidence(st, id, idx++, &ev, err) < 0)
			return -1;
	}
	if (s->other)
		return evidence_point(st, id, idx, s->other, s->other->peak_i, "peak (other source)",
				      err);
	return 0;
}

static int subjects(struct mmt_store *st, int64_t id, const struct ipi_window *w,
		    struct mmt_err *err)
{
	for (int i = 0; i < w->nhit && i < MAX_HIT_NAMES; i++)
		if (mmt_finding_subject(st, id, "cpu", w->hit[i], true, NULL, err) < 0)
			return -1;
	return 0;
}

int ipi_storm_finding(struct mmt_store *st, const struct ipi_windows *ws, int c,
		      const struct ipi_rule *r, const struct ipi_hotplug_set *hp,
		      struct mmt_err *err)
{
	struct storm s;
	struct mmt_finding f;
	int64_t id;
	int rc = -1;

	pick_windows(ws, c, &s);
	if (!s.main)
		return 0;
	if (gather(st, r, hp, &s, err) < 0)
		return -1;
	mmt_finding_init(&f, "ipi", "ipi_storm", "warning");
	describe(&s, r, &f);
	id = mmt_finding_add(st, &f, err);
	if (id >= 0 && subjects(st, id, s.main, err) == 0 && evidence_rows(st, id, &s, err) == 0)
		rc = 0;
	mmt_finding_free(&f);
	return rc;
}

int ipi_uncounted_finding(struct mmt_store *st, const struct ipi_uncounted *u,
			  struct mmt_err *err)
{
	struct mmt_finding f;
	char text[256];
	struct mmt_evidence e = { .kind = "summary", .source_id = u->source, .text = text };
	int64_t id;

	mmt_finding_init(&f, "ipi", "ipi_not_counted", "info");
	snprintf(f.title, sizeof(f.title), "IPIs of a trace not counted: its events span %lld s",
		 (long long)u->secs);
	mmt_sb_addf(&f.summary, "Function-call IPIs are counted per CPU and second; this "
		    "trace's events span %lld s on %s%d CPUs%s, more than IPI_GRID_MAX_CELLS "
		    "(32 Mi cells) holds, so its IPI storms were not looked for. A span this "
		    "long is most often a clock jump or a damaged timestamp: see the trace's "
		    "first and last events.", (long long)u->secs, u->cpus_known ? "" : "up to ",
		    u->cpus, u->cpus_known ? "" : " (the trace does not say how many)");
	f.score = 10;
	snprintf(text, sizeof(text), "%lld seconds x %d CPUs", (long long)u->secs, u->cpus);
	id = mmt_finding_add(st, &f, err);
	mmt_finding_free(&f);
	return id < 0 ? -1 : mmt_finding_evidence(st, id, 0, &e, err);
}
