/*
 * Internals of the kernel-log parser, shared by its files:
 *   klog.c          the driver: sniffing, the line loop, rejoining wrapped lines
 *   klog_prefix.c   what precedes a message: timestamps, syslog and journal
 *                   headers, printk levels and callers, mail quotes
 *   klog_header.c   recognising the first line of each kind of report
 *   klog_report.c   the report state machine: which lines belong to a report
 *   klog_fields.c   facts in a report's lines (tasks, CPUs, locks, OOM victim)
 *   klog_meminfo.c  the Mem-Info dump and the OOM task table
 *   klog_store.c    writing rows
 */
#ifndef MMT_KLOG_H
#define MMT_KLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/stack.h"
#include "core/strbuf.h"
#include "core/store.h"
#include "parsers/parser.h"

/* ---- Prefixes ---------------------------------------------------------- */

enum klog_clock {
	KCLOCK_NONE = 0,
	KCLOCK_MONO,		/* printk's seconds since boot */
	KCLOCK_WALL,		/* Unix seconds from a wall-clock prefix */
};

/* What sniffing decided about a whole file. */
struct klog_format {
	const char *name;	/* 'dmesg', 'kmsg', 'dmesg -T', 'iso', 'syslog', 'journal',
				 * 'journal-monotonic', 'console', 'mail', 'crash' */
	enum klog_clock clock;	/* the clock lines are stored on */
	size_t wrap_width;	/* > 0: lines were wrapped at this width (mail) */
	unsigned decode_flags;	/* KDEC_* for klog_decode */
	int confidence;		/* 0..100 */
};

/* A line once its prefixes are taken off. */
struct kline {
	const char *text;	/* the message; not NUL-terminated */
	size_t len;
	long lineno;		/* file line */
	size_t raw_len;		/* length of the line as read */
	double t;
	bool has_t;
	bool has_prefix;	/* a timestamp, level or syslog header was found */
	bool foreign;		/* a syslog/journal line of a program, not the kernel */
	bool untimed;		/* no timestamp in a log whose kernel lines have one */
	int level;		/* printk level, -1 when not printed */
	char caller[12];	/* 'T123' or 'C1', "" when not printed */
	char origin[32];	/* program of a foreign line */
};

#define KDEC_HOSTS 1u	/* ISO times are followed by "host ident:" (syslog files) */
#define KDEC_JOURNAL 2u	/* printk stamps are followed by "host ident:" (journalctl) */

/*
 * Decodes the prefixes of raw line s[0..n) into *kl. clock says which clock
 * times are stored on: a line whose only time is on the other clock gets no
 * time. flags (KDEC_*) say how the file's prefixes read.
 */
void klog_decode(const char *s, size_t n, enum klog_clock clock, unsigned flags,
		 struct kline *kl);
/* Sniffs head; fills *f and returns its confidence (0..100). */
int klog_sniff(const char *head, size_t len, struct klog_format *f);
/*
 * Offset of a printk timestamp "[ 1234.567890]" inside s[from..n) (another
 * CPU's message run into this line), or 0 when there is none.
 */
size_t klog_embedded_timestamp(const char *s, size_t n, size_t from);

/* ---- Report kinds and headers ------------------------------------------ */

enum kkind {
	KK_NONE = 0,
	KK_HUNG_TASK, KK_ALLOC_FAILURE, KK_ALLOC_STALL, KK_OOM_KILL,
	KK_SOFT_LOCKUP, KK_HARD_LOCKUP, KK_RCU_STALL, KK_LOCKDEP, KK_BUG,
	KK_OOPS, KK_WARNING, KK_KASAN, KK_KMSAN, KK_KCSAN, KK_UBSAN,
	KK_KFENCE, KK_MEMORY_LEAK, KK_PANIC, KK_TASK_DUMP, KK_FS_ALLOC_RETRY,
	KK_COUNT
};

const char *klog_kind_name(enum kkind k);

/* Facts a report's header line gives. */
struct kheader {
	enum kkind kind;
	bool weak;		/* starts a report only when none is open (panic, Call Trace, CPU: ...) */
	bool banner;		/* a separator that may precede a header ("cut here", "=====") */
	bool has_pid;
	bool has_cpu;
	bool has_secs;
	bool has_order;
	int64_t pid;
	int cpu;
	int64_t secs;		/* hung task / soft lockup duration */
	int order;
	/* Text fields last: klog_header() clears only their first byte. */
	char comm[64];
	char gfp_mask[24];	/* "0x8250" */
	char gfp_names[256];	/* as printed, "" when bare */
	char detail[256];	/* WARNING location, BUG text, fs message */
	char ip[MMT_SYM_MAX];	/* function the header names (WARNING ... at func) */
	char title[256];	/* header line, trimmed */
};

