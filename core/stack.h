/*
 * The one stack model of mmtriage: frames as printed by the kernel (every
 * era and architecture) or by the crash utility, the context they ran in,
 * and the lockdep notations that come with stacks.
 *
 * Frame lines are given without the log prefix (timestamp, syslog header,
 * mail quote), as the kernel-log parser hands them over.
 */
#ifndef MMT_STACK_H
#define MMT_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a frame ran, from the context markers printed around it. */
enum mmt_frame_ctx {
	MMT_CTX_NONE = 0,	/* no marker seen: task context implied */
	MMT_CTX_TASK,		/* inside <TASK> ... </TASK> */
	MMT_CTX_IRQ,		/* inside <IRQ> ... <EOI> / </IRQ> */
	MMT_CTX_SOFTIRQ,	/* inside <SOFTIRQ> ... </SOFTIRQ> */
	MMT_CTX_NMI,		/* inside <NMI> ... <EOE> / </NMI> */
	MMT_CTX_EXCEPTION,	/* inside an exception stack: <#DF>, <#MC>, <DB> ... */
};

/* A context marker found on a line. */
enum mmt_marker {
	MMT_MARK_NONE = 0,
	MMT_MARK_TASK_BEGIN,	/* <TASK> */
	MMT_MARK_TASK_END,	/* </TASK> */
	MMT_MARK_IRQ_BEGIN,	/* <IRQ> */
	MMT_MARK_IRQ_END,	/* <EOI> or </IRQ> */
	MMT_MARK_SOFTIRQ_BEGIN,	/* <SOFTIRQ> */
	MMT_MARK_SOFTIRQ_END,	/* </SOFTIRQ> */
	MMT_MARK_NMI_BEGIN,	/* <NMI> */
	MMT_MARK_NMI_END,	/* <EOE> or </NMI> */
	MMT_MARK_EXC_BEGIN,	/* <#DF>, <#MC>, <DB>, <NMI-like exception> */
	MMT_MARK_EXC_END,	/* </#DF>, ... */
};

#define MMT_SYM_MAX 128
#define MMT_MOD_MAX 64
#define MMT_SRC_MAX 160

struct mmt_frame {
	char symbol[MMT_SYM_MAX];	/* function as printed, without +off/size
					 * (and without ppc64 ELFv1's leading dot) */
	char module[MMT_MOD_MAX];	/* "xfs" from " [xfs]", "" when none */
	char src[MMT_SRC_MAX];		/* "fs/ext4/inode.c:123" when printed */
	uint64_t address;		/* printed address (return or crash "at") */
	uint64_t offset;		/* +0x1f */
	uint64_t size;			/* /0x30 */
	bool has_address;
	bool has_offset;
	bool has_size;
	bool reliable;			/* false for "? sym", ppc "(unreliable)" and
					 * s390's "([<addr>] sym)" */
	bool inlined;			/* " [inline]" after the source location */
	enum mmt_frame_ctx ctx;		/* set by mmt_stack_feed from markers */
};

/* Result bits of mmt_frame_parse. */
#define MMT_LINE_FRAME	1	/* *frame was filled */
#define MMT_LINE_MARKER	2	/* *marker was set */

/*
 * Parses one line. Returns a combination of MMT_LINE_FRAME and
 * MMT_LINE_MARKER (old kernels print "<IRQ>  [<addr>] sym+off/size" on one
 * line), or 0 when the line is neither a frame nor a marker. Never reads
 * past s[n-1]; s need not be NUL-terminated.
 */
int mmt_frame_parse(const char *s, size_t n, struct mmt_frame *frame,
		    enum mmt_marker *marker);
/*
 * Same, reporting every marker of the line in order (at most max, count in
 * *nmarkers): old kernels print several on one line, "<<EOE>> <IRQ>  [<addr>]
 * sym+off/size". mmt_frame_parse reports the last of them.
 */
int mmt_frame_parse_all(const char *s, size_t n, struct mmt_frame *frame,
			enum mmt_marker *markers, int max, int *nmarkers);

