#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_help: ? opens help at the section of the screen it was asked from;
# long lines wrap (nothing cut at a narrow width); / searches the help and n
# finds the next match; "not found" is said plainly.
. "$(dirname "$0")/lib.sh"

start_server
start_dhtui main 70 30
expect_text main "10 objects" 15
open_table trades
expect_text main "of 1,000,000" 10
keys main "?"
expect_text main "Help" 5
# The pager's section heads the screen (title bar, then the body's first lines).
screen main | sed -n 2,3p | grep -q "Table pager" ||
    fail "? in the pager does not open at the pager's section: $(screen main | sed -n 2,3p)"
# At 70 columns the search key's long help wraps instead of being cut.
screen main | grep -q "numbers: equal)" || fail "a long help line is cut, not wrapped"
# Search.
keys main /
type_text main "release a"
keys main Enter
expect_text main "release a published ticket" 5
keys main /
type_text main "ticket"
keys main Enter
sleep 0.3
first=$(screen main | sed -n 2p)
keys main n
sleep 0.3
[ "$(screen main | sed -n 2p)" != "$first" ] || fail "n did not move to the next match"
keys main /
type_text main "zzqq"
keys main Enter
expect_text main "not found: zzqq" 5
esc main
expect_text main "of 1,000,000" 5
# From the object list, help opens at the object list's keys; the intro is above.
esc main
expect_text main "Objects" 5
keys main "?"
expect_text main "Help" 5
screen main | sed -n 2,3p | grep -q "Object list" ||
    fail "? on the object list does not open at its section: $(screen main | sed -n 2,3p)"
keys main g
expect_text main "dhtui browses a Deephaven server" 5
esc main
keys main q
wait_exit main 10 || fail "dhtui did not quit"
finish
