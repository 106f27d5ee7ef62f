/*
 * The text-trace parser: ftrace's text from tracefs (`trace` with its
 * "# tracer:" header, `trace_pipe` and excerpts without one) and the text
 * of `trace-cmd report` (its "cpus=N" first line, -l, -t, the "NAME:"
 * prefix of -B buffers). Events go to the trace sink like those of
 * trace.dat; trace_text.h lists the pieces.
 *
 * Stacks: the stacktrace option makes ftrace print "<stack trace>" and
 * " => func" lines after an event, and trace-cmd prints its kernel_stack
 * records the same way ("kernel_stack: <stack trace >", "=> func (addr)").
 * The stack belongs to the event before it on the same CPU (and buffer):
 * it is attached to that event and not stored as an event of its own.
 *
 * A -B buffer's "NAME:" prefix makes its events the sink's instance NAME.
 *
 * What the text does not say: the trace clock (stored as unknown: the
 * default "local" is likely, but "global" or "mono" print alike), the
 * event's system (a table guesses it, trace_text_systems.c), and which
 * tracefs instance a `trace` file was read from. The tgid column is read
 * past (the schema has no column for it). Events are stored in the order
 * of the file, which trace_pipe does not always keep sorted by time.
 */
#include "parsers/trace_text.h"
#include "core/lines.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_LINES 200
#define PROGRESS_EVERY 4096
#define MAX_INSTANCES 8		/* -B buffers told apart for stacks; more share the last */
#define MAX_CPU 65535

/* The last event of each CPU of one buffer, for the stack that may follow. */
struct last_events {
	char name[64];
	int64_t *ids;
	size_t cap;
};

struct tt {
	struct mmt_input *in;
	struct mmt_err *err;
	struct mmt_trace_sink *sink;
	struct tt_events events;
	struct last_events last[MAX_INSTANCES];
	size_t ninstances;
	struct last_events *buffer;	/* of the events stored last */
	struct mmt_stack stack;
	int64_t stack_event;	/* event the frames being read belong to; -1: none */
	bool user_stack;	/* frames being read are a user stack's */
	long lineno;
	int cpus;
	const char *format;
	long content;		/* lines that were not blank, comments or headers */
	long first_bad_line;
	const char *first_why;
};

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(s, prefix, k);
}

/* A decimal number at s (after blanks), -1 when there is none. */
static long number_at(const char *s, size_t n)
{
	long v = -1;

	while (n > 0 && is_blank(*s))
		s++, n--;
	for (; n > 0 && *s >= '0' && *s <= '9' && v < 100000000; s++, n--)
		v = (v < 0 ? 0 : v * 10) + (*s - '0');
	return v;
}

static bool blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_blank(s[i]))
			return false;
	return true;
}

/* Header lines of trace-cmd report that carry nothing to store. */
static bool report_chatter(const char *s, size_t n)
{
	return starts(s, n, "version = ") || (starts(s, n, "CPU ") && memmem(s, n, " is empty", 9)) ||
	       starts(s, n, "##### CPU ");
}

static bool cpus_line(const char *s, size_t n)
{
	return starts(s, n, "cpus=");
}

static int probe(const char *head, size_t len)
{
	int lines = 0, content = 0, events = 0;
	bool cpus = false, first = true;
	struct tt_line l;
	const char *why;
	size_t i = 0;

	while (i < len && lines < PROBE_LINES) {
		const char *s = head + i, *nl = memchr(s, '\n', len - i);
		size_t n = nl ? (size_t)(nl - s) : len - i;

		if (!nl && lines > 0)
			break;		/* a cut last line says nothing reliable */
		i += n + 1;
		lines++;
		while (n > 0 && s[n - 1] == '\r')
			n--;
		if (blank_line(s, n))
			continue;
		if (first && starts(s, n, "# tracer: "))
			return 95;
		first = false;
		if (s[0] == '#' || report_chatter(s, n) || tt_is_frame(s, n))
			continue;
		if (cpus_line(s, n) && content == 0) {
			cpus = number_at(s + 5, n - 5) > 0;
			continue;
		}
		content++;
		events += tt_split(s, n, &l, &why);
	}
	if (cpus && (events > 0 || content == 0))
		return 95;
	if (events >= 3 ? events * 2 >= content : events > 0 && events == content)
		return 92;	/* above the kernel-log parser's 90 */
	return events >= 5 && events * 5 >= content ? 60 : 0;
}

