#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_tickets: the tickets panel open on a ticket fetched from another publisher (which
# talks to the server directly) while dhtui's own link goes through the faults. While a
# fault holds dhtui stays quiet and a key that needs no server answers; once the cause is
# gone the panel shows the ticket valid again within 5 s. When every session expires
# (the publisher's too) the panel stops calling the ticket valid within 5 s.
. "$(dirname "$0")/lib.sh"

chaos_server --session-duration-ms 60000
start_publisher "$SERVER_PORT"
chaos_proxy
start_dhtui main 120 30 --probe-interval 1000 "$TICKET"
expect_text main "(Table)" $((15 * SLOW))
back_to_list main
keys main t
expect_text main "fetched" $((5 * SLOW))
expect_text main "● valid" $((5 * SLOW))

# one_fault FAULT HOLD_SECONDS
one_fault() {
    local fault=$1 hold=$2
    [ "$fault" = expire ] || [ "$fault" = kill ] && return 0 # they end the ticket: below
    enabled "tickets-$fault" || return 0
    hold_fault main "$fault" "$hold" keys_during_fault
    local t0
    t0=$(now_ms)
    sleep 1.5 # one probe interval: the state is not what it was before the fault
    wait_for_text main "● valid" $((5 * SLOW)) ||
        fail "after $fault: the ticket is not shown valid within $((5 * SLOW)) s"
    echo "   valid again after $(($(now_ms) - t0)) ms"
}
each_fault one_fault

if enabled tickets-expire; then
    fault_start expire
    wait_for_no_text main "● valid" $((5 * SLOW)) ||
        fail "the ticket is still shown valid $((5 * SLOW)) s after every session expired"
fi
kill -INT $PUB_PID 2>/dev/null
wait $PUB_PID 2>/dev/null
expect_quit main
chaos_finish
