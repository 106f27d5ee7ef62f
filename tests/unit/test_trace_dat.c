/*
 * Tests of the trace.dat parser (parsers/trace_dat*.c) on real recordings
 * of this project's machine (tests/data/trace; README.md there says how
 * each was recorded). Every expected value is trace-cmd 3.1.6's: the
 * number of events per type (and instance) that `trace-cmd report FILE`
 * prints, counted with the awk line of the README, and the field values
 * `trace-cmd report -R FILE` prints for the first event of a type. The
 * same recording read as version 6, version 7 and version 7 uncompressed
 * must give the same rows. Damaged files: test_trace_dat_damage.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/parser.h"

#include "klog_fixture.h"

struct tcount {
	const char *instance;	/* "-": the top buffer */
	const char *name;
	int64_t n;
};

/* trace-cmd report inst-v7.dat | awk ... (README.md) | sort | uniq -c */
static const struct tcount inst_counts[] = {
	{ "-", "sched_switch", 591 },
	{ "mmt_ipi", "ipi_send_cpu", 146 },
	{ "mmt_vm", "mm_vmscan_memcg_reclaim_begin", 133 },
	{ "mmt_vm", "mm_vmscan_memcg_reclaim_end", 133 },
	{ "mmt_vm", "sched_wakeup", 388 },
	{ NULL, NULL, 0 },
};

/* trace-cmd report mem-v7.dat | awk ... (README.md) | sort | uniq -c */
static const struct tcount mem_counts[] = {
	{ "-", "block_bio_queue", 17 }, { "-", "block_dirty_buffer", 89 },
	{ "-", "block_getrq", 27 }, { "-", "block_io_done", 25 },
	{ "-", "block_io_start", 27 }, { "-", "block_plug", 25 },
	{ "-", "block_rq_complete", 25 }, { "-", "block_rq_insert", 25 },
	{ "-", "block_rq_issue", 27 }, { "-", "block_split", 10 },
	{ "-", "block_touch_buffer", 40 }, { "-", "block_unplug", 25 },
	{ "-", "folio_wait_writeback", 2 }, { "-", "global_dirty_state", 1 },
	{ "-", "ipi_send_cpu", 105 }, { "-", "mm_page_alloc", 2437 },
	{ "-", "mm_vmscan_lru_isolate", 239 }, { "-", "mm_vmscan_lru_shrink_inactive", 240 },
	{ "-", "mm_vmscan_memcg_reclaim_begin", 43 },
	{ "-", "mm_vmscan_memcg_reclaim_end", 44 }, { "-", "mm_vmscan_throttled", 1 },
	{ "-", "sb_clear_inode_writeback", 2 }, { "-", "sb_mark_inode_writeback", 2 },
	{ "-", "sched_switch", 229 }, { "-", "sched_wakeup", 161 },
	{ "-", "track_foreign_dirty", 43 }, { "-", "writeback_dirty_folio", 43 },
	{ "-", "writeback_dirty_inode", 26 }, { "-", "writeback_dirty_inode_enqueue", 4 },
	{ "-", "writeback_dirty_inode_start", 26 }, { "-", "writeback_mark_inode_dirty", 69 },
	{ "-", "writeback_single_inode", 2 }, { "-", "writeback_single_inode_start", 2 },
	{ "-", "writeback_write_inode", 2 }, { "-", "writeback_write_inode_start", 2 },
	{ NULL, NULL, 0 },
};

/* The same for stack-v7.dat; its 961 kernel_stack records are stacks, not events. */
static const struct tcount stack_counts[] = {
	{ "-", "mm_vmscan_memcg_reclaim_begin", 150 },
	{ "-", "mm_vmscan_memcg_reclaim_end", 150 },
	{ "-", "sched_switch", 660 },
	{ NULL, NULL, 0 },
};

