#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pager: the table pager. Rows are paged from the server a window at a
# time (PgDn, : to jump near the end of a 1,000,000-row table), columns scroll
# horizontally, a long cell opens whole in a pop-up, the schema is listed, a
# cell is copied with OSC 52, and the hostile table's escape sequences are
# shown as text, never executed by the terminal.
. "$(dirname "$0")/lib.sh"

start_server
start_dhtui main 120 40
expect_text main "10 objects" 15

# The n-th line of the screen (1-based).
line() {
    screen main | sed -n "${1}p"
}

# ---- trades: 1,000,000 rows, paged ----
open_table trades
expect_text main "rows 1-35 of 1,000,000" 10
expect_text main "static"
screen main | grep -q "Timestamp .*Sym .*Price .*Size .*Exchange .*Flag .*Id" ||
    fail "the column headers are missing"
screen main | grep -q "Instant .*String .*double .*int .*String .*Boolean .*long" ||
    fail "the type labels are missing"
expect_text main "page " 5

for _ in 1 2 3; do
    keys main NPage
    sleep 0.2
done
expect_text main "rows 106-140 of 1,000,000" 10
# Row 106 (Id 105, numbers right-aligned) is the first on screen once loaded.
wait_for_text main "    106 2024-" 10 || fail "row 106 is not the first row after three PgDn"
line 4 | grep -Eq '^ +106 .* 105$' || fail "row 106 does not end with its Id 105: $(line 4)"

keys main :
expect_text main "go to row:" 5
type_text main "999990"
keys main Enter
expect_text main "rows 999,966-1,000,000 of 1,000,000" 10
wait_for_text main "999990 2024-" 10 || fail "row 999990 is not shown after :999990"
screen main | grep -Eq '^ ?999990 .* 999,989$' || fail "row 999990 does not show Id 999,989"
screen main | grep -Eq '^1000000 ' || fail "the last row 1000000 is not shown"

# Copy the selected cell (last column, row 999990) with OSC 52 to tmux's buffer.
keys main '$'
sleep 0.2
keys main c
expect_text main "Copied the cell" 5
[ "$(tm show-buffer 2>/dev/null)" = "999989" ] ||
    fail "the clipboard holds '$(tm show-buffer 2>/dev/null)', not the cell 999989"

# The schema list.
keys main s
expect_text main "trades: schema" 5
screen main | grep -q "DEEPHAVEN:TYPE" || fail "the schema has no deephaven:type column"
screen main | grep -q "java.time.Instant" || fail "the schema lacks Timestamp's java.time.Instant"
esc main
expect_text main "trades (Table)" 5
back_to_list

# ---- wide: 60 columns, horizontal scrolling ----
open_table wide
expect_text main "60 cols" 10
# The header line can come before the first rows (slow sanitizer builds).
wait_for_text main "Col00" 10 || fail "wide does not start at Col00"
screen main | grep -q "Col59" && fail "Col59 should be off screen at first"
keys main -N 59 Right
expect_text main "Col59" 10
screen main | grep -q "Col00" && fail "Col00 should have scrolled off"
keys main 0
expect_text main "Col00" 5
back_to_list

# ---- quotes: ticking, refreshed without a key press; G follows the end ----
open_table quotes
expect_text main "live, updated" 10
keys main G
expect_text main "live, following" 5
size_of() {
    screen main | head -n 1 | sed -n 's/.* of \([0-9,]*\) .*/\1/p' | tr -d ,
}
first=$(size_of)
grown() { local s; s=$(size_of); [ -n "$s" ] && [ -n "$first" ] && [ "$s" -gt "$first" ]; }
wait_until 10 grown
second=$(size_of)
[ -n "$first" ] && [ -n "$second" ] && [ "$second" -gt "$first" ] ||
    fail "quotes did not grow on screen without a key press ($first, then $second)"
# The title's size can be one tick ahead of the rows while the window moves to the
# new end, so look for a screen where the last row is the size the title names (a row
# that came while following is marked new: "250+").
last_row_shown() {
    local shot n
    shot=$(screen main)
    n=$(printf '%s\n' "$shot" | head -n 1 | sed -n 's/.* of \([0-9,]*\) .*/\1/p' | tr -d ,)
    [ -n "$n" ] && printf '%s\n' "$shot" | grep -Eq "^ *$n[ +]"
}
wait_until 5 last_row_shown || fail "following: the last row of the table is not on screen"
back_to_list

# ---- hostile: escapes shown as text, never executed ----
open_table hostile
expect_text main "rows 1-21 of 21" 10
expect_text main 'before\e[2J\e[Hafter' 5
screen main | grep -qF '\e]52;c;ZWNobyBwd25lZA==\a' ||
    fail "the OSC 52 payload is not shown as text"
screen main | grep -qF '\e]0;pwned title' || fail "the title escape is not shown as text"
if tm capture-pane -p -t main | LC_ALL=C grep -q "$(printf '\033')"; then
    fail "a raw ESC reached the screen"
fi
if tm capture-pane -p -t main | LC_ALL=C grep -q "$(printf '\007')"; then
    fail "a raw BEL reached the screen"
fi
[ "$(tm display-message -p -t main '#{pane_title}')" != "pwned title" ] ||
    fail "a cell changed the terminal title"
tm show-buffer 2>/dev/null | grep -q pwned && fail "a cell wrote the clipboard"
screen main | grep -q "Case" || fail "a cell cleared the screen"

# The 10,000-character cell opens whole, wrapped and scrollable.
keys main :
type_text main "11"
keys main Enter
sleep 0.2
keys main l l Enter
expect_text main "hostile: Payload, row 11" 5
expect_text main "lines 1-" 5
screen main | grep -q "of 100 " || fail "10,000 characters should wrap to 100 lines of 100"
screen main | grep -q "000000000|111111111|222222222" || fail "the long cell text is not shown"
keys main NPage
expect_text main "lines 3" 5
esc main
expect_no_text main "hostile: Payload" 5
expect_text main "hostile (Table)" 5

# Back to the list; q quits.
keys main q
expect_text main "match" 5
keys main q
wait_exit main 10 || die "q did not quit"
finish
