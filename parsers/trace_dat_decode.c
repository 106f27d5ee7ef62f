/*
 * Decoding trace.dat records; see trace_dat_decode.h. A field's column is
 * chosen from its format: numbers up to 8 bytes are INTEGER (the raw
 * 64-bit pattern, sign-extended when the format says signed), char arrays
 * and __data_loc/__rel_loc char[] are TEXT, other arrays TEXT of
 * comma-separated numbers. An address the event's print format shows with
 * %pS/%ps/%pF/%pf/%pB, or a field named like a call site (call_site,
 * callsite, ip, caller), gets a companion column <field>_sym with its
 * symbol from the trace's own kallsyms ("func+0x1f" where the kernel
 * prints the offset), so that call sites group without decoding.
 */
#include "parsers/trace_dat_decode.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum slot_kind {
	SLOT_INT,			/* a number of 1, 2, 4 or 8 bytes */
	SLOT_STR,			/* char[N]; N = 0: to the end of the record */
	SLOT_DYN_STR,			/* __data_loc / __rel_loc char[] */
	SLOT_NUMS,			/* another array: comma-separated numbers */
	SLOT_DYN_NUMS,
	SLOT_SYM,			/* the symbol of another slot's address */
	SLOT_MESSAGE,			/* the event printed by libtraceevent */
};

struct tdat_slot {
	enum slot_kind kind;
	const struct tep_format_field *f;	/* NULL for SLOT_SYM */
	int size;			/* of a number or of an array's element */
	bool is_signed;
	size_t src;			/* SLOT_SYM: the slot holding the address */
	bool with_offset;		/* SLOT_SYM: "func+0x1f", not "func" */
	char *name;			/* SLOT_SYM: "<field>_sym", owned */
	struct mmt_sb text;		/* scratch for the value's text */
	struct trace_seq seq;		/* SLOT_MESSAGE's */
	bool seq_ready;
};

void tdat_decoder_init(struct tdat_decoder *d, struct tep_handle *tep, int long_size)
{
	memset(d, 0, sizeof(*d));
	d->tep = tep;
	d->long_size = long_size;
}

static void free_type(struct tdat_type *t)
{
	for (size_t i = 0; i < t->n; i++) {
		mmt_sb_free(&t->slots[i].text);
		free(t->slots[i].name);
		if (t->slots[i].seq_ready)
			trace_seq_destroy(&t->slots[i].seq);
	}
	free(t->slots);
	free(t->values);
	free(t);
}

void tdat_decoder_free(struct tdat_decoder *d)
{
	for (size_t i = 0; i < d->ntypes; i++)
		if (d->types[i])
			free_type(d->types[i]);
	free(d->types);
	free(d->comms);
	memset(d, 0, sizeof(*d));
}

void tdat_decoder_rebind(struct tdat_decoder *d, struct tep_handle *tep)
{
	int long_size = d->long_size;

	tdat_decoder_free(d);
	tdat_decoder_init(d, tep, long_size);
}

/* ---- reading ---- */

static bool in_record(const struct tep_record *rec, int offset, int size)
{
	return offset >= 0 && size >= 0 && offset + size <= rec->size;
}

static uint64_t read_uint(struct tdat_decoder *d, const void *p, int size)
{
	return tep_read_number(d->tep, p, size);
}

static int64_t read_int(struct tdat_decoder *d, const void *p, int size, bool is_signed)
{
	uint64_t v = read_uint(d, p, size);

	if (!is_signed || size >= 8)
		return (int64_t)v;
	if (size == 1)
		return (int8_t)v;
	if (size == 2)
		return (int16_t)v;
	return (int32_t)v;
}

/* A __data_loc (offset | length << 16) or __rel_loc (relative to after it). */
static bool dynamic_area(struct tdat_decoder *d, const struct tep_format_field *f,
			 const struct tep_record *rec, int *start, int *len)
{
	uint64_t loc;

	if (!in_record(rec, f->offset, f->size) || (f->size != 4 && f->size != 2))
		return false;
	loc = read_uint(d, (char *)rec->data + f->offset, f->size);
	*start = (int)(loc & 0xffff);
	*len = f->size == 4 ? (int)(loc >> 16) : 0;
	if (f->flags & TEP_FIELD_IS_RELATIVE)
		*start += f->offset + f->size;
	return in_record(rec, *start, *len);
}

