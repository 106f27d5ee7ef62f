/*
 * Filesystems' "possible memory allocation deadlock" messages: a
 * filesystem retrying, every so many attempts, an allocation it may not
 * fail. No kernel this machine can run prints them any more (XFS dropped
 * its retry loop for __GFP_NOFAIL; ZFS's SPL is out of tree), so the
 * lines below are quoted as printed from public reports:
 *
 * - XFS of 3.x, syslog: the two lines of
 *   https://blog.codecentric.de/en/2017/04/xfs-possible-memory-allocation-deadlock-kmem_alloc/
 * - XFS of 4.x and later, naming the task: the title of
 *   https://github.com/opencontainers/runc/issues/2039
 * - ZFS's SPL on Debian's 3.16, with the stack dump_stack() prints:
 *   https://github.com/openzfs/zfs/issues/4120 (its first 16 lines).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "analyzers/analyzer.h"
#include "klog_fixture.h"

static const char xfs_3x[] =
	"Mar  5 22:42:57 node06 kernel: XFS: possible memory allocation deadlock in kmem_alloc (mode:0x250)\n"
	"Mar  5 22:42:59 node06 kernel: XFS: possible memory allocation deadlock in kmem_alloc (mode:0x250)\n";

static const char xfs_task[] =
	"XFS: runc:[1:CHILD](3580) possible memory allocation deadlock in kmem_zone_alloc (mode:0x82d0)\n";

static const char spl[] =
	"[3325556.718601] Possible memory allocation deadlock: size=44037 lflags=0x4210\n"
	"[3325556.718602] CPU: 3 PID: 29362 Comm: updatedb.mlocat Tainted: P           O  3.16.0-4-amd64 #1 Debian 3.16.7-ckt11-1+deb8u5\n"
	"[3325556.718603] Hardware name: ASUS All Series/Z97M-PLUS/BR, BIOS 2801 04/08/2015\n"
	"[3325556.718603]  0000000000000000 ffffffff8150b4c5 0000000000004210 ffffffffa03f5a1f\n"
	"[3325556.718604]  ffff8801df72d0c0 000000000000ac05 000000000000ac05 0000000000000000\n"
	"[3325556.718605]  ffff8802c4c7f040 ffffffffa07b90e0 ffff8802402e9228 ffff8800150a7b98\n"
	"[3325556.718606] Call Trace:\n"
	"[3325556.718608]  [<ffffffff8150b4c5>] ? dump_stack+0x41/0x51\n"
	"[3325556.718611]  [<ffffffffa03f5a1f>] ? spl_kmem_alloc+0x15f/0x170 [spl]\n"
	"[3325556.718618]  [<ffffffffa07b90e0>] ? zfs_acl_node_alloc+0x40/0x60 [zfs]\n"
	"[3325556.718624]  [<ffffffffa07b9742>] ? zfs_acl_node_read.constprop.17+0x142/0x2d0 [zfs]\n"
	"[3325556.718631]  [<ffffffffa07defe7>] ? zfs_zget+0x1b7/0x2e0 [zfs]\n"
	"[3325556.718637]  [<ffffffffa07b995b>] ? zfs_zaccess_aces_check+0x8b/0x360 [zfs]\n"
	"[3325556.718644]  [<ffffffffa07bb50b>] ? zfs_zaccess+0x9b/0x3e0 [zfs]\n"
	"[3325556.718650]  [<ffffffffa07dc6c8>] ? zfs_inode_update+0x128/0x190 [zfs]\n"
	"[3325556.718657]  [<ffffffffa07d36fa>] ? zfs_lookup+0x25a/0x310 [zfs]\n";

static void analyze(struct kfx *fx)
{
	struct mmt_err err = { 0 };

	if (mmt_analyze(fx->st, &err) < 0)
		fail_msg("analysis failed: %s", err.msg);
}

/* Two retries by one filesystem: two reports, one finding with its cadence. */
static void test_xfs_3x_repeats(void **state)
{
	struct kfx fx;
	int64_t src;
	char text[512];

	(void)state;
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, xfs_3x, strlen(xfs_3x));
	assert_int_equal(kfx_count_reports(&fx, src), 2);
	for (long line = 1; line <= 2; line++)
		kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, line),
			       (const char *const[]){
			"kind", "fs_alloc_retry", "gfp_mask", "0x250", "gfp_names", "NULL",
			"detail", "XFS", "ip", "kmem_alloc", "pid", "NULL", "comm", "NULL",
			"line_end", line == 1 ? "1" : "2", NULL });
	analyze(&fx);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM findings "
				  "WHERE kind = 'fs_alloc_retry'"), 1);
	kfx_qtext(&fx, text, sizeof(text), "SELECT title FROM findings "
		  "WHERE kind = 'fs_alloc_retry'");
	assert_string_equal(text, "2 possible memory allocation deadlocks in kmem_alloc");
	kfx_qtext(&fx, text, sizeof(text), "SELECT summary FROM findings "
		  "WHERE kind = 'fs_alloc_retry'");
	assert_non_null(strstr(text, "repeated"));
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM finding_reports"), 2);
	kfx_close(&fx);
}

/* Since 4.x XFS names the task as COMM(PID); the comm may hold ':' and '['. */
static void test_xfs_names_task(void **state)
{
	struct kfx fx;
	int64_t src;

	(void)state;
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, xfs_task, strlen(xfs_task));
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 1), (const char *const[]){
		"kind", "fs_alloc_retry", "comm", "runc:[1:CHILD]", "pid", "3580",
		"gfp_mask", "0x82d0", "detail", "XFS", "ip", "kmem_zone_alloc", NULL });
	analyze(&fx);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 1), (const char *const[]){
		"culprit", "kmem_zone_alloc", NULL });
	kfx_close(&fx);
}

/*
 * SPL prints "Possible", a GFP mask as lflags=, then dump_stack(): the
 * stack belongs to the report, whose culprit is the allocator's caller.
 */
static void test_spl_with_stack(void **state)
{
	struct kfx fx;
	int64_t src, id;

	(void)state;
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, spl, strlen(spl));
	assert_int_equal(kfx_count_reports(&fx, src), 1);
	id = kfx_report_at(&fx, src, 1);
	kfx_expect_row(&fx, "reports", id, (const char *const[]){
		"kind", "fs_alloc_retry", "gfp_mask", "0x4210", "detail", "SPL",
		"pid", "29362", "comm", "updatedb.mlocat", "kernel", "3.16.0-4-amd64",
		"line_end", "16", KFX_DEPTH, "9", NULL });
	analyze(&fx);
	kfx_expect_row(&fx, "reports", id, (const char *const[]){
		"culprit", "zfs_acl_node_alloc", NULL });
	kfx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xfs_3x_repeats),
		cmocka_unit_test(test_xfs_names_task),
		cmocka_unit_test(test_spl_with_stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
