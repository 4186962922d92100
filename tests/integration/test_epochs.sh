#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_epochs.sh: runs itest_epochs (rows follow their source across session
# renewals, live windows resume, no retry storm with the server gone) against
# a fresh demo server; the last test stops the server.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_epochs
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

start_server
timeout 120 "$PROG" "$SERVER_PORT" "$IT_TMP/ctl" >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_epochs"; else fail "itest_epochs exited $rc"; fi
# The server was told to quit: reap it here, so cleanup does not write to its
# closed control fifo.
kill -TERM "$SERVER_PID" 2>/dev/null
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=
exec 9>&-
finish
