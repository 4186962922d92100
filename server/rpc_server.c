/* SPDX-License-Identifier: MIT */
/* rpc_server: gRPC core server plumbing for the demo server (one thread per call). */
#include "rpc_server.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>

/* At most this many calls run at once; more get RESOURCE_EXHAUSTED (bounded threads). */
#define DEMO_RPC_MAX_ACTIVE 1000
/* How long a status may wait behind a message the client does not read. */
#define DEMO_RPC_FINISH_GRACE_MS 2000
/* Poll interval of blocking waits (for the stop hook). */
#define DEMO_RPC_TICK_MS 50

/* One tag per op kind: grpc allows one pending op of each kind per call. */
enum demo_tag { TAG_CLOSE = 0, TAG_RECV, TAG_SEND, TAG_STATUS, TAG_COUNT };

struct demo_rpc_server {
    grpc_server *server;
    grpc_completion_queue *cq; /* request notifications and the shutdown tag */
    demo_call_fn fn;
    void *app;
    pthread_t acceptor;
    int acceptor_started;
    atomic_int stopping;
    int shutdown_tag;
    pthread_mutex_t lock;
    pthread_cond_t idle;
    int active; /* handler threads alive */
    /* Call counters for the control channel (under lock): every call ever accepted, and
     * the calls accepted in each of the last two whole seconds (monotonic clock). */
    uint64_t calls_total;
    int64_t calls_sec[2];
    uint64_t calls_in_sec[2];
    atomic_llong stall_until_ms; /* new calls wait until this monotonic time */
};

struct demo_call {
    struct demo_rpc_server *srv;
    grpc_call *call;
    grpc_completion_queue *cq;
    grpc_call_details details;
    grpc_metadata_array req_md;
    char *method;
    int tags[TAG_COUNT]; /* addresses used as tags */
    int pending[TAG_COUNT];
    int ok[TAG_COUNT];
    int cancelled; /* filled by RECV_CLOSE_ON_SERVER */
    int close_done;
    int recv_end;
    int recv_started; /* a receive batch was started and its result not yet taken */
    grpc_byte_buffer *recv_buf;
    grpc_byte_buffer *send_buf;
    int headers_sent;
    int finished;
    grpc_metadata out_md[1];
    grpc_slice hdr_value;
    int hdr_value_set;
    grpc_slice status_details;
    int status_details_set;
    demo_header_fn hdr_fn;
    void *hdr_ctx;
    demo_stop_fn stop_fn;
    void *stop_ctx;
};

