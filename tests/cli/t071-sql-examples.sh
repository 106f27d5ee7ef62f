#!/usr/bin/env bash
# The example queries of docs/sql.md, each run as written on the capture of
# samples/snapshot-series, with what each must answer there.
. "$(dirname "$0")/lib.sh"

DB=$T/cap.db
expect_ok ingest -q -d "$DB" "$SAMPLES/snapshot-series/capture.tar.xz"
awk -v dir="$T" '/^```sql/ { n++; f = dir "/q" n ".sql"; printf "" > f; next }
	/^```/ { f = ""; next } f { print >> f }' "$MMT_SOURCE_DIR/docs/sql.md"
[ -f "$T/q9.sql" ] && [ ! -f "$T/q10.sql" ] || fail "docs/sql.md should hold 9 queries"

# q N: runs query N as CSV into $OUT; rows: its number of rows.
q() { run 0 sql -d "$DB" --csv "$(cat "$T/q$1.sql")"; }
rows() { echo $(($(wc -l <"$OUT") - 1)); }

q 1	# memory over time: one row per sample
[ "$(rows)" = 600 ] || fail "q1: $(rows) rows"
out_has '^2026-11-21 22:27:08,22859,23481,767,93$'

q 2	# reclaim: the cgroup's reclaim scanned pages in 7 samples
[ "$(rows)" = 7 ] || fail "q2: reclaim in $(rows) samples"

q 3	# PSI: some and full per sample
[ "$(rows)" = 1200 ] || fail "q3: $(rows) rows"

q 4	# top caches at the worst moment: ten, largest first, ext4 inodes on top
[ "$(rows)" = 10 ] || fail "q4: $(rows) rows"
[ "$(sed -n 2p "$OUT" | cut -d, -f1)" = ext4_inode_cache ] || fail "q4: largest cache"
grep -q '^lsm_inode_cache,.*,ext4_io_end_vec btrfs_delayed_extent_op$' "$OUT" ||
	fail "q4: merged caches"

q 5	# growth: the 200,000 files grew the inode and dentry caches
[ "$(sed -n 2p "$OUT" | cut -d, -f1)" = ext4_inode_cache ] || fail "q5: top grower"
grep -q '^dentry,' "$OUT" || fail "q5: dentry"

q 6	# IPIs per CPU per sample: 600 for CPU 0, 552 for CPU 1 (48 offline)
[ "$(rows)" = 1152 ] || fail "q6: $(rows) rows"

q 7	# CPUs missing from samples
out_has '^1,552,48$'
out_has '^0,600,0$'

q 8	# zones: lowest free pages and watermarks; none went below min
[ "$(rows)" = 3 ] || fail "q8: $(rows) zones"
awk -F, 'NR > 1 && $3 < $4 { exit 1 }' "$OUT" || fail "q8: a zone below min"

q 9	# the capture's account
[ "$(rows)" = 13 ] || fail "q9: $(rows) files"
! grep -q ',missing,' "$OUT" || fail "q9: a file missing"
echo ok
