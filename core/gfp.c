/*
 * What an allocation context may do, from GFP names as a kernel printed
 * them ("GFP_NOFS|__GFP_NOWARN|__GFP_COMP"), and the rules that turn the
 * reclaim flags into one of five contexts. Names are taken as printed:
 * a kernel that printed names also printed its own truth, so no layout
 * is consulted. Names of every era are understood, from 2.6's
 * "__GFP_WAIT" (and the trace events' "GFP_WAIT" spelling) to 6.x's
 * "__GFP_KSWAPD_RECLAIM"; what a name implies is what it implied in the
 * kernels that printed it.
 */
#include "core/gfp.h"

#include <stdio.h>
#include <string.h>

/* What a printed name says about the allocation. */
enum {
	S_DIRECT = 1 << 0,	/* may enter direct reclaim */
	S_KSWAPD = 1 << 1,	/* wakes kswapd */
	S_IO = 1 << 2,
	S_FS = 1 << 3,
	S_HIGH = 1 << 4,	/* may dip into reserves */
	S_NOFAIL = 1 << 5,
	S_NORETRY = 1 << 6,
	S_NOWARN = 1 << 7,
	S_WAIT_ERA = 1 << 8,	/* pre-4.4 name: kswapd woken unless told not to */
	S_NO_KSWAPD = 1 << 9,
	S_KNOWN = 1 << 10,	/* a GFP name, whatever it implies */
};

#define FULL (S_DIRECT | S_KSWAPD | S_IO | S_FS)

struct name_sense {
	const char *name;
	unsigned sense;
};

/*
 * GFP_TRANSHUGE and _LIGHT never wake kswapd (__GFP_NO_KSWAPD before 4.4,
 * no __GFP_KSWAPD_RECLAIM after); GFP_NOWAIT implies __GFP_NOWARN only
 * from 6.8, so that is left to an explicit __GFP_NOWARN.
 */
static const struct name_sense senses[] = {
	{ "GFP_TRANSHUGE", S_DIRECT | S_IO | S_FS | S_NOWARN },
	{ "GFP_TRANSHUGE_LIGHT", S_IO | S_FS | S_NOWARN },
	{ "GFP_HIGHUSER_MOVABLE", FULL },
	{ "GFP_HIGHUSER", FULL },
	{ "GFP_USER", FULL },
	{ "GFP_TEMPORARY", FULL },
	{ "GFP_KERNEL_ACCOUNT", FULL },
	{ "GFP_KERNEL", FULL },
	{ "GFP_NOFS", S_DIRECT | S_KSWAPD | S_IO },
	{ "GFP_NOIO", S_DIRECT | S_KSWAPD },
	{ "GFP_ATOMIC", S_HIGH | S_KSWAPD },
	{ "GFP_NOWAIT", S_KSWAPD },
	{ "GFP_DMA", 0 },
	{ "GFP_DMA32", 0 },
	{ "__GFP_WAIT", S_DIRECT | S_WAIT_ERA },
	{ "__GFP_DIRECT_RECLAIM", S_DIRECT },
	{ "__GFP_KSWAPD_RECLAIM", S_KSWAPD },
	{ "__GFP_RECLAIM", S_DIRECT | S_KSWAPD },
	{ "__GFP_NO_KSWAPD", S_NO_KSWAPD },
	{ "__GFP_IO", S_IO },
	{ "__GFP_FS", S_FS },
	{ "__GFP_HIGH", S_HIGH },
	{ "__GFP_ATOMIC", S_HIGH },
	{ "__GFP_NOFAIL", S_NOFAIL },
	{ "__GFP_NORETRY", S_NORETRY },
	{ "__GFP_NOWARN", S_NOWARN },
	/* The rest name placement or bookkeeping, not what reclaim may do. */
	{ "__GFP_DMA", 0 }, { "__GFP_HIGHMEM", 0 }, { "__GFP_DMA32", 0 },
	{ "__GFP_MOVABLE", 0 }, { "__GFP_RECLAIMABLE", 0 },
	{ "__GFP_COLD", 0 }, { "__GFP_REPEAT", 0 }, { "__GFP_RETRY_MAYFAIL", 0 },
	{ "__GFP_NO_GROW", 0 }, { "__GFP_COMP", 0 }, { "__GFP_ZERO", 0 },
	{ "__GFP_NOMEMALLOC", 0 }, { "__GFP_MEMALLOC", 0 },
	{ "__GFP_HARDWALL", 0 }, { "__GFP_THISNODE", 0 },
	{ "__GFP_ACCOUNT", 0 }, { "__GFP_NOACCOUNT", 0 }, { "__GFP_KMEMCG", 0 },
	{ "__GFP_NOTRACK", 0 }, { "__GFP_OTHER_NODE", 0 }, { "__GFP_WRITE", 0 },
	{ "__GFP_NOLOCKDEP", 0 }, { "__GFP_ZEROTAGS", 0 },
	{ "__GFP_SKIP_ZERO", 0 }, { "__GFP_SKIP_KASAN", 0 },
	{ "__GFP_SKIP_KASAN_POISON", 0 }, { "__GFP_SKIP_KASAN_UNPOISON", 0 },
	{ "__GFP_NO_OBJ_EXT", 0 },
};

