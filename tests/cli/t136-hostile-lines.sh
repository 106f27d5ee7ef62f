#!/usr/bin/env bash
# Hostile lines in every output: a 64 KB task name and a 64 KB log line,
# bidi controls (U+202E, U+2066..U+2069) in a task name and in a log line,
# SQL in a task name, NUL bytes (refused, or kept as \x00 with --lenient).
# The input is the real hung-task-fsfreeze log with those substituted. Each
# format stays bounded: a task name is kept to 63 bytes (the kernel's have
# 15), an evidence line past 4096 bytes is cut with a mark in the human
# formats (JSON keeps it whole), email stays in 80 columns, the TUI cuts at
# the screen's edge; nothing raw reaches a terminal; SQL is data.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

CHECK=("$PYTHON" "$(dirname "$0")/check_hostile.py")
SQLNAME="x');DROP TABLE reports;--"
"$PYTHON" - "$SAMPLE" "$T/in.log" "$SQLNAME" <<'PY'
import sys
src, dst, sqlname = sys.argv[1], sys.argv[2], sys.argv[3].encode()
text = open(src, "rb").read()
def sub(old, new):
    global text
    assert old in text, old
    text = text.replace(old, new)
sub(b"INFO: task sh:16520 ", b"INFO: task " + b"N" * 65536 + b":16520 ")
sub(b"INFO: task dd:16532 ", b"INFO: task " + sqlname + b":16532 ")
sub(b"INFO: task mkdir:17226 ", b"INFO: task mk\xe2\x80\xaeridk\xe2\x81\xa6x\xe2\x81\xa9:17226 ")
sub(b"INFO: task touch:17225 ", b"INFO: task to\x00uch:17225 ")
sub(b"loop0: detected capacity change", b"loop0: \xe2\x80\xaedetected\xe2\x81\xa7 capacity\x00 change")
lines = text.split(b"\n")
lines.insert(1, lines[1].split(b"]")[0] + b"] " + b"L" * 65536)
open(dst, "wb").write(b"\n".join(lines))
PY

# Strict: the NUL byte is refused at its line, the database unchanged.
expect_ok ingest -q -d "$T/strict.db" "$SAMPLES/memcg-oom/dmesg.txt"
before=$(db_state "$T/strict.db")
run 1 ingest -d "$T/strict.db" "$T/in.log"
err_has '^mmtriage: .*in\.log:3: NUL byte at column [0-9]+'
[ "$(db_state "$T/strict.db")" = "$before" ] || fail "a refused file changed the database"

# --lenient: NUL kept as the four characters \x00.
DB=$T/h.db
expect_ok ingest --lenient -d "$DB" "$T/in.log"
err_has 'in\.log: 3 lines held bytes that are not UTF-8 text'
expect_ok analyze -d "$DB"
[ "$(sql "$DB" "SELECT comm FROM reports WHERE pid = 17225 LIMIT 1")" = 'to\x00uch' ] ||
	fail "the NUL byte of a name not kept as \\x00"
[ "$(sql "$DB" "SELECT count(*) FROM reports WHERE pid = 16520 AND length(comm) = 63 AND comm NOT GLOB '*[^N]*'")" = 2 ] ||
	fail "the 64 KB name not kept as its first 63 bytes"
[ "$(sql "$DB" "SELECT max(length(text)) FROM log_lines")" -gt 65536 ] || fail "the 64 KB line was cut in the store"
# SQL in a name is data: stored as written, the table it names still there.
[ "$(sqlite3 "$DB" "SELECT count(*) FROM reports WHERE comm = 'x'');DROP TABLE reports;--'")" = 2 ] ||
	fail "the name holding SQL not stored as written"

sqlite3 "$DB" "SELECT hex(comm) FROM reports WHERE comm IS NOT NULL AND comm != ''
	UNION SELECT hex(name) FROM finding_subjects WHERE type = 'task'" >"$T/names"
