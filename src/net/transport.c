/* SPDX-License-Identifier: MIT */
/* transport.c: blocking unary calls and streams over the gRPC core C API. */
#include "dh_transport.h"

#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <protobuf-c/protobuf-c.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Deephaven sends messages up to 100 MiB (docs/PROTOCOL.md, gRPC); allow a margin. */
#define DH_MAX_MESSAGE_BYTES (128 * 1024 * 1024)
#define DH_TLS_FILE_MAX (1024 * 1024)
/* gRPC's channel reconnect back-off (see dh_channel_new). */
#define DH_RECONNECT_INITIAL_MS 250
#define DH_RECONNECT_MAX_MS 1000
#define DH_CONNECT_ATTEMPT_MS 5000

/* ---- bearer ---- */

struct dh_bearer {
    pthread_mutex_t mu;
    char *value; /* heap: OIDC tokens run to 16 KB and more (DH_AUTH_HEADER_MAX) */
    uint64_t generation;
};

void dh_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

/* A heap copy of value cut to DH_AUTH_HEADER_MAX - 1 bytes; NULL without memory. */
static char *bearer_copy(const char *value)
{
    size_t n = strnlen(value, DH_AUTH_HEADER_MAX - 1);
    char *v = malloc(n + 1);
    if (v) {
        memcpy(v, value, n);
        v[n] = '\0';
    }
    return v;
}

struct dh_bearer *dh_bearer_new(const char *initial_value)
{
    struct dh_bearer *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->value = bearer_copy(initial_value ? initial_value : "");
    if (!b->value) {
        free(b);
        return NULL;
    }
    pthread_mutex_init(&b->mu, NULL);
    return b;
}

void dh_bearer_free(struct dh_bearer *b)
{
    if (!b)
        return;
    pthread_mutex_destroy(&b->mu);
    dh_wipe(b->value, strlen(b->value));
    free(b->value);
    free(b);
}

void dh_bearer_get(struct dh_bearer *b, char *buf, size_t n)
{
    if (n == 0)
        return;
    pthread_mutex_lock(&b->mu);
    snprintf(buf, n, "%s", b->value);
    pthread_mutex_unlock(&b->mu);
}

char *dh_bearer_dup(struct dh_bearer *b)
{
    pthread_mutex_lock(&b->mu);
    char *v = strdup(b->value);
    pthread_mutex_unlock(&b->mu);
    return v;
}

void dh_bearer_set(struct dh_bearer *b, const char *value)
{
    pthread_mutex_lock(&b->mu);
    if (strcmp(b->value, value) != 0) {
        char *v = bearer_copy(value);
        if (v) { /* without memory the old token stays: the next rotation retries */
            dh_wipe(b->value, strlen(b->value));
            free(b->value);
            b->value = v;
            b->generation++;
        }
    }
    pthread_mutex_unlock(&b->mu);
}

uint64_t dh_bearer_generation(struct dh_bearer *b)
{
    pthread_mutex_lock(&b->mu);
    uint64_t g = b->generation;
    pthread_mutex_unlock(&b->mu);
    return g;
}

/* Adopt a rotated token: the server's `authorization: Bearer <uuid>` reply
 * header, in initial or trailing metadata (SessionServiceGrpcImpl.InterceptedCall). */
static void bearer_adopt(struct dh_bearer *b, const grpc_metadata_array *md)
{
    if (!b)
        return;
    for (size_t i = 0; i < md->count; i++) {
        const grpc_metadata *m = &md->metadata[i];
        if (!grpc_slice_str_cmp(m->key, "authorization")) {
            size_t len = GRPC_SLICE_LENGTH(m->value);
            if (len < 8 || len >= DH_AUTH_HEADER_MAX ||
                memcmp(GRPC_SLICE_START_PTR(m->value), "Bearer ", 7) != 0)
                continue;
            char *v = malloc(len + 1);
            if (!v)
                continue;
            memcpy(v, GRPC_SLICE_START_PTR(m->value), len);
            v[len] = '\0';
            dh_bearer_set(b, v);
            free(v);
        }
    }
}

/* ---- interrupts ---- */

/* A call some thread is blocked on, registered so an interrupt can cancel it
 * from another thread. `cancelled` is shared by the call's registrations. */
struct waiter {
    struct waiter *next;
    grpc_call *call;
    atomic_int *cancelled;
};

