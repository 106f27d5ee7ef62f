/*
 * Tests of the text-trace parser (parsers/trace_text*.c) on captures of
 * this project's machine (tests/data/trace_text, README.md there says how
 * record.sh made each): tracefs `trace` with irq-info on and off, with
 * record-tgid, with the stacktrace option, `trace_pipe`, and `trace-cmd
 * report` plain, -l, -t, of a trace with kernel_stack records and of one
 * with two -B buffers; bad inputs derived from them; files of the corpus
 * when ../shared/corpus is present; and the probe against kernel logs.
 *
 * Expected values come from the files themselves: counts per event name
 * from awk (the command is above each table), fields from the lines the
 * tests name.
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

#include "klog_fixture.h"
#include "parsers/parser.h"
#include "parsers/trace_text.h"

#define DIR "trace_text"

struct count {
	const char *name;
	int64_t n;
};

/*
 * Every count table below is the output of
 *   awk '/^ *=>/ {next} /^#/ {next} {for (i = 2; i <= NF; i++)
 *        if ($i ~ /^[a-z_][a-z_0-9]*:$/) {print $i; break}}' FILE | sort | uniq -c
 * over tests/data/trace_text/FILE (kernel_stack lines are stacks, not events).
 */
static const struct count irqinfo_counts[] = {
	{ "block_rq_complete", 81 }, { "block_rq_issue", 103 },
	{ "call_function_single_entry", 52 }, { "ipi_send_cpu", 63 },
	{ "mm_vmscan_lru_shrink_inactive", 2 }, { "mm_vmscan_memcg_reclaim_begin", 1 },
	{ "sched_switch", 81 }, { "sched_wakeup", 44 }, { "sched_waking", 42 },
	{ "writeback_start", 1 }, { NULL, 470 },
};
static const struct count noirqinfo_counts[] = {
	{ "block_rq_complete", 24 }, { "block_rq_issue", 38 },
	{ "call_function_single_entry", 66 }, { "ipi_send_cpu", 66 },
	{ "mm_vmscan_lru_shrink_inactive", 18 }, { "mm_vmscan_memcg_reclaim_begin", 18 },
	{ "mm_vmscan_memcg_reclaim_end", 17 }, { "sched_switch", 117 },
	{ "sched_wakeup", 67 }, { "sched_waking", 63 }, { "writeback_start", 6 },
	{ "writeback_written", 6 }, { NULL, 506 },
};
static const struct count tgid_counts[] = {
	{ "block_rq_complete", 34 }, { "block_rq_issue", 35 },
	{ "call_function_single_entry", 51 }, { "ipi_send_cpu", 61 },
	{ "mm_vmscan_lru_shrink_inactive", 20 }, { "mm_vmscan_memcg_reclaim_begin", 19 },
	{ "mm_vmscan_memcg_reclaim_end", 19 }, { "sched_switch", 123 },
	{ "sched_wakeup", 64 }, { "sched_waking", 63 }, { "writeback_start", 3 },
	{ "writeback_written", 3 }, { NULL, 495 },
};
static const struct count stack_counts[] = {
	{ "block_rq_issue", 67 }, { "mm_vmscan_memcg_reclaim_begin", 15 },
	{ "mm_vmscan_memcg_reclaim_end", 16 }, { "sched_waking", 119 }, { NULL, 217 },
};
static const struct count pipe_counts[] = {
	{ "block_rq_complete", 21 }, { "block_rq_issue", 21 },
	{ "call_function_single_entry", 50 }, { "ipi_send_cpu", 61 },
	{ "mm_vmscan_lru_shrink_inactive", 15 }, { "mm_vmscan_memcg_reclaim_begin", 14 },
	{ "mm_vmscan_memcg_reclaim_end", 14 }, { "sched_switch", 46 },
	{ "sched_wakeup", 26 }, { "sched_waking", 26 }, { "writeback_start", 3 },
	{ "writeback_written", 3 }, { NULL, 300 },
};
/* report.txt and report-l.txt are the same window of one trace.dat. */
static const struct count report_counts[] = {
	{ "block_rq_issue", 27 }, { "ipi_send_cpu", 2 }, { "mm_page_alloc", 245 },
	{ "mm_vmscan_memcg_reclaim_begin", 19 }, { "mm_vmscan_memcg_reclaim_end", 19 },
	{ "sched_switch", 39 }, { "sched_wakeup", 23 }, { "sched_waking", 23 },
	{ "writeback_written", 3 }, { NULL, 400 },
};
static const struct count report_t_counts[] = {
	{ "mm_page_alloc", 150 }, { NULL, 150 },
};
static const struct count report_stack_counts[] = {
	{ "block_rq_issue", 19 }, { "mm_vmscan_memcg_reclaim_begin", 1 },
	{ "sched_switch", 15 }, { "kernel_stack", 0 }, { NULL, 35 },
};
static const struct count report_instances_counts[] = {
	{ "ipi_send_cpu", 12 }, { "mm_vmscan_memcg_reclaim_begin", 19 },
	{ "mm_vmscan_memcg_reclaim_end", 19 }, { "sched_switch", 79 },
	{ "sched_wakeup", 50 }, { NULL, 179 },
};

