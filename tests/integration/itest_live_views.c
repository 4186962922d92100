/* SPDX-License-Identifier: MIT */
/* itest_live_views: a filtered and a sorted view of the ticking quotes table, each
 * subscribed through a viewport, stay equal to the same view computed here from a
 * fresh whole-table DoGet of quotes, update after update (the filter only gains rows;
 * the sort reorders as quotes grows), and so do the sort with a column dropped and a
 * count by a column. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_subscription.h"
#include "dh_tableops.h"
#include "itest_util.h"

#define VIEWPORT 40
#define UPDATES 6

static struct dh_session *S;
static struct dh_ticket QUOTES;

static size_t col_of(const struct dh_rows *r, const char *name)
{
    for (size_t f = 0; f < r->schema.n_fields; f++)
        if (strcmp(r->schema.fields[f].name, name) == 0)
            return f;
    return SIZE_MAX;
}

static int derive(const char *where, const char *sort, const char *drop, struct dh_ticket *res)
{
    struct dh_view_ops ops;
    struct dh_error err;
    dh_view_ops_init(&ops);
    int rc = where  ? dh_view_ops_add_where(&ops, where, &err)
             : sort ? dh_view_ops_add_sort_spec(&ops, sort, &err)
                    : dh_view_ops_add_count_by(&ops, "Sym", &err);
    if (rc == DH_OK && drop)
        rc = dh_view_ops_add_drop(&ops, drop, &err);
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    dh_ticket_make_export(res, dh_session_next_export_id(S));
    if (rc == DH_OK)
        rc = dh_table_derive(S, &QUOTES, &ops, res, &info, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  derive: %s\n", err.msg);
    else
        CHECK(!info.is_static); /* a view of a ticking table ticks */
    dh_table_info_reset(&info);
    dh_view_ops_reset(&ops);
    return rc;
}

/* Positions of the first `size` rows of quotes (all) that the view holds, in view
 * order: a filter Bid > 300 keeps source order; a sort by Bid descending is stable. */
static int64_t *local_view(const struct dh_rows *all, int64_t size, int sorted, int64_t *n)
{
    const struct dh_column_view *bid = &all->batch.columns[col_of(all, "Bid")];
    int64_t *rows = malloc((size_t)(size ? size : 1) * sizeof *rows);
    *n = 0;
    for (int64_t i = 0; rows && i < size; i++)
        if (sorted || dh_column_get_f64(bid, i) > 300)
            rows[(*n)++] = i;
    for (int64_t i = 1; rows && sorted && i < *n; i++) { /* stable insertion sort */
        int64_t r = rows[i], j = i;
        double b = dh_column_get_f64(bid, r);
        while (j > 0 && dh_column_get_f64(bid, rows[j - 1]) < b) {
            rows[j] = rows[j - 1];
            j--;
        }
        rows[j] = r;
    }
    return rows;
}

static void follow(const char *what, const struct dh_ticket *view, int sorted)
{
    struct dh_error err;
    struct dh_subscription *sub = dh_subscription_open(S, view, 0, VIEWPORT, 250, 0, &err);
    CHECK_REQ(sub != NULL);
    struct dh_rows got;
    memset(&got, 0, sizeof got);
    int64_t last_size = -1, sizes_seen = 0;
    for (int u = 0; u < UPDATES + 1; u++) {
        int rc = dh_subscription_next(sub, &got, &err);
        if (rc != DH_OK)
            fprintf(stderr, "  %s: %s\n", what, err.msg);
        CHECK_REQ(rc == DH_OK);
        /* the view's size now: the sort holds every quote, the filter fewer */
        struct dh_rows all;
        memset(&all, 0, sizeof all);
        CHECK_REQ(dh_table_doget(S, &QUOTES, &all, NULL, &err) == DH_OK);
        int64_t n = 0, src_rows = all.batch.length;
        int64_t *rows = NULL;
        if (sorted) {
            src_rows = got.table_size; /* the sort of the first table_size quotes */
            CHECK_REQ(src_rows <= all.batch.length);
            rows = local_view(&all, src_rows, 1, &n);
        } else {
            rows = local_view(&all, all.batch.length, 0, &n);
            CHECK_REQ(got.table_size <= n); /* a prefix of the filter of more quotes */
            n = got.table_size;
        }
        CHECK_REQ(rows != NULL);
        CHECK_INT(got.table_size, n);
        int64_t want_len = n < VIEWPORT ? n : VIEWPORT;
        CHECK_INT(got.batch.length, want_len);
        long bad = 0;
        for (size_t c = 0; c < got.schema.n_fields; c++)
            for (int64_t i = 0; i < got.batch.length && i < want_len; i++)
                bad += !it_cell_equal(&got.batch.columns[c], i,
                                      &all.batch.columns[col_of(&all, got.schema.fields[c].name)],
                                      rows[i]);
        CHECK_INT(bad, 0);
        fprintf(stderr, "  %s update %d: view size %lld, %lld rows checked\n", what, u,
                (long long)got.table_size, (long long)want_len);
        sizes_seen += got.table_size != last_size;
        last_size = got.table_size;
        free(rows);
        dh_rows_reset(&all);
    }
    CHECK(sizes_seen >= 3); /* it really ticked */
    dh_rows_reset(&got);
    dh_subscription_free(sub);
}

