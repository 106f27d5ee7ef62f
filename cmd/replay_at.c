/*
 * `mmtriage replay --at T`: the traced machine's state at T, per trace, in
 * sections a kernel developer reads at a glance: CPUs, tasks by state
 * (running, runnable, D, other, S), reclaim and compaction in progress,
 * kswapd and kcompactd per node, block I/O and writeback in flight, IPIs
 * per CPU over the second before T, and the memory counters of the
 * meminfo snapshot nearest T. A section whose events the trace does not
 * record is left out. Task names are the ones the tasks had at T
 * (trace_tasks), escaped for the terminal.
 *
 * The first question on a trace builds its checkpoints (replay_build.c),
 * which needs the database writable; a read-only one without them is
 * answered by replaying the whole trace instead.
 */
#include "cmd/cmd.h"
#include "analyzers/replay_state.h"
#include "core/escape.h"
#include "core/gfp.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char sql_mem_nearest[] =
	"SELECT source, ts FROM meminfo WHERE ts IS NOT NULL AND key = 'MemFree' "
	"ORDER BY abs(ts - ?1) LIMIT 1";
static const char sql_mem_values[] =
	"SELECT key, kb FROM meminfo WHERE source = ?1 AND ts = ?2 AND key IN ('MemTotal', "
	"'MemFree', 'MemAvailable', 'Cached', 'Dirty', 'Writeback', 'Slab', 'AnonPages')";

static const char *const mem_keys[] = {
	"MemTotal", "MemFree", "MemAvailable", "Cached", "Dirty", "Writeback", "Slab",
	"AnonPages",
};

/* What printing one trace needs. */
struct at_ctx {
	struct mmt_store *st;
	const struct mmt_replay_source *src;
	struct mmt_replay_state *s;
	int64_t t_ns;
	bool names;			/* trace_tasks is built for the source */
	struct mmt_sb sb;
};

/* "1.234 ms" */
static void add_duration(struct mmt_sb *sb, int64_t ns)
{
	if (ns < 1000000)
		mmt_sb_addf(sb, "%.1f us", (double)ns / 1e3);
	else if (ns < 1000000000)
		mmt_sb_addf(sb, "%.3f ms", (double)ns / 1e6);
	else
		mmt_sb_addf(sb, "%.3f s", (double)ns / 1e9);
}

/* "since 8627.949123 (0.877 ms)" or "since before the trace". */
static void add_since(struct at_ctx *c, int64_t since_ns)
{
	if (since_ns == MMT_REPLAY_BEFORE) {
		mmt_sb_adds(&c->sb, "since before the trace");
		return;
	}
	mmt_sb_addf(&c->sb, "since %.6f (", mmt_replay_seconds(c->src, since_ns));
	add_duration(&c->sb, c->t_ns - since_ns);
	mmt_sb_addc(&c->sb, ')');
}

/* "comm-pid", the name it had at T, escaped. */
static void add_task(struct at_ctx *c, int32_t pid)
{
	struct mmt_rtask *t = mmt_replay_task(c->s, pid);
	char name[64] = "";

	if (!(c->names && mmt_replay_task_name(c->st, c->src->id, pid, c->t_ns, name,
					       sizeof(name))) && t)
		snprintf(name, sizeof(name), "%s", t->comm);
	mmt_esc_term(&c->sb, name[0] ? name : "<...>", strlen(name[0] ? name : "<...>"));
	mmt_sb_addf(&c->sb, "-%d", pid);
}

static void flush(struct at_ctx *c)
{
	mmt_sb_addc(&c->sb, '\n');
	fwrite(c->sb.buf, 1, c->sb.len, stdout);
	mmt_sb_reset(&c->sb);
}

