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
echo ok