/* Each type's count, and nothing else: the events, trace_sources and sources agree. */
static void expect_counts(struct kfx *fx, int64_t src, const struct tcount *c)
{
	int64_t total = 0, types = 0;

	for (; c->name; c++, types++) {
		int64_t got = kfx_qint(fx, "SELECT count(*) FROM events WHERE source = %lld AND "
				       "name = %Q AND ifnull(instance, '-') = %Q",
				       (long long)src, c->name, c->instance);

		if (got != c->n)
			fail_msg("%s %s: %lld events, trace-cmd report shows %lld", c->instance,
				 c->name, (long long)got, (long long)c->n);
		total += c->n;
	}
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM events WHERE source = %lld",
				  (long long)src), total);
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM (SELECT DISTINCT name, instance "
				  "FROM events WHERE source = %lld)", (long long)src), types);
	assert_int_equal(kfx_qint(fx, "SELECT events FROM trace_sources WHERE source_id = %lld",
				  (long long)src), total);
	assert_int_equal(kfx_qint(fx, "SELECT records FROM sources WHERE id = %lld",
				  (long long)src), total);
}

static void expect_text(struct kfx *fx, const char *want, const char *sql)
{
	char got[1024];

	kfx_qtext(fx, got, sizeof(got), "%s", sql);
	if (strcmp(got, want))
		fail_msg("%s\n  gives '%s'\n  expected '%s'", sql, got, want);
}

/*
 * The first events of inst-v7.dat, as trace-cmd report -R prints them:
 *   mmt-reader-6061 [001] 8631.912139: sched_switch: prev_comm=mmt-reader prev_pid=6061
 *     prev_prio=120 prev_state=256 next_comm=kworker/1:0 next_pid=13222 next_prio=120
 *   mmt_vm: mmt-reader-6061 [001] 8631.912126: mm_vmscan_memcg_reclaim_begin: order=0
 *     gfp_flags=0x112c4a
 *   mmt_vm: mmt-reader-6061 [001] 8631.912135: sched_wakeup: comm=kworker/1:0 pid=13222
 *     prio=120 target_cpu=001
 *   mmt_ipi: mmt-ipi-6064 [001] 8631.914654: ipi_send_cpu: cpu=0
 *     callsite=ttwu_queue_wakelist+0x11d callback=generic_smp_call_function_single_interrupt+0x0
 */
static void expect_inst_values(struct kfx *fx, int64_t src)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), "SELECT common_comm || '|' || common_pid || '|' || common_cpu "
		 "|| '|' || (ts_ns / 1000) || '|' || prev_comm || '|' || prev_pid || '|' || "
		 "prev_prio || '|' || prev_state || '|' || next_comm || '|' || next_pid || '|' || "
		 "next_prio || '|' || ifnull(common_instance, '-') FROM sched_switch WHERE "
		 "source = %lld ORDER BY id LIMIT 1", (long long)src);
	expect_text(fx, "mmt-reader|6061|1|8631912139|mmt-reader|6061|120|256|kworker/1:0|"
		    "13222|120|-", sql);
	snprintf(sql, sizeof(sql), "SELECT common_comm || '|' || \"order\" || '|' || "
		 "printf('0x%%x', gfp_flags) || '|' || common_instance FROM "
		 "mm_vmscan_memcg_reclaim_begin WHERE source = %lld ORDER BY id LIMIT 1",
		 (long long)src);
	expect_text(fx, "mmt-reader|0|0x112c4a|mmt_vm", sql);
	snprintf(sql, sizeof(sql), "SELECT comm || '|' || pid || '|' || prio || '|' || target_cpu "
		 "|| '|' || common_instance FROM sched_wakeup WHERE source = %lld ORDER BY id "
		 "LIMIT 1", (long long)src);
	expect_text(fx, "kworker/1:0|13222|120|1|mmt_vm", sql);
	snprintf(sql, sizeof(sql), "SELECT common_comm || '|' || common_pid || '|' || cpu || '|' "
		 "|| callsite_sym || '|' || callback_sym || '|' || common_instance FROM "
		 "ipi_send_cpu WHERE source = %lld ORDER BY id LIMIT 1", (long long)src);
	expect_text(fx, "mmt-ipi|6064|0|ttwu_queue_wakelist+0x11d|"
		    "generic_smp_call_function_single_interrupt+0x0|mmt_ipi", sql);
}

