#!/usr/bin/env bash
# Ctrl-C during an ingest: exit 130 and the database exactly as before.
. "$(dirname "$0")/lib.sh"

DB=$T/case.db
expect_ok ingest -q -d "$DB" "$SAMPLES/memcg-oom/dmesg.txt"
before=$(db_state "$DB")
# About 60 MB of a real log, long enough to be interrupted mid-way.
for _ in $(seq 2000); do cat "$SAMPLE"; done >"$T/big.log"
"$MMT" ingest -d "$DB" "$T/big.log" >"$OUT" 2>"$ERR" &
pid=$!
# Interrupt once the ingest holds its write transaction (the WAL file grows).
for _ in $(seq 200); do
	[ -s "$DB-wal" ] && [ "$(stat -c %s "$DB-wal")" -gt 1000000 ] && break
	sleep 0.02
done
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 130 ] || fail "exit status $rc after SIGINT, expected 130"
err_has "big.log:[0-9]+: interrupted"
[ "$(db_state "$DB")" = "$before" ] || fail "the interrupted ingest changed the database"
echo ok
