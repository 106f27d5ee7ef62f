/*
 * The first line of each kind of kernel report, every era: which kind it
 * starts and the facts it prints (task, CPU, duration, GFP mask and order,
 * the location of a WARNING or BUG). Dispatch is on the first byte and a
 * few literal comparisons, because this runs on every line of large logs.
 */
#include "parsers/klog.h"

#include <ctype.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static const char *const kind_names[KK_COUNT] = {
	[KK_NONE] = "none",
	[KK_HUNG_TASK] = "hung_task",
	[KK_ALLOC_FAILURE] = "alloc_failure",
	[KK_ALLOC_STALL] = "alloc_stall",
	[KK_OOM_KILL] = "oom_kill",
	[KK_SOFT_LOCKUP] = "soft_lockup",
	[KK_HARD_LOCKUP] = "hard_lockup",
	[KK_RCU_STALL] = "rcu_stall",
	[KK_LOCKDEP] = "lockdep",
	[KK_BUG] = "bug",
	[KK_OOPS] = "oops",
	[KK_WARNING] = "warning",
	[KK_KASAN] = "kasan",
	[KK_KMSAN] = "kmsan",
	[KK_KCSAN] = "kcsan",
	[KK_UBSAN] = "ubsan",
	[KK_KFENCE] = "kfence",
	[KK_MEMORY_LEAK] = "memory_leak",
	[KK_PANIC] = "panic",
	[KK_TASK_DUMP] = "task_dump",
	[KK_FS_ALLOC_RETRY] = "fs_alloc_retry",
};

const char *klog_kind_name(enum kkind k)
{
	return k < KK_COUNT ? kind_names[k] : "none";
}

/* "COMM:PID" ending at s[end): the PID follows the last ':' (comms contain ':'). */
static bool comm_pid(const char *s, size_t start, size_t end, struct kheader *h)
{
	size_t colon = end;
	int64_t pid;
	size_t i;

	while (colon > start && s[colon - 1] != ':')
		colon--;
	if (colon <= start + 1)
		return false;
	i = colon;
	if (!kparse_int(s, end, &i, &pid) || i != end)
		return false;
	kcopy(h->comm, sizeof(h->comm), s + start, colon - 1 - start);
	h->pid = pid;
	h->has_pid = true;
	return true;
}

/* "INFO: task COMM:PID blocked for more than N seconds." */
static bool hung_task(const char *s, size_t n, struct kheader *h)
{
	size_t b, i;

	if (!kstarts(s, n, "INFO: task ") || !(b = kafter(s, n, " blocked for more than ")))
		return false;
	i = b;
	if (!comm_pid(s, 11, b - 23, h))
		return false;
	h->kind = KK_HUNG_TASK;
	if (kparse_int(s, n, &i, &h->secs))
		h->has_secs = true;
	return true;
}

/* "... [comm:pid]" at the end of soft-lockup lines. */
static void bracket_task(const char *s, size_t n, struct kheader *h)
{
	const char *open = memrchr(s, '[', n);
	const char *close = memrchr(s, ']', n);

	if (open && close && close > open)
		comm_pid(s, (size_t)(open - s) + 1, (size_t)(close - s), h);
}

/* "BUG: soft lockup - CPU#1 stuck for 22s! [comm:pid]" */
static bool soft_lockup(const char *s, size_t n, struct kheader *h)
{
	size_t i = kafter(s, n, "CPU#");

	h->kind = KK_SOFT_LOCKUP;
	if (i) {
		int64_t cpu;

		if (kparse_int(s, n, &i, &cpu)) {
			h->cpu = (int)cpu;
			h->has_cpu = true;
		}
	}
	i = kafter(s, n, "stuck for ");
	if (i && kparse_int(s, n, &i, &h->secs))
		h->has_secs = true;
	bracket_task(s, n, h);
	return true;
}