static void test_filtered_view_ticks(void)
{
    struct dh_ticket view;
    CHECK_REQ(derive("Bid > 300", NULL, NULL, &view) == DH_OK);
    follow("filter Bid > 300", &view, 0);
}

static void test_sorted_view_ticks(void)
{
    struct dh_ticket view;
    CHECK_REQ(derive(NULL, "-Bid", NULL, &view) == DH_OK);
    follow("sort -Bid", &view, 1);
}

/* Hiding a column of a live sort (the pager's -) keeps it live. */
static void test_sorted_view_without_a_column_ticks(void)
{
    struct dh_ticket view;
    CHECK_REQ(derive(NULL, "-Bid", "Ask", &view) == DH_OK);
    follow("sort -Bid, drop Ask", &view, 1);
}

/* A count by Sym of quotes keeps counting: each update's counts are those of the
 * first (their sum) quotes of a fresh read, groups in order of first appearance. */
static void test_count_by_ticks(void)
{
    struct dh_ticket view;
    struct dh_error err;
    CHECK_REQ(derive(NULL, NULL, NULL, &view) == DH_OK);
    struct dh_subscription *sub = dh_subscription_open(S, &view, 0, VIEWPORT, 250, 0, &err);
    CHECK_REQ(sub != NULL);
    struct dh_rows got;
    memset(&got, 0, sizeof got);
    int64_t last_total = -1, totals_seen = 0;
    for (int u = 0; u < UPDATES + 1; u++) {
        CHECK_REQ(dh_subscription_next(sub, &got, &err) == DH_OK);
        size_t fsym = col_of(&got, "Sym"), fcount = col_of(&got, dh_view_ops_count_column("Sym"));
        CHECK_REQ(fsym != SIZE_MAX && fcount != SIZE_MAX);
        int64_t total = 0;
        for (int64_t g = 0; g < got.batch.length; g++)
            total += dh_column_get_i64(&got.batch.columns[fcount], g);
        struct dh_rows all;
        memset(&all, 0, sizeof all);
        CHECK_REQ(dh_table_doget(S, &QUOTES, &all, NULL, &err) == DH_OK);
        CHECK_REQ(total <= all.batch.length);
        const struct dh_column_view *sym = &all.batch.columns[col_of(&all, "Sym")];
        int64_t seen = 0; /* groups met so far in the first `total` quotes */
        long bad = 0;
        for (int64_t g = 0; g < got.batch.length; g++) {
            const uint8_t *kp, *p;
            size_t kl, l;
            CHECK_REQ(dh_column_get_bytes(&got.batch.columns[fsym], g, &kp, &kl) == DH_OK);
            int64_t n = 0, first = -1;
            for (int64_t i = 0; i < total; i++)
                if (dh_column_get_bytes(sym, i, &p, &l) == DH_OK && l == kl &&
                    memcmp(p, kp, l) == 0) {
                    n++;
                    first = first < 0 ? i : first;
                }
            bad += n != dh_column_get_i64(&got.batch.columns[fcount], g);
            bad += first < seen; /* first appearances in increasing order */
            seen = first;
        }
        CHECK_INT(bad, 0);
        fprintf(stderr, "  count by Sym update %d: %lld groups over %lld quotes\n", u,
                (long long)got.batch.length, (long long)total);
        totals_seen += total != last_total;
        last_total = total;
        dh_rows_reset(&all);
    }
    CHECK(totals_seen >= 3);
    dh_rows_reset(&got);
    dh_subscription_free(sub);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    S = it_connect(atoi(argv[1]));
    if (!S || it_export_app(S, "quotes", &QUOTES) != DH_OK)
        return 1;
    CHECK_RUN(T(test_filtered_view_ticks), T(test_sorted_view_ticks),
              T(test_sorted_view_without_a_column_ticks), T(test_count_by_ticks));
}