static const struct tdat_sym *find_sym(struct tdat_decoder *d, uint64_t addr)
{
	struct tdat_sym *e = &d->syms[(addr ^ (addr >> 12)) % TDAT_SYM_CACHE];

	if (!e->valid || e->addr != addr) {
		e->valid = true;
		e->addr = addr;
		e->name = tep_find_function(d->tep, addr);
		e->start = e->name ? tep_find_function_address(d->tep, addr) : 0;
	}
	return e;
}

/* Text without the newline that ends a message (ftrace:print's buf). */
static void set_text(struct mmt_trace_value *v, const char *s, size_t n)
{
	while (n && s[n - 1] == '\n')
		n--;
	v->s = s;
	v->n = n;
	v->null = false;
}

/* trace_printk's binary form: only libtraceevent can put it in words. */
static void read_message(struct tdat_decoder *d, struct tdat_slot *sl,
			 const struct tep_record *rec, struct mmt_trace_value *v)
{
	if (!sl->seq_ready) {
		trace_seq_init(&sl->seq);
		sl->seq_ready = true;
	}
	trace_seq_reset(&sl->seq);
	tep_print_event(d->tep, &sl->seq, (struct tep_record *)rec, "%s", TEP_PRINT_INFO);
	set_text(v, sl->seq.buffer, sl->seq.len);
}

static void read_numbers(struct tdat_decoder *d, struct tdat_slot *sl, const char *p,
			 int len, struct mmt_trace_value *v)
{
	mmt_sb_reset(&sl->text);
	for (int at = 0; sl->size > 0 && at + sl->size <= len; at += sl->size) {
		if (at)
			mmt_sb_addc(&sl->text, ',');
		if (sl->is_signed)
			mmt_sb_addf(&sl->text, "%lld",
				    (long long)read_int(d, p + at, sl->size, true));
		else
			mmt_sb_addf(&sl->text, "%llu",
				    (unsigned long long)read_uint(d, p + at, sl->size));
	}
	set_text(v, sl->text.buf ? sl->text.buf : "", sl->text.len);
}

static void read_symbol(struct tdat_decoder *d, struct tdat_slot *sl,
			const struct mmt_trace_value *addr, struct mmt_trace_value *v)
{
	const struct tdat_sym *sym;

	v->null = true;
	if (addr->null)
		return;
	sym = find_sym(d, (uint64_t)addr->i);
	if (!sym->name)
		return;
	if (!sl->with_offset) {
		set_text(v, sym->name, strlen(sym->name));
		return;
	}
	mmt_sb_reset(&sl->text);
	mmt_sb_addf(&sl->text, "%s+0x%llx", sym->name,
		    (unsigned long long)((uint64_t)addr->i - sym->start));
	set_text(v, sl->text.buf, sl->text.len);
}

static void read_slot(struct tdat_decoder *d, struct tdat_type *t, size_t i,
		      const struct tep_record *rec)
{
	struct tdat_slot *sl = &t->slots[i];
	struct mmt_trace_value *v = &t->values[i];
	const struct tep_format_field *f = sl->f;
	const char *data = rec->data;
	int start, len;

	v->null = true;
	switch (sl->kind) {
	case SLOT_INT:
		if (in_record(rec, f->offset, sl->size)) {
			v->i = read_int(d, data + f->offset, sl->size, sl->is_signed);
			v->null = false;
		}
		break;
	case SLOT_STR:
		len = f->size ? f->size : rec->size - f->offset;
		if (in_record(rec, f->offset, len))
			set_text(v, data + f->offset, strnlen(data + f->offset, (size_t)len));
		break;
	case SLOT_DYN_STR:
		if (dynamic_area(d, f, rec, &start, &len))
			set_text(v, data + start, strnlen(data + start, (size_t)len));
		break;
	case SLOT_NUMS:
		len = f->size ? f->size : rec->size - f->offset;
		if (in_record(rec, f->offset, len))
			read_numbers(d, sl, data + f->offset, len, v);
		break;
	case SLOT_DYN_NUMS:
		if (dynamic_area(d, f, rec, &start, &len))
			read_numbers(d, sl, data + start, len, v);
		break;
	case SLOT_SYM:
		read_symbol(d, sl, &t->values[sl->src], v);
		break;
	case SLOT_MESSAGE:
		read_message(d, sl, rec, v);
		break;
	}
}

