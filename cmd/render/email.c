/*
 * The email report: plain ASCII text that stays within 80 columns, for
 * mailing lists that reject HTML and mangle long lines. Log lines longer
 * than that are wrapped, not cut (doc.c cuts only a line longer than any
 * kernel writes, with a mark), so no evidence is lost.
 */
#include "cmd/render/doc.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define EMAIL_WIDTH 78

/* Terminal-safe and then ASCII-only: other bytes as \xNN. */
static const char *ascii(struct doc *d, const char *s)
{
	struct mmt_sb out = MMT_SB_INIT;

	doc_escape(d, s);
	for (size_t i = 0; i < d->sb.len; i++) {
		unsigned char c = (unsigned char)d->sb.buf[i];

		if (c >= 0x80)
			mmt_sb_addf(&out, "\\x%02x", c);
		else
			mmt_sb_addc(&out, (char)c);
	}
	mmt_sb_free(&d->sb);
	d->sb = out;
	return mmt_sb_str(&d->sb);
}

static void title(struct doc *d, const char *text)
{
	fprintf(d->out, "%s\n", text);
}

static void heading(struct doc *d, const char *text)
{
	fprintf(d->out, "\n%s\n", text);
	for (size_t i = strlen(text); i > 0 && i <= EMAIL_WIDTH; i--)
		fputc('=', d->out);
	fputc('\n', d->out);
}

static void para(struct doc *d, const char *text)
{
	doc_wrap(d->out, ascii(d, text), EMAIL_WIDTH, "  ", "  ");
}

static void item(struct doc *d, int n, const char *severity, const char *text)
{
	char first[32];

	snprintf(first, sizeof(first), "\n%d. [%s] ", n, severity);
	fputc('\n', d->out);
	doc_wrap(d->out, ascii(d, text), EMAIL_WIDTH, "     ", first + 1);
}

static void field(struct doc *d, const char *label, const char *text)
{
	char first[64];

	snprintf(first, sizeof(first), "  %s: ", label);
	doc_wrap(d->out, ascii(d, text), EMAIL_WIDTH, "      ", first);
}

static void evidence_begin(struct doc *d)
{
	fputs("  evidence:\n", d->out);
}

static void evidence(struct doc *d, const char *where, const char *text)
{
	/* A file name can be as long as a log line. */
	doc_wrap(d->out, ascii(d, where), EMAIL_WIDTH, "      ", "    ");
	doc_wrap(d->out, ascii(d, text), EMAIL_WIDTH, "        ", "      ");
}

static void evidence_end(struct doc *d)
{
	(void)d;
}

static size_t table_width(const char *const *head, size_t ncol, char *const *cells,
			  size_t nrows)
{
	size_t total = 2;

	for (size_t c = 0; c < ncol; c++) {
		size_t w = strlen(head[c]);

		for (size_t r = 0; r < nrows; r++)
			if (strlen(cells[r * ncol + c]) > w)
				w = strlen(cells[r * ncol + c]);
		total += w + 2;
	}
	return total - 2;
}

/*
 * Rows that do not fit 78 columns become records: the first cells on one
 * line, the last (the freest text) wrapped below it. Nothing is cut.
 */
static void records(struct doc *d, const char *const *head, size_t ncol,
		    char *const *cells, size_t nrows)
{
	struct mmt_sb line = MMT_SB_INIT;

	for (size_t c = 0; c < ncol; c++)
		mmt_sb_addf(&line, "%s%s", c ? (c + 1 == ncol ? " / " : ", ") : "(", head[c]);
	mmt_sb_adds(&line, ")");
	doc_wrap(d->out, mmt_sb_str(&line), EMAIL_WIDTH, "   ", "  ");
	for (size_t r = 0; r < nrows; r++) {
		mmt_sb_reset(&line);
		for (size_t c = 0; c + 1 < ncol; c++)
			mmt_sb_addf(&line, "%s%s", c ? "  " : "", ascii(d, cells[r * ncol + c]));
		doc_wrap(d->out, mmt_sb_str(&line), EMAIL_WIDTH, "      ", "  ");
		doc_wrap(d->out, ascii(d, cells[r * ncol + ncol - 1]), EMAIL_WIDTH,
			 "        ", "      ");
	}
	mmt_sb_free(&line);
}

static void table(struct doc *d, const char *const *head, size_t ncol,
		  char *const *cells, size_t nrows)
{
	struct mmt_sb *copies;
	char **ascii_cells;

	if (table_width(head, ncol, cells, nrows) + 2 > EMAIL_WIDTH) {
		records(d, head, ncol, cells, nrows);
		return;
	}
	copies = xcalloc(ncol * nrows + 1, sizeof(*copies));
	ascii_cells = xcalloc(ncol * nrows + 1, sizeof(char *));
	for (size_t i = 0; i < ncol * nrows; i++) {
		ascii(d, cells[i]);
		copies[i] = d->sb;
		d->sb = (struct mmt_sb)MMT_SB_INIT;
		ascii_cells[i] = copies[i].buf ? copies[i].buf : (char *)"";
	}
	doc_plain_table(d, head, ncol, ascii_cells, nrows, EMAIL_WIDTH, "  ");
	for (size_t i = 0; i < ncol * nrows; i++)
		mmt_sb_free(&copies[i]);
	free(copies);
	free(ascii_cells);
}

static const struct doc_ops email_ops = {
	.title = title, .heading = heading, .para = para, .item = item,
	.field = field, .evidence_begin = evidence_begin, .evidence = evidence,
	.evidence_end = evidence_end, .table = table,
};

static int render(struct mmt_store *st, const struct rm_model *m, const struct rm_opts *o,
		  FILE *out, struct mmt_err *err)
{
	struct doc d = { .out = out, .ops = &email_ops, .width = EMAIL_WIDTH,
			 .table_width = EMAIL_WIDTH, .sb = MMT_SB_INIT, .brief = o->brief };

	return doc_render(st, m, &d, err);
}

const struct mmt_renderer mmt_render_email = { "email", true, render };
