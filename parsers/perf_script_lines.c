/*
 * The lines of perf script output (see perf_script.c): event lines with
 * their optional columns, call-chain lines, the name=value pairs of
 * tracepoints and the forms libtraceevent's sched plugin prints. Nothing
 * here touches the store.
 */
#include "parsers/perf_script.h"

#include <string.h>

#define MAX_TOKENS 16		/* words of an event line read before its text */
#define MAX_PID_WORD 9		/* a comm has at most 15 bytes: at most 8 words */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

static bool span_is(struct mmt_field sp, const char *lit)
{
	size_t n = strlen(lit);

	return sp.n == n && !memcmp(sp.s, lit, n);
}

/* The span from `from` up to `to`. */
static struct mmt_field between(const char *from, const char *to)
{
	return (struct mmt_field){ from, (size_t)(to - from) };
}

struct mmt_field pscript_trim(const char *s, size_t n)
{
	while (n && is_blank(*s)) {
		s++;
		n--;
	}
	while (n && is_blank(s[n - 1]))
		n--;
	return (struct mmt_field){ s, n };
}

/* Decimal digits into *v, refusing what does not fit 64 bits. */
bool pscript_dec(const char *s, size_t n, uint64_t *v)
{
	return mmt_parse_u64(s, n, v) == MMT_NUM_OK;
}

