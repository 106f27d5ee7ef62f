#!/bin/sh
# The lockdep kernel boots, loads nothing, samples /proc and traces a second
# of scheduler events: proves the kernel and the wrapper work.
# shellcheck source=../../guest/capture.sh
. /lab/capture.sh
cap_start 1
cap_trace_start 1024 sched:sched_switch
cap_mark lockdep-smoke start
cat /proc/sys/kernel/hung_task_timeout_secs /sys/module/lockdep/parameters/prove_locking
ls /lab
sleep 3
cap_mark lockdep-smoke end
cap_trace_stop
cap_stop
