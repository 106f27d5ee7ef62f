/*
 * The event lists of `mmtriage record`: presets expand to what the
 * analyzers read, "-item" removes, stacks follow the preset unless --stack
 * says otherwise, and what is not a name is refused with the item named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/record/presets.h"

static const struct rec_event *find(const struct rec_event_set *s, const char *system,
				    const char *event)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->ev[i].system, system) && !strcmp(s->ev[i].event, event))
			return &s->ev[i];
	return NULL;
}

static void parse_ok(const char *list, struct rec_event_set *s)
{
	char why[256] = "";

	if (rec_events_parse(list, s, why, sizeof(why)) < 0)
		fail_msg("%s: %s", list, why);
}

static void test_default_preset(void **state)
{
	struct rec_event_set s;
	const struct rec_event *e;

	(void)state;
	parse_ok(rec_default_preset, &s);
	assert_non_null(find(&s, "vmscan", "*"));
	assert_non_null(find(&s, "oom", "*"));
	assert_non_null(find(&s, "cpuhp", "*"));
	assert_non_null(find(&s, "block", "block_rq_issue"));
	assert_non_null(find(&s, "sched", "sched_process_hang"));
	/* Per-page writeback events would flood the buffers. */
	assert_null(find(&s, "writeback", "writeback_dirty_folio"));
	e = find(&s, "vmscan", "mm_vmscan_direct_reclaim_begin");
	assert_non_null(e);
	assert_true(e->stack);
	assert_string_equal(e->stack_filter, "");
	e = find(&s, "sched", "sched_switch");
	assert_true(e->stack);
	assert_string_equal(e->stack_filter, "prev_state & 2");
	assert_string_equal(e->filter, "");
	assert_false(find(&s, "sched", "sched_wakeup")->stack);
	rec_event_set_free(&s);
}

static void test_union_keeps_unfiltered(void **state)
{
	struct rec_event_set s;

	(void)state;
	/* mm-light filters sched_switch; with sched it is wanted whole. */
	parse_ok("mm-light,sched", &s);
	assert_string_equal(find(&s, "sched", "sched_switch")->filter, "");
	rec_event_set_free(&s);
	parse_ok("mm-light", &s);
	assert_string_equal(find(&s, "sched", "sched_switch")->filter, "prev_state & 3");
	assert_null(find(&s, "sched", "sched_wakeup"));
	rec_event_set_free(&s);
}

static void test_removal(void **state)
{
	struct rec_event_set s;

	(void)state;
	parse_ok("mm-hang,-sched:sched_wakeup,-vmscan", &s);
	assert_null(find(&s, "sched", "sched_wakeup"));
	assert_non_null(find(&s, "sched", "sched_switch"));
	/* Removing a system removes the events of it listed one by one too. */
	assert_null(find(&s, "vmscan", "*"));
	assert_null(find(&s, "vmscan", "mm_vmscan_direct_reclaim_begin"));
	rec_event_set_free(&s);
	parse_ok("mm-hang,-ipi", &s);
	assert_null(find(&s, "ipi", "ipi_send_cpu"));
	assert_null(find(&s, "cpuhp", "*"));
	assert_non_null(find(&s, "sched", "sched_switch"));
	rec_event_set_free(&s);
}

static void test_plain_events(void **state)
{
	struct rec_event_set s;

	(void)state;
	parse_ok("sched:sched_switch,kmem", &s);
	assert_int_equal(s.n, 2);
	assert_non_null(find(&s, "kmem", "*"));
	assert_false(find(&s, "sched", "sched_switch")->stack);
	rec_event_set_free(&s);
}

static void test_refused(void **state)
{
	/* A bare word is a system ("nosuchpreset" too): the kernel says whether it has it. */
	static const char *const bad[] = { "a:b:c", "sched:", ":x",
					   "sched;rm", "x y", "sched,-sched", NULL };

	(void)state;
	for (size_t i = 0; bad[i]; i++) {
		struct rec_event_set s;
		char why[256] = "";

		assert_int_equal(rec_events_parse(bad[i], &s, why, sizeof(why)), -1);
		assert_true(why[0] != '\0');
		assert_null(s.ev);
	}
}

static void test_stack_option(void **state)
{
	struct rec_event_set s;
	char why[256];

	(void)state;
	parse_ok("sched", &s);
	assert_int_equal(rec_stack_parse("sched:sched_wakeup,kmem:mm_page_alloc", &s, why,
					 sizeof(why)), 0);
	assert_false(find(&s, "sched", "sched_switch")->stack);
	assert_true(find(&s, "sched", "sched_wakeup")->stack);
	/* An event with a stack is recorded even when no preset had it. */
	assert_true(find(&s, "kmem", "mm_page_alloc")->stack);
	assert_int_equal(rec_stack_parse("none", &s, why, sizeof(why)), 0);
	for (size_t i = 0; i < s.n; i++)
		assert_false(s.ev[i].stack);
	assert_int_equal(rec_stack_parse("sched", &s, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "system:event"));
	rec_event_set_free(&s);
}

static void test_list(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	rec_presets_list(f, NULL);
	fclose(f);
	assert_non_null(strstr(buf, "mm-hang (default):"));
	assert_non_null(strstr(buf, "mm-light:"));
	assert_non_null(strstr(buf, "sched:sched_switch"));
	assert_non_null(strstr(buf, "+stack if prev_state & 2"));
	assert_null(strstr(buf, "not in this kernel"));
	assert_null(strstr(buf, " \n"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_preset),
		cmocka_unit_test(test_union_keeps_unfiltered),
		cmocka_unit_test(test_removal),
		cmocka_unit_test(test_plain_events),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_stack_option),
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
