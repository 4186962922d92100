/* SPDX-License-Identifier: MIT */
/* view_figure: a Deephaven figure as text: its title, each chart with its
 * series (plot style, X and Y columns, the table they come from) and the
 * server's figure errors. Enter on a series opens its table in the pager.
 * The figure's table references are released when the view closes. */
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "view.h"

/* One line of the figure view. */
enum fig_line_kind { FL_TEXT, FL_CHART, FL_HEADER, FL_SERIES, FL_ERROR_HEAD, FL_ERROR };

struct fig_line {
    enum fig_line_kind kind;
    size_t chart, series, index; /* index: error number for FL_ERROR */
};

struct figure_view {
    struct view base;
    char name[128];
    struct dh_figure *fig;
    struct dh_ticket export_ticket;
    int has_export;
    struct fig_line *lines;
    size_t n;
    size_t cursor; /* a line index (always a series line when there is one) */
    size_t top, page;
};

static const char *style_name(int s)
{
    static const char *const names[] = {"bar",  "stacked bar", "line",      "area",
                                        "stacked area", "pie", "histogram", "ohlc",
                                        "scatter", "step", "error bar", "treemap"};
    if (s >= 0 && (size_t)s < sizeof names / sizeof names[0])
        return names[s];
    return "?";
}

static const char *chart_type_name(int t)
{
    static const char *const names[] = {"XY",       "pie",         "OHLC",   "category",
                                        "XYZ",      "category 3D", "treemap"};
    if (t >= 0 && (size_t)t < sizeof names / sizeof names[0])
        return names[t];
    return "?";
}

static void add(struct figure_view *v, enum fig_line_kind k, size_t chart, size_t series,
                size_t index)
{
    v->lines[v->n].kind = k;
    v->lines[v->n].chart = chart;
    v->lines[v->n].series = series;
    v->lines[v->n].index = index;
    v->n++;
}

/* Lay the figure out as lines. */
static int build(struct figure_view *v)
{
    const struct dh_figure *f = v->fig;
    size_t n = 2 + f->n_errors + 2;
    for (size_t c = 0; c < f->n_charts; c++)
        n += 3 + f->charts[c].n_series;
    v->lines = calloc(n, sizeof *v->lines);
    if (!v->lines)
        return -1;
    for (size_t c = 0; c < f->n_charts; c++) {
        add(v, FL_CHART, c, 0, 0);
        add(v, FL_HEADER, c, 0, 0);
        for (size_t s = 0; s < f->charts[c].n_series; s++)
            add(v, FL_SERIES, c, s, 0);
        add(v, FL_TEXT, 0, 0, 0);
    }
    if (f->n_charts == 0)
        add(v, FL_TEXT, 1, 0, 0);
    if (f->n_errors) {
        add(v, FL_ERROR_HEAD, 0, 0, 0);
        for (size_t e = 0; e < f->n_errors; e++)
            add(v, FL_ERROR, 0, 0, e);
    }
    v->cursor = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (v->lines[i].kind == FL_SERIES) {
            v->cursor = i;
            break;
        }
    }
    return 0;
}

