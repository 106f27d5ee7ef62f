#!/usr/bin/env bash
# Crash dumps (parsers/vmcore.c, tree kind 'vmcore'): recognised by their
# headers, refused with a message naming the dump when it is cut short,
# when its vmlinux cannot be read, when crash or makedumpfile is missing
# (naming the Debian package) or refuses it; every refusal leaves the
# database as it was. The input is samples/vmcore-freeze: the ELF headers
# and notes of a real QEMU dump (vmcore-head.bin, which as a file is a
# truncated vmcore), and the session crash printed of the whole dump. The
# dump itself is read in tests/vm (ctest -L vm).
. "$(dirname "$0")/lib.sh"

HEAD=$SAMPLES/vmcore-freeze/vmcore-head.bin
DB=$T/v.db
expect_ok ingest -d "$DB" "$SAMPLE"
before=$(db_state "$DB")
unchanged() { [ "$(db_state "$DB")" = "$before" ] || fail "$1 changed the database"; }

# --- Cut short: the headers describe 285,349,120 bytes.
run 1 ingest -d "$DB" --vmlinux /nonexistent "$HEAD"
err_has "vmcore-head.bin: truncated: its headers describe 285349120 bytes, the file holds 5376$"
unchanged "a truncated dump"

# --- Whole in size (the rest sparse, zeros): each missing piece is named.
FULL=$T/vmcore
cp "$HEAD" "$FULL"
truncate -s 285349131 "$FULL"
run 1 ingest -d "$DB" --vmlinux "$T/no-vmlinux" "$FULL"
err_has "no-vmlinux: cannot read the vmlinux: No such file or directory$"
# A PATH with every program but those two (the binary may be a launcher
# script that needs the others: bench/valgrind.sh's).
NOPATH=$T/path-without
mkdir "$NOPATH"
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
	for f in "$d"/*; do
		name=${f##*/}
		case $name in crash | makedumpfile) continue ;; esac
		[ -x "$f" ] && [ ! -e "$NOPATH/$name" ] && ln -s "$f" "$NOPATH/$name"
	done
done
PATH=$NOPATH run 1 ingest -d "$DB" --vmlinux "$HEAD" "$FULL"
err_has "vmcore: 'crash' is not installed \(Debian package crash\)$"
PATH=$NOPATH run 1 ingest -d "$DB" "$FULL"
err_has "vmcore: 'makedumpfile' is not installed \(Debian package makedumpfile\)$"
unchanged "a missing program"
# makedumpfile cannot find a log in memory that is all zeros: its own words.
if command -v makedumpfile >/dev/null; then
	run 1 ingest -d "$DB" "$FULL"
	err_has "vmcore: makedumpfile --dump-dmesg could not read its kernel log \(exit status [0-9]+: .+\); crash, given the kernel's debug vmlinux \(--vmlinux\), may$"
	unchanged "makedumpfile's refusal"
fi
# crash, given something that is no vmlinux, refuses before its first prompt.
if command -v crash >/dev/null; then
	run 1 ingest -d "$DB" --vmlinux "$SAMPLE" "$FULL"
	err_has "vmcore: crash refused it: .+"
	unchanged "crash's refusal"
fi

# --- A process's core file is an ELF core too, but no kernel's: not a vmcore.
if command -v gdb >/dev/null; then
	sleep 30 &
	gdb -batch -p $! -ex "gcore $T/core.sleep" >/dev/null 2>&1 || true
	kill $! 2>/dev/null
	if [ -s "$T/core.sleep" ]; then
		run 1 ingest -d "$DB" --vmlinux "$HEAD" "$T/core.sleep"
		err_has "core.sleep: skipped: binary data, not a recognised input$"
		unchanged "a process's core file"
	fi
fi

# --- The session crash printed of the dump: the writers' scans give the verdict.
DB2=$T/s.db
expect_ok report -d "$DB2" "$SAMPLES/vmcore-freeze/crash-session.txt"
out_has "^Diagnosis: fs_freeze"
out_has "fs_freeze +3 .*sh:149, sh:150, sh:151"
[ "$(sql "$DB2" "SELECT count(*) FROM tasks WHERE role = 'dump' AND state = 'D' AND wait_class = 'fs_freeze'")" = 3 ] ||
	fail "the three scanned writers are not classified fs_freeze"

# --- An OOM storm with the swap full. The log's four reporters waited on
# the swap device's write throttling from reclaim; the dump's task table is
# whole (init_task's list, whose leaders' thread walks found no other
# thread) and none of them is blocked in it: the verdict is the OOM storm,
# and says that they were freed.
DB3=$T/o.db
expect_ok report -d "$DB3" "$SAMPLES/vmcore-swap-oom/crash-session.txt"
out_has "^Diagnosis: oom"
tr -s ' \n' '  ' <"$OUT" | grep -Eq "Also: Swap exhausted\. 4 tasks reported blocked in block_request \(at rq_qos_wait\) for more than 10 s are no longer blocked in the crash dump taken later" ||
	fail "the verdict does not say that the four reported tasks were freed"
