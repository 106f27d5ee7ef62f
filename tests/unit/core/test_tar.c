/*
 * Tests of tar extraction on real archives: made by the system's tar in each
 * format (pax, gnu, ustar, v7) and compressed by each decompressor found, by
 * Python's tarfile as sosreport makes them, and by hand where a field must
 * hold an unusual value (base-256 sizes, PAX size records). Hostile archives
 * (names and links leaving the root, writes through links, truncation,
 * corruption) must be refused with a message naming the member, and must
 * leave nothing outside the destination.
 *
 * Each test works in its own directory under /tmp, removed afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/tar.h"

struct ws {
	char dir[64];		/* the test's directory */
	char out[96];		/* dir/out: where archives are unpacked */
	char archive[256];	/* the last one unpacked: err.path points here */
};

/* A long path: its directory part is over 155 bytes (too long for the
   ustar prefix) and the whole over 255 (too long for ustar at all). */
#define LONG_DIR "top/" \
	"directory-number-one-with-a-rather-long-name-0123456789/" \
	"directory-number-two-with-a-rather-long-name-0123456789/" \
	"directory-number-three-with-a-rather-long-name-012345678/"
#define LONG_PATH LONG_DIR "and-a-file-whose-own-name-is-long-as-well-0123456789abcdef.txt"
/* Fits ustar: a prefix of 100-155 bytes and a name under 100. */
#define USTAR_PATH "top/directory-number-one-with-a-rather-long-name-0123456789/" \
	"directory-number-two-with-a-long-name/file-with-a-name-of-some-length.txt"

static int setup(void **state)
{
	struct ws *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	strcpy(w->dir, "/tmp/mmt-tar-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(w->out, sizeof(w->out), "%s/out", w->dir);
	assert_int_equal(mkdir(w->out, 0755), 0);
	umask(022);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct ws *w = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w->dir);
	assert_int_equal(system(cmd), 0);
	free(w);
	return 0;
}

