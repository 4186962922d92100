#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerate screenshots/*.png from the real program on the demo server:
# tmux runs dhtui, `capture-pane -e` keeps the colours, aha turns them into
# HTML, headless Chromium renders the PNG. All Debian packages.
# Usage: scripts/screenshots.sh [BUILD_DIR]   (default: build)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
export DHTUI=$build/dhtui DH_SERVER=$build/dhtui-demo-server
[ -x "$DHTUI" ] && [ -x "$DH_SERVER" ] || { echo "build first: make build" >&2; exit 1; }

need=()
command -v aha >/dev/null || need+=(aha)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" fonts-dejavu-core fonts-noto-cjk
fi

# shellcheck source=../tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"
out=$root/screenshots
mkdir -p "$out"
COLS=120 LINES_=34

# shot SESSION NAME [light]: capture the pane with colours and render it to
# NAME.png, on a black terminal (or a white one for the light theme).
shot() {
    local html=$E2E_TMP/$2.html bg=--black
    [ "${3:-}" = light ] && bg=
    tm capture-pane -e -p -t "$1" |
        aha $bg --title "dhtui" >"$html.raw"
    # A monospace font with CJK fallback, tight lines, no margins; no bidi
    # reordering, since a terminal shows characters in the order it got them.
    sed -e 's|<head>|<head><style>body{margin:8px;font:15px/1.2 "DejaVu Sans Mono","Noto Sans Mono CJK SC",monospace} pre{margin:0;font:inherit;unicode-bidi:bidi-override;direction:ltr}</style>|' \
        "$html.raw" >"$html"
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$E2E_TMP/chromium" --hide-scrollbars \
        --window-size=$((COLS * 9 + 16)),$((LINES_ * 18 + 16)) \
        --screenshot="$out/$2.png" "file://$html" >/dev/null 2>&1 ||
        die "chromium could not render $2"
    echo "screenshots/$2.png"
}

# --samples: every kind of object (partitioned, rollup, odd column types), as
# `dhtui --demo` shows them.
start_server --samples
start_dhtui a "$COLS" "$LINES_"
start_dhtui b "$COLS" "$LINES_" --probe-interval 1000
expect_text a " objects" 15
expect_text b " objects" 15
expect_text a "connected" 15
sleep 0.5
shot a objects

# Publish trades: the dialog.
keys a /; type_text a trades; keys a Enter; sleep 0.3
keys a p
expect_text a "Published trades" 10
TICKET=$(screen a | grep -o 'shared/0x[0-9a-f]*' | head -n 1)
shot a publish
keys a Enter
# Publish price_plot too, then b fetches trades' ticket.
esc a; sleep 0.2
keys a /; type_text a price_plot; keys a Enter; sleep 0.3
keys a p
expect_text a "Published price_plot" 10
keys a Enter
keys b f; type_text b "$TICKET"; keys b Enter
expect_text b "of 1,000,000" 10
sleep 0.5
shot b pager_trades
# Release price_plot in a: the tickets panel shows valid and released.
keys a t
expect_text a "price_plot" 5
keys a G; keys a r; sleep 0.3; keys a y
expect_text a "released" 10
sleep 1.2
shot a tickets
# The hostile table, safely rendered.
esc b; sleep 0.3
keys b /; type_text b hostile; keys b Enter; sleep 0.3
keys b Enter
expect_text b "hostile" 10
sleep 1
shot b pager_hostile
# A figure.
esc b; sleep 0.3
esc b; sleep 0.2
keys b /; type_text b price_plot; keys b Enter; sleep 0.3
keys b Enter
wait_for_text b "Price" 10 && shot b figure

# The light theme, and a view the server derives: trades kept to the first
# row's symbol (= on the Sym cell) and sorted by Price descending (] on Price).
start_dhtui c "$COLS" "$LINES_" --theme light
expect_text c " objects" 15
keys c /; type_text c trades; keys c Enter; sleep 0.3
keys c Enter
expect_text c "of 1,000,000" 10
keys c l; sleep 0.2
keys c =
expect_text c "Sym = " 15
keys c l; sleep 0.2
keys c "]"
expect_text c "sort -Price" 15
sleep 0.5
shot c pager_light_view light
# Statistics of the Price column.
keys c i
wait_for_text c "COUNT" 15 && shot c stats light
esc c

# A ticking table mid-update (churn: rows come, go and change): changed
# cells flash, new rows are marked with +.
server_cmd "add churn churn"
start_dhtui d "$COLS" "$LINES_"
expect_text d "churn" 15
keys d /; type_text d churn; keys d Enter; sleep 0.3
keys d Enter
expect_text d "churn (Table)" 10
sleep 1.6
shot d pager_live

# Help opens at the section of the screen it was asked from.
keys d "?"
expect_text d "Table pager" 5
shot d help
esc d; sleep 0.2
esc d; sleep 0.2

# open_in SESSION NAME: select NAME on the object list and press Enter.
open_in() {
    keys "$1" /; type_text "$1" "$2"; keys "$1" Enter; sleep 0.3
    keys "$1" Enter
}
# A rollup: the total open, one exchange expanded.
open_in d trades_rollup
expect_text d "Total" 10
keys d Down Down Enter
sleep 0.8
shot d tree
esc d; sleep 0.3
# A partitioned table's keys, then the plot_by figure (a legend per symbol).
open_in d trades_by_sym
wait_for_text d "Sym" 10 && sleep 0.5 && shot d partitioned
esc d; sleep 0.3
open_in d price_by_sym
wait_for_text d "AAPL" 10 && sleep 0.5 && shot d figure_by
esc d; sleep 0.3
# Column types a real server sends: Interval, float16, dictionary, Map, lists.
open_in d odd_types
wait_for_text d "odd_types (Table)" 10 && sleep 0.5 && shot d odd_types
exit 0
