/*
 * Tests of what the kernel-log parser takes off the front of a line:
 * printk timestamps and callers, printk levels, dmesg -T and ISO times,
 * syslog and journal headers, and console noise before a timestamp, as
 * seen in the rows of a store after ingesting real logs (klog_decode and
 * klog_sniff on single lines and heads are in test_klog_decode.c).
 *
 * Inputs are real: the six captures of one ring buffer in
 * samples/hung-task-fsfreeze (dmesg, dmesg -r, dmesg -T, dmesg --time-format
 * iso, journalctl -k -o short-monotonic, journalctl -k), files of the
 * corpus in ../shared/corpus named above each test (tests that need it
 * skip when it is absent), and excerpts of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"

#include "klog_fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define SAMPLE_LINES 435	/* records in every file of hung-task-fsfreeze */

static void expect_near(double got, double want, double eps, const char *what)
{
	if (fabs(got - want) > eps)
		fail_msg("%s: %.6f, expected %.6f", what, got, want);
}

/* ---- The six formats of one ring buffer --------------------------------- */

/* Ingests the six files into one store; src[i] is kfx_formats[i]'s source. */
static void ingest_six(struct kfx *fx, int64_t src[KFX_NFORMATS])
{
	char path[4096];

	kfx_open(fx);
	for (size_t i = 0; i < KFX_NFORMATS; i++) {
		kfx_sample_path(path, sizeof(path), "hung-task-fsfreeze", kfx_formats[i].file);
		src[i] = kfx_ingest_path(fx, path);
	}
}

static void test_six_formats_sources(void **state)
{
	int64_t src[KFX_NFORMATS];
	char got[64];
	struct kfx fx;

	ingest_six(&fx, src);
	for (size_t i = 0; i < KFX_NFORMATS; i++) {
		const struct kfx_format *f = &kfx_formats[i];

		kfx_qtext(&fx, got, sizeof(got), "SELECT format FROM sources WHERE id = %lld",
			  (long long)src[i]);
		if (strcmp(got, f->name) && (!f->alt || strcmp(got, f->alt)))
			fail_msg("%s: format '%s', expected '%s'", f->file, got, f->name);
		kfx_expect_row(&fx, "sources", src[i], (const char *const[]){
			"clock", f->clock, "records", "435",
			"kernel", "6.18.44-fc-v769", NULL });
		assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE "
					  "source_id = %lld AND t IS NULL", (long long)src[i]), 0);
	}
	kfx_close(&fx);
}

/*
 * The four marker lines are user-space records written to /dev/kmsg: dmesg
 * shows their "mmtriage-recipe[16484]: " ident as text, journalctl as the
 * record's program.
 */
static int is_marker(const char *text)
{
	return !strncmp(text, "mmtriage-recipe[16484]: ", 24);
}

/* Every kernel line of source other has the text and line number dmesg.txt gives it. */
static void expect_same_text(struct kfx *fx, int64_t base, int64_t other,
			     const char *name)
{
	sqlite3 *db = mmt_store_handle(fx->st);
	sqlite3_stmt *s;
	int rows = 0;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT a.line, b.line, a.text, b.text, "
		"b.origin FROM log_lines a JOIN log_lines b ON b.source_id = ?2 AND "
		"b.id - (SELECT min(id) FROM log_lines WHERE source_id = ?2) = "
		"a.id - (SELECT min(id) FROM log_lines WHERE source_id = ?1) "
		"WHERE a.source_id = ?1 ORDER BY a.id", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, base);
	sqlite3_bind_int64(s, 2, other);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(s, 2);
		const char *b = (const char *)sqlite3_column_text(s, 3);

		rows++;
		if (sqlite3_column_int(s, 0) != sqlite3_column_int(s, 1))
			fail_msg("%s: row %d is line %d, dmesg.txt has %d", name, rows,
				 sqlite3_column_int(s, 1), sqlite3_column_int(s, 0));
		if (is_marker(a) && sqlite3_column_type(s, 4) != SQLITE_NULL)
			continue;
		if (strcmp(a, b))
			fail_msg("%s line %d: '%s', dmesg.txt has '%s'", name,
				 sqlite3_column_int(s, 0), b, a);
	}
	sqlite3_finalize(s);
	assert_int_equal(rows, SAMPLE_LINES);
}

