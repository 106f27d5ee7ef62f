/*
 * Tests of the crash utility parser (parsers/crash*.c): `kmem -i`, the
 * summary rows of `kmem -s`/`-S`, `ps` and `ps -S`, and the backtraces it
 * leaves to the kernel-log parser.
 *
 * Inputs: tests/data/crash, the output of `crash -h kmem|ps|bt|foreach` of
 * crash 8.0.2 (README.md there: no dump can be opened on this machine, so
 * crash's own help, whose EXAMPLES are recorded sessions, is the real
 * output there is), and the same EXAMPLES in the corpus
 * (crash-help/help_*_examples.txt, skipped when ../shared/corpus is
 * absent), and samples/vmcore-freeze/crash-session.txt, what crash 8.0.2
 * printed of a real dump in the session mmtriage has it run (parsers/
 * vmcore.c). Bad inputs are derived from the real files at run time.
 * Expected values were read from the files with grep and awk; kB values
 * are PAGES x 4096 / 1024.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "parsers/parser.h"

#include "klog_fixture.h"

static void expect_source(struct kfx *fx, int64_t src, const char *kind)
{
	char text[64];

	kfx_expect_kind(fx, src, kind);
	kfx_qtext(fx, text, sizeof(text), "SELECT format FROM sources WHERE id = %lld",
		  (long long)src);
	assert_string_equal(text, "crash");
}

/* The snapshot of kind that starts at line. */
static int64_t snapshot_at(struct kfx *fx, const char *kind, long line)
{
	return kfx_qint(fx, "SELECT id FROM snapshots WHERE kind = %Q AND line = %ld", kind,
			line);
}

static int64_t meminfo_kb(struct kfx *fx, int64_t src, const char *key)
{
	return kfx_qint(fx, "SELECT kb FROM meminfo WHERE source = %lld AND key = %Q",
			(long long)src, key);
}

/* ---- kmem ---------------------------------------------------------------- */

/* Where the sections are in a file holding kmem's EXAMPLES. */
struct kmem_lines {
	long kmem_i;		/* the PAGES/TOTAL/PERCENTAGE header */
	long kmalloc_8192;	/* header of `kmem -s kmalloc-8192` (newer crash: SLUB) */
	long listing;		/* header of the full `kmem -s` listing */
	long blkdev;		/* its blkdev_requests row */
};

static const struct kmem_lines kmem_data = { 110, 275, 480, 490 };
static const struct kmem_lines kmem_corpus = { 4, 169, 374, 384 };

/*
 * TOTAL MEM 1974231 pages; FREE 208962; USED 1765269; SHARED 365066;
 * BUFFERS 111376; CACHED 1276196; SLAB 120410; TOTAL HUGE and HUGE FREE
 * 524288; TOTAL SWAP 2498559; SWAP USED 81978; SWAP FREE 2416581; COMMIT
 * LIMIT 3485674; COMMITTED 850651.
 */
static void check_kmem_i(struct kfx *fx, int64_t src, const struct kmem_lines *l)
{
	int64_t snap = snapshot_at(fx, "crash_kmem_i", l->kmem_i);

	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM snapshots WHERE kind = "
				  "'crash_kmem_i'"), 1);
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM state_values WHERE snapshot_id = "
				  "%lld", (long long)snap), 14);
	assert_int_equal(meminfo_kb(fx, src, "MemTotal"), 1974231LL * 4);
	assert_int_equal(meminfo_kb(fx, src, "MemFree"), 208962 * 4);
	assert_int_equal(meminfo_kb(fx, src, "crash.used"), 1765269 * 4);
	assert_int_equal(meminfo_kb(fx, src, "Shmem"), 365066 * 4);
	assert_int_equal(meminfo_kb(fx, src, "Buffers"), 111376 * 4);
	assert_int_equal(meminfo_kb(fx, src, "Cached"), 1276196 * 4);
	assert_int_equal(meminfo_kb(fx, src, "Slab"), 120410 * 4);
	assert_int_equal(meminfo_kb(fx, src, "crash.huge_total_kb"), 524288 * 4);
	assert_int_equal(meminfo_kb(fx, src, "crash.huge_free_kb"), 524288 * 4);
	assert_int_equal(meminfo_kb(fx, src, "SwapTotal"), 2498559LL * 4);
	assert_int_equal(meminfo_kb(fx, src, "crash.swap_used"), 81978 * 4);
	assert_int_equal(meminfo_kb(fx, src, "SwapFree"), 2416581LL * 4);
	assert_int_equal(meminfo_kb(fx, src, "CommitLimit"), 3485674LL * 4);
	assert_int_equal(meminfo_kb(fx, src, "Committed_AS"), 850651 * 4);
	/* Gauges, like meminfo's. */
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM state_keys WHERE counter = 1"), 0);
}

