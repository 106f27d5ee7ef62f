/*
 * The ingest driver. For each file: read its head and recognise it, hash
 * it, skip it if the same content is already stored, then parse it inside
 * one transaction that is committed only when the parser succeeded. A file
 * that cannot be a duplicate (no stored source has its size) is hashed by
 * its parser as it reads, so that a large log is read once, not twice.
 */
#include "parsers/ingest.h"
#include "parsers/slab_aliases.h"
#include "parsers/tree.h"
#include "core/sha256.h"
#include "core/strmap.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Bytes of holes a file may have. A hole reads as NUL bytes that were never
 * written: a sparse file of 100 GB costs nothing to make and many minutes
 * to hash and read. No log, /proc copy or trace.dat has holes; a log cut
 * short by a crash may end in a few blocks of NULs, far fewer than this.
 */
#define MMT_HOLE_MAX (64u << 20)

static const char sql_find_source[] =
	"SELECT id FROM sources WHERE sha256 = ?";
static const char sql_size_seen[] =
	"SELECT 1 FROM sources WHERE size = ? LIMIT 1";
static const char sql_set_sha256[] =
	"UPDATE sources SET sha256 = ? WHERE id = ?";
static const char sql_delete_lines[] =
	"DELETE FROM log_lines WHERE source_id = ?";
/* Rows of snapshots that are not foreign keys (for speed), deleted by hand. */
static const char sql_delete_state[] =
	"DELETE FROM state_values WHERE snapshot_id IN "
	"(SELECT id FROM snapshots WHERE source_id = ?1);"
	"DELETE FROM zone_values WHERE snapshot_id IN "
	"(SELECT id FROM snapshots WHERE source_id = ?1);"
	"DELETE FROM free_areas WHERE snapshot_id IN "
	"(SELECT id FROM snapshots WHERE source_id = ?1);"
	"DELETE FROM swap_devices WHERE snapshot_id IN "
	"(SELECT id FROM snapshots WHERE source_id = ?1);"
	"DELETE FROM psi_values WHERE snapshot_id IN "
	"(SELECT id FROM snapshots WHERE source_id = ?1);"
	"DELETE FROM slab_caches WHERE snapshot_id IN "
	"(SELECT id FROM snapshots WHERE source_id = ?1);"
	"DELETE FROM irq_counts WHERE snapshot_id IN "
	"(SELECT id FROM snapshots WHERE source_id = ?1)";
static const char sql_delete_source[] =
	"DELETE FROM sources WHERE id = ?";
static const char sql_insert_source[] =
	"INSERT INTO sources (path, kind, sha256, size, ingested_at, tree_id) "
	"VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_finish_source[] =
	"UPDATE sources SET records = ?, clock = ?, kernel = ?, format = ? "
	"WHERE id = ?";

/* Larger reads hash no faster. */
#define HASH_CHUNK (64u << 10)

/* Hashes fd from where it stands to its end, and finishes the digest. */
static int hash_rest(int fd, const char *path, struct mmt_sha256 *c, char hex[65],
		     struct mmt_err *err)
{
	unsigned char digest[32];
	char *buf = xmalloc(HASH_CHUNK);
	ssize_t got;

	while ((got = read(fd, buf, HASH_CHUNK)) > 0 || (got < 0 && errno == EINTR))
		if (got > 0)
			mmt_sha256_update(c, buf, (size_t)got);
	free(buf);
	if (got < 0)
		return mmt_err_at(err, path, 0, "read error: %s", strerror(errno));
	mmt_sha256_final(c, digest);
	mmt_sha256_hex(digest, hex);
	return 0;
}

/* For parsers with named_samples: the name, then the content. */
static void hash_name(struct mmt_sha256 *c, const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	mmt_sha256_update(c, base, strlen(base) + 1);
}

static int hash_file(int fd, const char *path, bool named, char hex[65],
		     struct mmt_err *err)
{
	struct mmt_sha256 c;

	mmt_sha256_init(&c);
	if (named)
		hash_name(&c, path);
	if (hash_rest(fd, path, &c, hex, err) < 0)
		return -1;
	return lseek(fd, 0, SEEK_SET) < 0 ?
		mmt_err_at(err, path, 0, "cannot seek: %s", strerror(errno)) : 0;
}

