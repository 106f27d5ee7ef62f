/*
 * Tests of the kernel-log prefix decoder and format sniffer on real text:
 * klog_decode on single lines copied from the file named above each of
 * them (timestamps, callers, levels, dmesg -T and ISO times, syslog and
 * journal headers), klog_sniff on the heads of the six captures of
 * samples/hung-task-fsfreeze and of pasted logs of the corpus in
 * ../shared/corpus (skipped when it is absent), and the search for a
 * timestamp after console noise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/klog.h"
#include "parsers/parser.h"

#include "klog_fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The head a probe sees of a file. */
static char *read_head(const char *path, size_t *len)
{
	char *head = kfx_slurp(path, len);

	if (*len > MMT_HEAD_MAX)
		head[*len = MMT_HEAD_MAX] = '\0';
	return head;
}

/* ---- Single lines through klog_decode ----------------------------------- */

struct want_decode {
	const char *line;
	enum klog_clock clock;
	unsigned flags;		/* KDEC_* as sniffing sets them for the file */
	const char *text;
	double t;		/* < 0: no time */
	int level;
	const char *caller;
	const char *origin;	/* NULL: a kernel line */
};

static const struct want_decode decodes[] = {
	/* samples/hung-task-fsfreeze/dmesg-raw.txt:5 */
	{ "<3>[  762.932610] INFO: task sh:16520 blocked for more than 10 seconds.",
	  KCLOCK_MONO, 0, "INFO: task sh:16520 blocked for more than 10 seconds.",
	  762.932610, 3, "", NULL },
	/* samples/hung-task-fsfreeze/journalctl-k-short-monotonic.txt:5 */
	{ "[  762.932610] vm kernel: INFO: task sh:16520 blocked for more than 10 seconds.",
	  KCLOCK_MONO, KDEC_JOURNAL, "INFO: task sh:16520 blocked for more than 10 seconds.",
	  762.932610, -1, "", NULL },
	/* samples/hung-task-fsfreeze/dmesg-T.txt:5 (2026-11-21 21:04:13 UTC) */
	{ "[Sat Nov 21 21:04:13 2026] INFO: task sh:16520 blocked for more than 10 seconds.",
	  KCLOCK_WALL, 0, "INFO: task sh:16520 blocked for more than 10 seconds.",
	  1795295053, -1, "", NULL },
	/* a day of more than two digits is no date (a run of them overflowed) */
	{ "[Sat Nov 1222222222222 21:04:13 2026] INFO: task sh:16520 blocked",
	  KCLOCK_WALL, 0, "[Sat Nov 1222222222222 21:04:13 2026] INFO: task sh:16520 blocked",
	  -1, -1, "", NULL },
	/* samples/hung-task-fsfreeze/dmesg-T.txt:5 with a one-digit day */
	{ "[Sat Nov  1 21:04:13 2026] INFO: task sh:16520 blocked for more than 10 seconds.",
	  KCLOCK_WALL, 0, "INFO: task sh:16520 blocked for more than 10 seconds.",
	  1793567053, -1, "", NULL },
	/* the same line read for a monotonic log: its only time is on the wall clock */
	{ "[Sat Nov 21 21:04:13 2026] INFO: task sh:16520 blocked for more than 10 seconds.",
	  KCLOCK_MONO, 0, "INFO: task sh:16520 blocked for more than 10 seconds.",
	  -1, -1, "", NULL },
	/* samples/hung-task-fsfreeze/dmesg-iso.txt:5 */
	{ "2026-11-21T21:04:13,932610+00:00 INFO: task sh:16520 blocked for more than 10 seconds.",
	  KCLOCK_WALL, 0, "INFO: task sh:16520 blocked for more than 10 seconds.",
	  1795295053.932610, -1, "", NULL },
	/* samples/hung-task-fsfreeze/journalctl-k.txt:1 and :5 (syslog times are in 2000) */
	{ "Nov 21 21:03:54 vm mmtriage-recipe[16484]: begin hung-task-fsfreeze run "
	  "20261121T210354Z (uptime 742.58)", KCLOCK_WALL, KDEC_HOSTS,
	  "begin hung-task-fsfreeze run 20261121T210354Z (uptime 742.58)",
	  974840634, -1, "", "mmtriage-recipe" },
	{ "Nov 21 21:04:14 vm kernel: INFO: task sh:16520 blocked for more than 10 seconds.",
	  KCLOCK_WALL, KDEC_HOSTS, "INFO: task sh:16520 blocked for more than 10 seconds.",
	  974840654, -1, "", NULL },
	/* lkml/linux-mm/oom-2.6.30-syslog-prefixed-x86_64.txt:1, a syslog line
	 * around a printk timestamp */
	{ "Jun 18 07:44:52 jbarnes-g45 kernel: [64377.426677] apt-check invoked "
	  "oom-killer: gfp_mask=0x201da, order=0, oom_adj=0", KCLOCK_MONO, KDEC_HOSTS,
	  "apt-check invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0",
	  64377.426677, -1, "", NULL },
	/* syzkaller/linux/report/337:5 (CONFIG_PRINTK_CALLER) */
	{ "[ 3416.916116][ T5831] Kernel panic - not syncing: sysrq triggered crash",
	  KCLOCK_MONO, 0, "Kernel panic - not syncing: sysrq triggered crash",
	  3416.916116, -1, "T5831", NULL },
	/* lkp-tests/spec/fixtures/stats/dmesg/76:2, printed from a CPU context */
	{ "[  327.929818][    C1] WARNING: possible circular locking dependency detected",
	  KCLOCK_MONO, 0, "WARNING: possible circular locking dependency detected",
	  327.929818, -1, "C1", NULL },
	/* JMR540-proc-dump/kmsg:4 */
	{ "<5>[    0.000000] Linux version 3.18.20 (wilson@debian-server) (gcc version "
	  "4.9.2 (GCC) ) #1 PREEMPT Thu Jun 21 09:06:12 CST 2018", KCLOCK_MONO, 0,
	  "Linux version 3.18.20 (wilson@debian-server) (gcc version 4.9.2 (GCC) ) "
	  "#1 PREEMPT Thu Jun 21 09:06:12 CST 2018", 0, 5, "", NULL },
	/* samples/hung-task-fsfreeze/dmesg.txt:5 quoted twice in a mail thread */
	{ "> > [  762.932610] INFO: task sh:16520 blocked for more than 10 seconds.",
	  KCLOCK_MONO, 0, "INFO: task sh:16520 blocked for more than 10 seconds.",
	  762.932610, -1, "", NULL },
	/* oomanalyser/example_rhel7.txt:1, no prefix at all */
	{ "sed invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0",
	  KCLOCK_NONE, 0, "sed invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0",
	  -1, -1, "", NULL },
	/* samples/hung-task-fsfreeze/dmesg-iso.txt:9: "Call Trace:" is not "host ident:" */
	{ "2026-11-21T21:04:13,935413+00:00 Call Trace:", KCLOCK_WALL, 0,
	  "Call Trace:", 1795295053.935413, -1, "", NULL },
	/* samples/hung-task-fsfreeze/journalctl-k-short-monotonic.txt:1, another program */
	{ "[  742.581137] vm mmtriage-recipe[16484]: begin hung-task-fsfreeze run "
	  "20261121T210354Z (uptime 742.58)", KCLOCK_MONO, KDEC_JOURNAL,
	  "begin hung-task-fsfreeze run 20261121T210354Z (uptime 742.58)",
	  742.581137, -1, "", "mmtriage-recipe" },
};

