/*
 * The state machine of `replay --at`: events of one trace, in id order,
 * change what is known of tasks, CPUs, reclaim, kswapd, block I/O and
 * writeback (replay_state.h says what each piece is).
 *
 * Tasks: sched_switch puts its next task on the CPU (running) and its prev
 * task in the state prev_state says (R/R+: runnable, it was preempted or
 * yielded; S: sleeping; D: uninterruptible; anything else as printed);
 * sched_wakeup, sched_wakeup_new and sched_waking make a task that is not
 * on a CPU runnable, and so does sched_process_fork its child;
 * sched_process_exit makes it gone. The first time the
 * machine meets a task or a CPU it tells the caller what that event shows
 * of the time before it (first_task, first_cpu), so that a question about
 * an earlier time can still name the task a CPU was running.
 */
#include "analyzers/replay_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* first_task's state for "the event says nothing of before". */
#define NO_STATE 0xff

/*
 * The task of pid as an event at ts meets it; a task met for the first
 * time is reported with what the event shows of before (NO_STATE: nothing).
 */
static struct mmt_rtask *meet(struct mmt_replay_state *s, int32_t pid, int64_t ts,
			      uint8_t before, int32_t cpu)
{
	struct mmt_rtask *t = mmt_replay_task(s, pid);

	if (t)
		return t;
	t = mmt_replay_task_add(s, pid);
	if (s->first_task)
		s->first_task(s->first_ctx, pid, ts, before, cpu);
	return t;
}

static void set_comm(struct mmt_rtask *t, const char *comm)
{
	if (comm && comm[0] && strcmp(comm, "<...>"))
		snprintf(t->comm, sizeof(t->comm), "%s", comm);
}

/* The letters of the bits of a prev_state, as the kernel prints them. */
static void state_letters(int64_t v, const char *letters, char *out, size_t n)
{
	size_t len = 0;

	out[0] = 0;
	for (int bit = 0; letters[bit]; bit++) {
		if (!(v & (1LL << bit)))
			continue;
		if (len && len + 1 < n)
			out[len++] = '|';
		if (len + 1 < n)
			out[len++] = letters[bit];
		out[len] = 0;
	}
}

/*
 * prev_state as an integer: TASK_* bits. From Linux 4.14 the kernel
 * reports S=1 D=2 T=4 t=8 X=0x10 Z=0x20 P=0x40 I=0x80 and 0x100
 * (TASK_REPORT_MAX) for a preempted task; before, the raw state, with
 * x=0x40 K=0x80 W=0x100 P=0x200 and TASK_STATE_MAX above them for
 * preemption. 0 (or only the preemption bit) is runnable.
 */
static void int_state(int64_t v, bool modern, struct mmt_rtask *t)
{
	const char *letters = modern ? "SDTtXZPI" : "SDTtXZxKWP";
	int64_t low = v & (modern ? 0xff : 0x3ff);

	if (!low)
		t->state = MMT_RT_RUNNABLE;
	else if (low & 2)
		t->state = MMT_RT_BLOCKED;
	else if (low & 1)
		t->state = MMT_RT_SLEEPING;
	else {
		t->state = MMT_RT_OTHER;
		state_letters(low, letters, t->other, sizeof(t->other));
	}
}

/* prev_state as text traces print it: "R", "R+", "S", "D", "D|K", "I", ... */
static void text_state(const char *v, bool modern, struct mmt_rtask *t)
{
	while (*v == ' ')
		v++;
	if (*v >= '0' && *v <= '9') {
		int_state(strtoll(v, NULL, 0), modern, t);
		return;
	}
	switch (*v) {
	case 'R': t->state = MMT_RT_RUNNABLE; break;
	case 'S': t->state = MMT_RT_SLEEPING; break;
	case 'D': t->state = MMT_RT_BLOCKED; break;
	default:
		t->state = MMT_RT_OTHER;
		snprintf(t->other, sizeof(t->other), "%s", *v ? v : "?");
	}
}

/*
 * t leaves the CPU the machine had it running on, unless that is cpu: the
 * CPU then runs what is not known (an event of it was lost).
 */
static void leave_cpu(struct mmt_replay_state *s, const struct mmt_rtask *t, int32_t cpu)
{
	struct mmt_rcpu *c;

	if (t->state != MMT_RT_RUNNING || t->cpu < 0 || t->cpu == cpu ||
	    (size_t)t->cpu >= s->cpus.n)
		return;
	c = (struct mmt_rcpu *)s->cpus.v + t->cpu;
	if (c->pid == t->pid)
		c->pid = -1;
}

