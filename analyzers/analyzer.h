/*
 * The analyzer interface. Analyzers read facts from the store and write
 * findings (and the analysis columns of reports and tasks); they never
 * print. `mmtriage analyze` runs them all in order, in one transaction,
 * after clearing earlier findings, then writes the diagnosis.
 */
#ifndef MMT_ANALYZER_H
#define MMT_ANALYZER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "core/store.h"
#include "core/strbuf.h"

/*
 * A named threshold. Analyzers read them with mmt_threshold(); users change
 * them with `mmtriage analyze --set NAME=VALUE`; docs/findings.md lists
 * them all (`mmtriage analyze --thresholds` prints the same table).
 */
struct mmt_threshold {
	const char *name;	/* "ANALYZER.what", e.g. "writeback.stall_secs" */
	double value;		/* the default */
	const char *unit;	/* "s", "kB", "%", "ratio", "count", "/s", ... */
	const char *meaning;	/* one line */
};

struct mmt_analyzer {
	const char *name;
	const char *help;	/* one line for `mmtriage help analyze` */
	int (*run)(struct mmt_store *st, struct mmt_err *err);
	const struct mmt_threshold *thresholds;	/* ends with { NULL }; may be NULL */
};

extern const struct mmt_analyzer *const mmt_analyzers[];

/* Runs every analyzer and the diagnosis; all or nothing. */
int mmt_analyze(struct mmt_store *st, struct mmt_err *err);

/*
 * The value of a threshold for this run: its default, or what --set gave.
 * An unknown name is a programming error and aborts.
 */
double mmt_threshold(const char *name);
/* "NAME=VALUE" from --set; refuses unknown names and values that are not numbers. */
int mmt_threshold_override(const char *assignment, struct mmt_err *err);
/* Back to the defaults (tests run analyze several times in one process). */
void mmt_thresholds_reset(void);
/* Writes analysis_thresholds for this run. */
int mmt_thresholds_store(struct mmt_store *st, struct mmt_err *err);
/* The table of every threshold, for `mmtriage analyze --thresholds`. */
void mmt_thresholds_print(FILE *out);

/* A finding being written. */
struct mmt_finding {
	const char *analyzer;
	const char *kind;
	const char *severity;		/* "critical", "warning", "info" */
	char title[256];
	struct mmt_sb summary;
	double t_start, t_end;
	bool has_t;
	int score;
	double confidence;		/* 0 to 1; negative: not stated (stored NULL) */
};

void mmt_finding_init(struct mmt_finding *f, const char *analyzer, const char *kind,
		      const char *severity);
void mmt_finding_time(struct mmt_finding *f, double t);
void mmt_finding_free(struct mmt_finding *f);
/* Inserts the finding; returns its id or -1. */
int64_t mmt_finding_add(struct mmt_store *st, const struct mmt_finding *f,
			struct mmt_err *err);
/* Names what a finding is about; the same subject twice is stored once. */
int mmt_finding_subject(struct mmt_store *st, int64_t finding, const char *type,
			int64_t pid, bool has_pid, const char *name, struct mmt_err *err);
/* Evidence from a log line of a report (its text is read from the store). */
int mmt_finding_line(struct mmt_store *st, int64_t finding, int idx,
		     int64_t source_id, int64_t line, int64_t report_id,
		     struct mmt_err *err);
/*
 * The first line of report_id at or after from_line whose text holds needle
 * (a frame), as evidence; returns 0 if none.
 */
int mmt_finding_frame_line(struct mmt_store *st, int64_t finding, int idx,
			   int64_t report_id, int64_t from_line, const char *needle,
			   struct mmt_err *err);
int mmt_finding_report(struct mmt_store *st, int64_t finding, int64_t report_id,
		       struct mmt_err *err);

/*
 * A report's time on the common timeline (docs/capture.md), for queries
 * over reports aliased A ("r.") or not (""): findings' times are on it.
 */
#define MMT_REPORT_TS(a) "(" a "t + ifnull((SELECT s.t_offset FROM sources s " \
	"WHERE s.id = " a "source_id), 0))"

/* Evidence that is not a report's log line: a sample, an event or a figure. */
struct mmt_evidence {
	const char *kind;		/* "sample", "event", "summary", "log" */
	int64_t source_id;		/* 0: none */
	int64_t line;			/* 0: none (log lines only) */
	int64_t event_id;		/* 0: none (the events view's id) */
	double ts;			/* common timeline */
	bool has_ts;
	const char *text;		/* as it should be shown */
};

int mmt_finding_evidence(struct mmt_store *st, int64_t finding, int idx,
			 const struct mmt_evidence *e, struct mmt_err *err);

/*
 * A time for titles and summaries: "2026-11-21 22:27:08 UTC" for Unix
 * times, "1234.567 s" for times since boot.
 */
void mmt_time_str(double ts, char *out, size_t n);

/*
 * Reports grouped into findings: a query returns report rows ordered by a
 * key column; consecutive rows with the same key form a group. begin runs
 * on a group's first row (it usually inserts the finding), add on every
 * row, end after the last one. Times between reports give the cadence.
 */
struct mmt_group {
	int64_t finding;		/* set by begin */
	size_t count;			/* rows added so far */
	double t_first, t_last;
	bool has_t;
	double gap_min, gap_max;	/* between consecutive reports */
	int evidence;			/* next evidence index */
	void *ctx;			/* the caller's */
	char first_key[512];
};

typedef int (*mmt_group_fn)(struct mmt_store *st, sqlite3_stmt *row,
			    struct mmt_group *g, struct mmt_err *err);

int mmt_group_rows(struct mmt_store *st, const char *sql, int key_col, int t_col,
		   mmt_group_fn begin, mmt_group_fn add, mmt_group_fn end, void *ctx,
		   struct mmt_err *err);
/* "about every 3.2 s (2.9 to 3.6 s)", or "" for fewer than two reports. */
void mmt_group_cadence(const struct mmt_group *g, struct mmt_sb *sb);
/* Completes a finding inserted earlier: kind, title, summary, severity, times, score, confidence. */
int mmt_finding_complete(struct mmt_store *st, int64_t id, const struct mmt_finding *f,
			 struct mmt_err *err);

/*
 * The per-type table of trace event NAME of SYSTEM (NULL: any system) into
 * tbl; false when no trace recorded it.
 */
bool mmt_event_table(struct mmt_store *st, const char *system, const char *name,
		     char *tbl, size_t n);
/* Whether a table or view has a column: 1, 0, or -1 on a database error. */
int mmt_has_column(struct mmt_store *st, const char *table, const char *column,
		   struct mmt_err *err);
/* Whether it has every column of a comma-separated list. */
bool mmt_has_columns(struct mmt_store *st, const char *table, const char *columns);
/* Whether a table or view of that name exists. */
bool mmt_has_table(struct mmt_store *st, const char *name);

/* Sorts v ascending; n may be 0 (and v NULL). */
void mmt_sort_doubles(double *v, size_t n);

/* A stack loaded from the store, with symbols reduced to their base names. */
struct mmt_loaded_stack {
	char **sym;
	bool *reliable;
	char **ctx;			/* 'task', 'irq', ... or "" */
	char **src;			/* source location as printed, or "" */
	size_t n;
};

int mmt_stack_load(struct mmt_store *st, int64_t stack_id, struct mmt_loaded_stack *out,
		   struct mmt_err *err);
void mmt_stack_unload(struct mmt_loaded_stack *s);

/* "__x64_sys_write" -> "sys_write": how syscalls are named in titles. */
void mmt_culprit_name(const char *sym, char *out, size_t outsz);

#endif
