#!/usr/bin/python3
"""Shrink the kallsyms of a trace.dat (version 6) to the symbols its events use.

trace-cmd saves the whole /proc/kallsyms (5 MB here) in every trace.dat,
which makes even a trace of a few hundred events a megabyte. This keeps,
of the file's own kallsyms, the symbol containing each kernel address the
events hold (every INTEGER field of every event type and every stack frame,
as `mmtriage ingest` reads them) and the symbol after it, so that each of
those addresses resolves exactly as before. Everything else of the file is
kept byte for byte; the offsets that point past the kallsyms are moved by
the whole pages it shrank by, and the few bytes left over become blank
lines, which kallsyms parsing skips.

Usage: trim-kallsyms.py MMTRIAGE IN.dat OUT.dat
IN.dat must be version 6 (trace-cmd convert --file-version 6 makes one).
The caller checks that `trace-cmd report` prints the same for both files.
"""

import bisect
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile


class Reader:
    def __init__(self, data):
        self.d = data
        self.pos = 0
        self.end = "<"

    def take(self, n):
        if self.pos + n > len(self.d):
            raise SystemExit("file ends at %d" % self.pos)
        b = self.d[self.pos:self.pos + n]
        self.pos += n
        return b

    def num(self, n):
        return int.from_bytes(self.take(n), "big" if self.end == ">" else "little")

    def string(self):
        e = self.d.index(b"\0", self.pos)
        s = self.d[self.pos:e]
        self.pos = e + 1
        return s

    def blob(self, n):
        return self.take(self.num(n))


def layout(data):
    """Offsets of the kallsyms block and of every file offset after it."""
    r = Reader(data)
    if r.take(10) != b"\x17\x08\x44tracing" or r.string() != b"6":
        raise SystemExit("not a version 6 trace.dat")
    big, _long = r.take(2)
    r.end = ">" if big else "<"
    page = r.num(4)
    assert r.take(12) == b"header_page\0"
    r.blob(8)
    assert r.take(13) == b"header_event\0"
    r.blob(8)
    for _ in range(r.num(4)):
        r.blob(8)
    for _ in range(r.num(4)):
        r.string()
        for _ in range(r.num(4)):
            r.blob(8)
    ksym_at = r.pos
    kallsyms = r.blob(4)
    r.blob(4)
    r.blob(8)
    cpus = r.num(4)
    pointers = []  # (position of an 8-byte file offset)
    tables = []  # positions of flyrecord tables
    has_clock = False
    if r.d[r.pos:r.pos + 10] == b"options  \0":
        r.pos += 10
        while True:
            opt = r.num(2)
            if opt == 0:
                break
            size = r.num(4)
            start = r.pos
            if opt == 3:  # BUFFER: offset, name
                pointers.append(start)
                tables.append(r.num(8))
            if opt == 4:
                has_clock = True
            r.pos = start + size
    tables.insert(0, r.pos)
    for t in tables:
        assert data[t:t + 10] == b"flyrecord\0", t
        for c in range(cpus):
            pointers.append(t + 10 + 16 * c)
    return page, ksym_at, kallsyms, pointers, r.end


def used_addresses(mmtriage, path):
    """Kernel addresses in the events, as mmtriage stores them."""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "t.db")
        subprocess.run([mmtriage, "ingest", "-d", db, path], check=True,
                       stdout=subprocess.DEVNULL)
        con = sqlite3.connect(db)
        addrs = set()
        for (tbl,) in con.execute("SELECT tbl FROM trace_types"):
            cols = [r[1] for r in con.execute("PRAGMA table_info(\"%s\")" % tbl)
                    if r[2] == "INTEGER" and not r[1].startswith("common_") and r[1] != "id"]
            for col in cols:
                for (v,) in con.execute("SELECT DISTINCT \"%s\" FROM \"%s\" WHERE \"%s\" < 0"
                                        % (col, tbl, col)):
                    addrs.add(v & (2**64 - 1))
        for (a,) in con.execute("SELECT DISTINCT address FROM frames"):
            addrs.add(int(a, 16))
        con.close()
    return addrs


def trim(kallsyms, addrs):
    lines = kallsyms.decode().splitlines()
    entries = sorted(set(int(l.split()[0], 16) for l in lines if l.strip()))
    keep = set()
    for a in addrs:
        i = bisect.bisect_right(entries, a) - 1
        if i >= 0:
            keep.add(entries[i])
            if i + 1 < len(entries):
                keep.add(entries[i + 1])
    out = [l for l in lines if l.strip() and int(l.split()[0], 16) in keep]
    return ("\n".join(out) + "\n").encode()


def main(mmtriage, src, dst):
    data = open(src, "rb").read()
    page, at, kallsyms, pointers, end = layout(data)
    new = trim(kallsyms, used_addresses(mmtriage, src))
    shift = (len(kallsyms) - len(new)) // page * page
    new = new + b"\n" * (len(kallsyms) - shift - len(new))
    out = bytearray(data[:at])
    out += struct.pack(end + "I", len(new)) + new
    tail_at = at + 4 + len(kallsyms)
    out += data[tail_at:]
    moved = -shift
    for p in pointers:
        q = p + moved if p >= tail_at else p
        (off,) = struct.unpack_from(end + "Q", out, q)
        if off >= tail_at:
            struct.pack_into(end + "Q", out, q, off - shift)
    open(dst, "wb").write(out)
    print("%s: kallsyms %d -> %d lines, %d -> %d bytes" % (
        dst, kallsyms.count(b"\n"), new.count(b"\n") - new.count(b"\n\n"),
        len(data), len(out)))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
