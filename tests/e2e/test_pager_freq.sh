#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pager_freq: - hides the current column (DropColumns in the view's
# chain) and _ shows it again; F opens the frequency view of a column
# (Aggregate count by it, sorted by the count; counts and order checked
# against dhtui rows), Enter there filters the view below to that value.
. "$(dirname "$0")/lib.sh"

start_server --rows 100000
start_dhtui main 150 40
expect_text main "10 objects" 15

cli_csv() {
    "$DHTUI" rows trades --port "$E2E_PORT" --format csv "$@" | tail -n +2
}
thousands() {
    echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'
}

open_table trades
expect_text main "rows 1-35 of 100,000" 10
keys main l
keys main l
keys main ']'
expect_text main "trades | sort -Price" 10

# ---- - hides the current column (DropColumns), _ shows it again ----
keys main 0
keys main l
keys main l
keys main l
keys main '-'
expect_text main "trades | sort -Price | drop Size" 10
expect_text main "6 cols" 5
screen main | sed -n 2p | grep -q " Size " && fail "Size is still in the header after -"
screen main | sed -n 2p | grep -q "Exchange" || fail "the column after Size went away too"
keys main '_'
expect_text main "trades | sort -Price " 10
expect_text main "7 cols" 5
screen main | sed -n 2p | grep -q " Size " || fail "Size did not come back with _"
keys main '_'
expect_text main "No column is hidden" 5

# ---- F on Sym: the frequency view; Enter filters the view below ----
keys main h
keys main h
keys main F
expect_text main "trades | count by Sym | sort -Count" 10
expect_text main "rows 1-10 of 10" 10
read -r top_n top_sym <<<"$(cli_csv --columns Sym | tr -d '\r' | sort | uniq -c | sort -k1,1nr | head -n 1)"
screen main | sed -n 4p | grep -Eq "^ +1 +$top_sym +$(thousands "$top_n")$" ||
    fail "the first count is not $top_sym $top_n: $(screen main | sed -n 4p)"
# Counts descend.
counts=$(screen main | sed -n '4,13p' | awk '{print $3}' | tr -d ',')
[ "$counts" = "$(echo "$counts" | sort -nr)" ] || fail "the counts are not in descending order"
keys main j
second=$(screen main | sed -n 5p | awk '{print $2}')
keys main Enter
expect_text main "trades | Sym = $second | sort -Price" 10
n=$(cli_csv --columns Sym | tr -d '\r' | grep -cx "$second")
expect_text main "of $(thousands "$n")" 10
screen main | sed -n '4,38p' | awk '{print $3}' | grep -qv "^$second$" &&
    fail "a row of another symbol than $second after Enter in the frequency view"
keys main u
expect_text main "trades | sort -Price " 10

# Help lists the new keys.
keys main '?'
expect_text main "search this column on the server" 5
expect_text main "frequency: rows per value" 5
esc main
finish
