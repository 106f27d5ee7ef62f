/*
 * Tests of the /proc/interrupts parser (parsers/proc_interrupts.c): this
 * machine's file, a real 1-second series in which CPU1 went offline and came
 * back, every interrupts file of the corpus (x86 of several CPU counts, CPU
 * columns with a gap, arm and arm64, Android 3.4, Linux 2.6 arm), the
 * /proc/softirqs files the probe must leave alone, and bad input derived
 * from the real files.
 *
 * Inputs: tests/data/interrupts/ (see its README.md) and files of the
 * corpus in ../shared/corpus named above each test (skipped when absent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/parser.h"

#include "klog_fixture.h"

/* The count of one IRQ on one CPU (cpu < 0: the row without a CPU) in sample seq. */
static int64_t irq_count(struct kfx *fx, int64_t src, int seq, const char *irq, int cpu)
{
	return kfx_qint(fx, "SELECT i.count FROM irq_counts i JOIN snapshots s ON "
			"s.id = i.snapshot_id JOIN state_keys k ON k.id = i.key_id "
			"WHERE s.source_id = %lld AND s.seq = %d AND k.name = %Q AND "
			"ifnull(i.cpu, -1) = %d", (long long)src, seq, irq, cpu);
}

static void expect_description(struct kfx *fx, int64_t src, const char *irq,
			       const char *want)
{
	char got[256];

	kfx_qtext(fx, got, sizeof(got), "SELECT d.description FROM irq_descriptions d "
		  "JOIN state_keys k ON k.id = d.key_id WHERE d.source_id = %lld AND "
		  "k.name = %Q", (long long)src, irq);
	assert_string_equal(got, want);
}

static int64_t source_rows(struct kfx *fx, int64_t src)
{
	return kfx_qint(fx, "SELECT count(*) FROM irq_counts i JOIN snapshots s ON "
			"s.id = i.snapshot_id WHERE s.source_id = %lld", (long long)src);
}

/* `cat /proc/interrupts`, 6.18 x86_64, 2 CPUs. */
static void test_this_machine(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "interrupts", "interrupts");

	(void)state;
	/* 33 rows of 2 counts, ERR and MIS of one (awk over the file). */
	assert_int_equal(source_rows(&fx, src), 68);
	assert_int_equal(kfx_qint(&fx, "SELECT sum(count) FROM irq_counts"), 3987246);
	assert_int_equal(irq_count(&fx, src, 0, "CAL", 0), 709376);
	assert_int_equal(irq_count(&fx, src, 0, "CAL", 1), 444772);
	assert_int_equal(irq_count(&fx, src, 0, "36", 1), 854175);
	assert_int_equal(irq_count(&fx, src, 0, "ERR", -1), 0);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM irq_counts WHERE cpu IS NULL"), 2);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM irq_descriptions"), 33);
	expect_description(&fx, src, "31", "PCI-MSIX-0000:00:01.0 3-edge virtio0-stats");
	expect_description(&fx, src, "CAL", "Function call interrupts");
	assert_int_equal(kfx_qint(&fx, "SELECT counter FROM state_keys WHERE name = 'LOC'"), 1);
	assert_int_equal(fx.warnings, 0);
	kfx_close(&fx);
}

/*
 * tests/data/interrupts/series-cpu1-offline: 28 samples, CPU1 offline in
 * samples 2..25 (header "CPU0" alone).
 */
