/*
 * Findings: the verdict on top, the findings ranked as the report ranks
 * them, and the selected one's summary, subjects and evidence below. Enter
 * on a finding jumps to its first evidence; Right (or l) walks its evidence
 * and Enter there jumps to that row: an event in Events, a log line in Log,
 * a sample in Counters, each at its time.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmd/tui/tui.h"
#include "core/escape.h"
#include "core/xalloc.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

struct findings_view {
	int64_t sel, first;		/* the selected finding, the first shown */
	int64_t ev;			/* the selected evidence row, -1: the list has focus */
	int64_t ev_first;
};

static const char *const findings_help[] = {
	"Up Down j k\tselect a finding (or an evidence row)",
	"Enter\tjump to the evidence: an event, a log line, a sample",
	"Right l\twalk the selected finding's evidence; Left h back to the list",
	"w\tput the time cursor at the finding's window",
	NULL,
};

static void *findings_open(struct tui *t)
{
	struct findings_view *v = xcalloc(1, sizeof(*v));

	(void)t;
	v->ev = -1;
	return v;
}

static void findings_close(void *v)
{
	free(v);
}

/* Lines of at most width bytes, broken at spaces, of escaped text. */
static int wrap_lines(struct tui *t, int y, int rows, int width, const char *text,
		      enum tui_style s)
{
	struct mmt_sb sb = MMT_SB_INIT;
	const char *p;
	int n = 0;

	mmt_esc_term(&sb, text, strlen(text));
	for (p = mmt_sb_str(&sb); *p && n < rows; n++) {
		size_t len = strlen(p), cut = len;

		if ((int)len > width) {
			cut = (size_t)width;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = (size_t)width;
		}
		{
			char *line = xmalloc(cut + 1);

			memcpy(line, p, cut);
			line[cut] = '\0';
			tui_text(t, y + n, 2, width, line, s);
			free(line);
		}
		p += cut;
		while (*p == ' ')
			p++;
	}
	mmt_sb_free(&sb);
	return n;
}

static void finding_row(struct tui *t, const struct rm_finding *f, int n, int y, int cols,
			bool selected)
{
	char head[32];
	enum tui_style s = selected ? TS_SELECTED : TS_NORMAL;

	snprintf(head, sizeof(head), "%3d %-8s ", n, f->severity);
	attrset(tui_attr(t, s));
	mvhline(y, 0, ' ', cols);
	tui_text(t, y, 0, 13, head, selected ? TS_SELECTED : tui_severity_style(f->severity));
	tui_put(t, y, 13, cols - 13, f->title, s, selected);
}

static void evidence_rows(struct tui *t, struct findings_view *v, const struct rm_finding *f,
			  int y, int rows, int cols)
{
	tui_list_scroll(v->ev < 0 ? 0 : v->ev, &v->ev_first, rows);
	for (int i = 0; i < rows && v->ev_first + i < (int64_t)f->nevidence; i++) {
		const struct rm_evidence *e = &f->evidence[v->ev_first + i];
		bool sel = v->ev == v->ev_first + i;
		char where[96], when[40] = "";

		if (e->has_ts)
			tui_time(t, e->ts, when, sizeof(when));
		if (e->line > 0)
			snprintf(where, sizeof(where), "%s:%lld", e->source ?
				 rm_basename(e->source->path) : "?", (long long)e->line);
		else if (e->event > 0)
			snprintf(where, sizeof(where), "%s CPU%lld #%lld", when, (long long)e->cpu,
				 (long long)e->event);
		else
			snprintf(where, sizeof(where), "%s %s", when, e->kind);
		tui_put(t, y + i, 2, 30, where, sel ? TS_SELECTED : TS_DIM, true);
		tui_put(t, y + i, 33, cols - 33, e->text, sel ? TS_SELECTED : TS_NORMAL, sel);
	}
}

static void details(struct tui *t, struct findings_view *v, const struct rm_finding *f,
		    int y, int rows, int cols)
{
	int used;

	tui_text(t, y, 0, cols, "Summary", TS_HEADER);
	used = 1 + wrap_lines(t, y + 1, rows / 2, cols - 4, f->summary, TS_NORMAL);
	if (used >= rows)
		return;
	tui_text(t, y + used, 0, cols, "Evidence (Right/l to walk, Enter to jump)", TS_HEADER);
	evidence_rows(t, v, f, y + used + 1, rows - used - 1, cols);
}

