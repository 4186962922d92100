/* SPDX-License-Identifier: MIT */
/* encode_figure.c: the payloads of the demo's plugin objects: FigureDescriptor
 * shaped like FigureWidgetTranslator output for plot("Price", t, "Timestamp",
 * "Price") and plotBy("Price by Sym", t, "Timestamp", "Price", "Sym"); the
 * plotly-express plugin's NEW_FIGURE message for px.line(t, x="Timestamp",
 * y="Price", color="Sym"); a partitioned table's PartitionedTableDescriptor. */
#include "catalog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deephaven_core/proto/console.pb-c.h"
#include "encode_arrow.h"

typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor fig_desc;
typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__ChartDescriptor fig_chart;
typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SeriesDescriptor
    fig_series;
typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__AxisDescriptor fig_axis;
typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor
    fig_source;
typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__MultiSeriesDescriptor
    fig_multi;
typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__MultiSeriesSourceDescriptor
    fig_multi_source;

/* An axis as FigureWidgetTranslator writes it: id = type name + axis index, NaN ranges
 * (AxisImpl's defaults: auto range), first X at the bottom, first Y on the left. */
static void init_axis(fig_axis *a, char *id, int is_x, char *label)
{
    io__deephaven__proto__backplane__script__grpc__figure_descriptor__axis_descriptor__init(a);
    a->id = id;
    a->format_type =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__AXIS_DESCRIPTOR__AXIS_FORMAT_TYPE__NUMBER;
    a->type =
        is_x
            ? IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__AXIS_DESCRIPTOR__AXIS_TYPE__X
            : IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__AXIS_DESCRIPTOR__AXIS_TYPE__Y;
    a->position =
        is_x
            ? IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__AXIS_DESCRIPTOR__AXIS_POSITION__BOTTOM
            : IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__AXIS_DESCRIPTOR__AXIS_POSITION__LEFT;
    a->label = label;
    a->min_range = NAN;
    a->max_range = NAN;
    a->is_time_axis = is_x; /* X plots an Instant column */
}

/* A table-backed source (makeSourceDescriptor): no partitioned table (-1). */
static void init_source(fig_source *s, char *axis_id, int is_x, char *column)
{
    io__deephaven__proto__backplane__script__grpc__figure_descriptor__source_descriptor__init(s);
    s->axis_id = axis_id;
    s->type =
        is_x ? IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__X
             : IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__Y;
    s->table_id = 0; /* the first (only) referenced table */
    s->partitioned_table_id = -1;
    s->column_name = column;
}

/* Pack fd into *out. */
static int pack_figure(const fig_desc *fd, uint8_t **out, size_t *len, char *err)
{
    size_t n =
        io__deephaven__proto__backplane__script__grpc__figure_descriptor__get_packed_size(fd);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a figure");
    *len = io__deephaven__proto__backplane__script__grpc__figure_descriptor__pack(fd, buf);
    *out = buf;
    return 0;
}

/* A plot_by source (makePartitionedTableSourceDescriptor). */
static void init_multi_source(fig_multi_source *s, char *axis_id, int is_x, char *column)
{
    io__deephaven__proto__backplane__script__grpc__figure_descriptor__multi_series_source_descriptor__init(
        s);
    s->axis_id = axis_id;
    s->type =
        is_x ? IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__X
             : IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__Y;
    s->partitioned_table_id = 0; /* the first (only) partitioned table reference */
    s->column_name = column;
}

/* plotBy: no series, one multi-series template; the partitioned table is the
 * one reference (typed "PartitionedTable"). */
