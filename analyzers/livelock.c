/*
 * Livelocks in reclaim and allocation: tasks that keep retrying without
 * progress. Two kinds of evidence, each grouped into livelock findings:
 *  - retry messages of one allocation site at a steady cadence: a
 *    filesystem's "possible memory allocation deadlock" (XFS prints it
 *    every 100 failed attempts of an allocation it may not fail), or one
 *    task failing the same allocation again and again;
 *  - CPU stalls (soft lockups, RCU stalls) whose stacks loop in reclaim,
 *    in swap-slot allocation or in the allocator's slow path, not merely
 *    printing an allocation-failure warning.
 * Tasks blocked in reclaim or allocation near the window make it critical.
 */
#include "analyzers/waits.h"
#include "core/gfp.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTED 6

/* Retries: fs_alloc_retry by site and mask; failures by task, site and mask. */
static const char sql_retries[] =
	"SELECT r.id, r.source_id, r.line_start, r.t + ifnull(s.t_offset, 0), r.kind, "
	"ifnull(r.detail, ''), ifnull(r.ip, ifnull(r.culprit, '')), r.gfp_mask, r.gfp_names, "
	"ifnull(r.kernel, s.kernel), r.pid, ifnull(r.comm, ''), "
	"r.kind || '|' || ifnull(r.detail, '') || '|' || ifnull(r.ip, ifnull(r.culprit, '')) || "
	"'|' || ifnull(r.gfp_mask, '') || '|' || "
	"CASE r.kind WHEN 'alloc_failure' THEN ifnull(r.pid, '') || ifnull(r.comm, '') ELSE '' END "
	"FROM reports r JOIN sources s ON s.id = r.source_id "
	"WHERE r.kind IN ('fs_alloc_retry', 'alloc_failure') ORDER BY 13, 4, r.id";

enum { C_ID, C_SRC, C_LINE, C_T, C_KIND, C_DETAIL, C_SITE, C_MASK, C_NAMES, C_KERNEL,
       C_PID, C_COMM, C_KEY };

static const char sql_stalls[] =
	"SELECT r.id, r.source_id, r.line_start, r.t + ifnull(s.t_offset, 0), r.kind, "
	"r.stack_id, ifnull(r.comm, ''), r.pid, r.cpu FROM reports r "
	"JOIN sources s ON s.id = r.source_id "
	"WHERE r.kind IN ('soft_lockup', 'hard_lockup', 'rcu_stall') ORDER BY 4, r.id";

static const char sql_stall_tasks[] =
	"SELECT stack_id, ifnull(comm, ''), pid, line FROM tasks WHERE report_id = ? "
	"AND stack_id IS NOT NULL AND role IN ('subject', 'cpu_backtrace')";

/* Blocked tasks in reclaim or allocation, as the critical condition. */
static const char sql_blocked_in_reclaim[] =
	"SELECT count(DISTINCT ifnull(pid, id)) FROM blocked_tasks WHERE "
	"(in_reclaim = 1 OR wait_class IN ('alloc_retry', 'reclaim_throttle', "
	"'direct_reclaim', 'swap_alloc', 'compaction', 'mempool')) AND "
	"(t IS NULL OR (t >= ? AND t <= ?))";

/* Frames of a CPU that loops in reclaim or allocation. */
static const char *const loop_frames[] = {
	"try_to_free_pages", "try_to_free_mem_cgroup_pages", "do_try_to_free_pages",
	"shrink_node*", "shrink_zone*", "shrink_slab*", "do_shrink_slab", "shrink_lruvec",
	"shrink_inactive_list", "shrink_active_list", "shrink_folio_list",
	"shrink_page_list", "balance_pgdat", "get_swap_pages", "get_swap_page*",
	"scan_swap_map*", "cluster_alloc_swap_entry", "folio_alloc_swap",
	"__alloc_pages_slowpath*", "should_reclaim_retry", "__alloc_pages_direct_compact",
	"compact_zone*", NULL
};

