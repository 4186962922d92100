# SPDX-License-Identifier: MIT
# lib.sh: helpers for the end-to-end screen tests. Each test starts its own
# demo server (--port 0, commands through a control fifo) and a private tmux
# server (-L dhtui-test-$$, no config) at a fixed size running the real dhtui,
# then drives it with send-keys and reads the screen with capture-pane, as
# tmux's own regress/ tests do. Everything is killed by an EXIT trap.
#
# Environment (set by ctest): DHTUI, DH_SERVER; optional DH_E2E_KEEP=1 keeps
# the temporary directory for inspection.

set -u

: "${DHTUI:?DHTUI must point at the dhtui binary}"
: "${DH_SERVER:?DH_SERVER must point at the dhtui-demo-server binary}"

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dhtui-e2e.XXXXXX")
E2E_SOCKET="dhtui-test-$$"
E2E_SERVER_PID=""
E2E_PORT=""
E2E_FAILS=0
E2E_NAME=$(basename "$0" .sh)

# The tmux command for our private server (no user config).
tm() {
    tmux -L "$E2E_SOCKET" -f /dev/null "$@"
}

e2e_cleanup() {
    tm kill-server >/dev/null 2>&1 || true
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$E2E_SOCKET"
    if [ -n "$E2E_SERVER_PID" ]; then
        echo quit >&7 2>/dev/null || true
        exec 7>&- 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$E2E_SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$E2E_SERVER_PID" 2>/dev/null || true
        wait "$E2E_SERVER_PID" 2>/dev/null || true
    fi
    if [ "${DH_E2E_KEEP:-0}" = 1 ]; then
        echo "kept $E2E_TMP" >&2
    else
        rm -rf "$E2E_TMP"
    fi
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "FAIL [$E2E_NAME]: $*" >&2
    E2E_FAILS=$((E2E_FAILS + 1))
}

# Stop now: print the screens of every pane for the log.
die() {
    echo "FATAL [$E2E_NAME]: $*" >&2
    for p in $(tm list-panes -a -F '#{session_name}' 2>/dev/null); do
        echo "---- screen of $p ----" >&2
        tm capture-pane -p -t "$p" >&2 2>/dev/null || true
    done
    for f in "$E2E_TMP"/*.log; do
        [ -f "$f" ] || continue
        echo "---- $f (last lines) ----" >&2
        tail -n 20 "$f" >&2
    done
    exit 1
}

# Start the demo server on a free port; sets E2E_PORT. Commands go to fd 7.
start_server() {
    mkfifo "$E2E_TMP/ctl"
    "$DH_SERVER" --port 0 "$@" <"$E2E_TMP/ctl" >"$E2E_TMP/server.out" 2>"$E2E_TMP/server.err" &
    E2E_SERVER_PID=$!
    # Open the fifo for writing only after the server opened it for reading.
    exec 7>"$E2E_TMP/ctl"
    local i
    for i in $(seq 1 100); do
        E2E_PORT=$(sed -n 's/^listening on [0-9.]*:\([0-9][0-9]*\).*/\1/p' \
            "$E2E_TMP/server.out" | head -n 1)
        [ -n "$E2E_PORT" ] && return 0
        kill -0 "$E2E_SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$E2E_TMP/server.err" >&2
    die "the demo server did not say where it listens"
}

# A control command for the demo server ("add NAME [TYPE]", "remove NAME").
server_cmd() {
    echo "$*" >&7
}

# The shell command that runs dhtui for session NAME (extra arguments go to
# dhtui): its own state directory, sanitizer logs, --log $E2E_TMP/NAME.log.
# E2E_CONFIG_HOME: XDG_CONFIG_HOME for dhtui (default: none there); E2E_NO_PORT=1
# leaves out --port (a profile names the server).
dhtui_cmd() {
    local name=$1
    shift
    mkdir -p "$E2E_TMP/state-$name"
    local port=(--port "$E2E_PORT")
    [ -n "${E2E_NO_PORT:-}" ] && port=()
    printf '%q ' env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color \
        XDG_STATE_HOME="$E2E_TMP/state-$name" \
        XDG_CONFIG_HOME="${E2E_CONFIG_HOME:-$E2E_TMP/no-config}" \
        ASAN_OPTIONS="log_path=$E2E_TMP/sanitizer-$name:${ASAN_OPTIONS:-}" \
        LSAN_OPTIONS="suppressions=$E2E_DIR/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}" \
        UBSAN_OPTIONS="log_path=$E2E_TMP/sanitizer-$name:print_stacktrace=1:${UBSAN_OPTIONS:-}" \
        "$DHTUI" "${port[@]}" --log "$E2E_TMP/$name.log" "$@"
}

