#!/usr/bin/env bash
# The tables of the full report, on real samples: slab caches at the worst
# moment with SLUB's merge groups (capture-slab-xfs, and the OOM report's
# "Unreclaimable slab info:" of a log without slab samples), blocked tasks
# by wait class (hung-task-fsfreeze), allocation failures by GFP context
# (corpus logs, when ../shared/corpus is present). Each table in text,
# Markdown and email (within 80 columns), only where it has rows, never in
# --brief; hostile task names escaped in all three.
. "$(dirname "$0")/lib.sh"

SLAB="Slab caches at the worst moment"
BLOCKED="Blocked tasks by wait class"
ALLOCS="Allocation failures by GFP context"

# reports DB: the full report in each human format ($DB.text, ...) and the brief one.
reports() {
	local db=$1 fmt
	for fmt in text markdown email; do
		"$MMT" report -d "$db" -f "$fmt" -o "$db.$fmt" || fail "report -f $fmt -d $db"
		"$MMT" report --brief -d "$db" -f "$fmt" -o "$db.brief.$fmt" ||
			fail "report --brief -f $fmt -d $db"
		! grep -qE "$SLAB|$BLOCKED|$ALLOCS" "$db.brief.$fmt" || fail "$db: a table in --brief"
	done
	awk 'length($0) > 80 { print FILENAME ": " $0; bad = 1 } END { exit bad }' "$db.email" ||
		fail "$db: email over 80 columns"
}

# has FILE PATTERN / lacks FILE PATTERN: grep -E on one output.
has() { grep -Eq -- "$2" "$1" || fail "$1 lacks /$2/"; }
lacks() { ! grep -Eq -- "$2" "$1" || fail "$1 has /$2/"; }

# ---------------------------------------------------------------- slab
cap=$SAMPLES/capture-slab-xfs/capture.tar.xz
db=$T/slab.db
"$MMT" ingest -q -d "$db" "$cap" >/dev/null 2>&1 || fail "ingest $cap"
"$MMT" analyze -d "$db" >/dev/null || fail "analyze $cap"
reports "$db"

# The worst moment as docs/sql.md defines it: the least MemAvailable, then
# the slabinfo sample nearest to it.
worst=$(sql "$db" "SELECT ts FROM meminfo WHERE key = 'MemAvailable' ORDER BY kb, ts LIMIT 1")
at=$(sql "$db" "SELECT ts FROM slab ORDER BY abs(ts - $worst), ts LIMIT 1")
when=$(date -u -d "@${at%.*}" '+%Y-%m-%d %H:%M:%S')
n=$(sql "$db" "SELECT count(DISTINCT ts) FROM slab")
[ "$n" = 40 ] || fail "capture-slab-xfs: $n slab samples, its README says 40"
has "$db.text" "^$SLAB\$"
has "$db.text" "At $when, proc/slabinfo of capture-slab-xfs: slab 3\.0 GiB"
has "$db.text" "sample \(of 40\) nearest the least"
has "$db.text" "MemAvailable"

# The README's peak: xfs_inode 1,955.1 MiB, 2,002,016 objects of 1,024 bytes,
# 0.0811 of MemTotal; the first row of the table.
row='xfs_inode +1\.9 GiB +2,002,016 +1024 B +8\.1% +none'
first=$(grep -A1 '^  cache  ' "$db.text" | tail -1)
[[ "$first" =~ ^\ \ $row$ ]] || fail "first slab row: '$first'"

# Merge groups as the capture's /sys/kernel/slab links them: xfs_inode is a
# directory of its own; buffer_head a link to a ':'-named cache shared
# with others.
tar tvJf "$cap" >"$T/listing"
grep -q ' capture-slab-xfs/sys/kernel/slab/xfs_inode/' "$T/listing" ||
	fail "xfs_inode is not a cache directory in the capture"
