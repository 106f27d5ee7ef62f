/*
 * The JSON report, contract version 1 (docs/json.md): sources, reports,
 * findings and the diagnosis. Absent values are null, never missing keys;
 * the contract is only ever extended by adding keys. Reports are streamed.
 */
#include "cmd/render/render.h"
#include "core/escape.h"
#include "mmt_version.h"

#include <math.h>
#include <string.h>

#define JSON_CONTRACT 1

struct json {
	FILE *out;
	struct mmt_sb sb;
	bool first;		/* no element written yet in the current array */
};

static void flush(struct json *j)
{
	fputs(mmt_sb_str(&j->sb), j->out);
	mmt_sb_reset(&j->sb);
}

static void str(struct json *j, const char *s)
{
	if (!s) {
		mmt_sb_adds(&j->sb, "null");
		return;
	}
	mmt_sb_addc(&j->sb, '"');
	mmt_esc_json(&j->sb, s, strlen(s));
	mmt_sb_addc(&j->sb, '"');
}

static void key(struct json *j, const char *k, bool first)
{
	mmt_sb_addf(&j->sb, "%s\"%s\": ", first ? "" : ", ", k);
}

static void kstr(struct json *j, const char *k, const char *v, bool first)
{
	key(j, k, first);
	str(j, v);
}

static void kint(struct json *j, const char *k, long long v, bool has, bool first)
{
	key(j, k, first);
	if (has)
		mmt_sb_addf(&j->sb, "%lld", v);
	else
		mmt_sb_adds(&j->sb, "null");
}

/* JSON has no NaN or infinity: such a value is written as absent. */
static void kreal(struct json *j, const char *k, double v, bool has, bool first)
{
	key(j, k, first);
	if (has && isfinite(v))
		mmt_sb_addf(&j->sb, "%.6f", v);
	else
		mmt_sb_adds(&j->sb, "null");
}

static void element(struct json *j)
{
	mmt_sb_adds(&j->sb, j->first ? "\n    " : ",\n    ");
	j->first = false;
}

static void header(struct json *j, const struct rm_model *m)
{
	mmt_sb_adds(&j->sb, "{\"mmtriage\": {");
	kstr(j, "version", MMT_VERSION, true);
	kint(j, "schema", JSON_CONTRACT, true, false);
	mmt_sb_adds(&j->sb, "},\n  \"sources\": [");
	j->first = true;
	for (size_t i = 0; i < m->nsources; i++) {
		const struct rm_source *s = &m->sources[i];

		element(j);
		mmt_sb_addc(&j->sb, '{');
		kstr(j, "path", s->path, true);
		kstr(j, "kind", s->kind, false);
		kstr(j, "sha256", s->sha256, false);
		kint(j, "records", s->records, true, false);
		kint(j, "id", s->id, true, false);
		kstr(j, "format", s->format[0] ? s->format : NULL, false);
		kstr(j, "clock", s->clock[0] ? s->clock : NULL, false);
		kstr(j, "kernel", s->kernel[0] ? s->kernel : NULL, false);
		kint(j, "size", s->size, true, false);
		kstr(j, "reader", s->reader[0] ? s->reader : NULL, false);
		kstr(j, "note", s->note[0] ? s->note : NULL, false);
		mmt_sb_addc(&j->sb, '}');
	}
	mmt_sb_adds(&j->sb, j->first ? "],\n  \"reports\": [" : "\n  ],\n  \"reports\": [");
	j->first = true;
	flush(j);
}

static void gfp(struct json *j, const struct rm_report *r)
{
	key(j, "gfp", false);
	if (!r->gfp_mask) {
		mmt_sb_adds(&j->sb, "null");
		return;
	}
	mmt_sb_addc(&j->sb, '{');
	kstr(j, "mask", r->gfp_mask, true);
	key(j, "flags", false);
	mmt_sb_addc(&j->sb, '[');
	for (const char *p = r->gfp_flags; *p;) {
		size_t n = strcspn(p, "|");
		char flag[128];

		snprintf(flag, sizeof(flag), "%.*s", (int)n, p);
		if (p != r->gfp_flags)
			mmt_sb_adds(&j->sb, ", ");
		str(j, flag);
		p += n + (p[n] == '|');
	}
	mmt_sb_addc(&j->sb, ']');
	kstr(j, "context", r->gfp_context, false);
	mmt_sb_addc(&j->sb, '}');
}

