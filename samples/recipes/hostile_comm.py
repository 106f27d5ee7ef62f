#!/usr/bin/python3
"""Helper for recipes/hostile-comm.sh: writers with hostile process names, and
a raw reader of /dev/kmsg.

Modes:
  names                    print the table of names: INDEX LABEL HEX (ASCII only)
  writer INDEX PATH        set comm to name INDEX with prctl(PR_SET_NAME), then
                           rewrite the first 4 KiB of PATH every 50 ms (blocks
                           in pwrite(2) once PATH's filesystem is frozen)
  comms PID...             print PID, state and the hex bytes of
                           /proc/PID/comm for each PID (ASCII only)
  kmsg-dump OUT BEGIN END  read every record in /dev/kmsg (non-blocking, from
                           the oldest one still in the ring buffer) and write
                           to OUT, byte for byte as read(2) returned them, the
                           records from the first one whose text contains BEGIN
                           to the first later one whose text contains END
  kmsg-text IN OUT         write the records of a kmsg-dump file as
                           "[%5d.%06d] text" lines with the record text
                           unescaped (every \\xNN back to its byte), for a
                           comparison with dmesg --noescape

Nothing in this helper writes a process name or a record text to a terminal:
names are printed in hex.
"""

import ctypes
import errno
import os
import re
import sys
import time

PR_SET_NAME = 15
TASK_COMM_LEN = 16  # 15 bytes + NUL

# (label, bytes). Each at most 15 bytes, no NUL.
NAMES = [
    ("ansi-sgr", b"\x1b[31mRED\x1b[0m"),       # ANSI colour on/off
    ("osc-title", b"\x1b]0;pwned\x07"),        # OSC 0 (window title), BEL-terminated
    ("cr-bs", b"ok\r\bevil"),                  # carriage return + backspace
    ("tab", b"tab\there"),                     # horizontal tab
    ("bad-utf8", b"\xff\xfeinvalid"),          # bytes never valid in UTF-8
    ("c1-csi", b"\xc2\x9b31mC1"),              # U+009B (8-bit CSI) in UTF-8, then "31m"
    ("html", b"<script>x"),                    # HTML tag
    ("markdown", b"*bold*[a](b)`"),            # Markdown emphasis, link, backtick
    ("bell", b"bell\x07"),                     # BEL
]

for _label, _name in NAMES:
    assert 0 < len(_name) < TASK_COMM_LEN and b"\0" not in _name, _label


def set_comm(name):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NAME, ctypes.c_char_p(name), 0, 0, 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    with open("/proc/self/comm", "rb") as f:
        got = f.read().rstrip(b"\n")
    if got != name:
        raise SystemExit("comm is %s, wanted %s" % (got.hex(), name.hex()))


def cmd_names():
    for i, (label, name) in enumerate(NAMES):
        print(i, label, name.hex())


def cmd_writer(index, path):
    set_comm(NAMES[int(index)][1])
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    buf = b"w" * 4095 + b"\n"
    while True:
        os.pwrite(fd, buf, 0)
        time.sleep(0.05)


def cmd_comms(pids):
    for pid in pids:
        try:
            with open("/proc/%s/comm" % pid, "rb") as f:
                comm = f.read().rstrip(b"\n")
            with open("/proc/%s/stat" % pid, "rb") as f:
                stat = f.read()
            state = stat[stat.rindex(b")") + 2:].split()[0].decode()
        except OSError as e:
            print(pid, "gone", e.strerror)
            continue
        print(pid, state, comm.hex())


def read_kmsg():
    """All records currently in the ring buffer, oldest first, as bytes."""
    fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
    recs = []
    try:
        while True:
            try:
                rec = os.read(fd, 65536)
            except BlockingIOError:
                break
            except BrokenPipeError:
                # EPIPE: records were overwritten under us; the next read
                # continues at the oldest one still there.
                continue
            if not rec:
                break
            recs.append(rec)
    finally:
        os.close(fd)
    return recs


def split_record(rec):
    """(prefix fields, text) of one /dev/kmsg record; text is still escaped."""
    head, _, rest = rec.partition(b";")
    text = rest.split(b"\n", 1)[0]
    return head.split(b","), text


def cmd_kmsg_dump(out, begin, end):
    begin_b, end_b = begin.encode(), end.encode()
    recs = read_kmsg()
    keep = []
    on = False
    for rec in recs:
        _fields, text = split_record(rec)
        if not on and begin_b in text:
            on = True
        if on:
            keep.append(rec)
            if end_b in text:
                break
    if not keep or end_b not in split_record(keep[-1])[1]:
        raise SystemExit("kmsg-dump: markers not found in /dev/kmsg")
    seqs = [int(split_record(r)[0][1]) for r in keep]
    gaps = [s for a, s in zip(seqs, seqs[1:]) if s != a + 1]
    with open(out, "wb") as f:
        for rec in keep:
            f.write(rec)
    print("kmsg-dump: %d records, seq %d..%d, %s" % (
        len(keep), seqs[0], seqs[-1],
        "no gaps" if not gaps else "GAPS before seq %s" % gaps))


ESC_RE = re.compile(rb"\\x([0-9a-f]{2})")


def cmd_kmsg_text(inp, out):
    with open(inp, "rb") as f:
        data = f.read()
    lines = []
    for line in data.split(b"\n"):
        if not line or line.startswith(b" "):  # dictionary lines (" KEY=value")
            continue
        fields, text = split_record(line + b"\n")
        usec = int(fields[2])
        raw = ESC_RE.sub(lambda m: bytes([int(m.group(1), 16)]), text)
        lines.append(b"[%5d.%06d] " % (usec // 1000000, usec % 1000000) + raw + b"\n")
    with open(out, "wb") as f:
        f.writelines(lines)


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    mode, args = argv[0], argv[1:]
    if mode == "names":
        cmd_names()
    elif mode == "writer" and len(args) == 2:
        cmd_writer(*args)
    elif mode == "comms":
        cmd_comms(args)
    elif mode == "kmsg-dump" and len(args) == 3:
        cmd_kmsg_dump(*args)
    elif mode == "kmsg-text" and len(args) == 2:
        cmd_kmsg_text(*args)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
