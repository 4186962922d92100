/* SPDX-License-Identifier: MIT */
/* draw: colours, attributes and glyphs (like htop's CRT.c), and the only way
 * text reaches curses: every string is sanitised (dh_text_sanitize) and cut by
 * display width before it is drawn, so no escape sequence from a server ever
 * reaches the terminal. */
#ifndef DHTUI_DRAW_H
#define DHTUI_DRAW_H

#include <stddef.h>
#include <stdint.h>

#include <curses.h>

/* Roles of drawn text; draw_attr maps them to what the terminal can show. */
enum draw_role {
    DR_NORMAL = 0,
    DR_TITLE,        /* the top bar */
    DR_TITLE_DIM,    /* secondary text in the top bar */
    DR_HEADER,       /* column headings */
    DR_HEADER_TYPE,  /* type labels under column headings */
    DR_CURSOR,       /* the selected row */
    DR_CURSOR_CELL,  /* the selected cell of the selected row */
    DR_POSITION,     /* the row-number column */
    DR_GOOD,         /* connected, valid */
    DR_WARN,         /* connecting, checking */
    DR_BAD,          /* failed, released, errors */
    DR_DIM,          /* unknown, secondary text */
    DR_NULL,         /* null cells */
    DR_TICKET,       /* a ticket to copy */
    DR_BORDER,       /* dialog frames */
    DR_HINT_KEY,     /* a key in the key-hint line */
    DR_HINT_LABEL,   /* its label */
    DR_PROMPT,       /* the input line's prompt */
    DR_MATCH,        /* filter matches */
    DR_CHANGED,      /* a live cell that just changed */
    DR_CHANGED_FADE, /* ... fading */
    DR_NEW_ROW,      /* the row number of a live row that just came */
    DR_SERIES1,      /* a figure's series, in turn (legend and plot) ... */
    DR_SERIES2,
    DR_SERIES3,
    DR_SERIES4,
    DR_SERIES5,
    DR_SERIES6, /* ... then the first colour again */
    DR_COUNT,
};

/* Glyphs with an ASCII fallback for terminals without UTF-8. */
enum draw_glyph {
    DG_ELLIPSIS = 0, /* "…" / "~" */
    DG_BULLET,       /* "●" / "*" */
    DG_SEP,          /* "│" / "|" */
    DG_ARROW,        /* "›" / ">" */
    DG_LOADING,      /* "·" / "." : a cell not loaded yet */
    DG_COUNT,
};

/* Flags of draw_text. */
enum {
    DT_ELLIPSIS = 1,  /* end cut text with an ellipsis */
    DT_RIGHT = 2,     /* right-align within max_cols */
    DT_PAD = 4,       /* fill the rest of max_cols with spaces in attr */
    DT_KEEP_TABS = 8, /* show a tab as "\t" instead of a space */
};

/* Decide UTF-8 vs ASCII output from the locale (call after setlocale, before
 * initscr). UI thread. */
void draw_init_locale(void);
/* Colour themes. */
enum draw_theme { DRAW_THEME_DARK = 0, DRAW_THEME_LIGHT, DRAW_THEME_MONO };
/* "dark", "light", "mono" (or "monochrome") into *out; -1 if unknown. */
int draw_theme_parse(const char *name, enum draw_theme *out);
/* The theme to use: mono when NO_COLOR (the value of $NO_COLOR, may be NULL)
 * is set and not empty, else wanted. */
enum draw_theme draw_theme_effective(enum draw_theme wanted, const char *no_color);
/* Colour pairs and role attributes for a theme, after initscr. Mono uses
 * attributes only (bold, reverse, underline, dim). UI thread. */
void draw_init_colors(enum draw_theme theme);
/* The curses attribute for a role. UI thread. */
attr_t draw_attr(enum draw_role role);
/* 1 if the terminal takes UTF-8. UI thread. */
int draw_utf8(void);
/* A glyph in the terminal's encoding (1 column). UI thread. */
const char *draw_glyph(enum draw_glyph g);
/* The spinner frame for time now_ms (1 column). UI thread. */
const char *draw_spinner(long long now_ms);
/* Milliseconds from now_ms until the spinner's next frame. Any thread. */
int64_t draw_spinner_wait(int64_t now_ms);

/* Draw untrusted text s[0..len) at (y, x) of w in attr, at most max_cols
 * columns, sanitised. Returns the columns drawn. UI thread. */
int draw_text(WINDOW *w, int y, int x, int max_cols, attr_t attr, const char *s, size_t len,
              unsigned flags);
/* draw_text of a NUL-terminated string (NULL draws nothing). UI thread. */
int draw_str(WINDOW *w, int y, int x, int max_cols, attr_t attr, const char *s, unsigned flags);
/* printf-style draw_str. UI thread. */
int draw_fmt(WINDOW *w, int y, int x, int max_cols, attr_t attr, unsigned flags, const char *fmt,
             ...) __attribute__((format(printf, 7, 8)));
/* Draw untrusted text word-wrapped at width columns from (y, x), at most
 * max_lines lines (the last one ends with an ellipsis if text is left).
 * Returns the lines drawn. UI thread. */
int draw_wrapped(WINDOW *w, int y, int x, int width, int max_lines, attr_t attr, const char *s);
/* Fill cols columns at (y, x) with spaces in attr. UI thread. */
void draw_fill(WINDOW *w, int y, int x, int cols, attr_t attr);
/* Display columns s would take once sanitised (as draw_text draws it). UI thread. */
size_t draw_width(const char *s, size_t len);
/* A buffer of *cap bytes, enough for s[0..len) sanitised in the worst case
 * (caller frees); NULL on overflow or allocation failure. Any thread. */
char *draw_sanitize_alloc(size_t len, size_t *cap);
/* Sanitise s[0..len) for display into a new NUL-terminated string (caller
 * frees); NULL on allocation failure. UI thread. */
char *draw_sanitize_dup(const char *s, size_t len, unsigned flags);
/* A frame with a title at (y, x) of size h x w. UI thread. */
void draw_frame(WINDOW *win, int y, int x, int h, int w, const char *title);

/* "12s", "3m", "2h05m", "4d": a compact age. Any thread. */
void draw_age(long long ms, char *buf, size_t n);
/* 1234567 -> "1,234,567". Any thread. */
void draw_thousands(long long v, char *buf, size_t n);

#endif
