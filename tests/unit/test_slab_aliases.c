/*
 * Tests of the SLUB alias readers (parsers/slab_aliases.c): listings of
 * this machine's /sys/kernel/slab (`ls -l` in three styles, `find -printf`),
 * `slabinfo -a` lines made from the same directory (tests/data/slab/README.md
 * says how), the committed excerpt tests/data/slab/sys-kernel-slab, the live
 * /sys/kernel/slab when it can be read, and bad inputs derived from them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store.h"
#include "parsers/parser.h"
#include "parsers/slab_aliases.h"

#include "klog_fixture.h"

static void expect_format(struct kfx *fx, int64_t src, const char *format, int64_t records)
{
	char text[64];

	kfx_qtext(fx, text, sizeof(text), "SELECT kind || '/' || format FROM sources "
		  "WHERE id = %lld", (long long)src);
	if (strncmp(text, "slab_aliases/", 13) || strcmp(text + 13, format))
		fail_msg("source is %s, expected slab_aliases/%s", text, format);
	assert_int_equal(kfx_qint(fx, "SELECT records FROM sources WHERE id = %lld",
				  (long long)src), records);
}

static void expect_alias(struct kfx *fx, const char *alias, const char *cache)
{
	char text[256];

	kfx_qtext(fx, text, sizeof(text), "SELECT group_concat(cache) FROM slab_aliases "
		  "WHERE alias = %Q", alias);
	if (strcmp(text, cache))
		fail_msg("%s is an alias of %s, expected %s", alias, text, cache);
}

/* The merge of this machine that the brief names: three names, one cache. */
static void expect_known_merge(struct kfx *fx)
{
	expect_alias(fx, "biovec-16", ":0000256");
	expect_alias(fx, "key_jar", ":0000256");
	expect_alias(fx, "sgpool-8", ":0000256");
}

/* `ls -l /sys/kernel/slab`: 236 cache directories, 196 alias symlinks. */
static void test_ls_l(void **state)
{
	struct kfx fx;
	int64_t src = kfx_open_data(&fx, "slab", "ls-l-sys-kernel-slab-6.18.txt");

	expect_format(&fx, src, "ls -l", 432);
	assert_int_equal(kfx_count_rows(&fx, "slab_aliases"), 196);
	assert_int_equal(kfx_count_rows(&fx, "slab_attrs"), 236);
	expect_known_merge(&fx);
	/* a listing names caches only: no attribute is invented */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM slab_attrs WHERE object_size "
				  "IS NOT NULL OR aliases IS NOT NULL"), 0);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM slab_attrs WHERE cache IN "
				  "(':0000256', 'kmalloc-64', 'dentry', 'ext4_inode_cache')"), 4);
	/* every alias points at a listed cache */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM slab_aliases a WHERE NOT EXISTS "
				  "(SELECT 1 FROM slab_attrs c WHERE c.cache = a.cache)"), 0);
	kfx_close(&fx);
}

/* `ls -la --time-style=full-iso` and `ls -ln --time-style=long-iso`: the same. */
static void test_ls_time_styles(void **state)
{
	static const char *const files[] = {
		"ls-la-full-iso-sys-kernel-slab-6.18.txt",
		"ls-ln-long-iso-sys-kernel-slab-6.18.txt",
	};

	for (size_t i = 0; i < 2; i++) {
		struct kfx fx;
		int64_t src = kfx_open_data(&fx, "slab", files[i]);

		expect_format(&fx, src, "ls -l", 432);
		assert_int_equal(kfx_count_rows(&fx, "slab_aliases"), 196);
		/* "." and ".." are not caches */
		assert_int_equal(kfx_count_rows(&fx, "slab_attrs"), 236);
		assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM slab_attrs WHERE cache "
					  "LIKE '.%%'"), 0);
		expect_known_merge(&fx);
		kfx_close(&fx);
	}
}

