/* SPDX-License-Identifier: MIT */
/* itest_hier: libdh's hierarchical tables (dh_hier.h) against the demo server's rollup
 * of trades by Exchange, Sym (`add r rollup`, made by test_hier.sh): the descriptor's
 * column roles, the default view (the grand total expanded), expanding one exchange
 * (its symbols follow it, one level deeper), collapsing the total (one row left), the
 * counts adding up, and a snapshot of a view ticket refused as upstream refuses it. */
#include <stdlib.h>

#include "dh_hier.h"
#include "itest_util.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static long col(const struct dh_hier_info *h, const char *name)
{
    for (size_t c = 0; c < h->schema.n_fields; c++)
        if (strcmp(h->schema.fields[c].name, name) == 0)
            return (long)c;
    return -1;
}

/* A view with keys k, rows [0, 1000) read into *r. */
static int view_rows(struct dh_session *s, const struct dh_ticket *t, const struct dh_hier_info *h,
                     const struct dh_hier_keys *k, struct dh_rows *r)
{
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_ticket v;
    (void)h;
    int rc = dh_hier_view(s, t, k, &v, &err);
    if (rc == DH_OK)
        rc = dh_hier_read(s, &v, 0, 1000, r, &err);
    if (rc != DH_OK)
        fprintf(stderr, "view: %s\n", err.msg);
    dh_release(s, &v, &err);
    return rc;
}