struct dh_interrupt {
    pthread_mutex_t mu; /* guards waiters */
    atomic_int on;
    struct waiter *waiters;
};

static void interrupt_init(struct dh_interrupt *in)
{
    pthread_mutex_init(&in->mu, NULL);
    atomic_init(&in->on, 0);
    in->waiters = NULL;
}

struct dh_interrupt *dh_interrupt_new(void)
{
    struct dh_interrupt *in = malloc(sizeof *in);
    if (in)
        interrupt_init(in);
    return in;
}

void dh_interrupt_free(struct dh_interrupt *in)
{
    if (!in)
        return;
    pthread_mutex_destroy(&in->mu);
    free(in);
}

/* Cancel w's call once, whichever registration gets there first. Locked. */
static void waiter_cancel(struct waiter *w)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(w->cancelled, &expected, 1))
        grpc_call_cancel(w->call, NULL);
}

void dh_interrupt_set(struct dh_interrupt *in, int on)
{
    if (!in)
        return;
    pthread_mutex_lock(&in->mu);
    atomic_store(&in->on, on ? 1 : 0);
    for (struct waiter *w = on ? in->waiters : NULL; w; w = w->next)
        waiter_cancel(w);
    pthread_mutex_unlock(&in->mu);
}

int dh_interrupt_is_set(const struct dh_interrupt *in)
{
    return in && atomic_load(&in->on);
}

/* Register w (cancelled at once if the switch is already on). */
static void interrupt_enter(struct dh_interrupt *in, struct waiter *w)
{
    pthread_mutex_lock(&in->mu);
    if (atomic_load(&in->on))
        waiter_cancel(w);
    w->next = in->waiters;
    in->waiters = w;
    pthread_mutex_unlock(&in->mu);
}

static void interrupt_leave(struct dh_interrupt *in, struct waiter *w)
{
    pthread_mutex_lock(&in->mu);
    for (struct waiter **p = &in->waiters; *p; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            break;
        }
    }
    pthread_mutex_unlock(&in->mu);
}

/* ---- channel ---- */

struct dh_channel {
    grpc_channel *ch;
    /* Connectivity watcher (dh_channel_watch): watch_mu guards ready_fn,
     * ready_ctx and every use of ch by the watcher once closing may be set. */
    pthread_mutex_t watch_mu;
    dh_channel_ready_fn ready_fn;
    void *ready_ctx;
    int closing;
    int watching;
    pthread_t watcher;
    grpc_completion_queue *watch_cq;
    struct dh_interrupt own;     /* dh_channel_interrupt: end blocking waits now */
    struct dh_interrupt *shared; /* the owner's, for every channel it makes */
    _Atomic int64_t deadline_ms; /* no call outlives it; 0: none */
    atomic_int outstanding;      /* calls with a deadline still running */
    _Atomic int64_t progress_ms; /* when the server was last heard from */
};

static gpr_timespec deadline_after(int timeout_ms);

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int interrupted(const struct dh_channel *ch)
{
    return dh_interrupt_is_set(&ch->own) || dh_interrupt_is_set(ch->shared);
}

/* The call's timeout cut to the channel's deadline: > 0 ms, <= 0 for none,
 * or DH_DEADLINE_PASSED when the deadline has already passed. */
#define DH_DEADLINE_PASSED INT32_MIN
static int clamp_timeout(struct dh_channel *ch, int timeout_ms)
{
    int64_t deadline = atomic_load(&ch->deadline_ms);
    if (deadline <= 0)
        return timeout_ms;
    int64_t left = deadline - mono_ms();
    if (left <= 0)
        return DH_DEADLINE_PASSED;
    return timeout_ms > 0 && timeout_ms < left ? timeout_ms
                                               : (int)(left < INT32_MAX ? left : INT32_MAX);
}

/* Stall accounting: calls that should finish (those with a deadline) count
 * as outstanding; any completion or message counts as progress. */
static void call_begin(struct dh_channel *ch, int timeout_ms)
{
    if (timeout_ms <= 0)
        return;
    if (atomic_fetch_add(&ch->outstanding, 1) == 0)
        atomic_store(&ch->progress_ms, mono_ms());
}

static void call_end(struct dh_channel *ch, int timeout_ms)
{
    if (timeout_ms > 0)
        atomic_fetch_sub(&ch->outstanding, 1);
    atomic_store(&ch->progress_ms, mono_ms());
}

