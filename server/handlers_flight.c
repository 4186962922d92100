/* SPDX-License-Identifier: MIT */
/* handlers_flight: FlightService DoGet and DoExchange (Barrage snapshots and
 * subscriptions). */

#include "handlers_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "dh_flatbuf.h"
#include "subscription.h"

/* BarrageMessageWrapper.magic: the little-endian bytes spell "dphn". */
#define BARRAGE_MAGIC 0x6E687064u
#define BARRAGE_SUBSCRIPTION_REQUEST 5
#define BARRAGE_SNAPSHOT_REQUEST 7

/* Encoder callback: wrap one message in FlightData and send it; non-zero stops. */
static int emit_flight(void *ctx, const struct demo_flight_msg *msg)
{
    struct call_ctx *x = ctx;
    FLPB(FlightData) fd = FLPB_INIT(FLIGHT_DATA);
    fd.data_header.data = msg->header;
    fd.data_header.len = msg->header_len;
    fd.app_metadata.data = msg->app_metadata;
    fd.app_metadata.len = msg->app_metadata ? msg->app_metadata_len : 0;
    fd.data_body.data = msg->body;
    fd.data_body.len = msg->body ? msg->body_len : 0;
    uint8_t *buf;
    size_t len;
    if (demo_pb_pack(&fd.base, &buf, &len) != 0)
        return 1;
    return demo_call_send_owned(x->c, buf, len) != 0;
}

/* An encoder error: "STATUS_NAME: message" gives that status, anything else is internal. */
static void finish_encoder_error(struct call_ctx *x, const char *err)
{
    static const struct {
        const char *name;
        int code;
    } names[] = {
        {"INVALID_ARGUMENT: ", GRPC_STATUS_INVALID_ARGUMENT},
        {"FAILED_PRECONDITION: ", GRPC_STATUS_FAILED_PRECONDITION},
        {"NOT_FOUND: ", GRPC_STATUS_NOT_FOUND},
        {"RESOURCE_EXHAUSTED: ", GRPC_STATUS_RESOURCE_EXHAUSTED},
        {"UNIMPLEMENTED: ", GRPC_STATUS_UNIMPLEMENTED},
    };
    if (demo_call_is_dead(x->c))
        return;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t k = strlen(names[i].name);
        if (strncmp(err, names[i].name, k) == 0) {
            call_finish(x, names[i].code, err + k);
            return;
        }
    }
    call_finish_internal(x, err);
}

/* ArrowFlightUtil.DoGetCustom */
static void h_do_get(struct call_ctx *x, const uint8_t *req, size_t len)
{
    FLPB(Ticket) *m = (FLPB(Ticket) *)call_unpack_in_session(x, &FLPB_DESC(ticket), req, len);
    if (!m)
        return;
    char name[512], msg[700];
    const struct demo_object *obj;
    if (call_fetch_source(x, m->ticket.data, m->ticket.len, "table", name, sizeof name, &obj) ==
        0) {
        if (!demo_object_is_table(obj)) {
            snprintf(msg, sizeof msg, "Ticket (%s) is not a subscribable table.", name);
            call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, msg);
        } else {
            char err[DEMO_ERR_MAX] = "";
            if (demo_encode_doget(obj, emit_flight, x, err) == 0)
                call_finish(x, GRPC_STATUS_OK, "");
            else
                finish_encoder_error(x, err);
        }
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* The parts of a FlightData's Barrage app_metadata (BarrageProtoUtil.parseProtoMessage). */
struct barrage_msg {
    int has_wrapper;        /* app_metadata present with the right magic */
    int msg_type;           /* BarrageMessageType (a Java byte) */
    const uint8_t *payload; /* msg_payload: a nested flatbuffer */
    size_t payload_len;
};

/* Parse one client FlightData; 0, or -1 after finishing the call. *fd_out keeps the
 * unpacked message (the views point into it). */
static int parse_exchange_msg(struct call_ctx *x, const uint8_t *data, size_t n,
                              FLPB(FlightData) **fd_out, struct barrage_msg *bm)
{
    memset(bm, 0, sizeof *bm);
    *fd_out = NULL;
    struct demo_status st;
    FLPB(FlightData) *fd =
        (FLPB(FlightData) *)protobuf_c_message_unpack(&FLPB_DESC(flight_data), NULL, n, data);
    if (!fd) {
        demo_status_obfuscated(x->app->reg, &st, "IOException: malformed FlightData");
        call_finish_status(x, &st);
        return -1;
    }
    if (fd->app_metadata.len == 0) {
        *fd_out = fd;
        return 0;
    }
    struct dh_fb_table t;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_fb_root(fd->app_metadata.data, fd->app_metadata.len, &t, &err) != DH_OK)
        goto bad;
    if (dh_fb_u32(&t, 0, 0) == BARRAGE_MAGIC) {
        bm->has_wrapper = 1;
        bm->msg_type = dh_fb_i8(&t, 1, 0);
        if (dh_fb_bytes(&t, 2, &bm->payload, &bm->payload_len, &err) != DH_OK)
            goto bad;
    } /* else "received invalid magic": treated as no metadata */
    *fd_out = fd;
    return 0;
bad:
    protobuf_c_message_free_unpacked(&fd->base, NULL);
    memset(bm, 0, sizeof *bm);
    demo_status_obfuscated(x->app->reg, &st, err.msg);
    call_finish_status(x, &st);
    return -1;
}

