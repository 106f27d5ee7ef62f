/*
 * Tests of the kernel-log parser on real lockdep output: the report's
 * title, task, the lock it tried to take and where (detail, ip), the
 * links of the dependency chain with their stacks (lock_chain), and the
 * "N locks held by comm/pid:" lists (held_locks, reports.locks_held), in
 * lockdep reports and in the lock dump of hung-task reports.
 *
 * Inputs are files of the corpus in ../shared/corpus named above each
 * test; the tests skip when it is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "klog_fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct want_link {
	const char *idx, *lock, *line, *depth, *first;	/* first: innermost frame */
};

static void expect_chain(struct kfx *fx, int64_t rep, const struct want_link *w, size_t n)
{
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM lock_chain WHERE report_id = %lld",
				  (long long)rep), n);
	for (size_t i = 0; i < n; i++)
		kfx_expect_row(fx, "lock_chain", kfx_qint(fx, "SELECT rowid FROM lock_chain WHERE "
							  "report_id = %lld AND idx = %s",
							  (long long)rep, w[i].idx),
			       (const char *const[]){
			"lock", w[i].lock, "line", w[i].line, KFX_DEPTH, w[i].depth,
			"(SELECT symbol FROM frames f WHERE f.stack_id = lock_chain.stack_id "
			"AND f.idx = 0)", w[i].first, NULL });
}

struct want_held {
	const char *line, *pid, *comm, *idx, *lock, *address, *at;
};

static void expect_held(struct kfx *fx, int64_t rep, const struct want_held *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kfx_expect_row(fx, "held_locks", kfx_qint(fx, "SELECT rowid FROM held_locks WHERE "
							  "report_id = %lld AND line = %s",
							  (long long)rep, w[i].line),
			       (const char *const[]){
			"pid", w[i].pid, "comm", w[i].comm, "idx", w[i].idx,
			"lock", w[i].lock, "address", w[i].address, "at", w[i].at, NULL });
}

/*
 * satyr/tests/kerneloopses/gitlog-25: a 3.4 circular dependency, from a
 * kernel commit message (no timestamps, "[ INFO: ... ]" title).
 */
static void test_circular_3_4(void **state)
{
	static const struct want_link chain[] = {
		{ "1", "&sb->s_type->i_mutex_key#12", "15", "9", "lock_acquire" },
		{ "0", "&mm->mmap_sem", "26", "8", "__lock_acquire" },
	};
	static const struct want_held held[] = {
		{ "50", "1572", "bash", "0", "&sb->s_type->i_mutex_key#12", "NULL",
		  "vfs_readdir" },
	};
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "satyr/tests/kerneloopses/gitlog-25");
	int64_t rep = kfx_report_at(&fx, src, 1);

	assert_int_equal(kfx_count_reports(&fx, src), 1);
	kfx_expect_row(&fx, "reports", rep, (const char *const[]){
		"kind", "lockdep", "title", "INFO: possible circular locking dependency detected",
		"line_end", "72", "pid", "1572", "comm", "bash", "kernel", "3.4.0-rc1+",
		"tainted", "", "detail", "&mm->mmap_sem", "ip", "might_fault",
		"locks_held", "1", KFX_DEPTH, "18", "truncated", "0", NULL });
	expect_chain(&fx, rep, chain, N(chain));
	expect_held(&fx, rep, held, N(held));
	/* the report's own stack is the one after "stack backtrace:" */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM frames f JOIN reports r ON "
				  "f.stack_id = r.stack_id WHERE r.id = %lld AND f.idx = 0 AND "
				  "f.symbol = 'print_circular_bug' AND "
				  "f.address = '0xffffffff81699a3c'",
				  (long long)rep), 1);
	kfx_close(&fx);
}

/*
 * lkp-tests/spec/fixtures/stats/dmesg/76: a 5.11 circular dependency with
 * five links, printed from CPU 1; the excerpt stops after the list of
 * held locks, before the backtrace.
 */
static void test_circular_cut(void **state)
{
	static const struct want_link chain[] = {
		{ "4", "&rq->lock", "16", "15", "validate_chain" },
		{ "3", "&p->pi_lock", "33", "20", "validate_chain" },
		{ "2", "&tty->write_wait", "55", "39", "validate_chain" },
		{ "1", "&port_lock_key", "96", "18", "validate_chain" },
		{ "0", "console_owner", "116", "29", "check_noncircular" },
	};
	static const struct want_held held[] = {
		{ "164", "4382", "getty", "0", "rcu_read_lock", "0x81efdf30", "rcu_lock_acquire" },
		{ "165", "4382", "getty", "1", "&rq->lock", "0xe9518da0", "rq_lock_irqsave" },
		{ "166", "4382", "getty", "2", "console_lock", "0x81efbb5c", "vprintk_emit" },
	};
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkp-tests/spec/fixtures/stats/dmesg/76");
	int64_t rep = kfx_report_at(&fx, src, 1);

	kfx_expect_row(&fx, "reports", rep, (const char *const[]){
		"kind", "lockdep", "line_end", "166", "pid", "4382", "comm", "getty",
		/* :3 "5.11.0-00017-ged3cd45f8ca8 #1 Tainted: G                T" */
		"kernel", "5.11.0-00017-ged3cd45f8ca8",
		"tainted", "G                T", "detail", "console_owner",
		"ip", "console_unlock", "locks_held", "3", "truncated", "1",
		"stack_id", "NULL", NULL });
	expect_chain(&fx, rep, chain, N(chain));
	expect_held(&fx, rep, held, N(held));
	assert_int_equal(fx.warnings, 1);
	assert_int_equal(fx.warning_line, 166);
	kfx_close(&fx);
}

