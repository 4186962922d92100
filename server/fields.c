/* SPDX-License-Identifier: MIT */
/* fields: the demo server's ListFields state (known fields, touched keys), subscribers and
 * the 250 ms update debounce. */
#include "fields.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deephaven_core/proto/application.pb-c.h"
#include "pbutil.h"
#include "registry_internal.h"

/* Upstream's ListFields debounce (ApplicationServiceGrpcImpl.FieldUpdatePropagationJob). */
#define FIELDS_INTERVAL_MS 250
/* Upstream's description of every scope variable; the built-ins keep their own (the
 * object list shows it; a real server's would read this). */
#define SCOPE_DESCRIPTION "query scope variable"

/* A ListFields stream's queue of packed deltas, linked into the registry. */
struct demo_fields_sub {
    struct demo_fields_sub *next;
    struct demo_session *s;
    struct demo_msg_queue q;
};

/* One ListFields entry (FieldInfo). */
struct demo_field {
    char *ticket;
    char *name;
    char *type;
    char *desc;
    int app;
};

/* Longest ticket listed: names far longer than clients may handle, as a
 * real server lists them (tests check that clients say so, not crash). */
#define FIELD_TICKET_MAX 8192

/* ---------------------------------------------------------------- fields */

size_t demo_object_ticket(const struct demo_object *o, char *buf, size_t cap)
{
    /* Every listed object is a query-scope variable, as on a console-backed server
     * (the built-ins' a/demo/f/<name> tickets still resolve: tickets.c). */
    int n = snprintf(buf, cap, "s/%s", demo_object_name(o));
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* Free a field's strings and clear it. */
static void field_free(struct demo_field *f)
{
    free(f->ticket);
    free(f->name);
    free(f->type);
    free(f->desc);
    memset(f, 0, sizeof *f);
}

/* The field of a listed object; 0, or -1 (out of memory or no ticket). */
static int field_from_object(const struct demo_object *o, struct demo_field *f)
{
    char t[FIELD_TICKET_MAX];
    memset(f, 0, sizeof *f);
    if (!demo_object_ticket(o, t, sizeof t))
        return -1;
    f->app = demo_object_is_app_field(o);
    f->ticket = strdup(t);
    f->name = strdup(demo_object_name(o));
    f->type = strdup(demo_object_type(o));
    f->desc = strdup(f->app ? demo_object_description(o) : SCOPE_DESCRIPTION);
    if (!f->ticket || !f->name || !f->type || !f->desc) {
        field_free(f);
        return -1;
    }
    return 0;
}

/* A deep copy of a field; 0 or -1 (out of memory). */
static int field_copy(const struct demo_field *src, struct demo_field *f)
{
    memset(f, 0, sizeof *f);
    f->app = src->app;
    f->ticket = strdup(src->ticket);
    f->name = strdup(src->name);
    f->type = strdup(src->type);
    f->desc = strdup(src->desc);
    if (!f->ticket || !f->name || !f->type || !f->desc) {
        field_free(f);
        return -1;
    }
    return 0;
}

/* The live listed object whose ticket is key, as a field; 0 if there is one. */
static int current_field(struct demo_registry *r, const char *key, struct demo_field *f)
{
    size_t n = demo_catalog_count(r->cat);
    char t[FIELD_TICKET_MAX];
    for (size_t i = 0; i < n; i++) {
        const struct demo_object *o = demo_catalog_at(r->cat, i);
        if (!o || demo_object_removed(o) || demo_object_hidden(o))
            continue;
        if (demo_object_ticket(o, t, sizeof t) && strcmp(t, key) == 0)
            return field_from_object(o, f);
    }
    return -1;
}

/* Index of the known field whose ticket is key, or -1. */
static long known_find(const struct demo_registry *r, const char *key)
{
    for (size_t i = 0; i < r->n_known; i++)
        if (strcmp(r->known[i].ticket, key) == 0)
            return (long)i;
    return -1;
}

/* Point a FieldInfo (and its typed ticket) at a field's strings. */
static void field_to_pb(const struct demo_field *f, DHPB(FieldInfo) * fi, DHPB(TypedTicket) * tt,
                        DHPB(Ticket) * t)
{
    DHPB(Ticket) t0 = DHPB_INIT(TICKET);
    DHPB(TypedTicket) tt0 = DHPB_INIT(TYPED_TICKET);
    DHPB(FieldInfo) fi0 = DHPB_INIT(FIELD_INFO);
    *t = t0;
    *tt = tt0;
    *fi = fi0;
    t->ticket.data = (uint8_t *)f->ticket;
    t->ticket.len = strlen(f->ticket);
    tt->ticket = t;
    tt->type = f->type;
    fi->typed_ticket = tt;
    fi->field_name = f->name;
    fi->field_description = f->desc;
    /* ApplicationServiceGrpcImpl lists query-scope variables under application "scope"
     * with an empty name. */
    fi->application_id = (char *)"scope";
    fi->application_name = (char *)"";
}

/* One group of FieldInfos of a FieldsChangeUpdate. */
struct pb_fields {
    DHPB(FieldInfo) * *ptrs;
    DHPB(FieldInfo) * infos;
    DHPB(TypedTicket) * tts;
    DHPB(Ticket) * ts;
};

/* Point g at n fields as FieldInfo messages; 0 or -1 (out of memory). */
static int pb_fields_fill(struct pb_fields *g, const struct demo_field *fs, size_t n)
{
    memset(g, 0, sizeof *g);
    size_t m = n ? n : 1;
    g->ptrs = calloc(m, sizeof *g->ptrs);
    g->infos = calloc(m, sizeof *g->infos);
    g->tts = calloc(m, sizeof *g->tts);
    g->ts = calloc(m, sizeof *g->ts);
    if (!g->ptrs || !g->infos || !g->tts || !g->ts)
        return -1;
    for (size_t i = 0; i < n; i++) {
        field_to_pb(&fs[i], &g->infos[i], &g->tts[i], &g->ts[i]);
        g->ptrs[i] = &g->infos[i];
    }
    return 0;
}

/* Free what pb_fields_fill allocated (not the fields). */
static void pb_fields_free(struct pb_fields *g)
{
    free(g->ptrs);
    free(g->infos);
    free(g->tts);
    free(g->ts);
}

/* Pack a FieldsChangeUpdate from three groups of fields. */
static int pack_fields_update(const struct demo_field *cr, size_t ncr, const struct demo_field *up,
                              size_t nup, const struct demo_field *rm, size_t nrm, uint8_t **out,
                              size_t *len)
{
    struct pb_fields g[3];
    int rc = -1;
    if (pb_fields_fill(&g[0], cr, ncr) == 0 && pb_fields_fill(&g[1], up, nup) == 0 &&
        pb_fields_fill(&g[2], rm, nrm) == 0) {
        DHPB(FieldsChangeUpdate) u = DHPB_INIT(FIELDS_CHANGE_UPDATE);
        u.n_created = ncr;
        u.created = g[0].ptrs;
        u.n_updated = nup;
        u.updated = g[1].ptrs;
        u.n_removed = nrm;
        u.removed = g[2].ptrs;
        rc = demo_pb_pack(&u.base, out, len);
    }
    for (int i = 0; i < 3; i++)
        pb_fields_free(&g[i]);
    return rc;
}

/* Field change lists under construction. */
struct field_list {
    struct demo_field *v;
    size_t n, cap;
};

/* Free every field of the list and the list. */
static void field_list_free(struct field_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        field_free(&l->v[i]);
    free(l->v);
}

/* Move f onto the list (f is cleared); 0 or -1 (out of memory). */
static int field_list_add(struct field_list *l, struct demo_field *f)
{
    if (demo_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) != 0)
        return -1;
    l->v[l->n++] = *f;
    memset(f, 0, sizeof *f);
    return 0;
}

