#!/usr/bin/env bash
# The committed captures of samples/capture-*, each against the truth its
# README states: the findings that must appear (kind, subjects, window
# within a tolerance), those that must not, and the class of hang the
# diagnosis names.
. "$(dirname "$0")/lib.sh"

# ingest_capture NAME: a database of samples/NAME/capture.tar.xz, analyzed;
# T0 is the capture's start (Unix seconds), windows are checked against it.
ingest_capture() {
	DB=$T/$1.db
	expect_ok ingest -q -d "$DB" "$SAMPLES/$1/capture.tar.xz"
	expect_ok analyze -d "$DB"
	T0=$(tar xJOf "$SAMPLES/$1/capture.tar.xz" --wildcards "*/capture.info" | awk -F= '/^started=/ { print $2 }')
	[ -n "$T0" ] || fail "$1: no start in capture.info"
}

# loud DB: kinds of warning and critical findings, sorted, space-separated.
loud() {
	"$MMT" sql -d "$1" --csv "SELECT DISTINCT kind FROM findings
		WHERE severity IN ('warning', 'critical') ORDER BY 1" | tail -n +2 | tr '\n' ' '
}

# within VALUE LOW HIGH
within() { awk -v v="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(v >= a && v <= b) }'; }

# --- capture-ipi-hotplug: storm A, TLB shootdowns at 12-18 s, and storm B,
# membarrier at 20-32 s around CPU1's offline windows (22-26 s, 28-31 s),
# two storms: the rate falls back to the baseline for 2 s between them
# (97 and 181 calls/s on CPU1) and the sender changes; B's own quiet
# seconds lie between CPU1's offline windows and keep its sender. No
# task stuck.
ingest_capture capture-ipi-hotplug
[ "$(loud "$DB")" = "ipi_storm " ] || fail "ipi capture: loud findings: $(loud "$DB")"
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'ipi_storm'")" = 2 ] ||
	fail "ipi capture: two storms expected"
# storm N FIELD: a field of the Nth storm in time (1 or 2).
storm() {
	sql "$DB" "SELECT $2 FROM findings WHERE kind = 'ipi_storm' ORDER BY t_start LIMIT 1 OFFSET $(($1 - 1))"
}
# storm_has N PATTERN: whether the Nth storm has an evidence row LIKE PATTERN.
storm_has() {
	sql "$DB" "SELECT count(*) FROM finding_evidence WHERE text LIKE '$2' AND finding_id =
		(SELECT id FROM findings WHERE kind = 'ipi_storm' ORDER BY t_start LIMIT 1 OFFSET $(($1 - 1)))"
}
within "$(storm 1 "t_start - $T0")" 10 14 || fail "ipi capture: storm A starts at $(storm 1 "t_start - $T0") s"
within "$(storm 1 "t_end - $T0")" 16.5 19 || fail "ipi capture: storm A ends at $(storm 1 "t_end - $T0") s"
within "$(storm 2 "t_start - $T0")" 18.5 22 || fail "ipi capture: storm B starts at $(storm 2 "t_start - $T0") s"
within "$(storm 2 "t_end - $T0")" 30 34 || fail "ipi capture: storm B ends at $(storm 2 "t_end - $T0") s"
case $(storm 1 title) in *"mostly TLB shootdown"*) ;; *) fail "ipi capture: storm A: $(storm 1 title)" ;; esac
case $(storm 2 title) in *"mostly membarrier"*) ;; *) fail "ipi capture: storm B: $(storm 2 title)" ;; esac
[ "$(storm_has 1 'TLB shootdown:%flush_tlb_func%')" = 1 ] || fail "ipi capture: A's TLB sender"
[ "$(storm_has 2 'membarrier:%ipi_mb%')" = 1 ] || fail "ipi capture: B's membarrier sender"
[ "$(storm_has 1 'membarrier:%')" = 0 ] || fail "ipi capture: membarrier IPIs inside storm A"
# CPU1's offline windows overlap storm B only.
[ "$(storm_has 2 'CPU hotplug:%CPU1%')" = 1 ] || fail "ipi capture: no hotplug evidence on storm B"
[ "$(storm_has 1 'CPU hotplug:%')" = 0 ] || fail "ipi capture: hotplug evidence on storm A"
[ "$(sql "$DB" "SELECT hang_class FROM diagnosis")" = ipi_hotplug ] ||
	fail "ipi capture: diagnosis $(sql "$DB" "SELECT hang_class FROM diagnosis")"