static void test_inst_v7(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "trace", "inst-v7.dat");

	kfx_expect_kind(&fx, src, "trace_dat");
	expect_counts(&fx, src, inst_counts);
	expect_inst_values(&fx, src);
	expect_text(&fx, "trace.dat v7 zstd|6.18.44-fc-v769|monotonic",
		    "SELECT format || '|' || kernel || '|' || clock FROM sources");
	expect_text(&fx, "local|2|0|NULL", "SELECT clock || '|' || cpus || '|' || skipped || '|' "
		    "|| ifnull(lost, 'NULL') FROM trace_sources");
	expect_text(&fx, "mmt_ipi,mmt_vm", "SELECT group_concat(name, ',') FROM "
		    "(SELECT name FROM trace_instances ORDER BY name)");
	/* Ids follow time across the three buffers. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM (SELECT ts_ns < lag(ts_ns) OVER "
				  "(ORDER BY id) AS back FROM events) WHERE back"), 0);
	kfx_close(&fx);
}

/* Version 6, version 7 and version 7 uncompressed of one recording: the same rows. */
static void test_inst_versions_agree(void **state)
{
	static const char *const files[] = { "inst-v7.dat", "inst-v6.dat", "inst-v7-none.dat" };
	static const char *const formats[] = { "trace.dat v7 zstd", "trace.dat v6", "trace.dat v7" };
	static const char *const same[] = {
		"SELECT ts_ns, cpu, pid, comm, name, instance FROM events WHERE source = %d",
		"SELECT ts_ns, prev_comm, prev_pid, prev_state, next_comm, next_pid "
		"FROM sched_switch WHERE source = %d",
		"SELECT ts_ns, cpu, callsite, callback, callsite_sym, callback_sym "
		"FROM ipi_send_cpu WHERE source = %d",
		"SELECT ts_ns, \"order\", gfp_flags FROM mm_vmscan_memcg_reclaim_begin "
		"WHERE source = %d",
	};
	struct kfx fx;
	char path[4096], a[512], b[512];

	kfx_open(&fx);
	for (int i = 0; i < 3; i++) {
		int64_t src;

		kfx_data_path(path, sizeof(path), "trace", files[i]);
		src = kfx_ingest_path(&fx, path);
		expect_counts(&fx, src, inst_counts);
		expect_inst_values(&fx, src);
		assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM sources WHERE id = %lld AND "
					  "format = %Q", (long long)src, formats[i]), 1);
	}
	for (size_t q = 0; q < sizeof(same) / sizeof(same[0]); q++)
		for (int i = 2; i <= 3; i++) {
			snprintf(a, sizeof(a), same[q], 1);
			snprintf(b, sizeof(b), same[q], i);
			assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM (%s EXCEPT %s)", a, b), 0);
			assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM (%s EXCEPT %s)", b, a), 0);
		}
	kfx_close(&fx);
}

/*
 * callsite_sym groups call sites without decoding; the counts are
 * trace-cmd report's: grep -o 'callsite=[^ ]*' | sort | uniq -c.
 */
static void test_ipi_callsites(void **state)
{
	struct kfx fx;

	kfx_open_data(&fx, "trace", "inst-v7.dat");
	expect_text(&fx, "irq_work_queue+0x29 12,membarrier_private_expedited+0x231 18,"
		    "on_each_cpu_cond_mask+0x20 7,ttwu_queue_wakelist+0x11d 84,update_curr+0x83 5,"
		    "wakeup_preempt+0x55 6,wakeup_preempt+0x92 14",
		    "SELECT group_concat(s || ' ' || n, ',') FROM (SELECT callsite_sym s, count(*) n "
		    "FROM ipi_send_cpu GROUP BY 1 ORDER BY 1)");
	kfx_close(&fx);
	kfx_open_data(&fx, "trace", "mem-v7.dat");
	expect_text(&fx, "generic_exec_single+0x36 3,irq_work_queue+0x29 25,"
		    "membarrier_private_expedited+0x231 19,on_each_cpu_cond_mask+0x20 1,"
		    "ttwu_queue_wakelist+0x11d 56,wakeup_preempt+0x55 1",
		    "SELECT group_concat(s || ' ' || n, ',') FROM (SELECT callsite_sym s, count(*) n "
		    "FROM ipi_send_cpu GROUP BY 1 ORDER BY 1)");
	/* callback=0x0: no symbol. */
	expect_text(&fx, "1|0|NULL", "SELECT cpu || '|' || callback || '|' || "
		    "ifnull(callback_sym, 'NULL') FROM ipi_send_cpu ORDER BY id LIMIT 1");
	kfx_close(&fx);
}

