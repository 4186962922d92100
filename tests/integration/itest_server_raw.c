/* SPDX-License-Identifier: MIT */
/* itest_server_raw: raw grpc-core client calls against dhtui-demo-server, checking the
 * wire facts it must share with a real Deephaven server (auth headers, bearer replies,
 * status codes and messages of docs/PROTOCOL.md).
 *
 * usage: itest_server_raw PORT CONTROL_FIFO SERVER_OUT PSK_PORT PSK SHORT_PORT
 *   PORT: a default server (Anonymous auth, 5000 rows) whose stdin is CONTROL_FIFO
 *   and stdout SERVER_OUT;
 *   PSK_PORT: a server started with --psk PSK; SHORT_PORT: --session-duration-ms 2000. */
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "check.h"
#include "deephaven_core/proto/application.pb-c.h"
#include "deephaven_core/proto/config.pb-c.h"
#include "deephaven_core/proto/object.pb-c.h"
#include "deephaven_core/proto/session.pb-c.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "deephaven_core/proto/ticket.pb-c.h"
#include "dh_ticket.h"

#define PB(x) Io__Deephaven__Proto__Backplane__Grpc__##x
#define PB_INIT(x) IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__##x##__INIT
#define PB_DESC(x) io__deephaven__proto__backplane__grpc__##x##__descriptor

#define SVC "/io.deephaven.proto.backplane.grpc."
#define M_CONFIG SVC "ConfigService/GetConfigurationConstants"
#define M_AUTHC SVC "ConfigService/GetAuthenticationConstants"
#define M_CLOSE SVC "SessionService/CloseSession"
#define M_RELEASE SVC "SessionService/Release"
#define M_EXPORT SVC "SessionService/ExportFromTicket"
#define M_PUBLISH SVC "SessionService/PublishFromTicket"
#define M_NOTIFY SVC "SessionService/ExportNotifications"
#define M_ETCR SVC "TableService/GetExportedTableCreationResponse"
#define M_FIELDS SVC "ApplicationService/ListFields"
#define M_FETCHOBJ SVC "ObjectService/FetchObject"
#define M_MSGSTREAM SVC "ObjectService/MessageStream"
#define M_DOGET "/arrow.flight.protocol.FlightService/DoGet"
#define M_DOEXCHANGE "/arrow.flight.protocol.FlightService/DoExchange"

static const char *g_fifo;
static const char *g_server_out;
static const char *g_psk;
static grpc_channel *g_main, *g_psk_ch, *g_short;

/* ---------------------------------------------------------------- tiny grpc client */

struct stream {
    grpc_call *call;
    grpc_completion_queue *cq;
    grpc_metadata_array init_md, trail_md;
    grpc_status_code status;
    grpc_slice details;
    grpc_byte_buffer *recv;
    grpc_metadata md;
    int has_md;
    int read_pending, status_done, init_done;
    char auth_init[128], auth_trail[128];
    char msg[1024];
};

static gpr_timespec in_ms(int ms)
{
    return gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

static void *tag(int n)
{
    return (void *)(intptr_t)n;
}

/* Pluck tag n (up to ms); 1 if it completed successfully, 0 on failure, -1 on timeout. */
static int pluck(struct stream *s, int n, int ms)
{
    grpc_event ev = grpc_completion_queue_pluck(s->cq, tag(n), in_ms(ms), NULL);
    if (ev.type == GRPC_QUEUE_TIMEOUT)
        return -1;
    return ev.success ? 1 : 0;
}

static int start(struct stream *s, grpc_op *ops, size_t n, int t)
{
    return grpc_call_start_batch(s->call, ops, n, tag(t), NULL) == GRPC_CALL_OK ? 0 : -1;
}

static void find_auth(const grpc_metadata_array *a, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < a->count; i++) {
        const grpc_metadata *m = &a->metadata[i];
        if (GRPC_SLICE_LENGTH(m->key) == 13 &&
            memcmp(GRPC_SLICE_START_PTR(m->key), "authorization", 13) == 0) {
            size_t n = GRPC_SLICE_LENGTH(m->value);
            if (n >= cap)
                n = cap - 1;
            memcpy(out, GRPC_SLICE_START_PTR(m->value), n);
            out[n] = '\0';
        }
    }
}

/* Open a call: send headers (authorization if auth != NULL); status and headers stay pending. */
static int stream_open(struct stream *s, grpc_channel *ch, const char *method, const char *auth)
{
    memset(s, 0, sizeof *s);
    s->cq = grpc_completion_queue_create_for_pluck(NULL);
    s->call =
        grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, s->cq,
                                 grpc_slice_from_static_string(method), NULL, in_ms(20000), NULL);
    grpc_metadata_array_init(&s->init_md);
    grpc_metadata_array_init(&s->trail_md);
    grpc_op op[1];
    memset(op, 0, sizeof op);
    op[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    if (auth) {
        s->md.key = grpc_slice_from_static_string("authorization");
        s->md.value = grpc_slice_from_copied_string(auth);
        s->has_md = 1;
        op[0].data.send_initial_metadata.count = 1;
        op[0].data.send_initial_metadata.metadata = &s->md;
    }
    if (start(s, op, 1, 1) != 0 || pluck(s, 1, 5000) != 1)
        return -1;
    memset(op, 0, sizeof op);
    op[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    op[0].data.recv_status_on_client.trailing_metadata = &s->trail_md;
    op[0].data.recv_status_on_client.status = &s->status;
    op[0].data.recv_status_on_client.status_details = &s->details;
    if (start(s, op, 1, 9) != 0)
        return -1;
    memset(op, 0, sizeof op);
    op[0].op = GRPC_OP_RECV_INITIAL_METADATA;
    op[0].data.recv_initial_metadata.recv_initial_metadata = &s->init_md;
    return start(s, op, 1, 2);
}

/* Send n bytes as one message and wait for the send to finish; 0 or -1. */
static int stream_send_bytes(struct stream *s, const uint8_t *d, size_t n)
{
    grpc_slice sl = grpc_slice_from_copied_buffer((const char *)d, n);
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&sl, 1);
    grpc_slice_unref(sl);
    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_SEND_MESSAGE;
    op.data.send_message.send_message = bb;
    int rc = start(s, &op, 1, 3) == 0 && pluck(s, 3, 5000) == 1 ? 0 : -1;
    grpc_byte_buffer_destroy(bb);
    return rc;
}

static int stream_send(struct stream *s, const ProtobufCMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n + 1);
    protobuf_c_message_pack(m, buf);
    int rc = stream_send_bytes(s, buf, n);
    free(buf);
    return rc;
}

static int stream_close_send(struct stream *s)
{
    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    return start(s, &op, 1, 4) == 0 && pluck(s, 4, 5000) == 1 ? 0 : -1;
}

/* Open a stream on method, send req as its one message and close the sending
 * side; 0, or -1 when any step fails. */
static int stream_request(struct stream *s, grpc_channel *ch, const char *method,
                          const char *bearer, const ProtobufCMessage *req)
{
    if (stream_open(s, ch, method, bearer) != 0)
        return -1;
    return stream_send(s, req) == 0 && stream_close_send(s) == 0 ? 0 : -1;
}

