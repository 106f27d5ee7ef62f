/*
 * Stacks of the reports behind a finding, for the formats that fold them:
 * a reader wants the frames that say what the task waits for (from the
 * wait site, past the scheduler's plumbing, out to the culprit) and the
 * rest of the stack one click away.
 */
#include "cmd/render/doc.h"
#include "analyzers/stackrules.h"
#include "core/stack.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define STACKS_SHOWN 3		/* reports of one finding whose stacks are shown */
#define FRAMES_THAT_MATTER 6	/* most frames named in the folded line */
#define FRAMES_AROUND 3		/* least: the wait site and its callers */

struct stacks_ctx {
	struct doc *d;
	int64_t pids[STACKS_SHOWN];	/* one stack per task: a task reported twice */
	size_t npids;			/* is blocked in the same place */
	size_t shown;
};

static bool seen_task(struct stacks_ctx *c, const struct rm_report *r)
{
	for (size_t i = 0; r->has_pid && i < c->npids; i++)
		if (c->pids[i] == r->pid)
			return true;
	if (r->has_pid && c->npids < STACKS_SHOWN)
		c->pids[c->npids++] = r->pid;
	return false;
}

static int frame_named(const struct rm_report *r, char *const *base, const char *name)
{
	for (size_t i = 0; name && i < r->nframes; i++)
		if (r->frames[i].reliable && !strcmp(base[i], name))
			return (int)i;
	return -1;
}

static int first_reliable(const struct rm_report *r, int from)
{
	for (size_t i = (size_t)(from < 0 ? 0 : from); i < r->nframes; i++)
		if (r->frames[i].reliable)
			return (int)i;
	return -1;
}

/* Marks the frames from the wait site (or the first reliable one) to the culprit. */
static void mark_frames(const struct rm_report *r, char *const *base, bool *matters)
{
	struct stack_view v = { 0 };
	struct wait_result w;
	bool *reliable = xcalloc(r->nframes + 1, sizeof(*reliable));
	int lo, hi;

	for (size_t i = 0; i < r->nframes; i++)
		reliable[i] = r->frames[i].reliable;
	v.sym = (const char *const *)base;
	v.reliable = reliable;
	v.n = r->nframes;
	stackrules_classify(&v, &w);
	lo = w.site >= 0 ? w.site : first_reliable(r, 0);
	hi = frame_named(r, base, r->culprit);
	if (hi < 0)
		hi = w.culprit;
	/* To the culprit, and past it when a site says little without its callers. */
	for (int i = lo, marked = 0; lo >= 0 && i < (int)r->nframes; i++) {
		if ((i > hi && marked >= FRAMES_AROUND) || marked == FRAMES_THAT_MATTER)
			break;
		if (r->frames[i].reliable) {
			matters[i] = true;
			marked++;
		}
	}
	free(reliable);
}

static int one_stack(void *ctx, const struct rm_report *r)
{
	struct stacks_ctx *c = ctx;
	char **base, label[160];
	bool *matters;

	if (!r->nframes || seen_task(c, r))
		return 0;
	base = xcalloc(r->nframes, sizeof(*base));
	matters = xcalloc(r->nframes, sizeof(*matters));
	for (size_t i = 0; i < r->nframes; i++) {
		base[i] = xmalloc(strlen(r->frames[i].symbol) + 1);
		mmt_symbol_base(r->frames[i].symbol, base[i], strlen(r->frames[i].symbol) + 1);
	}
	mark_frames(r, base, matters);
	snprintf(label, sizeof(label), r->has_pid ? "stack of %s:%lld" : "stack of %s",
		 r->comm[0] ? r->comm : r->kind, (long long)r->pid);
	c->d->ops->stack(c->d, label, r->frames, r->nframes, matters);
	for (size_t i = 0; i < r->nframes; i++)
		free(base[i]);
	free(base);
	free(matters);
	return ++c->shown == STACKS_SHOWN;	/* enough: stop */
}

int doc_stacks(struct doc *d, const struct rm_model *m, const struct rm_finding *f,
	       struct mmt_err *err)
{
	struct stacks_ctx c = { .d = d };

	return rm_finding_reports(d->st, m, f->id, 0, one_stack, &c, err);
}
