/* Temporary directories that a killed process leaves to the next one (tmp.h). */
#include "core/tmp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FINAL_PREFIX "mmtriage-"
#define NEW_PREFIX ".mmtriage-new-"
/* A new directory is locked microseconds after it is made: a minute is ample. */
#define NEW_GRACE_SECS 60

static const char *tmp_dir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir && *dir ? dir : "/tmp";
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);	/* what cannot go stays: nothing to undo */
	return 0;
}

void mmt_remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Whether name is one of ours, and of an age to be looked at. */
static bool sweepable(const char *name, const struct stat *st)
{
	if (!strncmp(name, NEW_PREFIX, strlen(NEW_PREFIX)))
		return time(NULL) - st->st_ctime > NEW_GRACE_SECS;
	return !strncmp(name, FINAL_PREFIX, strlen(FINAL_PREFIX));
}

/* The directory name in dir, if this user's and nobody holds its lock. */
static bool abandoned(int dir, const char *name)
{
	int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	bool gone;

	if (fd < 0)
		return false;
	gone = fstat(fd, &st) == 0 && st.st_uid == geteuid() && sweepable(name, &st) &&
	       flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return gone;
}

/* Removes what dead mmtriage processes left in TMPDIR. */
static void sweep(const char *tmp)
{
	DIR *d = opendir(tmp);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d)))
		if (abandoned(dirfd(d), e->d_name) &&
		    snprintf(path, sizeof(path), "%s/%s", tmp, e->d_name) < (int)sizeof(path))
			mmt_remove_tree(path);
	closedir(d);
}

/* new, locked, takes its final name: FINAL_PREFIX what - its own suffix. */
static int take_final_name(struct mmt_tmp *t, const char *tmp, const char *new,
			   const char *what)
{
	const char *suffix = new + strlen(tmp) + 1 + strlen(NEW_PREFIX);

	snprintf(t->path, sizeof(t->path), "%s/" FINAL_PREFIX "%s-%s", tmp, what, suffix);
	return renameat2(AT_FDCWD, new, AT_FDCWD, t->path, RENAME_NOREPLACE);
}

/*
 * The new directory locked. Where flock cannot lock (NFS may refuse a
 * directory), it goes on unlocked: the sweep, which needs the lock too,
 * never takes it then.
 */
static void lock_new(struct mmt_tmp *t, const char *new)
{
	t->lock_fd = open(new, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (t->lock_fd >= 0 && flock(t->lock_fd, LOCK_EX) < 0) {
		close(t->lock_fd);
		t->lock_fd = -1;
	}
}

int mmt_tmp_make(struct mmt_tmp *t, const char *what, struct mmt_err *err)
{
	const char *tmp = tmp_dir();
	char new[4096];

	t->lock_fd = -1;
	t->path[0] = 0;
	sweep(tmp);
	for (int tries = 0;; tries++) {
		snprintf(new, sizeof(new), "%s/" NEW_PREFIX "XXXXXX", tmp);
		if (!mkdtemp(new))
			return mmt_err_at(err, tmp, 0, "cannot make a temporary directory: %s",
					  strerror(errno));
		lock_new(t, new);
		if (take_final_name(t, tmp, new, what) == 0)
			return 0;
		if (errno != EEXIST || tries == 100)	/* no renameat2 here: the new name will do */
			break;
		/* that final name is taken: another */
		if (t->lock_fd >= 0)
			close(t->lock_fd);
		t->lock_fd = -1;
		rmdir(new);
	}
	snprintf(t->path, sizeof(t->path), "%s", new);
	return 0;
}

void mmt_tmp_remove(struct mmt_tmp *t)
{
	if (t->path[0])
		mmt_remove_tree(t->path);
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	t->lock_fd = -1;
	t->path[0] = 0;
}
