/* SPDX-License-Identifier: MIT */
/* view_tree: a hierarchical table (rollup or tree) as a file manager shows a
 * directory tree: one line per expanded row, indented by depth, with a marker for
 * rows that expand (closed, open) and the row's other columns beside it. Enter or
 * Space toggles a row, Right opens it (or steps into it), Left closes it (or steps
 * to its parent). Each change is a new view of the table on the server with the
 * expansions this view keeps (dh_client_tree_rows: key table, View, viewport read);
 * rows are read a window at a time around the cursor. Over a ticking source the
 * window stays live (dh_client_watch_tree: the view's subscription stays open and
 * every update is the window again); the cursor stays on its node, found by its
 * depth and key cells, and P pauses the updates. After a session renewal the
 * export is gone with its session: the view fetches its durable origin again and
 * reads the same expansions through the new export (as a derived pager does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dh_format.h"
#include "draw.h"
#include "live_hold.h"
#include "view.h"

/* Rows read per window, at least; more when the page is taller. */
#define TREE_WINDOW_MIN 200
/* Columns beside the tree column, at most, and the widest a column gets. */
#define TREE_MAX_COLS 64
#define TREE_COL_MAX_WIDTH 30
#define TREE_LABEL_MAX_WIDTH 48

struct tree_view {
    struct view base;
    char name[128];
    struct dh_hier_info *info; /* owned */
    struct dh_source source;   /* the HierarchicalTable's export in its epoch */
    struct dh_source origin;   /* what was opened (durable when it can be) */
    uint64_t refetch_req;      /* fetching origin again in a new session, 0 if none */
    uint64_t refetch_epoch;    /* the epoch the last fetch-again was for */
    struct dh_hier_keys *keys; /* the expansions asked for so far (owned) */
    struct dh_rows *rows;      /* the window read last (owned), NULL before */
    int64_t size;              /* expanded rows, as of the last window; -1 unknown */
    int64_t cursor;            /* table position */
    size_t top, page;
    uint64_t req;        /* the window being read, 0 when none */
    int64_t req_first;   /* its first position */
    int64_t want_cursor; /* where the cursor goes once it arrives (-1: stays) */
    /* a ticking source's live window */
    uint64_t live;         /* its request, 0 when none */
    uint64_t rows_req;     /* the request the rows shown answer */
    int rearm;             /* the live window was dropped while covered: ask again */
    int retrying;          /* it failed and the client tries again */
    struct live_hold hold; /* P: updates wait */
    char err[256];
    int local_time;
    /* the columns beside the tree column, and their widths for this window */
    size_t cols[TREE_MAX_COLS];
    int widths[TREE_MAX_COLS];
    size_t n_cols;
    int label_width;
};

static void format_opts(struct dh_format_opts *o, int local_time)
{
    dh_format_opts_init(o);
    o->local_time = local_time;
    o->group_digits = 1;
    o->deephaven_nulls = 1;
}

/* Text of cell (column c, row i of rows r); "" past the column. */
static void cell_text_of(const struct tree_view *v, const struct dh_rows *r, size_t c, int64_t i,
                         char *buf, size_t n)
{
    const struct dh_column_view *col = dh_rows_column(r, c);
    if (i < 0 || i >= col->length) {
        buf[0] = '\0';
        return;
    }
    struct dh_format_opts o;
    format_opts(&o, v->local_time);
    dh_format_cell(col, i, &o, buf, n);
}

static void cell_text(const struct tree_view *v, size_t c, int64_t i, char *buf, size_t n)
{
    cell_text_of(v, v->rows, c, i, buf, n);
}

/* Whether column c is one of the expand-by (key) columns. */
static int is_key(const struct dh_hier_info *h, size_t c)
{
    for (size_t k = 0; k < h->n_keys; k++)
        if ((size_t)h->key_cols[k] == c)
            return 1;
    return 0;
}

/* The key column a row is labelled by: a rollup row at depth d by its (d-1)th
 * group-by value (the total, depth 1, by none); a tree row by its identifier. */
static long label_col(const struct dh_hier_info *h, int depth)
{
    if (!h->is_rollup)
        return h->n_keys ? h->key_cols[0] : -1;
    return depth >= 2 && (size_t)(depth - 2) < h->n_keys ? h->key_cols[depth - 2] : -1;
}

