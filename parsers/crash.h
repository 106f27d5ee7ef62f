/*
 * The crash utility parser, in four files: crash.c finds the sections of
 * a session (by their prompt or their header line) and hands the rest of
 * the file to the kernel-log parser; crash_kmem.c reads `kmem -i` and the
 * summary rows of `kmem -s`/`-S`; crash_ps.c reads `ps`, `ps -S` and the
 * release `sys` prints; crash_scan.c reads the task list and stack scans
 * of a vmcore whose tasks crash's own table lacks (vmcore.h). This header
 * is what they share.
 */
#ifndef MMT_PARSERS_CRASH_H
#define MMT_PARSERS_CRASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/fields.h"
#include "core/stack.h"
#include "parsers/crash_list.h"
#include "parsers/parser.h"

#define CRASH_MAX_FIELDS 40	/* a row with more is not one of the tables read */
#define CRASH_MAX_COLS 16
#define CRASH_MAX_KEYS 48	/* state_keys ids remembered per file */

enum crash_section {
	CRASH_NONE,
	CRASH_KMEM_I,
	CRASH_KMEM_S,
	CRASH_PS,
	CRASH_PS_S,
	CRASH_SYS,
	CRASH_LIST,		/* list task_struct.tasks ... -S (crash_list.h) */
	CRASH_RD,		/* rd -s of a listed task's stack (crash_scan.c) */
	CRASH_THREADS,		/* a leader's walk of its threads, addresses only */
};

/* Columns the tables' headers name; CRASH_COL_OTHER for any other. */
enum crash_col {
	CRASH_COL_OTHER,
	CRASH_COL_CACHE, CRASH_COL_NAME, CRASH_COL_OBJSIZE, CRASH_COL_ALLOCATED,
	CRASH_COL_TOTAL, CRASH_COL_SLABS, CRASH_COL_SSIZE,
	CRASH_COL_PID, CRASH_COL_PPID, CRASH_COL_CPU, CRASH_COL_TASK, CRASH_COL_KSTACKP,
	CRASH_COL_ST, CRASH_COL_PCTMEM, CRASH_COL_VSZ, CRASH_COL_RSS, CRASH_COL_COMM,
};

struct crash_colname {
	const char *name;
	enum crash_col col;
};

/* The columns of a table in the order its header prints them. */
struct crash_table {
	size_t ncols;
	enum crash_col col[CRASH_MAX_COLS];
	size_t text;		/* the column whose values may hold blanks (NAME, COMM) */
};

struct crash_key {
	char name[48];
	int64_t id;
};

struct crash {
	struct mmt_input *in;
	struct mmt_store *st;
	struct mmt_err *err;
	long lineno;
	enum crash_section sec;
	long section_line;	/* first line of the open section */
	int64_t snapshot;	/* snapshots.id of the open section, 0 until it has a row */
	int64_t seq;		/* snapshots written */
	struct crash_table table;
	int64_t page_size;	/* bytes */
	bool page_size_noted;
	char release[64];	/* RELEASE: of `sys`, "" if none */
	struct crash_key keys[CRASH_MAX_KEYS];
	size_t nkeys;
	struct crash_list list;		/* tasks of `list task_struct.tasks` */
	size_t list_stored;		/* entries of it in crash_tasks */
	struct mmt_stack scan;		/* the stack scan being read */
	const struct crash_listed *scan_task;	/* its task, NULL outside a scan */
	long scan_first, scan_last;	/* its lines */
	int64_t list_snapshot;		/* the crash_list snapshot, 0 none yet */
	struct crash_walks walks;	/* the leaders' thread walks */
};

/* crash.c: shared by the section readers. */
int crash_fail(struct crash *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int crash_u64(struct crash *c, const struct mmt_field *f, const char *what, uint64_t *out);
bool crash_digits(const struct mmt_field *f);
bool crash_hex(const struct mmt_field *f);
/* The snapshot of the open section, written at its first value. */
int crash_snapshot(struct crash *c, const char *kind);
int crash_value(struct crash *c, const char *name, int64_t value);
/*
 * Reads a header into c->table; fails naming a required column it lacks.
 * required ends with CRASH_COL_OTHER and holds text, the column whose
 * values may hold blanks.
 */
int crash_table_read(struct crash *c, const struct mmt_field *f, size_t nf,
		     const struct crash_colname *names, const enum crash_col *required,
		     enum crash_col text, const char *what);
/*
 * Maps the fields of a row to the columns of c->table (out[i] for column
 * i; the text column spans the blanks of its value). False when the row
 * has too few fields to be one.
 */
bool crash_table_row(const struct crash *c, const struct mmt_field *f, size_t nf,
		     struct mmt_field *out);

/* crash_kmem.c */
bool crash_kmem_i_header(const struct mmt_field *f, size_t nf);
bool crash_kmem_s_header(const struct mmt_field *f, size_t nf);
int crash_kmem_s_begin(struct crash *c, const struct mmt_field *f, size_t nf);
/* Section lines: 1 taken, 0 not part of the section (it ends), -1 error. */
int crash_kmem_i_line(struct crash *c, const struct mmt_field *f, size_t nf);
int crash_kmem_s_line(struct crash *c, const struct mmt_field *f, size_t nf);

/* crash_ps.c */
bool crash_ps_header(const struct mmt_field *f, size_t nf);
int crash_ps_begin(struct crash *c, const struct mmt_field *f, size_t nf);
int crash_ps_line(struct crash *c, const struct mmt_field *f, size_t nf);
bool crash_ps_summary_row(const struct mmt_field *f, size_t nf);
int crash_ps_summary_line(struct crash *c, const struct mmt_field *f, size_t nf);
int crash_sys_line(struct crash *c, const struct mmt_field *f, size_t nf);

/* crash_scan.c */
bool crash_list_prompt(const struct mmt_field *f, size_t nf);
int crash_list_line(struct crash *c, const char *s, size_t n);
/* A listing begins (its prompt) and ends (stores its tasks). */
void crash_list_open(struct crash *c);
int crash_list_close(struct crash *c);
/* A thread walk's prompt; its lines (1 when one was its, else 0); its end. */
bool crash_threads_prompt(const struct mmt_field *f, size_t nf);
int crash_threads_line(struct crash *c, const char *s, size_t n);
/* After the session: how many threads the task table lacks, when walks say. */
int crash_threads_store(struct crash *c);
/* 1 when the scan is of a listed task (its lines are then read), else 0. */
int crash_rd_begin(struct crash *c, const struct mmt_field *f, size_t nf);
int crash_rd_line(struct crash *c, const struct mmt_field *f, size_t nf);
/* Stores the scan read (nothing outside one). */
int crash_rd_end(struct crash *c);

#endif
