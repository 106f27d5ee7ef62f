#!/bin/bash
# Recipe for samples/writeback-stuck-loop: pages stuck under writeback on a
# loop device whose backing file sits on a frozen filesystem.
#
# Run as root:  samples/recipes/writeback-stuck-loop.sh [OUTDIR]
# Default OUTDIR: samples/writeback-stuck-loop next to this directory.
#
# Layout (all created here, all removed in cleanup()):
#   /var/tmp/mmtriage-writeback-stuck-loop/b.img  2 GiB sparse file
#     -> loop device LOOPB -> ext4 "B" mounted on .../b
#   .../b/a.img  1 GiB sparse file on B
#     -> loop device LOOPA -> ext4 "A" mounted on .../a
# Only B is frozen. The loop driver writes A's blocks into a.img with
# ordinary file writes, which need B's freeze protection: the loop worker
# blocks, every write request queued to LOOPA stays in flight, and the pages
# behind them stay under writeback until B is thawed.
#
# What else it changes, and restores: kernel.hung_task_timeout_secs,
# kernel.hung_task_warnings; worker processes; a systemd-journald in a
# private mount namespace (see common.sh).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME=writeback-stuck-loop
OUT=${1:-$HERE/../$NAME}
WORK=/var/tmp/mmtriage-$NAME
MNTB=$WORK/b
MNTA=$WORK/a
TIMEOUT=10
# Report budget: about two reports per blocked task; the ring buffer on the
# machine the samples were made on is 128 KiB, and the whole window must
# still be in it when it is captured.
WARNINGS=${WARNINGS:-20}
HOLD_MAX=150

LOOPA=""
LOOPB=""
MOUNTEDA=0
MOUNTEDB=0
FROZENB=0
SAMPLER=""
WBT_ORIG=""
declare -A PG=()

mmt_require_root
mmt_require_tools losetup mkfs.ext4 fsfreeze mount umount dmesg setsid truncate nsenter unshare
[ -x "$MMT_PY" ] || { echo "need $MMT_PY" >&2; exit 1; }

teardown() {
	set +e
	# 1. Thaw B first. A's pending writes (and an unmount or thaw of A) need
	#    the loop worker, which needs B writable. Then thaw A in case it was
	#    ever frozen (it is not in this recipe; harmless error otherwise).
	if [ "$FROZENB" = 1 ] || [ "$MOUNTEDB" = 1 ]; then
		fsfreeze -u "$MNTB" 2>/dev/null && mmt_log "thawed $MNTB"
		FROZENB=0
	fi
	if [ "$MOUNTEDA" = 1 ]; then
		fsfreeze -u "$MNTA" 2>/dev/null && mmt_log "thawed $MNTA"
	fi
	# 2. Workers: TERM, then KILL, whole process groups we created.
	mmt_stop_groups
	if [ -n "$SAMPLER" ]; then
		kill "$SAMPLER" 2>/dev/null
		wait "$SAMPLER" 2>/dev/null
		SAMPLER=""
	fi
	# 3. Inner filesystem first: unmount A (writes back its dirty pages
	#    through LOOPA into a.img on B), detach LOOPA, then B.
	if [ "$MOUNTEDA" = 1 ] && mmt_unmount "$MNTA" 30; then
		MOUNTEDA=0
	fi
	if [ -n "$LOOPA" ] && [ "$MOUNTEDA" = 0 ]; then
		# The loop device node outlives this run: give its queue back the
		# writeback-throttling latency it had before.
		if [ -n "$WBT_ORIG" ]; then
			echo "$WBT_ORIG" >"/sys/block/${LOOPA#/dev/}/queue/wbt_lat_usec" &&
				mmt_log "wbt_lat_usec of $LOOPA restored to $WBT_ORIG"
			WBT_ORIG=""
		fi
		losetup -d "$LOOPA" && LOOPA=""
	fi
	if [ "$MOUNTEDB" = 1 ] && [ -z "$LOOPA" ] && mmt_unmount "$MNTB" 30; then
		MOUNTEDB=0
	fi
	if [ -n "$LOOPB" ] && [ "$MOUNTEDB" = 0 ]; then
		losetup -d "$LOOPB" && LOOPB=""
	fi
	# 4. Sysctls.
	mmt_sysctl_restore
	set -e
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	teardown
	mmt_journald_stop
	if [ "$MOUNTEDA$MOUNTEDB" = 00 ] && [ -z "$LOOPA$LOOPB" ]; then
		rm -rf "$WORK"
	else
		mmt_log "left $WORK in place: still mounted or attached"
	fi
	mmt_verify_clean kernel.hung_task_timeout_secs kernel.hung_task_warnings \
		kernel.hung_task_check_interval_secs >&2
	exit "$rc"
}
trap cleanup EXIT INT TERM

