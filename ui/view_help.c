/* SPDX-License-Identifier: MIT */
/* view_help: every key of every screen, generated from the keymaps (so help
 * cannot drift from what the keys do), plus a few words on tickets. */
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "view.h"

/* One line of help: a heading, a key row, or a sentence. */
struct help_line {
    int kind; /* 0 text, 1 heading, 2 key row */
    char keys[48];
    const char *text;
};

struct help_view {
    struct view base;
    struct help_line *lines;
    size_t n, cap;
    size_t top, page;
};

/* Append a help line. */
static void add_line(struct help_view *v, int kind, const char *keys, const char *text)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        struct help_line *l = realloc(v->lines, cap * sizeof *l);
        if (!l)
            return;
        v->lines = l;
        v->cap = cap;
    }
    struct help_line *l = &v->lines[v->n++];
    l->kind = kind;
    ui_copy(l->keys, sizeof l->keys, keys ? keys : "");
    l->text = text;
}

static const char *const intro[] = {
    "dhtui browses a Deephaven server: its objects, their rows, and shared tickets.",
    "Publishing (p) exports an object to a new shared ticket that anyone on the same server",
    "can fetch (f, or `dhtui TICKET`). The ticket works while this dhtui session keeps the",
    "export: quitting dhtui or releasing it (t, then r) makes it stop working.",
    "Fetched tickets are checked in the background; the tickets panel shows their state.",
    NULL,
};

/* Group each keymap's bindings by action: "Up k   move up". */
static void build(struct help_view *v)
{
    for (size_t i = 0; intro[i]; i++)
        add_line(v, 0, NULL, intro[i]);
    for (size_t m = 0; keymap_all[m]; m++) {
        const struct keymap *km = keymap_all[m];
        add_line(v, 0, NULL, "");
        add_line(v, 1, NULL, km->title);
        for (size_t i = 0; i < km->n; i++) {
            const struct key_binding *b = &km->bindings[i];
            if (!b->help)
                continue;
            char keys[48] = "";
            size_t used = 0;
            for (size_t j = i; j < km->n; j++) {
                const struct key_binding *o = &km->bindings[j];
                if (o->action != b->action || (j > i && o->help))
                    continue;
                char name[16];
                keymap_key_name(o->key, name, sizeof name);
                int w = snprintf(keys + used, sizeof keys - used, "%s%s", used ? " " : "", name);
                if (w < 0 || (size_t)w >= sizeof keys - used)
                    break;
                used += (size_t)w;
            }
            add_line(v, 2, keys, b->help);
        }
    }
}

/* Headings, key rows, text. */
static void help_draw(struct view *vv, struct app *a, WINDOW *w)
{
    struct help_view *v = (struct help_view *)vv;
    (void)a;
    int cols = getmaxx(w), lines = getmaxy(w);
    v->page = (size_t)(lines > 0 ? lines : 1);
    size_t max_top = v->n > v->page ? v->n - v->page : 0;
    if (v->top > max_top)
        v->top = max_top;
    for (size_t r = 0; r < v->page && v->top + r < v->n; r++) {
        const struct help_line *l = &v->lines[v->top + r];
        int y = (int)r;
        if (l->kind == 1) {
            draw_str(w, y, 1, cols - 2, draw_attr(DR_HEADER), l->text, DT_ELLIPSIS);
        } else if (l->kind == 2) {
            draw_str(w, y, 3, 16, draw_attr(DR_TICKET), l->keys, DT_ELLIPSIS);
            draw_str(w, y, 21, cols - 22, A_NORMAL, l->text, DT_ELLIPSIS);
        } else {
            draw_str(w, y, 1, cols - 2, A_NORMAL, l->text, DT_ELLIPSIS);
        }
    }
}

/* Scrolling and back. */
static unsigned help_key(struct view *vv, struct app *a, int key, enum ui_action act)
{
    struct help_view *v = (struct help_view *)vv;
    (void)a;
    (void)key;
    size_t page = v->page ? v->page : 1;
    size_t max_top = v->n > page ? v->n - page : 0;
    switch (act) {
    case ACT_UP: if (v->top > 0) v->top--; break;
    case ACT_DOWN: if (v->top < max_top) v->top++; break;
    case ACT_PAGE_UP: v->top = v->top > page ? v->top - page : 0; break;
    case ACT_PAGE_DOWN: v->top = v->top + page < max_top ? v->top + page : max_top; break;
    case ACT_TOP: v->top = 0; break;
    case ACT_BOTTOM: v->top = max_top; break;
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
    if (a->w_body)
        v->page = (size_t)(getmaxy(a->w_body) > 0 ? getmaxy(a->w_body) : 1);
    snprintf(left, nl, "Help");
    size_t last = v->top + v->page < v->n ? v->top + v->page : v->n;
    snprintf(right, nr, "lines %zu-%zu of %zu", v->n ? v->top + 1 : 0, last, v->n);
}

/* Free the help view. */
static void help_destroy(struct view *vv, struct app *a)
{
    struct help_view *v = (struct help_view *)vv;
    (void)a;
    free(v->lines);
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

/* The help view, generated from the keymaps. */
struct view *view_help_new(struct app *a)
{
    (void)a;
    struct help_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.ops = &help_ops;
    build(v);
    return &v->base;
}
