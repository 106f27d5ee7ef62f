/*
 * Deadlocks: cycles in the wait-for graph of blocked tasks, and tasks
 * waiting for a lock they hold themselves.
 *
 * The graph is built per set of blocked tasks seen together: the tasks of
 * one hung-task round (the reports up to a "Showing all locks held" list)
 * or of one dump. A task waits for a lock and its edge goes to the lock's
 * holder, known from
 *  - the hung-task detector's owner hint ("blocked on a mutex likely owned
 *    by task NAME:PID"), which the parser stores with the report;
 *  - lockdep's held-lock lists: lockdep records a lock when its
 *    acquisition starts, so the last lock of a blocked task's list, taken
 *    at the wait site of its stack, is the one it waits for, and every
 *    other task listing the same lock (same address; same name when no
 *    address is printed) holds it.
 * Lockdep's own "possible recursive locking detected" with the same lock
 * address on both sides is a task taking a lock it already holds.
 *
 * The hung-task detector reports the same stuck tasks again every check
 * interval, each round with its own held-lock list, and SysRq dumps add
 * more rounds: a cycle (or self-deadlock) found again in a later round of
 * the same source extends the finding of the first, one finding per hang.
 */
#include "analyzers/waits.h"
#include "core/stack.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEAR_FRAMES 4		/* frames past the wait site where the lock may be taken */
#define MAX_EVIDENCE 12
#define SEARCH_STEPS 100000

struct held {
	int64_t pid, line;
	int idx;
	char comm[64], lock[MMT_SYM_MAX], at[MMT_SYM_MAX], addr[24];
	bool awaited;		/* the lock its holder is still acquiring */
};

struct waiter {
	int64_t pid, report, source, line_start, task_line, stack_id, owner_pid;
	bool has_owner, has_t;
	double t;
	char comm[64], owner_comm[64], lock_type[24];
	int awaited;		/* index into the round's held locks, -1 if unknown */
	size_t out_first, out_n;	/* its edges */
};

struct edge {
	size_t from;		/* waiter index */
	int64_t to_pid;
	int held;		/* the holder's held-lock entry, -1 for an owner hint */
};

/* A deadlock reported for the source: later rounds extend its finding. */
struct known {
	char sig[512];
	int64_t id;
	struct mmt_finding f;
	int rounds, last_round;
	int64_t *reports;	/* attached to the finding, each once */
	size_t nreports, reportcap;
};

struct round {
	struct held *held;
	size_t nheld, heldcap;
	struct waiter *w;
	size_t nw, wcap;
	struct edge *e;
	size_t ne, ecap;
	int64_t source;
	int cycles, round_no;
	size_t steps;
	struct known *known;	/* deadlocks of the source so far */
	size_t nknown, knowncap;
};

static const char sql_sources[] =
	"SELECT DISTINCT source_id FROM blocked_tasks WHERE pid IS NOT NULL ORDER BY 1";

static const char sql_listings[] =
	"SELECT r.id, r.line_end FROM reports r WHERE r.source_id = ? AND EXISTS "
	"(SELECT 1 FROM held_locks h WHERE h.report_id = r.id) ORDER BY r.line_start";

static const char sql_blocked[] =
	"SELECT pid, ifnull(comm, ''), report_id, line, line_start, stack_id, "
	"lock_owner_pid, ifnull(lock_owner_comm, ''), ifnull(lock_type, ''), " MMT_REPORT_TS("") " "
	"FROM blocked_tasks WHERE source_id = ? AND pid IS NOT NULL "
	"ORDER BY line_start, line";

static const char sql_held[] =
	"SELECT ifnull(pid, -1), ifnull(comm, ''), idx, lock, ifnull(address, ''), "
	"ifnull(at, ''), line FROM held_locks WHERE report_id = ? ORDER BY pid, idx";

static const char sql_recursive[] =
	"SELECT id, source_id, line_start, " MMT_REPORT_TS("") ", pid, ifnull(comm, '') "
	"FROM reports "
	"WHERE kind = 'lockdep' AND title LIKE '%recursive locking%' ORDER BY id";

static const char sql_report_lines[] =
	"SELECT line, text FROM log_lines WHERE report_id = ? ORDER BY line";

