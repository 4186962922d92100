#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_tableops.sh: `dhtui rows --where/--sort` asks the server (one Batch call)
# and gets what a local sort/filter of a full read gives (tableops_check.py),
# and so do structured filters (itest_tableops);
# bad filters and columns fail with one line naming them.
. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { fail "python3 is missing (scripts/install-deps.sh --test)"; finish; }

# more rows than DEMO_SORT_LAZY_MIN (server/sort.h): trades sorts lazily, windows first
start_server --rows 80000
P=$SERVER_PORT

check "server sorts and filters agree with a local computation" \
    python3 "$HERE/tableops_check.py" "$DHTUI" "$P"

# Structured Filter (the pager's = and !) of every literal kind, checked
# against a whole-table DoGet by itest_tableops.
: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
if timeout 120 "$DH_BUILD_DIR/tests/itest_tableops" "$P" >"$IT_TMP/itest.out" 2>&1; then
    pass "structured filters agree with a local match"
else
    fail "itest_tableops: $(tail -n 15 "$IT_TMP/itest.out")"
fi

run_cli rows trades --port "$P" --where 'Nope > 1'
expect_rc 1 "unknown column in a filter"
expect_one_err_line "unknown column in a filter"
expect_err_has "INVALID_ARGUMENT: .*column 'Nope' not found" "the message names the column"

run_cli rows trades --port "$P" --where 'Price >'
expect_rc 1 "unparsable filter"
expect_one_err_line "unparsable filter"
expect_err_has "INVALID_ARGUMENT: Invalid filter: expected a value at position 8 of filter 'Price >'" \
    "the message names the filter and the position"

run_cli rows trades --port "$P" --sort Price,Bad,Worse
expect_rc 1 "unknown sort column"
expect_err_has "FAILED_PRECONDITION: column\(s\) not found: Bad, Worse" "upstream's message for a sort"

run_cli rows trades --port "$P" --sort ','
expect_rc 2 "empty sort spec"
expect_one_err_line "empty sort spec"

run_cli rows trades --port "$P" --where 'Price > 180' --sort -Price --limit 3 --format csv
expect_rc 0 "filter, sort and limit"
check "three rows and a header" [ "$(count_lines "$OUT")" -eq 4 ]
finish