static void row_label(const struct tree_view *v, int64_t i, char *buf, size_t n)
{
    long c = label_col(v->info, dh_hier_row_depth(v->info, v->rows, i));
    if (c < 0)
        snprintf(buf, n, "%s", v->info->is_rollup ? "Total" : "");
    else
        cell_text(v, (size_t)c, i, buf, n);
}

/* Choose the columns beside the tree column and fit their widths to this window. */
static void fit_columns(struct tree_view *v)
{
    const struct dh_hier_info *h = v->info;
    v->n_cols = 0;
    for (size_t c = 0; c < h->schema.n_fields && v->n_cols < TREE_MAX_COLS; c++)
        if (dh_hier_column_visible(h, c) && !is_key(h, c))
            v->cols[v->n_cols++] = c;
    char buf[256];
    v->label_width = 8;
    for (size_t k = 0; k < v->n_cols; k++)
        v->widths[k] = (int)draw_width(h->schema.fields[v->cols[k]].name,
                                       strlen(h->schema.fields[v->cols[k]].name));
    for (int64_t i = 0; v->rows && i < v->rows->batch.length; i++) {
        int depth = dh_hier_row_depth(h, v->rows, i);
        row_label(v, i, buf, sizeof buf);
        int w = 2 * (depth > 0 ? depth - 1 : 0) + 2 + (int)draw_width(buf, strlen(buf));
        if (w > v->label_width)
            v->label_width = w;
        for (size_t k = 0; k < v->n_cols; k++) {
            cell_text(v, v->cols[k], i, buf, sizeof buf);
            int cw = (int)draw_width(buf, strlen(buf));
            if (cw > v->widths[k])
                v->widths[k] = cw;
        }
    }
    if (v->label_width > TREE_LABEL_MAX_WIDTH)
        v->label_width = TREE_LABEL_MAX_WIDTH;
    for (size_t k = 0; k < v->n_cols; k++)
        if (v->widths[k] > TREE_COL_MAX_WIDTH)
            v->widths[k] = TREE_COL_MAX_WIDTH;
}

/* Read the window that holds position `around` (with the current expansions). */
static void request(struct tree_view *v, struct app *a, int64_t around)
{
    int64_t n = (int64_t)v->page * 3;
    if (n < TREE_WINDOW_MIN)
        n = TREE_WINDOW_MIN;
    int64_t first = around - n / 3;
    if (first < 0)
        first = 0;
    v->req_first = first;
    v->rearm = 0;
    if (!v->info->is_static) { /* supersedes the live window, or moves it */
        v->req = v->live = dh_client_watch_tree(a->client, &v->source, v->keys, first, n);
        return;
    }
    if (v->req)
        dh_client_cancel(a->client, v->req);
    v->req = dh_client_tree_rows(a->client, &v->source, v->keys, first, n);
}

static int have_row(const struct tree_view *v, int64_t pos)
{
    return v->rows && pos >= v->rows->first && pos < v->rows->first + v->rows->batch.length;
}

