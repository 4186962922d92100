/* SPDX-License-Identifier: MIT */
/* object_stream.c: a plugin object's first message through
 * ObjectService.MessageStream (upstream ObjectServiceGrpcImpl.java; the web
 * client's JsWidget reads it the same way). */
#include "dh_object_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deephaven_core/proto/object.pb-c.h"
#include "deephaven_core/proto/ticket.pb-c.h"
#include "dh_cancel.h"
#include "dh_exports.h"
#include "dh_session.h"
#include "dh_transport.h"
#include "dh_text.h"

void dh_object_reply_reset(struct dh_object_reply *r)
{
    free(r->payload);
    for (size_t i = 0; i < r->n_refs; i++)
        free(r->types[i]);
    free(r->types);
    free(r->refs);
    memset(r, 0, sizeof *r);
}

void dh_object_reply_release(struct dh_session *s, struct dh_object_reply *r)
{
    for (size_t i = 0; i < r->n_refs; i++) {
        if (r->refs[i].len == 0)
            continue;
        dh_release(s, &r->refs[i], NULL);
        dh_ticket_reset(&r->refs[i]);
    }
}

/* Record the references of one ServerData. A reference whose ticket is
 * missing or unusable is kept as an empty ticket so indices stay aligned. */
static int add_refs(struct dh_object_reply *r,
                    const Io__Deephaven__Proto__Backplane__Grpc__ServerData *sd,
                    struct dh_error *err)
{
    size_t n = sd->n_exported_references;
    if (n > DH_OBJECT_MAX_REFS || r->n_refs + n > DH_OBJECT_MAX_REFS)
        return dh_error_set(err, DH_EINVAL,
                            "expected at most %d object references but the server sent %zu",
                            DH_OBJECT_MAX_REFS, r->n_refs + n);
    if (n == 0)
        return DH_OK;
    struct dh_ticket *refs = realloc(r->refs, (r->n_refs + n) * sizeof *refs);
    if (refs)
        r->refs = refs;
    char **types = refs ? realloc(r->types, (r->n_refs + n) * sizeof *types) : NULL;
    if (!types)
        return dh_error_set(err, DH_ENOMEM, "out of memory reading an object");
    r->types = types;
    for (size_t i = 0; i < n; i++) {
        const Io__Deephaven__Proto__Backplane__Grpc__TypedTicket *tt = sd->exported_references[i];
        struct dh_ticket *t = &r->refs[r->n_refs];
        dh_ticket_init(t);
        if (tt && tt->ticket)
            dh_ticket_set_bytes(t, tt->ticket->ticket.data, tt->ticket->ticket.len, NULL);
        types[r->n_refs] = dh_str_dup(tt ? tt->type : "");
        if (!types[r->n_refs])
            return dh_error_set(err, DH_ENOMEM, "out of memory reading an object");
        r->n_refs++;
    }
    return DH_OK;
}

int dh_object_reply_take(struct dh_object_reply *r, const uint8_t *msg, size_t len,
                         struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__StreamResponse *sr =
        io__deephaven__proto__backplane__grpc__stream_response__unpack(NULL, len, msg);
    if (!sr)
        return dh_error_set(err, DH_EINVAL, "malformed StreamResponse from server");
    int rc = DH_OK;
    const Io__Deephaven__Proto__Backplane__Grpc__ServerData *sd =
        sr->message_case == IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_RESPONSE__MESSAGE_DATA
            ? sr->data
            : NULL;
    if (sd) {
        rc = add_refs(r, sd, err);
        if (rc == DH_OK && !r->have_payload) {
            r->payload_len = sd->payload.len;
            r->payload = malloc(sd->payload.len ? sd->payload.len : 1);
            if (!r->payload)
                rc = dh_error_set(err, DH_ENOMEM, "out of memory reading an object");
            else if (sd->payload.len)
                memcpy(r->payload, sd->payload.data, sd->payload.len);
            r->have_payload = rc == DH_OK;
        }
    }
    io__deephaven__proto__backplane__grpc__stream_response__free_unpacked(sr, NULL);
    return rc;
}

/* Open MessageStream and send the connect request for object t of type
 * (deadline_ms 0: none). NULL with err filled on failure. */
