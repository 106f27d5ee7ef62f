// SPDX-License-Identifier: GPL-2.0
/*
 * lab_cache: a lock held across an allocation that may enter reclaim, and
 * a shrinker that takes the same lock.
 *
 * The bug pattern (lock recursion through reclaim): a driver keeps a pool
 * of pages under a mutex, lab_pool_lock. Its refill thread ("lab_refill")
 * takes the mutex and allocates pages with GFP_KERNEL while holding it; the
 * pool's shrinker gives pages back to the system under the same mutex.
 * When the allocation enters direct reclaim, reclaim calls every shrinker,
 * including this one, and the refill thread waits for the mutex it holds
 * itself: a self-deadlock in direct reclaim. kswapd, calling the same
 * shrinker, then waits for the mutex too. Lockdep models reclaim as the
 * lock "fs_reclaim" and sees the inversion as soon as reclaim has once
 * taken the mutex (fs_reclaim -> lab_pool_lock) and the thread has once
 * allocated under it (lab_pool_lock -> fs_reclaim). The fix: allocate
 * before taking the mutex, or mutex_trylock() in the shrinker.
 *
 * The pool's pages come from ZONE_DMA (GFP_DMA, as for a device that
 * addresses only 24 bits), 16 MiB: the refill thread exhausts that zone
 * and enters direct reclaim while the rest of memory is free, so the
 * guest's other tasks keep running and can write their capture.
 *
 * The module cannot be removed once loaded (no exit): for the lab guest only.
 *
 * Parameters (/sys/module/lab_cache/parameters/): target, the number of
 * pages the thread keeps in the pool (raise it to make the thread exhaust
 * ZONE_DMA); pages and scans, read only: the pool's size and the number of
 * shrinker scans that got the mutex.
 */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/shrinker.h>

static DEFINE_MUTEX(lab_pool_lock);
static LIST_HEAD(lab_pool);
static unsigned long pages;	/* in the pool; under lab_pool_lock */
static unsigned long scans;
static unsigned long target = 512;
static struct task_struct *lab_refill;

module_param(target, ulong, 0644);
MODULE_PARM_DESC(target, "pages the refill thread keeps in the pool");
module_param(pages, ulong, 0444);
MODULE_PARM_DESC(pages, "pages in the pool");
module_param(scans, ulong, 0444);
MODULE_PARM_DESC(scans, "shrinker scans that took the pool lock");

static unsigned long lab_pool_count(struct shrinker *s, struct shrink_control *sc)
{
	return READ_ONCE(pages);
}

static unsigned long lab_pool_scan(struct shrinker *s, struct shrink_control *sc)
{
	unsigned long freed = 0;
	struct page *p, *n;

	mutex_lock(&lab_pool_lock);
	scans++;
	list_for_each_entry_safe(p, n, &lab_pool, lru) {
		if (freed >= sc->nr_to_scan)
			break;
		list_del(&p->lru);
		__free_page(p);
		freed++;
	}
	pages -= freed;
	mutex_unlock(&lab_pool_lock);
	return freed;
}

static struct shrinker lab_pool_shrinker = {
	.count_objects = lab_pool_count,
	.scan_objects = lab_pool_scan,
	.seeks = 0,	/* cheap to refill: give half the pool back per pass */
};

/* One page into the pool, allocated under the pool's lock: the bug. */
static noinline bool lab_pool_refill_one(void)
{
	struct page *p;

	mutex_lock(&lab_pool_lock);
	p = alloc_page(GFP_KERNEL | GFP_DMA);
	if (p) {
		list_add(&p->lru, &lab_pool);
		pages++;
	}
	mutex_unlock(&lab_pool_lock);
	return p != NULL;
}

static int lab_refill_thread(void *unused)
{
	while (!kthread_should_stop()) {
		if (READ_ONCE(pages) >= READ_ONCE(target) || !lab_pool_refill_one())
			msleep(100);
		else
			cond_resched();
	}
	return 0;
}

static int __init lab_cache_init(void)
{
	int rc = register_shrinker(&lab_pool_shrinker, "lab_pool");

	if (rc)
		return rc;
	lab_refill = kthread_run(lab_refill_thread, NULL, "lab_refill");
	if (IS_ERR(lab_refill)) {
		unregister_shrinker(&lab_pool_shrinker);
		return PTR_ERR(lab_refill);
	}
	pr_info("lab_cache: lab_refill pid %d\n", lab_refill->pid);
	return 0;
}
module_init(lab_cache_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lab: a shrinker taking a lock held across a reclaiming allocation");
