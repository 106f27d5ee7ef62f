#!/usr/bin/env bash
# File names are untrusted text too: a capture copied from another machine,
# an archive's members, a glob over a directory someone else wrote. A name
# may hold escape sequences, a newline, invalid UTF-8, markup and bidi
# controls (U+202E shows "evil\u202etxt.sh" as "evilhs.txt"). Wherever a
# path reaches a terminal or a document it is escaped: ingest's account,
# every error and warning (FILE:LINE: ...), usage errors quoting an
# argument, each report format, `sql`, the TUI; the database and JSON keep
# the bytes. The input is the real hung-task-fsfreeze log under such names.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"

CHECK=("$PYTHON" "$(dirname "$0")/check_hostile.py")
# ESC ] 0 ; pwned BEL (a window title), a newline, a tab, HTML, Markdown,
# a fence of backticks, U+202E, U+2066..U+2069, an invalid byte.
HOSTILE=$(printf '%b' 'osc\033]0;pwned\007 nl\nx\ttab <script>alert(1)<b> &amp; *b* [l](u) ```t``` \342\200\256evil\342\201\246iso\342\201\251 bad\377')
D=$T/in
mkdir "$D"
LOG=$D/$HOSTILE.log
cp "$SAMPLE" "$LOG"

# hex FILE: the bytes of the name, as check_hostile.py's --paths reads them.
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; echo; }
hex "$LOG" >"$T/paths"
hex "$HOSTILE" >"$T/stem"
# safe FILE...: no control byte, raw bidi control or invalid UTF-8 in FILE,
# and the hostile name (whatever its suffix) shown escaped, by the rules of
# core/escape.c (check_hostile.py).
safe() {
	local f
	for f in "$@"; do
		"${CHECK[@]}" text "$f" --paths "$T/stem" >&2 || fail "$(basename "$f"): a path not escaped"
	done
}

# --- ingest's account, the database, sql.
DB=$T/h.db
expect_ok ingest -d "$DB" "$LOG"
safe "$OUT"
out_has '^.*osc\\x1b\]0;pwned\\x07 nl\\x0ax tab <script>.*\\u202eevil\\u2066iso\\u2069 bad\\xff\.log: kernel_log \(dmesg\): 435 lines, 12 reports$'
[ "$(sqlite3 "$DB" "SELECT hex(path) FROM sources")" = "$(tr a-f A-F <"$T/paths")" ] ||
	fail "sources.path does not hold the name's bytes"
# The table cuts long cells (with ~): only safe; CSV shows the whole name;
# JSON gives the bytes back (invalid UTF-8 as the four characters \xNN).
expect_ok sql -d "$DB" "SELECT path FROM sources"
"${CHECK[@]}" text "$OUT" >&2 || fail "sql's table unsafe"
expect_ok sql --csv -d "$DB" "SELECT path FROM sources"
safe "$OUT"
expect_ok sql --json -d "$DB" "SELECT path FROM sources"
"$PYTHON" -c 'import json, sys
want = open(sys.argv[2], "rb").read().strip()
got = json.load(open(sys.argv[1]))[0]["path"]
assert got == bytes.fromhex(want.decode()).decode("utf-8", "backslashreplace"), got' "$OUT" "$T/paths" ||
	fail "sql --json does not give the path back"
expect_ok analyze -d "$DB"
# Ingested again: "already ingested", escaped.
expect_ok ingest -d "$DB" "$LOG"
safe "$OUT"
out_has 'bad\\xff\.log: already ingested as source 1'

# --- every report format.
expect_ok report -f html -o "$T/benign.html" "$SAMPLE"
for fmt in text markdown email json html; do
	expect_ok report -d "$DB" -f "$fmt" -o "$T/r.$fmt"
	"${CHECK[@]}" "$fmt" "$T/r.$fmt" --paths "$T/paths" --script-from "$T/benign.html" >&2 ||
		fail "$fmt report: the file name unsafe or missing"
