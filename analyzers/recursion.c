/*
 * Reclaim recursion seen in stacks: a task inside a filesystem (or holding
 * locks lockdep lists) allocates, the allocation enters direct reclaim,
 * and reclaim comes back into the filesystem (its shrinker, writepage or
 * evict_inode) or sleeps on a lock. If the outer frames hold a lock the
 * inner ones need, the task waits for itself; if a lock holder waits for
 * this task's I/O, the two wait for each other. Lockdep reports of the
 * same thing (through fs_reclaim) are the locks analyzer's.
 *
 * When lockdep lists the task's locks, the finding names them: the lock
 * held above the allocation (taken at a frame outside it) and the lock the
 * task sleeps on in reclaim (its last, taken at the wait site); when both
 * have one address the task waits for itself.
 */
#include "analyzers/waits.h"
#include "core/stack.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TASKS_QUOTED 4
#define NAMED_TASKS 6

static const char sql_tasks[] =
	"SELECT t.id, t.report_id, t.pid, ifnull(t.comm, ''), ifnull(t.state, ''), t.line, "
	"t.stack_id, r.source_id, r.t + ifnull(s.t_offset, 0), r.kind, t.role, "
	"(SELECT count(*) FROM held_locks h WHERE h.report_id = t.report_id AND h.pid = t.pid "
	" AND substr(h.lock, 1, 1) != '(' AND h.lock NOT LIKE 'rcu%') "
	"FROM tasks t JOIN reports r ON r.id = t.report_id JOIN sources s ON s.id = r.source_id "
	"WHERE t.in_reclaim = 1 AND t.stack_id IS NOT NULL ORDER BY r.t, t.id";

static const char sql_held[] =
	"SELECT lock, ifnull(at, ''), ifnull(address, '') FROM held_locks "
	"WHERE report_id = ? AND pid = ? ORDER BY idx";

#define SITE_FRAMES 4	/* frames from the wait site where the awaited lock is taken */

/* Where direct reclaim starts: the outermost of these frames. */
static const char *const reclaim_frames[] = {
	"try_to_free_pages", "try_to_free_mem_cgroup_pages", "__alloc_pages_direct_reclaim",
	"__perform_reclaim", "do_try_to_free_pages", "shrink_node*", "shrink_zone*",
	"shrink_slab*", "do_shrink_slab", "shrink_lruvec", "shrink_inactive_list",
	"shrink_folio_list", "shrink_page_list", "node_reclaim", "__node_reclaim",
	"reclaim_high*", "mem_cgroup_handle_over_high", NULL
};

/* Allocations that may enter direct reclaim. */
static const char *const alloc_frames[] = {
	"__alloc_pages*", "alloc_pages*", "__alloc_frozen_pages*", "alloc_frozen_pages*",
	"folio_alloc*", "__folio_alloc*", "kmem_cache_alloc*", "__kmem_cache_alloc*",
	"kmalloc*", "__kmalloc*", "new_slab", "allocate_slab", "___slab_alloc",
	"__slab_alloc*", "slab_alloc*", "__vmalloc*", "vmalloc*", "kvmalloc*", "__kvmalloc*",
	"kmem_alloc*", "kmem_zalloc*", "kmem_zone_alloc", "mempool_alloc*",
	"alloc_pages_current", "alloc_page_interleave", "__get_free_pages",
	"filemap_alloc_folio*", "__page_cache_alloc", "mem_cgroup_charge*",
	"__mem_cgroup_charge", "try_charge*", "charge_memcg", NULL
};

struct hit {
	int reclaim, alloc, outer, inner;	/* frame indexes, -1 if none */
	const char *fs;				/* filesystem of the outer frames */
	bool locks_held, blocked_on_lock, blocked;
	char key[256];
	/* From lockdep's list: the lock held above the allocation, where. */
	char held[MMT_SYM_MAX], held_at[MMT_SYM_MAX];
	int held_frame;				/* frame index of held_at, -1 if none */
	char awaited[MMT_SYM_MAX];		/* the lock it sleeps on in reclaim */
	bool self;				/* awaited and held have one address */
};