# Signs of the class, not a hang: no task was stuck.
[ "$(sql "$DB" "SELECT confidence < 0.6 FROM diagnosis")" = 1 ] || fail "ipi capture: too sure"
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'hung_tasks'")" = 0 ] ||
	fail "ipi capture: hung tasks"

# --- capture-memcg-swap-oom: zram swap full at 19 s, 35 memcg reclaims in
# a row without progress and a cgroup OOM kill at 19.44 s; nothing global
# (t093 checks the reclaim findings in detail). Reclaim unmapping the
# hog's pages sends TLB shootdowns: /proc/interrupts TLB on CPU0 4,186-5,124/s
# from 12 to 18 s, then about 2,000/s to 20 s, an IPI storm of its own.
ingest_capture capture-memcg-swap-oom
[ "$(loud "$DB")" = "ipi_storm oom_kill reclaim_no_progress swap_exhausted " ] ||
	fail "swap capture: loud findings: $(loud "$DB")"
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'ipi_storm' AND title LIKE '%CPU0%'
	AND summary LIKE '%Reclaim ran meanwhile%'")" = 1 ] || fail "swap capture: the TLB storm"
# The run's window holds the kill (oom:mark_victim) and lies at 19.44 s.
start=$(sql "$DB" "SELECT t_start - $T0 FROM findings WHERE kind = 'reclaim_no_progress'")
within "$start" 19.3 19.6 || fail "swap capture: no progress from $start s, not about 19.44"
# The OOM report of the kernel log, on the same timeline as the trace.
start=$(sql "$DB" "SELECT t_start - $T0 FROM findings WHERE kind = 'oom_kill'")
within "$start" 19.3 19.6 || fail "swap capture: the OOM kill at $start s, not about 19.44"
[ "$(sql "$DB" "SELECT count(*) FROM findings f, mark_victim v WHERE f.kind = 'reclaim_no_progress'
	AND v.ts BETWEEN f.t_start AND f.t_end")" = 1 ] || fail "swap capture: the kill is not in the run"
end=$(sql "$DB" "SELECT t_end - $T0 FROM findings WHERE kind = 'swap_exhausted'")
within "$end" 17 21 || fail "swap capture: swap full until $end s, not about 19"
[ "$(sql "$DB" "SELECT hang_class FROM diagnosis")" = oom ] || fail "swap capture: not oom"

# --- capture-writeback-stall: loop1 behind a frozen filesystem from 6 s to
# the thaw at 36 s; the loop worker blocked on the freeze, writers waiting
# for writeback and the journal.
ingest_capture capture-writeback-stall
[ "$(loud "$DB")" = "hung_tasks writeback_stall " ] || fail "writeback capture: loud: $(loud "$DB")"
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'writeback_stall'")" = 1 ] ||
	fail "writeback capture: not one stall"
start=$(sql "$DB" "SELECT t_start - $T0 FROM findings WHERE kind = 'writeback_stall'")
end=$(sql "$DB" "SELECT t_end - $T0 FROM findings WHERE kind = 'writeback_stall'")
within "$start" 4 8 || fail "writeback capture: stall from $start s, not about 6"
within "$end" 34 38 || fail "writeback capture: stall until $end s, not about 36"
[ "$(sql "$DB" "SELECT severity || ' ' || s.name FROM findings f JOIN finding_subjects s
	ON s.finding_id = f.id AND s.type = 'device' WHERE f.kind = 'writeback_stall'")" = "critical loop1" ] ||
	fail "writeback capture: not a critical stall on loop1"
[ "$(sql "$DB" "SELECT hang_class FROM diagnosis")" = io_path_stall ] ||
	fail "writeback capture: diagnosis $(sql "$DB" "SELECT hang_class FROM diagnosis")"