static void print_cpus(struct at_ctx *c)
{
	size_t n = c->s->cpus.n > (size_t)c->src->cpus ? c->s->cpus.n : (size_t)c->src->cpus;

	puts("\nCPUs");
	if (!n)
		puts("  not known: the trace does not say which CPU its events ran on");
	for (size_t i = 0; i < n; i++) {
		const struct mmt_rcpu *cpu = i < c->s->cpus.n ? (struct mmt_rcpu *)c->s->cpus.v + i
							       : NULL;

		mmt_sb_addf(&c->sb, "  CPU %-3zu ", i);
		if (!cpu || (cpu->pid == -1 && cpu->since_ns == MMT_REPLAY_BEFORE)) {
			mmt_sb_adds(&c->sb, "not known at T (no event of it yet)");
		} else if (cpu->pid == -1) {
			mmt_sb_adds(&c->sb, "not known (a switch of it is missing from the trace) ");
			add_since(c, cpu->since_ns);
		} else {
			if (cpu->pid == 0)
				mmt_sb_adds(&c->sb, "idle");
			else
				add_task(c, cpu->pid);
			mmt_sb_addc(&c->sb, ' ');
			add_since(c, cpu->since_ns);
		}
		flush(c);
	}
}

/* The order tasks are listed in: what matters for a hang first. */
static int state_rank(const struct mmt_rtask *t)
{
	static const int rank[] = {
		[MMT_RT_RUNNING] = 0, [MMT_RT_RUNNABLE] = 1, [MMT_RT_BLOCKED] = 2,
		[MMT_RT_OTHER] = 3, [MMT_RT_SLEEPING] = 4, [MMT_RT_ASLEEP] = 5,
		[MMT_RT_GONE] = 6,
	};

	return rank[t->state];
}

static int cmp_tasks(const void *pa, const void *pb)
{
	const struct mmt_rtask *a = *(const struct mmt_rtask *const *)pa;
	const struct mmt_rtask *b = *(const struct mmt_rtask *const *)pb;

	if (state_rank(a) != state_rank(b))
		return state_rank(a) - state_rank(b);
	if (a->since_ns != b->since_ns)
		return a->since_ns < b->since_ns ? -1 : 1;
	return a->pid - b->pid;
}

static const char *state_label(const struct mmt_rtask *t)
{
	return t->state == MMT_RT_ASLEEP ? "S or D" : mmt_replay_state_name(t);
}

/* " [in memcg reclaim]" for a task inside reclaim or compaction. */
static void add_reclaim_tag(struct at_ctx *c, int32_t pid)
{
	static const char *const what[MMT_RC_KINDS] = {
		"direct reclaim", "memcg reclaim", "memcg softlimit reclaim", "compaction",
	};
	const struct mmt_rreclaim *r = c->s->reclaim.v;

	for (size_t i = 0; i < c->s->reclaim.n; i++)
		if (r[i].pid == pid)
			mmt_sb_addf(&c->sb, " [in %s]", what[r[i].kind]);
}

static void print_task_line(struct at_ctx *c, const struct mmt_rtask *t)
{
	mmt_sb_adds(&c->sb, "  ");
	mmt_esc_term(&c->sb, state_label(t), strlen(state_label(t)));
	for (size_t w = strlen(state_label(t)); w < 9; w++)
		mmt_sb_addc(&c->sb, ' ');
	mmt_sb_addc(&c->sb, ' ');
	add_task(c, t->pid);
	if (t->state == MMT_RT_RUNNING && t->cpu >= 0)
		mmt_sb_addf(&c->sb, " on CPU %d", t->cpu);
	mmt_sb_addc(&c->sb, ' ');
	add_since(c, t->since_ns);
	if (t->state == MMT_RT_RUNNABLE && t->cpu >= 0)
		mmt_sb_addf(&c->sb, ", on CPU %d's queue", t->cpu);
	add_reclaim_tag(c, t->pid);
	flush(c);
}

static void print_tasks(struct at_ctx *c)
{
	const struct mmt_rtask *all = c->s->tasks.v;
	const struct mmt_rtask **t = xcalloc(c->s->tasks.n + 1, sizeof(*t));
	size_t n = 0, count[MMT_RT_GONE + 1] = { 0 };

	for (size_t i = 0; i < c->s->tasks.n; i++)
		if (all[i].state != MMT_RT_GONE) {
			t[n++] = &all[i];
			count[all[i].state]++;
		}
	qsort(t, n, sizeof(*t), cmp_tasks);
	printf("\nTasks: %zu running, %zu runnable, %zu in D, %zu other, %zu sleeping (S), "
	       "%zu asleep before the trace (S or D, woken later)\n", count[MMT_RT_RUNNING],
	       count[MMT_RT_RUNNABLE], count[MMT_RT_BLOCKED], count[MMT_RT_OTHER],
	       count[MMT_RT_SLEEPING], count[MMT_RT_ASLEEP]);
	for (size_t i = 0; i < n; i++)
		print_task_line(c, t[i]);
	free(t);
}