/* The `ls -l` and `find -printf '%f -> %l\n'` listings agree pair by pair. */
static void test_find_listing(void **state)
{
	struct kfx fx;
	char path[4096];
	int64_t ls, found;

	ls = kfx_open_data(&fx, "slab", "ls-l-sys-kernel-slab-6.18.txt");
	kfx_data_path(path, sizeof(path), "slab", "find-symlinks-sys-kernel-slab-6.18.txt");
	found = kfx_ingest_path(&fx, path);
	expect_format(&fx, found, "name -> cache", 196);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM slab_aliases WHERE source_id = "
				  "%lld", (long long)found), 196);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM slab_aliases f JOIN slab_aliases l "
				  "ON l.alias = f.alias AND l.cache = f.cache "
				  "WHERE f.source_id = %lld AND l.source_id = %lld",
				  (long long)found, (long long)ls), 196);
	kfx_close(&fx);
}

/*
 * slabinfo -a lists the caches with two names or more: 141 of the 196
 * aliases; line 23 is ":0000256     <- key_jar biovec-16 sgpool-8".
 */
static void test_slabinfo_a(void **state)
{
	struct kfx fx;
	char path[4096];
	int64_t src, ls;

	src = kfx_open_data(&fx, "slab", "slabinfo-a-6.18.txt");
	expect_format(&fx, src, "slabinfo -a", 141);
	assert_int_equal(kfx_count_rows(&fx, "slab_aliases"), 141);
	assert_int_equal(kfx_count_rows(&fx, "slab_attrs"), 0);
	expect_known_merge(&fx);
	assert_int_equal(kfx_qint(&fx, "SELECT count(DISTINCT cache) FROM slab_aliases"), 42);
	kfx_data_path(path, sizeof(path), "slab", "ls-l-sys-kernel-slab-6.18.txt");
	ls = kfx_ingest_path(&fx, path);
	/* every pair is one of the directory's, and no cache of two names is missing */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM slab_aliases a JOIN slab_aliases l "
				  "ON l.alias = a.alias AND l.cache = a.cache "
				  "WHERE a.source_id = %lld AND l.source_id = %lld",
				  (long long)src, (long long)ls), 141);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM (SELECT cache FROM slab_aliases "
				  "WHERE source_id = %lld GROUP BY cache HAVING count(*) > 1)",
				  (long long)ls), 42);
	kfx_close(&fx);
}

/*
 * A file of tests/data/slab with line `line` ending at `cut` (its text from
 * there dropped) must be refused at that line with words in the message.
 */
static void expect_cut_failure(const char *file, long line, const char *cut,
			       const char *words)
{
	size_t n, b, e, at;
	char *buf = kfx_data("slab", file, &n), *hit;

	b = kfx_line_offset(buf, n, line);
	e = kfx_line_offset(buf, n, line + 1);
	buf[e - 1] = '\0';
	hit = strstr(buf + b, cut);
	if (!hit)
		fail_msg("'%s' is not on line %ld of %s", cut, line, file);
	at = (size_t)(hit - buf) + strlen(cut);
	buf[e - 1] = '\n';
	memmove(buf + at, buf + e - 1, n - (e - 1) + 1);
	kfx_expect_refused_as(NULL, "slab_aliases", buf, n - (e - 1 - at), line, words);
	free(buf);
}

/* Line 139, "... biovec-16 -> :0000256", with its target blanked or cut off. */
static void test_empty_target(void **state)
{
	expect_cut_failure("ls-l-sys-kernel-slab-6.18.txt", 139, "biovec-16 -> ",
			   "the symlink has an empty target");
	expect_cut_failure("ls-l-sys-kernel-slab-6.18.txt", 139, "biovec-16 ->",
			   "the symlink has an empty target");
	expect_cut_failure("find-symlinks-sys-kernel-slab-6.18.txt", 142, "biovec-16 ->",
			   "the symlink has an empty target");
}

/* Line 23 of slabinfo -a cut after its arrow; an ls line cut after its date. */
static void test_cut_lines(void **state)
{
	expect_cut_failure("slabinfo-a-6.18.txt", 23, "<-", "no alias after '<-'");
	expect_cut_failure("ls-l-sys-kernel-slab-6.18.txt", 139, "lrwxrwxrwx 1 root",
			   "an ls -l line cut short");
}

/* A line of another listing (a file, not a cache or alias) is refused. */
static void test_foreign_line(void **state)
{
	/* ":0000256" alone: neither "<-" nor "->" follows */
	expect_cut_failure("slabinfo-a-6.18.txt", 23, ":0000256",
			   "not a line of a /sys/kernel/slab listing");
}

