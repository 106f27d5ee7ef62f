/*
 * Tests of kernel release parsing (mmt_kver_*) and GFP decoding
 * (mmt_gfp_*). The oracle is what real kernels printed: masks printed
 * together with names, with the release the same log shows, must decode
 * to the same names; bare masks of old logs must decode as the release's
 * own gfp.h says. Corpus paths are relative to ../shared/corpus; when the
 * corpus is present, a last test decodes every "mask(NAMES)" pair in it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/gfp.h"
#include "core/kver.h"

enum { CA = MMT_GFP_CTX_ATOMIC, CW = MMT_GFP_CTX_NOWAIT, CI = MMT_GFP_CTX_NOIO,
       CF = MMT_GFP_CTX_NOFS, CK = MMT_GFP_CTX_FULL };

static void test_kver_parse(void **state)
{
	static const struct { const char *s; int a, b, c; } ok[] = {
		{ "3.13.0-24-generic", 3, 13, 0 }, { "4.4.96+", 4, 4, 96 },
		{ "6.4.0-rc5+", 6, 4, 0 }, { "2.6.32-504.el6.x86_64", 2, 6, 32 },
		{ "5.10.0-8-amd64", 5, 10, 0 }, { "6.18.44-fc-v769", 6, 18, 44 },
		{ "4.19.57", 4, 19, 57 }, { "4.19.57.mx64.282", 4, 19, 57 },
		{ "2.6.31+frans2+mel-00002-g90702f9-dirty", 2, 6, 31 },
		{ "3.10-rc1", 3, 10, 0 }, { "2.6", 2, 6, 0 },
	};
	static const char *bad[] = { "", "abc", "3", "3.", ".3", "3.x", "v5.10",
				     " 5.10", "3..1", "-1.2", "1234567.1", "x.y.z" };
	struct mmt_kver v, w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(mmt_kver_parse(ok[i].s, &v), 0);
		assert_int_equal(v.major, ok[i].a);
		assert_int_equal(v.minor, ok[i].b);
		assert_int_equal(v.patch, ok[i].c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mmt_kver_parse(bad[i], &v), -1);
	assert_int_equal(mmt_kver_parse(NULL, &v), -1);
	assert_int_equal(mmt_kver_parse("2.6.39", &v), 0);
	assert_int_equal(mmt_kver_parse("3.0.1", &w), 0);
	assert_true(mmt_kver_cmp(&v, &w) < 0);
	assert_true(mmt_kver_cmp(&w, &v) > 0);
	assert_int_equal(mmt_kver_parse("4.4.96+", &v), 0);
	assert_int_equal(mmt_kver_parse("4.4.100", &w), 0);
	assert_true(mmt_kver_cmp(&v, &w) < 0);
	assert_int_equal(mmt_kver_cmp(&v, &v), 0);
}

static size_t layout_index(const struct mmt_gfp_layout *l)
{
	size_t i;

	for (i = 0; mmt_gfp_layout_at(i); i++)
		if (mmt_gfp_layout_at(i) == l)
			return i;
	return (size_t)-1;
}

/* Every release from 2.6.20 to 6.18 has exactly one layout, in order. */
static void test_layouts_cover_every_release(void **state)
{
	static const int last_minor[] = { 39, 19, 20, 19, 18 };	/* 2.6, 3, 4, 5, 6 */
	size_t prev = 0, n = 0, i;
	char rel[32];
	int major, minor;

	(void)state;
	while (mmt_gfp_layout_at(n))
		n++;
	assert_int_equal(n, 28);
	for (major = 2; major <= 6; major++) {
		for (minor = major == 2 ? 20 : 0; minor <= last_minor[major - 2]; minor++) {
			const struct mmt_gfp_layout *l;

			if (major == 2)
				snprintf(rel, sizeof(rel), "2.6.%d", minor);
			else
				snprintf(rel, sizeof(rel), "%d.%d.0", major, minor);
			l = mmt_gfp_layout_for(rel);
			assert_non_null(l);
			i = layout_index(l);
			assert_true(i == prev || i == prev + 1);
			prev = i;
		}
	}
	assert_int_equal(prev, n - 1);
	/* Each range string names releases its own layout covers. */
	for (i = 0; i < n; i++) {
		const struct mmt_gfp_layout *l = mmt_gfp_layout_at(i);
		const char *r = mmt_gfp_layout_range(l), *dash;

		assert_non_null(mmt_gfp_layout_change(l));
		assert_ptr_equal(mmt_gfp_layout_for(r), l);
		dash = strstr(r, " - ");
		if (dash && strcmp(dash + 3, "6.x") != 0)
			assert_ptr_equal(mmt_gfp_layout_for(dash + 3), l);
	}
	assert_null(mmt_gfp_layout_for("2.6.19"));
	assert_null(mmt_gfp_layout_for("2.4.37"));
	assert_null(mmt_gfp_layout_for("7.0.0"));
	assert_null(mmt_gfp_layout_at(n));
	assert_null(mmt_gfp_layout_range(NULL));
}

