/*
 * Writeback stalls: windows in which pages under writeback stopped
 * draining while work was pending. Windows come from snapshot series,
 * block-layer trace events and tasks of the kernel log that waited for
 * writeback (writeback.h); those that overlap in time are one stall and
 * one writeback_stall finding, with the tasks blocked on it in that time.
 * A lone snapshot with much under writeback is weak evidence: an info
 * finding that says what would confirm it.
 */
#include "analyzers/writeback.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLACK_SECS 2.0		/* windows of different sources this close are one stall */
#define NAMED_TASKS 6
#define QUOTED_TASKS 4

static const struct mmt_threshold writeback_thresholds[] = {
	{ "writeback.stall_secs", 10, "s",
	  "writeback that does not drain for this long is a stall" },
	{ "writeback.critical_secs", 120, "s",
	  "a stall this long is critical even with no task reported blocked on it" },
	{ "writeback.min_kb", 1024, "kB",
	  "less than this under writeback is never a stall" },
	{ "writeback.drain_pct", 1, "%/s",
	  "vmstat: completing less than this share of nr_writeback per second is not draining" },
	{ "writeback.flat_pct", 2, "%",
	  "meminfo alone: Writeback within this much of its peak is not draining" },
	{ NULL, 0, NULL, NULL },
};

static const char *const origin_names[WB_NORIGINS] = {
	"/proc/vmstat series", "block trace events", "/proc/meminfo series",
	"blocked tasks in the kernel log", "a single /proc/meminfo snapshot",
};

static const double origin_confidence[WB_NORIGINS] = { 0.85, 0.85, 0.6, 0.7, 0.2 };

/* One stall: windows [lo, hi) of the sorted array, and what it adds up to. */
struct stall {
	size_t lo, hi;
	double start, end;
	bool has_data, recovered;
	double t_recovered;
	unsigned origins;		/* bit per enum wb_origin */
	size_t hung, waiting;
	int64_t longest_hang;
};

static int by_start(const void *a, const void *b)
{
	const struct wb_window *x = a, *y = b;

	if (x->origin == WB_SINGLE || y->origin == WB_SINGLE)
		return (x->origin == WB_SINGLE) - (y->origin == WB_SINGLE);
	return (x->t_start > y->t_start) - (x->t_start < y->t_start);
}

static double reach(const struct wb_window *w)
{
	return w->recovered ? w->t_recovered : w->t_end;
}

static bool is_data(const struct wb_window *w)
{
	return w->origin == WB_VMSTAT || w->origin == WB_BLOCK || w->origin == WB_MEMINFO;
}

/* The times of a stall: from its data windows when it has any, else from the log's. */
static void stall_times(const struct wb_windows *ws, struct stall *s)
{
	bool first = true;

	s->has_data = false;
	for (size_t i = s->lo; i < s->hi; i++)
		s->has_data |= is_data(&ws->v[i]);
	s->recovered = s->has_data;
	for (size_t i = s->lo; i < s->hi; i++) {
		const struct wb_window *w = &ws->v[i];

		s->origins |= 1u << w->origin;
		if (s->has_data != is_data(w))
			continue;
		if (first || w->t_start < s->start)
			s->start = w->t_start;
		if (first || reach(w) > s->end)
			s->end = reach(w);
		s->recovered &= w->recovered;
		if (w->recovered && (first || w->t_recovered > s->t_recovered))
			s->t_recovered = w->t_recovered;
		first = false;
	}
}

static bool overlaps(const struct wb_waiter *w, const struct stall *s)
{
	double from = w->hung ? w->t - (double)w->blocked_secs : w->t;

	return from <= s->end + SLACK_SECS && w->t >= s->start - SLACK_SECS;
}

/* Whether an earlier waiter of the stall is the same task (reported again). */
static bool seen_before(const struct wb_waiters *ws, size_t i, const struct stall *s)
{
	for (size_t j = 0; j < i; j++)
		if (overlaps(&ws->v[j], s) && ws->v[j].pid == ws->v[i].pid &&
		    !strcmp(ws->v[j].comm, ws->v[i].comm))
			return true;
	return false;
}

