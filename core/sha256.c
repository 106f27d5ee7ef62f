/*
 * SHA-256 (FIPS 180-4) of ingested files and of stacks. The compression
 * function has two implementations: portable C, and the x86 SHA extensions
 * (SHA256RNDS2/MSG1/MSG2), which hash several times faster. The choice is
 * made once, on first use, from what the CPU reports; builds for other
 * architectures carry the portable code only.
 */
#include "core/sha256.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MMT_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

typedef void (*blocks_fn)(uint32_t h[8], const unsigned char *p, size_t n);

static uint32_t ror(uint32_t x, int n)
{
	return x >> n | x << (32 - n);
}

static uint32_t load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void schedule(uint32_t w[64], const unsigned char *p)
{
	size_t t;

	for (t = 0; t < 16; t++)
		w[t] = load_be32(p + 4 * t);
	for (t = 16; t < 64; t++) {
		uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ w[t - 15] >> 3;
		uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ w[t - 2] >> 10;

		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
}

#define ROUND(a, b, c, d, e, f, g, h, t)				\
	do {								\
		uint32_t t1 = (h) + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + \
			      (((e) & (f)) ^ (~(e) & (g))) + K[t] + w[t]; \
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +	\
			      (((a) & (b)) ^ ((a) & (c)) ^ ((b) & (c))); \
		(d) += t1;						\
		(h) = t1 + t2;						\
	} while (0)

/* Eight rounds name the variables in turn instead of moving them. */
static void blocks_portable(uint32_t hv[8], const unsigned char *p, size_t n)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;
	int t;

	for (; n--; p += 64) {
		schedule(w, p);
		a = hv[0], b = hv[1], c = hv[2], d = hv[3];
		e = hv[4], f = hv[5], g = hv[6], h = hv[7];
		for (t = 0; t < 64; t += 8) {
			ROUND(a, b, c, d, e, f, g, h, t);
			ROUND(h, a, b, c, d, e, f, g, t + 1);
			ROUND(g, h, a, b, c, d, e, f, t + 2);
			ROUND(f, g, h, a, b, c, d, e, t + 3);
			ROUND(e, f, g, h, a, b, c, d, t + 4);
			ROUND(d, e, f, g, h, a, b, c, t + 5);
			ROUND(c, d, e, f, g, h, a, b, t + 6);
			ROUND(b, c, d, e, f, g, h, a, t + 7);
		}
		hv[0] += a, hv[1] += b, hv[2] += c, hv[3] += d;
		hv[4] += e, hv[5] += f, hv[6] += g, hv[7] += h;
	}
}

#ifdef MMT_SHA_NI
/*
 * SHA256RNDS2 keeps the state as two vectors, ABEF and CDGH (A in the top
 * lane), runs two rounds with W+K from the low 64 bits of its third
 * operand, and returns the new ABEF; the old ABEF is then the new CDGH,
 * so the two vectors swap roles every two rounds. MSG1 and MSG2 compute
 * the message schedule four words at a time:
 *   W[t..t+3] = MSG2(MSG1(W[t-16..], W[t-12..]) + W[t-7..t-4], W[t-4..]).
 */
#define SHANI __attribute__((target("sha,sse4.1")))

#define ROUNDS4(x, k)							\
	do {								\
		__m128i wk = _mm_add_epi32(x,				\
			_mm_loadu_si128((const __m128i *)&K[k]));	\
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);		\
		wk = _mm_shuffle_epi32(wk, 0x0e);			\
		abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);		\
	} while (0)

/* x0 = W[t-16..t-13] becomes W[t..t+3]. */
#define SCHEDULE4(x0, x1, x2, x3)					\
	((x0) = _mm_sha256msg2_epu32(_mm_add_epi32(			\
		_mm_sha256msg1_epu32(x0, x1), _mm_alignr_epi8(x3, x2, 4)), x3))

#define LOAD4(x, i)							\
	((x) = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * (size_t)(i))), \
			      bswap))

