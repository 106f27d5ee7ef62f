/*
 * The diagnosis: which hang this is. The five classes of memory-pressure
 * hang are checked first, most specific signals first; then a block
 * device whose own worker is blocked; then what most blocked tasks wait
 * for; then stalled CPUs, OOM kills and crashes. The verdict is a
 * paragraph that says what happened, what it rests on and where to look.
 */
#include "analyzers/analyzer.h"
#include "analyzers/stackrules.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char sql_insert[] =
	"INSERT INTO diagnosis (id, hang_class, verdict, analyzed_at) VALUES (1, ?, ?, ?)";
static const char sql_rank[] =
	"INSERT INTO diagnosis_findings (rank, finding_id) "
	"SELECT row_number() OVER (ORDER BY score DESC, id), id FROM findings "
	"WHERE severity != 'info' ORDER BY score DESC, id LIMIT 8";
static const char sql_top[] =
	"SELECT kind, title, summary FROM findings WHERE kind != 'hung_tasks' "
	"ORDER BY score DESC, id LIMIT 2";

/* The blocked_tasks view (schema) says which tasks count as blocked. */
#define BLOCKED_FROM "FROM blocked_tasks t WHERE 1 "
#define BLOCKED "SELECT count(*) " BLOCKED_FROM
#define ON_STACK(list) "AND EXISTS (SELECT 1 FROM frames f WHERE f.stack_id = " \
	"t.stack_id AND f.symbol IN (" list "))"

static const char sql_classes[] =
	"SELECT t.wait_class, count(DISTINCT ifnull(t.pid, t.id)), "
	"group_concat(DISTINCT t.wait_site), max(t.blocked_secs) " BLOCKED_FROM
	"GROUP BY t.wait_class ORDER BY 2 DESC, 4 DESC";

/* Class 4: lockdep saw reclaim (fs_reclaim) in a dependency chain or lock list. */
static const char q_lockdep_reclaim[] =
	"SELECT count(*) FROM findings WHERE kind = 'reclaim_lock_recursion'";
/* Class 4, weaker: a task in reclaim waits for a lock a filesystem would hold. */
static const char q_reclaim_lock_waiters[] =
	BLOCKED "AND t.in_reclaim = 1 AND t.wait_class IN ('mutex', 'rwsem', 'journal')";
/* Class 2: a filesystem retries a restricted allocation forever. */
static const char q_livelock[] =
	"SELECT count(*) FROM reports WHERE kind = 'fs_alloc_retry'";
/* Class 3: swap-in waits on page locks while swap-out waits for block requests. */
static const char q_swapin[] =
	BLOCKED "AND t.wait_class = 'page_lock' "
	ON_STACK("'do_swap_page', 'swap_readpage', 'swap_read_folio', 'swapin_readahead', "
		 "'__read_swap_cache_async', 'read_swap_cache_async'");
static const char q_swapout[] =
	BLOCKED "AND t.wait_class IN ('block_request', 'mempool', 'io_wait') "
	ON_STACK("'swap_writepage', 'pageout', '__swap_writepage', 'swap_writeout', "
		 "'shrink_folio_list', 'shrink_page_list'");
/* Class 1: atomic allocations on the I/O path fail while reclaimers wait in mempools. */
static const char q_atomic_io_failures[] =
	"SELECT count(*) FROM reports r WHERE r.kind = 'alloc_failure' AND "
	"(r.gfp_names LIKE '%ATOMIC%' OR r.gfp_names LIKE '%NOWAIT%') AND EXISTS ("
	"SELECT 1 FROM frames f WHERE f.stack_id = r.stack_id AND (f.symbol LIKE 'scsi_%' "
	"OR f.symbol LIKE 'blk_%' OR f.symbol LIKE 'bio_%' OR f.symbol LIKE 'sd_%' "
	"OR f.symbol LIKE 'nvme_%' OR f.symbol LIKE 'dm_%'))";
static const char q_mempool_waiters[] = BLOCKED "AND t.wait_class = 'mempool'";
/* Class 5: the hotplug lock waits on kthread creation or per-CPU drains. */
static const char q_hotplug[] = BLOCKED "AND t.wait_class = 'cpu_hotplug'";
static const char q_kthread[] =
	BLOCKED "AND (t.wait_class = 'kthread_create' OR (t.wait_class = 'workqueue_flush' "
	ON_STACK("'lru_add_drain_all', 'drain_all_pages', '__lru_add_drain_all', "
		 "'__drain_all_pages'") "))";
