/*
 * trace_tasks: the names each pid had over a trace. Every event shows its
 * task's name (common_comm), and some show other tasks' names in their
 * fields (sched_switch's next_comm, sched_process_fork's child_comm,
 * task_rename's newcomm). Only perf records names as they change
 * (PERF_RECORD_COMM); trace.dat and tracefs text name a pid by what it was
 * called when the trace was read, so there the fields win where they exist. Names are observed feed by feed, each feed in
 * time order: a scan of one event table, or the stream of stateful events.
 * Within a feed, consecutive observations of one pid with one name make a
 * run; at the end the runs of all feeds are sorted per pid by time and
 * neighbours with the same name merged. One pass over the events, no
 * sorting of them: the runs are few (a task renames itself rarely).
 */
#include "analyzers/replay_state.h"
#include "core/strmap.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_comms[] = "SELECT id, comm FROM trace_comms";
static const char sql_tables[] = "SELECT tbl FROM trace_types ORDER BY id";
static const char sql_insert[] =
	"INSERT OR IGNORE INTO trace_tasks (source, pid, comm, first_ns, last_ns) "
	"VALUES (?, ?, ?, ?, ?)";
static const char sql_name_at[] =
	"SELECT comm FROM trace_tasks WHERE source = ?1 AND pid = ?2 AND first_ns <= ?3 "
	"ORDER BY first_ns DESC LIMIT 1";
static const char sql_first_name[] =
	"SELECT comm FROM trace_tasks WHERE source = ?1 AND pid = ?2 ORDER BY first_ns LIMIT 1";

struct run {
	int64_t pid;
	int64_t first, last;
	int32_t name;			/* index in names */
	bool common;			/* from common_comm, not from a field */
};

struct mmt_rnames {
	struct mmt_strmap index;	/* name -> index in names */
	char **names;
	size_t nnames, capnames;
	int32_t *by_comm_id;		/* trace_comms.id -> name index, -1 */
	size_t ncomm_ids;
	struct mmt_rvec runs;		/* struct run */
	struct mmt_rmap open;		/* pid -> index in runs of the feed's run */
	bool common;			/* the feed is of common_comm */
};

static int32_t intern(struct mmt_rnames *n, const char *s, size_t len)
{
	int64_t at;

	if (mmt_strmap_get(&n->index, s, len, &at))
		return (int32_t)at;
	if (n->nnames == n->capnames) {
		n->capnames = n->capnames ? n->capnames * 2 : 64;
		n->names = xrealloc(n->names, n->capnames * sizeof(*n->names));
	}
	n->names[n->nnames] = xstrndup(s, len);
	mmt_strmap_put(&n->index, s, len, (int64_t)n->nnames);
	return (int32_t)n->nnames++;
}

/* Names that say nothing: empty, or what text traces print for an unknown task. */
static bool no_name(const char *s)
{
	return !s || !s[0] || !strcmp(s, "<...>");
}

struct mmt_rnames *mmt_rnames_new(struct mmt_store *st, struct mmt_err *err)
{
	struct mmt_rnames *n = xcalloc(1, sizeof(*n));
	sqlite3_stmt *q = mmt_store_stmt(st, sql_comms, err);
	int rc = -1;

	while (q && (rc = mmt_store_step(st, q, err)) > 0) {
		int64_t id = sqlite3_column_int64(q, 0);
		const char *comm = mmt_col_text(q, 1);

		if (id < 0 || id > (1 << 24))
			continue;
		while (n->ncomm_ids <= (size_t)id) {
			n->by_comm_id = xrealloc(n->by_comm_id,
						 (n->ncomm_ids + 1) * 2 * sizeof(*n->by_comm_id));
			for (size_t i = n->ncomm_ids; i < (n->ncomm_ids + 1) * 2; i++)
				n->by_comm_id[i] = -1;
			n->ncomm_ids = (n->ncomm_ids + 1) * 2;
		}
		n->by_comm_id[id] = no_name(comm) ? -1 : intern(n, comm, strlen(comm));
	}
	if (rc < 0) {
		mmt_rnames_free(n);
		return NULL;
	}
	return n;
}