static void switched_out(struct mmt_replay_state *s, const struct mmt_revent *e,
			 struct mmt_rtask *t)
{
	if (t->state == MMT_RT_GONE && t->since_ns != MMT_REPLAY_BEFORE)
		return;			/* its last switch after sched_process_exit */
	leave_cpu(s, t, e->cpu);
	if (!e->has_v) {
		t->state = MMT_RT_OTHER;
		snprintf(t->other, sizeof(t->other), "?");
	} else if (e->v_is_text) {
		text_state(e->vs, s->modern_states, t);
	} else {
		int_state(e->vi, s->modern_states, t);
	}
	t->since_ns = e->ts_ns;
	t->cpu = e->cpu;
}

/* t runs on the event's CPU from the event on. */
static void runs(struct mmt_replay_state *s, struct mmt_rtask *t, const struct mmt_revent *e)
{
	leave_cpu(s, t, e->cpu);
	t->state = MMT_RT_RUNNING;
	t->cpu = e->cpu;
	t->since_ns = e->ts_ns;
}

/*
 * The task a CPU ran left it without a sched_switch showing it (events lost,
 * or a pid filter of the recorder): what it does now is not known.
 */
static void left_unseen(struct mmt_replay_state *s, int32_t pid, const struct mmt_revent *e)
{
	struct mmt_rtask *t = mmt_replay_task(s, pid);

	if (!t || t->state != MMT_RT_RUNNING || t->cpu != e->cpu)
		return;
	t->state = MMT_RT_OTHER;
	snprintf(t->other, sizeof(t->other), "?");
	t->since_ns = e->ts_ns;
}

/*
 * What a task was doing before the machine first met it is told only when
 * the event says: switched in first (in a trace that records wakeups of
 * old and new tasks), it was waiting for a CPU; woken first, it was asleep. A task running before
 * a CPU's first switch is that switch's prev task (first_cpu).
 */
static void on_switch(struct mmt_replay_state *s, const struct mmt_revent *e)
{
	int32_t prev = e->has_a ? (int32_t)e->a : -1, next = e->has_b ? (int32_t)e->b : -1;
	struct mmt_rcpu *c = e->cpu >= 0 ? mmt_replay_cpu(s, e->cpu) : NULL;
	struct mmt_rtask *t;

	if (c && c->pid == -1 && c->since_ns == MMT_REPLAY_BEFORE && s->first_cpu && prev >= 0)
		s->first_cpu(s->first_ctx, e->cpu, prev, e->ts_ns, c->seen_ns);
	if (c && c->pid > 0 && c->pid != prev)
		left_unseen(s, c->pid, e);
	if (prev > 0) {
		t = meet(s, prev, e->ts_ns, NO_STATE, -1);
		set_comm(t, e->s1);
		switched_out(s, e, t);
	}
	if (next > 0) {
		t = meet(s, next, e->ts_ns, s->wakeups_traced ? MMT_RT_RUNNABLE : NO_STATE, -1);
		set_comm(t, e->s2);
		runs(s, t, e);
	}
	if (c) {
		c->pid = next;
		c->since_ns = e->ts_ns;
	}
}

/*
 * Every event runs in the context of its CPU's current task (common_pid,
 * also in interrupts): when that is not the task the machine thinks the
 * CPU runs, a switch was not seen, and the event's task runs there now.
 * CPUs not yet seen switching are left to what their first switch says.
 */
static void saw_current(struct mmt_replay_state *s, const struct mmt_revent *e)
{
	struct mmt_rcpu *c;
	struct mmt_rtask *t;

	if (e->cpu < 0 || e->pid < 0 || (size_t)e->cpu >= s->cpus.n)
		return;
	c = (struct mmt_rcpu *)s->cpus.v + e->cpu;
	if (c->pid == e->pid || (c->pid == -1 && c->since_ns == MMT_REPLAY_BEFORE))
		return;
	if (c->pid > 0)
		left_unseen(s, c->pid, e);
	c->pid = e->pid;
	c->since_ns = e->ts_ns;
	if (e->pid == 0)
		return;
	t = meet(s, e->pid, e->ts_ns, NO_STATE, -1);
	if (t->state == MMT_RT_GONE && t->since_ns != MMT_REPLAY_BEFORE)
		return;			/* still on its CPU after sched_process_exit */
	runs(s, t, e);
}

static void on_wakeup(struct mmt_replay_state *s, const struct mmt_revent *e)
{
	int32_t pid = e->has_a ? (int32_t)e->a : -1;
	struct mmt_rtask *t;

	/* Woken by an interrupt on its own CPU before it slept: it still runs. */
	if (pid <= 0 || pid == e->pid)
		return;
	t = meet(s, pid, e->ts_ns, e->kind == MMT_RK_WAKEUP_NEW ? NO_STATE : MMT_RT_ASLEEP, -1);
	set_comm(t, e->s1);
	if (t->state == MMT_RT_RUNNING || t->state == MMT_RT_RUNNABLE)
		return;			/* woken on its CPU before it slept, or woken twice */
	if (e->has_b && e->b >= 0)
		t->cpu = (int32_t)e->b;	/* the CPU it will run on */
	t->state = MMT_RT_RUNNABLE;
	t->since_ns = e->ts_ns;
}

