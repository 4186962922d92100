/* SPDX-License-Identifier: MIT */
/* test_table_decode: applying Barrage/DoGet FlightData to a dh_table_reader and
 * concatenating batches into one window; the snapshot request bytes. The
 * Arrow and Barrage messages are built here with dh_fbb straight from the
 * .fbs field ids (Message.fbs, Schema.fbs, Barrage.fbs), independently of the
 * codec's own encoders. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "check.h"
#include "dh_fbb.h"
#include "dh_flatbuf.h"
#include "dh_format.h"
#include "dh_rowset.h"
#include "dh_table.h"
#include "testutil.h"

/* Arrow Type union tags (Schema.fbs). */
enum { T_INT = 2, T_UTF8 = 5, T_BOOL = 6, T_LIST = 12 };

/* Schema: id Int64, name Utf8, flag Bool, vals List<Int32>. */
static struct tu_bytes schema_msg(void)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t f[4];
    f[0] = tu_fb_field(&b, "id", T_INT, tu_fb_int_type(&b, 64), 0);
    f[1] = tu_fb_field(&b, "name", T_UTF8, tu_fb_empty_table(&b), 0);
    f[2] = tu_fb_field(&b, "flag", T_BOOL, tu_fb_empty_table(&b), 0);
    uint32_t item = tu_fb_field(&b, "", T_INT, tu_fb_int_type(&b, 32), 0);
    uint32_t kids = dh_fbb_create_vector_refs(&b, &item, 1);
    f[3] = tu_fb_field(&b, "vals", T_LIST, tu_fb_empty_table(&b), kids);
    return tu_schema_msg(&b, f, 4);
}

/* Rows [base, base + n) of the test table: id = 100 + row; name "r<row>" or
 * null when row % 3 == 2; flag = row odd; vals = row % 3 elements (row, row+1..).
 * If skip_names, the name column is unrequested (a 0-length node). */
static void rb_rows(struct tu_body *r, int base, int n, int skip_names)
{
    memset(r, 0, sizeof *r);
    uint8_t ids[8 * 64];
    for (int i = 0; i < n; i++)
        dh_fbb_put_i64(ids + 8 * i, 100 + base + i);
    tu_body_node(r, n, 0);
    tu_body_buf(r, NULL, 0);
    tu_body_buf(r, ids, 8 * (size_t)n);

    uint8_t valid[8] = {0}, offs[4 * 65], chars[512];
    int nulls = 0, clen = 0;
    dh_fbb_put_u32(offs, 0);
    for (int i = 0; i < n; i++) {
        int row = base + i;
        if (row % 3 == 2) {
            nulls++;
        } else {
            valid[i / 8] = (uint8_t)(valid[i / 8] | (1u << (i % 8)));
            clen += snprintf((char *)chars + clen, sizeof chars - (size_t)clen, "r%d", row);
        }
        dh_fbb_put_u32(offs + 4 * (i + 1), (uint32_t)clen);
    }
    if (skip_names) {
        tu_body_node(r, 0, 0);
        tu_body_buf(r, NULL, 0);
        tu_body_buf(r, NULL, 0);
        tu_body_buf(r, NULL, 0);
    } else {
        tu_body_node(r, n, nulls);
        tu_body_buf(r, valid, nulls ? 8 : 0);
        tu_body_buf(r, offs, 4 * ((size_t)n + 1));
        tu_body_buf(r, chars, (size_t)clen);
    }

    uint8_t flags[8] = {0};
    for (int i = 0; i < n; i++)
        if ((base + i) % 2)
            flags[i / 8] = (uint8_t)(flags[i / 8] | (1u << (i % 8)));
    tu_body_node(r, n, 0);
    tu_body_buf(r, NULL, 0);
    tu_body_buf(r, flags, 8);

    uint8_t loffs[4 * 65], items[4 * 256];
    int ni = 0;
    dh_fbb_put_u32(loffs, 0);
    for (int i = 0; i < n; i++) {
        int row = base + i;
        for (int k = 0; k < row % 3; k++)
            dh_fbb_put_u32(items + 4 * ni++, (uint32_t)(row + k));
        dh_fbb_put_u32(loffs + 4 * (i + 1), (uint32_t)ni);
    }
    tu_body_node(r, n, 0);
    tu_body_buf(r, NULL, 0);
    tu_body_buf(r, loffs, 4 * ((size_t)n + 1));
    tu_body_node(r, ni, 0);
    tu_body_buf(r, NULL, 0);
    tu_body_buf(r, items, 4 * (size_t)ni);
}

