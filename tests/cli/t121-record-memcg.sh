#!/usr/bin/env bash
# `mmtriage record -- COMMAND` on this machine, for real: a workload in a
# 128 MiB v1 memory cgroup writes a file to disk (writeback, block I/O),
# allocates past the limit (reclaim inside the cgroup) and drops the
# caches (a kernel log line). The capture ingests as one tree whose
# events, /proc snapshots and kernel log agree in time (a line written to
# the kernel log and the trace at once is at one time in both); trace-cmd reads
# the trace.dat as mmtriage does; the recorder's instance is gone after
# it and the top-level buffer untouched. Root only (skipped otherwise).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_record.sh"

rec_require_tracing
rec_memcg_create "mmtriage-t121-$$" 128
rec_disk_dir
rec_state_save
CAP=$T/cap
DB=$T/cap.db
INTERVAL=0.5

# workload.sh CG DIR NOTES PYTHON: in the cgroup, 160 MiB written and
# synced, then 96 MiB of anonymous memory touched page by page while the
# file's pages still fill the cgroup, then every cache dropped, then one
# mark in the kernel log and the recorder's trace (its parent's instance);
# its pid and the instances seen meanwhile go to NOTES.
cat >"$T/workload.sh" <<'EOF'
cg=$1 dir=$2 notes=$3 python=$4
echo $$ >"$cg/cgroup.procs" || exit 1
echo $$ >"$notes/workload.pid"
ls /sys/kernel/tracing/instances >"$notes/instances.during"
dd if=/dev/zero of="$dir/file" bs=1M count=160 conv=fsync status=none || exit 1
"$python" -c '
import mmap
n = 96 << 20
m = mmap.mmap(-1, n)
for i in range(0, n, 4096):
    m[i] = 1
' || exit 1
echo 3 >/proc/sys/vm/drop_caches
echo "mmtriage-t121 mark $$" >/dev/kmsg
echo "mmtriage-t121 mark $$" >"/sys/kernel/tracing/instances/mmtriage-$PPID/trace_marker"
sleep 2
EOF

rec_start record -o "$CAP" --interval "$INTERVAL" -- sh "$T/workload.sh" "$REC_CG" "$REC_DISK" "$T" "$PYTHON"
pid=$REC_PID
rec_wait "$pid"
[ "$REC_RC" = 0 ] || fail "mmtriage record exited $REC_RC"
grep -qx "mmtriage-$pid" "$T/instances.during" || fail "no instance mmtriage-$pid while recording"
[ ! -e "$(rec_instance "$pid")" ] || fail "instance mmtriage-$pid still there after the recorder exited"
WPID=$(cat "$T/workload.pid")

# What the recorder says it did.
for key in events_recorded events_lost recorder_cpu_s duration_s; do
	[ -n "$(info "$CAP" "$key")" ] || fail "capture.info has no $key"
done
case $(info "$CAP" trace_clock) in
local | global | mono | boot) ;;
*) fail "trace_clock=$(info "$CAP" trace_clock): not a clock counting from boot, as the kernel log's" ;;
esac
[ "$(info "$CAP" events_recorded)" -gt 0 ] || fail "no events recorded"

expect_ok ingest -d "$DB" "$CAP"
[ "$(sql "$DB" "SELECT count(*) FROM tree_files WHERE status IN ('failed', 'skipped')")" = 0 ] ||
	fail "files of the capture not ingested: $("$MMT" sql -d "$DB" "SELECT * FROM tree_files WHERE status != 'ingested'")"
for role in trace kernel_log meminfo vmstat slab_sysfs; do
	[ "$(sql "$DB" "SELECT status FROM tree_files WHERE role = '$role' LIMIT 1")" = ingested ] ||
		fail "capture's $role not ingested"
done
[ "$(sql "$DB" "SELECT clock FROM trace_sources")" = "$(info "$CAP" trace_clock)" ] ||
	fail "trace.dat names another clock than capture.info's trace_clock"
# The recorder counts records, kernel stacks among them; ingest attaches
# each stack to its event, and accounts for every record it skips. The
# one skip a recording has is a stack right after another stack (a stack
# trigger fired in an interrupt while the interrupted event's stack was
# being taken): the ingest does not yet tell which event it belongs to.
stored=$(sql "$DB" "SELECT events + skipped + (SELECT count(*) FROM event_stacks) FROM trace_sources")
[ "$stored" = "$(info "$CAP" events_recorded)" ] ||
	fail "events, stacks and skipped records ($stored) differ from events_recorded ($(info "$CAP" events_recorded))"
[ "$(sql "$DB" "SELECT skipped = 0 OR first_skipped LIKE '%kernel_stack % follows no event%' FROM trace_sources")" = 1 ] ||
	fail "ingest skipped records other than stacks after stacks: $(sql "$DB" "SELECT first_skipped FROM trace_sources")"