/* A block device's worker blocked: loop, nbd, device mapper, md. */
static const char sql_device_worker[] =
	"SELECT t.comm, t.pid, ifnull(t.workqueue, ''), ifnull(t.work_func, ''), "
	"t.wait_class, ifnull(t.wait_site, ''), t.in_reclaim " BLOCKED_FROM
	"AND (t.workqueue GLOB 'loop[0-9]*' OR t.workqueue GLOB 'nbd[0-9]*' OR "
	"t.workqueue GLOB 'kcryptd*' OR t.workqueue GLOB 'dm-*' OR t.workqueue = 'kblockd' "
	"OR t.work_func GLOB 'loop_*' OR t.work_func GLOB 'nbd_*' OR "
	"t.comm GLOB 'loop[0-9]*' OR t.comm GLOB 'nbd[0-9]*' OR t.comm GLOB 'kcryptd*' OR "
	"t.comm GLOB 'md*_raid*' OR t.comm GLOB 'md*_resync') "
	"ORDER BY t.in_reclaim DESC, t.t LIMIT 1";
static const char q_io_waiters[] =
	"SELECT count(DISTINCT ifnull(t.pid, t.id)) " BLOCKED_FROM "AND t.wait_class IN ('writeback_wait', 'journal', 'io_wait', 'page_lock', "
	"'block_request', 'mempool')";

struct verdict {
	const char *hang_class;
	char cls[32];
	struct mmt_sb text;
};

static int64_t count(struct mmt_store *st, const char *sql)
{
	int64_t n = mmt_store_query_int(st, sql);

	return n < 0 ? 0 : n;
}

static const char *const verdicts[][2] = {
	{ "reclaim_lock_recursion", "Lock recursion through reclaim: a task holding a "
	  "filesystem lock entered memory reclaim, and reclaim needs that lock (or one "
	  "its holder waits for)." },
	{ "reclaim_livelock", "Reclaim livelock in a restricted allocation context: a "
	  "filesystem keeps retrying an allocation that may not call into filesystem "
	  "reclaim, and nothing else frees memory." },
	{ "io_path_deadlock", "Deadlock on the I/O path of the swap device: tasks "
	  "swapping in wait for pages under I/O, while reclaim writing pages out waits "
	  "for the device, which needs memory itself." },
	{ "slab_starvation", "Reserve starvation on the I/O path: atomic allocations "
	  "of the block layer fail again and again, I/O cannot complete, and "
	  "reclaimers wait in mempool_alloc. Check whether the cache they allocate "
	  "from is merged with others (slab aliases)." },
	{ "ipi_hotplug", "CPU hotplug deadlock in the allocator: tasks wait for the "
	  "CPU-hotplug lock while the hotplug operation waits for kernel threads or "
	  "per-CPU drains that cannot run." },
};

static bool set_class(struct verdict *v, const char *cls)
{
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		if (!strcmp(verdicts[i][0], cls)) {
			v->hang_class = verdicts[i][0];
			mmt_sb_adds(&v->text, verdicts[i][1]);
		}
	return true;
}

static int device_worker(struct mmt_store *st, struct verdict *v, bool memory_only,
			 struct mmt_err *err);

/*
 * The five classes, most specific signals first. A block device's worker
 * stuck in reclaim is the I/O-path deadlock even though it also waits for
 * a lock in reclaim, so it is checked before the weak recursion signal.
 */
static int five_classes(struct mmt_store *st, struct verdict *v, struct mmt_err *err)
{
	int rc;

	if (count(st, q_lockdep_reclaim) > 0)
		return set_class(v, "reclaim_lock_recursion");
	if ((rc = device_worker(st, v, true, err)) != 0)
		return rc;
	if (count(st, q_swapin) > 0 && count(st, q_swapout) > 0)
		return set_class(v, "io_path_deadlock");
	if (count(st, q_livelock) >= 3)
		return set_class(v, "reclaim_livelock");
	if (count(st, q_atomic_io_failures) >= 3 && count(st, q_mempool_waiters) > 0)
		return set_class(v, "slab_starvation");
	if (count(st, q_hotplug) > 0 && count(st, q_kthread) > 0)
		return set_class(v, "ipi_hotplug");
	if (count(st, q_reclaim_lock_waiters) > 0)
		return set_class(v, "reclaim_lock_recursion");
	return 0;
}

