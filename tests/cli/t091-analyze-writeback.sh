#!/usr/bin/env bash
# The writeback analyzer (writeback_stall) on real data: the stuck loop
# device of samples/writeback-stuck-loop (its meminfo series with wall-clock
# times, tests/data/writeback/README.md, and its log), the same log alone,
# one snapshot of that series, and inputs with no stall (a frozen
# filesystem with nothing under writeback, a trace of a healthy disk, a
# 600 s capture of dd in a memory cgroup). Times are checked against the
# samples' READMEs.
. "$(dirname "$0")/lib.sh"

LOOP=$SAMPLES/writeback-stuck-loop
SERIES=$MMT_SOURCE_DIR/tests/data/writeback/stuck-loop-meminfo.txt
BTIME=1795294291	# boot of the machine that recorded the samples (README there)
# The same boot to a fraction of a second, as snapshot-series' capture.info
# gives it (started - uptime_at_start) and mmtriage takes it.
CAPTURE_BOOT=1795294291.806
WB="FROM findings WHERE kind = 'writeback_stall'"

# near GOT WANT TOL: |GOT - WANT| <= TOL.
near() { awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; exit !(g != "" && d <= t && -d <= t) }'; }
count() { sql "$1" "SELECT count(*) $WB ${2:-}"; }
has_task() {
	[ "$(sql "$1" "SELECT count(*) FROM finding_subjects s JOIN findings f ON f.id = s.finding_id
		WHERE f.kind = 'writeback_stall' AND s.type = 'task' AND s.pid = $2 AND s.name = '$3'")" = 1 ] ||
		fail "$1: $3:$2 should wait on the stall"
}
# analyzed NAME FILE...: ingests the files into a fresh $T/NAME.db (DB) and analyzes it.
analyzed() {
	DB=$T/$1.db
	shift
	expect_ok ingest -d "$DB" "$@"
	expect_ok analyze -d "$DB"
}
quiet() {
	[ "$(count "$1" "AND severity IN ('warning', 'critical') ${2:-}")" = 0 ] ||
		fail "$1: a warning or critical writeback_stall: $(sql "$1" "SELECT title $WB")"
}

# 1. Series and log together: one critical stall on loop1 from the jump of
# Writeback (uptime 853.60) to its drain (888.67), the waiters named.
DB=$T/loop.db
expect_ok ingest -d "$DB" "$LOOP/dmesg-iso.txt" "$SERIES"
out_has "stuck-loop-meminfo.txt: meminfo \(meminfo\): 48 samples$"
expect_ok analyze -d "$DB"
[ "$(count "$DB")" = 1 ] || fail "one writeback_stall, got $(count "$DB")"
[ "$(sql "$DB" "SELECT severity $WB")" = critical ] || fail "the stall is critical"
near "$(sql "$DB" "SELECT t_start - $BTIME $WB")" 853.60 1.1 || fail "start: $(sql "$DB" "SELECT t_start - $BTIME $WB")"
near "$(sql "$DB" "SELECT t_end - $BTIME $WB")" 888.67 1.1 || fail "end: $(sql "$DB" "SELECT t_end - $BTIME $WB")"
[ "$(sql "$DB" "SELECT group_concat(name) FROM finding_subjects WHERE finding_id = (SELECT id $WB) AND type = 'device'")" = loop1 ] ||
	fail "the device is loop1"
has_task "$DB" 23037 fsync-writer
has_task "$DB" 24183 sync
has_task "$DB" 23048 dd
has_task "$DB" 9449 kworker/u8:4
near "$(sql "$DB" "SELECT confidence $WB")" 0.85 0.05 || fail "confidence"
sql "$DB" "SELECT summary $WB" | grep -q "80924 kB under writeback" || fail "figures of the series"
sql "$DB" "SELECT summary $WB" | grep -q "frozen filesystem" || fail "the frozen backing filesystem"
# Evidence: the samples at start, peak, end and recovery, then the log lines.
[ "$(sql "$DB" "SELECT count(*) FROM finding_evidence WHERE finding_id = (SELECT id $WB) AND kind = 'sample' AND ts IS NOT NULL")" = 4 ] ||
	fail "four samples as evidence"
near "$(sql "$DB" "SELECT ts - $BTIME FROM finding_evidence WHERE finding_id = (SELECT id $WB) AND text LIKE '%draining again%'")" 888.67 0.05 ||
	fail "the recovery sample"
