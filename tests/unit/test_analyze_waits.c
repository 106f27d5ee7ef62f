/*
 * The waits analyzer's deadlock, livelock, reclaim_recursion and
 * cpu_hotplug_deadlock findings on real reports: the corpus beside the
 * checkout (skipped when absent) and the samples (always). Inputs marked
 * "derived" are a real file with one line changed (kfx_derive), to close
 * a wait-for cycle the original stops one lock short of.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "klog_fixture.h"

#define OUR_KINDS "('deadlock', 'livelock', 'reclaim_recursion', 'cpu_hotplug_deadlock')"

static void analyze(struct kfx *fx)
{
	struct mmt_err err = { 0 };

	mmt_thresholds_reset();
	if (mmt_analyze(fx->st, &err) < 0)
		fail_msg("analysis failed: %s", err.msg);
}

static int64_t count_kind(struct kfx *fx, const char *kind)
{
	return kfx_qint(fx, "SELECT count(*) FROM findings WHERE kind = %Q", kind);
}

static void expect_subject(struct kfx *fx, const char *kind, const char *type, long long pid,
			   const char *name)
{
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM finding_subjects s JOIN findings f "
				  "ON f.id = s.finding_id WHERE f.kind = %Q AND s.type = %Q AND "
				  "ifnull(s.pid, 0) = %lld AND s.name = %Q", kind, type, pid, name),
			 1);
}

static void expect_evidence(struct kfx *fx, const char *kind, long line)
{
	assert_true(kfx_qint(fx, "SELECT count(*) FROM finding_evidence e JOIN findings f "
			     "ON f.id = e.finding_id WHERE f.kind = %Q AND e.line = %ld",
			     kind, line) >= 1);
}

/*
 * syzkaller report 234: syz-executor0/14230 takes rtnl_mutex at rtnl_lock
 * holding it, lockdep prints the same address 0000000097f06d5d twice.
 */
static void test_recursive_rtnl(void **state)
{
	struct kfx fx;
	char text[512];

	(void)state;
	kfx_open_corpus(&fx, "syzkaller/linux/report/234");
	analyze(&fx);
	assert_int_equal(count_kind(&fx, "deadlock"), 1);
	kfx_qtext(&fx, text, sizeof(text), "SELECT severity || ' ' || title FROM findings "
		  "WHERE kind = 'deadlock'");
	assert_string_equal(text, "critical self-deadlock: syz-executor0 takes rtnl_mutex at "
			    "rtnl_lock while holding it");
	expect_subject(&fx, "deadlock", "task", 14230, "syz-executor0");
	expect_subject(&fx, "deadlock", "lock", 0, "rtnl_mutex");
	expect_evidence(&fx, "deadlock", 9);
	expect_evidence(&fx, "deadlock", 12);
	/* The lockdep finding stays, beside it. */
	assert_int_equal(count_kind(&fx, "lockdep"), 1);
	kfx_close(&fx);
}

/* lkp-tests dmesg 75: swapper/1 takes gcov_lock (c39f57d0) twice. */
static void test_recursive_gcov(void **state)
{
	struct kfx fx;

	(void)state;
	kfx_open_corpus(&fx, "lkp-tests/spec/fixtures/stats/dmesg/75");
	analyze(&fx);
	assert_int_equal(count_kind(&fx, "deadlock"), 1);
	expect_subject(&fx, "deadlock", "lock", 0, "gcov_lock");
	kfx_close(&fx);
}

/*
 * abrt oops2: "possible recursive locking" of two cpufreq locks of one
 * class without addresses: may be two instances, no deadlock claimed.
 */
static void test_recursive_class_only(void **state)
{
	struct kfx fx;

	(void)state;
	kfx_open_corpus(&fx, "abrt/tests/examples/oops2.test");
	analyze(&fx);
	assert_int_equal(count_kind(&fx, "deadlock"), 0);
	kfx_close(&fx);
}

/*
 * syzkaller report 385: five mounts wait for bd_fsfreeze_mutex, held by
 * 7559, which waits for s_umount: a chain, not a cycle.
 */
