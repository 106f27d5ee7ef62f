#!/usr/bin/env bash
# Colour and sparklines of the text report: colour only on a terminal (a
# real pseudo-terminal, from script(1)) unless --color says otherwise, never
# with NO_COLOR set and non-empty or TERM=dumb, never into a file; SGR
# sequences come only from the report's own code; the sparklines are block
# elements in a UTF-8 locale and ASCII otherwise.
. "$(dirname "$0")/lib.sh"

ESC=$'\033'
command -v script >/dev/null || { echo "skipped: no script(1)"; exit 0; }

# on_tty FILE ENV... -- ARGS...: mmtriage ARGS run on a pseudo-terminal
# with the environment ENV, its output in FILE.
on_tty() {
	local file=$1 cmd
	shift
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	printf -v cmd '%q ' "$MMT" "$@"
	env "${envs[@]}" script -qec "$cmd" /dev/null </dev/null >"$file" 2>&1 ||
		fail "mmtriage $* on a terminal failed"
}

has_esc() { grep -q "$ESC" "$1"; }

# --color=always: the severity word wrapped in red, the headings bold.
expect_ok report --color=always "$SAMPLE"
grep -q "${ESC}\[31mCRITICAL${ESC}\[0m" "$OUT" || fail "--color=always: CRITICAL not red"
grep -q "^${ESC}\[1mDiagnosis" "$OUT" || fail "--color=always: heading not bold"
expect_ok report --color=always --brief "$SAMPLE"
grep -q "${ESC}\[31mCRITICAL${ESC}\[0m" "$OUT" || fail "--color=always --brief: CRITICAL not red"

# Not a terminal (a pipe here), --color=never, -o FILE: none.
expect_ok report "$SAMPLE"
has_esc "$OUT" && fail "a pipe got colour"
expect_ok report --color=never "$SAMPLE"
has_esc "$OUT" && fail "--color=never gave colour"
run 2 report --color=sometimes "$SAMPLE"
err_has "auto, always or never"

# On a pseudo-terminal: colour by default, none with NO_COLOR or TERM=dumb,
# some again with an empty NO_COLOR (no-color.org: only a non-empty value).
on_tty "$T/tty" TERM=xterm -- report "$SAMPLE"
grep -q "${ESC}\[31mCRITICAL${ESC}\[0m" "$T/tty" || fail "a terminal got no colour"
on_tty "$T/tty" TERM=xterm NO_COLOR=1 -- report --color=auto "$SAMPLE"
grep -q CRITICAL "$T/tty" || fail "NO_COLOR: no report on the terminal"
has_esc "$T/tty" && fail "NO_COLOR=1 on a terminal gave colour"
on_tty "$T/tty" TERM=xterm NO_COLOR= -- report "$SAMPLE"
has_esc "$T/tty" || fail "an empty NO_COLOR turned colour off"
on_tty "$T/tty" TERM=dumb -- report "$SAMPLE"
has_esc "$T/tty" && fail "TERM=dumb got colour"
on_tty "$T/tty" TERM=xterm NO_COLOR=1 -- report --color=always "$SAMPLE"
has_esc "$T/tty" || fail "--color=always lost to NO_COLOR"
# -o FILE from a terminal: the file has none.
on_tty "$T/tty" TERM=xterm -- report -o "$T/file.txt" "$SAMPLE"
grep -q CRITICAL "$T/file.txt" || fail "-o wrote no report"
has_esc "$T/file.txt" && fail "-o FILE got colour"

# Hostile task names (escape sequences in comms) with colour on: the only
# escapes left are the report's own SGR sequences.
expect_ok report --color=always --lenient "$SAMPLES/hostile-comm/dmesg-raw-noescape.txt"
grep -q "${ESC}\[31m" "$OUT" || fail "hostile: no colour at all"
sed -E "s/${ESC}\[(0|1|31|33|36)m//g" "$OUT" | grep -q "$ESC" &&
	fail "hostile: an escape sequence other than the report's own"

# Sparklines: a capture with series, in the C locale and in C.UTF-8.
DB=$T/swap.db
expect_ok ingest -q -d "$DB" "$SAMPLES/capture-memcg-swap-oom/capture.tar.xz"
sparks() { awk '/^Over time$/ { o = 1; next } /^[A-Z]/ { o = 0 } o && /^  [a-zA-Z]/' "$1"; }
LC_ALL=C "$MMT" report -d "$DB" >"$T/c.txt" || fail "report in the C locale failed"
sparks "$T/c.txt" >"$T/c-sparks"
[ "$(wc -l <"$T/c-sparks")" -ge 8 ] || fail "C locale: fewer than 8 sparkline lines"
LC_ALL=C grep -q '[^ -~]' "$T/c-sparks" && fail "C locale: a byte outside ASCII in a sparkline"
grep -qE '^  swap used +[.:=+*#%@-]+ ' "$T/c-sparks" || fail "C locale: no ASCII swap sparkline"
if locale -a 2>/dev/null | grep -qix 'c.utf-\?8'; then
	LC_ALL=C.UTF-8 "$MMT" report -d "$DB" >"$T/u.txt" || fail "report in C.UTF-8 failed"
	sparks "$T/u.txt" >"$T/u-sparks"
	grep -q '^  swap used  *▁.*█' "$T/u-sparks" ||
		fail "C.UTF-8: no block-element swap sparkline from bottom to top"
	grep -q '[.:=+*#%@-]\{8\}' "$T/u-sparks" && fail "C.UTF-8: an ASCII sparkline"
fi
echo ok
