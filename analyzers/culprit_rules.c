/*
 * The culprit of a report: the function a kernel developer would name in
 * its title. Reporting, debugging, sanitizer, locking and string helpers
 * are never it; for blocked tasks neither is the scheduler or wait
 * plumbing; for allocation reports neither is the allocator. CPU stalls
 * loop somewhere below an entry point (a syscall, a work item, a softirq),
 * so their culprit is the function that entry point called.
 */
#include "analyzers/stackrules.h"

#include <string.h>

/* Frames that are never the culprit: substrings, as helpers come in families. */
static const char *const skip_common[] = {
	/* Reporting, debugging and sanitizer machinery. */
	"dump_stack", "dump_backtrace", "show_stack", "__warn", "warn_slowpath",
	"warn_printk", "warn_alloc", "report_bug", "panic", "might_sleep", "might_fault",
	"might_resched", "lockdep", "lock_acquire", "lock_release", "lock_acquired",
	"lock_contended", "lock_class", "mark_lock", "reacquire_held_locks",
	"lock_is_held", "print_circular_bug", "check_noncircular", "validate_chain",
	"check_prev_add", "debug_check_no_locks_held", "__schedule_bug", "kasan",
	"__asan", "__msan", "kmsan", "__sanitizer", "ubsan", "kcsan", "__tsan", "kfence",
	"kmemleak", "create_object", "check_memory_region", "read_word_at_a_time",
	"print_address_description", "print_report", "invalid_op", "fixup_bug", "do_error",
	"_trap", "handle_bug", "asm_exc_", "__do_kernel_fault", "debug_object",
	"debug_print_object", "timer_is_static_object", "work_is_static_object",
	"perf_trace", "printk", "dev_info", "dev_notice", "dev_warn", "dev_err",
	"dev_alert", "dev_crit", "dev_emerg", "show_regs", "nmi_cpu_backtrace",
	"cpumask_backtrace", "cpu_backtrace", "nmi_handle", "default_do_nmi", "exc_nmi",
	"do_nmi", "end_repeat_nmi", "debug_show_all_locks", "show_mem",
	"show_free_areas", "dump_header", "spin_dump", "spin_bug",
	"check_preemption_disabled", "debug_smp_processor_id", "__this_cpu_preempt_check",
	"__check_object_size", "check_heap_object", "__check_heap_object", "usercopy",
	"__stack_chk_fail", "fortify", "warn_bogus_irq_restore", "ref_tracker",
	"__seqprop", "_indirect_thunk_", "copy_to_iter", "copyout", "instrument_copy",
	"folio_unlock", "unlock_page",
	"print_unlock_imbalance_bug", "lock_sock", "release_sock",
	/* Library code: string, memory, list, tree and id helpers. */
	"refcount_", "memcpy", "memcmp", "memset", "memchr", "memmove", "strcmp",
	"strncmp", "strcpy", "strlcpy", "strncpy", "strscpy", "strlen", "strnstr",
	"strnlen", "strchr", "string", "pointer", "snprintf", "scnprintf", "kasprintf",
	"copy_to_user", "copy_from_user", "put_user", "get_user", "list_add", "list_del",
	"list_replace", "list_move", "list_splice", "rb_insert", "rb_erase", "rb_next",
	"rb_prev", "rb_first", "rb_last", "__rb_", "klist_", "ida_", "idr_",
	"__phys_addr", "__virt_to_phys", "skb_put", "skb_push", "skb_pull",
	"skb_over_panic", "skb_under_panic", "skb_panic", "crc16", "crc32", "crc_",
	"aes_encrypt", "aes_decrypt", "strstr", "atomic_read", "atomic_dec_and",
	"test_and_clear_bit", "test_and_set_bit", "rhashtable_", "read_once_word",
	"stack_trace_", "walk_stackframe", "unwind_", "kernel_fpu_begin", "va_format",
	"trace_hardirqs", "hwasan", "do_tag_check_fault", "el1_abort", "el1_da",
	"el1h_", "el0_", "post_alloc_hook", "set_page_owner", "lock_timer_base",
	/* Locking, sleeping and deferred-work primitives. */
	"spin_lock", "spin_trylock", "spin_unlock", "raw_read_lock", "raw_read_trylock",
	"raw_write_lock", "raw_write_trylock", "up_read", "up_write", "mutex_lock",
	"mutex_trylock", "mutex_unlock", "mutex_remove_waiter", "osq_lock", "osq_unlock",
	"__wake_up", "del_timer", "hrtimer_start", "__local_bh_enable", "try_to_grab_pending",
	"flush_work", "destroy_workqueue", "finish_wait", "cleanup_srcu_struct",
	/* Driver-model and subsystem helpers that report their callers' bugs. */
	"kobject_", "sysfs_", "device_add", "device_del", "device_unregister",
	"device_destroy", "device_for_each_child", "device_remove_file",
	"get_device_parent", "add_uevent_var", "rollback_registered", "unregister_netdev",
	"usb_control_msg", "usb_submit_urb", "usb_kill_urb", "usb_kill_anchored_urbs",
	"usb_hcd_submit_urb", "dummy_urb_enqueue", "tty_unregister_device",
	"i2c_del_adapter", "hwrng_unregister", "__unregister_client", "drop_nlink",
	"clear_nlink",
	NULL
};

