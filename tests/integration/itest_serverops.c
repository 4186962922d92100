/* SPDX-License-Identifier: MIT */
/* itest_serverops: the demo server's SeekRow, ComputeColumnStatistics, Aggregate,
 * SelectDistinct and DropColumns on trades, each asked with protobuf-c requests built
 * here and compared with the same computation done on a whole-table DoGet; bad input
 * gets upstream's status codes and messages. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "dh_exports.h"
#include "dh_transport.h"
#include "itest_util.h"

#define PB(x) Io__Deephaven__Proto__Backplane__Grpc__##x
#define PB_INIT(x) IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__##x##__INIT
#define M_TABLE "/io.deephaven.proto.backplane.grpc.TableService/"

static struct dh_session *S;
static struct dh_ticket TRADES;
static struct dh_rows ALL;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t col_of(const char *name)
{
    for (size_t f = 0; f < ALL.schema.n_fields; f++)
        if (strcmp(ALL.schema.fields[f].name, name) == 0)
            return f;
    return SIZE_MAX;
}

static void ticket_pb(PB(Ticket) * pb, const struct dh_ticket *t)
{
    pb->ticket.data = (uint8_t *)t->bytes;
    pb->ticket.len = t->len;
}

/* ---- SeekRow ---- */

struct seek {
    const char *column;
    PB(Literal) value;
    int64_t start;
    int insensitive, contains, backward;
};

/* The server's answer: DH_OK with *row, or the error. */
static int seek_server(const struct seek *q, int64_t *row, struct dh_error *err)
{
    PB(Ticket) src = PB_INIT(TICKET);
    ticket_pb(&src, &TRADES);
    PB(SeekRowRequest) req = PB_INIT(SEEK_ROW_REQUEST);
    PB(Literal) value = q->value;
    req.source_id = &src;
    req.starting_row = q->start;
    req.column_name = (char *)q->column;
    req.seek_value = &value;
    req.insensitive = q->insensitive;
    req.contains = q->contains;
    req.is_backward = q->backward;
    struct dh_buf resp = {0};
    dh_error_clear(err);
    int rc = dh_call_unary(dh_session_channel(S), dh_session_bearer(S), M_TABLE "SeekRow",
                           &req.base, 60000, &resp, "SeekRow", err);
    if (rc != DH_OK)
        return rc;
    PB(SeekRowResponse) *r =
        io__deephaven__proto__backplane__grpc__seek_row_response__unpack(NULL, resp.len, resp.data);
    dh_buf_reset(&resp);
    if (!r)
        return DH_EINVAL;
    *row = r->result_row;
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return DH_OK;
}

static int lower_eq(const uint8_t *a, const char *b, size_t n, int icase)
{
    for (size_t i = 0; i < n; i++) {
        int x = a[i], y = (unsigned char)b[i];
        if (icase && x >= 'A' && x <= 'Z')
            x += 32;
        if (icase && y >= 'A' && y <= 'Z')
            y += 32;
        if (x != y)
            return 0;
    }
    return 1;
}

/* Upstream SeekRow.findRow's test, on the DoGet copy. */
static int local_match(const struct seek *q, size_t f, int64_t r)
{
    const struct dh_column_view *c = &ALL.batch.columns[f];
    if (dh_column_is_null(c, r))
        return 0;
    switch (q->value.value_case) {
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_STRING_VALUE: {
        const uint8_t *p;
        size_t n, m = strlen(q->value.string_value);
        if (dh_column_get_bytes(c, r, &p, &n) != DH_OK)
            return 0;
        if (!q->contains)
            return n == m && lower_eq(p, q->value.string_value, n, q->insensitive);
        for (size_t i = 0; i + m <= n; i++)
            if (lower_eq(p + i, q->value.string_value, m, q->insensitive))
                return 1;
        return 0;
    }
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_DOUBLE_VALUE:
        return dh_column_get_f64(c, r) == q->value.double_value;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_BOOL_VALUE:
        return dh_column_get_bool(c, r) == (int)q->value.bool_value;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_NANO_TIME_VALUE:
        return dh_column_get_i64(c, r) == q->value.nano_time_value;
    default: return dh_column_get_i64(c, r) == q->value.long_value;
    }
}

/* The same seek on the DoGet copy: after the start (before it, backward), then
 * wrapping round through the start. */
