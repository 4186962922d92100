#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_odd_types: the demo server's odd_types table (`add NAME odd_types`:
# Period and PeriodDuration as Arrow Intervals, a dictionary-encoded String
# whose dictionary comes in DictionaryBatch messages, a Map<String, Long>
# written as upstream's MapChunkWriter writes it) opens in the pager with
# every cell decoded: Java's Period, PeriodDuration and Map text, the
# dictionary's values, nulls as nulls, and no ‹type› placeholder.
. "$(dirname "$0")/lib.sh"

start_server
server_cmd add odd odd_types
start_dhtui main 170 20
expect_text main " objects" 15

open_table odd
expect_text main "PeriodDuration" 10
expect_text main "P1M3D PT1.5S" 5
s=$(screen main)
line() { printf '%s\n' "$s" | grep -F -- "$1" | head -n 1; }
printf '%s\n' "$(line 'one of each')" | grep -q "P1M .*P1M3D PT1.5S .*red" ||
    fail "row 'one of each' is not P1M, P1M3D PT1.5S, red: $(line 'one of each')"
printf '%s\n' "$(line 'one of each')" | grep -qF "{a=1, b=(null)}" ||
    fail "row 'one of each' does not show the map {a=1, b=(null)}: $(line 'one of each')"
printf '%s\n' "$(line 'zero')" | grep -qE "green +\{\}" ||
    fail "row 'zero' does not show the empty map {}: $(line 'zero')"
printf '%s\n' "$(line 'big')" | grep -qF "{max=9,223,372,036,854,775,807}" ||
    fail "row 'big' does not show {max=9,223,372,036,854,775,807}: $(line 'big')"
printf '%s\n' "$(line 'years')" | grep -q "P17M .*P17M PT1H2M3.000000001S .*cyan" ||
    fail "row 'years' is not P17M, ..., cyan: $(line 'years')"
printf '%s\n' "$(line 'negative')" | grep -q "P-1M .*P-1M-3D PT-1.5S .*blue" ||
    fail "row 'negative' is wrong: $(line 'negative')"
printf '%s\n' "$(line 'nulls')" | grep -q "nulls .*(null) .*(null) .*(null) .*(null)" ||
    fail "row 'nulls' does not show four nulls: $(line 'nulls')"
printf '%s\n' "$s" | grep -q "‹" && fail "a column shows a ‹type› placeholder"
printf '%s\n' "$s" | grep -q "Period " || fail "no Period type label in the header"
finish
