/*
 * Crash dumps' headers as ingest reads them before it runs crash or
 * makedumpfile: the ELF header, program headers and notes (looking for
 * VMCOREINFO), the kdump header's status, the described length.
 */
#include "parsers/vmcore.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmt_err err = { 0 };

	mmt_vmcore_check(fuzz_file(data, size), &err);
	return 0;
}
