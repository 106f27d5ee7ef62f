/*
 * Writing findings: the finding itself, who it is about, the input lines
 * it rests on, and the reports it groups. Also loading stacks for the
 * analyzers and naming culprits the way report titles do.
 */
#include "analyzers/analyzer.h"
#include "core/stack.h"
#include "core/utc.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char sql_finding[] =
	"INSERT INTO findings (analyzer, kind, severity, title, summary, t_start, t_end, score, "
	"confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_subject[] =
	"INSERT INTO finding_subjects (finding_id, type, pid, name) SELECT ?1, ?2, ?3, ?4 "
	"WHERE NOT EXISTS (SELECT 1 FROM finding_subjects WHERE finding_id = ?1 "
	"AND type = ?2 AND pid IS ?3 AND name IS ?4)";
static const char sql_evidence[] =
	"INSERT INTO finding_evidence (finding_id, idx, source_id, line, report_id, text, kind, ts) "
	"SELECT ?, ?, ?, ?, ?, l.text, 'log', l.t + ifnull(s.t_offset, 0) "
	"FROM log_lines l JOIN sources s ON s.id = l.source_id "
	"WHERE l.report_id = ? AND l.source_id = ? AND l.line = ? LIMIT 1";
static const char sql_other_evidence[] =
	"INSERT INTO finding_evidence (finding_id, idx, source_id, line, event_id, text, kind, ts) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
/*
 * A frame's reliable line before the others: the unwinder prints stale
 * return addresses as "? sym+off/size", often before the reliable frame of
 * the same function, and held-lock lines name functions after "at: ". With
 * a needle of " sym" those read "? sym" and ": sym".
 */
static const char sql_frame_line[] =
	"SELECT source_id, line FROM log_lines WHERE report_id = ?1 AND line >= ?2 "
	"AND instr(text, ?3) > 0 "
	"ORDER BY instr(text, '?' || ?3) > 0 OR instr(text, ':' || ?3) > 0, id LIMIT 1";
static const char sql_finding_report[] =
	"INSERT INTO finding_reports (finding_id, report_id) VALUES (?, ?)";
static const char sql_frames[] =
	"SELECT symbol, reliable, context, ifnull(src, '') FROM frames WHERE stack_id = ? "
	"ORDER BY idx";

void mmt_finding_init(struct mmt_finding *f, const char *analyzer, const char *kind,
		      const char *severity)
{
	memset(f, 0, sizeof(*f));
	f->analyzer = analyzer;
	f->kind = kind;
	f->severity = severity;
	f->confidence = -1;
}

void mmt_finding_time(struct mmt_finding *f, double t)
{
	if (!f->has_t || t < f->t_start)
		f->t_start = t;
	if (!f->has_t || t > f->t_end)
		f->t_end = t;
	f->has_t = true;
}

void mmt_finding_free(struct mmt_finding *f)
{
	mmt_sb_free(&f->summary);
}

int64_t mmt_finding_add(struct mmt_store *st, const struct mmt_finding *f,
			struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_finding, err);

	if (!s)
		return -1;
	mmt_bind_text(s, 1, f->analyzer);
	mmt_bind_text(s, 2, f->kind);
	mmt_bind_text(s, 3, f->severity);
	mmt_bind_text(s, 4, f->title);
	mmt_bind_text(s, 5, mmt_sb_str(&f->summary));
	mmt_bind_double_opt(s, 6, f->t_start, f->has_t);
	mmt_bind_double_opt(s, 7, f->t_end, f->has_t);
	mmt_bind_int(s, 8, f->score);
	if (f->confidence >= 0)
		sqlite3_bind_double(s, 9, f->confidence > 1 ? 1 : f->confidence);
	else
		sqlite3_bind_null(s, 9);
	if (mmt_store_run(st, s, err) < 0)
		return -1;
	return mmt_store_last_id(st);
}

int mmt_finding_subject(struct mmt_store *st, int64_t finding, const char *type,
			int64_t pid, bool has_pid, const char *name, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_subject, err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, finding);
	mmt_bind_text(s, 2, type);
	mmt_bind_int_opt(s, 3, pid, has_pid);
	mmt_bind_text(s, 4, name && name[0] ? name : NULL);
	return mmt_store_run(st, s, err);
}

int mmt_finding_line(struct mmt_store *st, int64_t finding, int idx,
		     int64_t source_id, int64_t line, int64_t report_id,
		     struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_evidence, err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, finding);
	mmt_bind_int(s, 2, idx);
	mmt_bind_int(s, 3, source_id);
	mmt_bind_int(s, 4, line);
	mmt_bind_int_opt(s, 5, report_id, report_id > 0);
	mmt_bind_int_opt(s, 6, report_id, report_id > 0);
	mmt_bind_int(s, 7, source_id);
	mmt_bind_int(s, 8, line);
	return mmt_store_run(st, s, err);
}

