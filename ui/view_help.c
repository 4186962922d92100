/* SPDX-License-Identifier: MIT */
/* view_help: every key of every screen, generated from the keymaps (so help
 * cannot drift from what the keys do), plus a few words on tickets. It opens
 * at the section of the screen it was asked from, wraps long lines to the
 * window, and / searches it (n and N for the next and previous match). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "prompt.h"
#include "view.h"

/* One entry of help: a heading, a key row, or a sentence. */
enum help_kind { HELP_TEXT, HELP_HEADING, HELP_KEYS };
struct help_entry {
    enum help_kind kind;
    char keys[48];
    const char *text;
    const struct keymap *km; /* HELP_HEADING: the section's keymap */
};

/* One screen row: a slice of an entry's text (the keys on its first row). */
struct help_row {
    size_t entry;
    size_t off, len;
};

/* Key rows: keys from column 3, text from column KEYS_TEXT_COL. */
enum { KEYS_COL = 3, KEYS_TEXT_COL = 21 };

struct help_view {
    struct view base;
    struct help_entry *entries;
    size_t n, cap;
    struct help_row *rows; /* wrapped for rows_width columns */
    size_t n_rows;
    int rows_width;
    size_t top, page;
    size_t anchor;     /* the entry at the top, kept across re-wrapping */
    char pattern[128]; /* the last search */
    size_t match;      /* the entry matched (SIZE_MAX: none) */
};

/* Append an entry; a failed allocation only shortens the help. */
static void add_entry(struct help_view *v, enum help_kind kind, const char *keys, const char *text,
                      const struct keymap *km)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        struct help_entry *e = realloc(v->entries, cap * sizeof *e);
        if (!e)
            return;
        v->entries = e;
        v->cap = cap;
    }
    struct help_entry *e = &v->entries[v->n++];
    e->kind = kind;
    ui_copy(e->keys, sizeof e->keys, keys ? keys : "");
    e->text = text;
    e->km = km;
}

static const char *const intro[] = {
    "dhtui browses a Deephaven server: its objects, their rows, and shared tickets. "
    "Publishing (p) exports an object to a new shared ticket that anyone on the same server "
    "can fetch (f, or `dhtui TICKET`). The ticket works while this dhtui session keeps the "
    "export: quitting dhtui or releasing it (t, then r) makes it stop working. Fetched "
    "tickets are checked in the background; the tickets panel shows their state.",
    "/ searches this help; n and N find the next and previous match.",
    NULL,
};

/* "Up k": the user's keys for binding i's action ([keys]), then the built-in keys bound to
 * it that have no help of their own. */
