/*
 * Decoding trace.dat records (libtraceevent's tep_record) into the trace
 * sink's values: one tdat_type per event type, made once from the event's
 * format (which field is a number, a string, an array, an address printed
 * as a symbol), then per record only offsets and reads, no allocation and
 * no lookup by name.
 */
#ifndef MMT_TRACE_DAT_DECODE_H
#define MMT_TRACE_DAT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event-parse.h>

#include "core/stack.h"
#include "parsers/trace_sink.h"

struct tdat_slot;

struct tdat_type {
	struct mmt_trace_type *t;	/* the sink's handle */
	bool is_stack;			/* ftrace:kernel_stack: a stack, not an event */
	size_t n;			/* values: the fields, then the _sym companions */
	struct tdat_slot *slots;
	struct mmt_trace_value *values;
	struct tep_format_field *pid, *flags, *preempt, *caller;
};

/* A resolved address: its function and where that starts. */
struct tdat_sym {
	uint64_t addr;
	const char *name;		/* NULL: no symbol */
	uint64_t start;
	bool valid;			/* the cache entry holds a lookup */
};

#define TDAT_SYM_CACHE 4096

struct tdat_comm {
	int pid;
	bool used;
	const char *comm;		/* NULL: the trace does not know the task */
	size_t n;
};

struct tdat_decoder {
	struct tep_handle *tep;
	int long_size;
	struct tdat_type **types;	/* by event id */
	size_t ntypes;
	struct tdat_comm *comms;	/* open addressing by pid */
	size_t comm_cap, comm_used;
	struct tdat_sym syms[TDAT_SYM_CACHE];
};

void tdat_decoder_init(struct tdat_decoder *d, struct tep_handle *tep, int long_size);
void tdat_decoder_free(struct tdat_decoder *d);
/*
 * The trace was opened again with another tep handle (tep, or NULL while
 * there is none): the types, task names and symbols cached from the old
 * one go. The sink's type handles stay valid: a type made again gets the
 * same handle back.
 */
void tdat_decoder_rebind(struct tdat_decoder *d, struct tep_handle *tep);
/* The type of ev, declared to the sink the first time; NULL on error. */
struct tdat_type *tdat_type(struct tdat_decoder *d, struct tep_event *ev,
			    struct mmt_trace_sink *sink);
void tdat_common(struct tdat_decoder *d, const struct tdat_type *t,
		 const struct tep_record *rec, struct mmt_trace_common *c);
/* The values of rec in the order of t's fields (valid until the next call). */
const struct mmt_trace_value *tdat_values(struct tdat_decoder *d, struct tdat_type *t,
					  const struct tep_record *rec);
/* A kernel_stack record's addresses as frames, as trace-cmd report lists them. */
void tdat_stack(struct tdat_decoder *d, const struct tdat_type *t,
		const struct tep_record *rec, struct mmt_stack *stk);

#endif
