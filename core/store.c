/*
 * The SQLite store: opening, schema migration, transactions, and a cache of
 * prepared statements keyed by the address of their SQL text.
 */
#include "core/store.h"
#include "core/sql_functions.h"
#include "core/schema.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cached_stmt {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct mmt_store {
	sqlite3 *db;
	struct cached_stmt *cache;
	size_t ncache, capcache;
	int depth;			/* open transactions: 1, then savepoints */
	bool readonly;
	char *path;
	mmt_store_wait_fn on_wait;	/* see mmt_store_set_wait */
	void *wait_ctx;
	struct timespec wait_start;	/* when the current wait for a lock began */
	double waited;			/* seconds of it, when it ended */
};

/* The hook new stores start with: mmt_store_default_wait. */
static mmt_store_wait_fn default_on_wait;
static void *default_wait_ctx;

/*
 * What SQLite said, except for a lock given up on: "database is locked"
 * would not say who holds it nor that the store waited.
 */
static const char *db_message(struct mmt_store *st, const char *sqlite_msg, char *buf,
			      size_t n)
{
	if ((sqlite3_errcode(st->db) & 0xff) != SQLITE_BUSY)
		return sqlite_msg;
	if (sqlite3_extended_errcode(st->db) == SQLITE_BUSY_SNAPSHOT)
		return "another process wrote the database after this one began reading it";
	snprintf(buf, n, "another process is writing the database (gave up after "
		 "waiting %.0f s for it)", st->waited);
	return buf;
}

static int db_error(struct mmt_store *st, struct mmt_err *err, const char *what)
{
	char buf[128];

	return mmt_err_set(err, "%s: %s", what,
			   db_message(st, sqlite3_errmsg(st->db), buf, sizeof(buf)));
}

/* "WHAT: " before the message (copied first: it cannot be formatted into itself). */
static int prefix_err(struct mmt_err *err, const char *what)
{
	char msg[sizeof(err->msg)];

	snprintf(msg, sizeof(msg), "%s", err->msg);
	return mmt_err_set(err, "%s: %s", what, msg);
}

