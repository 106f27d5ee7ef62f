/*
 * The trace sink: where every trace parser (trace.dat, tracefs text,
 * trace-cmd report, perf script) puts its events, so that all traces land
 * in the same tables (schema/003-trace.sql) the same way.
 *
 * A parser declares each event type once with its fields (the sink makes
 * the type's table and view, or adds the columns a table lacks), then
 * hands over events with their common values and field values in the
 * declared order. Events of one source should come in time order: ids grow
 * with them, which keeps time-range queries on id ranges.
 */
#ifndef MMT_TRACE_SINK_H
#define MMT_TRACE_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stack.h"
#include "parsers/parser.h"

struct mmt_trace_sink;
struct mmt_trace_type;

enum mmt_tfield_kind {
	MMT_TF_INT,			/* stored as INTEGER */
	MMT_TF_TEXT,			/* stored as TEXT */
};

struct mmt_trace_field {
	const char *name;		/* the field's name; made a valid column name */
	enum mmt_tfield_kind kind;
	const char *ctype;		/* as the format declares it, or NULL */
};

/* A field's value for one event; null leaves the column NULL. */
struct mmt_trace_value {
	int64_t i;			/* MMT_TF_INT */
	const char *s;			/* MMT_TF_TEXT: s[0..n), need not be NUL-terminated */
	size_t n;
	bool null;
};

/* What every event has. */
struct mmt_trace_common {
	uint64_t ts_ns;			/* on the trace's clock */
	int cpu;			/* -1 when unknown */
	int pid;			/* -1 when unknown */
	const char *comm;		/* may be NULL */
	size_t comm_n;
	int flags;			/* trace_flag_type bits, -1 when not shown */
	int preempt;			/* preempt count, -1 when not shown */
};

/*
 * Layouts of event types (system:name with one list of fields) one trace
 * may declare. Each holds a prepared statement, and a new name a table in
 * the store, which costs a little more the more tables there are (4,096
 * new types of four fields take 3.9 s and 69 MB): a kernel has some 2,000
 * tracepoints, so this many is twice every event of a kernel.
 */
#define MMT_TRACE_MAX_TYPES 4096u

struct mmt_trace_sink *mmt_trace_open(struct mmt_input *in, struct mmt_store *st,
				      struct mmt_err *err);
/*
 * The type system:name with fields[0..n) in that order. Declaring the same
 * type again with the same fields returns the same handle cheaply; with
 * other fields (another kernel's format), a new handle whose events fill
 * the matching columns. NULL on error (err filled), and for one layout
 * past MMT_TRACE_MAX_TYPES.
 */
struct mmt_trace_type *mmt_trace_type(struct mmt_trace_sink *s, const char *system,
				      const char *name, const struct mmt_trace_field *fields,
				      size_t n);
/* Stores one event with values[0..n of its type); returns its id, or -1. */
int64_t mmt_trace_event(struct mmt_trace_sink *s, struct mmt_trace_type *t,
			const struct mmt_trace_common *c, const struct mmt_trace_value *values);
/*
 * Events stored after this belong to the buffer instance name (trace-cmd
 * record -B NAME), or to the top-level buffer when name is NULL (the
 * default). Cheap when the name does not change.
 */
int mmt_trace_set_instance(struct mmt_trace_sink *s, const char *name);
/* Attaches a stack to an event (deduplicated like every stack); one per event. */
int mmt_trace_stack(struct mmt_trace_sink *s, int64_t event_id, const struct mmt_stack *stk);
/* A record or line that could not be read: counted; the first is kept (where: why). */
void mmt_trace_skip(struct mmt_trace_sink *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The trace says events were lost here: events of them, 0 when it does not
 * say how many (counted in trace_sources.lost_gaps either way).
 */
void mmt_trace_lost(struct mmt_trace_sink *s, uint64_t events);
/* What the trace says of itself: clock ('local', 'mono', ...; NULL if unknown), CPUs. */
void mmt_trace_set_clock(struct mmt_trace_sink *s, const char *clock, int cpus);
int64_t mmt_trace_events(const struct mmt_trace_sink *s);	/* stored so far */
/*
 * Finishes: the trace_sources row, the views of new types, in->records
 * (events), in->clock; a warning when records were skipped. Frees the sink
 * (also when called after a failure, with ok false: nothing is written).
 */
int mmt_trace_close(struct mmt_trace_sink *s, bool ok);

#endif
