/* SPDX-License-Identifier: MIT */
/* exports: the demo server's session exports and their states, shared tickets and
 * ExportNotifications listeners. */
#include "exports.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/status.h>

#include "deephaven_core/proto/session.pb-c.h"
#include "dh_ticket.h"
#include "pbutil.h"
#include "registry_internal.h"

/* An ExportNotifications stream's queue, linked into its session. */
struct demo_listener {
    struct demo_listener *next;
    struct demo_session *s;
    struct demo_msg_queue q;
    int ended;
    int linked;
};

/* How a consumer fails when its dependency did (SessionState.onDependencyFailure). */
struct failure {
    int state;
    int has_sre;
    int sre_code;
    const char *sre_msg;
    char error_id[DEMO_UUID_LEN + 1];
    char dep_handle[16];
};

/* The upstream name of an export state (ExportNotification.State). */
static const char *state_name(int s)
{
    static const char *const names[] = {
        "UNKNOWN",
        "PENDING",
        "PUBLISHING",
        "QUEUED",
        "RUNNING",
        "EXPORTED",
        "RELEASED",
        "CANCELLED",
        "FAILED",
        "DEPENDENCY_FAILED",
        "DEPENDENCY_NEVER_FOUND",
        "DEPENDENCY_CANCELLED",
        "DEPENDENCY_RELEASED",
    };
    return s >= 0 && s <= DEMO_ES_DEPENDENCY_RELEASED ? names[s] : "UNKNOWN";
}

/* 1 for RELEASED and every state after it. */
int demo_export_state_terminal(int s)
{
    return s >= DEMO_ES_RELEASED;
}

/* ---------------------------------------------------------------- exports */

/* Drop an export reference; the last one frees it. */
void demo_export_unref_locked(struct demo_registry *r, struct demo_export *e)
{
    (void)r;
    if (!e || --e->refs > 0)
        return;
    demo_object_unref(e->obj);
    free(e->sre_msg);
    free(e);
}

/* A new UNKNOWN export of session s, referenced by the session's table. */
static struct demo_export *export_new(int32_t id, struct demo_session *s)
{
    struct demo_export *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->id = id;
    e->session = s;
    e->refs = 1; /* the session's table */
    return e;
}

/* Pack an ExportNotification for export `id` in `state`; context and handle may be
 * NULL (left unset). */
static int pack_export_notification(int32_t id, int state, const char *context, const char *handle,
                                    uint8_t **out, size_t *len)
{
    struct dh_ticket tk;
    dh_ticket_make_export(&tk, id);
    DHPB(Ticket) t = DHPB_INIT(TICKET);
    t.ticket.data = tk.bytes;
    t.ticket.len = tk.len;
    DHPB(ExportNotification) n = DHPB_INIT(EXPORT_NOTIFICATION);
    n.ticket = &t;
    n.export_state = (DHPB(ExportNotification__State))state;
    if (context)
        n.context = (char *)context;
    if (handle)
        n.dependent_handle = (char *)handle;
    return demo_pb_pack(&n.base, out, len);
}

/* Pack an ExportNotification for e's current state. */
static int pack_notification(const struct demo_export *e, uint8_t **out, size_t *len)
{
    int failed = e->error_id[0] && e->state != DEMO_ES_RELEASED && e->state != DEMO_ES_EXPORTED;
    return pack_export_notification(e->id, e->state, failed ? e->error_id : NULL,
                                    e->dep_handle[0] ? e->dep_handle : NULL, out, len);
}

/* Queue e's state for every export listener of its session. */
static void notify_listeners_locked(struct demo_export *e)
{
    if (!e->session || !e->session->listeners || e->id == 0)
        return;
    uint8_t *buf;
    size_t len;
    if (pack_notification(e, &buf, &len) != 0)
        return;
    for (struct demo_listener *l = e->session->listeners; l; l = l->next)
        if (!l->ended)
            demo_queue_push(&l->q, buf, len);
    free(buf);
}