/* The last-event table of the buffer named on the line. */
static struct last_events *buffer_of(struct tt *t, const struct tt_line *l)
{
	const char *name = l->instance ? l->instance : "";
	size_t n = l->instance ? l->instance_n : 0, i;

	if (n >= sizeof(t->last[0].name))
		n = sizeof(t->last[0].name) - 1;
	for (i = 0; i < t->ninstances; i++)
		if (strlen(t->last[i].name) == n && !memcmp(t->last[i].name, name, n))
			return &t->last[i];
	if (t->ninstances == MAX_INSTANCES)
		return &t->last[MAX_INSTANCES - 1];
	memcpy(t->last[i].name, name, n);
	t->last[i].name[n] = '\0';
	return &t->last[t->ninstances++];
}

static int64_t *last_event(struct tt *t, const struct tt_line *l)
{
	struct last_events *b = buffer_of(t, l);

	if ((size_t)l->cpu >= b->cap) {
		size_t old = b->cap;

		xgrow((void **)&b->ids, &b->cap, (size_t)l->cpu + 1, sizeof(*b->ids));
		memset(b->ids + old, 0, (b->cap - old) * sizeof(*b->ids));
	}
	return &b->ids[l->cpu];
}

/* Tells the sink when events start coming from another -B buffer. */
static int set_buffer(struct tt *t, const struct tt_line *l)
{
	struct last_events *b = buffer_of(t, l);

	if (b == t->buffer)
		return 0;
	t->buffer = b;
	return mmt_trace_set_instance(t->sink, b->name[0] ? b->name : NULL);
}

static void skip(struct tt *t, const char *why)
{
	mmt_trace_skip(t->sink, "line %ld: %s", t->lineno, why);
}

/* The frames read so far go to their event. */
static int end_stack(struct tt *t)
{
	int rc = 0;

	if (t->stack_event > 0 && t->stack.n > 0 &&
	    mmt_trace_stack(t->sink, t->stack_event, &t->stack) < 0) {
		t->err->path = t->in->path;
		t->err->line = t->lineno;
		rc = -1;
	}
	t->stack_event = -1;
	t->user_stack = false;
	mmt_stack_reset(&t->stack);
	return rc;
}

/* "<stack trace>": the frames that follow belong to the CPU's last event. */
static void begin_stack(struct tt *t, const struct tt_line *l)
{
	int64_t *last = last_event(t, l);
	char why[80];

	if (*last <= 0) {
		snprintf(why, sizeof(why), "stack trace with no event before it on CPU %d", l->cpu);
		skip(t, why);
		t->stack_event = 0;	/* its frames are part of this skip */
		return;
	}
	t->stack_event = *last;
	*last = 0;		/* one stack per event */
}

static void frame(struct tt *t, const char *s, size_t n)
{
	struct mmt_frame f;

	if (t->stack_event > 0) {
		if (tt_frame(s, n, &f))
			mmt_stack_push(&t->stack, &f);
	} else if (t->stack_event < 0 && !t->user_stack) {
		skip(t, "stack frame outside a stack trace");
	}
}

/* "# entries-in-buffer/entries-written: 638/638   #P:2" gives the CPUs. */
static void comment(struct tt *t, const char *s, size_t n)
{
	const char *p = memmem(s, n, "#P:", 3);

	if (starts(s, n, "# tracer: "))
		t->format = "tracefs";
	if (p && starts(s, n, "# entries-in-buffer"))
		t->cpus = (int)number_at(p + 3, n - (size_t)(p + 3 - s));
}

/* Lines that are not events: 1 when s was one of them, -1 on a bad header. */
static int header(struct tt *t, const char *s, size_t n)
{
	const char *open;
	long v;

	if (cpus_line(s, n)) {
		v = number_at(s + 5, n - 5);
		if (v <= 0 && mmt_trace_events(t->sink) == 0)
			return mmt_err_at(t->err, t->in->path, t->lineno,
					  "'%.*s' does not give a number of CPUs", (int)(n > 40 ? 40 : n), s);
		if (v > 0)
			t->cpus = (int)v;
		t->format = "trace-cmd report";
		return 1;
	}
	if (report_chatter(s, n))
		return 1;
	/* ftrace's "CPU:1 [LOST 123 EVENTS]", trace-cmd's "CPU:1 [123 EVENTS DROPPED]" */
	if (starts(s, n, "CPU:") && (memmem(s, n, "LOST", 4) || memmem(s, n, "DROPPED", 7)) &&
	    (open = memchr(s, '[', n))) {
		size_t rest = n - (size_t)(open + 1 - s);

		v = number_at(open + 1, rest);
		if (v < 0 && rest > 5 && !memcmp(open + 1, "LOST ", 5))
			v = number_at(open + 6, rest - 5);
		if (v > 0)
			mmt_trace_lost(t->sink, (uint64_t)v);
		return 1;
	}
	return 0;
}

