#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_partitioned: a PartitionedTable from the object list opens on its key
# table (titled so, the constituent column left out); Enter on a key opens
# that key's table, M the merged table; p publishes a constituent; the hint
# line offers Open and Merged.
. "$(dirname "$0")/lib.sh"

start_server --rows 20000
server_cmd add trades_by_sym PartitionedTable trades
start_dhtui main 140 40
expect_text main "11 objects" 15

keys main /
type_text main trades_by_sym
keys main Enter
sleep 0.2
keys main Enter
expect_text main "trades_by_sym: keys (PartitionedTable)" 10
expect_text main "of 10" 10
screen main | grep -q "Sym" || fail "the key table has no Sym column"
expect_no_text main "__CONSTITUENT__" 2
screen main | grep -q "Enter Open" || fail "the hint line does not offer Open"
screen main | grep -q "M Merged" || fail "the hint line does not offer Merged"
# The first key of trades (its first row's Sym), and its row count.
key=$(screen main | sed -n 's/^ *1 \{1,\}\([A-Z][A-Z]*\) *$/\1/p' | head -n 1)
[ -n "$key" ] || fail "no key on the first row"

keys main Enter
expect_text main "trades_by_sym: Sym = $key (Table)" 10
screen main | grep -q "Timestamp .*Sym .*Price" || fail "the constituent lacks trades' columns"
rows=$(screen main | grep -c " $key ")
[ "$rows" -gt 5 ] || fail "the constituent does not show rows of $key only ($rows)"
screen main | grep -E "^ *[0-9]+ " | grep -v " $key " | grep -q . &&
    fail "the constituent shows rows of other keys"
# Publish works on a constituent: a shared ticket comes back.
keys main p
expect_text main "shared/" 10
keys main Enter
esc main
expect_text main "trades_by_sym: keys (PartitionedTable)" 5

keys main M
expect_text main "trades_by_sym: merged (Table)" 10
expect_text main "of 20,000" 10
esc main
expect_text main "trades_by_sym: keys (PartitionedTable)" 5

# Down then Enter: the second key's table.
keys main Down
keys main Enter
expect_text main "trades_by_sym: Sym = " 10
expect_no_text main "trades_by_sym: Sym = $key (Table)" 2
esc main
esc main
expect_text main "match" 5
keys main q
expect_text main "1 published ticket stops working" 5
keys main y
wait_exit main 10 || die "q then y did not quit"
finish
