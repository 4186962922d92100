/* SPDX-License-Identifier: MIT */
/* view_figure: a Deephaven figure as text: its title, each chart with its
 * series (plot style, X and Y columns, the table they come from) and the
 * server's figure errors, and below them the plot of the selected series'
 * chart: every series drawn with braille dots in its own colour, with a
 * legend (a first window of each table's rows; a plot_by series is one
 * series per key of its merged partitioned table, named "name: key" as
 * upstream's JsMultiSeries names them). Enter on a series opens its table
 * (a plot_by series: the merged table) in the pager. The figure's table references are released
 * when the view closes. Opened from a durable ticket (scope, application,
 * shared), the figure is fetched again after a session renewal, as table
 * views resolve their source again: its table references were exports of the
 * old session. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dh_arrow.h"
#include "dh_express.h"
#include "dh_format.h"
#include "draw.h"
#include "view.h"

/* Rows of a series' table that the plot reads (one window, never the whole table). */
enum { PLOT_MAX_ROWS = 10000, PLOT_MIN_LINES = 6, PLOT_MAX_TRACES = 64, PLOT_COLOURS = 6 };

/* One drawn series: a series of the chart, or one key of a plot_by series. */
struct trace {
    char name[160];
    int style;     /* SeriesPlotStyle */
    size_t series; /* the chart's series it comes from */
    double *x, *y;
    size_t n, cap;
};

/* The plotted chart: its traces, read one series (one rows request) at a time. */
struct plot {
    size_t want_line; /* the series line whose chart should be plotted */
    size_t chart;     /* the chart the traces are for ((size_t)-1: none) */
    size_t next;      /* the chart's next series to read */
    size_t loading;   /* the series the pending request is for */
    uint64_t req;     /* pending rows request */
    struct trace *tr;
    size_t n_tr;
    size_t dropped_keys; /* plot_by keys beyond PLOT_MAX_TRACES */
    int64_t table_size;  /* the largest table read (for the "first N rows" note) */
    double xmin_seen, xmax_seen;
    char x_first[64], x_last[64]; /* the X cells of the smallest and largest X */
    char err[256];
};

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
    uint64_t epoch;          /* the session epoch of export_ticket and fig's table tickets */
    struct dh_ticket source; /* what was opened (len 0: unknown) */
    int durable;             /* source can be fetched again in a new session */
    uint64_t refetch_req;    /* fetching the figure again, 0 if not */
    uint64_t refetch_epoch;  /* the epoch the last fetch-again was for */
    /* A plot-express figure is followed while on screen (dh_client_watch_figure):
     * each change the plugin sends replaces fig. */
    uint64_t watch_req;   /* the watch, 0 if none */
    int watched;          /* fig's tables are the watch's (never forgotten here) */
    int stale;            /* ... and that watch ended: wait for the next one's figure */
    uint64_t watch_epoch; /* the epoch a watch last ended in (not restarted in it) */
    struct fig_line *lines;
    size_t n;
    size_t cursor; /* a line index (always a series line when there is one) */
    size_t top, page;
    struct plot plot;
};

/* SeriesPlotStyle names (console.proto order). */
static const char *style_name(int s)
{
    static const char *const names[] = {"bar",          "stacked bar", "line",      "area",
                                        "stacked area", "pie",         "histogram", "ohlc",
                                        "scatter",      "step",        "error bar", "treemap"};
    if (s >= 0 && (size_t)s < sizeof names / sizeof names[0])
        return names[s];
    return "?";
}

/* ChartType names (console.proto order). */
static const char *chart_type_name(int t)
{
    static const char *const names[] = {"XY",  "pie",         "OHLC",   "category",
                                        "XYZ", "category 3D", "treemap"};
    if (t >= 0 && (size_t)t < sizeof names / sizeof names[0])
        return names[t];
    return "?";
}

/* Append a line (capacity counted by build). */
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

/* ---- plot data ---- */

/* 1 if cell i of c can be a point: in range, valid, and an integer, a single
 * or double float, a timestamp or a date (not a bool, a duration or a half). */
static int cell_plottable(const struct dh_column_view *c, int64_t i)
{
    if (!c || !c->field || !c->values || i < 0 || i >= c->length)
        return 0;
    if (c->validity && !(c->validity[i / 8] & (1u << (i % 8))))
        return 0;
    int w = c->value_width;
    switch (c->field->type) {
    case DH_TYPE_INT: return w == 1 || w == 2 || w == 4 || w == 8;
    case DH_TYPE_FLOAT: return w == 4 || w == 8;
    case DH_TYPE_TIMESTAMP:
    case DH_TYPE_DATE: return 1;
    default: return 0;
    }
}

/* The value of a numeric, time or date cell as a double; 0 for nulls
 * (Arrow validity, or Deephaven's null sentinels whether or not the batch
 * marks them) and other types. */