struct triple {
	const char *kver;
	uint64_t mask;
	const char *names;
	int ctx;
};

/*
 * Masks printed with names by real kernels, with the release the same
 * log shows. Decoding the mask must give the same names and context.
 */
static const struct triple printed[] = {
	/* lkp-tests/spec/fixtures/stats/dmesg/12 */
	{ "4.8.0-rc1", 0x24010c0, "GFP_KERNEL|__GFP_NORETRY", CK },
	{ "4.8.0-rc1", 0x24200ca, "GFP_HIGHUSER_MOVABLE", CK },
	/* lkp-tests/spec/fixtures/stats/dmesg/53 */
	{ "4.8.0-rc1", 0x240c0c0, "GFP_KERNEL|__GFP_COMP|__GFP_ZERO", CK },
	/* lkp-tests/spec/fixtures/stats/dmesg/01 */
	{ "4.8.0-rc1", 0x27080c0, "GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_NOTRACK", CK },
	/* abrt/tests/examples/oops6.test */
	{ "4.9.3-200.fc25.x86_64", 0x24040c0, "GFP_KERNEL|__GFP_COMP", CK },
	/* syzkaller/linux/report/206, 218 */
	{ "4.15.0+", 0x14080c0, "GFP_KERNEL|__GFP_ZERO", CK },
	{ "4.16.0-rc5+", 0x14000c0, "GFP_KERNEL", CK },
	/* lkml/kexec/ttyS0.log-crashkernel-256M-oom-4.19.57.txt */
	{ "4.19.57.mx64.282", 0x6040c0, "GFP_KERNEL|__GFP_COMP", CK },
	/* syzkaller/linux/report/493, 334 */
	{ "4.19.60", 0x484020, "GFP_ATOMIC|__GFP_COMP", CA },
	{ "4.20.0+", 0x6202c2, "GFP_HIGHUSER|__GFP_NOWARN", CK },
	/* syzkaller/linux/report/492, 650 */
	{ "5.3.0-rc6", 0x40a20, "GFP_ATOMIC|__GFP_COMP", CA },
	{ "5.4.199-syzkaller-18913-ga1cfe184533b", 0xd20c0,
	  "__GFP_IO|__GFP_FS|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_NOMEMALLOC", CW },
	/* lkml/kexec/kdump-kernel-warn_alloc-arm64-5.7-rc5-wrapped.txt */
	{ "5.7.0-rc5", 0x1, "GFP_DMA", CW },
	{ "5.7.0-rc5", 0xcc1, "GFP_KERNEL|GFP_DMA", CK },
	/* lkml/cgroups/page-alloc-failure-order6-arm64-rk3399-5.10.txt */
	{ "5.10.2", 0x40dc0, "GFP_KERNEL|__GFP_COMP|__GFP_ZERO", CK },
	/* oomanalyser/example_ubuntu2110.txt, example_proxmox_cgroup_oom.txt */
	{ "5.13.0-19-generic", 0xcc0, "GFP_KERNEL", CK },
	{ "5.15.158-2-pve", 0x1100cca, "GFP_HIGHUSER_MOVABLE", CK },
	/* syzkaller/linux/report/627, 638, 646 */
	{ "5.15.0-next-20211109-syzkaller", 0x12a20,
	  "GFP_ATOMIC|__GFP_NOWARN|__GFP_NORETRY", CA },
	{ "5.16.0-rc8-next-20220110-syzkaller", 0x12c00,
	  "GFP_NOIO|__GFP_NOWARN|__GFP_NORETRY", CI },
	{ "5.17.0-syzkaller-13532-gb4a5ea09b293", 0x112c40,
	  "GFP_NOFS|__GFP_NOWARN|__GFP_NORETRY|__GFP_HARDWALL", CF },
	/* syzkaller/linux/report/658; oomanalyser/example_archlinux_6_1_1.txt */
	{ "6.0.0-rc6-syzkaller", 0x2dc2,
	  "GFP_KERNEL|__GFP_HIGHMEM|__GFP_NOWARN|__GFP_ZERO", CK },
	{ "6.1.1-arch1-1", 0x140dca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO", CK },
	/* syzkaller/linux/report/694, 698 */
	{ "6.3.0-rc6-syzkaller-00173-g7a934f4bd7d6", 0x2dc2,
	  "GFP_KERNEL|__GFP_HIGHMEM|__GFP_NOWARN|__GFP_ZERO", CK },
	{ "6.4.0-rc5-syzkaller-00016-ga4d7d7011219", 0x140dca,
	  "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO", CK },
	/* lkml/cgroups/memcg-oom-mglru-rsync-6.7.4.txt */
	{ "6.7.4-arch1-1", 0x408d40, "GFP_NOFS|__GFP_NOFAIL|__GFP_ZERO|__GFP_ACCOUNT", CF },
	/* syzkaller/linux/report/721, 725, 726, 729, 737 */
	{ "6.10.0-syzkaller-04483-g0be9ae5486cd", 0x52dc0,
	  "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_ZERO", CK },
	{ "6.10.0-syzkaller-11185-g2c9b3512402e", 0x40c40, "GFP_NOFS|__GFP_COMP", CF },
	{ "6.11.0-rc6-syzkaller-00183-gb831f83e40a2", 0x102820,
	  "GFP_ATOMIC|__GFP_NOWARN|__GFP_HARDWALL", CA },
	{ "6.12.0-rc1-syzkaller-00012-g5f153a692bac", 0x2820, "GFP_ATOMIC|__GFP_NOWARN", CA },
	{ "6.13.0-rc5-syzkaller-00004-gccb98ccef0e5", 0x52820,
	  "GFP_ATOMIC|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP", CA },
};

static void check_triple(const struct triple *t)
{
	struct mmt_gfp_decoded d, n;

	assert_int_equal(mmt_gfp_decode(t->mask, t->kver, &d), 0);
	assert_true(d.known);
	assert_non_null(d.layout);
	assert_string_equal(d.flags, t->names);
	assert_int_equal(d.context, t->ctx);
	assert_int_equal(mmt_gfp_from_names(t->mask, t->names, &n), 0);
	assert_int_equal(n.context, t->ctx);
	assert_int_equal(n.direct_reclaim, d.direct_reclaim);
	assert_int_equal(n.kswapd, d.kswapd);
	assert_int_equal(n.io, d.io);
	assert_int_equal(n.fs, d.fs);
	assert_int_equal(n.high, d.high);
	assert_int_equal(n.nowarn, d.nowarn);
	assert_int_equal(n.noretry, d.noretry);
	assert_int_equal(n.nofail, d.nofail);
}

static void test_printed_masks(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(printed) / sizeof(printed[0]); i++)
		check_triple(&printed[i]);
}

