/*
 * The trace sink; see trace_sink.h. Per event it binds one prepared
 * INSERT into the type's own table: no generic field table, no per-event
 * lookups (types, task names and stacks go through in-memory maps). Tables,
 * columns and views are made as types appear, inside the ingest's
 * transaction, so a failed ingest leaves no table behind either.
 */
#include "parsers/trace_sink.h"
#include "core/stack_store.h"
#include "core/strbuf.h"
#include "core/strmap.h"
#include "core/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char sql_next_id[] =
	"SELECT ifnull(max(last_id), 0) + 1 FROM trace_sources";
static const char sql_find_type[] =
	"SELECT id, tbl FROM trace_types WHERE system = ? AND name = ?";
static const char sql_insert_type[] =
	"INSERT INTO trace_types (system, name, tbl, view) VALUES (?, ?, ?, ?)";
static const char sql_name_taken[] =
	"SELECT 1 FROM sqlite_master WHERE name = ?1 COLLATE NOCASE "
	"UNION ALL SELECT 1 FROM trace_types WHERE view = ?1 COLLATE NOCASE "
	"OR tbl = ?1 COLLATE NOCASE";
static const char sql_has_field[] =
	"SELECT 1 FROM trace_fields WHERE type_id = ? AND name = ? COLLATE NOCASE";
static const char sql_field_count[] =
	"SELECT count(*) FROM trace_fields WHERE type_id = ?";
static const char sql_insert_field[] =
	"INSERT INTO trace_fields (type_id, idx, name, sqltype, ctype) VALUES (?, ?, ?, ?, ?)";
static const char sql_find_comm[] =
	"SELECT id FROM trace_comms WHERE comm = ?";
static const char sql_insert_comm[] =
	"INSERT INTO trace_comms (comm) VALUES (?)";
static const char sql_insert_instance[] =
	"INSERT INTO trace_instances (source_id, name) VALUES (?, ?)";
static const char sql_insert_stack[] =
	"INSERT INTO event_stacks (event_id, stack_id) VALUES (?, ?)";
static const char sql_insert_source[] =
	"INSERT INTO trace_sources (source_id, clock, cpus, events, first_id, last_id, "
	"first_ns, last_ns, lost, lost_gaps, skipped, first_skipped) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_types[] =
	"SELECT id, tbl FROM trace_types ORDER BY id";
static const char sql_type_fields[] =
	"SELECT name FROM trace_fields WHERE type_id = ? ORDER BY idx";
static const char sql_view_of[] =
	"SELECT view, tbl FROM trace_types WHERE id = ?";

/*
 * Every type's table starts with these columns, bound in this order by
 * bind_common(); the type's fields follow.
 */
static const struct {
	const char *name, *decl;
} common_columns[] = {
	{ "id", "INTEGER PRIMARY KEY" },
	{ "common_source", "INTEGER NOT NULL" },
	{ "common_ts_ns", "INTEGER NOT NULL" },
	{ "common_cpu", "INTEGER" },
	{ "common_pid", "INTEGER" },
	{ "common_comm_id", "INTEGER" },
	{ "common_flags", "INTEGER" },
	{ "common_preempt_count", "INTEGER" },
	{ "common_instance_id", "INTEGER" },
};
#define COMMON_COLUMNS (sizeof(common_columns) / sizeof(common_columns[0]))

struct mmt_trace_type {
	int64_t type_id;
	sqlite3_stmt *insert;		/* owned */
	size_t nfields;
	enum mmt_tfield_kind *kinds;
};

struct mmt_trace_sink {
	struct mmt_input *in;
	struct mmt_store *st;
	struct mmt_err *err;
	struct mmt_strmap type_ids;	/* "system\0name\0fields" -> index in types */
	struct mmt_trace_type **types;
	size_t ntypes, captypes;
	struct mmt_strmap comms;	/* comm -> trace_comms.id */
	struct mmt_strmap stacks;	/* digest -> stacks.id */
	struct mmt_strmap instances;	/* instance name -> trace_instances.id */
	int64_t instance_id;		/* of the events stored next, 0 for the top buffer */
	struct mmt_sb scratch;
	bool new_types;			/* views to rewrite at close */
	int64_t next_id, first_id, events;
	uint64_t first_ns, last_ns;
	uint64_t lost;
	int64_t lost_gaps;		/* mmt_trace_lost calls */
	int64_t skipped;
	char first_skipped[256];
	int64_t cut_stacks;		/* stacks longer than MMT_STACK_MAX_FRAMES */
	uint64_t cut_frames;		/* their frames past it, not stored */
	char clock[32];
	int cpus;
};

