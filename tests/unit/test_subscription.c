/* SPDX-License-Identifier: MIT */
/* test_subscription: the viewport state of a Barrage subscription fed one
 * FlightData message at a time (docs/PROTOCOL.md, Barrage updates): snapshots, appends,
 * removals with adds, per-column modifications split over batches of unequal
 * column lengths, viewport changes, empty updates, and malformed updates;
 * plus the type-5 request bytes. Messages are built with dh_fbb and
 * dh_barrage_encode_update. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "check.h"
#include "dh_barrage.h"
#include "dh_fbb.h"
#include "dh_rowset.h"
#include "dh_subscription.h"
#include "testutil.h"

/* Arrow Type union tags (Schema.fbs). */
enum { T_INT = 2, T_UTF8 = 5, T_LIST = 12 };

#define NCOLS 3 /* id Int64, name Utf8, vals List<Int32> */

static struct tu_bytes schema_msg(void)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t f[NCOLS];
    f[0] = tu_fb_field(&b, "id", T_INT, tu_fb_int_type(&b, 64), 0);
    f[1] = tu_fb_field(&b, "name", T_UTF8, tu_fb_empty_table(&b), 0);
    uint32_t item = tu_fb_field(&b, "", T_INT, tu_fb_int_type(&b, 32), 0);
    uint32_t kids = dh_fbb_create_vector_refs(&b, &item, 1);
    f[2] = tu_fb_field(&b, "vals", T_LIST, tu_fb_empty_table(&b), kids);
    return tu_schema_msg(&b, f, NCOLS);
}

/* A value is identified by a tag t: id = t; name = "n<t>", null when t % 5 == 4;
 * vals = t % 3 elements t, t+1, ... Column c of a batch holds tags[c][0..n[c]). */
struct cols {
    const int *tags[NCOLS];
    int n[NCOLS];
};

static void body_for(struct tu_body *r, const struct cols *c)
{
    memset(r, 0, sizeof *r);
    uint8_t ids[8 * 32];
    for (int i = 0; i < c->n[0]; i++)
        dh_fbb_put_i64(ids + 8 * i, c->tags[0][i]);
    tu_body_node(r, c->n[0], 0);
    tu_body_buf(r, NULL, 0);
    tu_body_buf(r, ids, 8 * (size_t)c->n[0]);

    uint8_t valid[8] = {0}, offs[4 * 33], chars[512];
    int nulls = 0, clen = 0, n = c->n[1];
    dh_fbb_put_u32(offs, 0);
    for (int i = 0; i < n; i++) {
        int t = c->tags[1][i];
        if (t % 5 == 4) {
            nulls++;
        } else {
            valid[i / 8] = (uint8_t)(valid[i / 8] | (1u << (i % 8)));
            clen += snprintf((char *)chars + clen, sizeof chars - (size_t)clen, "n%d", t);
        }
        dh_fbb_put_u32(offs + 4 * (i + 1), (uint32_t)clen);
    }
    tu_body_node(r, n, nulls);
    tu_body_buf(r, valid, nulls ? 8 : 0);
    tu_body_buf(r, offs, n ? 4 * ((size_t)n + 1) : 0);
    tu_body_buf(r, chars, (size_t)clen);

    uint8_t loffs[4 * 33], items[4 * 128];
    int ni = 0;
    n = c->n[2];
    dh_fbb_put_u32(loffs, 0);
    for (int i = 0; i < n; i++) {
        int t = c->tags[2][i];
        for (int k = 0; k < t % 3; k++)
            dh_fbb_put_u32(items + 4 * ni++, (uint32_t)(t + k));
        dh_fbb_put_u32(loffs + 4 * (i + 1), (uint32_t)ni);
    }
    tu_body_node(r, n, 0);
    tu_body_buf(r, NULL, 0);
    tu_body_buf(r, loffs, n ? 4 * ((size_t)n + 1) : 0);
    tu_body_node(r, ni, 0);
    tu_body_buf(r, NULL, 0);
    tu_body_buf(r, items, 4 * (size_t)ni);
}

/* An encoded RowSet from text: "" = empty, "1-3,7" = {1,2,3,7}. NULL -> absent. */
static struct tu_bytes rs(const char *text)
{
    struct tu_bytes out = {0};
    if (!text)
        return out;
    struct dh_rowset set;
    dh_rowset_init(&set);
    for (const char *p = text; *p;) {
        char *end;
        long long lo = strtoll(p, &end, 10), hi = lo;
        if (*end == '-')
            hi = strtoll(end + 1, &end, 10);
        dh_rowset_add_range(&set, lo, hi, NULL);
        p = *end == ',' ? end + 1 : end;
    }
    dh_rowset_encode(&set, &out.p, &out.n, NULL);
    dh_rowset_reset(&set);
    return out;
}

