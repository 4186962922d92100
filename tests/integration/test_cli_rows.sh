#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cli_rows.sh: `dhtui rows` pages through tables in every format, picks
# columns, keeps hostile text away from the terminal, streams large ranges and
# exits quietly when its reader goes away.
. "$(dirname "$0")/lib.sh"

start_server
P=$SERVER_PORT
have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1

# ---- the last ten rows of trades, as CSV ----
run_cli rows trades --port "$P" --offset 999990 --limit 10 --format csv
expect_rc 0 "rows --offset 999990 --limit 10 --format csv"
n=$(count_lines "$OUT")
if [ "$n" -eq 11 ]; then pass "10 rows + header"; else fail "expected 11 lines, got $n"; fi
expect_out_has '^Timestamp,Sym,Price,Size,Exchange,Flag,Id$' "csv header"
if [ "$have_python" -eq 1 ]; then
    ids=$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(" ".join(r["Id"] for r in rows))
' "$OUT")
    want=$(seq -s ' ' 999990 999999)
    if [ "$ids" = "$want" ]; then pass "Id 999990..999999"; else fail "ids: $ids"; fi
fi

# ---- a subset of columns, in the order asked ----
run_cli rows trades --port "$P" --offset 999990 --limit 10 --format csv --columns Id,Price
expect_rc 0 "rows --columns Id,Price"
expect_out_has '^Id,Price$' "--columns: header in the order asked"
first=$(sed -n 2p "$OUT")
last=$(sed -n 11p "$OUT")
case "$first" in 999990,*) pass "--columns: first row Id 999990" ;; *) fail "--columns first row '$first'" ;; esac
case "$last" in 999999,*) pass "--columns: last row Id 999999" ;; *) fail "--columns last row '$last'" ;; esac

run_cli rows trades --port "$P" --limit 5 --columns Id,NoSuchColumn
expect_rc 2 "--columns with an unknown column"
expect_one_err_line "unknown column"
expect_err_has "NoSuchColumn" "unknown column is named"
expect_err_has "Timestamp, Sym, Price" "unknown column: the available ones are listed"

# ---- an empty table: only a header ----
run_cli rows empty --port "$P" --format csv
expect_rc 0 "rows empty"
if [ "$(count_lines "$OUT")" -eq 1 ] && grep -q '^Id,Name,Value$' "$OUT"; then
    pass "rows empty: only the header"
else
    fail "rows empty: $(head -c 200 "$OUT")"
fi
run_cli rows empty --port "$P"
expect_rc 0 "rows empty (table)"
if [ "$(count_lines "$OUT")" -eq 1 ]; then pass "rows empty (table): one line"; else fail "rows empty (table): $(cat "$OUT")"; fi
run_cli rows empty --port "$P" --format json
expect_rc 0 "rows empty (json)"
check "rows empty (json) parses" is_json "$OUT"

# ---- hostile text never reaches the terminal: table and JSON always escape
# control characters; csv and tsv do with --escape (the default on a terminal;
# to a pipe they are byte-exact, see test_rows_roundtrip.sh) ----
for fmt in tsv csv table json jsonl; do
    esc=
    case $fmt in csv|tsv) esc=--escape ;; esac
    run_cli rows hostile --port "$P" --format "$fmt" $esc
    expect_rc 0 "rows hostile --format $fmt"
    hex=$(od -An -tx1 -v "$OUT" | tr -s ' \n' '  ')
    if echo "$hex" | grep -Eq '(^| )(1b|07)( |$)'; then
        fail "rows hostile --format $fmt: a raw ESC or BEL byte reached stdout"
    else
        pass "rows hostile --format $fmt: no raw ESC or BEL byte"
    fi
    if echo "$hex" | grep -Eq 'c2 9b'; then
        fail "rows hostile --format $fmt: raw U+009B"
    else
        pass "rows hostile --format $fmt: no raw C1 control"
    fi
done
run_cli rows hostile --port "$P" --format tsv
tsv_rows=$(count_lines "$OUT")
run_cli rows hostile --port "$P" --format csv --columns Id
csv_rows=$(count_lines "$OUT")
if [ "$tsv_rows" -eq "$csv_rows" ]; then
    pass "tsv: one line per row ($((tsv_rows - 1)) rows), newlines escaped"
