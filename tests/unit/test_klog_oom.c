/*
 * Tests of the kernel-log parser on the memory dumps of real allocation
 * failures and OOM kills: the Mem-Info counters (global, per node, per
 * zone watermarks, lowmem_reserve, free lists per order, swap and page
 * totals), the OOM victim and the OOM task table of every era.
 *
 * Inputs: samples/memcg-oom (a real capture of three memory-cgroup OOM
 * kills) and files of the corpus in ../shared/corpus named above each
 * test; tests that need the corpus skip when it is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "klog_fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The value of one Mem-Info counter of a report; node < 0 and zone NULL for global ones. */
static int64_t counter(struct kfx *fx, int64_t rep, int node, const char *zone,
		       const char *name)
{
	int64_t n = kfx_qint(fx, "SELECT count(*) FROM mem_counters WHERE report_id = %lld AND "
			     "ifnull(node, -1) = %d AND ifnull(zone, '') = %Q AND name = %Q",
			     (long long)rep, node, zone ? zone : "", name);

	if (n != 1)
		fail_msg("node %d zone %s %s: %lld rows", node, zone ? zone : "-", name,
			 (long long)n);
	if (node < 0)
		return kfx_qint(fx, "SELECT value FROM mem_counters WHERE report_id = %lld AND "
				"node IS NULL AND zone IS NULL AND name = %Q", (long long)rep,
				name);
	if (!zone)
		return kfx_qint(fx, "SELECT value FROM mem_counters WHERE report_id = %lld AND "
				"node = %d AND zone IS NULL AND name = %Q", (long long)rep,
				node, name);
	return kfx_qint(fx, "SELECT value FROM mem_counters WHERE report_id = %lld AND "
			"node = %d AND zone = %Q AND name = %Q", (long long)rep, node, zone, name);
}

struct want_counter {
	int node;		/* -1: global */
	const char *zone;	/* NULL: not a zone's */
	const char *name;
	int64_t value;
	const char *unit;
};

static void expect_counters(struct kfx *fx, int64_t rep, const struct want_counter *w,
			    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t v = counter(fx, rep, w[i].node, w[i].zone, w[i].name);
		char unit[16];

		if (v != w[i].value)
			fail_msg("node %d zone %s %s: %lld, expected %lld", w[i].node,
				 w[i].zone ? w[i].zone : "-", w[i].name, (long long)v,
				 (long long)w[i].value);
		kfx_qtext(fx, unit, sizeof(unit), "SELECT unit FROM mem_counters WHERE "
			  "report_id = %lld AND name = %Q AND ifnull(zone, '') = %Q AND "
			  "ifnull(node, -1) = %d", (long long)rep, w[i].name,
			  w[i].zone ? w[i].zone : "", w[i].node);
		if (strcmp(unit, w[i].unit))
			fail_msg("%s: unit %s, expected %s", w[i].name, unit, w[i].unit);
	}
}

/* ---- Mem-Info ----------------------------------------------------------- */

/*
 * lkml/cgroups/page-alloc-failure-order6-arm64-rk3399-5.10.txt:25-53, the
 * dump of a 5.10 arm64 machine with zones DMA and DMA32 on node 0.
 */
