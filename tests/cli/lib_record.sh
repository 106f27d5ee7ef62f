# shellcheck shell=bash disable=SC2154,SC2034 # MMT, T, OUT, ERR: from lib.sh; REC_*: read by the tests
# Shared by the tests that run `mmtriage record` on this machine for real
# (sourced after lib.sh; a name not matching t*.sh, which would make it a
# test). They need root, tracefs and, for a workload under memory
# pressure, a v1 memory cgroup; without one of these they skip (77) and
# say why.
#
# Whatever a test sets up is undone by the EXIT trap, in reverse order, on
# every path (a failed check, a signal): rec_undo registers each step as
# it is taken. rec_finish, at the end of a test, runs the steps itself and
# fails when something is left behind: a cgroup, a mount, a recorder's
# tracefs instance, a change to the top-level trace buffer.
TRACEFS=/sys/kernel/tracing
declare -a REC_UNDO=()

rec_skip() { echo "SKIP: $*"; exit 77; }

rec_require_tracing() {
	[ "$(id -u)" = 0 ] || rec_skip "recording needs root"
	[ -d "$TRACEFS/instances" ] || rec_skip "no tracefs at $TRACEFS (mount -t tracefs nodev $TRACEFS)"
}

# rec_undo CMD...: CMD runs at the end, before the steps registered earlier.
rec_undo() {
	local q
	printf -v q '%q ' "$@"
	REC_UNDO+=("$q")
}

rec_run_undo() {
	local i
	for ((i = ${#REC_UNDO[@]} - 1; i >= 0; i--)); do
		eval "${REC_UNDO[$i]}" >/dev/null 2>&1
	done
	REC_UNDO=()
}

# Mounts made under $T (a cgroup hierarchy, a small tmpfs) are unmounted
# by then; --one-file-system keeps rm out of one that would not go.
rec_on_exit() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	rec_run_undo
	rec_remove_leaked
	rm -rf --one-file-system "$T"
	exit "$rc"
}
trap rec_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The top-level buffer's settings and the instances present: a recorder
# uses an instance of its own and must leave both as they were. (Other
# recorders' instances come and go: another test's may be running.)
rec_toplevel_state() {
	local f
	for f in tracing_on current_tracer trace_clock buffer_size_kb set_event; do
		printf '%s: %s\n' "$f" "$(tr '\n' ' ' <"$TRACEFS/$f")"
	done
}
REC_TOP_BEFORE=""
REC_INSTANCES_BEFORE=""

rec_state_save() {
	local d
	REC_TOP_BEFORE=$(rec_toplevel_state)
	for d in "$TRACEFS"/instances/*; do
		[ -d "$d" ] && [[ ${d##*/} != mmtriage-* ]] && REC_INSTANCES_BEFORE+="${d##*/} "
	done
	return 0
}

# rec_instance PID: the instance of the recorder of that process.
rec_instance() { echo "$TRACEFS/instances/mmtriage-$1"; }

