#!/bin/bash
# Makes the perf script captures of this directory (see README.md). Run as
# root: tests/data/perf_script/record.sh [OUTDIR]  (default: this directory).
#
# Load: a task that writes a 192 MiB file and reads it back, inside a 64 MiB
# memory cgroup (v1, /sys/fs/cgroup/memory), so that the cgroup reclaims
# its page cache while perf records; each recording waits for it to end. What it changes, and undoes in cleanup(): the
# cgroup mmt-perf-script, a work directory under /var/tmp, the processes it
# starts (all inside the cgroup). perf.data files stay in the work
# directory and are deleted with it. No sysctl is changed.
set -euo pipefail

OUT=${1:-$(cd "$(dirname "$0")" && pwd)}
CG=/sys/fs/cgroup/memory/mmt-perf-script
WORK=$(mktemp -d /var/tmp/mmt-perf-script.XXXXXX)
CG_MADE=0

cleanup() {
	set +e
	trap - EXIT INT TERM
	if [ "$CG_MADE" = 1 ]; then
		# shellcheck disable=SC2013 # one pid per line
		for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do kill -KILL "$p"; done
		for _ in $(seq 20); do rmdir "$CG" 2>/dev/null && break; sleep 0.5; done
	fi
	rm -rf "$WORK"
	[ -d "$CG" ] && echo "cgroup $CG still present" >&2
}
trap cleanup EXIT INT TERM

[ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] || { echo "no cgroup v1 memory controller" >&2; exit 1; }
mkdir "$CG"
CG_MADE=1
echo $((64 << 20)) >"$CG/memory.limit_in_bytes"
[ "$(cat "$CG/memory.limit_in_bytes")" = $((64 << 20)) ] || { echo "limit did not apply" >&2; exit 1; }

# in_cg CMD...: runs CMD in the background inside the cgroup, or not at all.
in_cg() {
	sh -c 'echo $$ >"$0/cgroup.procs" && grep -qx "$$" "$0/cgroup.procs" && exec "$@"' \
		"$CG" "$@" </dev/null >/dev/null 2>&1 &
}

# The load, inside the cgroup: a task named "mmt load 2" (a name with
# blanks and a number, as perf prints it) writes the file, then reads it
# twice; cat reads it once more.
LOAD_PY='
import ctypes, os, sys
ctypes.CDLL(None).prctl(15, b"mmt load 2", 0, 0, 0)
path = sys.argv[1]
with open(path, "wb") as f:
    for _ in range(192):
        f.write(bytes(1 << 20))
    os.fsync(f.fileno())
for _ in range(2):
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass
'
load() {
	in_cg sh -c "python3 -c '$LOAD_PY' $WORK/f && cat $WORK/f >/dev/null"
}

TP="-e sched:sched_switch -e sched:sched_wakeup -e ipi:ipi_send_cpu \
 -e vmscan:mm_vmscan_direct_reclaim_begin -e vmscan:mm_vmscan_direct_reclaim_end \
 -e vmscan:mm_vmscan_memcg_reclaim_begin -e vmscan:mm_vmscan_memcg_reclaim_end"

# 1. Tracepoints, system-wide, while the load runs.
load
# shellcheck disable=SC2086 # TP is a list of options
perf record -q -o "$WORK/tp.data" $TP -a -- sleep "${TP_SECONDS:-0.04}"
wait
perf script -i "$WORK/tp.data" >"$OUT/tracepoints.txt"
perf script -i "$WORK/tp.data" -F comm,pid,tid,cpu,time,event,trace >"$OUT/tracepoints-tid.txt"
perf script -i "$WORK/tp.data" -F comm,pid,time,event,trace >"$OUT/tracepoints-nocpu.txt"
# The same with libtraceevent's plugins (trace-cmd's, Debian's libtraceevent1):
# sched_switch and sched_wakeup then print in the plugin's own form. perf
# says it cannot load plugin_function.so (a symbol it lacks): harmless.
TRACEEVENT_PLUGIN_DIR=/usr/lib/x86_64-linux-gnu/traceevent/plugins \
	perf script -i "$WORK/tp.data" >"$OUT/tracepoints-plugins.txt" 2>/dev/null

# 2. Call chains of cpu-clock samples, system-wide, 49 Hz, while the load runs.
rm -f "$WORK/f"
load
perf record -q -o "$WORK/cc.data" -g -e cpu-clock -F 49 -a -- sleep "${CC_SECONDS:-1}"
wait
perf script -i "$WORK/cc.data" >"$OUT/cpu-clock-callchains.txt"
perf script -i "$WORK/cc.data" --ns >"$OUT/cpu-clock-callchains-ns.txt"

ls -l "$OUT"/*.txt