/* A forked child: runnable from now on (wake_up_new_task follows the event). */
static void on_fork(struct mmt_replay_state *s, const struct mmt_revent *e)
{
	int32_t pid = e->has_a ? (int32_t)e->a : -1;
	struct mmt_rtask *t;

	if (pid <= 0)
		return;
	t = meet(s, pid, e->ts_ns, NO_STATE, -1);
	set_comm(t, e->s1);
	if (t->state == MMT_RT_RUNNING)
		return;
	t->state = MMT_RT_RUNNABLE;
	t->since_ns = e->ts_ns;
	t->cpu = -1;
}

static void drop_reclaim_of(struct mmt_replay_state *s, int32_t pid)
{
	struct mmt_rreclaim *r = s->reclaim.v;

	for (size_t i = s->reclaim.n; i-- > 0;)
		if (r[i].pid == pid)
			mmt_rvec_drop(&s->reclaim, sizeof(*r), i);
}

static void on_task_exit(struct mmt_replay_state *s, const struct mmt_revent *e)
{
	int32_t pid = e->has_a ? (int32_t)e->a : e->pid;
	struct mmt_rtask *t;

	if (pid <= 0)
		return;
	t = meet(s, pid, e->ts_ns, NO_STATE, -1);
	set_comm(t, e->s1);
	t->state = MMT_RT_GONE;
	t->since_ns = e->ts_ns;
	drop_reclaim_of(s, pid);
}

static struct mmt_rreclaim *find_reclaim(struct mmt_replay_state *s, int32_t pid, int kind,
					 size_t *at)
{
	struct mmt_rreclaim *r = s->reclaim.v;

	for (size_t i = 0; i < s->reclaim.n; i++)
		if (r[i].pid == pid && r[i].kind == kind) {
			*at = i;
			return &r[i];
		}
	return NULL;
}

static void on_reclaim(struct mmt_replay_state *s, const struct mmt_revent *e, int kind,
		       bool begin)
{
	size_t at;
	struct mmt_rreclaim *r = find_reclaim(s, e->pid, kind, &at);

	if (!begin) {
		if (r)
			mmt_rvec_drop(&s->reclaim, sizeof(*r), at);
		return;
	}
	if (!r)
		r = mmt_rvec_push(&s->reclaim, sizeof(*r));
	memset(r, 0, sizeof(*r));
	r->pid = e->pid;
	r->kind = (uint8_t)kind;
	r->since_ns = e->ts_ns;
	r->has_order = e->has_a;
	r->order = (int32_t)e->a;
	r->has_gfp = e->has_v;
	r->gfp_is_text = e->v_is_text;
	if (e->has_v && e->v_is_text)
		snprintf(r->gfp_text, sizeof(r->gfp_text), "%s", e->vs);
	else
		r->gfp = e->vi;
}

static void on_daemon(struct mmt_replay_state *s, const struct mmt_revent *e, int kind,
		      bool wake)
{
	struct mmt_rdaemon *d = s->daemons.v;
	size_t i;

	if (!e->has_a)
		return;
	for (i = 0; i < s->daemons.n; i++)
		if (d[i].kind == kind && d[i].nid == e->a)
			break;
	if (i == s->daemons.n) {
		d = mmt_rvec_push(&s->daemons, sizeof(*d));
		d->kind = (uint8_t)kind;
		d->nid = (int32_t)e->a;
	} else {
		d = &d[i];
		if (wake && d->awake) {
			d->order = e->has_b ? (int32_t)e->b : d->order;
			return;			/* woken again while awake: still since then */
		}
	}
	d->awake = wake;
	d->since_ns = e->ts_ns;
	d->has_order = wake && e->has_b;
	d->order = wake && e->has_b ? (int32_t)e->b : 0;
}

/*
 * A block event's device and sector: from its fields, or from the text a
 * text trace could not split ("254,0 W 4096 () 88 + 8 be,0,4 [kworker]").
 */
static bool block_place(const struct mmt_revent *e, char *dev, size_t n, int64_t *sector,
			int64_t *nr, bool *has_nr, char *rwbs, size_t rn)
{
	const char *info = e->s2, *plus;
	char *end;

	*has_nr = e->has_b;
	*nr = e->b;
	snprintf(rwbs, rn, "%s", e->s1);
	if (e->has_v && e->has_a) {
		if (e->v_is_text)
			snprintf(dev, n, "%s", e->vs);
		else
			snprintf(dev, n, "%" PRId64 ",%" PRId64, e->vi >> 20, e->vi & 0xfffff);
		*sector = e->a;
		return true;
	}
	plus = strstr(info, " + ");
	if (!info[0] || !plus || sscanf(info, "%23s %11s", dev, rwbs) != 2)
		return false;
	while (plus > info && plus[-1] != ' ')
		plus--;
	*sector = strtoll(plus, NULL, 10);
	plus = strstr(plus, " + ") + 3;
	*nr = strtoll(plus, &end, 10);
	*has_nr = end != plus;
	return true;
}

