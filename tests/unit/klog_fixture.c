/*
 * The fixture of the kernel-log parser's unit tests: stores, paths,
 * ingestion and queries (klog_fixture.h says what each offers). Errors
 * fail or skip the calling test through cmocka, which longjmps out of the
 * helper, so no helper returns an error code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store.h"
#include "parsers/ingest.h"

#include "klog_fixture.h"

/* journalctl -k prints the syslog layout; both names describe it. */
const struct kfx_format kfx_formats[KFX_NFORMATS] = {
	{ "dmesg.txt", "dmesg", NULL, "monotonic" },
	{ "dmesg-raw.txt", "kmsg", NULL, "monotonic" },
	{ "dmesg-T.txt", "dmesg -T", NULL, "wall" },
	{ "dmesg-iso.txt", "iso", NULL, "wall" },
	{ "journalctl-k-short-monotonic.txt", "journal-monotonic", NULL, "monotonic" },
	{ "journalctl-k.txt", "syslog", "journal", "wall" },
};

static void on_warn(void *ctx, const char *path, long line, const char *msg)
{
	struct kfx *fx = ctx;

	fx->warnings++;
	fx->warning_line = line;
	snprintf(fx->warning, sizeof(fx->warning), "%s", msg);
}

void kfx_open(struct kfx *fx)
{
	struct mmt_err err = { 0 };

	memset(fx, 0, sizeof(*fx));
	if (mmt_store_open(&fx->st, NULL, MMT_STORE_MEMORY, &err) < 0)
		fail_msg("cannot open a store: %s", err.msg);
}

void kfx_close(struct kfx *fx)
{
	mmt_store_close(fx->st);
	fx->st = NULL;
}

/* ctest sets MMT_SOURCE_DIR; the built-in path serves a test run by hand. */
const char *kfx_source_dir(void)
{
	const char *s = getenv("MMT_SOURCE_DIR");

	return s && s[0] ? s : MMT_SOURCE_DIR;
}

void kfx_sample_path(char *out, size_t n, const char *sample, const char *file)
{
	snprintf(out, n, "%s/samples/%s/%s", kfx_source_dir(), sample, file);
}

static int is_file(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The corpus sits beside the checkout, or at the workplace's shared folder. */
void kfx_corpus_path(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/../shared/corpus/%s", kfx_source_dir(), rel);
	if (is_file(out))
		return;
	snprintf(out, n, "/work/shared/corpus/%s", rel);
	if (!is_file(out))
		skip();
}

char *kfx_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long size;

	if (!fp)
		fail_msg("cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	buf[size] = '\0';
	*len = (size_t)size;
	return buf;
}

size_t kfx_line_offset(const char *buf, size_t len, long line)
{
	size_t i = 0;

	for (long l = 1; l < line && i < len; i++)
		if (buf[i] == '\n')
			l++;
	return i;
}

int64_t kfx_ingest_path(struct kfx *fx, const char *path)
{
	struct mmt_ingest_opts o = { .warn = on_warn, .hook_ctx = fx };
	struct mmt_ingest_result r;
	struct mmt_err err = { 0 };

	mmt_ingest_file(fx->st, path, &o, &r, &err);
	if (r.status != MMT_INGESTED)
		fail_msg("%s: not ingested (status %d): %s %s", path, r.status,
			 err.msg, r.why);
	return r.source_id;
}

/* Through a file, so that text takes the path a user's file takes. */
int64_t kfx_ingest_text(struct kfx *fx, const char *text, size_t len)
{
	char path[] = "/tmp/mmt-klog-test-XXXXXX";
	int fd = mkstemp(path);
	int64_t id;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	id = kfx_ingest_path(fx, path);
	unlink(path);
	return id;
}

/* Lines first..last (1-based, inclusive) of a file, with their newlines. */
int64_t kfx_ingest_lines(struct kfx *fx, const char *path, long first, long last)
{
	size_t len, b, e;
	char *buf = kfx_slurp(path, &len);
	int64_t id;

	b = kfx_line_offset(buf, len, first);
	e = kfx_line_offset(buf, len, last + 1);
	id = kfx_ingest_text(fx, buf + b, e - b);
	free(buf);
	return id;
}

int64_t kfx_open_sample(struct kfx *fx, const char *sample, const char *file)
{
	char path[4096];

	kfx_sample_path(path, sizeof(path), sample, file);
	kfx_open(fx);
	return kfx_ingest_path(fx, path);
}

int64_t kfx_open_corpus(struct kfx *fx, const char *rel)
{
	char path[4096];

	kfx_corpus_path(path, sizeof(path), rel);
	kfx_open(fx);
	return kfx_ingest_path(fx, path);
}

/* The statement of fmt, stepped to its first row; number: NULL fails. */
static sqlite3_stmt *query(struct kfx *fx, bool number, const char *fmt, va_list ap)
{
	sqlite3 *db = mmt_store_handle(fx->st);
	char *sql = sqlite3_vmprintf(fmt, ap);
	sqlite3_stmt *s;

	assert_non_null(sql);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) != SQLITE_ROW)
		fail_msg("no row: %s", sql);
	if (number && sqlite3_column_type(s, 0) == SQLITE_NULL)
		fail_msg("NULL where a number was expected: %s", sql);
	sqlite3_free(sql);
	return s;
}

int64_t kfx_qint(struct kfx *fx, const char *fmt, ...)
{
	va_list ap;
	sqlite3_stmt *s;
	int64_t v;

	va_start(ap, fmt);
	s = query(fx, true, fmt, ap);
	va_end(ap);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

double kfx_qreal(struct kfx *fx, const char *fmt, ...)
{
	va_list ap;
	sqlite3_stmt *s;
	double v;

	va_start(ap, fmt);
	s = query(fx, true, fmt, ap);
	va_end(ap);
	v = sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return v;
}

void kfx_qtext(struct kfx *fx, char *out, size_t n, const char *fmt, ...)
{
	sqlite3_stmt *s;
	va_list ap;

	va_start(ap, fmt);
	s = query(fx, false, fmt, ap);
	va_end(ap);
	snprintf(out, n, "%s", sqlite3_column_type(s, 0) == SQLITE_NULL ? "NULL" :
		 (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

void kfx_expect_row(struct kfx *fx, const char *table, int64_t id,
		    const char *const *pairs)
{
	char got[512];

	for (; pairs[0]; pairs += 2) {
		kfx_qtext(fx, got, sizeof(got), "SELECT ifnull(CAST(%s AS TEXT), 'NULL') "
			  "FROM %s WHERE rowid = %lld", pairs[0], table, (long long)id);
		if (strcmp(got, pairs[1]))
			fail_msg("%s %lld: %s is '%s', expected '%s'", table,
				 (long long)id, pairs[0], got, pairs[1]);
	}
}

int64_t kfx_report_at(struct kfx *fx, int64_t src, long line)
{
	return kfx_qint(fx, "SELECT id FROM reports WHERE source_id = %lld AND "
			"line_start = %ld", (long long)src, line);
}

int64_t kfx_count_reports(struct kfx *fx, int64_t src)
{
	return kfx_qint(fx, "SELECT count(*) FROM reports WHERE source_id = %lld",
			(long long)src);
}

int64_t kfx_count_frames(struct kfx *fx, int64_t rep)
{
	return kfx_qint(fx, "SELECT count(*) FROM frames f JOIN reports r ON "
			"f.stack_id = r.stack_id WHERE r.id = %lld", (long long)rep);
}
