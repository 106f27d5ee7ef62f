/*
 * Trees: sosreports and capture directories, as directories or tarballs.
 * See tree.h. Files are found by role (the paths sos and `mmtriage record`
 * write them at), not by walking everything: a sosreport holds thousands of
 * files of which a dozen matter here, and the account says which of those
 * were there.
 */
#include "parsers/tree.h"
#include "parsers/series_time.h"
#include "parsers/slab_aliases.h"
#include "parsers/vmcore.h"
#include "core/strbuf.h"
#include "core/tar.h"
#include "core/tmp.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define IN_SOS 1u
#define IN_CAPTURE 2u
#define IN_VMCORE 4u
/* Bytes of a file read for what the tree says of itself (capture.info,
   proc/stat, uname...): /proc/stat of a machine with thousands of CPUs
   and interrupts is a few MB; a longer one is not one of those files. */
#define MMT_TREE_META_MAX (16u << 20)

/*
 * A role: what a file is, the parser that reads it and where sos (4.x) and
 * capture directories put it. Every existing path of a role is ingested
 * (free and free -m, dmesg and the syslog files). `in` says in which trees
 * a missing role is worth reporting; a role without a parser is sniffed.
 */
struct role {
	const char *name;
	const char *as;			/* parser, NULL to sniff; "slab_dir" for a /sys/kernel/slab copy */
	unsigned in;
	const char *paths[6];
};

static const struct role roles[] = {
	{ "kernel_log", "kernel_log", IN_SOS | IN_CAPTURE,
	  { "dmesg.txt", "kmsg.txt", "sos_commands/kernel/dmesg", "var/log/kern.log*",
	    "var/log/messages*", "var/log/syslog*" } },
	{ "vmcore_dmesg", "kernel_log", 0, { "var/crash/*/vmcore-dmesg.txt", "vmcore-dmesg.txt" } },
	{ "crash_session", "crash", IN_VMCORE, { "crash-session.txt" } },
	{ "meminfo", "meminfo", IN_SOS | IN_CAPTURE, { "proc/meminfo" } },
	{ "vmstat", "vmstat", IN_SOS | IN_CAPTURE, { "proc/vmstat" } },
	{ "zoneinfo", "zoneinfo", IN_SOS | IN_CAPTURE, { "proc/zoneinfo" } },
	{ "buddyinfo", "buddyinfo", IN_SOS | IN_CAPTURE, { "proc/buddyinfo" } },
	{ "pagetypeinfo", "pagetypeinfo", IN_SOS | IN_CAPTURE, { "proc/pagetypeinfo" } },
	{ "slabinfo", "slabinfo", IN_SOS | IN_CAPTURE, { "proc/slabinfo" } },
	{ "slabtop", "slabtop", IN_SOS, { "sos_commands/memory/slabtop_-o" } },
	{ "slab_aliases", "slab_aliases", IN_SOS,
	  { "sos_commands/kernel/ls_-lt_.sys.kernel.slab" } },
	{ "slab_sysfs", "slab_dir", IN_CAPTURE, { "sys/kernel/slab" } },
	{ "interrupts", "interrupts", IN_SOS | IN_CAPTURE, { "proc/interrupts" } },
	{ "swaps", "swaps", IN_SOS | IN_CAPTURE, { "proc/swaps" } },
	{ "psi", "psi", IN_CAPTURE,
	  { "proc/pressure/memory", "proc/pressure/io", "proc/pressure/cpu",
	    "proc/pressure/irq" } },
	{ "free", "free", IN_SOS,
	  { "sos_commands/memory/free", "sos_commands/memory/free_-m" } },
	/* Traces: trace.dat, or their text (trace-cmd report, perf script). */
	{ "trace", NULL, 0, { "trace*.dat", "trace.txt", "perf-script.txt" } },
};

/* Files that tell what a tree is and when and where it was made. */
static const char *const meta_paths[] = {
	"capture.info", "version.txt", "hostname", "uname", "proc/stat",
	"sos_commands/date/date_--utc", "sos_commands/date/date",
	"sos_commands/kernel/uname_-a", "sos_commands/host/hostname", NULL,
};

static const char *const archive_suffixes[] = {
	".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar.zst", NULL,
};