static int64_t longest_of(const struct wb_waiters *ws, const struct wb_waiter *w,
			  const struct stall *s)
{
	int64_t longest = 0;

	for (size_t j = 0; j < ws->n; j++)
		if (overlaps(&ws->v[j], s) && ws->v[j].pid == w->pid &&
		    !strcmp(ws->v[j].comm, w->comm) && ws->v[j].blocked_secs > longest)
			longest = ws->v[j].blocked_secs;
	return longest;
}

static void count_waiters(const struct wb_waiters *ws, struct stall *s)
{
	for (size_t i = 0; i < ws->n; i++) {
		const struct wb_waiter *w = &ws->v[i];

		if (!overlaps(w, s))
			continue;
		s->hung += w->hung;
		if (w->hung && w->blocked_secs > s->longest_hang)
			s->longest_hang = w->blocked_secs;
		s->waiting += !seen_before(ws, i, s);
	}
}

#define MAX_DEVICES 8

struct devices {
	char name[MAX_DEVICES][40];
	size_t n;
};

static void add_device(struct devices *d, const char *name)
{
	if (!name[0] || d->n == MAX_DEVICES)
		return;
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->name[i], name))
			return;
	snprintf(d->name[d->n++], sizeof(d->name[0]), "%s", name);
}

/* Devices a stall names: from block windows, journal threads and loop workers. */
static void device_names(const struct wb_windows *ws, const struct wb_waiters *wt,
			 const struct stall *s, struct devices *out)
{
	for (size_t i = s->lo; i < s->hi; i++)
		add_device(out, ws->v[i].device);
	for (size_t i = 0; i < wt->n; i++) {
		const struct wb_waiter *w = &wt->v[i];
		char dev[40] = "";
		int len = 0;

		if (!overlaps(w, s))
			continue;
		/* jbd2/loop1-8: the journal thread of the filesystem on loop1 */
		if (sscanf(w->comm, "jbd2/%39[^ ]", dev) == 1 && strrchr(dev, '-'))
			*strrchr(dev, '-') = 0;
		/* "loop1 loop_rootcg_workfn": the worker of loop1 */
		else if (sscanf(w->workqueue, "loop%*u%n", &len) == 0 && len)
			(void)sscanf(w->workqueue, "%39s", dev);	/* dev stays "" otherwise */
		else
			dev[0] = 0;
		add_device(out, dev);
	}
}

static void join_devices(const struct devices *d, struct mmt_sb *out)
{
	for (size_t i = 0; i < d->n; i++)
		mmt_sb_addf(out, "%s%s", i ? ", " : "", d->name[i]);
}

static void describe_window(const struct wb_window *w, struct mmt_sb *sb)
{
	char a[40], b[40];

	mmt_time_str(w->t_start, a, sizeof(a));
	mmt_time_str(reach(w), b, sizeof(b));
	switch (w->origin) {
	case WB_VMSTAT:
	case WB_MEMINFO:
		mmt_sb_addf(sb, " %s: %lld kB under writeback at %s, %lld kB at %s (peak "
			    "%lld kB)", origin_names[w->origin], (long long)w->at_start, a,
			    (long long)w->at_end, b, (long long)w->peak);
		if (w->drained >= 0)
			mmt_sb_addf(sb, ", while only %lld pages completed writeback",
				    (long long)w->drained);
		if (w->dirty_start >= 0 && w->dirty_end >= 0)
			mmt_sb_addf(sb, "; Dirty went from %lld to %lld kB",
				    (long long)w->dirty_start, (long long)w->dirty_end);
		if (w->recovered)
			mmt_sb_addf(sb, "; it drained again at %s (%lld kB under writeback)", b,
				    (long long)w->at_recovery);
		mmt_sb_adds(sb, ".");
		break;
	case WB_BLOCK:
		mmt_sb_addf(sb, " Block trace: up to %lld request%s in flight to %s and none "
			    "completed from %s to %s%s.", (long long)w->peak,
			    w->peak == 1 ? "" : "s", w->device, a, b,
			    w->recovered ? ", then one completed" : ", where the trace ends");
		break;
	default:
		break;
	}
}

