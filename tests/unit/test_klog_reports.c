/*
 * Tests of how the kernel-log parser splits real logs into reports and
 * what it finds in each: kind, task, line range, the facts the header
 * prints, the tasks and stacks.
 *
 * Inputs are the samples of this repository (real captures) and files of
 * the corpus in ../shared/corpus, named above each test; tests that need
 * the corpus skip when it is absent. Lockdep, Mem-Info and OOM reports,
 * task dumps and truncated logs have files of their own
 * (test_klog_lockdep.c, test_klog_oom.c, test_klog_dumps.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "klog_fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NTASKS "(SELECT count(*) FROM tasks t WHERE t.report_id = reports.id)"

/* ---- Hung tasks --------------------------------------------------------- */

struct want_hung {
	long start, end;
	const char *comm, *pid, *secs, *depth;
};

/* samples/hung-task-fsfreeze: the 12 reports its README lists, in order. */
static const struct want_hung fsfreeze[] = {
	{ 5, 32, "sh", "16520", "10", "14" },
	{ 33, 74, "fsync-writer", "16523", "10", "28" },
	{ 75, 104, "mmap-writer", "16525", "10", "16" },
	{ 105, 145, "dd", "16532", "10", "27" },
	{ 146, 189, "touch", "17225", "10", "30" },
	{ 190, 219, "mkdir", "17226", "10", "16" },
	{ 220, 246, "rm", "17227", "10", "13" },
	{ 247, 274, "sh", "16520", "20", "14" },
	{ 275, 316, "fsync-writer", "16523", "20", "28" },
	{ 317, 346, "mmap-writer", "16525", "20", "16" },
	{ 347, 387, "dd", "16532", "20", "27" },
	{ 388, 431, "touch", "17225", "20", "30" },
};

/* One hung-task report: its facts and its one task, which owns its stack. */
static void expect_hung(struct kfx *fx, int64_t src, const struct want_hung *w)
{
	int64_t id = kfx_report_at(fx, src, w->start);
	char end[16];

	snprintf(end, sizeof(end), "%ld", w->end);
	kfx_expect_row(fx, "reports", id, (const char *const[]){
		"kind", "hung_task", "line_end", end, "comm", w->comm, "pid", w->pid,
		"blocked_secs", w->secs, "state", "D", "kernel", "6.18.44-fc-v769",
		"tainted", "", "truncated", "0", KFX_DEPTH, w->depth, NTASKS, "1", NULL });
	kfx_expect_row(fx, "tasks", kfx_qint(fx, "SELECT id FROM tasks WHERE report_id = %lld",
					     (long long)id), (const char *const[]){
		"role", "subject", "pid", w->pid, "comm", w->comm, "state", "D",
		"stack_id = (SELECT stack_id FROM reports r WHERE r.id = report_id)",
		"1", NULL });
}

static void test_hung_task_sample(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_sample(&fx, "hung-task-fsfreeze", "dmesg.txt");

	assert_int_equal(kfx_count_reports(&fx, src), N(fsfreeze));
	for (size_t i = 0; i < N(fsfreeze); i++)
		expect_hung(&fx, src, &fsfreeze[i]);
	/* dmesg.txt:5-32: the first report's time and stack */
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 5), (const char *const[]){
		"printf('%.6f', t)", "762.932610",
		"title", "INFO: task sh:16520 blocked for more than 10 seconds.", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM frames f JOIN reports r ON "
				  "r.stack_id = f.stack_id WHERE r.id = %lld AND ("
				  "(f.idx = 0 AND f.symbol = '__schedule' AND f.offset = 0x3dc AND "
				  "f.size = 0xf60 AND f.reliable = 1 AND f.context = 'task') OR "
				  "(f.idx = 3 AND "
				  "f.symbol = '__pfx_percpu_rwsem_wake_function' AND "
				  "f.reliable = 0) OR (f.idx = 13 AND "
				  "f.symbol = 'entry_SYSCALL_64_after_hwframe'))",
				  (long long)kfx_report_at(&fx, src, 5)), 3);
	/* dmesg.txt:432 "Future hung task reports are suppressed" ends the run */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line >= 432 AND report_id IS NOT NULL", (long long)src), 0);
	kfx_close(&fx);
}

