#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_subscribe.sh: runs itest_subscribe (Barrage viewport subscriptions over DoExchange:
# initial snapshot, updates of the ticking quotes table, a viewport change, a static
# table, half-close, session end, refused requests) against a fresh demo server.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_subscribe
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

start_server
timeout 120 "$PROG" "$SERVER_PORT" >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_subscribe"; else fail "itest_subscribe exited $rc"; fi
if kill -0 "$SERVER_PID" 2>/dev/null; then pass "the server is still running"; else fail "the server died"; fi
finish
