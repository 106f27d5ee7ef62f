/*
 * Recognises one line of a stack trace, as printed by every kernel era and
 * architecture and by the crash utility, and fills a struct mmt_frame:
 *
 *   " [<ffffffff81187dd8>] ? scan_swap_map+0x118/0x520 [mod]"   x86 2.6-4.x
 *   " sym.isra.0+0x1f/0x30 [mod]", " ? sym+0x1f/0x30"           modern
 *   " __dump_stack lib/dump_stack.c:77 [inline]"                symbolised
 *   " schedule (kernel/sched/core.c:3778)"                      decoded
 *   " [<c0017580>] (unwind_backtrace) from [<c0013b14>] (...)"  32-bit ARM
 *   " unwind_backtrace from show_stack+0x10/0x14"               ARM, 5.x+
 *   "08927a14:  [<0805f8fc>] sym+0x3c/0x90"                     UML
 *   "[c0000000fe5f3a30] [c00000000001a9b4] .sym+0x3c/0x90 (unreliable)"
 *   " ([<000000000011ad04>] sym+0x4c/0x90)"                     s390
 *   " #3 [ffff8803bbeed558] schedule_timeout at ffffffff8118837f [mod]"
 *   " 0xffffffffc0a1b2c3"                                       no symbol
 *
 * together with the context markers printed around frames ("<IRQ>",
 * "</TASK>", "<<EOE>>", "<#DF>"; see core/marker.c).
 *
 * This runs on every line of large logs, so most lines must be turned
 * down after a few byte tests: nothing is copied into the frame before the
 * line has the shape of a frame, and nothing is allocated.
 */
#include "core/stack.h"

#include <string.h>

#include "core/marker.h"
#include "core/scan.h"

/*
 * Character classes as bit sets over ASCII, one 64-bit word for codes 0-63
 * and one for 64-127: a test is a shift, where the comparisons it replaces
 * ran on every byte of every log line that might be a frame.
 */
#define BIT(c) (1ULL << ((c) & 63))
#define SPAN(a, b) ((~0ULL >> (63 - ((b) & 63))) & (~0ULL << ((a) & 63)))
#define ALNUM_LO SPAN('0', '9')
#define ALNUM_HI (SPAN('A', 'Z') | SPAN('a', 'z'))
/* Symbols are C identifiers plus compiler suffixes and a few oddities. */
#define SYM_LO (ALNUM_LO | BIT('.') | BIT('$') | BIT('-') | BIT('%') | BIT('&') | \
		BIT('*') | BIT('!'))
#define SYM_HI (ALNUM_HI | BIT('_') | BIT('~') | BIT('@') | BIT('^'))

static bool in_set(unsigned char c, uint64_t lo, uint64_t hi)
{
	return c < 128 && (((c < 64 ? lo : hi) >> (c & 63)) & 1);
}

static bool is_alnum(unsigned char c)
{
	return in_set(c, ALNUM_LO, ALNUM_HI);
}

static bool sym_char(unsigned char c)
{
	return in_set(c, SYM_LO, SYM_HI);
}

static bool path_char(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '.' || c == '/' || c == '-' ||
	       c == '+';
}

/* Up to 16 hex digits; NULL when there are none or too many. */
static const char *parse_hex(const char *p, const char *e, uint64_t *v)
{
	const char *start = p;
	uint64_t x = 0;
	int d;

	while (p < e && (d = scan_hexval(*p)) >= 0) {
		if (p - start == 16)
			return NULL;
		x = x << 4 | (uint64_t)d;
		p++;
	}
	if (p == start)
		return NULL;
	*v = x;
	return p;
}

static const char *parse_dec(const char *p, const char *e, uint64_t *v)
{
	const char *start = p;
	uint64_t x = 0;

	while (p < e && *p >= '0' && *p <= '9' && p - start < 19)
		x = x * 10 + (uint64_t)(*p++ - '0');
	if (p == start || (p < e && *p >= '0' && *p <= '9'))
		return NULL;
	*v = x;
	return p;
}

/* "0x" followed by hex digits. */
static const char *parse_0x(const char *p, const char *e, uint64_t *v)
{
	if (e - p < 3 || p[0] != '0' || (p[1] | 0x20) != 'x')
		return NULL;
	return parse_hex(p + 2, e, v);
}