/* Nesting of context sections kept; deeper sections end in MMT_CTX_NONE. */
#define MMT_CTX_DEPTH 8

/* A stack being built from consecutive lines. Owns frames. */
/*
 * Frames one stack keeps: a 16 KiB kernel stack holds at most 2,048 return
 * addresses (4,096 with KASAN's 32 KiB), and perf records at most
 * kernel.perf_event_max_stack (127 by default). Frames past it are dropped
 * and counted: a runaway stack costs no more than 1.5 MB.
 */
#define MMT_STACK_MAX_FRAMES 4096u

struct mmt_stack {
	struct mmt_frame *frames;
	size_t n;
	size_t cap;
	size_t dropped;			/* frames past MMT_STACK_MAX_FRAMES */
	enum mmt_frame_ctx ctx;		/* context the next frame runs in */
	/* contexts to return to when a section ends ("<IRQ>" ... "<EOI>") */
	enum mmt_frame_ctx saved[MMT_CTX_DEPTH];
	unsigned int depth;
};

void mmt_stack_init(struct mmt_stack *st);
void mmt_stack_reset(struct mmt_stack *st);
void mmt_stack_free(struct mmt_stack *st);
/*
 * Feeds one line. Returns 1 if it was a frame or a marker (and was taken
 * into the stack), 0 otherwise. Markers change the context of later frames;
 * an end marker whose beginning was not seen (crash prints "--- <NMI
 * exception stack> ---" after the NMI frames) gives its context to the
 * frames before it that had none.
 */
int mmt_stack_feed(struct mmt_stack *st, const char *s, size_t n);
void mmt_stack_push(struct mmt_stack *st, const struct mmt_frame *f);
/*
 * A digest identifying the stack for deduplication: symbols, offsets,
 * sizes, modules, reliability and contexts, but not addresses (which KASLR
 * changes from boot to boot). hex receives 64 hex digits and a NUL.
 */
void mmt_stack_digest(const struct mmt_stack *st, char hex[65]);

/*
 * Writes sym without compiler suffixes (".constprop.0", ".isra.3",
 * ".part.12", ".cold", ".llvm.NNN" and combinations) into out.
 */
void mmt_symbol_base(const char *sym, char *out, size_t outsz);

const char *mmt_frame_ctx_name(enum mmt_frame_ctx ctx);

/*
 * Lockdep notations that come with stacks.
 *
 * A dependency-chain link, "-> #1 (&sb->s_type->i_mutex_key#9){+.+.}-{3:3}:"
 * (the "{...}-{n:n}" parts vary by era and may be absent).
 */
struct mmt_lock_link {
	int index;			/* the N of "#N" */
	char lock[MMT_SYM_MAX];		/* "&sb->s_type->i_mutex_key#9" */
};
/* Returns 1 and fills *link if the line is a chain link, else 0. */
int mmt_lockdep_link_parse(const char *s, size_t n, struct mmt_lock_link *link);

/*
 * A held-lock line of "N locks held by comm/pid:" lists, any era:
 *  " #0: ffff88807b7fa0e0 (&type->i_mutex_dir_key#5){++++}-{3:3}, at: inode_lock include/linux/fs.h:758 [inline]"
 *  " #0:  (&sb->s_type->i_mutex_key#9){+.+.+.}, at: [<ffffffff811e2d0f>] do_last+0x1a2/0x11c0"
 *  " #1: ffffffff8c59e3e0 (rcu_read_lock){....}-{1:2}, at: rcu_lock_acquire include/linux/rcupdate.h:326 [inline]"
 */
struct mmt_held_lock {
	int index;			/* the N of "#N:" */
	char lock[MMT_SYM_MAX];		/* name inside the parentheses */
	char at[MMT_SYM_MAX];		/* function after "at:", "" if absent */
	uint64_t address;		/* lock address when printed */
	bool has_address;
};
/* Returns 1 and fills *hl if the line is a held-lock line, else 0. */
int mmt_held_lock_parse(const char *s, size_t n, struct mmt_held_lock *hl);

#endif
