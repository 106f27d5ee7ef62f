#!/usr/bin/env bash
# Hostile archives and directories: decompression bombs and members past the
# archive limits (core/tar.h) refused at their header, naming the archive,
# the member and the limit, with the temporary directory removed and the
# database unchanged; FIFOs, sockets and devices in a capture or named on the
# command line passed over without waiting on them; symlinks leaving a tree
# refused; sparse files refused before they are read; a directory walk that
# ends despite symlink loops.
. "$(dirname "$0")/lib.sh"

export TMPDIR=$T/tmp
mkdir "$TMPDIR"
SOS_DIR=$(echo "$SAMPLES"/sosreport-vm/sosreport-*)
DB=$T/base.db
expect_ok ingest -q -d "$DB" "$SAMPLE"
before=$(db_state "$DB")

# runs CODE ARGS...: as run, but a hang (the bug this test is about) fails
# after 60 s instead of blocking the suite.
runs() {
	local want=$1 rc=0
	shift
	timeout 60 "$MMT" "$@" >"$OUT" 2>"$ERR" || rc=$?
	[ "$rc" -ne 124 ] || fail "mmtriage $* did not end within 60 s"
	[ "$rc" -eq "$want" ] || fail "mmtriage $* exited $rc, expected $want"
}
unchanged() { [ "$(db_state "$DB")" = "$before" ] || fail "$1 changed the database"; }
err_lacks() { ! grep -Eq -- "$1" "$ERR" || fail "stderr has /$1/"; }
no_temp() { [ -z "$(ls -A "$TMPDIR")" ] || fail "$1 left $(ls "$TMPDIR")"; }

# ---- archives past the limits, built by Python's tarfile ----
"$PYTHON" - "$T" <<'EOF'
import gzip, io, sys, tarfile
d = sys.argv[1]
def header(name, size, kind=tarfile.REGTYPE):
    i = tarfile.TarInfo(name); i.size = size; i.type = kind
    return i.tobuf(tarfile.PAX_FORMAT)
def sos(out, *blobs):
    # version.txt first, then raw headers and data: a member may say it is
    # bigger than what follows, as a bomb's header does.
    data = header("sosreport-x/version.txt", 10) + b"sosreport\n".ljust(512, b"\0")
    with gzip.open(f"{d}/{out}", "wb") as f:
        f.write(data + b"".join(blobs) + b"\0" * 1024)
# A member of 100 GB (MMT_TAR_MAX_FILE is 16 GiB): its header alone.
sos("bomb-file.tar.gz", header("sosreport-x/proc/meminfo", 100 << 30), b"\0" * 4096)
# 16 GiB + 1 byte: one past the limit, refused too.
sos("file-limit.tar.gz", header("sosreport-x/var/log/messages", (16 << 30) + 1))
# 65 directories deep (MMT_TAR_MAX_DEPTH is 64), and 64 that pass.
sos("deep.tar.gz", header("sosreport-x/" + "d/" * 63 + "f", 0))
sos("deep-ok.tar.gz", header("sosreport-x/" + "d/" * 62 + "f", 0))
# A path of 4096 bytes (MMT_TAR_MAX_PATH is 4095), and one of 4095.
sos("long.tar.gz", header("sosreport-x/" + "n" * 200 + "/" + "p" * (4096 - 213), 0))
sos("long-ok.tar.gz", header("sosreport-x/" + "n" * 200 + "/" + "p" * (4095 - 213), 0))
EOF
for a in bomb-file file-limit deep long; do
	runs 1 ingest -d "$DB" "$T/$a.tar.gz"
	err_has "^mmtriage: $T/$a.tar.gz: member '"
	unchanged "$a.tar.gz"
	no_temp "$a.tar.gz"
done
runs 1 ingest -d "$DB" "$T/bomb-file.tar.gz"
err_has "member 'sosreport-x/proc/meminfo': 107374182400 bytes, more than a file may have \(MMT_TAR_MAX_FILE, 17179869184\)"
runs 1 ingest -d "$DB" "$T/file-limit.tar.gz"
err_has "member 'sosreport-x/var/log/messages': 17179869185 bytes, more than a file may have"
runs 1 ingest -d "$DB" "$T/deep.tar.gz"
err_has "65 directories deep, more than 64 \(MMT_TAR_MAX_DEPTH\)"
runs 1 ingest -d "$DB" "$T/long.tar.gz"
err_has "a path of 4096 bytes, more than 4095 \(MMT_TAR_MAX_PATH\)"
# At the limits: unpacked (then found to hold nothing to ingest).
for a in deep-ok long-ok; do
	runs 1 ingest -d "$DB" "$T/$a.tar.gz"
	err_lacks "MMT_TAR_MAX"
	out_has "sosreport \(tree [0-9]+\): 0 files ingested"
	no_temp "$a.tar.gz"
