#!/bin/bash
# Recipe for samples/snapshot-series: a capture directory (docs/capture.md)
# of 1-second /proc snapshots while memory pressure, slab growth and IPIs
# are provoked on this machine, all of it kept inside a memory cgroup.
#
# Run as root:  samples/recipes/snapshot-series.sh [OUTDIR [SECONDS]]
# Default OUTDIR: samples/snapshot-series/capture; default SECONDS: 600.
#
# Phases (as fractions of SECONDS, so a short run has all of them):
#   0.00-0.10  idle baseline
#   0.10-0.35  page cache and anonymous memory inside a 256 MiB v1 memory
#              cgroup: the cgroup reclaims, the machine does not
#   0.35-0.55  200,000 files created (dentry/inode slabs grow), then
#              drop_caches=2 (slab shrinks)
#   0.55-0.75  membarrier IPIs, and CPU1 taken offline and back twice (the
#              column set of /proc/interrupts changes)
#   0.75-1.00  idle
# What it changes, and undoes in cleanup(): the cgroup MEMCG_ROOT/mmtriage-series,
# files under /var/tmp/mmtriage-series, CPU1's online state (restored to
# what it was).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

OUT=${1:-$HERE/../snapshot-series/capture}
SECONDS_TOTAL=${2:-600}
WORK=/var/tmp/mmtriage-series
MEMCG_ROOT=${MEMCG_ROOT:-/sys/fs/cgroup/memory}
CG=$MEMCG_ROOT/mmtriage-series
CPU1=/sys/devices/system/cpu/cpu1/online
CPU1_ORIG=""

mmt_require_root
[ -f "$MEMCG_ROOT/memory.limit_in_bytes" ] || { echo "no cgroup v1 memory controller at $MEMCG_ROOT" >&2; exit 1; }

cleanup() {
	mmt_cg_teardown "$CG"
	[ -n "$CPU1_ORIG" ] && echo "$CPU1_ORIG" >"$CPU1"
	rm -rf "$WORK"
	echo "== cpu1 online: $(cat "$CPU1" 2>/dev/null); cgroup: $([ -d "$CG" ] && echo present || echo removed)" >&2
}
mmt_trap cleanup

workload() {
	local t=$1 n=$SECONDS_TOTAL
	case $t in
	$((n / 10)))
		mkdir -p "$CG"
		echo $((256 << 20)) >"$CG/memory.limit_in_bytes"
		[ "$(cat "$CG/memory.limit_in_bytes")" = $((256 << 20)) ] || exit 1
		mmt_mark "series: page cache and anon pressure in $CG"
		mmt_in_cg "$CG" dd if=/dev/zero of="$WORK/big" bs=1M count=1536 status=none
		mmt_in_cg "$CG" "${MMT_WORKER[@]}" --comm series-anon alloc 16 200 0.5 ;;
	$((n * 35 / 100)))
		mmt_mark "series: creating 200000 files"
		mkdir -p "$WORK/files"
		(cd "$WORK/files" && seq 200000 | xargs touch) & MMT_PIDS+=($!) ;;
	$((n * 45 / 100)))
		mmt_mark "series: drop_caches=2"
		sync; echo 2 >/proc/sys/vm/drop_caches ;;
	$((n * 55 / 100)))
		mmt_mark "series: membarrier IPIs"
		"${MMT_WORKER[@]}" --comm series-ipi ipi $((n / 5)) & MMT_PIDS+=($!) ;;
	$((n * 60 / 100)) | $((n * 68 / 100)))
		mmt_mark "series: cpu1 offline"; echo 0 >"$CPU1" ;;
	$((n * 64 / 100)) | $((n * 72 / 100)))
		echo 1 >"$CPU1"; mmt_mark "series: cpu1 online" ;;
	esac
}

rm -rf "$WORK"
mkdir -p "$WORK"
CPU1_ORIG=$(cat "$CPU1")
mmt_capture_start "$OUT" 1 series
for ((i = 0; i < SECONDS_TOTAL; i++)); do
	mmt_capture_at "$i"
	workload "$i"
done
mmt_capture_at "$SECONDS_TOTAL"
mmt_capture_stop
echo "done: $OUT" >&2
