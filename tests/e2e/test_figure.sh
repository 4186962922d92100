#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_figure: a figure opened from the object list shows its title, its
# chart and series (style, X and Y columns, table), plots the selected series
# from a window of its table's rows, and opens that table in the pager.
. "$(dirname "$0")/lib.sh"

start_server
start_dhtui main 120 40
expect_text main "10 objects" 15

keys main /
type_text main price_plot
keys main Enter
sleep 0.2
keys main Enter
expect_text main "price_plot (Figure)" 10
expect_text main "Price over time" 5
expect_text main "1 chart  1 series  1 table  0 errors" 5
screen main | grep -Eq "Price +line +Timestamp +Price +table 1" ||
    fail "the series line does not show its style, X, Y and table"
# The plot: braille dots, an axis and the first and last X values.
wait_for_text main "└──" 10 || fail "no plot axis"
screen main | grep -q "2024-01-02T14:30:00" || fail "the plot's first X value is not shown"
# Braille patterns are U+2800..U+28FF: bytes E2 A0..A3 xx in UTF-8.
screen main | LC_ALL=C grep -q "$(printf '\342[\240-\243]')" || fail "the plot has no braille dots"

# At 60x15 the plot cannot fit: the view says so instead of leaving a blank.
tm resize-window -t main -x 60 -y 12
expect_text main "terminal too small for the plot" 5
tm resize-window -t main -x 120 -y 40
wait_for_text main "└──" 10 || fail "no plot axis after growing back"

# Enter opens the series' table in the pager.
keys main Enter
expect_text main "price_plot: table 1 (Table)" 10
expect_text main "of 500" 10
screen main | grep -q "Timestamp .*Price" || fail "the figure's table lacks its columns"
esc main
expect_text main "price_plot (Figure)" 5
esc main
expect_text main "match" 5
keys main q
wait_exit main 10 || die "q did not quit"
finish
