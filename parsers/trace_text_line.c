/*
 * One line of a text trace split into its columns. The layouts:
 *
 *   tracefs `trace`, `trace_pipe` (kernel/trace/trace_output.c):
 *       "%16s-%-7d " task and pid, "(%7d) " or "(-------) " with the
 *       record-tgid option, "[%03d] " CPU, the irq-info column ("d.h2.",
 *       absent when the irq-info option is off), "%5lu.%06lu: " time, then
 *       "name: text"
 *   trace-cmd report: the same without tgid and irq-info, a -B buffer's
 *       lines prefixed by "NAME:", names padded ("sched_switch:   text")
 *   trace-cmd report -l: the task cut to 8 characters and the CPU number
 *       glued to the irq-info column ("memfd:se-21012   1d..2.  77.1: ...")
 *
 * The task name may hold blanks, dashes and colons: the pid is the digits
 * after the last '-' before the CPU column. Times are decimal seconds with
 * 6 or 9 decimals (any number is taken), read digit by digit to exact
 * nanoseconds; a time without a decimal point (the "counter" and x86-tsc
 * clocks) is kept as the raw count.
 */
#include "parsers/trace_text.h"

#include <stdio.h>
#include <string.h>

static bool is_blank(char c) { return c == ' ' || c == '\t'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Seconds "12345.678901" to nanoseconds: decimals past the ninth are
 * dropped, fewer are scaled. No point: the number as it is.
 */
uint64_t tt_ns(const char *s, size_t n, bool *ok)
{
	uint64_t sec = 0, frac = 0;
	size_t i = 0, digits = 0;

	*ok = false;
	for (; i < n && is_digit(s[i]); i++) {
		if (sec > (UINT64_MAX - 9) / 10)
			return 0;
		sec = sec * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return 0;
	if (i == n) {
		*ok = true;
		return sec;
	}
	if (s[i++] != '.' || i == n || sec > UINT64_MAX / 1000000000u - 1)
		return 0;
	for (; i < n && is_digit(s[i]); i++, digits++)
		if (digits < 9)
			frac = frac * 10 + (uint64_t)(s[i] - '0');
	if (i != n)
		return 0;
	for (; digits < 9; digits++)
		frac *= 10;
	*ok = true;
	return sec * 1000000000u + frac;
}

/* Bits of the irqs-off, need-resched and hard/softirq characters. */
static int irqs_bits(char c)
{
	switch (c) {
	case '.': case 'X': return 0;	/* X: no irq-flags support, no bit for it */
	case 'd': return 0x01;
	case 'b': return 0x80;
	case 'D': return 0x81;
	default: return -1;
	}
}

static int resched_bits(char c)
{
	switch (c) {
	case '.': return 0;
	case 'n': return 0x04;
	case 'p': return 0x20;
	case 'N': return 0x24;
	case 'l': return 0x02;		/* NEED_RESCHED_LAZY, 6.13 and later */
	case 'L': return 0x22;
	case 'b': return 0x06;
	case 'B': return 0x26;
	default: return -1;
	}
}

static int context_bits(char c)
{
	switch (c) {
	case '.': return 0;
	case 'h': return 0x08;
	case 's': return 0x10;
	case 'H': return 0x18;
	case 'z': return 0x40;
	case 'Z': return 0x48;
	default: return -1;
	}
}

/* The depth characters: '.' for 0, else one hex digit. */
static int depth_value(char c)
{
	return c == '.' ? 0 : hex_value(c);
}

/*
 * The irq-info column as trace_print_lat_fmt writes it: irqs-off,
 * need-resched, hard/softirq, preempt depth, and since 5.13 the
 * migrate-disable depth (4 or 5 characters).
 */
static bool irq_info(const char *s, size_t n, int *flags, int *preempt)
{
	int a, b, c, low, high = 0;

	if (n < 4 || n > 5)
		return false;
	a = irqs_bits(s[0]);
	b = resched_bits(s[1]);
	c = context_bits(s[2]);
	low = depth_value(s[3]);
	if (n == 5)
		high = depth_value(s[4]);
	if (a < 0 || b < 0 || c < 0 || low < 0 || high < 0)
		return false;
	*flags = a | b | c;
	*preempt = low | high << 4;
	return true;
}

/* A blank-separated token of s[at..n). */
struct tok {
	size_t at, n;
};

static bool next_token(const char *s, size_t n, size_t *pos, struct tok *t)
{
	size_t i = *pos;

	while (i < n && is_blank(s[i]))
		i++;
	if (i == n)
		return false;
	t->at = i;
	while (i < n && !is_blank(s[i]))
		i++;
	t->n = i - t->at;
	*pos = i;
	return true;
}

/* "12345.678901:" (or a raw count "1234567:"). */
static bool time_token(const char *s, const struct tok *t, uint64_t *ns)
{
	bool ok;

	if (t->n < 2 || s[t->at + t->n - 1] != ':' || !is_digit(s[t->at]))
		return false;
	*ns = tt_ns(s + t->at, t->n - 1, &ok);
	return ok;
}

/* "[001]" */
static bool cpu_token(const char *s, const struct tok *t, int *cpu)
{
	int v = 0;

	if (t->n < 3 || t->n > 7 || s[t->at] != '[' || s[t->at + t->n - 1] != ']')
		return false;
	for (size_t i = t->at + 1; i < t->at + t->n - 1; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*cpu = v;
	return true;
}

/* trace-cmd report -l: "1d..2." is CPU 1 and the irq-info "d..2.". */
static bool latency_token(const char *s, const struct tok *t, struct tt_line *l)
{
	size_t i = t->at, end = t->at + t->n;
	int v = 0;

	for (; i < end && is_digit(s[i]) && i - t->at < 5; i++)
		v = v * 10 + (s[i] - '0');
	if (i == t->at || !irq_info(s + i, end - i, &l->flags, &l->preempt))
		return false;
	l->cpu = v;
	l->latency = true;
	return true;
}

/* The task part, "  comm-pid" or "  comm-pid   (  1234)"; may be empty. */
static bool task(const char *s, size_t n, struct tt_line *l)
{
	size_t end = n, dash, i;
	int pid = 0;

	while (end > 0 && is_blank(s[end - 1]))
		end--;
	if (end > 0 && s[end - 1] == ')') {	/* the record-tgid column */
		while (end > 0 && s[end - 1] != '(')
			end--;
		if (end == 0)
			return false;
		end--;
		while (end > 0 && is_blank(s[end - 1]))
			end--;
	}
	i = 0;
	while (i < end && is_blank(s[i]))
		i++;
	if (i == end)
		return true;		/* a trimmed excerpt: no task shown */
	for (dash = end; dash > i && s[dash - 1] != '-'; dash--)
		;
	if (dash == i || dash == end || end - dash > 9)
		return false;
	for (size_t k = dash; k < end; k++) {
		if (!is_digit(s[k]))
			return false;
		pid = pid * 10 + (s[k] - '0');
	}
	l->pid = pid;
	if (dash - 1 > i && !(dash - 1 - i == 5 && !memcmp(s + i, "<...>", 5))) {
		l->comm = s + i;
		l->comm_n = dash - 1 - i;
	}
	return true;
}

/* trace-cmd's "NAME:" before a -B buffer's lines, at the start of the line. */
static size_t instance_prefix(const char *s, size_t n, struct tt_line *l)
{
	size_t i = 0;

	while (i < n && is_ident(s[i]))
		i++;
	if (i == 0 || i + 1 >= n || s[i] != ':' || !is_blank(s[i + 1]))
		return 0;
	l->instance = s;
	l->instance_n = i;
	return i + 1;
}

/* Everything after the time column: the event's name and text. */
static bool event_part(const char *s, size_t n, struct tt_line *l)
{
	size_t i = 0;

	while (n > 0 && is_blank(s[n - 1]))
		n--;
	if (n >= 13 && !memcmp(s, "<stack trace>", 13)) {
		l->kind = TT_STACK;
		return true;
	}
	if (n >= 18 && !memcmp(s, "<user stack trace>", 18)) {
		l->kind = TT_USER_STACK;
		return true;
	}
	while (i < n && is_ident(s[i]))
		i++;
	if (i > 0 && i < n && s[i] == ':' && (i + 1 == n || is_blank(s[i + 1]))) {
		l->name = s;
		l->name_n = i;
		for (i++; i < n && is_blank(s[i]); i++)
			;
		l->text = s + i;
		l->text_n = n - i;
		if (l->name_n == 12 && !memcmp(s, "kernel_stack", 12))
			l->kind = TT_STACK;
		else if (l->name_n == 10 && !memcmp(s, "user_stack", 10))
			l->kind = TT_USER_STACK;
		return true;
	}
	if (i > 0 && memmem(s, n, " <-", 3)) {	/* the function tracer */
		l->kind = TT_FUNCTION;
		l->name = "function";
		l->name_n = 8;
		l->text = s;
		l->text_n = n;
		return true;
	}
	return false;
}

/* The CPU column and the irq-info column before the time, read backwards. */
static bool cpu_columns(const char *s, const struct tok *toks, size_t ntok,
			struct tt_line *l, size_t *task_end)
{
	size_t k = ntok;

	if (k > 0 && irq_info(s + toks[k - 1].at, toks[k - 1].n, &l->flags, &l->preempt))
		k--;
	if (k > 0 && (cpu_token(s, &toks[k - 1], &l->cpu) ||
		      (l->flags < 0 && latency_token(s, &toks[k - 1], l))))
		k--;
	else
		return false;
	*task_end = k > 0 ? toks[k - 1].at + toks[k - 1].n : (k < ntok ? toks[k].at : 0);
	return true;
}

#define MAX_HEAD_TOKENS 16

int tt_split(const char *s, size_t n, struct tt_line *l, const char **why)
{
	struct tok toks[MAX_HEAD_TOKENS];
	size_t ntok = 0, pos, task_end;
	struct tok t;

	memset(l, 0, sizeof(*l));
	l->pid = l->cpu = l->flags = l->preempt = -1;
	pos = instance_prefix(s, n, l);
	/* The time is the first token of the form "12345.678901:". */
	for (;;) {
		if (!next_token(s, n, &pos, &t) || ntok == MAX_HEAD_TOKENS) {
			*why = "no time column";
			return 0;
		}
		if (ntok > 0 && time_token(s, &t, &l->ts_ns))
			break;
		toks[ntok++] = t;
	}
	if (!cpu_columns(s, toks, ntok, l, &task_end)) {
		*why = "no CPU column";
		return 0;
	}
	if (!task(s + (l->instance ? l->instance_n + 1 : 0),
		  task_end - (l->instance ? l->instance_n + 1 : 0), l)) {
		*why = "no task-pid column";
		return 0;
	}
	while (pos < n && is_blank(s[pos]))
		pos++;
	if (!event_part(s + pos, n - pos, l)) {
		*why = "no event name";
		return 0;
	}
	return 1;
}

static const char *skip_blanks(const char *s, size_t *n)
{
	while (*n > 0 && is_blank(*s)) {
		s++;
		(*n)--;
	}
	return s;
}

bool tt_is_frame(const char *s, size_t n)
{
	s = skip_blanks(s, &n);
	return n >= 3 && s[0] == '=' && s[1] == '>' && is_blank(s[2]);
}

static uint64_t hex_run(const char *s, size_t n, size_t *used)
{
	uint64_t v = 0;
	size_t i = 0;

	if (n >= 2 && s[0] == '0' && s[1] == 'x')
		i = 2;
	for (; i < n && hex_value(s[i]) >= 0 && i < 18; i++)
		v = v << 4 | (uint64_t)hex_value(s[i]);
	*used = i;
	return v;
}

/* "sym+0x1a/0x30": the symbol, then the offset and size when printed. */
static void frame_symbol(const char *s, size_t n, struct mmt_frame *f)
{
	const char *plus = memchr(s, '+', n);
	size_t sym_n = plus ? (size_t)(plus - s) : n, used;

	snprintf(f->symbol, sizeof(f->symbol), "%.*s", (int)sym_n, s);
	if (!plus)
		return;
	s = plus + 1;
	n -= sym_n + 1;
	f->offset = hex_run(s, n, &used);
	f->has_offset = used > 0;
	if (used < n && s[used] == '/') {
		size_t rest = n - used - 1;

		f->size = hex_run(s + used + 1, rest, &used);
		f->has_size = used > 0;
	}
}

/*
 * " => try_to_free_pages", " => shrink_node+0x1a/0x30", trace-cmd's
 * "=> __schedule (ffffffff82265488)", " => xfs_foo [xfs]", and the bare
 * address of an unknown symbol. User stacks' " => <00007f...>" are not kept.
 */
int tt_frame(const char *s, size_t n, struct mmt_frame *f)
{
	size_t i = 0, used;

	memset(f, 0, sizeof(*f));
	f->reliable = true;
	s = skip_blanks(s, &n);
	s += 2;
	n -= 2;
	s = skip_blanks(s, &n);
	if (n == 0 || s[0] == '<')
		return 0;
	while (i < n && !is_blank(s[i]))
		i++;
	frame_symbol(s, i, f);
	if (!strncmp(f->symbol, "0x", 2)) {
		f->address = hex_run(s, i, &used);
		f->has_address = true;
	}
	for (;;) {
		struct tok t;

		if (!next_token(s, n, &i, &t))
			break;
		if (s[t.at] == '(' || s[t.at] == '<') {
			f->address = hex_run(s + t.at + 1, t.n - 1, &used);
			f->has_address = used > 0;
		} else if (s[t.at] == '[' && t.n > 2 && s[t.at + t.n - 1] == ']') {
			snprintf(f->module, sizeof(f->module), "%.*s", (int)t.n - 2, s + t.at + 1);
		}
	}
	return 1;
}