struct tree {
	struct mmt_store *st;
	const struct mmt_ingest_opts *o;
	mmt_ingest_cb cb;
	void *ctx;
	const char *root;		/* where the files are read */
	const char *shown;		/* how the user knows the root */
	unsigned kind;			/* IN_SOS, IN_CAPTURE or IN_VMCORE */
	int64_t tree_id;
	char hostname[256], kernel[128];
	const char *reader;		/* program that read a vmcore, NULL for other trees */
	const char *lost;		/* what a vmcore's reading left out, NULL when nothing */
	double btime;
	double collected;		/* when the tree was made, Unix seconds */
	int64_t page_size;
	struct mmt_sb missing;
	struct mmt_tree_summary sum;
};

static bool is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static char *join(const char *a, const char *b)
{
	char *s = xmalloc(strlen(a) + strlen(b) + 2);

	sprintf(s, "%s/%s", a, b);
	return s;
}

/*
 * Where root/rel really is, malloc'd, when that is inside root: a tree's
 * symlinks may point at its other files (sosreports link dmesg to
 * sos_commands/kernel/dmesg), but one that leaves it (to /etc/shadow, to
 * /proc/meminfo) would read this machine's file as if it had been
 * collected. NULL with why set when it leaves, or is absent ("").
 */
static char *resolve_inside(const char *root, const char *rel, char *why, size_t n)
{
	char *path = join(root, rel), *real = realpath(path, NULL);
	char *top = realpath(root, NULL);
	size_t k = top ? strlen(top) : 0;

	why[0] = '\0';
	if (real && top && strncmp(real, top, k) == 0 && (real[k] == '/' || !real[k])) {
		free(path);
		free(top);
		return real;
	}
	if (real)
		snprintf(why, n, "a symlink to '%s', outside the tree: not followed", real);
	free(path);
	free(real);
	free(top);
	return NULL;
}

/*
 * Opens root/rel for reading when it is a regular file inside the tree:
 * never a FIFO (opening one waits for a writer), a device (/dev/zero never
 * ends) or a socket. Returns an fd, or -1 with why set ("" when absent).
 */
static int open_inside(const char *root, const char *rel, char *why, size_t n)
{
	char *real = resolve_inside(root, rel, why, n);
	struct stat sb;
	int fd;

	if (!real)
		return -1;
	fd = open(real, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	free(real);
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0)
		snprintf(why, n, "cannot stat: %s", strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		snprintf(why, n, "%s, not a regular file", mmt_file_type(sb.st_mode));
	else
		return fd;
	close(fd);
	return -1;
}

/* A small file of the tree, read no further than MMT_TREE_META_MAX. */
static FILE *open_meta(const char *root, const char *rel)
{
	char why[256];
	int fd = open_inside(root, rel, why, sizeof(why));
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

/*
 * root/pattern for glob(), root's own *, ?, [ and \ escaped: the tree's
 * directory is named by whoever made it, and "logs[1]" must not match
 * "logs1".
 */
static char *glob_under(const char *root, const char *pattern)
{
	char *s = xmalloc(2 * strlen(root) + strlen(pattern) + 2), *p = s;

	for (; *root; root++) {
		if (strchr("*?[\\", *root))
			*p++ = '\\';
		*p++ = *root;
	}
	sprintf(p, "/%s", pattern);
	return s;
}

/* The first line of root/rel (at most cap - 1 bytes), "" when absent. */
static void first_line(const char *root, const char *rel, char *out, size_t cap)
{
	FILE *f = open_meta(root, rel);

	out[0] = '\0';
	if (f) {
		if (fgets(out, (int)cap, f))
			out[strcspn(out, "\r\n")] = '\0';
		fclose(f);
	}
}

/* The value of "key=value" or "key value" lines of a small file. */
static bool file_value(const char *root, const char *rel, const char *key, char sep,
		       char *out, size_t cap)
{
	char line[512];
	FILE *f = open_meta(root, rel);
	size_t k = strlen(key);
	bool found = false;

	if (!f)
		return false;
	while (!found && ftell(f) < MMT_TREE_META_MAX && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, k) || line[k] != sep)
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		snprintf(out, cap, "%s", line + k + 1);
		found = true;
	}
	fclose(f);
	return found;
}

static unsigned dir_kind(const char *dir)
{
	char *p, line[128];
	unsigned kind = 0;

	first_line(dir, "capture.info", line, sizeof(line));
	if (!strncmp(line, "format=mmtriage-capture", 23))
		return IN_CAPTURE;
	p = join(dir, "sos_commands");
	if (is_dir(p))
		kind = IN_SOS;
	free(p);
	first_line(dir, "version.txt", line, sizeof(line));
	if (strstr(line, "sosreport"))
		kind = IN_SOS;
	return kind;
}

