#!/usr/bin/env python3
"""Seeds for the fuzz targets, cut out of the real files of samples/ (and of
../shared/corpus when it is there): every file is ingested once to learn its
format, then cut at line boundaries into pieces small enough to mutate
quickly. Traces become small version 6 trace.dat files.

usage: seeds.py MMTRIAGE SOURCE_DIR OUT_DIR"""
import csv
import io
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile

import trim_trace_dat

PIECE = 4096          # bytes of a text seed (the targets' -max_len)
PIECES = 24           # pieces kept of one file, spread over it
SHARED_EVERY = 4       # the line readers get every fourth piece of the formats they share
TEXT_TARGETS = {"stack": {"kernel_log", "crash"},
                "escape": {"kernel_log", "trace_text", "perf_script"}}


def gather(src, work):
    """Every sample file in work/, tarballs unpacked; the slab listing of this machine."""
    for sample in sorted(os.listdir(os.path.join(src, "samples"))):
        top = os.path.join(src, "samples", sample)
        if not os.path.isdir(top) or sample in ("lab", "recipes"):
            continue
        dest = os.path.join(work, sample)
        shutil.copytree(top, dest, ignore=shutil.ignore_patterns("README.md", "*.tar.*"))
        for name in os.listdir(top):
            if ".tar." in name:
                subprocess.run(["tar", "-xf", os.path.join(top, name), "-C", dest], check=True)
    corpus = os.path.join(src, "..", "shared", "corpus")
    if os.path.isdir(corpus):
        shutil.copytree(corpus, os.path.join(work, "corpus"), symlinks=True)
    if os.path.isdir("/sys/kernel/slab"):
        listing = subprocess.run(["ls", "-l", "/sys/kernel/slab"], capture_output=True)
        with open(os.path.join(work, "slab-listing.txt"), "wb") as f:
            f.write(listing.stdout)


def kinds(mmt, work):
    """(kind, path) of every file ingest recognised."""
    db = os.path.join(work, ".seeds.db")
    subprocess.run([mmt, "ingest", "-q", "--lenient", "-d", db, work],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = subprocess.run([mmt, "sql", "-d", db, "--csv",
                          "SELECT kind, path FROM sources ORDER BY path"],
                         capture_output=True, text=True, check=True).stdout
    rows = list(csv.reader(io.StringIO(out)))[1:]
    return [(k, p) for k, p in rows if os.path.isfile(p)]


def pieces(data):
    """Line-aligned pieces of at most PIECE bytes, PIECES of them spread over data."""
    cuts, at = [], 0
    while at < len(data):
        end = min(at + PIECE, len(data))
        if end < len(data):
            nl = data.rfind(b"\n", at, end)
            end = nl + 1 if nl > at else end
        cuts.append(data[at:end])
        at = end
    if len(cuts) <= PIECES:
        return cuts
    step = len(cuts) / PIECES
    return [cuts[int(i * step)] for i in range(PIECES)]


def save(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def trace_seed(path, work):
    """A small version 6 trace.dat from a trace of any version."""
    v6 = os.path.join(work, ".v6.dat")
    conv = subprocess.run(["trace-cmd", "convert", "--file-version", "6", "--compression",
                           "none", "-i", path, "-o", v6], capture_output=True)
    if conv.returncode != 0:
        return None
    report = subprocess.run(["trace-cmd", "report", "-i", v6], capture_output=True,
                            text=True, errors="replace").stdout.splitlines()[:3000]
    keep = {w[:-1] for line in report for w in line.split()[3:5] if w.endswith(":")}
    try:
        return trim_trace_dat.trim(open(v6, "rb").read(), keep, 1)
    except ValueError:
        return None


def masks_seeds(out, logs):
    """GFP masks as logs print them: 8 bytes of mask, release, names, a CPU mask."""
    import re
    found = set()
    for data in logs:
        for m in re.finditer(rb"gfp_mask=0x([0-9a-f]+)\(([^)]*)\)", data):
            found.add((int(m.group(1), 16), m.group(2)))
    for i, (mask, names) in enumerate(sorted(found)[:64]):
        seed = struct.pack("<Q", mask) + b"6.1.0-28-amd64\0" + names + b"\0" + b"00000000,00000003"
        save(out, "masks", "gfp-%d" % i, seed)
    save(out, "masks", "old", struct.pack("<Q", 0x200d2) + b"3.10.0\0GFP_HIGHUSER_MOVABLE\0" + b"3")


def tar_seeds(out, files):
    """Small archives of real files, as a sosreport or capture tarball holds them."""
    for i, (name, data) in enumerate(files[:8]):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
            info = tarfile.TarInfo("capture/" + name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
            link = tarfile.TarInfo("capture/link")
            link.type, link.linkname = tarfile.SYMTYPE, name
            t.addfile(link)
        save(out, "tar", "tar-%d" % i, buf.getvalue())


def vmcore_seeds(src, out):
    """The headers and notes of real dumps (samples/vmcore-*/vmcore-head.bin)."""
    for top, _, names in os.walk(os.path.join(src, "samples")):
        for name in names:
            if name == "vmcore-head.bin":
                data = open(os.path.join(top, name), "rb").read()
                save(out, "vmcore", os.path.basename(top), data)


def main():
    mmt, src, out = sys.argv[1:4]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    with tempfile.TemporaryDirectory(prefix="mmt-seeds-") as work:
        gather(src, work)
        logs, small = [], []
        for n, (kind, path) in enumerate(kinds(mmt, work)):
            data = open(path, "rb").read()
            if kind == "trace_dat":
                seed = trace_seed(path, work)
                if seed:
                    save(out, kind, "%d" % n, seed)
                    save(out, "sniff", "%d" % n, seed)
                continue
            if kind == "kernel_log":
                logs.append(data)
            cut = pieces(data)
            for i, piece in enumerate(cut):
                save(out, kind, "%d-%d" % (n, i), piece)
                for target, wanted in TEXT_TARGETS.items():
                    if kind in wanted and i % SHARED_EVERY == 0:
                        save(out, target, "%d-%d" % (n, i), piece)
            save(out, "sniff", "%d" % n, cut[0])
            small.append((os.path.basename(path), cut[0]))
        masks_seeds(out, logs)
        tar_seeds(out, small)
        vmcore_seeds(src, out)
    for target in sorted(os.listdir(out)):
        print("%-14s %5d seeds" % (target, len(os.listdir(os.path.join(out, target)))))


if __name__ == "__main__":
    main()
