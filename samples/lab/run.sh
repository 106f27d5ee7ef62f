#!/usr/bin/env bash
# run.sh SCENARIO OUTDIR [KERNEL-APPEND...]: boot the lab guest with
# scenarios/SCENARIO, and leave in OUTDIR the console log (console.txt) and
# the guest's capture directory (capture/). Needs root only for nothing:
# the guest runs as an ordinary QEMU process.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
[ $# -ge 2 ] || { echo "usage: $0 SCENARIO OUTDIR [APPEND...]" >&2; exit 2; }
scenario=$LAB_DIR/scenarios/$1
out=$2
shift 2
[ -d "$scenario" ] || { echo "lab: no scenario $scenario" >&2; exit 2; }
lab_require
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Scenarios may ship C helpers: built static here, run in the guest.
for src in "$scenario"/*.c; do
	[ -e "$src" ] || continue
	gcc -O2 -static -Wall -Wextra -Werror -o "$work/$(basename "${src%.c}")" "$src"
done
cp "$scenario"/* "$work"/ 2>/dev/null || true
rm -f "$work"/*.c
lab_initramfs "$work/initrd.gz" "$work"
rc=0
lab_boot "$work/initrd.gz" "$work/result.img" "$out/console.txt" "$@" || rc=$?
lab_collect "$work/result.img" "$out"
lab_log "guest exit $rc; capture in $out/capture"
