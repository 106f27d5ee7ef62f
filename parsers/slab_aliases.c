/*
 * SLUB aliases (see slab_aliases.h): the parser "slab_aliases" for saved
 * listings of /sys/kernel/slab and `slabinfo -a` output, and the reader of
 * the directory itself. Listings give alias -> cache pairs (and, from
 * `ls -l`, the names of the caches); the directory also gives each cache's
 * attributes. Rows belong to the source, not to a snapshot: aliases are
 * fixed when the caches are created.
 *
 * Accepted lines:
 *   ls -l:        lrwxrwxrwx 1 root root 0 Nov 21 22:27 biovec-16 -> :0000256
 *                 drwxr-xr-x 2 root root 0 Nov 21 22:27 kmalloc-64
 *                 (any time style, -a, -n; "total N", "." and ".." skipped)
 *   slabinfo -a:  :0000256     <- biovec-16 key_jar sgpool-8
 *   name -> cache (find -printf '%f -> %l\n', slabinfo -a -i)
 */
#include "parsers/slab_aliases.h"
#include "parsers/parser.h"
#include "core/fields.h"
#include "core/lines.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char sql_insert_alias[] =
	"INSERT INTO slab_aliases (source_id, alias, cache) VALUES (?, ?, ?)";
static const char sql_insert_attrs[] =
	"INSERT INTO slab_attrs (source_id, cache, object_size, slab_size, \"order\", "
	"objects, slabs, aliases, reclaim_account, ctor, align) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static int store_alias(struct mmt_store *st, int64_t source, const char *alias,
		       size_t an, const char *cache, size_t cn, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt_rebind(st, sql_insert_alias, err);

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, source);
	sqlite3_bind_text(s, 2, alias, (int)an, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, cache, (int)cn, SQLITE_STATIC);
	return mmt_store_run(st, s, err);
}

/* The last component of a symlink's target: "../slab/:0000256/" is ":0000256". */
static const char *target_cache(const char *t, size_t n, size_t *cn)
{
	const char *b;

	while (n && t[n - 1] == '/')
		n--;
	b = memrchr(t, '/', n);
	b = b ? b + 1 : t;
	*cn = (size_t)(t + n - b);
	return b;
}

/* ---- listings ------------------------------------------------------------ */

enum listing_kind { LISTING_SKIP, LISTING_LS, LISTING_SLABINFO_A, LISTING_ARROW,
		    LISTING_OTHER };

struct listing {
	struct mmt_input *in;
	struct mmt_store *st;
	struct mmt_err *err;
	long lineno;
	int64_t rows;
	const char *format;
};

static bool is_mode_string(const struct mmt_field *f)
{
	static const char perm[] = "rwxrwxrwx";

	if (f->n < 10 || f->n > 11 || !strchr("-dlcbps", f->s[0]))
		return false;
	for (int i = 0; i < 9; i++)
		if (f->s[1 + i] != '-' && f->s[1 + i] != perm[i] &&
		    !strchr("sStT", f->s[1 + i]))
			return false;
	return f->n == 10 || strchr(".+@", f->s[10]);
}

static enum listing_kind classify(const char *s, size_t n)
{
	struct mmt_field f[3];
	size_t nf = mmt_fields_split(s, n, f, 3);

	if (nf == 0 || (nf == 2 && mmt_field_is(&f[0], "total")))
		return LISTING_SKIP;
	if (is_mode_string(&f[0]))
		return LISTING_LS;
	if (nf >= 2 && mmt_field_is(&f[1], "<-"))
		return LISTING_SLABINFO_A;
	if (nf >= 2 && mmt_field_is(&f[1], "->"))
		return LISTING_ARROW;
	return LISTING_OTHER;
}

static int listing_fail(struct listing *l, const char *what, const char *s, size_t n)
{
	return mmt_err_at(l->err, l->in->path, l->lineno, "%s: '%.*s'", what,
			  (int)(n > 80 ? 80 : n), s);
}

static int store_listed_cache(struct listing *l, const char *name, size_t n)
{
	sqlite3_stmt *s = mmt_store_stmt(l->st, sql_insert_attrs, l->err);

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, l->in->source_id);
	sqlite3_bind_text(s, 2, name, (int)n, SQLITE_STATIC);
	return mmt_store_run(l->st, s, l->err);
}

