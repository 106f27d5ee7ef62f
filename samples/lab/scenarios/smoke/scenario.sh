#!/bin/sh
# Boots, samples /proc three times and traces a second of scheduler events:
# proves the lab works.
. /lab/capture.sh
cap_start 1
cap_trace_start 1024 sched:sched_switch
cap_mark smoke start
sleep 3
cap_mark smoke end
cap_trace_stop
cap_stop
