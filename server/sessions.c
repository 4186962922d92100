/* SPDX-License-Identifier: MIT */
/* sessions: sessions, tokens, exports, shared tickets and field listings of the demo server. */
#include "sessions.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/status.h>

#include "deephaven_core/proto/application.pb-c.h"
#include "deephaven_core/proto/session.pb-c.h"
#include "dh_encoding.h"
#include "dh_ticket.h"
#include "pbutil.h"

#define UUID_LEN 36
/* Ticket bytes quoted in error messages are cut here (grpc-message must stay small). */
#define HEX_QUOTE_MAX 128
/* Upstream's ListFields debounce (ApplicationServiceGrpcImpl.FieldUpdatePropagationJob). */
#define FIELDS_INTERVAL_MS 250
/* The application the built-ins belong to (PROTOCOL.md §5, notes/SERVER_CONTRACT.md). */
#define APP_ID "demo"
#define APP_NAME "dhtui demo"
#define SCOPE_DESCRIPTION "query scope variable"
#define ANON_TYPE "Anonymous"
#define PSK_TYPE "io.deephaven.authentication.psk.PskAuthenticationHandler"
#define ANON_CLASS "io.deephaven.auth.AnonymousAuthenticationHandler"

/* A queue of packed messages waiting for a stream handler. */
struct msg_node {
    struct msg_node *next;
    size_t len;
    uint8_t data[];
};

struct msg_queue {
    struct msg_node *head, *tail;
};

struct demo_export {
    int32_t id;
    int state;
    int refs;
    struct demo_session *session;  /* owner; NULL once the session ended */
    const struct demo_object *obj; /* set when EXPORTED */
    int work_set;                  /* defined by an RPC (not a placeholder) */
    int require_table;             /* FetchTable: fails unless the source is a table */
    int ever_exported;
    int has_sre; /* failed with a StatusRuntimeException ... */
    int sre_code;
    char *sre_msg;
    int has_cause; /* ... or with another exception ("Details Logged") */
    char error_id[UUID_LEN + 1];
    char dep_handle[16];
    struct demo_export *dep; /* while PENDING on another export */
    int dep_shared;
};

struct demo_listener {
    struct demo_listener *next;
    struct demo_session *s;
    struct msg_queue q;
    int ended;
    int linked;
};

struct demo_fields_sub {
    struct demo_fields_sub *next;
    struct demo_session *s;
    struct msg_queue q;
};

struct demo_session {
    struct demo_session *next;
    int refs;
    int expired;
    char token[UUID_LEN + 1];
    int64_t token_deadline;
    struct demo_export **exports; /* sorted by id */
    size_t n_exports, cap_exports;
    int32_t next_server_id;
    struct demo_listener *listeners;
};

struct demo_token {
    char uuid[UUID_LEN + 1];
    int64_t deadline;
    struct demo_session *s;
};

struct demo_shared {
    uint8_t *id;
    size_t len;
    struct demo_export *exp;
};

/* One ListFields entry (FieldInfo). */
struct demo_field {
    char *ticket;
    char *name;
    char *type;
    char *desc;
    int app;
};

enum source_kind { SRC_OBJECT, SRC_FAILED, SRC_EXPORT, SRC_SHARED };

struct demo_source {
    int kind;
    const struct demo_object *obj;
    struct demo_export *exp;
    struct demo_status sre;
};

/* How a consumer fails when its dependency did (SessionState.onDependencyFailure). */
struct failure {
    int state;
    int has_sre;
    int sre_code;
    const char *sre_msg;
    char error_id[UUID_LEN + 1];
    char dep_handle[16];
};

struct demo_registry {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int64_t duration_ms;
    char *psk;
    struct demo_catalog *cat;
    int quiet;
    int urandom;
    struct demo_session *sessions;
    struct demo_token *tokens;
    size_t n_tokens, cap_tokens;
    struct demo_shared *shared;
    size_t n_shared, cap_shared;
    struct demo_export **waiting; /* exports PENDING on another export */
    size_t n_waiting, cap_waiting;
    struct demo_export **settle; /* exports whose dependents must be resolved */
    size_t n_settle, cap_settle;
    int settling;
    struct demo_field *known;
    size_t n_known, cap_known;
    char **touched;
    size_t n_touched, cap_touched;
    int fields_scheduled;
    int64_t fields_due, fields_last;
    struct demo_fields_sub *subs;
    int shutting_down;
    int term_waiters;
    unsigned long counter;
};

/* ---------------------------------------------------------------- utilities */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait on the registry condition for up to ms (lock held). */
static void cond_wait_ms(struct demo_registry *r, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&r->cond, &r->lock, &ts);
}

/* Ask the stop hook without holding the lock; 1 if it fired. */
static int stop_fired(struct demo_registry *r, demo_stop_fn stop, void *ctx)
{
    if (!stop)
        return 0;
    pthread_mutex_unlock(&r->lock);
    int s = stop(ctx);
    pthread_mutex_lock(&r->lock);
    return s;
}

/* Grow an array of elements of size sz so it holds at least need. 0 or -1. */
static int grow(void **arr, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 8;
    while (n < need)
        n *= 2;
    void *p = realloc(*arr, n * sz);
    if (!p)
        return -1;
    *arr = p;
    *cap = n;
    return 0;
}

static void random_bytes(struct demo_registry *r, uint8_t *out, size_t n)
{
    size_t got = 0;
    while (r->urandom >= 0 && got < n) {
        ssize_t k = read(r->urandom, out + got, n - got);
        if (k <= 0) {
            if (k < 0 && errno == EINTR)
                continue;
            break;
        }
        got += (size_t)k;
    }
    /* No /dev/urandom: still unique per process (not secret; a test peer). */
    for (; got < n; got++) {
        r->counter =
            r->counter * 6364136223846793005UL + 1442695040888963407UL + (unsigned long)now_ms();
        out[got] = (uint8_t)(r->counter >> 33);
    }
}

