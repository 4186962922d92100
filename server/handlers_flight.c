/* SPDX-License-Identifier: MIT */
/* handlers_flight: FlightService Handshake, GetFlightInfo, GetSchema, ListFlights, DoGet
 * and DoExchange (Barrage snapshots and subscriptions). */

#include "handlers_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "deephaven_core/proto/session.pb-c.h"
#include "dh_arrow.h"
#include "dh_flatbuf.h"
#include "dh_ticket.h"
#include "encode_arrow.h"
#include "sessions.h"
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

/* ---------------------------------------------------------------- Handshake */

/* Longest "<type> <payload>" a Handshake may carry (as an authorization header). */
#define HANDSHAKE_AUTH_MAX (96 * 1024)

/* Reply with the session's token (HandshakeObserver.respondWithAuthTokenBin: the bare
 * token, no "Bearer ") and finish OK. */
static void handshake_reply_token(struct call_ctx *x)
{
    char bearer[128];
    if (!demo_session_bearer(x->app->reg, x->s, bearer, sizeof bearer)) {
        call_finish(x, GRPC_STATUS_UNAUTHENTICATED, "Authentication details invalid");
        return;
    }
    const char *tok = strncmp(bearer, "Bearer ", 7) == 0 ? bearer + 7 : bearer;
    FLPB(HandshakeResponse) resp = FLPB_INIT(HANDSHAKE_RESPONSE);
    resp.payload.data = (uint8_t *)tok;
    resp.payload.len = strlen(tok);
    call_reply(x, &resp.base);
}

/* 1 if s[0..n) has the shape of a UUID (what UuidCreator.fromString accepts). */
static int uuid_shaped(const uint8_t *s, size_t n)
{
    if (n != 36)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-'
                 : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                     (s[i] >= 'A' && s[i] <= 'F')))
            return 0;
    }
    return 1;
}

/* Wait for the client's half-close, then finish with code and msg. */
static void handshake_finish_on_close(struct call_ctx *x, int code, const char *msg)
{
    for (;;) {
        uint8_t *data;
        size_t n;
        int rc = demo_call_recv(x->c, &data, &n, -1);
        if (rc == DEMO_RECV_DEAD)
            return;
        if (rc == DEMO_RECV_MSG)
            free(data);
        if (rc == DEMO_RECV_END) {
            call_finish(x, code, msg);
            return;
        }
    }
}

/* Log in with a WrappedAuthenticationRequest payload (HandshakeObserver.onNext): a
 * Bearer renews a live session, any other type goes to its authentication handler as
 * an authorization header would. The demo registers no handler for Flight's BasicAuth. */
static void handshake_login(struct call_ctx *x, const FLPB(HandshakeRequest) * m)
{
    DHPB(WrappedAuthenticationRequest) *w =
        (DHPB(WrappedAuthenticationRequest) *)protobuf_c_message_unpack(
            &DHPB_DESC(wrapped_authentication_request), NULL, m->payload.len, m->payload.data);
    const char *type = w && w->type ? w->type : "";
    size_t tlen = strlen(type), plen = w ? w->payload.len : 0;
    int bearer = strcmp(type, "Bearer") == 0;
    char *value = NULL;
    if (w && tlen > 0 && tlen + 1 + plen < HANDSHAKE_AUTH_MAX &&
        (plen == 0 || !memchr(w->payload.data, '\0', plen)))
        value = malloc(tlen + 2 + plen);
    if (value) {
        memcpy(value, type, tlen);
        value[tlen] = ' ';
        if (plen)
            memcpy(value + tlen + 1, w->payload.data, plen);
        value[plen ? tlen + 1 + plen : tlen] = '\0';
    }
    struct demo_session *s = NULL;
    int ok = value && demo_auth(x->app->reg, value, &s) == 0;
    free(value);
    if (ok) {
        x->s = s; /* the call's reference: released when the call ends */
        handshake_reply_token(x);
    } else if (bearer && uuid_shaped(w->payload.data, plen)) {
        /* a well-formed token of no live session: nothing is sent (upstream returns) */
        handshake_finish_on_close(x, GRPC_STATUS_UNAUTHENTICATED,
                                  "no authentication details provided");
    } else {
        call_finish(x, GRPC_STATUS_UNAUTHENTICATED, "Authentication details invalid");
    }
    if (w)
        protobuf_c_message_free_unpacked(&w->base, NULL);
}