const struct mmt_trace_value *tdat_values(struct tdat_decoder *d, struct tdat_type *t,
					  const struct tep_record *rec)
{
	for (size_t i = 0; i < t->n; i++)
		read_slot(d, t, i, rec);
	return t->values;
}

/* ---- common values ---- */

static int common_int(struct tdat_decoder *d, const struct tep_format_field *f,
		      const struct tep_record *rec)
{
	if (!f || !in_record(rec, f->offset, f->size) || f->size > 8 || !f->size)
		return -1;
	return (int)read_int(d, (char *)rec->data + f->offset, f->size,
			     (f->flags & TEP_FIELD_IS_SIGNED) != 0);
}

/* The task's name from the trace's saved command lines, cached by pid. */
static void task_name(struct tdat_decoder *d, int pid, const char **comm, size_t *n)
{
	struct tdat_comm *e;
	size_t i;

	if (d->comm_used * 2 >= d->comm_cap) {
		struct tdat_comm *old = d->comms;
		size_t cap = d->comm_cap;

		d->comm_cap = cap ? cap * 2 : 1024;
		d->comms = xcalloc(d->comm_cap, sizeof(*d->comms));
		d->comm_used = 0;
		for (i = 0; i < cap; i++)
			if (old[i].used) {
				e = &d->comms[(size_t)(unsigned)old[i].pid * 2654435761u %
					      d->comm_cap];
				while (e->used)
					e = e + 1 < d->comms + d->comm_cap ? e + 1 : d->comms;
				*e = old[i];
				d->comm_used++;
			}
		free(old);
	}
	e = &d->comms[(size_t)(unsigned)pid * 2654435761u % d->comm_cap];
	while (e->used && e->pid != pid)
		e = e + 1 < d->comms + d->comm_cap ? e + 1 : d->comms;
	if (!e->used) {
		const char *s = tep_data_comm_from_pid(d->tep, pid);

		e->used = true;
		e->pid = pid;
		/* "<...>": the task's name was not saved. */
		e->comm = s && strcmp(s, "<...>") ? s : NULL;
		e->n = e->comm ? strlen(e->comm) : 0;
		d->comm_used++;
	}
	*comm = e->comm;
	*n = e->n;
}

void tdat_common(struct tdat_decoder *d, const struct tdat_type *t,
		 const struct tep_record *rec, struct mmt_trace_common *c)
{
	c->ts_ns = rec->ts;
	c->cpu = rec->cpu;
	c->pid = common_int(d, t->pid, rec);
	c->flags = common_int(d, t->flags, rec);
	c->preempt = common_int(d, t->preempt, rec);
	c->comm = NULL;
	c->comm_n = 0;
	if (c->pid >= 0)
		task_name(d, c->pid, &c->comm, &c->comm_n);
}

/* ---- stacks ---- */

void tdat_stack(struct tdat_decoder *d, const struct tdat_type *t,
		const struct tep_record *rec, struct mmt_stack *stk)
{
	int ls = d->long_size;

	mmt_stack_reset(stk);
	if (!t->caller)
		return;
	/* As trace-cmd prints it: to the end of the record, or up to a -1. */
	for (int at = t->caller->offset; at + ls <= rec->size; at += ls) {
		uint64_t addr = read_uint(d, (char *)rec->data + at, ls);
		const struct tdat_sym *sym;
		struct mmt_frame fr;

		if ((ls == 8 && addr == UINT64_MAX) || (uint32_t)addr == UINT32_MAX)
			break;
		memset(&fr, 0, sizeof(fr));
		fr.address = addr;
		fr.has_address = true;
		fr.reliable = true;
		sym = find_sym(d, addr);
		if (sym->name) {
			snprintf(fr.symbol, sizeof(fr.symbol), "%s", sym->name);
			fr.offset = addr - sym->start;
			fr.has_offset = true;
		} else {
			snprintf(fr.symbol, sizeof(fr.symbol), "0x%llx", (unsigned long long)addr);
		}
		mmt_stack_push(stk, &fr);
	}
}