done
DB=$T/base2.db
expect_ok ingest -q -d "$DB" "$SAMPLE"
before=$(db_state "$DB")

# ---- a capture directory with special files and links out of it ----
C=$T/cap
mkdir -p "$C/proc/pressure" "$C/sys/kernel" "$T/outside"
echo "format=mmtriage-capture 1" >"$C/capture.info"
cp "$SOS_DIR/proc/meminfo" "$T/outside/meminfo"
cp "$SOS_DIR/proc/vmstat" "$C/proc/vmstat.real"
mkfifo "$C/proc/meminfo"				# would block an open
"$PYTHON" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	"$C/proc/buddyinfo"
ln -s vmstat.real "$C/proc/vmstat"			# inside: followed
ln -s "$T/outside/meminfo" "$C/proc/zoneinfo"		# outside: refused
ln -s /dev/zero "$C/proc/swaps"				# a device outside: refused
ln -s /proc/self "$C/proc/pressure/memory"		# outside
ln -s /sys/kernel/slab "$C/sys/kernel/slab"		# this machine's slab: refused
# 100 GB of holes after one line: refused before it is read.
cp "$SAMPLE" "$C/dmesg.txt"
truncate -s 100G "$C/dmesg.txt"
if mknod "$C/proc/interrupts" c 1 5 2>/dev/null; then dev=1; else dev=0; fi
start=$(date +%s)
runs 1 ingest -d "$DB" "$C"
[ $(($(date +%s) - start)) -lt 20 ] || fail "the capture took $(($(date +%s) - start)) s"
out_has "capture \(tree 1\): 1 files ingested, 0 already there, $((2 + dev)) skipped, 5 failed"
err_has "cap/proc/meminfo: skipped: a FIFO, not a regular file: not read"
err_has "cap/proc/buddyinfo: skipped: a socket, not a regular file: not read"
[ "$dev" = 0 ] || err_has "cap/proc/interrupts: skipped: a character device, not a regular file"
err_has "cap/proc/zoneinfo: a symlink to '$T/outside/meminfo', outside the tree: not followed"
err_has "cap/proc/swaps: a symlink to '/dev/zero', outside the tree: not followed"
err_has "cap/sys/kernel/slab: a symlink to '/sys/kernel/slab', outside the tree"
err_has "cap/dmesg.txt: a sparse file: holes \(never written, read as NUL bytes\) of at least 1073[0-9]{8} bytes from byte [0-9]+ on, past MMT_HOLE_MAX \(67108864\)"
[ "$(sql "$DB" "SELECT group_concat(role || '=' || status, ' ') FROM
	(SELECT role, status FROM tree_files WHERE tree_id = 1 AND status != 'missing' ORDER BY role)")" = \
	"buddyinfo=skipped $([ "$dev" = 1 ] && echo "interrupts=skipped ")kernel_log=failed meminfo=skipped psi=failed slab_sysfs=failed swaps=failed vmstat=ingested zoneinfo=failed" ] ||
	fail "the tree's account: $(sql "$DB" "SELECT group_concat(role || '=' || status, ' ') FROM tree_files")"
[ "$(sql "$DB" "SELECT note = 'a FIFO, not a regular file: not read' FROM tree_files
	WHERE role = 'meminfo'")" = 1 ] || fail "the FIFO's note in the account"
[ "$(sql "$DB" "SELECT count(*) FROM snapshots WHERE kind = 'vmstat'")" = 1 ] ||
	fail "the vmstat reached through a link inside the tree"
[ "$(sql "$DB" "SELECT count(*) FROM snapshots WHERE kind IN ('meminfo', 'zoneinfo')")" = 0 ] ||
	fail "a file outside the tree was read"
# capture.info itself a FIFO: the directory is not taken for a capture, at once.
C2=$T/cap2
mkdir -p "$C2/proc"
mkfifo "$C2/capture.info"
cp "$SOS_DIR/proc/meminfo" "$C2/proc/meminfo"
runs 0 ingest -d "$T/cap2.db" "$C2"
err_has "cap2/capture.info: skipped: a FIFO, not a regular file: not read"
out_has "cap2/proc/meminfo: meminfo"

