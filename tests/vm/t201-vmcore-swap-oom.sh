#!/usr/bin/env bash
# The guest lab's memory-pressure hang (ctest -L vm): boots
# samples/lab/scenarios/swap-oom-dump, where two anonymous hogs and a tmpfs
# push the guest's memory to a small swap disk QEMU writes at 1 MiB/s until
# the swap is full and the global OOM killer kills hog after hog; QEMU dumps
# the guest's memory after the second kill. The report of the dump names
# the OOM kills and the full swap; tasks the hung-task detector reported
# waited for the swap device from reclaim; within 60 s.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"

vm_dump swap-oom-dump
vm_report
q() { sql "$T/v.db" "$1"; }

# The scenario dumps after two kills: at least two OOM kills of hogs, with
# the swap full in their reports and in kmem -i at the dump.
kills=$(q "SELECT count(*) FROM oom_kills WHERE comm LIKE 'hog%'")
[ "$kills" -ge 2 ] || fail "$kills OOM kills of hogs (at least 2 expected)"
out_has "\[[0-9]+\] CRITICAL $kills OOM kills$"
out_has "\[[0-9]+\] CRITICAL Swap exhausted$"
[ "$(q "SELECT kb FROM meminfo WHERE key = 'SwapFree'")" = 0 ] || fail "kmem -i: swap not full"
[ "$(q "SELECT count(*) > 20 FROM crash_tasks c JOIN snapshots s ON s.id = c.snapshot_id WHERE s.kind = 'crash_list'")" = 1 ] ||
	fail "no task table from the dump's task list"

# Tasks reported blocked (when the detector's 10 s elapsed before the
# swap filled) waited for the swap device from reclaim, and lead the
# verdict; without them the OOM kills do.
blocked=$(q "SELECT count(*) FROM blocked_tasks WHERE report_kind = 'hung_task'")
if [ "$blocked" -gt 0 ]; then
	[ "$(q "SELECT count(*) FROM blocked_tasks WHERE report_kind = 'hung_task' AND in_reclaim = 1 AND wait_class IN ('block_request', 'io_wait', 'writeback_wait')")" = "$blocked" ] ||
		fail "a task reported blocked is not waiting for I/O from reclaim"
	out_has "^Diagnosis: (block_request|io_wait|writeback_wait)"
	out_has "Also: $kills OOM kills\. Also: Swap exhausted\."
else
	out_has "^Diagnosis: oom"
fi
vm_within 60
echo "ok"
