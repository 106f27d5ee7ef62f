/*
 * The rows of a checkpoint (schema 004-replay.sql): the whole state of the
 * machine after one event, written while building and read back to answer
 * a question about a later time. A state held since before the trace has
 * since_ns NULL; a CPU that runs what is not known, pid NULL.
 */
#include "analyzers/replay_state.h"

#include <stdio.h>
#include <string.h>

static const char sql_cp[] =
	"INSERT INTO replay_checkpoints (source, event_id, ts_ns) VALUES (?, ?, ?)";
static const char sql_cp_task[] =
	"INSERT INTO replay_cp_tasks (checkpoint, pid, state, cpu, since_ns) VALUES (?, ?, ?, ?, ?)";
static const char sql_cp_cpu[] =
	"INSERT INTO replay_cp_cpus (checkpoint, cpu, pid, since_ns) VALUES (?, ?, ?, ?)";
static const char sql_cp_reclaim[] =
	"INSERT OR REPLACE INTO replay_cp_reclaim (checkpoint, pid, kind, since_ns, \"order\", gfp) "
	"VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_cp_daemon[] =
	"INSERT OR REPLACE INTO replay_cp_daemons (checkpoint, daemon, nid, awake, since_ns, "
	"\"order\") VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_cp_io[] =
	"INSERT OR REPLACE INTO replay_cp_io (checkpoint, dev, sector, nr_sector, rwbs, issue_ns) "
	"VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_cp_wb[] =
	"INSERT OR REPLACE INTO replay_cp_writeback (checkpoint, bdi, depth, since_ns) "
	"VALUES (?, ?, ?, ?)";
static const char sql_find_cp[] =
	"SELECT id, event_id, ts_ns FROM replay_checkpoints WHERE source = ?1 AND ts_ns <= ?2 "
	"ORDER BY event_id DESC LIMIT 1";
static const char sql_next_cp[] =
	"SELECT min(event_id) FROM replay_checkpoints WHERE source = ?1 AND event_id > ?2";
static const char sql_load_tasks[] =
	"SELECT pid, state, cpu, since_ns FROM replay_cp_tasks WHERE checkpoint = ?";
static const char sql_load_cpus[] =
	"SELECT cpu, pid, since_ns FROM replay_cp_cpus WHERE checkpoint = ?";
static const char sql_load_reclaim[] =
	"SELECT pid, kind, since_ns, \"order\", gfp FROM replay_cp_reclaim WHERE checkpoint = ?";
static const char sql_load_daemons[] =
	"SELECT daemon, nid, awake, since_ns, \"order\" FROM replay_cp_daemons WHERE checkpoint = ?";
static const char sql_load_io[] =
	"SELECT dev, sector, nr_sector, rwbs, issue_ns FROM replay_cp_io WHERE checkpoint = ?";
static const char sql_load_wb[] =
	"SELECT bdi, depth, since_ns FROM replay_cp_writeback WHERE checkpoint = ?";

static void copy_text(char *out, size_t n, sqlite3_stmt *q, int col)
{
	snprintf(out, n, "%s", mmt_col_text(q, col));
}

static void bind_since(sqlite3_stmt *q, int col, int64_t ns)
{
	mmt_bind_int_opt(q, col, ns, ns != MMT_REPLAY_BEFORE);
}

static int64_t since_col(sqlite3_stmt *q, int col)
{
	return mmt_col_null(q, col) ? MMT_REPLAY_BEFORE : sqlite3_column_int64(q, col);
}

static int store_row(struct mmt_store *st, const char *sql, int64_t cp, struct mmt_err *err,
		     sqlite3_stmt **out)
{
	*out = mmt_store_stmt(st, sql, err);
	if (!*out)
		return -1;
	sqlite3_bind_int64(*out, 1, cp);
	return 0;
}

static int write_tasks_cpus(struct mmt_store *st, const struct mmt_replay_state *s, int64_t cp,
			    struct mmt_err *err)
{
	const struct mmt_rtask *t = s->tasks.v;
	const struct mmt_rcpu *c = s->cpus.v;
	sqlite3_stmt *q;

