/*
 * Tests of the `free` parser (parsers/free_output.c): the outputs of procps
 * 4.0.2 on this machine in every unit and layout (plain, -m, -g, -b, -h,
 * --si, -w, -t, -l, --committed, -s), each value checked in kB against the
 * number printed; the old procps layout with its "-/+ buffers/cache:" row;
 * and bad input derived from the real files.
 *
 * Inputs: tests/data/free/ (see its README.md). Their names carry the
 * options as sosreport names its files (free_-m), which is how the parser
 * learns the unit of plain numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "klog_fixture.h"

/* Opens fx with a file of tests/data/free, which must be read as free's output. */
static int64_t open_data(struct kfx *fx, const char *file)
{
	int64_t src = kfx_open_data(fx, "free", file);

	kfx_expect_kind(fx, src, "free");
	return src;
}

/* A value of the meminfo view, in kB, of sample seq. */
static int64_t kb(struct kfx *fx, int seq, const char *key)
{
	return kfx_qint(fx, "SELECT v.value FROM snapshots s JOIN state_values v ON "
			"v.snapshot_id = s.id JOIN state_keys k ON k.id = v.key_id "
			"WHERE s.kind = 'free' AND s.seq = %d AND k.name = %Q", seq, key);
}

struct want {
	const char *key;
	int64_t kb;
};

static void expect_values(const char *file, const struct want *w, size_t n, int64_t rows)
{
	struct kfx fx;

	open_data(&fx, file);
	for (size_t i = 0; i < n; i++) {
		int64_t got = kb(&fx, 0, w[i].key);

		if (got != w[i].kb)
			fail_msg("%s %s: %lld kB, expected %lld", file, w[i].key, (long long)got,
				 (long long)w[i].kb);
	}
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM state_values"), rows);
	/* Everything free prints is a gauge. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM state_keys WHERE counter"), 0);
	/* The meminfo view shows them. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM meminfo"), rows);
	assert_int_equal(fx.warnings, 0);
	kfx_close(&fx);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* free: "Mem: 24683656 7976564 15781676 8880 1243140 16707092", Swap 0 0 0. */
static void test_plain_kib(void **state)
{
	static const struct want w[] = {
		{ "MemTotal", 24683656 }, { "free.used", 7976564 }, { "MemFree", 15781676 },
		{ "Shmem", 8880 }, { "free.buff/cache", 1243140 },
		{ "MemAvailable", 16707092 }, { "SwapTotal", 0 }, { "free.swap_used", 0 },
		{ "SwapFree", 0 },
	};

	(void)state;
	expect_values("free", w, N(w), 9);
}

/* free -m: MiB x 1024. "Mem: 24105 7789 15411 8 1214 16315" */
static void test_mebibytes(void **state)
{
	static const struct want w[] = {
		{ "MemTotal", 24105 * 1024 }, { "free.used", 7789 * 1024 },
		{ "MemFree", 15411 * 1024 }, { "Shmem", 8 * 1024 },
		{ "free.buff/cache", 1214 * 1024 }, { "MemAvailable", 16315 * 1024 },
	};

	(void)state;
	expect_values("free_-m", w, N(w), 9);
}

/* free -g: GiB x 1048576. "Mem: 23 7 15 0 1 15" */
static void test_gibibytes(void **state)
{
	static const struct want w[] = {
		{ "MemTotal", 23 * 1048576 }, { "free.used", 7 * 1048576 },
		{ "MemFree", 15 * 1048576 }, { "Shmem", 0 }, { "free.buff/cache", 1048576 },
	};

	(void)state;
	expect_values("free_-g", w, N(w), 9);
}

/* free -b: bytes / 1024. "Mem: 25276063744 8167596032 16160239616 9093120 ..." */
static void test_bytes(void **state)
{
	static const struct want w[] = {
		{ "MemTotal", 24683656 }, { "free.used", 7976168 }, { "MemFree", 15781484 },
		{ "Shmem", 8880 }, { "free.buff/cache", 1243796 },
		{ "MemAvailable", 16707488 },
	};

	(void)state;
	expect_values("free_-b", w, N(w), 9);
}

/* free -h: "Mem: 23Gi 7.6Gi 15Gi 8.7Mi 1.2Gi 15Gi", "Swap: 0B 0B 0B". */
static void test_human(void **state)
{
	static const struct want w[] = {
		{ "MemTotal", 23 * 1048576 }, { "free.used", 7969178 },	/* 7.6 x 1048576 */
		{ "MemFree", 15 * 1048576 }, { "Shmem", 8909 },		/* 8.7 x 1024 */
		{ "free.buff/cache", 1258291 },				/* 1.2 x 1048576 */
		{ "SwapTotal", 0 },
	};

	(void)state;
	expect_values("free_-h", w, N(w), 9);
}

/* free -h --si: "Mem: 25G 8.2G 16G 9.1M 1.3G 17G", powers of 1000. */
static void test_human_si(void **state)
{
	static const struct want w[] = {
		{ "MemFree", 15625000 },		/* 16e9 / 1024 */
		{ "Shmem", 8887 },			/* 9.1e6 / 1024 = 8886.7 */
		{ "free.buff/cache", 1269531 },		/* 1.3e9 / 1024 = 1269531.25 */
	};

	(void)state;
	expect_values("free_-h_--si", w, N(w), 9);
}

/* free -m --si: megabytes. "Mem: 25276 8168 16160 9 1273 17108" */
static void test_mega_si(void **state)
{
	static const struct want w[] = {
		{ "MemTotal", 24683594 },	/* 25276e6 / 1024 = 24683593.75 */
		{ "Shmem", 8789 },		/* 9e6 / 1024 = 8789.06 */
		{ "MemFree", 15781250 },	/* 16160e6 / 1024 */
	};

	(void)state;
	expect_values("free_-m_--si", w, N(w), 9);
}

/* free -w: buffers and cache apart; cache is Cached + SReclaimable. */
static void test_wide(void **state)
{
	static const struct want w[] = {
		{ "Buffers", 280380 }, { "free.cache", 962892 }, { "MemAvailable", 16707224 },
		{ "free.used", 7976432 },
	};

	(void)state;
	expect_values("free_-w", w, N(w), 10);
}

/* free -t: "Total: 24683656 7976432 15781676" */
static void test_totals(void **state)
{
	static const struct want w[] = {
		{ "free.total_total", 24683656 }, { "free.total_used", 7976432 },
		{ "free.total_free", 15781676 },
	};

	(void)state;
	expect_values("free_-t", w, N(w), 12);
}

/* free -l: "Low: 24683656 8902172 15781484", "High: 0 0 0" */
static void test_low_high(void **state)
{
	static const struct want w[] = {
		{ "free.low_total", 24683656 }, { "free.low_used", 8902172 },
		{ "free.low_free", 15781484 }, { "free.high_total", 0 }, { "free.high_free", 0 },
	};

	(void)state;
	expect_values("free_-l", w, N(w), 15);
}

/* free --committed: "Comm: 12341828 8030232 4311596" */
static void test_committed(void **state)
{
	static const struct want w[] = {
		{ "free.comm_total", 12341828 }, { "free.comm_used", 8030232 },
		{ "free.comm_free", 4311596 },
	};

	(void)state;
	expect_values("free_--committed", w, N(w), 12);
}

/* free -s 1 -c 3: three samples split at their headers. */
static void test_series(void **state)
{
	struct kfx fx;
	int64_t src = open_data(&fx, "free_-s_1_-c_3");

	(void)state;
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots WHERE source_id = %lld",
				  (long long)src), 3);
	assert_int_equal(kb(&fx, 0, "MemAvailable"), 16706960);
	assert_int_equal(kb(&fx, 1, "MemAvailable"), 16667996);
	assert_int_equal(kb(&fx, 2, "MemAvailable"), 16584412);
	assert_int_equal(kb(&fx, 2, "free.used"), 8099244);
	assert_int_equal(kfx_qint(&fx, "SELECT line FROM snapshots WHERE seq = 2"), 9);
	kfx_close(&fx);
}

