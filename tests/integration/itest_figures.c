/* SPDX-License-Identifier: MIT */
/* itest_figures: the two newer figure kinds against the demo server. A plot_by
 * figure (price_by_sym) arrives as one multi-series over a partitioned table
 * whose key column and merged table the fetch reads; a plot-express figure
 * (price_px) as a series per trace, each on its own table. Both plot the same
 * data: every key's rows in the merge equal that key's plot-express table.
 * Run by test_figures.sh: itest_figures PORT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_client.h"
#include "dh_clock.h"
#include "dh_exports.h"
#include "dh_express.h"
#include "dh_object_stream.h"
#include "dh_figure.h"
#include "dh_format.h"
#include "itest_util.h"

static int port;

/* Column `name` of r, or NULL. */
static const struct dh_column_view *col(const struct dh_rows *r, const char *name)
{
    for (size_t i = 0; i < r->schema.n_fields && i < r->batch.n_columns; i++)
        if (strcmp(r->schema.fields[i].name, name) == 0)
            return &r->batch.columns[i];
    return NULL;
}

/* Cell text. */
static const char *cell(const struct dh_column_view *c, int64_t i, char *buf, size_t n)
{
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    dh_format_cell(c, i, &o, buf, n);
    return buf;
}

static int read_all(struct dh_session *s, const struct dh_ticket *t, struct dh_rows *out)
{
    struct dh_error err;
    dh_error_clear(&err);
    int rc = dh_table_doget(s, t, out, NULL, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  doget: %s\n", err.msg);
    return rc;
}

static const char *const keys[] = {"AAPL", "GOOG", "MSFT"};

static void test_both(void)
{
    struct dh_session *s = it_connect(port);
    CHECK_REQ(s);
    struct dh_ticket by_t, px_t;
    CHECK_REQ(it_export_app(s, "price_by_sym", &by_t) == DH_OK);
    CHECK_REQ(it_export_app(s, "price_px", &px_t) == DH_OK);

    /* plot_by: one template series naming partitioned table 0, keyed by Sym. */
    struct dh_figure *by = NULL;
    struct dh_error err;
    dh_error_clear(&err);
    CHECK_INT(dh_figure_fetch(s, &by_t, &by, &err), DH_OK);
    if (!by)
        fprintf(stderr, "  fetch price_by_sym: %s\n", err.msg);
    CHECK_REQ(by && by->n_charts == 1 && by->charts[0].n_series == 1);
    const struct dh_figure_series *ms = &by->charts[0].series[0];
    CHECK_STR(ms->name, "Price by Sym");
    CHECK_STR(ms->x_column, "Timestamp");
    CHECK_STR(ms->y_column, "Price");
    CHECK_INT(ms->partitioned_index, 0);
    CHECK_INT(by->n_tables, 0);
    CHECK_INT(by->n_errors, 0);
    CHECK_REQ(by->n_partitioned == 1);
    const struct dh_figure_partitioned *pt = &by->partitioned[0];
    CHECK_REQ(pt->n_keys == 1);
    CHECK_STR(pt->keys[0], "Sym");
    CHECK_REQ(pt->merged.len > 0);

    /* plot-express: a line trace per key, trace i on reference i. */
    struct dh_figure *px = NULL;
    CHECK_INT(dh_figure_fetch(s, &px_t, &px, &err), DH_OK);
    CHECK_REQ(px && px->is_express && px->n_charts == 1);
    CHECK_STR(px->title, "Prices by Sym");
    CHECK_REQ(px->charts[0].n_series == 3 && px->n_tables == 3);

    struct dh_rows merged = {0};
    CHECK_REQ(read_all(s, &pt->merged, &merged) == DH_OK);
    CHECK_INT(merged.batch.length, 600);
    const struct dh_column_view *msym = col(&merged, "Sym"), *mprice = col(&merged, "Price");
    CHECK_REQ(msym && mprice);
    for (size_t k = 0; k < 3; k++) {
        const struct dh_figure_series *se = &px->charts[0].series[k];
        CHECK_STR(se->name, keys[k]);
        CHECK_INT(se->plot_style, 2);
        CHECK_STR(se->x_column, "Timestamp");
        CHECK_STR(se->y_column, "Price");
        CHECK_INT(se->table_index, (int)k);
        struct dh_rows one = {0};
        CHECK_REQ(read_all(s, &px->tables[k], &one) == DH_OK);
        CHECK_INT(one.batch.length, 200);
        const struct dh_column_view *price = col(&one, "Price");
        CHECK_REQ(price);
        /* The merge's rows of this key, in order, are this table's rows. */
        int64_t j = 0, mismatches = 0;
        char a[64], b[64];
        for (int64_t i = 0; i < merged.batch.length; i++) {
            if (strcmp(cell(msym, i, a, sizeof a), keys[k]) != 0)
                continue;
            if (j >= one.batch.length ||
                strcmp(cell(mprice, i, a, sizeof a), cell(price, j, b, sizeof b)) != 0)
                mismatches++;
            j++;
        }
        CHECK_INT(j, 200);
        CHECK_INT(mismatches, 0);
        dh_rows_reset(&one);
    }
    dh_rows_reset(&merged);

    /* Released: the merged export is gone from the server. */
    struct dh_ticket merged_t = pt->merged;
    dh_figure_release(s, by);
    dh_figure_release(s, px);
    struct dh_rows gone = {0};
    dh_error_clear(&err);
    CHECK(dh_table_doget(s, &merged_t, &gone, NULL, &err) != DH_OK);
    dh_rows_reset(&gone);
    dh_figure_free(by);
    dh_figure_free(px);
    dh_release(s, &by_t, NULL);
    dh_release(s, &px_t, NULL);
    dh_session_free(s);
}

/* Take the next message of w into k; the figure, or NULL. */
static struct dh_figure *next_figure(struct dh_object_watch *w, struct dh_express_refs *k,
                                     struct dh_ticket *removed, size_t *n_removed)
{
    struct dh_object_reply r = {0};
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_figure *f = NULL;
    int rc = dh_object_watch_next(w, &r, &err);
    if (rc == DH_OK)
        rc = dh_express_take(k, r.payload, r.payload_len, r.refs, (const char *const *)r.types,
                             r.n_refs, &f, removed, n_removed, 8, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  next message: %s\n", err.msg);
    dh_object_reply_reset(&r);
    return f;
}

/* plot-express keeps its stream open and sends the figure again when it
 * changes (the demo: once, a second in): the later message's new reference
 * joins those of the first, its removed one leaves, and every trace's table
 * is read through what the stream sent so far. */
static void test_express_updates(void)
{
    struct dh_session *s = it_connect(port);
    CHECK_REQ(s);
    struct dh_ticket px_t;
    CHECK_REQ(it_export_app(s, "price_px", &px_t) == DH_OK);
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_object_watch *w = dh_object_watch_open(s, &px_t, DH_EXPRESS_TYPE, &err);
    if (!w)
        fprintf(stderr, "  open: %s\n", err.msg);
    CHECK_REQ(w);
    struct dh_express_refs k = {0};
    struct dh_ticket removed[8];
    size_t n_removed = 0;
    struct dh_figure *f1 = next_figure(w, &k, removed, &n_removed);
    CHECK_REQ(f1 && f1->charts[0].n_series == 3);
    CHECK_STR(f1->title, "Prices by Sym");
    CHECK_INT(k.n, 3);
    CHECK_INT(n_removed, 0);
    struct dh_ticket first0 = k.tickets[0];

    struct dh_figure *f2 = next_figure(w, &k, removed, &n_removed);
    CHECK_REQ(f2 && f2->charts[0].n_series == 3);
    CHECK_STR(f2->title, "Prices by Sym (updated)");
    CHECK_INT(k.n, 4); /* the new reference joined the three before */
    CHECK_INT(n_removed, 1);
    CHECK(dh_ticket_equal(&removed[0], &first0));
    CHECK_INT(k.tickets[0].len, 0);
    CHECK_INT(f2->charts[0].series[0].table_index, 3);
    CHECK_INT(f2->charts[0].series[1].table_index, 1); /* kept from the first message */
    for (size_t i = 0; i < 3; i++) {
        const struct dh_figure_series *se = &f2->charts[0].series[i];
        CHECK_STR(se->name, keys[i]);
        CHECK_REQ(se->table_index >= 0 && (size_t)se->table_index < f2->n_tables);
        struct dh_rows one = {0};
        CHECK_REQ(read_all(s, &f2->tables[se->table_index], &one) == DH_OK);
        CHECK_INT(one.batch.length, 200);
        dh_rows_reset(&one);
    }
    /* the removed reference is the caller's to release; then it is gone */
    dh_release(s, &removed[0], NULL);
    struct dh_rows gone = {0};
    CHECK(dh_table_doget(s, &first0, &gone, NULL, &err) != DH_OK);
    dh_rows_reset(&gone);

    dh_object_watch_free(w);
    for (size_t i = 0; i < k.n; i++)
        if (k.tickets[i].len)
            dh_release(s, &k.tickets[i], NULL);
    dh_express_refs_reset(&k);
    dh_figure_free(f1);
    dh_figure_free(f2);
    dh_release(s, &px_t, NULL);
    dh_session_free(s);
}

/* The next DH_EV_FIGURE of request req within 10 s, or NULL. */
static struct dh_event *next_figure_event(struct dh_client *c, uint64_t req)
{
    for (int64_t until = dh_now_ms() + 10000; dh_now_ms() < until;) {
        struct dh_event *ev = dh_client_next_event(c);
        if (ev && ev->kind == DH_EV_FIGURE && ev->req == req)
            return ev;
        dh_event_free(ev);
        if (!ev)
            it_sleep_ms(20);
    }
    return NULL;
}

/* Through the client: dh_client_watch_figure posts the figure now, then its
 * change, each with tables that read; cancelling ends the stream. */
static void test_client_watch(void)
{
    struct dh_client *c = it_client_new(port, 300);
    CHECK_REQ(c);
    struct dh_source src = {.epoch = 0};
    struct dh_error err;
    CHECK_REQ(dh_ticket_parse(&src.ticket, "s/price_px", strlen("s/price_px"), &err) == DH_OK);
    uint64_t req = dh_client_watch_figure(c, &src);
    struct dh_event *ev = next_figure_event(c, req);
    CHECK_REQ(ev && ev->ok && ev->fetched && ev->fetched->figure);
    CHECK_STR(ev->fetched->figure->title, "Prices by Sym");
    dh_event_free(ev);
    ev = next_figure_event(c, req);
    CHECK_REQ(ev && ev->ok && ev->fetched && ev->fetched->figure);
    const struct dh_figure *f = ev->fetched->figure;
    CHECK_STR(f->title, "Prices by Sym (updated)");
    CHECK_REQ(f->n_charts == 1 && f->charts[0].n_series == 3);
    int idx = f->charts[0].series[0].table_index;
    CHECK_REQ(idx >= 0 && (size_t)idx < f->n_tables);
    uint64_t rows =
        dh_client_rows(c, &(struct dh_source){f->tables[idx], ev->fetched->epoch}, 0, 10);
    dh_event_free(ev);
    struct dh_event *r = NULL;
    for (int64_t until = dh_now_ms() + 10000; dh_now_ms() < until && !r;) {
        r = dh_client_next_event(c);
        if (r && !(r->kind == DH_EV_ROWS && r->req == rows)) {
            dh_event_free(r);
            r = NULL;
        }
        if (!r)
            it_sleep_ms(20);
    }
    CHECK_REQ(r && r->ok && r->rows);
    CHECK_INT(r->rows->batch.length, 10);
    dh_event_free(r);
    dh_client_cancel(c, req);
    dh_client_free(c);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: itest_figures PORT\n");
        return 2;
    }
    port = atoi(argv[1]);
    CHECK_RUN(T(test_both), T(test_express_updates), T(test_client_watch));
}
