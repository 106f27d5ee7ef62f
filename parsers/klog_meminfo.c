/*
 * The Mem-Info dump (show_mem) that allocation failures, OOM kills and
 * SysRq-m print, every era: global counters in pages, per-node counters
 * and per-zone free/min/low/high/managed in kB, lowmem_reserve, the free
 * lists per order, and the swap and page totals. Also the OOM killer's task
 * table, whose columns changed over the years and are read from its header.
 */
#include "parsers/klog.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* One "name:value", "name=value" or "name? yes" token. */
struct token {
	char name[48];
	int64_t value;
	const char *unit;
};

static bool parse_value(const char *s, size_t n, size_t *i, struct token *t)
{
	if (kstarts(s + *i, n - *i, "yes") || kstarts(s + *i, n - *i, "no")) {
		t->value = s[*i] == 'y';
		t->unit = "count";
		*i += s[*i] == 'y' ? 3 : 2;
		return true;
	}
	if (!kparse_int(s, n, i, &t->value))
		return false;
	t->unit = "pages";
	if (kstarts(s + *i, n - *i, "kB") || kstarts(s + *i, n - *i, "KB")) {
		t->unit = "kB";
		*i += 2;
	}
	return true;
}

/* Reads the next token at s[*i]; returns false at the end of the line. */
static bool next_token(const char *s, size_t n, size_t *i, struct token *t)
{
	while ((*i = kskip_space(s, n, *i)) < n) {
		size_t b = *i, e = b;

		while (e < n && (isalnum((unsigned char)s[e]) || s[e] == '_'))
			e++;
		*i = e;
		if (e > b && e < n && (s[e] == ':' || s[e] == '=' || s[e] == '?')) {
			size_t v = kskip_space(s, n, e + 1);

			kcopy(t->name, sizeof(t->name), s + b, e - b);
			/* 2.6.31 writes the first one "Active_anon". */
			t->name[0] = (char)tolower((unsigned char)t->name[0]);
			if (parse_value(s, n, &v, t)) {
				*i = v;
				return true;
			}
		}
		while (*i < n && s[*i] != ' ')
			(*i)++;
	}
	return false;
}

static int store_tokens(struct klog *k, const char *s, size_t n, size_t i,
			int node, const char *zone)
{
	struct token t;
	int count = 0;

	while (next_token(s, n, &i, &t)) {
		if (klog_store_counter(k, node, zone, t.name, t.value, t.unit) < 0)
			return -1;
		count++;
	}
	return count;
}

/* "Node 0 DMA: 0*4kB 1*8kB (U) ... = 15360kB": free blocks per order. */
static int free_lists(struct klog *k, const char *s, size_t n, size_t i,
		      int node, const char *zone)
{
	char name[32];
	int order = 0;

	while ((i = kskip_space(s, n, i)) < n) {
		int64_t count, size;

		if (s[i] == '=') {
			i = kskip_space(s, n, i + 1);
			if (kparse_int(s, n, &i, &size))
				return klog_store_counter(k, node, zone, "free_lists_total",
							  size, "kB") < 0 ? -1 : 1;
			break;
		}
		if (kparse_int(s, n, &i, &count) && i < n && s[i] == '*') {
			snprintf(name, sizeof(name), "free_order_%d", order++);
			if (klog_store_counter(k, node, zone, name, count, "count") < 0)
				return -1;
		}
		while (i < n && s[i] != ' ')
			i++;
	}
	return 1;
}

/*
 * "Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0
 * hugepages_size=2048kB": one line per huge page size, so the counters are
 * named by it, as sysfs does (hugepages_2048kB_total, ..._free, ..._surp).
 */
static int hugepages_line(struct klog *k, const char *s, size_t n, size_t i, int node)
{
	size_t at = i, sz = 0;
	struct token t;
	char name[sizeof(t.name) + 32];
	int64_t size = 0;

	while (next_token(s, n, &at, &t)) {
		if (!strcmp(t.name, "hugepages_size")) {
			size = t.value;
			sz = 1;
		}
	}
	if (!sz)
		return store_tokens(k, s, n, i, node, NULL) < 0 ? -1 : 1;
	while (next_token(s, n, &i, &t)) {
		if (!strcmp(t.name, "hugepages_size") || strncmp(t.name, "hugepages_", 10))
			continue;
		snprintf(name, sizeof(name), "hugepages_%lldkB_%s", (long long)size,
			 t.name + 10);
		if (klog_store_counter(k, node, NULL, name, t.value, t.unit) < 0)
			return -1;
	}
	return 1;
}

