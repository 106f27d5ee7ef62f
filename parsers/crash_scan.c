/*
 * Tasks crash's own task table lacks (see vmcore.h): the tasks of
 * `list task_struct.tasks ... -S` and the scan of each one's stack,
 * `rd -s SP COUNT` from its saved stack pointer to the top of its stack.
 * Every word of the stack that is an address inside a function
 * ("schedule+90") becomes a frame; like the kernel's "? " frames they are
 * return addresses found on the stack, not an unwinder's chain, so all are
 * stored unreliable. Each task becomes a task_dump report of its own,
 * with the state its __state gives.
 */
#include "parsers/crash.h"
#include "core/stack_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_report[] =
	"INSERT INTO reports (source_id, kind, title, line_start, line_end, pid, comm, state, "
	"stack_id, kernel) VALUES (?, 'task_dump', ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_task[] =
	"INSERT INTO tasks (report_id, role, pid, comm, state, line, stack_id) "
	"VALUES (?, 'dump', ?, ?, ?, ?, ?)";

static const char sql_list_task[] =
	"INSERT INTO crash_tasks (source_id, snapshot_id, pid, task, state, active, comm, line) "
	"VALUES (?, ?, ?, ?, ?, 0, ?, ?)";

/* init_task's list of tasks, with members. */
bool crash_list_prompt(const struct mmt_field *f, size_t nf)
{
	bool tasks = false, members = false;

	if (nf < 3 || !mmt_field_is(&f[1], "list"))
		return false;
	for (size_t i = 2; i < nf; i++) {
		tasks |= mmt_field_is(&f[i], "task_struct.tasks");
		members |= mmt_field_is(&f[i], "-S") || mmt_field_is(&f[i], "-s");
	}
	return tasks && members;
}

void crash_list_open(struct crash *c)
{
	c->list_stored = c->list.n;
}

int crash_list_line(struct crash *c, const char *s, size_t n)
{
	return crash_list_feed(&c->list, s, n, c->lineno) ? 1 : 0;
}

/* The state column ps would print for a task dump's letter. */
static const char *ps_state(const char *letter)
{
	static const char *const map[][2] = {
		{ "R", "RU" }, { "S", "IN" }, { "D", "UN" }, { "I", "ID" }, { "T", "ST" },
		{ "t", "TR" }, { "Z", "ZO" }, { "X", "DE" }, { "P", "PA" },
	};

	for (size_t i = 0; letter && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i][0], letter))
			return map[i][1];
	return "??";
}

static int store_listed(struct crash *c, const struct crash_listed *t)
{
	sqlite3_stmt *s;
	char task[24];

	if (crash_snapshot(c, "crash_list") < 0)
		return -1;
	c->list_snapshot = c->snapshot;
	s = mmt_store_stmt(c->st, sql_list_task, c->err);
	if (!s)
		return -1;
	snprintf(task, sizeof(task), "%016llx", (unsigned long long)t->task);
	mmt_bind_int(s, 1, c->in->source_id);
	mmt_bind_int(s, 2, c->snapshot);
	mmt_bind_int(s, 3, t->pid);
	mmt_bind_text(s, 4, task);
	mmt_bind_text(s, 5, ps_state(crash_list_state(t)));
	mmt_bind_text(s, 6, t->comm);
	mmt_bind_int(s, 7, t->line);
	return mmt_store_run(c->st, s, c->err);
}

/*
 * The listing ended: its tasks join crash_tasks, so that a session whose ps
 * falls short still has the dump's whole task table.
 */
int crash_list_close(struct crash *c)
{
	for (size_t i = c->list_stored; i < c->list.n; i++)
		if (c->list.v[i].pid >= 0 && store_listed(c, &c->list.v[i]) < 0)
			return -1;
	c->list_stored = c->list.n;
	return 0;
}

/* "crash> rd -s ADDR COUNT": the listed task whose saved stack pointer ADDR is. */
int crash_rd_begin(struct crash *c, const struct mmt_field *f, size_t nf)
{
	char buf[24];
	uint64_t sp;

	c->scan_task = NULL;
	if (nf < 4 || f[3].n >= sizeof(buf))
		return 0;
	memcpy(buf, f[3].s, f[3].n);
	buf[f[3].n] = '\0';
	sp = strtoull(buf, NULL, 16);
	for (size_t i = 0; i < c->list.n; i++)
		if (c->list.v[i].sp == sp && sp) {
			c->scan_task = &c->list.v[i];
			break;
		}
	mmt_stack_reset(&c->scan);
	c->scan_first = c->lineno;
	c->scan_last = c->lineno;
	return c->scan_task ? 1 : 0;
}

