#!/usr/bin/env bash
# The reclaim analyzer on real data: what each sample's README says it holds,
# no warning or critical finding on healthy inputs, thresholds that --set
# moves, and real OOM reports of the corpus (skipped when it is absent).
. "$(dirname "$0")/lib.sh"

# loud DB: reclaim findings of severity warning or critical.
loud() {
	sql "$1" "SELECT count(*) FROM findings WHERE analyzer = 'reclaim'
		AND severity IN ('warning', 'critical')"
}
# text DB QUERY: one text value, without the CSV quoting.
text() { sql "$1" "$2" | sed 's/^"\(.*\)"$/\1/; s/""/"/g'; }
kinds() {
	"$MMT" sql -d "$1" --csv "SELECT kind || ':' || severity FROM findings
		WHERE analyzer = 'reclaim' ORDER BY 1" | tail -n +2 | tr '\n' ' '
}

# --- trace-memcg-reclaim: memcg reclaim that works. 1822 begins, 1821 ends
# (one still open when the trace stops); dd and mmt-reader; p99 of a few ms.
DB=$T/trace.db
expect_ok ingest -d "$DB" "$SAMPLES/trace-memcg-reclaim/trace.dat"
expect_ok analyze -d "$DB"
[ "$(kinds "$DB")" = "reclaim_stall:info " ] || fail "trace kinds: $(kinds "$DB")"
[ "$(loud "$DB")" = 0 ] || fail "healthy memcg reclaim gave a warning"
F="(SELECT id FROM findings WHERE kind = 'reclaim_stall')"
title=$(text "$DB" "SELECT title FROM findings WHERE id = $F")
case $title in "memcg reclaim: 1822 episodes, p99 "*) ;; *) fail "title: $title" ;; esac
[ "$(sql "$DB" "SELECT group_concat(name || ':' || pid, ' ') FROM
	(SELECT name, pid FROM finding_subjects WHERE finding_id = $F ORDER BY pid)")" = \
	"dd:27087 mmt-reader:27088" ] || fail "stalled tasks"
summary=$(text "$DB" "SELECT summary FROM findings WHERE id = $F")
for want in "dd:27087 101\.[0-9] ms in 407 episodes" "mmt-reader:27088 5[0-9]\.[0-9] ms in 1415" \
	"nofs \(GFP_NOFS\|__GFP_HIGHMEM\|__GFP_MOVABLE\|__GFP_NOWARN\|__GFP_NORETRY" \
	"full \(GFP_HIGHUSER_MOVABLE\) 403 episodes" "1419 episodes reclaimed in a NOFS/NOIO" \
	"throttled 17 times .* 17 waiting for writeback" "longest 15\.1[0-9] ms"; do
	grep -Eq -- "$want" <<<"$summary" || fail "summary lacks /$want/: $summary"
done
# The window is the trace's: 9834.699 to 9835.694 s (local clock, no boot time).
[ "$(sql "$DB" "SELECT round(t_start, 2) || '-' || round(t_end, 2) FROM findings
	WHERE id = $F")" = "9834.7-9835.69" ] || fail "window"
# p99 is 2.3 ms: a 1 ms threshold makes it a warning, and says so.
expect_ok analyze -d "$DB" --set reclaim.stall_ms=1
[ "$(sql "$DB" "SELECT severity FROM findings WHERE kind = 'reclaim_stall'")" = warning ] ||
	fail "--set reclaim.stall_ms=1 did not raise the stall"
[ "$(text "$DB" "SELECT value || ',' || overridden FROM analysis_thresholds
	WHERE name = 'reclaim.stall_ms'")" = "1.0,1" ] || fail "threshold not recorded"
# Shrinkers: scan_shadow_nodes scanned ~200 objects and freed 172; no finding,
# until any scan counts and a freed share of 100% is demanded.
expect_ok analyze -d "$DB" --set reclaim.shrinker_min_scan=100 --set reclaim.shrinker_freed_pct=100
[ "$(sql "$DB" "SELECT group_concat(name) FROM finding_subjects s JOIN findings f
	ON f.id = s.finding_id WHERE f.kind = 'shrinker_ineffective'")" = scan_shadow_nodes ] ||
	fail "shrinker_ineffective under strict thresholds"

