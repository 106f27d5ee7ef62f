#!/usr/bin/env bash
# A folder of numbered copies of /proc/vmstat (this machine's, taken now)
# is one series: times from the files' modification times, rates between
# consecutive copies, and equal copies still count as samples. Loose meminfo
# and slabinfo files give caches their share of memory.
. "$(dirname "$0")/lib.sh"

[ -r /proc/vmstat ] || { echo "no /proc/vmstat here"; exit 77; }
mkdir "$T/copies"
for i in 1 2 3; do
	cat /proc/vmstat >"$T/copies/vmstat.$i"
	sleep 0.3
done
cp -p "$T/copies/vmstat.3" "$T/copies/vmstat.4"	# same content, same time
DB=$T/copies.db
expect_ok ingest -d "$DB" "$T/copies"
[ "$(grep -c ': vmstat (vmstat): 1 samples$' "$OUT")" = 4 ] || fail "4 copies ingested"
[ "$(sql "$DB" "SELECT count(DISTINCT series) FROM snapshots")" = 1 ] || fail "one series"
[ "$(sql "$DB" "SELECT group_concat(DISTINCT clock) FROM snapshots")" = mtime ] ||
	fail "times from mtime"
[ "$(sql "$DB" "SELECT count(*) FROM vmstat WHERE key = 'pgfault' AND rate IS NOT NULL")" = 2 ] ||
	fail "rates between the three copies taken apart"
[ "$(sql "$DB" "SELECT count(*) FROM vmstat WHERE rate < 0")" = 0 ] || fail "negative rate"
# The pgfault rate of copy 2 is its difference over the time between the files.
want=$(python3 - "$T/copies" <<'PY'
import os, sys
d = sys.argv[1]
def v(i):
    for line in open(f"{d}/vmstat.{i}"):
        k, n = line.split()
        if k == "pgfault":
            return int(n)
t = lambda i: os.stat(f"{d}/vmstat.{i}").st_mtime_ns / 1e9
print((v(2) - v(1)) / (t(2) - t(1)))
PY
)
got=$(sql "$DB" "SELECT rate FROM vmstat WHERE key = 'pgfault' AND rate IS NOT NULL
	ORDER BY ts LIMIT 1")
# Unix seconds in a double keep about 0.2 us: within 1e-5 of the rate over 0.3 s.
awk -v a="$got" -v b="$want" 'BEGIN { d = (a - b) / b; exit !(d < 1e-5 && d > -1e-5) }' ||
	fail "pgfault rate $got, expected $want"

# Loose files of one machine: a cache's share of memory uses its MemTotal.
[ -r /proc/slabinfo ] || { echo "no /proc/slabinfo here"; exit 77; }
cat /proc/meminfo >"$T/meminfo"
cat /proc/slabinfo >"$T/slabinfo"
DB=$T/loose.db
expect_ok ingest -q -d "$DB" "$T/meminfo" "$T/slabinfo"
memtotal=$(awk '/^MemTotal/ {print $2}' "$T/meminfo")
[ "$(sql "$DB" "SELECT count(*) FROM slab WHERE abs(share - bytes / ($memtotal * 1024.0)) < 1e-12")" = \
	"$(sql "$DB" "SELECT count(*) FROM slab")" ] || fail "slab share over MemTotal"
echo ok
