#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_figure_kinds: a plot_by figure draws a series per key with a legend
# ("Price by Sym: AAPL" ...), Enter opens its merged table; a plot-express
# figure draws its traces with their names in the legend; a plugin object of
# another type still gets the "no viewer" dialog.
. "$(dirname "$0")/lib.sh"

start_server
start_dhtui main 120 40
expect_text main "10 objects" 15

braille() { screen main | LC_ALL=C grep -c "$(printf '\342[\240-\243]')"; }

# plot_by: the template line says what it splits by; the legend names every key.
keys main /
type_text main price_by_sym
keys main Enter
sleep 0.2
keys main Enter
expect_text main "price_by_sym (Figure)" 10
expect_text main "1 chart  1 series  0 tables  1 partitioned  0 errors" 5
screen main | grep -Eq "Price by Sym +line +Timestamp +Price +by Sym" ||
    fail "the plot_by line does not say it is split by Sym"
wait_for_text main "Price by Sym: MSFT" 10 || fail "the legend lacks the third key"
screen main | grep -q "Price by Sym: AAPL" || fail "the legend lacks AAPL"
screen main | grep -q "Price by Sym: GOOG" || fail "the legend lacks GOOG"
[ "$(braille)" -ge 10 ] || fail "the plot_by chart has too few braille lines"
keys main Enter
expect_text main "price_by_sym: Price by Sym merged (Table)" 10
expect_text main "of 600" 10
esc main
expect_text main "price_by_sym (Figure)" 5
esc main

# plot-express: three traces, each on its own table, named in the legend.
keys main /
type_text main price_px
keys main Enter
sleep 0.2
keys main Enter
expect_text main "price_px (deephaven.plot.express" 10
expect_text main "Prices by Sym" 5
expect_text main "1 chart  3 series  3 tables  0 errors" 5
wait_for_text main "└──" 10 || fail "no plot axis for the plot-express figure"
for k in AAPL GOOG MSFT; do
    screen main | grep -Eq "$k +line +Timestamp +Price +table" || fail "no series line for $k"
done
screen main | grep -Eq "⣿ AAPL +⣿ GOOG +⣿ MSFT" || fail "the legend does not name the three traces"
[ "$(braille)" -ge 10 ] || fail "the plot-express chart has too few braille lines"
# The plugin sends the figure again when it changes (the demo: once, a second
# in, trace AAPL on a new table): the view redraws with it.
expect_text main "Prices by Sym (updated)" 10
expect_text main "1 chart  3 series  3 tables  0 errors" 5
sleep 0.5
[ "$(braille)" -ge 10 ] || fail "the updated plot-express chart has too few braille lines"
screen main | grep -Eq "⣿ AAPL +⣿ GOOG +⣿ MSFT" || fail "the updated legend does not name the traces"
esc main
esc main

# Another plugin type: the dialog names it and offers publishing.
server_cmd "add mydf pandas.DataFrame"
expect_text main "mydf" 10
keys main /
type_text main mydf
keys main Enter
sleep 0.2
keys main Enter
expect_text main "no viewer for this type" 10
screen main | grep -q "pandas.DataFrame" || fail "the dialog does not name the type"
keys main q
wait_exit main 10 || true
finish
