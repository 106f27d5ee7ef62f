/*
 * The findings of the waits analyzer beyond hung_tasks, one file each:
 * deadlock.c (cycles of tasks waiting for locks each other holds),
 * livelock.c (reclaim and allocation loops without progress), recursion.c
 * (reclaim re-entering a filesystem or blocking on a lock), hotplug.c (the
 * CPU-hotplug lock held while its holder waits for kernel threads). They
 * share the analyzer's thresholds (waits.*) and the helpers below.
 */
#ifndef MMT_WAITS_H
#define MMT_WAITS_H

#include "analyzers/analyzer.h"
#include "analyzers/stackrules.h"

int waits_deadlocks(struct mmt_store *st, struct mmt_err *err);
int waits_livelocks(struct mmt_store *st, struct mmt_err *err);
int waits_reclaim_recursion(struct mmt_store *st, struct mmt_err *err);
int waits_hotplug(struct mmt_store *st, struct mmt_err *err);


/*
 * The frame line of sym in a task's entry, as evidence: matched with the
 * space printed before every frame, so that "try_to_free_pages" does not
 * quote "do_try_to_free_pages"; a reliable frame before a "? sym" one.
 */
int waits_frame_evidence(struct mmt_store *st, int64_t finding, int idx, int64_t report,
			 int64_t from_line, const char *sym, struct mmt_err *err);

/* A stack loaded and classified as the stacks analyzer does. */
struct waits_stack {
	struct mmt_loaded_stack s;
	struct wait_result w;
};

int waits_stack_load(struct mmt_store *st, int64_t stack_id, struct waits_stack *out,
		     struct mmt_err *err);
void waits_stack_unload(struct waits_stack *ws);
/* Index of the first reliable frame matching one of the patterns ("x*" prefixes), or -1. */
int waits_stack_find(const struct waits_stack *ws, const char *const *patterns, size_t from);
/* True when sym matches a pattern: exact, or a prefix when it ends with '*'. */
bool waits_sym_match(const char *sym, const char *pattern);
/* The filesystem a function belongs to by its prefix ("xfs", "ext4", ...), or NULL. */
const char *waits_fs_of(const char *sym);

#endif
