/* SPDX-License-Identifier: MIT */
/* test_catalog: the demo server's catalogue and its Arrow / Barrage / Figure
 * encodings, decoded with libdh's own decoders. The server sources are compiled
 * in directly (a unit test links only dhclient). */
#include "../../server/catalog.c"
#include "../../server/colcache.c"
#include "../../server/encode_arrow.c"
#include "../../server/encode_barrage.c"
#include "../../server/encode_figure.c"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "dh_arrow.h"
#include "dh_barrage.h"
#include "dh_figure.h"
#include "dh_flatbuf.h"
#include "dh_rowset.h"

/* ---- helpers ---- */

static const struct demo_object *find_any(struct demo_catalog *cat, const char *name)
{
    const struct demo_object *o = demo_catalog_find(cat, name);
    return o;
}

static int field_index(const struct dh_schema *s, const char *name)
{
    for (size_t i = 0; i < s->n_fields; i++)
        if (strcmp(s->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* The raw FieldNode / Buffer vectors of a RecordBatch message header. */
struct raw_batch {
    int64_t length;
    size_t n_nodes, n_buffers;
    int64_t nodes[64][2];
    int64_t buffers[128][2];
    int64_t body_length;
    int version;
};

static int read_raw(const uint8_t *hdr, size_t len, struct raw_batch *r)
{
    struct dh_ipc_message m;
    struct dh_error e;
    memset(r, 0, sizeof *r);
    if (dh_ipc_message_decode(hdr, len, &m, &e) != DH_OK || m.kind != DH_IPC_RECORD_BATCH)
        return -1;
    r->version = m.version;
    r->body_length = m.body_length;
    r->length = dh_fb_i64(&m.header, 0, 0);
    struct dh_fb_vector nodes, bufs;
    if (dh_fb_vector_field(&m.header, 1, 16, &nodes, &e) != DH_OK ||
        dh_fb_vector_field(&m.header, 2, 16, &bufs, &e) != DH_OK)
        return -1;
    if (nodes.n > 64 || bufs.n > 128)
        return -1;
    r->n_nodes = nodes.n;
    r->n_buffers = bufs.n;
    for (size_t i = 0; i < nodes.n; i++) {
        const uint8_t *p = dh_fb_vector_at(&nodes, i);
        r->nodes[i][0] = dh_fb_load_i64(p);
        r->nodes[i][1] = dh_fb_load_i64(p + 8);
    }
    for (size_t i = 0; i < bufs.n; i++) {
        const uint8_t *p = dh_fb_vector_at(&bufs, i);
        r->buffers[i][0] = dh_fb_load_i64(p);
        r->buffers[i][1] = dh_fb_load_i64(p + 8);
    }
    return 0;
}

/* Buffers must be contiguous, 8-aligned, padded, and end at bodyLength. */
static void check_buffer_layout(const struct raw_batch *r, size_t body_len)
{
    int64_t pos = 0;
    for (size_t i = 0; i < r->n_buffers; i++) {
        CHECK_INT(r->buffers[i][0], pos);
        CHECK_INT(r->buffers[i][1] % 8, 0);
        pos += r->buffers[i][1];
    }
    CHECK_INT(pos, (int64_t)body_len);
    CHECK_INT(r->body_length, (int64_t)body_len);
}

static int decode_schema_of(const struct demo_object *t, struct dh_schema *s)
{
    uint8_t *ipc;
    size_t len;
    char err[DEMO_ERR_MAX];
    struct dh_error e;
    dh_schema_init(s);
    if (demo_encode_schema_ipc(t, &ipc, &len, err) != 0)
        return -1;
    int rc = dh_schema_decode_encapsulated(ipc, len, s, &e);
    free(ipc);
    return rc == DH_OK ? 0 : -1;
}

/* Encode rows [first, first+n) of t and decode the batch against its schema. */
static int encode_decode(const struct demo_object *t, const struct dh_schema *s, int64_t first,
                         size_t n, const uint8_t *cols, size_t cols_len, int dh_nulls,
                         struct dh_batch *b, struct raw_batch *raw)
{
    int64_t *rows = malloc((n ? n : 1) * sizeof *rows);
    struct demo_flight_msg msg;
    char err[DEMO_ERR_MAX];
    struct dh_error e;
    for (size_t i = 0; i < n; i++)
        rows[i] = first + (int64_t)i;
    int rc = demo_arrow_record_batch(t, rows, n, cols, cols_len, dh_nulls, &msg, err);
    free(rows);
    if (rc != 0)
        return -1;
    if (raw) {
        if (read_raw(msg.header, msg.header_len, raw) != 0)
            rc = -1;
        else
            check_buffer_layout(raw, msg.body_len);
    }
    dh_batch_init(b);
    if (rc == 0 &&
        dh_batch_decode(s, msg.header, msg.header_len, msg.body, msg.body_len, b, &e) != DH_OK) {
        fprintf(stderr, "  decode: %s\n", e.msg);
        rc = -1;
    }
    demo_flight_msg_clear(&msg);
    return rc;
}

/* ---- catalogue ---- */

static void test_builtins(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    CHECK_INT(demo_catalog_count(cat), 10);
    static const char *const names[] = {"trades",       "quotes",  "empty",      "wide",
                                        "nulls",        "hostile", "price_plot", "awkward",
                                        "price_by_sym", "price_px"};
    static const char *const types[] = {
        "Table", "Table",  "Table", "Table",  "Table",
        "Table", "Figure", "Table", "Figure", "deephaven.plot.express.DeephavenFigure"};
    for (size_t i = 0; i < 10; i++) {
        const struct demo_object *o = demo_catalog_at(cat, i);
        CHECK_REQ(o);
        CHECK_STR(demo_object_name(o), names[i]);
        CHECK_STR(demo_object_type(o), types[i]);
        CHECK_INT(demo_object_is_table(o), strcmp(types[i], "Table") == 0);
        CHECK_INT(demo_object_is_app_field(o), 1);
        CHECK_INT(demo_object_removed(o), 0);
        CHECK_INT(demo_object_hidden(o), 0);
        CHECK(demo_catalog_find(cat, names[i]) == o);
    }
    CHECK(demo_catalog_at(cat, 10) == NULL);
    const struct demo_object *trades = find_any(cat, "trades");
    CHECK_STR(demo_object_description(trades), "1,000,000 synthetic trades");
    CHECK_INT(demo_object_size(trades), 1000000);
    CHECK_INT(demo_object_is_static(trades), 1);
    CHECK_INT(demo_object_size(find_any(cat, "empty")), 0);
    CHECK_INT(demo_table_ncols(find_any(cat, "wide")), 60);
    CHECK_STR(demo_table_col_name(find_any(cat, "wide"), 59), "Col59");
    CHECK_INT(demo_object_size(find_any(cat, "wide")), 1000);
    CHECK(demo_object_size(find_any(cat, "nulls")) >= 4);
    CHECK(demo_object_size(find_any(cat, "hostile")) >= 15);
    /* the figure's data table is hidden: not listed, not found by name */
    CHECK(demo_catalog_find(cat, "price_plot_data") == NULL);
    const struct demo_object *data = demo_figure_table(find_any(cat, "price_plot"));
    CHECK_REQ(data);
    CHECK_INT(demo_object_hidden(data), 1);
    CHECK_INT(demo_object_size(data), 500);
    CHECK(demo_figure_table(trades) == NULL);
    demo_catalog_free(cat);

    struct demo_catalog_options opt = {.trades_rows = 10000000};
    cat = demo_catalog_new(&opt);
    CHECK_REQ(cat);
    CHECK_STR(demo_object_description(find_any(cat, "trades")), "10,000,000 synthetic trades");
    CHECK_INT(demo_object_size(find_any(cat, "trades")), 10000000);
    demo_catalog_free(cat);
    demo_catalog_free(NULL);
}

static void test_quotes_tick(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    const struct demo_object *q = find_any(cat, "quotes");
    CHECK_INT(demo_object_is_static(q), 0);
    int64_t a = demo_object_size(q);
    CHECK(a >= 100 && a <= 120);
    struct timespec ts = {0, 600 * 1000 * 1000};
    nanosleep(&ts, NULL);
    int64_t b = demo_object_size(q);
    CHECK(b >= a + 20);
    CHECK_INT((b - 100) % 10, 0);
    /* rows already there never change: a pure function of the row */
    struct demo_cell c1, c2;
    demo_table_cell(q, 50, 2, &c1);
    demo_table_cell(q, 50, 2, &c2);
    CHECK(c1.d == c2.d && c1.d > 0);
    demo_catalog_free(cat);
}

static void test_add_remove(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    const struct demo_object *t = demo_catalog_add(cat, "mytrades", "Table", "trades");
    CHECK_REQ(t);
    CHECK_INT(demo_object_is_app_field(t), 0);
    CHECK_INT(demo_object_is_table(t), 1);
    CHECK_INT(demo_object_size(t), 1000);
    CHECK_INT(demo_table_ncols(t), 7);
    CHECK_INT(demo_catalog_count(cat), 11);
    const struct demo_object *d = demo_catalog_add(cat, "plain", "Table", NULL);
    CHECK_REQ(d);
    CHECK_INT(demo_object_size(d), 100);
    const struct demo_object *h = demo_catalog_add(cat, "evil", "Table", "hostile");
    CHECK_REQ(h);
    CHECK_INT(demo_object_size(h), demo_object_size(find_any(cat, "hostile")));
    const struct demo_object *f = demo_catalog_add(cat, "fig2", "Figure", NULL);
    CHECK_REQ(f);
    CHECK_STR(demo_object_type(f), "Figure");
    CHECK(demo_figure_table(f) != NULL);
    const struct demo_object *p = demo_catalog_add(cat, "df", "pandas.DataFrame", NULL);
    CHECK_REQ(p);
    CHECK_STR(demo_object_type(p), "pandas.DataFrame");
    CHECK_INT(demo_object_is_table(p), 0);
    /* a built-in's name cannot be taken; a script variable's is replaced */
    CHECK(demo_catalog_add(cat, "trades", "Table", NULL) == NULL);
    const struct demo_object *t2 = demo_catalog_add(cat, "mytrades", "Table", "wide");
    CHECK_REQ(t2);
    CHECK_INT(demo_object_removed(t), 1);
    CHECK(demo_catalog_find(cat, "mytrades") == t2);
    CHECK_INT(demo_table_ncols(t2), 60);
    /* remove keeps the object (pointers stay valid) but hides it from find */
    CHECK_INT(demo_catalog_remove(cat, "df"), 0);
    CHECK_INT(demo_object_removed(p), 1);
    CHECK(demo_catalog_find(cat, "df") == NULL);
    CHECK_INT(demo_catalog_remove(cat, "df"), -1);
    CHECK_INT(demo_catalog_remove(cat, "trades"), 0);
    CHECK(demo_catalog_find(cat, "trades") == NULL);
    CHECK_INT(demo_catalog_count(cat), 16);
    CHECK_STR(demo_object_name(demo_catalog_at(cat, 15)), "mytrades");
    demo_catalog_free(cat);
}

static void test_cells_deterministic(void)
{
    struct demo_catalog *a = demo_catalog_new(NULL);
    struct demo_catalog *b = demo_catalog_new(NULL);
    CHECK_REQ(a && b);
    const struct demo_object *ta = find_any(a, "trades"), *tb = find_any(b, "trades");
    struct demo_cell ca, cb;
    for (int64_t row = 0; row < 1000000; row += 99991) {
        for (size_t col = 0; col < 7; col++) {
            demo_table_cell(ta, row, col, &ca);
            demo_table_cell(tb, row, col, &cb);
            CHECK(ca.i == cb.i && ca.d == cb.d && ca.len == cb.len);
            if (ca.len)
                CHECK(memcmp(ca.bytes, cb.bytes, ca.len) == 0);
        }
        demo_table_cell(ta, row, 6, &ca);
        CHECK_INT(ca.i, row); /* Id = row index */
    }
    /* timestamps increase with the row */
    demo_table_cell(ta, 10, 0, &ca);
    demo_table_cell(ta, 11, 0, &cb);
    CHECK(ca.i < cb.i);
    demo_catalog_free(a);
    demo_catalog_free(b);
}

/* ---- schema ---- */

static void test_schema_framing(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    char err[DEMO_ERR_MAX];
    for (size_t i = 0; i < 6; i++) {
        const struct demo_object *t = demo_catalog_at(cat, i);
        uint8_t *ipc, *raw;
        size_t len, rlen;
        CHECK_REQ(demo_encode_schema_ipc(t, &ipc, &len, err) == 0);
        CHECK_REQ(demo_arrow_schema_message(t, &raw, &rlen, err) == 0);
        CHECK_INT(len % 8, 0);
        CHECK(ipc[0] == 0xFF && ipc[1] == 0xFF && ipc[2] == 0xFF && ipc[3] == 0xFF);
        uint32_t l = (uint32_t)ipc[4] | (uint32_t)ipc[5] << 8 | (uint32_t)ipc[6] << 16 |
                     (uint32_t)ipc[7] << 24;
        CHECK_INT(l, rlen); /* L excludes the padding */
        CHECK(len - 8 - l < 8);
        CHECK(memcmp(ipc + 8, raw, rlen) == 0);
        for (size_t k = 8 + l; k < len; k++)
            CHECK_INT(ipc[k], 0);
        struct dh_ipc_message m;
        struct dh_error e;
        CHECK_REQ(dh_ipc_message_decode(raw, rlen, &m, &e) == DH_OK);
        CHECK_INT(m.kind, DH_IPC_SCHEMA);
        CHECK_INT(m.version, 4);
        CHECK_INT(m.body_length, 0);
        free(ipc);
        free(raw);
    }
    uint8_t *out = NULL;
    size_t len = 0;
    CHECK_INT(demo_encode_schema_ipc(find_any(cat, "price_plot"), &out, &len, err), -1);
    CHECK(strncmp(err, "FAILED_PRECONDITION", 19) == 0);
    demo_catalog_free(cat);
}

static void test_schema_types(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    struct dh_schema s;
    struct dh_error e;
    CHECK_REQ(decode_schema_of(find_any(cat, "nulls"), &s) == 0);
    CHECK_INT(dh_schema_check_supported(&s, &e), DH_OK);
    CHECK_INT(s.n_fields, 18);
    struct expect {
        const char *name, *dh_type, *component;
        enum dh_type_id type;
        int bits, is_signed, unit;
    };
    static const struct expect ex[] = {
        {"Case", "java.lang.String", NULL, DH_TYPE_UTF8, 0, 0, 0},
        {"Byte", "byte", NULL, DH_TYPE_INT, 8, 1, 0},
        {"Short", "short", NULL, DH_TYPE_INT, 16, 1, 0},
        {"Int", "int", NULL, DH_TYPE_INT, 32, 1, 0},
        {"Long", "long", NULL, DH_TYPE_INT, 64, 1, 0},
        {"Char", "char", NULL, DH_TYPE_INT, 16, 0, 0},
        {"Float", "float", NULL, DH_TYPE_FLOAT, 32, 0, 0},
        {"Double", "double", NULL, DH_TYPE_FLOAT, 64, 0, 0},
        {"Boolean", "java.lang.Boolean", NULL, DH_TYPE_BOOL, 0, 0, 0},
        {"String", "java.lang.String", NULL, DH_TYPE_UTF8, 0, 0, 0},
        {"Instant", "java.time.Instant", NULL, DH_TYPE_TIMESTAMP, 0, 0, DH_UNIT_NANO},
        {"LocalDate", "java.time.LocalDate", NULL, DH_TYPE_DATE, 0, 0, DH_DATE_MILLI},
        {"LocalTime", "java.time.LocalTime", NULL, DH_TYPE_TIME, 64, 0, DH_UNIT_NANO},
        {"BigDecimal", "java.math.BigDecimal", NULL, DH_TYPE_BINARY, 0, 0, 0},
        {"BigInteger", "java.math.BigInteger", NULL, DH_TYPE_BINARY, 0, 0, 0},
        {"Bytes", "byte[]", "byte", DH_TYPE_BINARY, 0, 0, 0},
        {"IntArray", "int[]", "int", DH_TYPE_LIST, 0, 0, 0},
        {"StringArray", "java.lang.String[]", "java.lang.String", DH_TYPE_LIST, 0, 0, 0},
    };
    for (size_t i = 0; i < s.n_fields && i < 18; i++) {
        const struct dh_field *f = &s.fields[i];
        CHECK_STR(f->name, ex[i].name);
        CHECK_INT(f->type, ex[i].type);
        CHECK_INT(f->nullable, 1);
        CHECK_STR(f->dh_type, ex[i].dh_type);
        if (ex[i].component)
            CHECK_STR(f->dh_component_type, ex[i].component);
        else
            CHECK(f->dh_component_type == NULL);
        if (ex[i].bits)
            CHECK_INT(f->bit_width, ex[i].bits);
        if (ex[i].type == DH_TYPE_INT)
            CHECK_INT(f->is_signed, ex[i].is_signed);
        if (ex[i].unit)
            CHECK_INT(f->unit, ex[i].unit);
        if (ex[i].component)
            CHECK(dh_field_metadata(f, "deephaven:isSortable") == NULL);
        else
            CHECK_STR(dh_field_metadata(f, "deephaven:isSortable"), "true");
    }
    CHECK_STR(s.fields[10].timezone, "UTC");
    CHECK_REQ(s.fields[16].child && s.fields[17].child);
    CHECK_STR(s.fields[16].child->name, "");
    CHECK_INT(s.fields[16].child->type, DH_TYPE_INT);
    CHECK_INT(s.fields[16].child->bit_width, 32);
    CHECK_INT(s.fields[17].child->type, DH_TYPE_UTF8);
    CHECK_INT(s.fields[17].child->n_metadata, 0);
    CHECK_STR(dh_schema_metadata(&s, "deephaven:attribute.IsFlat"), "true");
    dh_schema_reset(&s);

    CHECK_REQ(decode_schema_of(find_any(cat, "quotes"), &s) == 0);
    CHECK_STR(dh_schema_metadata(&s, "deephaven:attribute.AppendOnly"), "true");
    CHECK(dh_schema_metadata(&s, "deephaven:attribute.IsFlat") == NULL);
    dh_schema_reset(&s);

    CHECK_REQ(decode_schema_of(find_any(cat, "hostile"), &s) == 0);
    CHECK(field_index(&s, "Esc\x1b[31mName\x1b[0m") >= 0);
    dh_schema_reset(&s);
    demo_catalog_free(cat);
}

/* ---- record batches ---- */

/* Only Id requested, 3 rows: every other column is a 0-length node with 0-length buffers. */
static void test_batch_layout_small(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    const struct demo_object *t = find_any(cat, "trades");
    int64_t rows[3] = {0, 1, 2};
    uint8_t cols[1] = {0x40}; /* column 6 = Id */
    struct demo_flight_msg msg;
    char err[DEMO_ERR_MAX];
    CHECK_REQ(demo_arrow_record_batch(t, rows, 3, cols, 1, 0, &msg, err) == 0);
    struct raw_batch r;
    CHECK_REQ(read_raw(msg.header, msg.header_len, &r) == 0);
    CHECK_INT(r.version, 4);
    CHECK_INT(r.length, 3);
    CHECK_INT(r.n_nodes, 7);
    /* Timestamp 2, Sym 3, Price 2, Size 2, Exchange 3, Flag 2, Id 2 */
    CHECK_INT(r.n_buffers, 16);
    for (size_t i = 0; i < 6; i++)
        CHECK(r.nodes[i][0] == 0 && r.nodes[i][1] == 0);
    CHECK(r.nodes[6][0] == 3 && r.nodes[6][1] == 0);
    for (size_t i = 0; i < 14; i++)
        CHECK(r.buffers[i][0] == 0 && r.buffers[i][1] == 0);
    CHECK(r.buffers[14][0] == 0 && r.buffers[14][1] == 0); /* validity omitted: no nulls */
    CHECK(r.buffers[15][0] == 0 && r.buffers[15][1] == 24);
    CHECK_INT(msg.body_len, 24);
    static const uint8_t want[24] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
                                     0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
    CHECK(memcmp(msg.body, want, 24) == 0);
    demo_flight_msg_clear(&msg);
    demo_flight_msg_clear(&msg); /* idempotent */

    /* 0 rows: every buffer is empty, including Utf8 offsets */
    CHECK_REQ(demo_arrow_record_batch(t, rows, 0, NULL, 0, 0, &msg, err) == 0);
    CHECK_REQ(read_raw(msg.header, msg.header_len, &r) == 0);
    CHECK_INT(r.length, 0);
    CHECK_INT(msg.body_len, 0);
    CHECK_INT(r.body_length, 0);
    for (size_t i = 0; i < r.n_buffers; i++)
        CHECK_INT(r.buffers[i][1], 0);
    demo_flight_msg_clear(&msg);
    demo_catalog_free(cat);
}

/* A 3-row Int column with one null: 8-byte validity, 12 bytes padded to 16;
 * a 3-row String column: 16 offsets bytes, data padded. */
static void test_batch_layout_nulls(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    const struct demo_object *t = find_any(cat, "nulls");
    int64_t rows[3] = {0, 1, 2};
    uint8_t cols[1] = {0x09}; /* Case (0) and Int (3) */
    struct demo_flight_msg msg;
    char err[DEMO_ERR_MAX];
    CHECK_REQ(demo_arrow_record_batch(t, rows, 3, cols, 1, 0, &msg, err) == 0);
    struct raw_batch r;
    CHECK_REQ(read_raw(msg.header, msg.header_len, &r) == 0);
    check_buffer_layout(&r, msg.body_len);
    /* Case: node {3, 1}; validity 8, offsets 16 (4 int32 padded), data "typical" +
     * "minimum non-null" = 23 -> 24 */
    CHECK(r.nodes[0][0] == 3 && r.nodes[0][1] == 1);
    CHECK_INT(r.buffers[0][1], 8);
    CHECK_INT(r.buffers[1][1], 16);
    CHECK_INT(r.buffers[2][1], 24);
    CHECK_INT(msg.body[0], 0x06); /* rows 1 and 2 valid, LSB first */
    /* the 4 offsets: 0, 0, 7, 23 */
    CHECK_INT(msg.body[8], 0);
    CHECK_INT(msg.body[12], 0);
    CHECK_INT(msg.body[16], 7);
    CHECK_INT(msg.body[20], 23);
    /* Int is column 3: nodes 1, 2 are empty Byte/Short; buffers 3..6 empty */
    CHECK(r.nodes[3][0] == 3 && r.nodes[3][1] == 1);
    size_t ib = 3 + 2 + 2; /* Case 3, Byte 2, Short 2 */
    CHECK_INT(r.buffers[ib][1], 8);
    CHECK_INT(r.buffers[ib + 1][1], 16);
    const uint8_t *vals = msg.body + r.buffers[ib + 1][0];
    int32_t v0;
    memcpy(&v0, vals, 4);
    CHECK_INT(v0, INT32_MIN); /* the null slot holds the sentinel */
    demo_flight_msg_clear(&msg);

    /* use_deephaven_nulls: Int has no validity and null_count 0; Utf8 keeps validity */
    CHECK_REQ(demo_arrow_record_batch(t, rows, 3, cols, 1, 1, &msg, err) == 0);
    CHECK_REQ(read_raw(msg.header, msg.header_len, &r) == 0);
    check_buffer_layout(&r, msg.body_len);
    CHECK(r.nodes[0][1] == 1);
    CHECK(r.nodes[3][0] == 3 && r.nodes[3][1] == 0);
    CHECK_INT(r.buffers[ib][1], 0);
    CHECK_INT(r.buffers[ib + 1][1], 16);
    demo_flight_msg_clear(&msg);
    demo_catalog_free(cat);
}

static void check_bytes(const struct dh_column_view *c, int64_t row, const void *want, size_t len)
{
    const uint8_t *p;
    size_t n;
    CHECK_REQ(dh_column_get_bytes(c, row, &p, &n) == DH_OK);
    CHECK_INT(n, len);
    if (n == len && len)
        CHECK(memcmp(p, want, len) == 0);
}

static void test_nulls_values(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    const struct demo_object *t = find_any(cat, "nulls");
    struct dh_schema s;
    CHECK_REQ(decode_schema_of(t, &s) == 0);
    struct dh_batch b;
    struct raw_batch raw;
    int64_t n = demo_object_size(t);
    CHECK_REQ(encode_decode(t, &s, 0, (size_t)n, NULL, 0, 0, &b, &raw) == 0);
    CHECK_INT(b.length, n);
    /* row 0: null in every column, with validity (use_deephaven_nulls off) */
    for (size_t c = 0; c < s.n_fields; c++) {
        CHECK(b.columns[c].validity != NULL);
        CHECK_INT(dh_column_is_null(&b.columns[c], 0), 1);
        CHECK_INT(dh_column_is_null(&b.columns[c], 1), 0);
    }
    const struct dh_column_view *col = b.columns;
    CHECK_INT(dh_column_get_i64(&col[1], 1), 42);
    CHECK_INT(dh_column_get_i64(&col[2], 2), -32767);
    CHECK_INT(dh_column_get_i64(&col[3], 3), INT32_MAX);
    CHECK_INT(dh_column_get_i64(&col[4], 2), INT64_MIN + 1);
    CHECK_INT(dh_column_get_i64(&col[5], 3), 0xFFFE); /* char: unsigned */
    CHECK(dh_column_get_f64(&col[6], 2) == (double)nextafterf(-FLT_MAX, 0.0f));
    CHECK(dh_column_get_f64(&col[7], 3) == DBL_MAX);
    CHECK_INT(dh_column_get_bool(&col[8], 1), 1);
    CHECK_INT(dh_column_get_bool(&col[8], 2), 0);
    check_bytes(&col[9], 1, "hello", 5);
    check_bytes(&col[9], 2, "", 0);
    CHECK_INT(dh_column_get_i64(&col[10], 1), 1704205800123456789LL);
    CHECK_INT(dh_column_get_i64(&col[11], 1), 19724LL * 86400000LL); /* ms */
    CHECK_INT(dh_column_get_i64(&col[12], 1), 52200123456789LL);
    static const uint8_t bd[] = {0x02, 0, 0, 0, 0x30, 0x39}; /* 123.45 */
    check_bytes(&col[13], 1, bd, sizeof bd);
    static const uint8_t bi[] = {0xff, 0x7f}; /* -129 */
    check_bytes(&col[14], 7, bi, sizeof bi);
    check_bytes(&col[15], 1, "\xde\xad\xbe\xef", 4);
    check_bytes(&col[15], 2, "", 0); /* empty byte[] is not null */
    CHECK_INT(dh_column_is_null(&col[15], 2), 0);
    /* row 5: every other column null */
    CHECK_INT(dh_column_is_null(&col[0], 5), 0);
    CHECK_INT(dh_column_is_null(&col[1], 5), 1);
    CHECK_INT(dh_column_is_null(&col[2], 5), 0);
    /* lists: int[] {1, null, 3} in row 6, String[] {"a", null, "c"} */
    int64_t start, count;
    CHECK_REQ(dh_column_list_range(&col[16], 6, &start, &count) == DH_OK);
    CHECK_INT(count, 3);
    CHECK_REQ(col[16].child);
    CHECK_INT(dh_column_get_i64(col[16].child, start), 1);
    CHECK_INT(dh_column_is_null(col[16].child, start + 1), 1);
    CHECK_INT(dh_column_get_i64(col[16].child, start + 2), 3);
    CHECK_REQ(dh_column_list_range(&col[17], 6, &start, &count) == DH_OK);
    CHECK_INT(count, 3);
    check_bytes(col[17].child, start, "a", 1);
    CHECK_INT(dh_column_is_null(col[17].child, start + 1), 1);
    check_bytes(col[17].child, start + 2, "c", 1);
    CHECK_REQ(dh_column_list_range(&col[16], 2, &start, &count) == DH_OK);
    CHECK_INT(count, 0); /* empty, not null */
    CHECK_INT(dh_column_is_null(&col[16], 2), 0);
    dh_batch_reset(&b);

    /* use_deephaven_nulls: sentinels without validity for the sentinel types */
    CHECK_REQ(encode_decode(t, &s, 0, (size_t)n, NULL, 0, 1, &b, &raw) == 0);
    static const int sentinel_cols[] = {1, 2, 3, 4, 5, 6, 7, 10, 11, 12};
    for (size_t i = 0; i < sizeof sentinel_cols / sizeof *sentinel_cols; i++) {
        const struct dh_column_view *c = &b.columns[sentinel_cols[i]];
        CHECK(c->validity == NULL);
        CHECK_INT(c->null_count, 0);
    }
    CHECK_INT(dh_column_get_i64(&b.columns[3], 0), INT32_MIN);
    CHECK_INT(dh_column_get_i64(&b.columns[5], 0), 0xFFFF);
    CHECK(dh_column_get_f64(&b.columns[7], 0) == -DBL_MAX);
    CHECK(dh_column_get_f64(&b.columns[6], 0) == (double)-FLT_MAX);
    CHECK_INT(dh_column_get_i64(&b.columns[11], 0), INT64_MIN);
    CHECK(b.columns[8].validity != NULL);  /* Boolean keeps validity */
    CHECK(b.columns[9].validity != NULL);  /* String keeps validity */
    CHECK(b.columns[13].validity != NULL); /* BigDecimal keeps validity */
    CHECK(b.columns[17].validity != NULL); /* lists keep validity */
    dh_batch_set_deephaven_nulls(&b, 1);
    CHECK_INT(dh_column_is_null(&b.columns[3], 0), 1);
    dh_batch_reset(&b);
    dh_schema_reset(&s);
    demo_catalog_free(cat);
}

static void test_every_table_decodes(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    for (size_t i = 0; i < 6; i++) {
        const struct demo_object *t = demo_catalog_at(cat, i);
        struct dh_schema s;
        struct dh_error e;
        CHECK_REQ(decode_schema_of(t, &s) == 0);
        CHECK_INT(dh_schema_check_supported(&s, &e), DH_OK);
        int64_t n = demo_object_size(t);
        if (n > 300)
            n = 300;
        struct dh_batch b;
        struct raw_batch raw;
        CHECK(encode_decode(t, &s, 0, (size_t)n, NULL, 0, 0, &b, &raw) == 0);
        CHECK_INT(b.length, n);
        dh_batch_reset(&b);
        dh_schema_reset(&s);
    }
    /* hostile: the long strings, NUL inside, invalid UTF-8 arrive byte for byte */
    const struct demo_object *h = find_any(cat, "hostile");
    struct dh_schema s;
    CHECK_REQ(decode_schema_of(h, &s) == 0);
    struct dh_batch b;
    int64_t n = demo_object_size(h);
    CHECK_REQ(encode_decode(h, &s, 0, (size_t)n, NULL, 0, 0, &b, NULL) == 0);
    int saw_long = 0, saw_nul = 0, saw_cjk = 0;
    for (int64_t r = 0; r < n; r++) {
        const uint8_t *p;
        size_t len;
        CHECK_REQ(dh_column_get_bytes(&b.columns[2], r, &p, &len) == DH_OK);
        struct demo_cell c;
        demo_table_cell(h, r, 2, &c);
        CHECK_INT(len, c.len);
        CHECK(len == c.len && memcmp(p, c.bytes, len) == 0);
        CHECK_INT(dh_column_get_i64(&b.columns[3], r), (int64_t)len);
        if (len == 10000)
            saw_long = 1;
        if (len == 30000)
            saw_cjk = 1;
        if (len && memchr(p, 0, len))
            saw_nul = 1;
    }
    CHECK(saw_long && saw_nul && saw_cjk);
    dh_batch_reset(&b);
    dh_schema_reset(&s);
    demo_catalog_free(cat);
}

/* trades batches are generated a column at a time (demo_table_column): they must be
 * byte for byte what the cell-by-cell path gives, here through a derived view of the
 * same rows (scattered, far apart, with a column subset and dh nulls too). */
static void test_trades_bulk_matches_cells(void)
{
    struct demo_catalog_options opt = {.trades_rows = 10000000};
    struct demo_catalog *cat = demo_catalog_new(&opt);
    CHECK_REQ(cat);
    const struct demo_object *t = find_any(cat, "trades");
    enum { N = 5000 };
    int64_t *rows = malloc(N * sizeof *rows), *pos = malloc(N * sizeof *pos);
    int64_t *index = malloc(N * sizeof *index);
    CHECK_REQ(rows && pos && index);
    for (size_t i = 0; i < N; i++) {
        rows[i] = (int64_t)(mix64(i) % 10000000u);
        index[i] = rows[i];
        pos[i] = (int64_t)i;
    }
    rows[0] = 0;
    index[0] = 0;
    rows[N - 1] = index[N - 1] = 9999999;
    const struct demo_object *view = demo_object_new_derived(t, index, N);
    CHECK_REQ(view);
    const char *const *dict;
    size_t dict_n;
    CHECK(demo_table_column_bulk(t, 1, &dict, &dict_n) && dict_n == 10);
    CHECK(!demo_table_column_bulk(view, 1, &dict, &dict_n));
    const uint8_t some[] = {0x36}; /* Sym, Price, Exchange, Flag */
    for (int k = 0; k < 3; k++) {
        struct demo_flight_msg a, b;
        char err[DEMO_ERR_MAX];
        const uint8_t *cols = k == 2 ? some : NULL;
        size_t n = k == 1 ? 1 : N;
        CHECK_REQ(demo_arrow_record_batch(t, rows, n, cols, cols ? 1 : 0, k, &a, err) == 0);
        CHECK_REQ(demo_arrow_record_batch(view, pos, n, cols, cols ? 1 : 0, k, &b, err) == 0);
        CHECK_INT(a.body_len, b.body_len);
        CHECK(a.body_len == b.body_len && memcmp(a.body, b.body, a.body_len) == 0);
        CHECK(a.header_len == b.header_len && memcmp(a.header, b.header, a.header_len) == 0);
        demo_flight_msg_clear(&a);
        demo_flight_msg_clear(&b);
    }
    demo_object_unref(view);
    free(rows);
    free(pos);
    demo_catalog_free(cat);
}

/* A 100-row window of a 10M-row table must cost microseconds, not a scan. */
static void test_viewport_is_cheap(void)
{
    struct demo_catalog_options opt = {.trades_rows = 10000000};
    struct demo_catalog *cat = demo_catalog_new(&opt);
    CHECK_REQ(cat);
    const struct demo_object *t = find_any(cat, "trades");
    int64_t rows[100];
    for (int i = 0; i < 100; i++)
        rows[i] = 9999900 + i;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int k = 0; k < 100; k++) {
        struct demo_flight_msg msg;
        char err[DEMO_ERR_MAX];
        CHECK_REQ(demo_arrow_record_batch(t, rows, 100, NULL, 0, 0, &msg, err) == 0);
        demo_flight_msg_clear(&msg);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double us = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3 / 100;
    fprintf(stderr, "  100-row trades batch: %.1f us\n", us);
    CHECK(us < 2000); /* generous for sanitizer builds */
    demo_catalog_free(cat);
}

/* ---- figure ---- */

static void test_figure(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    const struct demo_object *fig = find_any(cat, "price_plot");
    uint8_t *buf;
    size_t len;
    const struct demo_object *tables[4];
    size_t n_tables = 4;
    char err[DEMO_ERR_MAX];
    CHECK_REQ(demo_encode_figure(fig, &buf, &len, tables, &n_tables, err) == 0);
    CHECK_INT(n_tables, 1);
    CHECK(tables[0] == demo_figure_table(fig));
    CHECK_INT(demo_object_hidden(tables[0]), 1);
    CHECK_STR(demo_table_col_name(tables[0], 0), "Timestamp");
    CHECK_STR(demo_table_col_name(tables[0], 1), "Price");
    struct dh_figure *f = NULL;
    struct dh_error e;
    CHECK_REQ(dh_figure_decode(buf, len, &f, &e) == DH_OK);
    CHECK_STR(f->title, "Price over time");
    CHECK_INT(f->n_charts, 1);
    CHECK_INT(f->charts[0].chart_type, 0);
    CHECK_INT(f->charts[0].n_series, 1);
    const struct dh_figure_series *s = &f->charts[0].series[0];
    CHECK_STR(s->name, "Price");
    CHECK_INT(s->plot_style, 2);
    CHECK_STR(s->x_column, "Timestamp");
    CHECK_STR(s->y_column, "Price");
    CHECK_INT(s->table_index, 0);
    CHECK_STR(s->y_axis_label, "Price");
    dh_figure_free(f);
    free(buf);
    n_tables = 0;
    CHECK_INT(demo_encode_figure(fig, &buf, &len, tables, &n_tables, err), -1);
    n_tables = 4;
    CHECK_INT(demo_encode_figure(find_any(cat, "trades"), &buf, &len, tables, &n_tables, err), -1);
    demo_catalog_free(cat);
}

/* ---- DoGet and Barrage snapshots ---- */

/* Everything one encoding emitted, decoded. */
struct stream {
    size_t n_msgs, n_batches, n_meta;
    int64_t rows_total;
    int schema_first;
    size_t max_body;
    int64_t next_id; /* trades: the Id expected next */
    int ids_ok;
    int64_t batch_rows[64];
    int has_meta[64];
    struct dh_schema schema;
    int stop_after; /* return non-zero from emit after this many messages (0 = never) */
    /* the last metadata seen */
    int64_t meta_added_card, meta_incl_card, meta_first_seq, meta_vp_card;
    int meta_is_snapshot, meta_has_vp, meta_has_cols, meta_reverse;
    uint8_t meta_vp[64], meta_cols[16];
    size_t meta_vp_len, meta_cols_len;
    int64_t chunk_rows, chunk_incl_expected; /* running check: included == rows of the chunk */
    int chunk_ok;
    int id_col;           /* column holding the Id (-1: none) */
    struct dh_batch last; /* the last batch, kept decoded */
};

static void stream_init(struct stream *st)
{
    memset(st, 0, sizeof *st);
    dh_schema_init(&st->schema);
    dh_batch_init(&st->last);
    st->ids_ok = 1;
    st->chunk_ok = 1;
    st->id_col = -1;
}

static void stream_reset(struct stream *st)
{
    dh_batch_reset(&st->last);
    dh_schema_reset(&st->schema);
}

static void stream_close_chunk(struct stream *st)
{
    if (st->n_meta && st->chunk_rows != st->chunk_incl_expected)
        st->chunk_ok = 0;
    st->chunk_rows = 0;
}

static int on_msg(void *ctx, const struct demo_flight_msg *m)
{
    struct stream *st = ctx;
    struct dh_ipc_message im;
    struct dh_error e;
    st->n_msgs++;
    if (dh_ipc_message_decode(m->header, m->header_len, &im, &e) != DH_OK)
        return 1;
    if (im.kind == DH_IPC_SCHEMA) {
        st->schema_first = st->n_msgs == 1 && !m->body_len && !m->app_metadata;
        dh_schema_decode(m->header, m->header_len, &st->schema, &e);
    } else {
        if (m->app_metadata) {
            stream_close_chunk(st);
            struct dh_barrage_update u;
            if (dh_barrage_decode_update(m->app_metadata, m->app_metadata_len, &u, &e) != DH_OK)
                return 1;
            st->n_meta++;
            st->meta_is_snapshot = u.is_snapshot;
            st->meta_first_seq = u.first_seq;
            st->meta_reverse = u.effective_reverse_viewport;
            dh_rowset_cardinality(u.added_rows, u.added_rows_len, &st->meta_added_card, &e);
            dh_rowset_cardinality(u.added_rows_included, u.added_rows_included_len,
                                  &st->meta_incl_card, &e);
            st->chunk_incl_expected = st->meta_incl_card;
            st->meta_has_vp = u.effective_viewport != NULL;
            st->meta_vp_len = u.effective_viewport_len < 64 ? u.effective_viewport_len : 0;
            if (u.effective_viewport) {
                memcpy(st->meta_vp, u.effective_viewport, st->meta_vp_len);
                dh_rowset_cardinality(u.effective_viewport, u.effective_viewport_len,
                                      &st->meta_vp_card, &e);
            }
            st->meta_has_cols = u.effective_column_set != NULL;
            st->meta_cols_len = u.effective_column_set_len < 16 ? u.effective_column_set_len : 0;
            if (u.effective_column_set)
                memcpy(st->meta_cols, u.effective_column_set, st->meta_cols_len);
        }
        dh_batch_reset(&st->last);
        if (dh_batch_decode(&st->schema, m->header, m->header_len, m->body, m->body_len, &st->last,
                            &e) != DH_OK) {
            fprintf(stderr, "  batch decode: %s\n", e.msg);
            return 1;
        }
        if (st->n_batches < 64) {
            st->batch_rows[st->n_batches] = st->last.length;
            st->has_meta[st->n_batches] = m->app_metadata != NULL;
        }
        st->n_batches++;
        st->rows_total += st->last.length;
        st->chunk_rows += st->last.length;
        if (m->body_len > st->max_body)
            st->max_body = m->body_len;
        if (st->id_col >= 0 && st->last.length > 0) {
            const struct dh_column_view *c = &st->last.columns[st->id_col];
            if (dh_column_get_i64(c, 0) != st->next_id ||
                dh_column_get_i64(c, st->last.length - 1) != st->next_id + st->last.length - 1)
                st->ids_ok = 0;
            st->next_id += st->last.length;
        }
    }
    return st->stop_after && st->n_msgs >= (size_t)st->stop_after;
}

static void test_doget_trades(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    struct stream st;
    stream_init(&st);
    st.id_col = 6;
    char err[DEMO_ERR_MAX];
    CHECK_REQ(demo_encode_doget(find_any(cat, "trades"), on_msg, &st, err) == 0);
    stream_close_chunk(&st);
    CHECK(st.schema_first);
    CHECK_INT(st.rows_total, 1000000);
    CHECK(st.ids_ok);
    CHECK(st.chunk_ok);           /* added_rows_included counts each chunk's rows */
    CHECK(st.n_meta > 1);         /* several chunks */
    CHECK_INT(st.has_meta[0], 1); /* the first batch of the first chunk */
    CHECK_INT(st.batch_rows[0], 8192 / 7);
    CHECK(st.max_body < 8 * 1024 * 1024); /* memory bounded per batch */
    CHECK_INT(st.meta_added_card, 1000000);
    CHECK_INT(st.meta_is_snapshot, 1);
    CHECK_INT(st.meta_first_seq, -1);
    CHECK_INT(st.meta_has_vp, 0); /* the last chunk echoes DoGet's (absent) viewport */
    CHECK_INT(st.meta_has_cols, 0);
    stream_reset(&st);

    /* emit asks to stop: the encoder stops at once */
    stream_init(&st);
    st.stop_after = 3;
    CHECK_INT(demo_encode_doget(find_any(cat, "trades"), on_msg, &st, err), -1);
    CHECK_INT(st.n_msgs, 3);
    CHECK(strncmp(err, "CANCELLED", 9) == 0);
    stream_reset(&st);

    /* an empty static table: the schema only */
    stream_init(&st);
    CHECK_REQ(demo_encode_doget(find_any(cat, "empty"), on_msg, &st, err) == 0);
    CHECK_INT(st.n_msgs, 1);
    CHECK(st.schema_first);
    stream_reset(&st);

    /* quotes ticks: one snapshot message, seq set, batches start at 4096 rows */
    stream_init(&st);
    CHECK_REQ(demo_encode_doget(find_any(cat, "quotes"), on_msg, &st, err) == 0);
    CHECK_INT(st.n_meta, 1);
    CHECK(st.rows_total >= 100);
    CHECK_INT(st.meta_added_card, st.rows_total);
    CHECK(st.meta_first_seq >= 100);
    stream_reset(&st);

    /* a figure is not a table */
    stream_init(&st);
    CHECK_INT(demo_encode_doget(find_any(cat, "price_plot"), on_msg, &st, err), -1);
    CHECK(strncmp(err, "FAILED_PRECONDITION", 19) == 0);
    CHECK_INT(st.n_msgs, 0);
    stream_reset(&st);
    demo_catalog_free(cat);
}

/* A wrapped BarrageSnapshotRequest for viewport [lo, hi] (hi < lo: no viewport). */
static uint8_t *snapshot_request(int64_t lo, int64_t hi, const uint8_t *cols, size_t cols_len,
                                 int dh_nulls, int32_t batch_size, int32_t max_msg, int reverse,
                                 size_t *len)
{
    struct dh_barrage_snapshot_request r;
    struct dh_error e;
    uint8_t *vp = NULL, *out = NULL;
    size_t vp_len = 0;
    memset(&r, 0, sizeof r);
    static const uint8_t ticket[] = {'a', '/', 'd'};
    r.ticket = ticket;
    r.ticket_len = sizeof ticket;
    if (hi >= lo && dh_rowset_encode_range(lo, hi, &vp, &vp_len, &e) != DH_OK)
        return NULL;
    r.viewport = vp;
    r.viewport_len = vp_len;
    r.columns = cols;
    r.columns_len = cols_len;
    r.use_deephaven_nulls = dh_nulls;
    r.batch_size = batch_size;
    r.max_message_size = max_msg;
    r.reverse_viewport = reverse;
    if (dh_barrage_encode_snapshot_request(&r, &out, len, &e) != DH_OK)
        out = NULL;
    free(vp);
    return out;
}

/* Encode the snapshot req asks of t into st (set up by the caller), then free
 * req; 0, or -1 when req is NULL or the encoder refuses it. */
static int snapshot_into(const struct demo_object *t, uint8_t *req, size_t len, struct stream *st)
{
    char err[DEMO_ERR_MAX];
    int rc = req ? demo_encode_barrage_snapshot(t, req, len, on_msg, st, err) : -1;
    free(req);
    return rc;
}

static void test_snapshot_viewport(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    const struct demo_object *t = find_any(cat, "trades");
    size_t len;
    uint8_t *req = snapshot_request(999990, 999999, NULL, 0, 0, 0, 0, 0, &len);
    struct stream st;
    stream_init(&st);
    st.id_col = 6;
    st.next_id = 999990;
    CHECK_REQ(snapshot_into(t, req, len, &st) == 0);
    CHECK(st.schema_first);
    CHECK_INT(st.n_msgs, 2);
    CHECK_INT(st.rows_total, 10);
    CHECK(st.ids_ok);
    CHECK_INT(st.n_meta, 1);
    CHECK_INT(st.meta_is_snapshot, 1);
    CHECK_INT(st.meta_added_card, 1000000); /* the whole table's key space */
    CHECK_INT(st.meta_incl_card, 10);
    CHECK_INT(st.meta_has_vp, 1);
    CHECK_INT(st.meta_vp_card, 10);
    CHECK_INT(st.meta_has_cols, 0);
    /* every cell matches the catalogue */
    for (int64_t r = 0; r < 10; r++) {
        struct demo_cell c;
        demo_table_cell(t, 999990 + r, 2, &c);
        CHECK(dh_column_get_f64(&st.last.columns[2], r) == c.d);
        demo_table_cell(t, 999990 + r, 1, &c);
        check_bytes(&st.last.columns[1], r, c.bytes, c.len);
        demo_table_cell(t, 999990 + r, 0, &c);
        CHECK_INT(dh_column_get_i64(&st.last.columns[0], r), c.i);
    }
    stream_reset(&st);

    /* past the end: clipped rows, the requested viewport echoed */
    req = snapshot_request(999990, 1000099, NULL, 0, 0, 0, 0, 0, &len);
    stream_init(&st);
    CHECK_REQ(snapshot_into(t, req, len, &st) == 0);
    CHECK_INT(st.rows_total, 10);
    CHECK_INT(st.meta_vp_card, 110);
    CHECK_INT(st.meta_incl_card, 10);
    stream_reset(&st);

    /* entirely past the end: one 0-row batch carrying the metadata */
    req = snapshot_request(2000000, 2000099, NULL, 0, 0, 0, 0, 0, &len);
    stream_init(&st);
    CHECK_REQ(snapshot_into(t, req, len, &st) == 0);
    CHECK_INT(st.n_msgs, 2);
    CHECK_INT(st.rows_total, 0);
    CHECK_INT(st.n_meta, 1);
    CHECK_INT(st.meta_incl_card, 0);
    stream_reset(&st);

    /* reverse viewport: the last 5 rows, sent in forward order */
    req = snapshot_request(0, 4, NULL, 0, 0, 0, 0, 1, &len);
    stream_init(&st);
    st.id_col = 6;
    st.next_id = 999995;
    CHECK_REQ(snapshot_into(t, req, len, &st) == 0);
    CHECK_INT(st.rows_total, 5);
    CHECK(st.ids_ok);
    CHECK_INT(st.meta_reverse, 1);
    stream_reset(&st);
    demo_catalog_free(cat);
}

static void test_snapshot_columns_and_batches(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    const struct demo_object *t = find_any(cat, "trades");
    size_t len;
    /* columns {0, 2}: the others are 0-length; the set is echoed */
    static const uint8_t cols[] = {0x05};
    uint8_t *req = snapshot_request(100, 149, cols, 1, 0, 0, 0, 0, &len);
    struct stream st;
    stream_init(&st);
    CHECK_REQ(snapshot_into(t, req, len, &st) == 0);
    CHECK_INT(st.rows_total, 50);
    CHECK_INT(st.last.columns[0].length, 50);
    CHECK_INT(st.last.columns[1].length, 0);
    CHECK_INT(st.last.columns[2].length, 50);
    CHECK_INT(st.last.columns[6].length, 0);
    CHECK_INT(st.meta_has_cols, 1);
    CHECK_INT(st.meta_cols_len, 1);
    CHECK_INT(st.meta_cols[0], 0x05);
    stream_reset(&st);

    /* batch_size 3 over 10 rows: 3 + 3 + 3 + 1, metadata on the first only */
    req = snapshot_request(0, 9, NULL, 0, 0, 3, 0, 0, &len);
    stream_init(&st);
    st.id_col = 6;
    CHECK_REQ(snapshot_into(t, req, len, &st) == 0);
    CHECK_INT(st.n_batches, 4);
    CHECK_INT(st.batch_rows[0], 3);
    CHECK_INT(st.batch_rows[3], 1);
    CHECK_INT(st.has_meta[0], 1);
    CHECK_INT(st.has_meta[1], 0);
    CHECK(st.ids_ok);
    stream_reset(&st);

    /* max_message_size 4000 over 1000 rows: several batches, each under the limit */
    req = snapshot_request(0, 999, NULL, 0, 0, 0, 4000, 0, &len);
    stream_init(&st);
    st.id_col = 6;
    CHECK_REQ(snapshot_into(t, req, len, &st) == 0);
    CHECK_INT(st.rows_total, 1000);
    CHECK(st.n_batches > 5);
    CHECK(st.max_body < 4000);
    CHECK(st.ids_ok);
    stream_reset(&st);

    /* an empty viewport (RowSet 0x20) is not an absent one: nothing to send */
    static const uint8_t empty_rs[] = {0x20};
    struct dh_barrage_snapshot_request r;
    struct dh_error e;
    memset(&r, 0, sizeof r);
    r.viewport = empty_rs;
    r.viewport_len = 1;
    CHECK_REQ(dh_barrage_encode_snapshot_request(&r, &req, &len, &e) == DH_OK);
    stream_init(&st);
    CHECK_REQ(snapshot_into(t, req, len, &st) == 0);
    CHECK_INT(st.n_msgs, 1);
    stream_reset(&st);
    demo_catalog_free(cat);
}

static void test_snapshot_dh_nulls(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    size_t len;
    uint8_t *req = snapshot_request(0, 7, NULL, 0, 1, 0, 0, 0, &len);
    struct stream st;
    stream_init(&st);
    CHECK_REQ(snapshot_into(find_any(cat, "nulls"), req, len, &st) == 0);
    CHECK_INT(st.rows_total, 8);
    CHECK(st.last.columns[3].validity == NULL);
    CHECK_INT(dh_column_get_i64(&st.last.columns[3], 0), INT32_MIN);
    CHECK(st.last.columns[9].validity != NULL);
    stream_reset(&st);
    demo_catalog_free(cat);
}

static void test_snapshot_errors(void)
{
    struct demo_catalog *cat = demo_catalog_new(NULL);
    CHECK_REQ(cat);
    const struct demo_object *t = find_any(cat, "trades");
    char err[DEMO_ERR_MAX];
    struct stream st;
    stream_init(&st);
    /* a subscription request is not a snapshot */
    struct dh_barrage_subscription_request sr;
    struct dh_error e;
    uint8_t *buf;
    size_t len;
    memset(&sr, 0, sizeof sr);
    CHECK_REQ(dh_barrage_encode_subscription_request(&sr, &buf, &len, &e) == DH_OK);
    CHECK_INT(demo_encode_barrage_snapshot(t, buf, len, on_msg, &st, err), -1);
    CHECK_STR(err, "INVALID_ARGUMENT: unhandled BarrageMessageType: 5");
    free(buf);
    static const uint8_t junk[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    CHECK_INT(demo_encode_barrage_snapshot(t, junk, sizeof junk, on_msg, &st, err), -1);
    CHECK(strncmp(err, "INVALID_ARGUMENT", 16) == 0);
    CHECK_INT(demo_encode_barrage_snapshot(t, NULL, 0, on_msg, &st, err), -1);
    CHECK(strncmp(err, "INVALID_ARGUMENT", 16) == 0);
    /* a malformed viewport RowSet */
    static const uint8_t bad_rs[] = {0x0b, 0x01};
    struct dh_barrage_snapshot_request r;
    memset(&r, 0, sizeof r);
    r.viewport = bad_rs;
    r.viewport_len = sizeof bad_rs;
    CHECK_REQ(dh_barrage_encode_snapshot_request(&r, &buf, &len, &e) == DH_OK);
    CHECK_INT(demo_encode_barrage_snapshot(t, buf, len, on_msg, &st, err), -1);
    CHECK(strncmp(err, "INVALID_ARGUMENT", 16) == 0);
    CHECK_INT(st.n_msgs, 0); /* nothing is sent before the request is known good */
    /* a non-table */
    memset(&r, 0, sizeof r);
    free(buf);
    CHECK_REQ(dh_barrage_encode_snapshot_request(&r, &buf, &len, &e) == DH_OK);
    CHECK_INT(demo_encode_barrage_snapshot(find_any(cat, "price_plot"), buf, len, on_msg, &st, err),
              -1);
    CHECK(strncmp(err, "FAILED_PRECONDITION", 19) == 0);
    free(buf);
    stream_reset(&st);
    demo_catalog_free(cat);
}

int main(void)
{
    CHECK_RUN(T(test_builtins), T(test_quotes_tick), T(test_add_remove),
              T(test_cells_deterministic), T(test_schema_framing), T(test_schema_types),
              T(test_batch_layout_small), T(test_batch_layout_nulls), T(test_nulls_values),
              T(test_every_table_decodes), T(test_trades_bulk_matches_cells),
              T(test_viewport_is_cheap), T(test_figure), T(test_doget_trades),
              T(test_snapshot_viewport), T(test_snapshot_columns_and_batches),
              T(test_snapshot_dh_nulls), T(test_snapshot_errors));
}
