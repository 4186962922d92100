/* SPDX-License-Identifier: MIT */
/* view_ops: the pager's operations that ask the server about the view
 * without reading it: / n N search a column (SeekRow), - _ hide and show
 * columns (DropColumns in the view's chain), i statistics of a column
 * (ComputeColumnStatistics) in a pop-up, F the frequency view of a column
 * (count by value, most first; Enter there filters the table below to the
 * value), p publishes the view itself with its derivation as its name.
 * Sorts and filters are in view_table.c. */
#include <stdlib.h>
#include <string.h>

#include "dh_text.h"
#include "draw.h"
#include "prompt.h"
#include "view.h"
#include "view_save.h"
#include "view_table.h"

/* The field called name in the schema in use, or NULL. */
static const struct dh_field *field_named(const struct table_view *v, const char *name)
{
    const struct dh_schema *s = v->rows ? &v->rows->schema : &v->info_schema;
    for (size_t i = 0; s && i < s->n_fields; i++)
        if (s->fields[i].name && strcmp(s->fields[i].name, name) == 0)
            return &s->fields[i];
    return NULL;
}

/* "trades | Sym = AAPL | sort -Price", or the name alone for the table itself. */
static void view_label(const struct table_view *v, const struct dh_view_ops *ops, char *out,
                       size_t n)
{
    if (!ops->n) {
        ui_copy(out, n, v->name);
        return;
    }
    ui_copy(out, n, v->name);
    size_t len = strlen(out);
    if (len + 4 < n) {
        memcpy(out + len, " | ", 4);
        len += 3;
        dh_view_ops_describe(ops, out + len, n - len);
    }
}

/* ---- search ---- */

static void open_search_prompt(struct table_view *v, struct app *a, const char *prefill);

/* Ask the server for the next (or previous) row after the cursor whose
 * search column matches the search text. from_prompt: an error reopens it. */
static unsigned start_seek(struct table_view *v, struct app *a, int backward, int from_prompt)
{
    struct dh_error err;
    dh_error_clear(&err);
    const struct dh_field *f = field_named(v, v->search_column);
    if (!f) {
        app_message(a, APP_ERROR, "Column %s is not in this view any more.", v->search_column);
        return UR_HANDLED | UR_STATUS;
    }
    struct dh_seek q;
    int is_char = f->dh_type && strcmp(f->dh_type, "char") == 0;
    if (dh_seek_prepare(&q, v->search_column, (int)f->type, is_char, v->search_text, &err) !=
        DH_OK) {
        app_error_message(a, APP_ERROR, err.msg);
        return UR_HANDLED | UR_STATUS | (from_prompt ? UR_KEEP : 0); /* the text stays */
    }
    q.start = v->cur;
    q.backward = backward;
    v->search_backward = backward;
    if (v->seek_req)
        dh_client_cancel(a->client, v->seek_req);
    v->seek_req = dh_client_seek(a->client, &v->source, &q);
    v->seek_from = v->cur;
    v->seek_source = v->source;
    v->seek_from_prompt = from_prompt;
    if (!v->seek_req)
        app_message(a, APP_ERROR, "Out of memory.");
    else
        app_message(a, APP_INFO, "Searching %s for %s%s", v->search_column, v->search_text,
                    draw_glyph(DG_ELLIPSIS));
    return UR_HANDLED | UR_STATUS;
}

/* The search prompt: Enter searches from the cursor down. */
static unsigned search_submit(void *ctx, struct app *a, const char *text)
{
    struct table_view *v = ctx;
    if (!text[0])
        return UR_NONE;
    const char *col = table_selected_column(v);
    if (!col) {
        app_message(a, APP_INFO, "That table has no columns yet.");
        return UR_STATUS;
    }
    ui_copy(v->search_text, sizeof v->search_text, text);
    ui_copy(v->search_column, sizeof v->search_column, col);
    return start_seek(v, a, 0, 1) & ~(unsigned)UR_HANDLED;
}

static const struct prompt_ops search_ops = {
    .submit = search_submit,
};

static void open_search_prompt(struct table_view *v, struct app *a, const char *prefill)
{
    char label[200];
    const char *col = table_selected_column(v);
    snprintf(label, sizeof label, "search %s: ", col ? col : "");
    prompt_open(a, PROMPT_SEARCH, label, prefill, &search_ops, v);
}

/* n / N: the search again, down or up from the cursor. */
static unsigned search_again(struct table_view *v, struct app *a, int backward)
{
    if (!v->search_text[0]) {
        app_message(a, APP_INFO, "No search yet: / searches the current column.");
        return UR_HANDLED | UR_STATUS;
    }
    return start_seek(v, a, backward, 0);
}

