/* SPDX-License-Identifier: MIT */
/* statusbar: title bar, status line and key-hint line. */
#include "statusbar.h"

#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "keybind.h"
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

/* Title bar: "dhtui > view" on the left, the view's figures on the right. */
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

/* What the connection is doing, honestly, and its colour: the client's
 * live state (stalled shows up without an event), a countdown while down. */
static void conn_text(struct app *a, char *buf, size_t n, enum draw_role *role)
{
    enum dh_conn_state s = a->client ? dh_client_conn_state(a->client) : a->conn;
    switch (s) {
    case DH_CONN_CONNECTED:
        *role = DR_GOOD;
        snprintf(buf, n, "connected");
        return;
    case DH_CONN_STALLED:
        *role = DR_WARN;
        snprintf(buf, n, "stalled (no answer for %lld s)",
                 (long long)(dh_client_stalled_ms(a->client) / 1000));
        return;
    case DH_CONN_RETRYING: {
        *role = DR_WARN;
        int64_t next = dh_client_next_try_in_ms(a->client);
        if (next >= 1000)
            snprintf(buf, n, "reconnecting (next try in %lld s)", (long long)((next + 999) / 1000));
        else
            snprintf(buf, n, "reconnecting");
        return;
    }
    case DH_CONN_FAILED:
        *role = DR_BAD;
        snprintf(buf, n, "failed");
        return;
    case DH_CONN_CONNECTING:
    default:
        *role = DR_WARN;
        snprintf(buf, n, "connecting");
        return;
    }
}

/* The most recent pending command, or NULL. */
static const struct app_pending *last_pending(struct app *a)
{
    return a->n_pending ? &a->pending[a->n_pending - 1] : NULL;
}

/* One optional piece of the status line. */
struct status_part {
    char text[96];
    enum draw_role role;
    int width;
    int shown;
};

/* The session's age, to the minute: a clock that ticks every second would
 * wake an idle dhtui every second for nothing anyone needs. */
static void session_age_text(int64_t age_ms, char *buf, size_t n)
{
    if (age_ms < 60000)
        snprintf(buf, n, "<1m");
    else
        draw_age(age_ms, buf, n);
}

int64_t statusbar_next_change_ms(struct app *a)
{
    int64_t second = 1000 - a->now_ms % 1000;
    if (!a->client || dh_client_conn_state(a->client) != DH_CONN_CONNECTED)
        return second;
    /* A call waiting: "stalled" is due when it has waited long enough. */
    int64_t waited = dh_client_stalled_ms(a->client);
    if (waited >= 0)
        return waited < DH_CLIENT_STALLED_MS ? DH_CLIENT_STALLED_MS - waited + 1 : second;
    int64_t age = dh_client_session_age_ms(a->client);
    if (age < 0)
        return second;
    return 60000 - age % 60000;
}