/*
 * Bare masks: old logs (corpus files named), then single bits and
 * composites exactly as each release's gfp.h defines them, on both sides
 * of every layout change.
 */
static const struct triple bare[] = {
	/* lkml/linux-mm/page-alloc-failure-order5-2.6.31-i386-e100.txt */
	{ "2.6.31+frans2+mel-00002-g90702f9-dirty", 0x8020, "GFP_ATOMIC|__GFP_ZERO", CA },
	/* oomanalyser/example_rhel7.txt */
	{ "3.10.0-514.6.1.el7.x86_64", 0x201da, "GFP_HIGHUSER_MOVABLE|__GFP_COLD", CK },
	/* syzkaller/linux/report/199 */
	{ "4.4.114+", 0x24000c2, "GFP_KERNEL|__GFP_HIGHMEM", CK },
	/*
	 * lkml/linux-mm/oom-2.6.30-syslog-prefixed-x86_64.txt: logged on
	 * 18 Jun 2009, in the 2.6.31 merge window, by a kernel whose Makefile
	 * still said 2.6.30 but which already had __GFP_MOVABLE at 0x08 (the
	 * readahead mask is GFP_HIGHUSER_MOVABLE|__GFP_COLD with 2.6.31's
	 * layout). Decoded as 2.6.30 the 0x08 bit is unknown, as it should be.
	 */
	{ "2.6.30", 0x201da, "GFP_HIGHUSER|__GFP_COLD|0x8", CK },
	{ "2.6.31", 0x201da, "GFP_HIGHUSER_MOVABLE|__GFP_COLD", CK },
	/* 3.13: __GFP_WAIT|__GFP_IO is GFP_NOFS. */
	{ "3.13.0-24-generic", 0x8250, "GFP_NOFS|__GFP_NOWARN|__GFP_ZERO", CF },
	{ "2.6.20", 0x2000, "__GFP_NO_GROW", CW }, { "2.6.22", 0x2000, "0x2000", CW },
	{ "2.6.22", 0x200d2, "GFP_HIGHUSER", CK },
	{ "2.6.23", 0x80000, "__GFP_MOVABLE", CW },
	{ "2.6.23", 0xa00d2, "GFP_HIGHUSER_MOVABLE", CK },
	{ "2.6.23", 0x800d0, "GFP_KERNEL|__GFP_MOVABLE", CK },
	{ "2.6.24", 0x800d0, "GFP_TEMPORARY", CK },
	{ "2.6.24", 0x100000, "__GFP_MOVABLE", CW }, { "2.6.30", 0x8, "0x8", CW },
	{ "2.6.31", 0x8, "__GFP_MOVABLE", CW }, { "2.6.31", 0x200000, "__GFP_NOTRACK", CW },
	{ "2.6.37", 0x400000, "0x400000", CW }, { "2.6.38", 0x400000, "__GFP_NO_KSWAPD", CW },
	{ "2.6.38", 0x4352da, "GFP_TRANSHUGE", CK },
	{ "3.1", 0x1000000, "0x1000000", CW }, { "3.2", 0x1000000, "__GFP_WRITE", CW },
	{ "3.5", 0x2000, "0x2000", CW }, { "3.6", 0x2000, "__GFP_MEMALLOC", CW },
	{ "3.7", 0x100000, "0x100000", CW }, { "3.8", 0x100000, "__GFP_KMEMCG", CW },
	{ "3.15", 0x100000, "__GFP_KMEMCG", CW }, { "3.16", 0x100000, "0x100000", CW },
	{ "4.0", 0x10, "GFP_NOIO", CI }, { "4.1", 0x100000, "__GFP_NOACCOUNT", CW },
	{ "4.3", 0x4352da, "GFP_TRANSHUGE", CK },
	{ "4.4", 0x10, "__GFP_RECLAIMABLE", CW }, { "4.4", 0x2000000, "GFP_NOWAIT", CW },
	{ "4.4", 0x4352ca, "GFP_TRANSHUGE", CK },
	{ "4.4", 0x25000c0, "GFP_KERNEL|__GFP_NOACCOUNT", CK },
	{ "4.5", 0x25000c0, "GFP_KERNEL_ACCOUNT", CK },
	{ "4.7", 0x342ca, "__GFP_HIGHMEM|__GFP_IO|__GFP_FS|__GFP_NOWARN|__GFP_COMP"
	  "|__GFP_NOMEMALLOC|__GFP_HARDWALL|__GFP_MOVABLE", CW },
	{ "4.8", 0x342ca, "GFP_TRANSHUGE_LIGHT", CW }, { "4.8", 0x4342ca, "GFP_TRANSHUGE", CK },
	{ "4.9", 0x800000, "__GFP_OTHER_NODE", CW }, { "4.10", 0x800000, "__GFP_WRITE", CW },
	{ "4.11", 0x2000000, "0x2000000", CW }, { "4.12", 0x2000000, "__GFP_NOLOCKDEP", CW },
	{ "4.12", 0x400, "__GFP_REPEAT", CW }, { "4.13", 0x400, "__GFP_RETRY_MAYFAIL", CW },
	{ "4.13", 0x14000d0, "GFP_TEMPORARY", CK },
	{ "4.14", 0x14000d0, "GFP_KERNEL|__GFP_RECLAIMABLE", CK },
	{ "4.14", 0x100, "__GFP_COLD", CW }, { "4.15", 0x100, "0x100", CW },
	{ "4.17", 0x1400000, "GFP_NOIO", CI }, { "4.18", 0x600000, "GFP_NOIO", CI },
	{ "4.18", 0x100, "__GFP_WRITE", CW }, { "5.0", 0x800000, "__GFP_NOLOCKDEP", CW },
	{ "5.1", 0x400, "__GFP_DIRECT_RECLAIM", CI }, { "5.1", 0x800, "GFP_NOWAIT", CW },
	{ "5.13", 0x1100cca, "GFP_HIGHUSER_MOVABLE|0x1000000", CK },
	{ "5.14", 0x800000, "__GFP_ZEROTAGS", CW },
	{ "5.15", 0x100cca, "GFP_HIGHUSER|__GFP_MOVABLE", CK },
	{ "5.15", 0x11c20ca, "GFP_TRANSHUGE_LIGHT", CW },
	{ "5.17", 0x2000000, "__GFP_NOLOCKDEP", CW },
	{ "5.18", 0x8000000, "__GFP_NOLOCKDEP", CW },
	{ "5.18", 0x1000000, "0x1000000", CW }, { "6.1", 0x1c20ca, "GFP_TRANSHUGE_LIGHT", CW },
	{ "6.1", 0x1c24ca, "GFP_TRANSHUGE", CK },
	{ "6.2", 0xa20, "GFP_ATOMIC", CA }, { "6.3", 0xa20, "GFP_ATOMIC|0x200", CA },
	{ "6.3", 0x820, "GFP_ATOMIC", CA }, { "6.3", 0x8000000, "__GFP_NOLOCKDEP", CW },
	{ "6.4", 0x4000000, "__GFP_NOLOCKDEP", CW },
	{ "6.7", 0x2800, "GFP_NOWAIT|__GFP_NOWARN", CW }, { "6.8", 0x2800, "GFP_NOWAIT", CW },
	{ "6.9", 0x8000000, "0x8000000", CW }, { "6.10", 0x1000000, "__GFP_NO_OBJ_EXT", CW },
	{ "6.14", 0x4000000, "0x4000000", CW },
	{ "6.14", 0x52dc0, "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_ZERO", CK },
	{ "6.15", 0x52dc0, "GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP", CK },
	{ "6.14", 0x6, "__GFP_HIGHMEM|GFP_DMA32", CW },
	{ "6.15", 0x6, "GFP_DMA32|__GFP_HIGHMEM", CW },
	{ "6.18.44-fc-v769", 0x1000000, "__GFP_NO_OBJ_EXT", CW },
};

