#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_serverops.sh: the demo server's SeekRow, ComputeColumnStatistics,
# Aggregate, SelectDistinct and DropColumns agree with the same computation
# done on a whole-table DoGet, and bad input gets upstream's codes
# (itest_serverops).
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
start_server --rows 200000
if timeout 180 "$DH_BUILD_DIR/tests/itest_serverops" "$SERVER_PORT" >"$IT_TMP/itest.out" 2>&1; then
    pass "server operations agree with a local computation"
else
    fail "itest_serverops: $(tail -n 20 "$IT_TMP/itest.out")"
fi
cat "$IT_TMP/itest.out"
finish
