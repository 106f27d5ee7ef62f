#!/bin/bash
# Recipe for samples/capture-writeback-stall: a capture directory
# (docs/capture.md) of pages stuck under writeback on a loop device whose
# backing file's filesystem is frozen, then thawed.
#
# Run as root:  MMTRIAGE=build/mmtriage samples/recipes/capture-writeback-stall.sh [OUTDIR]
# Writes OUTDIR/capture.tar.xz (default OUTDIR: samples/capture-writeback-stall).
#
# Layout (created before the capture starts, removed in the trap):
#   /var/tmp/mmtriage-capture-writeback-stall/a.img  2 GiB sparse file
#     -> LOOPA -> ext4 "A" mounted on .../a          <- frozen
#   .../a/b.img  1 GiB sparse file on A
#     -> LOOPB (buffered, wbt off) -> ext4 "B" mounted on .../b
# The loop driver writes B's blocks into b.img with ordinary file writes,
# which need A's freeze protection: while A is frozen, B's loop worker
# blocks, B's requests stay in flight and B's pages stay under writeback.
# Timeline (seconds after the capture started):
#    0-3   idle
#    3     writers start on B: buffered dd (about 10 MB/s), a write+fsync
#          loop, a touch loop
#    6     fsfreeze -f A
#    8     sync(1) started (waits for all of B's dirty pages)
#   36     fsfreeze -u A; B's writeback drains
#   40     writers stopped
#   46     end
# Trace: writeback (MMT_EV_WRITEBACK), block requests of LOOPA and LOOPB
# only (the machine's own disk is left out), vmscan, and sched_switch only
# where the task switched out sleeps (prev_state & 3: S or D), to keep the
# trace small on a busy machine.
# Also changed and restored: kernel.hung_task_timeout_secs (10),
# kernel.hung_task_warnings (20), LOOPB's wbt_lat_usec (0).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME=capture-writeback-stall
OUT=${1:-$HERE/../$NAME}
WORK=/var/tmp/mmtriage-$NAME
MNTA=$WORK/a
MNTB=$WORK/b
LOOPA=""
LOOPB=""
WBT_ORIG=""
declare -A PG=()

mmt_require_root
mmt_require_tools trace-cmd xz losetup mkfs.ext4 fsfreeze setsid truncate

cleanup() {
	# Thaw A first: B's pending writes, its unmount and the workers all need
	# B's loop worker, which needs A writable.
	fsfreeze -u "$MNTA" 2>/dev/null && mmt_log "thawed $MNTA"
	mmt_stop_groups
	mountpoint -q "$MNTB" && mmt_unmount "$MNTB" 30
	if [ -n "$LOOPB" ]; then
		[ -n "$WBT_ORIG" ] && echo "$WBT_ORIG" >"/sys/block/${LOOPB#/dev/}/queue/wbt_lat_usec"
		losetup -d "$LOOPB"
	fi
	mountpoint -q "$MNTA" && mmt_unmount "$MNTA" 30
	[ -n "$LOOPA" ] && losetup -d "$LOOPA"
	mmt_sysctl_restore
	mountpoint -q "$MNTA" || rm -rf "$WORK"
	mmt_verify_clean kernel.hung_task_timeout_secs kernel.hung_task_warnings >&2
}
mmt_trap cleanup

start_worker() {
	local role=$1
	shift
	setsid "$@" </dev/null >>"$WORK/workers.out" 2>&1 &
	PG[$role]=$!
}

rm -rf "$WORK"
mkdir -p "$WORK" "$MNTA" "$MNTB" "$OUT"
truncate -s 2G "$WORK/a.img"
mkfs.ext4 -q -F "$WORK/a.img"
LOOPA=$(losetup --find --show "$WORK/a.img")
mount -t ext4 "$LOOPA" "$MNTA"
truncate -s 1G "$MNTA/b.img"
mkfs.ext4 -q -F "$MNTA/b.img"
LOOPB=$(losetup --find --show "$MNTA/b.img")
mount -t ext4 "$LOOPB" "$MNTB"
# Without writeback throttling on LOOPB the flusher submits until the
# queue is full (with it, only a few KiB would be under writeback).
WBT_ORIG=$(cat "/sys/block/${LOOPB#/dev/}/queue/wbt_lat_usec")
echo 0 >"/sys/block/${LOOPB#/dev/}/queue/wbt_lat_usec"
mmt_log "A: $LOOPA ($WORK/a.img) on $MNTA; B: $LOOPB ($MNTA/b.img) on $MNTB"
mmt_sysctl_set kernel.hung_task_timeout_secs 10
mmt_sysctl_set kernel.hung_task_warnings 20

mmt_capture_start "$WORK/$NAME" 1 "$NAME"
mapfile -t BLOCK_EV < <(mmt_block_events "$LOOPA" "$LOOPB")
mmt_trace_start 40000 "${MMT_EV_WRITEBACK[@]}" "${BLOCK_EV[@]}" -e vmscan \
	-e sched:sched_switch -f 'prev_state & 3'
mmt_mark "A: $LOOPA on $MNTA (ext4, holds b.img); B: $LOOPB on $MNTB (ext4, backing file $MNTA/b.img)"
mmt_capture_at 3
mmt_step "writers start on B ($LOOPB)"
start_worker dd sh -c "while :; do head -c 1048576 /dev/zero; sleep 0.1; done | dd of=$MNTB/dd.out bs=64k status=none"
start_worker fsync-writer "${MMT_WORKER[@]}" --comm fsync-writer fsync-writer "$MNTB/fsync.dat"
start_worker touch sh -c "mkdir -p $MNTB/creat; i=0; while :; do touch $MNTB/creat/f\$i; i=\$((i+1)); sleep 0.05; done"
mmt_capture_at 6
mmt_step "fsfreeze -f $MNTA (A: holds the backing file of $LOOPB)"
fsfreeze -f "$MNTA"
mmt_capture_at 8
mmt_step "sync(1) started"
start_worker sync sync
mmt_capture_at 36
mmt_step "fsfreeze -u $MNTA"
fsfreeze -u "$MNTA"
mmt_capture_at 40
mmt_step "writers stopped"
mmt_stop_groups || true
mmt_capture_at 46
mmt_step "end"
mmt_trace_stop
mmt_capture_stop
mmt_capture_pack "$WORK/$NAME" "$OUT/capture.tar.xz"