/* Runs a shell command in the test's directory; it must succeed. */
static void sh(const struct ws *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sh(const struct ws *w, const char *fmt, ...)
{
	char cmd[4096];
	int n = snprintf(cmd, sizeof(cmd), "cd '%s' && ", w->dir);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static bool have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Writes archive with Python's tarfile (PAX, as sos does) running body,
   which calls f(name, data, mode), d(name, mode), link(name, target, kind)
   and special(name, kind). A global PAX header comes first, as a test
   that 'g' headers are skipped. */
static void py(const struct ws *w, const char *archive, const char *body)
{
	static const char prelude[] =
		"import io, sys, tarfile\n"
		"t = tarfile.open(sys.argv[1], 'w', pax_headers={'comment': 'made by test_tar'})\n"
		"def info(name, kind, mode=0o644):\n"
		"    i = tarfile.TarInfo(name); i.type = kind; i.mode = mode; return i\n"
		"def f(name, data=b'', mode=0o644):\n"
		"    i = info(name, tarfile.REGTYPE, mode); i.size = len(data)\n"
		"    t.addfile(i, io.BytesIO(data))\n"
		"def d(name, mode=0o755):\n"
		"    t.addfile(info(name, tarfile.DIRTYPE, mode))\n"
		"def link(name, target, kind=tarfile.SYMTYPE):\n"
		"    i = info(name, kind); i.linkname = target; t.addfile(i)\n"
		"def special(name, kind):\n"
		"    t.addfile(info(name, kind))\n";
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/mk.py", w->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "%s%s\nt.close()\n", prelude, body);
	assert_int_equal(fclose(fp), 0);
	sh(w, "python3 mk.py '%s'", archive);
}

/* Empties the destination, for another extraction in the same test. */
static void fresh_out(const struct ws *w)
{
	sh(w, "rm -rf out && mkdir out");
}

static int extract_with(struct ws *w, const char *archive, mmt_tar_want want,
			void *ctx, struct mmt_tar_stats *st, struct mmt_err *err)
{
	snprintf(w->archive, sizeof(w->archive), "%s/%s", w->dir, archive);
	mmt_err_clear(err);
	memset(st, 0x55, sizeof(*st));	/* must be overwritten */
	return mmt_tar_extract(w->archive, w->out, want, ctx, st, err);
}

static int extract(struct ws *w, const char *archive, struct mmt_tar_stats *st,
		   struct mmt_err *err)
{
	return extract_with(w, archive, NULL, NULL, st, err);
}

static void expect_refusal(struct ws *w, const char *archive, const char *msg)
{
	struct mmt_tar_stats st;
	struct mmt_err err;

	assert_int_equal(extract(w, archive, &st, &err), -1);
	if (!strstr(err.msg, msg))
		fail_msg("message '%s' lacks '%s'", err.msg, msg);
	assert_ptr_equal(err.path, w->archive);
	assert_int_equal(err.line, 0);
}

/* Deterministic bytes, so that a failure can be reproduced. */
static void fill(unsigned char *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

static void put(const struct ws *w, const char *rel, const void *data, size_t n)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", w->dir, rel);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

/* Asserts that out/rel holds exactly data[0..n); with follow, rel may be a
   symlink, else it must be a regular file. */
static void expect_data(const struct ws *w, const char *rel, const void *data, size_t n,
			bool follow)
{
	char path[512];
	unsigned char *got = malloc(n + 1);
	struct stat st;
	FILE *fp;

	assert_non_null(got);
	snprintf(path, sizeof(path), "%s/%s", w->out, rel);
	if ((follow ? stat(path, &st) : lstat(path, &st)) != 0)
		fail_msg("missing: %s", rel);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, n);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(got, 1, n + 1, fp), n);
	fclose(fp);
	assert_memory_equal(got, data, n);
	free(got);
}

static void expect_file(const struct ws *w, const char *rel, const void *data, size_t n)
{
	expect_data(w, rel, data, n, false);
}

static bool exists_at(const char *dir, const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return lstat(path, &st) == 0;
}

static mode_t mode_of(const struct ws *w, const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", w->out, rel);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode;
}

static void expect_link(const struct ws *w, const char *rel, const char *target)
{
	char path[512], got[512];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", w->out, rel);
	n = readlink(path, got, sizeof(got) - 1);
	if (n < 0)
		fail_msg("not a symlink: %s", rel);
	got[n] = '\0';
	assert_string_equal(got, target);
}

/* ---- the same tree through every format and compressor ---- */

enum { BIG = 300000 };		/* several times the reader's buffer */

/* src/top: nested directories, an empty file, a big one and the long path. */
static void make_tree(const struct ws *w, const char *long_path)
{
	unsigned char *big = malloc(BIG);
	char rel[512];

	assert_non_null(big);
	fill(big, BIG, 7);
	sh(w, "mkdir -p src/top/a/b/c src/top/empty-dir");
	put(w, "src/top/a/b/c/hello.txt", "hello\n", 6);
	put(w, "src/top/empty", "", 0);
	put(w, "src/top/big.bin", big, BIG);
	if (long_path) {
		snprintf(rel, sizeof(rel), "src/%s", long_path);
		sh(w, "mkdir -p \"$(dirname '%s')\"", rel);
		put(w, rel, "long\n", 5);
	}
	free(big);
}

static void check_tree(struct ws *w, const char *archive, const char *long_path)
{
	unsigned char *big = malloc(BIG);
	struct mmt_tar_stats st;
	struct mmt_err err;

	assert_non_null(big);
	fill(big, BIG, 7);
	fresh_out(w);
	if (extract(w, archive, &st, &err) != 0)
		fail_msg("%s: %s", archive, err.msg);
	expect_file(w, "top/a/b/c/hello.txt", "hello\n", 6);
	expect_file(w, "top/empty", "", 0);
	expect_file(w, "top/big.bin", big, BIG);
	assert_true(S_ISDIR(mode_of(w, "top/empty-dir")));
	if (long_path)
		expect_file(w, long_path, "long\n", 5);
	assert_int_equal(st.files, long_path ? 4 : 3);
	assert_int_equal(st.bytes, 6 + BIG + (long_path ? 5 : 0));
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.links, 0);
	free(big);
}

static void test_pax(void **state)
{
	struct ws *w = *state;

	make_tree(w, LONG_PATH);
	sh(w, "tar --format=pax -cf t.tar -C src top");
	check_tree(w, "t.tar", LONG_PATH);
}

static void test_gnu(void **state)
{
	struct ws *w = *state;

	make_tree(w, LONG_PATH);
	sh(w, "tar --format=gnu -cf t.tar -C src top");
	check_tree(w, "t.tar", LONG_PATH);
}