static bool archive_name(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; archive_suffixes[i]; i++) {
		size_t k = strlen(archive_suffixes[i]);

		if (n > k && !strcmp(path + n - k, archive_suffixes[i]))
			return true;
	}
	return false;
}

enum mmt_tree_kind mmt_tree_detect(const char *path)
{
	char head[512];
	ssize_t got;
	int fd;

	if (is_dir(path)) {
		unsigned k = dir_kind(path);

		return k == IN_SOS ? MMT_TREE_SOSREPORT :
		       k == IN_CAPTURE ? MMT_TREE_CAPTURE : MMT_TREE_NONE;
	}
	if (mmt_vmcore_detect(path) != MMT_VMCORE_NONE)
		return MMT_TREE_VMCORE;
	if (!archive_name(path))
		return MMT_TREE_NONE;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return MMT_TREE_NONE;
	got = read(fd, head, sizeof(head));
	close(fd);
	return got > 0 && mmt_tar_sniff(head, (size_t)got) ? MMT_TREE_ARCHIVE : MMT_TREE_NONE;
}

/* sos runs `date --utc` (older ones `date`) as it collects. */
static void collection_time(struct tree *t)
{
	static const char *const files[] = {
		"sos_commands/date/date_--utc", "sos_commands/date/date", "date", NULL,
	};
	char line[128];
	bool zone_known;

	for (size_t i = 0; files[i] && t->collected <= 0; i++) {
		first_line(t->root, files[i], line, sizeof(line));
		if (!mmt_time_line(line, strlen(line), &t->collected, &zone_known))
			t->collected = 0;
	}
}

/*
 * /proc/stat's btime is whole seconds, so logs and traces placed by it can
 * sit up to a second early against samples timed by `date +%s.%N`. A
 * capture that records its start in both clocks gives the boot time to the
 * resolution of those two readings; it is taken when it agrees with btime.
 */
static void precise_boot_time(struct tree *t)
{
	char v[64];
	double uptime, boot;

	if (t->collected <= 0 ||
	    !file_value(t->root, "capture.info", "uptime_at_start", '=', v, sizeof(v)))
		return;
	uptime = strtod(v, NULL);
	boot = t->collected - uptime;
	if (uptime > 0 && (t->btime <= 0 || fabs(boot - t->btime) < 2))
		t->btime = boot;
}

/*
 * `mmtriage record` measures the trace's clock (the printk clock) against
 * the wall clock when it starts: that difference places monotonic logs and
 * traces more closely than any boot time derived from whole seconds.
 */
static bool measured_clock_offset(struct tree *t)
{
	char v[64], *end;
	double offset;

	if (!file_value(t->root, "capture.info", "clock_offset", '=', v, sizeof(v)))
		return false;
	offset = strtod(v, &end);
	if (end == v || !(offset > 0))
		return false;
	t->btime = offset;
	return true;
}

/* What the tree records about its machine: name, release, boot time. */
static void read_meta(struct tree *t)
{
	char v[256];

	if (t->kind == IN_VMCORE)
		return;		/* ingest_vmcore has what crash said of it */
	if (t->kind == IN_CAPTURE) {
		file_value(t->root, "capture.info", "hostname", '=', t->hostname,
			   sizeof(t->hostname));
		file_value(t->root, "capture.info", "kernel", '=', t->kernel, sizeof(t->kernel));
		if (file_value(t->root, "capture.info", "btime", '=', v, sizeof(v)))
			t->btime = strtod(v, NULL);
		if (file_value(t->root, "capture.info", "page_size", '=', v, sizeof(v)))
			t->page_size = strtoll(v, NULL, 10);
		if (file_value(t->root, "capture.info", "started", '=', v, sizeof(v)))
			t->collected = strtod(v, NULL);
		if (!measured_clock_offset(t))
			precise_boot_time(t);
		return;
	}
	collection_time(t);
	first_line(t->root, "hostname", t->hostname, sizeof(t->hostname));
	if (!t->hostname[0])
		first_line(t->root, "sos_commands/host/hostname", t->hostname,
			   sizeof(t->hostname));
	first_line(t->root, "uname", v, sizeof(v));
	if (!v[0])
		first_line(t->root, "sos_commands/kernel/uname_-a", v, sizeof(v));
	/* "Linux HOST RELEASE #1 SMP ...": the third field. */
	if (sscanf(v, "%*s %*s %127s", t->kernel) != 1)
		t->kernel[0] = '\0';
	if (file_value(t->root, "proc/stat", "btime", ' ', v, sizeof(v)))
		t->btime = strtod(v, NULL);
}

