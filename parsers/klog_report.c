/*
 * The report state machine: which log lines belong to which report.
 *
 * A report opens at its header line (or at the "cut here" or "=====" rule
 * printed just before it) and takes every line that is part of a report's
 * vocabulary: frames, context markers, register dumps, task lines, lock
 * lists, Mem-Info, OOM tables, indented continuation lines. Lines from
 * elsewhere (other CPUs, other subsystems) may be interleaved; they are not
 * taken, and three of them in a row, or one after a pause, close the
 * report. A new report's header closes the open one, except for the lines
 * that continue a report ("Oops:" after "BUG: unable to handle", a panic
 * that follows, NMI backtraces of other CPUs). Lockdep and OOM reports are
 * taken whole until their last section, since they carry free text.
 */
#include "parsers/klog.h"

#include <string.h>

#define FOREIGN_LINES_TO_DOZE 3	/* then only strong lines (frames, facts) rejoin */
#define FOREIGN_LINES_TO_CLOSE 200
#define PAUSE_TO_CLOSE 5.0	/* seconds between a report and a foreign line */
#define REPORT_MAX_LINES 100000	/* a runaway report is cut here */

void klog_report_init(struct kreport *r)
{
	struct mmt_stack a = r->task.stack, b = r->chain_stack;

	memset(r, 0, sizeof(*r));
	r->task.stack = a;
	r->chain_stack = b;
	mmt_stack_reset(&r->task.stack);
	mmt_stack_reset(&r->chain_stack);
	r->chain_idx = -1;
}

void klog_report_free(struct kreport *r)
{
	mmt_stack_free(&r->task.stack);
	mmt_stack_free(&r->chain_stack);
}

static void start_task(struct kreport *r, const char *role, long line)
{
	struct mmt_stack stk = r->task.stack;

	memset(&r->task, 0, sizeof(r->task));
	r->task.stack = stk;
	mmt_stack_reset(&r->task.stack);
	r->task.active = true;
	r->task.role = role;
	r->task.line = line;
}

/* The task a report is about, known from its header. */
static void start_subject(struct kreport *r, long line)
{
	const char *role = r->h.kind == KK_TASK_DUMP ? "dump" : "subject";

	start_task(r, role, line);
	r->task.pid = r->h.pid;
	r->task.has_pid = r->h.has_pid;
	r->task.cpu = r->h.cpu;
	r->task.has_cpu = r->h.has_cpu;
	kcopy(r->task.comm, sizeof(r->task.comm), r->h.comm, strlen(r->h.comm));
	if (r->h.kind == KK_HUNG_TASK)
		kcopy(r->task.state, sizeof(r->task.state), "D", 1);
}

static int open_report(struct klog *k, const struct kline *kl, const struct kheader *h)
{
	struct kreport *r = &k->rep;

	klog_report_init(r);
	r->open = true;
	r->h = *h;
	r->line_start = r->line_end = kl->lineno;
	r->t = r->last_t = kl->t;
	r->has_t = kl->has_t;
	r->greedy = h->kind == KK_LOCKDEP || h->kind == KK_OOM_KILL;
	r->target = KST_TASK;
	start_subject(r, kl->lineno);
	if (k->pending_banner_id && k->pending_banner_age <= 2)
		r->line_start = k->pending_banner_line;
	if (klog_store_report_open(k) < 0)
		return -1;
	k->reports++;
	if (k->pending_banner_id && k->pending_banner_age <= 2 &&
	    klog_store_attach_line(k, k->pending_banner_id, r->id) < 0)
		return -1;
	k->pending_banner_id = 0;
	return 0;
}

/* Whether the end of the file cut the report short. */
static bool looks_cut(const struct klog *k, const struct kreport *r)
{
	if (r->ended)
		return false;
	if (r->greedy || r->expect_frames)
		return true;
	if (r->task.active && r->task.stack.n == 0 && r->h.kind == KK_HUNG_TASK)
		return true;
	/* Inside <TASK> ... </TASK> or <IRQ> ... <EOI> when the file ended. */
	if (r->task.active && r->task.stack.depth > 0)
		return true;
	return k->eof_unterminated && r->line_end == k->last_lineno;
}

