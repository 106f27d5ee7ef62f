/*
 * Tests of the zoneinfo, buddyinfo and pagetypeinfo parsers
 * (parsers/proc_zones.c): single snapshots of this project's machine
 * (tests/data/zones, README.md there says how each was captured), three
 * samples cut from a 1-second capture of it, the 2.6 to 4.18 kernels of
 * the corpus (skipped when ../shared/corpus is absent), and bad inputs
 * derived from the real files: a number that overflows, a truncated last
 * line, a missing column. Expected values were read from the files with
 * grep and awk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "klog_fixture.h"

/* The value of key in node/zone (zone NULL: the node's own) of snapshot seq. */
static int64_t zval(struct kfx *fx, int seq, int node, const char *zone, const char *key)
{
	int64_t rows = kfx_qint(fx, "SELECT count(*) FROM zone_values z JOIN snapshots s ON "
				"s.id = z.snapshot_id JOIN state_keys k ON k.id = z.key_id "
				"WHERE s.seq = %d AND z.node = %d AND z.zone IS %Q AND k.name = %Q",
				seq, node, zone, key);

	if (rows != 1)
		fail_msg("node %d zone %s %s: %lld rows", node, zone ? zone : "NULL", key,
			 (long long)rows);
	return kfx_qint(fx, "SELECT z.value FROM zone_values z JOIN snapshots s ON "
			"s.id = z.snapshot_id JOIN state_keys k ON k.id = z.key_id "
			"WHERE s.seq = %d AND z.node = %d AND z.zone IS %Q AND k.name = %Q",
			seq, node, zone, key);
}

static int64_t is_counter(struct kfx *fx, const char *key)
{
	return kfx_qint(fx, "SELECT counter FROM state_keys WHERE name = %Q", key);
}

/* Free blocks of one order (type NULL: buddyinfo) in snapshot seq. */
static int64_t free_count(struct kfx *fx, int seq, const char *zone, const char *type,
			  int order)
{
	return kfx_qint(fx, "SELECT f.count FROM free_areas f JOIN snapshots s ON "
			"s.id = f.snapshot_id WHERE s.seq = %d AND f.node = 0 AND f.zone = %Q "
			"AND f.migratetype IS %Q AND f.\"order\" = %d", seq, zone, type, order);
}

/* The file with line `line` (1-based) replaced by repl (without newline). */
static char *replace_line(const char *file, long line, const char *repl, size_t *len)
{
	size_t n, b, e, k = strlen(repl);
	char *buf = kfx_data("zones", file, &n), *out;

	b = kfx_line_offset(buf, n, line);
	e = kfx_line_offset(buf, n, line + 1) - 1;	/* at the line's newline */
	out = malloc(n - (e - b) + k + 1);
	assert_non_null(out);
	memcpy(out, buf, b);
	memcpy(out + b, repl, k);
	memcpy(out + b + k, buf + e, n - e);
	*len = n - (e - b) + k;
	out[*len] = '\0';
	free(buf);
	return out;
}

/* The text of line `line` of a data file (newline excluded) into out. */
static void data_line(const char *file, long line, char *out, size_t cap)
{
	size_t n, b, e;
	char *buf = kfx_data("zones", file, &n);

	b = kfx_line_offset(buf, n, line);
	e = kfx_line_offset(buf, n, line + 1) - 1;
	assert_true(e - b < cap);
	memcpy(out, buf + b, e - b);
	out[e - b] = '\0';
	free(buf);
}

/* ---- zoneinfo ------------------------------------------------------------ */