static int cell_number(const struct dh_column_view *c, int64_t i, double *out)
{
    if (!cell_plottable(c, i))
        return 0;
    if (c->field->type == DH_TYPE_FLOAT) {
        double d = dh_column_get_f64(c, i);
        double sentinel = c->value_width == 8 ? -DBL_MAX : (double)-FLT_MAX;
        if (d == sentinel || isnan(d) || isinf(d))
            return 0;
        *out = d;
        return 1;
    }
    if (c->field->type == DH_TYPE_INT && !c->field->is_signed) {
        *out = (double)dh_column_get_u64(c, i);
        return 1;
    }
    /* Signed integers, timestamps and dates: the width's minimum is null. */
    int64_t v = dh_column_get_i64(c, i);
    int64_t min = c->value_width == 8 ? INT64_MIN : -((int64_t)1 << (8 * c->value_width - 1));
    if (v == min)
        return 0;
    *out = (double)v;
    return 1;
}

/* Drop the plotted traces. */
static void plot_clear(struct plot *p)
{
    for (size_t i = 0; i < p->n_tr; i++) {
        free(p->tr[i].x);
        free(p->tr[i].y);
    }
    free(p->tr);
    p->tr = NULL;
    p->n_tr = 0;
    p->dropped_keys = 0;
    p->table_size = 0;
    p->x_first[0] = p->x_last[0] = '\0';
    p->err[0] = '\0';
}

/* Forget the chart: the next tick reads it again from its first series. */
static void plot_restart(struct plot *p)
{
    plot_clear(p);
    p->chart = (size_t)-1;
    p->next = 0;
}

/* The column of rows named name, or NULL. */
static const struct dh_column_view *find_column(const struct dh_rows *r, const char *name)
{
    if (!name || !name[0])
        return NULL;
    for (size_t i = 0; i < r->schema.n_fields && i < r->batch.n_columns; i++) {
        if (r->schema.fields[i].name && strcmp(r->schema.fields[i].name, name) == 0)
            return &r->batch.columns[i];
    }
    return NULL;
}

/* A new trace named name, or NULL (too many traces, or out of memory). */
static struct trace *trace_add(struct plot *p, const char *name, int style, size_t series)
{
    if (p->n_tr >= PLOT_MAX_TRACES)
        return NULL;
    struct trace *t = realloc(p->tr, (p->n_tr + 1) * sizeof *t);
    if (!t)
        return NULL;
    p->tr = t;
    t = &p->tr[p->n_tr++];
    memset(t, 0, sizeof *t);
    ui_copy(t->name, sizeof t->name, name);
    t->style = style;
    t->series = series;
    return t;
}

/* Append a point. -1 when out of memory. */
static int trace_push(struct trace *t, double x, double y)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        double *nx = realloc(t->x, cap * sizeof *nx);
        if (nx)
            t->x = nx;
        double *ny = nx ? realloc(t->y, cap * sizeof *ny) : NULL;
        if (!ny)
            return -1;
        t->y = ny;
        t->cap = cap;
    }
    t->x[t->n] = x;
    t->y[t->n] = y;
    t->n++;
    return 0;
}

/* The key of row i of a plot_by table: its key cells as text, joined with
 * "," (an array key as upstream's web client prints one). */
static void row_key(const struct dh_rows *r, const struct dh_figure_partitioned *pt,
                    const struct dh_format_opts *o, int64_t i, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t k = 0; k < pt->n_keys && len + 1 < n; k++) {
        const struct dh_column_view *c = find_column(r, pt->keys[k]);
        if (k > 0)
            out[len++] = ',';
        out[len] = '\0';
        if (c)
            dh_format_cell(c, i, o, out + len, n - len);
        len = strlen(out);
    }
}

/* The trace of series s for key (its name "series: key"), made on first use;
 * NULL past PLOT_MAX_TRACES (counted in dropped_keys) or out of memory. */
static struct trace *key_trace(struct plot *p, const struct dh_figure_series *s, size_t series,
                               size_t first, const char *key)
{
    char name[160];
    snprintf(name, sizeof name, "%s: %s", s->name, key);
    for (size_t i = first; i < p->n_tr; i++)
        if (strcmp(p->tr[i].name, name) == 0)
            return &p->tr[i];
    struct trace *t = trace_add(p, name, s->plot_style, series);
    if (!t)
        p->dropped_keys++;
    return t;
}

/* Note where X is smallest and largest over every trace, as cell text. */
static void note_x_range(struct plot *p, const struct dh_column_view *xc, int64_t i, double xv,
                         const struct dh_format_opts *o)
{
    int first = p->x_first[0] == '\0';
    if (first || xv < p->xmin_seen) {
        p->xmin_seen = xv;
        if (xc)
            dh_format_cell(xc, i, o, p->x_first, sizeof p->x_first);
        else
            snprintf(p->x_first, sizeof p->x_first, "row %lld", (long long)i + 1);
    }
    if (first || xv > p->xmax_seen) {
        p->xmax_seen = xv;
        if (xc)
            dh_format_cell(xc, i, o, p->x_last, sizeof p->x_last);
        else
            snprintf(p->x_last, sizeof p->x_last, "row %lld", (long long)i + 1);
    }
}

