/*
 * The tasks of `list task_struct.tasks -h init_task -S task_struct.pid,...`:
 * what the crash utility prints when it walks the kernel's task list
 * itself, which it can where its own task table fails (see vmcore.h).
 * Each entry is the task's address alone on a line, then one line per
 * member ("  pid = 1", "  thread.sp = 18419722475945409616", "  comm =
 * \"init\""). Shared by the vmcore driver, which reads the stacks of these
 * tasks, and the crash parser, which stores them.
 */
#ifndef MMT_PARSERS_CRASH_LIST_H
#define MMT_PARSERS_CRASH_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>

/* The members asked for, in the order printed; __state is 5.14's name. */
#define CRASH_LIST_MEMBERS "task_struct.pid,tgid,__state,exit_state,stack,thread.sp,signal,comm"
#define CRASH_LIST_COMMAND "list task_struct.tasks -h init_task -S " CRASH_LIST_MEMBERS
/*
 * init_task's list holds the thread group leaders; a leader's threads hang
 * on its signal_struct's thread_head (task_struct.thread_node). A walk of
 * it that prints addresses only costs crash next to nothing (one with -S
 * members about 1.5 s), so each leader's is walked to count its other
 * threads: a task table without them is not whole.
 */
#define CRASH_THREAD_HEAD_COMMAND "struct signal_struct.thread_head -o"
#define CRASH_THREADS_PREFIX "list task_struct.thread_node -H "
#define CRASH_THREADS_COMMAND CRASH_THREADS_PREFIX "%" PRIx64
/* Entries kept: a machine with more tasks has its first this many read. */
#define CRASH_LIST_MAX 1000000

struct crash_listed {
	uint64_t task;			/* task_struct address */
	int64_t pid, tgid;		/* -1 when not printed */
	uint64_t state, exit_state;	/* __state, exit_state */
	uint64_t stack, sp;		/* stack base, saved stack pointer; 0 when not printed */
	uint64_t signal;		/* its signal_struct; 0 when not printed */
	char comm[64];
	long line;			/* line of its address */
};

struct crash_list {
	struct crash_listed *v;
	size_t n, cap;
	size_t dropped;			/* entries past CRASH_LIST_MAX */
};

/*
 * Feeds one line of the command's output: true when it was part of it (an
 * address line or a member line), false when it is not (the section ends).
 */
bool crash_list_feed(struct crash_list *l, const char *s, size_t n, long line);
void crash_list_free(struct crash_list *l);

/* A line that is a task_struct address alone, as a listing prints each entry. */
bool crash_list_is_entry(const char *s, size_t n);

/* The leaders' thread walks (CRASH_THREADS_COMMAND) of a session, counted. */
struct crash_walks {
	size_t read;		/* walks that listed a task: a refused one lists none */
	size_t entries;		/* tasks of the walk being read */
	size_t threads;		/* tasks of the walks that are not their leader */
};

/* One line of a walk: true when it is one of its tasks. */
bool crash_walk_line(struct crash_walks *w, const char *s, size_t n);
/* The walk being read ended (nothing when none was). */
void crash_walk_end(struct crash_walks *w);

/*
 * The state letter the kernel's task dumps print ('R', 'S', 'D', 'I', 'T',
 * 't', 'Z', 'X', 'P'), NULL for a state none of those names.
 */
const char *crash_list_state(const struct crash_listed *t);

#endif
