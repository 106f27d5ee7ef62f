/*
 * Tests of the stack model: complete real stacks fed line by line
 * (contexts from markers, frame counts), the digest that identifies a
 * stack across boots, and symbol names without clone suffixes.
 *
 * Stacks are verbatim from the files named above them, without the log
 * prefix (timestamp, syslog header, mail quote) the kernel-log parser
 * removes before lines reach mmt_stack_feed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/stack.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * syzkaller/linux/guilty/58: an RCU stall report of 6.x, frames with
 * source locations, an IRQ section, then the task's frames around the
 * interrupted registers.
 */
static const char *const modern_irq_task[] = {
	"Call Trace:",
	" <IRQ>",
	" sched_show_task kernel/sched/core.c:8967 [inline]",
	" sched_show_task+0x450/0x5c0 kernel/sched/core.c:8941",
	" rcu_print_detail_task_stall_rnp kernel/rcu/tree_stall.h:255 [inline]",
	" print_other_cpu_stall kernel/rcu/tree_stall.h:599 [inline]",
	" check_cpu_stall kernel/rcu/tree_stall.h:761 [inline]",
	" rcu_pending kernel/rcu/tree.c:3858 [inline]",
	" rcu_sched_clock_irq+0x21d1/0x2470 kernel/rcu/tree.c:2343",
	" update_process_times+0x11e/0x1a0 kernel/time/timer.c:2071",
	" tick_sched_handle+0x9b/0x180 kernel/time/tick-sched.c:243",
	" tick_sched_timer+0xf2/0x120 kernel/time/tick-sched.c:1480",
	" __run_hrtimer kernel/time/hrtimer.c:1685 [inline]",
	" __hrtimer_run_queues+0x1c6/0xfb0 kernel/time/hrtimer.c:1749",
	" hrtimer_interrupt+0x320/0x790 kernel/time/hrtimer.c:1811",
	" local_apic_timer_interrupt arch/x86/kernel/apic/apic.c:1096 [inline]",
	" __sysvec_apic_timer_interrupt+0x180/0x640 arch/x86/kernel/apic/apic.c:1113",
	" sysvec_apic_timer_interrupt+0x92/0xc0 arch/x86/kernel/apic/apic.c:1107",
	" </IRQ>",
	" <TASK>",
	" asm_sysvec_apic_timer_interrupt+0x1a/0x20 arch/x86/include/asm/idtentry.h:649",
	"RIP: 0010:kasan_mem_to_shadow include/linux/kasan.h:60 [inline]",
	"RIP: 0010:memory_is_poisoned_n mm/kasan/generic.c:129 [inline]",
	"RIP: 0010:memory_is_poisoned mm/kasan/generic.c:159 [inline]",
	"RIP: 0010:check_region_inline mm/kasan/generic.c:180 [inline]",
	"RIP: 0010:kasan_check_range+0x53/0x190 mm/kasan/generic.c:189",
	"Code: ff ff 48 39 c7 0f 86 05 01 00 00 49 83 e9 01 48 89 fd 48 b8 00 00 00 00 00 fc ff df 4d 89 ca 48 c1 ed 03 49 c1 ea 03 48 01 c5 <49> 01 c2 48 89 e8 49 8d 5a 01 48 89 da 48 29 ea 48 83 fa 10 7e 63",
	"RSP: 0018:ffffc900031af250 EFLAGS: 00000286",
	"RAX: dffffc0000000000 RBX: 0000000000000003 RCX: ffffffff8163f019",
	"RDX: 0000000000000000 RSI: 0000000000000008 RDI: ffffffff8e72d650",
	"RBP: fffffbfff1ce5aca R08: 0000000000000000 R09: ffffffff8e72d657",
	"R10: 1ffffffff1ce5aca R11: 0000000000000000 R12: ffffffff8c791a80",
	"R13: ffffc900031af4d8 R14: 0000000000000000 R15: ffffc900031af358",
	" instrument_atomic_read include/linux/instrumented.h:72 [inline]",
	" _test_bit include/asm-generic/bitops/instrumented-non-atomic.h:141 [inline]",
	" cpumask_test_cpu include/linux/cpumask.h:444 [inline]",
	" cpu_online include/linux/cpumask.h:1030 [inline]",
	" trace_lock_release include/trace/events/lock.h:69 [inline]",
	" lock_release+0xd9/0x810 kernel/locking/lockdep.c:5679",
	" rcu_lock_release include/linux/rcupdate.h:330 [inline]",
	" rcu_read_unlock include/linux/rcupdate.h:797 [inline]",
	" xa_find+0x1a0/0x330 lib/xarray.c:2026",
	" devlinks_xa_find_get.constprop.0+0x93/0x260 net/core/devlink.c:306",
	" devlinks_xa_find_get_first net/core/devlink.c:334 [inline]",
	" devlink_nl_cmd_port_get_dumpit+0x11d/0x4e0 net/core/devlink.c:1699",
	" netlink_dump+0x570/0xc50 net/netlink/af_netlink.c:2286",
	" __netlink_dump_start+0x64b/0x910 net/netlink/af_netlink.c:2391",
	" genl_family_rcv_msg_dumpit+0x2be/0x310 net/netlink/genetlink.c:929",
	" genl_family_rcv_msg net/netlink/genetlink.c:1045 [inline]",
	" genl_rcv_msg+0x419/0x7e0 net/netlink/genetlink.c:1065",
	" netlink_rcv_skb+0x165/0x440 net/netlink/af_netlink.c:2564",
	" genl_rcv+0x28/0x40 net/netlink/genetlink.c:1076",
	" netlink_unicast_kernel net/netlink/af_netlink.c:1330 [inline]",
	" netlink_unicast+0x547/0x7f0 net/netlink/af_netlink.c:1356",
	" netlink_sendmsg+0x91b/0xe10 net/netlink/af_netlink.c:1932",
	" sock_sendmsg_nosec net/socket.c:714 [inline]",
	" sock_sendmsg+0xd3/0x120 net/socket.c:734",
	" __sys_sendto+0x23a/0x340 net/socket.c:2117",
	" __do_sys_sendto net/socket.c:2129 [inline]",
	" __se_sys_sendto net/socket.c:2125 [inline]",
	" __x64_sys_sendto+0xe1/0x1b0 net/socket.c:2125",
	" do_syscall_x64 arch/x86/entry/common.c:50 [inline]",
	" do_syscall_64+0x39/0xb0 arch/x86/entry/common.c:80",
	" entry_SYSCALL_64_after_hwframe+0x63/0xcd",
	"RIP: 0033:0x7fbf31c3e0dc",
	"Code: fa fa ff ff 44 8b 4c 24 2c 4c 8b 44 24 20 89 c5 44 8b 54 24 28 48 8b 54 24 18 b8 2c 00 00 00 48 8b 74 24 10 8b 7c 24 08 0f 05 <48> 3d 00 f0 ff ff 77 34 89 ef 48 89 44 24 08 e8 20 fb ff ff 48 8b",
	"RSP: 002b:00007fff97133d00 EFLAGS: 00000293 ORIG_RAX: 000000000000002c",
	"RAX: ffffffffffffffda RBX: 00007fbf328d4620 RCX: 00007fbf31c3e0dc",
	"RDX: 0000000000000034 RSI: 00007fbf328d4670 RDI: 0000000000000005",
	"RBP: 0000000000000000 R08: 00007fff97133d54 R09: 000000000000000c",
	"R10: 0000000000000000 R11: 0000000000000293 R12: 00007fff97133dc8",
	"R13: 00007fbf328d4670 R14: 0000000000000005 R15: 0000000000000000",
	" </TASK>",
};
/*
 * satyr/tests/kerneloopses/github-73-modified: a 3.10 trace in the old
 * format, an NMI over an IRQ over a softirq: "<NMI>", "<<EOE>> <IRQ>" and
 * "<EOI>" in front of frames.
 */
