/*
 * The crash utility parser: a saved crash session, or the output of single
 * commands. Sections are found by the prompt line ("crash> kmem -i") and,
 * since users often save output without it, by each table's header line.
 * `kmem -i`, `kmem -s`/`-S` summaries and `ps` become snapshots, slab
 * caches and tasks (crash_kmem.c, crash_ps.c); output of commands not
 * modelled here (`kmem -f`, `ps -t`, `vm`, ...) is skipped. Backtraces
 * (`bt`, `foreach bt`) and `log` are kernel-log text, so after this pass the
 * file is read again by the kernel-log parser, which stores every line and
 * the task dumps.
 */
#include "parsers/crash.h"
#include "parsers/series.h"
#include "core/lines.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern const struct mmt_parser mmt_parser_kernel_log;

static const char sql_insert_snapshot[] =
	"INSERT INTO snapshots (source_id, kind, series, seq, line, ts, clock) "
	"VALUES (?, ?, ?, ?, ?, NULL, NULL)";
static const char sql_insert_value[] =
	"INSERT INTO state_values (snapshot_id, key_id, value) VALUES (?, ?, ?)";

#define INTERRUPT_CHECK_EVERY 4096	/* lines */

int crash_fail(struct crash *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mmt_err_vat(c->err, c->in->path, c->lineno, fmt, ap);
	va_end(ap);
	return -1;
}

int crash_u64(struct crash *c, const struct mmt_field *f, const char *what, uint64_t *out)
{
	return mmt_field_u64(c->err, c->in->path, c->lineno, f, what, out);
}

bool crash_digits(const struct mmt_field *f)
{
	return mmt_is_digits(f->s, f->n);
}

bool crash_hex(const struct mmt_field *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (!((f->s[i] >= '0' && f->s[i] <= '9') || (f->s[i] >= 'a' && f->s[i] <= 'f')))
			return false;
	return f->n > 0;
}

int crash_snapshot(struct crash *c, const char *kind)
{
	sqlite3_stmt *s;

	if (c->snapshot)
		return 0;
	s = mmt_store_stmt(c->st, sql_insert_snapshot, c->err);
	if (!s)
		return -1;
	mmt_bind_int(s, 1, c->in->source_id);
	mmt_bind_text(s, 2, kind);
	mmt_bind_text(s, 3, c->in->path);
	mmt_bind_int(s, 4, c->seq);
	mmt_bind_int(s, 5, c->section_line);
	if (mmt_store_run(c->st, s, c->err) < 0)
		return -1;
	c->snapshot = mmt_store_last_id(c->st);
	c->seq++;
	return 0;
}

/* state_keys id of name, found or created, remembered for the file. */
static int64_t key_id(struct crash *c, const char *name)
{
	int64_t id;

	for (size_t i = 0; i < c->nkeys; i++)
		if (!strcmp(c->keys[i].name, name))
			return c->keys[i].id;
	id = mmt_state_key(c->st, name, strlen(name), false, c->err);
	if (id < 0)
		return -1;
	if (c->nkeys < CRASH_MAX_KEYS && strlen(name) < sizeof(c->keys[0].name)) {
		snprintf(c->keys[c->nkeys].name, sizeof(c->keys[0].name), "%s", name);
		c->keys[c->nkeys++].id = id;
	}
	return id;
}

int crash_value(struct crash *c, const char *name, int64_t value)
{
	int64_t key = key_id(c, name);
	sqlite3_stmt *s;

	if (key < 0)
		return -1;
	s = mmt_store_stmt(c->st, sql_insert_value, c->err);
	if (!s)
		return -1;
	mmt_bind_int(s, 1, c->snapshot);
	mmt_bind_int(s, 2, key);
	mmt_bind_int(s, 3, value);
	return mmt_store_run(c->st, s, c->err);
}

static enum crash_col column_named(const struct mmt_field *f,
				   const struct crash_colname *names)
{
	for (size_t i = 0; names[i].name; i++)
		if (mmt_field_is(f, names[i].name))
			return names[i].col;
	return CRASH_COL_OTHER;
}

int crash_table_read(struct crash *c, const struct mmt_field *f, size_t nf,
		     const struct crash_colname *names, const enum crash_col *required,
		     enum crash_col text, const char *what)
{
	struct crash_table *t = &c->table;

	/* A header that fails leaves no table (ncols 0): no row is read by it. */
	memset(t, 0, sizeof(*t));
	if (nf > CRASH_MAX_COLS)
		return crash_fail(c, "%s header with %zu columns", what, nf);
	for (size_t i = 0; i < nf; i++)
		t->col[i] = column_named(&f[i], names);
	for (size_t r = 0; required[r] != CRASH_COL_OTHER; r++) {
		size_t i = 0;

		while (i < nf && t->col[i] != required[r])
			i++;
		if (i == nf) {
			for (i = 0; names[i].col != required[r]; i++)
				;
			return crash_fail(c, "%s header without the %s column", what,
					  names[i].name);
		}
		if (required[r] == text)
			t->text = i;
	}
	t->ncols = nf;
	return 0;
}