/* "mode:0x8250", "gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE)", "gfp=0x20(...)". */
static void gfp_field(const char *s, size_t n, const char *key, struct kheader *h)
{
	size_t i = kafter(s, n, key), j;

	if (!i || i + 2 > n || s[i] != '0' || (s[i + 1] != 'x' && s[i + 1] != 'X'))
		return;
	for (j = i + 2; j < n && isxdigit((unsigned char)s[j]); j++)
		;
	/* "gfp_mask=0x:" (a statistics key quoting the header) is no mask. */
	if (j == i + 2)
		return;
	kcopy(h->gfp_mask, sizeof(h->gfp_mask), s + i, j - i);
	if (j < n && s[j] == '(') {
		const char *close = memchr(s + j, ')', n - j);

		if (close && (size_t)(close - s) > j + 1)
			kcopy(h->gfp_names, sizeof(h->gfp_names), s + j + 1,
			      (size_t)(close - s) - j - 1);
	}
}

static void order_field(const char *s, size_t n, const char *key, struct kheader *h)
{
	size_t i = kafter(s, n, key);
	int64_t v;

	if (i && kparse_int(s, n, &i, &v)) {
		h->order = (int)v;
		h->has_order = true;
	}
}

/* Task name before a separator at the start of the line ("COMM: page allocation"). */
static void leading_comm(const char *s, size_t end, struct kheader *h)
{
	while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == ':'))
		end--;
	kcopy(h->comm, sizeof(h->comm), s, end);
}

/* Allocation failures and stalls, any era, and the OOM killer's first line. */
static bool alloc_report(const char *s, size_t n, struct kheader *h)
{
	const char *p;

	if ((p = memmem(s, n, " invoked oom-killer:", 20))) {
		h->kind = KK_OOM_KILL;
		leading_comm(s, (size_t)(p - s), h);
		gfp_field(s, n, "gfp_mask=", h);
		order_field(s, n, "order=", h);
		return true;
	}
	if ((p = memmem(s, n, "page allocation failure", 23)) ||
	    (p = memmem(s, n, "page allocation stalls for", 26))) {
		h->kind = p[16] == 'f' ? KK_ALLOC_FAILURE : KK_ALLOC_STALL;
		leading_comm(s, (size_t)(p - s), h);
		gfp_field(s, n, "mode:", h);
		order_field(s, n, "order:", h);
		return true;
	}
	if ((p = memmem(s, n, "vmalloc error:", 14)) ||
	    (p = memmem(s, n, "vmalloc: allocation failure", 27))) {
		h->kind = KK_ALLOC_FAILURE;
		leading_comm(s, (size_t)(p - s), h);
		gfp_field(s, n, "mode:", h);
		return true;
	}
	if (kstarts(s, n, "SLUB: Unable to allocate memory")) {
		h->kind = KK_ALLOC_FAILURE;
		h->weak = true;
		gfp_field(s, n, "gfp=", h);
		return true;
	}
	return false;
}

/* "... in kmem_alloc (mode:...)": the function that retries. */
static void fs_retry_function(const char *s, size_t n, struct kheader *h)
{
	size_t i = kafter(s, n, " in "), j;

	if (!i)
		return;
	for (j = i; j < n && s[j] != ' ' && s[j] != '('; j++)
		;
	kcopy(h->ip, sizeof(h->ip), s + i, j - i);
}

/* "COMM(PID) " ending at s[end), as XFS prints the retrying task since 4.x. */
static void fs_retry_task(const char *s, size_t start, size_t end, struct kheader *h)
{
	const char *open;
	size_t i;
	int64_t pid;

	while (end > start && s[end - 1] == ' ')
		end--;
	if (end <= start + 2 || s[end - 1] != ')')
		return;
	open = memrchr(s + start, '(', end - start);
	if (!open || open == s + start)
		return;
	i = (size_t)(open - s) + 1;
	if (!kparse_int(s, end - 1, &i, &pid) || i != end - 1)
		return;
	kcopy(h->comm, sizeof(h->comm), s + start, (size_t)(open - s) - start);
	h->pid = pid;
	h->has_pid = true;
}

