#!/bin/bash
# Recipe for samples/hung-task-fsfreeze: writers blocked on a frozen ext4
# superblock, reported by the kernel's hung-task detector.
#
# Run as root:  samples/recipes/hung-task-fsfreeze.sh [OUTDIR]
# Default OUTDIR: samples/hung-task-fsfreeze next to this directory.
#
# What it changes, and undoes in cleanup() (also on error, Ctrl-C, TERM):
#   - a 1 GiB sparse file in /var/tmp/mmtriage-hung-task-fsfreeze, attached
#     to a loop device, ext4, mounted under the same directory, then frozen
#     with fsfreeze -f (only this filesystem; never / or anything else);
#   - kernel.hung_task_timeout_secs and kernel.hung_task_warnings;
#   - a handful of worker processes;
#   - a systemd-journald in a private mount namespace (see common.sh).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME=hung-task-fsfreeze
OUT=${1:-$HERE/../$NAME}
WORK=/var/tmp/mmtriage-$NAME
MNT=$WORK/mnt
# The detector reports a task once it has not been scheduled for TIMEOUT
# seconds, and again at every later check (every TIMEOUT seconds, since
# hung_task_check_interval_secs is 0) while it stays blocked.
TIMEOUT=10
# Every report decrements hung_task_warnings; at 0 the kernel prints
# "Future hung task reports are suppressed" and stops. Seven writers are
# expected to block: 7 first reports plus 5 second ones.
WARNINGS=12
HOLD_MAX=150 # never keep the filesystem frozen longer than this (seconds)

LOOP=""
FROZEN=0
MOUNTED=0
declare -A PG=() # role -> process group id (each worker runs in its own session)

mmt_require_root
mmt_require_tools losetup mkfs.ext4 fsfreeze mount umount dmesg setsid truncate nsenter unshare
[ -x "$MMT_PY" ] || { echo "need $MMT_PY" >&2; exit 1; }

