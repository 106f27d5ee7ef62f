# Shared by the crash and concurrency tests (sourced after lib.sh; a name
# not matching t*.sh, which would make it a test): inputs that exercise
# every kind of ingest transaction, made from real samples.
# make_inputs DIR fills DIR with
#   captures/  two trees as directories (capture-memcg-swap-oom, with a
#              126,000-event trace.dat and snapshot series; a sosreport) and
#              one as a tarball (capture-lockdep-abba, unpacked into TMPDIR);
#   logs/      three kernel logs;
#   traces/    a trace.dat (47,000 events), a perf script, and a trace text of
#              13,000 events: trace-stack.txt repeated with its times shifted.
make_inputs() {
	local dir=$1 data=$MMT_SOURCE_DIR/tests/data s
	mkdir -p "$dir/captures" "$dir/logs" "$dir/traces"
	tar -xJf "$SAMPLES/capture-memcg-swap-oom/capture.tar.xz" -C "$dir/captures" ||
		fail "cannot unpack capture-memcg-swap-oom"
	cp -r "$SAMPLES"/sosreport-vm/sosreport-vm-* "$dir/captures/"
	cp "$SAMPLES/capture-lockdep-abba/capture.tar.xz" "$dir/captures/lockdep-abba.tar.xz"
	for s in hung-task-fsfreeze memcg-oom writeback-stuck-loop; do
		cp "$SAMPLES/$s/dmesg.txt" "$dir/logs/$s.txt"
	done
	cp "$SAMPLES/trace-memcg-reclaim/trace.dat" "$dir/traces/trace-memcg-reclaim.dat"
	cp "$data/perf_script/cpu-clock-callchains-ns.txt" "$dir/traces/"
	"$PYTHON" "$MMT_SOURCE_DIR/tests/cli/repeat_trace.py" "$data/trace_text/trace-stack.txt" 60 \
		>"$dir/traces/trace-stack-x60.txt" || fail "cannot make the long trace text"
}
