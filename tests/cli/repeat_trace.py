#!/usr/bin/env python3
"""A long ftrace text made of a real one (t130, t131).

usage: repeat_trace.py TRACE.txt COPIES > OUT.txt

Writes TRACE's header once, then its events COPIES times, each copy's
timestamps moved past the end of the one before (by the trace's span plus
a second), so the result reads as one longer recording of the same kind.
"""
import re
import sys

STAMP = re.compile(r"(\s)(\d+)\.(\d{6}):")


def micros(m):
    return int(m.group(2)) * 1000000 + int(m.group(3))


def main():
    src, copies = sys.argv[1], int(sys.argv[2])
    with open(src) as f:
        lines = f.readlines()
    head = [l for l in lines if l.startswith("#")]
    body = [l for l in lines if not l.startswith("#")]
    stamps = [micros(m) for m in map(STAMP.search, body) if m]
    span = max(stamps) - min(stamps) + 1000000
    out = sys.stdout
    out.writelines(head)
    for k in range(copies):
        for line in body:
            m = STAMP.search(line)
            if m:
                v = micros(m) + k * span
                line = "%s%s%d.%06d:%s" % (line[:m.start()], m.group(1), v // 1000000,
                                           v % 1000000, line[m.end():])
            out.write(line)


if __name__ == "__main__":
    main()
