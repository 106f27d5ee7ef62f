/*
 * Tests of the perf script parser (parsers/perf_script.c) on real captures
 * of this project's machine (tests/data/perf_script, README.md there says
 * how each was made) and on the perf script files of the corpus
 * (../shared/corpus, kind perf_script in its MANIFEST.tsv; skipped when
 * absent). Every expected number was taken from the file itself with the
 * grep or awk command written beside it, not from the parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parsers/parser.h"

#include "klog_fixture.h"

#define DIR "perf_script"

/* The ev_* row of the event stored from line `line` of a one-event-a-line file. */
static int64_t event_at_line(struct kfx *fx, int64_t src, long line)
{
	return kfx_qint(fx, "SELECT first_id + %ld - 1 FROM trace_sources WHERE source_id = %lld",
			line, (long long)src);
}

/* The n-th (0-based) event of a source. */
static int64_t nth_event(struct kfx *fx, int64_t src, int n)
{
	return kfx_qint(fx, "SELECT id FROM events WHERE source = %lld ORDER BY id LIMIT 1 "
			"OFFSET %d", (long long)src, n);
}

static int64_t count_events(struct kfx *fx, int64_t src, const char *system, const char *name)
{
	return kfx_qint(fx, "SELECT count(*) FROM events WHERE source = %lld AND system = '%q' "
			"AND name = '%q'", (long long)src, system, name);
}

static void expect_text(struct kfx *fx, const char *want, const char *fmt, ...)
{
	char got[512], *sql;
	va_list ap;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	kfx_qtext(fx, got, sizeof(got), "%s", sql);
	if (strcmp(got, want))
		fail_msg("%s: '%s', expected '%s'", sql, got, want);
	sqlite3_free(sql);
}

#define COMM "(SELECT comm FROM trace_comms WHERE id = common_comm_id)"

/*
 * The events of each type in the four tracepoint files (one event a line):
 *   grep -c ' sched:sched_switch: ' FILE                      -> 94
 *   grep -c ' sched:sched_wakeup: ' FILE                      -> 55
 *   grep -c ' ipi:ipi_send_cpu: ' FILE                        -> 6
 *   grep -c ' vmscan:mm_vmscan_memcg_reclaim_begin: ' FILE    -> 54
 *   grep -c ' vmscan:mm_vmscan_memcg_reclaim_end: ' FILE      -> 53
 *   grep -c '' FILE                                           -> 262
 */
static void expect_tracepoint_counts(struct kfx *fx, int64_t src)
{
	kfx_expect_kind(fx, src, "perf_script");
	assert_int_equal(count_events(fx, src, "sched", "sched_switch"), 94);
	assert_int_equal(count_events(fx, src, "sched", "sched_wakeup"), 55);
	assert_int_equal(count_events(fx, src, "ipi", "ipi_send_cpu"), 6);
	assert_int_equal(count_events(fx, src, "vmscan", "mm_vmscan_memcg_reclaim_begin"), 54);
	assert_int_equal(count_events(fx, src, "vmscan", "mm_vmscan_memcg_reclaim_end"), 53);
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM events WHERE source = %lld",
				  (long long)src), 262);
	expect_text(fx, "perf|262|0|NULL", "SELECT clock || '|' || events || '|' || skipped || '|' "
		    "|| ifnull(cpus, 'NULL') FROM trace_sources WHERE source_id = %lld",
		    (long long)src);
	expect_text(fx, "monotonic|perf script", "SELECT clock || '|' || format FROM sources "
		    "WHERE id = %lld", (long long)src);
}

static void test_tracepoint_counts(void **state)
{
	static const char *const files[] = {
		"tracepoints.txt", "tracepoints-tid.txt", "tracepoints-nocpu.txt",
		"tracepoints-plugins.txt",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct kfx fx;
		int64_t src = kfx_open_data(&fx, DIR, files[i]);

		expect_tracepoint_counts(&fx, src);
		assert_int_equal(fx.warnings, 0);
		kfx_close(&fx);
	}
}