/* FlightServiceGrpcImpl.handshake. A call whose authorization header made or found a
 * session gets no message (its response headers carry the bearer) and completes when
 * the client half-closes; otherwise the first request logs in. */
static void h_handshake(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (x->s) {
        handshake_finish_on_close(x, GRPC_STATUS_OK, "");
        return;
    }
    uint8_t *data;
    size_t n;
    int rc;
    do
        rc = demo_call_recv(x->c, &data, &n, -1);
    while (rc == DEMO_RECV_TIMEOUT && !demo_call_is_dead(x->c));
    if (rc == DEMO_RECV_END)
        call_finish(x, GRPC_STATUS_UNAUTHENTICATED, "no authentication details provided");
    if (rc != DEMO_RECV_MSG)
        return;
    FLPB(HandshakeRequest) *m =
        (FLPB(HandshakeRequest) *)call_unpack(x, &FLPB_DESC(handshake_request), data, n);
    free(data);
    if (!m)
        return;
    handshake_login(x, m);
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* ---------------------------------------------------------------- FlightInfo */

/* The route of scope variables' descriptors (ScopeTicketHelper: ["scope", name]). */
#define SCOPE_ROUTE "scope"
/* The route of session exports' descriptors (ExportTicketHelper: ["export", id]). */
#define EXPORT_ROUTE "export"

/* A descriptor's path joined with '/' for messages (TicketRouterHelper.getLogNameFor). */
static void descriptor_log_name(const FLPB(FlightDescriptor) * d, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d->n_path && o < cap; i++) {
        int k = snprintf(out + o, cap - o, "%s%.200s", i ? "/" : "", d->path[i]);
        if (k < 0)
            break;
        o += (size_t)k;
    }
}

/* The descriptor's route (TicketRouter.getResolver): 0 for scope, 1 for export, or -1
 * after finishing the call. Each route then checks the path's length. */
static int descriptor_route(struct call_ctx *x, const FLPB(FlightDescriptor) * d)
{
    char msg[700], path[400];
    const char *log_id = "request";
    if (d->type == ARROW__FLIGHT__PROTOCOL__FLIGHT_DESCRIPTOR__DESCRIPTOR_TYPE__CMD) {
        /* no command resolver (Flight SQL) is installed */
        snprintf(msg, sizeof msg, "Could not resolve '%s': no resolver for command", log_id);
    } else if (d->type != ARROW__FLIGHT__PROTOCOL__FLIGHT_DESCRIPTOR__DESCRIPTOR_TYPE__PATH) {
        snprintf(msg, sizeof msg, "Could not resolve '%s': unexpected type", log_id);
    } else if (d->n_path == 0) {
        snprintf(msg, sizeof msg,
                 "Could not resolve '%s': flight descriptor does not have route path", log_id);
    } else if (strcmp(d->path[0], SCOPE_ROUTE) != 0 && strcmp(d->path[0], EXPORT_ROUTE) != 0) {
        snprintf(msg, sizeof msg, "Could not resolve '%s': no resolver for path route '%.200s'",
                 log_id, d->path[0]);
    } else if (d->n_path != 2) {
        /* ScopeTicketResolver.nameForDescriptor, FlightExportTicketHelper.descriptorToExportId */
        descriptor_log_name(d, path, sizeof path);
        snprintf(msg, sizeof msg,
                 "Could not resolve descriptor '%s': unexpected path length (found: %s, "
                 "expected: 2)",
                 log_id, path);
    } else {
        return strcmp(d->path[0], SCOPE_ROUTE) == 0 ? 0 : 1;
    }
    call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, msg);
    return -1;
}

