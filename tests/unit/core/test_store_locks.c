/*
 * Tests of the store with two connections to one database file, as two
 * processes would have (core/store.c): a writer waits for the other's
 * write transaction while its wait hook says so, and gives up with a
 * message naming the cause when it says no; a connection that left a
 * statement on a row still begins a write after the other committed; a
 * database whose schema another connection applied while this one waited
 * to apply it is opened without applying it twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/schema.h"
#include "core/store.h"

struct files {
	char dir[256], db[300];
};

static int make_dir(void **state)
{
	struct files *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	snprintf(f->dir, sizeof(f->dir), "%s/mmt-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/case.db", f->dir);
	*state = f;
	return 0;
}

static int remove_dir(void **state)
{
	struct files *f = *state;
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char path[320];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", f->db, suffixes[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	mmt_store_default_wait(NULL, NULL);
	return 0;
}

static struct mmt_store *open_file(const char *path)
{
	struct mmt_store *st;
	struct mmt_err err = { 0 };

	assert_int_equal(mmt_store_open(&st, path, 0, &err), 0);
	return st;
}

/* What a wait hook saw, and what it does at a given point of the wait. */
struct waiter {
	int calls;
	double waited, give_up_at;
	struct mmt_store *holder;	/* commits at release_at seconds when set */
	double release_at;
};

static bool hook(void *ctx, const char *path, double waited)
{
	struct waiter *w = ctx;
	struct mmt_err err = { 0 };

	assert_non_null(strstr(path, "case.db"));
	w->calls++;
	w->waited = waited;
	if (w->holder && waited >= w->release_at) {
		assert_int_equal(mmt_store_commit(w->holder, &err), 0);
		w->holder = NULL;
	}
	return waited < w->give_up_at;
}

static void test_gives_up_when_told(void **state)
{
	struct files *f = *state;
	struct mmt_store *a = open_file(f->db), *b = open_file(f->db);
	struct waiter w = { .give_up_at = 0.3 };
	struct mmt_err err = { 0 };

	assert_int_equal(mmt_store_begin(a, &err), 0);
	mmt_store_set_wait(b, hook, &w);
	assert_int_equal(mmt_store_begin(b, &err), -1);
	assert_true(w.waited >= 0.3);
	assert_true(w.calls > 3);
	assert_string_equal(err.msg, "database: another process is writing the database "
			    "(gave up after waiting 0 s for it)");
	mmt_store_rollback(a);
	assert_int_equal(mmt_store_begin(b, &err), 0);
	assert_int_equal(mmt_store_commit(b, &err), 0);
	mmt_store_close(a);
	mmt_store_close(b);
}

/* The holder commits during the wait (from the hook): the waiter goes on. */
static void test_waits_for_the_writer(void **state)
{
	struct files *f = *state;
	struct mmt_store *a = open_file(f->db), *b = open_file(f->db);
	struct mmt_err err = { 0 };
	struct waiter w = { .give_up_at = 60, .holder = a, .release_at = 0.2 };

	assert_int_equal(mmt_store_begin(a, &err), 0);
	assert_int_equal(mmt_store_exec(a, "INSERT INTO sources (path, kind, sha256, size, "
				       "ingested_at) VALUES ('a', 'kernel_log', 'a', 0, 'now')",
				       &err), 0);
	mmt_store_set_wait(b, hook, &w);
	assert_int_equal(mmt_store_begin(b, &err), 0);
	assert_null(w.holder);
	assert_true(w.waited >= 0.2 && w.waited < 60);
	/* The write starts from the holder's commit. */
	assert_int_equal(mmt_store_query_int(b, "SELECT count(*) FROM sources"), 1);
	assert_int_equal(mmt_store_commit(b, &err), 0);
	mmt_store_close(a);
	mmt_store_close(b);
}

/*
 * A lookup left on its row holds the snapshot it read; after another
 * connection's commit SQLite would refuse to make that snapshot a write
 * (SQLITE_BUSY_SNAPSHOT, without waiting): begin starts from the newest.
 */
static void test_begin_after_a_read_left_open(void **state)
{
	static const char sql_count[] = "SELECT count(*) FROM sources";
	struct files *f = *state;
	struct mmt_store *a = open_file(f->db), *b = open_file(f->db);
	struct mmt_err err = { 0 };
	sqlite3_stmt *s = mmt_store_stmt(b, sql_count, &err);

	assert_non_null(s);
	assert_int_equal(mmt_store_step(b, s, &err), 1);
	assert_int_equal(sqlite3_column_int(s, 0), 0);
	assert_int_equal(mmt_store_exec(a, "INSERT INTO sources (path, kind, sha256, size, "
				       "ingested_at) VALUES ('a', 'kernel_log', 'a', 0, 'now')",
				       &err), 0);
	assert_int_equal(mmt_store_begin(b, &err), 0);
	assert_int_equal(mmt_store_query_int(b, sql_count), 1);
	assert_int_equal(mmt_store_commit(b, &err), 0);
	mmt_store_close(a);
	mmt_store_close(b);
}

/* While b waits to migrate an empty database, another connection does it. */
static sqlite3 *other;

static bool migrate_meanwhile(void *ctx, const char *path, double waited)
{
	char pragma[64];

	(void)path;
	(void)waited;
	if (!other || *(int *)ctx)
		return true;
	for (int i = 0; i < mmt_schema_file_count; i++)
		assert_int_equal(sqlite3_exec(other, mmt_schema_files[i].sql, NULL, NULL, NULL),
				 SQLITE_OK);
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d; COMMIT",
		 mmt_schema_file_count);
	assert_int_equal(sqlite3_exec(other, pragma, NULL, NULL, NULL), SQLITE_OK);
	*(int *)ctx += 1;
	return true;
}

static void test_schema_applied_meanwhile(void **state)
{
	struct files *f = *state;
	struct mmt_store *b;
	struct mmt_err err = { 0 };
	int applied = 0;

	assert_int_equal(sqlite3_open(f->db, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "PRAGMA journal_mode = WAL; BEGIN IMMEDIATE",
				      NULL, NULL, NULL), SQLITE_OK);
	mmt_store_default_wait(migrate_meanwhile, &applied);
	assert_int_equal(mmt_store_open(&b, f->db, 0, &err), 0);
	sqlite3_close(other);
	other = NULL;
	assert_int_equal(applied, 1);
	assert_int_equal(mmt_store_version(b), mmt_schema_file_count);
	mmt_store_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gives_up_when_told, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_waits_for_the_writer, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_begin_after_a_read_left_open, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_schema_applied_meanwhile, make_dir,
						remove_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