static void tree_draw(struct view *vv, struct app *a, WINDOW *w)
{
    struct tree_view *v = (struct tree_view *)vv;
    (void)a;
    int cols = getmaxx(w), lines = getmaxy(w);
    v->page = lines > 1 ? (size_t)(lines - 1) : 1;
    if (!v->rows) {
        draw_str(w, 1, 1, cols - 2, v->err[0] ? draw_attr(DR_BAD) : draw_attr(DR_DIM),
                 v->err[0] ? v->err : "Reading the tree...", DT_ELLIPSIS);
        return;
    }
    attr_t head = draw_attr(DR_HEADER);
    draw_fill(w, 0, 0, cols, head);
    draw_str(w, 0, 1, v->label_width, head, v->info->is_rollup ? "Group" : "Node", 0);
    int x = 1 + v->label_width + 2;
    for (size_t k = 0; k < v->n_cols && x < cols; k++) {
        const struct dh_field *f = &v->info->schema.fields[v->cols[k]];
        draw_str(w, 0, x, v->widths[k], head, f->name,
                 DT_ELLIPSIS | (dh_format_is_numeric(f) ? DT_RIGHT : 0));
        x += v->widths[k] + 2;
    }
    size_t n = v->size > 0 ? (size_t)v->size : 0;
    view_list_scroll(n, v->page, (size_t)v->cursor, &v->top);
    const char *open = draw_utf8() ? "\xe2\x96\xbe" : "v";   /* ▾ */
    const char *closed = draw_utf8() ? "\xe2\x96\xb8" : ">"; /* ▸ */
    char buf[256];
    for (size_t r = 0; r < v->page && v->top + r < n; r++) {
        int64_t pos = (int64_t)(v->top + r);
        int y = (int)r + 1;
        int sel = pos == v->cursor;
        attr_t base = sel ? draw_attr(DR_CURSOR) : A_NORMAL;
        if (sel)
            draw_fill(w, y, 0, cols, base);
        if (!have_row(v, pos)) {
            draw_str(w, y, 1, cols - 2, base | draw_attr(DR_DIM), draw_glyph(DG_LOADING), 0);
            continue;
        }
        int64_t i = pos - v->rows->first;
        int depth = dh_hier_row_depth(v->info, v->rows, i);
        int exp = dh_hier_row_expanded(v->info, v->rows, i);
        int indent = 2 * (depth > 0 ? depth - 1 : 0);
        if (indent > v->label_width - 4)
            indent = v->label_width > 4 ? v->label_width - 4 : 0;
        x = 1 + indent;
        draw_str(w, y, x, 2, base | A_BOLD, exp > 0 ? open : exp == 0 ? closed : " ", 0);
        row_label(v, i, buf, sizeof buf);
        draw_str(w, y, x + 2, v->label_width - indent - 2, base | (exp >= 0 ? A_BOLD : 0), buf,
                 DT_ELLIPSIS);
        x = 1 + v->label_width + 2;
        for (size_t k = 0; k < v->n_cols && x < cols; k++) {
            const struct dh_column_view *c = dh_rows_column(v->rows, v->cols[k]);
            int null = i < c->length && dh_column_is_null(c, i);
            cell_text(v, v->cols[k], i, buf, sizeof buf);
            draw_str(w, y, x, v->widths[k], null ? base | draw_attr(DR_NULL) : base, buf,
                     DT_ELLIPSIS | (dh_format_is_numeric(c->field) ? DT_RIGHT : 0));
            x += v->widths[k] + 2;
        }
    }
    if (v->err[0] && lines > 2)
        draw_str(w, lines - 1, 1, cols - 2, draw_attr(DR_BAD), v->err, DT_ELLIPSIS);
}

/* Ask for a new view with action on the cursor's row. */
static unsigned set_action(struct tree_view *v, struct app *a, enum dh_hier_action action)
{
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_hier_keys_set(v->keys, v->info, v->rows, v->cursor - v->rows->first, action, &err) !=
        DH_OK) {
        app_error_message(a, APP_ERROR, err.msg);
        return UR_HANDLED | UR_STATUS;
    }
    v->want_cursor = v->cursor;
    request(v, a, v->cursor);
    return UR_HANDLED | UR_REDRAW | UR_STATUS;
}

/* The parent of the cursor's row: the nearest row above one level up, if read. */
static int64_t parent_of(const struct tree_view *v, int64_t pos)
{
    int depth = dh_hier_row_depth(v->info, v->rows, pos - v->rows->first);
    for (int64_t p = pos - 1; p >= v->rows->first; p--)
        if (dh_hier_row_depth(v->info, v->rows, p - v->rows->first) < depth)
            return p;
    return -1;
}

/* Enter/Space toggle; Right opens or steps in; Left closes or steps out. */
static unsigned tree_toggle(struct tree_view *v, struct app *a, enum ui_action act)
{
    if (!have_row(v, v->cursor) || v->req)
        return UR_HANDLED;
    int exp = dh_hier_row_expanded(v->info, v->rows, v->cursor - v->rows->first);
    if (act == ACT_RIGHT) {
        if (exp == 0)
            return set_action(v, a, DH_HIER_EXPAND);
        if (exp > 0 && v->cursor + 1 < v->size)
            v->cursor++;
        return UR_HANDLED | UR_REDRAW;
    }
    if (act == ACT_LEFT) {
        if (exp > 0)
            return set_action(v, a, DH_HIER_COLLAPSE);
        int64_t p = parent_of(v, v->cursor);
        if (p >= 0)
            v->cursor = p;
        return UR_HANDLED | UR_REDRAW;
    }
    if (exp < 0)
        return UR_HANDLED;
    return set_action(v, a, exp > 0 ? DH_HIER_COLLAPSE : DH_HIER_EXPAND);
}

