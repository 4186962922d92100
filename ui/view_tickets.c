/* SPDX-License-Identifier: MIT */
/* view_tickets: every ticket this session knows (published or fetched) with
 * its live state and the age of that state; ages tick every second. The
 * selection is kept by ticket bytes across DH_EV_TICKETS updates. */
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "view.h"

struct tickets_view {
    struct view base;
    struct dh_ticket sel; /* the selected ticket (len 0 = none) */
    size_t cursor, top, page;
    int64_t last_sec;
};

/* Colour and name of a ticket state. */
static enum draw_role state_role(enum dh_ticket_state s)
{
    switch (s) {
    case DH_TS_VALID: return DR_GOOD;
    case DH_TS_CHECKING: return DR_WARN;
    case DH_TS_RELEASED:
    case DH_TS_NOT_FOUND:
    case DH_TS_SESSION_ENDED:
    case DH_TS_FAILED: return DR_BAD;
    case DH_TS_UNKNOWN:
    default: return DR_DIM;
    }
}

/* Put the cursor back on the selected ticket after an update. */
static void resync(struct tickets_view *v, struct app *a)
{
    if (v->sel.len) {
        for (size_t i = 0; i < a->n_tickets; i++) {
            if (dh_ticket_equal(&a->tickets[i].ticket, &v->sel)) {
                v->cursor = i;
                return;
            }
        }
    }
    if (v->cursor >= a->n_tickets)
        v->cursor = a->n_tickets ? a->n_tickets - 1 : 0;
    if (a->n_tickets)
        v->sel = a->tickets[v->cursor].ticket;
}

/* Counts by direction. */
static void tickets_title(struct view *vv, struct app *a, char *left, size_t nl, char *right,
                          size_t nr)
{
    (void)vv;
    snprintf(left, nl, "Tickets");
    size_t pub = 0, fetched = 0;
    for (size_t i = 0; i < a->n_tickets; i++) {
        if (a->tickets[i].dir == DH_DIR_PUBLISHED)
            pub++;
        else
            fetched++;
    }
    snprintf(right, nr, "%zu published, %zu fetched", pub, fetched);
}

/* One row per ticket; state in colour with its age. */
static void tickets_draw(struct view *vv, struct app *a, WINDOW *w)
{
    struct tickets_view *v = (struct tickets_view *)vv;
    int cols = getmaxx(w), lines = getmaxy(w);
    v->page = lines > 1 ? (size_t)(lines - 1) : 1;
    /* TICKET DIRECTION OBJECT TYPE STATE AGE DETAIL */
    int wt = 20, wd = 9, wn = 16, wy = 9, ws = 20, wa = 6;
    int wdet = cols - 1 - (wt + wd + wn + wy + ws + wa + 12);
    if (wdet < 0) {
        wn += wdet;
        wdet = 0;
        if (wn < 6)
            wn = 6;
    }
    attr_t h = draw_attr(DR_HEADER);
    int x = 1;
    const char *heads[] = {"TICKET", "DIRECTION", "OBJECT", "TYPE", "STATE", "AGE", "DETAIL"};
    int widths[] = {wt, wd, wn, wy, ws, wa, wdet};
    for (int i = 0; i < 7; i++) {
        draw_str(w, 0, x, widths[i], h, heads[i], i == 5 ? DT_RIGHT : 0);
        x += widths[i] + 2;
    }
    if (a->n_tickets == 0) {
        draw_str(w, 2, 2, cols - 4, draw_attr(DR_DIM),
                 "No tickets yet: publish an object with p, or fetch a ticket with f.",
                 DT_ELLIPSIS);
        return;
    }
    view_list_scroll(a->n_tickets, v->page, v->cursor, &v->top);
    for (size_t r = 0; r < v->page && v->top + r < a->n_tickets; r++) {
        size_t i = v->top + r;
        const struct dh_ticket_status *t = &a->tickets[i];
        int y = (int)r + 1;
        int sel = i == v->cursor;
        attr_t base = sel ? draw_attr(DR_CURSOR) : A_NORMAL;
        if (sel)
            draw_fill(w, y, 0, cols, base);
        char sh[128], age[32];
        app_ticket_short(&t->ticket, sh, sizeof sh);
        draw_age(a->now_ms - t->since_ms, age, sizeof age);
        x = 1;
        draw_str(w, y, x, wt, base | A_BOLD, sh, DT_ELLIPSIS);
        x += wt + 2;
        draw_str(w, y, x, wd, base, t->dir == DH_DIR_PUBLISHED ? "published" : "fetched", 0);
        x += wd + 2;
        draw_str(w, y, x, wn, base, t->name, DT_ELLIPSIS);
        x += wn + 2;
        draw_str(w, y, x, wy, base, t->type[0] ? t->type : "-", DT_ELLIPSIS);
        x += wy + 2;
        attr_t sa = draw_attr(state_role(t->state));
        int n = draw_str(w, y, x, ws, sa, draw_glyph(DG_BULLET), 0);
        draw_fmt(w, y, x + n, ws - n, sa, DT_ELLIPSIS, " %s", dh_ticket_state_name(t->state));
        x += ws + 2;
        draw_str(w, y, x, wa, base, age, DT_RIGHT);
        x += wa + 2;
        draw_str(w, y, x, wdet, sel ? base : draw_attr(DR_DIM), t->detail, DT_ELLIPSIS);
    }
}

/* p on a published ticket that ended (with its session, or released): the
 * same object again, to a new ticket. */