static int encode_plot_by(uint8_t **out, size_t *len, char *err)
{
    static char x_id[] = "X0", y_id[] = "Y0", x_col[] = "Timestamp", y_col[] = "Price";
    static char title[] = "Price by Sym", name[] = "Price by Sym";
    fig_axis axes[2];
    fig_axis *axis_ptrs[2] = {&axes[0], &axes[1]};
    init_axis(&axes[0], x_id, 1, x_col);
    init_axis(&axes[1], y_id, 0, y_col);
    fig_multi_source sources[2];
    fig_multi_source *source_ptrs[2] = {&sources[0], &sources[1]};
    init_multi_source(&sources[0], x_id, 1, x_col);
    init_multi_source(&sources[1], y_id, 0, y_col);
    fig_multi ms;
    fig_multi *ms_ptr = &ms;
    io__deephaven__proto__backplane__script__grpc__figure_descriptor__multi_series_descriptor__init(
        &ms);
    ms.plot_style =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SERIES_PLOT_STYLE__LINE;
    ms.name = name;
    ms.n_data_sources = 2;
    ms.data_sources = source_ptrs;
    fig_chart chart;
    fig_chart *chart_ptr = &chart;
    io__deephaven__proto__backplane__script__grpc__figure_descriptor__chart_descriptor__init(
        &chart);
    chart.colspan = chart.rowspan = 1;
    chart.n_multi_series = 1;
    chart.multi_series = &ms_ptr;
    chart.n_axes = 2;
    chart.axes = axis_ptrs;
    chart.show_legend = 1;
    fig_desc fd;
    io__deephaven__proto__backplane__script__grpc__figure_descriptor__init(&fd);
    fd.title = title;
    fd.update_interval = 1000;
    fd.cols = fd.rows = 1;
    fd.n_charts = 1;
    fd.charts = &chart_ptr;
    return pack_figure(&fd, out, len, err);
}

/* The plugin's message (DeephavenFigureListener._build_figure_message): a line
 * trace per key. Revision 1 (the first): trace i mapped to reference id i.
 * Revision 2 (a later update, as the plugin sends when the figure changes):
 * trace 0 mapped to a new reference (id n_keys, the message's one exported
 * object), id 0 removed, the other traces on the ids sent before (the
 * Exporter keeps an object's id across messages). */