static unsigned tree_move(struct tree_view *v, struct app *a, enum ui_action act)
{
    int64_t page = v->page ? (int64_t)v->page : 1, last = v->size > 0 ? v->size - 1 : 0;
    int64_t c = v->cursor;
    switch (act) {
    case ACT_UP: c--; break;
    case ACT_DOWN: c++; break;
    case ACT_PAGE_UP: c -= page; break;
    case ACT_PAGE_DOWN: c += page; break;
    case ACT_TOP: c = 0; break;
    default: c = last; break;
    }
    v->cursor = c < 0 ? 0 : c > last ? last : c;
    int64_t edge = (int64_t)v->page;
    if (v->rows && !v->req &&
        (!have_row(v, v->cursor) || (v->cursor - v->rows->first < edge && v->rows->first > 0) ||
         (v->rows->first + v->rows->batch.length - v->cursor < edge &&
          v->rows->first + v->rows->batch.length < v->size)))
        request(v, a, v->cursor);
    return UR_HANDLED | UR_REDRAW;
}

static unsigned toggle_pause(struct tree_view *v, struct app *a);

static unsigned tree_key(struct view *vv, struct app *a, int key, enum ui_action act)
{
    struct tree_view *v = (struct tree_view *)vv;
    (void)key;
    switch (act) {
    case ACT_UP:
    case ACT_DOWN:
    case ACT_PAGE_UP:
    case ACT_PAGE_DOWN:
    case ACT_TOP:
    case ACT_BOTTOM: return tree_move(v, a, act);
    case ACT_OPEN:
    case ACT_LEFT:
    case ACT_RIGHT: return tree_toggle(v, a, act);
    case ACT_PUBLISH:
        app_publish_source(a, v->name, "HierarchicalTable", &v->source);
        return UR_HANDLED | UR_STATUS;
    case ACT_PAUSE: return toggle_pause(v, a);
    default: return UR_NONE;
    }
}

/* The export is of an earlier session: fetch the table again in this one, once
 * per epoch (a failure does not repeat). */
static int rederive(struct tree_view *v, struct app *a)
{
    uint64_t epoch = dh_client_epoch(a->client);
    if (v->refetch_req || v->source.epoch == epoch || v->refetch_epoch == epoch ||
        !dh_source_durable(&v->origin))
        return 0;
    v->refetch_epoch = epoch;
    v->refetch_req = dh_client_fetch_again(a->client, &v->origin.ticket);
    if (!v->refetch_req)
        return 0;
    app_message(a, APP_WARN, "The session was renewed: asking the server for this view again.");
    return 1;
}

/* The table fetched again in the new session: read the same expansions through
 * the new export (the event's result is ours, ev->fetched becomes NULL). */
static unsigned take_refetched(struct tree_view *v, struct app *a, struct dh_event *ev)
{
    v->refetch_req = 0;
    struct dh_fetched *f = ev->ok ? ev->fetched : NULL;
    if (!f || f->kind != DH_KIND_HIER || !f->hier) {
        ui_copy_sentence(v->err, sizeof v->err,
                         ev->ok ? "it is no longer a rollup or tree" : ev->err.msg);
        app_message(a, APP_ERROR, "%s could not be read again in the new session: %s", v->name,
                    v->err);
        return UR_REDRAW | UR_STATUS;
    }
    dh_client_forget(a->client, &v->source);
    dh_hier_info_reset(v->info);
    free(v->info);
    v->info = f->hier;
    f->hier = NULL;
    v->source = (struct dh_source){f->export_ticket, f->epoch};
    ev->fetched = NULL; /* all of it is ours now */
    dh_table_info_reset(&f->table);
    free(f);
    v->err[0] = '\0';
    request(v, a, v->cursor);
    return UR_REDRAW | UR_STATUS;
}

/* The node row i of rows r stands for, as text: its depth and its key cells (a
 * node's key cells name it in the key table, so they outlast its position). */
