/*
 * An event's printed text as fields, and the columns each event type gets.
 *
 * Most events print "name=value" pairs ("comm=foo pid=12 prio=120
 * target_cpu=001"); a value runs to the next " name=", so task names with
 * blanks stay whole. A few print a field's name with '-' for '_'
 * (oom:mark_victim's "comm=%s total-vm=%lukB anon-rss=%lukB"): such a
 * name still starts a pair, and its column takes the field's real name
 * (total_vm), as in trace.dat. Text before the first pair, and the whole text of an
 * event that prints no pair at all (block_rq_issue's "254,0 W 4096 () ..."),
 * goes to a TEXT column `info`. trace-cmd's plugins print sched_switch as
 * "prev:pid [prio] S ==> next:pid [prio]" and sched_wakeup as
 * "comm:pid [prio] CPU:001": these are read into the same pairs tracefs
 * prints (prev_comm, prev_pid, ..., target_cpu), so that both forms, and
 * trace.dat, give the same columns.
 *
 * Columns are decided per event type as fields first appear: a field's
 * kind comes from its name when the name says (task names, flags printed
 * as names, symbols are TEXT; pids, priorities, CPUs, orders are INTEGER),
 * else from its first value (a decimal or 0x number is INTEGER, anything
 * else TEXT). A later value that does not fit an INTEGER column is stored
 * as NULL and counted (tt_events.bad_values, reported as a warning).
 */
#include "parsers/trace_text.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tt_event {
	const char *system;
	char *name;
	struct mmt_trace_field fields[TT_MAX_FIELDS];
	size_t name_n[TT_MAX_FIELDS];	/* strlen(fields[i].name) */
	size_t nfields;
	struct mmt_trace_type *type;	/* for the current fields */
};

static bool is_blank(char c) { return c == ' ' || c == '\t'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

/* Length of "name=" at s, 0 when s does not start a pair; '-' may be inside a name. */
static size_t pair_start(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || is_digit(s[0]) || !is_ident(s[0]))
		return 0;
	while (i < n && (is_ident(s[i]) || (s[i] == '-' && i + 1 < n && is_ident(s[i + 1]))))
		i++;
	return i < n && s[i] == '=' ? i + 1 : 0;
}

