/* SPDX-License-Identifier: MIT */
/* figure.c: "Figure" objects: FigureDescriptor decoding (XY subset, plot_by
 * multi-series) and its exported table references (the fetch: figure_fetch.c)
 * (docs/PROTOCOL.md, Figures; upstream plugin/figure FigureWidgetTranslator.java,
 * web JsFigure.java for the table_id -> reference mapping). */
#include "dh_figure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deephaven_core/proto/console.pb-c.h"
#include "dh_exports.h"
#include "dh_text.h"

typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__ChartDescriptor chart_desc;
typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__MultiSeriesDescriptor
    multi_desc;
typedef Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__MultiSeriesSourceDescriptor
    multi_source;

static void series_reset(struct dh_figure_series *se)
{
    free(se->name);
    free(se->x_column);
    free(se->y_column);
    free(se->x_axis_label);
    free(se->y_axis_label);
}

static void partitioned_reset(struct dh_figure_partitioned *p)
{
    for (size_t i = 0; i < p->n_keys; i++)
        free(p->keys[i]);
    free(p->keys);
    p->keys = NULL;
    p->n_keys = 0;
}

void dh_figure_free(struct dh_figure *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_partitioned; i++)
        partitioned_reset(&f->partitioned[i]);
    free(f->partitioned);
    for (size_t c = 0; c < f->n_charts; c++) {
        struct dh_figure_chart *ch = &f->charts[c];
        for (size_t i = 0; i < ch->n_series; i++)
            series_reset(&ch->series[i]);
        free(ch->series);
        free(ch->title);
    }
    free(f->charts);
    for (size_t i = 0; i < f->n_errors; i++)
        free(f->errors[i]);
    free(f->errors);
    free(f->tables);
    free(f->other_refs);
    free(f->title);
    free(f);
}

/* The label of the chart axis with this id, or "" if none matches. */
static const char *axis_label(
    const Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__ChartDescriptor *cd,
    const char *axis_id)
{
    if (!axis_id || !axis_id[0])
        return "";
    for (size_t i = 0; i < cd->n_axes; i++) {
        const Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__AxisDescriptor *ax =
            cd->axes[i];
        if (ax && ax->id && strcmp(ax->id, axis_id) == 0)
            return ax->label ? ax->label : "";
    }
    return "";
}

/* The first data source of the given SourceType, or NULL. */
static const Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor *
find_source(
    const Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SeriesDescriptor *sd,
    int type)
{
    for (size_t i = 0; i < sd->n_data_sources; i++)
        if (sd->data_sources[i] && (int)sd->data_sources[i]->type == type)
            return sd->data_sources[i];
    return NULL;
}

/* Fill one series from its descriptor. DH_ENOMEM. */
static int decode_series(
    const Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__ChartDescriptor *cd,
    const Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SeriesDescriptor *sd,
    struct dh_figure_series *se)
{
    const Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor
        *x = find_source(
            sd, IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__X),
        *y = find_source(
            sd, IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__Y);
    se->plot_style = (int)sd->plot_style;
    se->name = dh_str_dup(sd->name);
    se->x_column = dh_str_dup(x ? x->column_name : "");
    se->y_column = dh_str_dup(y ? y->column_name : "");
    se->x_axis_label = dh_str_dup(x ? axis_label(cd, x->axis_id) : "");
    se->y_axis_label = dh_str_dup(y ? axis_label(cd, y->axis_id) : "");
    /* table_id -1 means "not a table source" (e.g. a partitioned one). */
    const Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor *src =
        x ? x : y;
    se->table_index = src && src->table_id >= 0 ? src->table_id : -1;
    se->partitioned_index = -1;
    if (!se->name || !se->x_column || !se->y_column || !se->x_axis_label || !se->y_axis_label)
        return DH_ENOMEM;
    return DH_OK;
}

/* The first multi-series source of the given SourceType, or NULL. */
static const multi_source *find_multi_source(const multi_desc *md, int type)
{
    for (size_t i = 0; i < md->n_data_sources; i++)
        if (md->data_sources[i] && (int)md->data_sources[i]->type == type)
            return md->data_sources[i];
    return NULL;
}

/* Fill one plot_by template (upstream JsMultiSeries: every source names the
 * same partitioned table). DH_ENOMEM. */
