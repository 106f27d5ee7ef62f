/*
 * gen-events: a steady load of scheduler events for bench/record.sh.
 *
 *   gen-events RATE SECONDS [BUFFER_DIR]
 *
 * Two threads, pinned to CPUs 0 and 1, pass one byte back and forth over
 * two pipes. Each round trip makes every thread sleep and be woken from
 * the other CPU: sched_waking, sched_wakeup, the IPI that wakes the other
 * CPU (and its kernel stack, when the recorder takes one), sched_switch
 * pairs on both CPUs.
 *
 * Without BUFFER_DIR, RATE is round trips per second. With it, a tracefs
 * buffer (/sys/kernel/tracing, or an instance under it; "%p" in it stands
 * for the parent's pid, so a recorder's own instance can be named before
 * it exists), RATE is records per second written to that buffer, events
 * and kernel stacks of every task alike: every 100 ms the generator reads
 * the buffer's per-CPU counters and sets the round trips of the next
 * 100 ms to make up the difference, at the records per round trip seen so
 * far. The kernel's own choices (how it wakes an idle CPU) change the
 * events a round trip makes from run to run; this keeps the rate anyway.
 *
 * Round trips are paced a batch per millisecond, so the rate is steady
 * rather than bursty. At exit it prints, as key=value lines: round trips,
 * records counted in the buffer (0 without BUFFER_DIR), seconds, and its
 * own CPU time (both threads), which the benchmark subtracts from a
 * recorder's measure when the recorder runs it as its command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define WINDOW_S 0.1

struct pingpong {
	int to_echo[2];		/* pipe: pacer -> echo */
	int to_pacer[2];	/* pipe: echo -> pacer */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "gen-events: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* A CPU the machine may not have is not worth failing for: the load runs unpinned. */
static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		fprintf(stderr, "gen-events: not pinned to CPU %d: %s\n", cpu, strerror(errno));
}

static void put_byte(int fd)
{
	char c = 'x';

	while (write(fd, &c, 1) != 1)
		if (errno != EINTR)
			die("write");
}

/* False once the other end is closed. */
static int get_byte(int fd)
{
	char c;
	ssize_t n;

	while ((n = read(fd, &c, 1)) < 0)
		if (errno != EINTR)
			die("read");
	return n == 1;
}

static void *echo_main(void *arg)
{
	struct pingpong *pp = arg;

	pin_to(1);
	while (get_byte(pp->to_echo[0]))
		put_byte(pp->to_pacer[1]);
	return NULL;
}

static void sleep_until(double t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void round_trip(struct pingpong *pp)
{
	put_byte(pp->to_echo[1]);
	if (!get_byte(pp->to_pacer[0]))
		die("echo thread gone");
}

/*
 * rounds round trips spread over [start, end) in batches a millisecond
 * apart, each batch at its time on that grid (a late batch is not made up
 * for by shifting the later ones); returns once end has passed.
 */
static void run_window(struct pingpong *pp, uint64_t rounds, double start, double end)
{
	int batches = (int)((end - start) * 1000.0);
	uint64_t done = 0;

	if (batches < 1)
		batches = 1;
	for (int i = 0; i < batches; i++) {
		uint64_t upto = rounds * (uint64_t)(i + 1) / (uint64_t)batches;

		if (done < upto)
			sleep_until(start + (end - start) * i / batches);
		for (; done < upto; done++)
			round_trip(pp);
	}
	sleep_until(end);
}

/* Records written to the buffer so far: read, still there, overwritten or dropped. */
static uint64_t buffer_records(const char *dir)
{
	uint64_t total = 0;

	for (int cpu = 0;; cpu++) {
		char path[4096], line[256];
		unsigned long long v;
		FILE *f;

		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", dir, cpu);
		f = fopen(path, "r");
		if (!f) {
			if (cpu == 0)
				die(path);
			return total;
		}
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "entries: %llu", &v) == 1 ||
			    sscanf(line, "overrun: %llu", &v) == 1 ||
			    sscanf(line, "read events: %llu", &v) == 1 ||
			    sscanf(line, "dropped events: %llu", &v) == 1)
				total += v;
		fclose(f);
	}
}

/* "%p" in the buffer's path: the parent's pid (a recorder's instance). */
static void buffer_path(const char *arg, char *out, size_t n)
{
	const char *p = strstr(arg, "%p");

	if (!p)
		snprintf(out, n, "%s", arg);
	else
		snprintf(out, n, "%.*s%d%s", (int)(p - arg), arg, (int)getppid(), p + 2);
}

static int windows(double seconds)
{
	return (int)(seconds / WINDOW_S + 0.5);
}

/* Open loop: a fixed number of round trips per second. */
static uint64_t run_paced(struct pingpong *pp, double rate, double seconds)
{
	double start = now_s();
	uint64_t rounds = 0;

	for (int w = 1; w <= windows(seconds); w++) {
		uint64_t n = (uint64_t)(rate * w * WINDOW_S) - rounds;

		run_window(pp, n, start + (w - 1) * WINDOW_S, start + w * WINDOW_S);
		rounds += n;
	}
	return rounds;
}

/*
 * Closed loop: each window's round trips make up what the buffer lacks of
 * rate records per second since the start, at the records per round trip
 * of the windows before (smoothed; a first guess of 15).
 */
static uint64_t run_held(struct pingpong *pp, double rate, double seconds, const char *dir,
			 uint64_t *records)
{
	double start = now_s(), per_round = 15.0;
	uint64_t base = buffer_records(dir), rounds = 0, prev_rec = 0, prev_rounds = 0;

	for (int w = 1; w <= windows(seconds); w++) {
		uint64_t rec = buffer_records(dir) - base;
		double lack = rate * w * WINDOW_S - (double)rec;
		uint64_t n;

		if (rounds > prev_rounds + 100 && rec > prev_rec)
			per_round = 0.7 * per_round +
				    0.3 * (double)(rec - prev_rec) / (double)(rounds - prev_rounds);
		prev_rec = rec;
		prev_rounds = rounds;
		n = lack > 0 ? (uint64_t)(lack / per_round) : 0;
		run_window(pp, n, start + (w - 1) * WINDOW_S, start + w * WINDOW_S);
		rounds += n;
	}
	*records = buffer_records(dir) - base;
	return rounds;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct pingpong pp;
	pthread_t echo;
	double rate, seconds, start;
	uint64_t rounds, records = 0;
	char dir[4096];

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: gen-events RATE SECONDS [BUFFER_DIR]\n");
		return 2;
	}
	rate = atof(argv[1]);
	seconds = atof(argv[2]);
	if (pipe(pp.to_echo) != 0 || pipe(pp.to_pacer) != 0)
		die("pipe");
	pin_to(0);
	if (pthread_create(&echo, NULL, echo_main, &pp) != 0)
		die("pthread_create");
	start = now_s();
	if (argc == 4) {
		buffer_path(argv[3], dir, sizeof(dir));
		rounds = run_held(&pp, rate, seconds, dir, &records);
	} else {
		rounds = run_paced(&pp, rate, seconds);
	}
	close(pp.to_echo[1]);
	pthread_join(echo, NULL);
	printf("rounds=%llu\nrecords=%llu\nseconds=%.3f\ncpu_s=%.3f\n",
	       (unsigned long long)rounds, (unsigned long long)records, now_s() - start,
	       cpu_seconds());
	return 0;
}
