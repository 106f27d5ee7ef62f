/*
 * What `mmtriage record` traces: named presets of events, the events a
 * user lists instead, and the events that get kernel stacks.
 */
#ifndef MMT_RECORD_PRESETS_H
#define MMT_RECORD_PRESETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One event (or, with event "*", a whole system) to enable. */
struct rec_event {
	char system[64];
	char event[96];		/* "*": every event of the system */
	char filter[128];	/* "" or a tracefs filter on the event */
	bool stack;		/* a kernel stack after each hit (trigger "stacktrace") */
	char stack_filter[128];	/* "" or the condition for the stack */
};

struct rec_event_set {
	struct rec_event *ev;
	size_t n;
};

/* The default preset's name. */
extern const char rec_default_preset[];

/*
 * Resolves --events: a comma-separated list of preset names, "system" or
 * "system:event", each item prefixed by "-" to remove it from what came
 * before. Returns 0, or -1 with why filled (an unknown preset, a bad item).
 */
int rec_events_parse(const char *list, struct rec_event_set *out, char *why, size_t n);
/*
 * Applies --stack: "none" clears every stack; otherwise the listed events
 * ("system:event", comma-separated) get stacks, adding those not yet in the
 * set. Returns 0, or -1 with why filled.
 */
int rec_stack_parse(const char *list, struct rec_event_set *set, char *why, size_t n);
void rec_event_set_free(struct rec_event_set *set);
/* "system:event" (or "system" for a whole system) of e, in buf. */
const char *rec_event_name(const struct rec_event *e, char *buf, size_t n);

/*
 * `mmtriage record --list`: every preset with its events; has(system,
 * event) says whether this kernel has each (NULL: do not say).
 */
void rec_presets_list(FILE *out, bool (*has)(const char *system, const char *event));

#endif