/* A BarrageMessageWrapper holding BarrageUpdateMetadata with added_rows =
 * [0, table_rows) and, if table_size >= 0, table_size. */
static struct tu_bytes update_md(int64_t table_rows, int64_t table_size)
{
    uint8_t *rs = NULL;
    size_t rs_len = 0;
    dh_rowset_encode_range(0, table_rows - 1, &rs, &rs_len, NULL);
    struct dh_fbb m;
    dh_fbb_init(&m);
    uint32_t added = dh_fbb_create_bytes(&m, rs, rs_len);
    free(rs);
    dh_fbb_start_table(&m);
    dh_fbb_add_bool(&m, 2, 1, 0);    /* is_snapshot */
    dh_fbb_add_offset(&m, 6, added); /* added_rows */
    if (table_size >= 0) {
        m.force_defaults = 1;
        dh_fbb_add_i64(&m, 11, table_size, 0);
        m.force_defaults = 0;
    }
    struct tu_bytes inner = tu_fb_finish(&m, dh_fbb_end_table(&m));

    struct dh_fbb w;
    dh_fbb_init(&w);
    uint32_t payload = dh_fbb_create_bytes(&w, inner.p, inner.n);
    free(inner.p);
    dh_fbb_start_table(&w);
    dh_fbb_add_u32(&w, 0, 0x6E687064u, 0);
    dh_fbb_add_i8(&w, 1, 6, 0);
    dh_fbb_add_offset(&w, 2, payload);
    return tu_fb_finish(&w, dh_fbb_end_table(&w));
}

/* Apply the schema message. */
static int apply_schema(struct dh_table_reader *r, struct dh_error *err)
{
    struct tu_bytes s = schema_msg();
    int rc = dh_table_apply_flight_data(r, s.p, s.n, NULL, 0, NULL, 0, err);
    free(s.p);
    return rc;
}

/* Apply a batch of rows [base, base + n), with metadata when md.p. */
static int apply_rows(struct dh_table_reader *r, int base, int n, int skip_names,
                      struct tu_bytes md, struct dh_error *err)
{
    struct tu_body *b = calloc(1, sizeof *b);
    if (!b)
        return DH_ENOMEM;
    rb_rows(b, base, n, skip_names);
    struct tu_bytes h = tu_rb_msg(b, n);
    int rc = dh_table_apply_flight_data(r, h.p, h.n, b->data, b->len, md.p, md.n, err);
    free(h.p);
    free(b);
    return rc;
}

/* Check row i of the window holds table row `row`. */
static void check_row(const struct dh_batch *b, int64_t i, int row, int with_names)
{
    CHECK_INT(dh_column_get_i64(&b->columns[0], i), 100 + row);
    if (with_names) {
        const struct dh_column_view *name = &b->columns[1];
        CHECK_INT(dh_column_is_null(name, i), row % 3 == 2);
        char want[16];
        snprintf(want, sizeof want, "r%d", row);
        CHECK(row % 3 == 2 || tu_cell_is_text(name, i, want));
    }
    CHECK_INT(dh_column_get_bool(&b->columns[2], i), row % 2);
    CHECK(tu_list_is_run(&b->columns[3], i, row, row % 3));
}

