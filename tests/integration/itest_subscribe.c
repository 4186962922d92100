/* SPDX-License-Identifier: MIT */
/* itest_subscribe: the demo server's Barrage viewport subscriptions (DoExchange type 5,
 * docs/PROTOCOL.md, Barrage) over raw dh_transport streams: the initial snapshot, updates of
 * the ticking `quotes`, a viewport change, a static table, half-close, session end and
 * the refused requests. Row values are checked against type-7 snapshots.
 * Usage: itest_subscribe PORT */
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

#define QUOTES "a/demo/f/quotes"
#define TRADES "a/demo/f/trades"
#define MAX_ROWS 4096

static char g_target[64];

/* One connection and session. */
struct conn {
    struct dh_channel *ch;
    struct dh_bearer *bearer;
};

/* One update as the client sees it: metadata and the added rows' values. */
struct upd {
    int is_snapshot;
    int64_t first_seq, last_seq;
    int has_table_size;
    int64_t table_size;
    struct dh_rowset added, removed, viewport;
    int has_viewport;
    uint8_t colset[16];
    size_t colset_len;
    size_t n_mods;
    int nbatches;
    int64_t nrows;
    int64_t ts[MAX_ROWS];  /* column 0 (Timestamp) of each added row */
    int64_t key[MAX_ROWS]; /* quotes: BidSize (4); trades: Id (6) */
    int64_t other_len;     /* total length of the columns not read (unrequested: 0) */
};

static void upd_init(struct upd *u)
{
    memset(u, 0, sizeof *u);
    dh_rowset_init(&u->added);
    dh_rowset_init(&u->removed);
    dh_rowset_init(&u->viewport);
}

static void upd_reset(struct upd *u)
{
    dh_rowset_reset(&u->added);
    dh_rowset_reset(&u->removed);
    dh_rowset_reset(&u->viewport);
    upd_init(u);
}

