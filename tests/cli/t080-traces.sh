#!/usr/bin/env bash
# Traces end to end: a trace.dat, a trace-cmd report text and a perf script
# capture of this machine (tests/data, README.md there) into one database;
# the queries of docs/trace.md; replay in time order with filters; ingesting
# a trace again with --force replaces it without leaving rows behind.
# Expected numbers were counted once with `trace-cmd report` and awk.
. "$(dirname "$0")/lib.sh"

DATA=$MMT_SOURCE_DIR/tests/data
DAT=$DATA/trace/mem-v7.dat
TXT=$DATA/trace_text/report-instances.txt
PERF=$DATA/perf_script/cpu-clock-callchains-ns.txt
DB=$T/traces.db
expect_ok ingest -d "$DB" "$DAT" "$TXT" "$PERF"
out_has "mem-v7.dat: trace_dat \(trace.dat v7 zstd\): 4087 events$"
out_has "report-instances.txt: trace_text \(trace-cmd report\): 179 events$"
out_has "cpu-clock-callchains-ns.txt: perf_script \(perf script\): 50 events$"
[ "$(sql "$DB" "SELECT count(*) FROM events")" = 4316 ] || fail "4316 events in all"
[ "$(sql "$DB" "SELECT count(*) FROM events WHERE stack_id IS NOT NULL AND source = 3")" = 50 ] ||
	fail "perf call chains attached"
# trace-cmd report tests/data/trace/mem-v7.dat | grep -c ' mm_page_alloc:'
[ "$(sql "$DB" "SELECT count(*) FROM mm_page_alloc WHERE source = 1")" = 2437 ] ||
	fail "mm_page_alloc events of the trace.dat"

awk -v dir="$T" '/^```sql/ { n++; f = dir "/q" n ".sql"; printf "" > f; next }
	/^```/ { f = ""; next } f { print >> f }' "$MMT_SOURCE_DIR/docs/trace.md"
[ -f "$T/q6.sql" ] && [ ! -f "$T/q7.sql" ] || fail "docs/trace.md should hold 6 queries"
q() { run 0 sql -d "$DB" --csv "$(cat "$1")"; }
rows() { echo $(($(wc -l <"$OUT") - 1)); }

# 1: reclaim episodes. This capture's reclaim ran in a memory cgroup.
sed 's/mm_vmscan_direct_reclaim_/mm_vmscan_memcg_reclaim_/g; s/0\.010/0/' "$T/q1.sql" >"$T/q1m.sql"
q "$T/q1m.sql"
[ "$(rows)" = 62 ] || fail "q1: $(rows) memcg reclaim episodes, expected 62"
awk -F, 'NR > 1 && ($5 == "" || $6 == "") { exit 1 }' "$OUT" ||
	fail "q1: an episode without GFP names or context"
# dd's writes reclaim with GFP_HIGHUSER_MOVABLE (full); the reader's
# readahead with GFP_NOFS|...|__GFP_NORETRY (nofs).
[ "$(grep -c ',full,' "$OUT")" = 19 ] && [ "$(grep -c '^mmt-reader,.*,nofs,' "$OUT")" = 43 ] ||
	fail "q1: reclaim contexts"
# 2: IPIs per call site; the membarrier load sent 19 from one site.
q "$T/q2.sql"
grep -q '^membarrier_private_expedited+0x231,19,' "$OUT" || fail "q2: membarrier call site"
q "$T/q3.sql"
[ "$(rows)" -ge 5 ] || fail "q3: senders and targets"
q "$T/q4.sql"
grep -q '^kmem,mm_page_alloc,2437$' "$OUT" || fail "q4: events per type"
q "$T/q5.sql"
[ "$(rows)" = 3 ] || fail "q5: three traces in the account"
q "$T/q6.sql"
[ "$(rows)" -gt 0 ] || fail "q6: tasks blocked in D"

# Replay: every event once, in time order within each trace's clock.
expect_ok replay -d "$DB" --filter "source = 1"
[ "$(wc -l <"$OUT")" = 4087 ] || fail "replay printed $(wc -l <"$OUT") of 4087 events"
awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = $i + 0;
	if (t < last) exit 1; last = t; next } }' "$OUT" || fail "replay out of time order"
head -1 "$OUT" | grep -Eq '^ +sleep-5622 +\[000\] 8627\.910537: mm_page_alloc: +pfn=1202697 order=0 gfp_flags=GFP_KERNEL_ACCOUNT\|__GFP_ZERO\|__GFP_COMP migratetype=0$' ||
	fail "replay's first line: $(head -1 "$OUT")"
expect_ok replay -d "$DB" --filter "name = 'sched_switch' AND source = 1" --from 8627.95 --to 8627.97
n=$(sql "$DB" "SELECT count(*) FROM sched_switch WHERE source = 1 AND ts BETWEEN 8627.95 AND 8627.97")
[ "$(wc -l <"$OUT")" = "$n" ] && [ "$n" -gt 0 ] || fail "replay --filter/--from/--to: $(wc -l <"$OUT") of $n"
run 2 replay -d "$DB" --from soon
err_has "'soon' is not a time"
run 1 replay -d "$DB" --filter "no_such_column = 1"
err_has "no such column"

# In a capture directory of the same boot, the trace's monotonic times move
# onto the wall clock by the capture's boot time, like its kernel log.
mkdir "$T/cap"
tar -C "$T/cap" -xJf "$SAMPLES/snapshot-series/capture.tar.xz"
cp "$DAT" "$T/cap/snapshot-series/trace.dat"
DB2=$T/cap.db
expect_ok ingest -d "$DB2" "$T/cap/snapshot-series"
out_has "snapshot-series/trace.dat: trace_dat "
# The boot time to a fraction of a second: started - uptime_at_start.
btime=$(awk -F= '/^started=/ { s = $2 } /^uptime_at_start=/ { u = $2 }
	END { printf "%.6f", s - u }' "$T/cap/snapshot-series/capture.info")
[ "$(sql "$DB2" "SELECT count(*) FROM events WHERE abs(ts - (ts_ns / 1e9 + $btime)) < 1e-6")" = 4087 ] ||
	fail "trace times not moved by the boot time $btime"
# Recorded in the minute of 23:15 UTC on 2026-11-21 (the file's time when it
# was written), 48 minutes after the capture began.
[ "$(sql "$DB2" "SELECT strftime('%Y-%m-%d %H:%M', min(ts), 'unixepoch') FROM events")" = \
	"2026-11-21 23:15" ] || fail "trace start on the wall clock"

# Again with --force: replaced, no row left over.
expect_ok ingest -d "$DB" --force "$DAT"
[ "$(sql "$DB" "SELECT count(*) FROM events")" = 4316 ] || fail "--force left rows behind"
[ "$(sql "$DB" "SELECT count(*) FROM trace_sources")" = 3 ] || fail "--force: trace_sources"
echo ok