/* Integer.parseInt of an export id: 0 with *id, or -1. */
static int parse_export_id(const char *s, int32_t *id)
{
    int neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return -1;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > (int64_t)INT32_MAX + 1)
            return -1;
    }
    v = neg ? -v : v;
    if (v > INT32_MAX)
        return -1;
    *id = (int32_t)v;
    return 0;
}

/* Arrow IPC framing of a schema message (MessageHelper.toIpcBytes): the continuation
 * token, the message's unpadded length, the message, zeros to a multiple of 8. */
static uint8_t *ipc_frame(const uint8_t *msg, size_t len, size_t *out_len)
{
    size_t pad = (8 - len % 8) % 8;
    uint8_t *b = calloc(1, 8 + len + pad);
    if (!b || len > INT32_MAX) {
        free(b);
        return NULL;
    }
    uint32_t n = (uint32_t)len;
    uint8_t head[8] = {0xff,
                       0xff,
                       0xff,
                       0xff,
                       (uint8_t)n,
                       (uint8_t)(n >> 8),
                       (uint8_t)(n >> 16),
                       (uint8_t)(n >> 24)};
    memcpy(b, head, 8);
    memcpy(b + 8, msg, len);
    *out_len = 8 + len + pad;
    return b;
}

/* A packed FlightInfo for table t (TicketRouter.getFlightInfo): the schema DoGet sends,
 * framed as IPC bytes; the descriptor d; one endpoint with the ticket of d; the row
 * count of a static table (-1 for a ticking one); -1 bytes. 0 or -1. */
static int flight_info_pack(const struct demo_object *t, const uint8_t *ticket, size_t tlen,
                            const FLPB(FlightDescriptor) * d, uint8_t **out, size_t *out_len,
                            char *err)
{
    uint8_t *msg = NULL, *schema = NULL;
    size_t msg_len = 0, schema_len = 0;
    if (demo_arrow_schema_message(t, &msg, &msg_len, err) != 0)
        return -1;
    schema = ipc_frame(msg, msg_len, &schema_len);
    free(msg);
    int rc = -1;
    if (schema) {
        FLPB(Ticket) tk = FLPB_INIT(TICKET);
        tk.ticket.data = (uint8_t *)ticket;
        tk.ticket.len = tlen;
        FLPB(FlightEndpoint) ep = FLPB_INIT(FLIGHT_ENDPOINT);
        ep.ticket = &tk;
        FLPB(FlightEndpoint) * eps[1] = {&ep};
        FLPB(FlightInfo) fi = FLPB_INIT(FLIGHT_INFO);
        fi.schema.data = schema;
        fi.schema.len = schema_len;
        fi.flight_descriptor = (FLPB(FlightDescriptor) *)d;
        fi.n_endpoint = 1;
        fi.endpoint = eps;
        fi.total_records = demo_object_is_static(t) ? demo_object_size(t) : -1;
        fi.total_bytes = -1;
        rc = demo_pb_pack(&fi.base, out, out_len);
    }
    if (rc != 0)
        snprintf(err, DEMO_ERR_MAX, "out of memory packing a FlightInfo");
    free(schema);
    return rc;
}

/* What a descriptor names: the ticket of the same object (malloc'd) and the table. */
struct flight_target {
    uint8_t *ticket;
    size_t ticket_len;
    const struct demo_object *t; /* held by the call */
};

/* The "s/<name>" or export ticket of a descriptor with a known route (malloc'd), or
 * NULL after finishing the call. */
