/*
 * Tests of the snapshot-series driver (parsers/series.c) through the
 * meminfo, vmstat and PSI parsers (parsers/proc_counters.c), on real
 * captures of this project's machine (tests/data/series, README.md there):
 * samples split at every `date` format, rates between samples, copies of a
 * file told apart by their names, and the bad inputs of a series (a value
 * over 64 bits, a truncated sample, a reboot inside a series, two samples
 * with one time), each derived at run time from a real file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parsers/series_time.h"

#include "klog_fixture.h"

/* Four 1-second samples: their times are their date lines, in order. */
static void test_meminfo_series(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "series", "meminfo");

	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots WHERE source_id = %lld",
				  (long long)src), 4);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM meminfo WHERE key = 'MemTotal'"), 4);
	/* head -3 meminfo: 1795300028.150728825, MemFree 23407908 kB */
	assert_int_equal(kfx_qint(&fx, "SELECT kb FROM meminfo WHERE key = 'MemFree' "
				  "ORDER BY ts LIMIT 1"), 23407908);
	assert_true(kfx_qreal(&fx, "SELECT min(ts) FROM meminfo") > 1795300028.15 &&
		    kfx_qreal(&fx, "SELECT min(ts) FROM meminfo") < 1795300028.16);
	assert_int_equal(kfx_qint(&fx, "SELECT count(DISTINCT key) FROM meminfo"),
			 kfx_qint(&fx, "SELECT count(*) FROM meminfo") / 4);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots WHERE clock = 'wall'"), 4);
	kfx_close(&fx);
}

/* Rates: counters get (v2 - v1) / (t2 - t1); gauges and first samples none. */
static void test_vmstat_rates(void **state)
{
	struct kfx fx;

	kfx_open_data(&fx, "series", "vmstat");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM vmstat WHERE key = 'pgfault'"), 4);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM vmstat WHERE key = 'pgfault' "
				  "AND rate IS NULL"), 1);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM vmstat WHERE key = 'nr_free_pages' "
				  "AND rate IS NOT NULL"), 0);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM vmstat WHERE key = 'nr_dirtied' "
				  "AND rate IS NOT NULL"), 3);
	/* The second sample's rate, recomputed from the rows themselves. */
	assert_true(kfx_qreal(&fx,
		"WITH v AS (SELECT ts, value, rate, row_number() OVER (ORDER BY ts) AS n "
		"FROM vmstat WHERE key = 'pgfault') "
		"SELECT abs(b.rate - (b.value - a.value) / (b.ts - a.ts)) FROM v a, v b "
		"WHERE a.n = 1 AND b.n = 2") < 1e-6);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM vmstat WHERE rate < 0"), 0);
	kfx_close(&fx);
}

static void test_psi(void **state)
{
	struct kfx fx;

	kfx_open_data(&fx, "series", "pressure-memory");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM psi"), 8);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM psi WHERE resource = 'memory'"), 8);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM psi WHERE kind = 'full'"), 4);
	assert_int_equal(kfx_qint(&fx, "SELECT total FROM psi WHERE kind = 'some' "
				  "ORDER BY ts LIMIT 1"), 746754);
	kfx_close(&fx);
}

/* Every `date` format a capture loop may print separates two samples. */
static void test_date_formats(void **state)
{
	static const char *const files[] = {
		"meminfo-date", "meminfo-date-Is", "meminfo-date-Ins",
		"meminfo-date--rfc-3339=ns", "meminfo-date-R", "meminfo-date+%s",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct kfx fx;
		double gap;

		kfx_open_data(&fx, "series", files[i]);
		assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots"), 2);
		/* Taken a second apart, on 2026-11-21 between 22:37 and 22:39 UTC. */
		gap = kfx_qreal(&fx, "SELECT max(ts) - min(ts) FROM snapshots");
		assert_true(gap >= 0.9 && gap <= 2.1);
		assert_true(kfx_qreal(&fx, "SELECT min(ts) FROM snapshots") >= 1795300620.0);
		assert_true(kfx_qreal(&fx, "SELECT max(ts) FROM snapshots") <= 1795300740.0);
		assert_int_equal(fx.warnings, 0);
		kfx_close(&fx);
	}
}

