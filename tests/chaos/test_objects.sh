#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_objects: the object list through every fault. dhtui talks to the demo server
# through chaos_proxy. For each fault (a stall, every session expired, the server killed
# with -9 and restarted on its port, the link cut, reset mid-stream or slowed, the
# server frozen with SIGSTOP): while it holds, dhtui stays quiet (little CPU, few
# requests); once the cause is gone, an object the server adds shows up within 5 s
# (the list is live again). At the end q quits within 1 s.
. "$(dirname "$0")/lib.sh"

chaos_server --session-duration-ms 60000
chaos_proxy
start_dhtui main 120 30
expect_list main

n=0
# one_fault FAULT HOLD_SECONDS
one_fault() {
    local fault=$1 hold=$2
    enabled "objects-$fault" || return 0
    hold_fault main "$fault" "$hold"
    n=$((n + 1))
    server_ctl add "chaos_$n"
    local t0
    t0=$(now_ms)
    if ! wait_for_text main "chaos_$n" $((5 * SLOW)); then
        fail "after $fault: a new object did not show within $((5 * SLOW)) s"
        screen main | tail -n 3 >&2
        wait_for_text main "chaos_$n" 60
    fi
    echo "   live again after $(($(now_ms) - t0)) ms"
    server_ctl remove "chaos_$n"
    wait_for_no_text main "chaos_$n" $((5 * SLOW)) ||
        fail "after $fault: a removed object stayed on the list"
}

each_fault one_fault

expect_list main
expect_quit main
chaos_finish
