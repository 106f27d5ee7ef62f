#!/bin/bash
# Recipe for samples/capture-baseline-load: a capture directory
# (docs/capture.md) of ordinary load without memory pressure, with the
# same snapshots and trace events as capture-baseline-idle.
#
# Run as root:  MMTRIAGE=build/mmtriage samples/recipes/capture-baseline-load.sh [OUTDIR]
# Writes OUTDIR/capture.tar.xz (default OUTDIR: samples/capture-baseline-load).
#
# Timeline (seconds after the capture started), nothing in a memory cgroup:
#    0-5   idle
#    5     tar c /usr/share | cat >/dev/null (once)
#    8-65  cat of every file under /usr/share and /usr/lib, again and again
#          (a tar | cat loop would switch between the two millions of
#          times a minute through the pipe: a huge trace)
#   10     dd if=/dev/zero of=WORK/dd.out bs=1M count=1024 conv=fsync
#   15-65  a compile, again and again: gcc -O2 -c of this project's C
#          sources, 2 at a time
#   40     the dd again
#   65     the loops are stopped; 75 end
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME=capture-baseline-load
OUT=${1:-$HERE/../$NAME}
SRC=$(cd "$HERE/../.." && pwd)
WORK=""

mmt_require_root
mmt_require_tools trace-cmd xz tar gcc

# TERM each worker's process group (each runs in a session of its own) and
# wait for the workers (only them: the sampler and trace-cmd run too).
stop_workers() {
	local p
	for p in "${MMT_PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
	for p in "${MMT_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	MMT_PIDS=()
}

cleanup() {
	stop_workers
	[ -n "$WORK" ] && rm -rf "$WORK"
}
mmt_trap cleanup

mmt_baseline_start "$NAME" "$OUT"
mkdir -p "$WORK/obj"
mmt_capture_at 5
mmt_step "tar c /usr/share | cat >/dev/null"
setsid sh -c 'tar cf - /usr/share 2>/dev/null | cat >/dev/null' & MMT_PIDS+=($!)
mmt_capture_at 8
mmt_step "cat of every file under /usr/share and /usr/lib, in a loop"
setsid sh -c 'while :; do find /usr/share /usr/lib -type f -exec cat {} + >/dev/null 2>&1; done' &
MMT_PIDS+=($!)
mmt_capture_at 10
mmt_step "dd 1 GiB conv=fsync to $WORK/dd.out"
setsid dd if=/dev/zero of="$WORK/dd.out" bs=1M count=1024 conv=fsync status=none & MMT_PIDS+=($!)
mmt_capture_at 15
mmt_step "gcc -O2 -c of $SRC's C sources, 2 at a time, in a loop"
# shellcheck disable=SC2016
setsid sh -c 'while :; do find "$0" -path "$0/build*" -prune -o -name "*.c" -print |
	xargs -P2 -I{} sh -c "gcc -O2 -w -I$0 -I$0/src -c {} -o $1/\$(basename {}).o 2>/dev/null || true"; done' \
	"$SRC" "$WORK/obj" & MMT_PIDS+=($!)
mmt_capture_at 40
mmt_step "dd 1 GiB conv=fsync to $WORK/dd.out, again"
setsid dd if=/dev/zero of="$WORK/dd.out" bs=1M count=1024 conv=fsync status=none & MMT_PIDS+=($!)
mmt_capture_at 65
mmt_step "stopping the loops"
stop_workers
mmt_capture_at 75
mmt_baseline_finish "$NAME" "$OUT"