	for (size_t i = 0; i < s->tasks.n; i++) {
		if (t[i].state == MMT_RT_GONE && t[i].since_ns == MMT_REPLAY_BEFORE)
			continue;
		if (store_row(st, sql_cp_task, cp, err, &q) < 0)
			return -1;
		sqlite3_bind_int64(q, 2, t[i].pid);
		mmt_bind_text(q, 3, mmt_replay_state_name(&t[i]));
		mmt_bind_int_opt(q, 4, t[i].cpu, t[i].cpu >= 0);
		bind_since(q, 5, t[i].since_ns);
		if (mmt_store_run(st, q, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < s->cpus.n; i++) {
		if (c[i].pid == -1 && c[i].since_ns == MMT_REPLAY_BEFORE)
			continue;
		if (store_row(st, sql_cp_cpu, cp, err, &q) < 0)
			return -1;
		sqlite3_bind_int64(q, 2, (int64_t)i);
		mmt_bind_int_opt(q, 3, c[i].pid, c[i].pid >= 0);
		bind_since(q, 4, c[i].since_ns);
		if (mmt_store_run(st, q, err) < 0)
			return -1;
	}
	return 0;
}

static int write_reclaim_daemons(struct mmt_store *st, const struct mmt_replay_state *s,
				 int64_t cp, struct mmt_err *err)
{
	const struct mmt_rreclaim *r = s->reclaim.v;
	const struct mmt_rdaemon *d = s->daemons.v;
	sqlite3_stmt *q;

	for (size_t i = 0; i < s->reclaim.n; i++) {
		if (store_row(st, sql_cp_reclaim, cp, err, &q) < 0)
			return -1;
		sqlite3_bind_int64(q, 2, r[i].pid);
		mmt_bind_text(q, 3, mmt_replay_reclaim_name(r[i].kind));
		sqlite3_bind_int64(q, 4, r[i].since_ns);
		mmt_bind_int_opt(q, 5, r[i].order, r[i].has_order);
		if (r[i].has_gfp && r[i].gfp_is_text)
			mmt_bind_text(q, 6, r[i].gfp_text);
		else
			mmt_bind_int_opt(q, 6, r[i].gfp, r[i].has_gfp);
		if (mmt_store_run(st, q, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < s->daemons.n; i++) {
		if (store_row(st, sql_cp_daemon, cp, err, &q) < 0)
			return -1;
		mmt_bind_text(q, 2, mmt_replay_daemon_name(d[i].kind));
		sqlite3_bind_int64(q, 3, d[i].nid);
		sqlite3_bind_int64(q, 4, d[i].awake);
		sqlite3_bind_int64(q, 5, d[i].since_ns);
		mmt_bind_int_opt(q, 6, d[i].order, d[i].has_order);
		if (mmt_store_run(st, q, err) < 0)
			return -1;
	}
	return 0;
}

static int write_io_wb(struct mmt_store *st, const struct mmt_replay_state *s, int64_t cp,
		       struct mmt_err *err)
{
	const struct mmt_rio *io = s->io.v;
	const struct mmt_rwb *w = s->wb.v;
	sqlite3_stmt *q;

	for (size_t i = 0; i < s->io.n; i++) {
		if (store_row(st, sql_cp_io, cp, err, &q) < 0)
			return -1;
		mmt_bind_text(q, 2, io[i].dev);
		sqlite3_bind_int64(q, 3, io[i].sector);
		mmt_bind_int_opt(q, 4, io[i].nr_sector, io[i].has_nr);
		mmt_bind_text(q, 5, io[i].rwbs[0] ? io[i].rwbs : NULL);
		sqlite3_bind_int64(q, 6, io[i].issue_ns);
		if (mmt_store_run(st, q, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < s->wb.n; i++) {
		if (store_row(st, sql_cp_wb, cp, err, &q) < 0)
			return -1;
		mmt_bind_text(q, 2, w[i].bdi);
		sqlite3_bind_int64(q, 3, w[i].depth);
		sqlite3_bind_int64(q, 4, w[i].since_ns);
		if (mmt_store_run(st, q, err) < 0)
			return -1;
	}
	return 0;
}

int mmt_replay_cp_write(struct mmt_store *st, const struct mmt_replay_state *s,
			    struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_cp, err);
	int64_t cp;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, s->source);
	sqlite3_bind_int64(q, 2, s->event_id);
	sqlite3_bind_int64(q, 3, s->ts_ns);
	if (mmt_store_run(st, q, err) < 0)
		return -1;
	cp = mmt_store_last_id(st);
	if (write_tasks_cpus(st, s, cp, err) < 0 || write_reclaim_daemons(st, s, cp, err) < 0)
		return -1;
	return write_io_wb(st, s, cp, err);
}
static int load_tasks_cpus(struct mmt_store *st, struct mmt_replay_state *s, int64_t cp,
			   struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_load_tasks, err);
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, cp);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct mmt_rtask *t = mmt_replay_task_add(s, sqlite3_column_int(q, 0));

		mmt_replay_state_parse(mmt_col_text(q, 1), t);
		t->cpu = mmt_col_null(q, 2) ? -1 : sqlite3_column_int(q, 2);
		t->since_ns = since_col(q, 3);
	}
	if (rc < 0 || !(q = mmt_store_stmt(st, sql_load_cpus, err)))
		return -1;
	sqlite3_bind_int64(q, 1, cp);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct mmt_rcpu *c = mmt_replay_cpu(s, sqlite3_column_int(q, 0));

		c->pid = mmt_col_null(q, 1) ? -1 : sqlite3_column_int(q, 1);
		c->since_ns = since_col(q, 2);
	}
	return rc;
}

