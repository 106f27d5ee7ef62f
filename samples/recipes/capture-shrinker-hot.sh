#!/bin/bash
# Recipe for samples/capture-shrinker-hot: a capture directory
# (docs/capture.md) of a memory cgroup whose own dentries and inodes, kept
# hot by a du loop, fill most of its limit while page cache pressure makes
# it reclaim: the superblock shrinker scans them on every reclaim and frees
# almost none (each scan finds them referenced and rotates them).
#
# Run as root:  MMTRIAGE=build/mmtriage samples/recipes/capture-shrinker-hot.sh [OUTDIR]
# Writes OUTDIR/capture.tar.xz (default OUTDIR: samples/capture-shrinker-hot).
#
# Setup, before the capture starts (removed in the trap): ext4 on a 3 GiB
# sparse image /var/tmp/mmtriage-capture-shrinker-hot/x.img (loop device),
# mounted on .../x; a v1 memory cgroup MEMCG_ROOT/mmtriage-shrinker-hot in
# which mmt-create makes FILES empty files (default 400000, 1000 to a
# directory): their dentries and inodes (about 1.3 KiB a file) are charged
# to the cgroup. Then sync, blockdev --flushbufs (the inode table blocks
# leave the page cache), a sparse 4 GiB file x/data, and the cgroup's limit
# lowered to LIMIT_MB (default 640, about 125 MiB above what the dentries
# and inodes take).
# Timeline (seconds after the capture started), every worker in the cgroup:
#    0-3   idle
#    3     du loop: du -s over the FILES files again and again (about 1.3
#          passes a second while the cgroup reclaims: every dentry is
#          referenced again before the shrinker comes back to it)
#    6     mmt-churn: maps 4 MiB of anonymous memory, touches it, unmaps
#          it, every 0.1 s (page faults: memory charged with
#          GFP_HIGHUSER_MOVABLE, which may enter filesystem shrinkers)
#    9     mmt-read: random 64 KiB reads of x/data at READ_MBPS MiB/s
#          (default 20) with POSIX_FADV_RANDOM (page cache filled a page at
#          a time, in the NOFS scope of the kernel's readahead code); the
#          cgroup reaches its limit a few seconds later and reclaims
#    45    mmt-read and mmt-churn stopped: reclaim ends
#    50    end
# Changes undone in the trap: the workers, the cgroup, the mount, the loop
# device, the image.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME=capture-shrinker-hot
OUT=${1:-$HERE/../$NAME}
WORK=/var/tmp/mmtriage-$NAME
MNT=$WORK/x
LOOP=""
MEMCG_ROOT=${MEMCG_ROOT:-/sys/fs/cgroup/memory}
CG=$MEMCG_ROOT/mmtriage-shrinker-hot
LIMIT_MB=${LIMIT_MB:-640}
FILES=${FILES:-400000}
READ_MBPS=${READ_MBPS:-20}

mmt_require_root
mmt_require_tools trace-cmd xz losetup mkfs.ext4 truncate blockdev du

cleanup() { mmt_cg_loopfs_cleanup "$CG" "$MNT" "$LOOP" "$WORK"; }
mmt_trap cleanup

# cg_state: the cgroup's usage, kernel memory and page cache, for the notes.
cg_state() {
	awk -v u="$(cat "$CG/memory.usage_in_bytes")" -v k="$(cat "$CG/memory.kmem.usage_in_bytes")" \
		-v f="$(cat "$CG/memory.failcnt")" \
		'/^(cache|rss) / { v[$1] = $2 } END { printf "usage %.1f MiB, kmem %.1f MiB, cache %.1f MiB, rss %.1f MiB, failcnt %d", u / 1048576, k / 1048576, v["cache"] / 1048576, v["rss"] / 1048576, f }' \
		"$CG/memory.stat"
}

rm -rf "$WORK"
mkdir -p "$WORK" "$MNT" "$OUT"
truncate -s 3G "$WORK/x.img"
mkfs.ext4 -q -N $((FILES + 50000)) "$WORK/x.img"
LOOP=$(losetup --find --show "$WORK/x.img")
mount -t ext4 "$LOOP" "$MNT"
mkdir "$MNT/f"
mkdir "$CG"
echo $((1024 << 20)) >"$CG/memory.limit_in_bytes"
mmt_in_cg "$CG" "${MMT_WORKER[@]}" --comm mmt-create create "$MNT/f" "$FILES" "$WORK/progress-create"
for ((s = 0; s < 120; s++)); do
	sleep 1
	grep -q ' done$' "$WORK/progress-create" 2>/dev/null && break
done
grep -q ' done$' "$WORK/progress-create" || { mmt_log "the files were not created"; exit 1; }
mmt_log "created: $(tail -n1 "$WORK/progress-create"); cgroup: $(cg_state)"
sync
blockdev --flushbufs "$LOOP"
truncate -s 4G "$MNT/data"
echo $((LIMIT_MB << 20)) >"$CG/memory.limit_in_bytes"
[ "$(cat "$CG/memory.limit_in_bytes")" = $((LIMIT_MB << 20)) ] || exit 1
mmt_log "limit $LIMIT_MB MiB; cgroup: $(cg_state)"

mmt_capture_start "$WORK/$NAME" 1 "$NAME"
mmt_trace_start 40000 "${MMT_EV_RECLAIM[@]}" -e sched:sched_switch -f 'prev_state & 3'
mmt_mark "ext4 on $LOOP ($WORK/x.img) mounted on $MNT, $FILES files in $MNT/f; cgroup $CG limit $LIMIT_MB MiB"
mmt_capture_at 3
mmt_step "du loop over $MNT/f starts in $CG; cgroup: $(cg_state)"
# shellcheck disable=SC2016 # for the inner sh
mmt_in_cg "$CG" sh -c 'while :; do du -s "$0" >/dev/null; cut -d" " -f1 /proc/uptime >>"$1"; done' \
	"$MNT/f" "$WORK/progress-du"
mmt_capture_at 6
mmt_step "mmt-churn: 4 MiB mapped, touched, unmapped every 0.1 s in $CG"
mmt_in_cg "$CG" "${MMT_WORKER[@]}" --comm mmt-churn churn 4 0.1
CHURN=${MMT_PIDS[-1]}
mmt_capture_at 9
mmt_step "mmt-read: random 64 KiB reads of $MNT/data at $READ_MBPS MiB/s in $CG"
mmt_in_cg "$CG" "${MMT_WORKER[@]}" --comm mmt-read randread "$MNT/data" "$READ_MBPS" "$WORK/progress-read"
READER=${MMT_PIDS[-1]}
for t in 15 25 35; do
	mmt_capture_at "$t"
	mmt_log "t+$(mmt_capture_rel) s: cgroup: $(cg_state); du passes so far $(wc -l <"$WORK/progress-du"); $(tail -n1 "$WORK/progress-read")"
done
mmt_capture_at 45
kill "$READER" "$CHURN"
mmt_step "mmt-read and mmt-churn stopped; cgroup: $(cg_state); du passes $(wc -l <"$WORK/progress-du"); $(tail -n1 "$WORK/progress-read")"
mmt_capture_at 50
mmt_step "end"
mmt_trace_stop
mmt_capture_stop
mmt_capture_pack "$WORK/$NAME" "$OUT/capture.tar.xz"
