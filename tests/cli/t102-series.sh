#!/usr/bin/env bash
# The time series of the reports (cmd/render/series*.c), through the text
# report's "Over time" lines: each prints its least and greatest value and
# when the one that matters happened, checked against the timelines the
# samples' READMEs give (seconds after the capture started).
. "$(dirname "$0")/lib.sh"

# report_of NAME: the text report of samples/NAME (a capture or a file), in
# $REPORT; T0 is a capture's start (Unix seconds).
report_of() {
	local path=$SAMPLES/$1/capture.tar.xz
	[ -e "$path" ] || path=$SAMPLES/$1/$2
	DB=$T/$1.db
	REPORT=$T/$1.txt
	expect_ok ingest -q -d "$DB" "$path"
	expect_ok report -d "$DB" -f text -o "$REPORT"
	T0=""
	[[ $path == *.tar.xz ]] && T0=$(tar xJOf "$path" --wildcards "*/capture.info" |
		awk -F= '/^started=/ { print $2 }')
	grep -q '^Over time$' "$REPORT" || fail "$1: no Over time section"
}

# line LABEL: the Over time line of that label.
line() {
	awk '/^Over time$/ { o = 1; next } /^[A-Z]/ { o = 0 } o' "$REPORT" |
		grep -E "^  $1 " || fail "$(basename "$REPORT"): no '$1' line"
}

# value WHICH LABEL: the least or greatest value (min, max) in the line's
# unit; MiB lines in MiB even when printed as GiB.
value() {
	line "$2" | sed -E "s/.*  min (.*)/ min \1/; s/.*[ ,]$1 ([0-9.]+)( ?[A-Za-z%]*).*/\1\2/" |
		awk '{ v = $1; if ($2 == "GiB") v *= 1024; print v }'
}

# when WHICH LABEL: seconds after T0 of the time printed after that value.
when() {
	local t
	t=$(line "$2" | sed -nE "s/.*[ ,]$1 [^,]* at ([0-9:.]+).*/\1/p")
	[ -n "$t" ] || fail "$2: no time of the $1"
	rel "$t"
}

# rel HH:MM:SS[.d]: seconds after T0 (UTC, the day of T0 or the next).
rel() {
	awk -v t="$1" -v t0="$T0" 'BEGIN { split(t, a, ":"); s = a[1] * 3600 + a[2] * 60 + a[3]
		u = int(t0 / 86400) * 86400 + s; if (u < t0 - 43200) u += 86400
		printf "%.1f\n", u - t0 }'
}

within() { awk -v v="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(v >= a && v <= b) }'; }

# check WHAT VALUE LOW HIGH
check() { within "$2" "$3" "$4" || fail "$1: $2, expected $3 to $4"; }

# --- capture-memcg-swap-oom: zram swap fills from 9.7 s until the OOM kill
# at 19.44 s (SwapFree 10,392 of 196,604 kB: 182 MiB used at 19 s), then
# the victim's swap is freed (48 MiB of mmt-hold's stay).
report_of capture-memcg-swap-oom
check "swap used, least" "$(value min 'swap used')" 0 1
check "swap used, greatest" "$(value max 'swap used')" 175 190
check "swap used, when greatest" "$(when max 'swap used')" 17 21
oom=$(sed -nE 's/^  reports .*oom_kill mmt-hog:4858 at ([0-9:.]+).*/\1/p' "$REPORT")
[ -n "$oom" ] || fail "memcg-swap-oom: no mark of the OOM kill of mmt-hog:4858"
check "OOM mark" "$(rel "$oom")" 19 21
check "memcg reclaim tasks" "$(value max 'memcg reclaim')" 1 4
check "memcg reclaim, when" "$(when max 'memcg reclaim')" 9 20

# --- capture-ipi-hotplug: storm A (about 3,900 IPIs/s to CPU1) at 12-18 s;
# CPU1 offline at 22.07-26.02, 28.04-31.05 and 34.04-38.03 s.
report_of capture-ipi-hotplug
check "CPUs online, least" "$(value min 'CPUs online')" 1 1
check "CPUs online, greatest" "$(value max 'CPUs online')" 2 2
check "CPUs online, first at 1" "$(when min 'CPUs online')" 21.5 26
check "IPIs, greatest" "$(value max 'IPIs, all CPUs')" 3000 5000
check "IPIs, when greatest" "$(when max 'IPIs, all CPUs')" 12 18.5

# --- capture-writeback-stall: Writeback flat at 33-36 MB from 9 s until the
# thaw at 36 s, 8 kB at 37 s.
report_of capture-writeback-stall
check "Writeback, least" "$(value min writeback)" 0 1
check "Writeback, greatest" "$(value max writeback)" 32 36
check "Writeback, when greatest" "$(when max writeback)" 8.5 37
grep -qE '^  reports +[ !]*!.* hung_task ' "$REPORT" || fail "writeback-stall: no hung-task mark"

# --- trace-memcg-reclaim: one second of memcg reclaim by several tasks.
report_of trace-memcg-reclaim trace.dat
check "memcg reclaim tasks" "$(value max 'memcg reclaim')" 1 16
grep -q "seconds since boot\| s to " "$REPORT" || fail "trace: no axis line"

# --- capture-guest-kswapd-hopeless: direct reclaims with kswapd asleep,
# three OOM kills.
report_of capture-guest-kswapd-hopeless
check "direct reclaim tasks" "$(value max 'direct reclaim')" 1 3
check "kswapd awake" "$(value max kswapd)" 1 1
[ "$(grep -cE '^  reports .*oom_kill hog1:736 at' "$REPORT")" = 1 ] ||
	fail "kswapd-hopeless: no mark of the first OOM kill"

# A log without any series: no Over time section.
expect_ok report -f text "$SAMPLE"
out_lacks '^Over time$'
echo ok