static int decode_multi(const chart_desc *cd, const multi_desc *md, struct dh_figure_series *se)
{
    const multi_source
        *x = find_multi_source(
            md, IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__X),
        *y = find_multi_source(
            md, IO__DEEPHAVEN__PROTO__BACKPLANE__SCRIPT__GRPC__FIGURE_DESCRIPTOR__SOURCE_TYPE__Y);
    se->plot_style = (int)md->plot_style;
    se->name = dh_str_dup(md->name);
    se->x_column = dh_str_dup(x ? x->column_name : "");
    se->y_column = dh_str_dup(y ? y->column_name : "");
    se->x_axis_label = dh_str_dup(x ? axis_label(cd, x->axis_id) : "");
    se->y_axis_label = dh_str_dup(y ? axis_label(cd, y->axis_id) : "");
    se->table_index = -1;
    const multi_source *src = x ? x : y;
    se->partitioned_index = src && src->partitioned_table_id >= 0 ? src->partitioned_table_id : -1;
    if (!se->name || !se->x_column || !se->y_column || !se->x_axis_label || !se->y_axis_label)
        return DH_ENOMEM;
    return DH_OK;
}

/* Fill one chart from its descriptor: its series, then its multi-series.
 * DH_ENOMEM. */
static int decode_chart(const chart_desc *cd, struct dh_figure_chart *ch)
{
    ch->title = dh_str_dup(cd->title);
    ch->chart_type = (int)cd->chart_type;
    if (!ch->title)
        return DH_ENOMEM;
    size_t n = cd->n_series + cd->n_multi_series;
    if (n == 0)
        return DH_OK;
    ch->series = calloc(n, sizeof *ch->series);
    if (!ch->series)
        return DH_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        struct dh_figure_series *se = &ch->series[i];
        ch->n_series = i + 1; /* counted before filling, so free sees partial ones */
        se->table_index = se->partitioned_index = -1;
        int rc = DH_OK;
        if (i < cd->n_series) {
            if (cd->series[i])
                rc = decode_series(cd, cd->series[i], se);
        } else if (cd->multi_series[i - cd->n_series]) {
            rc = decode_multi(cd, cd->multi_series[i - cd->n_series], se);
        }
        if (rc != DH_OK)
            return DH_ENOMEM;
    }
    return DH_OK;
}

/* Copy the descriptor into f. DH_ENOMEM. */
static int decode_figure(const Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor *fd,
                         struct dh_figure *f)
{
    f->title = dh_str_dup(fd->title);
    f->update_interval_ms = fd->update_interval;
    if (!f->title)
        return DH_ENOMEM;
    if (fd->n_charts) {
        f->charts = calloc(fd->n_charts, sizeof *f->charts);
        if (!f->charts)
            return DH_ENOMEM;
        for (size_t c = 0; c < fd->n_charts; c++) {
            f->n_charts = c + 1;
            if (fd->charts[c] && decode_chart(fd->charts[c], &f->charts[c]) != DH_OK)
                return DH_ENOMEM;
            if (!fd->charts[c] && !(f->charts[c].title = dh_str_dup("")))
                return DH_ENOMEM;
        }
    }
    if (fd->n_errors) {
        f->errors = calloc(fd->n_errors, sizeof *f->errors);
        if (!f->errors)
            return DH_ENOMEM;
        for (size_t i = 0; i < fd->n_errors; i++) {
            f->n_errors = i + 1;
            if (!(f->errors[i] = dh_str_dup(fd->errors[i])))
                return DH_ENOMEM;
        }
    }
    return DH_OK;
}

int dh_figure_decode(const uint8_t *payload, size_t len, struct dh_figure **out,
                     struct dh_error *err)
{
    *out = NULL;
    Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor *fd =
        io__deephaven__proto__backplane__script__grpc__figure_descriptor__unpack(NULL, len,
                                                                                 payload);
    if (!fd)
        return dh_error_set(err, DH_EINVAL,
                            "malformed FigureDescriptor from server (%zu bytes that do not "
                            "decode as protobuf)",
                            len);
    struct dh_figure *f = calloc(1, sizeof *f);
    int rc = f ? decode_figure(fd, f) : DH_ENOMEM;
    io__deephaven__proto__backplane__script__grpc__figure_descriptor__free_unpacked(fd, NULL);
    if (rc != DH_OK) {
        dh_figure_free(f);
        return dh_error_set(err, DH_ENOMEM, "out of memory while decoding a figure");
    }
    *out = f;
    return DH_OK;
}

