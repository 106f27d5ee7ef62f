/*
 * The trace.dat parser on damaged copies of real recordings (tests/data/
 * trace), made at run time: files cut at every few kilobytes, pages and
 * compressed chunks overwritten, headers that cannot be read. A cut or
 * damaged file must either be refused with a message about its header,
 * leaving the store as it was, or give only events the whole file has,
 * each CPU's being the first ones of that CPU (nothing after a gap), with
 * what was left out counted in trace_sources.skipped. Expected counts of
 * damaged files are `trace-cmd report`'s on the same damaged file where it
 * reads it at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "parsers/ingest.h"

#include "klog_fixture.h"

struct outcome {
	enum mmt_ingest_status status;
	int64_t src;
	struct mmt_err err;
};

/* Ingests data (a damaged copy of a real file) as a file of its own. */
static void try_ingest(struct kfx *fx, const char *data, size_t len, struct outcome *o)
{
	struct mmt_ingest_opts opts = { 0 };
	struct mmt_ingest_result r;
	char path[] = "/tmp/mmt-tdat-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	memset(&o->err, 0, sizeof(o->err));
	mmt_ingest_file(fx->st, path, &opts, &r, &o->err);
	unlink(path);
	o->status = r.status;
	o->src = r.source_id;
}

/* A store holding the whole file as source 1; *data receives its bytes. */
static void open_whole(struct kfx *fx, const char *file, char **data, size_t *len)
{
	assert_int_equal(kfx_open_data(fx, "trace", file), 1);
	*data = kfx_data("trace", file, len);
}

/* Every event of src is one of the whole file's. */
static void expect_only_whole_events(struct kfx *fx, int64_t src)
{
	assert_int_equal(kfx_qint(fx, "SELECT count(*) FROM (SELECT ts_ns, name, pid, comm FROM "
				  "events WHERE source = %lld EXCEPT SELECT ts_ns, name, pid, comm "
				  "FROM events WHERE source = 1)", (long long)src), 0);
}

/*
 * That, and each CPU's events of each type are the first ones of that CPU
 * and type in the whole file.
 */
static void expect_part_of_whole(struct kfx *fx, int64_t src)
{
	expect_only_whole_events(fx, src);
	assert_int_equal(kfx_qint(fx,
		"WITH a AS (SELECT ts_ns, name, cpu, row_number() OVER (PARTITION BY cpu, name "
		"ORDER BY id) r FROM events WHERE source = 1), "
		"b AS (SELECT ts_ns, name, cpu, row_number() OVER (PARTITION BY cpu, name "
		"ORDER BY id) r FROM events WHERE source = %lld AND cpu IS NOT NULL) "
		"SELECT count(*) FROM b LEFT JOIN a ON a.cpu = b.cpu AND a.name = b.name AND "
		"a.r = b.r WHERE a.ts_ns IS NOT b.ts_ns", (long long)src), 0);
}

static int64_t count_of(struct kfx *fx, int64_t src, const char *instance, int cpu)
{
	return kfx_qint(fx, "SELECT count(*) FROM events WHERE source = %lld AND "
			"ifnull(instance, '-') = %Q AND cpu = %d", (long long)src, instance, cpu);
}

/*
 * src was ingested with every event of the whole file but those of the
 * top buffer's CPU gone, the other top CPU whole, and what was left out
 * said first as first_skipped.
 */
static void expect_cpu_left_out(struct kfx *fx, const struct outcome *o, int gone,
				const char *first_skipped)
{
	assert_int_equal(o->status, MMT_INGESTED);
	expect_part_of_whole(fx, o->src);
	assert_int_equal(count_of(fx, o->src, "-", gone), 0);
	assert_int_equal(count_of(fx, o->src, "-", !gone), count_of(fx, 1, "-", !gone));
	assert_int_equal(kfx_qint(fx, "SELECT events FROM trace_sources WHERE source_id = %lld",
				  (long long)o->src), 1391 - count_of(fx, 1, "-", gone));
	assert_int_equal(kfx_qint(fx, "SELECT first_skipped = %Q FROM trace_sources WHERE "
				  "source_id = %lld", first_skipped, (long long)o->src), 1);
}

