/* SPDX-License-Identifier: MIT */
/* view_table: the pager. Asks for the visible window of rows only (plus a
 * few pages either side) with dh_client_rows, so memory follows the screen,
 * not the table; a newer window supersedes an older one; while a window is on
 * its way the old rows stay up with a loading marker and keys keep working.
 * A static table's next window is asked for while the screen is still
 * covered, sized to the screen and the measured round trip, so sequential
 * paging does not wait on the network.
 * Column widths are fitted to the rows of the current window, so they stay
 * still while the cursor moves inside it. Rows are asked for by source (the
 * object's durable ticket, resolved again by the client in each session) and
 * drawn with the schema they came with. A window that cannot be read is not
 * asked for again until the client's back-off allows; a source that is gone
 * keeps its last rows on screen, marked stale. Sorts and filters run on the
 * server (dh_client_derive): the view keeps its origin source and the chain of
 * operations, reads rows through the derived export, releases a superseded
 * one, and derives again from the origin after a session renewal. Also the
 * schema list (s). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cellfit.h"
#include "dh_format.h"
#include "dh_tableops.h"
#include "dh_text.h"
#include "draw.h"
#include "prompt.h"
#include "view.h"
#include "view_save.h"
#include "view_table.h"

/* Widest a type label makes a column. Widest columns: cellfit.h. */
enum { COL_LABEL_WIDTH = 12 };
/* Ticking tables: how often the window is asked for again. */
enum { TICK_REFRESH_MS = 1000 };
/* Prefetch (static and ticking tables): the fastest sequential paging planned for, a key
 * every PAGE_KEY_MS (a quick reader; a held-down key outruns any bounded
 * window), and at most PREFETCH_MAX_LEAD pages of lead, so the window stays
 * a few screens: 2 * (lead + 2) + 1 pages. */
enum { PAGE_KEY_MS = 150, PREFETCH_MAX_LEAD = 2 };
/* A cell we read whole for the pop-up or the clipboard: at most this much. */
enum { CELL_MAX_BYTES = 1 << 20 };

static int rederive(struct table_view *v, struct app *a);
static void sort_mark(const struct table_view *v, const char *name, char *out, size_t n);

/* ---- columns ---- */

/* The schema in use: the one the rows came with (never another), else the
 * one from the fetch while no rows have arrived (headers only). */
static const struct dh_schema *schema_of(const struct table_view *v)
{
    if (v->rows)
        return &v->rows->schema;
    return v->info_schema.n_fields > 0 ? &v->info_schema : NULL;
}

/* Field f of the schema in use; never NULL (a stand-in past the end). */
static const struct dh_field *field_at(const struct table_view *v, size_t f)
{
    if (!v->rows && f < v->info_schema.n_fields)
        return &v->info_schema.fields[f];
    return dh_rows_field(v->rows, f);
}

/* Recompute the shown columns when the schema changes. */
static void update_visible(struct table_view *v)
{
    const struct dh_schema *s = schema_of(v);
    if (s == v->vis_for && (s || !v->vis))
        return;
    v->vis_for = s;
    free(v->vis);
    free(v->widths);
    v->vis = NULL;
    v->widths = NULL;
    v->n_vis = 0;
    if (!s || s->n_fields == 0)
        return;
    v->vis = calloc(s->n_fields, sizeof *v->vis);
    v->widths = calloc(s->n_fields, sizeof *v->widths);
    if (!v->vis || !v->widths) {
        free(v->vis);
        free(v->widths);
        v->vis = NULL;
        v->widths = NULL;
        return;
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        if (!s->fields[i].hidden && !dh_view_ops_hides(&v->ops, s->fields[i].name))
            v->vis[v->n_vis++] = i;
    }
    if (v->col >= v->n_vis)
        v->col = v->n_vis ? v->n_vis - 1 : 0;
    if (v->left > v->col)
        v->left = v->col;
}

/* The column view of field index f in the window; never NULL (dh_rows_column). */
static const struct dh_column_view *column(const struct table_view *v, size_t f)
{
    return dh_rows_column(v->rows, f);
}

/* 1 if position pos is inside the window we have. */
static int have_row(const struct table_view *v, int64_t pos)
{
    return v->rows && pos >= v->rows->first && pos < v->rows->first + v->rows->batch.length;
}

/* Cell format options (digit grouping for display, not for copies). */
static void format_opts(struct dh_format_opts *o, int grouped, int local_time)
{
    dh_format_opts_init(o);
    o->local_time = local_time;
    o->group_digits = grouped;
    o->deephaven_nulls = 1;
    o->float_precision = DH_FORMAT_SHORTEST; /* exact digits: grid, pop-up and copy */
    o->list_cut = DH_TABLE_LIST_PREVIEW;     /* windows hold lists cut (dh_client_rows) */
}

/* 1 if the server cut the list in this cell (it holds one element more than
 * the pager shows: dh_client_row_whole reads it whole). */
static int cell_cut(const struct dh_column_view *c, int64_t i)
{
    int64_t start, n;
    return c && c->field && c->field->type == DH_TYPE_LIST && i >= 0 && i < c->length &&
           dh_column_list_range(c, i, &start, &n) == DH_OK && n > DH_TABLE_LIST_PREVIEW;
}

/* 1 if the cell is null (Arrow validity); cells past the column are not. */
static int cell_is_null(const struct dh_column_view *c, int64_t i)
{
    return i >= 0 && i < c->length && dh_column_is_null(c, i);
}

/* Display text of the cell at window index i (sanitised by dh_format). */
static void cell_text(const struct dh_column_view *c, int64_t i, int local_time, char *buf,
                      size_t n)
{
    struct dh_format_opts o;
    format_opts(&o, 1, local_time);
    if (!c || i < 0 || i >= c->length) {
        if (n)
            buf[0] = '\0';
        return;
    }
    dh_format_cell(c, i, &o, buf, n);
}

/* Fit the widths of the shown columns to the names and the window's values. */
static void fit_widths(struct table_view *v)
{
    const struct dh_schema *s = schema_of(v);
    if (!s || !v->widths)
        return;
    for (size_t k = 0; k < v->n_vis; k++) {
        const struct dh_field *f = field_at(v, v->vis[k]);
        int w = (int)draw_width(f->name, f->name ? strlen(f->name) : 0);
        char mark[16];
        sort_mark(v, f->name ? f->name : "", mark, sizeof mark);
        if (mark[0])
            w += 1 + (int)strlen(mark); /* "Price v1" */
        char label[64];
        dh_format_type_label(f, label, sizeof label);
        int lw = (int)dh_text_width(label, strlen(label));
        if (lw > COL_LABEL_WIDTH)
            lw = COL_LABEL_WIDTH;
        if (lw > w)
            w = lw;
        const struct dh_column_view *c = column(v, v->vis[k]);
        int max = cellfit_max_width(dh_format_is_numeric(f));
        for (int64_t i = 0; i < c->length && w < max; i++) {
            char buf[CELLFIT_NUMBER_MAX * 4 + 8];
            cell_text(c, i, v->local_time, buf, sizeof buf);
            int cw = (int)dh_text_width(buf, strlen(buf));
            if (cw > w)
                w = cw;
        }
        if (w > max)
            w = max;
        v->widths[k] = w < 1 ? 1 : w;
    }
}

/* ---- rows ---- */

/* Rows the table has as far as we know (the window's count wins). */
static int64_t table_size(const struct table_view *v)
{
    return v->size;
}

/* Keep cur inside the table and top around it. */
void table_clamp_rows(struct table_view *v)
{
    int64_t n = table_size(v);
    int64_t page = v->page > 0 ? v->page : 1;
    if (n >= 0 && v->cur >= n)
        v->cur = n > 0 ? n - 1 : 0;
    if (v->cur < 0)
        v->cur = 0;
    if (v->cur < v->top)
        v->top = v->cur;
    if (v->cur >= v->top + page)
        v->top = v->cur - page + 1;
    if (n >= 0 && v->top > n - page)
        v->top = n - page;
    if (v->top < 0)
        v->top = 0;
}

/* 1 if the window is asked for ahead of need (DHTUI_PREFETCH=0 turns it off,
 * for benchmarks: then the window is a page either side). A static table
 * reads the wider window once; a ticking one keeps it live, and moving it is
 * one request on the open subscription, so paging shows rows already held
 * while the window follows. */
static int prefetching(const struct table_view *v)
{
    return v->prefetch && (v->is_static == 1 || v->is_static == 0);
}

/* Pages to keep ready beyond the screen: one measured round trip's worth of
 * paging at PAGE_KEY_MS a page, at least 1. */
static int64_t prefetch_lead(const struct table_view *v)
{
    int64_t lead = (int64_t)(v->rtt_ms / PAGE_KEY_MS) + 1;
    return lead > PREFETCH_MAX_LEAD ? PREFETCH_MAX_LEAD : lead;
}

/* 1 if the window covers [top, want_end) with fewer than lead + 1 pages
 * beyond it on a side the table goes on: after the next page move at least
 * lead pages remain, time for one round trip. */
static int margin_low(const struct table_view *v, int64_t n, int64_t page, int64_t want_end)
{
    int64_t keep = (prefetch_lead(v) + 1) * page;
    int64_t end = v->rows->first + v->rows->batch.length;
    int after = (n < 0 || end < n) && end - want_end < keep;
    int before = v->rows->first > 0 && v->top - v->rows->first < keep;
    return after || before;
}

