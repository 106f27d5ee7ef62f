/*
 * Tests of what `mmtriage record` samples besides the trace
 * (cmd/record/snap.h): the /proc series on this machine's /proc and on a
 * made-up proc root, the /sys/kernel/slab copy against the live directory,
 * the committed excerpt and the recipes' own copy (common.sh), the kernel
 * log on the live /dev/kmsg and on a packet pipe that hands out records as
 * /dev/kmsg does, and a capture directory of all three ingested as a tree.
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
#include <time.h>
#include <unistd.h>

#include "cmd/record/snap.h"
#include "core/store.h"
#include "parsers/ingest.h"
#include "parsers/tree.h"

#include "klog_fixture.h"

/* Walls exactly representable, so that their time lines are known. */
static const double walls[] = { 1795300000.5, 1795300001.25, 1795300002.0 };
static const char *const wall_lines[] = {
	"1795300000.500000000", "1795300001.250000000", "1795300002.000000000",
};
#define NWALLS 3

static void make_temp(char *dir, size_t n)
{
	snprintf(dir, n, "/tmp/mmt-record-snap-XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void remove_temp(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static char *slurp_in(const char *dir, const char *rel, size_t *len)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return kfx_slurp(path, len);
}

static off_t size_of(const char *dir, const char *rel)
{
	char path[4200];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return lstat(path, &sb) == 0 ? sb.st_size : -1;
}

/* The lines of buf that are time lines, in order; each must be wall_lines[i]. */
static int expect_time_lines(const char *buf, const char *rel)
{
	int n = 0;

	for (const char *p = buf; *p; p = strchr(p, '\n') + 1) {
		size_t len = strcspn(p, "\n");

		if (len == 20 && p[10] == '.' && strspn(p, "0123456789.") == 20) {
			if (n >= NWALLS || strncmp(p, wall_lines[n], len))
				fail_msg("%s: time line %d is '%.*s'", rel, n, (int)len, p);
			n++;
		}
		if (!p[len])
			break;
	}
	return n;
}

/* ---- /proc series -------------------------------------------------------- */

static struct rec_snap *take_samples(const char *dir, const char *proc_root)
{
	struct mmt_err err = { 0 };
	struct rec_snap *s = rec_snap_open(dir, proc_root, &err);

	if (!s)
		fail_msg("rec_snap_open: %s", err.msg);
	for (int i = 0; i < NWALLS; i++)
		if (rec_snap_take(s, walls[i], &err) < 0)
			fail_msg("rec_snap_take: %s", err.msg);
	assert_int_equal(rec_snap_samples(s), NWALLS);
	return s;
}

/* Every sample of meminfo holds MemTotal right after its time line. */
static void expect_meminfo_samples(const char *dir)
{
	size_t len;
	char *buf = slurp_in(dir, "proc/meminfo", &len), *p = buf;

	assert_int_equal(expect_time_lines(buf, "proc/meminfo"), NWALLS);
	for (int i = 0; i < NWALLS; i++) {
		p = strstr(p, wall_lines[i]);
		assert_non_null(p);
		p += strlen(wall_lines[i]);
		assert_int_equal(strncmp(p, "\nMemTotal:", 10), 0);
	}
	free(buf);
}

/*
 * This machine's /proc: every series file that /proc has is sampled three
 * times, and the bytes counted are the files' sizes.
 */
static void test_snap_live(void **state)
{
	static const char *const series[] = {
		"meminfo", "vmstat", "zoneinfo", "buddyinfo", "pagetypeinfo", "slabinfo",
		"interrupts", "swaps", "pressure/memory", "pressure/io", "pressure/cpu",
		"pressure/irq",
	};
	char dir[64], proc[64];
	struct rec_snap *s;
	uint64_t total = 0;

	make_temp(dir, sizeof(dir));
	s = take_samples(dir, "/proc");
	for (size_t i = 0; i < sizeof(series) / sizeof(series[0]); i++) {
		size_t len;
		char *buf;

		snprintf(proc, sizeof(proc), "/proc/%s", series[i]);
		if (access(proc, R_OK) < 0) {
			assert_int_equal(size_of(dir, proc + 1), -1);
			continue;
		}
		buf = slurp_in(dir, proc + 1, &len);
		assert_int_equal(expect_time_lines(buf, proc), NWALLS);
		total += len;
		free(buf);
	}
	expect_meminfo_samples(dir);
	assert_int_equal(rec_snap_bytes(s), total);
	/* root reads them all; a kernel without the irq PSI file is not named */
	if (access("/proc/slabinfo", R_OK) == 0 && access("/proc/pressure", F_OK) == 0)
		assert_null(rec_snap_unreadable(s, 0));
	rec_snap_close(s);
	remove_temp(dir);
}

/* A made-up proc root: meminfo, a 1 MiB interrupts, slabinfo a directory. */
static void make_proc_root(const char *root, char **big, size_t *big_len)
{
	char path[256];
	size_t n = 0;

	*big_len = 1 << 20;
	*big = malloc(*big_len + 1);
	assert_non_null(*big);
	n += (size_t)sprintf(*big, "           CPU0       CPU1\n");
	while (n < *big_len - 64)
		n += (size_t)sprintf(*big + n, "%4zu:  %9zu  %9zu  IR-PCI-MSI  edge  x\n",
				     n % 10000, n, n / 3);
	*big_len = n;
	snprintf(path, sizeof(path), "%s/meminfo", root);
	write_file(path, "MemTotal:       24683656 kB\n", 28);
	snprintf(path, sizeof(path), "%s/interrupts", root);
	write_file(path, *big, *big_len);
	snprintf(path, sizeof(path), "%s/slabinfo", root);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void expect_unreadable(struct rec_snap *s, const char *const *want)
{
	size_t i = 0;

	for (; want[i]; i++) {
		const char *got = rec_snap_unreadable(s, i);

		if (!got || strcmp(got, want[i]))
			fail_msg("unreadable %zu is '%s', expected '%s'", i, got ? got : "NULL",
				 want[i]);
	}
	assert_null(rec_snap_unreadable(s, i));
}

/*
 * Files are copied byte for byte after their time line, a file larger than
 * the first buffer too; missing files, a file that fails to read and a
 * kernel without PSI are named, and only readable files get a series.
 */
static void test_snap_made_up_root(void **state)
{
	char dir[64], root[128], want[64];
	char *big, *buf;
	size_t big_len, len;
	struct rec_snap *s;

	make_temp(dir, sizeof(dir));
	snprintf(root, sizeof(root), "%s/fakeproc", dir);
	assert_int_equal(mkdir(root, 0755), 0);
	make_proc_root(root, &big, &big_len);
	s = take_samples(dir, root);
	expect_unreadable(s, (const char *const[]){
		"proc/vmstat: No such file or directory",
		"proc/zoneinfo: No such file or directory",
		"proc/buddyinfo: No such file or directory",
		"proc/pagetypeinfo: No such file or directory",
		"proc/swaps: No such file or directory",
		"proc/pressure: No such file or directory",
		"proc/slabinfo: Is a directory", NULL });
	buf = slurp_in(dir, "proc/meminfo", &len);
	assert_string_equal(buf, "1795300000.500000000\nMemTotal:       24683656 kB\n"
			    "1795300001.250000000\nMemTotal:       24683656 kB\n"
			    "1795300002.000000000\nMemTotal:       24683656 kB\n");
	free(buf);
	buf = slurp_in(dir, "proc/interrupts", &len);
	assert_int_equal(len, NWALLS * (21 + big_len));
	for (int i = 0; i < NWALLS; i++) {
		const char *at = buf + (size_t)i * (21 + big_len);

		snprintf(want, sizeof(want), "%s\n", wall_lines[i]);
		assert_memory_equal(at, want, 21);
		assert_memory_equal(at + 21, big, big_len);
	}
	assert_int_equal(rec_snap_bytes(s), len + 3 * 49);
	assert_int_equal(size_of(dir, "proc/slabinfo"), 0);
	assert_int_equal(size_of(dir, "proc/vmstat"), -1);
	assert_int_equal(size_of(dir, "proc/pressure"), -1);
	rec_snap_close(s);
	free(buf);
	free(big);
	remove_temp(dir);
}

/* A proc root that is not there: every file named, samples still counted. */
static void test_snap_missing_root(void **state)
{
	char dir[64];
	struct rec_snap *s;
	size_t n = 0;

	make_temp(dir, sizeof(dir));
	s = take_samples(dir, "/nonexistent/proc");
	while (rec_snap_unreadable(s, n)) {
		assert_non_null(strstr(rec_snap_unreadable(s, n), "No such file or directory"));
		n++;
	}
	assert_int_equal(n, 9);	/* eight files and the PSI directory */
	assert_string_equal(rec_snap_unreadable(s, 8), "proc/pressure: No such file or directory");
	assert_int_equal(rec_snap_bytes(s), 0);
	assert_int_equal(size_of(dir, "proc/meminfo"), -1);
	rec_snap_close(s);
	remove_temp(dir);
}

/* A series file on a full disk (/dev/full): an error that names it. */
static void test_snap_write_error(void **state)
{
	struct mmt_err err = { 0 };
	char dir[64], path[128], want[160];
	struct rec_snap *s;

	make_temp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/proc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/meminfo", dir);
	assert_int_equal(symlink("/dev/full", path), 0);
	s = rec_snap_open(dir, "/proc", &err);
	assert_non_null(s);
	assert_int_equal(rec_snap_take(s, walls[0], &err), -1);
	snprintf(want, sizeof(want), "%s: cannot write: No space left on device", path);
	assert_string_equal(err.msg, want);
	assert_int_equal(rec_snap_samples(s), 0);
	rec_snap_close(s);
	remove_temp(dir);
}

/* ---- /sys/kernel/slab ------------------------------------------------------ */

static void copy_slab(const char *dir, const char *sys_root, uint64_t *bytes)
{
	struct mmt_err err = { 0 };

	if (rec_copy_slab(dir, sys_root, bytes, &err) < 0)
		fail_msg("rec_copy_slab: %s", err.msg);
}

/* A sysfs attribute: its size is not what stat says, so read to the end. */
static size_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t got;

	if (fd < 0)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	while (len < cap && (got = read(fd, buf + len, cap - len)) > 0)
		len += (size_t)got;
	close(fd);
	return len;
}

/* Whether two files hold the same bytes; adds the second's size to *total. */
static bool same_file(const char *a, const char *b, uint64_t *total)
{
	static char x[1 << 16], y[1 << 16];
	size_t na = read_small(a, x, sizeof(x)), nb = read_small(b, y, sizeof(y));

	*total += nb;
	return na == nb && !memcmp(x, y, na);
}

/*
 * The copy of src (a sysfs directory or a copy) at copy: the same names,
 * each symlink with the same target text, each directory with the
 * attributes src lets read, equal byte for byte (the counts too when
 * counts_too: src does not change); returns the bytes of the copy.
 */
static uint64_t expect_same_tree(const char *src, const char *copy, bool counts_too)
{
	static const char *const attrs[] = {
		"object_size", "slab_size", "order", "objects", "slabs", "aliases",
		"reclaim_account", "ctor", "align",
	};
	DIR *d = opendir(src);
	struct dirent *de;
	uint64_t total = 0;
	char a[4200], b[4200], ta[256], tb[256];

	assert_non_null(d);
	while ((de = readdir(d))) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(a, sizeof(a), "%s/%s", src, de->d_name);
		snprintf(b, sizeof(b), "%s/%s", copy, de->d_name);
		if ((n = readlink(a, ta, sizeof(ta))) >= 0) {
			assert_int_equal(readlink(b, tb, sizeof(tb)), n);
			assert_memory_equal(ta, tb, (size_t)n);
			total += (uint64_t)n;
			continue;
		}
		for (size_t i = 0; i < 9; i++) {
			/* objects, slabs and aliases change between readings */
			bool varies = i == 3 || i == 4 || i == 5;

			snprintf(a, sizeof(a), "%s/%s/%s", src, de->d_name, attrs[i]);
			snprintf(b, sizeof(b), "%s/%s/%s", copy, de->d_name, attrs[i]);
			if (access(a, R_OK) < 0)
				continue;
			if (!same_file(a, b, &total) && (counts_too || !varies))
				fail_msg("%s differs from %s", b, a);
		}
	}
	closedir(d);
	return total;
}