#define NSENSES (sizeof(senses) / sizeof(senses[0]))

static int lookup(const char *name, size_t len, unsigned *sense)
{
	size_t i;

	for (i = 0; i < NSENSES; i++) {
		if (strlen(senses[i].name) == len &&
		    !strncmp(senses[i].name, name, len)) {
			*sense = senses[i].sense | S_KNOWN;
			return 0;
		}
	}
	return -1;
}

/*
 * The sense of one printed name. Trace events before 4.4 printed single
 * flags without the leading "__" ("GFP_WAIT", "GFP_IO"), so a name not
 * found as printed is tried again with it.
 */
static unsigned name_sense(const char *name, size_t len)
{
	char buf[64];
	unsigned sense = 0;

	if (lookup(name, len, &sense) == 0)
		return sense;
	if (len > 4 && len + 2 < sizeof(buf) && !strncmp(name, "GFP_", 4)) {
		snprintf(buf, sizeof(buf), "__%.*s", (int)len, name);
		if (lookup(buf, len + 2, &sense) == 0)
			return sense;
	}
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Trims blanks and one enclosing "( )" pair; returns the length left. */
static size_t trim(const char **s)
{
	const char *p = *s;
	size_t n = strlen(p);

	while (n && is_space(*p))
		p++, n--;
	while (n && is_space(p[n - 1]))
		n--;
	if (n >= 2 && p[0] == '(' && p[n - 1] == ')') {
		p++;
		n -= 2;
	}
	*s = p;
	return n;
}

/* ORs the senses of every '|'-separated name in s[0..n). */
static unsigned sense_of(const char *s, size_t n)
{
	unsigned all = 0;
	size_t i = 0;

	while (i <= n) {
		size_t start = i, end;

		while (i < n && s[i] != '|')
			i++;
		end = i++;
		while (start < end && is_space(s[start]))
			start++;
		while (end > start && is_space(s[end - 1]))
			end--;
		all |= name_sense(s + start, end - start);
	}
	return all;
}

int mmt_gfp_from_names(uint64_t mask, const char *names, struct mmt_gfp_decoded *out)
{
	const char *s = names ? names : "";
	size_t n = trim(&s);
	unsigned sense;

	memset(out, 0, sizeof(*out));
	out->mask = mask;
	out->context = MMT_GFP_CTX_UNKNOWN;
	/* %pGg prints "0x0()" and trace events "none" for an empty mask. */
	if ((n == 0 && mask == 0) || (n == 4 && !strncmp(s, "none", 4))) {
		snprintf(out->flags, sizeof(out->flags), "none");
		mmt_gfp_classify(out);
		return 0;
	}
	sense = sense_of(s, n);
	if (!(sense & S_KNOWN))
		return -1;
	snprintf(out->flags, sizeof(out->flags), "%.*s", (int)n, s);
	out->direct_reclaim = (sense & S_DIRECT) != 0;
	out->kswapd = (sense & S_KSWAPD) ||
		      ((sense & S_WAIT_ERA) && !(sense & S_NO_KSWAPD));
	out->io = (sense & S_IO) != 0;
	out->fs = (sense & S_FS) != 0;
	out->high = (sense & S_HIGH) != 0;
	out->nofail = (sense & S_NOFAIL) != 0;
	out->noretry = (sense & S_NORETRY) != 0;
	out->nowarn = (sense & S_NOWARN) != 0;
	mmt_gfp_classify(out);
	return 0;
}

void mmt_gfp_classify(struct mmt_gfp_decoded *out)
{
	if (!out->direct_reclaim)
		out->context = out->high ? MMT_GFP_CTX_ATOMIC : MMT_GFP_CTX_NOWAIT;
	else if (!out->io)
		out->context = MMT_GFP_CTX_NOIO;
	else if (!out->fs)
		out->context = MMT_GFP_CTX_NOFS;
	else
		out->context = MMT_GFP_CTX_FULL;
	out->known = true;
}

void mmt_gfp_decode_io_fs(uint64_t mask, struct mmt_gfp_decoded *out)
{
	/* __GFP_IO and __GFP_FS have kept bits 0x40 and 0x80 in every layout. */
	memset(out, 0, sizeof(*out));
	out->direct_reclaim = true;
	out->io = mask & 0x40;
	out->fs = mask & 0x80;
	mmt_gfp_classify(out);
}

const char *mmt_gfp_context_name(enum mmt_gfp_context ctx)
{
	switch (ctx) {
	case MMT_GFP_CTX_ATOMIC:
		return "atomic";
	case MMT_GFP_CTX_NOWAIT:
		return "nowait";
	case MMT_GFP_CTX_NOIO:
		return "noio";
	case MMT_GFP_CTX_NOFS:
		return "nofs";
	case MMT_GFP_CTX_FULL:
		return "full";
	case MMT_GFP_CTX_UNKNOWN:
		break;
	}
	return NULL;
}
