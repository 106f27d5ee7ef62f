/*
 * The GFP bit layouts of Linux 2.6.20 to 6.x, one table per layout with the
 * releases it covers, and the decoding of a bare mask with the layout of
 * the release that printed it. The bit values come from each release's
 * include/linux/gfp.h (gfp_types.h since 6.0); the printed names and their
 * order follow what the kernel itself prints, include/trace/events/
 * gfpflags.h and mmflags.h (show_gfp_flags(), and %pGg in allocation
 * failure and OOM reports since 4.x): composite names first, greedily and
 * in the kernel's order, then single flags, then leftover bits as hex.
 * Kernels before 4.4 printed masks bare; for them the names use the
 * composite order of their trace events and the "__GFP_" spelling that
 * 4.4 and later print, so that one name means one thing in every era.
 */
#include "core/gfp.h"
#include "core/kver.h"

#include <stdio.h>
#include <string.h>

/*
 * Release keys: 2.6.x is a series of its own (layouts changed between
 * 2.6 patch levels), later kernels change layout only at major.minor.
 */
#define V26(p)	(2006000 + (p))
#define V(a, b)	((a) * 1000000 + (b) * 1000)
#define V_ANY	V26(0)
#define V_LAST	V(6, 999)

/* A single flag; value 0 when the distro configuration leaves it out. */
struct bit {
	const char *name;
	uint64_t value;
};

#define B(n, v)	{ "__GFP_" #n, (v) }
#define END	{ NULL, 0 }

/*
 * A composite name and the single flags it is made of. A part marked '?'
 * may be missing from a release (or be 0 there) and then adds nothing;
 * any other part must exist, else the composite does not apply.
 */
struct composite {
	const char *name;
	int first, last;
	const char *parts;
};

struct mmt_gfp_layout {
	int first, last;
	const char *range;
	const struct bit *bits;		/* single flags in the kernel's print order */
	const char *change;
};

/* Reclaim as the composites spell it: __GFP_WAIT before 4.4, the pair after. */
#define RECLAIM		"?__GFP_WAIT|?__GFP_DIRECT_RECLAIM|?__GFP_KSWAPD_RECLAIM"
#define KERNEL		RECLAIM "|__GFP_IO|__GFP_FS"
#define USER		KERNEL "|__GFP_HARDWALL"
/* User pages skip KASAN tagging: one bit in 5.14-5.17, 0 on distro kernels later. */
#define KASAN_USER	"|?__GFP_SKIP_KASAN_POISON|?__GFP_SKIP_KASAN_UNPOISON" \
			"|?__GFP_SKIP_KASAN"
#define THP_LIGHT	"__GFP_IO|__GFP_FS|__GFP_HARDWALL|__GFP_HIGHMEM|__GFP_MOVABLE" \
			"|__GFP_COMP|__GFP_NOMEMALLOC|__GFP_NOWARN" KASAN_USER

/*
 * Composites in the order the kernel matches them. GFP_NOWAIT was 0 before
 * 4.4 and GFP_THISNODE was never printed, so neither appears for them.
 */