/* Wait for the client's next FlightData of an exchange. 1 with *fd (free it) and *bm;
 * 0 when the client half-closed; -1 when the call is over (client gone, or finished
 * on a malformed message). */
static int next_exchange_msg(struct call_ctx *x, FLPB(FlightData) **fd, struct barrage_msg *bm)
{
    for (;;) {
        uint8_t *data;
        size_t n;
        int rc = demo_call_recv(x->c, &data, &n, -1);
        if (rc == DEMO_RECV_DEAD)
            return -1;
        if (rc == DEMO_RECV_END)
            return 0;
        if (rc != DEMO_RECV_MSG)
            continue;
        int prc = parse_exchange_msg(x, data, n, fd, bm);
        free(data);
        return prc == 0 ? 1 : -1;
    }
}

/* The snapshot request's ticket bytes (BarrageSnapshotRequest.ticket); -1 after
 * finishing the call (upstream: NullPointer/IndexOutOfBounds, obfuscated). */
static int snapshot_ticket(struct call_ctx *x, const struct barrage_msg *bm, const uint8_t **t,
                           size_t *n)
{
    struct dh_fb_table req;
    struct dh_error err;
    struct demo_status st;
    dh_error_clear(&err);
    *t = NULL;
    *n = 0;
    if (!bm->payload || dh_fb_root(bm->payload, bm->payload_len, &req, &err) != DH_OK ||
        dh_fb_bytes(&req, 0, t, n, &err) != DH_OK || !*t) {
        demo_status_obfuscated(x->app->reg, &st,
                               err.msg[0] ? err.msg : "NullPointerException: no snapshot ticket");
        call_finish_status(x, &st);
        return -1;
    }
    return 0;
}

/* Read the rest of a snapshot exchange until the client half-closes
 * (BarrageSnapshotRequestHandler: OK only after sending is done and the client closed). */
static void snapshot_drain(struct call_ctx *x)
{
    FLPB(FlightData) *fd;
    struct barrage_msg bm;
    int rc = next_exchange_msg(x, &fd, &bm);
    if (rc == 0)
        call_finish(x, GRPC_STATUS_OK, "");
    if (rc != 1)
        return;
    struct demo_status st;
    if (bm.has_wrapper && bm.msg_type != BARRAGE_SNAPSHOT_REQUEST) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT,
               "Request type cannot be changed after initialization, expected "
               "BarrageSnapshotRequest metadata");
    } else {
        demo_status_obfuscated(x->app->reg, &st,
                               bm.has_wrapper
                                   ? "IllegalStateException: Can't finish streaming twice"
                                   : "NullPointerException: message without app_metadata");
        call_finish_status(x, &st);
    }
    protobuf_c_message_free_unpacked(&fd->base, NULL);
}