/* Two batches (the second's first rows cross the boundary) become one window. */
static void test_concat_two_batches(void)
{
    struct dh_table_reader r;
    dh_table_reader_init(&r, 0, 7);
    struct dh_error err;
    dh_error_clear(&err);
    CHECK_REQ(apply_schema(&r, &err) == DH_OK);
    struct tu_bytes md = update_md(10, -1);
    CHECK_INT(apply_rows(&r, 0, 4, 0, md, &err), DH_OK);
    CHECK_INT(apply_rows(&r, 4, 3, 0, (struct tu_bytes){0}, &err), DH_OK);
    free(md.p);
    CHECK_INT(r.table_size, 10);
    struct dh_rows rows = {0};
    CHECK_REQ(dh_table_reader_finish(&r, &rows, &err) == DH_OK);
    CHECK_INT(rows.first, 0);
    CHECK_INT(rows.table_size, 10);
    CHECK_INT(rows.batch.length, 7);
    CHECK_INT(rows.batch.n_columns, 4);
    CHECK_INT(rows.schema.n_fields, 4);
    CHECK_STR(rows.batch.columns[1].field->name, "name");
    CHECK_INT(rows.batch.columns[1].null_count, 2); /* rows 2 and 5 */
    for (int i = 0; i < 7; i++)
        check_row(&rows.batch, i, i, 1);
    dh_rows_reset(&rows);
    dh_rows_reset(&rows); /* idempotent */
    dh_table_reader_reset(&r);
}

/* A window at the end: table_size clips what the server (wrongly) sends. */
static void test_clip_to_table_size(void)
{
    struct dh_table_reader r;
    dh_table_reader_init(&r, 8, 5);
    struct dh_error err;
    CHECK_REQ(apply_schema(&r, &err) == DH_OK);
    struct tu_bytes md = update_md(10, -1);
    CHECK_INT(apply_rows(&r, 8, 4, 0, md, &err), DH_OK);
    free(md.p);
    struct dh_rows rows = {0};
    CHECK_REQ(dh_table_reader_finish(&r, &rows, &err) == DH_OK);
    CHECK_INT(rows.first, 8);
    CHECK_INT(rows.table_size, 10);
    CHECK_INT(rows.batch.length, 2);
    check_row(&rows.batch, 0, 8, 1);
    check_row(&rows.batch, 1, 9, 1);
    CHECK_INT(rows.batch.columns[3].child->length, 2 + 0); /* row 8: 2 items, row 9: 0 */
    dh_rows_reset(&rows);

    /* table_size, when set, wins over added_rows (viewport subscriptions). */
    dh_table_reader_init(&r, 0, 10);
    CHECK_REQ(apply_schema(&r, &err) == DH_OK);
    md = update_md(10, 3);
    CHECK_INT(apply_rows(&r, 0, 5, 0, md, &err), DH_OK);
    free(md.p);
    CHECK_INT(r.table_size, 3);
    CHECK_REQ(dh_table_reader_finish(&r, &rows, &err) == DH_OK);
    CHECK_INT(rows.batch.length, 3);
    dh_rows_reset(&rows);
}

/* Rows beyond count are dropped as they arrive (memory stays bounded). */
static void test_bounded(void)
{
    struct dh_table_reader r;
    dh_table_reader_init(&r, 0, 3);
    struct dh_error err;
    CHECK_REQ(apply_schema(&r, &err) == DH_OK);
    for (int i = 0; i < 5; i++)
        CHECK_INT(apply_rows(&r, 2 * i, 2, 0, (struct tu_bytes){0}, &err), DH_OK);
    CHECK_INT(r.n_batches, 2);
    struct dh_rows rows = {0};
    CHECK_REQ(dh_table_reader_finish(&r, &rows, &err) == DH_OK);
    CHECK_INT(rows.batch.length, 3);
    CHECK_INT(rows.table_size, 3); /* no metadata: first + rows */
    for (int i = 0; i < 3; i++)
        check_row(&rows.batch, i, i, 1);
    dh_rows_reset(&rows);

    /* DoGet (count < 0) keeps everything. */
    dh_table_reader_init(&r, 0, -1);
    CHECK_REQ(apply_schema(&r, &err) == DH_OK);
    for (int i = 0; i < 5; i++)
        CHECK_INT(apply_rows(&r, 2 * i, 2, 0, (struct tu_bytes){0}, &err), DH_OK);
    CHECK_REQ(dh_table_reader_finish(&r, &rows, &err) == DH_OK);
    CHECK_INT(rows.batch.length, 10);
    for (int i = 0; i < 10; i++)
        check_row(&rows.batch, i, i, 1);
    dh_rows_reset(&rows);
}

