#!/usr/bin/env bash
# The waits analyzer through the CLI: its thresholds listed and overridable,
# and on the corpus's crash backtrace of an Android CPU-hotplug deadlock
# (lkml/cgroups, skipped with 77 when ../shared/corpus is absent) one
# critical cpu_hotplug_deadlock naming the three tasks; quiet on the
# frozen-filesystem sample, which is a hang of another kind.
. "$(dirname "$0")/lib.sh"

expect_ok analyze --thresholds
out_has "^waits\.livelock_min_repeats +3 count"
out_has "^waits\.hotplug_min_waiters +1 count"

DB=$T/fsfreeze.db
expect_ok ingest -d "$DB" "$SAMPLE"
expect_ok analyze -d "$DB"
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind IN ('deadlock', 'livelock',
	'reclaim_recursion', 'cpu_hotplug_deadlock')")" = 0 ] ||
	fail "no deadlock, livelock, recursion or hotplug finding on a frozen filesystem"

CRASH=$MMT_SOURCE_DIR/../shared/corpus/lkml/cgroups/crash-bt-arm64-android-cpuset-hotplug-deadlock.txt
[ -f "$CRASH" ] || { echo "skip: no corpus at $CRASH"; exit 77; }
DB=$T/hotplug.db
expect_ok ingest -d "$DB" "$CRASH"
expect_ok analyze -d "$DB"
[ "$(sql "$DB" "SELECT severity || ' ' || count(*) FROM findings
	WHERE kind = 'cpu_hotplug_deadlock'")" = "critical 1" ] || fail "one critical hotplug deadlock"
[ "$(sql "$DB" "SELECT group_concat(name, ' ') FROM (SELECT s.name FROM finding_subjects s
	JOIN findings f ON f.id = s.finding_id WHERE f.kind = 'cpu_hotplug_deadlock'
	ORDER BY s.name)")" = "cpu_hotplug_lock cpuhp/3 kworker/3:0 sprdhotplug" ] ||
	fail "subjects: the waiter, the hotplug thread, the dependent kthread and the lock"
# Without a waiter requirement met, nothing.
expect_ok analyze -d "$DB" --set waits.hotplug_min_waiters=2
[ "$(sql "$DB" "SELECT count(*) FROM findings WHERE kind = 'cpu_hotplug_deadlock'")" = 0 ] ||
	fail "--set waits.hotplug_min_waiters=2 should leave one waiter short"
