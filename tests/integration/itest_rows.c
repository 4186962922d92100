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

#include "check.h"
#include "dh_exports.h"
#include "dh_session.h"
#include "dh_table.h"
#include "dh_ticket.h"
#include "itest_util.h"

#define PAGE 40

static struct dh_session *sess;

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
    CHECK_INT(it_compare_cells(&w, all, w.first, cols ? cols->bits : NULL), 0);
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
    CHECK_REQ(it_export_app(sess, "trades", &t) == DH_OK);
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

    check_page(&t, &all, 0, PAGE, NULL);         /* page 1 */
    check_page(&t, &all, n / 2 - 7, PAGE, NULL); /* a middle page */
    check_page(&t, &all, n - PAGE, PAGE, NULL);  /* the last page */
    check_page(&t, &all, n - 10, PAGE, NULL);    /* runs off the end: clipped */
    check_page(&t, &all, n + 100, PAGE, NULL);   /* past the end: no rows */
    check_page(&t, &all, 5000, 10000, NULL);     /* several server batches */
    uint8_t bits[8] = {0x05};                    /* columns {0, 2} */
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
    CHECK_REQ(it_export_app(sess, name, &t) == DH_OK);
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
    CHECK_REQ(it_export_app(sess, "quotes", &t) == DH_OK);
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
    CHECK_INT(err.grpc_status, DH_GRPC_FAILED_PRECONDITION);
    CHECK(dh_ticket_make_shared_random(&t, NULL) == DH_OK);
    dh_error_clear(&err);
    CHECK_INT(dh_table_snapshot(sess, &t, 0, PAGE, NULL, &w, NULL, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_NOT_FOUND);
    CHECK_INT(w.batch.length, 0);
    dh_rows_reset(&w);
}

/* Cancellation from another thread through a dh_cancel switch. */
struct cancel_run {
    struct dh_ticket t;
    struct dh_cancel *cancel;
    int rc;
    struct dh_error err;
};

static void *doget_thread(void *arg)
{
    struct cancel_run *c = arg;
    struct dh_rows all;
    memset(&all, 0, sizeof all);
    c->rc = dh_table_doget(sess, &c->t, &all, c->cancel, &c->err);
    dh_rows_reset(&all);
    return NULL;
}

static void *snapshot_thread(void *arg)
{
    struct cancel_run *c = arg;
    struct dh_rows w;
    memset(&w, 0, sizeof w);
    c->rc = dh_table_snapshot(sess, &c->t, 0, PAGE, NULL, &w, c->cancel, &c->err);
    dh_rows_reset(&w);
    return NULL;
}

static struct cancel_run *cancel_run_new(void)
{
    struct cancel_run *c = calloc(1, sizeof *c);
    if (c && !(c->cancel = dh_cancel_new())) {
        free(c);
        return NULL;
    }
    if (c && it_export_app(sess, "trades", &c->t) != DH_OK) {
        dh_cancel_free(c->cancel);
        free(c);
        return NULL;
    }
    return c;
}

static void cancel_run_free(struct cancel_run *c)
{
    CHECK_INT(dh_release(sess, &c->t, NULL), DH_OK);
    dh_cancel_free(c->cancel);
    free(c);
}

/* Fires racing with calls that start and end: each call ends OK or cancelled, and
 * nothing is used after free (ASan). */
static void test_cancel_races(void)
{
    struct cancel_run *c = cancel_run_new();
    CHECK_REQ(c);
    int ok = 0, cancelled = 0, other = 0;
    for (int i = 0; i < 60; i++) {
        pthread_t th;
        c->rc = -100;
        dh_cancel_reset(c->cancel);
        CHECK_REQ(pthread_create(&th, NULL, snapshot_thread, c) == 0);
        it_sleep_ms(i % 4);
        for (int k = 0; k < 50; k++)
            dh_cancel_fire(c->cancel);
        pthread_join(th, NULL);
        ok += c->rc == DH_OK;
        cancelled += c->rc == DH_ECANCELLED;
        other += c->rc != DH_OK && c->rc != DH_ECANCELLED;
    }
    fprintf(stderr, "  races: %d completed, %d cancelled, %d other\n", ok, cancelled, other);
    CHECK_INT(other, 0);
    cancel_run_free(c);
}

/* A whole-table DoGet (seconds) ends at once when the switch fires; a fire before a
 * call starts is not lost, and a reset lets calls run again. */
static void test_cancel(void)
{
    struct cancel_run *c = cancel_run_new();
    CHECK_REQ(c);
    pthread_t th;
    CHECK_REQ(pthread_create(&th, NULL, doget_thread, c) == 0);
    it_sleep_ms(50);
    double t0 = now_ms();
    dh_cancel_fire(c->cancel);
    pthread_join(th, NULL);
    fprintf(stderr, "  cancelled DoGet returned after %.1f ms: %s\n", now_ms() - t0, c->err.msg);
    CHECK_INT(c->rc, DH_ECANCELLED);
    CHECK(now_ms() - t0 < 1000);

    snapshot_thread(c); /* still fired: cancelled before it reads anything */
    CHECK_INT(c->rc, DH_ECANCELLED);
    dh_cancel_reset(c->cancel);
    snapshot_thread(c);
    CHECK_INT(c->rc, DH_OK);
    cancel_run_free(c);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: itest_rows PORT\n");
        return 2;
    }
    sess = it_connect(atoi(argv[1]));
    if (!sess)
        return 1;
    static const struct check_test tests[] = {T(test_trades_pages), T(test_small_tables),
                                              T(test_ticking),      T(test_errors),
                                              T(test_cancel),       T(test_cancel_races)};
    int rc = check_main(tests, sizeof tests / sizeof tests[0]);
    dh_session_free(sess);
    return rc;
}