static ssize_t read_head(int fd, char *head, size_t cap)
{
	size_t have = 0;

	while (have < cap) {
		ssize_t got = read(fd, head + have, cap - have);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		have += (size_t)got;
	}
	head[have] = '\0';
	return lseek(fd, 0, SEEK_SET) < 0 ? -1 : (ssize_t)have;
}

/* Why nothing took a file: said in terms of what it looks like. */
static void describe_unknown(const char *head, size_t len, char *why, size_t n)
{
	size_t ctrl = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)head[i];

		if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t'))
			ctrl++;
	}
	if (ctrl * 100 > len)
		snprintf(why, n, "binary data, not a recognised input");
	else
		snprintf(why, n, "text in no format mmtriage knows");
}

static int64_t find_source(struct mmt_store *st, const char *hex, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_find_source, err);
	int rc;

	if (!s)
		return -1;
	mmt_bind_text(s, 1, hex);
	rc = mmt_store_step(st, s, err);
	if (rc < 0)
		return -1;
	return rc ? sqlite3_column_int64(s, 0) : 0;
}

static int insert_source(struct mmt_store *st, const struct mmt_input *in,
			 const char *kind, const char *hex, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_insert_source, err);
	char now[32];
	time_t t = time(NULL);

	if (!s)
		return -1;
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	mmt_bind_text(s, 1, in->path);
	mmt_bind_text(s, 2, kind);
	mmt_bind_text(s, 3, hex);
	mmt_bind_int(s, 4, (int64_t)in->size);
	mmt_bind_text(s, 5, now);
	mmt_bind_int_opt(s, 6, in->tree_id, in->tree_id > 0);
	return mmt_store_run(st, s, err);
}

static int finish_source(struct mmt_store *st, const struct mmt_input *in,
			 struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_finish_source, err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, in->records);
	mmt_bind_text(s, 2, in->clock);
	mmt_bind_text(s, 3, in->kernel[0] ? in->kernel : NULL);
	mmt_bind_text(s, 4, in->format);
	mmt_bind_int(s, 5, in->source_id);
	return mmt_store_run(st, s, err);
}

/* Deletes a source's rows (the schema's cascades do the rest). */
static int delete_by_source(struct mmt_store *st, const char *sql, int64_t source,
			    struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql, err);

	if (!s)
		return -1;
	mmt_bind_int(s, 1, source);
	return mmt_store_run(st, s, err);
}

/*
 * A trace source's events live in one table per event type, within the
 * id range its trace_sources row records.
 */
static int delete_events(struct mmt_store *st, int64_t source, struct mmt_err *err)
{
	sqlite3 *db = mmt_store_handle(st);
	sqlite3_stmt *types;
	struct mmt_sb sql = MMT_SB_INIT;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT tbl FROM trace_types", -1, &types, NULL) != SQLITE_OK)
		return mmt_err_set(err, "SQL: %s", sqlite3_errmsg(db));
	mmt_sb_addf(&sql, "DELETE FROM event_stacks WHERE event_id BETWEEN "
		    "(SELECT first_id FROM trace_sources WHERE source_id = %lld) AND "
		    "(SELECT last_id FROM trace_sources WHERE source_id = %lld);",
		    (long long)source, (long long)source);
	while ((rc = sqlite3_step(types)) == SQLITE_ROW) {
		char *one = sqlite3_mprintf(
			"DELETE FROM \"%w\" WHERE id BETWEEN "
			"(SELECT first_id FROM trace_sources WHERE source_id = %lld) AND "
			"(SELECT last_id FROM trace_sources WHERE source_id = %lld);",
			(const char *)sqlite3_column_text(types, 0), (long long)source,
			(long long)source);

		mmt_sb_adds(&sql, one);
		sqlite3_free(one);
	}
	sqlite3_finalize(types);
	rc = rc == SQLITE_DONE ? mmt_store_exec(st, mmt_sb_str(&sql), err)
			       : mmt_err_set(err, "SQL: %s", sqlite3_errmsg(db));
	mmt_sb_free(&sql);
	return rc;
}