/* A stall inside these is the console printing a warning, not a loop. */
static const char *const printing_frames[] = {
	"warn_alloc*", "dump_stack*", "show_mem", "__show_mem", "show_free_areas",
	"printk", "vprintk*", "console_unlock", NULL
};

/* What a group of retries is about; its count and times are in run. */
struct retry_group {
	char kind[24], site[128], detail[64], comm[64], mask[24], names[256];
	char kernel[64];
	int64_t pid;
	bool has_pid, has_mask, has_names, has_kernel;
	int64_t ev_report[QUOTED], ev_source[QUOTED], ev_line[QUOTED];
	size_t nev;
	const struct mmt_group *run;
};

static void gfp_context(const struct retry_group *g, char *flags, size_t fn, char *ctx,
			size_t cn)
{
	struct mmt_gfp_decoded d;
	uint64_t mask = strtoull(g->mask, NULL, 16);

	memset(&d, 0, sizeof(d));
	flags[0] = ctx[0] = '\0';
	if (!g->has_mask)
		return;
	if (g->has_names)
		mmt_gfp_from_names(mask, g->names, &d);
	else
		mmt_gfp_decode(mask, g->has_kernel ? g->kernel : NULL, &d);
	if (!d.known) /* a retry loop: the allocation reclaims */
		mmt_gfp_decode_io_fs(mask, &d);
	snprintf(flags, fn, "%s", d.flags);
	snprintf(ctx, cn, "%s", mmt_gfp_context_name(d.context) ?
		 mmt_gfp_context_name(d.context) : "");
}

static double jitter(const struct retry_group *g)
{
	double mean;

	if (g->run->count < 3 || !g->run->has_t || g->run->t_last <= g->run->t_first)
		return 0;
	mean = (g->run->t_last - g->run->t_first) / (double)(g->run->count - 1);
	return (g->run->gap_max - g->run->gap_min) / mean;
}

static int64_t blocked_near(struct mmt_store *st, double from, double to, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_blocked_in_reclaim, err);
	double ctx = mmt_threshold("waits.livelock_context_secs");
	int64_t n = 0;

	if (!q)
		return -1;
	sqlite3_bind_double(q, 1, from - ctx);
	sqlite3_bind_double(q, 2, to + ctx);
	if (mmt_store_step(st, q, err) > 0)
		n = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return n;
}

static void retry_summary(struct mmt_sb *sb, const struct retry_group *g, double jit,
			  int64_t blocked)
{
	char flags[512], ctx[16];

	gfp_context(g, flags, sizeof(flags), ctx, sizeof(ctx));
	if (!strcmp(g->kind, "fs_alloc_retry"))
		mmt_sb_addf(sb, "%s reported %zu times that it keeps retrying an allocation in "
			    "%s (\"possible memory allocation deadlock\")", g->detail[0] ?
			    g->detail : "A filesystem", g->run->count, g->site[0] ? g->site : "?");
	else
		mmt_sb_addf(sb, "%s:%lld failed the same allocation in %s %zu times", g->comm,
			    (long long)g->pid, g->site[0] ? g->site : "?", g->run->count);
	if (g->has_pid && !strcmp(g->kind, "fs_alloc_retry"))
		mmt_sb_addf(sb, ", in %s:%lld", g->comm, (long long)g->pid);
	if (g->run->has_t)
		mmt_sb_addf(sb, ", over %.0f s, about every %.1f s (%.1f to %.1f s apart, %s)",
			    g->run->t_last - g->run->t_first,
			    (g->run->t_last - g->run->t_first) / (double)(g->run->count - 1), g->run->gap_min,
			    g->run->gap_max, jit <= mmt_threshold("waits.livelock_max_cadence_jitter") ?
			    "a steady cadence: the loop makes no progress" : "an irregular cadence");
	mmt_sb_adds(sb, ".");
	if (g->has_mask)
		mmt_sb_addf(sb, " GFP mask %s%s%s%s.", g->mask, flags[0] ? " (" : "", flags,
			    flags[0] ? ")" : "");
	if (!strcmp(ctx, "nofs") || !strcmp(ctx, "noio"))
		mmt_sb_addf(sb, " The allocation is %s: reclaim may not call into filesystems%s, "
			    "so with little clean page cache left it frees nothing, and the retry "
			    "loop spins while the filesystem holds its locks.", ctx,
			    !strcmp(ctx, "noio") ? " or start I/O" : "");
	if (blocked > 0)
		mmt_sb_addf(sb, " %lld task%s %s blocked in reclaim or allocation meanwhile.",
			    (long long)blocked, blocked > 1 ? "s" : "", blocked > 1 ? "are" : "is");
	mmt_sb_adds(sb, " Find what holds the memory (slab caches, unreclaimable or dirty "
		    "pages in /proc/meminfo, slabinfo) and, for a high-order request, the "
		    "fragmentation (buddyinfo); a trace of mm_vmscan_* events over the window "
		    "shows whether reclaim scans without freeing.");
}