int64_t dh_channel_stalled_ms(struct dh_channel *ch)
{
    if (!ch || atomic_load(&ch->outstanding) <= 0)
        return -1;
    int64_t d = mono_ms() - atomic_load(&ch->progress_ms);
    return d > 0 ? d : 0;
}

void dh_channel_set_deadline(struct dh_channel *ch, int64_t deadline_ms)
{
    if (ch)
        atomic_store(&ch->deadline_ms, deadline_ms > 0 ? deadline_ms : 0);
}

/* Read a whole PEM file (bounded) into a NUL-terminated heap string, and
 * check it holds what it should (`marker`): gRPC reports a bad local file
 * only later, as an unhelpful "empty address list". */
static char *read_pem(const char *path, const char *what, const char *marker, struct dh_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        dh_error_set(err, DH_ESYS, "cannot open %s file '%s'", what, path);
        return NULL;
    }
    char *buf = malloc(DH_TLS_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, DH_TLS_FILE_MAX, f) : 0;
    fclose(f);
    if (!buf || n == 0) {
        free(buf);
        dh_error_set(err, DH_ESYS, "cannot read %s file '%s'", what, path);
        return NULL;
    }
    buf[n] = '\0';
    if (!strstr(buf, marker)) {
        free(buf);
        dh_error_set(err, DH_EINVAL, "the %s file '%s' has no %s", what, path, marker);
        return NULL;
    }
    return buf;
}

static grpc_channel_credentials *tls_credentials(const struct dh_channel_options *opt,
                                                 struct dh_error *err)
{
    char *roots = NULL, *cert = NULL, *key = NULL;
    grpc_channel_credentials *creds = NULL;
    static const char cert_marker[] = "-----BEGIN CERTIFICATE-----";
    if (opt->ca_file && !(roots = read_pem(opt->ca_file, "CA", cert_marker, err)))
        goto out;
    if ((opt->cert_file != NULL) != (opt->key_file != NULL)) {
        dh_error_set(err, DH_EINVAL, "a client certificate needs both --cert and --key");
        goto out;
    }
    if (opt->cert_file && (!(cert = read_pem(opt->cert_file, "certificate", cert_marker, err)) ||
                           !(key = read_pem(opt->key_file, "key", "PRIVATE KEY-----", err))))
        goto out;
    grpc_ssl_pem_key_cert_pair pair = {.private_key = key, .cert_chain = cert};
    creds = grpc_ssl_credentials_create(roots, cert ? &pair : NULL, NULL, NULL);
    if (!creds)
        dh_error_set(err, DH_EINVAL, "cannot set up TLS with the given files");
out:
    free(roots);
    free(cert);
    free(key);
    return creds;
}

struct dh_channel *dh_channel_new(const struct dh_channel_options *opt, struct dh_error *err)
{
    if (!opt || !opt->target || !opt->target[0]) {
        dh_error_set(err, DH_EINVAL, "no server address given");
        return NULL;
    }
    grpc_init();
    grpc_channel_credentials *creds =
        opt->tls ? tls_credentials(opt, err) : grpc_insecure_credentials_create();
    if (!creds) {
        grpc_shutdown();
        return NULL;
    }
    /* gRPC's own reconnect back-off grows to 120 s, and while it waits every
     * call fails at once with the cached error of the last attempt (often a
     * stale "Connection refused"): the server's return would go unnoticed for
     * up to two minutes. Capped at 1 s, a server that comes back is reached
     * within about a second; the app's retries pace the calls themselves. */
    int max_msg = opt->max_message_bytes > 0 ? opt->max_message_bytes : DH_MAX_MESSAGE_BYTES;
    const struct {
        const char *key;
        int value;
    } ints[] = {
        {GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, max_msg},
        {GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, max_msg},
        {GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, DH_RECONNECT_INITIAL_MS},
        {GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, DH_RECONNECT_MAX_MS},
        /* Despite its name, the shortest time a connection attempt may take. */
        {GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, DH_CONNECT_ATTEMPT_MS},
        /* A failed connection asks for the name to be resolved again, which
         * gRPC otherwise allows only every 30 s. */
        {GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS, DH_RECONNECT_MAX_MS},
        /* A rotated token in a reply header may be as long as we let a
         * credential be (gRPC's default limit is 8 KB). */
        {GRPC_ARG_MAX_METADATA_SIZE, 2 * DH_AUTH_HEADER_MAX},
    };
    enum { N_ARGS = sizeof ints / sizeof ints[0] };
    grpc_arg args[N_ARGS];
    for (size_t i = 0; i < N_ARGS; i++) {
        args[i].type = GRPC_ARG_INTEGER;
        args[i].key = (char *)ints[i].key;
        args[i].value.integer = ints[i].value;
    }
    grpc_channel_args cargs = {.num_args = N_ARGS, .args = args};
    struct dh_channel *c = calloc(1, sizeof *c);
    if (c) {
        interrupt_init(&c->own);
        pthread_mutex_init(&c->watch_mu, NULL);
        c->shared = opt->interrupt;
        atomic_store(&c->deadline_ms, opt->deadline_ms > 0 ? opt->deadline_ms : 0);
        c->ch = grpc_channel_create(opt->target, creds, &cargs);
    }
    grpc_channel_credentials_release(creds);
    if (!c || !c->ch) {
        if (c) {
            pthread_mutex_destroy(&c->own.mu);
            pthread_mutex_destroy(&c->watch_mu);
        }
        free(c);
        grpc_shutdown();
        dh_error_set(err, DH_ENOMEM, "cannot create a channel to %s", opt->target);
        return NULL;
    }
    return c;
}