static int64_t seek_local(const struct seek *q)
{
    size_t f = col_of(q->column);
    int64_t n = ALL.batch.length, s = q->start < 0 ? 0 : q->start;
    for (int64_t k = 1; k <= n; k++) {
        int64_t r = q->backward ? ((s - k) % n + n) % n : (s + k) % n;
        if (local_match(q, f, r))
            return r;
    }
    return -1;
}

static PB(Literal) lit_string(const char *s)
{
    PB(Literal) l = PB_INIT(LITERAL);
    l.value_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_STRING_VALUE;
    l.string_value = (char *)s;
    return l;
}

static PB(Literal) lit_long(int64_t v)
{
    PB(Literal) l = PB_INIT(LITERAL);
    l.value_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_LONG_VALUE;
    l.long_value = v;
    return l;
}

static PB(Literal) lit_double(double v)
{
    PB(Literal) l = PB_INIT(LITERAL);
    l.value_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_DOUBLE_VALUE;
    l.double_value = v;
    return l;
}

static void check_seek(const struct seek *q)
{
    int64_t got = -2;
    struct dh_error err;
    double t0 = now_ms();
    int rc = seek_server(q, &got, &err);
    double ms = now_ms() - t0;
    if (rc != DH_OK)
        fprintf(stderr, "  seek %s: %s\n", q->column, err.msg);
    CHECK_INT(rc, DH_OK);
    int64_t want = seek_local(q);
    fprintf(stderr, "  seek %s from %lld%s%s%s: row %lld (local %lld), %.1f ms\n", q->column,
            (long long)q->start, q->backward ? " backward" : "", q->contains ? " contains" : "",
            q->insensitive ? " insensitive" : "", (long long)got, (long long)want, ms);
    CHECK_INT(got, want);
}

static void test_seek_agrees(void)
{
    int64_t n = ALL.batch.length;
    size_t price = col_of("Price"), size = col_of("Size"), ts = col_of("Timestamp");
    CHECK_REQ(n > 1000 && price != SIZE_MAX && size != SIZE_MAX && ts != SIZE_MAX);
    struct seek q = {"Sym", lit_string("MSFT"), 10, 0, 0, 0};
    check_seek(&q);
    q.backward = 1;
    check_seek(&q);
    q = (struct seek){"Sym", lit_string("sf"), n - 3, 1, 1, 0}; /* wraps to the top */
    check_seek(&q);
    q = (struct seek){"Exchange", lit_string("nasdaq"), 0, 1, 0, 1};
    check_seek(&q);
    q = (struct seek){"Price", lit_double(dh_column_get_f64(&ALL.batch.columns[price], n / 2)),
                      n / 2,   0,
                      0,       0}; /* the only other match may be the start itself */
    check_seek(&q);
    q = (struct seek){"Size", lit_long(dh_column_get_i64(&ALL.batch.columns[size], 7)), 500, 0, 0,
                      1};
    check_seek(&q);
    q = (struct seek){"Id", lit_long(n - 1), 0, 0, 0, 0}; /* the last row, a full scan */
    check_seek(&q);
    q = (struct seek){"Sym", lit_string("no such symbol"), 0, 0, 1, 0};
    check_seek(&q);
    q.value = lit_string("ZZZ");
    int64_t got = 0;
    struct dh_error err;
    CHECK_INT(seek_server(&q, &got, &err), DH_OK);
    CHECK_INT(got, -1);
    PB(Literal) when = PB_INIT(LITERAL);
    when.value_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_NANO_TIME_VALUE;
    when.nano_time_value = dh_column_get_i64(&ALL.batch.columns[ts], n - 5);
    q = (struct seek){"Timestamp", when, 3, 0, 0, 1};
    check_seek(&q);
}

