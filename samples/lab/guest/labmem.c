/*
 * labmem: the workloads of the lab's scenarios, built static on the host
 * and run in the guest (busybox has no tool that allocates memory or makes
 * a million files quickly).
 *
 * Options before the mode: -c COMM sets the process name, -o ADJ its
 * oom_score_adj (1000: the OOM killer's first choice).
 *
 *   labmem [-c COMM] hog MAX_MB STEP_MB STEP_MS FILL [HOLD_S]
 *       anonymous memory, STEP_MB every STEP_MS ms up to MAX_MB (0: no
 *       limit), every page written; FILL is "same" (each page one repeated
 *       byte: zram stores it in no memory but it still takes a swap slot)
 *       or "rand" (incompressible), with "+out" (e.g. same+out) each step
 *       is pushed to swap at once with madvise(MADV_PAGEOUT). Then holds
 *       it HOLD_S seconds (default: for ever).
 *   labmem [-c COMM] thp MB ROUNDS
 *       ROUNDS times: map MB aligned to 2 MiB, madvise(MADV_HUGEPAGE),
 *       write every page, print how much became huge pages, unmap.
 *   labmem [-c COMM] create DIR COUNT file|symlink|dir
 *       COUNT entries in DIR, 1000 to a subdirectory; symlink targets are
 *       short (stored inline in the inode).
 *   labmem [-c COMM] stat DIR COUNT ROUNDS
 *       lstat every entry create made, ROUNDS times (0: for ever).
 *   labmem [-c COMM] after SECONDS FILE VALUE
 *       sleep SECONDS, then write VALUE to FILE (e.g. 3 to
 *       /proc/sys/vm/drop_caches): an action prepared before memory runs
 *       out, which needs no fork when it is due.
 *   labmem [-c COMM] hold DIR COUNT
 *       open COUNT of those entries and keep them open for ever (their
 *       inodes and dentries stay pinned).
 *
 * Progress goes to stderr once a second, each line prefixed by the guest's
 * uptime, so that a scenario's log lines up with the trace and the kernel
 * log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)
#define PER_DIR 1000

static double uptime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One write per line, so that a line sent to /dev/kmsg is one record. */
static void say(const char *fmt, ...)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "[%.2f] labmem[%d]: ", uptime(), (int)getpid());
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(2, line, (size_t)n) < 0)
		return;
}

