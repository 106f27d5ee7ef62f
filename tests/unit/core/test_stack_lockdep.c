/*
 * Tests of the lockdep line parsers on lines of real reports: the links
 * of dependency chains and the lines of "N locks held by" lists, of every
 * era, with lock class names that nest parentheses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/stack.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct want_link {
	const char *line;
	int index;
	const char *lock;
};

static const struct want_link links[] = {
	/* syzkaller/linux/guilty/61 */
	{ "-> #2 (&sb->s_type->i_mutex_key#8){++++}-{3:3}:", 2,
	  "&sb->s_type->i_mutex_key#8" },
	/* satyr/tests/kerneloopses/gitlog-25 */
	{ "-> #0 (&mm->mmap_sem){++++++}:", 0, "&mm->mmap_sem" },
	/* syzkaller/linux/report/467 */
	{ "-> #0 ((work_completion)(&peer->transmit_handshake_work)){+.+.}:",
	  0, "(work_completion)(&peer->transmit_handshake_work)" },
	{ "-> #2 ((wq_completion)wg-kex-wireguard1#8){+.+.}:", 2,
	  "(wq_completion)wg-kex-wireguard1#8" },
	/* syzkaller/linux/report/352 */
	{ "-> #3 (&(&zone->lock)->rlock){..-.}:", 3, "&(&zone->lock)->rlock" },
	/* lkp-tests/spec/fixtures/stats/dmesg/76 */
	{ "-> #4 (&rq->lock){-.-.}-{2:2}:", 4, "&rq->lock" },
	/* Message-ID <0000000000004a97300611722b1c@google.com> (syzbot,
	 * kswapd in fs_reclaim against sb_internal) */
	{ "-> #3 (fs_reclaim){+.+.}-{0:0}:", 3, "fs_reclaim" },
	{ "-> #2 (&ei->i_data_sem){++++}-{3:3}:", 2, "&ei->i_data_sem" },
	{ " -> #2 (fs_reclaim){+.+.}-{0:0}:\r", 2, "fs_reclaim" },
};

static const char *const not_links[] = {
	"the existing dependency chain (in reverse order) is:",
	"  sb_internal --> &ei->i_data_sem --> fs_reclaim",
	" #0: ffffffff8e21a620 (fs_reclaim){+.+.}-{0:0}, at: balance_pgdat mm/vmscan.c:6790 [inline]",
	"-> #1 (",
	"-> #1 ()",
	"-> #x (fs_reclaim){+.+.}:",
	"-> #3 (fs_reclaim){+.+.}-{0:0}: trailing",
	"",
};

static void test_lockdep_links(void **state)
{
	struct mmt_lock_link l;
	size_t i;

	for (i = 0; i < N(links); i++) {
		if (!mmt_lockdep_link_parse(links[i].line, strlen(links[i].line), &l))
			fail_msg("not a link: %s", links[i].line);
		assert_int_equal(l.index, links[i].index);
		assert_string_equal(l.lock, links[i].lock);
	}
	for (i = 0; i < N(not_links); i++)
		if (mmt_lockdep_link_parse(not_links[i], strlen(not_links[i]), &l))
			fail_msg("taken for a link: %s", not_links[i]);
}

struct want_held {
	const char *line;
	int index;
	const char *lock;
	const char *at;
	uint64_t address;	/* 0: none printed */
};