static void round_reset(struct round *r)
{
	r->nheld = r->nw = r->ne = 0;
	r->cycles = 0;
	r->steps = 0;
	r->round_no++;
}

static void round_free(struct round *r)
{
	free(r->held);
	free(r->w);
	free(r->e);
	for (size_t i = 0; i < r->nknown; i++) {
		mmt_finding_free(&r->known[i].f);
		free(r->known[i].reports);
	}
	free(r->known);
}

/* Attaches a report to the deadlock's finding unless it already is. */
static int known_report(struct mmt_store *st, struct known *k, int64_t report,
			struct mmt_err *err)
{
	for (size_t i = 0; i < k->nreports; i++)
		if (k->reports[i] == report)
			return 0;
	xgrow((void **)&k->reports, &k->reportcap, k->nreports + 1, sizeof(*k->reports));
	k->reports[k->nreports++] = report;
	return mmt_finding_report(st, k->id, report, err);
}

static struct known *find_known(struct round *r, const char *sig)
{
	for (size_t i = 0; i < r->nknown; i++)
		if (!strcmp(r->known[i].sig, sig))
			return &r->known[i];
	return NULL;
}

/* Keeps a new finding open so that later rounds can extend it. */
static struct known *remember(struct round *r, const char *sig, int64_t id,
			      const struct mmt_finding *f)
{
	struct known *k;

	xgrow((void **)&r->known, &r->knowncap, r->nknown + 1, sizeof(*r->known));
	k = &r->known[r->nknown++];
	memset(k, 0, sizeof(*k));
	snprintf(k->sig, sizeof(k->sig), "%s", sig);
	k->id = id;
	k->f = *f;
	k->rounds = 1;
	k->last_round = r->round_no;
	return k;
}

/*
 * A deadlock known from an earlier round (or found again by the search in
 * this one): the tasks' times and reports join its finding.
 */
static int seen_again(struct mmt_store *st, struct round *r, struct known *k,
		      const struct waiter *const *w, size_t n, struct mmt_err *err)
{
	if (k->last_round != r->round_no)
		k->rounds++;
	k->last_round = r->round_no;
	for (size_t i = 0; i < n; i++) {
		if (w[i]->has_t)
			mmt_finding_time(&k->f, w[i]->t);
		if (known_report(st, k, w[i]->report, err) < 0)
			return -1;
	}
	return 0;
}

/* Writes the final window and, for repeats, how often the deadlock was seen. */
static int complete_known(struct mmt_store *st, struct round *r, struct mmt_err *err)
{
	for (size_t i = 0; i < r->nknown; i++) {
		struct known *k = &r->known[i];
		char a[64], b[64];

		if (k->rounds < 2)
			continue;
		mmt_time_str(k->f.t_start, a, sizeof(a));
		mmt_time_str(k->f.t_end, b, sizeof(b));
		mmt_sb_addf(&k->f.summary, " The same deadlock is in %d rounds of reports "
			    "(hung-task rounds, dumps), from %s to %s: nothing moved in between.",
			    k->rounds, a, b);
		if (mmt_finding_complete(st, k->id, &k->f, err) < 0)
			return -1;
	}
	return 0;
}

/* Pseudo-locks lockdep lists (RCU readers, work items) that nobody waits for. */
static bool pseudo_lock(const char *name)
{
	return name[0] == '(' || !strncmp(name, "rcu_", 4) || strstr(name, "rcu_read_lock");
}

static bool same_lock(const struct held *a, const struct held *b)
{
	if (a->addr[0] && b->addr[0])
		return !strcmp(a->addr, b->addr);
	return !strcmp(a->lock, b->lock);
}

static int load_held(struct mmt_store *st, struct round *r, int64_t listing,
		     struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_held, err);
	int rc;

	if (!q)
		return -1;
	mmt_bind_int(q, 1, listing);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct held *h;

		xgrow((void **)&r->held, &r->heldcap, r->nheld + 1, sizeof(*r->held));
		h = &r->held[r->nheld++];
		memset(h, 0, sizeof(*h));
		h->pid = sqlite3_column_int64(q, 0);
		snprintf(h->comm, sizeof(h->comm), "%s", mmt_col_text(q, 1));
		h->idx = sqlite3_column_int(q, 2);
		snprintf(h->lock, sizeof(h->lock), "%s", mmt_col_text(q, 3));
		snprintf(h->addr, sizeof(h->addr), "%s", mmt_col_text(q, 4));
		snprintf(h->at, sizeof(h->at), "%s", mmt_col_text(q, 5));
		h->line = sqlite3_column_int64(q, 6);
	}
	return rc;
}

