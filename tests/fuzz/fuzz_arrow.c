/* SPDX-License-Identifier: MIT */
/* fuzz_arrow.c: libFuzzer target for Arrow decoding: the input as an IPC stream
 * (schema, then record batches whose every cell is read), as a bare Message, and
 * as an encapsulated schema. */
#include <stddef.h>
#include <stdint.h>

#include "dh_arrow.h"

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
    return sum;
}

static void read_stream(const uint8_t *data, size_t size, int deephaven_nulls)
{
    struct dh_schema schema;
    struct dh_batch batch;
    dh_schema_init(&schema);
    dh_batch_init(&batch);
    size_t pos = 0;
    struct dh_ipc_frame fr;
    uint64_t sum = 0;
    if (dh_ipc_stream_next(data, size, &pos, &fr, NULL) == DH_OK &&
        dh_schema_decode(fr.metadata, fr.metadata_len, &schema, NULL) == DH_OK) {
        (void)dh_schema_check_supported(&schema, NULL);
        for (size_t i = 0; i < schema.n_fields; i++)
            sum += (uint64_t)(dh_field_metadata(&schema.fields[i], "deephaven:type") != NULL);
        while (dh_ipc_stream_next(data, size, &pos, &fr, NULL) == DH_OK) {
            if (dh_batch_decode(&schema, fr.metadata, fr.metadata_len, fr.body, fr.body_len,
                                &batch, NULL) != DH_OK)
                continue;
            dh_batch_set_deephaven_nulls(&batch, deephaven_nulls);
            for (size_t c = 0; c < batch.n_columns; c++)
                sum += read_column(&batch.columns[c]);
        }
    }
    volatile uint64_t keep = sum;
    (void)keep;
    dh_batch_reset(&batch);
    dh_schema_reset(&schema);
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
