/*
 * Private temporary directories under TMPDIR (/tmp when unset) that do not
 * outlive their process for long: an unpacked sosreport (up to
 * MMT_TREE_MAX_BYTES), a report's database. A process killed before it
 * removes its directory (SIGKILL, the OOM killer) leaves it behind; the
 * next mmtriage that makes one removes it.
 *
 * Each directory is held locked (flock) by its process while it lives,
 * and the kernel lets go of the lock when the process dies, however it
 * dies, whatever PID namespace it ran in. A directory is made under a
 * name of its own (".mmtriage-new-XXXXXX"), locked, then renamed to its
 * final name, so that a final name never names a directory not yet
 * locked. What is removed: this user's directories of either name whose
 * lock can be taken (the new ones only when over a minute old). Where
 * flock cannot lock a directory (some NFS), or renameat2 cannot keep a
 * name from being replaced, a directory goes on unlocked or under its new
 * name: never swept while its process lives, only not swept after it.
 */
#ifndef MMT_TMP_H
#define MMT_TMP_H

#include "core/err.h"

struct mmt_tmp {
	int lock_fd;		/* the directory, open and locked; -1 when none */
	char path[4096];
};

/*
 * Makes a directory TMPDIR/mmtriage-WHAT-XXXXXX, after removing those a
 * dead process left. Returns 0, or -1 with err filled.
 */
int mmt_tmp_make(struct mmt_tmp *t, const char *what, struct mmt_err *err);
/* Removes the directory and all in it; safe to call twice. */
void mmt_tmp_remove(struct mmt_tmp *t);
/* Removes a tree without following symbolic links; what cannot go stays. */
void mmt_remove_tree(const char *dir);

#endif