/* Read one message: 1 with a malloc'd copy, 0 at the end of the stream, -1 on timeout. */
static int stream_read(struct stream *s, uint8_t **d, size_t *n, int ms)
{
    if (!s->read_pending) {
        grpc_op op;
        memset(&op, 0, sizeof op);
        op.op = GRPC_OP_RECV_MESSAGE;
        op.data.recv_message.recv_message = &s->recv;
        s->recv = NULL;
        if (start(s, &op, 1, 5) != 0)
            return 0;
        s->read_pending = 1;
    }
    int rc = pluck(s, 5, ms);
    if (rc < 0)
        return -1;
    s->read_pending = 0;
    if (!s->recv)
        return 0;
    grpc_byte_buffer_reader r;
    grpc_byte_buffer_reader_init(&r, s->recv);
    grpc_slice sl = grpc_byte_buffer_reader_readall(&r);
    grpc_byte_buffer_reader_destroy(&r);
    *n = GRPC_SLICE_LENGTH(sl);
    *d = malloc(*n + 1);
    memcpy(*d, GRPC_SLICE_START_PTR(sl), *n);
    grpc_slice_unref(sl);
    grpc_byte_buffer_destroy(s->recv);
    s->recv = NULL;
    return 1;
}

/* Wait for the status (ms); fills s->msg and both auth header copies. 0 or -1 (timeout). */
static int stream_status(struct stream *s, int ms)
{
    if (!s->status_done) {
        if (pluck(s, 9, ms) < 0)
            return -1;
        s->status_done = 1;
        size_t n = GRPC_SLICE_LENGTH(s->details);
        if (n >= sizeof s->msg)
            n = sizeof s->msg - 1;
        memcpy(s->msg, GRPC_SLICE_START_PTR(s->details), n);
        s->msg[n] = '\0';
        find_auth(&s->trail_md, s->auth_trail, sizeof s->auth_trail);
    }
    if (!s->init_done && pluck(s, 2, 5000) >= 0) {
        s->init_done = 1;
        find_auth(&s->init_md, s->auth_init, sizeof s->auth_init);
    }
    return 0;
}

static void stream_free(struct stream *s)
{
    if (!s->call)
        return;
    grpc_call_cancel(s->call, NULL);
    if (s->read_pending)
        pluck(s, 5, 10000);
    if (s->recv)
        grpc_byte_buffer_destroy(s->recv);
    stream_status(s, 10000);
    grpc_call_unref(s->call);
    grpc_completion_queue_shutdown(s->cq);
    grpc_completion_queue_destroy(s->cq);
    grpc_metadata_array_destroy(&s->init_md);
    grpc_metadata_array_destroy(&s->trail_md);
    grpc_slice_unref(s->details);
    if (s->has_md)
        grpc_slice_unref(s->md.value);
    s->call = NULL;
}

/* A unary call: the reply message (if any) in *resp (caller frees), status in s. */
static void unary(struct stream *s, grpc_channel *ch, const char *method, const char *auth,
                  const ProtobufCMessage *req, uint8_t **resp, size_t *resp_len)
{
    *resp = NULL;
    *resp_len = 0;
    if (stream_open(s, ch, method, auth) != 0 || stream_send(s, req) != 0 ||
        stream_close_send(s) != 0) {
        s->status = GRPC_STATUS_UNKNOWN;
        snprintf(s->msg, sizeof s->msg, "(client could not send)");
        return;
    }
    if (stream_read(s, resp, resp_len, 15000) != 1)
        *resp = NULL;
    stream_status(s, 15000);
}

/* A unary call whose reply is ignored; returns the status code. */
static int unary_status(struct stream *s, grpc_channel *ch, const char *method, const char *auth,
                        const ProtobufCMessage *req)
{
    uint8_t *d;
    size_t n;
    unary(s, ch, method, auth, req, &d, &n);
    free(d);
    return s->status;
}

/* ---------------------------------------------------------------- protocol helpers */

/* Log in with `auth` and return "Bearer <uuid>" in out (empty on failure). */
static void login(grpc_channel *ch, const char *auth, char *out, size_t cap)
{
    struct stream s;
    PB(ConfigurationConstantsRequest) req = PB_INIT(CONFIGURATION_CONSTANTS_REQUEST);
    unary_status(&s, ch, M_CONFIG, auth, &req.base);
    snprintf(out, cap, "%s", s.status == GRPC_STATUS_OK ? s.auth_init : "");
    stream_free(&s);
}

/* The export ticket 'e' + id as int32 little-endian. */
static void export_ticket(int32_t id, uint8_t out[5])
{
    struct dh_ticket t;
    dh_ticket_make_export(&t, id);
    memcpy(out, t.bytes, 5);
}

/* ExportFromTicket(src -> e<id>); returns the status, message in msg. */
static int export_from(const char *bearer, const uint8_t *src, size_t n, int32_t id, char *msg,
                       size_t cap)
{
    uint8_t e[5];
    export_ticket(id, e);
    PB(Ticket) s = PB_INIT(TICKET), r = PB_INIT(TICKET);
    s.ticket.data = (uint8_t *)src;
    s.ticket.len = n;
    r.ticket.data = e;
    r.ticket.len = 5;
    PB(ExportRequest) req = PB_INIT(EXPORT_REQUEST);
    req.source_id = &s;
    req.result_id = &r;
    struct stream st;
    int code = unary_status(&st, g_main, M_EXPORT, bearer, &req.base);
    if (msg)
        snprintf(msg, cap, "%s", st.msg);
    stream_free(&st);
    return code;
}

static int publish(const char *bearer, const uint8_t *src, size_t n, const uint8_t *dst, size_t dn,
                   char *msg, size_t cap)
{
    PB(Ticket) s = PB_INIT(TICKET), r = PB_INIT(TICKET);
    s.ticket.data = (uint8_t *)src;
    s.ticket.len = n;
    r.ticket.data = (uint8_t *)dst;
    r.ticket.len = dn;
    PB(PublishRequest) req = PB_INIT(PUBLISH_REQUEST);
    req.source_id = &s;
    req.result_id = &r;
    struct stream st;
    int code = unary_status(&st, g_main, M_PUBLISH, bearer, &req.base);
    snprintf(msg, cap, "%s", st.msg);
    stream_free(&st);
    return code;
}

static int release(const char *bearer, int32_t id, char *msg, size_t cap)
{
    uint8_t e[5];
    export_ticket(id, e);
    PB(Ticket) t = PB_INIT(TICKET);
    t.ticket.data = e;
    t.ticket.len = 5;
    PB(ReleaseRequest) req = PB_INIT(RELEASE_REQUEST);
    req.id = &t;
    struct stream st;
    int code = unary_status(&st, g_main, M_RELEASE, bearer, &req.base);
    snprintf(msg, cap, "%s", st.msg);
    stream_free(&st);
    return code;
}

/* GetExportedTableCreationResponse(t): status; *size when OK. */
static int etcr(const char *bearer, const uint8_t *t, size_t n, char *msg, size_t cap,
                int64_t *size)
{
    PB(Ticket) tk = PB_INIT(TICKET);
    tk.ticket.data = (uint8_t *)t;
    tk.ticket.len = n;
    struct stream st;
    uint8_t *d;
    size_t dn;
    unary(&st, g_main, M_ETCR, bearer, &tk.base, &d, &dn);
    int code = st.status;
    snprintf(msg, cap, "%s", st.msg);
    if (d && size) {
        PB(ExportedTableCreationResponse) *r =
            (PB(ExportedTableCreationResponse) *)protobuf_c_message_unpack(
                &PB_DESC(exported_table_creation_response), NULL, dn, d);
        *size = r ? r->size : -1;
        if (r &&
            !(r->success && r->result_id && r->result_id->ticket &&
              r->result_id->ticket->ticket.len == n &&
              memcmp(r->result_id->ticket->ticket.data, t, n) == 0 && r->schema_header.len > 8))
            *size = -2;
        if (r)
            protobuf_c_message_free_unpacked(&r->base, NULL);
    }
    free(d);
    stream_free(&st);
    return code;
}