/* One cut: refused for its header, or a part of the whole with a skip. */
static bool check_cut(struct kfx *fx, const char *data, size_t cut, int64_t whole)
{
	struct outcome o;

	try_ingest(fx, data, cut, &o);
	if (o.status == MMT_INGEST_FAILED) {
		if (!strstr(o.err.msg, "cannot read the trace.dat header"))
			fail_msg("cut at %zu: %s", cut, o.err.msg);
		assert_int_equal(kfx_count_rows(fx, "trace_sources"), 1);
		return false;
	}
	if (o.status != MMT_INGESTED)
		fail_msg("cut at %zu: status %d", cut, o.status);
	expect_part_of_whole(fx, o.src);
	if (kfx_qint(fx, "SELECT skipped FROM trace_sources WHERE source_id = %lld",
		     (long long)o.src) < 1)
		fail_msg("cut at %zu: nothing counted as skipped", cut);
	assert_true(kfx_qint(fx, "SELECT events FROM trace_sources WHERE source_id = %lld",
			     (long long)o.src) <= whole);
	return true;
}

/*
 * Version 6 cut every 2 KiB (and 100 bytes in): everything before the
 * CPU data (102400 in inst-v6.dat, trace-cmd dump --flyrecord) is header.
 */
static void test_v6_cuts(void **state)
{
	struct kfx fx;
	size_t len, read = 0;
	char *data;

	open_whole(&fx, "inst-v6.dat", &data, &len);
	for (size_t cut = 100; cut < len; cut += 2048)
		if (check_cut(&fx, data, cut, 1391)) {
			assert_true(cut >= 102400);
			read++;
		} else {
			assert_true(cut < 102400);
		}
	assert_int_equal(read, (len - 102400) / 2048);
	free(data);
	kfx_close(&fx);
}

/*
 * inst-v6.dat's data (trace-cmd dump --flyrecord and the instances' tables):
 * top CPU 0 at 102400 (3 pages), CPU 1 at 114688 (8 pages); mmt_vm's table
 * at 147456, CPU 0 at 151552 (1 page), CPU 1 at 155648 (5 pages); mmt_ipi's
 * table at 176128, CPU 0 at 180224, CPU 1 at 184320 (1 page each).
 */
static void test_v6_cut_inside_cpus(void **state)
{
	struct kfx fx;
	struct outcome o;
	size_t len;
	char *data;

	open_whole(&fx, "inst-v6.dat", &data, &len);
	/* In CPU 1's second page: CPU 0 whole, CPU 1's first page, no instance. */
	try_ingest(&fx, data, 120000, &o);
	assert_int_equal(o.status, MMT_INGESTED);
	expect_part_of_whole(&fx, o.src);
	assert_int_equal(count_of(&fx, o.src, "-", 0), count_of(&fx, 1, "-", 0));
	assert_in_range(count_of(&fx, o.src, "-", 1), 1, count_of(&fx, 1, "-", 1) - 1);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM events WHERE source = %lld AND "
				  "instance IS NOT NULL", (long long)o.src), 0);
	assert_int_equal(kfx_qint(&fx, "SELECT skipped FROM trace_sources WHERE source_id = %lld",
				  (long long)o.src), 3);
	/* The instances' tables first, then CPU 1 cut after its first page (at 0x1d000). */
	assert_int_equal(kfx_qint(&fx, "SELECT first_skipped = 'offset 0x24000: the CPU data "
				  "table of instance mmt_vm is missing' FROM trace_sources WHERE "
				  "source_id = %lld", (long long)o.src), 1);
	/* In mmt_vm's CPU 1: the top buffer and mmt_vm's CPU 0 whole. */
	try_ingest(&fx, data, 160000, &o);
	assert_int_equal(o.status, MMT_INGESTED);
	expect_part_of_whole(&fx, o.src);
	assert_int_equal(count_of(&fx, o.src, "-", 1), count_of(&fx, 1, "-", 1));
	assert_int_equal(count_of(&fx, o.src, "mmt_vm", 0), count_of(&fx, 1, "mmt_vm", 0));
	assert_in_range(count_of(&fx, o.src, "mmt_vm", 1), 1, count_of(&fx, 1, "mmt_vm", 1) - 1);
	assert_int_equal(count_of(&fx, o.src, "mmt_ipi", 0), 0);
	/* In the last page: all but mmt_ipi's CPU 1. */
	try_ingest(&fx, data, len - 100, &o);
	assert_int_equal(o.status, MMT_INGESTED);
	expect_part_of_whole(&fx, o.src);
	assert_int_equal(kfx_qint(&fx, "SELECT events FROM trace_sources WHERE source_id = %lld",
				  (long long)o.src), 1391 - count_of(&fx, 1, "mmt_ipi", 1));
	free(data);
	kfx_close(&fx);
}

