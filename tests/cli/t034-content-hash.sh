#!/bin/bash
# Sources are known by the SHA-256 of their content, whichever way it was
# computed: while the parser reads a file no stored source could equal (no
# source of its size), or before parsing when one might.
. "$(dirname "$0")/lib.sh"
DB=$T/db
OTHER=$SAMPLES/writeback-stuck-loop/dmesg.txt

stored_hash() { sql "$DB" "SELECT sha256 FROM sources WHERE path = '$1'"; }
real_hash() { sha256sum "$1" | cut -d' ' -f1; }

# A first file is hashed as it is parsed.
expect_ok ingest -d "$DB" "$SAMPLE"
[ "$(stored_hash "$SAMPLE")" = "$(real_hash "$SAMPLE")" ] ||
	fail "hash computed while parsing differs from sha256sum"

# A copy under another name has a stored size: it is hashed first, and found.
cp "$SAMPLE" "$T/copy.log"
expect_ok ingest -d "$DB" "$T/copy.log"
out_has "already ingested as source 1"
[ "$(sql "$DB" "SELECT count(*) FROM sources")" = 1 ] || fail "a copy was stored again"

# Same size, different content (one byte changed in a message): hashed
# first, not a duplicate, stored with its own hash.
sed '5s/a/b/' "$SAMPLE" >"$T/same-size.log"
[ "$(stat -c %s "$T/same-size.log")" = "$(stat -c %s "$SAMPLE")" ] ||
	fail "the test file does not have the sample's size"
cmp -s "$T/same-size.log" "$SAMPLE" && fail "the test file equals the sample"
expect_ok ingest -d "$DB" "$T/same-size.log"
[ "$(stored_hash "$T/same-size.log")" = "$(real_hash "$T/same-size.log")" ] ||
	fail "hash of a same-size file differs from sha256sum"

# A file larger than the line reader's first read (1 MiB) and of a new size.
for i in $(seq 60); do cat "$OTHER"; done >"$T/big.log"
expect_ok ingest -d "$DB" "$T/big.log"
[ "$(stored_hash "$T/big.log")" = "$(real_hash "$T/big.log")" ] ||
	fail "hash of a multi-MiB file computed while parsing differs from sha256sum"

# --force on a one-pass file keeps one row with the right hash.
expect_ok ingest -d "$DB" --force "$T/big.log"
[ "$(sql "$DB" "SELECT count(*) FROM sources WHERE path = '$T/big.log'")" = 1 ] ||
	fail "--force duplicated the source"
[ "$(stored_hash "$T/big.log")" = "$(real_hash "$T/big.log")" ] ||
	fail "hash after --force differs from sha256sum"
[ "$(sql "$DB" "SELECT count(*) FROM sources WHERE sha256 = ''")" = 0 ] ||
	fail "a source was left without its hash"
echo ok