/* A deadline ms milliseconds from now (ms < 0: far future). */
static gpr_timespec deadline_in(int ms)
{
    if (ms < 0)
        return gpr_inf_future(GPR_CLOCK_MONOTONIC);
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

/* Shut a completion queue down, drain it and destroy it. */
static void cq_destroy(grpc_completion_queue *cq)
{
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_next(cq, deadline_in(-1), NULL).type != GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(cq);
}

/* Which op kind a tag pointer belongs to, or -1. */
static int tag_kind(const struct demo_call *c, void *tag)
{
    for (int i = 0; i < TAG_COUNT; i++)
        if (tag == &c->tags[i])
            return i;
    return -1;
}

/* Take one completion from the call's queue (up to timeout_ms); 1 if one arrived. */
static int pump(struct demo_call *c, int timeout_ms)
{
    grpc_event ev = grpc_completion_queue_next(c->cq, deadline_in(timeout_ms), NULL);
    if (ev.type != GRPC_OP_COMPLETE)
        return 0;
    int k = tag_kind(c, ev.tag);
    if (k < 0)
        return 1;
    c->pending[k] = 0;
    c->ok[k] = ev.success;
    if (k == TAG_CLOSE)
        c->close_done = 1;
    if (k == TAG_SEND && c->send_buf) {
        grpc_byte_buffer_destroy(c->send_buf);
        c->send_buf = NULL;
    }
    return 1;
}

/* Wait for op kind k; -1 if the stop hook fired first (the op stays pending). */
static int wait_op(struct demo_call *c, int k, int use_stop)
{
    while (c->pending[k]) {
        pump(c, DEMO_RPC_TICK_MS);
        if (c->pending[k] && use_stop && c->stop_fn && c->stop_fn(c->stop_ctx))
            return -1;
    }
    return c->ok[k] ? 0 : -1;
}

/* Start a batch for op kind k. */
static int start_batch(struct demo_call *c, const grpc_op *ops, size_t n, int k)
{
    grpc_call_error e = grpc_call_start_batch(c->call, ops, n, &c->tags[k], NULL);
    if (e != GRPC_CALL_OK)
        return -1;
    c->pending[k] = 1;
    return 0;
}

/* Ask the header hook for the authorization value; fills c->out_md. 1 if there is one. */
static int build_auth_md(struct demo_call *c)
{
    char value[128];
    if (!c->hdr_fn || !c->hdr_fn(c->hdr_ctx, value, sizeof value))
        return 0;
    if (c->hdr_value_set)
        grpc_slice_unref(c->hdr_value);
    c->hdr_value = grpc_slice_from_copied_string(value);
    c->hdr_value_set = 1;
    c->out_md[0].key = grpc_slice_from_static_string("authorization");
    c->out_md[0].value = c->hdr_value;
    return 1;
}

const char *demo_call_method(const struct demo_call *c)
{
    return c->method;
}

int demo_call_header(const struct demo_call *c, const char *key, char *buf, size_t cap,
                     int *too_long)
{
    size_t klen = strlen(key);
    if (too_long)
        *too_long = 0;
    /* The last one wins, as grpc-java's Metadata.get returns it. */
    for (size_t i = c->req_md.count; i-- > 0;) {
        const grpc_metadata *m = &c->req_md.metadata[i];
        if (GRPC_SLICE_LENGTH(m->key) != klen ||
            memcmp(GRPC_SLICE_START_PTR(m->key), key, klen) != 0)
            continue;
        size_t vlen = GRPC_SLICE_LENGTH(m->value);
        if (vlen + 1 > cap) {
            if (too_long)
                *too_long = 1;
            return -1;
        }
        memcpy(buf, GRPC_SLICE_START_PTR(m->value), vlen);
        buf[vlen] = '\0';
        return 0;
    }
    return -1;
}

void demo_call_set_header_fn(struct demo_call *c, demo_header_fn fn, void *ctx)
{
    c->hdr_fn = fn;
    c->hdr_ctx = ctx;
}

void demo_call_set_stop_fn(struct demo_call *c, demo_stop_fn fn, void *ctx)
{
    c->stop_fn = fn;
    c->stop_ctx = ctx;
}

/* Copy a received byte buffer into one malloc'd block. */
static int copy_buffer(grpc_byte_buffer *bb, uint8_t **data, size_t *len)
{
    grpc_byte_buffer_reader r;
    if (!grpc_byte_buffer_reader_init(&r, bb))
        return -1;
    grpc_slice s = grpc_byte_buffer_reader_readall(&r);
    grpc_byte_buffer_reader_destroy(&r);
    size_t n = GRPC_SLICE_LENGTH(s);
    uint8_t *p = malloc(n ? n : 1);
    if (!p) {
        grpc_slice_unref(s);
        return -1;
    }
    if (n)
        memcpy(p, GRPC_SLICE_START_PTR(s), n);
    grpc_slice_unref(s);
    *data = p;
    *len = n;
    return 0;
}

int demo_call_recv(struct demo_call *c, uint8_t **data, size_t *len, int timeout_ms)
{
    *data = NULL;
    *len = 0;
    if (c->recv_end)
        return DEMO_RECV_END;
    /* A receive may have completed while a send was being pumped: its message
     * waits in recv_buf and must be taken, not overwritten by a new batch. */
    if (!c->recv_started) {
        if (c->close_done)
            return DEMO_RECV_DEAD;
        grpc_op op;
        memset(&op, 0, sizeof op);
        op.op = GRPC_OP_RECV_MESSAGE;
        op.data.recv_message.recv_message = &c->recv_buf;
        c->recv_buf = NULL;
        if (start_batch(c, &op, 1, TAG_RECV) != 0)
            return DEMO_RECV_DEAD;
        c->recv_started = 1;
    }
    gpr_timespec until = deadline_in(timeout_ms);
    while (c->pending[TAG_RECV]) {
        pump(c, DEMO_RPC_TICK_MS);
        if (!c->pending[TAG_RECV])
            break;
        if (c->stop_fn && c->stop_fn(c->stop_ctx))
            return DEMO_RECV_TIMEOUT;
        if (timeout_ms >= 0 && gpr_time_cmp(gpr_now(GPR_CLOCK_MONOTONIC), until) >= 0)
            return DEMO_RECV_TIMEOUT;
    }
    c->recv_started = 0;
    if (!c->ok[TAG_RECV])
        return DEMO_RECV_DEAD;
    if (!c->recv_buf) {
        if (grpc_call_failed_before_recv_message(c->call))
            return DEMO_RECV_DEAD;
        c->recv_end = 1;
        return DEMO_RECV_END;
    }
    int rc = copy_buffer(c->recv_buf, data, len);
    grpc_byte_buffer_destroy(c->recv_buf);
    c->recv_buf = NULL;
    return rc == 0 ? DEMO_RECV_MSG : DEMO_RECV_DEAD;
}

/* A grpc slice owning data (freed by grpc when the last reference goes). */
static grpc_slice owned_slice(uint8_t *data, size_t len)
{
    if (len == 0) {
        free(data);
        return grpc_empty_slice();
    }
    return grpc_slice_new(data, len, free);
}

int demo_call_send_owned(struct demo_call *c, uint8_t *data, size_t len)
{
    if (c->finished || c->close_done || c->pending[TAG_SEND]) {
        free(data);
        return -1;
    }
    grpc_slice s = owned_slice(data, len);
    c->send_buf = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    grpc_op ops[2];
    memset(ops, 0, sizeof ops);
    size_t n = 0;
    if (!c->headers_sent) {
        ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
        if (build_auth_md(c)) {
            ops[n].data.send_initial_metadata.count = 1;
            ops[n].data.send_initial_metadata.metadata = c->out_md;
        }
        n++;
        c->headers_sent = 1;
    }
    ops[n].op = GRPC_OP_SEND_MESSAGE;
    ops[n].data.send_message.send_message = c->send_buf;
    n++;
    if (start_batch(c, ops, n, TAG_SEND) != 0) {
        grpc_byte_buffer_destroy(c->send_buf);
        c->send_buf = NULL;
        return -1;
    }
    return wait_op(c, TAG_SEND, 1);
}

void demo_call_finish(struct demo_call *c, grpc_status_code code, const char *msg)
{
    if (c->finished)
        return;
    c->finished = 1;
    if (c->close_done)
        return; /* cancelled: nobody to tell */
    grpc_op ops[2];
    memset(ops, 0, sizeof ops);
    size_t n = 0;
    int trailers_auth = 0;
    if (!c->headers_sent) {
        /* Trailers-Only: empty headers, the token rides in the trailers. */
        ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
        c->headers_sent = 1;
        trailers_auth = build_auth_md(c);
    }
    c->status_details = grpc_slice_from_copied_string(msg ? msg : "");
    c->status_details_set = 1;
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = code;
    ops[n].data.send_status_from_server.status_details = msg && *msg ? &c->status_details : NULL;
    if (trailers_auth) {
        ops[n].data.send_status_from_server.trailing_metadata_count = 1;
        ops[n].data.send_status_from_server.trailing_metadata = c->out_md;
    }
    n++;
    if (start_batch(c, ops, n, TAG_STATUS) != 0) {
        grpc_call_cancel_with_status(c->call, code, msg ? msg : "", NULL);
        return;
    }
    gpr_timespec until = deadline_in(DEMO_RPC_FINISH_GRACE_MS);
    while (c->pending[TAG_STATUS]) {
        pump(c, DEMO_RPC_TICK_MS);
        if (c->pending[TAG_STATUS] && (atomic_load(&c->srv->stopping) ||
                                       gpr_time_cmp(gpr_now(GPR_CLOCK_MONOTONIC), until) >= 0)) {
            /* The client does not read what is queued before the status: give up. */
            grpc_call_cancel_with_status(c->call, code, msg ? msg : "", NULL);
            break;
        }
    }
}

int demo_call_is_dead(struct demo_call *c)
{
    while (!c->close_done && pump(c, 0)) {
    }
    return c->close_done;
}

int demo_call_finished(const struct demo_call *c)
{
    return c->finished;
}

int demo_call_wait_dead(struct demo_call *c, int ms)
{
    gpr_timespec until = deadline_in(ms);
    while (!c->close_done) {
        pump(c, DEMO_RPC_TICK_MS);
        if (gpr_time_cmp(gpr_now(GPR_CLOCK_MONOTONIC), until) >= 0)
            break;
    }
    return c->close_done;
}

/* A call record ready for grpc_server_request_call. */
static struct demo_call *call_new(struct demo_rpc_server *s)
{
    struct demo_call *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->srv = s;
    c->cq = grpc_completion_queue_create_for_next(NULL);
    grpc_call_details_init(&c->details);
    grpc_metadata_array_init(&c->req_md);
    return c;
}

/* Drain and destroy the call's queue and free the record. */
static void call_free(struct demo_call *c)
{
    if (c->call)
        grpc_call_unref(c->call);
    cq_destroy(c->cq);
    if (c->recv_buf)
        grpc_byte_buffer_destroy(c->recv_buf);
    if (c->send_buf)
        grpc_byte_buffer_destroy(c->send_buf);
    if (c->hdr_value_set)
        grpc_slice_unref(c->hdr_value);
    if (c->status_details_set)
        grpc_slice_unref(c->status_details);
    grpc_call_details_destroy(&c->details);
    grpc_metadata_array_destroy(&c->req_md);
    free(c->method);
    free(c);
}

/* Make sure every op of the call completed (cancelling it if needed), then free it. */
static void call_complete_and_free(struct demo_call *c)
{
    if (!c->finished)
        demo_call_finish(c, GRPC_STATUS_INTERNAL, "demo server: handler ended without a status");
    gpr_timespec until = deadline_in(DEMO_RPC_FINISH_GRACE_MS);
    int cancelled = 0;
    for (;;) {
        int busy = 0;
        for (int k = 0; k < TAG_COUNT; k++)
            busy |= c->pending[k];
        if (!busy)
            break;
        pump(c, DEMO_RPC_TICK_MS);
        if (!cancelled && gpr_time_cmp(gpr_now(GPR_CLOCK_MONOTONIC), until) >= 0) {
            grpc_call_cancel(c->call, NULL);
            cancelled = 1;
        }
    }
    call_free(c);
}

/* Keep RECV_CLOSE_ON_SERVER pending: it reports the client's cancel; if it cannot
 * start, there is nothing to wait for. */
static void watch_close(struct demo_call *c)
{
    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    op.data.recv_close_on_server.cancelled = &c->cancelled;
    if (start_batch(c, &op, 1, TAG_CLOSE) != 0)
        c->close_done = 1;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Count one accepted call in the total and in its second's bucket. */
static void count_call(struct demo_rpc_server *s)
{
    int64_t sec = monotonic_ms() / 1000;
    size_t b = (size_t)(sec & 1);
    pthread_mutex_lock(&s->lock);
    s->calls_total++;
    if (s->calls_sec[b] != sec) {
        s->calls_sec[b] = sec;
        s->calls_in_sec[b] = 0;
    }
    s->calls_in_sec[b]++;
    pthread_mutex_unlock(&s->lock);
}

/* While a stall is on, hold the call unanswered (as an overloaded server would) until
 * the stall ends, the client gives up or the server stops. */
static void wait_out_stall(struct demo_call *c)
{
    struct demo_rpc_server *s = c->srv;
    for (;;) {
        int64_t left = atomic_load(&s->stall_until_ms) - monotonic_ms();
        if (left <= 0 || atomic_load(&s->stopping))
            return;
        if (demo_call_wait_dead(c, left < DEMO_RPC_TICK_MS ? (int)left : DEMO_RPC_TICK_MS))
            return;
    }
}

/* Handler thread: keep RECV_CLOSE_ON_SERVER pending, run the dispatcher, clean up. */
static void *call_main(void *arg)
{
    struct demo_call *c = arg;
    struct demo_rpc_server *s = c->srv;
    watch_close(c);
    count_call(s);
    wait_out_stall(c);
    s->fn(s->app, c);
    call_complete_and_free(c);
    pthread_mutex_lock(&s->lock);
    s->active--;
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Copy the method slice into a C string. */
static int set_method(struct demo_call *c)
{
    size_t n = GRPC_SLICE_LENGTH(c->details.method);
    c->method = malloc(n + 1);
    if (!c->method)
        return -1;
    memcpy(c->method, GRPC_SLICE_START_PTR(c->details.method), n);
    c->method[n] = '\0';
    return 0;
}

/* Refuse a call on the acceptor thread (no handler thread available). */
static void refuse_call(struct demo_call *c, grpc_status_code code, const char *msg)
{
    watch_close(c);
    demo_call_finish(c, code, msg);
    call_complete_and_free(c);
}

/* Hand an accepted call to a new detached thread. */
static void spawn_handler(struct demo_rpc_server *s, struct demo_call *c)
{
    if (set_method(c) != 0) {
        refuse_call(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return;
    }
    pthread_mutex_lock(&s->lock);
    int full = s->active >= DEMO_RPC_MAX_ACTIVE;
    if (!full)
        s->active++;
    pthread_mutex_unlock(&s->lock);
    if (full) {
        refuse_call(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: too many concurrent calls");
        return;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    int rc = pthread_create(&t, &attr, call_main, c);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        pthread_mutex_lock(&s->lock);
        s->active--;
        pthread_cond_broadcast(&s->idle);
        pthread_mutex_unlock(&s->lock);
        refuse_call(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: cannot start a thread");
    }
}

/* Acceptor thread: request calls and spawn handlers until the server shuts down. */
static void *acceptor_main(void *arg)
{
    struct demo_rpc_server *s = arg;
    struct demo_call *pending = NULL;
    int shutdown_seen = 0;
    for (;;) {
        if (!pending && !atomic_load(&s->stopping)) {
            pending = call_new(s);
            if (pending && grpc_server_request_call(s->server, &pending->call, &pending->details,
                                                    &pending->req_md, pending->cq, s->cq,
                                                    pending) != GRPC_CALL_OK) {
                call_free(pending);
                pending = NULL;
            }
        }
        if (shutdown_seen && !pending)
            break;
        grpc_event ev = grpc_completion_queue_next(s->cq, deadline_in(200), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            break;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        if (ev.tag == &s->shutdown_tag) {
            shutdown_seen = 1;
            continue;
        }
        struct demo_call *c = ev.tag;
        if (c == pending)
            pending = NULL;
        if (!ev.success) {
            call_free(c);
            continue;
        }
        spawn_handler(s, c);
    }
    return NULL;
}

/* Destroy a server that has no calls left, with its queue and record. */
static void server_free(struct demo_rpc_server *s)
{
    grpc_server_destroy(s->server);
    cq_destroy(s->cq);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->idle);
    free(s);
    grpc_shutdown();
}

/* Plaintext credentials, or TLS ones with the key pair and optional client roots;
 * grpc copies the PEM text. */
static grpc_server_credentials *server_credentials(const struct demo_rpc_tls *tls)
{
    if (!tls)
        return grpc_insecure_server_credentials_create();
    grpc_ssl_pem_key_cert_pair pair = {.private_key = tls->private_key,
                                       .cert_chain = tls->cert_chain};
    grpc_ssl_client_certificate_request_type req =
        tls->client_roots ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                          : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
    return grpc_ssl_server_credentials_create_ex(tls->client_roots, &pair, 1, req, NULL);
}

struct demo_rpc_server *demo_rpc_server_start(int port, const struct demo_rpc_tls *tls,
                                              demo_call_fn fn, void *app, int *bound_port,
                                              char *err, size_t err_cap)
{
    gpr_set_log_verbosity(GPR_LOG_SEVERITY_ERROR);
    grpc_init();
    struct demo_rpc_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_cap, "out of memory");
        grpc_shutdown();
        return NULL;
    }
    s->fn = fn;
    s->app = app;
    atomic_init(&s->stopping, 0);
    atomic_init(&s->stall_until_ms, 0);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->idle, NULL);

    grpc_arg args[4];
    memset(args, 0, sizeof args);
    args[0].type = GRPC_ARG_INTEGER;
    args[0].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
    args[0].value.integer = DEMO_RPC_MAX_MESSAGE;
    args[1].type = GRPC_ARG_INTEGER;
    args[1].key = (char *)GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
    args[1].value.integer = DEMO_RPC_MAX_MESSAGE;
    /* Without this two servers could share a port silently (SO_REUSEPORT). */
    args[2].type = GRPC_ARG_INTEGER;
    args[2].key = (char *)GRPC_ARG_ALLOW_REUSEPORT;
    args[2].value.integer = 0;
    /* Long credentials (OIDC tokens, 16 KB PSKs) arrive as request headers,
     * past gRPC's default 8 KB limit. */
    args[3].type = GRPC_ARG_INTEGER;
    args[3].key = (char *)GRPC_ARG_MAX_METADATA_SIZE;
    args[3].value.integer = 256 * 1024;
    grpc_channel_args cargs = {4, args};

    s->server = grpc_server_create(&cargs, NULL);
    s->cq = grpc_completion_queue_create_for_next(NULL);
    grpc_server_register_completion_queue(s->server, s->cq, NULL);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    grpc_server_credentials *creds = server_credentials(tls);
    int got = creds ? grpc_server_add_http2_port(s->server, addr, creds) : 0;
    grpc_server_credentials_release(creds);
    if (got <= 0) {
        /* A key that does not match its certificate also ends here. */
        snprintf(err, err_cap, "cannot listen on %s (%s)", addr,
                 tls ? "port in use, or unusable TLS certificate/key?" : "port in use?");
        server_free(s);
        return NULL;
    }
    grpc_server_start(s->server);
    if (pthread_create(&s->acceptor, NULL, acceptor_main, s) != 0) {
        snprintf(err, err_cap, "cannot start the acceptor thread");
        s->acceptor_started = 0;
        demo_rpc_server_stop(s);
        return NULL;
    }
    s->acceptor_started = 1;
    *bound_port = got;
    return s;
}

void demo_rpc_server_stop(struct demo_rpc_server *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, 1);
    grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
    grpc_server_cancel_all_calls(s->server);
    if (s->acceptor_started) {
        pthread_join(s->acceptor, NULL);
    } else {
        for (;;) {
            grpc_event ev = grpc_completion_queue_next(s->cq, deadline_in(-1), NULL);
            if (ev.type == GRPC_OP_COMPLETE && ev.tag == &s->shutdown_tag)
                break;
        }
    }
    pthread_mutex_lock(&s->lock);
    while (s->active > 0)
        pthread_cond_wait(&s->idle, &s->lock);
    pthread_mutex_unlock(&s->lock);
    server_free(s);
}

void demo_rpc_server_stall(struct demo_rpc_server *s, int ms)
{
    atomic_store(&s->stall_until_ms, ms > 0 ? monotonic_ms() + ms : 0);
}

void demo_rpc_server_calls(struct demo_rpc_server *s, uint64_t *total, uint64_t *last_second)
{
    int64_t prev = monotonic_ms() / 1000 - 1;
    size_t b = (size_t)(prev & 1);
    pthread_mutex_lock(&s->lock);
    *total = s->calls_total;
    *last_second = s->calls_sec[b] == prev ? s->calls_in_sec[b] : 0;
    pthread_mutex_unlock(&s->lock);
}