struct mmt_trace_sink *mmt_trace_open(struct mmt_input *in, struct mmt_store *st,
				      struct mmt_err *err)
{
	struct mmt_trace_sink *s = xcalloc(1, sizeof(*s));
	int64_t next = mmt_store_query_int(st, sql_next_id);

	s->in = in;
	s->st = st;
	s->err = err;
	s->cpus = -1;
	if (next < 1) {
		mmt_err_at(err, in->path, 0, "cannot read the trace tables");
		free(s);
		return NULL;
	}
	s->next_id = s->first_id = next;
	return s;
}

/* A column or table name from a field's: letters, digits, '_'. */
static void sanitize(const char *name, struct mmt_sb *out)
{
	for (const char *p = name; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_';

		mmt_sb_addc(out, (char)(ok ? c : '_'));
	}
	if (!out->len)
		mmt_sb_adds(out, "_");
}

/*
 * Names a field's column cannot have: the common columns' (id, common_*),
 * the type view's own (ts, ts_ns, source), and names SQL would not take bare.
 */
static bool reserved_column(const char *col)
{
	return !strcasecmp(col, "id") || !strcasecmp(col, "ts") ||
	       !strcasecmp(col, "ts_ns") || !strcasecmp(col, "source") ||
	       !strncasecmp(col, "common_", 7) ||
	       (col[0] >= '0' && col[0] <= '9');
}

static bool column_taken(char *const *cols, size_t n, const char *col)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(cols[i], col))
			return true;
	return false;
}

/*
 * The columns of fields[0..n), in order: each field's name made a column
 * name, prefixed when reserved, suffixed _2, _3, ... when an earlier field
 * of the same declaration already has it (SQLite's names ignore case).
 * The same fields always give the same columns.
 */
static char **column_names(const struct mmt_trace_field *fields, size_t n)
{
	char **cols = xcalloc(n ? n : 1, sizeof(*cols));
	struct mmt_sb col = MMT_SB_INIT;

	for (size_t i = 0; i < n; i++) {
		size_t base;

		mmt_sb_reset(&col);
		sanitize(fields[i].name, &col);
		if (reserved_column(mmt_sb_str(&col))) {
			mmt_sb_reset(&col);
			mmt_sb_adds(&col, "f_");
			sanitize(fields[i].name, &col);
		}
		base = col.len;
		for (int k = 2; column_taken(cols, i, mmt_sb_str(&col)); k++) {
			col.len = base;
			mmt_sb_addf(&col, "_%d", k);
		}
		cols[i] = xstrdup(mmt_sb_str(&col));
	}
	mmt_sb_free(&col);
	return cols;
}

static void free_names(char **cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cols[i]);
	free(cols);
}

static int exec_sql(struct mmt_trace_sink *s, const char *sql)
{
	if (mmt_store_exec(s->st, sql, s->err) < 0) {
		s->err->path = s->in->path;
		return -1;
	}
	return 0;
}

/* 1 when a table, view, index or trace type already has the name. */
static int name_taken(struct mmt_trace_sink *s, const char *name)
{
	sqlite3_stmt *q;
	int rc;

	if (!strncasecmp(name, "sqlite_", 7))
		return 1;
	q = mmt_store_stmt(s->st, sql_name_taken, s->err);
	if (!q)
		return -1;
	mmt_bind_text(q, 1, name);
	rc = mmt_store_step(s->st, q, s->err);
	sqlite3_reset(q);
	return rc;
}

/* name, or name_2, name_3, ...: the first one nothing has. */
static int free_name(struct mmt_trace_sink *s, struct mmt_sb *name)
{
	size_t base = name->len;
	int rc;

	for (int k = 2; (rc = name_taken(s, mmt_sb_str(name))) > 0; k++) {
		name->len = base;
		mmt_sb_addf(name, "_%d", k);
	}
	return rc;
}

/*
 * The view's name: the event's, unless something else has it (a view of
 * another schema file, another system's event), then system_name.
 */
