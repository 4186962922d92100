#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pager_static: the pager on trades (static, 1,000,000 rows), opened after other
# objects so its export id is one a renewed session gives to something else. For each
# fault: a key that needs no server answers, dhtui stays quiet; once the cause is gone,
# jumping to a new row shows it within 5 s, and every row on screen is trades' row at
# that position (compared with the server's own rows) under a title naming trades.
. "$(dirname "$0")/lib.sh"

chaos_server --session-duration-ms 60000
chaos_proxy
ref_rows trades 200
start_dhtui main 120 30
expect_list main
reuse_export_ids main
open_object main trades
check_rows main trades

row=100
# While a fault holds: keys that need no server answer, the rows stay trades'.
during_fault() {
    keys_during_fault main
    check_rows main trades
}

# one_fault FAULT HOLD_SECONDS
one_fault() {
    local fault=$1 hold=$2
    enabled "pager-static-$fault" || return 0
    hold_fault main "$fault" "$hold" during_fault
    row=$((row + 1000))
    local t0
    t0=$(now_ms)
    keys main : "$row" Enter
    if ! wait_row main "$row" $((5 * SLOW)); then
        fail "after $fault: row $row did not show within $((5 * SLOW)) s"
        screen main | sed -n '1p;$p' >&2
    else
        echo "   row $row shown after $(($(now_ms) - t0)) ms"
    fi
    check_rows main trades
}

each_fault one_fault

expect_quit main
chaos_finish
