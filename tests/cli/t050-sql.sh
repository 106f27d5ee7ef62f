#!/usr/bin/env bash
# `mmtriage sql`: read-only queries as a table, CSV or JSON.
. "$(dirname "$0")/lib.sh"

DB=$T/case.db
expect_ok ingest -q -d "$DB" "$SAMPLE"
expect_ok sql -d "$DB" "SELECT kind, count(*) AS n FROM reports GROUP BY kind"
out_has '^kind +n$'
out_has '^hung_task +12$'
out_has '^\(1 row\)$'
expect_ok sql -d "$DB" --csv "SELECT pid, comm FROM reports ORDER BY id LIMIT 2"
[ "$(cat "$OUT")" = "$(printf 'pid,comm\n16520,sh\n16523,fsync-writer')" ] || fail "CSV"
expect_ok sql -d "$DB" --json "SELECT pid, comm, cpu FROM reports ORDER BY id LIMIT 1"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d == [{"pid": 16520, "comm": "sh", "cpu": None}], d' "$OUT" ||
	fail "JSON rows"
before=$(db_state "$DB")
run 1 sql -d "$DB" "DELETE FROM reports"
err_has "read-only"
run 1 sql -d "$DB" "DROP TABLE reports"
[ "$(db_state "$DB")" = "$before" ] || fail "sql changed the database"
run 2 sql -d "$DB" "SELECT 1; SELECT 2"
err_has "one statement at a time"
run 1 sql -d "$DB" "SELEC nonsense"
err_has "SQL: "
run 1 sql -d "$T/none.db" "SELECT 1"
err_has "none.db"
echo ok
