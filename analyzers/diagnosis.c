/*
 * The diagnosis: which hang this is. The five classes of memory-pressure
 * hang are checked first, most specific signals first; then a block
 * device whose own worker is blocked; then what most blocked tasks wait
 * for; then stalled CPUs, OOM kills and crashes. The verdict is a
 * paragraph that says what happened, what it rests on and where to look.
 */
#include "analyzers/diagnosis.h"
#include "analyzers/stackrules.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char sql_insert[] =
	"INSERT INTO diagnosis (id, hang_class, verdict, analyzed_at, confidence) "
	"VALUES (1, ?, ?, ?, ?)";
/* The findings the verdict rests on: those of its class first, then the strongest. */
#define SQL_RANK "INSERT INTO diagnosis_findings (rank, finding_id) " \
	"SELECT row_number() OVER (ORDER BY kind IN (%s) DESC, score DESC, id), id " \
	"FROM findings WHERE severity != 'info' ORDER BY kind IN (%s) DESC, score DESC, id LIMIT 8"
static const char sql_alternative[] =
	"INSERT INTO diagnosis_alternatives (rank, hang_class, confidence, reason) "
	"VALUES (?, ?, ?, ?)";
/*
 * The findings that lead a verdict without blocked tasks: kinds that name a
 * class first (an OOM kill explains a full swap, not the reverse), then the
 * strongest.
 */
static const char sql_top[] =
	"SELECT kind, title, summary, ifnull(confidence, -1) FROM findings "
	"WHERE kind != 'hung_tasks' AND severity != 'info' ORDER BY kind IN ('soft_lockup', "
	"'hard_lockup', 'rcu_stall', 'oom_kill', 'alloc_failure', 'alloc_stall', 'oops', "
	"'bug', 'panic') DESC, score DESC, id LIMIT 2";

/* The stuck_tasks view (schema 007): blocked, and not shown freed later. */
#define BLOCKED_FROM "FROM stuck_tasks t WHERE 1 "

static const char sql_classes[] =
	"SELECT t.wait_class, count(DISTINCT ifnull(t.pid, t.id)), "
	"group_concat(DISTINCT t.wait_site), max(t.blocked_secs), "
	"sum(t.report_kind = 'hung_task') " BLOCKED_FROM
	"GROUP BY t.wait_class ORDER BY 2 DESC, 4 DESC";
/* A block device's worker blocked: loop, nbd, device mapper, md. */
static const char sql_device_worker[] =
	"SELECT t.comm, t.pid, ifnull(t.workqueue, ''), ifnull(t.work_func, ''), "
	"t.wait_class, ifnull(t.wait_site, ''), t.in_reclaim " BLOCKED_FROM
	"AND (" MMT_DEVICE_WORKER ") ORDER BY t.in_reclaim DESC, t.t LIMIT 1";
static const char q_io_waiters[] =
	"SELECT count(DISTINCT ifnull(t.pid, t.id)) " BLOCKED_FROM "AND t.wait_class IN ('writeback_wait', 'journal', 'io_wait', 'page_lock', "
	"'block_request', 'mempool')";

static const struct mmt_threshold diagnosis_thresholds[] = {
	{ "diagnosis.class_min", 0.35, "ratio",
	  "confidence a class of memory-pressure hang needs to be the verdict" },
	{ "diagnosis.alternative_min", 0.2, "ratio",
	  "confidence another class needs to be named as also possible" },
	{ "diagnosis.confident", 0.6, "ratio",
	  "confidence from which the verdict states the class rather than its signs" },
	{ NULL, 0, NULL, NULL },
};

struct verdict {
	const char *hang_class;
	char cls[32];
	struct mmt_sb text;
	double confidence;		/* negative: none */
	const struct mmt_class_score *scored;	/* the scored class it rests on, if any */
};

static int64_t count(struct mmt_store *st, const char *sql)
{
	int64_t n = mmt_store_query_int(st, sql);

	return n < 0 ? 0 : n;
}

