#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cli_ls.sh: `dhtui ls` lists the demo server's objects (text and JSON),
# follows objects added and removed through the control channel, and --demo
# starts and stops its own server.
. "$(dirname "$0")/lib.sh"

start_server
echo "server on port $SERVER_PORT"

t0=$(now_ms)
run_cli ls --port "$SERVER_PORT"
t1=$(now_ms)
expect_rc 0 "ls"
echo "ls took $((t1 - t0)) ms (connect, list, close)"
expect_out_has '^NAME +TYPE +APPLICATION +DESCRIPTION' "ls prints a header"
for name in trades quotes empty wide nulls hostile; do
    expect_out_has "^$name +Table " "ls lists $name as a Table"
done
expect_out_has '^price_plot +Figure ' "ls lists price_plot as a Figure"
n=$(($(count_lines "$OUT") - 1))
if [ "$n" -eq 10 ]; then pass "exactly 10 objects"; else fail "expected 10 objects, got $n"; fi
if grep -q $'\x1b' "$OUT"; then fail "ls output holds a raw ESC"; else pass "no raw ESC in ls"; fi

run_cli ls --port "$SERVER_PORT" --json
expect_rc 0 "ls --json"
check "ls --json parses" is_json "$OUT"
if command -v python3 >/dev/null 2>&1; then
    got=$(python3 -c '
import json, sys
objs = json.load(open(sys.argv[1]))
keys = {"name", "type", "application_id", "application_name", "description", "ticket"}
assert all(set(o) == keys for o in objs), "keys"
print(" ".join(sorted(o["name"] + ":" + o["type"] for o in objs)))
' "$OUT")
    want="awkward:Table empty:Table hostile:Table nulls:Table price_by_sym:Figure price_plot:Figure price_px:deephaven.plot.express.DeephavenFigure quotes:Table trades:Table wide:Table"
    if [ "$got" = "$want" ]; then pass "ls --json names and types"; else fail "ls --json: got '$got'"; fi
else
    expect_out_has '"name":"trades"' "ls --json has trades"
fi
expect_out_has '"ticket":"s/trades"' "ls --json gives the scope ticket of trades"
expect_out_has '"application_id":"scope"' "ls --json lists query-scope variables"
run_cli rows a/demo/f/trades --port "$SERVER_PORT" --limit 2 --format csv
expect_rc 0 "the application ticket a/demo/f/trades still resolves"

reply=$(ctl "add foo")
echo "control: add foo -> $reply"
run_cli ls --port "$SERVER_PORT"
expect_rc 0 "ls after add"
expect_out_has '^foo +Table ' "ls shows foo after 'add foo'"
run_cli ls --port "$SERVER_PORT" --json
expect_out_has '"ticket":"s/foo"' "foo is a scope variable (s/foo)"

reply=$(ctl "remove foo")
echo "control: remove foo -> $reply"
run_cli ls --port "$SERVER_PORT"
expect_rc 0 "ls after remove"
expect_out_lacks '^foo ' "ls no longer shows foo after 'remove foo'"

# Usage errors are exit 2.
run_cli ls --port "$SERVER_PORT" extra
expect_rc 2 "ls with an operand"
run_cli ls --port "$SERVER_PORT" --offset 3
expect_rc 2 "ls with a rows-only option"
expect_one_err_line "ls --offset"

# --demo starts the server found next to dhtui, and stops it afterwards.
if [ "$(dirname "$DHTUI")" = "$(dirname "$DH_SERVER")" ]; then
    t0=$(now_ms)
    run_cli ls --demo --demo-rows 1000
    t1=$(now_ms)
    expect_rc 0 "ls --demo"
    echo "ls --demo took $((t1 - t0)) ms (start server, connect, list, stop)"
    expect_out_has '^trades +Table ' "ls --demo lists trades"
    expect_out_has '^trades_by_sym +PartitionedTable ' "ls --demo lists the partitioned sample"
    expect_out_has '^trades_rollup +HierarchicalTable ' "ls --demo lists the rollup sample"
    expect_out_has '^odd_types +Table ' "ls --demo lists the odd types sample"
    expect_out_has '^churn +Table ' "ls --demo lists the churning sample"
    left=$(ps -eo args | grep -c '^[^ ]*dhtui-demo-server --port 0 --quiet --samples --rows 1000$')
    if [ "$left" -eq 0 ]; then pass "the --demo server is gone"; else fail "$left --demo server(s) left running"; fi
else
    echo "skip: --demo (dhtui and the server are not in one directory)"
fi
DHTUI_DEMO_SERVER=/nonexistent/server run_cli ls --demo
expect_rc 1 "ls --demo with a missing server binary"
expect_one_err_line "ls --demo, missing server"

finish