static void frames(struct json *j, const struct rm_report *r)
{
	key(j, "frames", false);
	mmt_sb_addc(&j->sb, '[');
	for (size_t i = 0; i < r->nframes; i++) {
		const struct rm_frame *f = &r->frames[i];
		char off[32];

		snprintf(off, sizeof(off), "0x%llx", (unsigned long long)f->offset);
		mmt_sb_adds(&j->sb, i ? ", {" : "{");
		kstr(j, "symbol", f->symbol, true);
		kstr(j, "offset", f->has_offset ? off : NULL, false);
		kstr(j, "module", f->module[0] ? f->module : NULL, false);
		key(j, "reliable", false);
		mmt_sb_adds(&j->sb, f->reliable ? "true" : "false");
		kstr(j, "context", f->context[0] ? f->context : NULL, false);
		mmt_sb_addc(&j->sb, '}');
	}
	mmt_sb_addc(&j->sb, ']');
}

static int report(void *ctx, const struct rm_report *r)
{
	struct json *j = ctx;

	element(j);
	mmt_sb_addc(&j->sb, '{');
	kint(j, "id", r->id, true, true);
	kstr(j, "kind", r->kind, false);
	kstr(j, "title", r->title, false);
	kreal(j, "time", r->t, r->has_t, false);
	kint(j, "pid", r->pid, r->has_pid, false);
	kstr(j, "comm", r->comm[0] ? r->comm : NULL, false);
	kint(j, "cpu", r->cpu, r->has_cpu, false);
	kstr(j, "kernel", r->kernel[0] ? r->kernel : NULL, false);
	kstr(j, "culprit", r->culprit, false);
	kstr(j, "wait_class", r->wait_class, false);
	gfp(j, r);
	kint(j, "order", r->order, r->has_order, false);
	frames(j, r);
	kstr(j, "source", r->source ? r->source->path : NULL, false);
	kint(j, "line", r->line, true, false);
	kint(j, "line_end", r->line_end, true, false);
	kstr(j, "wait_site", r->wait_site, false);
	kstr(j, "state", r->state[0] ? r->state : NULL, false);
	kint(j, "blocked_secs", r->blocked_secs, r->has_secs, false);
	kstr(j, "detail", r->detail[0] ? r->detail : NULL, false);
	key(j, "truncated", false);
	mmt_sb_adds(&j->sb, r->truncated ? "true}" : "false}");
	flush(j);
	return 0;
}

static void subjects(struct json *j, const struct rm_finding *f)
{
	static const char *const types[] = { "task", "device", "cache", "cpu", "lock" };
	static const char *const keys[] = { "tasks", "devices", "caches", "cpus", "locks" };

	key(j, "subjects", false);
	mmt_sb_addc(&j->sb, '{');
	for (size_t t = 0; t < 5; t++) {
		bool first = true;

		key(j, keys[t], t == 0);
		mmt_sb_addc(&j->sb, '[');
		for (size_t i = 0; i < f->nsubjects; i++) {
			const struct rm_subject *s = &f->subjects[i];

			if (strcmp(s->type, types[t]))
				continue;
			mmt_sb_adds(&j->sb, first ? "" : ", ");
			first = false;
			if (t == 0) {
				mmt_sb_addc(&j->sb, '{');
				kint(j, "pid", s->pid, s->has_pid, true);
				kstr(j, "comm", s->name[0] ? s->name : NULL, false);
				mmt_sb_addc(&j->sb, '}');
			} else if (t == 3) {
				mmt_sb_addf(&j->sb, "%lld", (long long)s->pid);
			} else {
				str(j, s->name);
			}
		}
		mmt_sb_addc(&j->sb, ']');
	}
	mmt_sb_addc(&j->sb, '}');
}

