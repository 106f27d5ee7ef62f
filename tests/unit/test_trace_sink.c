/*
 * Direct tests of the trace sink (parsers/trace_sink.c), the layer every
 * trace parser writes through: a store of its own, a sources row made by
 * SQL as the ingest driver makes it, and events handed over as a parser
 * hands them. Each test checks what schema/003-trace.sql promises: typed
 * tables and views per event type, columns added when a type grows, names
 * that cannot shadow the common columns or other views, task names,
 * stacks and instances stored once, the `events` view, nothing written
 * after a failure, ids that keep growing across sources.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/stack.h"
#include "core/store.h"
#include "parsers/trace_sink.h"

#include "klog_fixture.h"

/* A store, one source in it and the input a parser would be given. */
struct sfx {
	struct kfx fx;
	struct mmt_input in;
	struct mmt_err err;
	struct mmt_trace_sink *sink;
	int warnings;
	char warning[512];
};

static void on_warn(void *ctx, const char *path, long line, const char *msg)
{
	struct sfx *f = ctx;

	f->warnings++;
	snprintf(f->warning, sizeof(f->warning), "%s", msg);
}

/* A new sources row (as the ingest driver writes it) and a sink over it. */
static void open_source(struct sfx *f, const char *path)
{
	char *sql = sqlite3_mprintf("INSERT INTO sources (path, kind, sha256, size, ingested_at) "
				    "VALUES (%Q, 'trace_dat', %Q, 0, '2025-01-01T00:00:00Z')",
				    path, path);

	if (mmt_store_exec(f->fx.st, sql, &f->err) < 0)
		fail_msg("%s", f->err.msg);
	sqlite3_free(sql);
	memset(&f->in, 0, sizeof(f->in));
	f->in.path = path;
	f->in.fd = -1;
	f->in.source_id = mmt_store_last_id(f->fx.st);
	f->in.warn = on_warn;
	f->in.hook_ctx = f;
	f->sink = mmt_trace_open(&f->in, f->fx.st, &f->err);
	if (!f->sink)
		fail_msg("mmt_trace_open: %s", f->err.msg);
}

static void sfx_open(struct sfx *f)
{
	memset(f, 0, sizeof(*f));
	kfx_open(&f->fx);
	open_source(f, "trace-1.dat");
}

static void close_sink(struct sfx *f)
{
	if (mmt_trace_close(f->sink, true) < 0)
		fail_msg("mmt_trace_close: %s", f->err.msg);
	f->sink = NULL;
}

static struct mmt_trace_type *declare(struct sfx *f, const char *system, const char *name,
				      const struct mmt_trace_field *fields, size_t n)
{
	struct mmt_trace_type *t = mmt_trace_type(f->sink, system, name, fields, n);

	if (!t)
		fail_msg("mmt_trace_type %s:%s: %s", system, name, f->err.msg);
	return t;
}

static int64_t event(struct sfx *f, struct mmt_trace_type *t, uint64_t ts_ns, int cpu,
		     int pid, const char *comm, const struct mmt_trace_value *v)
{
	struct mmt_trace_common c = {
		.ts_ns = ts_ns, .cpu = cpu, .pid = pid, .comm = comm,
		.comm_n = comm ? strlen(comm) : 0, .flags = -1, .preempt = -1,
	};
	int64_t id = mmt_trace_event(f->sink, t, &c, v);

	if (id < 0)
		fail_msg("mmt_trace_event: %s", f->err.msg);
	return id;
}

#define TEXT(str) { .s = (str), .n = sizeof(str) - 1 }
#define INT(v) { .i = (int64_t)(v) }
#define NUL { .null = true }

static void expect_text(struct sfx *f, const char *want, const char *fmt, const char *arg)
{
	char got[512];

	kfx_qtext(&f->fx, got, sizeof(got), fmt, arg);
	if (strcmp(got, want))
		fail_msg("%s (%s): '%s', expected '%s'", fmt, arg ? arg : "", got, want);
}

static const struct mmt_trace_field switch_fields[] = {
	{ "prev_comm", MMT_TF_TEXT, "char prev_comm[16]" },
	{ "prev_pid", MMT_TF_INT, "pid_t" },
	{ "prev_state", MMT_TF_INT, "long" },
	{ "next_pid", MMT_TF_INT, "pid_t" },
};

