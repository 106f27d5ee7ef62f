# Guest-side capture helpers (busybox sh). Writes the capture directory
# shellcheck shell=dash disable=SC3043 # busybox ash has local
# layout of docs/capture.md under /capture: series of /proc files, the
# kernel log, a text trace. Sourced by init and by scenarios.
#
# Times: busybox date has no %N, so each sample's time line is the boot time
# plus /proc/uptime: the same clock as the kernel log and the trace (both
# count from boot), shifted by one constant.

CAP=/capture
CAP_BTIME=$(awk '/^btime/ { print $2 }' /proc/stat)
CAP_SERIES="meminfo vmstat zoneinfo buddyinfo pagetypeinfo slabinfo interrupts swaps pressure/memory pressure/io pressure/cpu"
CAP_LOOP_PID=""

cap_now() { awk -v b="$CAP_BTIME" '{ printf "%.2f\n", b + $1 }' /proc/uptime; }
cap_uptime() { cut -d' ' -f1 /proc/uptime; }

# cap_mark TEXT: a marker line in the kernel log, as the host recipes write.
cap_mark() { echo "mmtriage-lab: $* (uptime $(cap_uptime))" > /dev/kmsg; }

cap_info() {
	mkdir -p "$CAP/proc/pressure"
	{
		echo "format=mmtriage-capture 1"
		echo "hostname=$(hostname)"
		echo "kernel=$(uname -r)"
		echo "boot_id=$(cat /proc/sys/kernel/random/boot_id)"
		echo "btime=$CAP_BTIME"
		echo "started=$(cap_now)"
		echo "uptime_at_start=$(cap_uptime)"
		echo "interval=$1"
		echo "page_size=4096"
	} > "$CAP/capture.info"
}

cap_sample() {
	local now f
	now=$(cap_now)
	for f in $CAP_SERIES; do
		[ -r "/proc/$f" ] || continue
		{ echo "$now"; cat "/proc/$f"; } >> "$CAP/proc/$f"
	done
}

# cap_start INTERVAL: capture.info, then a sample every INTERVAL seconds in
# the background until cap_stop. The sampler is exempt from the OOM killer
# so that the series covers the whole scenario.
cap_start() {
	cap_info "$1"
	(
		echo -1000 > /proc/self/oom_score_adj
		while :; do cap_sample; sleep "$1"; done
	) &
	CAP_LOOP_PID=$!
}

cap_stop() {
	[ -n "$CAP_LOOP_PID" ] && kill "$CAP_LOOP_PID" 2>/dev/null
	CAP_LOOP_PID=""
	cap_sample
}

# cap_trace_start BUFFER_KB EVENT...: events as system:name or system.
cap_trace_start() {
	local t=/sys/kernel/tracing e
	echo "$1" > $t/buffer_size_kb
	shift
	echo > $t/trace
	for e in "$@"; do
		case "$e" in
		*:*) echo 1 > "$t/events/${e%%:*}/${e#*:}/enable" || echo "lab: no event $e" ;;
		*) echo 1 > "$t/events/$e/enable" || echo "lab: no event system $e" ;;
		esac
	done
	echo 1 > $t/tracing_on
}

cap_trace_stop() {
	local t=/sys/kernel/tracing
	echo 0 > $t/tracing_on
	cat $t/trace > "$CAP/trace.txt"
	cat $t/per_cpu/cpu*/stats > "$CAP/trace-stats.txt" 2>/dev/null
	echo 0 > $t/events/enable
}

# cap_slab_copy: /sys/kernel/slab as the layout wants it (attribute files
# per cache, aliases as symlinks).
cap_slab_copy() {
	local d n a
	mkdir -p "$CAP/sys/kernel/slab"
	for d in /sys/kernel/slab/*; do
		n=${d##*/}
		if [ -L "$d" ]; then
			ln -s "$(readlink "$d" | sed 's,.*/,,')" "$CAP/sys/kernel/slab/$n"
			continue
		fi
		mkdir -p "$CAP/sys/kernel/slab/$n"
		for a in object_size slab_size order objects slabs aliases reclaim_account ctor align; do
			cat "$d/$a" > "$CAP/sys/kernel/slab/$n/$a" 2>/dev/null
		done
	done
}

# cap_pack DEVICE: the kernel log, then everything under /capture as one
# tar archive written onto DEVICE.
cap_pack() {
	dmesg > "$CAP/dmesg.txt"
	sync
	tar cf "$1" -C / capture && sync
}
