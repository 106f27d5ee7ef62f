/*
 * What the fuzz targets share: one in-memory store for the whole run, and
 * the fuzzer's bytes as a file, since parsers read files.
 */
#ifndef MMT_FUZZ_H
#define MMT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* The store, created with the schema at the first call. */
struct mmt_store *fuzz_store(void);
/* A file holding exactly data[0..size), rewritten each call; its path. */
const char *fuzz_file(const uint8_t *data, size_t size);
/*
 * Ingests the file as a user would, with `--as as` (NULL sniffs), inside a
 * transaction that is rolled back: every run starts from the empty store.
 * A refused strict read is retried lenient, as the user would on being
 * told to. Then runs the analyzers on the result when analyze is set.
 */
void fuzz_ingest(const uint8_t *data, size_t size, const char *as, int analyze);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
