#!/bin/sh
# lab_cache.ko (samples/lab/modules/lab_cache.c): a page pool refilled
# under its mutex with GFP_KERNEL | GFP_DMA allocations, and a shrinker that
# takes the same mutex.
#  1. The pool fills to 512 pages; the refill thread has allocated under the
#     mutex (lockdep: lab_pool_lock -> fs_reclaim).
#  2. Global memory pressure: a tmpfs file grows 1 MiB at a time until
#     reclaim (kswapd, or the writer itself) has called the pool's shrinker
#     (fs_reclaim -> lab_pool_lock: lockdep reports the cycle when it
#     validates), then it is removed.
#  3. The pool's target is raised: the refill thread exhausts ZONE_DMA,
#     enters direct reclaim holding the mutex, and the shrinker waits for
#     it: a self-deadlock; kswapd then blocks in the same shrinker.
# The hung-task detector (10 s) reports them; then SysRq w and d.
# shellcheck source=../../guest/capture.sh
. /lab/capture.sh
# shellcheck source=../../lockdep/guest.sh
. /lab/lockdep.sh
P=/sys/module/lab_cache/parameters
cap_start 1
cap_trace_start 4096 vmscan:mm_vmscan_direct_reclaim_begin vmscan:mm_vmscan_direct_reclaim_end \
	vmscan:mm_vmscan_kswapd_wake vmscan:mm_vmscan_kswapd_sleep vmscan:mm_vmscan_wakeup_kswapd \
	vmscan:mm_shrink_slab_start vmscan:mm_shrink_slab_end sched:sched_switch
ld_hung_task 10 6
cap_mark "lockdep-reclaim prove_locking=$(cat /sys/module/lockdep/parameters/prove_locking)"
sleep 2
cap_mark lockdep-reclaim insmod lab_cache
insmod /lab/lab_cache.ko
i=0
while [ "$(cat $P/pages)" -lt 512 ] && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
cap_mark "pool $(cat $P/pages) pages, shrinker scans $(cat $P/scans)"

mkdir -p /mnt/fill && mount -t tmpfs -o size=100% fill /mnt/fill
scans=$(cat $P/scans)
mb=0
cap_mark "pressure: filling tmpfs, MemFree $(awk '/^MemFree/ { print $2 }' /proc/meminfo) kB"
while [ "$(cat $P/scans)" = "$scans" ] && [ "$(awk '/^MemFree/ { print $2 }' /proc/meminfo)" -gt 1024 ]; do
	dd if=/dev/zero of=/mnt/fill/f bs=1M count=1 seek=$mb conv=notrunc 2>/dev/null
	mb=$((mb + 1))
done
cap_mark "pressure: $mb MiB in tmpfs, MemFree $(awk '/^MemFree/ { print $2 }' /proc/meminfo) kB, shrinker scans $(cat $P/scans)"
sleep 2
rm -f /mnt/fill/f
umount /mnt/fill
cap_mark "pressure off, MemFree $(awk '/^MemFree/ { print $2 }' /proc/meminfo) kB"
sleep 3

cap_mark "pool target raised: the refill thread exhausts ZONE_DMA"
echo 1000000 > $P/target
ld_wait_log 'INFO: task lab_refill:' 2 180
sleep 1
cap_mark "lab_refill $(ld_state lab_refill) kswapd0 $(ld_state kswapd0) pool $(cat $P/pages) pages"
ld_sysrq w d
cap_mark lockdep-reclaim end
cap_trace_stop
cap_stop
