#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_partitioned.sh: a partitioned table (trades by Sym) through libdh
# (itest_partitioned): its descriptor and key table, the constituent of a key,
# the merge, and the server's refusals.
. "$(dirname "$0")/lib.sh"

start_server --rows 20000
P=$SERVER_PORT
check "the demo server adds a partitioned table" [ "$(ctl add trades_by_sym PartitionedTable trades)" = ok ]

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
if timeout 120 "$DH_BUILD_DIR/tests/itest_partitioned" "$P" >"$IT_TMP/itest.out" 2>&1; then
    pass "keys, constituent and merge agree with a local partition of trades"
else
    fail "itest_partitioned: $(tail -n 15 "$IT_TMP/itest.out")"
fi

run_cli ls --port "$P"
expect_rc 0 "ls lists it"
expect_out_has "trades_by_sym" "the partitioned table is listed"
expect_out_has "PartitionedTable" "with upstream's type name"
finish
