/* SPDX-License-Identifier: MIT */
/* figure.c: "Figure" objects: FigureDescriptor decoding (XY subset) and the
 * ObjectService.MessageStream fetch with its exported table references
 * (docs/PROTOCOL.md, Figures; upstream plugin/figure FigureWidgetTranslator.java,
 * web JsFigure.java for the table_id -> reference mapping). */
#include "dh_figure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deephaven_core/proto/console.pb-c.h"
#include "deephaven_core/proto/object.pb-c.h"
#include "deephaven_core/proto/ticket.pb-c.h"
#include "dh_exports.h"
#include "dh_session.h"
#include "dh_transport.h"

/* Upper bounds on what a figure may hold, so a hostile payload cannot make us
 * allocate without limit (protobuf-c already holds it all in memory). */
#define FIGURE_MAX_REFS 4096

/* A copy of s ("" for NULL); NULL only when out of memory. */
static char *dup_str(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

static void series_reset(struct dh_figure_series *se)
{
    free(se->name);
    free(se->x_column);
    free(se->y_column);
    free(se->x_axis_label);
    free(se->y_axis_label);
}

void dh_figure_free(struct dh_figure *f)
{
    if (!f)
        return;
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
    se->name = dup_str(sd->name);
    se->x_column = dup_str(x ? x->column_name : "");
    se->y_column = dup_str(y ? y->column_name : "");
    se->x_axis_label = dup_str(x ? axis_label(cd, x->axis_id) : "");
    se->y_axis_label = dup_str(y ? axis_label(cd, y->axis_id) : "");
    /* table_id -1 means "not a table source" (e.g. a partitioned one). */
    const Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__SourceDescriptor *src =
        x ? x : y;
    se->table_index = src && src->table_id >= 0 ? src->table_id : -1;
    if (!se->name || !se->x_column || !se->y_column || !se->x_axis_label || !se->y_axis_label)
        return DH_ENOMEM;
    return DH_OK;
}

/* Fill one chart from its descriptor. DH_ENOMEM. */
static int decode_chart(
    const Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor__ChartDescriptor *cd,
    struct dh_figure_chart *ch)
{
    ch->title = dup_str(cd->title);
    ch->chart_type = (int)cd->chart_type;
    if (!ch->title)
        return DH_ENOMEM;
    if (cd->n_series == 0)
        return DH_OK;
    ch->series = calloc(cd->n_series, sizeof *ch->series);
    if (!ch->series)
        return DH_ENOMEM;
    for (size_t i = 0; i < cd->n_series; i++) {
        ch->n_series = i + 1; /* counted before filling, so free sees partial ones */
        if (!cd->series[i]) {
            ch->series[i].table_index = -1;
            continue;
        }
        if (decode_series(cd, cd->series[i], &ch->series[i]) != DH_OK)
            return DH_ENOMEM;
    }
    return DH_OK;
}

/* Copy the descriptor into f. DH_ENOMEM. */
static int decode_figure(const Io__Deephaven__Proto__Backplane__Script__Grpc__FigureDescriptor *fd,
                         struct dh_figure *f)
{
    f->title = dup_str(fd->title);
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
            if (!fd->charts[c] && !(f->charts[c].title = dup_str("")))
                return DH_ENOMEM;
        }
    }
    if (fd->n_errors) {
        f->errors = calloc(fd->n_errors, sizeof *f->errors);
        if (!f->errors)
            return DH_ENOMEM;
        for (size_t i = 0; i < fd->n_errors; i++) {
            f->n_errors = i + 1;
            if (!(f->errors[i] = dup_str(fd->errors[i])))
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

/* Append one message to f->errors. DH_ENOMEM. */
static int add_error(struct dh_figure *f, const char *msg)
{
    char **e = realloc(f->errors, (f->n_errors + 1) * sizeof *e);
    if (!e)
        return DH_ENOMEM;
    f->errors = e;
    if (!(e[f->n_errors] = dup_str(msg)))
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

int dh_figure_attach_refs(struct dh_figure *f, const struct dh_ticket *tickets,
                          const char *const *types, size_t n, struct dh_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int is_table = types[i] && strcmp(types[i], "Table") == 0;
        int rc = is_table ? push_ticket(&f->tables, &f->n_tables, &tickets[i])
                          : push_ticket(&f->other_refs, &f->n_other_refs, &tickets[i]);
        if (rc != DH_OK)
            return dh_error_set(err, DH_ENOMEM, "out of memory while reading a figure");
    }
    for (size_t c = 0; c < f->n_charts; c++) {
        for (size_t i = 0; i < f->charts[c].n_series; i++) {
            struct dh_figure_series *se = &f->charts[c].series[i];
            if (se->table_index < 0 || (size_t)se->table_index < f->n_tables)
                continue;
            char msg[256];
            snprintf(msg, sizeof msg,
                     "Series %zu of chart %zu names table %d, but the server sent %zu "
                     "table references.",
                     i + 1, c + 1, se->table_index, f->n_tables);
            se->table_index = -1;
            if (add_error(f, msg) != DH_OK)
                return dh_error_set(err, DH_ENOMEM, "out of memory while reading a figure");
        }
    }
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
}

/* What the stream delivered: the payload and every reference received (kept
 * even when decoding fails, so they can be released). */
struct figure_reply {
    uint8_t *payload;
    size_t payload_len;
    int have_payload;
    size_t n_refs;
    struct dh_ticket *refs;
    char **types;
};

static void reply_reset(struct figure_reply *r)
{
    free(r->payload);
    for (size_t i = 0; i < r->n_refs; i++)
        free(r->types[i]);
    free(r->types);
    free(r->refs);
    memset(r, 0, sizeof *r);
}

/* Record the references of one ServerData. A reference whose ticket is
 * missing or unusable is kept as an empty ticket so table_id indices stay
 * aligned. DH_ENOMEM or DH_EINVAL (too many). */
static int reply_add_refs(struct figure_reply *r,
                          const Io__Deephaven__Proto__Backplane__Grpc__ServerData *sd,
                          struct dh_error *err)
{
    size_t n = sd->n_exported_references;
    if (n > FIGURE_MAX_REFS || r->n_refs + n > FIGURE_MAX_REFS)
        return dh_error_set(err, DH_EINVAL,
                            "expected at most %d figure references but the server sent %zu",
                            FIGURE_MAX_REFS, r->n_refs + n);
    if (n == 0)
        return DH_OK;
    struct dh_ticket *refs = realloc(r->refs, (r->n_refs + n) * sizeof *refs);
    if (refs)
        r->refs = refs;
    char **types = refs ? realloc(r->types, (r->n_refs + n) * sizeof *types) : NULL;
    if (!types)
        return dh_error_set(err, DH_ENOMEM, "out of memory while reading a figure");
    r->types = types;
    for (size_t i = 0; i < n; i++) {
        const Io__Deephaven__Proto__Backplane__Grpc__TypedTicket *tt = sd->exported_references[i];
        struct dh_ticket *t = &r->refs[r->n_refs];
        dh_ticket_init(t);
        if (tt && tt->ticket)
            dh_ticket_set_bytes(t, tt->ticket->ticket.data, tt->ticket->ticket.len, NULL);
        types[r->n_refs] = dup_str(tt ? tt->type : "");
        if (!types[r->n_refs])
            return dh_error_set(err, DH_ENOMEM, "out of memory while reading a figure");
        r->n_refs++;
    }
    return DH_OK;
}

/* Take one StreamResponse: keep its references, and its payload if it is the
 * first. DH_EINVAL for a malformed message. */
static int reply_take(struct figure_reply *r, const struct dh_buf *msg, struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__StreamResponse *sr =
        io__deephaven__proto__backplane__grpc__stream_response__unpack(NULL, msg->len, msg->data);
    if (!sr)
        return dh_error_set(err, DH_EINVAL, "malformed StreamResponse from server");
    int rc = DH_OK;
    const Io__Deephaven__Proto__Backplane__Grpc__ServerData *sd =
        sr->message_case == IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_RESPONSE__MESSAGE_DATA
            ? sr->data
            : NULL;
    if (sd) {
        rc = reply_add_refs(r, sd, err);
        if (rc == DH_OK && !r->have_payload) {
            r->payload_len = sd->payload.len;
            r->payload = malloc(sd->payload.len ? sd->payload.len : 1);
            if (!r->payload)
                rc = dh_error_set(err, DH_ENOMEM, "out of memory while reading a figure");
            else if (sd->payload.len)
                memcpy(r->payload, sd->payload.data, sd->payload.len);
            r->have_payload = rc == DH_OK;
        }
    }
    io__deephaven__proto__backplane__grpc__stream_response__free_unpacked(sr, NULL);
    return rc;
}

/* Run the MessageStream: connect, read the payload, half-close, drain.
 * err must not be NULL. */
static int figure_stream(struct dh_session *s, const struct dh_ticket *t, struct figure_reply *r,
                         struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__Ticket pt =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    pt.ticket.len = t->len;
    pt.ticket.data = (uint8_t *)t->bytes;
    Io__Deephaven__Proto__Backplane__Grpc__TypedTicket tt =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TYPED_TICKET__INIT;
    tt.ticket = &pt;
    tt.type = (char *)"Figure";
    Io__Deephaven__Proto__Backplane__Grpc__ConnectRequest conn =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONNECT_REQUEST__INIT;
    conn.source_id = &tt;
    Io__Deephaven__Proto__Backplane__Grpc__StreamRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_REQUEST__INIT;
    req.message_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_REQUEST__MESSAGE_CONNECT;
    req.connect = &conn;

    char text[128], what[160];
    if (dh_ticket_format(t, text, sizeof text) < 0)
        snprintf(text, sizeof text, "(empty ticket)");
    snprintf(what, sizeof what, "Fetching figure %s", text);

    struct dh_stream *st =
        dh_stream_open(dh_session_channel(s), dh_session_bearer(s), DH_M_MESSAGE_STREAM, &req.base,
                       0, dh_session_call_timeout_ms(s), what, err);
    if (!st)
        return err->code != DH_OK ? err->code : DH_EGRPC;
    struct dh_buf msg = {0};
    int rc = dh_stream_read(st, &msg, err);
    if (rc == DH_END)
        rc = dh_error_set(err, DH_EINVAL,
                          "%s: the server ended the stream without sending the figure", what);
    if (rc == DH_OK)
        rc = reply_take(r, &msg, err);
    dh_buf_reset(&msg);
    if (rc == DH_OK && !r->have_payload)
        rc = dh_error_set(err, DH_EINVAL, "%s: expected a data message but the server sent none",
                          what);
    if (rc == DH_OK) {
        /* A fetch-only object: the server completes after its one message. Read
         * to the end so late references are still seen (and released). */
        struct dh_error drain_err;
        dh_stream_writes_done(st, &drain_err);
        while (dh_stream_read(st, &msg, &drain_err) == DH_OK) {
            int trc = reply_take(r, &msg, &drain_err);
            dh_buf_reset(&msg);
            if (trc != DH_OK)
                break;
        }
        dh_buf_reset(&msg);
    }
    dh_stream_free(st);
    return rc;
}

int dh_figure_fetch(struct dh_session *s, const struct dh_ticket *t, struct dh_figure **out,
                    struct dh_error *err)
{
    *out = NULL;
    struct figure_reply r = {0};
    struct dh_figure *f = NULL;
    struct dh_error e; /* local: the status code is needed even when err is NULL */
    dh_error_clear(&e);
    int rc = figure_stream(s, t, &r, &e);
    if (rc == DH_OK)
        rc = dh_figure_decode(r.payload, r.payload_len, &f, &e);
    if (rc == DH_OK)
        rc = dh_figure_attach_refs(f, r.refs, (const char *const *)r.types, r.n_refs, &e);
    if (err)
        *err = e;
    if (rc != DH_OK) {
        /* Leave nothing behind on the server: release what it exported to us. */
        release_all(s, r.refs, r.n_refs);
        dh_figure_free(f);
        reply_reset(&r);
        return rc;
    }
    reply_reset(&r);
    *out = f;
    return DH_OK;
}
