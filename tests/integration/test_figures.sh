#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_figures.sh: runs itest_figures (a plot_by figure and a plot-express
# figure: series, keys, merged and per-key tables, release) against a fresh
# demo server, and the CLI's fetch of each.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_figures
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

start_server
timeout 120 "$PROG" "$SERVER_PORT" >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_figures"; else fail "itest_figures exited $rc"; fi

run_cli fetch a/demo/f/price_by_sym --port "$SERVER_PORT" --json
expect_rc 0 "fetch price_by_sym"
expect_out_has '"partitioned_table":0,"keys":\["Sym"\]' "fetch --json names the partitioned table and its key"
expect_out_has '"errors":\[\]' "the partitioned table was read without error"
run_cli fetch a/demo/f/price_px --port "$SERVER_PORT"
expect_rc 0 "fetch price_px"
expect_out_has '^type +deephaven.plot.express.DeephavenFigure' "fetch says the plot-express type"
expect_out_has '^    series MSFT +LINE +x=Timestamp +y=Price +table 2' "fetch lists the third trace"
finish
