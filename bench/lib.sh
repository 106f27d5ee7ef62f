# shellcheck shell=bash disable=SC2154 # bin, cpu, runs, work: set by the caller
# Shared by the benchmarks of this directory; sourced, not run. The caller
# sets: bin (the mmtriage binary), cpu (the CPU to pin to), runs (how many
# runs a measure takes the best of) and work (a scratch directory).

# bench_require NAME TOOL...: the tools and the binary, or exit 2.
bench_require() {
	local name=$1 tool
	shift
	for tool in "$@"; do
		command -v "$tool" >/dev/null || { echo "$name: $tool is needed" >&2; exit 2; }
	done
	[ -x "$bin" ] || { echo "$name: $bin not found; build it first" >&2; exit 2; }
}

# bench_trace NAME TRACE: records TRACE with record-trace.sh when absent.
bench_trace() {
	if [ ! -f "$2" ]; then
		echo "$1: recording $2 (bench/record-trace.sh)" >&2
		"$(dirname "${BASH_SOURCE[0]}")/record-trace.sh" "$2" || exit 2
	fi
}

# bench_best CMD...: "wall user sys maxrss_kb" of the run of CMD with the
# least wall time, each run pinned to $cpu; $bench_before, when set, runs
# before each (a fresh database, say).
bench_best() {
	local best="" i
	for ((i = 0; i < runs; i++)); do
		[ -z "${bench_before:-}" ] || "$bench_before"
		/usr/bin/time -f '%e %U %S %M' -o "$work/t" taskset -c "$cpu" "$@" >/dev/null
		if [ -z "$best" ] || awk -v a="$(cut -d' ' -f1 "$work/t")" -v b="${best%% *}" \
			'BEGIN { exit !(a < b) }'; then
			best=$(cat "$work/t")
		fi
	done
	echo "$best"
}
