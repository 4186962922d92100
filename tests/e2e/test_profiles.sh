#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_profiles: the configuration file's profiles. `--profile NAME` connects
# a CLI verb and the browser; an unknown profile is one line naming the ones
# there are; with several profiles and no server named, the browser asks
# which one before it starts; [defaults] theme = mono takes the colours away.
. "$(dirname "$0")/lib.sh"

start_server
cfg="$E2E_TMP/cfg"
mkdir -p "$cfg/dhtui"
# A closed port for the profile that must not be used.
cat >"$cfg/dhtui/config" <<CONF
[defaults]
theme = mono

[profile nowhere]
host = 127.0.0.1
port = 1

[profile demo]
host = 127.0.0.1
port = $E2E_PORT
CONF

# ---- CLI: --profile connects; an unknown one says which exist ----
out=$(XDG_CONFIG_HOME="$cfg" "$DHTUI" ls --profile demo 2>&1) ||
    fail "dhtui ls --profile demo failed: $out"
printf '%s\n' "$out" | grep -q "^trades" || fail "ls --profile demo did not list trades: $out"
out=$(XDG_CONFIG_HOME="$cfg" "$DHTUI" ls --profile prod 2>&1)
rc=$?
[ "$rc" -eq 2 ] || fail "an unknown profile exited $rc, not 2"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "an unknown profile is not one line: $out"
printf '%s' "$out" | grep -q "no profile 'prod'.*profiles: nowhere, demo" ||
    fail "the unknown-profile error does not name the profiles: $out"
# A typo in the file names its line.
printf '[profile x]\nhots = a\n' >"$E2E_TMP/bad"
mkdir -p "$E2E_TMP/badcfg/dhtui" && cp "$E2E_TMP/bad" "$E2E_TMP/badcfg/dhtui/config"
out=$(XDG_CONFIG_HOME="$E2E_TMP/badcfg" "$DHTUI" ls 2>&1)
printf '%s' "$out" | grep -q "config:2: unknown key 'hots'" ||
    fail "a bad key is not reported with its line: $out"

# ---- the browser asks which profile; the answer connects ----
E2E_CONFIG_HOME="$cfg" E2E_NO_PORT=1 start_dhtui pick 120 30
expect_text pick "Connect to which?" 10
screen pick | grep -q "2  demo" || fail "the picker does not list the demo profile"
type_text pick demo
keys pick Enter
expect_text pick "10 objects" 15
tm capture-pane -e -p -t pick | grep -aoE $'\e\\[[0-9;]*m' | tr -d '\033[m' | tr ';' '\n' |
    grep -qxE '3[0-8]|4[0-8]|9[0-7]|10[0-7]' && fail "[defaults] theme = mono: colours on screen"
keys pick q
wait_exit pick 10 || fail "dhtui did not quit"

# ---- --profile in the browser: no question asked ----
E2E_CONFIG_HOME="$cfg" E2E_NO_PORT=1 start_dhtui named 120 30 --profile demo
expect_text named "10 objects" 15
keys named q
wait_exit named 10 || fail "dhtui did not quit"
finish