static void test_series_cpu_offline(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "interrupts", "series-cpu1-offline");
	double rate;

	(void)state;
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM snapshots WHERE source_id = %lld",
				  (long long)src), 28);
	/* 4 samples of 68 rows, 24 of 35. */
	assert_int_equal(source_rows(&fx, src), 1112);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM irq_counts i JOIN snapshots s "
				  "ON s.id = i.snapshot_id WHERE i.cpu = 1 AND s.seq BETWEEN 2 AND 25"),
			 0);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM irq_counts i JOIN snapshots s "
				  "ON s.id = i.snapshot_id WHERE i.cpu = 1 AND s.seq IN (1, 26)"), 66);
	/* ERR stays without a CPU while one CPU is online: one series of 28. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM interrupts WHERE irq = 'ERR' "
				  "AND cpu IS NULL"), 28);
	/* CAL on CPU 0 has a rate at every sample but the first, never negative. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(rate) FROM interrupts WHERE irq = 'CAL' "
				  "AND cpu = 0"), 27);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM interrupts WHERE irq = 'CAL' "
				  "AND cpu = 0 AND rate < 0"), 0);
	/*
	 * The first sample after CPU1 returned (seq 26, 1795300413.041384534)
	 * against its last one before it left (seq 1, 1795300388.010807866):
	 * (436647 - 436588) / 25.030576668 = 2.357117085.
	 */
	assert_int_equal(irq_count(&fx, src, 26, "CAL", 1), 436647);
	rate = kfx_qreal(&fx, "SELECT rate FROM interrupts WHERE irq = 'CAL' AND cpu = 1 "
			 "AND ts > 1795300413 AND ts < 1795300414");
	if (fabs(rate - 2.357117085) > 1e-6)
		fail_msg("CAL rate on CPU 1 after its return: %.9f", rate);
	/* CPU 0 at seq 26: (701759 - 701723) / (413.041384534 - 412.087963991). */
	rate = kfx_qreal(&fx, "SELECT rate FROM interrupts WHERE irq = 'CAL' AND cpu = 0 "
			 "AND ts > 1795300413 AND ts < 1795300414");
	if (fabs(rate - 37.758789278) > 1e-5)
		fail_msg("CAL rate on CPU 0: %.9f", rate);
	/* Descriptions once per IRQ, not once per sample. */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM irq_descriptions"), 33);
	kfx_close(&fx);
}

/* Every interrupts file of the corpus, with its rows and the sum of its counts. */
static const struct {
	const char *rel;
	int64_t rows, sum;
} corpus_files[] = {
	{ "D2000-arm-2.6/proc/interrupts", 10, 31401 },
	{ "csci442-proc-snapshot/interrupts", 218, 168559808 },
	{ "i5_info-android-3.4/proc/interrupts", 85, 668069 },
	{ "node_exporter/collector/fixtures/proc/interrupts", 114, 791632788 },
	{ "node_exporter/collector/fixtures/proc/interrupts_aarch64", 465, 65467063241 },
	{ "prometheus-procfs/fixtures/proc/interrupts", 182, 101245 },
	{ "sosreport-coreos-master1/proc/interrupts", 46, 3619014 },
	{ "sysstat/tests/root1/proc/interrupts", 371, 95572996 },
	{ "sysstat/tests/root2/proc/interrupts", 330, 96567796 },
	{ "sysstat/tests/root3/proc/interrupts", 289, 82461054 },
	{ "sysstat/tests/root4/proc/interrupts", 330, 83759539 },
	{ "sysstat/tests/root5/proc/interrupts", 371, 100044085 },
	{ "sysstat/tests/root6/proc/interrupts", 412, 95525443 },
	{ "sysstat/tests/root6b/proc/interrupts", 412, 95526199 },
	{ "sysstat/tests/root7/proc/interrupts", 412, 96646515 },
};

static void test_corpus_all(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(corpus_files) / sizeof(corpus_files[0]); i++) {
		struct kfx fx;
		int64_t src = kfx_open_corpus(&fx, corpus_files[i].rel);

		if (source_rows(&fx, src) != corpus_files[i].rows ||
		    kfx_qint(&fx, "SELECT sum(count) FROM irq_counts") != corpus_files[i].sum)
			fail_msg("%s: %lld rows, expected %lld", corpus_files[i].rel,
				 (long long)source_rows(&fx, src), (long long)corpus_files[i].rows);
		kfx_close(&fx);
	}
}

/* sysstat root3: "CPU0 ... CPU5 CPU7", CPU6 offline. */
static void test_corpus_cpu_gap(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "sysstat/tests/root3/proc/interrupts");

	(void)state;
	/* "LOC:   11320772 ... 11213289   12540126   Local timer interrupts" */
	assert_int_equal(irq_count(&fx, src, 0, "LOC", 5), 11213289);
	assert_int_equal(irq_count(&fx, src, 0, "LOC", 7), 12540126);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM irq_counts WHERE cpu = 6"), 0);
	assert_int_equal(irq_count(&fx, src, 0, "CAL", 7), 37703);
	assert_int_equal(irq_count(&fx, src, 0, "MIS", -1), 0);
	expect_description(&fx, src, "27", "PCI-MSI 3670018-edge xhci_hcd");
	kfx_close(&fx);
}

