#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_hier.sh: runs itest_hier (libdh's hierarchical tables: descriptor, views with
# expansions uploaded as a key table, viewport reads) against a demo server with a
# rollup (`add r rollup`), and checks that the rollup is listed as upstream lists it.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_hier
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

start_server --rows 5000
ctl add r rollup >/dev/null
run_cli ls --json --port "$SERVER_PORT"
expect_out_has '"type": ?"HierarchicalTable"' "ls lists the rollup as a HierarchicalTable"
timeout 120 "$PROG" "$SERVER_PORT" 5000 >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_hier"; else fail "itest_hier exited $rc"; fi
if kill -0 "$SERVER_PID" 2>/dev/null; then pass "the server is still running"; else fail "the server died"; fi
finish
