# Shared by the CLI tests: run the real binary ($MMT) and check what it says.
# Each test sources this file; a failed check prints why and exits 1.
set -u
: "${MMT:?the test needs MMT, the mmtriage binary (ctest sets it)}"
: "${MMT_SOURCE_DIR:?the test needs MMT_SOURCE_DIR}"
SAMPLES=$MMT_SOURCE_DIR/samples
SAMPLE=$SAMPLES/hung-task-fsfreeze/dmesg.txt
T=$(mktemp -d "${TMPDIR:-/tmp}/mmt-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
OUT=$T/out
# SLOW=N (MMT_TEST_SLOW, default 1): loops that poll for what comes a little
# later (a screen, a file a recorder writes) poll N times as long; what they
# wait for is the same. bench/valgrind.sh sets it: memcheck is 20 to 50
# times slower.
SLOW=${MMT_TEST_SLOW:-1}
ERR=$T/err
# The interpreter Debian's python3-* packages install into (bootstrap installs
# python3-jsonschema and python3-pil), rather than whatever python3 is first
# on PATH.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)

fail() {
	echo "FAIL: $*" >&2
	[ -s "$OUT" ] && { echo "--- stdout:" >&2; head -40 "$OUT" >&2; }
	[ -s "$ERR" ] && { echo "--- stderr:" >&2; head -40 "$ERR" >&2; }
	exit 1
}

# run CODE ARGS...: runs mmtriage, expects exit status CODE.
run() {
	local want=$1 rc=0
	shift
	"$MMT" "$@" >"$OUT" 2>"$ERR" || rc=$?
	[ "$rc" -eq "$want" ] || fail "mmtriage $* exited $rc, expected $want"
}

expect_ok() { run 0 "$@"; }

# out_has / err_has PATTERN: grep -E on the last run's output.
out_has() { grep -Eq -- "$1" "$OUT" || fail "stdout lacks /$1/"; }
err_has() { grep -Eq -- "$1" "$ERR" || fail "stderr lacks /$1/"; }
out_lacks() { ! grep -Eq -- "$1" "$OUT" || fail "stdout has /$1/"; }

# sql DB QUERY: one value, from the real binary.
sql() {
	"$MMT" sql -d "$1" --csv "$2" | sed -n 2p
}

# The database's full content, to show that a failed ingest changed nothing.
db_state() {
	if [ -e "$1" ]; then sqlite3 "$1" .dump | sha256sum; else echo absent; fi
}

# interrupt_ingest DB PATH...: starts `mmtriage ingest -d DB PATH...` in the
# background, sends SIGINT once it holds its write transaction (the WAL file
# passes 1 MB), and sets rc to its exit status.
interrupt_ingest() {
	local db=$1 pid
	shift
	"$MMT" ingest -d "$db" "$@" >"$OUT" 2>"$ERR" &
	pid=$!
	for _ in $(seq $((200 * SLOW))); do
		[ -s "$db-wal" ] && [ "$(stat -c %s "$db-wal")" -gt 1000000 ] && break
		sleep 0.02
	done
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
}