static void expect_cache(struct kfx *fx, int64_t snap, const char *cache,
			 const char *const *pairs)
{
	int64_t rowid = kfx_qint(fx, "SELECT rowid FROM slab_caches WHERE snapshot_id = %lld "
				 "AND cache = %Q", (long long)snap, cache);

	kfx_expect_row(fx, "slab_caches", rowid, pairs);
}

/*
 * Five kmem -s headers: `kmem -s kmalloc-8192`, the listing of 59 caches,
 * `kmem -S arp_cache`, `kmem -s c3fbdb60` and `kmem c3fbdb60`, each with
 * one summary row besides the listing; the slabs and objects -S prints
 * below a row are not caches.
 */
static void check_kmem_s(struct kfx *fx, const struct kmem_lines *l)
{
	int64_t listing = snapshot_at(fx, "crash_kmem_s", l->listing);
	int64_t slub = snapshot_at(fx, "crash_kmem_s", l->kmalloc_8192);

	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM snapshots WHERE kind = "
				  "'crash_kmem_s'"), 5);
	assert_int_equal(kfx_count_rows(fx, "slab_caches"), 59 + 4);
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM slab_caches WHERE snapshot_id = "
				  "%lld", (long long)listing), 59);
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM slab_caches WHERE cache = "
				  "'blkdev_requests'"), 3);
	/* "c84025d0      832         32       180     20     8k  sock" */
	expect_cache(fx, listing, "sock", (const char *const[]){
		"active_objs", "32", "num_objs", "180", "objsize", "832", "num_slabs", "20",
		"pagesperslab", "2", "bytes", "163840", "objperslab", "NULL", NULL });
	/* "c8402df8       92          3       336      8     4k  file lock cache" */
	expect_cache(fx, listing, "file lock cache", (const char *const[]){
		"active_objs", "3", "num_objs", "336", "objsize", "92", "num_slabs", "8",
		"pagesperslab", "1", "bytes", "32768", NULL });
	/* "ffff880215802e00     8192         65        80     20    32k  kmalloc-8192" */
	expect_cache(fx, slub, "kmalloc-8192", (const char *const[]){
		"active_objs", "65", "num_objs", "80", "objsize", "8192", "num_slabs", "20",
		"pagesperslab", "8", "bytes", "655360", NULL });
	/* The blkdev_requests row is the listing's. */
	assert_int_equal(kfx_qint(fx, "SELECT bytes FROM slab_caches WHERE snapshot_id = %lld "
				  "AND cache = 'blkdev_requests'", (long long)listing),
			 945 * 4096);
}

static void test_kmem_data(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "crash", "crash-h-kmem.txt");

	(void)state;
	expect_source(&fx, src, "crash");
	check_kmem_i(&fx, src, &kmem_data);
	check_kmem_s(&fx, &kmem_data);
	assert_int_equal(kfx_count_rows(&fx, "crash_tasks"), 0);
	assert_int_equal(fx.warnings, 0);
	kfx_close(&fx);
}

static void test_kmem_corpus(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "crash-help/help_kmem_examples.txt");

	(void)state;
	expect_source(&fx, src, "crash");
	check_kmem_i(&fx, src, &kmem_corpus);
	check_kmem_s(&fx, &kmem_corpus);
	kfx_close(&fx);
}

/* ---- ps -------------------------------------------------------------------- */

struct ps_lines {
	long first;		/* header of the first `ps` */
	long gen12;		/* its last row: ">   700    688   1  f9d62000  RU ... gen12" */
	long summary;		/* the `crash> ps -S` prompt */
	long active;		/* header of `ps -A` */
	long oracle;		/* its row ">  9497      1   0  ffff880549ec2ab0  RU ..." */
	long kstackp;		/* header of `ps -us` (KSTACKP for TASK) */
};