/* 1 if every row on screen is in the window we have. */
static int screen_covered(const struct table_view *v)
{
    int64_t n = table_size(v), last = v->top + (v->page > 0 ? v->page : 1) - 1;
    if (n >= 0 && last >= n)
        last = n - 1;
    return last < v->top || (have_row(v, v->top) && have_row(v, last));
}

/* A ticking table hides columns by leaving them out of its live window (one
 * more request on the open subscription) rather than deriving a table
 * without them (a new export, so a new subscription). */
static int hides_in_window(const struct table_view *v)
{
    return v->origin_static == 0;
}

/* The live window [first, first + count) (or the last count rows, reverse)
 * with the columns the view shows. */
static struct dh_window live_window(const struct table_view *v, int64_t first, int64_t count,
                                    int reverse)
{
    struct dh_window w = dh_window_of(first, count);
    w.reverse = reverse;
    const struct dh_schema *s = schema_of(v);
    if (!s || s->n_fields > DH_WINDOW_MAX_COLUMNS || !hides_in_window(v))
        return w;
    int any = 0;
    for (size_t i = 0; i < s->n_fields; i++) {
        if (dh_view_ops_hides(&v->ops, s->fields[i].name))
            any = 1;
        else
            w.cols[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    w.n_columns = any ? s->n_fields : 0;
    return w;
}

/* Ask for the window around the screen if what we have does not cover it. */
static void ensure_rows(struct table_view *v, struct app *a, int force)
{
    if (v->base_ops && !v->derived)
        return; /* a frequency view: nothing to read before the counts exist */
    if (v->reopen_req)
        return; /* the table is being asked for again in a new session */
    int64_t n = table_size(v);
    int64_t page = v->page > 0 ? v->page : 1;
    int64_t want_end = v->top + page;
    if (n >= 0 && want_end > n)
        want_end = n;
    /* A ticking table's window counts as covered only while it is live: once
     * its live window was cancelled (another view on top) or failed for good,
     * it is watched again. */
    int rearm = v->is_static == 0 && !v->live && !v->req;
    /* Following a ticking table: the window counts from the end, so the
     * server keeps it on the newest rows as the table grows (no request per
     * update); upstream reverse viewports. */
    int reverse = v->is_static == 0 && v->follow;
    if (!force && reverse && v->live && v->live_reverse)
        return;
    if (!force && !rearm && !reverse && n == 0 && v->rows)
        return;
    int covered =
        v->rows && v->top >= v->rows->first && want_end <= v->rows->first + v->rows->batch.length;
    int ahead = covered && prefetching(v) && margin_low(v, n, page, want_end);
    if (!force && !rearm && covered && !ahead && !(reverse && !v->live_reverse))
        return;
    if (!force && v->req && v->top >= v->req_first && want_end <= v->req_first + v->req_count)
        return; /* already on its way (or being retried by the client) */
    if (!force && (v->gone || (v->failed && v->top >= v->failed_first &&
                               want_end <= v->failed_first + v->failed_count)))
        return; /* failed for good: only r (refresh) asks again */
    v->gone = v->failed = 0;
    /* The screen and `side` rows either side: a page without prefetch; with
     * it, lead + 1 pages (margin_low) and one more so that not every move
     * asks again. */
    int64_t side = prefetching(v) ? (prefetch_lead(v) + 2) * page : page;
    int64_t first = v->top - side;
    if (first < 0)
        first = 0;
    int64_t count = page + 2 * side;
    if ((force || rearm) && v->rows && covered) {
        first = v->rows->first; /* refresh (or watch again) the same window */
    } else if (!force && ahead && first == v->req_first && count == v->req_count) {
        return; /* what this window's request gave (fewer rows than asked): no loop */
    }
    /* A ticking table's window is kept live by the server (a Barrage
     * subscription); a static one is read once. */
    v->live_reverse = 0;
    if (v->is_static == 0 && reverse) {
        struct dh_window w = live_window(v, 0, count, 1);
        v->req = v->live = dh_client_watch_window(a->client, &v->source, &w);
        v->live_reverse = 1;
        first = n > count ? n - count : 0;
    } else if (v->is_static == 0) {
        struct dh_window w = live_window(v, first, count, 0);
        v->req = v->live = dh_client_watch_window(a->client, &v->source, &w);
    } else {
        v->req = dh_client_rows(a->client, &v->source, first, count);
    }
    v->req_first = first;
    v->req_count = count;
    v->req_ms = a->now_ms;
    v->req_ahead = covered;
}

/* A window could not be read. The client retries transient failures itself
 * (the request stays ours); a final failure is remembered so the same window
 * is not asked for again at once; a gone source keeps its rows, stale. */
static unsigned take_failure(struct table_view *v, struct app *a, const struct dh_event *ev)
{
    if (ev->err.code == DH_ECANCELLED && !ev->retrying)
        return UR_NONE;
    ui_copy_sentence(v->err, sizeof v->err, ev->err.msg);
    if (ev->retrying) {
        v->retrying = 1;
        app_message(a, APP_WARN, "Could not read rows of %s: %s (trying again in %.1f s)", v->name,
                    ev->err.msg, (double)ev->retry_ms / 1000.0);
        return UR_REDRAW | UR_STATUS;
    }
    v->req = 0;
    if (ev->req == v->live)
        v->live = 0;
    if (ev->source_gone && rederive(v, a))
        return UR_REDRAW | UR_STATUS;
    if (ev->source_gone) {
        v->gone = 1;
        app_message(a, APP_ERROR, "%s can no longer be read: %s%s", v->name, ev->err.msg,
                    v->rows ? "; the rows shown are the last ones read" : "");
    } else {
        v->failed = 1;
        v->failed_first = v->req_first;
        v->failed_count = v->req_count;
        app_message(a, APP_ERROR, "Could not read rows of %s: %s (r tries again)", v->name,
                    ev->err.msg);
    }
    return UR_REDRAW | UR_STATUS;
}

/* Show rows (owned from now on), the answer to request req: a ticking
 * table's update of the same live window marks what changed, and the cursor
 * stays on its row as rows move around it. */
static void show_rows(struct table_view *v, struct app *a, struct dh_rows *rows, uint64_t req)
{
    if (v->is_static == 0 && rows) {
        int same = v->rows && req && req == v->rows_req &&
                   (v->rows->first == rows->first || v->live_reverse);
        int64_t old_first = v->rows ? v->rows->first : 0;
        int64_t track = !v->follow && have_row(v, v->cur) ? v->cur - old_first : -1;
        int64_t moved = track;
        live_marks_update(&v->marks, rows, same, same ? rows->origin : NULL, old_first, v->size,
                          a->now_ms, &moved);
        if (track >= 0 && moved >= 0) {
            int64_t delta = rows->first + moved - v->cur;
            v->cur += delta;
            v->top += delta; /* the row keeps its place on screen too */
        }
    } else {
        live_marks_reset(&v->marks);
    }
    if (v->rows) {
        dh_rows_reset(v->rows);
        free(v->rows);
    }
    v->rows = rows;
    v->rows_req = req;
    v->last_rows_ms = a->now_ms;
    if (v->rows && v->rows->table_size >= 0)
        v->size = v->rows->table_size;
    if (v->follow && v->size > 0)
        v->cur = v->size - 1; /* like tail -f; the next pass asks for the new rows */
    v->vis_for = NULL;        /* a new schema object: recompute the shown columns */
    update_visible(v);
    fit_widths(v);
    table_clamp_rows(v);
}

/* A window arrived. While paused, an update of the window on screen waits
 * (the newest one replaces an older one); another window (a scroll) shows. */
static unsigned take_rows(struct table_view *v, struct app *a, struct dh_event *ev)
{
    v->last_ms = ev->elapsed_ms;
    if (!ev->ok)
        return take_failure(v, a, ev);
    /* The round trip prefetch plans for: a slower one counts at once, a
     * faster one lowers it gradually. */
    v->rtt_ms =
        ev->elapsed_ms > v->rtt_ms ? ev->elapsed_ms : 0.75 * v->rtt_ms + 0.25 * ev->elapsed_ms;
    v->req = 0;
    v->retrying = v->gone = v->failed = 0;
    v->heard = time(NULL);
    v->err[0] = '\0';
    v->rows_epoch = ev->epoch;
    struct dh_rows *rows = ev->rows;
    ev->rows = NULL;
    if (v->hold.paused && v->rows && rows && ev->req == v->rows_req &&
        rows->first == v->rows->first) {
        live_hold_keep(&v->hold, rows);
        return UR_STATUS;
    }
    live_hold_drop(&v->hold);
    show_rows(v, a, rows, ev->req);
    return UR_REDRAW | UR_STATUS;
}

/* P: pause a ticking table's updates, or resume them (the newest held
 * update shows at once, its changes marked). */
static unsigned toggle_pause(struct table_view *v, struct app *a)
{
    struct dh_rows *rows;
    unsigned r = live_hold_toggle(&v->hold, a, v->name, v->is_static == 1, &rows);
    if (rows)
        show_rows(v, a, rows, v->rows_req);
    return r;
}

/* ---- drawing ---- */

/* Keep the selected column on screen: move `left` as needed. */
static void scroll_columns(struct table_view *v, int avail)
{
    if (v->n_vis == 0)
        return;
    if (v->col < v->left)
        v->left = v->col;
    for (;;) {
        int x = 0;
        for (size_t k = v->left; k <= v->col; k++)
            x += v->widths[k] + 2;
        if (x - 2 <= avail || v->left == v->col)
            break;
        v->left++;
    }
}

/* Draw one cell of width w at (y, x); a number or time that does not fit
 * shows as "###", never cut (cellfit.h). */
static void draw_cell(WINDOW *w, int y, int x, int width, const struct dh_column_view *c, int64_t i,
                      int numeric, int local_time, attr_t base)
{
    char buf[CELLFIT_NUMBER_MAX * 8 + 16], hashes[CELLFIT_NUMBER_MAX + 1];
    cell_text(c, i, local_time, buf, sizeof buf);
    attr_t at = base;
    /* a column dhtui does not decode shows its type, dim like a null */
    int null = cell_is_null(c, i) || (c && c->field && !dh_field_decodable(c->field));
    if (null)
        at = base == A_NORMAL ? draw_attr(DR_NULL) : base | A_DIM;
    int whole = !null && c && c->field && cellfit_whole(c->field);
    const char *text = whole ? cellfit_number(buf, width, hashes, sizeof hashes) : buf;
    draw_text(w, y, x, width, at, text, strlen(text),
              DT_ELLIPSIS | DT_PAD | (numeric ? DT_RIGHT : 0));
}

/* Headers, row numbers and the cells of the visible window. */
static void table_draw(struct view *vv, struct app *a, WINDOW *w)
{
    struct table_view *v = (struct table_view *)vv;
    int cols = getmaxx(w), lines = getmaxy(w);
    v->page = lines - HEADER_LINES > 1 ? lines - HEADER_LINES : 1;
    v->marks_shown = 0;
    update_visible(v);
    table_clamp_rows(v);
    const struct dh_schema *s = schema_of(v);
    if (!s) {
        if (v->err[0])
            draw_str(w, 1, 2, cols - 4, draw_attr(DR_BAD), v->err, DT_ELLIPSIS);
        else
            draw_fmt(w, 1, 2, cols - 4, draw_attr(DR_DIM), 0, "Loading %s%s", v->name,
                     draw_glyph(DG_ELLIPSIS));
        return;
    }
    /* Row-number column: as wide as the largest number on this screen. */
    char num[32];
    int64_t maxpos = v->top + v->page;
    if (table_size(v) > maxpos)
        maxpos = table_size(v);
    v->pos_width = snprintf(num, sizeof num, "%lld", (long long)maxpos);
    if (v->pos_width < 1)
        v->pos_width = 1;
    int x0 = v->pos_width + 1;
    int avail = cols - x0 - 1;
    scroll_columns(v, avail);
    attr_t h = draw_attr(DR_HEADER), ht = draw_attr(DR_HEADER_TYPE);
    draw_str(w, 0, 0, v->pos_width, draw_attr(DR_POSITION), "#", DT_RIGHT);
    int x = x0;
    for (size_t k = v->left; k < v->n_vis && x < cols; k++) {
        const struct dh_field *f = field_at(v, v->vis[k]);
        int cw = v->widths[k] < cols - x ? v->widths[k] : cols - x;
        unsigned right = dh_format_is_numeric(f) ? DT_RIGHT : 0;
        attr_t hk = k == v->col ? h | A_UNDERLINE : h;
        char mark[16], named[192];
        sort_mark(v, f->name, mark, sizeof mark);
        snprintf(named, sizeof named, mark[0] ? "%s %s" : "%s%s", f->name, mark);
        draw_str(w, 0, x, cw, hk, named, DT_ELLIPSIS | right);
        char label[64];
        dh_format_type_label(f, label, sizeof label);
        draw_str(w, 1, x, cw, ht, label, DT_ELLIPSIS | right);
        x += v->widths[k] + 2;
    }
    int64_t n = table_size(v);
    if (n == 0) {
        draw_str(w, HEADER_LINES + 1, 2, cols - 4, draw_attr(DR_DIM), "(no rows)", 0);
        return;
    }
    int shown = 0; /* a live mark is on screen */
    for (int r = 0; r < v->page; r++) {
        int64_t pos = v->top + r;
        if (n >= 0 && pos >= n)
            break;
        int y = HEADER_LINES + r;
        int sel = pos == v->cur;
        attr_t base = sel ? draw_attr(DR_CURSOR) : A_NORMAL;
        if (sel)
            draw_fill(w, y, 0, cols, base);
        int have = have_row(v, pos);
        int64_t i = have ? pos - v->rows->first : 0;
        /* A live row that just came: its number marked, and a + beside it. */
        int added = have ? live_marks_row(&v->marks, i, a->now_ms) : 0;
        attr_t pa = sel ? base : draw_attr(added ? DR_NEW_ROW : DR_POSITION);
        draw_fmt(w, y, 0, v->pos_width, pa, DT_RIGHT, "%lld", (long long)(pos + 1));
        if (added)
            draw_str(w, y, v->pos_width, 1, sel ? base : draw_attr(DR_NEW_ROW), "+", 0);
        shown |= added;
        x = x0;
        for (size_t k = v->left; k < v->n_vis && x < cols; k++) {
            int cw = v->widths[k] < cols - x ? v->widths[k] : cols - x;
            attr_t ca = sel && k == v->col ? draw_attr(DR_CURSOR_CELL) : base;
            int changed = have ? live_marks_cell(&v->marks, i, v->vis[k], a->now_ms) : 0;
            if (changed && !(sel && k == v->col)) /* the cursor cell stays findable */
                ca = draw_attr(changed == 2 ? DR_CHANGED : DR_CHANGED_FADE);
            shown |= changed;
            if (!have) {
                draw_str(w, y, x, cw, sel ? ca : draw_attr(DR_DIM), draw_glyph(DG_LOADING), 0);
            } else {
                const struct dh_field *f = field_at(v, v->vis[k]);
                draw_cell(w, y, x, cw, column(v, v->vis[k]), i, dh_format_is_numeric(f),
                          v->local_time, ca);
            }
            x += v->widths[k] + 2;
        }
    }
    v->marks_shown = shown;
    if (v->err[0] && !v->rows)
        draw_str(w, HEADER_LINES + 1, 2, cols - 4, draw_attr(DR_BAD), v->err, DT_ELLIPSIS);
}

/* How long ago a live window last changed, as the title says it: tenths of a
 * second for 2 s, then seconds, then minutes; *next (may be NULL) = ms until
 * the text changes. */
static void ago_text(int64_t age, char *buf, size_t n, int64_t *next)
{
    int64_t step;
    if (age < 0)
        age = 0;
    if (age < 2000) {
        step = 100;
        snprintf(buf, n, "updated %.1f s ago", (double)(age / 100) / 10.0);
    } else if (age < 60000) {
        step = 1000;
        snprintf(buf, n, "updated %lld s ago", (long long)(age / 1000));
    } else {
        step = 60000;
        snprintf(buf, n, "updated %lld min ago", (long long)(age / 60000));
    }
    if (next)
        *next = step - age % step;
}

/* Visible range, size, static/live, columns, page time (static tables). */
static void table_title(struct view *vv, struct app *a, char *left, size_t nl, char *right,
                        size_t nr)
{
    struct table_view *v = (struct table_view *)vv;
    /* A frequency view is titled with its counts while they are being made. */
    const struct dh_view_ops *shown = v->base_ops && !v->derived ? &v->pending : &v->ops;
    if (shown->n) {
        char desc[512];
        dh_view_ops_describe(shown, desc, sizeof desc);
        snprintf(left, nl, "%s | %s", v->name, desc);
    } else {
        snprintf(left, nl, "%s (%s)", v->name, v->type);
    }
    char total[32] = "?", from[32], to[32];
    int64_t n = table_size(v);
    if (n >= 0)
        draw_thousands(n, total, sizeof total);
    int64_t last = v->top + v->page;
    if (n >= 0 && last > n)
        last = n;
    draw_thousands(n == 0 ? 0 : v->top + 1, from, sizeof from);
    draw_thousands(last, to, sizeof to);
    /* A live window that has not heard from the server (failing, being
     * resubscribed, or the connection down) says since when, not "ticking". */
    char stale[48] = "";
    int quiet = v->gone || (v->is_static != 1 && v->rows &&
                            (v->retrying || dh_client_conn_state(a->client) != DH_CONN_CONNECTED));
    if (quiet) {
        struct tm tm;
        char hms[16] = "?";
        if (v->heard && localtime_r(&v->heard, &tm))
            strftime(hms, sizeof hms, "%H:%M:%S", &tm);
        snprintf(stale, sizeof stale, "stale since %s", hms);
    }
    char live[96] = "";
    if (!quiet && v->is_static == 0) {
        char held[48];
        live_hold_waiting(&v->hold, held, sizeof held);
        if (v->rows)
            ago_text(a->now_ms - v->last_rows_ms, v->ago, sizeof v->ago, NULL);
        snprintf(live, sizeof live, "live, %s%s%s", v->follow ? "following, " : "",
                 v->hold.paused ? "paused"
                 : v->rows      ? v->ago
                                : "waiting",
                 held);
    }
    const char *mode = quiet ? stale : v->is_static == 1 ? "static" : v->is_static == 0 ? live : "";
    char timing[64] = "";
    if (v->derive_req)
        snprintf(timing, sizeof timing, "%s asking the server", draw_spinner(a->now_ms));
    else if (v->req && v->retrying)
        snprintf(timing, sizeof timing, "%s retrying", draw_spinner(a->now_ms));
    else if (v->req && !(v->req_ahead && screen_covered(v))) /* not for a prefetch */
        snprintf(timing, sizeof timing, "%s loading", draw_spinner(a->now_ms));
    else if ((v->last_ms > 0 || v->rows) && v->is_static != 0)
        snprintf(timing, sizeof timing, "page %.0f ms", v->last_ms); /* paging only */
    snprintf(right, nr, "rows %s-%s of %s  %s  %zu col%s  %s", from, to, total, mode, v->n_vis,
             v->n_vis == 1 ? "" : "s", timing);
}

/* ---- sorts and filters (run on the server) ---- */

/* Forget the rows on screen: a new view's rows are asked for from the top. */
static void drop_window(struct table_view *v, struct app *a)
{
    if (v->req)
        dh_client_cancel(a->client, v->req);
    if (v->live)
        dh_client_cancel(a->client, v->live);
    v->req = v->live = 0;
    if (v->rows) {
        dh_rows_reset(v->rows);
        free(v->rows);
        v->rows = NULL;
    }
    live_marks_reset(&v->marks);
    live_hold_drop(&v->hold);
    v->rows_req = 0;
    v->vis_for = NULL;
    v->cur = v->top = 0;
    v->follow = v->retrying = v->gone = v->failed = v->live_reverse = 0;
    v->err[0] = '\0';
}

/* What the server derives for pending: all of it, or without the columns
 * the live window leaves out (hides_in_window). NULL when out of memory. */
static const struct dh_view_ops *to_derive(struct table_view *v, struct dh_view_ops *shown)
{
    struct dh_error err;
    if (!hides_in_window(v))
        return &v->pending;
    return dh_view_ops_copy_shown(shown, &v->pending, &err) == DH_OK ? shown : NULL;
}

/* Only the columns shown changed: the table stays, and the live window asks
 * for the new columns on its open subscription (the rows on screen stay,
 * the hidden column hidden at once, until the server's rows come). */
static void take_columns(struct table_view *v, struct app *a)
{
    dh_view_ops_reset(&v->ops);
    v->ops = v->pending;
    dh_view_ops_init(&v->pending);
    v->vis_for = NULL;
    update_visible(v);
    fit_widths(v);
    ensure_rows(v, a, 1);
}

/* Ask the server for the view `pending` describes (the origin itself when it
 * has no operations). The rows on screen stay until the answer. */
static void start_derive(struct table_view *v, struct app *a)
{
    v->rederiving = 0;
    if (v->derive_req)
        dh_client_cancel(a->client, v->derive_req); /* a newer change supersedes it */
    v->derive_req = 0;
    if (hides_in_window(v) && dh_view_ops_same_but_hidden(&v->pending, &v->ops)) {
        take_columns(v, a);
        return;
    }
    struct dh_view_ops shown;
    dh_view_ops_init(&shown);
    const struct dh_view_ops *ask = to_derive(v, &shown);
    if (ask && ask->n == 0) { /* everything undone: back to the table itself */
        if (v->derived)
            dh_client_forget(a->client, &v->source);
        v->derived = 0;
        v->source = v->origin;
        v->size = v->origin_size;
        v->is_static = v->origin_static;
        dh_view_ops_reset(&v->ops);
        v->ops = v->pending; /* the hidden columns, if any */
        dh_view_ops_init(&v->pending);
        drop_window(v, a);
        return;
    }
    v->derive_req = ask ? dh_client_derive(a->client, &v->origin, ask) : 0;
    dh_view_ops_reset(&shown);
    if (!v->derive_req)
        app_message(a, APP_ERROR, "Out of memory.");
}

/* Make pending the newest chain asked for: the one on its way (keys pressed
 * quickly build on each other), else the one on screen. */
int table_begin_change(struct table_view *v, struct dh_error *err)
{
    if (v->derive_req)
        return DH_OK;
    return dh_view_ops_copy(&v->pending, &v->ops, err);
}

/* Send pending if building it worked (rc), else say why and keep the view. */
unsigned table_finish_change(struct table_view *v, struct app *a, int rc,
                             const struct dh_error *err)
{
    if (rc != DH_OK) {
        if (!v->derive_req)
            dh_view_ops_reset(&v->pending);
        app_error_message(a, APP_ERROR, err->msg);
        return UR_HANDLED | UR_STATUS;
    }
    start_derive(v, a);
    return UR_HANDLED | UR_STATUS;
}

/* Change the view: pending = the newest chain plus one operation added by add. */
static unsigned change_view(struct table_view *v, struct app *a,
                            int (*add)(struct table_view *v, struct dh_view_ops *ops,
                                       struct dh_error *err))
{
    struct dh_error err;
    dh_error_clear(&err);
    int rc = table_begin_change(v, &err);
    if (rc == DH_OK)
        rc = add(v, &v->pending, &err);
    return table_finish_change(v, a, rc, &err);
}

/* The name of the selected column, or NULL. */
const char *table_selected_column(const struct table_view *v)
{
    if (!schema_of(v) || v->col >= v->n_vis)
        return NULL;
    const char *name = field_at(v, v->vis[v->col])->name;
    return name && name[0] ? name : NULL;
}

const struct dh_field *table_selected_field(const struct table_view *v)
{
    if (!table_selected_column(v))
        return NULL;
    return field_at(v, v->vis[v->col]);
}

/* Sort keys: replace the sort ([ ]) or add the column as the next key ({ }). */
static int add_sort(struct table_view *v, struct dh_view_ops *ops, int desc, int append,
                    struct dh_error *err)
{
    const char *col = table_selected_column(v);
    if (!col)
        return dh_error_set(err, DH_EINVAL, "no column to sort by yet");
    struct dh_sort_key keys[DH_VIEW_MAX_SORT_KEYS];
    size_t n = 0;
    const struct dh_table_op *cur = append ? dh_view_ops_sort(ops) : NULL;
    for (size_t k = 0; cur && k < cur->n_keys && n + 1 < DH_VIEW_MAX_SORT_KEYS; k++)
        if (strcmp(cur->keys[k].column, col) != 0) /* re-adding a key moves it last */
            keys[n++] = cur->keys[k];
    keys[n].column = (char *)col;
    keys[n].descending = desc;
    return dh_view_ops_add_sort(ops, keys, n + 1, err);
}

static int add_sort_asc(struct table_view *v, struct dh_view_ops *o, struct dh_error *e)
{
    return add_sort(v, o, 0, 0, e);
}
static int add_sort_desc(struct table_view *v, struct dh_view_ops *o, struct dh_error *e)
{
    return add_sort(v, o, 1, 0, e);
}
static int add_sort_key_asc(struct table_view *v, struct dh_view_ops *o, struct dh_error *e)
{
    return add_sort(v, o, 0, 1, e);
}
static int add_sort_key_desc(struct table_view *v, struct dh_view_ops *o, struct dh_error *e)
{
    return add_sort(v, o, 1, 1, e);
}

static int add_where_text(struct table_view *v, struct dh_view_ops *o, struct dh_error *e)
{
    return dh_view_ops_add_where(o, v->where_text, e);
}

/* The cell of shown column k in the cursor row as a literal (or *is_null);
 * DH_EINVAL for types a structured filter cannot compare here. value->s is
 * malloc'd for strings. */
const char *table_no_cell_reason(const struct table_view *v)
{
    return table_size(v) == 0 ? "the table is empty: there is no cell to take"
                              : "that row is still loading";
}

int table_cell_literal(struct table_view *v, size_t k, struct dh_literal *value, int *is_null,
                       struct dh_error *err)
{
    memset(value, 0, sizeof *value);
    *is_null = 0;
    if (!schema_of(v) || k >= v->n_vis || !have_row(v, v->cur))
        return dh_error_set(err, DH_EINVAL, "%s", table_no_cell_reason(v));
    const struct dh_column_view *c = column(v, v->vis[k]);
    int64_t i = v->cur - v->rows->first;
    const struct dh_field *f = c->field;
    if (!f || i >= c->length)
        return dh_error_set(err, DH_EINVAL, "that row is still loading");
    if (dh_column_is_null(c, i)) {
        *is_null = 1;
        return DH_OK;
    }
    int is_char = f->dh_type && strcmp(f->dh_type, "char") == 0;
    switch (f->type) {
    case DH_TYPE_UTF8:
    case DH_TYPE_LARGE_UTF8: {
        const uint8_t *p = NULL;
        size_t n = 0;
        if (dh_column_get_bytes(c, i, &p, &n) != DH_OK || memchr(p, '\0', n))
            break;
        value->kind = DH_LIT_STRING;
        value->s = strndup((const char *)p, n);
        return value->s ? DH_OK : dh_error_set(err, DH_ENOMEM, "out of memory");
    }
    case DH_TYPE_INT:
        if (is_char || (!f->is_signed && f->bit_width == 64))
            break;
        value->kind = DH_LIT_LONG;
        value->i = f->is_signed ? dh_column_get_i64(c, i) : (int64_t)dh_column_get_u64(c, i);
        return DH_OK;
    case DH_TYPE_FLOAT:
        value->kind = DH_LIT_DOUBLE;
        value->d = dh_column_get_f64(c, i);
        return DH_OK;
    case DH_TYPE_BOOL:
        value->kind = DH_LIT_BOOL;
        value->i = dh_column_get_bool(c, i);
        return DH_OK;
    case DH_TYPE_TIMESTAMP:
        if (f->unit != DH_UNIT_NANO)
            break;
        value->kind = DH_LIT_NANOS;
        value->i = dh_column_get_i64(c, i);
        return DH_OK;
    default: break;
    }
    return dh_error_set(err, DH_EINVAL,
                        "= and ! compare numbers, strings, booleans and instants; use w to "
                        "filter %s",
                        f->name);
}

unsigned table_match_value(struct table_view *v, struct app *a, const char *column, int negate,
                           const struct dh_literal *value, int is_null)
{
    struct dh_error err;
    dh_error_clear(&err);
    int rc = table_begin_change(v, &err);
    if (rc == DH_OK && is_null) {
        char text[300];
        snprintf(text, sizeof text, "%sisNull(%s)", negate ? "!" : "", column);
        rc = dh_view_ops_add_where(&v->pending, text, &err);
    } else if (rc == DH_OK) {
        rc = dh_view_ops_add_match(&v->pending, column, negate, value, &err);
    }
    return table_finish_change(v, a, rc, &err);
}

/* = keeps the rows equal to the selected cell, ! drops them (a structured
 * Filter: no quoting; a null cell becomes isNull). */
static unsigned match_cell(struct table_view *v, struct app *a, int negate)
{
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_literal value;
    int is_null;
    if (table_cell_literal(v, v->col, &value, &is_null, &err) != DH_OK) {
        app_error_message(a, APP_ERROR, err.msg);
        return UR_HANDLED | UR_STATUS;
    }
    unsigned r = table_match_value(v, a, table_selected_column(v), negate, &value, is_null);
    free(value.s);
    return r;
}

/* The filter prompt: Enter sends the filter (the prompt closes; an error from
 * the server reopens it with the text). */
static unsigned where_submit(void *ctx, struct app *a, const char *text)
{
    struct table_view *v = ctx;
    ui_copy(v->where_text, sizeof v->where_text, text);
    if (!text[strspn(text, " \t")])
        return UR_NONE; /* nothing typed: nothing to do */
    return change_view(v, a, add_where_text) & ~(unsigned)UR_HANDLED;
}

static const struct prompt_ops where_ops = {
    .submit = where_submit,
};

static void open_where_prompt(struct table_view *v, struct app *a, const char *prefill)
{
    prompt_open(a, PROMPT_WHERE, "where: ", prefill, &where_ops, v);
}

/* u: drop the newest operation. */
static unsigned undo(struct table_view *v, struct app *a)
{
    struct dh_error err;
    if ((v->derive_req ? v->pending.n : v->ops.n) <= v->base_ops) {
        app_message(a, APP_INFO,
                    v->base_ops ? "Nothing to undo: these are the counts."
                                : "Nothing to undo: this is the whole table.");
        return UR_HANDLED | UR_STATUS;
    }
    if (table_begin_change(v, &err) != DH_OK) {
        app_error_message(a, APP_ERROR, err.msg);
        return UR_HANDLED | UR_STATUS;
    }
    dh_view_ops_pop(&v->pending);
    start_derive(v, a);
    return UR_HANDLED | UR_STATUS | UR_REDRAW;
}

/* The derived view arrived (or failed: the view on screen stays). */
static unsigned take_derived(struct table_view *v, struct app *a, struct dh_event *ev)
{
    v->derive_req = 0;
    if (!ev->ok || !ev->fetched) {
        v->rederiving = 0;
        int typed = v->pending.n && v->pending.ops[v->pending.n - 1].kind == DH_OP_WHERE;
        dh_view_ops_reset(&v->pending);
        app_error_message(a, APP_ERROR, ev->err.msg);
        if (!v->derived && v->base_ops) /* a frequency view that never was: say why */
            ui_copy_sentence(v->err, sizeof v->err, ev->err.msg);
        if (typed && !prompt_active())
            open_where_prompt(v, a, v->where_text); /* nothing typed is lost */
        return UR_REDRAW | UR_STATUS;
    }
    struct dh_fetched *f = ev->fetched;
    if (v->derived)
        dh_client_forget(a->client, &v->source); /* superseded: release it */
    int64_t cur = v->cur, top = v->top;
    drop_window(v, a);
    if (v->rederiving) { /* the same view again: stay where the user was */
        v->cur = cur;
        v->top = top;
        v->rederiving = 0;
    }
    v->source = f->rows_source;
    v->derived = 1;
    v->size = f->table.size;
    v->is_static = f->table.is_static;
    dh_schema_reset(&v->info_schema);
    v->info_schema = f->table.schema;
    dh_schema_init(&f->table.schema);
    dh_view_ops_reset(&v->ops);
    v->ops = v->pending;
    dh_view_ops_init(&v->pending);
    ev->fetched = NULL;
    dh_table_info_reset(&f->table);
    free(f);
    char rows[32];
    draw_thousands(v->size, rows, sizeof rows);
    app_message(a, APP_INFO, "%s rows (the server took %.0f ms).", rows, ev->elapsed_ms);
    return UR_REDRAW | UR_STATUS;
}

/* Derive the view's operations again from its origin (a new session). */
static int derive_again(struct table_view *v, struct app *a)
{
    struct dh_error err;
    if (dh_view_ops_copy(&v->pending, &v->ops, &err) != DH_OK)
        return 0;
    struct dh_view_ops shown;
    dh_view_ops_init(&shown);
    const struct dh_view_ops *ask = to_derive(v, &shown);
    v->derive_req = ask ? dh_client_derive(a->client, &v->origin, ask) : 0;
    dh_view_ops_reset(&shown);
    if (!v->derive_req)
        return 0;
    v->rederiving = 1;
    v->req = v->live = 0;
    app_message(a, APP_WARN, "The session was renewed: asking the server for this view again.");
    return 1;
}

/* The derived export (or the table itself, when it has no durable name) is
 * gone with its session: derive it again in this one. A table without a
 * durable name is asked for again from what gave it (view_partition.c). */
static int rederive(struct table_view *v, struct app *a)
{
    if (v->derive_req || v->reopen_req)
        return 0;
    if (!dh_source_durable(&v->origin)) {
        if (!table_partition_reopen(v, a))
            return 0;
        v->req = v->live = 0;
        app_message(a, APP_WARN, "The session was renewed: asking the server for this view again.");
        return 1;
    }
    return v->derived ? derive_again(v, a) : 0;
}

/* The table asked for again in a new session arrived: it is the new origin,
 * and the view's operations are derived again from it. The rows on screen stay
 * until the new ones come. */
static unsigned take_reopened(struct table_view *v, struct app *a, struct dh_event *ev)
{
    v->reopen_req = 0;
    struct dh_fetched *f = ev->ok ? ev->fetched : NULL;
    if (!f || table_partition_reopened(v, f) != 0) {
        v->gone = 1;
        app_message(a, APP_ERROR, "%s could not be read again in the new session: %s%s", v->name,
                    f ? "it is no longer the same kind of table" : ev->err.msg,
                    v->rows ? "; the rows shown are the last ones read" : "");
        return UR_REDRAW | UR_STATUS;
    }
    ev->fetched = NULL; /* ours now */
    v->origin = f->rows_source;
    v->origin_size = f->table.size;
    v->origin_static = f->table.is_static;
    if (v->derived) {
        dh_table_info_reset(&f->table);
        free(f);
        if (!derive_again(v, a))
            v->gone = 1;
        return UR_REDRAW | UR_STATUS;
    }
    int64_t cur = v->cur, top = v->top;
    drop_window(v, a);
    v->cur = cur;
    v->top = top;
    v->source = v->origin;
    v->size = v->origin_size;
    v->is_static = v->origin_static;
    dh_schema_reset(&v->info_schema);
    v->info_schema = f->table.schema;
    dh_schema_init(&f->table.schema);
    dh_table_info_reset(&f->table);
    free(f);
    return UR_REDRAW | UR_STATUS;
}

/* Header mark of a sorted column: its direction and place among the keys. */
static void sort_mark(const struct table_view *v, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    const struct dh_table_op *sort = dh_view_ops_sort(&v->ops);
    for (size_t k = 0; sort && k < sort->n_keys; k++) {
        if (strcmp(sort->keys[k].column, name) == 0) {
            snprintf(out, n, "%s%zu", sort->keys[k].descending ? "v" : "^", k + 1);
            return;
        }
    }
}

/* ---- keys ---- */

/* The whole value of the selected cell: raw string bytes for strings (line
 * breaks kept), else the formatted value without digit grouping. Caller frees. */
static char *selected_cell(struct table_view *v, size_t *len, char *what, size_t wn)
{
    const struct dh_schema *s = schema_of(v);
    if (!s || v->col >= v->n_vis || !have_row(v, v->cur))
        return NULL;
    size_t f = v->vis[v->col];
    const struct dh_column_view *c = column(v, f);
    int64_t i = v->cur - v->rows->first;
    if (i >= c->length)
        return NULL;
    snprintf(what, wn, "%s, row %lld", field_at(v, f)->name, (long long)(v->cur + 1));
    enum dh_type_id t = c->field ? c->field->type : DH_TYPE_NULL;
    if ((t == DH_TYPE_UTF8 || t == DH_TYPE_LARGE_UTF8) && c->offsets && c->values &&
        i < c->length && !cell_is_null(c, i)) {
        int64_t lo, hi;
        if (t == DH_TYPE_UTF8) {
            int32_t a32, b32;
            memcpy(&a32, c->offsets + 4 * i, 4);
            memcpy(&b32, c->offsets + 4 * (i + 1), 4);
            lo = a32;
            hi = b32;
        } else {
            memcpy(&lo, c->offsets + 8 * i, 8);
            memcpy(&hi, c->offsets + 8 * (i + 1), 8);
        }
        if (lo >= 0 && hi >= lo && (uint64_t)hi <= c->values_len) {
            size_t n = (size_t)(hi - lo);
            if (n > CELL_MAX_BYTES)
                n = CELL_MAX_BYTES;
            char *out = malloc(n + 1);
            if (!out)
                return NULL;
            memcpy(out, c->values + lo, n);
            out[n] = '\0';
            *len = n;
            return out;
        }
    }
    size_t cap = 64 * 1024;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    struct dh_format_opts o;
    format_opts(&o, 0, v->local_time);
    o.max_list_items = 1000;
    o.max_binary_bytes = 4096;
    *len = dh_format_cell(c, i, &o, out, cap);
    return out;
}

/* The selected cell was cut by the server: read its row whole, then show or
 * copy the value (take_whole). 1 when asked. */
static int ask_whole(struct table_view *v, struct app *a, enum ui_action act)
{
    const struct dh_schema *s = schema_of(v);
    if (!s || v->col >= v->n_vis || !have_row(v, v->cur))
        return 0;
    size_t f = v->vis[v->col];
    if (!cell_cut(column(v, f), v->cur - v->rows->first))
        return 0;
    if (v->whole_req)
        dh_client_cancel(a->client, v->whole_req);
    v->whole_req = dh_client_row_whole(a->client, &v->source, v->cur);
    v->whole_act = act;
    v->whole_field = f;
    v->whole_source = v->source;
    snprintf(v->whole_what, sizeof v->whole_what, "%s, row %lld", field_at(v, f)->name,
             (long long)(v->cur + 1));
    if (!v->whole_req)
        app_message(a, APP_ERROR, "Out of memory.");
    else
        app_message(a, APP_INFO, "The page holds %d items of this list: reading it whole%s",
                    DH_TABLE_LIST_PREVIEW, draw_glyph(DG_ELLIPSIS));
    return 1;
}

/* The whole row of a cut cell arrived: its value in a pop-up, or copied.
 * The text is as long as the value (up to 256 MiB). */
static unsigned take_whole(struct table_view *v, struct app *a, const struct dh_event *ev)
{
    v->whole_req = 0;
    if (!ev->ok) {
        app_error_message(a, APP_ERROR, ev->err.msg);
        return UR_STATUS;
    }
    const struct dh_rows *r = ev->rows;
    if (!dh_ticket_equal(&v->whole_source.ticket, &v->source.ticket) ||
        !view_on_screen(&v->base, a) || !r || r->batch.length != 1 ||
        v->whole_field >= r->batch.n_columns)
        return UR_NONE; /* the view changed, or another is on top */
    const struct dh_column_view *c = &r->batch.columns[v->whole_field];
    int64_t start = 0, n = 0;
    dh_column_list_range(c, 0, &start, &n);
    size_t cap = 64 * 1024 + (size_t)(n > 0 ? n : 0) * 48;
    if (cap > 256u * 1024 * 1024)
        cap = 256u * 1024 * 1024;
    char *text = malloc(cap);
    if (!text) {
        app_message(a, APP_ERROR, "Out of memory.");
        return UR_STATUS;
    }
    struct dh_format_opts o;
    format_opts(&o, 0, v->local_time);
    o.list_cut = 0;
    o.max_list_items = INT_MAX;
    o.max_binary_bytes = 4096;
    size_t len = dh_format_cell(c, 0, &o, text, cap);
    if (v->whole_act == ACT_COPY) {
        app_copy(a, text, len, "cell");
    } else if (v->whole_act == ACT_COPY_RAW) {
        app_copy_raw(a, text, len, "cell");
    } else {
        char title[400];
        snprintf(title, sizeof title, "%s: %s (%lld items)", v->name, v->whole_what, (long long)n);
        app_push(a, dialog_text_new(a, title, text, len));
    }
    free(text);
    return UR_REDRAW | UR_STATUS;
}

/* The goto prompt: a row number (1-based; commas and spaces allowed). */
static unsigned goto_submit(void *ctx, struct app *a, const char *text)
{
    struct table_view *v = ctx;
    long long n = 0;
    int digits = 0;
    for (const char *p = text; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n > (long long)1e15) {
                digits = 0;
                break;
            }
            n = n * 10 + (*p - '0');
            digits++;
        } else if (*p != ',' && *p != ' ' && *p != '_' && *p != '\'') {
            digits = 0;
            break;
        }
    }
    if (!digits) {
        app_message(a, APP_ERROR, "Expected a row number such as 1000, but found \"%s\".", text);
        return UR_KEEP | UR_STATUS;
    }
    int64_t size = table_size(v);
    if (n < 1)
        n = 1;
    if (size == 0) {
        app_message(a, APP_INFO, "The table is empty: there is no row %lld.", (long long)n);
        return UR_STATUS;
    }
    if (size >= 0 && n > size) {
        app_message(a, APP_WARN, "The table has %lld row%s: showing the last one.", (long long)size,
                    size == 1 ? "" : "s");
        n = size > 0 ? size : 1;
    }
    v->cur = n - 1;
    v->top = v->cur; /* the row goes to the top of the screen, as in less */
    table_clamp_rows(v);
    v->follow = 0;
    return UR_REDRAW | UR_STATUS;
}