# rec_wait_instance PID: true once the recorder's instance exists (20 s at most).
rec_wait_instance() {
	for _ in $(seq $((200 * SLOW))); do
		[ -d "$(rec_instance "$1")" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Instances of recorders that are no longer running: left behind. (Another
# test's recorder may be running meanwhile; its instance is not a leak.)
rec_leaked_instances() {
	local d pid
	for d in "$TRACEFS"/instances/mmtriage-*; do
		[ -d "$d" ] || continue
		pid=${d##*/mmtriage-}
		[ -d "/proc/$pid" ] || echo "${d##*/}"
	done
}

rec_check_tracefs_clean() {
	local leaked name
	leaked=$(rec_leaked_instances)
	[ -z "$leaked" ] || fail "tracefs instances left behind: $leaked"
	[ "$(rec_toplevel_state)" = "$REC_TOP_BEFORE" ] ||
		fail "top-level trace buffer changed: $(diff <(echo "$REC_TOP_BEFORE") <(rec_toplevel_state) | tr '\n' ' ')"
	for name in $REC_INSTANCES_BEFORE; do
		[ -d "$TRACEFS/instances/$name" ] || fail "instance $name, there before, is gone"
	done
}

# rec_finish PATH...: undo everything, then check that nothing is left:
# no leaked instance, the top level as it was, nothing mounted under $T,
# none of the PATHs (cgroups, scratch directories) still there.
rec_finish() {
	local p
	rec_run_undo
	rec_check_tracefs_clean
	! awk -v t="$T/" 'index($2, t) == 1 { print $2; found = 1 } END { exit !found }' /proc/mounts ||
		fail "still mounted under $T"
	for p in "$@"; do
		[ ! -e "$p" ] || fail "$p is still there"
	done
}

# ---------------------------------------------------------------------
# Memory cgroup v1: the hierarchy mounted already, else mounted under $T.
REC_MEMCG_ROOT=""

rec_memcg_root() {
	REC_MEMCG_ROOT=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/mounts)
	[ -n "$REC_MEMCG_ROOT" ] && return 0
	mkdir "$T/memcg"
	mount -t cgroup -o memory none "$T/memcg" 2>/dev/null ||
		rec_skip "memory cgroup v1 cannot be mounted here (the memory controller may be bound to cgroup v2)"
	rec_undo umount "$T/memcg"
	REC_MEMCG_ROOT=$T/memcg
}

# rec_memcg_kill CG: every task in CG killed, then CG removed (possible
# once no task is left in it; dying tasks take a moment).
rec_memcg_kill() {
	local cg=$1
	for _ in $(seq $((40 * SLOW))); do
		[ -d "$cg" ] || return 0
		xargs -r kill -KILL <"$cg/cgroup.procs" 2>/dev/null
		rmdir "$cg" 2>/dev/null && return 0
		sleep 0.25
	done
	return 1
}

# rec_memcg_create NAME LIMIT_MB: a cgroup of that limit; sets REC_CG.
REC_CG=""
rec_memcg_create() {
	rec_memcg_root
	REC_CG=$REC_MEMCG_ROOT/$1
	mkdir "$REC_CG" || fail "cannot create the memory cgroup $REC_CG"
	rec_undo rec_memcg_kill "$REC_CG"
	echo $(($2 << 20)) >"$REC_CG/memory.limit_in_bytes" ||
		fail "cannot set the limit of $REC_CG"
}

# rec_disk_dir: a scratch directory on a disk (not tmpfs), for a writer
# whose pages must be written back; removed at the end. Sets REC_DISK.
REC_DISK=""
rec_disk_dir() {
	local d
	for d in /var/tmp "$(dirname "$MMT")"; do
		case $(stat -f -c %T "$d" 2>/dev/null) in
		tmpfs | ramfs | "") continue ;;
		esac
		REC_DISK=$(mktemp -d "$d/mmt-record.XXXXXX") || continue
		rec_undo rm -rf "$REC_DISK"
		return 0
	done
	rec_skip "no directory on a disk for the writer (/var/tmp and the build directory are on tmpfs)"
}

# ---------------------------------------------------------------------
# Captures.

# info CAP KEY: a value of CAP/capture.info.
info() { sed -n "s/^$2=//p" "$1/capture.info" | head -1; }

# rec_time_lines FILE: how many samples a series file holds.
rec_time_lines() {
	if [ -f "$1" ]; then grep -cE '^[0-9]+\.[0-9]+$' "$1"; else echo 0; fi
}

# rec_start ARGS...: `mmtriage ARGS...` in the background, its output in
# $OUT and $ERR; sets REC_PID. The EXIT trap stops it if the test ends
# first. SIGINT is let through (a shell's background jobs ignore it), as
# from a terminal.
REC_PID=""
declare -a REC_PIDS=()
rec_start() {
	env --default-signal=INT "$MMT" "$@" >"$OUT" 2>"$ERR" &
	REC_PID=$!
	REC_PIDS+=("$REC_PID")
	rec_undo rec_stop "$REC_PID"
}

# The instances the test's recorders left behind, once the test has
# failed for it: removed, so that the machine is left as it was.
rec_remove_leaked() {
	local pid
	for pid in "${REC_PIDS[@]}"; do
		[ -d "/proc/$pid" ] || rmdir "$(rec_instance "$pid")" 2>/dev/null
	done
	return 0
}

# rec_stop PID: SIGTERM, then SIGKILL after 20 s (which would leave its
# instance behind: rec_finish says so). Only a job not yet waited for: a
# reaped one's pid may be another process's by now.
rec_stop() {
	jobs -p | grep -qx "$1" || return 0
	kill -TERM "$1" 2>/dev/null || return 0
	for _ in $(seq $((200 * SLOW))); do
		jobs -p | grep -qx "$1" || return 0
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# rec_wait PID: its exit status, in REC_RC.
REC_RC=""
rec_wait() {
	REC_RC=0
	wait "$1" || REC_RC=$?
}
