/* SPDX-License-Identifier: MIT */
/* test_hier.c: dh_hier's pure parts: a HierarchicalTableDescriptor as the demo
 * server sends it (tests/fuzz/corpus/fuzz_hier/rollup_descriptor.bin: a rollup of
 * trades by Exchange, Sym) decoded into column roles; malformed ones refused; the
 * key table written from a row (schema with the expand-by columns, __DEPTH__ and
 * __action__; one batch) read back with the Arrow decoder; one directive per node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "check.h"
#include "dh_hier.h"

static uint8_t *read_seed(size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/../fuzz/corpus/fuzz_hier/rollup_descriptor.bin",
             DH_TEST_DATA_DIR);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = malloc(1 << 16);
    *len = buf ? fread(buf, 1, 1 << 16, f) : 0;
    fclose(f);
    return buf;
}

static long col(const struct dh_hier_info *h, const char *name)
{
    for (size_t c = 0; c < h->schema.n_fields; c++)
        if (strcmp(h->schema.fields[c].name, name) == 0)
            return (long)c;
    return -1;
}

static void test_descriptor_roles(void)
{
    size_t len = 0;
    uint8_t *d = read_seed(&len);
    CHECK_REQ(d && len > 0);
    struct dh_hier_info h;
    struct dh_error err;
    CHECK_INT(dh_hier_info_decode(d, len, &h, &err), DH_OK);
    CHECK(h.is_rollup && h.is_static);
    CHECK_INT(h.depth_col, col(&h, "__DEPTH__"));
    CHECK_INT(h.expanded_col, col(&h, "__EXPANDED__"));
    CHECK_INT((long)h.n_keys, 2);
    CHECK_INT(h.key_cols[0], col(&h, "Exchange"));
    CHECK_INT(h.key_cols[1], col(&h, "Sym"));
    CHECK(!dh_hier_column_visible(&h, (size_t)h.depth_col));
    CHECK(!dh_hier_column_visible(&h, (size_t)h.expanded_col));
    CHECK(dh_hier_column_visible(&h, (size_t)col(&h, "Count")));
    dh_hier_info_reset(&h);
    /* cut short: refused, nothing kept */
    CHECK(dh_hier_info_decode(d, len / 2, &h, &err) != DH_OK);
    CHECK(strstr(err.msg, "escriptor") != NULL); /* "...Descriptor" or "... descriptor: ..." */
    CHECK_INT(h.depth_col, -1);
    free(d);
}

/* One row of a view: depth 2, not expanded, Exchange "NYSE", Sym null. */
struct fake_row {
    struct dh_column_view cols[16];
    int32_t depth;
    uint8_t bits, valid, no;
    int32_t offs[2];
};

static void fake_rows(struct dh_rows *r, struct fake_row *f, const struct dh_hier_info *h)
{
    memset(r, 0, sizeof *r);
    memset(f, 0, sizeof *f);
    r->schema = h->schema; /* borrowed: never reset */
    r->batch.length = 1;
    r->batch.n_columns = h->schema.n_fields < 16 ? h->schema.n_fields : 16;
    r->batch.columns = f->cols;
    for (size_t c = 0; c < r->batch.n_columns; c++)
        f->cols[c].field = &h->schema.fields[c];
    f->depth = 2;
    struct dh_column_view *d = &f->cols[h->depth_col];
    d->length = 1;
    d->values = (const uint8_t *)&f->depth;
    d->values_len = 4;
    d->value_width = 4;
    struct dh_column_view *e = &f->cols[h->expanded_col];
    e->length = 1;
    e->values = &f->bits;
    e->values_len = 1;
    f->offs[0] = 0;
    f->offs[1] = 4;
    struct dh_column_view *x = &f->cols[h->key_cols[0]];
    x->length = 1;
    x->offsets = (const uint8_t *)f->offs;
    x->values = (const uint8_t *)"NYSE";
    x->values_len = 4;
    struct dh_column_view *s = &f->cols[h->key_cols[1]];
    s->length = 1;
    s->null_count = 1;
    s->validity = &f->no;
}

