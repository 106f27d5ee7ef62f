// SPDX-License-Identifier: GPL-2.0
/*
 * lab_abba: an AB-BA deadlock between two kernel threads.
 *
 * The bug pattern: two code paths of one driver take the same two mutexes
 * in opposite orders. The configuration path (thread "lab_config") takes
 * the device lock, then the list lock to walk the device's clients; the
 * event path (thread "lab_events") takes the list lock, then the device lock
 * to deliver an event. Each thread takes its first lock and waits until the
 * other holds its own first lock (so the window that makes this bug rare in
 * production is always hit), then takes its second lock: both sleep in
 * mutex_lock() forever, in state D. The hung-task detector reports both and,
 * on a lockdep kernel, lists the locks every task holds.
 *
 * Nothing can be undone: the module cannot be removed once loaded. For the
 * lab guest only.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>

static DEFINE_MUTEX(lab_dev_lock);
static DEFINE_MUTEX(lab_list_lock);
static atomic_t lab_holding = ATOMIC_INIT(0);

/* Both threads hold their first lock before either takes its second. */
static void lab_wait_for_peer(void)
{
	atomic_inc(&lab_holding);
	while (atomic_read(&lab_holding) < 2)
		msleep(20);
	msleep(100);
}

static noinline void lab_config_walk_clients(void)
{
	mutex_lock(&lab_list_lock);
	pr_info("lab_abba: configuration walked the client list\n");
	mutex_unlock(&lab_list_lock);
}

static int lab_config_thread(void *unused)
{
	mutex_lock(&lab_dev_lock);
	lab_wait_for_peer();
	lab_config_walk_clients();
	mutex_unlock(&lab_dev_lock);
	while (!kthread_should_stop())
		msleep(1000);
	return 0;
}

static noinline void lab_events_deliver(void)
{
	mutex_lock(&lab_dev_lock);
	pr_info("lab_abba: event delivered to the device\n");
	mutex_unlock(&lab_dev_lock);
}

static int lab_events_thread(void *unused)
{
	mutex_lock(&lab_list_lock);
	lab_wait_for_peer();
	lab_events_deliver();
	mutex_unlock(&lab_list_lock);
	while (!kthread_should_stop())
		msleep(1000);
	return 0;
}

static int __init lab_abba_init(void)
{
	struct task_struct *a, *b;

	a = kthread_run(lab_config_thread, NULL, "lab_config");
	if (IS_ERR(a))
		return PTR_ERR(a);
	b = kthread_run(lab_events_thread, NULL, "lab_events");
	if (IS_ERR(b))
		return PTR_ERR(b);
	pr_info("lab_abba: lab_config pid %d, lab_events pid %d\n", a->pid, b->pid);
	return 0;
}
module_init(lab_abba_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lab: AB-BA deadlock between two kernel threads");
