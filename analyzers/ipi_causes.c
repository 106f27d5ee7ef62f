/*
 * What sent the IPIs of a window: the send events (csd:csd_queue_cpu when
 * recorded, as it names the function each CPU is asked to run; else
 * ipi:ipi_send_cpu and ipi_send_cpumask with a callback) grouped in SQL by
 * call site, callback and attached kernel stack, then each group named by
 * the table below: the callback first, then the call site, then the
 * frames of the stack, a specific cause (a drain, membarrier, a TLB
 * flush) winning over a generic one (a remote wake-up). docs/findings/ipi.md
 * lists the table.
 */
#include "analyzers/ipi.h"
#include "analyzers/replay_state.h"
#include "core/stack.h"

#include <stdlib.h>
#include <string.h>

struct cause_rule {
	const char *symbol;
	const char *label;
	const char *words;
	bool specific;		/* names a cause, rather than a carrier of many */
	bool drain;		/* an allocator drain */
};

static const char w_drain_pages[] =
	"the page allocator draining the per-CPU free page lists of every CPU "
	"(drain_all_pages), from the allocation slow path after direct reclaim or "
	"compaction failed, or from memory offlining, CMA and page isolation";
static const char w_drain_lru[] =
	"draining the per-CPU LRU caches of every CPU (lru_add_drain_all), from page "
	"migration, compaction, mlock/munlock, madvise, memcg moves and memory offlining";
static const char w_membarrier[] =
	"membarrier(2) expedited commands: a process makes every CPU that runs one of its "
	"threads execute a memory barrier, once per call";
static const char w_tlb[] =
	"TLB shootdowns: page-table changes (munmap, mprotect, page migration, reclaim "
	"unmapping pages, THP splits, NUMA balancing) flushing other CPUs' TLBs";
static const char w_tlb_all[] =
	"kernel-wide TLB flushes (vmalloc/vunmap purges, memory hot-(un)plug)";
static const char w_text[] =
	"kernel text patching (static keys, ftrace, kprobes, BPF trampolines) "
	"serializing every CPU";
static const char w_slub[] =
	"SLUB flushing per-CPU slabs of a cache (kmem_cache_shrink, cache destruction, "
	"memory hotplug)";
static const char w_rcu[] =
	"expedited RCU grace periods (synchronize_rcu_expedited, frequent during CPU "
	"hotplug and network/namespace teardown)";
static const char w_gup[] =
	"page-table freeing that synchronizes with lockless page-table walkers "
	"(GUP-fast, THP collapse)";
static const char w_wake[] =
	"remote wake-ups queued to the target CPU (ordinary scheduling; a storm of them "
	"means many cross-CPU wake-ups, e.g. of per-CPU workers)";
static const char w_work[] =
	"work queued on other CPUs' workqueues";
static const char w_irq_work[] = "irq_work (deferred work such as waking trace readers)";
static const char w_sched[] = "scheduler housekeeping (idle load balancing, nohz kicks)";
static const char w_perf[] = "perf events on other CPUs";
static const char w_hotplug[] = "CPU hotplug state machine callbacks";
static const char w_generic[] = "a cross-CPU function call";

