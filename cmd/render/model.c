/*
 * The report model: reading the diagnosis, findings, sources and reports
 * back from the store for the renderers.
 */
#include "cmd/render/render.h"
#include "core/gfp.h"
#include "core/utc.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char sql_sources[] =
	"SELECT id, path, kind, ifnull(format, ''), sha256, ifnull(kernel, ''), "
	"ifnull(clock, ''), records, size, "
	/* what read it when another program did (a vmcore's crash), what it lacks */
	"ifnull((SELECT t.reader FROM trees t WHERE t.id = sources.tree_id), ''), "
	"ifnull((SELECT group_concat(f.note, '; ') FROM tree_files f WHERE "
	"f.source_id = sources.id AND f.note != ''), '') FROM sources ORDER BY id";
static const char sql_findings[] =
	"SELECT id, analyzer, kind, severity, title, summary, t_start, t_end, "
	"(SELECT count(*) FROM finding_reports r WHERE r.finding_id = f.id), "
	"ifnull(confidence, -1) FROM findings f ORDER BY score DESC, id";
static const char sql_subjects[] =
	"SELECT type, pid, ifnull(name, '') FROM finding_subjects WHERE finding_id = ? "
	"ORDER BY rowid";
/* An event's CPU, by its id: each event table of the union answers by its key. */
static const char sql_evidence[] =
	"SELECT source_id, ifnull(line, 0), ifnull(event_id, 0), text, "
	"ifnull(kind, CASE WHEN line IS NOT NULL THEN 'log' ELSE 'event' END), ts, "
	"CASE WHEN event_id IS NOT NULL THEN "
	"(SELECT cpu FROM trace_events_all a WHERE a.id = event_id) END "
	"FROM finding_evidence WHERE finding_id = ? ORDER BY idx";
static const char sql_diagnosis[] =
	"SELECT hang_class, verdict, ifnull(confidence, -1) FROM diagnosis WHERE id = 1";
static const char sql_alternatives[] =
	"SELECT hang_class, reason, confidence FROM diagnosis_alternatives ORDER BY rank";
static const char sql_missing[] =
	"SELECT what, advice FROM diagnosis_missing ORDER BY rank";
static const char sql_verdict_findings[] =
	"SELECT finding_id FROM diagnosis_findings ORDER BY rank";
static const char sql_reports[] =
	"SELECT id, kind, title, t, pid, ifnull(comm, ''), cpu, ifnull(kernel, ''), "
	"culprit, wait_class, wait_site, gfp_mask, gfp_names, alloc_order, source_id, "
	"line_start, line_end, ifnull(state, ''), ifnull(detail, ''), blocked_secs, "
	"truncated, stack_id FROM reports ORDER BY source_id, line_start, id";
static const char sql_finding_reports[] =
	"SELECT id, kind, title, t, pid, ifnull(comm, ''), cpu, ifnull(kernel, ''), "
	"culprit, wait_class, wait_site, gfp_mask, gfp_names, alloc_order, source_id, "
	"line_start, line_end, ifnull(state, ''), ifnull(detail, ''), blocked_secs, "
	"truncated, stack_id FROM reports WHERE id IN "
	"(SELECT report_id FROM finding_reports WHERE finding_id = ?) "
	"ORDER BY source_id, line_start, id";
static const char sql_frames[] =
	"SELECT symbol, ifnull(module, ''), offset, reliable, ifnull(context, '') "
	"FROM frames WHERE stack_id = ? ORDER BY idx";

static char *dup_col(sqlite3_stmt *s, int i)
{
	return xstrdup(mmt_col_text(s, i));
}

static int load_sources(struct mmt_store *st, struct rm_model *m, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_prepare(st, sql_sources, err);
	size_t cap = 0;
	int rc;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		struct rm_source *src;

		xgrow((void **)&m->sources, &cap, m->nsources + 1, sizeof(*src));
		src = &m->sources[m->nsources++];
		src->id = sqlite3_column_int64(s, 0);
		src->path = dup_col(s, 1);
		src->kind = dup_col(s, 2);
		src->format = dup_col(s, 3);
		src->sha256 = dup_col(s, 4);
		src->kernel = dup_col(s, 5);
		src->clock = dup_col(s, 6);
		src->records = sqlite3_column_int64(s, 7);
		src->size = sqlite3_column_int64(s, 8);
		src->reader = dup_col(s, 9);
		src->note = dup_col(s, 10);
	}
	sqlite3_finalize(s);
	return rc;
}

