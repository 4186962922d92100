#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_viewport.sh: runs itest_viewport (a ticking table scrolled 100 times through
# the asynchronous client keeps one DoExchange stream: the viewport moves on it; every
# window is the one asked for) against a fresh demo server, whose `exchanges` control
# command counts the streams.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_viewport
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

start_server
timeout 120 "$PROG" "$SERVER_PORT" "$IT_TMP/ctl" "$SERVER_OUT" >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_viewport"; else fail "itest_viewport exited $rc"; fi
SERVER_SEEN=$(count_lines "$SERVER_OUT") # itest_viewport read its replies itself
if kill -0 "$SERVER_PID" 2>/dev/null; then pass "the server is still running"; else fail "the server died"; fi
finish
