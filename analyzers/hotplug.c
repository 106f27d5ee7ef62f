/*
 * CPU-hotplug deadlocks: tasks wait for the hotplug lock (cpus_read_lock)
 * while the CPU going down or up holds it and waits in turn for a kernel
 * thread (the per-CPU hotplug thread, kthread_stop, kthreadd) or for
 * per-CPU work (lru_add_drain_all, drain_all_pages, flush_work,
 * stop_machine) that needs one of the waiters, or needs the hotplug lock
 * itself, to make progress. Read per source from the blocked tasks.
 *
 * The per-CPU hotplug thread (cpuhp/N) sleeping on a lock inside a state's
 * callback is named apart: that callback is what the operation waits for.
 * With lockdep's held-lock lists the finding names the lock and the task
 * holding it, usually one of the waiters, which closes the loop.
 */
#include "analyzers/waits.h"
#include "core/stack.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTED 10

static const char sql_sources[] =
	"SELECT DISTINCT source_id FROM blocked_tasks WHERE wait_class = 'cpu_hotplug' ORDER BY 1";

/* The last lock a task lists in the source's first held-lock list naming it. */
static const char sql_last_held[] =
	"SELECT h.report_id, h.lock, ifnull(h.address, ''), ifnull(h.at, '') FROM held_locks h "
	"JOIN reports r ON r.id = h.report_id WHERE r.source_id = ? AND h.pid = ? "
	"ORDER BY r.line_start, h.idx DESC LIMIT 1";

/* Who else lists that lock, and not as the last lock it is still taking. */
static const char sql_lock_owner[] =
	"SELECT o.pid, ifnull(o.comm, '') FROM held_locks o WHERE o.report_id = ?1 "
	"AND o.pid != ?2 AND (CASE WHEN ?3 != '' THEN o.address = ?3 ELSE o.lock = ?4 END) "
	"AND o.idx < (SELECT max(x.idx) FROM held_locks x WHERE x.report_id = o.report_id "
	"AND x.pid = o.pid) ORDER BY o.pid LIMIT 1";

#define SITE_FRAMES 4	/* frames from the wait site where the awaited lock is taken */

static const char sql_tasks[] =
	"SELECT pid, ifnull(comm, ''), wait_class, ifnull(wait_site, ''), stack_id, report_id, "
	"line, " MMT_REPORT_TS("") " FROM blocked_tasks WHERE source_id = ? "
	"ORDER BY line_start, line";

/* Taking the hotplug lock (or the maps mutex around it): a waiter sleeps here. */
static const char *const lock_sites[] = {
	"cpus_read_lock", "get_online_cpus", "cpus_write_lock", "cpu_hotplug_begin",
	"cpu_maps_update_begin", "lock_device_hotplug*", "percpu_down_write", NULL
};

/* The hotplug operation itself: a task with these frames holds the lock. */
static const char *const holder_frames[] = {
	"_cpu_down", "_cpu_up", "cpu_down", "cpu_up", "cpu_down_maps_locked",
	"cpu_device_down", "cpu_device_up", "remove_cpu", "add_cpu", "takedown_cpu",
	"freeze_secondary_cpus", "disable_nonboot_cpus", "smp_shutdown_nonboot_cpus",
	"cpuhp_kick_ap*", "__cpuhp_kick_ap", "cpuhp_down_callbacks", "cpuhp_up_callbacks",
	"cpuhp_invoke_callback*", "cpuhp_thread_fun", NULL
};

/* A hotplug state's callback run by the per-CPU hotplug thread. */
static const char *const callback_frames[] = {
	"cpuhp_invoke_callback*", "cpuhp_thread_fun", NULL
};

/* Waiting for a kernel thread or per-CPU work. */
static const char *const kthread_frames[] = {
	"__cpuhp_kick_ap", "cpuhp_kick_ap*", "wait_for_ap_thread", "bringup_wait_for_ap*",
	"kthread_stop*", "kthread_park", "kthread_create_on_node", "__kthread_create_on_node",
	"kthread_create_on_cpu", "flush_work", "__flush_work*", "flush_workqueue",
	"__flush_workqueue", "lru_add_drain_all", "__lru_add_drain_all", "drain_all_pages",
	"__drain_all_pages", "schedule_on_each_cpu", "work_on_cpu*", "stop_machine*",
	"stop_cpus", "stop_one_cpu*", "synchronize_rcu*", NULL
};