static const char sql_insert_tree[] =
	"INSERT INTO trees (path, kind, hostname, kernel, btime, ingested_at, reader) "
	"VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_insert_tree_file[] =
	"INSERT INTO tree_files (tree_id, role, path, status, source_id, note) "
	"VALUES (?, ?, ?, ?, ?, ?)";
/* Monotonic logs of the tree move onto the wall clock by the boot time. */
static const char sql_tree_offsets[] =
	"UPDATE sources SET t_offset = ?1 WHERE tree_id = ?2 AND clock = 'monotonic'";

static int insert_tree(struct tree *t, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(t->st, sql_insert_tree, err);
	char now[32];
	time_t clock = time(NULL);

	if (!s)
		return -1;
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&clock));
	mmt_bind_text(s, 1, t->sum.path);
	mmt_bind_text(s, 2, t->sum.kind);
	mmt_bind_text(s, 3, t->hostname[0] ? t->hostname : NULL);
	mmt_bind_text(s, 4, t->kernel[0] ? t->kernel : NULL);
	mmt_bind_double_opt(s, 5, t->btime, t->btime > 0);
	mmt_bind_text(s, 6, now);
	mmt_bind_text(s, 7, t->reader);
	if (mmt_store_run(t->st, s, err) < 0)
		return -1;
	t->tree_id = mmt_store_last_id(t->st);
	return 0;
}

static int account(struct tree *t, const char *role, const char *rel, const char *status,
		   int64_t source, const char *note, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(t->st, sql_insert_tree_file, err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, t->tree_id);
	mmt_bind_text(s, 2, role);
	mmt_bind_text(s, 3, rel);
	mmt_bind_text(s, 4, status);
	mmt_bind_int_opt(s, 5, source, source > 0);
	mmt_bind_text(s, 6, note && note[0] ? note : NULL);
	return mmt_store_run(t->st, s, err);
}

static const char *status_name(enum mmt_ingest_status s)
{
	switch (s) {
	case MMT_INGESTED: return "ingested";
	case MMT_INGEST_DUPLICATE: return "duplicate";
	case MMT_INGEST_SKIPPED: return "skipped";
	case MMT_INGEST_INTERRUPTED: return "interrupted";
	default: return "failed";
	}
}

static void count(struct tree *t, enum mmt_ingest_status s)
{
	switch (s) {
	case MMT_INGESTED: t->sum.ingested++; break;
	case MMT_INGEST_DUPLICATE: t->sum.duplicates++; break;
	case MMT_INGEST_SKIPPED: t->sum.skipped++; break;
	default: t->sum.failed++; break;
	}
}

/* A file of a role that is not read: a link leaving the tree is refused
   (failed), a FIFO, device or socket passed over (skipped). */
static void not_read(const char *shown, bool refused, const char *why,
		     struct mmt_ingest_result *res, struct mmt_err *ferr)
{
	memset(res, 0, sizeof(*res));
	mmt_err_clear(ferr);
	res->status = refused ? MMT_INGEST_FAILED : MMT_INGEST_SKIPPED;
	snprintf(res->why, sizeof(res->why), "%s", why);
	if (refused)
		mmt_err_at(ferr, shown, 0, "%s", why);
}

/* Ingests root/rel as its role says, or says why it is not read. */
static void read_file(struct tree *t, const struct role *r, const char *rel,
		      const char *shown, struct mmt_ingest_result *res, struct mmt_err *ferr)
{
	struct mmt_ingest_opts o = *t->o;
	bool slab_dir = r->as && !strcmp(r->as, "slab_dir");
	char why[sizeof(ferr->msg)];
	char *path = resolve_inside(t->root, rel, why, sizeof(why));

	if (!path) {
		not_read(shown, true, why[0] ? why : "vanished while it was read", res, ferr);
		return;
	}
	o.as = r->as && !slab_dir ? r->as : NULL;
	o.tree_id = t->tree_id;
	o.page_size = t->page_size;
	o.tree_time = t->collected;
	if (slab_dir && !is_dir(path))
		not_read(shown, false, "not a directory", res, ferr);
	else if (slab_dir)
		mmt_ingest_slab_dir(t->st, path, shown, &o, res, ferr);
	else
		mmt_ingest_file_as(t->st, path, shown, &o, res, ferr);
	free(path);
}

