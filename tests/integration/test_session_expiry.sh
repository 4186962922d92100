#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_session_expiry.sh: runs itest_session (idle sessions expire, the
# keep-alive refreshes and follows token rotation) against a demo server
# whose sessions last 2 s.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_session
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

start_server --session-duration-ms 2000
timeout 120 "$PROG" "$SERVER_PORT" 2000 >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_session"; else fail "itest_session exited $rc"; fi
if kill -0 "$SERVER_PID" 2>/dev/null; then pass "the server is still running"; else fail "the server died"; fi
finish