const struct rm_source *rm_source_by_id(const struct rm_model *m, int64_t id)
{
	for (size_t i = 0; i < m->nsources; i++)
		if (m->sources[i].id == id)
			return &m->sources[i];
	return NULL;
}

static int load_subjects(struct mmt_store *st, struct rm_finding *f, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_subjects, err);
	size_t cap = 0;
	int rc;

	if (!s)
		return -1;
	mmt_bind_int(s, 1, f->id);
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		struct rm_subject *sub;

		xgrow((void **)&f->subjects, &cap, f->nsubjects + 1, sizeof(*sub));
		sub = &f->subjects[f->nsubjects++];
		sub->type = dup_col(s, 0);
		sub->has_pid = !mmt_col_null(s, 1);
		sub->pid = sqlite3_column_int64(s, 1);
		sub->name = dup_col(s, 2);
	}
	return rc;
}

static int load_evidence(struct mmt_store *st, const struct rm_model *m,
			 struct rm_finding *f, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_evidence, err);
	size_t cap = 0;
	int rc;

	if (!s)
		return -1;
	mmt_bind_int(s, 1, f->id);
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		struct rm_evidence *e;

		xgrow((void **)&f->evidence, &cap, f->nevidence + 1, sizeof(*e));
		e = &f->evidence[f->nevidence++];
		e->source = rm_source_by_id(m, sqlite3_column_int64(s, 0));
		e->line = sqlite3_column_int64(s, 1);
		e->event = sqlite3_column_int64(s, 2);
		e->text = dup_col(s, 3);
		e->kind = dup_col(s, 4);
		e->has_ts = !mmt_col_null(s, 5);
		e->ts = sqlite3_column_double(s, 5);
		e->has_cpu = !mmt_col_null(s, 6);
		e->cpu = sqlite3_column_int64(s, 6);
	}
	if (f->nevidence)
		f->source = f->evidence[0].source;
	return rc;
}

static int load_findings(struct mmt_store *st, struct rm_model *m, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_prepare(st, sql_findings, err);
	size_t cap = 0;
	int rc;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		struct rm_finding *f;

		xgrow((void **)&m->findings, &cap, m->nfindings + 1, sizeof(*f));
		f = &m->findings[m->nfindings++];
		memset(f, 0, sizeof(*f));
		f->id = sqlite3_column_int64(s, 0);
		f->analyzer = dup_col(s, 1);
		f->kind = dup_col(s, 2);
		f->severity = dup_col(s, 3);
		f->title = dup_col(s, 4);
		f->summary = dup_col(s, 5);
		f->has_t = !mmt_col_null(s, 6);
		f->t_start = sqlite3_column_double(s, 6);
		f->t_end = sqlite3_column_double(s, 7);
		f->reports = sqlite3_column_int64(s, 8);
		f->confidence = sqlite3_column_double(s, 9);
		if (load_subjects(st, f, err) < 0 || load_evidence(st, m, f, err) < 0) {
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc;
}

/* Other classes the findings point to, and the data that would settle it. */
static int load_alternatives(struct mmt_store *st, struct rm_model *m, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_prepare(st, sql_alternatives, err);
	size_t cap = 0;
	int rc;

	if (!s)
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		struct rm_alternative *a;

		xgrow((void **)&m->alternatives, &cap, m->nalternatives + 1, sizeof(*a));
		a = &m->alternatives[m->nalternatives++];
		a->hang_class = dup_col(s, 0);
		a->reason = dup_col(s, 1);
		a->confidence = sqlite3_column_double(s, 2);
	}
	sqlite3_finalize(s);
	cap = 0;
	if (rc < 0 || !(s = mmt_store_prepare(st, sql_missing, err)))
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		struct rm_missing *x;

		xgrow((void **)&m->missing, &cap, m->nmissing + 1, sizeof(*x));
		x = &m->missing[m->nmissing++];
		x->what = dup_col(s, 0);
		x->advice = dup_col(s, 1);
	}
	sqlite3_finalize(s);
	return rc;
}