/* One file of a role: ingested in a savepoint, then accounted for. */
static int take_file(struct tree *t, const struct role *r, const char *rel,
		     struct mmt_err *err)
{
	struct mmt_ingest_result res;
	struct mmt_err ferr = { 0 };
	char *shown = join(t->shown, rel);
	const char *note;
	int rc;

	read_file(t, r, rel, shown, &res, &ferr);
	count(t, res.status);
	t->cb(t->ctx, shown, &res, &ferr);
	note = res.status == MMT_INGEST_SKIPPED ? res.why : ferr.msg;
	if (!note[0] && t->lost)
		note = t->lost;	/* a vmcore read without all crash can tell */
	rc = res.status == MMT_INGEST_INTERRUPTED ? -1 :
	     account(t, r->name, rel, status_name(res.status), res.source_id, note, err);
	/* The file's own message (already said) names a path freed below. */
	if (res.status == MMT_INGEST_INTERRUPTED)
		mmt_err_at(err, t->sum.path, 0, "interrupted");
	free(shown);
	return rc;
}

/* Every existing path of a role; a missing role is accounted for once. */
static int take_role(struct tree *t, const struct role *r, struct mmt_err *err)
{
	int found = 0;

	for (size_t i = 0; i < sizeof(r->paths) / sizeof(r->paths[0]) && r->paths[i]; i++) {
		char *pattern = glob_under(t->root, r->paths[i]);
		size_t skip = strlen(t->root) + 1;
		glob_t g;
		int rc = glob(pattern, 0, NULL, &g);

		free(pattern);
		for (size_t j = 0; rc == 0 && j < g.gl_pathc; j++) {
			found++;
			if (take_file(t, r, g.gl_pathv[j] + skip, err) < 0) {
				globfree(&g);
				return -1;
			}
		}
		if (rc == 0)
			globfree(&g);
	}
	if (found || !(r->in & t->kind))
		return 0;
	if (t->missing.len)
		mmt_sb_adds(&t->missing, ", ");
	mmt_sb_adds(&t->missing, r->paths[0]);
	return account(t, r->name, r->paths[0], "missing", 0, t->lost, err);
}

static int take_roles(struct tree *t, struct mmt_err *err)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (mmt_interrupted())
			return mmt_err_at(err, t->sum.path, 0, "interrupted");
		if (take_role(t, &roles[i], err) < 0)
			return -1;
	}
	return 0;
}

static int ingest_root(struct tree *t, struct mmt_err *err)
{
	read_meta(t);
	if (mmt_store_begin(t->st, err) < 0) {
		/* Another process held the database too long: say which tree waited. */
		err->path = t->sum.path;
		return -1;
	}
	if (insert_tree(t, err) < 0 || take_roles(t, err) < 0)
		goto fail;
	if (t->btime > 0) {
		sqlite3_stmt *s = mmt_store_stmt(t->st, sql_tree_offsets, err);

		if (!s)
			goto fail;
		sqlite3_bind_double(s, 1, t->btime);
		mmt_bind_int(s, 2, t->tree_id);
		if (mmt_store_run(t->st, s, err) < 0)
			goto fail;
	}
	/* A tree seen before adds nothing: leave the database as it was. */
	if (!t->sum.ingested && t->sum.duplicates) {
		t->sum.already = true;
		mmt_store_rollback(t->st);
		t->tree_id = 0;
		return 0;
	}
	return mmt_store_commit(t->st, err);
fail:
	mmt_store_rollback(t->st);
	return -1;
}

/* Members of an archive worth unpacking: the roles' files and the meta files. */
static bool wanted_rel(const char *rel)
{
	if (!strncmp(rel, "sys/kernel/slab/", 16))
		return true;
	for (size_t i = 0; meta_paths[i]; i++)
		if (!strcmp(rel, meta_paths[i]))
			return true;
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		for (size_t j = 0; j < 6 && roles[i].paths[j]; j++)
			if (!fnmatch(roles[i].paths[j], rel, FNM_PATHNAME))
				return true;
	return false;
}

static bool want_member(void *ctx, const char *name, uint64_t size)
{
	const char *slash = strchr(name, '/');

	return wanted_rel(name) || (slash && wanted_rel(slash + 1));
}

