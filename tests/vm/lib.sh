# shellcheck shell=bash
# The vm tests' common part: sourced after ../cli/lib.sh.
# vm_dump SCENARIO: skips without QEMU, busybox, crash or Debian's kernel
# and its debug vmlinux; boots the lab guest with SCENARIO and has QEMU dump
# its memory to $LAB/vmcore.
# vm_report [NAME]: `mmtriage report --vmlinux` of that dump into $T/v.db,
# timed: $REPORT_SECS. With NAME, the dump is read through a link of that
# name (crash reads "NAME@ADDRESS" as a dump at an address).
KVER=6.1.0-50-cloud-amd64
VMLINUX=/usr/lib/debug/boot/vmlinux-$KVER
LAB=$T/lab

vm_dump() {
	local need
	for need in qemu-system-x86_64 busybox crash; do
		command -v "$need" >/dev/null || { echo "skip: no $need"; exit 77; }
	done
	[ -r "$VMLINUX" ] || { echo "skip: no $VMLINUX (linux-image-$KVER-dbg)"; exit 77; }
	[ -r "/boot/vmlinuz-$KVER" ] || { echo "skip: no /boot/vmlinuz-$KVER"; exit 77; }
	LAB_DUMP=$LAB/vmcore bash "$MMT_SOURCE_DIR/samples/lab/run.sh" "$1" "$LAB" \
		>"$T/lab.log" 2>&1 || { cat "$T/lab.log" >&2; fail "the guest lab failed"; }
	[ -s "$LAB/vmcore" ] || { cat "$T/lab.log" >&2; fail "no dump written"; }
}

vm_report() {
	local start dump=$LAB/vmcore
	if [ -n "${1:-}" ]; then
		dump=$LAB/$1
		ln -s vmcore "$dump"
	fi
	start=$(date +%s.%N)
	expect_ok report -d "$T/v.db" --vmlinux "$VMLINUX" "$dump"
	REPORT_SECS=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	echo "report of a $(du -m "$LAB/vmcore" | cut -f1) MB dump: $REPORT_SECS s"
	grep -A3 "^Diagnosis" "$OUT"
	# the report says what read the dump, and that the stacks are scans
	# (a paragraph: its lines wrapped)
	tr -s ' \n' '  ' <"$OUT" | grep -Eq "crash-session\.txt: read by crash [0-9.]+\. crash's ps found [0-9]+ of the [0-9]+ tasks" ||
		fail "the report does not say that crash read the dump and its stacks are scans"
}

# vm_within SECS: fails when the report took longer.
vm_within() {
	awk -v s="$REPORT_SECS" -v max="$1" 'BEGIN { exit !(s < max) }' ||
		fail "the report took $REPORT_SECS s (more than $1)"
}