void dh_channel_free(struct dh_channel *c)
{
    if (!c)
        return;
    /* Destroying the channel moves it to SHUTDOWN, which ends the watcher's
     * wait; under watch_mu the watcher is not using the channel meanwhile. */
    pthread_mutex_lock(&c->watch_mu);
    c->closing = 1;
    c->ready_fn = NULL;
    grpc_channel_destroy(c->ch);
    int watching = c->watching;
    pthread_mutex_unlock(&c->watch_mu);
    if (watching) {
        pthread_join(c->watcher, NULL);
        grpc_completion_queue_shutdown(c->watch_cq);
        while (grpc_completion_queue_next(c->watch_cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL)
                   .type != GRPC_QUEUE_SHUTDOWN)
            ;
        grpc_completion_queue_destroy(c->watch_cq);
    }
    pthread_mutex_destroy(&c->watch_mu);
    pthread_mutex_destroy(&c->own.mu);
    free(c);
    grpc_shutdown();
}

void dh_buf_reset(struct dh_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

/* ---- helpers shared by calls and streams ---- */

static gpr_timespec deadline_after(int timeout_ms)
{
    if (timeout_ms <= 0)
        return gpr_inf_future(GPR_CLOCK_REALTIME);
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                        gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
}

/* Pack a protobuf message into a gRPC byte buffer. */
static grpc_byte_buffer *pack_message(const ProtobufCMessage *msg)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    grpc_slice slice = grpc_slice_malloc(len);
    protobuf_c_message_pack(msg, GRPC_SLICE_START_PTR(slice));
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&slice, 1);
    grpc_slice_unref(slice);
    return bb;
}

static grpc_byte_buffer *pack_bytes(const uint8_t *data, size_t len)
{
    grpc_slice slice = grpc_slice_from_copied_buffer((const char *)data, len);
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&slice, 1);
    grpc_slice_unref(slice);
    return bb;
}

/* Move a received byte buffer into out (flattened). */
static int take_message(grpc_byte_buffer *bb, struct dh_buf *out, struct dh_error *err)
{
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, bb)) {
        grpc_byte_buffer_destroy(bb);
        return dh_error_set(err, DH_EINVAL, "cannot read a message from the server");
    }
    /* One copy, slice by slice (readall would join them into a new slice
     * first: a second copy of every record batch). buffer_out is the
     * decompressed buffer when the message came compressed. */
    size_t len = grpc_byte_buffer_length(reader.buffer_out), done = 0;
    out->data = malloc(len ? len : 1);
    grpc_slice piece;
    while (out->data && grpc_byte_buffer_reader_next(&reader, &piece)) {
        size_t n = GRPC_SLICE_LENGTH(piece);
        if (n > len - done)
            n = len - done; /* cannot happen: the length is the slices' sum */
        memcpy(out->data + done, GRPC_SLICE_START_PTR(piece), n);
        done += n;
        grpc_slice_unref(piece);
    }
    grpc_byte_buffer_reader_destroy(&reader);
    grpc_byte_buffer_destroy(bb);
    if (!out->data)
        return dh_error_set(err, DH_ENOMEM, "out of memory reading a %zu-byte message", len);
    out->len = done;
    return DH_OK;
}