static void expect_entries(const char *dir, int64_t want)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int64_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' || (de->d_name[1] && de->d_name[1] != '.');
	closedir(d);
	assert_int_equal(n, want);
}

/*
 * The committed excerpt (five caches, five aliases) copied twice: the
 * second replaces the first (a cache only in the old copy is gone), no
 * scratch directory stays, and the bytes are those of the copy.
 */
static void test_copy_slab_excerpt(void **state)
{
	char dir[64], src[4096], copy[128], stale[160];
	uint64_t bytes = 0, once;

	kfx_data_path(src, sizeof(src), "slab", "sys-kernel-slab");
	make_temp(dir, sizeof(dir));
	snprintf(copy, sizeof(copy), "%s/sys/kernel/slab", dir);
	copy_slab(dir, src, &bytes);
	once = expect_same_tree(src, copy, true);
	assert_int_equal(bytes, once);
	expect_entries(copy, 10);
	snprintf(stale, sizeof(stale), "%s/gone_cache", copy);
	assert_int_equal(mkdir(stale, 0755), 0);
	snprintf(stale, sizeof(stale), "%s/sys/kernel/.slab.tmp", dir);
	assert_int_equal(mkdir(stale, 0755), 0);	/* left by a copy cut short */
	copy_slab(dir, src, &bytes);
	assert_int_equal(bytes, 2 * once);
	expect_entries(copy, 10);
	snprintf(stale, sizeof(stale), "%s/sys/kernel", dir);
	expect_entries(stale, 1);
	remove_temp(dir);
}