else
    fail "tsv has $tsv_rows lines, expected $csv_rows"
fi
if [ "$have_python" -eq 1 ]; then
    run_cli rows hostile --port "$P" --format json
    check "rows hostile --format json parses" is_json "$OUT"
    run_cli rows hostile --port "$P" --format jsonl
    check "rows hostile --format jsonl: every line parses" python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    json.loads(line)
' "$OUT"
fi

# ---- JSON values are typed ----
run_cli rows trades --port "$P" --offset 5 --limit 2 --format json --columns Id,Sym,Flag
expect_rc 0 "rows --format json"
check "rows --format json parses" is_json "$OUT"
expect_out_has '\{"Id":5,"Sym":"[^"]+","Flag":(true|false)\}' "json: numbers, strings and booleans"
run_cli rows nulls --port "$P" --format json
expect_rc 0 "rows nulls --format json"
check "rows nulls --format json parses" is_json "$OUT"
expect_out_has ':null' "json: nulls are null"

# ---- a name or a ticket ----
run_cli rows a/demo/f/trades --port "$P" --limit 3 --format csv --columns Id
expect_rc 0 "rows by application ticket"
if [ "$(tr '\n' ' ' <"$OUT")" = "Id 0 1 2 " ]; then pass "rows by ticket: Id 0..2"; else fail "rows by ticket: $(cat "$OUT")"; fi
run_cli rows no_such_table --port "$P"
expect_rc 1 "rows of an unknown name"
expect_one_err_line "rows unknown name"
run_cli rows price_plot --port "$P"
expect_rc 1 "rows of a figure"
expect_one_err_line "rows of a figure"

# ---- aligned table output ----
run_cli rows trades --port "$P" --limit 3 --columns Id,Sym
expect_rc 0 "rows --format table"
expect_out_has '^ *Id +Sym *$' "table: header"
expect_out_has '^ +2 +[A-Z]+ *$' "table: right-aligned Id, then Sym"
if [ "$(count_lines "$OUT")" -eq 4 ]; then pass "table: header + 3 rows"; else fail "table: $(cat "$OUT")"; fi

# ---- many rows, bounded memory ----
t0=$(now_ms)
lines=$(timeout 120 "$DHTUI" rows trades --port "$P" --limit 100000 --format csv | wc -l)
t1=$(now_ms)
if [ "$lines" -eq 100001 ]; then pass "--limit 100000: 100001 lines"; else fail "--limit 100000: $lines lines"; fi
echo "100000 rows as CSV in $((t1 - t0)) ms"
# Peak memory must not grow with the number of rows (sanitizer builds keep
# freed memory in quarantine, so the comparison is skipped there).
if [ -x /usr/bin/time ] && ! grep -q __asan_init "$DHTUI"; then
    /usr/bin/time -f '%M' -o "$IT_TMP/rss1" "$DHTUI" rows trades --port "$P" --limit 20000 --format csv >/dev/null
    /usr/bin/time -f '%M' -o "$IT_TMP/rss2" "$DHTUI" rows trades --port "$P" --limit 300000 --format csv >/dev/null
    small=$(tail -n 1 "$IT_TMP/rss1")
    big=$(tail -n 1 "$IT_TMP/rss2")
    echo "max RSS: $small KiB for 20000 rows, $big KiB for 300000 rows"
    if [ "$big" -lt $((small + 20000)) ]; then pass "memory stays bounded"; else fail "max RSS grew from $small to $big KiB"; fi
else
    echo "skip: memory bound (no /usr/bin/time, or a sanitizer build)"
fi

# ---- a reader that goes away ----
timeout 60 "$DHTUI" rows trades --port "$P" 2>"$IT_TMP/head.err" | head -3 >"$IT_TMP/head.out"
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ]; then pass "rows | head -3: exit 0"; else fail "rows | head -3: exit $rc"; fi
if [ -s "$IT_TMP/head.err" ]; then fail "rows | head -3 wrote to stderr: $(head -c 300 "$IT_TMP/head.err")"; else pass "rows | head -3 is quiet"; fi
if [ "$(count_lines "$IT_TMP/head.out")" -eq 3 ]; then pass "head got 3 lines"; else fail "head got $(count_lines "$IT_TMP/head.out")"; fi

finish