static void add_gfp(struct at_ctx *c, const struct mmt_rreclaim *r)
{
	struct mmt_gfp_decoded d;

	if (!r->has_gfp)
		return;
	mmt_sb_adds(&c->sb, " gfp_flags=");
	if (r->gfp_is_text) {
		mmt_esc_term(&c->sb, r->gfp_text, strlen(r->gfp_text));
		return;
	}
	mmt_gfp_decode((uint64_t)r->gfp, c->src->kernel[0] ? c->src->kernel : NULL, &d);
	if (d.flags[0])
		mmt_sb_adds(&c->sb, d.flags);
	else
		mmt_sb_addf(&c->sb, "%#" PRIx64, (uint64_t)r->gfp);
}

static int cmp_reclaim(const void *pa, const void *pb)
{
	const struct mmt_rreclaim *a = pa, *b = pb;

	if (a->since_ns != b->since_ns)
		return a->since_ns < b->since_ns ? -1 : 1;
	return a->pid - b->pid;
}

static void print_reclaim(struct at_ctx *c)
{
	static const char *const label[MMT_RC_KINDS] = {
		"direct reclaim", "memcg reclaim", "memcg softlimit reclaim", "compaction",
	};
	const struct mmt_rreclaim *r = c->s->reclaim.v;

	printf("\nReclaim and compaction: %zu in progress\n", c->s->reclaim.n);
	/* Oldest first: the one stuck longest matters most. */
	if (c->s->reclaim.n)
		qsort(c->s->reclaim.v, c->s->reclaim.n, sizeof(*r), cmp_reclaim);
	for (size_t i = 0; i < c->s->reclaim.n; i++) {
		mmt_sb_addf(&c->sb, "  %-24s ", label[r[i].kind]);
		add_task(c, r[i].pid);
		mmt_sb_addc(&c->sb, ' ');
		add_since(c, r[i].since_ns);
		if (r[i].has_order)
			mmt_sb_addf(&c->sb, " order=%d", r[i].order);
		add_gfp(c, &r[i]);
		flush(c);
	}
}

static void print_daemons(struct at_ctx *c, int kind)
{
	const struct mmt_rdaemon *d = c->s->daemons.v;
	size_t shown = 0;

	printf("\n%s\n", mmt_replay_daemon_name(kind));
	for (size_t i = 0; i < c->s->daemons.n; i++) {
		if (d[i].kind != kind)
			continue;
		mmt_sb_addf(&c->sb, "  node %d: %s ", d[i].nid, d[i].awake ? "awake" : "asleep");
		add_since(c, d[i].since_ns);
		if (d[i].has_order)
			mmt_sb_addf(&c->sb, ", order %d", d[i].order);
		flush(c);
		shown++;
	}
	if (!shown)
		puts("  no wake or sleep of it before T");
}

static int cmp_io(const void *pa, const void *pb)
{
	const struct mmt_rio *a = pa, *b = pb;
	int d = strcmp(a->dev, b->dev);

	if (d)
		return d;
	return a->issue_ns < b->issue_ns ? -1 : a->issue_ns > b->issue_ns;
}

static void print_io(struct at_ctx *c)
{
	struct mmt_rio *io = c->s->io.v;
	size_t i = 0;

	if (c->s->io.n)
		qsort(io, c->s->io.n, sizeof(*io), cmp_io);
	printf("\nBlock I/O in flight: %zu requests\n", c->s->io.n);
	while (i < c->s->io.n) {
		size_t j = i;

		while (j < c->s->io.n && !strcmp(io[j].dev, io[i].dev))
			j++;
		mmt_sb_adds(&c->sb, "  ");
		mmt_esc_term(&c->sb, io[i].dev, strlen(io[i].dev));
		mmt_sb_addf(&c->sb, ": %zu request%s, the oldest issued at %.6f (", j - i,
			    j - i == 1 ? "" : "s", mmt_replay_seconds(c->src, io[i].issue_ns));
		add_duration(&c->sb, c->t_ns - io[i].issue_ns);
		mmt_sb_adds(&c->sb, " ago): ");
		mmt_esc_term(&c->sb, io[i].rwbs, strlen(io[i].rwbs));
		mmt_sb_addf(&c->sb, " sector %" PRId64, io[i].sector);
		if (io[i].has_nr)
			mmt_sb_addf(&c->sb, " + %" PRId64, io[i].nr_sector);
		flush(c);
		i = j;
	}
}