struct task_row {
	int64_t report, pid, line, source;
	bool has_pid, has_t;
	double t;
	char comm[64];
};

struct rgroup {
	char key[256];
	struct hit h;
	struct waits_stack ws;		/* of the first task */
	struct task_row first;
	int64_t id;
	struct mmt_finding f;
	struct mmt_sb names;
	int64_t *pids;
	size_t npids, pidcap, quoted;
	int idx;
	bool blocked;
};

static int outermost(const struct waits_stack *ws, const char *const *patterns)
{
	int last = -1;

	for (int i = waits_stack_find(ws, patterns, 0); i >= 0;
	     i = waits_stack_find(ws, patterns, (size_t)i + 1))
		last = i;
	return last;
}

static int fs_frame(const struct waits_stack *ws, size_t from, size_t to, const char *fs)
{
	for (size_t i = from; i < to && i < ws->s.n; i++) {
		const char *f = ws->s.reliable[i] ? waits_fs_of(ws->s.sym[i]) : NULL;

		if (f && (!fs || !strcmp(f, fs)))
			return (int)i;
	}
	return -1;
}

static bool lock_prim(enum prim p)
{
	return p == PRIM_MUTEX || p == PRIM_RWSEM || p == PRIM_PERCPU_RWSEM ||
	       p == PRIM_SEMAPHORE || p == PRIM_RTMUTEX || p == PRIM_SPIN;
}

/* Applies the rule to one stack; false when it is not recursion. */
static bool match(const struct waits_stack *ws, bool locks_held, bool blocked, struct hit *h)
{
	memset(h, 0, sizeof(*h));
	h->held_frame = -1;
	h->reclaim = outermost(ws, reclaim_frames);
	if (h->reclaim < 0)
		return false;
	h->alloc = waits_stack_find(ws, alloc_frames, (size_t)h->reclaim + 1);
	if (h->alloc < 0)
		return false;	/* kswapd, drop_caches, proactive reclaim: no outer context */
	h->outer = fs_frame(ws, (size_t)h->alloc + 1, ws->s.n, NULL);
	h->fs = h->outer >= 0 ? waits_fs_of(ws->s.sym[h->outer]) : NULL;
	h->locks_held = locks_held;
	if (h->outer < 0 && !locks_held)
		return false;
	h->blocked_on_lock = lock_prim(ws->w.prim) && ws->w.site >= 0 &&
			     ws->w.site < h->reclaim;
	h->inner = fs_frame(ws, 0, (size_t)h->reclaim, h->fs);
	if (h->inner < 0 && !h->blocked_on_lock)
		return false;
	h->blocked = blocked;
	snprintf(h->key, sizeof(h->key), "%s|%s", h->fs ? h->fs : "locks",
		 h->inner >= 0 ? ws->s.sym[h->inner] : ws->s.sym[ws->w.site]);
	return true;
}

/* Index of the frame of function at (a held lock's "at:") in [from, to), or -1. */
static int frame_of(const struct waits_stack *ws, const char *at, size_t from, size_t to)
{
	char base[MMT_SYM_MAX];

	mmt_symbol_base(at, base, sizeof(base));
	for (size_t i = from; i < to && i < ws->s.n; i++)
		if (!strcmp(ws->s.sym[i], base))
			return (int)i;
	return -1;
}

/* Not reclaim's own pseudo-lock, an RCU reader or a work map: a lock of the context. */
static bool context_lock(const char *lock)
{
	return lock[0] && lock[0] != '(' && strncmp(lock, "rcu", 3) &&
	       !strstr(lock, "fs_reclaim");
}

struct held_lock_row {
	char lock[MMT_SYM_MAX], at[MMT_SYM_MAX], addr[24];
};