static const struct composite composites[] = {
	/* 2.6.38: THP allocations do not wake kswapd and give up early. */
	{ "GFP_TRANSHUGE", V26(38), V(4, 3),
	  "__GFP_WAIT|__GFP_IO|__GFP_FS|__GFP_HARDWALL|__GFP_HIGHMEM|__GFP_MOVABLE"
	  "|__GFP_COMP|__GFP_NOMEMALLOC|__GFP_NORETRY|__GFP_NOWARN|__GFP_NO_KSWAPD" },
	/* 4.4: kswapd is kept out by leaving __GFP_KSWAPD_RECLAIM off. */
	{ "GFP_TRANSHUGE", V(4, 4), V(4, 7),
	  "__GFP_DIRECT_RECLAIM|__GFP_IO|__GFP_FS|__GFP_HARDWALL|__GFP_HIGHMEM"
	  "|__GFP_MOVABLE|__GFP_COMP|__GFP_NOMEMALLOC|__GFP_NORETRY|__GFP_NOWARN" },
	/* 4.8: GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM. */
	{ "GFP_TRANSHUGE", V(4, 8), V_LAST, "__GFP_DIRECT_RECLAIM|" THP_LIGHT },
	{ "GFP_TRANSHUGE_LIGHT", V(4, 8), V_LAST, THP_LIGHT },
	{ "GFP_HIGHUSER_MOVABLE", V26(23), V_LAST,
	  USER "|__GFP_HIGHMEM|__GFP_MOVABLE" KASAN_USER },
	{ "GFP_HIGHUSER", V_ANY, V_LAST, USER "|__GFP_HIGHMEM" },
	{ "GFP_USER", V_ANY, V_LAST, USER },
	{ "GFP_TEMPORARY", V26(24), V(4, 13), KERNEL "|__GFP_RECLAIMABLE" },
	{ "GFP_KERNEL_ACCOUNT", V(4, 5), V_LAST, KERNEL "|__GFP_ACCOUNT" },
	{ "GFP_KERNEL", V_ANY, V_LAST, KERNEL },
	{ "GFP_NOFS", V_ANY, V_LAST, RECLAIM "|__GFP_IO" },
	/* __GFP_HIGH alone before 4.4; __GFP_ATOMIC from 4.4 until 6.3. */
	{ "GFP_ATOMIC", V_ANY, V_LAST,
	  "__GFP_HIGH|?__GFP_ATOMIC|?__GFP_KSWAPD_RECLAIM" },
	{ "GFP_NOIO", V_ANY, V_LAST, RECLAIM },
	{ "GFP_NOWAIT", V(4, 4), V(6, 7), "__GFP_KSWAPD_RECLAIM" },
	/* 6.8: "gfp: include __GFP_NOWARN in GFP_NOWAIT". */
	{ "GFP_NOWAIT", V(6, 8), V_LAST, "__GFP_KSWAPD_RECLAIM|__GFP_NOWARN" },
	{ "GFP_DMA", V_ANY, V_LAST, "__GFP_DMA" },
	/* 6.15 prints __GFP_HIGHMEM among the single flags, in bit order. */
	{ "__GFP_HIGHMEM", V_ANY, V(6, 14), "__GFP_HIGHMEM" },
	{ "GFP_DMA32", V_ANY, V_LAST, "__GFP_DMA32" },
};

/* Zone modifiers: the composite list prints them, so their place here is moot. */
#define ZONES	B(DMA, 0x01), B(HIGHMEM, 0x02), B(DMA32, 0x04)

/*
 * The bits every layout before 4.4 shares, in the order of the trace
 * events of the time; grow and memalloc fill the 0x2000 bit or not.
 */
#define PRE44(grow, memalloc)						\
	ZONES, B(HIGH, 0x20), B(WAIT, 0x10), B(IO, 0x40), B(FS, 0x80),	\
	B(COLD, 0x100), B(NOWARN, 0x200), B(REPEAT, 0x400),		\
	B(NOFAIL, 0x800), B(NORETRY, 0x1000), grow B(COMP, 0x4000),	\
	B(ZERO, 0x8000), B(NOMEMALLOC, 0x10000), memalloc		\
	B(HARDWALL, 0x20000), B(THISNODE, 0x40000)
#define NO_GROW		B(NO_GROW, 0x2000),
#define MEMALLOC	B(MEMALLOC, 0x2000),

/* 2.6.20 - 2.6.21: __GFP_DMA32 (2.6.15) and __GFP_THISNODE (2.6.18) in place. */
static const struct bit b2620[] = { PRE44(NO_GROW, ), END };

/* 2.6.22: slab's internal __GFP_NO_GROW (0x2000) removed. */
static const struct bit b2622[] = { PRE44(, ), END };

/* 2.6.23: grouping pages by mobility adds __GFP_MOVABLE at 0x80000. */
static const struct bit b2623[] = { PRE44(, ), B(MOVABLE, 0x80000), END };

