/*
 * Tests of the state machine of `replay --at` (analyzers/replay_*.c) on real
 * traces: the trace.dat files of tests/data/trace and tests/data/replay,
 * the text traces of tests/data/trace_text, perf script of
 * tests/data/perf_script, and corpus traces with kswapd, direct reclaim
 * and compaction (skipped when ../shared/corpus is absent).
 *
 * Every expected value is computed independently in SQL over the trace's
 * own tables at each time T: what each CPU runs is what the last event of
 * that CPU at or before T says (a sched_switch's next_pid, else the task
 * the event ran in), a task's state is what its last switch-out says when
 * nothing touched it since, reclaim is in progress between a begin and its
 * end, IPIs are counted by time. The answers must be the same with
 * checkpoints every few events and without any.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/replay_state.h"
#include "core/store.h"
#include "klog_fixture.h"

/* Times probed per trace: evenly spread over it. */
#define PROBES 24

/* The stateful event views and the column that names the CPU's current task. */
static const char *const stateful[][2] = {
	{ "sched_switch", "next_pid" }, { "sched_wakeup", "common_pid" },
	{ "sched_wakeup_new", "common_pid" }, { "sched_waking", "common_pid" },
	{ "sched_process_exit", "common_pid" }, { "sched_process_fork", "common_pid" },
	{ "task_rename", "common_pid" },
	{ "mm_vmscan_direct_reclaim_begin", "common_pid" },
	{ "mm_vmscan_direct_reclaim_end", "common_pid" },
	{ "mm_vmscan_memcg_reclaim_begin", "common_pid" },
	{ "mm_vmscan_memcg_reclaim_end", "common_pid" },
	{ "mm_compaction_begin", "common_pid" }, { "mm_compaction_end", "common_pid" },
	{ "mm_vmscan_kswapd_wake", "common_pid" }, { "mm_vmscan_kswapd_sleep", "common_pid" },
	{ "block_rq_issue", "common_pid" }, { "block_rq_complete", "common_pid" },
	{ "block_rq_requeue", "common_pid" },
	{ "writeback_start", "common_pid" }, { "writeback_written", "common_pid" },
};

/* The committed traces, by folder and file. */
static const char *const traces[][2] = {
	{ "trace", "mem-v7.dat" }, { "trace", "stack-v7.dat" }, { "trace", "inst-v7.dat" },
	{ "replay", "tasks-v7.dat" },
	{ "trace_text", "trace-irqinfo.txt" }, { "trace_text", "trace-noirqinfo.txt" },
	{ "trace_text", "trace-tgid.txt" }, { "trace_text", "trace_pipe.txt" },
	{ "trace_text", "report.txt" }, { "trace_text", "report-instances.txt" },
	{ "perf_script", "tracepoints.txt" }, { "perf_script", "tracepoints-plugins.txt" },
	{ "samples/trace-memcg-reclaim", "trace.dat" },
};

struct rfx {
	struct kfx fx;
	struct mmt_replay_source src;
	struct mmt_err err;
};

/* tests/data/DIR/FILE, or samples/NAME/FILE for DIR "samples/NAME". */
static void open_trace(struct rfx *f, const char *dir, const char *file)
{
	struct mmt_replay_source *v;
	size_t n;
	int64_t id = strncmp(dir, "samples/", 8) ? kfx_open_data(&f->fx, dir, file)
						  : kfx_open_sample(&f->fx, dir + 8, file);

	assert_int_equal(mmt_replay_sources(f->fx.st, id, &v, &n, &f->err), 0);
	assert_int_equal(n, 1);
	f->src = v[0];
	free(v);
}

static void open_corpus(struct rfx *f, const char *rel)
{
	struct mmt_replay_source *v;
	size_t n;
	int64_t id = kfx_open_corpus(&f->fx, rel);

	assert_int_equal(mmt_replay_sources(f->fx.st, id, &v, &n, &f->err), 0);
	assert_int_equal(n, 1);
	f->src = v[0];
	free(v);
}

static void build(struct rfx *f, int64_t every)
{
	if (mmt_replay_build(f->fx.st, &f->src, every, &f->err) < 0)
		fail_msg("build: %s", f->err.msg);
	assert_int_equal(mmt_replay_built(f->fx.st, f->src.id, &f->err), 1);
}

static void at(struct rfx *f, int64_t t_ns, bool checkpoints, struct mmt_replay_state *s)
{
	if (mmt_replay_at(f->fx.st, &f->src, t_ns, checkpoints, s, &f->err) < 0)
		fail_msg("at %" PRId64 ": %s", t_ns, f->err.msg);
}

/* The i-th of PROBES times, from just after the first event to the last. */
static int64_t probe(const struct rfx *f, int i)
{
	return f->src.first_ns + (f->src.last_ns - f->src.first_ns) * (i + 1) / PROBES;
}

