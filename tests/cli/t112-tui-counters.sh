#!/usr/bin/env bash
# The Counters view in a real terminal (tmux): the charts of a capture with
# the values at the time cursor (swap used at the start and at the swap
# peak the capture's README gives, as `mmtriage sql` reads the sample
# nearest the cursor), the cursor's column moving with > and l, zoom, the
# CPUs chart of the hotplug capture inside CPU1's offline window, an ASCII
# locale, 80x24, and a database without series.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"
TUI_VIEW=5

# at TIME: the time cursor to TIME (seconds on the common timeline) with the t prompt.
at() {
	keys t
	keys "$1" Enter
}
# cursor_col: the column of the cursor's mark in the row above the charts.
cursor_col() {
	screen | sed -n 3p | "$PYTHON" -c '
import sys
row = sys.stdin.buffer.read().decode("utf-8", "replace")
print(max(row.find("\u25bc"), row.find("v")))'
}
# The cursor's column differs from $1 (drawing follows a key a little later).
col_moved() {
	for _ in $(seq $((100 * SLOW))); do
		[ "$(cursor_col)" != "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }

DB=$T/oom.db
expect_ok ingest -q -d "$DB" "$SAMPLES/capture-memcg-swap-oom/capture.tar.xz"
expect_ok analyze -d "$DB"
# The README's times are seconds after the capture's first sample.
t0=$(sql "$DB" "SELECT min(ts) FROM meminfo")
peak=$(add "$t0" 19)
# Swap used in the sample nearest a time, in MiB, as the view rounds it.
swap_at() {
	sql "$DB" "SELECT printf('%.0f', (t.kb - f.kb) / 1024.0) FROM meminfo t
		JOIN meminfo f ON f.source = t.source AND f.ts = t.ts AND f.key = 'SwapFree'
		WHERE t.key = 'SwapTotal' ORDER BY abs(t.ts - $1) LIMIT 1"
}
[ "$(swap_at "$peak")" = 182 ] || fail "the sample at the README's swap peak is $(swap_at "$peak") MiB, not 182"

start "$DB" TERM=xterm-256color
wait_for '^> Free memory, MiB  MemFree [0-9.]+ GiB  MemAvailable'
wait_for '^  Swap used, MiB  swap used 0 MiB  min 0 MiB  max 182 MiB'
wait_for '^  Dirty and writeback, MiB'
wait_for '^reports .+!'
# Braille on a UTF-8 terminal.
screen | grep -q $'\xe2\xa3\x80' || fail "no braille in the charts on a UTF-8 terminal"
# The cursor's column moves right with > (1 s).
c0=$(cursor_col)
[ "$c0" -ge 8 ] || fail "no cursor column (got $c0)"
keys '>'
col_moved "$c0" || fail "the cursor's column stayed at $c0 after >"
c1=$(cursor_col)
[ "$c1" -gt "$c0" ] || fail "the cursor's column went from $c0 to $c1 after >"
# l: exactly one column.
keys l
col_moved "$c1" || fail "l did not move the cursor"
[ "$(cursor_col)" -eq $((c1 + 1)) ] || fail "l moved the cursor from $c1 to $(cursor_col)"
# At the swap peak: the value of the sample nearest the cursor, and the OOM kill beside it.
at "$peak"
wait_for "^  Swap used, MiB  swap used $(swap_at "$peak") MiB "
wait_for '! oom_kill mmt-hog:4858 at 01:04:39'
# Zoom in around the cursor: half the span, the same value at the cursor; out again.
keys z
wait_for '\(16.5 s\), .* zoom 2x'
wait_for "swap used 182 MiB"
keys Z
wait_for 'UTC \(33 s\), [0-9]+ ms a column( |$)'
screen | sed -n 2p | grep -q zoom && fail "still zoomed after Z"
# A clock time at t: that second of the data's day; 10^12 hours (an int
# overflow once) put the cursor at the end; a time cut short is refused.
at "01:04:39"
wait_for 'cursor 01:04:39\.000000$'
at "999999999999:00:00"
wait_for 'cursor 01:04:53\.516686$'
at "01:04:"
wait_for 'Not a time: 01:04:'
at "$peak"
wait_for "swap used 182 MiB"
# Selection and scrolling: the last chart is CPUs online.
keys G
wait_for '^> CPUs online, CPUs  online 2 CPUs'
keys g
wait_for '^> Free memory'
# 80x24: charts still drawn, the help bar on line 23.
# (tmux keeps the old bottom lines on a shrink: the redraw shows in the header's column time.)
head120=$(screen | grep -o '[0-9.]* ms a column')
tm resize-window -x 80 -y 24
for _ in $(seq $((100 * SLOW))); do
	head80=$(screen | grep -o '[0-9.]* ms a column')
	[ -n "$head80" ] && [ "$head80" != "$head120" ] && break
	sleep 0.1
done
[ "$head80" != "$head120" ] || fail "no redraw at 80x24 (still $head120)"
screen | sed -n 23p | grep -q 'z Z zoom' || fail "no help bar on line 23 of 24"
wait_for '^  Swap used, MiB  swap used 182 MiB'
screen | sed -n 3p | grep -q '^reports ' || fail "no marks row at 80x24"
[ "$(screen | grep -Ec '^[ >] [A-Z].*, [A-Za-z%/]+  ')" -ge 3 ] || fail "fewer than 3 charts at 80x24"
keys q
wait_for '^EXIT=0'

# An ASCII locale: levels of ASCII, not one byte over 0x7f.
start "$DB" TERM=xterm LC_ALL=C
wait_for '^  Swap used, MiB  swap used 0 MiB'
at "$peak"
wait_for "swap used 182 MiB"
screen | LC_ALL=C grep -q $'[\x80-\xff]' && fail "non-ASCII bytes on an ASCII terminal"
screen | grep -Eq '^ +182M .*[_'"'"'-]' || fail "no ASCII plot in the swap chart"
keys q
wait_for '^EXIT=0'

# CPU1 offline from 22.07 s to 26.02 s (the README's timeline): 1 CPU in the window, 2 before.
IDB=$T/ipi.db
expect_ok ingest -q -d "$IDB" "$SAMPLES/capture-ipi-hotplug/capture.tar.xz"
expect_ok analyze -d "$IDB"
i0=$(sql "$IDB" "SELECT min(ts) FROM snapshots WHERE kind = 'interrupts'")
start "$IDB" TERM=xterm-256color
keys G
wait_for '^> CPUs online, CPUs  online 2 CPUs  min 1 CPU  max 2 CPUs'
wait_for '^  IPIs per CPU, IPIs/s  CPU0 .* CPU1 '
at "$(add "$i0" 24)"
wait_for '^> CPUs online, CPUs  online 1 CPU '
at "$(add "$i0" 20)"
wait_for '^> CPUs online, CPUs  online 2 CPUs '
keys q
wait_for '^EXIT=0'

# No series: said plainly, with where they come from.
HDB=$T/hung.db
expect_ok ingest -q -d "$HDB" "$SAMPLE"
expect_ok analyze -d "$HDB"
start "$HDB" TERM=xterm-256color
wait_for 'No counters in this database'
wait_for 'mmtriage ingest -d DB PATH'
keys q
wait_for '^EXIT=0'
exit 0