/* Files of library code, whose functions report their callers' bugs. */
static const char *const library_files[] = {
	"lib/", "mm/kasan/", "mm/kmsan/", "mm/kfence/", "kernel/kcov.c", "mm/slab.c",
	"mm/slub.c", "mm/slob.c", "mm/slab_common.c", "mm/page_alloc.c", "mm/util.c",
	"mm/vmalloc.c", "mm/percpu", "kernel/locking/", "kernel/panic.c",
	"kernel/printk/", "kernel/workqueue.c", "kernel/softirq.c", "net/core/skbuff.c",
	"arch/x86/kernel/traps.c", "arch/x86/mm/fault.c", "arch/x86/mm/physaddr.c",
	"arch/arm64/kernel/traps.c", "arch/arm64/mm/fault.c", NULL
};

/* A fault or WARN inside the allocator or a free function is its caller's bug. */
static const char *const skip_free_prefix[] = {
	"kfree", "kvfree", "vfree", "vunmap", "kmem_cache_free", "__kmem_cache_free",
	"slab_free", "__slab_free", "free_pages", "__free_pages", "kfree_skb",
	"__kfree_skb", "consume_skb", "put_device", "kmalloc_slab",
	"__vmalloc_node", "__alloc_pages", "__alloc_frozen_pages", NULL
};

/* ODEBUG names the user of the tracked object, not the object helpers. */
static const char *const skip_odebug[] = {
	"debug_", "rcu", "hrtimer_", "timer_", "work_", "percpu_", "kmem_", "slab_",
	"kfree", "vunmap", "vfree", "__free_", "kobject_", NULL
};

/* Memory-leak reports name the caller of the allocation that leaked. */
static const char *const skip_leak[] = {
	"kmemleak", "kmalloc", "kcalloc", "kzalloc", "vmalloc", "mmap", "kmem", "slab",
	"alloc", "create_object", "idr_get", "list_lru_init", "kasprintf", "kvasprintf",
	"pcpu_create", "strdup", "strndup", "memdup", NULL
};

/* A blocked task names what it waits in, not how it sleeps. */
static const char *const skip_blocked[] = {
	"sched", "_lock", "_slowlock", "down", "completion", "kthread", "wait",
	"synchronize", "context_switch", "__switch_to", "cancel_delayed_work",
	"flush_work", "__cancel_work", "cancel_work_sync", "flush_workqueue",
	"drain_workqueue", NULL
};