static const struct prompt_ops goto_ops = {
    .submit = goto_submit,
};

/* Move the row cursor for a movement action. */
static int move_rows(struct table_view *v, enum ui_action act)
{
    int64_t page = v->page > 0 ? v->page : 1;
    int64_t n = table_size(v);
    switch (act) {
    case ACT_UP: v->cur--; break;
    case ACT_DOWN: v->cur++; break;
    case ACT_PAGE_UP:
        v->cur -= page;
        v->top -= page;
        break;
    case ACT_PAGE_DOWN:
        v->cur += page;
        v->top += page;
        break;
    case ACT_TOP: v->cur = 0; break;
    case ACT_BOTTOM: v->cur = n > 0 ? n - 1 : v->cur; break;
    default: return 0;
    }
    table_clamp_rows(v);
    /* Following starts at the last row of a ticking table and stops when the
     * cursor leaves it. */
    v->follow = v->is_static != 1 && n > 0 && v->cur == n - 1;
    return 1;
}

/* Movement, columns, goto, cell, copy, schema, sorts and filters; the other
 * operations in view_ops.c. */
static unsigned table_key(struct view *vv, struct app *a, int key, enum ui_action act)
{
    struct table_view *v = (struct table_view *)vv;
    (void)key;
    if (move_rows(v, act))
        return UR_HANDLED | UR_REDRAW | UR_STATUS;
    unsigned r = table_ops_key(v, a, act);
    if (r != UR_NONE)
        return r;
    switch (act) {
    case ACT_LEFT:
        if (v->col > 0)
            v->col--;
        return UR_HANDLED | UR_REDRAW;
    case ACT_RIGHT:
        if (v->col + 1 < v->n_vis)
            v->col++;
        return UR_HANDLED | UR_REDRAW;
    case ACT_FIRST_COL: v->col = 0; return UR_HANDLED | UR_REDRAW;
    case ACT_LAST_COL: v->col = v->n_vis ? v->n_vis - 1 : 0; return UR_HANDLED | UR_REDRAW;
    case ACT_GOTO:
        prompt_open(a, PROMPT_GOTO, "go to row: ", NULL, &goto_ops, v);
        return UR_HANDLED;
    case ACT_PAUSE: return toggle_pause(v, a);
    case ACT_REFRESH: ensure_rows(v, a, 1); return UR_HANDLED | UR_STATUS;
    case ACT_ZONE:
        v->local_time = !v->local_time;
        fit_widths(v); /* the texts changed width */
        app_message(a, APP_INFO,
                    v->local_time ? "Times in the local zone (--tz), with offsets."
                                  : "Times in UTC.");
        return UR_HANDLED | UR_REDRAW | UR_STATUS;
    case ACT_SCHEMA: {
        const struct dh_schema *s = schema_of(v);
        if (s)
            app_push(a, view_schema_new(a, v->name, s));
        return UR_HANDLED;
    }
    case ACT_SORT_ASC: return change_view(v, a, add_sort_asc);
    case ACT_SORT_DESC: return change_view(v, a, add_sort_desc);
    case ACT_SORT_ADD_ASC: return change_view(v, a, add_sort_key_asc);
    case ACT_SORT_ADD_DESC: return change_view(v, a, add_sort_key_desc);
    case ACT_MATCH: return match_cell(v, a, 0);
    case ACT_EXCLUDE: return match_cell(v, a, 1);
    case ACT_UNDO: return undo(v, a);
    case ACT_WHERE: {
        char prefill[160] = "";
        const char *col = table_selected_column(v);
        if (col)
            snprintf(prefill, sizeof prefill, "%s ", col);
        open_where_prompt(v, a, prefill);
        return UR_HANDLED;
    }
    case ACT_OPEN:
    case ACT_COPY:
    case ACT_COPY_RAW: {
        if (ask_whole(v, a, act))
            return UR_HANDLED | UR_STATUS;
        size_t len = 0;
        char what[256];
        char *text = selected_cell(v, &len, what, sizeof what);
        if (!text) {
            app_error_message(a, APP_INFO, table_no_cell_reason(v));
            return UR_HANDLED | UR_STATUS;
        }
        if (act == ACT_COPY) {
            app_copy(a, text, len, "cell");
        } else if (act == ACT_COPY_RAW) {
            app_copy_raw(a, text, len, "cell");
        } else {
            char title[400];
            snprintf(title, sizeof title, "%s: %s", v->name, what);
            app_push(a, dialog_text_new(a, title, text, len));
        }
        free(text);
        return UR_HANDLED | UR_STATUS;
    }
    default: return UR_NONE;
    }
}