/* BarrageSnapshotRequestHandler.handleMessage (msg_type 7). */
static void exchange_snapshot(struct call_ctx *x, const FLPB(FlightData) *fd,
                              const struct barrage_msg *bm)
{
    const uint8_t *t;
    size_t n;
    char name[512], msg[700];
    const struct demo_object *obj;
    if (snapshot_ticket(x, bm, &t, &n) != 0 ||
        call_fetch_source(x, t, n, "table", name, sizeof name, &obj) != 0)
        return;
    if (!demo_object_is_table(obj)) {
        /* ExchangeMarshaller.getMarshaller finds none (the message's grammar is upstream's). */
        snprintf(msg, sizeof msg, "Ticket (%s) is has no associated exchange marshaller.", name);
        call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, msg);
        return;
    }
    char err[DEMO_ERR_MAX] = "";
    if (demo_encode_barrage_snapshot(obj, fd->app_metadata.data, fd->app_metadata.len, emit_flight,
                                     x, err) != 0) {
        finish_encoder_error(x, err);
        return;
    }
    snapshot_drain(x);
}

/* Milliseconds on the monotonic clock. */
static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A subscription failed: the session ending wins (CANCELLED, as MessageStream), else the
 * encoder's status (nothing when the client is gone). */
static void subscription_fail(struct call_ctx *x, const char *err)
{
    if (!demo_call_is_dead(x->c) && !demo_session_alive(x->app->reg, x->s))
        call_finish(x, GRPC_STATUS_CANCELLED, "Session closed");
    else
        finish_encoder_error(x, err);
}

/* A later FlightData of a subscription (BarrageSubscriptionRequestHandler.handleMessage
 * after subscribing: validateMessage, then apply). 0, or -1 after finishing the call. */
static int subscription_message(struct call_ctx *x, struct demo_sub *sub, const uint8_t *data,
                                size_t n)
{
    FLPB(FlightData) *fd;
    struct barrage_msg bm;
    struct demo_status st;
    if (parse_exchange_msg(x, data, n, &fd, &bm) != 0)
        return -1;
    char err[DEMO_ERR_MAX] = "";
    struct demo_sub_request q;
    demo_sub_request_init(&q);
    int rc = -1;
    if (!bm.has_wrapper) {
        demo_status_obfuscated(x->app->reg, &st,
                               "NullPointerException: message without app_metadata");
        call_finish_status(x, &st);
    } else if (bm.msg_type != BARRAGE_SUBSCRIPTION_REQUEST) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT,
               "Request type cannot be changed after initialization, expected "
               "BarrageSubscriptionRequest metadata");
    } else if (!bm.payload) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Subscription request not supplied");
    } else if (demo_sub_request_parse(fd->app_metadata.data, fd->app_metadata.len, &q, err) != 0 ||
               demo_sub_change(sub, &q, emit_flight, x, err) != 0) {
        subscription_fail(x, err);
    } else {
        rc = 0;
    }
    demo_sub_request_reset(&q);
    protobuf_c_message_free_unpacked(&fd->base, NULL);
    return rc;
}

/* Serve a started subscription until the client half-closes (OK, as upstream completes
 * the listener when the subscription closes), cancels, or the session ends: read later
 * requests, and every interval send an update if the table grew. The wait never exceeds
 * 100 ms so cancellation and session end are noticed promptly. */
static void subscription_loop(struct call_ctx *x, struct demo_sub *sub)
{
    int64_t interval = demo_sub_interval_ms(sub);
    int64_t next = now_ms() + interval;
    char err[DEMO_ERR_MAX] = "";
    for (;;) {
        int64_t wait = next - now_ms();
        wait = wait < 0 ? 0 : wait > 100 ? 100 : wait;
        uint8_t *data;
        size_t n;
        int rc = demo_call_recv(x->c, &data, &n, (int)wait);
        if (rc == DEMO_RECV_DEAD)
            return;
        if (rc == DEMO_RECV_MSG) {
            int mrc = subscription_message(x, sub, data, n);
            free(data);
            if (mrc != 0)
                return;
            continue;
        }
        if (rc == DEMO_RECV_END) {
            call_finish(x, GRPC_STATUS_OK, "");
            return;
        }
        if (demo_call_is_dead(x->c))
            return;
        if (!demo_session_alive(x->app->reg, x->s)) {
            call_finish(x, GRPC_STATUS_CANCELLED, "Session closed");
            return;
        }
        int64_t now = now_ms();
        if (now < next)
            continue;
        next = next + interval > now ? next + interval : now + interval;
        if (demo_sub_tick(sub, emit_flight, x, err) != 0) {
            subscription_fail(x, err);
            return;
        }
    }
}