static void test_chain_is_no_cycle(void **state)
{
	struct kfx fx;

	(void)state;
	kfx_open_corpus(&fx, "syzkaller/linux/report/385");
	analyze(&fx);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM findings WHERE kind IN " OUR_KINDS), 0);
	kfx_close(&fx);
}

/*
 * Derived from syzkaller report 385: 7563's list (line 174) made to hold
 * s_umount (as 7559's #1, 000000001ecfe564) before it waits for
 * bd_fsfreeze_mutex, which 7559 holds: 7559 and 7563 wait for each other.
 */
static void test_held_lock_cycle(void **state)
{
	struct kfx fx;
	char path[4096], text[1024];
	char *buf;
	size_t len;

	(void)state;
	kfx_corpus_path(path, sizeof(path), "syzkaller/linux/report/385");
	buf = kfx_derive(path, 174, "#0: ", "#0: 000000001ecfe564 (&type->s_umount_key#39)"
			 "{+.+.}, at: grab_super+0xb4/0x290\n[  769.518396][ T1042]  #1: ", &len);
	kfx_open(&fx);
	kfx_ingest_text(&fx, buf, len);
	free(buf);
	analyze(&fx);
	assert_int_equal(count_kind(&fx, "deadlock"), 1);
	kfx_qtext(&fx, text, sizeof(text), "SELECT severity || ' ' || confidence FROM findings "
		  "WHERE kind = 'deadlock'");
	assert_string_equal(text, "critical 0.9");
	expect_subject(&fx, "deadlock", "task", 7559, "syz-executor013");
	expect_subject(&fx, "deadlock", "task", 7563, "syz-executor013");
	expect_subject(&fx, "deadlock", "lock", 0, "&type->s_umount_key#39");
	expect_subject(&fx, "deadlock", "lock", 0, "&bdev->bd_fsfreeze_mutex");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM finding_subjects s JOIN findings f "
				  "ON f.id = s.finding_id WHERE f.kind = 'deadlock' AND "
				  "s.type = 'task'"), 2);
	kfx_qtext(&fx, text, sizeof(text), "SELECT summary FROM findings WHERE kind = 'deadlock'");
	assert_non_null(strstr(text, "syz-executor013:7559 holds &bdev->bd_fsfreeze_mutex and "
			       "waits for &type->s_umount_key#39"));
	/* 7559's list line of s_umount */
	expect_evidence(&fx, "deadlock", 177);
	kfx_close(&fx);
}

/*
 * samples/writeback-stuck-loop: sh:23036 waits for an rw-semaphore the
 * kernel says dd:23048 owns; dd waits for writeback. No cycle.
 */
static void test_owner_hint_no_cycle(void **state)
{
	struct kfx fx;

	(void)state;
	kfx_open_sample(&fx, "writeback-stuck-loop", "dmesg.txt");
	analyze(&fx);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM findings WHERE kind IN " OUR_KINDS), 0);
	kfx_close(&fx);
}

/*
 * Derived from samples/writeback-stuck-loop/dmesg.txt: dd:23048's first
 * report (ending at line 141) given the owner hint back to sh:23036.
 */
static void test_owner_hint_cycle(void **state)
{
	struct kfx fx;
	char path[4096], text[512];
	char *buf;
	size_t len;

	(void)state;
	kfx_sample_path(path, sizeof(path), "writeback-stuck-loop", "dmesg.txt");
	buf = kfx_derive(path, 141, "</TASK>", "</TASK>\n[  864.833489] INFO: task dd:23048 "
			 "<writer> blocked on an rw-semaphore likely owned by task sh:23036 <writer>",
			 &len);
	kfx_open(&fx);
	kfx_ingest_text(&fx, buf, len);
	free(buf);
	analyze(&fx);
	assert_int_equal(count_kind(&fx, "deadlock"), 1);
	expect_subject(&fx, "deadlock", "task", 23036, "sh");
	expect_subject(&fx, "deadlock", "task", 23048, "dd");
	kfx_qtext(&fx, text, sizeof(text), "SELECT title FROM findings WHERE kind = 'deadlock'");
	assert_non_null(strstr(text, "2 tasks wait for each other"));
	kfx_close(&fx);
}

