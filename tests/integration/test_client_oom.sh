#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_client_oom.sh: runs itest_oom (the client's out-of-memory policy: events
# that cannot be allocated reach the UI as errors, never silently dropped)
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_oom
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

start_server
timeout 120 "$PROG" "$SERVER_PORT" "$IT_TMP/ctl" >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_oom"; else fail "itest_oom exited $rc"; fi
SERVER_SEEN=$(count_lines "$SERVER_OUT")
if kill -0 "$SERVER_PID" 2>/dev/null; then pass "the server is still running"; else fail "the server died"; fi
finish