/* Index of export id in the session table, or the insertion point (negated - 1). */
static long export_index(const struct demo_session *s, int32_t id)
{
    size_t lo = 0, hi = s->n_exports;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int32_t m = s->exports[mid]->id;
        if (m == id)
            return (long)mid;
        if (m < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

/* Export id of the session, or NULL. */
struct demo_export *demo_export_find(const struct demo_session *s, int32_t id)
{
    long i = export_index(s, id);
    return i >= 0 ? s->exports[i] : NULL;
}

/* Find or create (as a placeholder) export id of the session; NULL when out of memory. */
struct demo_export *demo_export_get_or_add(struct demo_session *s, int32_t id)
{
    long i = export_index(s, id);
    if (i >= 0)
        return s->exports[i];
    size_t at = (size_t)(-i - 1);
    if (demo_grow((void **)&s->exports, &s->cap_exports, s->n_exports + 1, sizeof *s->exports) != 0)
        return NULL;
    struct demo_export *e = export_new(id, s);
    if (!e)
        return NULL;
    memmove(s->exports + at + 1, s->exports + at, (s->n_exports - at) * sizeof *s->exports);
    s->exports[at] = e;
    s->n_exports++;
    notify_listeners_locked(e); /* the ExportObject constructor's setState(UNKNOWN) */
    return e;
}

static void settle_locked(struct demo_registry *r);

/* Change state (SessionState.ExportObject.setState): notify, then resolve dependents. */
static void set_state_locked(struct demo_registry *r, struct demo_export *e, int state)
{
    e->state = state;
    if (state == DEMO_ES_EXPORTED)
        e->ever_exported = 1;
    if (demo_export_state_terminal(state) && demo_object_is_derived(e->obj)) {
        /* a derived table lives as long as some export (or call) holds it */
        demo_object_unref(e->obj);
        e->obj = NULL;
    }
    notify_listeners_locked(e);
    if ((state == DEMO_ES_EXPORTED || demo_export_state_terminal(state)) && r->n_waiting > 0 &&
        demo_grow((void **)&r->settle, &r->cap_settle, r->n_settle + 1, sizeof *r->settle) == 0) {
        e->refs++;
        r->settle[r->n_settle++] = e;
    }
    pthread_cond_broadcast(&r->cond);
    settle_locked(r);
}

/* Take e off the list of exports waiting for a dependency (drops its dep reference). */
static void unwait_locked(struct demo_registry *r, struct demo_export *e)
{
    if (!e->dep)
        return;
    for (size_t i = 0; i < r->n_waiting; i++) {
        if (r->waiting[i] == e) {
            r->waiting[i] = r->waiting[--r->n_waiting];
            break;
        }
    }
    struct demo_export *dep = e->dep;
    e->dep = NULL;
    demo_export_unref_locked(r, dep);
    demo_export_unref_locked(r, e); /* the waiting list's reference */
}

/* How a consumer of p fails (SessionState.ExportObject.onDependencyFailure). via_shared:
 * p was reached through a shared ticket, i.e. through one more non-export. */
static void derive_failure(struct demo_registry *r, const struct demo_export *p, int via_shared,
                           struct failure *f)
{
    memset(f, 0, sizeof *f);
    f->state = DEMO_ES_DEPENDENCY_FAILED;
    if (p->has_sre) {
        f->has_sre = 1;
        f->sre_code = p->sre_code;
        f->sre_msg = p->sre_msg;
    }
    if (via_shared || p->error_id[0] || p->has_sre) {
        if (p->error_id[0])
            memcpy(f->error_id, p->error_id, sizeof f->error_id);
    } else if (p->state == DEMO_ES_RELEASED) {
        f->state = DEMO_ES_DEPENDENCY_RELEASED;
        snprintf(f->dep_handle, sizeof f->dep_handle, "%d", (int)p->id);
    } else if (p->state == DEMO_ES_CANCELLED) {
        f->state = DEMO_ES_DEPENDENCY_CANCELLED;
        snprintf(f->dep_handle, sizeof f->dep_handle, "%d", (int)p->id);
    }
    if (!f->error_id[0])
        demo_make_uuid(r, f->error_id);
}

/* The status a failed export reports to its RPC (SessionState.toErrorHandler). */
static void status_from_parts(int state, int has_sre, int sre_code, const char *sre_msg,
                              int has_cause, const char *error_id, const char *dep_handle,
                              struct demo_status *st)
{
    if (has_sre) {
        demo_status_set(st, sre_code, "%s", sre_msg ? sre_msg : "");
        return;
    }
    char dep[64] = "";
    if (dep_handle && dep_handle[0])
        snprintf(dep, sizeof dep, " (related parent export id: %s)", dep_handle);
    if (has_cause)
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION, "Details Logged w/ID '%s'%s", error_id,
                        dep);
    else if (state == DEMO_ES_CANCELLED)
        demo_status_set(st, GRPC_STATUS_CANCELLED, "Export is cancelled%s", dep);
    else
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION, "Export in state %s%s",
                        state_name(state), dep);
}