static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Open a channel and log in anonymously (the reply's bearer is adopted). */
static int conn_open(struct conn *c)
{
    struct dh_channel_options o = {.target = g_target};
    struct dh_error err;
    c->ch = dh_channel_new(&o, &err);
    c->bearer = dh_bearer_new("Anonymous");
    if (!c->ch || !c->bearer)
        return -1;
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

/* A FlightData carrying app_metadata only, packed by the stream. */
static int send_meta(struct dh_stream *s, uint8_t *meta, size_t len)
{
    Arrow__Flight__Protocol__FlightData fd = ARROW__FLIGHT__PROTOCOL__FLIGHT_DATA__INIT;
    fd.app_metadata.data = meta;
    fd.app_metadata.len = len;
    int rc = dh_stream_write(s, &fd.base, NULL);
    free(meta);
    return rc;
}

/* A subscription request's wrapper: viewport [lo, hi] (hi < lo: none), cols (NULL: all). */
static uint8_t *sub_request(const char *ticket, int64_t lo, int64_t hi, const uint8_t *cols,
                            size_t ncols, int reverse, size_t *len)
{
    struct dh_barrage_subscription_request r;
    memset(&r, 0, sizeof r);
    uint8_t *vp = NULL, *out = NULL;
    size_t vp_len = 0;
    if (hi >= lo && dh_rowset_encode_range(lo, hi, &vp, &vp_len, NULL) != DH_OK)
        return NULL;
    r.ticket = (const uint8_t *)ticket;
    r.ticket_len = ticket ? strlen(ticket) : 0;
    r.viewport = vp;
    r.viewport_len = vp_len;
    r.columns = cols;
    r.columns_len = ncols;
    r.reverse_viewport = reverse;
    r.min_update_interval_ms = 250;
    r.use_deephaven_nulls = 1;
    if (dh_barrage_encode_subscription_request(&r, &out, len, NULL) != DH_OK)
        out = NULL;
    free(vp);
    return out;
}

/* Open a DoExchange subscribing ticket's viewport [lo, hi]. */
static struct dh_stream *subscribe(struct conn *c, const char *ticket, int64_t lo, int64_t hi,
                                   const uint8_t *cols, size_t ncols, int reverse)
{
    size_t len;
    uint8_t *meta = sub_request(ticket, lo, hi, cols, ncols, reverse, &len);
    if (!meta)
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

/* Take one batch's rows into u (column 0 and key_col; other columns' lengths summed). */
static int take_batch(const struct dh_schema *schema, const Arrow__Flight__Protocol__FlightData *fd,
                      size_t key_col, struct upd *u)
{
    struct dh_batch b;
    struct dh_error err;
    dh_batch_init(&b);
    if (dh_batch_decode(schema, fd->data_header.data, fd->data_header.len, fd->data_body.data,
                        fd->data_body.len, &b, &err) != DH_OK) {
        fprintf(stderr, "batch: %s\n", err.msg);
        return -1;
    }
    int64_t n = b.length;
    for (int64_t r = 0; r < n; r++, u->nrows++) {
        if (u->nrows >= MAX_ROWS)
            continue; /* counted, not kept */
        u->ts[u->nrows] = b.columns[0].length > r ? dh_column_get_i64(&b.columns[0], r) : -1;
        u->key[u->nrows] =
            b.columns[key_col].length > r ? dh_column_get_i64(&b.columns[key_col], r) : -1;
    }
    for (size_t c = 1; c < b.n_columns && c < schema->n_fields; c++)
        if (c != key_col)
            u->other_len += b.columns[c].length;
    u->nbatches++;
    dh_batch_reset(&b);
    return 0;
}

/* Read one update: its metadata message, then batches until every added row came
 * (an update without rows is one 0-row batch). DH_OK, or the stream's end / error. */
static int read_update(struct dh_stream *s, const struct dh_schema *schema, size_t key_col,
                       struct upd *u, struct dh_error *err)
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
                                                  &u->viewport, err) != DH_OK)) {
        arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
        return DH_EINVAL;
    }
    u->is_snapshot = m.is_snapshot;
    u->first_seq = m.first_seq;
    u->last_seq = m.last_seq;
    u->has_table_size = m.has_table_size;
    u->table_size = m.table_size;
    u->has_viewport = m.effective_viewport != NULL;
    u->n_mods = m.n_mod_columns;
    if (m.effective_column_set && m.effective_column_set_len <= sizeof u->colset) {
        memcpy(u->colset, m.effective_column_set, m.effective_column_set_len);
        u->colset_len = m.effective_column_set_len;
    }
    if (m.shift_data || m.added_rows_included) /* never for viewports (docs/PROTOCOL.md) */
        rc = DH_EINVAL;
    if (rc == DH_OK)
        rc = take_batch(schema, fd, key_col, u) == 0 ? DH_OK : DH_EINVAL;
    arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    while (rc == DH_OK && u->nrows < u->added.size) {
        rc = read_fd(s, &fd, err);
        if (rc != DH_OK)
            return rc;
        if (fd->app_metadata.len != 0 || take_batch(schema, fd, key_col, u) != 0)
            rc = DH_EINVAL;
        arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    }
    return rc == DH_OK && u->nrows == u->added.size ? DH_OK : DH_EINVAL;
}

/* A type-7 snapshot of ticket's positions [lo, hi]: rows into u (added = their count). */
static int snapshot(struct conn *c, const char *ticket, int64_t lo, int64_t hi, size_t key_col,
                    struct upd *u)
{
    struct dh_barrage_snapshot_request r;
    memset(&r, 0, sizeof r);
    uint8_t *vp = NULL, *meta = NULL;
    size_t vp_len = 0, meta_len = 0;
    upd_reset(u);
    if (dh_rowset_encode_range(lo, hi, &vp, &vp_len, NULL) != DH_OK)
        return -1;
    r.ticket = (const uint8_t *)ticket;
    r.ticket_len = strlen(ticket);
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
        if (take_batch(&schema, fd, key_col, u) != 0)
            rc = -1;
        arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    }
    dh_stream_free(s);
    dh_schema_reset(&schema);
    return rc;
}

/* Read until the stream ends; returns the final code (DH_END = OK) and fills err. */
static int drain(struct dh_stream *s, struct dh_error *err)
{
    for (;;) {
        Arrow__Flight__Protocol__FlightData *fd;
        int rc = read_fd(s, &fd, err);
        if (rc != DH_OK)
            return rc;
        arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    }
}

/* Contents rows seen so far by a client of one viewport (position order). */
struct contents {
    int64_t n;
    int64_t ts[MAX_ROWS];
    int64_t key[MAX_ROWS];
};

