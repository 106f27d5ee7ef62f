/*
 * The store: one SQLite file holding everything mmtriage knows. This is the
 * only module that owns the sqlite3 connection; parsers and analyzers get
 * prepared statements from it and keep their SQL text at the top of their
 * own files. Opening migrates the schema (PRAGMA user_version plus the
 * ordered schema/NNN-*.sql files embedded in the binary).
 */
#ifndef MMT_STORE_H
#define MMT_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct mmt_store;

#define MMT_STORE_READONLY	1u	/* open an existing database read-only */
#define MMT_STORE_MEMORY	2u	/* path is ignored: a private :memory: database */
#define MMT_STORE_SCRATCH	4u	/* a private file deleted after use: no journal, no syncs */

/* Opens (creating and migrating unless read-only) the database at path. */
int mmt_store_open(struct mmt_store **out, const char *path, unsigned flags,
		   struct mmt_err *err);
/* Finalizes the cached statements and closes; NULL is fine. */
void mmt_store_close(struct mmt_store *st);

/*
 * Waiting for another process's lock (see on_busy in store.c): fn is called
 * at each poll (every 50 ms at most) with the seconds waited, and the wait
 * goes on while it returns true; the statement that gives up fails with a
 * message saying that another process is writing the database. Without fn
 * a wait lasts MMT_STORE_WAIT_MS. mmt_store_default_wait sets the hook of
 * the stores opened afterwards (the wait during opening included).
 */
#define MMT_STORE_WAIT_MS	5000
typedef bool (*mmt_store_wait_fn)(void *ctx, const char *path, double waited);
void mmt_store_set_wait(struct mmt_store *st, mmt_store_wait_fn fn, void *ctx);
void mmt_store_default_wait(mmt_store_wait_fn fn, void *ctx);

int mmt_store_begin(struct mmt_store *st, struct mmt_err *err);
/*
 * Resets the statements left on a row, which hold the snapshot they began
 * with: the next reads see the newest data (begin does it before a write).
 */
void mmt_store_end_reads(struct mmt_store *st);
/*
 * A read transaction (one snapshot of the database for several queries
 * while other processes write), ended by mmt_store_commit or
 * mmt_store_rollback; not inside another transaction.
 */
int mmt_store_begin_read(struct mmt_store *st, struct mmt_err *err);
int mmt_store_commit(struct mmt_store *st, struct mmt_err *err);
/* Undoes the open transaction, if any. */
void mmt_store_rollback(struct mmt_store *st);

/*
 * Returns a prepared statement for sql, cached by the address of sql (pass
 * the static const strings of the calling file). The statement is reset and
 * its bindings cleared; the store finalizes it when closed.
 */
sqlite3_stmt *mmt_store_stmt(struct mmt_store *st, const char *sql,
			     struct mmt_err *err);
/*
 * The same, with the old bindings left in place: for a statement whose
 * every parameter the caller binds before each run (clearing hundreds of
 * them per row batch is not free).
 */
sqlite3_stmt *mmt_store_stmt_rebind(struct mmt_store *st, const char *sql,
				    struct mmt_err *err);
/* Prepares a statement the caller finalizes (for SQL built at run time). */
sqlite3_stmt *mmt_store_prepare(struct mmt_store *st, const char *sql,
				struct mmt_err *err);
/* Runs statements without results. */
int mmt_store_exec(struct mmt_store *st, const char *sql, struct mmt_err *err);
/*
 * Steps a statement that returns no rows and resets it. Returns 0, or -1
 * with err filled.
 */
int mmt_store_run(struct mmt_store *st, sqlite3_stmt *stmt, struct mmt_err *err);
/* Steps; returns 1 for a row, 0 when done, -1 on error (err filled). */
int mmt_store_step(struct mmt_store *st, sqlite3_stmt *stmt, struct mmt_err *err);
int64_t mmt_store_last_id(struct mmt_store *st);
/* Schema version the database is at (PRAGMA user_version). */
int mmt_store_version(struct mmt_store *st);
/* Number of schema versions this binary knows. */
int mmt_store_latest_version(void);
/* Runs one query returning a single integer; -1 on error. */
int64_t mmt_store_query_int(struct mmt_store *st, const char *sql);
sqlite3 *mmt_store_handle(struct mmt_store *st);

/* Binding helpers: NULL text and absent integers bind SQL NULL. */
void mmt_bind_text(sqlite3_stmt *s, int i, const char *text);
void mmt_bind_textn(sqlite3_stmt *s, int i, const char *text, size_t n);
void mmt_bind_int(sqlite3_stmt *s, int i, int64_t v);
void mmt_bind_int_opt(sqlite3_stmt *s, int i, int64_t v, bool present);
void mmt_bind_double_opt(sqlite3_stmt *s, int i, double v, bool present);
/* Column helpers: "" for NULL text. */
const char *mmt_col_text(sqlite3_stmt *s, int i);
bool mmt_col_null(sqlite3_stmt *s, int i);

#endif
