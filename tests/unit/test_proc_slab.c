/*
 * Tests of the slabinfo and slabtop parsers (parsers/proc_slab.c) on real
 * inputs: files of this project's machine and two mailing-list excerpts in
 * tests/data/slab (README.md there says how each was captured), files of
 * the corpus (skipped when it is absent), the 1-second capture in
 * /var/tmp/mmt-series-600 when it is there, and bad inputs derived from the
 * real files inside the tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parsers/parser.h"

#include "klog_fixture.h"

/* The kind, format and number of samples of source src. */
static void expect_source(struct kfx *fx, int64_t src, const char *kind, int64_t samples)
{
	kfx_expect_kind(fx, src, kind);
	assert_int_equal(kfx_qint(fx, "SELECT records FROM sources WHERE id = %lld",
				  (long long)src), samples);
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM snapshots WHERE source_id = %lld "
				  "AND kind = %Q", (long long)src, kind), samples);
}

/* One cache's row of the first sample: columns and the text each must have. */
static void expect_cache(struct kfx *fx, const char *cache, const char *const *pairs)
{
	int64_t rowid = kfx_qint(fx, "SELECT rowid FROM slab_caches WHERE cache = %Q "
				 "ORDER BY snapshot_id LIMIT 1", cache);

	kfx_expect_row(fx, "slab_caches", rowid, pairs);
}

/*
 * A file of tests/data/slab with the first `find` of line `line` replaced
 * by repl, and cut after line `last` (0: not cut), must be refused by
 * parser `as` at line `line` with words in the message.
 */
static void expect_derived_failure(const char *as, const char *file, long line,
				   const char *find, const char *repl, long last,
				   const char *words)
{
	char path[4096];
	size_t len;
	char *text;

	kfx_data_path(path, sizeof(path), "slab", file);
	text = kfx_derive(path, line, find, repl, &len);
	if (last) {
		len = kfx_line_offset(text, len, last + 1);
		text[len] = '\0';
	}
	kfx_expect_refused_as(NULL, as, text, len, line, words);
	free(text);
}

/* ---- /proc/slabinfo ------------------------------------------------------ */

/*
 * proc-slabinfo-6.18.txt: SLUB, 236 caches. Line 60:
 * "ext4_inode_cache   60206  60270   1128   14    4 : tunables    0    0    0 :
 *  slabdata   4305   4305      0"; bytes are 4305 slabs x 4 pages x 4096.
 */
static void test_slabinfo_slub(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "slab", "proc-slabinfo-6.18.txt");

	expect_source(&fx, src, "slabinfo", 1);
	assert_int_equal(kfx_qint(&fx, "SELECT line FROM snapshots"), 1);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), 236);
	expect_cache(&fx, "ext4_inode_cache", (const char *const[]){
		"active_objs", "60206", "num_objs", "60270", "objsize", "1128",
		"objperslab", "14", "pagesperslab", "4", "active_slabs", "4305",
		"num_slabs", "4305", "bytes", "70533120", "\"limit\"", "0", "batchcount", "0",
		"sharedfactor", "0", "shared_avail", "0", NULL });
	/* :211, a name with a size suffix; :238, the last row */
	expect_cache(&fx, "kmalloc-rcl-8k", (const char *const[]){
		"objsize", "8192", "objperslab", "4", "pagesperslab", "8", "bytes", "0", NULL });
	expect_cache(&fx, "kmem_cache", (const char *const[]){
		"active_objs", "238", "num_objs", "240", "num_slabs", "15", "bytes", "61440",
		NULL });
	/* awk '{s += $15 * $6 * 4096}' over the rows */
	assert_int_equal(kfx_qint(&fx, "SELECT sum(bytes) FROM slab_caches"), 155488256);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM slab_caches WHERE \"limit\" <> 0 "
				  "OR batchcount <> 0"), 0);
	kfx_close(&fx);
}