static const struct cause_rule rules[] = {
	{ "drain_all_pages", "allocator drain", w_drain_pages, true, true },
	{ "__drain_all_pages", "allocator drain", w_drain_pages, true, true },
	{ "drain_local_pages", "allocator drain", w_drain_pages, true, true },
	{ "drain_local_pages_wq", "allocator drain", w_drain_pages, true, true },
	{ "lru_add_drain_all", "LRU drain", w_drain_lru, true, true },
	{ "__lru_add_drain_all", "LRU drain", w_drain_lru, true, true },
	{ "lru_add_drain_per_cpu", "LRU drain", w_drain_lru, true, true },
	{ "ipi_mb", "membarrier", w_membarrier, true, false },
	{ "ipi_sync_rq_state", "membarrier", w_membarrier, true, false },
	{ "ipi_sync_core", "membarrier", w_membarrier, true, false },
	{ "ipi_rseq", "membarrier", w_membarrier, true, false },
	{ "membarrier_private_expedited", "membarrier", w_membarrier, true, false },
	{ "membarrier_global_expedited", "membarrier", w_membarrier, true, false },
	{ "sync_runqueues_membarrier_state", "membarrier", w_membarrier, true, false },
	{ "flush_tlb_func", "TLB shootdown", w_tlb, true, false },
	{ "native_flush_tlb_multi", "TLB shootdown", w_tlb, true, false },
	{ "flush_tlb_multi", "TLB shootdown", w_tlb, true, false },
	{ "flush_tlb_mm_range", "TLB shootdown", w_tlb, true, false },
	{ "flush_tlb_others", "TLB shootdown", w_tlb, true, false },
	{ "arch_tlbbatch_flush", "TLB shootdown", w_tlb, true, false },
	{ "try_to_unmap_flush", "TLB shootdown", w_tlb, true, false },
	{ "do_flush_tlb_all", "kernel TLB flush", w_tlb_all, true, false },
	{ "do_kernel_range_flush", "kernel TLB flush", w_tlb_all, true, false },
	{ "flush_tlb_all", "kernel TLB flush", w_tlb_all, true, false },
	{ "flush_tlb_kernel_range", "kernel TLB flush", w_tlb_all, true, false },
	{ "do_sync_core", "text patching", w_text, true, false },
	{ "text_poke_sync", "text patching", w_text, true, false },
	{ "text_poke_bp_batch", "text patching", w_text, true, false },
	{ "smp_text_poke_sync_each_cpu", "text patching", w_text, true, false },
	{ "flush_cpu_slab", "SLUB flush", w_slub, true, false },
	{ "flush_all_cpus_locked", "SLUB flush", w_slub, true, false },
	{ "rcu_exp_handler", "expedited RCU", w_rcu, true, false },
	{ "synchronize_rcu_expedited", "expedited RCU", w_rcu, true, false },
	{ "tlb_remove_table_smp_sync", "page-table freeing", w_gup, true, false },
	{ "tlb_remove_table_sync_one", "page-table freeing", w_gup, true, false },
	{ "cpuhp_invoke_callback", "CPU hotplug", w_hotplug, true, false },
	{ "perf_event_function_call", "perf", w_perf, true, false },
	{ "remote_function", "perf", w_perf, true, false },
	{ "sched_ttwu_pending", "remote wake-up", w_wake, false, false },
	{ "ttwu_queue_wakelist", "remote wake-up", w_wake, false, false },
	{ "queue_work_on", "queued work", w_work, false, false },
	{ "irq_work_queue", "irq_work", w_irq_work, false, false },
	{ "irq_work_queue_on", "irq_work", w_irq_work, false, false },
	{ "nohz_csd_func", "scheduler", w_sched, false, false },
	{ "kick_ilb", "scheduler", w_sched, false, false },
};

/* "membarrier_private_expedited+0x231/0x2c0 [mod]" -> "membarrier_private_expedited". */
static void base_name(const char *raw, char *out, size_t n)
{
	char sym[MMT_SYM_MAX];

	snprintf(sym, sizeof(sym), "%s", raw);
	sym[strcspn(sym, "+ \t[")] = '\0';
	mmt_symbol_base(sym, out, n);
}

/* Carriers: say nothing of the cause by themselves. */
static bool generic_symbol(const char *sym)
{
	static const char *const carriers[] = {
		"generic_smp_call_function_single_interrupt", "generic_smp_call_function_interrupt",
		"generic_exec_single", "smp_call_function_single", "smp_call_function_many_cond",
		"smp_call_function_many", "on_each_cpu_cond_mask", "smp_call_function",
		"__smp_call_single_queue", "send_call_function_single_ipi",
		"smp_call_function_single_async", NULL
	};

	for (size_t i = 0; carriers[i]; i++)
		if (!strcmp(sym, carriers[i]))
			return true;
	return !sym[0] || !strncmp(sym, "0x", 2) || !strcmp(sym, "0");
}

static const struct cause_rule *rule_of(const char *sym)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!strcmp(sym, rules[i].symbol))
			return &rules[i];
	return NULL;
}

/* The best rule among candidate symbols (in order): specific first. */
struct naming {
	const struct cause_rule *rule;
	char symbol[96];
	bool from_stack;
};

static void consider(struct naming *n, const char *raw, bool from_stack)
{
	char sym[MMT_SYM_MAX];
	const struct cause_rule *r;

	base_name(raw, sym, sizeof(sym));
	r = rule_of(sym);
	if (!r || (n->rule && (n->rule->specific || !r->specific)))
		return;
	n->rule = r;
	n->from_stack = from_stack;
	snprintf(n->symbol, sizeof(n->symbol), "%s", sym);
}

static int name_group(struct mmt_store *st, const char *callsite, const char *callback,
		      int64_t stack, bool has_stack, struct naming *n, struct mmt_err *err)
{
	memset(n, 0, sizeof(*n));
	consider(n, callback, false);
	consider(n, callsite, false);
	if (has_stack && (!n->rule || !n->rule->specific)) {
		struct mmt_loaded_stack s;

		if (mmt_stack_load(st, stack, &s, err) < 0)
			return -1;
		for (size_t i = 0; i < s.n && !(n->rule && n->rule->specific); i++)
			consider(n, s.sym[i], true);
		mmt_stack_unload(&s);
	}
	return 0;
}

