/* The text report, for a terminal: headings, wrapped paragraphs, aligned tables. */
#include "cmd/render/doc.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TEXT_WIDTH 100

static void title(struct doc *d, const char *text)
{
	fprintf(d->out, "%s\n", text);
}

static void heading(struct doc *d, const char *text)
{
	fprintf(d->out, "\n%s\n", text);
	for (size_t i = strlen(text); i > 0; i--)
		fputc('-', d->out);
	fputc('\n', d->out);
}

static void para(struct doc *d, const char *text)
{
	doc_escape(d, text);
	doc_wrap(d->out, d->sb.buf ? d->sb.buf : "", d->width, "    ", "    ");
}

static void item(struct doc *d, int n, const char *severity, const char *text)
{
	char sev[16];
	size_t i;

	for (i = 0; severity[i] && i + 1 < sizeof(sev); i++)
		sev[i] = (char)(severity[i] >= 'a' && severity[i] <= 'z' ? severity[i] - 32
									   : severity[i]);
	sev[i] = '\0';
	doc_escape(d, text);
	fprintf(d->out, "\n[%d] %-8s %s\n", n, sev, d->sb.buf ? d->sb.buf : "");
}

static void field(struct doc *d, const char *label, const char *text)
{
	char first[64];

	snprintf(first, sizeof(first), "    %s: ", label);
	doc_escape(d, text);
	doc_wrap(d->out, d->sb.buf ? d->sb.buf : "", d->width, "        ", first);
}

static void evidence_begin(struct doc *d)
{
	fprintf(d->out, "    evidence:\n");
}

static void evidence(struct doc *d, const char *where, const char *text)
{
	doc_escape(d, where);
	fprintf(d->out, "      %s  ", d->sb.buf ? d->sb.buf : "");
	doc_escape(d, text);
	fprintf(d->out, "%s\n", d->sb.buf ? d->sb.buf : "");
}

static void evidence_end(struct doc *d)
{
	(void)d;
}

static void table(struct doc *d, const char *const *head, size_t ncol,
		  char *const *cells, size_t nrows)
{
	doc_plain_table(d, head, ncol, cells, nrows, d->table_width, "  ");
}

static const struct doc_ops text_ops = {
	.title = title, .heading = heading, .para = para, .item = item,
	.field = field, .evidence_begin = evidence_begin, .evidence = evidence,
	.evidence_end = evidence_end, .table = table,
};

static int render(struct mmt_store *st, const struct rm_model *m, const struct rm_opts *o,
		  FILE *out, struct mmt_err *err)
{
	struct doc d = { .out = out, .ops = &text_ops, .width = TEXT_WIDTH, .sb = MMT_SB_INIT,
			 .brief = o->brief };
	struct winsize ws;

	/* On a terminal, fit its width; in a file, keep table cells whole. */
	if (out == stdout && isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) {
		d.table_width = ws.ws_col;
		if (ws.ws_col < TEXT_WIDTH)
			d.width = ws.ws_col;
	}
	return doc_render(st, m, &d, err);
}

const struct mmt_renderer mmt_render_text = { "text", true, render };