/* An unrequested column keeps length 0; an empty result still has columns. */
static void test_unrequested_and_empty(void)
{
    struct dh_table_reader r;
    dh_table_reader_init(&r, 3, 4);
    struct dh_error err;
    CHECK_REQ(apply_schema(&r, &err) == DH_OK);
    CHECK_INT(apply_rows(&r, 3, 2, 1, (struct tu_bytes){0}, &err), DH_OK);
    CHECK_INT(apply_rows(&r, 5, 2, 1, (struct tu_bytes){0}, &err), DH_OK);
    struct dh_rows rows = {0};
    CHECK_REQ(dh_table_reader_finish(&r, &rows, &err) == DH_OK);
    CHECK_INT(rows.batch.length, 4);
    CHECK_INT(rows.batch.columns[1].length, 0);
    CHECK_INT(rows.batch.columns[0].length, 4);
    for (int i = 0; i < 4; i++)
        check_row(&rows.batch, i, 3 + i, 0);
    dh_rows_reset(&rows);

    dh_table_reader_init(&r, 0, 10);
    CHECK_REQ(apply_schema(&r, &err) == DH_OK);
    struct tu_bytes md = update_md(0, -1);
    CHECK_INT(dh_table_apply_flight_data(&r, NULL, 0, NULL, 0, md.p, md.n, &err), DH_OK);
    free(md.p);
    CHECK_REQ(dh_table_reader_finish(&r, &rows, &err) == DH_OK);
    CHECK_INT(rows.table_size, 0);
    CHECK_INT(rows.batch.length, 0);
    CHECK_REQ(rows.batch.n_columns == 4);
    CHECK(rows.batch.columns[3].field == &rows.schema.fields[3]);
    CHECK(rows.batch.columns[3].child != NULL);
    CHECK(dh_column_is_null(&rows.batch.columns[0], 0)); /* out of range reads as null */
    dh_rows_reset(&rows);
}

/* Out-of-order and malformed messages are refused with one sentence. */
static void test_errors(void)
{
    struct dh_table_reader r;
    struct dh_error err;
    dh_table_reader_init(&r, 0, 5);
    dh_error_clear(&err);
    CHECK_INT(apply_rows(&r, 0, 2, 0, (struct tu_bytes){0}, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "Schema message first") != NULL);
    dh_table_reader_reset(&r);

    struct dh_rows rows = {0};
    dh_error_clear(&err);
    CHECK_INT(dh_table_reader_finish(&r, &rows, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "Schema") != NULL);

    CHECK_REQ(apply_schema(&r, &err) == DH_OK);
    CHECK_INT(apply_schema(&r, &err), DH_EINVAL);
    const uint8_t junk[] = {1, 2, 3};
    CHECK_INT(dh_table_apply_flight_data(&r, junk, sizeof junk, NULL, 0, NULL, 0, &err), DH_EINVAL);
    dh_error_clear(&err);
    CHECK_INT(dh_table_apply_packed(&r, (const uint8_t *)"\x12\x7f", 2, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "malformed FlightData") != NULL);

    /* A Barrage wrapper whose payload is not a flatbuffer. */
    struct dh_fbb w;
    dh_fbb_init(&w);
    uint32_t payload = dh_fbb_create_bytes(&w, junk, sizeof junk);
    dh_fbb_start_table(&w);
    dh_fbb_add_u32(&w, 0, 0x6E687064u, 0);
    dh_fbb_add_i8(&w, 1, 6, 0);
    dh_fbb_add_offset(&w, 2, payload);
    struct tu_bytes bad = tu_fb_finish(&w, dh_fbb_end_table(&w));
    CHECK_INT(dh_table_apply_flight_data(&r, NULL, 0, NULL, 0, bad.p, bad.n, &err), DH_EINVAL);
    free(bad.p);

    /* Every truncation of a record batch header fails cleanly (ASan watches). */
    struct tu_body *b = calloc(1, sizeof *b);
    CHECK_REQ(b);
    rb_rows(b, 0, 3, 0);
    struct tu_bytes h = tu_rb_msg(b, 3);
    for (size_t cut = 0; cut < h.n; cut++) {
        struct dh_table_reader r2;
        dh_table_reader_init(&r2, 0, 5);
        CHECK_REQ(apply_schema(&r2, &err) == DH_OK);
        int rc = dh_table_apply_flight_data(&r2, h.p, cut, b->data, b->len, NULL, 0, &err);
        CHECK(cut == 0 ? rc == DH_OK : rc != DH_OK);
        dh_table_reader_reset(&r2);
    }
    /* ... and so does every truncation of its body. */
    for (size_t cut = 0; cut < b->len; cut += 8) {
        struct dh_table_reader r2;
        dh_table_reader_init(&r2, 0, 5);
        CHECK_REQ(apply_schema(&r2, &err) == DH_OK);
        CHECK(dh_table_apply_flight_data(&r2, h.p, h.n, b->data, cut, NULL, 0, &err) != DH_OK);
        dh_table_reader_reset(&r2);
    }
    free(h.p);
    free(b);
    dh_table_reader_reset(&r);
}