/* One line of each type of tracepoints.txt, column by column. */
static void test_tracepoint_fields(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, DIR, "tracepoints.txt");

	/*
	 * line 1: "perf 3160 [000] 7913.286059: sched:sched_wakeup:
	 * comm=migration/0 pid=18 prio=0 target_cpu=000"
	 */
	kfx_expect_row(&fx, "ev_sched_sched_wakeup", event_at_line(&fx, src, 1), (const char *const[]){
		"common_ts_ns", "7913286059000", "common_cpu", "0", "common_pid", "3160",
		COMM, "perf", "common_flags", "NULL", "comm", "migration/0", "pid", "18",
		"prio", "0", "target_cpu", "0", NULL });
	/* line 2: the kernel's sched_switch format with its "==>" */
	kfx_expect_row(&fx, "ev_sched_sched_switch", event_at_line(&fx, src, 2), (const char *const[]){
		"common_ts_ns", "7913286063000", "common_cpu", "0", "common_pid", "3160",
		"prev_comm", "perf", "prev_pid", "3160", "prev_prio", "120", "prev_state", "D",
		"next_comm", "migration/0", "next_pid", "18", "next_prio", "0", NULL });
	/* line 18: a task name with blanks and a number, in the header and in values */
	kfx_expect_row(&fx, "ev_sched_sched_switch", event_at_line(&fx, src, 18), (const char *const[]){
		"common_ts_ns", "7913296696000", "common_cpu", "1", "common_pid", "3162",
		COMM, "mmt load 2", "prev_comm", "mmt load 2", "prev_pid", "3162",
		"prev_state", "D", "next_comm", "swapper/1", "next_pid", "0", NULL });
	/*
	 * line 8: "cpu=0 callsite=ttwu_queue_wakelist+0x11d
	 * callback=generic_smp_call_function_single_interrupt+0x0"
	 */
	kfx_expect_row(&fx, "ev_ipi_ipi_send_cpu", event_at_line(&fx, src, 8), (const char *const[]){
		"common_cpu", "1", "common_pid", "3160", "cpu", "0",
		"callsite", "ttwu_queue_wakelist+0x11d",
		"callback", "generic_smp_call_function_single_interrupt+0x0", NULL });
	/* lines 14 and 38: the cgroup's reclaim */
	kfx_expect_row(&fx, "ev_vmscan_mm_vmscan_memcg_reclaim_begin", event_at_line(&fx, src, 14),
		       (const char *const[]){ "common_ts_ns", "7913296575000", COMM, "mmt load 2",
		       "\"order\"", "0", "gfp_flags", "GFP_HIGHUSER_MOVABLE", NULL });
	kfx_expect_row(&fx, "ev_vmscan_mm_vmscan_memcg_reclaim_end", event_at_line(&fx, src, 38),
		       (const char *const[]){ "common_ts_ns", "7913310699000", "common_cpu", "0",
		       "nr_reclaimed", "342", NULL });
	/* The columns carry the names of the events' format fields, in their order. */
	expect_text(&fx, "prev_comm:TEXT,prev_pid:INTEGER,prev_prio:INTEGER,prev_state:TEXT,"
		    "next_comm:TEXT,next_pid:INTEGER,next_prio:INTEGER",
		    "SELECT group_concat(name || ':' || sqltype, ',') FROM (SELECT f.name, f.sqltype "
		    "FROM trace_fields f JOIN trace_types t ON t.id = f.type_id "
		    "WHERE t.name = 'sched_switch' ORDER BY f.idx)");
	expect_text(&fx, "cpu:INTEGER,callsite:TEXT,callback:TEXT", "SELECT group_concat(name "
		    "|| ':' || sqltype, ',') FROM (SELECT f.name, f.sqltype FROM trace_fields f "
		    "JOIN trace_types t ON t.id = f.type_id WHERE t.name = 'ipi_send_cpu' "
		    "ORDER BY f.idx)");
	/* grep -c 'prev_comm=mmt load 2 ' tracepoints.txt -> 31 */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM sched_switch WHERE prev_comm = "
				  "'mmt load 2'"), 31);
	kfx_close(&fx);
}

/*
 * Two renderings of the same events ingested into one store must agree
 * row by row on cols (an SQL expression over rows a and b of the type's
 * view); returns the rows that do not.
 */
static int64_t mismatches(struct kfx *fx, const char *view, int64_t src_a, int64_t src_b,
			  const char *cond)
{
	return kfx_qint(fx, "WITH a AS (SELECT row_number() OVER (ORDER BY id) r, * FROM %s "
			"WHERE source = %lld), b AS (SELECT row_number() OVER (ORDER BY id) r, * "
			"FROM %s WHERE source = %lld) SELECT count(*) FROM a JOIN b USING (r) "
			"WHERE NOT (%s)", view, (long long)src_a, view, (long long)src_b, cond);
}

#define SAME_COMMON "a.ts = b.ts AND a.common_pid IS b.common_pid AND a.common_comm IS b.common_comm"
#define SAME_SWITCH "a.prev_comm IS b.prev_comm AND a.prev_pid IS b.prev_pid AND " \
	"a.prev_prio IS b.prev_prio AND a.next_comm IS b.next_comm AND " \
	"a.next_pid IS b.next_pid AND a.next_prio IS b.next_prio"

