#!/bin/bash
# snapshots.sh
#
# Benchmark of `mmtriage ingest` on a 1-second snapshot series of 10 minutes:
# 600 samples each of /proc/meminfo, vmstat, slabinfo, zoneinfo and
# interrupts, from the real capture samples/snapshot-series/capture.tar.xz
# (made by samples/recipes/snapshot-series.sh on a 2-CPU machine: 442,392
# lines, 22 MB). Target:
#
#   CPU time (user + sys) < 1 s, checked as a ratio to the reference below:
#   at most 4.7 times the CPU time of the sqlite3 shell storing every line
#   of the same five files in a one-column table (which took 0.21 s on the
#   machine the target was set on, where 1 s is 4.7 times that).
#
# Every measured command is pinned to one CPU (taskset -c $BENCH_CPU, 0 by
# default); best of $BENCH_RUNS (3) by CPU time. The reference runs in the
# same invocation because these machines are noisy. The absolute CPU time
# and the database's size are printed too.
#
# Environment: MMTRIAGE=PATH (default build/mmtriage), BENCH_CPU, BENCH_RUNS,
# TMPDIR (where the databases go).
# Exit status: 0 when the target is met, 1 when missed, 2 on a set-up error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${MMTRIAGE:-$root/build/mmtriage}
cpu=${BENCH_CPU:-0}
runs=${BENCH_RUNS:-3}
target_ratio=4.7
capture=$root/samples/snapshot-series/capture.tar.xz
cache=$here/.cache/snapshot-series
files=(meminfo vmstat slabinfo zoneinfo interrupts)

for tool in taskset /usr/bin/time sqlite3 tar xz; do
	command -v "$tool" >/dev/null || { echo "snapshots.sh: $tool is needed" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "snapshots.sh: $bin not found; build it first" >&2; exit 2; }
if [ ! -f "$cache/proc/meminfo" ] || [ "$capture" -nt "$cache/proc/meminfo" ]; then
	rm -rf "$cache"
	mkdir -p "$(dirname "$cache")"
	tar -C "$(dirname "$cache")" -xJf "$capture"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/mmt-bench-snap.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$bin" "$work/mmtriage"
for f in "${files[@]}"; do cat "$cache/proc/$f"; done >"$work/all.txt"
lines=$(wc -l <"$work/all.txt")
samples=$(grep -c '^[0-9]\{10\}\.' "$cache/proc/meminfo")

# cpu_of CMD...: user+sys seconds of one run.
cpu_of() {
	/usr/bin/time -f '%U %S' -o "$work/time" taskset -c "$cpu" "$@" >/dev/null
	awk '{ printf "%.3f\n", $1 + $2 }' "$work/time"
}

best() {
	local fn=$1 b="" t i
	for ((i = 0; i < runs; i++)); do
		t=$($fn)
		if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$t; fi
	done
	echo "$b"
}

run_mmtriage() {
	rm -f "$work/m.db" "$work/m.db-wal" "$work/m.db-shm"
	(cd "$cache/proc" && cpu_of "$work/mmtriage" ingest -q -d "$work/m.db" "${files[@]}")
}

run_reference() {
	rm -f "$work/r.db"
	cpu_of sqlite3 "$work/r.db" '.mode ascii' ".separator $(printf '\001') \"\\n\"" \
		'CREATE TABLE l(t TEXT);' ".import '$work/all.txt' l"
}

echo "snapshot series: $samples samples of ${files[*]}; $lines lines"
tm=$(best run_mmtriage)
tr=$(best run_reference)
values=$(sqlite3 "$work/m.db" 'SELECT (SELECT count(*) FROM state_values) +
	(SELECT count(*) FROM zone_values) + (SELECT count(*) FROM slab_caches) +
	(SELECT count(*) FROM irq_counts)')
awk -v tm="$tm" -v tr="$tr" -v target="$target_ratio" -v rows="$values" \
    -v size="$(stat -c %s "$work/m.db")" 'BEGIN {
	ratio = tr > 0 ? tm / tr : 0
	printf "  mmtriage ingest   %6.3f s CPU  (%d rows of values, database %.1f MB)\n",
		tm, rows, size / 1048576
	printf "  sqlite3 .import   %6.3f s CPU  (every line, reference)\n", tr
	printf "CPU ratio %.2f to the reference (target <= %.2f): %s\n", ratio, target,
		ratio <= target ? "met" : "MISSED"
	exit !(ratio <= target)
}'