static unsigned republish(struct app *a, const struct dh_ticket_status *t)
{
    if (t->dir != DH_DIR_PUBLISHED || !t->source.len) {
        app_message(a, APP_WARN, "Only tickets this dhtui published can be published again.");
        return UR_HANDLED | UR_STATUS;
    }
    if (t->state == DH_TS_VALID || t->state == DH_TS_CHECKING) {
        app_message(a, APP_INFO, "That ticket still works: c copies it.");
        return UR_HANDLED | UR_STATUS;
    }
    char name[sizeof t->name], type[sizeof t->type];
    memcpy(name, t->name, sizeof name);
    memcpy(type, t->type, sizeof type);
    struct dh_object obj = {.name = name, .type = type, .ticket = t->source};
    app_publish(a, &obj);
    return UR_HANDLED | UR_STATUS;
}

/* d: off the list (the client refuses a published ticket that may still work). */
static unsigned remove_ticket(struct app *a, const struct dh_ticket_status *t)
{
    struct dh_error err;
    dh_error_clear(&err);
    char sh[128];
    app_ticket_short(&t->ticket, sh, sizeof sh);
    if (dh_client_remove_ticket(a->client, &t->ticket, t->dir, &err) != DH_OK)
        app_error_message(a, APP_WARN, err.msg);
    else
        app_message(a, APP_INFO, "Removed %s (%s) from the list.", sh, t->name);
    return UR_HANDLED | UR_STATUS;
}

/* Movement, open, copy, release, publish again, remove. */
static unsigned tickets_key(struct view *vv, struct app *a, int key, enum ui_action act)
{
    struct tickets_view *v = (struct tickets_view *)vv;
    (void)key;
    if (view_list_move(act, a->n_tickets, v->page, &v->cursor)) {
        if (a->n_tickets)
            v->sel = a->tickets[v->cursor].ticket;
        return UR_HANDLED | UR_REDRAW;
    }
    if (act != ACT_OPEN && act != ACT_COPY && act != ACT_RELEASE && act != ACT_PUBLISH &&
        act != ACT_REMOVE)
        return UR_NONE;
    if (v->cursor >= a->n_tickets)
        return UR_HANDLED;
    const struct dh_ticket_status *t = &a->tickets[v->cursor];
    char canon[DH_TICKET_MAX * 4 + 16];
    if (dh_ticket_format(&t->ticket, canon, sizeof canon) < 0)
        canon[0] = '\0';
    switch (act) {
    case ACT_OPEN:
        if (t->dir == DH_DIR_FETCHED)
            app_fetch_ticket(a, &t->ticket, NULL);
        else
            app_push(a, dialog_publish_new(a, t, 0, NULL));
        return UR_HANDLED | UR_STATUS;
    case ACT_COPY: app_copy(a, canon, strlen(canon), "ticket"); return UR_HANDLED | UR_STATUS;
    case ACT_PUBLISH: return republish(a, t);
    case ACT_REMOVE: return remove_ticket(a, t);
    case ACT_RELEASE: {
        if (t->dir != DH_DIR_PUBLISHED) {
            app_message(a, APP_WARN, "Only tickets this session published can be released.");
            return UR_HANDLED | UR_STATUS;
        }
        if (t->state == DH_TS_RELEASED || t->state == DH_TS_SESSION_ENDED) {
            app_message(a, APP_INFO, "That ticket %s; p publishes the object again.",
                        t->state == DH_TS_RELEASED ? "is already released"
                                                   : "ended with its session");
            return UR_HANDLED | UR_STATUS;
        }
        char q[512], sh[128];
        app_ticket_short(&t->ticket, sh, sizeof sh);
        snprintf(q, sizeof q,
                 "Release %s (%s)? It stops working for everyone who has not fetched it yet. "
                 "(y/n)",
                 sh, t->name);
        app_push(a, dialog_confirm_new(a, q, CONFIRM_RELEASE, &t->ticket));
        return UR_HANDLED;
    }
    default: return UR_NONE;
    }
}

/* A new ticket list: keep the selection on the same ticket. */
static unsigned tickets_event(struct view *vv, struct app *a, struct dh_event *ev)
{
    struct tickets_view *v = (struct tickets_view *)vv;
    if (ev->kind != DH_EV_TICKETS)
        return UR_NONE;
    resync(v, a);
    return UR_REDRAW | UR_STATUS;
}

/* Ages change every second: redraw then. */
static unsigned tickets_tick(struct view *vv, struct app *a, int64_t now)
{
    struct tickets_view *v = (struct tickets_view *)vv;
    (void)a;
    int64_t sec = now / 1000;
    if (sec == v->last_sec)
        return UR_NONE;
    v->last_sec = sec;
    return UR_REDRAW;
}

/* Click: select the row; a double click opens it. */
static unsigned tickets_click(struct view *vv, struct app *a, int y, int x, int twice)
{
    struct tickets_view *v = (struct tickets_view *)vv;
    (void)x;
    if (!view_list_click(a->n_tickets, v->top, 1, y, &v->cursor))
        return UR_NONE;
    v->sel = a->tickets[v->cursor].ticket;
    if (twice)
        return tickets_key(vv, a, 0, ACT_OPEN) | UR_REDRAW;
    return UR_HANDLED | UR_REDRAW;
}

static const struct view_ops tickets_ops = {
    .click = tickets_click,
    .name = "tickets",
    .keymap = &keymap_tickets,
    .draw = tickets_draw,
    .key = tickets_key,
    .on_event = tickets_event,
    .on_tick = tickets_tick,
    .title = tickets_title,
    .destroy = view_free,
};

/* The tickets panel. */
struct view *view_tickets_new(struct app *a)
{
    struct tickets_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.ops = &tickets_ops;
    v->last_sec = -1;
    resync(v, a);
    return &v->base;
}