/* 2.6.24 - 2.6.30: __GFP_RECLAIMABLE takes 0x80000, __GFP_MOVABLE 0x100000. */
static const struct bit b2624[] = {
	PRE44(, ), B(RECLAIMABLE, 0x80000), B(MOVABLE, 0x100000), END
};

/*
 * 2.6.31 - 2.6.37: __GFP_MOVABLE becomes the fourth zone bit (0x08) for
 * the table-driven gfp_zone(); kmemcheck's __GFP_NOTRACK at 0x200000
 * (only set on CONFIG_KMEMCHECK kernels until 3.x made it unconditional).
 */
static const struct bit b2631[] = {
	PRE44(, ), B(RECLAIMABLE, 0x80000), B(MOVABLE, 0x08),
	B(NOTRACK, 0x200000), END
};

/* 2.6.38 - 3.1: transparent huge pages: __GFP_NO_KSWAPD, __GFP_OTHER_NODE. */
static const struct bit b2638[] = {
	PRE44(, ), B(RECLAIMABLE, 0x80000), B(MOVABLE, 0x08),
	B(NOTRACK, 0x200000), B(NO_KSWAPD, 0x400000), B(OTHER_NODE, 0x800000),
	END
};

/* 3.2 - 3.5: __GFP_WRITE at 0x1000000 for per-zone dirty limits. */
static const struct bit b32[] = {
	PRE44(, ), B(RECLAIMABLE, 0x80000), B(MOVABLE, 0x08),
	B(NOTRACK, 0x200000), B(NO_KSWAPD, 0x400000), B(WRITE, 0x1000000),
	B(OTHER_NODE, 0x800000), END
};

/*
 * 3.6 - 3.7, and again 3.16 - 4.0: swap over NFS puts __GFP_MEMALLOC in
 * the 0x2000 hole that __GFP_NO_GROW left.
 */
static const struct bit b36[] = {
	PRE44(, MEMALLOC), B(RECLAIMABLE, 0x80000), B(MOVABLE, 0x08),
	B(NOTRACK, 0x200000), B(NO_KSWAPD, 0x400000), B(WRITE, 0x1000000),
	B(OTHER_NODE, 0x800000), END
};

/* 3.8 - 3.15: kernel memory accounting marks pages with __GFP_KMEMCG. */
static const struct bit b38[] = {
	PRE44(, MEMALLOC), B(RECLAIMABLE, 0x80000), B(KMEMCG, 0x100000),
	B(MOVABLE, 0x08), B(NOTRACK, 0x200000), B(NO_KSWAPD, 0x400000),
	B(WRITE, 0x1000000), B(OTHER_NODE, 0x800000), END
};

/* 4.1 - 4.3: __GFP_NOACCOUNT reuses 0x100000. */
static const struct bit b41[] = {
	PRE44(, MEMALLOC), B(RECLAIMABLE, 0x80000), B(MOVABLE, 0x08),
	B(NOACCOUNT, 0x100000), B(NOTRACK, 0x200000), B(NO_KSWAPD, 0x400000),
	B(WRITE, 0x1000000), B(OTHER_NODE, 0x800000), END
};

/*
 * The bits 4.4 - 4.17 share, in the order of the name list of 4.4
 * (trace events, then %pGg); __GFP_COLD went in 4.15.
 */
#define POST44(cold, repeat)						\
	ZONES, B(HIGH, 0x20), B(ATOMIC, 0x80000), B(IO, 0x40),		\
	B(FS, 0x80), cold B(NOWARN, 0x200), repeat, B(NOFAIL, 0x800),	\
	B(NORETRY, 0x1000), B(COMP, 0x4000), B(ZERO, 0x8000),		\
	B(NOMEMALLOC, 0x10000), B(MEMALLOC, 0x2000),			\
	B(HARDWALL, 0x20000), B(THISNODE, 0x40000),			\
	B(RECLAIMABLE, 0x10), B(MOVABLE, 0x08)
