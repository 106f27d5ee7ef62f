#!/bin/bash
# Records the captures of tests/data/trace_text (README.md there says what
# each file is). Run as root:  tests/data/trace_text/record.sh [OUTDIR]
#
# The load is page-cache reclaim inside a cgroup v1 memory group of 48 MiB
# (reading a 160 MiB file over and over, and writing 64 MiB with fsync), so
# vmscan and writeback events appear while the rest of the machine sees no
# pressure. What it changes, and undoes in cleanup():
#   - a tracefs instance mmt_ttext (its events disabled, buffer cleared,
#     then removed); the tracefs captures are read from it, so they do not
#     disturb the top-level buffer;
#   - the top-level buffer while `trace-cmd record` runs (trace-cmd
#     restores it when it stops, but for tracing_on, which the script
#     restores) and the instances mmt_a, mmt_b it makes;
#   - the cgroup /sys/fs/cgroup/memory/mmt-ttext and the tasks in it;
#   - the files in /var/tmp/mmt-ttext.
# Only one recorder may run on the machine at a time: the script waits
# for other trace-cmd or perf processes to finish, and holds
# /tmp/mmt-tracing.lock while it records.
set -euo pipefail

OUT=$(realpath "${1:-$(dirname "$0")}")
T=/sys/kernel/tracing
I=$T/instances/mmt_ttext
CG=/sys/fs/cgroup/memory/mmt-ttext
WORK=/var/tmp/mmt-ttext
LIMIT=$((48 << 20))
LOAD_PID=
TOP_ON=

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
[ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] || { echo "no cgroup v1 memory controller" >&2; exit 1; }

# Disables, clears and removes instance $1 (default: ours) if present.
instance_off() {
	local d=${1:-$I}
	[ -d "$d" ] || return 0
	echo 0 > "$d/tracing_on"
	echo 0 > "$d/events/enable"
	echo > "$d/trace"
	echo nop > "$d/current_tracer"
	rmdir "$d"
}

stop_load() {
	local p
	[ -n "$LOAD_PID" ] && { kill -KILL "$LOAD_PID" 2>/dev/null || true; }
	for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
	[ -n "$LOAD_PID" ] && { wait "$LOAD_PID" 2>/dev/null || true; }
	LOAD_PID=
	return 0
}

cleanup() {
	local rc=$? i
	trap - EXIT INT TERM
	set +e
	instance_off
	# trace-cmd 3.1.6 leaves the instances of -B behind here.
	instance_off "$T/instances/mmt_a"
	instance_off "$T/instances/mmt_b"
	# trace-cmd 3.1.6 leaves the top-level tracing_on set when it stops.
	[ -n "$TOP_ON" ] && echo "$TOP_ON" > "$T/tracing_on"
	stop_load
	for i in $(seq 20); do
		[ -d "$CG" ] || break
		rmdir "$CG" 2>/dev/null && break
		sleep 0.5
	done
	rm -rf "$WORK"
	[ -d "$CG" ] && echo "cgroup $CG still present" >&2
	for i in "$I" "$T/instances/mmt_a" "$T/instances/mmt_b"; do
		[ -d "$i" ] && echo "instance $i still present" >&2
	done
	exit "$rc"
}
trap cleanup EXIT INT TERM

# One recorder at a time on this machine.
exec 9> /tmp/mmt-tracing.lock
flock 9
while pgrep -x trace-cmd > /dev/null || pgrep -x perf > /dev/null; do sleep 2; done
TOP_ON=$(cat "$T/tracing_on")

mkdir -p "$WORK" "$OUT"
head -c $((160 << 20)) /dev/urandom > "$WORK/big"
# cat under a name with a space and a dash, as task names may have.
cp /bin/cat "$WORK/mmt cat-x"
mkdir "$CG"
echo "$LIMIT" > "$CG/memory.limit_in_bytes"
[ "$(cat "$CG/memory.limit_in_bytes")" = "$LIMIT" ] || { echo "limit not set" >&2; exit 1; }

# The load: runs in the cgroup until stop_load.
start_load() {
	bash -c "echo \$\$ > $CG/cgroup.procs
		grep -qx \$\$ $CG/cgroup.procs || exit 1
		while :; do
			\"$WORK/mmt cat-x\" $WORK/big > /dev/null
			dd if=/dev/zero of=$WORK/w bs=1M count=64 conv=fsync status=none
		done" &
	LOAD_PID=$!
	sleep 1
	grep -qx "$LOAD_PID" "$CG/cgroup.procs" || { echo "load not in cgroup" >&2; exit 1; }
}

