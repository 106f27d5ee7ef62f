#!/bin/bash
# profile.sh [SIZE_MB]   (default 20)
#
# Where `mmtriage report` spends its time on a SIZE_MB log built by
# make-biglog.sh (cached in bench/.cache/ like run.sh's): one run pinned to
# one CPU under `perf record --call-graph dwarf`, then
#
#   1. the top 15 functions by self cost (cycles, user and kernel);
#      functions of libsqlite3 that have no symbol in the distribution's
#      library are summed as "libsqlite3.so [functions without symbols]";
#   2. the share of the ingest, analysis and other phases;
#   3. the top 15 call sites in mmtriage by inclusive cost: for each sample,
#      the innermost frame of mmtriage outside core/store.c's wrappers
#      (mmt_store_*, mmt_bind_*), with its inline chain, so that time spent
#      in SQLite is charged to the statement's caller;
#   4. the same two tables for the ingest phase (the parser) alone.
#
# Environment: MMTRIAGE=PATH (default build/mmtriage), BENCH_CPU=N (default 0),
# PROFILE_FREQ=HZ (default 499). Needs perf and addr2line (binutils).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
size=${1:-20}
bin=${MMTRIAGE:-$root/build/mmtriage}
cpu=${BENCH_CPU:-0}
freq=${PROFILE_FREQ:-499}

for tool in perf addr2line taskset python3; do
	command -v "$tool" >/dev/null || { echo "profile.sh: $tool is needed" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "profile.sh: $bin not found; build it first" >&2; exit 2; }

log=$here/.cache/biglog-${size}MB.log
mkdir -p "$here/.cache"
if [ ! -s "$log" ] || [ "$here/make-biglog.sh" -nt "$log" ]; then
	"$here/make-biglog.sh" "$size" "$log.tmp" >&2
	mv "$log.tmp.sources" "$log.sources"
	mv "$log.tmp" "$log"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mmt-profile-XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$bin" "$work/mmtriage"	# addr2line must see the binary that ran

cat "$log" >/dev/null
echo "perf record: mmtriage report -o /dev/null $log ($(stat -c %s "$log") bytes), CPU $cpu, $freq Hz" >&2
TMPDIR=$work taskset -c "$cpu" perf record -q -F "$freq" --call-graph dwarf,16384 \
	-o "$work/perf.data" "$work/mmtriage" report -o /dev/null "$log" 2>&1 |
	grep -v 'is cut off by the end of the file' >&2 || true

perf script -i "$work/perf.data" -F ip,sym,symoff,dso 2>/dev/null >"$work/perf.script"

python3 - "$work/perf.script" "$work/mmtriage" "$root" <<'PY'
import collections, os, subprocess, sys

script, binary, root = sys.argv[1], sys.argv[2], sys.argv[3] + "/"
self_cost = collections.Counter()
sites = collections.Counter()
phases = collections.Counter()
ingest_self = collections.Counter()
ingest_sites = collections.Counter()
n = 0
a2l_cache = {}

def a2l(addr):
    if addr not in a2l_cache:
        out = subprocess.run(["addr2line", "-f", "-i", "-p", "-e", binary, "0x" + addr],
                             capture_output=True, text=True).stdout.strip().split("\n")
        chain = []
        for x in out:
            x = x.replace(" (inlined by) ", "").replace(root, "")
            chain.append(x.split(" (discriminator")[0])
        a2l_cache[addr] = " <- ".join(chain)
    return a2l_cache[addr]

for block in open(script, errors="replace").read().split("\n\n"):
    frames = []
    for line in block.strip().split("\n"):
        f = line.split()
        if len(f) >= 3:
            dso = f[-1].strip("()")
            frames.append((f[0], " ".join(f[1:-1]), dso))
    if not frames:
        continue
    n += 1
    ip, sym, dso = frames[0]
    name = sym.rsplit("+0x", 1)[0]
    for ip2, sym2, dso2 in frames:      # an inlined frame: its library is
        if dso2 != "inlined":           # that of the next real frame
            dso = dso2
            break
    lib = os.path.basename(dso)
    if name == "[unknown]":
        name = "[functions without symbols]"
    self_cost["%s  (%s)" % (name, lib)] += 1
    names = {f[1].rsplit("+0x", 1)[0] for f in frames}
    in_ingest = "mmt_ingest_paths" in names
    if in_ingest:
        phases["ingest: parse and store the log (mmt_ingest_paths)"] += 1
        ingest_self["%s  (%s)" % (name, lib)] += 1
    elif "mmt_analyze" in names:
        phases["analyze: analyzers and findings (mmt_analyze)"] += 1
    else:
        phases["other: rendering, set-up, removal of the database"] += 1
    for ip, sym, dso in frames:
        if dso == binary:
            fn = sym.rsplit("+0x", 1)[0].replace(" (inlined)", "")
            if fn.startswith(("mmt_store_", "mmt_bind_")):
                continue
            sites[a2l(ip)] += 1
            if in_ingest:
                ingest_sites[a2l(ip)] += 1
            break
    else:
        sites["(no mmtriage frame: start-up, exit or an unwinding failure)"] += 1

print("samples: %d" % n)
print("\nphases")
for k, c in phases.most_common():
    print("  %5.1f%%  %s" % (100.0 * c / n, k))
print("\ntop 15 functions by self cost")
for k, c in self_cost.most_common(15):
    print("  %5.1f%%  %s" % (100.0 * c / n, k))
print("\ntop 15 call sites in mmtriage by inclusive cost (SQLite time charged to its caller)")
for k, c in sites.most_common(15):
    print("  %5.1f%%  %s" % (100.0 * c / n, k))
m = sum(ingest_self.values())
if m:
    print("\ningest phase alone (%d samples): top 15 functions by self cost, %% of the phase" % m)
    for k, c in ingest_self.most_common(15):
        print("  %5.1f%%  %s" % (100.0 * c / m, k))
    print("\ningest phase alone: top 15 call sites in mmtriage, % of the phase")
    for k, c in ingest_sites.most_common(15):
        print("  %5.1f%%  %s" % (100.0 * c / m, k))
PY