static int encode_express(size_t n_keys, int revision, uint8_t **out, size_t *len, char *err)
{
    static const char *const names[] = {"AAPL", "GOOG", "MSFT"};
    size_t cap = 1024 + n_keys * 400;
    char *buf = malloc(cap);
    if (!buf)
        return demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a figure");
    size_t o = 0;
    o += (size_t)snprintf(buf + o, cap - o,
                          "{\"type\": \"NEW_FIGURE\", \"figure\": {\"plotly\": {\"data\": [");
    for (size_t i = 0; i < n_keys && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o,
                              "%s{\"type\": \"scatter\", \"mode\": \"lines\", "
                              "\"name\": \"%s\", \"legendgroup\": \"%s\", "
                              "\"x\": [null], \"y\": [null], "
                              "\"xaxis\": \"x\", \"yaxis\": \"y\"}",
                              i ? ", " : "", names[i % 3], names[i % 3]);
    o += (size_t)snprintf(buf + o, cap - o,
                          "], \"layout\": {\"title\": {\"text\": \"Prices by Sym%s\"}, "
                          "\"xaxis\": {\"title\": {\"text\": \"Timestamp\"}}, "
                          "\"yaxis\": {\"title\": {\"text\": \"Price\"}}, "
                          "\"legend\": {\"title\": {\"text\": \"Sym\"}}}}, "
                          "\"deephaven\": {\"mappings\": [",
                          revision > 1 ? " (updated)" : "");
    for (size_t i = 0; i < n_keys && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o,
                              "%s{\"table\": %zu, \"data_columns\": {\"Timestamp\": "
                              "[\"/plotly/data/%zu/x\"], \"Price\": [\"/plotly/data/%zu/y\"]}}",
                              i ? ", " : "", revision > 1 && i == 0 ? n_keys : i, i, i);
    o += (size_t)snprintf(buf + o, cap - o,
                          "], \"is_user_set_template\": false, \"is_user_set_color\": false}}, "
                          "\"revision\": %d, \"new_references\": [",
                          revision);
    if (revision > 1)
        o += (size_t)snprintf(buf + o, cap - o, "%zu], \"removed_references\": [0]}", n_keys);
    for (size_t i = 0; revision == 1 && i < n_keys && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%zu", i ? ", " : "", i);
    if (revision == 1)
        o += (size_t)snprintf(buf + o, cap - o, "], \"removed_references\": []}");
    if (o >= cap) {
        free(buf);
        return demo_fail(err, "INTERNAL: plot-express figure too long");
    }
    *out = (uint8_t *)buf;
    *len = o;
    return 0;
}

static int encode_plot(const struct demo_object *data, uint8_t **out, size_t *len, char *err)
{

    /* string literals are never modified by protobuf-c's packer */
    static char x_id[] = "X0", y_id[] = "Y0", x_col[] = "Timestamp", y_col[] = "Price";
    static char title[] = "Price over time", series_name[] = "Price";

    fig_axis axes[2];
    fig_axis *axis_ptrs[2] = {&axes[0], &axes[1]};
    init_axis(&axes[0], x_id, 1, x_col);
    init_axis(&axes[1], y_id, 0, y_col);

    fig_source sources[2];
    fig_source *source_ptrs[2] = {&sources[0], &sources[1]};
    init_source(&sources[0], x_id, 1, x_col);
    init_source(&sources[1], y_id, 0, y_col);

    fig_series series;
    fig_series *series_ptr = &series;
    io__deephaven__proto__backplane__script__grpc__figure_descriptor__series_descriptor__init(
        &series);
    series.plot_style =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SERIES_PLOT_STYLE__LINE;
    series.name = series_name;
    series.n_data_sources = 2;
    series.data_sources = source_ptrs;

    fig_chart chart;
    fig_chart *chart_ptr = &chart;
    io__deephaven__proto__backplane__script__grpc__figure_descriptor__chart_descriptor__init(
        &chart);
    chart.colspan = 1;
    chart.rowspan = 1;
    chart.n_series = 1;
    chart.series = &series_ptr;
    chart.n_axes = 2;
    chart.axes = axis_ptrs;
    chart.chart_type =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__CHART_DESCRIPTOR__CHART_TYPE__XY;
    chart.show_legend = 1;

    fig_desc fd;
    io__deephaven__proto__backplane__script__grpc__figure_descriptor__init(&fd);
    fd.title = title;
    fd.update_interval = 1000; /* PlotStyle default, ms */
    fd.cols = 1;
    fd.rows = 1;
    fd.n_charts = 1;
    fd.charts = &chart_ptr;

    (void)data;
    return pack_figure(&fd, out, len, err);
}

int demo_encode_figure(const struct demo_object *fig, uint8_t **out, size_t *len,
                       const struct demo_object **tables, size_t *n_tables, char *err)
{
    if (!n_tables || !tables)
        return demo_fail(err, "INTERNAL: no room for the figure's table references");
    const struct demo_object *const *by;
    size_t n_by = demo_figure_by_tables(fig, &by);
    size_t need = n_by ? n_by : 1;
    if (*n_tables < need)
        return demo_fail(err, "INTERNAL: no room for the figure's table references");
    int rc;
    if (demo_figure_kind(fig) == DEMO_FIG_BY || demo_figure_kind(fig) == DEMO_FIG_EXPRESS) {
        rc = demo_figure_kind(fig) == DEMO_FIG_BY ? encode_plot_by(out, len, err)
                                                  : encode_express(n_by, 1, out, len, err);
        for (size_t i = 0; i < n_by; i++)
            tables[i] = by[i];
    } else {
        const struct demo_object *data = demo_figure_table(fig);
        if (!data)
            return demo_fail(err, "FAILED_PRECONDITION: object is not a figure");
        rc = encode_plot(data, out, len, err);
        tables[0] = data;
    }
    if (rc == 0)
        *n_tables = need;
    return rc;
}

int demo_encode_express_update(const struct demo_object *fig, uint8_t **out, size_t *len,
                               const struct demo_object **table, char *err)
{
    const struct demo_object *const *by;
    size_t n_by = demo_figure_by_tables(fig, &by);
    if (demo_figure_kind(fig) != DEMO_FIG_EXPRESS || n_by == 0)
        return demo_fail(err, "INTERNAL: not a plot-express figure");
    *table = by[0];
    return encode_express(n_by, 2, out, len, err);
}
