#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_session_renewal: open pagers across a session renewal. The server
# forgets every session (export ids restart); the trades pager goes on reading
# trades (same columns, the row jumped to) instead of whatever the old export
# id names now or "loading" forever; a ticking pager resumes following by
# itself; with the server gone the ticking pager says "stale since", never
# "live, following". A rollup's tree reads the same expansions again through
# the table fetched anew in the new session; a live one (over quotes) comes back
# live by itself, its expansions kept, and goes on ticking.
. "$(dirname "$0")/lib.sh"

start_server
server_cmd add rollup rollup
server_cmd add qr rollup quotes
start_dhtui main 120 40
expect_text main " objects" 15
expect_text main "trades" 15

# The table size in the pager title ("rows A-B of N").
size_of() {
    screen main | head -n 1 | sed -n 's/.* of \([0-9,]*\) .*/\1/p' | tr -d ,
}

# ---- wide first, so trades gets a later export id; then trades stays open ----
open_table wide
expect_text main "rows 1-" 10
back_to_list
open_table trades
expect_text main "rows 1-35 of 1,000,000" 10
screen main | grep -q "Timestamp .*Sym .*Price .*Size .*Exchange .*Flag .*Id" ||
    fail "the trades headers are missing"

ended=$(log_lines main "event session ended")
server_cmd expire-all
# the client notices, gets a new session (export ids start again)
wait_renewed main "$ended" || fail "no new session after expire-all"
keys main :
type_text main "500000"
keys main Enter
expect_text main "rows 500,000-500,034 of 1,000,000" 10
wait_for_text main "500000 2024-" 15 || fail "row 500,000 of trades never arrived after the renewal"
screen main | grep -q "Timestamp .*Sym .*Price .*Size .*Exchange .*Flag .*Id" ||
    fail "after the renewal the pager shows other headers than trades'"
screen main | grep -Eq '^ +500000 .* 499,?999$' ||
    fail "row 500,000 is not trades' row (Id 499999): $(screen main | sed -n 4p)"
expect_no_text main "Could not read" 2
back_to_list

# ---- a rollup: fetched again in the new session, its expansions kept ----
keys main /
type_text main rollup
keys main Enter
sleep 0.2
keys main Enter
expect_text main "rollup (rollup)" 10
expect_text main " 6 rows shown" 10
keys main Down Down
keys main Enter
expect_text main "16 rows shown, 1 change" 10
ended=$(log_lines main "event session ended")
server_cmd expire-all
wait_renewed main "$ended" || fail "no new session after expire-all"
keys main Enter # close NYSE: a new view of the table, in the new session
wait_for_text main " 6 rows shown" 10 ||
    fail "the tree was not read again after the renewal: $(screen main | sed -n '2p;$p')"
keys main Enter
wait_for_text main "16 rows shown" 10 || fail "NYSE did not open again after the renewal"
screen main | grep -Eq "▾ NYSE" || fail "NYSE is not shown open after the renewal"
back_to_list

# ---- a live rollup: it comes back by itself, AAPL still open, still ticking ----
keys main /
type_text main qr
keys main Enter
sleep 0.2
keys main Enter
expect_text main "qr (rollup)" 10
expect_text main "11 rows shown, 0 changes, live" 10
keys main Down
keys main Enter
expect_text main "1 change, live" 10
expect_text main "▾ AAPL" 10
qr_total() { screen main | sed -n 's/.*▾ Total *\([0-9,]*\).*/\1/p' | tr -d ,; }
qr_grown() { local t; t=$(qr_total); [ -n "$t" ] && [ "$t" -gt "$1" ]; }
ended=$(log_lines main "event session ended")
server_cmd expire-all
wait_renewed main "$ended" || fail "no new session after expire-all"
before=$(qr_total)
wait_until 15 qr_grown "$before" ||
    fail "the live rollup did not tick again after the renewal: $(screen main | sed -n '1p;$p')"
screen main | grep -q "▾ AAPL" || fail "AAPL is not open after the renewal"
expect_text main "1 change, live" 10
back_to_list

