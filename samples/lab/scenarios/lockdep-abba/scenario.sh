#!/bin/sh
# lab_abba.ko: two kernel threads take two mutexes in opposite orders and
# deadlock (samples/lab/modules/lab_abba.c). The hung-task detector (10 s)
# reports both threads twice, each round followed by lockdep's list of held
# locks; then SysRq w (blocked tasks) and d (held locks).
# shellcheck source=../../guest/capture.sh
. /lab/capture.sh
# shellcheck source=../../lockdep/guest.sh
. /lab/lockdep.sh
cap_start 1
cap_trace_start 2048 sched:sched_switch sched:sched_wakeup
ld_hung_task 10 4
sleep 2
cap_mark lockdep-abba insmod lab_abba
insmod /lab/lab_abba.ko
ld_wait_log 'Showing all locks held in the system' 2 120
sleep 1
cap_mark "lab_config $(ld_state lab_config) lab_events $(ld_state lab_events)"
ld_sysrq w d
cap_mark lockdep-abba end
cap_trace_stop
cap_stop
