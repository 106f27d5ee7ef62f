#!/usr/bin/env python3
"""Runs every analyzer over every file of ../shared/corpus: `mmtriage report
-f json FILE` into a private database, one file at a time, and each
directory that holds a sosreport as a whole.

Checks:
  - no file makes mmtriage crash, hang or print a sanitizer error: the exit
    status is 0 (reported) or 1 (input refused, with a message), within the
    timeout;
  - with status 0 the output is valid JSON that keeps the contract
    (tests/cli/check_json.py: docs/report.schema.json and the
    cross-references), whose diagnosis has a verdict, a confidence in
    [0, 1] when it names a class, and findings whose severity and
    confidence are in range.
Prints the counts of findings by kind and severity and of hang classes, so
that they can be reviewed (and quoted in notes).
"""
import collections
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import check_json as contract  # noqa: E402

TIMEOUT = 60
CONTRACT = contract.load()
SANITIZER = ("AddressSanitizer", "runtime error:", "LeakSanitizer")


def inputs(corpus):
    for top, dirs, files in os.walk(corpus):
        dirs.sort()
        if "sos_commands" in dirs:
            yield top
        for name in sorted(files):
            if top == corpus and name in ("MANIFEST.tsv", "README.md"):
                continue
            yield os.path.join(top, name)


def check_json(path, doc, kinds, classes):
    errors = contract.check(*CONTRACT, doc)
    assert not errors, (path, errors[:3])
    d = doc["diagnosis"]
    assert d["verdict"], path
    if d["hang_class"] is not None:
        assert 0 <= d["confidence"] <= 1, (path, d)
    classes[d["hang_class"] or "none"] += 1
    for f in doc["findings"]:
        assert f["severity"] in ("critical", "warning", "info"), (path, f["kind"])
        c = f["confidence"]
        assert c is None or 0 <= c <= 1, (path, f["kind"], c)
        kinds[(f["kind"], f["severity"])] += 1


def main(mmt, corpus):
    kinds, classes, status = collections.Counter(), collections.Counter(), collections.Counter()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, path in enumerate(inputs(corpus)):
            db = os.path.join(tmp, "c%d.db" % n)
            try:
                p = subprocess.run([mmt, "report", "-d", db, "-f", "json", path],
                                   capture_output=True, timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                failures.append("%s: no answer within %d s" % (path, TIMEOUT))
                continue
            err = p.stderr.decode("utf-8", "replace")
            status[p.returncode] += 1
            if p.returncode not in (0, 1) or any(s in err for s in SANITIZER):
                failures.append("%s: exit %d: %s" % (path, p.returncode, err[-400:]))
                continue
            if p.returncode == 0:
                try:
                    check_json(path, json.loads(p.stdout), kinds, classes)
                except (ValueError, AssertionError, KeyError) as e:
                    failures.append("%s: bad report: %r" % (path, e))
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.unlink(db + suffix)
    print("inputs by exit status:", dict(sorted(status.items())))
    print("findings by kind and severity:")
    for (kind, sev), n in sorted(kinds.items()):
        print("  %-24s %-8s %5d" % (kind, sev, n))
    print("diagnoses by hang class:")
    for cls, n in sorted(classes.items(), key=lambda x: (-x[1], x[0])):
        print("  %-24s %5d" % (cls, n))
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