#define COLD	B(COLD, 0x100),

/*
 * 4.4: __GFP_WAIT is split into __GFP_DIRECT_RECLAIM and
 * __GFP_KSWAPD_RECLAIM (which replaces __GFP_NO_KSWAPD), __GFP_ATOMIC
 * appears, and __GFP_RECLAIMABLE moves into __GFP_WAIT's old bit.
 */
static const struct bit b44[] = {
	POST44(COLD, B(REPEAT, 0x400)), B(NOACCOUNT, 0x100000),
	B(NOTRACK, 0x200000), B(WRITE, 0x1000000), B(DIRECT_RECLAIM, 0x400000),
	B(KSWAPD_RECLAIM, 0x2000000), B(OTHER_NODE, 0x800000), END
};

/* 4.5 - 4.9: __GFP_ACCOUNT (opt in) replaces __GFP_NOACCOUNT (opt out). */
static const struct bit b45[] = {
	POST44(COLD, B(REPEAT, 0x400)), B(ACCOUNT, 0x100000),
	B(NOTRACK, 0x200000), B(WRITE, 0x1000000), B(DIRECT_RECLAIM, 0x400000),
	B(KSWAPD_RECLAIM, 0x2000000), B(OTHER_NODE, 0x800000), END
};

/* 4.10 - 4.11: __GFP_OTHER_NODE removed, __GFP_WRITE and kswapd move down. */
static const struct bit b410[] = {
	POST44(COLD, B(REPEAT, 0x400)), B(ACCOUNT, 0x100000),
	B(NOTRACK, 0x200000), B(WRITE, 0x800000), B(DIRECT_RECLAIM, 0x400000),
	B(KSWAPD_RECLAIM, 0x1000000), END
};

/*
 * 4.12: __GFP_NOLOCKDEP at 0x2000000. Only CONFIG_LOCKDEP kernels define
 * it, but it moves no other bit, so naming it costs distro kernels
 * nothing. The kernel's own name list never had it.
 */
static const struct bit b412[] = {
	POST44(COLD, B(REPEAT, 0x400)), B(ACCOUNT, 0x100000),
	B(NOTRACK, 0x200000), B(WRITE, 0x800000), B(DIRECT_RECLAIM, 0x400000),
	B(KSWAPD_RECLAIM, 0x1000000), B(NOLOCKDEP, 0x2000000), END
};

/* 4.13 - 4.14: __GFP_REPEAT becomes __GFP_RETRY_MAYFAIL, same bit. */
static const struct bit b413[] = {
	POST44(COLD, B(RETRY_MAYFAIL, 0x400)), B(ACCOUNT, 0x100000),
	B(NOTRACK, 0x200000), B(WRITE, 0x800000), B(DIRECT_RECLAIM, 0x400000),
	B(KSWAPD_RECLAIM, 0x1000000), B(NOLOCKDEP, 0x2000000), END
};

/* 4.15 - 4.17: __GFP_COLD and kmemcheck (__GFP_NOTRACK) removed. */
static const struct bit b415[] = {
	POST44(, B(RETRY_MAYFAIL, 0x400)), B(ACCOUNT, 0x100000),
	B(WRITE, 0x800000), B(DIRECT_RECLAIM, 0x400000),
	B(KSWAPD_RECLAIM, 0x1000000), B(NOLOCKDEP, 0x2000000), END
};

/* 4.18 - 5.0: "save two stranding bit": the holes of 4.10 and 4.15 refilled. */
static const struct bit b418[] = {
	POST44(, B(RETRY_MAYFAIL, 0x400)), B(ACCOUNT, 0x100000),
	B(WRITE, 0x100), B(DIRECT_RECLAIM, 0x200000),
	B(KSWAPD_RECLAIM, 0x400000), B(NOLOCKDEP, 0x800000), END
};