static struct dh_stream *connect_object(struct dh_session *s, const struct dh_ticket *t,
                                        const char *type, int deadline_ms, char *what,
                                        size_t what_len, struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__Ticket pt =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    pt.ticket.len = t->len;
    pt.ticket.data = (uint8_t *)t->bytes;
    Io__Deephaven__Proto__Backplane__Grpc__TypedTicket tt =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TYPED_TICKET__INIT;
    tt.ticket = &pt;
    tt.type = (char *)type;
    Io__Deephaven__Proto__Backplane__Grpc__ConnectRequest conn =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONNECT_REQUEST__INIT;
    conn.source_id = &tt;
    Io__Deephaven__Proto__Backplane__Grpc__StreamRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_REQUEST__INIT;
    req.message_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_REQUEST__MESSAGE_CONNECT;
    req.connect = &conn;

    char text[128];
    if (dh_ticket_format(t, text, sizeof text) < 0)
        snprintf(text, sizeof text, "(empty ticket)");
    snprintf(what, what_len, "Fetching %s %s", type, text);
    return dh_stream_open(dh_session_channel(s), dh_session_bearer(s), DH_M_MESSAGE_STREAM,
                          &req.base, 0, deadline_ms, what, err);
}

int dh_object_stream_fetch(struct dh_session *s, const struct dh_ticket *t, const char *type,
                           struct dh_object_reply *r, struct dh_error *err)
{
    char what[200];
    struct dh_stream *st =
        connect_object(s, t, type, dh_session_call_timeout_ms(s), what, sizeof what, err);
    if (!st)
        return err->code != DH_OK ? err->code : DH_EGRPC;
    struct dh_buf msg = {0};
    int rc = dh_stream_read(st, &msg, err);
    if (rc == DH_END)
        rc =
            dh_error_set(err, DH_EINVAL, "%s: the server ended the stream without a message", what);
    if (rc == DH_OK)
        rc = dh_object_reply_take(r, msg.data, msg.len, err);
    dh_buf_reset(&msg);
    if (rc == DH_OK && !r->have_payload)
        rc = dh_error_set(err, DH_EINVAL, "%s: expected a data message but the server sent none",
                          what);
    if (rc == DH_OK) {
        /* A fetch-only object completes after its one message, a bidirectional
         * one when we half-close. Read to the end so late references are still
         * seen (and released). */
        struct dh_error drain_err;
        dh_stream_writes_done(st, &drain_err);
        while (dh_stream_read(st, &msg, &drain_err) == DH_OK) {
            int trc = dh_object_reply_take(r, msg.data, msg.len, &drain_err);
            dh_buf_reset(&msg);
            if (trc != DH_OK)
                break;
        }
        dh_buf_reset(&msg);
    }
    dh_stream_free(st);
    return rc;
}

/* ---- a stream kept open ---- */

struct dh_object_watch {
    struct dh_stream *st;
    struct dh_cancel *cancel; /* st attached: dh_object_watch_cancel fires it */
    char what[200];
};

struct dh_object_watch *dh_object_watch_open(struct dh_session *s, const struct dh_ticket *t,
                                             const char *type, struct dh_error *err)
{
    struct dh_object_watch *w = calloc(1, sizeof *w);
    if (w)
        w->cancel = dh_cancel_new();
    if (!w || !w->cancel) {
        dh_error_set(err, DH_ENOMEM, "out of memory opening an object stream");
        dh_object_watch_free(w);
        return NULL;
    }
    /* No deadline: the stream lives as long as its view. */
    w->st = connect_object(s, t, type, 0, w->what, sizeof w->what, err);
    if (!w->st || dh_cancel_attach(w->cancel, w->st, err) != DH_OK) {
        if (!w->st && err->code == DH_OK)
            err->code = DH_EGRPC;
        dh_object_watch_free(w);
        return NULL;
    }
    return w;
}

int dh_object_watch_next(struct dh_object_watch *w, struct dh_object_reply *r, struct dh_error *err)
{
    dh_object_reply_reset(r);
    for (;;) {
        if (dh_cancel_fired(w->cancel))
            return dh_error_set(err, DH_ECANCELLED, "%s: cancelled", w->what);
        struct dh_buf msg = {0};
        int rc = dh_stream_read(w->st, &msg, err);
        if (rc == DH_OK)
            rc = dh_object_reply_take(r, msg.data, msg.len, err);
        dh_buf_reset(&msg);
        if (rc != DH_OK)
            return dh_cancel_fired(w->cancel)
                       ? dh_error_set(err, DH_ECANCELLED, "%s: cancelled", w->what)
                       : rc;
        if (r->have_payload || r->n_refs)
            return DH_OK;
    }
}

void dh_object_watch_cancel(struct dh_object_watch *w)
{
    if (w)
        dh_cancel_fire(w->cancel);
}

void dh_object_watch_free(struct dh_object_watch *w)
{
    if (!w)
        return;
    if (w->st) {
        dh_cancel_detach(w->cancel, w->st);
        dh_stream_cancel(w->st); /* the plugin's connection ends with the call */
    }
    dh_stream_free(w->st);
    dh_cancel_free(w->cancel);
    free(w);
}
