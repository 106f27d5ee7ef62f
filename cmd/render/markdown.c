/*
 * The Markdown report, for GitHub, GitLab and Bugzilla: prose escaped so
 * that task names cannot become markup, log lines in fenced blocks whose
 * fence is longer than any run of backticks inside them.
 */
#include "cmd/render/doc.h"
#include "core/escape.h"

#include <string.h>

static const char *md(struct doc *d, const char *s)
{
	mmt_sb_reset(&d->sb);
	mmt_esc_md(&d->sb, s, strlen(s));
	return mmt_sb_str(&d->sb);
}

static void title(struct doc *d, const char *text)
{
	fprintf(d->out, "# %s\n", md(d, text));
}

static void heading(struct doc *d, const char *text)
{
	fprintf(d->out, "\n## %s\n\n", md(d, text));
}

static void para(struct doc *d, const char *text)
{
	fprintf(d->out, "%s\n\n", md(d, text));
}

static void item(struct doc *d, int n, const char *severity, const char *text)
{
	fprintf(d->out, "### %d. %s: %s\n\n", n, severity, md(d, text));
}

static void field(struct doc *d, const char *label, const char *text)
{
	fprintf(d->out, "- **%s:** %s\n", label, md(d, text));
}

/* Evidence lines are gathered so that the fence can be chosen for all of them. */
static struct mmt_sb block = MMT_SB_INIT;

static void evidence_begin(struct doc *d)
{
	(void)d;
	mmt_sb_reset(&block);
}

static void evidence(struct doc *d, const char *where, const char *text)
{
	doc_escape(d, where);
	mmt_sb_addf(&block, "%s  ", mmt_sb_str(&d->sb));
	doc_escape(d, text);
	mmt_sb_addf(&block, "%s\n", mmt_sb_str(&d->sb));
}

static void evidence_end(struct doc *d)
{
	size_t fence = mmt_longest_backtick_run(block.buf ? block.buf : "", block.len) + 1;

	if (fence < 3)
		fence = 3;
	fputs("\n", d->out);
	for (size_t i = 0; i < fence; i++)
		fputc('`', d->out);
	fputs("\n", d->out);
	fputs(mmt_sb_str(&block), d->out);
	for (size_t i = 0; i < fence; i++)
		fputc('`', d->out);
	fputs("\n\n", d->out);
	mmt_sb_free(&block);
}

static void table(struct doc *d, const char *const *head, size_t ncol,
		  char *const *cells, size_t nrows)
{
	for (size_t c = 0; c < ncol; c++)
		fprintf(d->out, "| %s ", md(d, head[c]));
	fputs("|\n", d->out);
	for (size_t c = 0; c < ncol; c++)
		fputs("| --- ", d->out);
	fputs("|\n", d->out);
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncol; c++)
			fprintf(d->out, "| %s ", md(d, cells[r * ncol + c]));
		fputs("|\n", d->out);
	}
}

static const struct doc_ops markdown_ops = {
	.title = title, .heading = heading, .para = para, .item = item,
	.field = field, .evidence_begin = evidence_begin, .evidence = evidence,
	.evidence_end = evidence_end, .table = table,
};

static int render(struct mmt_store *st, const struct rm_model *m, const struct rm_opts *o,
		  FILE *out, struct mmt_err *err)
{
	struct doc d = { .out = out, .ops = &markdown_ops, .sb = MMT_SB_INIT, .brief = o->brief };

	return doc_render(st, m, &d, err);
}

const struct mmt_renderer mmt_render_markdown = { "markdown", true, render };
