/*
 * The trace.dat parser reads a trace in windows (parsers/trace_dat.h):
 * after a window's worth of record bytes it closes the file and opens it
 * again where each CPU of each buffer stood. Whatever the window, the
 * store must hold the same: here every committed recording of tests/data/
 * trace (versions 6 and 7, compressed or not, instances, stacks, lost
 * events), damaged copies read through a repaired copy, and the corpus's
 * version 6 files are each ingested into two fresh stores, once in one
 * window and once reopened every few records, and the two
 * stores must agree row for row: every event type's table, the events in
 * id order with their stacks, comms, instances and the trace's summary.
 * The expected values themselves (trace-cmd report's) are checked by
 * test_trace_dat.c and test_trace_dat_damage.c, on the default window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store.h"
#include "core/strbuf.h"
#include "parsers/trace_dat.h"

#include "klog_fixture.h"

/* Every row of one query as a line of '|'-separated values ("~" for NULL). */
static void dump_rows(sqlite3 *db, const char *sql, struct mmt_sb *out)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	mmt_sb_addf(out, "-- %s\n", sql);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(q); i++) {
			if (i)
				mmt_sb_addc(out, '|');
			if (sqlite3_column_type(q, i) == SQLITE_NULL)
				mmt_sb_addc(out, '~');
			else
				mmt_sb_add(out, (const char *)sqlite3_column_text(q, i),
					   (size_t)sqlite3_column_bytes(q, i));
		}
		mmt_sb_addc(out, '\n');
	}
	if (rc != SQLITE_DONE)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(q);
}

/* What a trace puts in a fresh store, as text. */
static void dump_store(struct kfx *fx, struct mmt_sb *out)
{
	static const char *const fixed[] = {
		"SELECT records, format, kernel, clock FROM sources ORDER BY id",
		"SELECT * FROM trace_sources ORDER BY 1",
		"SELECT * FROM trace_types ORDER BY 1",
		"SELECT * FROM trace_fields ORDER BY 1, 2",
		"SELECT * FROM trace_comms ORDER BY 1",
		"SELECT * FROM trace_instances ORDER BY 1",
		("SELECT id, ts_ns, cpu, pid, comm, system, name, instance, stack_id "
		 "FROM events ORDER BY id"),
		"SELECT * FROM event_stacks ORDER BY 1",
		"SELECT * FROM stacks ORDER BY 1",
		"SELECT * FROM frames ORDER BY 1, 2",
	};
	sqlite3 *db = mmt_store_handle(fx->st);
	sqlite3_stmt *q;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		dump_rows(db, fixed[i], out);
	/* Each event type's own table, every column. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT tbl FROM trace_types ORDER BY tbl", -1,
					    &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY 1",
					    (const char *)sqlite3_column_text(q, 0));

		dump_rows(db, sql, out);
		sqlite3_free(sql);
	}
	sqlite3_finalize(q);
}

/* The first line where the two dumps differ, in the failure message. */
static void expect_same(const char *what, const char *one, const char *windows)
{
	const char *a = one, *b = windows;
	long line = 1;

	if (!strcmp(one, windows))
		return;
	while (*a && *a == *b) {
		if (*a == '\n') {
			line++;
			one = a + 1;
			windows = b + 1;
		}
		a++;
		b++;
	}
	fail_msg("%s: line %ld differs:\n  one window: %.*s\n  windows:    %.*s", what, line,
		 (int)strcspn(one, "\n"), one, (int)strcspn(windows, "\n"), windows);
}

/*
 * The store of path read in windows of window bytes (0: the default), as
 * text; *reopens and *events receive how often the file was opened again
 * and how many events were stored.
 */
static char *ingest_dump(const char *path, uint64_t window, uint64_t *reopens, int64_t *events)
{
	struct mmt_sb out = MMT_SB_INIT;
	struct kfx fx;

	kfx_open(&fx);
	tdat_set_window(window);
	kfx_ingest_path(&fx, path);
	*reopens = tdat_last_reopens();
	tdat_set_window(0);
	*events = kfx_qint(&fx, "SELECT events FROM trace_sources");
	dump_store(&fx, &out);
	kfx_close(&fx);
	return mmt_sb_detach(&out);
}

/*
 * path read in one window and in windows of window bytes: the same
 * store, reopened at least min_reopens times. Returns the events stored.
 */
static int64_t expect_windows_agree(const char *path, uint64_t window, uint64_t min_reopens)
{
	uint64_t once, reopens;
	int64_t events, events_windows;
	char *one = ingest_dump(path, 0, &once, &events);
	char *many = ingest_dump(path, window, &reopens, &events_windows);

	assert_int_equal(once, 0);
	if (reopens < min_reopens)
		fail_msg("%s: reopened %llu times in windows of %llu bytes, expected %llu or more",
			 path, (unsigned long long)reopens, (unsigned long long)window,
			 (unsigned long long)min_reopens);
	expect_same(path, one, many);
	assert_int_equal(events_windows, events);
	free(one);
	free(many);
	return events;
}

/*
 * Each committed recording in windows of a few hundred bytes, which end
 * every few records (a window of one byte ends after every record, but
 * opening a file costs a few milliseconds, tens under ASan): each CPU is
 * read on from its next record wherever it lies in its page or chunk.
 * The fewest reopenings expected are about four fifths of the count seen
 * (in the comments), which a window that ended much later than its bytes
 * say would miss. Counts are trace-cmd report's (test_trace_dat.c).
 */
static void test_recordings(void **state)
{
	static const struct {
		const char *file;
		uint64_t window, min_reopens;
		int64_t events;
	} runs[] = {
		/* 960 events, each with its stack: windows end between the two, or not */
		{ "stack-v7.dat", 800, 150, 960 },		/* 191 reopenings */
		{ "inst-v7.dat", 500, 100, 1391 },		/* 128 */
		{ "inst-v6.dat", 500, 100, 1391 },		/* 128 */
		{ "inst-v7-none.dat", 1000, 50, 1391 },	/* 65 */
		{ "mem-v7.dat", 2000, 80, 4087 },		/* 102 */
		{ "inst-v7.dat", 4096, 12, 1391 },		/* 16 */
	};
	char path[4096];

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		kfx_data_path(path, sizeof(path), "trace", runs[i].file);
		assert_int_equal(expect_windows_agree(path, runs[i].window, runs[i].min_reopens),
				 runs[i].events);
	}
}

