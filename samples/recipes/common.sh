# shellcheck shell=bash
# Helpers shared by the sample recipes in this directory. Sourced, not run.
#
# What they do:
#   - remember and restore sysctls (every value a recipe changes is restored
#     from what it read before changing it);
#   - write marker lines into the kernel log through /dev/kmsg, so that the
#     capture can be cut at the same records in every output format;
#   - run systemd-journald by hand (systemd is not PID 1 on the machine the
#     samples were made on) in a private mount namespace with its own /run and
#     /var/log/journal on tmpfs, so the host's directories are not touched and
#     the journal disappears when journald stops;
#   - capture the same ring buffer with dmesg (four formats) and journalctl
#     (two formats), each cut from the begin marker to the end marker.

MMT_RECIPES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MMT_PY=/usr/bin/python3
# shellcheck disable=SC2034 # used by the recipes that source this file
MMT_WORKER=("$MMT_PY" "$MMT_RECIPES/mmt_worker.py")
MMT_JOURNALD_BIN=/lib/systemd/systemd-journald
MMT_JOURNALD_PID=""
# shellcheck disable=SC2034
MMT_RUN_ID=$(date -u +%Y%m%dT%H%M%SZ)
declare -A MMT_SYSCTL_ORIG=()
declare -a MMT_SYSCTL_ORDER=()

mmt_log() { printf '[%s] %s\n' "$(cut -d' ' -f1 /proc/uptime)" "$*" >&2; }

mmt_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "must run as root" >&2
		exit 1
	fi
}

mmt_require_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || { echo "missing tool: $t" >&2; exit 1; }
	done
}

mmt_uptime() { cut -d' ' -f1 /proc/uptime; }

# mmt_sysctl_set NAME VALUE: remember the original value (first time only),
# then set the new one.
mmt_sysctl_set() {
	local name=$1 value=$2
	if [ -z "${MMT_SYSCTL_ORIG[$name]+x}" ]; then
		MMT_SYSCTL_ORIG[$name]=$(sysctl -n "$name")
		MMT_SYSCTL_ORDER+=("$name")
	fi
	sysctl -q -w "$name=$value"
	mmt_log "sysctl $name: ${MMT_SYSCTL_ORIG[$name]} -> $value"
}