/* A sys_root that is not there fails, naming it, and leaves nothing behind. */
static void test_copy_slab_missing(void **state)
{
	struct mmt_err err = { 0 };
	char dir[64], kernel[128];
	uint64_t bytes = 7;

	make_temp(dir, sizeof(dir));
	assert_int_equal(rec_copy_slab(dir, "/nonexistent/slab", &bytes, &err), -1);
	assert_string_equal(err.msg, "/nonexistent/slab: cannot open: No such file or directory");
	assert_int_equal(bytes, 7);
	snprintf(kernel, sizeof(kernel), "%s/sys/kernel", dir);
	expect_entries(kernel, 0);
	remove_temp(dir);
}

static bool live_slab_readable(void)
{
	int fd = open("/sys/kernel/slab/kmalloc-64/object_size", O_RDONLY);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The live directory, copied twice: every name and link as the kernel has it. */
static void test_copy_slab_live(void **state)
{
	char dir[64], copy[128];
	uint64_t bytes = 0;

	if (!live_slab_readable())
		skip();
	make_temp(dir, sizeof(dir));
	snprintf(copy, sizeof(copy), "%s/sys/kernel/slab", dir);
	copy_slab(dir, "/sys/kernel/slab", &bytes);
	copy_slab(dir, "/sys/kernel/slab", &bytes);
	assert_true(bytes > 0);
	expect_same_tree("/sys/kernel/slab", copy, false);
	remove_temp(dir);
}

static void ingest_slab_dir(struct kfx *fx, const char *dir)
{
	struct mmt_ingest_opts o = { 0 };
	struct mmt_ingest_result r;
	struct mmt_err err = { 0 };

	kfx_open(fx);
	mmt_ingest_slab_dir(fx->st, dir, dir, &o, &r, &err);
	if (r.status != MMT_INGESTED)
		fail_msg("%s: not ingested: %s", dir, err.msg);
}

/* What mmtriage reads of a copy: its aliases, and the caches' static attributes. */
static const char sql_slab_reading[] =
	"SELECT (SELECT group_concat(alias || '>' || cache, ' ') FROM "
	"(SELECT * FROM slab_aliases ORDER BY alias)) || ' | ' || "
	"(SELECT group_concat(cache || ':' || ifnull(object_size, '-') || ',' || "
	"ifnull(slab_size, '-') || ',' || ifnull(\"order\", '-') || ',' || "
	"ifnull(reclaim_account, '-') || ',' || ifnull(ctor, '-') || ',' || "
	"ifnull(align, '-'), ' ') FROM (SELECT * FROM slab_attrs ORDER BY cache))";

/*
 * The copy of the recipes (samples/recipes/common.sh mmt_copy_sys_slab),
 * which made the committed captures, and this one read the same.
 */
static void test_copy_slab_like_recipes(void **state)
{
	char dir[64], cmd[4600], mine[128], theirs[128];
	static char a[1 << 16], b[1 << 16];
	struct kfx fa, fb;
	uint64_t bytes = 0;

	if (!live_slab_readable())
		skip();
	make_temp(dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd), "bash -c '. \"%s/samples/recipes/common.sh\" && "
		 "mmt_copy_sys_slab \"$0\"' '%s/recipes'", kfx_source_dir(), dir);
	assert_int_equal(system(cmd), 0);
	copy_slab(dir, "/sys/kernel/slab", &bytes);
	snprintf(mine, sizeof(mine), "%s/sys/kernel/slab", dir);
	snprintf(theirs, sizeof(theirs), "%s/recipes/sys/kernel/slab", dir);
	ingest_slab_dir(&fa, mine);
	ingest_slab_dir(&fb, theirs);
	kfx_qtext(&fa, a, sizeof(a), "%s", sql_slab_reading);
	kfx_qtext(&fb, b, sizeof(b), "%s", sql_slab_reading);
	assert_true(strlen(a) > 1000);
	assert_string_equal(a, b);
	assert_int_equal(kfx_count_rows(&fa, "slab_aliases"), kfx_count_rows(&fb, "slab_aliases"));
	kfx_close(&fa);
	kfx_close(&fb);
	remove_temp(dir);
}