static void test_ustar(void **state)
{
	struct ws *w = *state;

	make_tree(w, USTAR_PATH);
	sh(w, "tar --format=ustar -cf t.tar -C src top");
	check_tree(w, "t.tar", USTAR_PATH);
}

static void test_v7(void **state)
{
	struct ws *w = *state;

	make_tree(w, NULL);
	sh(w, "tar --format=v7 -cf t.tar -C src top");
	check_tree(w, "t.tar", NULL);
}

/* sos writes with Python's tarfile: PAX by default, with PAX path records. */
static void test_python_pax(void **state)
{
	struct ws *w = *state;

	make_tree(w, LONG_PATH);
	sh(w, "python3 -c 'import tarfile, sys; t = tarfile.open(\"t.tar\", \"w\"); "
	   "t.add(\"src/top\", arcname=\"top\"); t.close()'");
	check_tree(w, "t.tar", LONG_PATH);
	sh(w, "gzip -k t.tar");
	check_tree(w, "t.tar.gz", LONG_PATH);
}

static void test_compressed(void **state)
{
	static const struct { const char *tool, *flag, *ext; } z[] = {
		{ "gzip", "-z", "gz" }, { "xz", "-J", "xz" },
		{ "bzip2", "-j", "bz2" }, { "zstd", "--zstd", "zst" },
	};
	struct ws *w = *state;
	char archive[32];

	make_tree(w, LONG_PATH);
	for (size_t i = 0; i < sizeof(z) / sizeof(z[0]); i++) {
		if (!have(z[i].tool)) {
			print_message("%s not installed: .tar.%s not tested\n", z[i].tool,
				      z[i].ext);
			continue;
		}
		snprintf(archive, sizeof(archive), "t.tar.%s", z[i].ext);
		sh(w, "tar --format=pax %s -cf %s -C src top", z[i].flag, archive);
		check_tree(w, archive, LONG_PATH);
	}
}

/* ---- links, filters, modes ---- */

static void test_symlinks_inside(void **state)
{
	struct ws *w = *state;
	struct mmt_tar_stats st;
	struct mmt_err err;

	sh(w, "mkdir -p src/top/sub && echo data > src/top/sub/f && cd src/top && "
	   "ln -s sub/f l && ln -s .. sub/up && ln -s ./sub/../sub//f l2 && ln -s sub d");
	sh(w, "tar --format=pax -cf t.tar -C src top");
	assert_int_equal(extract(w, "t.tar", &st, &err), 0);
	expect_link(w, "top/l", "sub/f");
	expect_link(w, "top/sub/up", "..");
	expect_link(w, "top/l2", "sub/f");	/* stored normalised */
	expect_link(w, "top/d", "sub");
	expect_data(w, "top/l", "data\n", 5, true);	/* resolves inside out/ */
	expect_data(w, "top/sub/up/sub/f", "data\n", 5, true);
	assert_int_equal(st.links, 4);
	assert_int_equal(st.files, 1);
}

struct seen {
	char names[8][64];
	uint64_t sizes[8];
	int n;
};

static bool want_logs(void *ctx, const char *name, uint64_t size)
{
	struct seen *s = ctx;
	size_t len = strlen(name);

	assert_true(s->n < 8);
	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
	s->sizes[s->n++] = size;
	return len > 4 && !strcmp(name + len - 4, ".log");
}

static int seen_index(const struct seen *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return i;
	fail_msg("want() was not asked about %s", name);
	return -1;
}

/* Names reach want() normalised, though tar stored them as "./top/...". */
static void test_want_filter(void **state)
{
	struct ws *w = *state;
	struct mmt_tar_stats st;
	struct seen s = { .n = 0 };
	struct mmt_err err;

	sh(w, "mkdir -p src/top/var/log && printf 'kernel: oops\\n' > src/top/var/log/k.log && "
	   "printf 'abc' > src/top/notes.txt && printf 'xy' > src/top/var/data && "
	   "ln src/top/var/log/k.log src/top/hard.log && ln -s notes.txt src/top/sym");
	sh(w, "tar --format=pax -cf t.tar -C src .");
	assert_int_equal(extract_with(w, "t.tar", want_logs, &s, &st, &err), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.sizes[seen_index(&s, "top/var/log/k.log")], 13);
	assert_int_equal(s.sizes[seen_index(&s, "top/notes.txt")], 3);
	assert_int_equal(s.sizes[seen_index(&s, "top/var/data")], 2);
	assert_int_equal(s.sizes[seen_index(&s, "top/hard.log")], 13);
	assert_int_equal(st.files, 2);	/* the log and its hard link */
	assert_int_equal(st.skipped, 2);
	assert_int_equal(st.bytes, 13);
	assert_int_equal(st.links, 1);
	expect_file(w, "top/hard.log", "kernel: oops\n", 13);
	assert_false(exists_at(w->out, "top/notes.txt"));
	assert_false(exists_at(w->out, "top/var/data"));
	assert_true(exists_at(w->out, "top/sym"));	/* dangling, but inside */
}