/* The status export e reports to its RPC. */
static void status_of_export(const struct demo_export *e, struct demo_status *st)
{
    status_from_parts(e->state, e->has_sre, e->sre_code, e->sre_msg, e->has_cause, e->error_id,
                      e->dep_handle, st);
}

/* Fail export e as f says. */
static void apply_failure_locked(struct demo_registry *r, struct demo_export *e,
                                 const struct failure *f)
{
    if (f->has_sre) {
        free(e->sre_msg);
        e->sre_msg = strdup(f->sre_msg ? f->sre_msg : "");
        e->has_sre = e->sre_msg != NULL;
        e->sre_code = f->sre_code;
    }
    memcpy(e->error_id, f->error_id, sizeof e->error_id);
    memcpy(e->dep_handle, f->dep_handle, sizeof e->dep_handle);
    set_state_locked(r, e, f->state);
}

/* Run an export's (trivial) work: it is QUEUED, RUNNING, then EXPORTED with obj. */
static void complete_export_locked(struct demo_registry *r, struct demo_export *e,
                                   const struct demo_object *obj)
{
    set_state_locked(r, e, DEMO_ES_QUEUED);
    set_state_locked(r, e, DEMO_ES_RUNNING);
    if (e->require_table && (!obj || !demo_object_is_table(obj))) {
        /* FetchTableGrpcImpl.create casts its source to Table: a ClassCastException. */
        demo_make_uuid(r, e->error_id);
        demo_log(r, "Internal Error '%s' ClassCastException: export %d is not a Table", e->error_id,
                 (int)e->id);
        e->has_cause = 1;
        set_state_locked(r, e, DEMO_ES_FAILED);
        return;
    }
    e->obj = obj;
    demo_object_ref(obj);
    set_state_locked(r, e, DEMO_ES_EXPORTED);
}

/* A waiting export's dependency p is now EXPORTED or terminal. */
static void resolve_waiter_locked(struct demo_registry *r, struct demo_export *c,
                                  struct demo_export *p)
{
    int via_shared = c->dep_shared;
    p->refs++;
    unwait_locked(r, c);
    if (c->state == DEMO_ES_PENDING) {
        if (p->state == DEMO_ES_EXPORTED) {
            complete_export_locked(r, c, p->obj);
        } else {
            struct failure f;
            derive_failure(r, p, via_shared, &f);
            apply_failure_locked(r, c, &f);
        }
    }
    demo_export_unref_locked(r, p);
}

/* Resolve dependents of every export queued by set_state_locked (iteratively, so a
 * long chain of exports cannot overflow the stack). */
static void settle_locked(struct demo_registry *r)
{
    if (r->settling)
        return;
    r->settling = 1;
    while (r->n_settle > 0) {
        struct demo_export *p = r->settle[--r->n_settle];
        for (size_t i = 0; i < r->n_waiting;) {
            struct demo_export *c = r->waiting[i];
            if (c->dep == p) {
                c->refs++;
                resolve_waiter_locked(r, c, p);
                demo_export_unref_locked(r, c);
                i = 0; /* the list changed */
                continue;
            }
            i++;
        }
        demo_export_unref_locked(r, p);
    }
    r->settling = 0;
}

