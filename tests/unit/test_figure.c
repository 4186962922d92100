/* SPDX-License-Identifier: MIT */
/* test_figure: FigureDescriptor decoding and reference mapping (dh_figure). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "deephaven_core/proto/console.pb-c.h"
#include "dh_figure.h"

/* Pack a figure like the demo server's price_plot: one XY chart, a LINE series
 * of Timestamp against Price from table 0, plus a second series whose table_id
 * is given by the caller. Returns malloc'd bytes. */

/* One data source of a series (strings borrowed). */
static Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor
source(const char *axis_id,
       Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceType type,
       int32_t table_id, const char *column)
{
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor sd =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_DESCRIPTOR__INIT;
    sd.axis_id = (char *)axis_id;
    sd.type = type;
    sd.table_id = table_id;
    sd.column_name = (char *)column;
    return sd;
}
static uint8_t *pack_figure(size_t *len, int32_t second_table_id)
{
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__AxisDescriptor ax =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__AXIS_DESCRIPTOR__INIT;
    ax.id = (char *)"x0";
    ax.label = (char *)"Time";
    ax.type =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__AXIS_DESCRIPTOR__AXIS_TYPE__X;
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__AxisDescriptor ay =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__AXIS_DESCRIPTOR__INIT;
    ay.id = (char *)"y0";
    ay.label = (char *)"Price";
    ay.type =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__AXIS_DESCRIPTOR__AXIS_TYPE__Y;
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__AxisDescriptor *axes[] = {&ax,
                                                                                               &ay};

    /* Y listed before X: the decoder must look sources up by type. */
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor sy = source(
        "y0", IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__Y, 0,
        "Price");
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor sx = source(
        "x0", IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__X, 0,
        "Timestamp");
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor *src1[] = {
        &sy, &sx};

    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor s2x =
        source("", IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__X,
               second_table_id, "Size");
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor *src2[] = {
        &s2x};

    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SeriesDescriptor se1 =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SERIES_DESCRIPTOR__INIT;
    se1.name = (char *)"AAPL price";
    se1.plot_style =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SERIES_PLOT_STYLE__LINE;
    se1.n_data_sources = 2;
    se1.data_sources = src1;
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SeriesDescriptor se2 =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SERIES_DESCRIPTOR__INIT;
    se2.name = (char *)"sizes";
    se2.plot_style =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SERIES_PLOT_STYLE__SCATTER;
    se2.n_data_sources = 1;
    se2.data_sources = src2;
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SeriesDescriptor *series[] = {
        &se1, &se2};

    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__ChartDescriptor ch =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__CHART_DESCRIPTOR__INIT;
    ch.title = (char *)"Trades";
    ch.chart_type =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__CHART_DESCRIPTOR__CHART_TYPE__XY;
    ch.n_series = 2;
    ch.series = series;
    ch.n_axes = 2;
    ch.axes = axes;
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__ChartDescriptor *charts[] = {
        &ch};

    char *errors[] = {(char *)"one series could not be drawn"};
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor fd =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__INIT;
    fd.title = (char *)"Price plot";
    fd.update_interval = 1000;
    fd.n_charts = 1;
    fd.charts = charts;
    fd.n_errors = 1;
    fd.errors = errors;

    *len = io__deephaven__proto__backplane__script__grpc__figure_descriptor__get_packed_size(&fd);
    uint8_t *buf = malloc(*len);
    if (buf)
        io__deephaven__proto__backplane__script__grpc__figure_descriptor__pack(&fd, buf);
    return buf;
}