/* An allocation report names the allocating caller, not the allocator. */
static const char *const skip_alloc_prefix[] = {
	"alloc_pages", "__alloc_pages", "alloc_page_", "folio_alloc", "__folio_alloc",
	"alloc_frozen_pages", "__alloc_frozen_pages", "kmalloc", "__kmalloc", "___kmalloc",
	"kmem_cache_alloc", "__kmem_cache_alloc", "slab_alloc", "___slab_alloc",
	"__slab_alloc", "allocate_slab", "new_slab", "alloc_slab_page", "kmalloc_large",
	"kmalloc_order", "vmalloc", "__vmalloc", "kvmalloc", "__kvmalloc", "kzalloc",
	"kcalloc", "krealloc", "__get_free_pages", "get_zeroed_page", "alloc_pages_vma",
	"alloc_pages_current", "alloc_pages_mpol", "alloc_page_interleave",
	"vm_area_alloc", "__vm_area_alloc", "alloc_vmap_area", "mem_cgroup_",
	"try_charge", "charge_memcg", "__mem_cgroup_charge", "obj_cgroup_charge",
	"__memcg_kmem_charge", "memcg_", "out_of_memory", "oom_", "pagefault_out_of_memory",
	"__alloc_pages_may_oom", "__alloc_pages_slowpath", "mempool_alloc", "kmemdup",
	"kstrdup", "memdup", "pcpu_alloc", "__alloc_percpu", "kmem_alloc", "kmem_zalloc",
	"kmem_zone_alloc", "dma_alloc", "__dma_alloc", "dma_direct_alloc",
	"__alloc_skb", "alloc_skb", "__netdev_alloc_skb", "__napi_alloc_skb",
	"page_frag_alloc", "__page_frag_alloc", "alloc_skb_with_frags",
	/* ZFS's Solaris Porting Layer wraps the kernel's allocators. */
	"spl_kmem_alloc", "spl_kmem_zalloc", "spl_vmem_alloc", "spl_vmem_zalloc",
	"spl_kmem_cache_alloc", NULL
};

/* Entry points: a stalled CPU's culprit is what such a frame called. */
static const char *const stall_anchors[] = {
	"process_one_work", "do_syscall_", "x64_sys_call", "do_fast_syscall_",
	"sysenter_dispatch", "tracesys_phase2", "netif_receive_skb", "do_softirq",
	"call_timer_fn", "_run_timers", "run_timer_softirq", "run_ksoftirqd",
	"smpboot_thread_fn", "kthread", "start_secondary", "cpu_startup_entry",
	"ret_from_fork", "vfs_write", "vfs_read", "vfs_iter_read", "vfs_iter_write",
	"do_iter_read", "do_iter_write", "vfs_ioctl", "blkdev_driver_ioctl",
	"blkdev_ioctl", "do_iter_readv_writev", "mmap_region", "do_mmap",
	"do_dentry_open", "vfs_open", "__sys_setsockopt", "kernel_setsockopt",
	"sock_common_setsockopt", "__sys_listen", "kernel_listen", "sk_common_release",
	"__sys_accept", "kernel_accept", "__do_fault", "handle_mm_fault",
	"do_page_fault", "__fput", "task_work_run", "exit_to_usermode",
	"el0_svc_common", "invoke_syscall",
	/* Netlink dispatchers: the handler they called is what ran. */
	"rtnetlink_rcv_msg", "genl_rcv_msg", "genl_family_rcv_msg", "netlink_dump",
	"genl_lock_dumpit", "genl_dumpit", NULL
};

/* Anchors that must match from the start of the name. */
static const char *const stall_anchor_prefixes[] = {
	"call_read_iter", "call_write_iter", "call_mmap", "sock_sendmsg",
	"sock_recvmsg", "sock_release", "__sock_release", "sock_mmap",
	"sock_do_ioctl", "sock_ioctl", "compat_sock_ioctl", "nfnetlink_rcv_msg", NULL
};

static bool contains_any(const char *sym, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strstr(sym, list[i]))
			return true;
	return false;
}

static bool prefix_any(const char *sym, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strncmp(sym, list[i], strlen(list[i])))
			return true;
	return false;
}

