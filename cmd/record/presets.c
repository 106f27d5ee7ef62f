/*
 * The presets of `mmtriage record` and the parsing of --events and
 * --stack. A preset lists what the analyzers read (docs/record.md says
 * which analyzer needs which event) and leaves out what fires per page or
 * per write, which would fill the buffers without telling more.
 */
#include "cmd/record/presets.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* An item of a preset: NULL stack for none, "" for always, else its filter. */
struct preset_item {
	const char *name;	/* "system" or "system:event" */
	const char *filter;
	const char *stack;
};

struct preset {
	const char *name, *help;
	const struct preset_item *items;
};

/* A task switching out asleep in D state: where it blocked. */
#define SLEEPING_D "prev_state & 2"

static const struct preset_item reclaim_items[] = {
	{ "vmscan", NULL, NULL },
	{ "vmscan:mm_vmscan_direct_reclaim_begin", NULL, "" },
	{ "vmscan:mm_vmscan_memcg_reclaim_begin", NULL, "" },
	{ "oom", NULL, NULL },
	{ "oom:mark_victim", NULL, "" },
	{ "compaction", NULL, NULL },
	{ "compaction:mm_compaction_begin", NULL, "" },
	{ "kmem:mm_page_alloc_extfrag", NULL, NULL },
	{ NULL, NULL, NULL },
};

/* writeback: but the per-page events and the enqueue of every dirtied inode. */
static const struct preset_item writeback_items[] = {
	{ "writeback:balance_dirty_pages", NULL, "" },
	{ "writeback:bdi_dirty_ratelimit", NULL, NULL },
	{ "writeback:global_dirty_state", NULL, NULL },
	{ "writeback:folio_wait_writeback", NULL, NULL },
	{ "writeback:writeback_start", NULL, NULL },
	{ "writeback:writeback_written", NULL, NULL },
	{ "writeback:writeback_wait", NULL, NULL },
	{ "writeback:writeback_queue", NULL, NULL },
	{ "writeback:writeback_exec", NULL, NULL },
	{ "writeback:writeback_queue_io", NULL, NULL },
	{ "writeback:writeback_pages_written", NULL, NULL },
	{ "writeback:writeback_wake_background", NULL, NULL },
	{ "writeback:writeback_single_inode_start", NULL, NULL },
	{ "writeback:writeback_single_inode", NULL, NULL },
	{ "writeback:writeback_sb_inodes_requeue", NULL, NULL },
	{ "writeback:writeback_write_inode_start", NULL, NULL },
	{ "writeback:writeback_write_inode", NULL, NULL },
	{ "writeback:sb_mark_inode_writeback", NULL, NULL },
	{ "writeback:sb_clear_inode_writeback", NULL, NULL },
	{ "block:block_rq_issue", NULL, NULL },
	{ "block:block_rq_complete", NULL, NULL },
	{ NULL, NULL, NULL },
};

static const struct preset_item ipi_items[] = {
	{ "ipi:ipi_send_cpu", NULL, "" },
	{ "ipi:ipi_send_cpumask", NULL, "" },
	{ "irq_vectors:call_function_entry", NULL, NULL },
	{ "irq_vectors:call_function_exit", NULL, NULL },
	{ "irq_vectors:call_function_single_entry", NULL, NULL },
	{ "irq_vectors:call_function_single_exit", NULL, NULL },
	{ "irq_vectors:reschedule_entry", NULL, NULL },
	{ "irq_vectors:reschedule_exit", NULL, NULL },
	{ "csd:csd_queue_cpu", NULL, NULL },
	{ "cpuhp", NULL, NULL },
	{ NULL, NULL, NULL },
};

static const struct preset_item sched_items[] = {
	{ "sched:sched_switch", NULL, SLEEPING_D },
	{ "sched:sched_wakeup", NULL, NULL },
	{ "sched:sched_process_fork", NULL, NULL },
	{ "sched:sched_process_exec", NULL, NULL },
	{ "sched:sched_process_exit", NULL, NULL },
	{ "sched:sched_process_hang", NULL, NULL },
	{ NULL, NULL, NULL },
};

