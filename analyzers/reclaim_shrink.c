/*
 * shrinker_ineffective: per shrinker (its scan function), calls paired
 * from mm_shrink_slab_start and mm_shrink_slab_end of the same task. The
 * start event's total_scan is what the shrinker was asked to scan in this
 * call; the end event's total_scan what was left unscanned and retval what
 * it freed. A shrinker that scans much and frees little, or is asked much
 * and scans nothing (it refused: SHRINK_STOP, as super_cache_scan does in
 * a NOFS context or when it cannot take s_umount), is ineffective.
 */
#include "analyzers/reclaim.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * do_shrink_slab() calls a shrinker only while the work is at least its
 * batch or all it holds; smaller requests are deferred to later calls by
 * design, not refused. The default batch is 128; superblocks set 1024.
 */
#define SHRINK_BATCH 128
#define SUPER_BATCH 1024

struct shrinker_acc {
	size_t calls, refused, nofs;
	double asked, scanned, freed, refused_asked;
	double t_first, t_last;
	int64_t source, first_id, worst_id;
	double worst_asked;
};

struct shrink_ctx {
	struct shrinker_acc *s;
	size_t n;
	const char *kernel;
	const struct rc_keys *keys;
};

/* Whether the kernel would have called the shrinker's scan for this request. */
static bool scan_due(const struct shrink_ctx *c, int64_t key, double asked, double items)
{
	const char *name = (size_t)key < c->keys->n ? c->keys->name[key] : "";
	double batch = strncmp(name, "super_cache_scan", 16) ? SHRINK_BATCH : SUPER_BATCH;

	return asked >= batch || (items > 0 && asked >= items);
}

static int on_call(const struct rc_episode *e, void *ctx, struct mmt_err *err)
{
	struct shrink_ctx *c = ctx;
	struct shrinker_acc *a;
	double asked = (double)e->b[0], left = (double)e->e[1], scanned;

	(void)err;
	if (e->open || e->key < 0)
		return 0;
	if ((size_t)e->key >= c->n) {
		c->s = xrealloc(c->s, (size_t)(e->key + 1) * sizeof(*c->s));
		memset(c->s + c->n, 0, ((size_t)e->key + 1 - c->n) * sizeof(*c->s));
		c->n = (size_t)e->key + 1;
	}
	a = &c->s[e->key];
	scanned = asked > left ? asked - left : 0;
	if (!a->calls++) {
		a->t_first = e->t0;
		a->source = e->source;
		a->first_id = e->begin_id;
	}
	a->t_last = e->t1;
	a->asked += asked;
	a->scanned += scanned;
	a->freed += (double)(e->e[0] > 0 ? e->e[0] : 0);
	if (scanned == 0 && scan_due(c, e->key, asked, (double)e->b[2])) {
		a->refused++;
		a->refused_asked += asked;
		if (asked > a->worst_asked) {
			a->worst_asked = asked;
			a->worst_id = e->begin_id;
		}
	}
	if (strcmp(rc_gfp_context((uint64_t)e->b[1], c->kernel, NULL, 0), "full"))
		a->nofs++;
	return 0;
}

static void shrinker_name(const char *key, char *out, size_t n)
{
	const char *plus = strchr(key, '+');

	snprintf(out, n, "%.*s", plus ? (int)(plus - key) : (int)strlen(key), key);
}

static int report(struct mmt_store *st, const char *name, const struct shrinker_acc *a,
		  struct mmt_err *err)
{
	double min_scan = mmt_threshold("reclaim.shrinker_min_scan");
	bool refusing = a->refused_asked >= min_scan && a->scanned < min_scan;
	struct rc_ev ev = { st, 0, 0 };
	struct mmt_finding f;
	int rc;