static bool has_view(struct rfx *f, const char *view)
{
	return kfx_qint(&f->fx, "SELECT count(*) FROM trace_types WHERE view = %Q", view) > 0;
}

/* sql into the indexed temporary table name; returns "SELECT * FROM name". */
static char *materialize(struct rfx *f, const char *name, char *sql, const char *index)
{
	char *ddl = sqlite3_mprintf("DROP TABLE IF EXISTS temp.%s; CREATE TEMP TABLE %s AS %s; "
				    "CREATE INDEX temp.%s_i ON %s(%s)", name, name, sql, name,
				    name, index);

	if (mmt_store_exec(f->fx.st, ddl, &f->err) < 0)
		fail_msg("%s: %s", name, f->err.msg);
	sqlite3_free(ddl);
	sqlite3_free(sql);
	return sqlite3_mprintf("SELECT * FROM %s", name);
}

/*
 * The stateful events of the trace, one row each: id, ts_ns, cpu, the task
 * the event shows its CPU running (cur: a switch's next_pid, else
 * common_pid), common_pid, the view.
 */
static char *stateful_union(struct rfx *f)
{
	char *sql = sqlite3_mprintf("");

	for (size_t i = 0; i < sizeof(stateful) / sizeof(stateful[0]); i++) {
		char *more;

		if (!has_view(f, stateful[i][0]))
			continue;
		more = sqlite3_mprintf("%s%sSELECT id, ts_ns, common_cpu AS cpu, %s AS cur, "
				       "common_pid AS pid, '%s' AS v FROM %s WHERE source = %lld",
				       sql, sql[0] ? " UNION ALL " : "", stateful[i][1],
				       stateful[i][0], stateful[i][0], (long long)f->src.id);
		sqlite3_free(sql);
		sql = more;
	}
	sql = materialize(f, "u", sql, "cpu, id");
	if (mmt_store_exec(f->fx.st, "CREATE INDEX temp.u_cur ON u(cur, id)", &f->err) < 0)
		fail_msg("u: %s", f->err.msg);
	return sql;
}

/* What the SQL says CPU cpu runs at t: -2 when the trace never shows the CPU switching. */
static int64_t sql_current(struct rfx *f, const char *u, int cpu, int64_t t, char *comm,
			   size_t n)
{
	int64_t switches = kfx_qint(&f->fx, "SELECT count(*) FROM sched_switch WHERE source = "
				    "%lld AND common_cpu = %d AND ts_ns <= %lld",
				    (long long)f->src.id, cpu, (long long)t);

	comm[0] = 0;
	if (kfx_qint(&f->fx, "SELECT count(*) FROM sched_switch WHERE source = %lld AND "
		     "common_cpu = %d", (long long)f->src.id, cpu) == 0)
		return -2;
	/* Nothing of the CPU yet: its buffer starts later than the trace. */
	if (kfx_qint(&f->fx, "SELECT count(*) FROM (%s) WHERE cpu = %d AND ts_ns <= %lld", u, cpu,
		     (long long)t) == 0)
		return -1;
	if (switches == 0)
		return kfx_qint(&f->fx, "SELECT prev_pid FROM sched_switch WHERE source = %lld "
				"AND common_cpu = %d ORDER BY id LIMIT 1",
				(long long)f->src.id, cpu);
	kfx_qtext(&f->fx, comm, n, "SELECT CASE WHEN v = 'sched_switch' THEN (SELECT next_comm "
		  "FROM sched_switch s WHERE s.id = u.id) ELSE '' END FROM (%s) u WHERE cpu = %d "
		  "AND ts_ns <= %lld ORDER BY id DESC LIMIT 1", u, cpu, (long long)t);
	return kfx_qint(&f->fx, "SELECT cur FROM (%s) WHERE cpu = %d AND ts_ns <= %lld "
			"ORDER BY id DESC LIMIT 1", u, cpu, (long long)t);
}

/* The tasks the machine says run are exactly those its CPUs run, each on its own CPU. */
static void check_running_on_cpus(const struct mmt_replay_state *s)
{
	const struct mmt_rtask *t = s->tasks.v;
	const struct mmt_rcpu *c = s->cpus.v;
	size_t running = 0, busy = 0;

	for (size_t i = 0; i < s->tasks.n; i++) {
		if (t[i].state != MMT_RT_RUNNING)
			continue;
		running++;
		assert_true(t[i].cpu >= 0 && (size_t)t[i].cpu < s->cpus.n);
		assert_int_equal(c[t[i].cpu].pid, t[i].pid);
	}
	for (size_t i = 0; i < s->cpus.n; i++) {
		struct mmt_rtask *on = c[i].pid > 0 ? mmt_replay_task((struct mmt_replay_state *)s,
								       c[i].pid) : NULL;

		if (c[i].pid > 0)
			assert_non_null(on);
		busy += on && on->state != MMT_RT_GONE;
	}
	assert_int_equal(running, busy);
}