/* A type's table has typed columns after the common ones; its view reads them. */
static void test_type_table_and_view(void **state)
{
	struct sfx f;
	struct mmt_trace_type *t;
	struct mmt_trace_common c = { .ts_ns = 1500000000, .cpu = 1, .pid = 42,
				      .comm = "kworker/1:0-events", .comm_n = 9,
				      .flags = 0x09, .preempt = 2 };
	struct mmt_trace_value v[] = { TEXT("bash"), INT(42), INT(0x100), INT(0) };

	sfx_open(&f);
	t = declare(&f, "sched", "sched_switch", switch_fields, 4);
	assert_true(mmt_trace_event(f.sink, t, &c, v) > 0);
	close_sink(&f);
	expect_text(&f, "ev_sched_sched_switch|sched_switch",
		    "SELECT tbl || '|' || view FROM trace_types WHERE name = %Q", "sched_switch");
	expect_text(&f, "INTEGER", "SELECT type FROM pragma_table_info('ev_sched_sched_switch') "
		    "WHERE name = %Q", "prev_pid");
	expect_text(&f, "TEXT", "SELECT type FROM pragma_table_info('ev_sched_sched_switch') "
		    "WHERE name = %Q", "prev_comm");
	expect_text(&f, "prev_comm TEXT char prev_comm[16],prev_pid INTEGER pid_t,"
		    "prev_state INTEGER long,next_pid INTEGER pid_t",
		    "SELECT group_concat(name || ' ' || sqltype || ' ' || ctype, ',') FROM "
		    "(SELECT * FROM trace_fields WHERE type_id = (SELECT id FROM trace_types "
		    "WHERE name = %Q) ORDER BY idx)", "sched_switch");
	/* The comm is comm[0..comm_n): not NUL-terminated at comm_n. */
	expect_text(&f, "1.5|1|42|kworker/1|9|2|bash|42|256|0",
		    "SELECT ts || '|' || common_cpu || '|' || common_pid || '|' || common_comm "
		    "|| '|' || common_flags || '|' || common_preempt_count || '|' || prev_comm "
		    "|| '|' || prev_pid || '|' || prev_state || '|' || next_pid FROM %s",
		    "sched_switch");
	assert_int_equal(kfx_qint(&f.fx, "SELECT events FROM trace_sources"), 1);
	assert_int_equal(f.in.records, 1);
	kfx_close(&f.fx);
}

/* Unsigned 64-bit values (kernel addresses) keep their bit pattern. */
static void test_unsigned_pattern(void **state)
{
	static const struct mmt_trace_field fields[] = {
		{ "call_site", MMT_TF_INT, "unsigned long" },
	};
	struct sfx f;
	struct mmt_trace_value v[] = { INT(0xffffffff81234567ull) };

	sfx_open(&f);
	event(&f, declare(&f, "kmem", "kmalloc", fields, 1), 1, 0, 1, "a", v);
	close_sink(&f);
	expect_text(&f, "ffffffff81234567", "SELECT printf('%%x', call_site) FROM %s", "kmalloc");
	kfx_close(&f.fx);
}

/* A later format with one more field: a new column, NULL in older rows. */
static void test_type_grows(void **state)
{
	struct sfx f;
	struct mmt_trace_type *t3, *t3again, *t4, *t2;
	struct mmt_trace_value v3[] = { TEXT("a"), INT(1), INT(2) };
	struct mmt_trace_value v4[] = { TEXT("b"), INT(3), INT(4), INT(5) };
	struct mmt_trace_value v2[] = { TEXT("c"), INT(6) };

	sfx_open(&f);
	t3 = declare(&f, "sched", "sched_switch", switch_fields, 3);
	t3again = declare(&f, "sched", "sched_switch", switch_fields, 3);
	assert_ptr_equal(t3, t3again);
	event(&f, t3, 10, 0, 1, "x", v3);
	t4 = declare(&f, "sched", "sched_switch", switch_fields, 4);
	assert_ptr_not_equal(t3, t4);
	event(&f, t4, 20, 0, 1, "x", v4);
	/* Fewer fields than the table has: the others stay NULL. */
	t2 = declare(&f, "sched", "sched_switch", switch_fields, 2);
	event(&f, t2, 30, 0, 1, "x", v2);
	event(&f, t3, 40, 0, 1, "x", v3);
	close_sink(&f);
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM trace_types"), 1);
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM trace_fields"), 4);
	expect_text(&f, "a,2,NULL|b,4,5|c,NULL,NULL|a,2,NULL",
		    "SELECT group_concat(prev_comm || ',' || ifnull(prev_state, 'NULL') || ',' "
		    "|| ifnull(next_pid, 'NULL'), '|') FROM (SELECT * FROM %s ORDER BY id)",
		    "sched_switch");
	kfx_close(&f.fx);
}