done
# Each evidence line names its file.
n=$(sql "$DB" "SELECT count(*) FROM finding_evidence WHERE line IS NOT NULL")
[ "$n" -ge 10 ] || fail "only $n evidence lines"
[ "$(grep -c '^      osc.*bad\\xff\.log:[0-9]* ' "$T/r.text")" = "$n" ] ||
	fail "text: not $n evidence lines naming the file"
grep -q '&lt;script&gt;alert(1)&lt;b&gt; &amp;amp;' "$T/r.html" || fail "html: the name's markup not escaped"

# --- errors and warnings: FILE:LINE: message, the file named escaped.
before=$(db_state "$DB")
perl -pe 's/$/\0tail/ if $. == 20' "$SAMPLE" >"$D/$HOSTILE.nul"
run 1 ingest -d "$DB" "$D/$HOSTILE.nul"
safe "$ERR"
err_has 'bad\\xff\.nul:20: NUL byte at column [0-9]+'
[ "$(db_state "$DB")" = "$before" ] || fail "a refused file changed the database"
expect_ok ingest --lenient -d "$T/lenient.db" "$D/$HOSTILE.nul"
safe "$ERR"
err_has '^mmtriage: warning: .*bad\\xff\.nul: 1 lines held bytes that are not UTF-8 text'
run 1 ingest -d "$DB" "$D/$HOSTILE.missing"
safe "$ERR"
err_has 'bad\\xff\.missing: cannot open: No such file or directory'
head -c 4096 /dev/urandom >"$D/$HOSTILE.bin"
run 1 ingest -d "$DB" "$D/$HOSTILE.bin"
safe "$ERR"
err_has 'bad\\xff\.bin: skipped: binary data'
run 1 report -d "$T/none.db" "$D/$HOSTILE.missing"
safe "$ERR"
[ "$(grep -c . "$ERR")" -ge 1 ] || fail "report on a missing file said nothing"
# Usage errors quote the argument.
run 2 ingest --as "$HOSTILE" -d "$DB" "$LOG"
safe "$ERR"
err_has "^mmtriage ingest: no parser for kind 'osc\\\\x1b\]0;pwned\\\\x07 nl\\\\x0ax"
run 2 report -f "$HOSTILE" "$LOG"
safe "$ERR"
err_has "^mmtriage report: no format 'osc\\\\x1b"
run 2 analyze -d "$DB" "$LOG"
safe "$ERR"
err_has "^mmtriage analyze: unexpected argument '.*bad\\\\xff\.log'"
run 2 help "$HOSTILE"
safe "$ERR"
err_has "^mmtriage help: no such command: 'osc\\\\x1b"
run 2 "$HOSTILE"
safe "$ERR"

# --- a capture directory under such a name: the tree's account.
CAPD=$T/cap/$HOSTILE
mkdir -p "$CAPD"
tar -xJf "$SAMPLES/capture-hostile/capture.tar.xz" -C "$CAPD"
expect_ok ingest -d "$T/cap.db" "$CAPD/capture-hostile"
safe "$OUT"
out_has 'bad\\xff/capture-hostile: capture \(tree 1\): [0-9]+ files ingested'
[ "$(sql "$T/cap.db" "SELECT count(*) FROM sources WHERE instr(path, CAST(X'E280AE' AS TEXT)) > 0")" -ge 10 ] ||
	fail "the capture's sources lost the name's bytes"

# --- the TUI: Findings' evidence and the Log view name the file escaped.
start "$DB" TERM=xterm-256color LC_ALL=C.UTF-8
wait_for 'Diagnosis: fs_freeze'
wait_for '^  osc\\x1b\]0;pwned\\x07 nl\\x0ax ta'
no_osc
tm capture-pane -p -e | LC_ALL=C grep -aq $'\xe2\x80\xae\|\xe2\x81[\xa6-\xa9]' &&
	fail "a raw bidi control reached the terminal"
# The Log view's heading: the name escaped, cut at the screen's edge.
keys 4
wait_for '^── osc\\x1b\]0;pwned\\x07 nl\\x0ax tab <script>alert\(1\)<b> &amp; \*b\* \[l\]\(u\) ```t``` \\u202eevil\\u2066iso\\u2069 bad\\xff\.log  s$'
no_osc
quit
echo ok
