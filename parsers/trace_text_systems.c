/*
 * Which system an event of a text trace belongs to. Text traces print the
 * event's name only, so the system comes from a table: the exact names of
 * the systems the analyzers read (taken from /sys/kernel/tracing/events of
 * a 6.18 kernel, plus names of older kernels and other architectures),
 * then prefixes by convention (mm_vmscan_ is vmscan, sys_enter_ is
 * syscalls, ...), and "unknown" for the rest. Names the prefixes already
 * place are not listed. The table is not read from the machine's tracefs
 * at run time: the trace may come from another machine.
 *
 * The exact names were listed with
 *   cd /sys/kernel/tracing/events; for s in SYSTEMS; do ls $s; done
 * and kept when the prefixes below would place them wrongly or not at all.
 */
#include "parsers/trace_text.h"

#include <string.h>

struct system_of {
	const char *name;
	const char *system;
};

/* Sorted by name (strcmp order): searched by bisection. */
static const struct system_of exact[] = {
	{ "alarmtimer_cancel", "alarmtimer" },
	{ "alarmtimer_fired", "alarmtimer" },
	{ "alarmtimer_start", "alarmtimer" },
	{ "balance_dirty_pages", "writeback" },
	{ "bdi_dirty_ratelimit", "writeback" },
	{ "blk_zone_append_update_request_bio", "block" },
	{ "blk_zone_wplug_bio", "block" },
	{ "blkdev_zone_mgmt", "block" },
	{ "bprint", "ftrace" },
	{ "bputs", "ftrace" },
	{ "branch", "ftrace" },
	{ "clock_disable", "power" },
	{ "clock_enable", "power" },
	{ "clock_set_rate", "power" },
	{ "compact_retry", "oom" },
	{ "console", "printk" },
	{ "contention_begin", "lock" },
	{ "contention_end", "lock" },
	{ "context_switch", "ftrace" },
	{ "count_memcg_events", "memcg" },
	{ "cpu_frequency", "power" },
	{ "cpu_frequency_limits", "power" },
	{ "cpu_idle", "power" },
	{ "cpu_idle_miss", "power" },
	{ "dev_pm_qos_add_request", "power" },
	{ "dev_pm_qos_remove_request", "power" },
	{ "dev_pm_qos_update_request", "power" },
	{ "disk_zone_wplug_add_bio", "block" },
	{ "error_apic_entry", "irq_vectors" },
	{ "error_apic_exit", "irq_vectors" },
	{ "exit_mmap", "mmap" },
	{ "file_check_and_advance_wb_err", "filemap" },
	{ "filemap_set_wb_err", "filemap" },
	{ "finish_task_reaping", "oom" },
	{ "flush_foreign", "writeback" },
	{ "folio_wait_writeback", "writeback" },
	{ "func_repeats", "ftrace" },
	{ "funcgraph_entry", "ftrace" },
	{ "funcgraph_exit", "ftrace" },
	{ "function", "ftrace" },
	{ "global_dirty_state", "writeback" },
	{ "guest_halt_poll_ns", "power" },
	{ "hwlat", "ftrace" },
	{ "inode_foreign_history", "writeback" },
	{ "inode_switch_wbs", "writeback" },
	{ "inode_switch_wbs_queue", "writeback" },
	{ "ipi_entry", "ipi" },
	{ "ipi_exit", "ipi" },
	{ "ipi_raise", "ipi" },
	{ "ipi_send_cpu", "ipi" },
	{ "ipi_send_cpumask", "ipi" },
	{ "irq_work_entry", "irq_vectors" },
	{ "irq_work_exit", "irq_vectors" },
	{ "itimer_expire", "timer" },
	{ "itimer_state", "timer" },
	{ "kernel_stack", "ftrace" },
	{ "kfree", "kmem" },
	{ "kmalloc", "kmem" },
	{ "kmalloc_node", "kmem" },
	{ "kmem_cache_alloc", "kmem" },
	{ "kmem_cache_alloc_node", "kmem" },
	{ "kmem_cache_free", "kmem" },
	{ "local_timer_entry", "irq_vectors" },
	{ "local_timer_exit", "irq_vectors" },
	{ "mark_victim", "oom" },
	{ "memcg_flush_stats", "memcg" },
	{ "mm_calculate_totalreserve_pages", "kmem" },
	{ "mm_lru_activate", "pagemap" },
	{ "mm_lru_insertion", "pagemap" },
	{ "mm_page_alloc", "kmem" },
	{ "mm_page_alloc_extfrag", "kmem" },
	{ "mm_page_alloc_zone_locked", "kmem" },
	{ "mm_page_free", "kmem" },
	{ "mm_page_free_batched", "kmem" },
	{ "mm_page_free_direct", "kmem" },
	{ "mm_page_pcpu_drain", "kmem" },
	{ "mm_pagevec_free", "kmem" },
	{ "mm_setup_per_zone_lowmem_reserve", "kmem" },
	{ "mm_setup_per_zone_wmarks", "kmem" },
	{ "mmiotrace_map", "ftrace" },
	{ "mmiotrace_rw", "ftrace" },
	{ "mod_memcg_lruvec_state", "memcg" },
	{ "mod_memcg_state", "memcg" },
	{ "nmi_handler", "nmi" },
	{ "oom_score_adj_update", "oom" },
	{ "osnoise", "ftrace" },
	{ "pm_qos_add_request", "power" },
	{ "pm_qos_remove_request", "power" },
	{ "pm_qos_update_flags", "power" },
	{ "pm_qos_update_request", "power" },
	{ "pm_qos_update_target", "power" },
	{ "power_domain_target", "power" },
	{ "print", "ftrace" },
	{ "pstate_sample", "power" },
	{ "raw_data", "ftrace" },
	{ "reclaim_retry_zone", "oom" },
	{ "remove_migration_pmd", "thp" },
	{ "remove_migration_pte", "migrate" },
	{ "reschedule_entry", "irq_vectors" },
	{ "reschedule_exit", "irq_vectors" },
	{ "rss_stat", "kmem" },
	{ "sb_clear_inode_writeback", "writeback" },
	{ "sb_mark_inode_writeback", "writeback" },
	{ "set_migration_pmd", "thp" },
	{ "set_migration_pte", "migrate" },
	{ "signal_deliver", "signal" },
	{ "signal_generate", "signal" },
	{ "skip_task_reaping", "oom" },
	{ "spurious_apic_entry", "irq_vectors" },
	{ "spurious_apic_exit", "irq_vectors" },
	{ "start_task_reaping", "oom" },
	{ "suspend_resume", "power" },
	{ "swiotlb_bounced", "swiotlb" },
	{ "sys_enter", "raw_syscalls" },
	{ "sys_exit", "raw_syscalls" },
	{ "task_newtask", "task" },
	{ "task_prctl_unknown", "task" },
	{ "task_rename", "task" },
	{ "thermal_apic_entry", "irq_vectors" },
	{ "thermal_apic_exit", "irq_vectors" },
	{ "tick_stop", "timer" },
	{ "timerlat", "ftrace" },
	{ "tlb_flush", "tlb" },
	{ "tracing_mark_write", "ftrace" },
	{ "track_foreign_dirty", "writeback" },
	{ "user_stack", "ftrace" },
	{ "vector_activate", "irq_vectors" },
	{ "vector_alloc", "irq_vectors" },
	{ "vector_alloc_managed", "irq_vectors" },
	{ "vector_clear", "irq_vectors" },
	{ "vector_config", "irq_vectors" },
	{ "vector_deactivate", "irq_vectors" },
	{ "vector_free_moved", "irq_vectors" },
	{ "vector_reserve", "irq_vectors" },
	{ "vector_reserve_managed", "irq_vectors" },
	{ "vector_setup", "irq_vectors" },
	{ "vector_teardown", "irq_vectors" },
	{ "vector_update", "irq_vectors" },
	{ "vm_unmapped_area", "mmap" },
	{ "wake_reaper", "oom" },
	{ "wakeup", "ftrace" },
	{ "wakeup_source_activate", "power" },
	{ "wakeup_source_deactivate", "power" },
	{ "wbc_writepage", "writeback" },
	{ "x86_platform_ipi_entry", "irq_vectors" },
	{ "x86_platform_ipi_exit", "irq_vectors" },
};

