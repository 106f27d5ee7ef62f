/*
 * The replayed state at the time cursor, reduced to the tasks the Tasks
 * view lists. The first question on a trace builds its checkpoints, once
 * (they are kept in the database); a database that cannot be written is
 * answered by replaying the trace from its start, when it is small enough
 * for that to stay quick.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmd/tui/tasks_at.h"
#include "core/xalloc.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Events a whole replay may go through for every cursor move (about 1 us each). */
#define WHOLE_REPLAY_MAX 200000

enum { MODE_UNTRIED, MODE_CHECKPOINTS, MODE_WHOLE, MODE_NONE = -1 };

static const char *const labels[AT_NGROUPS] = { "running", "runnable", "D", "in reclaim" };

const char *tasks_at_label(int group)
{
	return labels[group];
}

int tasks_at_open(struct tasks_at *a, struct mmt_store *st, struct mmt_err *err)
{
	memset(a, 0, sizeof(*a));
	if (mmt_replay_sources(st, 0, &a->src, &a->nsrc, err) < 0)
		return -1;
	a->mode = xcalloc(a->nsrc + 1, sizeof(*a->mode));
	a->dirty = true;
	return 0;
}

static void clear_items(struct tasks_at *a)
{
	for (int g = 0; g < AT_NGROUPS; g++) {
		free(a->items[g]);
		a->items[g] = NULL;
		a->n[g] = 0;
	}
}

void tasks_at_free(struct tasks_at *a)
{
	clear_items(a);
	free(a->src);
	free(a->mode);
	memset(a, 0, sizeof(*a));
}

static bool covers(const struct mmt_replay_source *src, double t)
{
	int64_t ns = mmt_replay_ns(src, t);

	return src->last_id >= src->first_id && ns >= src->first_ns && ns <= src->last_ns;
}

/* The message on the status line while something slow runs. */
static void say(struct tui *t, const char *msg)
{
	tui_status(t, "%s", msg);
	move(t->rows - 1, 0);
	clrtoeol();
	tui_text(t, t->rows - 1, 0, t->cols, msg, TS_NORMAL);
	refresh();
}

/* Checkpoints when built or buildable, else a whole replay of a small trace. */
static int pick_mode(struct tui *t, const struct mmt_replay_source *src)
{
	struct mmt_err err = { 0 };
	int built = mmt_replay_built(t->st, src->id, &err);

	if (built == 1)
		return MODE_CHECKPOINTS;
	if (built == 0) {
		say(t, "Building the replay checkpoints of the trace (once; kept in the database)...");
		if (mmt_replay_build(t->st, src, 0, &err) == 0) {
			tui_status(t, "Built the replay checkpoints of trace %lld.",
				   (long long)src->id);
			return MODE_CHECKPOINTS;
		}
	}
	if (src->last_id - src->first_id < WHOLE_REPLAY_MAX) {
		tui_status(t, "No replay checkpoints (%s): replaying the trace from its start.",
			   err.msg[0] ? err.msg : "not built");
		return MODE_WHOLE;
	}
	tui_status(t, "No replay checkpoints (%s), and the trace is too long to replay at "
		   "every cursor move.", err.msg[0] ? err.msg : "not built");
	return MODE_NONE;
}

static struct tasks_at_item *add(struct tasks_at *a, int g, const struct mmt_replay_source *src,
				 int64_t since_ns)
{
	struct tasks_at_item *it;

	a->items[g] = xrealloc(a->items[g], (a->n[g] + 1) * sizeof(*it));
	it = &a->items[g][a->n[g]++];
	memset(it, 0, sizeof(*it));
	it->cpu = -1;
	it->before = since_ns == MMT_REPLAY_BEFORE;
	it->since = it->before ? 0 : mmt_replay_seconds(src, since_ns);
	return it;
}

/* The name pid had at the cursor: trace_tasks when built, else the machine's. */
static void name_of(struct tui *t, const struct mmt_replay_source *src, bool names,
		    struct mmt_replay_state *s, int32_t pid, int64_t ns, struct tasks_at_item *it)
{
	struct mmt_rtask *task = mmt_replay_task(s, pid);

