/*
 * The stateful events of one trace source as one stream in id order (time
 * order within a source): a single query over a UNION ALL of only the
 * tables of the types the state machine takes, each a rowid range scan,
 * which SQLite merges without sorting. Each row is reduced to the fields
 * the machine needs (struct mmt_revent), named per kind by the table
 * below; a field the recording kernel did not have reads as absent.
 */
#include "analyzers/replay_state.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The columns of a row: id, time, CPU, pid, kind, then these fields. */
enum { COL_A, COL_B, COL_V, COL_S1, COL_S2, NCOLS };
#define FIELDS 5

/* Per kind: the event and, per column, the fields that may fill it (first found wins). */
struct kind_spec {
	int kind;
	const char *event;
	const char *cols[NCOLS][2];
};

#define RECLAIM_COLS { { "order" }, { NULL }, { "gfp_flags", "gfp_mask" }, { NULL }, { NULL } }
#define WAKE_COLS { { "pid" }, { "target_cpu" }, { NULL }, { "comm" }, { NULL } }
#define NODE_COLS { { "nid" }, { "order" }, { NULL }, { NULL }, { NULL } }
#define BLOCK_COLS { { "sector" }, { "nr_sector" }, { "dev" }, { "rwbs" }, { "info" } }
#define WB_COLS { { NULL }, { NULL }, { NULL }, { "name" }, { "info" } }

static const struct kind_spec specs[] = {
	{ MMT_RK_SWITCH, "sched_switch",
	  { { "prev_pid" }, { "next_pid" }, { "prev_state" }, { "prev_comm" }, { "next_comm" } } },
	{ MMT_RK_WAKEUP, "sched_wakeup", WAKE_COLS },
	{ MMT_RK_WAKEUP_NEW, "sched_wakeup_new", WAKE_COLS },
	{ MMT_RK_WAKING, "sched_waking", WAKE_COLS },
	{ MMT_RK_EXIT, "sched_process_exit", { { "pid" }, { NULL }, { NULL }, { "comm" }, { NULL } } },
	{ MMT_RK_FORK, "sched_process_fork",
	  { { "child_pid" }, { "parent_pid" }, { NULL }, { "child_comm" }, { "parent_comm" } } },
	{ MMT_RK_RENAME, "task_rename",
	  { { "pid" }, { NULL }, { NULL }, { "oldcomm" }, { "newcomm" } } },
	{ MMT_RK_DIRECT_BEGIN, "mm_vmscan_direct_reclaim_begin", RECLAIM_COLS },
	{ MMT_RK_DIRECT_END, "mm_vmscan_direct_reclaim_end", RECLAIM_COLS },
	{ MMT_RK_MEMCG_BEGIN, "mm_vmscan_memcg_reclaim_begin", RECLAIM_COLS },
	{ MMT_RK_MEMCG_END, "mm_vmscan_memcg_reclaim_end", RECLAIM_COLS },
	{ MMT_RK_SOFT_BEGIN, "mm_vmscan_memcg_softlimit_reclaim_begin", RECLAIM_COLS },
	{ MMT_RK_SOFT_END, "mm_vmscan_memcg_softlimit_reclaim_end", RECLAIM_COLS },
	{ MMT_RK_COMPACT_BEGIN, "mm_compaction_begin", RECLAIM_COLS },
	{ MMT_RK_COMPACT_END, "mm_compaction_end", RECLAIM_COLS },
	{ MMT_RK_KSWAPD_WAKE, "mm_vmscan_kswapd_wake", NODE_COLS },
	{ MMT_RK_KSWAPD_SLEEP, "mm_vmscan_kswapd_sleep", NODE_COLS },
	{ MMT_RK_KCOMPACTD_WAKE, "mm_compaction_kcompactd_wake", NODE_COLS },
	{ MMT_RK_KCOMPACTD_SLEEP, "mm_compaction_kcompactd_sleep", NODE_COLS },
	{ MMT_RK_RQ_ISSUE, "block_rq_issue", BLOCK_COLS },
	{ MMT_RK_RQ_COMPLETE, "block_rq_complete", BLOCK_COLS },
	{ MMT_RK_RQ_REQUEUE, "block_rq_requeue", BLOCK_COLS },
	{ MMT_RK_WB_START, "writeback_start", WB_COLS },
	{ MMT_RK_WB_WRITTEN, "writeback_written", WB_COLS },
};

static const char sql_types[] =
	"SELECT id, tbl FROM trace_types WHERE name = ? ORDER BY id";
static const char sql_has_field[] =
	"SELECT 1 FROM trace_fields WHERE type_id = ? AND name = ?";

struct mmt_rstream {
	sqlite3_stmt *q;		/* NULL: no stateful type at all */
};

static bool has_field(struct mmt_store *st, int64_t type_id, const char *name)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_has_field, NULL);
	bool has;

	if (!q)
		return false;
	sqlite3_bind_int64(q, 1, type_id);
	mmt_bind_text(q, 2, name);
	has = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_reset(q);
	return has;
}

/* " \"field\"" for the first field of names the type has, else " NULL". */
static void add_column(struct mmt_store *st, int64_t type_id, const char *const names[2],
		       struct mmt_sb *sql)
{
	for (int i = 0; i < 2 && names[i]; i++)
		if (has_field(st, type_id, names[i])) {
			char *q = sqlite3_mprintf(", \"%w\"", names[i]);

			mmt_sb_adds(sql, q);
			sqlite3_free(q);
			return;
		}
	mmt_sb_adds(sql, ", NULL");
}

