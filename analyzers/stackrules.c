/*
 * Kernel facts about stacks, as data: which frames are scheduler and wait
 * plumbing, what a blocked task waits for given the frames above that
 * plumbing (its wait class), and which frames a kernel developer would not
 * name as the culprit of a report. Symbols are compared without compiler
 * suffixes (".isra.0", ".constprop.3", ".cold").
 */
#include "analyzers/stackrules.h"

#include <stdint.h>
#include <string.h>

/* A name pattern: exact, "prefix*" or "*suffix". */
static bool sym_match(const char *sym, const char *pat)
{
	size_t pl = strlen(pat), sl;

	if (pl && pat[pl - 1] == '*')
		return !strncmp(sym, pat, pl - 1);
	if (pat[0] == '*') {
		sl = strlen(sym);
		return sl >= pl - 1 && !strcmp(sym + sl - (pl - 1), pat + 1);
	}
	return !strcmp(sym, pat);
}

struct plumbing {
	const char *symbol;
	enum prim prim;
};

/* Frames that only say "this task sleeps" or "it takes a lock". */
static const struct plumbing plumbing[] = {
	/* The scheduler switching away from the task. */
	{ "__schedule", PRIM_SCHED }, { "schedule", PRIM_SCHED },
	{ "schedule_timeout*", PRIM_SCHED }, { "schedule_hrtimeout*", PRIM_SCHED },
	{ "schedule_preempt_disabled", PRIM_SCHED }, { "preempt_schedule*", PRIM_SCHED },
	{ "__cond_resched*", PRIM_SCHED }, { "_cond_resched", PRIM_SCHED },
	{ "__switch_to*", PRIM_SCHED }, { "context_switch", PRIM_SCHED },
	{ "schedule_idle", PRIM_SCHED }, { "freezable_schedule*", PRIM_SCHED },
	{ "do_nanosleep", PRIM_SCHED }, { "hrtimer_nanosleep", PRIM_SCHED },
	{ "msleep*", PRIM_SCHED }, { "usleep_range*", PRIM_SCHED },
	/* Sleeping until I/O completes: the caller says which I/O. */
	{ "io_schedule", PRIM_IO }, { "io_schedule_timeout", PRIM_IO },
	{ "__io_schedule", PRIM_IO }, { "bit_wait_io*", PRIM_IO },
	{ "wait_for_completion_io*", PRIM_IO },
	/* Generic waits on an event, a bit or a completion. */
	{ "wait_for_completion*", PRIM_COMPLETION }, { "__wait_for_common", PRIM_COMPLETION },
	{ "wait_for_common*", PRIM_COMPLETION }, { "do_wait_for_common", PRIM_COMPLETION },
	{ "__wait_on_bit*", PRIM_BIT }, { "out_of_line_wait_on_bit*", PRIM_BIT },
	{ "wait_on_bit*", PRIM_BIT }, { "bit_wait*", PRIM_BIT },
	{ "folio_wait_bit_common", PRIM_BIT }, { "folio_wait_bit", PRIM_BIT },
	{ "folio_wait_bit_killable", PRIM_BIT }, { "wait_on_page_bit*", PRIM_BIT },
	{ "__wait_var_event*", PRIM_BIT }, { "wait_var_event*", PRIM_BIT },
	{ "prepare_to_wait*", PRIM_SCHED }, { "finish_wait", PRIM_SCHED },
	{ "wait_woken", PRIM_SCHED }, { "__wait_event*", PRIM_SCHED },
	{ "add_wait_queue*", PRIM_SCHED }, { "autoremove_wake_function", PRIM_SCHED },
	/* Sleeping locks. */
	{ "__mutex_lock*", PRIM_MUTEX }, { "mutex_lock*", PRIM_MUTEX },
	{ "__ww_mutex_lock*", PRIM_MUTEX }, { "ww_mutex_lock*", PRIM_MUTEX },
	{ "rwsem_down_*", PRIM_RWSEM }, { "down_read*", PRIM_RWSEM },
	{ "down_write*", PRIM_RWSEM }, { "__down_read*", PRIM_RWSEM },
	{ "__down_write*", PRIM_RWSEM }, { "call_rwsem_down_*", PRIM_RWSEM },
	{ "rwsem_optimistic_spin", PRIM_RWSEM }, { "rwbase_*", PRIM_RWSEM },
	{ "percpu_rwsem_wait", PRIM_PERCPU_RWSEM }, { "__percpu_down_read", PRIM_PERCPU_RWSEM },
	{ "percpu_down_read*", PRIM_PERCPU_RWSEM }, { "percpu_down_write", PRIM_PERCPU_RWSEM },
	{ "__percpu_rwsem_*", PRIM_PERCPU_RWSEM }, { "percpu_rwsem_down_*", PRIM_PERCPU_RWSEM },
	{ "__down", PRIM_SEMAPHORE }, { "__down_common", PRIM_SEMAPHORE },
	{ "__down_timeout", PRIM_SEMAPHORE }, { "__down_interruptible", PRIM_SEMAPHORE },
	{ "__down_killable", PRIM_SEMAPHORE }, { "down", PRIM_SEMAPHORE },
	{ "down_timeout", PRIM_SEMAPHORE }, { "down_interruptible", PRIM_SEMAPHORE },
	{ "down_killable", PRIM_SEMAPHORE },
	{ "rt_mutex*", PRIM_RTMUTEX }, { "__rt_mutex*", PRIM_RTMUTEX },
	{ "rt_spin_lock*", PRIM_RTMUTEX }, { "rtlock_slowlock*", PRIM_RTMUTEX },
	/* Spinning for a spinlock or rwlock. */
	{ "_raw_spin_lock*", PRIM_SPIN }, { "__raw_spin_lock*", PRIM_SPIN },
	{ "queued_spin_lock_slowpath", PRIM_SPIN }, { "native_queued_spin_lock_slowpath", PRIM_SPIN },
	{ "__pv_queued_spin_lock_slowpath", PRIM_SPIN }, { "do_raw_spin_lock", PRIM_SPIN },
	{ "_raw_read_lock*", PRIM_SPIN }, { "_raw_write_lock*", PRIM_SPIN },
	{ "queued_read_lock_slowpath", PRIM_SPIN }, { "queued_write_lock_slowpath", PRIM_SPIN },
	{ "do_raw_read_lock", PRIM_SPIN }, { "do_raw_write_lock", PRIM_SPIN },
	{ "arch_spin_lock", PRIM_SPIN }, { "__ticket_spin_lock", PRIM_SPIN },
	/* Lock debugging wrapped around the above. */
	{ "lock_acquire*", PRIM_NONE }, { "__lock_acquire", PRIM_NONE },
	{ "lock_release", PRIM_NONE }, { "lock_acquired", PRIM_NONE },
	{ "lock_contended", PRIM_NONE },
	/* Reclaim and allocation retry loops sleeping between attempts. */
	{ "congestion_wait", PRIM_SCHED }, { "wait_iff_congested", PRIM_SCHED },
	{ "memalloc_retry_wait", PRIM_SCHED },
};