/* A random (version 4) UUID in lower case, as UuidCreator.toString prints it. */
static void make_uuid(struct demo_registry *r, char out[UUID_LEN + 1])
{
    uint8_t b[16];
    random_bytes(r, b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, UUID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

/* Lower-case hex of bytes (ByteHelper.byteBufToHex), cut after HEX_QUOTE_MAX bytes. */
static void hex_quote(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t lim = n > HEX_QUOTE_MAX ? HEX_QUOTE_MAX : n;
    size_t o = dh_hex_encode(p, lim, out, cap);
    if (lim < n && o + sizeof "..." <= cap)
        memcpy(out + o, "...", sizeof "...");
}

/* Copy up to HEX_QUOTE_MAX bytes of a name into a C string for messages. */
static void name_quote(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t lim = n > HEX_QUOTE_MAX ? HEX_QUOTE_MAX : n;
    if (lim + 1 > cap)
        lim = cap - 1;
    memcpy(out, p, lim);
    out[lim] = '\0';
    for (size_t i = 0; i < lim; i++)
        if (out[i] == '\0')
            out[i] = '?';
}

/* Strict UTF-8 check (what Java's reporting CharsetDecoder accepts). */
static int utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            k = 1;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            cp = c & 0x07u;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + j] & 0x3fu);
        }
        if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        i += k + 1;
    }
    return 1;
}

void demo_status_set(struct demo_status *st, int code, const char *fmt, ...)
{
    if (!st)
        return;
    st->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->msg, sizeof st->msg, fmt, ap);
    va_end(ap);
}

void demo_log(struct demo_registry *r, const char *fmt, ...)
{
    if (r && r->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "dhtui-demo-server: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void demo_status_obfuscated(struct demo_registry *r, struct demo_status *st, const char *why)
{
    char id[UUID_LEN + 1];
    pthread_mutex_lock(&r->lock);
    make_uuid(r, id);
    pthread_mutex_unlock(&r->lock);
    demo_log(r, "Internal Error '%s' %s", id, why);
    demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Details Logged w/ID '%s'", id);
}

/* The same, with the lock already held. */
static void obfuscated_locked(struct demo_registry *r, struct demo_status *st, const char *why)
{
    char id[UUID_LEN + 1];
    make_uuid(r, id);
    demo_log(r, "Internal Error '%s' %s", id, why);
    demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Details Logged w/ID '%s'", id);
}

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

static int state_terminal(int s)
{
    return s >= DEMO_ES_RELEASED;
}

static int32_t export_ticket_id(const uint8_t *t)
{
    return (int32_t)((uint32_t)t[1] | ((uint32_t)t[2] << 8) | ((uint32_t)t[3] << 16) |
                     ((uint32_t)t[4] << 24));
}

/* ---------------------------------------------------------------- message queues */

static int queue_push(struct msg_queue *q, const uint8_t *data, size_t len)
{
    struct msg_node *n = malloc(sizeof *n + len);
    if (!n)
        return -1;
    n->next = NULL;
    n->len = len;
    memcpy(n->data, data, len);
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
    return 0;
}

/* Pop the head into a malloc'd copy; 1 if there was one. */
static int queue_pop(struct msg_queue *q, uint8_t **data, size_t *len)
{
    struct msg_node *n = q->head;
    if (!n)
        return 0;
    q->head = n->next;
    if (!q->head)
        q->tail = NULL;
    uint8_t *p = malloc(n->len ? n->len : 1);
    if (!p) {
        free(n);
        return 0;
    }
    memcpy(p, n->data, n->len);
    *data = p;
    *len = n->len;
    free(n);
    return 1;
}

static void queue_clear(struct msg_queue *q)
{
    while (q->head) {
        struct msg_node *n = q->head;
        q->head = n->next;
        free(n);
    }
    q->tail = NULL;
}

/* ---------------------------------------------------------------- exports */

static void export_unref_locked(struct demo_registry *r, struct demo_export *e)
{
    (void)r;
    if (!e || --e->refs > 0)
        return;
    free(e->sre_msg);
    free(e);
}

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
static int pack_export_notification(int32_t id, int state, const char *context,
                                    const char *handle, uint8_t **out, size_t *len)
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
            queue_push(&l->q, buf, len);
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

static struct demo_export *export_find(const struct demo_session *s, int32_t id)
{
    long i = export_index(s, id);
    return i >= 0 ? s->exports[i] : NULL;
}

/* Find or create (as a placeholder) export id of the session; NULL when out of memory. */
static struct demo_export *export_get_or_add(struct demo_session *s, int32_t id)
{
    long i = export_index(s, id);
    if (i >= 0)
        return s->exports[i];
    size_t at = (size_t)(-i - 1);
    if (grow((void **)&s->exports, &s->cap_exports, s->n_exports + 1, sizeof *s->exports) != 0)
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
    notify_listeners_locked(e);
    if ((state == DEMO_ES_EXPORTED || state_terminal(state)) && r->n_waiting > 0 &&
        grow((void **)&r->settle, &r->cap_settle, r->n_settle + 1, sizeof *r->settle) == 0) {
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
    export_unref_locked(r, dep);
    export_unref_locked(r, e); /* the waiting list's reference */
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
        make_uuid(r, f->error_id);
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

static void status_of_export(const struct demo_export *e, struct demo_status *st)
{
    status_from_parts(e->state, e->has_sre, e->sre_code, e->sre_msg, e->has_cause, e->error_id,
                      e->dep_handle, st);
}

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
        make_uuid(r, e->error_id);
        demo_log(r, "Internal Error '%s' ClassCastException: export %d is not a Table", e->error_id,
                 (int)e->id);
        e->has_cause = 1;
        set_state_locked(r, e, DEMO_ES_FAILED);
        return;
    }
    e->obj = obj;
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
    export_unref_locked(r, p);
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
                export_unref_locked(r, c);
                i = 0; /* the list changed */
                continue;
            }
            i++;
        }
        export_unref_locked(r, p);
    }
    r->settling = 0;
}