/* What to look at next, for the hang class a group of blocked tasks names. */
static const char *advice(const char *cls)
{
	static const struct { const char *cls, *text; } table[] = {
		{ "fs_freeze", "Nothing proceeds until the filesystem is thawed: find what "
		  "froze it (a backup or snapshot tool calling FIFREEZE) or thaw it with "
		  "fsfreeze -u." },
		{ "writeback_wait", "The device under the filesystem is not completing "
		  "writes: look at the device, its driver and the threads that serve it." },
		{ "journal", "The journal cannot commit: look for the commit thread (jbd2, "
		  "xfsaild) and what it waits for, usually I/O." },
		{ "page_lock", "Pages stay locked because the I/O on them does not complete." },
		{ "io_wait", "Synchronous I/O does not complete: look at the device." },
		{ "block_request", "The block device has no free request slots: requests "
		  "in flight are not completing." },
		{ "mempool", "Reserved elements are not coming back: whatever holds them "
		  "waits for I/O or memory." },
		{ "direct_reclaim", "Tasks are stuck reclaiming memory themselves." },
		{ "reclaim_throttle", "Reclaim is throttled waiting for writeback progress." },
		{ "dirty_throttle", "Writers are throttled because dirty pages are not "
		  "written back fast enough." },
		{ "cpu_hotplug", "A CPU hotplug operation holds the hotplug lock." },
		{ "rcu", "An RCU grace period is not ending: look for a stalled CPU." },
		{ "mutex", "Look for the task holding the mutex (lock owner hints, lockdep "
		  "held locks)." },
		{ "rwsem", "Look for the task holding the semaphore (lock owner hints, "
		  "lockdep held locks)." },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].cls, cls))
			return table[i].text;
	return "";
}

/*
 * A virtual block device whose own worker is blocked takes all I/O on it
 * down. When the worker is blocked on memory (in reclaim, in a mempool), the
 * device needs memory to free memory: the I/O-path deadlock. With
 * memory_only, only that case is taken.
 */
static int device_worker(struct mmt_store *st, struct verdict *v, bool memory_only,
			 struct mmt_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if (count(st, q_io_waiters) == 0 && !memory_only)
		return 0;
	q = mmt_store_prepare(st, sql_device_worker, err);
	if (!q)
		return -1;
	rc = mmt_store_step(st, q, err);
	if (rc > 0 && memory_only && !sqlite3_column_int(q, 6) &&
	    strcmp(mmt_col_text(q, 4), "mempool"))
		rc = 0;
	if (rc > 0) {
		const char *wq = mmt_col_text(q, 2);
		bool memory = sqlite3_column_int(q, 6) || !strcmp(mmt_col_text(q, 4), "mempool");

		v->hang_class = memory ? "io_path_deadlock" : "io_path_stall";
		mmt_sb_addf(&v->text, "I/O to a %sblock device does not complete because the "
			    "device's own worker is blocked: %s:%lld%s%s%s %s at %s%s. %lld "
			    "task%s wait%s on that I/O.", memory ? "virtual " : "",
			    mmt_col_text(q, 0), (long long)sqlite3_column_int64(q, 1),
			    wq[0] ? " (workqueue " : "", wq, wq[0] ? ")" : "",
			    stackrules_class_meaning(mmt_col_text(q, 4)), mmt_col_text(q, 5),
			    sqlite3_column_int(q, 6) ? ", inside memory reclaim: the device "
			    "needs memory to free memory" : "",
			    (long long)count(st, q_io_waiters),
			    count(st, q_io_waiters) > 1 ? "s" : "",
			    count(st, q_io_waiters) > 1 ? "" : "s");
	}
	sqlite3_finalize(q);
	return rc < 0 ? -1 : rc;
}

/* Sites as SQLite's group_concat joined them, with a space after each comma. */
static void add_sites(struct mmt_sb *sb, const char *sites)
{
	for (; *sites; sites++) {
		mmt_sb_addc(sb, *sites);
		if (*sites == ',')
			mmt_sb_addc(sb, ' ');
	}
}

