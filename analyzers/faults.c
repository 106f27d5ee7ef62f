/*
 * CPUs that stopped making progress (soft and hard lockups, RCU stalls)
 * and reports of kernel bugs (oops, BUG, panic, WARNING, sanitizers),
 * grouped by kind and culprit. A stalled CPU hangs everything that waits
 * for it; a crash explains a hang that follows it.
 */
#include "analyzers/analyzer.h"

#include <stdio.h>
#include <string.h>

#define EVIDENCE_REPORTS 6

static const char sql_faults[] =
	"SELECT id, kind, source_id, line_start, " MMT_REPORT_TS("") ", ifnull(culprit, ''), "
	"title, cpu, "
	"kind || '|' || ifnull(culprit, '') "
	"FROM reports WHERE kind IN ('soft_lockup', 'hard_lockup', 'rcu_stall', 'oops', "
	"'bug', 'panic', 'warning', 'kasan', 'kmsan', 'kcsan', 'ubsan', 'kfence', "
	"'memory_leak') ORDER BY kind, ifnull(culprit, ''), t, id";

enum { C_ID, C_KIND, C_SOURCE, C_LINE, C_T, C_CULPRIT, C_TITLE, C_CPU, C_KEY };

struct fault_kind {
	const char *kind, *noun, *severity, *meaning;
	int score;
};

static const struct fault_kind kinds[] = {
	{ "soft_lockup", "soft lockup", "critical", "A CPU ran kernel code without "
	  "scheduling for longer than the watchdog threshold; tasks waiting for it, "
	  "or for locks it holds, hang with it.", 900 },
	{ "hard_lockup", "hard lockup", "critical", "A CPU stopped taking interrupts.", 950 },
	{ "rcu_stall", "RCU stall", "critical", "A CPU or task kept an RCU grace period "
	  "from ending; synchronize_rcu() callers and memory freed through RCU wait.", 850 },
	{ "oops", "oops", "critical", "The kernel faulted; the task died holding "
	  "whatever locks it held.", 700 },
	{ "bug", "kernel BUG", "critical", "A kernel assertion failed.", 700 },
	{ "panic", "panic", "critical", "The kernel panicked.", 750 },
	{ "warning", "warning", "info", "A kernel WARN fired.", 100 },
	{ "kasan", "KASAN report", "warning", "KASAN found a bad memory access.", 200 },
	{ "kmsan", "KMSAN report", "warning", "KMSAN found a use of uninitialized memory.", 150 },
	{ "kcsan", "KCSAN report", "info", "KCSAN found a data race.", 100 },
	{ "ubsan", "UBSAN report", "info", "UBSAN found undefined behaviour.", 100 },
	{ "kfence", "KFENCE report", "warning", "KFENCE found a bad memory access.", 200 },
	{ "memory_leak", "memory leak", "info", "kmemleak found unreferenced objects.", 100 },
};

struct fault_group {
	const struct fault_kind *k;
	char culprit[160];
	char cpus[128];
};

static const struct fault_kind *kind_of(const char *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].kind, kind))
			return &kinds[i];
	return &kinds[0];
}

static int begin(struct mmt_store *st, sqlite3_stmt *row, struct mmt_group *g,
		 struct mmt_err *err)
{
	struct fault_group *fg = g->ctx;
	struct mmt_finding f;

	memset(fg, 0, sizeof(*fg));
	fg->k = kind_of(mmt_col_text(row, C_KIND));
	snprintf(fg->culprit, sizeof(fg->culprit), "%s", mmt_col_text(row, C_CULPRIT));
	mmt_finding_init(&f, "faults", fg->k->kind, fg->k->severity);
	snprintf(f.title, sizeof(f.title), "%s", fg->k->noun);
	g->finding = mmt_finding_add(st, &f, err);
	return g->finding < 0 ? -1 : 0;
}

static void note_cpu(struct fault_group *fg, int cpu)
{
	char one[16];

	snprintf(one, sizeof(one), "%d", cpu);
	for (const char *p = fg->cpus; (p = strstr(p, one)); p++)
		if ((p == fg->cpus || p[-1] == ' ') && (p[strlen(one)] == ',' ||
							p[strlen(one)] == '\0'))
			return;
	if (strlen(fg->cpus) + strlen(one) + 3 < sizeof(fg->cpus))
		snprintf(fg->cpus + strlen(fg->cpus), sizeof(fg->cpus) - strlen(fg->cpus),
			 "%s%s", fg->cpus[0] ? ", " : "", one);
}

static int add(struct mmt_store *st, sqlite3_stmt *row, struct mmt_group *g,
	       struct mmt_err *err)
{
	struct fault_group *fg = g->ctx;
	int64_t report = sqlite3_column_int64(row, C_ID);

	if (!mmt_col_null(row, C_CPU)) {
		note_cpu(fg, sqlite3_column_int(row, C_CPU));
		if (mmt_finding_subject(st, g->finding, "cpu", sqlite3_column_int(row, C_CPU),
					true, NULL, err) < 0)
			return -1;
	}
	if (mmt_finding_report(st, g->finding, report, err) < 0)
		return -1;
	if (g->count >= EVIDENCE_REPORTS)
		return 0;
	return mmt_finding_line(st, g->finding, g->evidence++,
				sqlite3_column_int64(row, C_SOURCE),
				sqlite3_column_int64(row, C_LINE), report, err);
}

static int end(struct mmt_store *st, sqlite3_stmt *row, struct mmt_group *g,
	       struct mmt_err *err)
{
	struct fault_group *fg = g->ctx;
	struct mmt_finding f;
	int rc;

	(void)row;
	mmt_finding_init(&f, "faults", fg->k->kind, fg->k->severity);
	snprintf(f.title, sizeof(f.title), "%zu %s%s%s%s", g->count, fg->k->noun,
		 g->count > 1 ? "s" : "", fg->culprit[0] ? " in " : "", fg->culprit);
	mmt_sb_adds(&f.summary, fg->k->meaning);
	if (fg->culprit[0])
		mmt_sb_addf(&f.summary, " The stack points at %s.", fg->culprit);
	if (fg->cpus[0])
		mmt_sb_addf(&f.summary, " CPU%s: %s.", strchr(fg->cpus, ',') ? "s" : "",
			    fg->cpus);
	if (g->count > 1) {
		mmt_sb_addf(&f.summary, " Reported %zu times, ", g->count);
		mmt_group_cadence(g, &f.summary);
		mmt_sb_adds(&f.summary, ".");
	}
	f.t_start = g->t_first;
	f.t_end = g->t_last;
	f.has_t = g->has_t;
	f.score = fg->k->score + (int)g->count;
	rc = mmt_finding_complete(st, g->finding, &f, err);
	mmt_finding_free(&f);
	return rc;
}

static int run(struct mmt_store *st, struct mmt_err *err)
{
	struct fault_group fg;

	return mmt_group_rows(st, sql_faults, C_KEY, C_T, begin, add, end, &fg, err);
}

const struct mmt_analyzer mmt_analyzer_faults = {
	.name = "faults",
	.help = "CPU stalls (soft/hard lockups, RCU stalls) and kernel bug reports",
	.run = run,
};
