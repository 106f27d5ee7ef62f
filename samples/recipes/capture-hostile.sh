#!/bin/bash
# Recipe for samples/capture-hostile: a capture directory (docs/capture.md)
# of writers blocked on a frozen ext4 filesystem whose process names hold
# HTML, terminal escape sequences, Markdown, invalid UTF-8 and bidi
# controls, readers with such names reclaiming in a small memory cgroup,
# a task with such a name killed by the OOM killer of a memory cgroup whose
# directory names hold HTML, escape sequences and right-to-left text, and
# hostile records (HTML and JavaScript, escape sequences, the longest
# record the kernel stores, a forged hung-task header of '<' and '&')
# written into the kernel log through /dev/kmsg by a user process.
#
# Run as root:  MMTRIAGE=build/mmtriage samples/recipes/capture-hostile.sh [OUTDIR]
# Writes OUTDIR/capture.tar.xz, OUTDIR/tasks.txt and OUTDIR/run-info.txt
# (default OUTDIR: samples/capture-hostile).
#
# Layout (created before the capture starts, removed in the trap):
#   /var/tmp/mmtriage-capture-hostile/fs.img  512 MiB sparse file
#     -> LOOP -> ext4 mounted on .../mnt      <- frozen
#   .../mnt/data0, data1  80 MiB each, one per reader
#   v1 memory cgroups under MEMCG_ROOT/mmtriage-capture-hostile: readers
#   (48 MiB, the readers) and two nested directories with hostile names
#   (hostile_comm.py CAP_CGROUP_DIRS, 32 MiB, the hog)
# Timeline (seconds after the capture started):
#    1     writers (one per name of hostile_comm.py CAP_WRITERS) rewrite
#          their files every 50 ms; readers (CAP_READERS) start in the
#          cgroup, each reading its own file at 8 MiB/s
#    3     trace starts (its filters name the workers' pids)
#    4     the hog allocates in the nested cgroup until the OOM killer
#          kills it (hostile_comm.py cap-hog); the cgroup is removed
#    5     hostile records written into /dev/kmsg (hostile_comm.py kmsg-write)
#    6     fsfreeze -f; one hung-task report per writer about 10-20 s later
#          (hung_task_timeout_secs 10, hung_task_warnings = writers)
#    then  fsfreeze -u 2 s after the last report
#    +3    workers stopped; +5 end
# Trace: sched_switch where a worker sleeps (prev_state & 3), sched_wakeup
# and sched_process_exit of the workers, memcg reclaim begin/end,
# oom:mark_victim.
# Also changed and restored: kernel.hung_task_timeout_secs,
# kernel.hung_task_warnings. Names are printed in hex only: never cat the
# capture's files to a terminal (use cat -v, less or od -c).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME=capture-hostile
OUT=${1:-$HERE/../$NAME}
WORK=/var/tmp/mmtriage-$NAME
MNT=$WORK/mnt
MEMCG_ROOT=${MEMCG_ROOT:-/sys/fs/cgroup/memory}
CG=$MEMCG_ROOT/mmtriage-$NAME
RCG=$CG/readers
HELPER=("$MMT_PY" "$HERE/hostile_comm.py")
TAG=mmt-hostile
CG_MB=48
HOLD_MAX=60 # never keep the filesystem frozen longer than this (seconds)
LOOP=""
declare -A PG=()
# dmesg escapes by the locale's character classes (samples/hostile-comm).
export LC_ALL=C.UTF-8

mmt_require_root
mmt_require_tools trace-cmd xz losetup mkfs.ext4 fsfreeze setsid truncate
[ -d "$MEMCG_ROOT" ] || { echo "no v1 memory cgroup at $MEMCG_ROOT" >&2; exit 1; }

