/* SPDX-License-Identifier: MIT */
/* itest_partitioned: a partitioned table of trades by Sym (s/trades_by_sym, added
 * by test_partitioned.sh) through libdh: FetchObject's descriptor and underlying
 * table, the key table (the distinct Syms in order of first appearance, as a local
 * pass over a whole-table DoGet of trades finds them), the constituent of a key row
 * (exactly that Sym's rows, in trades' order), the merge (every row, constituent
 * after constituent), and the server's refusals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "deephaven_core/proto/partitionedtable.pb-c.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "dh_exports.h"
#include "dh_partitioned.h"
#include "dh_tableops.h"
#include "dh_transport.h"
#include "itest_util.h"

#define MAX_SYMS 64

static struct dh_session *S;
static struct dh_ticket PT;     /* s/trades_by_sym */
static struct dh_rows TRADES;   /* the whole of trades */
static size_t SYM, ID;          /* its Sym and Id columns */
static char SYMS[MAX_SYMS][32]; /* distinct Syms, first appearance order */
static int64_t COUNT[MAX_SYMS]; /* rows per Sym */
static size_t N_SYMS;

static size_t col_of(const struct dh_rows *r, const char *name)
{
    for (size_t f = 0; f < r->schema.n_fields; f++)
        if (strcmp(r->schema.fields[f].name, name) == 0)
            return f;
    return SIZE_MAX;
}

/* Cell i of a string column as text. */
static void str_at(const struct dh_rows *r, size_t f, int64_t i, char *out, size_t n)
{
    const uint8_t *p;
    size_t len;
    out[0] = '\0';
    if (dh_column_get_bytes(&r->batch.columns[f], i, &p, &len) == DH_OK)
        snprintf(out, n, "%.*s", (int)len, (const char *)p);
}

static size_t sym_index(const char *s)
{
    for (size_t k = 0; k < N_SYMS; k++)
        if (strcmp(SYMS[k], s) == 0)
            return k;
    return SIZE_MAX;
}

static int local_partition(void)
{
    SYM = col_of(&TRADES, "Sym");
    ID = col_of(&TRADES, "Id");
    if (SYM == SIZE_MAX || ID == SIZE_MAX)
        return -1;
    for (int64_t i = 0; i < TRADES.batch.length; i++) {
        char s[32];
        str_at(&TRADES, SYM, i, s, sizeof s);
        size_t k = sym_index(s);
        if (k == SIZE_MAX) {
            if (N_SYMS == MAX_SYMS)
                return -1;
            k = N_SYMS++;
            snprintf(SYMS[k], sizeof SYMS[k], "%s", s);
        }
        COUNT[k]++;
    }
    return 0;
}