static void test_bare_masks(void **state)
{
	struct mmt_gfp_decoded d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
		assert_int_equal(mmt_gfp_decode(bare[i].mask, bare[i].kver, &d), 0);
		assert_true(d.known);
		assert_string_equal(d.flags, bare[i].names);
		assert_int_equal(d.context, bare[i].ctx);
	}
}

/* One mask per context class, before and after the 4.4 reclaim split. */
static void test_contexts(void **state)
{
	static const struct { const char *kver; uint64_t mask; int ctx, kswapd; } c[] = {
		{ "3.13", 0x20, CA, 1 }, { "3.13", 0x0, CW, 1 }, { "3.13", 0x10, CI, 1 },
		{ "3.13", 0x50, CF, 1 }, { "3.13", 0xd0, CK, 1 }, { "3.13", 0x4352da, CK, 0 },
		{ "6.1", 0xa20, CA, 1 }, { "6.1", 0x800, CW, 1 }, { "6.1", 0x0, CW, 0 },
		{ "6.1", 0xc00, CI, 1 }, { "6.1", 0xc40, CF, 1 }, { "6.1", 0xcc0, CK, 1 },
		{ "6.1", 0x4c0, CK, 0 }, { "6.4", 0x20, CA, 0 }, { "4.4", 0x80000, CA, 0 },
	};
	struct mmt_gfp_decoded d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_int_equal(mmt_gfp_decode(c[i].mask, c[i].kver, &d), 0);
		assert_int_equal(d.context, c[i].ctx);
		assert_int_equal(d.kswapd, c[i].kswapd);
		assert_int_equal(d.direct_reclaim,
				 c[i].ctx == CI || c[i].ctx == CF || c[i].ctx == CK);
	}
	assert_int_equal(mmt_gfp_decode(0x0, "6.1", &d), 0);
	assert_string_equal(d.flags, "none");
	/* GFP_NOWAIT|__GFP_NOWARN|__GFP_NOFAIL|__GFP_NORETRY */
	assert_int_equal(mmt_gfp_decode(0x1a800, "6.1", &d), 0);
	assert_true(d.nowarn && d.nofail && d.noretry && !d.high);
	assert_string_equal(mmt_gfp_context_name(MMT_GFP_CTX_ATOMIC), "atomic");
	assert_string_equal(mmt_gfp_context_name(MMT_GFP_CTX_NOWAIT), "nowait");
	assert_string_equal(mmt_gfp_context_name(MMT_GFP_CTX_NOIO), "noio");
	assert_string_equal(mmt_gfp_context_name(MMT_GFP_CTX_NOFS), "nofs");
	assert_string_equal(mmt_gfp_context_name(MMT_GFP_CTX_FULL), "full");
	assert_null(mmt_gfp_context_name(MMT_GFP_CTX_UNKNOWN));
}

