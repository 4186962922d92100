/* SPDX-License-Identifier: MIT */
/* itest_tree_live: a live tree window (dh_client_watch_tree) of the demo server's
 * rollup of the ticking quotes (`add qr rollup quotes`, made by test_tree_live.sh):
 * the updates come without asking and the total grows; a new set of expansions is a
 * new view (AAPL expanded in its first rows); after several updates the live window
 * equals a fresh View of the same expansions read in another session at the same
 * moment of the source; moving the window with the same expansions moves the open
 * subscription (no new one); cancelled, nothing more comes. Usage: itest_tree_live
 * PORT */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_client.h"
#include "dh_hier.h"
#include "itest_util.h"

static int objects_with(const struct dh_event *ev, void *arg)
{
    return ev->kind == DH_EV_OBJECTS && dh_object_list_find(ev->objects, arg) != NULL;
}

static int is_req(const struct dh_event *ev, void *arg)
{
    return ev->req == *(uint64_t *)arg;
}

static long col(const struct dh_hier_info *h, const char *name)
{
    for (size_t c = 0; c < h->schema.n_fields; c++)
        if (strcmp(h->schema.fields[c].name, name) == 0)
            return (long)c;
    return -1;
}

/* The row of rows r whose Sym is sym at depth 2, or -1. */
static int64_t sym_row(const struct dh_hier_info *h, const struct dh_rows *r, const char *sym)
{
    const struct dh_column_view *c = dh_rows_column(r, (size_t)col(h, "Sym"));
    for (int64_t i = 0; i < r->batch.length; i++) {
        const uint8_t *p;
        size_t n;
        if (dh_hier_row_depth(h, r, i) == 2 && !dh_column_is_null(c, i) &&
            dh_column_get_bytes(c, i, &p, &n) == DH_OK && n == strlen(sym) &&
            memcmp(p, sym, n) == 0)
            return i;
    }
    return -1;
}

/* The grand total's Count (row 0), or -1. */
static int64_t total_count(const struct dh_hier_info *h, const struct dh_rows *r)
{
    if (r->first != 0 || r->batch.length == 0 || dh_hier_row_depth(h, r, 0) != 1)
        return -1;
    return dh_column_get_i64(dh_rows_column(r, (size_t)col(h, "Count")), 0);
}

/* The next live rows of req (the event's rows taken; caller frees), or NULL. */
static struct dh_rows *next_rows(struct dh_client *c, uint64_t req)
{
    struct dh_event *ev = it_wait_event(c, is_req, &req, 10000);
    struct dh_rows *r = ev && ev->kind == DH_EV_ROWS && ev->ok ? ev->rows : NULL;
    if (ev && !ev->ok)
        fprintf(stderr, "  live window: %s\n", ev->err.msg);
    if (r)
        ev->rows = NULL;
    dh_event_free(ev);
    return r;
}

static void rows_free(struct dh_rows *r)
{
    if (r)
        dh_rows_reset(r);
    free(r);
}

/* A fresh view of t with keys k in session s: rows [0, 100). */
static int fresh_rows(struct dh_session *s, const struct dh_ticket *t, const struct dh_hier_keys *k,
                      struct dh_rows *out)
{
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_ticket v;
    int rc = dh_hier_view(s, t, k, &v, &err);
    if (rc == DH_OK) {
        rc = dh_hier_read(s, &v, 0, 100, out, &err);
        dh_release(s, &v, &err);
    }
    if (rc != DH_OK)
        fprintf(stderr, "  fresh view: %s\n", err.msg);
    return rc;
}

static int g_port;