/* lkml/linux-xfs/proc-slabinfo-SLAB-tunables-5.4.txt: SLAB, 175 caches, real tunables. */
static void test_slabinfo_slab_tunables(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkml/linux-xfs/proc-slabinfo-SLAB-tunables-5.4.txt");

	expect_source(&fx, src, "slabinfo", 1);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), 175);
	/* :5 "nfs_inode_cache 1846 1893 1064 3 1 : tunables 24 12 8 : slabdata 631 631 0" */
	expect_cache(&fx, "nfs_inode_cache", (const char *const[]){
		"active_objs", "1846", "num_objs", "1893", "objsize", "1064", "objperslab", "3",
		"pagesperslab", "1", "\"limit\"", "24", "batchcount", "12", "sharedfactor", "8",
		"active_slabs", "631", "num_slabs", "631", "shared_avail", "0",
		"bytes", "2584576", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT sum(bytes) FROM slab_caches"), 51163357184);
	kfx_close(&fx);
}

/* D2000-arm-2.6/proc/slabinfo: SLAB on an arm64 board, 126 caches. */
static void test_slabinfo_d2000(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "D2000-arm-2.6/proc/slabinfo");

	expect_source(&fx, src, "slabinfo", 1);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), 126);
	/* :128 "kmem_cache 160 160 96 40 1 : tunables 120 60 0 : slabdata 4 4 0" */
	expect_cache(&fx, "kmem_cache", (const char *const[]){
		"active_objs", "160", "objsize", "96", "objperslab", "40", "\"limit\"", "120",
		"batchcount", "60", "sharedfactor", "0", "num_slabs", "4", "bytes", "16384",
		NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT sum(bytes) FROM slab_caches"), 2486272);
	kfx_close(&fx);
}

/*
 * Version 2.0 (Linux 2.6.8-rc4): the header says "<batchcount> <limit>"
 * but the kernel printed limit first, so "tunables 120 60 0" is limit 120.
 */
static void test_slabinfo_2_0(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "slab", "lkml-slabinfo-2.0-2.6.8-rc4-excerpt.txt");

	expect_source(&fx, src, "slabinfo", 1);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), 14);
	expect_cache(&fx, "rpc_tasks", (const char *const[]){
		"active_objs", "8", "num_objs", "25", "objsize", "160", "\"limit\"", "120",
		"batchcount", "60", "num_slabs", "1", "bytes", "4096", NULL });
	expect_cache(&fx, "biovec-(256)", (const char *const[]){
		"objsize", "3072", "pagesperslab", "2", "\"limit\"", "24", "batchcount", "12",
		"num_slabs", "30", "bytes", "245760", NULL });
	expect_cache(&fx, "size-131072(DMA)", (const char *const[]){
		"objsize", "131072", "pagesperslab", "32", "\"limit\"", "8", "batchcount", "4",
		"bytes", "0", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT sum(bytes) FROM slab_caches"), 5746688);
	kfx_close(&fx);
}

/* Version 2.0 of a debug kernel: globalstat and cpustat columns are skipped. */
static void test_slabinfo_2_0_statistics(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "slab", "lkml-slabinfo-2.0-statistics-2.6.5-excerpt.txt");

	expect_source(&fx, src, "slabinfo", 1);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), 9);
	expect_cache(&fx, "ext3_inode_cache", (const char *const[]){
		"active_objs", "504677", "num_objs", "504707", "objsize", "1128",
		"objperslab", "7", "pagesperslab", "2", "\"limit\"", "24", "batchcount", "12",
		"active_slabs", "72098", "num_slabs", "72101", "bytes", "590651392", NULL });
	expect_cache(&fx, "biovec-BIO_MAX_PAGES", (const char *const[]){
		"active_objs", "256", "num_slabs", "256", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT sum(bytes) FROM slab_caches"), 816746496);
	kfx_close(&fx);
}

/* A mail turned the blanks into no-break spaces (U+00A0): read as blanks. */
static void test_slabinfo_nbsp(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkml/linux-xfs/proc-slabinfo-5.4-263GB.txt");

	expect_source(&fx, src, "slabinfo", 1);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), 175);
	expect_cache(&fx, "xfs_inode", (const char *const[]){
		"active_objs", "23063278", "num_objs", "77479540", "objsize", "1024",
		"num_slabs", "2425069", "pagesperslab", "8", "bytes", "79464660992", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT sum(bytes) FROM slab_caches"), 111210409984);
	kfx_close(&fx);
}

/* A `date +%s.%N` line: digits, a dot, digits. */
static bool is_time_line(const char *s, size_t n)
{
	size_t digits = strspn(s, "0123456789");

	return digits && digits < n && s[digits] == '.' &&
	       digits + 1 + strspn(s + digits + 1, "0123456789") == n;
}

/* The lines of a capture: samples, time lines, slabinfo rows; where the last sample starts. */
struct capture_counts {
	int64_t samples, times, rows;
	size_t last_time;
};

static void count_capture(const char *buf, size_t len, struct capture_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;

		if (is_time_line(buf + at, n)) {
			c->times++;
			c->last_time = at;
		} else if (!strncmp(buf + at, "slabinfo - version", 18)) {
			c->samples++;
		} else if (buf[at] != '#') {
			c->rows++;
		}
		at += n + 1;
	}
}

