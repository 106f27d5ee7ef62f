/*
 * Checkpoints of the replayed state, and the state at a time T.
 *
 * Building streams a source's stateful events once, in id order, through
 * the state machine, and stores the whole state every `every` events
 * (schema 004-replay.sql), plus what each task and CPU did before its
 * first event (replay_first_*) and the names tasks had (trace_tasks). The
 * interval, max(2048, events / 256), keeps the replay after a checkpoint
 * to milliseconds (about a microsecond an event) with at most a few
 * hundred checkpoints, whatever the trace's size.
 *
 * The state at T is the checkpoint at or before T, the events after it up
 * to T, and the tasks and CPUs first seen after T as they were before.
 * Without checkpoints (a read-only database that has none) the same comes
 * from replaying the whole trace: the same answer, more slowly.
 */
#include "analyzers/replay_state.h"
#include "core/kver.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char sql_sources[] =
	"SELECT s.id, t.first_id, t.last_id, t.first_ns, t.last_ns, s.t_offset, t.lost, "
	"s.path, s.kind, t.clock, s.kernel, t.cpus "
	"FROM trace_sources t JOIN sources s ON s.id = t.source_id "
	"WHERE ?1 = 0 OR s.id = ?1 ORDER BY s.id";
static const char sql_built[] = "SELECT version FROM replay_builds WHERE source = ?";
static const char *const sql_clear[] = {
	"DELETE FROM replay_checkpoints WHERE source = ?",
	"DELETE FROM replay_builds WHERE source = ?",
	"DELETE FROM replay_first_tasks WHERE source = ?",
	"DELETE FROM replay_first_cpus WHERE source = ?",
	"DELETE FROM trace_tasks WHERE source = ?",
};
static const char sql_build_row[] =
	"INSERT INTO replay_builds (source, version, events, checkpoints, every, built_at) "
	"VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_first_task[] =
	"INSERT OR IGNORE INTO replay_first_tasks (source, pid, first_ns, state, cpu) "
	"VALUES (?, ?, ?, ?, ?)";
static const char sql_first_cpu[] =
	"INSERT OR IGNORE INTO replay_first_cpus (source, cpu, pid, first_ns, seen_ns) "
	"VALUES (?, ?, ?, ?, ?)";
static const char sql_later_tasks[] =
	"SELECT pid, state, cpu FROM replay_first_tasks WHERE source = ?1 AND first_ns > ?2";
static const char sql_later_cpus[] =
	"SELECT cpu, pid FROM replay_first_cpus WHERE source = ?1 AND first_ns > ?2 AND "
	"seen_ns <= ?2";
static const char sql_types_named[] = "SELECT tbl FROM trace_types WHERE name = ?";

/* Fewest events between checkpoints, and how many checkpoints at most (about). */
#define MIN_EVERY 2048
#define MAX_CHECKPOINTS 256

static void copy_text(char *out, size_t n, sqlite3_stmt *q, int col)
{
	snprintf(out, n, "%s", mmt_col_text(q, col));
}

static void read_source(sqlite3_stmt *q, struct mmt_replay_source *s)
{
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(q, 0);
	s->first_id = mmt_col_null(q, 1) ? 0 : sqlite3_column_int64(q, 1);
	s->last_id = mmt_col_null(q, 2) ? -1 : sqlite3_column_int64(q, 2);
	s->first_ns = sqlite3_column_int64(q, 3);
	s->last_ns = sqlite3_column_int64(q, 4);
	s->has_offset = !mmt_col_null(q, 5);
	s->t_offset = sqlite3_column_double(q, 5);
	s->lost = mmt_col_null(q, 6) ? -1 : sqlite3_column_int64(q, 6);
	copy_text(s->path, sizeof(s->path), q, 7);
	copy_text(s->kind, sizeof(s->kind), q, 8);
	copy_text(s->clock, sizeof(s->clock), q, 9);
	copy_text(s->kernel, sizeof(s->kernel), q, 10);
	s->cpus = sqlite3_column_int(q, 11);
}