/* The compact order of 5.1 on; each table below adds or drops a bit. */
#define COMPACT(atomic)							\
	ZONES, B(HIGH, 0x20), atomic B(IO, 0x40), B(FS, 0x80),		\
	B(NOWARN, 0x2000), B(RETRY_MAYFAIL, 0x4000), B(NOFAIL, 0x8000),	\
	B(NORETRY, 0x10000), B(COMP, 0x40000), B(ZERO, 0x100),		\
	B(NOMEMALLOC, 0x80000), B(MEMALLOC, 0x20000),			\
	B(HARDWALL, 0x100000), B(THISNODE, 0x200000),			\
	B(RECLAIMABLE, 0x10), B(MOVABLE, 0x08), B(ACCOUNT, 0x400000),	\
	B(WRITE, 0x1000), B(DIRECT_RECLAIM, 0x400), B(KSWAPD_RECLAIM, 0x800)
#define ATOMIC_200	B(ATOMIC, 0x200),

/* 5.1 - 5.13: "mm: shuffle GFP_* flags" packs GFP_KERNEL into 0xcc0. */
static const struct bit b51[] = {
	COMPACT(ATOMIC_200), B(NOLOCKDEP, 0x800000), END
};

/*
 * 5.14 - 5.17: MTE/KASAN: __GFP_ZEROTAGS and __GFP_SKIP_KASAN_POISON,
 * the latter defined on every kernel and part of GFP_HIGHUSER_MOVABLE.
 */
static const struct bit b514[] = {
	COMPACT(ATOMIC_200), B(ZEROTAGS, 0x800000),
	B(SKIP_KASAN_POISON, 0x1000000), B(NOLOCKDEP, 0x2000000), END
};

/*
 * 5.18 - 6.2: the KASAN skip flags exist only with CONFIG_KASAN_HW_TAGS
 * (arm64 MTE), where they are 0x1000000 - 0x4000000. Distro kernels build
 * without it, so they are 0 here; naming them would also keep
 * GFP_HIGHUSER_MOVABLE from matching those kernels' masks.
 */
static const struct bit b518[] = {
	COMPACT(ATOMIC_200), B(ZEROTAGS, 0x800000), B(SKIP_ZERO, 0),
	B(SKIP_KASAN_POISON, 0), B(SKIP_KASAN_UNPOISON, 0),
	B(NOLOCKDEP, 0x8000000), END
};

/* 6.3: "mm: discard __GFP_ATOMIC"; 0x200 stays unused. */
static const struct bit b63[] = {
	COMPACT(), B(ZEROTAGS, 0x800000), B(SKIP_ZERO, 0),
	B(SKIP_KASAN_POISON, 0), B(SKIP_KASAN_UNPOISON, 0),
	B(NOLOCKDEP, 0x8000000), END
};

/* 6.4 - 6.9: one __GFP_SKIP_KASAN (HW_TAGS only, as above); NOLOCKDEP moves. */
static const struct bit b64[] = {
	COMPACT(), B(ZEROTAGS, 0x800000), B(SKIP_ZERO, 0), B(SKIP_KASAN, 0),
	B(NOLOCKDEP, 0x4000000), END
};

/*
 * 6.10 - 6.14: bits are numbered by an enum, so configured-out flags take
 * no bit and the ones after them move down. Distro kernels: no
 * KASAN_HW_TAGS, no LOCKDEP, SLAB_OBJ_EXT (selected by memcg) on, so
 * __GFP_NO_OBJ_EXT is bit 24. (syzbot kernels run lockdep: there
 * __GFP_NOLOCKDEP is bit 24 and __GFP_NO_OBJ_EXT bit 25.)
 */
static const struct bit b610[] = {
	COMPACT(), B(ZEROTAGS, 0x800000), B(SKIP_ZERO, 0), B(SKIP_KASAN, 0),
	B(NOLOCKDEP, 0), B(NO_OBJ_EXT, 0x1000000), END
};