/* -F comm,pid,tid,...: "3160/3160"; -F comm,pid,time,...: no CPU column. */
static void test_optional_columns(void **state)
{
	struct kfx fx;
	char path[4096];
	int64_t plain, tid, nocpu;

	plain = kfx_open_data(&fx, DIR, "tracepoints.txt");
	kfx_data_path(path, sizeof(path), DIR, "tracepoints-tid.txt");
	tid = kfx_ingest_path(&fx, path);
	kfx_data_path(path, sizeof(path), DIR, "tracepoints-nocpu.txt");
	nocpu = kfx_ingest_path(&fx, path);
	assert_int_equal(mismatches(&fx, "sched_switch", plain, tid,
				    SAME_COMMON " AND a.common_cpu = b.common_cpu AND " SAME_SWITCH), 0);
	assert_int_equal(mismatches(&fx, "sched_switch", plain, nocpu,
				    SAME_COMMON " AND b.common_cpu IS NULL AND " SAME_SWITCH), 0);
	assert_int_equal(mismatches(&fx, "ipi_send_cpu", plain, nocpu,
				    SAME_COMMON " AND a.cpu = b.cpu AND a.callsite = b.callsite"), 0);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM events WHERE source = %lld AND "
				  "cpu IS NULL", (long long)nocpu), 262);
	/* line 14 of the tid file: "mmt load 2  3162/3162  [001]  7913.296575:" */
	kfx_expect_row(&fx, "ev_vmscan_mm_vmscan_memcg_reclaim_begin", event_at_line(&fx, tid, 14),
		       (const char *const[]){ "common_pid", "3162", "common_cpu", "1", COMM,
		       "mmt load 2", NULL });
	kfx_close(&fx);
}

/*
 * libtraceevent's sched plugin: the same events, other text. Its
 * sched_switch letters for prev_state are an older table's, without the
 * preemption '+': 'I' is printed 'W', 'R+' 'R' and 'Z' 'X':
 *   grep -o 'prev_state=[^ ]*' tracepoints.txt | sort | uniq -c
 *   -> 11 D, 40 I, 9 R, 28 R+, 5 S, 1 Z
 */
static void test_plugin_forms(void **state)
{
	struct kfx fx;
	char path[4096];
	int64_t plain, plugin;

	plain = kfx_open_data(&fx, DIR, "tracepoints.txt");
	kfx_data_path(path, sizeof(path), DIR, "tracepoints-plugins.txt");
	plugin = kfx_ingest_path(&fx, path);
	assert_int_equal(mismatches(&fx, "sched_switch", plain, plugin,
				    SAME_COMMON " AND " SAME_SWITCH), 0);
	assert_int_equal(mismatches(&fx, "sched_switch", plain, plugin,
				    "a.prev_state = b.prev_state"), 40 + 28 + 1);
	assert_int_equal(mismatches(&fx, "sched_switch", plain, plugin,
				    "a.prev_state = b.prev_state OR (a.prev_state, b.prev_state) IN "
				    "(VALUES ('I', 'W'), ('R+', 'R'), ('Z', 'X'))"), 0);
	assert_int_equal(mismatches(&fx, "sched_wakeup", plain, plugin, SAME_COMMON " AND "
				    "a.comm = b.comm AND a.pid = b.pid AND a.prio = b.prio AND "
				    "a.target_cpu = b.target_cpu"), 0);
	/* line 11: "perf:3160 [120] S ==> mmt load 2:3162 [120]" */
	kfx_expect_row(&fx, "ev_sched_sched_switch", event_at_line(&fx, plugin, 11),
		       (const char *const[]){ "prev_comm", "perf", "prev_pid", "3160",
		       "prev_prio", "120", "prev_state", "S", "next_comm", "mmt load 2",
		       "next_pid", "3162", "next_prio", "120", NULL });
	kfx_close(&fx);
}

/* Frame idx of the stack of event ev, as "symbol|offset|module|address". */
static void expect_frame(struct kfx *fx, int64_t ev, int idx, const char *want)
{
	expect_text(fx, want, "SELECT f.symbol || '|' || CASE WHEN f.offset IS NULL THEN '' "
		    "ELSE printf('0x%%x', f.offset) END || '|' || ifnull(f.module, '') || '|' || "
		    "f.address FROM frames f JOIN event_stacks s ON s.stack_id = f.stack_id "
		    "WHERE s.event_id = %lld AND f.idx = %d", (long long)ev, idx);
}

static int64_t depth_of(struct kfx *fx, int64_t ev)
{
	return kfx_qint(fx, "SELECT depth FROM stacks WHERE id = (SELECT stack_id FROM "
			"event_stacks WHERE event_id = %lld)", (long long)ev);
}

static int64_t total_depth(struct kfx *fx, int64_t src)
{
	return kfx_qint(fx, "SELECT ifnull(sum(s.depth), 0) FROM events e JOIN stacks s ON "
			"s.id = e.stack_id WHERE e.source = %lld", (long long)src);
}