/* Each class: its name, the paragraph of a confident verdict, and what its signs are. */
static const char *const verdicts[][3] = {
	{ "reclaim_lock_recursion", "Lock recursion through reclaim: a task holding a "
	  "filesystem lock entered memory reclaim, and reclaim needs that lock (or one "
	  "its holder waits for).", "lock recursion through reclaim" },
	{ "reclaim_livelock", "Reclaim livelock in a restricted allocation context: a "
	  "filesystem keeps retrying an allocation that may not call into filesystem "
	  "reclaim, and nothing else frees memory.", "a reclaim livelock" },
	{ "io_path_deadlock", "Deadlock on the I/O path of the swap device: tasks "
	  "swapping in wait for pages under I/O, while reclaim writing pages out waits "
	  "for the device, which needs memory itself.",
	  "a deadlock on the I/O path of a device that needs memory" },
	{ "slab_starvation", "Reserve starvation on the I/O path: atomic allocations "
	  "of the block layer fail again and again, I/O cannot complete, and "
	  "reclaimers wait in mempool_alloc. Check whether the cache they allocate "
	  "from is merged with others (slab aliases).",
	  "reserve starvation on the I/O path" },
	{ "ipi_hotplug", "CPU hotplug deadlock in the allocator: tasks wait for the "
	  "CPU-hotplug lock while the hotplug operation waits for kernel threads or "
	  "per-CPU drains that cannot run.",
	  "IPI storms and CPU hotplug in the allocator" },
};

/*
 * A confident verdict states the class; a weak one names its signs and says
 * that nothing shows the machine stuck, so that a storm that passed is not
 * read as a hang.
 */
static bool set_class(struct verdict *v, const char *cls, double confidence)
{
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		if (strcmp(verdicts[i][0], cls))
			continue;
		v->hang_class = verdicts[i][0];
		if (confidence >= mmt_threshold("diagnosis.confident"))
			mmt_sb_adds(&v->text, verdicts[i][1]);
		else
			mmt_sb_addf(&v->text, "Signs of %s, but nothing in the input shows "
				    "tasks stuck by it.", verdicts[i][2]);
	}
	return true;
}

/* What to look at next, for the hang class a group of blocked tasks names. */
static const char *advice(const char *cls)
{
	static const struct { const char *cls, *text; } table[] = {
		{ "fs_freeze", "Nothing proceeds until the filesystem is thawed: find what "
		  "froze it (a backup or snapshot tool calling FIFREEZE) or thaw it with "
		  "fsfreeze -u." },
		{ "writeback_wait", "The device under the filesystem is not completing "
		  "writes: look at the device, its driver and the threads that serve it." },
		{ "journal", "The journal cannot commit: look for the commit thread (jbd2, "
		  "xfsaild) and what it waits for, usually I/O." },
		{ "page_lock", "Pages stay locked because the I/O on them does not complete." },
		{ "io_wait", "Synchronous I/O does not complete: look at the device." },
		{ "block_request", "The block device has no free request slots: requests "
		  "in flight are not completing." },
		{ "mempool", "Reserved elements are not coming back: whatever holds them "
		  "waits for I/O or memory." },
		{ "direct_reclaim", "Tasks are stuck reclaiming memory themselves." },
		{ "reclaim_throttle", "Reclaim is throttled waiting for writeback progress." },
		{ "dirty_throttle", "Writers are throttled because dirty pages are not "
		  "written back fast enough." },
		{ "cpu_hotplug", "A CPU hotplug operation holds the hotplug lock." },
		{ "rcu", "An RCU grace period is not ending: look for a stalled CPU." },
		{ "mutex", "Look for the task holding the mutex (lock owner hints, lockdep "
		  "held locks)." },
		{ "rwsem", "Look for the task holding the semaphore (lock owner hints, "
		  "lockdep held locks)." },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].cls, cls))
			return table[i].text;
	return "";
}

/*
 * A virtual block device whose own worker is blocked takes all I/O on it
 * down. When the worker is blocked on memory (in reclaim, in a mempool), the
 * device needs memory to free memory: the I/O-path deadlock. With
 * memory_only, only that case is taken.
 */
static int device_worker(struct mmt_store *st, struct verdict *v, bool memory_only,
			 struct mmt_err *err)
{
	int64_t waiters = count(st, q_io_waiters);
	sqlite3_stmt *q;
	int rc;