static void describe_waiters(const struct wb_waiters *ws, const struct stall *s,
			     struct mmt_sb *sb)
{
	size_t named = 0;

	if (!s->waiting)
		return;
	mmt_sb_addf(sb, " %zu task%s waited on its path: ", s->waiting,
		    s->waiting == 1 ? "" : "s");
	for (size_t i = 0; i < ws->n && named < NAMED_TASKS; i++) {
		const struct wb_waiter *w = &ws->v[i];
		int64_t longest;

		if (!overlaps(w, s) || seen_before(ws, i, s))
			continue;
		longest = longest_of(ws, w, s);
		mmt_sb_addf(sb, "%s%s:%lld (%s at %s", named++ ? ", " : "", w->comm,
			    (long long)w->pid, w->cls, w->site[0] ? w->site : "?");
		if (w->workqueue[0])
			mmt_sb_addf(sb, ", workqueue %s", w->workqueue);
		if (longest)
			mmt_sb_addf(sb, ", blocked %lld s", (long long)longest);
		mmt_sb_adds(sb, ")");
	}
	if (s->waiting > named)
		mmt_sb_addf(sb, " and %zu more", s->waiting - named);
	mmt_sb_adds(sb, ".");
	if (s->hung)
		mmt_sb_addf(sb, " The hung-task detector reported them %zu time%s, the longest "
			    "blocked for more than %lld s.", s->hung, s->hung == 1 ? "" : "s",
			    (long long)s->longest_hang);
}

/* What froze the path, when a waiter says so, and what to do next. */
static void advise(const struct wb_windows *ws, const struct wb_waiters *wt,
		   const struct stall *s, struct mmt_sb *sb)
{
	bool frozen = false, loop_frozen = false;

	for (size_t i = 0; i < wt->n; i++)
		if (overlaps(&wt->v[i], s) && !strcmp(wt->v[i].cls, "fs_freeze")) {
			frozen = true;
			loop_frozen |= !strncmp(wt->v[i].workqueue, "loop", 4) ||
				       !strncmp(wt->v[i].site, "lo_", 3);
		}
	if (loop_frozen)
		mmt_sb_adds(sb, " A loop device's worker waits for write access to a frozen "
			    "filesystem: the one that holds its backing file. Its requests "
			    "cannot complete until that filesystem is thawed (fsfreeze -u); "
			    "find what froze it (a snapshot or backup tool) and why it did not "
			    "thaw.");
	else if (frozen)
		mmt_sb_adds(sb, " Tasks wait for write access to a frozen filesystem; if it "
			    "lies under the stalled device, thaw it (fsfreeze -u) and find "
			    "what froze it.");
	else if (s->origins & (1u << WB_BLOCK))
		mmt_sb_adds(sb, " The device does not complete its requests: look for I/O "
			    "errors and timeouts in the kernel log, /sys/block/DEV/inflight, "
			    "and what serves a loop, nbd or device-mapper device.");
	else
		mmt_sb_adds(sb, " Look at the device under the filesystem: errors and timeouts "
			    "in the kernel log, /sys/block/*/inflight.");
	if (!(s->origins & (1u << WB_BLOCK)))
		mmt_sb_adds(sb, " A trace of block:block_rq_issue, block:block_rq_complete and "
			    "writeback:* events would name the device that stopped completing.");
	if (!(s->origins & (1u << WB_VMSTAT)))
		mmt_sb_adds(sb, " A /proc/vmstat series (nr_writeback, nr_written) would time "
			    "the stall and its recovery exactly.");
	(void)ws;
}

