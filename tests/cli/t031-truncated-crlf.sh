#!/usr/bin/env bash
# A log cut inside a report (machines die mid-print) is taken, with the cut
# report marked and named; CRLF line endings (serial consoles) read the same.
. "$(dirname "$0")/lib.sh"

# Cut in the middle of a line of the last hung-task report's stack.
line=$(grep -n 'schedule+0x' "$SAMPLE" | tail -1 | cut -d: -f1)
{ head -n $((line - 1)) "$SAMPLE"; sed -n "${line}p" "$SAMPLE" | head -c 30; } >"$T/cut.log"
expect_ok ingest -d "$T/cut.db" "$T/cut.log"
err_has "warning: .*cut.log:$line: the hung_task report that starts at line [0-9]+ is cut off by the end of the file"
[ "$(sql "$T/cut.db" "SELECT count(*) FROM reports")" = 12 ] || fail "reports lost"
[ "$(sql "$T/cut.db" "SELECT truncated FROM reports ORDER BY id DESC LIMIT 1")" = 1 ] ||
	fail "the cut report is not marked truncated"
[ "$(sql "$T/cut.db" "SELECT sum(truncated) FROM reports")" = 1 ] ||
	fail "whole reports were marked truncated"

sed 's/$/\r/' "$SAMPLE" >"$T/crlf.log"
expect_ok ingest -d "$T/crlf.db" "$T/crlf.log"
expect_ok ingest -d "$T/lf.db" "$SAMPLE"
q="SELECT group_concat(kind || pid || ':' || line_start || '-' || line_end || ':' || stack_id, ',') FROM reports"
[ "$(sql "$T/crlf.db" "$q")" = "$(sql "$T/lf.db" "$q")" ] || fail "CRLF reads differently"
[ "$(sql "$T/crlf.db" "SELECT count(*) FROM log_lines WHERE text LIKE '%'||char(13)||'%'")" = 0 ] ||
	fail "a CR was kept in the text"
echo ok