static int delete_state(struct mmt_store *st, int64_t source, struct mmt_err *err)
{
	sqlite3 *db = mmt_store_handle(st);
	const char *sql = sql_delete_state;

	/* Several statements: prepared and run one by one. */
	while (*sql) {
		sqlite3_stmt *s = NULL;
		const char *rest;

		if (sqlite3_prepare_v2(db, sql, -1, &s, &rest) != SQLITE_OK)
			return mmt_err_set(err, "SQL: %s", sqlite3_errmsg(db));
		if (s) {
			sqlite3_bind_int64(s, 1, source);
			if (sqlite3_step(s) != SQLITE_DONE) {
				sqlite3_finalize(s);
				return mmt_err_set(err, "SQL: %s", sqlite3_errmsg(db));
			}
			sqlite3_finalize(s);
		}
		sql = rest;
	}
	return 0;
}

/* 1 when the file cannot be a duplicate of a stored source, else 0; -1 on error. */
static int size_unseen(struct mmt_store *st, uint64_t size, struct mmt_err *err)
{
	sqlite3_stmt *s = mmt_store_stmt(st, sql_size_seen, err);
	int rc;

	if (!s)
		return -1;
	mmt_bind_int(s, 1, (int64_t)size);
	rc = mmt_store_step(st, s, err);
	return rc < 0 ? -1 : !rc;
}

/* A stored source and all its rows (the schema's cascades do part). */
static int delete_source(struct mmt_store *st, int64_t source, struct mmt_err *err)
{
	return delete_by_source(st, sql_delete_lines, source, err) < 0 ||
	       delete_state(st, source, err) < 0 || delete_events(st, source, err) < 0 ||
	       delete_by_source(st, sql_delete_source, source, err) < 0 ? -1 : 0;
}

/* What parse_in_transaction and the checks inside it come to. */
enum { TX_FAILED = -1, TX_DONE = 0, TX_DUPLICATE = 1 };

/*
 * The stored source with content hex, looked for under the write lock:
 * two processes ingesting one content at once each looked before the other
 * stored it, and the second would then fail on the unique hash. Kept as a
 * duplicate (in->source_id says which), or with --force replaced.
 */
static int claim_content(struct mmt_store *st, struct mmt_input *in, const char *hex,
			 bool force, struct mmt_err *err)
{
	int64_t stored = find_source(st, hex, err);

	if (stored <= 0)
		return stored < 0 ? TX_FAILED : TX_DONE;
	if (!force) {
		in->source_id = stored;
		return TX_DUPLICATE;
	}
	return delete_source(st, stored, err) < 0 ? TX_FAILED : TX_DONE;
}

/* Records the hash the parser computed, with the bytes it did not read. */
static int store_parser_hash(struct mmt_store *st, struct mmt_input *in, bool force,
			     struct mmt_err *err)
{
	sqlite3_stmt *s;
	char hex[65];
	int64_t id = in->source_id;
	int rc;

	if (hash_rest(in->fd, in->path, in->hash, hex, err) < 0)
		return TX_FAILED;
	rc = claim_content(st, in, hex, force, err);
	if (rc != TX_DONE)
		return rc;
	s = mmt_store_stmt(st, sql_set_sha256, err);
	if (!s)
		return TX_FAILED;
	mmt_bind_text(s, 1, hex);
	mmt_bind_int(s, 2, id);
	return mmt_store_run(st, s, err) < 0 ? TX_FAILED : TX_DONE;
}

/*
 * Begins the transaction of one source and writes its row (kind, hex or ""
 * when the parser hashes the file): TX_DONE with in->source_id set and the
 * transaction open, or TX_DUPLICATE / TX_FAILED with it rolled back.
 */
static int open_source(struct mmt_store *st, struct mmt_input *in, const char *kind,
		       const char *hex, bool force, struct mmt_err *err)
{
	int rc;

	if (mmt_store_begin(st, err) < 0) {
		/* Another process held the database too long: say which file waited. */
		err->path = in->path;
		return TX_FAILED;
	}
	rc = hex ? claim_content(st, in, hex, force, err) : TX_DONE;
	if (rc == TX_DONE && insert_source(st, in, kind, hex ? hex : "", err) < 0)
		rc = TX_FAILED;
	if (rc != TX_DONE) {
		mmt_store_rollback(st);
		return rc;
	}
	in->source_id = mmt_store_last_id(st);
	return TX_DONE;
}

/*
 * The transaction around one parse: all of the file, or nothing. hex is
 * NULL when the parser hashes the file (in->hash): the source row holds an
 * empty hash until the parse is over. Returns TX_DUPLICATE, the database
 * unchanged, when another process stored the same content meanwhile.
 */