static int load_reclaim_daemons(struct mmt_store *st, struct mmt_replay_state *s, int64_t cp,
				struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_load_reclaim, err);
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, cp);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct mmt_rreclaim *r = mmt_rvec_push(&s->reclaim, sizeof(*r));

		r->pid = sqlite3_column_int(q, 0);
		r->kind = (uint8_t)mmt_replay_reclaim_kind(mmt_col_text(q, 1));
		r->since_ns = sqlite3_column_int64(q, 2);
		r->has_order = !mmt_col_null(q, 3);
		r->order = sqlite3_column_int(q, 3);
		r->has_gfp = !mmt_col_null(q, 4);
		r->gfp_is_text = sqlite3_column_type(q, 4) == SQLITE_TEXT;
		if (r->gfp_is_text)
			copy_text(r->gfp_text, sizeof(r->gfp_text), q, 4);
		else
			r->gfp = sqlite3_column_int64(q, 4);
	}
	if (rc < 0 || !(q = mmt_store_stmt(st, sql_load_daemons, err)))
		return -1;
	sqlite3_bind_int64(q, 1, cp);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct mmt_rdaemon *d = mmt_rvec_push(&s->daemons, sizeof(*d));

		d->kind = (uint8_t)mmt_replay_daemon_kind(mmt_col_text(q, 0));
		d->nid = sqlite3_column_int(q, 1);
		d->awake = sqlite3_column_int(q, 2);
		d->since_ns = sqlite3_column_int64(q, 3);
		d->has_order = !mmt_col_null(q, 4);
		d->order = sqlite3_column_int(q, 4);
	}
	return rc;
}

static int load_io_wb(struct mmt_store *st, struct mmt_replay_state *s, int64_t cp,
		      struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_load_io, err);
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, cp);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct mmt_rio *io = mmt_rvec_push(&s->io, sizeof(*io));

		copy_text(io->dev, sizeof(io->dev), q, 0);
		io->sector = sqlite3_column_int64(q, 1);
		io->has_nr = !mmt_col_null(q, 2);
		io->nr_sector = sqlite3_column_int64(q, 2);
		copy_text(io->rwbs, sizeof(io->rwbs), q, 3);
		io->issue_ns = sqlite3_column_int64(q, 4);
	}
	if (rc < 0 || !(q = mmt_store_stmt(st, sql_load_wb, err)))
		return -1;
	sqlite3_bind_int64(q, 1, cp);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct mmt_rwb *w = mmt_rvec_push(&s->wb, sizeof(*w));

		copy_text(w->bdi, sizeof(w->bdi), q, 0);
		w->depth = sqlite3_column_int(q, 1);
		w->since_ns = sqlite3_column_int64(q, 2);
	}
	return rc;
}

/* The checkpoint at or before t_ns into s; *upto: the next checkpoint's event. */
int mmt_replay_cp_load(struct mmt_store *st, const struct mmt_replay_source *src,
			   int64_t t_ns, struct mmt_replay_state *s, int64_t *upto,
			   struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_find_cp, err);
	int64_t cp = -1;
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, src->id);
	sqlite3_bind_int64(q, 2, t_ns);
	if ((rc = mmt_store_step(st, q, err)) > 0) {
		cp = sqlite3_column_int64(q, 0);
		s->event_id = sqlite3_column_int64(q, 1);
		s->ts_ns = sqlite3_column_int64(q, 2);
	}
	sqlite3_reset(q);
	if (rc < 0 || !(q = mmt_store_stmt(st, sql_next_cp, err)))
		return -1;
	sqlite3_bind_int64(q, 1, src->id);
	sqlite3_bind_int64(q, 2, s->event_id);
	*upto = src->last_id;
	if (mmt_store_step(st, q, err) > 0 && !mmt_col_null(q, 0))
		*upto = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (cp < 0)
		return 0;
	if (load_tasks_cpus(st, s, cp, err) < 0 || load_reclaim_daemons(st, s, cp, err) < 0)
		return -1;
	return load_io_wb(st, s, cp, err);
}