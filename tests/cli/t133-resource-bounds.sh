#!/usr/bin/env bash
# Resource bounds (docs/security.md, "Limits") reached with generated input:
# each limit reached exactly is taken, one past it refused naming the file,
# the line and the limit, with the database unchanged, or cut and counted;
# memory stays small where an input once made it grow with what it claimed.
. "$(dirname "$0")/lib.sh"

DB=$T/base.db
expect_ok ingest -q -d "$DB" "$SAMPLE"
before=$(db_state "$DB")
unchanged() { [ "$(db_state "$DB")" = "$before" ] || fail "$1 changed the database"; }

# MMT_SERIES_MAX_KEYS: 65536 names of values in one meminfo, then one more.
"$PYTHON" - "$T" <<'EOF'
import sys
for n in (65536, 65537):
    with open(f"{sys.argv[1]}/keys{n}", "w") as f:
        f.writelines(f"Key{i}: {i} kB\n" for i in range(n))
EOF
expect_ok ingest --as meminfo -d "$T/keys.db" "$T/keys65536"
[ "$(sql "$T/keys.db" "SELECT count(*) FROM state_values")" = 65536 ] ||
	fail "65536 values of one sample"
run 1 ingest --as meminfo -d "$DB" "$T/keys65537"
err_has "keys65537:65537: 'Key65536': more than 65536 distinct names of values in one file \(MMT_SERIES_MAX_KEYS\)"
unchanged "keys65537"

# REPORT_MAX_LINES: a hung-task report of 100,010 frames is closed at 100,000 lines.
{
	sed -n 5p "$SAMPLE"
	for i in $(seq 100010); do echo "[  762.932700]  frame_$i+0x10/0x20"; done
} >"$T/runaway.log"
expect_ok ingest -d "$T/runaway.db" "$T/runaway.log"
[ "$(sql "$T/runaway.db" "SELECT line_end - line_start + 1 FROM reports ORDER BY id LIMIT 1")" = 100000 ] ||
	fail "the runaway report was not cut at 100000 lines: $(sql "$T/runaway.db" \
		"SELECT line_start || '-' || line_end FROM reports")"
# MMT_STACK_MAX_FRAMES: its stack keeps 4096 frames, and the ingest says
# how many more there were, at the line where the stack ends.
[ "$(sql "$T/runaway.db" "SELECT count(*) FROM frames")" = 4096 ] ||
	fail "the runaway stack was not cut at 4096 frames"
err_has "runaway.log:100000: a stack of more than 4096 frames \(MMT_STACK_MAX_FRAMES\) ends here; the 95903 frames past it were not stored"

# More than 500 event types (SQLite's most terms of one compound SELECT):
# trace_events_all still unions them all.
"$PYTHON" - "$T/types.txt" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("# tracer: nop\n#\n")
    for i in range(600):
        f.write(f"          <idle>-0       [000] d.h1.     {1 + i / 1000:.6f}: ev{i}: a={i}\n")
EOF
expect_ok ingest -d "$T/types.db" "$T/types.txt"
[ "$(sql "$T/types.db" "SELECT count(*) || ' ' || count(DISTINCT type_id) FROM trace_events_all")" = "600 600" ] ||
	fail "trace_events_all over 600 types"

# The IPI analyzer's grid (seconds by CPUs) of a trace whose three events
# span 115 days: not made (it took 550 MB and 17 s; with 4096 CPUs, 327 GB),
# and an info finding says so.
cat >"$T/span.txt" <<'EOF'
# tracer: nop
#
          <idle>-0       [000] d.h1.     1.000000: call_function_entry: vector=251
          <idle>-0       [001] d.h1.     1.500000: call_function_entry: vector=251
          <idle>-0       [000] d.h1. 9999990.000000: call_function_entry: vector=251
EOF
expect_ok ingest -d "$T/span.db" "$T/span.txt"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f "%M" -o "$T/rss" "$MMT" analyze -d "$T/span.db" >"$OUT" 2>"$ERR" ||
		fail "analyze of a trace spanning 115 days"
	[ "$(cat "$T/rss")" -lt 200000 ] || fail "analyze took $(cat "$T/rss") KB"
else
	expect_ok analyze -d "$T/span.db"
fi
out_has "^1 findings"
[ "$(sql "$T/span.db" "SELECT kind || ' ' || severity || ' ' || title FROM findings")" = \
	"ipi_not_counted info IPIs of a trace not counted: its events span 9999990 s" ] ||
	fail "no finding says the IPIs of the 115-day trace were not counted"
echo ok