static int sample_evidence(struct mmt_store *st, int64_t id, int *idx,
			   const struct wb_window *w, struct mmt_err *err)
{
	struct { double ts; int64_t kb; const char *what; } pts[] = {
		{ w->t_start, w->at_start, "at the start of the stall" },
		{ w->t_peak, w->peak, "at its peak" },
		{ w->t_end, w->at_end, "last stalled sample" },
		{ w->t_recovered, w->at_recovery, "draining again" },
	};
	const char *key = w->origin == WB_VMSTAT ? "nr_writeback" : "Writeback";

	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
		struct mmt_evidence e = { .kind = "sample", .source_id = w->source_id,
					  .ts = pts[i].ts, .has_ts = true };
		char text[160];

		if ((i == 3 && !w->recovered) || (i == 1 && (w->t_peak == w->t_start ||
							     w->t_peak == w->t_end)))
			continue;
		if (w->origin == WB_VMSTAT)
			snprintf(text, sizeof(text), "%s %lld (%lld kB), %s", key,
				 (long long)pts[i].kb / 4, (long long)pts[i].kb, pts[i].what);
		else
			snprintf(text, sizeof(text), "%s: %lld kB, %s", key,
				 (long long)pts[i].kb, pts[i].what);
		e.text = text;
		if (mmt_finding_evidence(st, id, (*idx)++, &e, err) < 0)
			return -1;
	}
	return 0;
}

static int block_evidence(struct mmt_store *st, int64_t id, int *idx,
			  const struct wb_window *w, struct mmt_err *err)
{
	struct mmt_evidence e = { .kind = "event", .source_id = w->source_id, .has_ts = true };
	char text[160];

	if (w->event_first) {
		snprintf(text, sizeof(text), "block_rq_issue to %s: the first request of the "
			 "stall", w->device);
		e.event_id = w->event_first;
		e.ts = w->t_start;
		e.text = text;
		if (mmt_finding_evidence(st, id, (*idx)++, &e, err) < 0)
			return -1;
	}
	if (w->event_last) {
		snprintf(text, sizeof(text), "block_rq_complete on %s after %.1f s without one",
			 w->device, w->t_end - w->t_start);
		e.event_id = w->event_last;
		e.ts = w->t_end;
		e.text = text;
		if (mmt_finding_evidence(st, id, (*idx)++, &e, err) < 0)
			return -1;
	}
	return 0;
}

static int waiter_evidence(struct mmt_store *st, int64_t id, int *idx,
			   const struct wb_waiters *ws, const struct stall *s, struct mmt_err *err)
{
	size_t quoted = 0;

	for (size_t i = 0; i < ws->n; i++) {
		const struct wb_waiter *w = &ws->v[i];
		bool fresh;

		if (!overlaps(w, s))
			continue;
		fresh = !seen_before(ws, i, s);
		if (mmt_finding_report(st, id, w->report, err) < 0 ||
		    (fresh && mmt_finding_subject(st, id, "task", w->pid, w->has_pid, w->comm,
						  err) < 0))
			return -1;
		if (!fresh || quoted >= QUOTED_TASKS)
			continue;
		quoted++;
		if (mmt_finding_line(st, id, (*idx)++, w->source,
				     w->hung ? w->line_start : w->task_line, w->report, err) < 0)
			return -1;
	}
	return 0;
}

static int add_evidence(struct mmt_store *st, int64_t id, const struct wb_windows *ws,
			const struct wb_waiters *wt, const struct stall *s, struct mmt_err *err)
{
	int idx = 0;

	for (size_t i = s->lo; i < s->hi; i++) {
		const struct wb_window *w = &ws->v[i];

		if ((w->origin == WB_VMSTAT || w->origin == WB_MEMINFO) &&
		    sample_evidence(st, id, &idx, w, err) < 0)
			return -1;
		if (w->origin == WB_BLOCK && block_evidence(st, id, &idx, w, err) < 0)
			return -1;
	}
	return waiter_evidence(st, id, &idx, wt, s, err);
}

