#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_publish: `dhtui publish trades` holds its ticket through every fault shorter than
# half the session lifetime (20 s here, 60 s under make soak): a stall, the link cut
# (calls fail fast meanwhile; for 25 s under make soak), every connection reset, a slow
# link, the server frozen. While a fault holds the publisher stays quiet; after each,
# `dhtui check` (straight to the server) says the ticket is valid. When every session is
# expired the publisher says so in one line and exits 1 (by its next token refresh, half
# a lifetime later).
. "$(dirname "$0")/lib.sh"

# A session lives DURATION ms after its last refresh; dhtui refreshes every DURATION/2,
# so a fault shorter than DURATION/2 never outlives the session.
DURATION=20000
[ "${DH_CHAOS_LONG:-0}" = 1 ] && DURATION=60000
chaos_server --session-duration-ms $DURATION
chaos_proxy
start_publisher "$E2E_PORT"

# ticket_valid: the publisher runs and the server says the ticket is valid.
ticket_valid() {
    kill -0 $PUB_PID 2>/dev/null || {
        fail "after $1: publish exited: $(tail -n 1 "$E2E_TMP/publish.err")"
        return 1
    }
    # shellcheck disable=SC2046
    env $(sanitizer_env check) "$DHTUI" check "$TICKET" --port "$SERVER_PORT" \
        >"$E2E_TMP/check.out" 2>&1 || {
        fail "after $1: the ticket is not valid: $(cat "$E2E_TMP/check.out")"
        TICKETS_LOST=$((TICKETS_LOST + 1))
        return 1
    }
}
ticket_valid start

# one_fault FAULT HOLD_SECONDS [CHECK_NAME]
one_fault() {
    local fault=$1 hold=$2 name=${3:-publish-$1}
    [ "$fault" = expire ] || [ "$fault" = kill ] && return 0 # they end the ticket: below
    enabled "$name" || return 0
    fault_start "$fault"
    if [ "$hold" -gt 0 ]; then
        expect_quiet_pid $PUB_PID "$(( hold < 2 ? hold : 2 ))"
        [ "$hold" -gt 2 ] && sleep $((hold - 2))
        fault_end "$fault"
    fi
    ticket_valid "$fault"
}

each_fault one_fault
# Calls fail fast for most of the session lifetime (make soak: DH_CHAOS_LONG=1).
[ "${DH_CHAOS_LONG:-0}" = 1 ] && one_fault cut 25 publish-long-cut

if enabled publish-expire; then
    fault_start expire
    t0=$(now_ms)
    limit=$((DURATION / 2 + 5000 * SLOW)) # the next refresh finds the session gone
    while kill -0 $PUB_PID 2>/dev/null && [ $(($(now_ms) - t0)) -lt $limit ]; do
        sleep 0.05
    done
    if kill -0 $PUB_PID 2>/dev/null; then
        fail "publish still runs $limit ms after its session expired"
    else
        wait $PUB_PID
        rc=$?
        [ $rc -eq 1 ] || fail "publish exited $rc after its session expired (want 1)"
        [ "$(grep -c 'session ended' "$E2E_TMP/publish.err")" -eq 1 ] ||
            fail "publish did not say in one line that the session ended: $(cat "$E2E_TMP/publish.err")"
    fi
fi
kill -INT $PUB_PID 2>/dev/null
wait $PUB_PID 2>/dev/null
chaos_finish