static void control(const char *line)
{
    FILE *f = fopen(g_fifo, "w");
    if (!f)
        return;
    fprintf(f, "%s\n", line);
    fclose(f);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int is_bearer(const char *s)
{
    return strncmp(s, "Bearer ", 7) == 0 && strlen(s) == 7 + 36 && s[7 + 8] == '-';
}

static int g_next_id = 1;

/* Whether bytes d[0..n) contain the string needle. */
static int contains(const uint8_t *d, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; d && k <= n && i <= n - k; i++)
        if (memcmp(d + i, needle, k) == 0)
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- tests */

static void test_auth_anonymous(void)
{
    struct stream s;
    PB(ConfigurationConstantsRequest) req = PB_INIT(CONFIGURATION_CONSTANTS_REQUEST);
    uint8_t *d;
    size_t n;
    unary(&s, g_main, M_CONFIG, "Anonymous", &req.base, &d, &n);
    CHECK_INT(s.status, GRPC_STATUS_OK);
    CHECK(is_bearer(s.auth_init)); /* the bearer arrives in the initial metadata */
    CHECK_REQ(d != NULL);
    PB(ConfigurationConstantsResponse) *r =
        (PB(ConfigurationConstantsResponse) *)protobuf_c_message_unpack(
            &PB_DESC(configuration_constants_response), NULL, n, d);
    CHECK_REQ(r != NULL);
    int found = 0;
    for (size_t i = 0; i < r->n_config_values; i++)
        if (strcmp(r->config_values[i]->key, "http.session.durationMs") == 0 &&
            r->config_values[i]->value &&
            strcmp(r->config_values[i]->value->string_value, "300000") == 0)
            found = 1;
    CHECK(found);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    free(d);
    char bearer[128];
    snprintf(bearer, sizeof bearer, "%s", s.auth_init);
    stream_free(&s);
    /* The bearer is accepted and (young token) comes back unchanged. */
    CHECK_INT(unary_status(&s, g_main, M_CONFIG, bearer, &req.base), GRPC_STATUS_OK);
    CHECK_STR(s.auth_init, bearer);
    stream_free(&s);
}

static void test_auth_failures(void)
{
    struct stream s;
    PB(ConfigurationConstantsRequest) req = PB_INIT(CONFIGURATION_CONSTANTS_REQUEST);
    CHECK_INT(unary_status(&s, g_main, M_CONFIG, NULL, &req.base), GRPC_STATUS_UNAUTHENTICATED);
    CHECK_STR(s.msg, "");
    stream_free(&s);
    CHECK_INT(unary_status(&s, g_main, M_CONFIG, "Bearer 01234567-89ab-4def-8123-456789abcdef",
                           &req.base),
              GRPC_STATUS_UNAUTHENTICATED);
    CHECK_STR(s.msg, "Authentication details invalid");
    CHECK_STR(s.auth_trail, "");
    stream_free(&s);
    CHECK_INT(unary_status(&s, g_main, M_CONFIG, "Anonymous x", &req.base),
              GRPC_STATUS_UNAUTHENTICATED);
    CHECK_STR(s.msg, "Authentication details invalid");
    stream_free(&s);
    CHECK_INT(unary_status(&s, g_main, M_CONFIG, "Basic dXNlcjpwYXNz", &req.base),
              GRPC_STATUS_UNAUTHENTICATED);
    stream_free(&s);
    /* GetAuthenticationConstants needs no session... */
    PB(AuthenticationConstantsRequest) areq = PB_INIT(AUTHENTICATION_CONSTANTS_REQUEST);
    uint8_t *d;
    size_t n;
    unary(&s, g_main, M_AUTHC, NULL, &areq.base, &d, &n);
    CHECK_INT(s.status, GRPC_STATUS_OK);
    CHECK_STR(s.auth_init, "");
    CHECK(d && contains(d, n, "AuthHandlers") &&
          contains(d, n, "io.deephaven.auth.AnonymousAuthenticationHandler"));
    free(d);
    stream_free(&s);
    /* ... but a bad header still fails it (the interceptor runs first). */
    CHECK_INT(unary_status(&s, g_main, M_AUTHC, "Bearer nope", &areq.base),
              GRPC_STATUS_UNAUTHENTICATED);
    stream_free(&s);
    /* Unknown methods: grpc-java's UNIMPLEMENTED. */
    CHECK_INT(unary_status(&s, g_main, SVC "SessionService/NoSuchMethod", "Anonymous", &req.base),
              GRPC_STATUS_UNIMPLEMENTED);
    CHECK_STR(s.msg,
              "Method not found: io.deephaven.proto.backplane.grpc.SessionService/NoSuchMethod");
    stream_free(&s);
    CHECK_INT(unary_status(&s, g_main, SVC "TableService/TimeTable", "Anonymous", &req.base),
              GRPC_STATUS_UNIMPLEMENTED);
    CHECK_STR(s.msg, "dhtui demo server: TimeTable is not implemented");
    stream_free(&s);
}

static void test_auth_psk(void)
{
    char bearer[128], key[256];
    login(g_psk_ch, "Anonymous", bearer, sizeof bearer);
    CHECK_STR(bearer, "");
    snprintf(key, sizeof key, "io.deephaven.authentication.psk.PskAuthenticationHandler %s-no",
             g_psk);
    login(g_psk_ch, key, bearer, sizeof bearer);
    CHECK_STR(bearer, "");
    snprintf(key, sizeof key, "io.deephaven.authentication.psk.PskAuthenticationHandler %s", g_psk);
    login(g_psk_ch, key, bearer, sizeof bearer);
    CHECK(is_bearer(bearer));
}

static void test_trailers_only_bearer(void)
{
    char bearer[128], msg[1024];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    /* An error reply with no headers sent carries the token in the trailers. */
    uint8_t e[5];
    export_ticket(987654, e);
    PB(Ticket) t = PB_INIT(TICKET);
    t.ticket.data = e;
    t.ticket.len = 5;
    PB(ReleaseRequest) req = PB_INIT(RELEASE_REQUEST);
    req.id = &t;
    struct stream s;
    CHECK_INT(unary_status(&s, g_main, M_RELEASE, bearer, &req.base), GRPC_STATUS_UNAVAILABLE);
    CHECK_STR(s.msg, "Export not yet defined");
    CHECK_STR(s.auth_init, "");
    CHECK_STR(s.auth_trail, bearer);
    stream_free(&s);
    (void)msg;
}

static void test_publish_and_fetch(void)
{
    char bearer[128], other[128], msg[1024];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    login(g_main, "Anonymous", other, sizeof other);
    const char *trades = "a/demo/f/trades";
    int id = g_next_id++;
    CHECK_INT(export_from(bearer, (const uint8_t *)trades, strlen(trades), id, msg, sizeof msg),
              GRPC_STATUS_OK);
    uint8_t src[5];
    export_ticket(id, src);
    uint8_t h[17] = {'h'};
    for (int i = 1; i < 17; i++)
        h[i] = (uint8_t)(0xa0 + i);
    const char *hex = "a1a2a3a4a5a6a7a8a9aaabacadaeafb0";
    CHECK_INT(publish(bearer, src, 5, h, 17, msg, sizeof msg), GRPC_STATUS_OK);
    CHECK_INT(publish(bearer, src, 5, h, 17, msg, sizeof msg), GRPC_STATUS_ALREADY_EXISTS);
    char want[512];
    snprintf(want, sizeof want,
             "Could not publish 'resultId' to shared ticket '%s' (hex): destination already exists",
             hex);
    CHECK_STR(msg, want);
    /* Publishing from a non-export is refused. */
    uint8_t h2[3] = {'h', 1, 2};
    CHECK_INT(publish(bearer, (const uint8_t *)trades, strlen(trades), h2, 3, msg, sizeof msg),
              GRPC_STATUS_FAILED_PRECONDITION);
    CHECK_STR(msg, "Could not publish 'resultId' to shared ticket '0102' (hex): can only publish "
                   "directly from a session export to a shared ticket");
    /* Another session sees the table through the shared ticket ... */
    int64_t size = 0;
    CHECK_INT(etcr(other, h, 17, msg, sizeof msg, &size), GRPC_STATUS_OK);
    CHECK_INT(size, 5000);
    /* ... and copies it. */
    int copy = g_next_id++;
    CHECK_INT(export_from(other, h, 17, copy, msg, sizeof msg), GRPC_STATUS_OK);
    /* Unknown shared ids. */
    CHECK_INT(etcr(other, h2, 3, msg, sizeof msg, NULL), GRPC_STATUS_NOT_FOUND);
    CHECK_STR(msg, "Could not resolve 'request': ticket '0102' not found");
    CHECK_INT(export_from(other, h2, 3, g_next_id++, msg, sizeof msg), GRPC_STATUS_NOT_FOUND);
    CHECK_STR(msg, "Could not resolve 'sourceId': ticket '0102' not found");
    /* The publisher releases: the shared ticket dies, the copy lives on. */
    CHECK_INT(release(bearer, id, msg, sizeof msg), GRPC_STATUS_OK);
    CHECK_INT(release(bearer, id, msg, sizeof msg), GRPC_STATUS_OK); /* terminal: still OK */
    CHECK_INT(etcr(other, h, 17, msg, sizeof msg, NULL), GRPC_STATUS_FAILED_PRECONDITION);
    CHECK_STR(msg, "Export in state DEPENDENCY_FAILED");
    uint8_t ce[5];
    export_ticket(copy, ce);
    CHECK_INT(etcr(other, ce, 5, msg, sizeof msg, &size), GRPC_STATUS_OK);
    /* The publisher's own released export. */
    CHECK_INT(etcr(bearer, src, 5, msg, sizeof msg, NULL), GRPC_STATUS_FAILED_PRECONDITION);
    snprintf(want, sizeof want,
             "Export in state DEPENDENCY_RELEASED (related parent export id: %d)", id);
    CHECK_STR(msg, want);
    /* Reusing an id is an (obfuscated) internal error. */
    CHECK_INT(export_from(bearer, (const uint8_t *)trades, strlen(trades), id, msg, sizeof msg),
              GRPC_STATUS_INVALID_ARGUMENT);
    CHECK(strncmp(msg, "Details Logged w/ID '", 21) == 0);
}

static void test_ticket_errors(void)
{
    char bearer[128], msg[1024];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    /* Path tickets the server cannot resolve, each with its status and message. */
    static const struct {
        const char *ticket;
        grpc_status_code status;
        const char *msg;
    } cases[] = {
        {"xyz", GRPC_STATUS_FAILED_PRECONDITION,
         "Could not resolve 'request': no resolver for route '120' (byte)"},
        {"a/demo/f/price_plot", GRPC_STATUS_FAILED_PRECONDITION, "Ticket is not a table"},
        {"a/demo/f/nope", GRPC_STATUS_NOT_FOUND,
         "Could not resolve 'request': field 'app/demo/field/nope' not found"},
        {"a/other/f/x", GRPC_STATUS_NOT_FOUND,
         "Could not resolve 'request': no application exists with the identifier: other"},
        {"s/nope", GRPC_STATUS_NOT_FOUND, "Could not resolve 'request: variable 'nope' not found"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *t = cases[i].ticket;
        CHECK_INT(etcr(bearer, (const uint8_t *)t, strlen(t), msg, sizeof msg, NULL),
                  cases[i].status);
        CHECK_STR(msg, cases[i].msg);
    }
    uint8_t bad[3] = {'e', 1, 2};
    CHECK_INT(etcr(bearer, bad, 3, msg, sizeof msg, NULL), GRPC_STATUS_FAILED_PRECONDITION);
    CHECK_STR(msg, "Could not resolve ticket 'request': found 0x650102 (hex)");
    CHECK_INT(etcr(bearer, NULL, 0, msg, sizeof msg, NULL), GRPC_STATUS_FAILED_PRECONDITION);
    CHECK_STR(msg, "No request ticket supplied");
    uint8_t neg[5];
    export_ticket(-7, neg);
    CHECK_INT(etcr(bearer, neg, 5, msg, sizeof msg, NULL), GRPC_STATUS_FAILED_PRECONDITION);
    CHECK_STR(msg, "Export id -7 does not exist and cannot be used out-of-order!");
    CHECK_INT(release(bearer, 424242, msg, sizeof msg), GRPC_STATUS_UNAVAILABLE);
    CHECK_STR(msg, "Export not yet defined");
}

/* Read messages of a server stream into a FieldsChangeUpdate; NULL on timeout/end. */
static PB(FieldsChangeUpdate) * read_fields(struct stream *s, int ms)
{
    uint8_t *d;
    size_t n;
    if (stream_read(s, &d, &n, ms) != 1)
        return NULL;
    PB(FieldsChangeUpdate) *u = (PB(FieldsChangeUpdate) *)protobuf_c_message_unpack(
        &PB_DESC(fields_change_update), NULL, n, d);
    free(d);
    return u;
}

static int has_field(PB(FieldInfo) * *v, size_t n, const char *name, const char *type,
                     const char *app_id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i]->field_name, name) == 0 && v[i]->typed_ticket &&
            strcmp(v[i]->typed_ticket->type, type) == 0 &&
            strcmp(v[i]->application_id, app_id) == 0)
            return 1;
    return 0;
}

