#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * The input ingested as a user would: once, and when refused by a parser
 * whose --lenient reads it otherwise, once more with it (for the others a
 * second run would be the first again, at the same cost).
 */
static int ingest_as_user(struct mmt_store *st, const char *path, const char *as)
{
	struct mmt_ingest_opts o = { .as = as, .force = 1, .warn = drop_warning };
	struct mmt_ingest_result r = { 0 };
	struct mmt_err err = { 0 };
	const struct mmt_parser *p;

	mmt_ingest_file_as(st, path, "fuzz-input", &o, &r, &err);
	if (r.status == MMT_INGESTED)
		return 1;
	p = r.kind ? mmt_parser_find(r.kind) : NULL;
	if (!p || !p->lenient)
		return 0;
	o.lenient = 1;
	memset(&err, 0, sizeof(err));
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
	stored = ingest_as_user(st, path, as);
	if (stored && analyze)
		mmt_analyze(st, &err);
	mmt_store_rollback(st);
}
