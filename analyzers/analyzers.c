/*
 * The table of analyzers and the analyze driver: one transaction that
 * clears the findings of an earlier run, runs each analyzer in order (the
 * stack classifier first, as the others read its columns) and writes the
 * diagnosis.
 */
#include "analyzers/analyzer.h"

extern const struct mmt_analyzer mmt_analyzer_stacks;
extern const struct mmt_analyzer mmt_analyzer_waits;
extern const struct mmt_analyzer mmt_analyzer_allocs;
extern const struct mmt_analyzer mmt_analyzer_faults;
extern const struct mmt_analyzer mmt_analyzer_locks;
extern const struct mmt_analyzer mmt_analyzer_reclaim;
extern const struct mmt_analyzer mmt_analyzer_slab;
extern const struct mmt_analyzer mmt_analyzer_writeback;
extern const struct mmt_analyzer mmt_analyzer_ipi;
extern const struct mmt_analyzer mmt_analyzer_diagnosis;

const struct mmt_analyzer *const mmt_analyzers[] = {
	&mmt_analyzer_stacks,
	&mmt_analyzer_waits,
	&mmt_analyzer_allocs,
	&mmt_analyzer_faults,
	&mmt_analyzer_locks,
	&mmt_analyzer_reclaim,
	&mmt_analyzer_slab,
	&mmt_analyzer_writeback,
	&mmt_analyzer_ipi,
	&mmt_analyzer_diagnosis,	/* last: it reads every other finding */
	NULL,
};

static const char sql_clear[] =
	"DELETE FROM diagnosis_findings; DELETE FROM diagnosis; "
	"DELETE FROM diagnosis_alternatives; DELETE FROM diagnosis_missing; "
	"DELETE FROM finding_reports; DELETE FROM finding_evidence; "
	"DELETE FROM finding_subjects; DELETE FROM findings;";

int mmt_analyze(struct mmt_store *st, struct mmt_err *err)
{
	if (mmt_store_begin(st, err) < 0)
		return -1;
	if (mmt_store_exec(st, sql_clear, err) < 0 || mmt_thresholds_store(st, err) < 0)
		goto fail;
	for (size_t i = 0; mmt_analyzers[i]; i++)
		if (mmt_analyzers[i]->run(st, err) < 0)
			goto fail;
	return mmt_store_commit(st, err);
fail:
	mmt_store_rollback(st);
	return -1;
}