	if (waiters == 0 && !memory_only)
		return 0;
	q = mmt_store_prepare(st, sql_device_worker, err);
	if (!q)
		return -1;
	rc = mmt_store_step(st, q, err);
	if (rc > 0 && memory_only && !sqlite3_column_int(q, 6) &&
	    strcmp(mmt_col_text(q, 4), "mempool"))
		rc = 0;
	if (rc > 0) {
		const char *wq = mmt_col_text(q, 2);
		bool memory = sqlite3_column_int(q, 6) || !strcmp(mmt_col_text(q, 4), "mempool");

		v->hang_class = memory ? "io_path_deadlock" : "io_path_stall";
		mmt_sb_addf(&v->text, "I/O to a %sblock device does not complete because the "
			    "device's own worker is blocked: %s:%lld%s%s%s %s at %s%s. %lld "
			    "task%s wait%s on that I/O.", memory ? "virtual " : "",
			    mmt_col_text(q, 0), (long long)sqlite3_column_int64(q, 1),
			    wq[0] ? " (workqueue " : "", wq, wq[0] ? ")" : "",
			    stackrules_class_meaning(mmt_col_text(q, 4)), mmt_col_text(q, 5),
			    sqlite3_column_int(q, 6) ? ", inside memory reclaim: the device "
			    "needs memory to free memory" : "",
			    (long long)waiters, waiters > 1 ? "s" : "", waiters > 1 ? "" : "s");
	}
	sqlite3_finalize(q);
	return rc < 0 ? -1 : rc;
}

/* Sites as SQLite's group_concat joined them, with a space after each comma. */
static void add_sites(struct mmt_sb *sb, const char *sites)
{
	for (; *sites; sites++) {
		mmt_sb_addc(sb, *sites);
		if (*sites == ',')
			mmt_sb_addc(sb, ' ');
	}
}

static void lead_class(struct verdict *v, sqlite3_stmt *q)
{
	const char *cls = mmt_col_text(q, 0);
	int64_t tasks = sqlite3_column_int64(q, 1);

	snprintf(v->cls, sizeof(v->cls), "%s", cls);
	v->hang_class = v->cls;
	/*
	 * The hung-task detector's reports mean tasks stayed blocked; a SysRq
	 * dump alone may catch a moment. More tasks on one wait, more certainty.
	 */
	v->confidence = (sqlite3_column_int64(q, 4) > 0 ? 0.6 : 0.4) +
			0.05 * (double)(tasks < 6 ? tasks : 6);
	mmt_sb_addf(&v->text, "%lld task%s blocked: %s %s, at ", (long long)tasks,
		    tasks > 1 ? "s are" : " is", tasks > 1 ? "each" : "it",
		    stackrules_class_meaning(cls));
	add_sites(&v->text, mmt_col_text(q, 2));
	mmt_sb_adds(&v->text, ".");
	if (!mmt_col_null(q, 3))
		mmt_sb_addf(&v->text, " The longest was reported blocked for more than "
			    "%lld s.", (long long)sqlite3_column_int64(q, 3));
	if (advice(cls)[0])
		mmt_sb_addf(&v->text, " %s", advice(cls));
}

/*
 * "7 tasks are blocked: each waits for ... Advice." when blocked tasks
 * lead the verdict, else (or for the other classes) "Blocked tasks: 3 in
 * writeback_wait (at ...); 3 in journal (at ...)."
 */
static int blocked_tasks(struct mmt_store *st, struct verdict *v, bool lead,
			 struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_classes, err);
	int rc, n = 0, listed = 0;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		if (n++ == 0 && lead) {
			lead_class(v, q);
			continue;
		}
		mmt_sb_addf(&v->text, "%s%lld in %s (at ", listed++ ? "; " :
			    lead ? " Also blocked: " : " Blocked tasks: ",
			    (long long)sqlite3_column_int64(q, 1), mmt_col_text(q, 0));
		add_sites(&v->text, mmt_col_text(q, 2));
		mmt_sb_adds(&v->text, ")");
	}
	if (listed)
		mmt_sb_adds(&v->text, ".");
	sqlite3_finalize(q);
	return rc < 0 ? -1 : n;
}

/* Stalls, OOM kills and crashes, when no task was reported blocked. */
static int other_findings(struct mmt_store *st, struct verdict *v, bool lead,
			  struct mmt_err *err)
{
	/* How sure a lone report of each kind makes the class. */
	static const struct { const char *kind, *cls; double confidence; } classes[] = {
		{ "soft_lockup", "cpu_stall", 0.8 }, { "hard_lockup", "cpu_stall", 0.8 },
		{ "rcu_stall", "cpu_stall", 0.7 }, { "oom_kill", "oom", 0.7 },
		{ "alloc_failure", "alloc_failure", 0.5 }, { "alloc_stall", "alloc_stall", 0.5 },
		{ "oops", "crash", 0.9 }, { "bug", "crash", 0.9 }, { "panic", "crash", 0.9 },
	};
	sqlite3_stmt *q = mmt_store_prepare(st, sql_top, err);
	int rc, n = 0;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		const char *kind = mmt_col_text(q, 0);