/*
 * cpu-clock-callchains.txt:
 *   grep -c ' cpu-clock: $' FILE           -> 50 events
 *   grep -c '^	' FILE                      -> 506 frames
 *   grep -c ' 20408163 cpu-clock: $' FILE  -> 50 (the period column)
 * The 4th event (line 37, "mmt load 2  3214 [000]  7915.208333:") has 9
 * frames, from copy_folio_from_iter_atomic+0xcd to "[unknown] ([unknown])".
 */
static void test_call_chains(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, DIR, "cpu-clock-callchains.txt");
	int64_t ev = nth_event(&fx, src, 3);

	assert_int_equal(count_events(&fx, src, "perf", "cpu-clock"), 50);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM events WHERE source = %lld AND "
				  "stack_id IS NOT NULL", (long long)src), 50);
	assert_int_equal(total_depth(&fx, src), 506);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM cpu_clock WHERE period = 20408163"), 50);
	kfx_expect_row(&fx, "ev_perf_cpu_clock", ev, (const char *const[]){
		"common_ts_ns", "7915208333000", "common_cpu", "0", "common_pid", "3214",
		COMM, "mmt load 2", NULL });
	assert_int_equal(depth_of(&fx, ev), 9);
	expect_frame(&fx, ev, 0, "copy_folio_from_iter_atomic|0xcd||0xffffffff81bb216d");
	expect_frame(&fx, ev, 7, "__GI___libc_write|0x10|libc.so.6|0xf8350");
	expect_frame(&fx, ev, 8, "[unknown]||unknown|0x0");
	/* The first event: swapper's idle loop, 10 frames. */
	ev = nth_event(&fx, src, 0);
	assert_int_equal(depth_of(&fx, ev), 10);
	expect_frame(&fx, ev, 0, "pv_native_safe_halt|0xb||0xffffffff8225f42b");
	expect_frame(&fx, ev, 9, "common_startup_64|0x13b||0xffffffff81301533");
	kfx_close(&fx);
}

/* perf script --ns: the same samples with 9 decimals, the same stacks. */
static void test_nanoseconds(void **state)
{
	struct kfx fx;
	char path[4096];
	int64_t us = kfx_open_data(&fx, DIR, "cpu-clock-callchains.txt"), ns;

	kfx_data_path(path, sizeof(path), DIR, "cpu-clock-callchains-ns.txt");
	ns = kfx_ingest_path(&fx, path);
	/* head -1: "swapper     0 [000]  7915.147114345:   20408163 cpu-clock:" */
	assert_int_equal(kfx_qint(&fx, "SELECT ts_ns FROM events WHERE id = %lld",
				  (long long)nth_event(&fx, ns, 0)), 7915147114345LL);
	assert_int_equal(kfx_qint(&fx, "WITH a AS (SELECT row_number() OVER (ORDER BY id) r, * "
				  "FROM events WHERE source = %lld), b AS (SELECT row_number() OVER "
				  "(ORDER BY id) r, * FROM events WHERE source = %lld) SELECT count(*) "
				  "FROM a JOIN b USING (r) WHERE a.stack_id = b.stack_id AND "
				  "a.ts_ns = b.ts_ns / 1000 * 1000", (long long)us, (long long)ns), 50);
	kfx_close(&fx);
}

/* text[0..len) with the first find of line `line` replaced by repl. */
static char *replace_in_line(const char *text, size_t len, long line, const char *find,
			     const char *repl, size_t *outlen)
{
	size_t at = kfx_line_offset(text, len, line), flen = strlen(find), rlen = strlen(repl);
	const char *end = memchr(text + at, '\n', len - at);
	const char *hit = memmem(text + at, (size_t)(end - (text + at)), find, flen);
	char *out;

	assert_non_null(hit);
	*outlen = len - flen + rlen;
	out = malloc(*outlen + 1);
	memcpy(out, text, (size_t)(hit - text));
	memcpy(out + (hit - text), repl, rlen);
	memcpy(out + (hit - text) + rlen, hit + flen, len - (size_t)(hit - text) - flen);
	out[*outlen] = '\0';
	return out;
}

static void expect_skipped(struct kfx *fx, int64_t src, int64_t n, const char *first)
{
	assert_int_equal(kfx_qint(fx, "SELECT skipped FROM trace_sources WHERE source_id = %lld",
				  (long long)src), n);
	expect_text(fx, first, "SELECT ifnull(first_skipped, 'NULL') FROM trace_sources "
		    "WHERE source_id = %lld", (long long)src);
}