# teardown: undo everything in the safe order. Idempotent: the normal path
# calls it before the end marker (so unmount messages are in the log), the
# trap calls it again in case the script stopped early.
teardown() {
	set +e
	# 1. Thaw first: blocked writers cannot even die while the fs is frozen
	#    (they sleep uninterruptibly; a SIGKILL stays pending until thaw).
	if [ "$FROZEN" = 1 ] || { [ "$MOUNTED" = 1 ] && mountpoint -q "$MNT"; }; then
		fsfreeze -u "$MNT" 2>/dev/null && mmt_log "thawed $MNT"
		FROZEN=0
	fi
	# 2. Stop the workers (whole process groups we created, by id).
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

# Start a worker in its own session/process group, remember it by role.
start_worker() {
	local role=$1
	shift
	setsid "$@" </dev/null >>"$WORK/workers.out" 2>&1 &
	PG[$role]=$!
	echo "$role pgid=$! cmd=$*" >>"$WORK/roles.txt"
}

rm -rf "$WORK"
mkdir -p "$WORK" "$MNT" "$OUT"
rm -f "$OUT"/dmesg*.txt "$OUT"/journalctl*.txt "$OUT"/tasks.txt "$OUT"/run-info.txt \
	"$OUT"/reader-progress.txt "$OUT"/fsync-only-progress.txt
: >"$WORK/roles.txt"

mmt_journald_start "$WORK/journald.out"

BEGIN="begin $NAME run $MMT_RUN_ID"
END="end $NAME run $MMT_RUN_ID"
mmt_mark "$BEGIN"

# The filesystem under test: ext4 on a loop device backed by a sparse file.
truncate -s 1G "$WORK/fs.img"
mkfs.ext4 -q -F "$WORK/fs.img"
LOOP=$(losetup --find --show "$WORK/fs.img")
mount -t ext4 "$LOOP" "$MNT"
MOUNTED=1
mkdir "$MNT/creat" "$MNT/dirs"
# Files that exist before the freeze: read by the reader, fsync()ed by
# fsync-only.
dd if=/dev/urandom of="$MNT/seed.dat" bs=1M count=32 status=none
sync -f "$MNT/seed.dat"

DETECT_BEFORE=$(sysctl -n kernel.hung_task_detect_count)
mmt_sysctl_set kernel.hung_task_timeout_secs "$TIMEOUT"
mmt_sysctl_set kernel.hung_task_warnings "$WARNINGS"

# Writers. Each blocks at its own point once the superblock is frozen.
# dd: one long-lived process doing buffered write(2), fed slowly by a pipe so
# it does not fill the filesystem.
start_worker dd sh -c "while :; do head -c 1048576 /dev/zero; sleep 0.1; done | dd of=$MNT/dd.out bs=64k status=none"
# sh: a shell appending lines with its builtin echo (open O_APPEND + write).
start_worker append sh -c "while :; do echo \"line \$\$\" >>$MNT/append.log; sleep 0.05; done"
# touch: creates a new file each time (open O_CREAT).
start_worker touch sh -c "i=0; while :; do touch $MNT/creat/f\$i; i=\$((i+1)); sleep 0.05; done"
# mkdir: creates a new directory each time.
start_worker mkdir sh -c "i=0; while :; do mkdir $MNT/dirs/d\$i; i=\$((i+1)); sleep 0.05; done"
# fsync-writer: write 4 KiB then fsync(), in a loop, like a database log.
start_worker fsync-writer "${MMT_WORKER[@]}" --comm fsync-writer fsync-writer "$MNT/fsync.dat"
# fsync-only: fsync() on an existing file it never writes. Expected NOT to
# block: the freeze already wrote everything back, so there is nothing to
# flush and fsync takes no freeze protection. Progress file outside the fs.
start_worker fsync-only "${MMT_WORKER[@]}" --comm fsync-only fsync-only "$MNT/seed.dat" \
	"$WORK/fsync-only-progress.txt"
# mmap-writer: stores into a MAP_SHARED mapping and msync()s it.
start_worker mmap-writer "${MMT_WORKER[@]}" --comm mmap-writer mmap-writer "$MNT/mmap.dat"
# rm: deletes the files touch creates (unlink).
start_worker rm sh -c "i=0; while :; do rm -f $MNT/creat/f\$i; i=\$((i+1)); sleep 0.1; done"
# reader: reads files on the frozen fs; expected NOT to block (reads need no
# freeze protection; atime updates are skipped with a trylock). Its progress
# file lives outside the frozen filesystem.
start_worker reader "${MMT_WORKER[@]}" --comm reader reader "$WORK/reader-progress.txt" \
	"$MNT/seed.dat" "$MNT/append.log"

sleep 5 # let every worker get going
if [ -s "$WORK/workers.out" ]; then
	mmt_log "worker output so far:"
	cat "$WORK/workers.out" >&2
fi

T_FREEZE=$(mmt_uptime)
mmt_mark "fsfreeze -f $MNT ($LOOP, ext4); hung_task_timeout_secs=$TIMEOUT hung_task_warnings=$WARNINGS"
fsfreeze -f "$MNT"
FROZEN=1
mmt_log "frozen $MNT"

# Hold the freeze until the warnings budget is spent (the kernel then prints
# the suppression notice), or HOLD_MAX seconds at most. Snapshot the workers'
# states and stacks once they have all had time to block.
SNAP_DONE=0
for ((s = 1; s <= HOLD_MAX; s++)); do
	sleep 1
	if [ "$SNAP_DONE" = 0 ] && [ "$s" -ge 8 ]; then
		{
			mmt_snapshot_tasks "while frozen, $s s after fsfreeze -f" "${PG[@]}"
			echo "=== kernel threads (loop workers, jbd2, flushers)"
			mmt_snapshot_kthreads '(loop|flush|jbd2)'
		} >"$WORK/tasks.txt"
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
sleep 3
mmt_snapshot_tasks "3 s after fsfreeze -u" "${PG[@]}" >>"$WORK/tasks.txt"
DETECTED=$(sysctl -n kernel.hung_task_detect_count)

# Record who was who before the processes go away.
{
	echo "sample: $NAME"
	echo "run id: $MMT_RUN_ID"
	echo "kernel: $(uname -r) ($(uname -v))"
	echo "loop device: $LOOP  backing file: $WORK/fs.img  mount: $MNT (ext4)"
	echo "hung_task_timeout_secs=$TIMEOUT hung_task_warnings=$WARNINGS hung_task_check_interval_secs=$(sysctl -n kernel.hung_task_check_interval_secs)"
	echo "original values: timeout=${MMT_SYSCTL_ORIG[kernel.hung_task_timeout_secs]} warnings=${MMT_SYSCTL_ORIG[kernel.hung_task_warnings]}"
	echo "fsfreeze -f at uptime $T_FREEZE, fsfreeze -u at uptime $T_THAW"
	echo "kernel.hung_task_detect_count: $DETECT_BEFORE before, $DETECTED after (counts suppressed reports too)"
	echo "workers (role, process group, command):"
	cat "$WORK/roles.txt"
} >"$OUT/run-info.txt"

teardown
mmt_mark "$END"
sleep 1

cp "$WORK/tasks.txt" "$OUT/tasks.txt"
cp "$WORK/reader-progress.txt" "$OUT/reader-progress.txt"
cp "$WORK/fsync-only-progress.txt" "$OUT/fsync-only-progress.txt"
mmt_capture "$OUT" "$BEGIN" "$END"
mmt_log "done: $OUT"