static void die(const char *what)
{
	say("%s: %s", what, strerror(errno));
	exit(1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A cheap generator: the pages only need to be incompressible. */
static unsigned long long rnd = 88172645463325252ULL;

static void fill_page(unsigned char *p, int random)
{
	if (!random) {
		memset(p, 0x5a, 4096);
		return;
	}
	for (size_t i = 0; i < 4096; i += 8) {
		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		memcpy(p + i, &rnd, 8);
	}
}

static int hog(int argc, char **argv)
{
	unsigned long max_mb, step_mb, done = 0;
	long step_ms, hold;
	int random, pageout;
	double last = 0;

	if (argc < 4)
		return 2;
	max_mb = strtoul(argv[0], NULL, 10);
	step_mb = strtoul(argv[1], NULL, 10);
	step_ms = strtol(argv[2], NULL, 10);
	random = strncmp(argv[3], "rand", 4) == 0;
	pageout = strstr(argv[3], "+out") != NULL;
	hold = argc > 4 ? strtol(argv[4], NULL, 10) : -1;
	while (!max_mb || done < max_mb) {
		unsigned char *p = mmap(NULL, step_mb * MIB, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		for (size_t off = 0; off < step_mb * MIB; off += 4096)
			fill_page(p + off, random);
		if (pageout && madvise(p, step_mb * MIB, MADV_PAGEOUT) < 0)
			die("madvise(MADV_PAGEOUT)");
		done += step_mb;
		if (uptime() - last >= 1) {
			say("hog %lu MiB", done);
			last = uptime();
		}
		sleep_ms(step_ms);
	}
	say("hog %lu MiB, holding", done);
	if (hold < 0)
		for (;;)
			pause();
	sleep(hold);
	return 0;
}

/* AnonHugePages of this process, kB, from /proc/self/smaps_rollup. */
static long anon_huge_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int thp(int argc, char **argv)
{
	unsigned long mb, rounds;
	const size_t huge = 2 * MIB;

	if (argc < 2)
		return 2;
	mb = strtoul(argv[0], NULL, 10);
	rounds = strtoul(argv[1], NULL, 10);
	for (unsigned long r = 0; !rounds || r < rounds; r++) {
		size_t len = mb * MIB;
		unsigned char *raw = mmap(NULL, len + huge, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned char *p;

		if (raw == MAP_FAILED)
			die("mmap");
		p = (unsigned char *)(((unsigned long)raw + huge - 1) & ~(huge - 1));
		if (madvise(p, len, MADV_HUGEPAGE) < 0)
			die("madvise");
		for (size_t off = 0; off < len; off += 4096)
			p[off] = 1;
		say("thp round %lu: %lu MiB, AnonHugePages %ld kB", r, mb, anon_huge_kb());
		munmap(raw, len + huge);
	}
	return 0;
}

static void entry_path(char *buf, size_t n, const char *dir, unsigned long i)
{
	snprintf(buf, n, "%s/d%lu/e%lu", dir, i / PER_DIR, i);
}

static int create(int argc, char **argv)
{
	unsigned long count;
	char path[4096];
	double last = uptime();
	int type;

	if (argc < 3)
		return 2;
	count = strtoul(argv[1], NULL, 10);
	type = argv[2][0]; /* f, s or d */
	if (mkdir(argv[0], 0755) < 0 && errno != EEXIST)
		die(argv[0]);
	for (unsigned long i = 0; i < count; i++) {
		if (i % PER_DIR == 0) {
			snprintf(path, sizeof(path), "%s/d%lu", argv[0], i / PER_DIR);
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				die(path);
		}
		entry_path(path, sizeof(path), argv[0], i);
		if (type == 's') {
			if (symlink("target", path) < 0 && errno != EEXIST)
				die(path);
		} else if (type == 'd') {
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				die(path);
		} else {
			int fd = open(path, O_CREAT | O_WRONLY, 0644);

			if (fd < 0)
				die(path);
			close(fd);
		}
		if (uptime() - last >= 1) {
			say("created %lu", i + 1);
			last = uptime();
		}
	}
	say("created %lu", count);
	return 0;
}

static int stat_all(int argc, char **argv)
{
	unsigned long count, rounds, missing = 0;
	char path[4096];
	struct stat sb;
	double last = uptime();

	if (argc < 3)
		return 2;
	count = strtoul(argv[1], NULL, 10);
	rounds = strtoul(argv[2], NULL, 10);
	for (unsigned long r = 0; !rounds || r < rounds; r++) {
		for (unsigned long i = 0; i < count; i++) {
			entry_path(path, sizeof(path), argv[0], i);
			missing += lstat(path, &sb) < 0;
			if (uptime() - last >= 1) {
				say("stat round %lu at %lu, %lu missing", r, i, missing);
				last = uptime();
			}
		}
	}
	say("stat done, %lu missing", missing);
	return 0;
}

static int hold(int argc, char **argv)
{
	unsigned long count, opened = 0;
	struct rlimit rl;
	char path[4096];

	if (argc < 2)
		return 2;
	count = strtoul(argv[1], NULL, 10);
	rl.rlim_cur = rl.rlim_max = count + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit RLIMIT_NOFILE (raise fs.nr_open)");
	for (unsigned long i = 0; i < count; i++) {
		entry_path(path, sizeof(path), argv[0], i);
		if (open(path, O_RDONLY | O_NOFOLLOW | O_PATH) >= 0)
			opened++;
	}
	say("holding %lu open", opened);
	for (;;)
		pause();
}

static int after(int argc, char **argv)
{
	FILE *f;

	if (argc < 3)
		return 2;
	sleep_ms(strtol(argv[0], NULL, 10) * 1000);
	say("writing %s to %s", argv[2], argv[1]);
	f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%s\n", argv[2]) < 0 || fclose(f) != 0)
		die(argv[1]);
	say("wrote %s to %s", argv[2], argv[1]);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;

	while (argc > 2 && argv[1][0] == '-') {
		if (strcmp(argv[1], "-c") == 0) {
			prctl(PR_SET_NAME, argv[2], 0, 0, 0);
		} else if (strcmp(argv[1], "-o") == 0) {
			FILE *f = fopen("/proc/self/oom_score_adj", "w");

			if (!f || fprintf(f, "%s\n", argv[2]) < 0 || fclose(f) != 0)
				die("oom_score_adj");
		} else {
			goto usage;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		goto usage;
	if (strcmp(argv[1], "hog") == 0)
		rc = hog(argc - 2, argv + 2);
	else if (strcmp(argv[1], "thp") == 0)
		rc = thp(argc - 2, argv + 2);
	else if (strcmp(argv[1], "create") == 0)
		rc = create(argc - 2, argv + 2);
	else if (strcmp(argv[1], "stat") == 0)
		rc = stat_all(argc - 2, argv + 2);
	else if (strcmp(argv[1], "hold") == 0)
		rc = hold(argc - 2, argv + 2);
	else if (strcmp(argv[1], "after") == 0)
		rc = after(argc - 2, argv + 2);
	if (rc != 2)
		return rc;
usage:
	fprintf(stderr, "usage: labmem [-c COMM] [-o ADJ] hog|thp|create|stat|after|hold ARGS (see the source)\n");
	return 2;
}
