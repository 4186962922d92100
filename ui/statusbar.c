/* SPDX-License-Identifier: MIT */
/* statusbar: title bar, status line and key-hint line. */
#include "statusbar.h"

#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "keymap.h"
#include "view.h"

/* The view whose title is shown: the top one that is not a dialog. */
static struct view *title_view(struct app *a)
{
    for (size_t i = a->n_views; i > 0; i--) {
        if (!a->views[i - 1]->ops->modal)
            return a->views[i - 1];
    }
    return NULL;
}

void statusbar_draw_title(struct app *a, WINDOW *w)
{
    int cols = getmaxx(w);
    attr_t t = draw_attr(DR_TITLE);
    draw_fill(w, 0, 0, cols, t);
    char left[256] = "", right[256] = "";
    struct view *v = title_view(a);
    if (v && v->ops->title)
        v->ops->title(v, a, left, sizeof left, right, sizeof right);
    int x = draw_str(w, 0, 0, cols, t, " dhtui ", 0);
    if (left[0]) {
        x += draw_str(w, 0, x, cols - x, draw_attr(DR_TITLE_DIM), draw_glyph(DG_ARROW), 0);
        x += draw_str(w, 0, x, cols - x, t, " ", 0);
    }
    int rw = (int)draw_width(right, strlen(right));
    int lmax = cols - x - (rw > 0 ? rw + 3 : 1);
    if (lmax < cols / 2 - x)
        lmax = cols / 2 - x;
    x += draw_str(w, 0, x, lmax, t, left, DT_ELLIPSIS);
    if (right[0] && cols - x > 4) {
        int avail = cols - x - 2;
        draw_str(w, 0, x + 1, avail, draw_attr(DR_TITLE_DIM), right, DT_RIGHT | DT_ELLIPSIS);
    }
}

/* Name and colour of a connection state. */
static const char *conn_name(enum dh_conn_state s, enum draw_role *role)
{
    switch (s) {
    case DH_CONN_CONNECTED: *role = DR_GOOD; return "connected";
    case DH_CONN_RETRYING: *role = DR_WARN; return "retrying";
    case DH_CONN_FAILED: *role = DR_BAD; return "failed";
    case DH_CONN_CONNECTING:
    default: *role = DR_WARN; return "connecting";
    }
}

/* The most recent pending command, or NULL. */
static const struct app_pending *last_pending(struct app *a)
{
    return a->n_pending ? &a->pending[a->n_pending - 1] : NULL;
}

void statusbar_draw_status(struct app *a, WINDOW *w)
{
    int cols = getmaxx(w);
    werase(w);
    enum draw_role role;
    const char *cn = conn_name(a->conn, &role);
    int x = 0;
    x += draw_str(w, 0, x, cols - x, draw_attr(role), draw_glyph(DG_BULLET), 0);
    x += draw_fmt(w, 0, x, cols - x, draw_attr(role), 0, " %s", cn);
    const char *target = a->client ? dh_client_target(a->client) : NULL;
    if (target && *target)
        x += draw_fmt(w, 0, x, cols - x, A_NORMAL, 0, " %s", target);
    if (a->opt && a->opt->demo_note)
        x += draw_str(w, 0, x, cols - x, draw_attr(DR_WARN), " demo", 0);
    int64_t age = a->client ? dh_client_session_age_ms(a->client) : -1;
    if (age >= 0) {
        char ab[32];
        draw_age(age, ab, sizeof ab);
        x += draw_fmt(w, 0, x, cols - x, draw_attr(DR_DIM), 0, "  session %s", ab);
    }
    size_t live = a->client ? dh_client_live_published(a->client) : 0;
    x += draw_fmt(w, 0, x, cols - x, draw_attr(DR_DIM), 0, "  tickets %zu/%zu", live,
                  a->n_tickets);
    x += draw_fmt(w, 0, x, cols - x, draw_attr(DR_DIM), 0, "  %s ", draw_glyph(DG_SEP));
    if (x >= cols)
        return;
    const struct app_pending *p = last_pending(a);
    if (p) {
        x += draw_str(w, 0, x, cols - x, draw_attr(DR_WARN), draw_spinner(a->now_ms), 0);
        x += draw_fmt(w, 0, x, cols - x, A_NORMAL, DT_ELLIPSIS, " %s (Esc cancels)", p->label);
        return;
    }
    if (a->msg[0]) {
        enum draw_role r = a->msg_level == APP_ERROR ? DR_BAD
                         : a->msg_level == APP_WARN ? DR_WARN
                                                    : DR_NORMAL;
        draw_str(w, 0, x, cols - x, draw_attr(r), a->msg, DT_ELLIPSIS);
    }
}

/* Draw the KB_HINT bindings of km from x; returns the new x. */
static int draw_keymap_hints(WINDOW *w, int x, const struct keymap *km)
{
    int cols = getmaxx(w);
    for (size_t i = 0; km && i < km->n; i++) {
        const struct key_binding *b = &km->bindings[i];
        if (!(b->flags & KB_HINT) || !b->hint)
            continue;
        char name[16];
        keymap_key_name(b->key, name, sizeof name);
        int need = (int)strlen(name) + (int)strlen(b->hint) + 2;
        if (x + need > cols)
            return cols;
        x += draw_str(w, 0, x, cols - x, draw_attr(DR_HINT_KEY), name, 0);
        x += draw_fmt(w, 0, x, cols - x, draw_attr(DR_HINT_LABEL), 0, " %s ", b->hint);
    }
    return x;
}

void statusbar_draw_hints(struct app *a, WINDOW *w)
{
    werase(w);
    struct view *v = app_top(a);
    if (!v)
        return;
    int x = draw_keymap_hints(w, 0, v->ops->keymap);
    if (!v->ops->modal)
        draw_keymap_hints(w, x, &keymap_global);
}
