/*
 * What data is missing that would confirm or refute the verdict. Each rule
 * says which input it looks for, when its absence matters, and how a user
 * gets it; the first few that apply are stored in rank order.
 */
#include "analyzers/diagnosis.h"

#include <string.h>

#define MAX_ADVICE 4

struct rule {
	const char *what;
	const char *absent;	/* a count that is 0 when the data is missing */
	const char *classes;	/* hang classes it matters for, "*" any hang but oom and crash, "?" also none */
	const char *advice;
};

static const struct rule rules[] = {
	{ "kernel_log",
	  "SELECT count(*) FROM sources WHERE kind IN ('kernel_log', 'crash')", "?",
	  "The kernel log of the hang (dmesg, journalctl -k, or vmcore-dmesg.txt of a "
	  "crash dump): hung-task, allocation-failure and OOM reports name the tasks "
	  "and their stacks." },
	{ "blocked_stacks",
	  "SELECT count(*) FROM reports WHERE kind IN ('hung_task', 'task_dump')", "*",
	  "Stacks of the blocked tasks: `echo w > /proc/sysrq-trigger` during the hang, "
	  "hung-task reports (lower kernel.hung_task_timeout_secs), or crash's "
	  "`foreach bt` on a dump. They say what each task waits for." },
	{ "lockdep",
	  /* Held-lock lists are printed only by a lockdep kernel too. */
	  "SELECT (SELECT count(*) FROM reports WHERE kind = 'lockdep') + "
	  "(SELECT count(*) FROM held_locks)", "reclaim_lock_recursion",
	  "A run on a kernel with CONFIG_PROVE_LOCKING: lockdep names the lock chain "
	  "through fs_reclaim." },
	{ "slab_aliases",
	  "SELECT count(*) FROM slab_aliases", "slab_starvation",
	  "`ls -l /sys/kernel/slab` on the same kernel: which caches SLUB merged into "
	  "which (or the /sys/kernel/slab copy of a capture directory)." },
	{ "trace",
	  "SELECT count(*) FROM trace_sources",
	  "reclaim_livelock slab_starvation io_path_deadlock ipi_hotplug reclaim_lock_recursion",
	  "A trace while it happens: `trace-cmd record -e vmscan -e writeback -e block "
	  "-e ipi -e irq_vectors -e cpuhp -e oom` gives reclaim latency and progress, "
	  "writeback and block completions, and IPIs per CPU." },
	{ "snapshots",
	  "SELECT count(*) >= 2 FROM snapshots WHERE kind IN ('meminfo', 'vmstat')",
	  "reclaim_livelock slab_starvation io_path_deadlock ipi_hotplug",
	  "/proc/meminfo, vmstat, slabinfo and interrupts every second up to the hang "
	  "(a capture directory, docs/capture.md): they show what drained and what "
	  "did not, and when it started." },
};

static bool applies(const struct rule *r, const char *cls)
{
	size_t len;

	if (!strcmp(r->classes, "?"))
		return true;
	if (!cls)
		return false;
	/* An OOM kill or a crash explains itself; stacks of waiters add little. */
	if (!strcmp(r->classes, "*"))
		return strcmp(cls, "oom") && strcmp(cls, "crash");
	len = strlen(cls);
	for (const char *p = r->classes; (p = strstr(p, cls)); p += len)
		if ((p == r->classes || p[-1] == ' ') && (p[len] == ' ' || !p[len]))
			return true;
	return false;
}

static const char sql_missing[] =
	"INSERT INTO diagnosis_missing (rank, what, advice) VALUES (?, ?, ?)";

int mmt_diagnose_missing(struct mmt_store *st, const char *hang_class, struct mmt_err *err)
{
	int rank = 0;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]) && rank < MAX_ADVICE; i++) {
		const struct rule *r = &rules[i];
		sqlite3_stmt *s;

		if (!applies(r, hang_class) || mmt_store_query_int(st, r->absent) != 0)
			continue;
		if (!(s = mmt_store_stmt(st, sql_missing, err)))
			return -1;
		mmt_bind_int(s, 1, ++rank);
		mmt_bind_text(s, 2, r->what);
		mmt_bind_text(s, 3, r->advice);
		if (mmt_store_run(st, s, err) < 0)
			return -1;
	}
	return 0;
}
