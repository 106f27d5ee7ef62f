/*
 * What a kernel stack says: the rule table that maps frames to what a
 * blocked task waits for (its wait class), the scheduler and wait
 * plumbing that is skipped to find the wait site, and the frames skipped
 * to find the culprit, the function a kernel developer would name.
 */
#ifndef MMT_STACKRULES_H
#define MMT_STACKRULES_H

#include <stdbool.h>
#include <stddef.h>

/* Kinds of wait primitive met in plumbing frames. */
enum prim {
	PRIM_NONE = 0,
	PRIM_SCHED,		/* schedule() and timeouts: no information by itself */
	PRIM_IO,		/* io_schedule(): waiting for I/O */
	PRIM_MUTEX,
	PRIM_RWSEM,
	PRIM_PERCPU_RWSEM,	/* sb_writers (freeze), cpu_hotplug_lock, cgroup rwsems */
	PRIM_SEMAPHORE,
	PRIM_SPIN,		/* spinning on a spinlock or rwlock */
	PRIM_BIT,		/* wait_on_bit and folio/page bit waits */
	PRIM_COMPLETION,
	PRIM_RTMUTEX,
};

/* How a rule applies. */
enum rule_scope {
	SCOPE_NEAR,		/* within the first frames past the plumbing */
	SCOPE_ANY,		/* anywhere in the stack */
	SCOPE_CONTEXT,		/* says where the task runs (reclaim), not what it waits for */
};

struct wait_rule {
	const char *symbol;	/* exact name, or a prefix when it ends with '*' */
	const char *wait_class;
	enum rule_scope scope;
	enum prim needs;	/* only after this primitive (PRIM_NONE: any) */
};

/* The classification of one stack. */
struct wait_result {
	const char *wait_class;	/* never NULL: "other" when nothing matched */
	int site;		/* index of the wait-site frame, -1 if none */
	int culprit;		/* index of the culprit frame, -1 if none */
	bool in_reclaim;	/* direct reclaim, kswapd or compaction on the stack */
	enum prim prim;		/* innermost wait primitive */
};

/* Symbol names of a stack, innermost first, with reliability. */
struct stack_view {
	const char *const *sym;	/* base names (compiler suffixes removed) */
	const bool *reliable;
	size_t n;
	const char *const *src;	/* source files when printed ("" if not), or NULL */
};

/* Classifies a blocked task's stack. */
void stackrules_classify(const struct stack_view *v, struct wait_result *out);

/*
 * The culprit among frames [from, n): the first that is not skipped for
 * this kind of report ('blocked', 'stall', 'fault', 'alloc', 'generic'),
 * honouring the anchors of stalls and hangs. Returns an index or -1.
 */
int stackrules_culprit(const struct stack_view *v, size_t from, const char *style);
/* True when sym is skipped as a culprit for reports of this style. */
bool stackrules_skipped(const char *sym, const char *style);
/* True when a frame from source file src is library code, never the culprit. */
bool stackrules_library_file(const char *src);

/* One line on what the kernel is doing for a wait class, for summaries. */
const char *stackrules_class_meaning(const char *wait_class);
/* All wait classes, NULL-terminated, in the order reports list them. */
extern const char *const stackrules_classes[];

/* Exposed for tests that pin the table to real stacks. */
extern const struct wait_rule stackrules_table[];
extern const size_t stackrules_table_len;

#endif
