#!/bin/sh
# PRIMER class 2 in a 256 MiB guest: zram swap full, an xfs filesystem
# whose new inodes fill memory, and the task creating them reclaiming in
# GFP_NOFS context (xfs transactions), where reclaim may not shrink the
# xfs inode and dentry caches. Bystanders of 2 MiB (oom_score_adj 1000)
# give the OOM killer something to kill when a GFP_KERNEL allocation (the
# sampler's forks) fails; with none left the kernel panics ("System is
# deadlocked on memory") and nothing is captured. A drop_caches armed
# before the creator starts (labmem after: no fork when it is due) ends
# the episode from outside at t+40 s, as PRIMER class 2 says it would.
#
# Parameters (run.sh APPEND): lab.bystanders=N (12), lab.creators=N (1
# task creating files, each in its own directory), lab.creator_adj=ADJ
# (the creators' oom_score_adj, 0), lab.files=N (200000 per creator),
# lab.rescue=S (40: seconds from the creator's start to the drop_caches).
# shellcheck shell=dash disable=SC3043
. /lab/capture.sh
echo -1000 > /proc/self/oom_score_adj
mkdir -p /mnt/x
mount -t xfs /dev/vdb /mnt/x || echo "lab: mount failed"
echo 32M > /sys/block/zram0/disksize
mkswap /dev/zram0 >/dev/null && swapon /dev/zram0
sysctl -q kernel.hung_task_timeout_secs=10
bystanders=$(cap_arg bystanders 12)
creators=$(cap_arg creators 1)
creator_adj=$(cap_arg creator_adj 0)
files=$(cap_arg files 200000)
rescue=$(cap_arg rescue 40)
for i in $(seq "$bystanders"); do
	/lab/labmem -c "bystander$i" -o 1000 hog 2 2 0 same 2>>/capture/scenario.log &
done
cap_slab_copy
cap_start 1
# shellcheck disable=SC2086 # a list of events
cap_trace_start 8192 $CAP_RECLAIM_EVENTS
cap_mark "xfs-nofs start"
# 40 MiB of one-byte-pattern pages pushed out with MADV_PAGEOUT: zram
# stores them in no memory, but every swap slot is taken.
/lab/labmem -c swapfill -o -1000 hog 40 1 10 same+out 2>>/capture/scenario.log &
sleep 2
cap_mark "swap full: $(awk '/zram0/ { print $3 "/" $4 " kB used" }' /proc/swaps)"
cap_mark "mkfiles starts: $creators x $files empty files on xfs; drop_caches at t+$rescue"
/lab/labmem -c rescuer -o -1000 after "$rescue" /proc/sys/vm/drop_caches 3 \
	2>>/capture/scenario.log &
rescuer=$!
mkfiles=
for i in $(seq "$creators"); do
	/lab/labmem -c mkfiles -o "$creator_adj" create "/mnt/x/f$i" "$files" file \
		2>>/capture/scenario.log &
	mkfiles="$mkfiles $!"
done
# Blocked tasks (w) and what the CPUs run (l, NMI backtraces) while the
# creator reclaims.
for t in 10 20 30; do
	sleep 10
	cap_mark "sysrq w and l at t+$t"
	echo w > /proc/sysrq-trigger
	echo l > /proc/sysrq-trigger
done
wait "$rescuer"
cap_mark "drop_caches done; mkfiles stopped"
# shellcheck disable=SC2086 # a list of pids
kill $mkfiles 2>/dev/null
# shellcheck disable=SC2086
wait $mkfiles
sleep 3
cap_mark "xfs-nofs end"
cap_trace_stop
cap_stop
