#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_terminal: dhtui leaves the terminal as it found it (main screen, canonical mode,
# echo) whichever way it is stopped: SIGTERM, SIGHUP, SIGINT, SIGQUIT, and Ctrl-\ typed at the
# keyboard (raw mode may instead read it as a key: then dhtui must keep running and q
# must quit it); each within 1 s. The terminal is the tmux pane; its modes are read with
# stty -F on the pane's tty after dhtui exited.
. "$(dirname "$0")/lib.sh"

chaos_server

# stop_with NAME HOW: start dhtui in session NAME, stop it with HOW (a signal name, or
# "ctrl-backslash"), and check the exit and the terminal.
stop_with() {
    local name=$1 how=$2 pid t0 tty modes
    enabled "terminal-$how" || return 0
    start_dhtui "$name" 100 24
    expect_list "$name"
    pid=$(dhtui_pid "$name")
    [ -n "$pid" ] || die "no dhtui process in $name"
    t0=$(now_ms)
    case "$how" in
    ctrl-backslash)
        keys "$name" 'C-\'
        sleep 0.5
        if kill -0 "$pid" 2>/dev/null; then # read as a key: still usable
            expect_list "$name"
            t0=$(now_ms)
            keys "$name" q
        fi
        ;;
    *) kill -s "$how" "$pid" ;;
    esac
    while kill -0 "$pid" 2>/dev/null && [ $(($(now_ms) - t0)) -lt $((1000 * SLOW)) ]; do
        sleep 0.02
    done
    if kill -0 "$pid" 2>/dev/null; then
        fail "$how: dhtui did not exit within $((1 * SLOW)) s"
        kill -KILL "$pid" 2>/dev/null
        return 0
    fi
    sleep 0.1 # the pane's shell moves on
    echo "   $how: exited in $(($(now_ms) - t0)) ms"
    [ "$(tm display-message -p -t "$name" '#{alternate_on}')" = 0 ] ||
        fail "$how: the terminal was left in the alternate screen"
    tty=$(tm display-message -p -t "$name" '#{pane_tty}')
    modes=$(stty -a -F "$tty" 2>&1)
    for m in icanon echo icrnl opost; do
        echo "$modes" | grep -qw -- "-$m" && fail "$how: the terminal was left with -$m"
    done
    echo "$modes" | grep -qw icanon || fail "$how: cannot read the terminal's modes: $modes"
    tm kill-session -t "$name"
}

stop_with t1 TERM
stop_with t2 HUP
stop_with t3 INT
stop_with t4 QUIT
stop_with t5 ctrl-backslash
chaos_finish