/* The 1-second capture of this machine, when it is there: every sample, every row. */
static void test_slabinfo_series(void **state)
{
	const char *path = "/var/tmp/mmt-series-600/proc/slabinfo";
	struct capture_counts all, kept;
	struct kfx fx;
	int64_t src;
	size_t len;
	char *buf;

	if (access(path, R_OK))
		skip();
	/* A copy without its last sample, which may still be being written. */
	buf = kfx_slurp(path, &len);
	count_capture(buf, len, &all);
	count_capture(buf, all.last_time, &kept);
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, buf, all.last_time);
	assert_int_equal(kept.times, kept.samples);
	expect_source(&fx, src, "slabinfo", kept.samples);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), kept.rows);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots WHERE clock = 'wall'"),
			 kept.samples);
	assert_int_equal(kfx_qint(&fx, "SELECT count(DISTINCT series) FROM snapshots"), 1);
	free(buf);
	kfx_close(&fx);
}

/* The header of proc-slabinfo-6.18.txt without <objsize>: refused at line 2. */
static void test_slabinfo_missing_column(void **state)
{
	expect_derived_failure("slabinfo", "proc-slabinfo-6.18.txt", 2, " <objsize>", "", 0,
			       "no <objsize> column");
}

static void test_slabinfo_overflow(void **state)
{
	expect_derived_failure("slabinfo", "proc-slabinfo-6.18.txt", 60, "60270",
			       "99999999999999999999999", 0, "does not fit in 64 bits");
	/* Fits alone, but not once multiplied by pages per slab and page size. */
	expect_derived_failure("slabinfo", "proc-slabinfo-6.18.txt", 60, "4305      0",
			       "9223372036854775807 0", 0,
			       "size of cache 'ext4_inode_cache' does not fit");
}

/* The file cut in the middle of row 60, after its slabdata label. */
static void test_slabinfo_truncated_row(void **state)
{
	expect_derived_failure("slabinfo", "proc-slabinfo-6.18.txt", 60, "   4305   4305      0",
			       "", 60, "has 13 fields where the header has 16");
}

/* ---- slabtop ------------------------------------------------------------- */

/*
 * slabtop-o-6.18.txt (`slabtop -o`, 236 caches). Line 11:
 * " 60270  60206  99%    1.10K   4305       14     68880K ext4_inode_cache"
 */
static void test_slabtop_once(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "slab", "slabtop-o-6.18.txt");

	expect_source(&fx, src, "slabtop", 1);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), 236);
	expect_cache(&fx, "ext4_inode_cache", (const char *const[]){
		"num_objs", "60270", "active_objs", "60206", "objsize", "1126",
		"num_slabs", "4305", "objperslab", "14", "bytes", "70533120",
		"pagesperslab", "NULL", "\"limit\"", "NULL", "active_slabs", "NULL", NULL });
	/* :243, the last row */
	expect_cache(&fx, "kmalloc-rcl-8", (const char *const[]){
		"num_objs", "0", "objsize", "10", "objperslab", "512", "bytes", "0", NULL });
	/* The same total as /proc/slabinfo read seconds before. */
	assert_int_equal(kfx_qint(&fx, "SELECT sum(bytes) FROM slab_caches"), 155488256);
	kfx_close(&fx);
}

/* `slabtop -o -s c`: sorted by cache size, ext4_inode_cache first. */
static void test_slabtop_sorted(void **state)
{
	struct kfx fx;
	char first[64];
	int64_t src = kfx_open_data(&fx, "slab", "slabtop-o-sort-c-6.18.txt");

	expect_source(&fx, src, "slabtop", 1);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), 236);
	kfx_qtext(&fx, first, sizeof(first), "SELECT cache FROM slab_caches ORDER BY rowid");
	assert_string_equal(first, "ext4_inode_cache");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM slab_caches WHERE bytes > "
				  "(SELECT bytes FROM slab_caches WHERE rowid = 1)"), 0);
	kfx_close(&fx);
}

/* Three `slabtop -o -s c | head -20`, each after a `date +%s.%N` line. */
static void test_slabtop_series(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "slab", "slabtop-series-3x-head20-6.18.txt");

	expect_source(&fx, src, "slabtop", 3);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), 39);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots WHERE clock = 'wall' "
				  "AND ts > 1795300511 AND ts < 1795300514"), 3);
	assert_int_equal(kfx_qint(&fx, "SELECT line FROM snapshots WHERE seq = 2"), 44);
	kfx_close(&fx);
}

/* procps 4 prints sizes with binary suffixes: "28Gi", "113Mi", "8.2Mi". */
static void test_slabtop_human_sizes(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
				      "lkml/linux-block/slabtop-human-6.16-kmalloc-4k-leak.txt");

	expect_source(&fx, src, "slabtop", 1);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), 3);
	expect_cache(&fx, "kmalloc-4k", (const char *const[]){
		"num_objs", "7410112", "objsize", "4096", "num_slabs", "926264",
		"objperslab", "8", "bytes", "30064771072", NULL });
	expect_cache(&fx, "btrfs_free_space", (const char *const[]){
		"num_objs", "81744", "active_objs", "80996", "bytes", "8598323", NULL });
	kfx_close(&fx);
}