static const char *const old_nmi_irq[] = {
	"Call Trace:",
	" <NMI>  [<ffffffff81656735>] dump_stack+0x19/0x1b",
	" [<ffffffff8105d670>] warn_slowpath_common+0x70/0xa0",
	" [<ffffffff8105d6ba>] warn_slowpath_null+0x1a/0x20",
	" [<ffffffff8159d19a>] tcp_fastretrans_alert+0xc7a/0xd10",
	" [<ffffffff8153f53f>] ? __kfree_skb+0x3f/0xa0",
	" [<ffffffff8159dd18>] tcp_ack+0x9d8/0xec0",
	" [<ffffffff8159e812>] tcp_rcv_established+0x292/0x8d0",
	" [<ffffffff815a8bc4>] tcp_v4_do_rcv+0x2b4/0x4a0",
	" [<ffffffff815aab45>] tcp_v4_rcv+0x685/0x7d0",
	" [<ffffffff815848e0>] ? ip_rcv_finish+0x340/0x340",
	" [<ffffffff8157ba14>] ? nf_hook_slow+0x74/0x130",
	" [<ffffffff815848e0>] ? ip_rcv_finish+0x340/0x340",
	" [<ffffffff815849b0>] ip_local_deliver_finish+0xd0/0x230",
	" <<EOE>> <IRQ>  [<ffffffff81584ca7>] ip_local_deliver+0x47/0x80",
	" [<ffffffff81584620>] ip_rcv_finish+0x80/0x340",
	" [<ffffffff81584f19>] ip_rcv+0x239/0x390",
	" [<ffffffff8154c8e2>] __netif_receive_skb_core+0x682/0x7f0",
	" [<ffffffff8154ca71>] __netif_receive_skb+0x21/0x70",
	" [<ffffffff8154cc73>] netif_receive_skb+0x33/0xb0",
	" [<ffffffffa03c9273>] ieee80211_deliver_skb.isra.30+0xa3/0x210 [mac80211]",
	" [<ffffffffa03ca531>] ieee80211_rx_handlers+0xb81/0x2330 [mac80211]",
	" [<ffffffff815402fc>] ? __alloc_skb+0x7c/0x290",
	" [<ffffffffa03cbe78>] ieee80211_prepare_and_rx_handle+0x198/0xaf0 [mac80211]",
	" [<ffffffffa03ccacd>] ieee80211_rx+0x2fd/0x880 [mac80211]",
	" [<ffffffffa0455c39>] rt2x00lib_rxdone+0x2a9/0x5b0 [rt2x00lib]",
	" [<ffffffff81091279>] ? scheduler_tick+0x109/0x140",
	" [<ffffffffa03120c6>] rt2x00mmio_rxdone+0x86/0xc0 [rt2x00mmio]",
	" <EOI>  [<ffffffffa044ff36>] rt2800pci_rxdone_tasklet+0x16/0x90 [rt2800pci]",
	" [<ffffffff81065f4a>] tasklet_action+0x6a/0xe0",
	" [<ffffffff81065ab8>] __do_softirq+0xe8/0x230",
	" [<ffffffff81065d95>] irq_exit+0xb5/0xc0",
	" [<ffffffff81666a63>] do_IRQ+0x63/0xe0",
	" [<ffffffff8165c86d>] common_interrupt+0x6d/0x6d",
};
/*
 * crash-help/help_bt_examples.txt: crash's bt marks the NMI stack after
 * its frames; register lines in between are not frames.
 */