static const struct ps_lines ps_data = { 95, 155, 248, 257, 261, 319 };
static const struct ps_lines ps_corpus = { 4, 64, 157, 166, 170, 228 };

static int64_t tasks_of(struct kfx *fx, int64_t snap, const char *where)
{
	return kfx_qint(fx, "SELECT count(*) FROM crash_tasks WHERE snapshot_id = %lld AND %s",
			(long long)snap, where);
}

static int64_t task_at(struct kfx *fx, long line)
{
	return kfx_qint(fx, "SELECT rowid FROM crash_tasks WHERE line = %ld", line);
}

/*
 * Eight listings (`ps`, `ps firefox`, `ps -G firefox`, `ps 1 f9dec000
 * nfsd`, `ps -k`, `ps -A`, `ps -us`, `ps 'migration*'`: 60 + 10 + 1 + 10 +
 * 16 + 4 + 8 + 4 tasks) and the `ps -S` counts. The first listing has 54
 * IN and 6 RU tasks, 4 of them active ('>'). No listing shows a UN task;
 * `ps -S` counts 31.
 */
static void check_ps(struct kfx *fx, const struct ps_lines *l)
{
	int64_t first = snapshot_at(fx, "crash_ps", l->first);
	int64_t summary = snapshot_at(fx, "crash_ps", l->summary);
	int64_t active = snapshot_at(fx, "crash_ps", l->active);
	int64_t kstackp = snapshot_at(fx, "crash_ps", l->kstackp);

	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM snapshots WHERE kind = "
				  "'crash_ps'"), 9);
	assert_int_equal(kfx_count_rows(fx, "crash_tasks"), 113);
	assert_int_equal(tasks_of(fx, first, "1"), 60);
	assert_int_equal(tasks_of(fx, first, "active = 1"), 4);
	assert_int_equal(tasks_of(fx, first, "state = 'RU'"), 6);
	assert_int_equal(tasks_of(fx, first, "state = 'IN'"), 54);
	assert_int_equal(tasks_of(fx, first, "comm = '[swapper]'"), 4);
	kfx_expect_row(fx, "crash_tasks", task_at(fx, l->gen12), (const char *const[]){
		"pid", "700", "ppid", "688", "cpu", "1", "task", "f9d62000", "state", "RU",
		"active", "1", "pct_mem", "0.0", "vsz_kb", "1048", "rss_kb", "256",
		"comm", "gen12", NULL });
	assert_int_equal(tasks_of(fx, active, "active = 1"), 4);
	kfx_expect_row(fx, "crash_tasks", task_at(fx, l->oracle), (const char *const[]){
		"pid", "9497", "cpu", "0", "task", "ffff880549ec2ab0", "vsz_kb", "42314692",
		"rss_kb", "138664", "comm", "oracle", NULL });
	/* `ps -us` prints stack pointers, not task addresses. */
	assert_int_equal(tasks_of(fx, kstackp, "task IS NULL"), 8);
	assert_int_equal(tasks_of(fx, summary, "1"), 0);
	assert_int_equal(kfx_qint(fx, "SELECT v.value FROM state_values v JOIN state_keys k "
				  "ON k.id = v.key_id WHERE v.snapshot_id = %lld AND "
				  "k.name = 'crash.tasks_UN'", (long long)summary), 31);
	assert_int_equal(kfx_qint(fx, "SELECT sum(value) FROM state_values WHERE "
				  "snapshot_id = %lld", (long long)summary), 5 + 259 + 31 + 1);
}

static void test_ps_data(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "crash", "crash-h-ps.txt");

	(void)state;
	expect_source(&fx, src, "crash");
	check_ps(&fx, &ps_data);
	kfx_close(&fx);
}

static void test_ps_corpus(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "crash-help/help_ps_examples.txt");

	(void)state;
	expect_source(&fx, src, "crash");
	check_ps(&fx, &ps_corpus);
	kfx_close(&fx);
}

/*
 * Output saved without its prompt line is found by its header: lines
 * 110-127 (kmem -i), 480-539 (the kmem -s listing), 95-155 (the first ps).
 */
