#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_redraw_writes: a full redraw reaches the terminal in very few write(2)
# calls (issue 9: over SSH every write can become a packet). dhtui runs under
# strace (UI thread only); the test resizes the window, which repaints every
# line, and counts the writes to the terminal that follow.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || die "strace is not installed (scripts/install-deps.sh --test installs it)"

trace="$E2E_TMP/trace"
cat >"$E2E_TMP/traced-dhtui" <<WRAP
#!/bin/sh
exec strace -qq -o "$trace" -e trace=write,writev "$DHTUI" "\$@"
WRAP
chmod +x "$E2E_TMP/traced-dhtui"

# LeakSanitizer cannot stop the world under ptrace: no leak check here.
start_server
ASAN_OPTIONS=detect_leaks=0 DHTUI="$E2E_TMP/traced-dhtui" start_dhtui main 160 45
expect_text main "10 objects" 15

# Count the terminal writes of one full redraw: mark, resize, let it settle.
writes_since() {
    tail -n +"$(($1 + 1))" "$trace" | grep -c '^write(1,' || true
}
measure_redraw() {
    local cols=$1 lines=$2 mark
    sleep 0.3
    mark=$(wc -l <"$trace")
    tm resize-window -t main -x "$cols" -y "$lines"
    sleep 0.4
    writes_since "$mark"
}

n1=$(measure_redraw 150 42)
n2=$(measure_redraw 160 45)
echo "writes per full redraw of the object list: $n1 (150x42), $n2 (160x45)"
# One frame, plus at most a status-line tick (the session clock) in the window.
[ "$n1" -ge 1 ] && [ "$n1" -le 3 ] || fail "a full redraw took $n1 writes at 150x42 (want 1-3)"
[ "$n2" -ge 1 ] && [ "$n2" -le 3 ] || fail "a full redraw took $n2 writes at 160x45 (want 1-3)"

# The pager on a wide table: still one frame per redraw.
keys main /
type_text main wide
keys main Enter
sleep 0.2
keys main Enter
expect_text main "wide (Table)" 10
expect_text main "of " 10
n3=$(measure_redraw 150 42)
echo "writes per full redraw of the pager on wide: $n3"
[ "$n3" -ge 1 ] && [ "$n3" -le 3 ] || fail "a full pager redraw took $n3 writes (want 1-3)"

keys main q
sleep 0.2
keys main q
wait_exit main 10 || die "q did not quit"
finish
