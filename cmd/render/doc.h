/*
 * The human-readable reports (text, Markdown, email) say the same things
 * in the same order; only their markup differs. doc.c walks the model and
 * calls a format's operations for each element.
 */
#ifndef MMT_DOC_H
#define MMT_DOC_H

#include "cmd/render/render.h"
#include "cmd/render/series.h"

struct doc {
	FILE *out;
	const struct doc_ops *ops;
	size_t width;			/* wrap paragraphs here; 0: do not wrap */
	size_t table_width;		/* fit tables in this width; 0: no limit */
	struct mmt_sb sb;		/* scratch for escaping */
	bool brief;			/* doc_render writes the brief form */
	size_t chart_buckets;		/* points per series for ops->charts */
	struct mmt_store *st;		/* set by doc_render, for the parts loaded late */
};

struct doc_ops {
	void (*title)(struct doc *d, const char *text);
	void (*heading)(struct doc *d, const char *text);
	/* A paragraph of prose; it holds untrusted names and must be escaped. */
	void (*para)(struct doc *d, const char *text);
	/* A finding's first line: "[1] CRITICAL  title". */
	void (*item)(struct doc *d, int n, const char *severity, const char *title);
	/* A labelled line under an item: "tasks: dd:1234, sh:1240". */
	void (*field)(struct doc *d, const char *label, const char *text);
	void (*evidence_begin)(struct doc *d);
	/* where is "dmesg.txt:123"; text is the log line, untrusted. */
	void (*evidence)(struct doc *d, const char *where, const char *text);
	void (*evidence_end)(struct doc *d);
	/* A table of ncol columns; cells are untrusted. */
	void (*table)(struct doc *d, const char *const *head, size_t ncol,
		      char *const *cells, size_t nrows);
	/* The time series, after the diagnosis; NULL where a format has none. */
	void (*charts)(struct doc *d, const struct rm_charts *c);
	/*
	 * A stack of a report the finding groups, innermost first; matters
	 * marks the frames that say what the task waits for (the wait site to
	 * the culprit). NULL where a format shows evidence lines only.
	 */
	void (*stack)(struct doc *d, const char *label, const struct rm_frame *f, size_t n,
		      const bool *matters);
};

int doc_render(struct mmt_store *st, const struct rm_model *m, struct doc *d,
	       struct mmt_err *err);

/* The stacks of the first reports a finding groups, through ops->stack. */
int doc_stacks(struct doc *d, const struct rm_model *m, const struct rm_finding *f,
	       struct mmt_err *err);

/* Shared helpers for the formats. */
void doc_escape(struct doc *d, const char *s);			/* terminal-safe into d->sb */
void doc_wrap(FILE *out, const char *text, size_t width, const char *indent,
	      const char *first_indent);
/* Aligned columns, each cut to fit; used by the text and email tables. */
void doc_plain_table(struct doc *d, const char *const *head, size_t ncol,
		     char *const *cells, size_t nrows, size_t max_width, const char *indent);

#endif