/* Two lines broken: both skipped and counted, the first named. */
static void test_garbage_lines(void **state)
{
	struct kfx fx;
	char path[4096];
	size_t len, len2;
	char *once, *twice;
	int64_t src;

	kfx_data_path(path, sizeof(path), DIR, "tracepoints.txt");
	once = kfx_derive(path, 5, "7913.289045:", "7913.289045", &len);
	twice = replace_in_line(once, len, 9, "[000]", "[0x0]", &len2);
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, twice, len2);
	kfx_expect_kind(&fx, src, "perf_script");
	assert_int_equal(kfx_qint(&fx, "SELECT events FROM trace_sources"), 260);
	expect_skipped(&fx, src, 2, "line 5: not a perf script line");
	assert_int_equal(count_events(&fx, src, "sched", "sched_wakeup"), 53);
	assert_int_equal(fx.warnings, 1);
	kfx_close(&fx);
	free(once);
	free(twice);
}

/* A broken call-chain line, and an event line whose chain goes with it. */
static void test_garbage_in_chains(void **state)
{
	struct kfx fx;
	char path[4096];
	size_t len;
	char *text;
	int64_t src;

	kfx_data_path(path, sizeof(path), DIR, "cpu-clock-callchains.txt");
	text = kfx_derive(path, 40, "ffffffff817cc278", "zzzz", &len);
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, text, len);
	expect_skipped(&fx, src, 1, "line 40: not a call-chain line");
	assert_int_equal(depth_of(&fx, nth_event(&fx, src, 3)), 8);
	assert_int_equal(total_depth(&fx, src), 505);
	kfx_close(&fx);
	free(text);

	text = kfx_derive(path, 37, "cpu-clock:", "cpu-clock", &len);
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, text, len);
	expect_skipped(&fx, src, 1, "line 37: not a perf script line");
	assert_int_equal(kfx_qint(&fx, "SELECT events FROM trace_sources"), 49);
	assert_int_equal(total_depth(&fx, src), 506 - 9);
	kfx_close(&fx);
	free(text);
}

/* Files cut in the middle of a line: the cut line is skipped. */
static void test_cut_short(void **state)
{
	struct kfx fx;
	size_t len;
	char *text = kfx_data(DIR, "tracepoints.txt", &len);
	int64_t src;

	kfx_open(&fx);
	src = kfx_ingest_text(&fx, text, kfx_line_offset(text, len, 100) + 60);
	assert_int_equal(kfx_qint(&fx, "SELECT events FROM trace_sources"), 99);
	expect_skipped(&fx, src, 1, "line 100: cut short");
	kfx_close(&fx);
	free(text);

	/* In the 3rd frame of the 4th sample: its chain is not stored. */
	text = kfx_data(DIR, "cpu-clock-callchains.txt", &len);
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, text, kfx_line_offset(text, len, 40) + 20);
	assert_int_equal(kfx_qint(&fx, "SELECT events FROM trace_sources"), 4);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM event_stacks"), 3);
	expect_skipped(&fx, src, 1, "line 40: cut short; the call chain of its event is not stored");
	kfx_close(&fx);
	free(text);
}

/*
 * A value that is not a number in an INTEGER column: the column takes text
 * from there on; numbers after it stay integers (the column's affinity).
 */
static void test_value_not_a_number(void **state)
{
	struct kfx fx;
	char path[4096];
	size_t len;
	char *text;
	int64_t src;

	kfx_data_path(path, sizeof(path), DIR, "tracepoints.txt");
	text = kfx_derive(path, 18, "prev_pid=3162", "prev_pid=3l62", &len);
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, text, len);
	assert_int_equal(kfx_qint(&fx, "SELECT events FROM trace_sources"), 262);
	expect_skipped(&fx, src, 0, "NULL");
	kfx_expect_row(&fx, "ev_sched_sched_switch", event_at_line(&fx, src, 18),
		       (const char *const[]){ "prev_pid", "3l62", "typeof(prev_pid)", "text",
		       "prev_comm", "mmt load 2", "next_comm", "swapper/1", NULL });
	/* line 28: "prev_comm=mmt load 2 prev_pid=3162", after the change */
	kfx_expect_row(&fx, "ev_sched_sched_switch", event_at_line(&fx, src, 28),
		       (const char *const[]){ "prev_pid", "3162", "typeof(prev_pid)", "integer",
		       NULL });
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM sched_switch WHERE "
				  "typeof(prev_pid) = 'integer'"), 93);
	assert_int_equal(fx.warnings, 1);
	assert_int_equal(fx.warning_line, 18);
	assert_non_null(strstr(fx.warning, "sched_switch.prev_pid = '3l62'"));
	kfx_close(&fx);
	free(text);

	/*
	 * A NULL callback, as %pS prints it, first: the column is text all the
	 * same (a code pointer), and nothing is said.
	 */
	text = kfx_derive(path, 8, "callback=generic_smp_call_function_single_interrupt+0x0",
			  "callback=0x0", &len);
	kfx_open(&fx);
	src = kfx_ingest_text(&fx, text, len);
	assert_int_equal(fx.warnings, 0);
	kfx_expect_row(&fx, "ev_ipi_ipi_send_cpu", event_at_line(&fx, src, 8),
		       (const char *const[]){ "callback", "0x0", "typeof(callback)", "text", NULL });
	/* grep -c 'callback=generic_smp_call_function_single_interrupt+0x0' -> 6, less line 8 */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM ipi_send_cpu WHERE callback = "
				  "'generic_smp_call_function_single_interrupt+0x0'"), 6 - 1);
	kfx_close(&fx);
	free(text);
}

