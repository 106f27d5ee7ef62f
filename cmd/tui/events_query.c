/* The rows of the Events view, a page at a time (see events_query.h). */
#include "cmd/tui/events_query.h"
#include "cmd/event_fields.h"
#include "cmd/tui/events_filter.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char sql_types[] =
	"SELECT id, system, name, tbl, view FROM trace_types ORDER BY id";
static const char sql_sources[] =
	"SELECT t.source_id, t.first_id, t.last_id, t.events, ifnull(s.t_offset, 0), s.kernel "
	"FROM trace_sources t JOIN sources s ON s.id = t.source_id "
	"WHERE t.events > 0 AND t.first_id IS NOT NULL ORDER BY t.source_id";
static const char sql_fields[] =
	"SELECT name FROM trace_fields WHERE type_id = ? ORDER BY idx";
/* ?1, ?2: ids (exclusive) bounding one trace's range or a window of it; ?3 rows. */
static const char sql_page[] =
	"SELECT id, ts_ns, source, common_cpu, common_pid, common_comm, mmt_type "
	"FROM (%s) WHERE id > ?1 AND id < ?2 AND (%s) AND (%s) ORDER BY id %s LIMIT ?3";
/* The first event at or after id ?1, up to ?2, whatever the filter. */
static const char sql_probe[] =
	"SELECT id, ts_ns FROM (%s) WHERE id >= ?1 AND id <= ?2 ORDER BY id LIMIT 1";
static const char sql_search[] =
	"common_comm LIKE ?9 ESCAPE '\\' OR mmt_name LIKE ?9 ESCAPE '\\' OR "
	"mmt_text LIKE ?9 ESCAPE '\\'";

/* A query other than a search that runs this long may be stopped. */
#define SLOW_NS 1000000000LL

/* A scan for rare rows goes through windows of ids this wide, then 4 times wider. */
#define FIRST_WINDOW 4096

struct evq_source {
	int64_t id, first, last;
	double offset;			/* the trace's t_offset */
	char *kernel;
};

struct evq {
	struct mmt_store *st;
	struct evq_type *types;
	int ntypes;
	struct evq_source *srcs;
	int nsrcs;
	int64_t total;
	struct mmt_evfields fields;
	struct evf_filter f;
	char **ffields;			/* the fields of the type the filter chose alone */
	int nffields;
	char *search;			/* the LIKE pattern, NULL for none */
	sqlite3_stmt *page[2][2];	/* [descending][searching] */
	sqlite3_stmt *probe;
	bool (*progress)(void *ctx);
	void *progress_ctx;
	bool searching;			/* the query running is a search */
	struct timespec began;		/* when it began */
};

static void free_types(struct evq *q)
{
	for (int i = 0; i < q->ntypes; i++) {
		free(q->types[i].system);
		free(q->types[i].name);
		free(q->types[i].tbl);
		free(q->types[i].view);
	}
	free(q->types);
	q->types = NULL;
	q->ntypes = 0;
	for (int i = 0; i < q->nsrcs; i++)
		free(q->srcs[i].kernel);
	free(q->srcs);
	q->srcs = NULL;
	q->nsrcs = 0;
}

static void drop_statements(struct evq *q)
{
	for (int d = 0; d < 2; d++)
		for (int s = 0; s < 2; s++) {
			sqlite3_finalize(q->page[d][s]);
			q->page[d][s] = NULL;
		}
	sqlite3_finalize(q->probe);
	q->probe = NULL;
}

static void free_names(char **names, int n);

static void clear_filter(struct evq *q)
{
	evf_free(&q->f);
	free_names(q->ffields, q->nffields);
	q->ffields = NULL;
	q->nffields = 0;
}

static int load_types(struct evq *q, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_prepare(q->st, sql_types, err);
	int rc, cap = 0;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(q->st, s, err)) > 0) {
		struct evq_type *t;

		if (q->ntypes == cap) {
			cap = cap ? cap * 2 : 64;
			q->types = xrealloc(q->types, (size_t)cap * sizeof(*q->types));
		}
		t = &q->types[q->ntypes++];
		t->id = sqlite3_column_int64(s, 0);
		t->system = xstrdup(mmt_col_text(s, 1));
		t->name = xstrdup(mmt_col_text(s, 2));
		t->tbl = xstrdup(mmt_col_text(s, 3));
		t->view = xstrdup(mmt_col_text(s, 4));
	}
	sqlite3_finalize(s);
	return rc;
}