/* ---- the directory ------------------------------------------------------- */

/* A store with one source row for the directory's rows to belong to. */
static int64_t open_with_source(struct kfx *fx, const char *dir)
{
	char *sql = sqlite3_mprintf("INSERT INTO sources (path, kind, sha256, size, "
				    "ingested_at) VALUES (%Q, 'slab_aliases', 'dir', 0, "
				    "'now')", dir);
	int rc;

	kfx_open(fx);
	rc = mmt_store_exec(fx->st, sql, NULL);
	sqlite3_free(sql);
	if (rc < 0)
		fail_msg("cannot insert a source");
	return kfx_qint(fx, "SELECT max(id) FROM sources");
}

static void sys_copy_path(char *out, size_t n)
{
	kfx_data_path(out, n, "slab", "sys-kernel-slab");
}

/*
 * The committed excerpt: five caches, five aliases. ext4_inode_cache/:
 * object_size 1120, slab_size 1128, order 2, objects "60253 N0=60253",
 * slabs "4305 N0=4305", aliases 0, reclaim_account 1,
 * ctor "init_once+0x0/0x80", align 8.
 */
static void test_sysfs_copy(void **state)
{
	char dir[4096];
	struct kfx fx;
	struct mmt_err err = { 0 };
	int64_t src, records = -1;

	sys_copy_path(dir, sizeof(dir));
	assert_true(mmt_slab_sysfs_dir(dir));
	src = open_with_source(&fx, dir);
	if (mmt_slab_sysfs_ingest(fx.st, dir, src, &records, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(records, 10);
	assert_int_equal(kfx_count_rows(&fx, "slab_attrs"), 5);
	assert_int_equal(kfx_count_rows(&fx, "slab_aliases"), 5);
	kfx_expect_row(&fx, "slab_attrs", kfx_qint(&fx, "SELECT rowid FROM slab_attrs WHERE "
						   "cache = 'ext4_inode_cache'"),
		       (const char *const[]){
			"source_id", "1", "object_size", "1120", "slab_size", "1128",
			"\"order\"", "2", "objects", "60253", "slabs", "4305", "aliases", "0",
			"reclaim_account", "1", "ctor", "init_once", "align", "8", NULL });
	kfx_expect_row(&fx, "slab_attrs", kfx_qint(&fx, "SELECT rowid FROM slab_attrs WHERE "
						   "cache = ':0000256'"),
		       (const char *const[]){
			"object_size", "256", "objects", "128", "slabs", "8", "aliases", "2",
			"reclaim_account", "0", "ctor", "NULL", "align", "64", NULL });
	expect_known_merge(&fx);
	expect_alias(&fx, "lsm_file_cache", ":0000024");
	/* the kernel's count: names merged into a cache, less the first */
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM slab_attrs c WHERE c.cache LIKE "
				  "':%%' AND c.aliases + 1 <> (SELECT count(*) FROM slab_aliases a "
				  "WHERE a.cache = c.cache)"), 0);
	kfx_close(&fx);
}

/* Neither a folder of listings nor /proc looks like /sys/kernel/slab. */
static void test_sysfs_dir_probe(void **state)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/tests/data/slab", kfx_source_dir());
	assert_false(mmt_slab_sysfs_dir(dir));
	assert_false(mmt_slab_sysfs_dir("/proc/self"));
	kfx_data_path(dir, sizeof(dir), "slab", "proc-slabinfo-6.18.txt");
	assert_false(mmt_slab_sysfs_dir(dir));
}

/* Counts of the directory by readdir: cache directories, symlinks. */
static void count_entries(const char *dir, int64_t *dirs, int64_t *links)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	assert_non_null(d);
	*dirs = *links = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		*dirs += de->d_type == DT_DIR;
		*links += de->d_type == DT_LNK;
	}
	closedir(d);
}

/*
 * The live directory, when it is there and readable (its attributes are
 * root's only): counts match readdir's, and the names that share a cache
 * by readlink share it in the store.
 */
