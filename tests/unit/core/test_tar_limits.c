/*
 * Tests of the archive limits (core/tar.h) at small values: each limit
 * reached exactly is accepted, one past it is refused with a message naming
 * the member and the limit, before the member's data is written. Archives
 * are made by Python's tarfile in the test's own directory under /tmp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/tar.h"

struct ws {
	char dir[64];
	char out[96];
	char archive[128];
	struct mmt_tar_limits lim;
	struct mmt_tar_stats st;
	struct mmt_err err;
};

static int setup(void **state)
{
	struct ws *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	strcpy(w->dir, "/tmp/mmt-tarlim-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(w->out, sizeof(w->out), "%s/out", w->dir);
	w->lim = mmt_tar_limits_default;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct ws *w = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w->dir);
	assert_int_equal(system(cmd), 0);
	free(w);
	return 0;
}

/* Writes the archive a.tar (mode "w", or "w:gz"...) with Python: body calls
   f(name, size) for a file of size 'x' bytes. */
static void make(struct ws *w, const char *mode, const char *body)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && python3 -c '\n"
		 "import io, tarfile\n"
		 "t = tarfile.open(\"a.tar\", \"%s\", format=tarfile.PAX_FORMAT)\n"
		 "def f(name, size=0, byte=b\"x\"):\n"
		 "    i = tarfile.TarInfo(name); i.size = size\n"
		 "    t.addfile(i, io.BytesIO(byte * size))\n"
		 "%s\n"
		 "t.close()'", w->dir, mode, body);
	assert_int_equal(system(cmd), 0);
	snprintf(w->archive, sizeof(w->archive), "%s/a.tar", w->dir);
}

static int extract(struct ws *w, mmt_tar_want want)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", w->out, w->out);
	assert_int_equal(system(cmd), 0);
	mmt_err_clear(&w->err);
	return mmt_tar_extract_limited(w->archive, w->out, want, NULL, &w->lim, &w->st,
				       &w->err);
}

static void expect_refused(struct ws *w, mmt_tar_want want, const char *msg)
{
	assert_int_equal(extract(w, want), -1);
	if (!strstr(w->err.msg, msg))
		fail_msg("message '%s' lacks '%s'", w->err.msg, msg);
	assert_ptr_equal(w->err.path, w->archive);
}

static bool exists(const struct ws *w, const char *rel)
{
	char path[256];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", w->out, rel);
	return lstat(path, &sb) == 0;
}

static bool decline_all(void *ctx, const char *name, uint64_t size)
{
	(void)ctx;
	(void)name;
	(void)size;
	return false;
}

static void test_members(void **state)
{
	struct ws *w = *state;

	w->lim.members = 3;
	make(w, "w", "f(\"a\"); f(\"b\"); f(\"c\")");
	assert_int_equal(extract(w, NULL), 0);
	assert_int_equal(w->st.files, 3);
	make(w, "w", "f(\"a\"); f(\"b\"); f(\"c\"); f(\"d\")");
	expect_refused(w, NULL, "member 'd': more than 3 members in the archive "
		       "(MMT_TAR_MAX_MEMBERS)");
	assert_false(exists(w, "d"));
	/* Declined members count too: each costs a header. */
	expect_refused(w, decline_all, "more than 3 members");
}

static void test_depth_and_path(void **state)
{
	struct ws *w = *state;

	w->lim.depth = 3;
	w->lim.path = 12;
	make(w, "w", "f(\"a/b/c\"); f(\"./x/../a/b/d\"); f(\"123456789012\")");
	assert_int_equal(extract(w, NULL), 0);
	assert_true(exists(w, "a/b/d"));
	make(w, "w", "f(\"a/b/c/d\")");
	expect_refused(w, NULL, "member 'a/b/c/d': 4 directories deep, more than 3 "
		       "(MMT_TAR_MAX_DEPTH)");
	assert_false(exists(w, "a"));
	make(w, "w", "f(\"1234567890123\")");
	expect_refused(w, NULL, "a path of 13 bytes, more than 12 (MMT_TAR_MAX_PATH)");
}

static void test_file_bytes(void **state)
{
	struct ws *w = *state;

	w->lim.file_bytes = 5;
	make(w, "w", "f(\"five\", 5)");
	assert_int_equal(extract(w, NULL), 0);
	assert_int_equal(w->st.bytes, 5);
	make(w, "w", "f(\"five\", 5); f(\"six\", 6)");
	expect_refused(w, NULL, "member 'six': 6 bytes, more than a file may have "
		       "(MMT_TAR_MAX_FILE, 5)");
	assert_true(exists(w, "five"));
	assert_false(exists(w, "six"));
	assert_int_equal(w->st.files, 1);
	/* A member declined is not written: its size is the stream's business. */
	assert_int_equal(extract(w, decline_all), 0);
	assert_int_equal(w->st.skipped, 2);
}

static void test_total_bytes(void **state)
{
	struct ws *w = *state;

	w->lim.total_bytes = 10;
	make(w, "w", "f(\"a\", 4); f(\"b\", 6)");
	assert_int_equal(extract(w, NULL), 0);
	assert_int_equal(w->st.bytes, 10);
	make(w, "w", "f(\"a\", 4); f(\"b\", 6); f(\"c\", 1)");
	expect_refused(w, NULL, "member 'c': 1 bytes more would pass the 10 the files of an "
		       "archive may have (MMT_TREE_MAX_BYTES)");
	assert_false(exists(w, "c"));
	assert_int_equal(w->st.bytes, 10);
}

/* Bytes of the tar stream in the compressed a.tar. */
static uint64_t unpacked_size(const struct ws *w)
{
	char cmd[160];
	unsigned long long n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "gzip -dc '%s' | wc -c", w->archive);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%llu", &n), 1);
	assert_int_equal(pclose(p), 0);
	return n;
}

/* A bomb of declined members: 4 MiB of zeros, gzip makes of it 4 KiB. */
static void test_stream_bytes(void **state)
{
	struct ws *w = *state;
	struct stat sb;

	make(w, "w:gz", "f(\"zeros\", 4 << 20, b\"\\\\0\")");
	assert_int_equal(stat(w->archive, &sb), 0);
	assert_true(sb.st_size < 16 << 10);
	w->lim.stream_bytes = unpacked_size(w);
	assert_true(w->lim.stream_bytes > 4 << 20);
	assert_int_equal(extract(w, decline_all), 0);
	w->lim.stream_bytes--;
	expect_refused(w, decline_all, "the archive unpacks to more than ");
	assert_int_equal(w->st.skipped, 1);
	w->lim.stream_bytes = 1 << 20;
	expect_refused(w, decline_all, "the archive unpacks to more than 1048576 bytes "
		       "(MMT_TAR_MAX_STREAM): a decompression bomb?");
}

/* Data after the end of the archive is read (so that the decompressor's
   checks count), and is bounded the same way. */
static void test_stream_after_end(void **state)
{
	struct ws *w = *state;
	char cmd[256];

	make(w, "w", "f(\"a\", 1)");
	snprintf(cmd, sizeof(cmd), "cd '%s' && head -c 3000000 /dev/zero >>a.tar && "
		 "gzip a.tar && mv a.tar.gz a.tar", w->dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(extract(w, NULL), 0);
	w->lim.stream_bytes = 2 << 20;
	expect_refused(w, NULL, "unpacks to more than 2097152 bytes");
	assert_true(exists(w, "a"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_members),
		T(test_depth_and_path),
		T(test_file_bytes),
		T(test_total_bytes),
		T(test_stream_bytes),
		T(test_stream_after_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