/* "Node 0 Normal free:..." or "Node 0 Normal: 1*4kB ..." or "Node 0 active_anon:...". */
static int node_line(struct klog *k, const char *s, size_t n)
{
	struct kreport *r = &k->rep;
	size_t i = 5, z;
	int64_t node;

	if (!kparse_int(s, n, &i, &node))
		return 0;
	i = kskip_space(s, n, i);
	for (z = i; z < n && isalnum((unsigned char)s[z]); z++)
		;
	if (z < n && s[z] == ':' && z > i && isupper((unsigned char)s[i])) {
		char zone[16];

		kcopy(zone, sizeof(zone), s + i, z - i);
		return free_lists(k, s, n, z + 1, (int)node, zone);
	}
	if (z < n && s[z] == ' ' && z > i && isupper((unsigned char)s[i])) {
		kcopy(r->zone, sizeof(r->zone), s + i, z - i);
		r->zone_node = (int)node;
		if (kcontains(s, n, "per-cpu:"))
			return 1;
		return store_tokens(k, s, n, z, (int)node, r->zone) < 0 ? -1 : 1;
	}
	if (kstarts(s + i, n - i, "hugepages_"))
		return hugepages_line(k, s, n, i, (int)node);
	return store_tokens(k, s, n, i, (int)node, NULL) < 0 ? -1 : 1;
}

/* "lowmem_reserve[]: 0 2950 3859 3859" belongs to the zone printed before it. */
static int lowmem_reserve(struct klog *k, const char *s, size_t n)
{
	struct kreport *r = &k->rep;
	size_t i = 17;
	int idx = 0;
	int64_t v;
	char name[32];

	while ((i = kskip_space(s, n, i)) < n && kparse_int(s, n, &i, &v)) {
		snprintf(name, sizeof(name), "lowmem_reserve_%d", idx++);
		if (r->zone[0] && klog_store_counter(k, r->zone_node, r->zone, name,
						     v, "pages") < 0)
			return -1;
	}
	return 1;
}

/* Totals: "1048446 pages RAM", "Free swap  = 0kB", "12345 total pagecache pages". */
static int totals(struct klog *k, const char *s, size_t n)
{
	static const struct { const char *lit, *name, *unit; } lines[] = {
		{ " total pagecache pages", "total_pagecache", "pages" },
		{ " pages in swap cache", "swap_cache", "pages" },
		{ " pages RAM", "pages_ram", "pages" },
		{ " pages HighMem", "pages_highmem", "pages" },
		{ " pages reserved", "pages_reserved", "pages" },
		{ " pages cma reserved", "pages_cma_reserved", "pages" },
		{ " pages hwpoisoned", "pages_hwpoisoned", "pages" },
		{ " pages shared", "pages_shared", "pages" },
		{ " pages non-shared", "pages_non_shared", "pages" },
	};
	size_t i = 0;
	int64_t v;

	if (kstarts(s, n, "Free swap") || kstarts(s, n, "Total swap")) {
		const char *eq = memchr(s, '=', n);

		i = eq ? kskip_space(s, n, (size_t)(eq - s) + 1) : n;
		if (!kparse_int(s, n, &i, &v))
			return 0;
		return klog_store_counter(k, -1, NULL, s[0] == 'F' ? "swap_free" : "swap_total",
					  v, "kB") < 0 ? -1 : 1;
	}
	if (!isdigit((unsigned char)s[0]) || !kparse_int(s, n, &i, &v))
		return 0;
	for (size_t l = 0; l < sizeof(lines) / sizeof(lines[0]); l++)
		if (kstarts(s + i, n - i, lines[l].lit))
			return klog_store_counter(k, -1, NULL, lines[l].name, v,
						  lines[l].unit) < 0 ? -1 : 1;
	return 0;
}

/* Length of a zone name starting s ("DMA32 free:..."), 0 if none. */
static size_t zone_name(const char *s, size_t n)
{
	static const char *const zones[] = {
		"DMA32", "DMA", "Normal", "HighMem", "Movable", "Device", NULL
	};

	for (size_t i = 0; zones[i]; i++) {
		size_t l = strlen(zones[i]);

		if (n > l && !memcmp(s, zones[i], l) && (s[l] == ' ' || s[l] == ':'))
			return l;
	}
	return 0;
}

/* Old kernels print zones without "Node N": they are node 0's. */
static int zone_line(struct klog *k, const char *s, size_t n, size_t zl)
{
	struct kreport *r = &k->rep;
	char zone[16];

	kcopy(zone, sizeof(zone), s, zl);
	if (s[zl] == ':')
		return free_lists(k, s, n, zl + 1, 0, zone);
	if (kcontains(s, n, "per-cpu:"))
		return 1;
	kcopy(r->zone, sizeof(r->zone), zone, strlen(zone));
	r->zone_node = 0;
	return store_tokens(k, s, n, zl, 0, zone) < 0 ? -1 : 1;
}