static int load_sources(struct evq *q, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_prepare(q->st, sql_sources, err);
	int rc;

	if (!s)
		return -1;
	q->total = 0;
	while ((rc = mmt_store_step(q->st, s, err)) > 0) {
		struct evq_source *src;

		q->srcs = xrealloc(q->srcs, (size_t)(q->nsrcs + 1) * sizeof(*q->srcs));
		src = &q->srcs[q->nsrcs++];
		src->id = sqlite3_column_int64(s, 0);
		src->first = sqlite3_column_int64(s, 1);
		src->last = sqlite3_column_int64(s, 2);
		q->total += sqlite3_column_int64(s, 3);
		src->offset = sqlite3_column_double(s, 4);
		src->kernel = mmt_col_null(s, 5) ? NULL : xstrdup(mmt_col_text(s, 5));
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * The types and the traces from one snapshot: a trace that a concurrent
 * ingest commits between the two reads would be counted without its types.
 */
int evq_reload(struct evq *q, struct mmt_err *err)
{
	int rc;

	drop_statements(q);
	free_types(q);
	clear_filter(q);
	mmt_evfields_free(&q->fields);
	mmt_evfields_init(&q->fields, q->st);
	if (mmt_store_begin_read(q->st, err) < 0)
		return -1;
	rc = load_types(q, err) < 0 || load_sources(q, err) < 0 ? -1 : 0;
	mmt_store_rollback(q->st);
	return rc;
}

struct evq *evq_open(const char *path, struct mmt_err *err)
{
	struct evq *q = xcalloc(1, sizeof(*q));

	q->f.single = -1;
	if (mmt_store_open(&q->st, path, MMT_STORE_READONLY, err) < 0 || evq_reload(q, err) < 0) {
		evq_close(q);
		return NULL;
	}
	return q;
}

void evq_close(struct evq *q)
{
	if (!q)
		return;
	drop_statements(q);
	free_types(q);
	clear_filter(q);
	free(q->search);
	mmt_evfields_free(&q->fields);
	mmt_store_close(q->st);
	free(q);
}

const struct evq_type *evq_types(const struct evq *q, int *n)
{
	*n = q->ntypes;
	return q->types;
}

int64_t evq_total(const struct evq *q, int *traces)
{
	*traces = q->nsrcs;
	return q->total;
}

void evq_on_progress(struct evq *q, bool (*fn)(void *ctx), void *ctx)
{
	q->progress = fn;
	q->progress_ctx = ctx;
}

void evq_row_free(struct evq_row *row)
{
	free(row->comm);
	free(row->fields);
	memset(row, 0, sizeof(*row));
}

static const char *const events_names[] = {
	"cpu", "pid", "comm", "system", "name", "stack_id", "instance",
};
static const char *const base_names[] = {
	"id", "ts", "ts_ns", "source", "common_cpu", "common_pid", "common_comm",
};
static const char *const single_names[] = {
	"common_flags", "common_preempt_count", "common_instance",
};
#define NBASE (sizeof(base_names) / sizeof(base_names[0]))
#define NEVENTS (sizeof(events_names) / sizeof(events_names[0]))
#define NSINGLE (sizeof(single_names) / sizeof(single_names[0]))

static bool has_name(char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

/* The SQL of the events view's column k for a row e of type t. */
static char *events_value(const struct evq_type *t, size_t k)
{
	switch (k) {
	case 0: return sqlite3_mprintf("e.common_cpu");
	case 1: return sqlite3_mprintf("e.common_pid");
	case 2: return sqlite3_mprintf("c.comm");
	case 3: return sqlite3_mprintf("%Q", t->system);
	case 4: return sqlite3_mprintf("%Q", t->name);
	case 5: return sqlite3_mprintf("(SELECT stack_id FROM event_stacks WHERE event_id = e.id)");
	default: return sqlite3_mprintf("(SELECT name FROM trace_instances "
					"WHERE id = e.common_instance_id)");
	}
}

/* The columns of the type's view past the common ones: its own fields. */
static void single_columns(char *const *fields, int nfields, struct mmt_sb *sql)
{
	mmt_sb_adds(sql, ", e.common_flags AS common_flags, "
		    "e.common_preempt_count AS common_preempt_count, (SELECT name FROM "
		    "trace_instances WHERE id = e.common_instance_id) AS common_instance");
	for (int i = 0; i < nfields; i++) {
		char *c = sqlite3_mprintf(", e.\"%w\" AS \"%w\"", fields[i], fields[i]);

		mmt_sb_adds(sql, c);
		sqlite3_free(c);
	}
}

/*
 * One type's rows under the names of the events view, plus what the page
 * reads (mmt_type, mmt_name, mmt_text: the fields as shown) and, when the
 * filter chose this type alone, the columns of its own view: its fields
 * win over the events view's names (ipi_send_cpu's cpu is the target).
 */
static int add_arm(struct evq *q, int ti, char *const *fields, int nfields, bool single,
		   struct mmt_sb *sql, struct mmt_err *err)
{
	const struct evq_type *t = &q->types[ti];
	char *s = sqlite3_mprintf(
		"SELECT e.id AS id, e.common_ts_ns AS ts_ns, e.common_source AS source, "
		"e.common_cpu AS common_cpu, e.common_pid AS common_pid, c.comm AS common_comm, "
		"e.common_ts_ns / 1e9 + ifnull(src.t_offset, 0) AS ts, %d AS mmt_type, "
		"%Q AS mmt_name, ", ti, t->name);

	mmt_sb_adds(sql, s);
	sqlite3_free(s);
	if (mmt_evfields_sql(&q->fields, t->tbl, "e", "src.kernel", sql, err) < 0)
		return -1;
	mmt_sb_adds(sql, " AS mmt_text");
	for (size_t k = 0; k < NEVENTS; k++) {
		if (single && has_name(fields, nfields, events_names[k]))
			continue;
		s = events_value(t, k);
		mmt_sb_addf(sql, ", %s AS %s", s, events_names[k]);
		sqlite3_free(s);
	}
	if (single)
		single_columns(fields, nfields, sql);
	s = sqlite3_mprintf(" FROM \"%w\" e JOIN sources src ON src.id = e.common_source "
			    "LEFT JOIN trace_comms c ON c.id = e.common_comm_id", t->tbl);
	mmt_sb_adds(sql, s);
	sqlite3_free(s);
	return 0;
}

/* The columns an expression may name, in fields' presence. */
static int column_names(char *const *fields, int nfields, bool single, const char **cols)
{
	int n = 0;

	for (size_t i = 0; i < NBASE; i++)
		cols[n++] = base_names[i];
	for (size_t i = 0; i < NEVENTS; i++)
		if (!single || !has_name(fields, nfields, events_names[i]))
			cols[n++] = events_names[i];
	if (single) {
		for (size_t i = 0; i < NSINGLE; i++)
			cols[n++] = single_names[i];
		for (int i = 0; i < nfields; i++)
			cols[n++] = fields[i];
	}
	return n;
}

static char **load_fields(struct evq *q, int ti, int *n)
{
	sqlite3_stmt *s = mmt_store_prepare(q->st, sql_fields, NULL);
	char **names = NULL;

	*n = 0;
	if (!s)
		return NULL;
	mmt_bind_int(s, 1, q->types[ti].id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		names = xrealloc(names, (size_t)(*n + 1) * sizeof(*names));
		names[(*n)++] = xstrdup(mmt_col_text(s, 0));
	}
	sqlite3_finalize(s);
	return names;
}

static void free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A statement of ours with a user's expression in it: one, and reading only. */
static sqlite3_stmt *prepare_checked(struct evq *q, const char *sql, struct mmt_err *err)
{
	sqlite3 *db = mmt_store_handle(q->st);
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &s, &tail) != SQLITE_OK) {
		mmt_err_set(err, "Filter: %s", sqlite3_errmsg(db));
		return NULL;
	}
	while (tail && (*tail == ' ' || *tail == '\n'))
		tail++;
	if ((tail && *tail) || !sqlite3_stmt_readonly(s)) {
		sqlite3_finalize(s);
		mmt_err_set(err, "Filter: not one expression");
		return NULL;
	}
	return s;
}

static void bind_filter(sqlite3_stmt *s, const struct evf_filter *f, const char *search)
{
	for (int i = 0; i < f->nparams; i++) {
		if (f->params[i].text)
			mmt_bind_text(s, EVF_FIRST_PARAM + i, f->params[i].str);
		else
			mmt_bind_int(s, EVF_FIRST_PARAM + i, f->params[i].num);
	}
	if (search)
		mmt_bind_text(s, 9, search);
}

/* The page statement of filter f, rows in order dir, searching or not. */
static sqlite3_stmt *build_page(struct evq *q, const struct evf_filter *f, char *const *fields,
				int nfields, int dir, bool search, struct mmt_err *err)
{
	struct mmt_sb arms = MMT_SB_INIT;
	sqlite3_stmt *s = NULL;
	char *sql;
	bool first = true;

	for (int i = 0; i < q->ntypes; i++) {
		if (f->on && !f->on[i])
			continue;
		if (!first)
			mmt_sb_adds(&arms, " UNION ALL ");
		first = false;
		if (add_arm(q, i, fields, nfields, f->single >= 0, &arms, err) < 0)
			goto out;
	}
	sql = sqlite3_mprintf(sql_page, mmt_sb_str(&arms), f->where ? f->where : "1",
			      search ? sql_search : "1", dir < 0 ? "DESC" : "");
	s = prepare_checked(q, sql, err);
	sqlite3_free(sql);
	if (s)
		bind_filter(s, f, search ? q->search : NULL);
out:
	mmt_sb_free(&arms);
	return s;
}

int evq_set_filter(struct evq *q, const char *text, struct mmt_err *err)
{
	struct evf_filter f = { .single = -1 };
	const char **cols;
	const char *rest;
	char **fields = NULL;
	int nfields = 0, ncols;
	sqlite3_stmt *s = NULL;

	if (evf_types(text, q->types, q->ntypes, &f, &rest, err) < 0)
		goto fail;
	if (f.single >= 0)
		fields = load_fields(q, f.single, &nfields);
	cols = xcalloc(NBASE + NEVENTS + NSINGLE + (size_t)nfields, sizeof(*cols));
	ncols = column_names(fields, nfields, f.single >= 0, cols);
	if (evf_condition(rest, cols, ncols, (const char *const *)fields, nfields, &f, err) < 0) {
		free(cols);
		goto fail;
	}
	free(cols);
	/* Compiled now, so that a filter that does not compile leaves the old one. */
	if (q->ntypes && !(s = build_page(q, &f, fields, nfields, 1, false, err)))
		goto fail;
	drop_statements(q);
	clear_filter(q);
	q->f = f;
	q->ffields = fields;
	q->nffields = nfields;
	q->page[0][0] = s;
	return 0;
fail:
	evf_free(&f);
	free_names(fields, nfields);
	return -1;
}

void evq_set_search(struct evq *q, const char *text)
{
	struct mmt_sb p = MMT_SB_INIT;

	free(q->search);
	q->search = NULL;
	for (int d = 0; d < 2; d++) {
		sqlite3_finalize(q->page[d][1]);
		q->page[d][1] = NULL;
	}
	if (!text || !*text)
		return;
	/* LIKE: any case, anywhere; the pattern's own % and _ taken as they are. */
	mmt_sb_addc(&p, '%');
	for (const char *c = text; *c; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			mmt_sb_addc(&p, '\\');
		mmt_sb_addc(&p, *c);
	}
	mmt_sb_addc(&p, '%');
	q->search = mmt_sb_detach(&p);
}

static sqlite3_stmt *page_stmt(struct evq *q, int dir, bool search, struct mmt_err *err)
{
	sqlite3_stmt **s = &q->page[dir < 0][search];

	if (!*s)
		*s = build_page(q, &q->f, q->ffields, q->nffields, dir, search, err);
	return *s;
}

/* The first event of the trace at or after an id, whatever the filter. */
static int probe(struct evq *q, const struct evq_source *src, int64_t from, struct evq_key *k,
		 struct mmt_err *err)
{
	int rc;

	if (!q->probe) {
		struct mmt_sb arms = MMT_SB_INIT;
		char *sql;

		for (int i = 0; i < q->ntypes; i++) {
			char *arm = sqlite3_mprintf("%sSELECT id, common_ts_ns AS ts_ns FROM \"%w\"",
						    i ? " UNION ALL " : "", q->types[i].tbl);

			mmt_sb_adds(&arms, arm);
			sqlite3_free(arm);
		}
		sql = sqlite3_mprintf(sql_probe, mmt_sb_str(&arms));
		q->probe = mmt_store_prepare(q->st, sql, err);
		sqlite3_free(sql);
		mmt_sb_free(&arms);
		if (!q->probe)
			return -1;
	}
	sqlite3_reset(q->probe);
	mmt_bind_int(q->probe, 1, from);
	mmt_bind_int(q->probe, 2, src->last);
	rc = mmt_store_step(q->st, q->probe, err);
	if (rc > 0) {
		k->id = sqlite3_column_int64(q->probe, 0);
		k->ts = (double)sqlite3_column_int64(q->probe, 1) / 1e9 + src->offset;
		k->source = src->id;
	}
	sqlite3_reset(q->probe);
	return rc;
}

static int key_cmp(const struct evq_key *a, const struct evq_key *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * The first id of the trace whose event comes after key: ids grow with
 * time within a trace, so it is found by bisecting the trace's ids.
 */
static int64_t first_after(struct evq *q, const struct evq_source *src, const struct evq_key *key,
			   struct mmt_err *err)
{
	int64_t lo = src->first, hi = src->last + 1;

	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		struct evq_key k;
		int rc = probe(q, src, mid, &k, err);

		if (rc < 0)
			return -1;
		if (rc == 0 || key_cmp(&k, key) > 0)
			hi = mid;
		else
			lo = k.id + 1;
	}
	return lo;
}

/* The ids (exclusive) of the trace's rows after (dir > 0) or before key. */
static int bounds(struct evq *q, const struct evq_source *src, const struct evq_key *key,
		  bool inclusive, int dir, int64_t *lo, int64_t *hi, struct mmt_err *err)
{
	int64_t p;

	*lo = src->first - 1;
	*hi = src->last + 1;
	if (!key)
		return 0;
	if (key->source == src->id)
		p = key->id + (dir > 0 ? !inclusive : inclusive);
	else if ((p = first_after(q, src, key, err)) < 0)
		return -1;
	if (dir > 0)
		*lo = p - 1 > *lo ? p - 1 : *lo;
	else
		*hi = p < *hi ? p : *hi;
	return 0;
}

static void read_row(sqlite3_stmt *s, const struct evq_source *src, struct evq_row *r)
{
	memset(r, 0, sizeof(*r));
	r->key.id = sqlite3_column_int64(s, 0);
	r->key.ts = (double)sqlite3_column_int64(s, 1) / 1e9 + src->offset;
	r->key.source = src->id;
	r->cpu = mmt_col_null(s, 3) ? -1 : sqlite3_column_int64(s, 3);
	r->pid = mmt_col_null(s, 4) ? -1 : sqlite3_column_int64(s, 4);
	r->comm = mmt_col_null(s, 5) ? NULL : xstrdup(mmt_col_text(s, 5));
	r->type = sqlite3_column_int(s, 6);
}

/*
 * A search may be stopped at once; other queries (keys that move, which
 * the user may type ahead) only once they have run for SLOW_NS.
 */
static int progress(void *ctx)
{
	struct evq *q = ctx;
	struct timespec now;

	if (!q->searching) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - q->began.tv_sec) * 1000000000LL +
		    (now.tv_nsec - q->began.tv_nsec) < SLOW_NS)
			return 0;
	}
	return q->progress(q->progress_ctx) ? 1 : 0;
}