static int parse_in_transaction(struct mmt_store *st, const struct mmt_parser *p,
				struct mmt_input *in, const char *hex, bool force,
				struct mmt_err *err)
{
	int rc = open_source(st, in, p->name, hex, force, err);

	if (rc != TX_DONE)
		return rc;
	rc = TX_FAILED;
	if (p->parse(in, st, err) < 0 || finish_source(st, in, err) < 0)
		goto out;
	if (!hex && (rc = store_parser_hash(st, in, force, err)) != TX_DONE)
		goto out;
	if (mmt_interrupted()) {
		rc = mmt_err_at(err, in->path, 0, "interrupted");
		goto out;
	}
	return mmt_store_commit(st, err);
out:
	mmt_store_rollback(st);
	return rc;
}

static void set_status(struct mmt_ingest_result *r, enum mmt_ingest_status s,
		       const char *why)
{
	r->status = s;
	if (why)
		snprintf(r->why, sizeof(r->why), "%s", why);
}

/* The hash of the file, and the stored source with that content (0 if none). */
static int64_t hash_and_find(struct mmt_store *st, int fd, const char *path, bool named,
			     char hex[65], struct mmt_err *err)
{
	if (hash_file(fd, path, named, hex, err) < 0)
		return -1;
	return find_source(st, hex, err);
}

/* Recognise, hash, dedup and parse an open file. */
static void ingest_fd(struct mmt_store *st, int fd, struct mmt_input *in,
		      const struct mmt_ingest_opts *o, struct mmt_ingest_result *r,
		      struct mmt_err *err)
{
	char *head = xmalloc(MMT_HEAD_MAX + 1);
	ssize_t hl = read_head(fd, head, MMT_HEAD_MAX);
	const struct mmt_parser *p;
	struct mmt_sha256 hash;
	char hex[65];
	int64_t existing;
	int one_pass;

	if (hl < 0) {
		mmt_err_at(err, in->path, 0, "cannot read: %s", strerror(errno));
		set_status(r, MMT_INGEST_FAILED, NULL);
		goto out;
	}
	if (hl == 0) {
		set_status(r, MMT_INGEST_SKIPPED, "empty file");
		goto out;
	}
	in->head = head;
	in->head_len = (size_t)hl;
	p = o->as ? mmt_parser_find(o->as) : mmt_parser_sniff(head, (size_t)hl);
	if (!p) {
		describe_unknown(head, (size_t)hl, r->why, sizeof(r->why));
		r->status = MMT_INGEST_SKIPPED;
		goto out;
	}
	r->kind = p->name;
	one_pass = p->hashes_input ? size_unseen(st, in->size, err) : 0;
	if (one_pass < 0) {
		set_status(r, MMT_INGEST_FAILED, NULL);
		goto out;
	}
	if (one_pass) {
		mmt_sha256_init(&hash);
		if (p->named_samples)
			hash_name(&hash, in->path);
		in->hash = &hash;
	} else {
		existing = hash_and_find(st, fd, in->path, p->named_samples, hex, err);
		if (existing < 0) {
			set_status(r, MMT_INGEST_FAILED, NULL);
			goto out;
		}
		if (existing > 0 && !o->force) {
			r->source_id = existing;
			set_status(r, MMT_INGEST_DUPLICATE, NULL);
			goto out;
		}
	}
	switch (parse_in_transaction(st, p, in, one_pass ? NULL : hex, o->force, err)) {
	case TX_DUPLICATE:
		r->source_id = in->source_id;
		set_status(r, MMT_INGEST_DUPLICATE, NULL);
		goto out;
	case TX_FAILED:
		set_status(r, mmt_interrupted() ? MMT_INGEST_INTERRUPTED
			   : MMT_INGEST_FAILED, NULL);
		goto out;
	}
	r->status = MMT_INGESTED;
	r->source_id = in->source_id;
	r->records = in->records;
	r->reports = in->reports;
	r->format = in->format;
out:
	in->hash = NULL;	/* &hash goes out of scope */
	free(head);
}

const char *mmt_file_type(mode_t mode)
{
	return S_ISREG(mode) ? "a regular file" : S_ISDIR(mode) ? "a directory" :
	       S_ISFIFO(mode) ? "a FIFO" : S_ISSOCK(mode) ? "a socket" :
	       S_ISCHR(mode) ? "a character device" : S_ISBLK(mode) ? "a block device" :
	       S_ISLNK(mode) ? "a symlink" : "of an unknown type";
}

