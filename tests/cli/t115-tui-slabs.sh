#!/usr/bin/env bash
# The Slabs view in a real terminal (tmux) on capture-slab-xfs: the sample
# follows the time cursor, the peak's largest cache is the README's, the
# sorts, growth since the previous sample, a SLUB merge group opened and
# closed as `slab_alias` lists it, a cache named by a slab_merge_hazard
# finding marked and its finding shown, 80x24; then a /sys/kernel/slab copy
# alone, R after the capture is ingested beside it, and a database without
# slab data.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tui.sh"
TUI_VIEW=6

CAP=$SAMPLES/capture-slab-xfs/capture.tar.xz
DB=$T/slab.db
expect_ok ingest -q -d "$DB" "$CAP"
expect_ok analyze -d "$DB"
START=$(tar xJOf "$CAP" capture-slab-xfs/capture.info | awk -F= '/^started/ {print $2}')
[ -n "$START" ] || fail "no start time in capture.info"
N=$(sql "$DB" "SELECT count(DISTINCT ts) FROM slab")
[ "$N" = 40 ] || fail "capture-slab-xfs has $N slab samples, its README says 40"

# text DB QUERY: one value, without CSV's quotes.
text() {
	local v
	v=$(sql "$1" "$2")
	case $v in \"*\") v=${v:1:${#v}-2}; v=${v//\"\"/\"} ;; esac
	printf '%s\n' "$v"
}
# nearest SECONDS: SQL for the slab sample nearest START + SECONDS.
nearest() { echo "(SELECT ts FROM slab ORDER BY abs(ts - ($START + $1)), ts LIMIT 1)"; }
# hms SQL: the HH:MM:SS of a time, as the header shows it.
hms() { sql "$DB" "SELECT strftime('%H:%M:%S', $1, 'unixepoch')"; }
# row N: the Nth line of the table (screen line N + 3).
row() { screen | sed -n "$(($1 + 3))p"; }
# cursor_at SECONDS: the time cursor to START + SECONDS with the t prompt.
cursor_at() {
	keys t
	keys "$(awk "BEGIN { printf \"%.3f\", $START + $1 }")" Enter
}

start "$DB" TERM=xterm-256color
# The cursor starts at the data's first moment: the first sample.
first="(SELECT min(ts) FROM slab)"
wait_for "^slabinfo sample 1 of $N at $(hms "$first")\."
# > moves the cursor a second on: the next sample, and the header's time with it.
keys '>'
wait_for "^slabinfo sample 2 of $N at $(hms "(SELECT min(ts) FROM slab WHERE ts > $first)")\."