	mmt_finding_init(&f, RC_ANALYZER, "shrinker_ineffective", "warning");
	if (refusing)
		snprintf(f.title, sizeof(f.title), "Shrinker %s asked to scan %.0f objects, "
			 "scanned %.0f", name, a->asked, a->scanned);
	else
		snprintf(f.title, sizeof(f.title), "Shrinker %s scanned %.0f objects, freed "
			 "%.0f (%.1f%%)", name, a->scanned, a->freed,
			 100 * a->freed / a->scanned);
	mmt_sb_addf(&f.summary, "%s ran %zu times: asked to scan %.0f objects in all, it "
		    "scanned %.0f and freed %.0f. ", name, a->calls, a->asked, a->scanned,
		    a->freed);
	if (a->refused)
		mmt_sb_addf(&f.summary, "%zu calls asked for a batch or more and scanned "
			    "nothing although the kernel called it (%.0f objects left for later "
			    "calls): the shrinker returned SHRINK_STOP. ", a->refused, a->refused_asked);
	if (a->nofs)
		mmt_sb_addf(&f.summary, "%zu calls came from a restricted GFP context "
			    "(NOFS/NOIO/atomic), in which filesystem shrinkers (super_cache_scan) "
			    "free nothing by design. ", a->nofs);
	mmt_sb_adds(&f.summary, "Its objects stay cached while reclaim goes on: if they "
		    "dominate memory (see the slab caches), reclaim from these contexts cannot "
		    "make progress. Next: compare with SReclaimable and the largest slab "
		    "caches; drop_caches or a reclaimer with __GFP_FS (kswapd) frees them.");
	mmt_finding_time(&f, a->t_first);
	mmt_finding_time(&f, a->t_last);
	f.score = refusing || a->nofs ? 500 : 350;
	f.confidence = 0.75;
	ev.finding = mmt_finding_add(st, &f, err);
	mmt_finding_free(&f);
	if (ev.finding < 0 ||
	    mmt_finding_subject(st, ev.finding, "cache", 0, false, name, err) < 0)
		return -1;
	rc = rc_evidence(&ev, "summary", a->source, 0, a->t_first, true, err,
			 "%s: %zu calls, asked %.0f, scanned %.0f, freed %.0f", name, a->calls,
			 a->asked, a->scanned, a->freed);
	if (rc == 0)
		rc = rc_evidence(&ev, "event", a->source, a->first_id, a->t_first, true, err,
				 "first mm_shrink_slab_start of %s", name);
	if (rc == 0 && a->worst_id)
		rc = rc_evidence(&ev, "event", a->source, a->worst_id, a->t_first, false, err,
				 "the largest refused request: %.0f objects", a->worst_asked);
	return rc;
}

static bool ineffective(const struct shrinker_acc *a)
{
	double min_scan = mmt_threshold("reclaim.shrinker_min_scan");
	double pct = mmt_threshold("reclaim.shrinker_freed_pct");

	if (a->scanned >= min_scan && 100 * a->freed < pct * a->scanned)
		return true;
	return a->refused_asked >= min_scan && 100 * a->freed < pct * a->refused_asked;
}

int rc_shrinkers(struct mmt_store *st, const struct rc_traces *tr, struct mmt_err *err)
{
	char tbl[128];
	struct rc_pair_spec spec = { "vmscan", "mm_shrink_slab_start", "mm_shrink_slab_end",
				     NULL, "retval, total_scan, 0", NULL,
				     "total_scan,gfp_flags,shrink", "retval,total_scan" };
	struct rc_keys keys = { 0 };
	struct shrink_ctx c = { NULL, 0, tr->n ? tr->src[0].kernel : NULL, &keys };
	int rc = 0;

	if (!mmt_event_table(st, "vmscan", "mm_shrink_slab_start", tbl, sizeof(tbl)))
		return 0;
	/* cache_items (what count_objects found) is there since 3.x; 0 = unknown. */
	spec.bcols = mmt_has_columns(st, tbl, "cache_items") ?
		     "total_scan, gfp_flags, cache_items" : "total_scan, gfp_flags, 0";
	spec.key = mmt_has_columns(st, tbl, "shrink_sym") ?
		   "ifnull(shrink_sym, printf('%x', shrink))" : "printf('%s', shrink)";
	if (rc_pairs(st, tr, &spec, &keys, on_call, &c, err) < 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < c.n; i++) {
		char name[128];

		if (i >= keys.n || !c.s[i].calls || !ineffective(&c.s[i]))
			continue;
		shrinker_name(keys.name[i], name, sizeof(name));
		rc = report(st, name, &c.s[i], err);
	}
	free(c.s);
	rc_keys_free(&keys);
	return rc;
}
