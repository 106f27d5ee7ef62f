#!/usr/bin/env bash
# Named thresholds (`analyze --thresholds`, `--set NAME=VALUE`) and what
# the diagnosis stores besides its verdict: confidence, the thresholds in
# force, and the data that is missing.
. "$(dirname "$0")/lib.sh"

expect_ok analyze --thresholds
out_has '^diagnosis\.class_min +0\.35 +ratio '
out_has '^diagnosis\.alternative_min +0\.2 +ratio '

run 2 analyze -d "$T/none.db" --set nosuch.threshold=1
err_has "no threshold named 'nosuch.threshold'"
run 2 analyze -d "$T/none.db" --set diagnosis.class_min=abc
err_has "diagnosis.class_min: 'abc' is not a number"
run 2 analyze -d "$T/none.db" --set diagnosis.class_min
err_has "NAME=VALUE"
run 2 report -d "$T/none.db" --set diagnosis.class_min=-1 "$SAMPLE"
err_has "not a number >= 0"
[ ! -e "$T/none.db" ] || fail "a refused option created the database"

# An OOM kill in a memory cgroup: class oom, 0.7; nothing missing for it.
DB=$T/oom.db
expect_ok ingest -q -d "$DB" "$SAMPLES/memcg-oom/dmesg.txt"
expect_ok analyze -d "$DB"
[ "$(sql "$DB" "SELECT hang_class || ' ' || confidence FROM diagnosis")" = "oom 0.7" ] ||
	fail "oom diagnosis: $(sql "$DB" "SELECT hang_class, confidence FROM diagnosis")"
[ "$(sql "$DB" "SELECT count(*) FROM diagnosis_missing")" = 0 ] || fail "missing data for oom"
[ "$(sql "$DB" "SELECT sum(overridden) FROM analysis_thresholds")" = 0 ] ||
	fail "thresholds overridden without --set"
expect_ok analyze -d "$DB" --set diagnosis.class_min=0.5 --set diagnosis.class_min=0.6
[ "$(sql "$DB" "SELECT value || ' ' || default_value || ' ' || overridden FROM analysis_thresholds
	WHERE name = 'diagnosis.class_min'")" = "0.6 0.35 1" ] || fail "--set not stored"

# Hung tasks on a frozen filesystem: reported by the detector, 0.6 + 0.05 per task.
DB=$T/freeze.db
expect_ok report -d "$DB" -f json "$SAMPLE"
python3 - "$OUT" <<'PY' || fail "fs_freeze diagnosis"
import json, sys
d = json.load(open(sys.argv[1]))["diagnosis"]
assert d["hang_class"] == "fs_freeze", d
tasks = len({t["pid"] for f in json.load(open(sys.argv[1]))["findings"]
             if f["kind"] == "hung_tasks" for t in f["subjects"]["tasks"]})
assert abs(d["confidence"] - min(0.9, 0.6 + 0.05 * min(tasks, 6))) < 1e-6, (d, tasks)
assert d["alternatives"] == [] and d["missing"] == [], d
PY

# A trace alone: no hang, and the kernel log is what is missing.
DB=$T/trace.db
expect_ok ingest -q -d "$DB" "$SAMPLES/trace-memcg-reclaim/trace.dat"
expect_ok analyze -d "$DB"
[ "$(sql "$DB" "SELECT ifnull(hang_class, 'none') || ' ' || ifnull(confidence, 'null') FROM diagnosis")" = "none null" ] ||
	fail "a trace of working reclaim was diagnosed as a hang"
[ "$(sql "$DB" "SELECT group_concat(what) FROM diagnosis_missing")" = kernel_log ] ||
	fail "missing: $(sql "$DB" "SELECT group_concat(what) FROM diagnosis_missing")"
echo ok
