#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cli_errors.sh: every failure is one line on stderr and a non-zero exit:
# refused connections, a peer that never speaks HTTP/2 (the 5 s connect
# timeout), pre-shared-key authentication, malformed tickets, usage errors.
. "$(dirname "$0")/lib.sh"

# A loopback port nobody listens on: bind one, then close it.
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    else
        echo 1
    fi
}

# ---- refused ----
port=$(free_port)
t0=$(now_ms)
run_cli ls --host 127.0.0.1 --port "$port"
t1=$(now_ms)
expect_rc 1 "ls against a closed port"
expect_one_err_line "refused"
expect_err_has 'UNAVAILABLE|refused' "refused: the status is named"
expect_err_has "127.0.0.1:$port" "refused: the target is named"
echo "refused after $((t1 - t0)) ms"

# ---- a listener that never answers: the connect timeout ----
if command -v python3 >/dev/null 2>&1; then
    python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept()
    held.append(c)   # accept and never say a word
' >"$IT_TMP/silent.port" &
    track_pid $!
    for i in $(seq 1 100); do
        [ -s "$IT_TMP/silent.port" ] && break
        sleep 0.05
    done
    sport=$(head -n 1 "$IT_TMP/silent.port")
    t0=$(now_ms)
    run_cli ls --host 127.0.0.1 --port "$sport"
    t1=$(now_ms)
    took=$((t1 - t0))
    echo "silent peer: gave up after $took ms"
    expect_rc 1 "ls against a silent peer"
    expect_one_err_line "silent peer"
    expect_err_has 'DEADLINE_EXCEEDED|UNAVAILABLE|timed out|time' "silent peer: says it timed out"
    if [ "$took" -lt 6500 ]; then pass "silent peer: within ~6 s"; else fail "silent peer took $took ms"; fi
    t0=$(now_ms)
    run_cli ls --host 127.0.0.1 --port "$sport" --connect-timeout 1000
    t1=$(now_ms)
    if [ "$RC" -eq 1 ] && [ $((t1 - t0)) -lt 2500 ]; then
        pass "--connect-timeout 1000 gives up in $((t1 - t0)) ms"
    else
        fail "--connect-timeout 1000: exit $RC after $((t1 - t0)) ms"
    fi
else
    echo "skip: silent peer (no python3)"
fi

# ---- pre-shared key ----
start_server --psk secret
run_cli ls --port "$SERVER_PORT"
expect_rc 1 "anonymous against a psk server"
expect_one_err_line "no key"
expect_err_has 'UNAUTHENTICATED' "no key: UNAUTHENTICATED"
run_cli ls --port "$SERVER_PORT" --auth psk --auth-value wrong
expect_rc 1 "wrong key"
expect_one_err_line "wrong key"
expect_err_has 'UNAUTHENTICATED' "wrong key: UNAUTHENTICATED"
run_cli ls --port "$SERVER_PORT" --auth psk --auth-value secret
expect_rc 0 "right key"
expect_out_has '^trades ' "right key lists objects"
DHTUI_AUTH_VALUE=secret run_cli ls --port "$SERVER_PORT" --auth psk
expect_rc 0 "right key from DHTUI_AUTH_VALUE"
stop_server

# ---- TLS against a plaintext server; an unreadable CA file ----
start_server
run_cli ls --port "$SERVER_PORT" --tls
expect_rc 1 "--tls against a plaintext server"
expect_one_err_line "TLS handshake failure"
expect_err_has 'UNAVAILABLE' "TLS failure: the status is named"
run_cli ls --port "$SERVER_PORT" --ca "$IT_TMP/no-such-ca.pem"
expect_rc 1 "--ca with a missing file"
expect_one_err_line "missing CA file"
run_cli ls --port "$SERVER_PORT" --auth Basic --auth-value user:password
expect_rc 1 "Basic credentials against an anonymous-only server"
expect_one_err_line "Basic refused"
expect_err_has 'UNAUTHENTICATED' "Basic refused: UNAUTHENTICATED"
run_cli ls --port "$SERVER_PORT" --auth Basic --auth-value nocolon
expect_rc 2 "Basic without user:password is a usage error"

# ---- tickets and usage ----
run_cli fetch 'shared/0xZZ' --port "$SERVER_PORT"
expect_rc 2 "fetch of a malformed ticket"
expect_one_err_line "malformed ticket"
expect_err_has "^dhtui: expected a shared ticket .* but found a character 'Z' at position 10\$" \
    "malformed ticket: the parser's fragment"
run_cli check 'shared/0x12' 'not a ticket!' --port "$SERVER_PORT"
expect_rc 2 "check with one malformed ticket"
expect_err_has "^dhtui: expected a ticket .* but found a character '!' at position 13\$" \
    "check: the parser's fragment"
run_cli --frobnicate
expect_rc 2 "unknown option"
expect_err_has "unknown option '--frobnicate'" "unknown option is named"
run_cli rows trades --port "$SERVER_PORT" --limit ten
expect_rc 2 "--limit ten"
run_cli rows trades --port "$SERVER_PORT" --format xml
expect_rc 2 "--format xml"
run_cli ls --port "$SERVER_PORT" --auth-value x
expect_rc 2 "--auth-value without --auth"
run_cli ls --port 70000
expect_rc 2 "--port out of range"
run_cli publish no_such_object --port "$SERVER_PORT"
expect_rc 1 "publish of a missing name"
expect_err_has "no object named 'no_such_object' \\(dhtui ls lists them\\)" "missing name: the sentence"
run_cli --version
expect_rc 0 "--version"
expect_out_has '^dhtui [0-9]' "--version prints the version"
run_cli --help
expect_rc 0 "--help"
for word in ls publish fetch check rows --demo --auth-value DHTUI_AUTH_VALUE --format --columns; do
    expect_out_has "$word" "--help mentions $word"
done

finish
