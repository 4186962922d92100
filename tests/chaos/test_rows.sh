#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_rows: `dhtui rows trades` streaming CSV through faults. Whatever happens, what it
# printed is never wrong: it either exits 0 with exactly the server's rows, or exits 1
# with one line on stderr and a prefix of those rows on stdout. Faults that hold make it
# give up within its --timeout (which bounds the whole command); after the server
# returns, a new run succeeds within 5 s.
. "$(dirname "$0")/lib.sh"

chaos_server --session-duration-ms 60000
chaos_proxy
LIMIT=100000
# shellcheck disable=SC2046
env $(sanitizer_env ref) "$DHTUI" rows a/demo/f/trades --port "$REF_PORT" --limit $LIMIT --format csv \
    >"$E2E_TMP/ref.csv" 2>"$E2E_TMP/ref.err" || die "reference rows: $(cat "$E2E_TMP/ref.err")"

# rows_start LIMIT [ARGS...]: run rows through the proxy in the background (RUN_PID).
rows_start() {
    local limit=$1
    shift
    # shellcheck disable=SC2046
    env $(sanitizer_env rows) "$DHTUI" rows a/demo/f/trades --port "$E2E_PORT" \
        --limit "$limit" --format csv "$@" >"$E2E_TMP/rows.out" 2>"$E2E_TMP/rows.err" &
    RUN_PID=$!
    RUN_T0=$(now_ms)
    RUN_LIMIT=$limit
}

# rows_wait_lines N: wait until the run printed N lines (the stream is under way).
rows_wait_lines() {
    local end=$(($(now_ms) + 10000 * SLOW))
    while [ "$(wc -l <"$E2E_TMP/rows.out")" -lt "$1" ]; do
        kill -0 $RUN_PID 2>/dev/null || return 1
        [ "$(now_ms)" -lt $end ] || return 1
        sleep 0.02
    done
}

# rows_verdict NAME MAX_SECONDS: the run ends within MAX_SECONDS of its start and its
# output is right (all rows and exit 0, or a prefix, one error line and exit 1). Sets
# RUN_RC.
rows_verdict() {
    local name=$1 max=$(($2 * SLOW)) size lines
    while kill -0 $RUN_PID 2>/dev/null && [ $(($(now_ms) - RUN_T0)) -lt $((max * 1000)) ]; do
        sleep 0.05
    done
    if kill -0 $RUN_PID 2>/dev/null; then
        fail "$name: rows still runs after $max s"
        kill $RUN_PID
    fi
    wait $RUN_PID
    RUN_RC=$?
    echo "   rows exit $RUN_RC after $(($(now_ms) - RUN_T0)) ms, $(wc -l <"$E2E_TMP/rows.out") lines"
    size=$(stat -c %s "$E2E_TMP/rows.out")
    if [ $RUN_RC -eq 0 ]; then
        head -n $((RUN_LIMIT + 1)) "$E2E_TMP/ref.csv" | cmp -s - "$E2E_TMP/rows.out" || {
            fail "$name: rows exited 0 but printed rows other than the server's"
            WRONG_ROWS=$((WRONG_ROWS + 1))
        }
    elif [ $RUN_RC -eq 1 ]; then
        cmp -s -n "$size" "$E2E_TMP/ref.csv" "$E2E_TMP/rows.out" || {
            fail "$name: rows failed and what it printed is not a prefix of the server's rows"
            WRONG_ROWS=$((WRONG_ROWS + 1))
        }
        lines=$(wc -l <"$E2E_TMP/rows.err")
        [ "$lines" -eq 1 ] || fail "$name: $lines lines on stderr (want one): $(head -c 600 "$E2E_TMP/rows.err")"
    else
        fail "$name: rows exited $RUN_RC: $(head -c 600 "$E2E_TMP/rows.err")"
    fi
}

# A slow link: all rows arrive, right.
if enabled rows-slow; then
    fault_start slow
    proxy_ctl slow 20
    rows_start 50000
    rows_verdict rows-slow 60
    [ $RUN_RC -eq 0 ] || fail "rows-slow: rows failed on a slow link"
    fault_end slow
fi

# Mid-stream faults: the output is all the rows or a prefix and one line.
# mid_stream NAME FAULT HOLD
mid_stream() {
    enabled "rows-$1" || return 0
    rows_start $LIMIT --timeout $((3000 * SLOW))
    rows_wait_lines 2000 || fail "rows-$1: the stream did not start: $(cat "$E2E_TMP/rows.err")"
    fault_start "$2"
    rows_verdict "rows-$1" 15
    fault_end "$2"
}
mid_stream drop drop
mid_stream expire expire
mid_stream freeze freeze
mid_stream stall stall
mid_stream cut cut

# After the server was killed and restarted on its port, a run succeeds within 5 s.
if enabled rows-kill; then
    fault_start kill
    rows_start 10 --timeout 2000
    rows_verdict rows-kill-down 5
    [ $RUN_RC -eq 1 ] || fail "rows-kill: rows did not fail with the server down"
    fault_end kill
    t0=$(now_ms)
    until rows_start 10 --timeout 2000 && rows_verdict rows-kill-back 5 && [ $RUN_RC -eq 0 ]; do
        [ $(($(now_ms) - t0)) -lt $((5000 * SLOW)) ] || break
        sleep 0.2
    done
    [ $RUN_RC -eq 0 ] || fail "rows-kill: no successful run within $((5 * SLOW)) s of the restart"
    echo "   back after $(($(now_ms) - t0)) ms"
fi
chaos_finish
