/*
 * Blocked tasks, grouped by what they wait for: every task the hung-task
 * detector reported, and every task in uninterruptible sleep (D) in a
 * SysRq dump or crash backtrace, grouped by (wait class, wait site) into
 * one hung_tasks finding per group, with the log lines it rests on. Then
 * what the waits add up to (waits.h): deadlocks, livelocks, reclaim
 * recursion and CPU-hotplug deadlocks.
 */
#include "analyzers/waits.h"
#include "core/stack.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVIDENCE_TASKS 8	/* tasks whose lines are quoted per finding */
#define NAMED_TASKS 6		/* tasks named in a summary */

static const char sql_blocked[] =
	"SELECT report_id, pid, comm, wait_class, ifnull(wait_site, ''), "
	"ifnull(culprit, ''), in_reclaim, report_kind, source_id, line_start, " MMT_REPORT_TS("") ", "
	"blocked_secs, lock_owner_pid, lock_owner_comm, lock_type, line "
	"FROM blocked_tasks ORDER BY wait_class, wait_site, t, id";

struct blocked {
	int64_t report, pid, source, line_start, task_line, secs, owner_pid;
	bool has_pid, has_t, has_secs, has_owner, hung, reclaim;
	double t;
	char comm[64], cls[32], site[128], culprit[160], owner_comm[64], lock_type[24];
};

/*
 * A group being read: its finding is inserted when the group starts and
 * completed when it ends, so that memory does not grow with the number of
 * reports (a log may repeat the same hung task thousands of times).
 */
struct group {
	int64_t id;
	struct blocked first;
	struct mmt_finding f;
	struct mmt_sb names;
	char owner[256];
	uint64_t *seen;		/* open-addressing set of task keys */
	size_t seen_cap, tasks;
	size_t named, quoted, hung, reclaim;
	int64_t longest;
	int idx;
};

static void read_row(sqlite3_stmt *q, struct blocked *b)
{
	memset(b, 0, sizeof(*b));
	b->report = sqlite3_column_int64(q, 0);
	b->has_pid = !mmt_col_null(q, 1);
	b->pid = sqlite3_column_int64(q, 1);
	snprintf(b->comm, sizeof(b->comm), "%s", mmt_col_text(q, 2));
	snprintf(b->cls, sizeof(b->cls), "%s", mmt_col_text(q, 3));
	snprintf(b->site, sizeof(b->site), "%s", mmt_col_text(q, 4));
	snprintf(b->culprit, sizeof(b->culprit), "%s", mmt_col_text(q, 5));
	b->reclaim = sqlite3_column_int(q, 6) != 0;
	b->hung = !strcmp(mmt_col_text(q, 7), "hung_task");
	b->source = sqlite3_column_int64(q, 8);
	b->line_start = sqlite3_column_int64(q, 9);
	b->has_t = !mmt_col_null(q, 10);
	b->t = sqlite3_column_double(q, 10);
	b->has_secs = !mmt_col_null(q, 11);
	b->secs = sqlite3_column_int64(q, 11);
	b->has_owner = !mmt_col_null(q, 12);
	b->owner_pid = sqlite3_column_int64(q, 12);
	snprintf(b->owner_comm, sizeof(b->owner_comm), "%s", mmt_col_text(q, 13));
	snprintf(b->lock_type, sizeof(b->lock_type), "%s", mmt_col_text(q, 14));
	b->task_line = sqlite3_column_int64(q, 15);
}

static uint64_t task_key(const struct blocked *b)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)b->pid;

	for (const char *c = b->comm; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	return h | 1;	/* 0 marks an empty slot */
}

/* Adds the task to the group's set; false when it was there (reported again). */
static bool first_time(struct group *g, const struct blocked *b)
{
	uint64_t key = task_key(b);
	size_t i;

	if (2 * (g->tasks + 1) > g->seen_cap) {
		uint64_t *old = g->seen;
		size_t oldcap = g->seen_cap;

		g->seen_cap = oldcap ? oldcap * 2 : 64;
		g->seen = xcalloc(g->seen_cap, sizeof(*g->seen));
		g->tasks = 0;
		for (size_t k = 0; k < oldcap; k++)
			if (old[k]) {
				for (i = old[k] % g->seen_cap; g->seen[i]; i = (i + 1) % g->seen_cap)
					;
				g->seen[i] = old[k];
				g->tasks++;
			}
		free(old);
	}
	for (i = key % g->seen_cap; g->seen[i]; i = (i + 1) % g->seen_cap)
		if (g->seen[i] == key)
			return false;
	g->seen[i] = key;
	g->tasks++;
	return true;
}

static int begin_group(struct mmt_store *st, struct group *g, const struct blocked *b,
		       struct mmt_err *err)
{
	memset(g, 0, sizeof(*g));
	g->first = *b;
	mmt_finding_init(&g->f, "waits", "hung_tasks", "warning");
	snprintf(g->f.title, sizeof(g->f.title), "blocked in %s", b->cls);
	g->id = mmt_finding_add(st, &g->f, err);
	return g->id < 0 ? -1 : 0;
}