bool stackrules_library_file(const char *src)
{
	size_t n;

	if (!src || !src[0])
		return false;
	if (src[0] == '.' && src[1] == '/')
		src += 2;
	n = strcspn(src, ":");
	if (n > 2 && src[n - 2] == '.' && src[n - 1] == 'h')
		return true;	/* helpers inlined from headers */
	return prefix_any(src, library_files);
}

bool stackrules_skipped(const char *sym, const char *style)
{
	if (!sym[0] || (sym[0] == '0' && sym[1] == 'x'))
		return true;	/* an address the kernel could not name */
	if (contains_any(sym, skip_common))
		return true;
	if (!strcmp(style, "blocked") || !strcmp(style, "sleep"))
		return contains_any(sym, skip_blocked);
	if (!strcmp(style, "alloc"))
		return prefix_any(sym, skip_alloc_prefix);
	if (!strcmp(style, "leak"))
		return contains_any(sym, skip_leak);
	if (!strcmp(style, "lockdep"))
		return prefix_any(sym, skip_alloc_prefix) || !strncmp(sym, "rcu_", 4) ||
		       !strncmp(sym, "__rcu_", 6);
	if (!strcmp(style, "odebug"))
		return contains_any(sym, skip_odebug);
	if (!strcmp(style, "stackend"))
		return strstr(sym, "schedule") != NULL;
	if (!strcmp(style, "fault"))
		return prefix_any(sym, skip_free_prefix) || prefix_any(sym, skip_alloc_prefix);
	return false;
}

static bool usable(const struct stack_view *v, size_t i)
{
	for (size_t k = 0; k < v->n; k++)
		if (v->reliable[k])
			return v->reliable[i];
	return true;
}

static bool stall_anchor(const char *sym)
{
	return contains_any(sym, stall_anchors) || prefix_any(sym, stall_anchor_prefixes) ||
	       ((strstr(sym, "sys_connect") || strstr(sym, "sys_ioctl") ||
		 strstr(sym, "sys_socketpair")) && strncmp(sym, "sys_", 4) != 0);
}

/*
 * The frame before the first entry point, skipping what is never named.
 * A CPU spinning in a cross-CPU function call waits for another CPU to run
 * it: the call itself is what stalls.
 */
static int stall_culprit(const struct stack_view *v, size_t from)
{
	int prev = -1;

	for (size_t i = from; i < v->n; i++)
		if (usable(v, i) && !strncmp(v->sym[i], "smp_call_function", 17))
			return (int)i;
	for (size_t i = from; i < v->n; i++) {
		if (!usable(v, i))
			continue;
		if (stall_anchor(v->sym[i]))
			return prev;
		if (!stackrules_skipped(v->sym[i], "stall") && !strstr(v->sym[i], "rcu") &&
		    !strstr(v->sym[i], "schedule"))
			prev = (int)i;
	}
	return -1;
}

/* Hangs behind rtnl or an RCU grace period are named after that. */
static int hang_anchor(const struct stack_view *v, size_t from)
{
	static const char *const anchors[] = {
		"rtnl_lock", "synchronize_rcu", "synchronize_srcu", "synchronize_net",
		"synchronize_sched", NULL
	};

	for (size_t i = from; i < v->n; i++)
		if (usable(v, i) && prefix_any(v->sym[i], anchors))
			return (int)i;
	return -1;
}

int stackrules_culprit(const struct stack_view *v, size_t from, const char *style)
{
	int i;

	if (!strcmp(style, "stall") || !strcmp(style, "stackend")) {
		i = stall_culprit(v, from);
		if (i >= 0)
			return i;
	}
	if (!strcmp(style, "blocked") && (i = hang_anchor(v, from)) >= 0)
		return i;
	for (size_t k = from; k < v->n; k++) {
		if (!usable(v, k) || stackrules_skipped(v->sym[k], style))
			continue;
		if (v->src && strcmp(style, "blocked") && stackrules_library_file(v->src[k]))
			continue;
		return (int)k;
	}
	return -1;
}
