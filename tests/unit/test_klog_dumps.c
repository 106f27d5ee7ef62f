/*
 * Tests of the kernel-log parser on stack dumps without a report of their
 * own, and on logs cut short: SysRq-w dumps of two eras (one task entry
 * per blocked task), the crash utility's bt output, and a real capture cut
 * in the middle of a report (the report is marked truncated and a warning
 * names its line).
 *
 * Inputs are samples/hung-task-fsfreeze (cut here at a line or in the
 * middle of one) and files of the corpus in ../shared/corpus named above
 * each test; tests that need the corpus skip when it is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klog_fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Task dumps --------------------------------------------------------- */

struct want_task {
	const char *pid, *comm, *line, *depth;
};

static void expect_dump(struct kfx *fx, int64_t rep, const struct want_task *w, size_t n)
{
	kfx_expect_row(fx, "reports", rep, (const char *const[]){ "kind", "task_dump", NULL });
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM tasks WHERE report_id = %lld",
				  (long long)rep), n);
	for (size_t i = 0; i < n; i++)
		kfx_expect_row(fx, "tasks", kfx_qint(fx, "SELECT id FROM tasks WHERE "
						     "report_id = %lld AND pid = %s",
						     (long long)rep, w[i].pid),
			       (const char *const[]){
			"role", "dump", "comm", w[i].comm, "state", "D", "line", w[i].line,
			KFX_DEPTH, w[i].depth, NULL });
}

/* lkml/linux-xfs/sysrq-w-xfs-ifree-deadlock-6.x.txt: SysRq-w, 6.x task lines. */
static void test_sysrq_w(void **state)
{
	static const struct want_task tasks[] = {
		{ "276182", "kworker/10:37", "2", "13" },
		{ "2255943", "fsync-tester", "20", "24" },
	};
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkml/linux-xfs/sysrq-w-xfs-ifree-deadlock-6.x.txt");

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	expect_dump(&fx, kfx_report_at(&fx, src, 1), tasks, N(tasks));
	kfx_close(&fx);
}

/* lkml/linux-mm/sysrq-w-old-format-2.6.39-rc4-ext4-writeback-hang.txt */
static void test_sysrq_w_old(void **state)
{
	static const struct want_task tasks[] = {
		{ "1", "systemd", "3", "16" },
		{ "793", "flush-253:2", "24", "28" },
		{ "799", "jbd2/dm-2-8", "57", "18" },
		{ "991", "tar", "80", "24" },
		{ "2856", "dhclient-script", "109", "18" },
	};
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/linux-mm/sysrq-w-old-format-2.6.39-rc4-ext4-writeback-hang.txt");

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	expect_dump(&fx, kfx_report_at(&fx, src, 1), tasks, N(tasks));
	kfx_close(&fx);
}

/* crash-help/help_bt_examples.txt and lkml/linux-xfs/crash-bt-*.txt are crash output. */
static void test_crash_bt(void **state)
{
	static const struct { const char *file, *lines; } files[] = {
		{ "crash-help/help_bt_examples.txt", "302" },
		{ "lkml/linux-xfs/crash-bt-kswapd-shrink_slab-dm_bufio-deadlock.txt", "43" },
		{ "lkml/linux-xfs/crash-bt-loop-writeback-ppc64le-5.15.txt", "70" },
	};

	for (size_t i = 0; i < N(files); i++) {
		struct kfx fx;
		int64_t src = kfx_open_corpus(&fx, files[i].file);

		kfx_expect_row(&fx, "sources", src, (const char *const[]){
			"format", "crash", "clock", "NULL", "records", files[i].lines, NULL });
		kfx_close(&fx);
	}
}

/* The task of a dump whose "PID:" line is line; pairs as kfx_expect_row takes them. */
static void expect_bt_task(struct kfx *fx, int64_t rep, long line, const char *const *pairs)
{
	kfx_expect_row(fx, "tasks", kfx_qint(fx, "SELECT id FROM tasks WHERE "
					     "report_id = %lld AND line = %ld",
					     (long long)rep, line), pairs);
}

/*
 * crash's bt: each "PID: N  TASK: ...  CPU: N  COMMAND: "comm"" and the
 * "#N [...] symbol at address" frames below it are one task of a dump.
 */
