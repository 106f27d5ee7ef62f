/*
 * Tests of the frame line parser (mmt_frame_parse) on lines of real logs:
 * each stack format of each era and architecture, the context markers,
 * and lines that must not be taken for frames (registers, raw stack
 * words, lockdep, prose).
 *
 * Lines are given as the kernel-log parser hands them over, without the
 * "[  123.456789]" timestamp, caller id or syslog prefix; everything else
 * is verbatim from the file named above each group (paths relative to
 * the corpus in ../shared/corpus, or a mailing-list Message-ID where the
 * corpus has no sample of the format).
 *
 * With MMT_BENCH set in the environment, a micro-benchmark prints the
 * parser's cost per line for frame and non-frame lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/stack.h"

/* Which optional fields a line carries. */
enum { A = 1, O = 2, S = 4, U = 8, I = 16 };

struct want {
	const char *line;
	const char *symbol;
	const char *module;
	const char *src;
	uint64_t address;
	uint64_t offset;
	uint64_t size;
	unsigned int flags;	/* A: address, O: offset, S: size, U: "?", I: inline */
};

#define ADDR_ONLY(l, sym, addr) { l, sym, "", "", addr, 0, 0, A }

static void check_frame(const struct want *w)
{
	struct mmt_frame f;
	enum mmt_marker m;
	int r = mmt_frame_parse(w->line, strlen(w->line), &f, &m);

	if (!(r & MMT_LINE_FRAME))
		fail_msg("not a frame: \"%s\"", w->line);
	if (strcmp(f.symbol, w->symbol) || strcmp(f.module, w->module) ||
	    strcmp(f.src, w->src))
		fail_msg("\"%s\": symbol \"%s\" module \"%s\" src \"%s\"",
			 w->line, f.symbol, f.module, f.src);
	if (f.has_address != !!(w->flags & A) ||
	    (f.has_address && f.address != w->address))
		fail_msg("\"%s\": address %d %" PRIx64, w->line, f.has_address,
			 f.address);
	if (f.has_offset != !!(w->flags & O) || f.has_size != !!(w->flags & S) ||
	    (f.has_offset && f.offset != w->offset) ||
	    (f.has_size && f.size != w->size))
		fail_msg("\"%s\": offset %d %" PRIx64 " size %d %" PRIx64, w->line,
			 f.has_offset, f.offset, f.has_size, f.size);
	if (f.reliable != !(w->flags & U) || f.inlined != !!(w->flags & I))
		fail_msg("\"%s\": reliable %d inlined %d", w->line, f.reliable,
			 f.inlined);
}

static void check_frames(const struct want *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_frame(&w[i]);
}

#define CHECK_TABLE(t) check_frames(t, sizeof(t) / sizeof(t[0]))

/* 1. x86 from 2.6 to 4.x: "[<addr>] sym+off/size", "?" and modules. */
static const struct want old_x86[] = {
	/* misc-posts/hung-task-jbd2-3.2.0-ubuntu-azure-syslog.txt */
	{ " [<ffffffff8165b5df>] schedule+0x3f/0x60", "schedule", "", "",
	  0xffffffff8165b5df, 0x3f, 0x60, A | O | S },
	{ " [<ffffffff8165d6ee>] ? _raw_spin_lock_irqsave+0x2e/0x40",
	  "_raw_spin_lock_irqsave", "", "", 0xffffffff8165d6ee, 0x2e, 0x40,
	  A | O | S | U },
	{ " [<ffffffff81077da8>] ? lock_timer_base.isra.29+0x38/0x70",
	  "lock_timer_base.isra.29", "", "", 0xffffffff81077da8, 0x38, 0x70,
	  A | O | S | U },
	/* abrt/tests/examples/oops-32bit-graphics.test (i386) */
	{ " [<f833bb78>] radeon_dvi_detect+0x2d8/0x4b0 [radeon]",
	  "radeon_dvi_detect", "radeon", "", 0xf833bb78, 0x2d8, 0x4b0, A | O | S },
	{ " [<f80c5ca0>] ? drm_mode_getcrtc+0xd0/0xd0 [drm]", "drm_mode_getcrtc",
	  "drm", "", 0xf80c5ca0, 0xd0, 0xd0, A | O | S | U },
	/* lkml/linux-mm/rcu-stall-old-format-rcu_sched_state-2.6.37-rc5-mm1.txt */
	{ " [<ffffffff8138c25d>] ? start_secondary+0x0/0x18f", "start_secondary",
	  "", "", 0xffffffff8138c25d, 0, 0x18f, A | O | S | U },
	/* syzkaller/linux/guilty/17 (4.x syzbot, address and source) */
	{ " [<ffffffff81c8f6cd>] __dump_stack lib/dump_stack.c:15 [inline]",
	  "__dump_stack", "", "lib/dump_stack.c:15", 0xffffffff81c8f6cd, 0, 0,
	  A | I },
	{ " [<ffffffff81c8f6cd>] dump_stack+0xc1/0x124 lib/dump_stack.c:51",
	  "dump_stack", "", "lib/dump_stack.c:51", 0xffffffff81c8f6cd, 0xc1,
	  0x124, A | O | S },
	/* lkml/linux-ext4/sysrq-w-40-tasks-md-raid-ext4-6.5-rc5-with-proc-stack.txt (/proc/PID/stack) */
	{ "[<0>] flush_bio_list+0xf3/0x100 [raid1]", "flush_bio_list", "raid1",
	  "", 0, 0xf3, 0x100, A | O | S },
	/* 2.6.18 x86_64 (RHEL 5); the corpus has no sample: quoted in the
	 * kernel's Documentation/admin-guide/bug-hunting.rst */
	{ " [<ffffffff8802c8e9>] :jbd:log_wait_commit+0xa3/0xf5",
	  "log_wait_commit", "jbd", "", 0xffffffff8802c8e9, 0xa3, 0xf5, A | O | S },
	/* satyr/tests/kerneloopses/gitlog-30 (tab-indented SLUB debug trace) */
	{ "\tusb_register_driver+0xe5/0x270 [usbcore]", "usb_register_driver",
	  "usbcore", "", 0, 0xe5, 0x270, O | S },
};

