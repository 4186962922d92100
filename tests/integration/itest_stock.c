/* SPDX-License-Identifier: MIT */
/* itest_stock: what a stock Deephaven client (pydeephaven, the JS API, pyarrow Flight)
 * asks of the demo server (docs/PROTOCOL.md, A server a stock client can use): scope
 * tickets s/<name> for DoGet and ExportFromTicket, Flight Handshake, GetFlightInfo,
 * GetSchema and ListFlights for ["scope", name] descriptors, compared with what DoGet
 * sends. Usage: itest_stock PORT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "check.h"
#include "deephaven_core/proto/config.pb-c.h"
#include "deephaven_core/proto/session.pb-c.h"
#include "dh_transport.h"

#define M_HANDSHAKE "/arrow.flight.protocol.FlightService/Handshake"
#define M_FLIGHT_INFO "/arrow.flight.protocol.FlightService/GetFlightInfo"
#define M_SCHEMA "/arrow.flight.protocol.FlightService/GetSchema"
#define M_LIST_FLIGHTS "/arrow.flight.protocol.FlightService/ListFlights"
#define TRADES_ROWS 5000 /* test_stock.sh starts the server with --rows 5000 */

static char g_target[64];

/* One connection and session. */
struct conn {
    struct dh_channel *ch;
    struct dh_bearer *bearer;
};

/* Open a channel and log in with auth (NULL: no session; the bearer is empty). */
static int conn_open(struct conn *c, const char *auth)
{
    struct dh_channel_options o = {.target = g_target};
    struct dh_error err;
    c->ch = dh_channel_new(&o, &err);
    c->bearer = dh_bearer_new(auth ? auth : "");
    if (!c->ch || !c->bearer)
        return -1;
    if (!auth)
        return 0;
    Io__Deephaven__Proto__Backplane__Grpc__ConfigurationConstantsRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONFIGURATION_CONSTANTS_REQUEST__INIT;
    struct dh_buf resp = {0};
    int rc = dh_call_unary(c->ch, c->bearer, DH_M_GET_CONFIGURATION_CONSTANTS, &req.base, 10000,
                           &resp, "login", &err);
    dh_buf_reset(&resp);
    if (rc != DH_OK)
        fprintf(stderr, "login: %s\n", err.msg);
    return rc == DH_OK && dh_bearer_generation(c->bearer) > 0 ? 0 : -1;
}

static void conn_close(struct conn *c)
{
    dh_channel_free(c->ch);
    dh_bearer_free(c->bearer);
}

/* Every message of a DoGet of ticket, packed FlightData back to back with a 4-byte
 * length before each (malloc'd into *out). DH_OK or the call's error. */
static int do_get_bytes(struct conn *c, const char *ticket, uint8_t **out, size_t *out_len,
                        size_t *msgs, struct dh_error *err)
{
    Arrow__Flight__Protocol__Ticket t = ARROW__FLIGHT__PROTOCOL__TICKET__INIT;
    t.ticket.data = (uint8_t *)ticket;
    t.ticket.len = strlen(ticket);
    *out = NULL;
    *out_len = 0;
    *msgs = 0;
    struct dh_stream *s =
        dh_stream_open(c->ch, c->bearer, DH_M_DO_GET, &t.base, DH_STREAM_HALF_CLOSE, 30000,
                       "DoGet", err);
    if (!s)
        return DH_EINVAL;
    int rc;
    for (;;) {
        struct dh_buf b = {0};
        rc = dh_stream_read(s, &b, err);
        if (rc != DH_OK)
            break;
        uint8_t *grown = realloc(*out, *out_len + 4 + b.len);
        if (!grown) {
            dh_buf_reset(&b);
            rc = DH_ENOMEM;
            break;
        }
        *out = grown;
        uint32_t n = (uint32_t)b.len;
        memcpy(*out + *out_len, &n, 4);
        memcpy(*out + *out_len + 4, b.data, b.len);
        *out_len += 4 + b.len;
        (*msgs)++;
        dh_buf_reset(&b);
    }
    dh_stream_free(s);
    return rc == DH_END ? DH_OK : rc;
}

