/*
 * Begin/end event pairs per task, in one pass over the two per-type tables
 * merged by event id (ids grow with time within a trace, and are the
 * tables' primary keys, so SQLite merges without sorting). Open begins are
 * kept in a hash of (source, pid); a begin that finds one already open
 * (events lost) replaces it.
 */
#include "analyzers/reclaim.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct open_map {
	struct rc_episode *slot;	/* pid < 0: empty */
	size_t cap, used;
};

static uint64_t hash_task(int64_t source, int64_t pid)
{
	uint64_t h = ((uint64_t)source << 32) ^ (uint64_t)pid;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

static void map_init(struct open_map *m, size_t cap)
{
	m->cap = cap;
	m->used = 0;
	m->slot = xmalloc(cap * sizeof(*m->slot));
	for (size_t i = 0; i < cap; i++)
		m->slot[i].pid = -1;
}

static struct rc_episode *map_find(struct open_map *m, int64_t source, int64_t pid)
{
	size_t i = hash_task(source, pid) & (m->cap - 1);

	while (m->slot[i].pid >= 0 && (m->slot[i].pid != pid || m->slot[i].source != source))
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

static void map_grow(struct open_map *m)
{
	struct open_map bigger;

	map_init(&bigger, m->cap * 2);
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].pid >= 0) {
			*map_find(&bigger, m->slot[i].source, m->slot[i].pid) = m->slot[i];
			bigger.used++;
		}
	free(m->slot);
	*m = bigger;
}

/* Deleting from linear probing: re-insert the rest of the cluster. */
static void map_remove(struct open_map *m, struct rc_episode *e)
{
	size_t i = (size_t)(e - m->slot);

	e->pid = -1;
	m->used--;
	for (i = (i + 1) & (m->cap - 1); m->slot[i].pid >= 0; i = (i + 1) & (m->cap - 1)) {
		struct rc_episode moved = m->slot[i];

		m->slot[i].pid = -1;
		*map_find(m, moved.source, moved.pid) = moved;
	}
}

static int intern(struct rc_keys *k, const char *name)
{
	for (size_t i = k->n; i-- > 0;)
		if (!strcmp(k->name[i], name))
			return (int)i;
	xgrow((void **)&k->name, &k->cap, k->n + 1, sizeof(*k->name));
	k->name[k->n] = xstrdup(name);
	return (int)k->n++;
}

void rc_keys_free(struct rc_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->name[i]);
	free(k->name);
	memset(k, 0, sizeof(*k));
}

static void read_begin(sqlite3_stmt *q, const struct rc_traces *tr, struct rc_keys *keys,
		       struct rc_episode *e)
{
	const struct rc_trace_src *s;

	memset(e, 0, sizeof(*e));
	e->begin_id = sqlite3_column_int64(q, 0);
	e->source = sqlite3_column_int64(q, 1);
	s = rc_trace_src(tr, e->source);
	e->t0 = sqlite3_column_double(q, 2) / 1e9 + (s ? s->offset : 0);
	e->pid = sqlite3_column_int64(q, 3);
	e->comm_id = sqlite3_column_int64(q, 4);
	for (int i = 0; i < 3; i++)
		e->b[i] = sqlite3_column_int64(q, 6 + i);
	e->key = keys && !mmt_col_null(q, 9) ? intern(keys, mmt_col_text(q, 9)) : -1;
}

static int close_pair(sqlite3_stmt *q, const struct rc_traces *tr, struct rc_episode *e,
		      rc_pair_fn fn, void *ctx, struct mmt_err *err)
{
	const struct rc_trace_src *s = rc_trace_src(tr, e->source);

	e->end_id = sqlite3_column_int64(q, 0);
	e->t1 = sqlite3_column_double(q, 2) / 1e9 + (s ? s->offset : 0);
	for (int i = 0; i < 3; i++)
		e->e[i] = sqlite3_column_int64(q, 6 + i);
	return fn(e, ctx, err);
}

static int flush_open(struct open_map *m, const struct rc_traces *tr, rc_pair_fn fn,
		      void *ctx, struct mmt_err *err)
{
	for (size_t i = 0; i < m->cap; i++) {
		struct rc_episode *e = &m->slot[i];
		const struct rc_trace_src *s;

		if (e->pid < 0)
			continue;
		s = rc_trace_src(tr, e->source);
		e->open = true;
		e->t1 = s && s->t_last > e->t0 ? s->t_last : e->t0;
		if (fn(e, ctx, err) < 0)
			return -1;
	}
	return 0;
}

static int stream(struct mmt_store *st, sqlite3_stmt *q, const struct rc_traces *tr,
		  struct rc_keys *keys, rc_pair_fn fn, void *ctx, struct mmt_err *err)
{
	struct open_map m;
	int rc;

	map_init(&m, 1024);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		int64_t source = sqlite3_column_int64(q, 1), pid = sqlite3_column_int64(q, 3);
		struct rc_episode *e = map_find(&m, source, pid);

		if (sqlite3_column_int(q, 5) == 0) {
			if (e->pid < 0)
				m.used++;
			read_begin(q, tr, keys, e);
			if (m.used * 2 > m.cap)
				map_grow(&m);
		} else if (e->pid >= 0) {
			struct rc_episode done = *e;

			map_remove(&m, e);
			if (close_pair(q, tr, &done, fn, ctx, err) < 0) {
				rc = -1;
				break;
			}
		}
	}
	if (rc == 0)
		rc = flush_open(&m, tr, fn, ctx, err);
	free(m.slot);
	return rc;
}

int rc_pairs(struct mmt_store *st, const struct rc_traces *tr, const struct rc_pair_spec *spec,
	     struct rc_keys *keys, rc_pair_fn fn, void *ctx, struct mmt_err *err)
{
	char tb[128], te[128], sql[1024];
	sqlite3_stmt *q;
	int rc;

	if (!mmt_event_table(st, spec->system, spec->begin, tb, sizeof(tb)) ||
	    !mmt_event_table(st, spec->system, spec->end, te, sizeof(te)) ||
	    !mmt_has_columns(st, tb, spec->bneed) || !mmt_has_columns(st, te, spec->eneed))
		return 0;
	snprintf(sql, sizeof(sql),
		 "SELECT id, common_source, common_ts_ns, common_pid, common_comm_id, 0, %s, %s "
		 "FROM \"%s\" UNION ALL "
		 "SELECT id, common_source, common_ts_ns, common_pid, common_comm_id, 1, %s, NULL "
		 "FROM \"%s\" ORDER BY 1",
		 spec->bcols, spec->key ? spec->key : "NULL", tb, spec->ecols, te);
	q = mmt_store_prepare(st, sql, err);
	if (!q)
		return -1;
	rc = stream(st, q, tr, keys, fn, ctx, err);
	sqlite3_finalize(q);
	return rc < 0 ? -1 : 1;
}
