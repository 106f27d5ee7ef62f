#!/bin/sh
# Transparent huge pages with defrag=always: a huge-page fault allocates
# with GFP_TRANSHUGE, which has __GFP_DIRECT_RECLAIM but not
# __GFP_KSWAPD_RECLAIM, so the faulting task compacts and reclaims by
# itself and kswapd is never woken. Before each round memory is filled
# with clean page cache again (a file on xfs read back), after which
# kswapd balances the node and sleeps; the huge-page faults then reclaim
# that cache by themselves: no hang, only reclaim done in the task
# instead of in kswapd.
#
# Parameters (run.sh APPEND): lab.cache_mb=N (160 MiB of page cache),
# lab.thp_mb=N (80 MiB mapped each round), lab.rounds=N (5).
# shellcheck shell=dash disable=SC3043
. /lab/capture.sh
echo -1000 > /proc/self/oom_score_adj
cache_mb=$(cap_arg cache_mb 160)
thp_mb=$(cap_arg thp_mb 80)
rounds=$(cap_arg rounds 5)
mkdir -p /mnt/x
mount -t xfs /dev/vdb /mnt/x || echo "lab: mount failed"
# THP is off by default below 512 MiB of memory (hugepage_init).
echo always > /sys/kernel/mm/transparent_hugepage/enabled
echo always > /sys/kernel/mm/transparent_hugepage/defrag
cap_slab_copy
cap_start 1
# shellcheck disable=SC2086 # a list of events
cap_trace_start 4096 $CAP_RECLAIM_EVENTS compaction:mm_compaction_begin \
	compaction:mm_compaction_end
cap_mark "thp-defrag start, THP enabled=always defrag=always"
dd if=/dev/zero of=/mnt/x/cache bs=1M count="$cache_mb" 2>/dev/null
sync
cap_mark "page cache: $cache_mb MiB written and synced"
for round in $(seq "$rounds"); do
	cat /mnt/x/cache > /dev/null
	cap_mark "round $round: page cache refilled, MemFree $(awk '/^MemFree/ { print int($2 / 1024) }' /proc/meminfo) MiB"
	sleep 1
	cap_mark "round $round: thp maps $thp_mb MiB"
	/lab/labmem -c thp thp "$thp_mb" 1 2>>/capture/scenario.log
done
cap_mark "thp done"
sleep 2
cap_mark "thp-defrag end"
cap_trace_stop
cap_stop
