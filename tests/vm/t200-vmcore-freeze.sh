#!/usr/bin/env bash
# The guest lab end to end (ctest -L vm; not in the default test command:
# it needs Debian's kernel, its 280 MB debug package and QEMU, and a few
# minutes): boots samples/lab/scenarios/freeze-dump, whose writers block on a
# frozen ext4, has QEMU dump the guest's memory, and reads the dump with
# `mmtriage report VMCORE --vmlinux VMLINUX`: the verdict names the blocked
# tasks, their wait class and the class of hang, within 60 s.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"

vm_dump freeze-dump
# a name crash alone would misread (NAME@ADDRESS)
vm_report "dump@1.core"
out_has "^Diagnosis: fs_freeze"
out_has "fs_freeze +3 .*sh:[0-9]+, sh:[0-9]+, sh:[0-9]+"
[ "$(sql "$T/v.db" "SELECT reader FROM trees WHERE kind = 'vmcore'")" = "crash 8.0.2" ] ||
	fail "the reader of the dump is not recorded"
[ "$(sql "$T/v.db" "SELECT count(*) FROM tasks WHERE role = 'dump' AND state = 'D' AND wait_class = 'fs_freeze'")" = 3 ] ||
	fail "the three writers' stack scans are not fs_freeze"
vm_within 60
echo "ok"