static bool parse_hex(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (!n || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = hex_value(s[i]);

		if (d < 0)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return true;
}

/*
 * A field's number: decimal with an optional sign, or 0x hex. Unsigned
 * values over 2^63 wrap to negative, as the trace tables store them.
 */
bool pscript_int(struct mmt_field sp, int64_t *out)
{
	bool neg = sp.n && sp.s[0] == '-';
	const char *s = sp.s + neg;
	size_t n = sp.n - neg;
	uint64_t v;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (neg || !parse_hex(s + 2, n - 2, &v))
			return false;
	} else if (!pscript_dec(s, n, &v) || (neg && v > (uint64_t)INT64_MAX + 1)) {
		return false;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* A number as perf prints a pid: no leading zeros ("0000000000000000" is a register). */
static bool parse_number_word(const char *s, size_t n, uint64_t *v)
{
	return (n == 1 || s[0] != '0') && pscript_dec(s, n, v);
}

/* "1234" or "1234/5678" (PID/TID: the TID is the kernel's task id). */
static bool parse_pid(struct mmt_field w, int *pid)
{
	const char *slash = memchr(w.s, '/', w.n);
	struct mmt_field id = w;
	uint64_t v;

	if (slash)
		id = between(slash + 1, w.s + w.n);
	if (span_is(id, "-1") && !slash) {
		*pid = -1;
		return true;
	}
	if (slash && !parse_number_word(w.s, (size_t)(slash - w.s), &v))
		return false;
	if (!parse_number_word(id.s, id.n, &v) || v > INT32_MAX)
		return false;
	*pid = (int)v;
	return true;
}

static bool parse_cpu(struct mmt_field w, int *cpu)
{
	uint64_t v;

	if (w.n < 3 || w.s[0] != '[' || w.s[w.n - 1] != ']' ||
	    !pscript_dec(w.s + 1, w.n - 2, &v) || v > INT32_MAX)
		return false;
	*cpu = (int)v;
	return true;
}

/* "SECONDS.FRACTION:", exactly into nanoseconds (1 to 9 decimals), within int64. */
static bool parse_time(struct mmt_field w, uint64_t *ns)
{
	const char *dot = w.n ? memchr(w.s, '.', w.n) : NULL;
	size_t secn, fracn;
	uint64_t sec, frac;

	if (!dot || w.s[w.n - 1] != ':')
		return false;
	secn = (size_t)(dot - w.s);
	fracn = w.n - secn - 2;
	if (fracn < 1 || fracn > 9 || !pscript_dec(w.s, secn, &sec) ||
	    !pscript_dec(dot + 1, fracn, &frac) || sec >= INT64_MAX / 1000000000u)
		return false;
	for (size_t i = fracn; i < 9; i++)
		frac *= 10;
	*ns = sec * 1000000000u + frac;
	return true;
}

/* "sched:sched_switch:", "cycles:u:", "cpu/mem-loads,ldlat=30/P:". */
static bool is_event_word(struct mmt_field w)
{
	if (w.n < 2 || w.s[w.n - 1] != ':')
		return false;
	for (size_t i = 0; i + 1 < w.n; i++)
		if (strchr("()[]{}<>\"'|;", w.s[i]))
			return false;
	return true;
}

/*
 * Without CPU and time columns ("java 4152 cycles:"), prose could pass for
 * an event line ("CPU: 1 UID: 0 PID: ..."): such a line must name a
 * tracepoint (system:name) or be a sample's line, with nothing after the
 * event but the sampled address, symbol and DSO.
 */
static bool plausible_untimed(const struct pscript_header *h)
{
	struct mmt_frame f;
	bool dso;

	if (memchr(h->event.s, ':', h->event.n) && h->event.s[0] != ':')
		return true;
	return !h->rest.n || (pscript_frame(h->rest.s, h->rest.n, &f, &dso) && dso);
}

/* The columns after the PID: [CPU] [TIME:] [PERIOD] EVENT: TEXT. */
static bool parse_after_pid(const struct mmt_field *w, size_t nw, size_t j, const char *end,
			    struct pscript_header *h)
{
	h->cpu = -1;
	h->has_ts = false;
	h->period.n = 0;
	if (j < nw && parse_cpu(w[j], &h->cpu))
		j++;
	if (j < nw && parse_time(w[j], &h->ts_ns)) {
		h->has_ts = true;
		j++;
	}
	if (j + 1 < nw && w[j].n && is_digit(w[j].s[0]) && is_event_word(w[j + 1])) {
		uint64_t v;

		if (!pscript_dec(w[j].s, w[j].n, &v))
			return false;
		h->period = w[j++];
	}
	if (j >= nw || !is_event_word(w[j]))
		return false;
	h->event = (struct mmt_field){ w[j].s, w[j].n - 1 };
	h->rest = pscript_trim(w[j].s + w[j].n, (size_t)(end - (w[j].s + w[j].n)));
	h->weak = h->cpu < 0 && !h->has_ts;
	return !h->weak || plausible_untimed(h);
}

bool pscript_header(const char *s, size_t n, struct pscript_header *h)
{
	struct mmt_field w[MAX_TOKENS];
	size_t nw = mmt_fields_split(s, n, w, MAX_TOKENS);

	if (nw > MAX_TOKENS)
		nw = MAX_TOKENS;

	for (size_t p = 1; p + 1 < nw && p <= MAX_PID_WORD; p++) {
		if (!is_digit(w[p].s[0]) && w[p].s[0] != '-')
			continue;
		if (parse_pid(w[p], &h->pid) && parse_after_pid(w, nw, p + 1, s + n, h)) {
			h->comm = between(w[0].s, w[p - 1].s + w[p - 1].n);
			return true;
		}
	}
	return false;
}

void pscript_copy(char *out, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* The module of a DSO: its base name without brackets, "" for the kernel. */
static void dso_module(struct mmt_field dso, char *out, size_t size)
{
	const char *slash = dso.n ? memrchr(dso.s, '/', dso.n) : NULL;

	if (slash)
		dso = between(slash + 1, dso.s + dso.n);
	if (dso.n >= 2 && dso.s[0] == '[' && dso.s[dso.n - 1] == ']')
		dso = (struct mmt_field){ dso.s + 1, dso.n - 2 };
	if (span_is(dso, "kernel.kallsyms") || span_is(dso, "kernel.vmlinux") ||
	    span_is(dso, "vmlinux") || (dso.n > 16 && !memcmp(dso.s, "kernel.kallsyms]", 16)))
		dso.n = 0;
	pscript_copy(out, size, dso.s, dso.n);
}

/* "sym+0x1a" into the frame's symbol and offset. */
static void frame_symbol(struct mmt_field sym, struct mmt_frame *f)
{
	const char *plus = sym.n > 3 ? memrchr(sym.s, '+', sym.n) : NULL;
	uint64_t off;

	if (plus && plus > sym.s && (size_t)(sym.s + sym.n - plus) > 3 && plus[1] == '0' &&
	    plus[2] == 'x' && parse_hex(plus + 3, (size_t)(sym.s + sym.n - plus - 3), &off)) {
		f->offset = off;
		f->has_offset = true;
		sym.n = (size_t)(plus - sym.s);
	}
	pscript_copy(f->symbol, sizeof(f->symbol), sym.s, sym.n);
}

/*
 * The '(' that opens the DSO at the end of rest, matched from the closing
 * ')' ("(/usr/lib/libx.so (deleted))"); NULL when rest has none.
 */
static const char *dso_start(struct mmt_field rest)
{
	int depth = 0;

	if (rest.n < 3 || rest.s[rest.n - 1] != ')')
		return NULL;
	for (size_t i = rest.n; i-- > 0;) {
		depth += rest.s[i] == ')';
		depth -= rest.s[i] == '(';
		if (depth == 0)
			return i == 0 || is_blank(rest.s[i - 1]) ? rest.s + i : NULL;
	}
	return NULL;
}

/*
 * A call-chain line: "ADDRESS SYMBOL[+0xOFF] (DSO)". The DSO is the last
 * parenthesised part (C++ and JIT symbols hold parentheses and blanks).
 */
bool pscript_frame(const char *s, size_t n, struct mmt_frame *f, bool *has_dso)
{
	struct mmt_field line = pscript_trim(s, n), rest, sym;
	const char *open;
	size_t a = 0;

	while (a < line.n && !is_blank(line.s[a]))
		a++;
	memset(f, 0, sizeof(*f));
	if (!parse_hex(line.s, a, &f->address))
		return false;
	f->has_address = true;
	f->reliable = true;
	rest = pscript_trim(line.s + a, line.n - a);
	sym = rest;
	*has_dso = false;
	open = dso_start(rest);
	if (open) {
		dso_module(between(open + 1, rest.s + rest.n - 1), f->module, sizeof(f->module));
		sym = pscript_trim(rest.s, (size_t)(open - rest.s));
		*has_dso = true;
	}
	frame_symbol(sym.n ? sym : (struct mmt_field){ "[unknown]", 9 }, f);
	return true;
}

/* A pair's value: up to the next pair, without blanks or sched_switch's "==>". */
static struct mmt_field pair_value(const char *s, const char *end)
{
	struct mmt_field v = pscript_trim(s, (size_t)(end - s));

	if (v.n >= 3 && !memcmp(v.s + v.n - 3, "==>", 3) && (v.n == 3 || is_blank(v.s[v.n - 4])))
		v = pscript_trim(v.s, v.n - 3);
	return v;
}

/*
 * The name=value pairs of a tracepoint's text into kv[1..]; text before
 * the first pair, when there is some, into kv[0] as "text". Returns the
 * number of pairs and sets *first to the index of the first.
 */
size_t pscript_pairs(struct mmt_field text, struct pscript_kv *kv, size_t *first)
{
	const char *s = text.s, *end = text.s + text.n, *p = s, *lead_end = end;
	size_t count = 1;

	while (count < PSCRIPT_MAX_FIELDS && (p = memchr(p, '=', (size_t)(end - p)))) {
		const char *b = p;

		while (b > s && is_ident(b[-1]))
			b--;
		if (b < p && !is_digit(*b) && (b == s || is_blank(b[-1]))) {
			if (count == 1)
				lead_end = b;
			else
				kv[count - 1].val = pair_value(kv[count - 1].val.s, b);
			kv[count].name = between(b, p);
			kv[count++].val = (struct mmt_field){ p + 1, 0 };
		}
		p++;
	}
	if (count > 1)
		kv[count - 1].val = pair_value(kv[count - 1].val.s, end);
	kv[0].name = (struct mmt_field){ "text", 4 };
	kv[0].val = pscript_trim(s, (size_t)(lead_end - s));
	*first = kv[0].val.n ? 0 : 1;
	return count - *first;
}

size_t pscript_add_pair(struct pscript_kv *kv, size_t n, const char *name,
			struct mmt_field val)
{
	kv[n].name = (struct mmt_field){ name, strlen(name) };
	kv[n].val = val;
	return n + 1;
}

/*
 * "comm:pid [prio]" as libtraceevent's sched plugin prints a task (the
 * prio may be absent); names are the columns of comm, pid and prio.
 */
static bool plugin_task(struct mmt_field sp, const char *const names[3],
			struct pscript_kv *kv, size_t *n)
{
	struct mmt_field prio = { NULL, 0 };
	const char *colon;

	sp = pscript_trim(sp.s, sp.n);
	if (sp.n && sp.s[sp.n - 1] == ']') {
		const char *open = memrchr(sp.s, '[', sp.n);

		if (!open || open == sp.s || !is_blank(open[-1]))
			return false;
		prio = between(open + 1, sp.s + sp.n - 1);
		sp = pscript_trim(sp.s, (size_t)(open - sp.s));
	}
	colon = sp.n ? memrchr(sp.s, ':', sp.n) : NULL;
	if (!colon || colon + 1 == sp.s + sp.n)
		return false;
	*n = pscript_add_pair(kv, *n, names[0], between(sp.s, colon));
	*n = pscript_add_pair(kv, *n, names[1], between(colon + 1, sp.s + sp.n));
	if (prio.s)
		*n = pscript_add_pair(kv, *n, names[2], prio);
	return true;
}

/* The plugin's sched_switch: "prev:1 [120] S ==> next:2 [120]". */
size_t pscript_plugin_switch(struct mmt_field text, struct pscript_kv *kv)
{
	static const char *const prev[3] = { "prev_comm", "prev_pid", "prev_prio" };
	static const char *const next[3] = { "next_comm", "next_pid", "next_prio" };
	const char *arrow = memmem(text.s, text.n, " ==> ", 5);
	struct mmt_field left, state;
	size_t n = 0;

	if (!arrow)
		return 0;
	left = pscript_trim(text.s, (size_t)(arrow - text.s));
	state = left;
	while (state.n && !is_blank(state.s[state.n - 1]))
		state.n--;
	state = (struct mmt_field){ left.s + state.n, left.n - state.n };
	left.n -= state.n;
	if (!state.n || !plugin_task(left, prev, kv, &n))
		return 0;
	n = pscript_add_pair(kv, n, "prev_state", state);
	if (!plugin_task(between(arrow + 5, text.s + text.n), next, kv, &n))
		return 0;
	return n;
}

/* The last word of *sp if it starts with prefix: taken off *sp into *val. */
static bool take_last_word(struct mmt_field *sp, const char *prefix, struct mmt_field *val)
{
	size_t k = sp->n, plen = strlen(prefix);

	while (k && !is_blank(sp->s[k - 1]))
		k--;
	if (sp->n - k <= plen || memcmp(sp->s + k, prefix, plen))
		return false;
	*val = (struct mmt_field){ sp->s + k + plen, sp->n - k - plen };
	*sp = pscript_trim(sp->s, k);
	return true;
}

/* The plugin's sched_wakeup: "comm:pid [prio] [success=1] CPU:000". */
size_t pscript_plugin_wakeup(struct mmt_field text, struct pscript_kv *kv)
{
	static const char *const task[3] = { "comm", "pid", "prio" };
	struct mmt_field cpu, success;
	bool has_success;
	size_t n = 0;

	if (!take_last_word(&text, "CPU:", &cpu))
		return 0;
	has_success = take_last_word(&text, "success=", &success);
	if (!plugin_task(text, task, kv, &n))
		return 0;
	if (has_success)
		n = pscript_add_pair(kv, n, "success", success);
	return pscript_add_pair(kv, n, "target_cpu", cpu);
}

bool pscript_starts_with(struct mmt_field sp, const char *lit)
{
	size_t n = strlen(lit);

	return sp.n >= n && !memcmp(sp.s, lit, n);
}