static uint8_t *descriptor_ticket(struct call_ctx *x, const FLPB(FlightDescriptor) * d, int route,
                                  size_t *len)
{
    char msg[700], path[400];
    int32_t id = 0;
    if (route == 1 && !x->s) { /* ExportTicketResolver.flightInfoFor */
        call_finish(x, GRPC_STATUS_UNAUTHENTICATED,
                    "Could not resolve 'request': no exports can exist without a session to "
                    "search");
        return NULL;
    }
    if (route == 1 && parse_export_id(d->path[1], &id) != 0) {
        descriptor_log_name(d, path, sizeof path);
        snprintf(msg, sizeof msg,
                 "Could not resolve descriptor 'request': export id not numeric (found: %s)", path);
        call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, msg);
        return NULL;
    }
    size_t n = route == 1 ? 5 : 2 + strlen(d->path[1]);
    uint8_t *t = malloc(n + 1);
    if (!t) {
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    if (route == 1) { /* 'e' and the id, little-endian (ExportTicketHelper) */
        uint32_t u = (uint32_t)id;
        uint8_t e[5] = {'e', (uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
        memcpy(t, e, 5);
    } else {
        t[0] = 's';
        t[1] = '/';
        memcpy(t + 2, d->path[1], n - 2);
    }
    *len = n;
    return t;
}

/* Resolve a descriptor to a table (TicketRouter.flightInfoFor): 0 with *out (free its
 * ticket), or -1 after finishing the call. A scope variable must exist now
 * (ScopeTicketResolver.flightInfoFor); an export is waited for, as any consumer does. */
static int descriptor_target(struct call_ctx *x, const FLPB(FlightDescriptor) * d,
                             struct flight_target *out)
{
    char msg[700], path[400];
    memset(out, 0, sizeof *out);
    int route = descriptor_route(x, d);
    if (route < 0)
        return -1;
    out->ticket = descriptor_ticket(x, d, route, &out->ticket_len);
    if (!out->ticket)
        return -1;
    int rc =
        route == 0 && out->ticket_len == 2
            ? -2 /* an empty name */
            : call_wait_source(x, out->ticket, out->ticket_len, "request", call_stop_hook, &out->t);
    if (rc == 0 && demo_object_is_table(out->t))
        return 0;
    if (rc == 0 || rc == -2) {
        if (route == 0) {
            snprintf(msg, sizeof msg, "Could not resolve 'request: variable '%.500s' not found",
                     d->path[1]);
        } else {
            descriptor_log_name(d, path, sizeof path);
            snprintf(msg, sizeof msg, "Could not resolve 'request': flight '%s' not found", path);
        }
        call_finish(x, GRPC_STATUS_NOT_FOUND, msg);
    }
    free(out->ticket);
    out->ticket = NULL;
    return -1;
}

/* FlightServiceGrpcImpl.getFlightInfo (a session is optional, as upstream). */
static void h_get_flight_info(struct call_ctx *x, const uint8_t *req, size_t len)
{
    FLPB(FlightDescriptor) *d =
        (FLPB(FlightDescriptor) *)call_unpack(x, &FLPB_DESC(flight_descriptor), req, len);
    if (!d)
        return;
    struct flight_target tg;
    uint8_t *buf;
    size_t n;
    char err[DEMO_ERR_MAX] = "";
    if (descriptor_target(x, d, &tg) == 0) {
        if (flight_info_pack(tg.t, tg.ticket, tg.ticket_len, d, &buf, &n, err) != 0)
            call_finish_internal(x, err);
        else if (demo_call_send_owned(x->c, buf, n) == 0)
            call_finish(x, GRPC_STATUS_OK, "");
        free(tg.ticket);
    }
    protobuf_c_message_free_unpacked(&d->base, NULL);
}

/* FlightServiceGrpcImpl.getSchema: the FlightInfo's schema bytes. */
static void h_get_schema(struct call_ctx *x, const uint8_t *req, size_t len)
{
    FLPB(FlightDescriptor) *d =
        (FLPB(FlightDescriptor) *)call_unpack(x, &FLPB_DESC(flight_descriptor), req, len);
    if (!d)
        return;
    struct flight_target tg;
    const struct demo_object *t = descriptor_target(x, d, &tg) == 0 ? tg.t : NULL;
    free(tg.ticket);
    uint8_t *msg = NULL;
    size_t msg_len = 0, schema_len = 0;
    char err[DEMO_ERR_MAX] = "";
    if (t) {
        FLPB(SchemaResult) sr = FLPB_INIT(SCHEMA_RESULT);
        uint8_t *schema = NULL;
        if (demo_arrow_schema_message(t, &msg, &msg_len, err) == 0)
            schema = ipc_frame(msg, msg_len, &schema_len);
        if (!schema) {
            call_finish_internal(x, err[0] ? err : "out of memory framing a schema");
        } else {
            sr.schema.data = schema;
            sr.schema.len = schema_len;
            call_reply(x, &sr.base);
        }
        free(schema);
        free(msg);
    }
    protobuf_c_message_free_unpacked(&d->base, NULL);
}

/* FlightServiceGrpcImpl.listFlights: with a session, one FlightInfo per listed table
 * (ScopeTicketResolver.forAllFlightInfo, descriptor ["scope", name]); without, none. */
static void h_list_flights(struct call_ctx *x, const uint8_t *req, size_t len)
{
    FLPB(Criteria) *c = (FLPB(Criteria) *)call_unpack(x, &FLPB_DESC(criteria), req, len);
    if (!c)
        return;
    size_t expr_len = c->expression.len;
    protobuf_c_message_free_unpacked(&c->base, NULL);
    if (expr_len != 0) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Criteria expressions are not supported");
        return;
    }
    size_t count = x->s ? demo_catalog_count(x->app->cat) : 0;
    char err[DEMO_ERR_MAX] = "";
    for (size_t i = 0; i < count; i++) {
        const struct demo_object *o = demo_catalog_at(x->app->cat, i);
        if (!o || demo_object_removed(o) || demo_object_hidden(o) || !demo_object_is_table(o))
            continue;
        char *path[2] = {(char *)SCOPE_ROUTE, (char *)demo_object_name(o)};
        FLPB(FlightDescriptor) d = FLPB_INIT(FLIGHT_DESCRIPTOR);
        d.type = ARROW__FLIGHT__PROTOCOL__FLIGHT_DESCRIPTOR__DESCRIPTOR_TYPE__PATH;
        d.n_path = 2;
        d.path = path;
        uint8_t *buf;
        size_t n;
        size_t tlen = 2 + strlen(demo_object_name(o));
        uint8_t *ticket = malloc(tlen + 1);
        int prc = ticket ? 0 : -1;
        if (ticket) {
            snprintf((char *)ticket, tlen + 1, "s/%s", demo_object_name(o));
            prc = flight_info_pack(o, ticket, tlen, &d, &buf, &n, err);
            free(ticket);
        }
        if (prc != 0) {
            if (!err[0])
                snprintf(err, sizeof err, "out of memory listing flights");
            call_finish_internal(x, err);
            return;
        }
        if (demo_call_send_owned(x->c, buf, n) != 0)
            return;
    }
    call_finish(x, GRPC_STATUS_OK, "");
}

/* ---------------------------------------------------------------- DoGet, DoExchange */

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
        if (!demo_object_is_table(obj) || demo_object_is_hier_view(obj)) {
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
                              FLPB(FlightData) * *fd_out, struct barrage_msg *bm)
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
static int next_exchange_msg(struct call_ctx *x, FLPB(FlightData) * *fd, struct barrage_msg *bm)
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
    FLPB(FlightData) * fd;
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
static void exchange_snapshot(struct call_ctx *x, const FLPB(FlightData) * fd,
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
    if (demo_object_is_hier_view(obj)) { /* HierarchicalTableViewExchangeMarshaller.snapshot */
        snprintf(msg, sizeof msg,
                 "Ticket (%s) is a HierarchicalTableView and does not support snapshots.", name);
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
    FLPB(FlightData) * fd;
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
        atomic_fetch_add(&x->app->counts.changes, 1);
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

/* BarrageSubscriptionRequestHandler + BarrageMessageProducer (msg_type 5): viewport,
 * reverse-viewport and full-table subscriptions. */
static void exchange_subscription(struct call_ctx *x, const FLPB(FlightData) * fd,
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
    } else if (demo_object_is_hier_view(obj) && q.reverse) { /* HierarchicalTableViewSubscription */
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT,
                    "HierarchicalTableView subscriptions do not support reverse viewports");
    } else {
        struct demo_sub *sub = demo_sub_new(obj, &q, err);
        if (sub)
            atomic_fetch_add(&x->app->counts.subscriptions, 1);
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
static void exchange_route(struct call_ctx *x, const char *prefix, const FLPB(FlightData) * fd,
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
    atomic_fetch_add(&x->app->counts.exchanges, 1);
    char prefix[64];
    snprintf(prefix, sizeof prefix,
             "DoExchangeMarshaller{%x}: ", (unsigned)(((uintptr_t)x >> 4) & 0x7fffffffu));
    for (int first = 1;; first = 0) {
        FLPB(FlightData) * fd;
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

/* ---------------------------------------------------------------- DoPut */

/* One uploaded column, kept as the demo's stored values. */
struct put_col {
    enum demo_col_type type;
    int64_t *i;
    double *d;
    char **strs;
    uint8_t *nulls;
};

/* What a DoPut has received so far (ArrowToTableConverter). */
struct put_state {
    int have_descriptor, have_schema;
    struct dh_ticket result;
    struct dh_schema schema;
    struct put_col *cols;
    int64_t rows, cap;
};

static void put_state_reset(struct put_state *ps)
{
    for (size_t c = 0; ps->cols && c < ps->schema.n_fields; c++) {
        for (int64_t r = 0; ps->cols[c].strs && r < ps->rows; r++)
            free(ps->cols[c].strs[r]);
        free(ps->cols[c].i);
        free(ps->cols[c].d);
        free(ps->cols[c].strs);
        free(ps->cols[c].nulls);
    }
    free(ps->cols);
    dh_schema_reset(&ps->schema);
}

/* The demo column type an uploaded Arrow field is kept as; -1 when the demo keeps none. */
static int put_type(const struct dh_field *f)
{
    switch (f->type) {
    case DH_TYPE_BOOL: return DEMO_COL_BOOL;
    case DH_TYPE_UTF8: return DEMO_COL_STRING;
    case DH_TYPE_FLOAT:
        return f->bit_width == 32 ? DEMO_COL_FLOAT : f->bit_width == 64 ? DEMO_COL_DOUBLE : -1;
    case DH_TYPE_INT:
        if (!f->is_signed)
            return -1;
        return f->bit_width == 8    ? DEMO_COL_BYTE
               : f->bit_width == 16 ? DEMO_COL_SHORT
               : f->bit_width == 32 ? DEMO_COL_INT
                                    : DEMO_COL_LONG;
    default: return -1;
    }
}

static int put_schema(struct call_ctx *x, struct put_state *ps, const uint8_t *h, size_t hlen)
{
    char msg[300];
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_schema_decode(h, hlen, &ps->schema, &err) != DH_OK) {
        snprintf(msg, sizeof msg, "DoPut: malformed schema: %.200s", err.msg);
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, msg);
        return -1;
    }
    ps->cols = calloc(ps->schema.n_fields ? ps->schema.n_fields : 1, sizeof *ps->cols);
    if (!ps->cols) {
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    for (size_t c = 0; c < ps->schema.n_fields; c++) {
        const struct dh_field *f = &ps->schema.fields[c];
        int t = put_type(f);
        if (t < 0) {
            snprintf(msg, sizeof msg, "demo server: DoPut of column '%.100s' (%s) is not supported",
                     f->name, f->type_name);
            call_finish(x, GRPC_STATUS_UNIMPLEMENTED, msg);
            return -1;
        }
        ps->cols[c].type = (enum demo_col_type)t;
    }
    ps->have_schema = 1;
    return 0;
}

static int put_grow(struct put_state *ps, int64_t need)
{
    if (need <= ps->cap)
        return 0;
    int64_t cap = ps->cap ? ps->cap : 16;
    while (cap < need)
        cap *= 2;
    size_t n = (size_t)cap;
    for (size_t c = 0; c < ps->schema.n_fields; c++) {
        struct put_col *pc = &ps->cols[c];
        uint8_t *nl = realloc(pc->nulls, n);
        if (!nl)
            return -1;
        pc->nulls = nl;
        if (pc->type == DEMO_COL_STRING) {
            char **s = realloc(pc->strs, n * sizeof *s);
            if (!s)
                return -1;
            pc->strs = s;
        } else if (pc->type == DEMO_COL_FLOAT || pc->type == DEMO_COL_DOUBLE) {
            double *d = realloc(pc->d, n * sizeof *d);
            if (!d)
                return -1;
            pc->d = d;
        } else {
            int64_t *i = realloc(pc->i, n * sizeof *i);
            if (!i)
                return -1;
            pc->i = i;
        }
    }
    ps->cap = cap;
    return 0;
}

/* Keep the rows of one record batch. */
static int put_batch(struct call_ctx *x, struct put_state *ps, const uint8_t *h, size_t hlen,
                     const uint8_t *body, size_t blen)
{
    char msg[300];
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_batch b;
    dh_batch_init(&b);
    if (dh_batch_decode_borrowed(&ps->schema, h, hlen, body, blen, &b, &err) != DH_OK) {
        snprintf(msg, sizeof msg, "DoPut: malformed record batch: %.200s", err.msg);
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, msg);
        return -1;
    }
    if (put_grow(ps, ps->rows + b.length) != 0) {
        dh_batch_reset(&b);
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t c = 0; c < ps->schema.n_fields; c++) {
        const struct dh_column_view *v = &b.columns[c];
        struct put_col *pc = &ps->cols[c];
        for (int64_t r = 0; r < b.length; r++) {
            int64_t at = ps->rows + r;
            pc->nulls[at] = (uint8_t)dh_column_is_null(v, r);
            if (pc->type == DEMO_COL_STRING) {
                const uint8_t *p = NULL;
                size_t n = 0;
                pc->strs[at] = NULL;
                if (!pc->nulls[at] && dh_column_get_bytes(v, r, &p, &n) == 0 &&
                    (pc->strs[at] = malloc(n + 1)) != NULL) {
                    memcpy(pc->strs[at], p, n);
                    pc->strs[at][n] = '\0';
                }
                rc |= !pc->nulls[at] && !pc->strs[at];
            } else if (pc->d) {
                pc->d[at] = pc->nulls[at] ? 0 : dh_column_get_f64(v, r);
            } else if (pc->type == DEMO_COL_BOOL) {
                pc->i[at] = pc->nulls[at] ? 0 : dh_column_get_bool(v, r);
            } else {
                pc->i[at] = pc->nulls[at] ? 0 : dh_column_get_i64(v, r);
            }
        }
    }
    ps->rows += b.length;
    dh_batch_reset(&b);
    if (rc)
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
    return rc ? -1 : 0;
}

/* One FlightData of a DoPut: the descriptor (first message), the schema, then batches. */
static int put_message(struct call_ctx *x, struct put_state *ps, const FLPB(FlightData) * fd)
{
    if (fd->flight_descriptor && !ps->have_descriptor) {
        int route = descriptor_route(x, fd->flight_descriptor);
        int32_t id;
        if (route < 0)
            return -1;
        if (route != 1 || parse_export_id(fd->flight_descriptor->path[1], &id) != 0) {
            call_finish(x, GRPC_STATUS_FAILED_PRECONDITION,
                        "demo server: DoPut publishes to export descriptors only");
            return -1;
        }
        dh_ticket_make_export(&ps->result, id);
        ps->have_descriptor = 1;
    }
    if (fd->data_header.len == 0)
        return 0;
    struct dh_ipc_message im;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_ipc_message_decode(fd->data_header.data, fd->data_header.len, &im, &err) != DH_OK) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "DoPut: malformed Arrow message");
        return -1;
    }
    if (im.kind == DH_IPC_SCHEMA && !ps->have_schema)
        return put_schema(x, ps, fd->data_header.data, fd->data_header.len);
    if (im.kind == DH_IPC_RECORD_BATCH && ps->have_schema)
        return put_batch(x, ps, fd->data_header.data, fd->data_header.len, fd->data_body.data,
                         fd->data_body.len);
    call_finish(x, GRPC_STATUS_INVALID_ARGUMENT,
                "DoPut: expected a Schema, then RecordBatch messages");
    return -1;
}