# --- capture-slab-xfs: two million xfs inodes, slab at 3.1 GiB from 15 s,
# freed by drop_caches at 21-24 s; the machine never short of memory.
ingest_capture capture-slab-xfs
[ "$(loud "$DB")" = "" ] || fail "slab capture: loud: $(loud "$DB")"
[ "$(sql "$DB" "SELECT group_concat(s.name, ' ') FROM (SELECT s.name FROM findings f
	JOIN finding_subjects s ON s.finding_id = f.id WHERE f.kind = 'slab_dominance'
	ORDER BY s.rowid LIMIT 3) s")" = "xfs_inode xfs_ili dentry" ] || fail "slab capture: top caches"
end=$(sql "$DB" "SELECT t_end - $T0 FROM findings WHERE kind = 'slab_dominance'")
within "$end" 14 21 || fail "slab capture: peak at $end s, not in 15-20"
[ "$(sql "$DB" "SELECT ifnull(hang_class, 'none') FROM diagnosis")" = none ] ||
	fail "slab capture: a hang"

# --- capture-shrinker-hot: 400,000 ext4 dentries and inodes charged to a
# 640 MiB cgroup and kept hot by a du loop; page cache pressure makes the
# cgroup reclaim from 11.0 s to 45.0 s: super_cache_scan scans 8,293,376
# objects and frees 401. Reclaim itself progresses (page cache): no hang.
ingest_capture capture-shrinker-hot
[ "$(loud "$DB")" = "shrinker_ineffective " ] || fail "shrinker capture: loud: $(loud "$DB")"
[ "$(sql "$DB" "SELECT count(*) FROM findings f JOIN finding_subjects s ON s.finding_id = f.id
	WHERE f.kind = 'shrinker_ineffective' AND f.severity = 'warning' AND s.type = 'cache'
	AND s.name = 'super_cache_scan'")" = 1 ] || fail "shrinker capture: not one finding on super_cache_scan"
[ "$(sql "$DB" "SELECT title = 'Shrinker super_cache_scan scanned 8293376 objects, freed 401 (0.0%)'
	FROM findings WHERE kind = 'shrinker_ineffective'")" = 1 ] ||
	fail "shrinker capture: $(sql "$DB" "SELECT title FROM findings WHERE kind = 'shrinker_ineffective'")"
start=$(sql "$DB" "SELECT t_start - $T0 FROM findings WHERE kind = 'shrinker_ineffective'")
end=$(sql "$DB" "SELECT t_end - $T0 FROM findings WHERE kind = 'shrinker_ineffective'")
within "$start" 9 12 || fail "shrinker capture: shrinking from $start s, not about 10-11"
within "$end" 43 46 || fail "shrinker capture: shrinking until $end s, not about 44-45"
# 419 NOFS requests of a batch (1024) or more were refused; the other
# zero-scan calls asked less than the batch and were only deferred.
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'shrinker_ineffective'
	AND summary LIKE '%419 calls asked for a batch or more%'")" = 1 ] ||
	fail "shrinker capture: refusals miscounted"
[ "$(sql "$DB" "SELECT ifnull(hang_class, 'none') FROM diagnosis")" = none ] ||
	fail "shrinker capture: a hang"

# --- the healthy baselines: an idle machine, the same machine busy with
# other jobs (wake-up IPIs up to 2,153/s, CPU pressure 78 %), and ordinary
# load (reads, two 1 GiB dd conv=fsync, a compile loop): nothing loud, no
# hang. The idle one once gave a false writeback stall: a request issued
# twice without a recorded requeue kept a device "in flight" through 10 s
# of quiet.
for b in idle busy load; do
	ingest_capture capture-baseline-$b
	[ "$(loud "$DB")" = "" ] || fail "$b baseline: loud: $(loud "$DB")"
	[ "$(sql "$DB" "SELECT ifnull(hang_class, 'none') FROM diagnosis")" = none ] ||
		fail "$b baseline: a hang"
done
echo ok
