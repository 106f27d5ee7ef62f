/*
 * The five classes of memory-pressure hang, scored. Each class has
 * signals: a count over findings, reports or blocked tasks, and a weight,
 * the probability that the signal alone means this class. Signals that
 * hold combine as independent evidence (1 - product of (1 - weight)), so
 * two moderate signals outweigh one, and nothing reaches certainty. The
 * weights encode how specific a signal is: a lockdep chain through
 * fs_reclaim names recursion almost by itself; a slab merge hazard is a
 * precondition many healthy machines share.
 */
#include "analyzers/diagnosis.h"

#include <stdio.h>
#include <string.h>

/* The stuck_tasks view (schema 007): blocked, and not shown freed later. */
#define BLOCKED "SELECT count(*) FROM stuck_tasks t WHERE 1 "
#define ON_STACK(list) "AND EXISTS (SELECT 1 FROM frames f WHERE f.stack_id = " \
	"t.stack_id AND f.symbol IN (" list "))"
#define FINDINGS(kinds, sev) "SELECT count(*) FROM findings WHERE kind IN (" kinds ") " \
	"AND severity IN (" sev ")"
#define SERIOUS "'warning', 'critical'"
#define CRITICAL "'critical'"

/* Swap-in waits on page locks while swap-out waits for block requests. */
#define SWAPIN BLOCKED "AND t.wait_class = 'page_lock' " \
	ON_STACK("'do_swap_page', 'swap_readpage', 'swap_read_folio', 'swapin_readahead', " \
		 "'__read_swap_cache_async', 'read_swap_cache_async'")
#define SWAPOUT BLOCKED "AND t.wait_class IN ('block_request', 'mempool', 'io_wait') " \
	ON_STACK("'swap_writepage', 'pageout', '__swap_writepage', 'swap_writeout', " \
		 "'shrink_folio_list', 'shrink_page_list'")
/* A loop, nbd, dm, crypt or md worker blocked on memory: its device needs memory to free memory. */
#define DEVICE_WORKER_ON_MEMORY BLOCKED \
	"AND (t.in_reclaim = 1 OR t.wait_class = 'mempool') AND (" MMT_DEVICE_WORKER ")"
/* Atomic allocations on the I/O path fail. */
#define ATOMIC_IO_FAILURES "SELECT count(*) FROM reports r WHERE r.kind = 'alloc_failure' " \
	"AND (r.gfp_names LIKE '%ATOMIC%' OR r.gfp_names LIKE '%NOWAIT%') AND EXISTS (" \
	"SELECT 1 FROM frames f WHERE f.stack_id = r.stack_id AND (f.symbol LIKE 'scsi_%' " \
	"OR f.symbol LIKE 'blk_%' OR f.symbol LIKE 'bio_%' OR f.symbol LIKE 'sd_%' " \
	"OR f.symbol LIKE 'nvme_%' OR f.symbol LIKE 'dm_%'))"
#define HOTPLUG_AND_KTHREAD "SELECT (" BLOCKED "AND t.wait_class = 'cpu_hotplug') > 0 AND (" \
	BLOCKED "AND (t.wait_class = 'kthread_create' OR (t.wait_class = 'workqueue_flush' " \
	ON_STACK("'lru_add_drain_all', 'drain_all_pages', '__lru_add_drain_all', " \
		 "'__drain_all_pages'") "))) > 0"

/*
 * IPI storms of warning severity with and without CPU hotplug inside them
 * (the ipi analyzer lists it as evidence "CPU hotplug: ..."); one storm
 * counts once.
 */
#define IPI_STORMS(hotplug) "SELECT count(*) FROM findings f WHERE f.kind = 'ipi_storm' " \
	"AND f.severity = 'warning' AND " hotplug " EXISTS (SELECT 1 FROM finding_evidence e " \
	"WHERE e.finding_id = f.id AND e.text LIKE 'CPU hotplug:%')"

/*
 * Reclaim without progress that no OOM kill ended (the reclaim analyzer
 * lists the kill as evidence "OOM kill: ..."): after an OOM kill the
 * kernel has resolved it, and the class is the OOM, not a livelock.
 */
#define NO_PROGRESS_WITHOUT_OOM "SELECT count(*) FROM findings f WHERE " \
	"f.kind = 'reclaim_no_progress' AND f.severity IN (" SERIOUS ") AND NOT EXISTS " \
	"(SELECT 1 FROM finding_evidence e WHERE e.finding_id = f.id AND e.text LIKE 'OOM kill:%')"

struct signal {
	const char *cls;
	double weight;
	const char *sql;	/* a count; the signal holds when it reaches min */
	int64_t min;
	const char *kinds;	/* finding kinds it rests on, "" if none */
	const char *reason;	/* what it means, for the verdict */
};

