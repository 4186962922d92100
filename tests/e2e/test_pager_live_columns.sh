#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pager_live_columns: on a ticking table (quotes, 40 rows a second) hiding
# a column (-), showing it again (_) and going to the last row (End: the
# window then follows the table's end, a reverse viewport) keep the one
# Barrage subscription the pager opened: the demo server's `exchanges`
# control command counts the subscriptions and the requests that changed
# one. While following, the window stays on the newest rows without a
# request per update.
. "$(dirname "$0")/lib.sh"

start_server
start_dhtui main 120 30
expect_text main " objects" 15

# The server's counts: "exchanges=N subscriptions=M changes=K".
counts() {
    server_cmd exchanges
    sleep 0.3
    grep '^exchanges=' "$E2E_TMP/server.out" | tail -n 1
}
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }
header() { screen main | sed -n '2,3p'; }
sym_shown() { header | grep -q Sym; }
sym_hidden() { ! sym_shown; }
sym_values() { screen main | grep -qE '[A-Z]{2,5} +[0-9]'; }

open_table quotes
expect_text main "live, updated" 10
header | grep -q "Sym" || die "quotes shows no Sym column"
before=$(counts)
echo "opened: $before"

# ---- - hides Sym, _ shows it again: the same subscription ----
keys main l
keys main -
expect_text main "drop Sym" 5
wait_until 5 sym_hidden ||
    fail "Sym is still shown after -"
expect_text main "live, updated" 5
keys main _
expect_no_text main "drop Sym" 5
wait_until 5 sym_shown ||
    fail "Sym is not shown again after _"
# its values come back once the server sends the column again
wait_until 5 sym_values ||
    fail "no Sym values after _"

# ---- End: the window follows the end of the table ----
keys main End
expect_text main "following" 5
sleep 2
mid=$(counts)
sleep 3
after=$(counts)
echo "after hide, show and End: $mid; 3 s later: $after"
[ "$(field subscriptions "$after")" = "$(field subscriptions "$before")" ] ||
    fail "hiding, showing or following opened another subscription ($before -> $after)"
[ "$(field changes "$after")" -gt "$(field changes "$before")" ] ||
    fail "no change was sent on the open subscription ($before -> $after)"
[ "$(field changes "$after")" = "$(field changes "$mid")" ] ||
    fail "following the end sent requests as the table grew ($mid -> $after)"
# the last row on screen is the table's last row, and it keeps growing
last_row() { screen main | head -n 1 | sed -n 's/.*rows [0-9,]*-\([0-9,]*\) of \([0-9,]*\).*/\1 \2/p'; }
r1=$(last_row)
sleep 2
r2=$(last_row)
read -r a1 b1 <<<"$r1"
read -r a2 b2 <<<"$r2"
[ -n "$a1" ] && [ "$a1" = "$b1" ] && [ "$a2" = "$b2" ] ||
    fail "the screen does not end at the table's last row ($r1; $r2)"
[ "$r1" != "$r2" ] || fail "the followed window did not grow in 2 s ($r1)"

keys main Q
wait_exit main 10 || die "Q did not quit"
finish
