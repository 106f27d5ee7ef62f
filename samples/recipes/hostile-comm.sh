#!/bin/bash
# Recipe for samples/hostile-comm: hung-task reports whose task names hold
# terminal control sequences, invalid UTF-8, HTML and Markdown, captured both
# escaped (as /dev/kmsg and plain dmesg give them) and with the raw bytes
# (dmesg --noescape, the syslog(2) buffer).
#
# Run as root:  samples/recipes/hostile-comm.sh [OUTDIR]
# Default OUTDIR: samples/hostile-comm next to this directory.
#
# What it changes, and undoes in cleanup() (also on error, Ctrl-C, TERM):
#   - a 256 MiB sparse file in /var/tmp/mmtriage-hostile-comm, attached to a
#     loop device, ext4, mounted under the same directory, then frozen with
#     fsfreeze -f (only this filesystem; never / or anything else);
#   - kernel.hung_task_timeout_secs and kernel.hung_task_warnings;
#   - nine writer processes (recipes/hostile_comm.py writer), each with one
#     hostile name set with prctl(PR_SET_NAME);
#   - a systemd-journald in a private mount namespace (see common.sh).
#
# The names are never printed to the terminal: this script and the helper
# show them in hex only. Do not cat the sample's files to a terminal; use
# `cat -v`, `less` or `od -c`.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME=hostile-comm
OUT=${1:-$HERE/../$NAME}
WORK=/var/tmp/mmtriage-$NAME
MNT=$WORK/mnt
HELPER=("$MMT_PY" "$HERE/hostile_comm.py")
TIMEOUT=10
# Nine writers are expected to block: one report each, then the kernel prints
# "Future hung task reports are suppressed".
WARNINGS=9
HOLD_MAX=60 # never keep the filesystem frozen longer than this (seconds)
# dmesg escapes according to the locale's character classification (see the
# sample's README); pin it so that a rerun escapes the same bytes.
export LC_ALL=C.UTF-8

LOOP=""
FROZEN=0
MOUNTED=0
declare -A PG=() # writer index -> process group id (= its pid)

mmt_require_root
mmt_require_tools losetup mkfs.ext4 fsfreeze mount umount dmesg setsid truncate nsenter unshare cmp
[ -x "$MMT_PY" ] || { echo "need $MMT_PY" >&2; exit 1; }

# teardown: undo everything in the safe order. Idempotent: the normal path
# calls it before the end marker, the trap calls it again in case the script
# stopped early.
teardown() {
	set +e
	# 1. Thaw first: the blocked writers cannot die while the fs is frozen.
	if [ "$FROZEN" = 1 ] || { [ "$MOUNTED" = 1 ] && mountpoint -q "$MNT"; }; then
		fsfreeze -u "$MNT" 2>/dev/null && mmt_log "thawed $MNT"
		FROZEN=0
	fi
	# 2. Stop the writers (the process groups we created, by id).
	mmt_stop_groups
	# 3. Unmount.
	if [ "$MOUNTED" = 1 ] && mmt_unmount "$MNT" 10; then
		MOUNTED=0
	fi
	# 4. Detach the loop device.
	if [ -n "$LOOP" ] && [ "$MOUNTED" = 0 ]; then
		losetup -d "$LOOP" && LOOP=""
	fi
	# 5. Sysctls back to the values read before the run.
	mmt_sysctl_restore
	set -e
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	teardown
	mmt_journald_stop
	if [ "$MOUNTED" = 0 ] && [ -z "$LOOP" ]; then
		rm -rf "$WORK"
	else
		mmt_log "left $WORK in place: still mounted or attached"
	fi
	mmt_verify_clean kernel.hung_task_timeout_secs kernel.hung_task_warnings \
		kernel.hung_task_check_interval_secs >&2
	exit "$rc"
}
trap cleanup EXIT INT TERM

