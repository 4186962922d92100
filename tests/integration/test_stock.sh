#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_stock.sh: runs itest_stock (scope tickets, Flight Handshake, GetFlightInfo,
# GetSchema, ListFlights, full-table and reverse-viewport subscriptions: what a stock
# Deephaven client asks) against a fresh demo server with 5000 trades rows.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_stock
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

start_server --rows 5000
timeout 120 "$PROG" "$SERVER_PORT" >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_stock"; else fail "itest_stock exited $rc"; fi
if kill -0 "$SERVER_PID" 2>/dev/null; then pass "the server is still running"; else fail "the server died"; fi
finish