SHANI static void blocks_shani(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
					     0x0405060700010203ULL);
	__m128i dcba = _mm_loadu_si128((const __m128i *)&h[0]);
	__m128i hgfe = _mm_loadu_si128((const __m128i *)&h[4]);
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
	__m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
	__m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);
	__m128i x0, x1, x2, x3, abef0, cdgh0, feba, dchg;
	int j;

	for (; n--; p += 64) {
		abef0 = abef;
		cdgh0 = cdgh;
		LOAD4(x0, 0);
		ROUNDS4(x0, 0);
		LOAD4(x1, 1);
		ROUNDS4(x1, 4);
		LOAD4(x2, 2);
		ROUNDS4(x2, 8);
		LOAD4(x3, 3);
		ROUNDS4(x3, 12);
		for (j = 16; j < 64; j += 16) {
			SCHEDULE4(x0, x1, x2, x3);
			ROUNDS4(x0, j);
			SCHEDULE4(x1, x2, x3, x0);
			ROUNDS4(x1, j + 4);
			SCHEDULE4(x2, x3, x0, x1);
			ROUNDS4(x2, j + 8);
			SCHEDULE4(x3, x0, x1, x2);
			ROUNDS4(x3, j + 12);
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	feba = _mm_shuffle_epi32(abef, 0x1b);
	dchg = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}

#ifdef __clang__
/* clang's __builtin_cpu_supports does not know "sha" in all versions. */
static bool have_shani(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1))
		return false;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}
#else
static bool have_shani(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1");
}
#endif

static blocks_fn detect(void)
{
	return have_shani() ? blocks_shani : blocks_portable;
}
#else
static blocks_fn detect(void)
{
	return blocks_portable;
}
#endif

static _Atomic(blocks_fn) chosen;
static atomic_int forced_portable;

static blocks_fn blocks(void)
{
	blocks_fn fn;

	if (atomic_load_explicit(&forced_portable, memory_order_relaxed))
		return blocks_portable;
	fn = atomic_load_explicit(&chosen, memory_order_relaxed);
	if (!fn) {
		fn = detect();
		atomic_store_explicit(&chosen, fn, memory_order_relaxed);
	}
	return fn;
}

int mmt_sha256_force_portable(int on)
{
	atomic_store(&forced_portable, on != 0);
	return blocks() != blocks_portable;
}

void mmt_sha256_init(struct mmt_sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, iv, sizeof(iv));
	c->total = 0;
	c->used = 0;
}

void mmt_sha256_update(struct mmt_sha256 *c, const void *data, size_t n)
{
	const unsigned char *p = data;
	blocks_fn fn = blocks();
	size_t take;

	if (!n)
		return;
	c->total += n;
	if (c->used) {
		take = 64 - c->used < n ? 64 - c->used : n;
		memcpy(c->block + c->used, p, take);
		c->used += take;
		p += take;
		n -= take;
		if (c->used < 64)
			return;
		fn(c->h, c->block, 1);
		c->used = 0;
	}
	if (n >= 64) {
		fn(c->h, p, n / 64);
		p += n & ~(size_t)63;
		n &= 63;
	}
	if (n)
		memcpy(c->block, p, n);
	c->used = n;
}

void mmt_sha256_final(struct mmt_sha256 *c, unsigned char digest[32])
{
	uint64_t bits = c->total * 8;
	blocks_fn fn = blocks();
	int i;

	c->block[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->block + c->used, 0, 64 - c->used);
		fn(c->h, c->block, 1);
		c->used = 0;
	}
	memset(c->block + c->used, 0, 56 - c->used);
	for (i = 0; i < 8; i++)
		c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	fn(c->h, c->block, 1);
	for (i = 0; i < 32; i++)
		digest[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
	c->used = 0;
}

void mmt_sha256_hex(const unsigned char digest[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
}

void mmt_sha256_buf(const void *data, size_t n, char hex[65])
{
	struct mmt_sha256 c;
	unsigned char d[32];

	mmt_sha256_init(&c);
	mmt_sha256_update(&c, data, n);
	mmt_sha256_final(&c, d);
	mmt_sha256_hex(d, hex);
}
