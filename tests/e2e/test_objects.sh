#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_objects: the object list, the first screen. It shows the demo
# catalogue and the connection state, follows the server's object list live
# (no key press), keeps the selection by name across updates, filters with /,
# shows help, survives resizes down to 1x1 (with a "too small" notice) and
# quits with q.
. "$(dirname "$0")/lib.sh"

start_server
start_dhtui main 120 40

# The ten catalogue objects and a connected status line.
expect_text main "connected" 15
for name in trades quotes empty wide nulls hostile price_plot; do
    expect_text main " $name " 5
done
expect_text main "10 objects"
screen main | grep -q "Figure" || fail "price_plot's type Figure is not shown"
screen main | grep -q "1,000,000 synthetic trades" || fail "descriptions are not shown"
screen main | grep -qF "Enter Open" || fail "the key-hint line is missing"

# Live updates without a key press.
server_cmd "add aaa_live"
expect_text main "aaa_live" 10
expect_text main "11 objects"
screen main | grep "aaa_live" | grep -q "query scope variable" ||
    fail "a script variable shows its description"
server_cmd "remove aaa_live"
expect_no_text main "aaa_live" 10
expect_text main "10 objects"

# The selection follows the object, not the row: select trades, add an object
# sorted before it, then open the selection.
keys main G Up
sleep 0.3
server_cmd "add aab_before"
expect_text main "aab_before" 10
keys main Enter
expect_text main "trades (Table)" 10
esc main
expect_text main "Objects"
server_cmd "remove aab_before"
expect_no_text main "aab_before" 10

# Incremental filter; Esc clears it.
keys main /
type_text main "uo"
expect_text main "1 of 10 match" 5
screen main | grep -q " quotes " || fail "the filter hides quotes"
screen main | grep -q " trades " && fail "the filter still shows trades"
keys main Enter
sleep 0.2
esc main
expect_text main "10 objects" 5
keys main /
type_text main "zzz"
expect_text main "No object name contains" 5
esc main
expect_text main " trades " 5

# A second / starts a fresh pattern (less, vim, k9s, VisiData): no "uoqu".
keys main /
type_text main "uo"
keys main Enter
expect_text main "1 of 10 match \"uo\"" 5
keys main /
expect_text main "10 objects" 5
type_text main "tra"
expect_text main "match \"tra\"" 5
screen main | grep -q "uotra" && fail "a second / appended to the old filter"
keys main Enter
esc main
expect_text main "10 objects" 5

# Messages: an info message fades by itself; an error stays until a key
# after it has been read, and m keeps both.
keys main f
type_text main "not a ticket"
keys main Enter
expect_text main "Expected a ticket" 5
esc main
sleep 2.2
expect_text main "Expected a ticket" 1
keys main j
expect_no_text main "Expected a ticket" 5
keys main m
expect_text main "Expected a ticket" 5
esc main

# An empty table says so (not "still loading") on Enter, and on a row number.
open_table empty
expect_text main "(no rows)" 10
keys main Enter
expect_text main "The table is empty" 5
keys main :
type_text main 5
keys main Enter
expect_text main "there is no row 5" 5
esc main
expect_text main "Objects" 5
esc main
expect_text main "10 objects" 5

# Help is generated from the keymaps.
keys main "?"
expect_text main "Table pager" 5
screen main | grep -q "filter by name" || fail "help lacks the object list keys"
esc main
expect_text main "10 objects" 5

# Resize: smaller, too small, 1x1, and back; the layout follows each time.
tm resize-window -t main -x 60 -y 15
expect_text main "Enter Open" 5
[ "$(screen main | wc -l)" -eq 15 ] || fail "the screen is not 15 lines after resizing"
screen main | grep -q " trades " || fail "trades is not shown at 60x15"
tm resize-window -t main -x 30 -y 8
expect_text main "terminal too small" 5
expect_text main "(need 40x10)" 5
tm resize-window -t main -x 1 -y 1
sleep 0.5
dhtui_exited main && die "dhtui exited at 1x1"
tm resize-window -t main -x 100 -y 30
expect_text main "10 objects" 5
expect_no_text main "terminal too small" 5
screen main | grep -q "wide " || fail "the object list did not come back after 1x1"

# q quits (nothing published, so no question), leaving no error behind.
keys main q
wait_exit main 10 || die "q did not quit"
screen main | grep -q "dhtui:" && fail "dhtui printed an error on exit"
grep -q "dhtui exiting" "$E2E_TMP/main.log" || fail "the log file has no exit line"
finish
