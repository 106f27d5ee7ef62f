/*
 * Tests of the /proc/swaps parser (parsers/proc_swaps.c) on files of this
 * project's machine (tests/data/swaps, README.md there says how each was
 * captured): two swap files, one with a blank in its name; no swap at all;
 * three samples of a 1-second capture; and bad inputs derived from them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "klog_fixture.h"

/*
 * swaps-two-6.18.txt with the first `find` of line `line` replaced by repl
 * (a bad file derived from a real one) must be refused at that line with
 * words in the message.
 */
static void expect_derived_failure(long line, const char *find, const char *repl,
				   const char *words)
{
	char path[4096];
	size_t len;
	char *text;

	kfx_data_path(path, sizeof(path), "swaps", "swaps-two-6.18.txt");
	text = kfx_derive(path, line, find, repl, &len);
	kfx_expect_refused_as(NULL, "swaps", text, len, line, words);
	free(text);
}

static void test_swaps_two_files(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "swaps", "swaps-two-6.18.txt");

	kfx_expect_kind(&fx, src, "swaps");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots WHERE kind = 'swaps'"), 1);
	assert_int_equal(kfx_count_rows(&fx, "swap_devices"), 2);
	kfx_expect_row(&fx, "swap_devices", 1, (const char *const[]){
		"filename", "/var/tmp/mmt-sw", "type", "file", "size_kb", "65532",
		"used_kb", "0", "priority", "5", NULL });
	/* The kernel escapes the blank of "/var/tmp/mmt sw2"; kept as printed. */
	kfx_expect_row(&fx, "swap_devices", 2, (const char *const[]){
		"filename", "/var/tmp/mmt\\040sw2", "type", "file", "size_kb", "32764",
		"used_kb", "0", "priority", "-2", NULL });
	kfx_close(&fx);
}

/* A swap file in use (swap-in-use.sh). */
static void test_swaps_used(void **state)
{
	struct kfx fx;

	kfx_open_data(&fx, "swaps", "swaps-used-6.18.txt");
	assert_int_equal(kfx_count_rows(&fx, "swap_devices"), 1);
	kfx_expect_row(&fx, "swap_devices", 1, (const char *const[]){
		"filename", "/var/tmp/mmt-sw", "type", "file", "size_kb", "262140",
		"used_kb", "114488", "priority", "5", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT used_kb FROM swaps"), 114488);
	kfx_close(&fx);
}

/* No swap: the header alone is one sample with no device. */
static void test_swaps_none(void **state)
{
	struct kfx fx;

	kfx_open_data(&fx, "swaps", "swaps-none-6.18.txt");
	assert_int_equal(kfx_count_rows(&fx, "snapshots"), 1);
	assert_int_equal(kfx_count_rows(&fx, "swap_devices"), 0);
	kfx_close(&fx);
}

static void test_swaps_series(void **state)
{
	static const double ts[] = { 1795300028.164422845, 1795300029.015464594,
				     1795300030.014238894 };
	struct kfx fx;

	kfx_open_data(&fx, "swaps", "swaps-series3-6.18.txt");
	assert_int_equal(kfx_count_rows(&fx, "snapshots"), 3);
	assert_int_equal(kfx_count_rows(&fx, "swap_devices"), 0);
	for (int i = 0; i < 3; i++) {
		assert_true(fabs(kfx_qreal(&fx, "SELECT ts FROM snapshots WHERE seq = %d", i) -
				 ts[i]) < 1e-6);
		assert_int_equal(kfx_qint(&fx, "SELECT line FROM snapshots WHERE seq = %d", i),
				 2 * i + 2);
	}
	kfx_close(&fx);
}

/* Without date lines, the header starts each sample. */
static void test_swaps_repeated_without_dates(void **state)
{
	char path[4096];
	struct kfx fx;

	kfx_data_path(path, sizeof(path), "swaps", "swaps-two-6.18.txt");
	kfx_open(&fx);
	kfx_ingest_twice(&fx, path);
	assert_int_equal(kfx_count_rows(&fx, "snapshots"), 2);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM swap_devices w JOIN snapshots s ON "
				  "s.id = w.snapshot_id WHERE s.seq = 1"), 2);
	kfx_close(&fx);
}

/* The last line cut after the size. */
static void test_swaps_truncated(void **state)
{
	expect_derived_failure(3, "\t\t0\t\t-2", "", "not a swaps line");
}

static void test_swaps_overflow(void **state)
{
	expect_derived_failure(2, "65532", "99999999999999999999999", "does not fit in 64 bits");
}

/* A header without its Priority column does not open a sample. */
static void test_swaps_header_missing_column(void **state)
{
	expect_derived_failure(1, "\t\tPriority", "", "expected the header");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swaps_two_files),
		cmocka_unit_test(test_swaps_used),
		cmocka_unit_test(test_swaps_none),
		cmocka_unit_test(test_swaps_series),
		cmocka_unit_test(test_swaps_repeated_without_dates),
		cmocka_unit_test(test_swaps_truncated),
		cmocka_unit_test(test_swaps_overflow),
		cmocka_unit_test(test_swaps_header_missing_column),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
