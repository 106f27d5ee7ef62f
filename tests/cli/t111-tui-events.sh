#!/usr/bin/env bash
# The Events view in a real terminal (tmux): every event in the order of
# `mmtriage sql`'s ORDER BY ts, id, a page at a time; paging, the end and
# the start; filters by name, CPU, task and SQL expressions over an event's
# fields (a write refused); search as `mmtriage replay` prints the fields,
# with n/N; a jump from a finding's evidence; the time cursor moving the
# selection and the selection moving the cursor; two traces merged by time;
# a capture's wall-clock times; hostile task names escaped; 80x24.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

# The list's lines in 120x40: 40 less the frame's title, help bar and
# status, and the view's header, column titles, separator and 2 detail lines.
ROWS=32
# The widths of the task and event columns (they are cut to them).
TASK_W=24
EVENT_W=30
TIME_SQL="printf('%.6f', ts)"
WALL_SQL="strftime('%H:%M:%S', ts, 'unixepoch') || printf('.%06d', CAST((ts - CAST(ts AS INTEGER)) * 1e6 AS INTEGER))"

# want DB N OFFSET [WHERE]: "time cpu task event" of events in the view's order.
want() {
	"$MMT" sql -d "$1" --csv "SELECT $TIME_SQL || ' ' || cpu || ' ' ||
		substr(ifnull(comm, '<...>') || ':' || pid, 1, $TASK_W) || ' ' ||
		substr(name, 1, $EVENT_W) AS r FROM events WHERE ${4:-1} ORDER BY ts, id
		LIMIT $2 OFFSET $3" | sed 1d
}
# id_at DB OFFSET [WHERE]: the id of the event at that place of the order.
id_at() { sql "$1" "SELECT id FROM events WHERE ${3:-1} ORDER BY ts, id LIMIT 1 OFFSET $2"; }
# shown N: the list's first N lines as "time cpu task event".
shown() { screen | sed -n "4,$((3 + $1))p" | awk '{ print $1, $2, $3, $4 }'; }
# rows_are DB N OFFSET [WHERE]: the list shows those events from its top line.
rows_are() {
	local w s n
	w=$(want "$@")
	[ -n "$w" ] || fail "no events for $*"
	n=$(printf '%s\n' "$w" | wc -l)
	for _ in $(seq $((100 * SLOW))); do
		s=$(shown "$n")
		[ "$s" = "$w" ] && return 0
		sleep 0.1
	done
	screen >&2
	diff <(printf '%s\n' "$w") <(printf '%s\n' "$s") >&2
	fail "the list is not the $2 events from $3 where ${4:-1}"
}
# on_event ID: the details show the selected event ID.
on_event() { wait_for "event #$1, "; }
# filter TEXT: replaces the filter (the prompt starts with the old one).
filter() {
	keys f
	tm send-keys -N 100 BSpace
	if [ -n "$1" ]; then keys -l "$1"; fi
	keys Enter
}

analyzed memcg "$SAMPLES/trace-memcg-reclaim/trace.dat"
DB=$T/memcg.db
TOTAL=$(sql "$DB" "SELECT count(*) FROM events")
[ "$TOTAL" = 47250 ] || fail "the sample has 47250 events, not $TOTAL"

TUI_VIEW=3 start "$DB"
wait_for "^Events: 47250 in 1 trace"
wait_for '^TIME +CPU TASK +EVENT +FIELDS'
rows_are "$DB" $ROWS 0
on_event "$(id_at "$DB" 0)"
# The selected event's fields in full, as replay prints them.
first_fields=$("$MMT" replay -d "$DB" | head -1 | sed 's/^.*: [a-z_]*: *//' | cut -c1-100)
wait_for "^${first_fields:0:60}"
# A page down: the next 32 events, the selection on the same line.
keys NPage
rows_are "$DB" $ROWS $ROWS
on_event "$(id_at "$DB" $ROWS)"
keys j
on_event "$(id_at "$DB" $((ROWS + 1)))"
# The selection moves the cursor to its event's time.
wait_for "cursor $(sql "$DB" "SELECT $TIME_SQL FROM events ORDER BY ts, id LIMIT 1 OFFSET $((ROWS + 1))")\$"
keys k k
on_event "$(id_at "$DB" $((ROWS - 1)))"
rows_are "$DB" $ROWS $((ROWS - 1))
# The end, and back to the start.
keys End
on_event "$(id_at "$DB" $((TOTAL - 1)))"
rows_are "$DB" $ROWS $((TOTAL - ROWS))
keys PPage
rows_are "$DB" $ROWS $((TOTAL - 2 * ROWS))
keys Home
rows_are "$DB" $ROWS 0
on_event "$(id_at "$DB" 0)"

