/*
 * The perf script parser: the text `perf script` prints, for tracepoints
 * (sched:sched_switch, vmscan:..., with the kernel's print format or
 * libtraceevent's plugin forms) and for sampled events (cycles, cpu-clock,
 * page-faults, ...: system "perf", the event's name as printed), each with
 * the call chain `perf record -g` adds. Every event goes to the trace sink
 * (parsers/trace_sink.h) on the 'perf' clock.
 *
 * An event line is
 *     COMM PID[/TID] [[CPU]] [SECONDS.FRACTION:] [PERIOD] EVENT: [TEXT]
 * where COMM may hold blanks and the bracketed columns depend on `-F`.
 * It is recognised from the PID on: the first word after the command that
 * is a number followed by the columns perf prints after it. A tracepoint's
 * TEXT is read as name=value pairs, a value running up to the next
 * " name="; the pairs become the type's columns, in the order of the
 * first event of the type, and a name met later becomes a new column.
 * Each column's kind (INTEGER or TEXT) is that of its first value, but for
 * task names and code pointers (always_text). A later value that is not a
 * number in an INTEGER column is not dropped: that column takes text from
 * there on, the table's column staying INTEGER (SQLite keeps numbers as
 * integers in it), and one warning at the end names the first such value.
 * Nothing is skipped for it. Text before the first pair (events that print
 * no pairs) goes to a TEXT column named "text".
 *
 * Call-chain lines (a hex address, the symbol with its +0xOFF, the DSO in
 * parentheses), up to the blank line that ends the sample, become the
 * event's stack: module is the DSO's base name without brackets, empty for
 * the kernel image. Lines that are none of these are skipped and counted
 * (mmt_trace_skip); so are the call-chain lines of a skipped event line,
 * as one record with it, and a last line the file cuts short.
 */
#include "parsers/perf_script.h"
#include "parsers/parser.h"
#include "parsers/trace_sink.h"
#include "core/lines.h"
#include "core/strmap.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_EVERY 4096	/* lines between progress calls */
#define PROBE_LINES 400

/* How an event's text is read. */
enum text_form {
	FORM_NONE,			/* a sample's: period and sampled address */
	FORM_PAIRS,			/* a tracepoint's name=value pairs */
	FORM_SWITCH,			/* sched_switch: pairs, or the sched plugin's form */
	FORM_WAKEUP,			/* sched_wakeup(_new): pairs, or the plugin's form */
};

/* An event name met in the file, and the layout its columns have so far. */
struct ptype {
	char *event;			/* as printed: "sched:sched_switch", "cycles:u" */
	size_t event_n;
	char *system, *name;
	enum text_form form;
	size_t n;
	char *fnames[PSCRIPT_MAX_FIELDS];
	enum mmt_tfield_kind kinds[PSCRIPT_MAX_FIELDS];
	bool dirty;			/* fields added since handle was declared */
	struct mmt_trace_type *handle;
};

struct pscript {
	struct mmt_input *in;
	struct mmt_err *err;
	struct mmt_trace_sink *sink;
	struct mmt_strmap type_ids;	/* event name as printed -> index in types */
	struct ptype **types;
	size_t ntypes, captypes;
	struct ptype *last;		/* type of the previous event */
	struct mmt_stack stack;		/* call chain of the current event */
	int64_t event_id;		/* event the call-chain lines belong to, 0 none */
	bool orphan;			/* in the lines of a skipped event line */
	long lineno;
	bool timed;			/* some event showed its time */
	int cpus;
	int64_t mixed;			/* columns that turned from numbers to text */
	char first_mixed[200];
	long mixed_line;
	struct pscript_kv kvs[PSCRIPT_MAX_FIELDS];
	struct mmt_trace_value vals[PSCRIPT_MAX_FIELDS];
};