/* zoneinfo-6.18.txt: one node, five zones, the per-node block under DMA. */
static void test_zoneinfo_this_machine(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "zones", "zoneinfo-6.18.txt");

	kfx_expect_kind(&fx, src, "zoneinfo");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots WHERE kind = 'zoneinfo'"), 1);
	/* 51 node values, 183 in all (awk over the file, pagesets left out). */
	assert_int_equal(kfx_count_rows(&fx, "zone_values"), 183);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM zone_values WHERE zone IS NULL"), 51);
	assert_int_equal(kfx_qint(&fx, "SELECT count(DISTINCT zone) FROM zone_values"), 5);
	assert_int_equal(zval(&fx, 0, 0, "DMA32", "managed"), 772808);
	assert_int_equal(zval(&fx, 0, 0, "DMA", "protection_3"), 13770);
	assert_int_equal(zval(&fx, 0, 0, "DMA32", "protection_2"), 10752);
	assert_int_equal(zval(&fx, 0, 0, "DMA32", "protection_4"), 10752);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "nr_free_pages"), 2345729);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "free"), 2345729);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "managed"), 2752512);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "start_pfn"), 1048576);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "numa_hit"), 110901941);
	assert_int_equal(zval(&fx, 0, 0, "DMA", "node_unreclaimable"), 0);
	assert_int_equal(zval(&fx, 0, 0, NULL, "nr_dirtied"), 43708363);
	assert_int_equal(zval(&fx, 0, 0, NULL, "nr_inactive_anon"), 56095);
	/* Empty zones are zones: 10 lines and 5 protections. */
	assert_int_equal(zval(&fx, 0, 0, "Movable", "present"), 0);
	assert_int_equal(zval(&fx, 0, 0, "Movable", "min"), 32);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM zone_values WHERE zone = 'Device'"), 15);
	/* Per-CPU pagesets are skipped. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM state_keys WHERE name IN "
				  "('count', 'batch', 'high_min', 'high_max', 'cpu')"), 0);
	assert_int_equal(is_counter(&fx, "numa_hit"), 1);
	assert_int_equal(is_counter(&fx, "nr_dirtied"), 1);
	assert_int_equal(is_counter(&fx, "nr_written"), 1);
	assert_int_equal(is_counter(&fx, "workingset_refault_file"), 1);
	assert_int_equal(is_counter(&fx, "workingset_nodes"), 0);
	assert_int_equal(is_counter(&fx, "nr_free_pages"), 0);
	assert_int_equal(is_counter(&fx, "managed"), 0);
	assert_int_equal(is_counter(&fx, "protection_0"), 0);
	assert_int_equal(fx.warnings, 0);
	kfx_close(&fx);
}

/* Three samples of /var/tmp capture: a date line before each. */
static void test_zoneinfo_series(void **state)
{
	static const double ts[] = { 1795300028.153386495, 1795300029.004721274,
				     1795300030.004644755 };
	static const long line[] = { 2, 217, 432 };
	struct kfx fx;

	kfx_open_data(&fx, "zones", "zoneinfo-series3-6.18.txt");
	assert_int_equal(kfx_count_rows(&fx, "snapshots"), 3);
	for (int i = 0; i < 3; i++) {
		assert_true(fabs(kfx_qreal(&fx, "SELECT ts FROM snapshots WHERE seq = %d", i) -
				 ts[i]) < 1e-6);
		assert_int_equal(kfx_qint(&fx, "SELECT line FROM snapshots WHERE seq = %d", i),
				 line[i]);
		assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM zone_values z JOIN snapshots s "
					  "ON s.id = z.snapshot_id WHERE s.seq = %d", i), 183);
	}
	/* grep -n 'nr_free_pages' over the file, the Normal zone of each sample. */
	assert_int_equal(zval(&fx, 0, 0, "Normal", "nr_free_pages"), 2433588);
	assert_int_equal(zval(&fx, 2, 0, "Normal", "nr_free_pages"), 2439276);
	kfx_close(&fx);
}

/* A 2.6 ARM kernel: "scanned  0 (a: 0 i: 0)", "cpu: 0 pcp: 0", priorities. */
static void test_zoneinfo_2_6(void **state)
{
	struct kfx fx;

	kfx_open_corpus(&fx, "D2000-arm-2.6/proc/zoneinfo");
	assert_int_equal(kfx_count_rows(&fx, "zone_values"), 17);
	assert_int_equal(zval(&fx, 0, 0, "DMA", "free"), 5410);
	assert_int_equal(zval(&fx, 0, 0, "DMA", "active"), 367);
	assert_int_equal(zval(&fx, 0, 0, "DMA", "scanned"), 0);
	assert_int_equal(zval(&fx, 0, 0, "DMA", "protection_3"), 0);
	assert_int_equal(zval(&fx, 0, 0, "DMA", "prev_priority"), 12);
	assert_int_equal(zval(&fx, 0, 0, "DMA", "start_pfn"), 196608);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM state_keys WHERE name = 'protection_4'"), 0);
	kfx_close(&fx);
}

