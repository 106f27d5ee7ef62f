/*
 * The tables of the full human report, between the findings and the list
 * of reports: slab caches at the worst moment (tables_slab.c, or
 * tables_oom.c without slab samples), blocked
 * tasks by wait class and allocation failures by GFP context (tables.c).
 * Each is read with a few indexed queries and written, heading and table,
 * only when it has rows. Cells are untrusted text: the format's table
 * operation escapes them.
 */
#ifndef MMT_TABLES_H
#define MMT_TABLES_H

#include "cmd/render/doc.h"

int doc_tables(struct mmt_store *st, const struct rm_model *m, struct doc *d,
	       struct mmt_err *err);

/* Rows of strings, ncol a row, for d->ops->table. */
struct tbl {
	char **cells;
	size_t ncol, n, cap;
};

/* Appends a row of empty cells; set them with tbl_set. */
void tbl_row(struct tbl *t);
void tbl_set(struct tbl *t, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Writes the heading (unless NULL) and the table when rc is 0 and it has
 * rows, frees it and returns rc: the end of every table's function.
 */
int tbl_emit(struct tbl *t, struct doc *d, const char *heading, const char *const *head, int rc);
void tbl_free(struct tbl *t);

/* "1.9 GiB", "411.6 MiB", "512 KiB", "96 B". */
void tables_bytes(double bytes, char *out, size_t n);
/* "2,002,016". */
void tables_count(int64_t v, char *out, size_t n);

#define TABLES_SLAB_ROWS 10		/* slab caches listed */
#define TABLES_PAGE_BYTES 4096.0	/* sysfs and Mem-Info give pages, not their size */

/* The slab table: of samples or sysfs (tables_slab.c), else of OOM reports (tables_oom.c). */
int tables_slab(struct mmt_store *st, const struct rm_model *m, struct doc *d,
		struct mmt_err *err);
int tables_slab_oom(struct mmt_store *st, const struct rm_model *m, struct doc *d,
		    struct mmt_err *err);
/* "1.2%", "<0.1%": part over whole. */
void tables_share(double part, double whole, char *out, size_t n);
/* Whether the machine's SLUB merges are known (a /sys/kernel/slab copy or alias listing). */
int tables_listing(struct mmt_store *st, int64_t machine, bool *listing, struct mmt_err *err);
/*
 * The caches SLUB merged with cache on the machine, with the merged cache's
 * name: "ext4_fc_dentry_update (:a-0000104)", or "none".
 */
int tables_merged_with(struct mmt_store *st, int64_t machine, const char *cache,
		       struct mmt_sb *out, struct mmt_err *err);
/* The same as a list: the merged cache's name (NULL: none) and the other caches in it. */
struct tables_group {
	char *real;
	char **alias;
	size_t n;
};
int tables_merge_group(struct mmt_store *st, int64_t machine, const char *cache,
		       struct tables_group *g, struct mmt_err *err);
void tables_group_free(struct tables_group *g);

/*
 * Each machine's slab data to show (machine 0: the files ingested alone):
 * its longest series, slabinfo before slabtop before crash `kmem -s`, else
 * its largest copy of /sys/kernel/slab. *v is the caller's to free.
 */
struct tables_slab_set {
	int64_t machine;
	int64_t series;		/* a sample of the series, 0 for a sysfs copy */
	char kind[16];		/* the series' snapshot kind, "" for a sysfs copy */
	int64_t samples;	/* in the series; 1 for a sysfs copy */
	int64_t source;		/* the sysfs copy */
	double total;		/* the sysfs copy's bytes */
};
int tables_slab_sets(struct mmt_store *st, struct tables_slab_set **v, size_t *n,
		     struct mmt_err *err);
/*
 * The samples of a machine's series in time order, to step: rows of
 * (snapshot id, ts or NULL, bytes of slab, source id).
 */
sqlite3_stmt *tables_slab_samples(struct mmt_store *st, int64_t machine, const char *kind,
				  int64_t series, struct mmt_err *err);
/* MemTotal in kB as the slab view takes it for the machine; 0 when unknown. */
int tables_memtotal(struct mmt_store *st, int64_t machine, int64_t *kb, struct mmt_err *err);

#endif
