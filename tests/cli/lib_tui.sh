# Shared by the TUI tests (sourced after lib.sh; a name not matching t*.sh,
# which would make it a test): the TUI in a terminal of its own (a private
# tmux server per start: a killed server may still hold its socket), what
# the screen shows, and keys. start DB [ENV...] runs `mmtriage tui -d DB` in
# a 120x40 terminal, and switches to view $TUI_VIEW (a number key) when set.
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed (./bootstrap test installs it)"; exit 77; }
RUN=0
SOCK=$T/tmux.0.sock
tm() { tmux -S "$SOCK" "$@"; }
trap 'for s in "$T"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT

# start DB [ENV...]: the TUI on DB in a 120x40 terminal, in view $TUI_VIEW if set.
start() {
	local db=$1
	shift
	tm kill-server 2>/dev/null
	RUN=$((RUN + 1))
	SOCK=$T/tmux.$RUN.sock
	tm new-session -d -x 120 -y 40 "env $* '$MMT' tui -d '$db'; echo EXIT=\$?; sleep 60"
	wait_for 'Findings'
	if [ -n "${TUI_VIEW:-}" ]; then
		keys "$TUI_VIEW"
		wait_for "\\[$TUI_VIEW [A-Z]"
	fi
}

screen() { tm capture-pane -p; }
# selected: the selected row as text, found by the selection's colours (black
# on yellow: the terminal must have colours, and NO_COLOR be unset).
selected() { tm capture-pane -p -e | grep -a $'\e\\[43m' | sed 's/\x1b\[[0-9;]*m//g'; }
# shows WHAT PATTERN: until WHAT (screen, selected) matches (20 s at most:
# sanitizers are slow; SLOW times that); else false, with the screen on stderr.
shows() {
	for _ in $(seq $((200 * SLOW))); do
		"$1" | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	screen >&2
	return 1
}
wait_for() { shows screen "$1" || fail "the screen never showed /$1/"; }
wait_selected() { shows selected "$1" || fail "the selected row is not /$1/ but: $(selected)"; }
keys() { tm send-keys "$@"; sleep 0.3; }
quit() {
	keys q
	wait_for '^EXIT=0'
}
# select_down PATTERN: j until the selected row matches (60 rows at most).
select_down() {
	for _ in $(seq 60); do
		selected | grep -Eq -- "$1" && return 0
		keys j
	done
	fail "no row /$1/ below the selection"
}
# analyzed NAME INGEST-ARGS...: $T/NAME.db, ingested and analyzed.
analyzed() {
	local db=$T/$1.db
	shift
	expect_ok ingest -q -d "$db" "$@"
	expect_ok analyze -d "$db"
}
# no_osc: the hostile samples' OSC sequence did not reach the terminal raw.
no_osc() {
	! tm capture-pane -p -e | LC_ALL=C grep -aq $'\x1b\]0;pwned' ||
		fail "a raw OSC sequence reached the terminal"
}
# at TIME: the time cursor to TIME (seconds on the common timeline) with the t prompt.
at() {
	keys t
	keys "$1" Enter
}