cleanup() {
	fsfreeze -u "$MNT" 2>/dev/null && mmt_log "thawed $MNT"
	mmt_stop_groups
	mmt_sysctl_restore
	"${HELPER[@]}" cap-cgroup-rm "$CG" >&2
	mmt_cg_teardown "$RCG"
	mmt_cg_loopfs_cleanup "$CG" "$MNT" "$LOOP" "$WORK" kernel.hung_task_timeout_secs \
		kernel.hung_task_warnings kernel.hung_task_check_interval_secs
}
mmt_trap cleanup

# snapshot TITLE: state and comm (hex) of every worker, and the kernel stack
# of those in D state. No raw name is written anywhere here.
snapshot() {
	local pid s1 s2 stack
	echo "=== $1 (t+$(mmt_capture_rel) s, uptime $(mmt_uptime))"
	echo "pid state comm-hex"
	"${HELPER[@]}" comms "${PIDS[@]}"
	for pid in "${PIDS[@]}"; do
		s1=$("${HELPER[@]}" comms "$pid" | awk '{print $2}')
		[ "$s1" = D ] || continue
		stack=$(cat /proc/"$pid"/stack 2>/dev/null) || continue
		s2=$("${HELPER[@]}" comms "$pid" | awk '{print $2}')
		[ "$s2" = D ] || continue
		echo "--- /proc/$pid/stack state D"
		printf '%s\n' "$stack"
	done
}

rm -rf "$WORK"
mkdir -p "$WORK" "$MNT" "$OUT"
truncate -s 512M "$WORK/fs.img"
mkfs.ext4 -q -F "$WORK/fs.img"
LOOP=$(losetup --find --show "$WORK/fs.img")
mount -t ext4 "$LOOP" "$MNT"
for i in 0 1; do head -c 80M /dev/zero >"$MNT/data$i"; done
sync
"${MMT_WORKER[@]}" fadvise-dontneed "$MNT/data0" "$MNT/data1"
mkdir "$CG" "$RCG"
echo $((CG_MB << 20)) >"$RCG/memory.limit_in_bytes"
WRITERS=$("${HELPER[@]}" cap-names | grep -c '^w ')
mmt_sysctl_set kernel.hung_task_timeout_secs 10
mmt_sysctl_set kernel.hung_task_warnings "$WRITERS"
DETECT_BEFORE=$(sysctl -n kernel.hung_task_detect_count)

mmt_capture_start "$WORK/$NAME" 1 "$NAME"
mmt_mark "$LOOP ($WORK/fs.img, ext4) on $MNT; cgroup $RCG limit $CG_MB MiB"
mmt_capture_at 1
mmt_step "writers start on $MNT, readers of $MNT/data0, data1 in $RCG"
PIDS=()
while read -r kind idx label hex; do
	[ "$kind" = h ] && continue # the hog runs later, in its own cgroup
	if [ "$kind" = w ]; then
		setsid "${HELPER[@]}" cap-writer "$idx" "$MNT/w$idx.dat" </dev/null >>"$WORK/workers.out" 2>&1 &
		PG[$label]=$!
	else
		mmt_in_cg "$RCG" "${HELPER[@]}" cap-reader "$idx" "$MNT/data$idx" 8
	fi
	PIDS+=($!)
	echo "$kind $idx $label pid=$! comm-hex=$hex" >>"$WORK/roles.txt"
done < <("${HELPER[@]}" cap-names)
mmt_capture_at 3
[ -s "$WORK/workers.out" ] && { mmt_log "worker output (od -c):"; od -c "$WORK/workers.out" >&2; }
F_PID="" F_WAKE=""
for p in "${PIDS[@]}"; do
	F_PID="${F_PID:+$F_PID || }prev_pid == $p"
	F_WAKE="${F_WAKE:+$F_WAKE || }pid == $p"
done
mmt_trace_start 20000 -e sched:sched_switch -f "prev_state & 3 && ($F_PID)" \
	-e sched:sched_wakeup -f "$F_WAKE" -e sched:sched_process_exit -f "$F_WAKE" \
	-e vmscan:mm_vmscan_memcg_reclaim_begin -e vmscan:mm_vmscan_memcg_reclaim_end \
	-e oom:mark_victim