/* 6.15 on: the kernel prints single flags in bit order (TRACE_GFP_FLAGS). */
static const struct bit b615[] = {
	B(DMA, 0x01), B(HIGHMEM, 0x02), B(DMA32, 0x04), B(MOVABLE, 0x08),
	B(RECLAIMABLE, 0x10), B(HIGH, 0x20), B(IO, 0x40), B(FS, 0x80),
	B(ZERO, 0x100), B(DIRECT_RECLAIM, 0x400), B(KSWAPD_RECLAIM, 0x800),
	B(WRITE, 0x1000), B(NOWARN, 0x2000), B(RETRY_MAYFAIL, 0x4000),
	B(NOFAIL, 0x8000), B(NORETRY, 0x10000), B(MEMALLOC, 0x20000),
	B(COMP, 0x40000), B(NOMEMALLOC, 0x80000), B(HARDWALL, 0x100000),
	B(THISNODE, 0x200000), B(ACCOUNT, 0x400000), B(ZEROTAGS, 0x800000),
	B(SKIP_ZERO, 0), B(SKIP_KASAN, 0), B(NOLOCKDEP, 0),
	B(NO_OBJ_EXT, 0x1000000), END
};

/* Contiguous and in release order: every release maps to one layout. */
static const struct mmt_gfp_layout layouts[] = {
	{ V26(20), V26(21), "2.6.20 - 2.6.21", b2620,
	  "first covered: __GFP_DMA32, __GFP_THISNODE, __GFP_NO_GROW" },
	{ V26(22), V26(22), "2.6.22", b2622,
	  "__GFP_NO_GROW removed" },
	{ V26(23), V26(23), "2.6.23", b2623,
	  "__GFP_MOVABLE at 0x80000, GFP_HIGHUSER_MOVABLE" },
	{ V26(24), V26(30), "2.6.24 - 2.6.30", b2624,
	  "__GFP_RECLAIMABLE 0x80000, __GFP_MOVABLE 0x100000, GFP_TEMPORARY" },
	{ V26(31), V26(37), "2.6.31 - 2.6.37", b2631,
	  "__GFP_MOVABLE moves to 0x08, __GFP_NOTRACK (kmemcheck)" },
	{ V26(38), V(3, 1), "2.6.38 - 3.1", b2638,
	  "THP: __GFP_NO_KSWAPD, __GFP_OTHER_NODE, GFP_TRANSHUGE" },
	{ V(3, 2), V(3, 5), "3.2 - 3.5", b32,
	  "__GFP_WRITE at 0x1000000" },
	{ V(3, 6), V(3, 7), "3.6 - 3.7", b36,
	  "__GFP_MEMALLOC at 0x2000 (swap over NFS)" },
	{ V(3, 8), V(3, 15), "3.8 - 3.15", b38,
	  "__GFP_KMEMCG at 0x100000" },
	{ V(3, 16), V(4, 0), "3.16 - 4.0", b36,
	  "__GFP_KMEMCG removed (bits as in 3.6)" },
	{ V(4, 1), V(4, 3), "4.1 - 4.3", b41,
	  "__GFP_NOACCOUNT at 0x100000" },
	{ V(4, 4), V(4, 4), "4.4", b44,
	  "__GFP_WAIT split into __GFP_DIRECT_RECLAIM and "
	  "__GFP_KSWAPD_RECLAIM, __GFP_ATOMIC, bits renumbered" },
	{ V(4, 5), V(4, 7), "4.5 - 4.7", b45,
	  "__GFP_ACCOUNT replaces __GFP_NOACCOUNT, GFP_KERNEL_ACCOUNT" },
	{ V(4, 8), V(4, 9), "4.8 - 4.9", b45,
	  "GFP_TRANSHUGE_LIGHT, GFP_TRANSHUGE without __GFP_NORETRY" },
	{ V(4, 10), V(4, 11), "4.10 - 4.11", b410,
	  "__GFP_OTHER_NODE removed, __GFP_WRITE and "
	  "__GFP_KSWAPD_RECLAIM move down" },
	{ V(4, 12), V(4, 12), "4.12", b412,
	  "__GFP_NOLOCKDEP (lockdep kernels)" },
	{ V(4, 13), V(4, 13), "4.13", b413,
	  "__GFP_REPEAT renamed __GFP_RETRY_MAYFAIL" },
	{ V(4, 14), V(4, 14), "4.14", b413,
	  "GFP_TEMPORARY removed" },
	{ V(4, 15), V(4, 17), "4.15 - 4.17", b415,
	  "__GFP_COLD and __GFP_NOTRACK removed" },
	{ V(4, 18), V(5, 0), "4.18 - 5.0", b418,
	  "stranded bits refilled: __GFP_WRITE 0x100, reclaim "
	  "0x200000/0x400000" },
	{ V(5, 1), V(5, 13), "5.1 - 5.13", b51,
	  "flags shuffled: GFP_KERNEL is 0xcc0" },
	{ V(5, 14), V(5, 17), "5.14 - 5.17", b514,
	  "__GFP_ZEROTAGS, __GFP_SKIP_KASAN_POISON (in GFP_HIGHUSER_MOVABLE)" },
	{ V(5, 18), V(6, 2), "5.18 - 6.2", b518,
	  "KASAN skip flags only with KASAN_HW_TAGS, __GFP_SKIP_ZERO" },
	{ V(6, 3), V(6, 3), "6.3", b63,
	  "__GFP_ATOMIC removed" },
	{ V(6, 4), V(6, 7), "6.4 - 6.7", b64,
	  "__GFP_SKIP_KASAN replaces the two KASAN poison flags" },
	{ V(6, 8), V(6, 9), "6.8 - 6.9", b64,
	  "GFP_NOWAIT includes __GFP_NOWARN" },
	{ V(6, 10), V(6, 14), "6.10 - 6.14", b610,
	  "bits numbered by an enum (config-dependent), __GFP_NO_OBJ_EXT" },
	{ V(6, 15), V_LAST, "6.15 - 6.x", b615,
	  "single flags printed in bit order" },
};

