#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_rows.sh: runs itest_rows (Barrage viewport snapshots checked cell for
# cell against a whole-table DoGet; nulls, hostile and empty tables; cancel)
# against a fresh demo server.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_rows
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

start_server
timeout 240 "$PROG" "$SERVER_PORT" >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_rows"; else fail "itest_rows exited $rc"; fi
if kill -0 "$SERVER_PID" 2>/dev/null; then pass "the server is still running"; else fail "the server died"; fi
finish
