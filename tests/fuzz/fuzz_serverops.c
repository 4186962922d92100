/* SPDX-License-Identifier: MIT */
/* fuzz_serverops.c: libFuzzer target for the demo server's table operations on
 * request bytes a client sends (server/derive.c, seek.c, stats.c, aggregate.c,
 * group.c, filter_parse.c and catalog.c, linked in): byte 0 picks a table, byte 1 a
 * SeekRowRequest or a BatchTableRequest.Operation; the rest is the message. Whatever
 * it says, the operation either fails with a status or gives a table whose every cell
 * can be read, and a seek answers -1 or a position inside the table. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "aggregate.h"
#include "catalog.h"
#include "derive.h"
#include "registry.h"
#include "seek.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* registry.c's, without the rest of the registry. */
void demo_status_set(struct demo_status *st, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    st->code = code;
    vsnprintf(st->msg, sizeof st->msg, fmt, ap);
    va_end(ap);
}

static void read_all(const struct demo_object *t)
{
    const struct demo_object *now = demo_object_pin(t);
    int64_t n = demo_object_size(now);
    size_t ncols = demo_table_ncols(now);
    struct demo_cell c;
    for (int64_t r = 0; r < n && r < 2000; r++) {
        for (size_t col = 0; col < ncols; col++) {
            demo_table_cell(now, r, col, &c);
            if (!c.is_null && c.len && !c.bytes)
                __builtin_trap();
            for (size_t k = 0; c.strs && k < c.n; k++)
                if (c.strs[k] && !c.strs[k][0] && c.strs[k][0])
                    __builtin_trap();
        }
    }
    demo_object_unref(now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct demo_catalog *cat;
    static const char *const tables[] = {"trades", "nulls",  "awkward", "hostile",
                                         "wide",   "quotes", "empty"};
    if (!cat)
        cat = demo_catalog_new(&(struct demo_catalog_options){.trades_rows = 500});
    if (!cat || size < 2)
        return 0;
    const struct demo_object *t =
        demo_catalog_find(cat, tables[data[0] % (sizeof tables / sizeof tables[0])]);
    if (!t)
        return 0;
    struct demo_status st = {0, ""};
    if (data[1] & 1) {
        Io__Deephaven__Proto__Backplane__Grpc__SeekRowRequest *m =
            io__deephaven__proto__backplane__grpc__seek_row_request__unpack(NULL, size - 2,
                                                                            data + 2);
        if (!m)
            return 0;
        int64_t row = 0;
        if (demo_seek_row(t, m, &row, &st) == 0 && (row < -1 || row >= demo_object_size(t)))
            __builtin_trap();
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return 0;
    }
    Io__Deephaven__Proto__Backplane__Grpc__BatchTableRequest__Operation *op =
        (Io__Deephaven__Proto__Backplane__Grpc__BatchTableRequest__Operation *)
            protobuf_c_message_unpack(
                &io__deephaven__proto__backplane__grpc__batch_table_request__operation__descriptor,
                NULL, size - 2, data + 2);
    if (!op)
        return 0;
    const struct demo_object *out = NULL;
    if (demo_derive(t, op, &out, &st) == 0) {
        if (!out)
            __builtin_trap();
        read_all(out);
        /* an operation on the result too (a chain) */
        const struct demo_object *again = NULL;
        if (demo_derive(out, op, &again, &st) == 0)
            read_all(again);
        demo_object_unref(again);
    } else if (!st.msg[0]) {
        __builtin_trap(); /* a failure always says why */
    }
    demo_object_unref(out);
    protobuf_c_message_free_unpacked(&op->base, NULL);
    return 0;
}
