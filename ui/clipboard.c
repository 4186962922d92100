/* SPDX-License-Identifier: MIT */
/* clipboard: OSC 52 copy, written to the terminal device directly. */
#include "clipboard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dh_encoding.h"
#include "dh_text.h"

/* Append n bytes to buf at *o (capacity checked by the caller's sizing). */
static void put(char *buf, size_t *o, const char *s, size_t n)
{
    memcpy(buf + *o, s, n);
    *o += n;
}

/* The OSC 52 bytes, plus a wrapped copy for tmux or screen. */
char *clipboard_sequence(const char *text, size_t len, int in_tmux, int in_screen,
                         size_t *out_len)
{
    if (len > CLIPBOARD_MAX)
        return NULL;
    size_t b64cap = (len + 2) / 3 * 4 + 1;
    char *b64 = malloc(b64cap);
    if (!b64)
        return NULL;
    size_t blen = dh_base64_encode((const uint8_t *)text, len, 0, b64, b64cap);
    /* Plain OSC plus at most one wrapped copy, each with < 32 bytes of framing. */
    size_t cap = 2 * (blen + 32);
    char *seq = malloc(cap);
    if (!seq) {
        free(b64);
        return NULL;
    }
    size_t o = 0;
    put(seq, &o, "\033]52;c;", 7);
    put(seq, &o, b64, blen);
    put(seq, &o, "\a", 1);
    if (in_tmux) {
        /* tmux passes DCS "tmux;" payloads through (allow-passthrough) with
         * every ESC of the payload doubled; the plain copy above serves
         * set-clipboard on. */
        put(seq, &o, "\033Ptmux;\033\033]52;c;", 15);
        put(seq, &o, b64, blen);
        put(seq, &o, "\a\033\\", 3);
    } else if (in_screen) {
        put(seq, &o, "\033P\033]52;c;", 9);
        put(seq, &o, b64, blen);
        put(seq, &o, "\a\033\\", 3);
    }
    free(b64);
    *out_len = o;
    return seq;
}

/* Sanitised text: an escape is at most 6 bytes ("\u202e") for every input
 * byte it replaces, so 6 * len + 1 always fits. */
char *clipboard_printable(const char *text, size_t len, size_t *out_len)
{
    if (len > (SIZE_MAX - 1) / 6)
        return NULL;
    size_t cap = 6 * len + 1;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    *out_len = dh_text_sanitize(text, len, out, cap, 0, NULL);
    return out;
}

/* Write the sequence to /dev/tty, bypassing curses. */
int clipboard_copy(const char *text, size_t len, char *err, size_t errlen)
{
    if (len > CLIPBOARD_MAX) {
        snprintf(err, errlen,
                 "Not copied: %zu bytes is more than the %d a terminal clipboard takes.", len,
                 CLIPBOARD_MAX);
        return -1;
    }
    const char *tmux = getenv("TMUX");
    const char *term = getenv("TERM");
    int in_tmux = tmux && *tmux;
    int in_screen = !in_tmux && term && strncmp(term, "screen", 6) == 0 && getenv("STY");
    size_t n = 0;
    char *seq = clipboard_sequence(text, len, in_tmux, in_screen, &n);
    if (!seq) {
        snprintf(err, errlen, "Not copied: out of memory.");
        return -1;
    }
    int fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "Not copied: cannot open /dev/tty: %s.", strerror(errno));
        free(seq);
        return -1;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, seq + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "Not copied: writing to /dev/tty failed: %s.",
                     w < 0 ? strerror(errno) : "no progress");
            close(fd);
            free(seq);
            return -1;
        }
        off += (size_t)w;
    }
    close(fd);
    free(seq);
    return 0;
}