static void test_list_fields(void)
{
    char bearer[128];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    struct stream s;
    PB(ListFieldsRequest) req = PB_INIT(LIST_FIELDS_REQUEST);
    CHECK_REQ(stream_request(&s, g_main, M_FIELDS, bearer, &req.base) == 0);
    PB(FieldsChangeUpdate) *u = read_fields(&s, 5000);
    CHECK_REQ(u != NULL);
    /* Every object is a query-scope variable with an s/<name> ticket, as a
     * console-backed server lists its variables (pydeephaven's open_table uses s/). */
    CHECK(has_field(u->created, u->n_created, "trades", "Table", "scope"));
    CHECK(has_field(u->created, u->n_created, "price_plot", "Figure", "scope"));
    CHECK(u->n_created >= 8);
    for (size_t i = 0; i < u->n_created; i++) {
        PB(FieldInfo) *f = u->created[i];
        char want[256];
        snprintf(want, sizeof want, "s/%s", f->field_name);
        CHECK_STR(f->application_id, "scope");
        CHECK_STR(f->application_name, "");
        CHECK(f->typed_ticket && f->typed_ticket->ticket &&
              f->typed_ticket->ticket->ticket.len == strlen(want) &&
              memcmp(f->typed_ticket->ticket->ticket.data, want, strlen(want)) == 0);
    }
    CHECK_INT(u->n_updated + u->n_removed, 0);
    protobuf_c_message_free_unpacked(&u->base, NULL);
    control("add itest_var Table trades");
    u = read_fields(&s, 3000);
    CHECK_REQ(u != NULL);
    CHECK(has_field(u->created, u->n_created, "itest_var", "Table", "scope"));
    if (u->n_created)
        CHECK_STR(u->created[0]->field_description, "query scope variable");
    protobuf_c_message_free_unpacked(&u->base, NULL);
    control("remove itest_var");
    u = read_fields(&s, 3000);
    CHECK_REQ(u != NULL);
    CHECK(has_field(u->removed, u->n_removed, "itest_var", "Table", "scope"));
    protobuf_c_message_free_unpacked(&u->base, NULL);
    /* The stream stays open. */
    uint8_t *d;
    size_t n;
    CHECK_INT(stream_read(&s, &d, &n, 300), -1);
    stream_free(&s);
}