/* Bytes of holes in fd, counted until they reach MMT_HOLE_MAX; *first is
   where the first one starts. Leaves fd at offset 0. */
static uint64_t hole_bytes(int fd, const struct stat *sb, uint64_t *first)
{
	off_t at = 0, end = sb->st_size;
	uint64_t holes = 0;

	/* Every byte stored: no hole (compressed file systems store fewer). */
	if ((uint64_t)sb->st_blocks * 512 >= (uint64_t)sb->st_size)
		return 0;
	while (at < end && holes < MMT_HOLE_MAX) {
		off_t hole = lseek(fd, at, SEEK_HOLE), data;

		if (hole < 0 || hole >= end)
			break;
		data = lseek(fd, hole, SEEK_DATA);
		if (data < 0)
			data = end;	/* ENXIO: a hole up to the end */
		if (!holes)
			*first = (uint64_t)hole;
		holes += (uint64_t)(data - hole);
		at = data;
	}
	lseek(fd, 0, SEEK_SET);
	return holes;
}

/*
 * Opens a file to ingest without waiting (a FIFO waits for a writer when
 * opened) and refuses what is not a regular file or is mostly holes.
 * Returns the fd, or -1 with r and err saying why.
 */
static int open_input(const char *path, const char *shown, struct stat *sb,
		      struct mmt_ingest_result *r, struct mmt_err *err)
{
	/* A socket cannot be opened at all: said by its type, not by ENXIO. */
	bool special = stat(path, sb) == 0 && !S_ISREG(sb->st_mode);
	int fd = special ? -1 : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	uint64_t first = 0, holes;

	if (!special && (fd < 0 || fstat(fd, sb) < 0)) {
		mmt_err_at(err, shown, 0, "cannot open: %s", strerror(errno));
		r->status = MMT_INGEST_FAILED;
	} else if (!S_ISREG(sb->st_mode)) {
		snprintf(r->why, sizeof(r->why), "%s, not a regular file: not read",
			 mmt_file_type(sb->st_mode));
		r->status = MMT_INGEST_SKIPPED;
	} else if ((holes = hole_bytes(fd, sb, &first)) >= MMT_HOLE_MAX) {
		mmt_err_at(err, shown, 0, "a sparse file: holes (never written, read as NUL "
			   "bytes) of at least %" PRIu64 " bytes from byte %" PRIu64 " on, "
			   "past MMT_HOLE_MAX (%u): not a collected file", holes, first,
			   MMT_HOLE_MAX);
		r->status = MMT_INGEST_FAILED;
	} else if (fcntl(fd, F_SETFL, O_RDONLY) < 0) {
		mmt_err_at(err, shown, 0, "cannot read: %s", strerror(errno));
		r->status = MMT_INGEST_FAILED;
	} else {
		return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

void mmt_ingest_file_as(struct mmt_store *st, const char *path, const char *shown,
			const struct mmt_ingest_opts *o, struct mmt_ingest_result *r,
			struct mmt_err *err)
{
	struct mmt_input in = { 0 };
	struct stat sb;
	int fd;

	memset(r, 0, sizeof(*r));
	mmt_err_clear(err);
	fd = open_input(path, shown, &sb, r, err);
	if (fd < 0)
		return;
	in.path = shown;
	in.fd = fd;
	in.size = (uint64_t)sb.st_size;
	in.mtime = (double)sb.st_mtim.tv_sec + sb.st_mtim.tv_nsec / 1e9;
	in.flags = o->lenient ? MMT_INPUT_LENIENT : 0;
	in.kernel_hint = o->kernel;
	in.tree_id = o->tree_id;
	in.page_size = o->page_size;
	in.tree_time = o->tree_time;
	in.warn = o->warn;
	in.progress = o->progress;
	in.hook_ctx = o->hook_ctx;
	ingest_fd(st, fd, &in, o, r, err);
	close(fd);
}

void mmt_ingest_file(struct mmt_store *st, const char *path,
		     const struct mmt_ingest_opts *o, struct mmt_ingest_result *r,
		     struct mmt_err *err)
{
	mmt_ingest_file_as(st, path, path, o, r, err);
}

/*
 * The identity of a /sys/kernel/slab directory (or a copy): its names and
 * where its links point, which is what it says about merges. Counts of
 * objects change from one reading to the next without making it new.
 */
static int hash_slab_dir(const char *dir, char hex[65], struct mmt_err *err)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	struct mmt_sha256 c;
	unsigned char digest[32];

	if (n < 0)
		return mmt_err_at(err, dir, 0, "cannot read directory: %s", strerror(errno));
	mmt_sha256_init(&c);
	mmt_sha256_update(&c, "slab_dir", 9);
	for (int i = 0; i < n; i++) {
		char *child = xmalloc(strlen(dir) + strlen(names[i]->d_name) + 2), target[256];
		ssize_t k;

		sprintf(child, "%s/%s", dir, names[i]->d_name);
		k = readlink(child, target, sizeof(target));
		mmt_sha256_update(&c, names[i]->d_name, strlen(names[i]->d_name) + 1);
		if (k > 0)
			mmt_sha256_update(&c, target, (size_t)k);
		free(child);
		free(names[i]);
	}
	free(names);
	mmt_sha256_final(&c, digest);
	mmt_sha256_hex(digest, hex);
	return 0;
}

static int slab_dir_in_transaction(struct mmt_store *st, const char *dir,
				   struct mmt_input *in, const char *hex, bool force,
				   struct mmt_err *err)
{
	int rc = open_source(st, in, "slab_aliases", hex, force, err);

