#!/bin/bash
# Recipe for samples/trace-memcg-reclaim: a trace-cmd recording (trace.dat,
# file version 7, zstd) of reclaim inside a 64 MiB v1 memory cgroup, with
# scheduling, writeback, block and IPI events around it.
#
# Run as root:  samples/recipes/trace-memcg-reclaim.sh MMTRIAGE [OUTDIR [SECONDS]]
# MMTRIAGE: a built mmtriage (tests/data/trace/trim-kallsyms.py reads the
# trace with it to keep only the kernel symbols the events use; the script
# checks that `trace-cmd report` prints the same before and after).
# Default OUTDIR: samples/trace-memcg-reclaim; SECONDS: 2.
#
# Load, all undone in a trap: in the cgroup, dd writes 512 MiB to a file
# (page cache reclaimed with GFP_HIGHUSER_MOVABLE) and a reader reads a
# 256 MiB file written beforehand from outside the cgroup (readahead
# reclaims with GFP_NOFS|__GFP_NORETRY); membarrier IPIs from outside.
# trace-cmd 3.1.6 records with -d --no-filter here (../shared/NOTES.md).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
MMT=${1:?usage: trace-memcg-reclaim.sh MMTRIAGE [OUTDIR [SECONDS]]}
OUT=${2:-$HERE/../trace-memcg-reclaim}
SECS=${3:-2}
TRIM=$HERE/../../tests/data/trace/trim-kallsyms.py
MEMCG=${MEMCG_ROOT:-/sys/fs/cgroup/memory}/mmtriage-trace-sample
WORK=/var/tmp/mmtriage-trace-sample
WORKER=(/usr/bin/python3 "$HERE/mmt_worker.py")

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }

cleanup() {
	set +e
	mmt_cg_teardown "$MEMCG"
	rm -rf "$WORK"
	echo "== cgroup: $([ -d "$MEMCG" ] && echo present || echo removed)" >&2
}
trap cleanup EXIT INT TERM

mkdir -p "$WORK" "$OUT" "$MEMCG"
echo $((64 << 20)) >"$MEMCG/memory.limit_in_bytes"
dd if=/dev/urandom of="$WORK/data" bs=1M count=256 status=none
"${WORKER[@]}" fadvise-dontneed "$WORK/data"
mmt_in_cg "$MEMCG" dd if=/dev/zero of="$WORK/big" bs=1M count=512 status=none
mmt_in_cg "$MEMCG" "${WORKER[@]}" --comm mmt-reader reader "$WORK/progress" "$WORK/data"
"${WORKER[@]}" --comm mmt-ipi ipi "$SECS" & MMT_PIDS+=($!)
trace-cmd record -d --no-filter -o "$WORK/raw.dat" \
	-e sched:sched_switch -e sched:sched_wakeup -e sched:sched_process_exit \
	-e vmscan -e writeback:writeback_dirty_folio -e writeback:writeback_written \
	-e block:block_rq_insert -e block:block_rq_issue -e block:block_rq_complete -e ipi \
	sleep "$SECS" 2>&1 | grep -v "Operation not permitted\|set_ftrace" >&2 || true
# trace-cmd saves all of /proc/kallsyms (5 MB): keep the symbols the events use.
trace-cmd convert --file-version 6 -i "$WORK/raw.dat" -o "$WORK/v6.dat" >/dev/null 2>&1
python3 "$TRIM" "$MMT" "$WORK/v6.dat" "$WORK/trim.dat"
trace-cmd convert --file-version 7 --compression zstd -i "$WORK/trim.dat" -o "$OUT/trace.dat" \
	>/dev/null 2>&1
trace-cmd report "$WORK/raw.dat" >"$WORK/a.txt" 2>/dev/null
trace-cmd report "$OUT/trace.dat" >"$WORK/b.txt" 2>/dev/null
cmp -s "$WORK/a.txt" "$WORK/b.txt" || { echo "trimmed trace reports differently" >&2; exit 1; }
ls -l "$OUT/trace.dat" >&2
