#!/usr/bin/env bash
# run.sh SCENARIO OUTDIR [APPEND...]: samples/lab/run.sh with the lab's
# lockdep kernel (build.sh) and its test modules (samples/lab/modules,
# built here against that kernel and packed under /lab with the scenario,
# which insmods what it needs). Leaves OUTDIR/console.txt and
# OUTDIR/capture/ like run.sh.
#
# LAB_KERNEL_DIR: where build.sh built (default /work/lab-kernel).
# A scenario's lab.conf (bash, optional) may set LAB_MEM, LAB_SMP,
# LAB_TIMEOUT and LAB_APPEND (kernel command line); the environment wins.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { echo "usage: $0 SCENARIO OUTDIR [APPEND...]" >&2; exit 2; }
scenario=$here/../scenarios/$1
out=$2
shift 2
[ -d "$scenario" ] || { echo "lab: no scenario $scenario" >&2; exit 2; }
obj=${LAB_KERNEL_DIR:-/work/lab-kernel}/obj
[ -r "$obj/include/config/kernel.release" ] ||
	{ echo "lab: no lockdep kernel in $obj (samples/lab/lockdep/build.sh)" >&2; exit 1; }
LAB_KVER=$(cat "$obj/include/config/kernel.release")
LAB_KERNEL=$obj/arch/x86/boot/bzImage
LAB_MODDIR=$obj
LAB_MODULES="" # none: everything is built in
LAB_APPEND=${LAB_APPEND:-}
# shellcheck source=/dev/null # the scenario's own settings
[ -r "$scenario/lab.conf" ] && . "$scenario/lab.conf"
# shellcheck source=../lab.sh
. "$here/../lab.sh"
lab_require
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/lab" "$work/mod"
cp "$here/../modules/Kbuild" "$here"/../modules/*.c "$work/mod/"
make -s -C "$obj" M="$work/mod" modules >&2
cp "$work"/mod/*.ko "$work/lab/"
for src in "$scenario"/*.c; do
	[ -e "$src" ] || continue
	gcc -O2 -static -Wall -Wextra -Werror -o "$work/lab/$(basename "${src%.c}")" "$src"
done
cp "$scenario"/* "$work/lab/"
cp "$here/guest.sh" "$work/lab/lockdep.sh"
rm -f "$work"/lab/*.c "$work/lab/lab.conf"
lab_initramfs "$work/initrd.gz" "$work/lab"
rc=0
# shellcheck disable=SC2086 # LAB_APPEND is a list of kernel parameters
lab_boot "$work/initrd.gz" "$work/result.img" "$out/console.txt" $LAB_APPEND "$@" || rc=$?
lab_collect "$work/result.img" "$out"
lab_log "guest exit $rc; capture in $out/capture"