int mmt_replay_sources(struct mmt_store *st, int64_t only, struct mmt_replay_source **out,
		       size_t *n, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_sources, err);
	struct mmt_rvec v = { 0 };
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, only);
	while ((rc = mmt_store_step(st, q, err)) > 0)
		read_source(q, mmt_rvec_push(&v, sizeof(struct mmt_replay_source)));
	sqlite3_reset(q);
	if (rc < 0) {
		free(v.v);
		return -1;
	}
	*out = v.v;
	*n = v.n;
	return 0;
}

int64_t mmt_replay_ns(const struct mmt_replay_source *src, double t)
{
	return llround((t - (src->has_offset ? src->t_offset : 0)) * 1e9);
}

double mmt_replay_seconds(const struct mmt_replay_source *src, int64_t ns)
{
	return (double)ns / 1e9 + (src->has_offset ? src->t_offset : 0);
}

int mmt_replay_built(struct mmt_store *st, int64_t source, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_built, err);
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, source);
	rc = mmt_store_step(st, q, err);
	if (rc > 0)
		rc = sqlite3_column_int(q, 0) == MMT_REPLAY_VERSION;
	sqlite3_reset(q);
	return rc;
}

bool mmt_replay_source_has(struct mmt_store *st, const struct mmt_replay_source *src,
			   const char *name)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_types_named, NULL);
	bool has = false;

	if (!q)
		return false;
	mmt_bind_text(q, 1, name);
	while (!has && sqlite3_step(q) == SQLITE_ROW) {
		char *sql = sqlite3_mprintf("SELECT 1 FROM \"%w\" WHERE id BETWEEN ? AND ? "
					    "AND common_source = ? LIMIT 1", mmt_col_text(q, 0));
		sqlite3_stmt *e = mmt_store_prepare(st, sql, NULL);

		sqlite3_free(sql);
		if (!e)
			continue;
		sqlite3_bind_int64(e, 1, src->first_id);
		sqlite3_bind_int64(e, 2, src->last_id);
		sqlite3_bind_int64(e, 3, src->id);
		has = sqlite3_step(e) == SQLITE_ROW;
		sqlite3_finalize(e);
	}
	sqlite3_reset(q);
	return has;
}

/* What the machine must know of a source before its first event. */
static void state_for(struct mmt_store *st, const struct mmt_replay_source *src,
		      struct mmt_replay_state *s)
{
	struct mmt_kver v, v414 = { 4, 14, 0 };

	mmt_replay_state_init(s, src->id);
	s->modern_states = mmt_kver_parse(src->kernel, &v) < 0 || mmt_kver_cmp(&v, &v414) >= 0;
	/* A task first seen switched in was waiting only if it was not new. */
	s->wakeups_traced = (mmt_replay_source_has(st, src, "sched_wakeup") ||
			     mmt_replay_source_has(st, src, "sched_waking")) &&
			    (mmt_replay_source_has(st, src, "sched_wakeup_new") ||
			     mmt_replay_source_has(st, src, "sched_process_fork"));
	s->event_id = src->first_id - 1;
	s->ts_ns = src->first_ns;
}


/* The first_task / first_cpu hooks while building: rows of replay_first_*. */
struct first_rows {
	struct mmt_store *st;
	int64_t source;
	struct mmt_err *err;
	bool failed;
};

static void first_task_row(void *ctx, int32_t pid, int64_t ts, uint8_t state, int32_t cpu)
{
	struct first_rows *f = ctx;
	struct mmt_rtask t = { .state = state };
	sqlite3_stmt *q;

	if (f->failed || state > MMT_RT_GONE)
		return;
	q = mmt_store_stmt(f->st, sql_first_task, f->err);
	if (!q) {
		f->failed = true;
		return;
	}
	sqlite3_bind_int64(q, 1, f->source);
	sqlite3_bind_int64(q, 2, pid);
	sqlite3_bind_int64(q, 3, ts);
	mmt_bind_text(q, 4, mmt_replay_state_name(&t));
	mmt_bind_int_opt(q, 5, cpu, cpu >= 0);
	if (mmt_store_run(f->st, q, f->err) < 0)
		f->failed = true;
}