/* Our rows arrived (older requests never answer). */
static unsigned table_event(struct view *vv, struct app *a, struct dh_event *ev)
{
    struct table_view *v = (struct table_view *)vv;
    if (ev->kind == DH_EV_DERIVED && ev->req && ev->req == v->derive_req)
        return take_derived(v, a, ev);
    if (ev->kind == DH_EV_FETCHED && ev->req && ev->req == v->reopen_req)
        return take_reopened(v, a, ev);
    if (ev->kind == DH_EV_ROW && ev->req && ev->req == v->whole_req)
        return take_whole(v, a, ev);
    unsigned r = table_ops_event(v, a, ev);
    if (r != UR_NONE)
        return r;
    if (ev->kind != DH_EV_ROWS || !ev->req || (ev->req != v->req && ev->req != v->live))
        return UR_NONE;
    return take_rows(v, a, ev);
}

/* Loop pass: fetch what the screen needs; refresh ticking tables. */
static unsigned table_tick(struct view *vv, struct app *a, int64_t now)
{
    struct table_view *v = (struct table_view *)vv;
    unsigned saving = view_save_tick(v, a, now);
    if (!view_on_screen(&v->base, a)) {
        /* Another view's rows request would supersede ours, which would then
         * never answer: drop it and ask again when we are back on screen. */
        if (v->req || v->live) {
            dh_client_cancel(a->client, v->req);
            dh_client_cancel(a->client, v->live);
            v->req = v->live = 0;
        }
        return saving;
    }
    if (v->page <= 0 && a->w_body)
        v->page = getmaxy(a->w_body) - HEADER_LINES;
    if (v->page <= 0)
        v->page = 1;
    uint64_t before = v->req;
    /* A static window read in an earlier session is read again from the new
     * one (once per session, when it is up), not only at the next scroll. */
    uint64_t epoch = dh_client_epoch(a->client);
    int renewed = v->is_static == 1 && v->rows && !v->req && v->rows_epoch != epoch &&
                  v->reread_epoch != epoch && dh_client_conn_state(a->client) == DH_CONN_CONNECTED;
    if (renewed)
        v->reread_epoch = epoch;
    if (renewed ||
        (v->is_static == -1 && !v->req && v->rows && now - v->last_rows_ms >= TICK_REFRESH_MS))
        ensure_rows(v, a, 1); /* not known to be static: re-read now and then */
    else
        ensure_rows(v, a, 0);
    unsigned r = saving;
    if (v->req != before)
        r |= UR_STATUS;
    if (v->marks_shown || live_marks_next_change(&v->marks, now) >= 0)
        r |= UR_REDRAW; /* a mark fades or goes */
    if (v->is_static == 0 && v->rows && !v->hold.paused) {
        char ago[sizeof v->ago];
        ago_text(now - v->last_rows_ms, ago, sizeof ago, NULL);
        if (strcmp(ago, v->ago) != 0)
            r |= UR_STATUS;
    }
    if (v->req)
        r |= UR_STATUS; /* spinner */
    return r;
}

