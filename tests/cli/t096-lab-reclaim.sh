#!/usr/bin/env bash
# The captures recorded in the lab guest (samples/capture-guest-*, made by
# samples/lab/run.sh): kswapd giving a node up, GFP_NOFS reclaim on xfs
# with swap full, reclaim scanning pages under writeback on a slow disk,
# and huge-page faults reclaiming by themselves. Each against the truth
# its README states: the findings (kind, severity, subjects, window within
# a tolerance of the README's timeline), the ones that must not appear,
# and the diagnosis.
. "$(dirname "$0")/lib.sh"

# guest NAME: DB analyzed from samples/capture-guest-NAME; T0 its start.
guest() {
	G=capture-guest-$1
	DB=$T/$1.db
	expect_ok ingest -q -d "$DB" "$SAMPLES/$G/capture.tar.xz"
	[ ! -s "$ERR" ] || fail "$G: ingest warned: $(head -c 300 "$ERR")"
	expect_ok analyze -d "$DB"
	T0=$(tar xJOf "$SAMPLES/$G/capture.tar.xz" "$G/capture.info" | sed -n 's/^started=//p')
	[ -n "$T0" ] || fail "$G: no start time"
}

# one KIND TITLE_LIKE COLUMN: COLUMN of the one finding of KIND whose
# title is LIKE TITLE_LIKE (t_start and t_end relative to T0).
one() {
	local col=$3
	case "$col" in t_start | t_end) col="round($col - $T0, 2)" ;; esac
	[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = '$1' AND title LIKE '$2'")" = 1 ] ||
		fail "$G: not one $1 finding titled like '$2'"
	sql "$DB" "SELECT $col FROM findings WHERE kind = '$1' AND title LIKE '$2'"
}

# window KIND TITLE_LIKE START_LO START_HI END_LO END_HI
window() {
	local s e
	s=$(one "$1" "$2" t_start)
	e=$(one "$1" "$2" t_end)
	awk -v s="$s" -v e="$e" -v a="$3" -v b="$4" -v c="$5" -v d="$6" \
		'BEGIN { exit !(s >= a && s <= b && e >= c && e <= d) }' ||
		fail "$G: $1 from $s to $e s, not from $3-$4 to $5-$6"
}

# count_in KIND TITLE_LIKE LO HI: the first number of the title in [LO, HI].
count_in() {
	local n
	n=$(one "$1" "$2" title | grep -oE '[0-9]+' | head -n 1)
	if [ -z "$n" ] || [ "$n" -lt "$3" ] || [ "$n" -gt "$4" ]; then
		fail "$G: $1 counts ${n:-nothing}, not $3 to $4"
	fi
}

# subjects KIND TITLE_LIKE: the finding's subject names, sorted, one line.
subjects() {
	"$MMT" sql -d "$DB" --csv "SELECT s.name FROM findings f JOIN finding_subjects s
		ON s.finding_id = f.id WHERE f.kind = '$1' AND f.title LIKE '$2'
		ORDER BY s.name" | tail -n +2 | sort -u | tr '\n' ' '
}

# none KIND...: no finding of these kinds at warning or critical.
none() {
	local k
	for k in "$@"; do
		[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = '$k'
			AND severity IN ('warning', 'critical')")" = 0 ] || fail "$G: a loud $k"
	done
}

severity() { one "$1" "$2" severity; }
diagnosis() { sql "$DB" "SELECT ifnull(hang_class, 'none') FROM diagnosis"; }

# idle COUNT_LO COUNT_HI START_LO START_HI END_LO END_HI TASK [SEVERITY]:
# the trace's kswapd_idle (a warning unless told) with its episodes, window
# and first task.
IDLE='%began with kswapd asleep%'
idle() {
	[ "$(severity kswapd_idle "$IDLE")" = "${8:-warning}" ] ||
		fail "$G: kswapd_idle not a ${8:-warning}"
	count_in kswapd_idle "$IDLE" "$1" "$2"
	window kswapd_idle "$IDLE" "$3" "$4" "$5" "$6"
	[ "$(subjects kswapd_idle "$IDLE")" = "$7 " ] ||
		fail "$G: kswapd_idle names $(subjects kswapd_idle "$IDLE")"
}