static void test_unknown_kernels(void **state)
{
	static const char *rels[] = { "2.4.37", "2.6.19", "7.0.0", "garbage", "v6.1" };
	struct mmt_gfp_decoded d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
		memset(&d, 0x55, sizeof(d));
		assert_int_equal(mmt_gfp_decode(0xcc0, rels[i], &d), -1);
		assert_false(d.known);
		assert_string_equal(d.flags, "");
		assert_int_equal(d.context, MMT_GFP_CTX_UNKNOWN);
		assert_null(d.layout);
		assert_int_equal(d.mask, 0xcc0);
	}
	assert_int_equal(mmt_gfp_decode(0xcc0, NULL, &d), 0);
	assert_false(d.known);
	assert_string_equal(d.flags, "");
	assert_int_equal(mmt_gfp_decode(0xcc0, "", &d), 0);
	assert_false(d.known);
	assert_false(d.direct_reclaim);
}

static void test_from_names(void **state)
{
	static const struct { const char *names; int ctx, direct, kswapd; } c[] = {
		{ "GFP_NOFS|__GFP_NOWARN|__GFP_COMP", CF, 1, 1 }, { "GFP_KERNEL", CK, 1, 1 },
		{ "__GFP_HIGH|__GFP_ATOMIC", CA, 0, 0 },
		{ "GFP_NOWAIT|__GFP_NOWARN", CW, 0, 1 },
		{ "__GFP_WAIT", CI, 1, 1 }, { "__GFP_WAIT|__GFP_NO_KSWAPD", CI, 1, 0 },
		{ "__GFP_DIRECT_RECLAIM", CI, 1, 0 }, { "__GFP_KSWAPD_RECLAIM", CW, 0, 1 },
		{ "GFP_TEMPORARY", CK, 1, 1 }, { "__GFP_RECLAIM|__GFP_IO", CF, 1, 1 },
		{ "GFP_ATOMIC", CA, 0, 1 }, { "GFP_NOIO", CI, 1, 1 },
		{ " (GFP_HIGHUSER_MOVABLE) ", CK, 1, 1 }, { "GFP_TRANSHUGE_LIGHT", CW, 0, 0 },
		{ "GFP_WAIT|GFP_IO|GFP_FS", CK, 1, 1 },	/* pre-4.4 trace spelling */
		{ "GFP_KERNEL|0x4000000", CK, 1, 1 }, { "GFP_DMA", CW, 0, 0 },
		{ "none", CW, 0, 0 },
	};
	struct mmt_gfp_decoded d;
	char longnames[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_int_equal(mmt_gfp_from_names(0x1, c[i].names, &d), 0);
		assert_true(d.known);
		assert_null(d.layout);
		assert_int_equal(d.context, c[i].ctx);
		assert_int_equal(d.direct_reclaim, c[i].direct);
		assert_int_equal(d.kswapd, c[i].kswapd);
	}
	assert_int_equal(mmt_gfp_from_names(0x2c40, "GFP_NOFS|__GFP_NOWARN", &d), 0);
	assert_string_equal(d.flags, "GFP_NOFS|__GFP_NOWARN");
	assert_int_equal(d.mask, 0x2c40);
	assert_true(d.nowarn && !d.nofail && !d.high && d.io && !d.fs);
	/* lkml/cgroups/dmesg-oom-false-global-oom-memcg-5.15-rc4.txt: "gfp_mask=0x0()" */
	assert_int_equal(mmt_gfp_from_names(0, "", &d), 0);
	assert_string_equal(d.flags, "none");
	assert_int_equal(d.context, CW);
	assert_int_equal(mmt_gfp_from_names(0x80, "", &d), -1);
	assert_int_equal(mmt_gfp_from_names(0x80, "0x80", &d), -1);
	assert_int_equal(mmt_gfp_from_names(0x80, "GFP_BOGUS|__GFP_NOPE", &d), -1);
	assert_false(d.known);
	assert_string_equal(d.flags, "");
	assert_int_equal(mmt_gfp_from_names(0x80, NULL, &d), -1);
	/* Longer than the flags buffer: truncated, still classified. */
	strcpy(longnames, "GFP_KERNEL");
	while (strlen(longnames) + 16 < sizeof(longnames))
		strcat(longnames, "|__GFP_NOWARN");
	assert_int_equal(mmt_gfp_from_names(0xcc0, longnames, &d), 0);
	assert_int_equal(strlen(d.flags), sizeof(d.flags) - 1);
	assert_int_equal(d.context, CK);
}