/* For long recordings on busy machines: sleeping switches only, fewer stacks. */
static const struct preset_item light_items[] = {
	{ "sched:sched_switch", "prev_state & 3", NULL },
	{ "sched:sched_process_hang", NULL, NULL },
	{ "vmscan", NULL, NULL },
	{ "vmscan:mm_vmscan_direct_reclaim_begin", NULL, "" },
	{ "vmscan:mm_vmscan_memcg_reclaim_begin", NULL, "" },
	{ "oom", NULL, NULL },
	{ "compaction", NULL, NULL },
	{ "writeback:balance_dirty_pages", NULL, NULL },
	{ "writeback:writeback_written", NULL, NULL },
	{ "writeback:folio_wait_writeback", NULL, NULL },
	{ "writeback:global_dirty_state", NULL, NULL },
	{ "ipi:ipi_send_cpu", NULL, NULL },
	{ "ipi:ipi_send_cpumask", NULL, NULL },
	{ "irq_vectors:call_function_entry", NULL, NULL },
	{ "irq_vectors:call_function_single_entry", NULL, NULL },
	{ "cpuhp", NULL, NULL },
	{ NULL, NULL, NULL },
};

static const struct preset presets[] = {
	{ "mm-hang", "everything below: reclaim, writeback, ipi, sched (the default)", NULL },
	{ "reclaim", "direct, memcg and kswapd reclaim, shrinkers, OOM, compaction", reclaim_items },
	{ "writeback", "writeback, dirty throttling, block requests", writeback_items },
	{ "ipi", "IPIs with their senders' stacks, call functions, CSD, CPU hotplug", ipi_items },
	{ "sched", "switches (stacks where a task blocks in D state), wake-ups, forks, "
		   "exits, hung tasks", sched_items },
	{ "mm-light", "a lighter mm-hang for long recordings on busy machines", light_items },
};

/* mm-hang is the union of these, in this order. */
static const char *const mm_hang_parts[] = { "reclaim", "writeback", "ipi", "sched", NULL };

const char rec_default_preset[] = "mm-hang";

static const struct preset *find_preset(const char *name)
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (!strcmp(presets[i].name, name))
			return &presets[i];
	return NULL;
}

const char *rec_event_name(const struct rec_event *e, char *buf, size_t n)
{
	if (!strcmp(e->event, "*"))
		snprintf(buf, n, "%s", e->system);
	else
		snprintf(buf, n, "%s:%s", e->system, e->event);
	return buf;
}

/* "system" or "system:event" into e; false when it is not a name. */
static bool split_name(const char *name, struct rec_event *e)
{
	const char *colon = strchr(name, ':');
	size_t sys_len = colon ? (size_t)(colon - name) : strlen(name);
	const char *ev = colon ? colon + 1 : "*";

	memset(e, 0, sizeof(*e));
	if (!sys_len || sys_len >= sizeof(e->system) || !*ev || strlen(ev) >= sizeof(e->event) ||
	    strchr(ev, ':'))
		return false;
	for (const char *p = name; *p; p++)
		if (!(*p == '_' || *p == ':' || *p == '*' || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return false;
	memcpy(e->system, name, sys_len);
	snprintf(e->event, sizeof(e->event), "%s", ev);
	return true;
}

static struct rec_event *find_event(struct rec_event_set *set, const struct rec_event *e)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->ev[i].system, e->system) && !strcmp(set->ev[i].event, e->event))
			return &set->ev[i];
	return NULL;
}

/* Adds e, or merges its stack and filter into the entry already there. */
static void add_event(struct rec_event_set *set, const struct rec_event *e)
{
	struct rec_event *have = find_event(set, e);

	if (!have) {
		set->ev = xrealloc(set->ev, (set->n + 1) * sizeof(*set->ev));
		set->ev[set->n++] = *e;
		return;
	}
	if (e->stack && !have->stack) {
		have->stack = true;
		memcpy(have->stack_filter, e->stack_filter, sizeof(have->stack_filter));
	}
	if (!e->filter[0])
		have->filter[0] = '\0';	/* one unfiltered wish wins over a filter */
}

/* Removes e; removing a system removes its events too. */
static void remove_event(struct rec_event_set *set, const struct rec_event *e)
{
	size_t kept = 0;

	for (size_t i = 0; i < set->n; i++) {
		bool same_sys = !strcmp(set->ev[i].system, e->system);

		if (same_sys && (!strcmp(e->event, "*") || !strcmp(set->ev[i].event, e->event)))
			continue;
		set->ev[kept++] = set->ev[i];
	}
	set->n = kept;
}