int klog_report_close(struct klog *k, bool at_eof)
{
	struct kreport *r = &k->rep;
	bool cut;

	if (!r->open)
		return 0;
	/* Judge the cut before flushing: flushing ends the task in progress. */
	cut = at_eof && looks_cut(k, r);
	if (klog_flush_task(k) < 0 || klog_flush_chain(k) < 0)
		return -1;
	if (cut) {
		r->truncated = true;
		mmt_input_warn(k->in, r->line_end, "the %s report that starts at line "
			       "%ld is cut off by the end of the file",
			       klog_kind_name(r->h.kind), r->line_start);
	}
	if (klog_store_report_close(k) < 0)
		return -1;
	r->open = false;
	return 0;
}

/* Headers that do not end the open report but continue it. */
static bool continues(const struct kreport *r, const struct kheader *h)
{
	enum kkind open = r->h.kind;

	if (h->weak)
		return true;
	if (h->kind == KK_OOPS && r->lines < 40 &&
	    (open == KK_OOPS || open == KK_BUG || open == KK_KASAN ||
	     open == KK_WARNING || open == KK_UBSAN || open == KK_KFENCE))
		return true;
	/* Two-line titles: "BUG: memory leak" then "unreferenced object ...". */
	if (h->kind == open && open == KK_MEMORY_LEAK && r->lines < 2)
		return true;
	return false;
}

static void push_frame(struct kreport *r, const char *s, size_t n)
{
	r->expect_frames = false;
	switch (r->target) {
	case KST_TASK:
		if (!r->task.active)
			start_task(r, r->h.kind == KK_TASK_DUMP ? "dump" : "subject", 0);
		mmt_stack_feed(&r->task.stack, s, n);
		break;
	case KST_CHAIN:
		mmt_stack_feed(&r->chain_stack, s, n);
		break;
	case KST_DISCARD:
		break;
	}
}

/* Stack headers; KASAN's allocation and free stacks are not the report's. */
static bool stack_header(struct kreport *r, const char *s, size_t n)
{
	static const struct klit discard[] = {
		KLIT("Allocated by task"), KLIT("Freed by task"), KLIT("Allocated:"),
		KLIT("Freed:"), KLIT("Last potentially related"),
		KLIT("Second to last potentially related"), KLIT("The buggy address"),
		KLIT("Memory state around"), KLIT("allocated by task"),
		KLIT("freed by task"), KLIT("Last call_rcu"), KLIT("Second to last call_rcu"),
		{ NULL, 0 }
	};
	static const struct klit traces[] = {
		KLIT("Call Trace"), KLIT("Call trace:"), KLIT("Backtrace:"),
		KLIT("stack backtrace:"), { NULL, 0 }
	};

	if (n == 0)
		return false;
	if (kstarts_any(s, n, discard)) {
		r->target = KST_DISCARD;
		return true;
	}
	if (!kstarts_any(s, n, traces))
		return false;
	if (r->target == KST_DISCARD || kstarts(s, n, "stack backtrace:"))
		r->target = KST_TASK;
	r->expect_frames = true;
	return true;
}

/* "NMI backtrace for cpu 1": the next lines are that CPU's state. */
static int cpu_backtrace(struct klog *k, const char *s, size_t n, long line)
{
	struct kreport *r = &k->rep;
	size_t i = 21;
	int64_t cpu;

	if (!kstarts(s, n, "NMI backtrace for cpu "))
		return 0;
	if (klog_flush_task(k) < 0)
		return -1;
	start_task(r, "cpu_backtrace", line);
	r->target = KST_TASK;
	i = kskip_space(s, n, i);
	if (kparse_int(s, n, &i, &cpu)) {
		r->task.cpu = (int)cpu;
		r->task.has_cpu = true;
	}
	return 1;
}