/*
 * The layout of procps 3.3.9 and older. No output of an old procps is at
 * hand (this machine has 4.0.2, the corpus none), so this takes the numbers
 * of this machine's `free -w` (tests/data/free/free_-w) into the columns
 * old procps printed, with its "-/+ buffers/cache:" row (used - buffers -
 * cached, free + buffers + cached).
 */
static void test_old_procps_layout(void **state)
{
	static const char text[] =
		"             total       used       free     shared    buffers     cached\n"
		"Mem:      24683656    8902172   15781484       8880     280380     962892\n"
		"-/+ buffers/cache:    7658900   17024756\n"
		"Swap:            0          0          0\n";
	struct kfx fx;

	(void)state;
	kfx_open(&fx);
	kfx_ingest_named(&fx, "free", text, sizeof(text) - 1);
	assert_int_equal(kb(&fx, 0, "Buffers"), 280380);
	assert_int_equal(kb(&fx, 0, "Cached"), 962892);
	assert_int_equal(kb(&fx, 0, "free.used_minus_cache"), 7658900);
	assert_int_equal(kb(&fx, 0, "free.free_plus_cache"), 17024756);
	assert_int_equal(kb(&fx, 0, "SwapFree"), 0);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM state_values"), 11);
	kfx_close(&fx);
}

/* A file of tests/data/free with the first find on line `line` replaced by repl. */
static char *derive(const char *file, long line, const char *find, const char *repl,
		    size_t *len)
{
	char path[4096];

	kfx_data_path(path, sizeof(path), "free", file);
	return kfx_derive(path, line, find, repl, len);
}

static void test_overflow(void **state)
{
	size_t len;
	char *text;

	(void)state;
	text = derive("free", 2, "24683656", "99999999999999999999999", &len);
	kfx_expect_refused_named(NULL, "free", text, len, 2,
				 "value '99999999999999999999999' does not fit in 64 bits");
	free(text);
	/* Fits in 64 bits as MiB, not once in kB: 2^54 MiB. */
	text = derive("free_-m", 2, "24105", "18014398509481984", &len);
	kfx_expect_refused_named(NULL, "free_-m", text, len, 2, "does not fit in 64 bits");
	free(text);
}

/* The header without "available": the Mem: row has one value too many. */
static void test_header_missing_column(void **state)
{
	size_t len;
	char *text;

	(void)state;
	text = derive("free", 1, "   available", "", &len);
	kfx_expect_refused_named(NULL, "free", text, len, 2,
				 "Mem: row has 6 values for 5 columns");
	free(text);
}

/* The last line cut before its last value: "Swap:              0           0". */
static void test_truncated_last_line(void **state)
{
	size_t len;
	char *text;

	(void)state;
	text = kfx_data("free", "free", &len);
	assert_true(len > 13);
	len -= 13;	/* "           0\n" */
	kfx_expect_refused_named(NULL, "free", text, len, 3,
				 "Swap: row has 2 values, expected 3");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_kib),
		cmocka_unit_test(test_mebibytes),
		cmocka_unit_test(test_gibibytes),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_human),
		cmocka_unit_test(test_human_si),
		cmocka_unit_test(test_mega_si),
		cmocka_unit_test(test_wide),
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_low_high),
		cmocka_unit_test(test_committed),
		cmocka_unit_test(test_series),
		cmocka_unit_test(test_old_procps_layout),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_header_missing_column),
		cmocka_unit_test(test_truncated_last_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