# --- kswapd-hopeless: no swap, tmpfs fills memory; kswapd fails 16 runs
# at 7.6 s and sleeps for good; hog2's and hog3's 17 direct reclaims each
# (14.1 and 20.6 s) begin with kswapd asleep and never woken; each hog's
# reclaims (18, 17, 17) free nothing, then the OOM killer kills it.
guest kswapd-hopeless
idle 34 34 13.6 14.6 20.1 21.1 hog2
[ "$(one kswapd_idle "$IDLE" title | grep -c '(34 with kswapd never woken)')" = 1 ] ||
	fail "$G: kswapd_idle: $(one kswapd_idle "$IDLE" title)"
[ "$(severity oom_kill '%')" = critical ] || fail "$G: oom_kill not critical"
[ "$(subjects oom_kill '%')" = "hog1 hog2 hog3 " ] || fail "$G: victims $(subjects oom_kill '%')"
# The text trace's mark_victim prints "comm=hog1 total-vm=...": comm alone.
[ "$(sql "$DB" "SELECT group_concat(comm, ' ') FROM (SELECT comm FROM mark_victim ORDER BY ts)")" = \
	"hog1 hog2 hog3" ] || fail "$G: mark_victim comm"
window oom_kill '%' 7.4 7.7 20.4 20.7
for h in "hog1 18 7.4 7.7" "hog2 17 14.0 14.2" "hog3 17 20.4 20.7"; do
	set -- $h
	[ "$(one reclaim_no_progress "% $2 direct reclaim episodes in a row freed nothing ($1), then an OOM kill" severity)" = warning ] ||
		fail "$G: $1's reclaims without progress"
	window reclaim_no_progress "%($1)%" "$3" "$4" "$3" "$4"
done
none swap_exhausted livelock hung_tasks writeback_stall reclaim_stall
[ "$(diagnosis)" = oom ] || fail "$G: diagnosis $(diagnosis)"

# --- xfs-nofs: swap full, xfs inodes fill memory, mkfiles reclaims in
# GFP_NOFS from 7.2 to 29.7 s (86,172 episodes), kswapd asleep and not
# woken 12.1-16.1, 18.8-21.3 and 23.6-26.2 s; seven bystanders killed; no
# retry message, no lockup, but the trace shows the loop: 22 s of reclaim
# freeing nothing while the allocator retried 88,005 times.
guest xfs-nofs
idle 40000 50000 11.6 12.6 26 40 mkfiles
count_in reclaim_stall 'direct reclaim: %' 80000 90000
window reclaim_stall 'direct reclaim: %' 6.6 7.7 29 43
[ "$(one reclaim_stall 'direct reclaim: %' summary | grep -c 'NOFS')" -ge 1 ] ||
	fail "$G: the NOFS reclaims are not named"
[ "$(severity swap_exhausted '%')" = critical ] || fail "$G: swap not exhausted"
[ "$(subjects swap_exhausted '%')" = "/dev/zram0 " ] || fail "$G: swap device"
[ "$(severity oom_kill '%')" = critical ] || fail "$G: oom_kill not critical"
[ "$(subjects oom_kill '%')" = "bystander10 bystander11 bystander12 bystander2 bystander4 bystander6 bystander8 " ] ||
	fail "$G: victims $(subjects oom_kill '%')"
[ "$(one slab_dominance 'Slab peaked%' title | grep -c 'largest xfs_inode')" = 1 ] ||
	fail "$G: xfs_inode not the largest cache"
