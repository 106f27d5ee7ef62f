/*
 * The pieces of `replay --at`'s state that are not the machine itself:
 * growable arrays and the pid map, making, copying and freeing a state,
 * the names of states and kinds as the checkpoints store them, and the
 * whole state as sorted text (for tests and comparisons).
 */
#include "analyzers/replay_state.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *mmt_rvec_push(struct mmt_rvec *v, size_t size)
{
	if (!v->v || v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->v = xrealloc(v->v, v->cap * size);
	}
	memset((char *)v->v + v->n * size, 0, size);
	return (char *)v->v + v->n++ * size;
}

/* Removes item i by moving the last one into its place. */
void mmt_rvec_drop(struct mmt_rvec *v, size_t size, size_t i)
{
	if (i + 1 < v->n)
		memcpy((char *)v->v + i * size, (char *)v->v + (v->n - 1) * size, size);
	v->n--;
}

static size_t rmap_slot(const struct mmt_rmap *m, int64_t key)
{
	uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(h >> 17) & (m->cap - 1);

	while (m->used[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

bool mmt_rmap_get(const struct mmt_rmap *m, int64_t key, int64_t *val)
{
	size_t i;

	if (!m->cap)
		return false;
	i = rmap_slot(m, key);
	if (!m->used[i])
		return false;
	*val = m->vals[i];
	return true;
}

static void rmap_grow(struct mmt_rmap *m)
{
	struct mmt_rmap big = { 0 };

	big.cap = m->cap ? m->cap * 2 : 256;
	big.keys = xcalloc(big.cap, sizeof(*big.keys));
	big.vals = xcalloc(big.cap, sizeof(*big.vals));
	big.used = xcalloc(big.cap, 1);
	for (size_t i = 0; i < m->cap; i++)
		if (m->used[i])
			mmt_rmap_put(&big, m->keys[i], m->vals[i]);
	mmt_rmap_free(m);
	*m = big;
}

void mmt_rmap_put(struct mmt_rmap *m, int64_t key, int64_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap)
		rmap_grow(m);
	i = rmap_slot(m, key);
	if (!m->used[i]) {
		m->used[i] = 1;
		m->keys[i] = key;
		m->n++;
	}
	m->vals[i] = val;
}

void mmt_rmap_free(struct mmt_rmap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

void mmt_replay_state_init(struct mmt_replay_state *s, int64_t source)
{
	memset(s, 0, sizeof(*s));
	s->source = source;
	s->modern_states = true;
}

void mmt_replay_state_free(struct mmt_replay_state *s)
{
	free(s->tasks.v);
	mmt_rmap_free(&s->task_at);
	free(s->cpus.v);
	free(s->reclaim.v);
	free(s->daemons.v);
	free(s->io.v);
	free(s->wb.v);
	memset(s, 0, sizeof(*s));
}

static void rvec_copy(struct mmt_rvec *dst, const struct mmt_rvec *src, size_t size)
{
	dst->n = dst->cap = src->n;
	dst->v = src->n ? xmalloc(src->n * size) : NULL;
	if (src->n)
		memcpy(dst->v, src->v, src->n * size);
}

void mmt_replay_state_copy(struct mmt_replay_state *dst, const struct mmt_replay_state *src)
{
	*dst = *src;
	rvec_copy(&dst->tasks, &src->tasks, sizeof(struct mmt_rtask));
	rvec_copy(&dst->cpus, &src->cpus, sizeof(struct mmt_rcpu));
	rvec_copy(&dst->reclaim, &src->reclaim, sizeof(struct mmt_rreclaim));
	rvec_copy(&dst->daemons, &src->daemons, sizeof(struct mmt_rdaemon));
	rvec_copy(&dst->io, &src->io, sizeof(struct mmt_rio));
	rvec_copy(&dst->wb, &src->wb, sizeof(struct mmt_rwb));
	memset(&dst->task_at, 0, sizeof(dst->task_at));
	for (size_t i = 0; i < dst->tasks.n; i++)
		mmt_rmap_put(&dst->task_at, ((struct mmt_rtask *)dst->tasks.v)[i].pid, (int64_t)i);
	dst->first_task = NULL;
	dst->first_cpu = NULL;
	dst->first_ctx = NULL;
}

struct mmt_rtask *mmt_replay_task(struct mmt_replay_state *s, int32_t pid)
{
	int64_t at;

	if (!mmt_rmap_get(&s->task_at, pid, &at))
		return NULL;
	return (struct mmt_rtask *)s->tasks.v + at;
}

struct mmt_rtask *mmt_replay_task_add(struct mmt_replay_state *s, int32_t pid)
{
	struct mmt_rtask *t = mmt_replay_task(s, pid);

	if (t)
		return t;
	mmt_rmap_put(&s->task_at, pid, (int64_t)s->tasks.n);
	t = mmt_rvec_push(&s->tasks, sizeof(*t));
	t->pid = pid;
	t->cpu = -1;
	t->state = MMT_RT_GONE;
	t->since_ns = MMT_REPLAY_BEFORE;
	return t;
}

struct mmt_rcpu *mmt_replay_cpu(struct mmt_replay_state *s, int32_t cpu)
{
	while (s->cpus.n <= (size_t)cpu) {
		struct mmt_rcpu *c = mmt_rvec_push(&s->cpus, sizeof(*c));

		c->pid = -1;
		c->since_ns = MMT_REPLAY_BEFORE;
		c->seen_ns = INT64_MAX;
	}
	return (struct mmt_rcpu *)s->cpus.v + cpu;
}

static const char *const reclaim_names[MMT_RC_KINDS] = {
	"direct", "memcg", "memcg_softlimit", "compaction",
};
static const char *const daemon_names[MMT_DAEMON_KINDS] = { "kswapd", "kcompactd" };
static const char *const state_names[] = {
	[MMT_RT_RUNNING] = "running", [MMT_RT_RUNNABLE] = "runnable",
	[MMT_RT_SLEEPING] = "S", [MMT_RT_BLOCKED] = "D", [MMT_RT_ASLEEP] = "asleep",
	[MMT_RT_GONE] = "gone",
};

const char *mmt_replay_reclaim_name(int kind)
{
	return kind >= 0 && kind < MMT_RC_KINDS ? reclaim_names[kind] : "?";
}

const char *mmt_replay_daemon_name(int kind)
{
	return kind >= 0 && kind < MMT_DAEMON_KINDS ? daemon_names[kind] : "?";
}

int mmt_replay_reclaim_kind(const char *name)
{
	for (int k = 0; k < MMT_RC_KINDS; k++)
		if (!strcmp(name, reclaim_names[k]))
			return k;
	return -1;
}

int mmt_replay_daemon_kind(const char *name)
{
	for (int k = 0; k < MMT_DAEMON_KINDS; k++)
		if (!strcmp(name, daemon_names[k]))
			return k;
	return -1;
}

const char *mmt_replay_state_name(const struct mmt_rtask *t)
{
	return t->state == MMT_RT_OTHER ? t->other : state_names[t->state];
}

bool mmt_replay_state_parse(const char *name, struct mmt_rtask *t)
{
	for (size_t k = 0; k < sizeof(state_names) / sizeof(state_names[0]); k++)
		if (state_names[k] && !strcmp(name, state_names[k])) {
			t->state = (uint8_t)k;
			return true;
		}
	if (!name[0])
		return false;
	t->state = MMT_RT_OTHER;
	snprintf(t->other, sizeof(t->other), "%s", name);
	return true;
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* since as text: "-" for before the trace. */
static void add_since(struct mmt_sb *sb, int64_t ns)
{
	if (ns == MMT_REPLAY_BEFORE)
		mmt_sb_adds(sb, " -");
	else
		mmt_sb_addf(sb, " %" PRId64, ns);
}

static void dump_tasks_cpus(const struct mmt_replay_state *s, struct mmt_rvec *lines)
{
	const struct mmt_rtask *t = s->tasks.v;
	const struct mmt_rcpu *c = s->cpus.v;
	struct mmt_sb sb = MMT_SB_INIT;

	for (size_t i = 0; i < s->tasks.n; i++) {
		if (t[i].state == MMT_RT_GONE)
			continue;
		mmt_sb_addf(&sb, "task %10d %s cpu=%d", t[i].pid, mmt_replay_state_name(&t[i]),
			    t[i].cpu);
		add_since(&sb, t[i].since_ns);
		*(char **)mmt_rvec_push(lines, sizeof(char *)) = mmt_sb_detach(&sb);
	}
	for (size_t i = 0; i < s->cpus.n; i++) {
		if (c[i].pid == -1 && c[i].since_ns == MMT_REPLAY_BEFORE)
			continue;
		mmt_sb_addf(&sb, "cpu %4zu pid=%d", i, c[i].pid);
		add_since(&sb, c[i].since_ns);
		*(char **)mmt_rvec_push(lines, sizeof(char *)) = mmt_sb_detach(&sb);
	}
}

static void dump_rest(const struct mmt_replay_state *s, struct mmt_rvec *lines)
{
	const struct mmt_rreclaim *r = s->reclaim.v;
	const struct mmt_rdaemon *d = s->daemons.v;
	const struct mmt_rio *io = s->io.v;
	const struct mmt_rwb *w = s->wb.v;
	struct mmt_sb sb = MMT_SB_INIT;

	for (size_t i = 0; i < s->reclaim.n; i++) {
		mmt_sb_addf(&sb, "reclaim %10d %s %" PRId64 " order=%d gfp=", r[i].pid,
			    reclaim_names[r[i].kind], r[i].since_ns, r[i].has_order ? r[i].order : -1);
		if (r[i].gfp_is_text)
			mmt_sb_adds(&sb, r[i].gfp_text);
		else
			mmt_sb_addf(&sb, "%#" PRIx64, r[i].has_gfp ? (uint64_t)r[i].gfp : 0);
		*(char **)mmt_rvec_push(lines, sizeof(char *)) = mmt_sb_detach(&sb);
	}
	for (size_t i = 0; i < s->daemons.n; i++) {
		mmt_sb_addf(&sb, "daemon %s %d %s %" PRId64 " order=%d", daemon_names[d[i].kind],
			    d[i].nid, d[i].awake ? "awake" : "asleep", d[i].since_ns,
			    d[i].has_order ? d[i].order : -1);
		*(char **)mmt_rvec_push(lines, sizeof(char *)) = mmt_sb_detach(&sb);
	}
	for (size_t i = 0; i < s->io.n; i++) {
		mmt_sb_addf(&sb, "io %s %20" PRId64 " +%" PRId64 " %s %" PRId64, io[i].dev,
			    io[i].sector, io[i].has_nr ? io[i].nr_sector : -1, io[i].rwbs,
			    io[i].issue_ns);
		*(char **)mmt_rvec_push(lines, sizeof(char *)) = mmt_sb_detach(&sb);
	}
	for (size_t i = 0; i < s->wb.n; i++) {
		mmt_sb_addf(&sb, "wb %s %d %" PRId64, w[i].bdi, w[i].depth, w[i].since_ns);
		*(char **)mmt_rvec_push(lines, sizeof(char *)) = mmt_sb_detach(&sb);
	}
}

void mmt_replay_state_dump(const struct mmt_replay_state *s, struct mmt_sb *out)
{
	struct mmt_rvec lines = { 0 };
	char **l;

	dump_tasks_cpus(s, &lines);
	dump_rest(s, &lines);
	l = lines.v;
	if (lines.n)
		qsort(l, lines.n, sizeof(*l), cmp_lines);
	for (size_t i = 0; i < lines.n; i++) {
		mmt_sb_adds(out, l[i]);
		mmt_sb_addc(out, '\n');
		free(l[i]);
	}
	free(lines.v);
}

/*
 * The first id of tbl in [lo, hi] whose event is at or after ns, or hi + 1.
 * Ids grow with time within a trace, so a binary search over rowids finds
 * it with a few dozen B-tree seeks instead of a scan.
 */
int64_t mmt_trace_first_id_at(struct mmt_store *st, const char *tbl, int64_t lo, int64_t hi,
			      int64_t ns, struct mmt_err *err)
{
	char *sql = sqlite3_mprintf("SELECT id, common_ts_ns FROM \"%w\" WHERE id >= ?1 AND "
				    "id <= ?2 ORDER BY id LIMIT 1", tbl);
	sqlite3_stmt *q = mmt_store_prepare(st, sql, err);

	sqlite3_free(sql);
	if (!q)
		return -1;
	for (int64_t end = hi + 1; lo < end;) {
		int64_t mid = lo + (end - lo) / 2;

		sqlite3_bind_int64(q, 1, mid);
		sqlite3_bind_int64(q, 2, hi);
		if (sqlite3_step(q) != SQLITE_ROW || sqlite3_column_int64(q, 1) >= ns)
			end = mid;
		else
			lo = sqlite3_column_int64(q, 0) + 1;
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	return lo;
}
