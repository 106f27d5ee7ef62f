#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyzers/analyzer.h"
#include "parsers/ingest.h"

static void die(const char *what, const struct mmt_err *err)
{
	fprintf(stderr, "fuzz: %s: %s\n", what, err ? err->msg : "failed");
	abort();
}

struct mmt_store *fuzz_store(void)
{
	static struct mmt_store *st;
	struct mmt_err err = { 0 };

	if (!st && mmt_store_open(&st, ":memory:", MMT_STORE_MEMORY, &err) < 0)
		die("cannot open the store", &err);
	return st;
}

/*
 * A memfd keeps the input off the disk; its /proc/self/fd path is what the
 * ingest opens, as it opens a user's file.
 */
const char *fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];

	if (fd < 0) {
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (fd < 0)
			die("memfd_create", NULL);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		die("writing the input", NULL);
	return path;
}

/* Warnings are formatted as for the user (that is code to exercise), then dropped. */
static void drop_warning(void *ctx, const char *path, long line, const char *msg)
{
}

static int ingest_once(struct mmt_store *st, const char *path, const char *as,
		       int lenient)
{
	struct mmt_ingest_opts o = { .as = as, .force = 1, .lenient = lenient,
				     .warn = drop_warning };
	struct mmt_ingest_result r;
	struct mmt_err err = { 0 };

	mmt_ingest_file_as(st, path, "fuzz-input", &o, &r, &err);
	return r.status == MMT_INGESTED;
}

void fuzz_ingest(const uint8_t *data, size_t size, const char *as, int analyze)
{
	struct mmt_store *st = fuzz_store();
	const char *path = fuzz_file(data, size);
	struct mmt_err err = { 0 };
	int stored;

	if (mmt_store_begin(st, &err) < 0)
		die("begin", &err);
	stored = ingest_once(st, path, as, 0) || ingest_once(st, path, as, 1);
	if (stored && analyze)
		mmt_analyze(st, &err);
	mmt_store_rollback(st);
}
