/*
 * Crash dumps (vmcores): recognising one, and reading it with the crash
 * utility (given the kernel's debug vmlinux) or, without one, its kernel
 * log with makedumpfile. What they print lands as files in a directory,
 * which tree.c ingests as the tree of kind 'vmcore': a crash session
 * (crash-session.txt, read by the crash parser) or the log alone
 * (vmcore-dmesg.txt).
 *
 * The crash session is one run of crash in batch mode over a fixed list of
 * commands, each preceded by its prompt line ("crash> foreach bt") so that
 * every line the evidence points at says which command printed it. When
 * crash cannot list the dump's tasks (crash 8.0.2 on kernels whose struct
 * pid ends in a flexible array: Debian 12's own 6.1 since 6.1.1xx), a
 * second run reads the stack of every task the `list` of init_task's
 * tasks found but `ps` did not ("rd -s" from its saved stack pointer), and
 * walks each of those leaders' threads (addresses only, crash_list.h): a
 * list whose leaders have no other threads is the dump's whole task table,
 * in which a task the log reported blocked and that is gone had ended
 * (schema 007, released_tasks). Other threads are counted, not yet read.
 */
#ifndef MMT_PARSERS_VMCORE_H
#define MMT_PARSERS_VMCORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

enum mmt_vmcore_format {
	MMT_VMCORE_NONE,
	MMT_VMCORE_ELF,			/* ELF core with a VMCOREINFO or QEMU note */
	MMT_VMCORE_KDUMP,		/* kdump-compressed ("KDUMP   ", makedumpfile -c/-l/-p) */
	MMT_VMCORE_FLAT,		/* makedumpfile's flattened format (-F) */
};

/* Seconds a crash or makedumpfile run may take before it is stopped. */
#define MMT_VMCORE_MAX_SECS 1800
/* Tasks whose stacks a second crash run reads (each a few hundred lines). */
#define MMT_VMCORE_MAX_SCANS 20000

/* What the file at path is; NONE for anything else (or unreadable). */
enum mmt_vmcore_format mmt_vmcore_detect(const char *path);
/*
 * What it is and whether it is whole (an ELF core as long as its headers
 * say, a kdump-compressed one makedumpfile finished): the format, or -1
 * with err naming the dump.
 */
int mmt_vmcore_check(const char *path, struct mmt_err *err);
const char *mmt_vmcore_format_name(enum mmt_vmcore_format f);

struct mmt_vmcore_info {
	char reader[64];		/* "crash 8.0.2", "makedumpfile: version 1.7.2 ..." */
	char release[65];		/* the dumped kernel's, from `sys`; "" when unknown */
	char hostname[65];		/* its NODENAME */
	bool session;			/* crash-session.txt written (with a vmlinux) */
	int tasks_scanned;		/* stacks read by the second run (rd -s) */
	char lost[256];			/* what was not read, and why; "" if nothing */
};

/* Progress of a run: the program's name and the bytes it has printed. */
typedef void (*mmt_vmcore_tick)(void *ctx, const char *what, uint64_t bytes);

/*
 * Reads the dump at path into dir: crash-session.txt with vmlinux (which
 * may be NULL), vmcore-dmesg.txt without. Fails with err naming the dump
 * when it is truncated, when vmlinux does not match it, when crash or
 * makedumpfile is missing (naming the Debian package) or fails.
 */
int mmt_vmcore_read(const char *path, const char *vmlinux, const char *dir,
		    struct mmt_vmcore_info *info, mmt_vmcore_tick tick, void *ctx,
		    struct mmt_err *err);

#endif
