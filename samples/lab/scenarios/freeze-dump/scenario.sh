#!/bin/sh
# Writers blocked on a frozen filesystem (class 3 of the primer's hangs:
# tasks in D state in sb_start_write), seen by the hung-task detector, and
# the guest's memory dumped while they wait (LAB_DUMP in lab.sh).
. /lab/capture.sh
writers=$(cap_arg writers 3)
hung_secs=$(cap_arg hung_secs 5)
mkdir -p /mnt/scratch
mount /dev/vdb /mnt/scratch || { echo "lab: no scratch disk"; exit 1; }
echo "$hung_secs" > /proc/sys/kernel/hung_task_timeout_secs
echo 1 > /proc/sys/kernel/hung_task_all_cpu_backtrace 2>/dev/null
cap_start 1
fsfreeze --freeze /mnt/scratch
cap_mark frozen
i=0
pids=
while [ "$i" -lt "$writers" ]; do
	# each blocks in its write (sb_start_write) until the thaw
	sh -c "echo data > /mnt/scratch/file$i" &
	pids="$pids $!"
	i=$((i + 1))
done
# the hung-task detector reports each writer once it has waited
# hung_task_timeout_secs; its check runs every that many seconds too
sleep $((hung_secs * 3))
cap_dump 20
fsfreeze --unfreeze /mnt/scratch
cap_mark thawed
# shellcheck disable=SC2086 # a list of pids
wait $pids
cap_stop
umount /mnt/scratch
