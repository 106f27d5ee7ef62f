/*
 * Rows the kernel-log parser writes: log lines, reports, deduplicated
 * stacks and their frames, tasks, held locks, lockdep chain links,
 * Mem-Info counters, and OOM victims and task tables.
 */
#include "parsers/klog.h"
#include "core/stack_store.h"

#include <stdio.h>
#include <string.h>

static const char sql_report_open[] =
	"INSERT INTO reports (source_id, kind, title, line_start, line_end, t) "
	"VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_report_close[] =
	"UPDATE reports SET kind = ?, line_start = ?, line_end = ?, pid = ?, comm = ?, "
	"cpu = ?, kernel = ?, tainted = ?, state = ?, blocked_secs = ?, gfp_mask = ?, "
	"gfp_names = ?, alloc_order = ?, lock_owner_pid = ?, lock_owner_comm = ?, "
	"lock_type = ?, locks_held = ?, detail = ?, ip = ?, stack_id = ?, truncated = ? "
	"WHERE id = ?";
static const char sql_task[] =
	"INSERT INTO tasks (report_id, role, pid, comm, state, cpu, line, ip, stack_id, "
	"workqueue, work_func) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_held_lock[] =
	"INSERT INTO held_locks (report_id, pid, comm, idx, lock, address, at, line) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_chain[] =
	"INSERT INTO lock_chain (report_id, idx, lock, stack_id, line) VALUES (?, ?, ?, ?, ?)";
static const char sql_counter[] =
	"INSERT INTO mem_counters (report_id, node, zone, name, value, unit) "
	"VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_oom_task[] =
	"INSERT INTO oom_tasks (report_id, pid, uid, tgid, total_vm, rss, pgtables, "
	"swapents, oom_score_adj, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_oom_kill[] =
	"INSERT INTO oom_kills (report_id, pid, comm, total_vm_kb, anon_rss_kb, "
	"file_rss_kb, shmem_rss_kb, oom_score_adj, constraint_kind, memcg, line) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static const char *nonempty(const char *s)
{
	return s && s[0] ? s : NULL;
}

int klog_store_report_open(struct klog *k)
{
	struct kreport *r = &k->rep;
	sqlite3_stmt *s = mmt_store_stmt(k->st, sql_report_open, k->err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, k->in->source_id);
	mmt_bind_text(s, 2, klog_kind_name(r->h.kind));
	mmt_bind_text(s, 3, r->h.title);
	mmt_bind_int(s, 4, r->line_start);
	mmt_bind_int(s, 5, r->line_end);
	mmt_bind_double_opt(s, 6, r->t, r->has_t);
	if (mmt_store_run(k->st, s, k->err) < 0)
		return -1;
	r->id = mmt_store_last_id(k->st);
	return 0;
}

static void bind_report_facts(sqlite3_stmt *s, const struct klog *k)
{
	const struct kreport *r = &k->rep;
	const struct kheader *h = &r->h;

	mmt_bind_text(s, 1, klog_kind_name(h->kind));
	mmt_bind_int(s, 2, r->line_start);
	mmt_bind_int(s, 3, r->line_end);
	mmt_bind_int_opt(s, 4, h->pid, h->has_pid);
	mmt_bind_text(s, 5, nonempty(h->comm));
	mmt_bind_int_opt(s, 6, h->cpu, h->has_cpu);
	mmt_bind_text(s, 7, nonempty(r->kernel[0] ? r->kernel : k->kernel));
	mmt_bind_text(s, 8, r->kernel[0] && !r->tainted[0] ? "" : nonempty(r->tainted));
	mmt_bind_text(s, 9, nonempty(r->state));
	mmt_bind_int_opt(s, 10, h->secs, h->has_secs);
	mmt_bind_text(s, 11, nonempty(h->gfp_mask));
	mmt_bind_text(s, 12, nonempty(h->gfp_names));
	mmt_bind_int_opt(s, 13, h->order, h->has_order);
	mmt_bind_int_opt(s, 14, r->owner_pid, r->has_owner);
	mmt_bind_text(s, 15, nonempty(r->owner_comm));
	mmt_bind_text(s, 16, nonempty(r->lock_type));
	mmt_bind_int_opt(s, 17, r->locks_held, r->has_locks);
	mmt_bind_text(s, 18, nonempty(h->detail));
	mmt_bind_text(s, 19, nonempty(h->ip));
	mmt_bind_int_opt(s, 20, r->stack_id, r->stack_id > 0);
	mmt_bind_int(s, 21, r->truncated);
	mmt_bind_int(s, 22, r->id);
}

int klog_store_report_close(struct klog *k)
{
	sqlite3_stmt *s;

	if (k->rep.oom.has && klog_store_oom_kill(k, &k->rep.oom) < 0)
		return -1;
	s = mmt_store_stmt(k->st, sql_report_close, k->err);
	if (!s)
		return -1;
	bind_report_facts(s, k);
	return mmt_store_run(k->st, s, k->err);
}

/* Stores a stack once per digest; *id is 0 for an empty stack. */
int klog_store_stack(struct klog *k, const struct mmt_stack *stk, int64_t *id)
{
	if (stk->dropped)
		mmt_input_warn(k->in, k->last_lineno, "a stack of more than %u frames "
			       "(MMT_STACK_MAX_FRAMES) ends here; the %zu frames past it were "
			       "not stored", MMT_STACK_MAX_FRAMES, stk->dropped);
	return mmt_stack_store(k->st, stk, id, k->err);
}