/* ---- types ---- */

/* "const char", "char", "__data_loc char[]": text, not bytes. */
static bool is_char_type(const char *type)
{
	static const char *const skip[] = { "__data_loc ", "__rel_loc ", "const ", "signed ",
					    NULL };

	for (bool again = true; again; ) {
		again = false;
		for (size_t i = 0; skip[i]; i++)
			if (!strncmp(type, skip[i], strlen(skip[i]))) {
				type += strlen(skip[i]);
				again = true;
			}
	}
	return !strncmp(type, "char", 4) && (type[4] == ' ' || type[4] == '[' || !type[4]) &&
	       !strchr(type, '*');	/* "const char *fmt": an address */
}

static int element_size(const struct tep_format_field *f, int long_size)
{
	if (f->elementsize == 1 || f->elementsize == 2 || f->elementsize == 4 ||
	    f->elementsize == 8)
		return (int)f->elementsize;
	if (!(f->flags & TEP_FIELD_IS_DYNAMIC) && f->arraylen && f->size % (int)f->arraylen == 0)
		return f->size / (int)f->arraylen;
	return strstr(f->type, "long") || strstr(f->type, "cpumask") ? long_size : 1;
}

static void classify(struct tdat_slot *sl, const struct tep_format_field *f, int long_size)
{
	bool dyn = (f->flags & TEP_FIELD_IS_DYNAMIC) != 0;
	bool array = dyn || (f->flags & TEP_FIELD_IS_ARRAY);

	sl->f = f;
	sl->is_signed = (f->flags & TEP_FIELD_IS_SIGNED) != 0;
	/* char[N], char[] and the old formats' flexible "char buf" (size 0) */
	if (is_char_type(f->type) && (array || f->size != 1)) {
		sl->kind = dyn ? SLOT_DYN_STR : SLOT_STR;
	} else if (array || (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8)) {
		sl->kind = dyn ? SLOT_DYN_NUMS : SLOT_NUMS;
		sl->size = array ? element_size(f, long_size) : 1;
	} else {
		sl->kind = SLOT_INT;
		sl->size = f->size;
	}
}

/* The field an argument of the print format reads, through casts. */
static struct tep_format_field *arg_field(struct tep_event *ev, struct tep_print_arg *arg)
{
	while (arg && arg->type == TEP_PRINT_TYPE)
		arg = arg->typecast.item;
	if (!arg || arg->type != TEP_PRINT_FIELD || !arg->field.name)
		return NULL;
	return tep_find_field(ev, arg->field.name);
}

/*
 * Walks the print format's conversions with their arguments: each field
 * printed with %pS, %ps, %pF, %pf or %pB is marked in sym (2: with the
 * offset, as %pS, %pF and %pB print it; 1: without).
 */
static void printed_symbols(struct tep_event *ev, const struct tep_format_field *const *fields,
			    size_t n, int *sym)
{
	struct tep_print_arg *arg = ev->print_fmt.args;
	const char *f = ev->print_fmt.format;

	for (; f && *f; f++) {
		if (*f != '%' || *++f == '%')
			continue;
		while (*f && strchr("#0-+ '", *f))
			f++;
		for (; *f && (isdigit((unsigned char)*f) || *f == '*' || *f == '.'); f++)
			if (*f == '*')
				arg = arg ? arg->next : NULL;
		while (*f && strchr("hlLqjzt", *f))
			f++;
		if (!*f)
			break;
		if (*f == 'p' && f[1] && strchr("sSfFB", f[1])) {
			struct tep_format_field *field = arg_field(ev, arg);

			for (size_t i = 0; field && i < n; i++)
				if (fields[i] == field)
					sym[i] = strchr("SFB", f[1]) ? 2 : 1;
		}
		arg = arg ? arg->next : NULL;
	}
}

static bool call_site_name(const char *name)
{
	return !strcmp(name, "call_site") || !strcmp(name, "callsite") || !strcmp(name, "ip") ||
	       !strcmp(name, "caller");
}

/* ftrace:bprint and bputs (trace_printk): their text is not in a field. */
static bool printk_event(const struct tep_event *ev)
{
	return !strcmp(ev->system, "ftrace") &&
	       (!strcmp(ev->name, "bprint") || !strcmp(ev->name, "bputs"));
}

