#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_terminal: no key, pasted byte or signal leaves the terminal broken.
# Ctrl-\ (typed, and inside a bracketed paste) does not kill dhtui; SIGTERM,
# SIGHUP, SIGINT and SIGQUIT end it with the terminal as it was before (the
# same `stty -a`, the alternate screen left, the cursor shown), and so does a
# crash (SIGSEGV, SIGABRT); a second SIGTERM while a stalled server holds up
# quitting exits at once; Ctrl-C still quits and Ctrl-Z suspends (the
# terminal given back until fg). Pasted ^U, ^P and ESC are inserted as text,
# never run as editing commands. Copy (c) of a hostile cell puts no control
# byte in the clipboard; C copies the exact bytes.
. "$(dirname "$0")/lib.sh"

start_server

# Start dhtui in session NAME with `stty -a` saved before and after it runs
# and its exit status in $E2E_TMP/NAME.rc.
start_guarded() {
    local name=$1
    shift
    local cmd
    cmd=$(dhtui_cmd "$name" "$@")
    local before="$E2E_TMP/$name.stty-before" after="$E2E_TMP/$name.stty-after"
    local script="stty -a >$before; $cmd; echo \$? >$E2E_TMP/$name.rc; stty -a >$after; sleep 30"
    if tm has-session 2>/dev/null; then
        tm new-session -d -s "$name" -x 120 -y 40 "$script"
    else
        tm new-session -d -s "$name" -x 120 -y 40 "$script"
        tm set -g default-terminal tmux-256color >/dev/null
        tm set -g set-clipboard on >/dev/null
    fi
}

# The pid of the dhtui running in session NAME (a child of the pane's shell).
dhtui_pid() {
    local shell
    shell=$(tm display-message -p -t "$1" '#{pane_pid}')
    ps -o pid= -o comm= --ppid "$shell" | awk '$2 == "dhtui" { print $1 }'
}

# After dhtui in NAME exited: the terminal is as it was before it started.
check_restored() {
    local name=$1 what=$2 i
    for i in $(seq 1 40); do
        [ -s "$E2E_TMP/$name.stty-after" ] && break
        sleep 0.05
    done
    if ! cmp -s "$E2E_TMP/$name.stty-before" "$E2E_TMP/$name.stty-after"; then
        fail "$what: the tty settings changed: $(diff "$E2E_TMP/$name.stty-before" \
            "$E2E_TMP/$name.stty-after" | tr '\n' ' ')"
    fi
    [ "$(tm display-message -p -t "$name" '#{alternate_on}')" = 0 ] ||
        fail "$what: the pane is still in the alternate screen"
    [ "$(tm display-message -p -t "$name" '#{cursor_flag}')" = 1 ] ||
        fail "$what: the cursor is still hidden"
    [ "$(tm display-message -p -t "$name" '#{keypad_cursor_flag}')" = 0 ] ||
        fail "$what: the cursor keys are still in application mode"
}

# ---- Ctrl-\ typed, and inside a paste, does not kill dhtui ----
start_guarded ctl
expect_text ctl "10 objects" 15
keys ctl 'C-\'
sleep 0.5
dhtui_exited ctl && die "Ctrl-\\ killed dhtui"
tm set-buffer -b quit "$(printf 'x\034y\003z')"
tm paste-buffer -p -b quit -t ctl
expect_text ctl 'ticket: x\x1cy\x03z' 5
dhtui_exited ctl && die "a pasted Ctrl-\\ or Ctrl-C killed dhtui"

# ---- pasted control characters are text, not readline commands ----
esc ctl
expect_no_text ctl "ticket:" 5
keys ctl f
type_text ctl "s/remembered"
keys ctl Enter
expect_text ctl "Could not open s/remembered" 10
esc ctl
tm set-buffer -b ctl "$(printf 'ab\025cd\020ef\033bg')"
keys ctl f
expect_text ctl "ticket:" 5
tm paste-buffer -p -b ctl -t ctl
expect_text ctl 'ticket: ab\x15cd\x10ef\ebg' 5
screen ctl | grep -q "ticket: .*remembered" && fail "a pasted ^P recalled the history"
# Typed (not pasted), ^U still erases the line.
keys ctl C-u
expect_no_text ctl 'ab\x15cd' 5
esc ctl