/* Register and machine-state lines: "RAX: ...", "x29: ...", "pc : ...". */
static bool register_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && i < 7 && (s[i] >= 'A' && s[i] <= 'Z' ? 1 :
				   (s[i] >= '0' && s[i] <= '9') ||
				   (s[i] >= 'a' && s[i] <= 'z')))
		i++;
	if (i < 2 || i >= n)
		return false;
	if (s[i] == ' ' && i + 1 < n && s[i + 1] == ':')
		return true;	/* arm64 "pc : ", "lr : " */
	return s[i] == ':' && (s[0] < 'a' || s[0] == 'x' || s[0] == 'r');
}

/* Lines of a report's vocabulary that carry no fact we keep. */
static bool known_line(const char *s, size_t n)
{
	static const struct klit prefixes[] = {
		KLIT("Modules linked in"), KLIT("Hardware name:"), KLIT("Workqueue:"),
		KLIT("Code:"), KLIT("Kernel Offset:"), KLIT("---[ end"), KLIT("#PF:"),
		KLIT("PGD "), KLIT("P4D "), KLIT("PUD "), KLIT("PMD "), KLIT("PTE "),
		KLIT("note:"), KLIT("irq event stamp:"), KLIT("hardirqs last"),
		KLIT("softirqs last"), KLIT("Sending NMI"), KLIT("NMI backtrace"),
		KLIT("INFO: "), KLIT("rcu: "), KLIT("\t("), KLIT("(detected by"),
		KLIT("Task dump for CPU"), KLIT("Exception stack"), KLIT("Stack:"),
		KLIT("Process "), KLIT("Instruction dump:"), KLIT("LR = "),
		KLIT("Kernel panic"), KLIT("Rebooting in"), KLIT("Dumping ftrace"),
		KLIT("Showing all locks held"), KLIT("Showing busy workqueues"),
		KLIT("workqueue "), KLIT("pool "), KLIT("Mem-Info"), KLIT("Memory cgroup"),
		KLIT("memory: usage"), KLIT("memory+swap: usage"), KLIT("kmem: usage"),
		KLIT("Tasks state"), KLIT("oom-kill:"), KLIT("oom_reaper:"),
		KLIT("Out of memory"), KLIT("Killed process"), KLIT("SLUB: "),
		KLIT("lowmem_reserve"), KLIT("Node "), KLIT("Free swap"), KLIT("Total swap"),
		KLIT("Swap cache stats"), KLIT("Unreliable frame"),
		KLIT("Disabling lock debugging"), KLIT("The buggy address"),
		KLIT("Memory state"), KLIT("Read of size"), KLIT("Write of size"),
		KLIT("page:"), KLIT("flags:"), KLIT("raw:"), KLIT("page dumped because"),
		KLIT("Object "), KLIT("Redzone "), KLIT("Padding "), KLIT("FIX "),
		KLIT("INFO: Slab"), KLIT("Unable to handle"), KLIT("Mem abort info:"),
		KLIT("  ESR"), KLIT("Data abort info:"), KLIT("user pgtable:"), KLIT("*pde"),
		KLIT("CR2:"), KLIT("ERR:"), KLIT("Dump of "), KLIT("DEADLOCK"),
		KLIT("*** DEADLOCK"), KLIT("\"echo 0 > "), KLIT("====="), KLIT("-----"),
		KLIT("task: "), KLIT("RIP  [<"), KLIT("EIP: [<"), { NULL, 0 }
	};

	return n > 0 && (kstarts_any(s, n, prefixes) || register_line(s, n));
}

/*
 * Stacks a report prints of other tasks than its subject: RCU's grace-period
 * kthread, a workqueue's busy worker.
 */
static int other_task_follows(struct klog *k, const char *s, size_t n)
{
	static const char *const leads[] = {
		"RCU grace-period kthread stack dump", "Stack dump where RCU GP kthread",
		"rcu: RCU grace-period kthread stack dump", NULL
	};

	if (k->rep.h.kind != KK_RCU_STALL || (s[0] != 'R' && s[0] != 'S' && s[0] != 'r'))
		return 0;
	for (size_t i = 0; leads[i]; i++) {
		if (kcontains(s, n, leads[i])) {
			if (klog_flush_task(k) < 0)
				return -1;
			k->rep.next_role = "dump";
			return 1;
		}
	}
	return 0;
}