# Filters: by name (from the selected event on), by CPU, by task, both.
filter sched_switch
wait_for 'filter: sched_switch'
rows_are "$DB" $ROWS 0 "name = 'sched_switch'"
keys NPage
rows_are "$DB" $ROWS $ROWS "name = 'sched_switch'"
filter cpu=1
keys Home
rows_are "$DB" $ROWS 0 "cpu = 1"
keys End
n1=$(sql "$DB" "SELECT count(*) FROM events WHERE cpu = 1")
rows_are "$DB" $ROWS $((n1 - ROWS)) "cpu = 1"
filter 'comm=kworker*'
keys Home
rows_are "$DB" $ROWS 0 "comm GLOB 'kworker*'"
filter 'mm_vmscan_memcg_reclaim_begin comm=dd'
keys Home
rows_are "$DB" $ROWS 0 "name = 'mm_vmscan_memcg_reclaim_begin' AND comm = 'dd'"
filter 'mm_vmscan_* pid=27088'
keys Home
rows_are "$DB" $ROWS 0 "name LIKE 'mm\_vmscan\_%' ESCAPE '\\' AND pid = 27088"
# An SQL expression over the events view, and one over an event's own
# fields (order is a keyword: quoted for the user).
filter 'cpu = 0 AND comm GLOB '"'"'kworker*'"'"
keys Home
rows_are "$DB" $ROWS 0 "cpu = 0 AND comm GLOB 'kworker*'"
filter 'mm_vmscan_lru_isolate order = 0 AND nr_taken > 20'
keys Home
rows_are "$DB" $ROWS 0 "id IN (SELECT id FROM mm_vmscan_lru_isolate WHERE nr_taken > 20)"
# A word that names no field of the type is no column: an error.
filter 'mm_vmscan_lru_shrink_inactive order = 0'
wait_for 'Filter: near "order": syntax error'
filter 'mm_vmscan_memcg_reclaim_begin order > 0'
wait_for 'No event passes the filter'
# A filter that does not compile, or would leave its expression, keeps the old one.
filter 'nosuchcolumn > 1'
wait_for 'no such column: nosuchcolumn'
wait_for 'filter: mm_vmscan_memcg_reclaim_begin order > 0'
filter '1); DELETE FROM ev_sched_sched_switch; --'
wait_for "A '\)' without its '\('"
filter '(SELECT 1); DROP TABLE sources'
wait_for "';' is not allowed"
[ "$(sql "$DB" "SELECT count(*) FROM events")" = "$TOTAL" ] || fail "a filter wrote to the database"
filter ''
wait_for 'No filter'
screen | grep -q 'filter:' && fail "the header still shows a filter"
keys Home
rows_are "$DB" $ROWS 0

# Search: the next event whose task, name or fields (as replay prints them) hold it.
"$MMT" replay -d "$DB" >"$T/replay.txt"
# match TEXT N: the id of the Nth event whose replay line holds TEXT in any case.
match() { id_at "$DB" $(($(grep -in -- "$1" "$T/replay.txt" | sed -n "$2p" | cut -d: -f1) - 1)); }
m1=$(match NOFAIL 1)
m2=$(match NOFAIL 2)
[ "$m1" != "$m2" ] || fail "no second NOFAIL"
# As the text is typed, the first match of what is typed so far.
keys / nof
on_event "$(match nof 1)"
keys -l AIL
keys Enter
on_event "$m1"
wait_for "search: nofAIL"
keys n
on_event "$m2"
keys N
on_event "$m1"
keys / zzzq Enter
wait_for 'no match after the selection'
on_event "$m1"
# Esc leaves the search where it began.
keys / dd Escape
on_event "$m1"