static void test_output_without_prompt(void **state)
{
	char path[4096];
	struct kfx fx;
	int64_t src;

	(void)state;
	kfx_data_path(path, sizeof(path), "crash", "crash-h-kmem.txt");
	kfx_open(&fx);
	src = kfx_ingest_lines(&fx, path, 110, 127);
	expect_source(&fx, src, "crash");
	assert_int_equal(kfx_count_rows(&fx, "state_values"), 14);
	assert_int_equal(meminfo_kb(&fx, src, "Committed_AS"), 850651 * 4);
	src = kfx_ingest_lines(&fx, path, 480, 539);
	expect_source(&fx, src, "crash");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM slab_caches c JOIN snapshots s ON "
				  "s.id = c.snapshot_id WHERE s.source_id = %lld AND s.line = 1",
				  (long long)src), 59);
	kfx_data_path(path, sizeof(path), "crash", "crash-h-ps.txt");
	src = kfx_ingest_lines(&fx, path, 95, 155);
	expect_source(&fx, src, "crash");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM crash_tasks WHERE source_id = %lld "
				  "AND active = 1 AND line = 61", (long long)src), 1);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM crash_tasks WHERE source_id = %lld",
				  (long long)src), 60);
	kfx_close(&fx);
}

/* ---- Backtraces, and which parser takes a file -------------------------- */

static int64_t dump_tasks(struct kfx *fx, int64_t src)
{
	return kfx_qint(fx, "SELECT count(*) FROM tasks t JOIN reports r ON r.id = t.report_id "
			"WHERE r.source_id = %lld AND r.kind = 'task_dump' AND t.role = 'dump'",
			(long long)src);
}

static int probe(const char *parser, const char *text)
{
	return mmt_parser_find(parser)->probe(text, strlen(text));
}

/*
 * bt and foreach output alone is the kernel-log parser's: the backtraces
 * with "#N [addr] sym at addr" frames are its task dumps (10 in bt's
 * EXAMPLES, 3 in foreach's: the other PID: headers there have no frames).
 */
static void test_backtraces_stay_kernel_log(void **state)
{
	static const char *const files[] = { "crash-h-bt.txt", "crash-h-foreach.txt" };
	static const int64_t dumps[] = { 10, 3 };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		char *text;
		struct kfx fx;
		int64_t src = kfx_open_data(&fx, "crash", files[i]);

		kfx_expect_kind(&fx, src, "kernel_log");
		assert_int_equal(dump_tasks(&fx, src), dumps[i]);
		text = kfx_data("crash", files[i], &len);
		assert_int_equal(probe("crash", text), 0);
		assert_true(probe("kernel_log", text) >= 40);
		free(text);
		kfx_close(&fx);
	}
}

static void test_backtraces_corpus(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "crash-help/help_bt_examples.txt");

	(void)state;
	assert_int_equal(dump_tasks(&fx, src), 10);
	kfx_close(&fx);
	src = kfx_open_corpus(&fx, "crash-help/help_foreach_examples.txt");
	assert_int_equal(dump_tasks(&fx, src), 3);
	kfx_close(&fx);
}

/* Two files as one session: the tables are this parser's, the dumps the log's. */
static char *concat(const char *a, const char *b, size_t *len, long *lines_a)
{
	size_t la, lb;
	char *ta = kfx_data("crash", a, &la), *tb = kfx_data("crash", b, &lb), *out;

	out = malloc(la + lb + 1);
	assert_non_null(out);
	memcpy(out, ta, la);
	memcpy(out + la, tb, lb + 1);
	*len = la + lb;
	*lines_a = 0;
	for (size_t i = 0; i < la; i++)
		*lines_a += ta[i] == '\n';
	free(ta);
	free(tb);
	return out;
}

static void test_session_with_backtraces(void **state)
{
	struct kfx fx;
	size_t len;
	long ps_lines;
	char *text = concat("crash-h-ps.txt", "crash-h-foreach.txt", &len, &ps_lines);
	int64_t src;

	(void)state;
	assert_true(probe("crash", text) > probe("kernel_log", text));
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, text, len);
	expect_source(&fx, src, "crash");
	check_ps(&fx, &ps_data);
	assert_int_equal(dump_tasks(&fx, src), 3);
	/* "PID: 428 ... COMMAND: "jbd2/dm-1-8"" of `foreach UN bt`, 12 frames. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM tasks WHERE role = 'dump' AND "
				  "pid = 428 AND comm = 'jbd2/dm-1-8' AND " KFX_DEPTH " = 12"), 1);
	/* Every line is stored by the kernel-log parser. */
	assert_int_equal(kfx_qint(&fx, "SELECT records FROM sources WHERE id = %lld",
				  (long long)src), ps_lines + 130);
	free(text);
	kfx_close(&fx);
}