/* Release an export (ExportObject.cancel): EXPORTED becomes RELEASED, anything not yet
 * terminal becomes CANCELLED. */
static void cancel_export_locked(struct demo_registry *r, struct demo_export *e)
{
    if (e->state == DEMO_ES_EXPORTED) {
        set_state_locked(r, e, DEMO_ES_RELEASED);
    } else if (!state_terminal(e->state)) {
        if (e->work_set && !e->error_id[0])
            make_uuid(r, e->error_id); /* it had an error handler: maybeAssignErrorId */
        unwait_locked(r, e);
        set_state_locked(r, e, DEMO_ES_CANCELLED);
    }
}

/* ---------------------------------------------------------------- sessions */

static void session_unref_locked(struct demo_registry *r, struct demo_session *s)
{
    (void)r;
    if (!s || --s->refs > 0)
        return;
    free(s->exports);
    free(s);
}

/* End a session (SessionState.onExpired): release every export, end listeners. */
static void session_expire_locked(struct demo_registry *r, struct demo_session *s)
{
    if (s->expired)
        return;
    s->expired = 1;
    for (size_t i = 0; i < r->n_tokens;) {
        if (r->tokens[i].s == s)
            r->tokens[i] = r->tokens[--r->n_tokens];
        else
            i++;
    }
    for (size_t i = 0; i < s->n_exports; i++)
        cancel_export_locked(r, s->exports[i]);
    for (size_t i = 0; i < s->n_exports; i++) {
        s->exports[i]->session = NULL;
        export_unref_locked(r, s->exports[i]);
    }
    s->n_exports = 0;
    for (struct demo_listener *l = s->listeners; l; l = l->next)
        l->ended = 1;
    for (struct demo_session **pp = &r->sessions; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    pthread_cond_broadcast(&r->cond);
    session_unref_locked(r, s);
}

/* Expire s if its deadline passed (sessions die lazily and in the tick). 1 if alive. */
static int session_check_locked(struct demo_registry *r, struct demo_session *s)
{
    if (s->expired)
        return 0;
    if (s->token_deadline <= now_ms()) {
        session_expire_locked(r, s);
        return 0;
    }
    return 1;
}

/* Mint a token for s valid for the session duration (SessionService.checkTokenAndRotate). */
static int add_token_locked(struct demo_registry *r, struct demo_session *s)
{
    if (grow((void **)&r->tokens, &r->cap_tokens, r->n_tokens + 1, sizeof *r->tokens) != 0)
        return -1;
    struct demo_token *t = &r->tokens[r->n_tokens++];
    make_uuid(r, t->uuid);
    t->deadline = now_ms() + r->duration_ms;
    t->s = s;
    memcpy(s->token, t->uuid, sizeof s->token);
    s->token_deadline = t->deadline;
    return 0;
}

static struct demo_session *session_new_locked(struct demo_registry *r)
{
    struct demo_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->refs = 2; /* the registry list and the caller */
    s->next_server_id = -1;
    if (add_token_locked(r, s) != 0) {
        free(s);
        return NULL;
    }
    s->next = r->sessions;
    r->sessions = s;
    return s;
}

/* Case-insensitive compare of a UUID string (UuidCreator.fromString accepts both cases). */
static int uuid_equal(const char *a, const char *b, size_t blen)
{
    if (blen != UUID_LEN)
        return 0;
    for (size_t i = 0; i < UUID_LEN; i++) {
        char x = a[i], y = b[i];
        if (y >= 'A' && y <= 'F')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

/* The session of a bearer token, or NULL (SessionService.getSessionForToken). */
static struct demo_session *token_session_locked(struct demo_registry *r, const char *uuid,
                                                 size_t len)
{
    int64_t now = now_ms();
    for (size_t i = 0; i < r->n_tokens; i++) {
        struct demo_token *t = &r->tokens[i];
        if (!uuid_equal(t->uuid, uuid, len))
            continue;
        if (t->deadline <= now || !session_check_locked(r, t->s))
            return NULL;
        return t->s;
    }
    return NULL;
}

/* Whether a registered handler accepts "<type> <payload>" (AuthenticationRequestHandler). */
static int handler_accepts(const struct demo_registry *r, const char *type, size_t tlen,
                           const char *payload)
{
    if (!r->psk)
        return tlen == strlen(ANON_TYPE) && memcmp(type, ANON_TYPE, tlen) == 0 && !*payload;
    return tlen == strlen(PSK_TYPE) && memcmp(type, PSK_TYPE, tlen) == 0 &&
           strcmp(payload, r->psk) == 0;
}

int demo_auth(struct demo_registry *r, const char *value, struct demo_session **out)
{
    *out = NULL;
    pthread_mutex_lock(&r->lock);
    const char *bearer_key = NULL;
    size_t bearer_key_len = 0;
    const char *bearer_payload = "";
    /* SessionService.getSessionForAuthToken */
    if (strncmp(value, "Bearer ", 7) == 0) {
        const char *tok = value + 7;
        struct demo_session *s = token_session_locked(r, tok, strlen(tok));
        if (s) {
            s->refs++;
            *out = s;
            pthread_mutex_unlock(&r->lock);
            return 0;
        }
        const char *sp = strchr(tok, ' ');
        bearer_key = tok;
        bearer_key_len = sp ? (size_t)(sp - tok) : strlen(tok);
        bearer_payload = sp ? sp + 1 : "";
    }
    const char *sp = strchr(value, ' ');
    size_t klen = sp ? (size_t)(sp - value) : strlen(value);
    const char *payload = sp ? sp + 1 : "";
    int ok = handler_accepts(r, value, klen, payload) ||
             (bearer_key && handler_accepts(r, bearer_key, bearer_key_len, bearer_payload));
    if (ok)
        *out = session_new_locked(r);
    pthread_mutex_unlock(&r->lock);
    return *out ? 0 : -1;
}

void demo_session_unref(struct demo_registry *r, struct demo_session *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&r->lock);
    session_unref_locked(r, s);
    pthread_mutex_unlock(&r->lock);
}

int demo_session_alive(struct demo_registry *r, struct demo_session *s)
{
    pthread_mutex_lock(&r->lock);
    int alive = session_check_locked(r, s);
    pthread_mutex_unlock(&r->lock);
    return alive;
}

int demo_session_bearer(struct demo_registry *r, struct demo_session *s, char *out, size_t cap)
{
    pthread_mutex_lock(&r->lock);
    int ok = session_check_locked(r, s);
    if (ok) {
        int64_t rotate_ms = r->duration_ms / 5;
        /* SessionService.checkTokenAndRotate: rotate once the token is older than 1/5. */
        if (s->token_deadline - r->duration_ms + rotate_ms <= now_ms())
            add_token_locked(r, s);
        snprintf(out, cap, "Bearer %s", s->token);
    }
    pthread_mutex_unlock(&r->lock);
    return ok;
}

void demo_session_close(struct demo_registry *r, struct demo_session *s)
{
    pthread_mutex_lock(&r->lock);
    session_expire_locked(r, s);
    pthread_mutex_unlock(&r->lock);
}

int64_t demo_registry_duration(const struct demo_registry *r)
{
    return r->duration_ms;
}

const char *demo_registry_auth_handlers(const struct demo_registry *r)
{
    return r->psk ? PSK_TYPE : ANON_CLASS;
}

/* ---------------------------------------------------------------- fields */

size_t demo_object_ticket(const struct demo_object *o, char *buf, size_t cap)
{
    int n = demo_object_is_app_field(o)
                ? snprintf(buf, cap, "a/%s/f/%s", APP_ID, demo_object_name(o))
                : snprintf(buf, cap, "s/%s", demo_object_name(o));
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static void field_free(struct demo_field *f)
{
    free(f->ticket);
    free(f->name);
    free(f->type);
    free(f->desc);
    memset(f, 0, sizeof *f);
}

static int field_from_object(const struct demo_object *o, struct demo_field *f)
{
    char t[1024];
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
    char t[1024];
    for (size_t i = 0; i < n; i++) {
        const struct demo_object *o = demo_catalog_at(r->cat, i);
        if (!o || demo_object_removed(o) || demo_object_hidden(o))
            continue;
        if (demo_object_ticket(o, t, sizeof t) && strcmp(t, key) == 0)
            return field_from_object(o, f);
    }
    return -1;
}

static long known_find(const struct demo_registry *r, const char *key)
{
    for (size_t i = 0; i < r->n_known; i++)
        if (strcmp(r->known[i].ticket, key) == 0)
            return (long)i;
    return -1;
}

/* Point a FieldInfo (and its typed ticket) at a field's strings. */
static void field_to_pb(const struct demo_field *f, DHPB(FieldInfo) *fi, DHPB(TypedTicket) *tt,
                        DHPB(Ticket) *t)
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
    fi->application_id = f->app ? (char *)APP_ID : (char *)"scope";
    fi->application_name = f->app ? (char *)APP_NAME : (char *)"";
}

/* One group of FieldInfos of a FieldsChangeUpdate. */
struct pb_fields {
    DHPB(FieldInfo) **ptrs;
    DHPB(FieldInfo) *infos;
    DHPB(TypedTicket) *tts;
    DHPB(Ticket) *ts;
};

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

static void field_list_free(struct field_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        field_free(&l->v[i]);
    free(l->v);
}

static int field_list_add(struct field_list *l, struct demo_field *f)
{
    if (grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) != 0)
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
                grow((void **)&r->known, &r->cap_known, r->n_known + 1, sizeof *r->known) == 0) {
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
                queue_push(&s->q, buf, len);
        free(buf);
        pthread_cond_broadcast(&r->cond);
    }
    field_list_free(&cr);
    field_list_free(&up);
    field_list_free(&rm);
}