/* Event name as printed -> system and name; sampled events are "perf". */
static void classify(struct mmt_field ev, struct ptype *t)
{
	const char *colon = memchr(ev.s, ':', ev.n);
	size_t after = colon ? ev.n - (size_t)(colon + 1 - ev.s) : 0;
	bool modifiers = colon && after >= 1 && after <= 4;

	for (size_t i = 0; modifiers && i < after; i++)
		modifiers = strchr("ukhIGHpPSDWeb", colon[1 + i]) != NULL;
	if (colon && !modifiers && colon > ev.s && after > 0) {
		t->system = xstrndup(ev.s, (size_t)(colon - ev.s));
		t->name = xstrndup(colon + 1, after);
		t->form = FORM_PAIRS;
		if (!strcmp(t->system, "sched") && !strcmp(t->name, "sched_switch"))
			t->form = FORM_SWITCH;
		else if (!strcmp(t->system, "sched") && (!strcmp(t->name, "sched_wakeup") ||
							 !strcmp(t->name, "sched_wakeup_new")))
			t->form = FORM_WAKEUP;
	} else {
		t->system = xstrdup("perf");
		t->name = xstrndup(ev.s, ev.n);
		t->form = FORM_NONE;
	}
}

static struct ptype *find_type(struct pscript *ps, struct mmt_field ev)
{
	struct ptype *t = ps->last;
	int64_t idx;

	if (t && t->event_n == ev.n && !memcmp(t->event, ev.s, ev.n))
		return t;
	if (mmt_strmap_get(&ps->type_ids, ev.s, ev.n, &idx))
		return ps->last = ps->types[idx];
	t = xcalloc(1, sizeof(*t));
	t->event = xstrndup(ev.s, ev.n);
	t->event_n = ev.n;
	classify(ev, t);
	if (ps->ntypes == ps->captypes) {
		ps->captypes = ps->captypes ? ps->captypes * 2 : 16;
		ps->types = xrealloc(ps->types, ps->captypes * sizeof(*ps->types));
	}
	ps->types[ps->ntypes] = t;
	mmt_strmap_put(&ps->type_ids, ev.s, ev.n, (int64_t)ps->ntypes++);
	return ps->last = t;
}

/* The columns of a tracepoint's text; *kv points at the first. */
static size_t tracepoint_pairs(struct pscript *ps, const struct ptype *t,
			       struct mmt_field text, struct pscript_kv **kv)
{
	size_t first = 0, n = 0;

	*kv = ps->kvs;
	if (t->form == FORM_SWITCH && !pscript_starts_with(text, "prev_comm="))
		n = pscript_plugin_switch(text, ps->kvs);
	else if (t->form == FORM_WAKEUP && !pscript_starts_with(text, "comm="))
		n = pscript_plugin_wakeup(text, ps->kvs);
	if (n)
		return n;
	n = pscript_pairs(text, ps->kvs, &first);
	*kv = ps->kvs + first;
	return n;
}

static bool same_name(const char *name, struct mmt_field sp)
{
	return !strncmp(name, sp.s, sp.n) && name[sp.n] == '\0';
}

static int field_index(const struct ptype *t, size_t hint, struct mmt_field name)
{
	if (hint < t->n && same_name(t->fnames[hint], name))
		return (int)hint;
	for (size_t i = 0; i < t->n; i++)
		if (same_name(t->fnames[i], name))
			return (int)i;
	return -1;
}

/*
 * Columns that are text whatever their first value: task names (a task may
 * be called "1234"), and the code pointers formats print with %pS/%ps,
 * which are "0x0" when NULL and a symbol otherwise (ipi_send_cpu's
 * callback, kmem's call_site, workqueue's function).
 */
static bool always_text(struct mmt_field name)
{
	static const char *const names[] = {
		"callback", "callsite", "call_site", "function", "caller", NULL,
	};

	if (name.n >= 4 && !memcmp(name.s + name.n - 4, "comm", 4))
		return true;
	for (size_t i = 0; names[i]; i++)
		if (strlen(names[i]) == name.n && !memcmp(names[i], name.s, name.n))
			return true;
	return false;
}

/* A column for a name met first now, of the kind of its first value. */
static int add_field(struct pscript *ps, struct ptype *t, const struct pscript_kv *kv)
{
	int64_t v;

	if (t->n == PSCRIPT_MAX_FIELDS)
		return -1;
	t->fnames[t->n] = xstrndup(kv->name.s, kv->name.n);
	t->kinds[t->n] = !always_text(kv->name) && pscript_int(kv->val, &v) ? MMT_TF_INT :
		MMT_TF_TEXT;
	ps->vals[t->n].null = true;
	t->dirty = true;
	return (int)t->n++;
}

/*
 * A value that is not a number in a column whose first value was: the
 * column takes text from now on (SQLite still keeps the numbers of later
 * events as integers: the column's type is INTEGER), nothing is lost.
 */