static const struct want_counter order6[] = {
	/* :26-32, global counters in pages, continued on untimed lines */
	{ -1, NULL, "active_anon", 258800, "pages" },
	{ -1, NULL, "active_file", 72460, "pages" },
	{ -1, NULL, "dirty", 3322, "pages" },
	{ -1, NULL, "writeback", 4, "pages" },
	{ -1, NULL, "slab_reclaimable", 31877, "pages" },
	{ -1, NULL, "free", 60679, "pages" },
	{ -1, NULL, "free_cma", 1040, "pages" },
	/* :33, the node */
	{ 0, NULL, "active_anon", 1035200, "kB" },
	{ 0, NULL, "writeback", 16, "kB" },
	{ 0, NULL, "all_unreclaimable", 0, "count" },
	/* :34-37, watermarks and reserves */
	{ 0, "DMA", "free", 171552, "kB" },
	{ 0, "DMA", "min", 16520, "kB" },
	{ 0, "DMA", "low", 20648, "kB" },
	{ 0, "DMA", "high", 24776, "kB" },
	{ 0, "DMA", "managed", 980856, "kB" },
	{ 0, "DMA", "lowmem_reserve_0", 0, "pages" },
	{ 0, "DMA", "lowmem_reserve_1", 2807, "pages" },
	{ 0, "DMA", "lowmem_reserve_4", 2807, "pages" },
	{ 0, "DMA32", "free", 71164, "kB" },
	{ 0, "DMA32", "min", 49012, "kB" },
	{ 0, "DMA32", "low", 61264, "kB" },
	{ 0, "DMA32", "high", 73516, "kB" },
	{ 0, "DMA32", "lowmem_reserve_1", 0, "pages" },
	/* :38-39, free blocks per order */
	{ 0, "DMA", "free_order_0", 9581, "count" },
	{ 0, "DMA", "free_order_4", 107, "count" },
	{ 0, "DMA", "free_order_5", 1, "count" },
	{ 0, "DMA", "free_order_10", 0, "count" },
	{ 0, "DMA", "free_lists_total", 172732, "kB" },
	{ 0, "DMA32", "free_order_0", 2838, "count" },
	{ 0, "DMA32", "free_order_5", 6, "count" },
	{ 0, "DMA32", "free_lists_total", 72144, "kB" },
	/* :44-53, totals */
	{ -1, NULL, "total_pagecache", 373270, "pages" },
	{ -1, NULL, "swap_cache", 104518, "pages" },
	{ -1, NULL, "swap_free", 1705192, "kB" },
	{ -1, NULL, "swap_total", 3145720, "kB" },
	{ -1, NULL, "pages_ram", 1015296, "pages" },
	{ -1, NULL, "pages_reserved", 42695, "pages" },
	{ -1, NULL, "pages_cma_reserved", 8192, "pages" },
};

static void test_meminfo_arm64(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/cgroups/page-alloc-failure-order6-arm64-rk3399-5.10.txt");
	int64_t rep = kfx_report_at(&fx, src, 1);

	expect_counters(&fx, rep, order6, N(order6));
	/* eleven orders per zone, nothing for a zone the dump does not show */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM mem_counters WHERE report_id = %lld "
				  "AND name LIKE 'free_order_%%'", (long long)rep), 22);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM mem_counters WHERE report_id = %lld "
				  "AND zone NOT IN ('DMA', 'DMA32')", (long long)rep), 0);
	/* :40-43, one line per huge page size: counters named by the size */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM mem_counters WHERE report_id = %lld "
				  "AND name LIKE 'hugepages%%'", (long long)rep), 12);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM (SELECT 1 FROM mem_counters "
				  "WHERE report_id = %lld GROUP BY node, zone, name "
				  "HAVING count(*) > 1)", (long long)rep), 0);
	assert_int_equal(counter(&fx, rep, 0, NULL, "hugepages_1048576kB_total"), 0);
	assert_int_equal(counter(&fx, rep, 0, NULL, "hugepages_64kB_surp"), 0);
	kfx_close(&fx);
}

/*
 * oomanalyser/example_rhel7.txt:31-56: RHEL 7 (3.10), two nodes, global
 * counters joined on one line by syslog's "#012".
 */