static int choose_view(struct mmt_trace_sink *s, const char *system, const char *name,
		       struct mmt_sb *view)
{
	int rc;

	mmt_sb_reset(view);
	sanitize(name, view);
	rc = name_taken(s, mmt_sb_str(view));
	if (rc <= 0)
		return rc;
	mmt_sb_reset(view);
	sanitize(system, view);
	mmt_sb_addc(view, '_');
	sanitize(name, view);
	return free_name(s, view);
}

static const char *sql_type(const struct mmt_trace_field *f)
{
	return f->kind == MMT_TF_INT ? "INTEGER" : "TEXT";
}

/* A field's row in trace_fields: column idx of the type's fields. */
static int record_field(struct mmt_trace_sink *s, int64_t type_id, int64_t idx,
			const char *col, const struct mmt_trace_field *f)
{
	sqlite3_stmt *q = mmt_store_stmt(s->st, sql_insert_field, s->err);

	if (!q)
		return -1;
	mmt_bind_int(q, 1, type_id);
	mmt_bind_int(q, 2, idx);
	mmt_bind_text(q, 3, col);
	mmt_bind_text(q, 4, sql_type(f));
	mmt_bind_text(q, 5, f->ctype);
	return mmt_store_run(s->st, q, s->err);
}

/*
 * The CREATE TABLE of a new type, with a column per field: a column added
 * later by ALTER TABLE makes SQLite parse the whole schema again, which
 * with a column per field was most of the time of declaring a type.
 */
static char *table_ddl(const char *tbl, char *const *cols,
		       const struct mmt_trace_field *fields, size_t n)
{
	struct mmt_sb ddl = MMT_SB_INIT;
	char *piece = sqlite3_mprintf("CREATE TABLE \"%w\" (", tbl);

	mmt_sb_adds(&ddl, piece);
	sqlite3_free(piece);
	for (size_t i = 0; i < COMMON_COLUMNS; i++)
		mmt_sb_addf(&ddl, "%s%s %s", i ? ", " : "", common_columns[i].name,
			    common_columns[i].decl);
	for (size_t i = 0; i < n; i++) {
		piece = sqlite3_mprintf(", \"%w\" %s", cols[i], sql_type(&fields[i]));
		mmt_sb_adds(&ddl, piece);
		sqlite3_free(piece);
	}
	mmt_sb_addc(&ddl, ')');
	return mmt_sb_detach(&ddl);
}

static int create_type(struct mmt_trace_sink *s, const char *system, const char *name,
		       char *const *cols, const struct mmt_trace_field *fields, size_t n,
		       int64_t *type_id, struct mmt_sb *tbl)
{
	struct mmt_sb view = { 0 };
	sqlite3_stmt *q;
	char *ddl;
	int rc = -1;

	mmt_sb_reset(tbl);
	mmt_sb_adds(tbl, "ev_");
	sanitize(system, tbl);
	mmt_sb_addc(tbl, '_');
	sanitize(name, tbl);
	if (free_name(s, tbl) < 0 || choose_view(s, system, name, &view) < 0 ||
	    !(q = mmt_store_stmt(s->st, sql_insert_type, s->err)))
		goto out;
	mmt_bind_text(q, 1, system);
	mmt_bind_text(q, 2, name);
	mmt_bind_text(q, 3, mmt_sb_str(tbl));
	mmt_bind_text(q, 4, mmt_sb_str(&view));
	if (mmt_store_run(s->st, q, s->err) < 0)
		goto out;
	*type_id = mmt_store_last_id(s->st);
	ddl = table_ddl(mmt_sb_str(tbl), cols, fields, n);
	rc = exec_sql(s, ddl);
	free(ddl);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = record_field(s, *type_id, (int64_t)i, cols[i], &fields[i]);
	s->new_types = true;
out:
	mmt_sb_free(&view);
	return rc;
}

/*
 * The type's row, made with its table when new (1 then, 0 when it was
 * there); tbl receives its table's name.
 */