/* Turn a window of rows of series `series` into traces: one, or one per key
 * of a plot_by series. */
static void plot_take(struct figure_view *v, size_t series, const struct dh_rows *r)
{
    struct plot *p = &v->plot;
    const struct dh_figure_series *s = &v->fig->charts[p->chart].series[series];
    const struct dh_figure_partitioned *pt =
        s->partitioned_index >= 0 ? &v->fig->partitioned[s->partitioned_index] : NULL;
    const struct dh_column_view *xc = find_column(r, s->x_column);
    const struct dh_column_view *yc = find_column(r, s->y_column);
    if (r->table_size > p->table_size)
        p->table_size = r->table_size;
    if (!yc) {
        snprintf(p->err, sizeof p->err, "The table of %s has no column '%s' to plot.", s->name,
                 s->y_column);
        return;
    }
    int64_t n = r->batch.length > 0 ? r->batch.length : 0;
    double probe;
    int x_is_index = !xc || (n > 0 && !cell_number(xc, 0, &probe) && !cell_number(xc, 1, &probe));
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    size_t first = p->n_tr;
    struct trace *one =
        pt ? NULL : trace_add(p, s->name[0] ? s->name : "(unnamed)", s->plot_style, series);
    if (!pt && !one)
        return;
    for (int64_t i = 0; i < n; i++) {
        double xv = (double)i, yv;
        if (!cell_number(yc, i, &yv) || (!x_is_index && !cell_number(xc, i, &xv)))
            continue;
        struct trace *t = one;
        if (pt) {
            char key[128];
            row_key(r, pt, &o, i, key, sizeof key);
            t = key_trace(p, s, series, first, key);
        }
        if (!t)
            continue;
        if (trace_push(t, xv, yv) != 0) {
            snprintf(p->err, sizeof p->err, "Out of memory for the plot.");
            return;
        }
        note_x_range(p, x_is_index ? NULL : xc, i, xv, &o);
    }
}

/* ---- plot drawing ---- */

/* A braille canvas: cols x lines cells of 2 x 4 dots. */
struct canvas {
    int cols, lines;
    uint8_t *cells;
};

/* Set one braille dot. */
static void canvas_dot(struct canvas *c, int dx, int dy)
{
    static const uint8_t bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    if (dx < 0 || dy < 0 || dx >= c->cols * 2 || dy >= c->lines * 4)
        return;
    c->cells[(dy / 4) * c->cols + dx / 2] |= bit[dy % 4][dx % 2];
}

/* Bresenham between two dots. */
static void canvas_line(struct canvas *c, int x0, int y0, int x1, int y1)
{
    int dx = abs(x1 - x0), dy = -abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (int guard = 0; guard < 100000; guard++) {
        canvas_dot(c, x0, y0);
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            e += dx;
            y0 += sy;
        }
    }
}

/* The colour role of trace i. */
static enum draw_role trace_role(size_t i)
{
    return (enum draw_role)(DR_SERIES1 + (int)(i % PLOT_COLOURS));
}

/* A braille cell's glyph (U+2800 + bits), or "*" without UTF-8. */
static void braille(uint8_t b, char ch[4])
{
    if (draw_utf8()) {
        ch[0] = (char)0xE2;
        ch[1] = (char)(0xA0 | (b >> 6));
        ch[2] = (char)(0x80 | (b & 0x3F));
        ch[3] = '\0';
    } else {
        ch[0] = '*';
        ch[1] = '\0';
    }
}

/* The extent of every point of every trace. 0 when there is none. */
static int plot_extent(const struct plot *p, double *xmin, double *xmax, double *ymin, double *ymax)
{
    int any = 0;
    for (size_t t = 0; t < p->n_tr; t++) {
        const struct trace *tr = &p->tr[t];
        for (size_t i = 0; i < tr->n; i++) {
            if (!any) {
                *xmin = *xmax = tr->x[i];
                *ymin = *ymax = tr->y[i];
                any = 1;
            }
            *xmin = tr->x[i] < *xmin ? tr->x[i] : *xmin;
            *xmax = tr->x[i] > *xmax ? tr->x[i] : *xmax;
            *ymin = tr->y[i] < *ymin ? tr->y[i] : *ymin;
            *ymax = tr->y[i] > *ymax ? tr->y[i] : *ymax;
        }
    }
    return any;
}

/* Dots of one trace: lines join points except for SCATTER; a BAR is a column
 * from the baseline (0, or the nearest edge when 0 is out of range). */