static void test_seek_errors(void)
{
    int64_t got;
    struct dh_error err;
    struct seek q = {"NoSuchColumn", lit_string("x"), 0, 0, 0, 0};
    CHECK_INT(seek_server(&q, &got, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_FAILED_PRECONDITION);
    CHECK(strstr(err.msg, "Details Logged w/ID") != NULL);
    q = (struct seek){"Price", lit_string("abc"), 0, 0, 0, 0};
    CHECK_INT(seek_server(&q, &got, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_INVALID_ARGUMENT);
    CHECK(strstr(err.msg, "Invalid String type for seek: double") != NULL);
    q = (struct seek){"Sym", lit_long(3), 0, 0, 0, 0};
    CHECK_INT(seek_server(&q, &got, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_INVALID_ARGUMENT);
    CHECK(strstr(err.msg, "Invalid column type for seek: class java.lang.String") != NULL);
    fprintf(stderr, "  errors: %s\n", err.msg);
}

/* ---- table-valued operations (one-shot calls) ---- */

/* Run a one-shot TableService method whose request has a result ticket; DoGet the
 * result into *out. DH_OK, or the error. */
static int one_shot_rows(const char *method, const ProtobufCMessage *req,
                         const struct dh_ticket *res, struct dh_rows *out, struct dh_error *err)
{
    struct dh_buf resp = {0};
    dh_error_clear(err);
    int rc = dh_call_unary(dh_session_channel(S), dh_session_bearer(S), method, req, 60000, &resp,
                           method, err);
    dh_buf_reset(&resp);
    if (rc != DH_OK)
        return rc;
    memset(out, 0, sizeof *out);
    rc = dh_table_doget(S, res, out, NULL, err);
    struct dh_error ignored;
    dh_release(S, res, &ignored);
    return rc;
}

static int stats_of(const char *column, int limit, struct dh_rows *out, struct dh_error *err)
{
    struct dh_ticket res;
    dh_ticket_make_export(&res, dh_session_next_export_id(S));
    PB(Ticket) src = PB_INIT(TICKET), dst = PB_INIT(TICKET);
    ticket_pb(&src, &TRADES);
    ticket_pb(&dst, &res);
    PB(TableReference) ref = PB_INIT(TABLE_REFERENCE);
    ref.ref_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_TICKET;
    ref.ticket = &src;
    PB(ColumnStatisticsRequest) req = PB_INIT(COLUMN_STATISTICS_REQUEST);
    req.result_id = &dst;
    req.source_id = &ref;
    req.column_name = (char *)column;
    if (limit >= 0) {
        req.unique_value_limit_set_case =
            IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__COLUMN_STATISTICS_REQUEST__UNIQUE_VALUE_LIMIT_SET_UNIQUE_VALUE_LIMIT;
        req.unique_value_limit = limit;
    }
    double t0 = now_ms();
    int rc = one_shot_rows(M_TABLE "ComputeColumnStatistics", &req.base, &res, out, err);
    fprintf(stderr, "  statistics of %s: %.1f ms\n", column, now_ms() - t0);
    return rc;
}

static const struct dh_column_view *result_col(const struct dh_rows *r, const char *name)
{
    for (size_t f = 0; f < r->schema.n_fields; f++)
        if (strcmp(r->schema.fields[f].name, name) == 0)
            return &r->batch.columns[f];
    fprintf(stderr, "  no result column %s\n", name);
    return NULL;
}

static int near(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (fabs(a) + fabs(b)) + 1e-12;
}

static void check_names(const struct dh_rows *r, const char *const *names, size_t n)
{
    CHECK_INT(r->schema.n_fields, n);
    for (size_t i = 0; i < n && i < r->schema.n_fields; i++)
        CHECK_STR(r->schema.fields[i].name, names[i]);
    CHECK_INT(r->batch.length, 1);
}

static void test_stats_numeric(void)
{
    static const char *const names[] = {"COUNT",    "SIZE", "SUM",     "SUM_ABS",
                                        "SUM_SQRD", "MIN",  "MAX",     "MIN_ABS",
                                        "MAX_ABS",  "AVG",  "AVG_ABS", "STD_DEV"};
    struct dh_rows r;
    struct dh_error err;
    const struct dh_column_view *pc = &ALL.batch.columns[col_of("Price")];
    CHECK_REQ(stats_of("Price", -1, &r, &err) == DH_OK);
    check_names(&r, names, 12);
    double sum = 0, sq = 0, mn = INFINITY, mx = -INFINITY;
    int64_t n = ALL.batch.length;
    for (int64_t i = 0; i < n; i++) {
        double v = dh_column_get_f64(pc, i);
        sum += v;
        sq += v * v;
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
    }
    double std = sqrt((sq - sum * sum / (double)n) / (double)(n - 1));
    CHECK_INT(dh_column_get_i64(result_col(&r, "COUNT"), 0), n);
    CHECK_INT(dh_column_get_i64(result_col(&r, "SIZE"), 0), n);
    CHECK(near(dh_column_get_f64(result_col(&r, "SUM"), 0), sum));
    CHECK(dh_column_get_f64(result_col(&r, "MIN"), 0) == mn);
    CHECK(dh_column_get_f64(result_col(&r, "MAX"), 0) == mx);
    CHECK(near(dh_column_get_f64(result_col(&r, "AVG"), 0), sum / (double)n));
    CHECK(near(dh_column_get_f64(result_col(&r, "STD_DEV"), 0), std));
    fprintf(stderr, "  Price: sum %.2f (local %.2f) std %.6f (local %.6f)\n",
            dh_column_get_f64(result_col(&r, "SUM"), 0), sum,
            dh_column_get_f64(result_col(&r, "STD_DEV"), 0), std);
    dh_rows_reset(&r);

    /* an int column: exact long sums, int MIN/MAX */
    const struct dh_column_view *sc = &ALL.batch.columns[col_of("Size")];
    CHECK_REQ(stats_of("Size", -1, &r, &err) == DH_OK);
    check_names(&r, names, 12);
    int64_t isum = 0, isq = 0, imin = INT64_MAX, imax = INT64_MIN;
    for (int64_t i = 0; i < n; i++) {
        int64_t v = dh_column_get_i64(sc, i);
        isum += v;
        isq += v * v;
        imin = v < imin ? v : imin;
        imax = v > imax ? v : imax;
    }
    CHECK_INT(dh_column_get_i64(result_col(&r, "SUM"), 0), isum);
    CHECK_INT(dh_column_get_i64(result_col(&r, "SUM_SQRD"), 0), isq);
    CHECK_INT(dh_column_get_i64(result_col(&r, "MIN"), 0), imin);
    CHECK_INT(dh_column_get_i64(result_col(&r, "MAX"), 0), imax);
    CHECK_INT(result_col(&r, "MIN")->field->bit_width, 32);
    CHECK(near(dh_column_get_f64(result_col(&r, "AVG"), 0), (double)isum / (double)n));
    dh_rows_reset(&r);
}

static void test_stats_instant_and_values(void)
{
    struct dh_rows r;
    struct dh_error err;
    int64_t n = ALL.batch.length;
    const struct dh_column_view *tc = &ALL.batch.columns[col_of("Timestamp")];
    CHECK_REQ(stats_of("Timestamp", -1, &r, &err) == DH_OK);
    static const char *const tnames[] = {"COUNT", "SIZE", "MIN", "MAX"};
    check_names(&r, tnames, 4);
    int64_t tmin = INT64_MAX, tmax = INT64_MIN;
    for (int64_t i = 0; i < n; i++) {
        int64_t v = dh_column_get_i64(tc, i);
        tmin = v < tmin ? v : tmin;
        tmax = v > tmax ? v : tmax;
    }
    CHECK_INT(dh_column_get_i64(result_col(&r, "MIN"), 0), tmin);
    CHECK_INT(dh_column_get_i64(result_col(&r, "MAX"), 0), tmax);
    dh_rows_reset(&r);

    /* a string column: distinct values, most frequent first, counts exact */
    CHECK_REQ(stats_of("Sym", 3, &r, &err) == DH_OK);
    static const char *const snames[] = {"COUNT", "SIZE", "UNIQUE_VALUES", "UNIQUE_KEYS",
                                         "UNIQUE_COUNTS"};
    check_names(&r, snames, 5);
    const struct dh_column_view *keys = result_col(&r, "UNIQUE_KEYS"),
                                *counts = result_col(&r, "UNIQUE_COUNTS");
    CHECK_REQ(keys && counts);
    int64_t ks, kn, cs, cn;
    CHECK_REQ(dh_column_list_range(keys, 0, &ks, &kn) == DH_OK &&
              dh_column_list_range(counts, 0, &cs, &cn) == DH_OK);
    CHECK_INT(kn, 3);
    CHECK_INT(cn, 3);
    const struct dh_column_view *sym = &ALL.batch.columns[col_of("Sym")];
    int64_t prev = INT64_MAX;
    for (int64_t k = 0; k < kn && k < cn; k++) {
        const uint8_t *kp;
        size_t kl;
        CHECK_REQ(dh_column_get_bytes(keys->child, ks + k, &kp, &kl) == DH_OK);
        int64_t want = 0;
        for (int64_t i = 0; i < n; i++) {
            const uint8_t *p;
            size_t l;
            want +=
                dh_column_get_bytes(sym, i, &p, &l) == DH_OK && l == kl && memcmp(p, kp, l) == 0;
        }
        int64_t got = dh_column_get_i64(counts->child, cs + k);
        fprintf(stderr, "  Sym %.*s: %lld (local %lld)\n", (int)kl, (const char *)kp,
                (long long)got, (long long)want);
        CHECK_INT(got, want);
        CHECK(got <= prev);
        prev = got;
    }
    CHECK_INT(dh_column_get_i64(result_col(&r, "UNIQUE_VALUES"), 0), 10);
    CHECK_INT(dh_column_get_i64(result_col(&r, "COUNT"), 0), n);
    dh_rows_reset(&r);

    CHECK_INT(stats_of("NoSuchColumn", -1, &r, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_INVALID_ARGUMENT);
    CHECK(strstr(err.msg, "Table doesn't have a column with the specified name") != NULL);
}

/* A source reference to trades and a fresh result ticket. */
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
    ticket_pb(&r->src, &TRADES);
    ticket_pb(&r->dst, &r->res);
    r->ref = (PB(TableReference))PB_INIT(TABLE_REFERENCE);
    r->ref.ref_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_TICKET;
    r->ref.ticket = &r->src;
}

/* The group (first-appearance order) of row i by string column f, among *n so far. */
static size_t local_group(size_t f, int64_t i, int64_t *first, size_t *n)
{
    const struct dh_column_view *c = &ALL.batch.columns[f];
    const uint8_t *p, *q;
    size_t l, m;
    dh_column_get_bytes(c, i, &p, &l);
    for (size_t g = 0; g < *n; g++)
        if (dh_column_get_bytes(c, first[g], &q, &m) == DH_OK && l == m && memcmp(p, q, l) == 0)
            return g;
    first[*n] = i;
    return (*n)++;
}

static int aggregate_rows(PB(Aggregation) * *aggs, size_t n_aggs, char **keys, size_t n_keys,
                          struct dh_rows *out, struct dh_error *err)
{
    struct refs r;
    refs_init(&r);
    PB(AggregateRequest) req = PB_INIT(AGGREGATE_REQUEST);
    req.result_id = &r.dst;
    req.source_id = &r.ref;
    req.aggregations = aggs;
    req.n_aggregations = n_aggs;
    req.group_by_columns = keys;
    req.n_group_by_columns = n_keys;
    double t0 = now_ms();
    int rc = one_shot_rows(M_TABLE "Aggregate", &req.base, &r.res, out, err);
    fprintf(stderr, "  aggregate: %.1f ms\n", now_ms() - t0);
    return rc;
}

static void test_count_by_and_aggregations(void)
{
    PB(Aggregation) count = PB_INIT(AGGREGATION), cols[6];
    PB(Aggregation__AggregationCount) cn = PB_INIT(AGGREGATION__AGGREGATION_COUNT);
    cn.column_name = "N";
    count.type_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGGREGATION__TYPE_COUNT;
    count.count = &cn;
    PB(Aggregation__AggregationColumns) ac[6];
    PB(AggSpec) spec[6];
    static const PB(AggSpec__TypeCase) kinds[6] = {
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGG_SPEC__TYPE_SUM,
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGG_SPEC__TYPE_AVG,
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGG_SPEC__TYPE_MIN,
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGG_SPEC__TYPE_MAX,
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGG_SPEC__TYPE_STD,
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGG_SPEC__TYPE_FIRST,
    };
    static char *pairs[6] = {"TotalSize=Size", "AvgPrice=Price", "MinPrice=Price",
                             "MaxPrice=Price", "StdPrice=Price", "FirstId=Id"};
    PB(Aggregation) * list[7] = {&count};
    for (int i = 0; i < 6; i++) {
        spec[i] = (PB(AggSpec))PB_INIT(AGG_SPEC);
        spec[i].type_case = kinds[i]; /* the spec messages are empty: a set case is enough */
        ac[i] = (PB(Aggregation__AggregationColumns))PB_INIT(AGGREGATION__AGGREGATION_COLUMNS);
        ac[i].spec = &spec[i];
        ac[i].match_pairs = &pairs[i];
        ac[i].n_match_pairs = 1;
        cols[i] = (PB(Aggregation))PB_INIT(AGGREGATION);
        cols[i].type_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGGREGATION__TYPE_COLUMNS;
        cols[i].columns = &ac[i];
        list[i + 1] = &cols[i];
    }
    PB(AggSpec__AggSpecSum) e_sum = PB_INIT(AGG_SPEC__AGG_SPEC_SUM);
    PB(AggSpec__AggSpecAvg) e_avg = PB_INIT(AGG_SPEC__AGG_SPEC_AVG);
    PB(AggSpec__AggSpecMin) e_min = PB_INIT(AGG_SPEC__AGG_SPEC_MIN);
    PB(AggSpec__AggSpecMax) e_max = PB_INIT(AGG_SPEC__AGG_SPEC_MAX);
    PB(AggSpec__AggSpecStd) e_std = PB_INIT(AGG_SPEC__AGG_SPEC_STD);
    PB(AggSpec__AggSpecFirst) e_first = PB_INIT(AGG_SPEC__AGG_SPEC_FIRST);
    spec[0].sum = &e_sum;
    spec[1].avg = &e_avg;
    spec[2].min = &e_min;
    spec[3].max = &e_max;
    spec[4].std = &e_std;
    spec[5].first = &e_first;
    char *keys[] = {"Sym"};
    struct dh_rows r;
    struct dh_error err;
    CHECK_REQ(aggregate_rows(list, 7, keys, 1, &r, &err) == DH_OK);
    static const char *const names[] = {"Sym",      "N",        "TotalSize", "AvgPrice",
                                        "MinPrice", "MaxPrice", "StdPrice",  "FirstId"};
    CHECK_INT(r.schema.n_fields, 8);
    for (size_t i = 0; i < 8 && i < r.schema.n_fields; i++)
        CHECK_STR(r.schema.fields[i].name, names[i]);
    /* the same, locally */
    int64_t first[64], cnt[64] = {0}, tot[64] = {0};
    double sum[64] = {0}, sq[64] = {0}, mn[64], mx[64];
    size_t ng = 0, fsym = col_of("Sym");
    const struct dh_column_view *pc = &ALL.batch.columns[col_of("Price")],
                                *zc = &ALL.batch.columns[col_of("Size")];
    for (int64_t i = 0; i < ALL.batch.length; i++) {
        size_t g = local_group(fsym, i, first, &ng);
        CHECK_REQ(ng < 64);
        double p = dh_column_get_f64(pc, i);
        if (cnt[g] == 0)
            mn[g] = mx[g] = p;
        mn[g] = p < mn[g] ? p : mn[g];
        mx[g] = p > mx[g] ? p : mx[g];
        cnt[g]++;
        tot[g] += dh_column_get_i64(zc, i);
        sum[g] += p;
        sq[g] += p * p;
    }
    CHECK_INT(r.batch.length, (int64_t)ng);
    const struct dh_column_view *id = &ALL.batch.columns[col_of("Id")];
    for (size_t g = 0; g < ng && (int64_t)g < r.batch.length; g++) {
        CHECK(it_cell_equal(&r.batch.columns[0], (int64_t)g, &ALL.batch.columns[fsym], first[g]));
        CHECK_INT(dh_column_get_i64(&r.batch.columns[1], (int64_t)g), cnt[g]);
        CHECK_INT(dh_column_get_i64(&r.batch.columns[2], (int64_t)g), tot[g]);
        double n = (double)cnt[g];
        CHECK(near(dh_column_get_f64(&r.batch.columns[3], (int64_t)g), sum[g] / n));
        CHECK(dh_column_get_f64(&r.batch.columns[4], (int64_t)g) == mn[g]);
        CHECK(dh_column_get_f64(&r.batch.columns[5], (int64_t)g) == mx[g]);
        double std = sqrt((sq[g] - sum[g] * sum[g] / n) / (n - 1));
        CHECK(fabs(dh_column_get_f64(&r.batch.columns[6], (int64_t)g) - std) < 1e-6 * std);
        CHECK_INT(dh_column_get_i64(&r.batch.columns[7], (int64_t)g),
                  dh_column_get_i64(id, first[g]));
    }
    fprintf(stderr, "  count by Sym: %zu groups, first %lld rows\n", ng, (long long)cnt[0]);
    dh_rows_reset(&r);

    /* bad input: no aggregations; an unknown group-by column */
    CHECK_INT(aggregate_rows(list, 0, keys, 1, &r, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_INVALID_ARGUMENT);
    CHECK(strstr(err.msg, "must have at least one aggregations") != NULL);
    char *bad[] = {"Nope"};
    CHECK_INT(aggregate_rows(list, 1, bad, 1, &r, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_FAILED_PRECONDITION);
    CHECK(strstr(err.msg, "Details Logged w/ID") != NULL);
}

static int distinct_rows(char **names, size_t n, struct dh_rows *out, struct dh_error *err)
{
    struct refs r;
    refs_init(&r);
    PB(SelectDistinctRequest) req = PB_INIT(SELECT_DISTINCT_REQUEST);
    req.result_id = &r.dst;
    req.source_id = &r.ref;
    req.column_names = names;
    req.n_column_names = n;
    return one_shot_rows(M_TABLE "SelectDistinct", &req.base, &r.res, out, err);
}

static void test_select_distinct(void)
{
    char *names[] = {"Exchange"};
    struct dh_rows r;
    struct dh_error err;
    CHECK_REQ(distinct_rows(names, 1, &r, &err) == DH_OK);
    int64_t first[64];
    size_t ng = 0, f = col_of("Exchange");
    for (int64_t i = 0; i < ALL.batch.length && ng < 64; i++)
        local_group(f, i, first, &ng);
    CHECK_INT(r.schema.n_fields, 1);
    CHECK_INT(r.batch.length, (int64_t)ng);
    for (size_t g = 0; g < ng && (int64_t)g < r.batch.length; g++)
        CHECK(it_cell_equal(&r.batch.columns[0], (int64_t)g, &ALL.batch.columns[f], first[g]));
    fprintf(stderr, "  distinct Exchange: %lld rows (local %zu)\n", (long long)r.batch.length, ng);
    dh_rows_reset(&r);
    char *bad[] = {"Exchange", "Nope", "Worse"};
    CHECK_INT(distinct_rows(bad, 3, &r, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_FAILED_PRECONDITION);
    CHECK(strstr(err.msg, "column(s) not found: Nope, Worse") != NULL);
    char *empty[] = {""}; /* an empty name is a missing column, not column -1 */
    CHECK_INT(distinct_rows(empty, 1, &r, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_FAILED_PRECONDITION);
    CHECK(strstr(err.msg, "column(s) not found") != NULL);
}

static int drop_rows(char **names, size_t n, struct dh_rows *out, struct dh_error *err)
{
    struct refs r;
    refs_init(&r);
    PB(DropColumnsRequest) req = PB_INIT(DROP_COLUMNS_REQUEST);
    req.result_id = &r.dst;
    req.source_id = &r.ref;
    req.column_names = names;
    req.n_column_names = n;
    return one_shot_rows(M_TABLE "DropColumns", &req.base, &r.res, out, err);
}

static void test_drop_columns(void)
{
    char *names[] = {"Price", "Flag"};
    struct dh_rows r;
    struct dh_error err;
    CHECK_REQ(drop_rows(names, 2, &r, &err) == DH_OK);
    CHECK_INT(r.schema.n_fields, ALL.schema.n_fields - 2);
    CHECK_INT(r.batch.length, ALL.batch.length);
    long bad = 0;
    for (size_t c = 0; c < r.schema.n_fields; c++) {
        size_t f = col_of(r.schema.fields[c].name);
        CHECK_REQ(f != SIZE_MAX && strcmp(r.schema.fields[c].name, "Price") != 0 &&
                  strcmp(r.schema.fields[c].name, "Flag") != 0);
        for (int64_t i = 0; i < r.batch.length; i += 97)
            bad += !it_cell_equal(&r.batch.columns[c], i, &ALL.batch.columns[f], i);
    }
    CHECK_INT(bad, 0);
    dh_rows_reset(&r);
    char *unknown[] = {"Nope"};
    CHECK_INT(drop_rows(unknown, 1, &r, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_FAILED_PRECONDITION);
    CHECK(strstr(err.msg, "Details Logged w/ID") != NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    S = it_connect(atoi(argv[1]));
    if (!S || it_export_app(S, "trades", &TRADES) != DH_OK)
        return 1;
    struct dh_error err;
    if (dh_table_doget(S, &TRADES, &ALL, NULL, &err) != DH_OK) {
        fprintf(stderr, "DoGet: %s\n", err.msg);
        return 1;
    }
    CHECK_RUN(T(test_seek_agrees), T(test_seek_errors), T(test_stats_numeric),
              T(test_stats_instant_and_values), T(test_count_by_and_aggregations),
              T(test_select_distinct), T(test_drop_columns));
}
