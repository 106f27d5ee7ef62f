#!/usr/bin/env python3
"""Checks a `mmtriage report -f json` document against contract version 1:
every key of the contract present (absent values are null, never missing),
types right, ids cross-referenced. Prints what is wrong; exit 1 if anything."""
import json
import sys

TOP = {"mmtriage", "sources", "reports", "findings", "diagnosis"}
SOURCE = {"path", "kind", "sha256", "records"}
REPORT = {"id", "kind", "title", "time", "pid", "comm", "cpu", "kernel", "culprit",
          "wait_class", "gfp", "order", "frames", "source", "line"}
GFP = {"mask", "flags", "context"}
FRAME = {"symbol", "offset", "module", "reliable"}
FINDING = {"id", "analyzer", "kind", "severity", "title", "summary", "t_start", "t_end",
           "subjects", "evidence"}
SUBJECTS = {"tasks", "devices", "caches", "cpus", "locks"}
EVIDENCE = {"source", "line", "event", "text"}
errors = []


def need(obj, keys, where):
    if not isinstance(obj, dict):
        errors.append("%s: not an object" % where)
        return
    for k in sorted(keys - set(obj)):
        errors.append("%s: missing key %r" % (where, k))


def main():
    doc = json.load(open(sys.argv[1]))
    need(doc, TOP, "top")
    need(doc["mmtriage"], {"version", "schema"}, "mmtriage")
    if doc["mmtriage"].get("schema") != 1:
        errors.append("contract version is not 1")
    for s in doc["sources"]:
        need(s, SOURCE, "source")
    paths = {s["path"] for s in doc["sources"]}
    for r in doc["reports"]:
        need(r, REPORT, "report %s" % r.get("id"))
        if r["gfp"] is not None:
            need(r["gfp"], GFP, "report %s gfp" % r["id"])
            if not isinstance(r["gfp"]["flags"], list):
                errors.append("gfp flags not a list")
        for f in r["frames"]:
            need(f, FRAME, "frame")
            if not isinstance(f["reliable"], bool):
                errors.append("frame reliable is not a boolean")
        if r["source"] not in paths:
            errors.append("report %s names an unknown source" % r["id"])
    ids = set()
    for f in doc["findings"]:
        need(f, FINDING, "finding %s" % f.get("id"))
        need(f["subjects"], SUBJECTS, "finding subjects")
        for kind, items in f["subjects"].items():
            seen = [json.dumps(x, sort_keys=True) for x in items]
            if len(seen) != len(set(seen)):
                errors.append("finding %s lists a %s subject twice" % (f["id"], kind))
        if f["severity"] not in ("critical", "warning", "info"):
            errors.append("bad severity %r" % f["severity"])
        for e in f["evidence"]:
            need(e, EVIDENCE, "evidence")
        ids.add(f["id"])
    need(doc["diagnosis"], {"verdict", "findings"}, "diagnosis")
    for i in doc["diagnosis"]["findings"]:
        if i not in ids:
            errors.append("diagnosis names finding %s, which does not exist" % i)
    for e in errors:
        print(e)
    return 1 if errors else 0


sys.exit(main())