static int find_type(struct mmt_trace_sink *s, const char *system, const char *name,
		     char *const *cols, const struct mmt_trace_field *fields, size_t n,
		     int64_t *type_id, struct mmt_sb *tbl)
{
	sqlite3_stmt *q = mmt_store_stmt(s->st, sql_find_type, s->err);
	int rc;

	if (!q)
		return -1;
	mmt_bind_text(q, 1, system);
	mmt_bind_text(q, 2, name);
	rc = mmt_store_step(s->st, q, s->err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return create_type(s, system, name, cols, fields, n, type_id, tbl) < 0 ? -1 : 1;
	*type_id = sqlite3_column_int64(q, 0);
	mmt_sb_reset(tbl);
	mmt_sb_adds(tbl, mmt_col_text(q, 1));
	sqlite3_reset(q);
	return 0;
}

static int field_known(struct mmt_trace_sink *s, int64_t type_id, const char *col)
{
	sqlite3_stmt *q = mmt_store_stmt(s->st, sql_has_field, s->err);
	int rc;

	if (!q)
		return -1;
	mmt_bind_int(q, 1, type_id);
	mmt_bind_text(q, 2, col);
	rc = mmt_store_step(s->st, q, s->err);
	sqlite3_reset(q);
	return rc;
}

static int64_t field_count(struct mmt_trace_sink *s, int64_t type_id)
{
	sqlite3_stmt *q = mmt_store_stmt(s->st, sql_field_count, s->err);
	int64_t n = 0;

	if (q) {
		mmt_bind_int(q, 1, type_id);
		if (mmt_store_step(s->st, q, s->err) > 0)
			n = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
	}
	return n;
}

/* A column for the field, when its table lacks one. */
static int add_column(struct mmt_trace_sink *s, int64_t type_id, const char *tbl,
		      const char *col, const struct mmt_trace_field *f)
{
	int known = field_known(s, type_id, col);
	char *ddl;
	int rc;

	if (known != 0)
		return known < 0 ? -1 : 0;
	ddl = sqlite3_mprintf("ALTER TABLE \"%w\" ADD COLUMN \"%w\" %s", tbl, col, sql_type(f));
	rc = exec_sql(s, ddl);
	sqlite3_free(ddl);
	s->new_types = true;
	return rc < 0 ? -1 : record_field(s, type_id, field_count(s, type_id), col, f);
}

/* The INSERT of a type's events, for these fields in this order. */
static sqlite3_stmt *prepare_insert(struct mmt_trace_sink *s, const char *tbl,
				    char *const *cols, size_t n)
{
	struct mmt_sb sql = MMT_SB_INIT;
	sqlite3_stmt *q;
	char *quoted = sqlite3_mprintf("\"%w\"", tbl);

	mmt_sb_addf(&sql, "INSERT INTO %s (", quoted);
	sqlite3_free(quoted);
	for (size_t i = 0; i < COMMON_COLUMNS; i++)
		mmt_sb_addf(&sql, "%s%s", i ? ", " : "", common_columns[i].name);
	for (size_t i = 0; i < n; i++) {
		quoted = sqlite3_mprintf(", \"%w\"", cols[i]);
		mmt_sb_adds(&sql, quoted);
		sqlite3_free(quoted);
	}
	mmt_sb_adds(&sql, ") VALUES (?");
	for (size_t i = 1; i < COMMON_COLUMNS + n; i++)
		mmt_sb_adds(&sql, ", ?");
	mmt_sb_addc(&sql, ')');
	q = mmt_store_prepare(s->st, mmt_sb_str(&sql), s->err);
	mmt_sb_free(&sql);
	return q;
}

static struct mmt_trace_type *make_type(struct mmt_trace_sink *s, const char *system,
					const char *name,
					const struct mmt_trace_field *fields, size_t n)
{
	struct mmt_sb tbl = MMT_SB_INIT;
	struct mmt_trace_type *t = NULL;
	char **cols = column_names(fields, n);
	int64_t type_id;
	size_t i;
	int made = find_type(s, system, name, cols, fields, n, &type_id, &tbl);

	if (made < 0)
		goto out;
	for (i = 0; !made && i < n; i++)
		if (add_column(s, type_id, mmt_sb_str(&tbl), cols[i], &fields[i]) < 0)
			goto out;
	t = xcalloc(1, sizeof(*t));
	t->type_id = type_id;
	t->nfields = n;
	t->kinds = xcalloc(n ? n : 1, sizeof(*t->kinds));
	for (i = 0; i < n; i++)
		t->kinds[i] = fields[i].kind;
	t->insert = prepare_insert(s, mmt_sb_str(&tbl), cols, n);
	if (!t->insert) {
		free(t->kinds);
		free(t);
		t = NULL;
	}
out:
	free_names(cols, n);
	mmt_sb_free(&tbl);
	return t;
}

/* "system\0name\0field:kind\0...": a type and its layout, as a map key. */
static void type_key(struct mmt_sb *key, const char *system, const char *name,
		     const struct mmt_trace_field *fields, size_t n)
{
	mmt_sb_reset(key);
	mmt_sb_add(key, system, strlen(system) + 1);
	mmt_sb_add(key, name, strlen(name) + 1);
	for (size_t i = 0; i < n; i++) {
		mmt_sb_add(key, fields[i].name, strlen(fields[i].name) + 1);
		mmt_sb_addc(key, fields[i].kind == MMT_TF_INT ? 'i' : 't');
	}
}

struct mmt_trace_type *mmt_trace_type(struct mmt_trace_sink *s, const char *system,
				      const char *name, const struct mmt_trace_field *fields,
				      size_t n)
{
	struct mmt_trace_type *t;
	int64_t idx;

	type_key(&s->scratch, system, name, fields, n);
	if (mmt_strmap_get(&s->type_ids, s->scratch.buf, s->scratch.len, &idx))
		return s->types[idx];
	if (s->ntypes >= MMT_TRACE_MAX_TYPES) {
		mmt_err_at(s->err, s->in->path, 0, "%s:%s: more than %u event types or layouts "
			   "of them (MMT_TRACE_MAX_TYPES)", system, name, MMT_TRACE_MAX_TYPES);
		return NULL;
	}
	t = make_type(s, system, name, fields, n);
	if (!t)
		return NULL;
	if (s->ntypes == s->captypes) {
		s->captypes = s->captypes ? s->captypes * 2 : 32;
		s->types = xrealloc(s->types, s->captypes * sizeof(*s->types));
	}
	s->types[s->ntypes] = t;
	mmt_strmap_put(&s->type_ids, s->scratch.buf, s->scratch.len, (int64_t)s->ntypes++);
	return t;
}

/*
 * Bytes of a task name kept, as the kernel-log parser keeps (comm[64]): a
 * kernel's names have at most 15, so a longer one in a text trace is made
 * up, and would stretch every line that names the task.
 */
#define COMM_KEPT_MAX 63

/* trace_comms.id of a task name (cut to COMM_KEPT_MAX, whole characters), 0 for none. */
static int64_t comm_id(struct mmt_trace_sink *s, const char *comm, size_t n)
{
	sqlite3_stmt *q;
	int64_t id;
	int rc;

	if (!comm || !n)
		return 0;
	if (n > COMM_KEPT_MAX) {
		n = COMM_KEPT_MAX;
		while (n > 0 && ((unsigned char)comm[n] & 0xc0) == 0x80)
			n--;
	}
	if (mmt_strmap_get(&s->comms, comm, n, &id))
		return id;
	q = mmt_store_stmt(s->st, sql_find_comm, s->err);
	if (!q)
		return -1;
	mmt_bind_textn(q, 1, comm, n);
	rc = mmt_store_step(s->st, q, s->err);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		id = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
	} else {
		q = mmt_store_stmt(s->st, sql_insert_comm, s->err);
		if (!q)
			return -1;
		mmt_bind_textn(q, 1, comm, n);
		if (mmt_store_run(s->st, q, s->err) < 0)
			return -1;
		id = mmt_store_last_id(s->st);
	}
	mmt_strmap_put(&s->comms, comm, n, id);
	return id;
}