/* Lines of global counters: "active_anon:1234 inactive_anon:..." and their continuations. */
static bool global_counters(const char *s, size_t n)
{
	static const struct klit first[] = {
		KLIT("active_"), KLIT("Active_"), KLIT("Active:"), KLIT("inactive_"),
		KLIT("isolated_"), KLIT("unevictable:"), KLIT("dirty:"), KLIT("writeback:"),
		KLIT("unstable:"), KLIT("slab_"), KLIT("slab:"), KLIT("mapped:"),
		KLIT("shmem:"), KLIT("pagetables:"), KLIT("sec_pagetables:"), KLIT("bounce:"),
		KLIT("kernel_misc"), KLIT("free:"), KLIT("free_pcp:"), KLIT("free_cma:"),
		KLIT("nr_"), { NULL, 0 }
	};
	size_t i = kskip_space(s, n, 0);

	return i < n && kstarts_any(s + i, n - i, first);
}

int klog_take_meminfo(struct klog *k, const char *s, size_t n)
{
	struct kreport *r = &k->rep;
	size_t zl;
	int rc;

	if (kstarts(s, n, "Mem-Info:") || kstarts(s, n, "Mem-info:")) {
		r->sec = KSEC_MEMINFO;
		return 1;
	}
	if (!kstarts(s, n, " ") && global_counters(s, n))
		r->sec = KSEC_MEMINFO;
	if (r->sec != KSEC_MEMINFO)
		return 0;
	if (kstarts(s, n, "Node "))
		return node_line(k, s, n);
	if (kstarts(s, n, "lowmem_reserve[]:"))
		return lowmem_reserve(k, s, n);
	if ((zl = zone_name(s, n)))
		return zone_line(k, s, n, zl);
	if (kstarts(s, n, "CPU ") && kcontains(s, n, "hi:"))
		return 1;	/* 2.6's per-CPU page-list batches */
	if (global_counters(s, n))
		return store_tokens(k, s, n, 0, -1, NULL) < 0 ? -1 : 1;
	if ((rc = totals(k, s, n)) != 0)
		return rc;
	if (kstarts(s, n, "Swap cache stats"))
		return 1;
	r->sec = KSEC_NONE;	/* anything else ends the dump */
	return 0;
}

static int column_id(const char *s, size_t n)
{
	static const struct { const char *name; int id; } cols[] = {
		{ "uid", KOOM_UID }, { "tgid", KOOM_TGID }, { "total_vm", KOOM_TOTAL_VM },
		{ "rss", KOOM_RSS }, { "pgtables_bytes", KOOM_PGTABLES },
		{ "nr_ptes", KOOM_PGTABLES }, { "swapents", KOOM_SWAPENTS },
		{ "oom_score_adj", KOOM_ADJ }, { "name", KOOM_NAME },
	};

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (strlen(cols[i].name) == n && !memcmp(s, cols[i].name, n))
			return cols[i].id;
	return KOOM_OTHER;
}

/* "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name" */
static int table_header(struct kreport *r, const char *s, size_t n)
{
	const char *close = memchr(s, ']', n);
	size_t i;

	if (!close || !kcontains(s, (size_t)(close - s), "pid"))
		return 0;
	r->oom_ncols = 0;
	r->oom_cols[r->oom_ncols++] = KOOM_PID;
	for (i = (size_t)(close - s) + 1; (i = kskip_space(s, n, i)) < n;) {
		size_t b = i;

		while (i < n && s[i] != ' ')
			i++;
		if (r->oom_ncols < KOOM_MAX_COLS)
			r->oom_cols[r->oom_ncols++] = column_id(s + b, i - b);
	}
	r->sec = KSEC_OOM_TABLE;
	return 1;
}

/* "[    123]     0   123    12345     1234   123456        0             0 systemd" */
static int table_row(struct klog *k, const char *s, size_t n)
{
	struct kreport *r = &k->rep;
	int64_t vals[KOOM_NVALUES] = { 0 };
	bool has[KOOM_NVALUES] = { 0 };
	size_t i = kskip_space(s, n, 1);
	int64_t v;

	if (!kparse_int(s, n, &i, &vals[KOOM_PID]) || i >= n || s[i] != ']')
		return 0;
	has[KOOM_PID] = true;
	i++;
	for (int c = 1; c < r->oom_ncols; c++) {
		int id = r->oom_cols[c];

		i = kskip_space(s, n, i);
		if (id == KOOM_NAME)
			break;
		if (!kparse_int(s, n, &i, &v))
			return 1;
		if (id < KOOM_OTHER) {
			vals[id] = v;
			has[id] = true;
		}
	}
	i = kskip_space(s, n, i);
	return klog_store_oom_task(k, vals, has, s + i, n - i) < 0 ? -1 : 1;
}

int klog_take_oom_table(struct klog *k, const char *s, size_t n)
{
	struct kreport *r = &k->rep;

	if (kstarts(s, n, "[ ") && kcontains(s, n, "pid") && kcontains(s, n, "uid"))
		return table_header(r, s, n);
	if (r->sec == KSEC_OOM_TABLE && kstarts(s, n, "["))
		return table_row(k, s, n);
	return 0;
}