/* No event line at all: refused, the store unchanged. */
static void test_refused(void **state)
{
	static const char text[] = "# ========\n# captured on: nothing\nnot perf\nat all\n";

	kfx_expect_refused_as(NULL, "perf_script", text, sizeof(text) - 1, 4,
			      "no perf script event");
}

/* The probe's score and the parser sniffing picks for a file. */
static int probe_file(const char *path, const char **sniffed)
{
	size_t len;
	char *buf = kfx_slurp(path, &len);
	const struct mmt_parser *perf = mmt_parser_find("perf_script"), *best;
	int score;

	assert_non_null(perf);
	if (len > MMT_HEAD_MAX) {
		len = MMT_HEAD_MAX;
		buf[len] = '\0';
	}
	score = perf->probe(buf, len);
	best = mmt_parser_sniff(buf, len);
	*sniffed = best ? best->name : "none";
	free(buf);
	return score;
}

static void test_probe(void **state)
{
	static const char *const files[] = {
		"tracepoints.txt", "tracepoints-tid.txt", "tracepoints-nocpu.txt",
		"tracepoints-plugins.txt", "cpu-clock-callchains.txt",
		"cpu-clock-callchains-ns.txt",
	};
	char path[4096];
	const char *sniffed;
	glob_t g;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		kfx_data_path(path, sizeof(path), DIR, files[i]);
		assert_true(probe_file(path, &sniffed) > 90);
		assert_string_equal(sniffed, "perf_script");
	}
	/* Kernel logs stay the kernel-log parser's. */
	snprintf(path, sizeof(path), "%s/samples/*/dmesg*.txt", kfx_source_dir());
	assert_int_equal(glob(path, 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 16);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		if (probe_file(g.gl_pathv[i], &sniffed) >= 40)
			fail_msg("%s: perf_script probe too sure", g.gl_pathv[i]);
		assert_string_equal(sniffed, "kernel_log");
	}
	globfree(&g);
}

/* ftrace text and trace-cmd report ("comm-pid [cpu] ts: event:") are not perf's. */
static void test_probe_ftrace_text(void **state)
{
	static const char *const files[] = {
		"lisa/tests/assets/trace_txt/trace.txt",
		"lisa/tests/assets/sched_load/trace.dat.trace-cmd-report.txt",
		"trappy/tests/trace_sched.txt",
		"lkml/linux-ext4/writeback-events-lazytime-5.6.txt",
		"perf-tools/examples/funcgraph_example.txt",
		"perf-tools/examples/tpoint_example.txt",
	};
	char path[4096];
	const char *sniffed;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		kfx_corpus_path(path, sizeof(path), files[i]);
		if (probe_file(path, &sniffed) != 0)
			fail_msg("%s: taken for perf script", files[i]);
	}
}

/*
 * The corpus's perf script files:
 *   events: grep -vc '^#\|^\s\|^$\|^[0-9a-f]* .*)$' FILE
 *   frames: grep -cE '^\s+[0-9a-f]+ ' FILE (perf-java-stacks-02.txt, whose
 *           frames are not indented: grep -cE '^[0-9a-f]+ .*\)$')
 *   chains: awk 'prev && /^[\t ]*[0-9a-f]+ .*\)$/ {n++}
 *                {prev = ($0 !~ /^#/ && $0 !~ /^[\t ]*[0-9a-f]+ .*\)$/ && NF > 0)}
 *                END {print n+0}' FILE
 *   cpus, kernel: grep '^# nrcpus online\|^# os release' FILE
 * perf.test01 was spliced by hand: line 122 ("start_thread
 * (/lib/x86_64-linux-gnu") lost its end and line 176 ("start_secondary
 * ([kernel.kallsyms])/libpthread-2.19.so)") got another's: both skipped,
 * two frames less, and awk counts the frame after line 122 as a chain.
 */
struct corpus_file {
	const char *rel;
	int events, chains, frames, skipped;
	bool timed;
	int cpus;			/* -1: not said */
	const char *kernel;
};