/*
 * mem-v7.dat, first events of some types as trace-cmd report -R prints them:
 *   sleep-5622 [000] 8627.910537: mm_page_alloc: pfn=0x125a09 order=0 gfp_flags=0x440dc0
 *     migratetype=0
 *   mmt-fsync-5446 [001] 8627.939991: block_rq_issue: dev=266338304 sector=364908720
 *     nr_sector=8 bytes=4096 ioprio=16388 rwbs=WS comm=mmt-fsync cmd=
 *   trace-cmd-5620 [001] 8627.913599: writeback_dirty_folio: name=254:0 ino=15048735 index=0
 *   mmt-reader-5444 [001] 8627.970438: mm_vmscan_lru_shrink_inactive: nid=0 nr_scanned=1
 *     nr_reclaimed=0 nr_dirty=1 ... priority=12 reclaim_flags=10
 */
static void test_mem_v7(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "trace", "mem-v7.dat");

	expect_counts(&fx, src, mem_counts);
	expect_text(&fx, "sleep|5622|0|8627910537|0x125a09|0|0x440dc0|0",
		    "SELECT common_comm || '|' || common_pid || '|' || common_cpu || '|' || "
		    "(ts_ns / 1000) || '|' || printf('0x%x', pfn) || '|' || \"order\" || '|' || "
		    "printf('0x%x', gfp_flags) || '|' || migratetype FROM mm_page_alloc "
		    "ORDER BY id LIMIT 1");
	expect_text(&fx, "mmt-fsync|266338304|364908720|8|4096|16388|WS|mmt-fsync|",
		    "SELECT common_comm || '|' || dev || '|' || sector || '|' || nr_sector || '|' || "
		    "bytes || '|' || ioprio || '|' || rwbs || '|' || comm || '|' || cmd FROM "
		    "block_rq_issue ORDER BY id LIMIT 1");
	expect_text(&fx, "254:0|15048735|0|char[32]",
		    "SELECT name || '|' || ino || '|' || \"index\" || '|' || (SELECT ctype FROM "
		    "trace_fields f JOIN trace_types t ON t.id = f.type_id WHERE t.name = "
		    "'writeback_dirty_folio' AND f.name = 'name') FROM writeback_dirty_folio "
		    "ORDER BY id LIMIT 1");
	expect_text(&fx, "mmt-reader|0|1|0|1|12|10",
		    "SELECT common_comm || '|' || nid || '|' || nr_scanned || '|' || nr_reclaimed || "
		    "'|' || nr_dirty || '|' || priority || '|' || reclaim_flags FROM "
		    "mm_vmscan_lru_shrink_inactive ORDER BY id LIMIT 1");
	/* grep mm_page_alloc | grep -o ' order=[0-9]*' | sort | uniq -c */
	expect_text(&fx, "0:2381,1:8,6:7,8:8,9:33",
		    "SELECT group_concat(o || ':' || n, ',') FROM (SELECT \"order\" o, count(*) n "
		    "FROM mm_page_alloc GROUP BY 1 ORDER BY 1)");
	kfx_close(&fx);
}