		/* The finding the verdict already quotes (a deadlock's). */
		if (!lead && v->hang_class && !strcmp(kind, v->hang_class))
			continue;
		if (n == 0 && lead) {
			for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
				if (!strcmp(classes[i].kind, kind)) {
					v->hang_class = classes[i].cls;
					v->confidence = classes[i].confidence;
				}
			mmt_sb_addf(&v->text, "%s. %s", mmt_col_text(q, 1), mmt_col_text(q, 2));
		} else {
			mmt_sb_addf(&v->text, " Also: %s.", mmt_col_text(q, 1));
		}
		n++;
	}
	sqlite3_finalize(q);
	return rc < 0 ? -1 : n;
}

/* The findings the verdict rests on, those of its scored class first. */
static int rank_findings(struct mmt_store *st, const struct verdict *v, struct mmt_err *err)
{
	struct mmt_sb kinds = MMT_SB_INIT, sql = MMT_SB_INIT;
	int rc;

	if (v->scored)
		mmt_class_kinds_sql(v->scored, &kinds);
	else
		mmt_sb_adds(&kinds, "''");
	mmt_sb_addf(&sql, SQL_RANK, mmt_sb_str(&kinds), mmt_sb_str(&kinds));
	rc = mmt_store_exec(st, mmt_sb_str(&sql), err);
	mmt_sb_free(&kinds);
	mmt_sb_free(&sql);
	return rc;
}

static int store(struct mmt_store *st, const struct verdict *v, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_insert, err);
	char now[32];
	time_t t = time(NULL);

	if (!s)
		return -1;
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	mmt_bind_text(s, 1, v->hang_class);
	mmt_bind_text(s, 2, mmt_sb_str(&v->text));
	mmt_bind_text(s, 3, now);
	mmt_bind_double_opt(s, 4, v->confidence, v->hang_class && v->confidence >= 0);
	if (mmt_store_run(st, s, err) < 0 || rank_findings(st, v, err) < 0)
		return -1;
	return mmt_diagnose_missing(st, v->hang_class, err);
}

/* "It rests on: a; b." from the signals that held. */
static void add_reasons(struct mmt_sb *sb, const struct mmt_class_score *c)
{
	for (size_t i = 0; i < c->nreasons; i++)
		mmt_sb_addf(sb, "%s%s", i ? "; " : "", c->reasons[i]);
}

/* The strongest scored class, if it reaches diagnosis.class_min. */
static const struct mmt_class_score *strongest(const struct mmt_class_score *scores)
{
	const struct mmt_class_score *best = NULL;

	for (size_t i = 0; i < MMT_NCLASSES; i++)
		if (!best || scores[i].confidence > best->confidence)
			best = &scores[i];
	return best && best->confidence >= mmt_threshold("diagnosis.class_min") &&
	       best->confidence > 0 ? best : NULL;
}