/* Release an export (ExportObject.cancel): EXPORTED becomes RELEASED, anything not yet
 * terminal becomes CANCELLED. */
static void cancel_export_locked(struct demo_registry *r, struct demo_export *e)
{
    if (e->state == DEMO_ES_EXPORTED) {
        set_state_locked(r, e, DEMO_ES_RELEASED);
    } else if (!demo_export_state_terminal(e->state)) {
        if (e->work_set && !e->error_id[0])
            demo_make_uuid(r, e->error_id); /* it had an error handler: maybeAssignErrorId */
        unwait_locked(r, e);
        set_state_locked(r, e, DEMO_ES_CANCELLED);
    }
}

void demo_exports_end_session_locked(struct demo_registry *r, struct demo_session *s)
{
    for (size_t i = 0; i < s->n_exports; i++)
        cancel_export_locked(r, s->exports[i]);
    for (size_t i = 0; i < s->n_exports; i++) {
        s->exports[i]->session = NULL;
        demo_export_unref_locked(r, s->exports[i]);
    }
    s->n_exports = 0;
    for (struct demo_listener *l = s->listeners; l; l = l->next)
        l->ended = 1;
}

void demo_export_consumer_status_locked(struct demo_registry *r, const struct demo_export *p,
                                        int via_shared, struct demo_status *st)
{
    struct failure f;
    derive_failure(r, p, via_shared, &f);
    status_from_parts(f.state, f.has_sre, f.sre_code, f.sre_msg, 0, f.error_id, f.dep_handle, st);
}

struct demo_export *demo_shared_find_locked(struct demo_registry *r, const uint8_t *id, size_t n)
{
    for (size_t i = 0; i < r->n_shared; i++)
        if (r->shared[i].len == n && memcmp(r->shared[i].id, id, n) == 0)
            return r->shared[i].exp;
    return NULL;
}

void demo_exports_free_locked(struct demo_registry *r)
{
    for (size_t i = 0; i < r->n_shared; i++) {
        free(r->shared[i].id);
        demo_export_unref_locked(r, r->shared[i].exp);
    }
    while (r->n_waiting > 0)
        unwait_locked(r, r->waiting[r->n_waiting - 1]);
    free(r->shared);
    free(r->waiting);
    free(r->settle);
    r->shared = NULL;
    r->waiting = r->settle = NULL;
    r->n_shared = r->cap_shared = r->cap_waiting = r->n_settle = r->cap_settle = 0;
}

/* ---------------------------------------------------------------- export RPCs */