int klog_store_task(struct klog *k, const struct ktask *t, int64_t stack_id)
{
	sqlite3_stmt *s = mmt_store_stmt(k->st, sql_task, k->err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, k->rep.id);
	mmt_bind_text(s, 2, t->role);
	mmt_bind_int_opt(s, 3, t->pid, t->has_pid);
	mmt_bind_text(s, 4, nonempty(t->comm));
	mmt_bind_text(s, 5, nonempty(t->state));
	mmt_bind_int_opt(s, 6, t->cpu, t->has_cpu);
	mmt_bind_int(s, 7, t->line ? t->line : k->rep.line_start);
	mmt_bind_text(s, 8, nonempty(t->ip));
	mmt_bind_int_opt(s, 9, stack_id, stack_id > 0);
	mmt_bind_text(s, 10, nonempty(t->workqueue));
	mmt_bind_text(s, 11, nonempty(t->work_func));
	return mmt_store_run(k->st, s, k->err);
}

/* Writes the current task entry, if it has anything to say. */
int klog_flush_task(struct klog *k)
{
	struct kreport *r = &k->rep;
	struct ktask *t = &r->task;
	int64_t stack_id;

	if (!t->active)
		return 0;
	t->active = false;
	/* A subject placeholder that never learnt its task says nothing. */
	if (t->stack.n == 0 && (strcmp(t->role, "subject") != 0 || !t->has_pid))
		return 0;
	if (klog_store_stack(k, &t->stack, &stack_id) < 0)
		return -1;
	if (!strcmp(t->role, "subject")) {
		if (!r->stack_id)
			r->stack_id = stack_id;
		kcopy(r->state, sizeof(r->state), t->state, strlen(t->state));
		if (!r->h.has_pid && t->has_pid) {
			r->h.pid = t->pid;
			r->h.has_pid = true;
			kcopy(r->h.comm, sizeof(r->h.comm), t->comm, strlen(t->comm));
		}
	}
	r->tasks_stored++;
	mmt_stack_reset(&t->stack);
	return klog_store_task(k, t, stack_id);
}

int klog_flush_chain(struct klog *k)
{
	struct kreport *r = &k->rep;
	int64_t stack_id;
	sqlite3_stmt *s;

	if (r->chain_idx < 0)
		return 0;
	if (klog_store_stack(k, &r->chain_stack, &stack_id) < 0)
		return -1;
	s = mmt_store_stmt(k->st, sql_chain, k->err);
	if (!s)
		return -1;
	mmt_bind_int(s, 1, r->id);
	mmt_bind_int(s, 2, r->chain_idx);
	mmt_bind_text(s, 3, r->chain_lock);
	mmt_bind_int_opt(s, 4, stack_id, stack_id > 0);
	mmt_bind_int(s, 5, r->chain_line);
	r->chain_idx = -1;
	mmt_stack_reset(&r->chain_stack);
	return mmt_store_run(k->st, s, k->err);
}

int klog_store_held_lock(struct klog *k, const struct mmt_held_lock *hl, long line)
{
	struct kreport *r = &k->rep;
	sqlite3_stmt *s = mmt_store_stmt(k->st, sql_held_lock, k->err);
	char addr[24];

	if (!s)
		return -1;
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)hl->address);
	mmt_bind_int(s, 1, r->id);
	mmt_bind_int_opt(s, 2, r->holder_pid, r->has_holder);
	mmt_bind_text(s, 3, r->has_holder ? r->holder_comm : NULL);
	mmt_bind_int(s, 4, hl->index);
	mmt_bind_text(s, 5, hl->lock);
	mmt_bind_text(s, 6, hl->has_address ? addr : NULL);
	mmt_bind_text(s, 7, nonempty(hl->at));
	mmt_bind_int(s, 8, line);
	return mmt_store_run(k->st, s, k->err);
}

int klog_store_counter(struct klog *k, int node, const char *zone,
		       const char *name, int64_t value, const char *unit)
{
	sqlite3_stmt *s = mmt_store_stmt(k->st, sql_counter, k->err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, k->rep.id);
	mmt_bind_int_opt(s, 2, node, node >= 0);
	mmt_bind_text(s, 3, zone);
	mmt_bind_text(s, 4, name);
	mmt_bind_int(s, 5, value);
	mmt_bind_text(s, 6, unit);
	return mmt_store_run(k->st, s, k->err);
}

int klog_store_oom_task(struct klog *k, const int64_t *vals, const bool *has,
			const char *name, size_t name_len)
{
	sqlite3_stmt *s = mmt_store_stmt(k->st, sql_oom_task, k->err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, k->rep.id);
	for (int c = KOOM_PID; c < KOOM_NVALUES; c++)
		mmt_bind_int_opt(s, 2 + c, vals[c], has[c]);
	mmt_bind_textn(s, 10, name, name_len);
	return mmt_store_run(k->st, s, k->err);
}

int klog_store_oom_kill(struct klog *k, const struct koom *o)
{
	sqlite3_stmt *s = mmt_store_stmt(k->st, sql_oom_kill, k->err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, k->rep.id);
	mmt_bind_int(s, 2, o->pid);
	mmt_bind_text(s, 3, nonempty(o->comm));
	mmt_bind_int_opt(s, 4, o->total_vm_kb, o->has_total_vm);
	mmt_bind_int_opt(s, 5, o->anon_rss_kb, o->has_anon);
	mmt_bind_int_opt(s, 6, o->file_rss_kb, o->has_file);
	mmt_bind_int_opt(s, 7, o->shmem_rss_kb, o->has_shmem);
	mmt_bind_int_opt(s, 8, o->score_adj, o->has_adj);
	mmt_bind_text(s, 9, nonempty(o->constraint));
	mmt_bind_text(s, 10, nonempty(o->memcg));
	mmt_bind_int(s, 11, o->line);
	return mmt_store_run(k->st, s, k->err);
}
