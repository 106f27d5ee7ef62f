/*
 * The Events view's filter, from what the user types to SQL: which event
 * types the first word chooses, cpu=/pid=/comm= terms bound as parameters
 * (the chosen type's own fields winning), column names quoted in an
 * expression (a field named order), and what would leave the expression
 * (a ')' without its '(', ';', comments, parameters) refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cmd/tui/events_filter.h"

static const struct evq_type types[] = {
	{ 1, "sched", "sched_switch", "ev_sched_sched_switch", "sched_switch" },
	{ 2, "sched", "sched_wakeup", "ev_sched_sched_wakeup", "sched_wakeup" },
	{ 3, "vmscan", "mm_vmscan_memcg_reclaim_begin", "ev_vmscan_x", "mm_vmscan_memcg_reclaim_begin" },
	{ 4, "ipi", "ipi_send_cpu", "ev_ipi_ipi_send_cpu", "ipi_send_cpu" },
};
static const char *const cols[] = { "id", "ts", "cpu", "pid", "comm", "name", "order", "gfp_flags" };
static const char *const fields[] = { "order", "gfp_flags" };
static const char *const ipi_fields[] = { "cpu", "callsite" };

/* The filter of text over the columns above; -1 when refused. */
static int parse(const char *text, const char *const *f, int nf, struct evf_filter *out,
		 struct mmt_err *err)
{
	const char *rest;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (evf_types(text, types, 4, out, &rest, err) < 0)
		return -1;
	return evf_condition(rest, cols, 8, f, nf, out, err);
}

static void names_and_prefixes(void **state)
{
	struct evf_filter f;
	struct mmt_err err;

	(void)state;
	assert_int_equal(parse("sched_switch", NULL, 0, &f, &err), 0);
	assert_int_equal(f.non, 1);
	assert_int_equal(f.single, 0);
	assert_null(f.where);
	evf_free(&f);
	assert_int_equal(parse("sched_*", NULL, 0, &f, &err), 0);
	assert_int_equal(f.non, 2);
	assert_int_equal(f.single, -1);
	assert_true(f.on[0] && f.on[1] && !f.on[2]);
	evf_free(&f);
	/* Not a name: the whole text is the condition. */
	assert_int_equal(parse("cpu=1", NULL, 0, &f, &err), 0);
	assert_null(f.on);
	assert_string_equal(f.where, "common_cpu = ?10");
	evf_free(&f);
	assert_int_equal(parse("nosuch_*", NULL, 0, &f, &err), -1);
	assert_non_null(strstr(err.msg, "nosuch_"));
	evf_free(&f);
}

static void terms_are_bound(void **state)
{
	struct evf_filter f;
	struct mmt_err err;

	(void)state;
	assert_int_equal(parse("sched_switch cpu=1 pid=42 comm=kworker*", NULL, 0, &f, &err), 0);
	assert_string_equal(f.where,
			    "common_cpu = ?10 AND common_pid = ?11 AND common_comm GLOB ?12");
	assert_int_equal(f.nparams, 3);
	assert_false(f.params[0].text);
	assert_int_equal(f.params[1].num, 42);
	assert_true(f.params[2].text);
	assert_string_equal(f.params[2].str, "kworker*");
	evf_free(&f);
	/* A comm with a quote is a bound value, never SQL. */
	assert_int_equal(parse("comm=a'b", NULL, 0, &f, &err), 0);
	assert_string_equal(f.where, "common_comm = ?10");
	assert_string_equal(f.params[0].str, "a'b");
	evf_free(&f);
	/* The type's own field cpu wins (ipi_send_cpu's target). */
	assert_int_equal(parse("ipi_send_cpu cpu=1", ipi_fields, 2, &f, &err), 0);
	assert_string_equal(f.where, "\"cpu\" = ?10");
	evf_free(&f);
}

static void expressions_quote_columns(void **state)
{
	struct evf_filter f;
	struct mmt_err err;

	(void)state;
	assert_int_equal(parse("mm_vmscan_memcg_reclaim_begin order>0 AND gfp_flags & 0x400 = 0",
			       fields, 2, &f, &err), 0);
	assert_string_equal(f.where, "\"order\">0 AND \"gfp_flags\" & 0x400 = 0");
	evf_free(&f);
	/* Strings, functions and numbers are left as they are. */
	assert_int_equal(parse("comm = 'order' OR length(name) > 1e3", NULL, 0, &f, &err), 0);
	assert_string_equal(f.where, "\"comm\" = 'order' OR length(\"name\") > 1e3");
	evf_free(&f);
	assert_int_equal(parse("comm = 'it''s (' AND (pid > 1)", NULL, 0, &f, &err), 0);
	assert_string_equal(f.where, "\"comm\" = 'it''s (' AND (\"pid\" > 1)");
	evf_free(&f);
}

static void what_leaves_the_expression_is_refused(void **state)
{
	static const char *const bad[] = {
		"1); DELETE FROM sources; --",
		"1) OR (1",
		"(1",
		"pid > 1; DROP TABLE sources",
		"pid > 1 -- the rest",
		"pid > 1 /* the rest */",
		"pid = ?",
		"pid = :p",
		"comm = 'open",
	};
	struct evf_filter f;
	struct mmt_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], NULL, 0, &f, &err), -1);
		assert_true(err.msg[0] != '\0');
		assert_null(f.where);
		evf_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_prefixes),
		cmocka_unit_test(terms_are_bound),
		cmocka_unit_test(expressions_quote_columns),
		cmocka_unit_test(what_leaves_the_expression_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
