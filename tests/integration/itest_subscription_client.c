/* SPDX-License-Identifier: MIT */
/* itest_subscription_client: libdh's live viewport subscriptions
 * (dh_subscription_*) against the demo server: the ticking quotes table's
 * first page filling up, a viewport moved to the end of the table receiving
 * appends, every update checked cell for cell against a viewport snapshot of
 * the same positions (quotes rows depend only on their position), a static
 * table, cancellation from another thread, and a refused ticket.
 * Run by test_subscription_client.sh:  itest_subscription_client PORT */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_exports.h"
#include "dh_session.h"
#include "dh_subscription.h"
#include "dh_table.h"
#include "dh_ticket.h"
#include "itest_util.h"

static struct dh_session *sess;

/* Compare the subscription's rows with a snapshot of the same positions. */
static long compare_with_snapshot(const struct dh_ticket *t, const struct dh_rows *w)
{
    struct dh_rows snap;
    memset(&snap, 0, sizeof snap);
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_table_snapshot(sess, t, w->first, w->batch.length, NULL, &snap, NULL, &err) != DH_OK) {
        fprintf(stderr, "  snapshot: %s\n", err.msg);
        return -1;
    }
    long bad = 0;
    if (snap.batch.length != w->batch.length || snap.schema.n_fields != w->schema.n_fields) {
        fprintf(stderr, "  snapshot has %lld rows, subscription %lld\n",
                (long long)snap.batch.length, (long long)w->batch.length);
        bad = 1;
    } else {
        bad = it_compare_cells(w, &snap, 0, NULL);
    }
    dh_rows_reset(&snap);
    return bad;
}

/* The first page of quotes: a snapshot, then appends until it is full. */
static void test_first_page(void)
{
    struct dh_ticket t;
    CHECK_REQ(it_export_app(sess, "quotes", &t) == DH_OK);
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_subscription *sub = dh_subscription_open(sess, &t, 0, 50, 100, 0, &err);
    if (!sub)
        fprintf(stderr, "  open: %s\n", err.msg);
    CHECK_REQ(sub);
    struct dh_rows w;
    memset(&w, 0, sizeof w);
    int64_t last_size = -1, updates = 0;
    while (updates < 20) {
        int rc = dh_subscription_next(sub, &w, &err);
        if (rc != DH_OK)
            fprintf(stderr, "  next: %d %s\n", rc, err.msg);
        CHECK_REQ(rc == DH_OK);
        updates++;
        CHECK_INT(w.first, 0);
        CHECK(w.table_size >= last_size);
        int64_t want = w.table_size < 50 ? w.table_size : 50;
        CHECK_INT(w.batch.length, want);
        CHECK_INT(w.schema.n_fields, 6);
        CHECK_INT(compare_with_snapshot(&t, &w), 0);
        last_size = w.table_size;
        if (w.batch.length == 50 && updates >= 3)
            break;
    }
    CHECK_INT(w.batch.length, 50);
    CHECK(updates >= 3); /* ticks kept coming */
    dh_rows_reset(&w);
    dh_subscription_free(sub);
}

/* Move the viewport to the end of the table: a snapshot there, then appends. */
static void test_move_to_end(void)
{
    struct dh_ticket t;
    CHECK_REQ(it_export_app(sess, "quotes", &t) == DH_OK);
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_subscription *sub = dh_subscription_open(sess, &t, 0, 10, 100, 0, &err);
    CHECK_REQ(sub);
    struct dh_rows w;
    memset(&w, 0, sizeof w);
    CHECK_REQ(dh_subscription_next(sub, &w, &err) == DH_OK);
    int64_t first = w.table_size > 5 ? w.table_size - 5 : 0;
    CHECK_REQ(dh_subscription_set_viewport(sub, first, 40, &err) == DH_OK);
    int moved = 0, grew = 0;
    int64_t prev_len = -1;
    for (int i = 0; i < 60 && grew < 3; i++) {
        int rc = dh_subscription_next(sub, &w, &err);
        if (rc != DH_OK)
            fprintf(stderr, "  next: %d %s\n", rc, err.msg);
        CHECK_REQ(rc == DH_OK);
        if (w.first != first) {
            CHECK(!moved); /* once moved, it stays */
            continue;
        }
        moved = 1;
        int64_t want = w.table_size - first < 40 ? w.table_size - first : 40;
        CHECK_INT(w.batch.length, want);
        CHECK_INT(compare_with_snapshot(&t, &w), 0);
        if (prev_len >= 0 && w.batch.length > prev_len)
            grew++;
        prev_len = w.batch.length;
    }
    CHECK(moved);
    CHECK(grew >= 1);
    dh_rows_reset(&w);
    dh_subscription_free(sub);
}