static void test_sysfs_live(void **state)
{
	static const char *const merged[] = { "biovec-16", "key_jar", "sgpool-8" };
	const char *dir = "/sys/kernel/slab";
	char target[256] = "", want[256];
	struct mmt_err err = { 0 };
	int64_t src, records, dirs, links;
	struct kfx fx;
	int fd = open("/sys/kernel/slab/kmalloc-64/object_size", O_RDONLY);

	if (fd < 0)
		skip();
	close(fd);
	assert_true(mmt_slab_sysfs_dir(dir));
	src = open_with_source(&fx, dir);
	if (mmt_slab_sysfs_ingest(fx.st, dir, src, &records, &err) < 0)
		fail_msg("%s", err.msg);
	count_entries(dir, &dirs, &links);
	assert_int_equal(kfx_count_rows(&fx, "slab_attrs"), dirs);
	assert_int_equal(kfx_count_rows(&fx, "slab_aliases"), links);
	assert_int_equal(records, dirs + links);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM slab_attrs WHERE object_size IS "
				  "NULL OR objects IS NULL OR slab_size IS NULL"), 0);
	for (size_t i = 0; i < 3; i++) {
		char link[64];
		ssize_t n;

		snprintf(link, sizeof(link), "%s/%s", dir, merged[i]);
		n = readlink(link, want, sizeof(want) - 1);
		if (n < 0)
			continue;	/* not merged on this machine */
		want[n] = '\0';
		if (!target[0])
			snprintf(target, sizeof(target), "%s", want);
		assert_string_equal(want, target);
		expect_alias(&fx, merged[i], want);
	}
	kfx_close(&fx);
}

/* A temporary copy of the committed excerpt, for damaging. */
static void make_copy(char *tmp, size_t n)
{
	char src[4096], cmd[8400];

	snprintf(tmp, n, "/tmp/mmt-slab-copy-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	sys_copy_path(src, sizeof(src));
	snprintf(cmd, sizeof(cmd), "cp -a '%s/.' '%s/'", src, tmp);
	assert_int_equal(system(cmd), 0);
}

static void remove_copy(const char *tmp)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

/* Ingests dir; it must fail with words in the message. */
static void expect_sysfs_failure(const char *dir, const char *words)
{
	struct mmt_err err = { 0 };
	struct kfx fx;
	int64_t src = open_with_source(&fx, dir), records;

	assert_int_equal(mmt_slab_sysfs_ingest(fx.st, dir, src, &records, &err), -1);
	if (!strstr(err.msg, words))
		fail_msg("error '%s', expected '%s'", err.msg, words);
	assert_string_equal(err.path, dir);
	kfx_close(&fx);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* dentry/objects "63798 N0=63798" with the count grown past 64 bits. */
static void test_sysfs_overflow(void **state)
{
	char tmp[64], path[128];

	make_copy(tmp, sizeof(tmp));
	snprintf(path, sizeof(path), "%s/dentry/objects", tmp);
	write_file(path, "99999999999999999999999 N0=63798\n");
	expect_sysfs_failure(tmp, "dentry/objects: '99999999999999999999999' does not fit");
	remove_copy(tmp);
}

/* An attribute that is a symlink out of the directory is not followed. */
static void test_sysfs_no_follow(void **state)
{
	char tmp[64], path[128], outside[128];

	make_copy(tmp, sizeof(tmp));
	snprintf(outside, sizeof(outside), "%s/../%s-outside", tmp, tmp + 5);
	snprintf(path, sizeof(path), "%s/dentry/object_size", tmp);
	/* the real value, moved out of the copy and linked back */
	assert_int_equal(rename(path, outside), 0);
	assert_int_equal(symlink(outside, path), 0);
	expect_sysfs_failure(tmp, "dentry/object_size: cannot open");
	unlink(outside);
	remove_copy(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ls_l),
		cmocka_unit_test(test_ls_time_styles),
		cmocka_unit_test(test_find_listing),
		cmocka_unit_test(test_slabinfo_a),
		cmocka_unit_test(test_empty_target),
		cmocka_unit_test(test_cut_lines),
		cmocka_unit_test(test_foreign_line),
		cmocka_unit_test(test_sysfs_copy),
		cmocka_unit_test(test_sysfs_dir_probe),
		cmocka_unit_test(test_sysfs_live),
		cmocka_unit_test(test_sysfs_overflow),
		cmocka_unit_test(test_sysfs_no_follow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
