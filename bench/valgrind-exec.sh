#!/bin/sh
# valgrind-exec.sh PROGRAM ARGS...: runs PROGRAM under valgrind's memcheck,
# its report in $MMT_VG_LOGS (one file per process: PROGRAM's name, the
# start time and the pid, so that a reused pid does not overwrite a report).
# A leak of any kind but "still reachable", or any memory error, is an
# error, and the exit status is then 99. bench/valgrind.sh runs every test
# program and every mmtriage of the CLI tests through this.
: "${MMT_VG_LOGS:?MMT_VG_LOGS: the directory for the reports}"
exec valgrind --tool=memcheck --leak-check=full \
	--show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible \
	--error-exitcode=99 --track-origins=yes \
	--suppressions="$(dirname "$0")/valgrind.supp" \
	--log-file="$MMT_VG_LOGS/${1##*/}.$(date +%s%N).%p.log" "$@"