static void read_waiter(sqlite3_stmt *q, struct waiter *w)
{
	memset(w, 0, sizeof(*w));
	w->pid = sqlite3_column_int64(q, 0);
	snprintf(w->comm, sizeof(w->comm), "%s", mmt_col_text(q, 1));
	w->report = sqlite3_column_int64(q, 2);
	w->task_line = sqlite3_column_int64(q, 3);
	w->line_start = sqlite3_column_int64(q, 4);
	w->stack_id = sqlite3_column_int64(q, 5);
	w->has_owner = !mmt_col_null(q, 6);
	w->owner_pid = sqlite3_column_int64(q, 6);
	snprintf(w->owner_comm, sizeof(w->owner_comm), "%s", mmt_col_text(q, 7));
	snprintf(w->lock_type, sizeof(w->lock_type), "%s", mmt_col_text(q, 8));
	w->has_t = !mmt_col_null(q, 9);
	w->t = sqlite3_column_double(q, 9);
	w->awaited = -1;
}

static struct waiter *find_waiter(struct round *r, int64_t pid)
{
	for (size_t i = 0; i < r->nw; i++)
		if (r->w[i].pid == pid)
			return &r->w[i];
	return NULL;
}

/* True when the stack sleeps in a lock and takes it at function `at`. */
static bool taken_at_site(const struct waits_stack *ws, const char *at)
{
	enum prim p = ws->w.prim;

	if (p != PRIM_MUTEX && p != PRIM_RWSEM && p != PRIM_PERCPU_RWSEM &&
	    p != PRIM_SEMAPHORE && p != PRIM_RTMUTEX && p != PRIM_SPIN)
		return false;
	if (ws->w.site < 0 || !at[0])
		return false;
	for (size_t i = (size_t)ws->w.site; i < ws->s.n && i < (size_t)ws->w.site + NEAR_FRAMES; i++)
		if (!strcmp(ws->s.sym[i], at))
			return true;
	return false;
}

/* The last listed lock of the waiter, when its stack is taking it. */
static int mark_awaited(struct mmt_store *st, struct round *r, struct waiter *w,
			struct mmt_err *err)
{
	struct waits_stack ws;
	int last = -1;

	for (size_t i = 0; i < r->nheld; i++)
		if (r->held[i].pid == w->pid)
			last = (int)i;
	if (last < 0 || pseudo_lock(r->held[last].lock) || !w->stack_id)
		return 0;
	if (waits_stack_load(st, w->stack_id, &ws, err) < 0)
		return -1;
	if (taken_at_site(&ws, r->held[last].at)) {
		w->awaited = last;
		r->held[last].awaited = true;
	}
	waits_stack_unload(&ws);
	return 0;
}

static void add_edge(struct round *r, size_t from, int64_t to, int held)
{
	xgrow((void **)&r->e, &r->ecap, r->ne + 1, sizeof(*r->e));
	r->e[r->ne++] = (struct edge){ .from = from, .to_pid = to, .held = held };
}

static void build_edges(struct round *r)
{
	for (size_t i = 0; i < r->nw; i++) {
		struct waiter *w = &r->w[i];

		w->out_first = r->ne;
		if (w->has_owner && w->owner_pid != w->pid)
			add_edge(r, i, w->owner_pid, -1);
		if (w->awaited < 0)
			goto done;
		for (size_t k = 0; k < r->nheld; k++) {
			const struct held *h = &r->held[k];

			if (h->pid == w->pid || h->awaited || !same_lock(h, &r->held[w->awaited]))
				continue;
			add_edge(r, i, h->pid, (int)k);
		}
done:
		w->out_n = r->ne - w->out_first;
	}
}