bool crash_table_row(const struct crash *c, const struct mmt_field *f, size_t nf,
		     struct mmt_field *out)
{
	const struct crash_table *t = &c->table;
	size_t extra, k = t->text;

	if (!t->ncols || nf < t->ncols || nf > CRASH_MAX_FIELDS)
		return false;	/* no header read (or a damaged one), or not a row */
	extra = nf - t->ncols;
	for (size_t i = 0; i < t->ncols; i++)
		out[i] = f[i <= k ? i : i + extra];
	out[k].n = (size_t)(f[k + extra].s + f[k + extra].n - f[k].s);
	return true;
}

/* ---- Sections ---- */

static bool is_prompt(const struct mmt_field *f)
{
	return mmt_field_is(f, "crash>");
}

static bool has_option(const struct mmt_field *f, size_t nf, char opt)
{
	for (size_t i = 2; i < nf; i++)
		if (f[i].n >= 2 && f[i].s[0] == '-' && memchr(f[i].s + 1, opt, f[i].n - 1))
			return true;
	return false;
}

static void open_section(struct crash *c, enum crash_section sec)
{
	c->sec = sec;
	c->section_line = c->lineno;
	c->snapshot = 0;
}

/* The command of a prompt line says what some header-less output is. */
static void prompt_line(struct crash *c, const struct mmt_field *f, size_t nf)
{
	open_section(c, CRASH_NONE);
	if (nf == 2 && mmt_field_is(&f[1], "sys"))
		open_section(c, CRASH_SYS);
	else if (nf >= 3 && mmt_field_is(&f[1], "ps") && has_option(f, nf, 'S'))
		open_section(c, CRASH_PS_S);
	else if (crash_list_prompt(f, nf)) {
		open_section(c, CRASH_LIST);
		crash_list_open(c);
	}
	else if (crash_threads_prompt(f, nf))
		open_section(c, CRASH_THREADS);
	else if (nf >= 4 && mmt_field_is(&f[1], "rd") && has_option(f, nf, 's') &&
		 crash_rd_begin(c, f, nf))
		open_section(c, CRASH_RD);
}

/* A table's header opens its section: 1, 0 when the line is none, -1 error. */
static int header_line(struct crash *c, const struct mmt_field *f, size_t nf)
{
	if (crash_kmem_i_header(f, nf)) {
		open_section(c, CRASH_KMEM_I);
		return 1;
	}
	if (crash_kmem_s_header(f, nf)) {
		open_section(c, CRASH_KMEM_S);
		return crash_kmem_s_begin(c, f, nf) < 0 ? -1 : 1;
	}
	if (crash_ps_header(f, nf)) {
		open_section(c, CRASH_PS);
		return crash_ps_begin(c, f, nf) < 0 ? -1 : 1;
	}
	return 0;
}

static int section_line(struct crash *c, const struct mmt_field *f, size_t nf)
{
	switch (c->sec) {
	case CRASH_KMEM_I: return crash_kmem_i_line(c, f, nf);
	case CRASH_KMEM_S: return crash_kmem_s_line(c, f, nf);
	case CRASH_PS: return crash_ps_line(c, f, nf);
	case CRASH_PS_S: return crash_ps_summary_line(c, f, nf);
	case CRASH_SYS: return crash_sys_line(c, f, nf);
	case CRASH_LIST: case CRASH_RD: case CRASH_THREADS: case CRASH_NONE: break;
	}
	return 0;
}

/* Output that has no header: `ps -S` rows, and `sys` (also crash's banner). */
static int loose_line(struct crash *c, const struct mmt_field *f, size_t nf)
{
	if (crash_ps_summary_row(f, nf)) {
		open_section(c, CRASH_PS_S);
		return crash_ps_summary_line(c, f, nf);
	}
	if (mmt_field_is(&f[0], "KERNEL:")) {
		open_section(c, CRASH_SYS);
		return crash_sys_line(c, f, nf);
	}
	return 0;
}

/*
 * The task list and stack scans, whose lines no table header opens: 1 when
 * the line was theirs, 0 when it ends them (and is read as any other).
 */
static int listing_line(struct crash *c, const char *s, size_t n,
			const struct mmt_field *f, size_t nf)
{
	int rc;

	if (c->sec == CRASH_LIST) {
		if (crash_list_line(c, s, n))
			return 1;
		if (crash_list_close(c) < 0)
			return -1;
	} else if (c->sec == CRASH_THREADS) {
		if (crash_threads_line(c, s, n))
			return 1;
	} else if (c->sec == CRASH_RD) {
		rc = crash_rd_line(c, f, nf);
		if (rc != 0)
			return rc;
		if (crash_rd_end(c) < 0)
			return -1;
	} else {
		return 0;
	}
	open_section(c, CRASH_NONE);
	return 0;
}

