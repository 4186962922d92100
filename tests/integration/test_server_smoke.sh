#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_server_smoke.sh: dhtui-demo-server's command line, startup line, stdin control
# channel (stats, add, remove, expire-all, quit, errors), EOF on stdin, signals and
# clean exits.
set -u
: "${DH_SERVER:?DH_SERVER must name the dhtui-demo-server binary}"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dh-smoke.XXXXXX")
FAILS=0
PID=
cleanup() {
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }

# start args...: run the server with a control fifo on stdin (fd 9 keeps it open);
# sets PID and PORT from the first stdout line.
start() {
    rm -f "$TMP/ctl"
    mkfifo "$TMP/ctl"
    : >"$TMP/out"
    "$DH_SERVER" --port 0 "$@" <"$TMP/ctl" >"$TMP/out" 2>"$TMP/err" &
    PID=$!
    exec 9>"$TMP/ctl"
    SEEN=0
    local i line
    for i in $(seq 1 200); do
        line=$(head -n 1 "$TMP/out")
        case "$line" in
        "listening on 127.0.0.1:"*)
            PORT=${line##*:}
            SEEN=1
            return 0
            ;;
        esac
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "FATAL: server did not start: $(cat "$TMP/err")"
    exit 1
}

# ctl COMMAND: send one command; REPLY gets the reply line (waits up to 5 s).
ctl() {
    echo "$*" >&9
    local want=$((SEEN + 1)) i
    REPLY="(no reply)"
    for i in $(seq 1 100); do
        if [ "$(wc -l <"$TMP/out")" -ge "$want" ]; then
            SEEN=$want
            REPLY=$(sed -n "${want}p" "$TMP/out")
            return 0
        fi
        sleep 0.05
    done
}

expect_reply() {
    ctl "$1"
    if [ "$REPLY" = "$2" ]; then pass "'$1' -> '$REPLY'"; else fail "'$1': expected '$2', got '$REPLY'"; fi
}

# wait_exit SECONDS: wait for PID to exit; sets RC (124 on timeout).
wait_exit() {
    local i
    for i in $(seq 1 $(($1 * 20))); do
        if ! kill -0 "$PID" 2>/dev/null; then
            wait "$PID"
            RC=$?
            PID=
            return 0
        fi
        sleep 0.05
    done
    RC=124
}

# ---- command line ----
"$DH_SERVER" --help >"$TMP/help" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q -- '--session-duration-ms' "$TMP/help"; then pass "--help"; else fail "--help (exit $rc)"; fi
"$DH_SERVER" --bogus >/dev/null 2>"$TMP/e"
rc=$?
if [ $rc -eq 2 ] && grep -q "unknown option '--bogus'" "$TMP/e"; then pass "unknown option exits 2"; else fail "unknown option: exit $rc, $(cat "$TMP/e")"; fi
"$DH_SERVER" --port 70000 >/dev/null 2>"$TMP/e"
rc=$?
if [ $rc -eq 2 ]; then pass "bad --port exits 2"; else fail "bad --port: exit $rc"; fi
"$DH_SERVER" --session-duration-ms 5 >/dev/null 2>"$TMP/e"
rc=$?
if [ $rc -eq 2 ]; then pass "too short --session-duration-ms exits 2"; else fail "short duration: exit $rc"; fi

# ---- startup line and the control channel ----
start --rows 1000
if [[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -gt 0 ]; then pass "listening line names port $PORT"; else fail "port '$PORT'"; fi
if [ "$(wc -l <"$TMP/out")" -eq 1 ]; then pass "exactly one startup line"; else fail "startup printed $(wc -l <"$TMP/out") lines"; fi
if command -v ss >/dev/null 2>&1; then
    # grpc may use a dual-stack socket: ::ffff:127.0.0.1 is the same loopback address.
    local_addr=$(ss -ltn | awk -v p=":$PORT" '$4 ~ p"$" {print $4}')
    case "$local_addr" in
    127.0.0.1:$PORT | "[::ffff:127.0.0.1]:$PORT") pass "bound to 127.0.0.1 only ($local_addr)" ;;
    *) fail "listening on '$local_addr', not 127.0.0.1:$PORT" ;;
    esac
fi

expect_reply "stats" "sessions=0 exports=0 shared=0"
expect_reply "add smoke_t" "ok"
expect_reply "add smoke_fig Figure" "ok"
expect_reply "add smoke_df pandas.DataFrame" "ok"
expect_reply "add smoke_like Table quotes" "ok"
expect_reply "add smoke_t Table trades" "ok" # replaces the script variable
expect_reply "remove smoke_t" "ok"
expect_reply "remove smoke_t" "error: no object named 'smoke_t'"
expect_reply "add trades" "error: cannot add 'trades' (a built-in has that name?)"
expect_reply "add" "error: usage: add NAME [TYPE [LIKE]]"
expect_reply "frobnicate" "error: unknown command 'frobnicate' (add, add-hex, remove, stats, expire-all, stall, calls, exchanges, quit)"
expect_reply "expire-all" "ok"
expect_reply "stats" "sessions=0 exports=0 shared=0"
expect_reply "stall" "error: usage: stall SECONDS (0..3600)"
expect_reply "stall -1" "error: usage: stall SECONDS (0..3600)"
expect_reply "stall 0" "ok"
ctl calls
case "$REPLY" in
"calls="[0-9]*" last_second="[0-9]*) pass "calls: $REPLY" ;;
*) fail "calls replied '$REPLY'" ;;
esac

# A second server cannot take the same port.
"$DH_SERVER" --port "$PORT" </dev/null >"$TMP/out2" 2>"$TMP/err2" &
P2=$!
for i in $(seq 1 100); do kill -0 "$P2" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$P2" 2>/dev/null; then
    kill -KILL "$P2"
    fail "a second server started on port $PORT"
else
    wait "$P2"
    rc=$?
    if [ $rc -eq 1 ] && grep -q 'cannot listen' "$TMP/err2"; then pass "port in use exits 1"; else fail "port in use: exit $rc, $(cat "$TMP/err2")"; fi
fi

expect_reply "quit" "ok"
wait_exit 10
if [ "$RC" -eq 0 ]; then pass "quit exits 0"; else fail "quit: exit $RC; stderr: $(tail -n 5 "$TMP/err")"; fi
exec 9>&-

# ---- EOF on stdin keeps the server running; SIGTERM and SIGINT exit 0 ----
for sig in TERM INT; do
    "$DH_SERVER" --port 0 --quiet </dev/null >"$TMP/out3" 2>"$TMP/err3" &
    PID=$!
    for i in $(seq 1 200); do grep -q '^listening on ' "$TMP/out3" && break; sleep 0.05; done
    sleep 0.3
    if kill -0 "$PID" 2>/dev/null; then pass "still running after stdin EOF"; else fail "exited on stdin EOF"; fi
    kill -"$sig" "$PID"
    wait_exit 10
    if [ "$RC" -eq 0 ]; then pass "SIG$sig exits 0"; else fail "SIG$sig: exit $RC; $(tail -n 5 "$TMP/err3")"; fi
    if [ ! -s "$TMP/err3" ]; then pass "--quiet: nothing on stderr"; else fail "stderr: $(head -c 300 "$TMP/err3")"; fi
done

if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS check(s) failed"
    exit 1
fi
echo "all checks passed"