/* Apply an update the way WebColumnData.applyUpdate does (no modifies ever come here). */
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

/* ---------------------------------------------------------------- tests */

static struct upd g_u, g_snap;
static struct contents g_cs;

static void test_quotes_viewport(void)
{
    struct conn c;
    struct dh_error err;
    CHECK_REQ(conn_open(&c) == 0);
    struct dh_stream *s = subscribe(&c, QUOTES, 0, 49, NULL, 0, 0);
    CHECK_REQ(s != NULL);
    struct dh_schema schema;
    dh_schema_init(&schema);
    CHECK_REQ(read_schema(s, &schema) == 0);
    CHECK_REQ(schema.n_fields == 6);
    /* the initial snapshot: positions [0, 50), all columns, table_size */
    CHECK_REQ(read_update(s, &schema, 4, &g_u, &err) == DH_OK);
    CHECK(g_u.is_snapshot);
    CHECK(g_u.has_viewport && rowset_is(&g_u.viewport, 0, 49));
    CHECK(rowset_is(&g_u.added, 0, 49));
    CHECK(rowset_is(&g_u.removed, 0, -1));
    CHECK(g_u.has_table_size && g_u.table_size >= 100);
    CHECK_INT(g_u.colset_len, 1);
    CHECK_INT(g_u.colset[0], 0x3f);
    CHECK_INT(g_u.n_mods, 6);
    CHECK_INT(g_u.nrows, 50);
    g_cs.n = 0;
    apply(&g_cs, &g_u);
    int64_t size0 = g_u.table_size, seq0 = g_u.last_seq;
    CHECK_REQ(snapshot(&c, QUOTES, 0, 49, 4, &g_snap) == 0);
    CHECK_INT(g_snap.nrows, 50);
    for (int64_t i = 0; i < 50 && i < g_snap.nrows; i++) {
        CHECK_INT(g_cs.ts[i], g_snap.ts[i]);
        CHECK_INT(g_cs.key[i], g_snap.key[i]);
    }
    /* updates within ~3 s: the viewport is full, so only table_size changes, with one
     * 0-row batch */
    int64_t t0 = ms_now();
    CHECK_REQ(read_update(s, &schema, 4, &g_u, &err) == DH_OK);
    CHECK(ms_now() - t0 < 3000);
    CHECK(!g_u.is_snapshot);
    CHECK(!g_u.has_viewport);
    CHECK(g_u.has_table_size && g_u.table_size > size0);
    CHECK(g_u.last_seq > seq0 && g_u.first_seq <= g_u.last_seq);
    CHECK(rowset_is(&g_u.added, 0, -1) && rowset_is(&g_u.removed, 0, -1));
    CHECK_INT(g_u.nbatches, 1);
    CHECK_INT(g_u.nrows, 0);
    int64_t size = g_u.table_size;

    /* change the viewport to run past the end: a snapshot removing all 50 old rows */
    int64_t lo = size - 5, hi = size + 44;
    size_t len;
    uint8_t *meta = sub_request(NULL, lo, hi, NULL, 0, 0, &len);
    CHECK_REQ(meta && send_meta(s, meta, len) == DH_OK);
    /* updates sent before the change may still arrive first */
    int guard = 0;
    do {
        CHECK_REQ(read_update(s, &schema, 4, &g_u, &err) == DH_OK);
        if (!g_u.is_snapshot)
            apply(&g_cs, &g_u);
    } while (!g_u.is_snapshot && ++guard < 200); /* 50 s of ticks: a loaded machine */
    CHECK_REQ(g_u.is_snapshot);
    CHECK(g_u.has_viewport && rowset_is(&g_u.viewport, lo, hi));
    CHECK(rowset_is(&g_u.removed, 0, 49));
    CHECK(g_u.table_size >= size);
    int64_t l_new = g_u.table_size - lo;
    CHECK(rowset_is(&g_u.added, 0, l_new - 1));
    CHECK_INT(g_u.nrows, l_new);
    apply(&g_cs, &g_u);
    CHECK_INT(g_cs.n, l_new);
    /* appended rows arrive as added positions at the end of the contents */
    int64_t deadline = ms_now() + 3000, grown = 0;
    while (g_cs.n < 25 && ms_now() < deadline) {
        int64_t before = g_cs.n;
        CHECK_REQ(read_update(s, &schema, 4, &g_u, &err) == DH_OK);
        CHECK(!g_u.is_snapshot);
        CHECK(rowset_is(&g_u.removed, 0, -1));
        int64_t want = (g_u.table_size < hi + 1 ? g_u.table_size : hi + 1) - lo;
        CHECK(rowset_is(&g_u.added, before, want - 1));
        apply(&g_cs, &g_u);
        CHECK_INT(g_cs.n, want);
        grown += g_u.added.size;
    }
    CHECK(g_cs.n >= 25 && grown > 0);
    /* every row matches a later snapshot of the same positions */
    CHECK_REQ(snapshot(&c, QUOTES, lo, hi, 4, &g_snap) == 0);
    CHECK(g_snap.nrows >= g_cs.n);
    for (int64_t i = 0; i < g_cs.n && i < g_snap.nrows; i++) {
        CHECK_INT(g_cs.ts[i], g_snap.ts[i]);
        CHECK_INT(g_cs.key[i], g_snap.key[i]);
    }
    /* half-close ends the call with OK (after any update already under way) */
    CHECK(dh_stream_writes_done(s, &err) == DH_OK);
    CHECK_INT(drain(s, &err), DH_END);
    dh_stream_free(s);
    dh_schema_reset(&schema);
    conn_close(&c);
}