static void expect_counts(struct kfx *fx, int64_t src, const struct count *c)
{
	for (; c->name; c++) {
		int64_t got = kfx_qint(fx, "SELECT count(*) FROM events WHERE source = %lld "
				       "AND name = '%q'", (long long)src, c->name);

		if (got != c->n)
			fail_msg("%s: %lld events, expected %lld", c->name, (long long)got,
				 (long long)c->n);
	}
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM events WHERE source = %lld",
				  (long long)src), c->n);
	assert_int_equal(kfx_qint(fx, "SELECT events FROM trace_sources WHERE source_id = %lld",
				  (long long)src), c->n);
	assert_int_equal(kfx_qint(fx, "SELECT skipped FROM trace_sources WHERE source_id = %lld",
				  (long long)src), 0);
}

static void check_file(const char *file, const struct count *counts, const char *format,
		       int cpus)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, DIR, file);
	char got[64];

	kfx_expect_kind(&fx, src, "trace_text");
	expect_counts(&fx, src, counts);
	kfx_qtext(&fx, got, sizeof(got), "SELECT format FROM sources WHERE id = %lld",
		  (long long)src);
	assert_string_equal(got, format);
	kfx_qtext(&fx, got, sizeof(got), "SELECT ifnull(cpus, 'NULL') || ' ' || "
		  "ifnull(clock, 'NULL') FROM trace_sources WHERE source_id = %lld", (long long)src);
	snprintf(got + 32, 32, cpus < 0 ? "NULL NULL" : "%d NULL", cpus);
	assert_string_equal(got, got + 32);
	assert_int_equal(fx.warnings, 0);
	kfx_close(&fx);
}

static void test_counts_tracefs(void **state)
{
	check_file("trace-irqinfo.txt", irqinfo_counts, "tracefs", 2);
	check_file("trace-noirqinfo.txt", noirqinfo_counts, "tracefs", 2);
	check_file("trace-tgid.txt", tgid_counts, "tracefs", 2);
	check_file("trace-stack.txt", stack_counts, "tracefs", 2);
	check_file("trace_pipe.txt", pipe_counts, "ftrace lines", -1);
}

static void test_counts_report(void **state)
{
	check_file("report.txt", report_counts, "trace-cmd report", 2);
	check_file("report-l.txt", report_counts, "trace-cmd report -l", 2);
	check_file("report-t.txt", report_t_counts, "trace-cmd report", 2);
	check_file("report-stack.txt", report_stack_counts, "trace-cmd report", 2);
	check_file("report-instances.txt", report_instances_counts, "trace-cmd report", 2);
}

/* The event of table tbl (ev_system_name) at ts_ns on cpu. */
static int64_t event_at(struct kfx *fx, const char *tbl, int64_t ts_ns, int cpu)
{
	return kfx_qint(fx, "SELECT id FROM %s WHERE common_ts_ns = %lld AND common_cpu = %d",
			tbl, (long long)ts_ns, cpu);
}

static void expect_comm(struct kfx *fx, int64_t id, const char *comm)
{
	char got[64];

	kfx_qtext(fx, got, sizeof(got), "SELECT ifnull(comm, 'NULL') FROM events WHERE id = %lld",
		  (long long)id);
	assert_string_equal(got, comm);
}

/*
 * trace-irqinfo.txt:235 "       mmt cat-x-499     [001] d..2.  7835.206388: sched_switch:
 * prev_comm=mmt cat-x prev_pid=499 prev_prio=120 prev_state=R+ ==> next_comm=rcu_preempt
 * next_pid=15 next_prio=120"
 */
static void test_sched_switch_tracefs(void **state)
{
	struct kfx fx;
	int64_t id;

	kfx_open_data(&fx, DIR, "trace-irqinfo.txt");
	id = event_at(&fx, "ev_sched_sched_switch", 7835206388000, 1);
	kfx_expect_row(&fx, "ev_sched_sched_switch", id, (const char *const[]){
		"common_pid", "499", "common_flags", "1", "common_preempt_count", "2",
		"prev_comm", "mmt cat-x", "prev_pid", "499", "prev_prio", "120",
		"prev_state", "R+", "next_comm", "rcu_preempt", "next_pid", "15",
		"next_prio", "120", NULL });
	expect_comm(&fx, id, "mmt cat-x");
	/* Columns and kinds as the trace.dat parser names them. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM trace_fields f JOIN trace_types t "
				  "ON t.id = f.type_id WHERE t.name = 'sched_switch' AND "
				  "f.name || ':' || f.sqltype IN ('prev_comm:TEXT', 'prev_pid:INTEGER', "
				  "'prev_prio:INTEGER', 'prev_state:TEXT', 'next_comm:TEXT', "
				  "'next_pid:INTEGER', 'next_prio:INTEGER')"), 7);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM trace_fields f JOIN trace_types t "
				  "ON t.id = f.type_id WHERE t.name = 'sched_switch'"), 7);
	kfx_close(&fx);
}

/*
 * trace-cmd's plugin form. report-instances.txt:136 "mmt cat-x-1197  [000]
 * 7853.115227: sched_switch:         mmt cat-x:1197 [120] X ==> swapper/0:0 [120]"
 */
static void test_sched_switch_report(void **state)
{
	struct kfx fx;
	int64_t id;

	kfx_open_data(&fx, DIR, "report-instances.txt");
	id = event_at(&fx, "ev_sched_sched_switch", 7853115227000, 0);
	kfx_expect_row(&fx, "ev_sched_sched_switch", id, (const char *const[]){
		"common_pid", "1197", "common_flags", "NULL", "common_preempt_count", "NULL",
		"common_instance_id", "NULL",
		"prev_comm", "mmt cat-x", "prev_pid", "1197", "prev_prio", "120",
		"prev_state", "X", "next_comm", "swapper/0", "next_pid", "0",
		"next_prio", "120", NULL });
	expect_comm(&fx, id, "mmt cat-x");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM trace_fields f JOIN trace_types t "
				  "ON t.id = f.type_id WHERE t.name = 'sched_switch'"), 7);
	kfx_close(&fx);
}

