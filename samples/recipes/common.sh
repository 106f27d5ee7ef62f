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