struct demo_export *demo_export_create(struct demo_registry *r, struct demo_session *s,
                                       struct demo_source *src, const uint8_t *result, size_t n,
                                       const char *log_id, int require_table,
                                       struct demo_status *st)
{
    int32_t id;
    if (demo_export_ticket_parse(result, n, log_id, &id, st) != 0)
        return NULL;
    pthread_mutex_lock(&r->lock);
    struct demo_export *e = NULL;
    if (!demo_session_live_locked(s)) {
        demo_status_set(st, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
        goto out;
    }
    if (id <= 0) {
        demo_obfuscated_locked(r, st,
                               "IllegalArgumentException: exportId's <= 0 are reserved for server "
                               "allocation only");
        goto out;
    }
    e = demo_export_get_or_add(s, id);
    if (!e) {
        demo_obfuscated_locked(r, st, "out of memory creating an export");
        goto out;
    }
    if (e->work_set) {
        demo_obfuscated_locked(r, st,
                               "IllegalStateException: dependencies can only be set once on an "
                               "exportable object");
        e = NULL;
        goto out;
    }
    e->work_set = 1;
    e->require_table = require_table;
    e->refs++; /* the caller's */
    if (demo_export_state_terminal(e->state))
        goto out; /* a placeholder released before it was defined */
    if (src->kind == DEMO_SRC_OBJECT) {
        set_state_locked(r, e, DEMO_ES_PENDING);
        complete_export_locked(r, e, src->obj);
    } else if (src->kind == DEMO_SRC_FAILED) {
        set_state_locked(r, e, DEMO_ES_PENDING);
        struct failure f;
        memset(&f, 0, sizeof f);
        f.state = DEMO_ES_DEPENDENCY_FAILED;
        f.has_sre = 1;
        f.sre_code = src->sre.code;
        f.sre_msg = src->sre.msg;
        demo_make_uuid(r, f.error_id);
        apply_failure_locked(r, e, &f);
    } else {
        struct demo_export *p = src->exp;
        if (p->state == DEMO_ES_EXPORTED) {
            set_state_locked(r, e, DEMO_ES_PENDING);
            complete_export_locked(r, e, p->obj);
        } else if (demo_export_state_terminal(p->state)) {
            struct failure f; /* a dead parent fails the export at once (setWork) */
            derive_failure(r, p, src->kind == DEMO_SRC_SHARED, &f);
            apply_failure_locked(r, e, &f);
        } else if (demo_grow((void **)&r->waiting, &r->cap_waiting, r->n_waiting + 1,
                             sizeof *r->waiting) == 0) {
            set_state_locked(r, e, DEMO_ES_PENDING);
            p->refs++;
            e->refs++;
            e->dep = p;
            e->dep_shared = src->kind == DEMO_SRC_SHARED;
            r->waiting[r->n_waiting++] = e;
        } else {
            e->has_cause = 1;
            demo_make_uuid(r, e->error_id);
            set_state_locked(r, e, DEMO_ES_FAILED);
        }
    }
out:
    pthread_mutex_unlock(&r->lock);
    return e;
}

int demo_export_wait(struct demo_registry *r, struct demo_export *e, demo_stop_fn stop, void *ctx,
                     const struct demo_object **obj, struct demo_status *st)
{
    *obj = NULL;
    pthread_mutex_lock(&r->lock);
    int rc = 0;
    while (!e->ever_exported && !demo_export_state_terminal(e->state)) {
        demo_cond_wait_ms(r, 50);
        if (!e->ever_exported && !demo_export_state_terminal(e->state) &&
            demo_stop_fired(r, stop, ctx)) {
            rc = 1;
            break;
        }
    }
    if (rc == 0) {
        if (e->ever_exported && e->obj) {
            *obj = e->obj;
            demo_object_ref(*obj);
        } else if (e->ever_exported) {
            demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION, "export released");
            rc = -1;
        } else {
            status_of_export(e, st);
            rc = -1;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

void demo_export_unref(struct demo_registry *r, struct demo_export *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&r->lock);
    demo_export_unref_locked(r, e);
    pthread_mutex_unlock(&r->lock);
}

int demo_publish_shared(struct demo_registry *r, struct demo_source *src, const uint8_t *id,
                        size_t n, const char *log_id, struct demo_status *st)
{
    char hex[DEMO_HEX_QUOTE_MAX * 2 + 8];
    demo_hex_quote(id, n, hex, sizeof hex);
    if (src->kind != DEMO_SRC_EXPORT) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not publish '%s' to shared ticket '%s' (hex): can only publish "
                        "directly from a session export to a shared ticket",
                        log_id, hex);
        return -1;
    }
    pthread_mutex_lock(&r->lock);
    int rc = 0;
    if (demo_shared_find_locked(r, id, n)) {
        demo_status_set(st, GRPC_STATUS_ALREADY_EXISTS,
                        "Could not publish '%s' to shared ticket '%s' (hex): destination "
                        "already exists",
                        log_id, hex);
        rc = -1;
        goto out;
    }
    uint8_t *copy = malloc(n);
    if (!copy ||
        demo_grow((void **)&r->shared, &r->cap_shared, r->n_shared + 1, sizeof *r->shared) != 0) {
        free(copy);
        demo_obfuscated_locked(r, st, "out of memory publishing a shared ticket");
        rc = -1;
        goto out;
    }
    memcpy(copy, id, n);
    src->exp->refs++;
    r->shared[r->n_shared].id = copy;
    r->shared[r->n_shared].len = n;
    r->shared[r->n_shared].exp = src->exp;
    r->n_shared++;
out:
    pthread_mutex_unlock(&r->lock);
    return rc;
}