/*
 * report.txt:231 "dd-1112  [000]  7850.516950: sched_waking: comm=kworker/u8:2 pid=8458
 * prio=120 target_cpu=000", :232 "... 7850.516958: sched_wakeup: kworker/u8:2:8458 [120]
 * CPU:000"; trace-tgid.txt:17 "bash-481 (    481) [001] dN.4.  7841.403028:
 * sched_wakeup: comm=grep pid=482 prio=120 target_cpu=001".
 */
static void test_sched_wakeup(void **state)
{
	static const char *const report_wakeup[] = {
		"common_pid", "1112", "comm", "kworker/u8:2", "pid", "8458", "prio", "120",
		"target_cpu", "0", NULL,
	};
	struct kfx fx;
	int64_t id;

	kfx_open_data(&fx, DIR, "report.txt");
	id = event_at(&fx, "ev_sched_sched_waking", 7850516950000, 0);
	kfx_expect_row(&fx, "ev_sched_sched_waking", id, report_wakeup);
	id = event_at(&fx, "ev_sched_sched_wakeup", 7850516958000, 0);
	kfx_expect_row(&fx, "ev_sched_sched_wakeup", id, report_wakeup);
	expect_comm(&fx, id, "dd");
	kfx_close(&fx);

	kfx_open_data(&fx, DIR, "trace-tgid.txt");
	id = event_at(&fx, "ev_sched_sched_wakeup", 7841403028000, 1);
	kfx_expect_row(&fx, "ev_sched_sched_wakeup", id, (const char *const[]){
		"common_pid", "481", "common_flags", "37", "common_preempt_count", "4",
		"comm", "grep", "pid", "482", "prio", "120", "target_cpu", "1", NULL });
	expect_comm(&fx, id, "bash");
	kfx_close(&fx);
}

/*
 * report.txt:230 "dd-1112 [000] 7850.516933: mm_vmscan_memcg_reclaim_begin: order=0
 * gfp_flags=GFP_HIGHUSER_MOVABLE", :264 "dd-1112 [001] 7850.526635:
 * mm_vmscan_memcg_reclaim_end: nr_reclaimed=256".
 */
static void test_vmscan(void **state)
{
	struct kfx fx;
	int64_t id;

	kfx_open_data(&fx, DIR, "report.txt");
	id = event_at(&fx, "ev_vmscan_mm_vmscan_memcg_reclaim_begin", 7850516933000, 0);
	kfx_expect_row(&fx, "ev_vmscan_mm_vmscan_memcg_reclaim_begin", id, (const char *const[]){
		"\"order\"", "0", "typeof(\"order\")", "integer",
		"gfp_flags", "GFP_HIGHUSER_MOVABLE", NULL });
	id = event_at(&fx, "ev_vmscan_mm_vmscan_memcg_reclaim_end", 7850526635000, 1);
	kfx_expect_row(&fx, "ev_vmscan_mm_vmscan_memcg_reclaim_end", id, (const char *const[]){
		"nr_reclaimed", "256", "typeof(nr_reclaimed)", "integer", NULL });
	kfx_close(&fx);
}

/*
 * trace-guest-oom.txt:31 "hog1-736 [000] ...1. 13.493596: mark_victim: pid=736
 * comm=hog1 total-vm=31824kB anon-rss=30020kB file-rss:4kB shmem-rss:772kB uid=0
 * pgtables=96kB oom_score_adj=1000" (a 6.1 guest's tracefs): the kernel prints
 * total_vm and anon_rss as "total-vm=" and "anon-rss=". They still start pairs,
 * so comm is the task name alone, and their columns have the fields' names.
 */
