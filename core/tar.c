/*
 * Unpacking tar archives (sosreports) without libarchive. The tar stream
 * comes from the file itself or from a decompressor, chosen by magic number
 * and run as a child process; it is read through one fixed buffer, so memory
 * does not grow with the archive. Headers may be v7, ustar (prefix field),
 * GNU (long names 'L' and 'K', base-256 sizes) or PAX ('x' records; global
 * 'g' headers are skipped).
 *
 * The archive is untrusted and must not write outside dest. Member names are
 * normalised lexically and refused when they leave the root; that is exact
 * because every directory on the way is a real one: they are entered with
 * openat(O_NOFOLLOW) one component at a time and a symlink among them is
 * refused. Files are created with O_EXCL|O_NOFOLLOW, never opened when they
 * exist, and a directory is never replaced. Symlink targets are written in
 * canonical form (leading "..", then names) and refused when their ".."
 * climb above the root from the link's (real) directory, so following any
 * chain of the links created stays inside dest.
 */
#include "core/tar.h"
#include "core/exec.h"
#include "core/io.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 512
#define BUF_SIZE (64u << 10)
/* Longest name or link target taken from a PAX or GNU header: keeps memory
   bounded, and no file system accepts longer paths anyway. */
#define NAME_CAP (64u << 10)

/* Offsets of header fields (POSIX ustar; v7 and GNU share the first ones). */
enum {
	H_NAME = 0, H_SIZE = 124, H_MTIME = 136, H_CHKSUM = 148, H_TYPE = 156, H_LINK = 157,
	H_MAGIC = 257, H_PREFIX = 345, H_GNU_EXTENDED = 482, H_SPARSE_MORE = 504,
};

struct tool {
	unsigned char magic[6];
	size_t magic_len;
	const char *cmd;	/* run as "cmd -dc" */
	const char *package;	/* the Debian package that has it */
	int warn_status;	/* an exit status that only means a warning, or 0 */
};