/* 2. Modern x86: no address; "?", clones, modules, build ids, sources. */
static const struct want modern[] = {
	/* syzkaller/linux/guilty/39 */
	{ " __dump_stack lib/dump_stack.c:77 [inline]", "__dump_stack", "",
	  "lib/dump_stack.c:77", 0, 0, 0, I },
	{ " dump_stack+0x1c4/0x2b4 lib/dump_stack.c:113", "dump_stack", "",
	  "lib/dump_stack.c:113", 0, 0x1c4, 0x2b4, O | S },
	{ " print_address_description.cold.8+0x58/0x1ff mm/kasan/report.c:256",
	  "print_address_description.cold.8", "", "mm/kasan/report.c:256", 0,
	  0x58, 0x1ff, O | S },
	/* syzkaller/linux/guilty/58 */
	{ " devlinks_xa_find_get.constprop.0+0x93/0x260 net/core/devlink.c:306",
	  "devlinks_xa_find_get.constprop.0", "", "net/core/devlink.c:306", 0,
	  0x93, 0x260, O | S },
	{ " entry_SYSCALL_64_after_hwframe+0x63/0xcd",
	  "entry_SYSCALL_64_after_hwframe", "", "", 0, 0x63, 0xcd, O | S },
	/* syzkaller/linux/guilty/30 */
	{ " find_check_entry.isra.8+0x8c8/0xcb0 net/ipv4/netfilter/ip_tables.c:554",
	  "find_check_entry.isra.8", "", "net/ipv4/netfilter/ip_tables.c:554", 0,
	  0x8c8, 0xcb0, O | S },
	/* lkp-tests/spec/fixtures/stats/dmesg/77 */
	{ " ubsan_type_mismatch_common.cold+0x37/0xb4",
	  "ubsan_type_mismatch_common.cold", "", "", 0, 0x37, 0xb4, O | S },
	/* satyr/tests/kerneloopses/rhbz-1518943 */
	{ " ? amdgpu_vm_num_entries+0x1e/0x70 [amdgpu]", "amdgpu_vm_num_entries",
	  "amdgpu", "", 0, 0x1e, 0x70, O | S | U },
	/* syzkaller/linux/report/338 */
	{ " kmalloc_oob_right+0xac/0xc3 [test_kasan]", "kmalloc_oob_right",
	  "test_kasan", "", 0, 0xac, 0xc3, O | S },
	/* lkml/cgroups/memcg-oom-mglru-rsync-6.7.4.txt (module build id) */
	{ " ? __pfx_fat_get_block+0x10/0x10 [fat 0a109de409393851f8a884f020fb5682aab8dcd1]",
	  "__pfx_fat_get_block", "fat", "", 0, 0x10, 0x10, O | S | U },
	/* lkml/linux-ext4/sysrq_w_1_core_analysed.decoded-stacktrace-5.9.txt
	 * (scripts/decode_stacktrace.sh output) */
	{ "__schedule (kernel/sched/core.c:3778)", "__schedule", "",
	  "kernel/sched/core.c:3778", 0, 0, 0, 0 },
	{ "schedule (./arch/x86/include/asm/bitops.h:207 (discriminator 1))",
	  "schedule", "", "./arch/x86/include/asm/bitops.h:207", 0, 0, 0, 0 },
	{ "? file_fdatawait_range (./include/linux/pagemap.h:515)",
	  "file_fdatawait_range", "", "./include/linux/pagemap.h:515", 0, 0, 0,
	  U },
};