/* ---- the kernel log ---------------------------------------------------------- */

/*
 * A pipe in packet mode hands out one write per read, as /dev/kmsg hands
 * out one record: its path in /proc/self/fd opens its reading end.
 */
static int packet_pipe(char *path, size_t n, int *wfd)
{
	int p[2];

	assert_int_equal(pipe2(p, O_DIRECT), 0);
	snprintf(path, n, "/proc/self/fd/%d", p[0]);
	*wfd = p[1];
	return p[0];
}

static void put_record(int wfd, const char *rec)
{
	assert_int_equal(write(wfd, rec, strlen(rec)), (ssize_t)strlen(rec));
}

static struct rec_kmsg *open_kmsg(const char *dir, const char *path)
{
	struct mmt_err err = { 0 };
	struct rec_kmsg *k = rec_kmsg_open(dir, path, &err);

	if (!k)
		fail_msg("rec_kmsg_open: %s", err.msg);
	return k;
}

static long pump(struct rec_kmsg *k)
{
	struct mmt_err err = { 0 };
	long n = rec_kmsg_pump(k, &err);

	if (n < 0)
		fail_msg("rec_kmsg_pump: %s", err.msg);
	return n;
}

/*
 * Records as read, continuation lines with their record; the jump from
 * SEQ 6 to 10 is three records lost; an empty ring ends a pump.
 */