/* The server's answer: move to the row, or say plainly that nothing matched. */
static unsigned take_seek(struct table_view *v, struct app *a, const struct dh_event *ev)
{
    v->seek_req = 0;
    if (!dh_ticket_equal(&v->seek_source.ticket, &v->source.ticket))
        return UR_NONE; /* the view changed meanwhile: that row means nothing now */
    if (!ev->ok) {
        app_error_message(a, APP_ERROR, ev->err.msg);
        if (v->seek_from_prompt && !prompt_active())
            open_search_prompt(v, a, v->search_text); /* nothing typed is lost */
        return UR_STATUS;
    }
    if (ev->row < 0) {
        app_message(a, APP_WARN, "not found: %s (in %s)", v->search_text, v->search_column);
        return UR_STATUS;
    }
    int wrapped = v->search_backward ? ev->row >= v->seek_from : ev->row <= v->seek_from;
    v->cur = ev->row;
    if (v->cur < v->top || v->cur >= v->top + v->page)
        v->top = v->cur; /* like less: the match goes to the top of the screen */
    v->follow = 0;
    table_clamp_rows(v);
    char row[32];
    draw_thousands(ev->row + 1, row, sizeof row);
    app_message(a, APP_INFO, "%s at row %s%s (the server took %.0f ms); n next, N previous",
                v->search_text, row,
                wrapped ? (v->search_backward ? ", wrapped to the bottom" : ", wrapped to the top")
                        : "",
                ev->elapsed_ms);
    return UR_REDRAW | UR_STATUS;
}

/* ---- hidden columns ---- */

static unsigned hide_column(struct table_view *v, struct app *a)
{
    const char *col = table_selected_column(v);
    struct dh_error err;
    dh_error_clear(&err);
    if (!col) {
        app_message(a, APP_INFO, "That table has no columns yet.");
        return UR_HANDLED | UR_STATUS;
    }
    if (v->n_vis <= 1) {
        app_message(a, APP_INFO, "%s is the last column shown: it stays.", col);
        return UR_HANDLED | UR_STATUS;
    }
    int rc = table_begin_change(v, &err);
    if (rc == DH_OK)
        rc = dh_view_ops_add_drop(&v->pending, col, &err);
    return table_finish_change(v, a, rc, &err);
}

static unsigned show_columns(struct table_view *v, struct app *a)
{
    struct dh_error err;
    dh_error_clear(&err);
    int rc = table_begin_change(v, &err);
    if (rc == DH_OK && dh_view_ops_show_all(&v->pending) == 0) {
        if (!v->derive_req)
            dh_view_ops_reset(&v->pending);
        app_message(a, APP_INFO, "No column is hidden.");
        return UR_HANDLED | UR_STATUS;
    }
    return table_finish_change(v, a, rc, &err);
}

/* ---- statistics ---- */

static unsigned ask_stats(struct table_view *v, struct app *a)
{
    const char *col = table_selected_column(v);
    if (!col) {
        app_message(a, APP_INFO, "That table has no columns yet.");
        return UR_HANDLED | UR_STATUS;
    }
    if (v->stats_req)
        dh_client_cancel(a->client, v->stats_req);
    ui_copy(v->stats_column, sizeof v->stats_column, col);
    v->stats_source = v->source;
    v->stats_req = dh_client_stats(a->client, &v->source, col);
    if (!v->stats_req)
        app_message(a, APP_ERROR, "Out of memory.");
    else
        app_message(a, APP_INFO, "Asking the server for statistics of %s%s", col,
                    draw_glyph(DG_ELLIPSIS));
    return UR_HANDLED | UR_STATUS;
}

static unsigned take_stats(struct table_view *v, struct app *a, const struct dh_event *ev)
{
    v->stats_req = 0;
    if (!ev->ok) {
        app_error_message(a, APP_ERROR, ev->err.msg);
        return UR_STATUS;
    }
    if (!dh_ticket_equal(&v->stats_source.ticket, &v->source.ticket) ||
        !view_on_screen(&v->base, a))
        return UR_NONE; /* the view changed or another is on top: not asked for any more */
    char *text = NULL;
    size_t len = 0;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_stats_text(ev->rows, &text, &len, &err) != DH_OK) {
        app_error_message(a, APP_ERROR, err.msg);
        return UR_STATUS;
    }
    char label[400], title[600];
    view_label(v, &v->ops, label, sizeof label);
    snprintf(title, sizeof title, "%s: %s statistics", label, v->stats_column);
    app_push(a, dialog_text_new(a, title, text, len));
    app_message(a, APP_INFO, "Statistics of %s (the server took %.0f ms).", v->stats_column,
                ev->elapsed_ms);
    free(text);
    return UR_REDRAW | UR_STATUS;
}

/* ---- frequency ---- */

