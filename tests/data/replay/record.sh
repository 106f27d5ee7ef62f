#!/bin/bash
# record.sh MMTRIAGE [OUTDIR]
#
# Records tests/data/replay/tasks-v7.dat, the trace of tests/unit/
# test_replay_state.c: task life cycles (fork, exec, rename, exit), a task
# in D on direct I/O, block requests, writeback, and IPIs, system-wide
# while a small load runs:
#   - a shell renames itself ('mmt-load', through /proc/self/comm: task_rename);
#   - it forks and execs /bin/true four times (fork, exec, exit);
#   - samples/recipes/mmt_worker.py renames itself 'mmt-ipi' (prctl) and
#     sends membarrier IPIs for 0.15 s;
#   - dd writes 2 MiB with O_DIRECT (block I/O, dd in D), then 4 MiB buffered,
#     and sync starts writeback.
# No memory pressure. The raw recording is converted to version 6, its
# kallsyms trimmed by tests/data/trace/trim-kallsyms.py, checked to print
# what the raw one prints, and converted to version 7 with zstd. Run as
# root when no other trace-cmd or perf records; tracing is reset on exit.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
MMT=$(realpath "${1:?usage: record.sh MMTRIAGE [OUTDIR]}")
OUT=${2:-$HERE}
REPO=$(cd "$HERE/../../.." && pwd)
WORK=/var/tmp/mmt-replay-rec
T=/sys/kernel/tracing

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
if pgrep -x trace-cmd >/dev/null || pgrep -x perf >/dev/null; then
	echo "another recorder is running; try again later" >&2
	exit 1
fi

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	echo 0 >"$T/tracing_on"
	echo nop >"$T/current_tracer"
	echo 0 >"$T/events/enable"
	: >"$T/trace"
	echo 1 >"$T/tracing_on"
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT INT TERM

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
cat >"$WORK/load.sh" <<LOAD
#!/bin/sh
echo mmt-load >/proc/self/comm
python3 "$REPO/samples/recipes/mmt_worker.py" --comm mmt-ipi ipi 0.15 &
for i in 1 2 3 4; do /bin/true; done
dd if=/dev/zero of="$WORK/direct.dat" bs=64k count=32 oflag=direct status=none
dd if=/dev/zero of="$WORK/buffered.dat" bs=1M count=4 status=none
sync
wait
LOAD
trace-cmd record -d --no-filter -q -o "$WORK/tasks.raw.dat" \
	-e sched:sched_switch -e sched:sched_wakeup -e sched:sched_wakeup_new \
	-e sched:sched_waking -e sched:sched_process_fork -e sched:sched_process_exec \
	-e sched:sched_process_exit -e task:task_rename \
	-e block:block_rq_issue -e block:block_rq_complete -e block:block_rq_requeue \
	-e writeback:writeback_start -e writeback:writeback_written \
	-e ipi:ipi_send_cpu -e irq_vectors:call_function_single_entry \
	sh "$WORK/load.sh" 2>>"$WORK/trace-cmd.err" || true
[ -s "$WORK/tasks.raw.dat" ] || { cat "$WORK/trace-cmd.err" >&2; exit 1; }
trace-cmd convert --file-version 6 -i "$WORK/tasks.raw.dat" -o "$WORK/tasks.v6.dat" >/dev/null 2>&1
python3 "$REPO/tests/data/trace/trim-kallsyms.py" "$MMT" "$WORK/tasks.v6.dat" "$WORK/tasks.trim.dat"
trace-cmd report "$WORK/tasks.raw.dat" >"$WORK/a.txt" 2>/dev/null
trace-cmd report "$WORK/tasks.trim.dat" >"$WORK/b.txt" 2>/dev/null
cmp -s "$WORK/a.txt" "$WORK/b.txt" || { echo "trimmed report differs" >&2; exit 1; }
trace-cmd convert --file-version 7 --compression zstd -i "$WORK/tasks.trim.dat" \
	-o "$OUT/tasks-v7.dat" >/dev/null 2>&1
ls -l "$OUT/tasks-v7.dat"
