/*
 * IPIs per CPU over a window of a trace, for `replay --at`: the targets of
 * ipi:ipi_send_cpu (its cpu field) and ipi:ipi_send_cpumask (every CPU of
 * its mask), and the function-call IPIs each CPU took
 * (irq_vectors:call_function_single_entry and call_function_entry, by the
 * CPU they ran on).
 *
 * The window's events are found by id, not by scanning: ids grow with time
 * within a source, so a binary search over the table's rowids (a few dozen
 * B-tree seeks) finds where the window starts and ends.
 */
#include "analyzers/replay_state.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char sql_tables[] = "SELECT tbl FROM trace_types WHERE name = ?";

/* Counts cpu's IPI in one of the two per-CPU arrays, growing both as needed. */
static void count(struct mmt_replay_ipis *p, bool sent, int64_t cpu, int64_t n)
{
	if (cpu < 0 || cpu > 65535)
		return;
	if (cpu >= p->ncpus) {
		int grown = (int)cpu + 1;

		p->sent_to = xrealloc(p->sent_to, (size_t)grown * sizeof(*p->sent_to));
		p->received = xrealloc(p->received, (size_t)grown * sizeof(*p->received));
		for (int i = p->ncpus; i < grown; i++)
			p->sent_to[i] = p->received[i] = 0;
		p->ncpus = grown;
	}
	(sent ? p->sent_to : p->received)[cpu] += n;
}

/* A mask as trace.dat stores it: unsigned longs in decimal, lowest CPUs first. */
static void mask_words(struct mmt_replay_ipis *p, const char *s)
{
	for (int word = 0; *s; word++) {
		char *end;
		uint64_t w = strtoull(s, &end, 10);

		for (int bit = 0; bit < 64; bit++)
			if (w & (1ull << bit))
				count(p, true, word * 64 + bit, 1);
		if (end == s)
			break;
		s = *end == ',' ? end + 1 : end;
	}
}

/* A mask as the kernel prints it (%*pb): 32-bit hex groups, highest CPUs first. */
static void mask_hex(struct mmt_replay_ipis *p, const char *s)
{
	size_t groups = 1, g = 0;

	for (const char *c = s; *c; c++)
		groups += *c == ',';
	while (*s) {
		char *end;
		uint64_t w = strtoull(s, &end, 16);
		int64_t base = (int64_t)(groups - 1 - g++) * 32;

		for (int bit = 0; bit < 32; bit++)
			if (w & (1ull << bit))
				count(p, true, base + bit, 1);
		if (end == s)
			break;
		s = *end == ',' ? end + 1 : end;
	}
}

/* One table's events in [lo, hi): per-CPU counts (col: a column, or NULL for a mask). */
static int count_table(struct mmt_store *st, const struct mmt_replay_source *src,
		       const char *tbl, const char *col, bool sent, int64_t from_ns,
		       int64_t to_ns, struct mmt_replay_ipis *p, struct mmt_err *err)
{
	/* The first events after from_ns and after to_ns. */
	int64_t lo = mmt_trace_first_id_at(st, tbl, src->first_id, src->last_id, from_ns + 1, err);
	int64_t hi = mmt_trace_first_id_at(st, tbl, src->first_id, src->last_id, to_ns + 1, err);
	char *sql = col ? sqlite3_mprintf("SELECT \"%w\", count(*) FROM \"%w\" WHERE id >= ?1 AND "
					  "id < ?2 AND common_source = ?3 GROUP BY 1", col, tbl)
			: sqlite3_mprintf("SELECT cpumask FROM \"%w\" WHERE id >= ?1 AND "
					  "id < ?2 AND common_source = ?3", tbl);
	sqlite3_stmt *q = lo < 0 || hi < 0 ? NULL : mmt_store_prepare(st, sql, err);
	int rc;

	sqlite3_free(sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, lo);
	sqlite3_bind_int64(q, 2, hi);
	sqlite3_bind_int64(q, 3, src->id);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		if (col)
			count(p, sent, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1));
		else if (!strcmp(src->kind, "trace_dat"))
			mask_words(p, mmt_col_text(q, 0));
		else
			mask_hex(p, mmt_col_text(q, 0));
	}
	sqlite3_finalize(q);
	return rc;
}

/* Whether tbl holds events of the source. */
static bool has_rows(struct mmt_store *st, const char *tbl, const struct mmt_replay_source *src)
{
	char *sql = sqlite3_mprintf("SELECT 1 FROM \"%w\" WHERE id BETWEEN ? AND ? LIMIT 1", tbl);
	sqlite3_stmt *q = mmt_store_prepare(st, sql, NULL);
	bool has;

	sqlite3_free(sql);
	if (!q)
		return false;
	sqlite3_bind_int64(q, 1, src->first_id);
	sqlite3_bind_int64(q, 2, src->last_id);
	has = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return has;
}

/* Every table of the named event; *found tells whether the source has such events. */
static int count_event(struct mmt_store *st, const struct mmt_replay_source *src,
		       const char *event, const char *col, bool sent, int64_t from_ns,
		       int64_t to_ns, struct mmt_replay_ipis *p, bool *found, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_tables, err);
	int rc;

	if (!q)
		return -1;
	mmt_bind_text(q, 1, event);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		if (!has_rows(st, mmt_col_text(q, 0), src))
			continue;
		*found = true;
		if (count_table(st, src, mmt_col_text(q, 0), col, sent, from_ns, to_ns, p,
				err) < 0) {
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc;
}

int mmt_replay_count_ipis(struct mmt_store *st, const struct mmt_replay_source *src,
			  int64_t from_ns, int64_t to_ns, struct mmt_replay_ipis *out,
			  struct mmt_err *err)
{
	memset(out, 0, sizeof(*out));
	if (count_event(st, src, "ipi_send_cpu", "cpu", true, from_ns, to_ns, out,
			&out->have_send, err) < 0 ||
	    count_event(st, src, "ipi_send_cpumask", NULL, true, from_ns, to_ns, out,
			&out->have_send, err) < 0 ||
	    count_event(st, src, "call_function_single_entry", "common_cpu", false, from_ns,
			to_ns, out, &out->have_cfs, err) < 0 ||
	    count_event(st, src, "call_function_entry", "common_cpu", false, from_ns, to_ns,
			out, &out->have_cfs, err) < 0) {
		mmt_replay_ipis_free(out);
		return -1;
	}
	return 0;
}

void mmt_replay_ipis_free(struct mmt_replay_ipis *p)
{
	free(p->sent_to);
	free(p->received);
	memset(p, 0, sizeof(*p));
}
