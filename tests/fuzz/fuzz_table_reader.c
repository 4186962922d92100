/* SPDX-License-Identifier: MIT */
/* fuzz_table_reader.c: libFuzzer target for the path every Barrage snapshot and
 * DoGet reply takes: packed FlightData messages into dh_table_reader, then every
 * cell of the result formatted and every header sanitised into bounded buffers,
 * checking that the output is terminal-safe UTF-8.
 *
 * Input: byte 0 = first row asked for, byte 1 = rows asked for (255: all, as
 * DoGet), byte 2 = formatting flags, then messages, each a little-endian u32
 * length and that many bytes (a length past the end takes the rest). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dh_format.h"
#include "dh_table.h"
#include "dh_text.h"
#include "fuzzcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    int64_t first = data[0];
    int64_t count = data[1] == 0xFF ? -1 : data[1];
    unsigned flags = data[2];
    struct dh_table_reader r;
    dh_table_reader_init(&r, first, count);
    size_t at = 3;
    const uint8_t *p;
    size_t n;
    int rc = DH_OK;
    while (rc == DH_OK && fc_next_chunk(data, size, &at, &p, &n))
        rc = dh_table_apply_packed(&r, p, n, NULL);
    if (rc == DH_OK) {
        struct dh_rows rows;
        memset(&rows, 0, sizeof rows);
        if (dh_table_reader_finish(&r, &rows, NULL) == DH_OK) {
            /* finish clips to the rows asked for and to the table */
            if (rows.batch.length < 0 || (count >= 0 && rows.batch.length > count) ||
                rows.first != first || rows.batch.n_columns != rows.schema.n_fields)
                __builtin_trap();
            fc_format_rows(&rows, flags);
        }
        dh_rows_reset(&rows);
        dh_rows_reset(&rows); /* idempotent */
    }
    dh_table_reader_reset(&r);
    dh_table_reader_reset(&r); /* idempotent */
    return 0;
}