static void test_kmsg_records(void **state)
{
	static const char *const recs[] = {
		"6,5,1000,-;first\n",
		"3,6,2000,-;sd 0:0:0:0: [sda] error\n SUBSYSTEM=scsi\n DEVICE=+scsi:0:0:0:0\n",
		"4,10,3000,c;after the gap\n",
	};
	char dir[64], path[64], *buf;
	size_t len;
	int wfd, rfd;
	struct rec_kmsg *k;

	make_temp(dir, sizeof(dir));
	rfd = packet_pipe(path, sizeof(path), &wfd);
	k = open_kmsg(dir, path);
	assert_int_equal(pump(k), 0);
	for (int i = 0; i < 3; i++)
		put_record(wfd, recs[i]);
	assert_int_equal(pump(k), 3);
	assert_int_equal(pump(k), 0);
	put_record(wfd, "6,11,4000,-;next\n");
	assert_int_equal(pump(k), 1);
	assert_int_equal(rec_kmsg_records(k), 4);
	assert_int_equal(rec_kmsg_lost(k), 3);
	buf = slurp_in(dir, "kmsg.txt", &len);
	assert_string_equal(buf, "6,5,1000,-;first\n3,6,2000,-;sd 0:0:0:0: [sda] error\n"
			    " SUBSYSTEM=scsi\n DEVICE=+scsi:0:0:0:0\n4,10,3000,c;after the gap\n"
			    "6,11,4000,-;next\n");
	assert_int_equal(rec_kmsg_bytes(k), len);
	rec_kmsg_close(k);
	close(wfd);
	close(rfd);
	free(buf);
	remove_temp(dir);
}