static void trace_dots(struct canvas *c, const struct trace *tr, double xmin, double xr,
                       double ymax, double yr, int base_dy)
{
    int px = 0, py = 0;
    for (size_t i = 0; i < tr->n; i++) {
        int dx = (int)lround((tr->x[i] - xmin) / xr * (c->cols * 2 - 1));
        int dy = (int)lround((ymax - tr->y[i]) / yr * (c->lines * 4 - 1));
        if (tr->style == 0) /* BAR */
            canvas_line(c, dx, base_dy, dx, dy);
        else if (i > 0 && tr->style != 8) /* every other style but SCATTER joins */
            canvas_line(c, px, py, dx, dy);
        else
            canvas_dot(c, dx, dy);
        px = dx;
        py = dy;
    }
}

/* The legend: each trace's mark and name in its colour, on up to `lines`
 * lines of width cols; what does not fit is counted. */
static void draw_legend(struct figure_view *v, WINDOW *w, int y, int x, int cols, int lines)
{
    struct plot *p = &v->plot;
    char mark[4];
    braille(0xFF, mark);
    int cx = 0, line = 0;
    for (size_t t = 0; t < p->n_tr; t++) {
        const char *name = p->tr[t].name;
        int need = 2 + (int)draw_width(name, strlen(name)) + 2;
        if (cx > 0 && cx + need > cols) {
            cx = 0;
            line++;
        }
        if (line >= lines || (line == lines - 1 && cx + need > cols && t + 1 < p->n_tr)) {
            draw_fmt(w, y + lines - 1, x + (cx < cols - 12 ? cx : cols - 12), 12, draw_attr(DR_DIM),
                     0, "+%zu more", p->n_tr - t);
            return;
        }
        attr_t a = draw_attr(trace_role(t));
        draw_str(w, y + line, x + cx, 1, a, mark, 0);
        cx += 2;
        cx += draw_str(w, y + line, x + cx, cols - cx, a, name, DT_ELLIPSIS) + 2;
    }
}

/* Draw the plot of the selected series' chart in the box (y, x, h, w). */
static void plot_draw(struct figure_view *v, struct app *a, WINDOW *w, int y, int x, int h,
                      int width)
{
    struct plot *p = &v->plot;
    if (p->req && p->err[0]) { /* the client is retrying after a failure */
        draw_fmt(w, y, x, width, draw_attr(DR_WARN), DT_ELLIPSIS, "%s retrying: %s",
                 draw_spinner(a->now_ms), p->err);
        return;
    }
    if (p->req || p->chart == (size_t)-1) {
        draw_fmt(w, y, x, width, draw_attr(DR_DIM), 0, "%s loading the series%s",
                 draw_spinner(a->now_ms), draw_glyph(DG_ELLIPSIS));
        return;
    }
    double xmin = 0, xmax = 0, ymin = 0, ymax = 0;
    if (!plot_extent(p, &xmin, &xmax, &ymin, &ymax)) {
        draw_str(w, y, x, width, p->err[0] ? draw_attr(DR_WARN) : draw_attr(DR_DIM),
                 p->err[0] ? p->err : "(no points)", DT_ELLIPSIS);
        return;
    }
    char top[32], bottom[32];
    snprintf(top, sizeof top, "%.6g", ymax);
    snprintf(bottom, sizeof bottom, "%.6g", ymin);
    int margin = (int)(strlen(top) > strlen(bottom) ? strlen(top) : strlen(bottom)) + 1;
    int legend = p->n_tr > 3 && h >= PLOT_MIN_LINES + 2 ? 2 : 1;
    int pc = width - margin - 1, pl = h - 2 - legend;
    if (pc < 4 || pl < 2)
        return;
    struct canvas c = {pc, pl, calloc((size_t)pc * (size_t)pl, 1)};
    uint8_t *owner = calloc((size_t)pc * (size_t)pl, 1);
    if (!c.cells || !owner) {
        free(c.cells);
        free(owner);
        return;
    }
    double xr = xmax > xmin ? xmax - xmin : 1, yr = ymax > ymin ? ymax - ymin : 1;
    double base = ymin > 0 ? ymin : ymax < 0 ? ymax : 0;
    int base_dy = (int)lround((ymax - base) / yr * (pl * 4 - 1));
    /* One canvas per trace, merged: a cell takes the colour of the last trace
     * that drew in it, and the selected series is drawn last, on top. */
    const struct fig_line *sel = &v->lines[p->want_line];
    for (int pass = 0; pass < 2; pass++) {
        for (size_t t = 0; t < p->n_tr; t++) {
            if ((p->tr[t].series == sel->series) != (pass == 1))
                continue;
            struct canvas one = {pc, pl, calloc((size_t)pc * (size_t)pl, 1)};
            if (!one.cells)
                continue;
            trace_dots(&one, &p->tr[t], xmin, xr, ymax, yr, base_dy);
            for (size_t k = 0; k < (size_t)pc * (size_t)pl; k++) {
                if (!one.cells[k])
                    continue;
                c.cells[k] |= one.cells[k];
                owner[k] = (uint8_t)(t + 1);
            }
            free(one.cells);
        }
    }
    for (int r = 0; r < pl; r++) {
        for (int k = 0; k < pc; k++) {
            uint8_t b = c.cells[r * pc + k];
            if (!b)
                continue;
            char ch[4];
            braille(b, ch);
            attr_t ca = draw_attr(trace_role((size_t)owner[r * pc + k] - 1));
            draw_str(w, y + r, x + margin + 1 + k, 1, ca, ch, 0);
        }
    }
    free(c.cells);
    free(owner);
    attr_t dim = draw_attr(DR_DIM);
    draw_str(w, y, x, margin - 1, dim, top, DT_RIGHT);
    draw_str(w, y + pl - 1, x, margin - 1, dim, bottom, DT_RIGHT);
    wattrset(w, (int)dim);
    mvwvline(w, y, x + margin, ACS_VLINE, pl);
    mvwaddch(w, y + pl, x + margin, ACS_LLCORNER);
    mvwhline(w, y + pl, x + margin + 1, ACS_HLINE, pc);
    wattrset(w, A_NORMAL);
    int lw = draw_str(w, y + pl + 1, x + margin + 1, pc / 2, dim, p->x_first, DT_ELLIPSIS);
    draw_str(w, y + pl + 1, x + margin + 1 + lw, pc - lw, dim, p->x_last, DT_RIGHT | DT_ELLIPSIS);
    draw_legend(v, w, y + pl + 2, x + margin + 1, pc, legend);
    if (p->err[0])
        draw_str(w, y, x + margin + 2, pc - 1, draw_attr(DR_WARN), p->err, DT_RIGHT | DT_ELLIPSIS);
    else if (p->dropped_keys)
        draw_fmt(w, y, x + margin + 2, pc - 1, dim, DT_RIGHT,
                 "more than %d series: the rest not drawn", PLOT_MAX_TRACES);
    else if (p->table_size > (int64_t)PLOT_MAX_ROWS)
        draw_fmt(w, y, x + margin + 2, pc - 1, dim, DT_RIGHT, "first %d of %lld rows",
                 PLOT_MAX_ROWS, (long long)p->table_size);
}

