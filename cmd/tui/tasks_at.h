/*
 * What the traced tasks were doing at the time cursor, for the Tasks
 * view: running, runnable, in D, in reclaim, each with since when. The
 * state comes from the replay state machine (analyzers/replay_state.h):
 * the checkpoint at or before the cursor plus the events after it, never
 * a rescan of the trace.
 */
#ifndef MMT_TUI_TASKS_AT_H
#define MMT_TUI_TASKS_AT_H

#include "analyzers/replay_state.h"
#include "cmd/tui/tui.h"

enum { AT_RUNNING, AT_RUNNABLE, AT_BLOCKED, AT_RECLAIM, AT_NGROUPS };

struct tasks_at_item {
	int32_t pid, cpu;		/* cpu -1 when not known */
	double since;			/* common timeline */
	bool before;			/* since before the trace began */
	char name[40];			/* as the trace names the task at the cursor */
	char what[64];			/* in reclaim: which, and the order */
};

struct tasks_at {
	struct mmt_replay_source *src;	/* the traces */
	signed char *mode;		/* per trace: 0 not tried, 1 checkpoints, 2 whole replay, -1 none */
	size_t nsrc;
	bool dirty;			/* the cursor moved since the items were made */
	double at;			/* the time they are for */
	struct tasks_at_item *items[AT_NGROUPS];
	size_t n[AT_NGROUPS];
	char note[256];			/* why there are none, "" when there are */
};

/* The store's traces; a->nsrc 0 when it has none. */
int tasks_at_open(struct tasks_at *a, struct mmt_store *st, struct mmt_err *err);
void tasks_at_free(struct tasks_at *a);
/* Remakes the items for the cursor when it moved; true when they changed. */
bool tasks_at_update(struct tasks_at *a, struct tui *t);
/* The label of a group: "running", "runnable", "D", "in reclaim". */
const char *tasks_at_label(int group);

#endif
