#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pager_scroll_live: scrolling a ticking table (quotes) moves the viewport of its one
# Barrage subscription: after a dozen moves across the table the server has started no
# new subscription (its `exchanges` control command counts them) but applied the
# changes, and every row on screen is quotes' row at that position. Then the same
# under the slow link (each chunk held 300 ms both ways), where updates of the old
# window still arrive after a move: the rows on screen stay right while it holds.
. "$(dirname "$0")/lib.sh"

chaos_server
chaos_proxy
ref_rows quotes 1000
start_dhtui main 120 30
expect_list main
open_object main quotes
long_enough() { c=$(title_count main); [ -n "$c" ] && [ "$c" -ge 500 ]; }
wait_until $((20 * SLOW)) long_enough || die "quotes did not reach 500 rows"

# subs: SUBS and CHANGES get the server's counts so far.
subs() {
    server_ctl exchanges
    SUBS=$(echo "$REPLY" | sed -n 's/.*subscriptions=\([0-9]*\).*/\1/p')
    CHANGES=$(echo "$REPLY" | sed -n 's/.*changes=\([0-9]*\).*/\1/p')
    [ -n "$SUBS" ] || die "no exchanges reply: $REPLY"
}

has_rows() { [ -n "$(screen_rows main)" ]; }

# move KEY...: press the keys, wait for the screen to settle on rows, check them.
move() {
    keys main "$@"
    sleep 0.3
    wait_until $((5 * SLOW)) has_rows || fail "no rows after $*"
    check_rows main quotes
}

subs
subs0=$SUBS changes0=$CHANGES
move g
for k in NPage NPage NPage NPage NPage NPage G PPage PPage PPage PPage g; do
    move "$k"
    move -N 5 NPage
done
subs
echo "   $((CHANGES - changes0)) viewport changes, $((SUBS - subs0)) new subscriptions"
[ "$SUBS" = "$subs0" ] || fail "scrolling opened $((SUBS - subs0)) new subscriptions"
[ "$CHANGES" -gt "$changes0" ] || fail "scrolling changed no viewport on the server"

# The slow link: rows stay right while the changes and updates cross.
if enabled pager-scroll-slow; then
    fault_start slow
    for k in G PPage PPage g NPage NPage; do
        keys main "$k"
        for i in 1 2 3 4 5 6; do
            check_rows main quotes || break
            sleep 0.25
        done
    done
    fault_end slow
    move G
    move g
fi

expect_quit main
chaos_finish