static void evidence(struct json *j, const struct rm_finding *f)
{
	key(j, "evidence", false);
	mmt_sb_addc(&j->sb, '[');
	for (size_t i = 0; i < f->nevidence; i++) {
		const struct rm_evidence *e = &f->evidence[i];

		mmt_sb_adds(&j->sb, i ? ", {" : "{");
		kstr(j, "source", e->source ? e->source->path : NULL, true);
		kint(j, "line", e->line, e->line > 0, false);
		kint(j, "event", e->event, e->event > 0, false);
		kint(j, "cpu", e->cpu, e->has_cpu, false);
		kstr(j, "kind", e->kind, false);
		kreal(j, "ts", e->ts, e->has_ts, false);
		kstr(j, "text", e->text, false);
		mmt_sb_addc(&j->sb, '}');
	}
	mmt_sb_addc(&j->sb, ']');
}

static void findings(struct json *j, const struct rm_model *m)
{
	mmt_sb_adds(&j->sb, j->first ? "],\n  \"findings\": [" : "\n  ],\n  \"findings\": [");
	j->first = true;
	for (size_t i = 0; i < m->nfindings; i++) {
		const struct rm_finding *f = &m->findings[i];

		element(j);
		mmt_sb_addc(&j->sb, '{');
		kint(j, "id", f->id, true, true);
		kstr(j, "analyzer", f->analyzer, false);
		kstr(j, "kind", f->kind, false);
		kstr(j, "severity", f->severity, false);
		kreal(j, "confidence", f->confidence, f->confidence >= 0, false);
		kstr(j, "title", f->title, false);
		kstr(j, "summary", f->summary, false);
		kreal(j, "t_start", f->t_start, f->has_t, false);
		kreal(j, "t_end", f->t_end, f->has_t, false);
		subjects(j, f);
		evidence(j, f);
		kint(j, "reports", f->reports, true, false);
		mmt_sb_addc(&j->sb, '}');
		flush(j);
	}
}

static void alternatives(struct json *j, const struct rm_model *m)
{
	key(j, "alternatives", false);
	mmt_sb_addc(&j->sb, '[');
	for (size_t i = 0; i < m->nalternatives; i++) {
		mmt_sb_adds(&j->sb, i ? ", {" : "{");
		kstr(j, "hang_class", m->alternatives[i].hang_class, true);
		kreal(j, "confidence", m->alternatives[i].confidence, true, false);
		kstr(j, "reason", m->alternatives[i].reason, false);
		mmt_sb_addc(&j->sb, '}');
	}
	mmt_sb_addc(&j->sb, ']');
}

static void missing(struct json *j, const struct rm_model *m)
{
	key(j, "missing", false);
	mmt_sb_addc(&j->sb, '[');
	for (size_t i = 0; i < m->nmissing; i++) {
		mmt_sb_adds(&j->sb, i ? ", {" : "{");
		kstr(j, "what", m->missing[i].what, true);
		kstr(j, "advice", m->missing[i].advice, false);
		mmt_sb_addc(&j->sb, '}');
	}
	mmt_sb_addc(&j->sb, ']');
}

static void diagnosis(struct json *j, const struct rm_model *m)
{
	mmt_sb_adds(&j->sb, j->first ? "],\n  \"diagnosis\": {" : "\n  ],\n  \"diagnosis\": {");
	kstr(j, "verdict", m->verdict, true);
	key(j, "findings", false);
	mmt_sb_addc(&j->sb, '[');
	for (size_t i = 0; i < m->nverdict; i++)
		mmt_sb_addf(&j->sb, "%s%lld", i ? ", " : "", (long long)m->verdict_findings[i]);
	mmt_sb_addc(&j->sb, ']');
	kstr(j, "hang_class", m->hang_class, false);
	kreal(j, "confidence", m->confidence, m->confidence >= 0, false);
	alternatives(j, m);
	missing(j, m);
	mmt_sb_adds(&j->sb, "}}\n");
	flush(j);
}

static int render(struct mmt_store *st, const struct rm_model *m, const struct rm_opts *o,
		  FILE *out, struct mmt_err *err)
{
	struct json j = { out, MMT_SB_INIT, true };
	int rc;

	(void)o; /* one document: a tool takes what it needs from it */
	header(&j, m);
	rc = rm_each_report(st, m, 0, true, report, &j, err);
	if (rc == 0) {
		findings(&j, m);
		diagnosis(&j, m);
	}
	mmt_sb_free(&j.sb);
	return rc;
}

const struct mmt_renderer mmt_render_json = { "json", false, render };