/* The data_header of the first FlightData of a DoGet (the Schema message), malloc'd. */
static uint8_t *doget_schema(struct conn *c, const char *ticket, size_t *len)
{
    Arrow__Flight__Protocol__Ticket t = ARROW__FLIGHT__PROTOCOL__TICKET__INIT;
    t.ticket.data = (uint8_t *)ticket;
    t.ticket.len = strlen(ticket);
    struct dh_error err;
    struct dh_stream *s =
        dh_stream_open(c->ch, c->bearer, DH_M_DO_GET, &t.base, DH_STREAM_HALF_CLOSE, 30000,
                       "DoGet", &err);
    if (!s)
        return NULL;
    struct dh_buf b = {0};
    uint8_t *out = NULL;
    if (dh_stream_read(s, &b, &err) == DH_OK) {
        Arrow__Flight__Protocol__FlightData *fd =
            arrow__flight__protocol__flight_data__unpack(NULL, b.len, b.data);
        if (fd && fd->data_header.len > 0 && (out = malloc(fd->data_header.len)) != NULL) {
            memcpy(out, fd->data_header.data, fd->data_header.len);
            *len = fd->data_header.len;
        }
        if (fd)
            arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    }
    dh_buf_reset(&b);
    dh_stream_free(s); /* cancels the rest */
    return out;
}

/* Whether ipc is the Arrow IPC framing of msg: 0xFFFFFFFF, the little-endian length,
 * the message, zero padding to a multiple of 8. */
static int is_ipc_of(const uint8_t *ipc, size_t ipc_len, const uint8_t *msg, size_t len)
{
    size_t padded = (len + 7) / 8 * 8;
    if (ipc_len != 8 + padded)
        return 0;
    static const uint8_t cont[4] = {0xff, 0xff, 0xff, 0xff};
    uint32_t n = (uint32_t)ipc[4] | (uint32_t)ipc[5] << 8 | (uint32_t)ipc[6] << 16 |
                 (uint32_t)ipc[7] << 24;
    if (memcmp(ipc, cont, 4) != 0 || n != len || memcmp(ipc + 8, msg, len) != 0)
        return 0;
    for (size_t i = 8 + len; i < ipc_len; i++)
        if (ipc[i] != 0)
            return 0;
    return 1;
}

/* A PATH descriptor of up to three parts. */
static Arrow__Flight__Protocol__FlightDescriptor path_desc(char **parts, size_t n)
{
    Arrow__Flight__Protocol__FlightDescriptor d = ARROW__FLIGHT__PROTOCOL__FLIGHT_DESCRIPTOR__INIT;
    d.type = ARROW__FLIGHT__PROTOCOL__FLIGHT_DESCRIPTOR__DESCRIPTOR_TYPE__PATH;
    d.n_path = n;
    d.path = parts;
    return d;
}

/* GetFlightInfo of d: DH_OK with *fi (free it), or the error. */
static int flight_info(struct conn *c, const Arrow__Flight__Protocol__FlightDescriptor *d,
                       Arrow__Flight__Protocol__FlightInfo **fi, struct dh_error *err)
{
    struct dh_buf b = {0};
    *fi = NULL;
    int rc = dh_call_unary(c->ch, c->bearer, M_FLIGHT_INFO, &d->base, 10000, &b, "GetFlightInfo",
                           err);
    if (rc == DH_OK) {
        *fi = arrow__flight__protocol__flight_info__unpack(NULL, b.len, b.data);
        rc = *fi ? DH_OK : DH_EINVAL;
    }
    dh_buf_reset(&b);
    return rc;
}

/* GetSchema of d: DH_OK with *sr (free it), or the error. */
static int get_schema(struct conn *c, const Arrow__Flight__Protocol__FlightDescriptor *d,
                      Arrow__Flight__Protocol__SchemaResult **sr, struct dh_error *err)
{
    struct dh_buf b = {0};
    *sr = NULL;
    int rc = dh_call_unary(c->ch, c->bearer, M_SCHEMA, &d->base, 10000, &b, "GetSchema", err);
    if (rc == DH_OK) {
        *sr = arrow__flight__protocol__schema_result__unpack(NULL, b.len, b.data);
        rc = *sr ? DH_OK : DH_EINVAL;
    }
    dh_buf_reset(&b);
    return rc;
}

/* ---------------------------------------------------------------- tests */