target=$(awk '$6 == "capture-slab-xfs/sys/kernel/slab/buffer_head" { print $8 }' "$T/listing")
[ -n "$target" ] || fail "buffer_head is not a link in the capture"
others=$(awk -v t="$target" '$7 == "->" && $8 == t && $6 !~ /\/buffer_head$/ {
	sub(/.*\//, "", $6); print $6 }' "$T/listing" | sort | paste -sd, - | sed 's/,/, /g')
[ -n "$others" ] || fail "nothing shares $target with buffer_head"
has "$db.text" "^  buffer_head +87\.2 MiB .* $others \\($target\\)\$"
has "$db.markdown" '^\| xfs\\_inode \| 1\.9 GiB \| 2,002,016 \| 1024 B \| 8\.1% \| none \|$'
has "$db.markdown" "^## $SLAB\$"
has "$db.email" "^$SLAB\$"
has "$db.email" '^  xfs_inode  1\.9 GiB  2,002,016  1024 B  8\.1%'
has "$db.email" "$others \\($target\\)"
# No blocked task, no allocation failure: no empty heading.
for fmt in text markdown email; do
	lacks "$db.$fmt" "$BLOCKED|$ALLOCS"
done

# --------------------------------------- slab from an OOM report's table
# The capture-guest-xfs-nofs log alone: three OOM reports list unreclaimable
# slab; the largest list (by its Total column) speaks.
tar xJf "$SAMPLES/capture-guest-xfs-nofs/capture.tar.xz" -C "$T" capture-guest-xfs-nofs/dmesg.txt ||
	fail "extract dmesg.txt"
log=$T/capture-guest-xfs-nofs/dmesg.txt
read -r tables line top kb < <(awk '
	function done() { if (start && sum > best) { best = sum; bline = start; bname = name; bkb = kb } }
	/Unreclaimable slab info:/ { done(); n++; start = NR; sum = 0; kb = 0; inside = 1; next }
	{ sub(/^\[[^]]*\] */, "") }
	inside && $1 == "Name" { next }
	inside && NF == 3 && $2 ~ /^[0-9]+KB$/ && $3 ~ /^[0-9]+KB$/ {
		t = $3 + 0; sum += t; if (t > kb) { kb = t; name = $1 }; next }
	{ inside = 0 }
	END { done(); print n, bline, bname, bkb }' "$log")
[ "$tables" = 3 ] || fail "$log: $tables unreclaimable slab tables"
mib=$(awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }')
db=$T/oom.db
"$MMT" ingest -q -d "$db" "$log" >/dev/null 2>&1 || fail "ingest $log"
"$MMT" analyze -d "$db" >/dev/null || fail "analyze $log"
reports "$db"
has "$db.text" "^$SLAB\$"
has "$db.text" "\\(dmesg\\.txt:$line\\) lists unreclaimable"
has "$db.text" "the largest such list of 3 OOM reports"
first=$(grep -A1 '^  cache  ' "$db.text" | sed -n 2p)
[[ "$first" =~ ^\ \ $top\ +${mib//./\\.}\ MiB ]] || fail "first OOM slab row: '$first', want $top $mib MiB"
has "$db.email" "^  $top +${mib//./\\.} MiB"

# ------------------------------------------------------- blocked tasks
# hung-task-fsfreeze: seven writers blocked on the frozen superblock, the
# longest reported at more than 20 s; every log format of the run ingested
# together still counts each task once.
db=$T/fsfreeze.db
"$MMT" ingest -q -d "$db" "$SAMPLES"/hung-task-fsfreeze/dmesg*.txt \
	"$SAMPLES"/hung-task-fsfreeze/journalctl*.txt >/dev/null 2>&1 || fail "ingest fsfreeze"
"$MMT" analyze -d "$db" >/dev/null || fail "analyze fsfreeze"
reports "$db"
sites='vfs_write 3, mnt_want_write 3, ext4_page_mkwrite 1'
has "$db.text" "^$BLOCKED\$"
has "$db.text" "^  fs_freeze +7 +20 s +$sites +sh:16520, fsync-writer:16523, mmap-writer:16525, dd:16532 and 3 more\$"
has "$db.markdown" '^\| fs\\_freeze \| 7 \| 20 s \| vfs\\_write 3, mnt\\_want\\_write 3, ext4\\_page\\_mkwrite 1 \|'
has "$db.email" "^  fs_freeze  7  20 s  $sites\$"
for fmt in text markdown email; do
	lacks "$db.$fmt" "$SLAB|$ALLOCS"
done

# Hostile task names: escaped in each format's table.
db=$T/hostile.db
"$MMT" ingest -q --lenient -d "$db" "$SAMPLES/hostile-comm/dmesg-noescape.txt" >/dev/null 2>&1 ||
	fail "ingest hostile-comm"
"$MMT" analyze -d "$db" >/dev/null || fail "analyze hostile-comm"
reports "$db"
for fmt in text markdown email; do
	has "$db.$fmt" "$BLOCKED"
	! grep -q $'\x1b' "$db.$fmt" || fail "hostile $fmt: a raw ESC"
	! grep -q $'\x07' "$db.$fmt" || fail "hostile $fmt: a raw BEL"
done
has "$db.email" '\\x1b\[31mRED\\x1b\[0m:8366'

# ------------------------------------------------ allocation failures
CORPUS=$MMT_SOURCE_DIR/../shared/corpus
if [ -d "$CORPUS" ]; then
	old=$CORPUS/lkml/linux-mm/page-alloc-failure-order5-2.6.31-i386-e100.txt
	new=$CORPUS/lkml/cgroups/page-alloc-failure-order6-arm64-rk3399-5.10.txt
	# 2.6.31 printed the mask bare: 0x8020 is __GFP_HIGH|__GFP_ZERO there,
	# GFP_ATOMIC: no reclaim. 5.10 printed the names.
	[ "$(grep -c 'ifconfig: page allocation failure. order:5, mode:0x8020$' "$old")" = 2 ] ||
		fail "$old: not two order-5 failures of ifconfig"
	grep -q 'cat: page allocation failure: order:6, mode:0x40dc0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO)' "$new" ||
		fail "$new: not the order-6 failure of cat"
	db=$T/allocs.db
	"$MMT" ingest -q -d "$db" "$old" "$new" >/dev/null 2>&1 || fail "ingest alloc failures"
	"$MMT" analyze -d "$db" >/dev/null || fail "analyze alloc failures"
	reports "$db"
	has "$db.text" "^$ALLOCS\$"
	has "$db.text" '^  atomic +2 +5 +- +- +0x8020 GFP_ATOMIC\|__GFP_ZERO 2 +ifconfig:5151$'
	has "$db.text" '^  full +1 +6 +2121803\.240 s +2121803\.240 s +0x40dc0 GFP_KERNEL\|__GFP_COMP\|__GFP_ZERO 1 +cat:2029652$'
	has "$db.markdown" '^\| atomic \| 2 \| 5 \| - \| - \| 0x8020 GFP\\_ATOMIC\\\|\\_\\_GFP\\_ZERO 2 \| ifconfig:5151 \|$'
	has "$db.email" '^  atomic  2  5  -  -  0x8020 GFP_ATOMIC\|__GFP_ZERO 2'
	for fmt in text markdown email; do
		lacks "$db.$fmt" "$SLAB|$BLOCKED"
	done
	# The atomic row comes before the full one: the most constrained first.
	order=$(grep -E '^  (atomic|full) ' "$db.text" | awk '{ print $1 }' | paste -sd' ')
	[ "$order" = "atomic full" ] || fail "GFP contexts in the order '$order'"
else
	echo "../shared/corpus absent: allocation-failure table not checked"
fi
echo ok
