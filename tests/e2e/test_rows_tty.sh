#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_rows_tty: `dhtui rows hostile` written to a terminal (a tmux pane)
# shows escape sequences as visible text (\e[2J) and the terminal keeps its
# screen and title; the same rows to a pipe are byte-exact (CSV, TSV) or
# decode to the exact text (JSON); --escape and --raw override the default.
. "$(dirname "$0")/lib.sh"

start_server
ROWS=(rows hostile --port "$E2E_PORT" --columns Case,Payload --limit 10)
q() { printf '%q ' "$@"; }
# The environment dhtui runs in (sanitizer builds: the known c-ares leak).
ENV=$(q env LANG=C.UTF-8 "LSAN_OPTIONS=suppressions=$E2E_DIR/lsan.supp:print_suppressions=0")

# To the terminal: escaped.
for fmt in csv tsv; do
    tm new-session -d -s "$fmt" -x 200 -y 40 \
        "$ENV $(q "$DHTUI" "${ROWS[@]}" --format "$fmt"); echo EXIT=\$?; sleep 30"
    expect_text "$fmt" "EXIT=0" 15
    screen "$fmt" | grep -Eq '^Case[ ,]+Payload' || fail "$fmt: the header scrolled or was cleared away"
    screen "$fmt" | grep -qF 'before\e[2J\e[Hafter' || fail "$fmt: the clear-screen sequence is not shown as text"
    screen "$fmt" | grep -qF '\e]0;pwned title\a' || fail "$fmt: the title sequence is not shown as text"
    title=$(tm display-message -p -t "$fmt" '#{pane_title}')
    case $title in *pwned*|*again*) fail "$fmt: the server's text set the terminal title to '$title'" ;; esac
done

# To a pipe: the exact bytes (and --escape still escapes).
for fmt in csv tsv json; do
    tm new-session -d -s "pipe$fmt" -x 120 -y 10 \
        "$ENV $(q "$DHTUI" "${ROWS[@]}" --format "$fmt") | cat > $(q "$E2E_TMP/pipe.$fmt"); $ENV $(q "$DHTUI" "${ROWS[@]}" --format "$fmt" --escape) | cat > $(q "$E2E_TMP/esc.$fmt"); echo DONE; sleep 30"
    expect_text "pipe$fmt" "DONE" 15
done
raw=$(printf 'before\033[2J\033[Hafter')
grep -qF "$raw" "$E2E_TMP/pipe.csv" || fail "csv to a pipe is not byte-exact"
grep -qF "$raw" "$E2E_TMP/pipe.tsv" || fail "tsv to a pipe is not byte-exact"
grep -qF "$raw" "$E2E_TMP/esc.csv" && fail "csv --escape to a pipe let a raw escape through"
grep -qF 'before\e[2J\e[Hafter' "$E2E_TMP/esc.tsv" || fail "tsv --escape does not show the escape as text"
python3 - "$E2E_TMP/pipe.json" <<'PY' || fail "json to a pipe does not decode to the exact text"
import json, sys
rows = json.load(open(sys.argv[1], encoding='utf-8'))
assert rows[0]['Payload'] == 'before\x1b[2J\x1b[Hafter', rows[0]
assert rows[6]['Payload'] == '\x1b]0;pwned title\x07\x1b]2;again\x1b\\', rows[6]
PY
LC_ALL=C grep -q "$(printf '\033')" "$E2E_TMP/pipe.json" && fail "json holds a raw ESC byte"

# --raw to the terminal writes the bytes: the title changes (as asked).
tm new-session -d -s raw -x 200 -y 40 \
    "$ENV $(q "$DHTUI" rows hostile --port "$E2E_PORT" --columns Payload --offset 6 --limit 1 --format csv --raw); echo EXIT=\$?; sleep 30"
expect_text raw "EXIT=0" 15
screen raw | grep -qF 'pwned title' && fail "--raw: the title sequence was shown as text"
finish
