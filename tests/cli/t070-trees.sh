#!/usr/bin/env bash
# Trees: a sosreport (directory and tarball) and a capture directory
# (tarball) ingest as one unit with a per-file account; hostile tarballs
# are refused by name and change nothing.
. "$(dirname "$0")/lib.sh"

# Archives unpack under TMPDIR: a private one, to see that nothing stays.
export TMPDIR=$T/tmp
mkdir "$TMPDIR"
SOS_DIR=$(echo "$SAMPLES"/sosreport-vm/sosreport-*)
SOS_NAME=$(basename "$SOS_DIR")
CAPTURE=$SAMPLES/snapshot-series/capture.tar.xz

# A tarball as sos writes it: Python's tarfile, PAX format, xz.
make_sos_tarball() {
	python3 - "$1" "$2" <<'EOF'
import sys, tarfile
src, out = sys.argv[1], sys.argv[2]
with tarfile.open(out, "w:xz", format=tarfile.PAX_FORMAT) as t:
    t.add(src, arcname=src.rstrip("/").split("/")[-1])
EOF
}

# The sosreport directory: every role found, none missing.
DB=$T/sos.db
expect_ok ingest -d "$DB" "$SOS_DIR"
out_has "sosreport \(tree 1\): 13 files ingested, 0 already there, 0 skipped, 0 failed$"
out_lacks "missing"
[ "$(sql "$DB" "SELECT count(*) FROM tree_files WHERE status = 'ingested'")" = 13 ] ||
	fail "13 files in the account"
[ "$(sql "$DB" "SELECT hostname || ' ' || kernel FROM trees")" = "vm 6.18.44-fc-v769" ] ||
	fail "hostname and kernel from the sosreport"
# btime of proc/stat puts the monotonic dmesg on the wall clock.
[ "$(sql "$DB" "SELECT t_offset FROM sources WHERE kind = 'kernel_log'")" = \
	"$(awk '/^btime/ {print $2 ".0"}' "$SOS_DIR/proc/stat")" ] || fail "t_offset is btime"
[ "$(sql "$DB" "SELECT count(*) FROM sources WHERE tree_id = 1")" = 13 ] || fail "tree_id"
[ "$(sql "$DB" "SELECT kb FROM meminfo WHERE key = 'MemTotal' AND source IN
	(SELECT id FROM sources WHERE path LIKE '%proc/meminfo')")" = \
	"$(awk '/^MemTotal/ {print $2}' "$SOS_DIR/proc/meminfo")" ] || fail "MemTotal"
# The same tree again adds nothing.
before=$(db_state "$DB")
expect_ok ingest -d "$DB" "$SOS_DIR"
out_has "sosreport already ingested"
[ "$(db_state "$DB")" = "$before" ] || fail "a tree ingested twice changed the database"

# The tarball of the same files: the same account, paths shown inside it.
make_sos_tarball "$SOS_DIR" "$T/$SOS_NAME.tar.xz"
DB=$T/sostar.db
expect_ok ingest -d "$DB" "$T/$SOS_NAME.tar.xz"
out_has "$SOS_NAME.tar.xz/$SOS_NAME/proc/slabinfo: slabinfo"
out_has "sosreport \(tree 1\): 13 files ingested"
[ "$(sql "$DB" "SELECT path FROM trees")" = "$T/$SOS_NAME.tar.xz" ] || fail "tree path"
[ "$(sql "$DB" "SELECT count(*) FROM slab_alias WHERE alias = 'biovec-16'")" = 1 ] ||
	fail "aliases from ls -lt /sys/kernel/slab"

# A sosreport without some files says which.
cp -r "$SOS_DIR" "$T/partial"
rm "$T/partial/proc/interrupts" "$T/partial/proc/zoneinfo"
DB=$T/partial.db
expect_ok ingest -d "$DB" "$T/partial"
out_has "11 files ingested.*; missing: proc/zoneinfo, proc/interrupts$"
[ "$(sql "$DB" "SELECT group_concat(role, ' ') FROM tree_files WHERE status = 'missing'")" = \
	"zoneinfo interrupts" ] || fail "missing roles in the account"

# A file of the tree that fails is accounted for; the others stay.
cp -r "$SOS_DIR" "$T/badfile"
sed -i '3s/[0-9][0-9]*/99999999999999999999999/' "$T/badfile/proc/meminfo"
DB=$T/badfile.db
run 1 ingest -d "$DB" "$T/badfile"
err_has "badfile/proc/meminfo:3: .*does not fit in 64 bits"
out_has "12 files ingested, 0 already there, 0 skipped, 1 failed"
[ "$(sql "$DB" "SELECT status FROM tree_files WHERE role = 'meminfo'")" = failed ] ||
	fail "failed file in the account"
[ "$(sql "$DB" "SELECT count(*) FROM snapshots WHERE kind = 'meminfo'")" = 0 ] ||
	fail "the failed file left rows"

# The capture: 600 samples of each series, the slab directory, the log.
DB=$T/cap.db
expect_ok ingest -d "$DB" "$CAPTURE"
out_has "capture \(tree 1\): 13 files ingested, 0 already there, 0 skipped, 0 failed$"
[ "$(sql "$DB" "SELECT count(*) FROM snapshots WHERE kind = 'vmstat'")" = 600 ] ||
	fail "600 vmstat samples"
[ "$(sql "$DB" "SELECT count(*) FROM slab_alias WHERE cache =
	(SELECT cache FROM slab_alias WHERE alias = 'biovec-16')")" -ge 3 ] ||
	fail "biovec-16 shares its cache"