static const struct want_counter rhel7[] = {
	{ -1, NULL, "active_anon", 7355653, "pages" },
	{ -1, NULL, "slab_reclaimable", 27412, "pages" },
	{ -1, NULL, "free", 39513, "pages" },
	{ 0, "DMA", "free", 15872, "kB" },
	{ 0, "DMA", "min", 40, "kB" },
	{ 0, "DMA", "low", 48, "kB" },
	{ 0, "DMA", "high", 60, "kB" },
	{ 0, "DMA", "all_unreclaimable", 1, "count" },
	{ 0, "DMA", "lowmem_reserve_1", 2780, "pages" },
	{ 0, "DMA", "lowmem_reserve_2", 15835, "pages" },
	{ 0, "DMA32", "min", 7832, "kB" },
	{ 0, "DMA32", "lowmem_reserve_2", 13055, "pages" },
	{ 0, "Normal", "free", 36692, "kB" },
	{ 0, "Normal", "min", 36784, "kB" },
	{ 0, "Normal", "low", 45980, "kB" },
	{ 0, "Normal", "high", 55176, "kB" },
	{ 1, "Normal", "free", 49436, "kB" },
	{ 1, "Normal", "min", 45444, "kB" },
	{ 1, "Normal", "low", 56804, "kB" },
	{ 1, "Normal", "high", 68164, "kB" },
	{ 1, "Normal", "pages_scanned", 125777, "pages" },
	{ 1, "Normal", "lowmem_reserve_3", 0, "pages" },
	{ 0, "DMA", "free_order_4", 2, "count" },
	{ 0, "DMA", "free_order_10", 3, "count" },
	{ 0, "DMA", "free_lists_total", 15872, "kB" },
	{ 0, "Normal", "free_order_0", 1231, "count" },
	{ 1, "Normal", "free_order_0", 2245, "count" },
	{ 1, "Normal", "free_order_8", 1, "count" },
	{ 1, "Normal", "free_lists_total", 50836, "kB" },
	{ -1, NULL, "swap_free", 0, "kB" },
	{ -1, NULL, "swap_total", 8388604, "kB" },
	{ -1, NULL, "pages_ram", 8379834, "pages" },
	{ -1, NULL, "pages_reserved", 192987, "pages" },
};

static void test_meminfo_two_nodes(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "oomanalyser/example_rhel7.txt");

	expect_counters(&fx, kfx_report_at(&fx, src, 1), rhel7, N(rhel7));
	kfx_close(&fx);
}

/*
 * lkml/linux-mm/page-alloc-failure-order5-2.6.31-i386-e100.txt: 2.6.31
 * prints its zones without "Node N" (:35 "DMA free:1096kB min:124kB ...")
 * and its first global counter capitalised (:32 "Active_anon:14778"). The
 * two dumps (:27-49, :70-92) show the same zones.
 */
static const struct want_counter e100[] = {
	/* :34 " free:1031 slab:2083 ...", once: a zone's "free" is not global */
	{ -1, NULL, "free", 1031, "pages" },
	/* :35-36 and :78-79, node 0, the only one */
	{ 0, "DMA", "free", 1096, "kB" },
	{ 0, "DMA", "min", 124, "kB" },
	{ 0, "DMA", "lowmem_reserve_1", 238, "pages" },
	/* :39 and :82 "DMA: 46*4kB 0*8kB 5*16kB ..." */
	{ 0, "DMA", "free_order_0", 46, "count" },
};

static void test_meminfo_2_6(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/linux-mm/page-alloc-failure-order5-2.6.31-i386-e100.txt");
	int64_t first = kfx_report_at(&fx, src, 6), second = kfx_report_at(&fx, src, 50);

	expect_counters(&fx, first, e100, N(e100));
	expect_counters(&fx, second, e100, N(e100));
	/* :32 "Active_anon:14778", :75 "Active_anon:14760" */
	expect_counters(&fx, first, (const struct want_counter[]){
		{ -1, NULL, "active_anon", 14778, "pages" } }, 1);
	expect_counters(&fx, second, (const struct want_counter[]){
		{ -1, NULL, "active_anon", 14760, "pages" } }, 1);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM mem_counters WHERE "
				  "name GLOB '*[A-Z]*'"), 0);
	/*
	 * The dump ends with :92 "52896 pages non-shared"; the driver's lines
	 * after it (:93 "e100 0000:00:03.0: firmware: ...", :94-97 "... eth0:
	 * ...") are neither the report's nor counters.
	 */
	kfx_expect_row(&fx, "reports", second, (const char *const[]){
		"line_end", "92", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM mem_counters WHERE "
				  "name IN ('0000', 'eth0')"), 0);
	kfx_close(&fx);
}