static bool same_lock(const struct held_lock_row *a, const struct held_lock_row *b)
{
	if (a->addr[0] && b->addr[0])
		return !strcmp(a->addr, b->addr);
	return !strcmp(a->lock, b->lock);
}

/*
 * Names the locks of a matched stack from the task's held-lock list: the
 * first lock taken outside the allocation, and the last lock when the task
 * sleeps on a lock taken at its wait site.
 */
static int name_locks(struct mmt_store *st, const struct task_row *t,
		      const struct waits_stack *ws, struct hit *h, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_held, err);
	struct held_lock_row last = { 0 }, held = { 0 };
	int rc;

	if (!q)
		return -1;
	mmt_bind_int(q, 1, t->report);
	mmt_bind_int(q, 2, t->pid);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct held_lock_row row;
		int at;

		snprintf(row.lock, sizeof(row.lock), "%s", mmt_col_text(q, 0));
		snprintf(row.at, sizeof(row.at), "%s", mmt_col_text(q, 1));
		snprintf(row.addr, sizeof(row.addr), "%s", mmt_col_text(q, 2));
		last = row;
		at = frame_of(ws, row.at, (size_t)h->alloc + 1, ws->s.n);
		if (h->held_frame < 0 && at >= 0 && context_lock(row.lock)) {
			held = row;
			h->held_frame = at;
		}
	}
	sqlite3_reset(q);
	if (rc < 0)
		return -1;
	if (h->held_frame >= 0) {
		snprintf(h->held, sizeof(h->held), "%s", held.lock);
		mmt_symbol_base(held.at, h->held_at, sizeof(h->held_at));
	}
	if (h->blocked_on_lock && context_lock(last.lock) &&
	    frame_of(ws, last.at, (size_t)ws->w.site, (size_t)ws->w.site + SITE_FRAMES) >= 0) {
		snprintf(h->awaited, sizeof(h->awaited), "%s", last.lock);
		h->self = h->held_frame >= 0 && strcmp(held.at, last.at) && same_lock(&held, &last);
	}
	return 0;
}

static int quote_task(struct mmt_store *st, struct rgroup *g, const struct task_row *t,
		      const struct waits_stack *ws, const struct hit *h, struct mmt_err *err)
{
	int marks[4] = { h->outer >= 0 ? h->outer : h->held_frame, h->alloc, h->reclaim,
			 h->inner >= 0 ? h->inner : ws->w.site };

	if (g->quoted++ >= MAX_TASKS_QUOTED)
		return 0;
	if (mmt_finding_line(st, g->id, g->idx++, t->source, t->line, t->report, err) < 0)
		return -1;
	for (int k = 0; k < 4; k++)
		if (marks[k] >= 0 && waits_frame_evidence(st, g->id, g->idx++, t->report, t->line,
							    ws->s.sym[marks[k]], err) < 0)
			return -1;
	return 0;
}

static bool new_pid(struct rgroup *g, int64_t pid)
{
	for (size_t i = 0; i < g->npids; i++)
		if (g->pids[i] == pid)
			return false;
	xgrow((void **)&g->pids, &g->pidcap, g->npids + 1, sizeof(*g->pids));
	g->pids[g->npids++] = pid;
	return true;
}

static int group_add(struct mmt_store *st, struct rgroup *g, const struct task_row *t,
		     const struct waits_stack *ws, const struct hit *h, struct mmt_err *err)
{
	if (mmt_finding_report(st, g->id, t->report, err) < 0)
		return -1;
	if (t->has_t)
		mmt_finding_time(&g->f, t->t);
	g->blocked |= h->blocked;
	if (!new_pid(g, t->has_pid ? t->pid : -1 - (int64_t)g->npids))
		return 0;
	if (g->npids <= NAMED_TASKS)
		mmt_sb_addf(&g->names, "%s%s:%lld", g->npids > 1 ? ", " : "", t->comm,
			    (long long)t->pid);
	if (mmt_finding_subject(st, g->id, "task", t->pid, t->has_pid, t->comm, err) < 0 ||
	    (h->held[0] && mmt_finding_subject(st, g->id, "lock", 0, false, h->held, err) < 0) ||
	    (h->awaited[0] && mmt_finding_subject(st, g->id, "lock", 0, false, h->awaited,
						   err) < 0))
		return -1;
	return quote_task(st, g, t, ws, h, err);
}

