/*
 * Tests of the kernel-log parser on logs as users paste them: quoted in a
 * reply ("> "), wrapped by a mail client or bugzilla at a fixed width with
 * prose around, and with CRLF line endings. A quoted or CRLF copy of a real
 * sample must give the rows the sample gives; wrapped lines must be rejoined
 * before their facts are read, and prose must not join a report.
 *
 * The quoted and CRLF copies are made here from the samples of this
 * repository (each line prefixed, or its newline replaced; no line
 * invented); the wrapped logs are files of the corpus in ../shared/corpus
 * (tests that need it skip when it is absent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klog_fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Copies of the samples -------------------------------------------- */

/*
 * Everything the parser stored for a source, as text, in file order:
 * reports are named by their first line and stacks by their row (equal
 * stacks share one row in a store).
 */
static const char *const fingerprint_sql[] = {
	"SELECT group_concat(x, char(10)) FROM (SELECT printf('%%s %%s %%s %%s %%s %%s "
	"%%s %%s %%s %%s %%s %%s %%s %%s %%s %%s %%s %%s %%s %%s %%s %%s %%s', kind, "
	"quote(title), line_start, line_end, quote(t), quote(pid), quote(comm), quote(cpu), "
	"quote(kernel), quote(tainted), quote(state), quote(blocked_secs), quote(gfp_mask), "
	"quote(gfp_names), quote(alloc_order), quote(lock_owner_pid), "
	"quote(lock_owner_comm), quote(lock_type), quote(locks_held), quote(detail), "
	"quote(ip), quote(stack_id), truncated) AS x FROM reports WHERE source_id = %lld "
	"ORDER BY id)",
	"SELECT group_concat(x, char(10)) FROM (SELECT printf('%%d %%s %%s %%s %%s %%s %%s', "
	"line, quote(t), quote(level), quote(caller), quote(origin), quote((SELECT "
	"line_start FROM reports r WHERE r.id = report_id)), quote(text)) AS x "
	"FROM log_lines WHERE source_id = %lld ORDER BY id)",
	"SELECT group_concat(x, char(10)) FROM (SELECT printf('%%d %%s %%s %%s %%s %%s %%d "
	"%%s %%s', r.line_start, t.role, quote(t.pid), quote(t.comm), quote(t.state), "
	"quote(t.cpu), t.line, quote(t.ip), quote(t.stack_id)) AS x FROM tasks t JOIN "
	"reports r ON r.id = t.report_id WHERE r.source_id = %lld ORDER BY t.id)",
	"SELECT group_concat(x, char(10)) FROM (SELECT printf('%%d %%s %%s %%d %%s %%s %%s "
	"%%d', r.line_start, quote(h.pid), quote(h.comm), h.idx, h.lock, quote(h.address), "
	"quote(h.at), h.line) AS x FROM held_locks h JOIN reports r ON r.id = h.report_id "
	"WHERE r.source_id = %lld ORDER BY h.rowid)",
	"SELECT group_concat(x, char(10)) FROM (SELECT printf('%%d %%d %%s %%s %%d', "
	"r.line_start, c.idx, c.lock, quote(c.stack_id), c.line) AS x FROM lock_chain c "
	"JOIN reports r ON r.id = c.report_id WHERE r.source_id = %lld ORDER BY c.rowid)",
	"SELECT group_concat(x, char(10)) FROM (SELECT printf('%%d %%s %%s %%s %%d %%s', "
	"r.line_start, quote(m.node), quote(m.zone), m.name, m.value, m.unit) AS x "
	"FROM mem_counters m JOIN reports r ON r.id = m.report_id WHERE r.source_id = %lld "
	"ORDER BY m.rowid)",
	"SELECT group_concat(x, char(10)) FROM (SELECT printf('%%d %%s %%s %%s %%s %%s %%s "
	"%%s %%s %%s %%d', r.line_start, quote(o.pid), quote(o.comm), quote(o.total_vm_kb), "
	"quote(o.anon_rss_kb), quote(o.file_rss_kb), quote(o.shmem_rss_kb), "
	"quote(o.oom_score_adj), quote(o.constraint_kind), quote(o.memcg), o.line) AS x "
	"FROM oom_kills o JOIN reports r ON r.id = o.report_id WHERE r.source_id = %lld "
	"ORDER BY o.rowid)",
	"SELECT group_concat(x, char(10)) FROM (SELECT printf('%%d %%d %%s %%s %%s %%s %%s "
	"%%s %%s', r.line_start, o.pid, quote(o.uid), quote(o.tgid), quote(o.total_vm), "
	"quote(o.rss), quote(o.pgtables), quote(o.swapents), quote(o.oom_score_adj)) AS x "
	"FROM oom_tasks o JOIN reports r ON r.id = o.report_id WHERE r.source_id = %lld "
	"ORDER BY o.rowid)",
};