/* kmsg.txt on a full disk: the pump fails, naming it. */
static void test_kmsg_write_error(void **state)
{
	struct mmt_err err = { 0 };
	char dir[64], path[64], out[128], want[200];
	int wfd, rfd;
	struct rec_kmsg *k;

	make_temp(dir, sizeof(dir));
	snprintf(out, sizeof(out), "%s/kmsg.txt", dir);
	assert_int_equal(symlink("/dev/full", out), 0);
	rfd = packet_pipe(path, sizeof(path), &wfd);
	k = open_kmsg(dir, path);
	put_record(wfd, "6,5,1000,-;first\n");
	assert_int_equal(rec_kmsg_pump(k, &err), -1);
	snprintf(want, sizeof(want), "%s: cannot write: No space left on device", out);
	assert_string_equal(err.msg, want);
	assert_int_equal(rec_kmsg_bytes(k), 0);
	rec_kmsg_close(k);
	close(wfd);
	close(rfd);
	remove_temp(dir);
}

/* "PRI,SEQ,USEC,FLAGS;": the SEQ, or -1 when the line is not a record's first. */
static long long record_seq(const char *line)
{
	unsigned pri;
	long long seq;
	unsigned long long usec;
	int end = 0;

	if (sscanf(line, "%u,%lld,%llu,%*[^;];%n", &pri, &seq, &usec, &end) != 3 || !end)
		return -1;
	return seq;
}

/* Every line of kmsg.txt a record or its continuation; the SEQ jumps are the loss. */
static void expect_records(const char *buf, uint64_t records, uint64_t lost)
{
	long long prev = -1, seq;
	uint64_t n = 0, gaps = 0;

	for (const char *p = buf; *p; p = strchr(p, '\n') + 1) {
		if (*p == ' ')
			continue;
		seq = record_seq(p);
		if (seq < 0)
			fail_msg("not a /dev/kmsg record: %.80s", p);
		if (prev >= 0) {
			assert_true(seq > prev);
			gaps += (uint64_t)(seq - prev - 1);
		}
		prev = seq;
		n++;
	}
	assert_int_equal(n, records);
	assert_int_equal(gaps, lost);
}

/*
 * The live /dev/kmsg: the ring as it was into kmsg-before.txt, then a
 * record this test writes, found once in kmsg.txt; ingested, kmsg.txt is read as /dev/kmsg records.
 */
