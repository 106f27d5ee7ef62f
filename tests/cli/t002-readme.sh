#!/usr/bin/env bash
# The README's two commands exist as written, and CI runs the test one.
. "$(dirname "$0")/lib.sh"

readme=$MMT_SOURCE_DIR/README.md
grep -qx '    ./bootstrap demo' "$readme" || fail "README lacks the demo command"
grep -qx '    ./bootstrap test' "$readme" || fail "README lacks the test command"
grep -qx './bootstrap test' "$MMT_SOURCE_DIR/.ci/run" || fail ".ci/run does not run ./bootstrap test"
grep -q "DEFAULT_SAMPLE=samples/" "$MMT_SOURCE_DIR/bootstrap" || fail "bootstrap has no default sample"
sample=$(sed -n 's/^DEFAULT_SAMPLE=//p' "$MMT_SOURCE_DIR/bootstrap")
[ -s "$MMT_SOURCE_DIR/$sample" ] || fail "the default sample $sample is missing"
echo ok