static void mixed_column(struct pscript *ps, struct ptype *t, size_t i, struct mmt_field val)
{
	t->kinds[i] = MMT_TF_TEXT;
	t->dirty = true;
	if (ps->mixed++)
		return;
	ps->mixed_line = ps->lineno;
	snprintf(ps->first_mixed, sizeof(ps->first_mixed), "%s.%s = '%.*s'", t->name,
		 t->fnames[i], (int)(val.n > 60 ? 60 : val.n), val.s);
}

static void set_value(struct pscript *ps, struct ptype *t, size_t i, struct mmt_field val)
{
	struct mmt_trace_value *v = &ps->vals[i];

	v->null = false;
	if (t->kinds[i] == MMT_TF_INT && pscript_int(val, &v->i))
		return;
	if (t->kinds[i] == MMT_TF_INT)
		mixed_column(ps, t, i, val);
	v->s = val.s;
	v->n = val.n;
}

/* A store error, placed at the line being read. */
static int store_failed(struct pscript *ps)
{
	ps->err->path = ps->in->path;
	ps->err->line = ps->lineno;
	return -1;
}

/* The type's handle for its columns as they are now. */
static int declare(struct pscript *ps, struct ptype *t)
{
	struct mmt_trace_field f[PSCRIPT_MAX_FIELDS];

	for (size_t i = 0; i < t->n; i++)
		f[i] = (struct mmt_trace_field){ t->fnames[i], t->kinds[i], NULL };
	t->handle = mmt_trace_type(ps->sink, t->system, t->name, f, t->n);
	t->dirty = false;
	return t->handle ? 0 : store_failed(ps);
}

/* The values of one event's pairs, by column. */
static int fill_values(struct pscript *ps, struct ptype *t, const struct pscript_kv *kv,
		       size_t n)
{
	for (size_t i = 0; i < t->n; i++)
		ps->vals[i].null = true;
	for (size_t i = 0; i < n; i++) {
		int idx = field_index(t, i, kv[i].name);

		if (idx < 0 && (idx = add_field(ps, t, &kv[i])) < 0)
			continue;
		set_value(ps, t, (size_t)idx, kv[i].val);
	}
	return (t->dirty || !t->handle) ? declare(ps, t) : 0;
}

/* A sampled event's columns: its period; the sampled address, if shown, starts its chain. */
static size_t sample_pairs(struct pscript *ps, const struct pscript_header *h)
{
	struct mmt_frame f;
	bool dso;

	if (h->rest.n && pscript_frame(h->rest.s, h->rest.n, &f, &dso))
		mmt_stack_push(&ps->stack, &f);
	return h->period.n ? pscript_add_pair(ps->kvs, 0, "period", h->period) : 0;
}

static int store_event(struct pscript *ps, const struct pscript_header *h)
{
	struct ptype *t = find_type(ps, h->event);
	struct pscript_kv *kv = ps->kvs;
	size_t n = t->form != FORM_NONE ? tracepoint_pairs(ps, t, h->rest, &kv) :
					     sample_pairs(ps, h);
	struct mmt_trace_common c = {
		.ts_ns = h->has_ts ? h->ts_ns : 0, .cpu = h->cpu, .pid = h->pid,
		.comm = h->comm.s, .comm_n = h->comm.n, .flags = -1, .preempt = -1,
	};

	if (fill_values(ps, t, kv, n) < 0)
		return -1;
	ps->event_id = mmt_trace_event(ps->sink, t->handle, &c, ps->vals);
	if (ps->event_id < 0)
		return store_failed(ps);
	ps->timed |= h->has_ts;
	return 0;
}

/* The end of an event's lines: its call chain, if any, is attached. */
static int end_chain(struct pscript *ps)
{
	int rc = 0;

	if (ps->event_id > 0 && ps->stack.n &&
	    mmt_trace_stack(ps->sink, ps->event_id, &ps->stack) < 0)
		rc = store_failed(ps);
	mmt_stack_reset(&ps->stack);
	ps->event_id = 0;
	ps->orphan = false;
	return rc;
}

/* "# key : value" of the header `perf script --header` prints. */
static bool comment_value(struct mmt_field line, const char *key,
			  struct mmt_field *val)
{
	size_t klen = strlen(key);
	const char *colon;

