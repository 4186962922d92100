#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pager_ops: sorts and filters in the pager run on the server. ] sorts by
# the current column descending, w filters with a Deephaven filter string, =
# keeps the rows equal to the current cell, u undoes; the title shows the
# whole view and the header marks the sort. The rows shown are the ones
# `dhtui rows --where/--sort` prints (itself checked against a local sort in
# integration/test_tableops). A bad filter or column gives one line with the
# server's message, the previous view stays, and the prompt keeps the text.
# After a session renewal the view is derived again in the new session.
. "$(dirname "$0")/lib.sh"

start_server --rows 100000
start_dhtui main 150 40
expect_text main "10 objects" 15

# The Id column (last) of the first data row on screen.
first_id() {
    screen main | sed -n '4p' | awk '{print $NF}' | tr -d ','
}
# A CLI read of the same view: the Id of its first row, and its row count.
cli_first_id() {
    "$DHTUI" rows trades --port "$E2E_PORT" --format csv --limit 1 "$@" | sed -n '2p' |
        awk -F, '{print $NF}'
}
cli_count() {
    "$DHTUI" rows trades --port "$E2E_PORT" --format csv --columns Id "$@" | tail -n +2 | wc -l
}
thousands() {
    echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'
}

open_table trades
expect_text main "rows 1-35 of 100,000" 10

# ] on Price: sorted descending on the server.
keys main l
keys main l
keys main ']'
expect_text main "trades | sort -Price" 10
expect_text main "Price v1" 5
want=$(cli_first_id --sort -Price)
wait_for_text main "of 100,000" 10 || fail "the sorted view lost rows"
wait_until 5 eval '[ "$(first_id)" = "$want" ]'
[ "$(first_id)" = "$want" ] || fail "first row after ] has Id $(first_id), dhtui rows says $want"

# w: a filter, pre-filled with the column's name.
keys main w
expect_text main "where: Price" 5
type_text main "> 180"
keys main Enter
expect_text main "trades | Price > 180 | sort -Price" 10
n=$(cli_count --where 'Price > 180')
expect_text main "of $(thousands "$n")" 10
want=$(cli_first_id --where 'Price > 180' --sort -Price)
wait_until 5 eval '[ "$(first_id)" = "$want" ]'
[ "$(first_id)" = "$want" ] || fail "first row after w has Id $(first_id), dhtui rows says $want"

# = on Sym: keep the rows of this row's symbol (a structured Filter).
keys main h
sym=$(screen main | sed -n '4p' | awk '{print $3}')
keys main '='
expect_text main "trades | Price > 180 | Sym = $sym | sort -Price" 10
n=$(cli_count --where 'Price > 180' --where "Sym == \`$sym\`")
expect_text main "of $(thousands "$n")" 10
only_sym() { ! screen main | sed -n '4,38p' | awk '{print $3}' | grep -qv "^$sym$"; }
wait_until 5 only_sym
screen main | sed -n '4,38p' | awk '{print $3}' | grep -qv "^$sym$" &&
    fail "a row of another symbol than $sym after ="

# u: undo the last operation.
keys main u
expect_text main "trades | Price > 180 | sort -Price" 10

# A bad filter: one line with the server's message, the view stays, the prompt
# comes back with the text.
keys main w
expect_text main "where: Sym" 5
keys main C-u
type_text main "Nope > 1"
keys main Enter
expect_text main "column 'Nope' not found" 10
expect_text main "where: Nope > 1" 5
expect_text main "trades | Price > 180 | sort -Price" 5
esc main
keys main w
keys main C-u
type_text main "Price >"
keys main Enter
expect_text main "expected a value at position 8" 10
expect_text main "trades | Price > 180 | sort -Price" 5
esc main

# { adds a key; undo everything back to the table itself.
keys main '{'
expect_text main "trades | Price > 180 | sort -Price,Sym" 10
expect_text main "Sym ^2" 5
keys main u
keys main u
expect_text main "trades | sort -Price" 10
for i in $(seq 1 20); do
    keys main u
done
expect_text main "trades (Table)" 10
expect_text main "rows 1-35 of 100,000" 10
keys main u
expect_text main "Nothing to undo" 5

# Re-sorting twenty times leaves the server one derived export, not twenty:
# each superseded view is released.
# exports: the server's count from a fresh `stats` line (waits for its answer).
exports() {
    local n
    n=$(grep -c 'exports=' "$E2E_TMP/server.out")
    server_cmd stats
    wait_until 5 eval '[ "$(grep -c "exports=" "$E2E_TMP/server.out")" -gt "$n" ]'
    grep -o 'exports=[0-9]*' "$E2E_TMP/server.out" | tail -n 1 | cut -d= -f2
}
before=$(exports)
keys main l
for i in $(seq 1 10); do
    keys main ']'
    sleep 0.15
    keys main '['
    sleep 0.15
done
expect_text main "trades | sort Price" 10
# superseded views are released in the background: wait for the count to settle
settled() { after=$(exports); [ -n "$before" ] && [ -n "$after" ] && [ "$after" -le $((before + 1)) ]; }
wait_until 5 settled
[ -n "$before" ] && [ -n "$after" ] && [ "$after" -le $((before + 1)) ] ||
    fail "the server holds $after exports after 20 sorts (before: $before)"
for i in $(seq 1 20); do
    keys main u
done
expect_text main "trades (Table)" 10

# A derived view survives a session renewal: its export died with the old
# session, so the pager derives it again from the table in the new one.
keys main ']'
expect_text main "trades | sort -Price" 10
ended=$(log_lines main "event session ended")
server_cmd expire-all
wait_renewed main "$ended" || fail "no new session after expire-all"
keys main :
type_text main "50000"
keys main Enter
expect_text main "rows 50,000-50,034 of 100,000" 10
for _ in $(seq 1 150); do
    grep -q "asking the server for this view again" "$E2E_TMP/main.log" && break
    sleep 0.1
done
grep -q "asking the server for this view again" "$E2E_TMP/main.log" ||
    { fail "the view was not derived again after the session renewal"; tail -n 25 "$E2E_TMP/main.log" >&2; }
expect_text main "trades | sort -Price" 10
sleep 1
want=$("$DHTUI" rows trades --port "$E2E_PORT" --format csv --sort -Price --offset 49999 --limit 1 |
    sed -n '2p' | awk -F, '{print $NF}')
wait_for_text main "$(thousands "$want")" 15 ||
    fail "row 50,000 of the re-derived view is not the row dhtui rows gives (Id $want)"
[ "$(first_id)" = "$want" ] || fail "row 50,000 after the renewal has Id $(first_id), not $want"
finish
