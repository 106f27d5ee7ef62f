#!/usr/bin/env bash
# Ctrl-C during an ingest: exit 130 and the database exactly as before.
. "$(dirname "$0")/lib.sh"

DB=$T/case.db
expect_ok ingest -q -d "$DB" "$SAMPLES/memcg-oom/dmesg.txt"
before=$(db_state "$DB")
# About 60 MB of a real log, long enough to be interrupted mid-way.
for _ in $(seq 2000); do cat "$SAMPLE"; done >"$T/big.log"
interrupt_ingest "$DB" "$T/big.log"
[ "$rc" -eq 130 ] || fail "exit status $rc after SIGINT, expected 130"
err_has "big.log:[0-9]+: interrupted"
[ "$(db_state "$DB")" = "$before" ] || fail "the interrupted ingest changed the database"
echo ok