static void add_items(struct rec_event_set *set, const struct preset_item *items)
{
	for (; items && items->name; items++) {
		struct rec_event e;

		split_name(items->name, &e);
		if (items->filter)
			snprintf(e.filter, sizeof(e.filter), "%s", items->filter);
		e.stack = items->stack != NULL;
		if (items->stack)
			snprintf(e.stack_filter, sizeof(e.stack_filter), "%s", items->stack);
		add_event(set, &e);
	}
}

static void add_preset(struct rec_event_set *set, const struct preset *p)
{
	if (p->items) {
		add_items(set, p->items);
		return;
	}
	for (size_t i = 0; mm_hang_parts[i]; i++)
		add_items(set, find_preset(mm_hang_parts[i])->items);
}

static int add_item(struct rec_event_set *set, const char *item, char *why, size_t n)
{
	bool removing = item[0] == '-';
	const char *name = item + removing;
	const struct preset *p = find_preset(name);
	struct rec_event e;

	if (p && !removing) {
		add_preset(set, p);
		return 0;
	}
	if (p) {
		struct rec_event_set drop = { NULL, 0 };

		add_preset(&drop, p);
		for (size_t i = 0; i < drop.n; i++)
			remove_event(set, &drop.ev[i]);
		rec_event_set_free(&drop);
		return 0;
	}
	if (!split_name(name, &e)) {
		snprintf(why, n, "'%s' is neither a preset (see --list) nor system[:event]", item);
		return -1;
	}
	if (removing)
		remove_event(set, &e);
	else
		add_event(set, &e);
	return 0;
}

/* Calls fn on each comma-separated item of list; stops at the first error. */
static int each_item(const char *list, struct rec_event_set *set, char *why, size_t n,
		     int (*fn)(struct rec_event_set *, const char *, char *, size_t))
{
	char *copy = xstrdup(list), *save = NULL;
	int rc = 0;

	for (char *item = strtok_r(copy, ",", &save); item && !rc;
	     item = strtok_r(NULL, ",", &save))
		rc = fn(set, item, why, n);
	free(copy);
	return rc;
}

int rec_events_parse(const char *list, struct rec_event_set *out, char *why, size_t n)
{
	out->ev = NULL;
	out->n = 0;
	if (each_item(list, out, why, n, add_item) < 0) {
		rec_event_set_free(out);
		return -1;
	}
	if (!out->n) {
		snprintf(why, n, "'%s' leaves no event to record", list);
		rec_event_set_free(out);
		return -1;
	}
	return 0;
}

static int add_stack(struct rec_event_set *set, const char *item, char *why, size_t n)
{
	struct rec_event e;
	struct rec_event *have;

	if (!split_name(item, &e) || !strcmp(e.event, "*")) {
		snprintf(why, n, "--stack takes system:event names, not '%s'", item);
		return -1;
	}
	have = find_event(set, &e);
	if (!have) {
		add_event(set, &e);
		have = &set->ev[set->n - 1];
	}
	have->stack = true;
	have->stack_filter[0] = '\0';
	return 0;
}

int rec_stack_parse(const char *list, struct rec_event_set *set, char *why, size_t n)
{
	for (size_t i = 0; i < set->n; i++)
		set->ev[i].stack = false;
	if (!strcmp(list, "none"))
		return 0;
	return each_item(list, set, why, n, add_stack);
}

void rec_event_set_free(struct rec_event_set *set)
{
	free(set->ev);
	set->ev = NULL;
	set->n = 0;
}

static void list_items(FILE *out, const struct preset_item *items,
		       bool (*has)(const char *, const char *))
{
	for (; items->name; items++) {
		struct rec_event e;

		split_name(items->name, &e);
		bool missing = has && !has(e.system, e.event);

		if (items->filter || items->stack || missing)
			fprintf(out, "    %-44s", items->name);
		else
			fprintf(out, "    %s", items->name);
		if (items->filter)
			fprintf(out, " if %s", items->filter);
		if (items->stack)
			fprintf(out, " +stack%s%s", items->stack[0] ? " if " : "", items->stack);
		if (missing)
			fputs("  (not in this kernel)", out);
		fputc('\n', out);
	}
}

void rec_presets_list(FILE *out, bool (*has)(const char *system, const char *event))
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		const struct preset *p = &presets[i];

		fprintf(out, "%s%s: %s\n", p->name,
			!strcmp(p->name, rec_default_preset) ? " (default)" : "", p->help);
		if (p->items)
			list_items(out, p->items, has);
		else
			for (size_t k = 0; mm_hang_parts[k]; k++)
				fprintf(out, "    preset %s\n", mm_hang_parts[k]);
	}
}
