#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmarks for the pager (issue 4): first screen, page-down latency, memory,
# DoGet of the whole table, decode throughput. Prints figures; judges nothing.
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

echo "dhtui benchmarks, $(date -u +%F), $(nproc) cores, demo server on loopback"
for rows in 1000000 10000000; do
    start_server "$rows"
    echo "== trades at $rows rows"
    echo "pager:  $("$BENCH" pager "$port" a/demo/f/trades)"
    echo "doget:  $("$BENCH" doget "$port" a/demo/f/trades)"
    [ "$rows" = 1000000 ] && echo "decode: $("$BENCH" decode "$port" a/demo/f/trades)"
done
