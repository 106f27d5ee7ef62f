#!/usr/bin/env bash
# The guest lab's memory-pressure hang (ctest -L vm): boots
# samples/lab/scenarios/swap-oom-dump, where two anonymous hogs and a tmpfs
# push the guest's memory to a small swap disk QEMU writes at 1 MiB/s until
# the swap is full and the global OOM killer kills hog after hog; QEMU dumps
# the guest's memory after the second kill. The report of the dump names
# the OOM kills and the full swap; tasks the hung-task detector reported
# waited for the swap device from reclaim, and the dump shows whether they
# still do; within 60 s.
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

# The guest has no multi-threaded process: the thread walks find none, and
# init_task's list is the dump's whole task table.
[ "$(q "SELECT v.value FROM state_values v JOIN state_keys k ON k.id = v.key_id WHERE k.name = 'crash.threads_unlisted'")" = 0 ] ||
	fail "the dump's task table is not known to be whole"

# Tasks reported blocked (when the detector's 10 s elapsed before the swap
# filled) waited for the swap device from reclaim. Those the dump shows
# blocked still lead the verdict; those it shows freed are said to be, and
# the OOM kills lead.
blocked=$(q "SELECT count(*) FROM blocked_tasks WHERE report_kind = 'hung_task'")
if [ "$blocked" -gt 0 ]; then
	[ "$(q "SELECT count(*) FROM blocked_tasks WHERE report_kind = 'hung_task' AND in_reclaim = 1 AND wait_class IN ('block_request', 'io_wait', 'writeback_wait')")" = "$blocked" ] ||
		fail "a task reported blocked is not waiting for I/O from reclaim"
fi
if [ "$(q "SELECT count(*) FROM stuck_tasks")" -gt 0 ]; then
	out_has "^Diagnosis: (block_request|io_wait|writeback_wait)"
else
	out_has "^Diagnosis: oom"
	released=$(q "SELECT count(DISTINCT pid) FROM released_tasks")
	[ "$released" = 0 ] || tr -s ' \n' '  ' <"$OUT" |
		grep -Eq "$released tasks? reported blocked in .* no longer blocked in the crash dump" ||
		fail "the verdict does not say that the $released reported tasks were freed"
fi
vm_within 60
echo "ok"