static int retry_finding(struct mmt_store *st, struct retry_group *g, struct mmt_err *err)
{
	double jit = jitter(g);
	int64_t blocked = g->run->has_t ? blocked_near(st, g->run->t_first, g->run->t_last, err) : 0;
	struct mmt_finding f;
	int64_t id;
	int rc = 0;

	if (blocked < 0)
		return -1;
	mmt_finding_init(&f, "waits", "livelock", blocked > 0 ? "critical" : "warning");
	snprintf(f.title, sizeof(f.title), "livelock: %zu %s in %.80s%s", g->run->count,
		 strcmp(g->kind, "fs_alloc_retry") ? "allocation failures" :
		 "allocation retries", g->site[0] ? g->site : "?",
		 jit <= mmt_threshold("waits.livelock_max_cadence_jitter") ? " at a steady cadence" : "");
	retry_summary(&f.summary, g, jit, blocked);
	if (g->run->has_t) {
		mmt_finding_time(&f, g->run->t_first);
		mmt_finding_time(&f, g->run->t_last);
	}
	f.confidence = jit <= mmt_threshold("waits.livelock_max_cadence_jitter") ? 0.8 : 0.6;
	f.score = blocked > 0 ? 900 : 600;
	id = mmt_finding_add(st, &f, err);
	if (id < 0)
		rc = -1;
	if (rc == 0 && g->has_pid)
		rc = mmt_finding_subject(st, id, "task", g->pid, true, g->comm, err);
	for (size_t i = 0; rc == 0 && i < g->nev; i++)
		rc = mmt_finding_report(st, id, g->ev_report[i], err) < 0 ||
		     mmt_finding_line(st, id, (int)i, g->ev_source[i], g->ev_line[i],
				      g->ev_report[i], err) < 0 ? -1 : 0;
	mmt_finding_free(&f);
	return rc;
}

static int start_group(struct mmt_store *st, sqlite3_stmt *q, struct mmt_group *run,
		       struct mmt_err *err)
{
	struct retry_group *g = run->ctx;

	(void)st, (void)err;
	memset(g, 0, sizeof(*g));
	g->run = run;
	snprintf(g->kind, sizeof(g->kind), "%s", mmt_col_text(q, C_KIND));
	snprintf(g->detail, sizeof(g->detail), "%s", mmt_col_text(q, C_DETAIL));
	snprintf(g->site, sizeof(g->site), "%s", mmt_col_text(q, C_SITE));
	snprintf(g->comm, sizeof(g->comm), "%s", mmt_col_text(q, C_COMM));
	g->has_mask = !mmt_col_null(q, C_MASK);
	snprintf(g->mask, sizeof(g->mask), "%s", mmt_col_text(q, C_MASK));
	g->has_names = !mmt_col_null(q, C_NAMES);
	snprintf(g->names, sizeof(g->names), "%s", mmt_col_text(q, C_NAMES));
	g->has_kernel = !mmt_col_null(q, C_KERNEL);
	snprintf(g->kernel, sizeof(g->kernel), "%s", mmt_col_text(q, C_KERNEL));
	g->has_pid = !mmt_col_null(q, C_PID);
	g->pid = sqlite3_column_int64(q, C_PID);
	return 0;
}

