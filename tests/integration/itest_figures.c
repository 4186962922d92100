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
#include "dh_express.h"
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

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: itest_figures PORT\n");
        return 2;
    }
    port = atoi(argv[1]);
    CHECK_RUN(T(test_both));
}