/* Per CPU at each probe: the machine's current task and its name against the SQL's. */
static int check_cpus(struct rfx *f)
{
	char *u = stateful_union(f);
	int checked = 0;
	int ncpus = (int)kfx_qint(&f->fx, "SELECT ifnull(max(common_cpu), -1) + 1 FROM "
				  "sched_switch WHERE source = %lld", (long long)f->src.id);

	for (int i = 0; i < PROBES; i++) {
		struct mmt_replay_state s;

		at(f, probe(f, i), true, &s);
		for (int cpu = 0; cpu < ncpus; cpu++) {
			char comm[64], name[64];
			int64_t want = sql_current(f, u, cpu, probe(f, i), comm, sizeof(comm));
			const struct mmt_rcpu *c = (size_t)cpu < s.cpus.n ?
						   (struct mmt_rcpu *)s.cpus.v + cpu : NULL;

			int32_t pid = c ? c->pid : -1;

			if (want == -2)
				continue;
			if (pid != want)
				fail_msg("%s at %" PRId64 ": CPU %d runs %d, SQL says %" PRId64,
					 f->src.path, probe(f, i), cpu, pid, want);
			if (comm[0] && want > 0) {
				assert_true(mmt_replay_task_name(f->fx.st, f->src.id, pid,
								 probe(f, i), name, sizeof(name)));
				assert_string_equal(name, comm);
			}
			checked++;
		}
		check_running_on_cpus(&s);
		mmt_replay_state_free(&s);
	}
	sqlite3_free(u);
	return checked;
}

static void test_cpus_run_what_the_last_event_says(void **state)
{
	int checked = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		struct rfx f = { 0 };

		open_trace(&f, traces[i][0], traces[i][1]);
		build(&f, 0);
		if (has_view(&f, "sched_switch"))
			checked += check_cpus(&f);
		kfx_close(&f.fx);
	}
	assert_true(checked > 400);
}

/* The state a switch-out's prev_state means, as mmt_replay_state_name names it. */
static const char sql_expected_state[] =
	"CASE WHEN typeof(prev_state) = 'integer' THEN CASE "
	"WHEN prev_state & 255 = 0 THEN 'runnable' WHEN prev_state & 2 THEN 'D' "
	"WHEN prev_state & 1 THEN 'S' WHEN prev_state & 255 = 32 THEN 'Z' "
	"WHEN prev_state & 255 = 128 THEN 'I' WHEN prev_state & 255 = 16 THEN 'X' ELSE '?' END "
	"WHEN prev_state LIKE 'R%' THEN 'runnable' WHEN prev_state LIKE 'S%' THEN 'S' "
	"WHEN prev_state LIKE 'D%' THEN 'D' ELSE prev_state END";

/* The id, ts_ns and pid of the events of views present, as temporary table name. */
static char *pid_union(struct rfx *f, const char *name, const char *const *views)
{
	char *sql = sqlite3_mprintf("SELECT NULL AS id, NULL AS ts_ns, NULL AS pid WHERE 0");

	for (; *views; views++) {
		char *more;

		if (!has_view(f, *views))
			continue;
		more = sqlite3_mprintf("%s UNION ALL SELECT id, ts_ns, pid FROM %s WHERE source = "
				       "%lld", sql, *views, (long long)f->src.id);
		sqlite3_free(sql);
		sql = more;
	}
	return materialize(f, name, sql, "pid, id");
}

/*
 * Tasks whose last switch-out at or before t left them in a state that
 * nothing changed since (no switch-in, no event run by them, no wakeup,
 * and no exit before it): "pid:state:since" each, by pid.
 */
static void sql_switched_out(struct rfx *f, int64_t t, char *out, size_t n)
{
	static const char *const wakes[] = {
		"sched_wakeup", "sched_waking", "sched_wakeup_new", NULL,
	};
	static const char *const exits[] = { "sched_process_exit", NULL };
	char *w = pid_union(f, "wk", wakes), *x = pid_union(f, "ex", exits);

	kfx_qtext(&f->fx, out, n,
		  "WITH last AS (SELECT max(id) AS id FROM sched_switch WHERE source = %lld AND "
		  "prev_pid > 0 AND ts_ns <= %lld GROUP BY prev_pid) "
		  "SELECT ifnull(group_concat(line, ' '), '') FROM (SELECT s.prev_pid || ':' || "
		  "(%s) || ':' || s.ts_ns AS line FROM last JOIN sched_switch s ON s.id = last.id "
		  "WHERE NOT EXISTS (SELECT 1 FROM u e WHERE e.cur = s.prev_pid AND e.id > s.id AND "
		  "e.ts_ns <= %lld) "
		  "AND NOT EXISTS (SELECT 1 FROM wk WHERE wk.pid = s.prev_pid AND wk.id > s.id AND "
		  "wk.ts_ns <= %lld) "
		  "AND NOT EXISTS (SELECT 1 FROM ex WHERE ex.pid = s.prev_pid AND ex.id < s.id) "
		  "ORDER BY s.prev_pid)",
		  (long long)f->src.id, (long long)t, sql_expected_state, (long long)t, (long long)t);
	sqlite3_free(w);
	sqlite3_free(x);
}

