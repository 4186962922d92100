/* SPDX-License-Identifier: MIT */
/* itest_stock: what a stock Deephaven client (pydeephaven, the JS API, pyarrow Flight)
 * asks of the demo server (docs/PROTOCOL.md, A server a stock client can use): scope
 * tickets s/<name> for DoGet and ExportFromTicket, Flight Handshake, GetFlightInfo,
 * GetSchema and ListFlights for ["scope", name] descriptors, compared with what DoGet
 * sends; full-table and reverse-viewport Barrage subscriptions of the ticking `quotes`,
 * whose rows must match forward snapshots of the same table positions.
 * Usage: itest_stock PORT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "check.h"
#include "deephaven_core/proto/config.pb-c.h"
#include "deephaven_core/proto/session.pb-c.h"
#include "dh_arrow.h"
#include "dh_barrage.h"
#include "dh_rowset.h"
#include "dh_transport.h"
#include "exchange_read.h"

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
    struct dh_stream *s = dh_stream_open(c->ch, c->bearer, DH_M_DO_GET, &t.base,
                                         DH_STREAM_HALF_CLOSE, 30000, "DoGet", err);
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
    struct dh_stream *s = dh_stream_open(c->ch, c->bearer, DH_M_DO_GET, &t.base,
                                         DH_STREAM_HALF_CLOSE, 30000, "DoGet", &err);
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
    uint32_t n =
        (uint32_t)ipc[4] | (uint32_t)ipc[5] << 8 | (uint32_t)ipc[6] << 16 | (uint32_t)ipc[7] << 24;
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
    int rc =
        dh_call_unary(c->ch, c->bearer, M_FLIGHT_INFO, &d->base, 10000, &b, "GetFlightInfo", err);
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
    CHECK_INT(do_get_bytes(&c, "s/no_such_var", &scope, &scope_len, &scope_msgs, &err), DH_EGRPC);
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
    CHECK_INT(dh_call_unary(c.ch, c.bearer, DH_M_EXPORT_FROM_TICKET, &req.base, 10000, &b, "export",
                            &err),
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

static void test_flight_info_export(void)
{
    struct conn c, anon;
    struct dh_error err;
    CHECK_REQ(conn_open(&c, "Anonymous") == 0);
    /* export 1 = s/trades; ["export", "1"] names it, with the export ticket */
    Io__Deephaven__Proto__Backplane__Grpc__Ticket src =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    Io__Deephaven__Proto__Backplane__Grpc__Ticket res =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    uint8_t e1[5] = {'e', 1, 0, 0, 0};
    src.ticket.data = (uint8_t *)"s/trades";
    src.ticket.len = 8;
    res.ticket.data = e1;
    res.ticket.len = sizeof e1;
    Io__Deephaven__Proto__Backplane__Grpc__ExportRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__EXPORT_REQUEST__INIT;
    req.source_id = &src;
    req.result_id = &res;
    struct dh_buf b = {0};
    CHECK_REQ(dh_call_unary(c.ch, c.bearer, DH_M_EXPORT_FROM_TICKET, &req.base, 10000, &b, "export",
                            &err) == DH_OK);
    dh_buf_reset(&b);
    size_t dg_len = 0;
    uint8_t *dg = doget_schema(&c, "s/trades", &dg_len);
    CHECK_REQ(dg != NULL);
    char *one[2] = {"export", "1"}, *bad[2] = {"export", "x1"};
    Arrow__Flight__Protocol__FlightDescriptor d = path_desc(one, 2);
    Arrow__Flight__Protocol__FlightInfo *fi;
    CHECK_REQ(flight_info(&c, &d, &fi, &err) == DH_OK);
    CHECK(is_ipc_of(fi->schema.data, fi->schema.len, dg, dg_len));
    CHECK_REQ(fi->n_endpoint == 1 && fi->endpoint[0]->ticket);
    CHECK(fi->endpoint[0]->ticket->ticket.len == 5 &&
          memcmp(fi->endpoint[0]->ticket->ticket.data, e1, 5) == 0);
    CHECK_INT(fi->total_records, TRADES_ROWS);
    arrow__flight__protocol__flight_info__free_unpacked(fi, NULL);
    free(dg);
    d = path_desc(bad, 2);
    CHECK_INT(flight_info(&c, &d, &fi, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_FAILED_PRECONDITION);
    CHECK(strstr(err.msg, "export id not numeric (found: export/x1)") != NULL);
    /* exports need a session */
    CHECK_REQ(conn_open(&anon, NULL) == 0);
    d = path_desc(one, 2);
    CHECK_INT(flight_info(&anon, &d, &fi, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_UNAUTHENTICATED);
    CHECK(strstr(err.msg, "no exports can exist without a session") != NULL);
    conn_close(&anon);
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
    Arrow__Flight__Protocol__FlightDescriptor cmd =
        ARROW__FLIGHT__PROTOCOL__FLIGHT_DESCRIPTOR__INIT;
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

/* ---------------------------------------------------------------- subscriptions */

#define MAX_ROWS 16384
#define QUOTES_KEY 4 /* BidSize: with Timestamp (0), what identifies a quotes row */

/* One update as the client sees it: metadata and the added rows' values. */
struct upd {
    int is_snapshot, reverse, has_viewport, has_included, has_shifts;
    int64_t table_size;
    struct dh_rowset added, removed, viewport, included;
    int64_t nrows;
    int64_t ts[MAX_ROWS], key[MAX_ROWS];
};

/* What the client holds, in window order. */
struct contents {
    int64_t n;
    int64_t ts[MAX_ROWS], key[MAX_ROWS];
};

static struct upd g_u, g_snap;
static struct contents g_cs;

static void upd_reset(struct upd *u)
{
    dh_rowset_reset(&u->added);
    dh_rowset_reset(&u->removed);
    dh_rowset_reset(&u->viewport);
    dh_rowset_reset(&u->included);
    memset(u, 0, sizeof *u);
}

/* A subscription request: viewport [lo, hi] (hi < lo: none, a full subscription). */
static struct dh_stream *subscribe(struct conn *c, const char *ticket, int64_t lo, int64_t hi,
                                   int reverse)
{
    struct dh_barrage_subscription_request r;
    memset(&r, 0, sizeof r);
    uint8_t *vp = NULL, *meta = NULL;
    size_t vp_len = 0, len = 0;
    if (hi >= lo && dh_rowset_encode_range(lo, hi, &vp, &vp_len, NULL) != DH_OK)
        return NULL;
    r.ticket = (const uint8_t *)ticket;
    r.ticket_len = strlen(ticket);
    r.viewport = vp;
    r.viewport_len = vp_len;
    r.reverse_viewport = reverse;
    r.min_update_interval_ms = 250;
    r.use_deephaven_nulls = 1;
    int rc = dh_barrage_encode_subscription_request(&r, &meta, &len, NULL);
    free(vp);
    if (rc != DH_OK)
        return NULL;
    Arrow__Flight__Protocol__FlightData fd = ARROW__FLIGHT__PROTOCOL__FLIGHT_DATA__INIT;
    fd.app_metadata.data = meta;
    fd.app_metadata.len = len;
    struct dh_error err;
    struct dh_stream *s =
        dh_stream_open(c->ch, c->bearer, DH_M_DO_EXCHANGE, &fd.base, 0, 0, "subscribe", &err);
    free(meta);
    return s;
}

/* Take one batch's rows (Timestamp and BidSize) into u. */
static int take_batch(const struct dh_schema *schema, const Arrow__Flight__Protocol__FlightData *fd,
                      struct upd *u)
{
    struct dh_batch b;
    struct dh_error err;
    dh_batch_init(&b);
    if (dh_batch_decode(schema, fd->data_header.data, fd->data_header.len, fd->data_body.data,
                        fd->data_body.len, &b, &err) != DH_OK) {
        fprintf(stderr, "batch: %s\n", err.msg);
        return -1;
    }
    for (int64_t r = 0; r < b.length; r++, u->nrows++) {
        if (u->nrows >= MAX_ROWS)
            continue;
        u->ts[u->nrows] = dh_column_get_i64(&b.columns[0], r);
        u->key[u->nrows] = dh_column_get_i64(&b.columns[QUOTES_KEY], r);
    }
    dh_batch_reset(&b);
    return 0;
}

/* Read one update: metadata, then batches until every row of its data came (the
 * included rows of a full subscription's snapshot, else the added ones). */
static int read_update(struct dh_stream *s, const struct dh_schema *schema, struct upd *u,
                       struct dh_error *err)
{
    upd_reset(u);
    Arrow__Flight__Protocol__FlightData *fd;
    int rc = read_fd(s, &fd, err);
    if (rc != DH_OK)
        return rc;
    struct dh_barrage_update m;
    if (dh_barrage_decode_update(fd->app_metadata.data, fd->app_metadata.len, &m, err) != DH_OK ||
        !m.added_rows || !m.removed_rows ||
        dh_rowset_decode(m.added_rows, m.added_rows_len, &u->added, err) != DH_OK ||
        dh_rowset_decode(m.removed_rows, m.removed_rows_len, &u->removed, err) != DH_OK ||
        (m.effective_viewport && dh_rowset_decode(m.effective_viewport, m.effective_viewport_len,
                                                  &u->viewport, err) != DH_OK) ||
        (m.added_rows_included && dh_rowset_decode(m.added_rows_included, m.added_rows_included_len,
                                                   &u->included, err) != DH_OK)) {
        arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
        return DH_EINVAL;
    }
    u->is_snapshot = m.is_snapshot;
    u->reverse = m.effective_reverse_viewport;
    u->has_viewport = m.effective_viewport != NULL;
    u->has_included = m.added_rows_included != NULL;
    u->has_shifts = m.shift_data != NULL;
    u->table_size = m.has_table_size ? m.table_size : -1;
    int64_t want = u->has_included ? u->included.size : u->added.size;
    rc = take_batch(schema, fd, u) == 0 ? DH_OK : DH_EINVAL;
    arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    while (rc == DH_OK && u->nrows < want) {
        rc = read_fd(s, &fd, err);
        if (rc != DH_OK)
            return rc;
        if (fd->app_metadata.len != 0 || take_batch(schema, fd, u) != 0)
            rc = DH_EINVAL;
        arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    }
    return rc == DH_OK && u->nrows == want ? DH_OK : DH_EINVAL;
}

/* A forward type-7 snapshot of quotes' positions [lo, hi] into u (nrows rows). */
static int snapshot(struct conn *c, int64_t lo, int64_t hi, struct upd *u)
{
    struct dh_barrage_snapshot_request r;
    memset(&r, 0, sizeof r);
    uint8_t *vp = NULL, *meta = NULL;
    size_t vp_len = 0, meta_len = 0;
    upd_reset(u);
    if (dh_rowset_encode_range(lo, hi, &vp, &vp_len, NULL) != DH_OK)
        return -1;
    r.ticket = (const uint8_t *)"s/quotes";
    r.ticket_len = 8;
    r.viewport = vp;
    r.viewport_len = vp_len;
    r.use_deephaven_nulls = 1;
    int rc = dh_barrage_encode_snapshot_request(&r, &meta, &meta_len, NULL) == DH_OK ? 0 : -1;
    free(vp);
    if (rc != 0)
        return -1;
    Arrow__Flight__Protocol__FlightData fd0 = ARROW__FLIGHT__PROTOCOL__FLIGHT_DATA__INIT;
    fd0.app_metadata.data = meta;
    fd0.app_metadata.len = meta_len;
    struct dh_error err;
    struct dh_stream *s = dh_stream_open(c->ch, c->bearer, DH_M_DO_EXCHANGE, &fd0.base,
                                         DH_STREAM_HALF_CLOSE, 30000, "snapshot", &err);
    free(meta);
    struct dh_schema schema;
    dh_schema_init(&schema);
    rc = s && read_schema(s, &schema) == 0 ? 0 : -1;
    for (;;) {
        Arrow__Flight__Protocol__FlightData *fd;
        int r2 = rc == 0 ? read_fd(s, &fd, &err) : DH_EINVAL;
        if (r2 == DH_END)
            break;
        if (r2 != DH_OK) {
            rc = -1;
            break;
        }
        if (take_batch(&schema, fd, u) != 0)
            rc = -1;
        arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    }
    dh_stream_free(s);
    dh_schema_reset(&schema);
    return rc;
}

/* Apply a viewport update (positions): WebColumnData.applyUpdate. A full subscription's
 * keys are positions too (its window is the whole flat table). */
static void apply(struct contents *cs, const struct upd *u)
{
    static struct contents out;
    int64_t src = 0, k = 0, newn = cs->n - u->removed.size + u->added.size;
    for (int64_t dst = 0; dst < newn && dst < MAX_ROWS; dst++) {
        while (dh_rowset_contains(&u->removed, src))
            src++;
        if (dh_rowset_contains(&u->added, dst)) {
            out.ts[dst] = u->ts[k];
            out.key[dst] = u->key[k++];
        } else {
            out.ts[dst] = cs->ts[src];
            out.key[dst] = cs->key[src++];
        }
    }
    out.n = newn;
    memcpy(cs, &out, sizeof out);
}

/* The held rows equal a forward snapshot of table positions [lo, lo + n). */
static int matches_table(struct conn *c, const struct contents *cs, int64_t lo)
{
    if (cs->n == 0 || snapshot(c, lo, lo + cs->n - 1, &g_snap) != 0 || g_snap.nrows != cs->n)
        return 0;
    for (int64_t i = 0; i < cs->n; i++)
        if (cs->ts[i] != g_snap.ts[i] || cs->key[i] != g_snap.key[i]) {
            fprintf(stderr, "  row %lld differs from table position %lld\n", (long long)i,
                    (long long)(lo + i));
            return 0;
        }
    return 1;
}

static void test_full_subscription(void)
{
    struct conn c;
    struct dh_error err;
    CHECK_REQ(conn_open(&c, "Anonymous") == 0);
    struct dh_stream *s = subscribe(&c, "s/quotes", 0, -1, 0);
    CHECK_REQ(s != NULL);
    struct dh_schema schema;
    dh_schema_init(&schema);
    CHECK_REQ(read_schema(s, &schema) == 0);
    /* the initial snapshot: every row by key, included, no viewport, (empty) shifts */
    CHECK_REQ(read_update(s, &schema, &g_u, &err) == DH_OK);
    CHECK(g_u.is_snapshot && !g_u.has_viewport && !g_u.reverse && g_u.has_shifts);
    CHECK(g_u.table_size > 0);
    CHECK(rowset_is(&g_u.added, 0, g_u.table_size - 1));
    CHECK(rowset_is(&g_u.included, 0, g_u.table_size - 1));
    CHECK(rowset_is(&g_u.removed, 0, -1));
    CHECK_INT(g_u.nrows, g_u.table_size);
    g_cs.n = 0;
    apply(&g_cs, &g_u);
    /* growth arrives as added keys at the end, for 2 s */
    int updates = 0;
    for (int64_t t0 = 0; t0 < 8; t0++) {
        int64_t before = g_cs.n;
        CHECK_REQ(read_update(s, &schema, &g_u, &err) == DH_OK);
        CHECK(!g_u.is_snapshot && g_u.has_shifts && !g_u.has_included);
        CHECK(rowset_is(&g_u.removed, 0, -1));
        CHECK(rowset_is(&g_u.added, before, g_u.table_size - 1));
        apply(&g_cs, &g_u);
        CHECK_INT(g_cs.n, g_u.table_size);
        updates += g_u.added.size > 0;
    }
    CHECK(updates > 0);
    CHECK(matches_table(&c, &g_cs, 0));
    /* a full subscription cannot become a viewport one */
    struct dh_barrage_subscription_request r;
    memset(&r, 0, sizeof r);
    uint8_t *vp = NULL, *meta = NULL;
    size_t vp_len = 0, len = 0;
    CHECK_REQ(dh_rowset_encode_range(0, 4, &vp, &vp_len, NULL) == DH_OK);
    r.viewport = vp;
    r.viewport_len = vp_len;
    CHECK_REQ(dh_barrage_encode_subscription_request(&r, &meta, &len, NULL) == DH_OK);
    free(vp);
    Arrow__Flight__Protocol__FlightData fd = ARROW__FLIGHT__PROTOCOL__FLIGHT_DATA__INIT;
    fd.app_metadata.data = meta;
    fd.app_metadata.len = len;
    CHECK_REQ(dh_stream_write(s, &fd.base, &err) == DH_OK);
    free(meta);
    int rc;
    do {
        rc = read_update(s, &schema, &g_u, &err);
    } while (rc == DH_OK);
    CHECK_INT(rc, DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_INVALID_ARGUMENT);
    CHECK(strstr(err.msg, "cannot change from full subscription to viewport") != NULL);
    dh_stream_free(s);
    dh_schema_reset(&schema);
    conn_close(&c);
}

/* The reverse window: longer than the 10 rows quotes gains per tick, so it slides. */
#define REV_W 25

static void test_reverse_viewport(void)
{
    struct conn c;
    struct dh_error err;
    CHECK_REQ(conn_open(&c, "Anonymous") == 0);
    struct dh_stream *s = subscribe(&c, "s/quotes", 0, REV_W - 1, 1);
    CHECK_REQ(s != NULL);
    struct dh_schema schema;
    dh_schema_init(&schema);
    CHECK_REQ(read_schema(s, &schema) == 0);
    /* the last REV_W rows in table order, the request echoed */
    CHECK_REQ(read_update(s, &schema, &g_u, &err) == DH_OK);
    CHECK(g_u.is_snapshot && g_u.reverse && g_u.has_viewport && !g_u.has_shifts);
    CHECK(rowset_is(&g_u.viewport, 0, REV_W - 1));
    CHECK_REQ(g_u.table_size >= REV_W);
    CHECK(rowset_is(&g_u.added, 0, REV_W - 1));
    CHECK(rowset_is(&g_u.removed, 0, -1));
    g_cs.n = 0;
    apply(&g_cs, &g_u);
    CHECK(matches_table(&c, &g_cs, g_u.table_size - REV_W));
    /* as quotes grows the window slides: the oldest rows leave at its start, the new
     * ones join at its end; it always holds the last REV_W */
    int slid = 0;
    for (int i = 0; i < 8; i++) {
        int64_t size0 = g_u.table_size;
        CHECK_REQ(read_update(s, &schema, &g_u, &err) == DH_OK);
        CHECK(!g_u.is_snapshot && g_u.reverse);
        int64_t k = g_u.table_size - size0;
        if (k > 0 && k < REV_W) {
            CHECK(rowset_is(&g_u.removed, 0, k - 1));
            CHECK(rowset_is(&g_u.added, REV_W - k, REV_W - 1));
            slid++;
        }
        apply(&g_cs, &g_u);
        CHECK_INT(g_cs.n, REV_W);
    }
    CHECK(slid > 0);
    CHECK(matches_table(&c, &g_cs, g_u.table_size - REV_W));
    /* changing to a forward viewport on the same stream: a snapshot of positions 0..4 */
    struct dh_barrage_subscription_request r;
    memset(&r, 0, sizeof r);
    uint8_t *vp = NULL, *meta = NULL;
    size_t vp_len = 0, len = 0;
    CHECK_REQ(dh_rowset_encode_range(0, 4, &vp, &vp_len, NULL) == DH_OK);
    r.viewport = vp;
    r.viewport_len = vp_len;
    r.use_deephaven_nulls = 1;
    CHECK_REQ(dh_barrage_encode_subscription_request(&r, &meta, &len, NULL) == DH_OK);
    free(vp);
    Arrow__Flight__Protocol__FlightData fd = ARROW__FLIGHT__PROTOCOL__FLIGHT_DATA__INIT;
    fd.app_metadata.data = meta;
    fd.app_metadata.len = len;
    CHECK_REQ(dh_stream_write(s, &fd.base, &err) == DH_OK);
    free(meta);
    int guard = 0;
    do {
        CHECK_REQ(read_update(s, &schema, &g_u, &err) == DH_OK);
        if (!g_u.is_snapshot)
            apply(&g_cs, &g_u);
    } while (!g_u.is_snapshot && ++guard < 200);
    CHECK(!g_u.reverse && rowset_is(&g_u.viewport, 0, 4) && rowset_is(&g_u.removed, 0, REV_W - 1));
    apply(&g_cs, &g_u);
    CHECK_INT(g_cs.n, 5);
    CHECK(matches_table(&c, &g_cs, 0));
    CHECK(dh_stream_writes_done(s, &err) == DH_OK);
    dh_stream_free(s);
    dh_schema_reset(&schema);
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
              T(test_flight_info_refused), T(test_flight_info_export), T(test_list_flights),
              T(test_handshake), T(test_full_subscription), T(test_reverse_viewport));
}