struct canceller {
    struct dh_subscription *sub;
    long after_ms;
};

static void *cancel_later(void *arg)
{
    struct canceller *c = arg;
    it_sleep_ms(c->after_ms);
    dh_subscription_cancel(c->sub);
    return NULL;
}

/* A static table: one snapshot, then nothing until we cancel from another thread. */
static void test_static_and_cancel(void)
{
    struct dh_ticket t;
    CHECK_REQ(it_export_app(sess, "trades", &t) == DH_OK);
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_subscription *sub = dh_subscription_open(sess, &t, 100, 30, 100, 0, &err);
    CHECK_REQ(sub);
    struct dh_rows w;
    memset(&w, 0, sizeof w);
    CHECK_REQ(dh_subscription_next(sub, &w, &err) == DH_OK);
    CHECK_INT(w.first, 100);
    CHECK_INT(w.batch.length, 30);
    CHECK_INT(compare_with_snapshot(&t, &w), 0);
    struct canceller c = {sub, 300};
    pthread_t th;
    CHECK_REQ(pthread_create(&th, NULL, cancel_later, &c) == 0);
    int64_t t0 = dh_now_ms();
    int rc;
    do
        rc = dh_subscription_next(sub, &w, &err);
    while (rc == DH_OK);
    int64_t waited = dh_now_ms() - t0;
    pthread_join(th, NULL);
    CHECK_INT(rc, DH_ECANCELLED);
    CHECK(waited < 5000);
    CHECK_INT(dh_subscription_next(sub, &w, &err), DH_ECANCELLED); /* and stays so */
    CHECK_INT(dh_subscription_set_viewport(sub, 0, 5, &err), DH_ECANCELLED);
    dh_rows_reset(&w);
    dh_subscription_free(sub);
}

/* Cancel while another thread changes the viewport and reads (the ticking table). */
static void test_cancel_ticking(void)
{
    struct dh_ticket t;
    CHECK_REQ(it_export_app(sess, "quotes", &t) == DH_OK);
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_subscription *sub = dh_subscription_open(sess, &t, 0, 20, 50, 0, &err);
    CHECK_REQ(sub);
    struct canceller c = {sub, 400};
    pthread_t th;
    CHECK_REQ(pthread_create(&th, NULL, cancel_later, &c) == 0);
    struct dh_rows w;
    memset(&w, 0, sizeof w);
    int rc, n = 0;
    while ((rc = dh_subscription_next(sub, &w, &err)) == DH_OK)
        if (++n % 2)
            dh_subscription_set_viewport(sub, n, 20, NULL);
    pthread_join(th, NULL);
    CHECK_INT(rc, DH_ECANCELLED);
    CHECK(n >= 1);
    dh_rows_reset(&w);
    dh_subscription_free(sub);
}

/* Refused tickets: the call's status comes back from dh_subscription_next. */
static void expect_refused(const struct dh_ticket *t, int grpc_status)
{
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_subscription *sub = dh_subscription_open(sess, t, 0, 10, 100, 0, &err);
    int rc = sub ? DH_OK : err.code;
    struct dh_rows w;
    memset(&w, 0, sizeof w);
    if (sub)
        rc = dh_subscription_next(sub, &w, &err);
    CHECK_INT(rc, DH_EGRPC);
    CHECK_INT(err.grpc_status, grpc_status);
    CHECK(err.msg[0] != 0);
    CHECK_INT(w.batch.length, 0);
    if (sub) /* the end is kept */
        CHECK_INT(dh_subscription_next(sub, &w, &err), DH_EGRPC);
    dh_rows_reset(&w);
    dh_subscription_free(sub);
}

static void test_refused(void)
{
    struct dh_ticket t;
    dh_ticket_make_app(&t, "demo", "price_plot", NULL);
    expect_refused(&t, DH_GRPC_FAILED_PRECONDITION); /* not a subscribable table */
    CHECK_REQ(dh_ticket_make_shared_random(&t, NULL) == DH_OK);
    expect_refused(&t, DH_GRPC_NOT_FOUND);
    dh_subscription_free(NULL);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: itest_subscription_client PORT\n");
        return 2;
    }
    sess = it_connect(atoi(argv[1]));
    if (!sess)
        return 1;
    static const struct check_test tests[] = {T(test_first_page), T(test_move_to_end),
                                              T(test_static_and_cancel), T(test_cancel_ticking),
                                              T(test_refused)};
    int rc = check_main(tests, sizeof tests / sizeof tests[0]);
    dh_session_free(sess);
    return rc;
}
