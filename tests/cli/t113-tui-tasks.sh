#!/usr/bin/env bash
# The Tasks view in a real terminal (tmux): the blocked tasks of the
# fsfreeze sample as a tree of wait class > wait site > task with the counts
# the store holds, a task opened to its stack (the wait site and culprit
# marked, '?' frames dimmed), closed again; the Findings view's evidence
# line jumping to its line in the Log and on to its task; hostile names
# escaped; and, on a capture with a trace, the tasks at the time cursor as
# `mmtriage replay --at` tells them, following the cursor.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"


DB=$T/fs.db
analyzed fs "$SAMPLE"
# The store: seven tasks in fs_freeze, at three sites.
site_tasks() { sql "$DB" "SELECT count(DISTINCT pid) FROM blocked_tasks WHERE wait_site = '$1'"; }
[ "$(sql "$DB" "SELECT count(DISTINCT pid) FROM blocked_tasks WHERE wait_class = 'fs_freeze'")" = 7 ] ||
	fail "the sample does not hold 7 fs_freeze tasks"
[ "$(site_tasks vfs_write) $(site_tasks mnt_want_write) $(site_tasks ext4_page_mkwrite)" = "3 3 1" ] ||
	fail "the sites do not hold 3, 3 and 1 tasks"

start "$DB" TERM=xterm-256color LC_ALL=C.UTF-8
keys 2
wait_for '\[2 Tasks\]'
wait_for '^Blocked tasks: 7 in 1 wait class, from 12 reports$'
wait_for '^▾ fs_freeze \(7\)$'
for site in vfs_write mnt_want_write ext4_page_mkwrite; do
	wait_for "^  ▾ $site \($(site_tasks "$site")\)$"
done
# One row a task, from its last report (sh was reported at 10 s, then 20 s).
wait_for '^    ▸ sh:16520  D  blocked 20 s  culprit vfs_write  2 reports, last at 773\.172592$'
wait_for '^    ▸ mkdir:17226  D  blocked 10 s  culprit mnt_want_write  1 report, last at 762\.947182$'
# Each task under its own site, as the store has them.
screen | awk '/^  (▾|▸) / { site = $2 } /^    (▾|▸) / { print site, $2 }' | sort >"$T/tree"
"$MMT" sql -d "$DB" --csv "SELECT DISTINCT wait_site || ' ' || comm || ':' || pid FROM blocked_tasks" |
	sed 1d | sort >"$T/store"
diff "$T/store" "$T/tree" >&2 || fail "the tree's tasks and sites differ from the store's"
[ "$(wc -l <"$T/tree")" = 7 ] || fail "the tree shows $(wc -l <"$T/tree") tasks, not 7"

# sh opens to its stack, innermost first, as the store holds its last report's.
select_down 'sh:16520'
keys Enter
wait_for '^    ▾ sh:16520'
"$MMT" sql -d "$DB" --csv "SELECT idx, CASE WHEN reliable THEN '' ELSE '? ' END || symbol FROM frames
	WHERE stack_id = (SELECT stack_id FROM blocked_tasks WHERE pid = 16520 ORDER BY id DESC LIMIT 1)
	ORDER BY idx" | sed 1d | tr ',' ' ' >"$T/frames"
[ "$(wc -l <"$T/frames")" -gt 5 ] || fail "sh's stack has too few frames"
while read -r idx sym; do
	wait_for "^        #$idx +$(printf '%s' "$sym" | sed 's/[?.]/\\&/g')(\+|$| )"
done <"$T/frames"
wait_for '^        #5  vfs_write\+0x458/0x4c0  ← wait site, culprit$'
# The wait site highlighted (black on green), a '?' frame dimmed (blue) whole.
tm capture-pane -p -e | grep -aq $'\e\\[42mvfs_write' || fail "the wait site is not highlighted"
tm capture-pane -p -e | grep -aq $'\e\\[34m#3  ? __pfx_percpu_rwsem_wake_function' ||
	fail "the '?' frame is not dimmed"
# Left closes the task, then goes up to its site, then closes the site.
keys Left
wait_for '^    ▸ sh:16520'
! screen | grep -q '#5  vfs_write' || fail "Left left the stack open"
keys Left
wait_selected '^  ▾ vfs_write \(3\)'
keys Left
wait_for '^  ▸ vfs_write \(3\)$'
! screen | grep -q 'sh:16520' || fail "the closed site still shows its tasks"
# No trace: no section at the cursor.
! screen | grep -q 'At the cursor' || fail "a database without a trace shows tasks at the cursor"

# Findings: the first finding's first evidence is a log line; Enter shows it in the Log.
keys 1
wait_for '\[1 Findings\]'
keys Right
ev=$(selected)
line=$(printf '%s\n' "$ev" | sed -n 's/^ *dmesg\.txt:\([0-9]*\) .*/\1/p')
[ -n "$line" ] || fail "the first evidence row is not a log line: $ev"
text=$(sql "$DB" "SELECT text FROM log_lines WHERE line = $line")
printf '%s\n' "$text" | grep -Eq '^INFO: task .+:[0-9]+ blocked for more than [0-9]+ seconds\.$' ||
	fail "evidence line $line is not a hung-task line: $text"
