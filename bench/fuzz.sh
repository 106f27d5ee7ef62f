#!/usr/bin/env bash
# bench/fuzz.sh [RUNS] [TARGET...]: runs fuzz targets for RUNS executions each
# (default 1000000), JOBS at a time (env, default 1), keeping each target's
# corpus in bench/.cache/fuzz/TARGET so that a later run starts where this
# one stopped. Builds build-fuzz with clang first (MMT_FUZZ). Prints one line
# per target: executions, executions per second, wall time, findings; exit
# status 1 when any target found something (kept in bench/.cache/fuzz/findings/).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000000}
shift || true
jobs=${JOBS:-1}
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

one() {	# one TARGET: runs it into its corpus, prints its line
	local t=$1 log=$cache/$1.log start end
	mkdir -p "$cache/$t"
	start=$(date +%s.%N)
	MMT_FUZZ_ARTIFACTS=$cache/findings bash tests/fuzz/run.sh "$build/tests/fuzz/fuzz_$t" \
		"$t" "$build/fuzz-seeds" tests/fuzz/regressions/"$t" "$runs" "$cache/$t" \
		>"$log" 2>&1 || true
	end=$(date +%s.%N)
	awk -v t="$t" -v s="$start" -v e="$end" -v f="$(ls "$cache/findings/$t" 2>/dev/null | wc -l)" '
		/number_of_executed_units/ { n = $2 }
		END { w = e - s; printf "%-14s %9d runs %7.0f/s %7.0f s  findings %d\n", t, n, n / w, w, f }' "$log"
}
export -f one
export cache build runs
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'one {}'
[ -z "$(ls -A "$cache/findings" 2>/dev/null | xargs -I{} ls -A "$cache/findings/{}")" ]
