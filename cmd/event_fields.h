/*
 * The fields of trace events as text, as `mmtriage replay` prints them after
 * the event's name and the TUI's Events view shows them: " name=value" for
 * every field that is not NULL, in the order of the event's format, pointers
 * in hex as trace-cmd prints them, GFP masks named as the kernel that
 * recorded them names them, text escaped for a terminal.
 *
 * The same text is also given as an SQL expression over a row of the
 * event's table (unescaped), so that a search can match what is shown
 * inside a query instead of reading every event back.
 */
#ifndef MMT_EVENT_FIELDS_H
#define MMT_EVENT_FIELDS_H

#include <stdint.h>

#include "core/err.h"
#include "core/store.h"
#include "core/strbuf.h"
#include "core/strmap.h"

struct mmt_evfields_table;

struct mmt_evfields {
	struct mmt_store *st;
	struct mmt_strmap index;	/* table name -> index in tables */
	struct mmt_evfields_table *tables;
	size_t n, cap;
};

void mmt_evfields_init(struct mmt_evfields *f, struct mmt_store *st);
void mmt_evfields_free(struct mmt_evfields *f);
/*
 * Appends " name=value ..." of the event id of table tbl (an ev_* table) to
 * out; kernel is the release of the trace's machine (for GFP names), or NULL.
 */
int mmt_evfields_add(struct mmt_evfields *f, const char *tbl, int64_t id, const char *kernel,
		     struct mmt_sb *out, struct mmt_err *err);
/*
 * Appends an SQL expression of the same text, unescaped, for the row of tbl
 * named alias in the query; kernel_sql is an SQL expression of the release.
 */
int mmt_evfields_sql(struct mmt_evfields *f, const char *tbl, const char *alias,
		     const char *kernel_sql, struct mmt_sb *out, struct mmt_err *err);

#endif
