/* The tasks of crash's `list task_struct.tasks ... -S`: see crash_list.h. */
#include "parsers/crash_list.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static bool is_hex_word(const char *s, size_t n)
{
	if (n < 8 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The number after "= ": decimal, or hex with 0x (stack pointers print in decimal). */
static bool number(const char *s, size_t n, uint64_t *out)
{
	char buf[32], *end;

	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtoull(buf, &end, 0);
	return *end == '\0' && (buf[0] >= '0' && buf[0] <= '9');
}

/* "\"init\"" as crash prints a char array: the text between the quotes. */
static void quoted(const char *s, size_t n, char *out, size_t cap)
{
	size_t k = 0;

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	for (size_t i = 0; i < n && k + 1 < cap; i++)
		out[k++] = s[i];
	out[k] = '\0';
}

static bool begin_entry(struct crash_list *l, const char *s, size_t n, long line)
{
	struct crash_listed *t;
	char buf[17];

	if (l->n >= CRASH_LIST_MAX) {
		l->dropped++;
		return true;
	}
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	t = &l->v[l->n++];
	memset(t, 0, sizeof(*t));
	memcpy(buf, s, n);
	buf[n] = '\0';
	t->task = strtoull(buf, NULL, 16);
	t->pid = t->tgid = -1;
	t->line = line;
	return true;
}

/* "  member = value" of the entry being read. */
static bool member(struct crash_list *l, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n), *name = s, *v;
	struct crash_listed *t = l->n && !l->dropped ? &l->v[l->n - 1] : NULL;
	size_t k, vn;
	uint64_t x = 0;

	if (!eq || eq - s < 3 || eq[-1] != ' ' || (size_t)(eq - s) + 2 > n || eq[1] != ' ')
		return false;
	while (*name == ' ')
		name++;
	k = (size_t)(eq - 1 - name);
	v = eq + 2;
	vn = (size_t)(s + n - v);
	if (!t)
		return true;	/* past CRASH_LIST_MAX, or before any address */
#define IS(want) (k == sizeof(want) - 1 && !memcmp(name, want, k))
	if (IS("comm"))
		quoted(v, vn, t->comm, sizeof(t->comm));
	else if (!number(v, vn, &x))
		return true;
	else if (IS("pid"))
		t->pid = (int64_t)x;
	else if (IS("tgid"))
		t->tgid = (int64_t)x;
	else if (IS("__state") || IS("state"))
		t->state = x;
	else if (IS("exit_state"))
		t->exit_state = x;
	else if (IS("stack"))
		t->stack = x;
	else if (IS("thread.sp"))
		t->sp = x;
	else if (IS("signal"))
		t->signal = x;

#undef IS
	return true;
}

bool crash_list_feed(struct crash_list *l, const char *s, size_t n, long line)
{
	/* struct members may be printed with a comma after them */
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == ','))
		n--;
	if (is_hex_word(s, n))
		return begin_entry(l, s, n, line);
	return n > 2 && s[0] == ' ' && s[1] == ' ' && member(l, s, n);
}

bool crash_list_is_entry(const char *s, size_t n)
{
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	return is_hex_word(s, n);
}

bool crash_walk_line(struct crash_walks *w, const char *s, size_t n)
{
	if (!crash_list_is_entry(s, n))
		return false;
	w->entries++;
	return true;
}

void crash_walk_end(struct crash_walks *w)
{
	/* a walk lists its leader at least */
	if (w->entries)
		w->read++;
	if (w->entries > 1)
		w->threads += w->entries - 1;
	w->entries = 0;
}

void crash_list_free(struct crash_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The bits of include/linux/sched.h (stable since 4.14 for these). */
#define TASK_INTERRUPTIBLE 0x1u
#define TASK_UNINTERRUPTIBLE 0x2u
#define TASK_STOPPED 0x4u
#define TASK_TRACED 0x8u
#define EXIT_DEAD 0x10u
#define EXIT_ZOMBIE 0x20u
#define TASK_PARKED 0x40u
#define TASK_NOLOAD 0x400u

const char *crash_list_state(const struct crash_listed *t)
{
	if (t->exit_state & EXIT_ZOMBIE)
		return "Z";
	if (t->exit_state & EXIT_DEAD)
		return "X";
	if (t->state == 0)
		return "R";
	if ((t->state & (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)) ==
	    (TASK_UNINTERRUPTIBLE | TASK_NOLOAD))
		return "I";
	if (t->state & TASK_UNINTERRUPTIBLE)
		return "D";
	if (t->state & TASK_INTERRUPTIBLE)
		return "S";
	if (t->state & TASK_STOPPED)
		return "T";
	if (t->state & TASK_TRACED)
		return "t";
	if (t->state & TASK_PARKED)
		return "P";
	return NULL;
}
