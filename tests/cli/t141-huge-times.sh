#!/bin/bash
# Kernel-log times far beyond any clock: 10^14 s after boot (year 3170843
# once read as Unix time) and 10^19 s (past what time_t and struct tm hold,
# and where adding a second to a double changes nothing). Reports print them
# as seconds, and the HTML report's axes end.
. "$(dirname "$0")/lib.sh"

# stamped PREFIX: the sample with PREFIX put before each timestamp's digits.
stamped() {
	sed -E "s/^\[ *([0-9]+)\.([0-9]+)\]/[$1\1.\2]/" "$SAMPLE" >"$T/$1.txt"
	echo "$T/$1.txt"
}

LOG=$(stamped 99999999999)
expect_ok report "$LOG"
# The first hung-task report is at 762.932610 s in the sample.
out_has '^    time: 99999999999762\.9[0-9]{2} s to '
out_lacks '[0-9]{5,}-[0-9]{2}-[0-9]{2} '

LOG=$(stamped 9999999999999999)
expect_ok report "$LOG"
out_has '^    time: 10{18,19}\.000 s$'
out_lacks '[0-9]-[0-9]{1,2}-[0-9]{1,2} [0-9]{2}:'

# Before, the time axis looped forever here: bounded by a timeout.
timeout 60 "$MMT" report -f html -o "$T/report.html" "$LOG" >"$OUT" 2>"$ERR" ||
	fail "the HTML report did not end (status $?)"
ticks=$(grep -c 'class="tick"' "$T/report.html")
[ "$ticks" -ge 1 ] && [ "$ticks" -le 64 ] || fail "$ticks ticks on the time axis"
! grep -Eq '="-?nan"' "$T/report.html" || fail "the SVG has coordinates that are not numbers"
echo "ok: times past any clock print as seconds; $ticks ticks in the HTML report"