/* 3. arm64 "Call trace:" and 32-bit ARM "(callee) from (caller)". */
static const struct want arm[] = {
	/* squad/test/plugins/linux_log_parser/oops.log (arm64, 4.4) */
	{ "[<ffffff800808c000>] dump_backtrace+0x0/0x1e0", "dump_backtrace", "",
	  "", 0xffffff800808c000, 0, 0x1e0, A | O | S },
	/* lkml/kexec/kdump-kernel-warn_alloc-arm64-5.7-rc5-wrapped.txt */
	{ " __alloc_pages_slowpath.constprop.112+0xaec/0xb28",
	  "__alloc_pages_slowpath.constprop.112", "", "", 0, 0xaec, 0xb28,
	  O | S },
	/* syzkaller/linux/guilty/60 (arm64) */
	{ " __switch_to+0x330/0x614 arch/arm64/kernel/process.c:123",
	  "__switch_to", "", "arch/arm64/kernel/process.c:123", 0, 0x330, 0x614,
	  O | S },
	/* JMR540-proc-dump/kmsg (32-bit ARM, 3.x) */
	{ "[<c00131ac>] (unwind_backtrace) from [<c00113e8>] (show_stack+0x10/0x14)",
	  "unwind_backtrace", "", "", 0xc00131ac, 0, 0, A },
	/* satyr/tests/kerneloopses/gitlog-01 (32-bit ARM, 2.6/3.0) */
	{ "[<c0014990>] (unwind_backtrace+0x0/0xf4) from [<c005ccb8>] (__lock_acquire+0x14f8/0x1b98)",
	  "unwind_backtrace", "", "", 0xc0014990, 0, 0xf4, A | O | S },
	/* syzkaller/linux/guilty/65 (32-bit ARM with sources) */
	{ "[<80470054>] (prepare_alloc_pages.constprop.0) from [<80471bd8>] (__alloc_pages+0xb0/0x1214 mm/page_alloc.c:5581)",
	  "prepare_alloc_pages.constprop.0", "", "", 0x80470054, 0, 0, A },
	/* abrt/tests/examples/oops-kernel-panic-hung-tasks-arm.test */
	{ "[<c0014318>] (dump_backtrace_log_lvl) from [<c001457c>] (show_stack+0x24/0x2c)",
	  "dump_backtrace_log_lvl", "", "", 0xc0014318, 0, 0, A },
	/* squad/test/plugins/linux_log_parser/kernelexceptiontrace.log (ARM,
	 * 6.0; the file's JSON string end '"}' removed) */
	{ " unwind_backtrace from show_stack+0x18/0x1c", "unwind_backtrace", "",
	  "", 0, 0, 0, 0 },
	{ " smp_call_function_many_cond from smp_call_function+0x34/0x3c",
	  "smp_call_function_many_cond", "", "", 0, 0, 0, 0 },
};

/*
 * 4. UML: "stack-address:  [<addr>] sym+off/size". The corpus has none;
 * from LKML, Message-ID <44AEAB7B.1060501@google.com> ("Re: [RFC][PATCH]
 * swap over NBD", 2006), mail quote removed.
 */
static const struct want uml[] = {
	{ "08927a14:  [<0805f8fc>] switch_to_skas+0x3c/0x90", "switch_to_skas", "",
	  "", 0x0805f8fc, 0x3c, 0x90, A | O | S },
	{ "089d79d0:  [<080bb60e>] swap_writepage+0x9e/0xd0", "swap_writepage", "",
	  "", 0x080bb60e, 0x9e, 0xd0, A | O | S },
	{ "08927d1c:  [<ffffe420>] _etext+0xf7dfe403/0x0", "_etext", "", "",
	  0xffffe420, 0xf7dfe403, 0, A | O | S },
};

