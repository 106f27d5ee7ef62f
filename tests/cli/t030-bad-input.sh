#!/usr/bin/env bash
# Bad input: a clear message naming file and line, the right exit status,
# and a database left exactly as it was when a file is refused.
. "$(dirname "$0")/lib.sh"

DB=$T/case.db
expect_ok ingest -q -d "$DB" "$SAMPLE"
before=$(db_state "$DB")
unchanged() { [ "$(db_state "$DB")" = "$before" ] || fail "the database changed ($1)"; }

# Binary data: not recognised, named, skipped; nothing ingested is exit 1.
# An executable (bash: $MMT may be a script that runs mmtriage under a checker).
cp "$BASH" "$T/binary"
run 1 ingest -d "$DB" "$T/binary"
err_has "binary: skipped: binary data"
unchanged binary
# Forced as a kernel log, the first NUL byte is named by line and column.
run 1 ingest -d "$DB" --as kernel_log "$T/binary"
err_has "binary:1: NUL byte at column [0-9]+"
unchanged "binary as kernel_log"

# NUL bytes inside a real log: refused at the line, or kept as \x00 with --lenient.
perl -pe 's/$/\0tail/ if $. == 20' "$SAMPLE" >"$T/nul.log"
run 1 ingest -d "$DB" "$T/nul.log"
err_has "nul.log:20: NUL byte at column [0-9]+"
unchanged "NUL byte"
expect_ok ingest -d "$T/lenient.db" --lenient "$T/nul.log"
err_has "nul.log: 1 lines held bytes that are not UTF-8 text"
[ "$(sql "$T/lenient.db" "SELECT count(*) FROM log_lines WHERE text LIKE '%\\x00tail%'")" = 1 ] ||
	fail "the NUL byte was not kept as \\x00"

# Invalid UTF-8.
perl -pe 's/$/ \xff\xfe end/ if $. == 30' "$SAMPLE" >"$T/utf8.log"
run 1 ingest -d "$DB" "$T/utf8.log"
err_has "utf8.log:30: invalid UTF-8 byte 0xff at column [0-9]+"
unchanged "invalid UTF-8"

# A 10 MB line.
{ head -5 "$SAMPLE"; head -c 10485760 /dev/zero | tr '\0' 'x'; echo; tail -5 "$SAMPLE"; } >"$T/long.log"
run 1 ingest -d "$DB" "$T/long.log"
err_has "long.log:6: line is longer than 1048576 bytes"
unchanged "10 MB line"
expect_ok ingest -d "$T/long.db" --lenient "$T/long.log"
[ "$(sql "$T/long.db" "SELECT max(length(text)) FROM log_lines")" = 1048576 ] ||
	fail "--lenient did not cut the long line to 1 MiB"

# An empty file, a missing file, an unreadable one.
: >"$T/empty.log"
run 1 ingest -d "$DB" "$T/empty.log"
err_has "empty.log: skipped: empty file"
err_has "nothing was ingested"
run 1 ingest -d "$DB" "$T/missing.log"
err_has "missing.log: cannot open: No such file or directory"
run 1 ingest -d "$DB" /proc/self/mem
err_has "/proc/self/mem: cannot read"
unchanged "empty, missing, unreadable"

# A directory of junk: every file named and skipped.
mkdir "$T/junk"
head -c 4096 /dev/urandom >"$T/junk/random.bin"
: >"$T/junk/empty"
printf 'Dear all,\nthe server was slow again today.\nRegards\n' >"$T/junk/prose.txt"
run 1 ingest -d "$DB" "$T/junk"
err_has "random.bin: skipped: binary data"
err_has "empty: skipped: empty file"
err_has "prose.txt: skipped: text in no format"
unchanged "directory of junk"
# ... and with a real log among the junk, the log is taken and the rest named.
cp "$SAMPLES/memcg-oom/dmesg.txt" "$T/junk/oom.log"
expect_ok ingest -d "$T/mixed.db" "$T/junk"
out_has "oom.log: kernel_log \(dmesg\): 288 lines, 3 reports"
err_has "random.bin: skipped"

# The same content again is a no-op; --force ingests it again in place.
expect_ok ingest -d "$DB" "$SAMPLE"
out_has "already ingested as source 1"
unchanged "duplicate"
expect_ok ingest -d "$DB" --force "$SAMPLE"
[ "$(sql "$DB" "SELECT count(*) FROM sources")" = 1 ] || fail "--force duplicated the source"
[ "$(sql "$DB" "SELECT count(*) FROM reports")" = 12 ] || fail "--force lost or doubled reports"
echo ok