/* The same from the machine, for the pids the SQL lists. */
static void machine_switched_out(struct mmt_replay_state *s, const char *want, char *out,
				 size_t n)
{
	const char *p = want;
	size_t len = 0;

	out[0] = 0;
	while (*p) {
		long pid = strtol(p, NULL, 10);
		struct mmt_rtask *t = mmt_replay_task(s, (int32_t)pid);

		len += (size_t)snprintf(out + len, n - len, "%s%ld:%s:%" PRId64, len ? " " : "",
					pid, t ? mmt_replay_state_name(t) : "absent",
					t ? t->since_ns : -1);
		p = strchr(p, ' ');
		if (!p)
			break;
		p++;
	}
}

static int check_switched_out(struct rfx *f)
{
	char *u = stateful_union(f);	/* temp.u, which the SQL reads */
	static char want[1 << 16], got[1 << 16];
	int checked = 0;

	for (int i = 0; i < PROBES; i++) {
		struct mmt_replay_state s;

		sql_switched_out(f, probe(f, i), want, sizeof(want));
		at(f, probe(f, i), true, &s);
		machine_switched_out(&s, want, got, sizeof(got));
		assert_string_equal(got, want);
		checked += want[0] ? 1 : 0;
		mmt_replay_state_free(&s);
	}
	sqlite3_free(u);
	return checked;
}

static void test_switched_out_tasks_keep_their_state(void **state)
{
	int checked = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		struct rfx f = { 0 };

		open_trace(&f, traces[i][0], traces[i][1]);
		if (has_view(&f, "sched_switch") && has_view(&f, "sched_wakeup")) {
			build(&f, 0);
			checked += check_switched_out(&f);
		}
		kfx_close(&f.fx);
	}
	assert_true(checked > 100);
}

/* The reclaim of kind `kind` that pid is in, NULL if none. */
static const struct mmt_rreclaim *reclaim_of(const struct mmt_replay_state *s, int32_t pid,
					     int kind)
{
	const struct mmt_rreclaim *r = s->reclaim.v;

	for (size_t i = 0; i < s->reclaim.n; i++)
		if (r[i].pid == pid && r[i].kind == kind)
			return &r[i];
	return NULL;
}

/*
 * Each begin of a view pair and the end that closes it (the same pid's next
 * end, no other begin between): in the middle the machine has the pid in
 * that reclaim since the begin, with its order and gfp; at the end, not.
 */
static int check_episodes(struct rfx *f, const char *begin, const char *end, int kind,
			  bool checkpoints)
{
	char sql[2048];
	sqlite3_stmt *q;
	int checked = 0;

	snprintf(sql, sizeof(sql),
		 "SELECT b.common_pid, b.ts_ns, e.ts_ns, %s, %s FROM %s b JOIN %s e ON "
		 "e.source = b.source AND e.common_pid = b.common_pid AND e.id = (SELECT min(id) "
		 "FROM %s x WHERE x.source = b.source AND x.common_pid = b.common_pid AND "
		 "x.id > b.id) WHERE b.source = %lld AND NOT EXISTS (SELECT 1 FROM %s y WHERE "
		 "y.source = b.source AND y.common_pid = b.common_pid AND y.id > b.id AND "
		 "y.id < e.id) AND e.ts_ns > b.ts_ns + 1",
		 kind == MMT_RC_COMPACTION ? "NULL" : "b.\"order\"",
		 kind == MMT_RC_COMPACTION ? "NULL" : "b.gfp_flags", begin, end, end,
		 (long long)f->src.id, begin);
	assert_int_equal(sqlite3_prepare_v2(mmt_store_handle(f->fx.st), sql, -1, &q, NULL),
			 SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		int32_t pid = sqlite3_column_int(q, 0);
		int64_t b = sqlite3_column_int64(q, 1), e = sqlite3_column_int64(q, 2);
		struct mmt_replay_state s;
		const struct mmt_rreclaim *r;

		at(f, b + (e - b) / 2, checkpoints, &s);
		r = reclaim_of(&s, pid, kind);
		assert_non_null(r);
		assert_int_equal(r->since_ns, b);
		assert_int_equal(r->has_order, sqlite3_column_type(q, 3) != SQLITE_NULL);
		if (r->has_order)
			assert_int_equal(r->order, sqlite3_column_int(q, 3));
		if (sqlite3_column_type(q, 4) == SQLITE_TEXT)
			assert_string_equal(r->gfp_text, (const char *)sqlite3_column_text(q, 4));
		else if (sqlite3_column_type(q, 4) == SQLITE_INTEGER)
			assert_int_equal(r->gfp, sqlite3_column_int64(q, 4));
		mmt_replay_state_free(&s);
		at(f, e, checkpoints, &s);
		assert_null(reclaim_of(&s, pid, kind));
		mmt_replay_state_free(&s);
		checked++;
	}
	sqlite3_finalize(q);
	return checked;
}

