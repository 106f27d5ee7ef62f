/*
 * The rows of the Events view, read a few at a time: every event of every
 * trace in (ts, id) order, through an optional filter and search, without
 * ever reading all of them.
 *
 * The store has no index on time, but each trace's event ids grow with
 * time, so within one trace the order of ids is the order of time and a
 * page is a keyset query on the id (the rowid of every ev_* table):
 * "id > last shown ORDER BY id LIMIT n" over the UNION ALL of the type
 * tables, which SQLite answers by merging one rowid range scan per table.
 * Traces are paged one by one and merged here by time; the first event of
 * a trace after a time is found by bisecting its id range.
 *
 * Queries run on a read-only connection of their own: the filter may be
 * an SQL expression typed by the user, compiled into the page query.
 */
#ifndef MMT_TUI_EVENTS_QUERY_H
#define MMT_TUI_EVENTS_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/store.h"

/* A place in the order: the event (source, id) at time ts. */
struct evq_key {
	double ts;
	int64_t id;
	int64_t source;			/* sources.id; 0 for a bare time (before its events) */
};

struct evq_row {
	struct evq_key key;
	int64_t cpu, pid;		/* -1 when the trace does not say */
	int type;			/* index in evq_types() */
	char *comm;			/* NULL when the trace does not say */
	char *fields;			/* " name=value ...", escaped; NULL until asked for */
};

struct evq_type {
	int64_t id;
	char *system, *name, *tbl, *view;
};

struct evq;

/* Opens the database at path read-only; NULL with err set on failure. */
struct evq *evq_open(const char *path, struct mmt_err *err);
void evq_close(struct evq *q);
/* Re-reads the traces and types (rows a running ingest added). */
int evq_reload(struct evq *q, struct mmt_err *err);

/* The event types; the number of events and traces. */
const struct evq_type *evq_types(const struct evq *q, int *n);
int64_t evq_total(const struct evq *q, int *traces);

/*
 * The filter: "" for none; an event name, or a prefix of names ending in
 * '*', optionally followed by conditions; conditions are cpu=N, pid=N,
 * comm=NAME (a glob when it holds * or ?) separated by spaces, or an SQL
 * expression over the columns of the events view (and the event's own
 * fields when one event type is chosen). On error the old filter stays.
 */
int evq_set_filter(struct evq *q, const char *text, struct mmt_err *err);
/* The search: rows whose task, event name or fields hold text (any case). */
void evq_set_search(struct evq *q, const char *text);

/*
 * Up to n rows after key (dir > 0) or before it (dir < 0), nearest first,
 * that pass the filter (and the search, when search is true); key NULL
 * means from the start (dir > 0) or the end. With inclusive, the key's own
 * event counts. Returns the number of rows, or -1 with err set (a query
 * stopped by the interrupt callback fails with "stopped").
 */
int evq_fetch(struct evq *q, const struct evq_key *key, bool inclusive, int dir, bool search,
	      int n, struct evq_row *out, struct mmt_err *err);
/* The key of event id whatever the filter; false when there is none. */
bool evq_find(struct evq *q, int64_t id, struct evq_key *key);
/* " name=value ..." of the row's event, kept in row->fields. */
const char *evq_fields(struct evq *q, struct evq_row *row);
void evq_row_free(struct evq_row *row);

/*
 * Called now and then while a search runs, or another query that has run
 * for a second; returning true stops it (a key pressed meanwhile). Keys
 * typed ahead do not stop the quick queries of the keys before them.
 */
void evq_on_progress(struct evq *q, bool (*fn)(void *ctx), void *ctx);

#endif
