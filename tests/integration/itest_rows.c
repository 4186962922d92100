/* SPDX-License-Identifier: MIT */
/* itest_rows: Barrage viewport snapshots (dh_table_snapshot) against the demo
 * server agree cell for cell with a whole-table Flight DoGet (dh_table_doget):
 * first, middle and last page of trades, a column subset, pages past the end,
 * the nulls / hostile / wide / empty / quotes tables, and cancellation.
 * Run by test_rows.sh:  itest_rows PORT */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "dh_exports.h"
#include "dh_session.h"
#include "dh_table.h"
#include "dh_ticket.h"

#define PAGE 40

static int port;
static struct dh_session *sess;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int cell_equal(const struct dh_column_view *a, int64_t i, const struct dh_column_view *b,
                      int64_t j);

/* Two LIST cells: same element count and equal elements. */
static int list_equal(const struct dh_column_view *a, int64_t i, const struct dh_column_view *b,
                      int64_t j)
{
    int64_t as, an, bs, bn;
    if (dh_column_list_range(a, i, &as, &an) != DH_OK ||
        dh_column_list_range(b, j, &bs, &bn) != DH_OK || an != bn)
        return 0;
    for (int64_t k = 0; k < an; k++)
        if (!cell_equal(a->child, as + k, b->child, bs + k))
            return 0;
    return 1;
}

/* Whether cell a[i] equals cell b[j] (same column type). */
static int cell_equal(const struct dh_column_view *a, int64_t i, const struct dh_column_view *b,
                      int64_t j)
{
    if (i >= a->length || j >= b->length)
        return 0;
    int na = dh_column_is_null(a, i), nb = dh_column_is_null(b, j);
    if (na || nb)
        return na == nb;
    const uint8_t *pa, *pb;
    size_t la, lb;
    switch (a->field->type) {
    case DH_TYPE_NULL:
        return 1;
    case DH_TYPE_BOOL:
        return dh_column_get_bool(a, i) == dh_column_get_bool(b, j);
    case DH_TYPE_UTF8:
    case DH_TYPE_BINARY:
    case DH_TYPE_LARGE_UTF8:
    case DH_TYPE_LARGE_BINARY:
    case DH_TYPE_FIXED_BINARY:
    case DH_TYPE_DECIMAL:
        if (dh_column_get_bytes(a, i, &pa, &la) != DH_OK ||
            dh_column_get_bytes(b, j, &pb, &lb) != DH_OK)
            return 0;
        return la == lb && (la == 0 || memcmp(pa, pb, la) == 0);
    case DH_TYPE_LIST:
        return list_equal(a, i, b, j);
    case DH_TYPE_FLOAT:
        /* Exact bits: NaN payloads and -0.0 must survive too. */
        return a->value_width == b->value_width && a->value_width > 0 &&
               memcmp(a->values + (size_t)i * (size_t)a->value_width,
                      b->values + (size_t)j * (size_t)b->value_width,
                      (size_t)a->value_width) == 0;
    default:
        return dh_column_get_i64(a, i) == dh_column_get_i64(b, j);
    }
}

/* Compare window w (positions w->first ...) with the same rows of `all`, for
 * the columns in mask (NULL = all). Returns the number of differing cells. */
static long compare_window(const struct dh_rows *w, const struct dh_rows *all,
                           const uint8_t *mask)
{
    long bad = 0;
    for (size_t c = 0; c < w->schema.n_fields; c++) {
        if (mask && !((mask[c / 8] >> (c % 8)) & 1))
            continue;
        for (int64_t r = 0; r < w->batch.length; r++) {
            if (!cell_equal(&w->batch.columns[c], r, &all->batch.columns[c], w->first + r)) {
                if (bad < 5)
                    fprintf(stderr, "  cell differs: column '%s', position %lld\n",
                            w->schema.fields[c].name, (long long)(w->first + r));
                bad++;
            }
        }
    }
    return bad;
}

