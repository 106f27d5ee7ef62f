#!/bin/bash
# Recipe for samples/capture-memcg-swap-oom: a capture directory
# (docs/capture.md) of a memory cgroup that reclaims into a small zram swap
# until the swap is full and the cgroup's OOM killer kills the allocator.
#
# Run as root:  MMTRIAGE=build/mmtriage samples/recipes/capture-memcg-swap-oom.sh [OUTDIR]
# Writes OUTDIR/capture.tar.xz (default OUTDIR: samples/capture-memcg-swap-oom).
#
# Setup: /dev/zram0 with a 192 MiB disksize (lz4), mkswap, swapon at
# priority 32767 (the machine has no other swap); a v1 memory cgroup
# MEMCG_ROOT/mmtriage-swap-oom with memory.limit_in_bytes 128 MiB and
# memory.memsw unlimited, so its anonymous memory goes to zram.
# Timeline (seconds after the capture started):
#    0-5   idle
#    5     mmt-hold starts in the cgroup: 48 MiB of anonymous memory, held
#    6     mmt-hog starts in the cgroup: 4 MiB more every 0.2 s, never freed
#          (the cgroup reclaims into zram from about 9 s; zram's 49,152
#          slots run out; then the cgroup OOM killer fires)
#    OOM+12 end
# Changes undone in the trap: the workers, the cgroup, swapoff, zram reset.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME=capture-memcg-swap-oom
OUT=${1:-$HERE/../$NAME}
WORK=/var/tmp/mmtriage-$NAME
MEMCG_ROOT=${MEMCG_ROOT:-/sys/fs/cgroup/memory}
CG=$MEMCG_ROOT/mmtriage-swap-oom
ZRAM=/dev/zram0
ZSYS=/sys/block/zram0
SWAPON=0

mmt_require_root
mmt_require_tools trace-cmd xz mkswap swapon swapoff
[ -f "$MEMCG_ROOT/memory.memsw.limit_in_bytes" ] || { echo "need v1 memory cgroup with swap accounting at $MEMCG_ROOT" >&2; exit 1; }
[ -z "$(swapon --noheadings --show)" ] || { echo "a swap device is already active" >&2; exit 1; }
[ "$(cat "$ZSYS/disksize")" = 0 ] || { echo "$ZRAM is in use" >&2; exit 1; }

cleanup() {
	mmt_cg_teardown "$CG"
	[ "$SWAPON" = 1 ] && swapoff "$ZRAM" && SWAPON=0
	echo 1 >"$ZSYS/reset"
	rm -rf "$WORK"
	echo "== swapon: $(swapon --noheadings --show | wc -l) devices; $ZRAM disksize $(cat "$ZSYS/disksize"); cgroup: $([ -d "$CG" ] && echo present || echo removed)" >&2
}
mmt_trap cleanup

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
echo lz4 >"$ZSYS/comp_algorithm"
echo $((192 << 20)) >"$ZSYS/disksize"
mkswap -q "$ZRAM"
swapon -p 32767 "$ZRAM"
SWAPON=1
mkdir "$CG"
echo $((128 << 20)) >"$CG/memory.limit_in_bytes"
[ "$(cat "$CG/memory.limit_in_bytes")" = $((128 << 20)) ] || exit 1

mmt_capture_start "$WORK/$NAME" 1 "$NAME"
mmt_trace_start 40000 "${MMT_EV_RECLAIM[@]}" "${MMT_EV_SCHED[@]}"
mmt_capture_at 5
mmt_step "mmt-hold: 48 MiB held in $CG"
mmt_in_cg "$CG" "${MMT_WORKER[@]}" --comm mmt-hold alloc 48 48 0
mmt_capture_at 6
mmt_step "mmt-hog: +4 MiB every 0.2 s in $CG (limit 128 MiB, zram swap 192 MiB)"
mmt_in_cg "$CG" "${MMT_WORKER[@]}" --comm mmt-hog alloc 4 0 0.2
oom_kills() { awk '/^oom_kill / {print $2}' "$CG/memory.oom_control"; }
for ((s = 0; s < 120; s++)); do
	[ "$(oom_kills)" -gt 0 ] && break
	sleep 0.5
done
mmt_step "cgroup oom_kill count $(oom_kills); $(grep -E '^(SwapTotal|SwapFree)' /proc/meminfo | tr -s ' \n' ' ')"
sleep 12
mmt_step "end"
mmt_trace_stop
mmt_capture_stop
mmt_capture_pack "$WORK/$NAME" "$OUT/capture.tar.xz"