[ "$(sql "$DB" "SELECT count(*) FROM finding_evidence WHERE finding_id = (SELECT id $WB) AND kind = 'log'")" = 4 ] || fail "four log lines"

# Thresholds: a floor above the stuck 80 MB leaves the log's window (30 s
# of hung writers, no recovery known); a longer stall_secs leaves nothing.
expect_ok analyze -d "$DB" --set writeback.min_kb=100000
[ "$(sql "$DB" "SELECT severity || ' ' || round(t_end - t_start) $WB")" = 'critical 30.0' ] ||
	fail "min_kb=100000: the log's window only"
expect_ok analyze -d "$DB" --set writeback.stall_secs=40
[ "$(count "$DB")" = 0 ] || fail "stall_secs=40: no stall is that long"
expect_ok analyze -d "$DB" --thresholds
out_has "^writeback.stall_secs +10 s "

# 2. The log alone (monotonic clock): the hung writers from 10 s before
# their first report (854.8) to their last (885.3), on loop1.
analyzed log "$LOOP/dmesg.txt"
[ "$(sql "$DB" "SELECT severity || ' ' || confidence $WB")" = 'critical 0.7' ] || fail "log alone"
near "$(sql "$DB" "SELECT t_start $WB")" 854.83 0.1 || fail "log: start"
near "$(sql "$DB" "SELECT t_end $WB")" 885.32 0.1 || fail "log: end"
sql "$DB" "SELECT title $WB" | grep -q "on loop1$" || fail "log: loop1 from jbd2/loop1-8"

# 3. One snapshot of the stall: weak evidence, info only.
awk '/^1795295159\./ { on = 1 } on && /^1795295160\./ { exit } on' "$SERIES" >"$T/meminfo"
analyzed single "$T/meminfo"
[ "$(sql "$DB" "SELECT severity || ' ' || confidence $WB")" = 'info 0.2' ] || fail "single snapshot"
sql "$DB" "SELECT summary $WB" | grep -q "series of /proc/vmstat" || fail "single: what would confirm it"

# 4. Frozen filesystem, nothing under writeback: fs_freeze, not a stall.
analyzed freeze "$SAMPLES/hung-task-fsfreeze/dmesg.txt"
[ "$(count "$DB")" = 0 ] || fail "hung-task-fsfreeze: no writeback_stall"

# 5. Writeback and block events of a healthy disk under memcg reclaim.
analyzed trace "$SAMPLES/trace-memcg-reclaim/trace.dat"
[ "$(count "$DB")" = 0 ] || fail "trace-memcg-reclaim: no writeback_stall"

# 6. A 600 s capture of dd in a memory cgroup: nothing in its series. Its
# log holds an earlier run of the stuck loop in the same boot (uptime
# 5458-5488), which is found there and nowhere else.
analyzed series "$SAMPLES/snapshot-series/capture.tar.xz"
FROM=$(sql "$DB" "SELECT min(ts) FROM meminfo")
quiet "$DB" "AND t_end >= $FROM"
[ "$(count "$DB")" = 1 ] || fail "snapshot-series: the earlier stall of its log"
near "$(sql "$DB" "SELECT t_end - $CAPTURE_BOOT $WB")" 5488.45 0.1 || fail "snapshot-series: the log's stall"

# 7. Third-party data, when the corpus is there: a trace of block issues
# without completions says nothing of a stall; a syzkaller report of a
# journal thread and a writer hung for 140 s on sda is one.
CORPUS=$MMT_SOURCE_DIR/../shared/corpus
if [ -f "$CORPUS/perf-tools/examples/tpoint_example.txt" ] &&
	[ -f "$CORPUS/syzkaller/linux/report/349" ]; then
	analyzed corpus "$CORPUS/perf-tools/examples/tpoint_example.txt"
	[ "$(count "$DB")" = 0 ] || fail "block issues alone: no writeback_stall"
	analyzed syz "$CORPUS/syzkaller/linux/report/349"
	[ "$(sql "$DB" "SELECT severity || ' ' || round(t_end - t_start) $WB")" = 'critical 140.0' ] ||
		fail "syzkaller 349: a 140 s stall"
	sql "$DB" "SELECT title $WB" | grep -q "on sda$" || fail "syzkaller 349: sda"
else
	echo "corpus absent: third-party checks skipped"
fi
echo ok