/*
 * Rows of one trace between ids lo and hi (exclusive), nearest to the
 * start (dir > 0) or the end first. A filter or search that keeps few rows
 * would make every table's scan run to its first row kept, however far:
 * the ids are read in windows that grow, so the work follows the distance
 * to the rows found.
 */
static int fetch_range(struct evq *q, const struct evq_source *src, int64_t lo, int64_t hi,
		       int dir, bool search, int n, struct evq_row *out, struct mmt_err *err)
{
	sqlite3_stmt *s = page_stmt(q, dir, search, err);
	bool windows = q->f.where || search;
	int64_t w = FIRST_WINDOW;
	int got = 0, rc = 0;

	if (!s)
		return -1;
	while (got < n && hi - lo > 1 && rc >= 0) {
		int64_t a = lo, b = hi;

		if (windows && dir > 0 && hi - lo > w + 1)
			b = lo + w + 1;
		else if (windows && dir < 0 && hi - lo > w + 1)
			a = hi - w - 1;
		w *= 4;
		sqlite3_reset(s);
		mmt_bind_int(s, 1, a);
		mmt_bind_int(s, 2, b);
		mmt_bind_int(s, 3, n - got);
		while (got < n && (rc = mmt_store_step(q->st, s, err)) > 0)
			read_row(s, src, &out[got++]);
		if (dir > 0)
			lo = b - 1;
		else
			hi = a + 1;
	}
	sqlite3_reset(s);
	if (rc < 0 && sqlite3_errcode(mmt_store_handle(q->st)) == SQLITE_INTERRUPT)
		mmt_err_set(err, "stopped");
	if (rc < 0)
		while (got)
			evq_row_free(&out[--got]);
	return rc < 0 ? -1 : got;
}

