#!/bin/bash
# Records the trace.dat files of tests/data/trace (README.md there says what
# each holds) on this machine, with trace-cmd 3.1.6.
#
# Run as root:  tests/data/trace/record.sh MMTRIAGE [OUTDIR]
# MMTRIAGE: a built mmtriage (trim-kallsyms.py reads the traces with it).
# OUTDIR: default this folder.
#
# Memory pressure stays inside a cgroup v1 memory cgroup of 48 MiB
# (/sys/fs/cgroup/memory/mmt-trace): a reader of a 96 MiB file and an
# allocator of 12 MiB of anonymous memory make the cgroup reclaim its own
# page cache; an fsync writer and an IPI maker run outside it. What
# it changes, and undoes in cleanup(): the cgroup, its worker processes,
# files under /var/tmp/mmt-trace-rec, and the tracing state (tracing_on,
# current_tracer, enabled events, the options trace-cmd -T sets, the
# instances mmt_* trace-cmd -B makes).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
MMT=$(realpath "${1:?usage: record.sh MMTRIAGE [OUTDIR]}")
OUT=${2:-$HERE}
REPO=$(cd "$HERE/../../.." && pwd)
WORK=/var/tmp/mmt-trace-rec
CG=/sys/fs/cgroup/memory/mmt-trace
T=/sys/kernel/tracing
WORKER=(python3 "$REPO/samples/recipes/mmt_worker.py")
PIDS=()

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
[ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] || { echo "no cgroup v1 memory controller" >&2; exit 1; }

reset_tracing() {
	echo 0 >"$T/tracing_on"
	echo nop >"$T/current_tracer"
	echo 0 >"$T/events/enable"
	echo 0 >"$T/options/stacktrace" 2>/dev/null || true
	: >"$T/trace"
	for i in "$T"/instances/mmt_*; do
		[ -d "$i" ] && rmdir "$i"
	done
	echo 1 >"$T/tracing_on"
}

# The workers are disowned (bash would report each killed job): waited for
# by polling.
stop_workers() {
	local p i
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	if [ -d "$CG" ]; then
		for p in $(cat "$CG/cgroup.procs"); do kill -KILL "$p" 2>/dev/null || true; done
	fi
	for p in "${PIDS[@]}"; do
		for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
	PIDS=()
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	stop_workers
	for i in $(seq 20); do
		[ -d "$CG" ] || break
		rmdir "$CG" 2>/dev/null || sleep 0.5
	done
	reset_tracing
	rm -rf "$WORK"
	[ -d "$CG" ] && echo "cgroup $CG still present" >&2
	exit "$rc"
}
trap cleanup EXIT INT TERM

# in_cg CMD...: CMD inside the cgroup (the shell moves itself in, then execs).
in_cg() {
	sh -c 'echo $$ >"$0/cgroup.procs" && grep -qx "$$" "$0/cgroup.procs" && exec "$@"' \
		"$CG" "$@" </dev/null >>"$WORK/workers.out" 2>&1 &
	PIDS+=($!)
	disown $!
}

# outside CMD...: CMD as a worker outside the cgroup.
outside() {
	"$@" </dev/null >>"$WORK/workers.out" 2>&1 &
	PIDS+=($!)
	disown $!
}

# pressure: the workers that make the cgroup reclaim, write back and send
# IPIs; returns once the cgroup has hit its limit for a second.
pressure() {
	local i fail
	"${WORKER[@]}" fadvise-dontneed "$WORK/cache.dat"
	in_cg "${WORKER[@]}" --comm mmt-reader reader "$WORK/reader.txt" "$WORK/cache.dat"
	in_cg "${WORKER[@]}" --comm mmt-alloc alloc 2 12 0.05
	outside "${WORKER[@]}" --comm mmt-fsync fsync-writer "$WORK/fsync.dat"
	outside "${WORKER[@]}" --comm mmt-ipi ipi 30
	fail=$(cat "$CG/memory.failcnt")
	for i in $(seq 100); do
		sleep 0.1
		[ "$(cat "$CG/memory.failcnt")" -gt "$fail" ] && break
	done
	[ "$(cat "$CG/memory.failcnt")" -gt "$fail" ] || { echo "no reclaim in $CG" >&2; exit 1; }
	sleep 1
}