# At 16 s (the README's steady peak, 15-20 s): xfs_inode on top with the
# README's 1,955.1 MiB, 2,002,016 objects of 1,024 bytes, 0.0811 of MemTotal.
at=$(nearest 16)
k=$(sql "$DB" "SELECT count(DISTINCT ts) FROM slab WHERE ts <= $at")
cursor_at 16
wait_for "^slabinfo sample $k of $N at $(hms "$at")\."
top=$(sql "$DB" "SELECT cache || ' ' || printf('%.1f', bytes / 1048576.0) FROM slab WHERE ts = $at
	ORDER BY bytes DESC, cache LIMIT 1")
[ "$top" = "xfs_inode 1955.1" ] || fail "the view's data disagrees with the README: $top"
row 1 | grep -Eq '^!? +xfs_inode +2,002,016 +2,002,016 +1024 +1955\.1 MiB +8\.1% ' ||
	fail "the top cache at 16 s is not xfs_inode at 1955.1 MiB: $(row 1)"
wait_for 'bytes (▼|v) '

# s s s: by name, A to Z; S: Z to A.
keys s s s
wait_for '^   cache (▲|\^)'
name=$(sql "$DB" "SELECT min(cache) FROM slab WHERE ts = $at")
row 1 | grep -Eq "^.. +$name " || fail "sorted by name, the top is not $name: $(row 1)"
keys S
wait_for '^   cache (▼|v)'
name=$(sql "$DB" "SELECT max(cache) FROM slab WHERE ts = $at")
row 1 | grep -Eq "^.. +$name " || fail "sorted by name reversed, the top is not $name: $(row 1)"

# Growth at 8 s, when the inodes are being created: the cache that grew most
# since the previous sample, by what slab_caches says.
keys S s
wait_for 'change (▼|v)'
cursor_at 8
at8=$(nearest 8)
prev="(SELECT max(ts) FROM slab WHERE ts < $at8)"
grew=$(sql "$DB" "SELECT c.cache || ' +' || printf('%.1f', (c.bytes - ifnull(p.bytes, 0)) / 1048576.0)
	FROM slab c LEFT JOIN slab p ON p.cache = c.cache AND p.ts = $prev WHERE c.ts = $at8
	ORDER BY c.bytes - ifnull(p.bytes, 0) DESC, c.cache LIMIT 1")
wait_for "^slabinfo sample $(sql "$DB" "SELECT count(DISTINCT ts) FROM slab WHERE ts <= $at8") of"
row 1 | grep -Eq "^.. +${grew% *} .* \\${grew#* } MiB$" ||
	fail "the fastest growing cache at 8 s is not $grew: $(row 1)"

# A cache of a merge group that one slab_merge_hazard finding names, at 16 s by bytes.
keys s
wait_for 'bytes (▼|v) '
cursor_at 16
wait_for "^slabinfo sample $k of"
IFS='|' read -r cache fid < <("$MMT" sql -d "$DB" --csv "SELECT s.name || '|' || f.id
	FROM finding_subjects s JOIN findings f ON f.id = s.finding_id
	WHERE f.kind = 'slab_merge_hazard' AND s.type = 'cache'
	AND s.name IN (SELECT cache FROM slab WHERE ts = $at)
	AND (SELECT count(*) FROM finding_subjects o WHERE o.type = 'cache' AND o.name = s.name) = 1
	ORDER BY f.id, s.name LIMIT 1" | sed -n 2p)
[ -n "$cache" ] || fail "no slab_merge_hazard finding names a cache of the sample"
keys / "$cache" Enter
wait_for "^$cache: merged with "
screen | grep -Eq "^!(\+|▸) $cache " || fail "no hazard and group marks on $cache"
title=$(text "$DB" "SELECT substr(title, 1, 60) FROM findings WHERE id = $fid")
screen | grep -F "! info finding (e shows it): $title" >/dev/null ||
	fail "the detail line lacks the finding's title: $title"
# The mark has the colour of the finding's severity (on a line not selected).
sev=$(sql "$DB" "SELECT f.severity FROM findings f JOIN finding_subjects s ON s.finding_id = f.id
	WHERE s.type = 'cache' AND s.name = 'xfs_inode'
	ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END LIMIT 1")
case $sev in critical) c=31 ;; warning) c=33 ;; *) c=36 ;; esac
tm capture-pane -p -e | grep -Eq $'^\x1b\\['"${c}m!"$'\x1b\\[[0-9;]*m +xfs_inode ' ||
	fail "xfs_inode's mark is not in the colour of a $sev finding"
# Enter opens the group: the other caches of its kmem_cache, as slab_alias lists them.
want=$(sql "$DB" "SELECT group_concat(alias, ' ') FROM (SELECT alias FROM slab_alias
	WHERE cache = (SELECT cache FROM slab_alias WHERE alias = '$cache') AND alias != '$cache'
	ORDER BY alias)")
[ -n "$want" ] || fail "$cache has no alias in slab_alias"
keys Enter
wait_for "^!(-|▾) $cache "
got=$(screen | awk -v c="$cache" '$0 ~ "^!(-|▾) " c " " { on = 1; next }
	on && /^.  (├|└|\||`) / { sub(/^.  (├|└|\||`) /, ""); printf "%s%s", n++ ? " " : "", $1; next }
	{ on = 0 }')
[ "$got" = "$want" ] || fail "the group of $cache shows '$got', slab_alias says '$want'"
# Left closes it.
keys Left
wait_for "^!(\+|▸) $cache "
screen | grep -Eq '^.  (├|└) ' && fail "Left left the group open"
# e shows the finding in Findings; q comes back.
keys e
wait_for '^\[1 Findings\]'
summary=$(text "$DB" "SELECT substr(summary, 1, 40) FROM findings WHERE id = $fid")
screen | grep -F "  $summary" >/dev/null || fail "e did not select finding $fid"
keys q
wait_for '\[6 Slabs\]'

# 80x24: every column still drawn, the help bar on line 23.
tm resize-window -x 80 -y 24
wait_for '^   cache +active +objs +objsize +bytes (▼|v) +share +change$'
screen | sed -n 23p | grep -q 's sort' || fail "no help bar on line 23 of 24"
keys g
wait_for '^xfs_inode: merged with'
row 1 | grep -Eq '^!? +xfs_inode +2,002,016 ' || fail "80x24 lost the top cache: $(row 1)"
screen | sed -n 22p | grep -Eq '^! info finding' || fail "80x24 lost the detail lines"
keys q
wait_for '^EXIT=0'

# A copy of /sys/kernel/slab alone: its caches, by (slabs << order) pages.
mkdir "$T/x"
tar xJf "$CAP" -C "$T/x" capture-slab-xfs/sys || fail "cannot extract the sysfs copy"
SDB=$T/sysfs.db
expect_ok ingest -q -d "$SDB" "$T/x/capture-slab-xfs/sys/kernel/slab"
start "$SDB" TERM=xterm-256color
wait_for '^/sys/kernel/slab copy, time unknown: slab '
top=$("$MMT" sql -d "$SDB" --csv "SELECT cache FROM slab_attrs ORDER BY (slabs << \"order\") DESC,
	cache LIMIT 1" | sed -n 2p)
row 1 | grep -Eq "^.. $top " || fail "the sysfs copy's largest cache is not $top: $(row 1)"
# The capture ingested while the view is open: R shows its slabinfo series.
expect_ok ingest -q -d "$SDB" "$CAP"
keys R
wait_for "^slabinfo sample [0-9]+ of $N at "
keys q
wait_for '^EXIT=0'

# No slab data: said so.
NDB=$T/none.db
expect_ok ingest -q -d "$NDB" "$SAMPLE"
start "$NDB" TERM=xterm-256color
wait_for '^No slab samples'
keys q
wait_for '^EXIT=0'
exit 0