static const char *const crash_nmi[] = {
	"    PID: 0      TASK: ffffffff81a8d020  CPU: 0   COMMAND: \"swapper\"",
	"     #0 [ffff880002207e90] crash_nmi_callback at ffffffff8102fee6",
	"     #1 [ffff880002207ea0] notifier_call_chain at ffffffff8152d525",
	"     #2 [ffff880002207ee0] atomic_notifier_call_chain at ffffffff8152d58a",
	"     #3 [ffff880002207ef0] notify_die at ffffffff810a155e",
	"     #4 [ffff880002207f20] do_nmi at ffffffff8152b1eb",
	"     #5 [ffff880002207f50] nmi at ffffffff8152aab0",
	"        [exception RIP: native_safe_halt+0xb]",
	"        RIP: ffffffff8103eacb  RSP: ffffffff81a01ea8  RFLAGS: 00000296",
	"        RAX: 0000000000000000  RBX: 0000000000000000  RCX: 0000000000000000",
	"        RDX: 0000000000000000  RSI: 0000000000000001  RDI: ffffffff81de5228",
	"        RBP: ffffffff81a01ea8   R8: 0000000000000000   R9: 0000000000000000",
	"        R10: 0012099429a6bea3  R11: 0000000000000000  R12: ffffffff81c066c0",
	"        R13: 0000000000000000  R14: ffffffffffffffff  R15: ffffffff81de1000",
	"        ORIG_RAX: ffffffffffffffff  CS: 0010  SS: 0018",
	"    --- <NMI exception stack> ---",
	"     #6 [ffffffff81a01ea8] native_safe_halt at ffffffff8103eacb",
	"     #7 [ffffffff81a01eb0] default_idle at ffffffff810167bd",
	"     #8 [ffffffff81a01ed0] cpu_idle at ffffffff81009fc6",
};