	if (line.n < klen + 3 || memcmp(line.s + 2, key, klen) || line.s[1] != ' ')
		return false;
	colon = memchr(line.s + 2 + klen, ':', line.n - 2 - klen);
	if (!colon || pscript_trim(line.s + 2 + klen, (size_t)(colon - line.s - 2 - klen)).n)
		return false;
	*val = pscript_trim(colon + 1, (size_t)(line.s + line.n - colon - 1));
	return true;
}

static void comment(struct pscript *ps, struct mmt_field line)
{
	struct mmt_field val;
	uint64_t v;

	if (comment_value(line, "os release", &val) && val.n && !ps->in->kernel[0])
		pscript_copy(ps->in->kernel, sizeof(ps->in->kernel), val.s, val.n);
	else if (comment_value(line, "nrcpus online", &val) && pscript_dec(val.s, val.n, &v) &&
		 v <= INT32_MAX)
		ps->cpus = (int)v;
}

/* A line that is no part of any event: counted; its call chain goes with it. */
static int skip_line(struct pscript *ps, const char *why)
{
	mmt_trace_skip(ps->sink, "line %ld: %s", ps->lineno, why);
	if (ps->event_id <= 0)
		ps->orphan = true;
	return 0;
}

/* A call-chain line; cut short (the file's last), it loses the whole chain. */
static int chain_line(struct pscript *ps, const struct mmt_frame *f, bool dso, bool cut)
{
	if (ps->orphan)
		return 0;
	if (cut && !dso) {
		mmt_trace_skip(ps->sink, "line %ld: cut short; the call chain of its event "
			       "is not stored", ps->lineno);
		mmt_stack_reset(&ps->stack);
		ps->orphan = true;
		ps->event_id = 0;
		return 0;
	}
	mmt_stack_push(&ps->stack, f);
	return 0;
}

static int feed_line(struct pscript *ps, const char *s, size_t n, bool cut)
{
	struct mmt_field t = pscript_trim(s, n);
	struct pscript_header h;
	struct mmt_frame f;
	bool dso;

	if (!t.n)
		return end_chain(ps);
	if (t.s[0] == '#' && ps->event_id <= 0) {
		comment(ps, t);
		return 0;
	}
	if (s[0] != '\t' && pscript_header(s, n, &h)) {
		if (end_chain(ps) < 0)
			return -1;
		if (cut)
			return skip_line(ps, "cut short");
		return store_event(ps, &h);
	}
	if ((ps->event_id > 0 || ps->orphan) && pscript_frame(s, n, &f, &dso)) {
		/* "7fa4c73bc184 start_thread (/lib/x86_64-linux-gnu": a line spliced or cut. */
		if (!dso && !cut && !ps->orphan && memmem(s, n, " (", 2))
			return skip_line(ps, "broken call-chain line (unbalanced parentheses)");
		return chain_line(ps, &f, dso, cut);
	}
	if (ps->orphan)
		return 0;
	if (cut)
		return skip_line(ps, "cut short");
	return skip_line(ps, s[0] == '\t' ? "not a call-chain line" : "not a perf script line");
}

static int read_lines(struct pscript *ps, struct mmt_lines *lr)
{
	const char *s;
	size_t n;
	int rc;

	while ((rc = mmt_lines_next(lr, &s, &n, ps->err)) > 0) {
		ps->lineno = lr->lineno;
		if (feed_line(ps, s, n, lr->last_unterminated) < 0)
			return -1;
		if (lr->lineno % CHECK_EVERY == 0) {
			mmt_input_progress(ps->in, lr->consumed);
			if (mmt_interrupted())
				return mmt_err_at(ps->err, ps->in->path, lr->lineno, "interrupted");
		}
	}
	if (rc < 0)
		return -1;
	if (mmt_trace_events(ps->sink) == 0)
		return mmt_err_at(ps->err, ps->in->path, lr->lineno,
				  "no perf script event line in the file");
	return end_chain(ps);
}

/* What a read left to say: columns of mixed kinds, bytes repaired. */
static void warn_at_end(struct pscript *ps, const struct mmt_lines *lr)
{
	if (ps->mixed)
		mmt_input_warn(ps->in, ps->mixed_line, "%lld columns hold text although their "
			       "first value was a number; from there on their values were stored "
			       "as text; the first: %s", (long long)ps->mixed, ps->first_mixed);
	if (lr->repaired)
		mmt_input_warn(ps->in, 0, "%ld lines held bytes that are not UTF-8 text; "
			       "they were stored with those bytes written as \\xNN", lr->repaired);
}

