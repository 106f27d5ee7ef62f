/*
 * Named thresholds: each analyzer declares its own table (name, default,
 * unit, meaning); `--set NAME=VALUE` overrides one for a run. Overrides
 * are kept here, process-wide, because a run of analyze is one command.
 */
#include "analyzers/analyzer.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OVERRIDES 64

static struct {
	const struct mmt_threshold *t;
	double value;
} overrides[MAX_OVERRIDES];
static size_t noverrides;

static const struct mmt_threshold *find(const char *name, size_t len,
					const struct mmt_analyzer **owner)
{
	for (size_t i = 0; mmt_analyzers[i]; i++) {
		const struct mmt_threshold *t = mmt_analyzers[i]->thresholds;

		for (; t && t->name; t++)
			if (strlen(t->name) == len && !strncmp(t->name, name, len)) {
				if (owner)
					*owner = mmt_analyzers[i];
				return t;
			}
	}
	return NULL;
}

static const double *override_of(const struct mmt_threshold *t)
{
	for (size_t i = 0; i < noverrides; i++)
		if (overrides[i].t == t)
			return &overrides[i].value;
	return NULL;
}

double mmt_threshold(const char *name)
{
	const struct mmt_threshold *t = find(name, strlen(name), NULL);
	const double *v;

	if (!t)
		abort();
	v = override_of(t);
	return v ? *v : t->value;
}

int mmt_threshold_override(const char *assignment, struct mmt_err *err)
{
	const char *eq = strchr(assignment, '=');
	const struct mmt_threshold *t;
	char *end;
	double v;

	if (!eq || eq == assignment)
		return mmt_err_set(err, "--set wants NAME=VALUE, not '%s'", assignment);
	t = find(assignment, (size_t)(eq - assignment), NULL);
	if (!t)
		return mmt_err_set(err, "no threshold named '%.*s' (see mmtriage analyze "
				   "--thresholds)", (int)(eq - assignment), assignment);
	errno = 0;
	v = strtod(eq + 1, &end);
	if (errno || end == eq + 1 || *end || !isfinite(v) || v < 0)
		return mmt_err_set(err, "threshold %s: '%s' is not a number >= 0", t->name,
				   eq + 1);
	for (size_t i = 0; i < noverrides; i++)
		if (overrides[i].t == t) {
			overrides[i].value = v;
			return 0;
		}
	if (noverrides == MAX_OVERRIDES)
		return mmt_err_set(err, "too many --set options");
	overrides[noverrides].t = t;
	overrides[noverrides++].value = v;
	return 0;
}

void mmt_thresholds_reset(void)
{
	noverrides = 0;
}

static const char sql_threshold[] =
	"INSERT INTO analysis_thresholds (name, analyzer, value, default_value, unit, "
	"overridden, meaning) VALUES (?, ?, ?, ?, ?, ?, ?)";

int mmt_thresholds_store(struct mmt_store *st, struct mmt_err *err)
{
	if (mmt_store_exec(st, "DELETE FROM analysis_thresholds", err) < 0)
		return -1;
	for (size_t i = 0; mmt_analyzers[i]; i++) {
		const struct mmt_threshold *t = mmt_analyzers[i]->thresholds;

		for (; t && t->name; t++) {
			sqlite3_stmt *s = mmt_store_stmt(st, sql_threshold, err);
			const double *v = override_of(t);

			if (!s)
				return -1;
			mmt_bind_text(s, 1, t->name);
			mmt_bind_text(s, 2, mmt_analyzers[i]->name);
			sqlite3_bind_double(s, 3, v ? *v : t->value);
			sqlite3_bind_double(s, 4, t->value);
			mmt_bind_text(s, 5, t->unit);
			mmt_bind_int(s, 6, v != NULL);
			mmt_bind_text(s, 7, t->meaning);
			if (mmt_store_run(st, s, err) < 0)
				return -1;
		}
	}
	return 0;
}

void mmt_thresholds_print(FILE *out)
{
	for (size_t i = 0; mmt_analyzers[i]; i++) {
		const struct mmt_threshold *t = mmt_analyzers[i]->thresholds;

		for (; t && t->name; t++) {
			const double *v = override_of(t);

			fprintf(out, "%-34s %10g %-6s %s%s\n", t->name, v ? *v : t->value,
				t->unit, t->meaning, v ? " (set)" : "");
		}
	}
}
