#!/bin/sh
# Page cache dirtied faster than its disk can take it, no swap, and an
# anonymous hog: reclaim finds mostly dirty pages and pages under
# writeback on a disk that writes 64 KiB/s (QEMU throttling), scans them
# without freeing them, and the OOM killer ends each round of the hog.
# Four bystanders of 2 MiB (oom_score_adj 1000) keep the OOM killer from
# finding nothing to kill between two rounds.
#
# Parameters (run.sh APPEND): lab.dirty_mb=N (60: vm.dirty_bytes),
# lab.rounds=N (2 rounds of the hog).
# shellcheck shell=dash disable=SC3043
. /lab/capture.sh
echo -1000 > /proc/self/oom_score_adj
avail_mb() { awk '/^MemAvailable/ { print int($2 / 1024) }' /proc/meminfo; }
dirty_mb=$(cap_arg dirty_mb 60)
rounds=$(cap_arg rounds 2)
mkdir -p /mnt/x
mount -t xfs /dev/vdb /mnt/x || echo "lab: mount failed"
sysctl -q kernel.hung_task_timeout_secs=10
sysctl -q vm.dirty_bytes=$((dirty_mb * 1048576)) vm.dirty_background_bytes=$((dirty_mb * 1048576 / 2))
for i in 1 2 3 4; do
	/lab/labmem -c "bystander$i" -o 1000 hog 2 2 0 same 2>>/capture/scenario.log &
done
cap_slab_copy
cap_start 1
# shellcheck disable=SC2086 # a list of events
cap_trace_start 8192 $CAP_RECLAIM_EVENTS
cap_mark "dirty-slowdisk start, MemAvailable $(avail_mb) MiB"
cap_mark "writer starts, dirty limit $dirty_mb MiB"
dd if=/dev/zero of=/mnt/x/big bs=1M count=400 2>>/capture/scenario.log &
writer=$!
sleep 10
for round in $(seq "$rounds"); do
	cap_mark "hog round $round"
	/lab/labmem -c hog -o 1000 hog 0 1 200 same 2>>/capture/scenario.log
	cap_mark "hog round $round ended with $?, MemAvailable $(avail_mb) MiB"
	echo w > /proc/sysrq-trigger
	sleep 3
done
# The writeback on the slow disk would take hours: stop the writer; what
# it dirtied stays, the hog's memory is free for packing the capture.
cap_mark "writer stopped"
kill "$writer" 2>/dev/null
sleep 3
cap_mark "dirty-slowdisk end"
cap_trace_stop
cap_stop
