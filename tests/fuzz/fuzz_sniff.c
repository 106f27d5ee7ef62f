/*
 * Any input, recognised as ingest recognises it: every parser's probe rates
 * it and the most confident one parses it.
 */
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ingest(data, size, NULL, 0);
	return 0;
}
