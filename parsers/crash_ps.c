/*
 * crash `ps`, `ps -S` and `sys` (see crash.c for how sections are found).
 *
 * `ps` prints one task per row; '>' marks the task active on a CPU, kernel
 * threads' names are bracketed, and a name may hold blanks:
 *        PID    PPID  CPU       TASK        ST  %MEM     VSZ    RSS  COMM
 *     >     0      0   0  ffffffff81c13460  RU   0.0       0      0  [swapper/0]
 * `ps -s` prints KSTACKP (a stack pointer) where TASK was; task is NULL
 * then. Every listing is a crash_ps snapshot, so that `ps` followed by
 * `ps -k` does not count kernel threads twice.
 *
 * `ps -S` counts tasks per state ("  UN: 31"); `sys` (and crash's banner)
 * prints "RELEASE: 5.14.0-70.el9.x86_64", the kernel the dump is of.
 */
#include "parsers/crash.h"

#include <stdio.h>
#include <string.h>

static const char sql_insert_task[] =
	"INSERT INTO crash_tasks (source_id, snapshot_id, pid, ppid, cpu, task, state, active, "
	"pct_mem, vsz_kb, rss_kb, comm, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* Task states crash prints (task_state_string()). */
static const char *const task_states[] = {
	"RU", "IN", "UN", "ZO", "ST", "TR", "DE", "SW", "WA", "PA", "ID", "NE", NULL,
};

static const struct crash_colname ps_names[] = {
	{ "PID", CRASH_COL_PID }, { "PPID", CRASH_COL_PPID }, { "CPU", CRASH_COL_CPU },
	{ "TASK", CRASH_COL_TASK }, { "KSTACKP", CRASH_COL_KSTACKP }, { "ST", CRASH_COL_ST },
	{ "%MEM", CRASH_COL_PCTMEM }, { "VSZ", CRASH_COL_VSZ }, { "RSS", CRASH_COL_RSS },
	{ "COMM", CRASH_COL_COMM }, { NULL, CRASH_COL_OTHER },
};

static const enum crash_col ps_required[] = {
	CRASH_COL_PID, CRASH_COL_PPID, CRASH_COL_CPU, CRASH_COL_ST, CRASH_COL_PCTMEM,
	CRASH_COL_VSZ, CRASH_COL_RSS, CRASH_COL_COMM, CRASH_COL_OTHER,
};

/*
 * Loose enough that a header which lost a column is named in an error;
 * TASK, KSTACKP or ST tell it from procps (`ps -o pid,ppid,stat`).
 */
bool crash_ps_header(const struct mmt_field *f, size_t nf)
{
	if (nf < 3 || !mmt_field_is(&f[0], "PID") || !mmt_field_is(&f[1], "PPID"))
		return false;
	for (size_t i = 2; i < nf; i++)
		if (mmt_field_is(&f[i], "TASK") || mmt_field_is(&f[i], "KSTACKP") ||
		    mmt_field_is(&f[i], "ST"))
			return true;
	return false;
}

int crash_ps_begin(struct crash *c, const struct mmt_field *f, size_t nf)
{
	if (crash_table_read(c, f, nf, ps_names, ps_required, CRASH_COL_COMM, "ps") < 0)
		return -1;
	for (size_t i = 0; i < c->table.ncols; i++)
		if (c->table.col[i] == CRASH_COL_TASK || c->table.col[i] == CRASH_COL_KSTACKP)
			return 0;
	return crash_fail(c, "ps header without the TASK column");
}

struct task_row {
	uint64_t pid, ppid, cpu, vsz, rss;
	bool has_ppid;
	bool has_cpu, active;
	double pct_mem;
	struct mmt_field task, state, comm;
};

static bool state_field(const struct mmt_field *f)
{
	if (f->n < 1 || f->n > 3)
		return false;
	for (size_t i = 0; i < f->n; i++)
		if ((f->s[i] < 'A' || f->s[i] > 'Z') && f->s[i] != '?')
			return false;
	return true;
}

/* The fields crash prints as text: CPU may be '-', KSTACKP '--'. */
static bool text_fields_fit(const struct mmt_field *f, enum crash_col col)
{
	switch (col) {
	case CRASH_COL_CPU: return crash_digits(f) || mmt_field_is(f, "-");
	case CRASH_COL_TASK: return crash_hex(f);
	case CRASH_COL_KSTACKP: return crash_hex(f) || mmt_field_is(f, "--");
	case CRASH_COL_ST: return state_field(f);
	default: return true;
	}
}

static int read_column(struct crash *c, const struct mmt_field *f, enum crash_col col,
		       struct task_row *r)
{
	switch (col) {
	case CRASH_COL_PID: return crash_u64(c, f, "ps PID", &r->pid);
	case CRASH_COL_PPID:
		/* -1: crash could not find the parent (a task it lists from a CPU's
		   runqueue while its own task table lacks the others) */
		r->has_ppid = !mmt_field_is(f, "-1");
		return r->has_ppid ? crash_u64(c, f, "ps PPID", &r->ppid) : 0;
	case CRASH_COL_VSZ: return crash_u64(c, f, "ps VSZ", &r->vsz);
	case CRASH_COL_RSS: return crash_u64(c, f, "ps RSS", &r->rss);
	case CRASH_COL_CPU:
		r->has_cpu = crash_digits(f);
		return r->has_cpu ? crash_u64(c, f, "ps CPU", &r->cpu) : 0;
	case CRASH_COL_PCTMEM:
		if (mmt_parse_double(f->s, f->n, &r->pct_mem) != MMT_NUM_OK)
			return crash_fail(c, "ps %%MEM '%.*s' is not a number",
					  (int)(f->n > 40 ? 40 : f->n), f->s);
		return 0;
	case CRASH_COL_TASK: r->task = *f; return 0;
	case CRASH_COL_ST: r->state = *f; return 0;
	case CRASH_COL_COMM: r->comm = *f; return 0;
	default: return 0;
	}
}