/*
 * Version 7 keeps each buffer's table after its data (inst-v7.dat, trace-cmd
 * dump --options: top's data from 19200, table at 27760; mmt_vm's from 27859,
 * table at 35705; mmt_ipi's from 35810, table at 41449), so a cut loses the
 * table of the buffer it cuts: that buffer is found again from its
 * compressed data, under the name lost-N.
 */
static void test_v7_cuts(void **state)
{
	struct kfx fx;
	size_t len, read = 0;
	char *data;
	struct outcome o;

	open_whole(&fx, "inst-v7.dat", &data, &len);
	for (size_t cut = 100; cut < len; cut += 1000)
		read += check_cut(&fx, data, cut, 1391);
	assert_true(read >= (len - 19200) / 1000 - 1);
	/* All the data, without mmt_ipi's table: its 146 events, as lost-2. */
	try_ingest(&fx, data, 41449, &o);
	assert_int_equal(o.status, MMT_INGESTED);
	expect_part_of_whole(&fx, o.src);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM events WHERE source = %lld",
				  (long long)o.src), 1391);
	assert_int_equal(count_of(&fx, o.src, "lost-2", 0), count_of(&fx, 1, "mmt_ipi", 0));
	assert_int_equal(count_of(&fx, o.src, "lost-2", 1), count_of(&fx, 1, "mmt_ipi", 1));
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM events WHERE source = %lld AND "
				  "instance = 'mmt_vm'", (long long)o.src), 133 + 133 + 388);
	free(data);
	kfx_close(&fx);
}

/* Uncompressed version 7 cut: the cut buffer's CPUs cannot be told apart. */
static void test_v7_none_cuts(void **state)
{
	struct kfx fx;
	size_t len;
	char *data;

	open_whole(&fx, "inst-v7-none.dat", &data, &len);
	for (size_t cut = 100; cut < len; cut += 4000)
		check_cut(&fx, data, cut, 1391);
	free(data);
	kfx_close(&fx);
}

/* Little-endian, as the recordings of tests/data/trace are. */
static void put_le(char *p, int len, uint64_t v)
{
	for (int i = 0; i < len; i++)
		p[i] = (char)(v >> (8 * i));
}

static void put64(char *p, uint64_t v)
{
	put_le(p, 8, v);
}

static void put32(char *p, uint32_t v)
{
	put_le(p, 4, v);
}

/*
 * A page header whose length (commit) is past its page (inst-v6.dat, top
 * CPU 1's fourth page, at 0x1f000): libtraceevent's kbuffer would read
 * that far past the page, which crashed with the fuzzer's 0x1b7ffffffb00
 * (134 MB once its flags are masked). The page is left out and CPU 1 goes
 * on after it: trace-cmd report on the file with that page's commit 0
 * shows 1331 events, 60 fewer than the whole, all of that page.
 */
