#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_renewal_views: views catch up with a session renewal by themselves, with no
# key pressed. The server is killed and a fresh one with fewer trades rows starts on
# the same port: the static trades pager, its window fully covered, reads it again
# from the new session (its title gives the new row count; the rows are trades').
# Then the server forgets every session: a figure opened from the object list is
# fetched again, so Enter on its series opens the series' table (the old table
# tickets were exports of the ended session) and the plot is drawn again.
. "$(dirname "$0")/lib.sh"

chaos_server --rows 5000 --session-duration-ms 60000
ref_rows trades 100
start_dhtui main 120 30
expect_list main
open_object main trades
expect_text main "of 5,000" $((10 * SLOW))
check_rows main trades

# log_count TEXT: how many lines of dhtui's log hold TEXT.
log_count() {
    grep -c -- "$1" "$E2E_TMP/main.log" 2>/dev/null || true
}

# ---- a covered static window after a restart ----
fault_start kill
SERVER_ARGS=(--rows 3000 --session-duration-ms 60000)
sleep 1
fault_end kill
t0=$(now_ms)
if wait_for_text main "of 3,000" $((10 * SLOW)); then
    echo "   trades re-read from the new session after $(($(now_ms) - t0)) ms"
else
    fail "after a restart the static trades pager was not read again without a key: $(screen main | head -n 1)"
fi
check_rows main trades

# ---- a figure after the server forgot every session ----
back_to_list main
keys main /
type_text main price_plot
keys main Enter
sleep 0.2
keys main Enter
expect_text main "price_plot (Figure)" $((10 * SLOW))
wait_for_text main "└──" $((10 * SLOW)) || fail "the figure plots nothing"
ended=$(log_count "event session ended")
fetched=$(log_count "event fetched")
fault_start expire
end=$(($(now_ms) + 15000 * SLOW))
while [ "$(log_count "event session ended")" -le "$ended" ] && [ "$(now_ms)" -lt $end ]; do
    sleep 0.1
done
[ "$(log_count "event session ended")" -gt "$ended" ] || die "the client did not see the session end"
t0=$(now_ms)
# The figure is fetched again in the new session (a fetch no key asked for).
while [ "$(log_count "event fetched")" -le "$fetched" ] && [ "$(now_ms)" -lt $end ]; do
    sleep 0.1
done
if [ "$(log_count "event fetched")" -gt "$fetched" ]; then
    echo "   figure fetched again $(($(now_ms) - t0)) ms after the session ended"
else
    fail "the figure was not fetched again after the session ended"
fi
wait_for_text main "└──" $((10 * SLOW)) || fail "the figure plots nothing after the renewal"
expect_no_text main "earlier session" 1
keys main Enter
expect_text main "price_plot: table 1 (Table)" $((10 * SLOW))
wait_for_text main "of 500" $((10 * SLOW)) ||
    fail "the figure's table did not open after the renewal: $(screen main | sed -n '1p;$p')"
expect_no_text main "earlier session" 1
esc main
expect_text main "price_plot (Figure)" 5

expect_quit main
chaos_finish