/* 3.x kernels: no per-node block, all_unreclaimable, inactive_ratio. */
static void test_zoneinfo_3_x(void **state)
{
	struct kfx fx;

	kfx_open_corpus(&fx, "csci442-proc-snapshot/zoneinfo");
	assert_int_equal(kfx_count_rows(&fx, "zone_values"), 150);
	assert_int_equal(kfx_qint(&fx, "SELECT count(DISTINCT zone) FROM zone_values"), 3);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM zone_values WHERE zone IS NULL"), 0);
	assert_int_equal(zval(&fx, 0, 0, "DMA", "all_unreclaimable"), 1);
	assert_int_equal(zval(&fx, 0, 0, "DMA32", "managed"), 825415);
	assert_int_equal(zval(&fx, 0, 0, "DMA32", "inactive_ratio"), 5);
	assert_int_equal(zval(&fx, 0, 0, "DMA", "protection_2"), 7925);
	kfx_close(&fx);

	kfx_open_corpus(&fx, "JMR540-proc-dump/zoneinfo");
	assert_int_equal(kfx_count_rows(&fx, "zone_values"), 47);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "managed"), 41146);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "nr_free_cma"), 1582);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "protection_1"), 0);
	kfx_close(&fx);

	kfx_open_corpus(&fx, "i5_info-android-3.4/proc/zoneinfo");
	assert_int_equal(kfx_count_rows(&fx, "zone_values"), 80);
	assert_int_equal(kfx_qint(&fx, "SELECT count(DISTINCT zone) FROM zone_values"), 2);
	assert_int_equal(zval(&fx, 0, 0, "HighMem", "present"), 129238);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "protection_1"), 4038);
	kfx_close(&fx);
}

/* RHEL 8.0 (4.18.0-80) prints a node value without a name: skipped, with a warning. */
static void test_zoneinfo_rhel8_unnamed(void **state)
{
	struct kfx fx;

	kfx_open_corpus(&fx, "sosreport-coreos-master1/proc/zoneinfo");
	assert_int_equal(kfx_count_rows(&fx, "zone_values"), 150);
	assert_int_equal(kfx_qint(&fx, "SELECT count(DISTINCT zone) FROM zone_values"), 5);
	assert_int_equal(zval(&fx, 0, 0, NULL, "nr_written"), 260861);
	assert_int_equal(zval(&fx, 0, 0, "DMA", "free"), 3975);
	assert_int_equal(fx.warnings, 1);
	assert_int_equal(fx.warning_line, 30);
	kfx_close(&fx);
}

/* DMA32's nr_free_pages (line 111) replaced by a number beyond 64 bits. */
static void test_zoneinfo_overflow(void **state)
{
	size_t len;
	char line[256], *text;

	data_line("zoneinfo-6.18.txt", 111, line, sizeof(line));
	assert_string_equal(line, "      nr_free_pages 772808");
	strcpy(strstr(line, "772808"), "99999999999999999999999");
	text = replace_line("zoneinfo-6.18.txt", 111, line, &len);
	kfx_expect_refused(NULL, text, len, 111, "does not fit in 64 bits");
	free(text);
}

/*
 * The last line of the first sample (215, the Device zone's protection)
 * cut in the middle, as a capture stopped mid-write leaves it.
 */
static void test_zoneinfo_truncated(void **state)
{
	char line[256], *text;
	size_t len;

	data_line("zoneinfo-series3-6.18.txt", 215, line, sizeof(line));
	assert_string_equal(line, "        protection: (0, 0, 0, 0, 0)");
	line[strlen(line) - 6] = '\0';		/* "        protection: (0, 0," */
	text = replace_line("zoneinfo-series3-6.18.txt", 215, line, &len);
	kfx_expect_refused(NULL, text, len, 215, "protection");
	free(text);
}

/* A sample that stops right after its last zone's Node line. */
static void test_zoneinfo_zone_without_values(void **state)
{
	size_t len;
	char *buf = kfx_data("zones", "zoneinfo-6.18.txt", &len);

	/* Lines 1..203: up to "Node 0, zone   Device". */
	kfx_expect_refused(NULL, buf, kfx_line_offset(buf, len, 204), 203,
			   "zone Device of node 0");
	free(buf);
}

