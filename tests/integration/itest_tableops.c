/* SPDX-License-Identifier: MIT */
/* itest_tableops: structured Filter (= and ! in the pager: a CompareCondition
 * of a column and a literal) of every literal kind on trades, through
 * dh_table_derive, against the same match done here on a whole-table DoGet;
 * a bad column comes back as the server's INVALID_ARGUMENT naming it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_exports.h"
#include "dh_tableops.h"
#include "itest_util.h"

static struct dh_session *S;
static struct dh_ticket TRADES;
static struct dh_rows ALL;

static size_t col_of(const char *name)
{
    for (size_t f = 0; f < ALL.schema.n_fields; f++)
        if (strcmp(ALL.schema.fields[f].name, name) == 0)
            return f;
    return SIZE_MAX;
}

/* Rows of ALL whose column equals (or, negate, differs from) value. */
static int64_t count_local(size_t f, const struct dh_literal *v, int negate)
{
    const struct dh_column_view *c = &ALL.batch.columns[f];
    int64_t n = 0;
    for (int64_t i = 0; i < ALL.batch.length; i++) {
        int eq = 0;
        if (!dh_column_is_null(c, i)) {
            switch (v->kind) {
            case DH_LIT_STRING: {
                const uint8_t *p;
                size_t len;
                eq = dh_column_get_bytes(c, i, &p, &len) == DH_OK && len == strlen(v->s) &&
                     memcmp(p, v->s, len) == 0;
                break;
            }
            case DH_LIT_DOUBLE: eq = dh_column_get_f64(c, i) == v->d; break;
            case DH_LIT_BOOL: eq = dh_column_get_bool(c, i) == (int)v->i; break;
            default: eq = dh_column_get_i64(c, i) == v->i; break;
            }
        }
        n += negate ? !eq : eq;
    }
    return n;
}

static void check_match(const char *column, const struct dh_literal *v, int negate)
{
    struct dh_view_ops ops;
    struct dh_error err;
    dh_view_ops_init(&ops);
    CHECK_INT(dh_view_ops_add_match(&ops, column, negate, v, &err), DH_OK);
    struct dh_ticket res;
    dh_ticket_make_export(&res, dh_session_next_export_id(S));
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    int rc = dh_table_derive(S, &TRADES, &ops, &res, &info, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  %s: %s\n", column, err.msg);
    CHECK_INT(rc, DH_OK);
    int64_t want = count_local(col_of(column), v, negate);
    fprintf(stderr, "  %s %s: %lld rows (local %lld)\n", column,
            negate ? "!=" : "==", (long long)info.size, (long long)want);
    CHECK(want > 0);
    CHECK_INT(info.size, want);
    dh_table_info_reset(&info);
    dh_release(S, &res, &err);
    dh_view_ops_reset(&ops);
}

static void test_match_every_literal_kind(void)
{
    size_t sym = col_of("Sym"), price = col_of("Price"), size = col_of("Size"),
           flag = col_of("Flag"), ts = col_of("Timestamp"), id = col_of("Id");
    CHECK_REQ(sym != SIZE_MAX && price != SIZE_MAX && size != SIZE_MAX && flag != SIZE_MAX &&
              ts != SIZE_MAX && id != SIZE_MAX);
    const uint8_t *p;
    size_t n;
    CHECK_REQ(dh_column_get_bytes(&ALL.batch.columns[sym], 3, &p, &n) == DH_OK);
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)n, (const char *)p);
    struct dh_literal v = {.kind = DH_LIT_STRING, .s = text};
    check_match("Sym", &v, 0);
    check_match("Sym", &v, 1);
    v = (struct dh_literal){.kind = DH_LIT_DOUBLE,
                            .d = dh_column_get_f64(&ALL.batch.columns[price], 5)};
    check_match("Price", &v, 0);
    v = (struct dh_literal){.kind = DH_LIT_LONG,
                            .i = dh_column_get_i64(&ALL.batch.columns[size], 7)};
    check_match("Size", &v, 0);
    v = (struct dh_literal){.kind = DH_LIT_BOOL, .i = 1};
    check_match("Flag", &v, 0);
    v = (struct dh_literal){.kind = DH_LIT_NANOS,
                            .i = dh_column_get_i64(&ALL.batch.columns[ts], 11)};
    check_match("Timestamp", &v, 0);
    v = (struct dh_literal){.kind = DH_LIT_LONG, .i = 12};
    check_match("Id", &v, 1);
}

static void test_bad_column(void)
{
    struct dh_view_ops ops;
    struct dh_error err;
    dh_view_ops_init(&ops);
    struct dh_literal v = {.kind = DH_LIT_LONG, .i = 1};
    CHECK_INT(dh_view_ops_add_match(&ops, "NoSuchColumn", 0, &v, &err), DH_OK);
    struct dh_ticket res;
    dh_ticket_make_export(&res, dh_session_next_export_id(S));
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    CHECK_INT(dh_table_derive(S, &TRADES, &ops, &res, &info, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_INVALID_ARGUMENT);
    CHECK(strstr(err.msg, "NoSuchColumn") != NULL);
    dh_view_ops_reset(&ops);
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
    CHECK_RUN(T(test_match_every_literal_kind), T(test_bad_column));
}