/* Spinner while loading; the next refresh of a ticking table. */
static int64_t window_next_tick(struct table_view *v, struct app *a, int64_t now)
{
    if (!view_on_screen(&v->base, a))
        return -1;
    if (v->req)
        return draw_spinner_wait(now);
    if (v->is_static == -1 && v->rows) {
        int64_t t = v->last_rows_ms + TICK_REFRESH_MS - now;
        return t > 0 ? t : 0;
    }
    /* A live table: the next fade of a mark, the next "updated ... ago". */
    int64_t wait = live_marks_next_change(&v->marks, now);
    if (v->is_static == 0 && v->rows && !v->hold.paused) {
        int64_t ago;
        char text[32];
        ago_text(now - v->last_rows_ms, text, sizeof text, &ago);
        if (wait < 0 || ago < wait)
            wait = ago;
    }
    return wait;
}

/* The window's timers, and a save's progress bar (view_save.c). */
static int64_t table_next_tick(struct view *vv, struct app *a, int64_t now)
{
    struct table_view *v = (struct table_view *)vv;
    int64_t t = window_next_tick(v, a, now), saving = view_save_next_tick(v, now);
    return t < 0 || (saving >= 0 && saving < t) ? saving : t;
}

/* Cancel, forget our export, free the window. */
static void table_destroy(struct view *vv, struct app *a)
{
    struct table_view *v = (struct table_view *)vv;
    if (v->req)
        dh_client_cancel(a->client, v->req);
    if (v->live)
        dh_client_cancel(a->client, v->live);
    if (v->derive_req)
        dh_client_cancel(a->client, v->derive_req);
    if (v->reopen_req)
        dh_client_cancel(a->client, v->reopen_req);
    if (v->whole_req)
        dh_client_cancel(a->client, v->whole_req);
    table_ops_destroy(v, a);
    table_partition_destroy(v, a);
    if (v->derived)
        dh_client_forget(a->client, &v->source);
    if (v->origin_forget)
        dh_client_forget(a->client, &v->origin);
    dh_view_ops_reset(&v->ops);
    dh_view_ops_reset(&v->pending);
    if (v->rows) {
        dh_rows_reset(v->rows);
        free(v->rows);
    }
    dh_schema_reset(&v->info_schema);
    live_marks_reset(&v->marks);
    live_hold_drop(&v->hold);
    free(v->vis);
    free(v->widths);
    free(v);
}

