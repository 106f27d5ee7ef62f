/* The child's side of running another program: see mmt_exec_child. */
#ifndef MMT_EXEC_H
#define MMT_EXEC_H

/*
 * In a child just forked: in, out and err become its stdin, stdout and
 * stderr, then argv[0] (looked up in PATH) is executed. An exec that fails
 * writes its errno to status (a pipe closed on exec) and exits 127. Only
 * async-signal-safe calls.
 */
_Noreturn void mmt_exec_child(const char *const *argv, int in, int out, int err, int status);

#endif
