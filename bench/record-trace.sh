#!/bin/bash
# record-trace.sh OUT [SECONDS]
#
# Records a real trace.dat for bench/trace.sh on this machine: scheduling,
# page allocation and freeing, reclaim inside a memory cgroup, writeback,
# block I/O and IPIs, for SECONDS (default 3), which gives over five
# million events on a 2-CPU machine (5.6 million here). Run as root; the file is not kept in
# the repository (bench/.cache/ is ignored).
#
# Load, all undone in a trap:
#   - a 256 MiB v1 memory cgroup in which dd writes 2 GiB to a file and a
#     worker allocates 200 MiB of anonymous memory (reclaim stays inside it);
#   - membarrier IPIs from samples/recipes/mmt_worker.py;
#   - a loop creating and removing small files (writeback, block, slab).
# trace-cmd 3.1.6 records with -d --no-filter here (../shared/NOTES.md).
set -euo pipefail

OUT=${1:?usage: record-trace.sh OUT [SECONDS]}
SECS=${2:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../samples/recipes/common.sh
. "$HERE/../samples/recipes/common.sh"
WORKER=("/usr/bin/python3" "$HERE/../samples/recipes/mmt_worker.py")
MEMCG=${MEMCG_ROOT:-/sys/fs/cgroup/memory}/mmtriage-bench-trace
WORK=/var/tmp/mmtriage-bench-trace

[ "$(id -u)" = 0 ] || { echo "record-trace.sh: run as root" >&2; exit 2; }
command -v trace-cmd >/dev/null || { echo "record-trace.sh: trace-cmd is needed" >&2; exit 2; }

cleanup() {
	set +e
	mmt_cg_teardown "$MEMCG"
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$WORK" "$MEMCG" "$(dirname "$OUT")"
echo $((256 << 20)) >"$MEMCG/memory.limit_in_bytes"
mmt_in_cg "$MEMCG" dd if=/dev/zero of="$WORK/big" bs=1M count=2048 status=none
mmt_in_cg "$MEMCG" "${WORKER[@]}" alloc 16 200 0.2
"${WORKER[@]}" ipi "$SECS" & MMT_PIDS+=($!)
(while :; do for i in $(seq 200); do echo x >"$WORK/f$i"; done; sync; rm -f "$WORK"/f*; done) &
MMT_PIDS+=($!)
trace-cmd record -d --no-filter -b 20000 -o "$OUT" \
	-e sched:sched_switch -e sched:sched_wakeup -e sched:sched_waking \
	-e sched:sched_process_fork -e sched:sched_process_exit -e task:task_rename \
	-e kmem:mm_page_alloc -e kmem:mm_page_free -e kmem:kmalloc -e kmem:kfree \
	-e vmscan -e writeback -e block -e ipi -e irq_vectors:call_function_single_entry \
	sleep "$SECS" 2>&1 | grep -v "Operation not permitted\|set_ftrace" >&2 || true
ls -l "$OUT" >&2
