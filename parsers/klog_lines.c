/*
 * Storing log lines, the bulk of what a kernel log writes: rows are
 * gathered and inserted KLOG_LINE_BATCH at a time with one multi-row
 * statement, which costs SQLite far less per row than one statement each.
 * Lines get their ids here, so that a line still waiting in the batch can
 * be attached to a report that turns out to start at it.
 */
#include "parsers/klog.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

#define COLUMNS 9

static const char sql_next_id[] = "SELECT ifnull(max(id), 0) + 1 FROM log_lines";
static const char sql_one[] =
	"INSERT INTO log_lines (id, source_id, line, t, level, caller, origin, report_id, "
	"text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_attach[] =
	"UPDATE log_lines SET report_id = ? WHERE id = ?";

/* "INSERT ... VALUES (?, ...), (?, ...) ..." for a whole batch, built once. */
static const char *batch_sql(void)
{
	static char sql[KLOG_LINE_BATCH * 24 + 128];

	if (!sql[0]) {
		size_t len = (size_t)snprintf(sql, sizeof(sql), "%.*s", (int)(strstr(sql_one,
					      "VALUES") - sql_one + 7), sql_one);

		for (int i = 0; i < KLOG_LINE_BATCH; i++)
			len += (size_t)snprintf(sql + len, sizeof(sql) - len,
						"%s(?,?,?,?,?,?,?,?,?)", i ? "," : "");
	}
	return sql;
}

/* A row's text stays put until the statement has run: SQLite need not copy it. */
static void bind_static(sqlite3_stmt *s, int i, const char *text)
{
	if (text[0])
		sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void bind_row(struct klog *k, sqlite3_stmt *s, int base, const struct kline_row *r)
{
	mmt_bind_int(s, base + 1, r->id);
	mmt_bind_int(s, base + 2, k->in->source_id);
	mmt_bind_int(s, base + 3, r->lineno);
	mmt_bind_double_opt(s, base + 4, r->t, r->has_t);
	mmt_bind_int_opt(s, base + 5, r->level, r->level >= 0);
	bind_static(s, base + 6, r->caller);
	bind_static(s, base + 7, r->origin);
	mmt_bind_int_opt(s, base + 8, r->report_id, r->report_id > 0);
	sqlite3_bind_text(s, base + 9, k->batch_text.buf + r->text_off, (int)r->text_len,
			  SQLITE_STATIC);
}

/* Writes the rows gathered so far: the full batch at once, a rest row by row. */
int klog_lines_flush(struct klog *k)
{
	bool full = k->nbatch == KLOG_LINE_BATCH;
	/* bind_row() binds every column of every row. */
	sqlite3_stmt *s = mmt_store_stmt_rebind(k->st, full ? batch_sql() : sql_one, k->err);

	if (!s)
		return -1;
	for (size_t i = 0; i < k->nbatch; i++) {
		bind_row(k, s, full ? (int)i * COLUMNS : 0, &k->batch[i]);
		if (!full && mmt_store_run(k->st, s, k->err) < 0)
			return -1;
	}
	if (full && mmt_store_run(k->st, s, k->err) < 0)
		return -1;
	k->nbatch = 0;
	mmt_sb_reset(&k->batch_text);
	return 0;
}

static int64_t first_id(struct klog *k)
{
	int64_t id = mmt_store_query_int(k->st, sql_next_id);

	return id > 0 ? id : 1;
}

int klog_store_line(struct klog *k, const struct kline *kl, int64_t report_id)
{
	struct kline_row *r;

	if (!k->next_line_id)
		k->next_line_id = first_id(k);
	if (k->nbatch == KLOG_LINE_BATCH && klog_lines_flush(k) < 0)
		return -1;
	r = &k->batch[k->nbatch++];
	r->id = k->next_line_id++;
	r->lineno = kl->lineno;
	r->t = kl->t;
	r->has_t = kl->has_t;
	r->level = kl->level;
	memcpy(r->caller, kl->caller, sizeof(r->caller));
	if (kl->foreign)
		memcpy(r->origin, kl->origin, sizeof(r->origin));
	else
		r->origin[0] = '\0';
	r->report_id = report_id;
	r->text_off = k->batch_text.len;
	r->text_len = kl->len;
	mmt_sb_add(&k->batch_text, kl->text, kl->len);
	k->last_line_id = r->id;
	k->lines++;
	return 0;
}

int klog_store_attach_line(struct klog *k, int64_t line_id, int64_t report_id)
{
	sqlite3_stmt *s;

	for (size_t i = 0; i < k->nbatch; i++) {
		if (k->batch[i].id == line_id) {
			k->batch[i].report_id = report_id;
			return 0;
		}
	}
	s = mmt_store_stmt(k->st, sql_attach, k->err);
	if (!s)
		return -1;
	mmt_bind_int(s, 1, report_id);
	mmt_bind_int(s, 2, line_id);
	return mmt_store_run(k->st, s, k->err);
}