longest() { awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$1"; }
for fmt in text markdown email html; do
	expect_ok report -d "$DB" -f "$fmt" -o "$T/r.$fmt"
	"${CHECK[@]}" "$fmt" "$T/r.$fmt" --names "$T/names" >&2 || fail "$fmt report unsafe"
	grep -q 'N \[\.\.\. 61[0-9]* more bytes\]' "$T/r.$fmt" || fail "$fmt: the 64 KB evidence line not cut with a mark"
	[ "$(longest "$T/r.$fmt")" -lt 4400 ] || fail "$fmt: a line of $(longest "$T/r.$fmt") characters"
done
grep -qF "$SQLNAME:16532" "$T/r.text" || fail "text: the SQL name not shown as written"
grep -qF 'mk\u202eridk\u2066x\u2069:17226' "$T/r.text" || fail "text: the bidi name not escaped"
grep -qF 'to\x00uch:17225' "$T/r.text" || fail "text: the NUL of a name not shown as \\x00"
# JSON keeps the whole line and every name's bytes.
expect_ok report -d "$DB" -f json -o "$T/r.json"
"${CHECK[@]}" json "$T/r.json" --names "$T/names" >&2 || fail "json report unsafe"
"$PYTHON" - "$T/r.json" "$SQLNAME" <<'PY' || fail "json: lines or names not given back"
import json, sys
d = json.load(open(sys.argv[1]))
ev = [e["text"] for f in d["findings"] for e in f["evidence"]]
assert "INFO: task " + "N" * 65536 + ":16520 blocked for more than 10 seconds." in ev, [len(e) for e in ev]
comms = {r["comm"] for r in d["reports"]}
assert {sys.argv[2], "mk\u202eridk\u2066x\u2069", "to\\x00uch", "N" * 63} <= comms, comms
PY

# sql: the cells escaped.
expect_ok sql -d "$DB" "SELECT text FROM log_lines WHERE text LIKE '%capacity%'"
out_has '^loop0: \\u202edetected\\u2067 capacity\\x00 change from 0 to 2097152 *$'
"${CHECK[@]}" text "$OUT" >&2 || fail "sql output unsafe"

# A text trace naming a task with 64 KB, and one with an escape sequence
# and bidi controls (as a task and in a field): the long name kept to 63
# bytes, replay bounded and escaped.
"$PYTHON" - "$MMT_SOURCE_DIR/tests/data/trace_text/trace-noirqinfo.txt" "$T/trace.txt" <<'PY'
import sys
text = open(sys.argv[1], "rb").read()
def sub(old, new):
    global text
    assert old in text, old
    text = text.replace(old, new, 1)
sub(b"            grep-482     [001]   7838.290908:", b"            " + b"G" * 65536 + b"-482     [001]   7838.290908:")
sub(b"            bash-481     [001]   7838.290911: sched_switch: prev_comm=bash ",
    b"       b\x1b[2J\xe2\x80\xaeh-481     [001]   7838.290911: sched_switch: prev_comm=b\x1b[2J\xe2\x81\xa6h ")
open(sys.argv[2], "wb").write(text)
PY
expect_ok ingest -q -d "$T/trace.db" "$T/trace.txt"
[ "$(sql "$T/trace.db" "SELECT max(length(comm)) FROM trace_comms")" = 63 ] || fail "a trace's 64 KB name not kept to 63 bytes"
expect_ok replay -d "$T/trace.db"
[ "$(longest "$OUT")" -lt 400 ] || fail "replay: a line of $(longest "$OUT") characters"
"${CHECK[@]}" text "$OUT" >&2 || fail "replay output unsafe"
out_has '^ +b\\x1b\[2J\\u202eh-481 +\[001\] 7838\.290911: sched_switch: +prev_comm=b\\x1b\[2J\\u2066h '

# The TUI: the 64 KB line one row cut at the edge, the next line below it;
# bidi controls escaped; the long name's report within the row.
start "$DB" TERM=xterm-256color LC_ALL=C.UTF-8
wait_for 'Diagnosis: fs_freeze'
keys 4
wait_for '^ +2 +742\.591681 L{90,}$'
wait_for '^ +3 +742\.591681 loop0: \\u202edetected\\u2067 capacity\\x00 change'
wait_for '^▸ +6 +762\.932610 INFO: task N{60,}'
wait_for 'INFO: task mk\\u202eridk\\u2066x\\u2069:17226 blocked'
tm capture-pane -p -e | LC_ALL=C grep -aq $'\xe2\x80\xae\|\xe2\x81[\xa6-\xa9]' &&
	fail "a raw bidi control reached the terminal"
screen | "$PYTHON" -c 'import sys
rows = sys.stdin.buffer.read().decode().split("\n")
sys.exit(max(len(r) for r in rows) > 120)' || fail "a row wider than the screen"
quit
echo ok