/* 5. The crash utility's bt. */
static const struct want crash[] = {
	/* crash-help/help_bt_examples.txt */
	{ "     #3 [ffff880002207ef0] notify_die at ffffffff810a155e", "notify_die",
	  "", "", 0xffffffff810a155e, 0, 0, A },
	{ "    #10 [f2815f68] do_fork at c011cebb", "do_fork", "", "", 0xc011cebb,
	  0, 0, A },
	{ "     #3 [f2815e24] stext_lock (via drain_cpu_caches) at c025fa55",
	  "stext_lock", "", "", 0xc025fa55, 0, 0, A },
	{ "    #3 [c74dff1c] crash_init at cb297076 [crash]", "crash_init", "crash",
	  "", 0xcb297076, 0, 0, A },
	{ "     #0 [ffff8800664a1c90] machine_kexec+0x167 at ffffffff810327b7",
	  "machine_kexec", "", "", 0xffffffff810327b7, 0x167, 0, A | O },
	{ "    #4 [ffffc9000d35be78] __handle_sysrq.cold.12 at ffffffff814e4175",
	  "__handle_sysrq.cold.12", "", "", 0xffffffff814e4175, 0, 0, A },
	/* lkml/linux-xfs/crash-bt-kswapd-shrink_slab-dm_bufio-deadlock.txt */
	{ "   #9 [ffff8813dedfbbd0] dm_bufio_shrink_scan at ffffffffa0387cc3 [dm_bufio]",
	  "dm_bufio_shrink_scan", "dm_bufio", "", 0xffffffffa0387cc3, 0, 0, A },
	/* lkml/linux-xfs/crash-bt-loop-writeback-ppc64le-5.15.txt */
	{ "#14 [c00000002a787e10] ret_from_kernel_thread at c00000000000cfd4",
	  "ret_from_kernel_thread", "", "", 0xc00000000000cfd4, 0, 0, A },
};

/* 6. ppc64 "[sp] [lr] sym" and s390 "([<addr>] sym)". */
static const struct want ppc_s390[] = {
	/* abrt/tests/examples/oops8_ppc64.test (ELFv1 dot symbols) */
	{ "[c000000010f930b0] [c000000008068df8] .eeh_dev_check_failure+0x278/0x390 (unreliable)",
	  "eeh_dev_check_failure", "", "", 0xc000000008068df8, 0x278, 0x390,
	  A | O | S | U },
	{ "[c000000010f93340] [d0000000008c991c] .ipr_probe_ioa+0x6c/0x1390 [ipr]",
	  "ipr_probe_ioa", "ipr", "", 0xd0000000008c991c, 0x6c, 0x1390, A | O | S },
	/* lkml/linux-xfs/sysrq-w-old-format-ppc64le-5.2.txt (trailing space) */
	{ "[c00000006e41f860] [c000000000027560] __switch_to+0x280/0x4b0 ",
	  "__switch_to", "", "", 0xc000000000027560, 0x280, 0x4b0, A | O | S },
	/* lkml/linux-xfs/bug-213609-xfs503-hang-sysrq-m-t-w.ppc64le.txt */
	ADDR_ONLY("[c0000000096d3820] [c000000009617c10] 0xc000000009617c10",
		  "0xc000000009617c10", 0xc000000009617c10),
	/* satyr/tests/kerneloopses/rhbz-1040900-s390x-1 */
	{ "([<000003ff8086d036>] will_oops_init+0x36/0x1000 [will_oops])",
	  "will_oops_init", "will_oops", "", 0x3ff8086d036, 0x36, 0x1000,
	  A | O | S | U },
	{ " [<000000000010014e>] do_one_initcall+0xce/0x160", "do_one_initcall",
	  "", "", 0x10014e, 0xce, 0x160, A | O | S },
	/* abrt/tests/examples/oops10_s390x.test */
	{ "([<00000000027f8000>] 0x27f8000)", "0x27f8000", "", "", 0x27f8000, 0, 0,
	  A | U },
	{ " [<000003ff808bd352>] sd_prep_fn+0xfa/0xd1c [sd_mod]", "sd_prep_fn",
	  "sd_mod", "", 0x3ff808bd352, 0xfa, 0xd1c, A | O | S },
};

/* 8. Addresses that symbol lookup could not name. */
static const struct want addr_only[] = {
	/* satyr/tests/kerneloopses/rhbz-1040900-s390x-1 */
	ADDR_ONLY(" [<000003fffd4a1d92>] 0x3fffd4a1d92", "0x3fffd4a1d92",
		  0x3fffd4a1d92),
	/* satyr/tests/kerneloopses/gitlog-30 */
	ADDR_ONLY("\t0xffffffffa04ab03d", "0xffffffffa04ab03d", 0xffffffffa04ab03d),
	/* syzkaller/linux/guilty/60 (arm64) */
	ADDR_ONLY(" 0x202", "0x202", 0x202),
	/* squad/test/plugins/linux_log_parser/multiple_issues_dmesg.log */
	{ " ? 0xffffffffc09a8000", "0xffffffffc09a8000", "", "",
	  0xffffffffc09a8000, 0, 0, A | U },
};