static void test_kmsg_live(void **state)
{
	char dir[64], marker[96], line[100], path[128], *buf;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	struct rec_kmsg *k;
	struct kfx fx;
	size_t len;
	int64_t src;

	if (fd < 0)
		skip();
	close(fd);
	make_temp(dir, sizeof(dir));
	k = open_kmsg(dir, "/dev/kmsg");
	/* What the ring held is kept apart, in kmsg-before.txt. */
	buf = slurp_in(dir, "kmsg-before.txt", &len);
	assert_true(len > 0);
	assert_true(record_seq(buf) >= 0);
	free(buf);
	assert_true(pump(k) >= 0);
	snprintf(marker, sizeof(marker), "mmtriage-test %ld.%ld", (long)getpid(), (long)time(NULL));
	/* with its newline: a record without one stays open for more text, unread */
	fd = open("/dev/kmsg", O_WRONLY);
	assert_true(fd >= 0);
	snprintf(line, sizeof(line), "%s\n", marker);
	assert_int_equal(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	close(fd);
	assert_true(pump(k) >= 1);
	buf = slurp_in(dir, "kmsg.txt", &len);
	assert_int_equal(rec_kmsg_bytes(k), len);
	expect_records(buf, rec_kmsg_records(k), rec_kmsg_lost(k));
	assert_non_null(strstr(buf, marker));
	assert_null(strstr(strstr(buf, marker) + 1, marker));
	rec_kmsg_close(k);
	snprintf(path, sizeof(path), "%s/kmsg.txt", dir);
	kfx_open(&fx);
	src = kfx_ingest_path(&fx, path);
	kfx_qtext(&fx, path, sizeof(path), "SELECT format FROM sources WHERE id = %lld",
		  (long long)src);
	assert_string_equal(path, "devkmsg");
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM log_lines WHERE text = %Q AND t > 0",
				  marker), 1);
	kfx_close(&fx);
	free(buf);
	remove_temp(dir);
}

/* ---- a capture of the three, ingested ---------------------------------------- */

static void on_file(void *ctx, const char *path, const struct mmt_ingest_result *r,
		    const struct mmt_err *err)
{
	if (r->status != MMT_INGESTED)
		fail_msg("%s: status %d: %s", path, r->status, err->msg);
	(*(int *)ctx)++;
}

/* The records of samples/hostile-comm/devkmsg.txt through the kernel log's pump. */
static void record_sample_log(const char *dir)
{
	char sample[4096], path[64], *buf, *line, *save = NULL;
	int wfd, rfd = packet_pipe(path, sizeof(path), &wfd);
	struct rec_kmsg *k = open_kmsg(dir, path);
	size_t len;

	kfx_sample_path(sample, sizeof(sample), "hostile-comm", "devkmsg.txt");
	buf = kfx_slurp(sample, &len);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char rec[1024];

		snprintf(rec, sizeof(rec), "%s\n", line);
		put_record(wfd, rec);
		if (pump(k) != 1)
			fail_msg("record not pumped: %s", rec);
	}
	assert_int_equal(rec_kmsg_records(k), 313);
	rec_kmsg_close(k);
	close(wfd);
	close(rfd);
	free(buf);
}

static int ingest_capture(struct kfx *fx, const char *dir)
{
	struct mmt_ingest_opts o = { 0 };
	struct mmt_err err = { 0 };
	int files = 0;

	kfx_open(fx);
	if (mmt_ingest_tree(fx->st, dir, &o, on_file, &files, &err) < 0)
		fail_msg("%s: %s", dir, err.msg);
	return files;
}

#define BTIME 1795294291.0
#define STARTED 1795300026.056424660
#define UPTIME 5734.25
/* Five seconds off btime: taken as measured all the same. */
#define CLOCK_OFFSET 1795294296.125

/* capture.info as the recorder writes it; without clock_offset when offset is 0. */
static void write_info(const char *dir, double offset)
{
	char path[128], text[512];
	int n = snprintf(text, sizeof(text), "format=mmtriage-capture 1\nbtime=%.0f\n"
			 "started=%.9f\nuptime_at_start=%.2f\ninterval=1\npage_size=4096\n",
			 BTIME, STARTED, UPTIME);

	if (offset > 0)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "trace_clock=local\n"
			      "clock_offset=%.9f\n", offset);
	snprintf(path, sizeof(path), "%s/capture.info", dir);
	write_file(path, text, (size_t)n);
}

