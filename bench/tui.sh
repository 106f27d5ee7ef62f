#!/bin/bash
# tui.sh [TRACE.dat]
#
# Benchmark of the TUI's Events view on a database of the trace of
# trace.sh (default bench/.cache/trace.dat, 5.6 million events), driven in
# tmux as a person would: keys sent with send-keys, the screen read with
# capture-pane until it shows what the key asks for (the selected event's
# id, computed beforehand with `mmtriage sql`), the time taken from bash's
# microsecond clock ($EPOCHREALTIME) around both. The same loop measures,
# in the same run, a trivial program in the same terminal: its start
# (a shell printing one line) and its answer to a key (a shell echoing
# it). What the TUI takes is its time less that reference; each figure is
# the median of $BENCH_RUNS (9) measures.
#
#   first screen   `mmtriage tui -d DB` started, `3` sent once the first
#                  view shows: until the Events view shows its first page
#                  (target < 200 ms)
#   page down      PgDn: the next page (target < 50 ms)
#   jump to time   `t` TIME Enter: the first event at or after TIME, for
#                  times spread over the trace (target < 50 ms)
#   filter change  `f` FILTER Enter, from the first event: the first event
#                  the filter keeps; event names, a CPU, a task
#                  (target < 50 ms)
#   search         `n` after a search: the next match, thousands of events
#                  on (no target; shown)
#   memory         VmHWM of the TUI's process at the end (target < 64 MB)
#
# BENCH_DB=PATH measures a database already made from the trace (and
# analyzed) instead of making one (about 15 s).
# Exit status: 0 when every target is met, 1 when one is missed, 2 on a
# set-up error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${MMTRIAGE:-$root/build/mmtriage}
runs=${BENCH_RUNS:-9}
trace=${1:-$here/.cache/trace.dat}
cpu=${BENCH_CPU:-0}

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_require tui.sh tmux
work=$(mktemp -d "${TMPDIR:-/tmp}/mmt-bench-tui.XXXXXX")
nsock=0
sock=$work/tmux.0.sock
tm() { tmux -S "$sock" "$@"; }
trap 'for s in "$work"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null; done; rm -rf "$work"' EXIT
cp "$bin" "$work/mmtriage"
db=${BENCH_DB:-}
if [ -z "$db" ]; then
	bench_trace tui.sh "$trace"
	db=$work/trace.db
	"$work/mmtriage" ingest -q -d "$db" "$trace"
	"$work/mmtriage" analyze -d "$db" >/dev/null
fi
sql() { "$work/mmtriage" sql -d "$db" --csv "$1" | sed -n 2p; }