/* A session export of application field `name`. */
static int export_app(const char *name, struct dh_ticket *out)
{
    struct dh_ticket src;
    dh_ticket_make_app(&src, "demo", name, NULL);
    struct dh_error err;
    dh_error_clear(&err);
    int rc = dh_export_from_ticket(sess, &src, out, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  export %s: %s\n", name, err.msg);
    return rc;
}

static double now_ms(void)
{
    return (double)dh_now_ms();
}

/* Snapshot [first, first+count) and check it against `all`. */
static void check_page(const struct dh_ticket *t, const struct dh_rows *all, int64_t first,
                       int64_t count, const struct dh_column_set *cols)
{
    struct dh_rows w;
    memset(&w, 0, sizeof w);
    struct dh_error err;
    dh_error_clear(&err);
    double t0 = now_ms();
    int rc = dh_table_snapshot(sess, t, first, count, cols, &w, NULL, &err);
    double dt = now_ms() - t0;
    if (rc != DH_OK)
        fprintf(stderr, "  snapshot [%lld,+%lld): %s\n", (long long)first, (long long)count,
                err.msg);
    CHECK_REQ(rc == DH_OK);
    int64_t size = all->batch.length;
    int64_t want = first >= size ? 0 : (size - first < count ? size - first : count);
    fprintf(stderr, "  page [%lld,+%lld): %lld rows in %.1f ms\n", (long long)first,
            (long long)count, (long long)w.batch.length, dt);
    CHECK_INT(w.first, first);
    CHECK_INT(w.table_size, size);
    CHECK_INT(w.batch.length, want);
    CHECK_INT(w.schema.n_fields, all->schema.n_fields);
    CHECK_INT(w.batch.n_columns, all->schema.n_fields);
    CHECK_INT(compare_window(&w, all, cols ? cols->bits : NULL), 0);
    if (cols) {
        for (size_t c = 0; c < w.schema.n_fields; c++)
            if (!((cols->bits[c / 8] >> (c % 8)) & 1))
                CHECK_INT(w.batch.columns[c].length, 0);
    }
    dh_rows_reset(&w);
}

/* DoGet the whole table behind t into *all. */
static int doget(const struct dh_ticket *t, struct dh_rows *all)
{
    memset(all, 0, sizeof *all);
    struct dh_error err;
    dh_error_clear(&err);
    double t0 = now_ms();
    int rc = dh_table_doget(sess, t, all, NULL, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  doget: %s\n", err.msg);
    else
        fprintf(stderr, "  doget: %lld rows in %.1f ms\n", (long long)all->batch.length,
                now_ms() - t0);
    return rc;
}

static void test_trades_pages(void)
{
    struct dh_ticket t;
    CHECK_REQ(export_app("trades", &t) == DH_OK);
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    CHECK_REQ(dh_table_info_fetch(sess, &t, &info, NULL) == DH_OK);
    struct dh_rows all;
    CHECK_REQ(doget(&t, &all) == DH_OK);
    CHECK_INT(all.batch.length, info.size);
    CHECK_INT(all.schema.n_fields, info.schema.n_fields);
    dh_table_info_reset(&info);
    int64_t n = all.batch.length;
    CHECK_REQ(n > 3 * PAGE);

    check_page(&t, &all, 0, PAGE, NULL);             /* page 1 */
    check_page(&t, &all, n / 2 - 7, PAGE, NULL);     /* a middle page */
    check_page(&t, &all, n - PAGE, PAGE, NULL);      /* the last page */
    check_page(&t, &all, n - 10, PAGE, NULL);        /* runs off the end: clipped */
    check_page(&t, &all, n + 100, PAGE, NULL);       /* past the end: no rows */
    check_page(&t, &all, 5000, 10000, NULL);         /* several server batches */
    uint8_t bits[8] = {0x05};                        /* columns {0, 2} */
    struct dh_column_set cols = {.bits = bits, .n_columns = all.schema.n_fields};
    check_page(&t, &all, 123, PAGE, &cols);
    dh_rows_reset(&all);
    CHECK_INT(dh_release(sess, &t, NULL), DH_OK);
}

/* Small tables: snapshot == DoGet, and the expected content is there. */
static void check_small(const char *name, int expect_nulls)
{
    fprintf(stderr, "  table %s\n", name);
    struct dh_ticket t;
    CHECK_REQ(export_app(name, &t) == DH_OK);
    struct dh_rows all;
    CHECK_REQ(doget(&t, &all) == DH_OK);
    int64_t n = all.batch.length;
    check_page(&t, &all, 0, PAGE, NULL);
    if (n > PAGE)
        check_page(&t, &all, n - PAGE, PAGE, NULL);
    if (expect_nulls) {
        int64_t nulls = 0;
        for (size_t c = 0; c < all.batch.n_columns; c++)
            nulls += all.batch.columns[c].null_count;
        CHECK(nulls > 0);
    }
    dh_rows_reset(&all);
    CHECK_INT(dh_release(sess, &t, NULL), DH_OK);
}

static void test_small_tables(void)
{
    check_small("nulls", 1);
    check_small("hostile", 0);
    check_small("wide", 0);
    check_small("empty", 0);
}

/* A ticking table: the snapshot reports a size and returns rows. */
static void test_ticking(void)
{
    struct dh_ticket t;
    CHECK_REQ(export_app("quotes", &t) == DH_OK);
    struct dh_rows w;
    memset(&w, 0, sizeof w);
    struct dh_error err;
    dh_error_clear(&err);
    CHECK_INT(dh_table_snapshot(sess, &t, 0, PAGE, NULL, &w, NULL, &err), DH_OK);
    CHECK(w.table_size > 0);
    CHECK(w.batch.length > 0 && w.batch.length <= PAGE);
    dh_rows_reset(&w);
    CHECK_INT(dh_release(sess, &t, NULL), DH_OK);
}

/* Errors: a non-table and an unknown ticket come back as gRPC statuses. */
static void test_errors(void)
{
    struct dh_ticket t;
    struct dh_rows w;
    memset(&w, 0, sizeof w);
    struct dh_error err;
    dh_ticket_make_app(&t, "demo", "price_plot", NULL);
    dh_error_clear(&err);
    CHECK_INT(dh_table_snapshot(sess, &t, 0, PAGE, NULL, &w, NULL, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, 9);
    CHECK(dh_ticket_make_shared_random(&t, NULL) == DH_OK);
    dh_error_clear(&err);
    CHECK_INT(dh_table_snapshot(sess, &t, 0, PAGE, NULL, &w, NULL, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, 5);
    CHECK_INT(w.batch.length, 0);
    dh_rows_reset(&w);
}

/* Cancellation from another thread through the slot. */
struct cancel_run {
    struct dh_ticket t;
    struct dh_stream *volatile slot;
    int rc;
    struct dh_error err;
};

static void *doget_thread(void *arg)
{
    struct cancel_run *c = arg;
    struct dh_rows all;
    memset(&all, 0, sizeof all);
    c->rc = dh_table_doget(sess, &c->t, &all, &c->slot, &c->err);
    dh_rows_reset(&all);
    return NULL;
}

static void *snapshot_thread(void *arg)
{
    struct cancel_run *c = arg;
    struct dh_rows w;
    memset(&w, 0, sizeof w);
    c->rc = dh_table_snapshot(sess, &c->t, 0, PAGE, NULL, &w, &c->slot, &c->err);
    dh_rows_reset(&w);
    return NULL;
}

/* Cancels racing with calls that start and end: each call ends OK or
 * cancelled, and nothing is used after free (ASan). */
static void test_cancel_races(void)
{
    struct cancel_run *c = calloc(1, sizeof *c);
    CHECK_REQ(c);
    CHECK_REQ(export_app("trades", &c->t) == DH_OK);
    int ok = 0, cancelled = 0, other = 0;
    for (int i = 0; i < 60; i++) {
        pthread_t th;
        c->rc = -100;
        CHECK_REQ(pthread_create(&th, NULL, snapshot_thread, c) == 0);
        sleep_ms(i % 4);
        for (int k = 0; k < 50; k++)
            dh_table_cancel(&c->slot);
        pthread_join(th, NULL);
        ok += c->rc == DH_OK;
        cancelled += c->rc == DH_ECANCELLED;
        other += c->rc != DH_OK && c->rc != DH_ECANCELLED;
        CHECK(c->slot == NULL);
    }
    fprintf(stderr, "  races: %d completed, %d cancelled, %d other\n", ok, cancelled, other);
    CHECK_INT(other, 0);
    CHECK_INT(dh_release(sess, &c->t, NULL), DH_OK);
    free(c);
}

static void test_cancel(void)
{
    struct cancel_run *c = calloc(1, sizeof *c);
    CHECK_REQ(c);
    CHECK_REQ(export_app("trades", &c->t) == DH_OK);
    pthread_t th;
    CHECK_REQ(pthread_create(&th, NULL, doget_thread, c) == 0);
    struct dh_stream *st = NULL;
    for (int i = 0; i < 2000 && !st; i++) {
        st = __atomic_load_n(&c->slot, __ATOMIC_SEQ_CST);
        if (!st)
            sleep_ms(1);
    }
    CHECK(st != NULL);
    double t0 = now_ms();
    dh_table_cancel(&c->slot);
    pthread_join(th, NULL);
    fprintf(stderr, "  cancelled DoGet returned after %.1f ms: %s\n", now_ms() - t0,
            c->err.msg);
    CHECK_INT(c->rc, DH_ECANCELLED);
    CHECK(c->slot == NULL);
    CHECK_INT(dh_release(sess, &c->t, NULL), DH_OK);
    free(c);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: itest_rows PORT\n");
        return 2;
    }
    port = atoi(argv[1]);
    struct dh_connect_options o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.port = port;
    o.call_timeout_ms = 60000;
    struct dh_error err;
    dh_error_clear(&err);
    sess = dh_session_connect(&o, &err);
    if (!sess) {
        fprintf(stderr, "connect: %s\n", err.msg);
        return 1;
    }
    static const struct check_test tests[] = {T(test_trades_pages), T(test_small_tables),
                                              T(test_ticking), T(test_errors), T(test_cancel),
                                              T(test_cancel_races)};
    int rc = check_main(tests, sizeof tests / sizeof tests[0]);
    dh_session_free(sess);
    return rc;
}
