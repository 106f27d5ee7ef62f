/* The child's side of running another program: see exec.h. */
#include "core/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

_Noreturn void mmt_exec_child(const char *const *argv, int in, int out, int err, int status)
{
	int e;

	/* Moved above 2 first, so that no dup2() overwrites another of them. */
	in = fcntl(in, F_DUPFD_CLOEXEC, 3);
	out = fcntl(out, F_DUPFD_CLOEXEC, 3);
	err = fcntl(err, F_DUPFD_CLOEXEC, 3);
	if (in >= 0 && out >= 0 && err >= 0 && dup2(in, 0) == 0 && dup2(out, 1) == 1 &&
	    dup2(err, 2) == 2)
		execvp(argv[0], (char *const *)argv);
	e = errno;
	if (write(status, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}