static void check_decode(const struct want_decode *w)
{
	size_t n = strlen(w->line);
	char *copy = malloc(n);	/* exact size: a read past the end is caught */
	struct kline kl;

	assert_non_null(copy);
	memcpy(copy, w->line, n);
	klog_decode(copy, n, w->clock, w->flags, &kl);
	if (kl.len != strlen(w->text) || memcmp(kl.text, w->text, kl.len))
		fail_msg("\"%s\": text \"%.*s\"", w->line, (int)kl.len, kl.text);
	if (kl.has_t != (w->t >= 0) || (kl.has_t && fabs(kl.t - w->t) > 1e-5))
		fail_msg("\"%s\": time %d %.6f", w->line, kl.has_t, kl.t);
	if (kl.level != w->level || strcmp(kl.caller, w->caller))
		fail_msg("\"%s\": level %d caller \"%s\"", w->line, kl.level, kl.caller);
	if (kl.foreign != (w->origin != NULL) || (w->origin && strcmp(kl.origin, w->origin)))
		fail_msg("\"%s\": foreign %d origin \"%s\"", w->line, kl.foreign, kl.origin);
	free(copy);
}

static void test_decode(void **state)
{
	for (size_t i = 0; i < N(decodes); i++)
		check_decode(&decodes[i]);
}

