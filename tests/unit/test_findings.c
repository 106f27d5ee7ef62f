/*
 * Findings as the analyzers write them: a subject named twice (the same
 * CPU in every soft lockup of a group, the same task in every hung-task
 * report) is stored once, so that what a finding is about does not grow
 * with the number of reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analyzers/analyzer.h"
#include "core/store.h"

#include <stdio.h>

static int64_t count(struct mmt_store *st, const char *sql)
{
	return mmt_store_query_int(st, sql);
}

static int64_t new_finding(struct mmt_store *st)
{
	struct mmt_finding f;
	struct mmt_err err = { 0 };
	int64_t id;

	mmt_finding_init(&f, "faults", "soft_lockup", "critical");
	snprintf(f.title, sizeof(f.title), "soft lockup");
	id = mmt_finding_add(st, &f, &err);
	mmt_finding_free(&f);
	assert_true(id > 0);
	return id;
}

static void add(struct mmt_store *st, int64_t id, const char *type, int64_t pid,
		bool has_pid, const char *name)
{
	struct mmt_err err = { 0 };

	assert_int_equal(mmt_finding_subject(st, id, type, pid, has_pid, name, &err), 0);
}

static void test_subject_stored_once(void **state)
{
	struct mmt_store *st;
	struct mmt_err err = { 0 };
	int64_t a, b;

	(void)state;
	assert_int_equal(mmt_store_open(&st, NULL, MMT_STORE_MEMORY, &err), 0);
	a = new_finding(st);
	b = new_finding(st);
	for (int i = 0; i < 3; i++) {
		add(st, a, "cpu", 1, true, NULL);
		add(st, a, "task", 4242, true, "kworker/1:2");
		add(st, a, "cache", 0, false, "kmalloc-64");
	}
	assert_int_equal(count(st, "SELECT count(*) FROM finding_subjects"), 3);
	/* Another CPU, the same pid under another name, another finding: new subjects. */
	add(st, a, "cpu", 0, true, NULL);
	add(st, a, "task", 4242, true, "kworker/1:3");
	add(st, b, "cpu", 1, true, NULL);
	assert_int_equal(count(st, "SELECT count(*) FROM finding_subjects"), 6);
	assert_int_equal(count(st, "SELECT count(*) FROM finding_subjects "
			       "WHERE finding_id = 1 AND type = 'cpu'"), 2);
	mmt_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subject_stored_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
