/*
 * SHA-256 of ingested files: sources are recorded by content, so that
 * ingesting the same bytes twice is a no-op. Uses the CPU's SHA extensions
 * when present (checked once at run time), portable C otherwise.
 */
#ifndef MMT_SHA256_H
#define MMT_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct mmt_sha256 {
	uint32_t h[8];
	uint64_t total;			/* bytes hashed so far */
	unsigned char block[64];
	size_t used;			/* bytes waiting in block */
};

void mmt_sha256_init(struct mmt_sha256 *c);
void mmt_sha256_update(struct mmt_sha256 *c, const void *data, size_t n);
void mmt_sha256_final(struct mmt_sha256 *c, unsigned char digest[32]);
/* hex receives 64 lower-case hex digits and a NUL. */
void mmt_sha256_hex(const unsigned char digest[32], char hex[65]);
/* Hashes a whole buffer: convenience for tests and stacks. */
void mmt_sha256_buf(const void *data, size_t n, char hex[65]);

/*
 * For tests and benchmarks only: on != 0 forces the portable code, 0 goes
 * back to the run-time choice. Returns 1 if the CPU's SHA extensions are
 * used after the call, 0 otherwise.
 */
int mmt_sha256_force_portable(int on);

#endif