enum role { R_NONE, R_WAITER, R_HOLDER, R_CALLBACK, R_DEPENDENT };

struct hp_task {
	int64_t pid, report, line, owner_pid;
	bool has_t, has_owner;
	double t;
	char comm[64], site[128], why[128];	/* why: the frame that gives the role */
	char lock[MMT_SYM_MAX], owner_comm[64];	/* a callback's lock and its holder */
	enum prim prim;
	enum role role;
	bool holder_waits_kthread;
};

struct hp_set {
	struct hp_task *t;
	size_t n, cap;
	size_t waiters, holders, dependents, holder_kthread;
};

static enum role role_of(const struct waits_stack *ws, const char *cls, struct hp_task *t)
{
	size_t from = ws->w.site >= 0 ? (size_t)ws->w.site : 0;
	int i = waits_stack_find(ws, lock_sites, from);
	int h = waits_stack_find(ws, holder_frames, from);
	int k = waits_stack_find(ws, kthread_frames, from);

	if (i >= 0 && i <= ws->w.site + 2 && !strcmp(cls, "cpu_hotplug")) {
		snprintf(t->why, sizeof(t->why), "%s", ws->s.sym[i]);
		return R_WAITER;
	}
	if (h >= 0) {
		int c = waits_stack_find(ws, callback_frames, from);

		snprintf(t->why, sizeof(t->why), "%s", ws->s.sym[h]);
		t->holder_waits_kthread = k >= 0 && k <= h;
		t->prim = ws->w.prim;
		if (c >= 0 && ws->w.site >= 0 && ws->w.site < c && !t->holder_waits_kthread &&
		    (t->prim == PRIM_MUTEX || t->prim == PRIM_RWSEM || t->prim == PRIM_SEMAPHORE ||
		     t->prim == PRIM_RTMUTEX || t->prim == PRIM_SPIN)) {
			snprintf(t->why, sizeof(t->why), "%s", ws->s.sym[ws->w.site]);
			return R_CALLBACK;
		}
		return R_HOLDER;
	}
	if (k >= 0 || !strcmp(cls, "kthread_create") || !strcmp(cls, "workqueue_flush")) {
		snprintf(t->why, sizeof(t->why), "%s", k >= 0 ? ws->s.sym[k] : t->site);
		return R_DEPENDENT;
	}
	return R_NONE;
}

/* True when function at (a held lock's "at:") is within SITE_FRAMES of the wait site. */
static bool taken_at_site(const struct waits_stack *ws, const char *at)
{
	char base[MMT_SYM_MAX];

	if (ws->w.site < 0)
		return false;
	mmt_symbol_base(at, base, sizeof(base));
	for (size_t i = (size_t)ws->w.site; i < ws->s.n && i < (size_t)ws->w.site + SITE_FRAMES;
	     i++)
		if (!strcmp(ws->s.sym[i], base))
			return true;
	return false;
}

/*
 * The lock a callback sleeps on and its holder, from the first held-lock
 * list of the source that names the callback's task: its last lock, taken
 * at the wait site, and another task that holds it.
 */
