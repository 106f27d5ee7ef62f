#!/usr/bin/env bash
# Readers while an ingest writes the database. First, a write transaction
# held by another process: `mmtriage sql` answers at once from the last
# commit, without the uncommitted row; `report -d` and `ingest`, which
# write, wait for it however long it lasts (past SQLite's 5 s), say so and
# succeed; Ctrl-C stops a wait. Processes creating one new database
# together all succeed, four of them with one file stored once. Then a
# writer ingests the inputs of lib_inputs.sh one process each, then again
# and again with --force (a source deleted and rewritten in one
# transaction), while `mmtriage sql` checks each source's count of records
# against its rows, `mmtriage report -d` writes JSON reports, and the TUI
# re-reads the database (R) and goes through its views: no reader fails,
# none sees part of a source (check_readers.py), and the database ends as
# one clean ingest makes it. MMT_READERS_ROUNDS sets the writer's rounds
# (default 6).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_inputs.sh"
. "$(dirname "$0")/lib_tui.sh"

ROUNDS=${MMT_READERS_ROUNDS:-6}
# On the way out, the writer and readers too (with the command each runs).
stop_jobs() {
	local j
	for j in $(jobs -p); do
		pkill -P "$j" 2>/dev/null
		kill "$j" 2>/dev/null
	done
	wait 2>/dev/null
}
# Only the test's own shell cleans up: a background subshell that ends must
# not take the test's directory with it.
trap '[ "$BASHPID" = "$$" ] || exit; stop_jobs; for s in "$T"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
# What the TUI says when a read failed ("blocked" tasks in a view are not that).
TUI_FAILED='Cannot|database is locked'
IN=$T/in
make_inputs "$IN"
mkdir -p "$T/tmp"
export TMPDIR=$T/tmp
LOG1=$IN/logs/hung-task-fsfreeze.txt
# The writer's first round, in this order: a kernel log (the readers start
# on it), then the rest, the trees among them.
ITEMS=("$LOG1" "$IN/captures/capture-memcg-swap-oom" "$IN/traces/trace-memcg-reclaim.dat"
	"$IN/traces/trace-stack-x60.txt" "$IN/logs/memcg-oom.txt" "$IN"/captures/sosreport-vm-*
	"$IN/traces/cpu-clock-callchains-ns.txt" "$IN/logs/writeback-stuck-loop.txt"
	"$IN/captures/lockdep-abba.tar.xz")
WAITING='another process is writing this database; waiting for it to finish \(Ctrl-C to stop\)$'

# hold_write DB SECONDS: another process holds the write lock for SECONDS,
# with a source row it never commits; returns once the lock is held.
hold_write() {
	rm -f "$T/held"
	"$PYTHON" - "$1" "$2" "$T/held" <<-'EOF' &
	import sqlite3, sys, time
	db = sqlite3.connect(sys.argv[1], isolation_level=None)
	db.execute("BEGIN IMMEDIATE")
	db.execute("INSERT INTO sources (path, kind, sha256, size, ingested_at) "
	           "VALUES ('uncommitted', 'kernel_log', 'x', 0, 'now')")
	open(sys.argv[3], "w").close()
	time.sleep(float(sys.argv[2]))
	db.execute("ROLLBACK")
	EOF
	HOLDER=$!
	for _ in $(seq $((100 * SLOW))); do [ -e "$T/held" ] && return; sleep 0.1; done
	fail "the lock holder never took the lock"
}

# --- a write transaction held by another process
DB=$T/held.db
expect_ok ingest -q -d "$DB" "$LOG1"
hold_write "$DB" 7
expect_ok sql -d "$DB" --csv "SELECT count(*) AS n FROM sources"
kill -0 "$HOLDER" 2>/dev/null || fail "sql waited for the writer to end"
[ "$(sed -n 2p "$OUT")" = 1 ] || fail "sql saw $(sed -n 2p "$OUT") sources, not the 1 committed"
expect_ok report -d "$DB" -f json -o "$T/held.json"
err_has "held.db: $WAITING"
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(len(d["sources"]) != 1 or not d["reports"])' \
	"$T/held.json" || fail "the report made after the wait does not hold the one source"
wait "$HOLDER"
hold_write "$DB" 7
expect_ok ingest -q -d "$DB" "$IN/logs/memcg-oom.txt"
err_has "held.db: $WAITING"
wait "$HOLDER"
[ "$(sql "$DB" "SELECT count(*) FROM sources")" = 2 ] || fail "the waiting ingest did not add its source"
# Ctrl-C while waiting: the ingest stops, saying why.
# The holder outlasts the poll: a loaded machine under ASan may take many
# seconds to reach the wait, and a Ctrl-C sent before it tests nothing.
hold_write "$DB" 150
"$MMT" ingest -q -d "$DB" "$IN/logs/writeback-stuck-loop.txt" >"$OUT" 2>"$ERR" &
pid=$!
for _ in $(seq 1200); do grep -q waiting "$ERR" && break; sleep 0.1; done
grep -q waiting "$ERR" || fail "the ingest never said it was waiting for the writer"
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
[ "$rc" -eq 130 ] || fail "ingest exited $rc after Ctrl-C during its wait, expected 130"
err_has "writeback-stuck-loop.txt: .*another process is writing the database \(gave up after waiting [0-9]+ s"