static void test_v6_overfull_page(void **state)
{
	static const uint64_t commits[] = { 0x7ffff, 0x1b7ffffffb00ull };
	struct kfx fx;
	size_t len;
	char *data;

	open_whole(&fx, "inst-v6.dat", &data, &len);
	for (size_t i = 0; i < sizeof(commits) / sizeof(commits[0]); i++) {
		struct outcome o;

		put64(data + 114688 + 3 * 4096 + 8, commits[i]);
		try_ingest(&fx, data, len, &o);
		assert_int_equal(o.status, MMT_INGESTED);
		expect_only_whole_events(&fx, o.src);
		assert_int_equal(count_of(&fx, 1, "-", 1), 465);
		assert_int_equal(count_of(&fx, o.src, "-", 1), 465 - 60);
		assert_int_equal(count_of(&fx, o.src, "-", 0), count_of(&fx, 1, "-", 0));
		assert_int_equal(kfx_qint(&fx, "SELECT events FROM trace_sources WHERE source_id = "
					  "%lld", (long long)o.src), 1391 - 60);
		assert_int_equal(kfx_qint(&fx, "SELECT first_skipped = 'offset 0x1f000: CPU 1: 1 of "
					  "its pages say they hold more than a page holds; they were "
					  "left out' FROM trace_sources WHERE source_id = %lld",
					  (long long)o.src), 1);
	}
	free(data);
	kfx_close(&fx);
}

/*
 * The last event of a page whose header says it is longer than the page
 * has room for (inst-v6.dat, top CPU 1's fourth page, at 0x1f000: its
 * last event, at 4028 in the page, a sched_switch of 64 bytes, made to say
 * 112, type_len 28): kbuffer hands it over as it says, 48 bytes past the
 * page. It is skipped; every other event is stored.
 */
static void test_v6_record_past_page(void **state)
{
	struct kfx fx;
	struct outcome o;
	size_t len;
	char *data, *header;

	open_whole(&fx, "inst-v6.dat", &data, &len);
	header = data + 0x1f000 + 4028;
	assert_int_equal(header[0] & 31, 16);
	header[0] = (char)((header[0] & ~31) | 28);
	try_ingest(&fx, data, len, &o);
	assert_int_equal(o.status, MMT_INGESTED);
	expect_only_whole_events(&fx, o.src);
	assert_int_equal(count_of(&fx, o.src, "-", 1), 465 - 1);
	assert_int_equal(kfx_qint(&fx, "SELECT events FROM trace_sources WHERE source_id = %lld",
				  (long long)o.src), 1391 - 1);
	assert_int_equal(kfx_qint(&fx, "SELECT first_skipped = 'offset 0x1ffbc: CPU 1: a record of "
				  "112 bytes runs past the end of its page' FROM trace_sources "
				  "WHERE source_id = %lld", (long long)o.src), 1);
	free(data);
	kfx_close(&fx);
}

/*
 * CPU data that does not start at a multiple of the page size (inst-v6.dat,
 * top CPU 0's offset in the first CPU table, 0x19000, made 0x19008):
 * trace-cmd writes it aligned, and where its pages start (so where a
 * record's page ends) would be unknown. That CPU is left out.
 */
static void test_v6_unaligned_cpu(void **state)
{
	struct kfx fx;
	struct outcome o;
	size_t len;
	char *data, *table;

	open_whole(&fx, "inst-v6.dat", &data, &len);
	table = memmem(data, len, "flyrecord", 10);
	assert_non_null(table);
	put64(table + 10, 0x19008);
	try_ingest(&fx, data, len, &o);
	expect_cpu_left_out(&fx, &o, 0, "offset 0x19008: the data of CPU 0 does not start at a "
			    "multiple of the page size; all 12288 bytes left out");
	free(data);
	kfx_close(&fx);
}

/*
 * Garbage inside a page (inst-v6.dat, top CPU 1's third page, bytes 200 to
 * 600 set to 0xff): records of unknown types are skipped; trace-cmd report
 * shows 408 sched_switch of CPU 1 on that file; the other CPUs are whole.
 */