/* One SELECT of the union per table of the kind's event. */
static int add_selects(struct mmt_store *st, const struct kind_spec *k, struct mmt_sb *sql,
		       struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_types, err);
	int rc;

	if (!q)
		return -1;
	mmt_bind_text(q, 1, k->event);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		int64_t type_id = sqlite3_column_int64(q, 0);
		char *from = sqlite3_mprintf(" FROM \"%w\" WHERE common_source = ?1 AND "
					     "id > ?2 AND id <= ?3", mmt_col_text(q, 1));

		if (sql->len)
			mmt_sb_adds(sql, " UNION ALL ");
		mmt_sb_addf(sql, "SELECT id, common_ts_ns, common_cpu, common_pid, %d", k->kind);
		for (int c = 0; c < NCOLS; c++)
			add_column(st, type_id, k->cols[c], sql);
		mmt_sb_adds(sql, from);
		sqlite3_free(from);
	}
	sqlite3_reset(q);
	return rc;
}

/* The union of every stateful type's SELECT; "" when the store has none. */
static int union_sql(struct mmt_store *st, struct mmt_sb *sql, struct mmt_err *err)
{
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (add_selects(st, &specs[i], sql, err) < 0)
			return -1;
	return 0;
}

static void bind_range(sqlite3_stmt *q, int64_t source, int64_t after, int64_t upto)
{
	sqlite3_bind_int64(q, 1, source);
	sqlite3_bind_int64(q, 2, after);
	sqlite3_bind_int64(q, 3, upto);
}

struct mmt_rstream *mmt_rstream_open(struct mmt_store *st, int64_t source, int64_t after,
				     int64_t upto, struct mmt_err *err)
{
	struct mmt_rstream *r = xcalloc(1, sizeof(*r));
	struct mmt_sb sql = MMT_SB_INIT;

	if (union_sql(st, &sql, err) < 0)
		goto fail;
	if (sql.len) {
		mmt_sb_adds(&sql, " ORDER BY 1");
		r->q = mmt_store_prepare(st, mmt_sb_str(&sql), err);
		if (!r->q)
			goto fail;
		bind_range(r->q, source, after, upto);
	}
	mmt_sb_free(&sql);
	return r;
fail:
	mmt_sb_free(&sql);
	free(r);
	return NULL;
}

int64_t mmt_rstream_count(struct mmt_store *st, int64_t source, int64_t after, int64_t upto,
			  struct mmt_err *err)
{
	struct mmt_sb sql = MMT_SB_INIT, count = MMT_SB_INIT;
	sqlite3_stmt *q = NULL;
	int64_t n = -1;

	if (union_sql(st, &sql, err) < 0)
		goto out;
	if (!sql.len) {
		n = 0;
		goto out;
	}
	mmt_sb_addf(&count, "SELECT count(*) FROM (%s)", mmt_sb_str(&sql));
	q = mmt_store_prepare(st, mmt_sb_str(&count), err);
	if (!q)
		goto out;
	bind_range(q, source, after, upto);
	if (mmt_store_step(st, q, err) > 0)
		n = sqlite3_column_int64(q, 0);
out:
	sqlite3_finalize(q);
	mmt_sb_free(&sql);
	mmt_sb_free(&count);
	return n;
}

/* A number column: INTEGER, or TEXT holding one; false when NULL or not a number. */
static bool col_number(sqlite3_stmt *q, int col, int64_t *out)
{
	const char *t;
	char *end;

	switch (sqlite3_column_type(q, col)) {
	case SQLITE_INTEGER:
		*out = sqlite3_column_int64(q, col);
		return true;
	case SQLITE_TEXT:
		t = (const char *)sqlite3_column_text(q, col);
		*out = strtoll(t, &end, 0);
		return end != t && !*end;
	default:
		*out = 0;
		return false;
	}
}

int mmt_rstream_next(struct mmt_rstream *r, struct mmt_revent *e, struct mmt_err *err)
{
	sqlite3_stmt *q = r->q;
	int rc;

	if (!q)
		return 0;
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return mmt_err_set(err, "reading trace events: %s",
				   sqlite3_errmsg(sqlite3_db_handle(q)));
	e->id = sqlite3_column_int64(q, 0);
	e->ts_ns = sqlite3_column_int64(q, 1);
	e->cpu = sqlite3_column_type(q, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 2);
	e->pid = sqlite3_column_type(q, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 3);
	e->kind = sqlite3_column_int(q, 4);
	e->has_a = col_number(q, FIELDS + COL_A, &e->a);
	e->has_b = col_number(q, FIELDS + COL_B, &e->b);
	e->v_is_text = sqlite3_column_type(q, FIELDS + COL_V) == SQLITE_TEXT;
	e->has_v = sqlite3_column_type(q, FIELDS + COL_V) != SQLITE_NULL;
	e->vi = e->v_is_text ? 0 : sqlite3_column_int64(q, FIELDS + COL_V);
	e->vs = e->v_is_text ? mmt_col_text(q, FIELDS + COL_V) : "";
	e->s1 = mmt_col_text(q, FIELDS + COL_S1);
	e->s2 = mmt_col_text(q, FIELDS + COL_S2);
	return 1;
}

void mmt_rstream_close(struct mmt_rstream *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->q);
	free(r);
}
