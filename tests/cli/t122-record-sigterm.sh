#!/usr/bin/env bash
# `mmtriage record` stopped early keeps what it captured: SIGTERM, then
# SIGINT, midway through a 60 s recording give exit status 0, a capture
# that says why it stopped and ingests with its events and snapshots, and
# no instance left, even when the command leaves a child running. A
# capture that cannot be written (a path under /proc,
# a 1 MiB tmpfs, a tmpfs that fills up while recording) fails at once with
# a message naming the cause, and leaves no instance either. Root only
# (skipped otherwise).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_record.sh"

rec_require_tracing
rec_state_save

# stop_midway SIGNAL NAME: a 60 s recording at 0.2 s, sent SIGNAL once its
# instance exists, the meminfo series holds 3 samples and a line written
# to the kernel log is in kmsg.txt; checks the capture it leaves.
stop_midway() {
	local sig=$1 cap=$T/cap-$2 db=$T/$2.db pid n mark="mmtriage-t122 $2 $$"
	rec_start record -o "$cap" --duration 60 --interval 0.2
	pid=$REC_PID
	rec_wait_instance "$pid" || fail "$2: no instance mmtriage-$pid"
	for _ in $(seq $((300 * SLOW))); do
		[ "$(rec_time_lines "$cap/proc/meminfo")" -ge 3 ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	[ "$(rec_time_lines "$cap/proc/meminfo")" -ge 3 ] || fail "$2: 3 samples not written"
	echo "$mark" >/dev/kmsg
	for _ in $(seq $((100 * SLOW))); do
		grep -qF "$mark" "$cap/kmsg.txt" && break
		sleep 0.1
	done
	grep -qF "$mark" "$cap/kmsg.txt" || fail "$2: the kernel log's new line not in kmsg.txt"
	kill "-$sig" "$pid"
	rec_wait "$pid"
	[ "$REC_RC" = 0 ] || fail "$2: mmtriage record exited $REC_RC after SIG$sig"
	[ ! -e "$(rec_instance "$pid")" ] || fail "$2: instance mmtriage-$pid left after SIG$sig"
	[ "$(info "$cap" stopped_by)" = "SIG$sig" ] ||
		fail "$2: capture.info says stopped_by=$(info "$cap" stopped_by), not SIG$sig"
	awk -v d="$(info "$cap" duration_s)" 'BEGIN { exit !(d > 0 && d < 50) }' ||
		fail "$2: duration_s=$(info "$cap" duration_s) for a recording stopped early"
	[ -s "$cap/trace.dat" ] || fail "$2: no trace.dat"

	expect_ok ingest -d "$db" "$cap"
	[ "$(sql "$db" "SELECT count(*) FROM tree_files WHERE status IN ('failed', 'skipped')")" = 0 ] ||
		fail "$2: files of the capture not ingested"
	[ "$(sql "$db" "SELECT count(*) FROM events")" -gt 0 ] || fail "$2: no events"
	[ "$(sql "$db" "SELECT events + skipped + (SELECT count(*) FROM event_stacks) FROM trace_sources")" = \
		"$(info "$cap" events_recorded)" ] || fail "$2: events, stacks and skipped records differ from events_recorded"
	[ "$(sql "$db" "SELECT skipped = 0 OR first_skipped LIKE '%kernel_stack % follows no event%' FROM trace_sources")" = 1 ] ||
		fail "$2: ingest skipped records other than stacks after stacks"
	n=$(sql "$db" "SELECT count(DISTINCT ts) FROM meminfo")
	[ "$n" -ge 3 ] || fail "$2: $n snapshots ingested, 3 were written before SIG$sig"
	[ "$(sql "$db" "SELECT count(*) FROM log_lines WHERE text = '$mark'")" = 1 ] ||
		fail "$2: the kernel log line written before SIG$sig not ingested"
}

stop_midway TERM sigterm
stop_midway INT sigint

# The command's child outlives it: SIGTERM ends the recorder and the shell
# it runs, not the shell's child. The instance goes all the same (the
# command holds none of the recorder's tracefs files open).
kill_orphan() {
	local p
	p=$(cat "$T/orphan.pid" 2>/dev/null) || return 0
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = sleep ] && kill "$p"
}
rec_undo kill_orphan
# shellcheck disable=SC2016 # for the inner sh
rec_start record -o "$T/cap-orphan" --interval 0.2 -- sh -c 'sleep 60 & echo $! >"$0"; wait' "$T/orphan.pid"
pid=$REC_PID
rec_wait_instance "$pid" || fail "orphan: no instance mmtriage-$pid"
for _ in $(seq $((100 * SLOW))); do
	[ -s "$T/orphan.pid" ] && break
	sleep 0.1
done
kill -TERM "$pid"
rec_wait "$pid"
[ "$REC_RC" = 0 ] || fail "orphan: mmtriage record exited $REC_RC after SIGTERM"
[ ! -e "$(rec_instance "$pid")" ] ||
	fail "orphan: instance mmtriage-$pid left while the command's child runs on, $(find "/proc/$(cat "$T/orphan.pid")/fd" -lname "$TRACEFS/*" | wc -l) of its files open there"
kill_orphan

# cannot_write OUT PATTERN NAME [FILLER]: the recording fails within 20 s,
# saying PATTERN, and leaves no instance; with FILLER, once it records, a
# file of that name takes all the room left.
cannot_write() {
	local pid start=$SECONDS
	rec_start record -o "$1" --duration 30 --interval 0.2
	pid=$REC_PID
	if [ -n "${4:-}" ]; then
		rec_wait_instance "$pid" || fail "$3: no instance mmtriage-$pid"
		dd if=/dev/zero of="$4" bs=1M status=none 2>/dev/null
	fi
	rec_wait "$pid"
	[ "$REC_RC" != 0 ] || fail "$3: mmtriage record exited 0"
	[ $((SECONDS - start)) -lt 20 ] || fail "$3: the failure took $((SECONDS - start)) s"
	err_has "$2"
	[ ! -e "$(rec_instance "$pid")" ] || fail "$3: instance mmtriage-$pid left"
	rec_check_tracefs_clean
}

cannot_write /proc/nope "/proc/nope" "under /proc"

# tmpfs mounts under $T: one too small to start in, one filled up while
# recording.
small_tmpfs() {
	mkdir "$T/$1"
	mount -t tmpfs -o "size=$2" tmpfs "$T/$1" || fail "cannot mount a tmpfs"
	rec_undo umount "$T/$1"
}
small_tmpfs tiny 1m
cannot_write "$T/tiny/cap" "only 1 MiB free" "1 MiB tmpfs"
small_tmpfs full 100m
cannot_write "$T/full/cap" "No space left on device" "tmpfs filled up" "$T/full/filler"

rec_finish
