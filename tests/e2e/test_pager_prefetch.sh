#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pager_prefetch: sequential paging never waits on the network. dhtui reads
# trades (static, 1,000,000 rows) through a proxy that adds 50 ms each way;
# after each PgDn, PgUp and j across a page boundary, at a quick reader's
# pace, the screen taken as soon as the new first row number shows has no
# loading marker ("·" in a cell, "loading" in the title). Without prefetch
# (DHTUI_PREFETCH=0) every second PgDn shows them for a round trip. Then the
# same for a ticking table (quotes), whose live window moves on its open
# subscription ahead of the screen.
. "$(dirname "$0")/lib.sh"

: "${DH_DELAY_PROXY:?DH_DELAY_PROXY must point at the delay_proxy binary}"
DELAY_MS=${DELAY_MS:-50}
PACE=${PACE:-0.4} # seconds between keys: slower than one round trip

start_server
"$DH_DELAY_PROXY" --target "$E2E_PORT" --delay "$DELAY_MS" --max-seconds 280 \
    >"$E2E_TMP/proxy.out" 2>&1 &
PROXY_PID=$!
trap 'kill "$PROXY_PID" 2>/dev/null; e2e_cleanup' EXIT
for _ in $(seq 1 50); do
    PROXY_PORT=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$E2E_TMP/proxy.out")
    [ -n "$PROXY_PORT" ] && break
    sleep 0.1
done
[ -n "${PROXY_PORT:-}" ] || die "the delay proxy did not start"
E2E_PORT=$PROXY_PORT # dhtui talks to the server through the proxy

start_dhtui main 120 40
expect_text main "10 objects" 20
open_table trades
expect_text main "rows 1-35 of 1,000,000" 10
expect_no_text main "·" 10
sleep 1 # the first window, then its prefetch, are in

# check_after KEY FIRST_ROW: send KEY, wait until row FIRST_ROW heads the grid
# (line 4), then the very screen showing it must have every cell loaded.
check_after() {
    local key=$1 first=$2 s
    keys main "$key"
    local end=$(($(date +%s%N) / 1000000 + 10000))
    while :; do
        s=$(screen main)
        sed -n 4p <<<"$s" | grep -Eq "^ *$first " && break
        [ $(($(date +%s%N) / 1000000)) -lt $end ] || die "row $first never headed the screen after $key"
    done
    if sed -n '4,38p' <<<"$s" | grep -qF "·"; then
        fail "after $key to row $first a row was still loading"
        sed -n '1p;4p;38p' <<<"$s" >&2
    fi
    if sed -n '1p;39,40p' <<<"$s" | grep -q "loading"; then
        fail "after $key to row $first the title said loading: $(sed -n 1p <<<"$s")"
    fi
    sleep "$PACE"
}

row=1
for _ in 1 2 3 4 5 6 7 8; do
    row=$((row + 35))
    check_after NPage "$row"
done
for _ in 1 2 3 4 5 6; do
    row=$((row - 35))
    check_after PPage "$row"
done
# j to the bottom of the screen, then across page boundaries row by row.
for _ in $(seq 1 34); do keys main j; done
sleep 0.5
PACE=0.1
for _ in $(seq 1 40); do
    row=$((row + 1))
    check_after j "$row"
done

# ---- a ticking table: quotes grows 40 rows a second; by now it has several pages ----
keys main Escape
expect_text main "Objects" 10
open_table quotes
expect_text main "live" 10
expect_no_text main "·" 10
sleep 1
PACE=0.4
row=1
for _ in 1 2 3 4 5; do
    row=$((row + 35))
    check_after NPage "$row"
done
for _ in 1 2 3; do
    row=$((row - 35))
    check_after PPage "$row"
done

finish
