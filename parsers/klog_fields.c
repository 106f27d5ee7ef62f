/*
 * Facts in the lines of a report: task lines of every era (modern
 * "task:NAME state:D ...", old "NAME  D ffff... 0 PID PPID 0x...", the crash
 * utility's "PID: N TASK: ..."), the "CPU: N PID: N Comm: ..." line, the
 * instruction pointer (RIP:, PC is at, pc :), the kernel release, the lock
 * owner a hung task waits for, lockdep's lock lists and dependency chains,
 * and the victim of an OOM kill.
 */
#include "parsers/klog.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

size_t kskip_space(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

void kcopy(char *out, size_t outsz, const char *s, size_t n)
{
	if (!outsz)
		return;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = '\0';
}

bool kparse_int(const char *s, size_t n, size_t *i, int64_t *v)
{
	size_t j = *i;
	bool neg = false;
	int64_t x = 0;

	if (j < n && s[j] == '-') {
		neg = true;
		j++;
	}
	if (j >= n || !isdigit((unsigned char)s[j]))
		return false;
	while (j < n && isdigit((unsigned char)s[j]) && x < INT64_MAX / 10)
		x = x * 10 + (s[j++] - '0');
	*v = neg ? -x : x;
	*i = j;
	return true;
}

static bool int_after(const char *s, size_t n, const char *lit, int64_t *v)
{
	size_t i = kafter(s, n, lit);

	if (!i)
		return false;
	i = kskip_space(s, n, i);
	return kparse_int(s, n, &i, v);
}

/* A release token: digits '.' digits, then anything up to a space or ')'. */
static bool release_at(const char *s, size_t n, size_t i, char *out, size_t outsz)
{
	size_t j;

	if (i < n && s[i] == '(')
		i++;	/* ppc64 "Not tainted  (3.10.0-33.el7.ppc64)" */
	j = i;
	if (j >= n || !isdigit((unsigned char)s[j]))
		return false;
	while (j < n && isdigit((unsigned char)s[j]))
		j++;
	if (j + 1 >= n || s[j] != '.' || !isdigit((unsigned char)s[j + 1]))
		return false;
	while (j < n && s[j] != ' ' && s[j] != ')')
		j++;
	kcopy(out, outsz, s + i, j - i);
	return true;
}

bool klog_find_release(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i;

	if ((i = kafter(s, n, "Linux version ")))
		return release_at(s, n, i, out, outsz);
	/* Lockdep's "5.11.0-00017 #1 Tainted: G  T" starts with the release. */
	if (isdigit((unsigned char)s[kskip_space(s, n, 0)]) && kcontains(s, n, " #") &&
	    (kcontains(s, n, " Not tainted") || kcontains(s, n, " Tainted")))
		return release_at(s, n, kskip_space(s, n, 0), out, outsz);
	if ((i = kafter(s, n, "Not tainted ")))
		return release_at(s, n, kskip_space(s, n, i), out, outsz);
	if ((i = kafter(s, n, "Tainted: "))) {
		/* Taint letters and spaces, then the release. */
		while (i < n && !isdigit((unsigned char)s[i]))
			i++;
		return release_at(s, n, i, out, outsz);
	}
	/* Lockdep's "6.1.0-rc4 #1 Not tainted" starts with the release. */
	if (kcontains(s, n, " Not tainted") || kcontains(s, n, " Tainted"))
		return release_at(s, n, kskip_space(s, n, 0), out, outsz);
	return false;
}

/* The release and taint flags a line shows. */
static void version_facts(struct klog *k, const char *s, size_t n)
{
	struct kreport *r = &k->rep;
	char rel[64];
	size_t i;

	if (klog_find_release(s, n, rel, sizeof(rel))) {
		kcopy(r->kernel, sizeof(r->kernel), rel, strlen(rel));
		if (!k->kernel[0])
			kcopy(k->kernel, sizeof(k->kernel), rel, strlen(rel));
	}
	i = kafter(s, n, "Tainted: ");
	if (i) {
		size_t j = i;

		while (j < n && !isdigit((unsigned char)s[j]))
			j++;
		kcopy(r->tainted, sizeof(r->tainted), s + i, j - i);
	}
}

/* "Not tainted ...", "Tainted: ...", "6.1.0 #1 Not tainted", "Linux version". */
bool klog_take_version_line(struct klog *k, const char *s, size_t n)
{
	size_t f = kskip_space(s, n, 0);

	if (f >= n || !strchr("NTL0123456789", s[f]) ||
	    (!kcontains(s, n, "ainted") && !kcontains(s, n, "Linux version")))
		return false;
	version_facts(k, s, n);
	return true;
}

/*
 * Task lines start a task entry. The first task line of a report that
 * named no task (a stall's sched_show_task, a dump's first task), or the
 * hung task's own line, completes the subject instead.
 */
static bool completes_subject(const struct kreport *r, int64_t pid)
{
	const struct ktask *t = &r->task;

	return t->active && t->stack.n == 0 && !strcmp(t->role, "subject") &&
	       (!t->has_pid || t->pid == pid) && !r->next_role;
}

static const char *role_of_next(const struct kreport *r, int64_t pid)
{
	if (r->next_role)
		return r->next_role;
	if (r->h.kind == KK_TASK_DUMP || r->tasks_stored > 0 ||
	    (r->h.has_pid && r->h.pid != pid))
		return "dump";
	return "subject";
}

static int begin_task(struct klog *k, int64_t pid, const char *comm, size_t cl,
		      const char *state, long line)
{
	struct kreport *r = &k->rep;
	struct ktask *t = &r->task;

	if (!completes_subject(r, pid)) {
		const char *role = role_of_next(r, pid);

		if (klog_flush_task(k) < 0)
			return -1;
		r->next_role = NULL;
		memset(t->comm, 0, sizeof(t->comm));
		t->active = true;
		t->role = role;
		t->line = line;
		t->has_cpu = false;
		t->ip[0] = '\0';
		t->workqueue[0] = t->work_func[0] = '\0';
		mmt_stack_reset(&t->stack);
	}
	t->pid = pid;
	t->has_pid = true;
	kcopy(t->comm, sizeof(t->comm), comm, cl);
	kcopy(t->state, sizeof(t->state), state, strlen(state));
	r->target = KST_TASK;
	return 0;
}

/* "task:kworker/0:1     state:D stack:0     pid:12    ppid:2      flags:0x00004000" */
static int modern_task(struct klog *k, const char *s, size_t n, long line)
{
	const char *st = memmem(s, n, " state:", 7);
	int64_t pid = 0;
	char state[2] = { 0 };

	if (!st || !int_after(s, n, " pid:", &pid))
		return 0;
	state[0] = (char)((size_t)(st - s) + 7 < n ? st[7] : '?');
	return begin_task(k, pid, s + 5, (size_t)(st - s) - 5, state, line) < 0 ? -1 : 1;
}

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Splits s into at most max tokens; returns the count. */
static int tokens(const char *s, size_t n, const char **tok, size_t *len, int max)
{
	int count = 0;
	size_t i = 0;

	while (count < max) {
		i = kskip_space(s, n, i);
		if (i >= n)
			break;
		tok[count] = s + i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		len[count] = (size_t)(s + i - tok[count]);
		count++;
	}
	return count;
}

/*
 * sched_show_task() before 4.14: "%-15.15s %c" then the saved PC or
 * "running task", free stack, pid, ppid and "0x%08lx" flags.
 */
static int old_task(struct klog *k, const char *s, size_t n, long line)
{
	const char *tok[16];
	size_t len[16];
	int c = tokens(s, n, tok, len, 16), st;
	int64_t pid;
	size_t i;

	if (c < 5 || len[c - 1] < 3 || tok[c - 1][0] != '0' || tok[c - 1][1] != 'x' ||
	    !all_digits(tok[c - 2], len[c - 2]) || !all_digits(tok[c - 3], len[c - 3]))
		return 0;
	/* The state letter, alone or run into the free-stack count ("I23480"). */
	for (st = 1; st < c - 3; st++)
		if (strchr("RSDTtXZxKWPIN", tok[st][0]) &&
		    (len[st] == 1 || all_digits(tok[st] + 1, len[st] - 1)))
			break;
	if (st >= c - 3 || st > 4)
		return 0;
	i = (size_t)(tok[c - 3] - s);
	kparse_int(s, n, &i, &pid);
	return begin_task(k, pid, s, (size_t)(tok[st] - s),
			  (char[2]){ tok[st][0], 0 }, line) < 0 ? -1 : 1;
}

/* crash: "PID: 1234   TASK: ffff88003a1c8000  CPU: 0   COMMAND: \"dd\"" */
static int crash_task(struct klog *k, const char *s, size_t n, long line)
{
	int64_t pid, cpu;
	size_t i = kafter(s, n, "COMMAND: \""), j;

	if (!int_after(s, n, "PID:", &pid) || !i)
		return 0;
	for (j = i; j < n && s[j] != '"'; j++)
		;
	if (begin_task(k, pid, s + i, j - i, "", line) < 0)
		return -1;
	if (int_after(s, n, "CPU:", &cpu)) {
		k->rep.task.cpu = (int)cpu;
		k->rep.task.has_cpu = true;
	}
	return 1;
}

bool klog_take_task_line(struct klog *k, const char *s, size_t n, long line)
{
	size_t i = kskip_space(s, n, 0);
	int rc = 0;

	if (kstarts(s, n, "task:"))
		rc = modern_task(k, s, n, line);
	else if (kstarts(s + i, n - i, "PID: ") && kcontains(s, n, " TASK: "))
		rc = crash_task(k, s + i, n - i, line);
	else if (n > 20 && s[0] != ' ' && s[n - 1] != ':')
		rc = old_task(k, s, n, line);
	return rc != 0;
}

/* Where the command name of a CPU line ends: at its taint or kdump notes. */
static size_t comm_end(const char *s, size_t n, size_t c)
{
	static const char *const after[] = {
		" Not tainted", " Tainted", " Kdump: ", " Comm:", NULL
	};
	size_t e;

	for (e = c; e < n; e++)
		for (size_t i = 0; after[i]; i++)
			if (kstarts(s + e, n - e, after[i]))
				return e;
	return e;
}

/*
 * "CPU: 1 PID: 18769 Comm: syz-executor2 Not tainted 4.3.5+ #10" (with
 * "UID: 0" since 6.12), and 2.6/3.x's "Pid: 5151, comm: ifconfig Not
 * tainted 2.6.31 #1". Returns false when s is neither.
 */
static bool cpu_line(const char *s, size_t n, int64_t *pid, int64_t *cpu,
		     bool *has_cpu, size_t *c, size_t *e)
{
	if (kstarts(s, n, "CPU: ")) {
		*c = kafter(s, n, " Comm: ");
		*has_cpu = int_after(s, n, "CPU:", cpu);
		if (!*c || !*has_cpu || !int_after(s, n, " PID:", pid))
			return false;
	} else if (kstarts(s, n, "Pid: ")) {
		*c = kafter(s, n, ", comm: ");
		*has_cpu = false;
		if (!*c || !int_after(s, n, "Pid:", pid))
			return false;
	} else {
		return false;
	}
	*e = comm_end(s, n, *c);
	return true;
}

static void fill_task(struct ktask *t, int64_t pid, const char *comm, size_t cl,
		      int64_t cpu, bool has_cpu)
{
	if (!t->has_pid) {
		t->pid = pid;
		t->has_pid = true;
	}
	if (!t->comm[0] && t->pid == pid)
		kcopy(t->comm, sizeof(t->comm), comm, cl);
	if (!t->has_cpu && has_cpu) {
		t->cpu = (int)cpu;
		t->has_cpu = true;
	}
}

bool klog_take_cpu_line(struct klog *k, const char *s, size_t n)
{
	struct kreport *r = &k->rep;
	struct ktask *t = &r->task;
	int64_t cpu = 0, pid;
	bool has_cpu;
	size_t c, e;

	if (!cpu_line(s, n, &pid, &cpu, &has_cpu, &c, &e))
		return false;
	version_facts(k, s, n);
	if (t->active && !strcmp(t->role, "cpu_backtrace")) {
		fill_task(t, pid, s + c, e - c, cpu, has_cpu);
		return true;
	}
	if (!r->h.has_pid) {
		r->h.pid = pid;
		r->h.has_pid = true;
	}
	if (!r->h.comm[0] && r->h.pid == pid)
		kcopy(r->h.comm, sizeof(r->h.comm), s + c, e - c);
	if (!r->h.has_cpu && has_cpu) {
		r->h.cpu = (int)cpu;
		r->h.has_cpu = true;
	}
	if (t->active)
		fill_task(t, pid, s + c, e - c, cpu, has_cpu);
	return true;
}

/* The symbol of the last "sym+0x.." token of s. */
static bool last_symbol(const char *s, size_t n, char *out, size_t outsz)
{
	const char *plus = NULL;

	for (size_t i = 0; i + 3 < n; i++)
		if (s[i] == '+' && s[i + 1] == '0' && s[i + 2] == 'x')
			plus = s + i;
	if (!plus)
		return false;
	const char *b = plus;

	while (b > s && b[-1] != ' ' && b[-1] != ':' && b[-1] != '(' && b[-1] != ']')
		b--;
	if (b == plus)
		return false;
	if (*b == '.')
		b++;	/* ppc64 function descriptors ".sym" */
	kcopy(out, outsz, b, (size_t)(plus - b));
	return true;
}

/* "    last function: addrconf_dad_work" of workqueue lock leaks. */
static bool last_function(struct kreport *r, const char *s, size_t n)
{
	size_t i = kskip_space(s, n, 0);

	if (!kstarts(s + i, n - i, "last function: "))
		return false;
	if (!r->h.ip[0])
		kcopy(r->h.ip, sizeof(r->h.ip), s + i + 15, n - i - 15);
	return true;
}

bool klog_take_ip_line(struct klog *k, const char *s, size_t n)
{
	struct kreport *r = &k->rep;
	char sym[MMT_SYM_MAX];

	if (last_function(r, s, n))
		return true;
	if (!kstarts(s, n, "RIP:") && !kstarts(s, n, "EIP:") && !kstarts(s, n, "IP:") &&
	    !kstarts(s, n, "PC is at ") && !kstarts(s, n, "pc : ") &&
	    !kstarts(s, n, "NIP ") && !kstarts(s, n, "EIP is at ") &&
	    !kstarts(s, n, "epc   :") && !kstarts(s, n, "Krnl PSW"))
		return false;
	if (!last_symbol(s, n, sym, sizeof(sym)))
		return true;	/* a register line all the same */
	if (r->task.active && !strcmp(r->task.role, "cpu_backtrace")) {
		if (!r->task.ip[0])
			kcopy(r->task.ip, sizeof(r->task.ip), sym, strlen(sym));
	} else if (!r->h.ip[0]) {
		kcopy(r->h.ip, sizeof(r->h.ip), sym, strlen(sym));
	}
	return true;
}

/*
 * "INFO: task dd:123 is blocked on a mutex likely owned by task sync:456."
 * (6.16+; semaphores say "likely last held by"): the task whose stack the
 * kernel prints next is the owner.
 */
bool klog_take_owner_hint(struct klog *k, const char *s, size_t n)
{
	struct kreport *r = &k->rep;
	size_t on, by, e;

	if (!kstarts(s, n, "INFO: task ") || !(on = kafter(s, n, "blocked on a")))
		return false;
	by = kafter(s, n, " by task ");
	if (!by)
		return true;
	if (on < n && s[on] == 'n')
		on++;	/* "an rw-semaphore" */
	on = kskip_space(s, n, on);
	for (e = on; e < n && s[e] != ' '; e++)
		;
	kcopy(r->lock_type, sizeof(r->lock_type), s + on, e - on);
	for (e = by; e < n && s[e] != ' ' && !(s[e] == '.' && e + 1 == n); e++)
		;
	if (e > by) {
		const char *colon = memrchr(s + by, ':', e - by);
		size_t i = colon ? (size_t)(colon - s) + 1 : e;

		if (colon && kparse_int(s, n, &i, &r->owner_pid)) {
			r->has_owner = true;
			kcopy(r->owner_comm, sizeof(r->owner_comm), s + by,
			      (size_t)(colon - s) - by);
		}
	}
	r->next_role = "lock_owner";
	return true;
}

/*
 * A CPU an RCU stall report lists as stalled, "\t1-...!: (0 ticks this GP)"
 * (4.x on; "rcu: " before it since 4.19) or "\t0: (20822 ticks this GP)"
 * (3.x): the first is the report's CPU. Its NMI backtrace follows as a
 * task of its own.
 */
bool klog_take_rcu_cpu(struct klog *k, const char *s, size_t n)
{
	struct kreport *r = &k->rep;
	size_t i = kstarts(s, n, "rcu: ") ? 5 : 0;
	int64_t cpu;

	if (r->h.kind != KK_RCU_STALL || i >= n || (s[i] != '\t' && s[i] != ' '))
		return false;
	i = kskip_space(s, n, i);
	if (i >= n || s[i] == '-' || !kparse_int(s, n, &i, &cpu))
		return false;
	if (i < n && s[i] == '-')	/* the CPU's state flags, "....", "O..!" */
		while (i < n && s[i] != ':' && s[i] != ' ')
			i++;
	if (i + 2 >= n || s[i] != ':' || s[i + 1] != ' ' || s[i + 2] != '(')
		return false;
	if (!r->h.has_cpu) {
		r->h.cpu = (int)cpu;
		r->h.has_cpu = true;
	}
	return true;
}

/* "Workqueue: loop1 loop_rootcg_workfn": what a kworker was doing. */
bool klog_take_workqueue(struct klog *k, const char *s, size_t n)
{
	struct ktask *t = &k->rep.task;
	size_t i = 11, e;

	if (!kstarts(s, n, "Workqueue: "))
		return false;
	if (!t->active)
		return true;
	for (e = i; e < n && s[e] != ' '; e++)
		;
	kcopy(t->workqueue, sizeof(t->workqueue), s + i, e - i);
	i = kskip_space(s, n, e);
	for (e = i; e < n && s[e] != ' '; e++)
		;
	kcopy(t->work_func, sizeof(t->work_func), s + i, e - i);
	return true;
}

/* "N locks held by comm/123:" or "no locks held by comm/123." */
static bool holder_line(struct kreport *r, const char *s, size_t n)
{
	size_t by = kafter(s, n, " held by ");
	const char *slash;
	int64_t count = 0, pid;
	size_t i = 0, e;

	if (!by || (!kcontains(s, n, "lock held by") && !kcontains(s, n, "locks held by")))
		return false;
	if (!kstarts(s, n, "no ") && !kparse_int(s, n, &i, &count))
		return false;
	/* The line ends in ':' or '.'; the comm may hold ':' ("kworker/1:2/2221:"). */
	e = n;
	while (e > by && (s[e - 1] == ':' || s[e - 1] == '.' || s[e - 1] == ' '))
		e--;
	slash = memrchr(s + by, '/', e - by);
	i = slash ? (size_t)(slash - s) + 1 : e;
	if (!slash || !kparse_int(s, n, &i, &pid))
		return true;
	r->holder_pid = pid;
	r->has_holder = true;
	kcopy(r->holder_comm, sizeof(r->holder_comm), s + by, (size_t)(slash - s) - by);
	if (r->h.has_pid && pid == r->h.pid) {
		r->locks_held = (int)count;
		r->has_locks = true;
	}
	return true;
}

/* "comm/123 is trying to acquire lock:" and lockdep's other lead-ins. */
static bool acquire_line(struct kreport *r, const char *s, size_t n)
{
	static const char *const leads[] = {
		" is trying to acquire lock:", " is trying to acquire:",
		" takes:", " just changed the state of lock:",
		" is trying to release lock", " is leaving the kernel with locks still held",
		" is freeing memory", NULL
	};
	const char *p = NULL, *slash;
	size_t i;

	for (size_t k = 0; leads[k] && !p; k++)
		p = memmem(s, n, leads[k], strlen(leads[k]));
	if (!p)
		return false;
	r->expect_at = true;
	slash = memrchr(s, '/', (size_t)(p - s));
	if (slash && !r->h.has_pid) {
		i = (size_t)(slash - s) + 1;
		if (kparse_int(s, n, &i, &r->h.pid)) {
			r->h.has_pid = true;
			kcopy(r->h.comm, sizeof(r->h.comm), s, (size_t)(slash - s));
			r->task.pid = r->h.pid;
			r->task.has_pid = true;
			kcopy(r->task.comm, sizeof(r->task.comm), r->h.comm, strlen(r->h.comm));
		}
	}
	return true;
}

/* The lock line after a lead-in: "(&lock){+.+.}, at: [<addr>] func+0x../0x.." */
static bool acquire_site(struct kreport *r, const char *s, size_t n)
{
	size_t i = kafter(s, n, ", at: "), open;

	if (!r->expect_at || !i)
		return false;
	r->expect_at = false;
	open = kafter(s, i, "(");
	if (open) {
		const char *close = memchr(s + open, '{', i - open);

		if (close && close > s + open + 1)
			kcopy(r->h.detail, sizeof(r->h.detail), s + open,
			      (size_t)(close - s) - open - 1);
	}
	if (kstarts(s + i, n - i, "[<")) {
		const char *gt = memchr(s + i, ']', n - i);

		i = gt ? (size_t)(gt - s) + 1 : i;
	}
	i = kskip_space(s, n, i);
	if (!r->h.ip[0]) {
		size_t j = i;

		while (j < n && s[j] != '+' && s[j] != ' ')
			j++;
		kcopy(r->h.ip, sizeof(r->h.ip), s + i, j - i);
	}
	return true;
}

static int chain_link(struct klog *k, const char *s, size_t n, long line)
{
	struct kreport *r = &k->rep;
	struct mmt_lock_link link;

	if (!mmt_lockdep_link_parse(s, n, &link))
		return 0;
	if (klog_flush_chain(k) < 0)
		return -1;
	r->chain_idx = link.index;
	kcopy(r->chain_lock, sizeof(r->chain_lock), link.lock, strlen(link.lock));
	r->chain_line = line;
	mmt_stack_reset(&r->chain_stack);
	r->target = KST_CHAIN;
	return 1;
}

int klog_take_lock_lines(struct klog *k, const char *s, size_t n, long line)
{
	struct kreport *r = &k->rep;
	struct mmt_held_lock hl;
	size_t i = kskip_space(s, n, 0);
	int rc;

	if (i < n && s[i] == '#' && mmt_held_lock_parse(s, n, &hl)) {
		if (r->expect_at)
			acquire_site(r, s, n);
		return klog_store_held_lock(k, &hl, line) < 0 ? -1 : 1;
	}
	if (i < n && s[i] == '-' && (rc = chain_link(k, s, n, line)) != 0)
		return rc;
	/* "N locks held by", "no locks held by"; lockdep's lead-ins only in lockdep reports. */
	if (i < n && (isdigit((unsigned char)s[i]) || s[i] == 'n') && holder_line(r, s, n))
		return 1;
	if (r->h.kind == KK_LOCKDEP && (acquire_line(r, s, n) || acquire_site(r, s, n)))
		return 1;
	if (kstarts(s, n, "stack backtrace:")) {
		if (klog_flush_chain(k) < 0)
			return -1;
		r->target = KST_TASK;
		r->greedy = false;
		return 1;
	}
	return 0;
}

/* "Killed process 1234 (stress) total-vm:123kB, anon-rss:4kB, ..." */
static void victim_line(struct koom *o, const char *s, size_t n, long line)
{
	size_t i = kafter(s, n, " process ");
	const char *open, *close;

	if (i && kparse_int(s, n, &i, &o->pid)) {
		o->has = true;
		o->line = line;
	}
	open = memchr(s, '(', n);
	close = open ? memchr(open, ')', n - (size_t)(open - s)) : NULL;
	if (open && close)
		kcopy(o->comm, sizeof(o->comm), open + 1, (size_t)(close - open) - 1);
	o->has_total_vm = int_after(s, n, "total-vm:", &o->total_vm_kb);
	o->has_anon = int_after(s, n, "anon-rss:", &o->anon_rss_kb);
	o->has_file = int_after(s, n, "file-rss:", &o->file_rss_kb);
	o->has_shmem = int_after(s, n, "shmem-rss:", &o->shmem_rss_kb);
	if (int_after(s, n, "oom_score_adj:", &o->score_adj))
		o->has_adj = true;
}

/* "oom-kill:constraint=CONSTRAINT_MEMCG,...,oom_memcg=/x,task_memcg=/x,task=stress,pid=1,uid=0" */
static void constraint_line(struct koom *o, const char *s, size_t n)
{
	size_t i = kafter(s, n, "constraint="), j;

	if (i) {
		for (j = i; j < n && s[j] != ','; j++)
			;
		kcopy(o->constraint, sizeof(o->constraint), s + i, j - i);
	}
	i = kafter(s, n, "oom_memcg=");
	if (i) {
		for (j = i; j < n && s[j] != ','; j++)
			;
		kcopy(o->memcg, sizeof(o->memcg), s + i, j - i);
	}
}

int klog_take_oom_victim(struct klog *k, const char *s, size_t n, long line)
{
	struct kreport *r = &k->rep;

	if (r->h.kind != KK_OOM_KILL)
		return 0;
	if (kstarts(s, n, "oom-kill:")) {
		constraint_line(&r->oom, s, n);
		return 1;
	}
	if (!kcontains(s, n, "Killed process ") && !kcontains(s, n, "Kill process "))
		return 0;
	victim_line(&r->oom, s, n, line);
	if (kcontains(s, n, "Killed process "))
		r->greedy = false;
	return 1;
}