static unsigned open_frequency(struct table_view *v, struct app *a)
{
    const char *col = table_selected_column(v);
    if (!col) {
        app_message(a, APP_INFO, "That table has no columns yet.");
        return UR_HANDLED | UR_STATUS;
    }
    struct dh_error err;
    dh_error_clear(&err);
    struct view *fv = view_table_new(a, v->name, v->type, &v->origin, NULL, 0);
    if (!fv) {
        app_message(a, APP_ERROR, "Out of memory.");
        return UR_HANDLED | UR_STATUS;
    }
    struct table_view *f = (struct table_view *)fv;
    int rc = dh_view_ops_copy(&f->pending, &v->ops, &err);
    if (rc == DH_OK)
        rc = dh_view_ops_add_frequency(&f->pending, col, &err);
    if (rc != DH_OK) {
        app_error_message(a, APP_ERROR, err.msg);
        view_destroy(fv, a);
        return UR_HANDLED | UR_STATUS;
    }
    f->base_ops = f->pending.n;
    f->freq_parent = v;
    ui_copy(f->freq_column, sizeof f->freq_column, col);
    app_push(a, fv);
    return table_finish_change(f, a, DH_OK, &err) | UR_REDRAW;
}

/* Enter in a frequency view: filter the view below to this row's value. */
static unsigned frequency_pick(struct table_view *v, struct app *a)
{
    struct table_view *parent = v->freq_parent;
    if (a->n_views < 2 || a->views[a->n_views - 1] != &v->base ||
        a->views[a->n_views - 2] != &parent->base) {
        app_message(a, APP_ERROR, "The table this frequency view counts is gone.");
        return UR_HANDLED | UR_STATUS;
    }
    size_t k = v->n_vis;
    for (size_t i = 0; i < v->n_vis; i++) {
        const struct dh_field *f = dh_rows_field(v->rows, v->vis[i]);
        if (v->rows && f->name && strcmp(f->name, v->freq_column) == 0)
            k = i;
    }
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_literal value;
    int is_null = 0;
    if (k == v->n_vis) {
        app_error_message(a, APP_INFO, table_no_cell_reason(v));
        return UR_HANDLED | UR_STATUS;
    }
    if (table_cell_literal(v, k, &value, &is_null, &err) != DH_OK) {
        app_error_message(a, APP_ERROR, err.msg);
        return UR_HANDLED | UR_STATUS;
    }
    unsigned r = table_match_value(parent, a, v->freq_column, 0, &value, is_null);
    free(value.s);
    return r | UR_HANDLED | UR_CLOSE | UR_REDRAW;
}

/* ---- publish ---- */

static unsigned publish_view(struct table_view *v, struct app *a)
{
    if (v->derive_req) {
        app_message(a, APP_INFO, "The server is still making this view: publish it once shown.");
        return UR_HANDLED | UR_STATUS;
    }
    if (v->base_ops && !v->derived) {
        app_message(a, APP_INFO, "These counts are not ready yet.");
        return UR_HANDLED | UR_STATUS;
    }
    /* A ticking view leaves its hidden columns out of its window, not out of
     * its table (view_table.c): the name says what the ticket holds. */
    struct dh_view_ops shown;
    struct dh_error err;
    dh_view_ops_init(&shown);
    int kept = v->origin_static == 0 && dh_view_ops_copy_shown(&shown, &v->ops, &err) == DH_OK;
    char label[128];
    view_label(v, kept ? &shown : &v->ops, label, sizeof label);
    dh_view_ops_reset(&shown);
    app_publish_source(a, label, v->type, &v->source);
    return UR_HANDLED | UR_STATUS;
}

/* ---- dispatch ---- */

unsigned table_ops_key(struct table_view *v, struct app *a, enum ui_action act)
{
    unsigned saved = view_save_key(v, a, act);
    if (saved != UR_NONE)
        return saved;
    switch (act) {
    case ACT_SEARCH: open_search_prompt(v, a, NULL); return UR_HANDLED;
    case ACT_SEARCH_NEXT: return search_again(v, a, 0);
    case ACT_SEARCH_PREV: return search_again(v, a, 1);
    case ACT_HIDE_COLUMN: return hide_column(v, a);
    case ACT_SHOW_COLUMNS: return show_columns(v, a);
    case ACT_STATS: return ask_stats(v, a);
    case ACT_FREQUENCY: return open_frequency(v, a);
    case ACT_PUBLISH: return publish_view(v, a);
    case ACT_OPEN:
    case ACT_MERGE:
        return v->freq_parent && act == ACT_OPEN ? frequency_pick(v, a)
                                                 : table_partition_key(v, a, act);
    default: return UR_NONE;
    }
}

unsigned table_ops_event(struct table_view *v, struct app *a, struct dh_event *ev)
{
    if (!ev->req)
        return UR_NONE;
    if (ev->kind == DH_EV_SEEK && ev->req == v->seek_req)
        return take_seek(v, a, ev);
    if (ev->kind == DH_EV_STATS && ev->req == v->stats_req)
        return take_stats(v, a, ev);
    return UR_NONE;
}

void table_ops_destroy(struct table_view *v, struct app *a)
{
    view_save_destroy(v, a);
    if (v->seek_req)
        dh_client_cancel(a->client, v->seek_req);
    if (v->stats_req)
        dh_client_cancel(a->client, v->stats_req);
    v->seek_req = v->stats_req = 0;
}
