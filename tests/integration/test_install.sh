#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_install.sh: the installed layout works as a packager ships it.
# `cmake --install` into a DESTDIR: dhtui --version prints the project version,
# the installed dhtui --demo finds the demo server in libexec relative to
# itself, the man page formats without warnings, bash completion completes
# commands and options; `cpack -G DEB` builds a .deb with that file list and
# shared-library Depends, and the unpacked .deb runs.
# Skipped (77) in sanitizer builds: packaging is checked once, in the plain build.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?}" "${DH_VERSION:?}"
if [ "${DH_SANITIZE:-OFF}" = ON ]; then
    echo "skipped: sanitizer build"
    exit 77
fi

# run_installed ROOT args...: the dhtui under ROOT/usr/bin, with a PATH and
# environment that cannot find the build tree's demo server.
run_installed() {
    local root=$1
    shift
    env -u DHTUI_DEMO_SERVER PATH=/usr/bin:/bin timeout 60 "$root/usr/bin/dhtui" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

# check_layout ROOT what: --version and the demo server lookup from ROOT.
check_layout() {
    local root=$1 what=$2
    run_installed "$root" --version
    expect_rc 0 "$what: dhtui --version"
    expect_out_has "^dhtui $DH_VERSION\$" "$what: --version prints the project version $DH_VERSION"
    run_installed "$root" --demo --demo-rows 100 ls
    expect_rc 0 "$what: dhtui --demo ls (server found in libexec)"
    expect_out_has '^trades +Table ' "$what: the installed demo server serves trades"
}

# ---- cmake --install into a DESTDIR ----
root=$IT_TMP/root
if DESTDIR=$root cmake --install "$DH_BUILD_DIR" --prefix /usr >"$IT_TMP/install.log" 2>&1; then
    pass "cmake --install into DESTDIR"
else
    fail "cmake --install: $(tail -n 5 "$IT_TMP/install.log")"
fi
for f in usr/bin/dhtui usr/libexec/dhtui/dhtui-demo-server; do
    check "installed executable $f" test -x "$root/$f"
done
for f in usr/share/man/man1/dhtui.1.gz usr/share/bash-completion/completions/dhtui \
    usr/share/zsh/vendor-completions/_dhtui usr/share/doc/dhtui/copyright; do
    check "installed $f" test -s "$root/$f"
done
check_layout "$root" "installed"

# Negative control: without the libexec copy the lookup must fail, clearly.
mv "$root/usr/libexec/dhtui/dhtui-demo-server" "$IT_TMP/moved-server"
run_installed "$root" --demo ls
expect_rc 1 "installed dhtui --demo without its server"
expect_err_has 'dhtui-demo-server was found neither' "the missing server is named"
mv "$IT_TMP/moved-server" "$root/usr/libexec/dhtui/dhtui-demo-server"

# ---- the man page ----
page=$root/usr/share/man/man1/dhtui.1.gz
LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" >"$IT_TMP/man.txt" 2>"$IT_TMP/man.err"
check "man -l formats the page" test -s "$IT_TMP/man.txt"
if [ -s "$IT_TMP/man.err" ]; then fail "man page warnings: $(head -c 400 "$IT_TMP/man.err")"; else pass "man page formats without warnings"; fi
for want in '^NAME' 'dhtui - terminal browser for Deephaven servers' "dhtui $DH_VERSION" \
    '--probe-interval' '--format' 'DHTUI_AUTH_VALUE' '^EXIT STATUS'; do
    if grep -q -- "$want" "$IT_TMP/man.txt"; then pass "man page has '$want'"; else fail "man page lacks '$want'"; fi
done
# Every long option --help lists is in the man page.
"$DHTUI" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u >"$IT_TMP/help.opts"
missing=$(while read -r o; do grep -q -- "$o" "$IT_TMP/man.txt" || echo "$o"; done <"$IT_TMP/help.opts")
if [ -z "$missing" ]; then pass "man page documents every --help option"; else fail "man page lacks: $missing"; fi

# ---- shell completion ----
complete_words() { # complete_words WORD...: what bash completion offers for the last word
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dhtui; echo "${COMPREPLY[*]}"' \
        _ "$root/usr/share/bash-completion/completions/dhtui" "$@"
}
got=$(complete_words dhtui pu)
if [ "$got" = publish ]; then pass "bash: dhtui pu<TAB> -> publish"; else fail "bash: dhtui pu<TAB> gave '$got'"; fi
got=$(complete_words dhtui rows t --for)
if [ "$got" = --format ]; then pass "bash: rows --for<TAB> -> --format"; else fail "bash: rows --for<TAB> gave '$got'"; fi
got=$(complete_words dhtui rows t --format j)
if [ "$got" = "json jsonl" ]; then pass "bash: --format j<TAB> -> json jsonl"; else fail "bash: --format j<TAB> gave '$got'"; fi
got=$(complete_words dhtui --port 1 ls --j)
if [ "$got" = --json ]; then pass "bash: ls --j<TAB> -> --json (after an option value)"; else fail "bash: ls --j<TAB> gave '$got'"; fi
# Every long option --help lists is offered by both completions.
for f in "$root/usr/share/bash-completion/completions/dhtui" "$root/usr/share/zsh/vendor-completions/_dhtui"; do
    missing=$(while read -r o; do grep -q -- "$o\b" "$f" || echo "$o"; done <"$IT_TMP/help.opts")
    if [ -z "$missing" ]; then pass "$(basename "$f") completes every --help option"; else fail "$(basename "$f") lacks: $missing"; fi
done
if command -v zsh >/dev/null; then
    check "zsh completion parses" zsh -n "$root/usr/share/zsh/vendor-completions/_dhtui"
fi

# ---- cpack -G DEB ----
pkgdir=$IT_TMP/pkg
if cpack --config "$DH_BUILD_DIR/CPackConfig.cmake" -G DEB -B "$pkgdir" >"$IT_TMP/cpack.log" 2>&1; then
    pass "cpack -G DEB"
else
    fail "cpack: $(tail -n 10 "$IT_TMP/cpack.log")"
fi
deb=$(ls "$pkgdir"/dhtui_"$DH_VERSION"_*.deb 2>/dev/null | head -n 1)
check "the .deb is named dhtui_${DH_VERSION}_<arch>.deb" test -n "$deb"
if [ -n "$deb" ]; then
    dpkg-deb -c "$deb" | awk '{print $NF}' >"$IT_TMP/deb.files"
    for f in ./usr/bin/dhtui ./usr/libexec/dhtui/dhtui-demo-server ./usr/share/man/man1/dhtui.1.gz \
        ./usr/share/bash-completion/completions/dhtui ./usr/share/zsh/vendor-completions/_dhtui \
        ./usr/share/doc/dhtui/copyright; do
        if grep -qx -- "$f" "$IT_TMP/deb.files"; then pass ".deb holds $f"; else fail ".deb lacks $f"; fi
    done
    if grep -v '/$' "$IT_TMP/deb.files" | grep -qv '^\./usr/'; then
        fail ".deb installs outside /usr: $(grep -v '^\./usr/' "$IT_TMP/deb.files" | head -3)"
    else
        pass ".deb installs only under /usr"
    fi
    for field in Package Version Architecture Maintainer Description; do
        check ".deb control has $field" test -n "$(dpkg-deb -f "$deb" "$field")"
    done
    check ".deb Version is $DH_VERSION" test "$(dpkg-deb -f "$deb" Version)" = "$DH_VERSION"
    depends=$(dpkg-deb -f "$deb" Depends)
    echo "Depends: $depends"
    for lib in libc6 libgrpc libprotobuf-c libncursesw libreadline; do
        if echo "$depends" | grep -q "$lib"; then pass ".deb depends on $lib"; else fail ".deb Depends lacks $lib"; fi
    done
    unpacked=$IT_TMP/unpacked
    dpkg-deb -x "$deb" "$unpacked"
    check_layout "$unpacked" "unpacked .deb"
fi
finish