out_has "block_request +4 .*rq_qos_wait 4.*hog0\.1:174, hog1\.1:176, scenario\.sh:201, scenario\.sh:202"
[ "$(sql "$DB3" "SELECT count(*) FROM blocked_tasks WHERE in_reclaim = 1 AND wait_site = 'rq_qos_wait'")" = 4 ] ||
	fail "the four reporters are not blocked at rq_qos_wait in reclaim"
[ "$(sql "$DB3" "SELECT count(*) || ' ' || sum(state = 'UN') FROM crash_tasks c JOIN snapshots s ON s.id = c.snapshot_id WHERE s.kind = 'crash_list'")" = "63 0" ] ||
	fail "the dump's task list is not the table of 63 tasks, none uninterruptible"
[ "$(sql "$DB3" "SELECT v.value FROM state_values v JOIN state_keys k ON k.id = v.key_id WHERE k.name = 'crash.threads_unlisted'")" = 0 ] ||
	fail "the thread walks did not say the list is whole"
[ "$(sql "$DB3" "SELECT count(*) FROM released_tasks")" = 4 ] || fail "4 tasks are not released"
[ "$(sql "$DB3" "SELECT kb FROM meminfo WHERE key = 'SwapFree'")" = 0 ] ||
	fail "kmem -i's SWAP FREE is not 0"

# The same session without its thread walks: the table is not known to be
# whole, the reporters' absence says nothing, and they lead the verdict.
awk '/^crash> / { walk = /^crash> list task_struct\.thread_node/ } !walk' \
	"$SAMPLES/vmcore-swap-oom/crash-session.txt" >"$T/nowalks.txt"
expect_ok report -d "$T/n.db" "$T/nowalks.txt"
out_has "^Diagnosis: block_request"
[ "$(sql "$T/n.db" "SELECT count(*) FROM released_tasks")" = 0 ] || fail "tasks released without a whole table"

# A leader whose walk finds a second task (init's, its entry repeated as a
# thread would be): a thread the list lacks, so the table is not whole.
awk '{ print } /^crash> list task_struct\.thread_node/ && !done { walk = 1; next }
	walk && /^[0-9a-f]+$/ { print "ff11000003dea0c0"; walk = 0; done = 1 }' \
	"$SAMPLES/vmcore-swap-oom/crash-session.txt" >"$T/thread.txt"
expect_ok report -d "$T/t.db" "$T/thread.txt"
[ "$(sql "$T/t.db" "SELECT v.value FROM state_values v JOIN state_keys k ON k.id = v.key_id WHERE k.name = 'crash.threads_unlisted'")" = 1 ] ||
	fail "the walk's second task is not counted"
out_has "^Diagnosis: block_request"

# A walk that printed no task (crash refused it): the threads are unknown.
awk '/^crash> list task_struct\.thread_node/ && !done { print; skip = done = 1; next }
	skip && /^[0-9a-f]+$/ { skip = 0; next } { print }' \
	"$SAMPLES/vmcore-swap-oom/crash-session.txt" >"$T/refused.txt"
expect_ok report -d "$T/r.db" "$T/refused.txt"
[ "$(sql "$T/r.db" "SELECT count(*) FROM state_values v JOIN state_keys k ON k.id = v.key_id WHERE k.name = 'crash.threads_unlisted'")" = 0 ] ||
	fail "a table whose walk was refused is taken as whole"
out_has "^Diagnosis: block_request"

# --- What read a dump and what it lacks, as a vmcore's ingest records them
# (the vm tests make them from real dumps): in the text and the JSON.
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
sqlite3 "$DB3" "INSERT INTO trees (id, path, kind, ingested_at, reader) VALUES (9, 'vmcore',
	'vmcore', '2026-11-22T17:22:52Z', 'crash 8.0.2'); UPDATE sources SET tree_id = 9;
	INSERT INTO tree_files (tree_id, role, path, status, source_id, note) VALUES (9,
	'crash_session', 'crash-session.txt', 'ingested', 1, 'the stacks are scans')"
expect_ok report -d "$DB3"
# a paragraph, wrapped where the path makes it long
tr -s ' \n' '  ' <"$OUT" | grep -q "crash-session\.txt: read by crash 8\.0\.2\. the stacks are scans\. " ||
	fail "the report does not say what read the dump and what it lacks"
expect_ok report -d "$DB3" -f json
python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))["sources"][0]
assert (s["reader"], s["note"]) == ("crash 8.0.2", "the stacks are scans"), s' "$OUT" ||
	fail "the JSON source lacks its reader and note"
echo "ok"