/* ---- buddyinfo ----------------------------------------------------------- */

static void test_buddyinfo_this_machine(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "zones", "buddyinfo-6.18.txt");

	kfx_expect_kind(&fx, src, "buddyinfo");
	assert_int_equal(kfx_count_rows(&fx, "snapshots"), 1);
	assert_int_equal(kfx_count_rows(&fx, "free_areas"), 33);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM free_areas WHERE migratetype IS NULL "
				  "AND capped = 0"), 33);
	assert_int_equal(free_count(&fx, 0, "Normal", NULL, 10), 1950);
	assert_int_equal(free_count(&fx, 0, "Normal", NULL, 0), 4178);
	assert_int_equal(free_count(&fx, 0, "DMA", NULL, 8), 1);
	assert_int_equal(free_count(&fx, 0, "DMA32", NULL, 10), 752);
	kfx_close(&fx);
}

static void test_buddyinfo_series(void **state)
{
	static const double ts[] = { 1795300028.154573865, 1795300029.005999694,
				     1795300030.005654205 };
	struct kfx fx;

	kfx_open_data(&fx, "zones", "buddyinfo-series3-6.18.txt");
	assert_int_equal(kfx_count_rows(&fx, "snapshots"), 3);
	assert_int_equal(kfx_count_rows(&fx, "free_areas"), 99);
	for (int i = 0; i < 3; i++)
		assert_true(fabs(kfx_qreal(&fx, "SELECT ts FROM snapshots WHERE seq = %d", i) -
				 ts[i]) < 1e-6);
	assert_int_equal(free_count(&fx, 1, "Normal", NULL, 0), 4580);
	assert_int_equal(free_count(&fx, 2, "Normal", NULL, 10), 1951);
	kfx_close(&fx);
}

/* Opens fx with a data file twice over, without date lines between the copies. */
static void open_twice(struct kfx *fx, const char *file)
{
	char path[4096];

	kfx_data_path(path, sizeof(path), "zones", file);
	kfx_open(fx);
	kfx_ingest_twice(fx, path);
}

/*
 * Without date lines, a sample starts where the first line comes again:
 * the whole "Node 0, zone      DMA" line (zoneinfo), its node and zone
 * (buddyinfo), "Page block order:" (pagetypeinfo).
 */
static void test_repeated_without_dates(void **state)
{
	struct kfx fx;

	open_twice(&fx, "zoneinfo-6.18.txt");
	assert_int_equal(kfx_count_rows(&fx, "snapshots"), 2);
	assert_int_equal(kfx_qint(&fx, "SELECT line FROM snapshots WHERE seq = 1"), 215);
	assert_int_equal(kfx_count_rows(&fx, "zone_values"), 2 * 183);
	assert_int_equal(zval(&fx, 1, 0, NULL, "nr_dirtied"), 43708363);
	kfx_close(&fx);

	open_twice(&fx, "buddyinfo-6.18.txt");
	assert_int_equal(kfx_count_rows(&fx, "snapshots"), 2);
	assert_int_equal(kfx_qint(&fx, "SELECT line FROM snapshots WHERE seq = 1"), 4);
	assert_int_equal(free_count(&fx, 1, "DMA32", NULL, 10), 752);
	kfx_close(&fx);

	open_twice(&fx, "pagetypeinfo-6.18.txt");
	assert_int_equal(kfx_count_rows(&fx, "snapshots"), 2);
	assert_int_equal(kfx_qint(&fx, "SELECT line FROM snapshots WHERE seq = 1"), 25);
	assert_int_equal(kfx_count_rows(&fx, "free_areas"), 2 * 165);
	assert_int_equal(zval(&fx, 1, 0, "DMA32", "blocks_Movable"), 1528);
	kfx_close(&fx);
}