/* The uploaded table (a new reference), or NULL when out of memory. */
static const struct demo_object *put_table(struct put_state *ps)
{
    size_t n = ps->schema.n_fields;
    struct demo_out_col *cols = calloc(n ? n : 1, sizeof *cols);
    if (!cols)
        return NULL;
    for (size_t c = 0; c < n; c++) {
        struct put_col *pc = &ps->cols[c];
        cols[c] = (struct demo_out_col){.name = ps->schema.fields[c].name,
                                        .type = pc->type,
                                        .src = -1,
                                        .i = pc->i,
                                        .d = pc->d,
                                        .nulls = pc->nulls,
                                        .strs = pc->strs,
                                        .n_elems = pc->strs ? (size_t)ps->rows : 0};
        memset(pc, 0, sizeof *pc); /* the table owns them now */
    }
    const struct demo_object *t = demo_object_new_computed(NULL, NULL, ps->rows, cols, n);
    free(cols);
    return t;
}

/* ArrowFlightUtil.DoPutObserver: an Arrow stream (Schema, then record batches)
 * published to the export its first message's descriptor (["export", id]) names;
 * answered with one empty PutResult. */
static void h_do_put(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (call_need_session(x) != 0)
        return;
    struct put_state ps;
    memset(&ps, 0, sizeof ps);
    dh_schema_init(&ps.schema);
    for (;;) {
        uint8_t *data;
        size_t n;
        int rc = demo_call_recv(x->c, &data, &n, 100);
        if (rc == DEMO_RECV_DEAD)
            goto out;
        if (rc == DEMO_RECV_TIMEOUT)
            continue;
        if (rc == DEMO_RECV_END)
            break;
        FLPB(FlightData) *fd =
            (FLPB(FlightData) *)protobuf_c_message_unpack(&FLPB_DESC(flight_data), NULL, n, data);
        free(data);
        if (!fd) {
            call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "DoPut: malformed FlightData");
            goto out;
        }
        rc = put_message(x, &ps, fd);
        protobuf_c_message_free_unpacked(&fd->base, NULL);
        if (rc != 0)
            goto out;
    }
    if (!ps.have_descriptor || !ps.have_schema) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT,
                    ps.have_descriptor ? "DoPut: no schema received"
                                       : "Result flight descriptor never provided");
        goto out;
    }
    const struct demo_object *t = put_table(&ps);
    if (!t) {
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        goto out;
    }
    struct demo_status st;
    struct demo_export *e = demo_export_create_object(x->app->reg, x->s, t, ps.result.bytes,
                                                      ps.result.len, "Flight.Descriptor", &st);
    demo_object_unref(t);
    const struct demo_object *exported;
    if (!e) {
        call_finish_status(x, &st);
    } else if (call_wait_exported(x, e, &exported) == 0) {
        FLPB(PutResult) pr = FLPB_INIT(PUT_RESULT);
        call_reply(x, &pr.base);
    }
out:
    put_state_reset(&ps);
}

const struct method flight_methods[] = {
    {FLIGHT_SVC("Handshake"), BIDI, h_handshake, NULL},
    {FLIGHT_SVC("GetFlightInfo"), UNARY, h_get_flight_info, &FLPB_DESC(flight_descriptor)},
    {FLIGHT_SVC("GetSchema"), UNARY, h_get_schema, &FLPB_DESC(flight_descriptor)},
    {FLIGHT_SVC("ListFlights"), SERVER_STREAM, h_list_flights, &FLPB_DESC(criteria)},
    {FLIGHT_SVC("DoGet"), SERVER_STREAM, h_do_get, &FLPB_DESC(ticket)},
    {FLIGHT_SVC("DoExchange"), BIDI, h_do_exchange, NULL},
    {FLIGHT_SVC("DoPut"), BIDI, h_do_put, NULL},
    {NULL, 0, NULL, NULL},
};