/* Adds count IPIs to the cause named n (or to "other", by its symbols). */
static void tally(struct ipi_causes *c, struct ipi_cause *all, size_t *nall, size_t cap,
		  const struct naming *n, const char *callsite, const char *callback,
		  int64_t count, int64_t example)
{
	char site[MMT_SYM_MAX], back[MMT_SYM_MAX];
	const char *label = n->rule ? n->rule->label : NULL;
	size_t i;

	base_name(callsite, site, sizeof(site));
	base_name(callback, back, sizeof(back));
	if (!label)
		label = generic_symbol(site) ? (generic_symbol(back) ? "other" : back) : site;
	for (i = 0; i < *nall; i++)
		if (!strcmp(all[i].label, label))
			break;
	if (i == *nall) {
		if (*nall == cap)
			return;
		memset(&all[i], 0, sizeof(all[i]));
		snprintf(all[i].label, sizeof(all[i].label), "%s", label);
		all[i].words = n->rule ? n->rule->words : w_generic;
		all[i].drain = n->rule && n->rule->drain;
		snprintf(all[i].symbol, sizeof(all[i].symbol), "%s", n->rule ? n->symbol : label);
		all[i].example_event = example;
		snprintf(all[i].path, sizeof(all[i].path), "%s -> %s%s", site[0] ? site : "?",
			 back[0] ? back : "?", n->from_stack ? " (named by the stack)" : "");
		(*nall)++;
	}
	all[i].count += count;
	if (all[i].count == count || example < all[i].example_event)
		all[i].example_event = example;
	c->total += count;
	c->from_stacks |= n->from_stack;
}