static void test_buddyinfo_corpus(void **state)
{
	struct kfx fx;

	kfx_open_corpus(&fx, "i5_info-android-3.4/proc/buddyinfo");
	assert_int_equal(kfx_count_rows(&fx, "free_areas"), 22);
	assert_int_equal(free_count(&fx, 0, "HighMem", NULL, 0), 614);
	assert_int_equal(free_count(&fx, 0, "Normal", NULL, 10), 35);
	kfx_close(&fx);

	kfx_open_corpus(&fx, "D2000-arm-2.6/proc/buddyinfo");
	assert_int_equal(kfx_count_rows(&fx, "free_areas"), 11);
	assert_int_equal(free_count(&fx, 0, "DMA", NULL, 10), 4);
	kfx_close(&fx);
}

/* DMA32 (line 2) with its order-10 column taken away. */
static void test_buddyinfo_missing_column(void **state)
{
	char line[256], *text, *cut;
	size_t len;

	data_line("buddyinfo-6.18.txt", 2, line, sizeof(line));
	cut = strstr(line, "    752");
	assert_non_null(cut);
	*cut = '\0';
	text = replace_line("buddyinfo-6.18.txt", 2, line, &len);
	kfx_expect_refused(NULL, text, len, 2,
			   "10 free counts where the first line of the sample has 11");
	free(text);
}

/* The last line of the first sample (line 4) cut after three counts. */
static void test_buddyinfo_truncated(void **state)
{
	char line[256], *text;
	size_t len;

	data_line("buddyinfo-series3-6.18.txt", 4, line, sizeof(line));
	assert_int_equal(strncmp(line, "Node 0, zone   Normal", 21), 0);
	line[21 + 3 * 7] = '\0';
	text = replace_line("buddyinfo-series3-6.18.txt", 4, line, &len);
	kfx_expect_refused(NULL, text, len, 4, "3 free counts");
	free(text);
}

/* ---- pagetypeinfo -------------------------------------------------------- */

static void test_pagetypeinfo_this_machine(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "zones", "pagetypeinfo-6.18.txt");

	kfx_expect_kind(&fx, src, "pagetypeinfo");
	assert_int_equal(kfx_qint(&fx, "SELECT v.value FROM state_values v JOIN state_keys k ON "
				  "k.id = v.key_id WHERE k.name = 'pageblock_order'"), 9);
	assert_int_equal(kfx_qint(&fx, "SELECT v.value FROM state_values v JOIN state_keys k ON "
				  "k.id = v.key_id WHERE k.name = 'pages_per_block'"), 512);
	/* 15 free lists of 11 orders, 3 zones of 5 block counts. */
	assert_int_equal(kfx_count_rows(&fx, "free_areas"), 165);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM free_areas WHERE capped = 0"), 165);
	assert_int_equal(kfx_count_rows(&fx, "zone_values"), 15);
	assert_int_equal(free_count(&fx, 0, "Normal", "Movable", 0), 2782);
	assert_int_equal(free_count(&fx, 0, "Normal", "Reclaimable", 1), 1586);
	assert_int_equal(free_count(&fx, 0, "DMA", "Movable", 10), 3);
	assert_int_equal(zval(&fx, 0, 0, "DMA32", "blocks_Movable"), 1528);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "blocks_Unmovable"), 155);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "blocks_Reclaimable"), 194);
	kfx_close(&fx);
}

static void test_pagetypeinfo_series(void **state)
{
	static const double ts[] = { 1795300028.155688755, 1795300029.006922234,
				     1795300030.006567295 };
	struct kfx fx;

	kfx_open_data(&fx, "zones", "pagetypeinfo-series3-6.18.txt");
	assert_int_equal(kfx_count_rows(&fx, "snapshots"), 3);
	assert_int_equal(kfx_count_rows(&fx, "free_areas"), 3 * 165);
	for (int i = 0; i < 3; i++)
		assert_true(fabs(kfx_qreal(&fx, "SELECT ts FROM snapshots WHERE seq = %d", i) -
				 ts[i]) < 1e-6);
	assert_int_equal(zval(&fx, 2, 0, "Normal", "blocks_Movable"), 5025);
	kfx_close(&fx);
}

/*
 * A fragmented Normal zone (fragment.py): 6.x kernels stop counting a free
 * list at 100000 and print ">100000"; buddyinfo, taken right after, has the
 * whole count.
 */