static void first_cpu_row(void *ctx, int32_t cpu, int32_t pid, int64_t ts, int64_t seen)
{
	struct first_rows *f = ctx;
	sqlite3_stmt *q;

	if (f->failed)
		return;
	q = mmt_store_stmt(f->st, sql_first_cpu, f->err);
	if (!q) {
		f->failed = true;
		return;
	}
	sqlite3_bind_int64(q, 1, f->source);
	sqlite3_bind_int64(q, 2, cpu);
	sqlite3_bind_int64(q, 3, pid);
	sqlite3_bind_int64(q, 4, ts);
	sqlite3_bind_int64(q, 5, seen);
	if (mmt_store_run(f->st, q, f->err) < 0)
		f->failed = true;
}

static int clear_build(struct mmt_store *st, int64_t source, struct mmt_err *err)
{
	for (size_t i = 0; i < sizeof(sql_clear) / sizeof(sql_clear[0]); i++) {
		sqlite3_stmt *q = mmt_store_stmt(st, sql_clear[i], err);

		if (!q)
			return -1;
		sqlite3_bind_int64(q, 1, source);
		if (mmt_store_run(st, q, err) < 0)
			return -1;
	}
	return 0;
}

/* The stream through the machine, a checkpoint every `every` events. */
static int replay_all(struct mmt_store *st, const struct mmt_replay_source *src,
		      struct mmt_replay_state *s, struct mmt_rnames *names, int64_t every,
		      int64_t *events, int64_t *checkpoints, struct mmt_err *err)
{
	struct mmt_rstream *r = mmt_rstream_open(st, src->id, src->first_id - 1, src->last_id, err);
	struct mmt_revent e;
	int rc;

	if (!r)
		return -1;
	rc = mmt_replay_cp_write(st, s, err);
	*checkpoints = 1;
	mmt_rnames_feed(names);
	while (rc == 0 && (rc = mmt_rstream_next(r, &e, err)) > 0) {
		mmt_replay_apply(s, &e);
		mmt_rnames_event(names, &e);
		rc = 0;
		if (++*events % every == 0) {
			rc = mmt_replay_cp_write(st, s, err);
			++*checkpoints;
		}
	}
	mmt_rstream_close(r);
	return rc;
}

static int write_build_row(struct mmt_store *st, int64_t source, int64_t events,
			   int64_t checkpoints, int64_t every, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_build_row, err);
	char now[32];
	time_t t = time(NULL);
	struct tm tm;

	if (!q)
		return -1;
	(void)gmtime_r(&t, &tm);	/* the current time fits */
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sqlite3_bind_int64(q, 1, source);
	sqlite3_bind_int64(q, 2, MMT_REPLAY_VERSION);
	sqlite3_bind_int64(q, 3, events);
	sqlite3_bind_int64(q, 4, checkpoints);
	sqlite3_bind_int64(q, 5, every);
	mmt_bind_text(q, 6, now);
	return mmt_store_run(st, q, err);
}

static int build_in_tx(struct mmt_store *st, const struct mmt_replay_source *src, int64_t every,
		       struct mmt_err *err)
{
	struct first_rows f = { st, src->id, err, false };
	struct mmt_replay_state s;
	struct mmt_rnames *names;
	int64_t events = 0, checkpoints = 0, total;
	int rc = -1;

	if (clear_build(st, src->id, err) < 0)
		return -1;
	total = mmt_rstream_count(st, src->id, src->first_id - 1, src->last_id, err);
	if (total < 0 || !(names = mmt_rnames_new(st, err)))
		return -1;
	if (every <= 0)
		every = total / MAX_CHECKPOINTS > MIN_EVERY ? total / MAX_CHECKPOINTS : MIN_EVERY;
	state_for(st, src, &s);
	s.first_task = first_task_row;
	s.first_cpu = first_cpu_row;
	s.first_ctx = &f;
	if (replay_all(st, src, &s, names, every, &events, &checkpoints, err) == 0 && !f.failed &&
	    mmt_rnames_scan(names, st, src->id, src->first_id, src->last_id, err) == 0 &&
	    mmt_rnames_write(names, st, src->id, !strcmp(src->kind, "perf_script"), err) == 0)
		rc = write_build_row(st, src->id, events, checkpoints, every, err);
	mmt_replay_state_free(&s);
	mmt_rnames_free(names);
	return rc;
}