static void test_six_formats_text(void **state)
{
	static const int same_text[] = { 1, 2, 5 };	/* dmesg -r, -T, journalctl -k */
	int64_t src[KFX_NFORMATS];
	struct kfx fx;

	ingest_six(&fx, src);
	for (size_t i = 0; i < N(same_text); i++)
		expect_same_text(&fx, src[0], src[same_text[i]],
				 kfx_formats[same_text[i]].file);
	/* journalctl -o short-monotonic: the kernel lines */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines a JOIN log_lines b "
				  "ON b.source_id = %lld AND b.line = a.line AND b.text = a.text "
				  "WHERE a.source_id = %lld AND "
				  "a.text NOT LIKE 'mmtriage-recipe%%'",
				  (long long)src[4], (long long)src[0]), SAMPLE_LINES - 4);
	/*
	 * dmesg-iso.txt:9 "2026-11-21T21:04:13,935413+00:00 Call Trace:": after
	 * an ISO time, "Word Word:" is kernel text, not a syslog host and
	 * ident, and the line is one of the report that starts at :5.
	 */
	kfx_expect_row(&fx, "log_lines", kfx_qint(&fx, "SELECT id FROM log_lines WHERE "
						  "source_id = %lld AND line = 9",
						  (long long)src[3]), (const char *const[]){
		"origin", "NULL", "text", "Call Trace:",
		"report_id = (SELECT id FROM reports r WHERE r.source_id = log_lines.source_id "
		"AND r.line_start = 5)", "1", NULL });
	kfx_close(&fx);
}

/* journalctl names the program of the marker records and strips its ident. */
static void test_journal_origin(void **state)
{
	int64_t src[KFX_NFORMATS];
	struct kfx fx;
	char got[256];

	ingest_six(&fx, src);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND origin IS NOT NULL", (long long)src[5]), 4);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND origin = 'mmtriage-recipe' AND line IN (1, 4, 433, 435)",
				  (long long)src[5]), 4);
	/* journalctl-k.txt:1 */
	kfx_qtext(&fx, got, sizeof(got), "SELECT text FROM log_lines WHERE source_id = %lld "
		  "AND line = 1", (long long)src[5]);
	assert_string_equal(got, "begin hung-task-fsfreeze run 20261121T210354Z "
			    "(uptime 742.58)");
	/*
	 * journalctl-k-short-monotonic.txt:1 "[  742.581137] vm
	 * mmtriage-recipe[16484]: begin hung-task-fsfreeze run ...": the same
	 * program named, its ident stripped, after a monotonic time
	 */
	kfx_expect_row(&fx, "log_lines", kfx_qint(&fx, "SELECT id FROM log_lines WHERE "
						  "source_id = %lld AND line = 1",
						  (long long)src[4]), (const char *const[]){
		"origin", "mmtriage-recipe",
		"text", "begin hung-task-fsfreeze run 20261121T210354Z (uptime 742.58)", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND origin = 'mmtriage-recipe' AND line IN (1, 4, 433, 435)",
				  (long long)src[4]), 4);
	/* dmesg does not know the record came from user space */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id IN "
				  "(%lld, %lld, %lld) AND origin IS NOT NULL", (long long)src[0],
				  (long long)src[1], (long long)src[2]), 0);
	kfx_close(&fx);
}

/*
 * printk times: dmesg, dmesg -r and journalctl -o short-monotonic print the
 * same seconds since boot; dmesg -T prints the wall clock dmesg computed,
 * to the second, and --time-format iso the same with microseconds.
 */
