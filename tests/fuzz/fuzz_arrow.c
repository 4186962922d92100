/* SPDX-License-Identifier: MIT */
/* fuzz_arrow.c: libFuzzer target for Arrow decoding: the input as an IPC stream
 * (schema, then record batches whose every cell is read), as a bare Message, and
 * as an encapsulated schema. */
#include <stddef.h>
#include <stdint.h>

#include "../unit/testutil.h"
#include "dh_arrow.h"
#include "dh_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every cell of a column the ways a viewer would. */
static uint64_t read_column(const struct dh_column_view *c)
{
    uint64_t sum = 0;
    for (int64_t r = 0; r < c->length && r < 4096; r++) {
        sum += (uint64_t)dh_column_is_null(c, r);
        sum += (uint64_t)dh_column_get_i64(c, r) + dh_column_get_u64(c, r);
        sum += (uint64_t)(dh_column_get_f64(c, r) != 0) + (uint64_t)dh_column_get_bool(c, r);
        const uint8_t *p;
        size_t n;
        if (dh_column_get_bytes(c, r, &p, &n) == DH_OK && n)
            sum += p[0] + p[n - 1];
        int64_t start, count;
        if (dh_column_list_range(c, r, &start, &count) == DH_OK && c->child)
            for (int64_t i = 0; i < count && i < 64; i++)
                sum += (uint64_t)dh_column_is_null(c->child, start + i) +
                       (uint64_t)dh_column_get_i64(c->child, start + i);
    }
    if (c->child)
        sum += read_column(c->child);
    for (size_t i = 0; c->children && c->field && i < c->field->n_children; i++)
        sum += read_column(&c->children[i]); /* Struct fields */
    return sum;
}

/* Format the first cells of a top-level column (nested lists, maps, structs). */
static uint64_t format_column(const struct dh_column_view *c)
{
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    char text[256];
    uint64_t sum = 0;
    for (int64_t r = 0; r < c->length && r < 64; r++)
        sum += dh_format_cell(c, r, &o, text, sizeof text);
    return sum;
}

static void read_stream(const uint8_t *data, size_t size, int deephaven_nulls)
{
    struct tu_stream st;
    uint64_t sum = 0;
    if (tu_stream_open(&st, data, size, NULL) == DH_OK) {
        (void)dh_schema_check_supported(&st.schema, NULL);
        for (size_t i = 0; i < st.schema.n_fields; i++)
            sum += (uint64_t)(dh_field_metadata(&st.schema.fields[i], "deephaven:type") != NULL);
        while (!st.done) {
            if (tu_stream_next(&st, NULL) != DH_OK)
                continue; /* a bad batch: go on with the next frame */
            dh_batch_set_deephaven_nulls(&st.batch, deephaven_nulls);
            for (size_t c = 0; c < st.batch.n_columns; c++)
                sum += read_column(&st.batch.columns[c]) + format_column(&st.batch.columns[c]);
        }
    }
    volatile uint64_t keep = sum;
    (void)keep;
    tu_stream_close(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_stream(data, size, size & 1);
    struct dh_schema schema;
    dh_schema_init(&schema);
    (void)dh_schema_decode(data, size, &schema, NULL);
    (void)dh_schema_decode_encapsulated(data, size, &schema, NULL);
    dh_schema_reset(&schema);
    struct dh_ipc_message msg;
    (void)dh_ipc_message_decode(data, size, &msg, NULL);
    return 0;
}