static void read_all(const struct dh_ticket *t, struct dh_rows *out)
{
    struct dh_error err;
    memset(out, 0, sizeof *out);
    int rc = dh_table_doget(S, t, out, NULL, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  DoGet: %s\n", err.msg);
    CHECK_INT(rc, DH_OK);
}

static struct dh_partitioned *fetch(void)
{
    struct dh_partitioned *p = NULL;
    struct dh_error err;
    int rc = dh_partitioned_fetch(S, &PT, &p, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  fetch: %s\n", err.msg);
    CHECK_INT(rc, DH_OK);
    return p;
}

static void test_descriptor(void)
{
    struct dh_partitioned *p = fetch();
    CHECK_REQ(p != NULL);
    CHECK_INT(p->n_keys, 1);
    CHECK_STR(p->key_columns[0], "Sym");
    CHECK_STR(p->constituent_column, "__CONSTITUENT__");
    CHECK_INT(p->unique_keys, 1);
    CHECK(p->table.len > 0);
    /* the underlying table: one row per key, the keys and the constituents */
    struct dh_table_info info;
    struct dh_error err;
    memset(&info, 0, sizeof info);
    CHECK_INT(dh_table_info_fetch(S, &p->table, &info, &err), DH_OK);
    CHECK_INT(info.size, (int64_t)N_SYMS);
    CHECK_INT(info.schema.n_fields, 2);
    dh_table_info_reset(&info);
    dh_partitioned_release(S, p);
    CHECK_INT(p->table.len, 0);
    dh_partitioned_free(p);
}

/* The key table: the distinct Syms in order of first appearance, nothing else. */
static void test_keys(void)
{
    struct dh_partitioned *p = fetch();
    CHECK_REQ(p != NULL);
    struct dh_ticket keys;
    dh_ticket_make_export(&keys, dh_session_next_export_id(S));
    struct dh_table_info info;
    struct dh_error err;
    memset(&info, 0, sizeof info);
    CHECK_INT(dh_partitioned_keys(S, p, &keys, &info, &err), DH_OK);
    CHECK_INT(info.schema.n_fields, 1);
    CHECK_INT(info.size, (int64_t)N_SYMS);
    dh_table_info_reset(&info);
    struct dh_rows r;
    read_all(&keys, &r);
    CHECK_INT(r.batch.length, (int64_t)N_SYMS);
    for (int64_t i = 0; i < r.batch.length && (size_t)i < N_SYMS; i++) {
        char s[32];
        str_at(&r, 0, i, s, sizeof s);
        CHECK_STR(s, SYMS[i]);
    }
    dh_rows_reset(&r);

    /* the constituent of key row 2, and a row past the end */
    struct dh_ticket res;
    dh_ticket_make_export(&res, dh_session_next_export_id(S));
    int rc = dh_partitioned_get(S, &PT, p->unique_keys, &keys, 2, &res, &info, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  get: %s\n", err.msg);
    CHECK_INT(rc, DH_OK);
    CHECK_INT(info.size, COUNT[2]);
    CHECK_INT(info.schema.n_fields, TRADES.schema.n_fields);
    dh_table_info_reset(&info);
    read_all(&res, &r);
    int64_t next = 0, bad = 0;
    for (int64_t i = 0; i < r.batch.length; i++) {
        char s[32];
        str_at(&r, col_of(&r, "Sym"), i, s, sizeof s);
        /* the i-th row of Sym 2 in trades' order */
        for (;; next++) {
            char t[32];
            str_at(&TRADES, SYM, next, t, sizeof t);
            if (strcmp(t, SYMS[2]) == 0)
                break;
        }
        bad +=
            strcmp(s, SYMS[2]) != 0 || dh_column_get_i64(&r.batch.columns[col_of(&r, "Id")], i) !=
                                           dh_column_get_i64(&TRADES.batch.columns[ID], next);
        next++;
    }
    CHECK_INT(bad, 0);
    dh_rows_reset(&r);
    dh_release(S, &res, &err);

    /* keys not unique: the merge of every constituent of the key (the same rows) */
    dh_ticket_make_export(&res, dh_session_next_export_id(S));
    CHECK_INT(dh_partitioned_get(S, &PT, 0, &keys, 2, &res, &info, &err), DH_OK);
    CHECK_INT(info.size, COUNT[2]);
    dh_table_info_reset(&info);
    dh_release(S, &res, &err);

    dh_ticket_make_export(&res, dh_session_next_export_id(S));
    CHECK_INT(dh_partitioned_get(S, &PT, 1, &keys, (int64_t)N_SYMS, &res, &info, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "no such row") != NULL);
    dh_release(S, &keys, &err);
    dh_partitioned_release(S, p);
    dh_partitioned_free(p);
}

/* A constituent looked up by its key's values (what a constituent's pager asks
 * for in a new session): the same rows as by its key row; a key no row has
 * fails and leaves nothing on the server. */
static void test_get_by_key(void)
{
    struct dh_view_ops match;
    dh_view_ops_init(&match);
    struct dh_error err;
    struct dh_literal sym = {.kind = DH_LIT_STRING, .s = (char *)SYMS[2]};
    CHECK_INT(dh_view_ops_add_match(&match, "Sym", 0, &sym, &err), DH_OK);
    struct dh_ticket res;
    dh_ticket_make_export(&res, dh_session_next_export_id(S));
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    int rc = dh_partitioned_get_key(S, &PT, 1, &match, &res, &info, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  get by key: %s\n", err.msg);
    CHECK_INT(rc, DH_OK);
    CHECK_INT(info.size, COUNT[2]);
    dh_table_info_reset(&info);
    struct dh_rows r;
    read_all(&res, &r);
    int64_t bad = 0;
    for (int64_t i = 0; i < r.batch.length; i++) {
        char s[32];
        str_at(&r, col_of(&r, "Sym"), i, s, sizeof s);
        bad += strcmp(s, SYMS[2]) != 0;
    }
    CHECK_INT(r.batch.length, COUNT[2]);
    CHECK_INT(bad, 0);
    dh_rows_reset(&r);
    dh_release(S, &res, &err);

    dh_view_ops_reset(&match);
    struct dh_literal none = {.kind = DH_LIT_STRING, .s = (char *)"NOSUCHSYM"};
    CHECK_INT(dh_view_ops_add_match(&match, "Sym", 0, &none, &err), DH_OK);
    dh_ticket_make_export(&res, dh_session_next_export_id(S));
    CHECK_INT(dh_partitioned_get_key(S, &PT, 1, &match, &res, &info, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "no longer") != NULL);
    dh_view_ops_reset(&match);
}

/* The merge: every row of trades, constituent after constituent. */
static void test_merge(void)
{
    struct dh_ticket res;
    dh_ticket_make_export(&res, dh_session_next_export_id(S));
    struct dh_table_info info;
    struct dh_error err;
    memset(&info, 0, sizeof info);
    int rc = dh_partitioned_merge(S, &PT, &res, &info, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  merge: %s\n", err.msg);
    CHECK_INT(rc, DH_OK);
    CHECK_INT(info.size, TRADES.batch.length);
    dh_table_info_reset(&info);
    struct dh_rows r;
    read_all(&res, &r);
    CHECK_INT(r.batch.length, TRADES.batch.length);
    size_t k = 0;
    int64_t in_k = 0, bad = 0;
    for (int64_t i = 0; i < r.batch.length; i++) {
        char s[32];
        str_at(&r, col_of(&r, "Sym"), i, s, sizeof s);
        while (k < N_SYMS && in_k == COUNT[k]) {
            k++;
            in_k = 0;
        }
        bad += k >= N_SYMS || strcmp(s, SYMS[k]) != 0;
        in_k++;
    }
    CHECK_INT(bad, 0);
    dh_rows_reset(&r);
    dh_release(S, &res, &err);
}

/* GetTable with the whole key table (many rows), and a ticket that is no
 * partitioned table: the server's words come back. */
static void test_refusals(void)
{
    struct dh_partitioned *p = fetch();
    CHECK_REQ(p != NULL);
    struct dh_ticket keys;
    dh_ticket_make_export(&keys, dh_session_next_export_id(S));
    struct dh_table_info info;
    struct dh_error err;
    memset(&info, 0, sizeof info);
    CHECK_INT(dh_partitioned_keys(S, p, &keys, &info, &err), DH_OK);
    dh_table_info_reset(&info);

    Io__Deephaven__Proto__Backplane__Grpc__Ticket pt =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    pt.ticket.data = PT.bytes;
    pt.ticket.len = PT.len;
    Io__Deephaven__Proto__Backplane__Grpc__Ticket kt = pt, rt = pt;
    kt.ticket.data = keys.bytes;
    kt.ticket.len = keys.len;
    struct dh_ticket res;
    dh_ticket_make_export(&res, dh_session_next_export_id(S));
    rt.ticket.data = res.bytes;
    rt.ticket.len = res.len;
    Io__Deephaven__Proto__Backplane__Grpc__GetTableRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__GET_TABLE_REQUEST__INIT;
    req.partitioned_table = &pt;
    req.key_table_ticket = &kt;
    req.result_id = &rt;
    struct dh_buf reply = {0};
    int rc = dh_call_unary(dh_session_channel(S), dh_session_bearer(S),
                           "/io.deephaven.proto.backplane.grpc.PartitionedTableService/GetTable",
                           &req.base, 30000, &reply, "get", &err);
    dh_buf_reset(&reply);
    CHECK_INT(rc, DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_INVALID_ARGUMENT);
    CHECK(strstr(err.msg, "does not have one row") != NULL);
    dh_release(S, &keys, &err);
    dh_release(S, &res, &err);
    dh_partitioned_release(S, p);
    dh_partitioned_free(p);

    /* trades is a table, not a partitioned table */
    struct dh_ticket trades;
    dh_ticket_make_app(&trades, "demo", "trades", NULL);
    struct dh_partitioned *q = NULL;
    CHECK(dh_partitioned_fetch(S, &trades, &q, &err) != DH_OK);
    CHECK(q == NULL);
    CHECK(strstr(err.msg, "PartitionedTable") != NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    S = it_connect(atoi(argv[1]));
    struct dh_ticket trades;
    struct dh_error err;
    if (!S || it_export_app(S, "trades", &trades) != DH_OK ||
        dh_ticket_parse(&PT, "s/trades_by_sym", strlen("s/trades_by_sym"), &err) != DH_OK)
        return 1;
    if (dh_table_doget(S, &trades, &TRADES, NULL, &err) != DH_OK || local_partition() != 0) {
        fprintf(stderr, "DoGet trades: %s\n", err.msg);
        return 1;
    }
    fprintf(stderr, "  trades: %lld rows, %zu Syms\n", (long long)TRADES.batch.length, N_SYMS);
    CHECK_RUN(T(test_descriptor), T(test_keys), T(test_get_by_key), T(test_merge),
              T(test_refusals));
}