/* The shown column drawn over body column x, or SIZE_MAX (table_draw's layout). */
static size_t column_at(const struct table_view *v, int x)
{
    int cx = v->pos_width + 1;
    for (size_t k = v->left; v->widths && k < v->n_vis; k++) {
        if (x >= cx && x < cx + v->widths[k] + 2)
            return k;
        cx += v->widths[k] + 2;
    }
    return SIZE_MAX;
}

/* 1 if the newest sort's first key is this column, ascending. */
static int sorted_ascending_by(const struct table_view *v, const char *name)
{
    const struct dh_table_op *sort = dh_view_ops_sort(&v->ops);
    return sort && sort->n_keys > 0 && strcmp(sort->keys[0].column, name) == 0 &&
           !sort->keys[0].descending;
}

/* Click: a header selects its column, and sorts by it when it is already
 * selected (ascending, then descending); a cell selects its row and column;
 * a double click shows the whole cell. */
static unsigned table_click(struct view *vv, struct app *a, int y, int x, int twice)
{
    struct table_view *v = (struct table_view *)vv;
    if (!schema_of(v))
        return UR_NONE;
    size_t k = column_at(v, x);
    if (y < HEADER_LINES) {
        if (k == SIZE_MAX)
            return UR_NONE;
        if (k != v->col) {
            v->col = k;
            return UR_HANDLED | UR_REDRAW;
        }
        const char *name = field_at(v, v->vis[k])->name;
        return table_key(vv, a, 0, sorted_ascending_by(v, name) ? ACT_SORT_DESC : ACT_SORT_ASC);
    }
    int64_t pos = v->top + (y - HEADER_LINES), n = table_size(v);
    if (n >= 0 && pos >= n)
        return UR_NONE;
    v->cur = pos;
    if (k != SIZE_MAX)
        v->col = k;
    table_clamp_rows(v);
    v->follow = v->is_static != 1 && n > 0 && v->cur == n - 1;
    if (twice)
        return table_key(vv, a, UI_KEY_ENTER, ACT_OPEN);
    return UR_HANDLED | UR_REDRAW | UR_STATUS;
}