/*
 * Fields named like a column every event has (or like the view's own
 * columns) are prefixed; two fields that would make the same column
 * (names differing in case or in characters a column cannot hold) get
 * two columns.
 */
static void test_reserved_and_clashing_names(void **state)
{
	static const struct mmt_trace_field fields[] = {
		{ "id", MMT_TF_INT, NULL }, { "common_pid", MMT_TF_INT, NULL },
		{ "ts", MMT_TF_INT, NULL }, { "source", MMT_TF_TEXT, NULL },
		{ "ID", MMT_TF_INT, NULL }, { "a-b", MMT_TF_INT, NULL },
		{ "a_b", MMT_TF_INT, NULL }, { "9lives", MMT_TF_INT, NULL },
		{ "ts_ns", MMT_TF_INT, NULL },
	};
	struct sfx f;
	struct mmt_trace_value v[] = { INT(1), INT(2), INT(3), TEXT("s"), INT(5), INT(6),
				       INT(7), INT(8), INT(9) };
	char cols[512];

	sfx_open(&f);
	event(&f, declare(&f, "test", "odd", fields, 9), 100, 3, 77, "me", v);
	/* Declared again, the same fields land in the same columns. */
	event(&f, declare(&f, "test", "odd", fields, 9), 200, 3, 77, "me", v);
	close_sink(&f);
	kfx_qtext(&f.fx, cols, sizeof(cols), "SELECT group_concat(name, ',') FROM "
		  "(SELECT name FROM trace_fields ORDER BY idx)");
	assert_string_equal(cols, "f_id,f_common_pid,f_ts,f_source,f_ID_2,a_b,a_b_2,f_9lives,"
			    "f_ts_ns");
	expect_text(&f, "77|1|2|3|s|5|6|7|8|9|100",
		    "SELECT group_concat(common_pid || '|' || f_id || '|' || f_common_pid || '|' "
		    "|| f_ts || '|' || f_source || '|' || f_ID_2 || '|' || a_b || '|' || a_b_2 "
		    "|| '|' || f_9lives || '|' || f_ts_ns || '|' || ts_ns) FROM (SELECT * FROM %s "
		    "LIMIT 1)", "odd");
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM odd WHERE id > 0 AND "
				  "common_pid = 77 AND ts > 0"), 2);
	kfx_close(&f.fx);
}

/*
 * An event named like a view of the schema (meminfo, 002-state.sql) or
 * like another system's event gets system_name as its view.
 */
static void test_view_name_taken(void **state)
{
	static const struct mmt_trace_field fields[] = { { "kb", MMT_TF_INT, NULL } };
	struct sfx f;
	struct mmt_trace_value v[] = { INT(5) };

	sfx_open(&f);
	event(&f, declare(&f, "test", "meminfo", fields, 1), 1, 0, 1, "a", v);
	event(&f, declare(&f, "alpha", "thing", fields, 1), 2, 0, 1, "a", v);
	event(&f, declare(&f, "beta", "thing", fields, 1), 3, 0, 1, "a", v);
	close_sink(&f);
	expect_text(&f, "test_meminfo", "SELECT view FROM trace_types WHERE system = %Q", "test");
	expect_text(&f, "thing", "SELECT view FROM trace_types WHERE system = %Q", "alpha");
	expect_text(&f, "beta_thing", "SELECT view FROM trace_types WHERE system = %Q", "beta");
	assert_int_equal(kfx_qint(&f.fx, "SELECT kb FROM test_meminfo"), 5);
	assert_int_equal(kfx_qint(&f.fx, "SELECT ts * 1e9 FROM beta_thing"), 3);
	/* 002's view is untouched. */
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM meminfo"), 0);
	expect_text(&f, "view", "SELECT type FROM sqlite_master WHERE name = %Q", "meminfo");
	kfx_close(&f.fx);
}

static void push_frame(struct mmt_stack *stk, const char *sym, uint64_t off, uint64_t addr)
{
	struct mmt_frame fr = { .offset = off, .address = addr, .has_offset = true,
				.has_address = true, .reliable = true };

	snprintf(fr.symbol, sizeof(fr.symbol), "%s", sym);
	mmt_stack_push(stk, &fr);
}

