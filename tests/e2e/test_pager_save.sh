#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pager_save: S in the pager saves the view on screen to a file, exactly
# as `dhtui rows` writes the same view (compared byte for byte, CSV and JSON
# Lines); an existing file is replaced only after y; Esc cancels a long save
# of 10M rows and leaves no file behind; the pager stays usable meanwhile; a
# file that cannot be written is one line; quitting while saving leaves
# nothing either. The w and S prompts have their own histories (Up).
. "$(dirname "$0")/lib.sh"

start_server --rows 10000000
start_dhtui main 150 40
expect_text main "10 objects" 15

rows_cli() {
    "$DHTUI" rows trades --port "$E2E_PORT" "$@"
}
# S, a file name, Enter.
save_as() {
    keys main S
    expect_text main "save view to" 5
    type_text main "$1"
    keys main Enter
}
# No file at $1 and no temporary file beside it.
no_file_left() {
    [ ! -e "$1" ] || fail "$1 exists"
    local left
    left=$(find "$(dirname "$1")" -name ".$(basename "$1").dhtui-*" | head -n 1)
    [ -z "$left" ] || fail "a temporary file was left behind: $left"
}

open_table trades
expect_text main "of 10,000,000" 15

# A filtered, sorted view: Id < 30000, then ] on Price.
keys main w
expect_text main "where: " 5
keys main C-u
type_text main "Id < 30000"
keys main Enter
expect_text main "trades | Id < 30000" 15
expect_text main "of 30,000" 10
keys main l
keys main l
keys main ']'
expect_text main "trades | Id < 30000 | sort -Price" 15

out="$E2E_TMP/sorted.csv"
save_as "$out"
expect_text main "Saved 30,000 rows to" 30
rows_cli --where 'Id < 30000' --sort -Price --format csv >"$E2E_TMP/want.csv"
cmp "$out" "$E2E_TMP/want.csv" || fail "the saved CSV differs from dhtui rows --format csv"
[ "$(wc -l <"$out")" -eq 30001 ] || fail "the saved CSV has $(wc -l <"$out") lines, not 30001"

# The extension picks the format: JSON Lines, byte for byte too.
save_as "$E2E_TMP/sorted.jsonl"
expect_text main "Saved 30,000 rows to" 30
rows_cli --where 'Id < 30000' --sort -Price --format jsonl >"$E2E_TMP/want.jsonl"
cmp "$E2E_TMP/sorted.jsonl" "$E2E_TMP/want.jsonl" || fail "the saved JSON Lines differ"

# Prompt histories, one per kind: Up in w recalls the filter typed before,
# Up in S the file name.
keys main w
expect_text main "where: " 5
keys main Up
expect_text main "where: Id < 30000" 5
esc main
keys main S
expect_text main "save view to" 5
keys main Up
expect_text main "sorted.jsonl" 5
esc main

# An unknown extension: one line, the prompt keeps the text.
keys main S
expect_text main "save view to" 5
type_text main "$E2E_TMP/x.xlsx"
keys main Enter
expect_text main "Name the file .csv" 5
expect_text main "x.xlsx" 5
esc main
no_file_left "$E2E_TMP/x.xlsx"

# An existing file: n leaves it alone ...
before=$(md5sum <"$out")
keys main u
expect_text main "trades | Id < 30000 " 15
expect_no_text main "sort -Price"
save_as "$out"
expect_text main "exists: overwrite it? (y/n)" 5
type_text main "n"
keys main Enter
expect_text main "left as it was" 5
[ "$(md5sum <"$out")" = "$before" ] || fail "n changed the file"
# ... y replaces it with the view now on screen (no sort).
save_as "$out"
expect_text main "exists: overwrite it? (y/n)" 5
type_text main "y"
keys main Enter
expect_text main "Saved 30,000 rows to" 30
rows_cli --where 'Id < 30000' --format csv >"$E2E_TMP/want2.csv"
cmp "$out" "$E2E_TMP/want2.csv" || fail "y did not replace the file with the view on screen"
no_file_left "$E2E_TMP/nothing.csv"

# A file that cannot be written: one line, nothing left.
save_as "$E2E_TMP/no-such-dir/x.csv"
expect_text main "Could not save" 10
expect_text main "No such file or directory" 5

# Esc cancels a long save and removes the partial file; the pager stays
# usable while it runs (the schema view opens and closes). The server is
# stopped (SIGSTOP) as soon as the save shows: a 10M-row save finishes in
# about 2 s, too fast to watch, and a save stuck on a stalled server must
# cancel just the same. The pager's own rows are loaded before (G, g).
keys main u
expect_text main "trades (Table)" 15
keys main G
expect_text main "-10,000,000 of 10,000,000" 10
keys main g
expect_text main "rows 1-" 10
sleep 0.5
big="$E2E_TMP/big.csv"
save_as "$big"
expect_text main "Saving" 10
kill -STOP "$E2E_SERVER_PID"
expect_text main "of 10,000,000 rows" 10
keys main s
expect_text main "trades: schema" 10
esc main
expect_text main "Saving" 5
ls "$E2E_TMP"/.big.csv.dhtui-* >/dev/null 2>&1 || fail "no partial file while saving"
esc main
expect_text main "Save cancelled" 15
no_file_left "$big"
kill -CONT "$E2E_SERVER_PID"
expect_text main "trades (Table)" 5

# Quitting while a save runs cancels it too (the thread is stopped and
# joined, nothing is left), and dhtui exits cleanly (sanitizer builds: no
# leak report).
save_as "$big"
expect_text main "Saving" 10
kill -STOP "$E2E_SERVER_PID"
keys main Q
wait_exit main 20 || fail "dhtui did not quit while saving"
kill -CONT "$E2E_SERVER_PID"
no_file_left "$big"
finish
