/*
 * Context markers of stack traces: "<IRQ>" ... "<EOI>" or "</IRQ>",
 * "<NMI>" ... "<<EOE>>", "<EOE>" or "</NMI>", "<SOFTIRQ>", "<TASK>", the
 * exception stacks of x86 ("<#DF>", "<#MC>", old "<DB>"), and crash's
 * "--- <NMI exception stack> ---" printed after the frames it concerns.
 * Old kernels print several markers in front of a frame on one line, and
 * printk continuation leaves some at the end of a register line.
 */
#include "core/marker.h"

#include <string.h>

#include "core/scan.h"

/* Exception stacks of x86 across eras ("#DF", old "DB", ...). */
static bool exception_name(const char *p, size_t n)
{
	static const char *const names[] = {
		"DB", "DF", "MC", "SS", "NM", "DEBUG", "STACKFAULT",
		"DOUBLEFAULT", "ENTRY_TRAMPOLINE", "SYSENTER",
	};
	size_t i;

	if (n >= 2 && p[0] == '#') {
		/* 2.6 names the debug stack's levels "#DB[1]", "#DB[?]" */
		for (i = 1; i < n; i++)
			if (!(p[i] >= 'A' && p[i] <= 'Z') &&
			    !(p[i] >= '0' && p[i] <= '9') && p[i] != '[' && p[i] != ']' &&
			    p[i] != '?')
				return false;
		return true;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && memcmp(names[i], p, n) == 0)
			return true;
	return false;
}

static enum mmt_marker marker_kind(const char *p, size_t n, bool end)
{
	static const struct {
		const char *name;
		enum mmt_marker begin, end;
	} kinds[] = {
		{ "IRQ", MMT_MARK_IRQ_BEGIN, MMT_MARK_IRQ_END },
		{ "TASK", MMT_MARK_TASK_BEGIN, MMT_MARK_TASK_END },
		{ "NMI", MMT_MARK_NMI_BEGIN, MMT_MARK_NMI_END },
		{ "SOFTIRQ", MMT_MARK_SOFTIRQ_BEGIN, MMT_MARK_SOFTIRQ_END },
		{ "EOI", MMT_MARK_IRQ_END, MMT_MARK_NONE },
		{ "EOE", MMT_MARK_NMI_END, MMT_MARK_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == n && memcmp(kinds[i].name, p, n) == 0)
			return end ? kinds[i].end : kinds[i].begin;
	if (exception_name(p, n))
		return end ? MMT_MARK_EXC_END : MMT_MARK_EXC_BEGIN;
	return MMT_MARK_NONE;
}

/* "<IRQ>", "</TASK>", "<#DF>", and old kernels' "<<EOE>>". */
static const char *parse_marker(const char *p, const char *e, enum mmt_marker *m)
{
	const char *name, *q;
	bool end;

	if (scan_has_prefix(p, e, "<<EOE>>")) {
		*m = MMT_MARK_NMI_END;
		return p + 7;
	}
	end = p + 1 < e && p[1] == '/';
	name = p + 1 + end;
	for (q = name; q < e && q - name < 20 && *q != '>'; q++)
		;
	if (q == e || *q != '>')
		return NULL;
	*m = marker_kind(name, (size_t)(q - name), end);
	return *m == MMT_MARK_NONE ? NULL : q + 1;
}

/*
 * crash prints where the frames above it ran, after them:
 * "--- <NMI exception stack> ---", "--- <IRQ stack> ---", "--- <soft IRQ> ---".
 */
static const char *parse_crash_marker(const char *p, const char *e,
				      enum mmt_marker *m)
{
	const char *name = p + 5, *q;
	size_t n;

	if (!scan_has_prefix(p, e, "--- <") || e - p < 10 ||
	    memcmp(e - 5, "> ---", 5) != 0)
		return NULL;
	q = e - 5;
	n = (size_t)(q - name);
	if (n == 19 && memcmp(name, "NMI exception stack", n) == 0)
		*m = MMT_MARK_NMI_END;
	else if ((n == 9 && memcmp(name, "IRQ stack", n) == 0) ||
		 (n == 8 && memcmp(name, "hard IRQ", n) == 0))
		*m = MMT_MARK_IRQ_END;
	else if (n == 8 && memcmp(name, "soft IRQ", n) == 0)
		*m = MMT_MARK_SOFTIRQ_END;
	else if (n > 16 && memcmp(q - 16, " exception stack", 16) == 0)
		*m = MMT_MARK_EXC_END;
	else
		return NULL;
	return e;
}

/* "[  420.408595]": a timestamp left behind a marker by printk continuation. */
static const char *skip_timestamp(const char *p, const char *e)
{
	const char *q = p + 1;
	bool dot = false;

	if (p == e || *p != '[')
		return p;
	while (q < e && (*q == ' ' || *q == '.' || (*q >= '0' && *q <= '9')))
		dot |= *q++ == '.';
	if (q == e || *q != ']' || !dot)
		return p;
	return scan_skip_blanks(q + 1, e);
}

const char *mmt_marker_parse_leading(const char *p, const char *e,
				     enum mmt_marker *markers, int max, int *seen)
{
	enum mmt_marker m;
	const char *q;

	*seen = 0;
	if (*p == '-') {
		q = parse_crash_marker(p, e, &m);
		if (!q)
			return p;
		if (max > 0)
			markers[0] = m;
		*seen = 1;
		return q;
	}
	while (p < e && *p == '<' && (q = parse_marker(p, e, &m))) {
		if (*seen < max)
			markers[*seen] = m;
		(*seen)++;
		p = scan_skip_blanks(q, e);
	}
	return *seen ? skip_timestamp(p, e) : p;
}

bool mmt_marker_parse_trailing(const char *p, const char *e,
				enum mmt_marker *m)
{
	const char *q = e - 1;

	while (q > p && e - q < 24 && *q != '<')
		q--;
	if (*q != '<' || q == p || !scan_is_blank(q[-1]))
		return false;
	return parse_marker(q, e, m) == e;
}
