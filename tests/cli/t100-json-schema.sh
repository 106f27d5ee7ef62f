#!/usr/bin/env bash
# The JSON report against its schema (docs/report.schema.json): the report
# of every capture of samples/ (found by glob, so that a new one is checked
# too), of the other samples' inputs as the tests before this one feed
# them, and of an empty database; then mutated reports (a key dropped or
# added, a string for a number, a confidence of 1.5, ...), each of which
# must be rejected, and the schema's closed vocabularies against the
# code's tables (check_json.py). Skipped (77) without python3-jsonschema.
. "$(dirname "$0")/lib.sh"

"$PYTHON" -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null ||
	{ echo "skip: python3 with the jsonschema package (python3-jsonschema) is needed"; exit 77; }

mkdir "$T/json"
# json NAME [OPTION...] PATH...: the JSON report of PATH... as $T/json/NAME.json.
json() {
	local name=$1
	shift
	expect_ok report -f json -o "$T/json/$name.json" "$@"
}

# One ingest per capture: the report ingests into a database of its own.
# (A glob that matches nothing stays a pattern, which the report refuses.)
for capture in "$SAMPLES"/capture-*/capture.tar.xz; do
	name=$(basename "$(dirname "$capture")")
	json "$name" "$capture"
done
json hung-task-fsfreeze "$SAMPLE"
# Every log format of the hostile task names (raw bytes need --lenient);
# run-info.txt and tasks.txt are the recipe's notes, not logs.
for log in "$SAMPLES"/hostile-comm/*.txt; do
	name=$(basename "$log" .txt)
	case $name in run-info|tasks) continue ;; esac
	json "hostile-comm-$name" --lenient "$log"
done
json memcg-oom "$SAMPLES/memcg-oom/dmesg.txt"
json snapshot-series "$SAMPLES/snapshot-series/capture.tar.xz"
json sosreport-vm "$SAMPLES"/sosreport-vm/sosreport-*
json trace-memcg-reclaim "$SAMPLES/trace-memcg-reclaim/trace.dat"
json writeback-stuck-loop "$SAMPLES/writeback-stuck-loop/dmesg.txt"
# The sample's meminfo series on the log's wall clock, as t091 reads it.
json writeback-stuck-loop-series "$SAMPLES/writeback-stuck-loop/dmesg-iso.txt" \
	"$MMT_SOURCE_DIR/tests/data/writeback/stuck-loop-meminfo.txt"
expect_ok report -d "$T/empty.db" -f json -o "$T/json/empty.json"

"$PYTHON" "$(dirname "$0")/check_json.py" --mutations "$T"/json/*.json >"$OUT" 2>"$ERR" ||
	fail "reports break the schema, or a mutation was not rejected"
echo ok
