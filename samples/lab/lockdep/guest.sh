# Guest-side helpers of the lockdep scenarios (busybox sh), copied to
# /lab/lockdep.sh by run.sh and sourced after /lab/capture.sh.
# shellcheck shell=dash disable=SC3043 # busybox ash has local

# ld_hung_task SECS WARNINGS: the hung-task detector reports tasks blocked
# for SECS seconds, at most WARNINGS task reports in all (each round of
# reports ends with lockdep's list of the locks every task holds).
ld_hung_task() {
	echo "$1" > /proc/sys/kernel/hung_task_timeout_secs
	echo "$2" > /proc/sys/kernel/hung_task_warnings
}

# ld_wait_log PATTERN COUNT SECS: wait until the kernel log holds COUNT
# lines matching PATTERN (grep -E), at most SECS seconds; 1 on timeout.
ld_wait_log() {
	local i=0
	while [ "$(dmesg | grep -cE "$1")" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -le "$3" ] || { cap_mark "timeout waiting for $2 x '$1'"; return 1; }
		sleep 1
	done
}

# ld_sysrq KEY...: SysRq through /proc (w: blocked tasks, d: all held
# locks, t: all tasks), each marked in the kernel log.
ld_sysrq() {
	local k
	for k in "$@"; do
		cap_mark "sysrq $k"
		echo "$k" > /proc/sysrq-trigger
		sleep 1
	done
}

# ld_state COMM: the state letter of the first task named COMM.
ld_state() {
	local d
	for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = "$1" ] || continue
		awk '/^State:/ { print $2; exit }' "$d/status"
		return
	done
}

# ld_trace_stop: cap_trace_stop without switching the events off, which
# patches static keys under cpus_read_lock() and so hangs behind a stuck
# CPU offline. Tracing stops (tracing_on 0); the events stay enabled.
ld_trace_stop() {
	local t=/sys/kernel/tracing
	echo 0 > $t/tracing_on
	cat $t/trace > "$CAP/trace.txt"
	cat $t/per_cpu/cpu*/stats > "$CAP/trace-stats.txt" 2>/dev/null
}
