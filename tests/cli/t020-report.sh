#!/usr/bin/env bash
# The report in each format on the default sample: what it says, and that
# each format keeps its promises (email within 80 columns and ASCII, JSON to
# the contract, Markdown fences closed).
. "$(dirname "$0")/lib.sh"

expect_ok report "$SAMPLE"
out_has '^Diagnosis: fs_freeze'
out_has '^\[1\] CRITICAL +3 tasks blocked in fs_freeze at (mnt_want_write|vfs_write)'
out_has 'dmesg.txt:146  INFO: task touch:17225 blocked for more than 10 seconds\.'
out_has '^Reports \(12\)'
out_has 'samples/hung-task-fsfreeze/dmesg.txt +kernel_log \(dmesg\) +435 +6\.18\.44'

# The temporary database is gone afterwards (in a TMPDIR of this test's own).
mkdir "$T/tmp"
TMPDIR=$T/tmp expect_ok report "$SAMPLE"
[ -z "$(ls -A "$T/tmp")" ] || fail "report left a temporary database behind"

expect_ok report -f email -o "$T/mail.txt" "$SAMPLE"
[ ! -s "$OUT" ] || fail "-o still wrote to standard output"
awk 'length($0) > 80 { print NR": "length($0); bad = 1 } END { exit bad }' "$T/mail.txt" ||
	fail "email lines longer than 80 columns"
LC_ALL=C grep -q '[^ -~]' "$T/mail.txt" && fail "email report is not plain ASCII"
grep -q '^  evidence:' "$T/mail.txt" || fail "email report lacks evidence"

expect_ok report -f markdown "$SAMPLE"
out_has '^# mmtriage '
out_has '^## Diagnosis'
out_has '^\| time \| kind \| task \|'
[ $(( $(grep -c '^```' "$OUT") % 2 )) -eq 0 ] || fail "a Markdown fence is not closed"

expect_ok report -f json "$SAMPLE"
"$PYTHON" "$(dirname "$0")/check_json.py" "$OUT" || fail "JSON breaks the contract"
python3 - "$OUT" <<'PY' || fail "JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["reports"]) == 12, len(d["reports"])
r = d["reports"][0]
assert (r["kind"], r["pid"], r["comm"], r["wait_class"]) == ("hung_task", 16520, "sh", "fs_freeze"), r
assert r["culprit"] == "vfs_write", r["culprit"]
assert r["frames"][0]["symbol"] == "__schedule" and r["frames"][0]["reliable"] is True
assert r["cpu"] is None and r["gfp"] is None
assert d["diagnosis"]["hang_class"] == "fs_freeze"
assert len(d["findings"]) == 3 and all(f["severity"] == "critical" for f in d["findings"])
tasks = sorted(t["comm"] for f in d["findings"] for t in f["subjects"]["tasks"])
assert tasks == sorted(["sh", "fsync-writer", "mmap-writer", "dd", "touch", "mkdir", "rm"]), tasks
PY

# GFP in JSON, from the real memcg OOM sample.
expect_ok report -f json "$SAMPLES/memcg-oom/dmesg.txt"
python3 - "$OUT" <<'PY' || fail "OOM JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
r = d["reports"][0]
assert r["kind"] == "oom_kill" and r["gfp"] == {"mask": "0xcc0", "flags": ["GFP_KERNEL"], "context": "full"}, r["gfp"]
assert r["order"] == 0 and r["culprit"] == "do_anonymous_page", (r["order"], r["culprit"])
assert d["diagnosis"]["hang_class"] == "oom"
PY
echo ok
