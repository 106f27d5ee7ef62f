# Shared by the TUI tests: the TUI in a real terminal (tmux) of its own.
# Source after lib.sh. start DB [ENV...] runs `mmtriage tui -d DB` in a
# 120x40 terminal (and switches to view $TUI_VIEW, a number key, when set);
# screen prints what it shows, wait_for waits until it shows a pattern,
# keys types.
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed (./bootstrap test installs it)"; exit 77; }
# A server of our own per start: a killed server may still hold its socket.
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
# wait_for PATTERN: until the screen shows it (20 s at most: sanitizers are slow).
wait_for() {
	for _ in $(seq 200); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	screen >&2
	fail "the screen never showed /$1/"
}
keys() { tm send-keys "$@"; sleep 0.3; }