static void test_time_lines(void **state)
{
	double ts;
	bool zone;

	assert_true(mmt_time_line("1795300001.198800342", 20, &ts, &zone));
	assert_true(ts > 1795300001.19 && ts < 1795300001.2);
	assert_true(mmt_time_line("Sat Nov 21 22:37:56 EST 2026", 28, &ts, &zone));
	assert_false(zone);
	assert_false(mmt_time_line("MemTotal:       24683656 kB", 27, &ts, &zone));
	assert_false(mmt_time_line("12345", 5, &ts, &zone));
	/* Days and years as date prints them, no more: once year - 1900 overflowed. */
	assert_true(mmt_time_line("Sat, 21 Nov 2026 22:37:56 +0000", 31, &ts, &zone));
	assert_true(ts == 1795300676.0);
	assert_false(mmt_time_line("Sat Nov 21 22:37:56 UTC -2147483648", 35, &ts, &zone));
	assert_false(mmt_time_line("Sat, 21 Nov -2147483648 22:37:56 +0000", 38, &ts, &zone));
	assert_false(mmt_time_line("Sat Nov 99999999999 22:37:56 UTC 2026", 37, &ts, &zone));
	assert_true(mmt_time_in_name("vmstat.20261121T223756", &ts));
	assert_true(ts == 1795300676.0);
	assert_true(mmt_time_in_name("meminfo-1795300001.5", &ts));
	assert_true(ts == 1795300001.5);
	assert_false(mmt_time_in_name("vmstat.12", &ts));
}

static void test_series_names(void **state)
{
	char out[256];

	mmt_series_name("snap/vmstat.20261121T223756", out, sizeof(out));
	assert_string_equal(out, "snap/vmstat.#");
	mmt_series_name("snap2/meminfo-1795300001.5", out, sizeof(out));
	assert_string_equal(out, "snap2/meminfo-#");
	mmt_series_name("cap/proc/pressure/memory", out, sizeof(out));
	assert_string_equal(out, "cap/proc/pressure/memory");
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* The first sample of the real series, without its date line. */
static char *first_sample(size_t *len)
{
	size_t n;
	char *all = kfx_data("series", "meminfo", &n);
	char *body = strchr(all, '\n') + 1;
	char *next = strstr(body, "\n1795");

	*len = (size_t)(next - body) + 1;
	memmove(all, body, *len);
	return all;
}

/* Copies with equal content are distinct samples when their names differ. */
static void test_named_copies(void **state)
{
	char dir[] = "/tmp/mmt-series-copies-XXXXXX", path[256];
	size_t len;
	char *sample = first_sample(&len);
	struct kfx fx;

	assert_non_null(mkdtemp(dir));
	kfx_open(&fx);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/meminfo.2026112%dT100000", dir, i + 1);
		write_file(path, sample, len);
		kfx_ingest_path(&fx, path);
		unlink(path);
	}
	rmdir(dir);
	assert_int_equal(kfx_qint(&fx, "SELECT count(DISTINCT series) FROM snapshots"), 1);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots WHERE clock = 'name'"), 2);
	assert_true(kfx_qreal(&fx, "SELECT max(ts) - min(ts) FROM snapshots") == 86400.0);
	kfx_close(&fx);
	free(sample);
}

static void test_value_over_64_bits(void **state)
{
	char path[4096];
	size_t len;
	char *bad;

	kfx_data_path(path, sizeof(path), "series", "meminfo");
	/* Line 3 of the file: the first sample's MemFree. */
	bad = kfx_derive(path, 3, "23407908", "99999999999999999999", &len);
	kfx_expect_refused(NULL, bad, len, 3, "does not fit in 64 bits");
	free(bad);
}

/* A copy cut inside a line: the last line names the fault. */
static void test_truncated_sample(void **state)
{
	size_t len;
	char *text = kfx_data("series", "meminfo", &len);
	/* Into the name of the last line: "Dire" of "DirectMap1G:". */
	char *cut = text + len - 2;
	long line = 1;

	while (*cut != '\n')
		cut--;
	cut += 5;
	for (const char *p = text; p < cut; p++)
		line += *p == '\n';
	assert_int_equal(line, 220);
	kfx_expect_refused(NULL, text, (size_t)(cut - text), line, "not a meminfo line");
	free(text);
}

/*
 * A reboot inside a series: the first sample again, stamped after the
 * last. Counters go down there; the rate is NULL, never negative.
 */
static void test_reboot_in_series(void **state)
{
	struct kfx fx;
	size_t len, n;
	char *text = kfx_data("series", "vmstat", &len);
	char *second = strstr(text + 1, "\n1795") + 1;
	char *series = malloc(len * 2);

	memcpy(series, text, len);
	n = len + (size_t)snprintf(series + len, len, "1795309999.5\n");
	memcpy(series + n, strchr(text, '\n') + 1, (size_t)(second - strchr(text, '\n') - 1));
	n += (size_t)(second - strchr(text, '\n') - 1);
	kfx_open(&fx);
	kfx_ingest_text(&fx, series, n);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots"), 5);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM vmstat WHERE rate < 0"), 0);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM vmstat WHERE key = 'pgfault' "
				  "AND ts = 1795309999.5 AND rate IS NULL"), 1);
	kfx_close(&fx);
	free(series);
	free(text);
}

