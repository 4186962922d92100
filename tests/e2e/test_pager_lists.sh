#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pager_lists: a table with a 400,000-element list (1.6 MB in one row) pages like
# any other: the pager's windows ask the server for lists cut to 1,001 elements
# (previewListLengthLimit), a cut list says so in its cell ("1,000+ [0, 1, ..."), and
# Enter on it reads that one row whole and shows every element in the pop-up; a list
# that was not cut shows as it is.
. "$(dirname "$0")/lib.sh"

start_server
server_cmd add biglists biglists
start_dhtui main 140 30
expect_text main " objects" 15
open_table biglists
expect_text main "of 5" 10
wait_for_text main "1,000+ [0, 1, 2" 10 || fail "a cut list does not say so: $(screen main | sed -n 4,9p)"
row() { screen main | awk -v r="$1" '$1 == r { print; exit }'; }
row 1 | grep -q "\[0, 1, 2\]" || fail "row 1's whole list is not shown as it is: $(row 1)"
row 2 | grep -q "1,500 .*1,000+ \[0, 1" || fail "row 2 (1,500 items) is not marked cut: $(row 2)"
row 3 | grep -q "400,000 .*1,000+ \[0, 1" || fail "row 3 (400,000 items) is not marked cut: $(row 3)"
row 5 | grep -q "\[0, 1\]" || fail "row 5's list is wrong: $(row 5)"

# Enter on row 2's list: read whole, every element in the pop-up.
keys main g j
keys main '$'
sleep 0.2
keys main Enter
expect_text main "biglists: Items, row 2 (1500 items)" 10
keys main G
expect_text main "1499]" 5
esc main
expect_no_text main "(1500 items)" 5

# The 400,000-element list reads whole too (1.6 MB: under the 128 MiB limit).
keys main j
sleep 0.2
keys main Enter
expect_text main "biglists: Items, row 3 (400000 items)" 20
keys main G
expect_text main "399999]" 10
esc main

keys main q
keys main Q
wait_exit main 10 || die "Q did not quit"
finish