LOOP='Reclaim livelock: %(NOFS/NOIO)'
[ "$(severity livelock "$LOOP")" = critical ] || fail "$G: livelock not critical"
window livelock "$LOOP" 7.2 7.8 29.2 29.8
[ "$(subjects livelock "$LOOP" | grep -c mkfiles)" = 1 ] || fail "$G: mkfiles not looping"
[ "$(one livelock "$LOOP" summary | grep -c 'retried 88005 times')" = 1 ] ||
	fail "$G: the allocator's retries"
[ "$(severity reclaim_no_progress '%(mkfiles and others)%')" = critical ] ||
	fail "$G: reclaim_no_progress not critical"
[ "$(one slab_dominance 'Unreclaimable slab%' title)" = \
	"Unreclaimable slab exceeded user memory at 3 OOM kills; largest kmalloc-512 22 MiB" ] ||
	fail "$G: the OOM reports' slab tables not one finding"
# kswapd ran (pageoutrun 0 -> 185) though it scanned slab only: no vmstat kswapd_idle.
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'kswapd_idle' AND title LIKE '%(vmstat)'")" = 0 ] ||
	fail "$G: kswapd idle by vmstat"
none hung_tasks writeback_stall
[ "$(diagnosis)" = reclaim_livelock ] || fail "$G: diagnosis $(diagnosis)"
[ "$(sql "$DB" "SELECT confidence >= 0.6 FROM diagnosis")" = 1 ] || fail "$G: not sure"

# --- dirty-slowdisk: 60 MiB under writeback on a 64 KiB/s disk, no swap;
# the hog's rounds scan 1.25 million pages from 21 to 29 s and 0.84
# million from 43 to 48 s, reclaiming none; two OOM kills of the hog;
# dd throttled on dirty pages, kswapd0 throttled on writeback.
guest dirty-slowdisk
NOPROG='%(mm_vmscan_lru_shrink_inactive events)'
[ "$(severity reclaim_no_progress "$NOPROG")" = warning ] ||
	fail "$G: reclaim_no_progress not a warning"
window reclaim_no_progress "$NOPROG" 20.2 22.2 28.2 30.2
[ "$(one reclaim_no_progress "$NOPROG" title | grep -c ' 1248294 pages scanned, 0 reclaimed')" = 1 ] ||
	fail "$G: reclaim_no_progress: $(one reclaim_no_progress "$NOPROG" title)"
[ "$(severity writeback_stall '%')" = warning ] || fail "$G: no writeback stall"
[ "$(subjects hung_tasks '%dirty_throttle%')" = "dd " ] || fail "$G: dd not throttled"
[ "$(subjects hung_tasks '%reclaim_throttle%')" = "kswapd0 scenario.sh " ] ||
	fail "$G: reclaim_throttle tasks $(subjects hung_tasks '%reclaim_throttle%')"
[ "$(subjects oom_kill '%')" = "hog " ] || fail "$G: victims $(subjects oom_kill '%')"
none swap_exhausted kswapd_idle livelock
[ "$(diagnosis)" = reclaim_throttle ] || fail "$G: diagnosis $(diagnosis)"

# --- thp-defrag: GFP_TRANSHUGE faults (no __GFP_KSWAPD_RECLAIM) reclaim
# clean page cache themselves, 120 of 138 episodes with kswapd asleep, from
# 2.6 to 8.7 s; every episode reclaims, memory PSI at most 5.3 %; no hang:
# by design, so information only.
guest thp-defrag
idle 110 130 2.1 3.1 8.2 9.2 thp info
[ "$(one kswapd_idle "$IDLE" summary | grep -c 'do not ask for kswapd\|does not ask for kswapd')" = 1 ] ||
	fail "$G: kswapd_idle does not say the masks skip kswapd"
[ "$(severity reclaim_stall 'direct reclaim: %')" = info ] || fail "$G: a loud reclaim stall"
none oom_kill hung_tasks swap_exhausted reclaim_no_progress livelock writeback_stall \
	kswapd_idle reclaim_stall
[ "$(diagnosis)" = none ] || fail "$G: diagnosis $(diagnosis)"
echo ok
