#!/usr/bin/env bash
# Every input a fuzz target once crashed on (tests/fuzz/regressions/TARGET/)
# ingested by the real binary as that format (sniffed for the sniff target):
# a clear refusal naming the file or a clean ingest, never a signal nor a
# minute's work (one input once made libtracecmd read a record for ever),
# and a refused file leaves the database as it was.
. "$(dirname "$0")/lib.sh"

REG=$MMT_SOURCE_DIR/tests/fuzz/regressions
parsers=$("$MMT" help ingest 2>&1 | sed -n "s/^  \([a-z_]*\)  .*/\1/p")
checked=0
for dir in "$REG"/*/; do
	target=$(basename "$dir")
	as=()
	if [ "$target" != sniff ]; then
		grep -qx "$target" <<<"$parsers" || continue
		as=(--as "$target")
	fi
	for f in "$dir"*; do
		db=$T/$target.db
		rm -f "$db"
		expect_ok ingest -q -d "$db" "$SAMPLE"
		before=$(db_state "$db")
		rc=0
		timeout $((60 * SLOW)) "$MMT" ingest -q -d "$db" "${as[@]}" "$f" >"$OUT" 2>"$ERR" ||
			rc=$?
		[ "$rc" -ne 124 ] || fail "$target/$(basename "$f"): still running after $((60 * SLOW)) s"
		[ "$rc" -le 1 ] || fail "$target/$(basename "$f"): exit status $rc"
		if [ "$rc" -eq 1 ]; then
			grep -qF "$f" "$ERR" || fail "$target/$(basename "$f"): the message does not name the file"
			[ "$(db_state "$db")" = "$before" ] || fail "$target/$(basename "$f"): a refused file changed the database"
		fi
		checked=$((checked + 1))
	done
done
[ "$checked" -ge 2 ] || fail "only $checked regression inputs found under $REG"
echo "ok: $checked inputs"