static int load_diagnosis(struct mmt_store *st, struct rm_model *m, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_prepare(st, sql_diagnosis, err);
	size_t cap = 0;
	int rc;

	if (!s)
		return -1;
	rc = mmt_store_step(st, s, err);
	if (rc > 0) {
		m->hang_class = mmt_col_null(s, 0) ? NULL : dup_col(s, 0);
		m->verdict = dup_col(s, 1);
		m->confidence = sqlite3_column_double(s, 2);
	}
	sqlite3_finalize(s);
	if (rc < 0 || !(s = mmt_store_prepare(st, sql_verdict_findings, err)))
		return -1;
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		xgrow((void **)&m->verdict_findings, &cap, m->nverdict + 1, sizeof(int64_t));
		m->verdict_findings[m->nverdict++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return rc < 0 ? -1 : load_alternatives(st, m, err);
}

int rm_load(struct mmt_store *st, struct rm_model *m, struct mmt_err *err)
{
	memset(m, 0, sizeof(*m));
	m->confidence = -1;
	if (load_sources(st, m, err) < 0 || load_findings(st, m, err) < 0 ||
	    load_diagnosis(st, m, err) < 0)
		return -1;
	m->nreports = mmt_store_query_int(st, "SELECT count(*) FROM reports");
	return 0;
}

void rm_free(struct rm_model *m)
{
	for (size_t i = 0; i < m->nsources; i++) {
		struct rm_source *s = &m->sources[i];

		free(s->path), free(s->kind), free(s->format);
		free(s->sha256), free(s->kernel), free(s->clock);
		free(s->reader), free(s->note);
	}
	for (size_t i = 0; i < m->nfindings; i++) {
		struct rm_finding *f = &m->findings[i];

		for (size_t k = 0; k < f->nsubjects; k++)
			free(f->subjects[k].type), free(f->subjects[k].name);
		for (size_t k = 0; k < f->nevidence; k++)
			free(f->evidence[k].text), free(f->evidence[k].kind);
		free(f->subjects), free(f->evidence);
		free(f->analyzer), free(f->kind), free(f->severity);
		free(f->title), free(f->summary);
	}
	free(m->sources), free(m->findings), free(m->verdict_findings);
	for (size_t i = 0; i < m->nalternatives; i++)
		free(m->alternatives[i].hang_class), free(m->alternatives[i].reason);
	for (size_t i = 0; i < m->nmissing; i++)
		free(m->missing[i].what), free(m->missing[i].advice);
	free(m->alternatives), free(m->missing);
	free(m->hang_class), free(m->verdict);
	memset(m, 0, sizeof(*m));
}

static int load_frames(struct mmt_store *st, int64_t stack, struct rm_report *r,
		       size_t *cap, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_frames, err);
	int rc;

	if (!s)
		return -1;
	mmt_bind_int(s, 1, stack);
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		struct rm_frame *f;

		xgrow((void **)&r->frames, cap, r->nframes + 1, sizeof(*f));
		f = &r->frames[r->nframes++];
		f->symbol = dup_col(s, 0);
		f->module = dup_col(s, 1);
		f->has_offset = !mmt_col_null(s, 2);
		f->offset = sqlite3_column_int64(s, 2);
		f->reliable = sqlite3_column_int(s, 3) != 0;
		f->context = dup_col(s, 4);
	}
	return rc;
}

static void free_frames(struct rm_report *r)
{
	for (size_t i = 0; i < r->nframes; i++) {
		free(r->frames[i].symbol);
		free(r->frames[i].module);
		free(r->frames[i].context);
	}
	r->nframes = 0;
}

static const char *opt_text(sqlite3_stmt *s, int i)
{
	return mmt_col_null(s, i) ? NULL : mmt_col_text(s, i);
}

const char *rm_gfp_decode(const char *mask, const char *names, const char *kernel,
			  char *flags, size_t n)
{
	struct mmt_gfp_decoded d;
	uint64_t bits;

	flags[0] = '\0';
	if (!mask)
		return NULL;
	bits = strtoull(mask, NULL, 16);
	if (names)
		mmt_gfp_from_names(bits, names, &d);
	else
		mmt_gfp_decode(bits, kernel && kernel[0] ? kernel : NULL, &d);
	if (!d.known)
		return NULL;
	snprintf(flags, n, "%s", names ? names : d.flags);
	return mmt_gfp_context_name(d.context);
}

