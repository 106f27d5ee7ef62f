/*
 * What a human-readable report says, in order: the diagnosis, the findings
 * with who they are about and the log lines they rest on, the reports found
 * (the first ones, with a count of the rest), and the sources read.
 */
#include "cmd/render/doc.h"
#include "cmd/render/tables.h"
#include "core/escape.h"
#include "core/xalloc.h"
#include "mmt_version.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_ROWS 40		/* reports listed; the rest are counted */
#define SUBJECTS_LISTED 12
/*
 * Bytes of an evidence line the human formats show; the rest is cut with a
 * mark saying how much. A kernel log record holds at most 2 KB, so a longer
 * line is damaged or made up, and in full (--lenient keeps up to 1 MiB) it
 * would bury the report. JSON and the database keep the whole line.
 */
#define EVIDENCE_SHOWN_MAX 4096

void doc_escape(struct doc *d, const char *s)
{
	mmt_sb_reset(&d->sb);
	mmt_esc_term(&d->sb, s, strlen(s));
}

/* Breaks text into lines of at most width columns at spaces. */
void doc_wrap(FILE *out, const char *text, size_t width, const char *indent,
	      const char *first_indent)
{
	const char *pre = first_indent;

	while (*text) {
		size_t room = width > strlen(pre) + 10 ? width - strlen(pre) : 10;
		size_t n = strlen(text), cut = n;

		if (width && n > room) {
			cut = room;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = room;
			/* A word longer than the line is cut between characters, not inside one. */
			while (cut > 1 && ((unsigned char)text[cut] & 0xc0) == 0x80)
				cut--;
		}
		fputs(pre, out);
		fwrite(text, 1, cut, out);
		fputc('\n', out);
		text += cut;
		while (*text == ' ')
			text++;
		pre = indent;
	}
}

static size_t cell_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void put_cell(FILE *out, const char *s, size_t w, bool last)
{
	size_t sw = cell_width(s), i = 0, cols = 0;

	if (sw > w) {
		for (; s[i] && cols + 1 < w; i++)
			cols += ((unsigned char)s[i] & 0xc0) != 0x80;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		fprintf(out, "%.*s~", (int)i, s);
		sw = w;
	} else {
		fputs(s, out);
	}
	if (!last)
		fprintf(out, "%*s", (int)(w - sw + 2), "");
}

/* Cells as they will be shown, escaped, so that widths are measured on what is printed. */
static char **escaped_cells(struct doc *d, char *const *cells, size_t n)
{
	char **out = xcalloc(n + 1, sizeof(*out));

	for (size_t i = 0; i < n; i++) {
		doc_escape(d, cells[i]);
		out[i] = xstrdup(mmt_sb_str(&d->sb));
	}
	return out;
}

void doc_plain_table(struct doc *d, const char *const *head, size_t ncol,
		     char *const *cells, size_t nrows, size_t max_width, const char *indent)
{
	size_t *w = xcalloc(ncol, sizeof(*w)), total = strlen(indent);
	char **shown = escaped_cells(d, cells, nrows * ncol);

	for (size_t c = 0; c < ncol; c++) {
		w[c] = cell_width(head[c]);
		for (size_t r = 0; r < nrows; r++)
			if (cell_width(shown[r * ncol + c]) > w[c])
				w[c] = cell_width(shown[r * ncol + c]);
		total += w[c] + 2;
	}
	/* Too wide: the widest column gives way, one column at a time. */
	while (max_width && total - 2 > max_width) {
		size_t widest = ncol - 1;

		for (size_t c = ncol; c-- > 0;)
			if (w[c] > w[widest])
				widest = c;
		if (w[widest] <= 6)
			break;
		w[widest]--;
		total--;
	}
	fputs(indent, d->out);
	for (size_t c = 0; c < ncol; c++)
		put_cell(d->out, head[c], w[c], c == ncol - 1);
	fputc('\n', d->out);
	for (size_t r = 0; r < nrows; r++) {
		fputs(indent, d->out);
		for (size_t c = 0; c < ncol; c++)
			put_cell(d->out, shown[r * ncol + c], w[c], c == ncol - 1);
		fputc('\n', d->out);
	}
	for (size_t i = 0; i < nrows * ncol; i++)
		free(shown[i]);
	free(shown);
	free(w);
}