/* The copy's rows are the original's, table by table. */
static void expect_same_rows(struct kfx *fx, int64_t orig, int64_t copy, const char *what)
{
	static char a[1 << 20], b[1 << 20];

	for (size_t i = 0; i < N(fingerprint_sql); i++) {
		kfx_qtext(fx, a, sizeof(a), fingerprint_sql[i], (long long)orig);
		kfx_qtext(fx, b, sizeof(b), fingerprint_sql[i], (long long)copy);
		if (strlen(a) >= sizeof(a) - 1)
			fail_msg("%s: rows of table %zu do not fit the buffer", what, i);
		if (strcmp(a, b)) {
			size_t d = 0;

			while (a[d] == b[d])
				d++;
			fail_msg("%s: table %zu differs at byte %zu: '%.80s' vs '%.80s'",
				 what, i, d, a + d, b + d);
		}
	}
}

static const char *const samples[] = {
	"hung-task-fsfreeze", "writeback-stuck-loop", "memcg-oom",
};

/* Each line of text with prefix before it (a reply's quote). */
static char *quote_lines(const char *text, size_t len, const char *prefix, size_t *out)
{
	size_t pl = strlen(prefix), n = 0;
	char *q = malloc(len * (pl + 1) + pl + 1);
	int bol = 1;

	assert_non_null(q);
	for (size_t i = 0; i < len; i++) {
		if (bol) {
			memcpy(q + n, prefix, pl);
			n += pl;
		}
		q[n++] = text[i];
		bol = text[i] == '\n';
	}
	*out = n;
	return q;
}

/* Every "\n" of text made "\r\n". */
static char *crlf_lines(const char *text, size_t len, size_t *out)
{
	char *q = malloc(2 * len + 1);
	size_t n = 0;

	assert_non_null(q);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			q[n++] = '\r';
		q[n++] = text[i];
	}
	*out = n;
	return q;
}

/* dmesg.txt of each sample, quoted as a mail reply quotes it. */
static void test_quoted_samples(void **state)
{
	char path[4096], what[128];

	for (size_t i = 0; i < N(samples); i++) {
		struct kfx fx;
		size_t len, qlen;
		int64_t orig, copy;
		char *text, *quoted;

		kfx_sample_path(path, sizeof(path), samples[i], "dmesg.txt");
		text = kfx_slurp(path, &len);
		quoted = quote_lines(text, len, "> ", &qlen);
		kfx_open(&fx);
		orig = kfx_ingest_path(&fx, path);
		copy = kfx_ingest_text(&fx, quoted, qlen);
		kfx_expect_row(&fx, "sources", copy, (const char *const[]){
			"format", "mail", "clock", "monotonic", "kernel", "6.18.44-fc-v769",
			"records = (SELECT records FROM sources WHERE id = 1)", "1", NULL });
		assert_true(kfx_count_reports(&fx, orig) > 0);
		snprintf(what, sizeof(what), "%s quoted", samples[i]);
		expect_same_rows(&fx, orig, copy, what);
		kfx_close(&fx);
		free(quoted);
		free(text);
	}
}

/* A reply to a reply: "> > " before each line. */
static void test_quoted_twice(void **state)
{
	char path[4096];
	struct kfx fx;
	size_t len, qlen;
	int64_t orig, copy;
	char *text, *quoted;

	kfx_sample_path(path, sizeof(path), "writeback-stuck-loop", "dmesg.txt");
	text = kfx_slurp(path, &len);
	quoted = quote_lines(text, len, "> > ", &qlen);
	kfx_open(&fx);
	orig = kfx_ingest_path(&fx, path);
	copy = kfx_ingest_text(&fx, quoted, qlen);
	expect_same_rows(&fx, orig, copy, "writeback-stuck-loop quoted twice");
	kfx_close(&fx);
	free(quoted);
	free(text);
}

