#!/usr/bin/env bash
# The HTML report of every sample, as a person would see it: Chromium loads
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

# look NAME CHARTS INPUT...: the report of INPUT..., drawn by Chromium and checked.
look() {
	local name=$1 charts=$2 html=$T/$1.html
	shift 2
	expect_ok report -f html -o "$html" "$@"
	chromium --dump-dom "file://$html" >"$T/$name.dom.html" ||
		fail "$name: chromium could not load the report"
	chromium --screenshot="$SHOTS/$name.png" --window-size=1100,4000 "file://$html" >/dev/null ||
		fail "$name: chromium took no screenshot"
	"$PYTHON" "$MMT_SOURCE_DIR/tests/cli/check_html.py" "$html" "$T/$name.dom.html" \
		"$SHOTS/$name.png" "$charts" >"$T/check" 2>&1 || { cat "$T/check" >&2; fail "$name"; }
}

# Every capture holds /proc/meminfo samples: at least free memory, Dirty and
# Writeback, and slab.
for cap in "$SAMPLES"/capture-*/capture.tar.xz; do
	look "$(basename "$(dirname "$cap")")" 3 "$cap"
done
look snapshot-series 3 "$SAMPLES/snapshot-series/capture.tar.xz"
look sosreport-vm 0 "$SAMPLES"/sosreport-vm/sosreport-*
look trace-memcg-reclaim 1 "$SAMPLES/trace-memcg-reclaim/trace.dat"
look writeback-stuck-loop 1 "$SAMPLES/writeback-stuck-loop/dmesg-iso.txt" \
	"$MMT_SOURCE_DIR/tests/data/writeback/stuck-loop-meminfo.txt"
# Logs alone: the timeline of findings and reports, no data chart.
for s in hung-task-fsfreeze memcg-oom hostile-comm; do
	look "$s" 0 "$SAMPLES/$s/dmesg.txt"
	grep -q 'id="chart-timeline"' "$T/$s.html" || fail "$s: no timeline of its reports"
done

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
exit 0
