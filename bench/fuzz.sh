#!/usr/bin/env bash
# bench/fuzz.sh [RUNS] [TARGET...]: runs fuzz targets for RUNS executions each
# (default 1000000), JOBS at a time (env, default 1), or for MAX_TIME seconds
# each when that comes first (env), keeping each target's corpus in
# bench/.cache/fuzz/TARGET so that a later run starts where this one stopped.
# Builds build-fuzz with clang first (MMT_FUZZ). Prints one line per target:
# executions, executions per second, wall time, findings, and the executions
# of every run recorded in bench/.cache/fuzz/ledger.tsv (date, commit,
# target, runs, seconds, findings: one row per run), in all and since the
# last run that found something; exit status 1 when any target found
# something (kept in bench/.cache/fuzz/findings/, to be removed once fixed).
# SEED (env, default 1) picks the mutations: a second run of the same target
# at the same time, with another SEED, explores other inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000000}
shift || true
jobs=${JOBS:-1}
max_time=${MAX_TIME:-0}
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
cache=bench/.cache/fuzz
build=build-fuzz

cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DMMT_FUZZ=ON >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
[ -d "$build/fuzz-seeds" ] || /usr/bin/python3 tests/fuzz/seeds.py "$build/mmtriage" . "$build/fuzz-seeds" >/dev/null
if [ $# -eq 0 ]; then
	mapfile -t targets < <(ls "$build/tests/fuzz" | sed -n 's/^fuzz_//p' | grep -v '\.')
else
	targets=("$@")
fi
mkdir -p "$cache/findings"

one() {	# one TARGET: runs it into its corpus, records it, prints its line
	local t=$1 log=$cache/$1.seed${SEED:-1}.log start end row
	mkdir -p "$cache/$t"
	start=$(date +%s.%N)
	MMT_FUZZ_SEED=${SEED:-1} MMT_FUZZ_ARTIFACTS=$cache/findings bash tests/fuzz/run.sh "$build/tests/fuzz/fuzz_$t" \
		"$t" "$build/fuzz-seeds" tests/fuzz/regressions/"$t" "$runs" "$cache/$t" \
		-max_total_time="$max_time" >"$log" 2>&1 || true
	end=$(date +%s.%N)
	row=$(awk -v t="$t" -v s="$start" -v e="$end" -v c="$commit" \
		-v f="$(ls "$cache/findings/$t" 2>/dev/null | wc -l)" '
		/number_of_executed_units/ { n = $2 }
		END { printf "%s\t%s\t%s\t%d\t%.0f\t%d\n", strftime("%Y-%m-%dT%H:%M:%S"), c, t, n, e - s, f }' "$log")
	printf '%s\n' "$row" >>"$cache/ledger.tsv"
	awk -F '\t' -v t="$t" -v row="$row" '
		$3 == t { total += $4; clean = $6 > 0 ? 0 : clean + $4 }
		END { split(row, r, "\t"); printf "%-14s %9d runs %7.0f/s %7.0f s  findings %d  (%d runs in the ledger, %d since its last finding)\n",
			t, r[4], r[4] / (r[5] ? r[5] : 1), r[5], r[6], total, clean }' "$cache/ledger.tsv"
}
export -f one
export cache build runs max_time commit
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'one {}'
[ -z "$(ls -A "$cache/findings" 2>/dev/null | xargs -I{} ls -A "$cache/findings/{}")" ]