static void test_key_table(void)
{
    size_t len = 0;
    uint8_t *d = read_seed(&len);
    CHECK_REQ(d && len > 0);
    struct dh_hier_info h;
    struct dh_error err;
    CHECK_REQ(dh_hier_info_decode(d, len, &h, &err) == DH_OK);
    free(d);
    struct dh_rows r;
    struct fake_row f;
    fake_rows(&r, &f, &h);
    CHECK_INT(dh_hier_row_depth(&h, &r, 0), 2);
    CHECK_INT(dh_hier_row_expanded(&h, &r, 0), 0);
    struct dh_hier_keys *k = dh_hier_keys_new();
    CHECK_INT(dh_hier_keys_set(k, &h, &r, 0, DH_HIER_EXPAND, &err), DH_OK);
    CHECK_INT(dh_hier_keys_set(k, &h, &r, 0, DH_HIER_COLLAPSE, &err), DH_OK);
    CHECK_INT((long)dh_hier_keys_count(k), 1); /* the same node: replaced */
    CHECK(dh_hier_keys_set(k, &h, &r, 1, DH_HIER_EXPAND, &err) == DH_EINVAL);
    struct dh_hier_keys *copy = dh_hier_keys_copy(k);
    /* equal sets keep a live tree's subscription; any difference makes a new view */
    CHECK(dh_hier_keys_equal(k, copy));
    CHECK(dh_hier_keys_equal(NULL, NULL));
    struct dh_hier_keys *empty = dh_hier_keys_new();
    CHECK(dh_hier_keys_equal(empty, NULL));
    CHECK(!dh_hier_keys_equal(k, empty));
    struct dh_hier_keys *other = dh_hier_keys_copy(k);
    CHECK_REQ(other && dh_hier_keys_set(other, &h, &r, 0, DH_HIER_EXPAND, &err) == DH_OK);
    CHECK(!dh_hier_keys_equal(k, other));                   /* another action for the same node */
    f.cols[h.key_cols[0]].values = (const uint8_t *)"XYSE"; /* another node */
    struct dh_hier_keys *moved = dh_hier_keys_new();
    CHECK_REQ(moved && dh_hier_keys_set(moved, &h, &r, 0, DH_HIER_COLLAPSE, &err) == DH_OK);
    CHECK(!dh_hier_keys_equal(k, moved));
    dh_hier_keys_free(empty);
    dh_hier_keys_free(other);
    dh_hier_keys_free(moved);
    dh_hier_keys_free(k);
    dh_hier_info_reset(&h); /* the keys keep what they need */
    uint8_t *msgs[2];
    size_t lens[2];
    CHECK_REQ(dh_hier_key_table_messages(copy, 7, msgs, lens, &err) == DH_OK);
    dh_hier_keys_free(copy);

    Arrow__Flight__Protocol__FlightData *m0 =
        arrow__flight__protocol__flight_data__unpack(NULL, lens[0], msgs[0]);
    Arrow__Flight__Protocol__FlightData *m1 =
        arrow__flight__protocol__flight_data__unpack(NULL, lens[1], msgs[1]);
    CHECK_REQ(m0 && m1 && m0->flight_descriptor);
    CHECK_INT((long)m0->flight_descriptor->n_path, 2);
    CHECK_STR(m0->flight_descriptor->path[0], "export");
    CHECK_STR(m0->flight_descriptor->path[1], "7");
    CHECK(!m1->flight_descriptor);
    struct dh_schema s;
    dh_schema_init(&s);
    CHECK_REQ(dh_schema_decode(m0->data_header.data, m0->data_header.len, &s, &err) == DH_OK);
    CHECK_REQ(s.n_fields == 4);
    CHECK_STR(s.fields[0].name, "Exchange");
    CHECK_STR(s.fields[1].name, "Sym");
    CHECK_STR(s.fields[2].name, "__DEPTH__");
    CHECK_STR(s.fields[3].name, "__action__");
    CHECK_STR(dh_field_metadata(&s.fields[0], "deephaven:type"), "java.lang.String");
    CHECK_STR(dh_field_metadata(&s.fields[3], "deephaven:type"), "byte");
    CHECK(s.fields[2].type == DH_TYPE_INT && s.fields[2].bit_width == 32);
    CHECK(s.fields[3].type == DH_TYPE_INT && s.fields[3].bit_width == 8);
    struct dh_batch b;
    dh_batch_init(&b);
    CHECK_REQ(dh_batch_decode(&s, m1->data_header.data, m1->data_header.len, m1->data_body.data,
                              m1->data_body.len, &b, &err) == DH_OK);
    CHECK_INT((long)b.length, 1);
    const uint8_t *p;
    size_t n;
    CHECK(!dh_column_is_null(&b.columns[0], 0));
    CHECK(dh_column_get_bytes(&b.columns[0], 0, &p, &n) == DH_OK && n == 4 &&
          memcmp(p, "NYSE", 4) == 0);
    CHECK(dh_column_is_null(&b.columns[1], 0));
    CHECK_INT((long)dh_column_get_i64(&b.columns[2], 0), 2);
    CHECK_INT((long)dh_column_get_i64(&b.columns[3], 0), DH_HIER_COLLAPSE);
    dh_batch_reset(&b);
    dh_schema_reset(&s);
    arrow__flight__protocol__flight_data__free_unpacked(m0, NULL);
    arrow__flight__protocol__flight_data__free_unpacked(m1, NULL);
    free(msgs[0]);
    free(msgs[1]);
}

int main(void)
{
    CHECK_RUN(T(test_descriptor_roles), T(test_key_table));
}