/*
 * Message-ID <72ca543a-5022-bd12-14b5-4d7b125cd0fe@arm.com> (linux-acpi,
 * 2020, 4.18): an NMI over a machine check; "</#MC>" ends a register line.
 */
static const char *const nmi_mce[] = {
	"Call Trace:",
	" <NMI>",
	" dump_stack+0x5a/0x73",
	" panic+0xe8/0x2bc",
	" __ghes_panic+0x68/0x6a",
	" ghes_notify_nmi+0x23b/0x290",
	" nmi_handle+0x69/0x110",
	" default_do_nmi+0x3e/0x110",
	" do_nmi+0x116/0x190",
	" end_repeat_nmi+0x16/0x6a",
	"RIP: 0010:machine_check+0x0/0x40",
	"Code: 00 00 48 89 e7 48 8b 74 24 78 48 c7 44 24 78 ff ff ff ff e8 b2 0e 66 ff e9 ed 02 00 00 0f 1f 00 66 2e 0f 1f 84 00 00 00 00 00 <0f> 01 ca 6a ff f6 44 24 10 03 75 14 e8 2f 00 00 00 48 89 e7 31 f6",
	"RSP: 0018:fffffe00007effd8 EFLAGS: 00000046",
	"RAX: ffffffff97eac2c0 RBX: ffff8f8cc0ce5c40 RCX: 7fffff18a792c0bf",
	"RDX: 0000000000000001 RSI: 000000000000002f RDI: ffff8fa39fd5d600",
	"RBP: 000000000000002f R08: 0000000000000008 R09: ffffffdb56bbc181",
	"R10: 000000000000002f R11: 0000000000000000 R12: 0000000000000000",
	"R13: 0000000000000000 R14: ffff8f8cc0ce5c40 R15: ffff8f8cc0ce5c40",
	" ? __sched_text_end+0x4/0x4",
	" ? async_page_fault+0x30/0x30",
	" ? async_page_fault+0x30/0x30",
	" </NMI>",
	" <#MC>",
	"RIP: 0010:native_safe_halt+0xe/0x10",
	"Code: ff ff eb bc 90 90 90 90 90 90 90 90 e9 07 00 00 00 0f 00 2d 76 c8 55 00 f4 c3 66 90 e9 07 00 00 00 0f 00 2d 66 c8 55 00 fb f4 <c3> 90 0f 1f 44 00 00 41 54 55 53 e8 e2 29 88 ff 65 8b 2d d3 2a 16",
	"RSP: 0018:ffffa2e4cca47ea0 EFLAGS: 00000246 </#MC>",
	" default_idle+0x1a/0x130",
	" do_idle+0x1a6/0x290",
	" cpu_startup_entry+0x6f/0x80",
	" start_secondary+0x1aa/0x200",
	" secondary_startup_64+0xb7/0xc0",
};