static const struct want_held held[] = {
	/* syzkaller/linux/guilty/61 */
	{ " #0: ffff88814b6c4460 (sb_writers#4){.+.+}-{0:0}, at: mnt_want_write_file+0x5e/0x1f0",
	  0, "sb_writers#4", "mnt_want_write_file", 0xffff88814b6c4460 },
	/* syzkaller/linux/guilty/19 */
	{ " #0:  (sk_lock-AF_ALG){+.+.}, at: [<0000000035a74818>] lock_sock include/net/sock.h:1465 [inline]",
	  0, "sk_lock-AF_ALG", "lock_sock", 0 },
	{ " #1:  (&mm->mmap_sem){++++}, at: [<0000000044f840f2>] __do_page_fault+0x32d/0xc90 arch/x86/mm/fault.c:1358",
	  1, "&mm->mmap_sem", "__do_page_fault", 0 },
	/* syzkaller/linux/guilty/62 */
	{ " #1: ffff800015de3d80 ((work_completion)(&jd->jd_work)){+.+.}-{0:0}, at: process_one_work+0x29c/0x504 kernel/workqueue.c:2264",
	  1, "(work_completion)(&jd->jd_work)", "process_one_work",
	  0xffff800015de3d80 },
	{ " #0: ffff80000d4a4640 (rcu_read_lock){....}-{1:2}, at: rcu_lock_acquire+0x4/0x48 include/linux/rcupdate.h:303",
	  0, "rcu_read_lock", "rcu_lock_acquire", 0xffff80000d4a4640 },
	/* lkp-tests/spec/fixtures/dmesg/calltrace/calltrace-009 (decoded, 32-bit) */
	{ "#0: 4ad27bd0 (rcu_state){+.+.}-{0:0}, at: rcu_boost_kthread (kernel/rcu/tree_plugin.h:1033 kernel/rcu/tree_plugin.h:1056) ",
	  0, "rcu_state", "rcu_boost_kthread", 0x4ad27bd0 },
	/* squad/test/plugins/linux_log_parser/oops.log (arm64, 4.4) */
	{ " #0:  (cpu_hotplug.lock){.+.+.+}, at: [<ffffff80080cb2bc>] get_online_cpus+0x44/0xa8",
	  0, "cpu_hotplug.lock", "get_online_cpus", 0 },
	/* syzkaller/linux/report/441 */
	{ " #0:  (&sb->s_type->i_mutex_key#8){+.+.}, at: [<00000000c74202b6>] __sock_release+0x89/0x2b0",
	  0, "&sb->s_type->i_mutex_key#8", "__sock_release", 0 },
	/* lkml/linux-xfs/bug-213609-xfs503-hang-sysrq-m-t-w.ppc64le.txt (wrapped) */
	{ " #1: c000000002abd8a0 (rcu_read_lock){....}-{1:2}, at:", 1,
	  "rcu_read_lock", "", 0xc000000002abd8a0 },
	/* Message-ID <0000000000004a97300611722b1c@google.com> */
	{ " #1: ffff88802ed520e0 (&type->s_umount_key#31){++++}-{3:3}, at: super_cache_scan+0x94/0x4b0 fs/super.c:196",
	  1, "&type->s_umount_key#31", "super_cache_scan", 0xffff88802ed520e0 },
};

static const char *const not_held[] = {
	"2 locks held by kswapd0/87:",
	"-> #3 (fs_reclaim){+.+.}-{0:0}:",
	"ffffffff8e21a620 (fs_reclaim){+.+.}-{0:0}, at: kswapd+0xb8a/0x3570 mm/vmscan.c:7162",
	"     #3 [ffff880002207ef0] notify_die at ffffffff810a155e",
	" #0: ",
	" #0: (unbalanced{+.+.}, at: foo",
	" #0: ffff88814b6c4460 (sb_writers#4){.+.+}-{0:0} at: mnt_want_write_file",
};

static void test_held_locks(void **state)
{
	struct mmt_held_lock hl;
	size_t i;

	for (i = 0; i < N(held); i++) {
		const struct want_held *w = &held[i];

		if (!mmt_held_lock_parse(w->line, strlen(w->line), &hl))
			fail_msg("not a held lock: %s", w->line);
		assert_int_equal(hl.index, w->index);
		assert_string_equal(hl.lock, w->lock);
		assert_string_equal(hl.at, w->at);
		assert_int_equal(hl.has_address, w->address != 0);
		assert_int_equal(hl.address, w->address);
	}
	for (i = 0; i < N(not_held); i++)
		if (mmt_held_lock_parse(not_held[i], strlen(not_held[i]), &hl))
			fail_msg("taken for a held lock: %s", not_held[i]);
}

/* The log prefix the kernel-log parser removes: "<4>", syslog, timestamps. */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lockdep_links),
		cmocka_unit_test(test_held_locks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