static void test_decode(void)
{
    size_t len;
    uint8_t *buf = pack_figure(&len, -1);
    CHECK_REQ(buf);
    struct dh_figure *f = NULL;
    struct dh_error err;
    CHECK_INT(dh_figure_decode(buf, len, &f, &err), DH_OK);
    free(buf);
    CHECK_REQ(f);
    CHECK_STR(f->title, "Price plot");
    CHECK_INT(f->update_interval_ms, 1000);
    CHECK_INT(f->n_errors, 1);
    CHECK_STR(f->errors[0], "one series could not be drawn");
    CHECK_INT(f->n_tables, 0);
    CHECK_REQ(f->n_charts == 1);
    CHECK_STR(f->charts[0].title, "Trades");
    CHECK_INT(f->charts[0].chart_type, 0);
    CHECK_REQ(f->charts[0].n_series == 2);
    const struct dh_figure_series *s = &f->charts[0].series[0];
    CHECK_STR(s->name, "AAPL price");
    CHECK_INT(s->plot_style, 2);
    CHECK_STR(s->x_column, "Timestamp");
    CHECK_STR(s->y_column, "Price");
    CHECK_STR(s->x_axis_label, "Time");
    CHECK_STR(s->y_axis_label, "Price");
    CHECK_INT(s->table_index, 0);
    s = &f->charts[0].series[1];
    CHECK_STR(s->name, "sizes");
    CHECK_INT(s->plot_style, 8);
    CHECK_STR(s->x_column, "Size");
    CHECK_STR(s->y_column, "");
    CHECK_STR(s->x_axis_label, "");
    CHECK_INT(s->table_index, -1);
    dh_figure_free(f);
}

static void test_refs(void)
{
    size_t len;
    uint8_t *buf = pack_figure(&len, 3);
    CHECK_REQ(buf);
    struct dh_figure *f = NULL;
    CHECK_INT(dh_figure_decode(buf, len, &f, NULL), DH_OK);
    free(buf);
    CHECK_REQ(f);
    CHECK_INT(f->charts[0].series[1].table_index, 3); /* raw until references attach */

    /* Server references: a partitioned table and another type between two
     * tables. table_id k is the k-th reference typed "Table". */
    struct dh_ticket t[4];
    dh_ticket_make_export(&t[0], -1);
    dh_ticket_make_export(&t[1], -2);
    dh_ticket_make_export(&t[2], -3);
    dh_ticket_make_export(&t[3], -4);
    const char *const types[] = {"Table", "PartitionedTable", "Other", "Table"};
    struct dh_error err;
    CHECK_INT(dh_figure_attach_refs(f, t, types, 4, &err), DH_OK);
    CHECK_INT(f->n_tables, 2);
    CHECK_INT(f->n_partitioned, 1);
    CHECK_INT(f->n_other_refs, 1);
    CHECK(dh_ticket_equal(&f->tables[0], &t[0]));
    CHECK(dh_ticket_equal(&f->tables[1], &t[3]));
    CHECK(dh_ticket_equal(&f->partitioned[0].ticket, &t[1]));
    CHECK_INT(f->partitioned[0].merged.len, 0);
    CHECK(dh_ticket_equal(&f->other_refs[0], &t[2]));
    CHECK_INT(f->charts[0].series[0].table_index, 0);
    /* table 3 does not exist: unusable, and reported to the user. */
    CHECK_INT(f->charts[0].series[1].table_index, -1);
    CHECK_INT(f->n_errors, 2);
    CHECK(strstr(f->errors[1], "names table 3") != NULL);

    /* Without a session, release is a no-op; free must not leak (ASan). */
    dh_figure_release(NULL, f);
    dh_figure_free(f);
}

static void test_malformed(void)
{
    /* Field 1 (title) claims 100 bytes but 2 follow. */
    const uint8_t bad[] = {0x0A, 0x64, 'h', 'i'};
    struct dh_figure *f = (struct dh_figure *)1;
    struct dh_error err;
    dh_error_clear(&err);
    CHECK_INT(dh_figure_decode(bad, sizeof bad, &f, &err), DH_EINVAL);
    CHECK(f == NULL);
    CHECK_INT(err.code, DH_EINVAL);
    CHECK(strstr(err.msg, "malformed FigureDescriptor") != NULL);

    /* A truncated real figure must fail too, at every cut that breaks it. */
    size_t len;
    uint8_t *buf = pack_figure(&len, 0);
    CHECK_REQ(buf);
    int failures = 0;
    for (size_t cut = 1; cut < len; cut++) {
        struct dh_figure *g = NULL;
        if (dh_figure_decode(buf, cut, &g, NULL) == DH_OK)
            dh_figure_free(g);
        else
            failures++;
    }
    CHECK(failures > 0);
    free(buf);

    /* An empty payload is a valid, empty figure. */
    struct dh_figure *e = NULL;
    CHECK_INT(dh_figure_decode((const uint8_t *)"", 0, &e, NULL), DH_OK);
    CHECK_REQ(e);
    CHECK_STR(e->title, "");
    CHECK_INT(e->n_charts, 0);
    dh_figure_free(e);
    dh_figure_free(NULL);
}