/* Apply the touched keys to `known` and send the delta to every subscriber
 * (ApplicationServiceGrpcImpl.propagateUpdates; remove+create folds into updated). */
static void fields_propagate_locked(struct demo_registry *r)
{
    struct field_list cr = {0}, up = {0}, rm = {0};
    for (size_t i = 0; i < r->n_touched; i++) {
        const char *key = r->touched[i];
        long ki = known_find(r, key);
        struct demo_field cur, copy;
        int has_cur = current_field(r, key, &cur) == 0;
        if (ki < 0 && has_cur) {
            if (field_copy(&cur, &copy) == 0 && field_list_add(&cr, &copy) == 0 &&
                demo_grow((void **)&r->known, &r->cap_known, r->n_known + 1, sizeof *r->known) ==
                    0) {
                r->known[r->n_known++] = cur;
                continue;
            }
            field_free(&copy);
            field_free(&cur);
        } else if (ki >= 0 && !has_cur) {
            struct demo_field old = r->known[ki];
            memmove(r->known + ki, r->known + ki + 1,
                    (r->n_known - (size_t)ki - 1) * sizeof *r->known);
            r->n_known--;
            if (field_list_add(&rm, &old) != 0)
                field_free(&old);
        } else if (ki >= 0 && has_cur) {
            if (field_copy(&cur, &copy) == 0 && field_list_add(&up, &copy) == 0) {
                field_free(&r->known[ki]);
                r->known[ki] = cur;
                continue;
            }
            field_free(&copy);
            field_free(&cur);
        }
    }
    for (size_t i = 0; i < r->n_touched; i++)
        free(r->touched[i]);
    r->n_touched = 0;
    r->fields_scheduled = 0;
    uint8_t *buf;
    size_t len;
    if ((cr.n || up.n || rm.n) && r->subs &&
        pack_fields_update(cr.v, cr.n, up.v, up.n, rm.v, rm.n, &buf, &len) == 0) {
        for (struct demo_fields_sub *s = r->subs; s; s = s->next)
            if (!s->s->expired)
                demo_queue_push(&s->q, buf, len);
        free(buf);
        pthread_cond_broadcast(&r->cond);
    }
    field_list_free(&cr);
    field_list_free(&up);
    field_list_free(&rm);
}