# Two stretches with CPU1 offline: samples of interrupts without CPU 1.
[ "$(sql "$DB" "SELECT count(DISTINCT ts) FROM interrupts WHERE ts NOT IN
	(SELECT ts FROM interrupts WHERE cpu = 1)")" -gt 0 ] || fail "CPU1 offline samples"
[ "$(sql "$DB" "SELECT count(*) FROM interrupts WHERE rate < 0")" = 0 ] || fail "negative rate"

# Ctrl-C inside a tree: the whole tree is undone, exit 130.
mkdir -p "$T/bigcap/proc"
echo "format=mmtriage-capture 1" >"$T/bigcap/capture.info"
cp "$SOS_DIR/proc/meminfo" "$T/bigcap/proc/meminfo"
for _ in $(seq 2000); do cat "$SAMPLE"; done >"$T/bigcap/dmesg.txt"
DB=$T/int.db
expect_ok ingest -q -d "$DB" "$SAMPLE"
before=$(db_state "$DB")
interrupt_ingest "$DB" "$T/bigcap"
[ "$rc" -eq 130 ] || fail "exit status $rc after SIGINT in a tree, expected 130"
err_has "interrupted"
[ "$(db_state "$DB")" = "$before" ] || fail "the interrupted tree changed the database"

# Hostile archives: refused, named, nothing written.
python3 - "$T" <<'EOF'
import io, sys, tarfile
d = sys.argv[1]
def archive(name, members):
    with tarfile.open(f"{d}/{name}", "w:gz", format=tarfile.PAX_FORMAT) as t:
        t.addfile(tarfile.TarInfo("sosreport-x/version.txt"), io.BytesIO(b""))
        for m in members:
            t.addfile(m, io.BytesIO(b"x") if m.isfile() else None)
def info(name, kind=tarfile.REGTYPE, link=""):
    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link
    i.size = 1 if kind == tarfile.REGTYPE else 0
    return i
archive("dotdot.tar.gz", [info("sosreport-x/../../evil")])
archive("absolute.tar.gz", [info("/etc/evil")])
archive("link-out.tar.gz", [info("sosreport-x/proc", tarfile.SYMTYPE, "/etc")])
archive("link-up.tar.gz", [info("sosreport-x/a", tarfile.SYMTYPE, "../../x")])
EOF
DB=$T/hostile.db
expect_ok ingest -q -d "$DB" "$SAMPLE"
before=$(db_state "$DB")
for a in dotdot absolute link-out link-up; do
	run 1 ingest -d "$DB" "$T/$a.tar.gz"
	err_has "$a.tar.gz: member '"
	err_has "leaves the archive root"
	[ "$(db_state "$DB")" = "$before" ] || fail "$a changed the database"
done
[ ! -e "$T/evil" ] && [ ! -e /etc/evil ] || fail "a member was written outside"
# An archive that is neither a sosreport nor a capture is said to be so.
tar -C "$SAMPLES" -czf "$T/logs.tar.gz" hung-task-fsfreeze/dmesg.txt
run 1 ingest -d "$DB" "$T/logs.tar.gz"
err_has "logs.tar.gz: neither a sosreport nor a capture directory"
[ "$(db_state "$DB")" = "$before" ] || fail "logs.tar.gz changed the database"
[ -z "$(ls -A "$TMPDIR")" ] || fail "temporary files left behind: $(ls "$TMPDIR")"

# What a killed mmtriage left in TMPDIR goes with the next temporary
# directory made (core/tmp.h): this user's directories of its names that
# no process holds locked. A held one, a young one not yet named, another
# user's, a plain file and a symbolic link stay.
mkdir -p "$TMPDIR/mmtriage-unpacked-dead01/sosreport-x" "$TMPDIR/mmtriage-report-dead02" \
	"$TMPDIR/mmtriage-unpacked-held01" "$TMPDIR/.mmtriage-new-young1" \
	"$TMPDIR/mmtriage-unpacked-other1" "$T/outside"
echo data >"$TMPDIR/mmtriage-unpacked-dead01/sosreport-x/version.txt"
echo data >"$TMPDIR/mmtriage-report-dead02/report.db"
chown nobody "$TMPDIR/mmtriage-unpacked-other1"
echo data >"$TMPDIR/mmtriage-file"
echo data >"$T/outside/keep"
ln -s "$T/outside" "$TMPDIR/mmtriage-unpacked-link01"
"$PYTHON" - "$TMPDIR/mmtriage-unpacked-held01" >"$T/held" 2>&1 <<'EOF' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(300)
EOF
holder=$!
for _ in $(seq $((50 * SLOW))); do
	grep -q held "$T/held" && break
	sleep 0.1
done
grep -q held "$T/held" || fail "the lock holder did not start: $(cat "$T/held")"
run 1 ingest -d "$DB" "$T/logs.tar.gz"
kill "$holder"
wait "$holder" 2>/dev/null || true
left=$(cd "$TMPDIR" && ls -A | sort | tr '\n' ' ')
[ "$left" = ".mmtriage-new-young1 mmtriage-file mmtriage-unpacked-held01 mmtriage-unpacked-link01 mmtriage-unpacked-other1 " ] ||
	fail "after a dead process's directories were swept, TMPDIR holds: $left"
[ -e "$T/outside/keep" ] || fail "the sweep followed a symbolic link"
echo ok