static void free_types(struct pscript *ps)
{
	for (size_t i = 0; i < ps->ntypes; i++) {
		struct ptype *t = ps->types[i];

		for (size_t j = 0; j < t->n; j++)
			free(t->fnames[j]);
		free(t->event);
		free(t->system);
		free(t->name);
		free(t);
	}
	free(ps->types);
	mmt_strmap_free(&ps->type_ids);
}

static int parse(struct mmt_input *in, struct mmt_store *st, struct mmt_err *err)
{
	struct pscript *ps = xcalloc(1, sizeof(*ps));
	struct mmt_lines lr;
	int rc;

	ps->in = in;
	ps->err = err;
	ps->cpus = -1;
	ps->sink = mmt_trace_open(in, st, err);
	if (!ps->sink) {
		free(ps);
		return -1;
	}
	mmt_stack_init(&ps->stack);
	mmt_lines_init(&lr, in->fd, in->path,
		       in->flags & MMT_INPUT_LENIENT ? MMT_LINES_LENIENT : 0);
	lr.hash = in->hash;
	in->format = "perf script";
	rc = read_lines(ps, &lr);
	if (rc == 0) {
		/* perf's clock is the kernel's local clock, counted from boot. */
		mmt_trace_set_clock(ps->sink, ps->timed ? "perf" : NULL, ps->cpus);
		warn_at_end(ps, &lr);
	}
	if (mmt_trace_close(ps->sink, rc == 0) < 0)
		rc = -1;
	mmt_lines_free(&lr);
	mmt_stack_free(&ps->stack);
	free_types(ps);
	free(ps);
	return rc;
}

/* The lines of a head, as the probe counts them. */
struct tally {
	int headers, frames, other;
	int weak;			/* event lines without CPU and time */
	bool perf_comment;		/* "# perf version :" of perf script --header */
	bool chain;			/* after an event line, before a blank line */
};

static void tally_line(struct tally *ty, const char *s, size_t n)
{
	struct mmt_field t = pscript_trim(s, n);
	struct pscript_header h;
	struct mmt_frame f;
	bool dso;

	if (!t.n) {
		ty->chain = false;
	} else if (t.s[0] == '#') {
		ty->perf_comment |= pscript_starts_with(t, "# perf version :") ||
				    pscript_starts_with(t, "# captured on");
	} else if (s[0] != '\t' && pscript_header(s, n, &h)) {
		ty->headers += !h.weak;
		ty->weak += h.weak;
		ty->chain = true;
	} else if ((s[0] == '\t' || ty->chain) && pscript_frame(s, n, &f, &dso)) {
		ty->frames++;
	} else {
		ty->other++;
	}
}

/*
 * Confident (above the kernel-log parser's 90) when event lines, call
 * chains and perf's own comments are all there is; a cut last line of the
 * head is not judged.
 */
static int probe(const char *head, size_t len)
{
	const char *p = head, *end = head + len;
	struct tally ty = { 0 };

	for (int lines = 0; p < end && lines < PROBE_LINES; lines++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (!nl && len >= MMT_HEAD_MAX)
			break;
		if (memchr(p, '\0', n))
			return 0;
		if (n && p[n - 1] == '\r')
			n--;
		tally_line(&ty, p, n);
		p = nl ? nl + 1 : end;
	}
	/* Event lines without CPU and time are believed when call chains follow. */
	if (ty.frames >= ty.weak)
		ty.headers += ty.weak;
	else
		ty.other += ty.weak;
	if (!ty.headers)
		return 0;
	if (!ty.other && (ty.headers >= 2 || ty.perf_comment))
		return 95;
	if (ty.headers >= 2 && ty.other * 20 <= ty.headers + ty.frames)
		return 92;
	return ty.other * 4 <= ty.headers + ty.frames ? 60 : 20;
}

const struct mmt_parser mmt_parser_perf_script = {
	.name = "perf_script",
	.help = "perf script output: tracepoints and sampled events (cycles, cpu-clock, ...) "
		"with their call chains",
	.probe = probe,
	.parse = parse,
	.hashes_input = true,
	.lenient = true,
};
