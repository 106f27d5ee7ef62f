/*
 * The diagnosis, in three parts: scoring the five classes of
 * memory-pressure hang (diagnosis_classes.c), the verdict and its fallbacks
 * (diagnosis.c), and what data would confirm it (diagnosis_missing.c).
 */
#ifndef MMT_DIAGNOSIS_H
#define MMT_DIAGNOSIS_H

#include "analyzers/analyzer.h"

/* A blocked task that is the worker of a loop, nbd, crypt, dm or md device. */
#define MMT_DEVICE_WORKER \
	"t.workqueue GLOB 'loop[0-9]*' OR t.workqueue GLOB 'nbd[0-9]*' OR " \
	"t.workqueue GLOB 'kcryptd*' OR t.workqueue GLOB 'dm-*' OR t.workqueue = 'kblockd' " \
	"OR t.work_func GLOB 'loop_*' OR t.work_func GLOB 'nbd_*' OR " \
	"t.comm GLOB 'loop[0-9]*' OR t.comm GLOB 'nbd[0-9]*' OR t.comm GLOB 'kcryptd*' OR " \
	"t.comm GLOB 'md*_raid*' OR t.comm GLOB 'md*_resync'"

#define MMT_NCLASSES 5
#define MMT_MAX_REASONS 8

extern const char *const mmt_hang_classes[];

struct mmt_class_score {
	const char *cls;
	double confidence;		/* 0 to 1 */
	const char *reasons[MMT_MAX_REASONS];
	size_t nreasons;
	const char *kinds[MMT_MAX_REASONS];	/* space-separated finding kinds per signal */
	size_t nkinds;
};

/* Scores every class; out has MMT_NCLASSES entries, in mmt_hang_classes order. */
int mmt_score_classes(struct mmt_store *st, struct mmt_class_score *out,
		      struct mmt_err *err);
/* The finding kinds a class rests on as an SQL list: "'a', 'b'". */
void mmt_class_kinds_sql(const struct mmt_class_score *c, struct mmt_sb *sb);
/* Writes diagnosis_missing: the data that would confirm or refute hang_class. */
int mmt_diagnose_missing(struct mmt_store *st, const char *hang_class, struct mmt_err *err);

#endif