/* Every log format of a sample, with CRLF line endings. */
static void test_crlf(void **state)
{
	static const char *const files[] = {
		"dmesg.txt", "dmesg-raw.txt", "dmesg-T.txt", "dmesg-iso.txt",
		"journalctl-k-short-monotonic.txt", "journalctl-k.txt",
	};
	char path[4096], what[256];

	for (size_t i = 0; i < N(samples); i++) {
		for (size_t f = 0; f < N(files); f++) {
			struct kfx fx;
			size_t len, clen;
			int64_t orig, copy;
			char *text, *crlf;

			kfx_sample_path(path, sizeof(path), samples[i], files[f]);
			text = kfx_slurp(path, &len);
			crlf = crlf_lines(text, len, &clen);
			kfx_open(&fx);
			orig = kfx_ingest_path(&fx, path);
			copy = kfx_ingest_text(&fx, crlf, clen);
			kfx_expect_row(&fx, "sources", copy, (const char *const[]){
				"format = (SELECT format FROM sources WHERE id = 1)", "1",
				"clock = (SELECT clock FROM sources WHERE id = 1)", "1",
				"records = (SELECT records FROM sources WHERE id = 1)", "1",
				NULL });
			snprintf(what, sizeof(what), "%s/%s CRLF", samples[i], files[f]);
			expect_same_rows(&fx, orig, copy, what);
			assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE "
						  "instr(text, char(13)) > 0"), 0);
			kfx_close(&fx);
			free(crlf);
			free(text);
		}
	}
}

/* ---- Wrapped logs ------------------------------------------------------- */

struct want_hung {
	const char *start, *end, *comm, *pid, *secs, *depth;
};

/*
 * lkml/linux-xfs/bug-214767-hung-task-bugzilla-wrapped.txt: wrapped by
 * bugzilla's mail; ":1-2" is "INFO: task kworker/u2:1:458736 blocked
 * for more than 122" then "seconds.".
 */
static void test_bugzilla_wrapped(void **state)
{
	static const struct want_hung want[] = {
		{ "1", "35", "kworker/u2:1", "458736", "122", "26" },
		{ "36", "67", "nix-daemon", "459204", "122", "13" },
		{ "73", "99", "qemu-ga", "750", "122", "8" },
		{ "101", "135", "kworker/u2:1", "458736", "245", "26" },
		{ "136", "167", "nix-daemon", "459204", "245", "13" },
	};
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/linux-xfs/bug-214767-hung-task-bugzilla-wrapped.txt");

	kfx_expect_row(&fx, "sources", src, (const char *const[]){
		"format", "mail", "clock", "monotonic", "kernel", "5.10.70", NULL });
	assert_int_equal(kfx_count_reports(&fx, src), N(want));
	for (size_t i = 0; i < N(want); i++)
		kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, atol(want[i].start)),
			       (const char *const[]){
			"kind", "hung_task", "line_end", want[i].end, "comm", want[i].comm,
			"pid", want[i].pid, "blocked_secs", want[i].secs, "state", "D",
			KFX_DEPTH, want[i].depth, "kernel", "5.10.70", NULL });
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 1), (const char *const[]){
		"title", "INFO: task kworker/u2:1:458736 blocked for more than 122 seconds.",
		NULL });
	/* a continuation is part of the line it continues, not a line of its own */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line IN (2, 5, 7, 58, 100)", (long long)src), 0);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line = 57 AND text LIKE '%%ORIG_RAX: 000000000000005a'",
				  (long long)src), 1);
	/* :71 "and then a while later we see this:" and the blank lines around it */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line BETWEEN 69 AND 72 AND report_id IS NULL",
				  (long long)src), 4);
	kfx_close(&fx);
}

/*
 * lkml/kexec/kdump-kernel-warn_alloc-arm64-5.7-rc5-wrapped.txt: a gmail
 * post; ":1-2" is "... page allocation failure: order:2," then
 * "mode:0x1(GFP_DMA), nodemask=(null),cpuset=/,mems_allowed=0".
 */