# Runs of episodes without progress: mmt-reader's longest is 6 in a row, under
# reclaim.no_progress_episodes (16); at 6 it is a run, after which the
# reader reclaims again and no OOM follows: info.
expect_ok analyze -d "$DB" --set reclaim.no_progress_episodes=6
[ "$(text "$DB" "SELECT severity || ' ' || s.name || ':' || s.pid FROM findings f JOIN finding_subjects s
	ON s.finding_id = f.id WHERE f.kind = 'reclaim_no_progress'")" = "info mmt-reader:27088" ] ||
	fail "no_progress_episodes=6: $(kinds "$DB")"
[ "$(text "$DB" "SELECT round(t_start, 3) || '-' || round(t_end, 3) FROM findings
	WHERE kind = 'reclaim_no_progress'")" = "9834.699-9834.706" ] || fail "run window"
grep -q "then it reclaimed pages again" <<<"$(text "$DB" "SELECT summary FROM findings
	WHERE kind = 'reclaim_no_progress'")" || fail "run outcome"
# Its 7 ms make a warning at reclaim.no_progress_secs=0.005, critical at
# reclaim.no_progress_critical_secs=0.005.
expect_ok analyze -d "$DB" --set reclaim.no_progress_episodes=6 --set reclaim.no_progress_secs=0.005
[ "$(sql "$DB" "SELECT severity FROM findings WHERE kind = 'reclaim_no_progress'")" = warning ] ||
	fail "no_progress_secs=0.005: $(kinds "$DB")"
expect_ok analyze -d "$DB" --set reclaim.no_progress_episodes=6 \
	--set reclaim.no_progress_critical_secs=0.005
[ "$(sql "$DB" "SELECT severity FROM findings WHERE kind = 'reclaim_no_progress'")" = critical ] ||
	fail "no_progress_critical_secs=0.005: $(kinds "$DB")"
expect_ok analyze -d "$DB" --set reclaim.no_progress_episodes=7
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'reclaim_no_progress'")" = 0 ] ||
	fail "no_progress_episodes=7: a run of 6 is too short"

# --- snapshot-series: memcg reclaim in 7 samples, PSI memory some <= 6 %.
DB=$T/series.db
expect_ok ingest -d "$DB" "$SAMPLES/snapshot-series/capture.tar.xz"
expect_ok analyze -d "$DB"
[ "$(kinds "$DB")" = "reclaim_stall:info " ] || fail "series kinds: $(kinds "$DB")"
[ "$(text "$DB" "SELECT title FROM findings WHERE analyzer = 'reclaim'")" = \
	"Reclaim in snapshots: 0 intervals of direct reclaim, 7 of cgroup reclaim, memory PSI some up to 6.0%" ] ||
	fail "series title"
# The reclaim happened 60 s into the capture, while dd wrote in the cgroup.
[ "$(sql "$DB" "SELECT t_start - (SELECT min(ts) FROM vmstat) BETWEEN 55 AND 210
	FROM findings WHERE analyzer = 'reclaim'")" = 1 ] || fail "series window"

# --- sosreport-vm and memcg-oom: nothing of reclaim's to say; the memcg
# OOM kills stay the allocs analyzer's, not counted twice.
DB=$T/sos.db
expect_ok ingest -d "$DB" "$SAMPLES/sosreport-vm"
expect_ok analyze -d "$DB"
[ "$(loud "$DB")" = 0 ] || fail "sosreport-vm: $(kinds "$DB")"
DB=$T/oom.db
expect_ok ingest -d "$DB" "$SAMPLES/memcg-oom/dmesg.txt"
expect_ok analyze -d "$DB"
[ "$(kinds "$DB")" = "" ] || fail "memcg-oom: $(kinds "$DB")"
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'oom_kill'")" = 1 ] ||
	fail "memcg-oom: one oom_kill finding expected"