static void test_scope_ticket_doget(void)
{
    struct conn c;
    struct dh_error err;
    CHECK_REQ(conn_open(&c, "Anonymous") == 0);
    uint8_t *scope = NULL, *app = NULL;
    size_t scope_len = 0, app_len = 0, scope_msgs = 0, app_msgs = 0;
    /* the same bytes through the scope ticket and the application ticket */
    CHECK_INT(do_get_bytes(&c, "s/trades", &scope, &scope_len, &scope_msgs, &err), DH_OK);
    CHECK_INT(do_get_bytes(&c, "a/demo/f/trades", &app, &app_len, &app_msgs, &err), DH_OK);
    CHECK(scope_msgs >= 2); /* schema and batches */
    CHECK_INT(scope_msgs, app_msgs);
    CHECK(scope_len == app_len && scope_len > 0 && memcmp(scope, app, scope_len) == 0);
    free(scope);
    free(app);
    /* an unknown variable: ScopeTicketResolver's NOT_FOUND */
    CHECK_INT(do_get_bytes(&c, "s/no_such_var", &scope, &scope_len, &scope_msgs, &err),
              DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_NOT_FOUND);
    CHECK(strstr(err.msg, "variable 'no_such_var' not found") != NULL);
    free(scope);
    /* ExportFromTicket of a scope ticket (pydeephaven's open_table) */
    Io__Deephaven__Proto__Backplane__Grpc__Ticket src =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    Io__Deephaven__Proto__Backplane__Grpc__Ticket res =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    uint8_t e1[5] = {'e', 1, 0, 0, 0};
    src.ticket.data = (uint8_t *)"s/quotes";
    src.ticket.len = 8;
    res.ticket.data = e1;
    res.ticket.len = sizeof e1;
    Io__Deephaven__Proto__Backplane__Grpc__ExportRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__EXPORT_REQUEST__INIT;
    req.source_id = &src;
    req.result_id = &res;
    struct dh_buf b = {0};
    CHECK_INT(dh_call_unary(c.ch, c.bearer, DH_M_EXPORT_FROM_TICKET, &req.base, 10000, &b,
                            "export", &err),
              DH_OK);
    dh_buf_reset(&b);
    conn_close(&c);
}

static void test_flight_info_and_schema(void)
{
    struct conn c;
    struct dh_error err;
    CHECK_REQ(conn_open(&c, "Anonymous") == 0);
    size_t dg_len = 0;
    uint8_t *dg = doget_schema(&c, "s/trades", &dg_len);
    CHECK_REQ(dg != NULL);
    char *trades[2] = {"scope", "trades"};
    Arrow__Flight__Protocol__FlightDescriptor d = path_desc(trades, 2);
    Arrow__Flight__Protocol__FlightInfo *fi;
    CHECK_REQ(flight_info(&c, &d, &fi, &err) == DH_OK);
    CHECK(is_ipc_of(fi->schema.data, fi->schema.len, dg, dg_len));
    CHECK(fi->flight_descriptor && fi->flight_descriptor->n_path == 2 &&
          strcmp(fi->flight_descriptor->path[1], "trades") == 0);
    CHECK_REQ(fi->n_endpoint == 1 && fi->endpoint[0]->ticket);
    CHECK(fi->endpoint[0]->ticket->ticket.len == 8 &&
          memcmp(fi->endpoint[0]->ticket->ticket.data, "s/trades", 8) == 0);
    CHECK_INT(fi->total_records, TRADES_ROWS);
    CHECK_INT(fi->total_bytes, -1);
    arrow__flight__protocol__flight_info__free_unpacked(fi, NULL);
    Arrow__Flight__Protocol__SchemaResult *sr;
    CHECK_REQ(get_schema(&c, &d, &sr, &err) == DH_OK);
    CHECK(is_ipc_of(sr->schema.data, sr->schema.len, dg, dg_len));
    arrow__flight__protocol__schema_result__free_unpacked(sr, NULL);
    free(dg);
    /* a ticking table: its row count is unknown (-1); its schema is still DoGet's */
    dg = doget_schema(&c, "s/quotes", &dg_len);
    CHECK_REQ(dg != NULL);
    char *quotes[2] = {"scope", "quotes"};
    d = path_desc(quotes, 2);
    CHECK_REQ(flight_info(&c, &d, &fi, &err) == DH_OK);
    CHECK_INT(fi->total_records, -1);
    CHECK(is_ipc_of(fi->schema.data, fi->schema.len, dg, dg_len));
    arrow__flight__protocol__flight_info__free_unpacked(fi, NULL);
    free(dg);
    conn_close(&c);
}