/* ---- A vmcore's session: the task list and stack scans --------------------- */

/*
 * samples/vmcore-freeze: crash's ps lists 4 tasks (line 766 on); the list of
 * init_task's tasks 71 (line 1177 on); 62 of them, all but pid 0 and the
 * two running scenario.sh, have their stacks scanned. The writers 149, 150
 * and 151 wait in percpu_rwsem_wait under mnt_want_write, state 2 (D).
 */
static void test_vmcore_session_scans(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_sample(&fx, "vmcore-freeze", "crash-session.txt");

	(void)state;
	expect_source(&fx, src, "crash");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM reports WHERE title LIKE "
				  "'stack of PID %% scanned by crash''s rd -s'"), 62);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM tasks WHERE role = 'dump' AND "
				  "state = 'D' AND comm = 'sh'"), 3);
	/* The scan of 149: innermost __schedule+845, every frame unreliable. */
#define SCAN_149 " FROM tasks t JOIN frames f ON f.stack_id = t.stack_id " \
		 "WHERE t.pid = 149 AND t.role = 'dump' AND "
	assert_int_equal(kfx_qint(&fx, "SELECT count(*)" SCAN_149 "f.reliable = 1"), 0);
	assert_int_equal(kfx_qint(&fx, "SELECT f.offset" SCAN_149 "f.idx = 0 AND "
				  "f.symbol = '__schedule'"), 845);
	assert_int_equal(kfx_qint(&fx, "SELECT f.idx" SCAN_149 "f.symbol = 'mnt_want_write'"), 4);
#undef SCAN_149
	/* kthreadd sleeps (__state 1): S; an idle kworker (0x402): I. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM tasks WHERE pid = 2 AND "
				  "state = 'S' AND role = 'dump'"), 1);
	assert_true(kfx_qint(&fx, "SELECT count(*) FROM tasks WHERE role = 'dump' AND "
			     "state = 'I'") > 10);
	/* scenario.sh's parent, which crash could not find, is unknown, not -1. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM crash_tasks c JOIN snapshots s ON "
				  "s.id = c.snapshot_id WHERE c.pid = 140 AND c.ppid IS NULL "
				  "AND s.kind = 'crash_ps'"), 1);
	/* The list's tasks are the dump's task table: the writers UN, kthreadd IN. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM crash_tasks c JOIN snapshots s ON "
				  "s.id = c.snapshot_id WHERE s.kind = 'crash_list'"), 65);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM crash_tasks WHERE pid IN "
				  "(149, 150, 151) AND state = 'UN' AND comm = 'sh'"), 3);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM crash_tasks WHERE pid = 2 AND "
				  "state = 'IN' AND task LIKE 'ff%%'"), 1);
	/* crash's own "WARNING: active task ... not found in PID hash" is no WARN(). */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM reports WHERE kind = 'warning'"), 0);
	/* The last hung-task report of `log` ends before the `ps` prompt (line 766). */
	assert_int_equal(kfx_qint(&fx, "SELECT max(line_end) FROM reports WHERE kind = "
				  "'hung_task'") < 766, 1);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM reports WHERE kind = "
				  "'hung_task'"), 6);
	kfx_close(&fx);
}

/* A scan whose stack pointer no listed task has is output like any other: skipped. */
static void test_scan_of_unlisted_stack(void **state)
{
	char path[4096];
	size_t len;
	char *text;
	struct kfx fx;

	(void)state;
	kfx_sample_path(path, sizeof(path), "vmcore-freeze", "crash-session.txt");
	text = kfx_derive(path, 1177, "crash> list", "crash> lost", &len);
	kfx_open(&fx);
	kfx_ingest_text(&fx, text, len);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM reports WHERE title LIKE "
				  "'stack of PID %%'"), 0);
	free(text);
	kfx_close(&fx);
}

/* ---- Bad inputs, derived from the real files ------------------------------ */