static void test_hyphen_names(void **state)
{
	struct kfx fx;
	char got[128];

	kfx_open_data(&fx, DIR, "trace-guest-oom.txt");
	kfx_qtext(&fx, got, sizeof(got), "SELECT comm || '|' || total_vm || '|' || anon_rss || "
		  "'|' || uid || '|' || oom_score_adj FROM ev_oom_mark_victim WHERE pid = 736");
	assert_string_equal(got, "hog1|31824kB|30020kB file-rss:4kB shmem-rss:772kB|0|1000");
	kfx_qtext(&fx, got, sizeof(got), "SELECT group_concat(comm, ' ') FROM "
		  "(SELECT comm FROM mark_victim ORDER BY ts)");
	assert_string_equal(got, "hog1 hog2 hog3");
	assert_int_equal(fx.warnings, 0);
	kfx_close(&fx);
}

/*
 * trace-noirqinfo.txt:49 "bash-481 [001]   7838.291317: ipi_send_cpu: cpu=0
 * callsite=on_each_cpu_cond_mask+0x20/0x60
 * callback=generic_smp_call_function_single_interrupt+0x0/0x10"; report.txt:209
 * "dd-1112 [000] 7850.514385: ipi_send_cpu: cpu=1 callsite=generic_exec_single+0x36
 * callback=generic_smp_call_function_single_interrupt+0x0"; trace-noirqinfo.txt:196
 * "bash-481 [001]   7838.291980: ipi_send_cpu: cpu=0 callsite=wakeup_preempt+0x55/0xa0
 * callback=0x0". The symbols also go to <field>_sym without the function's size,
 * as the trace.dat parser stores them.
 */
static void test_ipi_send_cpu(void **state)
{
	struct kfx fx;
	int64_t id;

	kfx_open_data(&fx, DIR, "trace-noirqinfo.txt");
	id = event_at(&fx, "ev_ipi_ipi_send_cpu", 7838291317000, 1);
	kfx_expect_row(&fx, "ev_ipi_ipi_send_cpu", id, (const char *const[]){
		"common_pid", "481", "common_flags", "NULL", "common_preempt_count", "NULL",
		"cpu", "0", "callsite", "on_each_cpu_cond_mask+0x20/0x60",
		"callback", "generic_smp_call_function_single_interrupt+0x0/0x10",
		"callsite_sym", "on_each_cpu_cond_mask+0x20",
		"callback_sym", "generic_smp_call_function_single_interrupt+0x0", NULL });
	id = event_at(&fx, "ev_ipi_ipi_send_cpu", 7838291980000, 1);
	kfx_expect_row(&fx, "ev_ipi_ipi_send_cpu", id, (const char *const[]){
		"cpu", "0", "callsite", "wakeup_preempt+0x55/0xa0", "callback", "0x0",
		"callsite_sym", "wakeup_preempt+0x55", "callback_sym", "NULL", NULL });
	kfx_close(&fx);

	kfx_open_data(&fx, DIR, "report.txt");
	id = event_at(&fx, "ev_ipi_ipi_send_cpu", 7850514385000, 0);
	kfx_expect_row(&fx, "ev_ipi_ipi_send_cpu", id, (const char *const[]){
		"cpu", "1", "callsite", "generic_exec_single+0x36",
		"callback", "generic_smp_call_function_single_interrupt+0x0",
		"callsite_sym", "generic_exec_single+0x36", NULL });
	kfx_close(&fx);
}

/*
 * report-l.txt:2 "      dd-1112    0.....  7850.510873: mm_page_alloc:        page=0x1c6ad3
 * pfn=0x1c6ad3 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP",
 * :234 "kworker/-8458    0...1.  7850.518959: writeback_written: bdi 254:0: sb_dev 0:0
 * nr_pages=90556 sync_mode=0 kupdate=0 range_cyclic=1 background=0 reason=vmscan
 * cgroup_ino=1" (-l cuts task names to 8 characters).
 */
static void test_report_latency(void **state)
{
	struct kfx fx;
	int64_t id;

	kfx_open_data(&fx, DIR, "report-l.txt");
	id = event_at(&fx, "ev_kmem_mm_page_alloc", 7850510873000, 0);
	kfx_expect_row(&fx, "ev_kmem_mm_page_alloc", id, (const char *const[]){
		"common_pid", "1112", "common_flags", "0", "common_preempt_count", "0",
		"page", "0x1c6ad3", "pfn", "1862355", "\"order\"", "0", "migratetype", "1",
		"gfp_flags", "GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP", NULL });
	id = event_at(&fx, "ev_writeback_writeback_written", 7850518959000, 0);
	kfx_expect_row(&fx, "ev_writeback_writeback_written", id, (const char *const[]){
		"common_pid", "8458", "common_flags", "0", "common_preempt_count", "1",
		"info", "bdi 254:0: sb_dev 0:0", "nr_pages", "90556", "sync_mode", "0",
		"reason", "vmscan", "cgroup_ino", "1", NULL });
	expect_comm(&fx, id, "kworker/");
	kfx_close(&fx);
}

/* An event of source src: flags and preempt count as given, count of them. */
static int64_t count_flags(struct kfx *fx, int64_t src, int flags, int preempt)
{
	int64_t types = kfx_qint(fx, "SELECT count(*) FROM trace_types"), n = 0;
	char tbl[128];

	for (int64_t i = 0; i < types; i++) {
		kfx_qtext(fx, tbl, sizeof(tbl), "SELECT tbl FROM trace_types ORDER BY id "
			  "LIMIT 1 OFFSET %lld", (long long)i);
		n += kfx_qint(fx, "SELECT count(*) FROM \"%w\" WHERE common_source = %lld AND "
			      "common_flags = %d AND common_preempt_count = %d", tbl,
			      (long long)src, flags, preempt);
	}
	return n;
}