static int callback_lock(struct mmt_store *st, int64_t source, const struct waits_stack *ws,
			 struct hp_task *t, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_last_held, err), *o;
	char addr[24], lock[MMT_SYM_MAX];
	int64_t listing;
	int rc;

	if (!q)
		return -1;
	mmt_bind_int(q, 1, source);
	mmt_bind_int(q, 2, t->pid);
	rc = mmt_store_step(st, q, err);
	if (rc <= 0 || !taken_at_site(ws, mmt_col_text(q, 3))) {
		sqlite3_reset(q);
		return rc < 0 ? -1 : 0;
	}
	listing = sqlite3_column_int64(q, 0);
	snprintf(lock, sizeof(lock), "%s", mmt_col_text(q, 1));
	snprintf(addr, sizeof(addr), "%s", mmt_col_text(q, 2));
	sqlite3_reset(q);
	snprintf(t->lock, sizeof(t->lock), "%s", lock);
	o = mmt_store_stmt(st, sql_lock_owner, err);
	if (!o)
		return -1;
	mmt_bind_int(o, 1, listing);
	mmt_bind_int(o, 2, t->pid);
	mmt_bind_text(o, 3, addr);
	mmt_bind_text(o, 4, lock);
	rc = mmt_store_step(st, o, err);
	if (rc > 0) {
		t->has_owner = true;
		t->owner_pid = sqlite3_column_int64(o, 0);
		snprintf(t->owner_comm, sizeof(t->owner_comm), "%s", mmt_col_text(o, 1));
	}
	sqlite3_reset(o);
	return rc < 0 ? -1 : 0;
}

static bool seen_pid(const struct hp_set *s, int64_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].pid == pid)
			return true;
	return false;
}

static int load_set(struct mmt_store *st, int64_t source, struct hp_set *s, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_tasks, err);
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, source);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct waits_stack ws;
		struct hp_task t = { 0 };

		t.pid = sqlite3_column_int64(q, 0);
		if (seen_pid(s, t.pid) || mmt_col_null(q, 4))
			continue;
		snprintf(t.comm, sizeof(t.comm), "%s", mmt_col_text(q, 1));
		snprintf(t.site, sizeof(t.site), "%s", mmt_col_text(q, 3));
		t.report = sqlite3_column_int64(q, 5);
		t.line = sqlite3_column_int64(q, 6);
		t.has_t = !mmt_col_null(q, 7);
		t.t = sqlite3_column_double(q, 7);
		if (waits_stack_load(st, sqlite3_column_int64(q, 4), &ws, err) < 0) {
			rc = -1;
			break;
		}
		t.role = role_of(&ws, mmt_col_text(q, 2), &t);
		if (t.role == R_CALLBACK && callback_lock(st, source, &ws, &t, err) < 0) {
			waits_stack_unload(&ws);
			rc = -1;
			break;
		}
		waits_stack_unload(&ws);
		if (t.role == R_NONE)
			continue;
		s->waiters += t.role == R_WAITER;
		s->holders += t.role == R_HOLDER || t.role == R_CALLBACK;
		s->holder_kthread += t.holder_waits_kthread;
		s->dependents += t.role == R_DEPENDENT;
		xgrow((void **)&s->t, &s->cap, s->n + 1, sizeof(*s->t));
		s->t[s->n++] = t;
	}
	sqlite3_finalize(q);
	return rc;
}

static void list_role(struct mmt_sb *sb, const struct hp_set *s, enum role r, const char *verb)
{
	size_t named = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct hp_task *t = &s->t[i];

		if (t->role != r)
			continue;
		if (named++ < 4)
			mmt_sb_addf(sb, "%s%s:%lld (%s)", named > 1 ? ", " : "", t->comm,
				    (long long)t->pid, r == R_HOLDER ? t->site : t->why);
	}
	if (named > 4)
		mmt_sb_addf(sb, " and %zu more", named - 4);
	if (named)
		mmt_sb_addf(sb, " %s. ", verb);
}

static const char *prim_name(enum prim p)
{
	switch (p) {
	case PRIM_MUTEX:
		return "a mutex";
	case PRIM_RWSEM:
		return "an rw-semaphore";
	case PRIM_SEMAPHORE:
		return "a semaphore";
	case PRIM_RTMUTEX:
		return "an rt-mutex";
	case PRIM_SPIN:
		return "a spinlock";
	default:
		return "a lock";
	}
}

static const struct hp_task *find_task(const struct hp_set *s, int64_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].pid == pid)
			return &s->t[i];
	return NULL;
}