	it->pid = pid;
	if (!(names && mmt_replay_task_name(t->st, src->id, pid, ns, it->name,
					    sizeof(it->name))) && task)
		snprintf(it->name, sizeof(it->name), "%s", task->comm);
}

static void collect(struct tasks_at *a, struct tui *t, const struct mmt_replay_source *src,
		    struct mmt_replay_state *s, int64_t ns, bool names)
{
	static const char *const reclaim[MMT_RC_KINDS] = {
		"direct reclaim", "memcg reclaim", "memcg softlimit reclaim", "compaction",
	};
	const struct mmt_rtask *task = s->tasks.v;
	const struct mmt_rreclaim *r = s->reclaim.v;

	for (size_t i = 0; i < s->tasks.n; i++) {
		int g = task[i].state == MMT_RT_RUNNING ? AT_RUNNING :
			task[i].state == MMT_RT_RUNNABLE ? AT_RUNNABLE :
			task[i].state == MMT_RT_BLOCKED ? AT_BLOCKED : -1;
		struct tasks_at_item *it;

		if (g < 0)
			continue;
		it = add(a, g, src, task[i].since_ns);
		it->cpu = task[i].cpu;
		name_of(t, src, names, s, task[i].pid, ns, it);
	}
	for (size_t i = 0; i < s->reclaim.n; i++) {
		struct tasks_at_item *it = add(a, AT_RECLAIM, src, r[i].since_ns);

		name_of(t, src, names, s, r[i].pid, ns, it);
		snprintf(it->what, sizeof(it->what), r[i].has_order ? "%s, order %d" : "%s",
			 reclaim[r[i].kind % MMT_RC_KINDS], r[i].order);
	}
}

/* Longest first: the task stuck longest matters most. */
static int cmp_items(const void *pa, const void *pb)
{
	const struct tasks_at_item *x = pa, *y = pb;

	if (x->before != y->before)
		return x->before ? -1 : 1;
	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	return x->pid - y->pid;
}

static int one_source(struct tasks_at *a, struct tui *t, size_t i)
{
	const struct mmt_replay_source *src = &a->src[i];
	struct mmt_replay_state s;
	struct mmt_err err = { 0 };
	int64_t ns = mmt_replay_ns(src, a->at);
	int rc;

	if (a->mode[i] == MODE_UNTRIED)
		a->mode[i] = (signed char)pick_mode(t, src);
	if (a->mode[i] == MODE_NONE)
		return 0;
	rc = mmt_replay_at(t->st, src, ns, a->mode[i] == MODE_CHECKPOINTS, &s, &err);
	if (rc == 0)
		collect(a, t, src, &s, ns, a->mode[i] == MODE_CHECKPOINTS);
	else
		snprintf(a->note, sizeof(a->note), "The replay failed: %s", err.msg);
	mmt_replay_state_free(&s);
	return rc == 0;
}

bool tasks_at_update(struct tasks_at *a, struct tui *t)
{
	size_t covering = 0, answered = 0;

	if (!a->dirty || !a->nsrc)
		return false;
	a->dirty = false;
	a->at = t->cursor;
	a->note[0] = '\0';
	clear_items(a);
	for (size_t i = 0; i < a->nsrc; i++) {
		if (!covers(&a->src[i], a->at))
			continue;
		covering++;
		answered += (size_t)(one_source(a, t, i) > 0);
	}
	for (int g = 0; g < AT_NGROUPS; g++)
		if (a->n[g])
			qsort(a->items[g], a->n[g], sizeof(*a->items[g]), cmp_items);
	if (!covering)
		snprintf(a->note, sizeof(a->note), "The cursor is outside the trace%s.",
			 a->nsrc > 1 ? "s" : "");
	else if (!answered && !a->note[0])
		snprintf(a->note, sizeof(a->note), "No state: the trace has no replay checkpoints.");
	return true;
}