/* "biovec-16 -> :0000256" at s[0..n): the name is the word before the arrow. */
static int listed_link(struct listing *l, const char *s, size_t n)
{
	const char *arrow = memmem(s, n, " -> ", 4), *name, *t;
	size_t tn, cn = 0;

	/* "name ->" at the end of the line: a target lost (cut or blanked). */
	if (!arrow && n >= 3 && !memcmp(s + n - 3, " ->", 3))
		return listing_fail(l, "the symlink has an empty target", s, n);
	if (!arrow)
		return listing_fail(l, "a symlink without its ' -> target'", s, n);
	name = arrow;
	while (name > s && name[-1] != ' ' && name[-1] != '\t')
		name--;
	t = arrow + 4;
	tn = (size_t)(s + n - t);
	while (tn && (*t == ' ' || *t == '\t')) {
		t++;
		tn--;
	}
	while (tn && (t[tn - 1] == ' ' || t[tn - 1] == '\t'))
		tn--;
	if (name == arrow)
		return listing_fail(l, "a symlink without a name", s, n);
	t = tn ? target_cache(t, tn, &cn) : t;
	if (!tn || !cn)
		return listing_fail(l, "the symlink has an empty target", s, n);
	l->rows++;
	return store_alias(l->st, l->in->source_id, name, (size_t)(arrow - name), t, cn,
			   l->err);
}

static int ls_line(struct listing *l, const char *s, size_t n)
{
	struct mmt_field f[16];
	size_t nf = mmt_fields_split(s, n, f, 16);
	const struct mmt_field *name = &f[nf < 16 ? nf - 1 : 15];

	/* mode, links, owner, group, size, a date of one to three words, name */
	if (nf < 7)
		return listing_fail(l, "an ls -l line cut short", s, n);
	if (f[0].s[0] == 'l')
		return listed_link(l, s, n);
	if (f[0].s[0] != 'd' || nf > 15)
		return listing_fail(l, "neither a cache directory nor an alias symlink", s, n);
	if (mmt_field_is(name, ".") || mmt_field_is(name, ".."))
		return 0;
	l->rows++;
	return store_listed_cache(l, name->s, name->n);
}

/* ":0000256     <- biovec-16 key_jar sgpool-8" */
static int slabinfo_a_line(struct listing *l, const char *s, size_t n)
{
	struct mmt_field cache, arrow, alias;
	const char *p = s, *e = s + n;
	size_t aliases = 0;

	mmt_fields_split(p, (size_t)(e - p), &cache, 1);
	p = cache.s + cache.n;
	mmt_fields_split(p, (size_t)(e - p), &arrow, 1);
	p = arrow.s + arrow.n;
	while (mmt_fields_split(p, (size_t)(e - p), &alias, 1) > 0) {
		if (store_alias(l->st, l->in->source_id, alias.s, alias.n, cache.s, cache.n,
				l->err) < 0)
			return -1;
		aliases++;
		p = alias.s + alias.n;
	}
	if (!aliases)
		return listing_fail(l, "no alias after '<-'", s, n);
	l->rows += (int64_t)aliases;
	return 0;
}

static const char *const kind_names[] = {
	[LISTING_LS] = "ls -l",
	[LISTING_SLABINFO_A] = "slabinfo -a",
	[LISTING_ARROW] = "name -> cache",
};

static int listing_line(struct listing *l, const char *s, size_t n)
{
	enum listing_kind k = classify(s, n);

	if (k == LISTING_SKIP)
		return 0;
	if (k == LISTING_OTHER)
		return listing_fail(l, "not a line of a /sys/kernel/slab listing or of "
				    "slabinfo -a", s, n);
	if (!l->format)
		l->format = kind_names[k];
	if (k == LISTING_LS)
		return ls_line(l, s, n);
	if (k == LISTING_SLABINFO_A)
		return slabinfo_a_line(l, s, n);
	return listed_link(l, s, n);
}

static int read_listing(struct listing *l, struct mmt_lines *lr)
{
	const char *s;
	size_t n;
	int rc;

	while ((rc = mmt_lines_next(lr, &s, &n, l->err)) > 0) {
		l->lineno = lr->lineno;
		if (listing_line(l, s, n) < 0)
			return -1;
		if ((lr->lineno & 0xfff) == 0 && mmt_interrupted())
			return mmt_err_at(l->err, l->in->path, lr->lineno, "interrupted");
	}
	if (rc < 0)
		return -1;
	if (!l->rows)
		return mmt_err_at(l->err, l->in->path, lr->lineno,
				  "no slab cache or alias in the file");
	return 0;
}

static int listing_parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	struct listing l = { .in = in, .st = st, .err = err };
	struct mmt_lines lr;
	int rc;

	mmt_lines_init(&lr, in->fd, in->path,
		       in->flags & MMT_INPUT_LENIENT ? MMT_LINES_LENIENT : 0);
	lr.hash = in->hash;
	rc = read_listing(&l, &lr);
	mmt_lines_free(&lr);
	in->records = l.rows;
	in->format = l.format;
	return rc;
}