# now: the clock in microseconds.
now() { local t=$EPOCHREALTIME; echo "${t/./}"; }
# shows SCREEN PATTERN...: whether the screen holds every pattern
# (fixed strings; "|" separates them in one argument).
shows() {
	local screen=$1 p
	IFS='|' read -ra p <<<"$2"
	for p in "${p[@]}"; do
		[[ $screen == *"$p"* ]] || return 1
	done
}
# until_shown PATTERNS: polls the screen until it shows them (20 s at most).
until_shown() {
	local end=$((SECONDS + 20))
	until shows "$(tm capture-pane -p)" "$1"; do
		[ $SECONDS -lt $end ] || { tm capture-pane -p >&2; echo "tui.sh: never saw $1" >&2; exit 2; }
	done
}
# timed PATTERNS KEY...: microseconds from sending the keys to PATTERNS shown.
timed() {
	local pattern=$1 t0
	shift
	t0=$(now)
	tm send-keys "$@"
	until_shown "$pattern"
	echo $(($(now) - t0))
}
# session CMD: a new 120x40 terminal running CMD, in a tmux server of its
# own (a server being killed may still hold its socket); the old one gone
# (but the reference's).
session() {
	[ "$sock" = "${refsock:-}" ] || tm kill-server 2>/dev/null || true
	nsock=$((nsock + 1))
	sock=$work/tmux.$nsock.sock
	tm new-session -d -x 120 -y 40 "$1"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The reference: a shell in a terminal of its own that echoes each key,
# measured just before each measure of the TUI (the machine's load moves).
ref_start=$work/ref_start ref_key=$work/ref_key
session "exec bash -c 'n=0; while read -rsn1 k; do n=\$((n + 1)); echo key \$n.; done'"
refsock=$sock
refs=0
sleep 0.2
ref() {
	local tui=$sock
	sock=$refsock
	refs=$((refs + 1))
	timed "key $refs." x >>"$ref_key"
	sock=$tui
}
# ... and a shell's start, before each start of the TUI.
ref_start() {
	local t0
	t0=$(now)
	session "exec bash -c 'echo ready; sleep 600'"
	until_shown 'ready'
	echo $(($(now) - t0)) >>"$ref_start"
}

# The ids the keys must land on, from the store: the view's order is
# (ts, id); 32 rows a page in 120x40.
rows=32
ids=$("$work/mmtriage" sql -d "$db" --csv "SELECT id FROM events ORDER BY ts, id
	LIMIT $((rows * (runs + 1)))" | sed 1d | awk -v r=$rows '(NR - 1) % r == 0')
first_id=$(echo "$ids" | head -1)

start=$work/start open=$work/open pgdn=$work/pgdn jump=$work/jump filter=$work/filter
search=$work/search
for ((i = 0; i < runs; i++)); do
	ref_start
	t0=$(now)
	session "exec taskset -c $cpu '$work/mmtriage' tui -d '$db'"
	until_shown 'Findings'
	t1=$(now)
	echo $((t1 - t0)) >>"$start"
	ref
	timed "event #$first_id, " 3 >>"$open"
done
pid=$(tm display -p '#{pane_pid}')

# Page down from the start, page after page.
for ((i = 1; i <= runs; i++)); do
	ref
	timed "event #$(echo "$ids" | sed -n "$((i + 1))p"), " NPage >>"$pgdn"
done

# Jumps to times spread over the trace, each to a time between two events.
span=$(sql "SELECT min(ts) || ' ' || max(ts) FROM events")
for ((i = 1; i <= runs; i++)); do
	at=$(awk -v s="$span" -v i="$i" -v n="$runs" 'BEGIN { split(s, a, " ");
		printf "%.7f", a[1] + (a[2] - a[1]) * i / (n + 1) + 0.0000003 }')
	id=$(sql "SELECT id FROM events WHERE ts >= $at ORDER BY ts, id LIMIT 1")
	tm send-keys t
	tm send-keys -l "$at"
	ref
	timed "event #$id, " Enter >>"$jump"
done

# Filters, each from the first event (the old filter cleared, then Home).
filters=("sched_switch" "cpu=1" "mm_page_alloc" "comm=kworker*" "block_rq_issue"
	"kmalloc cpu=0" "sched_wakeup" "writeback_*" "pid=$(sql "SELECT pid FROM events
	WHERE name = 'sched_switch' ORDER BY id LIMIT 1")")
where=("name = 'sched_switch'" "cpu = 1" "name = 'mm_page_alloc'" "comm GLOB 'kworker*'"
	"name = 'block_rq_issue'" "name = 'kmalloc' AND cpu = 0" "name = 'sched_wakeup'"
	"name LIKE 'writeback\_%' ESCAPE '\\'" "pid = ${filters[8]#pid=}")
for ((i = 0; i < runs; i++)); do
	k=$((i % ${#filters[@]}))
	id=$(sql "SELECT id FROM events WHERE ${where[$k]} ORDER BY ts, id LIMIT 1")
	tm send-keys f
	tm send-keys -N 80 BSpace
	tm send-keys Enter Home
	until_shown "event #$first_id, "
	tm send-keys f
	tm send-keys -l "${filters[$k]}"
	ref
	timed "event #$id, |filter: ${filters[$k]}" Enter >>"$filter"
	echo "${filters[$k]} $(tail -1 "$filter")" >>"$work/filters"
done

# The next match of a search, from the first event: an event name that
# no task or field holds, 17 times in the trace, far apart.
tm send-keys f
tm send-keys -N 80 BSpace
tm send-keys Enter Home
until_shown "event #$first_id, "
tm send-keys / mm_vmscan_throttled Enter
matches=$("$work/mmtriage" sql -d "$db" --csv "SELECT id FROM events
	WHERE name = 'mm_vmscan_throttled' ORDER BY ts, id" | sed 1d)
until_shown "event #$(echo "$matches" | head -1), "
for ((i = 2; i <= runs + 1 && i <= $(echo "$matches" | wc -l); i++)); do
	ref
	timed "event #$(echo "$matches" | sed -n "${i}p"), " n >>"$search"
done
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
tm send-keys q

events=$(sql "SELECT sum(events) FROM trace_sources")
rs=$(median <"$ref_start") rk=$(median <"$ref_key")
echo "database: $db ($events events)"
printf "reference (a shell in the same tmux): start %.1f ms, answer to a key %.1f ms\n" \
	"$(echo "$rs / 1000" | bc -l)" "$(echo "$rk / 1000" | bc -l)"
[ -s "$search" ] || echo 0 >"$search"
awk -v rs="$rs" -v rk="$rk" -v hwm="$hwm" -v runs="$runs" \
    -v st="$(median <"$start")" -v op="$(median <"$open")" -v pg="$(median <"$pgdn")" \
    -v ju="$(median <"$jump")" -v fi="$(median <"$filter")" -v se="$(median <"$search")" '
function line(name, raw, ref, target) {
	net = (raw - ref) / 1000
	printf "  %-34s %7.1f ms, %7.1f ms net", name, raw / 1000, net
	if (target) {
		printf " (target < %d ms): %s", target, net < target ? "met" : "MISSED"
		ok = ok && net < target
	}
	printf "\n"
}
BEGIN {
	ok = 1
	printf "median of %d, measured less the reference = net:\n", runs
	line("start to the first view", st, rs, 0)
	line("first screen (start + Events)", st + op, rs + rk, 200)
	line("page down", pg, rk, 50)
	line("jump to time", ju, rk, 50)
	line("filter change", fi, rk, 50)
	line("next search match", se, rk, 0)
	printf "  peak RSS (VmHWM) %.1f MB (target < 64 MB): %s\n", hwm / 1024,
		hwm / 1024 < 64 ? "met" : "MISSED"
	exit !(ok && hwm / 1024 < 64)
}' || status=1
echo "filter changes (microseconds):"
sed 's/^/  /' "$work/filters"
exit "${status:-0}"