void demo_fields_touch(struct demo_registry *r, const struct demo_object *o)
{
    char t[1024];
    if (!o || !demo_object_ticket(o, t, sizeof t))
        return;
    pthread_mutex_lock(&r->lock);
    int seen = 0;
    for (size_t i = 0; i < r->n_touched && !seen; i++)
        seen = strcmp(r->touched[i], t) == 0;
    if (!seen &&
        grow((void **)&r->touched, &r->cap_touched, r->n_touched + 1, sizeof *r->touched) == 0) {
        char *k = strdup(t);
        if (k)
            r->touched[r->n_touched++] = k;
    }
    if (!r->subs) {
        fields_propagate_locked(r); /* nobody listens: run on this thread at once */
    } else if (!r->fields_scheduled) {
        /* FieldUpdatePropagationJob.markUpdates: at most one run per 250 ms. */
        int64_t now = now_ms();
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
    if (!session_check_locked(r, s))
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

/* Wait for the next message of a subscriber's or listener's queue: 1 with it, 0 when
 * the session or (*ended, may be NULL) the listener is over, -1 when stop fired. Lock
 * held. */
static int queue_wait_locked(struct demo_registry *r, struct msg_queue *q,
                             struct demo_session *s, const int *ended, demo_stop_fn stop,
                             void *ctx, uint8_t **data, size_t *len)
{
    for (;;) {
        if (queue_pop(q, data, len))
            return 1;
        if ((ended && *ended) || !session_check_locked(r, s))
            return 0;
        cond_wait_ms(r, 50);
        if (!q->head && !(ended && *ended) && stop_fired(r, stop, ctx))
            return -1;
    }
}

int demo_fields_next(struct demo_registry *r, struct demo_fields_sub *sub, demo_stop_fn stop,
                     void *ctx, uint8_t **data, size_t *len)
{
    pthread_mutex_lock(&r->lock);
    int rc = queue_wait_locked(r, &sub->q, sub->s, NULL, stop, ctx, data, len);
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
    queue_clear(&sub->q);
    free(sub);
    pthread_mutex_unlock(&r->lock);
}

/* ---------------------------------------------------------------- registry */

struct demo_registry *demo_registry_new(const struct demo_registry_options *opt)
{
    struct demo_registry *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    pthread_mutex_init(&r->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cond, &ca);
    pthread_condattr_destroy(&ca);
    r->duration_ms = opt->duration_ms;
    r->cat = opt->cat;
    r->quiet = opt->quiet;
    r->urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    r->counter = (unsigned long)now_ms() ^ (unsigned long)getpid();
    if (opt->psk) {
        r->psk = strdup(opt->psk);
        if (!r->psk) {
            demo_registry_free(r);
            return NULL;
        }
    }
    /* At startup every live object is known (application load with no subscribers). */
    size_t n = demo_catalog_count(r->cat);
    for (size_t i = 0; i < n; i++) {
        const struct demo_object *o = demo_catalog_at(r->cat, i);
        struct demo_field f;
        if (!o || demo_object_removed(o) || demo_object_hidden(o))
            continue;
        if (field_from_object(o, &f) != 0 ||
            grow((void **)&r->known, &r->cap_known, r->n_known + 1, sizeof *r->known) != 0) {
            field_free(&f);
            demo_registry_free(r);
            return NULL;
        }
        r->known[r->n_known++] = f;
    }
    return r;
}

void demo_registry_free(struct demo_registry *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    while (r->sessions)
        session_expire_locked(r, r->sessions);
    for (size_t i = 0; i < r->n_shared; i++) {
        free(r->shared[i].id);
        export_unref_locked(r, r->shared[i].exp);
    }
    while (r->n_waiting > 0)
        unwait_locked(r, r->waiting[r->n_waiting - 1]);
    for (size_t i = 0; i < r->n_known; i++)
        field_free(&r->known[i]);
    for (size_t i = 0; i < r->n_touched; i++)
        free(r->touched[i]);
    pthread_mutex_unlock(&r->lock);
    free(r->shared);
    free(r->waiting);
    free(r->settle);
    free(r->known);
    free(r->touched);
    free(r->tokens);
    free(r->psk);
    if (r->urandom >= 0)
        close(r->urandom);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

int demo_registry_tick(struct demo_registry *r)
{
    pthread_mutex_lock(&r->lock);
    int64_t now = now_ms();
    int64_t next = now + 1000;
    /* SessionService.SessionCleanupJob: drop dead tokens, expire dead sessions. */
    for (size_t i = 0; i < r->n_tokens;) {
        if (r->tokens[i].deadline <= now) {
            r->tokens[i] = r->tokens[--r->n_tokens];
        } else {
            if (r->tokens[i].deadline < next)
                next = r->tokens[i].deadline;
            i++;
        }
    }
    for (struct demo_session *s = r->sessions; s;) {
        struct demo_session *nx = s->next;
        if (s->token_deadline <= now)
            session_expire_locked(r, s);
        else if (s->token_deadline < next)
            next = s->token_deadline;
        s = nx;
    }
    if (r->fields_scheduled) {
        if (r->fields_due <= now)
            fields_propagate_locked(r);
        else if (r->fields_due < next)
            next = r->fields_due;
    }
    pthread_mutex_unlock(&r->lock);
    int64_t wait = next - now;
    return wait < 1 ? 1 : (int)wait;
}

void demo_registry_wait(struct demo_registry *r, int ms)
{
    pthread_mutex_lock(&r->lock);
    if (!r->shutting_down)
        cond_wait_ms(r, ms);
    pthread_mutex_unlock(&r->lock);
}

void demo_registry_expire_all(struct demo_registry *r)
{
    pthread_mutex_lock(&r->lock);
    while (r->sessions)
        session_expire_locked(r, r->sessions);
    pthread_mutex_unlock(&r->lock);
}

void demo_registry_begin_shutdown(struct demo_registry *r)
{
    pthread_mutex_lock(&r->lock);
    r->shutting_down = 1;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

int demo_registry_shutting_down(struct demo_registry *r)
{
    pthread_mutex_lock(&r->lock);
    int s = r->shutting_down;
    pthread_mutex_unlock(&r->lock);
    return s;
}

void demo_registry_stats(struct demo_registry *r, size_t *sessions, size_t *exports, size_t *shared)
{
    pthread_mutex_lock(&r->lock);
    size_t ns = 0, ne = 0, nsh = 0;
    int64_t now = now_ms();
    for (struct demo_session *s = r->sessions; s; s = s->next) {
        if (s->expired || s->token_deadline <= now)
            continue;
        ns++;
        for (size_t i = 0; i < s->n_exports; i++)
            ne += !state_terminal(s->exports[i]->state);
    }
    for (size_t i = 0; i < r->n_shared; i++) {
        const struct demo_export *e = r->shared[i].exp;
        nsh += e->state == DEMO_ES_EXPORTED && e->session && !e->session->expired &&
               e->session->token_deadline > now;
    }
    pthread_mutex_unlock(&r->lock);
    *sessions = ns;
    *exports = ne;
    *shared = nsh;
}

int demo_registry_termination_waiters(struct demo_registry *r)
{
    pthread_mutex_lock(&r->lock);
    int n = r->term_waiters;
    pthread_mutex_unlock(&r->lock);
    return n;
}

int demo_wait_termination(struct demo_registry *r, struct demo_session *s, demo_stop_fn stop,
                          void *ctx)
{
    pthread_mutex_lock(&r->lock);
    r->term_waiters++;
    int rc;
    for (;;) {
        if (r->shutting_down) {
            rc = 1;
            break;
        }
        if (!session_check_locked(r, s)) {
            rc = 0;
            break;
        }
        cond_wait_ms(r, 50);
        if (!r->shutting_down && stop_fired(r, stop, ctx)) {
            rc = -1;
            break;
        }
    }
    r->term_waiters--;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* ---------------------------------------------------------------- tickets */

/* Parse an 'a/<app>/f/<field>' ticket like ApplicationTicketResolver.appFieldIdFor:
 * 0 with the app and field spans, or -1 with the error. */
static int app_ticket_parts(const uint8_t *t, size_t n, const char *log_id, size_t *app_at,
                            size_t *app_len, size_t *field_at, struct demo_status *st)
{
    if (!utf8_valid(t, n)) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve '%s': failed to decode: Input length = 1", log_id);
        return -1;
    }
    const uint8_t *s1 = memchr(t, '/', n);
    size_t end_route = s1 ? (size_t)(s1 - t) : (size_t)-1;
    size_t from = s1 ? end_route + 1 : 0;
    const uint8_t *s2 = from <= n ? memchr(t + from, '/', n - from) : NULL;
    size_t end_app = s2 ? (size_t)(s2 - t) : (size_t)-1;
    size_t from2 = s2 ? end_app + 1 : 0;
    const uint8_t *s3 = from2 <= n ? memchr(t + from2, '/', n - from2) : NULL;
    if (!s2 || !s3) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve '%s': ticket does conform to expected format", log_id);
        return -1;
    }
    *app_at = end_route + 1;
    *app_len = end_app - *app_at;
    *field_at = (size_t)(s3 - t) + 1;
    if (*app_len != strlen(APP_ID) || memcmp(t + *app_at, APP_ID, *app_len) != 0) {
        char app[HEX_QUOTE_MAX * 2];
        name_quote(t + *app_at, *app_len, app, sizeof app);
        demo_status_set(st, GRPC_STATUS_NOT_FOUND,
                        "Could not resolve '%s': no application exists with the identifier: %s",
                        log_id, app);
        return -1;
    }
    return 0;
}

/* Check an 's/<name>' ticket like ScopeTicketResolver.nameForTicket. */
static int scope_ticket_check(const uint8_t *t, size_t n, const char *log_id,
                              struct demo_status *st)
{
    if (n < 3 || t[0] != 's' || t[1] != '/') {
        char hex[HEX_QUOTE_MAX * 2 + 8];
        hex_quote(t, n, hex, sizeof hex);
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve '%s': found 0x%s' (hex)", log_id, hex);
        return -1;
    }
    if (!utf8_valid(t + 2, n - 2)) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve '%s': failed to decode: Input length = 1", log_id);
        return -1;
    }
    return 0;
}

/* ExportTicketHelper.ticketToExportId: 0 with *id or -1 with the error. */
static int export_ticket_parse(const uint8_t *t, size_t n, const char *log_id, int32_t *id,
                               struct demo_status *st)
{
    if (n == 0) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve ticket '%s': ticket was not provided", log_id);
        return -1;
    }
    if (n != 5 || t[0] != 'e') {
        char hex[HEX_QUOTE_MAX * 2 + 8];
        hex_quote(t, n, hex, sizeof hex);
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve ticket '%s': found 0x%s (hex)", log_id, hex);
        return -1;
    }
    *id = export_ticket_id(t);
    return 0;
}

int demo_ticket_log_name(struct demo_registry *r, const uint8_t *t, size_t n, const char *log_id,
                         char *out, size_t cap, struct demo_status *st)
{
    char name[HEX_QUOTE_MAX * 2 + 8];
    if (n == 0) {
        /* TicketRouter.getLogNameFor reads byte 0 of an empty buffer upstream. */
        demo_status_obfuscated(r, st, "IndexOutOfBoundsException: empty ticket in getLogNameFor");
        return -1;
    }
    switch (t[0]) {
    case 'e': {
        int32_t id;
        if (export_ticket_parse(t, n, log_id, &id, st) != 0)
            return -1;
        snprintf(out, cap, "export/%d", (int)id);
        return 0;
    }
    case 'h':
        hex_quote(t, n, name, sizeof name);
        if (n < 2) {
            demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                            "Could not resolve '%s': found 0x%s (hex)", log_id, name);
            return -1;
        }
        hex_quote(t + 1, n - 1, name, sizeof name);
        snprintf(out, cap, "shared/%s", name);
        return 0;
    case 's':
        if (scope_ticket_check(t, n, log_id, st) != 0)
            return -1;
        name_quote(t + 2, n - 2, name, sizeof name);
        snprintf(out, cap, "scope/%s", name);
        return 0;
    case 'a': {
        size_t app_at, app_len, field_at;
        if (app_ticket_parts(t, n, log_id, &app_at, &app_len, &field_at, st) != 0)
            return -1;
        name_quote(t + field_at, n - field_at, name, sizeof name);
        snprintf(out, cap, "app/%s/field/%s", APP_ID, name);
        return 0;
    }
    default:
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve '%s': no resolver for route '%d' (byte)", log_id,
                        (int)(int8_t)t[0]);
        return -1;
    }
}