/*
 * lkml/cgroups/page-alloc-failure-order5-arm64-rk3399-5.10.txt: copied
 * from a web page, the frames (:6-28) and the continued global counters
 * (:30-35) are indented with no-break spaces.
 */
static void test_meminfo_nbsp(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/cgroups/page-alloc-failure-order5-arm64-rk3399-5.10.txt");
	int64_t rep = kfx_report_at(&fx, src, 2);

	kfx_expect_row(&fx, "reports", rep, (const char *const[]){
		"kind", "alloc_failure", "stack_id IS NOT NULL", "1", KFX_DEPTH, "23", NULL });
	/* :6 "dump_backtrace+0x0/0x200" to :28 "el0_sync+0x178/0x180" */
	assert_int_equal(kfx_count_frames(&fx, rep), 23);
	/* :35 "free:34573 free_pcp:0 free_cma:194" */
	expect_counters(&fx, rep, (const struct want_counter[]){
		{ -1, NULL, "free", 34573, "pages" } }, 1);
	kfx_close(&fx);
}

/* ---- OOM kills ---------------------------------------------------------- */

/* The OOM report the first line of a file starts, with its victim. */
static void expect_oom(struct kfx *fx, int64_t rep, const char *const *report,
		       const char *const *victim)
{
	kfx_expect_row(fx, "reports", rep, report);
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM oom_kills WHERE report_id = %lld",
				  (long long)rep), 1);
	kfx_expect_row(fx, "oom_kills", kfx_qint(fx, "SELECT rowid FROM oom_kills WHERE "
						 "report_id = %lld", (long long)rep), victim);
}

/*
 * samples/memcg-oom/dmesg.txt: three kills in a 64 MiB memory cgroup; the
 * second kills memhog-a for its oom_score_adj of 1000 although tail
 * invoked it (the sample's README).
 */
static const long memcg_starts[3] = { 4, 88, 171 };

static const char *const memcg_reports[3][13] = {
	{ "line_end", "86", "pid", "27135", "comm", "memhog-b", KFX_DEPTH, "16",
	  "ip", "NULL", "tainted", "", NULL },
	{ "line_end", "170", "pid", "27270", "comm", "tail", KFX_DEPTH, "14",
	  "ip", "NULL", "tainted", "", NULL },
	/* the third fault was taken in the kernel, in _copy_to_iter */
	{ "line_end", "287", "pid", "27270", "comm", "tail", KFX_DEPTH, "41",
	  "ip", "_copy_to_iter", "tainted", "", NULL },
};

static const char *const memcg_victims[3][21] = {
	{ "pid", "27135", "comm", "memhog-b", "total_vm_kb", "51364",
	  "anon_rss_kb", "40192", "file_rss_kb", "5776", "shmem_rss_kb", "0",
	  "oom_score_adj", "0", "constraint_kind", "CONSTRAINT_MEMCG",
	  "memcg", "/mmtriage-oom", "line", "86", NULL },
	{ "pid", "26957", "comm", "memhog-a", "total_vm_kb", "30828",
	  "anon_rss_kb", "19712", "file_rss_kb", "5888", "shmem_rss_kb", "0",
	  "oom_score_adj", "1000", "constraint_kind", "CONSTRAINT_MEMCG",
	  "memcg", "/mmtriage-oom", "line", "170", NULL },
	{ "pid", "27270", "comm", "tail", "total_vm_kb", "62736",
	  "anon_rss_kb", "59904", "file_rss_kb", "1592", "shmem_rss_kb", "0",
	  "oom_score_adj", "0", "constraint_kind", "CONSTRAINT_MEMCG",
	  "memcg", "/mmtriage-oom", "line", "287", NULL },
};

/* Rows of each report's task table: the cgroup's tasks at that moment. */
static const int memcg_table_rows[3] = { 4, 6, 5 };