/* 1 when the row is read, 0 when it does not have a ps row's shape. */
static int read_task(struct crash *c, const struct mmt_field *col, struct task_row *r)
{
	for (size_t i = 0; i < c->table.ncols; i++)
		if (!text_fields_fit(&col[i], c->table.col[i]))
			return 0;
	for (size_t i = 0; i < c->table.ncols; i++)
		if (read_column(c, &col[i], c->table.col[i], r) < 0)
			return -1;
	return 1;
}

static int store_task(struct crash *c, const struct task_row *r)
{
	sqlite3_stmt *s;

	if (crash_snapshot(c, "crash_ps") < 0)
		return -1;
	s = mmt_store_stmt(c->st, sql_insert_task, c->err);
	if (!s)
		return -1;
	mmt_bind_int(s, 1, c->in->source_id);
	mmt_bind_int(s, 2, c->snapshot);
	mmt_bind_int(s, 3, (int64_t)r->pid);
	mmt_bind_int_opt(s, 4, (int64_t)r->ppid, r->has_ppid);
	mmt_bind_int_opt(s, 5, (int64_t)r->cpu, r->has_cpu);
	if (r->task.s)
		mmt_bind_textn(s, 6, r->task.s, r->task.n);
	mmt_bind_textn(s, 7, r->state.s, r->state.n);
	mmt_bind_int(s, 8, r->active);
	mmt_bind_double_opt(s, 9, r->pct_mem, true);
	mmt_bind_int(s, 10, (int64_t)r->vsz);
	mmt_bind_int(s, 11, (int64_t)r->rss);
	mmt_bind_textn(s, 12, r->comm.s, r->comm.n);
	mmt_bind_int(s, 13, c->lineno);
	return mmt_store_run(c->st, s, c->err);
}

/*
 * A line that is not a row ends the listing; one that begins as a row
 * (PID and PPID) but is not one was cut or damaged, which is an error.
 */
int crash_ps_line(struct crash *c, const struct mmt_field *f, size_t nf)
{
	struct task_row r = { .active = nf > 0 && mmt_field_is(&f[0], ">") };
	struct mmt_field col[CRASH_MAX_COLS];
	const struct mmt_field *row = f + r.active;
	size_t rn = nf - r.active;
	int rc = 0;

	if (nf > CRASH_MAX_FIELDS)
		return 0;	/* only CRASH_MAX_FIELDS were split: row + rn would run past them */
	if (crash_table_row(c, row, rn, col))
		rc = read_task(c, col, &r);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return store_task(c, &r) < 0 ? -1 : 1;
	if (rn >= 2 && rn <= CRASH_MAX_FIELDS && crash_digits(&row[0]) && crash_digits(&row[1]))
		return crash_fail(c, "ps row does not match its header (%zu columns): "
				  "cut or damaged", c->table.ncols);
	return 0;
}

/* ---- ps -S ---- */

bool crash_ps_summary_row(const struct mmt_field *f, size_t nf)
{
	if (nf != 2 || f[0].n != 3 || f[0].s[2] != ':' || !crash_digits(&f[1]))
		return false;
	for (size_t i = 0; task_states[i]; i++)
		if (!memcmp(f[0].s, task_states[i], 2))
			return true;
	return false;
}

int crash_ps_summary_line(struct crash *c, const struct mmt_field *f, size_t nf)
{
	char name[32];
	uint64_t count;

	if (!crash_ps_summary_row(f, nf))
		return 0;
	if (crash_u64(c, &f[1], "ps -S count", &count) < 0 ||
	    crash_snapshot(c, "crash_ps") < 0)
		return -1;
	snprintf(name, sizeof(name), "crash.tasks_%.2s", f[0].s);
	return crash_value(c, name, (int64_t)count) < 0 ? -1 : 1;
}

/* ---- sys ---- */

/* "KEY: value" with KEY in capitals ("LOAD AVERAGE:", "RELEASE:"). */
int crash_sys_line(struct crash *c, const struct mmt_field *f, size_t nf)
{
	size_t k = 0;

	while (k < nf && k < 3 && f[k].n && f[k].s[f[k].n - 1] != ':')
		k++;
	if (k == nf || k == 3 || f[k].n < 2)
		return 0;
	for (size_t i = 0; i <= k; i++)
		for (size_t j = 0; j + (i == k) < f[i].n; j++)
			if ((f[i].s[j] < 'A' || f[i].s[j] > 'Z') && f[i].s[j] != '_')
				return 0;
	if (k == 0 && mmt_field_is(&f[0], "RELEASE:") && nf >= 2 &&
	    f[1].n < sizeof(c->release)) {
		memcpy(c->release, f[1].s, f[1].n);
		c->release[f[1].n] = '\0';
	}
	return 1;
}