/* ---- Sniffing ----------------------------------------------------------- */

static void test_sniff_samples(void **state)
{
	char path[4096];

	for (size_t i = 0; i < KFX_NFORMATS; i++) {
		struct klog_format f;
		size_t len;
		char *head;

		kfx_sample_path(path, sizeof(path), "hung-task-fsfreeze", kfx_formats[i].file);
		head = read_head(path, &len);
		assert_int_equal(klog_sniff(head, len, &f), 90);
		if (strcmp(f.name, kfx_formats[i].name) &&
		    (!kfx_formats[i].alt || strcmp(f.name, kfx_formats[i].alt)))
			fail_msg("%s sniffed as '%s'", kfx_formats[i].file, f.name);
		assert_int_equal(f.clock, strcmp(kfx_formats[i].clock, "wall") ?
				 KCLOCK_MONO : KCLOCK_WALL);
		assert_int_equal(f.wrap_width, 0);
		free(head);
	}
}

/* Pasted logs: a bugzilla mail wraps at a fixed width, crash prints bt. */
static void test_sniff_corpus(void **state)
{
	static const struct { const char *file, *name; size_t wrap; int clock; } want[] = {
		{ "lkml/linux-xfs/bug-214767-hung-task-bugzilla-wrapped.txt", "mail", 79,
		  KCLOCK_MONO },
		{ "lkml/linux-xfs/crash-bt-kswapd-shrink_slab-dm_bufio-deadlock.txt", "crash",
		  0, KCLOCK_NONE },
		{ "oomanalyser/example_rhel7.txt", "console", 0, KCLOCK_NONE },
		{ "JMR540-proc-dump/kmsg", "kmsg", 0, KCLOCK_MONO },
		{ "lkml/linux-mm/oom-2.6.30-syslog-prefixed-x86_64.txt", "syslog", 0,
		  KCLOCK_MONO },
	};
	char path[4096];

	for (size_t i = 0; i < N(want); i++) {
		struct klog_format f;
		size_t len;
		char *head;

		kfx_corpus_path(path, sizeof(path), want[i].file);
		head = read_head(path, &len);
		assert_true(klog_sniff(head, len, &f) >= 60);
		if (strcmp(f.name, want[i].name) || f.wrap_width != want[i].wrap ||
		    (int)f.clock != want[i].clock)
			fail_msg("%s: '%s' wrapped at %zu, clock %d", want[i].file, f.name,
				 f.wrap_width, f.clock);
		free(head);
	}
}

/*
 * syzkaller/linux/report/131:4: the login prompt on the console before the
 * first line of a report.
 */
static void test_embedded_timestamp(void **state)
{
	static const char line[] = "syzkaller login: [   35.184476] BUG: using "
		"__this_cpu_read() in preemptible [00000000] code: syzkaller195313/3344";
	/* syzkaller/linux/report/131:5, the line after it */
	static const char plain[] = "[   35.193222] caller is __this_cpu_preempt_check+0x1c/0x20";

	assert_int_equal(klog_embedded_timestamp(line, strlen(line), 1), 17);
	assert_int_equal(klog_embedded_timestamp(plain, strlen(plain), 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_sniff_samples),
		cmocka_unit_test(test_sniff_corpus),
		cmocka_unit_test(test_embedded_timestamp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