static void test_live_tree(void)
{
    int port = g_port;
    struct dh_client *c = it_client_new(port, 0);
    CHECK_REQ(c != NULL);
    struct dh_event *ev = it_wait_event(c, objects_with, "qr", 10000);
    CHECK_REQ(ev != NULL);
    struct dh_object obj;
    CHECK_REQ(dh_object_copy(&obj, dh_object_list_find(ev->objects, "qr")) == DH_OK);
    dh_event_free(ev);

    uint64_t req = dh_client_open(c, &obj);
    ev = it_wait_event(c, is_req, &req, 10000);
    CHECK_REQ(ev && ev->kind == DH_EV_FETCHED && ev->ok && ev->fetched->kind == DH_KIND_HIER);
    struct dh_hier_info *h = ev->fetched->hier;
    ev->fetched->hier = NULL;
    struct dh_source src = {ev->fetched->export_ticket, ev->fetched->epoch};
    dh_event_free(ev);
    CHECK_INT(h->is_static, 0);
    CHECK_REQ(h->is_rollup && col(h, "Sym") >= 0 && col(h, "Count") >= 0);

    /* The default view, live: updates come by themselves and the total grows. */
    req = dh_client_watch_tree(c, &src, NULL, 0, 100);
    struct dh_rows *r = next_rows(c, req);
    CHECK_REQ(r != NULL);
    int64_t first_total = total_count(h, r);
    CHECK(first_total > 0);
    int64_t aapl = sym_row(h, r, "AAPL");
    CHECK_REQ(aapl > 0);
    CHECK_INT(dh_hier_row_expanded(h, r, aapl), 0);
    struct dh_hier_keys *k = dh_hier_keys_new();
    struct dh_error err;
    dh_error_clear(&err);
    CHECK_REQ(k && dh_hier_keys_set(k, h, r, aapl, DH_HIER_EXPAND, &err) == DH_OK);
    rows_free(r);
    r = next_rows(c, req);
    CHECK_REQ(r != NULL);
    CHECK(total_count(h, r) > first_total);
    rows_free(r);

    /* New expansions: a new view, AAPL open in its first rows, still ticking. */
    struct dh_client_stats st0, st1;
    dh_client_get_stats(c, &st0);
    req = dh_client_watch_tree(c, &src, k, 0, 100);
    r = next_rows(c, req);
    CHECK_REQ(r != NULL);
    aapl = sym_row(h, r, "AAPL");
    CHECK_INT(aapl >= 0 ? dh_hier_row_expanded(h, r, aapl) : -2, 1);
    CHECK(aapl >= 0 && aapl + 1 < r->batch.length && dh_hier_row_depth(h, r, aapl + 1) == 3);
    int64_t total = total_count(h, r);
    rows_free(r);
    dh_client_get_stats(c, &st1);
    CHECK(st1.live_attempts > st0.live_attempts);

    /* After several updates the window equals a fresh view of the same expansions at
     * the same moment of the source (the same total; a fresh read may land on the
     * next tick, then the next update is compared). */
    struct dh_session *s = it_connect(port);
    CHECK_REQ(s != NULL);
    struct dh_ticket ex;
    CHECK_REQ(dh_export_from_ticket(s, &obj.ticket, &ex, &err) == DH_OK);
    int updates = 0, compared = 0;
    for (int i = 0; i < 15 && !compared; i++) {
        r = next_rows(c, req);
        CHECK_REQ(r != NULL);
        int64_t t = total_count(h, r);
        CHECK(t >= total);
        updates += t > total;
        total = t;
        struct dh_rows f;
        memset(&f, 0, sizeof f);
        if (updates >= 3 && fresh_rows(s, &ex, k, &f) == DH_OK && total_count(h, &f) == t) {
            compared = 1;
            CHECK_INT(f.table_size, r->table_size);
            CHECK_INT(f.batch.length, r->batch.length);
            CHECK_INT(f.schema.n_fields, r->schema.n_fields);
            if (f.batch.length == r->batch.length && f.schema.n_fields == r->schema.n_fields)
                CHECK_INT(it_compare_cells(r, &f, 0, NULL), 0);
        }
        dh_rows_reset(&f);
        rows_free(r);
    }
    CHECK(updates >= 3);
    CHECK(compared);

    /* The same expansions, another window: the open subscription moves. */
    dh_client_get_stats(c, &st0);
    req = dh_client_watch_tree(c, &src, k, 1, 5);
    r = next_rows(c, req);
    CHECK_REQ(r != NULL);
    CHECK_INT(r->first, 1);
    CHECK_INT(r->batch.length, 5);
    CHECK_INT(dh_hier_row_depth(h, r, 0), 2);
    rows_free(r);
    dh_client_get_stats(c, &st1);
    CHECK_INT(st1.live_attempts, st0.live_attempts);
    CHECK(st1.live_changes > st0.live_changes);

    /* Cancelled: nothing more comes. */
    dh_client_cancel(c, req);
    ev = it_wait_event(c, is_req, &req, 1500);
    CHECK(ev == NULL);
    dh_event_free(ev);

    struct dh_error ignored;
    dh_release(s, &ex, &ignored);
    dh_session_free(s);
    dh_hier_keys_free(k);
    dh_hier_info_reset(h);
    free(h);
    dh_object_reset(&obj);
    dh_client_free(c);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: itest_tree_live PORT\n");
        return 2;
    }
    g_port = atoi(argv[1]);
    CHECK_RUN(T(test_live_tree));
}