/* A data file with find on line replaced by repl must be refused at that line. */
static void expect_derived_failure(const char *file, long line, const char *find,
				   const char *repl, const char *words)
{
	char path[4096];
	size_t len;
	char *text;

	kfx_data_path(path, sizeof(path), "crash", file);
	text = kfx_derive(path, line, find, repl, &len);
	kfx_expect_refused(NULL, text, len, line, words);
	free(text);
}

#define HUGE_NUMBER "99999999999999999999999"

static void test_bad_numbers(void **state)
{
	(void)state;
	/* "c8402970       96      30208     37800    945     4k  blkdev_requests" */
	expect_derived_failure("crash-h-kmem.txt", kmem_data.blkdev, "30208", HUGE_NUMBER,
			       "kmem -s ALLOCATED '" HUGE_NUMBER "' does not fit in 64 bits");
	/* "        TOTAL MEM  1974231       7.5 GB         ----" */
	expect_derived_failure("crash-h-kmem.txt", kmem_data.kmem_i + 1, "1974231",
			       HUGE_NUMBER, "does not fit in 64 bits");
	expect_derived_failure("crash-h-ps.txt", ps_data.gen12, "1048", HUGE_NUMBER,
			       "ps VSZ '" HUGE_NUMBER "' does not fit");
}

static void test_bad_number_corpus(void **state)
{
	char path[4096];
	size_t len;
	char *text;

	(void)state;
	kfx_corpus_path(path, sizeof(path), "crash-help/help_kmem_examples.txt");
	text = kfx_derive(path, kmem_corpus.blkdev, "37800", HUGE_NUMBER, &len);
	kfx_expect_refused(NULL, text, len, kmem_corpus.blkdev, "kmem -s TOTAL");
	free(text);
}

static void test_bad_tables(void **state)
{
	(void)state;
	/* A row cut after TASK. */
	expect_derived_failure("crash-h-ps.txt", ps_data.gen12, "  RU   0.0  1048   256  gen12",
			       "", "ps row does not match its header");
	/* Headers that lost a column. */
	expect_derived_failure("crash-h-kmem.txt", kmem_data.listing, "  SSIZE", "",
			       "kmem -s header without the SSIZE column");
	expect_derived_failure("crash-h-ps.txt", ps_data.first, "  %MEM", "",
			       "ps header without the %MEM column");
}

/*
 * TOTAL MEM shows pages and bytes: with 1/16 of the pages for the same
 * 7.5 GB (the line derived from the real one), pages are 64 KiB; that is
 * said in a warning, kB follow it, and a 32k slab is no whole number of
 * pages.
 */
static void test_page_size_from_kmem_i(void **state)
{
	char path[4096];
	size_t len;
	char *text;
	struct kfx fx;
	int64_t src;

	(void)state;
	kfx_data_path(path, sizeof(path), "crash", "crash-h-kmem.txt");
	text = kfx_derive(path, kmem_data.kmem_i + 1, "1974231", "123389", &len);
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, text, len);
	assert_int_equal(fx.warnings, 1);
	assert_int_equal(fx.warning_line, kmem_data.kmem_i + 1);
	assert_non_null(strstr(fx.warning, "page size taken as 65536 bytes"));
	assert_int_equal(meminfo_kb(&fx, src, "MemTotal"), 123389 * 64);
	assert_int_equal(meminfo_kb(&fx, src, "MemFree"), 208962 * 64);
	kfx_expect_row(&fx, "slab_caches", kfx_qint(&fx, "SELECT rowid FROM slab_caches WHERE "
						    "cache = 'kmalloc-8192'"),
		       (const char *const[]){ "pagesperslab", "NULL", "bytes", "655360", NULL });
	free(text);
	kfx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmem_data),
		cmocka_unit_test(test_kmem_corpus),
		cmocka_unit_test(test_ps_data),
		cmocka_unit_test(test_ps_corpus),
		cmocka_unit_test(test_output_without_prompt),
		cmocka_unit_test(test_backtraces_stay_kernel_log),
		cmocka_unit_test(test_backtraces_corpus),
		cmocka_unit_test(test_session_with_backtraces),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_bad_number_corpus),
		cmocka_unit_test(test_bad_tables),
		cmocka_unit_test(test_page_size_from_kmem_i),
		cmocka_unit_test(test_vmcore_session_scans),
		cmocka_unit_test(test_scan_of_unlisted_stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
