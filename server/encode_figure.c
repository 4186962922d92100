/* SPDX-License-Identifier: MIT */
/* encode_figure.c: the FigureDescriptor payload of the demo's "Figure" objects,
 * shaped like FigureWidgetTranslator output for plot("Price", t, "Timestamp", "Price"). */
#include "catalog.h"

#include <math.h>
#include <stdlib.h>

#include "deephaven_core/proto/console.pb-c.h"
#include "encode_arrow.h"

typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor fig_desc;
typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__ChartDescriptor fig_chart;
typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SeriesDescriptor
    fig_series;
typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__AxisDescriptor fig_axis;
typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor
    fig_source;

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

int demo_encode_figure(const struct demo_object *fig, uint8_t **out, size_t *len,
                       const struct demo_object **tables, size_t *n_tables, char *err)
{
    const struct demo_object *data = demo_figure_table(fig);
    if (!data)
        return demo_fail(err, "FAILED_PRECONDITION: object is not a figure");
    if (!n_tables || *n_tables < 1 || !tables)
        return demo_fail(err, "INTERNAL: no room for the figure's table references");

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

    size_t n =
        io__deephaven__proto__backplane__script__grpc__figure_descriptor__get_packed_size(&fd);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a figure");
    *len = io__deephaven__proto__backplane__script__grpc__figure_descriptor__pack(&fd, buf);
    *out = buf;
    tables[0] = data;
    *n_tables = 1;
    return 0;
}