# state PID: the task's state letter. Not awk on /proc/PID/stat: a name with
# a space or a tab shifts the fields; the helper reads after the last ")".
state() { "${HELPER[@]}" comms "$1" | awk '{print $2}'; }

# snapshot TITLE: state and comm (hex) of every writer, and the kernel stack
# of those in D state. No raw name is written anywhere here.
snapshot() {
	local i pid s1 s2 stack
	echo "=== $1 (uptime $(mmt_uptime))"
	echo "index pid state comm-hex"
	for i in $(printf '%s\n' "${!PG[@]}" | sort -n); do
		printf '%s ' "$i"
		"${HELPER[@]}" comms "${PG[$i]}"
	done
	for i in $(printf '%s\n' "${!PG[@]}" | sort -n); do
		pid=${PG[$i]}
		s1=$(state "$pid")
		[ "$s1" = D ] || continue
		stack=$(cat /proc/"$pid"/stack 2>/dev/null) || continue
		s2=$(state "$pid")
		[ "$s2" = D ] || continue
		echo "--- /proc/$pid/stack (writer $i) state D"
		printf '%s\n' "$stack"
	done
}

rm -rf "$WORK"
mkdir -p "$WORK" "$MNT" "$OUT"
rm -f "$OUT"/dmesg*.txt "$OUT"/journalctl*.txt "$OUT"/devkmsg.txt "$OUT"/syslog*.txt \
	"$OUT"/tasks.txt "$OUT"/run-info.txt

mmt_journald_start "$WORK/journald.out"

BEGIN="begin $NAME run $MMT_RUN_ID"
END="end $NAME run $MMT_RUN_ID"
mmt_mark "$BEGIN"

truncate -s 256M "$WORK/fs.img"
mkfs.ext4 -q -F "$WORK/fs.img"
LOOP=$(losetup --find --show "$WORK/fs.img")
mount -t ext4 "$LOOP" "$MNT"
MOUNTED=1

DETECT_BEFORE=$(sysctl -n kernel.hung_task_detect_count)
mmt_sysctl_set kernel.hung_task_timeout_secs "$TIMEOUT"
mmt_sysctl_set kernel.hung_task_warnings "$WARNINGS"

# One writer per name, each in its own session and process group.
NAMES_TABLE=$("${HELPER[@]}" names)
while read -r idx label hex; do
	setsid "${HELPER[@]}" writer "$idx" "$MNT/w$idx.dat" </dev/null >>"$WORK/workers.out" 2>&1 &
	PG[$idx]=$!
	echo "$idx $label pid=$! comm-hex=$hex" >>"$WORK/roles.txt"
done <<<"$NAMES_TABLE"

sleep 3 # let every writer set its name and get going
if [ -s "$WORK/workers.out" ]; then
	mmt_log "writer output (od -c):"
	od -c "$WORK/workers.out" >&2
fi

T_FREEZE=$(mmt_uptime)
mmt_mark "fsfreeze -f $MNT ($LOOP, ext4); hung_task_timeout_secs=$TIMEOUT hung_task_warnings=$WARNINGS"
fsfreeze -f "$MNT"
FROZEN=1
mmt_log "frozen $MNT"

SNAP_DONE=0
for ((s = 1; s <= HOLD_MAX; s++)); do
	sleep 1
	if [ "$SNAP_DONE" = 0 ] && [ "$s" -ge 5 ]; then
		snapshot "while frozen, $s s after fsfreeze -f" >"$WORK/tasks.txt"
		SNAP_DONE=1
	fi
	if [ "$(sysctl -n kernel.hung_task_warnings)" = 0 ]; then
		sleep 2
		break
	fi
done
T_THAW=$(mmt_uptime)
mmt_mark "fsfreeze -u $MNT"
fsfreeze -u "$MNT"
FROZEN=0
sleep 2
snapshot "2 s after fsfreeze -u" >>"$WORK/tasks.txt"
DETECTED=$(sysctl -n kernel.hung_task_detect_count)

