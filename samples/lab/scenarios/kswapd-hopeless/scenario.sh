#!/bin/sh
# Global memory pressure without swap, most memory in tmpfs: kswapd finds
# nothing to reclaim, gives the node up after 16 runs without progress
# (kswapd_failures reaches MAX_RECLAIM_RETRIES), and from then on
# wakeup_kswapd returns early: the allocating tasks reclaim directly with
# kswapd asleep and never woken, until the OOM killer frees memory. Three
# rounds of an anonymous hog show what kswapd does once it has given up.
#
# Parameters (run.sh APPEND): lab.rounds=N (3), lab.headroom_mb=N (40 MiB
# of MemAvailable left after the tmpfs fill).
# shellcheck shell=dash disable=SC3043
. /lab/capture.sh
echo -1000 > /proc/self/oom_score_adj
avail_mb() { awk '/^MemAvailable/ { print int($2 / 1024) }' /proc/meminfo; }
rounds=$(cap_arg rounds 3)
headroom=$(cap_arg headroom_mb 40)

cap_slab_copy
cap_start 1
# shellcheck disable=SC2086 # a list of events
cap_trace_start 4096 $CAP_RECLAIM_EVENTS
cap_mark "kswapd-hopeless start, MemAvailable $(avail_mb) MiB"
sleep 2
fill=$(( $(avail_mb) - headroom ))
mkdir -p /mnt/fill
mount -t tmpfs -o size=${fill}m tmpfs /mnt/fill
cap_mark "tmpfs fill $fill MiB"
dd if=/dev/zero of=/mnt/fill/f bs=1M count=$fill 2>/dev/null
cap_mark "tmpfs full, MemAvailable $(avail_mb) MiB"
sleep 3
for round in $(seq "$rounds"); do
	cap_mark "hog round $round"
	# 2 MiB every 0.1 s, never freed, until the OOM killer ends it.
	/lab/labmem -c "hog$round" -o 1000 hog 0 2 100 same 2>>/capture/scenario.log
	cap_mark "hog round $round ended with $?, MemAvailable $(avail_mb) MiB"
	sleep 5
done
cap_mark "kswapd-hopeless end"
cap_trace_stop
cap_stop
