#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cli_safety.sh: what the server names never reaches the terminal raw,
# and what dhtui cannot use is listed with the reason. `dhtui publish` of an
# object named with escape sequences prints the name sanitised; an object
# with a 5,000-character name is listed by `ls` (text and --json) with why it
# cannot be used, and `publish`/`rows` of it fail with that reason. A second
# SIGTERM ends a publisher that is releasing on a stalled server at once.
. "$(dirname "$0")/lib.sh"

start_server
P=$SERVER_PORT

# 1 if file $1 holds any control byte (other than the line feeds).
has_control() {
    LC_ALL=C tr -d '\n' <"$1" | LC_ALL=C grep -q '[[:cntrl:]]'
}

# ---- a hostile name: ESC [ 2 J evil BEL ----
reply=$(ctl "add-hex 1b5b324a6576696c07")
[ "$reply" = ok ] || fail "add-hex: $reply"
name=$(printf '\033[2Jevil\007')
"$DHTUI" publish "$name" --port "$P" >"$IT_TMP/pub.out" 2>"$IT_TMP/pub.err" &
pub=$!
track_pid "$pub"
wait_for_lines "$IT_TMP/pub.err" 1
kill -TERM "$pub"
wait "$pub"
grep -qF "published '\\e[2Jevil\\a' as shared/0x" "$IT_TMP/pub.err" &&
    pass "publish names the object with escapes shown as text" ||
    fail "publish stderr: $(od -c "$IT_TMP/pub.err" | head -n 4)"
if has_control "$IT_TMP/pub.err" || has_control "$IT_TMP/pub.out"; then
    fail "publish printed a raw control byte"
else
    pass "publish printed no control byte"
fi

run_cli ls --port "$P"
expect_rc 0 "ls with a hostile name"
if has_control "$OUT"; then fail "ls printed a raw control byte"; else pass "ls output is clean"; fi

# ---- a 5,000-character name ----
reply=$(ctl "add-hex 61 5000")
[ "$reply" = ok ] || fail "add-hex 61 5000: $reply"
long=$(printf 'a%.0s' $(seq 1 5000))
run_cli ls --port "$P"
expect_rc 0 "ls with a 5,000-character name"
expect_out_has '^aaaaaaaa.*cannot be used: its ticket is 5002 bytes' \
    "ls lists the long name with the reason"
run_cli ls --port "$P" --json
check "ls --json parses" is_json "$OUT"
python3 - "$OUT" <<'EOF' && pass "ls --json: the long name, no ticket, the reason" || fail "ls --json: $(head -c 300 "$OUT")"
import json, sys
objs = json.load(open(sys.argv[1]))
o = [x for x in objs if len(x["name"]) == 5000]
assert len(o) == 1 and o[0]["ticket"] == "" and "5002 bytes" in o[0]["unusable"], o
assert all("unusable" not in x for x in objs if len(x["name"]) != 5000)
EOF
run_cli publish "$long" --port "$P"
expect_rc 1 "publish of the long name fails"
expect_one_err_line "publish of the long name"
expect_err_has "cannot be used: its ticket is 5002 bytes" "publish says why"
run_cli rows "$long" --port "$P"
expect_rc 1 "rows of the long name fails"
expect_err_has "cannot be used: its ticket is 5002 bytes" "rows says why"

# ---- publish: a second SIGTERM while releasing on a stalled server ----
publish trades "$IT_TMP/pub2"
kill -STOP "$SERVER_PID"
kill -TERM "$PUB_PID"
sleep 0.3
t0=$(now_ms)
kill -TERM "$PUB_PID" 2>/dev/null
for _ in $(seq 1 100); do
    kill -0 "$PUB_PID" 2>/dev/null || break
    sleep 0.02
done
t1=$(now_ms)
kill -CONT "$SERVER_PID"
if kill -0 "$PUB_PID" 2>/dev/null; then
    fail "publish still runs 2 s after a second SIGTERM"
else
    pass "a second SIGTERM ends publish in $((t1 - t0)) ms"
fi
wait "$PUB_PID" 2>/dev/null

finish