/*
 * A filesystem retrying an allocation it may not fail, every so many
 * attempts:
 *   XFS: possible memory allocation deadlock in kmem_alloc (mode:0x250)        (3.x)
 *   XFS: fs(123) possible memory allocation deadlock size 65552 in kmem_alloc (mode:0x2400240)
 *   Possible memory allocation deadlock: size=44037 lflags=0x4210             (ZFS's SPL)
 * The last is followed by dump_stack()'s stack. detail keeps the prefix
 * ("XFS", "XFS (sda1)"), so that repeats by several tasks group together.
 */
static bool fs_alloc_retry(const char *s, size_t n, struct kheader *h)
{
	const char *p = memmem(s, n, "ossible memory allocation deadlock", 34);
	const char *colon;
	size_t at;

	if (!p || p == s || (p[-1] != 'p' && p[-1] != 'P'))
		return false;
	at = (size_t)(p - 1 - s);
	h->kind = KK_FS_ALLOC_RETRY;
	gfp_field(s, n, "mode:", h);
	if (!h->gfp_mask[0])
		gfp_field(s, n, "lflags=", h);
	fs_retry_function(s, n, h);
	colon = memmem(s, at, ": ", 2);
	if (colon) {
		kcopy(h->detail, sizeof(h->detail), s, (size_t)(colon - s));
		fs_retry_task(s, (size_t)(colon - s) + 2, at, h);
	} else if (kcontains(s, n, "lflags=")) {
		kcopy(h->detail, sizeof(h->detail), "SPL", 3);
	}
	return true;
}

/* "func+0x1f/0x30" at s[i]: copies func into out. */
static void symbol_at(const char *s, size_t n, size_t i, char *out, size_t outsz)
{
	size_t j = i;

	while (j < n && s[j] != '+' && s[j] != ' ' && s[j] != '(')
		j++;
	kcopy(out, outsz, s + i, j - i);
}

/*
 * "WARNING: CPU: 0 PID: 1 at kernel/foo.c:12 func+0x1/0x2",
 * "WARNING: at fs/foo.c:123 func+0x1/0x2()" (2.6/3.x),
 * "WARNING: kernel/foo.c:12 at func+0x1/0x2, CPU#0: comm/123" (6.x).
 */
static void warning_fields(const char *s, size_t n, struct kheader *h)
{
	size_t i = kafter(s, n, "CPU: "), at;
	int64_t v;

	if (i && kparse_int(s, n, &i, &v)) {
		h->cpu = (int)v;
		h->has_cpu = true;
	}
	i = kafter(s, n, "PID: ");
	if (i && kparse_int(s, n, &i, &v)) {
		h->pid = v;
		h->has_pid = true;
	}
	at = kafter(s, n, " at ");
	if (!at)
		return;
	if (h->has_cpu || kstarts(s, n, "WARNING: at ")) {
		size_t sp = at;

		while (sp < n && s[sp] != ' ')
			sp++;
		kcopy(h->detail, sizeof(h->detail), s + at, sp - at);
		if (sp < n)
			symbol_at(s, n, sp + 1, h->ip, sizeof(h->ip));
	} else {
		kcopy(h->detail, sizeof(h->detail), s + 9, at - 4 - 9);
		symbol_at(s, n, at, h->ip, sizeof(h->ip));
	}
}

/* Lockdep's report titles (after "WARNING: ", "INFO: " or "BUG: "). */
static bool lockdep_title(const char *s, size_t n)
{
	static const char *const titles[] = {
		"possible circular locking dependency", "possible recursive locking",
		"inconsistent lock state", "possible irq lock inversion",
		"SOFTIRQ-safe -> SOFTIRQ-unsafe", "HARDIRQ-safe -> HARDIRQ-unsafe",
		"SOFTIRQ-READ-safe", "HARDIRQ-READ-safe", "suspicious RCU usage",
		"bad unlock balance", "held lock freed", "lock held when returning",
		"still has locks held", "nested lock was not taken",
		"Nested lock was not taken", "Invalid wait context",
		"trying to register non-static key", "lock held at task exit",
		"MAX_LOCKDEP", "looking up invalid subclass",
		NULL
	};

	for (size_t i = 0; titles[i]; i++)
		if (kcontains(s, n, titles[i]))
			return true;
	return false;
}