static void test_memcg_oom_sample(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_sample(&fx, "memcg-oom", "dmesg.txt");

	assert_int_equal(kfx_count_reports(&fx, src), 3);
	for (int i = 0; i < 3; i++) {
		int64_t rep = kfx_report_at(&fx, src, memcg_starts[i]);

		kfx_expect_row(&fx, "reports", rep, (const char *const[]){
			"kind", "oom_kill", "gfp_mask", "0xcc0", "gfp_names", "GFP_KERNEL",
			"alloc_order", "0", "cpu", "1", "kernel", "6.18.44-fc-v769",
			"truncated", "0", NULL });
		expect_oom(&fx, rep, memcg_reports[i], memcg_victims[i]);
		assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM oom_tasks WHERE "
					  "report_id = %lld", (long long)rep), memcg_table_rows[i]);
	}
	/* no Mem-Info for a memcg OOM: the cgroup's stats are printed instead */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM mem_counters"), 0);
	kfx_close(&fx);
}

/* The task table's rows, with columns found by name in its header. */
static void test_memcg_oom_task_table(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_sample(&fx, "memcg-oom", "dmesg.txt");
	int64_t rep = kfx_report_at(&fx, src, 88);

	/* dmesg.txt:164 "[  26957]     0 26957     7707     6400     4928     1472
	 *   0   102400        0          1000 memhog-a" */
	kfx_expect_row(&fx, "oom_tasks", kfx_qint(&fx, "SELECT rowid FROM oom_tasks "
						  "WHERE report_id = %lld AND pid = 26957",
						  (long long)rep),
		       (const char *const[]){
		"uid", "0", "tgid", "26957", "total_vm", "7707", "rss", "6400",
		"pgtables", "102400", "swapents", "0", "oom_score_adj", "1000", NULL });
	/* dmesg.txt:168 "[  27270] ... 10770    10446 ... 131072 ..." */
	kfx_expect_row(&fx, "oom_tasks", kfx_qint(&fx, "SELECT rowid FROM oom_tasks "
						  "WHERE report_id = %lld AND pid = 27270",
						  (long long)rep),
		       (const char *const[]){
		"total_vm", "10770", "rss", "10446", "pgtables", "131072",
		"oom_score_adj", "0", NULL });
	/* the first table, dmesg.txt:81-84, lists the cgroup's four tasks */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM oom_tasks WHERE report_id = %lld "
				  "AND pid IN (26956, 26957, 26955, 27135)",
				  (long long)kfx_report_at(&fx, src, 4)), 4);
	/* dmesg.txt:81 "[  26956]     0 26956      730 ...             0 sleep" */
	kfx_expect_row(&fx, "oom_tasks", kfx_qint(&fx, "SELECT rowid FROM oom_tasks "
						  "WHERE report_id = %lld AND pid = 26956",
						  (long long)kfx_report_at(&fx, src, 4)),
		       (const char *const[]){ "name", "sleep", NULL });
	/* a name is the rest of its line, not what follows it */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM oom_tasks WHERE "
				  "instr(name, char(10)) > 0"), 0);
	kfx_close(&fx);
}

/*
 * oomanalyser/example_rhel7.txt: a 3.10 global OOM; the table has nr_ptes,
 * the victim line "Killed process" has no oom_score_adj yet.
 */