static void print_writeback(struct at_ctx *c)
{
	const struct mmt_rwb *w = c->s->wb.v;

	printf("\nWriteback in flight: %zu devices\n", c->s->wb.n);
	for (size_t i = 0; i < c->s->wb.n; i++) {
		mmt_sb_adds(&c->sb, "  bdi ");
		mmt_esc_term(&c->sb, w[i].bdi, strlen(w[i].bdi));
		mmt_sb_addf(&c->sb, ": %d writeback_start without writeback_written, the first ",
			    w[i].depth);
		add_since(c, w[i].since_ns);
		flush(c);
	}
}

static int print_ipis(struct at_ctx *c, struct mmt_err *err)
{
	int64_t from = c->t_ns - 1000000000, to = c->t_ns;
	struct mmt_replay_ipis p;
	double secs;

	if (from < c->src->first_ns)
		from = c->src->first_ns - 1;	/* the window starts with the trace */
	if (mmt_replay_count_ipis(c->st, c->src, from, to, &p, err) < 0)
		return -1;
	secs = (double)(to - from) / 1e9;
	if ((p.have_send || p.have_cfs) && secs > 0) {
		printf("\nIPIs per second over the %.6f s before T%s\n", secs,
		       to - from < 1000000000 ? " (since the trace began)" : "");
		printf("  CPU %s%s\n", p.have_send ? "  sent to it (ipi_send_cpu/_cpumask)" : "",
		       p.have_cfs ? "  function calls run (call_function[_single]_entry)" : "");
		for (int i = 0; i < p.ncpus; i++) {
			printf("  %3d", i);
			if (p.have_send)
				printf("  %34.1f", (double)p.sent_to[i] / secs);
			if (p.have_cfs)
				printf("  %49.1f", (double)p.received[i] / secs);
			putchar('\n');
		}
		if (!p.ncpus)
			puts("  none");
	}
	mmt_replay_ipis_free(&p);
	return 0;
}

/* Whether the source records any of the events a section is made of. */
static bool records(struct at_ctx *c, const char *const *events)
{
	for (; *events; events++)
		if (mmt_replay_source_has(c->st, c->src, *events))
			return true;
	return false;
}

static const char *const ev_sched[] = { "sched_switch", NULL };
static const char *const ev_tasks[] = {
	"sched_switch", "sched_wakeup", "sched_waking", "sched_wakeup_new", "sched_process_exit",
	NULL,
};
static const char *const ev_reclaim[] = {
	"mm_vmscan_direct_reclaim_begin", "mm_vmscan_memcg_reclaim_begin",
	"mm_vmscan_memcg_softlimit_reclaim_begin", "mm_compaction_begin", NULL,
};
static const char *const ev_kswapd[] = { "mm_vmscan_kswapd_wake", "mm_vmscan_kswapd_sleep", NULL };
static const char *const ev_kcompactd[] = {
	"mm_compaction_kcompactd_wake", "mm_compaction_kcompactd_sleep", NULL,
};
static const char *const ev_io[] = { "block_rq_issue", NULL };
static const char *const ev_wb[] = { "writeback_start", NULL };

static void print_header(struct at_ctx *c, double t)
{
	const struct mmt_replay_source *src = c->src;

	mmt_sb_addf(&c->sb, "Trace %lld: ", (long long)src->id);
	mmt_esc_term(&c->sb, src->path, strlen(src->path));
	mmt_sb_addf(&c->sb, " (%s", src->kind);
	if (src->clock[0])
		mmt_sb_addf(&c->sb, ", clock %s", src->clock);
	if (src->cpus > 0)
		mmt_sb_addf(&c->sb, ", %d CPUs", src->cpus);
	mmt_sb_addf(&c->sb, ")\nState at %.6f: ", t);
	add_duration(&c->sb, c->t_ns - src->first_ns);
	mmt_sb_adds(&c->sb, " after its first event, ");
	add_duration(&c->sb, src->last_ns - c->t_ns);
	mmt_sb_adds(&c->sb, " before its last");
	flush(c);
	if (src->lost > 0)
		printf("Note: the kernel lost %lld events of this trace; a state they changed "
		       "may be stale.\n", (long long)src->lost);
}