/*
 * The irq-info column, decoded as kernel/trace/trace_output.c's
 * trace_print_lat_fmt writes it: d irqs off 0x01, N need-resched 0x04 |
 * preempt-resched 0x20, h hardirq 0x08, s softirq 0x10, H both, then the
 * preempt depth and the migrate-disable depth. Counts from
 *   grep -c '\] dNh2\. ' FILE   (and likewise for each column value)
 */
static void test_irq_info(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, DIR, "trace-irqinfo.txt");

	assert_int_equal(count_flags(&fx, src, 0x01 | 0x24 | 0x08, 2), 7);	/* dNh2. */
	assert_int_equal(count_flags(&fx, src, 0x01 | 0x08, 1), 52);		/* d.h1. */
	assert_int_equal(count_flags(&fx, src, 0x24 | 0x10, 1), 21);		/* .Ns1. */
	assert_int_equal(count_flags(&fx, src, 0x10, 0), 23);			/* ..s.. */
	assert_int_equal(count_flags(&fx, src, 0x24, 0), 1);			/* .N... */
	assert_int_equal(count_flags(&fx, src, 0x01, 2), 82);			/* d..2. */
	assert_int_equal(count_flags(&fx, src, 0, 0), 105);			/* ..... */
	kfx_close(&fx);

	src = kfx_open_data(&fx, DIR, "trace-tgid.txt");
	assert_int_equal(count_flags(&fx, src, 0x01 | 0x18, 3), 1);		/* d.H3. */
	kfx_close(&fx);

	src = kfx_open_data(&fx, DIR, "report-l.txt");				/* -l: "0dN.4." */
	assert_int_equal(count_flags(&fx, src, 0x01 | 0x24, 4), 11);
	kfx_close(&fx);
}

/*
 * trace-tgid.txt:239 "<idle>-0 (-------) [000] d.H3.  7841.426387:
 * call_function_single_entry: vector=251"; trace-noirqinfo.txt:323
 * "kworker/u8:0-26244 [000]   7838.417035: writeback_start: bdi 254:0: sb_dev 0:0
 * nr_pages=102098 ...": the task and the text before the first pair.
 */
static void test_common_columns(void **state)
{
	struct kfx fx;
	int64_t id;

	kfx_open_data(&fx, DIR, "trace-tgid.txt");
	id = event_at(&fx, "ev_irq_vectors_call_function_single_entry", 7841426387000, 0);
	kfx_expect_row(&fx, "ev_irq_vectors_call_function_single_entry", id,
		       (const char *const[]){ "common_pid", "0", "vector", "251", NULL });
	expect_comm(&fx, id, "<idle>");
	kfx_close(&fx);

	kfx_open_data(&fx, DIR, "trace-noirqinfo.txt");
	id = event_at(&fx, "ev_writeback_writeback_start", 7838417035000, 0);
	kfx_expect_row(&fx, "ev_writeback_writeback_start", id, (const char *const[]){
		"common_pid", "26244", "info", "bdi 254:0: sb_dev 0:0", "nr_pages", "102098",
		"range_cyclic", "1", "reason", "vmscan", NULL });
	expect_comm(&fx, id, "kworker/u8:0");
	kfx_close(&fx);
}

/* report-t.txt:2 "dd-1112 [000]  7850.510872688: mm_page_alloc: ...": to the ns. */
static void test_timestamps(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, DIR, "report-t.txt");

	assert_int_equal(kfx_qint(&fx, "SELECT first_ns FROM trace_sources WHERE source_id = %lld",
				  (long long)src), 7850510872688);
	/* tail -n 1 report-t.txt: "dd-1112  [000]  7850.511066488: mm_page_alloc: ..." */
	assert_int_equal(kfx_qint(&fx, "SELECT last_ns FROM trace_sources WHERE source_id = %lld",
				  (long long)src), 7850511066488);
	kfx_close(&fx);
	src = kfx_open_data(&fx, DIR, "report.txt");
	/* The same event with 6 decimals: 7850.510873. */
	assert_int_equal(kfx_qint(&fx, "SELECT first_ns FROM trace_sources WHERE source_id = %lld",
				  (long long)src), 7850510873000);
	kfx_close(&fx);
}

/*
 * trace-stack.txt: 135 "<stack trace>" lines (grep -c) with 2363 frames,
 *   awk '/<stack trace>/ {s = 1; next} s && /^ => / {n++; next} {s = 0} END {print n}'
 * the first at :14 after :13 "bash-481 [001] d..3.  7844.526904: sched_waking: ...",
 * 10 frames from trace_event_raw_event_sched_wakeup_template to
 * entry_SYSCALL_64_after_hwframe.
 */
