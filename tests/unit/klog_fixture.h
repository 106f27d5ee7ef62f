/*
 * The fixture of the parsers' unit tests (tests/unit/test_*.c), first
 * written for the kernel-log parser's (test_klog_*.c).
 *
 * It offers:
 * - a private in-memory store per test (struct kfx) that counts the
 *   warnings ingesting into it raised and keeps the last one;
 * - the paths of the repository's samples, of the inputs a parser's tests
 *   keep in tests/data/<dir>, and of files of the corpus in
 *   ../shared/corpus: a test that asks for an absent corpus file is
 *   skipped, not failed, since the corpus is not part of the repository;
 * - bad input derived from a real file: one string of one line replaced;
 * - ingesting a whole file (into a fresh store: kfx_open_sample,
 *   kfx_open_data, kfx_open_corpus), lines first..last of one, a file
 *   twice over, or text a test made (through a temporary file, as a user
 *   would hand it over, under a name of the test's choosing if need be);
 * - ingesting text that must be refused: at a given line, with a given
 *   message, leaving the store as it was;
 * - queries that fail the test when their row is missing or, for numbers,
 *   NULL: one integer, one real, one text, the rows of a table, the kind
 *   of a source, the checked columns of one row (kfx_expect_row), the
 *   report that starts at a line, the number of reports of a source and of
 *   frames of a report's stack;
 * - the six captures of one ring buffer in samples/hung-task-fsfreeze,
 *   with the format and clock each must be read as.
 *
 * Every helper fails the calling test on an error it cannot report, so a
 * test reads as the list of facts it checks.
 */
#ifndef MMT_TESTS_KLOG_FIXTURE_H
#define MMT_TESTS_KLOG_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

struct mmt_store;

/* Over a row with a stack_id: the depth of that stack. */
#define KFX_DEPTH "(SELECT depth FROM stacks s WHERE s.id = stack_id)"

/* A private store and the warnings ingesting into it raised. */
struct kfx {
	struct mmt_store *st;
	int warnings;		/* since kfx_open, or since the test reset it */
	long warning_line;	/* the line the last warning named */
	char warning[512];	/* its message */
};

void kfx_open(struct kfx *fx);
void kfx_close(struct kfx *fx);

/* Paths; a missing corpus file skips the calling test. */
const char *kfx_source_dir(void);
void kfx_sample_path(char *out, size_t n, const char *sample, const char *file);
/* tests/data/<dir>/<file>. */
void kfx_data_path(char *out, size_t n, const char *dir, const char *file);
void kfx_corpus_path(char *out, size_t n, const char *rel);

/* A whole file, NUL-terminated; *len excludes the NUL. The caller frees it. */
char *kfx_slurp(const char *path, size_t *len);
/* kfx_slurp of tests/data/<dir>/<file>. */
char *kfx_data(const char *dir, const char *file, size_t *len);
/* Offset of the start of line `line` (1-based) in buf, len if it has fewer. */
size_t kfx_line_offset(const char *buf, size_t len, long line);
/*
 * The file at path with the first find on line `line` (1-based) replaced
 * by repl: bad input derived from a real file. find must be on that line.
 * NUL-terminated like kfx_slurp's; the caller frees it.
 */
char *kfx_derive(const char *path, long line, const char *find, const char *repl,
		 size_t *len);

/* Each returns the new source's id and fails the test if it is not ingested. */
int64_t kfx_ingest_path(struct kfx *fx, const char *path);
int64_t kfx_ingest_text(struct kfx *fx, const char *text, size_t len);
int64_t kfx_ingest_lines(struct kfx *fx, const char *path, long first, long last);
/* Text as a file called name, for parsers that read the name (free_-m). */
int64_t kfx_ingest_named(struct kfx *fx, const char *name, const char *text, size_t len);
/* The file twice over as one text, as a capture without date lines has it. */
int64_t kfx_ingest_twice(struct kfx *fx, const char *path);
/*
 * Ingesting text must fail, naming line (0: any line) in a message that
 * holds words, and leave the store as it was: the row count of each table
 * of kept_tables (klog_fixture.c) unchanged. fx NULL: into a fresh store
 * of its own, which must stay empty.
 */
void kfx_expect_refused(struct kfx *fx, const char *text, size_t len, long line,
			const char *words);
/* The same, read by the parser named as (mmt_ingest_opts.as, --as). */
void kfx_expect_refused_as(struct kfx *fx, const char *as, const char *text, size_t len,
			   long line, const char *words);
/* The same, text as a file called name (kfx_ingest_named). */
void kfx_expect_refused_named(struct kfx *fx, const char *name, const char *text,
			      size_t len, long line, const char *words);
/* Opens fx and ingests a whole file of samples/, tests/data/ or the corpus into it. */
int64_t kfx_open_sample(struct kfx *fx, const char *sample, const char *file);
int64_t kfx_open_data(struct kfx *fx, const char *dir, const char *file);
int64_t kfx_open_corpus(struct kfx *fx, const char *rel);

/*
 * The first column of the first row of an sqlite3_mprintf format; a query
 * with no row fails the test, and so does NULL where a number is wanted.
 * kfx_qtext gives "NULL" for NULL.
 */
int64_t kfx_qint(struct kfx *fx, const char *fmt, ...);
double kfx_qreal(struct kfx *fx, const char *fmt, ...);
void kfx_qtext(struct kfx *fx, char *out, size_t n, const char *fmt, ...);
/* The rows of a table or view. */
int64_t kfx_count_rows(struct kfx *fx, const char *table);
/* Fails unless source src is of kind (sources.kind: the parser that read it). */
void kfx_expect_kind(struct kfx *fx, int64_t src, const char *kind);

/*
 * Checks one row of table: pairs of an SQL expression over the row and the
 * text it must have ("NULL" for SQL NULL), ended by NULL.
 */
void kfx_expect_row(struct kfx *fx, const char *table, int64_t id,
		    const char *const *pairs);
/* The report of source src that starts at line. */
int64_t kfx_report_at(struct kfx *fx, int64_t src, long line);
int64_t kfx_count_reports(struct kfx *fx, int64_t src);
/* Rows of frames in the stack of report rep (its depth counts them too). */
int64_t kfx_count_frames(struct kfx *fx, int64_t rep);

/* One capture of samples/hung-task-fsfreeze and how it must be read. */
struct kfx_format {
	const char *file;
	const char *name;	/* sources.format */
	const char *alt;	/* another acceptable name, or NULL */
	const char *clock;
};

/*
 * dmesg, dmesg -r, dmesg -T, dmesg --time-format iso, journalctl -k -o
 * short-monotonic and journalctl -k, in this order: tests index it.
 */
#define KFX_NFORMATS 6
extern const struct kfx_format kfx_formats[KFX_NFORMATS];

#endif