/*
 * lkml/linux-xfs/hung-task-generic-051-6.4-rc5-with-locks-held.txt:141-151:
 * "Showing all locks held in the system" after the second hung task; none
 * of the locks is the blocked task's.
 */
static void test_hung_task_lock_dump(void **state)
{
	static const struct want_held held[] = {
		{ "143", "13", "rcu_tasks_kthre", "0", "rcu_tasks.tasks_gp_mutex",
		  "0xffffffffb972c000", "rcu_tasks_one_gp" },
		{ "145", "14", "rcu_tasks_rude_", "0", "rcu_tasks_rude.tasks_gp_mutex",
		  "0xffffffffb972bd20", "rcu_tasks_one_gp" },
		{ "147", "15", "rcu_tasks_trace", "0", "rcu_tasks_trace.tasks_gp_mutex",
		  "0xffffffffb972b9e0", "rcu_tasks_one_gp" },
		{ "149", "865", "khungtaskd", "0", "rcu_read_lock", "0xffffffffb972ccc0",
		  "debug_show_all_locks" },
		{ "151", "1644", "systemd-journal", "0", "&rq->__lock", "0xff11000f34a04ad8",
		  "finish_task_switch.isra.0" },
	};
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/linux-xfs/hung-task-generic-051-6.4-rc5-with-locks-held.txt");
	int64_t rep = kfx_report_at(&fx, src, 81);

	assert_int_equal(kfx_count_reports(&fx, src), 10);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM reports WHERE source_id = %lld AND "
				  "kind = 'hung_task' AND comm = 'fsstress' AND "
				  "kernel = '6.4.0-rc5+'", (long long)src), 10);
	kfx_expect_row(&fx, "reports", rep, (const char *const[]){
		"pid", "570763", "blocked_secs", "123", "locks_held", "NULL", KFX_DEPTH, "45",
		NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM held_locks WHERE report_id = %lld",
				  (long long)rep), N(held));
	expect_held(&fx, rep, held, N(held));
	/*
	 * :153-154, the "=====" rule that closes the lock dump and the blank
	 * line after it, end the report; :156 "[-- MARK -- Sat Jun 10 09:30:00
	 * 2023]" between restraintd's lines is not attached to it.
	 */
	kfx_expect_row(&fx, "reports", rep, (const char *const[]){ "line_end", "154", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line = 156 AND report_id IS NULL", (long long)src), 1);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 21), (const char *const[]){
		"line_end", "80", "pid", "570762", "blocked_secs", "122", KFX_DEPTH, "46", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM held_locks WHERE report_id = %lld",
				  (long long)kfx_report_at(&fx, src, 21)), 0);
	kfx_close(&fx);
}

/*
 * syzkaller/linux/guilty/62: two hung tasks, then the lock dump, which
 * names the second task: its own lock count is the report's.
 */
static void test_hung_task_own_locks(void **state)
{
	static const struct want_held held[] = {
		{ "60", "11", "rcu_tasks_kthre", "0", "rcu_tasks.tasks_gp_mutex",
		  "0xffff80000d4a4768", "rcu_tasks_one_gp" },
		/* :65 "2 locks held by kworker/1:2/2221:", the holder's comm holds a ':' */
		{ "66", "2221", "kworker/1:2", "0", "(wq_completion)gfs_recovery",
		  "0xffff0000c028d138", "process_one_work" },
		{ "67", "2221", "kworker/1:2", "1", "(work_completion)(&jd->jd_work)",
		  "0xffff800015de3d80", "process_one_work" },
		{ "69", "2758", "getty", "0", "&tty->ldisc_sem", "0xffff0000c535f098",
		  "tty_ldisc_ref_wait" },
		{ "70", "2758", "getty", "1", "&ldata->atomic_read_lock", "0xffff80000f6be2f0",
		  "n_tty_read" },
		{ "72", "3110", "syz-executor189", "0", "&type->s_umount_key#40/1",
		  "0xffff0000cb5ee0e0", "alloc_super" },
	};
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "syzkaller/linux/guilty/62");
	int64_t rep = kfx_report_at(&fx, src, 24);

	assert_int_equal(kfx_count_reports(&fx, src), 2);
	kfx_expect_row(&fx, "reports", rep, (const char *const[]){
		/* line 74 is the "=====" rule that closes the lock dump */
		"kind", "hung_task", "line_end", "74", "pid", "3110",
		"comm", "syz-executor189", "blocked_secs", "143", "locks_held", "1",
		"kernel", "6.1.0-rc8-syzkaller-33330-ga5541c0811a0", KFX_DEPTH, "28", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM held_locks WHERE report_id = %lld",
				  (long long)rep), 8);
	expect_held(&fx, rep, held, N(held));
	/* :66-67, the locks of kworker/1:2/2221, whose comm holds a ':' */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM held_locks WHERE report_id = %lld "
				  "AND line IN (66, 67) AND at = 'process_one_work' AND lock IN "
				  "('(wq_completion)gfs_recovery', "
				  "'(work_completion)(&jd->jd_work)')",
				  (long long)rep), 2);
	/* the first report: an arm64 stack with inlined frames */
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 3), (const char *const[]){
		"line_end", "23", "pid", "2221", "comm", "kworker/1:2", KFX_DEPTH, "15", NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM frames f JOIN reports r ON "
				  "f.stack_id = r.stack_id WHERE r.id = %lld AND f.inlined = 1",
				  (long long)kfx_report_at(&fx, src, 3)), 2);
	kfx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_circular_3_4),
		cmocka_unit_test(test_circular_cut),
		cmocka_unit_test(test_hung_task_lock_dump),
		cmocka_unit_test(test_hung_task_own_locks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
