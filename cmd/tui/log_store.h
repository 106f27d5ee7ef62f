/*
 * The kernel-log lines of the store as the Log view walks them, a few
 * rows at a time, never all of them: a log may hold millions of lines.
 *
 * Each log's lines were written in one transaction with consecutive ids in
 * line order (parsers/klog_lines.c), so a source is a block of ids
 * [lo, hi]: the next line is the next id, a line number or a time is found
 * by bisecting the block with rowid lookups, and no index beyond the
 * table's own is needed. Reports fold: a folded report shows its first
 * line only, and the lines after it up to its last are skipped.
 */
#ifndef MMT_TUI_LOG_STORE_H
#define MMT_TUI_LOG_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/store.h"
#include "core/strbuf.h"

struct log_report {
	int64_t id, start, end;		/* its first and last line */
	int64_t start_id, end_id;	/* their ids, 0 until looked up */
	char kind[24];
	bool open;			/* unfolded */
};

struct log_source {
	int64_t id, lo, hi;		/* the source and its lines' ids */
	double offset;			/* to the common timeline (t_offset, else 0) */
	bool has_offset;
	char *path, *format, *clock;
	struct log_report *reports;	/* by first line */
	size_t nreports;
};

struct log_store {
	struct mmt_store *st;
	struct log_source *src;		/* in id order */
	size_t nsrc;
	struct mmt_sb text, origin;	/* of the last log_row */
};

/* A place in the walk: a source's header line (id 0) or one of its lines. */
struct log_pos {
	size_t src;
	int64_t id;
};

/* A line as drawn; text and origin until the next log_row call. */
struct log_row {
	int64_t id, line, level, report;
	double t;			/* common timeline */
	bool has_t, has_level;
	const char *text, *origin;
};

int log_store_open(struct log_store *l, struct mmt_store *st, struct mmt_err *err);
void log_store_free(struct log_store *l);

int log_pos_cmp(struct log_pos a, struct log_pos b);
/* The line at id; false when there is none. */
bool log_row(struct log_store *l, int64_t id, struct log_row *r);
/* The report whose lines hold line of source s, NULL if none. */
struct log_report *log_report_at(struct log_store *l, size_t s, int64_t line);
/* The first id of source s at or after line (hi + 1 when none). */
int64_t log_line_id(struct log_store *l, size_t s, int64_t line);
/* Lines a folded report hides. */
int64_t log_report_hidden(struct log_store *l, size_t s, struct log_report *r);
/* The next and previous shown place; false at either end. */
bool log_next(struct log_store *l, struct log_pos *p);
bool log_prev(struct log_store *l, struct log_pos *p);
/* The first and last shown places. */
struct log_pos log_first(void);
struct log_pos log_last(struct log_store *l);
/* p itself when shown, else the first line of the folded report hiding it. */
struct log_pos log_shown(struct log_store *l, struct log_pos p);
/* The source holding a line id, or nsrc. */
size_t log_source_of(const struct log_store *l, int64_t id);
/* The first line of source s at or after ts (common timeline); false when none is. */
bool log_at_time(struct log_store *l, size_t s, double ts, int64_t *id);
/* The next (dir 1) or previous (-1) line after id whose text holds what (ASCII case ignored). */
bool log_search(struct log_store *l, int64_t id, int dir, const char *what, int64_t *found);

#endif
