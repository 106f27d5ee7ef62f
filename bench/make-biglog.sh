#!/bin/sh
# make-biglog.sh SIZE_MB OUT
#
# Builds a kernel log of at least SIZE_MB MiB (SIZE_MB * 1048576 bytes) by
# concatenating real kernel logs, repeated as often as needed:
#
#   - samples/*/dmesg.txt of this repository (real captures);
#   - when a corpus directory exists ($MMT_CORPUS_DIR, else /work/shared/corpus,
#     else $MMT_SOURCE_DIR/../shared/corpus):
#       syzkaller/linux/report/*  the body after the header block, i.e. after
#                                 the first blank line;
#       lkml/**, squad/**         whole files; with the corpus' MANIFEST.tsv
#                                 only files of a kernel-log kind (oops,
#                                 lockdep, hung_task, rcu_stall, soft_lockup,
#                                 oom, sysrq, alloc_failure), so /proc
#                                 snapshots, slabtop screens and ftrace text
#                                 are left out.
#
# No line is invented or edited except for printk timestamps: every
# "[  SECONDS.FRACTION]" gets a whole number of seconds added, chosen per
# file so that the file starts at least one second after the largest
# timestamp written before it (zero for the first file, never negative).
# The fraction digits and everything else on the line stay byte-identical;
# the seconds are right-aligned in the original field width as printk does
# ("%5lu"), growing when they need more digits. Timestamps therefore
# increase from file to file and from repetition to repetition; inside one
# file they keep their original order (console logs of SMP machines are not
# always sorted). A newline is added after a file that does not end with one.
#
# Output is cut after the line that reaches the requested size. For a given
# SIZE_MB and the same input files the output is byte-identical. The list of
# inputs (path, bytes, timestamps) is written to OUT.sources.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 SIZE_MB OUT" >&2
	exit 2
fi
size_mb=$1
out=$2
case $size_mb in
	''|*[!0-9]*|0) echo "$0: SIZE_MB must be a positive integer" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
src=${MMT_SOURCE_DIR:-$(dirname "$here")}
corpus=${MMT_CORPUS_DIR:-}
if [ -z "$corpus" ]; then
	for c in /work/shared/corpus "$src/../shared/corpus"; do
		if [ -d "$c" ]; then corpus=$c; break; fi
	done
fi

exec python3 - "$size_mb" "$out" "$src" "$corpus" <<'PY'
import os, re, sys

size_mb, out, src, corpus = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
target = size_mb * 1048576
LOG_KINDS = {b"oops", b"lockdep", b"hung_task", b"rcu_stall", b"soft_lockup",
             b"oom", b"sysrq", b"alloc_failure"}

def files_under(d):
    res = []
    for root, dirs, names in os.walk(d):
        dirs.sort()
        for n in sorted(names):
            res.append(os.path.join(root, n))
    return res

inputs = []          # (path, bytes of the log body)
sdir = os.path.join(src, "samples")
if os.path.isdir(sdir):
    for d in sorted(os.listdir(sdir)):
        p = os.path.join(sdir, d, "dmesg.txt")
        if os.path.isfile(p):
            inputs.append((p, open(p, "rb").read()))

if corpus and os.path.isdir(corpus):
    kinds = None
    man = os.path.join(corpus, "MANIFEST.tsv")
    if os.path.isfile(man):
        kinds = {}
        for row in open(man, "rb").read().split(b"\n")[1:]:
            f = row.split(b"\t")
            if len(f) >= 6:
                kinds[f[0].decode()] = f[5]
    def is_log(p):
        if kinds is None:
            return True
        return kinds.get(os.path.relpath(p, corpus)) in LOG_KINDS
    rep = os.path.join(corpus, "syzkaller", "linux", "report")
    if os.path.isdir(rep):
        for p in sorted(os.listdir(rep), key=lambda n: (len(n), n)):
            data = open(os.path.join(rep, p), "rb").read()
            # The header block (TITLE:, TYPE:, comments ...) ends at the
            # first blank line; the console output follows it.
            m = re.search(rb"\r?\n\r?\n", data)
            if data.startswith(b"\n"):
                body = data[1:]
            elif m:
                body = data[m.end():]
            else:
                continue
            if body:
                inputs.append((os.path.join(rep, p), body))
    for sub in ("lkml", "squad"):
        d = os.path.join(corpus, sub)
        if os.path.isdir(d):
            for p in files_under(d):
                if is_log(p):
                    inputs.append((p, open(p, "rb").read()))

if not inputs:
    sys.exit("make-biglog.sh: no input logs found")

# Split every input into pieces: literal bytes, then (seconds, width) of a
# timestamp whose seconds get the offset. Every "[ SECONDS.FRACTION]" is a
# printk timestamp, including those of messages that ran into another line.
TS = re.compile(rb"\[( *)(\d+)(?=\.\d+\])")

files = []            # (pieces, lits, secs, widths, min, max)
listing = []
for path, data in inputs:
    if not data.endswith(b"\n"):
        data += b"\n"
    lits, secs, widths = [], [], []
    pos = 0
    for m in TS.finditer(data):
        lits.append(data[pos:m.start(1)])
        secs.append(int(m.group(2)))
        widths.append(len(m.group(1)) + len(m.group(2)))
        pos = m.end(2)
    lits.append(data[pos:])
    files.append((lits, secs, widths, min(secs) if secs else 0,
                  max(secs) if secs else 0, len(data)))
    listing.append("%s\t%d\t%d" % (os.path.relpath(path, src) if path.startswith(src) else path,
                                   len(data), len(secs)))

cycle_bytes = sum(f[5] for f in files)
written = 0
last = -1            # largest seconds value written so far
with open(out, "wb", buffering=1 << 20) as fo:
    done = False
    while not done:
        for lits, secs, widths, lo, hi, nbytes in files:
            off = max(0, last + 1 - lo) if secs else 0
            parts = [None] * (2 * len(secs) + 1)
            parts[0::2] = lits
            parts[1::2] = [str(s + off).rjust(w).encode()
                           for s, w in zip(secs, widths)]
            buf = b"".join(parts)
            if written + len(buf) >= target:
                # Last file: cut after the line that reaches the target.
                cut = buf.find(b"\n", target - written - 1)
                buf = buf[:cut + 1]
                done = True
            fo.write(buf)
            written += len(buf)
            if secs:
                last = hi + off
            if done:
                break

with open(out + ".sources", "w") as fs:
    fs.write("# path\tbytes\ttimestamps  (one cycle = %d bytes; output %d bytes, %.2f cycles)\n"
             % (cycle_bytes, written, written / cycle_bytes))
    fs.write("\n".join(listing) + "\n")
sys.stderr.write("make-biglog.sh: %s: %d bytes from %d real logs (%d bytes per cycle, %.2f cycles)\n"
                 % (out, written, len(files), cycle_bytes, written / cycle_bytes))
PY