# record NAME SECONDS TRACE-CMD-OPTIONS...: a raw recording while the workers run.
record() {
	local name=$1 secs=$2
	shift 2
	pressure
	trace-cmd record -d --no-filter -q -o "$WORK/$name.raw.dat" "$@" sleep "$secs" \
		2>>"$WORK/trace-cmd.err" || true
	stop_workers
	reset_tracing
	[ -s "$WORK/$name.raw.dat" ] || { echo "no $name.raw.dat" >&2; exit 1; }
}

# publish NAME VERSIONS...: the raw recording as version 6 with trimmed
# kallsyms, checked to print the same as the raw one, then converted to
# each requested form: v6, v7 (zstd), v7-none.
publish() {
	local name=$1 v
	shift
	trace-cmd convert --file-version 6 -i "$WORK/$name.raw.dat" -o "$WORK/$name.v6.dat" >/dev/null 2>&1
	python3 "$HERE/trim-kallsyms.py" "$MMT" "$WORK/$name.v6.dat" "$WORK/$name.trim.dat"
	trace-cmd report "$WORK/$name.raw.dat" >"$WORK/a.txt" 2>/dev/null
	trace-cmd report "$WORK/$name.trim.dat" >"$WORK/b.txt" 2>/dev/null
	cmp -s "$WORK/a.txt" "$WORK/b.txt" || { echo "$name: trimmed report differs" >&2; exit 1; }
	for v in "$@"; do
		case $v in
		v6) cp "$WORK/$name.trim.dat" "$OUT/$name-v6.dat" ;;
		v7) trace-cmd convert --file-version 7 --compression zstd -i "$WORK/$name.trim.dat" \
			-o "$OUT/$name-v7.dat" >/dev/null 2>&1 ;;
		v7-none) trace-cmd convert --file-version 7 --compression none -i "$WORK/$name.trim.dat" \
			-o "$OUT/$name-v7-none.dat" >/dev/null 2>&1 ;;
		esac
	done
}

if pgrep -x trace-cmd >/dev/null || pgrep -x perf >/dev/null; then
	echo "another recorder is running; try again later" >&2
	exit 1
fi
rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
dd if=/dev/urandom of="$WORK/cache.dat" bs=1M count=96 status=none
sync -f "$WORK/cache.dat"
mkdir "$CG"
echo $((48 << 20)) >"$CG/memory.limit_in_bytes"
[ "$(cat "$CG/memory.limit_in_bytes")" = $((48 << 20)) ] || { echo "limit did not apply" >&2; exit 1; }
reset_tracing

# mem: the events the analyzers read, during reclaim inside the cgroup.
record mem 0.08 -e sched:sched_switch -e sched:sched_wakeup -e kmem:mm_page_alloc \
	-e vmscan -e writeback -e block -e ipi
publish mem v7

# stack: -T (a kernel_stack record after every event) on the cgroup's reclaim.
record stack 0.1 -T -e vmscan:mm_vmscan_memcg_reclaim_begin \
	-e vmscan:mm_vmscan_memcg_reclaim_end -e sched:sched_switch
publish stack v7

# inst: the top buffer and two instances, each with events of its own.
record inst 0.1 -e sched:sched_switch -B mmt_ipi -e ipi -B mmt_vm \
	-e vmscan:mm_vmscan_memcg_reclaim_begin -e vmscan:mm_vmscan_memcg_reclaim_end \
	-e sched:sched_wakeup
publish inst v6 v7 v7-none
ls -l "$OUT"/*.dat
