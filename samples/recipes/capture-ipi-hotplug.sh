#!/bin/bash
# Recipe for samples/capture-ipi-hotplug: a capture directory
# (docs/capture.md) with a trace of IPI storms and CPU1 going offline and
# online, after an idle lead-in.
#
# Run as root:  MMTRIAGE=build/mmtriage samples/recipes/capture-ipi-hotplug.sh [OUTDIR]
# Writes OUTDIR/capture.tar.xz (default OUTDIR: samples/capture-ipi-hotplug).
#
# Timeline (seconds after the capture started):
#    0-12  idle lead-in (the trace starts at about 2 s)
#   12-18  storm A: mprotect() TLB shootdowns (mmt_worker.py tlb, paced to
#          2000 downgrades/s); `echo 1 >/proc/sys/vm/compact_memory` at 13 and 16
#   20-32  storm B: membarrier(PRIVATE_EXPEDITED) (mmt_worker.py ipi, 2000
#          calls/s); CPU1 offline 22-26 and 28-31
#   34-38  CPU1 offline with no storm
#   38-42  idle
# Each worker pins its two threads to CPU0 and CPU1; every call interrupts
# CPU1 while it is online (going offline undoes the pinning).
#   36-41  CPU1 offline with no storm
#   41-45  idle
# Changes undone in the trap: CPU1's online state, the workers.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME=capture-ipi-hotplug
OUT=${1:-$HERE/../$NAME}
WORK=/var/tmp/mmtriage-$NAME
CPU1=/sys/devices/system/cpu/cpu1/online
CPU1_ORIG=""

mmt_require_root
mmt_require_tools trace-cmd xz

cleanup() {
	for p in "${MMT_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "$CPU1_ORIG" ] && echo "$CPU1_ORIG" >"$CPU1"
	rm -rf "$WORK"
	echo "== cpu1 online: $(cat "$CPU1")" >&2
}
mmt_trap cleanup

cpu1() {
	echo "$1" >"$CPU1"
	mmt_step "cpu1 online=$1"
}

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
CPU1_ORIG=$(cat "$CPU1")
[ "$CPU1_ORIG" = 1 ] || { echo "cpu1 must be online" >&2; exit 1; }

mmt_capture_start "$WORK/$NAME" 1 "$NAME"
mmt_trace_start 40000 "${MMT_EV_IPI[@]}" -e sched:sched_switch

mmt_capture_at 12
mmt_step "storm A: mmt-tlb 2000/s for 6 s"
"${MMT_WORKER[@]}" --comm mmt-tlb tlb 6 2000 & MMT_PIDS+=($!)
mmt_capture_at 13
mmt_step "compact_memory"; echo 1 >/proc/sys/vm/compact_memory
mmt_capture_at 16
mmt_step "compact_memory"; echo 1 >/proc/sys/vm/compact_memory
mmt_capture_at 20
mmt_step "storm B: mmt-ipi 2000/s for 12 s"
"${MMT_WORKER[@]}" --comm mmt-ipi ipi 12 2000 & MMT_PIDS+=($!)
mmt_capture_at 22; cpu1 0
mmt_capture_at 26; cpu1 1
mmt_capture_at 28; cpu1 0
mmt_capture_at 31; cpu1 1
mmt_capture_at 34; cpu1 0
mmt_capture_at 38; cpu1 1
wait "${MMT_PIDS[@]}"
MMT_PIDS=()
mmt_capture_at 42
mmt_step "end"
mmt_trace_stop
mmt_capture_stop
mmt_capture_pack "$WORK/$NAME" "$OUT/capture.tar.xz"
