#!/usr/bin/python3
"""Helper for recipes/hostile-comm.sh and recipes/capture-hostile.sh: writers
and readers with hostile process names, a writer of hostile /dev/kmsg records,
and a raw reader of /dev/kmsg.

Modes:
  names                    print the table of names: INDEX LABEL HEX (ASCII only)
  writer INDEX PATH        set comm to name INDEX with prctl(PR_SET_NAME), then
                           rewrite the first 4 KiB of PATH every 50 ms (blocks
                           in pwrite(2) once PATH's filesystem is frozen)
  cap-names                the names of capture-hostile: KIND INDEX LABEL HEX,
                           KIND "w" (writers), "r" (readers) or "h" (the hog)
  cap-writer INDEX PATH    writer with capture-hostile's writer name INDEX
  cap-reader INDEX PATH MIBPS
                           set comm to capture-hostile's reader name INDEX,
                           then read PATH from start to end, 1 MiB at a time,
                           at MIBPS MiB/s, again and again
  cap-hog CGROOT LIMIT_MB  create capture-hostile's nested memory cgroup under
                           CGROOT (two hostile directory names) with a limit of
                           LIMIT_MB, allocate in it with a hostile name until
                           the OOM killer kills the task, remove the cgroup
  cap-cgroup-rm CGROOT     kill what is left in that cgroup, remove it
  kmsg-write TAG           write capture-hostile's records into /dev/kmsg, one
                           open/write/close each (the default ratelimit of
                           /dev/kmsg counts per open file), then print, in
                           ASCII only, each record's label, the bytes written
                           or the error, and the length of the record the
                           kernel stored (read back from /dev/kmsg)
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

# capture-hostile: writers blocked on the frozen filesystem (hung-task
# reports, D-state switches in the trace) ...
CAP_WRITERS = [
    ("html-script", b"<script>alert(1"),       # HTML script element
    ("html-img", b"<img onerror=x>"),          # HTML event handler attribute
    ("html-entity", b"&amp;\"q'&lt;x"),        # entities and both quotes
    ("ansi-clear", b"\x1b[2J\x1b[Hcls"),        # CSI 2J (clear screen), CSI H (home)
    ("osc8-link", b"\x1b]8;;evil\x07hi"),      # OSC 8 hyperlink opener, BEL-terminated
    ("cr-bs-bel", b"safe\rEVIL\b\x07"),        # CR, backspace, BEL
    ("markdown", b"**b**|`c`[x](y)"),          # emphasis, table pipe, code, link
    ("bad-utf8", b"bad\xff\xc0\x80\xe2\x82"),  # 0xff, overlong NUL, cut 3-byte sequence
    ("rlo", b"evil\xe2\x80\xaetxt.sh"),        # U+202E RIGHT-TO-LEFT OVERRIDE
    ("bidi-isolate", b"\xe2\x81\xa7rtl\xe2\x81\xa9\xe2\x80\x8f"),  # U+2067 RLI, U+2069 PDI, U+200F RLM
]
# ... and readers in a small memory cgroup (reclaim events in the trace).
CAP_READERS = [
    ("html-table", b"</td><td>rd"),            # closes and opens a table cell
    ("pipe-sgr-bad", b"rd\xfe|\x1b[7m|"),      # invalid byte, pipes, SGR reverse video
]

for _label, _name in NAMES + CAP_WRITERS + CAP_READERS:
    assert 0 < len(_name) < TASK_COMM_LEN and b"\0" not in _name, _label

# ... and a task that allocates until the OOM killer of its memory cgroup
# kills it; the cgroup's path holds two hostile directory names.
CAP_HOG = b'"><svg onload=x'                  # closes an attribute, opens an SVG handler
CAP_CGROUP_DIRS = [
    b"<img src=x onerror=alert(1)><svg><script>alert('c')&amp;" + b"<&" * 64
    + " שלום עולם".encode(),                  # Hebrew: right-to-left text
    b"\x1b[2J\x1b]8;;https:evil.example\x07link\x1b]8;;\x07 **x** | `y` [a](b) "
    b"\xe2\x80\xae evil \xff\xfe end" + b" word" * 30,
]
for _d in CAP_CGROUP_DIRS:  # a directory name: no '/', no newline
    assert len(_d) <= 255 and b"/" not in _d and b"\n" not in _d and b"," not in _d

# The kernel refuses a write to /dev/kmsg longer than PRINTKRB_RECORD_MAX
# (1024) bytes and stores at most 1023 bytes of text.
KMSG_MAX = 1024


def cap_records(tag, pid):
    """(label, bytes to write) of capture-hostile's /dev/kmsg records."""
    head = b"%s[%d]: " % (tag.encode(), pid)
    long_words = head + b"long line:"
    i = 0
    while len(long_words) < KMSG_MAX:
        long_words += b" opt%03d=<v&%d>" % (i, i)
        i += 1
    long_words = long_words[:KMSG_MAX]
    forged = (b"INFO: task <img src=x onerror=alert(1)>" + b"<&" * 470)
    forged = forged[:KMSG_MAX - 48] + b":%d blocked for more than 10 seconds." % pid
    return [
        ("html", head + b"upload of \"<img src=x onerror=alert(document.domain)>\" "
         b"failed: <script>alert('x')</script> &amp; &lt;b&gt; "
         b"<a href=\"javascript:alert(1)\">link</a>\n"),
        ("escapes", head + b"status \x1b[2J\x1b[H\x1b]8;;http://evil.example/\x07click"
         b"\x1b]8;;\x07 \x1b[1;31mRED\x1b[0m bell\x07 cr\rOVERWRITE back\b\b\bX "
         b"tab\there del\x7f c1\xc2\x9b31m rlo\xe2\x80\xaetxt.exe bad\xff\xfe\n"),
        ("markdown", head + b"**bold** | col | `code` [x](javascript:alert(1)) "
         b"![i](http://evil.example/x.png) # not a heading <!-- c -->\n"),
        ("too-long", long_words + b"\n"),         # 1025 bytes: refused
        ("longest", long_words),                  # 1024 bytes, no newline
        ("forged-header", forged + b"\n"),
    ]


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