# Start dhtui in a new tmux session NAME (default "main") of COLSxLINES.
# Extra arguments go to dhtui. Its log goes to $E2E_TMP/NAME.log.
start_dhtui() {
    local name=${1:-main} cols=${2:-120} lines=${3:-40}
    shift 3 2>/dev/null || shift $#
    local cmd
    cmd=$(dhtui_cmd "$name" "$@")
    if tm has-session 2>/dev/null; then
        tm new-session -d -s "$name" -x "$cols" -y "$lines" "$cmd; sleep 30"
    else
        tm new-session -d -s "$name" -x "$cols" -y "$lines" "$cmd; sleep 30"
        tm set -g default-terminal tmux-256color >/dev/null
        tm set -g set-clipboard on >/dev/null
        tm set -g remain-on-exit off >/dev/null
    fi
}

# The screen of session NAME as plain text.
screen() {
    tm capture-pane -p -t "${1:-main}"
}

# Wait until the screen of session $1 contains text $2 (fixed string), up to
# $3 seconds (default 10). Returns 1 on timeout.
wait_for_text() {
    local name=$1 text=$2 timeout=${3:-10}
    local end=$(($(date +%s%N) / 1000000 + timeout * 1000))
    while [ $(($(date +%s%N) / 1000000)) -lt $end ]; do
        if screen "$name" | grep -qF -- "$text"; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# Wait until the screen of session $1 no longer contains $2.
wait_for_no_text() {
    local name=$1 text=$2 timeout=${3:-10}
    local end=$(($(date +%s%N) / 1000000 + timeout * 1000))
    while [ $(($(date +%s%N) / 1000000)) -lt $end ]; do
        if ! screen "$name" | grep -qF -- "$text"; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# wait_until SECONDS COMMAND...: run COMMAND every 50 ms until it succeeds, up to
# SECONDS; 1 on timeout. For waiting on a condition instead of a fixed sleep.
wait_until() {
    local timeout=$1
    shift
    local end=$(($(date +%s%N) / 1000000 + timeout * 1000))
    until "$@"; do
        [ $(($(date +%s%N) / 1000000)) -lt $end ] || return 1
        sleep 0.05
    done
}

# log_lines NAME PATTERN: how many lines of dhtui's log for session NAME match
# the extended regex PATTERN.
log_lines() {
    grep -cE -- "$2" "$E2E_TMP/$1.log" 2>/dev/null || true
}

# wait_renewed NAME BEFORE [SECONDS]: wait until dhtui in session NAME logged more
# than BEFORE session ends (log_lines NAME "event session ended") and a
# connection event after the last one: the new session is there.
wait_renewed() {
    local name=$1 before=$2 timeout=${3:-15}
    renewed() {
        [ "$(log_lines "$name" "event session ended")" -gt "$before" ] &&
            sed -n '/event session ended/h; /event session ended/!H; ${x;p}' \
                "$E2E_TMP/$name.log" | grep -q "event connection req=0 ok=1"
    }
    wait_until "$timeout" renewed
}

# Like wait_for_text but a failure stops the test with the screen printed.
expect_text() {
    wait_for_text "$@" || die "screen of $1 never showed '$2'"
}

expect_no_text() {
    wait_for_no_text "$@" || die "screen of $1 still shows '$2'"
}

# Send keys to session NAME (tmux key names: Enter Escape PPage NPage Up ...).
keys() {
    local name=$1
    shift
    tm send-keys -t "$name" "$@"
}

# Send Esc on its own (a key sent right after it would read as Alt+key).
esc() {
    tm send-keys -t "$1" Escape
    sleep 0.15
}

# Send literal text (no key-name lookup).
type_text() {
    tm send-keys -t "$1" -l -- "$2"
}

# 1 if the dhtui process in session NAME has exited (pane runs `sleep`).
dhtui_exited() {
    local cmd
    cmd=$(tm display-message -p -t "${1:-main}" '#{pane_current_command}' 2>/dev/null)
    [ "$cmd" = "sleep" ] || [ -z "$cmd" ]
}

# Open the table NAME from the object list of session $2 (default main)
# through the filter, and wait for its pager.
open_table() {
    local name=$1 s=${2:-main}
    keys "$s" /
    type_text "$s" "$name"
    keys "$s" Enter
    sleep 0.2
    keys "$s" Enter
    expect_text "$s" "$name (Table)" 10
}

# Wait for dhtui in session NAME to exit (up to $2 seconds).
wait_exit() {
    local name=$1 timeout=${2:-10} i
    for i in $(seq 1 $((timeout * 20))); do
        dhtui_exited "$name" && return 0
        sleep 0.05
    done
    return 1
}

# Close the pager and clear the filter open_table left (session main).
back_to_list() {
    esc main
    expect_text main "match" 5
    esc main
    expect_no_text main "match" 5
    expect_text main " objects" 5
}

# End of test: report and set the exit code. Sanitizer reports (builds with
# DH_SANITIZE=ON) of any dhtui that exited count as failures.
finish() {
    local f
    for f in "$E2E_TMP"/sanitizer-*; do
        [ -f "$f" ] || continue
        fail "sanitizer report $(basename "$f"):"
        head -n 40 "$f" >&2
    done
    if [ "$E2E_FAILS" -gt 0 ]; then
        echo "$E2E_NAME: $E2E_FAILS check(s) failed" >&2
        exit 1
    fi
    echo "$E2E_NAME: ok"
    exit 0
}