static void test_old_x86(void **state)
{
	CHECK_TABLE(old_x86);
}

static void test_modern(void **state)
{
	CHECK_TABLE(modern);
}

static void test_arm(void **state)
{
	CHECK_TABLE(arm);
}

static void test_uml(void **state)
{
	CHECK_TABLE(uml);
}

static void test_crash(void **state)
{
	CHECK_TABLE(crash);
}

static void test_ppc_s390(void **state)
{
	CHECK_TABLE(ppc_s390);
}

static void test_addr_only(void **state)
{
	CHECK_TABLE(addr_only);
}

/* Trailing CR (a log saved with CRLF) and spaces do not matter. */
static void test_line_ends(void **state)
{
	const struct want w[] = {
		{ " [<ffffffff8165b5df>] schedule+0x3f/0x60\r", "schedule", "", "",
		  0xffffffff8165b5df, 0x3f, 0x60, A | O | S },
		{ " kmalloc_oob_right+0xac/0xc3 [test_kasan] \r\n",
		  "kmalloc_oob_right", "test_kasan", "", 0, 0xac, 0xc3, O | S },
	};
	char buf[64];
	struct mmt_frame f;
	enum mmt_marker m;

	CHECK_TABLE(w);
	/* only n bytes are read: no terminating NUL needed */
	memcpy(buf, " schedule+0x3f/0x60XXXX", 23);
	assert_int_equal(mmt_frame_parse(buf, 19, &f, &m), MMT_LINE_FRAME);
	assert_string_equal(f.symbol, "schedule");
	assert_int_equal(mmt_frame_parse(buf, 0, &f, &m), 0);
}

struct want_marker {
	const char *line;
	enum mmt_marker markers[2];
	int nmarkers;
	const char *symbol;	/* frame on the same line, or NULL */
};

/* 7. Context markers, alone or in front of a frame. */
static const struct want_marker markers[] = {
	/* syzkaller/linux/guilty/58 */
	{ " <IRQ>", { MMT_MARK_IRQ_BEGIN }, 1, NULL },
	{ " </IRQ>", { MMT_MARK_IRQ_END }, 1, NULL },
	{ " <TASK>", { MMT_MARK_TASK_BEGIN }, 1, NULL },
	{ " </TASK>", { MMT_MARK_TASK_END }, 1, NULL },
	/* satyr/tests/kerneloopses/github-73 */
	{ " <EOI>", { MMT_MARK_IRQ_END }, 1, NULL },
	/* syzkaller/linux/report/315 */
	{ " <#DF>", { MMT_MARK_EXC_BEGIN }, 1, NULL },
	/* abrt/tests/examples/nmi_oops_hash.test */
	{ "  <NMI>  [<ffffffff810eb800>] ? watchdog_overflow_callback+0x60/0xd0",
	  { MMT_MARK_NMI_BEGIN }, 1, "watchdog_overflow_callback" },
	{ "  <<EOE>>  [<ffffffff810944f0>] account_idle_ticks+0x90/0xa0",
	  { MMT_MARK_NMI_END }, 1, "account_idle_ticks" },
	/* satyr/tests/kerneloopses/github-73-modified (satyr's variant of
	 * github-73 with the markers an NMI over an IRQ prints) */
	{ " <<EOE>> <IRQ>  [<ffffffff81584ca7>] ip_local_deliver+0x47/0x80",
	  { MMT_MARK_NMI_END, MMT_MARK_IRQ_BEGIN }, 2, "ip_local_deliver" },
	{ " <EOI>  [<ffffffffa044ff36>] rt2800pci_rxdone_tasklet+0x16/0x90 [rt2800pci]",
	  { MMT_MARK_IRQ_END }, 1, "rt2800pci_rxdone_tasklet" },
	/* syzkaller/linux/report/292 (a second timestamp after the marker) */
	{ " <IRQ> [  420.408595]  [<ffffffff814249f9>] sched_show_task.cold.127+0x1c9/0x279",
	  { MMT_MARK_IRQ_BEGIN }, 1, "sched_show_task.cold.127" },
	/* Message-ID <20211122150151.16447-1-daniel@iogearbox.net> (netdev) */
	{ " <SOFTIRQ>", { MMT_MARK_SOFTIRQ_BEGIN }, 1, NULL },
	{ " </SOFTIRQ>", { MMT_MARK_SOFTIRQ_END }, 1, NULL },
	/* Message-ID <72ca543a-5022-bd12-14b5-4d7b125cd0fe@arm.com> (linux-acpi) */
	{ " </NMI>", { MMT_MARK_NMI_END }, 1, NULL },
	{ " <#MC>", { MMT_MARK_EXC_BEGIN }, 1, NULL },
	{ "RSP: 0018:ffffa2e4cca47ea0 EFLAGS: 00000246 </#MC>",
	  { MMT_MARK_EXC_END }, 1, NULL },
	/* Message-ID <CA+G9fYt0qHxUty2qt7_9_YTOZamdtknhddbsi5gc3PDy0PvZ5A@mail.gmail.com> */
	{ " <#DF> [   14.384406]  [<ffffffff81518ae9>] dump_stack+0xa9/0x100",
	  { MMT_MARK_EXC_BEGIN }, 1, "dump_stack" },
	{ " <EOE> [   14.423703] Kernel Offset: disabled", { MMT_MARK_NMI_END }, 1,
	  NULL },
	/* Message-ID <52158C49.2040009@huawei.com> (linux-mm) */
	{ " <<EOE>>  <#DB>  [<ffffffff8150de8a>] do_debug+0x16a/0x1c0",
	  { MMT_MARK_NMI_END, MMT_MARK_EXC_BEGIN }, 2, "do_debug" },
	/* crash-help/help_bt_examples.txt */
	{ "    --- <NMI exception stack> ---", { MMT_MARK_NMI_END }, 1, NULL },
};