static void test_notifications(void)
{
    char bearer[128], msg[1024];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    const char *quotes = "a/demo/f/quotes";
    CHECK_INT(export_from(bearer, (const uint8_t *)quotes, strlen(quotes), 1, msg, sizeof msg),
              GRPC_STATUS_OK);
    struct stream s;
    PB(ExportNotificationRequest) req = PB_INIT(EXPORT_NOTIFICATION_REQUEST);
    CHECK_REQ(stream_request(&s, g_main, M_NOTIFY, bearer, &req.base) == 0);
    int saw_e1 = 0, saw_marker = 0, saw_released = 0;
    for (int i = 0; i < 10 && !saw_released; i++) {
        uint8_t *d;
        size_t n;
        if (stream_read(&s, &d, &n, 3000) != 1)
            break;
        PB(ExportNotification) *en = (PB(ExportNotification) *)protobuf_c_message_unpack(
            &PB_DESC(export_notification), NULL, n, d);
        free(d);
        CHECK_REQ(en && en->ticket && en->ticket->ticket.len == 5);
        int32_t id = (int32_t)((uint32_t)en->ticket->ticket.data[1] |
                               ((uint32_t)en->ticket->ticket.data[2] << 8));
        if (id == 1 && en->export_state == 5 && !saw_marker)
            saw_e1 = 1;
        if (id == 0 && en->export_state == 5 && strcmp(en->context, "run is complete") == 0) {
            saw_marker = 1;
            CHECK_INT(release(bearer, 1, msg, sizeof msg), GRPC_STATUS_OK);
        }
        if (id == 1 && en->export_state == 6)
            saw_released = 1;
        protobuf_c_message_free_unpacked(&en->base, NULL);
    }
    CHECK(saw_e1);
    CHECK(saw_marker);
    CHECK(saw_released);
    stream_free(&s);
}

static void test_figure(void)
{
    char bearer[128];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    const char *fig = "a/demo/f/price_plot";
    PB(Ticket) t = PB_INIT(TICKET);
    t.ticket.data = (uint8_t *)fig;
    t.ticket.len = strlen(fig);
    PB(TypedTicket) tt = PB_INIT(TYPED_TICKET);
    tt.ticket = &t;
    tt.type = (char *)"Figure";
    PB(FetchObjectRequest) req = PB_INIT(FETCH_OBJECT_REQUEST);
    req.source_id = &tt;
    struct stream s;
    uint8_t *d;
    size_t n;
    unary(&s, g_main, M_FETCHOBJ, bearer, &req.base, &d, &n);
    CHECK_INT(s.status, GRPC_STATUS_OK);
    stream_free(&s);
    CHECK_REQ(d != NULL);
    PB(FetchObjectResponse) *r = (PB(FetchObjectResponse) *)protobuf_c_message_unpack(
        &PB_DESC(fetch_object_response), NULL, n, d);
    free(d);
    CHECK_REQ(r != NULL);
    CHECK_STR(r->type, "Figure");
    CHECK(r->data.len > 0);
    CHECK_REQ(r->n_typed_export_ids >= 1);
    CHECK_STR(r->typed_export_ids[0]->type, "Table");
    const PB(Ticket) *ref = r->typed_export_ids[0]->ticket;
    CHECK(ref && ref->ticket.len == 5 && ref->ticket.data[0] == 'e' &&
          ref->ticket.data[1] == 0xff && ref->ticket.data[4] == 0xff);
    if (ref && ref->ticket.len == 5) {
        char msg[1024];
        int64_t size;
        CHECK_INT(etcr(bearer, ref->ticket.data, 5, msg, sizeof msg, &size), GRPC_STATUS_OK);
    }
    protobuf_c_message_free_unpacked(&r->base, NULL);

    tt.type = (char *)"Table";
    CHECK_INT(unary_status(&s, g_main, M_FETCHOBJ, bearer, &req.base),
              GRPC_STATUS_FAILED_PRECONDITION);
    CHECK_STR(s.msg, "Unexpected ObjectType, expected type 'Table', actual type 'Figure'");
    stream_free(&s);
    tt.type = (char *)"";
    CHECK_INT(unary_status(&s, g_main, M_FETCHOBJ, bearer, &req.base),
              GRPC_STATUS_INVALID_ARGUMENT);
    CHECK_STR(s.msg, "No type supplied");
    stream_free(&s);
    const char *trades = "a/demo/f/trades";
    t.ticket.data = (uint8_t *)trades;
    t.ticket.len = strlen(trades);
    tt.type = (char *)"Figure";
    CHECK_INT(unary_status(&s, g_main, M_FETCHOBJ, bearer, &req.base), GRPC_STATUS_NOT_FOUND);
    CHECK_STR(s.msg, "No ObjectType found, expected type 'Figure'");
    stream_free(&s);

    /* MessageStream: one StreamResponse, then OK (a fetch-only object type). */
    t.ticket.data = (uint8_t *)fig;
    t.ticket.len = strlen(fig);
    PB(ConnectRequest) conn = PB_INIT(CONNECT_REQUEST);
    conn.source_id = &tt;
    PB(StreamRequest) sreq = PB_INIT(STREAM_REQUEST);
    sreq.message_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_REQUEST__MESSAGE_CONNECT;
    sreq.connect = &conn;
    CHECK_REQ(stream_open(&s, g_main, M_MSGSTREAM, bearer) == 0);
    CHECK_REQ(stream_send(&s, &sreq.base) == 0);
    CHECK_INT(stream_read(&s, &d, &n, 5000), 1);
    free(d);
    stream_close_send(&s);
    CHECK_INT(stream_read(&s, &d, &n, 5000), 0);
    stream_status(&s, 5000);
    CHECK_INT(s.status, GRPC_STATUS_OK);
    stream_free(&s);
}

/* Count DoGet messages of a ticket; returns the status. */
static int do_get(const char *bearer, const char *ticket, int *msgs, char *msg, size_t cap)
{
    struct stream s;
    Arrow__Flight__Protocol__Ticket t = ARROW__FLIGHT__PROTOCOL__TICKET__INIT;
    t.ticket.data = (uint8_t *)ticket;
    t.ticket.len = strlen(ticket);
    *msgs = 0;
    if (stream_open(&s, g_main, M_DOGET, bearer) != 0 || stream_send(&s, &t.base) != 0 ||
        stream_close_send(&s) != 0) {
        stream_free(&s);
        return -1;
    }
    uint8_t *d;
    size_t n;
    while (stream_read(&s, &d, &n, 10000) == 1) {
        free(d);
        (*msgs)++;
    }
    stream_status(&s, 10000);
    int code = s.status;
    snprintf(msg, cap, "%s", s.msg);
    stream_free(&s);
    return code;
}

