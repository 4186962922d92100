/* SPDX-License-Identifier: MIT */
/* bench_serverops: how long the demo server takes to answer SeekRow,
 * ComputeColumnStatistics, Aggregate (count by a column) and SelectDistinct on
 * trades, wall time of each call over loopback (the server's compute time plus
 * one round trip), best of three. Usage: bench_serverops PORT. Prints figures,
 * asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deephaven_core/proto/table.pb-c.h"
#include "dh_exports.h"
#include "dh_session.h"
#include "dh_ticket.h"
#include "dh_transport.h"

#define PB(x) Io__Deephaven__Proto__Backplane__Grpc__##x
#define PB_INIT(x) IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__##x##__INIT
#define M_TABLE "/io.deephaven.proto.backplane.grpc.TableService/"

static struct dh_session *S;
static struct dh_ticket TRADES;

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One call; a result ticket (when the request has one: res, which dst points at) is
 * released after and a fresh one used for the next call (export ids are not reused). */
static double timed(const char *method, const ProtobufCMessage *req, struct dh_ticket *res)
{
    double best = -1;
    for (int i = 0; i < 3; i++) {
        if (res)
            dh_ticket_make_export(res, dh_session_next_export_id(S));
        struct dh_buf resp = {0};
        struct dh_error err;
        dh_error_clear(&err);
        double t0 = wall_ms();
        int rc = dh_call_unary(dh_session_channel(S), dh_session_bearer(S), method, req, 600000,
                               &resp, method, &err);
        double ms = wall_ms() - t0;
        dh_buf_reset(&resp);
        if (rc != DH_OK) {
            fprintf(stderr, "%s: %s\n", method, err.msg);
            return -1;
        }
        if (res)
            dh_release(S, res, &err);
        best = best < 0 || ms < best ? ms : best;
    }
    return best;
}

static void seek(const char *label, const char *column, const char *text, int contains)
{
    PB(Ticket) src = PB_INIT(TICKET);
    src.ticket.data = TRADES.bytes;
    src.ticket.len = TRADES.len;
    PB(Literal) v = PB_INIT(LITERAL);
    v.value_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_STRING_VALUE;
    v.string_value = (char *)text;
    PB(SeekRowRequest) req = PB_INIT(SEEK_ROW_REQUEST);
    req.source_id = &src;
    req.column_name = (char *)column;
    req.seek_value = &v;
    req.contains = contains;
    req.insensitive = contains;
    printf("seek %-34s %9.1f ms\n", label, timed(M_TABLE "SeekRow", &req.base, NULL));
}

struct refs {
    struct dh_ticket res;
    PB(Ticket) src, dst;
    PB(TableReference) ref;
};

static void refs_init(struct refs *r)
{
    dh_ticket_make_export(&r->res, dh_session_next_export_id(S));
    r->src = (PB(Ticket))PB_INIT(TICKET);
    r->dst = (PB(Ticket))PB_INIT(TICKET);
    r->src.ticket.data = TRADES.bytes;
    r->src.ticket.len = TRADES.len;
    r->dst.ticket.data = r->res.bytes;
    r->dst.ticket.len = r->res.len;
    r->ref = (PB(TableReference))PB_INIT(TABLE_REFERENCE);
    r->ref.ref_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_TICKET;
    r->ref.ticket = &r->src;
}

static void stats(const char *column)
{
    struct refs r;
    refs_init(&r);
    PB(ColumnStatisticsRequest) req = PB_INIT(COLUMN_STATISTICS_REQUEST);
    req.result_id = &r.dst;
    req.source_id = &r.ref;
    req.column_name = (char *)column;
    printf("statistics of %-25s %9.1f ms\n", column,
           timed(M_TABLE "ComputeColumnStatistics", &req.base, &r.res));
}

static void count_by(const char *column)
{
    struct refs r;
    refs_init(&r);
    PB(Aggregation__AggregationCount) cn = PB_INIT(AGGREGATION__AGGREGATION_COUNT);
    cn.column_name = "Count";
    PB(Aggregation) count = PB_INIT(AGGREGATION);
    count.type_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGGREGATION__TYPE_COUNT;
    count.count = &cn;
    PB(Aggregation) * list[] = {&count};
    char *keys[] = {(char *)column};
    PB(AggregateRequest) req = PB_INIT(AGGREGATE_REQUEST);
    req.result_id = &r.dst;
    req.source_id = &r.ref;
    req.aggregations = list;
    req.n_aggregations = 1;
    req.group_by_columns = keys;
    req.n_group_by_columns = 1;
    printf("count by %-30s %9.1f ms\n", column, timed(M_TABLE "Aggregate", &req.base, &r.res));
}

static void distinct(const char *column)
{
    struct refs r;
    refs_init(&r);
    char *names[] = {(char *)column};
    PB(SelectDistinctRequest) req = PB_INIT(SELECT_DISTINCT_REQUEST);
    req.result_id = &r.dst;
    req.source_id = &r.ref;
    req.column_names = names;
    req.n_column_names = 1;
    printf("select distinct %-23s %9.1f ms\n", column,
           timed(M_TABLE "SelectDistinct", &req.base, &r.res));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_serverops PORT\n");
        return 2;
    }
    struct dh_connect_options o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.port = atoi(argv[1]);
    o.call_timeout_ms = 600000;
    struct dh_error err;
    dh_error_clear(&err);
    S = dh_session_connect(&o, &err);
    struct dh_ticket app;
    dh_ticket_make_app(&app, "demo", "trades", NULL);
    if (!S || dh_export_from_ticket(S, &app, &TRADES, &err) != DH_OK) {
        fprintf(stderr, "bench_serverops: %s\n", err.msg);
        return 1;
    }
    seek("Sym == 'none' (no symbol holds it)", "Sym", "none", 0);
    seek("Exchange contains 'q' (near)", "Exchange", "q", 1);
    stats("Price");
    stats("Size");
    stats("Timestamp");
    stats("Sym");
    count_by("Sym");
    distinct("Exchange");
    dh_session_free(S);
    return 0;
}