/* "the mutex" or the lock's name, for summaries. */
static const char *edge_lock(const struct round *r, const struct edge *e)
{
	const struct waiter *w = &r->w[e->from];

	if (e->held >= 0)
		return r->held[e->held].lock;
	return w->lock_type[0] ? w->lock_type : "lock";
}

static int quote_held(struct mmt_store *st, int64_t id, int *idx, const struct round *r,
		      const struct held *h, int64_t listing_report, struct mmt_err *err)
{
	if (*idx >= MAX_EVIDENCE)
		return 0;
	return mmt_finding_line(st, id, (*idx)++, r->source, h->line, listing_report, err);
}

static int cycle_subjects(struct mmt_store *st, int64_t id, const struct round *r,
			  const size_t *path, size_t n, struct mmt_err *err)
{
	for (size_t k = 0; k < n; k++) {
		const struct waiter *w = &r->w[r->e[path[k]].from];

		if (mmt_finding_subject(st, id, "task", w->pid, true, w->comm, err) < 0 ||
		    mmt_finding_subject(st, id, "lock", 0, false, edge_lock(r, &r->e[path[k]]),
					err) < 0)
			return -1;
	}
	return 0;
}

static int cycle_evidence(struct mmt_store *st, struct known *kn, const struct round *r,
			  const size_t *path, size_t n, int64_t listing, struct mmt_err *err)
{
	int64_t id = kn->id;
	int idx = 0;

	for (size_t k = 0; k < n; k++) {
		const struct edge *e = &r->e[path[k]];
		const struct waiter *w = &r->w[e->from];

		if (known_report(st, kn, w->report, err) < 0)
			return -1;
		if (idx < MAX_EVIDENCE && mmt_finding_line(st, id, idx++, r->source, w->task_line,
							   w->report, err) < 0)
			return -1;
		if (e->held < 0)
			continue;
		if (quote_held(st, id, &idx, r, &r->held[w->awaited], listing, err) < 0 ||
		    quote_held(st, id, &idx, r, &r->held[e->held], listing, err) < 0)
			return -1;
	}
	return 0;
}

static void describe_cycle(struct mmt_sb *sb, const struct round *r, const size_t *path,
			   size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct edge *e = &r->e[path[k]];
		const struct waiter *w = &r->w[e->from];
		const struct edge *prev = &r->e[path[(k + n - 1) % n]];

		mmt_sb_addf(sb, "%s%s:%lld holds %s and waits for %s", k ? "; " : "",
			    w->comm, (long long)w->pid, edge_lock(r, prev), edge_lock(r, e));
		if (e->held >= 0 && r->held[e->held].at[0])
			mmt_sb_addf(sb, " (which %s took at %s)", r->held[e->held].comm,
				    r->held[e->held].at);
	}
	mmt_sb_addf(sb, "; which closes the cycle.");
}

static bool cycle_by_address(const struct round *r, const size_t *path, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct edge *e = &r->e[path[k]];

		if (e->held >= 0 && !r->held[e->held].addr[0])
			return false;
	}
	return true;
}