mmt_capture_at 4
mmt_step "a hog in a nested cgroup of $CG with hostile names, limit 32 MiB"
"${HELPER[@]}" cap-hog "$CG" 32 >"$WORK/hog.txt"
cat "$WORK/hog.txt" >&2
mmt_capture_at 5
mmt_step "hostile records into /dev/kmsg"
"${HELPER[@]}" kmsg-write "$TAG" >"$WORK/kmsg-write.txt"
cat "$WORK/kmsg-write.txt" >&2
mmt_capture_at 6
T_FREEZE=$(mmt_capture_rel)
mmt_step "fsfreeze -f $MNT ($LOOP)"
fsfreeze -f "$MNT"
SNAP=0
for ((s = 1; s <= HOLD_MAX; s++)); do
	mmt_capture_at "$(awk -v f="$T_FREEZE" -v s="$s" 'BEGIN { print f + s }')"
	if [ "$SNAP" = 0 ] && [ "$s" -ge 5 ]; then
		snapshot "while frozen, $s s after fsfreeze -f" >"$WORK/tasks.txt"
		SNAP=1
	fi
	if [ "$(sysctl -n kernel.hung_task_warnings)" = 0 ]; then
		sleep 2
		break
	fi
done
T_THAW=$(mmt_capture_rel)
mmt_step "fsfreeze -u $MNT"
fsfreeze -u "$MNT"
sleep 2
snapshot "2 s after fsfreeze -u" >>"$WORK/tasks.txt"
T_STOP=$(mmt_capture_rel)
mmt_step "workers stopped"
mmt_stop_groups || true
# The readers, by pid (mmt_cg_teardown waits for every job, the sampler and
# the recorder too: it runs in the trap, after them).
for p in "${MMT_PIDS[@]}"; do
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
done
mmt_capture_at "$(awk -v t="$T_STOP" 'BEGIN { print t + 2 }')"
mmt_step "end"
mmt_trace_stop
mmt_capture_stop
{
	echo "sample: $NAME"
	echo "run id: $MMT_RUN_ID"
	echo "kernel: $(uname -r) ($(uname -v))"
	echo "loop device: $LOOP  backing file: $WORK/fs.img  mount: $MNT (ext4)"
	echo "readers' cgroup: $RCG, memory.limit_in_bytes $((CG_MB << 20))"
	echo "the hog (comm hex $("${HELPER[@]}" cap-names | awk '$1 == "h" {print $4}')) in a cgroup under $CG, 32 MiB:"
	cat "$WORK/hog.txt"
	echo "hung_task_timeout_secs=10 hung_task_warnings=$WRITERS (were" \
		"${MMT_SYSCTL_ORIG[kernel.hung_task_timeout_secs]}," \
		"${MMT_SYSCTL_ORIG[kernel.hung_task_warnings]})"
	echo "kernel.hung_task_detect_count: $DETECT_BEFORE before, $(sysctl -n kernel.hung_task_detect_count) after"
	echo "fsfreeze -f at t+$T_FREEZE s, fsfreeze -u at t+$T_THAW s, workers stopped at t+$T_STOP s"
	echo "locale for dmesg: LC_ALL=$LC_ALL"
	echo "workers (kind w: writer, r: reader; index, label, pid, comm bytes in hex):"
	cat "$WORK/roles.txt"
	echo "records written into /dev/kmsg:"
	cat "$WORK/kmsg-write.txt"
} >"$OUT/run-info.txt"
cp "$WORK/tasks.txt" "$OUT/tasks.txt"
# The same log window with the raw bytes (dmesg.txt has dmesg's escaping).
dmesg --noescape | mmt_cut "$MMT_CAP_BEGIN" "capture end run $MMT_RUN_ID" >"$OUT/dmesg-noescape.txt"
mmt_capture_pack "$WORK/$NAME" "$OUT/capture.tar.xz"