/* BarrageSubscriptionRequestHandler + BarrageMessageProducer (msg_type 5). The demo
 * serves viewport subscriptions only: full-table subscriptions and reverse viewports
 * end with UNIMPLEMENTED (demo_sub_new says so). */
static void exchange_subscription(struct call_ctx *x, const FLPB(FlightData) *fd,
                                  const struct barrage_msg *bm)
{
    char name[512], msg[700], err[DEMO_ERR_MAX] = "";
    const struct demo_object *obj;
    struct demo_sub_request q;
    demo_sub_request_init(&q);
    if (!bm->payload) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Subscription request not supplied");
    } else if (demo_sub_request_parse(fd->app_metadata.data, fd->app_metadata.len, &q, err) != 0) {
        finish_encoder_error(x, err);
    } else if (!q.ticket) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Ticket not specified.");
    } else if (call_fetch_source(x, q.ticket, q.ticket_len, "table", name, sizeof name, &obj) !=
               0) {
        /* finished, or the client went away */
    } else if (!demo_object_is_table(obj)) {
        snprintf(msg, sizeof msg, "Ticket (%s) is not a subscribable table.", name);
        call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, msg);
    } else {
        struct demo_sub *sub = demo_sub_new(obj, &q, err);
        /* sends also give up when the session ends (then CANCELLED, below) */
        demo_call_set_stop_fn(x->c, call_stop_or_session_end, x);
        if (!sub)
            finish_encoder_error(x, err);
        else if (demo_sub_start(sub, emit_flight, x, err) != 0)
            subscription_fail(x, err);
        else
            subscription_loop(x, sub);
        demo_call_set_stop_fn(x->c, call_stop_hook, x);
        demo_sub_free(sub);
    }
    demo_sub_request_reset(&q);
}

/* ArrowFlightUtil.DoExchangeMarshaller.onNext: route a request by its type. */
static void exchange_route(struct call_ctx *x, const char *prefix, const FLPB(FlightData) *fd,
                           const struct barrage_msg *bm)
{
    char msg[256];
    if (!bm->has_wrapper) {
        snprintf(msg, sizeof msg, "%sfailed to receive Barrage request metadata", prefix);
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, msg);
    } else if (bm->msg_type == BARRAGE_SNAPSHOT_REQUEST) {
        exchange_snapshot(x, fd, bm);
    } else if (bm->msg_type == BARRAGE_SUBSCRIPTION_REQUEST) {
        exchange_subscription(x, fd, bm);
    } else {
        snprintf(msg, sizeof msg, "%sreceived a message with unhandled BarrageMessageType: %d",
                 prefix, bm->msg_type);
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, msg);
    }
}

/* FlightService.DoExchange: the first request with Barrage metadata decides the exchange. */
static void h_do_exchange(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (call_need_session(x) != 0)
        return;
    char prefix[64];
    snprintf(prefix, sizeof prefix,
             "DoExchangeMarshaller{%x}: ", (unsigned)(((uintptr_t)x >> 4) & 0x7fffffffu));
    for (int first = 1;; first = 0) {
        FLPB(FlightData) *fd;
        struct barrage_msg bm;
        int rc = next_exchange_msg(x, &fd, &bm);
        if (rc == 0) {
            /* Upstream closes its side without completing the call: it stays open until
             * the client cancels (or the server stops). */
            while (!demo_call_wait_dead(x->c, 1000)) {
            }
        }
        if (rc != 1)
            return;
        if (first && !bm.has_wrapper) { /* pyarrow first sends only the "dphn" descriptor */
            protobuf_c_message_free_unpacked(&fd->base, NULL);
            continue;
        }
        exchange_route(x, prefix, fd, &bm);
        protobuf_c_message_free_unpacked(&fd->base, NULL);
        return;
    }
}

const struct method flight_methods[] = {
    {FLIGHT_SVC("DoGet"), SERVER_STREAM, h_do_get, &FLPB_DESC(ticket)},
    {FLIGHT_SVC("DoExchange"), BIDI, h_do_exchange, NULL},
    {NULL, 0, NULL, NULL},
};
