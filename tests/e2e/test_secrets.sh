#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_secrets: a wrong secret is fixed without restarting, and secrets and
# tickets stay private. Against a demo server with a 600-byte pre-shared key,
# dhtui started with a wrong one opens a no-echo prompt; a wrong answer asks
# again, Esc then a reopens it, the right key connects (and so does the key
# from --auth-value-command). The key never shows on screen or in the --log
# file, which (like the ticket history) is created 0600. An object with a
# 5,000-character name is listed with the reason it cannot be opened.
. "$(dirname "$0")/lib.sh"

KEY=$(head -c 600 /dev/urandom | base64 -w 0 | tr -d '=+/' | head -c 600)
start_server --psk "$KEY"
start_dhtui main 120 40 --auth psk --auth-value "wrong-$KEY"
PROMPT="pre-shared key for localhost:$E2E_PORT (not shown):"
expect_text main "$PROMPT" 15

# A wrong answer: refused again, asked again.
type_text main "still-wrong"
keys main Enter
expect_text main "UNAUTHENTICATED" 10
expect_text main "$PROMPT" 10
screen main | grep -q "still-wrong" && fail "the typed secret is on the screen"

# Esc closes the prompt; a opens it again.
esc main
expect_text main "refused the credential: press a to enter it again" 5
keys main a
expect_text main "$PROMPT" 5
type_text main "$KEY"
screen main | grep -qF "${KEY:0:16}" && fail "the typed key is on the screen"
keys main Enter
expect_text main "trades" 15
expect_text main "connected" 10

[ "$(stat -c %a "$E2E_TMP/main.log")" = 600 ] ||
    fail "the --log file is mode $(stat -c %a "$E2E_TMP/main.log"), not 600"
grep -qF "${KEY:0:16}" "$E2E_TMP/main.log" && fail "the key is in the --log file"
grep -q "still-wrong" "$E2E_TMP/main.log" && fail "a typed secret is in the --log file"

# ---- a 5,000-character name is listed with the reason ----
server_cmd "add-hex 61 5000"
keys main /
type_text main aaaaaaaaaa
keys main Enter
expect_text main "cannot be used: its ticket is 5002 bytes" 10
keys main Enter
expect_text main "Cannot open aaaaaaaa" 5
esc main

# ---- the ticket history is created 0600 ----
keys main f
type_text main "s/not_there"
keys main Enter
expect_text main "Could not open s/not_there" 10
hist="$E2E_TMP/state-main/dhtui/history"
[ -f "$hist" ] || die "no history file at $hist"
[ "$(stat -c %a "$hist")" = 600 ] || fail "the history file is mode $(stat -c %a "$hist"), not 600"
esc main
keys main q
wait_exit main 10 || die "q did not quit"
[ "$(stat -c %a "$hist")" = 600 ] ||
    fail "the history file is mode $(stat -c %a "$hist") after quitting, not 600"
grep -qF "${KEY:0:16}" "$hist" && fail "the key is in the history"

# ---- the browser takes the key from --auth-value-command too ----
printf '%s\n' "$KEY" >"$E2E_TMP/key"
start_dhtui cmd 120 40 --auth psk --auth-value-command "cat $E2E_TMP/key"
expect_text cmd "trades" 15
screen cmd | grep -q "not shown" && fail "--auth-value-command: the key was asked for"
keys cmd q
wait_exit cmd 10 || die "q did not quit"
finish