/*
 * WARNINGs raised by lockdep itself (its titles, or a WARN in
 * kernel/locking/lockdep.c) are lockdep reports; others are warnings. A
 * WARN() always says where it fired (" at "); a "WARNING:" line that does
 * not is a message (pr_warn("WARNING: Unprivileged eBPF is enabled..."),
 * or the crash utility's own "WARNING: active task ... not found in PID
 * hash"), not a report.
 */
static bool warning(const char *s, size_t n, struct kheader *h)
{
	if (!kstarts(s, n, "WARNING:"))
		return false;
	if (!kcontains(s, n, " at ") && !lockdep_title(s, n))
		return false;
	warning_fields(s, n, h);
	if (lockdep_title(s, n) || kcontains(h->detail, strlen(h->detail), "locking/lockdep"))
		h->kind = KK_LOCKDEP;
	else
		h->kind = KK_WARNING;
	return true;
}

/* "BUG: KASAN: use-after-free in func+0x../0x.." and friends. */
static bool sanitizer(const char *s, size_t n, struct kheader *h)
{
	static const struct { const char *lit; enum kkind kind; } tools[] = {
		{ "BUG: KASAN:", KK_KASAN }, { "BUG: KMSAN:", KK_KMSAN },
		{ "BUG: KCSAN:", KK_KCSAN }, { "BUG: KFENCE:", KK_KFENCE },
		{ "BUG: memory leak", KK_MEMORY_LEAK },
		{ "unreferenced object 0x", KK_MEMORY_LEAK },
		{ "UBSAN:", KK_UBSAN },
	};
	size_t i;

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (kstarts(s, n, tools[i].lit))
			break;
	if (i == sizeof(tools) / sizeof(tools[0]))
		return false;
	h->kind = tools[i].kind;
	i = kafter(s, n, " in ");
	if (i)
		symbol_at(s, n, i, h->ip, sizeof(h->ip));
	/* UBSAN names a source location there, not a function. */
	if (strchr(h->ip, '/') || strchr(h->ip, ':') || strstr(h->ip, ".c"))
		h->ip[0] = '\0';
	return true;
}

/* Faults that print an Oops: unable to handle, GPF, NULL dereference. */
static bool oops(const char *s, size_t n, struct kheader *h)
{
	static const char *const starts[] = {
		"BUG: unable to handle", "BUG: Unable to handle",
		"BUG: kernel NULL pointer dereference", "Unable to handle kernel",
		"Oops", "Internal error: Oops", "general protection fault",
		"stack segment:", "divide error:", "PANIC: double fault",
		"kernel tried to execute NX-protected", "Bad page map",
		"traps: PANIC: double fault", "segment-related general protection fault",
		"divide_error:", "invalid opcode:", NULL
	};

	for (size_t i = 0; starts[i]; i++) {
		if (kstarts(s, n, starts[i])) {
			h->kind = KK_OOPS;
			return true;
		}
	}
	if (kstarts(s, n, "BUG: ") && kcontains(s, n, "stack guard page was hit")) {
		h->kind = KK_OOPS;
		return true;
	}
	return false;
}

static bool bug(const char *s, size_t n, struct kheader *h)
{
	size_t i;

	if (kstarts(s, n, "BUG: soft lockup"))
		return soft_lockup(s, n, h);
	if (kstarts(s, n, "BUG: ") && lockdep_title(s, n)) {
		h->kind = KK_LOCKDEP;
		return true;
	}
	if (sanitizer(s, n, h) || oops(s, n, h))
		return true;
	if (!kstarts(s, n, "BUG: ") && !kstarts(s, n, "kernel BUG at ") &&
	    !kstarts(s, n, "Kernel BUG ") && !kstarts(s, n, "BUG ") &&
	    !kstarts(s, n, "------------[ cut here ]"))
		return false;
	if (s[0] == '-') {
		h->banner = true;
		return true;
	}
	h->kind = KK_BUG;
	i = kafter(s, n, " at ");
	if (kstarts(s, n, "kernel BUG at ") && i) {
		size_t j = i;

		while (j < n && s[j] != '!' && s[j] != ' ')
			j++;
		kcopy(h->detail, sizeof(h->detail), s + i, j - i);
	}
	return true;
}