static const struct signal signals[] = {
	/* 4: recursion. Lockdep's fs_reclaim chains are the kernel's own proof. */
	{ "reclaim_lock_recursion", 0.85,
	  FINDINGS("'reclaim_recursion', 'reclaim_lock_recursion'", SERIOUS), 1,
	  "reclaim_recursion reclaim_lock_recursion",
	  "a stack or lockdep chain re-enters the filesystem or a lock through reclaim" },
	{ "reclaim_lock_recursion", 0.5,
	  BLOCKED "AND t.in_reclaim = 1 AND t.wait_class IN ('mutex', 'rwsem', 'journal')", 1,
	  "hung_tasks", "a task in reclaim waits for a lock a filesystem would hold" },
	{ "reclaim_lock_recursion", 0.2, FINDINGS("'deadlock'", SERIOUS), 1, "deadlock",
	  "a cycle of tasks waiting for each other's locks" },
	/* 3: the I/O path of a device that needs memory. */
	{ "io_path_deadlock", 0.8, DEVICE_WORKER_ON_MEMORY, 1, "hung_tasks",
	  "a block device's own worker is blocked on memory" },
	{ "io_path_deadlock", 0.8, "SELECT (" SWAPIN ") > 0 AND (" SWAPOUT ") > 0", 1,
	  "hung_tasks", "swap-in waits on pages whose swap-out waits for the device" },
	{ "io_path_deadlock", 0.2, FINDINGS("'writeback_stall'", CRITICAL), 1,
	  "writeback_stall", "pages stay under writeback" },
	/* 2: livelock in a restricted context. */
	{ "reclaim_livelock", 0.7, FINDINGS("'livelock'", SERIOUS), 1, "livelock",
	  "tasks retry allocation or reclaim at a steady cadence without progress" },
	{ "reclaim_livelock", 0.6, "SELECT count(*) FROM reports WHERE kind = 'fs_alloc_retry'",
	  3, "fs_alloc_retry", "a filesystem repeats \"possible memory allocation deadlock\"" },
	{ "reclaim_livelock", 0.3, NO_PROGRESS_WITHOUT_OOM, 1,
	  "reclaim_no_progress", "reclaim scans and frees nothing" },
	{ "reclaim_livelock", 0.3, FINDINGS("'kswapd_idle'", SERIOUS), 1, "kswapd_idle",
	  "tasks reclaim while kswapd sleeps" },
	{ "reclaim_livelock", 0.15, FINDINGS("'swap_exhausted'", SERIOUS), 1, "swap_exhausted",
	  "swap is full" },
	{ "reclaim_livelock", 0.15, FINDINGS("'slab_dominance'", SERIOUS), 1, "slab_dominance",
	  "slab caches hold most of the memory" },
	/* 1: reserve starvation through merged slab caches. */
	{ "slab_starvation", 0.5, ATOMIC_IO_FAILURES, 3, "alloc_failure",
	  "atomic allocations of the block layer fail again and again" },
	{ "slab_starvation", 0.35, FINDINGS("'slab_merge_hazard'", SERIOUS), 1,
	  "slab_merge_hazard", "an I/O-path slab cache shares its slabs with a busy cache" },
	{ "slab_starvation", 0.3, BLOCKED "AND t.wait_class = 'mempool'", 1, "hung_tasks",
	  "tasks wait in mempool_alloc for reserved elements" },
	{ "slab_starvation", 0.15, FINDINGS("'writeback_stall'", SERIOUS), 1,
	  "writeback_stall", "pages stay under writeback" },
	/* 5: IPIs and CPU hotplug. */
	{ "ipi_hotplug", 0.85, FINDINGS("'cpu_hotplug_deadlock'", SERIOUS), 1,
	  "cpu_hotplug_deadlock", "the hotplug lock's holder waits for a kernel thread" },
	{ "ipi_hotplug", 0.8, HOTPLUG_AND_KTHREAD, 1, "hung_tasks",
	  "tasks wait for the hotplug lock while others wait for kthreads or drains" },
	{ "ipi_hotplug", 0.5, FINDINGS("'ipi_storm'", CRITICAL), 1, "ipi_storm",
	  "an IPI storm overlaps CPU hotplug or allocator drains" },
	{ "ipi_hotplug", 0.4, IPI_STORMS(""), 1, "ipi_storm",
	  "an IPI storm while a CPU went offline or online" },
	{ "ipi_hotplug", 0.3, IPI_STORMS("NOT"), 1, "ipi_storm", "an IPI storm" },
};

#define NSIGNALS (sizeof(signals) / sizeof(signals[0]))

const char *const mmt_hang_classes[] = {
	"reclaim_lock_recursion", "io_path_deadlock", "reclaim_livelock",
	"slab_starvation", "ipi_hotplug", NULL,
};

static int class_index(const char *cls)
{
	for (int i = 0; mmt_hang_classes[i]; i++)
		if (!strcmp(mmt_hang_classes[i], cls))
			return i;
	return -1;
}

int mmt_score_classes(struct mmt_store *st, struct mmt_class_score *out,
		      struct mmt_err *err)
{
	memset(out, 0, sizeof(*out) * MMT_NCLASSES);
	for (int i = 0; mmt_hang_classes[i]; i++)
		out[i].cls = mmt_hang_classes[i];
	for (size_t i = 0; i < NSIGNALS; i++) {
		const struct signal *s = &signals[i];
		struct mmt_class_score *c = &out[class_index(s->cls)];
		int64_t n = mmt_store_query_int(st, s->sql);

		if (n < 0)
			return mmt_err_set(err, "diagnosis: a signal query of %s failed", s->cls);
		if (n < s->min)
			continue;
		/* Independent evidence: the chance that every signal is wrong shrinks. */
		c->confidence = 1 - (1 - c->confidence) * (1 - s->weight);
		if (c->nreasons < MMT_MAX_REASONS)
			c->reasons[c->nreasons++] = s->reason;
		if (s->kinds[0] && c->nkinds < MMT_MAX_REASONS)
			c->kinds[c->nkinds++] = s->kinds;
	}
	return 0;
}

/* "'a', 'b'": the finding kinds a class rests on, for ranking its findings first. */
void mmt_class_kinds_sql(const struct mmt_class_score *c, struct mmt_sb *sb)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nkinds; i++) {
		const char *k = c->kinds[i];

		while (*k) {
			size_t len = strcspn(k, " ");

			mmt_sb_addf(sb, "%s'%.*s'", n++ ? ", " : "", (int)len, k);
			k += len;
			k += strspn(k, " ");
		}
	}
	if (!n)
		mmt_sb_adds(sb, "''");
}
