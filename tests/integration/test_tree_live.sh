#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_tree_live.sh: runs itest_tree_live (a live tree window of a rollup over a
# ticking source, dh_client_watch_tree) against a demo server with a rollup of quotes
# (`add qr rollup quotes`), and that ls lists it.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_tree_live
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

start_server
ctl add qr rollup quotes >/dev/null
run_cli ls --json --port "$SERVER_PORT"
expect_out_has '"type": ?"HierarchicalTable"' "ls lists the rollup of quotes"
timeout 120 "$PROG" "$SERVER_PORT" >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_tree_live"; else fail "itest_tree_live exited $rc"; fi
if kill -0 "$SERVER_PID" 2>/dev/null; then pass "the server is still running"; else fail "the server died"; fi
finish