static void feed_all(struct mmt_stack *st, const char *const *lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mmt_stack_feed(st, lines[i], strlen(lines[i]));
}

/* How many frames ran in ctx, and whether they are all in one run. */
static size_t count_ctx(const struct mmt_stack *st, enum mmt_frame_ctx ctx)
{
	size_t i, n = 0;

	for (i = 0; i < st->n; i++)
		n += st->frames[i].ctx == ctx;
	return n;
}

static void test_feed_modern(void **state)
{
	struct mmt_stack st;

	mmt_stack_init(&st);
	feed_all(&st, modern_irq_task, N(modern_irq_task));
	assert_int_equal(st.n, 48);
	assert_int_equal(count_ctx(&st, MMT_CTX_IRQ), 16);
	assert_int_equal(count_ctx(&st, MMT_CTX_TASK), 32);
	assert_string_equal(st.frames[0].symbol, "sched_show_task");
	assert_true(st.frames[0].inlined);
	assert_int_equal(st.frames[0].ctx, MMT_CTX_IRQ);
	assert_string_equal(st.frames[15].symbol, "sysvec_apic_timer_interrupt");
	assert_string_equal(st.frames[16].symbol, "asm_sysvec_apic_timer_interrupt");
	assert_int_equal(st.frames[16].ctx, MMT_CTX_TASK);
	assert_string_equal(st.frames[47].symbol, "entry_SYSCALL_64_after_hwframe");
	assert_int_equal(st.ctx, MMT_CTX_NONE);
	assert_int_equal(st.depth, 0);
	/* register, code and header lines were not taken */
	assert_int_equal(mmt_stack_feed(&st, modern_irq_task[21],
					strlen(modern_irq_task[21])), 0);
	assert_int_equal(st.n, 48);
	mmt_stack_free(&st);
}

static void test_feed_old(void **state)
{
	struct mmt_stack st;

	mmt_stack_init(&st);
	feed_all(&st, old_nmi_irq, N(old_nmi_irq));
	assert_int_equal(st.n, 33);
	assert_int_equal(count_ctx(&st, MMT_CTX_NMI), 13);
	assert_int_equal(count_ctx(&st, MMT_CTX_IRQ), 14);
	assert_int_equal(count_ctx(&st, MMT_CTX_NONE), 6);
	assert_int_equal(st.frames[12].ctx, MMT_CTX_NMI);
	assert_string_equal(st.frames[13].symbol, "ip_local_deliver");
	assert_int_equal(st.frames[13].ctx, MMT_CTX_IRQ);
	assert_string_equal(st.frames[19].symbol, "ieee80211_deliver_skb.isra.30");
	assert_string_equal(st.frames[19].module, "mac80211");
	assert_string_equal(st.frames[27].symbol, "rt2800pci_rxdone_tasklet");
	assert_int_equal(st.frames[27].ctx, MMT_CTX_NONE);
	assert_false(st.frames[4].reliable);
	mmt_stack_free(&st);
}

static void test_feed_crash(void **state)
{
	struct mmt_stack st;

	mmt_stack_init(&st);
	feed_all(&st, crash_nmi, N(crash_nmi));
	assert_int_equal(st.n, 9);
	assert_int_equal(count_ctx(&st, MMT_CTX_NMI), 6);
	assert_int_equal(st.frames[5].ctx, MMT_CTX_NMI);
	assert_string_equal(st.frames[6].symbol, "native_safe_halt");
	assert_int_equal(st.frames[6].ctx, MMT_CTX_NONE);
	mmt_stack_free(&st);
}