static void test_stacks_tracefs(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, DIR, "trace-stack.txt"), id, stack;
	char sym[128];

	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM events WHERE source = %lld AND "
				  "stack_id IS NOT NULL", (long long)src), 135);
	assert_int_equal(kfx_qint(&fx, "SELECT sum(s.depth) FROM events e JOIN stacks s ON "
				  "s.id = e.stack_id WHERE e.source = %lld", (long long)src), 2363);
	id = event_at(&fx, "ev_sched_sched_waking", 7844526904000, 1);
	stack = kfx_qint(&fx, "SELECT stack_id FROM event_stacks WHERE event_id = %lld",
			 (long long)id);
	assert_int_equal(kfx_qint(&fx, "SELECT depth FROM stacks WHERE id = %lld",
				  (long long)stack), 10);
	kfx_qtext(&fx, sym, sizeof(sym), "SELECT symbol FROM frames WHERE stack_id = %lld AND "
		  "idx = 0", (long long)stack);
	assert_string_equal(sym, "trace_event_raw_event_sched_wakeup_template");
	kfx_qtext(&fx, sym, sizeof(sym), "SELECT symbol FROM frames WHERE stack_id = %lld AND "
		  "idx = 9", (long long)stack);
	assert_string_equal(sym, "entry_SYSCALL_64_after_hwframe");
	kfx_close(&fx);
}

/*
 * report-stack.txt: 35 kernel_stack records with 530 frames (grep -c '^=>'),
 * each after its event on the same CPU: :2 "<idle>-0 [000] 7851.062448:
 * sched_switch: swapper/0:0 [120] R ==> dd:1124 [120]", then 10 frames, the
 * third "=> __schedule (ffffffff82265488)".
 */
static void test_stacks_report(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, DIR, "report-stack.txt"), id, stack;
	char got[128];

	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM events WHERE source = %lld AND "
				  "stack_id IS NOT NULL", (long long)src), 35);
	assert_int_equal(kfx_qint(&fx, "SELECT sum(s.depth) FROM events e JOIN stacks s ON "
				  "s.id = e.stack_id WHERE e.source = %lld", (long long)src), 530);
	id = event_at(&fx, "ev_sched_sched_switch", 7851062448000, 0);
	stack = kfx_qint(&fx, "SELECT stack_id FROM event_stacks WHERE event_id = %lld",
			 (long long)id);
	assert_int_equal(kfx_qint(&fx, "SELECT depth FROM stacks WHERE id = %lld",
				  (long long)stack), 10);
	kfx_qtext(&fx, got, sizeof(got), "SELECT symbol || ' ' || address FROM frames "
		  "WHERE stack_id = %lld AND idx = 2", (long long)stack);
	assert_string_equal(got, "__schedule 0xffffffff82265488");
	kfx_close(&fx);
}

/* The -B buffers: grep -c '^mmt_a:' gives 38, '^mmt_b:' 62. */
static void test_instances(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, DIR, "report-instances.txt");

	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM trace_instances WHERE "
				  "source_id = %lld", (long long)src), 2);
	assert_int_equal(kfx_qint(&fx, "SELECT (SELECT count(*) FROM mm_vmscan_memcg_reclaim_begin "
				  "WHERE common_instance = 'mmt_a') + (SELECT count(*) FROM "
				  "mm_vmscan_memcg_reclaim_end WHERE common_instance = 'mmt_a')"), 38);
	assert_int_equal(kfx_qint(&fx, "SELECT (SELECT count(*) FROM sched_wakeup "
				  "WHERE common_instance = 'mmt_b') + (SELECT count(*) FROM "
				  "ipi_send_cpu WHERE common_instance = 'mmt_b')"), 62);
	/* The top-level buffer recorded sched_switch only. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM sched_switch WHERE "
				  "common_instance IS NULL"), 79);
	kfx_close(&fx);
}

/* trace_pipe.txt with the first `find` of line `line` replaced by repl. */
static int64_t ingest_derived(struct kfx *fx, const char *file, long line, const char *find,
			      const char *repl)
{
	char path[4096];
	size_t len;
	char *text;
	int64_t src;

	kfx_data_path(path, sizeof(path), DIR, file);
	text = kfx_derive(path, line, find, repl, &len);
	kfx_open(fx);
	src = kfx_ingest_text(fx, text, len);
	free(text);
	return src;
}

static void expect_skipped(struct kfx *fx, int64_t src, int64_t events, int64_t skipped,
			   const char *first)
{
	char got[256];

	assert_int_equal(kfx_qint(fx, "SELECT events FROM trace_sources WHERE source_id = %lld",
				  (long long)src), events);
	assert_int_equal(kfx_qint(fx, "SELECT skipped FROM trace_sources WHERE source_id = %lld",
				  (long long)src), skipped);
	kfx_qtext(fx, got, sizeof(got), "SELECT ifnull(first_skipped, 'NULL') FROM trace_sources "
		  "WHERE source_id = %lld", (long long)src);
	assert_string_equal(got, first);
}

/* trace_pipe.txt:3 "            bash-481     [001] ...1.  7847.665827: ipi_send_cpu: cpu=0 ..." */
#define PIPE_LINE3_TAIL " 7847.665827: ipi_send_cpu: cpu=0 callsite=on_each_cpu_cond_mask+0x20/0x60 " \
	"callback=generic_smp_call_function_single_interrupt+0x0/0x10"

