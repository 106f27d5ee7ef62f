#!/usr/bin/env bash
# The lab's lockdep captures (samples/capture-lockdep-*): real reports of a
# lockdep kernel running the test modules of samples/lab/modules, each
# against the truth its README states: the findings that must appear, with
# their tasks (names and pids) and locks, those that must not, and the
# class of hang the diagnosis names.
. "$(dirname "$0")/lib.sh"

# open_capture NAME: DB analyzed from samples/NAME/capture.tar.xz; T0 is
# the capture's start (Unix seconds), so that windows read as seconds.
open_capture() {
	NAME=$1
	DB=$T/$1.db
	expect_ok ingest -q -d "$DB" "$SAMPLES/$1/capture.tar.xz"
	expect_ok analyze -d "$DB"
	T0=$(tar xJOf "$SAMPLES/$1/capture.tar.xz" --wildcards "*/capture.info" |
		awk -F= '/^started=/ { print $2 }')
	[ -n "$T0" ] || fail "$1: no start in capture.info"
}

# q QUERY: one value from the capture's database, unquoted from CSV.
q() { sql "$DB" "$1" | sed -e 's/^"\(.*\)"$/\1/' -e 's/""/"/g'; }

# expect WHAT QUERY VALUE: the query's value must be VALUE.
expect() {
	local got
	got=$(q "$2")
	[ "$got" = "$3" ] || fail "$NAME: $1: '$got', expected '$3'"
}

# subjects ANALYZER KIND: "type:pid:name" of one finding's subjects, sorted.
subjects() {
	q "SELECT group_concat(x, ' ') FROM (SELECT s.type || ':' || ifnull(s.pid, '') || ':' ||
		s.name x FROM finding_subjects s JOIN findings f ON f.id = s.finding_id
		WHERE f.analyzer = '$1' AND f.kind = '$2' ORDER BY x)"
}

# window KIND LOW HIGH: the finding's start and end, in seconds after T0,
# within [LOW-2, LOW+2] and [HIGH-2, HIGH+2].
window() {
	local a b
	a=$(q "SELECT round(t_start - $T0, 2) FROM findings WHERE kind = '$1'")
	b=$(q "SELECT round(t_end - $T0, 2) FROM findings WHERE kind = '$1'")
	awk -v a="$a" -v b="$b" -v l="$2" -v h="$3" \
		'BEGIN { exit !(a >= l - 2 && a <= l + 2 && b >= h - 2 && b <= h + 2) }' ||
		fail "$NAME: $1 from $a to $b s, not about $2 to $3"
}

loud() {
	q "SELECT group_concat(kind, ' ') FROM (SELECT DISTINCT kind FROM findings
		WHERE severity IN ('warning', 'critical') ORDER BY 1)"
}

# Evidence quotes a task's reliable frame lines, never a "? sym" line the
# unwinder found stale when the function also has a reliable frame.
no_stale_frames() {
	expect "stale frame lines quoted" "SELECT count(*) FROM finding_evidence e
		JOIN findings f ON f.id = e.finding_id WHERE f.analyzer = 'waits'
		AND e.text LIKE ' ? %'" 0
}

# --- capture-lockdep-abba: lab_config (84) holds lab_dev_lock and waits for
# lab_list_lock; lab_events (85) holds lab_list_lock and waits for
# lab_dev_lock. Two hung-task rounds and a SysRq w + d round list the same
# cycle: one deadlock, not three.
open_capture capture-lockdep-abba
[ "$(loud)" = "deadlock hung_tasks" ] || fail "$NAME: loud findings: $(loud)"
expect "deadlocks" "SELECT count(*) FROM findings WHERE kind = 'deadlock'" 1
expect "deadlock" "SELECT severity || ' ' || confidence || ' ' || title FROM findings
	WHERE kind = 'deadlock'" "critical 0.9 deadlock: 2 tasks wait for each other's locks (lab_config:84 waits for lab_list_lock)"
[ "$(subjects waits deadlock)" = "lock::lab_dev_lock lock::lab_list_lock task:84:lab_config task:85:lab_events" ] ||
	fail "$NAME: deadlock subjects: $(subjects waits deadlock)"
expect "rounds in the summary" "SELECT instr(summary, 'The same deadlock is in 3 rounds of reports') > 0
	FROM findings WHERE kind = 'deadlock'" 1
expect "reports of the deadlock" "SELECT count(DISTINCT r.report_id) FROM finding_reports r
	JOIN findings f ON f.id = r.finding_id WHERE f.kind = 'deadlock'" 5
expect "reports attached twice" "SELECT count(*) - count(DISTINCT r.report_id) FROM finding_reports r
	JOIN findings f ON f.id = r.finding_id WHERE f.kind = 'deadlock'" 0
