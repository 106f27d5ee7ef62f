#!/bin/bash
# record.sh [RATE [SECONDS]]
#
# Cost of `mmtriage record` under a sustained load of trace events, against
# trace-cmd recording the same events of the same load in the same run.
# Root; the top-level trace buffer must be idle (trace-cmd records there).
#
# The load is bench/gen-events.c: two threads on CPUs 0 and 1 pass a byte
# back and forth over pipes, each round trip some 15 scheduler and IPI
# events of the default preset, and the kernel stack the preset takes of
# each IPI. The generator reads the recorder's ring buffer's counters
# every 100 ms and sets its pace to hold the records written there (events
# and stacks) at a rate; a short recording first measures the stacks per
# event, so that the events alone come to RATE per second (default
# 100000), for SECONDS (default 30). The rate achieved is measured from
# each recorded trace, over the span of the generator's own events.
#
#   mmtriage    `mmtriage record -o CAP -- gen-events ...`: default preset,
#               default buffer
#   trace-cmd   `trace-cmd record -d --no-filter --file-version 6 -b KB
#               -e EVENT [-f FILTER] [-R stacktrace] ... gen-events ...`:
#               the preset's events, filters and stacks (from `mmtriage
#               record --list`), the same buffer size per CPU, the same
#               uncompressed file format
#
# Reported for each: events/s achieved, events lost, the recorder's CPU
# time as a share of one core (user + system of the recorder's whole
# process tree from wait4, less the generator's own, over the generator's
# run) and per record, bytes written; and the ratios of the two. Targets:
# no event lost, mmtriage's CPU < 5 % of one core, at a rate achieved of at
# least 90 % of RATE.
#
# Exit status: 0 when the targets are met, 1 when one is missed, 2 on a
# set-up error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${MMTRIAGE:-$root/build/mmtriage}
rate=${1:-100000}
seconds=${2:-30}
calibrate_s=3
target_cpu_pct=5
tracefs=/sys/kernel/tracing

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_require record.sh /usr/bin/time trace-cmd cc
[ "$(id -u)" = 0 ] || { echo "record.sh: run as root" >&2; exit 2; }
[ -d "$tracefs/instances" ] || { echo "record.sh: no tracefs at $tracefs" >&2; exit 2; }

# trace-cmd uses the top-level buffer: only when nothing else records there.
top_idle() {
	[ "$(cat "$tracefs/tracing_on")" = 0 ] && [ -z "$(cat "$tracefs/set_event")" ] &&
		[ "$(cat "$tracefs/current_tracer")" = nop ]
}
if ! top_idle; then
	echo "record.sh: the top-level trace buffer is in use (tracing_on, set_event or current_tracer): another recorder runs" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/mmt-bench-record.XXXXXX")
top_buffer_kb=$(cat "$tracefs/buffer_size_kb")
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	set +e
	echo 0 >"$tracefs/tracing_on"
	echo "$top_buffer_kb" >"$tracefs/buffer_size_kb"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cc -O2 -std=c11 -Wall -Wextra -Werror -pthread "$here/gen-events.c" -o "$work/gen-events"
cp "$bin" "$work/mmtriage"

# tally TRACE: "events stacks lost events_per_s gaps" of a trace.dat as
# trace-cmd report prints it: events (kernel stacks apart), kernel stacks,
# the events it says were lost, the events per second between the first
# and the last event of the generator's threads, and the places where it
# says events were dropped without a count.
tally() {
	trace-cmd report "$1" 2>/dev/null | awk '
		/^ *=>/ || /^cpus=/ { next }
		/LOST [0-9]+ EVENTS/ { for (i = 1; i < NF; i++) if ($i == "LOST") lost += $(i + 1); next }
		/EVENTS DROPPED/ { gaps++; next }
		{
			for (i = 2; i < NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) break
			if ($(i + 1) == "kernel_stack:") { stacks++; next }
			n++
			if ($1 ~ /^gen-events-[0-9]+$/) {
				if (!n_first) { first = $i + 0; n_first = n }
				last = $i + 0; n_last = n
			}
		}
		END {
			span = last - first
			printf "%d %d %d %.0f %d\n", n, stacks, lost, (span > 0 ? (n_last - n_first) / span : 0), gaps
		}'
}

