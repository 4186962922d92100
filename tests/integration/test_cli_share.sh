#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cli_share.sh: `dhtui publish` hands out a shared ticket that `dhtui
# fetch` and `dhtui check` (other sessions) can use while the publisher runs,
# and that stops being valid once the publisher is interrupted.
. "$(dirname "$0")/lib.sh"

start_server
P=$SERVER_PORT

# ---- a table ----
t0=$(now_ms)
publish trades "$IT_TMP/pub1"
t1=$(now_ms)
echo "published trades as $TICKET in $((t1 - t0)) ms"
T1=$TICKET
PUB1=$PUB_PID
if [[ "$T1" =~ ^shared/0x[0-9a-f]{32}$ ]]; then pass "the ticket is shared/0x + 32 hex digits"; else fail "ticket text '$T1'"; fi
grep -q 'press Ctrl-C to release it' "$IT_TMP/pub1.err" && pass "publish explains itself on stderr" ||
    fail "publish stderr: $(cat "$IT_TMP/pub1.err")"
if kill -0 "$PUB1" 2>/dev/null; then pass "the publisher keeps running"; else fail "the publisher exited"; fi

run_cli fetch "$T1" --port "$P"
expect_rc 0 "fetch the published table"
expect_out_has '^type +Table$' "fetch: Table"
expect_out_has '^size +1000000 rows$' "fetch: 1000000 rows"
expect_out_has '^updates +static$' "fetch: static"
expect_out_has '^  Id +' "fetch: the schema lists Id"
expect_out_has '^  NAME +DEEPHAVEN TYPE +ARROW TYPE$' "fetch: schema header"

run_cli fetch "$T1" --port "$P" --json
expect_rc 0 "fetch --json"
check "fetch --json parses" is_json "$OUT"
expect_out_has '"type":"Table"' "fetch --json: Table"
expect_out_has '"size":1000000' "fetch --json: size"

# The hex form that server messages print is accepted too.
hex=${T1#shared/0x}
run_cli check "$hex" --port "$P"
expect_rc 0 "check (bare hex form)"
expect_out_has "^$T1 +valid +table$" "check: valid table"

# ---- a figure ----
publish price_plot "$IT_TMP/pub2" --json
PUB2=$PUB_PID
if command -v python3 >/dev/null 2>&1; then
    T2=$(echo "$TICKET" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["name"]=="price_plot" and d["type"]=="Figure"; print(d["ticket"])')
else
    T2=$(echo "$TICKET" | sed -n 's/.*"ticket":"\([^"]*\)".*/\1/p')
fi
if [[ "$T2" =~ ^shared/0x[0-9a-f]{32}$ ]]; then pass "publish --json gives the ticket"; else fail "publish --json: '$TICKET'"; fi
run_cli fetch "$T2" --port "$P"
expect_rc 0 "fetch the published figure"
expect_out_has '^type +Figure$' "fetch: Figure"
expect_out_has '^ +series .* x=[^ ]+ +y=[^ ]+' "fetch: a series with X and Y columns"
run_cli fetch "$T2" --port "$P" --json
check "fetch figure --json parses" is_json "$OUT"
expect_out_has '"series":\[\{' "fetch --json: series"

run_cli check "$T1" "$T2" --port "$P"
expect_rc 0 "check two valid tickets"
expect_out_has "^$T2 +valid +not a table$" "check: the figure is valid"

# ---- the publisher goes away ----
kill -INT "$PUB1"
wait "$PUB1"
rc=$?
if [ "$rc" -eq 0 ]; then pass "publisher exits 0 on SIGINT"; else fail "publisher exit $rc on SIGINT"; fi
grep -q "released $T1" "$IT_TMP/pub1.err" && pass "publisher says it released" ||
    fail "publisher stderr: $(cat "$IT_TMP/pub1.err")"
t0=$(now_ms)
ok=0
for i in $(seq 1 50); do
    run_cli check "$T1" --port "$P"
    if [ "$RC" -eq 1 ]; then ok=1; break; fi
    sleep 0.1
done
t1=$(now_ms)
if [ "$ok" -eq 1 ]; then pass "check fails $((t1 - t0)) ms after the publisher left"; else fail "check still exit $RC"; fi
expect_out_has "^$T1 +(not found|failed) " "check: not found / failed"
run_cli check "$T1" "$T2" --port "$P"
expect_rc 1 "check with one invalid ticket"
run_cli fetch "$T1" --port "$P"
expect_rc 1 "fetch of the released ticket"
expect_one_err_line "fetch released"
expect_err_has 'NOT_FOUND|FAILED_PRECONDITION' "fetch released: the status is named"

kill -TERM "$PUB2"
wait "$PUB2"
rc=$?
if [ "$rc" -eq 0 ]; then pass "publisher exits 0 on SIGTERM"; else fail "publisher exit $rc on SIGTERM"; fi

# ---- unknown and malformed tickets ----
run_cli check shared/0x0123456789abcdef0123456789abcdef --port "$P"
expect_rc 1 "check of an unknown ticket"
expect_out_has 'not found' "unknown ticket: not found"
run_cli fetch shared/0x0123456789abcdef0123456789abcdef --port "$P"
expect_rc 1 "fetch of an unknown ticket"
expect_one_err_line "fetch unknown"
expect_err_has 'NOT_FOUND' "fetch unknown: NOT_FOUND"
run_cli check 'shared/0xnothex' --port "$P"
expect_rc 2 "check of a malformed ticket"
expect_one_err_line "check malformed"

# ---- the scripting idiom from --help ----
exec 3< <(exec "$DHTUI" publish quotes --port "$P" 2>/dev/null)
PUB3=$!
track_pid "$PUB3"
read -r -t 15 T3 <&3
run_cli check "$T3" --port "$P"
expect_rc 0 "ticket read through a process substitution is valid"
kill -INT "$PUB3"
exec 3<&-

# ---- the keep-alive holds the session; a dead session is reported ----
start_server --session-duration-ms 2000
P=$SERVER_PORT
publish trades "$IT_TMP/pub4"
PUB4=$PUB_PID
sleep 4
run_cli check "$TICKET" --port "$P"
expect_rc 0 "the ticket outlives the 2 s session lifetime (keep-alive)"
ctl expire-all >/dev/null
gone=0
for i in $(seq 1 100); do
    if ! kill -0 "$PUB4" 2>/dev/null; then gone=1; break; fi
    sleep 0.1
done
if [ "$gone" -eq 1 ]; then
    wait "$PUB4"
    rc=$?
    if [ "$rc" -eq 1 ]; then pass "publisher exits 1 when its session ends"; else fail "publisher exit $rc after expire-all"; fi
    grep -q 'is no longer valid' "$IT_TMP/pub4.err" && pass "publisher says the ticket is no longer valid" ||
        fail "publisher stderr: $(cat "$IT_TMP/pub4.err")"
else
    fail "publisher still running 10 s after its session expired"
fi

finish
