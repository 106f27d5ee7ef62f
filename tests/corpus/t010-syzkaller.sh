#!/usr/bin/env bash
# syzkaller's kernel reports with their expected titles: no crash or hang on
# any file, a report of the right kind wherever syzkaller found one, and the
# culprit agreeing with the function of the title on at least 80% of them.
# Skipped (77) when ../shared/corpus is not there.
set -u
corpus=${MMT_SOURCE_DIR:?}/../shared/corpus/syzkaller/linux/report
[ -d "$corpus" ] || { echo "skip: no corpus at $corpus"; exit 77; }
command -v python3 >/dev/null || { echo "FAIL: python3 is needed"; exit 1; }
exec python3 "$(dirname "$0")/syzkaller.py" "${MMT:?}" "$corpus"