/* Task names and stacks are stored once; the events view shows both. */
static void test_comms_and_stacks_once(void **state)
{
	static const struct mmt_trace_field fields[] = { { "nr", MMT_TF_INT, NULL } };
	struct sfx f;
	struct mmt_trace_type *t;
	struct mmt_trace_value v[] = { INT(1) };
	struct mmt_stack stk, other;
	int64_t e1, e2, e3;

	sfx_open(&f);
	t = declare(&f, "vmscan", "mm_vmscan_kswapd_wake", fields, 1);
	e1 = event(&f, t, 10, 0, 50, "kswapd0", v);
	e2 = event(&f, t, 20, 1, 51, "bash", v);
	e3 = event(&f, t, 30, 0, 50, "kswapd0", v);
	event(&f, t, 40, 0, 0, NULL, v);
	mmt_stack_init(&stk);
	mmt_stack_init(&other);
	push_frame(&stk, "shrink_node", 0x10, 0xffffffff81001010ull);
	push_frame(&stk, "kswapd", 0x20, 0xffffffff81002020ull);
	/* Same symbols at other addresses (another boot): the same stack. */
	push_frame(&other, "shrink_node", 0x10, 0xffffffffa1001010ull);
	push_frame(&other, "kswapd", 0x20, 0xffffffffa1002020ull);
	assert_int_equal(mmt_trace_stack(f.sink, e1, &stk), 0);
	assert_int_equal(mmt_trace_stack(f.sink, e3, &other), 0);
	mmt_stack_free(&stk);
	mmt_stack_free(&other);
	close_sink(&f);
	assert_int_equal(kfx_count_rows(&f.fx, "trace_comms"), 2);
	assert_int_equal(kfx_count_rows(&f.fx, "stacks"), 1);
	assert_int_equal(kfx_count_rows(&f.fx, "event_stacks"), 2);
	expect_text(&f, "shrink_node+16,kswapd+32",
		    "SELECT group_concat(symbol || '+' || offset, ',') FROM (SELECT * FROM frames "
		    "WHERE stack_id = (SELECT stack_id FROM events WHERE id = %s) ORDER BY idx)",
		    "1");
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM events WHERE stack_id IS NOT NULL "
				  "AND comm = 'kswapd0'"), 2);
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM events WHERE id = %lld AND "
				  "stack_id IS NULL", (long long)e2), 1);
	/* No task name: NULL, not an empty name. */
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM events WHERE comm IS NULL"), 1);
	kfx_close(&f.fx);
}

/*
 * A stack past MMT_STACK_MAX_FRAMES is stored cut, and the ingest says how
 * many stacks and frames were cut, once, at the close.
 */
static void test_cut_stack_warned(void **state)
{
	static const struct mmt_trace_field fields[] = { { "nr", MMT_TF_INT, NULL } };
	struct sfx f;
	struct mmt_trace_type *t;
	struct mmt_trace_value v[] = { INT(1) };
	struct mmt_stack stk;
	char name[32];
	int64_t e1, e2;

	sfx_open(&f);
	t = declare(&f, "ftrace", "kernel_stack_owner", fields, 1);
	e1 = event(&f, t, 10, 0, 50, "deep", v);
	e2 = event(&f, t, 20, 0, 50, "deep", v);
	mmt_stack_init(&stk);
	for (unsigned i = 0; i < MMT_STACK_MAX_FRAMES + 3; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		push_frame(&stk, name, 0x10, 0xffffffff81000000ull + i);
	}
	assert_int_equal(mmt_trace_stack(f.sink, e1, &stk), 0);
	assert_int_equal(mmt_trace_stack(f.sink, e2, &stk), 0);
	mmt_stack_free(&stk);
	assert_int_equal(f.warnings, 0);
	close_sink(&f);
	assert_int_equal(f.warnings, 1);
	assert_string_equal(f.warning, "2 stacks had more than 4096 frames "
			    "(MMT_STACK_MAX_FRAMES); the 6 frames past it were not stored");
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM frames"), MMT_STACK_MAX_FRAMES);
	kfx_close(&f.fx);
}

