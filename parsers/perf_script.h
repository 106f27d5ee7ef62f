/*
 * The perf script parser's files: perf_script.c (types, values, call
 * chains, the store, the probe) and perf_script_lines.c (the grammar of
 * the lines). Private to them.
 */
#ifndef MMT_PERF_SCRIPT_H
#define MMT_PERF_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/fields.h"

#include "core/stack.h"

#define PSCRIPT_MAX_FIELDS 64	/* pairs of one tracepoint kept */

/* s[0..n) of a line; not NUL-terminated. */

/* The columns of one event line. */
struct pscript_header {
	struct mmt_field comm;
	struct mmt_field event;	/* without its ':' */
	struct mmt_field rest;	/* the text after the event */
	int pid;			/* the TID when both are shown, -1 unknown */
	int cpu;			/* -1 when not shown */
	uint64_t ts_ns;
	bool has_ts;
	struct mmt_field period;	/* n == 0 when not shown */
	bool weak;			/* neither CPU nor time shown */
};

/* A column of an event: name=value of a tracepoint, or a sample's period. */
struct pscript_kv {
	struct mmt_field name, val;
};

struct mmt_field pscript_trim(const char *s, size_t n);
bool pscript_starts_with(struct mmt_field sp, const char *lit);
/* Copies s[0..n), cut to size - 1 bytes, as a string. */
void pscript_copy(char *out, size_t size, const char *s, size_t n);
/* Decimal digits that fit 64 bits. */
bool pscript_dec(const char *s, size_t n, uint64_t *v);
/* A field's number: decimal with an optional sign, or 0x hex (over 2^63: negative). */
bool pscript_int(struct mmt_field sp, int64_t *out);

/* An event line ("COMM PID[/TID] [CPU] TIME: [PERIOD] EVENT: TEXT"); false if not one. */
bool pscript_header(const char *s, size_t n, struct pscript_header *h);
/* A call-chain line ("ADDRESS SYMBOL[+0xOFF] (DSO)"); has_dso: the DSO was there. */
bool pscript_frame(const char *s, size_t n, struct mmt_frame *f, bool *has_dso);

/*
 * The name=value pairs of a tracepoint's text into kv[1..PSCRIPT_MAX_FIELDS);
 * text before the first pair, if any, into kv[0] as "text". Returns the
 * number of columns; *first is the index of the first (0 or 1).
 */
size_t pscript_pairs(struct mmt_field text, struct pscript_kv *kv, size_t *first);
/* kv[n] = name (a string that outlives kv), val; returns n + 1. */
size_t pscript_add_pair(struct pscript_kv *kv, size_t n, const char *name,
			struct mmt_field val);
/*
 * libtraceevent's sched plugin: sched_switch as "prev:1 [120] S ==> next:2
 * [120]", sched_wakeup as "comm:pid [prio] [success=1] CPU:000", into the
 * columns of the kernel's format. Returns the number of columns, 0 when the
 * text is not in that form.
 */
size_t pscript_plugin_switch(struct mmt_field text, struct pscript_kv *kv);
size_t pscript_plugin_wakeup(struct mmt_field text, struct pscript_kv *kv);

#endif
