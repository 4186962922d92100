#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_live_views.sh: a filtered and a sorted view of the ticking quotes table
# stay equal to the same view computed from a fresh read of quotes, update
# after update (itest_live_views).
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
start_server
if timeout 120 "$DH_BUILD_DIR/tests/itest_live_views" "$SERVER_PORT" >"$IT_TMP/itest.out" 2>&1; then
    pass "live filtered and sorted views agree with fresh reads"
else
    fail "itest_live_views: $(tail -n 20 "$IT_TMP/itest.out")"
fi
cat "$IT_TMP/itest.out"
finish