static void test_feed_nmi_mce(void **state)
{
	struct mmt_stack st;

	mmt_stack_init(&st);
	feed_all(&st, nmi_mce, N(nmi_mce));
	assert_int_equal(st.n, 16);
	assert_int_equal(count_ctx(&st, MMT_CTX_NMI), 11);
	assert_int_equal(count_ctx(&st, MMT_CTX_NONE), 5);
	assert_false(st.frames[10].reliable);
	assert_string_equal(st.frames[11].symbol, "default_idle");
	assert_int_equal(st.ctx, MMT_CTX_NONE);
	mmt_stack_reset(&st);
	assert_int_equal(st.n, 0);
	feed_all(&st, nmi_mce, 3);
	assert_int_equal(st.frames[0].ctx, MMT_CTX_NMI);
	mmt_stack_free(&st);
}

/* Deeper nesting than the saved contexts hold must not break anything. */
static void test_feed_deep(void **state)
{
	struct mmt_stack st;
	int i;

	mmt_stack_init(&st);
	for (i = 0; i < 3 * MMT_CTX_DEPTH; i++)
		mmt_stack_feed(&st, " <IRQ>", 6);
	mmt_stack_feed(&st, " dump_stack+0x5a/0x73", 21);
	for (i = 0; i < 4 * MMT_CTX_DEPTH; i++)
		mmt_stack_feed(&st, " </IRQ>", 7);
	assert_int_equal(st.ctx, MMT_CTX_NONE);
	assert_int_equal(st.frames[0].ctx, MMT_CTX_IRQ);
	mmt_stack_free(&st);
}

/* A copy of lines with every "[<address>]" moved, as KASLR does. */
static void relocate(char (*out)[160], const char *const *lines, size_t n)
{
	size_t i;
	char *p;

	for (i = 0; i < n; i++) {
		snprintf(out[i], sizeof(out[i]), "%s", lines[i]);
		p = strstr(out[i], "[<ffffffff8");
		if (p)
			p[10] = '9';
	}
}

static void digest_of(const char *const *lines, size_t n, char hex[65])
{
	struct mmt_stack st;

	mmt_stack_init(&st);
	feed_all(&st, lines, n);
	mmt_stack_digest(&st, hex);
	mmt_stack_free(&st);
}

static void test_digest(void **state)
{
	static char moved[N(old_nmi_irq)][160];
	const char *ptrs[N(old_nmi_irq)];
	char a[65], b[65], c[65];
	size_t i;

	digest_of(old_nmi_irq, N(old_nmi_irq), a);
	assert_int_equal(strlen(a), 64);
	relocate(moved, old_nmi_irq, N(old_nmi_irq));
	for (i = 0; i < N(old_nmi_irq); i++)
		ptrs[i] = moved[i];
	assert_string_not_equal(ptrs[2], old_nmi_irq[2]);
	digest_of(ptrs, N(ptrs), b);
	assert_string_equal(a, b);

	/* one symbol differs */
	snprintf(moved[6], sizeof(moved[6]), "%s",
		 " [<ffffffff8159dd18>] tcp_nak+0x9d8/0xec0");
	digest_of(ptrs, N(ptrs), c);
	assert_string_not_equal(a, c);

	/* one frame is unreliable instead */
	relocate(moved, old_nmi_irq, N(old_nmi_irq));
	snprintf(moved[6], sizeof(moved[6]), "%s",
		 " [<ffffffff8159dd18>] ? tcp_ack+0x9d8/0xec0");
	digest_of(ptrs, N(ptrs), c);
	assert_string_not_equal(a, c);

	/* lines that are not frames do not count */
	digest_of(old_nmi_irq + 1, N(old_nmi_irq) - 1, c);
	assert_string_equal(a, c);

	/* the same frames in another context */
	relocate(moved, old_nmi_irq, N(old_nmi_irq));
	snprintf(moved[1], sizeof(moved[1]), "%s",
		 " <IRQ>  [<ffffffff81656735>] dump_stack+0x19/0x1b");
	digest_of(ptrs, N(ptrs), c);
	assert_string_not_equal(a, c);
}

