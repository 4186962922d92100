#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_rows_roundtrip.sh: every value of nulls, hostile, wide and awkward
# survives `dhtui rows` in every format and an independent read. The oracle is
# the table as the server sent it: `--format arrow` decoded by apache-arrow
# (JS, installed from npm by scripts/arrow-js.sh), itself checked for awkward
# against a Python rewrite of the server's definitions. CSV, TSV, JSON and
# JSON Lines are read back with Python's csv and json modules (TSV with
# PostgreSQL COPY text unescaping) and compared value by value.
. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
command -v python3 >/dev/null || { fail "python3 is missing (scripts/install-deps.sh --test)"; finish; }
command -v node >/dev/null || { fail "node is missing (scripts/install-deps.sh --test)"; finish; }
JS=$("$ROOT/scripts/arrow-js.sh" "${DH_BUILD_DIR:-$ROOT/build}/arrow-js") ||
    { fail "could not install apache-arrow with npm ci"; finish; }
cp "$ROOT/tests/golden/arrow_values.mjs" "$JS/"

start_server
P=$SERVER_PORT
# odd_types: Intervals, a dictionary-encoded column (DictionaryBatch messages)
# and a Map<String, Long> in upstream MapChunkWriter's form
ctl "add odd_types odd_types" >/dev/null

for t in nulls hostile wide awkward odd_types; do
    timeout 60 "$DHTUI" rows "$t" --port "$P" --format arrow >"$IT_TMP/$t.arrows" 2>"$ERR"
    rc=$?
    [ "$rc" -eq 0 ] || fail "rows $t --format arrow: exit $rc: $(head -c 300 "$ERR")"
    if ! node "$JS/arrow_values.mjs" "$IT_TMP/$t.arrows" >"$IT_TMP/$t.oracle.json" 2>"$ERR"; then
        fail "apache-arrow cannot read rows $t --format arrow: $(head -c 300 "$ERR")"
        continue
    fi
    pass "apache-arrow reads rows $t --format arrow"
    for fmt in csv tsv json jsonl; do
        run_cli rows "$t" --port "$P" --format "$fmt"
        expect_rc 0 "rows $t --format $fmt"
        check "$t as $fmt reads back value by value" \
            python3 "$HERE/rows_check.py" "$fmt" "$OUT" "$IT_TMP/$t.oracle.json"
    done
done

# The stream carries what the server defines (not just what it sent).
check "awkward --format arrow holds the server's values" \
    python3 "$HERE/awkward_values.py" "$IT_TMP/awkward.oracle.json"

# Nulls and empty strings stay apart in CSV (PostgreSQL COPY's rule: a null is
# an empty unquoted field, the empty string is ""), and under --null.
run_cli rows awkward --port "$P" --format csv --columns Case,String
check "csv: the null string is an empty unquoted field" grep -qx '"0.1 + 0.2, null string",' "$OUT"
check "csv: the empty string is \"\"" grep -qx '"one tenth, empty string",""' "$OUT"
run_cli rows awkward --port "$P" --format tsv --columns Case,String --null NULL
check "tsv --null NULL: the null" grep -qx '0.1 + 0.2, null string	NULL' "$OUT"
check "tsv --null NULL: the string \\N stays escaped" grep -qxF 'smallest normal	\\N' "$OUT"

# Another zone: instants carry the offset and still read back exactly.
run_cli rows nulls --port "$P" --format csv --tz America/New_York
expect_rc 0 "rows nulls --tz America/New_York"
expect_out_has 'T09:30:00\.123456789-05:00' "csv --tz: local time with its offset"
check "nulls as csv --tz America/New_York reads back value by value" \
    python3 "$HERE/rows_check.py" csv "$OUT" "$IT_TMP/nulls.oracle.json"

# The pieces of --format arrow: one schema, batches, the end-of-stream marker;
# 300,000 rows span two snapshots (ROWS_SNAPSHOT), as one stream with no row
# lost or repeated.
run_cli rows trades --port "$P" --offset 5 --limit 300000 --format arrow
check "arrow: 300000 trades read back, Id 5 to 300004 in order" sh -c \
    "node -e 'const {tableFromIPC}=require(\"$JS/node_modules/apache-arrow\");const t=tableFromIPC(require(\"fs\").readFileSync(\"$OUT\"));const id=t.getChild(\"Id\");if(t.numRows!==300000)process.exit(1);for(let i=0;i<t.numRows;i++)if(id.get(i)!==BigInt(i+5))process.exit(1)'"
check "arrow: ends with the end-of-stream marker" sh -c \
    "tail -c 8 '$OUT' | od -An -tx1 | tr -d ' \n' | grep -qx ffffffff00000000"
run_cli rows trades --port "$P" --offset 5 --limit 300000 --format csv --columns Id
check "csv: 300000 Ids 5 to 300004 in order across snapshots" \
    awk 'NR > 1 && $1 != NR + 3 { exit 1 } END { exit NR != 300001 }' "$OUT"
run_cli rows trades --port "$P" --format arrow --columns Id
expect_rc 2 "arrow refuses --columns"
run_cli rows trades --port "$P" --format json --null x
expect_rc 2 "json refuses --null"
finish