static int report_cycle(struct mmt_store *st, struct round *r, const size_t *path, size_t n,
			int64_t listing, struct mmt_err *err)
{
	struct mmt_finding f;
	struct known *known;
	char sig[512] = "|";
	size_t start = 0;
	int64_t id;
	int rc;

	/* One signature per cycle whatever node the search entered it by. */
	for (size_t k = 1; k < n; k++)
		if (r->w[r->e[path[k]].from].pid < r->w[r->e[path[start]].from].pid)
			start = k;
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(sig);

		snprintf(sig + len, sizeof(sig) - len, "%lld,",
			 (long long)r->w[r->e[path[(start + k) % n]].from].pid);
	}
	strncat(sig, "|", sizeof(sig) - strlen(sig) - 1);
	known = find_known(r, sig);
	if (known) {
		const struct waiter *ws[64];
		size_t nw = 0;

		for (size_t k = 0; k < n && nw < 64; k++)
			ws[nw++] = &r->w[r->e[path[k]].from];
		return seen_again(st, r, known, ws, nw, err);
	}
	r->cycles++;
	mmt_finding_init(&f, "waits", "deadlock", "critical");
	snprintf(f.title, sizeof(f.title), "deadlock: %zu tasks wait for each other's locks (%s:%lld "
		 "waits for %.60s)", n, r->w[r->e[path[0]].from].comm,
		 (long long)r->w[r->e[path[0]].from].pid, edge_lock(r, &r->e[path[0]]));
	describe_cycle(&f.summary, r, path, n);
	mmt_sb_adds(&f.summary, " None of them can go on until one lets go: this is a lock-order "
		    "inversion. Fix the order in which these locks are taken (lockdep, "
		    "CONFIG_PROVE_LOCKING, names the two orders), or take one with a trylock "
		    "and back off.");
	for (size_t k = 0; k < n; k++)
		if (r->w[r->e[path[k]].from].has_t)
			mmt_finding_time(&f, r->w[r->e[path[k]].from].t);
	f.confidence = cycle_by_address(r, path, n) ? 0.9 : 0.6;
	f.score = 990;
	id = mmt_finding_add(st, &f, err);
	if (id < 0) {
		mmt_finding_free(&f);
		return -1;
	}
	known = remember(r, sig, id, &f);
	rc = cycle_subjects(st, id, r, path, n, err) < 0 ||
	     cycle_evidence(st, known, r, path, n, listing, err) < 0 ? -1 : 0;
	return rc;
}

/* Where the waiter already is on the search path, or -1. */
static int path_position(const struct round *r, const size_t *path, size_t depth, size_t node)
{
	for (size_t d = 0; d <= depth; d++)
		if (r->e[path[d]].from == node)
			return (int)d;
	return -1;
}

/*
 * Depth-first search along the edges; a waiter met again on the path
 * closes a cycle. The step budget bounds the search on dense graphs (many
 * readers of one rwsem).
 */
static int search(struct mmt_store *st, struct round *r, size_t *path, size_t depth,
		  size_t node, int64_t listing, struct mmt_err *err)
{
	const struct waiter *w = &r->w[node];

	for (size_t k = w->out_first; k < w->out_first + w->out_n; k++) {
		struct waiter *next = find_waiter(r, r->e[k].to_pid);
		int at;

		if (r->cycles >= (int)mmt_threshold("waits.deadlock_max_cycles") ||
		    ++r->steps > SEARCH_STEPS)
			return 0;
		if (!next)
			continue;
		path[depth] = k;
		at = path_position(r, path, depth, (size_t)(next - r->w));
		if (at >= 0) {
			if (report_cycle(st, r, path + at, depth + 1 - (size_t)at, listing, err) < 0)
				return -1;
			continue;
		}
		if (depth + 1 < r->nw &&
		    search(st, r, path, depth + 1, (size_t)(next - r->w), listing, err) < 0)
			return -1;
	}
	return 0;
}

static int self_deadlock(struct mmt_store *st, struct round *r, const struct waiter *w,
			 int64_t listing, struct mmt_err *err)
{
	const struct held *a = &r->held[w->awaited], *h = NULL;
	struct mmt_finding f;
	struct known *known;
	char sig[512];
	int64_t id;
	int idx = 0, rc;

	for (size_t k = 0; k < r->nheld; k++)
		if (r->held[k].pid == w->pid && (int)k != w->awaited && a->addr[0] &&
		    !strcmp(r->held[k].addr, a->addr))
			h = &r->held[k];
	if (!h)
		return 0;
	snprintf(sig, sizeof(sig), "self|%lld|%s|", (long long)w->pid, a->addr);
	known = find_known(r, sig);
	if (known)
		return seen_again(st, r, known, &w, 1, err);
	mmt_finding_init(&f, "waits", "deadlock", "critical");
	snprintf(f.title, sizeof(f.title), "self-deadlock: %s:%lld waits for %.80s, which it holds",
		 w->comm, (long long)w->pid, a->lock);
	mmt_sb_addf(&f.summary, "%s:%lld took %s at %s and waits to take the same lock (same "
		    "address) again at %s: it waits for itself and never wakes. Every task that "
		    "needs this lock hangs behind it. The second acquisition needs a nesting "
		    "annotation only if it is a different lock of the same class; with one "
		    "address it is a bug in the code path through %s.", w->comm,
		    (long long)w->pid, h->lock, h->at, a->at, a->at);
	if (w->has_t)
		mmt_finding_time(&f, w->t);
	f.confidence = 0.85;
	f.score = 990;
	id = mmt_finding_add(st, &f, err);
	if (id < 0) {
		mmt_finding_free(&f);
		return -1;
	}
	known = remember(r, sig, id, &f);
	rc = mmt_finding_subject(st, id, "task", w->pid, true, w->comm, err) < 0 ||
	     mmt_finding_subject(st, id, "lock", 0, false, a->lock, err) < 0 ||
	     known_report(st, known, w->report, err) < 0 ||
	     mmt_finding_line(st, id, idx++, r->source, w->task_line, w->report, err) < 0 ||
	     quote_held(st, id, &idx, r, h, listing, err) < 0 ||
	     quote_held(st, id, &idx, r, a, listing, err) < 0 ? -1 : 0;
	return rc;
}

