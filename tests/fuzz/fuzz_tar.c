/*
 * Archives: a sosreport or capture tarball unpacked as ingest unpacks it,
 * into a fresh directory that is removed after each run.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/tar.h"
#include "tests/fuzz/fuzz.h"

static bool want_all(void *ctx, const char *name, uint64_t size)
{
	return true;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	char dest[4096];
	struct mmt_tar_stats stats;
	struct mmt_err err = { 0 };

	snprintf(dest, sizeof(dest), "%s/mmt-fuzz-tar-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dest))
		abort();
	mmt_tar_extract(fuzz_file(data, size), dest, want_all, NULL, &stats, &err);
	nftw(dest, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