start_worker() {
	local role=$1
	shift
	setsid "$@" </dev/null >>"$WORK/workers.out" 2>&1 &
	PG[$role]=$!
	echo "$role pgid=$! cmd=$*" >>"$WORK/roles.txt"
}

# One snapshot of /proc/meminfo per second, each preceded by the line of
# /proc/uptime read just before it (seconds since boot, idle seconds; on this
# machine the same clock as the kernel log's [seconds] timestamps).
meminfo_sampler() {
	while :; do
		cat /proc/uptime /proc/meminfo
		sleep 1
	done
}

rm -rf "$WORK"
mkdir -p "$WORK" "$MNTB" "$MNTA" "$OUT"
rm -f "$OUT"/dmesg*.txt "$OUT"/journalctl*.txt "$OUT"/tasks.txt "$OUT"/run-info.txt \
	"$OUT"/meminfo.txt "$OUT"/reader-progress.txt
: >"$WORK/roles.txt"
: >"$WORK/tasks.txt"

mmt_journald_start "$WORK/journald.out"

BEGIN="begin $NAME run $MMT_RUN_ID"
END="end $NAME run $MMT_RUN_ID"
mmt_mark "$BEGIN"

# B: the backing filesystem.
truncate -s 2G "$WORK/b.img"
mkfs.ext4 -q -F "$WORK/b.img"
LOOPB=$(losetup --find --show "$WORK/b.img")
mount -t ext4 "$LOOPB" "$MNTB"
MOUNTEDB=1
# A: the filesystem whose writeback gets stuck. Its image is a file on B;
# the loop device uses buffered I/O on it (losetup's default).
truncate -s 1G "$MNTB/a.img"
mkfs.ext4 -q -F "$MNTB/a.img"
LOOPA=$(losetup --find --show "$MNTB/a.img")
mount -t ext4 "$LOOPA" "$MNTA"
MOUNTEDA=1
mkdir "$MNTA/creat"
# Writeback throttling (wbt) on LOOPA would hold the flusher to a handful of
# requests in flight (it then sleeps in wbt_wait with only a few KiB under
# writeback). Turn it off for LOOPA only, so the flusher submits until the
# device's request tags run out, as on a device without wbt; restored in
# teardown.
QA=/sys/block/${LOOPA#/dev/}/queue
WBT_ORIG=$(cat "$QA/wbt_lat_usec")
echo 0 >"$QA/wbt_lat_usec"
mmt_log "$LOOPA: wbt_lat_usec $WBT_ORIG -> 0; nr_requests $(cat "$QA/nr_requests"), max_sectors_kb $(cat "$QA/max_sectors_kb")"
QA_INFO="wbt_lat_usec=$WBT_ORIG (set to 0 for the run) nr_requests=$(cat "$QA/nr_requests") max_sectors_kb=$(cat "$QA/max_sectors_kb") rotational=$(cat "$QA/rotational")"
dd if=/dev/urandom of="$MNTA/seed.dat" bs=1M count=16 status=none
sync -f "$MNTA/seed.dat"
mmt_log "B: $LOOPB on $MNTB; A: $LOOPA (backing $MNTB/a.img) on $MNTA"

DETECT_BEFORE=$(sysctl -n kernel.hung_task_detect_count)
mmt_sysctl_set kernel.hung_task_timeout_secs "$TIMEOUT"
mmt_sysctl_set kernel.hung_task_warnings "$WARNINGS"

meminfo_sampler >"$WORK/meminfo.txt" 2>&1 &
SAMPLER=$!

# Workers on A.
# dd: buffered writes at about 10 MB/s; keeps dirtying the page cache.
start_worker dd sh -c "while :; do head -c 1048576 /dev/zero; sleep 0.1; done | dd of=$MNTA/dd.out bs=64k status=none"
# dio: O_DIRECT writes (extending the file: ext4 holds the inode lock
# exclusively and waits for each write to complete).
start_worker dio sh -c "while :; do head -c 65536 /dev/zero; sleep 0.05; done | dd of=$MNTA/dio.dat bs=64k iflag=fullblock oflag=direct status=none"
# append: a shell appending to the same file as dio (needs its inode lock).
start_worker append sh -c "while :; do echo \"line \$\$\" >>$MNTA/dio.dat; sleep 0.05; done"
# fsync-writer: write 4 KiB, fsync(), repeat.
start_worker fsync-writer "${MMT_WORKER[@]}" --comm fsync-writer fsync-writer "$MNTA/fsync.dat"
# touch: creates files (metadata: journal handles on A).
start_worker touch sh -c "i=0; while :; do touch $MNTA/creat/f\$i; i=\$((i+1)); sleep 0.05; done"
# reader: buffered reads of a file that is in the page cache.
start_worker reader "${MMT_WORKER[@]}" --comm reader reader "$WORK/reader-progress.txt" "$MNTA/seed.dat"
# dio-reader: O_DIRECT reads of the same file: every read goes to LOOPA.
start_worker dio-reader sh -c "while :; do dd if=$MNTA/seed.dat of=/dev/null bs=1M iflag=direct status=none; sleep 0.05; done"

sleep 5
if [ -s "$WORK/workers.out" ]; then
	mmt_log "worker output so far:"
	cat "$WORK/workers.out" >&2
fi

T_FREEZE=$(mmt_uptime)
mmt_mark "fsfreeze -f $MNTB ($LOOPB, ext4, holds $MNTB/a.img, the backing file of $LOOPA mounted on $MNTA); hung_task_timeout_secs=$TIMEOUT hung_task_warnings=$WARNINGS"
fsfreeze -f "$MNTB"
FROZENB=1
mmt_log "frozen $MNTB"

# A sync(2) caller started while B is frozen: it asks for writeback of all
# of A's dirty pages and waits for it.
sleep 3
T_SYNC=$(mmt_uptime)
mmt_mark "starting sync(1) while $MNTB is frozen"
start_worker sync sync

SNAP_DONE=0
for ((s = 1; s <= HOLD_MAX; s++)); do
	sleep 1
	# Two snapshots while frozen, 10 s apart: the context-switch counts show
	# which D-state tasks never run and which wake up now and then.
	if { [ "$SNAP_DONE" = 0 ] && [ "$s" -ge 15 ]; } || { [ "$SNAP_DONE" = 1 ] && [ "$s" -ge 25 ]; }; then
		{
			mmt_snapshot_tasks "workers, $s s after fsfreeze -f of B" "${PG[@]}"
			echo "=== kernel threads (loop workers, jbd2, flushers)"
			mmt_snapshot_kthreads '(loop|flush|jbd2)'
		} >>"$WORK/tasks.txt"
		SNAP_DONE=$((SNAP_DONE + 1))
	fi
	if [ "$(sysctl -n kernel.hung_task_warnings)" = 0 ]; then
		sleep 2
		break
	fi
done

T_THAW=$(mmt_uptime)
mmt_mark "fsfreeze -u $MNTB"
fsfreeze -u "$MNTB"
FROZENB=0
# Let the stuck writeback drain and the sync caller finish (bounded wait).
for ((s = 1; s <= 60; s++)); do
	sleep 1
	# (the finished sync stays a zombie until waited for: test its state)
	st=$(awk '{print $3}' /proc/"${PG[sync]}"/stat 2>/dev/null || echo gone)
	[ "$st" = Z ] || [ "$st" = gone ] && break
done
mmt_log "sync caller finished or gave up waiting after $s s"
sleep 3
{
	mmt_snapshot_tasks "workers, after fsfreeze -u of B" "${PG[@]}"
	echo "=== kernel threads (loop workers, jbd2, flushers)"
	mmt_snapshot_kthreads '(loop|flush|jbd2)'
} >>"$WORK/tasks.txt"
kill "$SAMPLER" 2>/dev/null
wait "$SAMPLER" 2>/dev/null || true
SAMPLER=""
DETECTED=$(sysctl -n kernel.hung_task_detect_count)

{
	echo "sample: $NAME"
	echo "run id: $MMT_RUN_ID"
	echo "kernel: $(uname -r) ($(uname -v))"
	echo "B: $LOOPB  backing file: $WORK/b.img  mount: $MNTB (ext4)  <- frozen"
	echo "A: $LOOPA  backing file: $MNTB/a.img  mount: $MNTA (ext4)"
	echo "losetup -l: $(losetup -l -n -O NAME,BACK-FILE,DIO,LOG-SEC "$LOOPA")"
	echo "$LOOPA queue: $QA_INFO"
	echo "hung_task_timeout_secs=$TIMEOUT hung_task_warnings=$WARNINGS hung_task_check_interval_secs=$(sysctl -n kernel.hung_task_check_interval_secs)"
	echo "original values: timeout=${MMT_SYSCTL_ORIG[kernel.hung_task_timeout_secs]} warnings=${MMT_SYSCTL_ORIG[kernel.hung_task_warnings]}"
	echo "fsfreeze -f B at uptime $T_FREEZE, sync started at uptime $T_SYNC, fsfreeze -u B at uptime $T_THAW"
	echo "kernel.hung_task_detect_count: $DETECT_BEFORE before, $DETECTED after (counts suppressed reports too)"
	echo "workers (role, process group, command):"
	cat "$WORK/roles.txt"
} >"$OUT/run-info.txt"

teardown
mmt_mark "$END"
sleep 1

cp "$WORK/tasks.txt" "$OUT/tasks.txt"
cp "$WORK/meminfo.txt" "$OUT/meminfo.txt"
cp "$WORK/reader-progress.txt" "$OUT/reader-progress.txt"
mmt_capture "$OUT" "$BEGIN" "$END"
mmt_log "done: $OUT"