EVENTS="sched/sched_switch sched/sched_wakeup sched/sched_waking
	vmscan/mm_vmscan_memcg_reclaim_begin vmscan/mm_vmscan_memcg_reclaim_end
	vmscan/mm_vmscan_lru_shrink_inactive ipi/ipi_send_cpu
	irq_vectors/call_function_single_entry writeback/writeback_start
	writeback/writeback_written block/block_rq_issue block/block_rq_complete"
STACK_EVENTS="vmscan/mm_vmscan_memcg_reclaim_begin vmscan/mm_vmscan_memcg_reclaim_end
	block/block_rq_issue sched/sched_waking"

# A tracefs capture from the instance: $1 file, $2 buffer KiB per CPU,
# $3 events, then option=value pairs. The buffer does not overwrite, so the
# capture is the first events after tracing starts, under load.
tracefs_capture() {
	local file=$1 kb=$2 events=$3 e o
	shift 3
	mkdir "$I"
	echo "$kb" > "$I/buffer_size_kb"
	echo 0 > "$I/options/overwrite"
	for o in "$@"; do echo "${o#*=}" > "$I/options/${o%%=*}"; done
	for e in $events; do echo 1 > "$I/events/$e/enable"; done
	start_load
	echo 1 > "$I/tracing_on"
	sleep 2
	echo 0 > "$I/tracing_on"
	stop_load
	cat "$I/trace" > "$OUT/$file"
	instance_off
}

tracefs_capture trace-irqinfo.txt 8 "$EVENTS"
tracefs_capture trace-noirqinfo.txt 8 "$EVENTS" irq-info=0
tracefs_capture trace-tgid.txt 8 "$EVENTS" record-tgid=1
tracefs_capture trace-stack.txt 12 "$STACK_EVENTS" stacktrace=1

# trace_pipe: read while tracing, no header; its first 300 lines.
mkdir "$I"
for e in $EVENTS; do echo 1 > "$I/events/$e/enable"; done
start_load
echo 1 > "$I/tracing_on"
head -n 300 "$I/trace_pipe" > "$OUT/trace_pipe.txt"
echo 0 > "$I/tracing_on"
stop_load
instance_off

# trace-cmd: record 1 s of the load system-wide, then report.
TC_EVENTS=(-e sched:sched_switch -e sched:sched_wakeup -e sched:sched_waking
	-e vmscan:mm_vmscan_memcg_reclaim_begin -e vmscan:mm_vmscan_memcg_reclaim_end
	-e ipi:ipi_send_cpu -e kmem:mm_page_alloc -e writeback:writeback_written
	-e block:block_rq_issue)
start_load
trace-cmd record -d --no-filter "${TC_EVENTS[@]}" -o "$WORK/plain.dat" sleep 1 > /dev/null 2>&1 || true
trace-cmd record -d --no-filter -T -e vmscan:mm_vmscan_memcg_reclaim_begin \
	-e block:block_rq_issue -e sched:sched_switch -o "$WORK/stack.dat" sleep 1 > /dev/null 2>&1 || true
trace-cmd record -d --no-filter -e sched:sched_switch \
	-B mmt_a -e vmscan:mm_vmscan_memcg_reclaim_begin -e vmscan:mm_vmscan_memcg_reclaim_end \
	-B mmt_b -e ipi:ipi_send_cpu -e sched:sched_wakeup \
	-o "$WORK/inst.dat" sleep 1 > /dev/null 2>&1 || true
stop_load
[ -n "${KEEP_DAT:-}" ] && cp "$WORK"/*.dat "$KEEP_DAT/"

# A window of a report: its first line (cpus=N), then COUNT lines from the
# first event line at or after line START (not inside a stack).
report_window() {
	local start=$1 count=$2
	awk -v s="$start" -v c="$count" 'NR == 1 { print; next }
		NR >= s && !on && $0 !~ /^ *=>/ && $0 !~ /kernel_stack:/ { on = 1 }
		on && n < c { print; n++ }'
}
trace-cmd report -i "$WORK/plain.dat" 2> /dev/null | report_window 4000 400 > "$OUT/report.txt"
trace-cmd report -l -i "$WORK/plain.dat" 2> /dev/null | report_window 4000 400 > "$OUT/report-l.txt"
trace-cmd report -t -i "$WORK/plain.dat" 2> /dev/null | report_window 4000 150 > "$OUT/report-t.txt"
trace-cmd report -i "$WORK/stack.dat" 2> /dev/null | report_window 1000 600 > "$OUT/report-stack.txt"
trace-cmd report -i "$WORK/inst.dat" 2> /dev/null | report_window 1000 500 > "$OUT/report-instances.txt"
ls -l "$OUT"
