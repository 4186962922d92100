#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_share: publish in one dhtui, fetch in another. The first publishes
# trades with p (the dialog shows the ticket and OSC 52 copies it); the test
# reads the ticket off its screen and types it into the second's f prompt; the
# second shows the table and, in its tickets panel, a valid ticket. The first
# releases it (t, r, y) and the second sees it go invalid by itself, within its
# probe interval. Also: bad input keeps the typed text, a bracketed paste on
# the object list opens the prompt, and q asks before killing live tickets.
. "$(dirname "$0")/lib.sh"

start_server
start_dhtui pub 120 40
start_dhtui sub 120 40 --probe-interval 1000
expect_text pub "10 objects" 15
expect_text sub "10 objects" 15

# ---- publish trades in pub ----
keys pub /
type_text pub trades
keys pub Enter
sleep 0.2
keys pub p
expect_text pub "Published trades (Table)" 10
expect_text pub "Copied to the tmux buffer and the clipboard." 5
screen pub | grep -q "releasing it" ||
    fail "the dialog does not say how long the ticket lives"
TICKET=$(screen pub | grep -o 'shared/0x[0-9a-f]*' | head -n 1)
[ ${#TICKET} -eq 41 ] || die "no full shared ticket on the publish screen (got '$TICKET')"
[ "$(tm show-buffer 2>/dev/null)" = "$TICKET" ] ||
    fail "the copy did not put the ticket in the tmux buffer: '$(tm show-buffer 2>/dev/null)'"
# A tmux with set-clipboard off drops an application's OSC 52: c must still
# fill a tmux buffer (load-buffer), and say that tmux keeps it to itself.
tm set -g set-clipboard off >/dev/null
tm delete-buffer 2>/dev/null
tm set-buffer -b other "not the ticket"
keys pub c
expect_text pub "Copied to the tmux buffer (tmux set-clipboard is off)." 5
[ "$(tm show-buffer 2>/dev/null)" = "$TICKET" ] ||
    fail "with set-clipboard off, c did not fill a tmux buffer: '$(tm show-buffer 2>/dev/null)'"
tm set -g set-clipboard on >/dev/null
keys pub Enter
expect_no_text pub "Published trades (Table)" 5
expect_text pub "1 of 1 ticket valid" 5

# ---- bad input in sub: the error is shown, the text stays ----
keys sub f
expect_text sub "ticket:" 5
type_text sub "not a ticket!"
keys sub Enter
expect_text sub "ticket: not a ticket!" 5
wait_for_text sub "Expected" 5 ||
    fail "no parse error in the status line: $(screen sub | tail -n 2 | head -n 1)"
esc sub
expect_no_text sub "ticket: not a ticket!" 5

# ---- fetch in sub by typing the ticket ----
keys sub f
type_text sub "$TICKET"
keys sub Enter
expect_text sub "(Table)" 10
expect_text sub "of 1,000,000" 10
screen sub | grep -q "static" || fail "the fetched table's header does not say static"
screen sub | grep -q "7 cols" || fail "the fetched table's header does not count 7 columns"
screen sub | grep -q "Timestamp .*Sym .*Price" || fail "the fetched table's schema is not shown"
esc sub
keys sub t
expect_text sub "Tickets" 5
expect_text sub "fetched" 5
wait_for_text sub "valid" 5 || fail "the fetched ticket is not valid in the tickets panel"
screen sub | grep -q "${TICKET:0:13}" || fail "the tickets panel does not show ${TICKET:0:13}…"

# ---- a bracketed paste on the object list opens the prompt with the text ----
esc sub
expect_text sub "10 objects" 5
tm set-buffer -b share "$TICKET"
tm paste-buffer -p -b share -t sub
expect_text sub "ticket: $TICKET" 5
esc sub
expect_no_text sub "ticket: " 5

# ---- q in pub asks first while the ticket is live ----
keys pub q
expect_text pub "1 published ticket stops working when dhtui exits" 5
keys pub n
expect_no_text pub "published ticket stops" 5
dhtui_exited pub && die "pub quit although the answer was no"

# ---- pub releases; sub sees it invalid without a key press ----
keys pub t
expect_text pub "published" 5
expect_text pub "valid" 5
# d refuses a published ticket that still works.
keys pub d
expect_text pub "may still work for others" 5
keys pub r
expect_text pub "Release shared/0x" 5
keys pub y
expect_text pub "released" 10
expect_text pub "0 of 1 ticket valid" 5
keys sub t
expect_text sub "Tickets" 5
wait_for_no_text sub "● valid" 10 || fail "sub still shows the released ticket as valid"
# The teammate reads the publisher's word, and that their open copy still works.
wait_for_text sub "released by its publisher" 10 ||
    fail "sub does not say the publisher released the ticket: $(screen sub | sed -n 3p)"
screen sub | grep -q "● released" || fail "sub's state is not 'released'"
# d takes the dead ticket off sub's list.
keys sub d
expect_text sub "from the list" 5
expect_text sub "No tickets yet" 5

# Nothing live any more: q quits at once.
esc pub
expect_text pub "match" 5
keys pub q
wait_exit pub 10 || fail "pub did not quit"
finish