/* "schedule+90" (crash prints the offset in decimal): a frame. */
static bool scan_word(const struct mmt_field *w, struct mmt_frame *fr)
{
	const char *plus = memchr(w->s, '+', w->n);
	size_t k = plus ? (size_t)(plus - w->s) : 0, dn;
	uint64_t off = 0;

	if (!plus || !k || k >= sizeof(fr->symbol))
		return false;
	dn = w->n - k - 1;
	if (!dn || dn > 12)
		return false;
	for (size_t i = 0; i < dn; i++) {
		if (plus[1 + i] < '0' || plus[1 + i] > '9')
			return false;
		off = off * 10 + (uint64_t)(plus[1 + i] - '0');
	}
	memset(fr, 0, sizeof(*fr));
	memcpy(fr->symbol, w->s, k);
	fr->offset = off;
	fr->has_offset = true;
	fr->reliable = false;
	return true;
}

/* "ffa0000000013c80:  __schedule+845   0000000000000001": 1 taken, 0 not such a line. */
int crash_rd_line(struct crash *c, const struct mmt_field *f, size_t nf)
{
	struct mmt_frame fr;

	if (!nf || f[0].n < 2 || f[0].s[f[0].n - 1] != ':')
		return 0;
	for (size_t i = 1; i < nf; i++) {
		if (scan_word(&f[i], &fr)) {
			mmt_stack_push(&c->scan, &fr);
		} else if (c->scan.n && f[i].n > 2 && f[i].s[0] == '[' && f[i].s[f[i].n - 1] == ']' &&
			   f[i].n - 2 < sizeof(fr.module)) {
			struct mmt_frame *last = &c->scan.frames[c->scan.n - 1];

			memcpy(last->module, f[i].s + 1, f[i].n - 2);
			last->module[f[i].n - 2] = '\0';
		}
	}
	c->scan_last = c->lineno;
	return 1;
}

static int store_scan_task(struct crash *c, const struct crash_listed *t, int64_t report,
			   int64_t stack, const char *state)
{
	sqlite3_stmt *s = mmt_store_stmt(c->st, sql_task, c->err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, report);
	mmt_bind_int(s, 2, t->pid);
	mmt_bind_text(s, 3, t->comm);
	mmt_bind_text(s, 4, state);
	mmt_bind_int(s, 5, c->scan_first);
	mmt_bind_int_opt(s, 6, stack, stack > 0);
	return mmt_store_run(c->st, s, c->err);
}

/* The scan read so far, as a task_dump report with its task. */
int crash_rd_end(struct crash *c)
{
	const struct crash_listed *t = c->scan_task;
	const char *state;
	sqlite3_stmt *s;
	int64_t stack = 0;
	char title[160];

	if (!t)
		return 0;
	c->scan_task = NULL;
	state = crash_list_state(t);
	if (mmt_stack_store(c->st, &c->scan, &stack, c->err) < 0)
		return -1;
	snprintf(title, sizeof(title), "stack of PID %lld (%s) scanned by crash's rd -s",
		 (long long)t->pid, t->comm);
	s = mmt_store_stmt(c->st, sql_report, c->err);
	if (!s)
		return -1;
	mmt_bind_int(s, 1, c->in->source_id);
	mmt_bind_text(s, 2, title);
	mmt_bind_int(s, 3, c->scan_first);
	mmt_bind_int(s, 4, c->scan_last);
	mmt_bind_int(s, 5, t->pid);
	mmt_bind_text(s, 6, t->comm);
	mmt_bind_text(s, 7, state);
	mmt_bind_int_opt(s, 8, stack, stack > 0);
	mmt_bind_text(s, 9, c->release[0] ? c->release : NULL);
	if (mmt_store_run(c->st, s, c->err) < 0)
		return -1;
	return store_scan_task(c, t, mmt_store_last_id(c->st), stack, state);
}

/* "crash> list task_struct.thread_node -H ADDR" without members (crash_list.h). */
bool crash_threads_prompt(const struct mmt_field *f, size_t nf)
{
	return nf == 5 && mmt_field_is(&f[1], "list") &&
	       mmt_field_is(&f[2], "task_struct.thread_node") && mmt_field_is(&f[3], "-H");
}

int crash_threads_line(struct crash *c, const char *s, size_t n)
{
	if (crash_walk_line(&c->walks, s, n))
		return 1;
	crash_walk_end(&c->walks);
	return 0;
}

/*
 * The threads the task table lacks, with init_task's list: 0 says the list
 * is every task of the dump, so that a task not in it had ended. Said only
 * when every leader's walk was read.
 */
int crash_threads_store(struct crash *c)
{
	size_t leaders = 0;

	for (size_t i = 0; i < c->list.n; i++)
		leaders += c->list.v[i].pid > 0;
	if (!c->list_snapshot || !leaders || c->walks.read < leaders)
		return 0;
	c->snapshot = c->list_snapshot;
	return crash_value(c, "crash.threads_unlisted", (int64_t)c->walks.threads);
}
