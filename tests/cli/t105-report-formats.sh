#!/usr/bin/env bash
# Every sample in every format. One database per sample; from it the text,
# Markdown and email reports (check_formats.py: valid UTF-8, no control
# characters, every finding listed, email within 80 columns and without
# markup, Markdown tables whole), the JSON report (check_json.py, against
# docs/report.schema.json when python3-jsonschema is there; t100 adds the
# mutations), and the HTML report as a person would see it: Chromium loads
# it, builds its document and takes a screenshot, and check_html.py asserts
# the page refers to nothing outside itself, stays under 2 MB, that every
# chart has a drawn line, a unit and a time axis, that Chromium's document
# holds every chart and line of the file, and that the screenshot shows
# them. Screenshots stay in $MMT_SHOTS when it is set, to look at.
. "$(dirname "$0")/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "SKIP: chromium is not installed (./bootstrap test installs it)"; exit 77; }
"$PYTHON" -c 'import PIL' 2>/dev/null ||
	{ echo "SKIP: python3-pil is not installed (./bootstrap test installs it)"; exit 77; }
SHOTS=${MMT_SHOTS:-$T/shots}
mkdir -p "$SHOTS"

chromium() {	# chromium ARGS... FILE: headless, no network, a fresh profile
	local profile
	profile=$(mktemp -d "$T/profile.XXXXXX")
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --user-data-dir="$profile" "$@" 2>>"$T/chromium.log"
}

# html NAME CHARTS: the HTML report of $T/NAME.db, drawn by Chromium and checked.
html() {
	local name=$1 charts=$2 page=$T/$1.html
	expect_ok report -d "$T/$name.db" -f html -o "$page"
	chromium --dump-dom "file://$page" >"$T/$name.dom.html" ||
		fail "$name: chromium could not load the report"
	chromium --screenshot="$SHOTS/$name.png" --window-size=1100,4000 "file://$page" >/dev/null ||
		fail "$name: chromium took no screenshot"
	[ "$(grep -c '<div class="finding ' "$page")" = "$FINDINGS" ] ||
		fail "$name: the page does not show the $FINDINGS findings"
	"$PYTHON" "$MMT_SOURCE_DIR/tests/cli/check_html.py" "$page" "$T/$name.dom.html" \
		"$SHOTS/$name.png" "$charts" >"$T/check" 2>&1 || { cat "$T/check" >&2; fail "$name"; }
}

# every NAME CHARTS [OPTION...] INPUT...: one database, every format.
every() {
	local name=$1 charts=$2 db=$T/$1.db fmt
	shift 2
	expect_ok ingest -q -d "$db" "$@"
	expect_ok analyze -d "$db"
	FINDINGS=$(sql "$db" "SELECT count(*) FROM findings")
	for fmt in text markdown email json; do
		expect_ok report -d "$db" -f "$fmt" -o "$T/$name.$fmt"
	done
	"$PYTHON" "$MMT_SOURCE_DIR/tests/cli/check_formats.py" "$name" "$FINDINGS" \
		"$T/$name.text" "$T/$name.markdown" "$T/$name.email" >"$T/check" 2>&1 ||
		{ cat "$T/check" >&2; fail "$name"; }
	"$PYTHON" "$MMT_SOURCE_DIR/tests/cli/check_json.py" "$T/$name.json" >"$T/check" 2>&1 ||
		{ cat "$T/check" >&2; fail "$name: JSON"; }
	html "$name" "$charts"
}

# Every capture holds /proc/meminfo samples: at least free memory, Dirty and
# Writeback, and slab.
n=0
for cap in "$SAMPLES"/capture-*/capture.tar.xz; do
	every "$(basename "$(dirname "$cap")")" 3 "$cap"
	n=$((n + 1))
done
[ "$n" -ge 17 ] || fail "only $n captures"
every snapshot-series 3 "$SAMPLES/snapshot-series/capture.tar.xz"
# One moment of /proc: dots, not lines, so no pixels to count.
every sosreport-vm 0 "$SAMPLES"/sosreport-vm/sosreport-*
grep -q '<circle class="point"' "$T/sosreport-vm.html" || fail "sosreport-vm: its sample is not drawn"
every trace-memcg-reclaim 1 "$SAMPLES/trace-memcg-reclaim/trace.dat"
every writeback-stuck-loop 1 "$SAMPLES/writeback-stuck-loop/dmesg-iso.txt" \
	"$MMT_SOURCE_DIR/tests/data/writeback/stuck-loop-meminfo.txt"
# Logs alone: the timeline of findings and reports, no data chart.
for s in hung-task-fsfreeze memcg-oom; do
	every "$s" 0 "$SAMPLES/$s/dmesg.txt"
	grep -q 'id="chart-timeline"' "$T/$s.html" || fail "$s: no timeline of its reports"
done
every hostile-comm 0 --lenient "$SAMPLES/hostile-comm/dmesg-noescape.txt"

# The charts are the ones the data holds: CPU1 went offline in
# capture-ipi-hotplug, so its chart of CPUs online exists and IPIs per CPU.
for chart in memory writeback slab psi ipi cpus; do
	grep -q "id=\"chart-$chart\"" "$T/capture-ipi-hotplug.html" ||
		fail "capture-ipi-hotplug: no $chart chart"
done
grep -q 'id="chart-swap"' "$T/capture-memcg-swap-oom.html" ||
	fail "capture-memcg-swap-oom: no swap chart"
# Finding windows and report marks carry their titles as tooltips.
grep -q '<line class="mark"[^>]*><title>[^<]*oom_kill' "$T/capture-memcg-swap-oom.html" ||
	fail "capture-memcg-swap-oom: no OOM kill mark"
grep -q '<rect class="window"' "$T/capture-writeback-stall.html" ||
	fail "capture-writeback-stall: the stall's window is not shaded"
# A stack folded to the frames that matter: the fsfreeze writers wait in vfs_write.
grep -q '<summary>stack of sh:16520 <code>vfs_write</code> <code>ksys_write</code>' \
	"$T/hung-task-fsfreeze.html" || fail "hung-task-fsfreeze: sh's stack is not folded to vfs_write"
exit 0
