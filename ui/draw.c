/* SPDX-License-Identifier: MIT */
/* draw: colours, glyphs and sanitised, width-aware text output. */
#include "draw.h"

#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dh_text.h"

/* Curses state is global anyway; these mirror it (tolerable in ui/). */
static attr_t role_attr[DR_COUNT];
static int utf8_output = 1;

/* Widest text we ever measure or draw in one piece, in columns. */
enum { DRAW_MAX_COLS = 1024 };

/* UTF-8 output only when the locale says so. */
void draw_init_locale(void)
{
    const char *cs = nl_langinfo(CODESET);
    utf8_output = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* Whether to draw UTF-8 glyphs. */
int draw_utf8(void)
{
    return utf8_output;
}

/* One colour role: foreground/background in 256 and in 8 colours, and the
 * attribute used when there are no colours at all. */
struct role_style {
    short fg256, bg256;
    short fg8, bg8;
    attr_t extra; /* added in colour modes */
    attr_t mono;  /* used without colours */
};

/* -1 is the terminal's default colour (use_default_colors). For a dark
 * terminal background. */
static const struct role_style dark[DR_COUNT] = {
    [DR_NORMAL] = {-1, -1, -1, -1, A_NORMAL, A_NORMAL},
    [DR_TITLE] = {255, 24, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD},
    [DR_TITLE_DIM] = {252, 24, COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE},
    [DR_HEADER] = {110, -1, COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [DR_HEADER_TYPE] = {244, -1, -1, -1, A_NORMAL, A_DIM},
    [DR_CURSOR] = {231, 239, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [DR_CURSOR_CELL] = {16, 110, COLOR_BLACK, COLOR_WHITE, A_BOLD, A_BOLD | A_UNDERLINE},
    [DR_POSITION] = {242, -1, -1, -1, A_NORMAL, A_DIM},
    [DR_GOOD] = {71, -1, COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [DR_WARN] = {178, -1, COLOR_YELLOW, -1, A_BOLD, A_NORMAL},
    [DR_BAD] = {167, -1, COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [DR_DIM] = {245, -1, -1, -1, A_NORMAL, A_DIM},
    [DR_NULL] = {242, -1, -1, -1, A_NORMAL, A_DIM},
    [DR_TICKET] = {172, -1, COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    [DR_BORDER] = {67, -1, COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
    [DR_HINT_KEY] = {16, 73, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [DR_HINT_LABEL] = {-1, -1, -1, -1, A_NORMAL, A_NORMAL},
    [DR_PROMPT] = {110, -1, COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [DR_MATCH] = {172, -1, COLOR_YELLOW, -1, A_UNDERLINE, A_UNDERLINE},
    [DR_CHANGED] = {16, 178, COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE},
    [DR_CHANGED_FADE] = {178, -1, COLOR_YELLOW, -1, A_NORMAL, A_BOLD},
    [DR_NEW_ROW] = {71, -1, COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [DR_SERIES1] = {81, -1, COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
    [DR_SERIES2] = {214, -1, COLOR_YELLOW, -1, A_NORMAL, A_BOLD},
    [DR_SERIES3] = {114, -1, COLOR_GREEN, -1, A_NORMAL, A_UNDERLINE},
    [DR_SERIES4] = {213, -1, COLOR_MAGENTA, -1, A_NORMAL, A_DIM},
    [DR_SERIES5] = {69, -1, COLOR_BLUE, -1, A_BOLD, A_REVERSE},
    [DR_SERIES6] = {203, -1, COLOR_RED, -1, A_NORMAL, A_BOLD | A_UNDERLINE},
};

/* For a light background: darker text, light bars; no yellow text. */
static const struct role_style light[DR_COUNT] = {
    [DR_NORMAL] = {-1, -1, -1, -1, A_NORMAL, A_NORMAL},
    [DR_TITLE] = {231, 25, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD},
    [DR_TITLE_DIM] = {254, 25, COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE},
    [DR_HEADER] = {25, -1, COLOR_BLUE, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [DR_HEADER_TYPE] = {243, -1, -1, -1, A_NORMAL, A_DIM},
    [DR_CURSOR] = {16, 153, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [DR_CURSOR_CELL] = {231, 25, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_BOLD | A_UNDERLINE},
    [DR_POSITION] = {243, -1, -1, -1, A_NORMAL, A_DIM},
    [DR_GOOD] = {28, -1, COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [DR_WARN] = {130, -1, COLOR_MAGENTA, -1, A_BOLD, A_NORMAL},
    [DR_BAD] = {124, -1, COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [DR_DIM] = {244, -1, -1, -1, A_NORMAL, A_DIM},
    [DR_NULL] = {246, -1, -1, -1, A_NORMAL, A_DIM},
    [DR_TICKET] = {130, -1, COLOR_MAGENTA, -1, A_BOLD, A_BOLD},
    [DR_BORDER] = {67, -1, COLOR_BLUE, -1, A_NORMAL, A_NORMAL},
    [DR_HINT_KEY] = {231, 31, COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE},
    [DR_HINT_LABEL] = {-1, -1, -1, -1, A_NORMAL, A_NORMAL},
    [DR_PROMPT] = {25, -1, COLOR_BLUE, -1, A_BOLD, A_BOLD},
    [DR_MATCH] = {130, -1, COLOR_MAGENTA, -1, A_UNDERLINE, A_UNDERLINE},
    [DR_CHANGED] = {16, 222, COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE},
    [DR_CHANGED_FADE] = {130, -1, COLOR_MAGENTA, -1, A_NORMAL, A_BOLD},
    [DR_NEW_ROW] = {28, -1, COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [DR_SERIES1] = {25, -1, COLOR_BLUE, -1, A_NORMAL, A_NORMAL},
    [DR_SERIES2] = {166, -1, COLOR_RED, -1, A_NORMAL, A_BOLD},
    [DR_SERIES3] = {28, -1, COLOR_GREEN, -1, A_NORMAL, A_UNDERLINE},
    [DR_SERIES4] = {90, -1, COLOR_MAGENTA, -1, A_NORMAL, A_DIM},
    [DR_SERIES5] = {30, -1, COLOR_CYAN, -1, A_BOLD, A_REVERSE},
    [DR_SERIES6] = {124, -1, COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
};

int draw_theme_parse(const char *name, enum draw_theme *out)
{
    static const char *const names[] = {
        [DRAW_THEME_DARK] = "dark", [DRAW_THEME_LIGHT] = "light", [DRAW_THEME_MONO] = "mono"};
    for (int t = 0; t < (int)(sizeof names / sizeof names[0]); t++) {
        if (name && strcmp(name, names[t]) == 0) {
            *out = (enum draw_theme)t;
            return 0;
        }
    }
    if (name && strcmp(name, "monochrome") == 0) {
        *out = DRAW_THEME_MONO;
        return 0;
    }
    return -1;
}

enum draw_theme draw_theme_effective(enum draw_theme wanted, const char *no_color)
{
    /* no-color.org: set and not empty means no colour, whatever else asks. */
    if (no_color && *no_color)
        return DRAW_THEME_MONO;
    return wanted;
}

/* How many colours to use: 256, 8 (also for 16-colour terminals), or 0. */
static int colour_depth(enum draw_theme theme)
{
    if (theme == DRAW_THEME_MONO || !has_colors() || start_color() != OK)
        return 0;
    return COLORS >= 256 ? 256 : (COLORS >= 8 ? 8 : 0);
}

/* Pairs for 256 or 8 colours; plain attributes without colour (mono theme,
 * NO_COLOR, or a terminal without colours): bold, reverse, underline and dim
 * still mark what colour would. */
void draw_init_colors(enum draw_theme theme)
{
    const struct role_style *styles = theme == DRAW_THEME_LIGHT ? light : dark;
    int colors = colour_depth(theme);
    int defaults = colors && use_default_colors() == OK;
    for (int r = 0; r < DR_COUNT; r++) {
        const struct role_style *s = &styles[r];
        if (r == DR_NORMAL || colors == 0 || COLOR_PAIRS <= r) {
            role_attr[r] = colors ? s->extra : s->mono;
            continue;
        }
        short fg = colors == 256 ? s->fg256 : s->fg8;
        short bg = colors == 256 ? s->bg256 : s->bg8;
        if (!defaults) {
            /* Without default colours, -1 is not allowed: assume white on black. */
            if (fg < 0)
                fg = COLOR_WHITE;
            if (bg < 0)
                bg = COLOR_BLACK;
        }
        /* A role that only differs by the default colours needs no pair. */
        if (fg < 0 && bg < 0) {
            role_attr[r] = s->extra ? s->extra : s->mono;
            continue;
        }
        init_pair((short)r, fg, bg);
        role_attr[r] = (attr_t)COLOR_PAIR(r) | s->extra;
    }
}

/* The attribute of a role. */
attr_t draw_attr(enum draw_role role)
{
    if ((int)role < 0 || role >= DR_COUNT)
        return A_NORMAL;
    return role_attr[role];
}

/* UTF-8 or ASCII glyph. */
const char *draw_glyph(enum draw_glyph g)
{
    static const char *const utf8[DG_COUNT] = {"\xe2\x80\xa6", "\xe2\x97\x8f", "\xe2\x94\x82",
                                               "\xe2\x80\xba", "\xc2\xb7"};
    static const char *const ascii[DG_COUNT] = {"~", "*", "|", ">", "."};
    if ((int)g < 0 || g >= DG_COUNT)
        return "?";
    return utf8_output ? utf8[g] : ascii[g];
}

/* Spinner frames last this long. */
enum { DRAW_SPINNER_MS = 100 };

int64_t draw_spinner_wait(int64_t now_ms)
{
    return DRAW_SPINNER_MS - now_ms % DRAW_SPINNER_MS;
}

/* Braille or ASCII spinner, one frame per DRAW_SPINNER_MS. */
const char *draw_spinner(long long now_ms)
{
    static const char *const braille[] = {
        "\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9", "\xe2\xa0\xb8", "\xe2\xa0\xbc",
        "\xe2\xa0\xb4", "\xe2\xa0\xa6", "\xe2\xa0\xa7", "\xe2\xa0\x87", "\xe2\xa0\x8f"};
    static const char *const ascii[] = {"|", "/", "-", "\\"};
    long long frame = now_ms / DRAW_SPINNER_MS;
    if (frame < 0)
        frame = 0;
    if (utf8_output)
        return braille[frame % 10];
    return ascii[frame % 4];
}

/* Replace every non-ASCII character by '?' (one per column) in place. */
static size_t asciify(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = dh_text_utf8_next(s + i, len - i, &cp);
        if (cp < 0x80) {
            s[o++] = (char)cp;
        } else {
            int w = dh_text_codepoint_width(cp);
            for (int k = 0; k < w && o < i + n; k++)
                s[o++] = '?';
        }
        i += n;
    }
    s[o] = '\0';
    return o;
}

/* Sanitise into buf (cap bytes) and return its length; *cut = input left over. */
static size_t sanitize_into(const char *s, size_t len, char *buf, size_t cap, unsigned flags,
                            int *cut)
{
    size_t used = 0;
    unsigned f = (flags & DT_KEEP_TABS) ? 0u : (unsigned)DH_SANITIZE_TAB_AS_SPACE;
    size_t n = dh_text_sanitize(s, len, buf, cap, f, &used);
    *cut = used < len;
    if (!utf8_output)
        n = asciify(buf, n);
    return n;
}

/* Sanitise, cut to max_cols by display width, then hand to curses. */
int draw_text(WINDOW *w, int y, int x, int max_cols, attr_t attr, const char *s, size_t len,
              unsigned flags)
{
    if (!w || max_cols <= 0 || y < 0 || x < 0 || y >= getmaxy(w) || x >= getmaxx(w))
        return 0;
    if (max_cols > getmaxx(w) - x)
        max_cols = getmaxx(w) - x;
    if (max_cols > DRAW_MAX_COLS)
        max_cols = DRAW_MAX_COLS;
    char buf[DRAW_MAX_COLS * 4 + 64];
    int cut = 0;
    size_t blen = s ? sanitize_into(s, len, buf, sizeof buf, flags, &cut) : 0;
    if (!s)
        buf[0] = '\0';
    size_t cols = 0;
    size_t keep = dh_text_prefix_for_width(buf, blen, (size_t)max_cols, &cols);
    int ellipsis = 0;
    if ((keep < blen || cut) && (flags & DT_ELLIPSIS) && max_cols >= 1) {
        keep = dh_text_prefix_for_width(buf, blen, (size_t)max_cols - 1, &cols);
        ellipsis = 1;
    }
    int used = (int)cols + ellipsis;
    int start = x;
    if ((flags & DT_RIGHT) && used < max_cols)
        start = x + (max_cols - used);
    if (flags & DT_PAD)
        draw_fill(w, y, x, max_cols, attr);
    wattrset(w, (int)attr);
    if (keep > 0)
        mvwaddnstr(w, y, start, buf, (int)keep);
    if (ellipsis)
        mvwaddstr(w, y, start + (int)cols, draw_glyph(DG_ELLIPSIS));
    wattrset(w, A_NORMAL);
    return (flags & DT_PAD) ? max_cols : used + (start - x);
}

/* draw_text for C strings. */
int draw_str(WINDOW *w, int y, int x, int max_cols, attr_t attr, const char *s, unsigned flags)
{
    if (!s)
        return 0;
    return draw_text(w, y, x, max_cols, attr, s, strlen(s), flags);
}

/* draw_str of formatted text (formatted text is sanitised too). */
int draw_fmt(WINDOW *w, int y, int x, int max_cols, attr_t attr, unsigned flags, const char *fmt,
             ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return 0;
    return draw_str(w, y, x, max_cols, attr, buf, flags);
}

/* Blank cols columns in attr. */
void draw_fill(WINDOW *w, int y, int x, int cols, attr_t attr)
{
    if (!w || y < 0 || x < 0 || y >= getmaxy(w) || x >= getmaxx(w))
        return;
    if (cols > getmaxx(w) - x)
        cols = getmaxx(w) - x;
    if (cols <= 0)
        return;
    wattrset(w, (int)attr);
    mvwhline(w, y, x, ' ', cols);
    wattrset(w, A_NORMAL);
}

/* Word wrap, line by line, through draw_text. */
int draw_wrapped(WINDOW *w, int y, int x, int width, int max_lines, attr_t attr, const char *s)
{
    if (!s || width < 1 || max_lines < 1)
        return 0;
    char buf[DRAW_MAX_COLS * 4 + 64];
    int cut = 0;
    size_t len = sanitize_into(s, strlen(s), buf, sizeof buf, 0, &cut);
    size_t start = 0;
    int lines = 0;
    while (start < len && lines < max_lines) {
        while (start < len && buf[start] == ' ')
            start++;
        size_t cols = 0;
        size_t fit = dh_text_prefix_for_width(buf + start, len - start, (size_t)width, &cols);
        size_t end = start + fit;
        if (end < len && lines + 1 < max_lines) {
            /* Break after the last space that fits, if there is one. */
            size_t sp = end;
            while (sp > start && buf[sp] != ' ')
                sp--;
            if (sp > start)
                end = sp;
        }
        unsigned flags = (lines + 1 == max_lines && (end < len || cut)) ? DT_ELLIPSIS : 0;
        size_t n = flags ? len - start : end - start;
        draw_text(w, y + lines, x, width, attr, buf + start, n, flags);
        lines++;
        start = end;
    }
    return lines;
}

/* Display width after sanitising, capped at DRAW_MAX_COLS. */
size_t draw_width(const char *s, size_t len)
{
    char buf[DRAW_MAX_COLS * 4 + 64];
    int cut = 0;
    if (!s)
        return 0;
    size_t blen = sanitize_into(s, len, buf, sizeof buf, 0, &cut);
    size_t w = dh_text_width(buf, blen);
    return cut && w < DRAW_MAX_COLS ? DRAW_MAX_COLS : w;
}

char *draw_sanitize_alloc(size_t len, size_t *cap)
{
    /* Worst case: every byte becomes "\xNN" (4 bytes) or U+FFFD (3 bytes). */
    if (len > (SIZE_MAX - 1) / 4)
        return NULL;
    *cap = len * 4 + 1;
    return malloc(*cap);
}

/* A sanitised copy sized for the worst case. */
char *draw_sanitize_dup(const char *s, size_t len, unsigned flags)
{
    size_t cap;
    char *out = draw_sanitize_alloc(len, &cap);
    if (!out)
        return NULL;
    int cut = 0;
    sanitize_into(s ? s : "", s ? len : 0, out, cap, flags, &cut);
    return out;
}

/* A box with a title, its inside cleared. */
void draw_frame(WINDOW *win, int y, int x, int h, int w, const char *title)
{
    if (h < 2 || w < 2)
        return;
    attr_t a = draw_attr(DR_BORDER);
    wattrset(win, (int)a);
    mvwaddch(win, y, x, ACS_ULCORNER);
    mvwhline(win, y, x + 1, ACS_HLINE, w - 2);
    mvwaddch(win, y, x + w - 1, ACS_URCORNER);
    mvwvline(win, y + 1, x, ACS_VLINE, h - 2);
    mvwvline(win, y + 1, x + w - 1, ACS_VLINE, h - 2);
    mvwaddch(win, y + h - 1, x, ACS_LLCORNER);
    mvwhline(win, y + h - 1, x + 1, ACS_HLINE, w - 2);
    mvwaddch(win, y + h - 1, x + w - 1, ACS_LRCORNER);
    wattrset(win, A_NORMAL);
    for (int r = 1; r < h - 1; r++)
        draw_fill(win, y + r, x + 1, w - 2, A_NORMAL);
    if (title && *title && w > 6) {
        int n = draw_str(win, y, x + 2, w - 4, a | A_BOLD, " ", 0);
        n += draw_str(win, y, x + 2 + n, w - 5 - n, a | A_BOLD, title, DT_ELLIPSIS);
        draw_str(win, y, x + 2 + n, 1, a | A_BOLD, " ", 0);
    }
}

/* Compact age: seconds, minutes, hours and minutes, days. */
void draw_age(long long ms, char *buf, size_t n)
{
    if (ms < 0)
        ms = 0;
    long long s = ms / 1000;
    if (s < 60)
        snprintf(buf, n, "%llds", s);
    else if (s < 3600)
        snprintf(buf, n, "%lldm", s / 60);
    else if (s < 86400)
        snprintf(buf, n, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
    else
        snprintf(buf, n, "%lldd", s / 86400);
}

/* Digits grouped by three with commas. */
void draw_thousands(long long v, char *buf, size_t n)
{
    char digits[32];
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    int len = snprintf(digits, sizeof digits, "%llu", u);
    char out[48];
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, n, "%s", out);
}