static void test_memcg_reclaim_between_begin_and_end(void **state)
{
	static const char *const files[][2] = {
		{ "trace", "mem-v7.dat" }, { "trace", "inst-v7.dat" },
		{ "trace_text", "trace-noirqinfo.txt" }, { "trace_text", "report.txt" },
		{ "perf_script", "tracepoints.txt" },
	};
	int checked = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct rfx f = { 0 };

		open_trace(&f, files[i][0], files[i][1]);
		build(&f, 0);
		checked += check_episodes(&f, "mm_vmscan_memcg_reclaim_begin",
					  "mm_vmscan_memcg_reclaim_end", MMT_RC_MEMCG, true);
		kfx_close(&f.fx);
	}
	/* mem-v7.dat alone has 62 episodes (docs/trace.md's first query, t080). */
	assert_true(checked > 62);
}

/* An Android trace of the corpus: direct reclaim and compaction, with GFP names. */
static void test_direct_reclaim_and_compaction(void **state)
{
	struct rfx f = { 0 };
	struct mmt_replay_state s;
	const struct mmt_rreclaim *r;

	(void)state;
	open_corpus(&f, "lkml/linux-kernel/compaction-and-direct-reclaim-events-android-dma-buf.txt");
	build(&f, 0);
	/* Its 10 direct reclaim episodes and 19 compactions, every one closed. */
	assert_int_equal(check_episodes(&f, "mm_vmscan_direct_reclaim_begin",
					"mm_vmscan_direct_reclaim_end", MMT_RC_DIRECT, true), 10);
	assert_int_equal(check_episodes(&f, "mm_compaction_begin", "mm_compaction_end",
					MMT_RC_COMPACTION, false), 19);
	/* "7971.248399: mm_vmscan_direct_reclaim_begin: order=4 gfp_flags=GFP_HIGHUSER|..." */
	at(&f, 7971248500000, true, &s);
	r = reclaim_of(&s, 5972, MMT_RC_DIRECT);
	assert_non_null(r);
	assert_int_equal(r->since_ns, 7971248399000);
	assert_int_equal(r->order, 4);
	assert_string_equal(r->gfp_text, "GFP_HIGHUSER|__GFP_NOWARN|__GFP_COMP|__GFP_ZERO");
	assert_null(reclaim_of(&s, 5972, MMT_RC_COMPACTION));
	mmt_replay_state_free(&s);
	kfx_close(&f.fx);
}

/* kswapd1 of an XFS report: "66671.873532: mm_vmscan_kswapd_wake: nid=1 order=3", then sleep. */
static void test_kswapd_wake_and_sleep(void **state)
{
	struct rfx f = { 0 };
	struct mmt_replay_state s;
	const struct mmt_rdaemon *d;

	(void)state;
	open_corpus(&f, "lkml/linux-xfs/vmscan-events-and-function_graph-xfs-reclaim-5.4.txt");
	build(&f, 1);
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM mm_vmscan_kswapd_wake"), 1);
	at(&f, 66700000000000, true, &s);
	assert_int_equal(s.daemons.n, 1);
	d = s.daemons.v;
	assert_int_equal(d->kind, MMT_DAEMON_KSWAPD);
	assert_int_equal(d->nid, 1);
	assert_true(d->awake);
	assert_int_equal(d->order, 3);
	assert_int_equal(d->since_ns, kfx_qint(&f.fx, "SELECT ts_ns FROM mm_vmscan_kswapd_wake"));
	mmt_replay_state_free(&s);
	at(&f, f.src.last_ns, true, &s);
	d = s.daemons.v;
	assert_int_equal(s.daemons.n, 1);
	assert_false(d->awake);
	assert_false(d->has_order);
	assert_int_equal(d->since_ns, kfx_qint(&f.fx, "SELECT ts_ns FROM mm_vmscan_kswapd_sleep"));
	mmt_replay_state_free(&s);
	kfx_close(&f.fx);
}

