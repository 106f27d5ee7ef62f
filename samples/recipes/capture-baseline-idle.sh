#!/bin/bash
# Recipe for samples/capture-baseline-idle: a capture directory
# (docs/capture.md) of 60 s in which this script does nothing, with the
# snapshots and the union of the trace events of the other capture-*
# recipes: the analyzers have all their data and must find nothing.
#
# Run as root:  MMTRIAGE=build/mmtriage samples/recipes/capture-baseline-idle.sh [OUTDIR [SECONDS]]
# Writes OUTDIR/capture.tar.xz (default OUTDIR: samples/capture-baseline-idle).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME=capture-baseline-idle
OUT=${1:-$HERE/../$NAME}
SECS=${2:-60}
WORK=""

mmt_require_root
mmt_require_tools trace-cmd xz

cleanup() {
	[ -n "$WORK" ] && rm -rf "$WORK"
}
mmt_trap cleanup

mmt_baseline_start "$NAME" "$OUT"
mmt_capture_at "$SECS"
mmt_baseline_finish "$NAME" "$OUT"
