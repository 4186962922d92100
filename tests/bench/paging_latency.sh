#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# paging_latency: key-to-screen of PgDn in the real dhtui under tmux, through
# tests/bench/delay_proxy at 0, 10 and 50 ms of added one-way delay, with
# prefetch off (DHTUI_PREFETCH=0) and on. Each sample: send PgDn, then take
# the screen until the next page's first row number heads the grid and no
# cell on it is still loading ("·"); keys come at a reader's pace (PACE s
# apart). Prints p50/p99 in ms (nearest rank; with 25 samples p99 is the
# worst) and how many presses showed a loading cell before the rows; the 0 ms
# figures are mostly the measuring itself (a tmux send-keys and capture-pane
# per poll, slow on a loaded machine). Judges nothing.
# Usage: tests/bench/paging_latency.sh [BUILD_DIR] (SAMPLES, PACE, DELAYS)
set -euo pipefail
BUILD=${1:-build}
DHTUI=$BUILD/dhtui
SERVER=$BUILD/dhtui-demo-server
PROXY=$BUILD/tests/delay_proxy
SAMPLES=${SAMPLES:-25}
PACE=${PACE:-0.3}
DELAYS=${DELAYS:-0 10 50}
for b in "$DHTUI" "$SERVER" "$PROXY"; do
    [ -x "$b" ] || { echo "build first: $b is missing" >&2; exit 1; }
done
command -v tmux >/dev/null || { echo "paging_latency needs tmux" >&2; exit 1; }

tmp=$(mktemp -d)
sock=dhtui-bench-$$
server_pid= proxy_pid=
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
    tm kill-server >/dev/null 2>&1 || true
    [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# listening_port FILE: the port a "listening on 127.0.0.1:N" line in FILE names.
listening_port() {
    local p
    for _ in $(seq 1 100); do
        p=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$1" | head -n 1)
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.05
    done
    echo "no listening line in $1" >&2
    return 1
}

wait_text() { # TEXT
    local end=$(($(now_ms) + 20000))
    until tm capture-pane -p -t main | grep -qF -- "$1"; do
        [ "$(now_ms)" -lt $end ] || { echo "never saw '$1'" >&2; tm capture-pane -p -t main >&2; return 1; }
        sleep 0.05
    done
}

# run_pager PORT PREFETCH: dhtui on trades; prints one key-to-screen ms a line.
run_pager() {
    local port=$1 prefetch=$2
    mkdir -p "$tmp/state"
    # A tmux server of its own per run (a new session on one being killed fails).
    sock=dhtui-bench-$$-$port-$prefetch
    trap 'tm kill-server >/dev/null 2>&1; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"' EXIT # in $(...)
    tm new-session -d -s main -x 120 -y 40 \
        "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color XDG_STATE_HOME=$tmp/state \
         XDG_CONFIG_HOME=$tmp/no-config DHTUI_PREFETCH=$prefetch $DHTUI --port $port; sleep 30"
    wait_text " objects"
    tm send-keys -t main /
    tm send-keys -t main -l trades
    tm send-keys -t main Enter
    sleep 0.2
    tm send-keys -t main Enter
    wait_text "rows 1-35 of 1,000,000"
    sleep 1
    local row=1 t0 t1 miss
    for _ in $(seq 1 "$SAMPLES"); do
        row=$((row + 35))
        miss=0
        t0=$(date +%s%N)
        tm send-keys -t main NPage
        while :; do # one process a poll (tmux), the rest in bash
            [ $(($(date +%s%N) - t0)) -lt 10000000000 ] ||
                { echo "row $row never showed loaded" >&2; tm capture-pane -p -t main >&2; exit 1; }
            mapfile -t lines < <(tm capture-pane -p -t main)
            [[ ${lines[3]:-} =~ ^\ *$row\  ]] || continue
            body="${lines[*]:3:35}"
            [[ $body == *"·"* ]] || break
            miss=1 # the new page showed with cells still loading
        done
        t1=$(date +%s%N)
        echo "$(((t1 - t0) / 1000)) $miss" # microseconds
        sleep "$PACE"
    done
    tm kill-server >/dev/null 2>&1 || true
}

# p50/p99 (nearest rank) of "microseconds miss" samples on stdin, in ms, and
# how many presses showed a loading cell first.
percentiles() {
    sort -n | awk '{ v[NR] = $1; m += $2 } END {
        i50 = int(NR * 0.50 + 0.999); i99 = int(NR * 0.99 + 0.999)
        printf "p50 %6.1f ms  p99 %6.1f ms  loading seen %2d of %d", v[i50] / 1000, v[i99] / 1000, m, NR }'
}

mkfifo "$tmp/ctl"
"$SERVER" --port 0 --quiet <"$tmp/ctl" >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
exec 8>"$tmp/ctl" # the server runs while its control fifo is open
server_port=$(listening_port "$tmp/server.out")
echo "PgDn key-to-screen through delay_proxy (trades, 120x40, a key every $PACE s)"
for delay in $DELAYS; do
    "$PROXY" --target "$server_port" --delay "$delay" --max-seconds 600 >"$tmp/proxy.out" 2>&1 &
    proxy_pid=$!
    port=$(listening_port "$tmp/proxy.out")
    off=$(run_pager "$port" 0 | percentiles)
    on=$(run_pager "$port" 1 | percentiles)
    printf "delay %2d ms one-way: prefetch off: %s | on: %s\n" "$delay" "$off" "$on"
    kill "$proxy_pid" 2>/dev/null
    wait "$proxy_pid" 2>/dev/null || true
    proxy_pid=
    : >"$tmp/proxy.out"
done