window deadlock 19.6 32.2
expect "hung-task groups" "SELECT count(*) FROM findings WHERE kind = 'hung_tasks'" 2
no_stale_frames
expect "evidence of lab_config's wait site" "SELECT count(*) FROM finding_evidence e
	JOIN findings f ON f.id = e.finding_id WHERE f.kind = 'hung_tasks'
	AND e.text LIKE ' lab_config_walk_clients+0xe/0x30 [lab_abba]'" 1
expect "other kinds" "SELECT count(*) FROM findings WHERE kind IN
	('reclaim_recursion', 'cpu_hotplug_deadlock', 'lockdep', 'livelock')" 0
# No memory-pressure class: the lock cycle is the verdict, at the finding's confidence.
expect "diagnosis" "SELECT hang_class || ' ' || confidence FROM diagnosis" "deadlock 0.9"
expect "deadlock in the verdict" "SELECT count(*) FROM diagnosis_findings d
	JOIN findings f ON f.id = d.finding_id WHERE f.kind = 'deadlock'" 1

# --- capture-lockdep-reclaim (lockdep validating): kswapd0 (28), holding
# fs_reclaim, takes lab_pool_lock in the pool's shrinker while lab_refill
# (88) allocates under it: lockdep reports the cycle at 5.3 s and turns
# itself off. lab_refill then deadlocks on its own lock in direct reclaim
# and kswapd0 waits behind it; without held-lock lists nothing names the
# lock lab_refill waits for.
open_capture capture-lockdep-reclaim
[ "$(loud)" = "hung_tasks reclaim_recursion reclaim_stall" ] || fail "$NAME: loud findings: $(loud)"
expect "lockdep recursion" "SELECT severity || ' ' || confidence || ' ' || title FROM findings
	WHERE analyzer = 'locks' AND kind = 'reclaim_recursion'" "critical 0.8 reclaim recursion: WARNING: possible circular locking dependency detected in lab_pool_scan"
[ "$(subjects locks reclaim_recursion)" = "lock::fs_reclaim lock::lab_pool_lock task:28:kswapd0" ] ||
	fail "$NAME: recursion subjects: $(subjects locks reclaim_recursion)"
window reclaim_recursion 5.3 5.3
[ "$(subjects waits hung_tasks)" = "task:28:kswapd0 task:88:lab_refill" ] ||
	fail "$NAME: hung tasks: $(subjects waits hung_tasks)"
expect "wait site" "SELECT title FROM findings WHERE kind = 'hung_tasks'" \
	"2 tasks blocked in mutex at lab_pool_scan"
expect "other kinds" "SELECT count(*) FROM findings WHERE kind IN ('deadlock',
	'cpu_hotplug_deadlock', 'lockdep') OR (kind = 'reclaim_recursion' AND analyzer = 'waits')" 0
no_stale_frames
expect "diagnosis" "SELECT hang_class || ' ' || (confidence >= 0.85) FROM diagnosis" \
	"reclaim_lock_recursion 1"

# --- capture-lockdep-reclaim-held (lockdep listing held locks only): the
# same hang, and the hung-task detector lists lab_refill's locks:
# lab_pool_lock taken at lab_pool_refill_one, fs_reclaim, shrinker_rwsem,
# and lab_pool_lock again (same address) at lab_pool_scan.
open_capture capture-lockdep-reclaim-held
[ "$(loud)" = "deadlock hung_tasks reclaim_recursion reclaim_stall" ] ||
	fail "$NAME: loud findings: $(loud)"
expect "recursion" "SELECT severity || ' ' || confidence || ' ' || title FROM findings
	WHERE analyzer = 'waits' AND kind = 'reclaim_recursion'" "critical 0.8 reclaim recursion: lab_refill allocates holding lab_pool_lock, reclaim takes it again at lab_pool_scan"
[ "$(subjects waits reclaim_recursion)" = "lock::lab_pool_lock task:87:lab_refill" ] ||
	fail "$NAME: recursion subjects: $(subjects waits reclaim_recursion)"
expect "the frame that took the lock" "SELECT count(*) FROM finding_evidence e
	JOIN findings f ON f.id = e.finding_id WHERE f.kind = 'reclaim_recursion'
	AND e.text LIKE ' lab_pool_refill_one+%'" 1
expect "self-deadlock" "SELECT count(*) || ' ' || title FROM findings WHERE kind = 'deadlock'" \
	"1 self-deadlock: lab_refill:87 waits for lab_pool_lock, which it holds"
[ "$(subjects waits deadlock)" = "lock::lab_pool_lock task:87:lab_refill" ] ||
	fail "$NAME: deadlock subjects: $(subjects waits deadlock)"