static int store_alternatives(struct mmt_store *st, const struct mmt_class_score *scores,
			      const struct verdict *v, struct mmt_err *err)
{
	int rank = 0;

	for (size_t i = 0; i < MMT_NCLASSES; i++) {
		const struct mmt_class_score *c = &scores[i];
		struct mmt_sb why = MMT_SB_INIT;
		sqlite3_stmt *s;
		int rc;

		if ((v->hang_class && !strcmp(c->cls, v->hang_class)) ||
		    c->confidence < mmt_threshold("diagnosis.alternative_min") ||
		    c->confidence <= 0)
			continue;
		if (!(s = mmt_store_stmt(st, sql_alternative, err)))
			return -1;
		add_reasons(&why, c);
		mmt_bind_int(s, 1, ++rank);
		mmt_bind_text(s, 2, c->cls);
		sqlite3_bind_double(s, 3, c->confidence);
		mmt_bind_text(s, 4, mmt_sb_str(&why));
		rc = mmt_store_run(st, s, err);
		mmt_sb_free(&why);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * A scored class leads: its paragraph, what it rests on, and for the
 * I/O-path deadlock the device worker that closes the loop.
 */
static int lead_scored(struct mmt_store *st, struct verdict *v,
		       const struct mmt_class_score *best, struct mmt_err *err)
{
	int rc = 0;

	if (!strcmp(best->cls, "io_path_deadlock"))
		rc = device_worker(st, v, true, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		set_class(v, best->cls, best->confidence);
	v->scored = best;
	v->confidence = best->confidence;
	mmt_sb_adds(&v->text, " It rests on: ");
	add_reasons(&v->text, best);
	mmt_sb_adds(&v->text, ".");
	return 0;
}

static const char sql_deadlock[] =
	"SELECT title, summary, ifnull(confidence, 0.9) FROM findings WHERE kind = 'deadlock' "
	"AND severity = 'critical' ORDER BY confidence DESC, score DESC, id LIMIT 1";

/*
 * A lock cycle among the blocked tasks, when no memory class explains them:
 * the cycle is the hang, and its tasks' wait class (mutex, rwsem) only how
 * it shows. Returns 1 when it leads the verdict.
 */
static int deadlock_lead(struct mmt_store *st, struct verdict *v, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_deadlock, err);
	int rc;

	if (!q)
		return -1;
	if ((rc = mmt_store_step(st, q, err)) > 0) {
		v->hang_class = "deadlock";
		v->confidence = sqlite3_column_double(q, 2);
		mmt_sb_addf(&v->text, "A deadlock. %s", mmt_col_text(q, 1));
	}
	sqlite3_finalize(q);
	return rc;
}

static const char sql_released[] =
	"SELECT count(DISTINCT pid), group_concat(DISTINCT wait_class), "
	"group_concat(DISTINCT wait_site), max(blocked_secs) FROM released_tasks";

/*
 * Tasks the log reported blocked and the dump shows free: said, so that a
 * reader who sees them in the findings knows why the verdict passes them.
 * Returns how many.
 */
static int released(struct mmt_store *st, struct verdict *v, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_released, err);
	int rc, n = 0;

	if (!q)
		return -1;
	rc = mmt_store_step(st, q, err);
	if (rc > 0 && (n = sqlite3_column_int(q, 0)) > 0) {
		mmt_sb_addf(&v->text, "%s%d task%s reported blocked in %s (at ", v->text.len ? " " : "",
			    n, n > 1 ? "s" : "", mmt_col_text(q, 1));
		add_sites(&v->text, mmt_col_text(q, 2));
		mmt_sb_adds(&v->text, ")");
		if (!mmt_col_null(q, 3))
			mmt_sb_addf(&v->text, " for more than %lld s",
				    (long long)sqlite3_column_int64(q, 3));
		mmt_sb_addf(&v->text, " %s no longer blocked in the crash dump taken later: "
			    "ended, or in another state.", n > 1 ? "are" : "is");
	}
	sqlite3_finalize(q);
	return rc < 0 ? -1 : n;
}

static int mmt_diagnose(struct mmt_store *st, struct mmt_err *err)
{
	struct mmt_class_score scores[MMT_NCLASSES];
	struct verdict v = { NULL, "", MMT_SB_INIT, -1, NULL };
	const struct mmt_class_score *best;
	int rc = 0, blocked, others, freed = 0;
	bool lead;

	if (mmt_score_classes(st, scores, err) < 0)
		return -1;
	best = strongest(scores);
	lead = best == NULL;
	if (best)
		rc = lead_scored(st, &v, best, err);
	else if ((rc = device_worker(st, &v, false, err)) > 0) {
		lead = false;
		v.confidence = 0.7;
	} else if (rc == 0 && (rc = deadlock_lead(st, &v, err)) > 0) {
		lead = false;
	}
	if (rc >= 0 && (blocked = blocked_tasks(st, &v, lead, err)) >= 0 &&
	    (others = other_findings(st, &v, lead && blocked == 0, err)) >= 0 &&
	    (freed = released(st, &v, err)) >= 0) {
		if (blocked == 0 && others == 0 && freed == 0 && lead)
			mmt_sb_adds(&v.text, "Nothing in the input points to a hang: no "
				    "blocked tasks, stalls, allocation failures, OOM kills, "
				    "crashes, or abnormal reclaim, writeback or IPIs.");
		rc = store(st, &v, err) < 0 || store_alternatives(st, scores, &v, err) < 0 ? -1 : 0;
	} else {
		rc = -1;
	}
	mmt_sb_free(&v.text);
	return rc;
}

const struct mmt_analyzer mmt_analyzer_diagnosis = {
	"diagnosis", "name the class of hang, how sure, and what data would confirm it",
	mmt_diagnose, diagnosis_thresholds,
};