/* The `authorization` metadata we send (the slice holds its own copy). */
static size_t auth_metadata(struct dh_bearer *b, grpc_metadata *md)
{
    if (!b)
        return 0;
    pthread_mutex_lock(&b->mu);
    int have = b->value[0] != '\0';
    if (have) {
        memset(md, 0, sizeof *md);
        md->key = grpc_slice_from_static_string("authorization");
        md->value = grpc_slice_from_copied_string(b->value);
    }
    pthread_mutex_unlock(&b->mu);
    return have ? 1 : 0;
}

/* Turn a final status into an error (DH_OK for GRPC_STATUS_OK). */
static int status_to_error(grpc_status_code status, grpc_slice details, const char *what,
                           struct dh_error *err)
{
    if (status == GRPC_STATUS_OK)
        return DH_OK;
    char text[400];
    size_t len = GRPC_SLICE_LENGTH(details);
    if (len >= sizeof text)
        len = sizeof text - 1;
    memcpy(text, GRPC_SLICE_START_PTR(details), len);
    text[len] = '\0';
    return dh_error_set_grpc(err, what, (int)status, text);
}

/* Wait for the batch `tag` of `call`, blocked without a timeout (the call's
 * own deadline ends it). Meanwhile the call is registered with the channel's
 * interrupts, which cancel it from the interrupting thread: nothing polls,
 * so an idle stream costs no wake-ups. Returns 1 if an interrupt cancelled
 * the call. */
static int wait_call(struct dh_channel *ch, grpc_completion_queue *cq, grpc_call *call, void *tag)
{
    atomic_int cancelled;
    atomic_init(&cancelled, 0);
    struct waiter own = {.call = call, .cancelled = &cancelled}, shared = own;
    interrupt_enter(&ch->own, &own);
    if (ch->shared)
        interrupt_enter(ch->shared, &shared);
    while (grpc_completion_queue_pluck(cq, tag, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL).type !=
           GRPC_OP_COMPLETE)
        ;
    if (ch->shared)
        interrupt_leave(ch->shared, &shared);
    interrupt_leave(&ch->own, &own);
    return atomic_load(&cancelled);
}

void dh_channel_interrupt(struct dh_channel *ch, int on)
{
    dh_interrupt_set(&ch->own, on);
}

static void destroy_cq(grpc_completion_queue *cq)
{
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN)
        ;
    grpc_completion_queue_destroy(cq);
}

static grpc_call *create_call(struct dh_channel *ch, grpc_completion_queue *cq, const char *method,
                              int timeout_ms)
{
    grpc_slice path = grpc_slice_from_copied_string(method);
    grpc_call *call = grpc_channel_create_call(ch->ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, path,
                                               NULL, deadline_after(timeout_ms), NULL);
    grpc_slice_unref(path);
    return call;
}

/* ---- connectivity watcher ---- */

/* An idle channel is asked to connect at most this often: gRPC's reconnect
 * back-off paces failing attempts, this paces a server that accepts and
 * drops connections at once. */
#define DH_IDLE_KICK_MS DH_RECONNECT_INITIAL_MS

