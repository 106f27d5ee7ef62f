/*
 * What a database holds for the analyzers of traces: the per-type table
 * of an event (it exists only when a trace recorded the event), and the
 * columns a table has (text traces may lack decoded fields, kernels differ
 * in an event's fields). Every analyzer asks these before it queries.
 */
#include "analyzers/analyzer.h"

#include <stdio.h>
#include <string.h>

static const char sql_event_table[] =
	"SELECT tbl FROM trace_types WHERE name = ?2 AND (?1 IS NULL OR system = ?1) "
	"ORDER BY id LIMIT 1";
static const char sql_has_column[] =
	"SELECT 1 FROM pragma_table_info(?) WHERE name = ?";
static const char sql_has_table[] =
	"SELECT 1 FROM sqlite_master WHERE name = ?";

bool mmt_event_table(struct mmt_store *st, const char *system, const char *name,
		     char *tbl, size_t n)
{
	struct mmt_err err = { 0 };
	sqlite3_stmt *q = mmt_store_stmt(st, sql_event_table, &err);

	if (!q)
		return false;
	mmt_bind_text(q, 1, system);
	mmt_bind_text(q, 2, name);
	if (mmt_store_step(st, q, &err) <= 0)
		return false;
	snprintf(tbl, n, "%s", mmt_col_text(q, 0));
	return true;
}

int mmt_has_column(struct mmt_store *st, const char *table, const char *column,
		   struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_has_column, err);

	if (!q)
		return -1;
	mmt_bind_text(q, 1, table);
	mmt_bind_text(q, 2, column);
	return mmt_store_step(st, q, err);
}

bool mmt_has_columns(struct mmt_store *st, const char *table, const char *columns)
{
	struct mmt_err err = { 0 };
	char one[64];

	for (const char *p = columns; *p;) {
		size_t n = strcspn(p, ",");

		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		if (mmt_has_column(st, table, one, &err) <= 0)
			return false;
		p += n + (p[n] == ',');
	}
	return true;
}

bool mmt_has_table(struct mmt_store *st, const char *name)
{
	struct mmt_err err = { 0 };
	sqlite3_stmt *q = mmt_store_stmt(st, sql_has_table, &err);

	if (!q)
		return false;
	mmt_bind_text(q, 1, name);
	return mmt_store_step(st, q, &err) > 0;
}