static void test_kexec_wrapped(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/kexec/kdump-kernel-warn_alloc-arm64-5.7-rc5-wrapped.txt");
	int64_t rep = kfx_report_at(&fx, src, 1);

	kfx_expect_row(&fx, "sources", src, (const char *const[]){
		"format", "mail", "kernel", "5.7.0-rc5", NULL });
	kfx_expect_row(&fx, "reports", rep, (const char *const[]){
		"kind", "alloc_failure", "pid", "1", "comm", "swapper/0", "cpu", "0",
		"gfp_mask", "0x1", "gfp_names", "GFP_DMA", "alloc_order", "2",
		"kernel", "5.7.0-rc5", "title", "swapper/0: page allocation failure: order:2, "
		"mode:0x1(GFP_DMA), nodemask=(null),cpuset=/,mems_allowed=0", NULL });
	/*
	 * :6-19, the arm64 "Call trace:" from dump_backtrace to ret_from_fork:
	 * thirteen frames, and the report ends with the last of them, before
	 * the blank line and the poster's prose.
	 */
	kfx_expect_row(&fx, "reports", rep, (const char *const[]){
		"line_end", "19", KFX_DEPTH, "13", NULL });
	assert_int_equal(kfx_count_frames(&fx, rep), 13);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM frames f JOIN reports r ON "
				  "f.stack_id = r.stack_id WHERE r.id = %lld AND ((f.idx = 0 AND "
				  "f.symbol = 'dump_backtrace') OR (f.idx = 3 AND f.symbol = "
				  "'warn_alloc') OR (f.idx = 12 AND f.symbol = 'ret_from_fork'))",
				  (long long)rep), 3);
	/* :4-5, "Hardware name: ... BIOS" then "0ACKL027 07/01/2019" */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line = 4 AND report_id = %lld AND text LIKE "
				  "'%%BIOS 0ACKL027 07/01/2019'", (long long)src,
				  (long long)rep), 1);
	/* :21-45, the poster's analysis */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line BETWEEN 20 AND 45 AND report_id IS NOT NULL",
				  (long long)src), 0);
	/* :74-76, the failure quoted as "[2]", wrapped over three lines */
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 74), (const char *const[]){
		"kind", "alloc_failure", "comm", "systemd-udevd", "gfp_mask", "0xcc1",
		"gfp_names", "GFP_KERNEL|GFP_DMA", "alloc_order", "0", NULL });
	kfx_close(&fx);
}

/*
 * lkml/linux-xfs/bug-216047-kernel-BUG-page_table_check-then-sysrq-w-5.19.txt:
 * a kernel BUG whose "CPU:" line is wrapped before the release (:24-25),
 * systemd's messages, then a SysRq-w dump.
 */
static void test_wrapped_bug_and_dump(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_corpus(&fx,
		"lkml/linux-xfs/bug-216047-kernel-BUG-page_table_check-then-sysrq-w-5.19.txt");
	int64_t dump;

	kfx_expect_row(&fx, "sources", src, (const char *const[]){ "format", "mail", NULL });
	assert_int_equal(kfx_count_reports(&fx, src), 2);
	kfx_expect_row(&fx, "reports", kfx_report_at(&fx, src, 21), (const char *const[]){
		"kind", "bug", "line_end", "114", "detail", "mm/page_table_check.c:51",
		"ip", "page_table_check_set.part.0", "pid", "48184", "comm", "xfs_io",
		"cpu", "12", "kernel", "5.19.0-0.rc0.20220526gitbabf0bb978e3.4.fc37.x86_64",
		KFX_DEPTH, "12", NULL });
	dump = kfx_report_at(&fx, src, 126);
	kfx_expect_row(&fx, "reports", dump, (const char *const[]){
		"kind", "task_dump", "line_end", "175", NULL });
	kfx_expect_row(&fx, "tasks", kfx_qint(&fx, "SELECT id FROM tasks WHERE report_id = %lld",
					      (long long)dump), (const char *const[]){
		"role", "dump", "pid", "48187", "comm", "xfs_io", "state", "D",
		"line", "127", KFX_DEPTH, "31", NULL });
	/* :115-124, systemd between the two */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE source_id = %lld "
				  "AND line BETWEEN 115 AND 125 AND report_id IS NOT NULL",
				  (long long)src), 0);
	kfx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoted_samples),
		cmocka_unit_test(test_quoted_twice),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_bugzilla_wrapped),
		cmocka_unit_test(test_kexec_wrapped),
		cmocka_unit_test(test_wrapped_bug_and_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
