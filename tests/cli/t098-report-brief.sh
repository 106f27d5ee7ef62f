#!/usr/bin/env bash
# `mmtriage report --brief`: the verdict and the top findings in under 15
# lines, in text, Markdown and email, for every capture of samples/ and the
# default sample; the email form within 80 columns; hostile task names
# escaped; not offered for JSON.
. "$(dirname "$0")/lib.sh"

# brief DB FORMAT: checks one brief report against the database it came from.
brief() {
	local db=$1 fmt=$2 cls first lines
	expect_ok report --brief -f "$fmt" -d "$db"
	lines=$(wc -l <"$OUT")
	[ "$lines" -lt 15 ] || fail "$db $fmt: $lines lines"
	cls=$(sql "$db" "SELECT ifnull(hang_class, '') FROM diagnosis")
	if [ -n "$cls" ]; then
		# Markdown escapes the underscore of a class name.
		grep -q "Diagnosis: ${cls//_/\\\\\\?_}" "$OUT" || fail "$db $fmt: no class $cls"
	fi
	# The strongest finding is shown: the start of its title, up to a comma
	# (CSV would quote it) and short enough not to be wrapped; Markdown's
	# escaping backslashes left out.
	first=$(sql "$db" "SELECT CASE WHEN instr(substr(title, 1, 24), ',') > 0
		THEN substr(title, 1, instr(title, ',') - 1) ELSE substr(title, 1, 24) END AS t
		FROM findings ORDER BY score DESC, id LIMIT 1")
	if [ -n "$first" ]; then
		tr -d '\\' <"$OUT" | grep -qF -- "$first" ||
			fail "$db $fmt: strongest finding '$first' missing"
	fi
	if [ "$fmt" = email ]; then
		awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$OUT" || fail "$db: email over 80 columns"
	fi
}

n=0
for cap in "$SAMPLES"/capture-*/capture.tar.xz; do
	db=$T/$(basename "$(dirname "$cap")").db
	"$MMT" ingest -q -d "$db" "$cap" >/dev/null 2>&1 || fail "ingest $cap"
	"$MMT" analyze -d "$db" >/dev/null || fail "analyze $cap"
	for fmt in text markdown email; do brief "$db" "$fmt"; done
	n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "only $n captures"

# The default sample: 12 hung-task reports; the leftover count is stated.
expect_ok ingest -q -d "$T/default.db" "$SAMPLE"
expect_ok report --brief -d "$T/default.db"
total=$(sql "$T/default.db" "SELECT count(*) FROM findings")
shown=$(grep -c '^\[[0-9]*\] ' "$OUT")
[ "$shown" -ge 1 ] || fail "no finding shown"
if [ "$shown" -lt "$total" ]; then
	out_has "$((total - shown)) more finding"
fi
brief "$T/default.db" email

# Hostile task names (escape sequences, HTML, Markdown): nothing raw.
expect_ok ingest -q --lenient -d "$T/hostile.db" "$SAMPLES/hostile-comm/dmesg-noescape.txt"
for fmt in text markdown email; do
	brief "$T/hostile.db" "$fmt"
	! grep -q $'\x1b' "$OUT" || fail "hostile $fmt: a raw ESC"
	! grep -q $'\x07' "$OUT" || fail "hostile $fmt: a raw BEL"
done

# A tool wants the whole JSON document.
run 2 report --brief -f json -d "$T/default.db"
err_has "brief is for the text, markdown and email formats"
echo ok
