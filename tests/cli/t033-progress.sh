#!/usr/bin/env bash
# Progress shows on stderr when it is a terminal, and never otherwise.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "skip: no script(1)"; exit 77; }

for _ in $(seq 700); do cat "$SAMPLE"; done >"$T/big.log"	# about 21 MB
script -qec "$MMT ingest -d $T/tty.db $T/big.log" /dev/null >"$T/tty.out" 2>&1 ||
	fail "ingest on a terminal failed"
grep -q 'big.log: *[0-9]*% (' "$T/tty.out" || fail "no progress on a terminal"
expect_ok ingest -d "$T/pipe.db" "$T/big.log"
[ ! -s "$ERR" ] || fail "progress or noise on stderr when it is not a terminal"
out_has 'big.log: kernel_log \(dmesg\): 304500 lines, 8400 reports'
echo ok
