#!/usr/bin/env bash
# The Log view in a real terminal (tmux): the first lines of the fsfreeze
# sample as the store holds them, a report folded to its first line and
# opened, search with n and N as the store answers it, End and Home; two
# logs one after another with hostile names escaped (and an ASCII
# terminal); and a capture with a trace, where moving the time cursor
# selects the first line at or after it and moving the selection moves the
# cursor.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

# re TEXT: TEXT as an extended regular expression that matches itself.
re() { printf '%s' "$1" | sed 's/[][\.*^$?+(){}|]/\\&/g'; }
# text DB QUERY: the one text a query answers, as it is (sql's CSV quotes commas).
text() {
	"$MMT" sql -d "$1" --json "$2" | "$PYTHON" -c '
import json, sys
rows = json.load(sys.stdin)
print(list(rows[0].values())[0] if rows else "")'
}
# row DB LINE: "LINE +TIME TEXT" of a line of source 1, as the view shows it on a
# database without a wall clock: the text cut where the 120 columns end.
row() {
	printf '%s +%s %s' "$2" "$(sql "$1" "SELECT printf('%.6f', t) FROM log_lines WHERE source_id = 1 AND line = $2")" \
		"$(re "$(text "$1" "SELECT rtrim(substr(text, 1, 95)) FROM log_lines WHERE source_id = 1 AND line = $2")")"
}
# cursor: the time cursor on the title line.
cursor() { screen | head -1 | sed -n 's/.* cursor \([0-9:.]*\)$/\1/p'; }

DB=$T/fs.db
analyzed fs "$SAMPLE"
lines=$(sql "$DB" "SELECT count(*) FROM log_lines")
reports=$(sql "$DB" "SELECT count(*) FROM reports")
start "$DB" TERM=xterm-256color LC_ALL=C.UTF-8
keys 4
wait_for '\[4 Log\]'
wait_for "^── dmesg\.txt  source 1, $lines lines, dmesg, clock monotonic, $reports reports$"
wait_selected '^── dmesg\.txt'
for l in 1 2 3 4; do
	wait_for "^ +$(row "$DB" $l)$"
done

# The first report: its first line coloured (red: a hung task), the rest folded.
ls=$(sql "$DB" "SELECT line_start FROM reports ORDER BY line_start LIMIT 1")
le=$(sql "$DB" "SELECT line_end FROM reports ORDER BY line_start LIMIT 1")
hidden=$(sql "$DB" "SELECT count(*) FROM log_lines WHERE line > $ls AND line <= $le")
[ "$hidden" -gt 10 ] || fail "the first report has $hidden lines after its first"
wait_for "^▸ +$(row "$DB" "$ls") \[\+$hidden lines\]$"
! screen | grep -q '^│' || fail "a folded report shows its lines"
first=$(text "$DB" "SELECT text FROM log_lines WHERE line = $ls")
tm capture-pane -p -e | grep -aqF $'\e[31m'"$first" || fail "the report's first line is not coloured"
# Enter opens it: every line up to its last, marked; the line after it is not.
select_down "^▸ +$ls "
keys Enter
wait_for "^▾ +$(row "$DB" "$ls")$"
wait_for "^│ +$(row "$DB" $((ls + 1)))$"
wait_for "^│ +$(row "$DB" "$le")$"
wait_for "^▸ +$((le + 1)) "
# o folds it again.
keys o
wait_for "^▸ +$(row "$DB" "$ls") \[\+$hidden lines\]$"

# Search: the next lines holding the text after the selection, as the store finds them.
hits=$(sql "$DB" "SELECT group_concat(line, ' ') FROM (SELECT line FROM log_lines
	WHERE text LIKE '%ext4_page_mkwrite%' AND line > $ls ORDER BY line LIMIT 2)")