static void *watch_main(void *arg)
{
    struct dh_channel *c = arg;
    pthread_mutex_lock(&c->watch_mu);
    grpc_connectivity_state last = GRPC_CHANNEL_SHUTDOWN;
    int64_t kicked_ms = 0;
    while (!c->closing) {
        /* Ask an idle channel to connect (not more often than DH_IDLE_KICK_MS:
         * until then the wait below ends at the time the next kick is due). */
        grpc_connectivity_state st = grpc_channel_check_connectivity_state(c->ch, 0);
        gpr_timespec until = gpr_inf_future(GPR_CLOCK_MONOTONIC);
        if (st == GRPC_CHANNEL_IDLE) {
            int64_t due = kicked_ms + DH_IDLE_KICK_MS, now = mono_ms();
            if (kicked_ms == 0 || now >= due) {
                st = grpc_channel_check_connectivity_state(c->ch, 1);
                kicked_ms = now;
            } else {
                until = deadline_after((int)(due - now));
            }
        }
        if (st == GRPC_CHANNEL_READY && last != GRPC_CHANNEL_READY && c->ready_fn)
            c->ready_fn(c->ready_ctx);
        last = st;
        if (st == GRPC_CHANNEL_SHUTDOWN)
            break;
        grpc_channel_watch_connectivity_state(c->ch, st, until, c->watch_cq, NULL);
        pthread_mutex_unlock(&c->watch_mu);
        grpc_event ev;
        do
            ev = grpc_completion_queue_next(c->watch_cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        while (ev.type == GRPC_QUEUE_TIMEOUT);
        pthread_mutex_lock(&c->watch_mu);
    }
    pthread_mutex_unlock(&c->watch_mu);
    return NULL;
}

int dh_channel_watch(struct dh_channel *c, dh_channel_ready_fn fn, void *ctx, struct dh_error *err)
{
    pthread_mutex_lock(&c->watch_mu);
    c->ready_fn = fn;
    c->ready_ctx = ctx;
    int rc = DH_OK;
    if (!c->watching && !c->closing && fn) {
        c->watch_cq = grpc_completion_queue_create_for_next(NULL);
        if (!c->watch_cq || pthread_create(&c->watcher, NULL, watch_main, c) != 0) {
            if (c->watch_cq)
                grpc_completion_queue_destroy(c->watch_cq);
            c->watch_cq = NULL;
            rc = dh_error_set(err, DH_ESYS, "cannot start the connection watcher");
        } else {
            c->watching = 1;
        }
    }
    pthread_mutex_unlock(&c->watch_mu);
    return rc;
}

/* ---- unary ---- */

int dh_call_unary(struct dh_channel *ch, struct dh_bearer *bearer, const char *method,
                  const ProtobufCMessage *req, int timeout_ms, struct dh_buf *resp,
                  const char *what, struct dh_error *err)
{
    resp->data = NULL;
    resp->len = 0;
    timeout_ms = clamp_timeout(ch, timeout_ms);
    if (timeout_ms == DH_DEADLINE_PASSED)
        return dh_error_set(err, DH_ETIMEOUT, "%s: out of time (the command's time limit passed)",
                            what);
    grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
    grpc_call *call = create_call(ch, cq, method, timeout_ms);
    if (!call) {
        destroy_cq(cq);
        return dh_error_set(err, DH_ENOMEM, "%s: cannot create the call", what);
    }
    grpc_metadata md;
    size_t nmd = auth_metadata(bearer, &md);
    grpc_byte_buffer *send = pack_message(req);
    grpc_byte_buffer *recv = NULL;
    grpc_metadata_array initial, trailing;
    grpc_metadata_array_init(&initial);
    grpc_metadata_array_init(&trailing);
    grpc_status_code status = GRPC_STATUS_UNKNOWN;
    grpc_slice details = grpc_empty_slice();

    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].data.send_initial_metadata.count = nmd;
    ops[0].data.send_initial_metadata.metadata = nmd ? &md : NULL;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = send;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &recv;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
    ops[5].data.recv_status_on_client.status = &status;
    ops[5].data.recv_status_on_client.status_details = &details;

    int rc;
    call_begin(ch, timeout_ms);
    if (interrupted(ch)) {
        rc = dh_error_set(err, DH_ECANCELLED, "%s: cancelled", what);
    } else if (grpc_call_start_batch(call, ops, 6, ops, NULL) != GRPC_CALL_OK) {
        rc = dh_error_set(err, DH_EGRPC, "%s: cannot start the call", what);
    } else if (wait_call(ch, cq, call, ops)) {
        rc = dh_error_set(err, DH_ECANCELLED, "%s: cancelled", what);
    } else {
        bearer_adopt(bearer, &initial);
        bearer_adopt(bearer, &trailing);
        rc = status_to_error(status, details, what, err);
        if (rc == DH_OK && recv) {
            rc = take_message(recv, resp, err);
            recv = NULL;
        } else if (rc == DH_OK) {
            rc = dh_error_set(err, DH_EINVAL, "%s: the server sent no reply message", what);
        }
    }
    if (recv)
        grpc_byte_buffer_destroy(recv);
    grpc_byte_buffer_destroy(send);
    if (nmd)
        grpc_slice_unref(md.value);
    grpc_slice_unref(details);
    grpc_metadata_array_destroy(&initial);
    grpc_metadata_array_destroy(&trailing);
    grpc_call_unref(call);
    destroy_cq(cq);
    call_end(ch, timeout_ms);
    return rc;
}