static void test_flight(void)
{
    char bearer[128], msg[1024];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    int msgs;
    CHECK_INT(do_get(bearer, "a/demo/f/trades", &msgs, msg, sizeof msg), GRPC_STATUS_OK);
    CHECK(msgs >= 2); /* schema + batches */
    CHECK_INT(do_get(bearer, "a/demo/f/price_plot", &msgs, msg, sizeof msg),
              GRPC_STATUS_FAILED_PRECONDITION);
    CHECK_STR(msg, "Ticket (app/demo/field/price_plot) is not a subscribable table.");

    /* DoExchange with an unhandled Barrage message type (3). Wrapper flatbuffer:
     * root offset 12; vtable [8, 12, 4, 8] at 4; table at 12: soffset 8, magic, type. */
    static const uint8_t wrapper[] = {0x0c, 0, 0, 0, 0x08, 0,   0x0c, 0,   0x04, 0, 0x08, 0,
                                      0x08, 0, 0, 0, 'd',  'p', 'h',  'n', 3,    0, 0,    0};
    Arrow__Flight__Protocol__FlightData fd = ARROW__FLIGHT__PROTOCOL__FLIGHT_DATA__INIT;
    fd.app_metadata.data = (uint8_t *)wrapper;
    fd.app_metadata.len = sizeof wrapper;
    struct stream s;
    CHECK_REQ(stream_open(&s, g_main, M_DOEXCHANGE, bearer) == 0);
    CHECK_REQ(stream_send(&s, &fd.base) == 0);
    stream_close_send(&s);
    stream_status(&s, 5000);
    CHECK_INT(s.status, GRPC_STATUS_INVALID_ARGUMENT);
    const char *suffix = ": received a message with unhandled BarrageMessageType: 3";
    size_t ml = strlen(s.msg), sl = strlen(suffix);
    CHECK(strncmp(s.msg, "DoExchangeMarshaller{", 21) == 0 && ml > sl &&
          strcmp(s.msg + ml - sl, suffix) == 0);
    stream_free(&s);
}

static void test_close_session(void)
{
    char bearer[128];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    struct stream fields;
    PB(ListFieldsRequest) lreq = PB_INIT(LIST_FIELDS_REQUEST);
    CHECK_REQ(stream_request(&fields, g_main, M_FIELDS, bearer, &lreq.base) == 0);
    PB(FieldsChangeUpdate) *u = read_fields(&fields, 5000);
    CHECK(u != NULL);
    if (u)
        protobuf_c_message_free_unpacked(&u->base, NULL);

    PB(HandshakeRequest) req = PB_INIT(HANDSHAKE_REQUEST);
    req.auth_protocol = 1;
    struct stream s;
    CHECK_INT(unary_status(&s, g_main, M_CLOSE, bearer, &req.base), GRPC_STATUS_INVALID_ARGUMENT);
    CHECK_STR(s.msg, "Protocol version not allowed.");
    stream_free(&s);
    req.auth_protocol = 0;
    CHECK_INT(unary_status(&s, g_main, M_CLOSE, bearer, &req.base), GRPC_STATUS_OK);
    stream_free(&s);
    /* ListFields ends CANCELLED "subscription cancelled". */
    uint8_t *d;
    size_t n;
    CHECK_INT(stream_read(&fields, &d, &n, 3000), 0);
    stream_status(&fields, 3000);
    CHECK_INT(fields.status, GRPC_STATUS_CANCELLED);
    CHECK_STR(fields.msg, "subscription cancelled");
    stream_free(&fields);
    PB(ConfigurationConstantsRequest) creq = PB_INIT(CONFIGURATION_CONSTANTS_REQUEST);
    CHECK_INT(unary_status(&s, g_main, M_CONFIG, bearer, &creq.base), GRPC_STATUS_UNAUTHENTICATED);
    CHECK_STR(s.msg, "Authentication details invalid");
    stream_free(&s);
}

static void test_rotation_and_expiry(void)
{
    /* SHORT server: duration 2000 ms, so tokens rotate after 400 ms. */
    char bearer[128];
    login(g_short, "Anonymous", bearer, sizeof bearer);
    CHECK_REQ(is_bearer(bearer));
    sleep_ms(600);
    struct stream s;
    PB(ConfigurationConstantsRequest) req = PB_INIT(CONFIGURATION_CONSTANTS_REQUEST);
    CHECK_INT(unary_status(&s, g_short, M_CONFIG, bearer, &req.base), GRPC_STATUS_OK);
    char rotated[128];
    snprintf(rotated, sizeof rotated, "%s", s.auth_init);
    stream_free(&s);
    CHECK(is_bearer(rotated) && strcmp(rotated, bearer) != 0);
    /* The old token stays valid to its own deadline. */
    CHECK_INT(unary_status(&s, g_short, M_CONFIG, bearer, &req.base), GRPC_STATUS_OK);
    stream_free(&s);
    /* After the duration without calls, the session is gone. */
    sleep_ms(2300);
    CHECK_INT(unary_status(&s, g_short, M_CONFIG, rotated, &req.base), GRPC_STATUS_UNAUTHENTICATED);
    CHECK_STR(s.msg, "Authentication details invalid");
    stream_free(&s);
}

/* Send raw bytes as the one request message of method; returns the status. */
static int raw_call(const char *method, const char *auth, const uint8_t *d, size_t n, char *msg,
                    size_t cap)
{
    struct stream s;
    int code = -1;
    if (stream_open(&s, g_main, method, auth) == 0) {
        stream_send_bytes(&s, d, n);
        stream_close_send(&s);
        uint8_t *r;
        size_t rn;
        while (stream_read(&s, &r, &rn, 5000) == 1)
            free(r);
        stream_status(&s, 5000);
        code = s.status;
        snprintf(msg, cap, "%s", s.msg);
    }
    stream_free(&s);
    return code;
}

static void test_garbage(void)
{
    static const char *const methods[] = {
        M_CONFIG,
        M_AUTHC,
        M_CLOSE,
        M_RELEASE,
        M_EXPORT,
        M_PUBLISH,
        M_NOTIFY,
        M_ETCR,
        M_FIELDS,
        M_FETCHOBJ,
        M_MSGSTREAM,
        M_DOGET,
        M_DOEXCHANGE,
        SVC "TableService/FetchTable",
        SVC "SessionService/TerminationNotification",
    };
    /* A length-delimited field claiming far more bytes than follow: never parses. */
    static const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3};
    char bearer[128], msg[1024];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        int code = raw_call(methods[i], bearer, junk, sizeof junk, msg, sizeof msg);
        if (strstr(methods[i], "DoExchange")) {
            CHECK_INT(code, GRPC_STATUS_INVALID_ARGUMENT);
            CHECK(strncmp(msg, "Details Logged w/ID '", 21) == 0);
        } else {
            CHECK_INT(code, GRPC_STATUS_UNKNOWN);
            CHECK_STR(msg, "Application error processing RPC");
        }
    }
    /* Well-formed protobuf but a garbage Barrage wrapper. */
    Arrow__Flight__Protocol__FlightData fd = ARROW__FLIGHT__PROTOCOL__FLIGHT_DATA__INIT;
    static const uint8_t bad_fb[] = {0xff, 0xff, 0xff, 0x7f, 1, 2};
    fd.app_metadata.data = (uint8_t *)bad_fb;
    fd.app_metadata.len = sizeof bad_fb;
    size_t n = protobuf_c_message_get_packed_size(&fd.base);
    uint8_t *buf = malloc(n);
    protobuf_c_message_pack(&fd.base, buf);
    CHECK_INT(raw_call(M_DOEXCHANGE, bearer, buf, n, msg, sizeof msg),
              GRPC_STATUS_INVALID_ARGUMENT);
    free(buf);
    /* The server still works. */
    char again[128];
    login(g_main, "Anonymous", again, sizeof again);
    CHECK(is_bearer(again));
}