/*
 * samples/writeback-stuck-loop/dmesg.txt:67 "INFO: task sh:23036 <writer>
 * blocked on an rw-semaphore likely owned by task dd:23048 <writer>", printed
 * after each of the three reports about sh:23036.
 */
static void test_lock_owner_hint(void **state)
{
	static const long with_owner[] = { 35, 243, 552 };
	struct kfx fx;
	int64_t src = kfx_open_sample(&fx, "writeback-stuck-loop", "dmesg.txt");

	assert_int_equal(kfx_count_reports(&fx, src), 20);
	for (size_t i = 0; i < N(with_owner); i++)
		kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, with_owner[i]),
			       (const char *const[]){
			"kind", "hung_task", "pid", "23036", "comm", "sh",
			"lock_owner_pid", "23048", "lock_owner_comm", "dd",
			"lock_type", "rw-semaphore", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM reports WHERE source_id = %lld AND "
				  "lock_owner_pid IS NULL AND lock_type IS NULL", (long long)src),
			 17);
	assert_int_equal(kfx_qint(&fx, "SELECT report_id FROM log_lines WHERE source_id = %lld "
				  "AND line = 67", (long long)src), kfx_report_at(&fx, src, 35));
	/* the blocked loop worker of the README's ground truth */
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 8), (const char *const[]){
		"comm", "kworker/u8:4", "pid", "9449", "blocked_secs", "10", KFX_DEPTH, "19",
		NULL });
	kfx_close(&fx);
}

/* lkml/linux-mm/hung-task-modprobe-2.6.37-rc5-mm1.txt: the 2.6 task line. */
static void test_hung_task_old(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkml/linux-mm/hung-task-modprobe-2.6.37-rc5-mm1.txt");

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 1), (const char *const[]){
		"kind", "hung_task", "line_end", "19", "pid", "904", "comm", "modprobe",
		"blocked_secs", "120", "state", "D", KFX_DEPTH, "11", "truncated", "0", NULL });
	kfx_close(&fx);
}

/* ---- Allocation failures ------------------------------------------------ */

/* lkml/cgroups/page-alloc-failure-order6-arm64-rk3399-5.10.txt: arm64, 5.10. */
static void test_alloc_failure(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/cgroups/page-alloc-failure-order6-arm64-rk3399-5.10.txt");

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 1), (const char *const[]){
		"kind", "alloc_failure", "line_end", "53", "pid", "2029652", "comm", "cat",
		"cpu", "2", "gfp_mask", "0x40dc0",
		"gfp_names", "GFP_KERNEL|__GFP_COMP|__GFP_ZERO", "alloc_order", "6",
		"kernel", "5.10.2", "tainted", "G         C", KFX_DEPTH, "21", "truncated", "0",
		NULL });
	kfx_close(&fx);
}

/* lkml/linux-mm/page-alloc-failure-order5-2.6.31-i386-e100.txt: a bare mask, twice. */
static void test_alloc_failure_old(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/linux-mm/page-alloc-failure-order5-2.6.31-i386-e100.txt");
	/* :7 and :51 "Pid: 5151, comm: ifconfig Not tainted 2.6.31+..." */
	static const char *const common[] = {
		"kind", "alloc_failure", "pid", "5151", "comm", "ifconfig", "gfp_mask", "0x8020",
		"gfp_names", "NULL", "alloc_order", "5",
		"kernel", "2.6.31+frans2+mel-00002-g90702f9-dirty", NULL };

	assert_int_equal(kfx_count_reports(&fx, src), 2);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 6), common);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 50), common);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 6), (const char *const[]){
		"line_end", "49", KFX_DEPTH, "18", NULL });
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 50), (const char *const[]){
		KFX_DEPTH, "17", NULL });
	/* the driver's messages before the first report belong to none */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line < 6 AND report_id IS NULL", (long long)src), 5);
	kfx_close(&fx);
}

/* ---- Lockups and stalls ------------------------------------------------- */

/* abrt/tests/examples/oops1-module-nouveau.test */
static void test_soft_lockup(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "abrt/tests/examples/oops1-module-nouveau.test");

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 1), (const char *const[]){
		"kind", "soft_lockup", "line_end", "52", "cpu", "1", "blocked_secs", "22",
		"pid", "5189", "comm", "X", "kernel", "3.15.10-201.fc20.i686+PAE",
		"ip", "ioread32", KFX_DEPTH, "35", NULL });
	kfx_close(&fx);
}