static int print_source(struct at_ctx *c, double t, struct mmt_err *err)
{
	print_header(c, t);
	if (records(c, ev_sched))
		print_cpus(c);
	if (records(c, ev_tasks))
		print_tasks(c);
	if (records(c, ev_reclaim))
		print_reclaim(c);
	if (records(c, ev_kswapd))
		print_daemons(c, MMT_DAEMON_KSWAPD);
	if (records(c, ev_kcompactd))
		print_daemons(c, MMT_DAEMON_KCOMPACTD);
	if (records(c, ev_io))
		print_io(c);
	if (records(c, ev_wb))
		print_writeback(c);
	return print_ipis(c, err);
}

/*
 * The meminfo snapshot nearest T, if the database holds any; wall: every
 * trace printed is on the common timeline (else T is on a trace's clock).
 */
static void print_memory(struct mmt_store *st, double t, bool wall)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_mem_nearest, NULL), *v;
	int64_t src;
	double ts;

	if (!q)
		return;
	sqlite3_bind_double(q, 1, t);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return;
	}
	src = sqlite3_column_int64(q, 0);
	ts = sqlite3_column_double(q, 1);
	sqlite3_reset(q);
	printf("\nMemory: the meminfo snapshot nearest T, source %lld at %.6f, %.3f s %s T\n",
	       (long long)src, ts, ts > t ? ts - t : t - ts, ts > t ? "after" : "before");
	if (!wall)
		puts("  (T is on the trace's own clock, whose boot time is not known: snapshot "
		     "times are wall time, so this one need not be near T)");
	for (size_t k = 0; k < sizeof(mem_keys) / sizeof(mem_keys[0]); k++) {
		if (!(v = mmt_store_stmt(st, sql_mem_values, NULL)))
			return;
		sqlite3_bind_int64(v, 1, src);
		sqlite3_bind_double(v, 2, ts);
		while (sqlite3_step(v) == SQLITE_ROW)
			if (!strcmp(mmt_col_text(v, 0), mem_keys[k]))
				printf("  %-13s %12lld kB\n", mem_keys[k],
				       (long long)sqlite3_column_int64(v, 1));
		sqlite3_reset(v);
	}
}

/* The store, read-only when nothing has to be written; quiet: no message when it fails. */
static struct mmt_store *open_db(const char *db, bool write, bool quiet)
{
	struct mmt_store *st;
	struct mmt_err err = { 0 };

	if (access(db, F_OK) != 0) {
		fputs("mmtriage: ", stderr);
		mmt_fputs_safe(db, stderr);
		fputs(": no such database (ingest a trace into it first)\n", stderr);
		return NULL;
	}
	if (!write && mmt_store_open(&st, db, MMT_STORE_READONLY, &err) == 0)
		return st;
	/* Read-write also migrates a database made by an older mmtriage. */
	if (mmt_store_open(&st, db, 0, &err) == 0)
		return st;
	if (!quiet)
		mmt_print_err(&err);
	return NULL;
}

/* Why no trace covers T: before the first, after the last, or between. */
static int outside(const struct mmt_replay_source *src, size_t n, double t)
{
	fprintf(stderr, "mmtriage replay: %.6f is outside the trace%s:\n", t, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		double a = mmt_replay_seconds(&src[i], src[i].first_ns);
		double b = mmt_replay_seconds(&src[i], src[i].last_ns);

		if (src[i].last_id < src[i].first_id)
			fprintf(stderr, "  trace %lld holds no events\n", (long long)src[i].id);
		else
			fprintf(stderr, "  trace %lld runs from %.6f to %.6f: T is %s it\n",
				(long long)src[i].id, a, b, t < a ? "before" : "after");
	}
	return MMT_EXIT_FAIL;
}

static bool covers(const struct mmt_replay_source *src, double t)
{
	int64_t ns = mmt_replay_ns(src, t);

	return src->last_id >= src->first_id && ns >= src->first_ns && ns <= src->last_ns;
}