static int quote(struct mmt_store *st, struct group *g, const struct blocked *b,
		 struct mmt_err *err)
{
	if (g->quoted >= EVIDENCE_TASKS)
		return 0;
	g->quoted++;
	if (mmt_finding_line(st, g->id, g->idx++, b->source,
			     b->hung ? b->line_start : b->task_line, b->report, err) < 0)
		return -1;
	if (b->site[0] && waits_frame_evidence(st, g->id, g->idx++, b->report,
						b->task_line, b->site, err) < 0)
		return -1;
	return 0;
}

static void note_owner(struct group *g, const struct blocked *b)
{
	if (!b->has_owner || g->owner[0])
		return;
	snprintf(g->owner, sizeof(g->owner), " The kernel names %s:%lld as the likely "
		 "owner of the %s %s:%lld waits for.", b->owner_comm,
		 (long long)b->owner_pid, b->lock_type[0] ? b->lock_type : "lock",
		 b->comm, (long long)b->pid);
}

static int add_row(struct mmt_store *st, struct group *g, const struct blocked *b,
		   struct mmt_err *err)
{
	bool fresh = first_time(g, b);

	if (mmt_finding_report(st, g->id, b->report, err) < 0)
		return -1;
	if (b->has_secs && b->secs > g->longest)
		g->longest = b->secs;
	g->reclaim += b->reclaim;
	g->hung += b->hung;
	if (b->has_t)
		mmt_finding_time(&g->f, b->t);
	note_owner(g, b);
	if (!fresh)
		return 0;
	if (g->named < NAMED_TASKS)
		mmt_sb_addf(&g->names, "%s%s:%lld", g->named++ ? ", " : "", b->comm,
			    (long long)b->pid);
	if (mmt_finding_subject(st, g->id, "task", b->pid, b->has_pid, b->comm, err) < 0)
		return -1;
	return quote(st, g, b, err);
}

static void summarize(struct group *g)
{
	const struct blocked *first = &g->first;
	struct mmt_sb *sb = &g->f.summary;

	mmt_sb_adds(sb, mmt_sb_str(&g->names));
	if (g->tasks > g->named)
		mmt_sb_addf(sb, " and %zu more", g->tasks - g->named);
	mmt_sb_addf(sb, " %s%s", g->tasks > 1 ? "each " : "",
		    stackrules_class_meaning(first->cls));
	if (first->site[0])
		mmt_sb_addf(sb, ", sleeping at %s", first->site);
	if (first->culprit[0] && strcmp(first->culprit, first->site))
		mmt_sb_addf(sb, " (called from %s)", first->culprit);
	mmt_sb_adds(sb, ".");
	if (g->hung)
		mmt_sb_addf(sb, " The hung-task detector reported %s %zu time%s",
			    g->tasks > 1 ? "them" : "it", g->hung, g->hung > 1 ? "s" : "");
	if (g->hung && g->longest)
		mmt_sb_addf(sb, ", blocked for more than %lld s", (long long)g->longest);
	if (g->hung)
		mmt_sb_adds(sb, ".");
	if (g->reclaim)
		mmt_sb_addf(sb, " %zu of the stacks run through memory reclaim.", g->reclaim);
	mmt_sb_adds(sb, g->owner);
}

static int end_group(struct mmt_store *st, struct group *g, struct mmt_err *err)
{
	const struct blocked *first = &g->first;
	int rc;

	snprintf(g->f.title, sizeof(g->f.title), "%zu task%s blocked in %s%s%s",
		 g->tasks, g->tasks > 1 ? "s" : "", first->cls,
		 first->site[0] ? " at " : "", first->site);
	summarize(g);
	g->f.severity = g->hung ? "critical" : "warning";
	g->f.score = (g->hung ? 1000 : 500) + (int)g->tasks * 10;
	rc = mmt_finding_complete(st, g->id, &g->f, err);
	mmt_finding_free(&g->f);
	mmt_sb_free(&g->names);
	free(g->seen);
	return rc;
}

static bool same_group(const struct blocked *a, const struct blocked *b)
{
	return !strcmp(a->cls, b->cls) && !strcmp(a->site, b->site);
}

static int hung_tasks(struct mmt_store *st, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_blocked, err);
	struct group g;
	bool open = false;
	struct blocked b;
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		read_row(q, &b);
		if (open && !same_group(&g.first, &b)) {
			open = false;
			if (end_group(st, &g, err) < 0)
				break;
		}
		if (!open && begin_group(st, &g, &b, err) < 0)
			break;
		open = true;
		if (add_row(st, &g, &b, err) < 0)
			break;
	}
	if (rc > 0)
		rc = -1;
	if (open && end_group(st, &g, err) < 0)
		rc = -1;
	sqlite3_finalize(q);
	return rc;
}

int waits_frame_evidence(struct mmt_store *st, int64_t finding, int idx, int64_t report,
			 int64_t from_line, const char *sym, struct mmt_err *err)
{
	char needle[MMT_SYM_MAX + 2];

	snprintf(needle, sizeof(needle), " %s", sym);
	return mmt_finding_frame_line(st, finding, idx, report, from_line, needle, err);
}