#define NLAYOUTS (sizeof(layouts) / sizeof(layouts[0]))
#define NCOMPOSITES (sizeof(composites) / sizeof(composites[0]))

/* Release key of a kernel release string, or -1 outside 2.6.x and 3+. */
static int release_key(const char *kver)
{
	struct mmt_kver v;

	if (mmt_kver_parse(kver, &v) < 0)
		return -1;
	if (v.major == 2 && v.minor == 6 && v.patch < 1000)
		return V26(v.patch);
	if (v.major >= 3 && v.major < 2000 && v.minor < 1000)
		return V(v.major, v.minor);
	return -1;
}

const struct mmt_gfp_layout *mmt_gfp_layout_for(const char *kver)
{
	int key;
	size_t i;

	if (!kver || !*kver)
		return NULL;
	key = release_key(kver);
	for (i = 0; key >= 0 && i < NLAYOUTS; i++)
		if (key >= layouts[i].first && key <= layouts[i].last)
			return &layouts[i];
	return NULL;
}

const struct mmt_gfp_layout *mmt_gfp_layout_at(size_t i)
{
	return i < NLAYOUTS ? &layouts[i] : NULL;
}

const char *mmt_gfp_layout_range(const struct mmt_gfp_layout *l)
{
	return l ? l->range : NULL;
}

const char *mmt_gfp_layout_change(const struct mmt_gfp_layout *l)
{
	return l ? l->change : NULL;
}

/* The single flag called name[0..len) in layout l, or NULL. */
static const struct bit *find_bit(const struct mmt_gfp_layout *l,
				  const char *name, size_t len)
{
	const struct bit *b;

	for (b = l->bits; b->name; b++)
		if (strlen(b->name) == len && !strncmp(b->name, name, len))
			return b;
	return NULL;
}

static uint64_t bit_value(const struct mmt_gfp_layout *l, const char *name)
{
	const struct bit *b = find_bit(l, name, strlen(name));

	return b ? b->value : 0;
}