static void test_slabtop_2_6(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkml/linux-kernel/slabtop-2.6.12-rc6-bio-leak.txt");

	expect_source(&fx, src, "slabtop", 1);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), 12);
	/* "9865254 9864654  99%    0.12K 318234       31   1272936K bio" */
	expect_cache(&fx, "bio", (const char *const[]){
		"num_objs", "9865254", "active_objs", "9864654", "objsize", "123",
		"num_slabs", "318234", "objperslab", "31", "bytes", "1303486464", NULL });
	kfx_close(&fx);
}

/* A table without the summary lines (a reviewer re-aligned it). */
static void test_slabtop_bare_table(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
				      "lkml/linux-xfs/slabtop-reformatted-by-reviewer-5.4.txt");

	expect_source(&fx, src, "slabtop", 1);
	assert_int_equal(kfx_count_rows(&fx, "slab_caches"), 3);
	expect_cache(&fx, "xfs_inode", (const char *const[]){
		"num_objs", "78207920", "active_objs", "70947541", "objsize", "1024",
		"num_slabs", "7731010", "bytes", "253329735680", NULL });
	kfx_close(&fx);
}

/* A table a mail client wrapped is not claimed: its rows cannot be read. */
static void test_slabtop_wrapped_not_claimed(void **state)
{
	char path[4096];
	size_t len;
	char *buf;
	const struct mmt_parser *p;

	kfx_corpus_path(path, sizeof(path), "lkml/linux-xfs/slabtop-autowrapped-5.4.txt");
	buf = kfx_slurp(path, &len);
	p = mmt_parser_sniff(buf, len);
	assert_true(!p || strcmp(p->name, "slabtop"));
	free(buf);
}

static void test_slabtop_bad_rows(void **state)
{
	expect_derived_failure("slabtop", "slabtop-o-6.18.txt", 11, "60270",
			       "99999999999999999999999", 0,
			       "OBJS '99999999999999999999999' does not fit");
	expect_derived_failure("slabtop", "slabtop-o-6.18.txt", 11, "68880K",
			       "99999999999999999999999K", 0,
			       "CACHE SIZE '99999999999999999999999K' does not fit");
	/* Cut after the OBJ SIZE column of line 11. */
	expect_derived_failure("slabtop", "slabtop-o-6.18.txt", 11,
			       "   4305       14     68880K ext4_inode_cache", "", 11,
			       "has 8 columns, this one 4");
}

/* The table header without its NAME column: the rows are not read. */
static void test_slabtop_bad_header(void **state)
{
	expect_derived_failure("slabtop", "slabtop-o-6.18.txt", 7, "SIZE NAME", "SIZE", 0,
			       "not a line of slabtop's summary");
}

/* Each parser claims its own files and not the other's. */
static void test_probes(void **state)
{
	static const struct {
		const char *file, *parser;
	} files[] = {
		{ "proc-slabinfo-6.18.txt", "slabinfo" },
		{ "lkml-slabinfo-2.0-2.6.8-rc4-excerpt.txt", "slabinfo" },
		{ "slabtop-o-6.18.txt", "slabtop" },
		{ "slabtop-series-3x-head20-6.18.txt", "slabtop" },
		{ "ls-l-sys-kernel-slab-6.18.txt", "slab_aliases" },
		{ "slabinfo-a-6.18.txt", "slab_aliases" },
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len;
		char *buf = kfx_data("slab", files[i].file, &len);
		const struct mmt_parser *p;

		p = mmt_parser_sniff(buf, len < MMT_HEAD_MAX ? len : MMT_HEAD_MAX);
		if (!p || strcmp(p->name, files[i].parser))
			fail_msg("%s sniffed as %s", files[i].file, p ? p->name : "nothing");
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slabinfo_slub),
		cmocka_unit_test(test_slabinfo_slab_tunables),
		cmocka_unit_test(test_slabinfo_d2000),
		cmocka_unit_test(test_slabinfo_2_0),
		cmocka_unit_test(test_slabinfo_2_0_statistics),
		cmocka_unit_test(test_slabinfo_nbsp),
		cmocka_unit_test(test_slabinfo_series),
		cmocka_unit_test(test_slabinfo_missing_column),
		cmocka_unit_test(test_slabinfo_overflow),
		cmocka_unit_test(test_slabinfo_truncated_row),
		cmocka_unit_test(test_slabtop_once),
		cmocka_unit_test(test_slabtop_sorted),
		cmocka_unit_test(test_slabtop_series),
		cmocka_unit_test(test_slabtop_human_sizes),
		cmocka_unit_test(test_slabtop_2_6),
		cmocka_unit_test(test_slabtop_bare_table),
		cmocka_unit_test(test_slabtop_wrapped_not_claimed),
		cmocka_unit_test(test_slabtop_bad_rows),
		cmocka_unit_test(test_slabtop_bad_header),
		cmocka_unit_test(test_probes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