/* Whether a recognised line names a merged (':'-prefixed) cache. */
static bool names_merged_cache(enum listing_kind k, const char *s, size_t n)
{
	const char *arrow = memmem(s, n, "-> ", 3);
	struct mmt_field f[16];
	size_t nf = mmt_fields_split(s, n, f, 16);

	if (k == LISTING_SLABINFO_A)
		return f[0].s[0] == ':';
	if (arrow)
		return (size_t)(arrow + 3 - s) < n && arrow[3] == ':';
	return k == LISTING_LS && nf < 16 && f[nf - 1].s[0] == ':';
}

/*
 * Every complete line of the head is one of the accepted shapes, and one
 * at least names a ':'-prefixed cache, which only SLUB's merging creates.
 */
static int listing_probe(const char *head, size_t len)
{
	const char *p = head, *e = head + len;
	bool merged = false;
	int lines = 0;

	while (p < e && lines < 1000) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
		enum listing_kind k;

		if (!nl && lines)
			break;	/* the head may end inside a line */
		k = classify(p, n);
		if (k == LISTING_OTHER)
			return 0;
		if (k != LISTING_SKIP) {
			merged |= names_merged_cache(k, p, n);
			lines++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return merged ? 85 : 0;
}

const struct mmt_parser mmt_parser_slab_aliases = {
	.name = "slab_aliases",
	.help = "SLUB aliases: ls -l /sys/kernel/slab, slabinfo -a",
	.probe = listing_probe,
	.parse = listing_parse,
	.hashes_input = true,
	.lenient = true,
};

/* ---- the directory ------------------------------------------------------- */

/* The attributes of slab_attrs, in the order of the INSERT after the name. */
static const char *const sysfs_attrs[] = {
	"object_size", "slab_size", "order", "objects", "slabs", "aliases",
	"reclaim_account", "ctor", "align",
};
#define NATTRS (sizeof(sysfs_attrs) / sizeof(sysfs_attrs[0]))
#define ATTR_CTOR 7

struct sysfs_walk {
	struct mmt_store *st;
	const char *dir;
	int64_t source;
	int64_t rows;
	struct mmt_err *err;
};

/*
 * Reads attribute attr of the cache open at cfd into buf; 0 when absent (a
 * copy may lack it), 1 when read, -1 on error.
 */
static int read_attr(struct sysfs_walk *w, int cfd, const char *cache, const char *attr,
		     char *buf, size_t cap, size_t *len)
{
	int fd = openat(cfd, attr, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t got;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return mmt_err_at(w->err, w->dir, 0, "%s/%s: cannot open: %s%s", cache, attr,
				  strerror(errno), errno == EACCES ? " (root only)" : "");
	got = read(fd, buf, cap - 1);
	close(fd);
	if (got < 0)
		return mmt_err_at(w->err, w->dir, 0, "%s/%s: cannot read: %s", cache, attr,
				  strerror(errno));
	buf[got] = '\0';
	*len = (size_t)got;
	return 1;
}

/* "8 N0=8" or "256": the first number; an empty file is absent. */
static int bind_number(struct sysfs_walk *w, sqlite3_stmt *s, int at, const char *cache,
		       const char *attr, const char *buf, size_t len)
{
	struct mmt_field f;
	uint64_t v;
	int rc;

	if (!mmt_fields_split(buf, strcspn(buf, "\n"), &f, 1)) {
		sqlite3_bind_null(s, at);
		return 0;
	}
	rc = mmt_parse_u64(f.s, f.n, &v);
	if (rc == MMT_NUM_OK && v > INT64_MAX)
		rc = MMT_NUM_OVERFLOW;
	if (rc != MMT_NUM_OK)
		return mmt_err_at(w->err, w->dir, 0, "%s/%s: '%.*s' %s", cache, attr,
				  (int)(f.n > 40 ? 40 : f.n), f.s,
				  rc == MMT_NUM_OVERFLOW ? "does not fit in 64 bits"
							 : "is not a number");
	sqlite3_bind_int64(s, at, (int64_t)v);
	return 0;
}

/* "init_once+0x0/0x80": the function; nothing when the cache has none. */
static void bind_ctor(sqlite3_stmt *s, int at, const char *buf)
{
	size_t n = strcspn(buf, "+ \t\n");

	if (n)
		sqlite3_bind_text(s, at, buf, (int)n, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, at);
}

static int bind_attrs(struct sysfs_walk *w, sqlite3_stmt *s, int cfd, const char *cache)
{
	char buf[4096];

	for (size_t i = 0; i < NATTRS; i++) {
		int at = 3 + (int)i;
		size_t len = 0;
		int rc = read_attr(w, cfd, cache, sysfs_attrs[i], buf, sizeof(buf), &len);

		if (rc < 0)
			return -1;
		if (rc == 0)
			sqlite3_bind_null(s, at);
		else if (i == ATTR_CTOR)
			bind_ctor(s, at, buf);
		else if (bind_number(w, s, at, cache, sysfs_attrs[i], buf, len) < 0)
			return -1;
	}
	return 0;
}

static int sysfs_cache(struct sysfs_walk *w, int dfd, const char *cache)
{
	int cfd = openat(dfd, cache, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	sqlite3_stmt *s;
	int rc;

	if (cfd < 0)
		return mmt_err_at(w->err, w->dir, 0, "%s: cannot open: %s", cache,
				  strerror(errno));
	s = mmt_store_stmt(w->st, sql_insert_attrs, w->err);
	rc = s ? bind_attrs(w, s, cfd, cache) : -1;
	close(cfd);
	if (rc < 0)
		return -1;
	sqlite3_bind_int64(s, 1, w->source);
	sqlite3_bind_text(s, 2, cache, -1, SQLITE_STATIC);
	w->rows++;
	return mmt_store_run(w->st, s, w->err);
}

static int sysfs_alias(struct sysfs_walk *w, int dfd, const char *name)
{
	char target[4096];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
	const char *cache;
	size_t cn = 0;

	if (n < 0)
		return mmt_err_at(w->err, w->dir, 0, "%s: cannot read the link: %s", name,
				  strerror(errno));
	cache = target_cache(target, (size_t)n, &cn);
	if (!cn)
		return mmt_err_at(w->err, w->dir, 0, "%s: the symlink has an empty target",
				  name);
	w->rows++;
	return store_alias(w->st, w->source, name, strlen(name), cache, cn, w->err);
}

/* DT_DIR, DT_LNK or another type, without following a symlink. */
static unsigned char entry_type(int dfd, const struct dirent *de)
{
	struct stat sb;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type;
	if (fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return DT_UNKNOWN;
	return S_ISDIR(sb.st_mode) ? DT_DIR : S_ISLNK(sb.st_mode) ? DT_LNK : DT_REG;
}

static int sysfs_entries(struct sysfs_walk *w, DIR *d)
{
	int dfd = dirfd(d);
	struct dirent *de;

	errno = 0;
	while ((de = readdir(d))) {
		unsigned char t = entry_type(dfd, de);
		int rc = 0;

		if (de->d_name[0] == '.' && (!de->d_name[1] ||
					     (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (t == DT_LNK)
			rc = sysfs_alias(w, dfd, de->d_name);
		else if (t == DT_DIR)
			rc = sysfs_cache(w, dfd, de->d_name);
		if (rc < 0)
			return -1;
		if (mmt_interrupted())
			return mmt_err_at(w->err, w->dir, 0, "interrupted");
		errno = 0;
	}
	if (errno)
		return mmt_err_at(w->err, w->dir, 0, "cannot list: %s", strerror(errno));
	return 0;
}

int mmt_slab_sysfs_ingest(struct mmt_store *st, const char *dir, int64_t source_id,
			  int64_t *records, struct mmt_err *err)
{
	struct sysfs_walk w = { .st = st, .dir = dir, .source = source_id, .err = err };
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	int rc;

	*records = 0;
	if (dfd < 0)
		return mmt_err_at(err, dir, 0, "cannot open: %s", strerror(errno));
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return mmt_err_at(err, dir, 0, "cannot list: %s", strerror(errno));
	}
	rc = sysfs_entries(&w, d);
	closedir(d);
	if (rc == 0 && !w.rows)
		rc = mmt_err_at(err, dir, 0, "no slab cache or alias in the directory");
	*records = w.rows;
	return rc;
}

/* Whether the entry of dfd is a symlink to a ':'-named cache. */
static bool links_to_merged(int dfd, const char *name)
{
	char target[256];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
	size_t cn;
	const char *cache = n > 0 ? target_cache(target, (size_t)n, &cn) : NULL;

	return cache && cn && cache[0] == ':';
}

bool mmt_slab_sysfs_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), caches = 0, links = 0;
	struct dirent *de;
	DIR *d;

	if (dfd < 0)
		return false;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return false;
	}
	/* The first entries decide: a cache directory has hundreds. */
	for (int seen = 0; (de = readdir(d)) && seen < 200 && caches < 3 && links < 2;
	     seen++) {
		unsigned char t = entry_type(dfd, de);
		char attr[512];

		if (t == DT_LNK && links_to_merged(dfd, de->d_name))
			links++;
		snprintf(attr, sizeof(attr), "%s/object_size", de->d_name);
		if (t == DT_DIR && de->d_name[0] != '.' &&
		    faccessat(dfd, attr, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			caches++;
	}
	closedir(d);
	return caches >= 3 || links >= 2;
}