bool waits_sym_match(const char *sym, const char *pattern)
{
	size_t n = strlen(pattern);

	if (n && pattern[n - 1] == '*')
		return !strncmp(sym, pattern, n - 1);
	return !strcmp(sym, pattern);
}

int waits_stack_load(struct mmt_store *st, int64_t stack_id, struct waits_stack *out,
		     struct mmt_err *err)
{
	struct stack_view v;

	memset(out, 0, sizeof(*out));
	if (mmt_stack_load(st, stack_id, &out->s, err) < 0) {
		mmt_stack_unload(&out->s);
		return -1;
	}
	v.sym = (const char *const *)out->s.sym;
	v.reliable = out->s.reliable;
	v.n = out->s.n;
	v.src = (const char *const *)out->s.src;
	stackrules_classify(&v, &out->w);
	return 0;
}

void waits_stack_unload(struct waits_stack *ws)
{
	mmt_stack_unload(&ws->s);
}

int waits_stack_find(const struct waits_stack *ws, const char *const *patterns, size_t from)
{
	for (size_t i = from; i < ws->s.n; i++) {
		if (!ws->s.reliable[i])
			continue;
		for (const char *const *p = patterns; *p; p++)
			if (waits_sym_match(ws->s.sym[i], *p))
				return (int)i;
	}
	return -1;
}

/* Function prefixes of filesystems (and of their journals). */
static const struct { const char *prefix, *fs; } fs_prefixes[] = {
	{ "xfs_", "xfs" }, { "xlog_", "xfs" }, { "ext4_", "ext4" }, { "ext3_", "ext3" },
	{ "ext2_", "ext2" }, { "jbd2_", "ext4" }, { "btrfs_", "btrfs" }, { "f2fs_", "f2fs" },
	{ "nfs_", "nfs" }, { "nfs4_", "nfs" }, { "ceph_", "ceph" }, { "fuse_", "fuse" },
	{ "ocfs2_", "ocfs2" }, { "gfs2_", "gfs2" }, { "reiserfs_", "reiserfs" },
	{ "zfs_", "zfs" }, { "zpl_", "zfs" }, { "bch2_", "bcachefs" }, { "nilfs_", "nilfs2" },
	{ "udf_", "udf" }, { "fat_", "fat" }, { "vfat_", "fat" }, { "ntfs_", "ntfs" },
	{ "ntfs3_", "ntfs" }, { "cifs_", "cifs" }, { "smb2_", "cifs" }, { "erofs_", "erofs" },
	{ "squashfs_", "squashfs" }, { "hfsplus_", "hfsplus" }, { "jfs_", "jfs" },
	{ "__xfs_", "xfs" }, { "__ext4_", "ext4" }, { "__btrfs_", "btrfs" },
};

const char *waits_fs_of(const char *sym)
{
	for (size_t i = 0; i < sizeof(fs_prefixes) / sizeof(fs_prefixes[0]); i++)
		if (!strncmp(sym, fs_prefixes[i].prefix, strlen(fs_prefixes[i].prefix)))
			return fs_prefixes[i].fs;
	return NULL;
}

static int run(struct mmt_store *st, struct mmt_err *err)
{
	if (hung_tasks(st, err) < 0 || waits_deadlocks(st, err) < 0 ||
	    waits_livelocks(st, err) < 0 || waits_reclaim_recursion(st, err) < 0 ||
	    waits_hotplug(st, err) < 0)
		return -1;
	return 0;
}

static const struct mmt_threshold waits_thresholds[] = {
	{ "waits.livelock_min_repeats", 3, "count",
	  "retry messages of one allocation site (or failures of one task at one site) "
	  "that make a livelock" },
	{ "waits.livelock_max_cadence_jitter", 0.5, "ratio",
	  "(longest - shortest gap) / mean gap between retries at or under which the "
	  "cadence counts as steady (a loop that makes no progress)" },
	{ "waits.livelock_min_stalls", 2, "count",
	  "CPU-stall reports (soft lockup, RCU stall) whose stack loops in reclaim or "
	  "the allocator's slow path that make a livelock" },
	{ "waits.livelock_context_secs", 600, "s",
	  "distance from the livelock's window within which tasks blocked in reclaim "
	  "or allocation make it critical" },
	{ "waits.deadlock_max_cycles", 8, "count",
	  "wait-for cycles reported per set of blocked tasks (one hung-task round, one dump)" },
	{ "waits.hotplug_min_waiters", 1, "count",
	  "tasks waiting for the CPU-hotplug lock needed for a cpu_hotplug_deadlock" },
	{ NULL, 0, NULL, NULL },
};

const struct mmt_analyzer mmt_analyzer_waits = {
	.name = "waits",
	.help = "blocked tasks grouped by what they wait for (hung_tasks), and the deadlocks, "
		"livelocks, reclaim recursion and CPU-hotplug deadlocks they show",
	.run = run,
	.thresholds = waits_thresholds,
};
