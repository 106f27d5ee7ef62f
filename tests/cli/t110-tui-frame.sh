#!/usr/bin/env bash
# The TUI in a real terminal (tmux), as a person would use it: the
# Findings view of a real capture, the selection moving, help, a resize to
# 80x24, NO_COLOR, an ASCII locale, hostile task names, and quitting with
# the terminal restored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

DB=$T/oom.db
expect_ok ingest -q -d "$DB" "$SAMPLES/capture-memcg-swap-oom/capture.tar.xz"
expect_ok analyze -d "$DB"
first=$(sql "$DB" "SELECT title FROM findings ORDER BY score DESC, id LIMIT 1")
second=$(sql "$DB" "SELECT title FROM findings ORDER BY score DESC, id LIMIT 1 OFFSET 1")

start "$DB" TERM=xterm-256color
wait_for 'Diagnosis: oom'
wait_for "^ +1 critical +$first"
wait_for "Summary"
# The details follow the selection.
keys j
summary2=$(sql "$DB" "SELECT substr(summary, 1, 40) FROM findings ORDER BY score DESC, id LIMIT 1 OFFSET 1")
wait_for "^  ${summary2:0:30}"
[ -n "$second" ] || fail "no second finding"
# Colours on a 256-colour terminal.
COLOUR=$'\x1b\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5|48;5)[;m]'
tm capture-pane -p -e | grep -Eq "$COLOUR" || fail "no colour on xterm-256color"
# Help lists the shared keys and the view's own; any key closes it.
keys '?'
wait_for 'Keys \(any key closes this\)'
wait_for 'play or pause the time cursor'
wait_for 'walk the selected finding'
keys x
wait_for 'Diagnosis: oom'
# 80x24 still draws the frame: the help bar moves to line 23 of 24.
tm resize-window -x 80 -y 24
# (Both looked for together: a slow redraw may show one before the other.)
for _ in $(seq $((100 * SLOW))); do
	screen | sed -n 23p | grep -q 'Enter evidence' && screen | head -1 | grep -q 'cursor ' && break
	sleep 0.1
done
screen | sed -n 23p | grep -q 'Enter evidence' || fail "no help bar on line 23 of 24"
screen | head -1 | grep -q 'cursor ' || fail "the title line lost the cursor at 80 columns"
# The cursor moves by a second with >.
before=$(screen | head -1 | grep -o 'cursor [0-9:.]*')
[ -n "$before" ] || fail "no cursor on the title line"
keys '>'
for _ in $(seq $((100 * SLOW))); do
	after=$(screen | head -1 | grep -o 'cursor [0-9:.]*')
	[ "$before" != "$after" ] && break
	sleep 0.1
done
[ "$before" != "$after" ] || fail "the cursor did not move from $before"
keys q
wait_for '^EXIT=0'
# The terminal is restored: the shell's text is on the normal screen.
screen | grep -q 'Diagnosis' && fail "the TUI's screen was left behind"

# NO_COLOR: attributes only, no colour.
start "$DB" TERM=xterm-256color NO_COLOR=1
wait_for 'Diagnosis: oom'
# (39 and 49 are the terminal's own colours, which tmux writes to reset.)
! tm capture-pane -p -e | grep -Eq "$COLOUR" ||
	fail "colour despite NO_COLOR"
keys q
wait_for '^EXIT=0'

# Hostile task names are shown escaped; an ASCII locale gets no UTF-8.
HDB=$T/hostile.db
expect_ok ingest -q --lenient -d "$HDB" "$SAMPLES/hostile-comm/dmesg-noescape.txt"
expect_ok analyze -d "$HDB"
start "$HDB" TERM=xterm LC_ALL=C
wait_for 'Diagnosis: fs_freeze'
wait_for '\\x1b\[31mRED'
tm capture-pane -p -e | LC_ALL=C grep -q $'\x1b\]0;pwned' && fail "a raw OSC sequence reached the terminal"
screen | LC_ALL=C grep -q $'[\x80-\xff]' && fail "non-ASCII bytes on an ASCII terminal"
keys q
wait_for '^EXIT=0'

# A database written while the TUI browses it (WAL): R shows the new findings.
LDB=$T/live.db
expect_ok ingest -q -d "$LDB" "$SAMPLE"
expect_ok analyze -d "$LDB"
start "$LDB" TERM=xterm
wait_for 'Diagnosis: fs_freeze'
expect_ok ingest -q -d "$LDB" "$SAMPLES/memcg-oom/dmesg.txt"
expect_ok analyze -d "$LDB"
oom=$(sql "$LDB" "SELECT title FROM findings WHERE kind = 'oom_kill' LIMIT 1")
[ -n "$oom" ] || fail "no OOM finding after the second ingest"
screen | grep -qF -- "$oom" && fail "the new finding showed before R"
keys R
wait_for 'Re-read the database'
wait_for "$(printf '%s' "$oom" | sed 's/[][\.*^$()|+?{}]/\\&/g')"
keys q
wait_for '^EXIT=0'

# The cursor steps from event to event of the trace: . forward, , back.
TDB=$T/trace.db
expect_ok ingest -q -d "$TDB" "$SAMPLES/trace-memcg-reclaim/trace.dat"
expect_ok analyze -d "$TDB"
ev() { sql "$TDB" "SELECT printf('%.6f', ts) FROM events ORDER BY ts, id LIMIT 1 OFFSET $1"; }
start "$TDB" TERM=xterm
wait_for "cursor $(ev 0)\$"
keys .
wait_for "cursor $(ev 1)\$"
keys .
wait_for "cursor $(ev 2)\$"
keys ,
wait_for "cursor $(ev 1)\$"
quit

# Not a terminal: refused with a pointer to report.
run 2 tui -d "$DB"
err_has 'needs a terminal'
exit 0