static void check_marker(const struct want_marker *w)
{
	enum mmt_marker m[4], last;
	struct mmt_frame f;
	int r, nm, i;

	r = mmt_frame_parse_all(w->line, strlen(w->line), &f, m, 4, &nm);
	if (!(r & MMT_LINE_MARKER) || nm != w->nmarkers)
		fail_msg("\"%s\": %d markers", w->line, nm);
	for (i = 0; i < nm; i++)
		if (m[i] != w->markers[i])
			fail_msg("\"%s\": marker %d is %d", w->line, i, m[i]);
	if (!!(r & MMT_LINE_FRAME) != !!w->symbol)
		fail_msg("\"%s\": frame %d", w->line, r & MMT_LINE_FRAME);
	if (w->symbol && strcmp(f.symbol, w->symbol))
		fail_msg("\"%s\": symbol %s", w->line, f.symbol);
	(void)mmt_frame_parse(w->line, strlen(w->line), &f, &last);
	assert_int_equal(last, w->markers[w->nmarkers - 1]);
}

static void test_markers(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
		check_marker(&markers[i]);
}

/* Lines of the same reports that are not frames. */
static const char *const not_frames[] = {
	/* syzkaller/linux/guilty/58 (registers and code) */
	"RIP: 0010:kasan_check_range+0x53/0x190 mm/kasan/generic.c:189",
	"RIP: 0010:kasan_mem_to_shadow include/linux/kasan.h:60 [inline]",
	"RSP: 0018:ffffc900031af250 EFLAGS: 00000286",
	"RIP: 0033:0x7fbf31c3e0dc",
	"Code: ff ff 48 39 c7 0f 86 05 01 00 00 49 83 e9 01 48 89 fd 48 b8 00 00 00 00 00 fc ff df 4d 89 ca 48 c1 ed 03 49 c1 ea 03 48 01 c5 <49> 01 c2 48 89 e8 49 8d 5a 01 48 89 da 48 29 ea 48 83 fa 10 7e 63",
	"task:syz-executor.2  state:R  running task     stack:24600 pid:28912 ppid:1      flags:0x00004006",
	"Call Trace:",
	/* syzkaller/linux/guilty/64 (arm64 registers) */
	"pc : unlock_page+0x18/0xb8 mm/folio-compat.c:20",
	"lr : unlock_page+0x18/0xb8 mm/folio-compat.c:19",
	/* syzkaller/linux/guilty/65 (32-bit ARM registers) */
	"PC is at should_fail_ex+0x4/0x1f4 lib/fault-inject.c:104",
	"LR is at __should_fail_alloc_page mm/page_alloc.c:3927 [inline]",
	/* syzkaller/linux/report/45 */
	"pc : [<ffffffc000d394c4>] lr : [<ffffffc000d394c4>] pstate: 200001c5",
	/* syzkaller/linux/report/74 (old hung task line, raw stack words) */
	"syz-executor0   D ffff8800b901f990     0  6102   1942 0x00000004",
	" ffff8800b901f990 ffffffff835a8e78 ffff8800ac111780 0000000000000000",
	/* abrt/tests/examples/oops-32bit-graphics.test */
	" f6884240 f339dc00 00000001 f7374800 f33b9d48 f833bb78 00000001 f33be600",
	/* syzkaller/linux/guilty/23 */
	"INFO: task syz-executor2:19495 blocked for more than 120 seconds.",
	/* syzkaller/linux/guilty/61 (lockdep) */
	"-> #2 (&sb->s_type->i_mutex_key#8){++++}-{3:3}:",
	" #1: ffff888051572218 (&sb->s_type->i_mutex_key#8){++++}-{3:3}, at: ext4_ioctl+0x1ca7/0x6130",
	"  sb_internal --> &sb->s_type->i_mutex_key#8 --> &sbi->s_writepages_rwsem",
	"                               lock(&sb->s_type->i_mutex_key#8);",
	/* satyr/tests/kerneloopses/rhbz-1040900-s390x-1 */
	"Modules linked in: will_oops(OF+) sg qeth_l2 vmur nfsd auth_rpcgss nfs_acl lockd sunrpc xfs libcrc32c dasd_fba_mod dasd_eckd_mod dasd_mod lcs qeth ctcm qdio ccwgroup fsm dm_mirror dm_region_hash dm_log dm_mod",
	"Krnl PSW : 0704f00180000000 000003ff8086d03a (will_oops_init+0x3a/0x1000 [will_oops])",
	"Last Breaking-Event-Address:",
	/* abrt/tests/examples/oops8_ppc64.test */
	"NIP [c000000008068dfc] .eeh_dev_check_failure+0x27c/0x390",
	"LR [c000000008068df8] .eeh_dev_check_failure+0x278/0x390",
	"CPU: 1 PID: 191 Comm: systemd-udevd Not tainted 3.10.0-33.el7.ppc64 #1",
	"GPR00: c000000008068df8 c000000010f930b0 c0000000091380e0 0000000000000015",
	/* abrt/tests/examples/oops-kernel-panic-hung-tasks-arm.test */
	" r7:df912310 r6:df912140 r5:c081745c r4:00000000",
	"Backtrace: ",
	/* squad/test/plugins/linux_log_parser/oops.log (arm64, 4.4) */
	"Exception stack(0xffffffc07233b5e0 to 0xffffffc07233b710)",
	"b5e0: ffffffc07bed2e00 0000008000000000 000000000261d000 ffffff8008132d58",
	/* lkp-tests/spec/fixtures/stats/dmesg/23 */
	"EIP: [<81097a61>] bpf_prog_free+0x11/0x50 SS:ESP 0068:956a9e94",
	/* abrt/tests/examples/oops1.test.template */
	"Jan 12 19:08:41 :HOSTNAME: kernel: IP: [<f88dec25>] :radeon:radeon_cp_init_ring_buffer+0x90/0x302",
	/* crash-help/help_bt_examples.txt */
	"        [exception RIP: native_safe_halt+0xb]",
	"        RIP: ffffffff8103eacb  RSP: ffffffff81a01ea8  RFLAGS: 00000296",
	"       EAX: 00000000  EBX: c0e68280  ECX: 00000000  EDX: 00000004  EBP: c0b3bfbc",
	"        ORIG_RAX: ffffffffffffffff  CS: 0010  SS: 0018",
	"        [RA: c0153088  SP: c0ceded4  FP: c0cedf04  SIZE: 52]",
	"        c0ceded4: c0cedf00  c0cec000  ce1a6000  00000003  ",
	"    PID: 286    TASK: c0b3a000  CPU: 0   COMMAND: \"in.rlogind\"",
	/* lkml/linux-xfs/bug-216047-kernel-BUG-page_table_check-then-sysrq-w-5.19.txt */
	"---[ end trace 0000000000000000 ]---",
	/* syzkaller/linux/report/561 */
	" ... key      at: [<83e81c44>] __key.0+0x0/0x8",
	/* lkml/linux-ext4/sysrq_w_1_core_analysed.decoded-stacktrace-5.9.txt */
	"ip (166) used greatest stack depth: 12264 bytes left",
	/* Message-ID <52158C49.2040009@huawei.com> */
	"RIP  [<000000007e372522>] 0x7e372521",
	" RSP <ffffffff81a01e18>",
	"",
	"   \t \r",
};

