#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cli_timeout.sh: --timeout bounds a whole CLI command, connecting
# included: against a stalled server (SIGSTOP) `rows` and `ls` give up
# within about the limit (rows took 6.4 s for --timeout 2000), with one
# error line; `publish --timeout` keeps holding its ticket past the limit.
. "$(dirname "$0")/lib.sh"

start_server
P=$SERVER_PORT

# timed LIMIT_MS description verb args...: run dhtui against the stalled
# server and check it fails within LIMIT_MS.
timed() {
    local limit=$1 what=$2
    shift 2
    local t0 took
    t0=$(now_ms)
    run_cli "$@" --port "$P" --timeout 2000
    took=$(($(now_ms) - t0))
    echo "# $what: exit $RC after $took ms"
    expect_rc 1 "$what against a stalled server"
    expect_one_err_line "$what against a stalled server"
    if [ "$took" -lt "$limit" ]; then pass "$what gave up in $took ms"; else fail "$what took $took ms"; fi
}

kill -STOP "$SERVER_PID"
timed 3500 "rows --timeout 2000" rows trades
timed 3500 "ls --timeout 2000" ls
kill -CONT "$SERVER_PID"

# The limit covers getting the ticket, not holding it.
publish trades "$IT_TMP/pub" --timeout 2000 || finish
sleep 3
if kill -0 "$PUB_PID" 2>/dev/null; then pass "publish holds its ticket past --timeout"; else fail "publish exited: $(cat "$IT_TMP/pub.err")"; fi
run_cli check "$TICKET" --port "$P"
expect_rc 0 "the ticket is still valid after the limit"
kill -INT "$PUB_PID"
wait "$PUB_PID"
rc=$?
if [ "$rc" -eq 0 ]; then pass "publisher exits 0 on SIGINT"; else fail "publisher exit $rc"; fi
finish