/* The request: FlightData whose app_metadata is wrapper(7, SnapshotRequest). */
static void test_snapshot_request(void)
{
    struct dh_ticket t;
    dh_ticket_make_export(&t, 7);
    uint8_t colbits[1] = {0x05}; /* columns {0, 2} */
    struct dh_column_set cols = {.bits = colbits, .n_columns = 4};
    uint8_t *buf = NULL;
    size_t len = 0;
    struct dh_error err;
    CHECK_REQ(dh_table_snapshot_request(&t, 100, 50, &cols, &buf, &len, &err) == DH_OK);
    Arrow__Flight__Protocol__FlightData *fd =
        arrow__flight__protocol__flight_data__unpack(NULL, len, buf);
    free(buf);
    CHECK_REQ(fd);
    CHECK_INT(fd->data_header.len, 0);
    CHECK_INT(fd->data_body.len, 0);

    struct dh_fb_table wrap, req, opts;
    CHECK_REQ(dh_fb_root(fd->app_metadata.data, fd->app_metadata.len, &wrap, &err) == DH_OK);
    CHECK_INT(dh_fb_u32(&wrap, 0, 0), 0x6E687064u);
    CHECK_INT(dh_fb_i8(&wrap, 1, 0), 7);
    const uint8_t *p;
    size_t n;
    CHECK_REQ(dh_fb_bytes(&wrap, 2, &p, &n, &err) == DH_OK && p);
    CHECK_REQ(dh_fb_root(p, n, &req, &err) == DH_OK);
    const uint8_t *tk, *cb, *vp;
    size_t tkn, cbn, vpn;
    CHECK_REQ(dh_fb_bytes(&req, 0, &tk, &tkn, &err) == DH_OK);
    CHECK(tkn == 5 && memcmp(tk, t.bytes, 5) == 0);
    CHECK_REQ(dh_fb_bytes(&req, 1, &cb, &cbn, &err) == DH_OK);
    CHECK(cbn == 1 && cb[0] == 0x05);
    CHECK_REQ(dh_fb_bytes(&req, 2, &vp, &vpn, &err) == DH_OK);
    struct dh_rowset rs;
    dh_rowset_init(&rs);
    CHECK_REQ(dh_rowset_decode(vp, vpn, &rs, &err) == DH_OK);
    CHECK_INT(rs.size, 50);
    CHECK_INT(rs.n, 1);
    CHECK_INT(rs.ranges[0].lo, 100);
    CHECK_INT(rs.ranges[0].hi, 149);
    dh_rowset_reset(&rs);
    CHECK_REQ(dh_fb_table_field(&req, 3, &opts, &err) == DH_OK && opts.present);
    CHECK_INT(dh_fb_bool(&opts, 1, 0), 0); /* use_deephaven_nulls: false (the .fbs default) */
    CHECK_INT(dh_fb_i32(&opts, 2, 0), DH_TABLE_BATCH_SIZE);
    CHECK_INT(dh_fb_i32(&opts, 3, 0), DH_TABLE_MAX_MESSAGE_SIZE);
    arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);

    /* All columns: no columns field at all. */
    CHECK_REQ(dh_table_snapshot_request(&t, 0, 10, NULL, &buf, &len, &err) == DH_OK);
    fd = arrow__flight__protocol__flight_data__unpack(NULL, len, buf);
    free(buf);
    CHECK_REQ(fd);
    CHECK_REQ(dh_fb_root(fd->app_metadata.data, fd->app_metadata.len, &wrap, &err) == DH_OK);
    CHECK_REQ(dh_fb_bytes(&wrap, 2, &p, &n, &err) == DH_OK && p);
    CHECK_REQ(dh_fb_root(p, n, &req, &err) == DH_OK);
    CHECK(!dh_fb_has(&req, 1));
    arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);

    dh_error_clear(&err);
    CHECK_INT(dh_table_snapshot_request(&t, -1, 10, NULL, &buf, &len, &err), DH_EINVAL);
    CHECK(buf == NULL);
    CHECK_INT(dh_table_snapshot_request(&t, INT64_MAX, 10, NULL, &buf, &len, &err), DH_EINVAL);
}