static int analyze_round(struct mmt_store *st, struct round *r, int64_t listing,
			 struct mmt_err *err)
{
	size_t *path;
	int rc = 0;

	if (!r->nw)
		return 0;
	for (size_t i = 0; i < r->nw; i++)
		if (mark_awaited(st, r, &r->w[i], err) < 0)
			return -1;
	build_edges(r);
	for (size_t i = 0; i < r->nw && rc == 0; i++)
		if (r->w[i].awaited >= 0)
			rc = self_deadlock(st, r, &r->w[i], listing, err);
	path = xcalloc(r->nw + 1, sizeof(*path));
	for (size_t i = 0; i < r->nw && rc == 0; i++)
		rc = search(st, r, path, 0, i, listing, err);
	free(path);
	return rc;
}

/* Adds a blocked task to the round, once per pid. */
static void add_waiter(struct round *r, const struct waiter *w)
{
	struct waiter *old = find_waiter(r, w->pid);

	if (old) {
		if (!old->has_owner && w->has_owner)
			*old = *w;
		return;
	}
	xgrow((void **)&r->w, &r->wcap, r->nw + 1, sizeof(*r->w));
	r->w[r->nw++] = *w;
}

/*
 * The rounds of one source: blocked tasks up to each held-lock listing go
 * with it; those after the last listing form a round of their own.
 */
static int analyze_source(struct mmt_store *st, int64_t source, struct mmt_err *err)
{
	sqlite3_stmt *ls = mmt_store_prepare(st, sql_listings, err);
	sqlite3_stmt *bq = mmt_store_prepare(st, sql_blocked, err);
	struct round r = { .source = source };
	struct waiter w;
	bool have_w = false;
	int rc = -1, lrc = 1, brc = 1;

	if (!ls || !bq)
		goto out;
	sqlite3_bind_int64(ls, 1, source);
	sqlite3_bind_int64(bq, 1, source);
	while (lrc > 0) {
		int64_t listing = 0, end = INT64_MAX;

		lrc = mmt_store_step(st, ls, err);
		if (lrc < 0)
			goto out;
		if (lrc > 0) {
			listing = sqlite3_column_int64(ls, 0);
			end = sqlite3_column_int64(ls, 1);
			if (load_held(st, &r, listing, err) < 0)
				goto out;
		}
		while (brc > 0) {
			if (!have_w) {
				brc = mmt_store_step(st, bq, err);
				if (brc < 0)
					goto out;
				if (brc == 0)
					break;
				read_waiter(bq, &w);
				have_w = true;
			}
			if (w.line_start > end)
				break;
			w.source = source;
			add_waiter(&r, &w);
			have_w = false;
		}
		if (analyze_round(st, &r, listing, err) < 0)
			goto out;
		round_reset(&r);
	}
	rc = complete_known(st, &r, err);
out:
	round_free(&r);
	sqlite3_finalize(ls);
	sqlite3_finalize(bq);
	return rc;
}

/* "ADDR (NAME){usage}, at: FUNC+off" after a lockdep header line. */
static bool parse_lock_line(const char *text, struct mmt_held_lock *hl)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "#0: %s", text);
	return mmt_held_lock_parse(buf, strlen(buf), hl) == 1;
}

