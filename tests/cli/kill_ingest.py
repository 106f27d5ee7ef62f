#!/usr/bin/env python3
"""SIGKILL an ingest at many points and check what it leaves (t130).

usage: kill_ingest.py MMT WORKDIR RUNS SEED INPUT...

Ingests INPUT... once into WORKDIR/ref.db (the reference, and the time a
whole ingest takes), then RUNS times: a fresh WORKDIR/kill.db, `MMT ingest`
started on it and killed with SIGKILL, then checked:
  - mmtriage opens it and PRAGMA integrity_check says ok (a database whose
    schema was not complete yet is refused by name, as it should be);
  - PRAGMA foreign_key_check finds nothing;
  - each source present is the reference's source with the same hash, with
    the same number of rows in every table as in the reference, and no row
    belongs to a source or tree that is not there (db_facts.py);
  - the sources present are the first ones of the reference, in order;
  - an ingest run again completes, and then the database holds what the
    reference holds: the same sources, the same rows per source and per
    table, no source twice.
Where the kill lands: most runs at a time drawn over the whole ingest; some
as soon as the process is seen checkpointing the WAL or right after it left
a write transaction (a file committed). The process is stopped (SIGSTOP)
before the kill, so that the locks it holds on the WAL index (/proc/locks)
say what it was doing: in a write transaction, in a checkpoint, or between
files. Prints one summary line; exits 1 at the first failure.
"""
import os
import random
import signal
import sys
import time

import db_facts

LATEST_VERSION = None       # the schema version of a complete database

# Byte offsets of SQLite's WAL-index locks (the -shm file): the writer, the
# checkpointer. A connection's exclusive lock on the database file itself
# (from byte 2^30) is taken when the last connection closes, to checkpoint
# and remove the WAL.
SHM_WRITE, SHM_CHECKPOINT = 120, 121
DB_LOCK_BYTE = 1 << 30


class Check(Exception):
    """A check failed: the message says what was found."""


def spawn(argv, out):
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        return os.posix_spawn(argv[0], argv, os.environ,
                              file_actions=[(os.POSIX_SPAWN_DUP2, fd, 1),
                                            (os.POSIX_SPAWN_DUP2, fd, 2)])
    finally:
        os.close(fd)


