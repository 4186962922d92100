/* SPDX-License-Identifier: MIT */
/* clipboard: OSC 52 to the terminal device, and the tmux/Wayland/X11 helpers. */
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
#include "subprocess.h"

/* Append n bytes to buf at *o (capacity checked by the caller's sizing). */
static void put(char *buf, size_t *o, const char *s, size_t n)
{
    memcpy(buf + *o, s, n);
    *o += n;
}

/* The OSC 52 bytes, plus a wrapped copy for tmux or screen. */
char *clipboard_sequence(const char *text, size_t len, int in_tmux, int in_screen, size_t *out_len)
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

void clipboard_env_current(struct clipboard_env *env)
{
    env->tmux = getenv("TMUX");
    env->term = getenv("TERM");
    env->sty = getenv("STY");
    env->wayland_display = getenv("WAYLAND_DISPLAY");
    env->display = getenv("DISPLAY");
    env->osc52 = 1;
}

/* Write the sequence to /dev/tty, bypassing curses. */
static int write_tty(const char *seq, size_t n, char *err, size_t errlen)
{
    int fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open /dev/tty: %s", strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, seq + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "writing to /dev/tty failed: %s",
                     w < 0 ? strerror(errno) : "no progress");
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    close(fd);
    return 0;
}

/* OSC 52 to the terminal (wrapped for tmux or screen). */
static int copy_osc52(const struct clipboard_env *env, const char *text, size_t len, char *err,
                      size_t errlen)
{
    int in_tmux = env->tmux && *env->tmux;
    int in_screen = !in_tmux && env->term && strncmp(env->term, "screen", 6) == 0 && env->sty;
    size_t n = 0;
    char *seq = clipboard_sequence(text, len, in_tmux, in_screen, &n);
    if (!seq) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = write_tty(seq, n, err, errlen);
    free(seq);
    return rc;
}

/* A helper gets this long; tmux and xclip answer in milliseconds. */
enum { CLIP_HELPER_MS = 1000 };

/* tmux load-buffer -w: the buffer, and the terminal's clipboard when tmux's
 * set-clipboard is not off (tmux forwards it with OSC 52 itself; a default
 * tmux ignores an application's own OSC 52). */
static unsigned copy_tmux(const char *text, size_t len)
{
    char *load[] = {"tmux", "load-buffer", "-w", "-", NULL};
    if (subprocess_pipe(load, text, len, NULL, 0, CLIP_HELPER_MS) != 0)
        return 0;
    char *show[] = {"tmux", "show-options", "-gv", "set-clipboard", NULL};
    char mode[32];
    if (subprocess_pipe(show, NULL, 0, mode, sizeof mode, CLIP_HELPER_MS) == 0 &&
        strncmp(mode, "off", 3) != 0)
        return CLIP_TMUX | CLIP_TMUX_OUT;
    return CLIP_TMUX;
}

/* wl-copy or xclip/xsel, when a display is there and the tool installed. */
static unsigned copy_display(const struct clipboard_env *env, const char *text, size_t len)
{
    if (env->wayland_display && *env->wayland_display && subprocess_in_path("wl-copy")) {
        char *wl[] = {"wl-copy", NULL};
        if (subprocess_pipe(wl, text, len, NULL, 0, CLIP_HELPER_MS) == 0)
            return CLIP_WAYLAND;
    }
    if (!env->display || !*env->display)
        return 0;
    if (subprocess_in_path("xclip")) {
        char *xclip[] = {"xclip", "-selection", "clipboard", "-in", NULL};
        if (subprocess_pipe(xclip, text, len, NULL, 0, CLIP_HELPER_MS) == 0)
            return CLIP_X11;
    }
    if (subprocess_in_path("xsel")) {
        char *xsel[] = {"xsel", "--clipboard", "--input", NULL};
        if (subprocess_pipe(xsel, text, len, NULL, 0, CLIP_HELPER_MS) == 0)
            return CLIP_X11;
    }
    return 0;
}

int clipboard_copy(const struct clipboard_env *env, const char *text, size_t len, unsigned *paths,
                   char *err, size_t errlen)
{
    *paths = 0;
    if (len > CLIPBOARD_MAX) {
        snprintf(err, errlen,
                 "Not copied: %zu bytes is more than the %d a terminal clipboard takes.", len,
                 CLIPBOARD_MAX);
        return -1;
    }
    int in_tmux = env->tmux && *env->tmux;
    char why[160] = "";
    if (env->osc52 && copy_osc52(env, text, len, why, sizeof why) == 0 && !in_tmux)
        *paths |= CLIP_OSC52;
    if (in_tmux)
        *paths |= copy_tmux(text, len);
    *paths |= copy_display(env, text, len);
    if (*paths)
        return 0;
    if (why[0])
        snprintf(err, errlen, "Not copied: %s.", why);
    else if (in_tmux)
        snprintf(err, errlen, "Not copied: tmux load-buffer failed.");
    else
        snprintf(err, errlen, "Not copied: no clipboard to copy to (OSC 52 is off).");
    return -1;
}

void clipboard_paths_describe(unsigned paths, char *buf, size_t n)
{
    const char *where;
    if ((paths & CLIP_TMUX_OUT) || ((paths & CLIP_TMUX) && (paths & (CLIP_WAYLAND | CLIP_X11))))
        where = "the tmux buffer and the clipboard";
    else if (paths & CLIP_TMUX)
        where = "the tmux buffer (tmux set-clipboard is off)";
    else if (paths & CLIP_WAYLAND)
        where = "the clipboard (wl-copy)";
    else if (paths & CLIP_X11)
        where = "the clipboard (X11)";
    else if (paths & CLIP_OSC52)
        where = "the terminal clipboard (OSC 52)";
    else
        where = "nowhere";
    snprintf(buf, n, "%s", where);
}
