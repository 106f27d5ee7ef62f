#!/usr/bin/env bash
# `replay --at T`: the traced machine's state at T, section by section, on
# real traces of this machine (tests/data/trace/mem-v7.dat, tests/data/
# replay/tasks-v7.dat, tests/data/trace_text/trace-noirqinfo.txt), each
# value checked against the trace's own tables; task names escaped; the
# checkpoints built once and removed with their trace; the errors (T
# before or after the trace, a database without traces, bad options).
. "$(dirname "$0")/lib.sh"

DATA=$MMT_SOURCE_DIR/tests/data
DB=$T/at.db
expect_ok ingest -d "$DB" "$DATA/trace/mem-v7.dat" "$DATA/replay/tasks-v7.dat" \
	"$DATA/trace_text/trace-noirqinfo.txt" "$DATA/series/meminfo-date+%s"
q() { sql "$DB" "$1"; }

# 1. mem-v7.dat at the time of its 21st switch to a task on CPU 0.
row=$(q "SELECT printf('%.9f|%.6f|%s|%d|%d', ts, ts, next_comm, next_pid, ts_ns) FROM sched_switch
	WHERE source = 1 AND common_cpu = 0 AND next_pid > 0 ORDER BY id LIMIT 1 OFFSET 20")
IFS='|' read -r at at6 comm pid at_ns <<<"$row"
expect_ok replay -d "$DB" --at "$at" --source 1
err_has "built the replay checkpoints of trace 1"
out_has "^Trace 1: .*mem-v7\.dat \(trace_dat, clock local, 2 CPUs\)$"
out_has "^  CPU 0 +$comm-$pid since $at6 \(0\.0 us\)$"
out_lacks "^Trace 2"
# The task lines add up to the counts of the header, and the running ones
# are the CPUs that run a task.
read -r running runnable d other s asleep <<<"$(sed -n 's/^Tasks: \([0-9]*\) running, \([0-9]*\) runnable, \([0-9]*\) in D, \([0-9]*\) other, \([0-9]*\) sleeping (S), \([0-9]*\) asleep.*/\1 \2 \3 \4 \5 \6/p' "$OUT")"
[ -n "$running" ] || fail "no Tasks: header"
[ "$(grep -c '^  running ' "$OUT")" = "$running" ] || fail "running lines"
[ "$(grep -Ec '^  D {3}' "$OUT")" = "$d" ] && [ "$(grep -Ec '^  S {3}' "$OUT")" = "$s" ] ||
	fail "D and S lines"
[ "$(grep -c '^  S or D ' "$OUT")" = "$asleep" ] || fail "asleep lines"
[ "$(grep -Ec '^  CPU [0-9]+ +[^ ].*-[0-9]+ since' "$OUT")" = "$running" ] ||
	fail "$running running tasks but not as many busy CPUs"
# IPIs sent to CPU 0 per second since the trace began, as counted here.
n=$(q "SELECT count(*) FROM ipi_send_cpu WHERE source = 1 AND cpu = 0 AND ts_ns <= $at_ns")
first=$(q "SELECT first_ns FROM trace_sources WHERE source_id = 1")
rate=$(awk -v n="$n" -v a="$at_ns" -v f="$first" 'BEGIN { printf "%.1f", n / ((a - f + 1) / 1e9) }')
out_has "^IPIs per second over the [0-9.]+ s before T \(since the trace began\)$"
out_has "^    0 +$rate( |$)"
out_has "^Block I/O in flight: [0-9]+ requests$"

# 2. In the middle of the first memcg reclaim episode (docs/trace.md's first query): the
# reader's readahead, with GFP_NOFS|... as gfp_flags() names the mask.
row=$(q "SELECT printf('%.9f|%.6f|%s|%d|%s', (b.ts + e.ts) / 2, b.ts, b.common_comm, b.common_pid,
	gfp_flags(b.gfp_flags, (SELECT kernel FROM sources WHERE id = 1))) AS r
	FROM mm_vmscan_memcg_reclaim_begin b JOIN mm_vmscan_memcg_reclaim_end e
	ON e.source = b.source AND e.common_pid = b.common_pid AND e.id = (SELECT min(id)
	FROM mm_vmscan_memcg_reclaim_end x WHERE x.common_pid = b.common_pid AND x.id > b.id)
	WHERE b.source = 1 AND e.ts_ns - b.ts_ns > 2000 ORDER BY b.id LIMIT 1")
IFS='|' read -r at since comm pid gfp <<<"$row"
[ "${gfp%%|*}" = GFP_NOFS ] || fail "the reader's reclaim gfp: $gfp"
expect_ok replay -d "$DB" --at "$at" --source 1
err_lacks() { ! grep -q "$1" "$ERR" || fail "stderr has $1"; }
err_lacks "built the replay"
out_has "^Reclaim and compaction: [1-9][0-9]* in progress$"
grep -qF "$comm-$pid since $since (" "$OUT" && grep -qF " order=0 gfp_flags=$gfp" "$OUT" ||
	fail "the reclaim of $comm-$pid since $since with $gfp"
out_has "^  memcg reclaim +$comm-$pid since "
out_has "^  [A-Za-z?]+ +$comm-$pid .*\[in memcg reclaim\]$"

# 3. tasks-v7.dat: dd's first switch out in D (prev_state 2); its request in flight.
row=$(q "SELECT printf('%.9f|%.6f', ts, ts) FROM sched_switch WHERE source = 2 AND
	prev_comm = 'dd' AND prev_state = 2 ORDER BY id LIMIT 1")
IFS='|' read -r at at6 <<<"$row"
expect_ok replay -d "$DB" --at "$at"
out_has "^  D +dd-11738 since $at6 \(0\.0 us\)$"
out_has "^  254,0: [0-9]+ requests?, the oldest issued at [0-9.]+ \([0-9.]+ (us|ms) ago\): "
out_has "^Writeback in flight: 0 devices$"
out_has "^Trace 1: T is outside it"
out_has "^Trace 3: T is outside it"
# The memory counters of the snapshot, far from T: the trace has no wall clock.
out_has "^Memory: the meminfo snapshot nearest T, source 4 at 1795300681\.000000, "
out_has "^  MemFree +22706124 kB$"
out_has "need not be near T"

# 4. A task name with a terminal escape in a text trace (derived from a real one).
sed $'s/mmt cat-x/mmt\x1b[2Jcat/g' "$DATA/trace_text/trace-noirqinfo.txt" >"$T/hostile.txt"
expect_ok ingest -d "$T/h.db" "$T/hostile.txt"
expect_ok replay -d "$T/h.db" --at 7838.42
out_has '^  Z +mmt\\x1b\[2Jcat-778 since 7838\.333790 '
! grep -q $'\x1b' "$OUT" || fail "a raw escape reached the terminal"
out_has "^  D +dd-779 since 7838\.417029 \(2\.971 ms\) \[in memcg reclaim\]$"

# 5. Errors.
run 1 replay -d "$DB" --at 8627.5 --source 1
err_has "8627\.500000 is outside the trace:"
err_has "trace 1 runs from 8627\.910537 to 8627\.991531: T is before it"
run 1 replay -d "$DB" --at 99999
err_has "trace 2 runs from .*: T is after it"
run 1 replay -d "$DB" --at 8627.95 --source 4
err_has "source 4 is not a trace"
expect_ok ingest -d "$T/none.db" "$DATA/series/meminfo-date+%s"
run 1 replay -d "$T/none.db" --at 1
err_has "holds no trace"
run 1 replay -d "$T/absent.db" --at 1
err_has "no such database"
[ ! -e "$T/absent.db" ] || fail "replay --at created a database"
run 2 replay -d "$DB" --at soon
err_has "'soon' is not a time"
run 2 replay -d "$DB" --at 8627.95 --filter "cpu = 0"
err_has "does not go with"
run 2 replay -d "$DB" --source 1
err_has "--source goes with --at"

# 5b. A database its reader may not write: the same answer, without checkpoints.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir "$T/ro"
	chmod 711 "$T"
	chmod 777 "$T/ro"
	expect_ok ingest -d "$T/ro/r.db" "$DATA/trace/mem-v7.dat"
	chmod 444 "$T/ro/r.db"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$MMT" replay -d "$T/ro/r.db" \
		--at 8627.95 >"$T/ro.out" 2>"$ERR" || fail "replay --at on a read-only database"
	err_has "cannot write replay checkpoints into the database"
	expect_ok replay -d "$T/ro/r.db" --at 8627.95
	err_has "built the replay checkpoints of trace 1"
	cmp -s "$T/ro.out" "$OUT" || fail "read-only: $(diff "$T/ro.out" "$OUT" | head -5)"
fi

# 6. The checkpoints: one build per trace asked about, gone with its trace.
[ "$(q "SELECT count(*) FROM replay_builds")" = 2 ] || fail "builds of traces 1 and 2"
[ "$(q "SELECT count(*) FROM trace_tasks WHERE source = 2 AND pid = 11725")" -ge 5 ] ||
	fail "trace_tasks: the renames of pid 11725"
expect_ok ingest -d "$DB" --force "$DATA/trace/mem-v7.dat"
[ "$(q "SELECT count(*) FROM replay_checkpoints WHERE source NOT IN (SELECT id FROM sources)")" = 0 ] &&
	[ "$(q "SELECT count(*) FROM trace_tasks WHERE source NOT IN (SELECT id FROM sources)")" = 0 ] ||
	fail "--force left checkpoints behind"
echo ok
