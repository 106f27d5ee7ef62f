/*
 * Ingesting files: walking directories, recognising each file, and writing
 * it into the store as one transaction, so that an error or an interrupt
 * leaves the database exactly as it was before that file. Content already
 * ingested (same SHA-256) is skipped unless forced.
 */
#ifndef MMT_INGEST_H
#define MMT_INGEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"
#include "core/store.h"
#include "parsers/parser.h"

/* What became of a tree (a sosreport, a capture directory): see tree.h. */
struct mmt_tree_summary {
	const char *path;
	const char *kind;		/* 'sosreport', 'capture', 'vmcore' */
	int64_t tree_id;		/* 0 when nothing was written */
	int ingested, duplicates, skipped, failed;
	const char *missing;		/* roles not found, comma-separated; "" when none */
	bool already;			/* every file was already stored: nothing written */
};

struct mmt_ingest_opts {
	const char *as;			/* parser name, or NULL to sniff */
	bool force;			/* re-ingest content already present */
	bool lenient;			/* repair bad bytes instead of refusing */
	const char *kernel;		/* release to assume when a file shows none */
	const char *vmlinux;		/* debug vmlinux of a vmcore's kernel, or NULL */
	/* Set by the tree ingester for the files of a tree: */
	int64_t tree_id;		/* trees.id */
	int64_t page_size;		/* bytes, when the tree records it */
	double tree_time;		/* when the tree was collected (Unix seconds), 0 if unknown */
	void (*warn)(void *ctx, const char *path, long line, const char *msg);
	void (*progress)(void *ctx, const char *path, uint64_t done, uint64_t total);
	void *hook_ctx;
	void (*tree_done)(void *ctx, const struct mmt_tree_summary *s);	/* ctx of the cb */
};

enum mmt_ingest_status {
	MMT_INGESTED,
	MMT_INGEST_DUPLICATE,		/* same content already in the store */
	MMT_INGEST_SKIPPED,		/* not recognised; why says what it looked like */
	MMT_INGEST_FAILED,		/* err says why; the store is unchanged */
	MMT_INGEST_INTERRUPTED,		/* stopped by the user; the store is unchanged */
};

struct mmt_ingest_result {
	enum mmt_ingest_status status;
	const char *kind;		/* parser name */
	const char *format;		/* variant the parser detected */
	int64_t source_id;		/* new source, or the existing one for duplicates */
	int64_t records;
	int64_t reports;
	char why[160];			/* for skipped files */
};

/* Called once per regular file met. err is meaningful for FAILED. */
typedef void (*mmt_ingest_cb)(void *ctx, const char *path,
			      const struct mmt_ingest_result *r,
			      const struct mmt_err *err);

/*
 * Ingests each path (directories are walked in name order). Returns the
 * number of files ingested; *failed counts FAILED files. Stops early when
 * interrupted.
 */
int mmt_ingest_paths(struct mmt_store *st, char *const *paths, int npaths,
		     const struct mmt_ingest_opts *o, mmt_ingest_cb cb, void *ctx,
		     int *failed);

/* Ingests one regular file. */
void mmt_ingest_file(struct mmt_store *st, const char *path,
		     const struct mmt_ingest_opts *o, struct mmt_ingest_result *r,
		     struct mmt_err *err);
/* A /sys/kernel/slab directory or a copy of it (see slab_aliases.h). */
void mmt_ingest_slab_dir(struct mmt_store *st, const char *dir, const char *shown,
			 const struct mmt_ingest_opts *o, struct mmt_ingest_result *r,
			 struct mmt_err *err);
/* "a FIFO", "a character device"...: what a file of that mode is, for messages. */
const char *mmt_file_type(mode_t mode);
/* The same, for a file read at path but known to the user as shown. */
void mmt_ingest_file_as(struct mmt_store *st, const char *path, const char *shown,
			const struct mmt_ingest_opts *o, struct mmt_ingest_result *r,
			struct mmt_err *err);

#endif
