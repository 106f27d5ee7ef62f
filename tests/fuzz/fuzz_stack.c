/*
 * Stack lines as every parser hands them over: frames and markers fed into
 * one stack, lockdep chain links and held-lock lines, symbol names.
 */
#include <stdio.h>
#include <string.h>

#include "core/stack.h"
#include "tests/fuzz/fuzz.h"

static void one_line(struct mmt_stack *st, const char *s, size_t n)
{
	struct mmt_lock_link link;
	struct mmt_held_lock held;
	char base[MMT_SYM_MAX];
	char sym[MMT_SYM_MAX];

	mmt_stack_feed(st, s, n);
	mmt_lockdep_link_parse(s, n, &link);
	mmt_held_lock_parse(s, n, &held);
	snprintf(sym, sizeof(sym), "%.*s", (int)n, s);
	mmt_symbol_base(sym, base, sizeof(base));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	struct mmt_stack st;
	char hex[65];

	mmt_stack_init(&st);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		one_line(&st, s, n);
		s += n + (nl != NULL);
	}
	mmt_stack_digest(&st, hex);
	for (size_t i = 0; i < st.n; i++)
		mmt_frame_ctx_name(st.frames[i].ctx);
	mmt_stack_free(&st);
	return 0;
}
