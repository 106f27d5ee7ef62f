#!/usr/bin/env bash
# Every analyzer over every file of ../shared/corpus (real third-party
# logs, /proc files, OOM reports, sosreports, perf and trace outputs): no
# crash, no hang, reports that keep the JSON contract's ranges; prints the
# findings by kind. Skipped (77) when ../shared/corpus is not there.
set -u
corpus=${MMT_SOURCE_DIR:?}/../shared/corpus
[ -d "$corpus" ] || { echo "skip: no corpus at $corpus"; exit 77; }
command -v python3 >/dev/null || { echo "FAIL: python3 is needed"; exit 1; }
exec python3 "$(dirname "$0")/analyze_corpus.py" "${MMT:?}" "$corpus"