/* The mask of composite c in layout l; -1 when a required part is missing. */
static int composite_mask(const struct mmt_gfp_layout *l,
			  const struct composite *c, uint64_t *mask)
{
	const char *p = c->parts;

	*mask = 0;
	while (*p) {
		int optional = *p == '?';
		size_t len;
		const struct bit *b;

		p += optional;
		len = strcspn(p, "|");
		b = find_bit(l, p, len);
		if (b)
			*mask |= b->value;
		else if (!optional)
			return -1;
		p += len;
		p += *p == '|';
	}
	return 0;
}

/* Room kept at the end of out->flags for a "|..." truncation mark. */
#define TAIL 5

struct names_buf {
	char *s;
	size_t size, len;
	int full;
};

static void put_name(struct names_buf *nb, const char *name)
{
	size_t n = strlen(name) + (nb->len ? 1 : 0);

	if (nb->full || nb->len + n + TAIL > nb->size) {
		if (!nb->full)
			snprintf(nb->s + nb->len, nb->size - nb->len, "%s...",
				 nb->len ? "|" : "");
		nb->full = 1;
		return;
	}
	snprintf(nb->s + nb->len, nb->size - nb->len, "%s%s",
		 nb->len ? "|" : "", name);
	nb->len += n;
}

/* Greedy naming as the kernel's format_flags(): composites, singles, hex. */
static void name_mask(const struct mmt_gfp_layout *l, uint64_t mask,
		      char *out, size_t size)
{
	struct names_buf nb = { out, size, 0, 0 };
	uint64_t rest = mask, m;
	const struct bit *b;
	char hex[24];
	size_t i;

	out[0] = '\0';
	if (!mask) {
		put_name(&nb, "none");
		return;
	}
	for (i = 0; i < NCOMPOSITES; i++) {
		const struct composite *c = &composites[i];

		if (l->first < c->first || l->first > c->last)
			continue;
		if (composite_mask(l, c, &m) < 0 || !m || (rest & m) != m)
			continue;
		put_name(&nb, c->name);
		rest &= ~m;
	}
	for (b = l->bits; b->name; b++) {
		if (!b->value || (rest & b->value) != b->value)
			continue;
		put_name(&nb, b->name);
		rest &= ~b->value;
	}
	if (rest) {
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)rest);
		put_name(&nb, hex);
	}
}

int mmt_gfp_decode(uint64_t mask, const char *kver, struct mmt_gfp_decoded *out)
{
	const struct mmt_gfp_layout *l = mmt_gfp_layout_for(kver);
	uint64_t direct;

	memset(out, 0, sizeof(*out));
	out->mask = mask;
	out->context = MMT_GFP_CTX_UNKNOWN;
	if (!l)
		return kver && *kver ? -1 : 0;
	out->layout = l;
	name_mask(l, mask, out->flags, sizeof(out->flags));
	direct = bit_value(l, "__GFP_WAIT") | bit_value(l, "__GFP_DIRECT_RECLAIM");
	out->direct_reclaim = (mask & direct) != 0;
	/* Before 4.4 every allocation woke kswapd unless it said not to. */
	if (find_bit(l, "__GFP_KSWAPD_RECLAIM", strlen("__GFP_KSWAPD_RECLAIM")))
		out->kswapd = (mask & bit_value(l, "__GFP_KSWAPD_RECLAIM")) != 0;
	else
		out->kswapd = !(mask & bit_value(l, "__GFP_NO_KSWAPD"));
	out->io = (mask & bit_value(l, "__GFP_IO")) != 0;
	out->fs = (mask & bit_value(l, "__GFP_FS")) != 0;
	out->nofail = (mask & bit_value(l, "__GFP_NOFAIL")) != 0;
	out->noretry = (mask & bit_value(l, "__GFP_NORETRY")) != 0;
	out->nowarn = (mask & bit_value(l, "__GFP_NOWARN")) != 0;
	out->high = (mask & (bit_value(l, "__GFP_HIGH") |
			     bit_value(l, "__GFP_ATOMIC"))) != 0;
	mmt_gfp_classify(out);
	return 0;
}