static const struct tool tools[] = {
	{ { 0x1f, 0x8b }, 2, "gzip", "gzip", 2 },
	{ { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6, "xz", "xz-utils", 2 },
	{ { 'B', 'Z', 'h' }, 3, "bzip2", "bzip2", 0 },
	{ { 0x28, 0xb5, 0x2f, 0xfd }, 4, "zstd", "zstd", 0 },
};

/* The tar stream: the archive itself, or a decompressor's stdout. */
struct src {
	int fd;
	pid_t pid;		/* the decompressor, or 0 */
	int errfd;		/* collects the decompressor's stderr, or -1 */
	const struct tool *tool;
	unsigned char *buf;
	size_t pos, len;
	uint64_t off;		/* bytes of the tar stream handed out so far */
	uint64_t max;		/* bytes it may have (limits.stream_bytes) */
	bool over;		/* it has more */
	bool eof;
	int errnum;		/* errno of a failed read */
};

/* What 'x', 'L' and 'K' headers say about the member that follows. */
struct ext {
	struct mmt_sb path, link;
	bool has_path, has_link, has_size, has_mtime;
	uint64_t size;
	double mtime;
};

struct member {
	char type;
	uint64_t size;		/* bytes of data after the header */
	struct mmt_sb raw;	/* name as stored */
	struct mmt_sb name;	/* normalised */
	struct mmt_sb link;	/* link target as stored */
	double mtime;		/* modification time, Unix seconds */
};

struct job {
	const char *archive;
	const struct mmt_tar_limits *lim;
	uint64_t members;	/* headers of members met */
	int root;		/* fd of dest */
	mmt_tar_want want;
	void *ctx;
	struct mmt_err *err;
	struct mmt_tar_stats st;
	struct src src;
	uint64_t at;		/* offset of the current header */
	unsigned char hdr[BLOCK];
	struct ext ext;
	struct member m;
	struct mmt_sb tmp;	/* link targets being checked */
};

static int fail(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mmt_err_vat(j->err, j->archive, 0, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *member_name(const struct job *j)
{
	return mmt_sb_str(&j->m.raw);
}

/* ---- header fields ---- */

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Octal, as tar writes it: leading spaces, digits, then a space or NUL. */
static bool parse_octal(const unsigned char *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > UINT64_MAX >> 3)
			return false;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	if (i < n && f[i] != ' ' && f[i] != '\0')
		return false;
	*out = v;
	return true;
}

/* Numbers too big for octal (files of 8 GiB and more) are written base-256,
   big-endian, marked by the high bit; bit 6 is the sign, and no size is negative. */
static bool parse_number(const unsigned char *f, size_t n, uint64_t *out)
{
	uint64_t v;

	if (!(f[0] & 0x80))
		return parse_octal(f, n, out);
	if (f[0] & 0x40)
		return false;
	v = f[0] & 0x3f;
	for (size_t i = 1; i < n; i++) {
		if (v > UINT64_MAX >> 8)
			return false;
		v = v << 8 | f[i];
	}
	*out = v;
	return true;
}

/* The sum of the header's bytes with the checksum field read as spaces;
   some old tars summed signed chars, so either sum is accepted. */
static bool checksum_ok(const unsigned char *h)
{
	uint64_t want;
	uint64_t usum = 0;
	int64_t ssum = 0;

	if (!parse_octal(h + H_CHKSUM, 8, &want))
		return false;
	for (size_t i = 0; i < BLOCK; i++) {
		unsigned char c = i >= H_CHKSUM && i < H_CHKSUM + 8 ? ' ' : h[i];

		usum += c;
		ssum += (signed char)c;
	}
	return want == usum || (int64_t)want == ssum;
}

static bool is_tar_header(const unsigned char *h, size_t len)
{
	return len >= BLOCK && !all_zero(h, BLOCK) && checksum_ok(h);
}

static const struct tool *tool_for(const unsigned char *head, size_t len)
{
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (len >= tools[i].magic_len &&
		    !memcmp(head, tools[i].magic, tools[i].magic_len))
			return &tools[i];
	return NULL;
}

bool mmt_tar_sniff(const char *head, size_t len)
{
	const unsigned char *h = (const unsigned char *)head;

	return tool_for(h, len) || (len >= 262 && !memcmp(h + H_MAGIC, "ustar", 5)) ||
	       is_tar_header(h, len);
}

/* ---- the stream ---- */

/* In the child: the archive on stdin, the pipe on stdout, errfd on stderr. */
static _Noreturn void exec_tool(const struct tool *t, int in, int out, int errfd, int status)
{
	const char *argv[] = { t->cmd, "-dc", NULL };

	mmt_exec_child(argv, in, out, errfd, status);
}

static int spawn_failed(struct src *s, const char *archive, int e, struct mmt_err *err)
{
	while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
		;
	s->pid = 0;
	if (e == ENOENT)
		return mmt_err_at(err, archive, 0,
				  "%s-compressed archive, but '%s' is not installed (Debian package %s)",
				  s->tool->cmd, s->tool->cmd, s->tool->package);
	return mmt_err_at(err, archive, 0, "cannot run %s: %s", s->tool->cmd, strerror(e));
}

/* Replaces s->fd (the archive) by the stdout of "tool -dc" reading it. */
static int spawn(struct src *s, const char *archive, struct mmt_err *err)
{
	int out[2], status[2], e = 0;
	ssize_t n;

	if (pipe2(out, O_CLOEXEC) < 0)
		return mmt_err_at(err, archive, 0, "cannot make a pipe: %s", strerror(errno));
	if (pipe2(status, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		return mmt_err_at(err, archive, 0, "cannot make a pipe: %s", strerror(errno));
	}
	/* Its complaints go into the error message, not onto our terminal. */
	s->errfd = memfd_create("mmt-tar-stderr", MFD_CLOEXEC);
	if (s->errfd < 0)
		s->errfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	s->pid = fork();
	if (s->pid == 0)
		exec_tool(s->tool, s->fd, out[1], s->errfd, status[1]);
	e = errno;
	close(out[1]);
	close(status[1]);
	close(s->fd);
	s->fd = out[0];
	if (s->pid < 0) {
		close(status[0]);
		s->pid = 0;
		return mmt_err_at(err, archive, 0, "cannot fork: %s", strerror(e));
	}
	do
		n = read(status[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(status[0]);
	return n == sizeof(e) ? spawn_failed(s, archive, e, err) : 0;
}

static int src_open(struct src *s, const char *archive, struct mmt_err *err)
{
	unsigned char head[BLOCK];
	ssize_t n;

	s->errfd = -1;
	s->buf = xmalloc(BUF_SIZE);
	s->fd = open(archive, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return mmt_err_at(err, archive, 0, "cannot open: %s", strerror(errno));
	n = pread(s->fd, head, sizeof(head), 0);
	if (n < 0)
		return mmt_err_at(err, archive, 0, "cannot read: %s", strerror(errno));
	/* A plain tar whose first name starts "BZh" is still a plain tar. */
	if (is_tar_header(head, (size_t)n))
		return 0;
	s->tool = tool_for(head, (size_t)n);
	return s->tool ? spawn(s, archive, err) : 0;
}

/* Hands out up to want bytes in place: the count, 0 at the end, -1 on error. */
static ssize_t src_take(struct src *s, uint64_t want, const unsigned char **p)
{
	size_t n;

	if (s->pos == s->len) {
		ssize_t r;

		do
			r = read(s->fd, s->buf, BUF_SIZE);
		while (r < 0 && errno == EINTR);
		if (r <= 0) {
			s->eof = r == 0;
			s->errnum = errno;
			return r;
		}
		s->pos = 0;
		s->len = (size_t)r;
	}
	/* Only bytes that exist pass the limit: a stream of exactly max ends well. */
	if (s->off >= s->max) {
		s->over = true;
		return -1;
	}
	n = s->len - s->pos;
	if (n > want)
		n = (size_t)want;
	if (n > s->max - s->off)
		n = (size_t)(s->max - s->off);
	*p = s->buf + s->pos;
	s->pos += n;
	s->off += n;
	return (ssize_t)n;
}

/* The stream ended early or could not be read. */
static int stream_error(struct job *j)
{
	if (j->src.over)
		return fail(j, "the archive unpacks to more than %" PRIu64 " bytes "
			    "(MMT_TAR_MAX_STREAM): a decompression bomb?", j->src.max);
	if (j->src.eof)
		return fail(j, "truncated at byte %" PRIu64, j->src.off);
	return fail(j, "cannot read: %s", strerror(j->src.errnum));
}

static int need(struct job *j, unsigned char *dst, size_t n)
{
	const unsigned char *p;
	ssize_t k;

	for (; n; n -= (size_t)k, dst += k) {
		if ((k = src_take(&j->src, n, &p)) <= 0)
			return stream_error(j);
		memcpy(dst, p, (size_t)k);
	}
	return 0;
}

static int skip(struct job *j, uint64_t n)
{
	const unsigned char *p;
	ssize_t k;

	for (; n; n -= (uint64_t)k)
		if ((k = src_take(&j->src, n, &p)) <= 0)
			return stream_error(j);
	return 0;
}

static int read_into(struct job *j, struct mmt_sb *sb, uint64_t n)
{
	const unsigned char *p;
	ssize_t k;

	mmt_sb_reset(sb);
	for (; n; n -= (uint64_t)k) {
		if ((k = src_take(&j->src, n, &p)) <= 0)
			return stream_error(j);
		mmt_sb_add(sb, (const char *)p, (size_t)k);
	}
	return 0;
}

/* One byte, or -1 with err filled. */
static int get(struct job *j)
{
	const unsigned char *p;

	return src_take(&j->src, 1, &p) > 0 ? *p : stream_error(j);
}

static uint64_t padding(uint64_t size)
{
	return (BLOCK - size % BLOCK) % BLOCK;
}

static void src_free(struct src *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->errfd >= 0)
		close(s->errfd);
	free(s->buf);
}

/* The first line the decompressor wrote to stderr, or how it ended. */
static void tool_complaint(const struct src *s, int status, char *out, size_t cap)
{
	ssize_t n = s->errfd >= 0 ? pread(s->errfd, out, cap - 1, 0) : -1;

	if (n > 0) {
		out[n] = '\0';
		out[strcspn(out, "\n")] = '\0';
	} else if (WIFEXITED(status)) {
		snprintf(out, cap, "exit status %d", WEXITSTATUS(status));
	} else {
		snprintf(out, cap, "killed by signal %d", WTERMSIG(status));
	}
}

/* Waits for the decompressor; true when it succeeded. */
static bool reap(struct src *s, char *why, size_t cap)
{
	int status = 0;
	pid_t r;

	do
		r = waitpid(s->pid, &status, 0);
	while (r < 0 && errno == EINTR);
	s->pid = 0;
	if (r < 0) {
		snprintf(why, cap, "cannot wait for it: %s", strerror(errno));
		return false;
	}
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 ||
				  WEXITSTATUS(status) == s->tool->warn_status))
		return true;
	tool_complaint(s, status, why, cap);
	return false;
}

/*
 * Ends the stream. After a clean end of archive the rest of the stream is
 * read, so that the decompressor finishes and its checks of the data count;
 * after another error it is killed. Its failure becomes the error, or is
 * added to a "truncated" one, which it usually explains.
 */
static int src_close(struct job *j, int rc)
{
	struct src *s = &j->src;
	const unsigned char *p;
	char why[200];
	ssize_t n;

	if (s->pid && rc == 0) {
		while ((n = src_take(s, UINT64_MAX, &p)) > 0)
			;
		if (n < 0)
			rc = stream_error(j);
	}
	if (s->pid && rc < 0 && !s->eof)
		kill(s->pid, SIGKILL);
	close(s->fd);
	s->fd = -1;
	if (s->pid && !reap(s, why, sizeof(why)) && (rc == 0 || s->eof)) {
		if (rc == 0)
			rc = fail(j, "%s -dc failed: %s", s->tool->cmd, why);
		else if (j->err)
			snprintf(j->err->msg + strlen(j->err->msg),
				 sizeof(j->err->msg) - strlen(j->err->msg), " (%s -dc: %s)",
				 s->tool->cmd, why);
	}
	src_free(s);
	return rc;
}

/* ---- names ---- */

/*
 * Appends raw's components to out, dropping empty ones and "."; ".." removes
 * the component before it. Returns how many ".." found nothing to remove
 * (they climb above where raw starts), or -1 when raw is absolute.
 */
static int climb(const char *raw, struct mmt_sb *out)
{
	const char *p, *e;
	int up = 0;

	mmt_sb_reset(out);
	if (raw[0] == '/')
		return -1;
	for (p = raw; *p; p = *e ? e + 1 : e) {
		size_t n;

		e = strchrnul(p, '/');
		n = (size_t)(e - p);
		if (n == 0 || (n == 1 && p[0] == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			const char *slash;

			if (!out->len) {
				up++;
				continue;
			}
			slash = memrchr(out->buf, '/', out->len);
			out->len = slash ? (size_t)(slash - out->buf) : 0;
			out->buf[out->len] = '\0';
			continue;
		}
		if (out->len)
			mmt_sb_addc(out, '/');
		mmt_sb_add(out, p, n);
	}
	return up;
}

/* Refuses a member past the limits of count, path length and depth. */
static int check_shape(struct job *j)
{
	const struct mmt_sb *name = &j->m.name;
	uint64_t depth = name->len > 0;

	if (++j->members > j->lim->members)
		return fail(j, "member '%s': more than %" PRIu64 " members in the archive "
			    "(MMT_TAR_MAX_MEMBERS)", member_name(j), j->lim->members);
	if (name->len > j->lim->path)
		return fail(j, "member '%.64s...': a path of %zu bytes, more than %" PRIu64
			    " (MMT_TAR_MAX_PATH)", member_name(j), name->len, j->lim->path);
	for (size_t i = 0; i < name->len; i++)
		depth += name->buf[i] == '/';
	if (depth > j->lim->depth)
		return fail(j, "member '%s': %" PRIu64 " directories deep, more than %" PRIu64
			    " (MMT_TAR_MAX_DEPTH)", member_name(j), depth, j->lim->depth);
	return 0;
}

/* Sets m->name from m->raw; refuses names that leave the root. */
static int check_name(struct job *j)
{
	int up = climb(member_name(j), &j->m.name);

	if (up < 0)
		return fail(j, "member '%s': absolute path leaves the archive root",
			    member_name(j));
	if (up > 0)
		return fail(j, "member '%s': path leaves the archive root", member_name(j));
	return check_shape(j);
}

/* ---- the destination tree ---- */

/* Why component c (of the member's name, ending at end) cannot be entered. */
static int refuse_dir(struct job *j, int dir, const char *c, const char *name,
		      const char *end, int e)
{
	struct stat st;

	if (fstatat(dir, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return fail(j, "member '%s': '%.*s' is a symlink; refusing to write through it",
			    member_name(j), (int)(end - name), name);
	if (e == ENOTDIR)
		return fail(j, "member '%s': '%.*s' is not a directory", member_name(j),
			    (int)(end - name), name);
	return fail(j, "member '%s': cannot open directory '%.*s': %s", member_name(j),
		    (int)(end - name), name, strerror(e));
}

/* Enters component [p, end) of name below dir, creating it when create is set.
   Returns the new directory fd, -1 with err filled, or -2 when it is missing. */
static int enter(struct job *j, int dir, const char *name, const char *p,
		 const char *end, bool create)
{
	char c[NAME_MAX + 1];
	int fd;

	if ((size_t)(end - p) > NAME_MAX)
		return fail(j, "member '%s': a name component is longer than %d bytes",
			    member_name(j), NAME_MAX);
	memcpy(c, p, (size_t)(end - p));
	c[end - p] = '\0';
	if (create && mkdirat(dir, c, 0755) < 0 && errno != EEXIST)
		return fail(j, "member '%s': cannot create directory '%.*s': %s",
			    member_name(j), (int)(end - name), name, strerror(errno));
	fd = openat(dir, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT && !create)
		return -2;
	return refuse_dir(j, dir, c, name, end, errno);
}

/* Opens the directory name[0..len) (normalised) below the root, one real
   directory at a time. Returns an fd, -1 with err filled, or -2 (missing). */
static int walk(struct job *j, const char *name, size_t len, bool create)
{
	const char *p = name, *end = name + len;
	int fd = fcntl(j->root, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return fail(j, "cannot duplicate a descriptor: %s", strerror(errno));
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		int sub;

		if (!slash)
			slash = end;
		sub = enter(j, fd, name, p, slash, create);
		close(fd);
		if (sub < 0)
			return sub;
		fd = sub;
		p = slash + 1;
	}
	return fd;
}

/* The directory that holds name's last component, which *base is set to. */
static int open_parent(struct job *j, const char *name, bool create, const char **base)
{
	const char *slash = strrchr(name, '/');

	*base = slash ? slash + 1 : name;
	return walk(j, name, slash ? (size_t)(slash - name) : 0, create);
}

/* Makes room for a new entry where a duplicate member left a non-directory. */
static int free_name(int dir, const char *base)
{
	struct stat st;

	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	return unlinkat(dir, base, 0);
}

static int copy_data(struct job *j, int fd, uint64_t n)
{
	const unsigned char *p;
	ssize_t k;

	for (; n; n -= (uint64_t)k) {
		if ((k = src_take(&j->src, n, &p)) <= 0)
			return stream_error(j);
		if (mmt_write_all(fd, p, (size_t)k) < 0)
			return fail(j, "member '%s': cannot write: %s", member_name(j),
				    strerror(errno));
	}
	return 0;
}

/* ---- members ---- */

static int create_file(int dir, const char *base)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dir, base, flags, 0644);

	if (fd < 0 && errno == EEXIST && free_name(dir, base) == 0)
		fd = openat(dir, base, flags, 0644);
	return fd;
}

/* The time the file was collected: the time of its snapshot when it prints none. */
static void keep_mtime(int fd, double mtime)
{
	struct timespec ts[2];

	if (mtime <= 0)
		return;
	ts[0].tv_sec = ts[1].tv_sec = (time_t)mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = (long)((mtime - (double)(time_t)mtime) * 1e9);
	futimens(fd, ts);
}

/* Refuses a file to be written past the limits of bytes, before any is. */
static int check_size(struct job *j)
{
	uint64_t size = j->m.size;

	if (size > j->lim->file_bytes)
		return fail(j, "member '%s': %" PRIu64 " bytes, more than a file may have "
			    "(MMT_TAR_MAX_FILE, %" PRIu64 ")", member_name(j), size,
			    j->lim->file_bytes);
	if (size > j->lim->total_bytes - j->st.bytes)
		return fail(j, "member '%s': %" PRIu64 " bytes more would pass the %" PRIu64
			    " the files of an archive may have (MMT_TREE_MAX_BYTES)",
			    member_name(j), size, j->lim->total_bytes);
	return 0;
}

static int do_file(struct job *j)
{
	const char *name = mmt_sb_str(&j->m.name), *base;
	int dir, fd, rc;

	if (!j->m.name.len)
		return fail(j, "member '%s': a file without a name", member_name(j));
	if (j->want && !j->want(j->ctx, name, j->m.size)) {
		j->st.skipped++;
		return skip(j, j->m.size);
	}
	if (check_size(j) < 0)
		return -1;
	if ((dir = open_parent(j, name, true, &base)) < 0)
		return -1;
	fd = create_file(dir, base);
	close(dir);
	if (fd < 0)
		return fail(j, "member '%s': cannot create: %s", member_name(j), strerror(errno));
	rc = copy_data(j, fd, j->m.size);
	if (rc == 0)
		keep_mtime(fd, j->m.mtime);
	if (close(fd) < 0 && rc == 0)
		rc = fail(j, "member '%s': cannot write: %s", member_name(j), strerror(errno));
	if (rc == 0) {
		j->st.files++;
		j->st.bytes += j->m.size;
	}
	return rc;
}

static int do_dir(struct job *j)
{
	int fd;

	if (!j->m.name.len)
		return 0;	/* "./": the root itself */
	fd = walk(j, mmt_sb_str(&j->m.name), j->m.name.len, true);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Sets j->tmp to the link's target in canonical form, or refuses it. */
static int symlink_target(struct job *j)
{
	const char *name = mmt_sb_str(&j->m.name), *link = mmt_sb_str(&j->m.link);
	struct mmt_sb names = MMT_SB_INIT;
	int depth = 0, up;

	for (const char *p = name; *p; p++)
		depth += *p == '/';
	up = climb(link, &names);
	if (up < 0 || up > depth) {
		mmt_sb_free(&names);
		return fail(j, "member '%s': symlink to %s'%s' leaves the archive root",
			    member_name(j), up < 0 ? "absolute path " : "", link);
	}
	mmt_sb_reset(&j->tmp);
	for (int i = 0; i < up; i++)
		mmt_sb_adds(&j->tmp, i ? "/.." : "..");
	if (up && names.len)
		mmt_sb_addc(&j->tmp, '/');
	mmt_sb_adds(&j->tmp, mmt_sb_str(&names));
	if (!j->tmp.len)
		mmt_sb_addc(&j->tmp, '.');
	mmt_sb_free(&names);
	return 0;
}

static int do_symlink(struct job *j)
{
	const char *base;
	int dir, r;

	if (!j->m.name.len || !j->m.link.len)
		return fail(j, "member '%s': a symlink without a name or a target",
			    member_name(j));
	if (symlink_target(j) < 0)
		return -1;
	if ((dir = open_parent(j, mmt_sb_str(&j->m.name), true, &base)) < 0)
		return -1;
	r = symlinkat(mmt_sb_str(&j->tmp), dir, base);
	if (r < 0 && errno == EEXIST && free_name(dir, base) == 0)
		r = symlinkat(mmt_sb_str(&j->tmp), dir, base);
	close(dir);
	if (r < 0)
		return fail(j, "member '%s': cannot create symlink: %s", member_name(j),
			    strerror(errno));
	j->st.links++;
	return 0;
}

/* Links name to the existing entry tbase of tdir; st describes that entry. */
static int make_hardlink(struct job *j, int tdir, const char *tbase, const struct stat *st)
{
	const char *name = mmt_sb_str(&j->m.name), *base;
	int dir, r;

	if (S_ISDIR(st->st_mode))
		return fail(j, "member '%s': hard link to a directory", member_name(j));
	if (S_ISREG(st->st_mode) && j->want && !j->want(j->ctx, name, (uint64_t)st->st_size)) {
		j->st.skipped++;
		return 0;
	}
	if ((dir = open_parent(j, name, true, &base)) < 0)
		return -1;
	/* Flags 0: a symlink target is linked itself, not followed. */
	r = linkat(tdir, tbase, dir, base, 0);
	if (r < 0 && errno == EEXIST && free_name(dir, base) == 0)
		r = linkat(tdir, tbase, dir, base, 0);
	close(dir);
	if (r < 0)
		return fail(j, "member '%s': cannot create hard link: %s", member_name(j),
			    strerror(errno));
	if (S_ISREG(st->st_mode))
		j->st.files++;
	else
		j->st.links++;
	return 0;
}

/* The target is another member's name, relative to the root like the
   member's own; one that was declined or never came is skipped. */
static int do_hardlink(struct job *j)
{
	const char *target, *tbase;
	struct stat st;
	int tdir, rc;

	if (climb(mmt_sb_str(&j->m.link), &j->tmp) != 0)
		return fail(j, "member '%s': hard link to '%s' leaves the archive root",
			    member_name(j), mmt_sb_str(&j->m.link));
	target = mmt_sb_str(&j->tmp);
	if (!j->m.name.len || !j->tmp.len)
		return fail(j, "member '%s': a hard link without a name or a target",
			    member_name(j));
	if (!strcmp(target, mmt_sb_str(&j->m.name)))
		return 0;
	tdir = open_parent(j, target, false, &tbase);
	if (tdir == -1)
		return -1;
	if (tdir < 0 || fstatat(tdir, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (tdir >= 0)
			close(tdir);
		j->st.skipped++;
		return 0;
	}
	rc = make_hardlink(j, tdir, tbase, &st);
	close(tdir);
	return rc;
}

/* Old GNU sparse members may continue their map in extra 512-byte blocks. */
static int skip_sparse_map(struct job *j)
{
	unsigned char b[BLOCK] = { 0 };
	bool more = j->hdr[H_GNU_EXTENDED];

	while (more) {
		if (need(j, b, BLOCK) < 0)
			return -1;
		more = b[H_SPARSE_MORE];
	}
	return 0;
}

/* Regular files and unknown types carry data; links, dirs and devices none. */
static int do_member(struct job *j)
{
	struct member *m = &j->m;
	uint64_t data = m->size;
	int rc;

	if (check_name(j) < 0)
		return -1;
	switch (m->type) {
	case '0': case '\0': case '7':
		rc = do_file(j);
		data = 0;
		break;
	case '5':
		rc = do_dir(j);
		data = m->size = 0;
		break;
	case '2':
		rc = do_symlink(j);
		data = m->size = 0;
		break;
	case '1':
		rc = do_hardlink(j);
		data = m->size = 0;
		break;
	case 'S':
		rc = skip_sparse_map(j);
		j->st.skipped++;
		break;
	default:		/* devices, fifos, GNU volume labels... */
		if (m->type >= '3' && m->type <= '6')
			data = m->size = 0;
		j->st.skipped++;
		rc = 0;
	}
	if (rc == 0)
		rc = skip(j, data + padding(m->size));
	return rc;
}

/* ---- headers ---- */

static bool is_key(const char *key, size_t klen, const char *want)
{
	return klen == strlen(want) && !memcmp(key, want, klen);
}

static int pax_size(struct job *j, uint64_t vlen)
{
	char num[24];
	unsigned long long v;

	if (vlen == 0 || vlen >= sizeof(num))
		return fail(j, "bad PAX size at byte %" PRIu64, j->at);
	if (need(j, (unsigned char *)num, (size_t)vlen) < 0)
		return -1;
	num[vlen] = '\0';
	errno = 0;
	v = strtoull(num, NULL, 10);
	if (strspn(num, "0123456789") != vlen || errno)
		return fail(j, "bad PAX size at byte %" PRIu64, j->at);
	j->ext.size = v;
	j->ext.has_size = true;
	return 0;
}

/* "mtime=1795300470.42482": sos collects files at different moments. */
static int pax_mtime(struct job *j, uint64_t vlen)
{
	char num[40];
	char *end;

	if (vlen == 0 || vlen >= sizeof(num))
		return skip(j, vlen);
	if (need(j, (unsigned char *)num, (size_t)vlen) < 0)
		return -1;
	num[vlen] = '\0';
	j->ext.mtime = strtod(num, &end);
	j->ext.has_mtime = end != num;
	return 0;
}

static int pax_value(struct job *j, const char *key, size_t klen, uint64_t vlen)
{
	struct ext *x = &j->ext;
	struct mmt_sb *sb = is_key(key, klen, "path") ? &x->path :
			    is_key(key, klen, "linkpath") ? &x->link : NULL;

	if (is_key(key, klen, "size"))
		return pax_size(j, vlen);
	if (is_key(key, klen, "mtime"))
		return pax_mtime(j, vlen);
	if (!sb)
		return skip(j, vlen);
	if (vlen > NAME_CAP)
		return fail(j, "PAX header at byte %" PRIu64 ": a name of %" PRIu64 " bytes",
			    j->at, vlen);
	if (read_into(j, sb, vlen) < 0)
		return -1;
	if (strlen(mmt_sb_str(sb)) != sb->len)
		return fail(j, "PAX header at byte %" PRIu64 ": a name with a NUL byte", j->at);
	/* An empty value cancels the keyword: the header field counts again. */
	if (sb == &x->path)
		x->has_path = sb->len > 0;
	else
		x->has_link = sb->len > 0;
	return 0;
}

/* One record "LEN key=value\n", LEN counting the whole record. */
static int pax_record(struct job *j, uint64_t *left)
{
	uint64_t len = 0, used = 0;
	char key[16];
	size_t klen = 0;
	int c;

	/* 19 digits cannot overflow; more are refused below */
	while ((c = get(j)) >= '0' && c <= '9' && used < 19) {
		len = len * 10 + (uint64_t)(c - '0');
		used++;
	}
	if (c < 0)
		return -1;
	if (c != ' ' || !used || len > *left)
		return fail(j, "bad PAX extended header at byte %" PRIu64, j->at);
	for (used++; (c = get(j)) != '='; used++) {
		if (c < 0)
			return -1;
		if (used + 2 >= len)
			return fail(j, "bad PAX extended header at byte %" PRIu64, j->at);
		/* keys longer than key[] are none of ours: kept too long to match */
		key[klen < sizeof(key) ? klen++ : klen - 1] = (char)c;
	}
	if (++used >= len || pax_value(j, key, klen, len - used - 1) < 0)
		return used >= len ? fail(j, "bad PAX extended header at byte %" PRIu64, j->at)
				   : -1;
	if ((c = get(j)) != '\n')
		return c < 0 ? -1 : fail(j, "bad PAX extended header at byte %" PRIu64, j->at);
	*left -= len;
	return 0;
}

/* Only path, linkpath and size matter; other values (extended attributes,
   times) are skipped as they stream by, so a big header costs no memory. */
static int read_pax(struct job *j, uint64_t size)
{
	uint64_t left = size;

	while (left)
		if (pax_record(j, &left) < 0)
			return -1;
	return skip(j, padding(size));
}

/* GNU 'L' and 'K': the next member's name or link target, NUL-terminated. */
static int read_long(struct job *j, struct mmt_sb *sb, bool *has, uint64_t size)
{
	if (size > NAME_CAP)
		return fail(j, "GNU long name of %" PRIu64 " bytes at byte %" PRIu64, size, j->at);
	if (read_into(j, sb, size) < 0)
		return -1;
	sb->len = strlen(mmt_sb_str(sb));
	*has = sb->len > 0;
	return skip(j, padding(size));
}

/* The member's names and size, from its header and the extended ones before it. */
static void take_header(struct job *j, uint64_t size)
{
	uint64_t mtime;
	const char *h = (const char *)j->hdr;
	struct member *m = &j->m;
	struct ext *x = &j->ext;

	mmt_sb_reset(&m->raw);
	if (x->has_path) {
		mmt_sb_add(&m->raw, x->path.buf, x->path.len);
	} else {
		/* POSIX ustar only: GNU keeps times where the prefix would be. */
		if (!memcmp(h + H_MAGIC, "ustar", 6) && h[H_PREFIX]) {
			mmt_sb_add(&m->raw, h + H_PREFIX, strnlen(h + H_PREFIX, 155));
			mmt_sb_addc(&m->raw, '/');
		}
		mmt_sb_add(&m->raw, h + H_NAME, strnlen(h + H_NAME, 100));
	}
	mmt_sb_reset(&m->link);
	if (x->has_link)
		mmt_sb_add(&m->link, x->link.buf, x->link.len);
	else
		mmt_sb_add(&m->link, h + H_LINK, strnlen(h + H_LINK, 100));
	m->size = x->has_size ? x->size : size;
	m->mtime = 0;
	if (x->has_mtime)
		m->mtime = x->mtime;
	else if (parse_number(j->hdr + H_MTIME, 12, &mtime))
		m->mtime = (double)mtime;
	m->type = (char)j->hdr[H_TYPE];
	/* v7 had no directory type: a regular file whose name ends in '/'. */
	if ((m->type == '0' || m->type == '\0' || m->type == '7') && m->raw.len &&
	    m->raw.buf[m->raw.len - 1] == '/')
		m->type = '5';
	x->has_path = x->has_link = x->has_size = x->has_mtime = false;
}

/* Reads one header and what belongs to it; *end is set at the end of the archive. */
static int step(struct job *j, bool *end)
{
	uint64_t size;

	j->at = j->src.off;
	if (need(j, j->hdr, BLOCK) < 0)
		return -1;
	if (all_zero(j->hdr, BLOCK)) {
		*end = true;
		return 0;
	}
	if (!checksum_ok(j->hdr))
		return fail(j, j->at ? "bad header checksum at byte %" PRIu64 :
			    "not a tar archive: bad header checksum at byte %" PRIu64, j->at);
	if (!parse_number(j->hdr + H_SIZE, 12, &size))
		return fail(j, "bad size field in the header at byte %" PRIu64, j->at);
	switch (j->hdr[H_TYPE]) {
	case 'x':
		return read_pax(j, size);
	case 'g':
		return skip(j, size + padding(size));
	case 'L':
		return read_long(j, &j->ext.path, &j->ext.has_path, size);
	case 'K':
		return read_long(j, &j->ext.link, &j->ext.has_link, size);
	}
	take_header(j, size);
	return do_member(j);
}

const struct mmt_tar_limits mmt_tar_limits_default = {
	.members = MMT_TAR_MAX_MEMBERS, .depth = MMT_TAR_MAX_DEPTH, .path = MMT_TAR_MAX_PATH,
	.file_bytes = MMT_TAR_MAX_FILE, .total_bytes = MMT_TREE_MAX_BYTES,
	.stream_bytes = MMT_TAR_MAX_STREAM,
};

int mmt_tar_extract(const char *archive, const char *dest, mmt_tar_want want, void *ctx,
		    struct mmt_tar_stats *stats, struct mmt_err *err)
{
	return mmt_tar_extract_limited(archive, dest, want, ctx, &mmt_tar_limits_default,
				       stats, err);
}

int mmt_tar_extract_limited(const char *archive, const char *dest, mmt_tar_want want,
			    void *ctx, const struct mmt_tar_limits *limits,
			    struct mmt_tar_stats *stats, struct mmt_err *err)
{
	struct job j = { .archive = archive, .lim = limits, .want = want, .ctx = ctx,
			 .err = err };
	bool end = false;
	int rc;

	j.root = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j.root < 0)
		return mmt_err_at(err, dest, 0, "cannot open directory: %s", strerror(errno));
	j.src.max = limits->stream_bytes;
	rc = src_open(&j.src, archive, err);
	if (rc == 0) {
		while (rc == 0 && !end)
			rc = step(&j, &end);
		rc = src_close(&j, rc);
	} else {
		src_free(&j.src);
	}
	close(j.root);
	mmt_sb_free(&j.ext.path);
	mmt_sb_free(&j.ext.link);
	mmt_sb_free(&j.m.raw);
	mmt_sb_free(&j.m.name);
	mmt_sb_free(&j.m.link);
	mmt_sb_free(&j.tmp);
	if (stats)
		*stats = j.st;
	return rc;
}