static const struct rm_finding *finding_by_id(const struct rm_model *m, int64_t id)
{
	for (size_t i = 0; i < m->nfindings; i++)
		if (m->findings[i].id == id)
			return &m->findings[i];
	return NULL;
}

/* The findings the verdict rests on, in the order they began. */
static void timeline(struct doc *d, const struct rm_model *m)
{
	const struct rm_finding *done = NULL;

	for (size_t n = 0; n < m->nverdict; n++) {
		const struct rm_finding *next = NULL;
		char when[40];

		for (size_t i = 0; i < m->nverdict; i++) {
			const struct rm_finding *f = finding_by_id(m, m->verdict_findings[i]);

			if (!f || !f->has_t || (done && (f->t_start < done->t_start ||
			    (f->t_start == done->t_start && f->id <= done->id))))
				continue;
			if (!next || f->t_start < next->t_start ||
			    (f->t_start == next->t_start && f->id < next->id))
				next = f;
		}
		if (!next)
			break;
		rm_time(next->source, next->t_start, true, when, sizeof(when));
		d->ops->field(d, when, next->title);
		done = next;
	}
}

/* "Diagnosis: reclaim_livelock (confidence 85%)", of the full and the brief report. */
static void diagnosis_heading(struct doc *d, const struct rm_model *m)
{
	char head[128], conf[32] = "";

	if (m->hang_class && m->confidence >= 0)
		snprintf(conf, sizeof(conf), " (confidence %.0f%%)", m->confidence * 100);
	snprintf(head, sizeof(head), "Diagnosis%s%s%s", m->hang_class ? ": " : "",
		 m->hang_class ? m->hang_class : "", conf);
	d->ops->heading(d, head);
}

static void diagnosis(struct doc *d, const struct rm_model *m)
{
	diagnosis_heading(d, m);
	d->ops->para(d, m->verdict ? m->verdict : "No analysis has been run.");
	timeline(d, m);
	for (size_t i = 0; i < m->nalternatives; i++) {
		char label[96];

		snprintf(label, sizeof(label), "also possible: %s (%.0f%%)",
			 m->alternatives[i].hang_class, m->alternatives[i].confidence * 100);
		d->ops->field(d, label, m->alternatives[i].reason);
	}
	for (size_t i = 0; i < m->nmissing; i++) {
		char label[96];

		snprintf(label, sizeof(label), "would help: %s", m->missing[i].what);
		d->ops->field(d, label, m->missing[i].advice);
	}
}

/* Where evidence comes from: "dmesg.txt:123", or the time and file of a sample or event. */
static void evidence_where(const struct rm_evidence *e, char *out, size_t n)
{
	char t[40] = "";
	const char *file = e->source ? rm_basename(e->source->path) : "";

	if (e->line > 0) {
		snprintf(out, n, "%s:%lld", file[0] ? file : "?", (long long)e->line);
		return;
	}
	if (e->has_ts)
		rm_time(NULL, e->ts, true, t, sizeof(t));
	if (e->event > 0 && e->has_cpu)
		snprintf(out, n, "%s%sCPU%lld event %lld", t, t[0] ? " " : "", (long long)e->cpu,
			 (long long)e->event);
	else if (e->event > 0)
		snprintf(out, n, "%s%sevent %lld", t, t[0] ? " " : "", (long long)e->event);
	else
		snprintf(out, n, "%s%s%s", t, t[0] && file[0] ? " " : "", file);
}