/*
 * Recognises a report's first line. Returns true and fills *h when s is
 * one (or a banner line, h->banner).
 */
bool klog_header(const char *s, size_t n, struct kheader *h);

/* ---- Reports under construction ---------------------------------------- */

/* A task with a stack inside a report. */
struct ktask {
	bool active;
	const char *role;	/* 'subject', 'lock_owner', 'dump', 'cpu_backtrace' */
	int64_t pid;
	bool has_pid;
	char comm[64];
	char state[8];
	int cpu;
	bool has_cpu;
	long line;
	char ip[MMT_SYM_MAX];
	char workqueue[48];
	char work_func[MMT_SYM_MAX];
	struct mmt_stack stack;
};

/* Where frames of the current stack go. */
enum kstack_target {
	KST_TASK,		/* the current task entry */
	KST_CHAIN,		/* the current lockdep chain link */
	KST_DISCARD,		/* KASAN allocation/free stacks and the like */
};

enum ksection {
	KSEC_NONE,
	KSEC_MEMINFO,		/* inside a Mem-Info dump */
	KSEC_OOM_TABLE,		/* inside an OOM task table */
};

#define KOOM_MAX_COLS 16

/* Columns of the OOM task table that are stored (klog_store_oom_task). */
enum koom_col {
	KOOM_PID, KOOM_UID, KOOM_TGID, KOOM_TOTAL_VM, KOOM_RSS, KOOM_PGTABLES,
	KOOM_SWAPENTS, KOOM_ADJ, KOOM_NVALUES,
	KOOM_OTHER = KOOM_NVALUES,	/* a column not stored */
	KOOM_NAME,			/* the last column, the rest of the line */
};

/* The victim of an OOM kill, gathered from several lines. */
struct koom {
	bool has;
	int64_t pid;
	char comm[64];
	int64_t total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb, score_adj;
	bool has_total_vm, has_anon, has_file, has_shmem, has_adj;
	char constraint[32];
	char memcg[128];
	long line;
};

struct kreport {
	bool open;
	int64_t id;
	struct kheader h;	/* from the header line, completed by later lines */
	long line_start, line_end;
	double t, last_t;
	bool has_t;
	char kernel[64];
	char tainted[32];
	char state[8];
	int64_t owner_pid;
	bool has_owner;
	char owner_comm[64];
	char lock_type[24];
	int locks_held;
	bool has_locks;
	int64_t stack_id;	/* main stack, once stored */
	bool truncated;
	/* Parsing state. */
	int foreign_run;	/* foreign lines in a row */
	int lines;		/* lines absorbed */
	bool greedy;		/* absorb every line until greedy_done */
	bool ended;		/* an end marker was seen */
	enum ksection sec;
	enum kstack_target target;
	const char *next_role;	/* role of the next task entry, when known ("lock_owner") */
	bool expect_at;		/* the next lock line names the acquire site */
	struct ktask task;
	int tasks_stored;
	int64_t holder_pid;	/* of the "N locks held by" list being read */
	bool has_holder;
	char holder_comm[64];
	int chain_idx;		/* lockdep chain link being read, -1 if none */
	char chain_lock[MMT_SYM_MAX];
	long chain_line;
	struct mmt_stack chain_stack;
	int oom_cols[KOOM_MAX_COLS];	/* column meaning per position */
	int oom_ncols;
	struct koom oom;
	bool expect_frames;	/* a "Call Trace:" awaits its first frame */
	char zone[16];		/* Mem-Info zone of the last zone line */
	int zone_node;
};

#define KLOG_LINE_BATCH 32	/* log lines per INSERT statement */

/* A log line waiting in the batch (klog_lines.c). */
struct kline_row {
	int64_t id, report_id;
	long lineno;
	double t;
	bool has_t;
	int level;
	char caller[12];
	char origin[32];
	size_t text_off, text_len;	/* in struct klog's batch_text */
};