/* data[0..len) as a file of its own; path receives its name. */
static void write_temp(const char *data, size_t len, char *path, size_t n)
{
	int fd;

	snprintf(path, n, "/tmp/mmt-tdat-window-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/*
 * Damaged files, which libtracecmd reads through a repaired copy that is
 * opened again for each window (offsets and pages of test_trace_dat_damage.c):
 * inst-v7.dat without mmt_ipi's buffer table (its buffer found again), cut
 * inside mmt_vm's CPU 1 in version 6, and with top CPU 1's only chunk
 * spoilt (the copy leaves that CPU out).
 */
static void test_repaired(void **state)
{
	size_t len7, len6;
	char *v7 = kfx_data("trace", "inst-v7.dat", &len7);
	char *v6 = kfx_data("trace", "inst-v6.dat", &len6);
	char path[64];

	write_temp(v7, 41449, path, sizeof(path));
	assert_int_equal(expect_windows_agree(path, 600, 85), 1391);	/* 107 reopenings */
	unlink(path);
	write_temp(v6, 160000, path, sizeof(path));
	expect_windows_agree(path, 600, 60);	/* 76 */
	unlink(path);
	for (size_t i = 24576 + 312; i < 24576 + 412; i++)
		v7[i] ^= 0x5a;
	write_temp(v7, len7, path, sizeof(path));
	expect_windows_agree(path, 600, 45);	/* 57 */
	unlink(path);
	free(v7);
	free(v6);
}

/* Version 6 files of other machines (test_trace_dat.c's test_corpus); skipped without the corpus. */
static void test_corpus(void **state)
{
	char path[4096];

	kfx_corpus_path(path, sizeof(path), "lisa/tests/assets/sched_load/trace.dat");
	assert_int_equal(expect_windows_agree(path, 32768, 4), 3724);	/* 5 reopenings */
	kfx_corpus_path(path, sizeof(path), "trappy/tests/raw_trace.dat");
	assert_int_equal(expect_windows_agree(path, 2048, 18), 757);	/* 24 */
}

/* Mappings of the file at path in this process (its inode in /proc/self/maps). */
static int mappings_of(const char *path)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096], inode[32];
	struct stat st;
	int n = 0;

	assert_non_null(f);
	assert_int_equal(stat(path, &st), 0);
	snprintf(inode, sizeof(inode), " %llu ", (unsigned long long)st.st_ino);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, inode) != NULL;
	fclose(f);
	return n;
}

/*
 * libtracecmd 3.1.6 maps each CPU's data of an uncompressed file and
 * leaves the mappings behind when the file is closed: the parser unmaps
 * them, after each window and at the end.
 */
static void test_no_mapping_left(void **state)
{
	static const char *const files[] = { "inst-v6.dat", "inst-v7-none.dat" };
	char path[4096];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct kfx fx;

		kfx_data_path(path, sizeof(path), "trace", files[i]);
		assert_int_equal(mappings_of(path), 0);
		kfx_open(&fx);
		kfx_ingest_path(&fx, path);
		assert_int_equal(mappings_of(path), 0);
		kfx_close(&fx);
		kfx_open(&fx);
		tdat_set_window(1000);
		kfx_ingest_path(&fx, path);
		tdat_set_window(0);
		assert_true(tdat_last_reopens() > 10);
		assert_int_equal(mappings_of(path), 0);
		kfx_close(&fx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recordings),
		cmocka_unit_test(test_repaired),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_no_mapping_left),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