static void test_v6_garbage_in_page(void **state)
{
	struct kfx fx;
	struct outcome o;
	size_t len;
	char *data;

	open_whole(&fx, "inst-v6.dat", &data, &len);
	memset(data + 114688 + 2 * 4096 + 200, 0xff, 400);
	try_ingest(&fx, data, len, &o);
	assert_int_equal(o.status, MMT_INGESTED);
	assert_int_equal(count_of(&fx, o.src, "-", 1), 408);
	assert_int_equal(count_of(&fx, o.src, "-", 0), count_of(&fx, 1, "-", 0));
	assert_int_equal(count_of(&fx, o.src, "mmt_vm", 1), count_of(&fx, 1, "mmt_vm", 1));
	assert_true(kfx_qint(&fx, "SELECT skipped FROM trace_sources WHERE source_id = %lld",
			     (long long)o.src) >= 1);
	assert_int_equal(kfx_qint(&fx, "SELECT first_skipped LIKE '%%unknown event type%%' FROM "
				  "trace_sources WHERE source_id = %lld", (long long)o.src), 1);
	free(data);
	kfx_close(&fx);
}

/*
 * Compressed chunks damaged (inst-v7.dat, top CPU 1's only chunk, its data
 * at 24576 + 12): its zstd frame's magic number flipped, it does not
 * decompress; 100 bytes flipped at 24576 + 312, it decompresses (zstd
 * frames without a checksum) to pages of garbage, one of which says it
 * holds more than a page. libtracecmd refuses the first file (trace-cmd
 * report prints nothing). The layout check unpacks every chunk and leaves
 * out the damaged one and those after it: here all of CPU 1's data.
 */
static void test_v7_bad_chunk(void **state)
{
	static const struct {
		size_t from, to;
		const char *fault;
	} damage[] = {
		{ 24576 + 12, 24576 + 16, "it does not decompress to the size it gives" },
		{ 24576 + 312, 24576 + 412, "a page in it says it holds more than a page" },
	};
	struct kfx fx;
	size_t len;
	char *whole;

	open_whole(&fx, "inst-v7.dat", &whole, &len);
	for (size_t k = 0; k < sizeof(damage) / sizeof(damage[0]); k++) {
		char *data = malloc(len);
		struct outcome o;
		char why[256];

		assert_non_null(data);
		memcpy(data, whole, len);
		for (size_t i = damage[k].from; i < damage[k].to; i++)
			data[i] ^= 0x5a;
		snprintf(why, sizeof(why), "offset 0x6004: CPU 1: chunk 1 of 1: %s; it and the "
			 "chunks after it were left out", damage[k].fault);
		try_ingest(&fx, data, len, &o);
		expect_cpu_left_out(&fx, &o, 1, why);
		free(data);
	}
	free(whole);
	kfx_close(&fx);
}

/*
 * A page of compressed data that says it holds more than a page
 * (inst-v7.dat, top CPU 1's only chunk, its second page's commit made the
 * fuzzer's 0x1b7ffffffb00, packed again, and padded to its old size with a
 * zstd skippable frame): libtraceevent's kbuffer read past the chunk and
 * crashed, as trace-cmd report does on that file. The chunk is left out.
 */
static void test_v7_overfull_page(void **state)
{
	enum { CHUNK = 24576, PAGES = 8 };
	unsigned char raw[PAGES * 4096];
	uint32_t csize;
	struct kfx fx;
	struct outcome o;
	size_t len, packed;
	char *data;

	open_whole(&fx, "inst-v7.dat", &data, &len);
	memcpy(&csize, data + CHUNK + 4, 4);
	assert_int_equal(ZSTD_decompress(raw, sizeof(raw), data + CHUNK + 12, csize), sizeof(raw));
	put64((char *)raw + 4096 + 8, 0x1b7ffffffb00ull);
	packed = ZSTD_compress(data + CHUNK + 12, csize, raw, sizeof(raw), 19);
	assert_false(ZSTD_isError(packed));
	assert_true(packed + 8 <= csize);
	put32(data + CHUNK + 12 + packed, 0x184D2A50);	/* a skippable frame */
	put32(data + CHUNK + 12 + packed + 4, (uint32_t)(csize - packed - 8));
	try_ingest(&fx, data, len, &o);
	expect_cpu_left_out(&fx, &o, 1, "offset 0x6004: CPU 1: chunk 1 of 1: a page in it says "
			    "it holds more than a page; it and the chunks after it were left out");
	free(data);
	kfx_close(&fx);
}