/* Every bit set: the names fit the buffer and unknown bits end in hex. */
static void test_all_bits(void **state)
{
	const struct mmt_gfp_layout *l;
	struct mmt_gfp_decoded d;
	size_t i;

	(void)state;
	for (i = 0; (l = mmt_gfp_layout_at(i)); i++) {
		char rel[32];

		snprintf(rel, sizeof(rel), "%.*s", (int)strcspn(mmt_gfp_layout_range(l), " "),
			 mmt_gfp_layout_range(l));
		assert_int_equal(mmt_gfp_decode(UINT64_MAX, rel, &d), 0);
		assert_ptr_equal(d.layout, l);
		assert_true(strlen(d.flags) < sizeof(d.flags));
		assert_non_null(strstr(d.flags, "0xffffffff"));
		assert_int_equal(d.context, CK);
	}
}

/* The corpus scan: every "mask(NAMES)" a kernel printed, with the file's release. */
#ifndef CORPUS_FALLBACK
#define CORPUS_FALLBACK "/work/shared/corpus"
#endif

static struct {
	int agree, disagree, norelease;
} scan;

/*
 * Pairs known to differ, with the reason. None so far: every pair in
 * the corpus agrees. An entry is { file path suffix, mask }.
 */
static const struct { const char *file; uint64_t mask; } accepted[] = {
	{ NULL, 0 },
};

