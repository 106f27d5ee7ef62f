#!/bin/bash
# Recipe for samples/memcg-oom: the memory-cgroup (v1) OOM killer, three
# times, inside a 64 MiB cgroup. The rest of the machine sees no pressure.
#
# Run as root:  samples/recipes/memcg-oom.sh [OUTDIR]
# Default OUTDIR: samples/memcg-oom next to this directory.
#
# Needs the cgroup v1 memory controller mounted at /sys/fs/cgroup/memory
# (override with MEMCG_ROOT=...). What it changes, and undoes in cleanup():
#   - a cgroup MEMCG_ROOT/mmtriage-oom with memory.limit_in_bytes = 64M and
#     memory.memsw.limit_in_bytes = 64M (no swap use even where swap exists);
#   - a 256 MiB file in /var/tmp/mmtriage-memcg-oom;
#   - worker processes, all inside the cgroup;
#   - a systemd-journald in a private mount namespace (see common.sh).
# No sysctl is changed. Every allocator also has its own upper bound (at
# most a few hundred MiB) so that even if the limit failed to apply the
# machine would not be pushed into global reclaim; the script also refuses
# to start them unless the limit reads back as set and each process is
# verified to be in the cgroup.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME=memcg-oom
OUT=${1:-$HERE/../$NAME}
WORK=/var/tmp/mmtriage-$NAME
MEMCG_ROOT=${MEMCG_ROOT:-/sys/fs/cgroup/memory}
CG=$MEMCG_ROOT/mmtriage-oom
LIMIT=$((64 << 20))
CG_MADE=0
declare -A PID=() # role -> pid

mmt_require_root
mmt_require_tools dmesg nsenter unshare head tail
[ -x "$MMT_PY" ] || { echo "need $MMT_PY" >&2; exit 1; }
[ -f "$MEMCG_ROOT/memory.limit_in_bytes" ] || { echo "no cgroup v1 memory controller at $MEMCG_ROOT" >&2; exit 1; }

teardown() {
	set +e
	# 1. Kill what is left of the workers: the pids we started, then anything
	#    still listed in our cgroup (children of our workers, e.g. head).
	local role p i
	for role in "${!PID[@]}"; do
		kill -KILL "${PID[$role]}" 2>/dev/null
	done
	if [ "$CG_MADE" = 1 ]; then
		# shellcheck disable=SC2013 # one pid per line
		for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	fi
	for role in "${!PID[@]}"; do
		wait "${PID[$role]}" 2>/dev/null
		unset "PID[$role]"
	done
	# 2. Remove the cgroup (possible once no task is left in it; its page
	#    cache charges move to the parent).
	if [ "$CG_MADE" = 1 ]; then
		for i in $(seq 20); do
			rmdir "$CG" 2>/dev/null && { CG_MADE=0; mmt_log "removed $CG"; break; }
			sleep 0.5
		done
	fi
	set -e
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	teardown
	mmt_journald_stop
	rm -rf "$WORK"
	echo "== cgroup $CG" >&2
	if [ -d "$CG" ]; then echo "still present" >&2; else echo "(removed)" >&2; fi
	mmt_verify_clean vm.oom_dump_tasks vm.panic_on_oom >&2
	exit "$rc"
}
trap cleanup EXIT INT TERM

# in_cg ROLE CMD...: start CMD inside the cgroup. The wrapper shell moves
# itself into the cgroup and execs CMD only if that worked.
in_cg() {
	local role=$1
	shift
	sh -c 'echo $$ >"$0/cgroup.procs" && grep -qx "$$" "$0/cgroup.procs" && exec "$@"' "$CG" "$@" \
		</dev/null >>"$WORK/workers.out" 2>&1 &
	PID[$role]=$!
	echo "$role pid=$! cmd=$*" >>"$WORK/roles.txt"
}

# wait_gone PID SECONDS: wait for a process to exit (it is our child).
wait_gone() {
	local p=$1 n=$2 i st
	for ((i = 0; i < n * 10; i++)); do
		st=$(awk '{print $3}' /proc/"$p"/stat 2>/dev/null || echo gone)
		[ "$st" = Z ] || [ "$st" = gone ] && return 0
		sleep 0.1
	done
	return 1
}

cg_state() {
	local f
	echo "=== $1 (uptime $(mmt_uptime))"
	for f in memory.limit_in_bytes memory.memsw.limit_in_bytes memory.usage_in_bytes \
		memory.max_usage_in_bytes memory.failcnt memory.memsw.failcnt; do
		echo "$f $(cat "$CG/$f")"
	done
	echo "--- memory.oom_control"
	cat "$CG/memory.oom_control"
	echo "--- memory.stat"
	cat "$CG/memory.stat"
	echo "--- tasks: pid comm oom_score_adj rss"
	# shellcheck disable=SC2013 # one pid per line
	for f in $(cat "$CG/cgroup.procs"); do
		echo "$f $(cat /proc/"$f"/comm 2>/dev/null) $(cat /proc/"$f"/oom_score_adj 2>/dev/null) $(awk '/^VmRSS/ {print $2 $3}' /proc/"$f"/status 2>/dev/null)"
	done
}

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
rm -f "$OUT"/dmesg*.txt "$OUT"/journalctl*.txt "$OUT"/run-info.txt "$OUT"/memcg-state.txt
: >"$WORK/roles.txt"