static double stall_confidence(const struct stall *s, const struct wb_waiters *wt)
{
	double c = 0;
	int kinds = 0;
	bool waits = false;

	for (int o = 0; o < WB_NORIGINS; o++)
		if (s->origins & (1u << o)) {
			kinds++;
			if (origin_confidence[o] > c)
				c = origin_confidence[o];
		}
	for (size_t i = 0; i < wt->n; i++)
		waits |= overlaps(&wt->v[i], s) && !strcmp(wt->v[i].cls, "writeback_wait");
	c += kinds > 1 ? 0.1 : 0;
	c += waits && s->has_data ? 0.05 : 0;
	return c > 0.97 ? 0.97 : c;
}

static void summarize(const struct wb_windows *ws, const struct wb_waiters *wt,
		      const struct stall *s, const char *devices, struct mmt_finding *f)
{
	char a[40], b[40];

	mmt_time_str(s->start, a, sizeof(a));
	mmt_time_str(s->end, b, sizeof(b));
	mmt_sb_addf(&f->summary, "Pages under writeback stopped draining from %s to %s "
		    "(%.1f s)%s%s, seen in", a, b, s->end - s->start,
		    devices[0] ? " on " : "", devices);
	for (int o = 0, n = 0; o < WB_NORIGINS; o++)
		if (s->origins & (1u << o))
			mmt_sb_addf(&f->summary, "%s %s", n++ ? " and" : "", origin_names[o]);
	mmt_sb_adds(&f->summary, ".");
	for (size_t i = s->lo; i < s->hi; i++)
		describe_window(&ws->v[i], &f->summary);
	describe_waiters(wt, s, &f->summary);
	if (s->has_data && !s->recovered)
		mmt_sb_adds(&f->summary, " It had not recovered when the data ends.");
	else if (!s->has_data)
		mmt_sb_adds(&f->summary, " The log alone does not say when it recovered.");
	advise(ws, wt, s, &f->summary);
}

static int emit_stall(struct mmt_store *st, const struct wb_windows *ws,
		      const struct wb_waiters *wt, struct stall *s, struct mmt_err *err)
{
	struct mmt_sb devices = MMT_SB_INIT;
	struct devices names = { .n = 0 };
	struct mmt_finding f;
	double secs;
	bool critical;
	int64_t id;
	int rc = -1;

	stall_times(ws, s);
	count_waiters(wt, s);
	secs = s->end - s->start;
	if (secs < mmt_threshold("writeback.stall_secs") || (!s->has_data && !s->hung))
		return 0;
	critical = s->hung > 0 || secs >= mmt_threshold("writeback.critical_secs");
	device_names(ws, wt, s, &names);
	join_devices(&names, &devices);
	mmt_finding_init(&f, "writeback", "writeback_stall", critical ? "critical" : "warning");
	snprintf(f.title, sizeof(f.title), "Writeback stalled for %.0f s%s%s%s", secs,
		 mmt_sb_str(&devices)[0] ? " on " : "", mmt_sb_str(&devices),
		 !s->has_data ? "" : s->recovered ? ", then drained" : ", not recovered");
	summarize(ws, wt, s, mmt_sb_str(&devices), &f);
	f.t_start = s->start;
	f.t_end = s->end;
	f.has_t = true;
	f.confidence = stall_confidence(s, wt);
	f.score = critical ? 900 : 550;
	id = mmt_finding_add(st, &f, err);
	if (id < 0)
		goto out;
	for (size_t i = 0; i < names.n; i++)
		if (mmt_finding_subject(st, id, "device", 0, false, names.name[i], err) < 0)
			goto out;
	rc = add_evidence(st, id, ws, wt, s, err);
out:
	mmt_finding_free(&f);
	mmt_sb_free(&devices);
	return rc;
}