/* plot_by's shape (FigureWidgetTranslator for plotBy("Price by Sym", t,
 * "Timestamp", "Price", "Sym")): no series, one multi-series whose sources
 * name partitioned table pt_id. */
static uint8_t *pack_plot_by(size_t *len, int32_t pt_id)
{
    typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__MultiSeriesSourceDescriptor
        msrc;
    msrc sx =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__MULTI_SERIES_SOURCE_DESCRIPTOR__INIT;
    msrc sy = sx;
    sx.axis_id = (char *)"X0";
    sx.type = IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__X;
    sx.partitioned_table_id = pt_id;
    sx.column_name = (char *)"Timestamp";
    sy.axis_id = (char *)"Y0";
    sy.type = IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__Y;
    sy.partitioned_table_id = pt_id;
    sy.column_name = (char *)"Price";
    msrc *srcs[] = {&sx, &sy};
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__MultiSeriesDescriptor ms =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__MULTI_SERIES_DESCRIPTOR__INIT;
    ms.name = (char *)"Price by Sym";
    ms.plot_style =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SERIES_PLOT_STYLE__LINE;
    ms.n_data_sources = 2;
    ms.data_sources = srcs;
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__MultiSeriesDescriptor *mss[] =
        {&ms};
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__AxisDescriptor ay =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__AXIS_DESCRIPTOR__INIT;
    ay.id = (char *)"Y0";
    ay.label = (char *)"Price";
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__AxisDescriptor *axes[] = {&ay};
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__ChartDescriptor ch =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__CHART_DESCRIPTOR__INIT;
    ch.n_multi_series = 1;
    ch.multi_series = mss;
    ch.n_axes = 1;
    ch.axes = axes;
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__ChartDescriptor *charts[] = {
        &ch};
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor fd =
        IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__INIT;
    fd.n_charts = 1;
    fd.charts = charts;
    *len = io__deephaven__proto__backplane__script__grpc__figure_descriptor__get_packed_size(&fd);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        io__deephaven__proto__backplane__script__grpc__figure_descriptor__pack(&fd, buf);
    return buf;
}

static void test_plot_by(void)
{
    size_t len;
    uint8_t *buf = pack_plot_by(&len, 0);
    CHECK_REQ(buf);
    struct dh_figure *f = NULL;
    CHECK_INT(dh_figure_decode(buf, len, &f, NULL), DH_OK);
    free(buf);
    CHECK_REQ(f && f->n_charts == 1 && f->charts[0].n_series == 1);
    const struct dh_figure_series *s = &f->charts[0].series[0];
    CHECK_STR(s->name, "Price by Sym");
    CHECK_INT(s->plot_style, 2);
    CHECK_STR(s->x_column, "Timestamp");
    CHECK_STR(s->y_column, "Price");
    CHECK_STR(s->y_axis_label, "Price");
    CHECK_INT(s->table_index, -1);
    CHECK_INT(s->partitioned_index, 0);
    /* Before the fix the series was dropped: a plot_by figure opened empty. */
    struct dh_ticket t[1];
    dh_ticket_make_export(&t[0], -1);
    const char *const types[] = {"PartitionedTable"};
    CHECK_INT(dh_figure_attach_refs(f, t, types, 1, NULL), DH_OK);
    CHECK_INT(f->charts[0].series[0].partitioned_index, 0);
    CHECK_INT(f->n_errors, 0);
    dh_figure_free(f);

    /* A partitioned_table_id the server sent no reference for. */
    buf = pack_plot_by(&len, 2);
    CHECK_REQ(buf);
    CHECK_INT(dh_figure_decode(buf, len, &f, NULL), DH_OK);
    free(buf);
    CHECK_INT(dh_figure_attach_refs(f, t, types, 1, NULL), DH_OK);
    CHECK_INT(f->charts[0].series[0].partitioned_index, -1);
    CHECK_REQ(f->n_errors == 1);
    CHECK(strstr(f->errors[0], "names partitioned table 2") != NULL);
    dh_figure_free(f);
}

int main(void)
{
    CHECK_RUN(T(test_decode), T(test_refs), T(test_malformed), T(test_plot_by));
}