static void test_pagetypeinfo_capped(void **state)
{
	struct kfx fx;

	kfx_open_data(&fx, "zones", "pagetypeinfo-capped-6.18.txt");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM free_areas WHERE capped = 1"), 1);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM free_areas WHERE capped = 1 AND "
				  "zone = 'Normal' AND migratetype = 'Movable' AND \"order\" = 0"), 1);
	assert_int_equal(free_count(&fx, 0, "Normal", "Movable", 0), 100000);
	assert_int_equal(free_count(&fx, 0, "Normal", "Movable", 1), 25683);
	assert_int_equal(free_count(&fx, 0, "Normal", "Movable", 10), 1199);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM buddyinfo WHERE capped = 1"), 1);
	kfx_close(&fx);

	kfx_open_data(&fx, "zones", "buddyinfo-fragmented-6.18.txt");
	assert_int_equal(free_count(&fx, 0, "Normal", NULL, 0), 288872);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM free_areas WHERE capped = 1"), 0);
	kfx_close(&fx);
}

/* 3.x: CMA and Reserve types, order 10 page blocks. */
static void test_pagetypeinfo_3_x(void **state)
{
	struct kfx fx;

	kfx_open_corpus(&fx, "JMR540-proc-dump/pagetypeinfo");
	assert_int_equal(kfx_qint(&fx, "SELECT v.value FROM state_values v JOIN state_keys k ON "
				  "k.id = v.key_id WHERE k.name = 'pages_per_block'"), 1024);
	assert_int_equal(kfx_count_rows(&fx, "free_areas"), 66);
	assert_int_equal(free_count(&fx, 0, "Normal", "CMA", 7), 2);
	assert_int_equal(free_count(&fx, 0, "Normal", "Movable", 10), 26);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "blocks_CMA"), 2);
	assert_int_equal(zval(&fx, 0, 0, "Normal", "blocks_Movable"), 34);
	kfx_close(&fx);

	kfx_open_corpus(&fx, "i5_info-android-3.4/proc/pagetypeinfo");
	assert_int_equal(kfx_count_rows(&fx, "free_areas"), 110);
	assert_int_equal(free_count(&fx, 0, "HighMem", "Movable", 0), 1774);
	assert_int_equal(zval(&fx, 0, 0, "HighMem", "blocks_Reserve"), 1);
	kfx_close(&fx);
}

/* A free-list row with its last count cut off. */
static void test_pagetypeinfo_missing_column(void **state)
{
	char line[256], *text;
	size_t len;

	data_line("pagetypeinfo-6.18.txt", 16, line, sizeof(line));
	assert_int_equal(strncmp(line, "Node    0, zone   Normal, type      Movable", 42), 0);
	*strrchr(line, ' ') = '\0';
	while (line[strlen(line) - 1] == ' ')
		line[strlen(line) - 1] = '\0';
	*strrchr(line, ' ') = '\0';
	text = replace_line("pagetypeinfo-6.18.txt", 16, line, &len);
	kfx_expect_refused(NULL, text, len, 16,
			   "10 free counts where the header has 11 orders");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zoneinfo_this_machine),
		cmocka_unit_test(test_zoneinfo_series),
		cmocka_unit_test(test_zoneinfo_2_6),
		cmocka_unit_test(test_zoneinfo_3_x),
		cmocka_unit_test(test_zoneinfo_rhel8_unnamed),
		cmocka_unit_test(test_zoneinfo_overflow),
		cmocka_unit_test(test_zoneinfo_truncated),
		cmocka_unit_test(test_zoneinfo_zone_without_values),
		cmocka_unit_test(test_buddyinfo_this_machine),
		cmocka_unit_test(test_buddyinfo_series),
		cmocka_unit_test(test_repeated_without_dates),
		cmocka_unit_test(test_buddyinfo_corpus),
		cmocka_unit_test(test_buddyinfo_missing_column),
		cmocka_unit_test(test_buddyinfo_truncated),
		cmocka_unit_test(test_pagetypeinfo_this_machine),
		cmocka_unit_test(test_pagetypeinfo_series),
		cmocka_unit_test(test_pagetypeinfo_capped),
		cmocka_unit_test(test_pagetypeinfo_3_x),
		cmocka_unit_test(test_pagetypeinfo_missing_column),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