int mmt_store_exec(struct mmt_store *st, const char *sql, struct mmt_err *err)
{
	char *msg = NULL, buf[128];

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		mmt_err_set(err, "database: %s",
			    db_message(st, msg ? msg : "error", buf, sizeof(buf)));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int mmt_store_version(struct mmt_store *st)
{
	return (int)mmt_store_query_int(st, "PRAGMA user_version");
}

int mmt_store_latest_version(void)
{
	return mmt_schema_file_count;
}

/* Schema files from version v up, and the version, in the open transaction. */
static int apply_schema(struct mmt_store *st, int v, struct mmt_err *err)
{
	char pragma[64], what[96];

	if (v < 0)
		return db_error(st, err, "reading schema version");
	if (v > mmt_schema_file_count)
		return mmt_err_set(err, "database schema version %d is newer than this "
				   "mmtriage (%d); upgrade mmtriage", v, mmt_schema_file_count);
	for (; v < mmt_schema_file_count; v++) {
		if (mmt_store_exec(st, mmt_schema_files[v].sql, err) < 0) {
			snprintf(what, sizeof(what), "applying %s", mmt_schema_files[v].name);
			return prefix_err(err, what);
		}
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", mmt_schema_file_count);
	if (mmt_store_exec(st, pragma, err) < 0)
		return -1;
	return mmt_store_exec(st, "COMMIT", err);
}

/*
 * Brings the database to this binary's schema, all files in one
 * transaction: a reader sees no schema or all of it, and a kill leaves the
 * version it found. The version is read again once the write lock is held:
 * two processes creating the same database (ingests started together) both
 * find version 0 first, and the second must then apply nothing.
 */
static int migrate(struct mmt_store *st, struct mmt_err *err)
{
	int v = mmt_store_version(st);

	if (v == mmt_schema_file_count)
		return 0;
	if (v >= 0 && v < mmt_schema_file_count) {
		if (mmt_store_exec(st, "BEGIN IMMEDIATE", err) < 0)
			return -1;
		v = mmt_store_version(st);
	}
	if (apply_schema(st, v, err) == 0)
		return 0;
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);	/* err says why */
	return -1;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * SQLite's busy handler: another connection holds a lock this one needs.
 * Readers of a WAL database meet this only for moments (a connection
 * opening or closing the WAL); a writer waits for another process's write
 * transaction, which an ingest holds for a whole file or tree, minutes for
 * a large trace. SQLite's own timeout would fail after a fixed time with
 * "database is locked"; here the wait lasts while the hook wants it (the
 * commands: until Ctrl-C, saying that they wait), or MMT_STORE_WAIT_MS
 * without a hook. Polls back off to 50 ms, short enough to take the lock
 * between two transactions of a process that is not writing all the time.
 */
static int on_busy(void *ctx, int count)
{
	struct mmt_store *st = ctx;

	if (count == 0)
		clock_gettime(CLOCK_MONOTONIC, &st->wait_start);
	st->waited = seconds_since(&st->wait_start);
	if (st->on_wait ? !st->on_wait(st->wait_ctx, st->path, st->waited)
			: st->waited * 1000 >= MMT_STORE_WAIT_MS)
		return 0;
	sqlite3_sleep(count < 6 ? 1 << count : 50);
	return 1;
}

void mmt_store_set_wait(struct mmt_store *st, mmt_store_wait_fn fn, void *ctx)
{
	st->on_wait = fn;
	st->wait_ctx = ctx;
}

void mmt_store_default_wait(mmt_store_wait_fn fn, void *ctx)
{
	default_on_wait = fn;
	default_wait_ctx = ctx;
}

static int configure(struct mmt_store *st, unsigned flags, struct mmt_err *err)
{
	sqlite3_busy_handler(st->db, on_busy, st);
	if (mmt_sql_functions_register(st->db) < 0)
		return mmt_err_set(err, "cannot add SQL functions: %s", sqlite3_errmsg(st->db));
	if (mmt_store_exec(st, "PRAGMA foreign_keys = ON", err) < 0)
		return -1;
	if (flags & MMT_STORE_READONLY)
		return 0;
	/*
	 * A scratch database (report's temporary one) dies with the process:
	 * it needs no syncs, and a rollback journal writes each new page once
	 * where WAL writes it twice. The journal stays on disk, not in memory:
	 * the analysis rewrites every page of reports and tasks, which would
	 * make memory grow with the log. 8 KiB pages measured a little faster.
	 */
	if (flags & MMT_STORE_SCRATCH)
		return mmt_store_exec(st, "PRAGMA page_size = 8192; "
				      "PRAGMA journal_mode = DELETE; "
				      "PRAGMA synchronous = OFF", err);
	/*
	 * WAL lets a TUI read while an ingest writes; synchronous=NORMAL is
	 * durable at checkpoints, which is enough for a rebuildable store.
	 */
	if (!(flags & MMT_STORE_MEMORY) &&
	    mmt_store_exec(st, "PRAGMA journal_mode = WAL", err) < 0)
		return -1;
	return mmt_store_exec(st, "PRAGMA synchronous = NORMAL", err);
}

/*
 * SQLite counts every allocation under a global mutex unless told not to;
 * nothing here reads the counts, and an ingest allocates per row. The
 * setting only takes before SQLite initialises, so the first open makes it.
 */
static void configure_library(void)
{
	static bool done;

	if (!done) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		done = true;
	}
}

int mmt_store_open(struct mmt_store **out, const char *path, unsigned flags,
		   struct mmt_err *err)
{
	struct mmt_store *st = xcalloc(1, sizeof(*st));
	/* One thread per connection: no need for SQLite's mutexes. */
	int oflags = SQLITE_OPEN_NOMUTEX | ((flags & MMT_STORE_READONLY) ?
		     SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);

	*out = NULL;
	configure_library();
	if (flags & MMT_STORE_MEMORY)
		path = ":memory:";
	st->readonly = flags & MMT_STORE_READONLY;
	st->path = xstrdup(path);
	mmt_store_set_wait(st, default_on_wait, default_wait_ctx);
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		mmt_err_set(err, "cannot open database %s: %s", path,
			    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		mmt_store_close(st);
		return -1;
	}
	if (configure(st, flags, err) < 0 ||
	    (!st->readonly && migrate(st, err) < 0)) {
		prefix_err(err, path);
		mmt_store_close(st);
		return -1;
	}
	if (st->readonly && mmt_store_version(st) != mmt_schema_file_count) {
		mmt_err_set(err, "%s: not an mmtriage database of schema version %d "
			    "(found %d); ingest into it first", path,
			    mmt_schema_file_count, mmt_store_version(st));
		mmt_store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

void mmt_store_close(struct mmt_store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->ncache; i++)
		sqlite3_finalize(st->cache[i].stmt);
	free(st->cache);
	if (st->depth)
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

/*
 * A statement left on a row (a lookup that read the one row it wanted, a
 * view that read one page) keeps a read transaction open on the snapshot
 * it started with. Once another process has committed, SQLite cannot make
 * that snapshot a write transaction and BEGIN IMMEDIATE fails at once with
 * SQLITE_BUSY_SNAPSHOT, without waiting. A write starts from the newest
 * data instead: such statements are reset first (outside a transaction no
 * caller steps a statement across a begin; the next step starts over).
 */
void mmt_store_end_reads(struct mmt_store *st)
{
	for (sqlite3_stmt *s = sqlite3_next_stmt(st->db, NULL); s; s = sqlite3_next_stmt(st->db, s))
		if (sqlite3_stmt_busy(s))
			sqlite3_reset(s);
}

/*
 * Transactions nest: inside one, begin opens a savepoint, so that a tree of
 * files is one unit while each file of it can still fail alone.
 */
int mmt_store_begin(struct mmt_store *st, struct mmt_err *err)
{
	if (!st->depth)
		mmt_store_end_reads(st);
	if (mmt_store_exec(st, st->depth ? "SAVEPOINT nested" : "BEGIN IMMEDIATE", err) < 0)
		return -1;
	st->depth++;
	return 0;
}

/*
 * A read transaction: every query until the commit sees the database as it
 * was at the begin (the first read is made here, which is when SQLite
 * takes the snapshot), whatever other processes commit meanwhile.
 */
int mmt_store_begin_read(struct mmt_store *st, struct mmt_err *err)
{
	if (st->depth)
		return mmt_err_set(err, "database: a read transaction inside another transaction");
	if (mmt_store_exec(st, "BEGIN DEFERRED; SELECT count(*) FROM sqlite_master", err) < 0) {
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);	/* err says why */
		return -1;
	}
	st->depth++;
	return 0;
}

int mmt_store_commit(struct mmt_store *st, struct mmt_err *err)
{
	if (mmt_store_exec(st, st->depth > 1 ? "RELEASE nested" : "COMMIT", err) < 0)
		return -1;
	st->depth--;
	return 0;
}

/*
 * On an error path already: a rollback that fails has nothing to add, and
 * SQLite rolls back what is left when the connection closes.
 */
void mmt_store_rollback(struct mmt_store *st)
{
	if (!st->depth)
		return;
	if (st->depth > 1)
		(void)sqlite3_exec(st->db, "ROLLBACK TO nested; RELEASE nested", NULL, NULL, NULL);
	else
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->depth--;
}

sqlite3_stmt *mmt_store_prepare(struct mmt_store *st, const char *sql,
				struct mmt_err *err)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		db_error(st, err, "preparing SQL");
		return NULL;
	}
	return stmt;
}

