/*
 * SLUB's merged caches as /sys/kernel/slab shows them: every cache is a
 * directory of attributes, and every name a subsystem asked for that SLUB
 * merged into another cache is a symlink to that cache ('biovec-16 ->
 * :0000256'). The parser "slab_aliases" reads listings of the directory
 * (`ls -l`, `find -printf '%f -> %l\n'`) and `slabinfo -a`; the two
 * functions below read the directory itself (the live one or a copy), which
 * the ingest driver cannot hand to a parser as a file.
 */
#ifndef MMT_SLAB_ALIASES_H
#define MMT_SLAB_ALIASES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/store.h"

/*
 * Writes one slab_attrs row per cache directory of dir and one slab_aliases
 * row per symlink, for source_id; *records is the number of rows. Symlinks
 * are read, never followed. Returns 0, or -1 with err naming dir.
 */
int mmt_slab_sysfs_ingest(struct mmt_store *st, const char *dir, int64_t source_id,
			  int64_t *records, struct mmt_err *err);

/*
 * True when dir looks like /sys/kernel/slab: a few subdirectories holding
 * object_size, or symlinks to ':'-named caches.
 */
bool mmt_slab_sysfs_dir(const char *dir);

#endif