/* Headers that cannot be read: refused, the store as it was. */
static void test_refused(void **state)
{
	struct kfx fx;
	size_t len;
	char *data = kfx_data("trace", "inst-v6.dat", &len);
	char bad_version[64];

	kfx_open(&fx);
	kfx_expect_refused(&fx, data, 64, 0, "cannot read the trace.dat header: offset 0x");
	/* kallsyms: 3770 bytes from 20657 */
	kfx_expect_refused(&fx, data, 22000, 0, "offset 0x50b1: the file ends inside kallsyms");
	memcpy(bad_version, data, sizeof(bad_version));
	bad_version[10] = '9';	/* version "9" */
	kfx_expect_refused(&fx, bad_version, sizeof(bad_version), 0, "only 6 and 7");
	free(data);
	data = kfx_data("trace", "inst-v7.dat", &len);
	kfx_expect_refused(&fx, data, 17000, 0, "the options lies past the end of the file");
	assert_int_equal(kfx_count_rows(&fx, "trace_sources"), 0);
	assert_int_equal(kfx_count_rows(&fx, "trace_types"), 0);
	free(data);
	kfx_close(&fx);
}

/* Sets every CPUCOUNT option (id 8, 4 bytes) of a v7 file that says 2 to cpus. */
static void set_cpu_count(char *data, size_t len, uint32_t cpus)
{
	static const char two[] = "\x08\x00\x04\x00\x00\x00\x02\x00\x00\x00";
	int found = 0;

	for (char *p = data; (p = memmem(p, len - (size_t)(p - data), two, 10)); p += 10) {
		for (int i = 0; i < 4; i++)
			p[6 + i] = (char)(cpus >> (8 * i));
		found++;
	}
	assert_int_equal(found, 2);
}

/* A CPU count past TDAT_MAX_CPUS is refused before any per-CPU state is
   made for it (two billion CPUs asked for 206 GB); 65536 is read. */
static void test_cpu_count_limit(void **state)
{
	struct outcome o;
	struct kfx fx;
	size_t len;
	char *data = kfx_data("trace", "inst-v7.dat", &len);

	(void)state;
	kfx_open(&fx);
	set_cpu_count(data, len, 65536);
	try_ingest(&fx, data, len, &o);
	assert_int_equal(o.status, MMT_INGESTED);
	assert_int_equal(kfx_qint(&fx, "SELECT cpus FROM trace_sources"), 65536);
	assert_int_equal(kfx_qint(&fx, "SELECT events FROM trace_sources"), 1391);
	free(data);
	data = kfx_data("trace", "inst-v7.dat", &len);
	set_cpu_count(data, len, 65537);
	kfx_expect_refused(&fx, data, len, 0,
			   "implausible CPU count 65537 (TDAT_MAX_CPUS is 65536)");
	free(data);
	data = kfx_data("trace", "inst-v7.dat", &len);
	set_cpu_count(data, len, 0x7fffffff);
	kfx_expect_refused(&fx, data, len, 0, "implausible CPU count 2147483647");
	assert_int_equal(kfx_count_rows(&fx, "trace_sources"), 1);
	free(data);
	kfx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v6_cuts),
		cmocka_unit_test(test_v6_cut_inside_cpus),
		cmocka_unit_test(test_v7_cuts),
		cmocka_unit_test(test_v7_none_cuts),
		cmocka_unit_test(test_v6_overfull_page),
		cmocka_unit_test(test_v6_record_past_page),
		cmocka_unit_test(test_v6_unaligned_cpu),
		cmocka_unit_test(test_v6_garbage_in_page),
		cmocka_unit_test(test_v7_bad_chunk),
		cmocka_unit_test(test_v7_overfull_page),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_cpu_count_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