static void copy_span(char *dst, size_t cap, const char *p, const char *e)
{
	size_t n = (size_t)(e - p);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static void frame_clear(struct mmt_frame *f)
{
	f->symbol[0] = '\0';
	f->module[0] = '\0';
	f->src[0] = '\0';
	f->address = f->offset = f->size = 0;
	f->has_address = f->has_offset = f->has_size = false;
	f->reliable = true;
	f->inlined = false;
	f->ctx = MMT_CTX_NONE;
}

/* "[<hex>]" */
static const char *parse_angle_addr(const char *p, const char *e, uint64_t *v)
{
	if (e - p < 4 || p[0] != '[' || p[1] != '<')
		return NULL;
	p = parse_hex(p + 2, e, v);
	if (!p || e - p < 2 || p[0] != '>' || p[1] != ']')
		return NULL;
	return p + 2;
}

/* "[hex]", as ppc64 and crash print stack pointers. */
static const char *parse_square_addr(const char *p, const char *e, uint64_t *v)
{
	if (p >= e || *p != '[')
		return NULL;
	p = parse_hex(p + 1, e, v);
	if (!p || p >= e || *p != ']')
		return NULL;
	return p + 1;
}

/*
 * "sym", "sym+0xoff", "sym+0xoff/0xsize"; crash prints decimal offsets
 * unless asked for hex. ppc64 ELFv1 prints function descriptors' entry
 * points with a leading dot, which is not part of the function's name.
 */
static const char *parse_sym_off(const char *p, const char *e,
				 struct mmt_frame *f, bool allow_dec)
{
	const char *q = p, *r;

	while (q < e && sym_char(*q))
		q++;
	if (q == p)
		return NULL;
	if (q - p > 1 && p[0] == '.' && (p[1] == '_' || is_alnum(p[1])))
		p++;
	copy_span(f->symbol, sizeof(f->symbol), p, q);
	if (q == e || *q != '+')
		return q;
	r = parse_0x(q + 1, e, &f->offset);
	if (!r && allow_dec)
		r = parse_dec(q + 1, e, &f->offset);
	if (!r)
		return NULL;
	f->has_offset = true;
	if (r < e && *r == '/') {
		r = parse_0x(r + 1, e, &f->size);
		if (!r)
			return NULL;
		f->has_size = true;
	}
	return r;
}

/* "dir/file.c:123" or "dir/file.c:123:4"; copies it into f->src. */
static const char *parse_src(const char *p, const char *e, struct mmt_frame *f)
{
	const char *q = p, *r;
	bool slash = false, dot = false;
	uint64_t line;

	while (q < e && path_char(*q)) {
		slash |= *q == '/';
		dot |= *q == '.';
		q++;
	}
	if (!slash || !dot || q == e || *q != ':')
		return NULL;
	r = parse_dec(q + 1, e, &line);
	if (!r)
		return NULL;
	if (r < e && *r == ':' && r + 1 < e && r[1] >= '0' && r[1] <= '9')
		r = parse_dec(r + 1, e, &line);
	if (!r)
		return NULL;
	copy_span(f->src, sizeof(f->src), p, r);
	return r;
}

/*
 * "(file.c:12)", "(file.h:207 (discriminator 1))" as decode_stacktrace.sh
 * writes them: the first location is kept, the rest skipped.
 */
static const char *parse_paren_src(const char *p, const char *e,
				   struct mmt_frame *f)
{
	int depth = 0;

	if (!parse_src(p + 1, e, f))
		return NULL;
	for (; p < e; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
	}
	f->src[0] = '\0';
	return NULL;
}

/* "[inline]", "[module]" or "[module build-id]" */
static const char *parse_tag(const char *p, const char *e, struct mmt_frame *f)
{
	const char *q = ++p;

	if (scan_has_prefix(p, e, "inline]")) {
		f->inlined = true;
		return p + 7;
	}
	if (f->module[0])
		return NULL;
	while (q < e && (is_alnum(*q) || *q == '_' || *q == '-'))
		q++;
	if (q == p || q == e)
		return NULL;
	copy_span(f->module, sizeof(f->module), p, q);
	if (*q == ' ')
		while (++q < e && is_alnum(*q))
			;
	if (q < e && *q == ']')
		return q + 1;
	f->module[0] = '\0';
	return NULL;
}

/* Module, source location and "[inline]", each after one space. */
static const char *parse_trailers(const char *q, const char *e,
				  struct mmt_frame *f)
{
	while (q + 1 < e && *q == ' ') {
		const char *r = q + 1, *t;

		if (*r == '[')
			t = parse_tag(r, e, f);
		else if (f->src[0])
			t = NULL;
		else if (*r == '(')
			t = parse_paren_src(r, e, f);
		else
			t = parse_src(r, e, f);
		if (!t)
			break;
		q = t;
	}
	return q;
}

/* "0x..." alone: an address that symbol lookup could not name. */
static bool addr_symbol(struct mmt_frame *f)
{
	const char *s = f->symbol;
	size_t n = strlen(s);
	uint64_t v;

	if (parse_0x(s, s + n, &v) != s + n)
		return false;
	if (!f->has_address) {
		f->address = v;
		f->has_address = true;
	}
	return true;
}

/* A symbol alone is not a frame unless something else vouches for it. */
static bool body_strong(struct mmt_frame *f)
{
	return f->has_offset || f->src[0] || addr_symbol(f);
}

static const char *parse_body(const char *p, const char *e, struct mmt_frame *f)
{
	p = parse_sym_off(p, e, f, false);
	return p ? parse_trailers(p, e, f) : NULL;
}

/* The end of the line, or ppc64's " (unreliable)" then the end. */
static bool at_end(const char *q, const char *e, struct mmt_frame *f)
{
	if (q == e)
		return true;
	q = scan_skip_blanks(q, e);
	if (q == e)
		return true;
	if ((size_t)(e - q) == 12 && memcmp(q, "(unreliable)", 12) == 0) {
		f->reliable = false;
		return true;
	}
	return false;
}

/* "? " in front of a symbol: the unwinder was not sure of it. */
static const char *parse_question(const char *q, const char *e,
				  struct mmt_frame *f)
{
	if (q + 1 < e && q[0] == '?' && scan_is_blank(q[1])) {
		f->reliable = false;
		return scan_skip_blanks(q + 1, e);
	}
	return q;
}

/* 2.6.18 x86_64 names the module in front: ":jbd:log_wait_commit+0xa3/0xf5" */
static const char *parse_colon_module(const char *q, const char *e,
				      struct mmt_frame *f)
{
	const char *r = q + 1;

	if (q == e || *q != ':')
		return q;
	while (r < e && (is_alnum(*r) || *r == '_' || *r == '-'))
		r++;
	if (r == q + 1 || r == e || *r != ':')
		return q;
	copy_span(f->module, sizeof(f->module), q + 1, r);
	return r + 1;
}

/* 32-bit ARM: "(sym+0x0/0x110) from [<c02ba5d4>] (caller+0x18/0x1c)" */
static bool parse_arm_paren(const char *q, const char *e, struct mmt_frame *f)
{
	q = parse_body(q + 1, e, f);
	if (!q || q == e || *q != ')')
		return false;
	q++;
	return q == e || scan_has_prefix(q, e, " from [<") || at_end(q, e, f);
}

/* "[<addr>] [? ]body", also "[<addr>] (sym) from [<addr>] (sym+off/size)" */
static bool parse_angle(const char *p, const char *e, struct mmt_frame *f)
{
	uint64_t addr;
	const char *q = parse_angle_addr(p, e, &addr);

	if (!q)
		return false;
	frame_clear(f);
	f->address = addr;
	f->has_address = true;
	q = scan_skip_blanks(q, e);
	if (q == e)
		return false;
	if (*q == '(')
		return parse_arm_paren(q, e, f);
	q = parse_question(q, e, f);
	q = parse_colon_module(q, e, f);
	q = parse_body(q, e, f);
	return q && at_end(q, e, f);
}

/* ppc64: "[sp] [lr] .sym+0x3c/0x90 (unreliable)" */
static bool parse_ppc(const char *p, const char *e, struct mmt_frame *f)
{
	uint64_t sp, addr;
	const char *q = parse_square_addr(p, e, &sp);

	if (!q || q == e || *q != ' ')
		return false;
	q = parse_square_addr(scan_skip_blanks(q, e), e, &addr);
	if (!q || q == e || *q != ' ')
		return false;
	frame_clear(f);
	f->address = addr;
	f->has_address = true;
	q = parse_body(scan_skip_blanks(q, e), e, f);
	return q && body_strong(f) && at_end(q, e, f);
}

/*
 * s390 prints the first frame in parentheses: it comes from the saved
 * return register, which need not belong to a caller any more.
 */
static bool parse_s390(const char *p, const char *e, struct mmt_frame *f)
{
	if (e - p < 2 || p[1] != '[')
		return false;
	if (!parse_angle(p + 1, e - 1, f) || e[-1] != ')')
		return false;
	f->reliable = false;
	return true;
}

/* crash: "#3 [ffff8803bbeed558] sym[+off] [(via other)] at ffffffff8118837f [mod]" */
static bool parse_crash(const char *p, const char *e, struct mmt_frame *f)
{
	uint64_t level, sp, addr;
	const char *q = parse_dec(p + 1, e, &level);

	if (!q || q == e || *q != ' ')
		return false;
	q = parse_square_addr(scan_skip_blanks(q, e), e, &sp);
	if (!q || q == e || *q != ' ')
		return false;
	frame_clear(f);
	q = parse_sym_off(q + 1, e, f, true);
	if (q && scan_has_prefix(q, e, " (via ")) {
		q = memchr(q, ')', (size_t)(e - q));
		q = q ? q + 1 : NULL;
	}
	if (!q || !scan_has_prefix(q, e, " at "))
		return false;
	q = parse_hex(q + 4, e, &addr);
	if (!q)
		return false;
	f->address = addr;
	f->has_address = true;
	if (q + 1 < e && q[0] == ' ' && q[1] == '[')
		q = parse_tag(q + 1, e, f);
	return q && at_end(q, e, f);
}

/*
 * A line beginning with a symbol character. Most log text ends up here,
 * so the shape is checked on the first word before anything is copied:
 * the symbol must be followed by "+0x", by a space and a source location,
 * "(" or "from", or end the line.
 */
static bool parse_bare(const char *p, const char *e, struct mmt_frame *f)
{
	const char *q = p, *t;
	struct mmt_frame caller;

	if (*q == '?' && (q + 1 == e || !scan_is_blank(q[1])))
		return false;
	if (*q == '?')
		q = scan_skip_blanks(q + 1, e);
	for (t = q; t < e && sym_char(*t); t++)
		;
	if (t == q)
		return false;
	if (t < e && *t != '+' &&
	    !(*t == ' ' && t + 1 < e && (path_char(t[1]) || t[1] == '(')))
		return false;
	frame_clear(f);
	q = parse_question(p, e, f);
	q = parse_body(q, e, f);
	if (!q)
		return false;
	if (body_strong(f))
		return at_end(q, e, f);
	/* ARM since 5.x: "callee from caller+0x10/0x14" */
	if (!f->reliable || !scan_has_prefix(q, e, " from "))
		return false;
	frame_clear(&caller);
	q = parse_body(q + 6, e, &caller);
	return q && caller.has_offset && at_end(q, e, &caller);
}

/* UML: "08927a14:  [<0805f8fc>] sym+0x3c/0x90" */
static bool parse_uml(const char *p, const char *e, struct mmt_frame *f)
{
	uint64_t sp;
	const char *q = parse_hex(p, e, &sp);

	if (!q || q == e || *q != ':')
		return false;
	q = scan_skip_blanks(q + 1, e);
	return q < e && *q == '[' && parse_angle(q, e, f);
}

static bool parse_frame(const char *p, const char *e, struct mmt_frame *f)
{
	switch (*p) {
	case '[':
		if (p + 1 < e && p[1] == '<')
			return parse_angle(p, e, f);
		return parse_ppc(p, e, f);
	case '(':
		return parse_s390(p, e, f);
	case '#':
		return parse_crash(p, e, f);
	case '?':
		return parse_bare(p, e, f);
	}
	if (scan_hexval(*p) >= 0 && parse_uml(p, e, f))
		return true;
	return sym_char(*p) && parse_bare(p, e, f);
}

int mmt_frame_parse_all(const char *s, size_t n, struct mmt_frame *frame,
			enum mmt_marker *markers, int max, int *nmarkers)
{
	const char *p = s, *e = s + n;
	enum mmt_marker m;
	int ret = 0, nm = 0;

	*nmarkers = 0;
	while (e > p && (scan_is_blank(e[-1]) || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	p = scan_skip_blanks(p, e);
	if (p == e)
		return 0;
	if (*p == '<' || *p == '-') {
		p = mmt_marker_parse_leading(p, e, markers, max, &nm);
		if (nm)
			ret |= MMT_LINE_MARKER;
		if (p == e)
			goto out;
	}
	if (parse_frame(p, e, frame))
		ret |= MMT_LINE_FRAME;
	else if (!nm && e[-1] == '>' && mmt_marker_parse_trailing(p, e, &m)) {
		if (max > 0)
			markers[0] = m;
		nm = 1;
		ret |= MMT_LINE_MARKER;
	}
out:
	*nmarkers = nm < max ? nm : max;
	return ret;
}

int mmt_frame_parse(const char *s, size_t n, struct mmt_frame *frame,
		    enum mmt_marker *marker)
{
	enum mmt_marker m[8];
	int nm, ret;

	ret = mmt_frame_parse_all(s, n, frame, m, 8, &nm);
	if (marker)
		*marker = nm ? m[nm - 1] : MMT_MARK_NONE;
	return ret;
}
