/*
 * The copy of /sys/kernel/slab that `mmtriage record` keeps (snap.h), as
 * samples/recipes/common.sh's mmt_copy_sys_slab makes it: one directory
 * per cache holding the attributes parsers/slab_aliases.c reads, and each
 * name SLUB merged into another cache a symlink with the kernel's target
 * text. The recorder copies at start and again at the end, the second
 * replacing the first so that caches made meanwhile (by a module, a new
 * cgroup) are in it; each copy is written beside the old one and swapped
 * in, so that a capture cut short at any instant holds one whole copy.
 */
#include "cmd/record/snap.h"
#include "core/io.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const slab_attrs[] = {
	"object_size", "slab_size", "order", "objects", "slabs", "aliases",
	"reclaim_account", "ctor", "align",
};
#define NATTRS (sizeof(slab_attrs) / sizeof(slab_attrs[0]))
#define TMP_NAME ".slab.tmp"
#define OLD_NAME ".slab.old"

struct slab_copy {
	const char *kernel;	/* DIR/sys/kernel, for messages */
	uint64_t bytes;
	struct mmt_err *err;
	char buf[64 << 10];	/* a sysfs attribute is at most a page */
};

static bool dot_entry(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

/* Removes name under dfd with what it holds; what cannot go stays. */
static void remove_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0) {
		unlinkat(dfd, name, 0);
		return;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (!dot_entry(de->d_name))
			remove_at(fd, de->d_name);
	closedir(d);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

static int write_failed(struct slab_copy *c, const char *cache, const char *what)
{
	return mmt_err_at(c->err, NULL, 0, "%s/%s/%s/%s: cannot write: %s", c->kernel, TMP_NAME,
			  cache, what, strerror(errno));
}

/*
 * One attribute. One that cannot be read (absent from this kernel, or
 * root's only) is left out, as mmt_copy_sys_slab leaves it out.
 */
static int copy_attr(struct slab_copy *c, int src, int dst, const char *cache,
		     const char *attr)
{
	int in = openat(src, attr, O_RDONLY | O_CLOEXEC), out;
	size_t len = 0;
	ssize_t got = 0;

	if (in < 0)
		return 0;
	while (len < sizeof(c->buf)) {
		got = read(in, c->buf + len, sizeof(c->buf) - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(in);
	if (got < 0)
		return 0;
	out = openat(dst, attr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0)
		return write_failed(c, cache, attr);
	if (mmt_write_all(out, c->buf, len) < 0) {
		close(out);
		return write_failed(c, cache, attr);
	}
	if (close(out) < 0)
		return write_failed(c, cache, attr);
	c->bytes += len;
	return 0;
}

/* An entry that is no directory, or a cache destroyed since it was listed, is left out. */
static int copy_cache(struct slab_copy *c, int src, int dst, const char *cache)
{
	int in = openat(src, cache, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), out;
	int rc = 0;

	if (in < 0)
		return 0;
	if (mkdirat(dst, cache, 0755) < 0 ||
	    (out = openat(dst, cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		close(in);
		return write_failed(c, cache, "");
	}
	for (size_t i = 0; i < NATTRS && rc == 0; i++)
		rc = copy_attr(c, in, out, cache, slab_attrs[i]);
	close(out);
	close(in);
	return rc;
}

/* 1 when name is a symlink (copied), 0 when it is not one, -1 on error. */
static int copy_alias(struct slab_copy *c, int src, int dst, const char *name)
{
	char target[4096];
	ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);

	if (n < 0)
		return 0;
	target[n] = '\0';
	if (symlinkat(target, dst, name) < 0)
		return write_failed(c, name, "");
	c->bytes += (uint64_t)n;
	return 1;
}

static int copy_entries(struct slab_copy *c, const char *sys_root, int dst)
{
	DIR *d = opendir(sys_root);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return mmt_err_at(c->err, NULL, 0, "%s: cannot open: %s", sys_root,
				  strerror(errno));
	while (rc >= 0 && (de = readdir(d))) {
		if (dot_entry(de->d_name))
			continue;
		rc = de->d_type == DT_DIR ? 0 : copy_alias(c, dirfd(d), dst, de->d_name);
		if (rc == 0)
			rc = copy_cache(c, dirfd(d), dst, de->d_name);
	}
	closedir(d);
	return rc < 0 ? -1 : 0;
}

static int replace_failed(struct slab_copy *c)
{
	return mmt_err_at(c->err, NULL, 0, "%s/slab: cannot replace: %s", c->kernel,
			  strerror(errno));
}

/* Where the filesystem cannot swap two names: the old copy aside, then the new. */
static int replace_in_two_steps(struct slab_copy *c, int kfd)
{
	remove_at(kfd, OLD_NAME);
	if (renameat(kfd, "slab", kfd, OLD_NAME) < 0)
		return replace_failed(c);
	if (renameat(kfd, TMP_NAME, kfd, "slab") < 0) {
		int rc = replace_failed(c);

		(void)renameat(kfd, OLD_NAME, kfd, "slab");	/* the first failure is the one said */
		return rc;
	}
	remove_at(kfd, OLD_NAME);
	return 0;
}

/* The new copy takes the place of the old in one step (RENAME_EXCHANGE). */
static int put_in_place(struct slab_copy *c, int kfd)
{
	if (renameat(kfd, TMP_NAME, kfd, "slab") == 0)
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return replace_failed(c);
	if (renameat2(kfd, TMP_NAME, kfd, "slab", RENAME_EXCHANGE) < 0)
		return errno == EINVAL ? replace_in_two_steps(c, kfd) : replace_failed(c);
	remove_at(kfd, TMP_NAME);
	return 0;
}

static int make_dirs(const char *dir, char *kernel, struct mmt_err *err)
{
	static const char *const parts[] = { "", "/sys", "/sys/kernel" };

	for (size_t i = 0; i < 3; i++) {
		sprintf(kernel, "%s%s", dir, parts[i]);
		if (mkdir(kernel, 0755) < 0 && errno != EEXIST)
			return mmt_err_at(err, NULL, 0, "%s: cannot create: %s", kernel,
					  strerror(errno));
	}
	return 0;
}

static int copy_into(struct slab_copy *c, int kfd, const char *sys_root)
{
	int tfd, rc;

	remove_at(kfd, TMP_NAME);	/* left by a copy cut short */
	if (mkdirat(kfd, TMP_NAME, 0755) < 0 ||
	    (tfd = openat(kfd, TMP_NAME, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return mmt_err_at(c->err, NULL, 0, "%s/%s: cannot create: %s", c->kernel,
				  TMP_NAME, strerror(errno));
	rc = copy_entries(c, sys_root, tfd);
	close(tfd);
	if (rc == 0)
		rc = put_in_place(c, kfd);
	if (rc < 0)
		remove_at(kfd, TMP_NAME);
	return rc;
}

int rec_copy_slab(const char *dir, const char *sys_root, uint64_t *bytes, struct mmt_err *err)
{
	char *kernel = xmalloc(strlen(dir) + sizeof("/sys/kernel"));
	struct slab_copy *c = xcalloc(1, sizeof(*c));
	int kfd, rc = make_dirs(dir, kernel, err);

	c->kernel = kernel;
	c->err = err;
	if (rc == 0 && (kfd = open(kernel, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		rc = mmt_err_at(err, NULL, 0, "%s: cannot open: %s", kernel, strerror(errno));
	if (rc == 0) {
		rc = copy_into(c, kfd, sys_root);
		close(kfd);
	}
	if (rc == 0)
		*bytes += c->bytes;
	free(c);
	free(kernel);
	return rc;
}