static void figure_draw(struct view *vv, struct app *a, WINDOW *w)
{
    struct figure_view *v = (struct figure_view *)vv;
    (void)a;
    int cols = getmaxx(w), lines = getmaxy(w);
    const struct dh_figure *f = v->fig;
    draw_str(w, 0, 1, cols - 2, A_BOLD, f->title && f->title[0] ? f->title : "(untitled figure)",
             DT_ELLIPSIS);
    if (f->update_interval_ms > 0)
        draw_fmt(w, 0, cols / 2, cols - cols / 2 - 1, draw_attr(DR_DIM), DT_RIGHT,
                 "updates every %lld ms", (long long)f->update_interval_ms);
    v->page = lines > 2 ? (size_t)(lines - 2) : 1;
    view_list_scroll(v->n, v->page, v->cursor, &v->top);
    int wname = cols / 4, wstyle = 12, wx = cols / 5, wy = cols / 5;
    for (size_t r = 0; r < v->page && v->top + r < v->n; r++) {
        const struct fig_line *l = &v->lines[v->top + r];
        int y = (int)r + 2;
        const struct dh_figure_chart *ch = l->chart < f->n_charts ? &f->charts[l->chart] : NULL;
        switch (l->kind) {
        case FL_CHART:
            draw_fmt(w, y, 1, cols - 2, draw_attr(DR_HEADER), DT_ELLIPSIS, "Chart %zu: %s (%s)",
                     l->chart + 1, ch && ch->title && ch->title[0] ? ch->title : "untitled",
                     chart_type_name(ch ? ch->chart_type : -1));
            break;
        case FL_HEADER: {
            attr_t h = draw_attr(DR_HEADER_TYPE);
            int x = 3;
            draw_str(w, y, x, wname, h, "SERIES", 0);
            x += wname + 2;
            draw_str(w, y, x, wstyle, h, "STYLE", 0);
            x += wstyle + 2;
            draw_str(w, y, x, wx, h, "X", 0);
            x += wx + 2;
            draw_str(w, y, x, wy, h, "Y", 0);
            x += wy + 2;
            draw_str(w, y, x, cols - x, h, "TABLE", 0);
            break;
        }
        case FL_SERIES: {
            const struct dh_figure_series *s = &ch->series[l->series];
            int sel = v->top + r == v->cursor;
            attr_t base = sel ? draw_attr(DR_CURSOR) : A_NORMAL;
            if (sel)
                draw_fill(w, y, 0, cols, base);
            int x = 3;
            draw_str(w, y, x, wname, base | A_BOLD, s->name[0] ? s->name : "(unnamed)",
                     DT_ELLIPSIS);
            x += wname + 2;
            draw_str(w, y, x, wstyle, base, style_name(s->plot_style), 0);
            x += wstyle + 2;
            draw_str(w, y, x, wx, base, s->x_column[0] ? s->x_column : "-", DT_ELLIPSIS);
            x += wx + 2;
            draw_str(w, y, x, wy, base, s->y_column[0] ? s->y_column : "-", DT_ELLIPSIS);
            x += wy + 2;
            if (s->table_index >= 0)
                draw_fmt(w, y, x, cols - x, base, DT_ELLIPSIS, "table %d", s->table_index + 1);
            else
                draw_str(w, y, x, cols - x, sel ? base : draw_attr(DR_DIM), "none", 0);
            break;
        }
        case FL_ERROR_HEAD:
            draw_fmt(w, y, 1, cols - 2, draw_attr(DR_BAD), 0, "Errors (%zu)", f->n_errors);
            break;
        case FL_ERROR:
            draw_str(w, y, 3, cols - 4, draw_attr(DR_BAD), f->errors[l->index], DT_ELLIPSIS);
            break;
        case FL_TEXT:
        default:
            if (l->chart == 1)
                draw_str(w, y, 1, cols - 2, draw_attr(DR_DIM), "This figure has no charts.", 0);
            break;
        }
    }
}

/* Move the cursor to the next/previous series line. */
static void move_series(struct figure_view *v, enum ui_action act)
{
    size_t c = v->cursor;
    if (act == ACT_TOP || act == ACT_BOTTOM) {
        int fwd = act == ACT_TOP;
        for (size_t k = 0; k < v->n; k++) {
            size_t i = fwd ? k : v->n - 1 - k;
            if (v->lines[i].kind == FL_SERIES) {
                v->cursor = i;
                return;
            }
        }
        return;
    }
    int steps = (act == ACT_PAGE_UP || act == ACT_PAGE_DOWN) ? (int)(v->page ? v->page : 1) : 1;
    int down = act == ACT_DOWN || act == ACT_PAGE_DOWN;
    for (int s = 0; s < steps; s++) {
        size_t i = c;
        for (;;) {
            if (down ? i + 1 >= v->n : i == 0)
                break;
            i = down ? i + 1 : i - 1;
            if (v->lines[i].kind == FL_SERIES) {
                c = i;
                break;
            }
        }
    }
    v->cursor = c;
    /* Show the chart heading above the first series too. */
    if (!down && v->top > 0 && v->cursor < v->top + 2)
        v->top = v->cursor >= 2 ? v->cursor - 2 : 0;
}