# A file whose page cache the cgroup will fill: written from outside the
# cgroup, then dropped from the page cache (this file only), so that reading
# it inside the cgroup charges the cache to the cgroup.
dd if=/dev/urandom of="$WORK/cache.dat" bs=1M count=256 status=none
sync -f "$WORK/cache.dat"
"${MMT_WORKER[@]}" fadvise-dontneed "$WORK/cache.dat"

mmt_journald_start "$WORK/journald.out"

BEGIN="begin $NAME run $MMT_RUN_ID"
END="end $NAME run $MMT_RUN_ID"
mmt_mark "$BEGIN"

mkdir "$CG"
CG_MADE=1
echo "$LIMIT" >"$CG/memory.limit_in_bytes"
if [ -f "$CG/memory.memsw.limit_in_bytes" ]; then
	echo "$LIMIT" >"$CG/memory.memsw.limit_in_bytes"
fi
[ "$(cat "$CG/memory.limit_in_bytes")" = "$LIMIT" ] || { echo "limit did not apply" >&2; exit 1; }
mmt_mark "created memory cgroup $CG: memory.limit_in_bytes=$LIMIT, memory.memsw.limit_in_bytes=$(cat "$CG/memory.memsw.limit_in_bytes" 2>/dev/null || echo n/a)"

# Residents of the cgroup before the pressure starts.
# cache-reader: reads the 256 MiB file over and over; its page cache is
# charged to the cgroup and is what the cgroup's reclaim takes first.
in_cg cache-reader "${MMT_WORKER[@]}" --comm cache-reader reader "$WORK/reader-progress.txt" "$WORK/cache.dat"
# sleeper: a small idle task, listed in the OOM task table, never chosen.
in_cg sleeper sleep 100000
# memhog-a: takes 16 MiB of anonymous memory and holds it.
in_cg memhog-a "${MMT_WORKER[@]}" --comm memhog-a alloc 4 16 0.2
sleep 4
cg_state "before phase 1" >"$OUT/memcg-state.txt"

# Phase 1: memhog-b allocates 2 MiB every 0.1 s (capped at 512 MiB) until the
# cgroup runs out: the OOM killer is invoked by memhog-b and, as the largest
# task, kills memhog-b.
mmt_mark "phase 1: memhog-b allocates 2 MiB every 0.1 s in $CG"
in_cg memhog-b "${MMT_WORKER[@]}" --comm memhog-b alloc 2 512 0.1
wait_gone "${PID[memhog-b]}" 60 || mmt_log "memhog-b still alive after 60 s"
sleep 2
cg_state "after phase 1" >>"$OUT/memcg-state.txt"

# Phase 2: memhog-a is made the preferred victim (oom_score_adj 1000), then
# tail buffers an endless line from head -c 300M /dev/zero. tail invokes the
# OOM killer, memhog-a is killed for it; tail keeps growing and is killed by
# the next OOM kill.
echo 1000 >/proc/"${PID[memhog-a]}"/oom_score_adj
mmt_mark "phase 2: oom_score_adj of memhog-a (pid ${PID[memhog-a]}) set to 1000; starting head -c 300M /dev/zero | tail in $CG"
in_cg tail sh -c 'head -c 300M /dev/zero | tail >/dev/null'
wait_gone "${PID[tail]}" 60 || mmt_log "tail pipeline still alive after 60 s"
sleep 2
cg_state "after phase 2" >>"$OUT/memcg-state.txt"

{
	echo "sample: $NAME"
	echo "run id: $MMT_RUN_ID"
	echo "kernel: $(uname -r) ($(uname -v))"
	echo "cgroup: $CG (cgroup v1 memory controller)"
	echo "memory.limit_in_bytes=$LIMIT memory.memsw.limit_in_bytes=$(cat "$CG/memory.memsw.limit_in_bytes" 2>/dev/null || echo n/a)"
	echo "vm.oom_dump_tasks=$(sysctl -n vm.oom_dump_tasks) vm.panic_on_oom=$(sysctl -n vm.panic_on_oom) vm.overcommit_memory=$(sysctl -n vm.overcommit_memory)"
	echo "swap: $(swapon --show --noheadings | wc -l) swap areas"
	echo "workers (role, pid of the wrapper that exec'd the command, command):"
	cat "$WORK/roles.txt"
} >"$OUT/run-info.txt"

teardown
mmt_mark "$END"
sleep 1
mmt_capture "$OUT" "$BEGIN" "$END"
mmt_log "done: $OUT"