static int fetch_one(struct evq *q, const struct evq_source *src, const struct evq_key *key,
		     bool inclusive, int dir, bool search, int n, struct evq_row *out,
		     struct mmt_err *err)
{
	int64_t lo, hi;

	if (bounds(q, src, key, inclusive, dir, &lo, &hi, err) < 0)
		return -1;
	return fetch_range(q, src, lo, hi, dir, search, n, out, err);
}

/* The traces' rows, each in order, merged by time into out. */
static int merge(struct evq_row *rows, const int *count, int nsrcs, int n, int dir,
		 struct evq_row *out)
{
	int *at = xcalloc((size_t)nsrcs, sizeof(*at)), got = 0;

	while (got < n) {
		int best = -1;

		for (int s = 0; s < nsrcs; s++) {
			if (at[s] == count[s])
				continue;
			if (best < 0 || key_cmp(&rows[s * n + at[s]].key,
						&rows[best * n + at[best]].key) * dir < 0)
				best = s;
		}
		if (best < 0)
			break;
		out[got++] = rows[best * n + at[best]++];
	}
	for (int s = 0; s < nsrcs; s++)
		while (at[s] < count[s])
			evq_row_free(&rows[s * n + at[s]++]);
	free(at);
	return got;
}

int evq_fetch(struct evq *q, const struct evq_key *key, bool inclusive, int dir, bool search,
	      int n, struct evq_row *out, struct mmt_err *err)
{
	struct evq_row *rows;
	int *count, got = 0;

	if (!q->ntypes || !q->nsrcs || n <= 0 || (search && !q->search))
		return 0;
	if (q->progress) {
		q->searching = search;
		clock_gettime(CLOCK_MONOTONIC, &q->began);
		sqlite3_progress_handler(mmt_store_handle(q->st), 20000, progress, q);
	}
	if (q->nsrcs == 1) {
		got = fetch_one(q, &q->srcs[0], key, inclusive, dir, search, n, out, err);
		goto out;
	}
	rows = xcalloc((size_t)q->nsrcs * (size_t)n, sizeof(*rows));
	count = xcalloc((size_t)q->nsrcs, sizeof(*count));
	for (int s = 0; s < q->nsrcs && got == 0; s++) {
		count[s] = fetch_one(q, &q->srcs[s], key, inclusive, dir, search, n, rows + (size_t)s * (size_t)n,
				     err);
		if (count[s] < 0)
			count[s] = got = -1;
	}
	if (got == 0)
		got = merge(rows, count, q->nsrcs, n, dir, out);
	else
		merge(rows, count, q->nsrcs, 0, dir, out);
	free(rows);
	free(count);
out:
	sqlite3_progress_handler(mmt_store_handle(q->st), 0, NULL, NULL);
	return got;
}

bool evq_find(struct evq *q, int64_t id, struct evq_key *key)
{
	for (int s = 0; s < q->nsrcs; s++) {
		if (id < q->srcs[s].first || id > q->srcs[s].last)
			continue;
		return probe(q, &q->srcs[s], id, key, NULL) > 0 && key->id == id;
	}
	return false;
}

const char *evq_fields(struct evq *q, struct evq_row *row)
{
	struct mmt_sb sb = MMT_SB_INIT;
	struct mmt_err err = { 0 };
	const char *kernel = NULL;

	if (row->fields)
		return row->fields;
	for (int s = 0; s < q->nsrcs; s++)
		if (q->srcs[s].id == row->key.source)
			kernel = q->srcs[s].kernel;
	if (row->type < 0 || row->type >= q->ntypes ||
	    mmt_evfields_add(&q->fields, q->types[row->type].tbl, row->key.id, kernel, &sb,
			     &err) < 0) {
		mmt_sb_reset(&sb);
		mmt_sb_addf(&sb, " (%s)", err.msg[0] ? err.msg : "unknown type");
	}
	row->fields = xstrdup(mmt_sb_str(&sb));
	mmt_sb_free(&sb);
	return row->fields;
}