def cmd_writer(index, path, names=NAMES):
    set_comm(names[int(index)][1])
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    buf = b"w" * 4095 + b"\n"
    while True:
        os.pwrite(fd, buf, 0)
        time.sleep(0.05)


def cmd_cap_names():
    for kind, table in (("w", CAP_WRITERS), ("r", CAP_READERS), ("h", [("hog", CAP_HOG)])):
        for i, (label, name) in enumerate(table):
            print(kind, i, label, name.hex())


def cmd_cap_reader(index, path, mibps):
    set_comm(CAP_READERS[int(index)][1])
    pause = 1.0 / float(mibps)
    while True:
        with open(path, "rb", buffering=0) as f:
            while f.read(1 << 20):
                time.sleep(pause)


def cap_cgroup_path(root):
    return os.path.join(root.encode(), *CAP_CGROUP_DIRS)


def cmd_cap_hog(root, limit_mb):
    """Create the nested cgroup under root, run the hog in it until the OOM
    killer kills it, remove the cgroup; print what happened, in ASCII."""
    path = os.path.join(root.encode(), CAP_CGROUP_DIRS[0])
    os.mkdir(path)
    path = cap_cgroup_path(root)
    os.mkdir(path)
    with open(os.path.join(path, b"memory.limit_in_bytes"), "w") as f:
        f.write(str(int(limit_mb) << 20))
    pid = os.fork()
    if pid == 0:
        try:
            with open(os.path.join(path, b"cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
            set_comm(CAP_HOG)
            chunks = []
            for _ in range(512):  # at most 512 MiB, should the limit not hold
                chunks.append(bytearray(b"\1" * (1 << 20)))
                time.sleep(0.01)
            time.sleep(30)
        finally:
            os._exit(1)
    for _ in range(300):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        done, status = os.waitpid(pid, 0)
    print("cap-hog: pid %d, %s" % (pid, "killed by signal %d" % os.WTERMSIG(status)
                                   if os.WIFSIGNALED(status) else
                                   "exited %d" % os.WEXITSTATUS(status)))
    cmd_cap_cgroup_rm(root)


def cmd_cap_cgroup_rm(root):
    """Kill what is left in the nested cgroup and remove it, innermost first."""
    path = cap_cgroup_path(root)
    for d in (path, os.path.dirname(path)):
        if not os.path.isdir(d):
            continue
        for _ in range(50):
            with open(os.path.join(d, b"cgroup.procs")) as f:
                pids = [int(x) for x in f.read().split()]
            for p in pids:
                try:
                    os.kill(p, 9)
                except ProcessLookupError:
                    pass
            try:
                os.rmdir(d)
                break
            except OSError:
                time.sleep(0.1)
    print("cap-cgroup: %s" % ("removed" if not os.path.isdir(
        os.path.dirname(path)) else "LEFT IN PLACE"))


def cmd_kmsg_write(tag):
    pid = os.getpid()
    written = []
    for label, rec in cap_records(tag, pid):
        fd = os.open("/dev/kmsg", os.O_WRONLY)
        try:
            n = os.write(fd, rec)
            print("kmsg-write: %s: %d bytes written of %d" % (label, n, len(rec)))
            written.append((label, rec))
        except OSError as e:
            print("kmsg-write: %s: %d bytes refused: %s" % (label, len(rec), e.strerror))
        finally:
            os.close(fd)
    # Read the records back: the text the kernel stored, unescaped.
    stored = []
    for r in read_kmsg():
        fields, text = split_record(r)
        raw = ESC_RE.sub(lambda m: bytes([int(m.group(1), 16)]), text)
        if (b"[%d]: " % pid) in raw or (b":%d blocked" % pid) in raw:
            stored.append((fields, raw))
    for (label, rec), (fields, raw) in zip(written, stored[-len(written):]):
        want = rec.rstrip(b"\n")
        print("kmsg-write: %s: seq %s, record %d bytes, %s" % (
            label, fields[1].decode(), len(raw),
            "as written" if raw == want else "first %d bytes of the %d written" % (
                len(raw), len(want)) if want.startswith(raw) else "DIFFERENT"))


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
    elif mode == "cap-names":
        cmd_cap_names()
    elif mode == "cap-writer" and len(args) == 2:
        cmd_writer(*args, names=CAP_WRITERS)
    elif mode == "cap-reader" and len(args) == 3:
        cmd_cap_reader(*args)
    elif mode == "cap-hog" and len(args) == 2:
        cmd_cap_hog(*args)
    elif mode == "cap-cgroup-rm" and len(args) == 1:
        cmd_cap_cgroup_rm(*args)
    elif mode == "kmsg-write" and len(args) == 1:
        cmd_kmsg_write(*args)
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