# A jump from the finding's first event evidence lands on that event.
ev=$(sql "$DB" "SELECT e.event_id FROM finding_evidence e JOIN findings f ON f.id = e.finding_id
	WHERE e.idx = 1 ORDER BY f.score DESC, f.id LIMIT 1")
[ -n "$ev" ] || fail "the memcg reclaim finding has no event evidence"
keys 1
wait_for 'Diagnosis:'
keys l j Enter
wait_for '\[3 Events\]'
on_event "$ev"
# The cursor 1 ms on: the first event at or after it.
keys ']'
on_event "$(sql "$DB" "SELECT id FROM events WHERE ts >= (SELECT ts FROM events WHERE id = $ev) + 0.001
	ORDER BY ts, id LIMIT 1")"
# Enter: the selected event's task in Tasks at its time; q comes back to it.
after=$(screen | grep -o 'event #[0-9]*, ')
keys Enter
wait_for '\[2 Tasks\]'
keys q
wait_for '\[3 Events\]'
wait_for "$after"
keys q
wait_for '\[1 Findings\]'
quit

# Two traces of the same recording: merged by time, then id.
analyzed two "$MMT_SOURCE_DIR/tests/data/trace/inst-v7.dat" \
	"$MMT_SOURCE_DIR/tests/data/trace/inst-v6.dat"
DB2=$T/two.db
TUI_VIEW=3 start "$DB2"
wait_for 'in 2 traces'
rows_are "$DB2" $ROWS 0
keys NPage NPage
rows_are "$DB2" $ROWS $((2 * ROWS))
keys j
on_event "$(id_at "$DB2" $((2 * ROWS + 1)))"
keys End
n2=$(sql "$DB2" "SELECT count(*) FROM events")
rows_are "$DB2" $ROWS $((n2 - ROWS))
keys PPage
rows_are "$DB2" $ROWS $((n2 - 2 * ROWS))
filter 'cpu=0'
keys Home NPage
rows_are "$DB2" $ROWS $ROWS "cpu = 0"
# The cursor put at a time: the first event at or after it, of either trace.
at=$(sql "$DB2" "SELECT printf('%.4f', ts) || '5' FROM events ORDER BY ts, id LIMIT 1 OFFSET 1000")
filter ''
at "$at"
on_event "$(sql "$DB2" "SELECT id FROM events WHERE ts >= $at ORDER BY ts, id LIMIT 1")"
quit

# A capture's trace: times on the wall clock; the cursor moved by a second.
analyzed oom "$SAMPLES/capture-memcg-swap-oom/capture.tar.xz"
DB3=$T/oom.db
TUI_VIEW=3 start "$DB3"
TIME_SQL=$WALL_SQL
wait_for '^Events: '
keys Home j
rows_are "$DB3" $ROWS 0
second=$(id_at "$DB3" 1)
on_event "$second"
keys '>'
on_event "$(sql "$DB3" "SELECT id FROM events WHERE ts >= (SELECT ts FROM events WHERE id = $second) + 1
	ORDER BY ts, id LIMIT 1")"
keys '>'
on_event "$(sql "$DB3" "SELECT id FROM events WHERE ts >= (SELECT ts FROM events WHERE id = $second) + 2
	ORDER BY ts, id LIMIT 1")"
# 80x24: 16 lines of events, the help bar on line 23.
tm resize-window -x 80 -y 24
line23() { screen | sed -n 23p; }
shows line23 'f filter' || fail "no help bar on line 23 of 24"
TASK_W=18
EVENT_W=20
keys Home
rows_are "$DB3" 16 0
keys NPage
rows_are "$DB3" 16 16
quit

# Hostile task names (escape sequences, invalid UTF-8) are shown escaped;
# an ASCII terminal gets ASCII.
analyzed hostile "$SAMPLES/capture-hostile/capture.tar.xz"
DB4=$T/hostile.db
TUI_VIEW=3 start "$DB4" TERM=xterm LC_ALL=C
wait_for '^Events: '
filter "instr(comm, char(27)) > 0"
keys Home
wait_for '\\x1b\[2J\\x1b\[Hcls'
wait_for '\\x1b\]8;;evil\\x07hi'
tm capture-pane -p -e | LC_ALL=C grep -q $'\x1b\\[2J' && fail "a raw escape sequence reached the terminal"
screen | LC_ALL=C grep -q $'[\x80-\xff]' && fail "non-ASCII bytes on an ASCII terminal"
quit
exit 0