int demo_release(struct demo_registry *r, struct demo_session *s, const uint8_t *t, size_t n,
                 struct demo_status *st)
{
    int32_t id;
    if (demo_export_ticket_parse(t, n, "id", &id, st) != 0)
        return -1;
    pthread_mutex_lock(&r->lock);
    int rc = 0;
    if (!demo_session_live_locked(s)) {
        demo_status_set(st, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
        rc = -1;
    } else {
        struct demo_export *e = demo_export_find(s, id);
        if (!e) {
            demo_status_set(st, GRPC_STATUS_UNAVAILABLE, "Export not yet defined");
            rc = -1;
        } else {
            cancel_export_locked(r, e);
        }
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

int demo_server_export(struct demo_registry *r, struct demo_session *s,
                       const struct demo_object *obj, int32_t *id)
{
    pthread_mutex_lock(&r->lock);
    int rc = -1;
    if (demo_session_live_locked(s) && s->next_server_id < 0) {
        struct demo_export *e = demo_export_get_or_add(s, s->next_server_id);
        if (e) {
            *id = s->next_server_id--;
            e->work_set = 1;
            e->obj = obj;
            demo_object_ref(obj);
            set_state_locked(r, e, DEMO_ES_EXPORTED);
            rc = 0;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* ---------------------------------------------------------------- notifications */

struct demo_listener *demo_listener_open(struct demo_registry *r, struct demo_session *s)
{
    pthread_mutex_lock(&r->lock);
    struct demo_listener *l = NULL;
    if (!demo_session_live_locked(s))
        goto out;
    l = calloc(1, sizeof *l);
    if (!l)
        goto out;
    l->s = s;
    /* ExportListener.initialize: every non-terminal export, then the e0 marker. */
    for (size_t i = 0; i < s->n_exports; i++) {
        struct demo_export *e = s->exports[i];
        uint8_t *buf;
        size_t len;
        if (demo_export_state_terminal(e->state) || pack_notification(e, &buf, &len) != 0)
            continue;
        demo_queue_push(&l->q, buf, len);
        free(buf);
    }
    uint8_t *buf;
    size_t len;
    if (pack_export_notification(0, DEMO_ES_EXPORTED, "run is complete", NULL, &buf, &len) == 0) {
        demo_queue_push(&l->q, buf, len);
        free(buf);
    }
    l->linked = 1;
    l->next = s->listeners;
    s->listeners = l;
out:
    pthread_mutex_unlock(&r->lock);
    return l;
}

int demo_listener_next(struct demo_registry *r, struct demo_listener *l, demo_stop_fn stop,
                       void *ctx, uint8_t **data, size_t *len)
{
    pthread_mutex_lock(&r->lock);
    int rc = demo_queue_wait_locked(r, &l->q, l->s, &l->ended, stop, ctx, data, len);
    pthread_mutex_unlock(&r->lock);
    return rc;
}

void demo_listener_close(struct demo_registry *r, struct demo_listener *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&r->lock);
    for (struct demo_listener **pp = &l->s->listeners; *pp; pp = &(*pp)->next) {
        if (*pp == l) {
            *pp = l->next;
            break;
        }
    }
    demo_queue_clear(&l->q);
    free(l);
    pthread_mutex_unlock(&r->lock);
}

struct demo_export *demo_export_create_object(struct demo_registry *r, struct demo_session *s,
                                              const struct demo_object *obj, const uint8_t *result,
                                              size_t n, const char *log_id, struct demo_status *st)
{
    struct demo_source src;
    memset(&src, 0, sizeof src);
    src.kind = DEMO_SRC_OBJECT;
    src.obj = obj;
    return demo_export_create(r, s, &src, result, n, log_id, 1, st);
}
