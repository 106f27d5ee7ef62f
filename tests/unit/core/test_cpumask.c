/* CPU masks as trace.dat and text traces store them (core/cpumask.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/cpumask.h"

struct seen {
	int64_t cpu[8];
	int n;
};

static void add(void *ctx, int64_t cpu)
{
	struct seen *s = ctx;

	if (s->n < 8)
		s->cpu[s->n] = cpu;
	s->n++;
}

static void dat_words_lowest_first(void **state)
{
	struct seen s = { .n = 0 };

	(void)state;
	mmt_cpumask_each("3,1", true, add, &s);	/* CPUs 0 and 1, then 64 */
	assert_int_equal(s.n, 3);
	assert_int_equal(s.cpu[0], 0);
	assert_int_equal(s.cpu[1], 1);
	assert_int_equal(s.cpu[2], 64);
}

static void text_groups_highest_first(void **state)
{
	struct seen s = { .n = 0 };

	(void)state;
	mmt_cpumask_each("1,00000002", false, add, &s);	/* %*pb: CPU 32, then CPU 1 */
	assert_int_equal(s.n, 2);
	assert_int_equal(s.cpu[0], 32);
	assert_int_equal(s.cpu[1], 1);
}

static void empty_and_bad_masks(void **state)
{
	struct seen s = { .n = 0 };

	(void)state;
	mmt_cpumask_each("", false, add, &s);
	mmt_cpumask_each("zz", true, add, &s);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dat_words_lowest_first),
		cmocka_unit_test(text_groups_highest_first),
		cmocka_unit_test(empty_and_bad_masks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
