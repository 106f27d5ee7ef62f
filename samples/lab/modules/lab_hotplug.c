// SPDX-License-Identifier: GPL-2.0
/*
 * lab_hotplug: a CPU-hotplug callback and a thread that take a driver
 * mutex and the CPU-hotplug lock in opposite orders.
 *
 * The bug pattern: a driver keeps per-CPU statistics. Its CPU-offline
 * callback (a dynamic hotplug state, run by the cpuhp/N thread of the CPU
 * going down, while the task that offlines the CPU holds cpu_hotplug_lock
 * for writing and waits for cpuhp/N) folds the CPU's counters into the
 * totals under the driver's mutex, lab_stats_lock. The driver's
 * statistics thread ("lab_stats") takes lab_stats_lock, then
 * cpus_read_lock() to walk the online CPUs. If a CPU goes offline while
 * the thread holds the mutex, the offline waits for cpuhp/N, cpuhp/N waits
 * for the mutex, the thread waits for cpu_hotplug_lock, which the offline
 * holds: nothing moves. The fix: cpus_read_lock() before the mutex.
 *
 * The thread holds the mutex for a second in every round (as a slow
 * statistics pass would), so an offline started at any time meets it.
 * Parameter holding (read only): Y while the thread holds the mutex. The
 * module cannot be removed once loaded (no exit): for the lab guest only.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>

static DEFINE_MUTEX(lab_stats_lock);
static DEFINE_PER_CPU(unsigned long, lab_events);
static unsigned long lab_total;
static bool holding;
static int lab_state;

module_param(holding, bool, 0444);
MODULE_PARM_DESC(holding, "Y while lab_stats holds lab_stats_lock");

static int lab_stats_online(unsigned int cpu)
{
	return 0;
}

/* Runs on cpuhp/N of the CPU going down, under cpu_hotplug_lock (write). */
static int lab_stats_offline(unsigned int cpu)
{
	mutex_lock(&lab_stats_lock);
	lab_total += per_cpu(lab_events, cpu);
	per_cpu(lab_events, cpu) = 0;
	mutex_unlock(&lab_stats_lock);
	return 0;
}

static noinline void lab_stats_sum_online(void)
{
	unsigned long sum = 0;
	int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		sum += per_cpu(lab_events, cpu);
	cpus_read_unlock();
	lab_total += sum;
}

static int lab_stats_thread(void *unused)
{
	while (!kthread_should_stop()) {
		this_cpu_inc(lab_events);
		mutex_lock(&lab_stats_lock);
		WRITE_ONCE(holding, true);
		msleep(1000);
		lab_stats_sum_online();
		WRITE_ONCE(holding, false);
		mutex_unlock(&lab_stats_lock);
		msleep(100);
	}
	return 0;
}

static int __init lab_hotplug_init(void)
{
	struct task_struct *t;

	lab_state = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "lab/stats:online",
					      lab_stats_online, lab_stats_offline);
	if (lab_state < 0)
		return lab_state;
	t = kthread_run(lab_stats_thread, NULL, "lab_stats");
	if (IS_ERR(t)) {
		cpuhp_remove_state_nocalls(lab_state);
		return PTR_ERR(t);
	}
	pr_info("lab_hotplug: lab_stats pid %d, hotplug state %d\n", t->pid, lab_state);
	return 0;
}
module_init(lab_hotplug_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lab: CPU-hotplug callback and a thread with inverted lock order");
