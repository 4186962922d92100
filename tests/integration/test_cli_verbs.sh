#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cli_verbs.sh: the verb table (ui/cli_verbs.c) drives parsing, help and
# dispatch, and the shell completions in completions/ offer exactly its verbs
# and, per verb, exactly the options it accepts. The table is read back from
# what dhtui prints (--help, VERB --help), so a verb or option added to the
# table and not to the completions fails here.
. "$(dirname "$0")/lib.sh"

: "${DH_TESTS_DIR:?}"
bash_comp=$DH_TESTS_DIR/../completions/dhtui.bash
zsh_comp=$DH_TESTS_DIR/../completions/_dhtui

# section FILE TITLE: the lines of FILE after the line TITLE up to the next blank line.
section() {
    awk -v t="$2" '$0 == t {on = 1; next} on && /^$/ {exit} on' "$1"
}
# opts: the long options at the start of each input line, sorted, one a line.
opts() {
    grep -oE '^ *--[a-z0-9-]+' | tr -d ' ' | sort -u
}
# same WHAT WANT GOT: pass if the two sorted lists are equal, else name the difference.
same() {
    local extra missing
    missing=$(comm -23 <(echo "$2") <(echo "$3") | tr '\n' ' ')
    extra=$(comm -13 <(echo "$2") <(echo "$3") | tr '\n' ' ')
    if [ -z "$missing$extra" ]; then pass "$1"; else fail "$1: lacks [$missing] extra [$extra]"; fi
}
complete_words() { # complete_words WORD...: what bash completion offers for the last word
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dhtui; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$bash_comp" "$@" | sort -u
}

run_cli --help
expect_rc 0 "--help"
cp "$OUT" "$IT_TMP/help"
verbs=$(section "$IT_TMP/help" "Commands:" | grep -oE '^  [a-z]+' | tr -d ' ' | sort -u)
if [ "$(echo "$verbs" | wc -l)" -ge 5 ]; then pass "--help lists the verbs: $(echo $verbs)"; else fail "--help lists too few verbs: $verbs"; fi
browser=$(section "$IT_TMP/help" "Full screen:" | opts)

# ---- every verb: its own help, its options accepted, others refused ----
common=
for v in $verbs; do
    run_cli "$v" --help
    expect_rc 0 "$v --help"
    expect_out_has "^dhtui $v: " "$v --help names the verb"
    expect_out_has "^  dhtui $v " "$v --help shows its synopsis"
    cp "$OUT" "$IT_TMP/help.$v"
    section "$IT_TMP/help.$v" "Options:" | opts >"$IT_TMP/opts.$v"
    common=$(section "$IT_TMP/help.$v" "Connection options (every command; dhtui --help describes them):" |
        tr ' ' '\n' | grep -- '^--' | sort -u)
    for o in $(cat "$IT_TMP/opts.$v"); do
        grep -q -- "^ *$o\b" "$IT_TMP/help" || fail "dhtui --help does not describe $v's $o"
    done
done
if echo "$common" | grep -q -- --host && echo "$common" | grep -q -- --help; then
    pass "per-verb help lists the connection options"
else
    fail "per-verb help lacks the connection options: $common"
fi
# An option of rows is refused by ls, with a pointer to ls --help; --json by the browser.
run_cli ls --limit 3
expect_rc 2 "ls --limit is a usage error"
expect_err_has "does not apply to 'dhtui ls' \\(dhtui ls --help lists its options\\)" "ls --limit: the sentence"
run_cli --json
expect_rc 2 "--json without a verb is a usage error"
expect_err_has "belongs to a command \\(dhtui ls, publish, fetch, check, stats\\)" "--json: names the verbs that take it"
run_cli frobnicate now
expect_rc 2 "an unknown verb"
in_order=$(section "$IT_TMP/help" "Commands:" | grep -oE '^  [a-z]+' | tr -d ' ' | paste -sd, - | sed 's/,/, /g')
expect_err_has "unknown command 'frobnicate' \\(commands: $in_order\\)" "an unknown verb: the list of verbs"

# ---- bash completion ----
same "bash completes the verbs" "$verbs" "$(complete_words dhtui '')"
same "bash completes the browser's options" "$(sort -u <(echo "$browser") <(echo "$common"))" \
    "$(complete_words dhtui --)"
for v in $verbs; do
    same "bash completes $v's options" "$(sort -u "$IT_TMP/opts.$v" <(echo "$common"))" \
        "$(complete_words dhtui "$v" x --)"
done

# ---- zsh completion ----
zverbs=$(awk '/^commands=\(/ {on = 1; next} on && /^\)/ {exit} on' "$zsh_comp" |
    grep -oE "^ *'[a-z]+:" | tr -d " ':" | sort -u)
same "zsh describes the verbs" "$verbs" "$zverbs"
zconn=$(awk '/^connection=\(/ {on = 1; next} on && /^\)/ {exit} on' "$zsh_comp" |
    grep -oE -- "--[a-z0-9-]+\[" | tr -d '[' | sort -u)
same "zsh's connection options" "$common" "$zconn"
ztop=$(awk '/^_arguments -C/ {on = 1} on && /->command/ {exit} on' "$zsh_comp" |
    grep -oE -- "--[a-z0-9-]+\[" | tr -d '[' | sort -u)
same "zsh completes the browser's options" "$browser" "$ztop"
for v in $verbs; do
    zarm=$(awk -v v="  $v)" '$0 == v {on = 1; next} on {print} on && /;;/ {exit}' "$zsh_comp" |
        grep -oE -- "--[a-z0-9-]+\[" | tr -d '[' | sort -u)
    same "zsh completes $v's options" "$(cat "$IT_TMP/opts.$v")" "$zarm"
done

finish
