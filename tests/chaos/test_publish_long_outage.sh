#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_publish_long_outage: `dhtui publish` keeps its session (and ticket) through a link
# cut that lasts most of the session's lifetime. Sessions last 44 s here: the
# keep-alive's refresh at 22 s fails fast (the proxy resets every connection), and
# pydeephaven's schedule gave up 11 s later, at 33 s ("the session ended"), although the
# server keeps a session 44 s after its last refresh. The link is back at 36 s: the
# keep-alive, retrying with back-off until that deadline, gets through, and the ticket
# is still valid.
. "$(dirname "$0")/lib.sh"

chaos_server --session-duration-ms 44000
chaos_proxy
start_publisher "$E2E_PORT"
t0=$(now_ms)

proxy_ctl "cut 36"
FAULTS=$((FAULTS + 1))
# Wait out the cut, then give the keep-alive's next try (at most ~5 s later) time.
while [ $(($(now_ms) - t0)) -lt 41000 ]; do
    kill -0 $PUB_PID 2>/dev/null || break
    sleep 0.5
done
if kill -0 $PUB_PID 2>/dev/null; then
    echo "   the publisher held on for $((($(now_ms) - t0) / 1000)) s"
else
    TICKETS_LOST=$((TICKETS_LOST + 1))
    fail "publish exited $((($(now_ms) - t0) / 1000)) s into a 36 s cut: $(tail -n 1 "$E2E_TMP/publish.err")"
fi
# shellcheck disable=SC2046
if env $(sanitizer_env check) "$DHTUI" check "$TICKET" --port "$SERVER_PORT" \
    >"$E2E_TMP/check.out" 2>&1; then
    echo "   the ticket is valid after the cut"
else
    fail "the ticket is not valid after the cut: $(cat "$E2E_TMP/check.out")"
fi
kill -INT $PUB_PID 2>/dev/null
wait $PUB_PID 2>/dev/null
chaos_finish