static void test_crash_bt_tasks(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/linux-xfs/crash-bt-kswapd-shrink_slab-dm_bufio-deadlock.txt");
	int64_t rep;

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	rep = kfx_report_at(&fx, src, 1);
	kfx_expect_row(&fx, "reports", rep, (const char *const[]){
		"kind", "task_dump", "line_end", "43", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM tasks WHERE report_id = %lld "
				  "AND role = 'dump'", (long long)rep), 2);
	/* :1 "PID: 474 TASK: ffff8813e11f4600 CPU: 10 COMMAND: "kswapd0"", #0-#14 */
	expect_bt_task(&fx, rep, 1, (const char *const[]){
		"role", "dump", "pid", "474", "comm", "kswapd0", "cpu", "10",
		KFX_DEPTH, "15", NULL });
	/* :18 "PID: 14127 TASK: ffff881455749c00 CPU: 11 COMMAND: "loop1"" */
	expect_bt_task(&fx, rep, 18, (const char *const[]){
		"role", "dump", "pid", "14127", "comm", "loop1", "cpu", "11", NULL });
	kfx_close(&fx);

	/* crash-help/help_bt_examples.txt: the examples of "help bt" */
	src = kfx_open_corpus(&fx, "crash-help/help_bt_examples.txt");
	rep = kfx_qint(&fx, "SELECT id FROM reports WHERE source_id = %lld AND "
		       "kind = 'task_dump' AND line_start = 4", (long long)src);
	/* :4 "PID: 286 TASK: c0b3a000 CPU: 0 COMMAND: "in.rlogind"", #0-#8 */
	expect_bt_task(&fx, rep, 4, (const char *const[]){
		"role", "dump", "pid", "286", "comm", "in.rlogind", "cpu", "0",
		KFX_DEPTH, "9", NULL });
	/* :31 "PID: 150773 TASK: ffff889fe85a1680 CPU: 13 COMMAND: "bash"", #0-#9 */
	expect_bt_task(&fx, rep, 31, (const char *const[]){
		"role", "dump", "pid", "150773", "comm", "bash", "cpu", "13",
		KFX_DEPTH, "10", NULL });
	kfx_close(&fx);
}

/* ---- Truncation --------------------------------------------------------- */

/*
 * samples/hung-task-fsfreeze/dmesg.txt cut in the middle of line 20, as a
 * capture that stopped while the kernel was printing the first stack.
 */
static void test_truncated(void **state)
{
	char path[4096];
	size_t len, cut;
	struct kfx fx;
	char *buf;
	int64_t src, id;

	kfx_sample_path(path, sizeof(path), "hung-task-fsfreeze", "dmesg.txt");
	buf = kfx_slurp(path, &len);
	cut = kfx_line_offset(buf, len, 20) + 12;	/* "[  762.93548" */
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, buf, cut);
	free(buf);
	id = kfx_report_at(&fx, src, 5);
	kfx_expect_row(&fx, "reports", id, (const char *const[]){
		"kind", "hung_task", "truncated", "1", "line_end", "20", KFX_DEPTH, "9", NULL });
	assert_int_equal(fx.warnings, 1);
	assert_int_equal(fx.warning_line, 20);
	assert_non_null(strstr(fx.warning, "cut off"));
	/* the whole file is not cut */
	fx.warnings = 0;
	kfx_sample_path(path, sizeof(path), "hung-task-fsfreeze", "dmesg.txt");
	src = kfx_ingest_path(&fx, path);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM reports WHERE source_id = %lld "
				  "AND truncated = 1", (long long)src), 0);
	assert_int_equal(fx.warnings, 0);
	kfx_close(&fx);
}

/* The same log cut right after "Call Trace:" (dmesg.txt:9), before any frame. */
static void test_truncated_before_frames(void **state)
{
	char path[4096];
	struct kfx fx;
	size_t len;
	char *buf;
	int64_t src;

	kfx_sample_path(path, sizeof(path), "hung-task-fsfreeze", "dmesg.txt");
	buf = kfx_slurp(path, &len);
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, buf, kfx_line_offset(buf, len, 10));
	free(buf);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 5), (const char *const[]){
		"truncated", "1", "line_end", "9", "stack_id", "NULL", NULL });
	assert_int_equal(fx.warnings, 1);
	kfx_close(&fx);
}

/*
 * The same log cut after a whole line: the title (dmesg.txt:5), the task
 * line (:8), "<TASK>" (:10), a frame inside <TASK> (:20). Nothing says
 * the report was over at any of them, so each is an unfinished report.
 */
static void test_truncated_at_line_ends(void **state)
{
	static const long cuts[] = { 5, 8, 10, 20 };
	char path[4096], end[16];
	size_t len;
	char *buf;

	kfx_sample_path(path, sizeof(path), "hung-task-fsfreeze", "dmesg.txt");
	buf = kfx_slurp(path, &len);
	for (size_t i = 0; i < N(cuts); i++) {
		struct kfx fx;
		int64_t src;

		kfx_open(&fx);
		src = kfx_ingest_text(&fx, buf, kfx_line_offset(buf, len, cuts[i] + 1));
		snprintf(end, sizeof(end), "%ld", cuts[i]);
		kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 5), (const char *const[]){
			"kind", "hung_task", "truncated", "1", "line_end", end, NULL });
		assert_int_equal(fx.warnings, 1);
		assert_int_equal(fx.warning_line, cuts[i]);
		kfx_close(&fx);
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysrq_w),
		cmocka_unit_test(test_sysrq_w_old),
		cmocka_unit_test(test_crash_bt),
		cmocka_unit_test(test_crash_bt_tasks),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_truncated_before_frames),
		cmocka_unit_test(test_truncated_at_line_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