static int is_accepted(const char *path, uint64_t mask)
{
	size_t i, n = strlen(path);

	for (i = 0; accepted[i].file; i++) {
		size_t m = strlen(accepted[i].file);

		if (mask == accepted[i].mask && n >= m &&
		    !strcmp(path + n - m, accepted[i].file))
			return 1;
	}
	return 0;
}

/* Skips what stands between a marker and the release: blanks, "(", taint letters. */
static const char *skip_to_release(const char *v, const char *end, int taint)
{
	while (v < end && (*v == ' ' || *v == '(' || (taint && *v >= 'A' && *v <= 'Z')))
		v++;
	return v;
}

/* The first release a "Linux version", "Not tainted" or "Tainted:" line names. */
static int find_release(const char *buf, size_t len, char *rel, size_t size)
{
	static const char *keys[] = { "Linux version ", "Not tainted ", "Tainted: " };
	const char *best = NULL, *end = buf + len;
	size_t k;

	for (k = 0; k < 3; k++) {
		const char *p = buf;

		while ((p = memmem(p, end - p, keys[k], strlen(keys[k])))) {
			const char *v = skip_to_release(p + strlen(keys[k]), end, k == 2);
			char tmp[64];
			struct mmt_kver kv;

			snprintf(tmp, sizeof(tmp), "%.*s", (int)(end - v < 63 ? end - v : 63), v);
			tmp[strcspn(tmp, " \t\r\n)")] = '\0';
			if (mmt_kver_parse(tmp, &kv) == 0) {
				if (!best || p < best) {
					best = p;
					snprintf(rel, size, "%s", tmp);
				}
				break;
			}
			p++;
		}
	}
	return best ? 0 : -1;
}

static void scan_pair(const char *path, const char *rel, uint64_t mask, const char *names)
{
	struct mmt_gfp_decoded d, n;
	const char *want = *names ? names : "none";

	if (!rel) {
		scan.norelease++;
		return;
	}
	mmt_gfp_decode(mask, rel, &d);
	mmt_gfp_from_names(mask, names, &n);
	if (!strcmp(d.flags, want) && d.context == n.context) {
		scan.agree++;
	} else if (!is_accepted(path, mask)) {
		print_error("%s: %s 0x%llx printed (%s), decoded (%s)\n", path, rel,
			    (unsigned long long)mask, names, d.flags);
		scan.disagree++;
	}
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || hex_digit(c) >= 0 || c == '_' || c == '|' || c == 'x';
}