_Static_assert(COMMON_COLUMNS == 9, "bind_common() binds each common column");

static void bind_common(sqlite3_stmt *q, int64_t id, int64_t source, int64_t comm,
			int64_t instance, const struct mmt_trace_common *c)
{
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, source);
	sqlite3_bind_int64(q, 3, (int64_t)c->ts_ns);
	mmt_bind_int_opt(q, 4, c->cpu, c->cpu >= 0);
	mmt_bind_int_opt(q, 5, c->pid, c->pid >= 0);
	mmt_bind_int_opt(q, 6, comm, comm > 0);
	mmt_bind_int_opt(q, 7, c->flags, c->flags >= 0);
	mmt_bind_int_opt(q, 8, c->preempt, c->preempt >= 0);
	mmt_bind_int_opt(q, 9, instance, instance > 0);
}

static void bind_values(sqlite3_stmt *q, const struct mmt_trace_type *t,
			const struct mmt_trace_value *v)
{
	for (size_t i = 0; i < t->nfields; i++) {
		int at = (int)(COMMON_COLUMNS + 1 + i);

		if (v[i].null)
			sqlite3_bind_null(q, at);
		else if (t->kinds[i] == MMT_TF_INT)
			sqlite3_bind_int64(q, at, v[i].i);
		else	/* a NULL pointer would bind NULL, not '' */
			sqlite3_bind_text(q, at, v[i].s ? v[i].s : "", (int)v[i].n,
					  SQLITE_STATIC);
	}
}