static void summarize(struct rgroup *g)
{
	const struct hit *h = &g->h;
	const struct waits_stack *ws = &g->ws;
	struct mmt_sb *sb = &g->f.summary;

	mmt_sb_adds(sb, mmt_sb_str(&g->names));
	if (g->npids > NAMED_TASKS)
		mmt_sb_addf(sb, " and %zu more", g->npids - NAMED_TASKS);
	if (h->outer >= 0)
		mmt_sb_addf(sb, " allocate%s memory in %s (%s)", g->npids > 1 ? "" : "s",
			    ws->s.sym[h->outer], h->fs);
	else if (h->held[0])
		mmt_sb_addf(sb, " allocate%s memory holding %s (taken at %s)",
			    g->npids > 1 ? "" : "s", h->held, h->held_at);
	else
		mmt_sb_addf(sb, " allocate%s memory holding locks", g->npids > 1 ? "" : "s");
	mmt_sb_addf(sb, " through %s; the allocation enters direct reclaim at %s",
		    ws->s.sym[h->alloc], ws->s.sym[h->reclaim]);
	if (h->inner >= 0)
		mmt_sb_addf(sb, ", which calls back into %s at %s", h->fs ? h->fs : "a filesystem",
			    ws->s.sym[h->inner]);
	if (h->blocked_on_lock)
		mmt_sb_addf(sb, "%s sleeps on a lock at %s", h->inner >= 0 ? " and" : ", where it",
			    ws->s.sym[ws->w.site]);
	if (h->awaited[0])
		mmt_sb_addf(sb, ": %s%s", h->awaited, h->self ? ", the lock it holds itself (one "
			    "address), so it waits for itself" : "");
	mmt_sb_adds(sb, ". Reclaim must not need what the allocating context holds: a lock "
		    "taken above the allocation, or I/O that only this task can complete. ");
	mmt_sb_adds(sb, g->blocked ? "The task is blocked there, so this is likely the hang. " :
		    "The task was not seen blocked there; it is a risk, not yet a hang. ");
	if (h->fs || !h->held[0])
		mmt_sb_adds(sb, "Allocate with GFP_NOFS (GFP_NOIO on an I/O path) or inside "
			    "memalloc_nofs_save()/memalloc_noio_save() in the outer context; ");
	else
		mmt_sb_addf(sb, "Allocate before taking %s, or make what reclaim calls there "
			    "(a shrinker) take it with a trylock and back off; GFP_NOFS helps only "
			    "if that code checks __GFP_FS; ", h->held);
	mmt_sb_adds(sb, "lockdep (CONFIG_PROVE_LOCKING) reports the same through fs_reclaim.");
}

static int group_end(struct mmt_store *st, struct rgroup *g, struct mmt_err *err)
{
	int rc;

	if (g->h.outer < 0 && g->h.held[0])
		snprintf(g->f.title, sizeof(g->f.title), "reclaim recursion: %.40s allocates holding "
			 "%.60s, reclaim %s at %.60s", g->first.comm, g->h.held,
			 g->h.self ? "takes it again" : "re-enters",
			 g->h.inner >= 0 ? g->ws.s.sym[g->h.inner] : g->ws.s.sym[g->ws.w.site]);
	else
		snprintf(g->f.title, sizeof(g->f.title), "reclaim recursion: %.40s allocates in "
			 "%.60s, reclaim re-enters at %.60s", g->first.comm,
			 g->h.outer >= 0 ? g->ws.s.sym[g->h.outer] : "a locked section",
			 g->h.inner >= 0 ? g->ws.s.sym[g->h.inner] : g->ws.s.sym[g->ws.w.site]);
	summarize(g);
	g->f.severity = g->blocked ? "critical" : "warning";
	g->f.confidence = g->blocked ? (g->h.blocked_on_lock ? 0.8 : 0.7) : 0.5;
	g->f.score = g->blocked ? 960 : 450;
	rc = mmt_finding_complete(st, g->id, &g->f, err) < 0 ? -1 : 0;
	mmt_finding_free(&g->f);
	mmt_sb_free(&g->names);
	waits_stack_unload(&g->ws);
	free(g->pids);
	return rc;
}