static unsigned figure_key(struct view *vv, struct app *a, int key, enum ui_action act)
{
    struct figure_view *v = (struct figure_view *)vv;
    (void)key;
    switch (act) {
    case ACT_UP: case ACT_DOWN: case ACT_PAGE_UP: case ACT_PAGE_DOWN: case ACT_TOP:
    case ACT_BOTTOM:
        move_series(v, act);
        return UR_HANDLED | UR_REDRAW;
    case ACT_OPEN: {
        if (v->cursor >= v->n || v->lines[v->cursor].kind != FL_SERIES)
            return UR_HANDLED;
        const struct fig_line *l = &v->lines[v->cursor];
        const struct dh_figure_series *s = &v->fig->charts[l->chart].series[l->series];
        if (s->table_index < 0 || (size_t)s->table_index >= v->fig->n_tables) {
            app_message(a, APP_WARN, "Series %s has no table to open.", s->name);
            return UR_HANDLED | UR_STATUS;
        }
        char title[256];
        snprintf(title, sizeof title, "%s: table %d", v->name, s->table_index + 1);
        app_push(a, view_table_new(a, title, "Table", &v->fig->tables[s->table_index], NULL, 0));
        return UR_HANDLED;
    }
    case ACT_PUBLISH: {
        if (!v->has_export)
            return UR_HANDLED;
        struct dh_object o = {v->name, "Figure", "", "", "", v->export_ticket};
        app_publish(a, &o);
        return UR_HANDLED | UR_STATUS;
    }
    default:
        return UR_NONE;
    }
}

static void figure_title(struct view *vv, struct app *a, char *left, size_t nl, char *right,
                         size_t nr)
{
    struct figure_view *v = (struct figure_view *)vv;
    (void)a;
    snprintf(left, nl, "%s (Figure)", v->name);
    size_t series = 0;
    for (size_t c = 0; c < v->fig->n_charts; c++)
        series += v->fig->charts[c].n_series;
    snprintf(right, nr, "%zu chart%s  %zu series  %zu table%s  %zu error%s", v->fig->n_charts,
             v->fig->n_charts == 1 ? "" : "s", series, v->fig->n_tables,
             v->fig->n_tables == 1 ? "" : "s", v->fig->n_errors, v->fig->n_errors == 1 ? "" : "s");
}

static void figure_destroy(struct view *vv, struct app *a)
{
    struct figure_view *v = (struct figure_view *)vv;
    /* The server exported each referenced table into our session: give them back. */
    for (size_t i = 0; i < v->fig->n_tables; i++)
        dh_client_forget(a->client, &v->fig->tables[i]);
    for (size_t i = 0; i < v->fig->n_other_refs; i++)
        dh_client_forget(a->client, &v->fig->other_refs[i]);
    if (v->has_export)
        dh_client_forget(a->client, &v->export_ticket);
    dh_figure_free(v->fig);
    free(v->lines);
    free(v);
}

static const struct view_ops figure_ops = {
    .name = "figure",
    .keymap = &keymap_figure,
    .draw = figure_draw,
    .key = figure_key,
    .title = figure_title,
    .destroy = figure_destroy,
};

struct view *view_figure_new(struct app *a, const char *name, struct dh_figure *fig,
                             const struct dh_ticket *export_ticket)
{
    (void)a;
    if (!fig)
        return NULL;
    struct figure_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.ops = &figure_ops;
    ui_copy(v->name, sizeof v->name, name);
    v->fig = fig;
    if (export_ticket && export_ticket->len) {
        v->export_ticket = *export_ticket;
        v->has_export = 1;
    }
    if (build(v) != 0) {
        free(v);
        return NULL;
    }
    return &v->base;
}