# cpu_seconds NAME: the recorder's CPU seconds: user + system of the
# whole process tree (wait4's, by GNU time) less the generator's own.
cpu_seconds() {
	tail -1 "$work/$1.time" |
		awk -v g="$(sed -n 's/^cpu_s=//p' "$work/$1.gen")" '{ printf "%.2f", $2 + $3 - g }'
}

# cpu_share NAME: those seconds as % of one core over the generator's run.
cpu_share() {
	awk -v c="$(cpu_seconds "$1")" -v s="$(sed -n 's/^seconds=//p' "$work/$1.gen")" \
		'BEGIN { printf "%.2f", 100 * c / s }'
}

# run_ours NAME RECORDS_PER_S SECONDS: a recording by mmtriage of the
# generator, which holds the records of the recorder's instance (named
# after its parent) at that rate.
run_ours() {
	/usr/bin/time -f '%e %U %S' -o "$work/$1.time" "$work/mmtriage" record -o "$work/$1" \
		-- "$work/gen-events" "$2" "$3" "$tracefs/instances/mmtriage-%p" \
		>"$work/$1.gen" 2>"$work/$1.err" || {
		echo "record.sh: mmtriage record failed:" >&2
		head -20 "$work/$1.err" >&2
		exit 2
	}
}

# run_reference NAME RECORDS_PER_S SECONDS BUFFER_KB ARG...: the same by
# trace-cmd in the top-level buffer, its events given by ARGs.
run_reference() {
	local name=$1 per_s=$2 secs=$3 kb=$4
	shift 4
	top_idle || { echo "record.sh: the top-level buffer became busy" >&2; exit 2; }
	# trace-cmd exits 1 here after recording: the kernel refuses
	# set_ftrace_filter when it resets (../shared/NOTES.md); the file is whole.
	/usr/bin/time -f '%e %U %S' -o "$work/$name.time" trace-cmd record -d --no-filter \
		--file-version 6 -b "$kb" -o "$work/$name.dat" "$@" \
		"$work/gen-events" "$per_s" "$secs" "$tracefs" >"$work/$name.out" 2>&1 || true
	echo 0 >"$tracefs/tracing_on"
	if ! grep -q '^rounds=' "$work/$name.out" || [ ! -s "$work/$name.dat" ]; then
		echo "record.sh: trace-cmd record failed:" >&2
		head -20 "$work/$name.out" >&2
		exit 2
	fi
	grep -E '^(rounds|records|seconds|cpu_s)=' "$work/$name.out" >"$work/$name.gen"
}

info() { sed -n "s/^$2=//p" "$work/$1/capture.info" | head -1; }

# trace_cmd_args PRESET: the preset's events as trace-cmd record arguments,
# one a line, from `mmtriage record --list`: -e ITEM for each item, -f
# FILTER after a filtered one, -R "stacktrace[ if COND]" after one with
# stacks; items this kernel lacks are left out, sub-presets expanded.
trace_cmd_args() {
	"$work/mmtriage" record --list | awk -v want="$1" '
		/^[^ ]/ { sec = $1; sub(/:$/, "", sec); next }
		/^    / { body[sec] = body[sec] substr($0, 5) "\n" }
		function trim(t) { sub(/^ +/, "", t); sub(/ +$/, "", t); return t }
		function expand(p,   n, l, i, line, name, rest, stack) {
			n = split(body[p], l, "\n")
			for (i = 1; i <= n; i++) {
				line = l[i]
				if (line == "" || line ~ /\(not in this kernel\)/) continue
				if (line ~ /^preset /) { expand(substr(line, 8)); continue }
				name = line; sub(/ .*/, "", name)
				rest = trim(substr(line, length(name) + 1))
				stack = ""
				if (match(rest, /\+stack.*$/)) {
					stack = "stacktrace" substr(rest, RSTART + 6)
					rest = trim(substr(rest, 1, RSTART - 1))
				}
				print "-e"; print name
				if (rest ~ /^if /) { print "-f"; print substr(rest, 4) }
				if (stack != "") { print "-R"; print stack }
			}
		}
		END { expand(want) }'
}

