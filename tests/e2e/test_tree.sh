#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_tree: Enter on a rollup (the demo server's `add rollup rollup`: trades by
# Exchange, Sym) opens the tree view: the grand total expanded (▾) with one
# closed row (▸) per exchange below it, indented; Enter expands an exchange (its
# symbols appear one level deeper, leaves without a marker) and collapses it
# again; Left on a symbol goes to its exchange, Left there closes it; Right
# opens; Space toggles; the help lists the tree's keys.
. "$(dirname "$0")/lib.sh"

start_server --rows 5000
server_cmd add rollup rollup
start_dhtui main 100 30
expect_text main " objects" 15

keys main /
type_text main rollup
keys main Enter
sleep 0.2
keys main Enter
expect_text main "rollup (rollup)" 10
expect_text main "Total" 10
expect_text main " 6 rows shown" 10
screen main | grep -Eq "▾ Total +5,000" || fail "the total is not an open row with its count"
screen main | grep -Eq "^ +▸ BATS +981" || fail "the exchanges are not closed rows under the total"
screen main | grep -q "AAPL" && fail "symbols shown before any exchange was opened"

# Down to NYSE (row 3), Enter: its ten symbols follow it, indented one more level.
keys main Down Down
keys main Enter
expect_text main "16 rows shown, 1 change" 10
screen main | grep -Eq "▾ NYSE +975" || fail "NYSE is not shown open"
screen main | grep -Eq "^ +GOOG +66" || fail "NYSE's symbols are not listed under it"
ind_ex=$(screen main | grep -E "▾ NYSE" | sed 's/▾.*//' | wc -c)
ind_sym=$(screen main | grep -E " GOOG " | sed 's/GOOG.*//' | wc -c)
[ "$ind_sym" -gt "$ind_ex" ] || fail "symbols are not indented below their exchange ($ind_sym <= $ind_ex)"

# Down onto GOOG, Left: back to NYSE; Left again closes it.
keys main Down
keys main Left
keys main Left
expect_text main " 6 rows shown" 10
screen main | grep -q "GOOG" && fail "NYSE's symbols still shown after Left"
# Right opens it again, Space closes it.
keys main Right
expect_text main "16 rows shown" 10
keys main Space
expect_text main " 6 rows shown" 10
# Enter on the total collapses everything to one row.
keys main Home
keys main Enter
expect_text main " 1 row shown" 10
screen main | grep -Eq "▸ Total" || fail "the total is not shown closed"

keys main '?'
expect_text main "Tree view (rollups and trees)" 10
esc main
expect_text main "rollup (rollup)" 5
esc main
expect_text main "match" 5
keys main q
wait_exit main 10 || die "q did not quit"
finish