/* id Int64, u a sparse Union of one Int32 (dhtui does not decode unions), s
 * Utf8: rows r0 .. r0+1. */
static struct tu_bytes undecodable_batch(struct tu_body *r, int r0)
{
    memset(r, 0, sizeof *r);
    int64_t ids[2] = {r0, r0 + 1};
    tu_body_node(r, 2, 0);
    tu_body_buf(r, NULL, 0);
    tu_body_buf(r, ids, 16);
    uint8_t type_ids[8] = {0};
    int32_t ints[2] = {7, 8};
    tu_body_node(r, 2, 0); /* u: type ids only (unions have no validity) */
    tu_body_buf(r, type_ids, 2);
    tu_body_node(r, 2, 0); /* u's Int32 child */
    tu_body_buf(r, NULL, 0);
    tu_body_buf(r, ints, 8);
    int32_t offs[3] = {0, 1, 2};
    char text[2] = {(char)('a' + r0), (char)('b' + r0)};
    tu_body_node(r, 2, 0);
    tu_body_buf(r, NULL, 0);
    tu_body_buf(r, offs, 12);
    tu_body_buf(r, text, 2);
    return tu_rb_msg(r, 2);
}

/* A column dhtui does not decode (here a Union) leaves the rest of the table
 * readable through batches joined into one; a DictionaryBatch is passed over. */
static void test_undecodable_column(void)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t f[3];
    f[0] = tu_fb_field(&b, "id", T_INT, tu_fb_int_type(&b, 64), 0);
    uint32_t kid = tu_fb_field(&b, "i", T_INT, tu_fb_int_type(&b, 32), 0);
    uint32_t kids = dh_fbb_create_vector_refs(&b, &kid, 1);
    dh_fbb_start_table(&b);
    dh_fbb_add_i16(&b, 0, 0, 0); /* Sparse */
    f[1] = tu_fb_field(&b, "u", 14, dh_fbb_end_table(&b), kids);
    f[2] = tu_fb_field(&b, "s", T_UTF8, tu_fb_empty_table(&b), 0);
    struct tu_bytes sm = tu_schema_msg(&b, f, 3);
    struct dh_table_reader r;
    dh_table_reader_init(&r, 0, -1);
    struct dh_error err;
    CHECK_REQ(dh_table_apply_flight_data(&r, sm.p, sm.n, NULL, 0, NULL, 0, &err) == DH_OK);
    dh_fbb_start_table(&b); /* DictionaryBatch{id 1} with no data: passed over */
    dh_fbb_add_i64(&b, 0, 1, 0);
    struct tu_bytes dm = tu_fb_finish(&b, tu_fb_message(&b, 2, dh_fbb_end_table(&b), 0));
    CHECK_INT(dh_table_apply_flight_data(&r, dm.p, dm.n, NULL, 0, NULL, 0, &err), DH_OK);
    struct tu_body body;
    for (int k = 0; k < 2; k++) {
        struct tu_bytes h = undecodable_batch(&body, 2 * k);
        CHECK_INT(dh_table_apply_flight_data(&r, h.p, h.n, body.data, body.len, NULL, 0, &err),
                  DH_OK);
        free(h.p);
    }
    struct dh_rows rows = {0};
    CHECK_REQ(dh_table_reader_finish(&r, &rows, &err) == DH_OK);
    CHECK_INT(rows.batch.length, 4);
    const struct dh_column_view *c = rows.batch.columns;
    CHECK(!dh_field_decodable(c[1].field));
    CHECK_STR(c[1].field->type_name, "Union");
    static const char *const text[4] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++) {
        CHECK_INT(dh_column_get_i64(&c[0], i), i);
        CHECK_INT(c[1].length, 4);
        CHECK(tu_cell_is_text(&c[2], i, text[i]));
    }
    dh_rows_reset(&rows);
    free(dm.p);
    free(sm.p);
}