static void lead_class(struct verdict *v, sqlite3_stmt *q)
{
	const char *cls = mmt_col_text(q, 0);
	int64_t tasks = sqlite3_column_int64(q, 1);

	snprintf(v->cls, sizeof(v->cls), "%s", cls);
	v->hang_class = v->cls;
	mmt_sb_addf(&v->text, "%lld task%s blocked: %s %s, at ", (long long)tasks,
		    tasks > 1 ? "s are" : " is", tasks > 1 ? "each" : "it",
		    stackrules_class_meaning(cls));
	add_sites(&v->text, mmt_col_text(q, 2));
	mmt_sb_adds(&v->text, ".");
	if (!mmt_col_null(q, 3))
		mmt_sb_addf(&v->text, " The longest was reported blocked for more than "
			    "%lld s.", (long long)sqlite3_column_int64(q, 3));
	if (advice(cls)[0])
		mmt_sb_addf(&v->text, " %s", advice(cls));
}

/*
 * "7 tasks are blocked: each waits for ... Advice." when blocked tasks
 * lead the verdict, else (or for the other classes) "Blocked tasks: 3 in
 * writeback_wait (at ...); 3 in journal (at ...)."
 */
static int blocked_tasks(struct mmt_store *st, struct verdict *v, bool lead,
			 struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_classes, err);
	int rc, n = 0, listed = 0;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		if (n++ == 0 && lead) {
			lead_class(v, q);
			continue;
		}
		mmt_sb_addf(&v->text, "%s%lld in %s (at ", listed++ ? "; " :
			    lead ? " Also blocked: " : " Blocked tasks: ",
			    (long long)sqlite3_column_int64(q, 1), mmt_col_text(q, 0));
		add_sites(&v->text, mmt_col_text(q, 2));
		mmt_sb_adds(&v->text, ")");
	}
	if (listed)
		mmt_sb_adds(&v->text, ".");
	sqlite3_finalize(q);
	return rc < 0 ? -1 : n;
}

/* Stalls, OOM kills and crashes, when no task was reported blocked. */
static int other_findings(struct mmt_store *st, struct verdict *v, bool lead,
			  struct mmt_err *err)
{
	static const struct { const char *kind, *cls; } classes[] = {
		{ "soft_lockup", "cpu_stall" }, { "hard_lockup", "cpu_stall" },
		{ "rcu_stall", "cpu_stall" }, { "oom_kill", "oom" },
		{ "alloc_failure", "alloc_failure" }, { "alloc_stall", "alloc_stall" },
		{ "oops", "crash" }, { "bug", "crash" }, { "panic", "crash" },
	};
	sqlite3_stmt *q = mmt_store_prepare(st, sql_top, err);
	int rc, n = 0;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		const char *kind = mmt_col_text(q, 0);

		if (n == 0 && lead) {
			for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
				if (!strcmp(classes[i].kind, kind))
					v->hang_class = classes[i].cls;
			mmt_sb_addf(&v->text, "%s. %s", mmt_col_text(q, 1), mmt_col_text(q, 2));
		} else {
			mmt_sb_addf(&v->text, " Also: %s.", mmt_col_text(q, 1));
		}
		n++;
	}
	sqlite3_finalize(q);
	return rc < 0 ? -1 : n;
}

static int store(struct mmt_store *st, const struct verdict *v, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_insert, err);
	char now[32];
	time_t t = time(NULL);

	if (!s)
		return -1;
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	mmt_bind_text(s, 1, v->hang_class);
	mmt_bind_text(s, 2, mmt_sb_str(&v->text));
	mmt_bind_text(s, 3, now);
	if (mmt_store_run(st, s, err) < 0)
		return -1;
	return mmt_store_exec(st, sql_rank, err);
}

int mmt_diagnose(struct mmt_store *st, struct mmt_err *err);

int mmt_diagnose(struct mmt_store *st, struct mmt_err *err)
{
	struct verdict v = { NULL, "", MMT_SB_INIT };
	int rc = five_classes(st, &v, err), blocked, others;
	bool lead = rc == 0;

	if (lead && rc >= 0 && (rc = device_worker(st, &v, false, err)) > 0)
		lead = false;
	if (rc >= 0 && (blocked = blocked_tasks(st, &v, lead, err)) >= 0 &&
	    (others = other_findings(st, &v, lead && blocked == 0, err)) >= 0) {
		if (blocked == 0 && others == 0 && lead)
			mmt_sb_adds(&v.text, "Nothing in the input points to a hang: no "
				    "blocked tasks, stalls, allocation failures, OOM kills or "
				    "crashes.");
		rc = store(st, &v, err);
	} else {
		rc = -1;
	}
	mmt_sb_free(&v.text);
	return rc;
}