/*
 * The slots of ev: its fields, then a _sym companion for each address
 * shown as one, then for trace_printk's events the message.
 */
static void make_slots(struct tdat_decoder *d, struct tep_event *ev, struct tdat_type *t)
{
	size_t n = 0, k;
	struct tep_format_field *f, **fields;
	int *sym;

	for (f = ev->format.fields; f; f = f->next)
		n++;
	fields = xcalloc(n ? n : 1, sizeof(*fields));
	sym = xcalloc(n ? n : 1, sizeof(*sym));
	n = 0;
	for (f = ev->format.fields; f; f = f->next)
		fields[n++] = f;
	printed_symbols(ev, (const struct tep_format_field *const *)fields, n, sym);
	k = n;
	for (size_t i = 0; i < n; i++) {
		if (!sym[i] && call_site_name(fields[i]->name))
			sym[i] = 2;
		if (sym[i] && (fields[i]->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)))
			sym[i] = 0;	/* only single addresses */
		if (sym[i] && fields[i]->size != d->long_size)
			sym[i] = 0;
		k += sym[i] != 0;
	}
	k += printk_event(ev);
	t->slots = xcalloc(k ? k : 1, sizeof(*t->slots));
	t->values = xcalloc(k ? k : 1, sizeof(*t->values));
	t->n = k;
	k = n;
	for (size_t i = 0; i < n; i++) {
		classify(&t->slots[i], fields[i], d->long_size);
		if (!sym[i])
			continue;
		t->slots[k].kind = SLOT_SYM;
		t->slots[k].src = i;
		t->slots[k].with_offset = sym[i] == 2;
		t->slots[k].name = xmalloc(strlen(fields[i]->name) + 5);
		sprintf(t->slots[k].name, "%s_sym", fields[i]->name);
		k++;
	}
	if (printk_event(ev)) {
		t->slots[k].kind = SLOT_MESSAGE;
		t->slots[k].name = xstrdup("message");
	}
	free(fields);
	free(sym);
}

static struct mmt_trace_type *declare(struct tdat_type *t, struct tep_event *ev,
				      struct mmt_trace_sink *sink)
{
	struct mmt_trace_field *fields = xcalloc(t->n ? t->n : 1, sizeof(*fields));
	struct mmt_trace_type *handle;

	for (size_t i = 0; i < t->n; i++) {
		const struct tdat_slot *sl = &t->slots[i];

		fields[i].name = sl->f ? sl->f->name : sl->name;
		fields[i].kind = sl->kind == SLOT_INT ? MMT_TF_INT : MMT_TF_TEXT;
		fields[i].ctype = sl->f ? sl->f->type : NULL;
	}
	handle = mmt_trace_type(sink, ev->system, ev->name, fields, t->n);
	free(fields);
	return handle;
}

static struct tdat_type *new_type(struct tdat_decoder *d, struct tep_event *ev,
				  struct mmt_trace_sink *sink)
{
	struct tdat_type *t = xcalloc(1, sizeof(*t));

	t->pid = tep_find_common_field(ev, "common_pid");
	t->flags = tep_find_common_field(ev, "common_flags");
	t->preempt = tep_find_common_field(ev, "common_preempt_count");
	if (!strcmp(ev->system, "ftrace") && !strcmp(ev->name, "kernel_stack")) {
		t->is_stack = true;
		t->caller = tep_find_field(ev, "caller");
		return t;
	}
	make_slots(d, ev, t);
	t->t = declare(t, ev, sink);
	if (!t->t) {
		free_type(t);
		return NULL;
	}
	return t;
}

struct tdat_type *tdat_type(struct tdat_decoder *d, struct tep_event *ev,
			    struct mmt_trace_sink *sink)
{
	size_t id = (size_t)(unsigned)ev->id;

	if (id < d->ntypes && d->types[id])
		return d->types[id];
	if (id >= d->ntypes) {
		size_t n = id + 64;

		d->types = xrealloc(d->types, n * sizeof(*d->types));
		memset(d->types + d->ntypes, 0, (n - d->ntypes) * sizeof(*d->types));
		d->ntypes = n;
	}
	d->types[id] = new_type(d, ev, sink);
	return d->types[id];
}