/* ---- streams ---- */

struct dh_stream {
    struct dh_channel *ch;
    grpc_completion_queue *cq;
    grpc_call *call;
    struct dh_bearer *bearer;
    char what[128];
    /* Tags: the address of each field identifies its batch. */
    int tag_start, tag_headers, tag_status, tag_read, tag_write;
    int headers_pending, status_pending, status_done;
    _Atomic int cancelled; /* set by dh_stream_cancel from another thread */
    grpc_metadata_array initial, trailing;
    grpc_status_code status;
    grpc_slice details;
    grpc_byte_buffer *first;
    grpc_metadata md;
    size_t nmd;
    int timeout_ms; /* as clamped at open, for the stall accounting */
};

/* Wait for one of the stream's batches; an interrupt counts as our cancel. */
static void stream_wait(struct dh_stream *s, void *tag)
{
    if (wait_call(s->ch, s->cq, s->call, tag))
        s->cancelled = 1;
}

static void stream_release(struct dh_stream *s)
{
    call_end(s->ch, s->timeout_ms);
    if (s->first)
        grpc_byte_buffer_destroy(s->first);
    if (s->nmd)
        grpc_slice_unref(s->md.value);
    grpc_slice_unref(s->details);
    grpc_metadata_array_destroy(&s->initial);
    grpc_metadata_array_destroy(&s->trailing);
    if (s->call)
        grpc_call_unref(s->call);
    if (s->cq)
        destroy_cq(s->cq);
    free(s);
}

/* Start the batches every stream has: metadata (+ first message), headers, status. */
static int stream_start(struct dh_stream *s, int flags)
{
    grpc_op ops[3];
    memset(ops, 0, sizeof ops);
    size_t n = 0;
    ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[n].data.send_initial_metadata.count = s->nmd;
    ops[n].data.send_initial_metadata.metadata = s->nmd ? &s->md : NULL;
    n++;
    if (s->first) {
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n].data.send_message.send_message = s->first;
        n++;
    }
    if (flags & DH_STREAM_HALF_CLOSE) {
        ops[n].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
        n++;
    }
    if (grpc_call_start_batch(s->call, ops, n, &s->tag_start, NULL) != GRPC_CALL_OK)
        return -1;
    stream_wait(s, &s->tag_start);

    grpc_op st;
    memset(&st, 0, sizeof st);
    st.op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    st.data.recv_status_on_client.trailing_metadata = &s->trailing;
    st.data.recv_status_on_client.status = &s->status;
    st.data.recv_status_on_client.status_details = &s->details;
    if (grpc_call_start_batch(s->call, &st, 1, &s->tag_status, NULL) != GRPC_CALL_OK)
        return -1;
    s->status_pending = 1;

    grpc_op hd;
    memset(&hd, 0, sizeof hd);
    hd.op = GRPC_OP_RECV_INITIAL_METADATA;
    hd.data.recv_initial_metadata.recv_initial_metadata = &s->initial;
    if (grpc_call_start_batch(s->call, &hd, 1, &s->tag_headers, NULL) != GRPC_CALL_OK)
        return -1;
    s->headers_pending = 1;
    return 0;
}

struct dh_stream *dh_stream_open(struct dh_channel *ch, struct dh_bearer *bearer,
                                 const char *method, const ProtobufCMessage *first, int flags,
                                 int timeout_ms, const char *what, struct dh_error *err)
{
    struct dh_stream *s = calloc(1, sizeof *s);
    if (!s) {
        dh_error_set(err, DH_ENOMEM, "%s: out of memory", what);
        return NULL;
    }
    snprintf(s->what, sizeof s->what, "%s", what ? what : method);
    timeout_ms = clamp_timeout(ch, timeout_ms);
    if (timeout_ms == DH_DEADLINE_PASSED) {
        free(s);
        dh_error_set(err, DH_ETIMEOUT, "%s: out of time (the command's time limit passed)",
                     what ? what : method);
        return NULL;
    }
    s->ch = ch;
    s->timeout_ms = timeout_ms;
    call_begin(ch, timeout_ms);
    s->bearer = bearer;
    s->details = grpc_empty_slice();
    grpc_metadata_array_init(&s->initial);
    grpc_metadata_array_init(&s->trailing);
    s->cq = grpc_completion_queue_create_for_pluck(NULL);
    s->call = create_call(ch, s->cq, method, timeout_ms);
    s->nmd = auth_metadata(bearer, &s->md);
    if (first)
        s->first = pack_message(first);
    if (!s->call || stream_start(s, flags) != 0) {
        dh_error_set(err, DH_EGRPC, "%s: cannot start the call", s->what);
        if (s->call)
            grpc_call_cancel(s->call, NULL);
        if (s->status_pending)
            stream_wait(s, &s->tag_status);
        if (s->headers_pending)
            stream_wait(s, &s->tag_headers);
        stream_release(s);
        return NULL;
    }
    return s;
}

