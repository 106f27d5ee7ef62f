#!/bin/bash
# Recipe for samples/capture-slab-xfs: a capture directory (docs/capture.md)
# of the xfs inode and dentry caches growing while about a million empty
# files are created inside a memory cgroup, then dropped with drop_caches=2.
#
# Run as root:  MMTRIAGE=build/mmtriage samples/recipes/capture-slab-xfs.sh [OUTDIR]
# Writes OUTDIR/capture.tar.xz (default OUTDIR: samples/capture-slab-xfs).
#
# Setup (removed in the trap): xfs on a 4 GiB sparse image
# /var/tmp/mmtriage-capture-slab-xfs/x.img (loop device), mounted on .../x;
# a v1 memory cgroup MEMCG_ROOT/mmtriage-slab-xfs with a LIMIT_MB limit
# (default 4096, above what the files need): the inodes and dentries are
# charged to it. (With 1024 the cgroup reached its limit at about 840,000
# files and, the new inodes being dirty, reclaim freed too little: a cgroup
# OOM killed both creators.)
# Timeline (seconds after the capture started):
#    0-5   idle
#    5     two creators start in the cgroup (mmt_worker.py create), each
#          FILES/2 empty files (default FILES 2000000) in its own directory
#    done+5   echo 2 >/proc/sys/vm/drop_caches
#    done+20  end
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME=capture-slab-xfs
OUT=${1:-$HERE/../$NAME}
WORK=/var/tmp/mmtriage-$NAME
MNT=$WORK/x
LOOP=""
MEMCG_ROOT=${MEMCG_ROOT:-/sys/fs/cgroup/memory}
CG=$MEMCG_ROOT/mmtriage-slab-xfs
LIMIT_MB=${LIMIT_MB:-4096}
FILES=${FILES:-2000000}

mmt_require_root
mmt_require_tools trace-cmd xz losetup mkfs.xfs truncate

cleanup() { mmt_cg_loopfs_cleanup "$CG" "$MNT" "$LOOP" "$WORK"; }
mmt_trap cleanup

rm -rf "$WORK"
mkdir -p "$WORK" "$MNT" "$OUT"
truncate -s 4G "$WORK/x.img"
mkfs.xfs -q -f "$WORK/x.img"
LOOP=$(losetup --find --show "$WORK/x.img")
mount -t xfs "$LOOP" "$MNT"
mkdir "$MNT/c1" "$MNT/c2"
mkdir "$CG"
echo $((LIMIT_MB << 20)) >"$CG/memory.limit_in_bytes"
sync
echo 2 >/proc/sys/vm/drop_caches

mmt_capture_start "$WORK/$NAME" 1 "$NAME"
mmt_trace_start 40000 -e vmscan:mm_shrink_slab_start -e vmscan:mm_shrink_slab_end \
	-e vmscan:mm_vmscan_memcg_reclaim_begin -e vmscan:mm_vmscan_memcg_reclaim_end \
	-e vmscan:mm_vmscan_direct_reclaim_begin -e vmscan:mm_vmscan_direct_reclaim_end \
	-e vmscan:mm_vmscan_kswapd_wake -e vmscan:mm_vmscan_kswapd_sleep \
	-e vmscan:mm_vmscan_wakeup_kswapd -e vmscan:mm_vmscan_lru_shrink_inactive \
	-e vmscan:mm_vmscan_throttled -e sched:sched_switch
mmt_mark "xfs on $LOOP ($WORK/x.img) mounted on $MNT; cgroup $CG limit $LIMIT_MB MiB"
mmt_capture_at 5
mmt_step "creators start in $CG: 2 x $((FILES / 2)) empty files on $MNT"
mmt_in_cg "$CG" "${MMT_WORKER[@]}" --comm mmt-create1 create "$MNT/c1" $((FILES / 2)) "$WORK/progress1"
mmt_in_cg "$CG" "${MMT_WORKER[@]}" --comm mmt-create2 create "$MNT/c2" $((FILES / 2)) "$WORK/progress2"
for ((s = 0; s < 180; s++)); do
	sleep 1
	grep -q ' done$' "$WORK/progress1" 2>/dev/null && grep -q ' done$' "$WORK/progress2" 2>/dev/null && break
done
mmt_step "creators done: $(tail -qn1 "$WORK/progress1" "$WORK/progress2" | tr '\n' ' ')"
sleep 5
mmt_step "echo 2 >/proc/sys/vm/drop_caches"
echo 2 >/proc/sys/vm/drop_caches
mmt_step "drop_caches returned"
sleep 15
mmt_step "end"
mmt_trace_stop
mmt_capture_stop
mmt_capture_pack "$WORK/$NAME" "$OUT/capture.tar.xz"