/* The parser's state for one file. */
struct klog {
	struct mmt_input *in;
	struct mmt_store *st;
	struct mmt_err *err;
	struct klog_format fmt;
	struct kreport rep;
	int64_t pending_banner_id;	/* log_lines row of a "cut here" banner */
	long pending_banner_line;
	int pending_banner_age;
	char kernel[64];		/* release seen anywhere in the file */
	int64_t lines;
	int64_t reports;
	int64_t last_line_id;		/* rowid of the last log line stored */
	bool eof_unterminated;		/* the file's last line has no newline */
	long last_lineno;		/* file line of the last line processed */
	struct mmt_sb scratch;		/* a line rewritten before decoding */
	struct kline_row batch[KLOG_LINE_BATCH];
	size_t nbatch;
	struct mmt_sb batch_text;
	int64_t next_line_id;
};

/* klog_report.c: feed one decoded kernel line; returns -1 on store errors. */
int klog_report_line(struct klog *k, const struct kline *kl);
/* Closes the open report, if any. at_eof marks it truncated when it looks cut. */
int klog_report_close(struct klog *k, bool at_eof);
void klog_report_init(struct kreport *r);
void klog_report_free(struct kreport *r);

/* klog_fields.c: facts in lines inside a report. Each returns true when it took the line. */
bool klog_take_task_line(struct klog *k, const char *s, size_t n, long line);
bool klog_take_cpu_line(struct klog *k, const char *s, size_t n);
bool klog_take_ip_line(struct klog *k, const char *s, size_t n);
bool klog_take_version_line(struct klog *k, const char *s, size_t n);
bool klog_take_owner_hint(struct klog *k, const char *s, size_t n);
bool klog_take_workqueue(struct klog *k, const char *s, size_t n);
bool klog_take_rcu_cpu(struct klog *k, const char *s, size_t n);
int klog_take_lock_lines(struct klog *k, const char *s, size_t n, long line);
int klog_take_oom_victim(struct klog *k, const char *s, size_t n, long line);
/* Kernel release in s (after "Not tainted", "Tainted: ...", "Linux version"). */
bool klog_find_release(const char *s, size_t n, char *out, size_t outsz);
int klog_flush_task(struct klog *k);
int klog_flush_chain(struct klog *k);

/* klog_meminfo.c */
int klog_take_meminfo(struct klog *k, const char *s, size_t n);
int klog_take_oom_table(struct klog *k, const char *s, size_t n);

/* klog_lines.c: log lines, batched; flush before reading them back. */
int klog_store_line(struct klog *k, const struct kline *kl, int64_t report_id);
int klog_store_attach_line(struct klog *k, int64_t line_id, int64_t report_id);
int klog_lines_flush(struct klog *k);

/* klog_store.c */
int klog_store_report_open(struct klog *k);
int klog_store_report_close(struct klog *k);
int klog_store_stack(struct klog *k, const struct mmt_stack *stk, int64_t *id);
int klog_store_task(struct klog *k, const struct ktask *t, int64_t stack_id);
int klog_store_held_lock(struct klog *k, const struct mmt_held_lock *hl, long line);
int klog_store_chain_link(struct klog *k, int64_t stack_id);
int klog_store_counter(struct klog *k, int node, const char *zone,
		       const char *name, int64_t value, const char *unit);
/* name is the rest of the row, name_len bytes, not NUL-terminated. */
int klog_store_oom_task(struct klog *k, const int64_t *vals, const bool *has,
			const char *name, size_t name_len);
int klog_store_oom_kill(struct klog *k, const struct koom *o);

/*
 * Small text helpers shared by the klog files. Inline, so that the length
 * of a literal argument is folded at compile time: they run on every line.
 */
static inline bool kstarts(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && !memcmp(s, lit, l);
}

static inline bool kcontains(const char *s, size_t n, const char *lit)
{
	return memmem(s, n, lit, strlen(lit)) != NULL;
}

/* The index just after the first lit in s[0..n), or 0 when there is none. */
static inline size_t kafter(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	const char *p = memmem(s, n, lit, l);

	return p ? (size_t)(p - s) + l : 0;
}

/* Tables of literals with their lengths; the first byte is compared first. */
struct klit {
	const char *s;
	size_t n;
};
#define KLIT(lit) { lit, sizeof(lit) - 1 }

static inline bool kstarts_any(const char *s, size_t n, const struct klit *list)
{
	for (; list->s; list++)
		if (n >= list->n && s[0] == list->s[0] && !memcmp(s, list->s, list->n))
			return true;
	return false;
}

size_t kskip_space(const char *s, size_t n, size_t i);
/* Copies s[0..n) into out (NUL-terminated, cut to outsz). */
void kcopy(char *out, size_t outsz, const char *s, size_t n);
/* Parses a decimal integer at s[*i]; advances *i. */
bool kparse_int(const char *s, size_t n, size_t *i, int64_t *v);

#endif
