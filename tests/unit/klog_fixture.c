/*
 * The fixture of the parsers' unit tests: stores, paths, ingestion and
 * queries (klog_fixture.h says what each offers). Errors fail or skip the
 * calling test through cmocka, which longjmps out of the helper, so no
 * helper returns an error code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
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

void kfx_data_path(char *out, size_t n, const char *dir, const char *file)
{
	snprintf(out, n, "%s/tests/data/%s/%s", kfx_source_dir(), dir, file);
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

char *kfx_data(const char *dir, const char *file, size_t *len)
{
	char path[4096];

	kfx_data_path(path, sizeof(path), dir, file);
	return kfx_slurp(path, len);
}

size_t kfx_line_offset(const char *buf, size_t len, long line)
{
	size_t i = 0;

	for (long l = 1; l < line && i < len; i++)
		if (buf[i] == '\n')
			l++;
	return i;
}

char *kfx_derive(const char *path, long line, const char *find, const char *repl,
		 size_t *len)
{
	size_t n, b, e, at, k = strlen(find), r = strlen(repl);
	char *buf = kfx_slurp(path, &n), *out, *hit;
	char saved;

	b = kfx_line_offset(buf, n, line);
	e = kfx_line_offset(buf, n, line + 1);
	/* Searched for on that line alone. */
	saved = buf[e];
	buf[e] = '\0';
	hit = strstr(buf + b, find);
	if (!hit)
		fail_msg("'%s' is not on line %ld of %s", find, line, path);
	buf[e] = saved;
	at = (size_t)(hit - buf);
	out = malloc(n - k + r + 1);
	assert_non_null(out);
	memcpy(out, buf, at);
	memcpy(out + at, repl, r);
	memcpy(out + at + r, hit + k, n - at - k + 1);	/* with the NUL */
	*len = n - k + r;
	free(buf);
	return out;
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

/* A temporary file, and the folder made for it when it has a given name. */
struct temp {
	char dir[64];		/* "" when the file is mkstemp's */
	char path[512];
};

/*
 * Text into a new temporary file, so that it takes the path a user's file
 * takes: one of mkstemp's names or, when name is not NULL, a file of that
 * name in a new temporary folder. remove_temp undoes it.
 */
static void write_temp(struct temp *t, const char *name, const char *text, size_t len)
{
	int fd;

	if (name) {
		snprintf(t->dir, sizeof(t->dir), "/tmp/mmt-test-XXXXXX");
		assert_non_null(mkdtemp(t->dir));
		if (snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, name) >=
		    (int)sizeof(t->path))
			fail_msg("name too long: %s", name);
		fd = open(t->path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	} else {
		t->dir[0] = '\0';
		snprintf(t->path, sizeof(t->path), "/tmp/mmt-test-XXXXXX");
		fd = mkstemp(t->path);
	}
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void remove_temp(const struct temp *t)
{
	unlink(t->path);
	if (t->dir[0])
		rmdir(t->dir);
}

static int64_t ingest_temp(struct kfx *fx, const char *name, const char *text, size_t len)
{
	struct temp t;
	int64_t id;

	write_temp(&t, name, text, len);
	id = kfx_ingest_path(fx, t.path);
	remove_temp(&t);
	return id;
}

int64_t kfx_ingest_text(struct kfx *fx, const char *text, size_t len)
{
	return ingest_temp(fx, NULL, text, len);
}

int64_t kfx_ingest_named(struct kfx *fx, const char *name, const char *text, size_t len)
{
	return ingest_temp(fx, name, text, len);
}

int64_t kfx_ingest_twice(struct kfx *fx, const char *path)
{
	size_t len;
	char *buf = kfx_slurp(path, &len), *twice = malloc(2 * len + 1);
	int64_t id;

	assert_non_null(twice);
	memcpy(twice, buf, len);
	memcpy(twice + len, buf, len);
	id = kfx_ingest_text(fx, twice, 2 * len);
	free(twice);
	free(buf);
	return id;
}

/* Every table a failed ingest must leave as it was. */
static const char *const kept_tables[] = {
	"sources", "snapshots", "state_keys", "log_lines", "state_values", "zone_values",
	"free_areas", "swap_devices", "psi_values", "slab_caches", "slab_attrs",
	"slab_aliases", "irq_counts", "crash_tasks", "tree_files", "trace_types",
	"trace_fields", "trace_comms", "trace_sources", "event_stacks", "stacks",
	"sqlite_master",	/* the tables and views a new event type makes */
};

#define NKEPT (sizeof(kept_tables) / sizeof(kept_tables[0]))

static void count_kept(struct kfx *fx, int64_t rows[NKEPT])
{
	for (size_t i = 0; i < NKEPT; i++)
		rows[i] = kfx_count_rows(fx, kept_tables[i]);
}

/* Ingesting text (read by parser as, or the one sniffed) must fail; see the header. */
static void expect_refused(struct kfx *fx, const char *as, const char *name,
			   const char *text, size_t len, long line, const char *words)
{
	struct kfx own;
	struct mmt_ingest_opts o = { .as = as, .warn = on_warn };
	struct mmt_ingest_result r;
	struct mmt_err err = { 0 };
	struct temp t;
	int64_t before[NKEPT], after[NKEPT];

	if (!fx) {
		fx = &own;
		kfx_open(fx);
	}
	o.hook_ctx = fx;
	count_kept(fx, before);
	write_temp(&t, name, text, len);
	mmt_ingest_file(fx->st, t.path, &o, &r, &err);
	remove_temp(&t);
	if (r.status != MMT_INGEST_FAILED)
		fail_msg("ingested (status %d), expected a failure with '%s'", r.status, words);
	if (line && err.line != line)
		fail_msg("failed at line %ld with '%s', expected line %ld", err.line, err.msg,
			 line);
	if (!strstr(err.msg, words))
		fail_msg("message '%s' lacks '%s'", err.msg, words);
	count_kept(fx, after);
	for (size_t i = 0; i < NKEPT; i++)
		if (after[i] != before[i])
			fail_msg("%s: %lld rows after the failure, %lld before", kept_tables[i],
				 (long long)after[i], (long long)before[i]);
	if (fx == &own)
		kfx_close(fx);
}

void kfx_expect_refused(struct kfx *fx, const char *text, size_t len, long line,
			const char *words)
{
	expect_refused(fx, NULL, NULL, text, len, line, words);
}

void kfx_expect_refused_as(struct kfx *fx, const char *as, const char *text, size_t len,
			   long line, const char *words)
{
	expect_refused(fx, as, NULL, text, len, line, words);
}

void kfx_expect_refused_named(struct kfx *fx, const char *name, const char *text,
			      size_t len, long line, const char *words)
{
	expect_refused(fx, NULL, name, text, len, line, words);
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

int64_t kfx_open_data(struct kfx *fx, const char *dir, const char *file)
{
	char path[4096];

	kfx_data_path(path, sizeof(path), dir, file);
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

int64_t kfx_count_rows(struct kfx *fx, const char *table)
{
	return kfx_qint(fx, "SELECT count(*) FROM %s", table);
}

void kfx_expect_kind(struct kfx *fx, int64_t src, const char *kind)
{
	char got[64];

	kfx_qtext(fx, got, sizeof(got), "SELECT kind FROM sources WHERE id = %lld",
		  (long long)src);
	if (strcmp(got, kind))
		fail_msg("source %lld is of kind %s, expected %s", (long long)src, got, kind);
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
