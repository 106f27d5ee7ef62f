/*
 * Slab caches that I/O completion, writeback or swap-out allocate from:
 * the one table the slab analyzer's merge-hazard rule reads
 * (docs/findings/slab.md summarizes it).
 */
#ifndef MMT_SLAB_CRITICAL_H
#define MMT_SLAB_CRITICAL_H

struct mmt_slab_critical {
	const char *pattern;	/* cache name; a trailing '*' matches any suffix */
	const char *path;	/* the I/O path: "block", "scsi", "nfs", "dm", ... */
	const char *reason;	/* who allocates from it, when, and in what context */
};

/* The entry whose pattern matches cache, or NULL. */
const struct mmt_slab_critical *mmt_slab_critical_match(const char *cache);

/* Every entry, ending with { NULL }. */
extern const struct mmt_slab_critical mmt_slab_critical_caches[];

#endif