static void fill_report(sqlite3_stmt *s, const struct rm_model *m, struct rm_report *r)
{
	r->id = sqlite3_column_int64(s, 0);
	r->kind = mmt_col_text(s, 1);
	r->title = mmt_col_text(s, 2);
	r->has_t = !mmt_col_null(s, 3);
	r->t = sqlite3_column_double(s, 3);
	r->has_pid = !mmt_col_null(s, 4);
	r->pid = sqlite3_column_int64(s, 4);
	r->comm = mmt_col_text(s, 5);
	r->has_cpu = !mmt_col_null(s, 6);
	r->cpu = sqlite3_column_int64(s, 6);
	r->kernel = mmt_col_text(s, 7);
	r->culprit = opt_text(s, 8);
	r->wait_class = opt_text(s, 9);
	r->wait_site = opt_text(s, 10);
	r->gfp_mask = opt_text(s, 11);
	r->gfp_names = opt_text(s, 12);
	r->has_order = !mmt_col_null(s, 13);
	r->order = sqlite3_column_int64(s, 13);
	r->source = rm_source_by_id(m, sqlite3_column_int64(s, 14));
	r->line = sqlite3_column_int64(s, 15);
	r->line_end = sqlite3_column_int64(s, 16);
	r->state = mmt_col_text(s, 17);
	r->detail = mmt_col_text(s, 18);
	r->has_secs = !mmt_col_null(s, 19);
	r->blocked_secs = sqlite3_column_int64(s, 19);
	r->truncated = sqlite3_column_int(s, 20) != 0;
	r->gfp_context = rm_gfp_decode(r->gfp_mask, r->gfp_names, r->kernel, r->gfp_flags,
				       sizeof(r->gfp_flags));
}

static int each_report(struct mmt_store *st, const struct rm_model *m, sqlite3_stmt *s,
		       size_t limit, bool with_frames, rm_report_fn fn, void *ctx,
		       struct mmt_err *err)
{
	struct rm_report r = { 0 };
	size_t n = 0, cap = 0;
	int rc;

	while ((rc = mmt_store_step(st, s, err)) > 0) {
		fill_report(s, m, &r);
		if (with_frames && !mmt_col_null(s, 21) &&
		    load_frames(st, sqlite3_column_int64(s, 21), &r, &cap, err) < 0) {
			rc = -1;
			break;
		}
		rc = fn(ctx, &r);
		free_frames(&r);
		if (rc || (limit && ++n >= limit))
			break;
	}
	free(r.frames);
	sqlite3_finalize(s);
	return rc < 0 ? -1 : 0;
}

int rm_each_report(struct mmt_store *st, const struct rm_model *m, size_t limit,
		   bool with_frames, rm_report_fn fn, void *ctx, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_prepare(st, sql_reports, err);

	return s ? each_report(st, m, s, limit, with_frames, fn, ctx, err) : -1;
}

int rm_finding_reports(struct mmt_store *st, const struct rm_model *m, int64_t finding,
		       size_t limit, rm_report_fn fn, void *ctx, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_prepare(st, sql_finding_reports, err);

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, finding);
	return each_report(st, m, s, limit, true, fn, ctx, err);
}

void rm_time(const struct rm_source *src, double t, bool has_t, char *out, size_t n)
{
	struct tm tm;

	if (!has_t) {
		snprintf(out, n, "%s", "");
		return;
	}
	/* Times of findings are on the common timeline: Unix seconds once aligned. */
	if (((!src || strcmp(src->clock, "wall") != 0) && t < 1e8) || !mmt_utc(t, &tm)) {
		snprintf(out, n, "%.3f s", t);
		return;
	}
	/* Syslog dates carry no year; the parser stored them in year 2000. */
	strftime(out, n, src && !strcmp(src->format, "syslog") ? "%b %d %H:%M:%S"
							: "%Y-%m-%d %H:%M:%S", &tm);
}

const char *rm_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}
