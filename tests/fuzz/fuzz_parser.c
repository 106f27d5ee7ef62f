/*
 * One parser, named at build time by FUZZ_PARSER (a parser's --as name):
 * the fuzzer's bytes are ingested as that format.
 */
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ingest(data, size, FUZZ_PARSER, 0);
	return 0;
}
