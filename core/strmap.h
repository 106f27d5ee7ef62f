/*
 * A map from strings to 64-bit numbers (open addressing, FNV-1a), for the
 * dictionaries parsers keep in memory so that a name met a million times
 * is looked up in the store once.
 */
#ifndef MMT_STRMAP_H
#define MMT_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mmt_strmap_slot {
	char *key;			/* owned; NULL for an empty slot */
	size_t len;
	int64_t value;
};

struct mmt_strmap {
	struct mmt_strmap_slot *slots;
	size_t cap, used;
};

/* The value of key[0..n), or false when absent. */
bool mmt_strmap_get(const struct mmt_strmap *m, const char *key, size_t n, int64_t *value);
/* Sets (adding or replacing) the value of key[0..n). */
void mmt_strmap_put(struct mmt_strmap *m, const char *key, size_t n, int64_t value);
void mmt_strmap_free(struct mmt_strmap *m);

#endif