static void node_id(const struct tree_view *v, const struct dh_rows *r, int64_t i, char *buf,
                    size_t n)
{
    const struct dh_hier_info *h = v->info;
    size_t at = (size_t)snprintf(buf, n, "%d", dh_hier_row_depth(h, r, i));
    for (size_t k = 0; k < h->n_keys && at + 1 < n; k++) {
        const struct dh_column_view *c = dh_rows_column(r, (size_t)h->key_cols[k]);
        buf[at++] = '\x1f';
        buf[at] = '\0';
        if (i < c->length && dh_column_is_null(c, i))
            snprintf(buf + at, n - at, "\x1e"); /* null differs from "" */
        else
            cell_text_of(v, r, (size_t)h->key_cols[k], i, buf + at, n - at);
        at += strlen(buf + at);
    }
}

/* The table position of the row of node id in the rows shown, nearest to `near`;
 * -1 when they do not hold it. */
static int64_t find_node(const struct tree_view *v, const char *id, int64_t near)
{
    int64_t best = -1;
    char buf[512];
    for (int64_t i = 0; i < v->rows->batch.length; i++) {
        int64_t pos = v->rows->first + i;
        if (best >= 0 && llabs(pos - near) >= llabs(best - near))
            continue;
        node_id(v, v->rows, i, buf, sizeof buf);
        if (strcmp(buf, id) == 0)
            best = pos;
    }
    return best;
}

/* Show rows (owned from now on), the answer to request req. The cursor stays on
 * its node where the new rows hold it (a ticking source moves rows around it; a
 * toggled node keeps its place), and that row on its line of the screen. */
static void show_rows(struct tree_view *v, struct dh_rows *rows, uint64_t req)
{
    char id[512] = "";
    int track = v->rows && have_row(v, v->cursor);
    if (track)
        node_id(v, v->rows, v->cursor - v->rows->first, id, sizeof id);
    int64_t at = v->want_cursor >= 0 ? v->want_cursor : v->cursor;
    if (v->rows) {
        dh_rows_reset(v->rows);
        free(v->rows);
    }
    v->rows = rows;
    v->rows_req = req;
    v->size = v->rows->table_size;
    int64_t found = track ? find_node(v, id, at) : -1;
    if (found >= 0) {
        int64_t top = (int64_t)v->top + (found - v->cursor);
        v->top = top > 0 ? (size_t)top : 0;
        at = found;
    }
    v->cursor = at;
    v->want_cursor = -1;
    if (v->cursor >= v->size)
        v->cursor = v->size > 0 ? v->size - 1 : 0;
    fit_columns(v);
}

/* A live window failed: the client tries again by itself (retrying), or it is
 * over; a source of an earlier session is fetched again. */
static unsigned live_failed(struct tree_view *v, struct app *a, const struct dh_event *ev)
{
    if (ev->retrying) {
        v->retrying = 1;
        return UR_REDRAW | UR_STATUS;
    }
    v->req = v->live = 0;
    v->retrying = 0;
    if (rederive(v, a))
        return UR_REDRAW | UR_STATUS;
    ui_copy_sentence(v->err, sizeof v->err, ev->err.msg[0] ? ev->err.msg : "the updates stopped");
    return UR_REDRAW | UR_STATUS;
}

static unsigned tree_event(struct view *vv, struct app *a, struct dh_event *ev)
{
    struct tree_view *v = (struct tree_view *)vv;
    if (ev->kind == DH_EV_FETCHED && ev->req && ev->req == v->refetch_req)
        return take_refetched(v, a, ev);
    int live = ev->kind == DH_EV_ROWS && v->live && ev->req == v->live;
    if (!live && (ev->kind != DH_EV_TREE_ROWS || !v->req || ev->req != v->req))
        return UR_NONE;
    if (live && !ev->ok)
        return live_failed(v, a, ev);
    v->req = 0;
    if (!ev->ok && rederive(v, a))
        return UR_REDRAW | UR_STATUS;
    if (!ev->ok || !ev->rows) {
        ui_copy_sentence(v->err, sizeof v->err, ev->err.msg[0] ? ev->err.msg : "no rows came back");
        return UR_REDRAW | UR_STATUS;
    }
    v->err[0] = '\0';
    v->retrying = 0;
    struct dh_rows *rows = ev->rows; /* ours now */
    ev->rows = NULL;
    if (live && v->hold.paused && v->rows && ev->req == v->rows_req) {
        live_hold_keep(&v->hold, rows);
        return UR_STATUS;
    }
    live_hold_drop(&v->hold);
    show_rows(v, rows, ev->req);
    return UR_REDRAW | UR_STATUS;
}