set -- $hits
[ $# = 2 ] || fail "the sample has fewer than 2 lines with ext4_page_mkwrite after line $ls"
keys /
keys ext4_page_mkwrite Enter
wait_selected "^│ +$(row "$DB" "$1")$"
keys n
wait_selected "^│ +$(row "$DB" "$2")$"
keys N
wait_selected "^│ +$(row "$DB" "$1")$"
keys /
keys 'no such text' Enter
wait_for 'No line holds "no such text"\.'
# The selected line's time is the cursor's.
keys j
wait_selected "^│ +$(row "$DB" $(($1 + 1)))$"
[ "$(cursor)" = "$(sql "$DB" "SELECT printf('%.6f', t) FROM log_lines WHERE line = $(($1 + 1))")" ] ||
	fail "the cursor ($(cursor)) is not at the selected line's time"
# End: the last line; Home: the header.
keys G
wait_selected "^ +$(row "$DB" "$lines")$"
keys g
wait_selected '^── dmesg\.txt'
quit

# Hostile names escaped; a second log, ingested while the view is open,
# shown after the first once R re-reads the database.
HDB=$T/hostile.db
analyzed hostile --lenient "$SAMPLES/hostile-comm/dmesg-noescape.txt"
start "$HDB" TERM=xterm-256color LC_ALL=C.UTF-8
keys 4
wait_for '^── dmesg-noescape\.txt  source 1, 313 lines'
wait_for '^▸ +5 +[0-9.]+ INFO: task \\x1b\[31mRED\\x1b\[0m:8366 blocked for more than 10 seconds\.'
wait_for '^▸ +38 +[0-9.]+ INFO: task \\x1b\]0;pwned\\x07:8367 blocked'
wait_for '^▸ +144 +[0-9.]+ INFO: task \\xff\\xfeinvalid:8370 blocked'
no_osc
expect_ok ingest -q -d "$HDB" "$SAMPLES/hostile-comm/journalctl-k.txt"
expect_ok analyze -d "$HDB"
screen | grep -q 'journalctl-k' && fail "the second log showed before R"
keys R
wait_for '^── journalctl-k\.txt  source 2, 313 lines, syslog, clock wall'
wait_for '^▸ +5 +[0-9:.]+ INFO: task RED:8366 blocked'
quit
# An ASCII terminal: ASCII marks, no byte that is not ASCII.
start "$HDB" TERM=xterm LC_ALL=C
keys 4
wait_for '^-- dmesg-noescape\.txt  source 1'
wait_for '^\+ +5 +[0-9.]+ INFO: task \\x1b\[31mRED'
screen | LC_ALL=C grep -q $'[\x80-\xff]' && fail "non-ASCII bytes on an ASCII terminal"
quit

# A capture with a trace: the log follows the cursor, on the common timeline.
WDB=$T/wb.db
analyzed wb "$SAMPLES/capture-writeback-stall/capture.tar.xz"
# expect T: the line the cursor at T selects: the first at or after T, or the
# first line of the folded report holding it.
expect() {
	sql "$WDB" "SELECT ifnull((SELECT r.line_start FROM reports r WHERE r.source_id = l.source_id
		AND l.line > r.line_start AND l.line <= r.line_end), l.line) AS line
		FROM log_lines l JOIN sources s ON s.id = l.source_id
		WHERE l.t + s.t_offset >= $1 ORDER BY l.id LIMIT 1"
}
time_of() {
	sql "$WDB" "SELECT printf('%.6f', l.t + s.t_offset) FROM log_lines l JOIN sources s
		ON s.id = l.source_id WHERE l.line = $1"
}
# Just after line 2 (loop0 set up), then a second later (line 3, the writers
# starting, came 24 ms after line 2).
t1=$(awk -v a="$(time_of 2)" 'BEGIN { printf "%.6f", a + 0.001 }')
t2=$(awk -v a="$t1" 'BEGIN { printf "%.6f", a + 1 }')
# Inside the body of the first report.
rs=$(sql "$WDB" "SELECT line_start FROM reports ORDER BY line_start LIMIT 1")
t3=$(time_of $((rs + 5)))
e1=$(expect "$t1") e2=$(expect "$t2") e3=$(expect "$t3")
[ "$e1" = 3 ] && [ "$e2" -gt "$e1" ] && [ "$e3" = "$rs" ] ||
	fail "the lines at the cursor times are $e1, $e2, $e3 (wanted 3, after it, $rs)"
start "$WDB" TERM=xterm-256color LC_ALL=C.UTF-8
keys 4
wait_for '^── dmesg\.txt  source 1, 326 lines, dmesg, clock monotonic'
at "$t1"
wait_selected "^ +$e1 +[0-9:.]+ "
keys '>'
wait_selected "^ +$e2 +[0-9:.]+ "
at "$t3"
wait_selected "^▸ +$e3 +[0-9:.]+ INFO: task .* \[\+[0-9]+ lines\]$"
# And the other way: a line selected puts the cursor at its time.
keys k
sel=$(selected | awk '{ print $2 }')
[ -n "$sel" ] && [ "$(cursor)" = "$sel" ] || fail "the cursor ($(cursor)) is not at the selected line's time ($sel)"
quit
exit 0