static void test_oom_rhel7(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "oomanalyser/example_rhel7.txt");
	int64_t rep = kfx_report_at(&fx, src, 1);

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	expect_oom(&fx, rep, (const char *const[]){
		"kind", "oom_kill", "line_end", "144", "pid", "29481", "comm", "sed",
		"cpu", "4", "gfp_mask", "0x201da", "gfp_names", "NULL", "alloc_order", "0",
		"kernel", "3.10.0-514.6.1.el7.x86_64", KFX_DEPTH, "22", NULL },
		(const char *const[]){
		"pid", "6576", "comm", "mysqld", "total_vm_kb", "33914892",
		"anon_rss_kb", "20629004", "file_rss_kb", "0", "shmem_rss_kb", "0",
		"oom_score_adj", "NULL", "constraint_kind", "NULL", "line", "144", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM oom_tasks WHERE report_id = %lld",
				  (long long)rep), 85);
	/* :93 "[ 6576] 12345  6576  8478546  5157063   15483  1527848
	 *   0 mysqld" */
	kfx_expect_row(&fx, "oom_tasks", kfx_qint(&fx, "SELECT rowid FROM oom_tasks "
						  "WHERE pid = 6576"),
		       (const char *const[]){
		"uid", "12345", "tgid", "6576", "total_vm", "8478546", "rss", "5157063",
		"pgtables", "15483", "swapents", "1527848", "oom_score_adj", "0", NULL });
	/* :59 "[  433]     0   433    11104        2      22      360
	 *   -1000 systemd-udevd" */
	kfx_expect_row(&fx, "oom_tasks", kfx_qint(&fx, "SELECT rowid FROM oom_tasks "
						  "WHERE pid = 433"),
		       (const char *const[]){
		"total_vm", "11104", "rss", "2", "pgtables", "22", "swapents", "360",
		"oom_score_adj", "-1000", NULL });
	kfx_close(&fx);
}

/* oomanalyser/example_ubuntu2110.txt: an OOM forced with SysRq-f (order=-1). */
static void test_oom_sysrq(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "oomanalyser/example_ubuntu2110.txt");
	int64_t rep = kfx_report_at(&fx, src, 1);

	expect_oom(&fx, rep, (const char *const[]){
		"kind", "oom_kill", "line_end", "69", "pid", "735", "comm", "kworker/0:2",
		"gfp_mask", "0xcc0", "gfp_names", "GFP_KERNEL", "alloc_order", "-1",
		"kernel", "5.13.0-19-generic", NULL }, (const char *const[]){
		"pid", "651", "comm", "unattended-upgr", "total_vm_kb", "108020",
		"anon_rss_kb", "8380", "file_rss_kb", "12548", "oom_score_adj", "0",
		"constraint_kind", "CONSTRAINT_NONE", "memcg", "NULL", "line", "69", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM oom_tasks WHERE report_id = %lld",
				  (long long)rep), 23);
	/* :45 "[    323]     0   323     9458     2766    77824        0          -250 ..." */
	kfx_expect_row(&fx, "oom_tasks", kfx_qint(&fx, "SELECT rowid FROM oom_tasks "
						  "WHERE pid = 323"),
		       (const char *const[]){
		"total_vm", "9458", "rss", "2766", "pgtables", "77824",
		"oom_score_adj", "-250", NULL });
	kfx_close(&fx);
}

/*
 * oomanalyser/example_archlinux_6_1_1.txt: a 6.1 global OOM, with the
 * oom_reaper's line after the kill.
 */
static void test_oom_arch(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "oomanalyser/example_archlinux_6_1_1.txt");
	int64_t rep = kfx_report_at(&fx, src, 1);

	expect_oom(&fx, rep, (const char *const[]){
		"kind", "oom_kill", "line_end", "174", "pid", "473206", "comm", "doxygen",
		"cpu", "3", "gfp_mask", "0x140dca",
		"gfp_names", "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO",
		"kernel", "6.1.1-arch1-1", "tainted", "G           OE", NULL },
		(const char *const[]){
		"pid", "473206", "comm", "doxygen", "total_vm_kb", "30290680",
		"anon_rss_kb", "9234320", "file_rss_kb", "4",
		"constraint_kind", "CONSTRAINT_NONE", "line", "173", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM oom_tasks WHERE report_id = %lld",
				  (long long)rep), 112);
	kfx_close(&fx);
}

/*
 * lkml/linux-mm/oom-2.6.30-syslog-prefixed-x86_64.txt: the post stops
 * after the Mem-Info dump, before the task table and the kill.
 */