/* The archive's modes are not honoured: no setuid, no unreadable dirs. */
static void test_modes_devices_odd_names(void **state)
{
	struct ws *w = *state;
	struct mmt_tar_stats st;
	struct mmt_err err;

	py(w, "t.tar",
	   "f('suid', b'#!/bin/sh\\n', 0o4755)\n"
	   "d('private', 0o700)\n"
	   "f('private/key', b'k', 0o600)\n"
	   "f('x/y/z.txt', b'implicit parents')\n"
	   "special('dev/sda', tarfile.BLKTYPE)\n"
	   "special('dev/tty', tarfile.CHRTYPE)\n"
	   "special('run/fifo', tarfile.FIFOTYPE)\n"
	   "f('odd\\udcffname\\n with space', b'odd')\n"
	   "f('./dup', b'one')\n"
	   "f('dup', b'second')\n");
	if (extract(w, "t.tar", &st, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(mode_of(w, "suid") & 07777, 0644);
	assert_int_equal(mode_of(w, "private") & 07777, 0755);
	assert_int_equal(mode_of(w, "private/key") & 07777, 0644);
	assert_true(S_ISDIR(mode_of(w, "x/y")));
	expect_file(w, "x/y/z.txt", "implicit parents", 16);
	expect_file(w, "odd\xffname\n with space", "odd", 3);
	expect_file(w, "dup", "second", 6);	/* the later member wins */
	assert_false(exists_at(w->out, "dev/sda"));
	assert_false(exists_at(w->out, "dev/tty"));
	assert_false(exists_at(w->out, "run/fifo"));
	assert_int_equal(st.skipped, 3);
	assert_int_equal(st.files, 6);
}

static void test_hardlinks(void **state)
{
	struct ws *w = *state;
	struct mmt_tar_stats st;
	struct mmt_err err;
	struct stat a, b;
	char pa[256], pb[256];

	py(w, "t.tar",
	   "f('a/f', b'shared')\n"
	   "link('b/h', './a/f', tarfile.LNKTYPE)\n"
	   "link('gone', 'never/was', tarfile.LNKTYPE)\n");
	assert_int_equal(extract(w, "t.tar", &st, &err), 0);
	snprintf(pa, sizeof(pa), "%s/a/f", w->out);
	snprintf(pb, sizeof(pb), "%s/b/h", w->out);
	assert_int_equal(stat(pa, &a), 0);
	assert_int_equal(stat(pb, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(st.files, 2);
	assert_int_equal(st.bytes, 6);
	assert_int_equal(st.skipped, 1);	/* "gone": nothing to link to */
	assert_false(exists_at(w->out, "gone"));

	py(w, "out1.tar", "f('a', b'x')\nlink('h', '../../etc/passwd', tarfile.LNKTYPE)\n");
	fresh_out(w);
	expect_refusal(w, "out1.tar",
		       "member 'h': hard link to '../../etc/passwd' leaves the archive root");
	assert_false(exists_at(w->out, "h"));
	py(w, "out2.tar", "link('h', '/etc/passwd', tarfile.LNKTYPE)\n");
	fresh_out(w);
	expect_refusal(w, "out2.tar", "hard link to '/etc/passwd' leaves the archive root");
	assert_false(exists_at(w->out, "h"));
}

/* ---- hostile archives ---- */

static void test_refuse_dotdot(void **state)
{
	struct ws *w = *state;
	struct mmt_tar_stats st;
	struct mmt_err err;

	py(w, "t.tar", "f('ok', b'x')\nf('../evil', b'pwned')\n");
	expect_refusal(w, "t.tar", "member '../evil': path leaves the archive root");
	assert_false(exists_at(w->dir, "evil"));

	py(w, "t2.tar", "f('a/b/../../../evil2', b'pwned')\n");
	fresh_out(w);
	expect_refusal(w, "t2.tar", "member 'a/b/../../../evil2': path leaves the archive root");
	assert_false(exists_at(w->dir, "evil2"));

	/* ".." that stays inside is only a detour */
	py(w, "t3.tar", "f('a/../b/./c', b'fine')\n");
	fresh_out(w);
	assert_int_equal(extract(w, "t3.tar", &st, &err), 0);
	expect_file(w, "b/c", "fine", 4);
	assert_false(exists_at(w->out, "a"));
}

static void test_refuse_absolute(void **state)
{
	struct ws *w = *state;
	char body[256], msg[256];

	/* an absolute name in this test's own directory: harmless if it leaked */
	snprintf(body, sizeof(body), "f('%s/abs', b'pwned')\n", w->dir);
	py(w, "t.tar", body);
	snprintf(msg, sizeof(msg), "member '%s/abs': absolute path leaves the archive root",
		 w->dir);
	expect_refusal(w, "t.tar", msg);
	assert_false(exists_at(w->dir, "abs"));
	assert_false(exists_at(w->out, w->dir + 1));
}

static void test_refuse_symlinks_out(void **state)
{
	struct ws *w = *state;
	struct mmt_tar_stats st;
	struct mmt_err err;

	py(w, "abs.tar", "link('etc', '/etc')\n");
	expect_refusal(w, "abs.tar", "member 'etc': symlink to absolute path '/etc' leaves the archive root");
	assert_false(exists_at(w->out, "etc"));

	py(w, "up.tar", "link('a', '../../x')\n");
	fresh_out(w);
	expect_refusal(w, "up.tar", "member 'a': symlink to '../../x' leaves the archive root");
	assert_false(exists_at(w->out, "a"));

	/* depth counts from the link's own directory */
	py(w, "deep.tar", "link('d/e/l', '../../../x')\n");
	fresh_out(w);
	expect_refusal(w, "deep.tar", "member 'd/e/l': symlink to '../../../x' leaves");
	py(w, "ok.tar", "link('d/e/l', '../../x')\nlink('d/m', 'e/../../y')\n");
	fresh_out(w);
	assert_int_equal(extract(w, "ok.tar", &st, &err), 0);
	expect_link(w, "d/e/l", "../../x");
	expect_link(w, "d/m", "../y");
	assert_int_equal(st.links, 2);
}

/* An in-root link to a directory must not become a way to write elsewhere. */
static void test_no_write_through_symlink(void **state)
{
	struct ws *w = *state;
	struct mmt_tar_stats st;
	struct mmt_err err;

	py(w, "t.tar", "d('sub')\nlink('d', 'sub')\nf('d/f', b'through')\n");
	expect_refusal(w, "t.tar", "member 'd/f': 'd' is a symlink; refusing to write through it");
	assert_false(exists_at(w->out, "sub/f"));

	/* a/up -> .. is inside; names through it are read as written, not
	   followed: a/up/../x is a/x, and one ".." more than that leaves */
	py(w, "t2.tar", "link('a/up', '..')\nf('a/up/../x', b'x')\n"
	   "f('a/up/../../../evil', b'x')\n");
	fresh_out(w);
	expect_refusal(w, "t2.tar", "member 'a/up/../../../evil': path leaves the archive root");
	expect_file(w, "a/x", "x", 1);
	assert_false(exists_at(w->out, "x"));
	assert_false(exists_at(w->dir, "evil"));

	/* a file of a link's name replaces the link, and writes nothing through it */
	py(w, "t3.tar", "f('sub/f', b'original')\nlink('l', 'sub/f')\nf('l', b'replaced')\n");
	fresh_out(w);
	assert_int_equal(extract(w, "t3.tar", &st, &err), 0);
	expect_file(w, "l", "replaced", 8);
	expect_file(w, "sub/f", "original", 8);

	/* nor may a hard link reach through one */
	py(w, "t4.tar", "f('sub/f', b'x')\nlink('d', 'sub')\nlink('h', 'd/f', tarfile.LNKTYPE)\n");
	fresh_out(w);
	expect_refusal(w, "t4.tar", "member 'h': 'd' is a symlink");
}

/* ---- damaged input ---- */

static void test_truncated(void **state)
{
	static unsigned char k[1000];
	struct ws *w = *state;
	struct mmt_tar_stats st;
	struct mmt_err err;

	make_tree(w, NULL);
	sh(w, "tar --format=pax -cf t.tar -C src top/big.bin && cp t.tar cut.tar && "
	   "truncate -s 150000 cut.tar");
	expect_refusal(w, "cut.tar", "truncated at byte 150000");

	/* cut on a block boundary: no end-of-archive marker */
	fill(k, sizeof(k), 3);
	put(w, "k", k, sizeof(k));
	sh(w, "tar --format=ustar -cf one.tar k && truncate -s 1536 one.tar");
	fresh_out(w);
	expect_refusal(w, "one.tar", "truncated at byte 1536");
	expect_file(w, "k", k, sizeof(k));	/* partial output stays */

	sh(w, "gzip -k t.tar && head -c 100000 t.tar.gz > cut.tar.gz");
	fresh_out(w);
	assert_int_equal(extract(w, "cut.tar.gz", &st, &err), -1);
	assert_non_null(strstr(err.msg, "truncated at byte "));
	assert_non_null(strstr(err.msg, "(gzip -dc: "));	/* gzip's own complaint */

	put(w, "empty.tar", "", 0);
	expect_refusal(w, "empty.tar", "truncated at byte 0");
}

static void test_corrupt(void **state)
{
	static unsigned char k[1000];
	struct ws *w = *state;
	struct mmt_tar_stats st;
	struct mmt_err err;
	char text[2000];

	fill(k, sizeof(k), 5);
	put(w, "k1", k, sizeof(k));
	put(w, "k2", "second", 6);
	/* the second header starts at 512 + 1024; spoil a byte of its name */
	sh(w, "tar --format=ustar -cf t.tar k1 k2 && printf 'X' | "
	   "dd of=t.tar bs=1 seek=1537 conv=notrunc status=none");
	expect_refusal(w, "t.tar", "bad header checksum at byte 1536");
	expect_file(w, "k1", k, sizeof(k));

	memset(text, 'a', sizeof(text));
	memcpy(text, "this is not a tar archive\n", 26);
	put(w, "garbage.tar", text, sizeof(text));
	fresh_out(w);
	expect_refusal(w, "garbage.tar", "not a tar archive: bad header checksum at byte 0");

	/* gzip magic, then junk: gzip refuses it */
	put(w, "junk.tar.gz", "\x1f\x8b junk junk junk junk junk", 28);
	assert_int_equal(extract(w, "junk.tar.gz", &st, &err), -1);
	assert_non_null(strstr(err.msg, "gzip"));

	if (!have("xz"))
		return;
	/*
	 * A damaged xz check: the tar inside reads to its end, then xz fails.
	 * The byte is complemented, not overwritten: the check depends on the
	 * archive's mtime and could already hold any fixed byte.
	 */
	sh(w, "tar --format=ustar --mtime=@0 -cf good.tar k1 && xz -k good.tar"
	   " && cp good.tar.xz bad2.tar.xz && at=$(( $(stat -c %%s good.tar.xz) - 30 ))"
	   " && b=$(od -An -tu1 -j $at -N1 good.tar.xz)"
	   " && printf \"\\$(printf %%o $(( b ^ 255 )))\""
	   " | dd of=bad2.tar.xz bs=1 seek=$at conv=notrunc status=none"
	   " && ! cmp -s good.tar.xz bad2.tar.xz");
	fresh_out(w);
	assert_int_equal(extract(w, "bad2.tar.xz", &st, &err), -1);
	assert_non_null(strstr(err.msg, "xz -dc failed: "));
	assert_non_null(strstr(err.msg, "orrupt"));
}

static void test_missing_decompressor(void **state)
{
	struct ws *w = *state;
	struct mmt_tar_stats st;
	struct mmt_err err;
	char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char empty[128];
	int rc;

	/* a .tar.xz made by hand: xz itself need not be here */
	put(w, "t.tar.xz", "\xfd" "7zXZ\0 and the rest of the stream", 33);
	snprintf(empty, sizeof(empty), "%s/no-tools", w->dir);
	assert_int_equal(mkdir(empty, 0755), 0);
	setenv("PATH", empty, 1);
	rc = extract(w, "t.tar.xz", &st, &err);
	if (path)
		setenv("PATH", path, 1);
	free(path);
	assert_int_equal(rc, -1);
	assert_string_equal(err.msg,
			    "xz-compressed archive, but 'xz' is not installed (Debian package xz-utils)");
}

/* ---- fields that tools rarely write ---- */

static void octal(unsigned char *f, size_t n, uint64_t v)
{
	snprintf((char *)f, n, "%0*llo", (int)n - 1, (unsigned long long)v);
}

static void seal(unsigned char *h)
{
	unsigned sum = 0;

	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

/* A v7 header with a base-256 size; a ustar one whose size and name come
   from a PAX record before it. */
static void test_handmade_headers(void **state)
{
	struct ws *w = *state;
	static unsigned char t[512 * 8];
	static const char pax[] = "10 size=5\n26 path=from-pax/name.txt\n";
	struct mmt_tar_stats st;
	struct mmt_err err;
	unsigned char *h = t;

	memset(t, 0, sizeof(t));
	strcpy((char *)h, "v7-file");
	octal(h + 100, 8, 0644);
	h[124] = 0x80;
	h[135] = 7;
	h[156] = '0';
	seal(h);
	memcpy(h + 512, "seven!\n", 7);
	h += 1024;
	strcpy((char *)h, "PaxHeader");
	octal(h + 124, 12, strlen(pax));
	h[156] = 'x';
	memcpy(h + 257, "ustar\0" "00", 8);
	seal(h);
	memcpy(h + 512, pax, strlen(pax));
	h += 1024;
	strcpy((char *)h, "ustar-name-ignored");
	octal(h + 124, 12, 0);
	h[156] = '0';
	memcpy(h + 257, "ustar\0" "00", 8);
	seal(h);
	memcpy(h + 512, "fives", 5);
	put(w, "hand.tar", t, sizeof(t));
	assert_true(mmt_tar_sniff((const char *)t, 512));
	if (extract(w, "hand.tar", &st, &err) != 0)
		fail_msg("%s", err.msg);
	expect_file(w, "v7-file", "seven!\n", 7);
	expect_file(w, "from-pax/name.txt", "fives", 5);
	assert_false(exists_at(w->out, "ustar-name-ignored"));
	assert_int_equal(st.files, 2);
	assert_int_equal(st.bytes, 12);
}

static void test_sniff(void **state)
{
	struct ws *w = *state;
	char head[512], zeros[512] = { 0 };
	FILE *fp;
	char path[128];

	put(w, "k", "data", 4);
	sh(w, "tar --format=gnu -cf t.tar k");
	snprintf(path, sizeof(path), "%s/t.tar", w->dir);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(head, 1, sizeof(head), fp), sizeof(head));
	fclose(fp);
	assert_true(mmt_tar_sniff(head, 512));
	assert_true(mmt_tar_sniff(head, 262));
	assert_false(mmt_tar_sniff(head, 100));
	assert_true(mmt_tar_sniff("\x1f\x8b\x08\x00", 4));
	assert_true(mmt_tar_sniff("\xfd" "7zXZ\0", 6));
	assert_true(mmt_tar_sniff("BZh91AY", 7));
	assert_true(mmt_tar_sniff("\x28\xb5\x2f\xfd", 4));
	assert_false(mmt_tar_sniff("[    0.000000] Linux version", 28));
	assert_false(mmt_tar_sniff(zeros, sizeof(zeros)));
	head[10] ^= 1;		/* checksum now wrong, but "ustar" still there */
	assert_true(mmt_tar_sniff(head, 512));
	memset(head + 257, 0, 8);
	assert_false(mmt_tar_sniff(head, 512));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pax),
		T(test_gnu),
		T(test_ustar),
		T(test_v7),
		T(test_python_pax),
		T(test_compressed),
		T(test_symlinks_inside),
		T(test_want_filter),
		T(test_modes_devices_odd_names),
		T(test_hardlinks),
		T(test_refuse_dotdot),
		T(test_refuse_absolute),
		T(test_refuse_symlinks_out),
		T(test_no_write_through_symlink),
		T(test_truncated),
		T(test_corrupt),
		T(test_missing_decompressor),
		T(test_handmade_headers),
		T(test_sniff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