/*
 * stack-v7.dat: each kernel_stack record is the stack of the event before
 * it on its CPU. trace-cmd report lists 11436 '=>' lines; 11 of them are
 * the stack that opens CPU 0's data right after '[517 EVENTS DROPPED]',
 * whose event was dropped. The first event:
 *   sleep-5954 [001] 8629.903832: sched_switch: sleep:5954 [120] S ==> swapper/1:0 [120]
 *   sleep-5954 [001] 8629.903858: kernel_stack: <stack trace >
 *   => trace_event_raw_event_sched_switch (ffffffff813abff5)
 *   ... (10 frames, below)
 */
static void test_stacks(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "trace", "stack-v7.dat");

	expect_counts(&fx, src, stack_counts);
	assert_int_equal(kfx_count_rows(&fx, "event_stacks"), 960);
	assert_int_equal(kfx_qint(&fx, "SELECT sum(s.depth) FROM event_stacks e JOIN stacks s "
				  "ON s.id = e.stack_id"), 11436 - 11);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM trace_types WHERE name = "
				  "'kernel_stack'"), 0);
	expect_text(&fx, "trace_event_raw_event_sched_switch ffffffff813abff5,"
		    "__traceiter_sched_switch ffffffff813a50f1,__schedule ffffffff82265488,"
		    "schedule ffffffff82265df3,do_nanosleep ffffffff8226ce5e,"
		    "hrtimer_nanosleep ffffffff8142e345,common_nsleep ffffffff814370d0,"
		    "__x64_sys_clock_nanosleep ffffffff8143a87e,do_syscall_64 ffffffff82259cc1,"
		    "entry_SYSCALL_64_after_hwframe ffffffff81000130",
		    "SELECT group_concat(symbol || ' ' || lower(substr(address, 3)), ',') FROM "
		    "(SELECT * FROM frames WHERE stack_id = (SELECT stack_id FROM events "
		    "ORDER BY id LIMIT 1) ORDER BY idx)");
	expect_text(&fx, "sleep|5954|1|1|swapper/1|0",
		    "SELECT common_comm || '|' || prev_pid || '|' || common_cpu || '|' || prev_state "
		    "|| '|' || next_comm || '|' || next_pid FROM sched_switch ORDER BY id LIMIT 1");
	/* trace-cmd report: 'CPU:0 [517 EVENTS DROPPED]', once. */
	expect_text(&fx, "517|1|1", "SELECT lost || '|' || lost_gaps || '|' || skipped FROM "
		    "trace_sources");
	expect_text(&fx, "1", "SELECT first_skipped LIKE '%kernel_stack on CPU 0 follows no "
		    "event%' FROM trace_sources");
	assert_int_equal(fx.warnings, 1);
	kfx_close(&fx);
}

/* Two traces in one store: ids go on, each trace keeps its own range. */
static void test_two_traces(void **state)
{
	struct kfx fx;
	char path[4096];
	int64_t a, b;

	kfx_open(&fx);
	kfx_data_path(path, sizeof(path), "trace", "inst-v7.dat");
	a = kfx_ingest_path(&fx, path);
	kfx_data_path(path, sizeof(path), "trace", "mem-v7.dat");
	b = kfx_ingest_path(&fx, path);
	expect_counts(&fx, a, inst_counts);
	expect_counts(&fx, b, mem_counts);
	expect_text(&fx, "1|1391|1392|5478", "SELECT group_concat(first_id || '|' || last_id, '|') "
		    "FROM (SELECT * FROM trace_sources ORDER BY source_id)");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM events WHERE source = %lld AND "
				  "id BETWEEN 1 AND 1391", (long long)b), 0);
	/* sched_switch of both, one table and one view. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM sched_switch"), 591 + 229);
	kfx_close(&fx);
}

/*
 * Version 6 files of other machines and trace-cmd versions in the corpus
 * (ARM boards, 6 CPUs), counted with trace-cmd report as above. lisa's
 * has no trace clock saved; trappy's has two trace_printk events.
 */