/* Dictionaries redefined between the chunks of one answer: each batch is read
 * against the dictionary as it stood when it came, and the window joins them. */
static void test_dictionary_chunks(void)
{
    size_t len;
    uint8_t *buf = tu_read_golden("dictionary", ".arrows", &len);
    CHECK_REQ(buf);
    struct dh_table_reader r;
    dh_table_reader_init(&r, 0, -1);
    struct dh_ipc_frame fr;
    size_t pos = 0;
    struct dh_error err;
    while (dh_ipc_stream_next(buf, len, &pos, &fr, &err) == DH_OK)
        CHECK_INT(dh_table_apply_flight_data(&r, fr.metadata, fr.metadata_len, fr.body, fr.body_len,
                                             NULL, 0, &err),
                  DH_OK);
    struct dh_rows rows = {0};
    CHECK_REQ(dh_table_reader_finish(&r, &rows, &err) == DH_OK);
    CHECK_INT(rows.batch.length, 12);
    static const char *const c[12] = {"red", "blue", NULL,        "red", "green", "cyan",
                                      "red", NULL,   "y\xc3\xa9", "x",   "x",     NULL};
    for (int i = 0; i < 12; i++) {
        if (c[i])
            CHECK(tu_cell_is_text(&rows.batch.columns[0], i, c[i]));
        else
            CHECK(dh_column_is_null(&rows.batch.columns[0], i));
        CHECK_INT(dh_column_get_i64(&rows.batch.columns[2], i), i + 1);
    }
    CHECK_INT(dh_column_get_i64(&rows.batch.columns[1], 5), -1);
    CHECK(dh_column_is_null(&rows.batch.columns[1], 8));
    dh_rows_reset(&rows);
    dh_table_reader_reset(&r);
    free(buf);
}

/* Map, Struct, List<Map> and Map<List> columns joined across batches read
 * cell for cell as each batch on its own (tests/data/golden/maps). */
static void test_map_chunks(void)
{
    size_t len;
    uint8_t *buf = tu_read_golden("maps", ".arrows", &len);
    CHECK_REQ(buf);
    struct dh_table_reader r;
    dh_table_reader_init(&r, 0, -1);
    struct dh_ipc_frame fr;
    size_t pos = 0;
    struct dh_error err;
    while (dh_ipc_stream_next(buf, len, &pos, &fr, &err) == DH_OK)
        CHECK_INT(dh_table_apply_flight_data(&r, fr.metadata, fr.metadata_len, fr.body, fr.body_len,
                                             NULL, 0, &err),
                  DH_OK);
    struct dh_rows rows = {0};
    CHECK_REQ(dh_table_reader_finish(&r, &rows, &err) == DH_OK);
    CHECK_INT(rows.batch.length, 8);
    struct tu_stream st;
    CHECK_REQ(tu_stream_open(&st, buf, len, &err) == DH_OK);
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    int64_t at = 0, cells = 0;
    while (tu_stream_next(&st, &err) == DH_OK) {
        for (size_t c = 0; c < st.batch.n_columns; c++) {
            for (int64_t i = 0; i < st.batch.length; i++) {
                char want[256], got[256];
                dh_format_cell(&st.batch.columns[c], i, &o, want, sizeof want);
                dh_format_cell(&rows.batch.columns[c], at + i, &o, got, sizeof got);
                CHECK_STR(got, want);
                cells++;
            }
        }
        at += st.batch.length;
    }
    CHECK_INT(cells, 40);
    tu_stream_close(&st);
    dh_rows_reset(&rows);
    dh_table_reader_reset(&r);
    free(buf);
}

int main(void)
{
    CHECK_RUN(T(test_concat_two_batches), T(test_clip_to_table_size), T(test_bounded),
              T(test_unrequested_and_empty), T(test_errors), T(test_snapshot_request),
              T(test_undecodable_column), T(test_dictionary_chunks), T(test_map_chunks));
}
