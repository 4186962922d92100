#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pager_ticking: the pager on quotes (ticking: 10 rows every 250 ms), following the
# end (G), opened after other objects so its export id is one a renewed session gives to
# something else. For each fault: dhtui stays quiet; once the cause is gone the view
# ticks again within 5 s (its row count changes, twice) and every row on screen is
# quotes' row at that position, as the server computes it.
. "$(dirname "$0")/lib.sh"

chaos_server --session-duration-ms 60000
chaos_proxy
ref_rows quotes 400
start_dhtui main 120 30
expect_list main
reuse_export_ids main
open_object main quotes
keys main G
check_rows main quotes

# ticking_again: the title's row count changes twice within 5 s of now (after a restart
# the server's table starts short again, so any change counts, not only growth).
ticking_again() {
    local seen c changes=0 end
    seen=$(title_count main)
    end=$(($(now_ms) + 5000 * SLOW))
    while [ "$(now_ms)" -lt $end ]; do
        c=$(title_count main)
        if [ -n "$c" ] && [ "$c" != "$seen" ]; then
            changes=$((changes + 1))
            [ $changes -ge 2 ] && return 0
            seen=$c
        fi
        sleep 0.1
    done
    return 1
}

# Help over the pager and back: it still ticks.
if enabled pager-ticking-help; then
    keys_during_fault main
    ticking_again || fail "quotes stopped ticking after help was opened and closed"
    keys main G
fi

# While a fault holds the rows stay quotes'.
during_fault() {
    check_rows main quotes
}

# one_fault FAULT HOLD_SECONDS
one_fault() {
    local fault=$1 hold=$2
    enabled "pager-ticking-$fault" || return 0
    hold_fault main "$fault" "$hold" during_fault
    local t0
    t0=$(now_ms)
    if ! ticking_again; then
        fail "after $fault: quotes did not tick within $((5 * SLOW)) s"
        screen main | sed -n '1p;$p' >&2
        wait_for_no_text main "stale since" 30 # then measure how long it took
        ticking_again
    fi
    echo "   ticking again after $(($(now_ms) - t0)) ms"

    keys main G
    check_rows main quotes
}

each_fault one_fault

expect_quit main
chaos_finish
