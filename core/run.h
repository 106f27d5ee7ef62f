/*
 * Running another program (the crash utility, makedumpfile) with its
 * output going to a file: bounded in time, stopped on Ctrl-C, and with
 * "not installed" said in terms of the Debian package that provides it.
 */
#ifndef MMT_RUN_H
#define MMT_RUN_H

#include <stdint.h>

#include "core/err.h"
#include "core/exec.h"

struct mmt_run {
	const char *const *argv;	/* argv[0] is looked up in PATH */
	const char *package;		/* Debian package of argv[0], for messages */
	const char *shown;		/* the input the run is about, for messages */
	int in_fd;			/* its stdin; -1 for /dev/null */
	int out_fd;			/* its stdout and stderr */
	int max_secs;			/* killed after this long; 0: no limit */
	/* Called about once a second while it runs, with the bytes written so far. */
	void (*tick)(void *ctx, uint64_t bytes);
	void *ctx;
};

/*
 * Runs r->argv and waits for it. Returns its exit status (0..255), or -1
 * with err filled when it could not be started (not installed), was
 * killed by a signal, ran out of time or was interrupted.
 */
int mmt_run(const struct mmt_run *r, struct mmt_err *err);

#endif