/* One update's metadata (RowSets as rs() text; mods[c] NULL = column c absent). */
struct meta {
    int snapshot;
    const char *removed, *added, *eff;
    const char *mods[NCOLS];
    int n_mods; /* entries of mod_column_nodes to write */
    int64_t table_size;
};

static struct tu_bytes meta_bytes(const struct meta *m)
{
    struct tu_bytes removed = rs(m->removed), added = rs(m->added), eff = rs(m->eff);
    struct tu_bytes mb[NCOLS];
    struct dh_barrage_mod_column mods[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        mb[c] = rs(m->mods[c]);
        mods[c] = (struct dh_barrage_mod_column){mb[c].p, mb[c].n};
    }
    struct dh_barrage_update u = {
        .is_snapshot = m->snapshot,
        .removed_rows = removed.p,
        .removed_rows_len = removed.n,
        .added_rows = added.p,
        .added_rows_len = added.n,
        .effective_viewport = eff.p,
        .effective_viewport_len = eff.n,
        .has_table_size = m->table_size != 0,
        .table_size = m->table_size,
    };
    struct tu_bytes out = {0};
    dh_barrage_encode_update(&u, mods, (size_t)m->n_mods, &out.p, &out.n, NULL);
    free(removed.p);
    free(added.p);
    free(eff.p);
    for (int c = 0; c < NCOLS; c++)
        free(mb[c].p);
    return out;
}

/* Apply a batch (with metadata md when md.p) and return the status; *updated
 * tells whether it completed an update. length = RecordBatch.length. */
static int send(struct dh_viewport *v, struct tu_bytes md, const struct cols *c, int64_t length,
                int *updated, struct dh_error *err)
{
    struct tu_body *b = calloc(1, sizeof *b);
    if (!b)
        return DH_ENOMEM;
    body_for(b, c);
    struct tu_bytes h = tu_rb_msg(b, length);
    int rc = dh_viewport_apply_flight_data(v, h.p, h.n, b->data, b->len, md.p, md.n, updated, err);
    free(h.p);
    free(b);
    return rc;
}

/* An add batch: every column holds tags[0..n). */
static int send_adds(struct dh_viewport *v, struct tu_bytes md, const int *tags, int n,
                     int *updated, struct dh_error *err)
{
    struct cols c = {{tags, tags, tags}, {n, n, n}};
    return send(v, md, &c, n, updated, err);
}

/* Apply metadata and the first add batch in one message; frees md. */
static int send_update(struct dh_viewport *v, const struct meta *m, const int *tags, int n,
                       int *updated, struct dh_error *err)
{
    struct tu_bytes md = meta_bytes(m);
    int rc = send_adds(v, md, tags, n, updated, err);
    free(md.p);
    return rc;
}

static struct dh_viewport *new_with_schema(int64_t first)
{
    struct dh_viewport *v = dh_viewport_new(first);
    if (!v)
        return NULL;
    struct tu_bytes s = schema_msg();
    int updated = 1;
    int rc = dh_viewport_apply_flight_data(v, s.p, s.n, NULL, 0, NULL, 0, &updated, NULL);
    free(s.p);
    if (rc != DH_OK || updated) {
        dh_viewport_free(v);
        return NULL;
    }
    return v;
}

/* Check row i of column views holds tag t in column c. */
static void check_cell(const struct dh_batch *b, int c, int64_t i, int t)
{
    const struct dh_column_view *col = &b->columns[c];
    if (c == 0) {
        CHECK_INT(dh_column_get_i64(col, i), t);
    } else if (c == 1) {
        CHECK_INT(dh_column_is_null(col, i), t % 5 == 4);
        char want[16];
        snprintf(want, sizeof want, "n%d", t);
        CHECK(t % 5 == 4 || tu_cell_is_text(col, i, want));
    } else {
        CHECK(tu_list_is_run(col, i, t, t % 3));
    }
}