# The preset, its buffer size, and the kernel stacks per event it takes
# of this load.
run_ours calibrate "$rate" "$calibrate_s"
preset=$(info calibrate events)
mapfile -t tc_args < <(trace_cmd_args "$preset")
[ "${#tc_args[@]}" -gt 0 ] || { echo "record.sh: no events in preset '$preset' (mmtriage record --list)" >&2; exit 2; }
buffer_kb=$(info calibrate buffer_kb)
read -r cal_events cal_stacks _ <<<"$(tally "$work/calibrate/trace.dat")"
records=$(awk -v r="$rate" -v e="$cal_events" -v s="$cal_stacks" 'BEGIN { printf "%d", r * (1 + s / e) }')
echo "load: $records records/s in the ring buffer ($(awk -v e="$cal_events" -v s="$cal_stacks" \
	'BEGIN { printf "%.3f", s / e }') kernel stacks per event) for $seconds s, aiming at $rate events/s"
echo "events: preset $preset: $(info calibrate events_enabled) events, $(info calibrate stacks_on) with kernel stacks"
echo "buffer: $buffer_kb KB per CPU"
echo

run_ours ours "$records" "$seconds"
run_reference ref "$records" "$seconds" "$buffer_kb" "${tc_args[@]}"

read -r ours_n ours_stacks ours_tlost ours_rate _ <<<"$(tally "$work/ours/trace.dat")"
read -r ref_n ref_stacks ref_lost ref_rate ref_gaps <<<"$(tally "$work/ref.dat")"
ours_lost=$(info ours events_lost)

gen() { sed -n "s/^$2=//p" "$work/$1.gen"; }
# records_per_s NAME: as the generator counted them in the ring buffer.
records_per_s() { awk -v r="$(gen "$1" records)" -v s="$(gen "$1" seconds)" 'BEGIN { printf "%.0f", r / s }'; }
# per_record NAME RECORDS: CPU microseconds per record (event or kernel
# stack): the two recordings do not see quite the same records.
per_record() {
	awk -v c="$(cpu_seconds "$1")" -v n="$2" 'BEGIN { printf "%.3f", (n > 0 ? 1e6 * c / n : 0) }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
row() { printf '%-10s %9s %9s %8s %6s %8s %7s %8s %11s\n' "$@"; }

ours_cpu=$(cpu_share ours)
ref_cpu=$(cpu_share ref)
ours_per=$(per_record ours $((ours_n + ours_stacks)))
ref_per=$(per_record ref $((ref_n + ref_stacks)))
row "" events/s events stacks lost "rec/s" "CPU %" "us/rec" bytes
row mmtriage "$ours_rate" "$ours_n" "$ours_stacks" "$ours_lost" "$(records_per_s ours)" \
	"$ours_cpu" "$ours_per" "$(du -sb "$work/ours" | cut -f1)"
row trace-cmd "$ref_rate" "$ref_n" "$ref_stacks" "$ref_lost" "$(records_per_s ref)" \
	"$ref_cpu" "$ref_per" "$(stat -c %s "$work/ref.dat")"
echo
echo "rec/s: records (events and stacks) written to the ring buffer per second, as the generator counted them"
echo "CPU %: the recorder's whole run (start, recording, writing the trace) over the load's $seconds s; us/rec: per event or stack"
echo "mmtriage's own account (capture.info): setup_cpu_s=$(info ours setup_cpu_s), recorder_cpu_pct=$(info ours recorder_cpu_pct) while recording, finish_cpu_s=$(info ours finish_cpu_s); events_recorded=$(info ours events_recorded), events_lost_per_cpu=$(info ours events_lost_per_cpu); lost per the trace: $ours_tlost; trace.dat $(stat -c %s "$work/ours/trace.dat") bytes"
echo "trace-cmd: places where it says events were dropped: ${ref_gaps:-0}"
echo "CPU ratio mmtriage / trace-cmd: $(ratio "$ours_cpu" "$ref_cpu") of one core, $(ratio "$ours_per" "$ref_per") per record"
echo

status=0
if awk -v r="$ours_rate" -v t="$rate" 'BEGIN { exit !(r < 0.9 * t) }'; then
	echo "rate: $ours_rate events/s, under 90 % of $rate: the figures are those of a lighter load: FAIL"
	status=1
fi
if [ "$ours_lost" = 0 ]; then
	echo "lost events: 0: PASS"
else
	echo "lost events: $ours_lost: FAIL"
	status=1
fi
if awk -v c="$ours_cpu" -v t="$target_cpu_pct" 'BEGIN { exit !(c < t) }'; then
	echo "recorder CPU: $ours_cpu % < $target_cpu_pct %: PASS"
else
	echo "recorder CPU: $ours_cpu % >= $target_cpu_pct %: FAIL"
	status=1
fi
exit "$status"