/* The wheel: the rows move under a cursor that keeps its place on screen. */
static unsigned table_wheel(struct view *vv, struct app *a, int delta)
{
    struct table_view *v = (struct table_view *)vv;
    (void)a;
    int64_t n = table_size(v), page = v->page > 0 ? v->page : 1;
    int64_t top = v->top + delta, max_top = n > page ? n - page : 0;
    if (top > max_top)
        top = max_top;
    if (top < 0)
        top = 0;
    v->cur += top - v->top;
    v->top = top;
    table_clamp_rows(v);
    return UR_HANDLED | UR_REDRAW | UR_STATUS;
}

/* The pager, and the pager of a partitioned table's keys (more keys). */
#define TABLE_VIEW_OPS(km)                                                                         \
    {                                                                                              \
        .name = "pager", .click = table_click, .on_wheel = table_wheel, .keymap = (km),            \
        .draw = table_draw, .key = table_key, .on_event = table_event, .on_tick = table_tick,      \
        .next_tick = table_next_tick, .title = table_title, .destroy = table_destroy,              \
    }
static const struct view_ops table_ops = TABLE_VIEW_OPS(&keymap_pager);
static const struct view_ops partition_ops = TABLE_VIEW_OPS(&keymap_partition);

/* The pager. */
struct view *view_table_new(struct app *a, const char *name, const char *type,
                            const struct dh_source *src, struct dh_table_info *info, int forget)
{
    (void)a;
    struct table_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.ops = &table_ops;
    ui_copy(v->name, sizeof v->name, name);
    ui_copy(v->type, sizeof v->type, type);
    v->source = v->origin = *src;
    v->origin_forget = forget;
    dh_schema_init(&v->info_schema);
    dh_view_ops_init(&v->ops);
    dh_view_ops_init(&v->pending);
    v->size = -1;
    v->is_static = -1;
    v->local_time = a->opt->local_time;
    const char *prefetch = getenv("DHTUI_PREFETCH");
    v->prefetch = !prefetch || strcmp(prefetch, "0") != 0;
    if (info) {
        v->info_schema = info->schema;
        dh_schema_init(&info->schema); /* moved: the event no longer owns it */
        v->size = info->size;
        v->is_static = info->is_static;
    }
    v->origin_size = v->size;
    v->origin_static = v->is_static;
    return &v->base;
}