/* Fact-bearing lines; returns 1 when taken, 0 when not, -1 on errors. */
static int take_facts(struct klog *k, const char *s, size_t n, long line)
{
	struct kreport *r = &k->rep;
	int rc;

	if (klog_take_task_line(k, s, n, line) || klog_take_rcu_cpu(k, s, n))
		return 1;
	if ((rc = cpu_backtrace(k, s, n, line)) != 0 ||
	    (rc = other_task_follows(k, s, n)) != 0)
		return rc;
	if (klog_take_cpu_line(k, s, n) || klog_take_ip_line(k, s, n) ||
	    klog_take_version_line(k, s, n) || klog_take_owner_hint(k, s, n) ||
	    klog_take_workqueue(k, s, n))
		return 1;
	if ((rc = klog_take_lock_lines(k, s, n, line)) != 0)
		return rc;
	if ((rc = klog_take_oom_victim(k, s, n, line)) != 0)
		return rc;
	if (r->sec == KSEC_OOM_TABLE || kstarts(s, n, "[ ") || kstarts(s, n, "[  pid"))
		if ((rc = klog_take_oom_table(k, s, n)) != 0)
			return rc;
	if ((rc = klog_take_meminfo(k, s, n)) != 0)
		return rc;
	return stack_header(r, s, n) ? 1 : 0;
}

/*
 * Whether a line belongs to the open report: 1 yes, 0 no, -1 error. After a
 * few foreign lines the report dozes: other CPUs are printing in the middle
 * of it, and only frames and fact-bearing lines still join it.
 */
static int absorb(struct klog *k, const struct kline *kl)
{
	struct kreport *r = &k->rep;
	const char *s = kl->text;
	size_t n = kl->len;
	struct mmt_frame f;
	enum mmt_marker m;
	int rc;

	if (kl->foreign)
		return 0;
	if (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '[' || s[0] == '<' ||
		      s[0] == '#' || (s[0] >= '0' && s[0] <= '9')) &&
	    mmt_frame_parse(s, n, &f, &m)) {
		push_frame(r, s, n);
		return 1;
	}
	rc = take_facts(k, s, n, kl->lineno);
	if (rc != 0)
		return rc;
	if (r->foreign_run >= FOREIGN_LINES_TO_DOZE)
		return 0;
	if (r->greedy)
		return 1;
	if (n > 0 && (s[0] == ' ' || s[0] == '\t'))
		return 1;
	return known_line(s, n) ? 1 : 0;
}

static int on_foreign(struct klog *k, const struct kline *kl)
{
	struct kreport *r = &k->rep;

	if (kl->len == 0 || kl->foreign || kl->untimed)
		return 0;	/* blank lines and other programs' output neither extend nor end it */
	r->foreign_run++;
	if (r->foreign_run >= FOREIGN_LINES_TO_CLOSE || r->ended ||
	    (kl->has_t && r->has_t && kl->t - r->last_t > PAUSE_TO_CLOSE))
		return klog_report_close(k, false);
	return 0;
}

/* Records a line as the open report's; its facts are taken first. */
static int take_line(struct klog *k, const struct kline *kl)
{
	struct kreport *r = &k->rep;

	r->foreign_run = 0;
	r->lines++;
	r->line_end = kl->lineno;
	if (kl->has_t)
		r->last_t = kl->t;
	if (kstarts(kl->text, kl->len, "---[ end "))
		r->ended = true;
	if (klog_store_line(k, kl, r->id) < 0)
		return -1;
	if (r->lines >= REPORT_MAX_LINES)
		return klog_report_close(k, false);
	return 0;
}