static void keys_of(const struct keymap *km, const struct keybinds *kb, size_t i, char *keys,
                    size_t cap)
{
    size_t used = 0;
    keys[0] = '\0';
    for (size_t j = 0; kb && j < kb->n; j++) {
        if (kb->v[j].km != km || kb->v[j].action != km->bindings[i].action)
            continue;
        char name[16];
        keymap_key_name(kb->v[j].key, name, sizeof name);
        int w = snprintf(keys + used, cap - used, "%s%s", used ? " " : "", name);
        if (w < 0 || (size_t)w >= cap - used)
            return;
        used += (size_t)w;
    }
    for (size_t j = i; j < km->n; j++) {
        const struct key_binding *o = &km->bindings[j];
        if (o->action != km->bindings[i].action || (j > i && o->help))
            continue;
        char name[16];
        keymap_key_name(o->key, name, sizeof name);
        int w = snprintf(keys + used, cap - used, "%s%s", used ? " " : "", name);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
}

/* Every keymap's bindings grouped by action: "Up k   move up". */
static void build(struct help_view *v, const struct keybinds *kb)
{
    for (size_t i = 0; intro[i]; i++)
        add_entry(v, HELP_TEXT, NULL, intro[i], NULL);
    for (size_t m = 0; keymap_all[m]; m++) {
        const struct keymap *km = keymap_all[m];
        add_entry(v, HELP_TEXT, NULL, "", NULL);
        add_entry(v, HELP_HEADING, NULL, km->title, km);
        for (size_t i = 0; i < km->n; i++) {
            if (!km->bindings[i].help)
                continue;
            char keys[48];
            keys_of(km, kb, i, keys, sizeof keys);
            add_entry(v, HELP_KEYS, keys, km->bindings[i].help, NULL);
        }
    }
}

/* Columns an entry's text gets in a window of cols columns. */
static int text_width(const struct help_entry *e, int cols)
{
    int w = e->kind == HELP_KEYS ? cols - KEYS_TEXT_COL - 1 : cols - 2;
    return w < 8 ? 8 : w;
}

/* Append a row (a failed allocation drops the rest of the wrapping). */
static int add_row(struct help_view *v, size_t *cap, size_t entry, size_t off, size_t len)
{
    if (v->n_rows == *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        struct help_row *r = realloc(v->rows, c * sizeof *r);
        if (!r)
            return -1;
        v->rows = r;
        *cap = c;
    }
    v->rows[v->n_rows++] = (struct help_row){entry, off, len};
    return 0;
}

/* The longest prefix of s[0..n) that fits width columns, cut after a space
 * when there is one (a word longer than the line is cut where it must). */
static size_t fit(const char *s, size_t n, int width)
{
    if (draw_width(s, n) <= (size_t)width)
        return n;
    size_t lo = 0, hi = n;
    while (lo + 1 < hi) { /* the longest prefix that fits */
        size_t mid = (lo + hi) / 2;
        if (draw_width(s, mid) <= (size_t)width)
            lo = mid;
        else
            hi = mid;
    }
    for (size_t k = lo; k > 0; k--)
        if (s[k] == ' ')
            return k + 1;
    return lo ? lo : 1;
}

/* Wrap every entry for cols columns; the top stays on its entry. */
static void rewrap(struct help_view *v, int cols)
{
    size_t cap = 0;
    free(v->rows);
    v->rows = NULL;
    v->n_rows = 0;
    v->rows_width = cols;
    for (size_t i = 0; i < v->n; i++) {
        const char *t = v->entries[i].text;
        size_t len = strlen(t), off = 0;
        int width = text_width(&v->entries[i], cols);
        do {
            size_t take = fit(t + off, len - off, width);
            if (add_row(v, &cap, i, off, take) != 0)
                return;
            off += take;
        } while (off < len);
    }
}

/* The first row of entry e. */
static size_t row_of(const struct help_view *v, size_t e)
{
    for (size_t r = 0; r < v->n_rows; r++)
        if (v->rows[r].entry >= e)
            return r;
    return v->n_rows ? v->n_rows - 1 : 0;
}

static size_t max_top(const struct help_view *v)
{
    return v->n_rows > v->page ? v->n_rows - v->page : 0;
}

static void set_top(struct help_view *v, size_t top)
{
    v->top = top > max_top(v) ? max_top(v) : top;
    v->anchor = v->n_rows ? v->rows[v->top].entry : 0;
}

/* Wrapped for cols columns, the top row on the anchor entry. */
static void ensure_wrapped(struct help_view *v, int cols)
{
    if (cols == v->rows_width)
        return;
    rewrap(v, cols);
    v->top = row_of(v, v->anchor);
}

/* Headings, key rows, text; the matched entry underlined. */
static void help_draw(struct view *vv, struct app *a, WINDOW *w)
{
    struct help_view *v = (struct help_view *)vv;
    (void)a;
    int cols = getmaxx(w), lines = getmaxy(w);
    v->page = (size_t)(lines > 0 ? lines : 1);
    ensure_wrapped(v, cols);
    if (v->top > max_top(v))
        v->top = max_top(v);
    for (size_t r = 0; r < v->page && v->top + r < v->n_rows; r++) {
        const struct help_row *row = &v->rows[v->top + r];
        const struct help_entry *e = &v->entries[row->entry];
        int y = (int)r, first = row->off == 0;
        attr_t mark = row->entry == v->match ? draw_attr(DR_MATCH) : A_NORMAL;
        const char *t = e->text + row->off;
        if (e->kind == HELP_HEADING) {
            draw_text(w, y, 1, cols - 2, draw_attr(DR_HEADER) | mark, t, row->len, DT_ELLIPSIS);
        } else if (e->kind == HELP_KEYS) {
            if (first)
                draw_str(w, y, KEYS_COL, KEYS_TEXT_COL - KEYS_COL - 2, draw_attr(DR_TICKET) | mark,
                         e->keys, DT_ELLIPSIS);
            draw_text(w, y, KEYS_TEXT_COL, cols - KEYS_TEXT_COL - 1, mark, t, row->len, 0);
        } else {
            draw_text(w, y, 1, cols - 2, mark, t, row->len, 0);
        }
    }
}

/* Case-insensitive substring. */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

/* The next entry (dir +1 or -1, wrapping) after `from` matching the pattern. */
static int find(struct help_view *v, size_t from, int dir, size_t *out)
{
    for (size_t k = 1; k <= v->n; k++) {
        size_t i = dir > 0 ? (from + k) % v->n : (from + v->n - k) % v->n;
        const struct help_entry *e = &v->entries[i];
        if (contains_nocase(e->text, v->pattern) || contains_nocase(e->keys, v->pattern)) {
            *out = i;
            return 1;
        }
    }
    return 0;
}

/* Jump to the next match (dir +1/-1) from the current one, or the top. */
static unsigned search_step(struct help_view *v, struct app *a, int dir)
{
    if (!v->pattern[0]) {
        app_message(a, APP_INFO, "/ searches the help first.");
        return UR_HANDLED | UR_STATUS;
    }
    /* A new search starts at the top line itself; n and N move from the match. */
    size_t from = v->match != SIZE_MAX ? v->match : (v->anchor + v->n - 1) % (v->n ? v->n : 1);
    size_t hit;
    if (!find(v, from, dir, &hit)) {
        v->match = SIZE_MAX;
        app_message(a, APP_WARN, "not found: %s", v->pattern);
        return UR_HANDLED | UR_REDRAW | UR_STATUS;
    }
    v->match = hit;
    set_top(v, row_of(v, hit) > 2 ? row_of(v, hit) - 2 : 0);
    return UR_HANDLED | UR_REDRAW | UR_STATUS;
}

static unsigned search_submit(void *ctx, struct app *a, const char *text)
{
    struct help_view *v = ctx;
    ui_copy(v->pattern, sizeof v->pattern, text);
    v->match = SIZE_MAX;
    return search_step(v, a, +1);
}

static const struct prompt_ops search_ops = {.submit = search_submit};

/* Scrolling, search and back. */
static unsigned help_key(struct view *vv, struct app *a, int key, enum ui_action act)
{
    struct help_view *v = (struct help_view *)vv;
    (void)key;
    size_t page = v->page ? v->page : 1;
    switch (act) {
    case ACT_UP: set_top(v, v->top > 0 ? v->top - 1 : 0); break;
    case ACT_DOWN: set_top(v, v->top + 1); break;
    case ACT_PAGE_UP: set_top(v, v->top > page ? v->top - page : 0); break;
    case ACT_PAGE_DOWN: set_top(v, v->top + page); break;
    case ACT_TOP: set_top(v, 0); break;
    case ACT_BOTTOM: set_top(v, max_top(v)); break;
    case ACT_SEARCH: prompt_open(a, PROMPT_SEARCH, "/", "", &search_ops, v); return UR_HANDLED;
    case ACT_SEARCH_NEXT: return search_step(v, a, +1);
    case ACT_SEARCH_PREV: return search_step(v, a, -1);
    case ACT_BACK: return UR_HANDLED | UR_CLOSE;
    default: return UR_NONE;
    }
    return UR_HANDLED | UR_REDRAW;
}

/* Position in the help. */
static void help_title(struct view *vv, struct app *a, char *left, size_t nl, char *right,
                       size_t nr)
{
    struct help_view *v = (struct help_view *)vv;
    if (a->w_body) {
        v->page = (size_t)(getmaxy(a->w_body) > 0 ? getmaxy(a->w_body) : 1);
        ensure_wrapped(v, getmaxx(a->w_body));
    }
    snprintf(left, nl, "Help");
    size_t last = v->top + v->page < v->n_rows ? v->top + v->page : v->n_rows;
    snprintf(right, nr, "lines %zu-%zu of %zu", v->n_rows ? v->top + 1 : 0, last, v->n_rows);
}

/* Free the help view (and its search prompt, if open). */
static void help_destroy(struct view *vv, struct app *a)
{
    struct help_view *v = (struct help_view *)vv;
    if (prompt_active() && prompt_ctx() == v)
        prompt_close(a);
    free(v->entries);
    free(v->rows);
    free(v);
}

static const struct view_ops help_ops = {
    .name = "help",
    .keymap = &keymap_help,
    .draw = help_draw,
    .key = help_key,
    .title = help_title,
    .destroy = help_destroy,
};

/* The help view, generated from the keymaps, open at the section of the
 * screen on top (its keymap's heading). */
struct view *view_help_new(struct app *a)
{
    struct help_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.ops = &help_ops;
    v->match = SIZE_MAX;
    build(v, a->opt ? a->opt->keys : NULL);
    struct view *top = app_top(a);
    const struct keymap *km = top ? top->ops->keymap : NULL;
    for (size_t i = 0; km && i < v->n; i++) {
        if (v->entries[i].kind == HELP_HEADING && v->entries[i].km == km) {
            v->anchor = i;
            break;
        }
    }
    return &v->base;
}
