#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pager_ask: the pager's questions to the server that read no table.
# p publishes the sorted view itself (the dialog names its derivation) and a
# second dhtui that fetches the ticket sees the same rows in the same order;
# / searches the current column (SeekRow: smart case, from the cursor, n and N
# again), "not found" is said plainly; i shows the column's statistics
# (hidden columns and the frequency view: test_pager_freq). Every expected value comes from `dhtui rows` (itself
# checked against local sorts in integration/test_tableops). Bad input is one
# line, the view stays and the prompt keeps the text.
. "$(dirname "$0")/lib.sh"

start_server --rows 100000
start_dhtui main 150 40
start_dhtui sub 150 40
expect_text main "10 objects" 15
expect_text sub "10 objects" 15

# Column $1 (awk field) of the data rows on screen of session $2.
screen_col() {
    screen "${2:-main}" | sed -n '4,38p' | awk -v c="$1" '{print $c}' | tr -d ','
}
# CSV rows of trades through the CLI (extra arguments: --sort, --where, ...).
cli_csv() {
    "$DHTUI" rows trades --port "$E2E_PORT" --format csv "$@" | tail -n +2
}
thousands() {
    echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'
}

open_table trades
expect_text main "rows 1-35 of 100,000" 10

# ---- p: publish the sorted view; sub fetches it and sees the same order ----
keys main l
keys main l
keys main ']'
expect_text main "trades | sort -Price" 10
expect_text main "Price v1" 5
keys main p
expect_text main "Published trades | sort -Price (Table)" 10
TICKET=$(screen main | grep -o 'shared/0x[0-9a-f]*' | head -n 1)
[ ${#TICKET} -eq 41 ] || die "no full shared ticket on the publish screen (got '$TICKET')"
keys main Enter
expect_no_text main "sort -Price (Table)" 5
keys main t
expect_text main "trades | sort -Price" 5
screen main | grep -q "${TICKET:0:13}" || fail "the tickets panel does not show ${TICKET:0:13}"
esc main
keys sub f
type_text sub "$TICKET"
keys sub Enter
expect_text sub "(Table)" 10
expect_text sub "of 100,000" 10
want=$(cli_csv --sort -Price --limit 35 | awk -F, '{print $NF}' | tr '\n' ' ')
for _ in $(seq 1 50); do
    got=$(screen_col 8 sub | tr '\n' ' ')
    [ "$got" = "$want" ] && break
    sleep 0.1
done
[ "$got" = "$want" ] || fail "the fetched view's Ids are '$got', the sorted table's '$want'"

# ---- / on Sym: the server finds the next row containing the text ----
# Cursor row 1 of the sorted view; "msft" is lower-case, so any case matches.
keys main h
syms=$(cli_csv --sort -Price --columns Sym | tr -d '\r')
# 1-based row numbers of the matches after row 1, in order.
matches=$(echo "$syms" | awk 'NR > 1 && tolower($0) ~ /msft/ {print NR}')
first=$(echo "$matches" | sed -n 1p)
second=$(echo "$matches" | sed -n 2p)
[ -n "$first" ] && [ -n "$second" ] || die "no MSFT rows in the sorted trades"
keys main /
expect_text main "search Sym:" 5
type_text main "msft"
keys main Enter
expect_text main "msft at row $(thousands "$first")" 10
expect_text main "rows $(thousands "$first")-" 5
screen main | sed -n 4p | grep -q "MSFT" || fail "the row at the top after / is not MSFT"
# n: the next match; N: back to the first.
keys main n
expect_text main "msft at row $(thousands "$second")" 10
keys main N
expect_text main "msft at row $(thousands "$first") " 10
# Smart case: a capital makes the case count.
keys main /
type_text main "Msft"
keys main Enter
expect_text main "not found: Msft" 10
screen main | grep -q "rows $(thousands "$first")-" || fail "a failed search moved the view"
# A number column is searched for an equal number; text there is one line
# and the prompt keeps it.
keys main l
keys main /
expect_text main "search Price:" 5
type_text main "abc"
keys main Enter
expect_text main "Column Price holds numbers" 5
expect_text main "search Price: abc" 5
keys main C-u
price=$(cli_csv --sort -Price --columns Price --offset 99 --limit 1 | tr -d '\r')
type_text main "$price"
keys main Enter
expect_text main "$price at row" 10

# ---- i on Price: the server's statistics in a pop-up ----
max=$(cli_csv --sort -Price --columns Price --limit 1 | tr -d '\r')
min=$(cli_csv --sort Price --columns Price --limit 1 | tr -d '\r')
keys main i
expect_text main "trades | sort -Price: Price statistics" 10
expect_text main "COUNT     100,000" 5
screen main | grep -q "MAX       $(thousands "$max") " || fail "the pop-up's MAX is not $max"
screen main | grep -q "MIN       $(thousands "$min") " || fail "the pop-up's MIN is not $min"
screen main | grep -q "STD_DEV" || fail "no STD_DEV in the pop-up"
esc main
expect_no_text main "Price statistics" 5
keys main h
keys main i
expect_text main "Sym statistics" 10
expect_text main "MOST COMMON" 5
read -r top_n top_sym <<<"$(cli_csv --columns Sym | tr -d '\r' | sort | uniq -c | sort -k1,1nr | head -n 1)"
screen main | grep -Eq "│  $top_sym +$(thousands "$top_n") " ||
    fail "the pop-up does not count $top_n rows of $top_sym"
screen main | grep -Eq "│  UNIQUE_VALUES +10 " || fail "the pop-up does not count 10 symbols"
esc main

# ---- the published ticket released and sub's session renewed: its copy of
# the table is gone, so every question fails in one line with the server's
# message, and the rows on screen stay ----
keys main t
expect_text main "valid" 5
keys main r
expect_text main "Release shared/0x" 5
keys main y
expect_text main "released" 10
esc main
top_id=$(screen_col 8 sub | head -n 1)
server_cmd expire-all
sleep 2
keys sub l
keys sub l
keys sub ']'
expect_text sub "Exporting shared/0x" 10
expect_text sub "(Table)" 5
[ "$(screen_col 8 sub | head -n 1)" = "$top_id" ] || fail "sub's rows left the screen after ]"
# Each question is one more error line in the log.
errors() { grep -c "Exporting shared/0x" "$E2E_TMP/sub.log"; }
wait_errors() {
    for _ in $(seq 1 100); do [ "$(errors)" -ge "$1" ] && return 0; sleep 0.1; done
    return 1
}
before=$(errors)
keys sub i
wait_errors $((before + 1)) || fail "no error after i on a released ticket"
screen sub | grep -q "Price statistics" && fail "a statistics pop-up for a released ticket"
keys sub /
type_text sub "500"
keys sub Enter
wait_errors $((before + 2)) || fail "no error line after / on a released ticket"
expect_text sub "search Price: 500" 5 # the prompt came back with the text
esc sub
[ "$(screen_col 8 sub | head -n 1)" = "$top_id" ] || fail "sub's rows left the screen"
finish
