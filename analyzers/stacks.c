/*
 * The stack classifier: gives every task stack its wait class, wait site
 * and culprit, and every report its culprit (chosen by the kind of the
 * report: blocked tasks name what they wait in, stalls what their entry
 * point called, faults the faulting function, allocation reports the
 * allocating caller). Results are memoized per stack, as stacks repeat.
 */
#include "analyzers/analyzer.h"
#include "analyzers/stackrules.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_tasks[] =
	"SELECT id, stack_id FROM tasks WHERE stack_id IS NOT NULL";
static const char sql_task_update[] =
	"UPDATE tasks SET wait_class = ?, wait_site = ?, culprit = ?, in_reclaim = ? "
	"WHERE id = ?";
static const char sql_reports[] =
	"SELECT r.id, r.kind, r.ip, r.stack_id, "
	"(SELECT stack_id FROM tasks t WHERE t.report_id = r.id AND t.stack_id IS NOT NULL "
	" AND t.role = 'cpu_backtrace' ORDER BY t.id LIMIT 1), "
	"(SELECT count(*) FROM tasks t WHERE t.report_id = r.id AND t.stack_id IS NOT NULL), "
	"r.title FROM reports r";
static const char sql_report_update[] =
	"UPDATE reports SET culprit = ?, wait_class = ?, wait_site = ? WHERE id = ?";
static const char sql_stall_candidates[] =
	"SELECT stack_id, ip, EXISTS (SELECT 1 FROM frames f WHERE f.stack_id = t.stack_id "
	"AND f.symbol LIKE '%apic_timer_interrupt%') FROM tasks t WHERE report_id = ? "
	"AND stack_id IS NOT NULL AND role IN ('subject', 'cpu_backtrace') "
	"ORDER BY 3 DESC, role = 'subject' DESC, id";
static const char sql_single_task[] =
	"SELECT culprit, wait_class, wait_site FROM tasks WHERE report_id = ? "
	"AND stack_id IS NOT NULL ORDER BY role = 'subject' DESC, id LIMIT 1";

/* What a stack classifies to; cached per stack id (ids are dense). */
struct memo {
	bool done;
	char *wait_class, *site, *culprit;
	bool in_reclaim;
};

struct memo_table {
	struct memo *m;
	size_t cap;
};

static struct memo *memo_slot(struct memo_table *t, int64_t id)
{
	size_t old = t->cap;

	if ((size_t)id >= t->cap) {
		xgrow((void **)&t->m, &t->cap, (size_t)id + 1, sizeof(*t->m));
		memset(t->m + old, 0, (t->cap - old) * sizeof(*t->m));
	}
	return &t->m[id];
}

static void memo_free(struct memo_table *t)
{
	for (size_t i = 0; i < t->cap; i++) {
		free(t->m[i].wait_class);
		free(t->m[i].site);
		free(t->m[i].culprit);
	}
	free(t->m);
}

static char *culprit_of(const struct mmt_loaded_stack *s, int idx)
{
	char name[160];

	if (idx < 0)
		return NULL;
	mmt_culprit_name(s->sym[idx], name, sizeof(name));
	return xstrdup(name);
}

static int classify_stack(struct mmt_store *st, struct memo_table *t, int64_t id,
			  struct memo **out, struct mmt_err *err)
{
	struct mmt_loaded_stack s;
	struct stack_view v;
	struct wait_result w;
	struct memo *m;

	m = memo_slot(t, id);
	*out = m;
	if (m->done)
		return 0;
	if (mmt_stack_load(st, id, &s, err) < 0)
		return -1;
	v = (struct stack_view){ (const char *const *)s.sym, s.reliable, s.n,
				 (const char *const *)s.src };
	stackrules_classify(&v, &w);
	m->done = true;
	m->wait_class = xstrdup(w.wait_class);
	m->site = w.site >= 0 ? xstrdup(s.sym[w.site]) : NULL;
	m->culprit = culprit_of(&s, w.culprit);
	m->in_reclaim = w.in_reclaim;
	mmt_stack_unload(&s);
	return 0;
}

static int classify_tasks(struct mmt_store *st, struct memo_table *t, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_tasks, err);
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		sqlite3_stmt *u;
		struct memo *m;

		if (classify_stack(st, t, sqlite3_column_int64(q, 1), &m, err) < 0 ||
		    !(u = mmt_store_stmt(st, sql_task_update, err))) {
			rc = -1;
			break;
		}
		mmt_bind_text(u, 1, m->wait_class);
		mmt_bind_text(u, 2, m->site);
		mmt_bind_text(u, 3, m->culprit);
		mmt_bind_int(u, 4, m->in_reclaim);
		mmt_bind_int(u, 5, sqlite3_column_int64(q, 0));
		if (mmt_store_run(st, u, err) < 0) {
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc;
}

