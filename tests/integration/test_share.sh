#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_share.sh: runs itest_share (two library sessions publishing, fetching,
# probing and releasing; dh_exports, dh_table_info_fetch, dh_figure) against a
# fresh demo server. itest_share reads export counts through the server's
# control channel (`stats`) to prove that probes and failures leave nothing behind.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_share
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

start_server
timeout 120 "$PROG" "$SERVER_PORT" "$IT_TMP/ctl" "$SERVER_OUT" >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_share"; else fail "itest_share exited $rc"; fi
SERVER_SEEN=$(count_lines "$SERVER_OUT") # itest_share read stats replies itself
if kill -0 "$SERVER_PID" 2>/dev/null; then pass "the server is still running"; else fail "the server died"; fi
finish