/* "INFO: rcu_sched self-detected stall", "rcu: INFO: rcu_preempt detected stalls". */
/*
 * "detected stall on CPU 5 (t=65032 jiffies)" (2.6), "detected stalls on
 * CPUs/tasks: { 1} (detected by 0, ...)" (3.x) and the expedited "{ 2-... }
 * 10886 jiffies": the first CPU named. Later kernels list the CPUs on lines
 * of their own (klog_take_rcu_cpu).
 */
static void stalled_cpu_in_title(const char *s, size_t n, struct kheader *h)
{
	const char *brace = memchr(s, '{', n);
	size_t i = brace ? (size_t)(brace - s) + 1 : kafter(s, n, "stall on CPU ");
	int64_t cpu;

	if (!i)
		return;
	while (i < n && s[i] == ' ')
		i++;
	if (i < n && s[i] != '-' && kparse_int(s, n, &i, &cpu)) {
		h->cpu = (int)cpu;
		h->has_cpu = true;
	}
}

static bool rcu_stall(const char *s, size_t n, struct kheader *h)
{
	if (kstarts(s, n, "rcu: "))
		s += 5, n -= 5;
	if (!kstarts(s, n, "INFO: rcu") || !kcontains(s, n, "stall"))
		return false;
	h->kind = KK_RCU_STALL;
	stalled_cpu_in_title(s, n, h);
	return true;
}

static bool info(const char *s, size_t n, struct kheader *h)
{
	if (hung_task(s, n, h) || rcu_stall(s, n, h))
		return true;
	if (kstarts(s, n, "INFO: ") && lockdep_title(s, n) &&
	    !kstarts(s, n, "INFO: lockdep is turned off")) {
		h->kind = KK_LOCKDEP;
		return true;
	}
	return false;
}

/* "Watchdog detected hard LOCKUP on cpu 1", "BUG: hard lockup" variants. */
static bool hard_lockup(const char *s, size_t n, struct kheader *h)
{
	size_t i;
	int64_t cpu;

	/* "Watchdog detected hard LOCKUP on cpu 1" (the "NMI watchdog: " is stripped). */
	if (!kstarts(s, n, "Watchdog detected hard LOCKUP") &&
	    !kstarts(s, n, "Watchdog detected hard lockup"))
		return false;
	h->kind = KK_HARD_LOCKUP;
	i = kafter(s, n, "on cpu ");
	if (!i)
		i = kafter(s, n, "CPU");
	if (i && kparse_int(s, n, &i, &cpu)) {
		h->cpu = (int)cpu;
		h->has_cpu = true;
	}
	return true;
}

/* SysRq dumps and other stack dumps without a report of their own. */
static bool task_dump(const char *s, size_t n, struct kheader *h)
{
	if (kstarts(s, n, "sysrq: ") || kstarts(s, n, "SysRq : ") ||
	    kstarts(s, n, "sysrq: SysRq : ")) {
		if (!kcontains(s, n, "Show") && !kcontains(s, n, "show"))
			return false;
		h->kind = KK_TASK_DUMP;
		return true;
	}
	if (kstarts(s, n, "NMI backtrace for cpu") ||
	    kstarts(s, n, "Sending NMI from CPU") || kstarts(s, n, "Call Trace:") ||
	    kstarts(s, n, "Call trace:") || kstarts(s, n, "  task  ") ||
	    kstarts(s, n, "  task                ") ||
	    (kstarts(s, n, "CPU: ") && kcontains(s, n, " PID: ")) ||
	    (kstarts(s, n, "PID: ") && kcontains(s, n, " TASK: "))) {
		h->kind = KK_TASK_DUMP;
		h->weak = true;
		return true;
	}
	return false;
}

