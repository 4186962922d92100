#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cli_secrets.sh: credentials of any realistic length, from a command,
# never echoed. Against a demo server with a 16 KB pre-shared key (OIDC tokens
# run 1-16 KB): the key works from --auth-value, $DHTUI_AUTH_VALUE and
# --auth-value-command (git-credential style: one trailing newline trimmed);
# a publisher started with --auth-value-command has no secret in its argv; a
# wrong key fails in one line that does not quote it; past 64 KB and a failing
# command are refused with a clear reason.
. "$(dirname "$0")/lib.sh"

KEY=$(head -c 13000 /dev/urandom | base64 -w 0 | tr -d '=+/' | head -c 16384)
[ ${#KEY} -ge 16000 ] || { echo "FATAL: could not make a 16 KB key"; exit 1; }
printf '%s\n' "$KEY" >"$IT_TMP/key"
start_server --psk "$KEY"
P=$SERVER_PORT

run_cli ls --port "$P" --auth psk --auth-value "$KEY"
expect_rc 0 "ls with a ${#KEY}-byte key in --auth-value"
expect_out_has '^trades ' "ls lists trades"
DHTUI_AUTH_VALUE=$KEY run_cli ls --port "$P" --auth psk
expect_rc 0 "ls with the key in \$DHTUI_AUTH_VALUE"
run_cli ls --port "$P" --auth psk --auth-value-command "cat '$IT_TMP/key'"
expect_rc 0 "ls with the key from --auth-value-command"

# A publisher holding a ticket: the key is nowhere in its command line.
"$DHTUI" publish trades --port "$P" --auth psk --auth-value-command "cat '$IT_TMP/key'" \
    >"$IT_TMP/pub.out" 2>"$IT_TMP/pub.err" &
pub=$!
track_pid "$pub"
wait_for_lines "$IT_TMP/pub.out" 1
grep -q '^shared/0x' "$IT_TMP/pub.out" && pass "publish with --auth-value-command" ||
    fail "publish printed no ticket: $(head -c 300 "$IT_TMP/pub.err")"
if tr '\0' '\n' <"/proc/$pub/cmdline" | grep -qF "${KEY:0:64}"; then
    fail "the key is in the publisher's argv"
else
    pass "the key is not in the publisher's argv"
fi
run_cli check "$(head -n 1 "$IT_TMP/pub.out")" --port "$P" --auth psk --auth-value "$KEY"
expect_rc 0 "the published ticket is valid"
kill -TERM "$pub"
wait "$pub"

# A wrong key: one line, and the key is not in it.
run_cli ls --port "$P" --auth psk --auth-value "x$KEY"
expect_rc 1 "a wrong key fails"
expect_one_err_line "a wrong key"
expect_err_has "UNAUTHENTICATED" "a wrong key says UNAUTHENTICATED"
if grep -qF "${KEY:0:32}" "$ERR"; then fail "the error quotes the key"; else pass "the error does not quote the key"; fi

# Past the bound, and a failing command.
BIG=$(printf 'k%.0s' $(seq 1 65537))
run_cli ls --port "$P" --auth psk --auth-value "$BIG"
expect_rc 2 "a 65,537-byte value is refused"
expect_err_has "65537 bytes; at most 65536" "the refusal gives both sizes"
run_cli ls --port "$P" --auth psk --auth-value-command "echo oops >&2; exit 3"
expect_rc 1 "a failing --auth-value-command"
expect_err_has "auth-value-command failed \(exit status 3\)" "says the command failed"
run_cli ls --port "$P" --auth psk --auth-value-command "true"
expect_rc 1 "an --auth-value-command that prints nothing"
expect_err_has "printed nothing" "says it printed nothing"
run_cli ls --port "$P" --auth-value-command "cat '$IT_TMP/key'"
expect_rc 2 "--auth-value-command without --auth"

finish