static int event_line(struct tt *t, const char *s, size_t n)
{
	struct tt_line l;
	const char *why;
	int64_t id;

	t->content++;
	if (!tt_split(s, n, &l, &why) || l.cpu > MAX_CPU) {
		if (!t->first_bad_line) {
			t->first_bad_line = t->lineno;
			t->first_why = why;
		}
		skip(t, l.cpu > MAX_CPU ? "CPU number out of range" : why);
		return 0;
	}
	if (l.latency && t->format && !strcmp(t->format, "trace-cmd report"))
		t->format = "trace-cmd report -l";
	if (l.kind == TT_STACK) {
		begin_stack(t, &l);
		return 0;
	}
	if (l.kind == TT_USER_STACK) {
		t->user_stack = true;
		return 0;
	}
	id = set_buffer(t, &l) < 0 ? -1 : tt_store_event(&t->events, &l, t->lineno);
	if (id < 0) {
		t->err->path = t->in->path;
		t->err->line = t->lineno;
		return -1;
	}
	*last_event(t, &l) = id;
	return 0;
}

static int line(struct tt *t, const char *s, size_t n)
{
	int rc;

	if (tt_is_frame(s, n)) {
		frame(t, s, n);
		return 0;
	}
	if (end_stack(t) < 0)
		return -1;
	if (blank_line(s, n))
		return 0;
	if (s[0] == '#') {
		comment(t, s, n);
		return 0;
	}
	rc = header(t, s, n);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	return event_line(t, s, n);
}

static int read_lines(struct tt *t, struct mmt_lines *lr)
{
	const char *s;
	size_t n;
	int rc;

	while ((rc = mmt_lines_next(lr, &s, &n, t->err)) > 0) {
		t->lineno = lr->lineno;
		if (line(t, s, n) < 0)
			return -1;
		if (lr->lineno % PROGRESS_EVERY == 0) {
			mmt_input_progress(t->in, lr->consumed);
			if (mmt_interrupted())
				return mmt_err_at(t->err, t->in->path, lr->lineno, "interrupted");
		}
	}
	if (rc < 0 || end_stack(t) < 0)
		return -1;
	if (t->content > 0 && mmt_trace_events(t->sink) == 0 && t->first_bad_line)
		return mmt_err_at(t->err, t->in->path, t->first_bad_line,
				  "not an ftrace text trace: no line is an event (%s)", t->first_why);
	return 0;
}

static void finish(struct tt *t, struct mmt_lines *lr)
{
	if (t->events.bad_values)
		mmt_input_warn(t->in, 0, "%lld field values did not fit their column and were "
			       "stored as NULL; the first: %s", (long long)t->events.bad_values,
			       t->events.first_bad);
	if (lr->repaired)
		mmt_input_warn(t->in, 0, "%ld lines held bytes that are not UTF-8 text; "
			       "they were stored with those bytes written as \\xNN", lr->repaired);
	mmt_trace_set_clock(t->sink, NULL, t->cpus);
	t->in->format = t->format ? t->format : "ftrace lines";
}

static int parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	struct tt t = { .in = in, .err = err, .stack_event = -1, .cpus = -1 };
	struct mmt_lines lr;
	int rc;

	t.sink = mmt_trace_open(in, st, err);
	if (!t.sink)
		return -1;
	tt_events_init(&t.events, t.sink);
	mmt_stack_init(&t.stack);
	mmt_lines_init(&lr, in->fd, in->path,
		       in->flags & MMT_INPUT_LENIENT ? MMT_LINES_LENIENT : 0);
	lr.hash = in->hash;
	rc = read_lines(&t, &lr);
	if (rc == 0)
		finish(&t, &lr);
	rc = mmt_trace_close(t.sink, rc == 0);
	mmt_lines_free(&lr);
	mmt_stack_free(&t.stack);
	tt_events_free(&t.events);
	for (size_t i = 0; i < t.ninstances; i++)
		free(t.last[i].ids);
	return rc;
}

const struct mmt_parser mmt_parser_trace_text = {
	.name = "trace_text",
	.help = "ftrace text: tracefs trace and trace_pipe, trace-cmd report (-l, -t, -B)",
	.probe = probe,
	.parse = parse,
	.hashes_input = true,
	.lenient = true,
};