static void test_placeholder_wait(void)
{
    char bearer[128], msg[1024];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    /* ExportFromTicket(e5 -> e6) waits for e5, which does not exist yet. */
    uint8_t e5[5], e6[5];
    export_ticket(5, e5);
    export_ticket(6, e6);
    PB(Ticket) s5 = PB_INIT(TICKET), r6 = PB_INIT(TICKET);
    s5.ticket.data = e5;
    s5.ticket.len = 5;
    r6.ticket.data = e6;
    r6.ticket.len = 5;
    PB(ExportRequest) req = PB_INIT(EXPORT_REQUEST);
    req.source_id = &s5;
    req.result_id = &r6;
    struct stream waiting;
    CHECK_REQ(stream_request(&waiting, g_main, M_EXPORT, bearer, &req.base) == 0);
    uint8_t *d;
    size_t n;
    CHECK_INT(stream_read(&waiting, &d, &n, 300), -1); /* still waiting */
    const char *trades = "a/demo/f/trades";
    CHECK_INT(export_from(bearer, (const uint8_t *)trades, strlen(trades), 5, msg, sizeof msg),
              GRPC_STATUS_OK);
    CHECK_INT(stream_read(&waiting, &d, &n, 5000), 1);
    free(d);
    stream_status(&waiting, 5000);
    CHECK_INT(waiting.status, GRPC_STATUS_OK);
    stream_free(&waiting);
    int64_t size = 0;
    CHECK_INT(etcr(bearer, e6, 5, msg, sizeof msg, &size), GRPC_STATUS_OK);
    CHECK_INT(size, 5000);
    /* A consumer waiting on a placeholder gives up when the client cancels. */
    uint8_t e9[5];
    export_ticket(9, e9);
    PB(Ticket) t9 = PB_INIT(TICKET);
    t9.ticket.data = e9;
    t9.ticket.len = 5;
    struct stream w2;
    CHECK_REQ(stream_request(&w2, g_main, M_ETCR, bearer, &t9.base) == 0);
    CHECK_INT(stream_read(&w2, &d, &n, 300), -1);
    stream_free(&w2); /* cancels */
    /* Releasing the placeholder cancels it: waiting on it now fails at once. */
    CHECK_INT(release(bearer, 9, msg, sizeof msg), GRPC_STATUS_OK);
    CHECK_INT(etcr(bearer, e9, 5, msg, sizeof msg, NULL), GRPC_STATUS_FAILED_PRECONDITION);
    CHECK_STR(msg, "Export in state DEPENDENCY_CANCELLED (related parent export id: 9)");
}

static void test_cancel_doget(void)
{
    char bearer[128];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    for (int round = 0; round < 3; round++) {
        struct stream s;
        Arrow__Flight__Protocol__Ticket t = ARROW__FLIGHT__PROTOCOL__TICKET__INIT;
        const char *wide = round == 1 ? "a/demo/f/wide" : "a/demo/f/trades";
        t.ticket.data = (uint8_t *)wide;
        t.ticket.len = strlen(wide);
        CHECK_REQ(stream_request(&s, g_main, M_DOGET, bearer, &t.base) == 0);
        uint8_t *d;
        size_t n;
        CHECK_INT(stream_read(&s, &d, &n, 5000), 1);
        free(d);
        stream_free(&s); /* cancel after the schema */
    }
    char again[128];
    login(g_main, "Anonymous", again, sizeof again);
    CHECK(is_bearer(again));
}

/* Last test: open long-lived streams, then `quit` the main server. */
static void test_shutdown_streams(void)
{
    char bearer[128];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    struct stream term, fields, notes, msgs, exch, wait77;
    PB(TerminationNotificationRequest) treq = PB_INIT(TERMINATION_NOTIFICATION_REQUEST);
    PB(ListFieldsRequest) lreq = PB_INIT(LIST_FIELDS_REQUEST);
    PB(ExportNotificationRequest) nreq = PB_INIT(EXPORT_NOTIFICATION_REQUEST);
    uint8_t e77[5];
    export_ticket(77, e77);
    PB(Ticket) t77 = PB_INIT(TICKET);
    t77.ticket.data = e77;
    t77.ticket.len = 5;
    CHECK_REQ(stream_request(&term, g_main, SVC "SessionService/TerminationNotification", bearer,
                             &treq.base) == 0);
    CHECK_REQ(stream_request(&fields, g_main, M_FIELDS, bearer, &lreq.base) == 0);
    CHECK_REQ(stream_request(&notes, g_main, M_NOTIFY, bearer, &nreq.base) == 0);
    CHECK_REQ(stream_open(&msgs, g_main, M_MSGSTREAM, bearer) == 0);
    CHECK_REQ(stream_open(&exch, g_main, M_DOEXCHANGE, bearer) == 0);
    CHECK_REQ(stream_close_send(&exch) == 0);
    CHECK_REQ(stream_request(&wait77, g_main, M_ETCR, bearer, &t77.base) == 0);
    uint8_t *d;
    size_t n;
    CHECK_INT(stream_read(&fields, &d, &n, 5000), 1); /* the initial listing */
    free(d);
    sleep_ms(300);
    control("quit");
    /* TerminationNotification answers first (abnormal_termination=false), then OK. */
    d = NULL;
    CHECK_INT(stream_read(&term, &d, &n, 8000), 1);
    free(d);
    stream_status(&term, 8000);
    CHECK_INT(term.status, GRPC_STATUS_OK);
    while (stream_read(&fields, &d, &n, 8000) == 1)
        free(d);
    stream_status(&fields, 8000);
    CHECK_INT(fields.status, GRPC_STATUS_CANCELLED);
    CHECK_STR(fields.msg, "subscription cancelled");
    while (stream_read(&notes, &d, &n, 8000) == 1)
        free(d);
    stream_status(&notes, 8000);
    CHECK_INT(notes.status, GRPC_STATUS_OK);
    stream_status(&msgs, 8000);
    CHECK_INT(msgs.status, GRPC_STATUS_CANCELLED);
    CHECK_STR(msgs.msg, "Session closed");
    stream_status(&wait77, 8000);
    CHECK_INT(wait77.status, GRPC_STATUS_FAILED_PRECONDITION);
    CHECK_STR(wait77.msg, "Export in state DEPENDENCY_CANCELLED (related parent export id: 77)");
    stream_status(&exch, 8000);
    CHECK(exch.status != GRPC_STATUS_OK); /* cancelled by the server's shutdown */
    stream_free(&term);
    stream_free(&fields);
    stream_free(&notes);
    stream_free(&msgs);
    stream_free(&exch);
    stream_free(&wait77);
}

/* Send a control command and return its reply line (the next line of SERVER_OUT). */
static void control_reply(const char *cmd, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen(g_server_out, "r");
    long before = 0;
    char line[512];
    while (f && fgets(line, sizeof line, f))
        before++;
    if (f)
        fclose(f);
    control(cmd);
    for (int tries = 0; tries < 100 && !out[0]; tries++) {
        sleep_ms(50);
        f = fopen(g_server_out, "r");
        long n = 0;
        while (f && fgets(line, sizeof line, f)) {
            if (n++ == before) {
                line[strcspn(line, "\n")] = '\0';
                size_t l = strlen(line); /* bounded copy: cap may be shorter */
                if (l >= cap)
                    l = cap - 1;
                memcpy(out, line, l);
                out[l] = '\0';
            }
        }
        if (f)
            fclose(f);
    }
}