static void test_static_table(void)
{
    struct conn c;
    struct dh_error err;
    CHECK_REQ(conn_open(&c) == 0);
    static const uint8_t cols[] = {0x41}; /* Timestamp (0) and Id (6) */
    struct dh_stream *s = subscribe(&c, TRADES, 10, 19, cols, sizeof cols, 0);
    CHECK_REQ(s != NULL);
    struct dh_schema schema;
    dh_schema_init(&schema);
    CHECK_REQ(read_schema(s, &schema) == 0);
    CHECK_REQ(schema.n_fields == 7);
    CHECK_REQ(read_update(s, &schema, 6, &g_u, &err) == DH_OK);
    CHECK(g_u.is_snapshot);
    CHECK(rowset_is(&g_u.viewport, 10, 19));
    CHECK(rowset_is(&g_u.added, 0, 9));
    CHECK(rowset_is(&g_u.removed, 0, -1));
    CHECK_INT(g_u.colset_len, 1);
    CHECK_INT(g_u.colset[0], 0x41);
    CHECK_INT(g_u.other_len, 0); /* unrequested columns are empty */
    CHECK_REQ(snapshot(&c, TRADES, 10, 19, 6, &g_snap) == 0);
    CHECK_INT(g_u.nrows, 10);
    CHECK_INT(g_snap.nrows, 10);
    for (int64_t i = 0; i < 10; i++) {
        CHECK_INT(g_u.ts[i], g_snap.ts[i]);
        CHECK_INT(g_u.key[i], g_snap.key[i]);
    }
    CHECK(g_u.table_size >= 1000);
    /* nothing for 2 s: after the half-close the next thing read is the OK status */
    sleep_ms(2000);
    CHECK(dh_stream_writes_done(s, &err) == DH_OK);
    Arrow__Flight__Protocol__FlightData *fd;
    int rc = read_fd(s, &fd, &err);
    CHECK_INT(rc, DH_END);
    if (rc == DH_OK)
        arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    dh_stream_free(s);
    dh_schema_reset(&schema);
    conn_close(&c);
}