/*
 * lkml cgroups crash bt: kworker/3:0 waits in cpus_read_lock, sprdhotplug
 * runs _cpu_down and waits in __cpuhp_kick_ap for cpuhp/3, which waits in
 * kthread_stop.
 */
static void test_hotplug(void **state)
{
	struct kfx fx;

	(void)state;
	kfx_open_corpus(&fx, "lkml/cgroups/crash-bt-arm64-android-cpuset-hotplug-deadlock.txt");
	analyze(&fx);
	assert_int_equal(count_kind(&fx, "cpu_hotplug_deadlock"), 1);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM findings WHERE "
				  "kind = 'cpu_hotplug_deadlock' AND severity = 'critical' AND "
				  "confidence = 0.8"), 1);
	expect_subject(&fx, "cpu_hotplug_deadlock", "task", 4847, "kworker/3:0");
	expect_subject(&fx, "cpu_hotplug_deadlock", "task", 150, "sprdhotplug");
	expect_subject(&fx, "cpu_hotplug_deadlock", "task", 26, "cpuhp/3");
	expect_subject(&fx, "cpu_hotplug_deadlock", "lock", 0, "cpu_hotplug_lock");
	expect_evidence(&fx, "cpu_hotplug_deadlock", 59);	/* cpus_read_lock */
	expect_evidence(&fx, "cpu_hotplug_deadlock", 8);	/* __cpuhp_kick_ap */
	kfx_close(&fx);
}

/*
 * lkml linux-xfs crash bt: loop1 reads through xfs_vm_direct_IO, allocates
 * a slab, reclaims, and sleeps on dm_bufio's mutex in dm_bufio_shrink_count
 * (kswapd holds it, waiting for I/O loop1 would serve).
 */
static void test_recursion_stack(void **state)
{
	struct kfx fx;
	char text[256];

	(void)state;
	kfx_open_corpus(&fx, "lkml/linux-xfs/crash-bt-kswapd-shrink_slab-dm_bufio-deadlock.txt");
	analyze(&fx);
	assert_int_equal(count_kind(&fx, "reclaim_recursion"), 1);
	kfx_qtext(&fx, text, sizeof(text), "SELECT severity || ' ' || title FROM findings "
		  "WHERE kind = 'reclaim_recursion'");
	assert_string_equal(text, "critical reclaim recursion: loop1 allocates in xfs_vm_direct_IO, "
			    "reclaim re-enters at dm_bufio_shrink_count");
	expect_subject(&fx, "reclaim_recursion", "task", 14127, "loop1");
	expect_evidence(&fx, "reclaim_recursion", 28);	/* try_to_free_pages */
	expect_evidence(&fx, "reclaim_recursion", 24);	/* dm_bufio_shrink_count */
	kfx_close(&fx);
}

/* satyr gitlog-27: lockdep's {RECLAIM_FS-ON-W} -> {IN-RECLAIM_FS-W} (3.3). */
static void test_recursion_lockdep(void **state)
{
	struct kfx fx;

	(void)state;
	kfx_open_corpus(&fx, "satyr/tests/kerneloopses/gitlog-27");
	analyze(&fx);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM findings WHERE analyzer = 'locks' "
				  "AND kind = 'reclaim_recursion' AND severity = 'critical'"), 1);
	assert_int_equal(count_kind(&fx, "lockdep"), 0);
	kfx_close(&fx);
}

/* sysrq-w of a drop_caches shrinker blocked in XFS: reclaim, but no allocation. */
static void test_drop_caches_no_recursion(void **state)
{
	struct kfx fx;

	(void)state;
	kfx_open_corpus(&fx, "lkml/linux-xfs/sysrq-w-xfs-ifree-deadlock-6.x.txt");
	analyze(&fx);
	assert_int_equal(count_kind(&fx, "reclaim_recursion"), 0);
	kfx_close(&fx);
}

/*
 * XFS of 3.x, syslog: the two lines test_klog_fs_retry.c quotes from
 * https://blog.codecentric.de/en/2017/04/xfs-possible-memory-allocation-deadlock-kmem_alloc/
 * (2 s apart), and two more written in their form at the same cadence to
 * pass the repeat threshold: the corpus holds no longer run of them.
 */
