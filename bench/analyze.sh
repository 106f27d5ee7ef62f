#!/bin/bash
# analyze.sh [TRACE.dat]
#
# Benchmark of `mmtriage analyze` (every analyzer and the diagnosis) on a
# database of at least five million events: the trace of bench/trace.sh
# (default bench/.cache/trace.dat, recorded by bench/record-trace.sh when
# absent; root is needed for that) together with the 600-sample capture of
# samples/snapshot-series, ingested once, untimed.
#
# The reference, in the same run and on the same database: one pass over
# every event (`SELECT count(*), sum(cpu), sum(pid) FROM trace_events_all`).
# The issue's target is analyze < 5 s on 5 million events; on the machine
# these benchmarks were written on, the reference pass takes 0.56 s, so the
# target is a time ratio <= 9.0 (5 s / 0.56 s), which follows the machine's
# load the way an absolute time would not. Each measure is the best of
# $BENCH_RUNS (3), pinned to CPU $BENCH_CPU (0).
#
# Exit status: 0 when the target is met, 1 when missed, 2 on a set-up error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${MMTRIAGE:-$root/build/mmtriage}
cpu=${BENCH_CPU:-0}
runs=${BENCH_RUNS:-3}
trace=${1:-$here/.cache/trace.dat}
capture=$root/samples/snapshot-series/capture.tar.xz
target_ratio=9.0

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_require analyze.sh taskset /usr/bin/time
bench_trace analyze.sh "$trace"
work=$(mktemp -d "${TMPDIR:-/tmp}/mmt-bench-analyze.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$bin" "$work/mmtriage"
db=$work/a.db
"$work/mmtriage" ingest -q -d "$db" "$trace" "$capture" >/dev/null

events=$("$work/mmtriage" sql -d "$db" --csv 'SELECT sum(events) FROM trace_sources' | sed -n 2p)
ref=$(bench_best "$work/mmtriage" sql -d "$db" \
	'SELECT count(*), sum(cpu), sum(pid) FROM trace_events_all')
an=$(bench_best "$work/mmtriage" analyze -d "$db")
"$work/mmtriage" sql -d "$db" 'SELECT analyzer, kind, severity, count(*) AS n
	FROM findings GROUP BY 1, 2, 3 ORDER BY 1, 2, 3'
"$work/mmtriage" sql -d "$db" --csv 'SELECT ifnull(hang_class, "none"), confidence
	FROM diagnosis' | sed -n 2p | sed 's/^/diagnosis: /'

awk -v ref="$ref" -v an="$an" -v ev="$events" -v tr="$target_ratio" 'BEGIN {
	split(ref, r); split(an, a)
	ratio = a[1] / (r[1] > 0.01 ? r[1] : 0.01)
	printf "  one pass over %d events  %6.2f s wall  %6.2f s CPU\n", ev, r[1], r[2] + r[3]
	printf "  mmtriage analyze          %6.2f s wall  %6.2f s CPU  %6.1f MB RSS\n",
		a[1], a[2] + a[3], a[4] / 1024
	printf "time ratio %.2f to one pass (target <= %.1f, i.e. about 5 s here): %s\n",
		ratio, tr, ratio <= tr ? "met" : "MISSED"
	exit !(ratio <= tr)
}'
