/*
 * GFP masks across kernel versions. Masks printed with names are taken as
 * printed; bare masks ("mode:0x8250") are decoded with the bit layout of
 * the kernel release that printed them. One table per layout, each with
 * the release range it covers, from 2.6.2x to 6.x.
 */
#ifndef MMT_GFP_H
#define MMT_GFP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an allocation may do to find memory, which is what a diagnosis needs. */
enum mmt_gfp_context {
	MMT_GFP_CTX_UNKNOWN = 0,	/* mask not decodable (no layout, no names) */
	MMT_GFP_CTX_ATOMIC,	/* no direct reclaim, may dip into reserves */
	MMT_GFP_CTX_NOWAIT,	/* no direct reclaim, no reserves */
	MMT_GFP_CTX_NOIO,	/* direct reclaim without starting I/O */
	MMT_GFP_CTX_NOFS,	/* direct reclaim without calling into filesystems */
	MMT_GFP_CTX_FULL,	/* full direct reclaim (I/O and filesystems) */
};

struct mmt_gfp_layout;		/* opaque: one bit layout */

struct mmt_gfp_decoded {
	uint64_t mask;
	const struct mmt_gfp_layout *layout;	/* NULL when names were taken as printed or unknown */
	char flags[512];	/* "GFP_NOFS|__GFP_NOWARN|__GFP_COMP"; "" when unknown */
	enum mmt_gfp_context context;
	bool direct_reclaim;	/* may enter direct reclaim (__GFP_WAIT / __GFP_DIRECT_RECLAIM) */
	bool kswapd;		/* wakes kswapd (always before 4.4, __GFP_KSWAPD_RECLAIM after) */
	bool io;		/* __GFP_IO */
	bool fs;		/* __GFP_FS */
	bool nofail;		/* __GFP_NOFAIL */
	bool noretry;		/* __GFP_NORETRY */
	bool nowarn;		/* __GFP_NOWARN */
	bool high;		/* __GFP_HIGH or __GFP_ATOMIC: may use reserves */
	bool known;		/* false when the context could not be determined */
};

/*
 * Decodes a bare mask with the layout covering kernel release kver
 * ("3.13.0-24-generic", "6.1.0-50-cloud-amd64"). With kver NULL, empty or
 * not covered, out->known is false and out->flags empty. Returns 0, or -1
 * when kver is given but not covered by any table.
 */
int mmt_gfp_decode(uint64_t mask, const char *kver, struct mmt_gfp_decoded *out);

/*
 * Takes a mask printed with names, e.g. mask 0x6000c0 with names
 * "GFP_KERNEL" or "GFP_NOFS|__GFP_NOWARN|__GFP_COMP", and derives the
 * context from the names alone. Returns 0, or -1 when no name is known.
 */
int mmt_gfp_from_names(uint64_t mask, const char *names, struct mmt_gfp_decoded *out);

const char *mmt_gfp_context_name(enum mmt_gfp_context ctx);	/* "atomic", "nofs", ..., NULL for unknown */

/*
 * Sets out->context and out->known from the booleans already in out
 * (direct_reclaim, io, fs, high): the one place the context rules live,
 * shared by both decoders and by callers that learn the flags otherwise.
 */
void mmt_gfp_classify(struct mmt_gfp_decoded *out);

/*
 * For a mask of a kernel no layout covers, from a caller that knows the
 * allocation may reclaim (a retry loop, a stall): the context from
 * __GFP_IO and __GFP_FS alone, the two bits every layout kept. No names.
 */
void mmt_gfp_decode_io_fs(uint64_t mask, struct mmt_gfp_decoded *out);

/* For `mmtriage gfp --layouts`: the i-th layout's range, NULL past the end. */
const struct mmt_gfp_layout *mmt_gfp_layout_at(size_t i);
const char *mmt_gfp_layout_range(const struct mmt_gfp_layout *l);	/* "2.6.24 - 2.6.25" */
/* The kernel change that started layout l ("__GFP_WAIT split into ..."). */
const char *mmt_gfp_layout_change(const struct mmt_gfp_layout *l);
const struct mmt_gfp_layout *mmt_gfp_layout_for(const char *kver);

#endif
