#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmarks for the pager (issue 4): first screen, page-down latency, memory,
# DoGet of the whole table, decode throughput; and for exports (issue 7):
# `dhtui rows trades --format F > /dev/null` per format next to the transport
# alone (the same stream, nothing formatted) and a plain loopback TCP copy of
# the same bytes; for the pager's server operations (issue 10): key press
# to sorted, filtered and searched screen next to download-and-sort-locally;
# PgDn key-to-screen of dhtui under tmux through added latency, prefetch off
# and on (issue 12: tests/bench/paging_latency.sh).
# Prints figures; judges nothing.
# Usage: scripts/bench.sh [BUILD_DIR]   (default: build, a RelWithDebInfo build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
BENCH=$BUILD/tests/bench_rows
SERVER=$BUILD/dhtui-demo-server
[ -x "$BENCH" ] && [ -x "$SERVER" ] || { echo "build first: make build" >&2; exit 1; }

tmp=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

start_server() { # rows
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    mkfifo "$tmp/ctl.$1"
    "$SERVER" --port 0 --quiet --rows "$1" <"$tmp/ctl.$1" >"$tmp/out.$1" &
    server_pid=$!
    exec 8>"$tmp/ctl.$1"
    for _ in $(seq 200); do
        port=$(sed -n 's/^listening on 127.0.0.1://p' "$tmp/out.$1")
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "server did not start" >&2; exit 1
}

DHTUI=$BUILD/dhtui
command -v /usr/bin/time >/dev/null || { echo "bench needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

# export FORMAT BODY_BYTES ROWS: one `dhtui rows` run to /dev/null; prints
# wall time, MB/s of Arrow body, rows/s, CPU seconds and peak RSS.
export_run() {
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" \
        "$DHTUI" rows a/demo/f/trades --port "$port" --format "$1" >/dev/null
    read -r wall user sys rss <"$tmp/time"
    awk -v f="$1" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v b="$2" -v n="$3" 'BEGIN {
        printf "rows --format %-6s %7.2f s  %7.1f MB/s of Arrow body  %10.0f rows/s  cpu %5.2f s  rss %5.1f MiB\n",
               f, w, b / 1e6 / w, n / w, u + s, r / 1024 }'
}

echo "dhtui benchmarks, $(date -u +%F), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), demo server on loopback"
echo "== number text (dh_numtext, issue 7)"
"$BUILD/tests/bench_numtext"
for rows in 1000000 10000000; do
    start_server "$rows"
    echo "== trades at $rows rows"
    echo "pager:  $("$BENCH" pager "$port" a/demo/f/trades)"
    echo "doget:  $("$BENCH" doget "$port" a/demo/f/trades)"
    [ "$rows" = 1000000 ] && echo "decode: $("$BENCH" decode "$port" a/demo/f/trades)"
    stream=$(/usr/bin/time -f '%U %S' -o "$tmp/time" "$BENCH" stream "$port" a/demo/f/trades)
    read -r user sys <"$tmp/time"
    echo "transport only (one streamed snapshot, nothing formatted): $stream cpu_s=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
    body=$(echo "$stream" | sed -n 's/.*body_mib=\([0-9.]*\).*/\1/p')
    bytes=$(awk -v m="$body" 'BEGIN { printf "%.0f", m * 1048576 }')
    echo "loopback TCP copy of the same bytes: $("$BENCH" loopback "$bytes")"
    for fmt in arrow csv tsv json jsonl; do
        export_run "$fmt" "$bytes" "$rows"
    done
    echo "demo server operations (wall time of one call, best of three):"
    "$BUILD/tests/bench_serverops" "$port"
    if [ "$rows" = 10000000 ]; then
        echo "pager questions and view changes on the server, key press to screen, next to a"
        echo "download and local sort (tests/bench/bench_tableops):"
        "$BUILD/tests/bench_tableops" "$port" a/demo/f/trades "$server_pid"
    fi
done
echo "== paging through added latency (issue 12): PgDn key-to-screen of dhtui under tmux"
if command -v tmux >/dev/null; then
    tests/bench/paging_latency.sh "$BUILD"
else
    echo "(skipped: no tmux)"
fi