{
	echo "sample: $NAME"
	echo "run id: $MMT_RUN_ID"
	echo "kernel: $(uname -r) ($(uname -v))"
	echo "loop device: $LOOP  backing file: $WORK/fs.img  mount: $MNT (ext4)"
	echo "hung_task_timeout_secs=$TIMEOUT hung_task_warnings=$WARNINGS hung_task_check_interval_secs=$(sysctl -n kernel.hung_task_check_interval_secs)"
	echo "original values: timeout=${MMT_SYSCTL_ORIG[kernel.hung_task_timeout_secs]} warnings=${MMT_SYSCTL_ORIG[kernel.hung_task_warnings]}"
	echo "fsfreeze -f at uptime $T_FREEZE, fsfreeze -u at uptime $T_THAW"
	echo "kernel.hung_task_detect_count: $DETECT_BEFORE before, $DETECTED after"
	echo "locale for dmesg and journalctl: LC_ALL=$LC_ALL"
	echo "writers (index, label, pid = process group, comm bytes in hex):"
	cat "$WORK/roles.txt"
} >"$OUT/run-info.txt"

teardown
mmt_mark "$END"
sleep 1

cp "$WORK/tasks.txt" "$OUT/tasks.txt"
# The six formats every sample has.
mmt_capture "$OUT" "$BEGIN" "$END"
# The same window in the forms that keep, or show, the raw bytes.
"${HELPER[@]}" kmsg-dump "$OUT/devkmsg.txt" "$BEGIN" "$END" >&2
tmp=$(mktemp -d)
dmesg --noescape >"$tmp/noesc"
dmesg -r --noescape >"$tmp/rnoesc"
dmesg -S -r --noescape >"$tmp/syslog"
mmt_cut "$BEGIN" "$END" <"$tmp/noesc" >"$OUT/dmesg-noescape.txt"
mmt_cut "$BEGIN" "$END" <"$tmp/rnoesc" >"$OUT/dmesg-raw-noescape.txt"
mmt_cut "$BEGIN" "$END" <"$tmp/syslog" >"$OUT/syslog-read-all.txt"
if [ -n "$MMT_JOURNALD_PID" ]; then
	mmt_journalctl -k -q -a >"$tmp/ja"
	mmt_journalctl -k -q -a -o short-monotonic >"$tmp/jma"
	mmt_cut "$BEGIN" "$END" <"$tmp/ja" >"$OUT/journalctl-k-a.txt"
	mmt_cut "$BEGIN" "$END" <"$tmp/jma" >"$OUT/journalctl-k-a-short-monotonic.txt"
fi
# Cross-checks (results in the log only): the /dev/kmsg records with every
# \xNN turned back into its byte are dmesg --noescape's lines; the syslog(2)
# text without its "<N>" prefixes is the same again.
"${HELPER[@]}" kmsg-text "$OUT/devkmsg.txt" "$tmp/kmsg-text"
if cmp -s "$tmp/kmsg-text" "$OUT/dmesg-noescape.txt"; then
	mmt_log "check: unescaped /dev/kmsg records == dmesg --noescape"
else
	mmt_log "check: unescaped /dev/kmsg records DIFFER from dmesg --noescape"
fi
sed -E 's/^<[0-9]+>//' "$OUT/syslog-read-all.txt" >"$tmp/syslog-text"
if cmp -s "$tmp/syslog-text" "$OUT/dmesg-noescape.txt"; then
	mmt_log "check: syslog(2) text without <N> == dmesg --noescape"
else
	mmt_log "check: syslog(2) text without <N> DIFFERS from dmesg --noescape"
fi
rm -rf "$tmp"
for f in "$OUT"/devkmsg.txt "$OUT"/dmesg*noescape.txt "$OUT"/syslog-read-all.txt "$OUT"/journalctl-k-a*.txt; do
	[ -e "$f" ] && mmt_log "$(wc -lc <"$f" | awk '{print $1 " lines, " $2 " bytes"}'): $f"
done
mmt_log "done: $OUT"