/* The culprit style each kind of report takes. */
static const char *style_of(const char *kind, const char *title)
{
	static const struct { const char *kind, *style; } styles[] = {
		{ "hung_task", "blocked" }, { "task_dump", "blocked" },
		{ "soft_lockup", "stall" }, { "hard_lockup", "stall" }, { "rcu_stall", "stall" },
		{ "alloc_failure", "alloc" }, { "alloc_stall", "alloc" }, { "oom_kill", "alloc" },
		{ "memory_leak", "leak" }, { "lockdep", "lockdep" },
	};

	/* These BUGs fire in a task that tried to sleep: name what it was doing. */
	if (title && (strstr(title, "scheduling while atomic") ||
		      strstr(title, "sleeping function called")))
		return "sleep";
	/* The stack overran its end while scheduling: name what was running. */
	if (title && strstr(title, "corrupted stack end"))
		return "stackend";
	if (title && strstr(title, "lib/debugobjects.c"))
		return "odebug";
	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++)
		if (!strcmp(styles[i].kind, kind))
			return styles[i].style;
	return "fault";
}

/*
 * A stalled CPU's own frames: those the timer interrupt that detected the
 * stall interrupted (after its apic_timer_interrupt frames), else those
 * outside interrupt context; the interrupted instruction comes first.
 */
static size_t stall_view(const struct mmt_loaded_stack *s, const char *ip,
			 const char **sym, bool *rel, const char **src)
{
	size_t n = 0, from = 0;
	bool outside = false, after_timer = false;

	for (size_t i = 0; i < s->n; i++) {
		if (strstr(s->sym[i], "apic_timer_interrupt")) {
			from = i + 1;
			after_timer = true;
		}
		if (strcmp(s->ctx[i], "irq") && strcmp(s->ctx[i], "nmi"))
			outside = true;
	}
	if (ip && ip[0]) {
		src[n] = "";
		for (size_t i = 0; i < s->n; i++)
			if (!strcmp(s->sym[i], ip)) {
				src[n] = s->src[i];
				break;
			}
		sym[n] = ip;
		rel[n++] = true;
	}
	for (size_t i = from; i < s->n; i++) {
		if (!after_timer && outside &&
		    (!strcmp(s->ctx[i], "irq") || !strcmp(s->ctx[i], "nmi")))
			continue;
		src[n] = s->src[i];
		sym[n] = s->sym[i];
		rel[n++] = s->reliable[i];
	}
	return n;
}

/* Whether the faulting function is library code, as its frame's source says. */
static bool library_ip(const struct mmt_loaded_stack *s, const char *ip)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->sym[i], ip) && s->src[i][0])
			return stackrules_library_file(s->src[i]);
	return false;
}

/*
 * Culprits by (style, faulting function, stack): reports repeat their
 * stacks, often thousands of times in a long log, so each is worked out once.
 */
struct culprit_cache {
	char **keys;
	char **vals;		/* NULL: no culprit */
	size_t cap, n;
};

static struct culprit_cache cache;

static size_t cache_slot(const char *key)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *c = key; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	for (size_t i = h % cache.cap;; i = (i + 1) % cache.cap)
		if (!cache.keys[i] || !strcmp(cache.keys[i], key))
			return i;
}

static void cache_grow(void)
{
	struct culprit_cache old = cache;

	cache.cap = old.cap ? old.cap * 2 : 1024;
	cache.keys = xcalloc(cache.cap, sizeof(char *));
	cache.vals = xcalloc(cache.cap, sizeof(char *));
	for (size_t i = 0; i < old.cap; i++) {
		if (old.keys[i]) {
			size_t j = cache_slot(old.keys[i]);

			cache.keys[j] = old.keys[i];
			cache.vals[j] = old.vals[i];
		}
	}
	free(old.keys);
	free(old.vals);
}

static void cache_free(void)
{
	for (size_t i = 0; i < cache.cap; i++) {
		free(cache.keys[i]);
		free(cache.vals[i]);
	}
	free(cache.keys);
	free(cache.vals);
	memset(&cache, 0, sizeof(cache));
}

static char *work_out_culprit(struct mmt_store *st, const char *style, const char *ip,
			      int64_t stack_id, struct mmt_err *err);

static char *report_culprit(struct mmt_store *st, const char *style, const char *ip,
			    int64_t stack_id, struct mmt_err *err)
{
	char key[320];
	size_t i;

	snprintf(key, sizeof(key), "%s|%s|%lld", style, ip ? ip : "", (long long)stack_id);
	if (2 * (cache.n + 1) > cache.cap)
		cache_grow();
	i = cache_slot(key);
	if (!cache.keys[i]) {
		cache.keys[i] = xstrdup(key);
		cache.vals[i] = work_out_culprit(st, style, ip, stack_id, err);
		cache.n++;
	}
	return cache.vals[i] ? xstrdup(cache.vals[i]) : NULL;
}