def run(argv, out):
    pid = spawn(argv, out)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def remove_db(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass


def inode(path):
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return "%02x:%02x:%d" % (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)


def held_locks(pid, db):
    """(file, first byte, READ or WRITE) of each POSIX lock pid holds on db or its -shm."""
    files = {inode(db): "db", inode(db + "-shm"): "shm"}
    held = set()
    with open("/proc/locks") as f:
        for line in f:
            w = line.split()
            if "->" in w or len(w) < 8 or w[4] != str(pid):
                continue
            if w[5] in files:
                held.add((files[w[5]], int(w[6]), w[3]))
    return held


def activity(pid, db):
    held = held_locks(pid, db)
    if ("shm", SHM_CHECKPOINT, "WRITE") in held or ("db", DB_LOCK_BYTE, "WRITE") in held:
        return "checkpoint"
    if ("shm", SHM_WRITE, "WRITE") in held:
        return "transaction"
    return "between"


def wait_for(pid, db, want, deadline):
    """Polls until pid is seen doing want (True), the deadline (False), or
    its exit (None)."""
    was_writing = False
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            if code != 0:
                raise Check("the ingest exited %d before it was killed" % code)
            return None
        now = activity(pid, db)
        if want == "checkpoint" and now == "checkpoint":
            return True
        if want == "committed" and was_writing and now == "between":
            return True
        was_writing = was_writing or now == "transaction"
        time.sleep(0.0005)
    return False


def stop_and_kill(pid, db):
    """SIGSTOP, what it was doing, SIGKILL; 'after the end' if it had exited."""
    try:
        os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:
        pass
    _, status = os.waitpid(pid, os.WUNTRACED)
    if os.WIFEXITED(status) or os.WIFSIGNALED(status):
        return "after the end", os.waitstatus_to_exitcode(status)
    what = activity(pid, db)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return what, None


def kill_once(mmt, db, inputs, log, rng, duration):
    """One ingest killed; returns (where it landed, seconds after its start)."""
    mode = rng.random()
    start = time.monotonic()
    pid = spawn([mmt, "ingest", "-q", "-d", db] + inputs, log)
    if mode < 0.8:
        time.sleep(rng.uniform(0, duration * 1.05))
    else:
        seen = wait_for(pid, db, "checkpoint" if mode < 0.9 else "committed",
                        start + duration * 3)
        if seen is None:
            return "after the end", time.monotonic() - start
    where, code = stop_and_kill(pid, db)
    if code not in (None, 0):
        raise Check("the ingest exited %d before it was killed (see %s)" % (code, log))
    return where, time.monotonic() - start


def check_opens(mmt, db, log):
    """mmtriage opens the killed database; True when its schema is complete."""
    if not os.path.exists(db):
        return False
    rc = run([mmt, "sql", "-d", db, "--csv", "PRAGMA integrity_check"], log)
    said = open(log, errors="replace").read()
    conn = db_facts.connect(db)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    integrity = conn.execute("PRAGMA integrity_check").fetchall()
    conn.close()
    if integrity != [("ok",)]:
        raise Check("PRAGMA integrity_check: %s" % integrity[:5])
    if version < LATEST_VERSION:
        if rc == 0 or "not an mmtriage database" not in said:
            raise Check("schema version %d: mmtriage sql exited %d: %s" % (version, rc, said))
        return False
    if rc != 0 or said.split() != ["integrity_check", "ok"]:
        raise Check("mmtriage sql -d DB 'PRAGMA integrity_check' exited %d: %s" % (rc, said))
    return True


def check_killed(db, ref):
    conn = db_facts.connect(db)
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    got = db_facts.facts(conn, totals=False)
    conn.close()
    if fk:
        raise Check("PRAGMA foreign_key_check: %s" % fk[:5])
    bad = db_facts.partial_problems(got, ref)
    if bad:
        raise Check("after the kill: " + "; ".join(bad[:8]))
    return len(got["sources"])


def check_rerun(mmt, db, inputs, log, ref):
    rc = run([mmt, "ingest", "-q", "-d", db] + inputs, log)
    if rc != 0:
        raise Check("the ingest run again exited %d: %s" % (rc, open(log).read()[-2000:]))
    conn = db_facts.connect(db)
    got = db_facts.facts(conn)
    conn.close()
    bad = db_facts.equal_problems(got, ref)
    if bad:
        raise Check("after the ingest ran again: " + "; ".join(bad[:8]))


def reference(mmt, work, inputs):
    global LATEST_VERSION
    db = os.path.join(work, "ref.db")
    log = os.path.join(work, "ref.log")
    start = time.monotonic()
    rc = run([mmt, "ingest", "-q", "-d", db] + inputs, log)
    duration = time.monotonic() - start
    if rc != 0:
        sys.exit("FAIL: the reference ingest exited %d: %s" % (rc, open(log).read()))
    conn = db_facts.connect(db)
    ref = db_facts.facts(conn)
    conn.close()
    LATEST_VERSION = ref["version"]
    if len(ref["sources"]) < 2 or not ref["trees"]:
        sys.exit("FAIL: the reference holds %d sources and %d trees"
                 % (len(ref["sources"]), len(ref["trees"])))
    return ref, duration


def leftovers():
    tmp = os.environ.get("TMPDIR", "/tmp")
    return sum(1 for n in os.listdir(tmp) if n.startswith("mmtriage-"))


def main():
    mmt, work, runs, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    inputs = sys.argv[5:]
    ref, duration = reference(mmt, work, inputs)
    rng = random.Random(seed)
    db = os.path.join(work, "kill.db")
    log = os.path.join(work, "kill.log")
    where = {}
    present = 0
    began = time.monotonic()
    for i in range(runs):
        remove_db(db)
        at = None
        try:
            landed, at = kill_once(mmt, db, inputs, log, rng, duration)
            if not check_opens(mmt, db, log):
                landed = "before the schema"
            else:
                present += check_killed(db, ref)
            where[landed] = where.get(landed, 0) + 1
            check_rerun(mmt, db, inputs, log, ref)
            if leftovers():
                raise Check("the ingest run again left %d directories of killed ingests "
                            "in TMPDIR" % leftovers())
        except Check as e:
            print("FAIL: run %d of %d (seed %d), killed %s s after the start: %s"
                  % (i + 1, runs, seed, "%.3f" % at if at is not None else "?", e))
            return 1
    spent = time.monotonic() - began
    print("%d kills of a %.2f s ingest of %d sources (%.2f s per run): %s; "
          "%.1f sources present after a kill on average; %d unpacked trees left in TMPDIR"
          % (runs, duration, len(ref["sources"]), spent / max(runs, 1),
             ", ".join("%d %s" % (n, k) for k, n in sorted(where.items())),
             present / max(runs, 1), leftovers()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
