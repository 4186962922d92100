#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_numbers: the pager shows numbers exactly and never misleads. awkward's
# doubles and floats show their shortest round-trip digits, -0 keeps its sign,
# a number (or time) that does not fit its column shows as "###" and is never
# cut from the right ("1,000,0…" would read as another number), and `c`
# copies the exact value.
. "$(dirname "$0")/lib.sh"

start_server
# 80 columns: the Long column only partly fits at first.
start_dhtui main 80 30
expect_text main "10 objects" 15
open_table awkward
expect_text main "0.30000000000000004" 10

screen main | grep -q "1.7976931348623157E308" || fail "DBL_MAX is not shown exactly"
screen main | grep -q "5E-324" || fail "the smallest subnormal is not shown as 5E-324"
screen main | grep -Eq 'negative zero +-0 +-0 ' || fail "-0 lost its sign: $(screen main | grep 'negative zero')"
screen main | grep -q "3.4028235E38" || fail "FLT_MAX is not shown with its shortest digits"

# No number on screen is cut: no cell made of number or time characters that
# ends in '…' stands under a type label other than String (the awkward String
# column holds digit strings, which may be cut like any text), at any
# horizontal position; the partly visible number column shows ### instead.
cut_cells() {
    screen main | python3 -c '
import re, sys, unicodedata
def cols(s):  # terminal columns of s
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
lines = sys.stdin.read().split("\n")
labels = next(i for i, l in enumerate(lines) if "double" in l and "float" in l)
label = lines[labels]
for n, line in enumerate(lines[labels + 1:], labels + 2):
    for m in re.finditer(r"(?:^| )([-0-9.,E+:TZ]+\u2026)", line):
        start = cols(line[:m.start(1)])
        under = label[start:start + cols(m.group(1))]
        if "String" not in under:
            print("line %d: %r under %r" % (n, m.group(1), under))
'
}
no_cut_number() {
    local cut
    cut=$(cut_cells)
    [ -z "$cut" ] || fail "a number or time is cut from the right ($1): $cut"
}
no_cut_number "first screen"
screen main | grep -q '###' || fail "the partly visible Long column shows neither its numbers nor ###"
for step in 1 2 3 4 5 6 7 8 9; do
    keys main Right
    sleep 0.15
    no_cut_number "after $step x Right"
done

# The exact value goes to the clipboard: row 5 ("one third"), column Double.
keys main 0
sleep 0.1
keys main -N 4 Down
keys main Right
sleep 0.2
keys main c
expect_text main "Copied the cell" 5
[ "$(tm show-buffer 2>/dev/null)" = "0.3333333333333333" ] ||
    fail "the clipboard holds '$(tm show-buffer 2>/dev/null)', not 0.3333333333333333"
finish