printf '%s\n' "$ev" | grep -qF "$text" || fail "the evidence row does not quote line $line"
keys Enter
wait_for '\[4 Log\]'
wait_selected "^▸ +$line +[0-9.]+ $(printf '%s' "$text" | sed 's/[.]/\\./g') \[\+[0-9]+ lines\]$"
# T: the task of that report, selected in Tasks; q comes back.
pid=$(printf '%s\n' "$text" | sed 's/^INFO: task .*:\([0-9]*\) blocked.*/\1/')
keys T
wait_for '\[2 Tasks\]'
wait_selected "^    ▸ [^ ]+:$pid  D"
keys q
wait_for '\[4 Log\]'
keys q
wait_for '\[1 Findings\]'
quit

# Hostile task names: escaped, in the tree as everywhere. Then the fsfreeze
# log, ingested while the view is open: its tasks join the tree on R.
HDB=$T/hostile.db
analyzed hostile --lenient "$SAMPLES/hostile-comm/dmesg-noescape.txt"
before=$(sql "$HDB" "SELECT count(*) FROM (SELECT DISTINCT pid, comm FROM blocked_tasks WHERE wait_class = 'fs_freeze')")
start "$HDB" TERM=xterm-256color LC_ALL=C.UTF-8
keys 2
wait_for "^▾ fs_freeze \($before\)$"
wait_for '^    ▸ \\x1b\[31mRED\\x1b\[0m:8366  D'
wait_for '^    ▸ \\x1b\]0;pwned\\x07:8367  D'
no_osc
expect_ok ingest -q -d "$HDB" "$SAMPLE"
expect_ok analyze -d "$HDB"
after=$(sql "$HDB" "SELECT count(*) FROM (SELECT DISTINCT pid, comm FROM blocked_tasks WHERE wait_class = 'fs_freeze')")
[ "$after" -gt "$before" ] || fail "the fsfreeze log added no fs_freeze task"
keys R
wait_for "^▾ fs_freeze \($after\)$"
wait_for '^    ▸ sh:16520  D'
quit

# A trace: the tasks at the cursor, as `mmtriage replay --at` has them.
WDB=$T/wb.db
analyzed wb "$SAMPLES/capture-writeback-stall/capture.tar.xz"
# The answers come from a copy, so that the TUI builds its own checkpoints.
cp "$WDB" "$T/replay.db"
first=$(sql "$WDB" "SELECT printf('%.6f', t.first_ns / 1e9 + s.t_offset) FROM trace_sources t
	JOIN sources s ON s.id = t.source_id")
[ -n "$first" ] || fail "the capture holds no trace"
t1=$(awk -v a="$first" 'BEGIN { printf "%.6f", a + 10 }')
t2=$(awk -v a="$first" 'BEGIN { printf "%.6f", a + 11 }')
# counts T: "N running, N runnable, N in D, N in reclaim" at T; the tasks of each in $T/at.STATE.
counts() {
	"$MMT" replay -d "$T/replay.db" --at "$1" >"$T/replay" 2>/dev/null || fail "replay --at $1 failed"
	for s in running runnable D; do
		sed -n "s/^  $s \{1,9\}\([^ ]*\)-\([0-9]*\) .*/\1:\2/p" "$T/replay" >"$T/at.$s"
	done
	sed -n 's/^Tasks: \([0-9]*\) running, \([0-9]*\) runnable, \([0-9]*\) in D,.*/\1 running, \2 runnable, \3 in D/p' "$T/replay"
	sed -n 's/^Reclaim and compaction: \([0-9]*\) in progress/, \1 in reclaim/p' "$T/replay"
}
c1=$(counts "$t1" | tr -d '\n')
[ -n "$c1" ] || fail "replay --at $t1 printed no task counts"
grep -q . "$T/at.D" || fail "replay --at $t1 lists no task in D"
case $c1 in *"in reclaim") ;; *) c1="$c1, 0 in reclaim" ;; esac

start "$WDB" TERM=xterm-256color LC_ALL=C.UTF-8
keys 2
wait_for '^▾ At the cursor '
# The capture starts before its trace: at its first moment the cursor is outside it.
wait_for '^  The cursor is outside the trace\.$'
at "$t1"
wait_for 'Built the replay checkpoints of trace'
wait_for "^▾ At the cursor [0-9:.]+: $c1\$"
# The running tasks, and the first tasks in D (longest first), as replay lists them.
screen | sed -n 's/^ *\([^ ]*\) on CPU [0-9]*  since .*/\1/p' | sort >"$T/shown.running"
sort "$T/at.running" | diff - "$T/shown.running" >&2 || fail "the running tasks differ from replay --at's"
screen | awk '/^  ▾ D \(/ { on = 1; next } on && /^  (▾|▸)/ { on = 0 } on && /  since / { print $1 }' >"$T/shown.D"
[ -s "$T/shown.D" ] || fail "no task in D shown"
head -n "$(wc -l <"$T/shown.D")" "$T/at.D" | diff - "$T/shown.D" >&2 ||
	fail "the tasks in D differ from replay --at's"
# a: the section at the cursor selected; > moves the cursor a second and the section follows.
keys a
wait_selected '^▾ At the cursor '
c2=$(counts "$t2" | tr -d '\n')
case $c2 in *"in reclaim") ;; *) c2="$c2, 0 in reclaim" ;; esac
keys '>'
wait_for "^▾ At the cursor [0-9:.]+: $c2\$"
quit
exit 0
