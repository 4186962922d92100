/* SPDX-License-Identifier: MIT */
/* express.c: a deephaven.plot.express figure's JSON document into the
 * dh_figure model, parsed with jansson. The document's shape follows the
 * plugin (deephaven-plugins plotly-express: DeephavenFigureListener builds
 * the NEW_FIGURE message, DeephavenFigure.to_json the figure, json_conversion
 * the mappings; PlotlyExpressChartUtils.getDataMappings reads them). */
#include "dh_express.h"
#include "dh_text.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SeriesPlotStyle numbers (console.proto), which the figure view draws. */
enum { STYLE_BAR = 0, STYLE_LINE = 2, STYLE_SCATTER = 8 };

/* A string member, or NULL. */
static const char *str_at(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A plotly title: a string, or {"text": ...}; "" if none. */
static const char *title_text(const json_t *t)
{
    if (json_is_string(t))
        return json_string_value(t);
    const char *s = str_at(t, "text");
    return s ? s : "";
}

/* The label of layout's axis (xaxis / yaxis). */
static const char *axis_title(const json_t *layout, const char *axis)
{
    return title_text(json_object_get(json_object_get(layout, axis), "title"));
}

/* Plotly trace type and mode to a SeriesPlotStyle, -1 for what we do not draw.
 * Plotly's own default mode for a scatter trace draws lines. */
static int trace_style(const json_t *trace)
{
    const char *type = str_at(trace, "type");
    const char *mode = str_at(trace, "mode");
    if (!type || strcmp(type, "scatter") == 0 || strcmp(type, "scattergl") == 0) {
        if (!mode || strstr(mode, "lines"))
            return STYLE_LINE;
        return strstr(mode, "markers") ? STYLE_SCATTER : -1;
    }
    if (strcmp(type, "bar") == 0)
        return STYLE_BAR;
    return -1;
}

/* How a mapping's table id finds its reference: by the ids the stream sent so
 * far (known), else by this message's new_references (positions to ids;
 * without it, ids are positions). */
struct ref_map {
    const json_t *new_refs;
    const struct dh_express_refs *known;
};

/* The reference position of table id. -1 if not sent. */
static int ref_position(const struct ref_map *rm, json_int_t id)
{
    if (rm->known) {
        for (size_t i = 0; i < rm->known->n && i <= 0x7fffffff; i++)
            if (id >= 0 && rm->known->ids[i] == (int64_t)id)
                return (int)i;
        return -1;
    }
    const json_t *new_refs = rm->new_refs;
    if (!json_is_array(new_refs))
        return id >= 0 && id <= 0x7fffffff ? (int)id : -1;
    size_t i;
    const json_t *v;
    json_array_foreach(new_refs, i, v)
    {
        if (json_is_integer(v) && json_integer_value(v) == id && i <= 0x7fffffff)
            return (int)i;
    }
    return -1;
}

/* Point trace t's x / y columns and table at what the mappings say: a
 * data_columns path "/plotly/data/<t>/x" names its X column. DH_ENOMEM. */
static int apply_mappings(const json_t *mappings, const struct ref_map *rm, size_t t,
                          struct dh_figure_series *se)
{
    char px[48], py[48];
    snprintf(px, sizeof px, "/plotly/data/%zu/x", t);
    snprintf(py, sizeof py, "/plotly/data/%zu/y", t);
    size_t i;
    const json_t *m;
    json_array_foreach(mappings, i, m)
    {
        const json_t *cols = json_object_get(m, "data_columns");
        const json_t *table = json_object_get(m, "table");
        if (!json_is_object(cols) || !json_is_integer(table))
            continue;
        const char *col;
        const json_t *paths;
        json_object_foreach((json_t *)cols, col, paths)
        {
            size_t k;
            const json_t *path;
            json_array_foreach(paths, k, path)
            {
                const char *ps = json_string_value(path);
                char **dst = !ps               ? NULL
                             : !strcmp(ps, px) ? &se->x_column
                             : !strcmp(ps, py) ? &se->y_column
                                               : NULL;
                if (!dst)
                    continue;
                char *c = dh_str_dup(col);
                if (!c)
                    return DH_ENOMEM;
                free(*dst);
                *dst = c;
                se->table_index = ref_position(rm, json_integer_value(table));
            }
        }
    }
    return DH_OK;
}

/* Fill series t from its trace. DH_ENOMEM. */
static int decode_trace(const json_t *trace, size_t t, const json_t *layout, const json_t *mappings,
                        const struct ref_map *rm, struct dh_figure_series *se, struct dh_figure *f)
{
    se->table_index = se->partitioned_index = -1;
    se->plot_style = trace_style(trace);
    const char *name = str_at(trace, "name");
    se->name = dh_str_dup(name ? name : "");
    se->x_column = dh_str_dup("");
    se->y_column = dh_str_dup("");
    se->x_axis_label = dh_str_dup(axis_title(layout, "xaxis"));
    se->y_axis_label = dh_str_dup(axis_title(layout, "yaxis"));
    if (!se->name || !se->x_column || !se->y_column || !se->x_axis_label || !se->y_axis_label)
        return DH_ENOMEM;
    if (apply_mappings(mappings, rm, t, se) != DH_OK)
        return DH_ENOMEM;
    if (se->plot_style < 0) {
        char msg[160];
        const char *type = str_at(trace, "type");
        snprintf(msg, sizeof msg,
                 "Trace %zu (%.60s) is not drawn: dhtui draws line, scatter and bar traces.", t + 1,
                 type ? type : "scatter");
        return dh_figure_add_error(f, msg);
    }
    return DH_OK;
}

/* Fill f from the figure document fig. DH_EINVAL (err set), DH_ENOMEM. */
static int decode_doc(const json_t *fig, const struct ref_map *rm, struct dh_figure *f,
                      struct dh_error *err)
{
    const json_t *plotly = json_object_get(fig, "plotly");
    const json_t *dh = json_object_get(fig, "deephaven");
    const json_t *layout = json_object_get(plotly, "layout");
    const json_t *data = json_object_get(plotly, "data");
    const json_t *mappings = json_object_get(dh, "mappings");
    if (!json_is_object(fig) || (plotly && !json_is_null(plotly) && !json_is_object(plotly)))
        return dh_error_set(err, DH_EINVAL, "malformed plot-express figure: no plotly object");
    size_t n = json_is_array(data) ? json_array_size(data) : 0;
    if (n > DH_EXPRESS_MAX_TRACES)
        return dh_error_set(err, DH_EINVAL,
                            "malformed plot-express figure: %zu traces (at most %d)", n,
                            DH_EXPRESS_MAX_TRACES);
    f->title = dh_str_dup(title_text(json_object_get(layout, "title")));
    f->charts = calloc(1, sizeof *f->charts);
    if (!f->title || !f->charts)
        return DH_ENOMEM;
    f->n_charts = 1;
    struct dh_figure_chart *ch = f->charts;
    ch->chart_type = 0; /* XY */
    if (!(ch->title = dh_str_dup("")))
        return DH_ENOMEM;
    if (n && !(ch->series = calloc(n, sizeof *ch->series)))
        return DH_ENOMEM;
    for (size_t t = 0; t < n; t++) {
        ch->n_series = t + 1;
        if (decode_trace(json_array_get(data, t), t, layout, mappings, rm, &ch->series[t], f) !=
            DH_OK)
            return DH_ENOMEM;
    }
    return DH_OK;
}

/* Decode a message (root) into *out, its table ids resolved by rm. */
static int decode_root(const json_t *root, const json_t *fig, const struct ref_map *rm,
                       struct dh_figure **out, struct dh_error *err)
{
    (void)root;
    struct dh_figure *f = calloc(1, sizeof *f);
    int rc = f ? DH_OK : DH_ENOMEM;
    if (rc == DH_OK) {
        f->is_express = 1;
        rc = decode_doc(fig, rm, f, err);
    }
    if (rc == DH_ENOMEM)
        dh_error_set(err, DH_ENOMEM, "out of memory while decoding a figure");
    if (rc != DH_OK) {
        dh_figure_free(f);
        return rc;
    }
    *out = f;
    return DH_OK;
}

/* Parse payload: *root (caller decrefs) and the figure document in it. */
static int parse_message(const uint8_t *payload, size_t len, json_t **root, const json_t **fig,
                         struct dh_error *err)
{
    json_error_t jerr;
    *root = json_loadb((const char *)payload, len, 0, &jerr);
    if (!*root)
        return dh_error_set(err, DH_EINVAL, "malformed plot-express figure: %s at byte %d",
                            jerr.text, jerr.position);
    *fig = *root;
    const char *type = str_at(*root, "type");
    if (!type)
        return DH_OK;
    /* The plugin's message: only NEW_FIGURE carries a figure. */
    *fig = json_object_get(*root, "figure");
    if (strcmp(type, "NEW_FIGURE") != 0 || !json_is_object(*fig))
        return dh_error_set(err, DH_EINVAL,
                            "malformed plot-express figure: a %.40s message without a figure",
                            type);
    return DH_OK;
}

int dh_express_decode(const uint8_t *payload, size_t len, struct dh_figure **out,
                      struct dh_error *err)
{
    *out = NULL;
    json_t *root = NULL;
    const json_t *fig = NULL;
    int rc = parse_message(payload, len, &root, &fig, err);
    struct ref_map rm = {.new_refs = json_object_get(root, "new_references"), .known = NULL};
    if (rc == DH_OK)
        rc = decode_root(root, fig, &rm, out, err);
    json_decref(root);
    return rc;
}

/* ---- a stream of messages ---- */

void dh_express_refs_reset(struct dh_express_refs *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->types[i]);
    free(k->ids);
    free(k->tickets);
    free(k->types);
    memset(k, 0, sizeof *k);
}