/* A header that continues the open report ("invalid opcode" after "kernel BUG"). */
static int continuation(struct klog *k, const struct kline *kl)
{
	if (take_facts(k, kl->text, kl->len, kl->lineno) < 0)
		return -1;
	return take_line(k, kl);
}

static int line_in_report(struct klog *k, const struct kline *kl)
{
	int rc = absorb(k, kl);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (klog_store_line(k, kl, 0) < 0)
			return -1;
		return on_foreign(k, kl);
	}
	return take_line(k, kl);
}

static int line_outside(struct klog *k, const struct kline *kl,
			const struct kheader *h, bool is_header)
{
	if (is_header && h->banner) {
		if (klog_store_line(k, kl, 0) < 0)
			return -1;
		k->pending_banner_id = k->last_line_id;
		k->pending_banner_line = kl->lineno;
		k->pending_banner_age = 0;
		return 0;
	}
	k->pending_banner_age++;
	if (!is_header)
		return klog_store_line(k, kl, 0);
	if (open_report(k, kl, h) < 0)
		return -1;
	k->rep.lines = 1;
	/* A dump's first line may be its first task ("PID: 474 TASK: ..."). */
	if (h->kind == KK_TASK_DUMP && take_facts(k, kl->text, kl->len, kl->lineno) < 0)
		return -1;
	return klog_store_line(k, kl, k->rep.id);
}

/*
 * Reports whose kind the next header settles: a stack dump that turns out
 * to be the lead-in of a panic ("Bad mode ...", registers, "Kernel panic -
 * not syncing: bad mode"), and the watchdog's WARNING that a hard lockup
 * line follows (2.6/3.x).
 */
static bool upgrades(const struct kreport *r, const struct kheader *h)
{
	return (h->kind == KK_PANIC && r->h.kind == KK_TASK_DUMP && r->h.weak) ||
	       (h->kind == KK_HARD_LOCKUP && r->h.kind == KK_WARNING && r->lines <= 3);
}

static void upgrade(struct kreport *r, const struct kheader *h)
{
	r->h.kind = h->kind;
	r->h.weak = false;
	memcpy(r->h.title, h->title, sizeof(r->h.title));
	if (h->detail[0])
		memcpy(r->h.detail, h->detail, sizeof(r->h.detail));
	if (h->ip[0])
		memcpy(r->h.ip, h->ip, sizeof(r->h.ip));
	if (h->has_cpu) {
		r->h.cpu = h->cpu;
		r->h.has_cpu = true;
	}
}

int klog_report_line(struct klog *k, const struct kline *kl)
{
	struct kreport *r = &k->rep;
	struct kheader h;
	bool is_header = !kl->foreign && klog_header(kl->text, kl->len, &h);

	/* In a crash session, a prompt ends the output of the command before it. */
	if (r->open && kstarts(kl->text, kl->len, "crash> ") && klog_report_close(k, false) < 0)
		return -1;
	/* After a pause, whatever comes is not the rest of that report. */
	if (r->open && kl->has_t && r->has_t && kl->t - r->last_t > PAUSE_TO_CLOSE &&
	    klog_report_close(k, false) < 0)
		return -1;
	if (r->open && is_header && upgrades(r, &h)) {
		upgrade(r, &h);
		return take_line(k, kl);
	}
	if (r->open && is_header && !h.banner && !continues(r, &h) &&
	    !(r->greedy && h.kind == KK_LOCKDEP)) {
		if (klog_report_close(k, false) < 0)
			return -1;
	}
	if (r->open && is_header && h.banner && kcontains(kl->text, kl->len, "cut here")) {
		if (klog_report_close(k, false) < 0)
			return -1;
	}
	if (r->open && is_header && !h.banner && continues(r, &h))
		return continuation(k, kl);
	if (r->open)
		return line_in_report(k, kl);
	if (is_header && h.weak && h.kind != KK_TASK_DUMP && h.kind != KK_PANIC &&
	    h.kind != KK_OOM_KILL && h.kind != KK_ALLOC_FAILURE)
		is_header = false;
	return line_outside(k, kl, &h, is_header);
}
