#!/usr/bin/env bash
# `mmtriage gfp`: bare masks need the release; masks with names are taken as written.
. "$(dirname "$0")/lib.sh"

expect_ok gfp --kernel 3.13.0-24-generic 0x8250
out_has '^flags: +GFP_NOFS\|__GFP_NOWARN\|__GFP_ZERO$'
out_has '^context: +nofs'
expect_ok gfp --kernel 6.1.0 0xcc0
out_has '^flags: +GFP_KERNEL$'
out_has '^context: +full'
expect_ok gfp '0x2080020(GFP_ATOMIC)'
out_has '^context: +atomic'
# Without a release, the mask is read under every layout it differs in.
expect_ok gfp 0x8250
out_has 'no --kernel'
[ "$(grep -c '^flags:' "$OUT")" -ge 3 ] || fail "expected several readings of a bare mask"
expect_ok gfp --layouts
out_has '^2\.6\.20'
out_has 'DIRECT_RECLAIM'
run 1 gfp --kernel 1.2.3 0x10
err_has "no GFP layout covers kernel release '1.2.3'"


# A bare mask in a log that never prints its release: unknown, until the
# user gives the release. (The header line of a real 2.6.31 report.)
src=$MMT_SOURCE_DIR/../shared/corpus/lkml/linux-mm/page-alloc-failure-order5-2.6.31-i386-e100.txt
if [ -f "$src" ]; then
	sed -n 6p "$src" >"$T/bare.log"
	expect_ok report -f json "$T/bare.log"
	python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["reports"][0]["gfp"]; assert g == {"mask": "0x8020", "flags": [], "context": None}, g' "$OUT" ||
		fail "a bare mask without a release is not unknown"
	expect_ok report -f json --kernel 2.6.31 "$T/bare.log"
	python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["reports"][0]["gfp"]; assert g == {"mask": "0x8020", "flags": ["GFP_ATOMIC", "__GFP_ZERO"], "context": "atomic"}, g' "$OUT" ||
		fail "--kernel did not decode the bare mask"
fi
echo ok
