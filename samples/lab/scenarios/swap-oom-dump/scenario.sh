#!/bin/sh
# Global memory pressure with swap (the host must never see it): most of
# the guest's memory in tmpfs, a small swap disk that writes 1 MiB/s, and
# anonymous hogs started one after another. Reclaim pushes tmpfs and hog
# pages out to swap as fast as the disk takes them, swap fills, and the
# global OOM killer kills one hog after another; the guest's memory is
# dumped (LAB_DUMP in lab.sh) a few seconds after the second kill, while
# the next hogs and the shells reclaim and wait for swap I/O.
#
# Parameters (run.sh APPEND): lab.hogs=N (2 running at a time),
# lab.headroom_mb=N (30 MiB of MemAvailable left after the tmpfs fill),
# lab.kills=N (2: OOM kills before the dump).
# shellcheck shell=dash disable=SC3043
. /lab/capture.sh
echo -1000 > /proc/self/oom_score_adj
avail_mb() { awk '/^MemAvailable/ { print int($2 / 1024) }' /proc/meminfo; }
# the vmstat oom_kill counter, with the shell's read: no fork under pressure
oom_kills() {
	local k v
	while read -r k v; do
		[ "$k" = oom_kill ] && { echo "$v"; return; }
	done < /proc/vmstat
	echo 0
}
hogs=$(cap_arg hogs 2)
headroom=$(cap_arg headroom_mb 30)
kills=$(cap_arg kills 2)

mkswap /dev/vdb >/dev/null && swapon /dev/vdb || { echo "lab: no swap disk"; exit 1; }
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
cap_start 1
cap_mark "swap-oom start, MemAvailable $(avail_mb) MiB"
fill=$(( $(avail_mb) - headroom ))
mkdir -p /mnt/fill
mount -t tmpfs -o size=${fill}m tmpfs /mnt/fill
dd if=/dev/zero of=/mnt/fill/f bs=1M count=$fill 2>/dev/null
cap_mark "tmpfs holds $fill MiB, MemAvailable $(avail_mb) MiB"
# each hog slot starts a new hog when the OOM killer ends the last one
i=0
slots=
while [ "$i" -lt "$hogs" ]; do
	(
		n=0
		while :; do
			n=$((n + 1))
			/lab/labmem -c "hog$i.$n" -o 1000 hog 0 2 100 rand \
				2>>/capture/scenario.log
		done
	) &
	slots="$slots $!"
	i=$((i + 1))
done
while [ "$(oom_kills)" -lt "$kills" ]; do sleep 1; done
cap_mark "$(oom_kills) OOM kills"
sleep 3
cap_dump 30
# shellcheck disable=SC2086 # a list of pids
kill $slots
killall labmem 2>/dev/null
cap_mark "swap-oom end, MemAvailable $(avail_mb) MiB"
cap_stop
swapoff /dev/vdb 2>/dev/null