/* IPIs per CPU over a window against counts by time in SQL; returns those sent. */
static int64_t check_ipis(struct rfx *f, int64_t from, int64_t to)
{
	struct mmt_replay_ipis p;
	int64_t sent = 0, run = 0;

	assert_int_equal(mmt_replay_count_ipis(f->fx.st, &f->src, from, to, &p, &f->err), 0);
	assert_true(p.have_send);
	for (int cpu = 0; cpu < p.ncpus; cpu++) {
		assert_int_equal(p.sent_to[cpu],
				 kfx_qint(&f->fx, "SELECT count(*) FROM ipi_send_cpu WHERE source = "
					  "%lld AND cpu = %d AND ts_ns > %lld AND ts_ns <= %lld",
					  (long long)f->src.id, cpu, (long long)from, (long long)to));
		sent += p.sent_to[cpu];
		if (!p.have_cfs)
			continue;
		assert_int_equal(p.received[cpu],
				 kfx_qint(&f->fx, "SELECT count(*) FROM call_function_single_entry "
					  "WHERE source = %lld AND common_cpu = %d AND ts_ns > %lld "
					  "AND ts_ns <= %lld", (long long)f->src.id, cpu,
					  (long long)from, (long long)to));
		run += p.received[cpu];
	}
	assert_int_equal(sent, kfx_qint(&f->fx, "SELECT count(*) FROM ipi_send_cpu WHERE source = "
					"%lld AND ts_ns > %lld AND ts_ns <= %lld",
					(long long)f->src.id, (long long)from, (long long)to));
	assert_true(!p.have_cfs || run == kfx_qint(&f->fx, "SELECT count(*) FROM "
						   "call_function_single_entry WHERE source = %lld AND "
						   "ts_ns > %lld AND ts_ns <= %lld", (long long)f->src.id,
						   (long long)from, (long long)to));
	mmt_replay_ipis_free(&p);
	return sent;
}

static void test_ipi_rates_equal_a_direct_count(void **state)
{
	static const char *const files[][2] = {
		{ "trace", "mem-v7.dat" }, { "replay", "tasks-v7.dat" },
		{ "trace_text", "trace-irqinfo.txt" }, { "trace_text", "trace_pipe.txt" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct rfx f = { 0 };
		int64_t mid;

		open_trace(&f, files[i][0], files[i][1]);
		mid = f.src.first_ns + (f.src.last_ns - f.src.first_ns) / 2;
		assert_true(check_ipis(&f, f.src.first_ns - 1, f.src.last_ns) > 0);
		check_ipis(&f, f.src.first_ns - 1, mid);
		check_ipis(&f, mid - (f.src.last_ns - f.src.first_ns) / 4, mid);
		kfx_close(&f.fx);
	}
}

/* The whole state at each probe as text, from checkpoints or from the start. */
static void dump_probes(struct rfx *f, bool checkpoints, struct mmt_sb *out)
{
	for (int i = -1; i < PROBES; i++) {
		struct mmt_replay_state s;
		int64_t t = i < 0 ? f->src.first_ns : probe(f, i);

		at(f, t, checkpoints, &s);
		mmt_sb_addf(out, "at %" PRId64 "\n", t);
		mmt_replay_state_dump(&s, out);
		mmt_replay_state_free(&s);
	}
}

static void test_same_state_with_and_without_checkpoints(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		struct rfx f = { 0 };
		struct mmt_sb none = MMT_SB_INIT, tiny = MMT_SB_INIT, one = MMT_SB_INIT;

		open_trace(&f, traces[i][0], traces[i][1]);
		dump_probes(&f, false, &none);
		build(&f, 3);
		assert_true(kfx_qint(&f.fx, "SELECT checkpoints FROM replay_builds") >
			    kfx_qint(&f.fx, "SELECT events FROM replay_builds") / 3);
		dump_probes(&f, true, &tiny);
		build(&f, 1000000000);
		assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM replay_checkpoints"), 1);
		dump_probes(&f, true, &one);
		assert_string_equal(mmt_sb_str(&tiny), mmt_sb_str(&none));
		assert_string_equal(mmt_sb_str(&one), mmt_sb_str(&none));
		assert_true(strstr(mmt_sb_str(&none), "\ntask ") != NULL ||
			    !has_view(&f, "sched_switch"));
		mmt_sb_free(&none);
		mmt_sb_free(&tiny);
		mmt_sb_free(&one);
		kfx_close(&f.fx);
	}
}

/* The name of pid at t per trace_tasks. */
static const char *name_at(struct rfx *f, int32_t pid, int64_t t)
{
	static char name[64];

	if (!mmt_replay_task_name(f->fx.st, f->src.id, pid, t, name, sizeof(name)))
		return "(none)";
	return name;
}

/*
 * tasks-v7.dat: the load shell renamed itself 'mmt-load'; the worker went
 * mmt-load -> python3 -> bash (pyenv's shims) ... -> python3 -> mmt-ipi;
 * dd was forked as mmt-load and exec'd dd. trace-cmd names each pid by its
 * last name in every event's common_comm, so these come from the fields.
 */
