#!/usr/bin/env bash
# samples/trace-memcg-reclaim: every event stored, per type as many as
# `trace-cmd report` prints (the table of its README, counted with awk over
# trace-cmd report's output when the sample was made).
. "$(dirname "$0")/lib.sh"

SAMPLE_DIR=$SAMPLES/trace-memcg-reclaim
DB=$T/trace.db
expect_ok ingest -d "$DB" "$SAMPLE_DIR/trace.dat"
out_has "trace.dat: trace_dat \(trace.dat v7 zstd\): 47250 events$"
sed -n 's/^| \([0-9]*\) | `\([a-z_]*\)` |$/\2,\1/p' "$SAMPLE_DIR/README.md" | sort >"$T/want"
[ "$(wc -l <"$T/want")" = 18 ] || fail "the README's table should list 18 types"
"$MMT" sql -d "$DB" --csv "SELECT name, count(*) FROM events GROUP BY name" | tail -n +2 |
	sort >"$T/got"
diff "$T/want" "$T/got" >&2 || fail "events per type differ from trace-cmd report's"
# Reclaim contexts of the two tasks, as their GFP masks say: dd's page cache
# writes (and 5 NOFS|NOFAIL allocations of ext4's write path), the reader's
# readahead (NOFS|NORETRY).
"$MMT" sql -d "$DB" --csv "SELECT common_comm, gfp_context(gfp_flags), count(*)
	FROM mm_vmscan_memcg_reclaim_begin GROUP BY 1, 2 ORDER BY 1, 2" >"$T/ctx"
[ "$(tail -n +2 "$T/ctx" | tr '\n' ' ')" = "dd,full,402 dd,nofs,5 mmt-reader,full,1 mmt-reader,nofs,1414 " ] ||
	fail "reclaim contexts: $(tail -n +2 "$T/ctx" | tr '\n' ' ')"
echo ok