/* node_exporter interrupts_aarch64: GICv3 rows and "IPI0:2768808080" (no blank). */
static void test_corpus_arm64(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "node_exporter/collector/fixtures/proc/interrupts_aarch64");

	(void)state;
	assert_int_equal(irq_count(&fx, src, 0, "IPI0", 0), 2768808080);
	assert_int_equal(irq_count(&fx, src, 0, "IPI0", 7), 2154252810);
	assert_int_equal(irq_count(&fx, src, 0, "10", 5), 3641875466);
	assert_int_equal(irq_count(&fx, src, 0, "Err", -1), 0);
	expect_description(&fx, src, "IPI0", "Rescheduling interrupts");
	expect_description(&fx, src, "10", "GICv3 27 Level arch_timer");
	kfx_close(&fx);
}

/*
 * i5_info-android-3.4: the header lists CPU0 only, the IPI rows every
 * present CPU (4), FIQ has no count, "-" is a chip without a name.
 */
static void test_corpus_android(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx, "i5_info-android-3.4/proc/interrupts");

	(void)state;
	assert_int_equal(irq_count(&fx, src, 0, "14", 0), 8181);
	assert_int_equal(irq_count(&fx, src, 0, "IPI1", 3), 30716);
	assert_int_equal(irq_count(&fx, src, 0, "IPI2", 1), 65);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM irq_counts i JOIN state_keys k "
				  "ON k.id = i.key_id WHERE k.name = 'FIQ'"), 0);
	expect_description(&fx, src, "FIQ", "fiq_glue");
	expect_description(&fx, src, "14", "- debug-signal");
	expect_description(&fx, src, "126", "- mt_emi_mpu, spc, mt6577_devapc");
	assert_int_equal(fx.warnings, 1);
	assert_int_equal(fx.warning_line, 63);
	kfx_close(&fx);
}

/* /proc/softirqs has the same header; the probe must not take it. */
static void test_softirqs_not_claimed(void **state)
{
	static const char *const files[] = {
		"csci442-proc-snapshot/softirqs", "sosreport-coreos-master1/proc/softirqs",
		"i5_info-android-3.4/proc/softirqs",
	};
	const struct mmt_parser *p = mmt_parser_find("interrupts");

	(void)state;
	assert_non_null(p);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[4096];
		size_t len;
		char *text;

		kfx_corpus_path(path, sizeof(path), files[i]);
		text = kfx_slurp(path, &len);
		if (p->probe(text, len) != 0)
			fail_msg("%s claimed as interrupts", files[i]);
		free(text);
	}
}

static void test_overflow(void **state)
{
	char path[4096];
	size_t len;
	char *text;

	(void)state;
	kfx_data_path(path, sizeof(path), "interrupts", "interrupts");
	/* line 22: "LOC:     745023     636435   Local timer interrupts" */
	text = kfx_derive(path, 22, "745023", "99999999999999999999999", &len);
	kfx_expect_refused(NULL, text, len, 22,
			   "count '99999999999999999999999' does not fit in 64 bits");
	free(text);
}

/* The header without CPU1: the first row has 2 counts for 1 CPU. */
static void test_header_missing_column(void **state)
{
	char path[4096];
	size_t len;
	char *text;

	(void)state;
	kfx_data_path(path, sizeof(path), "interrupts", "interrupts");
	text = kfx_derive(path, 1, "CPU1", "", &len);
	kfx_expect_refused(NULL, text, len, 2, "row '24' has 2 counts for 1 CPUs");
	free(text);
}

/* prometheus-procfs:31 "LOC:      10196       7429       8542       8229   Local ..." */
static void test_row_missing_column(void **state)
{
	char path[4096];
	size_t len;
	char *text;

	(void)state;
	kfx_corpus_path(path, sizeof(path), "prometheus-procfs/fixtures/proc/interrupts");
	text = kfx_derive(path, 31, "      10196", "", &len);
	kfx_expect_refused(NULL, text, len, 31, "row 'LOC' has 3 counts for 4 CPUs");
	free(text);
}

/* The last line cut after its counts: "PIW:          0          0". */
static void test_truncated_last_line(void **state)
{
	size_t len;
	char *text;

	(void)state;
	text = kfx_data("interrupts", "interrupts", &len);
	len = (size_t)(strstr(text, "   Posted-interrupt wakeup event") - text);
	kfx_expect_refused(NULL, text, len, 36, "row 'PIW' ends after its counts");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_this_machine),
		cmocka_unit_test(test_series_cpu_offline),
		cmocka_unit_test(test_corpus_all),
		cmocka_unit_test(test_corpus_cpu_gap),
		cmocka_unit_test(test_corpus_arm64),
		cmocka_unit_test(test_corpus_android),
		cmocka_unit_test(test_softirqs_not_claimed),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_header_missing_column),
		cmocka_unit_test(test_row_missing_column),
		cmocka_unit_test(test_truncated_last_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