static void print_rows(const struct dh_hier_info *h, const struct dh_rows *r)
{
    long ce = col(h, "Exchange"), cs = col(h, "Sym"), cc = col(h, "Count");
    for (int64_t i = 0; i < r->batch.length; i++) {
        const uint8_t *p;
        size_t n;
        char ex[32] = "-", sy[32] = "-";
        if (!dh_column_is_null(dh_rows_column(r, (size_t)ce), i) &&
            dh_column_get_bytes(dh_rows_column(r, (size_t)ce), i, &p, &n) == DH_OK)
            snprintf(ex, sizeof ex, "%.*s", (int)n, (const char *)p);
        if (!dh_column_is_null(dh_rows_column(r, (size_t)cs), i) &&
            dh_column_get_bytes(dh_rows_column(r, (size_t)cs), i, &p, &n) == DH_OK)
            snprintf(sy, sizeof sy, "%.*s", (int)n, (const char *)p);
        printf("  %d %2d %-6s %-6s %lld\n", dh_hier_row_depth(h, r, i),
               dh_hier_row_expanded(h, r, i), ex, sy,
               (long long)dh_column_get_i64(dh_rows_column(r, (size_t)cc), i));
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: itest_hier PORT TRADES_ROWS\n");
        return 2;
    }
    int64_t trades = atoll(argv[2]);
    struct dh_session *s = it_connect(atoi(argv[1]));
    if (!s)
        return 1;
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_ticket t;
    dh_ticket_make_scope(&t, "r", &err);
    struct dh_hier_info h;
    int rc = dh_hier_fetch(s, &t, &h, &err);
    CHECK(rc == DH_OK, "fetch: %s", err.msg);
    if (rc != DH_OK)
        return 1;
    CHECK(h.is_rollup && h.is_static, "a static rollup");
    CHECK(h.depth_col == col(&h, "__DEPTH__") && h.expanded_col == col(&h, "__EXPANDED__"),
          "structural columns");
    CHECK(h.n_keys == 2 && h.key_cols[0] == col(&h, "Exchange") && h.key_cols[1] == col(&h, "Sym"),
          "expand-by columns Exchange, Sym (%zu)", h.n_keys);
    CHECK(!dh_hier_column_visible(&h, (size_t)h.depth_col) &&
              dh_hier_column_visible(&h, (size_t)col(&h, "Count")),
          "visible columns");

    /* default: the total (expanded) and one row per exchange */
    struct dh_rows r;
    memset(&r, 0, sizeof r);
    CHECK(view_rows(s, &t, &h, NULL, &r) == DH_OK, "default view");
    printf("default view:\n");
    print_rows(&h, &r);
    int64_t n_ex = r.batch.length - 1;
    CHECK(r.batch.length >= 3 && r.table_size == r.batch.length, "rows %lld, size %lld",
          (long long)r.batch.length, (long long)r.table_size);
    CHECK(dh_hier_row_depth(&h, &r, 0) == 1 && dh_hier_row_expanded(&h, &r, 0) == 1,
          "the total first, expanded");
    long cc = col(&h, "Count");
    CHECK(dh_column_get_i64(dh_rows_column(&r, (size_t)cc), 0) == trades, "total count");
    int64_t sum = 0;
    for (int64_t i = 1; i < r.batch.length; i++) {
        CHECK(dh_hier_row_depth(&h, &r, i) == 2 && dh_hier_row_expanded(&h, &r, i) == 0,
              "row %lld: an exchange, not expanded", (long long)i);
        sum += dh_column_get_i64(dh_rows_column(&r, (size_t)cc), i);
    }
    CHECK(sum == trades, "exchange counts add up (%lld)", (long long)sum);

    /* expand the second exchange: its symbols follow it */
    struct dh_hier_keys *k = dh_hier_keys_new();
    CHECK(dh_hier_keys_set(k, &h, &r, 2, DH_HIER_EXPAND, &err) == DH_OK, "keys: %s", err.msg);
    struct dh_rows r2;
    memset(&r2, 0, sizeof r2);
    CHECK(view_rows(s, &t, &h, k, &r2) == DH_OK, "expanded view");
    printf("exchange 2 expanded:\n");
    print_rows(&h, &r2);
    int64_t n_sym = r2.batch.length - r.batch.length;
    CHECK(n_sym > 0, "symbols appeared (%lld)", (long long)n_sym);
    CHECK(dh_hier_row_expanded(&h, &r2, 2) == 1, "the exchange is expanded");
    sum = 0;
    for (int64_t i = 3; i < 3 + n_sym; i++) {
        CHECK(dh_hier_row_depth(&h, &r2, i) == 3 && dh_hier_row_expanded(&h, &r2, i) == -1,
              "row %lld: a symbol leaf", (long long)i);
        sum += dh_column_get_i64(dh_rows_column(&r2, (size_t)cc), i);
    }
    CHECK(sum == dh_column_get_i64(dh_rows_column(&r, (size_t)cc), 2),
          "the symbols' counts add up to the exchange's");
    CHECK(dh_hier_row_depth(&h, &r2, 3 + n_sym) == 2 || 3 + n_sym == r2.batch.length,
          "the next exchange after the symbols");

    /* a window: rows [2, 4) of the same view */
    struct dh_ticket v;
    CHECK(dh_hier_view(s, &t, k, &v, &err) == DH_OK, "view: %s", err.msg);
    struct dh_rows w;
    memset(&w, 0, sizeof w);
    CHECK(dh_hier_read(s, &v, 2, 2, &w, &err) == DH_OK, "window: %s", err.msg);
    CHECK(w.first == 2 && w.batch.length == 2 && w.table_size == r2.table_size &&
              dh_hier_row_depth(&h, &w, 1) == 3,
          "window rows (first %lld, %lld rows)", (long long)w.first, (long long)w.batch.length);
    /* a view ticket has no snapshots (HierarchicalTableViewExchangeMarshaller) */
    rc = dh_table_snapshot(s, &v, 0, 10, NULL, &w, NULL, &err);
    CHECK(rc == DH_EGRPC && err.grpc_status == 9 && strstr(err.msg, "does not support snapshots"),
          "snapshot of a view: %s", err.msg);
    dh_release(s, &v, &err);

    /* collapse the expanded exchange again, then the total */
    CHECK(dh_hier_keys_set(k, &h, &r2, 2, DH_HIER_COLLAPSE, &err) == DH_OK, "collapse");
    CHECK(dh_hier_keys_count(k) == 1, "one directive per node");
    struct dh_rows r3;
    memset(&r3, 0, sizeof r3);
    CHECK(view_rows(s, &t, &h, k, &r3) == DH_OK && r3.batch.length == n_ex + 1,
          "collapsed again: %lld rows", (long long)r3.batch.length);
    CHECK(dh_hier_keys_set(k, &h, &r3, 0, DH_HIER_COLLAPSE, &err) == DH_OK, "collapse total");
    CHECK(view_rows(s, &t, &h, k, &r3) == DH_OK && r3.batch.length == 1 &&
              dh_hier_row_expanded(&h, &r3, 0) == 0,
          "total collapsed: %lld rows", (long long)r3.batch.length);

    dh_hier_keys_free(k);
    dh_rows_reset(&r);
    dh_rows_reset(&r2);
    dh_rows_reset(&r3);
    dh_rows_reset(&w);
    dh_hier_info_reset(&h);
    dh_session_free(s);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