static bool panic(const char *s, size_t n, struct kheader *h)
{
	size_t i;

	if (!kstarts(s, n, "Kernel panic - not syncing"))
		return false;
	h->kind = KK_PANIC;
	h->weak = true;
	kcopy(h->detail, sizeof(h->detail), s, n);
	/* The stack protector names the function whose stack was overwritten. */
	i = kafter(s, n, "corrupted in: ");
	if (i && i < n && s[i] != ' ')
		symbol_at(s, n, i, h->ip, sizeof(h->ip));
	/* An address means the kernel could not name the function. */
	if (strspn(h->ip, "0123456789abcdefx") == strlen(h->ip))
		h->ip[0] = '\0';
	return true;
}

static bool oom_without_header(const char *s, size_t n, struct kheader *h)
{
	if (!kstarts(s, n, "Out of memory") && !kstarts(s, n, "Memory cgroup out of memory"))
		return false;
	h->kind = KK_OOM_KILL;
	h->weak = true;
	return true;
}

/*
 * The words that may put a title in the middle of a line, found in one pass
 * over it: most lines hold none, and four memmem() calls on every line cost
 * more than the rest of the title search.
 */
struct mid_words {
	bool alloc;		/* "alloc" */
	bool oom;		/* "oom-killer" */
	bool gpf;		/* "general protection fault" */
	const char *warning;	/* first ": WARNING: " */
};

/* Whether lit sits in s[0..n) with its byte at offset anchor at s[i]. */
static bool word_at(const char *s, size_t n, size_t i, const char *lit, size_t len,
		    size_t anchor)
{
	return i >= anchor && i - anchor + len <= n && !memcmp(s + i - anchor, lit, len);
}

/* Checks the word whose anchor byte ('c', '-', 'W' or 'g') is s[i]. */
static void check_anchor(const char *s, size_t n, size_t i, struct mid_words *w)
{
	switch (s[i]) {
	case 'c':
		w->alloc = w->alloc || word_at(s, n, i, "alloc", 5, 4);
		break;
	case '-':
		w->oom = w->oom || word_at(s, n, i, "oom-killer", 10, 3);
		break;
	case 'W':
		if (!w->warning && word_at(s, n, i, ": WARNING: ", 11, 2))
			w->warning = s + i - 2;
		break;
	case 'g':
		w->gpf = w->gpf || word_at(s, n, i, "general protection fault", 24, 0);
		break;
	default:
		break;
	}
}

#ifdef __SSE2__
/* Bit j set when s[j] is an anchor byte, for the 16 bytes from s. */
static unsigned anchors16(const char *s)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i m = _mm_or_si128(
		_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('c')),
			     _mm_cmpeq_epi8(v, _mm_set1_epi8('-'))),
		_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('W')),
			     _mm_cmpeq_epi8(v, _mm_set1_epi8('g'))));

	return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* Sixteen bytes at a time where SSE2 is there (every x86-64), then byte by byte. */
static void find_mid_words(const char *s, size_t n, struct mid_words *w)
{
	size_t i = 0;

	memset(w, 0, sizeof(*w));
#ifdef __SSE2__
	for (; i + 16 <= n; i += 16)
		for (unsigned m = anchors16(s + i); m; m &= m - 1)
			check_anchor(s, n, i + (size_t)__builtin_ctz(m), w);
#endif
	for (; i < n; i++)
		check_anchor(s, n, i, w);
}

/*
 * Titles that do not start their line: a driver's own "usb 5-1: WARNING:
 * ..." message, and a fault report run into the previous message when two
 * CPUs printed at once.
 */
static bool run_together(const char *s, const struct mid_words *w, struct kheader *h)
{
	const char *p = w->warning;

	/* "usb 5-1: WARNING: ...": a short device name, no other colon before. */
	if (p && p - s < 40 && !memchr(s, ':', (size_t)(p - s))) {
		h->kind = KK_WARNING;
		return true;
	}
	if (w->gpf) {
		h->kind = KK_OOPS;
		return true;
	}
	return false;
}