static void test_fetch_table_and_routes(void)
{
    char bearer[128], msg[1024];
    login(g_main, "Anonymous", bearer, sizeof bearer);
    uint8_t e1[5], e2[5];
    export_ticket(1, e1);
    export_ticket(2, e2);
    const char *trades = "a/demo/f/trades", *fig = "a/demo/f/price_plot";
    PB(Ticket) src = PB_INIT(TICKET), res = PB_INIT(TICKET);
    src.ticket.data = (uint8_t *)trades;
    src.ticket.len = strlen(trades);
    res.ticket.data = e1;
    res.ticket.len = 5;
    PB(TableReference) ref = PB_INIT(TABLE_REFERENCE);
    ref.ref_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_TICKET;
    ref.ticket = &src;
    PB(FetchTableRequest) req = PB_INIT(FETCH_TABLE_REQUEST);
    req.source_id = &ref;
    req.result_id = &res;
    struct stream s;
    uint8_t *d;
    size_t n;
    unary(&s, g_main, SVC "TableService/FetchTable", bearer, &req.base, &d, &n);
    CHECK_INT(s.status, GRPC_STATUS_OK);
    stream_free(&s);
    PB(ExportedTableCreationResponse) *r =
        d ? (PB(ExportedTableCreationResponse) *)protobuf_c_message_unpack(
                &PB_DESC(exported_table_creation_response), NULL, n, d)
          : NULL;
    free(d);
    CHECK_REQ(r != NULL);
    CHECK(r->success && r->size == 5000 && r->result_id && r->result_id->ticket &&
          r->result_id->ticket->ticket.len == 5 &&
          memcmp(r->result_id->ticket->ticket.data, e1, 5) == 0);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    /* A non-table source fails the new export as an internal error. */
    src.ticket.data = (uint8_t *)fig;
    src.ticket.len = strlen(fig);
    res.ticket.data = e2;
    CHECK_INT(unary_status(&s, g_main, SVC "TableService/FetchTable", bearer, &req.base),
              GRPC_STATUS_FAILED_PRECONDITION);
    CHECK(strncmp(s.msg, "Details Logged w/ID '", 21) == 0);
    stream_free(&s);
    /* Publishing to an application ticket is refused; to an export it copies. */
    const char *app = "a/demo/f/mine";
    CHECK_INT(publish(bearer, e1, 5, (const uint8_t *)app, strlen(app), msg, sizeof msg),
              GRPC_STATUS_FAILED_PRECONDITION);
    CHECK_STR(msg, "Could not publish 'resultId': application tickets cannot be published to");
    uint8_t e3[5];
    export_ticket(3, e3);
    CHECK_INT(publish(bearer, e1, 5, e3, 5, msg, sizeof msg), GRPC_STATUS_OK);
    int64_t size = 0;
    CHECK_INT(etcr(bearer, e3, 5, msg, sizeof msg, &size), GRPC_STATUS_OK);
    CHECK_INT(size, 5000);
    CHECK_INT(publish(bearer, e1, 5, (const uint8_t *)"zz", 2, msg, sizeof msg),
              GRPC_STATUS_FAILED_PRECONDITION);
    CHECK_STR(msg, "Could not resolve 'resultId': no resolver for route '122' (byte)");
}

static void test_stats_and_shared_lifetime(void)
{
    char reply[256], pub[128], sub[128], msg[1024];
    control_reply("expire-all", reply, sizeof reply);
    CHECK_STR(reply, "ok");
    control_reply("stats", reply, sizeof reply);
    CHECK_STR(reply, "sessions=0 exports=0 shared=0");
    login(g_main, "Anonymous", pub, sizeof pub);
    login(g_main, "Anonymous", sub, sizeof sub);
    const char *quotes = "a/demo/f/quotes";
    CHECK_INT(export_from(pub, (const uint8_t *)quotes, strlen(quotes), 1, msg, sizeof msg),
              GRPC_STATUS_OK);
    uint8_t e1[5], h[9] = {'h', 9, 8, 7, 6, 5, 4, 3, 2};
    export_ticket(1, e1);
    CHECK_INT(publish(pub, e1, 5, h, sizeof h, msg, sizeof msg), GRPC_STATUS_OK);
    CHECK_INT(export_from(sub, h, sizeof h, 1, msg, sizeof msg), GRPC_STATUS_OK);
    control_reply("stats", reply, sizeof reply);
    CHECK_STR(reply, "sessions=2 exports=2 shared=1");
    /* The publisher's session closes: the shared ticket dies, the copy lives. */
    PB(HandshakeRequest) close = PB_INIT(HANDSHAKE_REQUEST);
    struct stream s;
    CHECK_INT(unary_status(&s, g_main, M_CLOSE, pub, &close.base), GRPC_STATUS_OK);
    CHECK_STR(s.auth_init, ""); /* no token for a closed session */
    CHECK_STR(s.auth_trail, "");
    stream_free(&s);
    control_reply("stats", reply, sizeof reply);
    CHECK_STR(reply, "sessions=1 exports=1 shared=0");
    CHECK_INT(export_from(sub, h, sizeof h, 2, msg, sizeof msg), GRPC_STATUS_FAILED_PRECONDITION);
    CHECK_STR(msg, "Export in state DEPENDENCY_FAILED");
    int64_t size = 0;
    CHECK_INT(etcr(sub, e1, 5, msg, sizeof msg, &size), GRPC_STATUS_OK);
    CHECK(size > 0);
    CHECK_INT(release(sub, 1, msg, sizeof msg), GRPC_STATUS_OK);
    control_reply("stats", reply, sizeof reply);
    CHECK_STR(reply, "sessions=1 exports=0 shared=0");
}

static grpc_channel *channel(const char *port)
{
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%s", port);
    grpc_arg arg;
    arg.type = GRPC_ARG_INTEGER;
    arg.key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
    arg.value.integer = 100 * 1024 * 1024;
    grpc_channel_args args = {1, &arg};
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    grpc_channel *ch = grpc_channel_create(target, creds, &args);
    grpc_channel_credentials_release(creds);
    return ch;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr,
                "usage: itest_server_raw PORT CONTROL_FIFO SERVER_OUT PSK_PORT PSK SHORT_PORT\n");
        return 2;
    }
    grpc_init();
    g_fifo = argv[2];
    g_server_out = argv[3];
    g_psk = argv[5];
    g_main = channel(argv[1]);
    g_psk_ch = channel(argv[4]);
    g_short = channel(argv[6]);
    int rc;
    {
        static const struct check_test tests[] = {
            T(test_auth_anonymous),
            T(test_auth_failures),
            T(test_auth_psk),
            T(test_trailers_only_bearer),
            T(test_publish_and_fetch),
            T(test_ticket_errors),
            T(test_list_fields),
            T(test_notifications),
            T(test_figure),
            T(test_flight),
            T(test_close_session),
            T(test_rotation_and_expiry),
            T(test_garbage),
            T(test_placeholder_wait),
            T(test_cancel_doget),
            T(test_fetch_table_and_routes),
            T(test_stats_and_shared_lifetime),
            T(test_shutdown_streams), /* last: it stops the main server */
        };
        rc = check_main(tests, sizeof tests / sizeof tests[0]);
    }
    grpc_channel_destroy(g_main);
    grpc_channel_destroy(g_psk_ch);
    grpc_channel_destroy(g_short);
    grpc_shutdown();
    return rc;
}