# Restore in reverse order of change. Safe to call more than once.
mmt_sysctl_restore() {
	local i name
	for ((i = ${#MMT_SYSCTL_ORDER[@]} - 1; i >= 0; i--)); do
		name=${MMT_SYSCTL_ORDER[$i]}
		sysctl -q -w "$name=${MMT_SYSCTL_ORIG[$name]}" &&
			mmt_log "sysctl $name restored to ${MMT_SYSCTL_ORIG[$name]}"
	done
	MMT_SYSCTL_ORDER=()
}

# mmt_mark TEXT: one line into the kernel log (facility user, default level),
# with the current uptime so the log, /proc/uptime based files and the
# recipe's own notes can be aligned.
mmt_mark() {
	printf 'mmtriage-recipe[%d]: %s (uptime %s)\n' "$$" "$*" "$(mmt_uptime)" >/dev/kmsg
}

# Start journald in its own mount namespace. /run and /var/log/journal are
# fresh tmpfs mounts inside that namespace only. journald reads /dev/kmsg
# from the start of the ring buffer and then follows it live.
mmt_journald_start() {
	if [ ! -x "$MMT_JOURNALD_BIN" ]; then
		mmt_log "no $MMT_JOURNALD_BIN: journal formats will be skipped"
		return 0
	fi
	local inner='mount -t tmpfs -o mode=0755 tmpfs /run &&
		if [ -d /var/log/journal ]; then mount -t tmpfs -o mode=2755 tmpfs /var/log/journal; fi &&
		exec '"$MMT_JOURNALD_BIN"
	unshare --mount --propagation private sh -c "$inner" </dev/null >"$1" 2>&1 &
	MMT_JOURNALD_PID=$!
	local i
	for i in $(seq 50); do
		if nsenter -t "$MMT_JOURNALD_PID" -m -- journalctl -q -n 1 >/dev/null 2>&1; then
			mmt_log "journald running as pid $MMT_JOURNALD_PID (private mount namespace)"
			return 0
		fi
		sleep 0.2
	done
	mmt_log "journald did not come up; journal formats will be skipped"
	kill "$MMT_JOURNALD_PID" 2>/dev/null || true
	MMT_JOURNALD_PID=""
}

mmt_journald_stop() {
	if [ -n "$MMT_JOURNALD_PID" ]; then
		kill "$MMT_JOURNALD_PID" 2>/dev/null || true
		wait "$MMT_JOURNALD_PID" 2>/dev/null || true
		mmt_log "journald (pid $MMT_JOURNALD_PID) stopped"
		MMT_JOURNALD_PID=""
	fi
}

mmt_journalctl() {
	nsenter -t "$MMT_JOURNALD_PID" -m -- journalctl --no-pager "$@"
}

# mmt_cut BEGIN END: print stdin from the first line containing BEGIN to the
# first later line containing END, both included.
mmt_cut() {
	awk -v b="$1" -v e="$2" 'index($0, b) { on = 1 } on { print } on && index($0, e) { exit }'
}

# mmt_capture OUTDIR BEGIN_TOKEN END_TOKEN
# Save the window between the two markers in every format. Fails if the begin
# marker is no longer in the ring buffer (the buffer wrapped).
mmt_capture() {
	local out=$1 b=$2 e=$3 tmp
	tmp=$(mktemp -d)
	# Read the ring buffer once per format into files first (a pipe into
	# grep -q would end dmesg with SIGPIPE, which pipefail reports).
	dmesg >"$tmp/default"
	dmesg -r >"$tmp/raw"
	dmesg -T >"$tmp/T"
	dmesg --time-format iso >"$tmp/iso"
	if ! grep -qF "$b" "$tmp/default"; then
		mmt_log "begin marker is gone from the ring buffer (wrapped): capture aborted"
		rm -rf "$tmp"
		return 1
	fi
	mmt_cut "$b" "$e" <"$tmp/default" >"$out/dmesg.txt"
	mmt_cut "$b" "$e" <"$tmp/raw" >"$out/dmesg-raw.txt"
	mmt_cut "$b" "$e" <"$tmp/T" >"$out/dmesg-T.txt"
	mmt_cut "$b" "$e" <"$tmp/iso" >"$out/dmesg-iso.txt"
	if [ -n "$MMT_JOURNALD_PID" ]; then
		# journald reads /dev/kmsg asynchronously: wait until it has the end marker.
		local i
		for i in $(seq 50); do
			mmt_journalctl -k -q >"$tmp/j" 2>/dev/null || true
			grep -qF "$e" "$tmp/j" && break
			sleep 0.2
		done
		mmt_journalctl -k -q -o short-monotonic >"$tmp/jm"
		mmt_journalctl -k -q >"$tmp/j"
		mmt_cut "$b" "$e" <"$tmp/jm" >"$out/journalctl-k-short-monotonic.txt"
		mmt_cut "$b" "$e" <"$tmp/j" >"$out/journalctl-k.txt"
	fi
	rm -rf "$tmp"
	local f
	for f in "$out"/dmesg*.txt "$out"/journalctl*.txt; do
		[ -e "$f" ] && mmt_log "$(wc -lc <"$f" | awk '{print $1 " lines, " $2 " bytes"}'): $f"
	done
	return 0
}

# Ground-truth helper: state, wait channel and kernel stack of every process
# in the given process groups.
mmt_snapshot_tasks() {
	local title=$1
	shift
	local pg pid
	echo "=== $title (uptime $(mmt_uptime))"
	echo "  PID  PGID STAT WCHAN                            COMMAND         ARGS"
	for pg in "$@"; do
		ps -o pid=,pgid=,stat=,wchan:32=,comm=,args= -g "$pg" 2>/dev/null || true
	done
	for pg in "$@"; do
		for pid in $(ps -o pid= -g "$pg" 2>/dev/null); do
			mmt_dump_stack_if_d "$pid"
		done
	done
}

# Print /proc/PID/stack if the task is in D state before and after reading it
# (a task that woke up in between is left out rather than shown with a stack
# that does not match its state).
mmt_dump_stack_if_d() {
	local pid=$1 s1 s2 stack comm
	# The state follows the last ')' of /proc/PID/stat: names may hold spaces or tabs.
	s1=$(sed 's/.*) //; s/ .*//' /proc/"$pid"/stat 2>/dev/null) || return 0
	[ "$s1" = D ] || return 0
	stack=$(cat /proc/"$pid"/stack 2>/dev/null) || return 0
	s2=$(sed 's/.*) //; s/ .*//' /proc/"$pid"/stat 2>/dev/null) || return 0
	[ "$s2" = D ] || return 0
	comm=$(cat /proc/"$pid"/comm 2>/dev/null)
	echo "--- /proc/$pid/stack ($comm) state D, $(awk '/^(voluntary|nonvoluntary)_ctxt_switches/ {printf "%s %s ", $1, $2}' /proc/"$pid"/status 2>/dev/null)"
	printf '%s\n' "$stack"
}

# Same for kernel threads whose name matches an awk regex (loop workers,
# jbd2, flusher threads).
mmt_snapshot_kthreads() {
	local re=$1 pid
	echo "  PID STAT WCHAN                            COMMAND"
	ps -eo pid=,stat=,wchan:32=,comm= | awk -v re="$re" '$NF ~ re'
	for pid in $(ps -eo pid=,comm= | awk -v re="$re" '$2 ~ re {print $1}'); do
		mmt_dump_stack_if_d "$pid"
	done
}

# TERM, then KILL, every process group in the caller's associative array PG
# (role -> group id: each worker runs in a session of its own), and forget
# them.
mmt_stop_groups() {
	local role pg
	for role in "${!PG[@]}"; do
		kill -TERM -- "-${PG[$role]}" 2>/dev/null
	done
	sleep 1
	for role in "${!PG[@]}"; do
		pg=${PG[$role]}
		kill -KILL -- "-$pg" 2>/dev/null
		wait "$pg" 2>/dev/null
		unset "PG[$role]"
	done
}

# mmt_unmount DIR TRIES: unmount DIR, retrying once a second (a dying
# writer may still hold a file open briefly); true once it is unmounted.
mmt_unmount() {
	local i
	for i in $(seq "$2"); do
		umount "$1" 2>/dev/null && break
		sleep 1
	done
	! mountpoint -q "$1"
}

# Print what a developer should check after a run: nothing of ours left.
mmt_verify_clean() {
	echo "== losetup -a"
	losetup -a
	echo "== mount | grep loop"
	mount | grep loop || echo "(none)"
	echo "== sysctls"
	local name
	for name in "$@"; do
		echo "$name = $(sysctl -n "$name")"
	done
	echo "== processes in D state"
	ps -eo pid=,stat=,comm= | awk '$2 ~ /^D/' | grep . || echo "(none)"
}

# Workers of the recipes that load a memory cgroup, started inside it or
# not: mmt_cg_teardown kills them all.
declare -a MMT_PIDS=()

# mmt_in_cg CG CMD...: CMD in the background inside the cgroup CG. The
# wrapper shell moves itself there and execs CMD only if that worked.
mmt_in_cg() {
	local cg=$1
	shift
	sh -c 'echo $$ >"$0/cgroup.procs" && grep -qx "$$" "$0/cgroup.procs" && exec "$@"' \
		"$cg" "$@" </dev/null >/dev/null 2>&1 &
	MMT_PIDS+=($!)
}

# mmt_cg_teardown CG: kill the workers and anything left in CG, then remove
# CG (possible once no task is left in it).
mmt_cg_teardown() {
	local cg=$1 p
	for p in "${MMT_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	for _ in $(seq 20); do
		[ -d "$cg" ] || break
		rmdir "$cg" 2>/dev/null && break
		sleep 0.5
	done
	MMT_PIDS=()
}

# mmt_cg_loopfs_cleanup CG MNT LOOP WORK [SYSCTL...]: the undo of a recipe
# that loads the memory cgroup CG with files on an image under WORK,
# attached to the loop device LOOP (empty: never attached) and mounted on
# MNT: the workers and the cgroup, the mount, the loop device, then WORK
# once nothing is mounted there; and what is left (mmt_verify_clean).
mmt_cg_loopfs_cleanup() {
	local cg=$1 mnt=$2 loop=$3 work=$4
	shift 4
	mmt_cg_teardown "$cg"
	mountpoint -q "$mnt" && mmt_unmount "$mnt" 60
	[ -n "$loop" ] && losetup -d "$loop"
	mountpoint -q "$mnt" || rm -rf "$work"
	echo "== cgroup: $([ -d "$cg" ] && echo present || echo removed)" >&2
	mmt_verify_clean "$@" >&2
}

# ---------------------------------------------------------------------------
# Capture directories (docs/capture.md): capture.info, /proc series sampled
# in the background, a copy of /sys/kernel/slab, the kernel log between two
# markers, and optionally a trace-cmd recording as trace.dat.
#
#   mmt_capture_start OUTDIR INTERVAL NAME   info, slab copy, begin marker,
#                                            sampler started
#   mmt_trace_start BUFFER_KB EVENT...       trace-cmd record in the background
#   mmt_capture_at SECONDS                   sleep until SECONDS after start
#   mmt_trace_stop                           stop, trim kallsyms, v7 zstd
#   mmt_capture_stop                         sampler stopped, end marker,
#                                            dmesg.txt
#   mmt_capture_abort                        for traps: stop whatever runs
#   mmt_capture_pack OUTDIR TARBALL          tar | xz -9
# MMTRIAGE (environment): a built mmtriage, needed to trim a trace.

MMT_CAP_SERIES=(meminfo vmstat zoneinfo buddyinfo pagetypeinfo slabinfo interrupts swaps)
for _p in /proc/pressure/*; do [ -e "$_p" ] && MMT_CAP_SERIES+=("pressure/${_p##*/}"); done
MMT_CAP_SLAB_ATTRS=(object_size slab_size order objects slabs aliases reclaim_account ctor align)
MMT_CAP_OUT=""
MMT_CAP_T0=""
MMT_CAP_BEGIN=""
MMT_CAP_SAMPLER=""
MMT_TRACE_PID=""
MMT_TRACE_WORK=""
MMT_TRACE_BUF_ORIG=""

# mmt_copy_sys_slab OUTDIR: /sys/kernel/slab as OUTDIR/sys/kernel/slab,
# aliases as the same symlinks, each cache a directory of the attributes
# mmtriage reads.
mmt_copy_sys_slab() {
	local dst=$1/sys/kernel/slab e name a
	mkdir -p "$dst"
	for e in /sys/kernel/slab/*; do
		name=${e##*/}
		if [ -L "$e" ]; then
			ln -s "$(readlink "$e")" "$dst/$name"
			continue
		fi
		mkdir "$dst/$name"
		for a in "${MMT_CAP_SLAB_ATTRS[@]}"; do
			[ -r "$e/$a" ] && cat "$e/$a" >"$dst/$name/$a" 2>/dev/null
		done
	done
	return 0
}

# mmt_capture_sample OUTDIR: append one sample of every series file.
mmt_capture_sample() {
	local f
	for f in "${MMT_CAP_SERIES[@]}"; do
		{ date +%s.%N; cat "/proc/$f"; } >>"$1/proc/$f"
	done
}

# The sampler: one sample every INTERVAL seconds, on a grid counted from T0
# (a slow sample does not shift the ones after it).
mmt_capture_loop() {
	local out=$1 interval=$2 t0=$3 i=0 now
	set +e
	trap - EXIT INT TERM
	trap 'exit 0' TERM
	while :; do
		mmt_capture_sample "$out"
		i=$((i + 1))
		now=$(date +%s.%N)
		sleep "$(awk -v s="$t0" -v i="$i" -v d="$interval" -v n="$now" \
			'BEGIN { w = s + i * d - n; print (w > 0 ? w : 0) }')"
	done
}

mmt_capture_start() {
	local out=$1 interval=$2 name=$3
	rm -rf "$out"
	mkdir -p "$out/proc/pressure"
	MMT_CAP_OUT=$out
	MMT_CAP_T0=$(date +%s.%N)
	{
		echo "format=mmtriage-capture 1"
		echo "hostname=$(hostname)"
		echo "kernel=$(uname -r)"
		echo "boot_id=$(cat /proc/sys/kernel/random/boot_id)"
		echo "btime=$(awk '/^btime/ {print $2}' /proc/stat)"
		echo "started=$MMT_CAP_T0"
		echo "uptime_at_start=$(mmt_uptime)"
		echo "interval=$interval"
		echo "page_size=$(getconf PAGESIZE)"
	} >"$out/capture.info"
	MMT_CAP_BEGIN="capture $name begin run $MMT_RUN_ID"
	mmt_mark "$MMT_CAP_BEGIN"
	mmt_capture_loop "$out" "$interval" "$MMT_CAP_T0" &
	MMT_CAP_SAMPLER=$!
	mmt_copy_sys_slab "$out"
	mmt_log "capture $name started in $out (sampler pid $MMT_CAP_SAMPLER)"
}

# mmt_capture_at SECONDS: sleep until SECONDS after the capture started.
# The sleep runs in the background and is waited for: a signal's trap runs
# at once instead of when the sleep ends.
mmt_capture_at() {
	local now
	now=$(date +%s.%N)
	sleep "$(awk -v s="$MMT_CAP_T0" -v t="$1" -v n="$now" 'BEGIN { w = s + t - n; print (w > 0 ? w : 0) }')" &
	wait $!
}

# mmt_capture_rel: seconds since the capture started (for the recipe's notes).
mmt_capture_rel() {
	awk -v s="$MMT_CAP_T0" -v n="$(date +%s.%N)" 'BEGIN { printf "%.2f", n - s }'
}

# mmt_step TEXT: a kernel log marker and a log line, both saying the time
# since the capture started.
mmt_step() {
	local rel
	rel=$(mmt_capture_rel)
	mmt_mark "t+$rel s: $*"
	mmt_log "t+$rel s: $*"
}

mmt_sampler_stop() {
	if [ -n "$MMT_CAP_SAMPLER" ]; then
		kill "$MMT_CAP_SAMPLER" 2>/dev/null
		wait "$MMT_CAP_SAMPLER" 2>/dev/null || true
		MMT_CAP_SAMPLER=""
	fi
	return 0
}

mmt_capture_stop() {
	local end="capture end run $MMT_RUN_ID" tmp
	mmt_sampler_stop
	mmt_mark "$end"
	tmp=$(mktemp)
	dmesg >"$tmp"
	grep -qF "$MMT_CAP_BEGIN" "$tmp" || mmt_log "begin marker gone from the ring buffer: dmesg.txt is cut short"
	if grep -qF "$MMT_CAP_BEGIN" "$tmp"; then
		mmt_cut "$MMT_CAP_BEGIN" "$end" <"$tmp" >"$MMT_CAP_OUT/dmesg.txt"
	else
		cp "$tmp" "$MMT_CAP_OUT/dmesg.txt"
	fi
	rm -f "$tmp"
	mmt_log "capture stopped: $(du -sh "$MMT_CAP_OUT" | cut -f1) in $MMT_CAP_OUT"
}

# mmt_trace_start BUFFER_KB ARG...: trace-cmd record with ARGs (-e EVENT,
# -R stacktrace after an event for its kernel stacks, ...) into a scratch
# directory until mmt_trace_stop. trace-cmd 3.1.6 records here only with
# -d --no-filter (../shared/NOTES.md). It records until a stop file appears
# (a background job of a script ignores SIGINT, trace-cmd's stop signal).
mmt_trace_start() {
	local buf=$1 i
	shift
	MMT_TRACE_WORK=$(mktemp -d /var/tmp/mmtriage-trace.XXXXXX)
	MMT_TRACE_BUF_ORIG=$(cat /sys/kernel/tracing/buffer_size_kb)
	# shellcheck disable=SC2016 # $0 is for the inner sh
	trace-cmd record -d --no-filter -b "$buf" -o "$MMT_TRACE_WORK/raw.dat" "$@" \
		sh -c 'while [ ! -e "$0" ]; do sleep 0.5; done' "$MMT_TRACE_WORK/stop" \
		>"$MMT_TRACE_WORK/record.log" 2>&1 &
	MMT_TRACE_PID=$!
	for i in $(seq 100); do
		grep -q . /sys/kernel/tracing/set_event && break
		sleep 0.1
	done
	sleep 0.5
	mmt_log "trace-cmd recording (pid $MMT_TRACE_PID, -b $buf): $*"
}

# Stop trace-cmd and wait for it (it writes the per-CPU data out at exit).
mmt_trace_end() {
	[ -n "$MMT_TRACE_PID" ] || return 0
	touch "$MMT_TRACE_WORK/stop"
	local i
	for i in $(seq 600); do
		kill -0 "$MMT_TRACE_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$MMT_TRACE_PID" 2>/dev/null; then
		kill "$MMT_TRACE_PID" 2>/dev/null
		trace-cmd reset >/dev/null 2>&1
	fi
	wait "$MMT_TRACE_PID" 2>/dev/null || true
	MMT_TRACE_PID=""
	[ -n "$MMT_TRACE_BUF_ORIG" ] && echo "$MMT_TRACE_BUF_ORIG" >/sys/kernel/tracing/buffer_size_kb 2>/dev/null
	return 0
}

# mmt_trace_stop: stop, print the per-CPU statistics (overrun = lost
# events), keep only the kernel symbols the events use
# (tests/data/trace/trim-kallsyms.py), write OUTDIR/trace.dat as file
# version 7 with zstd, and check that trace-cmd reports it as it reported
# the raw recording.
mmt_trace_stop() {
	local w=$MMT_TRACE_WORK trim=$MMT_RECIPES/../../tests/data/trace/trim-kallsyms.py
	mmt_trace_end
	trace-cmd report --stat "$w/raw.dat" 2>/dev/null |
		awk '/^CPU: / { c = $2 } /^(overrun|commit overrun|dropped events):/ { printf "cpu%s %s  ", c, $0 } END { print "" }' >&2
	: "${MMTRIAGE:?set MMTRIAGE to a built mmtriage}"
	trace-cmd convert --file-version 6 -i "$w/raw.dat" -o "$w/v6.dat" >/dev/null 2>&1
	"$MMT_PY" "$trim" "$MMTRIAGE" "$w/v6.dat" "$w/trim.dat"
	trace-cmd convert --file-version 7 --compression zstd -i "$w/trim.dat" \
		-o "$MMT_CAP_OUT/trace.dat" >/dev/null 2>&1
	trace-cmd report "$w/raw.dat" >"$w/a.txt" 2>/dev/null
	trace-cmd report "$MMT_CAP_OUT/trace.dat" >"$w/b.txt" 2>/dev/null
	if ! cmp -s "$w/a.txt" "$w/b.txt"; then
		mmt_log "trimmed trace reports differently from the raw one"
		return 1
	fi
	mmt_log "trace.dat: $(stat -c %s "$MMT_CAP_OUT/trace.dat") bytes, $(grep -c . "$w/a.txt") report lines"
	rm -rf "$w"
	MMT_TRACE_WORK=""
}

# mmt_trap CLEANUP: on exit, error, SIGINT or SIGTERM, stop the capture's
# sampler and recorder, run CLEANUP (the recipe's own undo, with errors
# ignored) and exit with the script's status (130 or 143 after a signal).
mmt_trap() {
	# shellcheck disable=SC2064 # CLEANUP is expanded now, on purpose
	trap "mmt_on_exit $1" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

mmt_on_exit() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	mmt_capture_abort
	"$@"
	exit "$rc"
}

# Stop the sampler and the recorder, drop the scratch files.
mmt_capture_abort() {
	mmt_sampler_stop
	mmt_trace_end
	[ -n "$MMT_TRACE_WORK" ] && rm -rf "$MMT_TRACE_WORK"
	MMT_TRACE_WORK=""
	return 0
}

# mmt_capture_pack OUTDIR TARBALL: the directory as one xz -9 tarball (its
# top-level entry is OUTDIR's base name).
mmt_capture_pack() {
	local dir=$1 tarball=$2
	mkdir -p "$(dirname "$tarball")"
	tar -C "$(dirname "$dir")" --owner=0 --group=0 --numeric-owner --sort=name \
		-cf - "$(basename "$dir")" | xz -9 -T1 >"$tarball"
	mmt_log "packed: $tarball ($(stat -c %s "$tarball") bytes)"
}

# Event sets of the capture recipes (trace-cmd record arguments); the
# baselines record their union.
# shellcheck disable=SC2034
MMT_EV_SCHED=(-e sched:sched_switch -e sched:sched_wakeup)
# shellcheck disable=SC2034
MMT_EV_IPI=(-e ipi:ipi_send_cpu -R stacktrace -e ipi:ipi_send_cpumask
	-e irq_vectors:call_function_entry -e irq_vectors:call_function_exit
	-e irq_vectors:call_function_single_entry -e irq_vectors:call_function_single_exit
	-e irq_vectors:reschedule_entry -e irq_vectors:reschedule_exit
	-e csd:csd_queue_cpu -e cpuhp)
# writeback:* but the per-page events (writeback_dirty_folio, wbc_writepage)
# and writeback_dirty_inode_enqueue (every write of every task)
# shellcheck disable=SC2034
MMT_EV_WRITEBACK=(-e writeback:balance_dirty_pages -e writeback:bdi_dirty_ratelimit
	-e writeback:global_dirty_state -e writeback:folio_wait_writeback
	-e writeback:writeback_start -e writeback:writeback_written -e writeback:writeback_wait
	-e writeback:writeback_queue -e writeback:writeback_exec -e writeback:writeback_queue_io
	-e writeback:writeback_pages_written -e writeback:writeback_wake_background
	-e writeback:writeback_single_inode_start -e writeback:writeback_single_inode
	-e writeback:writeback_sb_inodes_requeue -e writeback:writeback_write_inode_start
	-e writeback:writeback_write_inode
	-e writeback:sb_mark_inode_writeback -e writeback:sb_clear_inode_writeback)
# shellcheck disable=SC2034
MMT_EV_BLOCK=(-e block:block_rq_insert -e block:block_rq_issue -e block:block_rq_complete)

# mmt_block_events DEV...: MMT_EV_BLOCK limited to the given block devices
# (a trace-cmd filter on the dev field, (major << 20) | minor).
mmt_block_events() {
	local d f="" ev
	for d in "$@"; do
		f="${f:+$f || }dev == $(( $(stat -Lc '0x%t' "$d") << 20 | $(stat -Lc '0x%T' "$d") ))"
	done
	for ev in block_rq_insert block_rq_issue block_rq_complete; do
		printf '%s\n' -e "block:$ev" -f "$f"
	done
}

# shellcheck disable=SC2034
MMT_EV_RECLAIM=(-e vmscan -e oom -e compaction -e kmem:mm_page_alloc_extfrag)

# mmt_baseline_start NAME OUTDIR: a capture of NAME in a scratch directory
# with the events of the other capture recipes recorded (what each analyzer
# reads, so that a baseline gives all of them their data), made smaller for
# a busy machine: no kernel stacks on ipi_send_cpu, no sched_wakeup,
# sched_switch only where the task switched out sleeps, no block_rq_insert.
# Sets WORK.
mmt_baseline_start() {
	WORK=/var/tmp/mmtriage-$1
	rm -rf "$WORK"
	mkdir -p "$WORK" "$2"
	mmt_capture_start "$WORK/$1" 1 "$1"
	local ipi=("${MMT_EV_IPI[@]}")
	unset 'ipi[2]' 'ipi[3]' # -R stacktrace
	mmt_trace_start 40000 "${ipi[@]}" -e sched:sched_switch -f 'prev_state & 3' \
		"${MMT_EV_WRITEBACK[@]}" -e block:block_rq_issue -e block:block_rq_complete \
		"${MMT_EV_RECLAIM[@]}"
}

# mmt_baseline_finish NAME OUTDIR: stop at the time already reached, pack.
mmt_baseline_finish() {
	mmt_step "end"
	mmt_trace_stop
	mmt_capture_stop
	mmt_capture_pack "$WORK/$1" "$2/capture.tar.xz"
}
