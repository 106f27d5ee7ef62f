/*
 * Tests of SHA-256: the test vectors of FIPS 180-4's examples, incremental
 * updates in odd chunk sizes against one-shot hashing, and agreement of
 * the portable and the SHA-extension code on every length around the
 * padding boundaries. Each test runs on both code paths; the CPU path is
 * skipped with a note on CPUs without SHA extensions.
 *
 * With MMT_BENCH set in the environment, prints the throughput of both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sha256.h"

struct vector {
	const char *msg;
	size_t repeat;		/* msg is hashed this many times in a row */
	const char *hex;
};

static const struct vector vectors[] = {
	{ "", 1,
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", 1,
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 1,
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ "a", 1000000,
	  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

static void hash_vector(const struct vector *v, char hex[65])
{
	struct mmt_sha256 c;
	unsigned char d[32];
	size_t len = strlen(v->msg), i;
	char *buf;

	if (v->repeat == 1) {
		mmt_sha256_buf(v->msg, len, hex);
		return;
	}
	/* one buffer, and also in pieces of the message's own size */
	buf = malloc(len * v->repeat);
	assert_non_null(buf);
	for (i = 0; i < v->repeat; i++)
		memcpy(buf + i * len, v->msg, len);
	mmt_sha256_buf(buf, len * v->repeat, hex);
	free(buf);
	assert_string_equal(hex, v->hex);
	mmt_sha256_init(&c);
	for (i = 0; i < v->repeat; i++)
		mmt_sha256_update(&c, v->msg, len);
	mmt_sha256_final(&c, d);
	mmt_sha256_hex(d, hex);
}

static void check_vectors(void)
{
	char hex[65];
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		hash_vector(&vectors[i], hex);
		assert_string_equal(hex, vectors[i].hex);
	}
}

/* Deterministic bytes, so that a failure can be reproduced. */
static void fill(unsigned char *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

static void check_chunks(void)
{
	static const size_t chunks[] = { 1, 3, 7, 13, 55, 56, 63, 64, 65, 127, 129, 1000 };
	enum { LEN = 10007 };
	unsigned char *buf = malloc(LEN), d[32];
	struct mmt_sha256 c;
	char one[65], inc[65];
	size_t start, off, k;

	assert_non_null(buf);
	fill(buf, LEN, 42);
	mmt_sha256_buf(buf, LEN, one);
	for (start = 0; start < sizeof(chunks) / sizeof(chunks[0]); start++) {
		mmt_sha256_init(&c);
		mmt_sha256_update(&c, buf, 0);
		for (off = 0, k = start; off < LEN; k++) {
			size_t n = chunks[k % (sizeof(chunks) / sizeof(chunks[0]))];

			if (n > LEN - off)
				n = LEN - off;
			mmt_sha256_update(&c, buf + off, n);
			off += n;
		}
		mmt_sha256_final(&c, d);
		mmt_sha256_hex(d, inc);
		assert_string_equal(one, inc);
	}
	free(buf);
}

/* Runs check() on the portable code, then on the CPU's if it has them. */
static void on_both_paths(void (*check)(void))
{
	mmt_sha256_force_portable(1);
	check();
	if (!mmt_sha256_force_portable(0)) {
		print_message("no SHA extensions on this CPU: portable code only\n");
		return;
	}
	check();
}

static void test_vectors(void **state)
{
	on_both_paths(check_vectors);
}

static void test_chunks(void **state)
{
	on_both_paths(check_chunks);
}

/* Every length up to a few blocks, where padding changes shape. */
static void test_paths_agree(void **state)
{
	unsigned char buf[300];
	char a[65], b[65];
	size_t n;

	fill(buf, sizeof(buf), 7);
	for (n = 0; n <= sizeof(buf); n++) {
		mmt_sha256_force_portable(1);
		mmt_sha256_buf(buf, n, a);
		mmt_sha256_force_portable(0);
		mmt_sha256_buf(buf, n, b);
		assert_string_equal(a, b);
	}
}

static void test_hex(void **state)
{
	unsigned char d[32];
	char hex[65];
	int i;

	for (i = 0; i < 32; i++)
		d[i] = (unsigned char)(i * 8 + 7);
	mmt_sha256_hex(d, hex);
	assert_string_equal(hex, "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff");
}

static double mb_per_s(const unsigned char *buf, size_t n, int rounds)
{
	struct timespec t0, t1;
	char hex[65];
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = 0; r < rounds; r++)
		mmt_sha256_buf(buf, n, hex);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return n * (double)rounds / 1e6 /
	       ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
}

/* Not a timed assertion: prints MB/s when MMT_BENCH is set. */
static void test_bench(void **state)
{
	enum { LEN = 16 << 20 };
	unsigned char *buf;

	if (!getenv("MMT_BENCH"))
		skip();
	buf = malloc(LEN);
	assert_non_null(buf);
	fill(buf, LEN, 1);
	mmt_sha256_force_portable(1);
	printf("bench: sha256 portable %.0f MB/s\n", mb_per_s(buf, LEN, 4));
	if (mmt_sha256_force_portable(0))
		printf("bench: sha256 SHA-NI   %.0f MB/s\n", mb_per_s(buf, LEN, 8));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_paths_agree),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_bench),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
