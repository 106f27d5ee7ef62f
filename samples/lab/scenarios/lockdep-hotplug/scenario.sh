#!/bin/sh
# lab_hotplug.ko (samples/lab/modules/lab_hotplug.c): a CPU-offline callback
# takes lab_stats_lock; the lab_stats thread holds lab_stats_lock, then
# takes cpus_read_lock(). CPU1 goes offline while lab_stats holds the
# mutex: the offline (holding cpu_hotplug_lock) waits for cpuhp/1, cpuhp/1
# waits for lab_stats_lock in the callback, lab_stats waits for
# cpu_hotplug_lock. The hung-task detector (10 s) reports them; then SysRq
# w and d. Reading /proc/vmstat takes cpus_read_lock() (all_vm_events), so
# the sampler leaves it out from the offline on, or it would hang too.
# shellcheck source=../../guest/capture.sh
. /lab/capture.sh
# shellcheck source=../../lockdep/guest.sh
. /lab/lockdep.sh
P=/sys/module/lab_hotplug/parameters
cap_start 1
cap_trace_start 2048 cpuhp sched:sched_switch
ld_hung_task 10 12
cap_mark "lockdep-hotplug prove_locking=$(cat /sys/module/lockdep/parameters/prove_locking)"
sleep 2
cap_mark lockdep-hotplug insmod lab_hotplug
insmod /lab/lab_hotplug.ko
i=0
while [ "$(cat $P/holding)" != Y ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
cap_stop
CAP_SERIES=$(echo "$CAP_SERIES" | sed 's/vmstat //')
(
	echo -1000 > /proc/self/oom_score_adj
	while :; do cap_sample; sleep 1; done
) &
CAP_LOOP_PID=$!
cap_mark "lab_stats holds lab_stats_lock: offlining CPU1"
echo 0 > /sys/devices/system/cpu/cpu1/online &
ld_wait_log 'INFO: task lab_stats:' 2 120
sleep 1
cap_mark "lab_stats $(ld_state lab_stats) cpuhp/1 $(ld_state cpuhp/1)"
ld_sysrq w d
cap_mark lockdep-hotplug end
ld_trace_stop
cap_stop