/* The viewport's copy must hold, per column c, tags want[c][0..n). */
static void check_view3(const struct dh_viewport *v, const int *const want[NCOLS], int n,
                        int64_t first, int64_t table_size)
{
    CHECK_INT(dh_viewport_length(v), n);
    struct dh_rows rows = {0};
    struct dh_error err;
    dh_error_clear(&err);
    CHECK_REQ(dh_viewport_copy(v, &rows, &err) == DH_OK);
    CHECK_INT(rows.first, first);
    CHECK_INT(rows.table_size, table_size);
    CHECK_INT(rows.schema.n_fields, NCOLS);
    CHECK_INT(rows.batch.n_columns, NCOLS);
    CHECK_INT(rows.batch.length, n);
    for (int c = 0; c < NCOLS && rows.batch.n_columns == NCOLS; c++) {
        CHECK_INT(rows.batch.columns[c].length, n);
        CHECK(rows.batch.columns[c].field == &rows.schema.fields[c]);
        for (int i = 0; i < n && rows.batch.columns[c].length == n; i++)
            check_cell(&rows.batch, c, i, want[c][i]);
    }
    dh_rows_reset(&rows);
}

static void check_view(const struct dh_viewport *v, const int *want, int n, int64_t first,
                       int64_t table_size)
{
    const int *const w[NCOLS] = {want, want, want};
    check_view3(v, w, n, first, table_size);
}