static const struct corpus_file corpus_files[] = {
	{ "flamegraph/test/perf-cycles-instructions-01.txt", 444, 444, 705, 0, true, 8, "4.13.0-rc1" },
	{ "flamegraph/test/perf-dd-stacks-01.txt", 11, 11, 52, 0, true, -1, NULL },
	{ "flamegraph/test/perf-funcab-cmd-01.txt", 169, 169, 507, 0, true, 2, "3.13.0-49-generic" },
	{ "flamegraph/test/perf-funcab-pid-01.txt", 228, 228, 684, 0, false, 2, "3.13.0-49-generic" },
	{ "flamegraph/test/perf-iperf-stacks-pidtid-01.txt", 201, 201, 3207, 0, true, -1, NULL },
	{ "flamegraph/test/perf-java-faults-01.txt", 23, 23, 143, 0, true, -1, NULL },
	{ "flamegraph/test/perf-java-stacks-01.txt", 46, 46, 1233, 0, true, 4, "3.13.0-44-generic" },
	{ "flamegraph/test/perf-java-stacks-02.txt", 2, 2, 48, 0, false, -1, NULL },
	{ "flamegraph/test/perf-js-stacks-01.txt", 2, 2, 34, 0, false, -1, NULL },
	{ "flamegraph/test/perf-mirageos-stacks-01.txt", 53, 53, 228, 0, true, 4, "3.13.0-44-generic" },
	{ "flamegraph/test/perf-numa-stacks-01.txt", 200, 200, 2345, 0, true, 32, "3.13.0-49-generic" },
	{ "flamegraph/test/perf-rust-Yamakaky-dcpu.txt", 58, 58, 938, 0, true, -1, NULL },
	{ "flamegraph/test/perf-vertx-stacks-01.txt", 286, 286, 9397, 0, false, 16, "3.2.0-54-virtual" },
	{ "flamescope/examples/perf.test01", 9, 10 - 1, 240 - 2, 2, true, 8, "3.13.0-105-generic" },
	{ "speedscope/sample/profiles/linux-perf/forks.linux-perf.txt", 561, 561, 2659, 0, true, -1, NULL },
	{ "speedscope/sample/profiles/linux-perf/simple-with-header.linux-perf.txt", 136, 136, 590, 0,
	  true, 4, "4.9.93-linuxkit-aufs" },
	{ "speedscope/sample/profiles/linux-perf/simple-with-pid.linux-perf.txt", 137, 137, 603, 0,
	  true, -1, NULL },
	{ "speedscope/sample/profiles/linux-perf/system-wide.linux-perf.txt", 556, 556, 2319, 0,
	  true, -1, NULL },
};

static void expect_corpus_file(struct kfx *fx, int64_t src, const struct corpus_file *c)
{
	kfx_expect_kind(fx, src, "perf_script");
	assert_int_equal(kfx_qint(fx, "SELECT events FROM trace_sources WHERE source_id = %lld",
				  (long long)src), c->events);
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM events WHERE source = %lld AND "
				  "stack_id IS NOT NULL", (long long)src), c->chains);
	assert_int_equal(total_depth(fx, src), c->frames);
	assert_int_equal(kfx_qint(fx, "SELECT skipped FROM trace_sources WHERE source_id = %lld",
				  (long long)src), c->skipped);
	expect_text(fx, c->timed ? "perf|monotonic" : "NULL|NULL", "SELECT ifnull(t.clock, "
		    "'NULL') || '|' || ifnull(s.clock, 'NULL') FROM trace_sources t JOIN sources s "
		    "ON s.id = t.source_id WHERE s.id = %lld", (long long)src);
	assert_int_equal(kfx_qint(fx, "SELECT ifnull(cpus, -1) FROM trace_sources WHERE "
				  "source_id = %lld", (long long)src), c->cpus);
	expect_text(fx, c->kernel ? c->kernel : "NULL", "SELECT ifnull(kernel, 'NULL') FROM "
		    "sources WHERE id = %lld", (long long)src);
}

static void test_corpus_counts(void **state)
{
	for (size_t i = 0; i < sizeof(corpus_files) / sizeof(corpus_files[0]); i++) {
		struct kfx fx;
		char path[4096];
		const char *sniffed;
		int64_t src;

		kfx_corpus_path(path, sizeof(path), corpus_files[i].rel);
		assert_true(probe_file(path, &sniffed) > 90);
		src = kfx_open_corpus(&fx, corpus_files[i].rel);
		expect_corpus_file(&fx, src, &corpus_files[i]);
		kfx_close(&fx);
	}
}