static int add_row(struct mmt_store *st, sqlite3_stmt *q, struct mmt_group *run,
		   struct mmt_err *err)
{
	struct retry_group *g = run->ctx;
	/* The first reports, and the latest in the last slot. */
	size_t slot = g->nev < QUOTED ? g->nev++ : QUOTED - 1;

	(void)st, (void)err;
	g->ev_report[slot] = sqlite3_column_int64(q, C_ID);
	g->ev_source[slot] = sqlite3_column_int64(q, C_SRC);
	g->ev_line[slot] = sqlite3_column_int64(q, C_LINE);
	return 0;
}

static int end_group(struct mmt_store *st, sqlite3_stmt *q, struct mmt_group *run,
		     struct mmt_err *err)
{
	struct retry_group *g = run->ctx;

	(void)q;
	if (!run->count || run->count < (size_t)mmt_threshold("waits.livelock_min_repeats"))
		return 0;
	/* One task failing one allocation repeatedly only counts with a time to measure. */
	if (!strcmp(g->kind, "alloc_failure") && (!g->has_pid || !run->has_t))
		return 0;
	return retry_finding(st, g, err);
}

/* Retries grouped by site, mask (and task, for failures), in time order. */
static int retry_livelocks(struct mmt_store *st, struct mmt_err *err)
{
	struct retry_group *g = xcalloc(1, sizeof(*g));
	int rc = mmt_group_rows(st, sql_retries, C_KEY, C_T, start_group, add_row, end_group,
				g, err);

	free(g);
	return rc < 0 ? -1 : 0;
}

struct stall {
	int64_t report, source, line, pid;
	bool has_pid;
	double t;
	bool has_t;
	char comm[64], frame[128];
};

/* The loop frame of a stack, when it loops in reclaim or allocation. */
static int looping_frame(struct mmt_store *st, int64_t stack_id, char *frame, size_t n,
			 struct mmt_err *err)
{
	struct waits_stack ws;
	int i;

	if (waits_stack_load(st, stack_id, &ws, err) < 0)
		return -1;
	i = waits_stack_find(&ws, loop_frames, 0);
	if (i >= 0 && waits_stack_find(&ws, printing_frames, 0) < 0)
		snprintf(frame, n, "%s", ws.s.sym[i]);
	waits_stack_unload(&ws);
	return 0;
}

static int stall_frame(struct mmt_store *st, sqlite3_stmt *row, struct stall *s,
		       struct mmt_err *err)
{
	sqlite3_stmt *q;
	int rc;

	s->frame[0] = '\0';
	if (!mmt_col_null(row, 5) &&
	    looping_frame(st, sqlite3_column_int64(row, 5), s->frame, sizeof(s->frame), err) < 0)
		return -1;
	if (s->frame[0])
		return 0;
	q = mmt_store_stmt(st, sql_stall_tasks, err);
	if (!q)
		return -1;
	mmt_bind_int(q, 1, s->report);
	while (!s->frame[0] && (rc = mmt_store_step(st, q, err)) > 0) {
		int64_t stack = sqlite3_column_int64(q, 0);

		snprintf(s->comm, sizeof(s->comm), "%s", mmt_col_text(q, 1));
		s->has_pid = !mmt_col_null(q, 2);
		s->pid = sqlite3_column_int64(q, 2);
		s->line = sqlite3_column_int64(q, 3);
		if (looping_frame(st, stack, s->frame, sizeof(s->frame), err) < 0)
			return -1;
	}
	sqlite3_reset(q);
	return rc < 0 ? -1 : 0;
}