static const int T0_9[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

/* Load rows 0..n-1 (tags 0..n-1) with a snapshot of viewport [0, 9]. */
static int load(struct dh_viewport *v, int n, int64_t table_size)
{
    char added[16];
    snprintf(added, sizeof added, "0-%d", n - 1);
    struct meta m = {
        .snapshot = 1, .added = n ? added : "", .eff = "0-9", .table_size = table_size};
    int updated = 0;
    int rc = send_update(v, &m, T0_9, n, &updated, NULL);
    return rc == DH_OK && updated ? DH_OK : DH_EINVAL;
}

static void test_initial_snapshot(void)
{
    struct dh_viewport *v = new_with_schema(10);
    CHECK_REQ(v);
    struct dh_rows rows = {0};
    CHECK_INT(dh_viewport_copy(v, &rows, NULL), DH_OK); /* empty before any update */
    CHECK_INT(rows.batch.length, 0);
    CHECK_INT(rows.first, 10);
    dh_rows_reset(&rows);

    /* Viewport [10, 14] of a 100-row table: 3 rows with the metadata, then 2. */
    static const int tags[] = {10, 11, 12, 13, 14};
    struct meta m = {.snapshot = 1, .added = "0-4", .eff = "10-14", .table_size = 100};
    struct dh_error err;
    dh_error_clear(&err);
    int updated = 1;
    CHECK_INT(send_update(v, &m, tags, 3, &updated, &err), DH_OK);
    CHECK_INT(updated, 0);
    CHECK_INT(dh_viewport_updates(v), 0);
    CHECK_INT(send_adds(v, (struct tu_bytes){0}, tags + 3, 2, &updated, &err), DH_OK);
    CHECK_INT(updated, 1);
    CHECK_INT(dh_viewport_updates(v), 1);
    CHECK_INT(dh_viewport_table_size(v), 100);
    CHECK_INT(dh_viewport_first(v), 10);
    check_view(v, tags, 5, 10, 100);
    dh_viewport_free(v);
    dh_viewport_free(NULL);
}

static void test_append(void)
{
    struct dh_viewport *v = new_with_schema(0);
    CHECK_REQ(v);
    CHECK_REQ(load(v, 3, 3) == DH_OK);
    check_view(v, T0_9, 3, 0, 3);
    static const int tags[] = {3, 4};
    struct meta m = {.added = "3-4", .table_size = 5};
    int updated = 0;
    struct dh_error err;
    CHECK_INT(send_update(v, &m, tags, 2, &updated, &err), DH_OK);
    CHECK_INT(updated, 1);
    check_view(v, T0_9, 5, 0, 5);
    dh_viewport_free(v);
}

/* Removed positions are old ones, added positions new ones (docs/PROTOCOL.md, Barrage updates). */
static void test_remove_middle_and_add(void)
{
    struct dh_viewport *v = new_with_schema(0);
    CHECK_REQ(v);
    CHECK_REQ(load(v, 6, 50) == DH_OK);
    static const int adds[] = {20, 21};
    struct meta m = {.removed = "1-2", .added = "3,5", .table_size = 50};
    int updated = 0;
    struct dh_error err;
    CHECK_INT(send_update(v, &m, adds, 2, &updated, &err), DH_OK);
    CHECK_INT(updated, 1);
    static const int want[] = {0, 3, 4, 20, 5, 21};
    check_view(v, want, 6, 0, 50);

    /* Shrink: remove the first and last two, add nothing. */
    struct meta m2 = {.removed = "0,4-5", .table_size = 47};
    CHECK_INT(send_update(v, &m2, NULL, 0, &updated, &err), DH_OK);
    CHECK_INT(updated, 1);
    static const int want2[] = {3, 4, 20};
    check_view(v, want2, 3, 0, 47);
    dh_viewport_free(v);
}

/* Where each row was before an update: old rows keep their identity through
 * removes and inserts; a snapshot (a change of window) has no such relation;
 * chained, two updates read as one. */
static void test_origin(void)
{
    struct dh_viewport *v = new_with_schema(0);
    CHECK_REQ(v);
    CHECK_REQ(load(v, 6, 50) == DH_OK);
    struct dh_rows first = {0}, second = {0};
    CHECK_INT(dh_viewport_copy(v, &first, NULL), DH_OK);
    CHECK(first.origin == NULL); /* the first window came as a snapshot */
    static const int adds[] = {20, 21};
    struct meta m = {.removed = "1-2", .added = "3,5", .table_size = 50};
    int updated = 0;
    struct dh_error err;
    CHECK_INT(send_update(v, &m, adds, 2, &updated, &err), DH_OK);
    CHECK_INT(dh_viewport_copy(v, &first, NULL), DH_OK);
    CHECK_REQ(first.origin != NULL);
    static const int64_t want[] = {0, 3, 4, -1, 5, -1}; /* rows 0 3 4 20 5 21 */
    for (int j = 0; j < 6; j++)
        CHECK_INT(first.origin[j], want[j]);
    /* A modify keeps rows where they are; then chain it onto the first. */
    struct meta m2 = {
        .removed = "5", .added = "0", .mods = {"2", NULL, NULL}, .n_mods = 1, .table_size = 50};
    static const int adds2[] = {30}, mod_ids[] = {44};
    CHECK_INT(send_update(v, &m2, adds2, 1, &updated, &err), DH_OK);
    CHECK_INT(updated, 0); /* the modify batch is still to come */
    struct cols c = {{mod_ids, NULL, NULL}, {1, 0, 0}};
    CHECK_INT(send(v, (struct tu_bytes){0}, &c, 1, &updated, &err), DH_OK);
    CHECK_INT(updated, 1);
    CHECK_INT(dh_viewport_copy(v, &second, NULL), DH_OK);
    CHECK_REQ(second.origin != NULL);
    static const int64_t want2[] = {-1, 0, 1, 2, 3, 4}; /* rows 30 0 3 4' 20 5 */
    for (int j = 0; j < 6; j++)
        CHECK_INT(second.origin[j], want2[j]);
    dh_rows_chain_origin(&second, &first); /* relative to the window before first */
    static const int64_t chained[] = {-1, 0, 3, 4, -1, 5};
    for (int j = 0; j < 6; j++)
        CHECK_INT(second.origin[j], chained[j]);
    /* A snapshot: a new window, no origin; chaining onto it drops the relation. */
    struct meta m3 = {
        .snapshot = 1, .removed = "0-5", .added = "0-1", .eff = "20-21", .table_size = 50};
    CHECK_INT(send_update(v, &m3, T0_9, 2, &updated, &err), DH_OK);
    CHECK_INT(dh_viewport_copy(v, &first, NULL), DH_OK);
    CHECK(first.origin == NULL);
    dh_rows_chain_origin(&second, &first);
    CHECK(second.origin == NULL);
    dh_rows_reset(&first);
    dh_rows_reset(&second);
    dh_viewport_free(v);
}

/* Modifications of one column: the others' nodes have length 0 and keep their values. */
static void test_modify_one_column(void)
{
    struct dh_viewport *v = new_with_schema(0);
    CHECK_REQ(v);
    CHECK_REQ(load(v, 5, 5) == DH_OK);
    static const int mod_names[] = {101, 104};
    struct meta m = {.mods = {NULL, "1,3", NULL}, .n_mods = NCOLS, .table_size = 5};
    struct tu_bytes md = meta_bytes(&m);
    struct cols c = {{NULL, mod_names, NULL}, {0, 2, 0}};
    int updated = 0;
    struct dh_error err;
    CHECK_INT(send(v, md, &c, 2, &updated, &err), DH_OK);
    free(md.p);
    CHECK_INT(updated, 1);
    static const int ids[] = {0, 1, 2, 3, 4}, names[] = {0, 101, 2, 104, 4};
    const int *const want[NCOLS] = {ids, names, ids};
    check_view3(v, want, 5, 0, 5);
    dh_viewport_free(v);
}

/* Modifications of two columns over two batches of unequal column lengths. */
static void test_modify_split_batches(void)
{
    struct dh_viewport *v = new_with_schema(0);
    CHECK_REQ(v);
    CHECK_REQ(load(v, 5, 5) == DH_OK);
    static const int mod_ids[] = {200, 202, 204}, mod_vals[] = {301};
    struct meta m = {.mods = {"0,2,4", NULL, "1"}, .n_mods = NCOLS, .table_size = 5};
    struct tu_bytes md = meta_bytes(&m);
    struct cols c1 = {{mod_ids, NULL, mod_vals}, {2, 0, 1}};
    int updated = 1;
    struct dh_error err;
    CHECK_INT(send(v, md, &c1, 2, &updated, &err), DH_OK);
    free(md.p);
    CHECK_INT(updated, 0);
    struct cols c2 = {{mod_ids + 2, NULL, NULL}, {1, 0, 0}};
    CHECK_INT(send(v, (struct tu_bytes){0}, &c2, 1, &updated, &err), DH_OK);
    CHECK_INT(updated, 1);
    static const int ids[] = {200, 1, 202, 3, 204}, names[] = {0, 1, 2, 3, 4},
                     vals[] = {0, 301, 2, 3, 4};
    const int *const want[NCOLS] = {ids, names, vals};
    check_view3(v, want, 5, 0, 5);
    dh_viewport_free(v);
}

/* Adds and modifications in one update: modified positions are new positions. */
static void test_add_and_modify(void)
{
    struct dh_viewport *v = new_with_schema(0);
    CHECK_REQ(v);
    CHECK_REQ(load(v, 5, 9) == DH_OK);
    static const int adds[] = {40}, mod_ids[] = {500};
    struct meta m = {
        .removed = "0", .added = "4", .mods = {"0", NULL, NULL}, .n_mods = 1, .table_size = 9};
    int updated = 1;
    struct dh_error err;
    CHECK_INT(send_update(v, &m, adds, 1, &updated, &err), DH_OK);
    CHECK_INT(updated, 0); /* the modify batch is still to come */
    struct cols c = {{mod_ids, NULL, NULL}, {1, 0, 0}};
    CHECK_INT(send(v, (struct tu_bytes){0}, &c, 1, &updated, &err), DH_OK);
    CHECK_INT(updated, 1);
    static const int ids[] = {500, 2, 3, 4, 40}, rest[] = {1, 2, 3, 4, 40};
    const int *const want[NCOLS] = {ids, rest, rest};
    check_view3(v, want, 5, 0, 9);
    dh_viewport_free(v);
}

/* A new viewport: a snapshot removing every old row and moving first. */
static void test_viewport_change(void)
{
    struct dh_viewport *v = new_with_schema(0);
    CHECK_REQ(v);
    CHECK_REQ(load(v, 5, 100) == DH_OK);
    static const int tags[] = {20, 21, 22, 23};
    struct meta m = {
        .snapshot = 1, .removed = "0-4", .added = "0-3", .eff = "20-23", .table_size = 100};
    int updated = 0;
    struct dh_error err;
    CHECK_INT(send_update(v, &m, tags, 4, &updated, &err), DH_OK);
    CHECK_INT(updated, 1);
    check_view(v, tags, 4, 20, 100);

    /* A viewport past the end of the table: no rows, first still moves. */
    struct meta m2 = {
        .snapshot = 1, .removed = "0-3", .added = "", .eff = "200-209", .table_size = 100};
    CHECK_INT(send_update(v, &m2, NULL, 0, &updated, &err), DH_OK);
    CHECK_INT(updated, 1);
    check_view(v, tags, 0, 200, 100);
    dh_viewport_free(v);
}

/* After a viewport change the client may still receive updates of the old
 * window; only a snapshot whose effective viewport is the whole new window
 * says the rows are the new window's (a server may grow it in parts). */
static void test_shows_window(void)
{
    struct dh_viewport *v = new_with_schema(0);
    CHECK_REQ(v);
    CHECK_INT(dh_viewport_shows(v, 0, 10), 0); /* nothing yet */
    CHECK_REQ(load(v, 5, 5) == DH_OK);         /* effective viewport 0-9 */
    CHECK_INT(dh_viewport_shows(v, 0, 10), 1);
    CHECK_INT(dh_viewport_shows(v, 0, 5), 0);
    CHECK_INT(dh_viewport_shows(v, 20, 10), 0);
    /* The client asks for [20, 30); an append to the old window comes first. */
    static const int tags[] = {5, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29};
    struct meta app = {.added = "5", .table_size = 100};
    int updated = 0;
    struct dh_error err;
    CHECK_INT(send_update(v, &app, tags, 1, &updated, &err), DH_OK);
    CHECK_INT(updated, 1);
    CHECK_INT(dh_viewport_shows(v, 20, 10), 0);
    CHECK_INT(dh_viewport_shows(v, 0, 10), 1); /* still the old window */
    /* Part of the new window, then all of it. */
    struct meta part = {
        .snapshot = 1, .removed = "0-5", .added = "0-4", .eff = "20-24", .table_size = 100};
    CHECK_INT(send_update(v, &part, tags + 1, 5, &updated, &err), DH_OK);
    CHECK_INT(dh_viewport_shows(v, 20, 10), 0);
    struct meta rest = {.snapshot = 1, .added = "5-9", .eff = "20-29", .table_size = 100};
    CHECK_INT(send_update(v, &rest, tags + 6, 5, &updated, &err), DH_OK);
    CHECK_INT(dh_viewport_shows(v, 20, 10), 1);
    check_view(v, tags + 1, 10, 20, 100);
    /* A window in two pieces is never one asked for. */
    struct meta split = {
        .snapshot = 1, .removed = "0-9", .added = "0-1", .eff = "40,42", .table_size = 100};
    CHECK_INT(send_update(v, &split, tags, 2, &updated, &err), DH_OK);
    CHECK_INT(dh_viewport_shows(v, 40, 2), 0);
    CHECK_INT(dh_viewport_shows(v, 40, 3), 0);
    dh_viewport_free(v);
}

/* An update with no rows (one 0-row batch) changes only the table size. */
static void test_empty_update(void)
{
    struct dh_viewport *v = new_with_schema(0);
    CHECK_REQ(v);
    CHECK_REQ(load(v, 4, 100) == DH_OK);
    struct meta m = {.table_size = 150};
    int updated = 0;
    struct dh_error err;
    CHECK_INT(send_update(v, &m, NULL, 0, &updated, &err), DH_OK);
    CHECK_INT(updated, 1);
    CHECK_INT(dh_viewport_updates(v), 2);
    check_view(v, T0_9, 4, 0, 150);
    /* A stray empty batch between updates is harmless. */
    CHECK_INT(send_adds(v, (struct tu_bytes){0}, NULL, 0, &updated, &err), DH_OK);
    CHECK_INT(updated, 0);
    /* Metadata alone (no record batch) completes an empty update too. */
    struct meta m1 = {.table_size = 120};
    struct tu_bytes md = meta_bytes(&m1);
    CHECK_INT(dh_viewport_apply_flight_data(v, NULL, 0, NULL, 0, md.p, md.n, &updated, &err),
              DH_OK);
    free(md.p);
    CHECK_INT(updated, 1);
    check_view(v, T0_9, 4, 0, 120);
    struct meta m2 = {.table_size = 0};
    md = meta_bytes(&m2);
    CHECK_INT(dh_viewport_apply_flight_data(v, NULL, 0, NULL, 0, md.p, md.n, &updated, &err),
              DH_EINVAL); /* 4 rows cannot stay in a 0-row table */
    free(md.p);
    dh_viewport_free(v);
}

/* The same update through the packed FlightData entry point. */
static void test_packed(void)
{
    struct dh_viewport *v = dh_viewport_new(0);
    CHECK_REQ(v);
    struct tu_bytes s = schema_msg();
    Arrow__Flight__Protocol__FlightData fd = ARROW__FLIGHT__PROTOCOL__FLIGHT_DATA__INIT;
    fd.data_header.data = s.p;
    fd.data_header.len = s.n;
    uint8_t buf[4096];
    size_t n = arrow__flight__protocol__flight_data__pack(&fd, buf);
    free(s.p);
    int updated = 1;
    CHECK_INT(dh_viewport_apply_packed(v, buf, n, &updated, NULL), DH_OK);
    CHECK_INT(updated, 0);

    struct meta m = {.snapshot = 1, .added = "0-1", .eff = "0-9", .table_size = 2};
    struct tu_bytes md = meta_bytes(&m);
    struct tu_body *b = calloc(1, sizeof *b);
    CHECK_REQ(b);
    struct cols c = {{T0_9, T0_9, T0_9}, {2, 2, 2}};
    body_for(b, &c);
    struct tu_bytes h = tu_rb_msg(b, 2);
    fd.data_header.data = h.p;
    fd.data_header.len = h.n;
    fd.data_body.data = b->data;
    fd.data_body.len = b->len;
    fd.app_metadata.data = md.p;
    fd.app_metadata.len = md.n;
    uint8_t *packed = malloc(arrow__flight__protocol__flight_data__get_packed_size(&fd));
    CHECK_REQ(packed);
    n = arrow__flight__protocol__flight_data__pack(&fd, packed);
    CHECK_INT(dh_viewport_apply_packed(v, packed, n, &updated, NULL), DH_OK);
    CHECK_INT(updated, 1);
    check_view(v, T0_9, 2, 0, 2);
    struct dh_error err;
    CHECK_INT(dh_viewport_apply_packed(v, (const uint8_t *)"\xff\xff", 2, &updated, &err),
              DH_EINVAL);
    free(packed);
    free(h.p);
    free(md.p);
    free(b);
    dh_viewport_free(v);
}

/* Expect an update to be refused with DH_EINVAL, then every later message. */
static void check_refused(struct dh_viewport *v, int rc, struct dh_error *err, const char *word)
{
    CHECK_INT(rc, DH_EINVAL);
    CHECK_INT(err->code, DH_EINVAL);
    if (!strstr(err->msg, word))
        fprintf(stderr, "  message: %s\n", err->msg);
    CHECK(strstr(err->msg, word) != NULL);
    int updated = 1;
    CHECK_INT(load(v, 2, 2), DH_EINVAL);
    CHECK_INT(send_adds(v, (struct tu_bytes){0}, NULL, 0, &updated, NULL), DH_EINVAL);
    CHECK_INT(updated, 0);
}

static void test_malformed(void)
{
    struct dh_error err;
    int updated;

    /* Added positions beyond the new length. */
    struct dh_viewport *v = new_with_schema(0);
    CHECK_REQ(v);
    CHECK_REQ(load(v, 5, 10) == DH_OK);
    struct meta m1 = {.added = "7", .table_size = 10};
    check_refused(v, send_update(v, &m1, T0_9, 1, &updated, &err), &err, "added positions");
    dh_viewport_free(v);

    /* Too few add rows: the next update's metadata arrives first. */
    v = new_with_schema(0);
    CHECK_REQ(v && load(v, 5, 10) == DH_OK);
    struct meta m2 = {.added = "5-6", .table_size = 10};
    CHECK_INT(send_update(v, &m2, T0_9, 1, &updated, &err), DH_OK);
    CHECK_INT(updated, 0);
    struct meta m3 = {.table_size = 10};
    check_refused(v, send_update(v, &m3, NULL, 0, &updated, &err), &err, "new update");
    dh_viewport_free(v);

    /* Too many add rows in a batch. */
    v = new_with_schema(0);
    CHECK_REQ(v && load(v, 5, 10) == DH_OK);
    check_refused(v, send_update(v, &m2, T0_9, 3, &updated, &err), &err, "more added rows");
    dh_viewport_free(v);

    /* A modified position out of range. */
    v = new_with_schema(0);
    CHECK_REQ(v && load(v, 5, 10) == DH_OK);
    struct meta m4 = {.mods = {"5", NULL, NULL}, .n_mods = NCOLS, .table_size = 10};
    check_refused(v, send_update(v, &m4, NULL, 0, &updated, &err), &err, "modified positions");
    dh_viewport_free(v);

    /* More modified values than announced for a column. */
    v = new_with_schema(0);
    CHECK_REQ(v && load(v, 5, 10) == DH_OK);
    struct meta m5 = {.mods = {NULL, "1", NULL}, .n_mods = NCOLS, .table_size = 10};
    struct tu_bytes md = meta_bytes(&m5);
    struct cols c5 = {{NULL, T0_9, NULL}, {0, 2, 0}};
    check_refused(v, send(v, md, &c5, 2, &updated, &err), &err, "more modified values");
    free(md.p);
    dh_viewport_free(v);

    /* Removed positions beyond the old length. */
    v = new_with_schema(0);
    CHECK_REQ(v && load(v, 5, 10) == DH_OK);
    struct meta m6 = {.removed = "5", .table_size = 10};
    check_refused(v, send_update(v, &m6, NULL, 0, &updated, &err), &err, "removed positions");
    dh_viewport_free(v);

    /* An add batch whose columns disagree on the row count. */
    v = new_with_schema(0);
    CHECK_REQ(v && load(v, 5, 10) == DH_OK);
    struct meta m7 = {.added = "5-6", .table_size = 10};
    md = meta_bytes(&m7);
    struct cols c7 = {{T0_9, T0_9, T0_9}, {2, 1, 2}};
    check_refused(v, send(v, md, &c7, 2, &updated, &err), &err, "added values");
    free(md.p);
    dh_viewport_free(v);

    /* More rows than the table has; more mod columns than the schema. */
    v = new_with_schema(0);
    CHECK_REQ(v && load(v, 5, 10) == DH_OK);
    struct meta m8 = {.added = "5-6", .table_size = 6};
    check_refused(v, send_update(v, &m8, T0_9, 2, &updated, &err), &err, "table has");
    dh_viewport_free(v);

    /* A record batch with rows but no update metadata. */
    v = new_with_schema(0);
    CHECK_REQ(v);
    check_refused(v, send_adds(v, (struct tu_bytes){0}, T0_9, 2, &updated, &err), &err, "metadata");
    dh_viewport_free(v);

    /* Metadata before the schema; a second schema. */
    v = dh_viewport_new(0);
    CHECK_REQ(v);
    check_refused(v, send_update(v, &m3, NULL, 0, &updated, &err), &err, "Schema");
    dh_viewport_free(v);
    v = new_with_schema(0);
    CHECK_REQ(v);
    struct tu_bytes s = schema_msg();
    check_refused(v, dh_viewport_apply_flight_data(v, s.p, s.n, NULL, 0, NULL, 0, &updated, &err),
                  &err, "one Arrow Schema");
    free(s.p);
    dh_viewport_free(v);

    /* A corrupt RowSet. */
    v = new_with_schema(0);
    CHECK_REQ(v && load(v, 5, 10) == DH_OK);
    struct dh_barrage_update u = {.added_rows = (const uint8_t *)"\x0c",
                                  .added_rows_len = 1,
                                  .has_table_size = 1,
                                  .table_size = 10};
    md = (struct tu_bytes){0};
    CHECK_REQ(dh_barrage_encode_update(&u, NULL, 0, &md.p, &md.n, NULL) == DH_OK);
    check_refused(v, send_adds(v, md, NULL, 0, &updated, &err), &err, "added_rows");
    free(md.p);
    dh_viewport_free(v);
}

/* The type-5 request: ticket, viewport positions, options. */
static void test_request(void)
{
    struct dh_ticket t;
    dh_ticket_init(&t);
    CHECK_REQ(dh_ticket_set_bytes(&t, (const uint8_t *)"s/quotes", 8, NULL) == DH_OK);
    uint8_t *out = NULL;
    size_t len = 0;
    CHECK_REQ(dh_subscription_request(&t, 100, 50, 250, 0, &out, &len, NULL) == DH_OK);
    Arrow__Flight__Protocol__FlightData *fd =
        arrow__flight__protocol__flight_data__unpack(NULL, len, out);
    CHECK_REQ(fd);
    CHECK_INT(fd->data_header.len, 0);
    struct dh_barrage_subscription_request req;
    CHECK_REQ(dh_barrage_decode_subscription_request(fd->app_metadata.data, fd->app_metadata.len,
                                                     &req, NULL) == DH_OK);
    CHECK(req.ticket_len == 8 && memcmp(req.ticket, "s/quotes", 8) == 0);
    CHECK(req.columns == NULL); /* all columns */
    struct dh_rowset vp;
    dh_rowset_init(&vp);
    CHECK_REQ(dh_rowset_decode(req.viewport, req.viewport_len, &vp, NULL) == DH_OK);
    CHECK_INT(vp.n, 1);
    CHECK_INT(vp.ranges[0].lo, 100);
    CHECK_INT(vp.ranges[0].hi, 149);
    dh_rowset_reset(&vp);
    CHECK_INT(req.has_options, 1);
    CHECK_INT(req.use_deephaven_nulls, 0);
    CHECK_INT(req.min_update_interval_ms, 250);
    CHECK_INT(req.batch_size, DH_TABLE_BATCH_SIZE);
    CHECK_INT(req.max_message_size, DH_TABLE_MAX_MESSAGE_SIZE);
    CHECK_INT(req.reverse_viewport, 0);
    arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    free(out);

    struct dh_error err;
    CHECK_INT(dh_subscription_request(&t, -1, 5, 0, 0, &out, &len, &err), DH_EINVAL);
    CHECK(out == NULL);
    CHECK_INT(dh_subscription_request(&t, 0, 5, -1, 0, &out, &len, &err), DH_EINVAL);
}

int main(void)
{
    CHECK_RUN(T(test_initial_snapshot), T(test_append), T(test_remove_middle_and_add),
              T(test_origin), T(test_modify_one_column), T(test_modify_split_batches),
              T(test_add_and_modify), T(test_viewport_change), T(test_shows_window),
              T(test_empty_update), T(test_packed), T(test_malformed), T(test_request));
}