static void on_block(struct mmt_replay_state *s, const struct mmt_revent *e)
{
	struct mmt_rio *io = s->io.v, *r;
	char dev[24], rwbs[12];
	int64_t sector, nr;
	bool has_nr;
	size_t i;

	if (!block_place(e, dev, sizeof(dev), &sector, &nr, &has_nr, rwbs, sizeof(rwbs)))
		return;
	for (i = 0; i < s->io.n; i++)
		if (io[i].sector == sector && !strcmp(io[i].dev, dev))
			break;
	if (e->kind != MMT_RK_RQ_ISSUE) {
		if (i < s->io.n)
			mmt_rvec_drop(&s->io, sizeof(*io), i);
		return;
	}
	r = i < s->io.n ? &io[i] : mmt_rvec_push(&s->io, sizeof(*r));
	snprintf(r->dev, sizeof(r->dev), "%s", dev);
	snprintf(r->rwbs, sizeof(r->rwbs), "%s", rwbs);
	r->sector = sector;
	r->nr_sector = nr;
	r->has_nr = has_nr;
	r->issue_ns = e->ts_ns;
}

/* The bdi of a writeback event: its name field, or "bdi 254:0: ..." of a text trace. */
static bool wb_name(const struct mmt_revent *e, char *out, size_t n)
{
	size_t len;

	if (e->s1[0]) {
		snprintf(out, n, "%s", e->s1);
		return true;
	}
	if (strncmp(e->s2, "bdi ", 4) || sscanf(e->s2 + 4, "%39s", out) != 1)
		return false;
	len = strlen(out);
	if (len && out[len - 1] == ':')
		out[len - 1] = 0;
	return out[0] != 0;
}

static void on_writeback(struct mmt_replay_state *s, const struct mmt_revent *e)
{
	struct mmt_rwb *w = s->wb.v;
	char bdi[40];
	size_t i;

	if (!wb_name(e, bdi, sizeof(bdi)))
		return;
	for (i = 0; i < s->wb.n; i++)
		if (!strcmp(w[i].bdi, bdi))
			break;
	if (e->kind == MMT_RK_WB_WRITTEN) {
		if (i < s->wb.n && --w[i].depth <= 0)
			mmt_rvec_drop(&s->wb, sizeof(*w), i);
		return;
	}
	if (i < s->wb.n) {
		w[i].depth++;
		return;
	}
	w = mmt_rvec_push(&s->wb, sizeof(*w));
	snprintf(w->bdi, sizeof(w->bdi), "%s", bdi);
	w->depth = 1;
	w->since_ns = e->ts_ns;
}

void mmt_replay_apply(struct mmt_replay_state *s, const struct mmt_revent *e)
{
	int k = e->kind;

	s->event_id = e->id;
	s->ts_ns = e->ts_ns;
	if (e->cpu >= 0 && mmt_replay_cpu(s, e->cpu)->seen_ns == INT64_MAX)
		mmt_replay_cpu(s, e->cpu)->seen_ns = e->ts_ns;
	if (k == MMT_RK_SWITCH) {
		on_switch(s, e);
		return;
	}
	saw_current(s, e);
	if (k == MMT_RK_WAKEUP || k == MMT_RK_WAKEUP_NEW || k == MMT_RK_WAKING)
		on_wakeup(s, e);
	else if (k == MMT_RK_EXIT)
		on_task_exit(s, e);
	else if (k == MMT_RK_FORK)
		on_fork(s, e);
	else if (k >= MMT_RK_DIRECT_BEGIN && k <= MMT_RK_COMPACT_END)
		on_reclaim(s, e, (k - MMT_RK_DIRECT_BEGIN) / 2,
			   (k - MMT_RK_DIRECT_BEGIN) % 2 == 0);
	else if (k >= MMT_RK_KSWAPD_WAKE && k <= MMT_RK_KCOMPACTD_SLEEP)
		on_daemon(s, e, (k - MMT_RK_KSWAPD_WAKE) / 2, (k - MMT_RK_KSWAPD_WAKE) % 2 == 0);
	else if (k >= MMT_RK_RQ_ISSUE && k <= MMT_RK_RQ_REQUEUE)
		on_block(s, e);
	else if (k == MMT_RK_WB_START || k == MMT_RK_WB_WRITTEN)
		on_writeback(s, e);
}