int64_t mmt_trace_event(struct mmt_trace_sink *s, struct mmt_trace_type *t,
			const struct mmt_trace_common *c, const struct mmt_trace_value *values)
{
	int64_t comm = comm_id(s, c->comm, c->comm_n);
	int64_t id = s->next_id;

	if (comm < 0)
		return -1;
	bind_common(t->insert, id, s->in->source_id, comm, s->instance_id, c);
	bind_values(t->insert, t, values);
	if (mmt_store_run(s->st, t->insert, s->err) < 0) {
		s->err->path = s->in->path;
		return -1;
	}
	if (!s->events || c->ts_ns < s->first_ns)
		s->first_ns = c->ts_ns;
	if (c->ts_ns > s->last_ns)
		s->last_ns = c->ts_ns;
	s->events++;
	s->next_id++;
	return id;
}

int mmt_trace_set_instance(struct mmt_trace_sink *s, const char *name)
{
	sqlite3_stmt *q;
	int64_t id;

	if (!name) {
		s->instance_id = 0;
		return 0;
	}
	if (mmt_strmap_get(&s->instances, name, strlen(name), &id)) {
		s->instance_id = id;
		return 0;
	}
	q = mmt_store_stmt(s->st, sql_insert_instance, s->err);
	if (!q)
		return -1;
	mmt_bind_int(q, 1, s->in->source_id);
	mmt_bind_text(q, 2, name);
	if (mmt_store_run(s->st, q, s->err) < 0)
		return -1;
	s->instance_id = mmt_store_last_id(s->st);
	mmt_strmap_put(&s->instances, name, strlen(name), s->instance_id);
	return 0;
}

int mmt_trace_stack(struct mmt_trace_sink *s, int64_t event_id, const struct mmt_stack *stk)
{
	char digest[65];
	int64_t stack_id;
	sqlite3_stmt *q;

	if (!stk->n)
		return 0;
	if (stk->dropped) {
		s->cut_stacks++;
		s->cut_frames += stk->dropped;
	}
	mmt_stack_digest(stk, digest);
	if (!mmt_strmap_get(&s->stacks, digest, 64, &stack_id)) {
		if (mmt_stack_store_digest(s->st, stk, digest, &stack_id, s->err) < 0)
			return -1;
		mmt_strmap_put(&s->stacks, digest, 64, stack_id);
	}
	q = mmt_store_stmt(s->st, sql_insert_stack, s->err);
	if (!q)
		return -1;
	mmt_bind_int(q, 1, event_id);
	mmt_bind_int(q, 2, stack_id);
	return mmt_store_run(s->st, q, s->err);
}

void mmt_trace_skip(struct mmt_trace_sink *s, const char *fmt, ...)
{
	va_list ap;

	if (s->skipped++ == 0) {
		va_start(ap, fmt);
		vsnprintf(s->first_skipped, sizeof(s->first_skipped), fmt, ap);
		va_end(ap);
	}
}

void mmt_trace_lost(struct mmt_trace_sink *s, uint64_t events)
{
	s->lost += events;
	s->lost_gaps++;
}

void mmt_trace_set_clock(struct mmt_trace_sink *s, const char *clock, int cpus)
{
	snprintf(s->clock, sizeof(s->clock), "%s", clock ? clock : "");
	s->cpus = cpus;
}

int64_t mmt_trace_events(const struct mmt_trace_sink *s)
{
	return s->events;
}

