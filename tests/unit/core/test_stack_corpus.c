/*
 * Runs the stack parsers over every file of the corpus of real logs in
 * ../shared/corpus (skipped when it is absent): no line may crash them or
 * make them read past its end, and every line of a call trace that looks
 * like a frame (" [<", " ? ", " sym+0x1f/0x30") must be recognised as one.
 * Prints how many lines, frames, markers and lockdep lines it saw.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/stack.h"

static size_t log_prefix(const char *s, size_t n)
{
	size_t i = 0, j, round;
	const char *k;

	if (n > 2 && s[0] == '<' && s[1] >= '0' && s[1] <= '9' && s[2] == '>')
		i = 3;
	k = memmem(s + i, n - i < 64 ? n - i : 64, "kernel: ", 8);
	if (k)
		i = (size_t)(k - s) + 8;
	else if (n - i > 16 && memcmp(s + i, "kern ", 5) == 0 &&
		 (k = memmem(s + i + 5, 12, " : ", 3)))
		i = (size_t)(k - s) + 3;
	for (round = 0; round < 2 && i < n && s[i] == '['; round++) {
		int mark = 0;

		for (j = i + 1; j < n && (s[j] == ' ' || s[j] == '.' || s[j] == 'T' ||
					  s[j] == 'C' || (s[j] >= '0' && s[j] <= '9')); j++)
			mark |= s[j] == '.' || s[j] == 'T' || s[j] == 'C';
		if (j == n || s[j] != ']' || !mark)
			break;
		i = j + 1;
	}
	if (round && i < n && s[i] == ' ')
		i++;
	return i;
}

/* What a stack line looks like to a reader: " [<", " ? ", " sym+0x1/0x2". */
static int looks_like_frame(const char *s, size_t n)
{
	size_t i = 1;

	if (n < 4 || s[0] != ' ')
		return 0;
	if (s[1] == '[' && s[2] == '<')
		return 1;
	if (s[1] == '?' && s[2] == ' ')
		return 1;
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.'))
		i++;
	if (i == 1 || n - i < 6 || memcmp(s + i, "+0x", 3) != 0)
		return 0;
	for (i += 3; i < n && isxdigit((unsigned char)s[i]); i++)
		;
	if (n - i < 4 || memcmp(s + i, "/0x", 3) != 0)
		return 0;
	return isxdigit((unsigned char)s[i + 3]);
}

struct corpus_run {
	struct mmt_stack st;
	size_t files, lines, bytes;
	size_t frames, markers, links, held;
	size_t candidates, missed;
	size_t damaged;		/* not recognised in logs marked corrupted */
	int corrupted;		/* the file is one of those */
};

/*
 * All parsers on an exact-size copy of the line, so that the address
 * sanitizer catches any read past its end. Returns mmt_frame_parse's bits.
 */
static int parse_copy(struct corpus_run *run, const char *s, size_t n)
{
	struct mmt_frame f;
	struct mmt_lock_link l;
	struct mmt_held_lock hl;
	enum mmt_marker m;
	char *copy = malloc(n ? n : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, s, n);
	r = mmt_frame_parse(copy, n, &f, &m);
	run->links += mmt_lockdep_link_parse(copy, n, &l);
	run->held += mmt_held_lock_parse(copy, n, &hl);
	free(copy);
	run->frames += !!(r & MMT_LINE_FRAME);
	run->markers += !!(r & MMT_LINE_MARKER);
	return r;
}

static void scan_line(struct corpus_run *run, const char *path, size_t lineno,
		      const char *s, size_t n, int *in_trace)
{
	size_t skip = log_prefix(s, n);
	int r;

	s += skip;
	n -= skip;
	r = parse_copy(run, s, n);
	if (memmem(s, n, "Call Trace:", 11) || memmem(s, n, "Call trace:", 11)) {
		mmt_stack_reset(&run->st);
		*in_trace = 1;
		return;
	}
	mmt_stack_feed(&run->st, s, n);
	if (run->st.n > 4096)
		mmt_stack_reset(&run->st);
	if (!*in_trace)
		return;
	if (!looks_like_frame(s, n)) {
		*in_trace = r != 0;
		return;
	}
	run->candidates++;
	if (r & MMT_LINE_FRAME)
		return;
	if (run->corrupted)
		run->damaged++;
	else if (run->missed++ < 20)
		print_message("not recognised: %s:%zu: %.*s\n", path, lineno,
			      (int)n, s);
}

static void scan_file(struct corpus_run *run, const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf, *p, *e, *nl;
	size_t lineno = 0;
	int in_trace = 0;
	long size;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	buf = malloc(size > 0 ? (size_t)size : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	/* syzkaller's headers mark logs damaged on purpose */
	run->corrupted = memmem(buf, size < 1024 ? (size_t)size : 1024,
				"\nCORRUPTED: Y\n", 14) != NULL;
	for (p = buf, e = buf + size; p < e; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if (!nl)
			nl = e;
		scan_line(run, path, ++lineno, p, (size_t)(nl - p), &in_trace);
	}
	run->files++;
	run->lines += lineno;
	run->bytes += (size_t)size;
	free(buf);
}

static void scan_dir(struct corpus_run *run, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat sb;
	char path[4096];

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			scan_dir(run, path);
		else if (S_ISREG(sb.st_mode))
			scan_file(run, path);
	}
	closedir(d);
}

static int is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/*
 * Every line of every file (binary ones too) goes through the parsers
 * without a crash, and every line of a call trace that looks like a frame
 * is recognised as one.
 */
static void test_corpus(void **state)
{
	const char *src = getenv("MMT_SOURCE_DIR");
	struct corpus_run run;
	struct timespec t0, t1;
	char dir[4096];
	double secs;

	snprintf(dir, sizeof(dir), "%s/../shared/corpus", src ? src : "");
	if (!src || !is_dir(dir))
		snprintf(dir, sizeof(dir), "/work/shared/corpus");
	if (!is_dir(dir))
		skip();
	memset(&run, 0, sizeof(run));
	mmt_stack_init(&run.st);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	scan_dir(&run, dir);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	mmt_stack_free(&run.st);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("corpus: %zu files, %zu lines, %.1f MB in %.2f s: %zu frames, "
		      "%zu marker lines, %zu lockdep links, %zu held locks\n",
		      run.files, run.lines, run.bytes / 1e6, secs, run.frames,
		      run.markers, run.links, run.held);
	print_message("corpus: %zu frame-like lines in call traces, %zu not "
		      "recognised (and %zu in logs syzkaller marks corrupted)\n",
		      run.candidates, run.missed, run.damaged);
	assert_true(run.files > 0);
	assert_true(run.candidates > 0);
	assert_int_equal(run.missed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