/* abrt/tests/examples/nmi_oops_hash.test:3 "Watchdog detected hard LOCKUP on cpu 0" */
static void test_hard_lockup(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "abrt/tests/examples/nmi_oops_hash.test");
	int64_t id = kfx_qint(&fx, "SELECT id FROM reports WHERE source_id = %lld AND "
			      "kind = 'hard_lockup'", (long long)src);

	/*
	 * nmi_oops_hash.test:1-3: the watchdog's "WARNING: at
	 * kernel/watchdog.c:245" is the lead-in of the hard lockup, not a
	 * warning report of its own.
	 */
	assert_int_equal(kfx_count_reports(&fx, src), 1);
	kfx_expect_row(&fx, "reports", id, (const char *const[]){ "line_start", "1", NULL });
	kfx_expect_row(&fx, "reports", id, (const char *const[]){
		"cpu", "0", "line_end", "31", "kernel", "3.8.9-200.fc18.x86_64", KFX_DEPTH, "25",
		NULL });
	/* the stack starts in NMI context and returns to the task */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM frames f JOIN reports r ON "
				  "r.stack_id = f.stack_id WHERE r.id = %lld AND f.context = 'nmi'",
				  (long long)id), 16);
	kfx_close(&fx);
}

/*
 * lkml/linux-mm/rcu-stall-old-format-rcu_sched_state-2.6.37-rc5-mm1.txt: the
 * stall and the NMI backtraces of CPUs 2 and 5.
 */
static void test_rcu_stall(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/linux-mm/rcu-stall-old-format-rcu_sched_state-2.6.37-rc5-mm1.txt");
	int64_t id;

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	id = kfx_report_at(&fx, src, 1);
	kfx_expect_row(&fx, "reports", id, (const char *const[]){
		"kind", "rcu_stall", "line_end", "92", "kernel", "2.6.37-rc5-mm1",
		"tainted", "G        W", NTASKS, "2", "cpu", "5", NULL });
	kfx_expect_row(&fx, "tasks", kfx_qint(&fx, "SELECT id FROM tasks WHERE report_id = %lld "
					      "AND cpu = 2", (long long)id), (const char *const[]){
		"role", "cpu_backtrace", "line", "3", "ip", "mwait_idle", NULL });
	kfx_expect_row(&fx, "tasks", kfx_qint(&fx, "SELECT id FROM tasks WHERE report_id = %lld "
					      "AND cpu = 5", (long long)id), (const char *const[]){
		"role", "cpu_backtrace", "line", "51", "ip", "__bitmap_empty", NULL });
	kfx_close(&fx);
}

/* ---- BUG, Oops, WARNING, KASAN, panic ----------------------------------- */

/* lkp-tests/spec/fixtures/stats/dmesg/40:4 "kernel BUG at mm/rmap.c:1306!" */
static void test_bug(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkp-tests/spec/fixtures/stats/dmesg/40");

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 3), (const char *const[]){
		"kind", "bug", "title", "kernel BUG at mm/rmap.c:1306!",
		"detail", "mm/rmap.c:1306", "ip", "page_remove_rmap", "pid", "3946",
		"comm", "hugemmap01", "cpu", "2", "kernel", "4.8.0-rc1", KFX_DEPTH, "8", NULL });
	/* the "cut here" rule belongs to it, the page dump before it does not */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line < 3 AND report_id IS NULL", (long long)src), 2);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line IN (3, 4, 7, 10, 24, 32, 36) AND report_id = %lld",
				  (long long)src, (long long)kfx_report_at(&fx, src, 3)), 7);
	kfx_close(&fx);
}

/*
 * lkp-tests/spec/fixtures/stats/dmesg/40:3-37: the lines a kernel BUG
 * prints after its title are the report's: :5 "invalid opcode: 0000 [#1]
 * SMP", :9 "task: ffff88007c44d340 task.stack: ...", :34 "RIP
 * [<ffffffff811d105d>] page_remove_rmap+0x33/0xb3".
 */
