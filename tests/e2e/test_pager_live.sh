#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pager_live: a ticking table looks live, on the demo server's churn
# table (rows leave, come back between others and change on every quotes
# tick). Changed cells are drawn highlighted (capture-pane -e shows the
# flash's colour on a changed value) and the highlight goes within a second
# once updates stop; P pauses the view (the values stay, the title says
# paused) and P again resumes it; the cursor stays on its row while rows come
# and go above it; the title says "live, updated ... ago", not a page time.
. "$(dirname "$0")/lib.sh"

start_server
server_cmd add churn churn
start_dhtui main 100 30
expect_text main " objects" 15

# The flash of a changed cell (dark theme, 256 colours): black on colour 178.
FLASH='48;5;178m'
# The cursor row's background (dark theme).
CURSOR='48;5;239m'
flashing() { tm capture-pane -e -p -t main | grep -q -- "$FLASH"; }
values() { screen main | sed -n '4,26p' | awk '{print $2, $3}' | tr '\n' ' '; }
cursor_id() {
    tm capture-pane -e -p -t main | grep -- "$CURSOR" | head -n 1 |
        sed 's/\x1b\[[0-9;]*m//g' | awk '{print $2}'
}
line_of_id() { screen main | awk -v id="$1" 'NR > 3 && $2 == id { print NR; exit }'; }

open_table churn
expect_text main "live, updated" 10
screen main | head -n 1 | grep -q "page [0-9]* ms" && fail "a live table's title shows a page time"

# ---- changed cells flash (a value, not an Id), then the flash goes ----
wait_until 10 flashing || fail "no changed cell was highlighted in 10 s of updates"
tm capture-pane -e -p -t main | grep -- "$FLASH" | sed 's/\x1b\[[0-9;]*m/|/g' |
    grep -qE "\| *[0-9,]{5,} *\|" || fail "the highlighted text is not a changed Value"

# ---- P pauses: the values stay, the flash fades, the title says so ----
keys main P
expect_text main "live, paused" 5
sleep 0.3
before=$(values)
sleep 2
after=$(values)
[ "$before" = "$after" ] || fail "the rows changed while paused"
flashing && fail "a highlight was still shown 2 s after the last update shown"
screen main | head -n 1 | grep -qE "updates? waiting" || fail "the title does not say updates wait"
keys main P
expect_text main "Resumed" 5
expect_text main "live, updated" 5
changed() { [ "$(values)" != "$after" ]; }
wait_until 5 changed || fail "the rows did not change after resuming"

# ---- the cursor stays on its row while rows come and go above it ----
keys main g
keys main -N 10 j
sleep 0.3
id=$(cursor_id)
[ -n "$id" ] || die "no cursor row found"
# Sample for 6 s: while its row is on screen the cursor is on it; when the
# row leaves the table, the cursor's new row is followed from then on.
last=$(line_of_id "$id")
moves=0
end=$(($(date +%s%N) / 1000000 + 6000))
while [ $(($(date +%s%N) / 1000000)) -lt $end ]; do
    l=$(line_of_id "$id")
    c=$(cursor_id)
    if [ -z "$l" ]; then
        id=$c
        last=$(line_of_id "$id")
        continue
    fi
    if [ "$c" != "$id" ] && [ -n "$(line_of_id "$id")" ]; then
        fail "the cursor left the row of Id $id for Id $c"
        break
    fi
    [ "$l" != "$last" ] && moves=$((moves + 1))
    last=$l
    sleep 0.05
done
# Rows above it came and went: the row moved, and the cursor with it.
[ "$moves" -ge 1 ] || { fail "the cursor's row never moved in 6 s"; screen main >&2; }
echo "the cursor's row moved $moves times in 6 s"

keys main Q
wait_exit main 10 || die "Q did not quit"
finish
