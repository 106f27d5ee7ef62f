/*
 * The fixture of the kernel-log parser's unit tests (tests/unit/test_klog_*.c).
 *
 * It offers:
 * - a private in-memory store per test (struct kfx) that counts the
 *   warnings ingesting into it raised and keeps the last one;
 * - the paths of the repository's samples and of files of the corpus in
 *   ../shared/corpus: a test that asks for an absent corpus file is
 *   skipped, not failed, since the corpus is not part of the repository;
 * - ingesting a whole file (into a fresh store: kfx_open_sample,
 *   kfx_open_corpus), lines first..last of one, or text a test made
 *   (through a temporary file, as a user would hand it over);
 * - queries that fail the test when their row is missing or, for numbers,
 *   NULL: one integer, one real, one text, the checked columns of one row
 *   (kfx_expect_row), the report that starts at a line, the number of
 *   reports of a source and of frames of a report's stack;
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
void kfx_corpus_path(char *out, size_t n, const char *rel);

/* A whole file, NUL-terminated; *len excludes the NUL. The caller frees it. */
char *kfx_slurp(const char *path, size_t *len);
/* Offset of the start of line `line` (1-based) in buf, len if it has fewer. */
size_t kfx_line_offset(const char *buf, size_t len, long line);

/* Each returns the new source's id and fails the test if it is not ingested. */
int64_t kfx_ingest_path(struct kfx *fx, const char *path);
int64_t kfx_ingest_text(struct kfx *fx, const char *text, size_t len);
int64_t kfx_ingest_lines(struct kfx *fx, const char *path, long first, long last);
/* Opens fx and ingests a whole file of samples/ or of the corpus into it. */
int64_t kfx_open_sample(struct kfx *fx, const char *sample, const char *file);
int64_t kfx_open_corpus(struct kfx *fx, const char *rel);

/*
 * The first column of the first row of an sqlite3_mprintf format; a query
 * with no row fails the test, and so does NULL where a number is wanted.
 * kfx_qtext gives "NULL" for NULL.
 */
int64_t kfx_qint(struct kfx *fx, const char *fmt, ...);
double kfx_qreal(struct kfx *fx, const char *fmt, ...);
void kfx_qtext(struct kfx *fx, char *out, size_t n, const char *fmt, ...);

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