/* Append reference (id, t, type). DH_ENOMEM, DH_EINVAL over the limit. */
static int refs_push(struct dh_express_refs *k, int64_t id, const struct dh_ticket *t,
                     const char *type, struct dh_error *err)
{
    if (k->n >= DH_EXPRESS_MAX_REFS)
        return dh_error_set(err, DH_EINVAL,
                            "plot-express figure: more than %d references over its updates",
                            DH_EXPRESS_MAX_REFS);
    size_t n = k->n + 1;
    int64_t *ids = realloc(k->ids, n * sizeof *ids);
    if (ids)
        k->ids = ids;
    struct dh_ticket *tk = ids ? realloc(k->tickets, n * sizeof *tk) : NULL;
    if (tk)
        k->tickets = tk;
    char **types = tk ? realloc(k->types, n * sizeof *types) : NULL;
    if (types)
        k->types = types;
    char *ty = types ? dh_str_dup(type ? type : "") : NULL;
    if (!ty)
        return dh_error_set(err, DH_ENOMEM, "out of memory reading a figure update");
    k->ids[k->n] = id;
    k->tickets[k->n] = *t;
    k->types[k->n] = ty;
    k->n = n;
    return DH_OK;
}

int dh_express_take(struct dh_express_refs *k, const uint8_t *payload, size_t len,
                    struct dh_ticket *refs, const char *const *types, size_t n_refs,
                    struct dh_figure **out, struct dh_ticket *removed, size_t *n_removed,
                    size_t max_removed, struct dh_error *err)
{
    *out = NULL;
    *n_removed = 0;
    json_t *root = NULL;
    const json_t *fig = NULL;
    int rc = parse_message(payload, len, &root, &fig, err);
    const json_t *new_refs = json_object_get(root, "new_references");
    const json_t *gone = json_object_get(root, "removed_references");
    /* The message's references are its new_references, in order; without
     * them (an older plugin), they follow the ones before. */
    for (size_t i = 0; rc == DH_OK && i < n_refs; i++) {
        const json_t *v = json_array_get(new_refs, i);
        int64_t id = json_is_integer(v)        ? (int64_t)json_integer_value(v)
                     : json_is_array(new_refs) ? -1
                                               : (int64_t)k->n;
        rc = refs_push(k, id, &refs[i], types[i], err);
        if (rc == DH_OK)
            dh_ticket_init(&refs[i]); /* k holds it now */
    }
    size_t j;
    const json_t *v;
    json_array_foreach(gone, j, v)
    {
        if (rc != DH_OK || !json_is_integer(v))
            continue;
        for (size_t i = 0; i < k->n; i++) {
            if (k->ids[i] != (int64_t)json_integer_value(v) || k->ids[i] < 0)
                continue;
            if (k->tickets[i].len && *n_removed < max_removed)
                removed[(*n_removed)++] = k->tickets[i];
            dh_ticket_init(&k->tickets[i]); /* the position stays, empty */
            k->ids[i] = -1;
        }
    }
    struct ref_map rm = {.new_refs = NULL, .known = k};
    struct dh_figure *f = NULL;
    if (rc == DH_OK)
        rc = decode_root(root, fig, &rm, &f, err);
    json_decref(root);
    if (rc == DH_OK)
        rc = dh_figure_attach_refs(f, k->tickets, (const char *const *)k->types, k->n, err);
    if (rc != DH_OK) {
        dh_figure_free(f);
        return rc;
    }
    *out = f;
    return DH_OK;
}
