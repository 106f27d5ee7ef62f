#!/usr/bin/env bash
# Task names are set by any process: the real hostile-comm sample holds raw
# ESC, OSC, CR, BS, BEL, TAB, C1 and invalid UTF-8 in the kernel's own lines.
# None may reach a terminal as a control sequence, Markdown as markup or a
# JSON reader altered; the bytes themselves stay recoverable.
. "$(dirname "$0")/lib.sh"

S=$SAMPLES/hostile-comm
raw=$S/dmesg-noescape.txt
# Strict by default: the invalid UTF-8 of one name is refused at its line.
run 1 report "$raw"
err_has "dmesg-noescape.txt:144: invalid UTF-8 byte 0xff"

controls() { LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$1" || true; }
for fmt in text markdown email json; do
	expect_ok report --lenient -f "$fmt" -o "$T/r.$fmt" "$raw"
	[ "$(controls "$T/r.$fmt")" = 0 ] || fail "$fmt report carries control bytes"
done
grep -aq 'tasks: \\x1b\[31mRED\\x1b\[0m:8366, \\x1b\]0;pwned\\x07:8367, ok\\x0d\\x08evil:8368' "$T/r.text" ||
	fail "text report does not show the names escaped"
grep -aq '&lt;script&gt;x:8372' "$T/r.markdown" || fail "HTML in a name is not escaped in Markdown"
grep -aq '\\\*bold\\\*\\\[a\\\](b)\\`:8373' "$T/r.markdown" || fail "Markdown in a name is not escaped"
LC_ALL=C grep -q '[^ -~]' "$T/r.email" && fail "email report is not ASCII"
# JSON keeps every byte recoverable (control characters as \u escapes).
python3 - "$T/r.json" <<'PY' || fail "JSON names"
import json, sys
d = json.load(open(sys.argv[1]))
names = {r["pid"]: r["comm"] for r in d["reports"]}
assert names[8366] == "\x1b[31mRED\x1b[0m", names[8366]
assert names[8367] == "\x1b]0;pwned\x07"
assert names[8368] == "ok\r\x08evil"
assert names[8369] == "tab\there"
assert names[8371] == "\x9b31mC1"
assert names[8373] == "*bold*[a](b)`"
assert names[8370] == "\\xff\\xfeinvalid"	# --lenient wrote the bad bytes as \xNN
assert len(names) == 9
PY
# The sql command escapes cells too.
expect_ok ingest -q -d "$T/h.db" --lenient "$raw"
expect_ok sql -d "$T/h.db" "SELECT comm FROM reports ORDER BY pid"
[ "$(controls "$OUT")" = 0 ] || fail "sql prints control bytes"
out_has '^\\x1b\]0;pwned\\x07'
# The /dev/kmsg form (the kernel's own escaping) reads the same reports.
expect_ok report -f json "$S/devkmsg.txt"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["reports"]) == 9 and d["sources"][0]["format"] == "devkmsg", d["sources"]' "$OUT" ||
	fail "devkmsg records"
echo ok
