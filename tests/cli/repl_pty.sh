#!/bin/sh
# eightmin repl on a terminal, driven through tmux: Tab completion of API
# names, record fields, commands and payer ids; history recalled with the
# Up arrow, within a session and from the history file in the next one;
# Ctrl-C interrupts a running line and keeps the session.
# usage: sh tests/cli/repl_pty.sh [EIGHTMIN]   (exit 0 when all pass)
EIGHTMIN=${1:-${EIGHTMIN:-bin/eightmin}}
if ! command -v tmux >/dev/null 2>&1; then
    echo "repl_pty.sh: tmux is not installed, so the terminal tests of 'eightmin repl'" \
         "cannot run: install it (apt-get install tmux, or make deps)" >&2
    exit 1
fi
case $EIGHTMIN in /*) ;; *) EIGHTMIN=$PWD/$EIGHTMIN ;; esac
top=$PWD
tmp=$(mktemp -d)
sock=$tmp/tmux.sock
tm() { tmux -S "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0

screen() { tm capture-pane -p -t repl 2>/dev/null | sed -e 's/[[:space:]]*$//' -e '/^$/d'; }
# The line the cursor is on: the last one that is not empty.
current() { screen | tail -n 1; }

# wait_for DESCRIPTION COMMAND...: polls until COMMAND succeeds (20 s at most,
# generous for a sanitizer build on a busy machine).
wait_for() {
    what=$1
    shift
    i=0
    while [ $i -lt 200 ]; do
        if "$@"; then return 0; fi
        sleep 0.1
        i=$((i + 1))
    done
    fails=$((fails + 1))
    echo "FAIL repl (pty): $what"
    screen | sed 's/^/  screen: /'
    return 1
}
line_is() { [ "$(current)" = "$1" ]; }
screen_has() { screen | grep -qF -- "$1"; }

start() {
    # A tmux server can fail to come up on a loaded machine: try again.
    for attempt in 1 2 3; do
        tm -f /dev/null new-session -d -s repl -x 150 -y 40 -c "$top" \
            "env HOME='$tmp/home' XDG_STATE_HOME='$tmp/state' '$EIGHTMIN' repl; echo REPL-EXIT \$?; sleep 60" \
            && break
        echo "repl_pty.sh: tmux did not start (attempt $attempt)" >&2
        tm kill-server 2>/dev/null
        sleep 1
    done
    wait_for "the banner" screen_has ":help for commands"
}
keys() { tm send-keys -t repl "$@"; }
clear_line() { keys C-u; wait_for "the line cleared" line_is ">"; }

mkdir -p "$tmp/home"
start

# An API name: em.units_f<Tab> -> em.units_for_minutes
keys 'em.units_f' Tab
wait_for "Tab completes em.units_f" line_is "> em.units_for_minutes"
keys '(24, 15, 8)' Enter
wait_for "the completed line runs" line_is ">" 
wait_for "em.units_for_minutes(24, 15, 8) prints 2" sh -c "tmux -S '$sock' capture-pane -p -t repl | grep -qx '2'"

# A command and a payer id
keys ':ch' Tab
wait_for "Tab completes :ch" line_is "> :check"
clear_line
keys ':payer med' Tab
wait_for "Tab completes a payer id" line_is "> :payer medicare"
keys Enter
wait_for ":payer medicare loads" screen_has "payer medicare (Medicare Part B)"

# A record field of the current visit
keys ':visits plugins/examples/visits.ndjson' Enter
wait_for ":visits loads" screen_has "visit = visit V1001"
keys 'visit.no' Tab
wait_for "Tab completes visit.no" line_is "> visit.note"
clear_line

# History: a line typed, Up recalls it
keys 'answer = 40 + 2' Enter
wait_for "the assignment runs" line_is ">"
keys Up
wait_for "Up recalls the last line" line_is "> answer = 40 + 2"
clear_line

# Ctrl-C interrupts a running line; the session goes on
keys 'while true do end' Enter
sleep 0.3
keys C-c
wait_for "Ctrl-C interrupts" screen_has "interrupted!"
keys 'answer' Enter
wait_for "the session survives Ctrl-C" sh -c "tmux -S '$sock' capture-pane -p -t repl | grep -qx '42'"

# Ctrl-D leaves and saves the history; the next session recalls it
keys C-d
wait_for "Ctrl-D leaves with exit 0" screen_has "REPL-EXIT 0"
wait_for "the history file is written" test -s "$tmp/state/eightmin/history"
tm kill-session -t repl
start
keys Up
wait_for "Up recalls the last session's line" line_is "> answer"

[ "$fails" -eq 0 ]
