/*
 * doc_wrap, which every human-readable report wraps prose with: lines
 * within the width, nothing dropped, and a word longer than a line cut
 * between UTF-8 characters (a cgroup or task name in Hebrew), so that the
 * report stays valid UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/render/doc.h"

static char *wrap(const char *text, size_t width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	doc_wrap(f, text, width, "  ", "  ");
	fclose(f);
	return buf;
}

/* True when s is well-formed UTF-8 (continuation bytes only after a lead byte). */
static bool utf8_whole(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int more = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
			 : (*p & 0xf8) == 0xf0 ? 3 : -1;

		if (more < 0)
			return false;
		for (p++; more > 0; more--, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

static void long_hebrew_word_cut_between_characters(void **state)
{
	char word[61 * 2 + 1] = "", *out, *line;
	size_t letters = 0;

	(void)state;
	for (int i = 0; i < 61; i++)
		strcat(word, "\xd7\x90");	/* U+05D0 HEBREW LETTER ALEF */
	/* An odd width puts a byte count in the middle of a letter. */
	out = wrap(word, 41);
	assert_true(utf8_whole(out));
	for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		assert_true(strlen(line) <= 41);
		letters += (strlen(line) - 2) / 2;
	}
	assert_int_equal(letters, 61);
	free(out);
}

static void words_wrapped_at_spaces(void **state)
{
	char *out = wrap("mmt-hog was killed in memory cgroup /mmtriage-swap-oom", 24);

	(void)state;
	assert_string_equal(out, "  mmt-hog was killed in\n  memory cgroup\n"
				 "  /mmtriage-swap-oom\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(long_hebrew_word_cut_between_characters),
		cmocka_unit_test(words_wrapped_at_spaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