void mmt_rnames_free(struct mmt_rnames *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nnames; i++)
		free(n->names[i]);
	free(n->names);
	free(n->by_comm_id);
	mmt_strmap_free(&n->index);
	free(n->runs.v);
	mmt_rmap_free(&n->open);
	free(n);
}

void mmt_rnames_feed(struct mmt_rnames *n)
{
	mmt_rmap_free(&n->open);
	n->common = false;
}

static void seen_index(struct mmt_rnames *n, int64_t pid, int32_t name, int64_t ts)
{
	struct run *r;
	int64_t at;

	if (pid <= 0 || name < 0)
		return;
	if (mmt_rmap_get(&n->open, pid, &at)) {
		r = (struct run *)n->runs.v + at;
		if (r->name == name) {
			if (ts > r->last)
				r->last = ts;
			return;
		}
	}
	mmt_rmap_put(&n->open, pid, (int64_t)n->runs.n);
	r = mmt_rvec_push(&n->runs, sizeof(*r));
	r->pid = pid;
	r->name = name;
	r->first = r->last = ts;
	r->common = n->common;
}

void mmt_rnames_seen(struct mmt_rnames *n, int64_t pid, const char *comm, int64_t ts_ns)
{
	if (pid > 0 && !no_name(comm))
		seen_index(n, pid, intern(n, comm, strlen(comm)), ts_ns);
}

void mmt_rnames_event(struct mmt_rnames *n, const struct mmt_revent *e)
{
	switch (e->kind) {
	case MMT_RK_SWITCH:
		if (e->has_a)
			mmt_rnames_seen(n, e->a, e->s1, e->ts_ns);
		if (e->has_b)
			mmt_rnames_seen(n, e->b, e->s2, e->ts_ns);
		break;
	case MMT_RK_WAKEUP: case MMT_RK_WAKEUP_NEW: case MMT_RK_WAKING: case MMT_RK_EXIT:
		if (e->has_a)
			mmt_rnames_seen(n, e->a, e->s1, e->ts_ns);
		break;
	case MMT_RK_FORK:
		if (e->has_b)
			mmt_rnames_seen(n, e->b, e->s2, e->ts_ns);
		if (e->has_a)
			mmt_rnames_seen(n, e->a, e->s1, e->ts_ns);
		break;
	case MMT_RK_RENAME:
		if (e->has_a) {
			mmt_rnames_seen(n, e->a, e->s1, e->ts_ns);
			mmt_rnames_seen(n, e->a, e->s2, e->ts_ns);
		}
		break;
	default:
		break;
	}
}

/* One table's events of the source: pid and name of each, in id order. */
static int scan_table(struct mmt_rnames *n, struct mmt_store *st, const char *tbl,
		      int64_t source, int64_t first_id, int64_t last_id, struct mmt_err *err)
{
	char *sql = sqlite3_mprintf("SELECT common_ts_ns, common_pid, common_comm_id FROM "
				    "\"%w\" WHERE id BETWEEN ?1 AND ?2 AND common_source = ?3",
				    tbl);
	sqlite3_stmt *q = mmt_store_prepare(st, sql, err);
	int64_t last_pid = -1, last_comm = -1;
	int32_t last_name = -1;
	int rc = -1;

	sqlite3_free(sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, first_id);
	sqlite3_bind_int64(q, 2, last_id);
	sqlite3_bind_int64(q, 3, source);
	mmt_rnames_feed(n);
	n->common = true;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t pid = sqlite3_column_int64(q, 1), comm = sqlite3_column_int64(q, 2);
		int64_t ts = sqlite3_column_int64(q, 0);

		if (pid == last_pid && comm == last_comm) {
			int64_t at;

			/* The common case: the same task again; only its run's end moves. */
			if (last_name >= 0 && mmt_rmap_get(&n->open, pid, &at))
				((struct run *)n->runs.v + at)->last = ts;
			continue;
		}
		last_pid = pid;
		last_comm = comm;
		last_name = -1;
		if (sqlite3_column_type(q, 2) != SQLITE_NULL && comm >= 0 &&
		    (size_t)comm < n->ncomm_ids && pid > 0)
			last_name = n->by_comm_id[comm];
		seen_index(n, pid, last_name, ts);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return mmt_err_set(err, "reading %s: %s", tbl, sqlite3_errstr(rc));
	return 0;
}