/* One row per event of every type, with its type and task. */
static void test_events_view(void **state)
{
	static const struct mmt_trace_field wake[] = { { "pid", MMT_TF_INT, "pid_t" } };
	struct sfx f;
	struct mmt_trace_type *sw, *wk;
	struct mmt_trace_value vs[] = { TEXT("a"), INT(1), INT(0), INT(2) };
	struct mmt_trace_value vw[] = { INT(9) };

	sfx_open(&f);
	sw = declare(&f, "sched", "sched_switch", switch_fields, 4);
	wk = declare(&f, "sched", "sched_wakeup", wake, 1);
	event(&f, wk, 1000, 0, 7, "sh", vw);
	event(&f, sw, 2000, 1, 8, "cat", vs);
	event(&f, wk, 3000000000ull, 1, 8, "cat", vw);
	close_sink(&f);
	assert_int_equal(kfx_count_rows(&f.fx, "events"), 3);
	expect_text(&f, "sched/sched_wakeup/sh/0.000001000/0|sched/sched_switch/cat/0.000002000/1|"
		    "sched/sched_wakeup/cat/3.000000000/1",
		    "SELECT group_concat(system || '/' || name || '/' || comm || '/' || "
		    "printf('%%.9f', ts) || '/' "
		    "|| cpu, '|') FROM (SELECT * FROM events WHERE source = %s ORDER BY id)", "1");
	expect_text(&f, "1000|3000000000|3",
		    "SELECT first_ns || '|' || last_ns || '|' || events FROM trace_sources "
		    "WHERE source_id = %s", "1");
	kfx_close(&f.fx);
}

/* A sink closed after a failure writes nothing of its own. */
static void test_close_failed(void **state)
{
	struct sfx f;
	struct mmt_trace_value v[] = { TEXT("a"), INT(1), INT(0), INT(2) };

	sfx_open(&f);
	event(&f, declare(&f, "sched", "sched_switch", switch_fields, 4), 1, 0, 1, "a", v);
	mmt_trace_skip(f.sink, "offset 0x10: bad");
	assert_int_equal(mmt_trace_close(f.sink, false), -1);
	assert_int_equal(kfx_count_rows(&f.fx, "trace_sources"), 0);
	assert_int_equal(f.in.records, 0);
	assert_null(f.in.clock);
	assert_int_equal(f.warnings, 0);
	/* The view of the type is made at a successful close only. */
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM sqlite_master WHERE name = "
				  "'sched_switch'"), 0);
	kfx_close(&f.fx);
}

/* Ids go on from one source to the next; each source knows its range. */
static void test_ids_across_sources(void **state)
{
	struct sfx f;
	struct mmt_trace_value v[] = { TEXT("a"), INT(1), INT(0), INT(2) };
	struct mmt_trace_type *t;

	sfx_open(&f);
	t = declare(&f, "sched", "sched_switch", switch_fields, 4);
	assert_int_equal(event(&f, t, 5, 0, 1, "a", v), 1);
	assert_int_equal(event(&f, t, 6, 0, 1, "a", v), 2);
	assert_int_equal(event(&f, t, 7, 0, 1, "a", v), 3);
	close_sink(&f);
	open_source(&f, "trace-2.dat");
	t = declare(&f, "sched", "sched_switch", switch_fields, 4);
	assert_int_equal(event(&f, t, 1, 0, 1, "a", v), 4);
	assert_int_equal(event(&f, t, 2, 0, 1, "b", v), 5);
	assert_int_equal(mmt_trace_events(f.sink), 2);
	close_sink(&f);
	expect_text(&f, "1,1,3,3|2,4,5,2",
		    "SELECT group_concat(source_id || ',' || first_id || ',' || last_id || ',' "
		    "|| events, '|') FROM (SELECT * FROM trace_sources ORDER BY source_id)%s", "");
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM sched_switch WHERE source = 2"), 2);
	assert_int_equal(kfx_count_rows(&f.fx, "trace_comms"), 2);
	kfx_close(&f.fx);
}

/* Skipped records, lost events and the clock reach trace_sources and sources. */
static void test_skip_lost_clock(void **state)
{
	struct sfx f;
	struct mmt_trace_value v[] = { TEXT("a"), INT(1), INT(0), INT(2) };

	sfx_open(&f);
	event(&f, declare(&f, "sched", "sched_switch", switch_fields, 4), 1, 0, 1, "a", v);
	mmt_trace_skip(f.sink, "offset 0x%x: %s", 0x2000, "page header past the end");
	mmt_trace_skip(f.sink, "offset 0x3000: second");
	mmt_trace_lost(f.sink, 12);
	mmt_trace_lost(f.sink, 3);
	mmt_trace_lost(f.sink, 0);	/* lost, but how many is not said */
	mmt_trace_set_clock(f.sink, "local", 2);
	close_sink(&f);
	expect_text(&f, "local|2|15|3|2|offset 0x2000: page header past the end",
		    "SELECT clock || '|' || cpus || '|' || lost || '|' || lost_gaps || '|' || "
		    "skipped || '|' || first_skipped FROM trace_sources%s", "");
	assert_string_equal(f.in.clock, "monotonic");
	assert_int_equal(f.warnings, 1);
	assert_non_null(strstr(f.warning, "offset 0x2000: page header past the end"));
	/* Nothing lost, nothing said: NULL. */
	open_source(&f, "trace-2.dat");
	mmt_trace_set_clock(f.sink, "x86-tsc", 4);
	close_sink(&f);
	expect_text(&f, "NULL|NULL|0|NULL|x86-tsc",
		    "SELECT ifnull(lost, 'NULL') || '|' || ifnull(lost_gaps, 'NULL') || '|' || "
		    "skipped || '|' || ifnull(first_skipped, 'NULL') || '|' || clock FROM "
		    "trace_sources WHERE source_id = %s", "2");
	assert_null(f.in.clock);
	kfx_close(&f.fx);
}

