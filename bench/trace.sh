#!/bin/bash
# trace.sh [TRACE.dat]
#
# Benchmark of trace ingestion against `trace-cmd report`, on a real trace
# of at least five million events (default bench/.cache/trace.dat, recorded
# by bench/record-trace.sh when absent; root is needed for that). In one
# run, side by side, each best of $BENCH_RUNS (3), pinned to CPU $BENCH_CPU:
#
#   ingest      `mmtriage ingest FILE` into a fresh database, against
#               `trace-cmd report FILE > /dev/null`: target ratio <= 1.0
#               (ingesting no slower than trace-cmd printing)
#   text        the same trace as `trace-cmd report` text, ingested:
#               events/s and MB/s
#   memory      peak RSS of the ingest: target <= 100 MB
#   size        the database against the trace.dat
#   replay --at `mmtriage replay --at T` for T 1 ms before the trace's end:
#               the first run (which builds the replay checkpoints), then
#               the best of $BENCH_RUNS: target < 1 s
#
# Exit status: 0 when every target is met, 1 when one is missed, 2 on a
# set-up error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${MMTRIAGE:-$root/build/mmtriage}
cpu=${BENCH_CPU:-0}
runs=${BENCH_RUNS:-3}
trace=${1:-$here/.cache/trace.dat}
target_ratio=1.0
target_rss_mb=100
target_at_s=1.0

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_require trace.sh taskset /usr/bin/time trace-cmd
bench_trace trace.sh "$trace"
work=$(mktemp -d "${TMPDIR:-/tmp}/mmt-bench-trace.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$bin" "$work/mmtriage"

# Each ingest starts from no database.
fresh_db() { rm -f "$work"/m.db*; }
bench_before=fresh_db

# measure NAME CMD...: best wall and CPU seconds and peak RSS (KB) of CMD.
measure() {
	local name=$1
	shift
	bench_best "$@" >"$work/$name"
}

events=$(trace-cmd report "$trace" 2>/dev/null | grep -vc '^cpus=\|^ *=>\|kernel_stack:')
mb=$(awk -v s="$(stat -c %s "$trace")" 'BEGIN { printf "%.1f", s / 1048576 }')
echo "trace: $trace ($mb MB, $events events as trace-cmd report prints them)"

measure report trace-cmd report "$trace"
measure ingest "$work/mmtriage" ingest -q -d "$work/m.db" "$trace"
stored=$("$work/mmtriage" sql -d "$work/m.db" --csv 'SELECT sum(events) FROM trace_sources' |
	sed -n 2p)
dbsize=$(stat -c %s "$work/m.db")

# replay --at near the end: once on a copy without checkpoints, then warm.
cp "$work/m.db" "$work/at.db"
at=$("$work/mmtriage" sql -d "$work/at.db" --csv "SELECT printf('%.6f', (t.last_ns - 1000000) / 1e9
	+ ifnull(s.t_offset, 0)) AS t FROM trace_sources t JOIN sources s ON s.id = t.source_id" |
	sed -n 2p)
/usr/bin/time -f '%e %U %S %M' -o "$work/at-first" taskset -c "$cpu" \
	"$work/mmtriage" replay -d "$work/at.db" --at "$at" >/dev/null 2>&1
best_at=""
for ((i = 0; i < runs; i++)); do
	# Milliseconds: /usr/bin/time counts in hundredths.
	t0=$EPOCHREALTIME
	taskset -c "$cpu" "$work/mmtriage" replay -d "$work/at.db" --at "$at" >"$work/at.txt"
	t1=$EPOCHREALTIME
	took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
	if [ -z "$best_at" ] || awk -v a="$took" -v b="$best_at" 'BEGIN { exit !(a < b) }'; then
		best_at=$took
	fi
done
at_lines=$(wc -l <"$work/at.txt")
trace-cmd report "$trace" >"$work/trace.txt" 2>/dev/null
textmb=$(awk -v s="$(stat -c %s "$work/trace.txt")" 'BEGIN { printf "%.1f", s / 1048576 }')
measure text "$work/mmtriage" ingest -q -d "$work/m.db" --as trace_text "$work/trace.txt"

awk -v rep="$(cat "$work/report")" -v ing="$(cat "$work/ingest")" \
    -v txt="$(cat "$work/text")" -v ev="$stored" -v textmb="$textmb" \
    -v db="$dbsize" -v dat="$(stat -c %s "$trace")" -v tr="$target_ratio" \
    -v trss="$target_rss_mb" -v atf="$(cat "$work/at-first")" -v ab1="$best_at" \
    -v tat="$target_at_s" -v at="$at" -v atl="$at_lines" 'BEGIN {
	split(rep, r); split(ing, i); split(txt, t); split(atf, af)
	ratio = i[1] / r[1]
	rss = i[4] / 1024
	printf "  trace-cmd report  %7.2f s wall  %6.2f s CPU  %6.1f MB RSS\n", r[1], r[2] + r[3], r[4] / 1024
	printf "  mmtriage ingest   %7.2f s wall  %6.2f s CPU  %6.1f MB RSS  %d events, %.0f events/s\n",
		i[1], i[2] + i[3], rss, ev, ev / i[1]
	printf "  text ingest       %7.2f s wall  %6.2f s CPU  %6.1f MB RSS  %.0f events/s, %.1f MB/s\n",
		t[1], t[2] + t[3], t[4] / 1024, ev / t[1], textmb / t[1]
	printf "  database %.1f MB for a %.1f MB trace.dat (%.1fx)\n", db / 1048576, dat / 1048576, db / dat
	printf "time ratio %.2f to trace-cmd report (target <= %.2f): %s\n", ratio, tr,
		ratio <= tr ? "met" : "MISSED"
	printf "peak RSS %.1f MB (target <= %d MB): %s\n", rss, trss, rss <= trss ? "met" : "MISSED"
	printf "  replay --at %s  first %.2f s wall (builds the checkpoints, %.1f MB RSS), then %.3f s, %d lines\n",
		at, af[1], af[4] / 1024, ab1, atl
	printf "replay --at near the end %.3f s, best of runs (target < %.1f s): %s\n", ab1, tat,
		ab1 < tat ? "met" : "MISSED"
	exit !(ratio <= tr && rss <= trss && ab1 < tat)
}'