/* Wait for the response headers once, adopting a rotated token. */
static void stream_take_headers(struct dh_stream *s)
{
    if (!s->headers_pending)
        return;
    stream_wait(s, &s->tag_headers);
    s->headers_pending = 0;
    bearer_adopt(s->bearer, &s->initial);
}

static int stream_finish(struct dh_stream *s, struct dh_error *err)
{
    if (s->status_pending) {
        stream_wait(s, &s->tag_status);
        s->status_pending = 0;
        s->status_done = 1;
        bearer_adopt(s->bearer, &s->trailing);
    }
    if (s->cancelled && s->status == GRPC_STATUS_CANCELLED)
        return dh_error_set(err, DH_ECANCELLED, "%s: cancelled", s->what);
    int rc = status_to_error(s->status, s->details, s->what, err);
    return rc == DH_OK ? DH_END : rc;
}

int dh_stream_read(struct dh_stream *s, struct dh_buf *msg, struct dh_error *err)
{
    msg->data = NULL;
    msg->len = 0;
    stream_take_headers(s);
    if (s->status_done)
        return stream_finish(s, err);
    grpc_byte_buffer *recv = NULL;
    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_RECV_MESSAGE;
    op.data.recv_message.recv_message = &recv;
    if (grpc_call_start_batch(s->call, &op, 1, &s->tag_read, NULL) != GRPC_CALL_OK)
        return dh_error_set(err, DH_EGRPC, "%s: cannot read from the stream", s->what);
    stream_wait(s, &s->tag_read);
    if (!recv)
        return stream_finish(s, err);
    atomic_store(&s->ch->progress_ms, mono_ms());
    return take_message(recv, msg, err);
}

static int stream_send(struct dh_stream *s, grpc_byte_buffer *bb, struct dh_error *err)
{
    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_SEND_MESSAGE;
    op.data.send_message.send_message = bb;
    int rc = DH_OK;
    if (grpc_call_start_batch(s->call, &op, 1, &s->tag_write, NULL) != GRPC_CALL_OK)
        rc = dh_error_set(err, DH_EGRPC, "%s: cannot write to the stream", s->what);
    else
        stream_wait(s, &s->tag_write);
    grpc_byte_buffer_destroy(bb);
    return rc;
}

int dh_stream_write(struct dh_stream *s, const ProtobufCMessage *msg, struct dh_error *err)
{
    return stream_send(s, pack_message(msg), err);
}

int dh_stream_write_bytes(struct dh_stream *s, const uint8_t *data, size_t len,
                          struct dh_error *err)
{
    return stream_send(s, pack_bytes(data, len), err);
}

int dh_stream_writes_done(struct dh_stream *s, struct dh_error *err)
{
    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    if (grpc_call_start_batch(s->call, &op, 1, &s->tag_write, NULL) != GRPC_CALL_OK)
        return dh_error_set(err, DH_EGRPC, "%s: cannot half-close the stream", s->what);
    stream_wait(s, &s->tag_write);
    return DH_OK;
}

void dh_stream_cancel(struct dh_stream *s)
{
    if (!s)
        return;
    s->cancelled = 1;
    grpc_call_cancel(s->call, NULL);
}

void dh_stream_free(struct dh_stream *s)
{
    if (!s)
        return;
    if (s->status_pending) {
        s->cancelled = 1;
        grpc_call_cancel(s->call, NULL);
        stream_wait(s, &s->tag_status);
    }
    if (s->headers_pending)
        stream_wait(s, &s->tag_headers);
    stream_release(s);
}