/* Two samples with one time: kept, warned about, no rate between them. */
static void test_same_time(void **state)
{
	struct kfx fx;
	size_t len, n;
	char *text = kfx_data("series", "vmstat", &len);
	char *second = strstr(text + 1, "\n1795") + 1;
	size_t first_len = (size_t)(second - text);
	char *series = malloc(first_len * 2 + 1);

	memcpy(series, text, first_len);
	memcpy(series + first_len, text, first_len);
	n = first_len * 2;
	kfx_open(&fx);
	kfx_ingest_text(&fx, series, n);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots"), 2);
	assert_true(fx.warnings >= 1);
	assert_non_null(strstr(fx.warning, "the same time"));
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM vmstat WHERE rate IS NOT NULL"), 0);
	kfx_close(&fx);
	free(series);
	free(text);
}

/* Other kernels and machines (../shared/corpus; skipped without it). */
static void test_corpus_meminfo(void **state)
{
	static const struct { const char *file; int64_t memtotal, keys; } cases[] = {
		{ "csci442-proc-snapshot/meminfo", 8131884, 42 },
		{ "sosreport-coreos-master1/proc/meminfo", 8164548, 47 },
		{ "i5_info-android-3.4/proc/meminfo", 990732, 0 },
		{ "oomd/src/oomd/fixtures/proc/meminfo", 58616708, 0 },
		/* A table pasted into a mail: no-break spaces for blanks. */
		{ "lkml/linux-xfs/proc-meminfo-5.4-263GB.txt", 263782936, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kfx fx;

		kfx_open_corpus(&fx, cases[i].file);
		assert_int_equal(kfx_qint(&fx, "SELECT kb FROM meminfo WHERE key = 'MemTotal'"),
				 cases[i].memtotal);
		if (cases[i].keys)
			assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM meminfo"),
					 cases[i].keys);
		assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots"), 1);
		kfx_close(&fx);
	}
}

static void test_corpus_vmstat(void **state)
{
	static const struct { const char *file; int64_t pgfault, keys; } cases[] = {
		{ "csci442-proc-snapshot/vmstat", 442617297, 113 },
		{ "D2000-arm-2.6/proc/vmstat", 5536, 43 },	/* 2.6: no nr_free_pages first */
		{ "JMR540-proc-dump/vmstat", 60317, 83 },
		{ "sysstat/tests/root1/proc/vmstat", -1, 142 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kfx fx;

		kfx_open_corpus(&fx, cases[i].file);
		assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM vmstat"), cases[i].keys);
		if (cases[i].pgfault >= 0)
			assert_int_equal(kfx_qint(&fx, "SELECT value FROM vmstat WHERE key = 'pgfault'"),
					 cases[i].pgfault);
		kfx_close(&fx);
	}
}

/* cpu has no "full" line before 5.13; memory has both. */
static void test_corpus_psi(void **state)
{
	struct kfx fx;

	kfx_open_corpus(&fx, "prometheus-procfs/fixtures/proc/pressure/cpu");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM psi WHERE resource = 'cpu'"), 1);
	assert_int_equal(kfx_qint(&fx, "SELECT total FROM psi"), 15);
	kfx_close(&fx);
	kfx_open_corpus(&fx, "prometheus-procfs/fixtures/proc/pressure/memory");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM psi WHERE resource = 'memory'"), 2);
	assert_true(kfx_qreal(&fx, "SELECT avg300 FROM psi WHERE kind = 'full'") == 4.95);
	kfx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meminfo_series),
		cmocka_unit_test(test_vmstat_rates),
		cmocka_unit_test(test_psi),
		cmocka_unit_test(test_date_formats),
		cmocka_unit_test(test_time_lines),
		cmocka_unit_test(test_series_names),
		cmocka_unit_test(test_named_copies),
		cmocka_unit_test(test_value_over_64_bits),
		cmocka_unit_test(test_truncated_sample),
		cmocka_unit_test(test_reboot_in_series),
		cmocka_unit_test(test_same_time),
		cmocka_unit_test(test_corpus_meminfo),
		cmocka_unit_test(test_corpus_vmstat),
		cmocka_unit_test(test_corpus_psi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