static struct rgroup *find_group(struct rgroup *gs, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(gs[i].key, key))
			return &gs[i];
	return NULL;
}

static void read_task(sqlite3_stmt *q, struct task_row *t)
{
	memset(t, 0, sizeof(*t));
	t->report = sqlite3_column_int64(q, 1);
	t->has_pid = !mmt_col_null(q, 2);
	t->pid = sqlite3_column_int64(q, 2);
	snprintf(t->comm, sizeof(t->comm), "%s", mmt_col_text(q, 3));
	t->line = sqlite3_column_int64(q, 5);
	t->source = sqlite3_column_int64(q, 7);
	t->has_t = !mmt_col_null(q, 8);
	t->t = sqlite3_column_double(q, 8);
}

/* Blocked: D state, the hung task, or a crash backtrace sleeping in a lock. */
static bool is_blocked(sqlite3_stmt *q, const struct waits_stack *ws)
{
	const char *state = mmt_col_text(q, 4), *kind = mmt_col_text(q, 9);
	const char *role = mmt_col_text(q, 10);

	if (!strcmp(state, "D") || (!strcmp(kind, "hung_task") && !strcmp(role, "subject")))
		return true;
	return !state[0] && !strcmp(role, "dump") && lock_prim(ws->w.prim);
}

static int one_task(struct mmt_store *st, sqlite3_stmt *q, struct rgroup **gs, size_t *n,
		    size_t *cap, struct mmt_err *err)
{
	struct waits_stack ws;
	struct task_row t;
	struct rgroup *g;
	struct hit h;
	bool keep = false;
	int rc = 0;

	if (waits_stack_load(st, sqlite3_column_int64(q, 6), &ws, err) < 0)
		return -1;
	read_task(q, &t);
	if (!match(&ws, sqlite3_column_int(q, 11) > 0, is_blocked(q, &ws), &h))
		goto out;
	if (h.locks_held && t.has_pid && name_locks(st, &t, &ws, &h, err) < 0) {
		rc = -1;
		goto out;
	}
	g = find_group(*gs, *n, h.key);
	if (!g) {
		xgrow((void **)gs, cap, *n + 1, sizeof(**gs));
		g = &(*gs)[(*n)++];
		memset(g, 0, sizeof(*g));
		snprintf(g->key, sizeof(g->key), "%s", h.key);
		g->h = h;
		g->ws = ws;
		g->first = t;
		keep = true;
		mmt_finding_init(&g->f, "waits", "reclaim_recursion", "warning");
		snprintf(g->f.title, sizeof(g->f.title), "reclaim recursion");
		g->id = mmt_finding_add(st, &g->f, err);
		if (g->id < 0) {
			rc = -1;
			goto out;
		}
	}
	rc = group_add(st, g, &t, &ws, &h, err);
out:
	if (!keep)
		waits_stack_unload(&ws);
	return rc;
}

int waits_reclaim_recursion(struct mmt_store *st, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_tasks, err);
	struct rgroup *gs = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0)
		if (one_task(st, q, &gs, &n, &cap, err) < 0) {
			rc = -1;
			break;
		}
	sqlite3_finalize(q);
	for (size_t i = 0; i < n; i++)
		if (group_end(st, &gs[i], err) < 0)
			rc = -1;
	free(gs);
	return rc < 0 ? -1 : 0;
}