struct recursive {
	struct mmt_held_lock want, have;
	int64_t want_line, have_line, header_line;
	int state;		/* 1: next line is the wanted lock, 2: the held one */
	bool got_want, got_have;
};

static int read_recursive(struct mmt_store *st, int64_t report, struct recursive *rec,
			  struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_report_lines, err);
	int rc;

	memset(rec, 0, sizeof(*rec));
	if (!q)
		return -1;
	mmt_bind_int(q, 1, report);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		const char *t = mmt_col_text(q, 1);
		int64_t line = sqlite3_column_int64(q, 0);

		if (strstr(t, "recursive locking detected"))
			rec->header_line = line;
		if (rec->state == 1 && !rec->got_want && parse_lock_line(t, &rec->want)) {
			rec->got_want = true;
			rec->want_line = line;
		} else if (rec->state == 2 && !rec->got_have && parse_lock_line(t, &rec->have)) {
			rec->got_have = true;
			rec->have_line = line;
		}
		if (strstr(t, "is trying to acquire lock"))
			rec->state = 1;
		else if (strstr(t, "already holding lock"))
			rec->state = 2;
	}
	return rc;
}

static int recursive_finding(struct mmt_store *st, sqlite3_stmt *row, const struct recursive *rec,
			     struct mmt_err *err)
{
	int64_t report = sqlite3_column_int64(row, 0), source = sqlite3_column_int64(row, 1);
	const char *comm = mmt_col_text(row, 5);
	int64_t pid = sqlite3_column_int64(row, 4);
	bool has_pid = !mmt_col_null(row, 4);
	struct mmt_finding f;
	int64_t id;
	int rc;

	mmt_finding_init(&f, "waits", "deadlock", "critical");
	snprintf(f.title, sizeof(f.title), "self-deadlock: %s takes %.80s at %s while holding it",
		 comm, rec->want.lock, rec->want.at);
	mmt_sb_addf(&f.summary, "Lockdep caught %s:%lld taking %s at %s while it already holds "
		    "the same lock, at the same address, taken at %s. For a mutex, rwsem or "
		    "spinlock this task now waits for itself forever, and every task that needs "
		    "the lock hangs behind it. Fix the code path so the lock is taken once "
		    "(or released before the second call).", comm, (long long)pid,
		    rec->want.lock, rec->want.at, rec->have.at);
	if (!mmt_col_null(row, 3))
		mmt_finding_time(&f, sqlite3_column_double(row, 3));
	f.confidence = 0.85;
	f.score = 985;
	id = mmt_finding_add(st, &f, err);
	rc = id < 0 ||
	     mmt_finding_subject(st, id, "task", pid, has_pid, comm, err) < 0 ||
	     mmt_finding_subject(st, id, "lock", 0, false, rec->want.lock, err) < 0 ||
	     mmt_finding_report(st, id, report, err) < 0 ||
	     mmt_finding_line(st, id, 0, source, rec->header_line ? rec->header_line :
			      sqlite3_column_int64(row, 2), report, err) < 0 ||
	     mmt_finding_line(st, id, 1, source, rec->want_line, report, err) < 0 ||
	     mmt_finding_line(st, id, 2, source, rec->have_line, report, err) < 0 ? -1 : 0;
	mmt_finding_free(&f);
	return rc;
}

/* Lockdep's recursive-locking reports where both sides name one lock instance. */
static int recursive_reports(struct mmt_store *st, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_recursive, err);
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct recursive rec;

		if (read_recursive(st, sqlite3_column_int64(q, 0), &rec, err) < 0) {
			rc = -1;
			break;
		}
		if (!rec.got_want || !rec.got_have || !rec.want.has_address ||
		    !rec.have.has_address || rec.want.address != rec.have.address ||
		    pseudo_lock(rec.want.lock))
			continue;
		if (recursive_finding(st, q, &rec, err) < 0) {
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc;
}

int waits_deadlocks(struct mmt_store *st, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_sources, err);
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0)
		if (analyze_source(st, sqlite3_column_int64(q, 0), err) < 0) {
			rc = -1;
			break;
		}
	sqlite3_finalize(q);
	if (rc < 0)
		return -1;
	return recursive_reports(st, err);
}