/* A failed source carrying status st (SessionState.wrapAsFailedExport). */
static void source_fail(struct demo_source *src, const struct demo_status *st)
{
    src->kind = SRC_FAILED;
    src->sre = *st;
}

/* Look up a live catalogue object by the name bytes of a ticket; app: built-in or not. */
static const struct demo_object *find_named(struct demo_registry *r, const uint8_t *p, size_t n,
                                            int app)
{
    char name[512];
    if (n >= sizeof name || memchr(p, '\0', n))
        return NULL;
    memcpy(name, p, n);
    name[n] = '\0';
    const struct demo_object *o = demo_catalog_find(r->cat, name);
    if (!o || demo_object_is_app_field(o) != app)
        return NULL;
    return o;
}

/* The resolvers, lock held. */
static void resolve_locked(struct demo_registry *r, struct demo_session *s, const uint8_t *t,
                           size_t n, const char *log_id, struct demo_source *src)
{
    struct demo_status st;
    char name[HEX_QUOTE_MAX * 2 + 8];
    if (n == 0) {
        demo_status_set(&st, GRPC_STATUS_FAILED_PRECONDITION,
                        "could not resolve '%s' it's an empty ticket", log_id);
        source_fail(src, &st);
        return;
    }
    switch (t[0]) {
    case 'e': { /* ExportTicketResolver.resolve -> SessionState.getExport */
        int32_t id;
        if (export_ticket_parse(t, n, log_id, &id, &st) != 0) {
            source_fail(src, &st);
            return;
        }
        if (!session_check_locked(r, s)) {
            demo_status_set(&st, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
            source_fail(src, &st);
            return;
        }
        struct demo_export *e = NULL;
        if (id < 0) {
            e = export_find(s, id);
            if (!e) {
                demo_status_set(&st, GRPC_STATUS_FAILED_PRECONDITION,
                                "Export id %d does not exist and cannot be used out-of-order!",
                                (int)id);
                source_fail(src, &st);
                return;
            }
        } else if (id == 0) {
            demo_status_set(&st, GRPC_STATUS_INVALID_ARGUMENT,
                            "Export id 0 refers to a non-export and cannot be requested!");
            source_fail(src, &st);
            return;
        } else {
            e = export_get_or_add(s, id); /* out-of-order use creates a placeholder */
            if (!e) {
                obfuscated_locked(r, &st, "out of memory creating an export");
                source_fail(src, &st);
                return;
            }
        }
        e->refs++;
        src->kind = SRC_EXPORT;
        src->exp = e;
        return;
    }
    case 'h': { /* SharedTicketResolver.resolve */
        if (n < 2) {
            hex_quote(t, n, name, sizeof name);
            demo_status_set(&st, GRPC_STATUS_FAILED_PRECONDITION,
                            "Could not resolve '%s': found 0x%s (hex)", log_id, name);
            source_fail(src, &st);
            return;
        }
        for (size_t i = 0; i < r->n_shared; i++) {
            if (r->shared[i].len == n - 1 && memcmp(r->shared[i].id, t + 1, n - 1) == 0) {
                r->shared[i].exp->refs++;
                src->kind = SRC_SHARED;
                src->exp = r->shared[i].exp;
                return;
            }
        }
        hex_quote(t + 1, n - 1, name, sizeof name);
        demo_status_set(&st, GRPC_STATUS_NOT_FOUND, "Could not resolve '%s': ticket '%s' not found",
                        log_id, name);
        source_fail(src, &st);
        return;
    }
    case 's': { /* ScopeTicketResolver.resolve (the message's missing quote is upstream's) */
        if (scope_ticket_check(t, n, log_id, &st) != 0) {
            source_fail(src, &st);
            return;
        }
        const struct demo_object *o = find_named(r, t + 2, n - 2, 0);
        if (!o) {
            name_quote(t + 2, n - 2, name, sizeof name);
            demo_status_set(&st, GRPC_STATUS_NOT_FOUND,
                            "Could not resolve '%s: variable '%s' not found", log_id, name);
            source_fail(src, &st);
            return;
        }
        src->kind = SRC_OBJECT;
        src->obj = o;
        return;
    }
    case 'a': { /* ApplicationTicketResolver.resolve */
        size_t app_at, app_len, field_at;
        if (app_ticket_parts(t, n, log_id, &app_at, &app_len, &field_at, &st) != 0) {
            source_fail(src, &st);
            return;
        }
        const struct demo_object *o = find_named(r, t + field_at, n - field_at, 1);
        if (!o) {
            name_quote(t + field_at, n - field_at, name, sizeof name);
            demo_status_set(&st, GRPC_STATUS_NOT_FOUND,
                            "Could not resolve '%s': field 'app/%s/field/%s' not found", log_id,
                            APP_ID, name);
            source_fail(src, &st);
            return;
        }
        src->kind = SRC_OBJECT;
        src->obj = o;
        return;
    }
    default:
        demo_status_set(&st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve '%s': no resolver for route '%d' (byte)", log_id,
                        (int)(int8_t)t[0]);
        source_fail(src, &st);
        return;
    }
}

struct demo_source *demo_resolve(struct demo_registry *r, struct demo_session *s, const uint8_t *t,
                                 size_t n, const char *log_id)
{
    struct demo_source *src = calloc(1, sizeof *src);
    if (!src)
        return NULL;
    pthread_mutex_lock(&r->lock);
    resolve_locked(r, s, t, n, log_id, src);
    pthread_mutex_unlock(&r->lock);
    return src;
}

int demo_source_is_export(const struct demo_source *src)
{
    return src->kind == SRC_EXPORT;
}

void demo_source_free(struct demo_registry *r, struct demo_source *src)
{
    if (!src)
        return;
    if (src->exp) {
        pthread_mutex_lock(&r->lock);
        export_unref_locked(r, src->exp);
        pthread_mutex_unlock(&r->lock);
    }
    free(src);
}

int demo_source_wait(struct demo_registry *r, struct demo_source *src, demo_stop_fn stop, void *ctx,
                     const struct demo_object **obj, struct demo_status *st)
{
    *obj = NULL;
    if (src->kind == SRC_OBJECT) {
        *obj = src->obj;
        return 0;
    }
    if (src->kind == SRC_FAILED) {
        *st = src->sre;
        return -1;
    }
    pthread_mutex_lock(&r->lock);
    struct demo_export *p = src->exp;
    int rc = 0;
    /* A non-export requiring p waits (indefinitely upstream) for it to resolve. */
    while (p->state < DEMO_ES_EXPORTED) {
        cond_wait_ms(r, 50);
        if (p->state < DEMO_ES_EXPORTED && stop_fired(r, stop, ctx)) {
            rc = 1;
            break;
        }
    }
    if (rc == 0) {
        if (p->state == DEMO_ES_EXPORTED) {
            *obj = p->obj;
        } else {
            struct failure f;
            derive_failure(r, p, src->kind == SRC_SHARED, &f);
            status_from_parts(f.state, f.has_sre, f.sre_code, f.sre_msg, 0, f.error_id,
                              f.dep_handle, st);
            rc = -1;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* ---------------------------------------------------------------- export RPCs */

struct demo_export *demo_export_create(struct demo_registry *r, struct demo_session *s,
                                       struct demo_source *src, const uint8_t *result, size_t n,
                                       const char *log_id, int require_table,
                                       struct demo_status *st)
{
    int32_t id;
    if (export_ticket_parse(result, n, log_id, &id, st) != 0)
        return NULL;
    pthread_mutex_lock(&r->lock);
    struct demo_export *e = NULL;
    if (!session_check_locked(r, s)) {
        demo_status_set(st, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
        goto out;
    }
    if (id <= 0) {
        obfuscated_locked(r, st,
                          "IllegalArgumentException: exportId's <= 0 are reserved for server "
                          "allocation only");
        goto out;
    }
    e = export_get_or_add(s, id);
    if (!e) {
        obfuscated_locked(r, st, "out of memory creating an export");
        goto out;
    }
    if (e->work_set) {
        obfuscated_locked(r, st,
                          "IllegalStateException: dependencies can only be set once on an "
                          "exportable object");
        e = NULL;
        goto out;
    }
    e->work_set = 1;
    e->require_table = require_table;
    e->refs++; /* the caller's */
    if (state_terminal(e->state))
        goto out; /* a placeholder released before it was defined */
    if (src->kind == SRC_OBJECT) {
        set_state_locked(r, e, DEMO_ES_PENDING);
        complete_export_locked(r, e, src->obj);
    } else if (src->kind == SRC_FAILED) {
        set_state_locked(r, e, DEMO_ES_PENDING);
        struct failure f;
        memset(&f, 0, sizeof f);
        f.state = DEMO_ES_DEPENDENCY_FAILED;
        f.has_sre = 1;
        f.sre_code = src->sre.code;
        f.sre_msg = src->sre.msg;
        make_uuid(r, f.error_id);
        apply_failure_locked(r, e, &f);
    } else {
        struct demo_export *p = src->exp;
        if (p->state == DEMO_ES_EXPORTED) {
            set_state_locked(r, e, DEMO_ES_PENDING);
            complete_export_locked(r, e, p->obj);
        } else if (state_terminal(p->state)) {
            struct failure f; /* a dead parent fails the export at once (setWork) */
            derive_failure(r, p, src->kind == SRC_SHARED, &f);
            apply_failure_locked(r, e, &f);
        } else if (grow((void **)&r->waiting, &r->cap_waiting, r->n_waiting + 1,
                        sizeof *r->waiting) == 0) {
            set_state_locked(r, e, DEMO_ES_PENDING);
            p->refs++;
            e->refs++;
            e->dep = p;
            e->dep_shared = src->kind == SRC_SHARED;
            r->waiting[r->n_waiting++] = e;
        } else {
            e->has_cause = 1;
            make_uuid(r, e->error_id);
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
    while (!e->ever_exported && !state_terminal(e->state)) {
        cond_wait_ms(r, 50);
        if (!e->ever_exported && !state_terminal(e->state) && stop_fired(r, stop, ctx)) {
            rc = 1;
            break;
        }
    }
    if (rc == 0) {
        if (e->ever_exported) {
            *obj = e->obj;
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
    export_unref_locked(r, e);
    pthread_mutex_unlock(&r->lock);
}

int demo_publish_shared(struct demo_registry *r, struct demo_source *src, const uint8_t *id,
                        size_t n, const char *log_id, struct demo_status *st)
{
    char hex[HEX_QUOTE_MAX * 2 + 8];
    hex_quote(id, n, hex, sizeof hex);
    if (src->kind != SRC_EXPORT) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not publish '%s' to shared ticket '%s' (hex): can only publish "
                        "directly from a session export to a shared ticket",
                        log_id, hex);
        return -1;
    }
    pthread_mutex_lock(&r->lock);
    int rc = 0;
    for (size_t i = 0; i < r->n_shared; i++) {
        if (r->shared[i].len == n && memcmp(r->shared[i].id, id, n) == 0) {
            demo_status_set(st, GRPC_STATUS_ALREADY_EXISTS,
                            "Could not publish '%s' to shared ticket '%s' (hex): destination "
                            "already exists",
                            log_id, hex);
            rc = -1;
            goto out;
        }
    }
    uint8_t *copy = malloc(n);
    if (!copy ||
        grow((void **)&r->shared, &r->cap_shared, r->n_shared + 1, sizeof *r->shared) != 0) {
        free(copy);
        obfuscated_locked(r, st, "out of memory publishing a shared ticket");
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
    if (export_ticket_parse(t, n, "id", &id, st) != 0)
        return -1;
    pthread_mutex_lock(&r->lock);
    int rc = 0;
    if (!session_check_locked(r, s)) {
        demo_status_set(st, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
        rc = -1;
    } else {
        struct demo_export *e = export_find(s, id);
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
    if (session_check_locked(r, s) && s->next_server_id < 0) {
        struct demo_export *e = export_get_or_add(s, s->next_server_id);
        if (e) {
            *id = s->next_server_id--;
            e->work_set = 1;
            e->obj = obj;
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
    if (!session_check_locked(r, s))
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
        if (state_terminal(e->state) || pack_notification(e, &buf, &len) != 0)
            continue;
        queue_push(&l->q, buf, len);
        free(buf);
    }
    uint8_t *buf;
    size_t len;
    if (pack_export_notification(0, DEMO_ES_EXPORTED, "run is complete", NULL, &buf, &len) == 0) {
        queue_push(&l->q, buf, len);
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
    int rc = queue_wait_locked(r, &l->q, l->s, &l->ended, stop, ctx, data, len);
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
    queue_clear(&l->q);
    free(l);
    pthread_mutex_unlock(&r->lock);
}