int mmt_replay_build(struct mmt_store *st, const struct mmt_replay_source *src, int64_t every,
		     struct mmt_err *err)
{
	if (mmt_store_begin(st, err) < 0)
		return -1;
	if (build_in_tx(st, src, every, err) < 0) {
		mmt_store_rollback(st);
		return -1;
	}
	return mmt_store_commit(st, err);
}


/* A task first seen after T, as it was before the trace (unless already known). */
static void first_task_into(struct mmt_replay_state *s, int32_t pid, const struct mmt_rtask *as,
			    int32_t cpu)
{
	struct mmt_rtask *t;

	if (mmt_replay_task(s, pid))
		return;
	t = mmt_replay_task_add(s, pid);
	t->state = as->state;
	memcpy(t->other, as->other, sizeof(t->other));
	t->cpu = cpu;
}

/*
 * What a CPU not yet seen switching runs, once its first event is past: its
 * first switch's prev task, since before the trace, whatever earlier events
 * made of that task (it was woken on its own CPU, say). After the tasks,
 * so that it wins. (Before a CPU's first event nothing is known of it: the
 * per-CPU buffers of a trace need not start together.)
 */
static void first_cpu_into(struct mmt_replay_state *s, int32_t cpu, int32_t pid)
{
	struct mmt_rcpu *c = mmt_replay_cpu(s, cpu);
	struct mmt_rtask *t;

	if (c->pid != -1 || c->since_ns != MMT_REPLAY_BEFORE)
		return;
	c->pid = pid;
	if (pid <= 0)
		return;
	t = mmt_replay_task_add(s, pid);
	if (t->state == MMT_RT_GONE && t->since_ns != MMT_REPLAY_BEFORE)
		return;			/* exited; its last switch is the CPU's first */
	t->state = MMT_RT_RUNNING;
	t->cpu = cpu;
	t->since_ns = MMT_REPLAY_BEFORE;
}

/* Tasks and CPUs first seen after t_ns, as they were before the trace. */
static int add_later_firsts(struct mmt_store *st, const struct mmt_replay_source *src,
			    int64_t t_ns, struct mmt_replay_state *s, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_later_tasks, err);
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, src->id);
	sqlite3_bind_int64(q, 2, t_ns);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct mmt_rtask as = { 0 };

		mmt_replay_state_parse(mmt_col_text(q, 1), &as);
		first_task_into(s, sqlite3_column_int(q, 0), &as,
				mmt_col_null(q, 2) ? -1 : sqlite3_column_int(q, 2));
	}
	if (rc < 0 || !(q = mmt_store_stmt(st, sql_later_cpus, err)))
		return -1;
	sqlite3_bind_int64(q, 1, src->id);
	sqlite3_bind_int64(q, 2, t_ns);
	while ((rc = mmt_store_step(st, q, err)) > 0)
		first_cpu_into(s, sqlite3_column_int(q, 0), sqlite3_column_int(q, 1));
	return rc;
}

/*
 * Events (after, upto] up to the first after t_ns (a trace's ids follow its
 * times; should they not quite, this is where both ways of answering stop).
 */
static int replay_range(struct mmt_store *st, const struct mmt_replay_source *src, int64_t after,
			int64_t upto, int64_t t_ns, struct mmt_replay_state *s, struct mmt_err *err)
{
	struct mmt_rstream *r = mmt_rstream_open(st, src->id, after, upto, err);
	struct mmt_revent e;
	int rc;

	if (!r)
		return -1;
	while ((rc = mmt_rstream_next(r, &e, err)) > 0 && e.ts_ns <= t_ns)
		mmt_replay_apply(s, &e);
	mmt_rstream_close(r);
	return rc < 0 ? -1 : 0;
}