/* The forms of the corpus: PID/TID, no time, frames not indented, C++ and JIT symbols. */
static void test_corpus_forms(void **state)
{
	struct kfx fx;
	int64_t src, ev;

	/* head -1: "iperf 27409/28744 [000] 441995.133575: cpu-clock:" */
	src = kfx_open_corpus(&fx, "flamegraph/test/perf-iperf-stacks-pidtid-01.txt");
	kfx_expect_row(&fx, "ev_perf_cpu_clock", nth_event(&fx, src, 0), (const char *const[]){
		"common_pid", "28744", "common_cpu", "0", "common_ts_ns", "441995133575000",
		COMM, "iperf", NULL });
	kfx_close(&fx);

	/* "java 19983 cycles:" and 24 frames at the start of the line (sed -n 2,25p) */
	src = kfx_open_corpus(&fx, "flamegraph/test/perf-java-stacks-02.txt");
	ev = nth_event(&fx, src, 0);
	assert_int_equal(count_events(&fx, src, "perf", "cycles"), 2);
	assert_int_equal(depth_of(&fx, ev), 24);
	expect_frame(&fx, ev, 0, "native_write_msr_safe|||0xffffffff8103d0ca");
	expect_frame(&fx, ev, 23, "start_thread||libpthread-2.15.so|0x7f72432b4e9a");
	kfx_close(&fx);

	/* Symbols with blanks and parentheses (lines 3 and 11 of the file). */
	src = kfx_open_corpus(&fx, "flamegraph/test/perf-js-stacks-01.txt");
	ev = nth_event(&fx, src, 0);
	expect_frame(&fx, ev, 1, "LazyCompile:~body_0 evalmachine.<anonymous>:1||perf-31912.map|"
		     "0xc6d7895aac9");
	expect_frame(&fx, ev, 9, "v8::Function::Call(v8::Handle<v8::Value>, int, "
		     "v8::Handle<v8::Value>*)||node-v011|0x74d468");
	kfx_close(&fx);

	/*
	 * "emulator  4152 75695.008865:          1 cycles:u:" with the period
	 * column; grep -o '[0-9]* cycles:u:' FILE | awk '{s+=$1} END {print s}'
	 * -> 6850637. Its frame "_start+0xffff018fd5dce000".
	 */
	src = kfx_open_corpus(&fx, "flamegraph/test/perf-rust-Yamakaky-dcpu.txt");
	assert_int_equal(count_events(&fx, src, "perf", "cycles:u"), 58);
	assert_int_equal(kfx_qint(&fx, "SELECT sum(period) FROM ev_perf_cycles_u"), 6850637);
	expect_frame(&fx, nth_event(&fx, src, 0), 0, "_start|0xffff018fd5dce000|ld-2.24.so|0xd70");
	kfx_close(&fx);

	src = kfx_open_corpus(&fx, "flamescope/examples/perf.test01");
	expect_skipped(&fx, src, 2, "line 122: broken call-chain line (unbalanced parentheses)");
	kfx_close(&fx);

	/* grep -c ' cycles: *$' -> 111, grep -c ' instructions: *$' -> 333 */
	src = kfx_open_corpus(&fx, "flamegraph/test/perf-cycles-instructions-01.txt");
	assert_int_equal(count_events(&fx, src, "perf", "cycles"), 111);
	assert_int_equal(count_events(&fx, src, "perf", "instructions"), 333);
	kfx_close(&fx);
}

/*
 * flamegraph/example-perf-stacks.txt.gz, read through a decompressed copy:
 *   zcat FILE | grep -vc '^#\|^\s\|^$\|^[0-9a-f]* .*)$'   -> 1315 events
 *   zcat FILE | grep -cE '^\s+[0-9a-f]+ '                 -> 34510 frames
 */
static void test_corpus_gzip(void **state)
{
	char gz[4096], tmp[] = "/tmp/mmt-perf-script-XXXXXX", cmd[8300];
	struct kfx fx;
	int64_t src;
	int fd;

	kfx_corpus_path(gz, sizeof(gz), "flamegraph/example-perf-stacks.txt.gz");
	fd = mkstemp(tmp);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s' > '%s'", gz, tmp);
	assert_int_equal(system(cmd), 0);
	kfx_open(&fx);
	src = kfx_ingest_path(&fx, tmp);
	unlink(tmp);
	expect_corpus_file(&fx, src, &(const struct corpus_file){
		"example-perf-stacks.txt", 1315, 1315, 34510, 0, true, 4, "3.13.0-44-generic" });
	kfx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracepoint_counts),
		cmocka_unit_test(test_tracepoint_fields),
		cmocka_unit_test(test_optional_columns),
		cmocka_unit_test(test_plugin_forms),
		cmocka_unit_test(test_call_chains),
		cmocka_unit_test(test_nanoseconds),
		cmocka_unit_test(test_garbage_lines),
		cmocka_unit_test(test_garbage_in_chains),
		cmocka_unit_test(test_cut_short),
		cmocka_unit_test(test_value_not_a_number),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_probe_ftrace_text),
		cmocka_unit_test(test_corpus_counts),
		cmocka_unit_test(test_corpus_forms),
		cmocka_unit_test(test_corpus_gzip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