/* A printed field name against a column's name: '-' in the former is '_'. */
static bool same_name(const char *printed, size_t n, const char *column, size_t column_n)
{
	if (n != column_n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (printed[i] != column[i] && !(printed[i] == '-' && column[i] == '_'))
			return false;
	return true;
}

/* Offset of the blank before the next "name=" at or after from, or n. */
static size_t next_pair(const char *s, size_t n, size_t from)
{
	for (size_t i = from; i < n; i++)
		if (is_blank(s[i]) && pair_start(s + i + 1, n - i - 1))
			return i;
	return n;
}

/* A value without the blanks and separators around it. */
static void trim_value(const char *s, size_t *n)
{
	while (*n > 0 && is_blank(s[*n - 1]))
		(*n)--;
	if (*n >= 4 && !memcmp(s + *n - 4, " ==>", 4))	/* tracefs sched_switch */
		*n -= 4;
	while (*n > 0 && is_blank(s[*n - 1]))
		(*n)--;
	if (*n > 0 && s[*n - 1] == ',')
		(*n)--;
}

size_t tt_pairs(const char *s, size_t n, struct tt_pair *p, size_t max,
		const char **prefix, size_t *prefix_n)
{
	size_t at = pair_start(s, n) ? 0 : next_pair(s, n, 0), count = 0;

	*prefix = s;
	*prefix_n = at;
	while (*prefix_n > 0 && is_blank(s[*prefix_n - 1]))
		(*prefix_n)--;
	while (at < n && count < max) {
		size_t name_n, end;

		while (at < n && is_blank(s[at]))
			at++;
		name_n = pair_start(s + at, n - at) - 1;
		/* The last pair there is room for takes the rest. */
		end = count + 1 == max ? n : next_pair(s, n, at + name_n + 1);
		p[count].name = s + at;
		p[count].name_n = name_n;
		p[count].val = s + at + name_n + 1;
		p[count].val_n = end - (at + name_n + 1);
		trim_value(p[count].val, &p[count].val_n);
		count++;
		at = end;
	}
	return count;
}

/*
 * "123", "-1", "0x1f", "001", "7778999 [ns]"; above INT64_MAX wraps negative.
 * A NULL pointer printed with %p reads "(nil)" (glibc, trace-cmd report) or
 * "(null)": it is 0.
 */
bool tt_number(const char *s, size_t n, int64_t *out)
{
	const char *unit = n > 3 && s[n - 1] == ']' ? memchr(s, ' ', n) : NULL;
	uint64_t v = 0;
	bool neg = false;
	size_t i = 0;

	if ((n == 5 && !memcmp(s, "(nil)", 5)) || (n == 6 && !memcmp(s, "(null)", 6))) {
		*out = 0;
		return true;
	}

	if (unit && unit[1] == '[')
		n = (size_t)(unit - s);
	if (n > 0 && s[0] == '-')
		neg = true, i = 1;
	if (n - i > 2 && s[i] == '0' && s[i + 1] == 'x') {
		if (n - i - 2 > 16)
			return false;
		for (i += 2; i < n; i++) {
			int d = is_digit(s[i]) ? s[i] - '0' : (s[i] >= 'a' && s[i] <= 'f')
				? s[i] - 'a' + 10 : (s[i] >= 'A' && s[i] <= 'F') ? s[i] - 'A' + 10 : -1;

			if (d < 0)
				return false;
			v = v << 4 | (uint64_t)d;
		}
	} else {
		if (i == n)
			return false;
		for (; i < n; i++) {
			if (!is_digit(s[i]) || v > (UINT64_MAX - 9) / 10)
				return false;
			v = v * 10 + (uint64_t)(s[i] - '0');
		}
	}
	if (neg && v > (uint64_t)INT64_MAX + 1)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

static bool equals(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(s, word, n);
}

/* The kind of a new field: by its name when that is telling, else by its value. */
static enum mmt_tfield_kind field_kind(const char *name, size_t n, const char *val,
				       size_t val_n)
{
	static const char *const text_names[] = {
		"comm", "name", "prev_state", "callsite", "callback", "page", "info",
		"ip", "parent_ip", NULL,
	};
	static const char *const int_names[] = {
		"pid", "prio", "cpu", "target_cpu", "order", "nr_reclaimed", "tgid", NULL,
	};
	int64_t ignored;

	for (size_t i = 0; text_names[i]; i++)
		if (equals(name, n, text_names[i]))
			return MMT_TF_TEXT;
	for (size_t i = 0; int_names[i]; i++)
		if (equals(name, n, int_names[i]))
			return MMT_TF_INT;
	if (ends_with(name, n, "_comm") || ends_with(name, n, "_name") ||
	    ends_with(name, n, "flags") || ends_with(name, n, "_sym"))
		return MMT_TF_TEXT;
	if (ends_with(name, n, "_pid") || ends_with(name, n, "_prio"))
		return MMT_TF_INT;
	return tt_number(val, val_n, &ignored) ? MMT_TF_INT : MMT_TF_TEXT;
}

/*
 * trace-cmd's "comm:pid [prio]" at the start of s[0..n): fills three pairs
 * named by names[0..2], returns the length read, 0 when s is not that.
 */
static size_t task_prio(const char *s, size_t n, const char *const names[3], struct tt_pair *p)
{
	const char *open = NULL, *close, *colon = NULL;

	for (size_t i = n; i-- > 1;)
		if (s[i] == '[' && is_blank(s[i - 1])) {
			open = s + i;
			break;
		}
	if (!open || !(close = memchr(open, ']', n - (size_t)(open - s))))
		return 0;
	for (const char *c = open - 1; c > s; c--)
		if (*c == ':') {
			colon = c;
			break;
		}
	if (!colon)
		return 0;
	p[0] = (struct tt_pair){ names[0], s, strlen(names[0]), (size_t)(colon - s) };
	p[1] = (struct tt_pair){ names[1], colon + 1, strlen(names[1]),
				 (size_t)(open - 1 - (colon + 1)) };
	p[2] = (struct tt_pair){ names[2], open + 1, strlen(names[2]),
				 (size_t)(close - open - 1) };
	trim_value(p[1].val, &p[1].val_n);
	return (size_t)(close + 1 - s);
}

/* "trace-cmd:4044 [120] R ==> migration/1:21 [0]" */
static size_t switch_pairs(const char *s, size_t n, struct tt_pair *p)
{
	static const char *const prev[3] = { "prev_comm", "prev_pid", "prev_prio" };
	static const char *const next[3] = { "next_comm", "next_pid", "next_prio" };
	const char *arrow = memmem(s, n, " ==> ", 5);
	size_t left, used;

	if (!arrow)
		return 0;
	left = (size_t)(arrow - s);
	used = task_prio(s, left, prev, p);
	if (!used || !task_prio(arrow + 5, n - left - 5, next, p + 4))
		return 0;
	while (used < left && is_blank(s[used]))
		used++;
	p[3] = (struct tt_pair){ "prev_state", s + used, 10, left - used };
	return 7;
}

/* "migration/1:21 [0] CPU:001", older "comm:pid [prio] success=1 CPU:001" */
static size_t wakeup_pairs(const char *s, size_t n, struct tt_pair *p)
{
	static const char *const names[3] = { "comm", "pid", "prio" };
	const char *cpu = NULL;
	size_t count, used;

	for (size_t i = n; i-- > 0;)
		if (i + 4 <= n && !memcmp(s + i, "CPU:", 4)) {
			cpu = s + i;
			break;
		}
	if (!cpu || !(used = task_prio(s, (size_t)(cpu - s), names, p)))
		return 0;
	count = 3;
	if (memmem(s + used, (size_t)(cpu - s) - used, "success=1", 9))
		p[count++] = (struct tt_pair){ "success", "1", 7, 1 };
	p[count++] = (struct tt_pair){ "target_cpu", cpu + 4, 10, n - (size_t)(cpu + 4 - s) };
	return count;
}

/* The pairs of an event's text; *prefix holds what comes before them. */
static size_t event_pairs(const struct tt_line *l, struct tt_pair *p,
			  const char **prefix, size_t *prefix_n)
{
	const char *s = l->text;
	size_t n = l->text_n, k;

	*prefix = NULL;
	*prefix_n = 0;
	if (l->kind == TT_FUNCTION) {
		const char *arrow = memmem(s, n, " <-", 3);

		p[0] = (struct tt_pair){ "ip", s, 2, (size_t)(arrow - s) };
		p[1] = (struct tt_pair){ "parent_ip", arrow + 3, 9, n - (size_t)(arrow + 3 - s) };
		return 2;
	}
	if (equals(l->name, l->name_n, "sched_switch") && !pair_start(s, n) &&
	    (k = switch_pairs(s, n, p)))
		return k;
	if ((equals(l->name, l->name_n, "sched_wakeup") ||
	     equals(l->name, l->name_n, "sched_wakeup_new") ||
	     equals(l->name, l->name_n, "sched_waking")) && !pair_start(s, n) &&
	    (k = wakeup_pairs(s, n, p)))
		return k;
	k = tt_pairs(s, n, p, TT_MAX_FIELDS - 1, prefix, prefix_n);
	if (k == 0)
		*prefix_n = n;	/* no pair: the whole text is the info */
	return k;
}

/*
 * Fields the kernel prints as symbols ("callsite=wakeup_preempt+0x55/0x70")
 * get, besides the field as printed, the companion column the trace.dat
 * parser gives them, <field>_sym, with the symbol as it stores it: without
 * the function's size ("wakeup_preempt+0x55"). Queries can then group call
 * sites by one column whatever the trace's form.
 */
static const char *const symbol_fields[][2] = {
	{ "callsite", "callsite_sym" }, { "callback", "callback_sym" },
	{ "call_site", "call_site_sym" }, { "caller", "caller_sym" },
	{ "ip", "ip_sym" }, { "parent_ip", "parent_ip_sym" },
};

static size_t add_symbols(struct tt_pair *p, size_t np, size_t max)
{
	size_t n = np;

	for (size_t k = 0; k < np && n < max; k++) {
		const char *v = p[k].val, *slash;

		if (p[k].val_n == 0 || !(is_ident(v[0]) && !is_digit(v[0])))
			continue;	/* 0x0, an address: no symbol */
		for (size_t i = 0; i < sizeof(symbol_fields) / sizeof(symbol_fields[0]); i++) {
			if (!equals(p[k].name, p[k].name_n, symbol_fields[i][0]))
				continue;
			slash = memchr(v, '/', p[k].val_n);
			p[n++] = (struct tt_pair){ symbol_fields[i][1], v,
						   strlen(symbol_fields[i][1]),
						   slash ? (size_t)(slash - v) : p[k].val_n };
			break;
		}
	}
	return n;
}

void tt_events_init(struct tt_events *e, struct mmt_trace_sink *sink)
{
	memset(e, 0, sizeof(*e));
	e->sink = sink;
}

void tt_events_free(struct tt_events *e)
{
	for (size_t i = 0; i < e->n; i++) {
		for (size_t f = 0; f < e->v[i]->nfields; f++)
			free((char *)e->v[i]->fields[f].name);
		free(e->v[i]->name);
		free(e->v[i]);
	}
	free(e->v);
	mmt_strmap_free(&e->ids);
}

static struct tt_event *find_event(struct tt_events *e, const char *name, size_t n)
{
	struct tt_event *ev;
	int64_t idx;

	if (mmt_strmap_get(&e->ids, name, n, &idx))
		return e->v[idx];
	ev = xcalloc(1, sizeof(*ev));
	ev->name = xstrndup(name, n);
	ev->system = tt_system_of(name, n);
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 32;
		e->v = xrealloc(e->v, e->cap * sizeof(*e->v));
	}
	e->v[e->n] = ev;
	mmt_strmap_put(&e->ids, name, n, (int64_t)e->n++);
	return ev;
}

/*
 * The index of the field named name[0..n) (looked for at hint first: pairs
 * come in the same order line after line), added when new; -1 when the
 * type has no room for it.
 */
static int field_index(struct tt_event *ev, const struct tt_pair *p, size_t hint,
		       bool *grown)
{
	struct mmt_trace_field *f;
	char *name;

	if (hint < ev->nfields &&
	    same_name(p->name, p->name_n, ev->fields[hint].name, ev->name_n[hint]))
		return (int)hint;
	for (size_t i = 0; i < ev->nfields; i++)
		if (same_name(p->name, p->name_n, ev->fields[i].name, ev->name_n[i]))
			return (int)i;
	if (ev->nfields == TT_MAX_FIELDS || p->name_n > 100)
		return -1;
	f = &ev->fields[ev->nfields];
	f->name = name = xstrndup(p->name, p->name_n);
	for (char *c = name; *c; c++)
		if (*c == '-')
			*c = '_';
	f->kind = field_kind(p->name, p->name_n, p->val, p->val_n);
	f->ctype = NULL;
	ev->name_n[ev->nfields] = p->name_n;
	*grown = true;
	return (int)ev->nfields++;
}

static void count_bad(struct tt_events *e, const struct tt_event *ev, long lineno,
		      const char *what, const struct tt_pair *p)
{
	if (e->bad_values++ == 0)
		snprintf(e->first_bad, sizeof(e->first_bad), "line %ld: %s %.*s: %s '%.*s'",
			 lineno, ev->name, (int)p->name_n, p->name, what,
			 (int)(p->val_n > 40 ? 40 : p->val_n), p->val);
}

static void set_value(struct tt_events *e, const struct tt_event *ev, int idx,
		      const struct tt_pair *p, long lineno, struct mmt_trace_value *v)
{
	if (ev->fields[idx].kind == MMT_TF_TEXT) {
		v->s = p->val;
		v->n = p->val_n;
		v->null = false;
	} else if (tt_number(p->val, p->val_n, &v->i)) {
		v->null = false;
	} else if (p->val_n > 0) {
		count_bad(e, ev, lineno, "not a number:", p);
	}
}

int64_t tt_store_event(struct tt_events *e, const struct tt_line *l, long lineno)
{
	struct tt_event *ev = find_event(e, l->name, l->name_n);
	struct tt_pair p[TT_MAX_FIELDS + 8];
	struct mmt_trace_value v[TT_MAX_FIELDS];
	int idx[TT_MAX_FIELDS + 8];
	struct mmt_trace_common c;
	const char *prefix;
	size_t prefix_n, np;
	bool grown = false;

	np = event_pairs(l, p, &prefix, &prefix_n);
	if (prefix_n)
		p[np++] = (struct tt_pair){ "info", prefix, 4, prefix_n };
	np = add_symbols(p, np, TT_MAX_FIELDS + 8);
	for (size_t k = 0; k < np; k++) {
		idx[k] = field_index(ev, &p[k], k, &grown);
		if (idx[k] < 0)
			count_bad(e, ev, lineno, "no room for field, value", &p[k]);
	}
	if (grown || !ev->type) {
		ev->type = mmt_trace_type(e->sink, ev->system, ev->name, ev->fields, ev->nfields);
		if (!ev->type)
			return -1;
	}
	for (size_t i = 0; i < ev->nfields; i++)
		v[i].null = true;
	for (size_t k = 0; k < np; k++)
		if (idx[k] >= 0)
			set_value(e, ev, idx[k], &p[k], lineno, &v[idx[k]]);
	c = (struct mmt_trace_common){
		.ts_ns = l->ts_ns, .cpu = l->cpu, .pid = l->pid, .comm = l->comm,
		.comm_n = l->comm_n, .flags = l->flags, .preempt = l->preempt,
	};
	return mmt_trace_event(e->sink, ev->type, &c, v);
}