# ---- copy: c gives printable text, C the exact bytes ----
keys ctl /
type_text ctl hostile
keys ctl Enter
sleep 0.2
keys ctl Enter
expect_text ctl "rows 1-21 of 21" 10
row=$(screen ctl | grep -F 'before\e[2J\e[Hafter' | awk '{ print $1; exit }')
[ -n "$row" ] || die "no row with the clear-screen payload"
keys ctl : && type_text ctl "$row" && keys ctl Enter
sleep 0.2
keys ctl l l
sleep 0.2
keys ctl c
expect_text ctl "Copied the cell" 5
copied=$(tm show-buffer 2>/dev/null)
case "$copied" in
*'before\e[2J\e[Hafter'*) ;;
*) fail "c did not copy the payload as escapes: '$copied'" ;;
esac
if printf '%s' "$copied" | LC_ALL=C grep -q '[[:cntrl:]]'; then
    fail "c put a control character in the clipboard"
fi
keys ctl C
expect_text ctl "exact bytes" 5
raw=$(tm show-buffer 2>/dev/null)
printf '%s' "$raw" | LC_ALL=C grep -q "$(printf '\033')\[2J" ||
    fail "C did not copy the exact bytes: '$(printf '%s' "$raw" | od -c | head -n 2)'"
keys ctl q
expect_text ctl "1 of 10 match" 5
esc ctl
expect_text ctl "10 objects" 5

# ---- Ctrl-C quits, and the terminal is restored ----
keys ctl C-c
wait_exit ctl 5 || die "Ctrl-C did not quit"
check_restored ctl "Ctrl-C"
[ "$(cat "$E2E_TMP/ctl.rc")" = 0 ] || fail "Ctrl-C: exit status $(cat "$E2E_TMP/ctl.rc")"

# ---- Ctrl-Z suspends with the terminal given back; fg resumes ----
tm new-session -d -s job -x 120 -y 40 "env PS1='$ ' bash --norc --noprofile -i"
sleep 0.3
keys job "stty -a >$E2E_TMP/job.stty-before; $(dhtui_cmd job)" Enter
expect_text job "objects" 15
keys job C-z
for _ in $(seq 1 40); do
    [ "$(tm display-message -p -t job '#{alternate_on}')" = 0 ] && break
    sleep 0.05
done
[ "$(tm display-message -p -t job '#{alternate_on}')" = 0 ] ||
    fail "Ctrl-Z: the pane is still in the alternate screen"
keys job "stty -a >$E2E_TMP/job.stty-after; fg" Enter
expect_text job "objects" 10
cmp -s "$E2E_TMP/job.stty-before" "$E2E_TMP/job.stty-after" ||
    fail "Ctrl-Z: the tty settings while suspended differ from before"
keys job q
wait_for_no_text job "objects" 10 || fail "q did not quit after fg"

# ---- signals: each ends dhtui with the terminal restored ----
for sig in TERM HUP INT QUIT; do
    start_guarded "sig$sig"
    expect_text "sig$sig" "10 objects" 15
    pid=$(dhtui_pid "sig$sig")
    [ -n "$pid" ] || die "no dhtui process in sig$sig"
    kill -s "$sig" "$pid"
    wait_exit "sig$sig" 5 || die "SIG$sig did not end dhtui"
    check_restored "sig$sig" "SIG$sig"
done

# ---- a crash (SIGSEGV, SIGABRT) restores the terminal before dying ----
for sig in SEGV ABRT; do
    start_guarded "crash$sig"
    expect_text "crash$sig" "objects" 15
    kill -s "$sig" "$(dhtui_pid "crash$sig")"
    wait_exit "crash$sig" 5 || die "SIG$sig did not end dhtui"
    check_restored "crash$sig" "SIG$sig"
    rc=$(cat "$E2E_TMP/crash$sig.rc")
    [ "$rc" -gt 128 ] || [ "$rc" = 1 ] || fail "SIG$sig: exit status $rc"
    # A sanitizer build reports the signal it was handed on: expected here.
    rm -f "$E2E_TMP"/sanitizer-"crash$sig"*
done

# ---- a second SIGTERM while a stalled server holds up quitting ----
start_guarded stall
expect_text stall "10 objects" 15
pid=$(dhtui_pid stall)
kill -STOP "$E2E_SERVER_PID"
kill -TERM "$pid"
sleep 0.3
t0=$(date +%s%N)
kill -TERM "$pid" 2>/dev/null
wait_exit stall 5 || fail "a second SIGTERM did not end dhtui"
t1=$(date +%s%N)
kill -CONT "$E2E_SERVER_PID"
ms=$(((t1 - t0) / 1000000))
[ "$ms" -lt 1000 ] || fail "the second SIGTERM took $ms ms to end dhtui"
check_restored stall "second SIGTERM"

finish
