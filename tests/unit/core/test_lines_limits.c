/*
 * Tests of the line reader's limits (core/lines.h) at their values: a line
 * of MMT_LINE_MAX bytes is read and one byte more refused (cut when
 * lenient); lenient mode skips an overlong line's rest up to
 * MMT_LINE_SKIP_MAX bytes and refuses one byte more; a run of NULs is
 * said as a NUL, not as a long line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/lines.h"

/* An in-memory file: "a\n", a line of n bytes of c, "\n", "z\n". */
static int file_with_line(size_t n, char c)
{
	int fd = memfd_create("lines", MFD_CLOEXEC);
	char *big = malloc(n);

	assert_true(fd >= 0);
	assert_non_null(big);
	memset(big, c, n);
	assert_int_equal(write(fd, "a\n", 2), 2);
	assert_int_equal(write(fd, big, n), (ssize_t)n);
	assert_int_equal(write(fd, "\nz\n", 3), 3);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	free(big);
	return fd;
}

/* Reads every line; returns the last status and the longest line's length. */
static int read_all(int fd, unsigned flags, size_t *longest, long *lines,
		    struct mmt_err *err)
{
	struct mmt_lines lr;
	const char *line;
	size_t len;
	int rc;

	*longest = 0;
	mmt_lines_init(&lr, fd, "f", flags);
	mmt_err_clear(err);
	while ((rc = mmt_lines_next(&lr, &line, &len, err)) == 1)
		if (len > *longest)
			*longest = len;
	*lines = lr.lineno;
	mmt_lines_free(&lr);
	close(fd);
	return rc;
}

static void test_line_max(void **state)
{
	struct mmt_err err;
	size_t longest;
	long lines;

	(void)state;
	assert_int_equal(read_all(file_with_line(MMT_LINE_MAX, 'x'), 0, &longest, &lines,
				  &err), 0);
	assert_int_equal(longest, MMT_LINE_MAX);
	assert_int_equal(lines, 3);
	assert_int_equal(read_all(file_with_line(MMT_LINE_MAX + 1, 'x'), 0, &longest,
				  &lines, &err), -1);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "line is longer than 1048576 bytes"));
	/* Lenient: cut at MMT_LINE_MAX, and the next line read. */
	assert_int_equal(read_all(file_with_line(MMT_LINE_MAX + 1, 'x'), MMT_LINES_LENIENT,
				  &longest, &lines, &err), 0);
	assert_int_equal(longest, MMT_LINE_MAX);
	assert_int_equal(lines, 3);
}

static void test_skip_max(void **state)
{
	size_t at_limit = (size_t)MMT_LINE_MAX + MMT_LINE_SKIP_MAX;
	struct mmt_err err;
	size_t longest;
	long lines;

	(void)state;
	assert_int_equal(read_all(file_with_line(at_limit, 'x'), MMT_LINES_LENIENT,
				  &longest, &lines, &err), 0);
	assert_int_equal(lines, 3);
	assert_int_equal(read_all(file_with_line(at_limit + 1, 'x'), MMT_LINES_LENIENT,
				  &longest, &lines, &err), -1);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "line runs on for more than 67108864 bytes past "
			       "the 1048576 kept (MMT_LINE_SKIP_MAX)"));
}

/* 2 MiB of NULs: a NUL at column 1, not a long line. */
static void test_nul_run(void **state)
{
	struct mmt_err err;
	size_t longest;
	long lines;

	(void)state;
	assert_int_equal(read_all(file_with_line(2u << 20, '\0'), 0, &longest, &lines, &err),
			 -1);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "NUL byte at column 1;"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_max),
		cmocka_unit_test(test_skip_max),
		cmocka_unit_test(test_nul_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