/* A plot_by series' key column names ("Sym", "Sym, Exchange"). */
static const char *by_keys(const struct dh_figure *f, int index)
{
    static char buf[128];
    const struct dh_figure_partitioned *p = &f->partitioned[index];
    buf[0] = '\0';
    for (size_t k = 0; k < p->n_keys; k++) {
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof buf - len, "%s%s", k ? ", " : "", p->keys[k]);
    }
    return p->merged.len ? buf : "(partitioned table not read)";
}

/* Title, series list, and the plot below it. */
static void figure_draw(struct view *vv, struct app *a, WINDOW *w)
{
    struct figure_view *v = (struct figure_view *)vv;
    int cols = getmaxx(w), lines = getmaxy(w);
    const struct dh_figure *f = v->fig;
    draw_str(w, 0, 1, cols - 2, A_BOLD, f->title && f->title[0] ? f->title : "(untitled figure)",
             DT_ELLIPSIS);
    if (f->update_interval_ms > 0)
        draw_fmt(w, 0, cols / 2, cols - cols / 2 - 1, draw_attr(DR_DIM), DT_RIGHT,
                 "updates every %lld ms", (long long)f->update_interval_ms);
    /* The list gets what it needs (up to half), the plot the rest. */
    size_t avail = lines > 2 ? (size_t)(lines - 2) : 1;
    size_t list = v->n < avail ? v->n : avail;
    int plot_h = (int)(avail - list) - 1;
    if (plot_h < PLOT_MIN_LINES && avail >= (size_t)PLOT_MIN_LINES * 2) {
        list = avail - (size_t)PLOT_MIN_LINES - 1;
        plot_h = PLOT_MIN_LINES;
    }
    v->page = list ? list : 1;
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
            else if (s->partitioned_index >= 0)
                draw_fmt(w, y, x, cols - x, base, DT_ELLIPSIS, "by %s",
                         by_keys(f, s->partitioned_index));
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
    if (plot_h >= PLOT_MIN_LINES && v->plot.want_line < v->n)
        plot_draw(v, a, w, 2 + (int)v->page + 1, 2, plot_h, cols - 4);
    else if (v->plot.want_line < v->n && lines > 3)
        /* Never a blank where the plot would be: say why it is not there. */
        draw_fmt(w, lines - 1, 1, cols - 2, draw_attr(DR_WARN), DT_ELLIPSIS,
                 "terminal too small for the plot (it needs %d more lines)",
                 PLOT_MIN_LINES + 1 - (plot_h > 0 ? plot_h + 1 : 0));
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

/* The table a series reads: its table, or a plot_by series' merged table.
 * -1 when it has none. */
static int series_source(const struct figure_view *v, const struct dh_figure_series *s,
                         struct dh_source *out)
{
    const struct dh_figure *f = v->fig;
    if (s->table_index >= 0 && (size_t)s->table_index < f->n_tables) {
        *out = (struct dh_source){f->tables[s->table_index], v->epoch};
        return 0;
    }
    if (s->partitioned_index >= 0 && (size_t)s->partitioned_index < f->n_partitioned &&
        f->partitioned[s->partitioned_index].merged.len) {
        *out = (struct dh_source){f->partitioned[s->partitioned_index].merged, v->epoch};
        return 0;
    }
    return -1;
}

/* Movement over series, open a series' table, publish. */
static unsigned figure_key(struct view *vv, struct app *a, int key, enum ui_action act)
{
    struct figure_view *v = (struct figure_view *)vv;
    (void)key;
    switch (act) {
    case ACT_UP:
    case ACT_DOWN:
    case ACT_PAGE_UP:
    case ACT_PAGE_DOWN:
    case ACT_TOP:
    case ACT_BOTTOM: move_series(v, act); return UR_HANDLED | UR_REDRAW;
    case ACT_OPEN: {
        if (v->cursor >= v->n || v->lines[v->cursor].kind != FL_SERIES)
            return UR_HANDLED;
        const struct fig_line *l = &v->lines[v->cursor];
        const struct dh_figure_series *s = &v->fig->charts[l->chart].series[l->series];
        struct dh_source src;
        char title[256];
        if (series_source(v, s, &src) != 0) {
            app_message(a, APP_WARN, "Series %s has no table to open.", s->name);
            return UR_HANDLED | UR_STATUS;
        }
        if (s->partitioned_index >= 0)
            snprintf(title, sizeof title, "%s: %s merged", v->name, s->name);
        else
            snprintf(title, sizeof title, "%s: table %d", v->name, s->table_index + 1);
        app_push(a, view_table_new(a, title, "Table", &src, NULL, 0));
        return UR_HANDLED;
    }
    case ACT_PUBLISH: {
        if (!v->has_export)
            return UR_HANDLED;
        struct dh_source src = {v->export_ticket, v->epoch};
        app_publish_source(a, v->name, "Figure", &src);
        return UR_HANDLED | UR_STATUS;
    }
    default: return UR_NONE;
    }
}

/* ---- a new session ---- */

/* Whether to fetch the figure again: the session was renewed since it was
 * read, it can be (a durable source), and the new session is up. Once per
 * epoch, so a failure does not repeat. */
static int refetch_due(const struct figure_view *v, struct app *a)
{
    uint64_t epoch = dh_client_epoch(a->client);
    return v->durable && !v->refetch_req && v->epoch != epoch && v->refetch_epoch != epoch &&
           view_on_screen(&v->base, a) && dh_client_conn_state(a->client) == DH_CONN_CONNECTED;
}

static void refetch(struct figure_view *v, struct app *a)
{
    v->refetch_epoch = dh_client_epoch(a->client);
    if (v->plot.req) {
        dh_client_cancel(a->client, v->plot.req);
        v->plot.req = 0;
    }
    v->refetch_req = dh_client_fetch_again(a->client, &v->source);
}

/* Give back the figure's references (exports of its epoch); a followed
 * figure's tables are the watch's, released by the client. */
static void forget_refs(struct figure_view *v, struct app *a)
{
    for (size_t i = 0; !v->watched && i < v->fig->n_tables; i++)
        dh_client_forget(a->client, &(struct dh_source){v->fig->tables[i], v->epoch});
    for (size_t i = 0; i < v->fig->n_other_refs; i++)
        dh_client_forget(a->client, &(struct dh_source){v->fig->other_refs[i], v->epoch});
    for (size_t i = 0; i < v->fig->n_partitioned; i++) {
        const struct dh_figure_partitioned *p = &v->fig->partitioned[i];
        dh_client_forget(a->client, &(struct dh_source){p->ticket, v->epoch});
        if (p->merged.len)
            dh_client_forget(a->client, &(struct dh_source){p->merged, v->epoch});
    }
    if (v->has_export)
        dh_client_forget(a->client, &(struct dh_source){v->export_ticket, v->epoch});
}

/* Show figure f->figure instead of the one shown (ev's result becomes ours:
 * ev->fetched is set to NULL), keeping the selected line when the layout
 * still has it, and plot again. watched: its tables are a watch's. -1 when
 * out of memory (the old figure stays). */
static int replace_figure(struct figure_view *v, struct app *a, struct dh_event *ev, int watched)
{
    struct dh_fetched *f = ev->fetched;
    struct fig_line *old_lines = v->lines;
    size_t old_n = v->n, old_cursor = v->cursor, old_top = v->top;
    struct dh_figure *old_fig = v->fig;
    v->fig = f->figure;
    v->lines = NULL;
    v->n = 0;
    if (build(v) != 0) {
        v->fig = old_fig;
        v->lines = old_lines;
        v->n = old_n;
        return -1; /* the app discards the new figure */
    }
    /* The old references: exports of the old epoch, or of the watch. */
    struct dh_figure *new_fig = v->fig;
    v->fig = old_fig;
    int had_export = v->has_export;
    if (watched)
        v->has_export = 0; /* the figure itself stays ours */
    forget_refs(v, a);
    v->has_export = had_export;
    dh_figure_free(old_fig);
    free(old_lines);
    v->fig = new_fig;
    f->figure = NULL;
    v->watched = watched;
    v->stale = 0;
    if (!watched) {
        v->epoch = f->epoch;
        v->has_export = f->export_ticket.len > 0;
        v->export_ticket = f->export_ticket;
    }
    if (old_n == v->n && old_cursor < v->n && v->lines[old_cursor].kind == FL_SERIES) {
        v->cursor = old_cursor;
        v->top = old_top;
    }
    ev->fetched = NULL; /* all of it is ours now */
    dh_table_info_reset(&f->table);
    free(f);
    plot_restart(&v->plot); /* plot the selected chart from the new tables */
    v->plot.want_line = v->cursor;
    return 0;
}

/* The figure fetched again in the new session: take it. On failure the old
 * figure stays, said so. */
static unsigned take_refetched(struct figure_view *v, struct app *a, struct dh_event *ev)
{
    v->refetch_req = 0;
    struct dh_fetched *f = ev->ok ? ev->fetched : NULL;
    if (!f || f->kind != DH_KIND_FIGURE || !f->figure) {
        app_message(a, APP_ERROR,
                    "%s could not be read again in the new session: %s; the "
                    "figure shown is the last one read",
                    v->name, ev->ok ? "it is no longer a figure" : ev->err.msg);
        return UR_REDRAW | UR_STATUS;
    }
    if (v->watch_req) /* the old session's watch: its stream is gone */
        dh_client_cancel(a->client, v->watch_req);
    v->watch_req = 0;
    if (replace_figure(v, a, ev, 0) != 0)
        app_message(a, APP_ERROR, "Out of memory reading %s again.", v->name);
    return UR_REDRAW | UR_STATUS;
}

/* A plot-express figure on screen follows its changes (upstream's plugin
 * sends the figure again when it changes: DeephavenFigureListener); off
 * screen it does not, and its tables, the watch's, wait for the next watch. */
static void watch_figure(struct figure_view *v, struct app *a)
{
    int on = view_on_screen(&v->base, a);
    if (!on && v->watch_req) {
        dh_client_cancel(a->client, v->watch_req);
        v->watch_req = 0;
        v->stale = v->watched; /* the client releases the watch's tables */
        return;
    }
    uint64_t epoch = dh_client_epoch(a->client);
    if (!on || v->watch_req || !v->fig->is_express || v->refetch_req ||
        v->watch_epoch == v->epoch || (!v->durable && (!v->has_export || v->epoch != epoch)))
        return;
    struct dh_source src = {v->durable ? v->source : v->export_ticket, v->epoch};
    v->watch_req = dh_client_watch_figure(a->client, &src);
}

/* A message of the followed figure: the figure now; or the watch ended. */
static unsigned take_watched(struct figure_view *v, struct app *a, struct dh_event *ev)
{
    struct dh_fetched *f = ev->ok ? ev->fetched : NULL;
    if (!f || f->kind != DH_KIND_FIGURE || !f->figure) {
        v->watch_req = 0;
        v->watch_epoch = v->epoch; /* not again before the figure is read in a new session */
        v->stale = v->watched;
        if (ev->err.code != DH_END)
            app_message(a, APP_WARN, "%s stopped following its changes: %s", v->name, ev->err.msg);
        return UR_REDRAW | UR_STATUS;
    }
    if (replace_figure(v, a, ev, 1) != 0) {
        app_message(a, APP_ERROR, "Out of memory reading a change of %s.", v->name);
        return UR_STATUS;
    }
    return UR_REDRAW | UR_STATUS;
}

/* Read the selected series' chart, one series at a time, when the
 * selection moved to another chart. */
static unsigned figure_tick(struct view *vv, struct app *a, int64_t now)
{
    struct figure_view *v = (struct figure_view *)vv;
    (void)now;
    struct plot *p = &v->plot;
    if (refetch_due(v, a))
        refetch(v, a);
    if (v->refetch_req)
        return UR_NONE; /* the table tickets are the old session's: wait for the new ones */
    watch_figure(v, a);
    if (v->stale)
        return UR_NONE; /* the tables went with the last watch: wait for the next figure */
    if (v->cursor < v->n && v->lines[v->cursor].kind == FL_SERIES)
        p->want_line = v->cursor;
    if (!view_on_screen(&v->base, a) && p->req) {
        /* A view above us may ask for rows and supersede ours: ask again later. */
        dh_client_cancel(a->client, p->req);
        p->req = 0;
        plot_restart(p);
    }
    if (!view_on_screen(&v->base, a) || p->want_line >= v->n)
        return UR_NONE;
    size_t chart = v->lines[p->want_line].chart;
    if (p->chart != chart) {
        if (p->req)
            dh_client_cancel(a->client, p->req);
        p->req = 0;
        plot_restart(p);
        p->chart = chart;
    }
    if (p->req)
        return UR_REDRAW; /* spinner */
    const struct dh_figure_chart *ch = &v->fig->charts[chart];
    for (; p->next < ch->n_series; p->next++) {
        struct dh_source src;
        if (series_source(v, &ch->series[p->next], &src) != 0 || ch->series[p->next].plot_style < 0)
            continue; /* the series list says why (no table; a trace type not drawn) */
        p->loading = p->next++;
        p->req = dh_client_rows(a->client, &src, 0, PLOT_MAX_ROWS);
        return UR_REDRAW;
    }
    return UR_NONE;
}

/* Spinner while the series is loading. */
static int64_t figure_next_tick(struct view *vv, struct app *a, int64_t now)
{
    struct figure_view *v = (struct figure_view *)vv;
    (void)a;
    return v->plot.req ? draw_spinner_wait(now) : -1;
}

/* The series' rows arrived. */
static unsigned figure_event(struct view *vv, struct app *a, struct dh_event *ev)
{
    struct figure_view *v = (struct figure_view *)vv;
    struct plot *p = &v->plot;
    if (ev->kind == DH_EV_FETCHED && ev->req && ev->req == v->refetch_req)
        return take_refetched(v, a, ev);
    if (ev->kind == DH_EV_FIGURE && ev->req && ev->req == v->watch_req)
        return take_watched(v, a, ev);
    if (ev->kind != DH_EV_ROWS || !p->req || ev->req != p->req)
        return UR_NONE;
    if (!ev->ok && ev->retrying) { /* still ours: the client tries again after its back-off */
        ui_copy_sentence(p->err, sizeof p->err, ev->err.msg);
        return UR_REDRAW;
    }
    p->req = 0;
    if (!ev->ok || !ev->rows) {
        ui_copy_sentence(p->err, sizeof p->err, ev->err.msg[0] ? ev->err.msg : "no rows came back");
        return UR_REDRAW;
    }
    plot_take(v, p->loading, ev->rows);
    return UR_REDRAW;
}

/* Counts of charts, series, tables and errors. */
static void figure_title(struct view *vv, struct app *a, char *left, size_t nl, char *right,
                         size_t nr)
{
    struct figure_view *v = (struct figure_view *)vv;
    (void)a;
    snprintf(left, nl, "%s (%s)", v->name, v->fig->is_express ? DH_EXPRESS_TYPE : "Figure");
    size_t series = 0;
    for (size_t c = 0; c < v->fig->n_charts; c++)
        series += v->fig->charts[c].n_series;
    /* plot_by series read partitioned tables: count those too, or a figure
     * drawing three lines says it has no tables. */
    char parts[48] = "";
    if (v->fig->n_partitioned)
        snprintf(parts, sizeof parts, "  %zu partitioned", v->fig->n_partitioned);
    size_t tables = 0; /* a followed figure keeps the places of tables it no longer uses */
    for (size_t i = 0; i < v->fig->n_tables; i++)
        tables += v->fig->tables[i].len > 0;
    snprintf(right, nr, "%zu chart%s  %zu series  %zu table%s%s  %zu error%s", v->fig->n_charts,
             v->fig->n_charts == 1 ? "" : "s", series, tables, tables == 1 ? "" : "s", parts,
             v->fig->n_errors, v->fig->n_errors == 1 ? "" : "s");
}

/* Release the figure's references and free it. */
static void figure_destroy(struct view *vv, struct app *a)
{
    struct figure_view *v = (struct figure_view *)vv;
    /* The server exported each referenced table into our session: give them back. */
    forget_refs(v, a);
    if (v->refetch_req)
        dh_client_cancel(a->client, v->refetch_req);
    if (v->watch_req)
        dh_client_cancel(a->client, v->watch_req);
    if (v->plot.req)
        dh_client_cancel(a->client, v->plot.req);
    plot_clear(&v->plot);
    dh_figure_free(v->fig);
    free(v->lines);
    free(v);
}

static const struct view_ops figure_ops = {
    .name = "figure",
    .keymap = &keymap_figure,
    .draw = figure_draw,
    .key = figure_key,
    .on_event = figure_event,
    .on_tick = figure_tick,
    .next_tick = figure_next_tick,
    .title = figure_title,
    .destroy = figure_destroy,
};

/* The figure view (owns fig). */
struct view *view_figure_new(struct app *a, const char *name, struct dh_figure *fig,
                             const struct dh_ticket *export_ticket, uint64_t epoch,
                             const struct dh_ticket *source)
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
    v->epoch = epoch;
    v->refetch_epoch = epoch;
    v->watch_epoch = UINT64_MAX; /* no watch ended yet */
    if (source && source->len) {
        v->source = *source;
        v->durable = dh_source_durable(&(struct dh_source){*source, epoch});
    }
    if (export_ticket && export_ticket->len) {
        v->export_ticket = *export_ticket;
        v->has_export = 1;
    }
    if (build(v) != 0) {
        free(v);
        return NULL;
    }
    v->plot.chart = (size_t)-1;
    v->plot.want_line = v->cursor;
    return &v->base;
}