/* Source locations are not part of the identity; offsets are. */
static void test_digest_fields(void **state)
{
	const char *const with_src[] = {
		" xa_find+0x1a0/0x330 lib/xarray.c:2026",
		" sock_sendmsg+0xd3/0x120 net/socket.c:734",
	};
	const char *const without[] = {
		" xa_find+0x1a0/0x330",
		" sock_sendmsg+0xd3/0x120",
	};
	const char *const other_off[] = {
		" xa_find+0x1a4/0x330",
		" sock_sendmsg+0xd3/0x120",
	};
	char a[65], b[65], c[65], e[65];
	struct mmt_stack st;

	digest_of(with_src, 2, a);
	digest_of(without, 2, b);
	digest_of(other_off, 2, c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	mmt_stack_init(&st);
	mmt_stack_digest(&st, e);
	assert_string_equal(e, "af5570f5a1810b7af78caf4bc70a660f0df51e42baf91d4de5b2328de0e83dfc");
	mmt_stack_free(&st);
}

static void test_symbol_base(void **state)
{
	static const char *const cases[][2] = {
		/* from the corpus */
		{ "lock_timer_base.isra.29", "lock_timer_base" },
		{ "__alloc_pages_slowpath.constprop.112", "__alloc_pages_slowpath" },
		{ "ubsan_type_mismatch_common.cold", "ubsan_type_mismatch_common" },
		{ "print_address_description.cold.8", "print_address_description" },
		{ "__slab_alloc.isra.50.constprop.56", "__slab_alloc" },
		{ "check_cpu_stall.isra.56.cold.75", "check_cpu_stall" },
		{ "inherit_task_group.isra.94.part.95", "inherit_task_group" },
		{ "mark_lock.part.0.cold", "mark_lock" },
		{ "print_address_description.constprop.0.cold",
		  "print_address_description" },
		{ "__se_sys_sendto", "__se_sys_sendto" },
		{ "__x64_sys_write", "__x64_sys_write" },
		{ "SyS_write", "SyS_write" },
		{ "0xffffffffc0123456", "0xffffffffc0123456" },
		/* clang LTO and the brief's chain */
		{ "foo.isra.56.cold.74", "foo" },
		{ "ext4_da_write_begin.cold", "ext4_da_write_begin" },
		{ "sched_clock_cpu.llvm.6042361426137232102", "sched_clock_cpu" },
		/* a dot that is not a clone suffix stays */
		{ "__key.0", "__key.0" },
		{ "foo.bar.isra.0", "foo.bar" },
		{ ".cold", ".cold" },
		{ "", "" },
	};
	char out[MMT_SYM_MAX], small[5];
	size_t i;

	for (i = 0; i < N(cases); i++) {
		mmt_symbol_base(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	mmt_symbol_base("lock_timer_base.isra.29", small, sizeof(small));
	assert_string_equal(small, "lock");
}

static void test_ctx_names(void **state)
{
	assert_string_equal(mmt_frame_ctx_name(MMT_CTX_NONE), "none");
	assert_string_equal(mmt_frame_ctx_name(MMT_CTX_TASK), "task");
	assert_string_equal(mmt_frame_ctx_name(MMT_CTX_IRQ), "irq");
	assert_string_equal(mmt_frame_ctx_name(MMT_CTX_SOFTIRQ), "softirq");
	assert_string_equal(mmt_frame_ctx_name(MMT_CTX_NMI), "nmi");
	assert_string_equal(mmt_frame_ctx_name(MMT_CTX_EXCEPTION), "exception");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed_modern),
		cmocka_unit_test(test_feed_old),
		cmocka_unit_test(test_feed_crash),
		cmocka_unit_test(test_feed_nmi_mce),
		cmocka_unit_test(test_feed_deep),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_digest_fields),
		cmocka_unit_test(test_symbol_base),
		cmocka_unit_test(test_ctx_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