/* A type's view: ts on the common timeline, the task's name, every field. */
static int write_type_view(struct mmt_trace_sink *s, int64_t type_id, const char *tbl)
{
	sqlite3_stmt *q = mmt_store_stmt(s->st, sql_type_fields, s->err);
	sqlite3_stmt *v = q ? mmt_store_stmt(s->st, sql_view_of, s->err) : NULL;
	struct mmt_sb sql = { 0 };
	char *piece;
	int rc = -1;

	if (!v)
		return -1;
	mmt_bind_int(v, 1, type_id);
	if (mmt_store_step(s->st, v, s->err) <= 0)
		return -1;
	piece = sqlite3_mprintf("DROP VIEW IF EXISTS \"%w\"; CREATE VIEW \"%w\" AS SELECT "
				"e.id, e.common_ts_ns / 1e9 + ifnull(src.t_offset, 0) AS ts, "
				"e.common_ts_ns AS ts_ns, "
				"e.common_cpu, e.common_pid, c.comm AS common_comm, "
				"e.common_flags, e.common_preempt_count, "
				"i.name AS common_instance, e.common_source AS source",
				mmt_col_text(v, 0), mmt_col_text(v, 0));
	mmt_sb_adds(&sql, piece);
	sqlite3_free(piece);
	sqlite3_reset(v);
	mmt_bind_int(q, 1, type_id);
	while ((rc = mmt_store_step(s->st, q, s->err)) > 0) {
		piece = sqlite3_mprintf(", e.\"%w\"", mmt_col_text(q, 0));
		mmt_sb_adds(&sql, piece);
		sqlite3_free(piece);
	}
	if (rc == 0) {
		piece = sqlite3_mprintf(" FROM \"%w\" e JOIN sources src ON src.id = e.common_source "
					"LEFT JOIN trace_comms c ON c.id = e.common_comm_id "
					"LEFT JOIN trace_instances i ON i.id = e.common_instance_id",
					tbl);
		mmt_sb_adds(&sql, piece);
		sqlite3_free(piece);
		rc = exec_sql(s, mmt_sb_str(&sql));
	}
	mmt_sb_free(&sql);
	return rc;
}

struct type_row {
	int64_t id;
	char *tbl;
};

static void free_types(struct type_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].tbl);
	free(rows);
}

/* Every type (id, table), read before the views change the schema. */
static int all_types(struct mmt_trace_sink *s, struct type_row **out, size_t *n)
{
	sqlite3_stmt *q = mmt_store_prepare(s->st, sql_types, s->err);
	struct type_row *rows = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	while ((rc = mmt_store_step(s->st, q, s->err)) > 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		rows[*n].id = sqlite3_column_int64(q, 0);
		rows[(*n)++].tbl = xstrdup(mmt_col_text(q, 1));
	}
	sqlite3_finalize(q);
	if (rc < 0) {
		free_types(rows, *n);
		*n = 0;
		return -1;
	}
	*out = rows;
	return 0;
}

/*
 * SQLite refuses a compound SELECT of more than 500 terms: past this many
 * types, trace_events_all is a union of unions of this many tables each.
 */
#define UNION_TERMS 400u

/* What goes before the i-th of n type tables in trace_events_all. */
static const char *union_glue(size_t i, size_t n)
{
	if (n <= UNION_TERMS)
		return i ? " UNION ALL " : "";
	if (i == 0)
		return "SELECT * FROM (";
	return i % UNION_TERMS ? " UNION ALL " : " UNION ALL SELECT * FROM (";
}

/* Each type's view, and trace_events_all: the union of every type's table. */
static int write_views(struct mmt_trace_sink *s)
{
	size_t n;
	struct type_row *rows;
	struct mmt_sb all = { 0 };
	int rc = 0;

	if (all_types(s, &rows, &n) < 0)
		return -1;

	mmt_sb_adds(&all, "DROP VIEW IF EXISTS trace_events_all; "
		    "CREATE VIEW trace_events_all AS ");
	for (size_t i = 0; i < n; i++) {
		char *piece = sqlite3_mprintf(
			"%sSELECT id, common_source AS source, common_ts_ns AS ts_ns, "
			"common_cpu AS cpu, common_pid AS pid, common_comm_id AS comm_id, "
			"%lld AS type_id, common_instance_id AS instance_id FROM \"%w\"",
			union_glue(i, n), (long long)rows[i].id, rows[i].tbl);

		mmt_sb_adds(&all, piece);
		sqlite3_free(piece);
		if (n > UNION_TERMS && (i + 1 == n || (i + 1) % UNION_TERMS == 0))
			mmt_sb_addc(&all, ')');
		if (rc == 0 && write_type_view(s, rows[i].id, rows[i].tbl) < 0)
			rc = -1;
	}
	if (rc == 0 && n)
		rc = exec_sql(s, mmt_sb_str(&all));
	free_types(rows, n);
	mmt_sb_free(&all);
	return rc;
}

