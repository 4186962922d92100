/* SPDX-License-Identifier: MIT */
/* fuzz_subscription.c: libFuzzer target for live viewport updates from a
 * server: packed FlightData messages into a dh_viewport (schema, then Barrage
 * updates with their add and modify batches, applied with the loop
 * of docs/PROTOCOL.md, Barrage updates); after every applied update the
 * viewport is copied out, checked and formatted into bounded, terminal-safe text.
 *
 * Input: byte 0 = first position asked for, byte 1 = formatting flags, then
 * messages, each a little-endian u32 length and that many bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dh_subscription.h"
#include "fuzzcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The copy agrees with the state it came from. */
static void check_copy(const struct dh_viewport *v, const struct dh_rows *rows)
{
    if (rows->batch.length != dh_viewport_length(v) || rows->batch.length < 0 ||
        rows->first != dh_viewport_first(v) || rows->table_size != dh_viewport_table_size(v) ||
        rows->batch.n_columns != rows->schema.n_fields)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned flags = data[1];
    struct dh_viewport *v = dh_viewport_new(data[0]);
    if (!v)
        return 0;
    size_t at = 2;
    const uint8_t *p;
    size_t n;
    uint64_t updates = 0;
    while (fc_next_chunk(data, size, &at, &p, &n)) {
        int updated = 0;
        if (dh_viewport_apply_packed(v, p, n, &updated, NULL) != DH_OK)
            break;
        if (!updated)
            continue;
        if (dh_viewport_updates(v) != ++updates)
            __builtin_trap();
        struct dh_rows rows;
        memset(&rows, 0, sizeof rows);
        if (dh_viewport_copy(v, &rows, NULL) == DH_OK) {
            check_copy(v, &rows);
            fc_format_rows(&rows, flags);
        }
        dh_rows_reset(&rows);
    }
    dh_viewport_free(v);
    return 0;
}
