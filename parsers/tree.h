/*
 * Trees of files ingested as one unit: sosreports (directories and
 * tarballs), capture directories (docs/capture.md) and crash dumps, whose
 * files are what crash or makedumpfile print of them (vmcore.h). A tree's files are
 * found by their paths, each is ingested as its role says, and what was
 * found, missing, skipped or refused is recorded in tree_files. The whole
 * tree is one transaction (each file a savepoint inside it), so an
 * interrupt leaves the database as it was.
 */
#ifndef MMT_TREE_H
#define MMT_TREE_H

#include <stdbool.h>

#include "parsers/ingest.h"

struct walk_ctx;

/* What `path` is, by a look at its files or name. */
enum mmt_tree_kind {
	MMT_TREE_NONE,
	MMT_TREE_SOSREPORT,
	MMT_TREE_CAPTURE,
	MMT_TREE_ARCHIVE,		/* a tarball, holding one of the above */
	MMT_TREE_VMCORE,		/* a crash dump */
};

enum mmt_tree_kind mmt_tree_detect(const char *path);

/*
 * Ingests the tree at path (a directory or a tarball). Per-file results go
 * to cb; the summary to o->tree_done. Returns the number of files
 * ingested, -1 when the tree as a whole was refused or failed (err says why;
 * nothing was written).
 */
int mmt_ingest_tree(struct mmt_store *st, const char *path, const struct mmt_ingest_opts *o,
		    mmt_ingest_cb cb, void *ctx, struct mmt_err *err);

#endif
