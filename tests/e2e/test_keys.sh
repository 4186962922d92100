#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_keys: the configuration file's [keys]. A user key runs its action in the table it
# names (> sorts in the pager), the built-in key still works, help and the hint line show
# the user's key, a global user key works from any screen, and a bad line names itself.
. "$(dirname "$0")/lib.sh"

start_server
cfg="$E2E_TMP/cfg"
mkdir -p "$cfg/dhtui"
cat >"$cfg/dhtui/config" <<CONF
[keys]
pager.sort_desc = >
pager.where = F4
global.tickets = T
CONF

E2E_CONFIG_HOME="$cfg" start_dhtui main 150 40
expect_text main "10 objects" 15
open_table trades
expect_text main "rows 1-" 10
# The hint line shows the user's key for Sort and Where.
wait_for_text main "> Sort" 5 || fail "the hint line does not show > for Sort: $(screen main | tail -2)"
screen main | grep -q "F4 Where" || fail "the hint line does not show F4 for Where: $(screen main | tail -2)"

# > sorts descending by the current column (Price after two steps right).
keys main l
keys main l
keys main '>'
expect_text main "trades | sort -Price" 10
# The built-in key still works: u undoes, ] sorts again.
keys main u
wait_until 5 eval '! screen main | grep -q "sort -Price"'
keys main ']'
expect_text main "trades | sort -Price" 10
keys main u

# Help lists the user's key first, with the built-in one.
keys main '?'
expect_text main "Table pager" 10
keys main / && type_text main 'sort by this column, desc' && keys main Enter
wait_for_text main "> ]" 5 || fail "help does not list > with ] for the descending sort"
keys main q

# A global user key: T opens the tickets panel from the pager.
keys main T
expect_text main "No tickets yet" 10
keys main Escape
keys main q
keys main q
wait_exit main 10 || fail "dhtui did not quit"

# A bad [keys] line is one line naming it; the browser does not start.
printf '[keys]\npager.srot_desc = >\n' >"$cfg/dhtui/config"
out=$(XDG_CONFIG_HOME="$cfg" "$DHTUI" --port "$E2E_PORT" 2>&1 </dev/null)
printf '%s' "$out" | grep -q "config:2: unknown action 'srot_desc' in table pager" ||
    fail "a bad [keys] line is not reported with its line: $out"
finish
