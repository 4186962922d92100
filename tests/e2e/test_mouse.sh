#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_mouse: the mouse as a terminal sends it (xterm X10 encoding, written
# into the pane as raw bytes): a double click opens an object, the wheel
# scrolls the pager, a click on the selected column's header sorts by it, a
# click on a key hint runs that key; --no-mouse leaves the mouse to the
# terminal (the pane never asks for mouse reports).
. "$(dirname "$0")/lib.sh"

# A mouse report for button code B at 0-based column X, line Y.
mouse_bytes() {
    printf '\033[M%b%b%b' "\\$(printf '%03o' $((32 + $1)))" \
        "\\$(printf '%03o' $((33 + $2)))" "\\$(printf '%03o' $((33 + $3)))"
}
click() { # session x y
    tm send-keys -t "$1" -l "$(mouse_bytes 0 "$2" "$3")$(mouse_bytes 3 "$2" "$3")"
}
double_click() {
    tm send-keys -t "$1" -l "$(mouse_bytes 0 "$2" "$3")$(mouse_bytes 3 "$2" "$3")$(mouse_bytes 0 "$2" "$3")$(mouse_bytes 3 "$2" "$3")"
}
wheel_down() {
    tm send-keys -t "$1" -l "$(mouse_bytes 65 "$2" "$3")"
}
# The 0-based screen line and column where text first appears.
line_of() { screen "$1" | grep -n -F -- "$2" | head -n 1 | cut -d: -f1 | awk '{print $1 - 1}'; }
col_of() { screen "$1" | sed -n "$(($2 + 1))p" | awk -v t="$3" '{print index($0, t) - 1}'; }

start_server
start_dhtui main 100 30
expect_text main "10 objects" 15
[ "$(tm display-message -p -t main '#{mouse_any_flag}')" = 1 ] ||
    fail "dhtui did not turn mouse reporting on"

# Double click on trades opens it.
y=$(line_of main " trades ")
double_click main 3 "$y"
expect_text main "trades (Table)" 10
expect_text main "of 1,000,000" 10

# The wheel scrolls three rows.
wheel_down main 10 10
expect_text main "rows 4-" 5

# Click on the Price header selects the column; a second click sorts by it.
hy=$(line_of main "Price")
hx=$(col_of main "$hy" "Price")
click main "$((hx + 1))" "$hy"
sleep 0.3
click main "$((hx + 1))" "$hy"
expect_text main "sort Price" 10

# A click on a key hint runs it: Esc Back leaves the pager.
by=$(line_of main " Back ")
bx=$(col_of main "$by" " Back ")
click main "$((bx + 2))" "$by"
expect_text main "Objects" 5
keys main q
wait_exit main 10 || fail "dhtui did not quit"

# --no-mouse: the terminal keeps the mouse.
start_dhtui plain 100 30 --no-mouse
expect_text plain "10 objects" 15
[ "$(tm display-message -p -t plain '#{mouse_any_flag}')" = 0 ] ||
    fail "--no-mouse: dhtui still asked for mouse reports"
keys plain q
wait_exit plain 10 || fail "dhtui did not quit"
finish
