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
	T0=$(tar xJOf "$SAMPLES/$1/capture.tar.xz" "$1/capture.info" | awk -F= '/^started=/ { print $2 }')
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
echo ok