/* Events of buffer instances name their instance; the top buffer's do not. */
static void test_instances(void **state)
{
	struct sfx f;
	struct mmt_trace_value v[] = { TEXT("a"), INT(1), INT(0), INT(2) };
	struct mmt_trace_type *t;

	sfx_open(&f);
	t = declare(&f, "sched", "sched_switch", switch_fields, 4);
	event(&f, t, 1, 0, 1, "a", v);
	assert_int_equal(mmt_trace_set_instance(f.sink, "foo"), 0);
	event(&f, t, 2, 0, 1, "a", v);
	assert_int_equal(mmt_trace_set_instance(f.sink, "bar"), 0);
	event(&f, t, 3, 0, 1, "a", v);
	assert_int_equal(mmt_trace_set_instance(f.sink, "foo"), 0);
	event(&f, t, 4, 0, 1, "a", v);
	assert_int_equal(mmt_trace_set_instance(f.sink, NULL), 0);
	event(&f, t, 5, 0, 1, "a", v);
	close_sink(&f);
	/* A second source has instances of its own, even of the same name. */
	open_source(&f, "trace-2.dat");
	t = declare(&f, "sched", "sched_switch", switch_fields, 4);
	assert_int_equal(mmt_trace_set_instance(f.sink, "foo"), 0);
	event(&f, t, 6, 0, 1, "a", v);
	close_sink(&f);
	expect_text(&f, "-,foo,bar,foo,-",
		    "SELECT group_concat(ifnull(common_instance, '-'), ',') FROM (SELECT * FROM "
		    "sched_switch WHERE source = %s ORDER BY id)", "1");
	expect_text(&f, "-,foo,bar,foo,-,foo",
		    "SELECT group_concat(ifnull(instance, '-'), ',') FROM (SELECT * FROM "
		    "events ORDER BY id)%s", "");
	assert_int_equal(kfx_count_rows(&f.fx, "trace_instances"), 3);
	assert_int_equal(kfx_qint(&f.fx, "SELECT count(*) FROM trace_instances WHERE "
				  "source_id = 2 AND name = 'foo'"), 1);
	kfx_close(&f.fx);
}

/* An empty string is '' and a NULL value is NULL. */
static void test_empty_and_null_values(void **state)
{
	struct sfx f;
	struct mmt_trace_value v[] = { { .s = NULL, .n = 0 }, NUL, INT(-1), INT(0) };

	sfx_open(&f);
	event(&f, declare(&f, "sched", "sched_switch", switch_fields, 4), 1, -1, -1, NULL, v);
	close_sink(&f);
	expect_text(&f, "''|NULL|-1|NULL|NULL",
		    "SELECT quote(prev_comm) || '|' || quote(prev_pid) || '|' || prev_state "
		    "|| '|' || quote(common_cpu) || '|' || quote(common_pid) FROM %s",
		    "sched_switch");
	kfx_close(&f.fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_table_and_view),
		cmocka_unit_test(test_unsigned_pattern),
		cmocka_unit_test(test_type_grows),
		cmocka_unit_test(test_reserved_and_clashing_names),
		cmocka_unit_test(test_view_name_taken),
		cmocka_unit_test(test_comms_and_stacks_once),
		cmocka_unit_test(test_events_view),
		cmocka_unit_test(test_close_failed),
		cmocka_unit_test(test_ids_across_sources),
		cmocka_unit_test(test_skip_lost_clock),
		cmocka_unit_test(test_instances),
		cmocka_unit_test(test_empty_and_null_values),
		cmocka_unit_test(test_cut_stack_warned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
