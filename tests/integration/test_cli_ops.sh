#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cli_ops.sh: `dhtui publish NAME|TICKET --where/--sort` publishes the view
# the server derives (another session reads the same rows in the same order as
# `dhtui rows` with the same options), and `dhtui stats --column` prints the
# server's statistics, checked against a local computation from `dhtui rows`.
# Bad input: one line each, the usage exit code for bad options.
. "$(dirname "$0")/lib.sh"

start_server --rows 20000
P=$SERVER_PORT

rows_csv() {
    timeout 60 "$DHTUI" rows "$@" --port "$P" --format csv | tail -n +2
}

# ---- publish a filtered, sorted view ----
publish trades "$IT_TMP/pub1" --where 'Price > 300' --sort -Price,Id --json
PUB1=$PUB_PID
T1=$(echo "$TICKET" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ticket"])')
name=$(echo "$TICKET" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["name"] + "/" + d["type"])')
[ "$name" = "trades | Price > 300 | sort -Price,Id/Table" ] && pass "the view is named by its derivation" ||
    fail "publish --json name/type: '$name'"
want=$(rows_csv trades --where 'Price > 300' --sort -Price,Id)
got=$(rows_csv "$T1")
[ -n "$want" ] && [ "$got" = "$want" ] && pass "the published view has the view's rows in order ($(echo "$got" | wc -l) rows)" ||
    fail "the published view's rows differ from rows --where --sort ($(echo "$got" | wc -l) vs $(echo "$want" | wc -l))"

# A view of the published ticket, published again (TICKET operand).
publish "$T1" "$IT_TMP/pub2" --sort Id
T2=$TICKET
want=$(rows_csv trades --where 'Price > 300' --sort Id)
got=$(rows_csv "$T2")
[ -n "$want" ] && [ "$got" = "$want" ] && pass "a ticket's view published again" ||
    fail "the view of $T1 sorted by Id differs"
grep -q "published '$T1 | sort Id' as" "$IT_TMP/pub2.err" && pass "stderr names the view" ||
    fail "publish stderr: $(cat "$IT_TMP/pub2.err")"
kill -INT "$PUB_PID" "$PUB1" 2>/dev/null
wait "$PUB_PID" "$PUB1" 2>/dev/null

# Bad filters and sorts: one line, nothing published.
run_cli publish trades --port "$P" --where 'Nope > 1'
expect_rc 1 "publish --where on an unknown column"
expect_one_err_line "publish --where 'Nope > 1'"
expect_err_has "column 'Nope' not found" "the server's message"
run_cli publish trades --port "$P" --sort ','
expect_rc 2 "publish --sort ','"
expect_one_err_line "publish --sort ','"

# ---- stats ----
run_cli stats trades --port "$P" --column Price
expect_rc 0 "stats --column Price"
read -r n mn mx sum < <(rows_csv trades --columns Price |
    awk 'NR == 1 {mn = $1; mx = $1} {n++; s += $1; if ($1 < mn) mn = $1; if ($1 > mx) mx = $1}
         END {printf "%d %s %s %.2f\n", n, mn, mx, s}')
grouped=$(echo "$n" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
expect_out_has "^COUNT +$grouped$" "COUNT is $grouped"
expect_out_has "^MIN +$mn$" "MIN is $mn"
expect_out_has "^MAX +$mx$" "MAX is $mx"

run_cli stats trades --port "$P" --column Price --json
expect_rc 0 "stats --json"
check "stats --json parses" is_json "$OUT"
python3 - "$OUT" "$n" "$mn" "$mx" "$sum" <<'PY' && pass "stats --json values match a local computation" || fail "stats --json: $(cat "$OUT")"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["statistics"]
assert d["column"] == "Price"
assert s["COUNT"] == int(sys.argv[2]) and s["SIZE"] == int(sys.argv[2])
assert s["MIN"] == float(sys.argv[3]) and s["MAX"] == float(sys.argv[4])
assert abs(s["SUM"] - float(sys.argv[5])) < 0.01
assert abs(s["AVG"] - float(sys.argv[5]) / int(sys.argv[2])) < 1e-6
PY

# Text column with --where: the most common values with their counts.
run_cli stats trades --port "$P" --column Sym --where 'Price > 300' --json
expect_rc 0 "stats Sym --where"
python3 - "$OUT" <<PY && pass "most common symbols match a local count" || fail "stats Sym: $(cat "$OUT")"
import collections, json, sys
d = json.load(open(sys.argv[1]))["statistics"]
local = collections.Counter("""$(rows_csv trades --where 'Price > 300' --columns Sym)""".split())
assert d["COUNT"] == sum(local.values())
assert d["UNIQUE_VALUES"] == len(local)
assert dict(zip(d["UNIQUE_KEYS"], d["UNIQUE_COUNTS"])) == dict(local)
assert d["UNIQUE_COUNTS"] == sorted(d["UNIQUE_COUNTS"], reverse=True)
PY

run_cli stats trades --port "$P" --column Nope
expect_rc 1 "stats of an unknown column"
expect_one_err_line "stats --column Nope"
run_cli stats trades --port "$P"
expect_rc 2 "stats without --column"
expect_one_err_line "stats without --column"
run_cli stats trades --port "$P" --column Price --sort Id
expect_rc 2 "stats --sort"
finish