/* The store opened for writing, or NULL (quietly) when it cannot be written. */
static struct mmt_store *open_writable(const char *db)
{
	struct mmt_store *st = open_db(db, true, true);

	/* SQLite opens a file it may not write read-only, without a word. */
	if (st && sqlite3_db_readonly(mmt_store_handle(st), "main") == 1) {
		mmt_store_close(st);
		return NULL;
	}
	return st;
}

/*
 * Builds the checkpoints of the traces covering t that lack them, when the
 * database can be written; a trace left without is replayed from its start.
 */
static int ensure_built(struct mmt_store **st, const struct mmt_replay_at_opts *o,
			const struct mmt_replay_source *src, size_t n, double t)
{
	struct mmt_err err = { 0 };
	bool missing = false;

	for (size_t i = 0; i < n; i++)
		if (covers(&src[i], t) && mmt_replay_built(*st, src[i].id, &err) == 0)
			missing = true;
	if (!missing)
		return 0;
	mmt_store_close(*st);
	if (!(*st = open_writable(o->db))) {
		fputs("mmtriage: cannot write replay checkpoints into the database (read-only?); "
		      "replaying each trace from its start\n", stderr);
		return (*st = open_db(o->db, false, false)) ? 0 : -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct timespec a, b;

		if (!covers(&src[i], t) || mmt_replay_built(*st, src[i].id, &err) == 1)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (mmt_replay_build(*st, &src[i], 0, &err) < 0) {
			fprintf(stderr, "mmtriage: cannot build the replay checkpoints of trace %lld "
				"(%s); replaying it from its start\n", (long long)src[i].id, err.msg);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		fprintf(stderr, "mmtriage: built the replay checkpoints of trace %lld in %.2f s "
			"(once; they are kept in the database)\n", (long long)src[i].id,
			(double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	}
	return 0;
}

static int print_all(struct mmt_store *st, const struct mmt_replay_source *src, size_t n,
		     double t)
{
	struct mmt_err err = { 0 };
	bool first = true, wall = true;

	for (size_t i = 0; i < n; i++) {
		struct mmt_replay_state s;
		struct at_ctx c = { st, &src[i], &s, mmt_replay_ns(&src[i], t), false, MMT_SB_INIT };
		int rc;

		if (!first)
			putchar('\n');
		first = false;
		if (!covers(&src[i], t)) {
			printf("Trace %lld: T is outside it (%.6f to %.6f)\n", (long long)src[i].id,
			       mmt_replay_seconds(&src[i], src[i].first_ns),
			       mmt_replay_seconds(&src[i], src[i].last_ns));
			continue;
		}
		/* Checkpoints and trace_tasks come together. */
		c.names = mmt_replay_built(st, src[i].id, &err) == 1;
		wall &= src[i].has_offset;
		rc = mmt_replay_at(st, &src[i], c.t_ns, c.names, &s, &err);
		if (rc == 0)
			rc = print_source(&c, t, &err);
		mmt_replay_state_free(&s);
		mmt_sb_free(&c.sb);
		if (rc < 0) {
			mmt_print_err(&err);
			return MMT_EXIT_FAIL;
		}
	}
	print_memory(st, t, wall);
	return MMT_EXIT_OK;
}

int mmt_replay_at_command(const struct mmt_replay_at_opts *o)
{
	struct mmt_store *st = open_db(o->db, false, false);
	struct mmt_replay_source *src = NULL;
	struct mmt_err err = { 0 };
	size_t n = 0, covering = 0;
	int rc = MMT_EXIT_FAIL;

	if (!st)
		return MMT_EXIT_FAIL;
	if (mmt_replay_sources(st, o->source, &src, &n, &err) < 0) {
		mmt_print_err(&err);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		covering += covers(&src[i], o->t);
	if (!n && o->source)
		fprintf(stderr, "mmtriage replay: source %lld is not a trace\n", (long long)o->source);
	else if (!n)
		fputs("mmtriage replay: the database holds no trace (ingest a trace.dat, ftrace "
		      "text or perf script first)\n", stderr);
	else if (!covering)
		outside(src, n, o->t);
	else if (ensure_built(&st, o, src, n, o->t) == 0)
		rc = print_all(st, src, n, o->t);
out:
	free(src);
	mmt_store_close(st);
	return rc;
}