# --- capture-memcg-swap-oom (zram swap filled at 20 MB/s, then a cgroup
# OOM), once it is in the tree: full swap, critical as the kill follows;
# the kill of mmt-hog; memcg reclaim whose stalls stay short (zram is fast),
# so no loud reclaim_stall; the diagnosis is the OOM.
CAP=$SAMPLES/capture-memcg-swap-oom/capture.tar.xz
if [ -f "$CAP" ]; then
	DB=$T/swap.db
	expect_ok ingest -d "$DB" "$CAP"
	expect_ok analyze -d "$DB"
	k=$(kinds "$DB")
	grep -q "swap_exhausted:critical" <<<"$k" || fail "swap capture: no critical swap_exhausted: $k"
	grep -q "reclaim_stall:info" <<<"$k" || fail "swap capture: memcg reclaim not described: $k"
	! grep -Eq "reclaim_stall:(warning|critical)" <<<"$k" ||
		fail "swap capture: short stalls called loud: $k"
	[ "$(sql "$DB" "SELECT count(*) FROM finding_subjects s JOIN findings f ON f.id = s.finding_id
		WHERE f.kind = 'oom_kill' AND s.type = 'task' AND s.name = 'mmt-hog'")" -ge 1 ] ||
		fail "swap capture: no oom_kill of mmt-hog"
	[ "$(sql "$DB" "SELECT hang_class FROM diagnosis")" = oom ] || fail "swap capture: not oom"
	# 35 memcg reclaims of mmt-hog in a row reclaim nothing (18 before
	# oom:mark_victim, as try_charge_memcg counts: one, one after draining
	# the charge stock, MAX_RECLAIM_RETRIES; 17 after, as the victim exits):
	# a warning, since the OOM kill followed; not a livelock.
	F="(SELECT id FROM findings WHERE kind = 'reclaim_no_progress')"
	[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'reclaim_no_progress'")" = 1 ] ||
		fail "swap capture: one run without progress expected: $k"
	[ "$(text "$DB" "SELECT severity || ' ' || s.name || ':' || s.pid FROM findings f
		JOIN finding_subjects s ON s.finding_id = f.id WHERE f.id = $F")" = "warning mmt-hog:4858" ] ||
		fail "swap capture: the run's severity and task"
	case $(text "$DB" "SELECT title FROM findings WHERE id = $F") in
	"Reclaim without progress: 35 memcg reclaim episodes in a row freed nothing (mmt-hog), then an OOM kill") ;;
	*) fail "swap capture: run title: $(text "$DB" "SELECT title FROM findings WHERE id = $F")" ;;
	esac
	# 2.5 ms from the first begin to the last end, around the kill.
	[ "$(sql "$DB" "SELECT round((t_end - t_start) * 1000, 1) FROM findings WHERE id = $F")" = 2.5 ] ||
		fail "swap capture: run length"
	[ "$(sql "$DB" "SELECT count(*) FROM finding_evidence WHERE finding_id = $F
		AND text = 'OOM kill: oom:mark_victim pid 4858 mmt-hog'")" = 1 ] || fail "swap capture: the kill"
	[ "$(sql "$DB" "SELECT group_concat(event_id, ' ') AS ids FROM (SELECT event_id FROM finding_evidence
		WHERE finding_id = $F AND text LIKE '% episode without progress:%' ORDER BY idx)")" = \
		"$(sql "$DB" "SELECT (SELECT min(b.id) FROM mm_vmscan_memcg_reclaim_begin b WHERE b.id >
			(SELECT max(id) FROM mm_vmscan_memcg_reclaim_end WHERE nr_reclaimed > 0))
			|| ' ' || (SELECT max(id) FROM mm_vmscan_memcg_reclaim_end) AS ids")" ] ||
		fail "swap capture: first and last episodes"
	[ "$(sql "$DB" "SELECT confidence FROM findings WHERE id = $F")" = 0.9 ] || fail "confidence"
	[ "$(sql "$DB" "SELECT count(*) FROM diagnosis_alternatives WHERE hang_class = 'reclaim_livelock'")" = 0 ] ||
		fail "swap capture: a run that ended in an OOM kill taken for a livelock"
	# The threshold moves the rule: 36 in a row is longer than the run.
	expect_ok analyze -d "$DB" --set reclaim.no_progress_episodes=36
	[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'reclaim_no_progress'")" = 0 ] ||
		fail "swap capture: no_progress_episodes=36 leaves no run"
fi

# --- real OOM reports: no failure; swap full where the report says so.
CORPUS=$MMT_SOURCE_DIR/../shared/corpus/oomanalyser
[ -d "$CORPUS" ] || CORPUS=${MMT_CORPUS:-/nonexistent}/oomanalyser
if [ -d "$CORPUS" ]; then
	for f in "$CORPUS"/*.txt; do
		DB=$T/c-$(basename "$f").db
		expect_ok ingest -d "$DB" "$f"
		expect_ok analyze -d "$DB"
		free=$(grep -m1 "Free swap" "$f" | sed 's/.*= *\([0-9]*\)kB/\1/')
		total=$(grep -m1 "Total swap" "$f" | sed 's/.*= *\([0-9]*\)kB/\1/')
		want=0
		[ -n "$total" ] && [ "$total" -gt 0 ] && [ $((free * 100)) -le $((total * 2)) ] && want=1
		[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'swap_exhausted'")" = "$want" ] ||
			fail "$(basename "$f"): swap_exhausted should be $want (free $free of $total kB)"
	done
fi
echo ok