static char *work_out_culprit(struct mmt_store *st, const char *style, const char *ip,
			      int64_t stack_id, struct mmt_err *err)
{
	struct mmt_loaded_stack s = { 0 };
	const char **sym, **src;
	bool *rel;
	char *out = NULL;
	char base[160];
	int idx;

	if (stack_id > 0 && mmt_stack_load(st, stack_id, &s, err) < 0)
		return NULL;
	if ((!strcmp(style, "fault") || !strcmp(style, "lockdep")) && ip && ip[0] &&
	    !stackrules_skipped(ip, style) && !library_ip(&s, ip)) {
		mmt_stack_unload(&s);
		mmt_culprit_name(ip, base, sizeof(base));
		return xstrdup(base);
	}
	sym = xcalloc(s.n + 1, sizeof(*sym));
	src = xcalloc(s.n + 1, sizeof(*src));
	rel = xcalloc(s.n + 1, sizeof(*rel));
	bool with_ip = !strcmp(style, "stall") || !strcmp(style, "fault") ||
		       !strcmp(style, "stackend") || !strcmp(style, "odebug");
	struct stack_view v = { sym, rel, stall_view(&s, with_ip ? ip : NULL, sym, rel, src),
				src };
	idx = stackrules_culprit(&v, 0, style);
	if (idx >= 0) {
		mmt_culprit_name(sym[idx], base, sizeof(base));
		out = xstrdup(base);
	}
	free(sym);
	free(src);
	free(rel);
	mmt_stack_unload(&s);
	return out;
}

/* Reports whose task is classified take its wait class and site. */
static int from_single_task(struct mmt_store *st, int64_t report, char **culprit,
			    char **cls, char **site, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_stmt(st, sql_single_task, err);
	int rc;

	if (!q)
		return -1;
	mmt_bind_int(q, 1, report);
	rc = mmt_store_step(st, q, err);
	if (rc > 0) {
		if (!*culprit && !mmt_col_null(q, 0))
			*culprit = xstrdup(mmt_col_text(q, 0));
		*cls = mmt_col_null(q, 1) ? NULL : xstrdup(mmt_col_text(q, 1));
		*site = mmt_col_null(q, 2) ? NULL : xstrdup(mmt_col_text(q, 2));
		sqlite3_reset(q);
	}
	return rc < 0 ? -1 : 0;
}

/*
 * A stall names what the stalled CPU was running: the first stack that
 * was interrupted by the timer tick that detected the stall, else the
 * report's own stack, else a CPU backtrace.
 */
static int stall_culprit(struct mmt_store *st, int64_t report, const char *ip,
			 char **culprit, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_stall_candidates, err);
	int rc = 0;

	if (!q)
		return -1;
	mmt_bind_int(q, 1, report);
	while (!*culprit && (rc = mmt_store_step(st, q, err)) > 0) {
		const char *task_ip = mmt_col_null(q, 1) ? ip : mmt_col_text(q, 1);

		*culprit = report_culprit(st, "stall", task_ip, sqlite3_column_int64(q, 0), err);
	}
	sqlite3_finalize(q);
	return rc < 0 ? -1 : 0;
}

static int update_report(struct mmt_store *st, sqlite3_stmt *q, struct mmt_err *err)
{
	int64_t id = sqlite3_column_int64(q, 0);
	const char *kind = mmt_col_text(q, 1);
	const char *style = style_of(kind, mmt_col_text(q, 6));
	const char *ip = mmt_col_null(q, 2) ? NULL : mmt_col_text(q, 2);
	int64_t stack = mmt_col_null(q, 3) ? sqlite3_column_int64(q, 4)
					   : sqlite3_column_int64(q, 3);
	bool blocked = !strcmp(kind, "hung_task") ||
		       (!strcmp(kind, "task_dump") && sqlite3_column_int64(q, 5) == 1);
	char *culprit = NULL, *cls = NULL, *site = NULL;
	sqlite3_stmt *u;
	int rc = -1;

	if (!strcmp(style, "stall") && stall_culprit(st, id, ip, &culprit, err) < 0)
		goto out;
	if (!blocked && !culprit)
		culprit = report_culprit(st, style, ip, stack, err);
	if (blocked && from_single_task(st, id, &culprit, &cls, &site, err) < 0)
		goto out;
	if (!strcmp(kind, "fs_alloc_retry") && !culprit && ip)
		culprit = xstrdup(ip);
	if (!(u = mmt_store_stmt(st, sql_report_update, err)))
		goto out;
	mmt_bind_text(u, 1, culprit);
	mmt_bind_text(u, 2, cls);
	mmt_bind_text(u, 3, site);
	mmt_bind_int(u, 4, id);
	rc = mmt_store_run(st, u, err);
out:
	free(culprit);
	free(cls);
	free(site);
	return rc;
}

static int classify_reports(struct mmt_store *st, struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, sql_reports, err);
	int rc;

	if (!q)
		return -1;
	while ((rc = mmt_store_step(st, q, err)) > 0)
		if (update_report(st, q, err) < 0) {
			rc = -1;
			break;
		}
	sqlite3_finalize(q);
	return rc;
}

static int run(struct mmt_store *st, struct mmt_err *err)
{
	struct memo_table t = { 0 };
	int rc = classify_tasks(st, &t, err);

	memo_free(&t);
	if (rc == 0)
		rc = classify_reports(st, err);
	cache_free();
	return rc;
}

const struct mmt_analyzer mmt_analyzer_stacks = {
	.name = "stacks",
	.help = "wait class, wait site and culprit of every stack and report",
	.run = run,
};