static void findings_draw(struct tui *t, void *vp, int top, int rows, int cols)
{
	struct findings_view *v = vp;
	int list = rows / 2 - 2, y = top;
	char head[96];

	snprintf(head, sizeof(head), "Diagnosis: %s", t->m.hang_class ? t->m.hang_class :
		 "no hang class");
	tui_text(t, y++, 0, cols, head, TS_HEADER);
	tui_put(t, y++, 0, cols, t->m.verdict ? t->m.verdict : "No analysis has been run.",
		TS_NORMAL, false);
	if (!t->m.nfindings) {
		tui_text(t, y, 0, cols, "No findings.", TS_DIM);
		return;
	}
	tui_list_scroll(v->sel, &v->first, list);
	for (int i = 0; i < list && v->first + i < (int64_t)t->m.nfindings; i++)
		finding_row(t, &t->m.findings[v->first + i], (int)(v->first + i) + 1, y + i, cols,
			    v->sel == v->first + i && v->ev < 0);
	y += list;
	tui_hline(t, y++, cols);
	details(t, v, &t->m.findings[v->sel], y, top + rows - y, cols);
}

/* The findings after 'R' may be fewer: keep the selection on one of them. */
static void findings_reload(struct tui *t, void *vp)
{
	struct findings_view *v = vp;

	if (v->sel >= (int64_t)t->m.nfindings)
		v->sel = t->m.nfindings ? (int64_t)t->m.nfindings - 1 : 0;
	v->first = 0;
	v->ev = -1;
	v->ev_first = 0;
}

/* Jump to one evidence row: where it lives, at its time. */
static void jump_to(struct tui *t, const struct rm_finding *f, const struct rm_evidence *e)
{
	struct tui_target to = { .view = TUI_COUNTERS, .pid = -1, .ts = e->ts,
				 .has_ts = e->has_ts };

	if (e->event > 0) {
		to.view = TUI_EVENTS;
		to.event = e->event;
	} else if (e->line > 0 && e->source) {
		to.view = TUI_LOG;
		to.source = e->source->id;
		to.line = e->line;
	} else if (!e->has_ts && f->has_t) {
		to.ts = f->t_start;
		to.has_ts = true;
	}
	tui_goto(t, &to);
}

static bool findings_key(struct tui *t, void *vp, int ch)
{
	struct findings_view *v = vp;
	const struct rm_finding *f;

	if (!t->m.nfindings)
		return false;
	f = &t->m.findings[v->sel];
	if (v->ev >= 0 && tui_list_key(ch, &v->ev, (int64_t)f->nevidence, 10))
		return true;
	if (v->ev < 0 && tui_list_key(ch, &v->sel, (int64_t)t->m.nfindings, 10)) {
		v->ev_first = 0;
		return true;
	}
	switch (ch) {
	case KEY_RIGHT: case 'l':
		if (f->nevidence)
			v->ev = v->ev < 0 ? 0 : v->ev;
		return true;
	case KEY_LEFT: case 'h':
		v->ev = -1;
		return true;
	case '\n': case '\r': case KEY_ENTER:
		if (f->nevidence)
			jump_to(t, f, &f->evidence[v->ev < 0 ? 0 : v->ev]);
		else
			tui_status(t, "This finding has no evidence rows.");
		return true;
	case 'w':
		if (f->has_t)
			tui_set_cursor(t, f->t_start);
		return true;
	}
	return false;
}

/* A jump to a finding selects it. */
static void findings_jump(struct tui *t, void *vp, const struct tui_target *to)
{
	struct findings_view *v = vp;

	for (size_t i = 0; to->finding && i < t->m.nfindings; i++) {
		if (t->m.findings[i].id != to->finding)
			continue;
		v->sel = (int64_t)i;
		v->ev = -1;
		v->ev_first = 0;
	}
}

const struct tui_view_ops tui_view_findings = {
	.name = "Findings",
	.bar = "Enter evidence  Right walk evidence  w window  Tab views  < > cursor  ? help  q quit",
	.help = findings_help,
	.open = findings_open,
	.draw = findings_draw,
	.key = findings_key,
	.jump = findings_jump,
	.reload = findings_reload,
	.close = findings_close,
};
