/*
 * The diagnosis: which hang this is. The five classes of memory-pressure
 * hang are checked in order of how specific their signals are; when none
 * matches, the strongest finding names the hang (a frozen filesystem,
 * stuck writeback, a stalled CPU, OOM kills). The verdict is a paragraph
 * that names the evidence it rests on.
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
	"SELECT kind, title, summary FROM findings ORDER BY score DESC, id LIMIT 3";

/* Blocked tasks (hung-task reports and D-state dump tasks) in a wait class. */
#define BLOCKED "SELECT count(*) FROM tasks t JOIN reports r ON r.id = t.report_id " \
	"WHERE (r.kind = 'hung_task' OR t.state = 'D') AND t.stack_id IS NOT NULL "
#define ON_STACK(list) "AND EXISTS (SELECT 1 FROM frames f WHERE f.stack_id = " \
	"t.stack_id AND f.symbol IN (" list "))"

/* Class 4: a lock taken by reclaim is held while allocating. */
static const char q_recursion[] =
	"SELECT (SELECT count(*) FROM findings WHERE kind = 'reclaim_lock_recursion') + ("
	BLOCKED "AND t.in_reclaim = 1 AND t.wait_class IN ('mutex', 'rwsem', 'journal'))";
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
static const char q_mempool_waiters[] =
	BLOCKED "AND t.wait_class = 'mempool'";
/* Class 5: the hotplug lock waits on kthread creation or per-CPU drains. */
static const char q_hotplug[] = BLOCKED "AND t.wait_class = 'cpu_hotplug'";
static const char q_kthread[] =
	BLOCKED "AND (t.wait_class = 'kthread_create' OR (t.wait_class = 'workqueue_flush' "
	ON_STACK("'lru_add_drain_all', 'drain_all_pages', '__lru_add_drain_all', "
		 "'__drain_all_pages'") "))";

struct verdict {
	const char *hang_class;
	struct mmt_sb text;
};

static int64_t count(struct mmt_store *st, const char *sql)
{
	int64_t n = mmt_store_query_int(st, sql);

	return n < 0 ? 0 : n;
}

static bool five_classes(struct mmt_store *st, struct verdict *v)
{
	if (count(st, q_recursion) > 0) {
		v->hang_class = "reclaim_lock_recursion";
		mmt_sb_adds(&v->text, "Lock recursion through reclaim: a task holding a "
			    "filesystem lock entered memory reclaim, and reclaim needs that "
			    "lock (or one its holder waits for).");
	} else if (count(st, q_livelock) >= 3) {
		v->hang_class = "reclaim_livelock";
		mmt_sb_adds(&v->text, "Reclaim livelock in a restricted allocation context: "
			    "a filesystem keeps retrying an allocation that may not call "
			    "into filesystem reclaim, and nothing else frees memory.");
	} else if (count(st, q_swapin) > 0 && count(st, q_swapout) > 0) {
		v->hang_class = "io_path_deadlock";
		mmt_sb_adds(&v->text, "Deadlock on the I/O path of the swap device: tasks "
			    "swapping in wait for pages under I/O, while reclaim writing "
			    "pages out waits for the device, which needs memory itself.");
	} else if (count(st, q_atomic_io_failures) >= 3 && count(st, q_mempool_waiters) > 0) {
		v->hang_class = "slab_starvation";
		mmt_sb_adds(&v->text, "Reserve starvation on the I/O path: atomic "
			    "allocations of the block layer fail again and again, I/O "
			    "cannot complete, and reclaimers wait in mempool_alloc. Check "
			    "whether the cache they allocate from is merged with others "
			    "(slab aliases).");
	} else if (count(st, q_hotplug) > 0 && count(st, q_kthread) > 0) {
		v->hang_class = "ipi_hotplug";
		mmt_sb_adds(&v->text, "CPU hotplug deadlock in the allocator: tasks wait "
			    "for the CPU-hotplug lock while the hotplug operation waits for "
			    "kernel threads or per-CPU drains that cannot run.");
	}
	return v->hang_class != NULL;
}

/* Without the signals of a known class, the strongest finding names the hang. */
static int from_findings(struct mmt_store *st, struct verdict *v, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_top, err);
	int rc, n = 0;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		const char *kind = mmt_col_text(q, 0);

		if (n == 0) {
			v->hang_class = !strcmp(kind, "hung_tasks") ? "blocked_tasks" : NULL;
			mmt_sb_addf(&v->text, "%s%s.", v->text.len ? " " : "",
				    mmt_col_text(q, 1));
			mmt_sb_addf(&v->text, " %s", mmt_col_text(q, 2));
		} else {
			mmt_sb_addf(&v->text, " Also: %s.", mmt_col_text(q, 1));
		}
		n++;
	}
	sqlite3_finalize(q);
	if (rc < 0)
		return -1;
	if (n == 0)
		mmt_sb_adds(&v->text, "Nothing in the input points to a hang: no blocked "
			    "tasks, stalls, allocation failures, OOM kills or crashes.");
	return 0;
}

/* The hang class of blocked tasks is what the strongest group waits for. */
static void refine_blocked(struct mmt_store *st, struct verdict *v)
{
	sqlite3_stmt *q;

	if (!v->hang_class || strcmp(v->hang_class, "blocked_tasks"))
		return;
	q = mmt_store_prepare(st, "SELECT t.wait_class FROM tasks t JOIN finding_reports fr "
			      "ON fr.report_id = t.report_id JOIN findings f ON f.id = fr.finding_id "
			      "WHERE f.kind = 'hung_tasks' AND t.wait_class IS NOT NULL "
			      "ORDER BY f.score DESC, f.id LIMIT 1", NULL);
	if (q && sqlite3_step(q) == SQLITE_ROW) {
		static char cls[32];

		snprintf(cls, sizeof(cls), "%s", mmt_col_text(q, 0));
		v->hang_class = cls;
	}
	sqlite3_finalize(q);
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
	struct verdict v = { NULL, MMT_SB_INIT };
	int rc;

	if (five_classes(st, &v))
		mmt_sb_adds(&v.text, " Evidence:");
	rc = from_findings(st, &v, err);
	if (rc == 0) {
		refine_blocked(st, &v);
		rc = store(st, &v, err);
	}
	mmt_sb_free(&v.text);
	return rc;
}
