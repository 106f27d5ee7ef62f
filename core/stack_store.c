/*
 * Stacks into the store: one row of stacks per digest (symbols, offsets,
 * modules, reliability, contexts; not addresses), with its frames. Kernel
 * logs and traces share it, so a stack seen in a hung-task report and in a
 * trace event is one row.
 */
#include "core/stack_store.h"

#include <stdio.h>

static const char sql_stack_find[] =
	"SELECT id FROM stacks WHERE digest = ?";
static const char sql_stack_insert[] =
	"INSERT INTO stacks (digest, depth) VALUES (?, ?)";
static const char sql_frame[] =
	"INSERT INTO frames (stack_id, idx, symbol, offset, size, module, address, "
	"reliable, context, inlined, src) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static const char *nonempty(const char *s)
{
	return s && s[0] ? s : NULL;
}

static int store_frames(struct mmt_store *st, const struct mmt_stack *stk, int64_t id,
			struct mmt_err *err)
{
	char addr[24];

	for (size_t i = 0; i < stk->n; i++) {
		const struct mmt_frame *f = &stk->frames[i];
		sqlite3_stmt *s = mmt_store_stmt(st, sql_frame, err);

		if (!s)
			return -1;
		snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)f->address);
		mmt_bind_int(s, 1, id);
		mmt_bind_int(s, 2, (int64_t)i);
		mmt_bind_text(s, 3, f->symbol);
		mmt_bind_int_opt(s, 4, (int64_t)f->offset, f->has_offset);
		mmt_bind_int_opt(s, 5, (int64_t)f->size, f->has_size);
		mmt_bind_text(s, 6, nonempty(f->module));
		mmt_bind_text(s, 7, f->has_address ? addr : NULL);
		mmt_bind_int(s, 8, f->reliable);
		mmt_bind_text(s, 9, f->ctx ? mmt_frame_ctx_name(f->ctx) : NULL);
		mmt_bind_int(s, 10, f->inlined);
		mmt_bind_text(s, 11, nonempty(f->src));
		if (mmt_store_run(st, s, err) < 0)
			return -1;
	}
	return 0;
}

int mmt_stack_store_digest(struct mmt_store *st, const struct mmt_stack *stk,
			   const char digest[65], int64_t *id, struct mmt_err *err)
{
	sqlite3_stmt *s;
	int rc;

	*id = 0;
	if (stk->n == 0)
		return 0;
	s = mmt_store_stmt(st, sql_stack_find, err);
	if (!s)
		return -1;
	mmt_bind_text(s, 1, digest);
	rc = mmt_store_step(st, s, err);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		*id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		return 0;
	}
	s = mmt_store_stmt(st, sql_stack_insert, err);
	if (!s)
		return -1;
	mmt_bind_text(s, 1, digest);
	mmt_bind_int(s, 2, (int64_t)stk->n);
	if (mmt_store_run(st, s, err) < 0)
		return -1;
	*id = mmt_store_last_id(st);
	return store_frames(st, stk, *id, err);
}

int mmt_stack_store(struct mmt_store *st, const struct mmt_stack *stk, int64_t *id,
		    struct mmt_err *err)
{
	char digest[65];

	*id = 0;
	if (stk->n == 0)
		return 0;
	mmt_stack_digest(stk, digest);
	return mmt_stack_store_digest(st, stk, digest, id, err);
}
