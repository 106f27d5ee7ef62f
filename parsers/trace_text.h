/*
 * The text-trace parser's pieces (trace_text*.c): ftrace's own text
 * (tracefs `trace` and `trace_pipe`) and `trace-cmd report`.
 *
 * trace_text.c        the parser: probe, the line loop, headers, stacks
 * trace_text_line.c   one line split into its columns (task, CPU, irq-info,
 *                     time, event name, text) and stack frame lines
 * trace_text_fields.c an event's printed text as fields, and the columns
 *                     each event type gets
 * trace_text_systems.c which system an event belongs to (text traces
 *                     print only the event's name)
 */
#ifndef MMT_TRACE_TEXT_H
#define MMT_TRACE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stack.h"
#include "core/strmap.h"
#include "parsers/trace_sink.h"

/* What an event line holds besides an ordinary event. */
enum tt_kind {
	TT_EVENT,		/* "name: text" */
	TT_FUNCTION,		/* the function tracer's "func <-parent" */
	TT_STACK,		/* "<stack trace>" or trace-cmd's kernel_stack */
	TT_USER_STACK,		/* "<user stack trace>" or user_stack: not kept */
};

/* One event line split into its columns; pointers into the line. */
struct tt_line {
	const char *instance;	/* trace-cmd's "NAME:" of a -B buffer, or NULL */
	size_t instance_n;
	const char *comm;	/* NULL when not shown or shown as "<...>" */
	size_t comm_n;
	int pid;		/* -1 when not shown */
	int cpu;
	int flags;		/* trace_flag_type bits, -1 without irq-info */
	int preempt;		/* preempt count | migrate-disable << 4, -1 without */
	uint64_t ts_ns;
	bool latency;		/* trace-cmd report -l: CPU and irq-info in one column */
	enum tt_kind kind;
	const char *name;	/* event name as printed */
	size_t name_n;
	const char *text;	/* what the event printed after its name */
	size_t text_n;
};

/* 1 and l filled when s[0..n) is an event line, else 0 and *why says why not. */
int tt_split(const char *s, size_t n, struct tt_line *l, const char **why);
/* True for a stack frame line: " => sym", "=> sym (addr)". */
bool tt_is_frame(const char *s, size_t n);
/* A frame line as a frame; 0 for frames not kept (user-space addresses). */
int tt_frame(const char *s, size_t n, struct mmt_frame *f);

/* The event system of an event name, or "unknown". */
const char *tt_system_of(const char *name, size_t n);

/* An event's printed text as name=value pairs. */
struct tt_pair {
	const char *name, *val;
	size_t name_n, val_n;
};

#define TT_MAX_FIELDS 48

/* Event types met so far and the columns each got. */
struct tt_events {
	struct mmt_trace_sink *sink;
	struct mmt_strmap ids;		/* event name -> index in v */
	struct tt_event **v;
	size_t n, cap;
	int64_t bad_values;		/* values that did not fit their column */
	char first_bad[200];
};

void tt_events_init(struct tt_events *e, struct mmt_trace_sink *sink);
void tt_events_free(struct tt_events *e);
/*
 * Stores the event of line l (read at lineno); returns its id, or -1 on an
 * error of the store (err filled by the sink).
 */
int64_t tt_store_event(struct tt_events *e, const struct tt_line *l, long lineno);

/* Exposed for tests of the pieces. */
size_t tt_pairs(const char *s, size_t n, struct tt_pair *p, size_t max,
		const char **prefix, size_t *prefix_n);
bool tt_number(const char *s, size_t n, int64_t *out);
uint64_t tt_ns(const char *s, size_t n, bool *ok);

#endif