static void test_task_names_over_time(void **state)
{
	struct rfx f = { 0 };
	int64_t ren, dd;

	(void)state;
	open_trace(&f, "replay", "tasks-v7.dat");
	build(&f, 0);
	ren = kfx_qint(&f.fx, "SELECT ts_ns FROM task_rename WHERE newcomm = 'mmt-load'");
	assert_string_equal(name_at(&f, 11724, ren - 1), "sh");
	assert_string_equal(name_at(&f, 11724, ren), "mmt-load");
	ren = kfx_qint(&f.fx, "SELECT ts_ns FROM task_rename WHERE newcomm = 'mmt-ipi'");
	assert_string_equal(name_at(&f, 11725, ren - 1), "python3");
	assert_string_equal(name_at(&f, 11725, ren), "mmt-ipi");
	assert_string_equal(name_at(&f, 11725, f.src.first_ns), "mmt-load");
	dd = kfx_qint(&f.fx, "SELECT min(ts_ns) FROM sched_switch WHERE prev_comm = 'dd' AND "
		      "prev_pid = 11738");
	assert_string_equal(name_at(&f, 11738, dd), "dd");
	/* Forked by the shell, as the shell: the fork's child_comm. */
	assert_string_equal(name_at(&f, 11738, kfx_qint(&f.fx, "SELECT ts_ns FROM "
							 "sched_process_fork WHERE child_pid = 11738")),
			    "mmt-load");
	/* Every switch names its tasks as trace_tasks does at that time. */
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM sched_switch s WHERE next_pid > 0 "
				  "AND next_comm != (SELECT comm FROM trace_tasks t WHERE "
				  "t.source = s.source AND t.pid = s.next_pid AND t.first_ns <= "
				  "s.ts_ns ORDER BY first_ns DESC LIMIT 1)"), 0);
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM trace_tasks WHERE pid = 11725"),
			 kfx_qint(&f.fx, "SELECT count(*) + 1 FROM task_rename WHERE pid = 11725"));
	kfx_close(&f.fx);
}

/* dd in D on its O_DIRECT writes; a task exits; the block request in flight. */
static void test_tasks_trace(void **state)
{
	struct rfx f = { 0 };
	struct mmt_replay_state s;
	struct mmt_rtask *t;
	int64_t d, ex;
	const struct mmt_rio *io;

	(void)state;
	open_trace(&f, "replay", "tasks-v7.dat");
	build(&f, 0);
	/* The first time dd switched out in D (prev_state 2), and the wakeup after it. */
	d = kfx_qint(&f.fx, "SELECT min(ts_ns) FROM sched_switch WHERE prev_pid = 11738 AND "
		     "prev_state = 2");
	at(&f, d, true, &s);
	t = mmt_replay_task(&s, 11738);
	assert_non_null(t);
	assert_int_equal(t->state, MMT_RT_BLOCKED);
	assert_int_equal(t->since_ns, d);
	/* Its request is in flight: issued, not completed, at that time. */
	assert_true(s.io.n >= 1);
	io = s.io.v;
	assert_string_equal(io[0].dev, "254,0");
	assert_int_equal(s.io.n, kfx_qint(&f.fx, "SELECT count(*) FROM block_rq_issue i WHERE "
					  "i.ts_ns <= %lld AND NOT EXISTS (SELECT 1 FROM "
					  "block_rq_complete c WHERE c.dev = i.dev AND c.sector = "
					  "i.sector AND c.id > i.id AND c.ts_ns <= %lld) AND NOT "
					  "EXISTS (SELECT 1 FROM block_rq_requeue c WHERE c.dev = "
					  "i.dev AND c.sector = i.sector AND c.id > i.id AND c.ts_ns "
					  "<= %lld) AND NOT EXISTS (SELECT 1 FROM block_rq_issue j "
					  "WHERE j.dev = i.dev AND j.sector = i.sector AND j.id > "
					  "i.id AND j.ts_ns <= %lld)", (long long)d, (long long)d,
					  (long long)d, (long long)d));
	mmt_replay_state_free(&s);
	/* A /bin/true exits: gone after its sched_process_exit. */
	ex = kfx_qint(&f.fx, "SELECT ts_ns FROM sched_process_exit WHERE pid = 11735");
	at(&f, ex - 1, true, &s);
	assert_non_null(mmt_replay_task(&s, 11735));
	assert_int_not_equal(mmt_replay_task(&s, 11735)->state, MMT_RT_GONE);
	mmt_replay_state_free(&s);
	at(&f, ex, true, &s);
	assert_int_equal(mmt_replay_task(&s, 11735)->state, MMT_RT_GONE);
	mmt_replay_state_free(&s);
	kfx_close(&f.fx);
}

/*
 * After every event of every trace: the tasks the machine has running are
 * those its CPUs run, whatever events the trace lacks (on this machine the
 * switches out of idle on CPU 1 are missing from every recording).
 */