/* A descriptor the server refuses with code and a message holding text. */
static void expect_info_refused(struct conn *c, const Arrow__Flight__Protocol__FlightDescriptor *d,
                                int code, const char *text)
{
    struct dh_error err;
    Arrow__Flight__Protocol__FlightInfo *fi;
    Arrow__Flight__Protocol__SchemaResult *sr;
    CHECK_INT(flight_info(c, d, &fi, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, code);
    if (!strstr(err.msg, text))
        fprintf(stderr, "  GetFlightInfo said: %s\n", err.msg);
    CHECK(strstr(err.msg, text) != NULL);
    CHECK_INT(get_schema(c, d, &sr, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, code);
    CHECK(strstr(err.msg, text) != NULL);
}

static void test_flight_info_refused(void)
{
    struct conn c;
    CHECK_REQ(conn_open(&c, "Anonymous") == 0);
    char *nope[2] = {"scope", "nope"}, *fig[2] = {"scope", "price_plot"};
    char *other[2] = {"nowhere", "trades"}, *longer[3] = {"scope", "trades", "x"};
    Arrow__Flight__Protocol__FlightDescriptor d = path_desc(nope, 2);
    expect_info_refused(&c, &d, DH_GRPC_NOT_FOUND, "variable 'nope' not found");
    d = path_desc(fig, 2); /* not a table */
    expect_info_refused(&c, &d, DH_GRPC_NOT_FOUND, "variable 'price_plot' not found");
    d = path_desc(other, 2);
    expect_info_refused(&c, &d, DH_GRPC_FAILED_PRECONDITION,
                        "no resolver for path route 'nowhere'");
    d = path_desc(longer, 3);
    expect_info_refused(&c, &d, DH_GRPC_FAILED_PRECONDITION,
                        "unexpected path length (found: scope/trades/x, expected: 2)");
    d = path_desc(NULL, 0);
    expect_info_refused(&c, &d, DH_GRPC_FAILED_PRECONDITION,
                        "flight descriptor does not have route path");
    Arrow__Flight__Protocol__FlightDescriptor cmd = ARROW__FLIGHT__PROTOCOL__FLIGHT_DESCRIPTOR__INIT;
    cmd.type = ARROW__FLIGHT__PROTOCOL__FLIGHT_DESCRIPTOR__DESCRIPTOR_TYPE__CMD;
    cmd.cmd.data = (uint8_t *)"SELECT 1";
    cmd.cmd.len = 8;
    expect_info_refused(&c, &cmd, DH_GRPC_FAILED_PRECONDITION, "no resolver for command");
    conn_close(&c);
}

/* ListFlights with criteria expr: the descriptors' names joined by ' ' into names;
 * DH_OK or the error. */
static int list_flights(struct conn *c, const char *expr, char *names, size_t cap,
                        struct dh_error *err)
{
    Arrow__Flight__Protocol__Criteria cr = ARROW__FLIGHT__PROTOCOL__CRITERIA__INIT;
    cr.expression.data = (uint8_t *)expr;
    cr.expression.len = strlen(expr);
    names[0] = '\0';
    struct dh_stream *s = dh_stream_open(c->ch, c->bearer, M_LIST_FLIGHTS, &cr.base,
                                         DH_STREAM_HALF_CLOSE, 10000, "ListFlights", err);
    if (!s)
        return DH_EINVAL;
    int rc;
    for (;;) {
        struct dh_buf b = {0};
        rc = dh_stream_read(s, &b, err);
        if (rc != DH_OK)
            break;
        Arrow__Flight__Protocol__FlightInfo *fi =
            arrow__flight__protocol__flight_info__unpack(NULL, b.len, b.data);
        dh_buf_reset(&b);
        if (!fi)
            continue;
        if (fi->flight_descriptor && fi->flight_descriptor->n_path == 2 &&
            strcmp(fi->flight_descriptor->path[0], "scope") == 0) {
            size_t o = strlen(names);
            snprintf(names + o, cap - o, "%s%s", o ? " " : "", fi->flight_descriptor->path[1]);
        }
        arrow__flight__protocol__flight_info__free_unpacked(fi, NULL);
    }
    dh_stream_free(s);
    return rc == DH_END ? DH_OK : rc;
}

static void test_list_flights(void)
{
    struct conn c, anon;
    struct dh_error err;
    char names[1024];
    CHECK_REQ(conn_open(&c, "Anonymous") == 0);
    CHECK_INT(list_flights(&c, "", names, sizeof names, &err), DH_OK);
    CHECK(strstr(names, "trades") != NULL && strstr(names, "quotes") != NULL);
    CHECK(strstr(names, "price_plot") == NULL); /* tables only */
    CHECK_INT(list_flights(&c, "x", names, sizeof names, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_INVALID_ARGUMENT);
    CHECK(strstr(err.msg, "Criteria expressions are not supported") != NULL);
    /* without a session nothing is listed */
    CHECK_REQ(conn_open(&anon, NULL) == 0);
    CHECK_INT(list_flights(&anon, "", names, sizeof names, &err), DH_OK);
    CHECK_STR(names, "");
    conn_close(&anon);
    conn_close(&c);
}

/* A Handshake with a WrappedAuthenticationRequest of type and payload; DH_OK with the
 * response payload in out, or the error. */
static int handshake_wrapped(struct conn *c, const char *type, const char *payload, char *out,
                             size_t cap, struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__WrappedAuthenticationRequest w =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__WRAPPED_AUTHENTICATION_REQUEST__INIT;
    w.type = (char *)type;
    w.payload.data = (uint8_t *)payload;
    w.payload.len = strlen(payload);
    uint8_t buf[512];
    size_t n = protobuf_c_message_pack(&w.base, buf);
    Arrow__Flight__Protocol__HandshakeRequest hr = ARROW__FLIGHT__PROTOCOL__HANDSHAKE_REQUEST__INIT;
    hr.payload.data = buf;
    hr.payload.len = n;
    out[0] = '\0';
    struct dh_stream *s = dh_stream_open(c->ch, c->bearer, M_HANDSHAKE, &hr.base,
                                         DH_STREAM_HALF_CLOSE, 10000, "Handshake", err);
    if (!s)
        return DH_EINVAL;
    int rc, msgs = 0;
    for (;;) {
        struct dh_buf b = {0};
        rc = dh_stream_read(s, &b, err);
        if (rc != DH_OK)
            break;
        Arrow__Flight__Protocol__HandshakeResponse *r =
            arrow__flight__protocol__handshake_response__unpack(NULL, b.len, b.data);
        dh_buf_reset(&b);
        if (r && r->payload.len < cap) {
            memcpy(out, r->payload.data, r->payload.len);
            out[r->payload.len] = '\0';
        }
        if (r)
            arrow__flight__protocol__handshake_response__free_unpacked(r, NULL);
        msgs++;
    }
    dh_stream_free(s);
    if (rc == DH_END && msgs == 0)
        snprintf(out, cap, "(no message)");
    return rc == DH_END ? DH_OK : rc;
}

static void test_handshake(void)
{
    struct conn c, anon;
    struct dh_error err;
    char tok[256], bearer[300];
    /* a call whose header made the session: no message, OK on half-close */
    CHECK_REQ(conn_open(&c, "Anonymous") == 0);
    CHECK_INT(handshake_wrapped(&c, "Anonymous", "", tok, sizeof tok, &err), DH_OK);
    CHECK_STR(tok, "(no message)");
    /* no header: the wrapped request logs in and the reply is the session token */
    CHECK_REQ(conn_open(&anon, NULL) == 0);
    CHECK_INT(handshake_wrapped(&anon, "Anonymous", "", tok, sizeof tok, &err), DH_OK);
    CHECK_INT(strlen(tok), 36);
    /* the token works as a bearer, and renews through a Bearer handshake */
    snprintf(bearer, sizeof bearer, "Bearer %s", tok);
    dh_bearer_set(anon.bearer, bearer);
    Arrow__Flight__Protocol__FlightInfo *fi;
    char *trades[2] = {"scope", "trades"};
    Arrow__Flight__Protocol__FlightDescriptor d = path_desc(trades, 2);
    CHECK_INT(flight_info(&anon, &d, &fi, &err), DH_OK);
    if (fi)
        arrow__flight__protocol__flight_info__free_unpacked(fi, NULL);
    dh_bearer_set(anon.bearer, "");
    char again[256];
    CHECK_INT(handshake_wrapped(&anon, "Bearer", tok, again, sizeof again, &err), DH_OK);
    CHECK_STR(again, tok);
    /* an unknown type and a dead token (without a header: a reply's bearer was adopted) */
    dh_bearer_set(anon.bearer, "");
    CHECK_INT(handshake_wrapped(&anon, "NoSuchHandler", "x", tok, sizeof tok, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_UNAUTHENTICATED);
    CHECK(strstr(err.msg, "Authentication details invalid") != NULL);
    dh_bearer_set(anon.bearer, "");
    CHECK_INT(handshake_wrapped(&anon, "Bearer", "00000000-0000-0000-0000-000000000000", tok,
                                sizeof tok, &err),
              DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_UNAUTHENTICATED);
    CHECK(strstr(err.msg, "no authentication details provided") != NULL);
    conn_close(&anon);
    conn_close(&c);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: itest_stock PORT\n");
        return 2;
    }
    snprintf(g_target, sizeof g_target, "127.0.0.1:%s", argv[1]);
    CHECK_RUN(T(test_scope_ticket_doget), T(test_flight_info_and_schema),
              T(test_flight_info_refused), T(test_list_flights), T(test_handshake));
}