static void test_corpus(void **state)
{
	static const struct tcount lisa[] = {
		{ "-", "sched_load_cfs_rq", 2437 }, { "-", "cpu_idle", 474 },
		{ "-", "sched_switch", 399 }, { "-", "sched_load_se", 364 },
		{ "-", "sched_migrate_task", 28 }, { "-", "cpu_frequency", 16 },
		{ "-", "print", 6 }, { NULL, NULL, 0 },
	};
	static const struct tcount trappy[] = {
		{ "-", "sched_switch", 755 }, { "-", "bprint", 2 }, { NULL, NULL, 0 },
	};
	struct kfx fx;
	int64_t src;

	src = kfx_open_corpus(&fx, "lisa/tests/assets/sched_load/trace.dat");
	expect_counts(&fx, src, lisa);
	expect_text(&fx, "NULL|6", "SELECT ifnull(clock, 'NULL') || '|' || cpus FROM trace_sources");
	/* shutils-3106 [001] 2084.238797: print: tracing_mark_write: cpu_frequency_devlib: ... */
	expect_text(&fx, "shutils|1|cpu_frequency_devlib:        state=450000 cpu_id=0|"
		    "tracing_mark_write", "SELECT common_comm || '|' || common_cpu || '|' || buf || "
		    "'|' || ip_sym FROM print ORDER BY id LIMIT 1");
	/* report -R: sugov:0-1842 [003] 2084.143680: cpu_frequency: state=850000 cpu_id=0 */
	expect_text(&fx, "sugov:0|3|850000|0", "SELECT common_comm || '|' || common_cpu || '|' || "
		    "state || '|' || cpu_id FROM cpu_frequency ORDER BY id LIMIT 1");
	kfx_close(&fx);
	src = kfx_open_corpus(&fx, "trappy/tests/raw_trace.dat");
	expect_counts(&fx, src, trappy);
	expect_text(&fx, "local|6", "SELECT clock || '|' || cpus FROM trace_sources");
	/* ls-4734 [002] 106439.675571: bprint: select_task_rq_fair: fig: cpu=0\n gid=4 */
	expect_text(&fx, "ls|2|select_task_rq_fair: fig: cpu=0\n gid=4",
		    "SELECT common_comm || '|' || common_cpu || '|' || message FROM bprint "
		    "ORDER BY id LIMIT 1");
	/* report -R: prev_comm=trace-cmd prev_pid=4734 prev_prio=120 prev_state=1024
	 * next_comm=migration/2 next_pid=18 next_prio=0 */
	expect_text(&fx, "trace-cmd|4734|120|1024|migration/2|18|0",
		    "SELECT prev_comm || '|' || prev_pid || '|' || prev_prio || '|' || prev_state || "
		    "'|' || next_comm || '|' || next_pid || '|' || next_prio FROM sched_switch "
		    "ORDER BY id LIMIT 1");
	kfx_close(&fx);
}

/* The probe takes trace.dat's magic and nothing else. */
static void test_probe(void **state)
{
	const struct mmt_parser *p = mmt_parser_find("trace_dat");
	static const char text[] = "# tracer: nop\n#\n          <idle>-0     [001] d..2.  "
				   "8627.910537: sched_switch: prev_comm=swapper/1\n";
	size_t len;
	char *head = kfx_data("trace", "inst-v6.dat", &len);

	assert_non_null(p);
	assert_int_equal(p->probe(head, len), 100);
	assert_ptr_equal(mmt_parser_sniff(head, len), p);
	head[3] = 'T';		/* "\x17\x08\x44Tracing" */
	assert_int_equal(p->probe(head, len), 0);
	assert_int_equal(p->probe(head, 5), 0);
	assert_int_equal(p->probe(text, sizeof(text) - 1), 0);
	assert_ptr_not_equal(mmt_parser_sniff(text, sizeof(text) - 1), p);
	free(head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inst_v7),
		cmocka_unit_test(test_inst_versions_agree),
		cmocka_unit_test(test_ipi_callsites),
		cmocka_unit_test(test_mem_v7),
		cmocka_unit_test(test_stacks),
		cmocka_unit_test(test_two_traces),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