/* Prefixes some kernels put before a report's title. */
static size_t strip_title_prefix(const char *s, size_t n)
{
	static const char *const prefixes[] = {
		"NMI watchdog: ", "watchdog: ", "[ ", "kernel: ", NULL
	};

	for (size_t i = 0; prefixes[i]; i++)
		if (kstarts(s, n, prefixes[i]))
			return strlen(prefixes[i]);
	return 0;
}

static bool dispatch(const char *s, size_t n, struct kheader *h)
{
	switch (s[0]) {
	case 'I':
		return info(s, n, h) || oops(s, n, h);
	case 'B':
	case 'b':
	case 'k':
	case '-':
		return bug(s, n, h) || oops(s, n, h);
	case 'W':
		return hard_lockup(s, n, h) || warning(s, n, h);
	case 'O':
	case 'M':
		return oops(s, n, h) || oom_without_header(s, n, h);
	case 'K':
		return panic(s, n, h) || bug(s, n, h);
	case 'r':
		return rcu_stall(s, n, h);
	case 'U':
		return oops(s, n, h) || sanitizer(s, n, h);
	case 'u':
		return sanitizer(s, n, h);
	case 'g':
	case 'd':
	case 't':
	case 'i':
		return oops(s, n, h);
	case 'P':
	case 's':
	case 'S':
	case 'N':
	case 'C':
		return oops(s, n, h) || task_dump(s, n, h);
	case ' ':
		return task_dump(s, n, h);
	default:
		return false;
	}
}

/*
 * Titles in the middle of a line: allocation failures and stalls, OOM
 * kills, filesystem allocation retries, and lines run together. Most lines
 * hold none of the words, so those are looked for first.
 */
static bool mid_line(const char *s, size_t n, struct kheader *h)
{
	struct mid_words w;

	find_mid_words(s, n, &w);
	if (w.alloc)
		return alloc_report(s, n, h) || fs_alloc_retry(s, n, h);
	if (w.oom)
		return alloc_report(s, n, h);
	return run_together(s, &w, h);
}

/*
 * Lines printed just before a report's title: "cut here", and the "====="
 * rule of lockdep, KASAN and UBSAN. (A rule of dashes follows a title, and
 * mails use it as a separator, so it starts nothing.)
 */
static bool banner(const char *s, size_t n)
{
	if (kstarts(s, n, "------------[ cut here ]"))
		return true;
	if (n < 20 || s[0] != '=')
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '=' && s[i] != ' ')
			return false;
	return true;
}

/*
 * Empties *h. It runs on every line: clearing the 1 KB of text fields
 * whole cost more than the search for a title.
 */
static void clear_header(struct kheader *h)
{
	memset(h, 0, offsetof(struct kheader, comm));
	h->comm[0] = h->gfp_mask[0] = h->gfp_names[0] = '\0';
	h->detail[0] = h->ip[0] = h->title[0] = '\0';
}

bool klog_header(const char *s, size_t n, struct kheader *h)
{
	size_t skip;

	clear_header(h);
	if (n < 4)
		return false;
	if (banner(s, n)) {
		h->banner = true;
		return true;
	}
	/* A few reports indent their title (" BUG: KCSAN: ..."). */
	for (skip = 0; skip < n && s[skip] == ' ' && skip < 4; skip++)
		;
	if (skip && skip < n && s[skip] >= 'A' && s[skip] <= 'Z') {
		s += skip;
		n -= skip;
	}
	skip = strip_title_prefix(s, n);
	if (skip) {
		s += skip;
		n -= skip;
		if (n > 2 && s[n - 1] == ']' && s[n - 2] == ' ')
			n -= 2;	/* "[ INFO: ... ]" of 2.6/3.x lockdep */
	}
	if (s[0] == ' ' || s[0] == '\t') {
		/* Indented lines are a report's own; only a dump's column header starts one. */
		if (!task_dump(s, n, h))
			return false;
	} else if (!dispatch(s, n, h) && !mid_line(s, n, h)) {
		return false;
	}
	if (!h->banner)
		kcopy(h->title, sizeof(h->title), s, n);
	return true;
}
