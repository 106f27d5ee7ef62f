#!/usr/bin/env bash
# SIGKILL during an ingest, at many points: the database opens and passes
# PRAGMA integrity_check, each source is there whole or not at all (trees
# too), and the ingest run again completes with what a clean ingest gives,
# without duplicates. The input mixes what the ingest does: two trees as
# directories, one as a tarball, kernel logs, a trace.dat, a perf script
# and a long trace text (lib_inputs.sh), about 0.5 s of work on a quiet
# machine. kill_ingest.py says what is checked.
# MMT_KILL_RUNS sets the number of kills (default 20, about 25 s; 100 for
# the hundred in a row docs/security.md states); MMT_KILL_SEED the random
# draw (default: a new one, said on failure).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_inputs.sh"

RUNS=${MMT_KILL_RUNS:-20}
SEED=${MMT_KILL_SEED:-$RANDOM}
IN=$T/in
make_inputs "$IN"
mkdir -p "$T/tmp"

# Tarballs are unpacked under TMPDIR; a killed ingest leaves its directory,
# which the ingest run again removes (core/tmp.h).
export TMPDIR=$T/tmp
"$PYTHON" "$(dirname "$0")/kill_ingest.py" "$MMT" "$T" "$RUNS" "$SEED" "$IN" >"$OUT" 2>"$ERR" ||
	fail "killed ingests left a database that is not all-or-none (seed $SEED)"
cat "$OUT"
grep -Eq "^$RUNS kills .* [0-9]+ transaction" "$OUT" || [ "$RUNS" -lt 10 ] ||
	fail "no kill landed inside a write transaction"
echo ok
