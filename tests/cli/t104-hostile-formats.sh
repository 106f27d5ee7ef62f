#!/usr/bin/env bash
# Reports on hostile input, in every format: samples/capture-hostile (task
# names and cgroup names with HTML, escape sequences, Markdown, invalid
# UTF-8 and bidi controls, in the kernel log and the trace, a forged
# hung-task header of '<' and '&') and every kernel-log file of
# samples/hostile-comm. No format may carry a control sequence, markup made
# of input, invalid UTF-8 or raw bidi controls; each hostile name must still
# be recognisable (check_hostile.py says how each format shows it); email
# stays within 80 columns (long lines are wrapped at spaces, and cut at the
# column where a word is longer: nothing is dropped); JSON gives the stored
# bytes back (invalid UTF-8 as the four characters \xNN).
. "$(dirname "$0")/lib.sh"

# The checker renders the Markdown report with cmark-gfm and Python-Markdown
# (bootstrap installs both).
"$PYTHON" -c 'import markdown' 2>/dev/null ||
	fail "$PYTHON has no markdown module (bootstrap installs python3-markdown)"
command -v cmark-gfm >/dev/null || fail "no cmark-gfm (bootstrap installs it)"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
CHECK=("$PYTHON" "$(dirname "$0")/check_hostile.py")

# names DB: the hex of every task name the store holds for a report or a
# finding's subject, one a line (sqlite3 reads the bytes, unescaped).
names() {
	sqlite3 "$1" "SELECT hex(comm) FROM reports WHERE comm IS NOT NULL AND comm != ''
		UNION SELECT hex(name) FROM finding_subjects WHERE type = 'task'" >"$T/names"
	[ -s "$T/names" ] || fail "$1: no task names"
}

# formats DB LABEL [--placed]: every format and the brief forms, checked.
formats() {
	local db=$1 label=$2 fmt
	shift 2
	names "$db"
	for fmt in text markdown email json; do
		expect_ok report -d "$db" -f "$fmt" -o "$T/$label.$fmt"
		"${CHECK[@]}" "$fmt" "$T/$label.$fmt" --names "$T/names" "$@" >&2 ||
			fail "$label: $fmt report unsafe or incomplete"
	done
	for fmt in text markdown email; do
		expect_ok report --brief -d "$db" -f "$fmt" -o "$T/$label.brief.$fmt"
		"${CHECK[@]}" "$fmt" "$T/$label.brief.$fmt" >&2 || fail "$label: brief $fmt report unsafe"
	done
	expect_ok report -d "$db" -f text --color=always -o "$T/$label.color"
	grep -q $'\x1b\\[' "$T/$label.color" || fail "$label: --color=always without colour"
	# The report's own colours (SGR) are the only escape sequences allowed.
	sed -E $'s/\x1b\\[[0-9;]*m//g' "$T/$label.color" >"$T/$label.nocolor"
	"${CHECK[@]}" text "$T/$label.nocolor" --names "$T/names" >&2 ||
		fail "$label: coloured text report unsafe or incomplete"
	HTML_DBS+=("$db $label")
}

# html DB LABEL: the HTML report, checked after the other formats.
html() {
	names "$1"
	"$MMT" report -d "$1" -f html -o "$T/$2.html" >"$OUT" 2>"$ERR" ||
		fail "$2: mmtriage report -f html failed (the HTML format is required)"
	"${CHECK[@]}" html "$T/$2.html" --names "$T/names" --script-from "$T/benign.html" >&2 ||
		fail "$2: HTML report unsafe or incomplete"
}
HTML_DBS=()

# --- samples/capture-hostile: the diagnosis is the frozen filesystem.
CAP=$SAMPLES/capture-hostile
DB=$T/cap.db
expect_ok ingest -q -d "$DB" "$CAP/capture.tar.xz"
expect_ok analyze -d "$DB"
[ "$(sql "$DB" "SELECT hang_class FROM diagnosis")" = fs_freeze ] || fail "capture: not fs_freeze"
[ "$(sql "$DB" "SELECT count(*) FROM reports WHERE kind = 'hung_task'")" = 11 ] ||
	fail "capture: 10 hung-task reports and the forged one expected"
formats "$DB" capture --placed

# Names reach the reports as the kernel and the trace gave them: those
# from the trace (the readers) with their raw bytes, invalid byte included.
"$PYTHON" - "$T/capture.json" "$CAP/run-info.txt" <<'PY' || fail "capture: JSON names"
import json, re, sys
d = json.load(open(sys.argv[1]))
info = open(sys.argv[2]).read()
raw = {m[0]: bytes.fromhex(m[1]) for m in re.findall(r"^r \d+ (\S+) pid=\d+ comm-hex=(\w+)", info, re.M)}
hog = bytes.fromhex(re.search(r"comm hex (\w+)", info).group(1))
subj = {t["comm"] for f in d["findings"] for t in f["subjects"]["tasks"]}
ev = " ".join(e["text"] for f in d["findings"] for e in f["evidence"])
for label, b in raw.items():
    s = b.decode("utf-8", errors="backslashreplace")
    assert s in subj, (label, s, subj)
    assert s + "-" in ev, (label, s)
assert raw["pipe-sgr-bad"].decode("utf-8", "backslashreplace") == "rd\\xfe|\x1b[7m|"
assert hog.decode() in d["diagnosis"]["verdict"], d["diagnosis"]["verdict"]
assert "/mmtriage-capture-hostile/<img src=x onerror=alert(1)><svg><script>" in d["diagnosis"]["verdict"]
comms = {r["comm"] for r in d["reports"]}
assert "evil\u202etxt.sh" in comms and "\u2067rtl\u2069\u200f" in comms, comms
PY
# Raw bytes in the JSON text: none but as escapes.
LC_ALL=C grep -q $'\xe2\x80\xae' "$T/capture.json" && fail "capture: raw U+202E in JSON"

# The same run's log with its raw bytes (dmesg --noescape): --lenient.
expect_ok ingest -q --lenient -d "$T/cap-raw.db" "$CAP/dmesg-noescape.txt"
expect_ok analyze -d "$T/cap-raw.db"
formats "$T/cap-raw.db" capture-raw

# --- samples/hostile-comm: each kernel-log file, escaped or raw.
n=0
for f in "$SAMPLES"/hostile-comm/*.txt; do
	case $f in */tasks.txt | */run-info.txt) continue ;; esac
	label=hostile-$(basename "$f" .txt)
	expect_ok ingest -q --lenient -d "$T/$label.db" "$f"
	expect_ok analyze -d "$T/$label.db"
	formats "$T/$label.db" "$label"
	n=$((n + 1))
done
[ "$n" -ge 12 ] || fail "only $n hostile-comm files"

# The HTML report of the default sample: its scripts (if any) are the
# report's own.
expect_ok report -f html -o "$T/benign.html" "$SAMPLE"
for x in "${HTML_DBS[@]}"; do
	html "${x% *}" "${x##* }"
done
# The name shows escaped: the text of an element, not one.
grep -q '&lt;script&gt;alert(1' "$T/capture.html" || fail "capture: <script> in a name not escaped in HTML"
echo ok
