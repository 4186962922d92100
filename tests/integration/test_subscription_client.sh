#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_subscription_client.sh: runs itest_subscription_client (libdh's live viewport
# subscriptions: the ticking quotes table checked against snapshots, a viewport moved to
# the end, a static table, cancellation, a refused ticket) against a fresh demo server.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_subscription_client
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

start_server
timeout 120 "$PROG" "$SERVER_PORT" >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_subscription_client"; else fail "itest_subscription_client exited $rc"; fi
if kill -0 "$SERVER_PID" 2>/dev/null; then pass "the server is still running"; else fail "the server died"; fi
finish