/* Tried in order after the exact names. */
static const struct system_of prefixes[] = {
	{ "sys_enter_", "syscalls" },
	{ "sys_exit_", "syscalls" },
	{ "sched_", "sched" },
	{ "mm_vmscan_", "vmscan" },
	{ "mm_shrink_slab_", "vmscan" },
	{ "mm_compaction_", "compaction" },
	{ "writeback_", "writeback" },
	{ "block_", "block" },
	{ "mm_filemap_", "filemap" },
	{ "mm_migrate_", "migrate" },
	{ "mm_khugepaged_", "huge_memory" },
	{ "mm_collapse_huge_page", "huge_memory" },
	{ "mmap_lock_", "mmap_lock" },
	{ "hrtimer_", "timer" },
	{ "timer_", "timer" },
	{ "softirq_", "irq" },
	{ "irq_handler_", "irq" },
	{ "tasklet_", "irq" },
	{ "workqueue_", "workqueue" },
	{ "call_function_", "irq_vectors" },
	{ "csd_", "csd" },
	{ "cpuhp_", "cpuhp" },
	{ "cgroup_", "cgroup" },
	{ "percpu_", "percpu" },
	{ "ext4_", "ext4" },
	{ "xfs_", "xfs" },
	{ "jbd2_", "jbd2" },
	{ "btrfs_", "btrfs" },
	{ "f2fs_", "f2fs" },
	{ "iomap_", "iomap" },
	{ "nfs_", "nfs" },
	{ "nfs4_", "nfs4" },
	{ "kvm_", "kvm" },
	{ "rcu_", "rcu" },
	{ "thermal_", "thermal" },
	{ "net_dev_", "net" },
	{ "napi_", "napi" },
	{ "tcp_", "tcp" },
	{ "page_cache_", "readahead" },
	{ "dma_fence_", "dma_fence" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* strcmp of name[0..n) with a NUL-terminated string. */
static int compare(const char *name, size_t n, const char *s)
{
	size_t len = strlen(s);
	int c = memcmp(name, s, n < len ? n : len);

	if (c)
		return c;
	return n < len ? -1 : n > len;
}

const char *tt_system_of(const char *name, size_t n)
{
	size_t lo = 0, hi = COUNT(exact);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = compare(name, n, exact[mid].name);

		if (c == 0)
			return exact[mid].system;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	for (size_t i = 0; i < COUNT(prefixes); i++) {
		size_t len = strlen(prefixes[i].name);

		if (n > len && !memcmp(name, prefixes[i].name, len))
			return prefixes[i].system;
	}
	return "unknown";
}
