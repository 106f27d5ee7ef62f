#!/usr/bin/env bash
# The guest lab end to end (ctest -L vm; not in the default test command:
# it needs Debian's kernel, its 280 MB debug package and QEMU, and a few
# minutes): boots samples/lab/scenarios/freeze-dump, whose writers block on a
# frozen ext4, has QEMU dump the guest's memory, and reads the dump with
# `mmtriage report VMCORE --vmlinux VMLINUX`: the verdict names the blocked
# tasks, their wait class and the class of hang, within 60 s.
. "$(dirname "$0")/../cli/lib.sh"

KVER=6.1.0-50-cloud-amd64
VMLINUX=/usr/lib/debug/boot/vmlinux-$KVER
for need in qemu-system-x86_64 busybox crash; do
	command -v "$need" >/dev/null || { echo "skip: no $need"; exit 77; }
done
[ -r "$VMLINUX" ] || { echo "skip: no $VMLINUX (linux-image-$KVER-dbg)"; exit 77; }
[ -r "/boot/vmlinuz-$KVER" ] || { echo "skip: no /boot/vmlinuz-$KVER"; exit 77; }

LAB=$T/lab
LAB_DUMP=$LAB/vmcore bash "$MMT_SOURCE_DIR/samples/lab/run.sh" freeze-dump "$LAB" \
	>"$T/lab.log" 2>&1 || { cat "$T/lab.log" >&2; fail "the guest lab failed"; }
[ -s "$LAB/vmcore" ] || { cat "$T/lab.log" >&2; fail "no dump written"; }

start=$(date +%s.%N)
expect_ok report -d "$T/v.db" --vmlinux "$VMLINUX" "$LAB/vmcore"
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "report of a $(du -m "$LAB/vmcore" | cut -f1) MB dump: $secs s"
out_has "^Diagnosis: fs_freeze"
out_has "fs_freeze +3 .*sh:[0-9]+, sh:[0-9]+, sh:[0-9]+"
[ "$(sql "$T/v.db" "SELECT reader FROM trees WHERE kind = 'vmcore'")" = "crash 8.0.2" ] ||
	fail "the reader of the dump is not recorded"
[ "$(sql "$T/v.db" "SELECT count(*) FROM tasks WHERE role = 'dump' AND state = 'D' AND wait_class = 'fs_freeze'")" = 3 ] ||
	fail "the three writers' stack scans are not fs_freeze"
awk -v s="$secs" 'BEGIN { exit !(s < 60) }' || fail "the report took $secs s (more than 60)"
echo "ok"
