/* SPDX-License-Identifier: MIT */
/* clipboard: copy text to the user's clipboard by every path that can take
 * it, and say which did: OSC 52 (ESC ] 52 ; c ; <base64> BEL) written straight
 * to the controlling terminal, wrapped for tmux (DCS passthrough) and GNU
 * screen, so it works over SSH; inside tmux also `tmux load-buffer -w -` (a
 * default tmux drops an application's OSC 52); with a local display also
 * wl-copy (Wayland) or xclip/xsel (X11). */
#ifndef DHTUI_CLIPBOARD_H
#define DHTUI_CLIPBOARD_H

#include <stddef.h>

/* Largest text we copy; terminals drop longer OSC 52 payloads anyway. */
#define CLIPBOARD_MAX 100000

/* Build the escape sequence(s) that set the clipboard to text[0..len) into a
 * new buffer (caller frees) of *out_len bytes: a plain OSC 52, plus a tmux DCS
 * passthrough copy when in_tmux, or a screen DCS wrapper when in_screen.
 * NULL on allocation failure or when len > CLIPBOARD_MAX. Any thread. */
char *clipboard_sequence(const char *text, size_t len, int in_tmux, int in_screen, size_t *out_len);

/* The text a normal copy puts in the clipboard: text[0..len) with every
 * control character, escape sequence, bidi control and invalid byte turned
 * into a visible escape as the screen shows it (dh_text_sanitize: "\e[201~",
 * "\n", "\u202e"), so a later paste into a shell or editor can neither end a
 * bracketed paste nor run a command. A new NUL-terminated buffer (caller
 * frees) of *out_len bytes; NULL when out of memory. Any thread. */
char *clipboard_printable(const char *text, size_t len, size_t *out_len);

/* The paths a copy took (bits). */
enum clipboard_path {
    CLIP_OSC52 = 1u << 0,    /* the terminal itself (outside tmux, or tmux forwards it) */
    CLIP_TMUX = 1u << 1,     /* a tmux paste buffer (tmux load-buffer) */
    CLIP_TMUX_OUT = 1u << 2, /* ... which tmux also sends to the terminal (set-clipboard) */
    CLIP_WAYLAND = 1u << 3,  /* wl-copy */
    CLIP_X11 = 1u << 4,      /* xclip or xsel */
};

/* Which paths to try (tests and --no-osc52 turn some off). */
struct clipboard_env {
    const char *tmux;            /* $TMUX, or NULL */
    const char *term, *sty;      /* $TERM, $STY (GNU screen) */
    const char *wayland_display; /* $WAYLAND_DISPLAY, or NULL */
    const char *display;         /* $DISPLAY, or NULL */
    int osc52;                   /* write OSC 52 to /dev/tty */
};

/* The environment of this process (getenv), OSC 52 on. */
void clipboard_env_current(struct clipboard_env *env);

/* Copy text to the clipboard by every path env allows: OSC 52 to /dev/tty
 * (not through curses), `tmux load-buffer -w -` inside tmux, wl-copy or
 * xclip/xsel with a display. Helpers run with stdout/stderr on /dev/null and
 * are given at most a second. The bytes are copied as they are: callers pass
 * clipboard_printable text unless the user asked for the exact bytes.
 * Returns 0 with *paths set (at least one bit), or -1 with one sentence in
 * err. UI thread. */
int clipboard_copy(const struct clipboard_env *env, const char *text, size_t len, unsigned *paths,
                   char *err, size_t errlen);

/* Where a copy went, for a message: "the tmux buffer and the terminal
 * clipboard", "the terminal clipboard (OSC 52)". Always NUL-terminated. */
void clipboard_paths_describe(unsigned paths, char *buf, size_t n);

#endif