static int emit_single(struct mmt_store *st, const struct wb_window *w, struct mmt_err *err)
{
	struct mmt_evidence e = { .kind = "sample", .source_id = w->source_id, .ts = w->t_start,
				  .has_ts = w->t_start != 0 };
	struct mmt_finding f;
	char text[96], t[40];
	int64_t id;

	mmt_finding_init(&f, "writeback", "writeback_stall", "info");
	snprintf(f.title, sizeof(f.title), "%lld kB under writeback in a single snapshot",
		 (long long)w->at_start);
	mmt_time_str(w->t_start, t, sizeof(t));
	mmt_sb_addf(&f.summary, "One /proc/meminfo snapshot%s%s shows %lld kB under "
		    "writeback", e.has_ts ? " at " : "", e.has_ts ? t : "",
		    (long long)w->at_start);
	if (w->dirty_start >= 0)
		mmt_sb_addf(&f.summary, " and %lld kB dirty", (long long)w->dirty_start);
	mmt_sb_adds(&f.summary, ". One moment cannot tell a stall from an ordinary burst of "
		    "writeback: a series of /proc/vmstat (nr_writeback, nr_written) or "
		    "/proc/meminfo, or a trace of block:block_rq_issue/block_rq_complete and "
		    "writeback:* events, would show whether it drains.");
	if (e.has_ts)
		mmt_finding_time(&f, w->t_start);
	f.confidence = origin_confidence[WB_SINGLE];
	f.score = 150;
	id = mmt_finding_add(st, &f, err);
	mmt_finding_free(&f);
	if (id < 0)
		return -1;
	snprintf(text, sizeof(text), "Writeback: %lld kB", (long long)w->at_start);
	e.text = text;
	return mmt_finding_evidence(st, id, 0, &e, err);
}

/* A single snapshot inside a stall found otherwise adds nothing. */
static bool inside_stall(const struct wb_windows *ws, size_t nstalled, const struct wb_window *w)
{
	for (size_t i = 0; i < nstalled; i++)
		if (w->t_start >= ws->v[i].t_start - SLACK_SECS &&
		    w->t_start <= reach(&ws->v[i]) + SLACK_SECS)
			return true;
	return false;
}

static int emit_all(struct mmt_store *st, struct wb_windows *ws, const struct wb_waiters *wt,
		    struct mmt_err *err)
{
	size_t n = 0, i = 0;

	if (ws->n)
		qsort(ws->v, ws->n, sizeof(*ws->v), by_start);
	while (n < ws->n && ws->v[n].origin != WB_SINGLE)
		n++;
	while (i < n) {
		struct stall s = { .lo = i };
		double until = reach(&ws->v[i]);

		for (i++; i < n && ws->v[i].t_start <= until + SLACK_SECS; i++)
			if (reach(&ws->v[i]) > until)
				until = reach(&ws->v[i]);
		s.hi = i;
		if (emit_stall(st, ws, wt, &s, err) < 0)
			return -1;
	}
	for (i = n; i < ws->n; i++)
		if (!inside_stall(ws, n, &ws->v[i]) && emit_single(st, &ws->v[i], err) < 0)
			return -1;
	return 0;
}

static int run(struct mmt_store *st, struct mmt_err *err)
{
	struct wb_windows ws = { 0 };
	struct wb_waiters wt = { 0 };
	int rc = -1;

	if (wb_find_series(st, &ws, err) < 0 || wb_find_block(st, &ws, err) < 0 ||
	    wb_load_waiters(st, &wt, &ws, err) < 0)
		goto out;
	rc = emit_all(st, &ws, &wt, err);
out:
	free(ws.v);
	free(wt.v);
	return rc;
}

const struct mmt_analyzer mmt_analyzer_writeback = {
	.name = "writeback",
	.help = "pages under writeback that stop draining (writeback_stall findings)",
	.run = run,
	.thresholds = writeback_thresholds,
};
