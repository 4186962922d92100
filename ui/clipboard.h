/* SPDX-License-Identifier: MIT */
/* clipboard: copy text to the user's clipboard with OSC 52 (ESC ] 52 ; c ;
 * <base64> BEL), written straight to the controlling terminal, wrapped for
 * tmux (DCS passthrough) and GNU screen, so it works over SSH. */
#ifndef DHTUI_CLIPBOARD_H
#define DHTUI_CLIPBOARD_H

#include <stddef.h>

/* Largest text we copy; terminals drop longer OSC 52 payloads anyway. */
#define CLIPBOARD_MAX 100000

/* Build the escape sequence(s) that set the clipboard to text[0..len) into a
 * new buffer (caller frees) of *out_len bytes: a plain OSC 52, plus a tmux DCS
 * passthrough copy when in_tmux, or a screen DCS wrapper when in_screen.
 * NULL on allocation failure or when len > CLIPBOARD_MAX. Any thread. */
char *clipboard_sequence(const char *text, size_t len, int in_tmux, int in_screen,
                         size_t *out_len);

/* The text a normal copy puts in the clipboard: text[0..len) with every
 * control character, escape sequence, bidi control and invalid byte turned
 * into a visible escape as the screen shows it (dh_text_sanitize: "\e[201~",
 * "\n", "\u202e"), so a later paste into a shell or editor can neither end a
 * bracketed paste nor run a command. A new NUL-terminated buffer (caller
 * frees) of *out_len bytes; NULL when out of memory. Any thread. */
char *clipboard_printable(const char *text, size_t len, size_t *out_len);

/* Copy text to the clipboard: writes the sequence to /dev/tty (not through
 * curses). The bytes are copied as they are: callers pass
 * clipboard_printable text unless the user asked for the exact bytes.
 * Returns 0, or -1 with one sentence in err. UI thread. */
int clipboard_copy(const char *text, size_t len, char *err, size_t errlen);

#endif