static void test_bug_header_lines(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkp-tests/spec/fixtures/stats/dmesg/40");
	int64_t id = kfx_report_at(&fx, src, 3);

	kfx_expect_row(&fx, "reports", id, (const char *const[]){ "line_end", "37", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line IN (5, 9, 34) AND report_id = %lld",
				  (long long)src, (long long)id), 3);
	kfx_close(&fx);
}

/* drgn/docs/tutorials/blk_rq_qos_crash.dmesg.txt: a 6.11 NULL dereference. */
static void test_oops(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "drgn/docs/tutorials/blk_rq_qos_crash.dmesg.txt");

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 1), (const char *const[]){
		"kind", "oops", "line_end", "54", "pid", "906", "cpu", "0",
		"kernel", "6.11.0", "ip", "_raw_spin_lock_irqsave", KFX_DEPTH, "23", NULL });
	/* :6 "CPU: 0 UID: 0 PID: 906 Comm: fio Kdump: loaded Not tainted 6.11.0 #1" */
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 1), (const char *const[]){
		"comm", "fio", NULL });
	kfx_close(&fx);
}

/*
 * lkml/cgroups/dmesg-oom-false-global-oom-memcg-5.15-rc4.txt:2 and :143
 * "CPU: 2 PID: 15307 Comm: syz-executor Kdump: loaded Not tainted
 * 5.15.0-rc4+ #55": the comm ends before "Kdump: loaded".
 */
static void test_cpu_line_kdump(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/cgroups/dmesg-oom-false-global-oom-memcg-5.15-rc4.txt");
	static const long starts[] = { 1, 142 };

	assert_int_equal(kfx_count_reports(&fx, src), N(starts));
	for (size_t i = 0; i < N(starts); i++)
		kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, starts[i]),
			       (const char *const[]){
			"kind", "oom_kill", "pid", "15307", "comm", "syz-executor", "cpu", "2",
			"kernel", "5.15.0-rc4+", NULL });
	kfx_close(&fx);
}

/*
 * abrt/tests/examples/oops9_ppc64.test:10 "CPU: 1 PID: 251 Comm: eehd
 * Tainted: G W -------------- 3.10.0-33.el7.ppc64 #1" and :13, the ppc64
 * REGS line "... (3.10.0-33.el7.ppc64)": the release has no ')'.
 */
static void test_oops_ppc64(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "abrt/tests/examples/oops9_ppc64.test");

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 5), (const char *const[]){
		"kind", "oops", "pid", "251", "comm", "eehd", "cpu", "1",
		"kernel", "3.10.0-33.el7.ppc64", NULL });
	kfx_expect_row(&fx, "sources", src, (const char *const[]){
		"kernel", "3.10.0-33.el7.ppc64", NULL });
	kfx_close(&fx);
}

/* abrt/tests/examples/oops-module-intel.test: "WARNING: CPU: 3 PID: 40 at ..." */
static void test_warning(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "abrt/tests/examples/oops-module-intel.test");

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 1), (const char *const[]){
		"kind", "warning", "line_end", "24", "pid", "40", "cpu", "3",
		"detail", "drivers/gpu/drm/i915/intel_pm.c:6312",
		"ip", "intel_display_power_put", "kernel", "3.17.8-300.fc21.x86_64",
		KFX_DEPTH, "14", NULL });
	/*
	 * oops-module-intel.test:1 has the pid but no comm; the comm is the
	 * one of :4 "CPU: 3 PID: 40 Comm: kworker/3:0 Not tainted ..."
	 */
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 1), (const char *const[]){
		"comm", "kworker/3:0", NULL });
	kfx_close(&fx);
}

/*
 * The stalled CPU of RCU stalls of syzkaller/linux/report/, in each way
 * kernels have named it; the console log starts at line 5 of each file.
 */