#define R(sym, cls, scope, needs) { sym, cls, scope, needs }
#define NEAR SCOPE_NEAR
#define ANY SCOPE_ANY
#define CTX SCOPE_CONTEXT

/*
 * The wait rules, searched from the innermost frame outwards past the
 * plumbing; the first rule that matches gives the wait class. Rules with a
 * primitive apply only when the task sleeps in that primitive.
 */
const struct wait_rule stackrules_table[] = {
	/* CPU hotplug lock: cpus_read_lock() waits while a CPU goes on/offline. */
	R("cpus_read_lock", "cpu_hotplug", NEAR, PRIM_NONE),
	R("get_online_cpus", "cpu_hotplug", NEAR, PRIM_NONE),
	/* The hotplug writer waits for readers, or for hotplug state callbacks. */
	R("cpus_write_lock", "cpu_hotplug", NEAR, PRIM_NONE),
	R("cpu_hotplug_begin", "cpu_hotplug", NEAR, PRIM_NONE),
	R("cpu_maps_update_begin", "cpu_hotplug", NEAR, PRIM_NONE),
	R("lock_device_hotplug*", "cpu_hotplug", NEAR, PRIM_NONE),
	R("_cpu_down", "cpu_hotplug", NEAR, PRIM_NONE),
	R("_cpu_up", "cpu_hotplug", NEAR, PRIM_NONE),
	/* Waiting for a hotplug step (a completion), not a lock a callback sleeps on. */
	R("cpuhp_*", "cpu_hotplug", NEAR, PRIM_COMPLETION),
	/* Write access to a mount or superblock: blocks while the fs is frozen. */
	R("mnt_want_write*", "fs_freeze", NEAR, PRIM_NONE),
	R("__mnt_want_write*", "fs_freeze", NEAR, PRIM_NONE),
	R("sb_start_write", "fs_freeze", NEAR, PRIM_NONE),
	R("__sb_start_write", "fs_freeze", NEAR, PRIM_NONE),
	R("sb_start_pagefault", "fs_freeze", NEAR, PRIM_NONE),
	R("sb_start_intwrite", "fs_freeze", NEAR, PRIM_NONE),
	R("file_start_write", "fs_freeze", NEAR, PRIM_NONE),
	/* VFS entry points whose only percpu-rwsem is the superblock's freeze protection. */
	R("vfs_write", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("vfs_writev", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("do_iter_write", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("vfs_iter_write", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("ksys_write", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("vfs_fallocate", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("do_truncate", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("do_sys_ftruncate", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("vfs_copy_file_range", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("do_splice_direct", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("do_page_mkwrite", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("*_page_mkwrite", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("file_update_time", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("file_modified", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("touch_atime", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("filename_create", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("open_last_lookups", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("do_unlinkat", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("do_rmdir", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("do_renameat2", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("xfs_trans_alloc*", "fs_freeze", NEAR, PRIM_PERCPU_RWSEM),
	R("ext4_journal_check_start", "fs_freeze", NEAR, PRIM_NONE),
	/* The other percpu rwsems: cgroup membership changes on fork and exit. */
	R("copy_process", "rwsem", NEAR, PRIM_PERCPU_RWSEM),
	R("exit_signals", "rwsem", NEAR, PRIM_PERCPU_RWSEM),
	R("cgroup_*", "rwsem", NEAR, PRIM_PERCPU_RWSEM),
	R("__cgroup_*", "rwsem", NEAR, PRIM_PERCPU_RWSEM),
	/* freeze_super/thaw_super themselves waiting for writers to drain. */
	R("freeze_super", "fs_freeze", NEAR, PRIM_NONE),
	R("thaw_super", "fs_freeze", NEAR, PRIM_NONE),
	/* Locking a page-cache page (or folio) another task holds locked, often under I/O. */
	R("__folio_lock*", "page_lock", NEAR, PRIM_NONE),
	R("folio_lock*", "page_lock", NEAR, PRIM_NONE),
	R("__lock_page*", "page_lock", NEAR, PRIM_NONE),
	R("lock_page*", "page_lock", NEAR, PRIM_NONE),
	R("__folio_lock_or_retry", "page_lock", NEAR, PRIM_NONE),
	R("wait_on_page_locked*", "page_lock", NEAR, PRIM_NONE),
	R("folio_wait_locked*", "page_lock", NEAR, PRIM_NONE),
	R("migration_entry_wait*", "page_lock", NEAR, PRIM_NONE),
	/* Page-cache lookups that lock the page (inlined folio_lock): read I/O holds it. */
	R("filemap_get_pages", "page_lock", NEAR, PRIM_BIT),
	R("filemap_get_pages", "page_lock", NEAR, PRIM_IO),
	R("filemap_update_page", "page_lock", NEAR, PRIM_BIT),
	R("filemap_update_page", "page_lock", NEAR, PRIM_IO),
	R("filemap_fault", "page_lock", NEAR, PRIM_BIT),
	R("filemap_fault", "page_lock", NEAR, PRIM_IO),
	R("__filemap_get_folio", "page_lock", NEAR, PRIM_BIT),
	R("__filemap_get_folio", "page_lock", NEAR, PRIM_IO),
	R("do_read_cache_folio", "page_lock", NEAR, PRIM_BIT),
	R("do_read_cache_folio", "page_lock", NEAR, PRIM_IO),
	/* Waiting for a page or an inode's pages to finish writeback. */
	R("folio_wait_writeback*", "writeback_wait", NEAR, PRIM_NONE),
	R("folio_wait_stable", "writeback_wait", NEAR, PRIM_NONE),
	R("wait_on_page_writeback", "writeback_wait", NEAR, PRIM_NONE),
	R("wait_for_stable_page", "writeback_wait", NEAR, PRIM_NONE),
	R("__filemap_fdatawait_range", "writeback_wait", NEAR, PRIM_NONE),
	R("filemap_fdatawait*", "writeback_wait", NEAR, PRIM_NONE),
	R("filemap_write_and_wait*", "writeback_wait", NEAR, PRIM_NONE),
	R("file_write_and_wait_range", "writeback_wait", NEAR, PRIM_NONE),
	R("file_check_and_advance_wb_err", "writeback_wait", NEAR, PRIM_NONE),
	/* sync(2) and syncfs(2): waiting for writeback of a whole superblock. */
	R("wb_wait_for_completion", "writeback_wait", NEAR, PRIM_NONE),
	R("sync_inodes_sb", "writeback_wait", NEAR, PRIM_NONE),
	R("wait_sb_inodes", "writeback_wait", NEAR, PRIM_NONE),
	R("__writeback_inodes_sb_nr", "writeback_wait", NEAR, PRIM_NONE),
	R("writeback_inodes_sb*", "writeback_wait", NEAR, PRIM_NONE),
	R("inode_wait_for_writeback", "writeback_wait", NEAR, PRIM_NONE),
	R("__inode_wait_for_writeback", "writeback_wait", NEAR, PRIM_NONE),
	/* A mempool empty: the caller waits for an element to be freed back. */
	R("mempool_alloc*", "mempool", NEAR, PRIM_NONE),
	/* No free request tag or I/O throttled by the block layer. */
	R("blk_mq_get_tag", "block_request", NEAR, PRIM_NONE),
	R("__blk_mq_get_tag", "block_request", NEAR, PRIM_NONE),
	R("blk_mq_get_request", "block_request", NEAR, PRIM_NONE),
	R("__blk_mq_alloc_request*", "block_request", NEAR, PRIM_NONE),
	R("blk_mq_alloc_request*", "block_request", NEAR, PRIM_NONE),
	R("get_request", "block_request", NEAR, PRIM_NONE),
	R("get_request_wait", "block_request", NEAR, PRIM_NONE),
	R("blk_get_request", "block_request", NEAR, PRIM_NONE),
	R("blk_queue_enter", "block_request", NEAR, PRIM_NONE),
	R("bio_queue_enter", "block_request", NEAR, PRIM_NONE),
	R("__bio_queue_enter", "block_request", NEAR, PRIM_NONE),
	R("wbt_wait", "block_request", NEAR, PRIM_NONE),
	R("__wbt_wait", "block_request", NEAR, PRIM_NONE),
	R("rq_qos_wait", "block_request", NEAR, PRIM_NONE),
	R("__rq_qos_throttle", "block_request", NEAR, PRIM_NONE),
	/* Synchronous buffer and bio I/O: the task waits for one device read or write. */
	R("__wait_on_buffer", "io_wait", NEAR, PRIM_NONE),
	R("wait_on_buffer", "io_wait", NEAR, PRIM_NONE),
	R("__bread*", "io_wait", NEAR, PRIM_NONE),
	R("__sync_dirty_buffer", "io_wait", NEAR, PRIM_NONE),
	R("sync_dirty_buffer", "io_wait", NEAR, PRIM_NONE),
	R("submit_bio_wait", "io_wait", NEAR, PRIM_NONE),
	R("blk_execute_rq", "io_wait", NEAR, PRIM_NONE),
	R("blkdev_issue_flush", "io_wait", NEAR, PRIM_NONE),
	R("__blkdev_direct_IO*", "io_wait", NEAR, PRIM_NONE),
	R("__iomap_dio_rw", "io_wait", NEAR, PRIM_NONE),
	R("iomap_dio_rw", "io_wait", NEAR, PRIM_NONE),
	R("scsi_execute*", "io_wait", NEAR, PRIM_NONE),
	R("wait_on_page_read", "io_wait", NEAR, PRIM_NONE),
	/* md RAID waiting for its superblock and bitmap writes. */
	R("md_super_wait", "io_wait", NEAR, PRIM_NONE),
	R("md_bitmap_unplug*", "io_wait", NEAR, PRIM_NONE),
	R("md_bitmap_wait_writes", "io_wait", NEAR, PRIM_NONE),
	/* Waiting for in-flight asynchronous I/O at exit or io_destroy. */
	R("exit_aio", "io_wait", NEAR, PRIM_NONE),
	R("wait_for_all_aios", "io_wait", NEAR, PRIM_NONE),
	/* Journal: waiting for a commit, for credits, or for the commit thread. */
	R("jbd2_log_wait_commit", "journal", NEAR, PRIM_NONE),
	R("jbd2_journal_commit_transaction", "journal", NEAR, PRIM_NONE),
	R("wait_transaction_locked", "journal", NEAR, PRIM_NONE),
	R("wait_transaction_switching", "journal", NEAR, PRIM_NONE),
	R("add_transaction_credits", "journal", NEAR, PRIM_NONE),
	R("start_this_handle", "journal", NEAR, PRIM_NONE),
	R("jbd2__journal_start", "journal", NEAR, PRIM_NONE),
	R("__jbd2_log_wait_for_space", "journal", NEAR, PRIM_NONE),
	R("jbd2_log_do_checkpoint", "journal", NEAR, PRIM_NONE),
	R("jbd2_complete_transaction", "journal", NEAR, PRIM_NONE),
	R("jbd2_journal_force_commit*", "journal", NEAR, PRIM_NONE),
	R("jbd2_journal_lock_updates", "journal", NEAR, PRIM_NONE),
	R("jbd2_journal_stop", "journal", NEAR, PRIM_NONE),
	R("do_get_write_access", "journal", NEAR, PRIM_NONE),
	R("xlog_grant_head_wait", "journal", NEAR, PRIM_NONE),
	R("xlog_grant_head_check", "journal", NEAR, PRIM_NONE),
	R("xfs_log_reserve", "journal", NEAR, PRIM_NONE),
	R("xlog_wait*", "journal", NEAR, PRIM_NONE),
	R("xfs_log_force*", "journal", NEAR, PRIM_NONE),
	R("_xfs_log_force*", "journal", NEAR, PRIM_NONE),
	R("xlog_cil_force*", "journal", NEAR, PRIM_NONE),
	R("xlog_cil_push_now", "journal", NEAR, PRIM_NONE),
	R("wait_current_trans", "journal", NEAR, PRIM_NONE),
	R("btrfs_commit_transaction", "journal", NEAR, PRIM_NONE),
	R("wait_for_commit", "journal", NEAR, PRIM_NONE),
	/* Writers throttled because too much of memory is dirty. */
	R("balance_dirty_pages*", "dirty_throttle", NEAR, PRIM_NONE),
	/* Reclaim throttled: too many pages isolated, or waiting for writeback progress. */
	R("reclaim_throttle", "reclaim_throttle", NEAR, PRIM_NONE),
	R("throttle_direct_reclaim", "reclaim_throttle", NEAR, PRIM_NONE),
	R("shrink_inactive_list", "reclaim_throttle", NEAR, PRIM_SCHED),
	R("shrink_node", "reclaim_throttle", NEAR, PRIM_SCHED),
	R("do_try_to_free_pages", "reclaim_throttle", NEAR, PRIM_SCHED),
	/* Filesystem allocation loops that retry forever instead of failing. */
	R("kmem_alloc*", "alloc_retry", NEAR, PRIM_NONE),
	R("kmem_zalloc*", "alloc_retry", NEAR, PRIM_NONE),
	R("kmem_zone_alloc", "alloc_retry", NEAR, PRIM_NONE),
	R("xfs_buf_alloc_pages", "alloc_retry", NEAR, PRIM_NONE),
	R("xfs_buf_allocate_memory", "alloc_retry", NEAR, PRIM_NONE),
	/* The page allocator's slow path sleeping before another attempt (or for oom_lock). */
	R("__alloc_pages_slowpath*", "alloc_retry", NEAR, PRIM_SCHED),
	R("should_reclaim_retry", "alloc_retry", NEAR, PRIM_NONE),
	R("__alloc_pages_may_oom", "alloc_retry", NEAR, PRIM_NONE),
	/* Allocating a swap slot: scanning swap maps, often with the swap lock contended. */
	R("get_swap_page*", "swap_alloc", NEAR, PRIM_NONE),
	R("get_swap_pages", "swap_alloc", NEAR, PRIM_NONE),
	R("scan_swap_map*", "swap_alloc", NEAR, PRIM_NONE),
	R("folio_alloc_swap", "swap_alloc", NEAR, PRIM_NONE),
	R("add_to_swap", "swap_alloc", NEAR, PRIM_NONE),
	R("swap_alloc_*", "swap_alloc", NEAR, PRIM_NONE),
	R("cluster_alloc_swap_entry", "swap_alloc", NEAR, PRIM_NONE),
	R("alloc_swap_scan_cluster", "swap_alloc", NEAR, PRIM_NONE),
	/* Waiting for an RCU grace period. */
	R("synchronize_rcu*", "rcu", NEAR, PRIM_NONE),
	R("synchronize_srcu*", "rcu", NEAR, PRIM_NONE),
	R("__synchronize_srcu", "rcu", NEAR, PRIM_NONE),
	R("synchronize_sched*", "rcu", NEAR, PRIM_NONE),
	R("synchronize_net", "rcu", NEAR, PRIM_NONE),
	R("rcu_barrier*", "rcu", NEAR, PRIM_NONE),
	R("srcu_barrier", "rcu", NEAR, PRIM_NONE),
	R("__wait_rcu_gp", "rcu", NEAR, PRIM_NONE),
	R("wait_rcu_gp", "rcu", NEAR, PRIM_NONE),
	/* Waiting for work items to run: per-CPU drains go through the workqueues. */
	R("flush_work", "workqueue_flush", NEAR, PRIM_NONE),
	R("__flush_work*", "workqueue_flush", NEAR, PRIM_NONE),
	R("flush_workqueue", "workqueue_flush", NEAR, PRIM_NONE),
	R("__flush_workqueue", "workqueue_flush", NEAR, PRIM_NONE),
	R("drain_workqueue", "workqueue_flush", NEAR, PRIM_NONE),
	R("flush_delayed_work", "workqueue_flush", NEAR, PRIM_NONE),
	R("flush_rcu_work", "workqueue_flush", NEAR, PRIM_NONE),
	R("cancel_work_sync", "workqueue_flush", NEAR, PRIM_NONE),
	R("__cancel_work*", "workqueue_flush", NEAR, PRIM_NONE),
	R("cancel_delayed_work_sync", "workqueue_flush", NEAR, PRIM_NONE),
	R("schedule_on_each_cpu", "workqueue_flush", NEAR, PRIM_NONE),
	R("work_on_cpu*", "workqueue_flush", NEAR, PRIM_NONE),
	R("lru_add_drain_all", "workqueue_flush", NEAR, PRIM_NONE),
	R("__lru_add_drain_all", "workqueue_flush", NEAR, PRIM_NONE),
	R("drain_all_pages", "workqueue_flush", NEAR, PRIM_NONE),
	R("__drain_all_pages", "workqueue_flush", NEAR, PRIM_NONE),
	/* Creating or stopping a kernel thread: waits for kthreadd or the thread. */
	R("kthread_create_on_node", "kthread_create", NEAR, PRIM_NONE),
	R("__kthread_create_on_node", "kthread_create", NEAR, PRIM_NONE),
	R("kthread_create_on_cpu", "kthread_create", NEAR, PRIM_NONE),
	R("kthread_create_worker*", "kthread_create", NEAR, PRIM_NONE),
	R("__kthread_create_worker*", "kthread_create", NEAR, PRIM_NONE),
	R("kthread_park", "kthread_create", NEAR, PRIM_NONE),
	R("kthread_stop*", "kthread_create", NEAR, PRIM_NONE),
	/* Sockets and network file systems waiting for the peer or for buffer space. */
	R("sk_wait_data", "net_io", NEAR, PRIM_NONE),
	R("sk_stream_wait_memory", "net_io", NEAR, PRIM_NONE),
	R("sk_stream_wait_connect", "net_io", NEAR, PRIM_NONE),
	R("sock_wait_for_wmem", "net_io", NEAR, PRIM_NONE),
	R("inet_csk_accept", "net_io", NEAR, PRIM_NONE),
	R("unix_stream_read_generic", "net_io", NEAR, PRIM_NONE),
	R("__skb_wait_for_more_packets", "net_io", NEAR, PRIM_NONE),
	R("rpc_wait_bit_killable", "net_io", NEAR, PRIM_NONE),
	R("__rpc_execute", "net_io", NEAR, PRIM_NONE),
	R("nfs_wait_bit_killable", "net_io", NEAR, PRIM_NONE),
	R("sock_xmit", "net_io", NEAR, PRIM_NONE),
	R("tcp_sendmsg_locked", "net_io", NEAR, PRIM_NONE),
	/* Direct reclaim: the allocating task frees memory itself. */
	R("try_to_free_pages", "direct_reclaim", CTX, PRIM_NONE),
	R("__alloc_pages_direct_reclaim", "direct_reclaim", CTX, PRIM_NONE),
	R("__perform_reclaim", "direct_reclaim", CTX, PRIM_NONE),
	R("do_try_to_free_pages", "direct_reclaim", CTX, PRIM_NONE),
	R("shrink_zones", "direct_reclaim", CTX, PRIM_NONE),
	R("shrink_zone", "direct_reclaim", CTX, PRIM_NONE),
	R("shrink_node*", "direct_reclaim", CTX, PRIM_NONE),
	R("shrink_lruvec", "direct_reclaim", CTX, PRIM_NONE),
	R("shrink_list", "direct_reclaim", CTX, PRIM_NONE),
	R("shrink_inactive_list", "direct_reclaim", CTX, PRIM_NONE),
	R("shrink_active_list", "direct_reclaim", CTX, PRIM_NONE),
	R("shrink_folio_list", "direct_reclaim", CTX, PRIM_NONE),
	R("shrink_page_list", "direct_reclaim", CTX, PRIM_NONE),
	R("shrink_slab*", "direct_reclaim", CTX, PRIM_NONE),
	R("do_shrink_slab", "direct_reclaim", CTX, PRIM_NONE),
	R("super_cache_scan", "direct_reclaim", CTX, PRIM_NONE),
	R("try_to_free_mem_cgroup_pages", "direct_reclaim", CTX, PRIM_NONE),
	R("reclaim_high*", "direct_reclaim", CTX, PRIM_NONE),
	R("mem_cgroup_handle_over_high", "direct_reclaim", CTX, PRIM_NONE),
	R("node_reclaim", "direct_reclaim", CTX, PRIM_NONE),
	R("__node_reclaim", "direct_reclaim", CTX, PRIM_NONE),
	/* kswapd: the per-node reclaim thread. */
	R("kswapd", "kswapd", CTX, PRIM_NONE),
	R("balance_pgdat", "kswapd", CTX, PRIM_NONE),
	R("kswapd_shrink_node", "kswapd", CTX, PRIM_NONE),
	R("kswapd_try_to_sleep", "kswapd", CTX, PRIM_NONE),
	/* Compaction: moving pages to make contiguous free blocks. */
	R("compact_zone*", "compaction", CTX, PRIM_NONE),
	R("try_to_compact_pages", "compaction", CTX, PRIM_NONE),
	R("__alloc_pages_direct_compact", "compaction", CTX, PRIM_NONE),
	R("kcompactd*", "compaction", CTX, PRIM_NONE),
	R("compact_node", "compaction", CTX, PRIM_NONE),
	R("isolate_migratepages*", "compaction", CTX, PRIM_NONE),
	R("compaction_alloc", "compaction", CTX, PRIM_NONE),
};

const size_t stackrules_table_len = sizeof(stackrules_table) / sizeof(stackrules_table[0]);

/* Non-plumbing frames past the wait site that a NEAR rule may still explain. */
#define NEAR_FRAMES 3

const char *const stackrules_classes[] = {
	"fs_freeze", "writeback_wait", "page_lock", "io_wait", "block_request",
	"mempool", "journal", "dirty_throttle", "reclaim_throttle", "direct_reclaim",
	"kswapd", "compaction", "alloc_retry", "swap_alloc", "mutex", "rwsem",
	"semaphore", "spinlock", "cpu_hotplug", "rcu", "workqueue_flush",
	"kthread_create", "net_io", "other", NULL
};

static const struct { const char *cls, *meaning; } meanings[] = {
	{ "fs_freeze", "waits for write access to a frozen filesystem (sb_writers)" },
	{ "writeback_wait", "waits for pages to finish writeback" },
	{ "page_lock", "waits for a locked page-cache page, usually one under I/O" },
	{ "io_wait", "waits for a synchronous block I/O to complete" },
	{ "block_request", "waits for a free request tag or is throttled by the block layer" },
	{ "mempool", "waits in mempool_alloc for a reserved element to be freed back" },
	{ "journal", "waits for the filesystem journal (commit, credits or log space)" },
	{ "dirty_throttle", "is throttled in balance_dirty_pages because too much "
	  "memory is dirty" },
	{ "reclaim_throttle", "is throttled in reclaim, waiting for writeback or "
	  "isolated pages to make progress" },
	{ "direct_reclaim", "is reclaiming memory itself in the allocator's slow path" },
	{ "kswapd", "is kswapd, the background reclaim thread" },
	{ "compaction", "is compacting memory for a high-order allocation" },
	{ "alloc_retry", "is looping in an allocation that retries instead of failing" },
	{ "swap_alloc", "is allocating a swap slot" },
	{ "mutex", "waits for a mutex" },
	{ "rwsem", "waits for a read-write semaphore" },
	{ "semaphore", "waits for a semaphore" },
	{ "spinlock", "spins on a spinlock" },
	{ "cpu_hotplug", "waits for the CPU-hotplug lock" },
	{ "rcu", "waits for an RCU grace period" },
	{ "workqueue_flush", "waits for work items (per-CPU drains run as work) to finish" },
	{ "kthread_create", "waits for a kernel thread to be created or to stop" },
	{ "net_io", "waits on a socket or a network file system" },
	{ "other", "waits for something the rule table does not name" },
};

const char *stackrules_class_meaning(const char *wait_class)
{
	for (size_t i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
		if (!strcmp(meanings[i].cls, wait_class))
			return meanings[i].meaning;
	return "waits";
}

/*
 * The tables are searched once per frame of every distinct stack: each is
 * indexed by the first byte of its patterns ("*suffix" ones are few and
 * checked always), keeping the tables' order within a bucket.
 */
struct table_index {
	bool built;
	uint16_t start[257];	/* bucket b is order[start[b] .. start[b + 1]) */
	uint16_t order[512];
	uint16_t suffix[32];
	size_t nsuffix;
};

static void index_table(struct table_index *ix, const char *const *pat, size_t stride,
			size_t n)
{
	size_t count[256] = { 0 }, at = 0;

	for (size_t i = 0; i < n; i++) {
		const char *p = *(const char *const *)((const char *)pat + i * stride);

		if (p[0] == '*')
			ix->suffix[ix->nsuffix++] = (uint16_t)i;
		else
			count[(unsigned char)p[0]]++;
	}
	for (size_t b = 0; b < 256; b++) {
		ix->start[b] = (uint16_t)at;
		at += count[b];
	}
	ix->start[256] = (uint16_t)at;
	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < n; i++) {
		const char *p = *(const char *const *)((const char *)pat + i * stride);
		unsigned char b = (unsigned char)p[0];

		if (p[0] != '*')
			ix->order[ix->start[b] + count[b]++] = (uint16_t)i;
	}
	ix->built = true;
}

static bool plumbing_kind(const char *sym, enum prim *prim)
{
	static struct table_index ix;
	unsigned char b = (unsigned char)sym[0];

	if (!ix.built)
		index_table(&ix, &plumbing[0].symbol, sizeof(plumbing[0]),
			    sizeof(plumbing) / sizeof(plumbing[0]));
	for (size_t k = ix.start[b]; k < ix.start[b + 1]; k++) {
		if (sym_match(sym, plumbing[ix.order[k]].symbol)) {
			*prim = plumbing[ix.order[k]].prim;
			return true;
		}
	}
	return false;
}

static bool rule_applies(const struct wait_rule *r, const char *sym, enum prim prim)
{
	return (r->needs == PRIM_NONE || r->needs == prim) && sym_match(sym, r->symbol);
}

/* The first rule of the table that matches, as the table's order decides. */
static const struct wait_rule *find_rule(const char *sym, enum prim prim)
{
	static struct table_index ix;
	unsigned char b = (unsigned char)sym[0];
	size_t best = stackrules_table_len;

	if (!ix.built)
		index_table(&ix, &stackrules_table[0].symbol, sizeof(stackrules_table[0]),
			    stackrules_table_len);
	for (size_t k = ix.start[b]; k < ix.start[b + 1]; k++) {
		if (rule_applies(&stackrules_table[ix.order[k]], sym, prim)) {
			best = ix.order[k];
			break;
		}
	}
	for (size_t k = 0; k < ix.nsuffix; k++)
		if (ix.suffix[k] < best && rule_applies(&stackrules_table[ix.suffix[k]], sym, prim))
			best = ix.suffix[k];
	return best < stackrules_table_len ? &stackrules_table[best] : NULL;
}

static const char *class_of_primitive(enum prim p)
{
	switch (p) {
	case PRIM_IO: return "io_wait";
	case PRIM_MUTEX: case PRIM_RTMUTEX: return "mutex";
	case PRIM_RWSEM: return "rwsem";
	/*
	 * Readers of a percpu rwsem that no rule named: the superblock's
	 * freeze protection is by far the most common one (a loop worker
	 * writing to its frozen backing file, a filesystem's own writer).
	 */
	case PRIM_PERCPU_RWSEM: return "fs_freeze";
	case PRIM_SEMAPHORE: return "semaphore";
	case PRIM_SPIN: return "spinlock";
	default: return NULL;
	}
}

/* Unreliable ('?') frames are skipped unless the stack has nothing else. */
static bool usable(const struct stack_view *v, size_t i, bool any_reliable)
{
	return v->reliable[i] || !any_reliable;
}

static bool has_reliable(const struct stack_view *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->reliable[i])
			return true;
	return false;
}

void stackrules_classify(const struct stack_view *v, struct wait_result *out)
{
	bool rel = has_reliable(v);
	const char *context = NULL;
	int past_site = 0;

	memset(out, 0, sizeof(*out));
	out->site = -1;
	for (size_t i = 0; i < v->n; i++) {
		const struct wait_rule *r;
		enum prim p;

		if (!usable(v, i, rel))
			continue;
		if (plumbing_kind(v->sym[i], &p)) {
			/* schedule() says least; the first other primitive says what is awaited. */
			if (p && (out->prim == PRIM_NONE || out->prim == PRIM_SCHED))
				out->prim = p;
			continue;
		}
		if (out->site < 0)
			out->site = (int)i;
		past_site++;
		r = find_rule(v->sym[i], out->prim);
		if (!r)
			continue;
		if (r->scope == SCOPE_CONTEXT) {
			out->in_reclaim = true;
			if (!context)
				context = r->wait_class;
			continue;
		}
		if (out->wait_class || (r->scope == SCOPE_NEAR && past_site > NEAR_FRAMES))
			continue;
		out->wait_class = r->wait_class;
	}
	if (!out->wait_class)
		out->wait_class = class_of_primitive(out->prim);
	if (!out->wait_class)
		out->wait_class = context ? context : "other";
	out->culprit = stackrules_culprit(v, out->site < 0 ? 0 : (size_t)out->site,
					  "blocked");
}
