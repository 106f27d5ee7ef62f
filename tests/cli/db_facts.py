"""What an mmtriage database holds, per source, for the crash and concurrency
tests (t130, t131): compared with a reference database, it shows whether
each source is there whole or not at all.

Sources are known by their content hash (sources.sha256), trees by their
path: ids are the database's own. Each table's rows are counted per source
by the column that ties them to one (source_id, common_source, source;
else snapshot_id, report_id, checkpoint or event_id through their parent);
rows tied to nothing that exists are counted under ORPHAN. Tables that no
source owns (stacks, frames, dictionaries) are only counted as a whole.
"""
import sqlite3

ORPHAN = "!orphan"
NONE = "-"

# Columns naming a source directly, in the order they are looked for.
DIRECT = ("source_id", "common_source", "source")
# How a row reaches its source through a parent table: column, SQL joining
# alias x to the parent and the parent to sources (alias s), the parent's
# column checked for a dangling link.
INDIRECT = (
    ("snapshot_id", "LEFT JOIN snapshots p ON p.id = x.snapshot_id "
                    "LEFT JOIN sources s ON s.id = p.source_id", "p.id"),
    ("report_id", "LEFT JOIN reports p ON p.id = x.report_id "
                  "LEFT JOIN sources s ON s.id = p.source_id", "p.id"),
    ("checkpoint", "LEFT JOIN replay_checkpoints p ON p.id = x.checkpoint "
                   "LEFT JOIN sources s ON s.id = p.source", "p.id"),
    ("event_id", "LEFT JOIN trace_sources p ON x.event_id BETWEEN p.first_id AND p.last_id "
                 "LEFT JOIN sources s ON s.id = p.source_id", "p.source_id"),
)


# What analyze and replay write, from the ingested data: left out when a
# database analyzed meanwhile is compared with one that was not.
DERIVED = ("findings", "finding_", "diagnosis", "analysis_thresholds", "replay_",
           "trace_tasks")


def connect(path):
    db = sqlite3.connect(path, timeout=30)
    db.isolation_level = None
    return db


def tables(db):
    return [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def columns(db, table):
    return [r[1] for r in db.execute('PRAGMA table_info("%s")' % table)]


def count_sql(db, table):
    """The query counting a table's rows per source hash, or None if no source owns it."""
    cols = columns(db, table)
    if table in ("sources", "trees"):
        return None
    if table == "tree_files":
        return ("SELECT CASE WHEN t.id IS NULL THEN '%s' ELSE 'tree:' || t.path END, "
                "count(*) FROM tree_files x LEFT JOIN trees t ON t.id = x.tree_id "
                "GROUP BY 1" % ORPHAN)
    for c in DIRECT:
        if c in cols:
            return ("SELECT CASE WHEN x.\"%s\" IS NULL THEN '%s' WHEN s.id IS NULL "
                    "THEN '%s' ELSE s.sha256 END, count(*) FROM \"%s\" x "
                    "LEFT JOIN sources s ON s.id = x.\"%s\" GROUP BY 1"
                    % (c, NONE, ORPHAN, table, c))
    for c, join, parent in INDIRECT:
        if c in cols:
            return ("SELECT CASE WHEN x.\"%s\" IS NULL THEN '%s' WHEN %s IS NULL "
                    "OR s.id IS NULL THEN '%s' ELSE s.sha256 END, count(*) "
                    "FROM \"%s\" x %s GROUP BY 1"
                    % (c, NONE, parent, ORPHAN, table, join))
    return None


def sources(db):
    """sha256 -> what the sources row says, in id order."""
    return {r[0]: r[1:] for r in db.execute(
        "SELECT s.sha256, s.path, s.kind, s.size, s.records, s.clock, s.kernel, "
        "s.format, s.t_offset, t.path FROM sources s "
        "LEFT JOIN trees t ON t.id = s.tree_id ORDER BY s.id")}


def trees(db):
    """tree path -> what the trees row says and the hashes of its sources."""
    out = {}
    for tid, path, kind, host, kernel, btime in db.execute(
            "SELECT id, path, kind, hostname, kernel, btime FROM trees ORDER BY id"):
        shas = sorted(r[0] for r in db.execute(
            "SELECT sha256 FROM sources WHERE tree_id = ?", (tid,)))
        out[path] = (kind, host, kernel, btime, tuple(shas))
    return out


def facts(db, totals=True, derived=True):
    """Everything the tests compare, in one read transaction (one snapshot);
    derived: the tables of DERIVED too."""
    db.execute("BEGIN")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        names = [t for t in tables(db) if derived or not t.startswith(DERIVED)]
        f = {"version": version, "tables": names, "per_source": {}, "totals": {}}
        if "sources" not in names or "trees" not in names:
            f["sources"], f["trees"] = {}, {}
            return f
        f["sources"] = sources(db)
        f["trees"] = trees(db)
        for t in names:
            sql = count_sql(db, t)
            if sql:
                f["per_source"][t] = dict(db.execute(sql).fetchall())
            if totals:
                f["totals"][t] = db.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]
        return f
    finally:
        db.execute("COMMIT")


def partial_problems(got, ref, ordered=True):
    """Why got is not the reference with some sources wholly absent ([] if it is).
    ordered: the sources present must be the reference's first ones, in order
    (not so after sources were ingested again with --force)."""
    bad = []
    ref_order = list(ref["sources"])
    have = list(got["sources"])
    for sha in have:
        if sha not in ref["sources"]:
            bad.append("source %s (%s) is not in the reference"
                       % (sha[:12] or "(no hash)", got["sources"][sha][0]))
        elif got["sources"][sha] != ref["sources"][sha]:
            bad.append("source %s: %s, reference %s"
                       % (got["sources"][sha][0], got["sources"][sha], ref["sources"][sha]))
    if ordered and have != ref_order[:len(have)]:
        bad.append("sources present are not the first %d of the reference in order"
                   % len(have))
    for path, tree in got["trees"].items():
        if ref["trees"].get(path) != tree:
            bad.append("tree %s: %s, reference %s" % (path, tree, ref["trees"].get(path)))
    present = set(have) | {"tree:" + p for p in got["trees"]}
    for table, counts in got["per_source"].items():
        want = ref["per_source"].get(table, {})
        for key, n in counts.items():
            if key == ORPHAN:
                bad.append("%s: %d rows of a source or tree that is not there" % (table, n))
            elif key != NONE and key not in present:
                bad.append("%s: %d rows of absent %s" % (table, n, key[:17]))
    for table, want in ref["per_source"].items():
        counts = got["per_source"].get(table, {})
        for key in present:
            if counts.get(key, 0) != want.get(key, 0):
                bad.append("%s: %d rows of %s, reference %d"
                           % (table, counts.get(key, 0), describe(key, ref), want.get(key, 0)))
    return bad


def describe(key, ref):
    if key.startswith("tree:"):
        return key
    return ref["sources"][key][0] if key in ref["sources"] else key[:12]


def equal_problems(got, ref, ordered=True):
    """Why got differs from the reference ([] if it does not)."""
    bad = partial_problems(got, ref, ordered)
    if sorted(got["sources"]) != sorted(ref["sources"]):
        bad.append("%d sources, reference %d" % (len(got["sources"]), len(ref["sources"])))
    if got["tables"] != ref["tables"]:
        bad.append("tables differ: %s" % sorted(set(got["tables"]) ^ set(ref["tables"])))
    for t, n in ref["totals"].items():
        if got["totals"].get(t) != n:
            bad.append("%s: %s rows, reference %d" % (t, got["totals"].get(t), n))
    return bad