int dh_figure_add_error(struct dh_figure *f, const char *msg)
{
    char **e = realloc(f->errors, (f->n_errors + 1) * sizeof *e);
    if (!e)
        return DH_ENOMEM;
    f->errors = e;
    if (!(e[f->n_errors] = dh_str_dup(msg)))
        return DH_ENOMEM;
    f->n_errors++;
    return DH_OK;
}

/* Append a ticket to a growing array. DH_ENOMEM. */
static int push_ticket(struct dh_ticket **arr, size_t *n, const struct dh_ticket *t)
{
    struct dh_ticket *a = realloc(*arr, (*n + 1) * sizeof *a);
    if (!a)
        return DH_ENOMEM;
    *arr = a;
    a[(*n)++] = *t;
    return DH_OK;
}

/* A new empty partitioned-table slot for ticket t. DH_ENOMEM. */
static int push_partitioned(struct dh_figure *f, const struct dh_ticket *t)
{
    struct dh_figure_partitioned *a = realloc(f->partitioned, (f->n_partitioned + 1) * sizeof *a);
    if (!a)
        return DH_ENOMEM;
    f->partitioned = a;
    memset(&a[f->n_partitioned], 0, sizeof *a);
    a[f->n_partitioned].ticket = *t;
    dh_ticket_init(&a[f->n_partitioned].merged);
    f->n_partitioned++;
    return DH_OK;
}

/* Check one series' reference against what the server sent; -1 it (with a
 * line in f->errors) when it names none. DH_ENOMEM. */
static int check_series_ref(struct dh_figure *f, size_t c, size_t i)
{
    struct dh_figure_series *se = &f->charts[c].series[i];
    int multi = se->partitioned_index >= 0;
    int idx = multi ? se->partitioned_index : se->table_index;
    size_t have = multi ? f->n_partitioned : f->n_tables;
    if (idx < 0 || (size_t)idx < have)
        return DH_OK;
    char msg[256];
    snprintf(msg, sizeof msg,
             "Series %zu of chart %zu names %s %d, but the server sent %zu "
             "%s references.",
             i + 1, c + 1, multi ? "partitioned table" : "table", idx, have,
             multi ? "partitioned table" : "table");
    if (multi)
        se->partitioned_index = -1;
    else
        se->table_index = -1;
    return dh_figure_add_error(f, msg);
}

int dh_figure_attach_refs(struct dh_figure *f, const struct dh_ticket *tickets,
                          const char *const *types, size_t n, struct dh_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *ty = types[i] ? types[i] : "";
        int rc;
        if (strcmp(ty, "Table") == 0)
            rc = push_ticket(&f->tables, &f->n_tables, &tickets[i]);
        else if (strcmp(ty, "PartitionedTable") == 0)
            rc = push_partitioned(f, &tickets[i]);
        else
            rc = push_ticket(&f->other_refs, &f->n_other_refs, &tickets[i]);
        if (rc != DH_OK)
            return dh_error_set(err, DH_ENOMEM, "out of memory while reading a figure");
    }
    for (size_t c = 0; c < f->n_charts; c++)
        for (size_t i = 0; i < f->charts[c].n_series; i++)
            if (check_series_ref(f, c, i) != DH_OK)
                return dh_error_set(err, DH_ENOMEM, "out of memory while reading a figure");
    return DH_OK;
}

/* Release each non-empty ticket in arr and empty it. */
static void release_all(struct dh_session *s, struct dh_ticket *arr, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (arr[i].len == 0)
            continue;
        dh_release(s, &arr[i], NULL);
        dh_ticket_reset(&arr[i]);
    }
}

void dh_figure_release(struct dh_session *s, struct dh_figure *f)
{
    if (!f || !s)
        return;
    release_all(s, f->tables, f->n_tables);
    release_all(s, f->other_refs, f->n_other_refs);
    for (size_t i = 0; i < f->n_partitioned; i++) {
        release_all(s, &f->partitioned[i].ticket, 1);
        release_all(s, &f->partitioned[i].merged, 1);
    }
}