static void test_bad_lines(void **state)
{
	struct kfx fx;
	int64_t src;

	/* A line cut short: kept out, counted, the rest ingested. */
	src = ingest_derived(&fx, "trace_pipe.txt", 3, PIPE_LINE3_TAIL, " 7847.66");
	expect_skipped(&fx, src, 299, 1, "line 3: no time column");
	assert_int_equal(fx.warnings, 1);
	kfx_close(&fx);
	/* Garbage in the CPU column. */
	src = ingest_derived(&fx, "trace_pipe.txt", 3, "[001]", "[0x1]");
	expect_skipped(&fx, src, 299, 1, "line 3: no CPU column");
	kfx_close(&fx);
	/* A line that is not a trace line at all, and one before it. */
	src = ingest_derived(&fx, "trace_pipe.txt", 3, "            bash-481",
			     "this is not a trace line\nnor is this:\n            bash-481");
	expect_skipped(&fx, src, 300, 2, "line 3: no time column");
	kfx_close(&fx);
	/* An event name no table knows: stored under system "unknown". */
	src = ingest_derived(&fx, "trace_pipe.txt", 3, "ipi_send_cpu:", "mmt_no_such_event:");
	expect_skipped(&fx, src, 300, 0, "NULL");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM events WHERE system = 'unknown' "
				  "AND name = 'mmt_no_such_event'"), 1);
	kfx_close(&fx);
}

/* ftrace's "CPU:1 [LOST 123 EVENTS]" line counts lost events. */
static void test_lost_events(void **state)
{
	struct kfx fx;
	int64_t src = ingest_derived(&fx, "trace_pipe.txt", 3, "            bash-481",
				     "CPU:1 [LOST 123 EVENTS]\n            bash-481");

	expect_skipped(&fx, src, 300, 0, "NULL");
	assert_int_equal(kfx_qint(&fx, "SELECT lost FROM trace_sources WHERE source_id = %lld",
				  (long long)src), 123);
	kfx_close(&fx);
}

/*
 * A value that does not fit its column: trace-irqinfo.txt:235's
 * prev_pid=499 made "4x9" is stored as NULL and reported once.
 */
static void test_bad_value(void **state)
{
	struct kfx fx;
	int64_t src = ingest_derived(&fx, "trace-irqinfo.txt", 235, "prev_pid=499",
				     "prev_pid=4x9"), id;

	expect_skipped(&fx, src, 470, 0, "NULL");
	id = event_at(&fx, "ev_sched_sched_switch", 7835206388000, 1);
	kfx_expect_row(&fx, "ev_sched_sched_switch", id, (const char *const[]){
		"prev_pid", "NULL", "prev_comm", "mmt cat-x", "next_pid", "15", NULL });
	assert_int_equal(fx.warnings, 1);
	assert_non_null(strstr(fx.warning, "line 235: sched_switch prev_pid"));
	kfx_close(&fx);
}

/*
 * A stack whose event is not on its CPU: report-stack.txt:2's event moved
 * to CPU 1, so the kernel_stack at :3 (CPU 0) has no event before it.
 */
static void test_orphan_stack(void **state)
{
	struct kfx fx;
	int64_t src = ingest_derived(&fx, "report-stack.txt", 2, "[000]", "[001]");

	expect_skipped(&fx, src, 35, 1, "line 3: stack trace with no event before it on CPU 0");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM event_stacks"), 34);
	kfx_close(&fx);
}

static void test_refused(void **state)
{
	static const char bad_cpus[] = "cpus=many\n"
		"              dd-1112  [000]  7850.510873: mm_page_alloc:        page=0x1c6ad3\n";
	static const char prose[] = "Demonstrations of nothing\nin particular.\n";

	kfx_expect_refused_as(NULL, "trace_text", bad_cpus, sizeof(bad_cpus) - 1, 1,
			      "number of CPUs");
	kfx_expect_refused_as(NULL, "trace_text", prose, sizeof(prose) - 1, 1,
			      "no line is an event");
}

static const struct mmt_parser *sniff_file(const char *path)
{
	size_t len;
	char *text = kfx_slurp(path, &len);
	const struct mmt_parser *p;

	if (len > MMT_HEAD_MAX) {
		len = MMT_HEAD_MAX;
		text[len] = '\0';
	}
	p = mmt_parser_sniff(text, len);
	free(text);
	return p;
}