static const char xfs_retries[] =
	"Mar  5 22:42:57 node06 kernel: XFS: possible memory allocation deadlock in kmem_alloc (mode:0x250)\n"
	"Mar  5 22:42:59 node06 kernel: XFS: possible memory allocation deadlock in kmem_alloc (mode:0x250)\n"
	"Mar  5 22:43:01 node06 kernel: XFS: possible memory allocation deadlock in kmem_alloc (mode:0x250)\n"
	"Mar  5 22:43:03 node06 kernel: XFS: possible memory allocation deadlock in kmem_alloc (mode:0x250)\n";

static void test_livelock_retries(void **state)
{
	struct kfx fx;
	char text[1024];

	(void)state;
	kfx_open(&fx);
	kfx_ingest_text(&fx, xfs_retries, strlen(xfs_retries));
	analyze(&fx);
	assert_int_equal(count_kind(&fx, "livelock"), 1);
	kfx_qtext(&fx, text, sizeof(text), "SELECT severity || ' ' || confidence || ' ' || title "
		  "|| ' ' || (t_end - t_start) FROM findings WHERE kind = 'livelock'");
	assert_string_equal(text, "warning 0.8 livelock: 4 allocation retries in kmem_alloc at a "
			    "steady cadence 6.0");
	kfx_qtext(&fx, text, sizeof(text), "SELECT summary FROM findings WHERE kind = 'livelock'");
	assert_non_null(strstr(text, "nofs"));
	assert_non_null(strstr(text, "about every 2.0 s"));
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM finding_reports r JOIN findings f "
				  "ON f.id = r.finding_id WHERE f.kind = 'livelock'"), 4);
	kfx_close(&fx);
	/* The repeat threshold is the rule's: at 5 these four are not a livelock. */
	kfx_open(&fx);
	kfx_ingest_text(&fx, xfs_retries, strlen(xfs_retries));
	{
		struct mmt_err err = { 0 };

		mmt_thresholds_reset();
		assert_int_equal(mmt_threshold_override("waits.livelock_min_repeats=5", &err), 0);
		assert_int_equal(mmt_analyze(fx.st, &err), 0);
		mmt_thresholds_reset();
	}
	assert_int_equal(count_kind(&fx, "livelock"), 0);
	kfx_close(&fx);
}

/* Healthy and other hangs: none of these kinds on the samples. */
static void test_samples_quiet(void **state)
{
	static const char *const logs[][2] = {
		{ "hung-task-fsfreeze", "dmesg.txt" }, { "writeback-stuck-loop", "dmesg.txt" },
		{ "memcg-oom", "dmesg.txt" }, { "hostile-comm", "dmesg.txt" },
	};
	struct kfx fx;

	(void)state;
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		kfx_open_sample(&fx, logs[i][0], logs[i][1]);
		analyze(&fx);
		assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM findings WHERE kind IN "
					  OUR_KINDS), 0);
		kfx_close(&fx);
	}
}

/* The syzkaller warn_alloc storm behind an RCU stall is printing, not a livelock. */
static void test_warn_alloc_stall(void **state)
{
	struct kfx fx;

	(void)state;
	kfx_open_corpus(&fx, "syzkaller/linux/report/492");
	analyze(&fx);
	assert_int_equal(count_kind(&fx, "livelock"), 0);
	kfx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recursive_rtnl),
		cmocka_unit_test(test_recursive_gcov),
		cmocka_unit_test(test_recursive_class_only),
		cmocka_unit_test(test_chain_is_no_cycle),
		cmocka_unit_test(test_held_lock_cycle),
		cmocka_unit_test(test_owner_hint_no_cycle),
		cmocka_unit_test(test_owner_hint_cycle),
		cmocka_unit_test(test_hotplug),
		cmocka_unit_test(test_recursion_stack),
		cmocka_unit_test(test_recursion_lockdep),
		cmocka_unit_test(test_drop_caches_no_recursion),
		cmocka_unit_test(test_livelock_retries),
		cmocka_unit_test(test_samples_quiet),
		cmocka_unit_test(test_warn_alloc_stall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
