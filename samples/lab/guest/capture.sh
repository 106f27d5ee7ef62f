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
# The reclaim events the analyzers read, without the per-page and
# per-shrinker ones (lru_isolate, write_folio, shrink_slab) and
# lru_shrink_active, which would fill a small guest's ring buffer many
# times over under pressure (100,000 of each a second while reclaim scans
# pages it cannot free).
# shellcheck disable=SC2034 # used by the scenarios
CAP_RECLAIM_EVENTS="vmscan:mm_vmscan_kswapd_sleep vmscan:mm_vmscan_kswapd_wake
vmscan:mm_vmscan_wakeup_kswapd vmscan:mm_vmscan_direct_reclaim_begin
vmscan:mm_vmscan_direct_reclaim_end vmscan:mm_vmscan_lru_shrink_inactive
vmscan:mm_vmscan_throttled oom:mark_victim oom:reclaim_retry_zone"

# cap_arg NAME DEFAULT: the value of lab.NAME=VALUE on the kernel command
# line (run.sh's APPEND arguments), else DEFAULT: how a scenario takes
# parameters.
cap_arg() {
	local a line
	read -r line < /proc/cmdline
	for a in $line; do
		case "$a" in "lab.$1="*) echo "${a#*=}"; return ;; esac
	done
	echo "$2"
}

# Both with the shell's read, not a command: no fork, so they cost no
# allocation and take no time when memory is short.
cap_uptime() {
	local up rest
	read -r up rest < /proc/uptime
	echo "$up"
}
cap_now() {
	local up
	up=$(cap_uptime)
	echo "$((CAP_BTIME + ${up%.*})).${up#*.}"
}

# cap_mark TEXT: a marker line in the kernel log, as the host recipes write.
cap_mark() { echo "mmtriage-lab: $* (uptime $(cap_uptime))" > /dev/kmsg; }

# cap_dump [SECONDS]: asks the host for a dump of the guest's memory (LAB_DUMP
# in lab.sh) and waits SECONDS (default 20) for it: the guest is paused
# while QEMU writes, then sleeps out the rest. Nothing happens when the
# host was not asked for a dump.
cap_dump() {
	cap_mark "dump now"
	sleep "${1:-20}"
}

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

# cap_sample: one sample of every series file, each with its own time:
# under memory pressure reading one file can stall for seconds, and a
# single time for the round would make the rates of the later files
# (PSI totals, vmstat) wrong.
cap_sample() {
	local f
	for f in $CAP_SERIES; do
		[ -r "/proc/$f" ] || continue
		{ cap_now; cat "/proc/$f"; } >> "$CAP/proc/$f"
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
# The reclaim events the analyzers read, without the per-page and
# per-shrinker ones (lru_isolate, write_folio, shrink_slab) and
# lru_shrink_active, which would fill a small guest's ring buffer many
# times over under pressure (100,000 of each a second while reclaim scans
# pages it cannot free).
# shellcheck disable=SC2034 # used by the scenarios
CAP_RECLAIM_EVENTS="vmscan:mm_vmscan_kswapd_sleep vmscan:mm_vmscan_kswapd_wake
vmscan:mm_vmscan_wakeup_kswapd vmscan:mm_vmscan_direct_reclaim_begin
vmscan:mm_vmscan_direct_reclaim_end vmscan:mm_vmscan_lru_shrink_inactive
vmscan:mm_vmscan_throttled oom:mark_victim oom:reclaim_retry_zone"
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

# cap_trace_stop: the text trace, and per CPU the ring buffer's stats
# ("# cpuN" then its stats file: overrun and dropped events are losses)
# and the trace clock.
cap_trace_stop() {
	local t=/sys/kernel/tracing c
	echo 0 > $t/tracing_on
	cat $t/trace > "$CAP/trace.txt"
	{
		echo "# trace_clock: $(cat $t/trace_clock)"
		echo "# buffer_size_kb: $(cat $t/buffer_size_kb)"
		for c in "$t"/per_cpu/cpu*; do
			echo "# ${c##*/}"
			cat "$c/stats"
		done
	} > "$CAP/trace-stats.txt" 2>/dev/null
	echo 0 > $t/events/enable
}

# cap_slab_copy: /sys/kernel/slab as the layout wants it (attribute files
# per cache, aliases as symlinks). The shell's read and echo, not cat: a
# fork per file takes seconds for the whole tree in a TCG guest.
cap_slab_copy() {
	local d n a v t
	mkdir -p "$CAP/sys/kernel/slab"
	for d in /sys/kernel/slab/*; do
		n=${d##*/}
		if [ -L "$d" ]; then
			t=$(readlink "$d")
			ln -s "${t##*/}" "$CAP/sys/kernel/slab/$n"
			continue
		fi
		mkdir -p "$CAP/sys/kernel/slab/$n"
		for a in object_size slab_size order objects slabs aliases reclaim_account ctor align; do
			[ -r "$d/$a" ] || continue
			v=
			IFS= read -r v < "$d/$a"
			echo "$v" > "$CAP/sys/kernel/slab/$n/$a"
		done
	done
}

# cap_pack DEVICE: the kernel log, then everything under /capture as one
# tar archive written onto DEVICE, flushed with an fsync of DEVICE alone: a
# global sync would wait for whatever a scenario left dirty on a slow or
# stuck scratch disk.
cap_pack() {
	dmesg > "$CAP/dmesg.txt"
	tar cf "$1" -C / capture && sync "$1"
}
