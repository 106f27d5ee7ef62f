/*
 * Lockdep notations that come with stacks: the links of a dependency chain
 * ("-> #1 (&sb->s_type->i_mutex_key#9){+.+.}-{3:3}:") and the lines of
 * "N locks held by comm/pid:" lists, in the forms of every era:
 *
 *   " #0:  (&mm->mmap_sem){++++++}, at: [<ffffffff81029e3b>] do_page_fault+0x1ab/0x3e0"
 *   " #0: ffff888... (sb_writers#4){.+.+}-{0:0}, at: ksys_write+0x12d/0x250 fs/read_write.c:643"
 *   " #1: ffffffff8c59e3e0 (rcu_read_lock){....}-{1:2}, at: rcu_lock_acquire (include/linux/rcupdate.h:326)"
 *
 * Lock class names may themselves hold parentheses and braces
 * ("((work_completion)(&w->work))"), so the name ends at the parenthesis
 * that closes the first one.
 */
#include "core/stack.h"

#include <string.h>

#include "core/scan.h"

static const char *trim_end(const char *p, const char *e)
{
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		e--;
	return e;
}

static const char *parse_index(const char *p, const char *e, int *v)
{
	const char *start = p;
	int x = 0;

	while (p < e && *p >= '0' && *p <= '9' && p - start < 6)
		x = x * 10 + (*p++ - '0');
	if (p == start)
		return NULL;
	*v = x;
	return p;
}

static void copy_span(char *dst, size_t cap, const char *p, const char *e)
{
	size_t n = (size_t)(e - p);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* "(name)" with nested parentheses; copies name, returns past the ')'. */
static const char *parse_lock_name(const char *p, const char *e, char *out,
				   size_t cap)
{
	const char *q;
	int depth = 0;

	if (p >= e || *p != '(')
		return NULL;
	for (q = p; q < e; q++) {
		if (*q == '(')
			depth++;
		else if (*q == ')' && --depth == 0)
			break;
	}
	if (q == e || q == p + 1)
		return NULL;
	copy_span(out, cap, p + 1, q);
	return q + 1;
}

/* The usage bits and wait types after the name: "{+.+.}-{3:3}". */
static const char *skip_usage(const char *p, const char *e)
{
	while (p < e && (*p == '{' || *p == '-')) {
		if (*p == '-') {
			p++;
			continue;
		}
		while (p < e && *p != '}')
			p++;
		if (p == e)
			return NULL;
		p++;
	}
	return p;
}

int mmt_lockdep_link_parse(const char *s, size_t n, struct mmt_lock_link *link)
{
	const char *e = trim_end(s, s + n);
	const char *p = scan_skip_blanks(s, e);

	if (e - p < 8 || memcmp(p, "-> #", 4) != 0)
		return 0;
	p = parse_index(p + 4, e, &link->index);
	if (!p || p == e || *p != ' ')
		return 0;
	p = parse_lock_name(scan_skip_blanks(p, e), e, link->lock, sizeof(link->lock));
	if (!p)
		return 0;
	p = skip_usage(p, e);
	return p && p + 1 == e && *p == ':';
}

/* The function after "at:": "[<addr>] sym+off/size", "sym src", "sym (src)". */
static void parse_at(const char *p, const char *e, char *out, size_t cap)
{
	const char *q;

	p = scan_skip_blanks(p, e);
	if (e - p > 2 && p[0] == '[' && p[1] == '<') {
		q = memchr(p, ']', (size_t)(e - p));
		p = scan_skip_blanks(q ? q + 1 : e, e);
	}
	if (p < e && p[0] == '?')
		p = scan_skip_blanks(p + 1, e);
	for (q = p; q < e && *q != '+' && *q != ' ' && *q != '\t' && *q != '('; q++)
		;
	copy_span(out, cap, p, q);
}

/* The lock's address, printed since 5.x: 8 to 16 hex digits and a space. */
static const char *parse_lock_addr(const char *p, const char *e,
				   struct mmt_held_lock *hl)
{
	const char *q = p;
	uint64_t v = 0;

	while (q < e && scan_hexval(*q) >= 0 && q - p < 16)
		v = v << 4 | (uint64_t)scan_hexval(*q++);
	if (q - p < 8 || q == e || *q != ' ')
		return p;
	hl->address = v;
	hl->has_address = true;
	return scan_skip_blanks(q, e);
}

int mmt_held_lock_parse(const char *s, size_t n, struct mmt_held_lock *hl)
{
	const char *e = trim_end(s, s + n);
	const char *p = scan_skip_blanks(s, e);

	if (e - p < 6 || *p != '#')
		return 0;
	p = parse_index(p + 1, e, &hl->index);
	if (!p || p == e || *p != ':')
		return 0;
	hl->address = 0;
	hl->has_address = false;
	hl->at[0] = '\0';
	p = parse_lock_addr(scan_skip_blanks(p + 1, e), e, hl);
	p = parse_lock_name(p, e, hl->lock, sizeof(hl->lock));
	if (!p)
		return 0;
	p = skip_usage(p, e);
	if (!p)
		return 0;
	if (p == e)
		return 1;
	if (e - p < 5 || memcmp(p, ", at:", 5) != 0)
		return 0;
	parse_at(p + 5, e, hl->at, sizeof(hl->at));
	return 1;
}