static void test_not_frames(void **state)
{
	struct mmt_frame f;
	enum mmt_marker m;
	size_t i;

	for (i = 0; i < sizeof(not_frames) / sizeof(not_frames[0]); i++) {
		const char *s = not_frames[i];
		int r = mmt_frame_parse(s, strlen(s), &f, &m);

		if (r & MMT_LINE_FRAME)
			fail_msg("taken for a frame: \"%s\" (symbol %s)", s, f.symbol);
		if (r & MMT_LINE_MARKER)
			fail_msg("taken for a marker: \"%s\"", s);
	}
}

/*
 * Every prefix of every line above, in a buffer of exactly its size:
 * the parser must stop at the end it is given (which the address
 * sanitizer checks).
 */
static void parse_prefixes(const char *line)
{
	size_t n = strlen(line), k;
	struct mmt_frame f;
	enum mmt_marker m;

	for (k = 0; k <= n; k++) {
		char *copy = malloc(k ? k : 1);

		assert_non_null(copy);
		memcpy(copy, line, k);
		mmt_frame_parse(copy, k, &f, &m);
		free(copy);
	}
}

static void test_prefixes(void **state)
{
	const struct want *tables[] = { old_x86, modern, arm, uml, crash,
					ppc_s390, addr_only };
	size_t sizes[] = { sizeof(old_x86) / sizeof(old_x86[0]),
			   sizeof(modern) / sizeof(modern[0]),
			   sizeof(arm) / sizeof(arm[0]),
			   sizeof(uml) / sizeof(uml[0]),
			   sizeof(crash) / sizeof(crash[0]),
			   sizeof(ppc_s390) / sizeof(ppc_s390[0]),
			   sizeof(addr_only) / sizeof(addr_only[0]) };
	size_t t, i;

	for (t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++)
		for (i = 0; i < sizes[t]; i++)
			parse_prefixes(tables[t][i].line);
	for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
		parse_prefixes(markers[i].line);
	for (i = 0; i < sizeof(not_frames) / sizeof(not_frames[0]); i++)
		parse_prefixes(not_frames[i]);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double bench_lines(const char *const *lines, size_t n, int rounds)
{
	struct mmt_frame f;
	enum mmt_marker m;
	volatile int sink = 0;
	double t0 = now_ns();
	int r;
	size_t i;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++)
			sink += mmt_frame_parse(lines[i], strlen(lines[i]), &f, &m);
	(void)sink;
	return (now_ns() - t0) / ((double)rounds * n);
}