static int insert_source_row(struct mmt_trace_sink *s)
{
	sqlite3_stmt *q = mmt_store_stmt(s->st, sql_insert_source, s->err);

	if (!q)
		return -1;
	mmt_bind_int(q, 1, s->in->source_id);
	mmt_bind_text(q, 2, s->clock[0] ? s->clock : NULL);
	mmt_bind_int_opt(q, 3, s->cpus, s->cpus >= 0);
	mmt_bind_int(q, 4, s->events);
	mmt_bind_int_opt(q, 5, s->first_id, s->events > 0);
	mmt_bind_int_opt(q, 6, s->next_id - 1, s->events > 0);
	mmt_bind_int_opt(q, 7, (int64_t)s->first_ns, s->events > 0);
	mmt_bind_int_opt(q, 8, (int64_t)s->last_ns, s->events > 0);
	mmt_bind_int_opt(q, 9, (int64_t)s->lost, s->lost_gaps > 0);
	mmt_bind_int_opt(q, 10, s->lost_gaps, s->lost_gaps > 0);
	mmt_bind_int(q, 11, s->skipped);
	mmt_bind_text(q, 12, s->skipped ? s->first_skipped : NULL);
	return mmt_store_run(s->st, q, s->err);
}

static bool boot_based(const char *clock);

/*
 * Whether the trace's times count from boot as the printk clock does. Text
 * traces do not name their clock; their times are taken as counted from
 * boot when they are under 10^8 s (three years of uptime) and not all zero
 * (perf script without times): the counter and x86-tsc clocks, the only
 * others, give numbers far larger.
 */
static bool boot_based_times(const struct mmt_trace_sink *s)
{
	if (!s->clock[0])
		return s->last_ns > 0 && s->last_ns < UINT64_C(100000000) * 1000000000u;
	return boot_based(s->clock);
}

/* Clocks that count from boot as the printk clock does. */
static bool boot_based(const char *clock)
{
	static const char *const clocks[] = {
		"local", "global", "mono", "mono_raw", "boot", "perf", NULL,
	};

	for (size_t i = 0; clocks[i]; i++)
		if (!strcmp(clock, clocks[i]))
			return true;
	return false;
}

static void free_sink(struct mmt_trace_sink *s)
{
	for (size_t i = 0; i < s->ntypes; i++) {
		sqlite3_finalize(s->types[i]->insert);
		free(s->types[i]->kinds);
		free(s->types[i]);
	}
	free(s->types);
	mmt_strmap_free(&s->type_ids);
	mmt_strmap_free(&s->comms);
	mmt_strmap_free(&s->stacks);
	mmt_strmap_free(&s->instances);
	mmt_sb_free(&s->scratch);
	free(s);
}

int mmt_trace_close(struct mmt_trace_sink *s, bool ok)
{
	int rc = 0;

	if (ok) {
		if ((s->new_types && write_views(s) < 0) || insert_source_row(s) < 0)
			rc = -1;
		s->in->records = s->events;
		s->in->clock = boot_based_times(s) ? "monotonic" : NULL;
		if (s->skipped)
			mmt_input_warn(s->in, 0, "%lld records could not be read and were "
				       "skipped; the first: %s", (long long)s->skipped,
				       s->first_skipped);
		if (s->cut_stacks)
			mmt_input_warn(s->in, 0, "%lld stacks had more than %u frames "
				       "(MMT_STACK_MAX_FRAMES); the %llu frames past it were not "
				       "stored", (long long)s->cut_stacks, MMT_STACK_MAX_FRAMES,
				       (unsigned long long)s->cut_frames);
	}
	free_sink(s);
	return ok ? rc : -1;
}
