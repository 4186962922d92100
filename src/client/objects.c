/* SPDX-License-Identifier: MIT */
/* objects.c: the object model fed by ApplicationService.ListFields
 * (ApplicationServiceGrpcImpl: first message = everything, then deltas keyed
 * by ticket). */
#include "dh_objects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deephaven_core/proto/application.pb-c.h"
#include "dh_cancel.h"
#include "dh_session.h"
#include "dh_transport.h"

typedef Io__Deephaven__Proto__Backplane__Grpc__FieldInfo field_info;
typedef Io__Deephaven__Proto__Backplane__Grpc__FieldsChangeUpdate fields_update;

struct dh_objects {
    size_t n, cap;
    struct dh_object *items; /* unsorted; keyed by ticket */
};

struct dh_objects *dh_objects_new(void)
{
    return calloc(1, sizeof(struct dh_objects));
}

void dh_object_reset(struct dh_object *o)
{
    if (!o)
        return;
    free(o->name);
    free(o->type);
    free(o->description);
    free(o->app_name);
    free(o->app_id);
    free(o->unusable);
    memset(o, 0, sizeof *o);
}

void dh_objects_free(struct dh_objects *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        dh_object_reset(&m->items[i]);
    free(m->items);
    free(m);
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

int dh_object_copy(struct dh_object *dst, const struct dh_object *src)
{
    memset(dst, 0, sizeof *dst);
    dst->name = dup_or_empty(src->name);
    dst->type = dup_or_empty(src->type);
    dst->description = dup_or_empty(src->description);
    dst->app_name = dup_or_empty(src->app_name);
    dst->app_id = dup_or_empty(src->app_id);
    dst->ticket = src->ticket;
    dst->unusable = src->unusable ? strdup(src->unusable) : NULL;
    if (!dst->name || !dst->type || !dst->description || !dst->app_name || !dst->app_id ||
        (src->unusable && !dst->unusable)) {
        dh_object_reset(dst);
        return DH_ENOMEM;
    }
    return DH_OK;
}

/* Convert one FieldInfo. A field whose ticket dhtui cannot hold is kept,
 * with an empty ticket and the reason in `unusable`. */
static int object_from_field(struct dh_object *o, const field_info *f)
{
    memset(o, 0, sizeof *o);
    const Io__Deephaven__Proto__Backplane__Grpc__TypedTicket *tt = f->typed_ticket;
    size_t len = tt && tt->ticket ? tt->ticket->ticket.len : 0;
    char why[160] = "";
    if (len == 0)
        snprintf(why, sizeof why, "the server listed it without a ticket");
    else if (len > DH_TICKET_MAX)
        snprintf(why, sizeof why,
                 "its ticket is %zu bytes, more than the %d dhtui can use "
                 "(a name that long cannot be opened)",
                 len, DH_TICKET_MAX);
    struct dh_object tmp = {
        .name = f->field_name,
        .type = tt ? tt->type : NULL,
        .description = f->field_description,
        .app_name = f->application_name,
        .app_id = f->application_id,
        .unusable = why[0] ? why : NULL,
    };
    if (!why[0]) {
        tmp.ticket.len = len;
        memcpy(tmp.ticket.bytes, tt->ticket->ticket.data, len);
    }
    return dh_object_copy(o, &tmp);
}

/* The model's entry for o: by ticket, or for an unusable object (no ticket)
 * by name and application. -1 if absent. */
static long find_same(const struct dh_objects *m, const struct dh_object *o)
{
    for (size_t i = 0; i < m->n; i++) {
        const struct dh_object *x = &m->items[i];
        if (o->ticket.len ? dh_ticket_equal(&x->ticket, &o->ticket)
                          : x->ticket.len == 0 && strcmp(x->name, o->name) == 0 &&
                                strcmp(x->app_id, o->app_id) == 0)
            return (long)i;
    }
    return -1;
}

static void remove_at(struct dh_objects *m, size_t i)
{
    dh_object_reset(&m->items[i]);
    m->items[i] = m->items[m->n - 1];
    m->n--;
}

static int upsert(struct dh_objects *m, const field_info *f)
{
    struct dh_object o;
    int rc = object_from_field(&o, f);
    if (rc != DH_OK)
        return rc;
    long at = find_same(m, &o);
    if (at >= 0) {
        dh_object_reset(&m->items[at]);
        m->items[at] = o;
        return DH_OK;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        struct dh_object *items = realloc(m->items, cap * sizeof *items);
        if (!items) {
            dh_object_reset(&o);
            return DH_ENOMEM;
        }
        m->items = items;
        m->cap = cap;
    }
    m->items[m->n++] = o;
    return DH_OK;
}

static void remove_field(struct dh_objects *m, const field_info *f)
{
    struct dh_object o;
    if (object_from_field(&o, f) != DH_OK)
        return;
    long at = find_same(m, &o);
    if (at >= 0)
        remove_at(m, (size_t)at);
    dh_object_reset(&o);
}

int dh_objects_apply(struct dh_objects *m, const uint8_t *msg, size_t len, struct dh_error *err)
{
    fields_update *u =
        io__deephaven__proto__backplane__grpc__fields_change_update__unpack(NULL, len, msg);
    if (!u)
        return dh_error_set(err, DH_EINVAL, "malformed FieldsChangeUpdate from server");
    int rc = DH_OK;
    for (size_t i = 0; i < u->n_removed; i++)
        remove_field(m, u->removed[i]);
    for (size_t i = 0; i < u->n_created && rc == DH_OK; i++)
        rc = upsert(m, u->created[i]);
    for (size_t i = 0; i < u->n_updated && rc == DH_OK; i++)
        rc = upsert(m, u->updated[i]);
    io__deephaven__proto__backplane__grpc__fields_change_update__free_unpacked(u, NULL);
    if (rc != DH_OK)
        return dh_error_set(err, rc, "out of memory applying an object list update");
    return DH_OK;
}

size_t dh_objects_count(const struct dh_objects *m)
{
    return m->n;
}

/* Name, then application id, then ticket bytes: a total, stable order. */
static int object_cmp(const void *a, const void *b)
{
    const struct dh_object *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    c = strcmp(x->app_id, y->app_id);
    if (c)
        return c;
    size_t n = x->ticket.len < y->ticket.len ? x->ticket.len : y->ticket.len;
    c = memcmp(x->ticket.bytes, y->ticket.bytes, n);
    if (c)
        return c;
    return (x->ticket.len > y->ticket.len) - (x->ticket.len < y->ticket.len);
}

struct dh_object_list *dh_objects_snapshot(const struct dh_objects *m)
{
    struct dh_object_list *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->items = calloc(m->n ? m->n : 1, sizeof *l->items);
    if (!l->items) {
        free(l);
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++) {
        if (dh_object_copy(&l->items[i], &m->items[i]) != DH_OK) {
            dh_object_list_free(l);
            return NULL;
        }
        l->n++;
    }
    qsort(l->items, l->n, sizeof *l->items, object_cmp);
    return l;
}

void dh_object_list_free(struct dh_object_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        dh_object_reset(&l->items[i]);
    free(l->items);
    free(l);
}

const struct dh_object *dh_object_list_find(const struct dh_object_list *l, const char *name)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

/* ---- the stream ---- */

struct dh_objects_watch {
    struct dh_session *session;
    struct dh_stream *stream;
    struct dh_objects *model;
    struct dh_cancel *cancel; /* fired by dh_objects_watch_cancel; the stream attached */
};

static struct dh_stream *open_list_fields(struct dh_session *s, struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__ListFieldsRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LIST_FIELDS_REQUEST__INIT;
    return dh_stream_open(dh_session_channel(s), dh_session_bearer(s), DH_M_LIST_FIELDS, &req.base,
                          DH_STREAM_HALF_CLOSE, 0, "list objects", err);
}

int dh_objects_list(struct dh_session *s, struct dh_object_list **out, struct dh_error *err)
{
    *out = NULL;
    struct dh_objects *m = dh_objects_new();
    struct dh_stream *st = m ? open_list_fields(s, err) : NULL;
    if (!st) {
        dh_objects_free(m);
        return m ? (err ? err->code : DH_EGRPC) : dh_error_set(err, DH_ENOMEM, "out of memory");
    }
    struct dh_buf msg = {0};
    int rc = dh_stream_read(st, &msg, err);
    if (rc == DH_END)
        rc = dh_error_set(err, DH_EINVAL,
                          "list objects: the server ended the stream without a list");
    if (rc == DH_OK)
        rc = dh_objects_apply(m, msg.data, msg.len, err);
    dh_buf_reset(&msg);
    dh_stream_free(st); /* cancels: pydeephaven also reads one message and cancels */
    if (rc == DH_OK && !(*out = dh_objects_snapshot(m)))
        rc = dh_error_set(err, DH_ENOMEM, "out of memory");
    dh_objects_free(m);
    return rc;
}

struct dh_objects_watch *dh_objects_watch_new(struct dh_session *s, struct dh_error *err)
{
    struct dh_objects_watch *w = calloc(1, sizeof *w);
    if (!w || !(w->model = dh_objects_new()) || !(w->cancel = dh_cancel_new())) {
        dh_objects_watch_free(w);
        dh_error_set(err, DH_ENOMEM, "out of memory");
        return NULL;
    }
    w->session = s;
    w->stream = open_list_fields(s, err);
    if (!w->stream) {
        dh_objects_watch_free(w);
        return NULL;
    }
    dh_cancel_attach(w->cancel, w->stream, NULL); /* a new switch: not fired, empty */
    return w;
}

int dh_objects_watch_run(struct dh_objects_watch *w, dh_objects_fn on_change, void *ctx,
                         struct dh_error *err)
{
    for (;;) {
        struct dh_buf msg = {0};
        int rc = dh_stream_read(w->stream, &msg, err);
        if (rc == DH_END)
            return dh_error_set(err, DH_EGRPC, "list objects: the server ended the stream");
        if (rc != DH_OK)
            return dh_cancel_fired(w->cancel) ? DH_ECANCELLED : rc;
        rc = dh_objects_apply(w->model, msg.data, msg.len, err);
        dh_buf_reset(&msg);
        if (rc != DH_OK)
            return rc;
        struct dh_object_list *snap = dh_objects_snapshot(w->model);
        if (!snap)
            return dh_error_set(err, DH_ENOMEM, "out of memory");
        on_change(ctx, snap);
    }
}

void dh_objects_watch_cancel(struct dh_objects_watch *w)
{
    if (w)
        dh_cancel_fire(w->cancel);
}

void dh_objects_watch_free(struct dh_objects_watch *w)
{
    if (!w)
        return;
    dh_cancel_detach(w->cancel, w->stream);
    dh_stream_free(w->stream);
    dh_cancel_free(w->cancel);
    dh_objects_free(w->model);
    free(w);
}
