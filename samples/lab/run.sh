#!/usr/bin/env bash
# run.sh SCENARIO OUTDIR [KERNEL-APPEND...]: boot the lab guest with
# scenarios/SCENARIO, and leave in OUTDIR the console log (console.txt) and
# the guest's capture directory (capture/). Needs root only for nothing:
# the guest runs as an ordinary QEMU process.
#
# A scenario's lab.conf (optional, bash) sets what it needs: LAB_MEM,
# LAB_SMP, LAB_DISK_MB, LAB_DISK_FS, LAB_TIMEOUT and LAB_APPEND (kernel
# command line), each as VAR=${VAR:-value} so that the environment still
# wins. APPEND arguments of this command come after LAB_APPEND.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 SCENARIO OUTDIR [APPEND...]" >&2; exit 2; }
scenario=$(cd "$(dirname "$0")" && pwd)/scenarios/$1
out=$2
shift 2
[ -d "$scenario" ] || { echo "lab: no scenario $scenario" >&2; exit 2; }
LAB_APPEND=${LAB_APPEND:-}
# shellcheck source=/dev/null # the scenario's own settings
[ -r "$scenario/lab.conf" ] && . "$scenario/lab.conf"
. "$(dirname "$0")/lab.sh"
lab_require
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The lab's helpers (guest/*.c) and a scenario's own C files: built static
# here, run in the guest from /lab.
for src in "$LAB_DIR"/guest/*.c "$scenario"/*.c; do
	[ -e "$src" ] || continue
	gcc -O2 -static -Wall -Wextra -Werror -o "$work/$(basename "${src%.c}")" "$src"
done
cp "$scenario"/* "$work"/ 2>/dev/null || true
rm -f "$work"/*.c "$work/lab.conf"
lab_initramfs "$work/initrd.gz" "$work"
rc=0
# shellcheck disable=SC2086 # LAB_APPEND is a list of kernel parameters
lab_boot "$work/initrd.gz" "$work/result.img" "$out/console.txt" $LAB_APPEND "$@" || rc=$?
lab_collect "$work/result.img" "$out"
lab_log "guest exit $rc; capture in $out/capture"