int mmt_rnames_scan(struct mmt_rnames *n, struct mmt_store *st, int64_t source,
		    int64_t first_id, int64_t last_id, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_tables, err);
	int rc = -1;

	while (q && (rc = mmt_store_step(st, q, err)) > 0)
		if (scan_table(n, st, mmt_col_text(q, 0), source, first_id, last_id, err) < 0) {
			rc = -1;
			break;
		}
	sqlite3_finalize(q);
	return rc;
}

static int cmp_runs(const void *pa, const void *pb)
{
	const struct run *a = pa, *b = pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	if (a->last != b->last)
		return a->last < b->last ? -1 : 1;
	return a->name - b->name;
}

static int insert_run(struct mmt_store *st, const struct mmt_rnames *n, int64_t source,
		      const struct run *r, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_insert, err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, source);
	sqlite3_bind_int64(q, 2, r->pid);
	mmt_bind_text(q, 3, n->names[r->name]);
	sqlite3_bind_int64(q, 4, r->first);
	sqlite3_bind_int64(q, 5, r->last);
	return mmt_store_run(st, q, err);
}

/*
 * Drops the common_comm runs of pids that fields name: trace.dat and
 * tracefs text give an event the name its pid had when the trace was read
 * (the kernel's saved_cmdlines), not when the event fired; fields carry
 * the name of the moment. Returns the runs left, in the same order.
 */
static size_t keep_timely(struct run *r, size_t n)
{
	size_t out = 0;

	for (size_t i = 0, j; i < n; i = j) {
		bool named = false;

		for (j = i; j < n && r[j].pid == r[i].pid; j++)
			named |= !r[j].common;
		for (size_t k = i; k < j; k++)
			if (!(named && r[k].common))
				r[out++] = r[k];
	}
	return out;
}

int mmt_rnames_write(struct mmt_rnames *n, struct mmt_store *st, int64_t source,
		     bool common_timely, struct mmt_err *err)
{
	struct run *r = n->runs.v, cur;
	size_t count = n->runs.n;

	if (!count)
		return 0;
	qsort(r, count, sizeof(*r), cmp_runs);
	if (!common_timely)
		count = keep_timely(r, count);
	cur = r[0];
	for (size_t i = 1; i < count; i++) {
		if (r[i].pid == cur.pid && r[i].name == cur.name) {
			if (r[i].last > cur.last)
				cur.last = r[i].last;
			continue;
		}
		if (insert_run(st, n, source, &cur, err) < 0)
			return -1;
		cur = r[i];
	}
	return insert_run(st, n, source, &cur, err);
}

static bool name_query(struct mmt_store *st, const char *sql, int64_t source, int32_t pid,
		       int64_t t_ns, char *out, size_t n)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql, NULL);
	bool found;

	if (!q)
		return false;
	sqlite3_bind_int64(q, 1, source);
	sqlite3_bind_int64(q, 2, pid);
	if (sql == sql_name_at)
		sqlite3_bind_int64(q, 3, t_ns);
	found = sqlite3_step(q) == SQLITE_ROW;
	if (found)
		snprintf(out, n, "%s", mmt_col_text(q, 0));
	sqlite3_reset(q);
	return found;
}

bool mmt_replay_task_name(struct mmt_store *st, int64_t source, int32_t pid, int64_t t_ns,
			  char *out, size_t n)
{
	return name_query(st, sql_name_at, source, pid, t_ns, out, n) ||
	       name_query(st, sql_first_name, source, pid, t_ns, out, n);
}
