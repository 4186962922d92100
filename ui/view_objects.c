/* SPDX-License-Identifier: MIT */
/* view_objects: the first screen, the server's objects (name, type,
 * application, description), live from DH_EV_OBJECTS. The selection is kept
 * by object name and application across updates, never by index (htop #142:
 * selection by index on live data picks the wrong row). */
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "prompt.h"
#include "view.h"

struct objects_view {
    struct view base;
    char *sel_name;   /* the selected object's name (NULL = none yet; any length) */
    char *sel_app;    /* and its application id */
    char filter[256]; /* case-insensitive substring of the name */
    size_t *rows;     /* indices into the snapshot that pass the filter */
    size_t n_rows, cap;
    size_t cursor, top;
    size_t page; /* rows visible at the last draw */
    const struct dh_object_list *built_for;
    int filter_open; /* the filter prompt is open */
};

/* 1 if s starts with needle, ignoring ASCII case. */
static int contains_nocase_prefix(const char *s, const char *needle)
{
    for (; *needle; needle++, s++) {
        char a = *s, b = *needle;
        if (!a)
            return 0;
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

/* ASCII case-insensitive substring test (names are mostly ASCII). */
static int contains_nocase(const char *hay, const char *needle)
{
    if (!needle[0])
        return 1;
    for (; *hay; hay++) {
        if (contains_nocase_prefix(hay, needle))
            return 1;
    }
    return 0;
}

/* The object under the cursor, or NULL. */
static const struct dh_object *selected(struct objects_view *v, struct app *a)
{
    if (!a->objects || v->cursor >= v->n_rows)
        return NULL;
    return &a->objects->items[v->rows[v->cursor]];
}

/* Remember the selection by name so updates cannot move it. */
static void remember(struct objects_view *v, struct app *a)
{
    const struct dh_object *o = selected(v, a);
    if (!o)
        return;
    char *name = strdup(o->name ? o->name : "");
    char *app = strdup(o->app_id ? o->app_id : "");
    if (!name || !app) {
        free(name);
        free(app);
        return; /* out of memory: keep the previous selection */
    }
    free(v->sel_name);
    free(v->sel_app);
    v->sel_name = name;
    v->sel_app = app;
}

/* Rebuild the filtered rows and put the cursor back on the remembered object
 * (or, if it went away, on the row that took its place). */
static void rebuild(struct objects_view *v, struct app *a)
{
    const struct dh_object_list *l = a->objects;
    v->built_for = l;
    v->n_rows = 0;
    size_t n = l ? l->n : 0;
    if (n > v->cap) {
        size_t *r = realloc(v->rows, n * sizeof *r);
        if (!r) {
            app_message(a, APP_ERROR, "Out of memory: listing %zu of %zu objects.", v->cap, n);
            n = v->cap;
        } else {
            v->rows = r;
            v->cap = n;
        }
    }
    int found = 0;
    size_t insert_at = 0;
    for (size_t i = 0; i < n; i++) {
        const struct dh_object *o = &l->items[i];
        const char *name = o->name ? o->name : "";
        if (!contains_nocase(name, v->filter))
            continue;
        if (v->sel_name && !found) {
            const char *app = o->app_id ? o->app_id : "";
            int c = strcmp(name, v->sel_name);
            if (c == 0 && strcmp(app, v->sel_app) == 0) {
                v->cursor = v->n_rows;
                found = 1;
            } else if (c < 0) {
                insert_at = v->n_rows + 1; /* the list is sorted by name */
            }
        }
        v->rows[v->n_rows++] = i;
    }
    if (!found)
        v->cursor = insert_at < v->n_rows ? insert_at : (v->n_rows ? v->n_rows - 1 : 0);
    if (!found || !v->sel_name)
        remember(v, a);
}

/* Object count, or matches of the filter. */
static void objects_title(struct view *vv, struct app *a, char *left, size_t nl, char *right,
                          size_t nr)
{
    struct objects_view *v = (struct objects_view *)vv;
    snprintf(left, nl, "Objects");
    size_t total = a->objects ? a->objects->n : 0;
    if (!a->objects)
        snprintf(right, nr, "waiting for the object list");
    else if (v->filter[0])
        snprintf(right, nr, "%zu of %zu match \"%s\"", v->n_rows, total, v->filter);
    else
        snprintf(right, nr, "%zu object%s", total, total == 1 ? "" : "s");
}

/* Column widths: fitted to the contents, description takes the rest. */
struct obj_cols {
    int name, type, app, desc;
};

/* The application column: its name, else its id ("scope"). */
static const char *app_label(const struct dh_object *o)
{
    if (o->app_name && o->app_name[0])
        return o->app_name;
    return o->app_id ? o->app_id : "";
}

/* Widths from the contents, capped, description takes what is left. */
static struct obj_cols fit_columns(struct objects_view *v, struct app *a, int width)
{
    struct obj_cols c = {4, 4, 11, 0};
    for (size_t i = 0; i < v->n_rows; i++) {
        const struct dh_object *o = &a->objects->items[v->rows[i]];
        int w = (int)draw_width(o->name, o->name ? strlen(o->name) : 0);
        if (w > c.name)
            c.name = w;
        w = (int)draw_width(o->type, o->type ? strlen(o->type) : 0);
        if (w > c.type)
            c.type = w;
        const char *ap = app_label(o);
        w = (int)draw_width(ap, strlen(ap));
        if (w > c.app)
            c.app = w;
    }
    int cap_name = width * 35 / 100, cap_type = width / 5, cap_app = width / 5;
    if (c.name > cap_name)
        c.name = cap_name;
    if (c.type > cap_type)
        c.type = cap_type;
    if (c.app > cap_app)
        c.app = cap_app;
    c.desc = width - 2 - c.name - 2 - c.type - 2 - c.app - 2;
    if (c.desc < 0)
        c.desc = 0;
    return c;
}

/* Underline where the filter matched in a name already drawn at (y, x). */
static void draw_match(WINDOW *w, int y, int x, int width, const char *name, const char *filter,
                       int sel)
{
    size_t n = strlen(filter);
    if (!name || n == 0)
        return;
    for (const char *p = name; *p; p++) {
        if (!contains_nocase_prefix(p, filter))
            continue;
        int off = (int)draw_width(name, (size_t)(p - name));
        if (off >= width)
            return;
        attr_t at = sel ? draw_attr(DR_CURSOR) | A_BOLD | A_UNDERLINE : draw_attr(DR_MATCH);
        draw_text(w, y, x + off, width - off, at, p, n, 0);
        return;
    }
}

/* What the list shows when it has no rows. */
static void draw_empty(struct objects_view *v, struct app *a, WINDOW *w, int y)
{
    int cols = getmaxx(w), lines = getmaxy(w);
    if (!a->objects) {
        const char *t = a->client ? dh_client_target(a->client) : "";
        if (a->conn == DH_CONN_FAILED && a->auth_refused)
            draw_fmt(w, y, 2, cols - 4, draw_attr(DR_BAD), DT_ELLIPSIS,
                     "%s refused the credential: press a to enter it again.", t);
        else if (a->conn == DH_CONN_FAILED)
            draw_fmt(w, y, 2, cols - 4, draw_attr(DR_BAD), DT_ELLIPSIS,
                     "Could not connect to %s; dhtui gave up.", t);
        else if (a->conn == DH_CONN_RETRYING)
            draw_fmt(w, y, 2, cols - 4, draw_attr(DR_WARN), DT_ELLIPSIS,
                     "No connection to %s; retrying%s", t, draw_glyph(DG_ELLIPSIS));
        else
            draw_fmt(w, y, 2, cols - 4, draw_attr(DR_DIM), DT_ELLIPSIS, "Connecting to %s%s", t,
                     draw_glyph(DG_ELLIPSIS));
        /* The whole reason, wrapped: the status line only has room for its start. */
        if (a->conn_detail[0] && a->conn != DH_CONN_CONNECTED)
            draw_wrapped(w, y + 2, 4, cols - 8, lines - y - 3, A_NORMAL, a->conn_detail);
        return;
    }
    if (v->filter[0])
        draw_fmt(w, y, 2, cols - 4, draw_attr(DR_DIM), DT_ELLIPSIS,
                 "No object name contains \"%s\" (Esc clears the filter).", v->filter);
    else
        draw_str(w, y, 2, cols - 4, draw_attr(DR_DIM),
                 "The server exports no objects yet; the list updates by itself.", DT_ELLIPSIS);
}

/* Header and rows; the selection is drawn from the remembered name. */
static void objects_draw(struct view *vv, struct app *a, WINDOW *w)
{
    struct objects_view *v = (struct objects_view *)vv;
    if (v->built_for != a->objects)
        rebuild(v, a);
    int cols = getmaxx(w), lines = getmaxy(w);
    v->page = lines > 1 ? (size_t)(lines - 1) : 1;
    struct obj_cols c = fit_columns(v, a, cols);
    attr_t h = draw_attr(DR_HEADER);
    int x = 1;
    draw_str(w, 0, x, c.name, h, "NAME", 0);
    x += c.name + 2;
    draw_str(w, 0, x, c.type, h, "TYPE", 0);
    x += c.type + 2;
    draw_str(w, 0, x, c.app, h, "APPLICATION", DT_ELLIPSIS);
    x += c.app + 2;
    draw_str(w, 0, x, c.desc, h, "DESCRIPTION", DT_ELLIPSIS);
    if (v->n_rows == 0) {
        draw_empty(v, a, w, 2);
        return;
    }
    view_list_scroll(v->n_rows, v->page, v->cursor, &v->top);
    for (size_t r = 0; r < v->page && v->top + r < v->n_rows; r++) {
        size_t i = v->top + r;
        const struct dh_object *o = &a->objects->items[v->rows[i]];
        int y = (int)r + 1;
        int sel = i == v->cursor;
        attr_t base = sel ? draw_attr(DR_CURSOR) : A_NORMAL;
        if (sel)
            draw_fill(w, y, 0, cols, base);
        x = 1;
        draw_str(w, y, x, c.name, base | (sel ? A_BOLD : 0), o->name, DT_ELLIPSIS);
        draw_match(w, y, x, c.name, o->name, v->filter, sel);
        x += c.name + 2;
        attr_t ta = base;
        if (!sel && o->type && strcmp(o->type, "Table") != 0)
            ta = draw_attr(DR_HEADER) & ~(attr_t)A_BOLD;
        draw_str(w, y, x, c.type, ta, o->type && o->type[0] ? o->type : "?", DT_ELLIPSIS);
        x += c.type + 2;
        draw_str(w, y, x, c.app, sel ? base : draw_attr(DR_DIM), app_label(o), DT_ELLIPSIS);
        x += c.app + 2;
        if (o->unusable)
            draw_fmt(w, y, x, c.desc, sel ? base : draw_attr(DR_WARN), DT_ELLIPSIS,
                     "cannot be used: %s", o->unusable);
        else
            draw_str(w, y, x, c.desc, base, o->description, DT_ELLIPSIS);
    }
}

/* Filter prompt callbacks. */
static unsigned filter_change(void *ctx, struct app *a, const char *text)
{
    struct objects_view *v = ctx;
    snprintf(v->filter, sizeof v->filter, "%s", text);
    rebuild(v, a);
    remember(v, a);
    return UR_REDRAW | UR_STATUS;
}

/* Enter: keep the filter. */
static unsigned filter_submit(void *ctx, struct app *a, const char *text)
{
    struct objects_view *v = ctx;
    v->filter_open = 0;
    filter_change(ctx, a, text);
    return UR_REDRAW | UR_STATUS;
}

/* Esc: clear the filter. */
static void filter_cancel(void *ctx, struct app *a)
{
    struct objects_view *v = ctx;
    v->filter_open = 0;
    v->filter[0] = '\0';
    rebuild(v, a);
    a->dirty |= UI_DIRTY_BODY | UI_DIRTY_TITLE;
}

static const struct prompt_ops filter_ops = {
    .change = filter_change,
    .submit = filter_submit,
    .cancel = filter_cancel,
};

/* Movement, open, publish, filter, clear filter. */
static unsigned objects_key(struct view *vv, struct app *a, int key, enum ui_action act)
{
    struct objects_view *v = (struct objects_view *)vv;
    (void)key;
    if (v->built_for != a->objects)
        rebuild(v, a);
    if (view_list_move(act, v->n_rows, v->page, &v->cursor)) {
        remember(v, a);
        return UR_HANDLED | UR_REDRAW;
    }
    const struct dh_object *o = selected(v, a);
    switch (act) {
    case ACT_OPEN:
        if (o)
            app_open_object(a, o);
        return UR_HANDLED | UR_STATUS;
    case ACT_PUBLISH:
        if (o)
            app_publish(a, o);
        return UR_HANDLED | UR_STATUS;
    case ACT_FILTER:
        /* A fresh pattern, as in less, vim, k9s and VisiData: the list shows
         * everything again until the first key of the new one. */
        v->filter_open = 1;
        v->filter[0] = '\0';
        rebuild(v, a);
        prompt_open(a, PROMPT_FILTER, "/", "", &filter_ops, v);
        return UR_HANDLED;
    case ACT_BACK:
        if (!v->filter[0])
            return UR_NONE;
        v->filter[0] = '\0';
        rebuild(v, a);
        return UR_HANDLED | UR_REDRAW | UR_STATUS;
    default: return UR_NONE;
    }
}

/* A new snapshot: rebuild and re-find the selection. */
static unsigned objects_event(struct view *vv, struct app *a, struct dh_event *ev)
{
    struct objects_view *v = (struct objects_view *)vv;
    if (ev->kind == DH_EV_OBJECTS) {
        rebuild(v, a);
        return UR_REDRAW | UR_STATUS;
    }
    if (ev->kind == DH_EV_CONNECTION)
        return UR_REDRAW;
    return UR_NONE;
}

/* Free the object list view. */
static void objects_destroy(struct view *vv, struct app *a)
{
    struct objects_view *v = (struct objects_view *)vv;
    (void)a;
    free(v->rows);
    free(v->sel_name);
    free(v->sel_app);
    free(v);
}

/* Click: select the row; a double click opens it. */
static unsigned objects_click(struct view *vv, struct app *a, int y, int x, int twice)
{
    struct objects_view *v = (struct objects_view *)vv;
    (void)x;
    if (v->built_for != a->objects)
        rebuild(v, a);
    if (!view_list_click(v->n_rows, v->top, 1, y, &v->cursor))
        return UR_NONE;
    remember(v, a);
    if (twice)
        return objects_key(vv, a, 0, ACT_OPEN) | UR_REDRAW;
    return UR_HANDLED | UR_REDRAW;
}

static const struct view_ops objects_ops = {
    .click = objects_click,
    .name = "objects",
    .keymap = &keymap_objects,
    .draw = objects_draw,
    .key = objects_key,
    .on_event = objects_event,
    .title = objects_title,
    .destroy = objects_destroy,
};

/* The object list. */
struct view *view_objects_new(struct app *a)
{
    (void)a;
    struct objects_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.ops = &objects_ops;
    return &v->base;
}