/* "cpuhp/1:15 runs the hotplug callback F and sleeps there on L, held by T, which ..." */
static void describe_callbacks(struct mmt_sb *sb, const struct hp_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct hp_task *t = &s->t[i], *o;

		if (t->role != R_CALLBACK)
			continue;
		mmt_sb_addf(sb, "%s:%lld runs the hotplug callback %s and sleeps there on %s",
			    t->comm, (long long)t->pid, t->site, t->lock[0] ? t->lock :
			    prim_name(t->prim));
		if (t->has_owner) {
			o = find_task(s, t->owner_pid);
			mmt_sb_addf(sb, ", which %s:%lld holds (lockdep's held locks)%s",
				    t->owner_comm, (long long)t->owner_pid,
				    o && o->role == R_WAITER ? " while it waits for the CPU-hotplug "
				    "lock: that closes the loop" : "");
		}
		mmt_sb_adds(sb, ". ");
	}
}

static void summarize(struct mmt_sb *sb, const struct hp_set *s)
{
	list_role(sb, s, R_WAITER, "wait for the CPU-hotplug lock");
	list_role(sb, s, R_HOLDER, "run the hotplug operation, holding that lock, and wait "
		  "there");
	describe_callbacks(sb, s);
	list_role(sb, s, R_DEPENDENT, "wait for a kernel thread or per-CPU work");
	mmt_sb_adds(sb, "The hotplug operation cannot finish until the kernel threads or "
		    "per-CPU work it waits for run, and those need a lock or a CPU that the "
		    "waiters or the operation hold: nothing moves. Look for who holds the "
		    "locks the dependent threads wait for (sysrq-t or crash `foreach bt`, "
		    "lockdep's held-lock list); the fix is usually to take cpus_read_lock "
		    "outside that lock, or not to wait for per-CPU work under it.");
}

static int evidence(struct mmt_store *st, int64_t id, const struct hp_set *s, int64_t source,
		    struct mmt_err *err)
{
	int idx = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct hp_task *t = &s->t[i];

		if (mmt_finding_subject(st, id, "task", t->pid, true, t->comm, err) < 0 ||
		    mmt_finding_report(st, id, t->report, err) < 0 ||
		    (t->lock[0] && mmt_finding_subject(st, id, "lock", 0, false, t->lock, err) < 0))
			return -1;
		if (idx >= QUOTED)
			continue;
		if (mmt_finding_line(st, id, idx++, source, t->line, t->report, err) < 0 ||
		    waits_frame_evidence(st, id, idx++, t->report, t->line, t->why, err) < 0)
			return -1;
	}
	return mmt_finding_subject(st, id, "lock", 0, false, "cpu_hotplug_lock", err);
}

static int report(struct mmt_store *st, const struct hp_set *s, int64_t source,
		  struct mmt_err *err)
{
	struct mmt_finding f;
	int64_t id;
	int rc;

	mmt_finding_init(&f, "waits", "cpu_hotplug_deadlock", "critical");
	snprintf(f.title, sizeof(f.title), "CPU-hotplug deadlock: %zu task%s wait%s for the hotplug "
		 "lock while %s waits for a kernel thread or per-CPU work", s->waiters,
		 s->waiters > 1 ? "s" : "", s->waiters > 1 ? "" : "s",
		 s->holder_kthread ? "the hotplug operation" : "another task");
	summarize(&f.summary, s);
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].has_t)
			mmt_finding_time(&f, s->t[i].t);
	f.confidence = s->holder_kthread ? 0.8 : s->holders ? 0.7 : 0.5;
	f.score = s->holders ? 940 : 800;
	id = mmt_finding_add(st, &f, err);
	rc = id < 0 || evidence(st, id, s, source, err) < 0 ? -1 : 0;
	mmt_finding_free(&f);
	return rc;
}

int waits_hotplug(struct mmt_store *st, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_sources, err);
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		int64_t source = sqlite3_column_int64(q, 0);
		struct hp_set s = { 0 };

		rc = load_set(st, source, &s, err);
		if (rc == 0 && s.waiters >= (size_t)mmt_threshold("waits.hotplug_min_waiters") &&
		    (s.holder_kthread || s.dependents))
			rc = report(st, &s, source, err);
		free(s.t);
		if (rc < 0)
			break;
	}
	sqlite3_finalize(q);
	return rc < 0 ? -1 : 0;
}