window deadlock 29.9 41.8
expect "rounds in the summary" "SELECT instr(summary, 'in 3 rounds') > 0 FROM findings
	WHERE kind = 'deadlock'" 1
expect "other kinds" "SELECT count(*) FROM findings WHERE kind IN ('cpu_hotplug_deadlock',
	'lockdep') OR analyzer = 'locks'" 0
no_stale_frames
expect "diagnosis" "SELECT hang_class FROM diagnosis" reclaim_lock_recursion

# --- capture-lockdep-hotplug (lockdep validating): CPU1 goes offline while
# lab_stats (88) holds lab_stats_lock; kworker/0:1 (13) runs the offline
# holding cpu_hotplug_lock and waits for cpuhp/1 (15), whose callback
# lab_stats_offline waits for lab_stats_lock; lab_stats and the vmstat
# worker kworker/0:0 (6) wait in cpus_read_lock; the shell that wrote
# "0" to cpu1/online (112) waits for the offline's work item. Lockdep
# reports cpu_hotplug_lock --> cpuhp_state-down --> lab_stats_lock first.
open_capture capture-lockdep-hotplug
[ "$(loud)" = "cpu_hotplug_deadlock hung_tasks lockdep" ] || fail "$NAME: loud findings: $(loud)"
expect "hotplug deadlock" "SELECT severity || ' ' || confidence FROM findings
	WHERE kind = 'cpu_hotplug_deadlock'" "critical 0.8"
[ "$(subjects waits cpu_hotplug_deadlock)" = "lock::cpu_hotplug_lock task:112:scenario.sh task:13:kworker/0:1 task:15:cpuhp/1 task:6:kworker/0:0 task:88:lab_stats" ] ||
	fail "$NAME: hotplug subjects: $(subjects waits cpu_hotplug_deadlock)"
expect "the callback" "SELECT instr(summary, 'cpuhp/1:15 runs the hotplug callback lab_stats_offline and sleeps there on a mutex') > 0
	FROM findings WHERE kind = 'cpu_hotplug_deadlock'" 1
window cpu_hotplug_deadlock 19.6 19.6
[ "$(subjects locks lockdep)" = "lock::cpu_hotplug_lock lock::cpuhp_state-down lock::lab_stats_lock task:88:lab_stats" ] ||
	fail "$NAME: lockdep subjects: $(subjects locks lockdep)"
expect "other kinds" "SELECT count(*) FROM findings WHERE kind IN ('deadlock', 'reclaim_recursion')" 0
no_stale_frames
expect "diagnosis" "SELECT hang_class FROM diagnosis" ipi_hotplug

# --- capture-lockdep-hotplug-held (lockdep listing held locks only): the
# same hang, the workers' roles swapped: kworker/0:2 (31) runs the offline,
# kworker/0:1 (13) is the vmstat worker; lab_stats is 87, the shell 114.
# The lists name lab_stats_lock as cpuhp/1's awaited lock and lab_stats as
# its holder, and lockdep counts cpu_hotplug_lock as held by cpuhp/1 (it
# runs the callbacks for the offline): a two-task cycle.
open_capture capture-lockdep-hotplug-held
[ "$(loud)" = "cpu_hotplug_deadlock deadlock hung_tasks" ] || fail "$NAME: loud findings: $(loud)"
[ "$(subjects waits cpu_hotplug_deadlock)" = "lock::cpu_hotplug_lock lock::lab_stats_lock task:114:scenario.sh task:13:kworker/0:1 task:15:cpuhp/1 task:31:kworker/0:2 task:87:lab_stats" ] ||
	fail "$NAME: hotplug subjects: $(subjects waits cpu_hotplug_deadlock)"
expect "the loop" "SELECT instr(summary, 'cpuhp/1:15 runs the hotplug callback lab_stats_offline and sleeps there on lab_stats_lock, which lab_stats:87 holds (lockdep''s held locks) while it waits for the CPU-hotplug lock') > 0
	FROM findings WHERE kind = 'cpu_hotplug_deadlock'" 1
window cpu_hotplug_deadlock 19.6 19.6
[ "$(subjects waits deadlock)" = "lock::cpu_hotplug_lock lock::lab_stats_lock task:15:cpuhp/1 task:87:lab_stats" ] ||
	fail "$NAME: deadlock subjects: $(subjects waits deadlock)"
window deadlock 19.6 31.3
expect "deadlocks" "SELECT count(*) FROM findings WHERE kind = 'deadlock'" 1
expect "other kinds" "SELECT count(*) FROM findings WHERE kind IN ('reclaim_recursion', 'lockdep')" 0
no_stale_frames
expect "diagnosis" "SELECT hang_class FROM diagnosis" ipi_hotplug
echo ok