/* text, or its first EVIDENCE_SHOWN_MAX bytes (whole characters) and a mark, in sb. */
static const char *evidence_shown(const char *text, struct mmt_sb *sb)
{
	size_t len = strlen(text), cut = EVIDENCE_SHOWN_MAX;

	if (len <= cut)
		return text;
	while (cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
		cut--;
	mmt_sb_reset(sb);
	mmt_sb_add(sb, text, cut);
	mmt_sb_addf(sb, " [... %zu more bytes]", len - cut);
	return mmt_sb_str(sb);
}

static void subjects(struct doc *d, const struct rm_finding *f)
{
	struct mmt_sb tasks = MMT_SB_INIT, other = MMT_SB_INIT;
	size_t nt = 0, no = 0;

	for (size_t i = 0; i < f->nsubjects; i++) {
		const struct rm_subject *s = &f->subjects[i];
		bool task = !strcmp(s->type, "task");
		struct mmt_sb *sb = task ? &tasks : &other;
		size_t *n = task ? &nt : &no;

		if ((*n)++ >= SUBJECTS_LISTED)
			continue;
		if (*n > 1)
			mmt_sb_adds(sb, ", ");
		if (task)
			mmt_sb_addf(sb, "%s:%lld", s->name, (long long)s->pid);
		else
			mmt_sb_addf(sb, "%s %s", s->type, s->name[0] ? s->name : "");
		if (!task && !s->name[0])
			mmt_sb_addf(sb, "%lld", (long long)s->pid);
	}
	if (nt > SUBJECTS_LISTED)
		mmt_sb_addf(&tasks, " and %zu more", nt - SUBJECTS_LISTED);
	if (nt)
		d->ops->field(d, "tasks", mmt_sb_str(&tasks));
	if (no)
		d->ops->field(d, "about", mmt_sb_str(&other));
	mmt_sb_free(&tasks);
	mmt_sb_free(&other);
}

static int finding(struct doc *d, const struct rm_model *m, int n, const struct rm_finding *f,
		   struct mmt_err *err)
{
	char when[96], a[40], b[40];

	d->ops->item(d, n, f->severity, f->title);
	d->ops->para(d, f->summary);
	subjects(d, f);
	if (f->confidence >= 0) {
		snprintf(when, sizeof(when), "%.0f%%", f->confidence * 100);
		d->ops->field(d, "confidence", when);
	}
	if (f->has_t) {
		rm_time(f->source, f->t_start, true, a, sizeof(a));
		rm_time(f->source, f->t_end, true, b, sizeof(b));
		snprintf(when, sizeof(when), "%s%s%s", a, strcmp(a, b) ? " to " : "",
			 strcmp(a, b) ? b : "");
		d->ops->field(d, "time", when);
	}
	if (f->nevidence) {
		struct mmt_sb cut = MMT_SB_INIT;

		d->ops->evidence_begin(d);
		for (size_t i = 0; i < f->nevidence; i++) {
			const struct rm_evidence *e = &f->evidence[i];
			char where[512];

			evidence_where(e, where, sizeof(where));
			d->ops->evidence(d, where, evidence_shown(e->text, &cut));
		}
		d->ops->evidence_end(d);
		mmt_sb_free(&cut);
	}
	return d->ops->stack && f->reports ? doc_stacks(d, m, f, err) : 0;
}

static int findings(struct doc *d, const struct rm_model *m, struct mmt_err *err)
{
	char head[64];

	snprintf(head, sizeof(head), "Findings (%zu)", m->nfindings);
	d->ops->heading(d, head);
	if (!m->nfindings)
		d->ops->para(d, "None.");
	for (size_t i = 0; i < m->nfindings; i++)
		if (finding(d, m, (int)i + 1, &m->findings[i], err) < 0)
			return -1;
	return 0;
}

#define REPORT_COLS 5

struct rows {
	char **cells;
	size_t n, cap;
};

static int report_row(void *ctx, const struct rm_report *r)
{
	struct rows *rows = ctx;
	char when[48], task[96], why[256], where[512];
	char **c;

	rm_time(r->source, r->t, r->has_t, when, sizeof(when));
	snprintf(task, sizeof(task), r->has_pid ? "%s:%lld" : "%s", r->comm,
		 (long long)r->pid);
	snprintf(why, sizeof(why), "%s%s%s", r->wait_class ? r->wait_class : "",
		 r->wait_class && r->culprit ? " in " : "", r->culprit ? r->culprit : "");
	snprintf(where, sizeof(where), "%s:%lld", r->source ? rm_basename(r->source->path) : "?",
		 (long long)r->line);
	xgrow((void **)&rows->cells, &rows->cap, (rows->n + 1) * REPORT_COLS, sizeof(char *));
	c = rows->cells + rows->n++ * REPORT_COLS;
	c[0] = xstrdup(when);
	c[1] = xstrdup(r->kind);
	c[2] = xstrdup(task);
	c[3] = xstrdup(where);
	c[4] = xstrdup(why);
	return 0;
}

static int reports(struct mmt_store *st, struct doc *d, const struct rm_model *m,
		   struct mmt_err *err)
{
	static const char *const head[REPORT_COLS] = { "time", "kind", "task", "line",
						       "waits in / culprit" };
	struct rows rows = { 0 };
	char title[64];
	int rc;

	snprintf(title, sizeof(title), "Reports (%lld)", (long long)m->nreports);
	d->ops->heading(d, title);
	rc = rm_each_report(st, m, REPORT_ROWS, false, report_row, &rows, err);
	if (rc == 0 && rows.n)
		d->ops->table(d, head, REPORT_COLS, rows.cells, rows.n);
	if (rc == 0 && m->nreports > (int64_t)rows.n) {
		snprintf(title, sizeof(title), "... and %lld more (mmtriage sql 'SELECT * "
			 "FROM reports').", (long long)(m->nreports - (int64_t)rows.n));
		d->ops->para(d, title);
	}
	for (size_t i = 0; i < rows.n * REPORT_COLS; i++)
		free(rows.cells[i]);
	free(rows.cells);
	return rc;
}

/*
 * "vmcore/crash-session.txt: read by crash 8.0.2. crash's ps found ...":
 * evidence a program other than mmtriage read out of a dump, and what it
 * could not.
 */
static void source_notes(struct doc *d, const struct rm_model *m)
{
	for (size_t i = 0; i < m->nsources; i++) {
		const struct rm_source *s = &m->sources[i];
		struct mmt_sb sb = MMT_SB_INIT;

		if (!s->reader[0] && !s->note[0])
			continue;
		mmt_sb_addf(&sb, "%s:", s->path);
		if (s->reader[0])
			mmt_sb_addf(&sb, " read by %s.", s->reader);
		if (s->note[0])
			mmt_sb_addf(&sb, " %s.", s->note);
		d->ops->para(d, mmt_sb_str(&sb));
		mmt_sb_free(&sb);
	}
}

static void sources(struct doc *d, const struct rm_model *m)
{
	static const char *const head[] = { "source", "kind", "lines", "kernel", "sha256" };
	char **cells = xcalloc(m->nsources * 5 + 1, sizeof(char *));

	d->ops->heading(d, "Sources");
	for (size_t i = 0; i < m->nsources; i++) {
		const struct rm_source *s = &m->sources[i];
		char kind[96], n[32], sha[16];

		snprintf(kind, sizeof(kind), "%s%s%s%s", s->kind, s->format[0] ? " (" : "",
			 s->format, s->format[0] ? ")" : "");
		snprintf(n, sizeof(n), "%lld", (long long)s->records);
		snprintf(sha, sizeof(sha), "%.12s", s->sha256);
		cells[i * 5] = xstrdup(s->path);
		cells[i * 5 + 1] = xstrdup(kind);
		cells[i * 5 + 2] = xstrdup(n);
		cells[i * 5 + 3] = xstrdup(s->kernel[0] ? s->kernel : "-");
		cells[i * 5 + 4] = xstrdup(sha);
	}
	if (m->nsources)
		d->ops->table(d, head, 5, cells, m->nsources);
	source_notes(d, m);
	for (size_t i = 0; i < m->nsources * 5; i++)
		free(cells[i]);
	free(cells);
}

/* ------------------------------------------------------------------ brief */

#define BRIEF_LINES 14		/* "under 15 lines", for a ticket's first comment */
#define BRIEF_VERDICT 200	/* characters of the verdict kept */

/* Renders one element into memory, so that its lines can be counted first. */
struct piece {
	char *buf;
	size_t len, lines;
};

static FILE *piece_open(struct doc *d, struct piece *p)
{
	FILE *f = open_memstream(&p->buf, &p->len);

	if (f)
		d->out = f;
	return f;
}

static void piece_close(FILE *f, struct piece *p)
{
	fclose(f);
	p->lines = 0;
	for (size_t i = 0; i < p->len; i++)
		p->lines += p->buf[i] == '\n';
}

/* The verdict's first sentence, cut at a word to BRIEF_VERDICT characters. */
static void first_sentence(const char *verdict, char *out, size_t n)
{
	const char *stop = strstr(verdict, ". ");
	size_t len = stop ? (size_t)(stop - verdict) + 1 : strlen(verdict);

	if (len >= n)
		len = n - 1;
	if (len > BRIEF_VERDICT) {
		len = BRIEF_VERDICT;
		while (len > 0 && verdict[len] != ' ')
			len--;
		snprintf(out, n, "%.*s ...", (int)len, verdict);
		return;
	}
	snprintf(out, n, "%.*s", (int)len, verdict);
}

static void brief_head(struct doc *d, const struct rm_model *m)
{
	char verdict[BRIEF_VERDICT + 8];

	d->ops->title(d, "mmtriage " MMT_VERSION " report, brief");
	diagnosis_heading(d, m);
	first_sentence(m->verdict ? m->verdict : "No analysis has been run.", verdict,
		       sizeof(verdict));
	d->ops->para(d, verdict);
}

/* The head, the first k findings and a line for the others, into p. */
static int brief_with(const struct rm_model *m, struct doc *d, size_t k, struct piece *p)
{
	FILE *out = d->out, *f = piece_open(d, p);
	char more[160];

	if (!f)
		return -1;
	brief_head(d, m);
	for (size_t i = 0; i < k; i++)
		d->ops->item(d, (int)i + 1, m->findings[i].severity, m->findings[i].title);
	if (k < m->nfindings) {
		snprintf(more, sizeof(more), "%zu more finding%s, with the evidence: mmtriage "
			 "report without --brief.", m->nfindings - k,
			 m->nfindings - k == 1 ? "" : "s");
		d->ops->para(d, more);
	}
	piece_close(f, p);
	d->out = out;
	return 0;
}

/*
 * The verdict's head and first sentence, then as many of the strongest
 * findings (one item each) as fit in BRIEF_LINES, with a line that says how
 * many were left out: each format's own markup, its lines counted as
 * written.
 */
static int doc_brief(const struct rm_model *m, struct doc *d, struct mmt_err *err)
{
	struct piece p = { 0 };
	size_t k = m->nfindings < BRIEF_LINES ? m->nfindings : BRIEF_LINES;

	for (;; k--) {
		if (brief_with(m, d, k, &p) < 0)
			return mmt_err_set(err, "report: %s", strerror(errno));
		if (p.lines <= BRIEF_LINES || k == 0)
			break;
		free(p.buf);
	}
	fwrite(p.buf, 1, p.len, d->out);
	free(p.buf);
	mmt_sb_free(&d->sb);
	return 0;
}

/* The charts of a format that draws them, over the capture's time series. */
static int charts(struct mmt_store *st, const struct rm_model *m, struct doc *d,
		  struct mmt_err *err)
{
	struct rm_charts c;

	if (!d->ops->charts)
		return 0;
	if (rm_charts_load(st, m, d->chart_buckets ? d->chart_buckets : 60, &c, err) < 0)
		return -1;
	d->ops->charts(d, &c);
	rm_charts_free(&c);
	return 0;
}

int doc_render(struct mmt_store *st, const struct rm_model *m, struct doc *d,
	       struct mmt_err *err)
{
	int rc;

	d->st = st;
	if (d->brief)
		return doc_brief(m, d, err);

	d->ops->title(d, "mmtriage " MMT_VERSION " report");
	diagnosis(d, m);
	rc = charts(st, m, d, err);
	if (rc == 0)
		rc = findings(d, m, err);
	if (rc == 0)
		rc = doc_tables(st, m, d, err);
	if (rc == 0)
		rc = reports(st, d, m, err);
	if (rc == 0)
		sources(d, m);
	mmt_sb_free(&d->sb);
	return rc;
}