static int cmp_count(const void *a, const void *b)
{
	const struct ipi_cause *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* Columns: the symbol column when the trace resolved it, else the raw one. */
static const char *sym_expr(struct mmt_store *st, const char *tbl, const char *col,
			    char *buf, size_t n)
{
	char symcol[64];

	snprintf(symcol, sizeof(symcol), "%s_sym", col);
	if (mmt_has_columns(st, tbl, symcol))
		snprintf(buf, n, "coalesce(e.\"%s\", e.\"%s\")", symcol, col);
	else if (mmt_has_columns(st, tbl, col))
		snprintf(buf, n, "e.\"%s\"", col);
	else
		snprintf(buf, n, "''");
	return buf;
}

#define MAX_LABELS 64
/* Windows of more send events than this are sampled in SAMPLE_SLICES slices. */
#define SAMPLE_IDS 200000
#define SAMPLE_SLICES 40

static int source_ids(struct mmt_store *st, int64_t source, int64_t *first, int64_t *last,
		      struct mmt_err *err)
{
	sqlite3_stmt *q = mmt_store_prepare(st, "SELECT ifnull(first_id, 0), ifnull(last_id, -1) "
					    "FROM trace_sources WHERE source_id = ?", err);
	int rc;

	if (!q)
		return -1;
	mmt_bind_int(q, 1, source);
	*first = 0;
	*last = -1;
	rc = mmt_store_step(st, q, err);
	if (rc > 0) {
		*first = sqlite3_column_int64(q, 0);
		*last = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	return rc < 0 ? -1 : 0;
}

/* Groups the sends with ids in [lo, hi) of tbl. */
static int group_ids(struct mmt_store *st, const char *tbl, const char *callback_col,
		     int64_t source, int64_t lo, int64_t hi, struct ipi_causes *c,
		     struct ipi_cause *all, size_t *nall, struct mmt_err *err)
{
	char site[160], back[160];
	char *sql;
	sqlite3_stmt *q;
	int rc;

	sql = sqlite3_mprintf("SELECT %s, %s, es.stack_id, count(*), min(e.id) FROM \"%w\" e "
			      "LEFT JOIN event_stacks es ON es.event_id = e.id "
			      "WHERE e.common_source = ?1 AND e.id >= ?2 AND "
			      "e.id < ?3 AND ifnull(e.\"%w\", 0) NOT IN "
			      "(0, '0', '(nil)', '(null)', '') GROUP BY 1, 2, 3",
			      sym_expr(st, tbl, "callsite", site, sizeof(site)),
			      sym_expr(st, tbl, callback_col, back, sizeof(back)),
			      tbl, callback_col);
	q = mmt_store_prepare(st, sql, err);
	sqlite3_free(sql);
	if (!q)
		return -1;
	mmt_bind_int(q, 1, source);
	mmt_bind_int(q, 2, lo);
	mmt_bind_int(q, 3, hi);
	while ((rc = mmt_store_step(st, q, err)) > 0) {
		struct naming n;

		if (name_group(st, mmt_col_text(q, 0), mmt_col_text(q, 1),
			       sqlite3_column_int64(q, 2), !mmt_col_null(q, 2), &n, err) < 0) {
			rc = -1;
			break;
		}
		tally(c, all, nall, MAX_LABELS, &n, mmt_col_text(q, 0), mmt_col_text(q, 1),
		      sqlite3_column_int64(q, 3), sqlite3_column_int64(q, 4));
	}
	sqlite3_finalize(q);
	return rc;
}

/*
 * The window's sends of tbl, found by id; a window of more than SAMPLE_IDS
 * ids is read in evenly spread slices (the shares of the senders are what
 * matters, and a few hundred thousand sends give them).
 */
static int group_table(struct mmt_store *st, const char *tbl, const char *callback_col,
		       int64_t source, int64_t ns0, int64_t ns1, struct ipi_causes *c,
		       struct ipi_cause *all, size_t *nall, struct mmt_err *err)
{
	int64_t first, last, lo, hi, step, slice;

	if (source_ids(st, source, &first, &last, err) < 0)
		return -1;
	lo = mmt_trace_first_id_at(st, tbl, first, last, ns0, err);
	hi = mmt_trace_first_id_at(st, tbl, first, last, ns1, err);
	if (lo < 0 || hi < 0)
		return -1;
	if (hi - lo <= SAMPLE_IDS)
		return group_ids(st, tbl, callback_col, source, lo, hi, c, all, nall, err);
	c->sampled = true;
	step = (hi - lo) / SAMPLE_SLICES;
	slice = SAMPLE_IDS / SAMPLE_SLICES;
	for (int64_t from = lo; from < hi; from += step)
		if (group_ids(st, tbl, callback_col, source, from,
			      from + slice < hi ? from + slice : hi, c, all, nall, err) < 0)
			return -1;
	return 0;
}

int ipi_causes_in(struct mmt_store *st, int64_t source, int64_t ns0, int64_t ns1,
		  struct ipi_causes *out, struct mmt_err *err)
{
	struct ipi_cause all[MAX_LABELS];
	size_t nall = 0;
	char tbl[128];

	memset(out, 0, sizeof(*out));
	/* csd_queue_cpu names the function (func); ipi_send_* only a carrier for single targets. */
	if (mmt_event_table(st, NULL, "csd_queue_cpu", tbl, sizeof(tbl)) &&
	    mmt_has_columns(st, tbl, "func")) {
		if (group_table(st, tbl, "func", source, ns0, ns1, out, all, &nall, err) < 0)
			return -1;
		out->from_csd = out->total > 0;
	}
	for (int mask = 0; mask < 2 && !out->from_csd; mask++)
		if (mmt_event_table(st, NULL, mask ? "ipi_send_cpumask" : "ipi_send_cpu", tbl,
				    sizeof(tbl)) && mmt_has_columns(st, tbl, "callback") &&
		    group_table(st, tbl, "callback", source, ns0, ns1, out, all, &nall, err) < 0)
			return -1;
	if (nall)
		qsort(all, nall, sizeof(all[0]), cmp_count);
	out->ntop = nall < IPI_TOP_CAUSES ? nall : IPI_TOP_CAUSES;
	memcpy(out->top, all, out->ntop * sizeof(all[0]));
	return 0;
}

/* Snapshots: TLB shootdowns (counted within the function calls) or not. */
static void snapshot_sender(const struct ipi_series *s, size_t i0, size_t i1, char *out,
			    size_t n)
{
	double calls = 0, tlb = 0;

	for (size_t i = i0; i <= i1 && s->tlb; i++)
		for (int c = 0; c < s->ncpus; c++) {
			size_t k = i * (size_t)s->ncpus + (size_t)c;

			if (s->rate[k] > 0) {
				calls += s->rate[k];
				tlb += s->tlb[k];
			}
		}
	if (calls > 0)
		snprintf(out, n, "%s", 2 * tlb >= calls ? "TLB shootdown" : "not TLB shootdowns");
}

int ipi_run_sender(struct mmt_store *st, const struct ipi_series *s, size_t i0, size_t i1,
		   char *out, size_t n, struct mmt_err *err)
{
	struct ipi_causes c;

	out[0] = '\0';
	if (!s->trace) {
		snapshot_sender(s, i0, i1, out, n);
		return 0;
	}
	if (ipi_causes_in(st, s->source, (int64_t)((s->t[i0] - s->t_offset) * 1e9),
			  (int64_t)((s->t[i1] + s->interval - s->t_offset) * 1e9), &c, err) < 0)
		return -1;
	if (c.ntop && 2 * c.top[0].count >= c.total)
		snprintf(out, n, "%s", c.top[0].label);
	return 0;
}