# --- processes creating one new database together, four of them with one
# file (each finds it absent, then only one may store it)
DB=$T/new.db
n=0
for f in "$IN"/logs/* "$LOG1" "$LOG1" "$LOG1"; do
	n=$((n + 1))
	"$MMT" ingest -d "$DB" "$f" >"$T/new.$n.out" 2>&1 &
done
rc=0
for pid in $(jobs -p); do wait "$pid" || rc=$?; done
cat "$T"/new.*.out >"$OUT"
[ "$rc" -eq 0 ] || fail "an ingest into the new database exited $rc"
[ "$(sql "$DB" "SELECT count(*) FROM sources")" = 3 ] || fail "not the 3 sources in the new database"
[ "$(grep -c "hung-task-fsfreeze.txt: kernel_log" "$OUT")" = 1 ] ||
	fail "the file four processes ingested at once was stored other than once"
[ "$(grep -c "hung-task-fsfreeze.txt: already ingested as source" "$OUT")" = 3 ] ||
	fail "the three later ingests of one file did not say it was there"

# --- readers while a writer ingests
REF=$T/ref.db
for item in "${ITEMS[@]}"; do expect_ok ingest -q -d "$REF" "$item"; done
DB=$T/case.db
expect_ok ingest -q -d "$DB" "$LOG1"

# One statement, so one snapshot: sources and records, the sources whose
# recorded count differs from the rows present, the trees without all the
# sources they account for.
CONSISTENCY="SELECT count(*) AS sources, total(records) AS records,
  total(records != CASE
    WHEN kind = 'kernel_log' THEN (SELECT count(*) FROM log_lines l WHERE l.source_id = s.id)
    WHEN kind = 'slab_aliases' THEN
      (SELECT count(*) FROM slab_attrs a WHERE a.source_id = s.id) +
      (SELECT count(*) FROM slab_aliases a WHERE a.source_id = s.id)
    WHEN kind IN ('trace_dat', 'trace_text', 'perf_script') THEN
      (SELECT count(*) FROM events e WHERE e.source = s.id)
    ELSE (SELECT count(*) FROM snapshots n WHERE n.source_id = s.id) END) AS torn,
  (SELECT count(*) FROM trees t WHERE
    (SELECT count(*) FROM tree_files f WHERE f.tree_id = t.id AND f.status = 'ingested') !=
    (SELECT count(*) FROM sources x WHERE x.tree_id = t.id)) AS torn_trees
FROM sources s"

note_failure() { echo "$*" >>"$T/failed"; }
ingest_item() {
	"$MMT" ingest -q -d "$DB" "$@" >>"$T/writer.out" 2>>"$T/writer.err" ||
		note_failure "ingest $* exited $?"
}
writer() {
	local round f
	for f in "${ITEMS[@]:1}"; do ingest_item "$f"; done
	for round in $(seq 2 "$ROUNDS"); do
		for f in "$IN"/logs/* "$IN"/traces/*; do ingest_item --force "$f"; done
	done
	touch "$T/writer.done"
}
sql_reader() {
	until [ -e "$T/writer.done" ]; do
		"$MMT" sql -d "$DB" --csv "$CONSISTENCY" >>"$T/sql.csv" 2>>"$T/readers.err" ||
			note_failure "sql exited $?"
	done
}
report_reader() {
	local n=0
	until [ -e "$T/writer.done" ]; do
		n=$((n + 1))
		"$MMT" report -d "$DB" -f json -o "$T/report.$n.json" 2>>"$T/readers.err" ||
			note_failure "report $n exited $?"
	done
}
# tui_reread: R in the Events view; the status it gave and the count it shows.
tui_reread() {
	keys 4
	keys 3
	keys R
	wait_for "Re-read the database\\.|$TUI_FAILED"
	! screen | grep -Eq "$TUI_FAILED" || { screen >&2; fail "the TUI could not re-read"; }
	screen | sed -nE 's/^Events: ([0-9]+) in ([0-9]+) traces?.*/\2 \1/p' >>"$T/tui.events"
}

writer &
WRITER=$!
sql_reader &
SQL=$!
report_reader &
REPORT=$!
start "$DB"
keys 3
wait_for '^Events: [0-9]+ in'
tours=0
until [ -e "$T/writer.done" ]; do
	tui_reread
	# The other views; the Tasks view at a time inside the trace of
	# capture-memcg-swap-oom builds its replay checkpoints, a write that
	# waits a few seconds for the ingest's and may give up (it then replays
	# the trace from its start).
	for v in 1 5 6 2; do keys "$v"; done
	at 1795309480
	! screen | grep -Eq "$TUI_FAILED" || { screen >&2; fail "a TUI view failed"; }
	tours=$((tours + 1))
done
wait "$WRITER" "$SQL" "$REPORT"
tui_reread
quit
if [ -e "$T/failed" ]; then
	cat "$T/writer.err" "$T/readers.err" >"$ERR"
	fail "$(head -5 "$T/failed")"
fi
if grep -Ev "$WAITING" "$T/readers.err" >"$ERR"; then fail "readers said more than that they waited"; fi
if grep -E 'locked|gave up' "$T/writer.err" >"$ERR"; then fail "the writer gave up on a lock"; fi
"$PYTHON" "$(dirname "$0")/check_readers.py" "$REF" "$DB" "$T" >"$OUT" ||
	fail "a reader saw part of a source"
[ "$tours" -ge 2 ] || fail "the TUI went through its views $tours times during the ingest"
echo "$(cat "$OUT"); $tours tours of the TUI's views"
echo ok
