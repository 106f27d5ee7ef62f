#!/bin/bash
# Static analysis: clang-tidy (checks in .clang-tidy) over every .c of core/,
# parsers/, analyzers/ and cmd/, and cppcheck (suppressions with their reasons
# in tests/static/cppcheck-suppressions.txt) over every file of the build,
# tests included. Any finding fails the test and is listed.
#
# It runs in the plain build only: the sanitizer flags of build-asan change
# nothing the checks look at, and a second run would cost minutes. Results
# are kept in the build directory (static-cache/) by content, so a run after
# a small change checks only the files that change reaches.
. "$(dirname "$0")/lib.sh"
BUILD=$(cd "$(dirname "$MMT")" && pwd)
CACHE=$BUILD/static-cache
STATIC=$MMT_SOURCE_DIR/tests/static

if grep -q '^MMT_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
	echo "static analysis runs in the build without sanitizers" >&2
	exit 77
fi
for tool in clang-tidy cppcheck; do
	command -v "$tool" >/dev/null || fail "$tool is missing (bootstrap installs it)"
done
[ -s "$BUILD/compile_commands.json" ] || fail "no compile_commands.json in $BUILD"

rc=0
"$PYTHON" "$STATIC/clang_tidy.py" "$BUILD" "$MMT_SOURCE_DIR" "$CACHE/clang-tidy" 2 \
	core parsers analyzers cmd >"$OUT" 2>"$ERR" || rc=$?
[ "$rc" -le 1 ] || fail "clang_tidy.py could not run"
head -1 "$OUT"
[ "$rc" -eq 0 ] || { tail -n +2 "$OUT"; echo "FAIL: clang-tidy findings" >&2; exit 1; }

# cppcheck keeps its own per-file results in --cppcheck-build-dir, which
# does not notice changed options or suppressions: one directory per set of
# them. Files are named from the source tree, as the suppressions name them.
CPPCHECK_OPTS=(--enable=warning,style,performance,portability --library=posix
	--suppressions-list="$STATIC/cppcheck-suppressions.txt" --inline-suppr
	--relative-paths="$MMT_SOURCE_DIR" --error-exitcode=1 -j 2 --quiet
	--template='{file}:{line}: {severity}: {message} [{id}]')
key=$({ cppcheck --version; printf '%s\n' "${CPPCHECK_OPTS[@]}"
	cat "$STATIC/cppcheck-suppressions.txt"; } | sha256sum | cut -c1-16)
find "$CACHE" -maxdepth 1 -name 'cppcheck-*' ! -name "cppcheck-$key" -exec rm -rf {} +
mkdir -p "$CACHE/cppcheck-$key"
rc=0
cppcheck --project="$BUILD/compile_commands.json" --cppcheck-build-dir="$CACHE/cppcheck-$key" \
	"${CPPCHECK_OPTS[@]}" >"$OUT" 2>"$ERR" || rc=$?
[ "$rc" -eq 0 ] || { cat "$ERR"; echo "FAIL: cppcheck findings" >&2; exit 1; }
echo "cppcheck: no findings"