[ "$(sql "$DB" "SELECT ifnull(lost, 0) FROM trace_sources")" = "$(info "$CAP" events_lost)" ] ||
	fail "lost events in the trace differ from events_lost"

# The events of each part of the workload: reclaim in the cgroup by the
# workload's own tasks, writeback, block I/O, scheduling.
count() { sql "$DB" "SELECT count(*) FROM events WHERE $1"; }
[ "$(count "name = 'mm_vmscan_memcg_reclaim_begin' AND comm IN ('dd', 'python3')")" -gt 0 ] ||
	fail "no memcg reclaim by the workload"
[ "$(count "system = 'writeback'")" -gt 0 ] || fail "no writeback events"
[ "$(count "system = 'block'")" -gt 0 ] || fail "no block events"
[ "$(count "name = 'sched_switch'")" -gt 0 ] || fail "no sched_switch events"

# Snapshots on the trace's timeline: within the trace's first and last
# event, give or take an interval, one per interval.
read -r first last < <("$MMT" sql -d "$DB" --csv \
	"SELECT printf('%.6f', min(ts)), printf('%.6f', max(ts)) FROM events" | sed -n 2p | tr , ' ')
read -r n s_first s_last < <("$MMT" sql -d "$DB" --csv \
	"SELECT count(DISTINCT ts), printf('%.6f', min(ts)), printf('%.6f', max(ts))
	 FROM meminfo WHERE key = 'MemFree'" | sed -n 2p | tr , ' ')
awk -v f="$first" -v l="$last" -v a="$s_first" -v b="$s_last" -v i="$INTERVAL" \
	'BEGIN { exit !(a >= f - i && b <= l + i) }' ||
	fail "snapshots [$s_first, $s_last] outside the trace [$first, $last] +- $INTERVAL s"
want=$(awk -v d="$(info "$CAP" duration_s)" -v i="$INTERVAL" 'BEGIN { printf "%d", d / i - 1 }')
if [ "$n" -lt "$want" ] || [ "$n" -lt 2 ]; then
	fail "$n snapshots in $(info "$CAP" duration_s) s at $INTERVAL s"
fi

# The kernel log: the workload's drop_caches line, inside the trace.
line="sh ($WPID): drop_caches: 3"
t_drop=$(sql "$DB" "SELECT printf('%.6f', l.t + s.t_offset) FROM log_lines l
	JOIN sources s ON s.id = l.source_id WHERE l.text LIKE '%$line'")
[ -n "$t_drop" ] || fail "kernel log lacks '$line'"
awk -v f="$first" -v l="$last" -v t="$t_drop" 'BEGIN { exit !(t >= f && t <= l) }' ||
	fail "'$line' at $t_drop, outside the trace [$first, $last]"
# One clock: the mark the workload wrote to the kernel log and, right
# after, to the recorder's trace_marker, is at the same time in both (the
# two writes are microseconds apart; clocks that differ by an offset, as
# the printk clock and the "local" trace clock do, are milliseconds apart).
mark="mmtriage-t121 mark $WPID"
t_log=$(sql "$DB" "SELECT printf('%.6f', l.t + s.t_offset) FROM log_lines l
	JOIN sources s ON s.id = l.source_id WHERE l.text = '$mark'")
t_trace=$(sql "$DB" "SELECT printf('%.6f', ts) FROM print WHERE buf LIKE '$mark%'")
[ -n "$t_log" ] || fail "kernel log lacks '$mark'"
[ -n "$t_trace" ] || fail "trace lacks the trace_marker write '$mark'"
awk -v a="$t_log" -v b="$t_trace" 'BEGIN { d = b - a; exit !(d > -0.001 && d < 0.001) }' ||
	fail "'$mark' at $t_log in the kernel log, at $t_trace in the trace"

# trace-cmd reads the file, and counts the same events of a type.
if command -v trace-cmd >/dev/null; then
	trace-cmd report "$CAP/trace.dat" >"$T/report.txt" 2>"$T/report.err" ||
		fail "trace-cmd report failed: $(head -3 "$T/report.err")"
	head -1 "$T/report.txt" | grep -q '^cpus=' || fail "trace-cmd report: no cpus= header"
	for ev in sched_switch mm_vmscan_memcg_reclaim_begin; do
		tc=$(grep -c " $ev: " "$T/report.txt")
		ours=$(count "name = '$ev'")
		[ "$tc" = "$ours" ] || fail "$ev: trace-cmd reads $tc, mmtriage $ours"
	done
else
	echo "note: trace-cmd is not installed: the trace.dat is not read by it"
fi

expect_ok report -o "$T/report.out" "$CAP"
[ ! -s "$ERR" ] || fail "mmtriage report printed on stderr"

rec_finish "$REC_CG" "$REC_DISK"