/* P: pause a live tree's updates, or resume them (the newest held one shows). */
static unsigned toggle_pause(struct tree_view *v, struct app *a)
{
    struct dh_rows *rows;
    unsigned r = live_hold_toggle(&v->hold, a, v->name, v->info->is_static, &rows);
    if (rows)
        show_rows(v, rows, v->rows_req);
    return r;
}

static void tree_title(struct view *vv, struct app *a, char *left, size_t nl, char *right,
                       size_t nr)
{
    struct tree_view *v = (struct tree_view *)vv;
    snprintf(left, nl, "%s (%s)", v->name, v->info->is_rollup ? "rollup" : "tree");
    char n[32], mode[64] = "";
    draw_thousands(v->size > 0 ? v->size : 0, n, sizeof n);
    if (!v->info->is_static) {
        char held[40];
        live_hold_waiting(&v->hold, held, sizeof held);
        snprintf(mode, sizeof mode, ", live%s%s",
                 v->retrying      ? ", retrying"
                 : v->hold.paused ? ", paused"
                                  : "",
                 held);
        if (!v->live && !v->rearm && !v->refetch_req) /* failed for good */
            snprintf(mode, sizeof mode, ", updates stopped");
    }
    snprintf(right, nr, "%s%s row%s shown, %zu change%s%s", v->req ? draw_spinner(a->now_ms) : "",
             n, v->size == 1 ? "" : "s", dh_hier_keys_count(v->keys),
             dh_hier_keys_count(v->keys) == 1 ? "" : "s", mode);
}

static int64_t tree_next_tick(struct view *vv, struct app *a, int64_t now)
{
    struct tree_view *v = (struct tree_view *)vv;
    (void)a;
    return v->req ? draw_spinner_wait(now) : -1;
}

/* The client follows one live window at a time: a covered tree lets its window go
 * (another view's would supersede it) and asks again once back on screen. */
static unsigned tree_tick(struct view *vv, struct app *a, int64_t now)
{
    struct tree_view *v = (struct tree_view *)vv;
    (void)now;
    if (!view_on_screen(&v->base, a)) {
        if (v->live) {
            dh_client_cancel(a->client, v->live);
            if (v->req == v->live)
                v->req = 0;
            v->live = 0;
            v->rearm = 1;
        }
        return UR_NONE;
    }
    if (v->rearm && !v->req && !v->refetch_req) {
        request(v, a, v->cursor);
        return UR_STATUS;
    }
    return v->req ? UR_STATUS : UR_NONE;
}

static void tree_destroy(struct view *vv, struct app *a)
{
    struct tree_view *v = (struct tree_view *)vv;
    if (v->req)
        dh_client_cancel(a->client, v->req);
    if (v->live && v->live != v->req)
        dh_client_cancel(a->client, v->live);
    if (v->refetch_req)
        dh_client_cancel(a->client, v->refetch_req);
    dh_client_forget(a->client, &v->source);
    if (v->rows) {
        dh_rows_reset(v->rows);
        free(v->rows);
    }
    live_hold_drop(&v->hold);
    dh_hier_keys_free(v->keys);
    dh_hier_info_reset(v->info);
    free(v->info);
    free(v);
}

static const struct view_ops tree_ops = {
    .name = "tree",
    .keymap = &keymap_tree,
    .draw = tree_draw,
    .key = tree_key,
    .on_event = tree_event,
    .on_tick = tree_tick,
    .next_tick = tree_next_tick,
    .title = tree_title,
    .destroy = tree_destroy,
};

struct view *view_tree_new(struct app *a, const char *name, struct dh_hier_info *info,
                           const struct dh_source *source, const struct dh_source *origin)
{
    if (!info)
        return NULL;
    struct tree_view *v = calloc(1, sizeof *v);
    struct dh_hier_keys *keys = dh_hier_keys_new();
    if (!v || !keys) {
        free(v);
        dh_hier_keys_free(keys);
        return NULL;
    }
    v->base.ops = &tree_ops;
    ui_copy(v->name, sizeof v->name, name);
    v->info = info;
    v->source = *source;
    v->origin = *origin;
    v->refetch_epoch = source->epoch;
    v->keys = keys;
    v->size = -1;
    v->want_cursor = -1;
    v->local_time = a->opt->local_time;
    v->page = 20;
    request(v, a, 0);
    return &v->base;
}
