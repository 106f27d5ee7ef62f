#!/bin/bash
# valgrind.sh [CTEST-ARGS...]
#
# The whole test suite under valgrind's memcheck: every unit-test program
# and every mmtriage process the CLI and corpus tests start. Builds a plain
# build (RelWithDebInfo, no sanitizers) in build-valgrind/ (VG_BUILD=DIR for
# another), where the unit tests run through bench/valgrind-exec.sh (CMake's
# test launcher) and the shell tests' $MMT is a script that execs the real
# binary through it. Then reads every report: a memory error or a leak
# (definite, indirect or possible; "still reachable" is allowed, and the
# libraries' own leaks are suppressed in bench/valgrind.supp with a reason
# each) in any process fails the run, listed with the report's file.
#
# CTEST-ARGS go to ctest (-R t104, say). Environment: VG_JOBS (ctest -j,
# default 2), VG_TIMEOUT (seconds per test, default 3600), VG_SLOW (default
# 10: the tests' polls for a screen or a recorder's files last that many
# times longer, through MMT_TEST_SLOW, as memcheck runs 20 to 50 times
# slower).
#
# Exit status: 0 when every test passed and every report is clean, 1
# otherwise, 2 on a set-up error. Needs: valgrind, and what the tests need.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=${VG_BUILD:-$src/build-valgrind}
logs=$build/valgrind-logs
launcher=$build/mmtriage-memcheck

command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is needed" >&2; exit 2; }

configure_and_build() {
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMMT_SANITIZE=OFF \
		-DCMAKE_CROSSCOMPILING_EMULATOR="$src/bench/valgrind-exec.sh" \
		-DMMT_TEST_LAUNCHER="$launcher" >/dev/null &&
		cmake --build "$build" -j2 >"$build/build.log" 2>&1 ||
		{ tail -30 "$build/build.log" >&2; echo "valgrind.sh: the build failed" >&2; exit 2; }
	printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$src/bench/valgrind-exec.sh" "$build/mmtriage" >"$launcher"
	chmod +x "$launcher"
}

# report_problems: the reports with an error, each with its command and
# the first lines of its first error; the count of clean ones on stdout.
report_problems() {
	local f bad=0 clean=0 unfinished=0
	for f in "$logs"/*.log; do
		[ -e "$f" ] || continue
		if ! grep -q 'ERROR SUMMARY:' "$f"; then
			# Killed (SIGKILL by a test, or a fork that exec'd another
			# program): memcheck had no chance to check the end.
			unfinished=$((unfinished + 1))
		elif grep -q 'ERROR SUMMARY: 0 errors' "$f"; then
			clean=$((clean + 1))
		else
			bad=$((bad + 1))
			echo "--- $f"
			grep -m1 'Command:' "$f"
			grep -E -m1 -A25 '== (Invalid|Conditional|Use of|Syscall|Mismatched|Source and|[0-9,]+ .*bytes in .* blocks are (definitely|indirectly|possibly))' "$f"
		fi
	done
	echo "reports: $clean clean, $bad with errors, $unfinished unfinished (killed or exec'd)"
	[ "$bad" -eq 0 ]
}

mkdir -p "$build"
configure_and_build
# Writable by all, as /tmp: t081 runs mmtriage as nobody (setpriv).
rm -rf "$logs" && mkdir -p "$logs" && chmod 1777 "$logs"
start=$(date +%s)
ctest_rc=0
MMT_VG_LOGS=$logs MMT_TEST_SLOW=${VG_SLOW:-10} ctest --test-dir "$build" -j"${VG_JOBS:-2}" \
	--timeout "${VG_TIMEOUT:-3600}" --output-on-failure "$@" >"$build/ctest.log" 2>&1 || ctest_rc=$?
echo "ctest: $(grep -E 'tests passed|tests failed' "$build/ctest.log") (exit $ctest_rc), $(($(date +%s) - start)) s; log in $build/ctest.log"
grep -E '^\s*[0-9]+ - .*\((Failed|Timeout|Not Run)' "$build/ctest.log"
report_problems || exit 1
[ "$ctest_rc" -eq 0 ] || exit 1