/* What tasks and CPUs did before they were first met, kept in memory. */
struct first_rec {
	int64_t ts_ns, seen_ns;
	int32_t pid, cpu;
	uint8_t state;
};

struct firsts {
	struct mmt_rvec tasks, cpus;	/* struct first_rec */
};

static void keep_first_task(void *ctx, int32_t pid, int64_t ts, uint8_t state, int32_t cpu)
{
	struct first_rec *f;

	if (state > MMT_RT_GONE)
		return;
	f = mmt_rvec_push(&((struct firsts *)ctx)->tasks, sizeof(*f));
	*f = (struct first_rec){ ts, 0, pid, cpu, state };
}

static void keep_first_cpu(void *ctx, int32_t cpu, int32_t pid, int64_t ts, int64_t seen)
{
	struct first_rec *f = mmt_rvec_push(&((struct firsts *)ctx)->cpus, sizeof(*f));

	*f = (struct first_rec){ ts, seen, pid, cpu, 0 };
}

/* Names for tasks that s met only as they were before: the last the trace gave them. */
static void name_from(struct mmt_replay_state *s, struct mmt_replay_state *run)
{
	struct mmt_rtask *t = s->tasks.v;

	for (size_t i = 0; i < s->tasks.n; i++) {
		struct mmt_rtask *known = mmt_replay_task(run, t[i].pid);

		if (!t[i].comm[0] && known)
			memcpy(t[i].comm, known->comm, sizeof(t[i].comm));
	}
}

/*
 * Without checkpoints: the whole trace through the machine, the state
 * copied before the first event after t_ns, and what the rest shows of the
 * tasks and CPUs met after it added, exactly as the checkpoints would.
 */
static int at_from_start(struct mmt_store *st, const struct mmt_replay_source *src, int64_t t_ns,
			 struct mmt_replay_state *s, struct mmt_err *err)
{
	struct mmt_rstream *r = mmt_rstream_open(st, src->id, src->first_id - 1, src->last_id, err);
	struct mmt_replay_state run;
	struct firsts f = { { 0 }, { 0 } };
	struct mmt_revent e;
	bool taken = false;
	int rc;

	if (!r)
		return -1;
	state_for(st, src, &run);
	run.first_task = keep_first_task;
	run.first_cpu = keep_first_cpu;
	run.first_ctx = &f;
	while ((rc = mmt_rstream_next(r, &e, err)) > 0) {
		if (!taken && e.ts_ns > t_ns) {
			mmt_replay_state_copy(s, &run);
			taken = true;
		}
		mmt_replay_apply(&run, &e);
	}
	mmt_rstream_close(r);
	if (!taken)
		mmt_replay_state_copy(s, &run);
	for (size_t i = 0; i < f.tasks.n; i++) {
		struct first_rec *ft = (struct first_rec *)f.tasks.v + i;
		struct mmt_rtask as = { .state = ft->state };

		if (ft->ts_ns > t_ns)
			first_task_into(s, ft->pid, &as, ft->cpu);
	}
	for (size_t i = 0; i < f.cpus.n; i++) {
		struct first_rec *fc = (struct first_rec *)f.cpus.v + i;

		if (fc->ts_ns > t_ns && fc->seen_ns <= t_ns)
			first_cpu_into(s, fc->cpu, fc->pid);
	}
	name_from(s, &run);
	mmt_replay_state_free(&run);
	free(f.tasks.v);
	free(f.cpus.v);
	return rc < 0 ? -1 : 0;
}

int mmt_replay_at(struct mmt_store *st, const struct mmt_replay_source *src, int64_t t_ns,
		  bool use_checkpoints, struct mmt_replay_state *s, struct mmt_err *err)
{
	int64_t upto;

	mmt_replay_state_init(s, src->id);
	if (!use_checkpoints)
		return at_from_start(st, src, t_ns, s, err);
	state_for(st, src, s);
	if (mmt_replay_cp_load(st, src, t_ns, s, &upto, err) < 0 ||
	    replay_range(st, src, s->event_id, upto, t_ns, s, err) < 0)
		return -1;
	return add_later_firsts(st, src, t_ns, s, err);
}
