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

# --- capture-ipi-hotplug: TLB-shootdown storm at 12-18 s, membarrier storm
# at 20-32 s around CPU1's offline windows; no task stuck.
ingest_capture capture-ipi-hotplug
[ "$(loud "$DB")" = "ipi_storm " ] || fail "ipi capture: loud findings: $(loud "$DB")"
start=$(sql "$DB" "SELECT min(t_start) - $T0 FROM findings WHERE kind = 'ipi_storm'")
end=$(sql "$DB" "SELECT max(t_end) - $T0 FROM findings WHERE kind = 'ipi_storm'")
within "$start" 10 14 || fail "ipi capture: storm starts at $start s, not about 12"
within "$end" 30 34 || fail "ipi capture: storm ends at $end s, not about 32"
[ "$(sql "$DB" "SELECT count(*) FROM finding_evidence e JOIN findings f ON f.id = e.finding_id
	WHERE f.kind = 'ipi_storm' AND e.text LIKE 'TLB shootdown:%flush_tlb_func%'")" -ge 1 ] ||
	fail "ipi capture: TLB shootdowns not named as a sender"
[ "$(sql "$DB" "SELECT count(*) FROM finding_evidence e JOIN findings f ON f.id = e.finding_id
	WHERE f.kind = 'ipi_storm' AND e.text LIKE 'membarrier:%ipi_mb%'")" -ge 1 ] ||
	fail "ipi capture: membarrier not named as a sender"
[ "$(sql "$DB" "SELECT count(*) FROM finding_evidence e JOIN findings f ON f.id = e.finding_id
	WHERE f.kind = 'ipi_storm' AND e.text LIKE 'CPU hotplug:%CPU1%'")" -ge 1 ] ||
	fail "ipi capture: CPU1's offline windows not in the storm's evidence"
[ "$(sql "$DB" "SELECT hang_class FROM diagnosis")" = ipi_hotplug ] ||
	fail "ipi capture: diagnosis $(sql "$DB" "SELECT hang_class FROM diagnosis")"
# Signs of the class, not a hang: no task was stuck.
[ "$(sql "$DB" "SELECT confidence < 0.6 FROM diagnosis")" = 1 ] || fail "ipi capture: too sure"
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'hung_tasks'")" = 0 ] ||
	fail "ipi capture: hung tasks"

# --- capture-memcg-swap-oom: zram swap full at 19 s, a cgroup OOM kill at
# 19.4 s; nothing global (t093 checks the reclaim findings in detail).
ingest_capture capture-memcg-swap-oom
[ "$(loud "$DB")" = "oom_kill swap_exhausted " ] || fail "swap capture: loud findings: $(loud "$DB")"
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
# cgroup reclaim from 11.0 s to 45.0 s (uptime-relative; the trace sits
# 0.8 s earlier on the common timeline): super_cache_scan scans 8,293,376
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
