#!/usr/bin/env bash
# run.sh FUZZER TARGET SEEDS REGRESSIONS RUNS [libFuzzer options...]
# Runs a fuzz target over its seeds and its regression inputs (each once),
# then for RUNS mutated inputs from a fixed random seed (MMT_FUZZ_SEED,
# default 1), so that a run is repeatable. New inputs go to a scratch
# corpus; a crash is kept in $MMT_FUZZ_ARTIFACTS (default: the build's fuzz-findings/) for
# tests/fuzz/regressions/TARGET/.
set -euo pipefail
fuzzer=$1 target=$2 seeds=$3/$2 regressions=$4 runs=$5
shift 5
artifacts=${MMT_FUZZ_ARTIFACTS:-$(dirname "$fuzzer")/fuzz-findings}/$target
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mmt-fuzz-$target.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$artifacts"
dirs=("$scratch")
[ -d "$seeds" ] && dirs+=("$seeds")
[ -d "$regressions" ] && dirs+=("$regressions")
# Traces need room for their formats; text seeds are cut at 4 KB. A
# trace.dat's trial child (parsers/trace_dat.c) is where libtracecmd asks
# for what a hostile size says (4 GB): libFuzzer's malloc limit would take
# that for the target's and write the input out, while the child is meant
# to die there and the parent goes on; the parent's memory stays bounded
# by -rss_limit_mb. An open the child cannot finish is killed and refused
# after TRIAL_MAX_SECS (1 s in fuzz builds): a slow unit only well past that.
case $target in
trace_dat|sniff) max_len=65536 extra=(-malloc_limit_mb=65536 -report_slow_units=30) ;;
*) max_len=8192 extra=() ;;
esac
# Small quarantine and short allocation stacks: several times the runs per
# second. A trace.dat's trial open forks, after which every page the
# quarantine's recycling writes is copied: 1 MB there takes a third off
# the CPU time of a run.
case $target in
trace_dat) quarantine=1 ;;
*) quarantine=16 ;;
esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:quarantine_size_mb=$quarantine:malloc_context_size=5:max_malloc_fill_size=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$fuzzer" -runs="$runs" -seed="${MMT_FUZZ_SEED:-1}" -max_len="$max_len" -rss_limit_mb=2048 "${extra[@]}" \
	-timeout=30 -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "${dirs[@]}"