static void scan_buffer(const char *path, const char *buf, size_t len)
{
	static const char *keys[] = { "gfp_mask=0x", "gfp_mask 0x", "mode:0x", "mode=0x",
				      "gfp=0x", "gfp_flags=0x" };
	const char *end = buf + len;
	char rel[64], names[512];
	int have = find_release(buf, len, rel, sizeof(rel)) == 0;
	size_t k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const char *p = buf;

		while ((p = memmem(p, end - p, keys[k], strlen(keys[k])))) {
			const char *h = p + strlen(keys[k]), *q;
			uint64_t mask = 0;

			for (q = h; q < end && hex_digit(*q) >= 0; q++)
				mask = mask * 16 + (uint64_t)hex_digit(*q);
			p = q;
			if (q == h || q >= end || *q != '(')
				continue;
			for (h = ++q; q < end && q - h < 500 && name_char(*q); q++)
				;
			if (q >= end || *q != ')')
				continue;
			snprintf(names, sizeof(names), "%.*s", (int)(q - h), h);
			scan_pair(path, have ? rel : NULL, mask, names);
		}
	}
}

static int scan_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	FILE *f;
	char *buf;
	size_t len;

	(void)ftw;
	if (type != FTW_F || st->st_size <= 0 || st->st_size > (16 << 20))
		return 0;
	f = fopen(path, "rb");
	if (!f)
		return 0;
	buf = malloc((size_t)st->st_size);
	len = buf ? fread(buf, 1, (size_t)st->st_size, f) : 0;
	fclose(f);
	if (buf)
		scan_buffer(path, buf, len);
	free(buf);
	return 0;
}

/*
 * Masks of kernels no layout covers: the context from __GFP_IO and __GFP_FS
 * alone must agree with the full decoding of the same masks where a
 * layout covers them (GFP_NOFS|__GFP_NOWARN of 3.x, and 6.x's GFP_NOFS,
 * GFP_NOIO, GFP_KERNEL).
 */
static void test_io_fs_fallback(void **state)
{
	static const struct { uint64_t mask; const char *kver; int ctx; } cases[] = {
		{ 0x250, "3.13.0", CF }, { 0xc40, "6.1.0", CF },
		{ 0xc00, "6.1.0", CI }, { 0xcc0, "6.1.0", CK },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mmt_gfp_decoded fallback, full;

		mmt_gfp_decode_io_fs(cases[i].mask, &fallback);
		assert_int_equal(mmt_gfp_decode(cases[i].mask, cases[i].kver, &full), 0);
		assert_true(fallback.known);
		assert_string_equal(fallback.flags, "");
		assert_int_equal(fallback.context, cases[i].ctx);
		assert_int_equal(full.context, cases[i].ctx);
	}
}

static void test_corpus_agreement(void **state)
{
	const char *src = getenv("MMT_SOURCE_DIR");
	char dir[4096] = "";
	struct stat st;

	(void)state;
	if (src)
		snprintf(dir, sizeof(dir), "%s/../shared/corpus", src);
	if (!*dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		snprintf(dir, sizeof(dir), "%s", CORPUS_FALLBACK);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		skip();
	memset(&scan, 0, sizeof(scan));
	assert_int_equal(nftw(dir, scan_file, 16, FTW_PHYS), 0);
	print_message("corpus %s: %d mask/name pairs agree, %d differ, %d without a release\n",
		      dir, scan.agree, scan.disagree, scan.norelease);
	assert_int_equal(scan.disagree, 0);
	/* The corpus holds 38 such pairs with a release; fewer means the scan broke. */
	assert_true(scan.agree >= 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kver_parse),
		cmocka_unit_test(test_layouts_cover_every_release),
		cmocka_unit_test(test_printed_masks),
		cmocka_unit_test(test_bare_masks),
		cmocka_unit_test(test_contexts),
		cmocka_unit_test(test_unknown_kernels),
		cmocka_unit_test(test_from_names),
		cmocka_unit_test(test_all_bits),
		cmocka_unit_test(test_io_fs_fallback),
		cmocka_unit_test(test_corpus_agreement),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
