/*
 * The stack model: frames collected from consecutive lines, the context
 * each ran in (task, IRQ, softirq, NMI, exception stack) as told by the
 * markers between them, a digest that identifies a stack across boots, and
 * function names without the suffixes compilers add to clones.
 *
 * Lines are recognised by mmt_frame_parse_all (core/frame.c).
 */
#include "core/stack.h"

#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "core/xalloc.h"

void mmt_stack_init(struct mmt_stack *st)
{
	memset(st, 0, sizeof(*st));
}

void mmt_stack_reset(struct mmt_stack *st)
{
	st->n = 0;
	st->dropped = 0;
	st->ctx = MMT_CTX_NONE;
	st->depth = 0;
}

void mmt_stack_free(struct mmt_stack *st)
{
	free(st->frames);
	mmt_stack_init(st);
}

void mmt_stack_push(struct mmt_stack *st, const struct mmt_frame *f)
{
	void *p = st->frames;

	if (st->n >= MMT_STACK_MAX_FRAMES) {
		st->dropped++;
		return;
	}
	xgrow(&p, &st->cap, st->n + 1, sizeof(*st->frames));
	st->frames = p;
	st->frames[st->n++] = *f;
}

static bool marker_begins(enum mmt_marker m, enum mmt_frame_ctx *ctx)
{
	switch (m) {
	case MMT_MARK_TASK_BEGIN:
		*ctx = MMT_CTX_TASK;
		return true;
	case MMT_MARK_IRQ_BEGIN:
		*ctx = MMT_CTX_IRQ;
		return true;
	case MMT_MARK_SOFTIRQ_BEGIN:
		*ctx = MMT_CTX_SOFTIRQ;
		return true;
	case MMT_MARK_NMI_BEGIN:
		*ctx = MMT_CTX_NMI;
		return true;
	case MMT_MARK_EXC_BEGIN:
		*ctx = MMT_CTX_EXCEPTION;
		return true;
	default:
		return false;
	}
}

/* The context an end marker closes. */
static enum mmt_frame_ctx marker_ends(enum mmt_marker m)
{
	switch (m) {
	case MMT_MARK_TASK_END:
		return MMT_CTX_TASK;
	case MMT_MARK_IRQ_END:
		return MMT_CTX_IRQ;
	case MMT_MARK_SOFTIRQ_END:
		return MMT_CTX_SOFTIRQ;
	case MMT_MARK_NMI_END:
		return MMT_CTX_NMI;
	case MMT_MARK_EXC_END:
		return MMT_CTX_EXCEPTION;
	default:
		return MMT_CTX_NONE;
	}
}

/*
 * An end marker without its beginning says where the frames before it
 * ran: crash prints "--- <NMI exception stack> ---" after the NMI frames,
 * and a log may have lost the line with "<IRQ>".
 */
static void relabel_tail(struct mmt_stack *st, enum mmt_frame_ctx ctx)
{
	size_t i = st->n;

	while (i > 0 && st->frames[i - 1].ctx == MMT_CTX_NONE)
		st->frames[--i].ctx = ctx;
}

static void apply_marker(struct mmt_stack *st, enum mmt_marker m)
{
	enum mmt_frame_ctx ctx;

	if (marker_begins(m, &ctx)) {
		if (st->depth < MMT_CTX_DEPTH)
			st->saved[st->depth] = st->ctx;
		st->depth++;
		st->ctx = ctx;
		return;
	}
	ctx = marker_ends(m);
	if (ctx == MMT_CTX_NONE)
		return;
	if (st->depth == 0) {
		if (st->ctx == MMT_CTX_NONE)
			relabel_tail(st, ctx);
		st->ctx = MMT_CTX_NONE;
		return;
	}
	st->depth--;
	st->ctx = st->depth < MMT_CTX_DEPTH ? st->saved[st->depth] : MMT_CTX_NONE;
}

int mmt_stack_feed(struct mmt_stack *st, const char *s, size_t n)
{
	enum mmt_marker m[8];
	struct mmt_frame f;
	int i, nm, ret;

	ret = mmt_frame_parse_all(s, n, &f, m, 8, &nm);
	if (!ret)
		return 0;
	for (i = 0; i < nm; i++)
		apply_marker(st, m[i]);
	if (ret & MMT_LINE_FRAME) {
		f.ctx = st->ctx;
		mmt_stack_push(st, &f);
	}
	return 1;
}

static void hash_u64(struct mmt_sha256 *c, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (56 - 8 * i));
	mmt_sha256_update(c, b, 8);
}

/* Length first, so that no two field sequences serialize alike. */
static void hash_str(struct mmt_sha256 *c, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	hash_u64(c, n);
	mmt_sha256_update(c, s, n);
}

void mmt_stack_digest(const struct mmt_stack *st, char hex[65])
{
	struct mmt_sha256 c;
	unsigned char d[32];
	size_t i;

	mmt_sha256_init(&c);
	hash_u64(&c, st->n);
	for (i = 0; i < st->n; i++) {
		const struct mmt_frame *f = &st->frames[i];
		unsigned char b[2];

		hash_str(&c, f->symbol, sizeof(f->symbol));
		hash_u64(&c, f->has_offset ? f->offset : 0);
		hash_u64(&c, f->has_size ? f->size : 0);
		hash_str(&c, f->module, sizeof(f->module));
		b[0] = (unsigned char)(f->has_offset | f->has_size << 1 |
				       f->reliable << 2 | f->inlined << 3);
		b[1] = (unsigned char)f->ctx;
		mmt_sha256_update(&c, b, 2);
	}
	mmt_sha256_final(&c, d);
	mmt_sha256_hex(d, hex);
}

/* Suffixes GCC and clang give to clones and split-off parts of functions. */
static bool clone_suffix(const char *p, size_t n)
{
	static const char *const names[] = {
		"constprop", "isra", "part", "cold", "llvm", "lto_priv",
		"localalias",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && memcmp(names[i], p, n) == 0)
			return true;
	return false;
}

/* Whether s (starting at a '.') is only ".suffix[.N]" repeated. */
static bool suffix_chain(const char *s)
{
	while (*s == '.') {
		const char *w = ++s;

		while (*s && *s != '.')
			s++;
		if (!clone_suffix(w, (size_t)(s - w)))
			return false;
		if (s[0] == '.' && s[1] >= '0' && s[1] <= '9') {
			for (s++; *s >= '0' && *s <= '9'; s++)
				;
			if (*s && *s != '.')
				return false;
		}
	}
	return *s == '\0';
}

void mmt_symbol_base(const char *sym, char *out, size_t outsz)
{
	size_t n = strlen(sym), i;

	if (!outsz)
		return;
	for (i = 1; i < n; i++)
		if (sym[i] == '.' && suffix_chain(sym + i)) {
			n = i;
			break;
		}
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, sym, n);
	out[n] = '\0';
}

const char *mmt_frame_ctx_name(enum mmt_frame_ctx ctx)
{
	switch (ctx) {
	case MMT_CTX_NONE:
		return "none";
	case MMT_CTX_TASK:
		return "task";
	case MMT_CTX_IRQ:
		return "irq";
	case MMT_CTX_SOFTIRQ:
		return "softirq";
	case MMT_CTX_NMI:
		return "nmi";
	case MMT_CTX_EXCEPTION:
		return "exception";
	}
	return "?";
}
