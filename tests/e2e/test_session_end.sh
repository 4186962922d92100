#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_session_end: the connection told honestly. A stalled server (SIGSTOP)
# shows "stalled" while a call waits, and "connected" again when it answers;
# when the server forgets the session (expire-all), one status line says how
# many published tickets ended with it, the tickets panel marks the ticket
# "ended with session" (not "released"), p there publishes the object again
# to a new, valid ticket. A kill -9 shows "reconnecting" and a warning; after
# a restart on the same port it is "connected" again and the warning is gone.
. "$(dirname "$0")/lib.sh"

start_server
start_dhtui main 140 30
expect_text main "10 objects" 15
expect_text main "connected" 5

# ---- publish trades ----
keys main /
type_text main trades
keys main Enter
sleep 0.2
keys main p
expect_text main "Published trades (Table)" 10
TICKET=$(screen main | grep -o 'shared/0x[0-9a-f]*' | head -n 1)
[ ${#TICKET} -eq 41 ] || die "no shared ticket on the publish screen (got '$TICKET')"
keys main Enter
expect_text main "1 of 1 ticket valid" 5

# ---- a stalled server: "stalled", then "connected" again ----
kill -STOP "$E2E_SERVER_PID"
keys main Enter # open trades: a call the stopped server does not answer
wait_for_text main "stalled (no answer for" 10 ||
    fail "no 'stalled' state while the server is stopped: $(screen main | tail -n 2 | head -n 1)"
kill -CONT "$E2E_SERVER_PID"
wait_for_no_text main "stalled" 10 || fail "'stalled' stays after the server answers"
expect_text main "● connected" 10
esc main

# ---- the server forgets every session ----
server_cmd expire-all
expect_text main "1 published ticket ended with the session" 10
expect_text main "0 of 1 ticket valid" 10
keys main t
expect_text main "ended with session" 5
screen main | grep -q "● released" && fail "the ended ticket shows as released"
screen main | grep -q "● connected" || fail "not connected again after the session ended"

# ---- p publishes the same object again, to a new ticket ----
keys main p
expect_text main "Published trades (Table)" 10
NEW=$(screen main | grep -o 'shared/0x[0-9a-f]\{32\}' | head -n 1)
[ ${#NEW} -eq 41 ] || die "no new shared ticket on the publish screen (got '$NEW')"
[ "$NEW" != "$TICKET" ] || fail "publishing again gave the old ticket"
keys main Enter
expect_text main "1 of 2 tickets valid" 5
wait_for_text main "● valid" 5 || fail "the new ticket is not valid in the tickets panel"

# ---- kill -9 and restart on the same port: counted down, then back ----
esc main
expect_text main "match" 5
kill -9 "$E2E_SERVER_PID"
wait "$E2E_SERVER_PID" 2>/dev/null
wait_for_text main "reconnecting" 10 || fail "no 'reconnecting' while the server is down"
expect_text main "Connection lost, retrying" 5
"$DH_SERVER" --port "$E2E_PORT" --quiet <"$E2E_TMP/ctl" >/dev/null 2>&1 &
E2E_SERVER_PID=$!
expect_text main "● connected" 10
expect_text main "1 published ticket ended with the session" 10
wait_for_no_text main "Connection lost" 5 || fail "the connection warning outlives the outage"

# Nothing live any more: q quits at once.
keys main q
wait_exit main 5 || fail "dhtui did not quit"
finish