void demo_fields_touch(struct demo_registry *r, const struct demo_object *o)
{
    char t[FIELD_TICKET_MAX];
    if (!o || !demo_object_ticket(o, t, sizeof t))
        return;
    pthread_mutex_lock(&r->lock);
    int seen = 0;
    for (size_t i = 0; i < r->n_touched && !seen; i++)
        seen = strcmp(r->touched[i], t) == 0;
    if (!seen && demo_grow((void **)&r->touched, &r->cap_touched, r->n_touched + 1,
                           sizeof *r->touched) == 0) {
        char *k = strdup(t);
        if (k)
            r->touched[r->n_touched++] = k;
    }
    if (!r->subs) {
        fields_propagate_locked(r); /* nobody listens: run on this thread at once */
    } else if (!r->fields_scheduled) {
        /* FieldUpdatePropagationJob.markUpdates: at most one run per 250 ms. */
        int64_t now = demo_now_ms();
        r->fields_scheduled = 1;
        if (now >= r->fields_last + FIELDS_INTERVAL_MS) {
            r->fields_due = now;
            r->fields_last = now;
        } else {
            r->fields_due = r->fields_last + FIELDS_INTERVAL_MS;
            r->fields_last = r->fields_due;
        }
        pthread_cond_broadcast(&r->cond);
    }
    pthread_mutex_unlock(&r->lock);
}

struct demo_fields_sub *demo_fields_subscribe(struct demo_registry *r, struct demo_session *s,
                                              uint8_t **initial, size_t *len)
{
    pthread_mutex_lock(&r->lock);
    struct demo_fields_sub *sub = NULL;
    if (!demo_session_check_locked(r, s))
        goto out;
    if (r->n_touched)
        fields_propagate_locked(r); /* "ensure it is up to date" before the snapshot */
    sub = calloc(1, sizeof *sub);
    if (!sub)
        goto out;
    if (pack_fields_update(r->known, r->n_known, NULL, 0, NULL, 0, initial, len) != 0) {
        free(sub);
        sub = NULL;
        goto out;
    }
    sub->s = s;
    sub->next = r->subs;
    r->subs = sub;
out:
    pthread_mutex_unlock(&r->lock);
    return sub;
}

int demo_fields_next(struct demo_registry *r, struct demo_fields_sub *sub, demo_stop_fn stop,
                     void *ctx, uint8_t **data, size_t *len)
{
    pthread_mutex_lock(&r->lock);
    int rc = demo_queue_wait_locked(r, &sub->q, sub->s, NULL, stop, ctx, data, len);
    pthread_mutex_unlock(&r->lock);
    return rc;
}

void demo_fields_unsubscribe(struct demo_registry *r, struct demo_fields_sub *sub)
{
    if (!sub)
        return;
    pthread_mutex_lock(&r->lock);
    for (struct demo_fields_sub **pp = &r->subs; *pp; pp = &(*pp)->next) {
        if (*pp == sub) {
            *pp = sub->next;
            break;
        }
    }
    demo_queue_clear(&sub->q);
    free(sub);
    pthread_mutex_unlock(&r->lock);
}

int demo_fields_init(struct demo_registry *r)
{
    /* At startup every live object is known (application load with no subscribers). */
    size_t n = demo_catalog_count(r->cat);
    for (size_t i = 0; i < n; i++) {
        const struct demo_object *o = demo_catalog_at(r->cat, i);
        struct demo_field f;
        if (!o || demo_object_removed(o) || demo_object_hidden(o))
            continue;
        if (field_from_object(o, &f) != 0 ||
            demo_grow((void **)&r->known, &r->cap_known, r->n_known + 1, sizeof *r->known) != 0) {
            field_free(&f);
            return -1;
        }
        r->known[r->n_known++] = f;
    }
    return 0;
}

void demo_fields_tick_locked(struct demo_registry *r, int64_t now, int64_t *next)
{
    if (r->fields_scheduled) {
        if (r->fields_due <= now)
            fields_propagate_locked(r);
        else if (r->fields_due < *next)
            *next = r->fields_due;
    }
}

void demo_fields_free_locked(struct demo_registry *r)
{
    for (size_t i = 0; i < r->n_known; i++)
        field_free(&r->known[i]);
    for (size_t i = 0; i < r->n_touched; i++)
        free(r->touched[i]);
    free(r->known);
    free(r->touched);
    r->known = NULL;
    r->touched = NULL;
    r->n_known = r->cap_known = r->n_touched = r->cap_touched = 0;
}
