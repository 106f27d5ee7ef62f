#!/usr/bin/env python3
"""Cuts a version 6 trace.dat down to a fuzz seed: the formats of the events
its first pages use (KEEP names them, one a line), no ftrace formats, no
kallsyms or printk formats, and the first PAGES pages of each CPU.

usage: trim_trace_dat.py IN OUT KEEP [PAGES]"""
import struct
import sys


class Reader:
    def __init__(self, data):
        self.d, self.at = data, 0

    def take(self, n):
        b = self.d[self.at:self.at + n]
        if len(b) != n:
            raise ValueError("truncated at byte %d" % self.at)
        self.at += n
        return b

    def num(self, n):
        return int.from_bytes(self.take(n), "little")

    def cstr(self):
        end = self.d.index(b"\0", self.at)
        s = self.d[self.at:end]
        self.at = end + 1
        return s

    def sized(self, n):
        return self.take(self.num(n))


def event_name(fmt):
    for line in fmt.split(b"\n"):
        if line.startswith(b"name: "):
            return line[6:].strip().decode(errors="replace")
    return ""


def trim(data, keep, pages):
    r, out = Reader(data), bytearray()
    out += r.take(10)
    version = r.cstr()
    if version != b"6":
        raise ValueError("version %r, not 6" % version)
    out += b"6\0" + r.take(2)
    page = r.num(4)
    out += struct.pack("<I", page)
    for _ in range(2):  # header_page, header_event
        name = r.cstr()
        body = r.sized(8)
        out += name + b"\0" + struct.pack("<Q", len(body)) + body
    for _ in range(r.num(4)):  # ftrace formats: dropped
        r.sized(8)
    out += struct.pack("<I", 0)
    systems = []
    for _ in range(r.num(4)):
        system = r.cstr()
        fmts = [r.sized(8) for _ in range(r.num(4))]
        fmts = [f for f in fmts if event_name(f) in keep]
        if fmts:
            systems.append((system, fmts))
    out += struct.pack("<I", len(systems))
    for system, fmts in systems:
        out += system + b"\0" + struct.pack("<I", len(fmts))
        for f in fmts:
            out += struct.pack("<Q", len(f)) + f
    r.sized(4)  # kallsyms
    r.sized(4)  # printk formats
    out += struct.pack("<I", 0) + struct.pack("<I", 0)
    cmdlines = r.sized(8)[:2048]
    cmdlines = cmdlines[:cmdlines.rfind(b"\n") + 1]
    out += struct.pack("<Q", len(cmdlines)) + cmdlines
    cpus = r.num(4)
    out += struct.pack("<I", cpus)
    kind = r.take(10)
    if kind == b"options  \0":
        out += kind
        while True:
            opt = r.num(2)
            out += struct.pack("<H", opt)
            if opt == 0:
                break
            body = r.sized(4)
            out += struct.pack("<I", len(body)) + body
        kind = r.take(10)
    out += kind
    spans = [(r.num(8), r.num(8)) for _ in range(cpus)]
    clock = r.sized(8) if kind == b"flyrecord\0" else None
    table = len(out) + 16 * cpus + (8 + len(clock) if clock is not None else 0)
    at = (table + page - 1) // page * page
    bodies = []
    for off, size in spans:
        body = data[off:off + min(size, pages * page)]
        out += struct.pack("<QQ", at, len(body))
        bodies.append((at, body))
        at += (len(body) + page - 1) // page * page
    if clock is not None:
        out += struct.pack("<Q", len(clock)) + clock
    for off, body in bodies:
        out += b"\0" * (off - len(out)) + body
    return bytes(out)


def main():
    data = open(sys.argv[1], "rb").read()
    keep = set(open(sys.argv[3]).read().split())
    pages = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    open(sys.argv[2], "wb").write(trim(data, keep, pages))


if __name__ == "__main__":
    main()
