#!/usr/bin/env python3
"""What the readers of t131 saw while an ingest wrote the database.

usage: check_readers.py REF.db DB WORKDIR

REF.db holds every input ingested once, in the order the writer of t131
first ingests them; DB is the database the writer and the readers shared.
Checks, and prints what is wrong (exit 1) or a summary line:
  - DB now holds what REF.db holds (the same sources with the same rows;
    the order differs, since the writer ingested some again with --force;
    the analysis the readers wrote is left out);
  - WORKDIR/sql.csv, the rows `mmtriage sql` returned: no source whose
    recorded count of records differs from the rows present, no tree
    without all its sources (torn and torn_trees are 0), and the number of
    sources and records only one that some point of the ingest had;
  - WORKDIR/report.*.json, each `mmtriage report -d` written: every source
    the reference's, with its records, and as many reports as the reference
    gives it (a report made from part of a source would have fewer), the
    JSON's own cross-references whole (check_json.py);
  - WORKDIR/tui.events, the "Events: N in K traces" lines the TUI showed
    after R: each the K first traces of the ingest with their N events.
"""
import glob
import json
import os
import sys

import check_json
import db_facts


def trace_prefixes(ref_db):
    """(traces, events) of the first k traces, for every k."""
    rows = ref_db.execute(
        "SELECT t.events FROM trace_sources t ORDER BY t.source_id").fetchall()
    out, total = {(0, 0)}, 0
    for k, (n,) in enumerate(rows, 1):
        total += n
        out.add((k, total))
    return out, (len(rows), total)


def source_points(ref):
    """(sources, records) after each source of the reference, in order."""
    out, records = {(0, 0)}, 0
    for k, facts in enumerate(ref["sources"].values(), 1):
        records += facts[3]
        out.add((k, records))
    return out


def check_sql(path, ref, bad):
    points = source_points(ref)
    lines = open(path).read().split("\n")
    rows = [l for l in lines if l and not l.startswith("sources,")]
    for row in rows:
        sources, records, torn, torn_trees = (int(float(v or 0)) for v in row.split(","))
        if torn or torn_trees:
            bad.append("sql: %d sources not whole, %d trees not whole: %s"
                       % (torn, torn_trees, row))
        elif (sources, records) not in points:
            bad.append("sql: %d sources with %d records: no point of the ingest had that"
                       % (sources, records))
    return len(rows)


def check_report(path, ref, bad):
    doc = json.load(open(path))
    errors = check_json.reference_errors(doc)
    bad.extend("%s: %s" % (os.path.basename(path), e) for e in errors)
    per_report = ref["per_source"].get("reports", {})
    by_path = {}
    for s in doc["sources"]:
        want = ref["sources"].get(s["sha256"])
        by_path[s["path"]] = s["sha256"]
        if want is None or want[3] != s["records"]:
            bad.append("%s: source %s with %s records, reference %s"
                       % (os.path.basename(path), s["path"], s["records"],
                          want[3] if want else "none"))
    counts = {}
    for r in doc["reports"]:
        sha = by_path.get(r["source"])
        counts[sha] = counts.get(sha, 0) + 1
    for sha in by_path.values():
        if counts.get(sha, 0) != per_report.get(sha, 0):
            bad.append("%s: %d reports of %s, reference %d"
                       % (os.path.basename(path), counts.get(sha, 0),
                          ref["sources"][sha][0], per_report.get(sha, 0)))
    return len(doc["sources"])


def check_tui(path, prefixes, final, bad):
    seen = [tuple(int(v) for v in l.split()) for l in open(path) if l.strip()]
    for traces, events in seen:
        if (traces, events) not in prefixes:
            bad.append("tui: Events: %d in %d traces, which no point of the ingest had"
                       % (events, traces))
    if not seen or seen[-1] != final:
        bad.append("tui: last showed %s (traces, events), the ingest ended with %s"
                   % (seen[-1] if seen else "nothing", final))
    return len(seen)


def main():
    ref_path, db_path, work = sys.argv[1:4]
    ref_db = db_facts.connect(ref_path)
    ref = db_facts.facts(ref_db, derived=False)
    prefixes, final = trace_prefixes(ref_db)
    got = db_facts.facts(db_facts.connect(db_path), derived=False)
    bad = ["end: " + p for p in db_facts.equal_problems(got, ref, ordered=False)]
    nsql = check_sql(os.path.join(work, "sql.csv"), ref, bad)
    reports = sorted(glob.glob(os.path.join(work, "report.*.json")))
    sizes = [check_report(p, ref, bad) for p in reports]
    ntui = check_tui(os.path.join(work, "tui.events"), prefixes, final, bad)
    if not nsql or not sizes:
        bad.append("%d sql queries and %d reports ran during the ingest" % (nsql, len(sizes)))
    if bad:
        print("\n".join(bad[:20]))
        return 1
    print("%d sql queries, %d reports (of %d to %d sources), %d TUI re-reads during the ingest"
          % (nsql, len(sizes), min(sizes), max(sizes), ntui))
    return 0


if __name__ == "__main__":
    sys.exit(main())
