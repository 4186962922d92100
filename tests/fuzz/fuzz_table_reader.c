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

/* Work caps, so one input stays fast (a Null column may claim 2^62 rows). */
#define MAX_ROWS 256
#define MAX_CELLS 4096

/* Format every cell (up to the caps) into a small and a large buffer. */
static void format_rows(const struct dh_rows *rows, unsigned flags)
{
    struct dh_format_opts opts;
    dh_format_opts_init(&opts);
    opts.deephaven_nulls = (flags & 1) != 0;
    opts.group_digits = (flags & 2) != 0;
    opts.local_time = (flags & 4) != 0;
    opts.float_precision = (int)(flags >> 4) - 1;
    opts.max_list_items = (flags & 8) ? 2 : 0;
    opts.max_binary_bytes = (flags & 8) ? 3 : 0;
    char big[512], small[24];
    size_t small_cap = 1 + flags % sizeof small;
    size_t cells = 0;
    for (size_t c = 0; c < rows->batch.n_columns && c < rows->schema.n_fields; c++) {
        const struct dh_field *f = &rows->schema.fields[c];
        const struct dh_column_view *col = &rows->batch.columns[c];
        if (f->name)
            fc_check_sanitize(f->name, strlen(f->name), flags);
        size_t w = dh_format_type_label(f, small, small_cap);
        fc_check_text(small, w, small_cap);
        (void)dh_format_is_numeric(f);
        /* Rows outside the column give "". */
        if (dh_format_cell(col, -1, &opts, big, sizeof big) != 0 ||
            dh_format_cell(col, col->length, &opts, big, sizeof big) != 0)
            __builtin_trap();
        for (int64_t r = 0; r < col->length && r < MAX_ROWS && cells < MAX_CELLS; r++, cells++) {
            w = dh_format_cell(col, r, &opts, big, sizeof big);
            fc_check_text(big, w, sizeof big);
            w = dh_format_cell(col, r, &opts, small, small_cap);
            fc_check_text(small, w, small_cap);
        }
    }
}

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
            format_rows(&rows, flags);
        }
        dh_rows_reset(&rows);
        dh_rows_reset(&rows); /* idempotent */
    }
    dh_table_reader_reset(&r);
    dh_table_reader_reset(&r); /* idempotent */
    return 0;
}