static void test_running_tasks_match_cpus_after_every_event(void **state)
{
	int64_t events = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		struct rfx f = { 0 };
		struct mmt_replay_state s;
		struct mmt_rstream *r;
		struct mmt_revent e;

		open_trace(&f, traces[i][0], traces[i][1]);
		mmt_replay_state_init(&s, f.src.id);
		r = mmt_rstream_open(f.fx.st, f.src.id, f.src.first_id - 1, f.src.last_id, &f.err);
		assert_non_null(r);
		while (mmt_rstream_next(r, &e, &f.err) > 0) {
			mmt_replay_apply(&s, &e);
			check_running_on_cpus(&s);
			events++;
		}
		mmt_rstream_close(r);
		mmt_replay_state_free(&s);
		kfx_close(&f.fx);
	}
	assert_true(events > 5000);
}

/*
 * A task first seen switched in was waiting for a CPU before the trace only
 * if the trace would have shown it being created: traces without
 * sched_wakeup_new or sched_process_fork (the sample, the text traces)
 * claim no task runnable "before the trace". tasks-v7.dat records forks:
 * the child is runnable from its fork, and unknown before.
 */
static void test_new_tasks(void **state)
{
	struct rfx f = { 0 };
	struct mmt_replay_state s;
	struct mmt_rtask *t;
	int64_t fork, pid, in;

	(void)state;
	for (size_t i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		open_trace(&f, traces[i][0], traces[i][1]);
		build(&f, 0);
		for (int p = 0; p < PROBES; p++) {
			at(&f, probe(&f, p), true, &s);
			for (size_t k = 0; k < s.tasks.n; k++) {
				t = (struct mmt_rtask *)s.tasks.v + k;
				if (t->state != MMT_RT_RUNNABLE || t->since_ns != MMT_REPLAY_BEFORE)
					continue;
				assert_true(has_view(&f, "sched_wakeup_new") ||
					    has_view(&f, "sched_process_fork"));
			}
			mmt_replay_state_free(&s);
		}
		kfx_close(&f.fx);
	}
	open_trace(&f, "replay", "tasks-v7.dat");
	build(&f, 0);
	/* The first task switched in that no earlier event named: waiting before. */
	pid = kfx_qint(&f.fx, "SELECT next_pid FROM sched_switch s WHERE next_pid > 0 AND NOT "
		       "EXISTS (SELECT 1 FROM events e WHERE e.id < s.id AND e.pid = s.next_pid) "
		       "AND NOT EXISTS (SELECT 1 FROM sched_switch z WHERE z.id < s.id AND "
		       "z.prev_pid = s.next_pid) AND NOT EXISTS (SELECT 1 FROM sched_waking w WHERE "
		       "w.id < s.id AND w.pid = s.next_pid) ORDER BY id LIMIT 1");
	in = kfx_qint(&f.fx, "SELECT min(ts_ns) FROM sched_switch WHERE next_pid = %lld",
		      (long long)pid);
	at(&f, in - 1, true, &s);
	t = mmt_replay_task(&s, (int32_t)pid);
	assert_non_null(t);
	assert_int_equal(t->state, MMT_RT_RUNNABLE);
	assert_int_equal(t->since_ns, MMT_REPLAY_BEFORE);
	mmt_replay_state_free(&s);
	fork = kfx_qint(&f.fx, "SELECT ts_ns FROM sched_process_fork WHERE child_pid = 11738");
	at(&f, fork - 1, true, &s);
	assert_null(mmt_replay_task(&s, 11738));
	mmt_replay_state_free(&s);
	at(&f, fork, true, &s);
	t = mmt_replay_task(&s, 11738);
	assert_non_null(t);
	assert_int_equal(t->state, MMT_RT_RUNNABLE);
	assert_int_equal(t->since_ns, fork);
	mmt_replay_state_free(&s);
	kfx_close(&f.fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpus_run_what_the_last_event_says),
		cmocka_unit_test(test_running_tasks_match_cpus_after_every_event),
		cmocka_unit_test(test_switched_out_tasks_keep_their_state),
		cmocka_unit_test(test_memcg_reclaim_between_begin_and_end),
		cmocka_unit_test(test_direct_reclaim_and_compaction),
		cmocka_unit_test(test_kswapd_wake_and_sleep),
		cmocka_unit_test(test_ipi_rates_equal_a_direct_count),
		cmocka_unit_test(test_same_state_with_and_without_checkpoints),
		cmocka_unit_test(test_task_names_over_time),
		cmocka_unit_test(test_new_tasks),
		cmocka_unit_test(test_tasks_trace),
	};

	/* REPLAY_TEST=test_new_tasks runs one test, for work on it. */
	if (getenv("REPLAY_TEST"))
		cmocka_set_test_filter(getenv("REPLAY_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
