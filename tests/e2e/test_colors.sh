#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_colors: NO_COLOR (no-color.org) removes every colour from the screen
# while bold, reverse and underline still mark the title bar and the cursor;
# without it the same screen has colours.
. "$(dirname "$0")/lib.sh"

# Colour SGR parameters in `capture-pane -e` output: 30-37, 39-47, 49, 90-97,
# 100-107, and 38/48 (256 colours or RGB).
has_colour_sgr() {
    grep -aoE $'\e\\[[0-9;]*m' | tr -d '\033[m' | tr ';' '\n' |
        grep -qxE '3[0-8]|4[0-8]|9[0-7]|10[0-7]'
}

start_server
start_dhtui col 120 30
tm new-session -d -s nocol -x 120 -y 30 "env NO_COLOR=1 $(dhtui_cmd nocol); sleep 30"
expect_text col "10 objects" 15
expect_text nocol "10 objects" 15

tm capture-pane -e -p -t col | has_colour_sgr || fail "no colour at all without NO_COLOR"
plain=$(tm capture-pane -e -p -t nocol)
printf '%s' "$plain" | has_colour_sgr && fail "NO_COLOR=1: colour SGR on screen"
printf '%s' "$plain" | grep -aqE $'\e\\[([0-9;]*;)?7[;m]' ||
    fail "NO_COLOR=1: no reverse video left (title bar and cursor must stay marked)"

# The pager too (headers, nulls, cursor cell).
open_table trades nocol
expect_text nocol "of 1,000,000" 10
tm capture-pane -e -p -t nocol | has_colour_sgr && fail "NO_COLOR=1: colour SGR in the pager"
keys nocol q
keys col q
finish