static sqlite3_stmt *cached_stmt(struct mmt_store *st, const char *sql, bool clear,
				 struct mmt_err *err)
{
	struct cached_stmt *c;

	for (size_t i = 0; i < st->ncache; i++) {
		if (st->cache[i].sql == sql) {
			sqlite3_reset(st->cache[i].stmt);
			if (clear)
				sqlite3_clear_bindings(st->cache[i].stmt);
			return st->cache[i].stmt;
		}
	}
	xgrow((void **)&st->cache, &st->capcache, st->ncache + 1, sizeof(*c));
	c = &st->cache[st->ncache];
	c->stmt = mmt_store_prepare(st, sql, err);
	if (!c->stmt)
		return NULL;
	c->sql = sql;
	st->ncache++;
	return c->stmt;
}

sqlite3_stmt *mmt_store_stmt(struct mmt_store *st, const char *sql,
			     struct mmt_err *err)
{
	return cached_stmt(st, sql, true, err);
}

sqlite3_stmt *mmt_store_stmt_rebind(struct mmt_store *st, const char *sql,
				    struct mmt_err *err)
{
	return cached_stmt(st, sql, false, err);
}

int mmt_store_step(struct mmt_store *st, sqlite3_stmt *stmt, struct mmt_err *err)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	db_error(st, err, "database");
	sqlite3_reset(stmt);
	return -1;
}

int mmt_store_run(struct mmt_store *st, sqlite3_stmt *stmt, struct mmt_err *err)
{
	int rc = mmt_store_step(st, stmt, err);

	if (rc < 0)
		return -1;
	sqlite3_reset(stmt);
	return 0;
}

int64_t mmt_store_last_id(struct mmt_store *st)
{
	return sqlite3_last_insert_rowid(st->db);
}

int64_t mmt_store_query_int(struct mmt_store *st, const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t v = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

sqlite3 *mmt_store_handle(struct mmt_store *st)
{
	return st->db;
}

void mmt_bind_text(sqlite3_stmt *s, int i, const char *text)
{
	if (text)
		sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

void mmt_bind_textn(sqlite3_stmt *s, int i, const char *text, size_t n)
{
	if (text)
		sqlite3_bind_text(s, i, text, (int)n, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

void mmt_bind_int(sqlite3_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(s, i, v);
}

void mmt_bind_int_opt(sqlite3_stmt *s, int i, int64_t v, bool present)
{
	if (present)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

void mmt_bind_double_opt(sqlite3_stmt *s, int i, double v, bool present)
{
	if (present)
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

const char *mmt_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

bool mmt_col_null(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL;
}