/* Status line: state, then optional parts that give way to the message. */
void statusbar_draw_status(struct app *a, WINDOW *w)
{
    int cols = getmaxx(w);
    werase(w);
    enum draw_role role;
    char cn[64];
    conn_text(a, cn, sizeof cn, &role);
    /* What the message part says: a pending command, or the last message. */
    const struct app_pending *p = last_pending(a);
    char msg[sizeof a->msg + 64];
    enum draw_role mrole = DR_NORMAL;
    if (p) {
        snprintf(msg, sizeof msg, "%s %s (Esc cancels)", draw_spinner(a->now_ms), p->label);
        mrole = DR_WARN;
    } else {
        snprintf(msg, sizeof msg, "%s", a->msg);
        mrole = a->msg_level == APP_ERROR ? DR_BAD : a->msg_level == APP_WARN ? DR_WARN : DR_NORMAL;
    }
    int mw = (int)draw_width(msg, strlen(msg));
    /* Optional parts in order of importance; they give way to the message. */
    struct status_part parts[4];
    memset(parts, 0, sizeof parts);
    const char *target = a->client ? dh_client_target(a->client) : NULL;
    snprintf(parts[0].text, sizeof parts[0].text, " %s", target ? target : "");
    parts[0].role = DR_NORMAL;
    size_t valid = 0;
    for (size_t i = 0; i < a->n_tickets; i++)
        valid += a->tickets[i].state == DH_TS_VALID;
    if (a->n_tickets)
        snprintf(parts[1].text, sizeof parts[1].text, "  %zu of %zu ticket%s valid", valid,
                 a->n_tickets, a->n_tickets == 1 ? "" : "s");
    parts[1].role = DR_DIM;
    if (a->opt && a->opt->demo_note) {
        snprintf(parts[2].text, sizeof parts[2].text, " demo");
        parts[2].role = DR_WARN;
    }
    int64_t age = a->client ? dh_client_session_age_ms(a->client) : -1;
    if (age >= 0) {
        char ab[32];
        session_age_text(age, ab, sizeof ab);
        snprintf(parts[3].text, sizeof parts[3].text, "  session %s", ab);
        parts[3].role = DR_DIM;
    }
    int fixed = 1 + 1 + (int)strlen(cn) + 4; /* bullet, state, separator */
    int room = cols - fixed - (mw < 60 ? mw : 60);
    for (int i = 0; i < 4; i++) {
        parts[i].width = (int)draw_width(parts[i].text, strlen(parts[i].text));
        if (parts[i].width > 0 && parts[i].width <= room) {
            parts[i].shown = 1;
            room -= parts[i].width;
        }
    }
    int x = 0;
    x += draw_str(w, 0, x, cols - x, draw_attr(role), draw_glyph(DG_BULLET), 0);
    x += draw_fmt(w, 0, x, cols - x, draw_attr(role), 0, " %s", cn);
    static const int order[] = {0, 2, 3, 1}; /* target, demo, session, tickets */
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const struct status_part *sp = &parts[order[k]];
        if (sp->shown)
            x += draw_str(w, 0, x, cols - x, draw_attr(sp->role), sp->text, 0);
    }
    if (!msg[0] || x + 4 >= cols)
        return;
    x += draw_fmt(w, 0, x, cols - x, draw_attr(DR_DIM), 0, "  %s ", draw_glyph(DG_SEP));
    static const char more[] = "  m: more";
    int more_w = (int)sizeof more - 1;
    if (!p && mw > cols - x && cols - x > more_w + 10) {
        /* Cut: say where the whole message is. */
        x += draw_str(w, 0, x, cols - x - more_w, draw_attr(mrole), msg, DT_ELLIPSIS);
        draw_str(w, 0, x, cols - x, draw_attr(DR_DIM), more, 0);
        return;
    }
    draw_str(w, 0, x, cols - x, draw_attr(mrole), msg, DT_ELLIPSIS);
}

/* Whether km itself (not its parent) binds key. */
static int binds(const struct keymap *km, int key)
{
    for (size_t i = 0; km && i < km->n; i++)
        if (km->bindings[i].key == key)
            return 1;
    return 0;
}

/* Lay out the KB_HINT bindings of km (but not the keys shadow binds) from x in cols columns,
 * drawing them on w unless w is NULL; *hit gets the key of the hint that covers column hx (the same
 * layout for drawing and for mouse clicks). Returns the new x. */
static int keymap_hints(WINDOW *w, int cols, int x, const struct keymap *km,
                        const struct keymap *shadow, const struct keybinds *kb, int hx, int *hit)
{
    for (size_t i = 0; km && i < km->n; i++) {
        const struct key_binding *b = &km->bindings[i];
        if (!(b->flags & KB_HINT) || !b->hint || binds(shadow, b->key))
            continue;
        char name[16];
        int key = keybinds_shown_key(kb, km, b); /* the user's key when [keys] has one */
        keymap_key_name(key, name, sizeof name);
        int nw = (int)draw_width(name, strlen(name));
        int need = nw + (int)draw_width(b->hint, strlen(b->hint)) + 2;
        if (x + need > cols)
            return cols;
        if (hit && hx >= x && hx < x + need)
            *hit = key;
        if (w) {
            draw_str(w, 0, x, cols - x, draw_attr(DR_HINT_KEY), name, 0);
            draw_fmt(w, 0, x + nw, cols - x - nw, draw_attr(DR_HINT_LABEL), 0, " %s ", b->hint);
        }
        x += need;
    }
    return x;
}

/* Key hints of the top view, then the global ones (hx, hit: keymap_hints). */
static void hints(struct app *a, WINDOW *w, int cols, int hx, int *hit)
{
    struct view *v = app_top(a);
    if (!v)
        return;
    const struct keybinds *kb = a->opt ? a->opt->keys : NULL;
    const struct keymap *km = v->ops->keymap;
    int x = keymap_hints(w, cols, 0, km, NULL, kb, hx, hit);
    if (km && km->parent) /* a view that is another with more keys: its own hints first */
        x = keymap_hints(w, cols, x, km->parent, km, kb, hx, hit);
    if (!v->ops->modal)
        keymap_hints(w, cols, x, &keymap_global, NULL, kb, hx, hit);
}

void statusbar_draw_hints(struct app *a, WINDOW *w)
{
    werase(w);
    hints(a, w, getmaxx(w), -1, NULL);
}

int statusbar_hint_key(struct app *a, int cols, int x)
{
    int key = -1;
    hints(a, NULL, cols, x, &key);
    return key;
}
