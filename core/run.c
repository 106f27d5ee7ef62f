/* Running another program with its output going to a file: see run.h. */
#include "core/run.h"
#include "parsers/parser.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * In the child: its output on out_fd (stdout and stderr), stdin from
 * in_fd or /dev/null. The child dies with its parent: a crash session
 * left running after mmtriage is killed would read a 100 GB dump for
 * nothing.
 */
static _Noreturn void child(const struct mmt_run *r, int status)
{
	int in = r->in_fd >= 0 ? r->in_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	mmt_exec_child(r->argv, in, r->out_fd, r->out_fd, status);
}

static uint64_t out_bytes(int fd)
{
	struct stat sb;

	return fstat(fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/*
 * Waits for the exec's verdict on the status pipe (EOF: it ran), then for
 * the child, ticking once a second; the child is killed at the deadline
 * or on an interrupt. Returns 0 when it exited, or an errno-like reason.
 */
static int await_child(const struct mmt_run *r, pid_t pid, int status, int *wstatus)
{
	double deadline = r->max_secs > 0 ? now_secs() + r->max_secs : 0;
	int e = 0;
	ssize_t n;

	do
		n = read(status, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(e)) {
		waitpid(pid, NULL, 0);
		return e;
	}
	for (;;) {
		pid_t got = waitpid(pid, wstatus, WNOHANG);

		if (got == pid)
			return 0;
		if (got < 0 && errno != EINTR)
			return errno;
		if (mmt_interrupted() || (deadline && now_secs() > deadline)) {
			kill(pid, SIGKILL);
			waitpid(pid, wstatus, 0);
			return mmt_interrupted() ? EINTR : ETIMEDOUT;
		}
		if (r->tick)
			r->tick(r->ctx, out_bytes(r->out_fd));
		poll(NULL, 0, 200);
	}
}

static int run_failed(const struct mmt_run *r, int e, struct mmt_err *err)
{
	const char *prog = r->argv[0];

	if (e == ENOENT)
		return mmt_err_at(err, r->shown, 0, "'%s' is not installed (Debian package %s)",
				  prog, r->package);
	if (e == ETIMEDOUT)
		return mmt_err_at(err, r->shown, 0, "%s did not finish within %d s: stopped",
				  prog, r->max_secs);
	if (e == EINTR)
		return mmt_err_at(err, r->shown, 0, "interrupted while %s ran", prog);
	return mmt_err_at(err, r->shown, 0, "cannot run %s: %s", prog, strerror(e));
}

int mmt_run(const struct mmt_run *r, struct mmt_err *err)
{
	int status[2], wstatus = 0, e;
	pid_t pid;

	if (pipe2(status, O_CLOEXEC) < 0)
		return run_failed(r, errno, err);
	pid = fork();
	if (pid == 0)
		child(r, status[1]);
	e = errno;
	close(status[1]);
	if (pid < 0) {
		close(status[0]);
		return run_failed(r, e, err);
	}
	e = await_child(r, pid, status[0], &wstatus);
	close(status[0]);
	if (e)
		return run_failed(r, e, err);
	if (WIFSIGNALED(wstatus))
		return mmt_err_at(err, r->shown, 0, "%s was killed by signal %d", r->argv[0],
				  WTERMSIG(wstatus));
	return WEXITSTATUS(wstatus);
}