void view_table_set_partition(struct view *vv, const struct dh_source *pt, int forget_pt,
                              struct dh_partitioned *desc)
{
    struct table_view *v = (struct table_view *)vv;
    v->base.ops = &partition_ops;
    v->part = desc;
    v->part_source = *pt;
    v->part_forget = forget_pt;
    v->reopen = PART_REOPEN_KEYS;
    v->reopen_epoch = v->origin.epoch;
}

void view_table_set_constituent(struct view *vv, const struct dh_source *pt, int unique,
                                struct dh_view_ops *key_of)
{
    struct table_view *v = (struct table_view *)vv;
    v->part_source = *pt; /* the key pager forgets it */
    v->part_key = *key_of;
    dh_view_ops_init(key_of);
    v->part_unique = unique;
    v->reopen = PART_REOPEN_KEY;
    v->reopen_epoch = v->origin.epoch;
}

void view_table_set_merged(struct view *vv, const struct dh_source *pt)
{
    struct table_view *v = (struct table_view *)vv;
    v->part_source = *pt; /* the key pager forgets it */
    v->reopen = PART_REOPEN_MERGED;
    v->reopen_epoch = v->origin.epoch;
}

int table_row_text(const struct table_view *v, int64_t pos, const char *column, char *buf, size_t n)
{
    const struct dh_schema *s = schema_of((struct table_view *)v);
    if (!s || !have_row(v, pos))
        return -1;
    for (size_t f = 0; f < dh_rows_n_columns(v->rows); f++) {
        if (strcmp(dh_rows_field(v->rows, f)->name, column) == 0) {
            cell_text(dh_rows_column(v->rows, f), pos - v->rows->first, v->local_time, buf, n);
            return 0;
        }
    }
    return -1;
}

/* ---- schema list ---- */

struct schema_line {
    char name[128];
    char label[64];
    char arrow[64];
    char dh_type[128];
    int hidden; /* 1: a style column; 2: a column dhtui does not decode */
};

struct schema_view {
    struct view base;
    char name[128];
    struct schema_line *lines;
    size_t n;
    size_t cursor, top, page;
};

/* The Arrow type, spelled out for the schema list. */
static void arrow_type(const struct dh_field *f, char *buf, size_t n)
{
    switch (f->type) {
    case DH_TYPE_INT: snprintf(buf, n, "%s%d", f->is_signed ? "int" : "uint", f->bit_width); break;
    case DH_TYPE_FLOAT: snprintf(buf, n, "float%d", f->bit_width); break;
    case DH_TYPE_DECIMAL:
        snprintf(buf, n, "decimal%d(%d, %d)", f->bit_width, f->precision, f->scale);
        break;
    default: snprintf(buf, n, "%s", f->type_name[0] ? f->type_name : "?"); break;
    }
}

/* One row per column: name, label, Arrow type, deephaven:type. */
static void schema_draw(struct view *vv, struct app *a, WINDOW *w)
{
    struct schema_view *v = (struct schema_view *)vv;
    (void)a;
    int cols = getmaxx(w), lines = getmaxy(w);
    v->page = lines > 1 ? (size_t)(lines - 1) : 1;
    attr_t h = draw_attr(DR_HEADER);
    int wn = cols / 3, wl = 14, wa = 18;
    int wd = cols - 6 - wn - wl - wa - 8;
    draw_str(w, 0, 1, 4, h, "#", DT_RIGHT);
    draw_str(w, 0, 7, wn, h, "COLUMN", 0);
    draw_str(w, 0, 7 + wn + 2, wl, h, "TYPE", 0);
    draw_str(w, 0, 7 + wn + wl + 4, wa, h, "ARROW", 0);
    draw_str(w, 0, 7 + wn + wl + wa + 6, wd, h, "DEEPHAVEN:TYPE", DT_ELLIPSIS);
    view_list_scroll(v->n, v->page, v->cursor, &v->top);
    for (size_t r = 0; r < v->page && v->top + r < v->n; r++) {
        size_t i = v->top + r;
        const struct schema_line *l = &v->lines[i];
        int y = (int)r + 1;
        int sel = i == v->cursor;
        attr_t base = sel ? draw_attr(DR_CURSOR) : (l->hidden ? draw_attr(DR_DIM) : A_NORMAL);
        if (sel)
            draw_fill(w, y, 0, cols, base);
        draw_fmt(w, y, 1, 4, sel ? base : draw_attr(DR_POSITION), DT_RIGHT, "%zu", i + 1);
        char nm[160];
        snprintf(nm, sizeof nm, "%s%s", l->name,
                 l->hidden == 1 ? " (hidden)"
                 : l->hidden    ? " (not shown by dhtui)"
                                : "");
        draw_str(w, y, 7, wn, base, nm, DT_ELLIPSIS);
        draw_str(w, y, 7 + wn + 2, wl, base, l->label, DT_ELLIPSIS);
        draw_str(w, y, 7 + wn + wl + 4, wa, base, l->arrow, DT_ELLIPSIS);
        draw_str(w, y, 7 + wn + wl + wa + 6, wd, base, l->dh_type, DT_ELLIPSIS);
    }
}

/* Movement and back. */
static unsigned schema_key(struct view *vv, struct app *a, int key, enum ui_action act)
{
    struct schema_view *v = (struct schema_view *)vv;
    (void)a;
    (void)key;
    if (view_list_move(act, v->n, v->page, &v->cursor))
        return UR_HANDLED | UR_REDRAW;
    if (act == ACT_BACK)
        return UR_HANDLED | UR_CLOSE;
    return UR_NONE;
}

/* Table name and column count. */
static void schema_title(struct view *vv, struct app *a, char *left, size_t nl, char *right,
                         size_t nr)
{
    struct schema_view *v = (struct schema_view *)vv;
    (void)a;
    snprintf(left, nl, "%s: schema", v->name);
    snprintf(right, nr, "%zu column%s", v->n, v->n == 1 ? "" : "s");
}

/* Free the schema list. */
static void schema_destroy(struct view *vv, struct app *a)
{
    struct schema_view *v = (struct schema_view *)vv;
    (void)a;
    free(v->lines);
    free(v);
}

static const struct view_ops schema_ops = {
    .name = "schema",
    .keymap = &keymap_schema,
    .draw = schema_draw,
    .key = schema_key,
    .title = schema_title,
    .destroy = schema_destroy,
};

/* The schema list (a copy of what it shows). */
struct view *view_schema_new(struct app *a, const char *name, const struct dh_schema *schema)
{
    (void)a;
    struct schema_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.ops = &schema_ops;
    ui_copy(v->name, sizeof v->name, name);
    v->lines = calloc(schema->n_fields ? schema->n_fields : 1, sizeof *v->lines);
    if (!v->lines) {
        free(v);
        return NULL;
    }
    v->n = schema->n_fields;
    for (size_t i = 0; i < v->n; i++) {
        const struct dh_field *f = &schema->fields[i];
        struct schema_line *l = &v->lines[i];
        ui_copy(l->name, sizeof l->name, f->name);
        dh_format_type_label(f, l->label, sizeof l->label);
        arrow_type(f, l->arrow, sizeof l->arrow);
        ui_copy(l->dh_type, sizeof l->dh_type, f->dh_type ? f->dh_type : "");
        l->hidden = f->hidden ? 1 : dh_field_decodable(f) ? 0 : 2; /* 2: values not decoded */
    }
    return &v->base;
}