/* The root inside an unpacked archive: itself, or its only directory. */
static char *archive_root(const char *dest)
{
	struct dirent **names;
	int n = scandir(dest, &names, NULL, alphasort), dirs = 0;
	char *only = NULL;

	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			char *p = join(dest, names[i]->d_name);

			if (is_dir(p) && dirs++ == 0)
				only = p;
			else
				free(p);
		}
		free(names[i]);
	}
	free(names);
	if (dirs == 1 && !dir_kind(dest))
		return only;
	free(only);
	return xstrdup(dest);
}

static const char *kind_name(unsigned kind)
{
	return kind == IN_CAPTURE ? "capture" : kind == IN_VMCORE ? "vmcore" : "sosreport";
}

static int ingest_dir_tree(struct tree *t, struct mmt_err *err)
{
	t->kind = dir_kind(t->root);
	if (!t->kind)
		return mmt_err_at(err, t->sum.path, 0,
				  "neither a sosreport nor a capture directory");
	t->sum.kind = kind_name(t->kind);
	return ingest_root(t, err);
}

static int ingest_archive(struct tree *t, const char *path, struct mmt_err *err)
{
	struct mmt_tmp tmp;
	struct mmt_tar_stats stats = { 0 };
	const char *dest;
	char *root, *shown;
	int rc;

	if (mmt_tmp_make(&tmp, "unpacked", err) < 0)
		return -1;
	dest = tmp.path;
	rc = mmt_tar_extract(path, dest, want_member, NULL, &stats, err);
	if (rc == 0) {
		root = archive_root(dest);
		/* Shown paths name the archive, then the path inside it. */
		shown = strcmp(root, dest) ? join(path, root + strlen(dest) + 1) : NULL;
		t->root = root;
		t->shown = shown ? shown : path;
		rc = ingest_dir_tree(t, err);
		free(shown);
		free(root);
	}
	mmt_tmp_remove(&tmp);
	return rc;
}

static void vmcore_tick(void *ctx, const char *what, uint64_t bytes)
{
	struct tree *t = ctx;

	if (t->o->progress)
		t->o->progress(t->o->hook_ctx, what, bytes, 0);
}

/*
 * A crash dump: what crash (or makedumpfile) prints of it, in a private
 * directory, ingested as the tree's files; the dump itself names the tree
 * and its files ("vmcore/crash-session.txt").
 */
static int ingest_vmcore(struct tree *t, const char *path, struct mmt_err *err)
{
	struct mmt_vmcore_info info;
	struct mmt_tmp tmp;
	int rc;

	if (mmt_tmp_make(&tmp, "vmcore", err) < 0)
		return -1;
	rc = mmt_vmcore_read(path, t->o->vmlinux, tmp.path, &info, vmcore_tick, t, err);
	if (rc == 0) {
		t->root = tmp.path;
		t->kind = IN_VMCORE;
		t->sum.kind = kind_name(t->kind);
		t->reader = info.reader[0] ? info.reader : NULL;
		t->lost = info.lost[0] ? info.lost : NULL;
		snprintf(t->hostname, sizeof(t->hostname), "%s", info.hostname);
		snprintf(t->kernel, sizeof(t->kernel), "%s", info.release);
		if (t->lost && t->o->warn)
			t->o->warn(t->o->hook_ctx, path, 0, t->lost);
		rc = ingest_root(t, err);
	}
	mmt_tmp_remove(&tmp);
	return rc;
}

int mmt_ingest_tree(struct mmt_store *st, const char *path, const struct mmt_ingest_opts *o,
		    mmt_ingest_cb cb, void *ctx, struct mmt_err *err)
{
	struct tree t = { .st = st, .o = o, .cb = cb, .ctx = ctx, .root = path, .shown = path };
	int rc;

	t.sum.path = path;
	if (is_dir(path))
		rc = ingest_dir_tree(&t, err);
	else if (mmt_vmcore_detect(path) != MMT_VMCORE_NONE)
		rc = ingest_vmcore(&t, path, err);
	else
		rc = ingest_archive(&t, path, err);
	t.sum.tree_id = t.tree_id;
	t.sum.missing = mmt_sb_str(&t.missing);
	if (rc == 0 && o->tree_done)
		o->tree_done(ctx, &t.sum);
	mmt_sb_free(&t.missing);
	return rc < 0 ? -1 : t.sum.ingested;
}