static void test_six_formats_times(void **state)
{
	/* dmesg-iso.txt:5 "2026-11-21T21:04:13,932610+00:00 INFO: task sh:16520 ..." */
	const double iso5 = (double)1795295053 + 0.932610;
	static const int same_clock[] = { 1, 4 };	/* dmesg -r, short-monotonic */
	int64_t src[KFX_NFORMATS];
	struct kfx fx;

	ingest_six(&fx, src);
	/* dmesg.txt:5 "[  762.932610] INFO: task sh:16520 blocked ..." */
	expect_near(kfx_qreal(&fx, "SELECT t FROM log_lines WHERE source_id = %lld AND line = 5",
			      (long long)src[0]), 762.932610, 1e-7, "dmesg.txt:5");
	expect_near(kfx_qreal(&fx, "SELECT t FROM log_lines WHERE source_id = %lld AND line = 5",
			      (long long)src[3]), iso5, 1e-5, "dmesg-iso.txt:5");
	for (size_t i = 0; i < N(same_clock); i++)
		assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines a JOIN log_lines b "
					  "ON b.source_id = %lld AND b.line = a.line AND "
					  "abs(b.t - a.t) < 1e-7 WHERE a.source_id = %lld",
					  (long long)src[same_clock[i]], (long long)src[0]),
				 SAMPLE_LINES);
	/* -T truncates what --time-format iso prints */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines a JOIN log_lines b "
				  "ON b.source_id = %lld AND b.line = a.line AND "
				  "b.t - a.t >= 0 AND b.t - a.t < 1 WHERE a.source_id = %lld",
				  (long long)src[3], (long long)src[2]), SAMPLE_LINES);
	/* both are the boot time plus the monotonic time */
	expect_near(kfx_qreal(&fx, "SELECT max(b.t - a.t) - min(b.t - a.t) FROM log_lines a "
			      "JOIN log_lines b ON b.source_id = %lld AND b.line = a.line "
			      "WHERE a.source_id = %lld", (long long)src[3], (long long)src[0]),
		    0, 1e-5, "spread of iso minus monotonic");
	/* journald's receive times follow the monotonic clock, to the second */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines a JOIN log_lines b "
				  "ON b.source_id = %lld AND b.line = a.line "
				  "WHERE a.source_id = %lld AND abs((b.t - (SELECT t "
				  "FROM log_lines WHERE source_id = %lld AND line = 1)) - "
				  "(a.t - 742.581137)) < 2", (long long)src[5],
				  (long long)src[0], (long long)src[5]), SAMPLE_LINES);
	kfx_close(&fx);
}

/* The level of every line of dmesg -r is the "<N>" the file shows. */
static void test_levels(void **state)
{
	int64_t src[KFX_NFORMATS];
	char path[4096];
	size_t len, i = 0;
	struct kfx fx;
	char *buf;
	long line = 0;

	ingest_six(&fx, src);
	kfx_sample_path(path, sizeof(path), "hung-task-fsfreeze", "dmesg-raw.txt");
	buf = kfx_slurp(path, &len);
	while (i < len) {
		int level = buf[i + 1] - '0';

		line++;
		assert_true(buf[i] == '<' && buf[i + 2] == '>');
		if (kfx_qint(&fx, "SELECT level FROM log_lines WHERE source_id = %lld AND "
			     "line = %ld", (long long)src[1], line) != level)
			fail_msg("dmesg-raw.txt:%ld: level is not %d", line, level);
		while (i < len && buf[i] != '\n')
			i++;
		i++;
	}
	free(buf);
	assert_int_equal(line, SAMPLE_LINES);
	/* dmesg-raw.txt:1 is a user record "<5>", :5 an error "<3>", :2 info "<6>" */
	assert_int_equal(kfx_qint(&fx, "SELECT group_concat(level, '') FROM (SELECT level FROM "
				  "log_lines WHERE source_id = %lld AND line IN (1, 2, 5) "
				  "ORDER BY line)", (long long)src[1]), 563);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id != %lld "
				  "AND level IS NOT NULL", (long long)src[1]), 0);
	kfx_close(&fx);
}

/* ---- Prefixes inside real logs ------------------------------------------ */

/*
 * syzkaller/linux/report/131:4 "syzkaller login: [   35.184476] BUG: using
 * __this_cpu_read() ...": the login prompt is console output; the report
 * starts at the timestamp.
 */
static void test_console_noise(void **state)
{
	struct kfx fx;
	int64_t src, rep;

	src = kfx_open_corpus(&fx, "syzkaller/linux/report/131");
	rep = kfx_qint(&fx, "SELECT id FROM reports WHERE source_id = %lld", (long long)src);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM reports WHERE source_id = %lld",
				  (long long)src), 1);
	kfx_expect_row(&fx, "reports", rep, (const char *const[]){
		"kind", "bug", "line_start", "4", "line_end", "49", "pid", "3344",
		"comm", "syzkaller195313", "cpu", "1", "kernel", "4.9.68-gfb66dc2",
		"printf('%.6f', t)", "35.184476", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line = 4 AND t IS NULL AND report_id IS NULL AND "
				  "text = 'syzkaller login: '", (long long)src), 1);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line = 4 AND report_id = %lld AND text LIKE 'BUG: using "
				  "\\_\\_this\\_cpu\\_read()%%' ESCAPE '\\'", (long long)src,
				  (long long)rep), 1);
	kfx_close(&fx);
}