/* Not a timed assertion: prints ns per line when MMT_BENCH is set. */
static void test_bench(void **state)
{
	const struct want *tables[] = { old_x86, modern, arm, crash, ppc_s390 };
	const size_t sizes[] = { sizeof(old_x86) / sizeof(old_x86[0]),
			   sizeof(modern) / sizeof(modern[0]),
			   sizeof(arm) / sizeof(arm[0]),
			   sizeof(crash) / sizeof(crash[0]),
			   sizeof(ppc_s390) / sizeof(ppc_s390[0]) };
	const char *frames[64];
	size_t nf = 0, t, i, nn = sizeof(not_frames) / sizeof(not_frames[0]);

	if (!getenv("MMT_BENCH"))
		skip();
	for (t = 0; t < 5; t++)
		for (i = 0; i < sizes[t] && nf < 64; i++)
			frames[nf++] = tables[t][i].line;
	bench_lines(frames, nf, 1000);
	printf("bench: frame lines     %.1f ns/line\n",
	       bench_lines(frames, nf, 200000));
	printf("bench: non-frame lines %.1f ns/line\n",
	       bench_lines(not_frames, nn, 200000));
}

/* A runaway stack keeps its first MMT_STACK_MAX_FRAMES frames, the rest counted. */
static void test_frame_limit(void **state)
{
	struct mmt_stack st;
	char line[64];

	(void)state;
	mmt_stack_init(&st);
	for (unsigned i = 0; i < MMT_STACK_MAX_FRAMES + 10; i++) {
		int n = snprintf(line, sizeof(line), " f%u+0x1/0x10", i);

		assert_int_equal(mmt_stack_feed(&st, line, (size_t)n), 1);
	}
	assert_int_equal(st.n, MMT_STACK_MAX_FRAMES);
	assert_int_equal(st.dropped, 10);
	assert_string_equal(st.frames[0].symbol, "f0");
	assert_string_equal(st.frames[MMT_STACK_MAX_FRAMES - 1].symbol, "f4095");
	mmt_stack_reset(&st);
	assert_int_equal(st.dropped, 0);
	mmt_stack_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_old_x86),
		cmocka_unit_test(test_modern),
		cmocka_unit_test(test_arm),
		cmocka_unit_test(test_uml),
		cmocka_unit_test(test_crash),
		cmocka_unit_test(test_ppc_s390),
		cmocka_unit_test(test_addr_only),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_not_frames),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_bench),
		cmocka_unit_test(test_frame_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
