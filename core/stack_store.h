/*
 * Storing stacks (core/stack.h) in the stacks and frames tables, once per
 * digest.
 */
#ifndef MMT_STACK_STORE_H
#define MMT_STACK_STORE_H

#include <stdint.h>

#include "core/err.h"
#include "core/stack.h"
#include "core/store.h"

/* The stack's row, found or written; *id is 0 for an empty stack. */
int mmt_stack_store(struct mmt_store *st, const struct mmt_stack *stk, int64_t *id,
		    struct mmt_err *err);
/* The same with its digest (mmt_stack_digest) already computed. */
int mmt_stack_store_digest(struct mmt_store *st, const struct mmt_stack *stk,
			   const char digest[65], int64_t *id, struct mmt_err *err);

#endif