static void expect_log_offset(const char *dir, double offset, double want)
{
	struct kfx fx;

	write_info(dir, offset);
	ingest_capture(&fx, dir);
	assert_true(kfx_qreal(&fx, "SELECT t_offset FROM sources WHERE kind = 'kernel_log'") ==
		    want);
	kfx_close(&fx);
}

/*
 * capture.info, kmsg.txt, a slab copy and /proc series as the recorder
 * writes them: the log is the tree's kernel log on the measured clock,
 * the aliases and the samples are there at their times; without
 * clock_offset the boot time is started - uptime_at_start as before, and
 * with one that agrees with it, clock_offset is the one taken.
 */
static void test_capture_ingest(void **state)
{
	char dir[64], slab[4096], kind[64];
	uint64_t bytes = 0;
	struct kfx fx;

	make_temp(dir, sizeof(dir));
	write_info(dir, CLOCK_OFFSET);
	record_sample_log(dir);
	kfx_data_path(slab, sizeof(slab), "slab", "sys-kernel-slab");
	copy_slab(dir, slab, &bytes);
	rec_snap_close(take_samples(dir, "/proc"));
	assert_true(ingest_capture(&fx, dir) >= 3);
	assert_int_equal(kfx_qint(&fx, "SELECT count(*) FROM tree_files WHERE role = "
				  "'kernel_log' AND path = 'kmsg.txt' AND status = 'ingested'"), 1);
	kfx_qtext(&fx, kind, sizeof(kind), "SELECT format || ' ' || clock FROM sources "
		  "WHERE kind = 'kernel_log'");
	assert_string_equal(kind, "devkmsg monotonic");
	assert_true(kfx_qreal(&fx, "SELECT t_offset FROM sources WHERE kind = 'kernel_log'") ==
		    CLOCK_OFFSET);
	assert_true(kfx_qreal(&fx, "SELECT btime FROM trees") == CLOCK_OFFSET);
	/* the first record, 12,5115,1686013610: 1686.013610 s after the offset */
	assert_int_equal(kfx_qint(&fx, "SELECT round((min(l.t + s.t_offset) - %.3f) * 1e6) "
				  "FROM log_lines l JOIN sources s ON s.id = l.source_id",
				  CLOCK_OFFSET), 1686013610);
	assert_int_equal(kfx_count_rows(&fx, "reports"), 9);
	kfx_qtext(&fx, kind, sizeof(kind), "SELECT cache FROM slab_alias WHERE alias = 'biovec-16'");
	assert_string_equal(kind, ":0000256");
	kfx_qtext(&fx, kind, sizeof(kind), "SELECT group_concat(ts, ' ') FROM "
		  "(SELECT ts FROM snapshots WHERE kind = 'meminfo' ORDER BY ts)");
	assert_string_equal(kind, "1795300000.5 1795300001.25 1795300002.0");
	kfx_close(&fx);
	expect_log_offset(dir, 0, STARTED - UPTIME);
	/* within 2 s of the derived boot time too, and still the one taken */
	expect_log_offset(dir, BTIME + 0.5, BTIME + 0.5);
	remove_temp(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snap_live),
		cmocka_unit_test(test_snap_made_up_root),
		cmocka_unit_test(test_snap_missing_root),
		cmocka_unit_test(test_snap_write_error),
		cmocka_unit_test(test_copy_slab_excerpt),
		cmocka_unit_test(test_copy_slab_missing),
		cmocka_unit_test(test_copy_slab_live),
		cmocka_unit_test(test_copy_slab_like_recipes),
		cmocka_unit_test(test_kmsg_records),
		cmocka_unit_test(test_kmsg_write_error),
		cmocka_unit_test(test_kmsg_live),
		cmocka_unit_test(test_capture_ingest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