/* syzkaller/linux/report/337:5-30: every line carries the caller "[ T5831]". */
static void test_caller_task(void **state)
{
	char path[4096];
	struct kfx fx;
	int64_t src;

	kfx_corpus_path(path, sizeof(path), "syzkaller/linux/report/337");
	kfx_open(&fx);
	src = kfx_ingest_lines(&fx, path, 5, 30);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND caller = 'T5831'", (long long)src), 26);
	kfx_expect_row(&fx, "reports", kfx_qint(&fx, "SELECT id FROM reports WHERE "
						"source_id = %lld", (long long)src),
		       (const char *const[]){
		"kind", "panic", "line_start", "1", "line_end", "26", "pid", "5831",
		"comm", "bash", "cpu", "0", "kernel", "4.20.0-next-20190102",
		"detail", "Kernel panic - not syncing: sysrq triggered crash",
		"(SELECT depth FROM stacks s WHERE s.id = stack_id)", "12", NULL });
	kfx_close(&fx);
}

/* lkp-tests/spec/fixtures/stats/dmesg/76: a report printed from CPU 1's context. */
static void test_caller_cpu(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkp-tests/spec/fixtures/stats/dmesg/76");

	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND caller = 'C1' AND t IS NOT NULL", (long long)src), 166);
	kfx_close(&fx);
}

/* A syslog file whose kernel lines carry printk times is on the monotonic clock. */
static void test_syslog_with_printk_times(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkml/linux-mm/oom-2.6.30-syslog-prefixed-x86_64.txt");

	kfx_expect_row(&fx, "sources", src, (const char *const[]){
		"format", "syslog", "clock", "monotonic", "records", "46", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND t BETWEEN 64377.4266 AND 64377.4349 AND origin IS NULL AND "
				  "text NOT LIKE 'Jun %%' AND text NOT LIKE '%%kernel:%%'",
				  (long long)src), 46);
	expect_near(kfx_qreal(&fx, "SELECT t FROM log_lines WHERE source_id = %lld AND line = 43",
			      (long long)src), 64377.434828, 1e-7, "oom-2.6.30:43");
	kfx_close(&fx);
}

/* JMR540-proc-dump/kmsg: "<N>" levels on every line, the release from "Linux version". */
static void test_kmsg_levels(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "JMR540-proc-dump/kmsg");

	kfx_expect_row(&fx, "sources", src, (const char *const[]){
		"format", "kmsg", "clock", "monotonic", "kernel", "3.18.20", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND level IS NULL", (long long)src), 0);
	/* kmsg:466 "<4>[    0.546357] ------------[ cut here ]------------" */
	kfx_expect_row(&fx, "log_lines", kfx_qint(&fx, "SELECT id FROM log_lines WHERE "
						  "source_id = %lld AND line = 466",
						  (long long)src), (const char *const[]){
		"level", "4", "text", "------------[ cut here ]------------",
		"printf('%.6f', t)", "0.546357", NULL });
	kfx_close(&fx);
}

/*
 * lkml/linux-xfs/hung-task-10-kworkers-dm-crypt-qat-5.4-ubuntu.txt:1
 * "  363.495058] INFO: task kworker/u16:0:8 blocked for more than 120
 * seconds.": the paste lost the first line's '['; the timestamp is still
 * one, and the line still starts the first report.
 */
static void test_lost_bracket(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/linux-xfs/hung-task-10-kworkers-dm-crypt-qat-5.4-ubuntu.txt");

	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 1), (const char *const[]){
		"kind", "hung_task", "line_end", "22", "pid", "8", "comm", "kworker/u16:0",
		NULL });
	expect_near(kfx_qreal(&fx, "SELECT t FROM log_lines WHERE source_id = %lld AND line = 1",
			      (long long)src), 363.495058, 1e-7, "dmesg:1");
	kfx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_six_formats_sources),
		cmocka_unit_test(test_six_formats_text),
		cmocka_unit_test(test_journal_origin),
		cmocka_unit_test(test_six_formats_times),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_console_noise),
		cmocka_unit_test(test_caller_task),
		cmocka_unit_test(test_caller_cpu),
		cmocka_unit_test(test_syslog_with_printk_times),
		cmocka_unit_test(test_kmsg_levels),
		cmocka_unit_test(test_lost_bracket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