static void test_oom_cut(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkml/linux-mm/oom-2.6.30-syslog-prefixed-x86_64.txt");
	int64_t rep = kfx_report_at(&fx, src, 1);

	kfx_expect_row(&fx, "reports", rep, (const char *const[]){
		"kind", "oom_kill", "line_end", "46", "truncated", "1", "comm", "apt-check",
		"gfp_mask", "0x201da", "alloc_order", "0", "kernel", "2.6.30",
		"tainted", "G    B   W", NULL });
	assert_int_equal(fx.warnings, 1);
	assert_int_equal(fx.warning_line, 46);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM oom_kills"), 0);
	expect_counters(&fx, rep, (const struct want_counter[]){
			{ -1, NULL, "swap_free", 0, "kB" },
			{ -1, NULL, "swap_total", 979956, "kB" },
			{ -1, NULL, "pages_ram", 507136, "pages" },
	}, 3);
	kfx_close(&fx);
}

/*
 * lkml/cgroups/memcg-oom-mglru-rsync-6.7.4.txt:2 "rsync invoked
 * oom-killer: gfp_mask=0x408d40(GFP_NOFS|__GFP_NOFAIL|__GFP_ZERO|
 * __GFP_ACCOUNT), order=0, oom_score_adj=200", after the kill line of an
 * earlier OOM (:1).
 */
static void test_oom_gfp_names(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkml/cgroups/memcg-oom-mglru-rsync-6.7.4.txt");

	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 2), (const char *const[]){
		"kind", "oom_kill", "pid", "128826", "comm", "rsync", "gfp_mask", "0x408d40",
		"gfp_names", "GFP_NOFS|__GFP_NOFAIL|__GFP_ZERO|__GFP_ACCOUNT",
		"alloc_order", "0", NULL });
	kfx_close(&fx);
}

/*
 * lkp-tests/spec/fixtures/stats/dmesg/01.yaml: statistics keyed by the
 * header they matched, ":5 message:invoked_oom-killer:gfp_mask=0x: [
 * 8.458154] ...". "gfp_mask=0x:" has no digits: no mask, rather than "0x".
 */
static void test_oom_mask_without_digits(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkp-tests/spec/fixtures/stats/dmesg/01.yaml");

	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 5), (const char *const[]){
		"kind", "oom_kill", "gfp_mask", "NULL", "alloc_order", "0", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM reports WHERE gfp_mask IS NOT NULL"),
			 0);
	kfx_close(&fx);
}

/*
 * oomanalyser/example_proxmox_cgroup_oom.txt: dmesg -T in German ("[Di Aug
 * 12 03:54:03 2025] php-fpm invoked oom-killer: ...").
 */
static void test_oom_german_dates(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "oomanalyser/example_proxmox_cgroup_oom.txt");
	int64_t rep;

	kfx_expect_row(&fx, "sources", src, (const char *const[]){ "clock", "wall", NULL });
	assert_int_equal(kfx_count_reports(&fx, src), 1);
	rep = kfx_report_at(&fx, src, 1);
	/* :2 "CPU: 8 PID: 3923954 Comm: php-fpm Tainted: P O 5.15.158-2-pve #1" */
	kfx_expect_row(&fx, "reports", rep, (const char *const[]){
		"kind", "oom_kill", "pid", "3923954", "comm", "php-fpm", KFX_DEPTH, "25",
		NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM oom_kills WHERE report_id = %lld",
				  (long long)rep), 1);
	assert_int_equal(kfx_count_frames(&fx, rep), 25);
	kfx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meminfo_arm64),
		cmocka_unit_test(test_meminfo_two_nodes),
		cmocka_unit_test(test_meminfo_2_6),
		cmocka_unit_test(test_meminfo_nbsp),
		cmocka_unit_test(test_memcg_oom_sample),
		cmocka_unit_test(test_memcg_oom_task_table),
		cmocka_unit_test(test_oom_rhel7),
		cmocka_unit_test(test_oom_sysrq),
		cmocka_unit_test(test_oom_arch),
		cmocka_unit_test(test_oom_cut),
		cmocka_unit_test(test_oom_gfp_names),
		cmocka_unit_test(test_oom_mask_without_digits),
		cmocka_unit_test(test_oom_german_dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