int mmt_finding_evidence(struct mmt_store *st, int64_t finding, int idx,
			 const struct mmt_evidence *e, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_other_evidence, err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, finding);
	mmt_bind_int(s, 2, idx);
	mmt_bind_int_opt(s, 3, e->source_id, e->source_id > 0);
	mmt_bind_int_opt(s, 4, e->line, e->line > 0);
	mmt_bind_int_opt(s, 5, e->event_id, e->event_id > 0);
	mmt_bind_text(s, 6, e->text ? e->text : "");
	mmt_bind_text(s, 7, e->kind);
	mmt_bind_double_opt(s, 8, e->ts, e->has_ts);
	return mmt_store_run(st, s, err);
}

/* Times under 10^8 s cannot be Unix times of a running machine: since boot. */
void mmt_time_str(double ts, char *out, size_t n)
{
	struct tm tm;

	if (ts < 1e8 || !mmt_utc(ts, &tm)) {
		snprintf(out, n, "%.3f s", ts);
		return;
	}
	strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

int mmt_finding_frame_line(struct mmt_store *st, int64_t finding, int idx,
			   int64_t report_id, int64_t from_line, const char *needle,
			   struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_frame_line, err);
	int64_t source, line;
	int rc;

	if (!s || !needle || !needle[0])
		return s ? 0 : -1;
	mmt_bind_int(s, 1, report_id);
	mmt_bind_int(s, 2, from_line);
	mmt_bind_text(s, 3, needle);
	rc = mmt_store_step(st, s, err);
	if (rc <= 0)
		return rc;
	source = sqlite3_column_int64(s, 0);
	line = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	if (mmt_finding_line(st, finding, idx, source, line, report_id, err) < 0)
		return -1;
	return 1;
}

int mmt_finding_report(struct mmt_store *st, int64_t finding, int64_t report_id,
		       struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_finding_report, err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, finding);
	mmt_bind_int(s, 2, report_id);
	return mmt_store_run(st, s, err);
}

int mmt_stack_load(struct mmt_store *st, int64_t stack_id, struct mmt_loaded_stack *out,
		   struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_frames, err);
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -1;
	mmt_bind_int(s, 1, stack_id);
	while ((rc = mmt_store_step(st, s, err)) > 0) {
		char base[MMT_SYM_MAX];
		size_t oldcap = cap;

		xgrow((void **)&out->sym, &cap, out->n + 1, sizeof(char *));
		cap = oldcap;
		xgrow((void **)&out->ctx, &cap, out->n + 1, sizeof(char *));
		cap = oldcap;
		xgrow((void **)&out->src, &cap, out->n + 1, sizeof(char *));
		cap = oldcap;
		xgrow((void **)&out->reliable, &cap, out->n + 1, sizeof(bool));
		mmt_symbol_base(mmt_col_text(s, 0), base, sizeof(base));
		out->sym[out->n] = xstrdup(base);
		out->reliable[out->n] = sqlite3_column_int(s, 1) != 0;
		out->ctx[out->n] = xstrdup(mmt_col_text(s, 2));
		out->src[out->n] = xstrdup(mmt_col_text(s, 3));
		out->n++;
	}
	return rc < 0 ? -1 : 0;
}

void mmt_stack_unload(struct mmt_loaded_stack *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->sym[i]);
		free(s->ctx[i]);
		free(s->src[i]);
	}
	free(s->sym);
	free(s->ctx);
	free(s->src);
	free(s->reliable);
	memset(s, 0, sizeof(*s));
}

void mmt_culprit_name(const char *sym, char *out, size_t outsz)
{
	static const char *const wrappers[] = {
		"__x64_sys_", "__ia32_sys_", "__ia32_compat_sys_", "__x64_compat_sys_",
		"__se_sys_", "__do_sys_", "__arm64_sys_", "__arm64_compat_sys_",
		"__riscv_sys_", "__s390x_sys_", "__s390_sys_", "__powerpc_sys_",
		"SyS_", "SYSC_", "compat_SyS_", "compat_SYSC_", "__se_compat_sys_",
		"__do_compat_sys_", NULL
	};

	for (size_t i = 0; wrappers[i]; i++) {
		size_t l = strlen(wrappers[i]);

		if (!strncmp(sym, wrappers[i], l)) {
			snprintf(out, outsz, "sys_%s", sym + l);
			return;
		}
	}
	snprintf(out, outsz, "%s", sym);
}