static int stall_finding(struct mmt_store *st, const struct stall *s, size_t n,
			 struct mmt_err *err)
{
	double t0 = 0, t1 = 0;
	bool has_t = false;
	struct mmt_finding f;
	int64_t id, blocked;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i].has_t) {
			t0 = has_t ? fmin(t0, s[i].t) : s[i].t;
			t1 = has_t ? fmax(t1, s[i].t) : s[i].t;
			has_t = true;
		}
	blocked = has_t ? blocked_near(st, t0, t1, err) : 0;
	if (blocked < 0)
		return -1;
	mmt_finding_init(&f, "waits", "livelock", blocked > 0 ? "critical" : "warning");
	snprintf(f.title, sizeof(f.title), "livelock: %zu CPU stalls looping in reclaim or "
		 "allocation (%.60s)", n, s[0].frame);
	mmt_sb_addf(&f.summary, "%zu CPU-stall reports (soft lockups, RCU stalls) show CPUs "
		    "spinning in reclaim or the allocator's slow path: ", n);
	for (size_t i = 0; i < n && i < 4; i++)
		mmt_sb_addf(&f.summary, "%s%s:%lld in %s", i ? ", " : "", s[i].comm,
			    (long long)s[i].pid, s[i].frame);
	if (n > 4)
		mmt_sb_addf(&f.summary, " and %zu more", n - 4);
	if (has_t)
		mmt_sb_addf(&f.summary, ", over %.0f s", t1 - t0);
	mmt_sb_adds(&f.summary, ". CPU time goes into scanning without freeing enough to "
		    "satisfy the allocations.");
	if (blocked > 0)
		mmt_sb_addf(&f.summary, " %lld task%s blocked in reclaim or allocation "
			    "meanwhile.", (long long)blocked, blocked > 1 ? "s are" : " is");
	mmt_sb_adds(&f.summary, " Check whether vmstat's pgscan rises while pgsteal stays flat "
		    "(reclaim without progress), which shrinker or LRU the stacks loop in, "
		    "and the swap state if they loop in swap-slot allocation.");
	if (has_t) {
		mmt_finding_time(&f, t0);
		mmt_finding_time(&f, t1);
	}
	f.confidence = blocked > 0 ? 0.7 : 0.6;
	f.score = blocked > 0 ? 880 : 550;
	id = mmt_finding_add(st, &f, err);
	if (id < 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = mmt_finding_report(st, id, s[i].report, err) < 0 ? -1 : 0;
		if (rc == 0 && s[i].has_pid)
			rc = mmt_finding_subject(st, id, "task", s[i].pid, true, s[i].comm, err);
		if (rc == 0 && i < QUOTED)
			rc = mmt_finding_line(st, id, (int)i * 2, s[i].source, s[i].line,
					      s[i].report, err) < 0 ||
			     waits_frame_evidence(st, id, (int)i * 2 + 1, s[i].report, s[i].line,
						    s[i].frame, err) < 0 ? -1 : 0;
	}
	mmt_finding_free(&f);
	return rc;
}

static int stall_livelocks(struct mmt_store *st, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_stalls, err);
	struct stall *s = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct stall one = { 0 };

		one.report = sqlite3_column_int64(q, 0);
		one.source = sqlite3_column_int64(q, 1);
		one.line = sqlite3_column_int64(q, 2);
		one.has_t = !mmt_col_null(q, 3);
		one.t = sqlite3_column_double(q, 3);
		snprintf(one.comm, sizeof(one.comm), "%s", mmt_col_text(q, 6));
		one.has_pid = !mmt_col_null(q, 7);
		one.pid = sqlite3_column_int64(q, 7);
		if (stall_frame(st, q, &one, err) < 0) {
			rc = -1;
			break;
		}
		if (!one.frame[0])
			continue;
		xgrow((void **)&s, &cap, n + 1, sizeof(*s));
		s[n++] = one;
	}
	sqlite3_finalize(q);
	if (rc == 0 && n && n >= (size_t)mmt_threshold("waits.livelock_min_stalls"))
		rc = stall_finding(st, s, n, err);
	free(s);
	return rc < 0 ? -1 : 0;
}

int waits_livelocks(struct mmt_store *st, struct mmt_err *err)
{
	if (retry_livelocks(st, err) < 0)
		return -1;
	return stall_livelocks(st, err);
}