static int crash_line(struct crash *c, const char *s, size_t n)
{
	struct mmt_field f[CRASH_MAX_FIELDS];
	size_t nf = mmt_fields_split(s, n, f, CRASH_MAX_FIELDS);
	size_t have = nf < CRASH_MAX_FIELDS ? nf : CRASH_MAX_FIELDS;
	int rc = listing_line(c, s, n, f, have);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (nf == 0) {
		/* kmem tables have blank lines inside; the others end there. */
		if (c->sec != CRASH_KMEM_I && c->sec != CRASH_KMEM_S)
			open_section(c, CRASH_NONE);
		return 0;
	}
	if (is_prompt(&f[0])) {
		prompt_line(c, f, have);
		return 0;
	}
	rc = header_line(c, f, have);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (c->sec != CRASH_NONE) {
		rc = section_line(c, f, nf);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
		open_section(c, CRASH_NONE);
	}
	return loose_line(c, f, have) < 0 ? -1 : 0;
}

static int read_sections(struct crash *c)
{
	struct mmt_lines lr;
	const char *s;
	size_t n;
	int rc;

	mmt_lines_init(&lr, c->in->fd, c->in->path,
		       c->in->flags & MMT_INPUT_LENIENT ? MMT_LINES_LENIENT : 0);
	while ((rc = mmt_lines_next(&lr, &s, &n, c->err)) > 0) {
		c->lineno = lr.lineno;
		if (crash_line(c, s, n) < 0) {
			rc = -1;
			break;
		}
		if (lr.lineno % INTERRUPT_CHECK_EVERY == 0 && mmt_interrupted()) {
			rc = crash_fail(c, "interrupted");
			break;
		}
	}
	mmt_lines_free(&lr);
	if (rc == 0 && c->sec == CRASH_RD)
		rc = crash_rd_end(c);
	if (rc == 0 && c->sec == CRASH_LIST)
		rc = crash_list_close(c);
	if (rc == 0 && c->sec == CRASH_THREADS)
		crash_threads_line(c, "", 0);
	if (rc == 0)
		rc = crash_threads_store(c);
	return rc;
}

/*
 * The backtraces and the log: the kernel-log parser reads the whole file
 * again. The release `sys` printed is its hint, and is stronger evidence
 * than the user's (the log's own "Linux version" line still wins).
 */
static int read_as_kernel_log(struct crash *c)
{
	struct mmt_input *in = c->in;
	const char *hint = in->kernel_hint;
	int rc;

	if (lseek(in->fd, 0, SEEK_SET) < 0)
		return mmt_err_at(c->err, in->path, 0, "cannot rewind: %s", strerror(errno));
	if (c->release[0])
		in->kernel_hint = c->release;
	rc = mmt_parser_kernel_log.parse(in, c->st, c->err);
	in->kernel_hint = hint;
	in->format = "crash";
	return rc;
}

static int parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	struct crash c = { .in = in, .st = st, .err = err };
	int rc;

	c.page_size = in->page_size > 0 ? in->page_size : 4096;
	mmt_stack_init(&c.scan);
	rc = read_sections(&c);
	mmt_stack_free(&c.scan);
	crash_list_free(&c.list);
	return rc < 0 ? -1 : read_as_kernel_log(&c);
}

/*
 * Confident only when the head shows a section this parser models (a kmem
 * or ps table, or the prompt of such a command or of `sys`, with which
 * sessions begin and whose `log` may push the rest out of the head): a
 * session of backtraces alone stays with the kernel-log parser, which
 * scores up to 90.
 */
static int probe(const char *head, size_t len)
{
	const char *p = head, *e = head + len;

	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
		struct mmt_field f[CRASH_MAX_COLS];
		size_t nf = mmt_fields_split(p, n, f, CRASH_MAX_COLS);

		if (nf > CRASH_MAX_COLS)
			nf = CRASH_MAX_COLS;
		if (nf && (crash_kmem_i_header(f, nf) || crash_kmem_s_header(f, nf) ||
			   crash_ps_header(f, nf)))
			return 95;
		if (nf >= 2 && is_prompt(&f[0]) &&
		    (mmt_field_is(&f[1], "kmem") || mmt_field_is(&f[1], "ps") ||
		     mmt_field_is(&f[1], "sys")))
			return 95;
		p = nl ? nl + 1 : e;
	}
	return 0;
}

const struct mmt_parser mmt_parser_crash = {
	.name = "crash",
	.help = "crash utility sessions: kmem -i, kmem -s/-S, ps, ps -S (and bt, "
		"foreach bt, log through the kernel-log parser)",
	.probe = probe,
	.parse = parse,
	/* The file is read twice (here and by the kernel-log parser). */
	.hashes_input = false,
	.lenient = true,
};