/* A request the server refuses: the call ends with code, its message holding text. */
static void expect_refused(struct dh_stream *s, int code, const char *text)
{
    struct dh_error err;
    CHECK_INT(drain(s, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, code);
    if (!strstr(err.msg, text)) {
        fprintf(stderr, "  message: %s\n", err.msg);
        CHECK(strstr(err.msg, text) != NULL);
    }
}

static void test_refused(void)
{
    struct conn c;
    CHECK_REQ(conn_open(&c) == 0);
    /* tickets that are no subscribable table, or that do not resolve (full-table and
     * reverse-viewport subscriptions are served: itest_stock) */
    struct dh_stream *s = subscribe(&c, "a/demo/f/price_plot", 0, 9, NULL, 0, 0);
    CHECK_REQ(s != NULL);
    expect_refused(s, DH_GRPC_FAILED_PRECONDITION, "is not a subscribable table");
    dh_stream_free(s);
    s = subscribe(&c, "h/no-such-share", 0, 9, NULL, 0, 0);
    CHECK_REQ(s != NULL);
    expect_refused(s, DH_GRPC_NOT_FOUND, "not found");
    dh_stream_free(s);
    /* changing a viewport subscription to a full one */
    s = subscribe(&c, TRADES, 0, 9, NULL, 0, 0);
    CHECK_REQ(s != NULL);
    struct dh_schema schema;
    struct dh_error err;
    dh_schema_init(&schema);
    CHECK_REQ(read_schema(s, &schema) == 0);
    CHECK_REQ(read_update(s, &schema, 6, &g_u, &err) == DH_OK);
    size_t len;
    uint8_t *meta = sub_request(NULL, 0, -1, NULL, 0, 0, &len);
    CHECK_REQ(meta && send_meta(s, meta, len) == DH_OK);
    expect_refused(s, DH_GRPC_INVALID_ARGUMENT,
                   "cannot change from full subscription to viewport or vice versa");
    dh_stream_free(s);
    dh_schema_reset(&schema);
    conn_close(&c);
}

static void test_unbounded_viewport(void)
{
    struct conn c;
    struct dh_error err;
    CHECK_REQ(conn_open(&c) == 0);
    /* [0, INT64_MAX - 1] (a RowSet cannot hold all 2^63 keys): the whole table as a
     * viewport, growing with it */
    struct dh_stream *s = subscribe(&c, QUOTES, 0, INT64_MAX - 1, NULL, 0, 0);
    CHECK_REQ(s != NULL);
    struct dh_schema schema;
    dh_schema_init(&schema);
    CHECK_REQ(read_schema(s, &schema) == 0);
    CHECK_REQ(read_update(s, &schema, 4, &g_u, &err) == DH_OK);
    CHECK(g_u.is_snapshot && rowset_is(&g_u.viewport, 0, INT64_MAX - 1));
    int64_t size = g_u.table_size;
    CHECK(size >= 100 && rowset_is(&g_u.added, 0, size - 1));
    CHECK_INT(g_u.nrows, size);
    CHECK_REQ(read_update(s, &schema, 4, &g_u, &err) == DH_OK);
    CHECK(!g_u.is_snapshot && g_u.table_size > size);
    CHECK(rowset_is(&g_u.added, size, g_u.table_size - 1));
    CHECK_INT(g_u.nrows, g_u.table_size - size);
    dh_stream_cancel(s); /* the server notices and ends the call */
    dh_stream_free(s);
    dh_schema_reset(&schema);
    conn_close(&c);
}

static void test_session_end(void)
{
    struct conn c;
    struct dh_error err;
    CHECK_REQ(conn_open(&c) == 0);
    struct dh_stream *s = subscribe(&c, QUOTES, 0, 9, NULL, 0, 0);
    CHECK_REQ(s != NULL);
    struct dh_schema schema;
    dh_schema_init(&schema);
    CHECK_REQ(read_schema(s, &schema) == 0);
    CHECK_REQ(read_update(s, &schema, 4, &g_u, &err) == DH_OK);
    Io__Deephaven__Proto__Backplane__Grpc__HandshakeRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__HANDSHAKE_REQUEST__INIT;
    struct dh_buf resp = {0};
    CHECK(dh_call_unary(c.ch, c.bearer, DH_M_CLOSE_SESSION, &req.base, 10000, &resp, "close",
                        &err) == DH_OK);
    dh_buf_reset(&resp);
    int64_t t0 = ms_now();
    expect_refused(s, DH_GRPC_CANCELLED, "Session closed");
    CHECK(ms_now() - t0 < 2000);
    dh_stream_free(s);
    dh_schema_reset(&schema);
    conn_close(&c);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: itest_subscribe PORT\n");
        return 2;
    }
    snprintf(g_target, sizeof g_target, "127.0.0.1:%s", argv[1]);
    upd_init(&g_u);
    upd_init(&g_snap);
    int rc;
    {
        static const struct check_test t[] = {T(test_quotes_viewport), T(test_static_table),
                                              T(test_refused), T(test_unbounded_viewport),
                                              T(test_session_end)};
        rc = check_main(t, sizeof t / sizeof t[0]);
    }
    upd_reset(&g_u);
    upd_reset(&g_snap);
    return rc;
}