/* Every kernel log sample stays the kernel-log parser's; every capture is ours. */
static void test_probe(void **state)
{
	static const char *const files[] = {
		"trace-irqinfo.txt", "trace-noirqinfo.txt", "trace-tgid.txt", "trace-stack.txt",
		"trace_pipe.txt", "report.txt", "report-l.txt", "report-t.txt",
		"report-stack.txt", "report-instances.txt", NULL,
	};
	char pattern[4096], path[4096];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s/samples/*/dmesg*.txt", kfx_source_dir());
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 10);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const struct mmt_parser *p = sniff_file(g.gl_pathv[i]);

		if (!p || strcmp(p->name, "kernel_log"))
			fail_msg("%s sniffed as %s", g.gl_pathv[i], p ? p->name : "nothing");
	}
	globfree(&g);
	for (size_t i = 0; files[i]; i++) {
		const struct mmt_parser *p;

		kfx_data_path(path, sizeof(path), DIR, files[i]);
		p = sniff_file(path);
		if (!p || strcmp(p->name, "trace_text"))
			fail_msg("%s sniffed as %s", files[i], p ? p->name : "nothing");
	}
}

/* The pieces: exact times and numbers. */
static void test_numbers(void **state)
{
	int64_t v;
	bool ok;

	assert_int_equal(tt_ns("7850.510872688", 14, &ok), 7850510872688);
	assert_true(ok);
	assert_int_equal(tt_ns("7850.510873", 11, &ok), 7850510873000);
	assert_int_equal(tt_ns("76.211513", 9, &ok), 76211513000);
	tt_ns("76.", 3, &ok);
	assert_false(ok);
	assert_true(tt_number("001", 3, &v) && v == 1);
	assert_true(tt_number("0x1c6ad3", 8, &v) && v == 1862355);
	assert_true(tt_number("-1", 2, &v) && v == -1);
	assert_true(tt_number("7778999 [ns]", 12, &v) && v == 7778999);
	assert_true(tt_number("0xffffffff813abff5", 18, &v) && (uint64_t)v == 0xffffffff813abff5u);
	assert_false(tt_number("GFP_KERNEL", 10, &v));
	assert_false(tt_number("00000000,00000080", 17, &v));
}

/*
 * Corpus: an Android trace whose poster cut the task names
 * ("-5972    [006] ....  7971.248399: mm_vmscan_direct_reclaim_begin: order=4
 * gfp_flags=GFP_HIGHUSER|__GFP_NOWARN|__GFP_COMP|__GFP_ZERO", 4-character
 * irq-info of a pre-5.13 kernel); counts by the awk above: 19 + 19
 * compaction, 10 + 10 direct reclaim.
 */
static void test_corpus_direct_reclaim(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lkml/linux-kernel/"
				      "compaction-and-direct-reclaim-events-android-dma-buf.txt"), id;

	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM events WHERE source = %lld",
				  (long long)src), 58);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM events WHERE system = 'vmscan' "
				  "AND name = 'mm_vmscan_direct_reclaim_begin'"), 10);
	id = event_at(&fx, "ev_vmscan_mm_vmscan_direct_reclaim_begin", 7971248399000, 6);
	kfx_expect_row(&fx, "ev_vmscan_mm_vmscan_direct_reclaim_begin", id, (const char *const[]){
		"common_pid", "5972", "common_comm_id", "NULL", "common_flags", "0",
		"common_preempt_count", "0", "\"order\"", "4",
		"gfp_flags", "GFP_HIGHUSER|__GFP_NOWARN|__GFP_COMP|__GFP_ZERO", NULL });
	kfx_close(&fx);
}

/*
 * Corpus: LISA's trace-cmd report of an old trace-cmd ("version = 6",
 * "cpus=6", "<...>" task names): 1856 sched_switch, 1068 sched_wakeup,
 * 14 print, 3 sched_overutilized by the awk above.
 */
static void test_corpus_lisa(void **state)
{
	static const struct count counts[] = {
		{ "sched_switch", 1856 }, { "sched_wakeup", 1068 }, { "print", 14 },
		{ "sched_overutilized", 3 }, { NULL, 2941 },
	};
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "lisa/tests/assets/trace_txt/trace.txt"), id;

	expect_counts(&fx, src, counts);
	assert_int_equal(kfx_qint(&fx, "SELECT cpus FROM trace_sources"), 6);
	/* Line 3: "<...>-1701  [001]    76.211513: sched_switch: prev_comm=trace-cmd ..." */
	id = event_at(&fx, "ev_sched_sched_switch", 76211513000, 1);
	kfx_expect_row(&fx, "ev_sched_sched_switch", id, (const char *const[]){
		"common_pid", "1701", "common_comm_id", "NULL", "prev_comm", "trace-cmd",
		"prev_state", "64", "next_comm", "swapper/1", NULL });
	kfx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_tracefs),
		cmocka_unit_test(test_counts_report),
		cmocka_unit_test(test_sched_switch_tracefs),
		cmocka_unit_test(test_sched_switch_report),
		cmocka_unit_test(test_sched_wakeup),
		cmocka_unit_test(test_vmscan),
		cmocka_unit_test(test_ipi_send_cpu),
		cmocka_unit_test(test_hyphen_names),
		cmocka_unit_test(test_report_latency),
		cmocka_unit_test(test_irq_info),
		cmocka_unit_test(test_common_columns),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_stacks_tracefs),
		cmocka_unit_test(test_stacks_report),
		cmocka_unit_test(test_instances),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_lost_events),
		cmocka_unit_test(test_bad_value),
		cmocka_unit_test(test_orphan_stack),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_corpus_direct_reclaim),
		cmocka_unit_test(test_corpus_lisa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