	if (rc != TX_DONE)
		return rc;
	rc = TX_FAILED;
	in->format = "sysfs";
	if (mmt_slab_sysfs_ingest(st, dir, in->source_id, &in->records, err) < 0 ||
	    finish_source(st, in, err) < 0)
		goto out;
	return mmt_store_commit(st, err);
out:
	mmt_store_rollback(st);
	return rc;
}

void mmt_ingest_slab_dir(struct mmt_store *st, const char *dir, const char *shown,
			 const struct mmt_ingest_opts *o, struct mmt_ingest_result *r,
			 struct mmt_err *err)
{
	struct mmt_input in = { .path = shown, .fd = -1, .tree_id = o->tree_id };
	char hex[65];
	int64_t existing;

	memset(r, 0, sizeof(*r));
	mmt_err_clear(err);
	r->kind = "slab_aliases";
	if (hash_slab_dir(dir, hex, err) < 0 || (existing = find_source(st, hex, err)) < 0) {
		r->status = MMT_INGEST_FAILED;
		return;
	}
	if (existing > 0 && !o->force) {
		r->source_id = existing;
		r->status = MMT_INGEST_DUPLICATE;
		return;
	}
	switch (slab_dir_in_transaction(st, dir, &in, hex, o->force, err)) {
	case TX_DUPLICATE:
		r->source_id = in.source_id;
		r->status = MMT_INGEST_DUPLICATE;
		return;
	case TX_FAILED:
		r->status = MMT_INGEST_FAILED;
		return;
	}
	r->status = MMT_INGESTED;
	r->source_id = in.source_id;
	r->records = in.records;
	r->format = in.format;
}

/*
 * A walk of the directories named on the command line. A symlink met on
 * the way is followed only when it points inside the directory named (as
 * grep -r would not follow it at all): a link out of it would read files
 * the user did not name. Each directory is entered once, so that a link
 * back up (a loop) or many links to one directory end.
 */
struct walk {
	struct mmt_store *st;
	const struct mmt_ingest_opts *o;
	mmt_ingest_cb cb;
	void *ctx;
	int ingested, failed;
	char *top;			/* the named directory, resolved; NULL for a file */
	struct mmt_strmap seen;		/* "dev:ino" of the directories entered */
};

static void walk_path(struct walk *w, const char *path);

/* Says that path is passed over, and why. */
static void walk_skip(struct walk *w, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void walk_skip(struct walk *w, const char *path, const char *fmt, ...)
{
	struct mmt_ingest_result r = { .status = MMT_INGEST_SKIPPED };
	struct mmt_err err = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r.why, sizeof(r.why), fmt, ap);
	va_end(ap);
	w->cb(w->ctx, path, &r, &err);
}

/* True (and said) when child is a symlink that leads out of the named directory. */
static bool leaves_walk(struct walk *w, const char *child)
{
	struct stat sb;
	char *real;
	size_t k;
	bool out;

	if (!w->top || lstat(child, &sb) < 0 || !S_ISLNK(sb.st_mode))
		return false;
	real = realpath(child, NULL);
	if (!real)
		return false;	/* dangling: its open fails and says so */
	k = strlen(w->top);
	out = strncmp(real, w->top, k) || (real[k] != '/' && real[k]);
	if (out)
		walk_skip(w, child, "a symlink to '%s', outside '%s': not followed "
			  "(name it to ingest it)", real, w->top);
	free(real);
	return out;
}

/* True the first time the directory sb is met in this walk. */
static bool first_visit(struct walk *w, const struct stat *sb)
{
	char key[48];
	int n = snprintf(key, sizeof(key), "%ju:%ju", (uintmax_t)sb->st_dev,
			 (uintmax_t)sb->st_ino);
	int64_t v;

	if (mmt_strmap_get(&w->seen, key, (size_t)n, &v))
		return false;
	mmt_strmap_put(&w->seen, key, (size_t)n, 1);
	return true;
}

static void walk_dir(struct walk *w, const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	if (n < 0) {
		struct mmt_ingest_result r = { .status = MMT_INGEST_FAILED };
		struct mmt_err err = { 0 };

		mmt_err_at(&err, dir, 0, "cannot read directory: %s", strerror(errno));
		w->failed++;
		w->cb(w->ctx, dir, &r, &err);
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (name[0] != '.' && !mmt_interrupted()) {
			char *child = xmalloc(strlen(dir) + strlen(name) + 2);

			sprintf(child, "%s/%s", dir, name);
			if (!leaves_walk(w, child))
				walk_path(w, child);
			free(child);
		}
		free(names[i]);
	}
	free(names);
}

/* A directory or archive that is read as a unit rather than file by file. */
static bool walk_unit(struct walk *w, const char *path, bool dir)
{
	struct mmt_ingest_result r = { 0 };
	struct mmt_err err = { 0 };
	int n;

	if (dir && mmt_slab_sysfs_dir(path)) {
		mmt_ingest_slab_dir(w->st, path, path, w->o, &r, &err);
		w->ingested += r.status == MMT_INGESTED;
		w->failed += r.status == MMT_INGEST_FAILED;
		w->cb(w->ctx, path, &r, &err);
		return true;
	}
	if (mmt_tree_detect(path) == MMT_TREE_NONE)
		return false;
	n = mmt_ingest_tree(w->st, path, w->o, w->cb, w->ctx, &err);
	if (n < 0) {
		r.status = mmt_interrupted() ? MMT_INGEST_INTERRUPTED : MMT_INGEST_FAILED;
		w->failed += r.status == MMT_INGEST_FAILED;
		w->cb(w->ctx, path, &r, &err);
	} else {
		w->ingested += n;
	}
	return true;
}

static void walk_path(struct walk *w, const char *path)
{
	struct mmt_ingest_result r;
	struct mmt_err err = { 0 };
	struct stat sb;
	bool known = stat(path, &sb) == 0;
	bool dir = known && S_ISDIR(sb.st_mode);

	if (known && !dir && !S_ISREG(sb.st_mode)) {
		walk_skip(w, path, "%s, not a regular file: not read", mmt_file_type(sb.st_mode));
		return;
	}
	if (dir && !first_visit(w, &sb)) {
		walk_skip(w, path, "a directory already walked (a symlink loop?)");
		return;
	}
	if (known && walk_unit(w, path, dir))
		return;
	if (dir) {
		walk_dir(w, path);
		return;
	}
	mmt_ingest_file(w->st, path, w->o, &r, &err);
	if (r.status == MMT_INGESTED)
		w->ingested++;
	if (r.status == MMT_INGEST_FAILED)
		w->failed++;
	w->cb(w->ctx, path, &r, &err);
}

int mmt_ingest_paths(struct mmt_store *st, char *const *paths, int npaths,
		     const struct mmt_ingest_opts *o, mmt_ingest_cb cb, void *ctx,
		     int *failed)
{
	struct walk w = { .st = st, .o = o, .cb = cb, .ctx = ctx };

	for (int i = 0; i < npaths && !mmt_interrupted(); i++) {
		w.top = realpath(paths[i], NULL);
		walk_path(&w, paths[i]);
		free(w.top);
	}
	mmt_strmap_free(&w.seen);
	*failed = w.failed;
	return w.ingested;
}