# ---- a partitioned table: its keys and its merge asked for again ----
server_cmd add trades_by_sym PartitionedTable trades
expect_text main "13 objects" 10
keys main /
type_text main trades_by_sym
keys main Enter
sleep 0.2
keys main Enter
expect_text main "trades_by_sym: keys (PartitionedTable)" 10
expect_text main "of 10 " 10
keys main M
expect_text main "trades_by_sym: merged (Table)" 10
expect_text main "of 1,000,000" 10
ended=$(log_lines main "event session ended")
fetched=$(log_lines main "event fetched req=[0-9]+ ok=1")
server_cmd expire-all
wait_renewed main "$ended" || fail "no new session after expire-all"
keys main :
type_text main "500000"
keys main Enter
wait_for_text main "500000 2024-" 15 ||
    fail "the merged table was not read again after the renewal: $(screen main | sed -n '1p;$p')"
esc main
expect_text main "trades_by_sym: keys (PartitionedTable)" 5
# the key table is fetched again (its window on screen is read again)
wait_until 10 eval '[ "$(log_lines main "event fetched req=[0-9]+ ok=1")" -gt "$((fetched + 1))" ]' ||
    fail "the key table was not fetched again after the renewal"
# the key row's values on screen: the constituent's pager keeps them to ask
# for it again in a later session
key_row_shown() { screen main | awk '$1 == "1" && $2 ~ /^[A-Z]/ { found = 1 } END { exit !found }'; }
wait_until 10 key_row_shown || fail "the key table's rows were not read again after the renewal"
keys main Enter
# (named "Sym = …", or "key row 1" while the keys' rows are read again)
wait_for_text main " (Table)" 10 && wait_for_text main "rows 1-" 10 ||
    fail "Enter on a key opened nothing after the renewal: $(screen main | sed -n '1p;$p')"
screen main | head -n 1 | grep -q "merged" && fail "Enter on a key opened the merge"
expect_no_text main "open the object again" 1
# ---- the constituent's pager: asked for again by its key's values ----
wait_for_text main "   1 2024-" 10 || fail "the constituent shows no first row"
sym=$(screen main | awk '$1 == "1" { print $3; exit }')
[ -n "$sym" ] || fail "no Sym on the constituent's first row"
ended=$(log_lines main "event session ended")
server_cmd expire-all
wait_renewed main "$ended" || fail "no new session after expire-all"
keys main :
type_text main "3000"
keys main Enter
wait_for_text main "3000 2024-" 15 ||
    fail "the constituent was not read again after the renewal: $(screen main | sed -n '1p;$p')"
screen main | awk -v s="$sym" '$1 == "3000" && $3 == s { found = 1 } END { exit !found }' ||
    fail "row 3000 after the renewal is not one of $sym's: $(screen main | grep -E '^ *3000 ')"
expect_no_text main "can no longer be read" 1
esc main
back_to_list

# ---- quotes: following resumes after a renewal ----
open_table quotes
keys main G
expect_text main "live, following" 5
ended=$(log_lines main "event session ended")
server_cmd expire-all
wait_renewed main "$ended" || fail "no new session after expire-all"
# rows read in the new session (the window is watched again)
rows_ok=$(log_lines main "event rows req=[0-9]+ ok=1")
wait_until 10 eval '[ "$(log_lines main "event rows req=[0-9]+ ok=1")" -gt "$rows_ok" ]'
first=$(size_of)
grown() { local s; s=$(size_of); [ -n "$s" ] && [ -n "$first" ] && [ "$s" -gt "$first" ]; }
wait_until 10 grown
second=$(size_of)
[ -n "$first" ] && [ -n "$second" ] && [ "$second" -gt "$first" ] ||
    fail "quotes stopped growing after the renewal ($first, then $second)"
expect_text main "live, following" 5

# ---- the server goes away: the live view says since when it is stale ----
server_cmd quit
wait "$E2E_SERVER_PID" 2>/dev/null
E2E_SERVER_PID= # gone: cleanup must not write to its control fifo
exec 7>&-
expect_text main "stale since " 15
expect_no_text main "live, following" 5
screen main | head -n 1 | grep -Eq "stale since [0-9]{2}:[0-9]{2}:[0-9]{2}" ||
    fail "the title does not say since when: $(screen main | head -n 1)"
keys main q
finish