static void test_rcu_stall_cpu(void **state)
{
	static const struct {
		const char *file;
		long last;
		const char *cpu;
	} cases[] = {
		{ "263", 8, "0" },	/* rcu: INFO: ... self-detected; "rcu: \t0-....: (" */
		{ "298", 7, "0" },	/* 4.x without "rcu: ", 3.x style "\t0: (" */
		{ "57", 9, "1" },	/* "\t1-...: (" under "detected stalls on CPUs/tasks:" */
		{ "58", 7, "2" },	/* 3.x "{ 2} (detected by 0, ...)" in the title */
		{ "523", 10, "2" },	/* expedited "{ 2-... } 10886 jiffies" */
		{ "171", 8, "NULL" },	/* "All QSes seen": no CPU holds the grace period */
	};
	char path[4096];

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kfx fx;
		int64_t src;
		char rel[64];

		snprintf(rel, sizeof(rel), "syzkaller/linux/report/%s", cases[i].file);
		kfx_corpus_path(path, sizeof(path), rel);
		kfx_open(&fx);
		src = kfx_ingest_lines(&fx, path, 5, cases[i].last);
		kfx_expect_row(&fx, "reports", kfx_qint(&fx, "SELECT id FROM reports WHERE "
			       "source_id = %lld AND kind = 'rcu_stall' ORDER BY line_start DESC",
			       (long long)src), (const char *const[]){ "cpu", cases[i].cpu, NULL });
		kfx_close(&fx);
	}
}

/*
 * syzkaller/linux/report/424:5-93 (the console log): the stacks of the
 * allocation and the free are not the report's.
 */
static void test_kasan(void **state)
{
	char path[4096];
	struct kfx fx;
	int64_t src;

	kfx_corpus_path(path, sizeof(path), "syzkaller/linux/report/424");
	kfx_open(&fx);
	src = kfx_ingest_lines(&fx, path, 5, 93);
	assert_int_equal(kfx_count_reports(&fx, src), 1);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 1), (const char *const[]){
		"kind", "kasan", "pid", "3173", "comm", "kworker/1:3", "cpu", "1",
		"kernel", "5.3.0+", "ip", "refcount_inc_not_zero_checked", KFX_DEPTH, "42",
		NTASKS, "1", NULL });
	kfx_close(&fx);
}

/*
 * lkp-tests/spec/fixtures/stats/dmesg/kasan-07: a 4.8 KASAN report whose
 * "Allocated:" (:31) and "Freed:" (:54) stacks follow the main one
 * (:11-29); they must not be appended to it.
 */
static void test_kasan_old(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkp-tests/spec/fixtures/stats/dmesg/kasan-07");
	int64_t id;

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	id = kfx_report_at(&fx, src, 3);
	kfx_expect_row(&fx, "reports", id, (const char *const[]){
		"kind", "kasan", "ip", "kobj_kset_leave", KFX_DEPTH, "18", NULL });
	/* :12 dump_stack is the first frame, :29 "? rest_init" the last */
	assert_int_equal(kfx_count_frames(&fx, id), 18);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM frames f JOIN reports r ON "
				  "f.stack_id = r.stack_id WHERE r.id = %lld AND ("
				  "(f.idx = 0 AND f.symbol = 'dump_stack') OR "
				  "(f.idx = 17 AND f.symbol = 'rest_init'))", (long long)id), 2);
	kfx_close(&fx);
}

/* abrt/tests/examples/kernel_panic_oom.test:6, after the tail of an OOM task table */
static void test_panic(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "abrt/tests/examples/kernel_panic_oom.test");
	int64_t id = kfx_qint(&fx, "SELECT id FROM reports WHERE source_id = %lld AND "
			      "kind = 'panic'", (long long)src);

	kfx_expect_row(&fx, "reports", id, (const char *const[]){
		"line_start", "6", "line_end", "26", "pid", "35943", "comm", "webservice",
		"cpu", "0", "detail", "Kernel panic - not syncing: Out of memory: "
		"system-wide panic_on_oom is enabled", KFX_DEPTH, "13", NULL });
	kfx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hung_task_sample),
		cmocka_unit_test(test_lock_owner_hint),
		cmocka_unit_test(test_hung_task_old),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_alloc_failure_old),
		cmocka_unit_test(test_soft_lockup),
		cmocka_unit_test(test_hard_lockup),
		cmocka_unit_test(test_rcu_stall),
		cmocka_unit_test(test_rcu_stall_cpu),
		cmocka_unit_test(test_bug),
		cmocka_unit_test(test_bug_header_lines),
		cmocka_unit_test(test_oops),
		cmocka_unit_test(test_cpu_line_kdump),
		cmocka_unit_test(test_oops_ppc64),
		cmocka_unit_test(test_warning),
		cmocka_unit_test(test_kasan),
		cmocka_unit_test(test_kasan_old),
		cmocka_unit_test(test_panic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