# ---- a sosreport whose var/ is this machine's: its logs are not read ----
S=$T/sos
cp -r "$SOS_DIR" "$S"
mkdir -p "$T/host/log"
cp "$SAMPLE" "$T/host/log/messages"
ln -s "$T/host" "$S/var"
runs 1 ingest -d "$T/sos.db" "$S"
err_has "sos/var/log/messages: a symlink to '$T/host/log/messages', outside the tree: not followed"
out_has "sosreport \(tree 1\): 13 files ingested, 0 already there, 0 skipped, 1 failed"
[ "$(sql "$T/sos.db" "SELECT count(*) FROM sources WHERE path LIKE '%messages'")" = 0 ] ||
	fail "the host's log was ingested"
# Its own links (hostname -> sos_commands/host/hostname) still read.
[ "$(sql "$T/sos.db" "SELECT hostname FROM trees")" = vm ] || fail "hostname through a link inside"

# ---- files named on the command line ----
before=$(db_state "$DB")
mkfifo "$T/fifo"
runs 1 ingest -d "$DB" /dev/zero "$T/fifo"
err_has "^mmtriage: /dev/zero: skipped: a character device, not a regular file: not read$"
err_has "fifo: skipped: a FIFO, not a regular file: not read$"
err_has "nothing was ingested"
unchanged "/dev/zero and a FIFO"
# A sparse file: refused at once, even with --lenient, which reads through NULs.
{ head -3 "$SAMPLE"; } >"$T/sparse.log"
truncate -s 100G "$T/sparse.log"
for opt in --force --lenient; do
	runs 1 ingest "$opt" -d "$DB" "$T/sparse.log"
	err_has "sparse.log: a sparse file: holes \(never written, read as NUL bytes\) of at least [0-9]+ bytes from byte 4096 on"
done
unchanged "a sparse file"
# Holes below MMT_HOLE_MAX: read (as a log: sniffing calls them binary),
# and refused at the first NUL like any NUL.
{ head -3 "$SAMPLE"; } >"$T/holes.log"
truncate -s 1M "$T/holes.log"
runs 1 ingest --as kernel_log -d "$DB" "$T/holes.log"
err_has "holes.log:4: NUL byte at column 1; binary data in a text input"
# Real NUL bytes, 70 MiB of them: strict mode stops at the first; --lenient
# cuts the line at 1 MiB and gives up after MMT_LINE_SKIP_MAX more.
{ head -3 "$SAMPLE"; head -c 73400320 /dev/zero; } >"$T/zeros.log"
runs 1 ingest --as kernel_log -d "$DB" "$T/zeros.log"
err_has "zeros.log:4: NUL byte at column 1"
runs 1 ingest --as kernel_log --lenient -d "$DB" "$T/zeros.log"
err_has "zeros.log:4: line runs on for more than 67108864 bytes past the 1048576 kept \(MMT_LINE_SKIP_MAX\)"
unchanged "NUL bytes"
rm "$T/zeros.log"

# ---- a directory walk with loops, links out and special files ----
W=$T/walk
mkdir -p "$W/a/b"
cp "$SAMPLE" "$W/a/b/dmesg.txt"
ln -s .. "$W/a/b/up"			# a loop
ln -s ../.. "$W/a/b/top"		# another
ln -s b "$W/a/zagain"			# the same directory a second time
ln -s /etc "$W/a/etc"			# out of the walk
mkfifo "$W/a/pipe"
runs 0 ingest -d "$T/walk.db" "$W"
out_has "walk/a/b/dmesg.txt: kernel_log"
[ "$(grep -c "dmesg.txt" "$OUT")" = 1 ] || fail "the log was met more than once"
err_has "walk/a/zagain: skipped: a directory already walked \(a symlink loop\?\)"
err_has "walk/a/b/up: skipped: a directory already walked"
err_has "walk/a/b/top: skipped: a directory already walked"
err_has "walk/a/etc: skipped: a symlink to '/etc', outside '$W': not followed \(name it to ingest it\)"
err_has "walk/a/pipe: skipped: a FIFO, not a regular file: not read"
[ "$(sql "$T/walk.db" "SELECT count(*) FROM sources")" = 1 ] || fail "one source from the walk"
no_temp "the whole test"
echo ok
